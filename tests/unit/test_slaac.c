/* tests/unit/test_slaac.c — IPv6 autoconfiguration in the stack (RFC 4861 §6, RFC 4862, RFC
 * 7217), on worlds built in C: DAD timing and verdicts (NS from :: and NA), tentative addresses
 * never used as a source, Router Solicitation spacing, unsolicited and solicited Router
 * Advertisements, SLAAC addresses with lifetimes and the two-hour rule, stable interface IDs,
 * and malformed ND messages dropped and counted. Every frame on the LAN is recorded once by a
 * tap (a multicast frame reaches several interfaces at the same instant). */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "sim/link.h"
#include "sim/node.h"
#include "sim/socket.h"
#include "sim/stack/net.h"
#include "sim/stack/slaac.h"
#include "sim/world.h"

typedef struct rec {
    sim_time_t t;
    uint8_t type;          /* ICMPv6 type, 0 for other frames */
    sim_ip src, dst;
    uint8_t f[256];
    size_t len;
} rec;

typedef struct fx {
    sim_world *w;
    sim_link *lan;
    sim_iface *mon;        /* a silent listener, so frames nobody else wants are seen too */
    GArray *recs;          /* of rec, one per frame sent */
} fx;

static void tap(void *ctx, const sim_link *l, const sim_iface *to, const sim_pkt *f,
                sim_time_t t)
{
    (void)l, (void)to;
    fx *x = ctx;
    rec r = { .t = t };
    r.len = MIN(f->len, sizeof r.f);
    memcpy(r.f, f->data, r.len);
    if (x->recs->len) {
        const rec *last = &g_array_index(x->recs, rec, x->recs->len - 1);
        if (last->t == t && last->len == r.len && !memcmp(last->f, r.f, r.len))
            return; /* the same frame delivered to another interface */
    }
    if (f->len >= 14 + 40 + 4 && f->data[12] == 0x86 && f->data[13] == 0xdd) {
        r.src = sim_ip6(f->data + 22);
        r.dst = sim_ip6(f->data + 38);
        if (f->data[20] == 58)
            r.type = f->data[54];
    }
    g_array_append_val(x->recs, r);
}

static void fx_init(fx *x, uint64_t seed)
{
    GError *err = NULL;
    sim_world_opts o = { .seed = seed };
    x->w = sim_world_new(&o, &err);
    g_assert_no_error(err);
    sim_link_props p;
    sim_link_props_default(&p);
    x->lan = sim_link_new(x->w, "lan", SIM_LINK_LAN, &p, &err);
    g_assert_no_error(err);
    x->recs = g_array_new(FALSE, TRUE, sizeof(rec));
    sim_link_set_tap(x->lan, tap, x);
    sim_node *mon = sim_node_new(x->w, "mon", SIM_NODE_HOST, &err);
    g_assert_no_error(err);
    x->mon = sim_node_attach(mon, x->lan, NULL, &err);
    g_assert_no_error(err);
    static const uint8_t all_routers[6] = { 0x33, 0x33, 0, 0, 0, 2 };
    net_eth_mcast_add(x->mon, all_routers);
}

static void fx_clear(fx *x)
{
    sim_world_free(x->w);
    g_array_unref(x->recs);
}

static sim_ip ip(const char *s)
{
    sim_ip a;
    g_assert_cmpint(sim_ip_parse(s, &a), ==, 0);
    return a;
}

static sim_iface *host(fx *x, const char *name, sim_node_kind kind, const uint8_t *mac,
                       const net_slaac_opts *o)
{
    GError *err = NULL;
    sim_node *n = sim_node_new(x->w, name, kind, &err);
    g_assert_no_error(err);
    sim_iface_opts io = { .mac = mac };
    sim_iface *i = sim_node_attach(n, x->lan, &io, &err);
    g_assert_no_error(err);
    const uint8_t sn[6] = { 0x33, 0x33, 0xff, i->mac[3], i->mac[4], i->mac[5] };
    net_eth_mcast_add(x->mon, sn); /* the monitor hears DAD for EUI-64 addresses */
    if (o)
        g_assert_cmpint(net_slaac_configure(i, o), ==, 0);
    return i;
}

/* The i-th recorded ICMPv6 message of `type` (from src when given), or NULL. */
static const rec *nth(fx *x, uint8_t type, const sim_ip *src, unsigned i)
{
    for (guint k = 0; k < x->recs->len; k++) {
        const rec *r = &g_array_index(x->recs, rec, k);
        if (r->type == type && (!src || sim_ip_eq(&r->src, src)) && i-- == 0)
            return r;
    }
    return NULL;
}

static unsigned count(fx *x, uint8_t type)
{
    unsigned n = 0;
    while (nth(x, type, NULL, n))
        n++;
    return n;
}

/* The state of address a on i, or -1 when it has no such address. */
static int state_of(const sim_iface *i, const sim_ip *a)
{
    net_slaac_addr_info info[16];
    size_t n = net_slaac_addrs(i, info, 16);
    int st = -1;
    for (size_t k = 0; k < n && k < 16; k++)
        if (sim_ip_eq(&info[k].ip, a))
            st = (int)info[k].state;
    return st;
}

/* The first address of origin o on i (any state). */
static bool addr_of(const sim_iface *i, net_addr_origin o, net_slaac_addr_info *out)
{
    net_slaac_addr_info info[16];
    size_t n = net_slaac_addrs(i, info, 16);
    for (size_t k = 0; k < n && k < 16; k++)
        if (info[k].origin == o) {
            *out = info[k];
            return true;
        }
    return false;
}

static const net_slaac_opts dad_only = { .dad = true };
static const net_slaac_opts auto_all = { .dad = true, .slaac = true };
static const uint8_t same_mac[6] = { 0x02, 0, 0, 0, 0, 0x42 };

/* RFC 4862 5.4.2: one NS from :: to the solicited-node group after a random delay of at most
 * MAX_RTR_SOLICITATION_DELAY, with a Nonce (RFC 7527); preferred RetransTimer (1 s) later. */
static void test_dad_timing(void)
{
    fx x;
    fx_init(&x, 1);
    sim_iface *h = host(&x, "h", SIM_NODE_HOST, same_mac, &dad_only);
    sim_ip ll = ip("fe80::ff:fe00:42"); /* 02:00:00:00:00:42 -> U/L bit flipped */
    g_assert_cmpint(state_of(h, &ll), ==, NET_ADDR_TENTATIVE);
    g_assert_null(sim_iface_addr(h, SIM_AF_INET6)); /* not usable while tentative */
    sim_world_run(x.w, 5 * SIM_SEC);
    g_assert_cmpuint(count(&x, 135), ==, 1);
    const rec *ns = nth(&x, 135, NULL, 0);
    g_assert_true(sim_ip_is_any(&ns->src));
    g_assert_cmpstr(sim_ip_fmt(&ns->dst, (char[SIM_IP_STRLEN]){ 0 }, SIM_IP_STRLEN), ==,
                    "ff02::1:ff00:42");
    g_assert_cmpuint(ns->f[14 + 7], ==, 255);
    g_assert_cmpuint(ns->len, ==, 14 + 40 + 24 + 8);
    g_assert_cmpuint(ns->f[78], ==, 14); /* Nonce option, no source link-layer address */
    sim_time_t sent = ns->t - SIM_MS; /* 1 ms LAN delay */
    g_assert_cmpuint(sent, <=, NET_MAX_RTR_SOLICITATION_DELAY);
    fx_clear(&x);

    /* Replay and stop just before and just after sent + RetransTimer. */
    fx_init(&x, 1);
    h = host(&x, "h", SIM_NODE_HOST, same_mac, &dad_only);
    sim_world_run(x.w, sent + NET_RETRANS_TIMER - 1);
    g_assert_cmpint(state_of(h, &ll), ==, NET_ADDR_TENTATIVE);
    sim_world_run(x.w, sent + NET_RETRANS_TIMER);
    g_assert_cmpint(state_of(h, &ll), ==, NET_ADDR_PREFERRED);
    g_assert_true(sim_ip_eq(sim_iface_addr(h, SIM_AF_INET6), &ll));
    fx_clear(&x);
}

/* A tentative address is never a source: a datagram sent before DAD ends goes nowhere. */
static void test_tentative_not_source(void)
{
    fx x;
    fx_init(&x, 2);
    sim_iface *h = host(&x, "h", SIM_NODE_HOST, NULL, &dad_only);
    sim_sock *s = sim_udp_open(h->node, SIM_AF_INET6);
    sim_ep to = { ip("ff02::1"), 9 };
    g_assert_cmpint(sim_sock_sendto(s, "x", 1, &to), <, 0);
    sim_world_run(x.w, 5 * SIM_SEC);
    for (guint k = 0; k < x.recs->len; k++)
        g_assert_cmpuint(g_array_index(x.recs, rec, k).type, ==, 135); /* only the DAD NS */
    g_assert_cmpint(sim_sock_sendto(s, "x", 1, &to), ==, 0); /* preferred now */
    sim_world_run(x.w, 6 * SIM_SEC);
    const rec *last = &g_array_index(x.recs, rec, x.recs->len - 1);
    g_assert_true(sim_ip_is_link_local6(&last->src));
    fx_clear(&x);
}

/* Two nodes with one MAC start together: the first to send its NS from :: wins; the other
 * hears it while its own address is still tentative (RFC 4862 5.4.3), gives up before sending,
 * and as the address came from the interface ID, IPv6 goes off on that interface (5.4.5). The
 * winner hears nothing: a tentative address is never defended. */
static void test_dad_duplicate_ns(void)
{
    fx x;
    fx_init(&x, 3);
    sim_iface *a = host(&x, "a", SIM_NODE_HOST, same_mac, &auto_all);
    sim_iface *b = host(&x, "b", SIM_NODE_HOST, same_mac, &auto_all);
    sim_world_run(x.w, 20 * SIM_SEC);
    sim_ip ll = ip("fe80::ff:fe00:42");
    g_assert_cmpuint(count(&x, 135), ==, 1);
    g_assert_cmpuint(count(&x, 136), ==, 0);
    sim_iface *win = net_slaac_get_stats(a).dad_ns_sent ? a : b, *lose = win == a ? b : a;
    g_assert_cmpuint(net_slaac_get_stats(lose).dad_ns_sent, ==, 0);
    g_assert_cmpint(state_of(win, &ll), ==, NET_ADDR_PREFERRED);
    g_assert_cmpint(state_of(lose, &ll), ==, NET_ADDR_DUPLICATE);
    g_assert_true(net_slaac_disabled(lose));
    g_assert_false(net_slaac_disabled(win));
    g_assert_null(sim_iface_addr(lose, SIM_AF_INET6));
    g_assert_cmpuint(net_slaac_get_stats(lose).dad_failed, ==, 1);
    g_assert_cmpuint(count(&x, 133), ==, 3); /* RSs from the winner only */
    g_assert_cmpuint(net_slaac_get_stats(lose).rs_sent, ==, 0);
    fx_clear(&x);
}

/* A late-comer with the MAC of a configured node: the owner defends with an NA to all-nodes
 * (RFC 4861 7.2.4) and the late-comer's address is a duplicate (RFC 4862 5.4.4). */
static void test_dad_duplicate_na(void)
{
    fx x;
    fx_init(&x, 4);
    sim_iface *a = host(&x, "a", SIM_NODE_HOST, same_mac, &dad_only);
    sim_world_run(x.w, 3 * SIM_SEC);
    sim_iface *b = host(&x, "b", SIM_NODE_HOST, same_mac, &dad_only);
    sim_world_run(x.w, 10 * SIM_SEC);
    sim_ip ll = ip("fe80::ff:fe00:42");
    g_assert_cmpint(state_of(a, &ll), ==, NET_ADDR_PREFERRED);
    g_assert_cmpint(state_of(b, &ll), ==, NET_ADDR_DUPLICATE);
    g_assert_false(net_slaac_disabled(a));
    g_assert_true(net_slaac_disabled(b));
    const rec *na = nth(&x, 136, &ll, 0);
    g_assert_nonnull(na);
    g_assert_cmpstr(sim_ip_fmt(&na->dst, (char[SIM_IP_STRLEN]){ 0 }, SIM_IP_STRLEN), ==,
                    "ff02::1");
    /* An NS from a unicast source for a tentative address is ignored (5.4.3): b's DAD
     * was decided by the NA alone. */
    g_assert_cmpuint(count(&x, 136), ==, 1);
    fx_clear(&x);
}

/* RFC 4861 6.3.7: three RSs, RTR_SOLICITATION_INTERVAL apart, the first as soon as the
 * link-local is preferred. */
static void test_rs_timing(void)
{
    fx x;
    fx_init(&x, 5);
    sim_iface *h = host(&x, "h", SIM_NODE_HOST, NULL, &auto_all);
    sim_world_run(x.w, 60 * SIM_SEC);
    g_assert_cmpuint(count(&x, 133), ==, 3);
    const rec *ns = nth(&x, 135, NULL, 0), *rs0 = nth(&x, 133, NULL, 0);
    g_assert_cmpuint(rs0->t, ==, ns->t + NET_RETRANS_TIMER);
    for (unsigned k = 1; k < 3; k++)
        g_assert_cmpuint(nth(&x, 133, NULL, k)->t - nth(&x, 133, NULL, k - 1)->t, ==,
                         NET_RTR_SOLICITATION_INTERVAL);
    g_assert_true(sim_ip_is_link_local6(&rs0->src));
    g_assert_cmpstr(sim_ip_fmt(&rs0->dst, (char[SIM_IP_STRLEN]){ 0 }, SIM_IP_STRLEN), ==,
                    "ff02::2");
    g_assert_cmpuint(net_slaac_get_stats(h).rs_sent, ==, 3);
    fx_clear(&x);

    /* Without DAD there was no random delay yet: the first RS waits 0..1 s itself. */
    fx_init(&x, 5);
    host(&x, "h", SIM_NODE_HOST, NULL, &(net_slaac_opts){ .slaac = true });
    sim_world_run(x.w, 60 * SIM_SEC);
    g_assert_cmpuint(count(&x, 135), ==, 0);
    g_assert_cmpuint(count(&x, 133), ==, 3);
    g_assert_cmpuint(nth(&x, 133, NULL, 0)->t - SIM_MS, <=, NET_MAX_RTR_SOLICITATION_DELAY);
    g_assert_cmpuint(nth(&x, 133, NULL, 0)->t, >, SIM_MS);
    fx_clear(&x);
}

static net_ra_opts ra_opts(const char *prefix, uint32_t valid, uint32_t pref, sim_time_t max)
{
    net_ra_opts o = { .max_interval = max, .router_lifetime = -1, .n_prefixes = 1 };
    unsigned plen;
    g_assert_cmpint(sim_prefix_parse(prefix, &o.prefixes[0].prefix, &plen), ==, 0);
    o.prefixes[0] = (net_ra_prefix){ o.prefixes[0].prefix, plen, true, true, valid, pref };
    return o;
}

/* Unsolicited RAs: the gaps lie in [MinRtrAdvInterval, MaxRtrAdvInterval] (Min = 0.33 Max); the
 * gaps after the first two of the MAX_INITIAL_RTR_ADVERTISEMENTS are at most 16 s. */
static void test_ra_intervals(void)
{
    fx x;
    fx_init(&x, 6);
    sim_iface *r = host(&x, "r", SIM_NODE_ROUTER, NULL, NULL);
    net_ra_opts o = ra_opts("2001:db8:1::/64", 3600, 1800, 30 * SIM_SEC);
    g_assert_cmpint(net_ra_advertise(r, &o), ==, 0);
    sim_world_run(x.w, 600 * SIM_SEC);
    unsigned n = count(&x, 134);
    g_assert_cmpuint(n, >=, 20);
    g_assert_cmpuint(nth(&x, 134, NULL, 0)->t, ==, SIM_MS); /* at once, 1 ms on the wire */
    for (unsigned k = 1; k < n; k++) {
        sim_time_t gap = nth(&x, 134, NULL, k)->t - nth(&x, 134, NULL, k - 1)->t;
        g_assert_cmpuint(gap, >=, 30 * SIM_SEC * 33 / 100);
        g_assert_cmpuint(gap, <=, k <= 2 ? NET_MAX_INITIAL_RTR_ADVERT_INTERVAL : 30 * SIM_SEC);
    }
    g_assert_cmpuint(net_ra_get_stats(r).ra_sent, ==, n);
    fx_clear(&x);
}

static void inject(sim_iface *i, const uint8_t *f, size_t len)
{
    sim_pkt *p = sim_pkt_alloc(sim_world_pool(i->node->world));
    memcpy(sim_pkt_put(p, len), f, len);
    net_eth_input(i, p);
}

/* Builds an ND frame to `dst` (ICMPv6 body from byte 4 given) with a correct checksum. */
static size_t nd_frame(uint8_t *f, const char *src, const char *dst, uint8_t hlim,
                       const uint8_t *icmp, size_t len)
{
    sim_ip s = ip(src), d = ip(dst);
    uint8_t mac[6];
    net_mcast_mac6(&d, mac);
    memset(f, 0, 14 + 40);
    memcpy(f, mac, 6);
    f[6] = 0x02;
    f[12] = 0x86;
    f[13] = 0xdd;
    f[14] = 0x60;
    f[18] = (uint8_t)(len >> 8);
    f[19] = (uint8_t)len;
    f[20] = 58;
    f[21] = hlim;
    memcpy(f + 22, s.b, 16);
    memcpy(f + 38, d.b, 16);
    memcpy(f + 54, icmp, len);
    f[56] = f[57] = 0;
    uint32_t sum = net_csum_pseudo6(s.b, d.b, 58, (uint32_t)len);
    uint16_t c = net_csum_fold(net_csum_add(sum, f + 54, len));
    f[56] = (uint8_t)(c >> 8);
    f[57] = (uint8_t)c;
    return 14 + 40 + len;
}

/* RS -> RA after at most MAX_RA_DELAY_TIME, but not within MIN_DELAY_BETWEEN_RAS of the last
 * multicast RA; the host gets a default router, an on-link prefix and a SLAAC address (after
 * its own DAD), and stops soliciting. */
static void test_ra_solicited_and_slaac(void)
{
    fx x;
    fx_init(&x, 7);
    sim_iface *r = host(&x, "r", SIM_NODE_ROUTER, NULL, NULL);
    net_ra_opts o = ra_opts("2001:db8:1::/64", 3600, 1800, 600 * SIM_SEC);
    g_assert_cmpint(net_ra_advertise(r, &o), ==, 0);
    sim_world_run(x.w, 100 * SIM_SEC); /* the initial RAs are over (at most 16 s apart) */
    g_array_set_size(x.recs, 0);
    sim_iface *h = host(&x, "h", SIM_NODE_HOST, same_mac, &auto_all);
    sim_world_run(x.w, 130 * SIM_SEC);
    g_assert_cmpuint(count(&x, 133), ==, 1); /* answered: no second RS */
    const rec *rs = nth(&x, 133, NULL, 0), *ra = nth(&x, 134, NULL, 0);
    g_assert_nonnull(ra);
    g_assert_cmpuint(ra->t, >, rs->t);
    g_assert_cmpuint(ra->t - rs->t, <=, NET_MAX_RA_DELAY_TIME);
    net_slaac_addr_info g;
    g_assert_true(addr_of(h, NET_ORIGIN_SLAAC, &g));
    g_assert_cmpint(g.state, ==, NET_ADDR_PREFERRED);
    g_assert_cmpstr(sim_ip_fmt(&g.ip, (char[SIM_IP_STRLEN]){ 0 }, SIM_IP_STRLEN), ==,
                    "2001:db8:1::ff:fe00:42");
    g_assert_cmpuint(g.valid_until, ==, ra->t + 3600 * SIM_SEC);
    g_assert_cmpuint(g.preferred_until, ==, ra->t + 1800 * SIM_SEC);
    g_assert_cmpuint(count(&x, 135), ==, 2); /* DAD for the link-local, then for the global */
    const sim_route *def = sim_node_route(h->node, &(sim_ip){ .family = SIM_AF_INET6,
                                                              .b = { 0x20, 0x01, 0x0d, 0xb9 } });
    g_assert_nonnull(def);
    g_assert_true(sim_ip_is_link_local6(&def->gw));
    const sim_route *onlink = sim_node_route(h->node, &g.ip);
    g_assert_cmpuint(onlink->plen, ==, 64);
    g_assert_cmpint(onlink->gw.family, ==, SIM_AF_NONE);
    /* Global traffic leaves from the SLAAC address. */
    sim_ip src;
    g_assert_cmpint(net_select_src(h->node, &(sim_ip){ .family = SIM_AF_INET6,
                                                       .b = { 0x20, 0x01, 0x0d, 0xb9 } },
                                   &src), ==, 0);
    g_assert_true(sim_ip_eq(&src, &g.ip));
    fx_clear(&x);

    /* An RS soon after a multicast RA: the answer waits for MIN_DELAY_BETWEEN_RAS. */
    fx_init(&x, 7);
    r = host(&x, "r", SIM_NODE_ROUTER, NULL, NULL);
    g_assert_cmpint(net_ra_advertise(r, &o), ==, 0);
    sim_world_run(x.w, 16 * SIM_SEC + SIM_MS + SIM_MS / 2); /* the second initial RA */
    g_assert_cmpuint(count(&x, 134), ==, 2);
    uint8_t f[128], rsb[16] = { 133, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 0, 0, 0, 0, 9 };
    inject(r, f, nd_frame(f, "fe80::9", "ff02::2", 255, rsb, sizeof rsb));
    sim_world_run(x.w, 20 * SIM_SEC);
    g_assert_cmpuint(count(&x, 134), ==, 3);
    g_assert_cmpuint(nth(&x, 134, NULL, 2)->t, ==, 16 * SIM_SEC + 3 * SIM_SEC + SIM_MS);
    g_assert_cmpuint(net_ra_get_stats(r).rs_rx, ==, 1);
    fx_clear(&x);
}

/* Preferred lifetime over: deprecated; valid lifetime over: gone; a router lifetime over:
 * the default route goes. */
static void test_lifetimes(void)
{
    fx x;
    fx_init(&x, 8);
    sim_iface *r = host(&x, "r", SIM_NODE_ROUTER, NULL, NULL);
    net_ra_opts o = ra_opts("2001:db8:2::/64", 40, 20, 1800 * SIM_SEC);
    o.router_lifetime = 30;
    sim_iface *h = host(&x, "h", SIM_NODE_HOST, NULL, &auto_all);
    sim_world_run(x.w, 3 * SIM_SEC); /* the host is ready, the router starts now */
    g_assert_cmpint(net_ra_advertise(r, &o), ==, 0);
    sim_world_run(x.w, 5 * SIM_SEC);
    net_ra_stop(r);
    /* Stopping sent an RA with router lifetime 0: the default router is gone at once. */
    sim_world_run(x.w, 6 * SIM_SEC);
    sim_ip dst = ip("2001:db8:99::1");
    g_assert_null(sim_node_route(h->node, &dst));
    net_slaac_addr_info g;
    g_assert_true(addr_of(h, NET_ORIGIN_SLAAC, &g));
    sim_time_t t_ra = g.valid_until - 40 * SIM_SEC;
    g_assert_cmpuint(g.preferred_until, ==, t_ra + 20 * SIM_SEC);
    sim_world_run(x.w, t_ra + 20 * SIM_SEC - 1);
    g_assert_cmpint(state_of(h, &g.ip), ==, NET_ADDR_PREFERRED);
    sim_world_run(x.w, t_ra + 20 * SIM_SEC);
    g_assert_cmpint(state_of(h, &g.ip), ==, NET_ADDR_DEPRECATED);
    g_assert_true(sim_node_has_addr(h->node, &g.ip)); /* still answered for */
    sim_world_run(x.w, t_ra + 40 * SIM_SEC);
    g_assert_cmpint(state_of(h, &g.ip), ==, -1);
    g_assert_false(sim_node_has_addr(h->node, &g.ip));
    g_assert_null(sim_node_route(h->node, &g.ip)); /* the on-link prefix expired too */
    fx_clear(&x);
}

/* RFC 4862 5.5.3 (e): an RA can shorten a valid lifetime only down to two hours. */
static void test_two_hour_rule(void)
{
    fx x;
    fx_init(&x, 9);
    sim_iface *r = host(&x, "r", SIM_NODE_ROUTER, NULL, NULL);
    sim_iface *h = host(&x, "h", SIM_NODE_HOST, NULL, &auto_all);
    sim_world_run(x.w, 3 * SIM_SEC);
    net_ra_opts o = ra_opts("2001:db8:3::/64", 3 * 3600, 3600, 1800 * SIM_SEC);
    g_assert_cmpint(net_ra_advertise(r, &o), ==, 0);
    sim_world_run(x.w, 10 * SIM_SEC);
    o.prefixes[0].valid = 60;
    o.prefixes[0].preferred = 30;
    g_assert_cmpint(net_ra_advertise(r, &o), ==, 0); /* sends at once */
    sim_world_run(x.w, 11 * SIM_SEC);
    net_slaac_addr_info g;
    g_assert_true(addr_of(h, NET_ORIGIN_SLAAC, &g));
    sim_time_t t2 = nth(&x, 134, NULL, count(&x, 134) - 1)->t;
    g_assert_cmpuint(g.valid_until, ==, t2 + NET_TWO_HOURS);
    g_assert_cmpuint(g.preferred_until, ==, t2 + 30 * SIM_SEC);
    /* With two hours or less left, a shorter valid lifetime is ignored. */
    sim_world_run(x.w, t2 + 3600 * SIM_SEC);
    g_assert_cmpint(net_ra_advertise(r, &o), ==, 0);
    sim_world_run(x.w, t2 + 3601 * SIM_SEC);
    net_slaac_addr_info g2;
    g_assert_true(addr_of(h, NET_ORIGIN_SLAAC, &g2));
    g_assert_cmpuint(g2.valid_until, ==, g.valid_until);
    fx_clear(&x);
}

/* RFC 7217: one ID per (seed, node, interface, prefix, counter); another prefix or seed, another
 * ID; the SLAAC address uses it instead of the MAC. */
static void test_stable_iid(void)
{
    uint8_t a[8], b[8], c[8], d[8], e[8];
    sim_ip p1 = ip("2001:db8:1::"), p2 = ip("2001:db8:2::");
    fx x;
    fx_init(&x, 10);
    sim_iface *h = host(&x, "h", SIM_NODE_HOST, NULL, NULL);
    g_assert_cmpint(net_slaac_iid(h, NET_IID_STABLE, &p1, 0, a), ==, 0);
    g_assert_cmpint(net_slaac_iid(h, NET_IID_STABLE, &p2, 0, b), ==, 0);
    g_assert_cmpint(net_slaac_iid(h, NET_IID_STABLE, &p1, 1, c), ==, 0);
    g_assert_cmpint(net_slaac_iid(h, NET_IID_FIXED, &p1, 0, e), ==, -EINVAL);
    fx_clear(&x);
    fx_init(&x, 10);
    h = host(&x, "h", SIM_NODE_HOST, NULL, NULL);
    g_assert_cmpint(net_slaac_iid(h, NET_IID_STABLE, &p1, 0, d), ==, 0);
    fx_clear(&x);
    g_assert_cmpmem(a, 8, d, 8);
    g_assert_true(memcmp(a, b, 8) != 0 && memcmp(a, c, 8) != 0);
    fx_init(&x, 11);
    h = host(&x, "h", SIM_NODE_HOST, NULL, NULL);
    g_assert_cmpint(net_slaac_iid(h, NET_IID_STABLE, &p1, 0, e), ==, 0);
    g_assert_true(memcmp(a, e, 8) != 0);
    /* The link-local address of a stable interface is fe80:: + F(fe80::, ...). */
    net_slaac_opts so = { .dad = true, .iid = NET_IID_STABLE };
    g_assert_cmpint(net_slaac_configure(h, &so), ==, 0);
    sim_world_run(x.w, 3 * SIM_SEC);
    uint8_t lliid[8];
    net_slaac_iid(h, NET_IID_STABLE, &(sim_ip){ .family = SIM_AF_INET6, .b = { 0xfe, 0x80 } },
                  0, lliid);
    const sim_ip *ll = sim_iface_addr(h, SIM_AF_INET6);
    g_assert_nonnull(ll);
    g_assert_cmpmem(ll->b + 8, 8, lliid, 8);
    fx_clear(&x);
}

/* A stable link-local that collides retries with DAD_Counter + 1 instead of giving up. */
static void test_stable_retry(void)
{
    fx x;
    fx_init(&x, 12);
    net_slaac_opts so = { .dad = true, .iid = NET_IID_STABLE };
    sim_iface *h = host(&x, "h", SIM_NODE_HOST, NULL, &so);
    uint8_t iid0[8];
    net_slaac_iid(h, NET_IID_STABLE, &(sim_ip){ .family = SIM_AF_INET6, .b = { 0xfe, 0x80 } }, 0,
                  iid0);
    /* A squatter holds that address already (no DAD, a fixed interface ID). */
    net_slaac_opts fixed = { .iid = NET_IID_FIXED };
    memcpy(fixed.fixed_iid, iid0, 8);
    host(&x, "squatter", SIM_NODE_HOST, NULL, &fixed);
    sim_world_run(x.w, 10 * SIM_SEC);
    g_assert_false(net_slaac_disabled(h));
    g_assert_cmpuint(net_slaac_get_stats(h).dad_failed, ==, 1);
    const sim_ip *ll = sim_iface_addr(h, SIM_AF_INET6);
    g_assert_nonnull(ll);
    g_assert_true(memcmp(ll->b + 8, iid0, 8) != 0);
    fx_clear(&x);
}

/* RFC 7527: our own DAD probe coming back (same nonce) is not a duplicate; the same probe with
 * another nonce is someone else's. */
static void test_dad_own_nonce(void)
{
    fx x;
    fx_init(&x, 15);
    sim_iface *h = host(&x, "h", SIM_NODE_HOST, same_mac, &dad_only);
    while (count(&x, 135) == 0)
        sim_world_run(x.w, sim_world_now(x.w) + SIM_MS);
    sim_ip ll = ip("fe80::ff:fe00:42");
    const rec *ns = nth(&x, 135, NULL, 0);
    uint8_t body[32], f[128];
    memcpy(body, ns->f + 54, sizeof body);
    inject(h, f, nd_frame(f, "::", "ff02::1:ff00:42", 255, body, sizeof body));
    g_assert_cmpint(state_of(h, &ll), ==, NET_ADDR_TENTATIVE);
    body[31] ^= 1;
    inject(h, f, nd_frame(f, "::", "ff02::1:ff00:42", 255, body, sizeof body));
    g_assert_cmpint(state_of(h, &ll), ==, NET_ADDR_DUPLICATE);
    fx_clear(&x);
}

/* Malformed RA / RS / NS are dropped with reason "malformed" and change nothing. */
static void test_malformed(void)
{
    fx x;
    fx_init(&x, 13);
    sim_iface *r = host(&x, "r", SIM_NODE_ROUTER, NULL, NULL);
    net_ra_opts o = ra_opts("2001:db8:1::/64", 3600, 1800, 600 * SIM_SEC);
    g_assert_cmpint(net_ra_advertise(r, &o), ==, 0);
    sim_iface *h = host(&x, "h", SIM_NODE_HOST, NULL, &auto_all);
    sim_world_run(x.w, 1); /* not yet configured from the router */
    uint8_t f[200];
    /* RA: PIO with length 3 (must be 4). */
    uint8_t ra[16 + 24] = { 134, 0, 0, 0, 64, 0, 0x07, 0x08 };
    ra[16] = 3;
    ra[17] = 3;
    uint64_t before = h->node->drops[SIM_DROP_MALFORMED];
    inject(h, f, nd_frame(f, "fe80::1", "ff02::1", 255, ra, sizeof ra));
    /* RA: option of length 0. */
    ra[17] = 0;
    inject(h, f, nd_frame(f, "fe80::1", "ff02::1", 255, ra, sizeof ra));
    /* RA: from a global address, and with hop limit 254. */
    uint8_t ra_ok[16] = { 134, 0, 0, 0, 64, 0, 0x07, 0x08 };
    inject(h, f, nd_frame(f, "2001:db8::1", "ff02::1", 255, ra_ok, sizeof ra_ok));
    inject(h, f, nd_frame(f, "fe80::1", "ff02::1", 254, ra_ok, sizeof ra_ok));
    /* RA too short. */
    inject(h, f, nd_frame(f, "fe80::1", "ff02::1", 255, ra_ok, 12));
    g_assert_cmpuint(h->node->drops[SIM_DROP_MALFORMED] - before, ==, 5);
    g_assert_cmpuint(net_slaac_get_stats(h).ra_rx, ==, 0);
    /* RS: from :: with a source link-layer option; option of length 0; code 1. */
    uint8_t rs[16] = { 133, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 0, 0, 0, 0, 1 };
    before = r->node->drops[SIM_DROP_MALFORMED];
    inject(r, f, nd_frame(f, "::", "ff02::2", 255, rs, sizeof rs));
    rs[9] = 0;
    inject(r, f, nd_frame(f, "fe80::9", "ff02::2", 255, rs, sizeof rs));
    rs[9] = 1;
    rs[1] = 1;
    inject(r, f, nd_frame(f, "fe80::9", "ff02::2", 255, rs, sizeof rs));
    g_assert_cmpuint(r->node->drops[SIM_DROP_MALFORMED] - before, ==, 3);
    g_assert_cmpuint(net_ra_get_stats(r).rs_rx, ==, 0);
    /* NS from :: to a unicast address, and one with a zero-length option. */
    net_slaac_addr_info ll;
    g_assert_true(addr_of(h, NET_ORIGIN_LINK_LOCAL, &ll));
    uint8_t ns[32] = { 135 };
    memcpy(ns + 8, ll.ip.b, 16);
    before = h->node->drops[SIM_DROP_MALFORMED];
    inject(h, f, nd_frame(f, "::", "ff02::1", 255, ns, 24));
    sim_ip sn;
    char sns[SIM_IP_STRLEN];
    uint8_t snb[16] = { 0xff, 0x02, [11] = 1, [12] = 0xff, ll.ip.b[13], ll.ip.b[14], ll.ip.b[15] };
    sn = sim_ip6(snb);
    sim_ip_fmt(&sn, sns, sizeof sns);
    ns[24] = 14;
    ns[25] = 0;
    inject(h, f, nd_frame(f, "::", sns, 255, ns, 32));
    g_assert_cmpuint(h->node->drops[SIM_DROP_MALFORMED] - before, ==, 2);
    g_assert_cmpint(ll.state, ==, NET_ADDR_TENTATIVE);
    g_assert_cmpint(state_of(h, &ll.ip), ==, NET_ADDR_TENTATIVE); /* not taken for DAD */
    /* A well-formed NS from :: for the tentative address is another node's DAD. */
    inject(h, f, nd_frame(f, "::", sns, 255, ns, 24));
    g_assert_cmpint(state_of(h, &ll.ip), ==, NET_ADDR_DUPLICATE);
    fx_clear(&x);
}

/* Option checks: a router only, Min <= 0.75 Max, router lifetime <= 9000 s. */
static void test_bad_config(void)
{
    fx x;
    fx_init(&x, 14);
    sim_iface *h = host(&x, "h", SIM_NODE_HOST, NULL, NULL);
    sim_iface *r = host(&x, "r", SIM_NODE_ROUTER, NULL, NULL);
    net_ra_opts o = ra_opts("2001:db8:1::/64", 3600, 1800, 10 * SIM_SEC);
    g_assert_cmpint(net_ra_advertise(h, &o), ==, -EINVAL);
    o.min_interval = 9 * SIM_SEC;
    g_assert_cmpint(net_ra_advertise(r, &o), ==, -EINVAL);
    o.min_interval = 0;
    o.router_lifetime = 9001;
    g_assert_cmpint(net_ra_advertise(r, &o), ==, -EINVAL);
    o.router_lifetime = -1;
    o.prefixes[0].preferred = 7200;
    g_assert_cmpint(net_ra_advertise(r, &o), ==, -EINVAL);
    g_assert_cmpint(net_slaac_configure(h, &(net_slaac_opts){ .iid = NET_IID_FIXED }), ==,
                    -EINVAL);
    fx_clear(&x);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/slaac/dad/timing", test_dad_timing);
    g_test_add_func("/slaac/dad/tentative-not-source", test_tentative_not_source);
    g_test_add_func("/slaac/dad/duplicate-ns", test_dad_duplicate_ns);
    g_test_add_func("/slaac/dad/duplicate-na", test_dad_duplicate_na);
    g_test_add_func("/slaac/rs/timing", test_rs_timing);
    g_test_add_func("/slaac/ra/intervals", test_ra_intervals);
    g_test_add_func("/slaac/ra/solicited-and-slaac", test_ra_solicited_and_slaac);
    g_test_add_func("/slaac/lifetimes", test_lifetimes);
    g_test_add_func("/slaac/two-hour-rule", test_two_hour_rule);
    g_test_add_func("/slaac/iid/stable", test_stable_iid);
    g_test_add_func("/slaac/iid/stable-retry", test_stable_retry);
    g_test_add_func("/slaac/dad/own-nonce", test_dad_own_nonce);
    g_test_add_func("/slaac/malformed", test_malformed);
    g_test_add_func("/slaac/bad-config", test_bad_config);
    return g_test_run();
}
