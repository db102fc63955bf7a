/* bench_forward — forwarding throughput (a benchmark, not a test).
 * H hosts per side, each side a LAN behind a router (or, with --nat, the left side behind a
 * port-restricted-cone NAT), routers joined by a 1 Gbit/s 5 ms link; every left host sends a
 * 160-byte UDP datagram every 20 ms to its right peer for S simulated seconds. Prints datagrams
 * delivered per wall second and peak RSS.
 * Usage: bench_forward H S [--pcap DIR] [--nat] */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include "sim/link.h"
#include "sim/nat.h"
#include "sim/node.h"
#include "sim/socket.h"
#include "sim/timer.h"
#include "sim/world.h"
#include "bench_util.h"

typedef struct sender {
    sim_sock *sock;
    sim_timer *timer;
    sim_ep peer;
    sim_time_t stop;
} sender;

static uint64_t delivered;
static uint8_t payload[160];

static void on_recv(sim_sock *s, const uint8_t *d, size_t n, const sim_ep *from, const sim_ep *to,
                    void *ctx)
{
    delivered++;
}

static void on_tick(sim_timer *t, void *ctx)
{
    sender *s = ctx;
    sim_sock_sendto(s->sock, payload, sizeof payload, &s->peer);
    if (sim_world_now(sim_sock_node(s->sock)->world) + 20 * SIM_MS < s->stop)
        sim_timer_in(t, 20 * SIM_MS);
}

static long peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_forward H SECONDS [--pcap DIR] [--nat]\n");
        return 2;
    }
    unsigned h = (unsigned)atoi(argv[1]);
    double secs = atof(argv[2]);
    const char *pcap = NULL;
    bool nat = false;
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--pcap") && i + 1 < argc)
            pcap = argv[++i];
        else if (!strcmp(argv[i], "--nat"))
            nat = true;
    }
    sim_world_opts o = { .seed = 1, .pcap_dir = pcap, .pcap_prefix = "bench" };
    GError *err = NULL;
    sim_world *w = sim_world_new(&o, &err);
    if (!w)
        g_error("%s", err->message);
    sim_link_props lan, core;
    sim_link_props_default(&lan);
    lan.delay = 100 * SIM_US;
    lan.bandwidth = 1000000000ULL;
    lan.queue_bytes = 1 << 20;
    sim_link_props_default(&core);
    core.delay = 5 * SIM_MS;
    core.bandwidth = 1000000000ULL;
    core.queue_bytes = 1 << 22;
    sim_link *left = bench_link(w, "left", SIM_LINK_LAN, &lan);
    sim_link *right = bench_link(w, "right", SIM_LINK_LAN, &lan);
    sim_link *mid = bench_link(w, "core", SIM_LINK_P2P, &core);
    sim_node *rl = bench_node(w, "RL", nat ? SIM_NODE_NAT : SIM_NODE_ROUTER);
    sim_node *rr = bench_node(w, "RR", SIM_NODE_ROUTER);
    sim_iface *rl_in = bench_attach(rl, left, 0x0A010001, 16);  /* 10.1.0.1 */
    sim_iface *rl_out = bench_attach(rl, mid, 0xC6336401, 30);  /* 198.51.100.1 */
    bench_attach(rr, mid, 0xC6336402, 30);
    bench_attach(rr, right, 0x0A020001, 16);
    bench_route(rr, 0x0A010000, 16, 0xC6336401);
    bench_route(rl, 0x0A020000, 16, 0xC6336402);
    if (nat) {
        nat_config c;
        nat_config_default(&c);
        if (nat_gw_install(rl, &c, &err) < 0)
            g_error("%s", err->message);
        nat_gw_set_side(rl->nat, rl_in, SIM_NAT_INSIDE);
        nat_gw_set_side(rl->nat, rl_out, SIM_NAT_OUTSIDE);
    }
    sender *senders = g_new0(sender, h);
    sim_time_t stop = sim_time_from_sec(secs);
    for (unsigned i = 0; i < h; i++) {
        char name[32];
        g_snprintf(name, sizeof name, "L%u", i);
        sim_node *a = bench_node(w, name, SIM_NODE_HOST);
        g_snprintf(name, sizeof name, "R%u", i);
        sim_node *b = bench_node(w, name, SIM_NODE_HOST);
        uint32_t host = 0x100 + i; /* 10.x.1.0 + i */
        bench_attach(a, left, 0x0A010000 + host, 16);
        bench_attach(b, right, 0x0A020000 + host, 16);
        bench_route(a, 0, 0, 0x0A010001);
        bench_route(b, 0, 0, 0x0A020001);
        sim_sock *rx = sim_udp_open(b, SIM_AF_INET);
        sim_ep any = { .ip = { 0 }, .port = 9000 };
        sim_sock_bind(rx, &any);
        sim_sock_on_recv(rx, on_recv, NULL);
        sender *s = &senders[i];
        s->sock = sim_udp_open(a, SIM_AF_INET);
        s->peer = (sim_ep){ .ip = sim_ip4(0x0A020000 + host), .port = 9000 };
        s->stop = stop;
        s->timer = sim_timer_new(w, on_tick, s);
        sim_timer_at(s->timer, (sim_time_t)i * 20 * SIM_MS / (h ? h : 1)); /* spread the starts */
    }
    gint64 t0 = g_get_monotonic_time();
    sim_world_run(w, stop + SIM_SEC);
    double wall = (g_get_monotonic_time() - t0) / 1e6;
    uint64_t sent = (uint64_t)h * (uint64_t)(secs / 0.020);
    printf("natsim forward: H=%u S=%.0f %s pcap=%s: %llu/%llu datagrams delivered in %.3f s wall "
           "= %.0f datagrams/s, %llu events, peak RSS %ld KiB\n",
           h, secs, nat ? "nat" : "routed", pcap ? "on" : "off", (unsigned long long)delivered,
           (unsigned long long)sent, wall, delivered / wall,
           (unsigned long long)sim_sched_executed(sim_world_sched(w)), peak_rss_kib());
    uint64_t drops[SIM_DROP__COUNT] = { 0 };
    const GPtrArray *nodes = sim_world_nodes(w);
    for (guint k = 0; k < nodes->len; k++)
        for (int r = 0; r < SIM_DROP__COUNT; r++)
            drops[r] += ((sim_node *)g_ptr_array_index(nodes, k))->drops[r];
    for (int r = 0; r < SIM_DROP__COUNT; r++)
        if (drops[r])
            printf("  dropped: %s=%llu\n", sim_drop_name(r), (unsigned long long)drops[r]);
    for (unsigned i = 0; i < h; i++)
        sim_timer_free(senders[i].timer);
    g_free(senders);
    sim_world_free(w);
    return 0;
}
