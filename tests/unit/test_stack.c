/* tests/unit/test_stack.c — the per-node stack and the UDP socket API, on worlds built in C:
 * ARP / NDP resolution, UDP over IPv4 and IPv6, forwarding with TTL and checksums, ICMP errors
 * back to sockets, ping, multicast and broadcast on a LAN, and hostile input.
 *
 * Every frame delivered on every link passes through a tap that re-parses it and recomputes
 * each checksum (IPv4 header, UDP, ICMP, ICMPv6); a wrong one fails the test. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "sim/link.h"
#include "sim/node.h"
#include "sim/socket.h"
#include "sim/stack/net.h"
#include "sim/stack/net_priv.h" /* NET_NEIGH_QUEUE */
#include "sim/world.h"
#include "csum_ref.h"
#include "ep_util.h"

/* ---- frame checker (independent of the stack's own parsing) ---- */

typedef struct frame_stats {
    unsigned frames, arp, ip4, ip6, udp, icmp, icmp6, ns, na;
    int last_ttl;       /* TTL / hop limit of the last IP frame seen */
    guint8 last[1600];  /* copy of the last UDP/IPv4 frame seen */
    guint last_len;
    guint8 last6[1600], last_ns[128]; /* the last UDP/IPv6 frame, the last NS */
    guint last6_len, last_ns_len;
} frame_stats;

static void check_l4_6(frame_stats *st, const sim_pkt *f, const uint8_t *ip, size_t plen)
{
    const uint8_t *l4 = ip + 40;
    uint32_t s = sum16(0, ip + 8, 32) + (uint32_t)plen + ip[6];
    g_assert_cmpuint(fold(sum16(s, l4, plen)), ==, 0xffff);
    if (ip[6] == 17) {
        st->udp++;
        g_assert_cmpuint(rd16(l4 + 4), ==, plen);
        g_assert_cmpuint(rd16(l4 + 6), !=, 0);
        memcpy(st->last6, f->data, f->len);
        st->last6_len = f->len;
    } else if (ip[6] == 58) {
        st->icmp6++;
        if (l4[0] == 135 || l4[0] == 136) {
            g_assert_cmpuint(ip[7], ==, 255); /* RFC 4861 hop limit */
            if (l4[0] == 135) {
                st->ns++;
                memcpy(st->last_ns, f->data, MIN(f->len, sizeof st->last_ns));
                st->last_ns_len = MIN(f->len, sizeof st->last_ns);
            }
            else
                st->na++;
        }
    }
}

static void check_frame(frame_stats *st, const sim_pkt *f)
{
    const uint8_t *d = f->data;
    st->frames++;
    g_assert_cmpuint(f->len, >=, 60);
    uint16_t type = rd16(d + 12);
    if (type == 0x0806) {
        st->arp++;
        g_assert_cmpuint(rd16(d + 14), ==, 1);
        g_assert_cmpuint(rd16(d + 16), ==, 0x0800);
        return;
    }
    if (type == 0x0800) {
        const uint8_t *ip = d + 14;
        st->ip4++;
        g_assert_cmpuint(ip[0], ==, 0x45);
        size_t tot = rd16(ip + 2);
        g_assert_cmpuint(tot + 14, <=, f->len);
        g_assert_cmpuint(fold(sum16(0, ip, 20)), ==, 0xffff);
        st->last_ttl = ip[8];
        const uint8_t *l4 = ip + 20;
        size_t l4len = tot - 20;
        if (ip[9] == 17) {
            st->udp++;
            g_assert_cmpuint(rd16(l4 + 4), ==, l4len);
            uint32_t s = sum16(0, ip + 12, 8) + 17 + (uint32_t)l4len;
            g_assert_cmpuint(rd16(l4 + 6), !=, 0);
            g_assert_cmpuint(fold(sum16(s, l4, l4len)), ==, 0xffff);
            memcpy(st->last, d, f->len);
            st->last_len = f->len;
        } else if (ip[9] == 1) {
            st->icmp++;
            g_assert_cmpuint(fold(sum16(0, l4, l4len)), ==, 0xffff);
        }
        return;
    }
    g_assert_cmpuint(type, ==, 0x86dd);
    const uint8_t *ip = d + 14;
    st->ip6++;
    g_assert_cmpuint(ip[0] >> 4, ==, 6);
    size_t plen = rd16(ip + 4);
    g_assert_cmpuint(plen + 54, <=, f->len);
    st->last_ttl = ip[7];
    check_l4_6(st, f, ip, plen);
}

static void tap(void *ctx, const sim_link *l, const sim_iface *to, const sim_pkt *f,
                sim_time_t t)
{
    check_frame(ctx, f);
}

/* ---- worlds ---- */

typedef struct fx {
    sim_world *w;
    frame_stats fs;
} fx;

static void fx_init(fx *x)
{
    GError *err = NULL;
    memset(x, 0, sizeof *x);
    sim_world_opts o = { .seed = 7 };
    x->w = sim_world_new(&o, &err);
    g_assert_no_error(err);
}

static void fx_clear(fx *x)
{
    sim_world_run(x->w, SIM_TIME_NEVER);
    g_assert_cmpuint(sim_pkt_pool_outstanding(sim_world_pool(x->w)), ==, 0);
    sim_world_free(x->w);
}

static sim_link *mk_link(fx *x, const char *name, sim_link_kind kind, sim_time_t delay,
                         uint64_t bw)
{
    GError *err = NULL;
    sim_link_props p;
    sim_link_props_default(&p);
    p.delay = delay;
    p.bandwidth = bw;
    sim_link *l = sim_link_new(x->w, name, kind, &p, &err);
    g_assert_no_error(err);
    sim_link_set_tap(l, tap, &x->fs);
    return l;
}

static sim_node *mk_node(fx *x, const char *name, sim_node_kind kind)
{
    GError *err = NULL;
    sim_node *n = sim_node_new(x->w, name, kind, &err);
    g_assert_no_error(err);
    return n;
}

static sim_iface *attach(sim_node *n, sim_link *l, const char *a4, const char *a6, uint32_t mtu)
{
    GError *err = NULL;
    sim_iface_opts o = { .mtu = mtu };
    sim_iface *i = sim_node_attach(n, l, &o, &err);
    g_assert_no_error(err);
    sim_ip ip;
    unsigned plen;
    if (a4) {
        g_assert_cmpint(sim_prefix_parse(a4, &ip, &plen), ==, 0);
        g_assert_cmpint(sim_iface_add_addr(i, &ip, plen), ==, 0);
    }
    if (a6) {
        g_assert_cmpint(sim_prefix_parse(a6, &ip, &plen), ==, 0);
        g_assert_cmpint(sim_iface_add_addr(i, &ip, plen), ==, 0);
    }
    return i;
}

static void route(sim_node *n, const char *dst, const char *gw)
{
    sim_ip d, g;
    unsigned plen;
    g_assert_cmpint(sim_prefix_parse(dst, &d, &plen), ==, 0);
    g_assert_cmpint(sim_ip_parse(gw, &g), ==, 0);
    g_assert_cmpint(sim_node_add_route(n, &d, plen, &g, NULL), ==, 0);
}

static sim_ip ip(const char *s)
{
    sim_ip a;
    g_assert_cmpint(sim_ip_parse(s, &a), ==, 0);
    return a;
}

static bool ip_is(const sim_ip *a, const char *s)
{
    sim_ip b = ip(s);
    return sim_ip_eq(a, &b);
}

/* ---- socket recorders ---- */

typedef struct rx {
    unsigned count;
    char data[64];
    sim_ep from, to;
    sim_time_t at;
    sim_world *w;
    bool close_on_recv;
    int err;
    unsigned errors;
    sim_ep err_remote;
} rx;

static void on_rx(sim_sock *s, const uint8_t *data, size_t len, const sim_ep *from,
                  const sim_ep *to, void *ctx)
{
    rx *r = ctx;
    r->count++;
    memset(r->data, 0, sizeof r->data);
    memcpy(r->data, data, MIN(len, sizeof r->data - 1));
    r->from = *from;
    r->to = *to;
    r->at = sim_world_now(r->w);
    if (r->close_on_recv)
        sim_sock_close(s);
}

static void on_err(sim_sock *s, int err, const sim_ep *remote, void *ctx)
{
    rx *r = ctx;
    r->errors++;
    r->err = err;
    r->err_remote = *remote;
}

static sim_sock *listen_on(sim_node *n, int family, const char *local, rx *r)
{
    sim_sock *s = sim_udp_open(n, family);
    g_assert_nonnull(s);
    sim_ep e = ep(local);
    g_assert_cmpint(sim_sock_bind(s, &e), ==, 0);
    sim_sock_on_recv(s, on_rx, r);
    sim_sock_on_error(s, on_err, r);
    return s;
}

static int send_str(sim_sock *s, const char *to, const char *msg)
{
    sim_ep e = ep(to);
    return sim_sock_sendto(s, msg, strlen(msg), &e);
}

/* Two hosts on a point-to-point link with 1 ms delay. */
typedef struct pair {
    fx x;
    sim_link *l;
    sim_node *a, *b;
    sim_iface *ia, *ib;
} pair;

static void pair_init(pair *p, uint64_t bw)
{
    fx_init(&p->x);
    p->l = mk_link(&p->x, "wire", SIM_LINK_P2P, SIM_MS, bw);
    p->a = mk_node(&p->x, "A", SIM_NODE_HOST);
    p->b = mk_node(&p->x, "B", SIM_NODE_HOST);
    p->ia = attach(p->a, p->l, "10.0.0.1/24", "2001:db8::1/64", 0);
    p->ib = attach(p->b, p->l, "10.0.0.2/24", "2001:db8::2/64", 0);
}

/* ---- tests ---- */

static void test_udp_p2p(int family)
{
    pair p;
    pair_init(&p, 0);
    bool v6 = family == SIM_AF_INET6;
    rx rb = { .w = p.x.w }, ra = { .w = p.x.w };
    sim_sock *sb = listen_on(p.b, family, v6 ? "[::]:5000" : "0.0.0.0:5000", &rb);
    sim_sock *sa = sim_udp_open(p.a, family);
    sim_sock_on_recv(sa, on_rx, &ra);
    g_assert_cmpint(send_str(sa, v6 ? "[2001:db8::2]:5000" : "10.0.0.2:5000", "hello"), ==, 0);
    sim_world_run(p.x.w, 10 * SIM_MS);
    /* resolution (request + reply) then the datagram: three one-way delays */
    g_assert_cmpuint(rb.count, ==, 1);
    g_assert_cmpstr(rb.data, ==, "hello");
    g_assert_cmpuint(rb.at, ==, 3 * SIM_MS);
    g_assert_true(ip_is(&rb.from.ip, v6 ? "2001:db8::1" : "10.0.0.1"));
    g_assert_cmpuint(rb.from.port, >=, 49152);
    g_assert_cmpuint(rb.from.port, ==, sim_sock_local(sa).port);
    g_assert_true(ep_is(&rb.to, v6 ? "[2001:db8::2]:5000" : "10.0.0.2:5000"));
    if (v6) {
        g_assert_cmpuint(p.x.fs.ns, ==, 1);
        g_assert_cmpuint(p.x.fs.na, ==, 1);
    } else {
        g_assert_cmpuint(p.x.fs.arp, ==, 2);
    }
    /* The answer needs no resolution: B learned A from its request. */
    g_assert_cmpint(sim_sock_sendto(sb, "back", 4, &rb.from), ==, 0);
    sim_world_run(p.x.w, 20 * SIM_MS);
    g_assert_cmpuint(ra.count, ==, 1);
    g_assert_cmpstr(ra.data, ==, "back");
    g_assert_cmpuint(ra.at, ==, 11 * SIM_MS);
    g_assert_cmpuint(p.x.fs.udp, ==, 2);
    fx_clear(&p.x);
}

static void test_udp_p2p_v4(void) { test_udp_p2p(SIM_AF_INET); }
static void test_udp_p2p_v6(void) { test_udp_p2p(SIM_AF_INET6); }

/* H0 - R - H1, two /24s and two /64s. */
typedef struct routed {
    fx x;
    sim_link *l0, *l1;
    sim_node *h0, *r, *h1;
} routed;

static void routed_init(routed *t, uint32_t mtu1)
{
    fx_init(&t->x);
    t->l0 = mk_link(&t->x, "lan0", SIM_LINK_P2P, SIM_MS, 0);
    t->l1 = mk_link(&t->x, "lan1", SIM_LINK_P2P, SIM_MS, 0);
    t->h0 = mk_node(&t->x, "H0", SIM_NODE_HOST);
    t->r = mk_node(&t->x, "R", SIM_NODE_ROUTER);
    t->h1 = mk_node(&t->x, "H1", SIM_NODE_HOST);
    attach(t->h0, t->l0, "10.0.1.2/24", "2001:db8:1::2/64", 0);
    attach(t->r, t->l0, "10.0.1.1/24", "2001:db8:1::1/64", 0);
    attach(t->r, t->l1, "10.0.2.1/24", "2001:db8:2::1/64", mtu1);
    attach(t->h1, t->l1, "10.0.2.2/24", "2001:db8:2::2/64", 0);
    route(t->h0, "0.0.0.0/0", "10.0.1.1");
    route(t->h1, "0.0.0.0/0", "10.0.2.1");
    route(t->h0, "::/0", "2001:db8:1::1");
    route(t->h1, "::/0", "2001:db8:2::1");
}

static void test_router_forward(void)
{
    routed t;
    routed_init(&t, 0);
    rx r4 = { .w = t.x.w }, r6 = { .w = t.x.w };
    listen_on(t.h1, SIM_AF_INET, "0.0.0.0:7", &r4);
    listen_on(t.h1, SIM_AF_INET6, "[::]:7", &r6);
    sim_sock *s4 = sim_udp_open(t.h0, SIM_AF_INET);
    sim_sock *s6 = sim_udp_open(t.h0, SIM_AF_INET6);
    g_assert_cmpint(send_str(s4, "10.0.2.2:7", "via router"), ==, 0);
    sim_world_run(t.x.w, 100 * SIM_MS);
    g_assert_cmpuint(r4.count, ==, 1);
    g_assert_cmpstr(r4.data, ==, "via router");
    g_assert_cmpint(t.x.fs.last_ttl, ==, 63); /* the tap saw the delivered frame last */
    g_assert_true(ip_is(&r4.from.ip, "10.0.1.2"));
    g_assert_cmpint(send_str(s6, "[2001:db8:2::2]:7", "v6 via router"), ==, 0);
    sim_world_run(t.x.w, 200 * SIM_MS);
    g_assert_cmpuint(r6.count, ==, 1);
    g_assert_cmpstr(r6.data, ==, "v6 via router");
    g_assert_cmpint(t.x.fs.last_ttl, ==, 63);
    g_assert_cmpuint(t.r->drops[SIM_DROP_TTL], ==, 0);
    fx_clear(&t.x);
}

static void test_ttl_exceeded(int family)
{
    routed t;
    routed_init(&t, 0);
    bool v6 = family == SIM_AF_INET6;
    rx rh = { .w = t.x.w }, rs = { .w = t.x.w };
    listen_on(t.h1, family, v6 ? "[::]:7" : "0.0.0.0:7", &rh);
    sim_sock *s = listen_on(t.h0, family, v6 ? "[::]:4000" : "0.0.0.0:4000", &rs);
    g_assert_cmpint(sim_sock_set_ttl(s, 1), ==, 0);
    const char *dst = v6 ? "[2001:db8:2::2]:7" : "10.0.2.2:7";
    g_assert_cmpint(send_str(s, dst, "ttl1"), ==, 0);
    sim_world_run(t.x.w, 100 * SIM_MS);
    g_assert_cmpuint(rh.count, ==, 0);
    g_assert_cmpuint(rs.errors, ==, 1);
    g_assert_cmpint(rs.err, ==, -ETIMEDOUT);
    g_assert_true(ep_is(&rs.err_remote, dst));
    g_assert_cmpuint(t.r->drops[SIM_DROP_TTL], ==, 1);
    g_assert_cmpuint(v6 ? t.x.fs.icmp6 : t.x.fs.icmp, >=, 1);
    fx_clear(&t.x);
}

static void test_ttl_exceeded_v4(void) { test_ttl_exceeded(SIM_AF_INET); }
static void test_ttl_exceeded_v6(void) { test_ttl_exceeded(SIM_AF_INET6); }

static void test_port_unreachable(int family)
{
    pair p;
    pair_init(&p, 0);
    bool v6 = family == SIM_AF_INET6;
    rx ra = { .w = p.x.w };
    sim_sock *s = listen_on(p.a, family, v6 ? "[::]:0" : "0.0.0.0:0", &ra);
    const char *dst = v6 ? "[2001:db8::2]:9999" : "10.0.0.2:9999";
    g_assert_cmpint(send_str(s, dst, "anyone?"), ==, 0);
    sim_world_run(p.x.w, 100 * SIM_MS);
    g_assert_cmpuint(ra.errors, ==, 1);
    g_assert_cmpint(ra.err, ==, -ECONNREFUSED);
    g_assert_true(ep_is(&ra.err_remote, dst));
    g_assert_cmpuint(p.b->drops[SIM_DROP_NO_LISTENER], ==, 1);
    fx_clear(&p.x);
}

static void test_port_unreachable_v4(void) { test_port_unreachable(SIM_AF_INET); }
static void test_port_unreachable_v6(void) { test_port_unreachable(SIM_AF_INET6); }

static void test_unresolved(int family)
{
    pair p;
    pair_init(&p, 0);
    bool v6 = family == SIM_AF_INET6;
    sim_sock *s = sim_udp_open(p.a, family);
    /* The absent IPv6 host shares B's solicited-node group, so B's NIC lets the NS through
     * and the tap can count them; B ignores them (not its target). */
    const int sent = NET_NEIGH_QUEUE + 2;
    for (int k = 0; k < sent; k++)
        g_assert_cmpint(send_str(s, v6 ? "[2001:db8::1:0:0:2]:7" : "10.0.0.99:7", "lost"), ==, 0);
    /* the queue holds NET_NEIGH_QUEUE: the two oldest go at once */
    g_assert_cmpuint(p.a->drops[SIM_DROP_UNRESOLVED], ==, 2);
    sim_world_run(p.x.w, 2900 * SIM_MS);
    g_assert_cmpuint(p.a->drops[SIM_DROP_UNRESOLVED], ==, 2);
    sim_world_run(p.x.w, 3100 * SIM_MS);
    g_assert_cmpuint(p.a->drops[SIM_DROP_UNRESOLVED], ==, sent);
    g_assert_cmpuint(v6 ? p.x.fs.ns : p.x.fs.arp, ==, 3); /* three requests reached B */
    g_assert_cmpuint(sim_pkt_pool_outstanding(sim_world_pool(p.x.w)), ==, 0);
    fx_clear(&p.x);
}

static void test_unresolved_v4(void) { test_unresolved(SIM_AF_INET); }
static void test_unresolved_v6(void) { test_unresolved(SIM_AF_INET6); }

typedef struct ping_res {
    unsigned n;
    int err;
    sim_time_t rtt;
    unsigned ttl;
} ping_res;

static void on_ping(void *ctx, int err, sim_time_t rtt, unsigned ttl)
{
    ping_res *r = ctx;
    r->n++;
    r->err = err;
    r->rtt = rtt;
    r->ttl = ttl;
}

static void test_ping(int family)
{
    pair p;
    pair_init(&p, 10000000); /* 10 Mbit/s: serialisation counts */
    bool v6 = family == SIM_AF_INET6;
    sim_ip dst = ip(v6 ? "2001:db8::2" : "10.0.0.2");
    ping_res r1 = { 0 }, r2 = { 0 }, r3 = { 0 };
    g_assert_cmpint(sim_ping(p.a, &dst, 56, SIM_SEC, on_ping, &r1), ==, 0);
    sim_world_run(p.x.w, 100 * SIM_MS);
    g_assert_cmpuint(r1.n, ==, 1);
    g_assert_cmpint(r1.err, ==, 0);
    g_assert_cmpuint(r1.ttl, ==, 64);
    g_assert_cmpint(sim_ping(p.a, &dst, 56, SIM_SEC, on_ping, &r2), ==, 0);
    sim_world_run(p.x.w, 200 * SIM_MS);
    g_assert_cmpuint(r2.n, ==, 1);
    uint32_t frame = 14 + (v6 ? 40 : 20) + 8 + 56;
    g_assert_cmpuint(r2.rtt, ==, 2 * SIM_MS + 2 * sim_link_tx_time(p.l, frame));
    g_assert_cmpuint(r1.rtt, >, r2.rtt); /* the first one waited for resolution */
    sim_ip absent = ip(v6 ? "2001:db8::99" : "10.0.0.99");
    g_assert_cmpint(sim_ping(p.a, &absent, 8, 5 * SIM_SEC, on_ping, &r3), ==, 0);
    sim_world_run(p.x.w, 10 * SIM_SEC);
    g_assert_cmpuint(r3.n, ==, 1);
    g_assert_cmpint(r3.err, ==, -ETIMEDOUT);
    fx_clear(&p.x);
}

static void test_ping_v4(void) { test_ping(SIM_AF_INET); }
static void test_ping_v6(void) { test_ping(SIM_AF_INET6); }

static void test_ping_routed(void)
{
    routed t;
    routed_init(&t, 0);
    ping_res r = { 0 }, r6 = { 0 }, rn = { 0 };
    sim_ip d4 = ip("10.0.2.2"), d6 = ip("2001:db8:2::2"), nowhere = ip("10.0.3.3");
    g_assert_cmpint(sim_ping(t.h0, &d4, 0, SIM_SEC, on_ping, &r), ==, 0);
    g_assert_cmpint(sim_ping(t.h0, &d6, 0, SIM_SEC, on_ping, &r6), ==, 0);
    g_assert_cmpint(sim_ping(t.h0, &nowhere, 0, SIM_SEC, on_ping, &rn), ==, 0);
    sim_world_run(t.x.w, 2 * SIM_SEC);
    g_assert_cmpint(r.err, ==, 0);
    g_assert_cmpuint(r.ttl, ==, 63);
    g_assert_cmpint(r6.err, ==, 0);
    g_assert_cmpuint(r6.ttl, ==, 63);
    g_assert_cmpuint(rn.n, ==, 1);
    g_assert_cmpint(rn.err, ==, -ENETUNREACH); /* the router has no route: net unreachable */
    g_assert_cmpuint(t.r->drops[SIM_DROP_NO_ROUTE], ==, 1);
    fx_clear(&t.x);
}

static void test_frag_needed(void)
{
    routed t;
    routed_init(&t, 1400);
    rx rs = { .w = t.x.w }, rh = { .w = t.x.w };
    listen_on(t.h1, SIM_AF_INET, "0.0.0.0:7", &rh);
    sim_sock *s = listen_on(t.h0, SIM_AF_INET, "0.0.0.0:0", &rs);
    static char big[1473];
    sim_ep dst = ep("10.0.2.2:7");
    g_assert_cmpint(sim_sock_sendto(s, big, 1473, &dst), ==, -EMSGSIZE); /* 1501 > 1500 */
    g_assert_cmpint(sim_sock_sendto(s, big, 1472, &dst), ==, 0);
    sim_world_run(t.x.w, 100 * SIM_MS);
    g_assert_cmpuint(rh.count, ==, 0);
    g_assert_cmpuint(rs.errors, ==, 1);
    g_assert_cmpint(rs.err, ==, -EMSGSIZE);
    g_assert_cmpuint(t.r->drops[SIM_DROP_TOO_BIG], ==, 1);
    g_assert_cmpint(sim_sock_sendto(s, big, 1372, &dst), ==, 0); /* 1400 exactly */
    sim_world_run(t.x.w, 200 * SIM_MS);
    g_assert_cmpuint(rh.count, ==, 1);
    fx_clear(&t.x);
}

static void test_lan_multicast_broadcast(void)
{
    fx x;
    fx_init(&x);
    sim_link *lan = mk_link(&x, "lan", SIM_LINK_LAN, SIM_MS, 0);
    sim_node *h[3];
    rx r[3] = { { .w = x.w }, { .w = x.w }, { .w = x.w } };
    rx r6[3] = { { .w = x.w }, { .w = x.w }, { .w = x.w } };
    sim_sock *s[3], *s6[3];
    for (int k = 0; k < 3; k++) {
        char name[4], a4[32];
        g_snprintf(name, sizeof name, "H%d", k);
        g_snprintf(a4, sizeof a4, "10.0.0.%d/24", k + 1);
        h[k] = mk_node(&x, name, SIM_NODE_HOST);
        attach(h[k], lan, a4, NULL, 0);
        s[k] = listen_on(h[k], SIM_AF_INET, "0.0.0.0:5353", &r[k]);
        s6[k] = listen_on(h[k], SIM_AF_INET6, "[::]:5353", &r6[k]);
    }
    sim_ip g4 = ip("224.0.0.251"), g6 = ip("ff02::fb");
    g_assert_cmpint(sim_sock_join(s[1], &g4, NULL), ==, 0);
    g_assert_cmpint(sim_sock_join(s6[1], &g6, NULL), ==, 0);
    g_assert_cmpint(send_str(s[0], "224.0.0.251:5353", "mc"), ==, 0);
    g_assert_cmpint(send_str(s6[0], "[ff02::fb]:5353", "mc6"), ==, 0);
    sim_world_run(x.w, 10 * SIM_MS);
    g_assert_cmpuint(r[1].count, ==, 1);
    g_assert_cmpstr(r[1].data, ==, "mc");
    g_assert_true(sim_ip_eq(&r[1].to.ip, &g4));
    g_assert_cmpuint(r[2].count, ==, 0);
    g_assert_cmpuint(r6[1].count, ==, 1);
    g_assert_true(sim_ip_is_link_local6(&r6[1].from.ip));
    g_assert_cmpuint(r6[2].count, ==, 0);
    g_assert_cmpuint(h[2]->drops[SIM_DROP_NO_LISTENER], ==, 0); /* filtered by the NIC */
    g_assert_cmpint(send_str(s[0], "255.255.255.255:5353", "all"), ==, 0);
    g_assert_cmpint(send_str(s[0], "10.0.0.255:5353", "subnet"), ==, 0);
    sim_world_run(x.w, 20 * SIM_MS);
    g_assert_cmpuint(r[1].count, ==, 3);
    g_assert_cmpuint(r[2].count, ==, 2);
    g_assert_cmpstr(r[2].data, ==, "subnet");
    g_assert_cmpuint(r[0].count, ==, 0);
    /* After leaving, the group's frames stop at the NIC. */
    g_assert_cmpint(sim_sock_leave(s[1], &g4, NULL), ==, 0);
    g_assert_cmpint(sim_sock_leave(s[1], &g4, NULL), ==, -ENOENT);
    g_assert_cmpint(send_str(s[0], "224.0.0.251:5353", "mc"), ==, 0);
    sim_world_run(x.w, 30 * SIM_MS);
    g_assert_cmpuint(r[1].count, ==, 3);
    g_assert_cmpuint(x.fs.arp, ==, 0); /* group traffic needs no ARP */
    fx_clear(&x);
}

/* Injects a copy of frame `f` (len bytes) into interface i, after `mutate` changed it. */
static void inject(sim_iface *i, const uint8_t *f, size_t len)
{
    sim_pkt *p = sim_pkt_alloc(sim_world_pool(i->node->world));
    memcpy(sim_pkt_put(p, len), f, len);
    net_eth_input(i, p);
}

static void test_malformed(void)
{
    pair p;
    pair_init(&p, 0);
    rx rb = { .w = p.x.w };
    listen_on(p.b, SIM_AF_INET, "0.0.0.0:5000", &rb);
    sim_sock *sa = sim_udp_open(p.a, SIM_AF_INET);
    g_assert_cmpint(send_str(sa, "10.0.0.2:5000", "payload"), ==, 0);
    sim_world_run(p.x.w, 10 * SIM_MS);
    g_assert_cmpuint(rb.count, ==, 1);
    uint8_t good[1600], f[1600];
    size_t len = p.x.fs.last_len;
    memcpy(good, p.x.fs.last, len);
    uint64_t *d = p.b->drops;

    inject(p.ib, good, len); /* the unchanged copy is accepted */
    g_assert_cmpuint(rb.count, ==, 2);

    memcpy(f, good, len);
    f[14 + 20 + 8] ^= 0xff; /* payload byte: UDP checksum now wrong */
    inject(p.ib, f, len);
    g_assert_cmpuint(d[SIM_DROP_BAD_CHECKSUM], ==, 1);

    memcpy(f, good, len);
    f[14 + 8] ^= 1; /* TTL: IPv4 header checksum wrong */
    inject(p.ib, f, len);
    g_assert_cmpuint(d[SIM_DROP_BAD_CHECKSUM], ==, 2);

    inject(p.ib, good, 14 + 10); /* truncated IPv4 header */
    g_assert_cmpuint(d[SIM_DROP_MALFORMED], ==, 1);

    memcpy(f, good, len);
    f[14] = 0x44; /* IHL 4 */
    inject(p.ib, f, len);
    g_assert_cmpuint(d[SIM_DROP_MALFORMED], ==, 2);

    memcpy(f, good, len);
    f[14] = 0x4f; /* IHL 15: longer than the packet */
    inject(p.ib, f, len);
    g_assert_cmpuint(d[SIM_DROP_MALFORMED], ==, 3);

    memcpy(f, good, len);
    f[14 + 20 + 4] = 0x02; /* UDP length 512+: larger than the packet */
    inject(p.ib, f, len);
    g_assert_cmpuint(d[SIM_DROP_MALFORMED], ==, 4);

    memcpy(f, good, len);
    f[14 + 2] = 0x05; /* IPv4 total length larger than the frame */
    inject(p.ib, f, len);
    g_assert_cmpuint(d[SIM_DROP_MALFORMED], ==, 5);

    inject(p.ib, good, 10); /* runt */
    g_assert_cmpuint(d[SIM_DROP_MALFORMED], ==, 6);

    memcpy(f, good, len);
    f[14 + 20 + 6] = f[14 + 20 + 7] = 0; /* no checksum: allowed over IPv4 */
    inject(p.ib, f, len);
    g_assert_cmpuint(rb.count, ==, 3);

    /* Every prefix of a valid frame is handled without a crash; the ones still holding the
     * whole IP packet (only Ethernet padding cut) are delivered. */
    size_t ip_end = 14 + (size_t)(good[16] << 8 | good[17]);
    g_assert_cmpuint(ip_end, <, len);
    for (size_t k = 0; k < len; k++)
        inject(p.ib, good, k);
    g_assert_cmpuint(rb.count, ==, 3 + (len - ip_end));
    fx_clear(&p.x);
    (void)d;
}

static void test_malformed_v6(void)
{
    pair p;
    pair_init(&p, 0);
    rx rb = { .w = p.x.w };
    listen_on(p.b, SIM_AF_INET6, "[::]:5000", &rb);
    sim_sock *sa = sim_udp_open(p.a, SIM_AF_INET6);
    g_assert_cmpint(send_str(sa, "[2001:db8::2]:5000", "payload"), ==, 0);
    sim_world_run(p.x.w, 10 * SIM_MS);
    g_assert_cmpuint(rb.count, ==, 1);
    uint8_t good[1600], f[1600], ns[128];
    size_t len = p.x.fs.last6_len, ns_len = p.x.fs.last_ns_len;
    g_assert_cmpuint(ns_len, >, 0);
    memcpy(good, p.x.fs.last6, len);
    memcpy(ns, p.x.fs.last_ns, ns_len);
    uint64_t *d = p.b->drops;
    const size_t udp = 14 + 40;

    inject(p.ib, good, len);
    g_assert_cmpuint(rb.count, ==, 2);

    memcpy(f, good, len);
    f[udp + 6] = f[udp + 7] = 0; /* RFC 8200 8.1: zero UDP checksum is invalid over IPv6 */
    inject(p.ib, f, len);
    g_assert_cmpuint(d[SIM_DROP_BAD_CHECKSUM], ==, 1);

    memcpy(f, good, len);
    f[udp + 8] ^= 0x55;
    inject(p.ib, f, len);
    g_assert_cmpuint(d[SIM_DROP_BAD_CHECKSUM], ==, 2);

    memcpy(f, good, len);
    f[14 + 4] = 0x09; /* payload length beyond the frame */
    inject(p.ib, f, len);
    g_assert_cmpuint(d[SIM_DROP_MALFORMED], ==, 1);

    memcpy(f, good, len);
    f[udp + 4] = 0x01; /* UDP length beyond the payload */
    inject(p.ib, f, len);
    g_assert_cmpuint(d[SIM_DROP_MALFORMED], ==, 2);

    inject(p.ib, good, 14 + 39); /* truncated IPv6 header */
    g_assert_cmpuint(d[SIM_DROP_MALFORMED], ==, 3);

    /* An NS from off-link (hop limit not 255) is refused (RFC 4861 7.1.1); the pseudo-header
     * does not cover the hop limit, so the checksum still holds. */
    memcpy(f, ns, ns_len);
    f[14 + 7] = 64;
    inject(p.ib, f, ns_len);
    g_assert_cmpuint(d[SIM_DROP_MALFORMED], ==, 4);
    inject(p.ib, ns, ns_len); /* the original is fine */
    g_assert_cmpuint(d[SIM_DROP_MALFORMED], ==, 4);

    for (size_t k = 0; k < len; k++)
        inject(p.ib, good, k);
    fx_clear(&p.x);
}

static void test_close_in_callback(void)
{
    pair p;
    pair_init(&p, 0);
    rx rb = { .w = p.x.w, .close_on_recv = true }, ra = { .w = p.x.w };
    listen_on(p.b, SIM_AF_INET, "0.0.0.0:5000", &rb);
    sim_sock *sa = listen_on(p.a, SIM_AF_INET, "0.0.0.0:0", &ra);
    g_assert_cmpint(send_str(sa, "10.0.0.2:5000", "one"), ==, 0);
    g_assert_cmpint(send_str(sa, "10.0.0.2:5000", "two"), ==, 0);
    sim_world_run(p.x.w, 100 * SIM_MS);
    g_assert_cmpuint(rb.count, ==, 1);
    g_assert_cmpuint(ra.errors, ==, 1); /* the second found the port closed */
    g_assert_cmpint(ra.err, ==, -ECONNREFUSED);
    fx_clear(&p.x);
}

static void test_bind_rules(void)
{
    pair p;
    pair_init(&p, 0);
    rx r1 = { .w = p.x.w }, r2 = { .w = p.x.w }, ra = { .w = p.x.w };
    sim_sock *a = sim_udp_open(p.b, SIM_AF_INET);
    sim_sock *b = sim_udp_open(p.b, SIM_AF_INET);
    sim_ep e = ep("0.0.0.0:6000"), bad = ep("10.9.9.9:1"), v6 = ep("[::1]:1");
    g_assert_null(sim_udp_open(p.b, 5));
    g_assert_cmpint(sim_sock_bind(a, &e), ==, 0);
    g_assert_cmpint(sim_sock_bind(b, &e), ==, -EADDRINUSE);
    g_assert_cmpint(sim_sock_bind(b, &bad), ==, -EADDRNOTAVAIL);
    g_assert_cmpint(sim_sock_bind(b, &v6), ==, -EINVAL);
    sim_sock_close(a);
    sim_sock_close(b);
    /* SO_REUSEADDR: unicast goes to the most recently bound. */
    sim_sock *c = sim_udp_open(p.b, SIM_AF_INET), *d = sim_udp_open(p.b, SIM_AF_INET);
    sim_sock_set_reuseaddr(c, true);
    sim_sock_set_reuseaddr(d, true);
    g_assert_cmpint(sim_sock_bind(c, &e), ==, 0);
    g_assert_cmpint(sim_sock_bind(d, &e), ==, 0);
    sim_sock_on_recv(c, on_rx, &r1);
    sim_sock_on_recv(d, on_rx, &r2);
    /* A connected socket only hears its peer. */
    sim_sock *sa = listen_on(p.a, SIM_AF_INET, "0.0.0.0:0", &ra);
    sim_ep other = ep("10.0.0.1:1");
    g_assert_cmpint(sim_sock_connect(d, &other), ==, 0);
    g_assert_cmpint(send_str(sa, "10.0.0.2:6000", "x"), ==, 0);
    sim_world_run(p.x.w, 10 * SIM_MS);
    g_assert_cmpuint(r1.count, ==, 1);
    g_assert_cmpuint(r2.count, ==, 0);
    sim_ep back = sim_sock_local(sa);
    back.ip = ip("10.0.0.1");
    g_assert_cmpint(sim_sock_connect(d, &back), ==, 0);
    g_assert_cmpint(send_str(sa, "10.0.0.2:6000", "y"), ==, 0);
    sim_world_run(p.x.w, 20 * SIM_MS);
    g_assert_cmpuint(r2.count, ==, 1);
    g_assert_cmpint(sim_sock_sendto(d, "z", 1, NULL), ==, 0);
    g_assert_cmpint(sim_sock_sendto(c, "z", 1, NULL), ==, -EDESTADDRREQ);
    sim_world_run(p.x.w, 30 * SIM_MS);
    g_assert_cmpuint(ra.count, ==, 1);
    sim_ep mine = { ip("10.0.0.2"), 6000 }, theirs = { ip("10.0.0.2"), 6001 };
    g_assert_true(net_udp_bound(p.b, &mine));
    g_assert_false(net_udp_bound(p.b, &theirs));
    /* Ephemeral ports are distinct and in range. */
    for (int k = 0; k < 50; k++) {
        sim_sock *s = sim_udp_open(p.a, SIM_AF_INET);
        sim_ep any = ep("0.0.0.0:0");
        g_assert_cmpint(sim_sock_bind(s, &any), ==, 0);
        g_assert_cmpuint(sim_sock_local(s).port, >=, 49152);
    }
    fx_clear(&p.x);
}

static void test_loopback(void)
{
    pair p;
    pair_init(&p, 0);
    rx r = { .w = p.x.w };
    sim_sock *s = listen_on(p.a, SIM_AF_INET, "0.0.0.0:5000", &r);
    g_assert_cmpint(send_str(s, "10.0.0.1:5000", "me"), ==, 0);
    ping_res pr = { 0 };
    sim_ip self = ip("2001:db8::1");
    g_assert_cmpint(sim_ping(p.a, &self, 4, SIM_SEC, on_ping, &pr), ==, 0);
    sim_world_run(p.x.w, SIM_MS);
    g_assert_cmpuint(r.count, ==, 1);
    g_assert_cmpuint(r.at, ==, 0);
    g_assert_cmpint(pr.err, ==, 0);
    g_assert_cmpuint(p.x.fs.frames, ==, 0);
    fx_clear(&p.x);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/stack/udp/p2p-v4", test_udp_p2p_v4);
    g_test_add_func("/stack/udp/p2p-v6", test_udp_p2p_v6);
    g_test_add_func("/stack/router/forward", test_router_forward);
    g_test_add_func("/stack/router/ttl-exceeded-v4", test_ttl_exceeded_v4);
    g_test_add_func("/stack/router/ttl-exceeded-v6", test_ttl_exceeded_v6);
    g_test_add_func("/stack/router/frag-needed", test_frag_needed);
    g_test_add_func("/stack/udp/port-unreachable-v4", test_port_unreachable_v4);
    g_test_add_func("/stack/udp/port-unreachable-v6", test_port_unreachable_v6);
    g_test_add_func("/stack/arp/unresolved", test_unresolved_v4);
    g_test_add_func("/stack/ndp/unresolved", test_unresolved_v6);
    g_test_add_func("/stack/ping/v4", test_ping_v4);
    g_test_add_func("/stack/ping/v6", test_ping_v6);
    g_test_add_func("/stack/ping/routed", test_ping_routed);
    g_test_add_func("/stack/lan/multicast-broadcast", test_lan_multicast_broadcast);
    g_test_add_func("/stack/input/malformed", test_malformed);
    g_test_add_func("/stack/input/malformed-v6", test_malformed_v6);
    g_test_add_func("/stack/socket/close-in-callback", test_close_in_callback);
    g_test_add_func("/stack/socket/bind-rules", test_bind_rules);
    g_test_add_func("/stack/socket/loopback", test_loopback);
    return g_test_run();
}
