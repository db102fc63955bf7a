/* bench_boot — a LAN of N devices booting at the same instant (a benchmark, not a test):
 *   dhcp:      a router serves a pool of N addresses; every device runs the DHCP client
 *              (DORA, then the 1 s ARP check, then the announcement);
 *   linklocal: no server; every device claims an IPv4 link-local address (RFC 3927: 3 probes,
 *              2 announcements, a new candidate after each conflict).
 * Prints the simulated time until the last device is configured, the wall time, and the
 * broadcast frames per device (every broadcast on a LAN of N+1 members is delivered N times:
 * copies / N frames). Pcap and log off. Wall time depends on the machine's load; CPU time is
 * the process's (clock()). Usage: bench_boot [devices] [dhcp|linklocal|both] */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "protocols/dhcp/dhcp.h"
#include "protocols/zeroconf/ipv4ll.h"
#include "sim/link.h"
#include "sim/node.h"
#include "sim/socket.h"
#include "sim/world.h"

typedef struct run {
    sim_world *w;
    unsigned n, configured;
    bool *done;
    sim_time_t last;
    uint64_t bcast_copies, copies;
} run;

typedef struct dev {
    run *r;
    unsigned i;
    dhcp_app *dhcp;
    ipv4ll_app *ll;
} dev;

static void tap(void *ctx, const sim_link *l, const sim_iface *to, const sim_pkt *f, sim_time_t t)
{
    (void)l;
    (void)to;
    (void)t;
    run *r = ctx;
    r->copies++;
    if (f->len >= 6 && !memcmp(f->data, "\xff\xff\xff\xff\xff\xff", 6))
        r->bcast_copies++;
}

static void mark(dev *d)
{
    run *r = d->r;
    if (r->done[d->i])
        return;
    r->done[d->i] = true;
    r->last = sim_world_now(r->w);
    if (++r->configured == r->n)
        sim_world_stop(r->w);
}

static void on_dhcp(dhcp_app *a, void *ctx)
{
    dhcp_client_state st = dhcp_client_get_state(dhcp_app_client_core(a));
    if (st == DHCP_BOUND)
        mark(ctx);
}

static void on_ll(ipv4ll_app *a, void *ctx)
{
    ipv4ll_state st = ipv4ll_get_state(ipv4ll_app_core(a));
    if (st == IPV4LL_ANNOUNCING || st == IPV4LL_BOUND)
        mark(ctx);
}

static void bench(unsigned n, bool dhcp)
{
    GError *err = NULL;
    sim_world_opts o = { .seed = 1 };
    run r = { .n = n };
    r.w = sim_world_new(&o, &err);
    r.done = g_new0(bool, n);
    sim_link_props p;
    sim_link_props_default(&p);
    p.delay = 100 * SIM_US;
    p.bandwidth = 1000000000;
    sim_link *lan = sim_link_new(r.w, "lan", SIM_LINK_LAN, &p, &err);
    sim_link_set_tap(lan, tap, &r);
    if (dhcp) {
        sim_node *R = sim_node_new(r.w, "R", SIM_NODE_ROUTER, &err);
        sim_iface *ri = sim_node_attach(R, lan, NULL, &err);
        sim_ip rip = sim_ip4(0x0A000001); /* 10.0.0.1/16 */
        sim_iface_add_addr(ri, &rip, 16);
        dhcp_server_cfg cfg = { .n_pools = 1 };
        cfg.pools[0] = (dhcp_pool_cfg){ .start = 0x0A000100, .end = 0x0A000100 + n - 1,
                                        .mask = 0xFFFF0000, .router = 0x0A000001 };
        if (!dhcp_app_server(ri, &cfg, &err)) {
            fprintf(stderr, "server: %s\n", err->message);
            exit(1);
        }
    }
    dev *devs = g_new0(dev, n);
    for (unsigned i = 0; i < n; i++) {
        char name[32];
        g_snprintf(name, sizeof name, "d%u", i);
        sim_node *h = sim_node_new(r.w, name, SIM_NODE_HOST, &err);
        sim_iface *hi = sim_node_attach(h, lan, NULL, &err);
        if (!hi) {
            fprintf(stderr, "attach: %s\n", err->message);
            exit(1);
        }
        devs[i] = (dev){ .r = &r, .i = i };
        if (dhcp) {
            dhcp_client_cfg cc = { 0 };
            dhcp_app *a = dhcp_app_client(hi, &cc, 0, &err);
            dhcp_app_on_notify(a, on_dhcp, &devs[i]);
            devs[i].dhcp = a;
        } else {
            ipv4ll_app *a = ipv4ll_app_new(hi, 0);
            ipv4ll_app_on_notify(a, on_ll, &devs[i]);
            devs[i].ll = a;
            ipv4ll_app_start(a);
        }
    }
    gint64 t0 = g_get_monotonic_time();
    clock_t c0 = clock();
    uint64_t events = sim_world_run(r.w, 3600 * SIM_SEC);
    double wall = (double)(g_get_monotonic_time() - t0) / 1e6;
    double cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    uint64_t again = 0; /* DHCP retransmissions, or link-local conflicts */
    for (unsigned i = 0; i < n; i++)
        again += dhcp ? dhcp_client_get_stats(dhcp_app_client_core(devs[i].dhcp))->retransmits
                      : ipv4ll_get_stats(ipv4ll_app_core(devs[i].ll))->conflicts;
    printf("%-9s devices %u: configured %u, last at %.3f s simulated, wall %.2f s (CPU %.2f s), "
           "%llu events, %.2f broadcast frames per device",
           dhcp ? "dhcp" : "linklocal", n, r.configured, (double)r.last / SIM_SEC, wall, cpu,
           (unsigned long long)events, (double)r.bcast_copies / n / n);
    printf(", %llu %s, %llu frames dropped (queue full)\n", (unsigned long long)again,
           dhcp ? "retransmissions" : "conflicts",
           (unsigned long long)sim_link_stats_get(lan)->drops[SIM_DROP_QUEUE_FULL]);
    sim_world_free(r.w);
    g_free(devs);
    g_free(r.done);
}

int main(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 1000;
    const char *mode = argc > 2 ? argv[2] : "both";
    if (n < 1 || n > 60000) {
        fprintf(stderr, "usage: bench_boot [devices 1..60000] [dhcp|linklocal|both]\n");
        return 2;
    }
    if (strcmp(mode, "linklocal"))
        bench(n, true);
    if (strcmp(mode, "dhcp"))
        bench(n, false);
    return 0;
}
