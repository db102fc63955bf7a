/* tests/unit/test_iface_config.c — run-time interface configuration (sim/iface_config.c,
 * sim/stack/arp_watch.c): a socket tied to an interface broadcasting from 0.0.0.0 and
 * receiving before the interface has an address, an explicit 0.0.0.0 source, address
 * removal with its routes, ARP probe and announcement bytes (RFC 5227 2.1.1, 2.3) checked
 * independently of the stack, the ARP watch, and static neighbour entries. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "sim/link.h"
#include "sim/node.h"
#include "sim/socket.h"
#include "sim/world.h"

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* The last frames seen on the LAN (by the tap, once per frame: copies to other ports skipped). */
typedef struct seen {
    unsigned arp, udp;
    uint8_t last_arp[64], last_udp[400];
    size_t last_udp_len;
    const sim_iface *first_to;
} seen;

typedef struct fx {
    sim_world *w;
    sim_link *lan;
    sim_node *a, *b;
    sim_iface *ai, *bi;
    seen s;
    unsigned got;
    sim_ep from, to;
    uint8_t data[64];
} fx;

static void tap(void *ctx, const sim_link *l, const sim_iface *to, const sim_pkt *f, sim_time_t t)
{
    (void)l;
    (void)t;
    fx *x = ctx;
    /* A LAN delivers one copy per receiver: count each frame once, on its first receiver. */
    if (x->s.first_to && to != x->s.first_to)
        return;
    x->s.first_to = to;
    uint16_t type = rd16(f->data + 12);
    if (type == 0x0806) {
        x->s.arp++;
        memcpy(x->s.last_arp, f->data, MIN(f->len, sizeof x->s.last_arp));
    } else if (type == 0x0800 && f->data[14 + 9] == 17) {
        x->s.udp++;
        x->s.last_udp_len = MIN(f->len, sizeof x->s.last_udp);
        memcpy(x->s.last_udp, f->data, x->s.last_udp_len);
    }
}

static sim_ip ip(const char *s)
{
    sim_ip r;
    g_assert_cmpint(sim_ip_parse(s, &r), ==, 0);
    return r;
}

/* A LAN with host A (no address) and router B (10.0.0.1/24); the tap counts on B's side. */
static void fx_init(fx *x)
{
    GError *err = NULL;
    memset(x, 0, sizeof *x);
    sim_world_opts o = { .seed = 3 };
    x->w = sim_world_new(&o, &err);
    sim_link_props p;
    sim_link_props_default(&p);
    x->lan = sim_link_new(x->w, "lan", SIM_LINK_LAN, &p, &err);
    x->a = sim_node_new(x->w, "A", SIM_NODE_HOST, &err);
    x->b = sim_node_new(x->w, "B", SIM_NODE_ROUTER, &err);
    g_assert_no_error(err);
    x->ai = sim_node_attach(x->a, x->lan, NULL, &err);
    x->bi = sim_node_attach(x->b, x->lan, NULL, &err);
    g_assert_no_error(err);
    sim_ip b = ip("10.0.0.1");
    g_assert_cmpint(sim_iface_add_addr(x->bi, &b, 24), ==, 0);
    sim_link_set_tap(x->lan, tap, x);
}

static void fx_clear(fx *x)
{
    sim_world_run(x->w, SIM_TIME_NEVER);
    g_assert_cmpuint(sim_pkt_pool_outstanding(sim_world_pool(x->w)), ==, 0);
    sim_world_free(x->w);
}

static void on_recv(sim_sock *s, const uint8_t *data, size_t len, const sim_ep *from,
                    const sim_ep *to, void *ctx)
{
    (void)s;
    fx *x = ctx;
    x->got++;
    x->from = *from;
    x->to = *to;
    memcpy(x->data, data, MIN(len, sizeof x->data));
}

static sim_sock *udp_on(fx *x, sim_node *n, uint16_t port, sim_iface *dev)
{
    sim_sock *s = sim_udp_open(n, SIM_AF_INET);
    sim_ep any = { .ip.family = SIM_AF_INET, .port = port };
    g_assert_cmpint(sim_sock_set_reuseaddr(s, true), ==, 0);
    g_assert_cmpint(sim_sock_bind(s, &any), ==, 0);
    if (dev)
        g_assert_cmpint(sim_sock_bind_iface(s, dev), ==, 0);
    sim_sock_on_recv(s, on_recv, x);
    return s;
}

/* RFC 768 checksum over the pseudo-header, computed here from the captured frame. */
static uint16_t udp_sum(const uint8_t *ipv4)
{
    const uint8_t *u = ipv4 + 20;
    uint16_t ulen = rd16(u + 4);
    uint32_t s = 17 + ulen;
    for (int k = 12; k < 20; k += 2)
        s += rd16(ipv4 + k);
    for (size_t k = 0; k + 1 < ulen; k += 2)
        s += rd16(u + k);
    if (ulen & 1)
        s += (uint32_t)u[ulen - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

static void test_bcast_from_zero(void)
{
    fx x;
    fx_init(&x);
    sim_sock *srv = udp_on(&x, x.b, 67, x.bi);
    sim_sock *cli = udp_on(&x, x.a, 68, NULL);
    sim_ep bc = { ip("255.255.255.255"), 67 };
    /* Not tied to an interface, no address: there is no route and no source. */
    g_assert_cmpint(sim_sock_sendto(cli, "hello", 5, &bc), ==, -ENETUNREACH);
    g_assert_cmpint(sim_sock_bind_iface(cli, x.ai), ==, 0);
    g_assert_cmpint(sim_sock_sendto(cli, "hello", 5, &bc), ==, 0);
    sim_world_run(x.w, SIM_TIME_NEVER);
    g_assert_cmpuint(x.got, ==, 1);
    g_assert_true(sim_ip_is_any(&x.from.ip) && x.from.ip.family == SIM_AF_INET);
    g_assert_cmpuint(x.from.port, ==, 68);
    g_assert_cmpmem(x.data, 5, "hello", 5);
    const uint8_t *f = x.s.last_udp;
    static const uint8_t bmac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    g_assert_cmpmem(f, 6, bmac, 6);                       /* link-layer broadcast */
    g_assert_cmpmem(f + 6, 6, x.ai->mac, 6);
    g_assert_cmpmem(f + 14 + 12, 4, "\0\0\0\0", 4);        /* source 0.0.0.0 */
    g_assert_cmpmem(f + 14 + 16, 4, "\xff\xff\xff\xff", 4);
    g_assert_cmpuint(udp_sum(f + 14), ==, 0xffff);
    /* Tied to B's interface, a socket on A cannot be. */
    g_assert_cmpint(sim_sock_bind_iface(cli, x.bi), ==, -EINVAL);
    sim_sock_close(srv);
    sim_sock_close(cli);
    fx_clear(&x);
}

static void test_recv_before_address(void)
{
    fx x;
    fx_init(&x);
    /* A second LAN on A: a socket tied to it must not see what arrives on the first. */
    GError *err = NULL;
    sim_link_props p;
    sim_link_props_default(&p);
    sim_link *lan2 = sim_link_new(x.w, "lan2", SIM_LINK_LAN, &p, &err);
    sim_iface *a2 = sim_node_attach(x.a, lan2, NULL, &err);
    g_assert_no_error(err);
    sim_sock *on_other = udp_on(&x, x.a, 68, a2);
    sim_sock *srv = udp_on(&x, x.b, 67, x.bi);
    sim_ep bc = { ip("255.255.255.255"), 68 };
    g_assert_cmpint(sim_sock_sendto(srv, "offer", 5, &bc), ==, 0);
    sim_world_run(x.w, SIM_TIME_NEVER);
    g_assert_cmpuint(x.got, ==, 0); /* arrived on eth0, the socket is tied to eth1 */
    sim_sock *cli = udp_on(&x, x.a, 68, x.ai);
    g_assert_cmpint(sim_sock_sendto(srv, "offer", 5, &bc), ==, 0);
    sim_world_run(x.w, SIM_TIME_NEVER);
    g_assert_cmpuint(x.got, ==, 1);
    g_assert_true(sim_ip_eq(&x.from.ip, &(sim_ip){ 0 }) == false);
    sim_ip b = ip("10.0.0.1");
    g_assert_true(sim_ip_eq(&x.from.ip, &b)); /* B's broadcast leaves from its address */
    sim_sock_close(on_other);
    sim_sock_close(cli);
    sim_sock_close(srv);
    fx_clear(&x);
}

static void test_sendto_src(void)
{
    fx x;
    fx_init(&x);
    sim_ip ll = ip("169.254.3.4"), zero = { .family = SIM_AF_INET }, other = ip("10.9.9.9");
    g_assert_cmpint(sim_iface_add_addr(x.ai, &ll, 16), ==, 0);
    sim_sock *srv = udp_on(&x, x.b, 67, x.bi);
    sim_sock *cli = udp_on(&x, x.a, 68, x.ai);
    sim_ep bc = { ip("255.255.255.255"), 67 };
    g_assert_cmpint(sim_sock_sendto(cli, "x", 1, &bc), ==, 0);
    sim_world_run(x.w, SIM_TIME_NEVER);
    g_assert_true(sim_ip_eq(&x.from.ip, &ll)); /* by default: the interface's address */
    g_assert_cmpint(sim_sock_sendto_src(cli, "x", 1, &bc, &zero), ==, 0);
    sim_world_run(x.w, SIM_TIME_NEVER);
    g_assert_cmpuint(x.got, ==, 2);
    g_assert_true(sim_ip_is_any(&x.from.ip));
    g_assert_cmpmem(x.s.last_udp + 14 + 12, 4, "\0\0\0\0", 4);
    g_assert_cmpuint(udp_sum(x.s.last_udp + 14), ==, 0xffff);
    g_assert_cmpint(sim_sock_sendto_src(cli, "x", 1, &bc, &other), ==, -EADDRNOTAVAIL);
    g_assert_cmpint(sim_sock_sendto_src(cli, "x", 1, &bc, NULL), ==, -EINVAL);
    sim_sock_close(srv);
    sim_sock_close(cli);
    fx_clear(&x);
}

static void ping_done(void *ctx, int err, sim_time_t rtt, unsigned ttl)
{
    (void)rtt;
    (void)ttl;
    *(int *)ctx = err ? err : 1;
}

static void on_arp(sim_iface *i, const sim_arp_seen *a, void *ctx);

typedef struct watched {
    unsigned n;
    sim_arp_seen last;
    sim_arp_watch *self;
    bool del_self;
} watched;

/* B probes for ip; A (or anyone) must not reply. */
static void watched_probe_unanswered(fx *x, const sim_ip *ip)
{
    watched w = { 0 };
    sim_arp_watch *wb = sim_arp_watch_add(x->bi, on_arp, &w);
    g_assert_cmpint(sim_arp_probe(x->bi, ip), ==, 0);
    sim_world_run(x->w, SIM_TIME_NEVER);
    g_assert_cmpuint(w.n, ==, 0);
    sim_arp_watch_del(wb);
}

static void test_del_addr(void)
{
    fx x;
    fx_init(&x);
    sim_ip a = ip("10.0.0.5"), gw = ip("10.0.0.1"), any = { .family = SIM_AF_INET };
    sim_ip far = ip("192.0.2.1"), a6 = ip("2001:db8::5");
    g_assert_cmpint(sim_iface_add_addr(x.ai, &a, 24), ==, 0);
    g_assert_cmpint(sim_node_add_route(x.a, &any, 0, &gw, x.ai), ==, 0);
    g_assert_nonnull(sim_node_route(x.a, &far));
    sim_sock *s = sim_udp_open(x.a, SIM_AF_INET);
    g_assert_cmpint(sim_sock_bind(s, &(sim_ep){ a, 5000 }), ==, 0);
    int pinged = 0;
    g_assert_cmpint(sim_ping(x.b, &a, 8, SIM_SEC, ping_done, &pinged), ==, 0);
    sim_world_run(x.w, SIM_TIME_NEVER);
    g_assert_cmpint(pinged, ==, 1);

    g_assert_cmpint(sim_iface_del_addr(x.ai, &a), ==, 0);
    g_assert_null(sim_iface_addr(x.ai, SIM_AF_INET));
    g_assert_false(sim_node_has_addr(x.a, &a));
    g_assert_null(sim_node_route(x.a, &gw));  /* connected route gone */
    g_assert_null(sim_node_route(x.a, &far)); /* default route via the gone prefix too */
    g_assert_cmpint(sim_sock_sendto(s, "x", 1, &(sim_ep){ gw, 9 }), ==, -EADDRNOTAVAIL);
    pinged = 0;
    g_assert_cmpint(sim_ping(x.b, &a, 8, SIM_SEC, ping_done, &pinged), ==, 0);
    sim_world_run(x.w, SIM_TIME_NEVER);
    g_assert_cmpint(pinged, ==, -ETIMEDOUT); /* B's cached MAC reaches A, which drops it */
    g_assert_cmpuint(x.a->drops[SIM_DROP_NOT_FORWARDING], ==, 1);
    /* And nobody answers ARP for it any more. */
    watched_probe_unanswered(&x, &a);
    g_assert_cmpint(sim_iface_del_addr(x.ai, &a), ==, -ENOENT);
    g_assert_cmpint(sim_iface_del_addr(x.ai, &a6), ==, -EINVAL);
    /* Added again, it works again. */
    g_assert_cmpint(sim_iface_add_addr(x.ai, &a, 24), ==, 0);
    g_assert_cmpint(sim_sock_sendto(s, "x", 1, &(sim_ep){ gw, 9 }), ==, 0);
    sim_sock_close(s);
    fx_clear(&x);
}

/* The address watch: every add and removal, in order, after the change is made; a watch
 * removed from its own callback sees nothing more. */
typedef struct addr_log {
    unsigned n, added, removed;
    sim_ip last;
    bool present; /* was the address on the node when the callback ran */
    sim_addr_watch *self;
    bool del_self;
} addr_log;

static void on_addr(sim_node *n, const sim_addr_change *c, void *ctx)
{
    addr_log *g = ctx;
    g->n++;
    c->added ? g->added++ : g->removed++;
    g->last = c->ip;
    g->present = sim_node_has_addr(n, &c->ip);
    if (g->del_self)
        sim_addr_watch_del(g->self);
}

static void test_addr_watch(void)
{
    fx x;
    fx_init(&x);
    addr_log g = { 0 }, once = { .del_self = true };
    sim_addr_watch *w = sim_addr_watch_add(x.a, on_addr, &g);
    once.self = sim_addr_watch_add(x.a, on_addr, &once);
    sim_ip ll = ip("169.254.7.7"), d = ip("10.0.0.100"), v6 = ip("2001:db8::7");
    g_assert_cmpint(sim_iface_add_addr(x.ai, &ll, 16), ==, 0);
    g_assert_cmpuint(g.added, ==, 1);
    g_assert_true(g.present && sim_ip_eq(&g.last, &ll));
    g_assert_cmpuint(once.n, ==, 1); /* it removed itself */
    g_assert_cmpint(sim_iface_add_addr(x.ai, &ll, 16), ==, -EEXIST);
    g_assert_cmpuint(g.n, ==, 1); /* a failed add is no change */
    g_assert_cmpint(sim_iface_add_addr(x.ai, &d, 24), ==, 0);
    g_assert_cmpint(sim_iface_del_addr(x.ai, &ll), ==, 0);
    g_assert_cmpuint(g.removed, ==, 1);
    g_assert_true(!g.present && sim_ip_eq(&g.last, &ll));
    g_assert_cmpint(sim_iface_del_addr(x.ai, &ll), ==, -ENOENT);
    g_assert_cmpint(sim_iface_add_addr(x.ai, &v6, 64), ==, 0);
    g_assert_cmpuint(g.added, ==, 3);
    g_assert_cmpuint(once.n, ==, 1);
    sim_addr_watch_del(w);
    g_assert_cmpint(sim_iface_del_addr(x.ai, &d), ==, 0);
    g_assert_cmpuint(g.n, ==, 4);
    sim_addr_watch_del(NULL);
    fx_clear(&x);
}

/* Two addresses in one prefix: removing one keeps the connected route and the default. */
static void test_del_addr_shared_prefix(void)
{
    fx x;
    fx_init(&x);
    sim_ip a = ip("10.0.0.5"), a2 = ip("10.0.0.6"), gw = ip("10.0.0.1"), far = ip("192.0.2.1");
    sim_ip any = { .family = SIM_AF_INET };
    g_assert_cmpint(sim_iface_add_addr(x.ai, &a, 24), ==, 0);
    g_assert_cmpint(sim_iface_add_addr(x.ai, &a2, 24), ==, 0);
    g_assert_cmpint(sim_node_add_route(x.a, &any, 0, &gw, x.ai), ==, 0);
    g_assert_cmpint(sim_iface_del_addr(x.ai, &a), ==, 0);
    g_assert_nonnull(sim_node_route(x.a, &gw));
    g_assert_nonnull(sim_node_route(x.a, &far));
    g_assert_true(sim_ip_eq(sim_iface_addr(x.ai, SIM_AF_INET), &a2));
    fx_clear(&x);
}

static void on_arp(sim_iface *i, const sim_arp_seen *a, void *ctx)
{
    (void)i;
    watched *w = ctx;
    w->n++;
    w->last = *a;
    if (w->del_self)
        sim_arp_watch_del(w->self);
}

static void test_arp_probe_announce(void)
{
    fx x;
    fx_init(&x);
    watched w = { 0 }, once = { .del_self = true };
    sim_arp_watch *wb = sim_arp_watch_add(x.bi, on_arp, &w);
    once.self = sim_arp_watch_add(x.bi, on_arp, &once);
    sim_ip cand = ip("169.254.10.20");
    g_assert_cmpint(sim_arp_probe(x.ai, &cand), ==, 0);
    sim_world_run(x.w, SIM_TIME_NEVER);
    /* RFC 5227 2.1.1, byte by byte: broadcast request, sender IP 0, target MAC 0. */
    static const uint8_t hdr[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    const uint8_t *f = x.s.last_arp;
    g_assert_cmpmem(f, 6, hdr, 6);
    g_assert_cmpmem(f + 6, 6, x.ai->mac, 6);
    static const uint8_t arp_fixed[] = { 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01 };
    g_assert_cmpmem(f + 12, sizeof arp_fixed, arp_fixed, sizeof arp_fixed);
    g_assert_cmpmem(f + 22, 6, x.ai->mac, 6);
    g_assert_cmpmem(f + 28, 4, "\0\0\0\0", 4);
    g_assert_cmpmem(f + 32, 6, "\0\0\0\0\0\0", 6);
    g_assert_cmpmem(f + 38, 4, "\xa9\xfe\x0a\x14", 4);
    g_assert_cmpuint(w.n, ==, 1);
    g_assert_cmpuint(w.last.op, ==, 1);
    g_assert_true(sim_ip_is_any(&w.last.sender_ip));
    g_assert_true(sim_ip_eq(&w.last.target_ip, &cand));
    g_assert_cmpmem(w.last.sender_mac, 6, x.ai->mac, 6);
    g_assert_cmpuint(once.n, ==, 1);

    /* RFC 5227 2.3: an announcement has sender IP = target IP. */
    g_assert_cmpint(sim_arp_announce(x.ai, &cand), ==, 0);
    sim_world_run(x.w, SIM_TIME_NEVER);
    g_assert_cmpmem(f + 12, sizeof arp_fixed, arp_fixed, sizeof arp_fixed);
    g_assert_cmpmem(f + 28, 4, "\xa9\xfe\x0a\x14", 4);
    g_assert_cmpmem(f + 38, 4, "\xa9\xfe\x0a\x14", 4);
    g_assert_cmpuint(w.n, ==, 2);
    g_assert_true(sim_ip_eq(&w.last.sender_ip, &cand));
    g_assert_cmpuint(once.n, ==, 1); /* removed itself inside its callback */

    /* The owner's stack answers a probe for its address with a reply the watcher sees. */
    sim_ip b = ip("10.0.0.1");
    watched wa = { 0 };
    sim_arp_watch *wat = sim_arp_watch_add(x.ai, on_arp, &wa);
    g_assert_cmpint(sim_arp_probe(x.ai, &b), ==, 0);
    sim_world_run(x.w, SIM_TIME_NEVER);
    g_assert_cmpuint(wa.n, ==, 1);
    g_assert_cmpuint(wa.last.op, ==, 2);
    g_assert_true(sim_ip_eq(&wa.last.sender_ip, &b));
    g_assert_cmpmem(wa.last.sender_mac, 6, x.bi->mac, 6);
    sim_arp_watch_del(wb);
    sim_arp_watch_del(wat);
    g_assert_cmpint(sim_arp_probe(x.ai, &cand), ==, 0);
    sim_world_run(x.w, SIM_TIME_NEVER);
    g_assert_cmpuint(w.n, ==, 3); /* A's probe for B was its third; removed: no fourth */
    sim_ip v6 = ip("fe80::1");
    g_assert_cmpint(sim_arp_probe(x.ai, &v6), ==, -EINVAL);
    g_assert_cmpint(sim_arp_announce(x.ai, &v6), ==, -EINVAL);
    fx_clear(&x);
}

static void test_neigh_set(void)
{
    fx x;
    fx_init(&x);
    sim_ip yi = ip("10.0.0.100");
    sim_sock *srv = udp_on(&x, x.b, 67, x.bi);
    g_assert_cmpint(sim_iface_neigh_set(x.bi, &yi, x.ai->mac), ==, 0);
    unsigned arps = x.s.arp;
    g_assert_cmpint(sim_sock_sendto(srv, "ack", 3, &(sim_ep){ yi, 68 }), ==, 0);
    sim_world_run(x.w, SIM_TIME_NEVER);
    g_assert_cmpuint(x.s.arp, ==, arps); /* no ARP: the entry was there */
    g_assert_cmpuint(x.s.udp, ==, 1);
    g_assert_cmpmem(x.s.last_udp, 6, x.ai->mac, 6); /* straight to A's MAC */
    g_assert_cmpint(sim_iface_neigh_set(x.bi, &(sim_ip){ 0 }, x.ai->mac), ==, -EINVAL);
    sim_sock_close(srv);
    fx_clear(&x);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/iface/udp/broadcast-from-0.0.0.0", test_bcast_from_zero);
    g_test_add_func("/iface/udp/receive-before-address", test_recv_before_address);
    g_test_add_func("/iface/udp/explicit-0.0.0.0-source", test_sendto_src);
    g_test_add_func("/iface/addr/remove", test_del_addr);
    g_test_add_func("/iface/addr/remove-shared-prefix", test_del_addr_shared_prefix);
    g_test_add_func("/iface/addr/watch", test_addr_watch);
    g_test_add_func("/iface/arp/probe-announce-watch", test_arp_probe_announce);
    g_test_add_func("/iface/arp/static-neighbour", test_neigh_set);
    return g_test_run();
}
