/* bench_ice_sim — ICE in the simulator (a benchmark, not a test): `pairs` agent pairs behind
 * real NAT nodes (each agent behind its own port-restricted cone) connecting concurrently with
 * srflx candidates from one STUN server. The ice_app driver on every host, real frames through
 * the stack, NATs and routers. One pair starts (credentials exchanged, gathering) every 100 us,
 * districts taking turns, so that 20,000 first packets do not all queue at t = 0 behind
 * unresolved neighbours; the pairs are still in flight together (10,000 pairs start within 1 s,
 * each takes ~0.6 s to connect and then keeps consent checks going). Prints wall time, pairs selected and the connect-time spread.
 * Topology as bench_scale: districts of 100 NAT outsides on a LAN under a district router,
 * district routers under a top router, the STUN server on the top router.
 * Usage: bench_ice_sim [pairs] */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "protocols/ice/ice.h"
#include "protocols/stun/stun.h"
#include "sim/link.h"
#include "sim/nat.h"
#include "sim/node.h"
#include "sim/socket.h"
#include "sim/world.h"
#include "bench_util.h"

typedef struct side {
    ice_app *app;
    struct side *peer;
    bool selected;
    sim_time_t elapsed;
    ice_cand_type lt, rt;
} side;

static unsigned n_selected;

static void on_cand(ice_app *a, const ice_cand *c, void *ctx)
{
    (void)a;
    side *s = ctx;
    ice_agent *peer = ice_app_agent(s->peer->app);
    if (c) {
        ice_cand r = *c; /* what SDP carries: no socket, no server */
        r.sock = 0;
        r.server = (sim_ep){ 0 };
        ice_agent_add_remote(peer, 0, &r);
    } else {
        ice_agent_remote_done(peer, 0);
    }
    ice_app_kick(s->peer->app);
}

static void on_event(ice_app *a, const ice_event *ev, void *ctx)
{
    (void)a;
    side *s = ctx;
    if (ev->kind == ICE_EV_SELECTED && !s->selected) {
        s->selected = true;
        s->elapsed = ev->elapsed;
        s->lt = ev->local_type;
        s->rt = ev->remote_type;
        n_selected++;
    }
}

static void stun_recv(sim_sock *sk, const uint8_t *d, size_t len, const sim_ep *from,
                      const sim_ep *to, void *ctx)
{
    (void)to;
    stun_server *srv = ctx;
    stun_server_input(srv, 0, 0, from, d, len);
    stun_out o;
    while (stun_server_pop(srv, &o))
        sim_sock_sendto(sk, o.data, o.len, &o.to);
}

/* Pair i's start: exchange credentials, gather on both sides. */
typedef struct bench {
    sim_world *w;
    side *s;
    unsigned pairs;
} bench;

static void start_pair(void *ctx, void *arg)
{
    bench *b = ctx;
    side *s = &b->s[2 * GPOINTER_TO_UINT(arg)];
    for (int k = 0; k < 2; k++) {
        ice_agent *me = ice_app_agent(s[k].app), *peer = ice_app_agent(s[1 - k].app);
        ice_agent_set_remote(peer, sim_world_now(b->w), ice_agent_ufrag(me), ice_agent_pwd(me));
    }
    for (int k = 0; k < 2; k++)
        ice_app_gather(s[k].app);
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Warm-up datagram from the server's socket to district router d's uplink address. */
static void warm_up(void *ctx, void *arg)
{
    static const char hi[] = "warm-up";
    sim_ep to = { .ip = sim_ip4(0xAC100002 + (GPOINTER_TO_UINT(arg) << 8)), .port = 9 };
    sim_sock_sendto(ctx, hi, sizeof hi, &to);
}

static long rss_bytes(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * sysconf(_SC_PAGESIZE);
}

static sim_node *node(sim_world *w, sim_node_kind k, const char *fmt, unsigned a)
{
    char name[48];
    g_snprintf(name, sizeof name, fmt, a);
    return bench_node(w, name, k);
}

static sim_link *link_new(sim_world *w, sim_link_kind k, const char *fmt, unsigned a)
{
    char name[48];
    g_snprintf(name, sizeof name, fmt, a);
    sim_link_props p;
    sim_link_props_default(&p);
    p.delay = 2 * SIM_MS;
    return bench_link(w, name, k, &p);
}

/* NAT n (port-restricted cone) on district LAN dl with host n behind it; returns the host. */
static sim_node *site(sim_world *w, sim_link *dl, unsigned d, unsigned n, const nat_config *cfg)
{
    unsigned j = n % 100;
    sim_node *nat = node(w, SIM_NODE_NAT, "N%u", n);
    sim_link *home = link_new(w, SIM_LINK_LAN, "H%u", n);
    uint32_t lan = 0xC0A80000 + ((n % 2) << 8); /* 192.168.0.0/24 or 192.168.1.0/24 */
    sim_iface *in = bench_attach(nat, home, lan + 1, 24);
    sim_iface *out = bench_attach(nat, dl, 0x0A000002 + (d << 16) + j, 16);
    bench_route(nat, 0, 0, 0x0A000001 + (d << 16));
    if (nat_gw_install(nat, cfg, NULL) < 0)
        g_error("nat install");
    nat_gw_set_side(nat->nat, in, SIM_NAT_INSIDE);
    nat_gw_set_side(nat->nat, out, SIM_NAT_OUTSIDE);
    sim_node *h = node(w, SIM_NODE_HOST, "h%u", n);
    bench_attach(h, home, lan + 2, 24);
    bench_route(h, 0, 0, lan + 1);
    return h;
}

int main(int argc, char **argv)
{
    unsigned pairs = argc > 1 ? (unsigned)atoi(argv[1]) : 10000;
    unsigned nats = 2 * pairs, districts = (nats + 99) / 100;
    long rss0 = rss_bytes();
    sim_world *w = sim_world_new(&(sim_world_opts){ .seed = 1 }, NULL);
    sim_node *top = node(w, SIM_NODE_ROUTER, "T", 0), *srv = node(w, SIM_NODE_HOST, "S", 0);
    sim_link *ls = link_new(w, SIM_LINK_P2P, "T-S", 0);
    bench_attach(top, ls, 0xCB007101, 30); /* 203.0.113.1 */
    bench_attach(srv, ls, 0xCB007102, 30);
    bench_route(srv, 0, 0, 0xCB007101);
    stun_server_cfg sc = { .fingerprint = true, .primary = { .ip = sim_ip4(0xCB007102),
                                                             .port = 3478 } };
    stun_server *ss = stun_server_new(&sc);
    sim_sock *sk = sim_udp_open(srv, SIM_AF_INET);
    sim_sock_bind(sk, &sc.primary);
    sim_sock_on_recv(sk, stun_recv, ss);
    nat_config cfg;
    nat_config_default(&cfg);
    nat_config_preset(&cfg, "port-restricted-cone");
    ice_app_cfg acfg = { .stun = sc.primary };
    bench b = { w, g_new0(side, nats), pairs };
    for (unsigned d = 0; d < districts; d++) {
        sim_node *c = node(w, SIM_NODE_ROUTER, "C%u", d);
        sim_link *up = link_new(w, SIM_LINK_P2P, "T-C%u", d);
        bench_attach(top, up, 0xAC100001 + (d << 8), 24);
        bench_attach(c, up, 0xAC100002 + (d << 8), 24);
        bench_route(c, 0, 0, 0xAC100001 + (d << 8));
        bench_route(top, 0x0A000000 + (d << 16), 16, 0xAC100002 + (d << 8));
        sim_link *dl = link_new(w, SIM_LINK_LAN, "D%u", d);
        bench_attach(c, dl, 0x0A000001 + (d << 16), 16);
        for (unsigned n = d * 100; n < nats && n < d * 100 + 100; n++) {
            acfg.agent.controlling = n % 2 == 0;
            side *s = &b.s[n];
            s->app = ice_app_new(site(w, dl, d, n, &cfg), &acfg, NULL);
            if (!s->app)
                g_error("ice_app_new");
            s->peer = &b.s[n ^ 1];
            ice_app_on_cand(s->app, on_cand, s);
            ice_app_on_event(s->app, on_event, s);
        }
    }
    /* Warm-up: S sends one datagram to every district router (ARP between S, the top router
     * and the district routers resolved), one every 100 us; then pairs start at 50 ms. Districts take turns (pair m of every district, then m + 1), so that a district router
     * has resolved its upstream neighbour before its next pairs start. */
    for (unsigned d = 0; d < districts; d++)
        sim_sched_at(sim_world_sched(w), d * 100 * SIM_US, warm_up, sk, GUINT_TO_POINTER(d));
    unsigned k = 0;
    for (unsigned m = 0; m < 50; m++)
        for (unsigned d = 0; d < districts; d++)
            if (d * 50 + m < pairs)
                sim_sched_at(sim_world_sched(w), 50 * SIM_MS + k++ * 100 * SIM_US, start_pair, &b,
                             GUINT_TO_POINTER(d * 50 + m));
    long rss1 = rss_bytes();
    gint64 t0 = g_get_monotonic_time();
    clock_t c0 = clock();
    sim_world_run(w, (sim_time_t)pairs * 100 * SIM_US + 5050 * SIM_MS);
    double wall = (g_get_monotonic_time() - t0) / 1e6;
    GArray *ms = g_array_new(FALSE, FALSE, sizeof(double));
    unsigned srflx = 0, slow = 0;
    for (unsigned n = 0; n < nats; n++)
        if (b.s[n].selected) {
            double v = b.s[n].elapsed / 1e6;
            g_array_append_val(ms, v);
            slow += v > 1000;
            srflx += b.s[n].lt == ICE_CAND_SRFLX && b.s[n].rt == ICE_CAND_SRFLX;
        }
    g_array_sort(ms, cmp_double);
    printf("natsim ICE: %u agent pairs behind %u port-restricted NATs, STUN only\n", pairs, nats);
    printf("  wall %.2f s (CPU %.2f s) for %.1f s simulated, %llu events; %u of %u agents "
           "selected (%u srflx-srflx)\n", wall, (double)(clock() - c0) / CLOCKS_PER_SEC,
           sim_world_now(w) / 1e9, (unsigned long long)sim_sched_executed(sim_world_sched(w)),
           n_selected, nats, srflx);
    if (ms->len)
        printf("  connect time (virtual, per agent): min %.0f ms, median %.0f ms, 99th %.0f ms, "
               "max %.0f ms\n", g_array_index(ms, double, 0),
               g_array_index(ms, double, ms->len / 2),
               g_array_index(ms, double, ms->len * 99 / 100), g_array_index(ms, double, ms->len - 1));
    printf("  agents over 1 s: %u\n", slow);
    uint64_t drops[SIM_DROP__COUNT] = { 0 };
    const GPtrArray *nodes = sim_world_nodes(w);
    for (guint k = 0; k < nodes->len; k++)
        for (int r = 0; r < SIM_DROP__COUNT; r++)
            drops[r] += ((sim_node *)g_ptr_array_index(nodes, k))->drops[r];
    for (int r = 0; r < SIM_DROP__COUNT; r++)
        if (drops[r])
            printf("  dropped: %s=%llu\n", sim_drop_name(r), (unsigned long long)drops[r]);
    printf("  resident: %.1f MiB for the topology and agents (%.0f bytes per pair), %.1f MiB "
           "after the run\n", (rss1 - rss0) / 1048576.0, (double)(rss1 - rss0) / pairs,
           (rss_bytes() - rss0) / 1048576.0);
    g_array_free(ms, TRUE);
    sim_world_free(w);
    stun_server_free(ss);
    g_free(b.s);
    return n_selected == nats ? 0 : 1;
}
