/* bench_scale — memory at scale (a benchmark, not a test): 100,000 hosts behind 10,000 NATs
 * (10 per NAT), each sending one datagram out to a server. Prints bytes per host (whole world
 * resident size / hosts) and bytes per NAT mapping (growth while the mappings are made).
 * Topology: 100 districts, each a LAN of 100 NAT outsides + a district router; district
 * routers hang off a top router; the server hangs off the top router.
 * Usage: bench_scale [nats] [hosts-per-nat] */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "sim/link.h"
#include "sim/nat.h"
#include "sim/node.h"
#include "sim/socket.h"
#include "sim/world.h"
#include "bench_util.h"

static uint64_t received;

static void on_recv(sim_sock *s, const uint8_t *d, size_t n, const sim_ep *f, const sim_ep *t,
                    void *c)
{
    received++;
}

/* Sends host i's datagram, then schedules host i+1's 100 us later: all hosts sending at the same
 * instant would overflow every router's queue for its one unresolved upstream neighbour. */
typedef struct sender {
    sim_world *w;
    GPtrArray *socks;
    sim_ep dst;
} sender;

static void send_next(void *ctx, void *arg)
{
    sender *s = ctx;
    guint i = GPOINTER_TO_UINT(arg);
    static const char msg[] = "hello";
    sim_sock_sendto(g_ptr_array_index(s->socks, i), msg, sizeof msg, &s->dst);
    if (i + 1 < s->socks->len)
        sim_sched_at(sim_world_sched(s->w), sim_world_now(s->w) + 100 * SIM_US, send_next, s,
                     GUINT_TO_POINTER(i + 1));
}

static sim_node *node(sim_world *w, sim_node_kind k, const char *fmt, unsigned a, unsigned b)
{
    char name[48];
    g_snprintf(name, sizeof name, fmt, a, b);
    return bench_node(w, name, k);
}

static sim_link *link_new(sim_world *w, sim_link_kind k, const char *fmt, unsigned a, unsigned b)
{
    char name[48];
    g_snprintf(name, sizeof name, fmt, a, b);
    sim_link_props p;
    sim_link_props_default(&p);
    return bench_link(w, name, k, &p);
}

int main(int argc, char **argv)
{
    unsigned nats = argc > 1 ? (unsigned)atoi(argv[1]) : 10000;
    unsigned per = argc > 2 ? (unsigned)atoi(argv[2]) : 10;
    unsigned districts = (nats + 99) / 100;
    long rss0 = bench_rss_bytes();
    sim_world_opts o = { .seed = 1 };
    sim_world *w = sim_world_new(&o, NULL);
    sim_node *top = node(w, SIM_NODE_ROUTER, "T", 0, 0);
    sim_node *srv = node(w, SIM_NODE_HOST, "S", 0, 0);
    sim_link *ls = link_new(w, SIM_LINK_P2P, "T-S", 0, 0);
    bench_attach(top, ls, 0xCB007101, 30); /* 203.0.113.1 */
    bench_attach(srv, ls, 0xCB007102, 30);
    bench_route(srv, 0, 0, 0xCB007101);
    sim_sock *rx = sim_udp_open(srv, SIM_AF_INET);
    sim_ep any = { .port = 9000 };
    sim_sock_bind(rx, &any);
    sim_sock_on_recv(rx, on_recv, NULL);
    nat_config cfg;
    nat_config_default(&cfg);
    GPtrArray *socks = g_ptr_array_new();
    for (unsigned d = 0; d < districts; d++) {
        sim_node *c = node(w, SIM_NODE_ROUTER, "C%u", d, 0);
        sim_link *up = link_new(w, SIM_LINK_P2P, "T-C%u", d, 0);
        bench_attach(top, up, 0xAC100001 + (d << 8), 24); /* 172.16.d.1 */
        bench_attach(c, up, 0xAC100002 + (d << 8), 24);
        bench_route(c, 0, 0, 0xAC100001 + (d << 8));
        bench_route(top, 0x0A000000 + (d << 16), 16, 0xAC100002 + (d << 8));
        sim_link *dl = link_new(w, SIM_LINK_LAN, "D%u", d, 0);
        bench_attach(c, dl, 0x0A000001 + (d << 16), 16); /* 10.d.0.1 */
        for (unsigned j = 0; j < 100 && d * 100 + j < nats; j++) {
            sim_node *nat = node(w, SIM_NODE_NAT, "N%u", d * 100 + j, 0);
            sim_link *home = link_new(w, SIM_LINK_LAN, "H%u", d * 100 + j, 0);
            sim_iface *in = bench_attach(nat, home, 0xC0A80001, 24); /* 192.168.0.1 */
            sim_iface *out = bench_attach(nat, dl, 0x0A000002 + (d << 16) + j, 16);
            bench_route(nat, 0, 0, 0x0A000001 + (d << 16));
            if (nat_gw_install(nat, &cfg, NULL) < 0)
                g_error("nat install");
            nat_gw_set_side(nat->nat, in, SIM_NAT_INSIDE);
            nat_gw_set_side(nat->nat, out, SIM_NAT_OUTSIDE);
            for (unsigned k = 0; k < per; k++) {
                sim_node *h = node(w, SIM_NODE_HOST, "h%u.%u", d * 100 + j, k);
                bench_attach(h, home, 0xC0A80002 + k, 24);
                bench_route(h, 0, 0, 0xC0A80001);
                g_ptr_array_add(socks, sim_udp_open(h, SIM_AF_INET));
            }
        }
    }
    long rss1 = bench_rss_bytes();
    sender snd = { w, socks, { .ip = sim_ip4(0xCB007102), .port = 9000 } };
    sim_sched_at(sim_world_sched(w), 0, send_next, &snd, GUINT_TO_POINTER(0));
    sim_world_run(w, 20 * SIM_SEC); /* 100,000 sends 100 us apart take 10 s */
    long rss2 = bench_rss_bytes();
    unsigned hosts = socks->len;
    printf("natsim scale: %u hosts behind %u NATs: %llu datagrams reached the server, "
           "%llu events\n", hosts, nats, (unsigned long long)received,
           (unsigned long long)sim_sched_executed(sim_world_sched(w)));
    printf("  resident after topology: %.1f MiB = %.0f bytes per host (all nodes, links, "
           "sockets included)\n", (rss1 - rss0) / 1048576.0, (double)(rss1 - rss0) / hosts);
    size_t mappings = 0;
    uint64_t drops[SIM_DROP__COUNT] = { 0 };
    const GPtrArray *nodes = sim_world_nodes(w);
    for (guint k = 0; k < nodes->len; k++) {
        sim_node *n = g_ptr_array_index(nodes, k);
        if (n->nat && nat_gw_table(n->nat))
            mappings += nat_table_size(nat_gw_table(n->nat));
        for (int r = 0; r < SIM_DROP__COUNT; r++)
            drops[r] += n->drops[r];
    }
    for (int r = 0; r < SIM_DROP__COUNT; r++)
        if (drops[r])
            printf("  dropped: %s=%llu\n", sim_drop_name(r), (unsigned long long)drops[r]);
    printf("  growth while sending: %.1f MiB for %zu NAT mappings = %.0f bytes per mapping "
           "(mapping + the neighbour-cache entries and ephemeral-port state the sends create)\n",
           (rss2 - rss1) / 1048576.0, mappings, (double)(rss2 - rss1) / (mappings ? mappings : 1));
    g_ptr_array_unref(socks);
    sim_world_free(w);
    return 0;
}
