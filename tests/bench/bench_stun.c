/* bench_stun — STUN Binding transactions per wall second through a NAT (a benchmark, not a
 * test). C client hosts on one LAN (1 Gbit/s, 100 us) behind a port-restricted-cone NAT, whose
 * outside link (1 Gbit/s, 5 ms) leads to an RFC 5780 STUN server (four sockets). Every client
 * runs the real client core through the real driver: when a transaction finishes it starts
 * the next one at once, for S simulated seconds. Prints completed transactions per wall second
 * (and per simulated second), timeouts, and peak RSS. With `tcp` each client runs its
 * transactions one after another on one TCP connection (RFC 8489 §6.2.2) to the server's TCP
 * listener instead: the stream framing, the reliable core and the TCP stack are measured.
 * Usage: bench_stun C S [tcp] */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include "protocols/stun/stun.h"
#include "sim/link.h"
#include "sim/nat.h"
#include "bench_util.h"

typedef struct bench {
    sim_ep server;
    sim_time_t stop;
    uint64_t ok, failed;
} bench;

static void on_done(stun_app *a, const stun_tx *t, void *ctx)
{
    bench *b = ctx;
    if (t->state == STUN_TX_SUCCESS)
        b->ok++;
    else
        b->failed++;
    stun_client_forget(stun_app_client_core(a), t->id);
    if (sim_world_now(stun_app_node(a)->world) < b->stop)
        stun_app_binding(a, &b->server, 0, NULL);
}

int main(int argc, char **argv)
{
    bool tcp = argc == 4 && g_strcmp0(argv[3], "tcp") == 0;
    if ((argc != 3 && !tcp) || atoi(argv[1]) <= 0 || atof(argv[2]) <= 0) {
        fprintf(stderr, "usage: bench_stun CLIENTS SECONDS [tcp]\n");
        return 2;
    }
    unsigned nc = (unsigned)atoi(argv[1]);
    double secs = atof(argv[2]);
    GError *err = NULL;
    sim_world_opts o = { .seed = 1 };
    sim_world *w = sim_world_new(&o, &err);
    sim_link_props lp, wp;
    sim_link_props_default(&lp);
    lp.delay = 100 * SIM_US;
    lp.bandwidth = 1000000000ULL;
    sim_link_props_default(&wp);
    wp.delay = 5 * SIM_MS;
    wp.bandwidth = 1000000000ULL;
    sim_link *lan = bench_link(w, "lan", SIM_LINK_LAN, &lp);
    sim_link *wan = bench_link(w, "wan", SIM_LINK_LAN, &wp);

    sim_node *s = bench_node(w, "S", SIM_NODE_HOST);
    sim_iface *si = bench_attach(s, wan, 0xCB00710A, 24); /* 203.0.113.10 */
    sim_ip a2 = sim_ip4(0xCB00710B);                    /* 203.0.113.11 */
    sim_iface_add_addr(si, &a2, 24);
    stun_server_cfg sc = { .primary = { .ip = sim_ip4(0xCB00710A), .port = 3478 },
                           .alt_ip = a2, .alt_port = 3479, .fingerprint = true };
    stun_app *srv = stun_app_server(s, &sc, &err);
    if (!srv || (tcp && stun_app_server_listen_tcp(srv, &err) != 0))
        g_error("%s", err->message);

    nat_config nc_cfg;
    nat_config_default(&nc_cfg);
    sim_node *n = bench_node(w, "N", SIM_NODE_NAT);
    sim_iface *in = bench_attach(n, lan, 0x0A000001, 16);  /* 10.0.0.1/16 */
    sim_iface *out = bench_attach(n, wan, 0xCB007101, 24); /* 203.0.113.1 */
    if (nat_gw_install(n, &nc_cfg, &err) != 0)
        g_error("%s", err->message);
    nat_gw_set_side(n->nat, in, SIM_NAT_INSIDE);
    nat_gw_set_side(n->nat, out, SIM_NAT_OUTSIDE);

    bench b = { .server = sc.primary, .stop = sim_time_from_sec(secs) };
    sim_ip any = sim_ip4(0), gw = sim_ip4(0x0A000001);
    stun_client_cfg cc = { .fingerprint = true };
    for (unsigned i = 0; i < nc; i++) {
        char name[32];
        g_snprintf(name, sizeof name, "C%u", i);
        sim_node *c = bench_node(w, name, SIM_NODE_HOST);
        bench_attach(c, lan, 0x0A000100 + i, 16); /* 10.0.1.0 + i */
        sim_node_add_route(c, &any, 0, &gw, NULL);
        stun_app *a = tcp ? stun_app_client_tcp(c, 4000, &sc.primary, &cc, &err)
                          : stun_app_client(c, SIM_AF_INET, 4000, &cc, &err);
        if (!a)
            g_error("%s", err->message);
        stun_app_on_done(a, on_done, &b);
        /* spread the starts over the first 20 ms so the LAN does not see one burst */
        sim_world_run(w, (sim_time_t)i * 20 * SIM_MS / nc);
        stun_app_binding(a, &b.server, 0, NULL);
    }

    gint64 t0 = g_get_monotonic_time();
    uint64_t events = sim_world_run(w, b.stop + 60 * SIM_SEC);
    double wall = (g_get_monotonic_time() - t0) / 1e6;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("natsim stun%s: C=%u S=%.0f: %llu transactions (%llu failed) in %.3f s wall = %.0f "
           "transactions/s (%.0f per simulated second), %llu events, %zu NAT mappings, "
           "peak RSS %ld MiB\n",
           tcp ? " over tcp" : "", nc, secs, (unsigned long long)b.ok, (unsigned long long)b.failed, wall,
           b.ok / wall, b.ok / secs, (unsigned long long)events,
           nat_table_size(nat_gw_table(n->nat)), ru.ru_maxrss / 1024);
    sim_world_free(w);
    return b.failed ? 1 : 0;
}
