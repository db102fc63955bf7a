/* bench_slaac — a LAN of N devices (default 1,000) booting at once with IPv6 autoconfiguration
 * (a benchmark, not a test): each host does DAD for its link-local address, solicits a router,
 * and does DAD for its SLAAC address from the router's prefix. Prints the simulated time until
 * every host has a preferred global address, the wall time, events, and frames per device (all
 * of them multicast: NS to solicited-node groups, RS to all-routers, RA to all-nodes).
 * Usage: bench_slaac [hosts] [eui64|stable] */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/link.h"
#include "sim/node.h"
#include "sim/stack/slaac.h"
#include "sim/world.h"

static bool all_global(GPtrArray *ifs)
{
    for (guint k = 0; k < ifs->len; k++) {
        net_slaac_addr_info a[4];
        size_t n = MIN(net_slaac_addrs(g_ptr_array_index(ifs, k), a, 4), 4);
        bool ok = false;
        for (size_t j = 0; j < n; j++)
            ok |= a[j].origin == NET_ORIGIN_SLAAC && a[j].state == NET_ADDR_PREFERRED;
        if (!ok)
            return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    unsigned hosts = argc > 1 ? (unsigned)atoi(argv[1]) : 1000;
    bool stable = argc > 2 && !strcmp(argv[2], "stable");
    sim_world_opts o = { .seed = 1 };
    sim_world *w = sim_world_new(&o, NULL);
    sim_link_props p;
    sim_link_props_default(&p);
    sim_link *lan = sim_link_new(w, "lan", SIM_LINK_LAN, &p, NULL);
    sim_node *r = sim_node_new(w, "router", SIM_NODE_ROUTER, NULL);
    sim_iface *ri = sim_node_attach(r, lan, NULL, NULL);
    net_ra_opts ra = { .max_interval = 600 * SIM_SEC, .router_lifetime = -1, .n_prefixes = 1 };
    sim_prefix_parse("2001:db8:1::/64", &ra.prefixes[0].prefix, &ra.prefixes[0].plen);
    ra.prefixes[0] = (net_ra_prefix){ ra.prefixes[0].prefix, 64, true, true, 86400, 14400 };
    net_ra_advertise(ri, &ra);
    GPtrArray *ifs = g_ptr_array_new();
    net_slaac_opts so = { .slaac = true, .dad = true, .iid = stable ? NET_IID_STABLE
                                                                      : NET_IID_EUI64 };
    gint64 t0 = g_get_monotonic_time();
    for (unsigned k = 0; k < hosts; k++) {
        char name[32];
        g_snprintf(name, sizeof name, "h%u", k);
        sim_iface *i = sim_node_attach(sim_node_new(w, name, SIM_NODE_HOST, NULL), lan, NULL,
                                       NULL);
        net_slaac_configure(i, &so);
        g_ptr_array_add(ifs, i);
    }
    uint64_t events = 0;
    sim_time_t t = 0;
    while (!all_global(ifs) && t < 60 * SIM_SEC) {
        t += 10 * SIM_MS;
        events += sim_world_run(w, t);
    }
    double wall = (double)(g_get_monotonic_time() - t0) / 1e6;
    const sim_link_stats *ls = sim_link_stats_get(lan);
    uint64_t dad = 0, rs = 0, failed = 0;
    for (guint k = 0; k < ifs->len; k++) {
        net_slaac_stats s = net_slaac_get_stats(g_ptr_array_index(ifs, k));
        dad += s.dad_ns_sent;
        rs += s.rs_sent;
        failed += s.dad_failed;
    }
    printf("bench_slaac: %u hosts (%s IDs) on one LAN, one router\n", hosts,
           stable ? "RFC 7217 stable" : "EUI-64");
    printf("  all configured at %.2f s simulated (10 ms resolution), %s\n", sim_time_sec(t),
           all_global(ifs) ? "every host has a preferred global address" : "NOT ALL CONFIGURED");
    printf("  wall %.3f s, %" G_GUINT64_FORMAT " events\n", wall, events);
    printf("  frames sent on the LAN: %" G_GUINT64_FORMAT " (%.2f per device: %.2f DAD NS, "
           "%.2f RS), RAs %" G_GUINT64_FORMAT ", DAD failures %" G_GUINT64_FORMAT "\n",
           ls->tx_frames, (double)ls->tx_frames / hosts, (double)dad / hosts, (double)rs / hosts,
           net_ra_get_stats(ri).ra_sent, failed);
    g_ptr_array_unref(ifs);
    sim_world_free(w);
    return 0;
}
