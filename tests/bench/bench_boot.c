/* bench_boot — a LAN of N devices booting at the same instant (a benchmark, not a test):
 *   dhcp:      a router serves a pool of N addresses; every device runs the DHCP client
 *              (DORA, then the 1 s ARP check, then the announcement);
 *   linklocal: no server; every device claims an IPv4 link-local address (RFC 3927: 3 probes,
 *              2 announcements, a new candidate after each conflict).
 * Prints the simulated time until the last device is configured, the wall time, and the
 * broadcast frames per device (every broadcast on a LAN of N+1 members is delivered N times:
 * copies / N frames). Pcap and log off. Wall time depends on the machine's load; CPU time is
 * the process's (clock()).
 * With "mdns", each device then starts its mDNS responder (RFC 6762) the moment it is
 * configured and claims host name "d<i>.local" (3 probes, 2 announcements, on 224.0.0.251 and
 * ff02::fb): the run ends when the last device has announced, and multicast frames are counted
 * as frames put on the wire (one per fan-out, not per copy).
 * Usage: bench_boot [devices] [dhcp|linklocal|both] [mdns] */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "protocols/dhcp/dhcp.h"
#include "protocols/mdns/mdns.h"
#include "protocols/zeroconf/ipv4ll.h"
#include "sim/link.h"
#include "sim/node.h"
#include "sim/socket.h"
#include "sim/timer.h"
#include "sim/world.h"

typedef struct run {
    sim_world *w;
    unsigned n, configured, announced;
    bool *done, mdns;
    sim_time_t last, last_announced;
    uint64_t bcast_copies, copies;
    uint64_t mcast4, mcast6;   /* mDNS frames put on the wire (224.0.0.251, ff02::fb) */
    sim_time_t prev_t;         /* the previous tap call, to count each fan-out once */
    unsigned prev_port;
    uint8_t prev_src[6];
} run;

typedef struct dev {
    run *r;
    unsigned i;
    dhcp_app *dhcp;
    ipv4ll_app *ll;
    sim_node *node;
    sim_timer *start;          /* starts mDNS just after the configuration callback */
    mdns_app *mdns;
    bool announced;
} dev;

static const uint8_t mdns_mac4[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
static const uint8_t mdns_mac6[6] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0xfb };

/* A LAN hands one frame to its takers in port order, in one go: a new fan-out starts when the
 * time, the sender or the order changes. */
static void count_mcast(run *r, const sim_iface *to, const sim_pkt *f, sim_time_t t)
{
    bool is4 = !memcmp(f->data, mdns_mac4, 6), is6 = !memcmp(f->data, mdns_mac6, 6);
    if (!is4 && !is6)
        return;
    bool fresh = t != r->prev_t || to->port <= r->prev_port || memcmp(f->data + 6, r->prev_src, 6);
    r->prev_t = t;
    r->prev_port = to->port;
    memcpy(r->prev_src, f->data + 6, 6);
    if (fresh)
        is4 ? r->mcast4++ : r->mcast6++;
}

static void tap(void *ctx, const sim_link *l, const sim_iface *to, const sim_pkt *f, sim_time_t t)
{
    (void)l;
    (void)to;
    (void)t;
    run *r = ctx;
    r->copies++;
    if (f->len >= 6 && !memcmp(f->data, "\xff\xff\xff\xff\xff\xff", 6))
        r->bcast_copies++;
    if (r->mdns && f->len >= 14)
        count_mcast(r, to, f, t);
}

static void on_mdns_event(void *ctx, const mdns_event *ev)
{
    dev *d = ctx;
    run *r = d->r;
    if (ev->kind != MDNS_EV_READY || d->announced)
        return;
    d->announced = true;
    r->last_announced = sim_world_now(r->w);
    if (++r->announced == r->n)
        sim_world_stop(r->w);
}

static void start_mdns(sim_timer *t, void *ctx)
{
    (void)t;
    dev *d = ctx;
    char host[32];
    g_snprintf(host, sizeof host, "d%u", d->i);
    GError *err = NULL;
    d->mdns = mdns_app_new(d->node, &err);
    if (!d->mdns || mdns_app_respond(d->mdns, host) != 0) {
        fprintf(stderr, "mdns on %s: %s\n", host, err ? err->message : "respond failed");
        exit(1);
    }
    mdns_responder_on_event(mdns_app_responder(d->mdns), on_mdns_event, d);
}

static void mark(dev *d)
{
    run *r = d->r;
    if (r->done[d->i])
        return;
    r->done[d->i] = true;
    r->last = sim_world_now(r->w);
    if (r->mdns)
        sim_timer_at(d->start, r->last);
    if (++r->configured == r->n && !r->mdns)
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

static void bench(unsigned n, bool dhcp, bool mdns)
{
    GError *err = NULL;
    sim_world_opts o = { .seed = 1 };
    run r = { .n = n, .mdns = mdns, .prev_t = SIM_TIME_NEVER };
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
        devs[i] = (dev){ .r = &r, .i = i, .node = h };
        if (mdns)
            devs[i].start = sim_timer_new(r.w, start_mdns, &devs[i]);
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
    if (mdns) {
        uint64_t probes = 0, ann = 0, conflicts = 0, bad = 0;
        for (unsigned i = 0; i < n; i++) {
            const mdns_responder_stats *s = mdns_responder_get_stats(
                mdns_app_responder(devs[i].mdns));
            probes += s->probes;
            ann += s->announcements;
            conflicts += s->conflicts;
            bad += s->bad;
        }
        printf("  +mdns   announced %u, last at %.3f s simulated (%.3f s after the last "
               "configured); multicast frames per device: %.2f IPv4 + %.2f IPv6 "
               "(%.2f probes + %.2f announcements each), %llu conflicts, %llu bad\n",
               r.announced, (double)r.last_announced / SIM_SEC,
               (double)(r.last_announced - r.last) / SIM_SEC, (double)r.mcast4 / n,
               (double)r.mcast6 / n, (double)probes / n, (double)ann / n,
               (unsigned long long)conflicts, (unsigned long long)bad);
    }
    sim_world_free(r.w);
    g_free(devs);
    g_free(r.done);
}

int main(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 1000;
    const char *mode = argc > 2 ? argv[2] : "both";
    bool mdns = argc > 3 && !strcmp(argv[3], "mdns");
    if (n < 1 || n > 60000 || (argc > 3 && !mdns)) {
        fprintf(stderr, "usage: bench_boot [devices 1..60000] [dhcp|linklocal|both] [mdns]\n");
        return 2;
    }
    if (strcmp(mode, "linklocal"))
        bench(n, true, mdns);
    if (strcmp(mode, "dhcp"))
        bench(n, false, mdns);
    return 0;
}
