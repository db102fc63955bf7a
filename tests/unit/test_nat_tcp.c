/* tests/unit/test_nat_tcp.c — TCP through a NAT (RFC 5382): mappings made only by outbound
 * SYN, per-remote sessions with established / transitory timeouts, filtering, what unsolicited
 * SYNs get (drop, RST, ICMP after the REQ-4 hold, or silence when an outbound SYN crossed them),
 * hairpinning, ICMP errors about TCP, the printed table and the Lua fields. Real IPv4/TCP
 * packets built with the stack's segment codec go through a NAT node in a small world. */
#include <errno.h>
#include <malloc.h>
#include <lauxlib.h>
#include <lua.h>
#include "sim/lua/simlua.h"
#include "sim/stack/tcp.h"
#include "nat_gfx.h"

#define R1 "138.76.29.7:80"
#define SEC SIM_SEC

/* ---- the pure table ---- */

typedef struct tt {
    nat_config cfg;
    sim_rng rng;
    nat_table *t;
    sim_ep in, r;
    sim_ep out; /* OUT_IP:1211 (port preservation) */
} tt;

static void tt_open(tt *f)
{
    sim_rng_seed(&f->rng, 1);
    sim_ip o = ip4(OUT_IP);
    f->t = nat_table_new(&f->cfg, &o, &f->rng);
    f->in = ep(IN);
    f->r = ep(R1);
    f->out = ep(OUT_IP ":1211");
}

static nat_entry *tout(tt *f, sim_time_t now, const sim_ep *r, uint8_t flags)
{
    nat_entry *e = NULL;
    g_assert_cmpint(nat_table_tcp_out(f->t, now, &f->in, r, flags, &e), ==, 0);
    return e;
}

static nat_entry *tin(tt *f, sim_time_t now, const sim_ep *r, uint8_t flags)
{
    nat_entry *e = NULL;
    g_assert_cmpint(nat_table_tcp_in(f->t, now, r, &f->out, flags, &e), ==, NAT_IN_OK);
    return e;
}

/* Every state, each with the timeout its class asks for, to the exact nanosecond. */
static void test_table_states(void)
{
    tt f;
    nat_config_default(&f.cfg);
    tt_open(&f);
    const sim_time_t T = f.cfg.tcp_transitory, E = f.cfg.tcp_established;
    nat_entry *e = NULL;
    /* only a SYN makes a mapping (RFC 5382 §4) */
    g_assert_cmpint(nat_table_tcp_out(f.t, 0, &f.in, &f.r, TCP_ACK, &e), ==, -ENOENT);
    g_assert_cmpint(nat_table_tcp_in(f.t, 0, &f.r, &f.out, TCP_SYN, &e), ==, NAT_IN_NO_MAPPING);
    g_assert_cmpuint(nat_table_size(f.t), ==, 0);
    e = tout(&f, 10 * SEC, &f.r, TCP_SYN);
    g_assert_cmpuint(e->outside.port, ==, 1211);
    g_assert_cmpint(e->tcp_state, ==, NAT_TCP_SYN_SENT);
    g_assert_cmpuint(e->sessions, ==, 1);
    g_assert_cmpuint(e->expires, ==, 10 * SEC + T); /* transitory */
    e = tin(&f, 11 * SEC, &f.r, TCP_SYN | TCP_ACK);
    g_assert_cmpint(e->tcp_state, ==, NAT_TCP_ESTABLISHED);
    g_assert_cmpuint(e->expires, ==, 11 * SEC + E);
    e = tout(&f, 20 * SEC, &f.r, TCP_FIN | TCP_ACK); /* half-closed keeps the long timeout */
    g_assert_cmpint(e->tcp_state, ==, NAT_TCP_FIN_WAIT);
    g_assert_cmpuint(e->expires, ==, 20 * SEC + E);
    e = tin(&f, 21 * SEC, &f.r, TCP_FIN | TCP_ACK);
    g_assert_cmpint(e->tcp_state, ==, NAT_TCP_CLOSING);
    g_assert_cmpuint(e->expires, ==, 21 * SEC + T);
    e = tout(&f, 22 * SEC, &f.r, TCP_ACK);
    g_assert_cmpuint(e->expires, ==, 22 * SEC + T);
    g_assert_cmpuint(nat_table_next_expiry(f.t), ==, 22 * SEC + T);
    g_assert_cmpuint(nat_table_expire(f.t, 22 * SEC + T - 1), ==, 0);
    g_assert_cmpuint(nat_table_expire(f.t, 22 * SEC + T), ==, 1);
    g_assert_cmpuint(nat_table_next_expiry(f.t), ==, SIM_TIME_NEVER);

    /* RST closes (transitory); a new SYN on the same endpoints starts over */
    tout(&f, 300 * SEC, &f.r, TCP_SYN);
    tin(&f, 301 * SEC, &f.r, TCP_SYN | TCP_ACK);
    e = tin(&f, 302 * SEC, &f.r, TCP_RST);
    g_assert_cmpint(e->tcp_state, ==, NAT_TCP_CLOSED);
    g_assert_cmpuint(e->expires, ==, 302 * SEC + T);
    e = tout(&f, 303 * SEC, &f.r, TCP_SYN);
    g_assert_cmpint(e->tcp_state, ==, NAT_TCP_SYN_SENT);
    /* APDF: another port of the remote is filtered, even with a SYN */
    sim_ep r2 = ep("138.76.29.7:81");
    g_assert_cmpint(nat_table_tcp_in(f.t, 304 * SEC, &r2, &f.out, TCP_SYN, &e), ==,
                    NAT_IN_FILTERED);
    g_assert_cmpuint(e->sessions, ==, 1);
    GString *s = g_string_new(NULL);
    nat_entry_fmt(e, 304 * SEC, s);
    g_assert_cmpstr(s->str, ==, "tcp 192.168.60.153:1211->68.36.210.57:1211 syn-sent (1 session) "
                                "permits 138.76.29.7:80 expires +239.0s");
    g_string_free(s, TRUE);
    nat_table_free(f.t);
}

/* EIM: one mapping, one session per remote; the mapping lives as long as its longest session. */
static void test_table_eim_sessions(void)
{
    tt f;
    nat_config_default(&f.cfg);
    tt_open(&f);
    const sim_time_t T = f.cfg.tcp_transitory, E = f.cfg.tcp_established;
    sim_ep r2 = ep("1.2.3.4:443");
    nat_entry *e1 = tout(&f, 0, &f.r, TCP_SYN);
    tin(&f, 0, &f.r, TCP_SYN | TCP_ACK);
    nat_entry *e2 = tout(&f, SEC, &r2, TCP_SYN);
    g_assert_true(e1 == e2); /* RFC 5382 REQ-1: endpoint-independent mapping */
    g_assert_cmpuint(e1->sessions, ==, 2);
    tin(&f, SEC, &r2, TCP_RST);
    g_assert_cmpuint(e1->expires, ==, E); /* the established session's */
    GPtrArray *ss = nat_table_sessions(f.t, e1);
    g_assert_cmpuint(ss->len, ==, 2);
    const nat_session *s0 = ss->pdata[0], *s1 = ss->pdata[1];
    g_assert_true(sim_ep_eq(&s0->remote, &f.r));
    g_assert_cmpint(s0->state, ==, NAT_TCP_ESTABLISHED);
    g_assert_true(sim_ep_eq(&s1->remote, &r2));
    g_assert_cmpint(s1->state, ==, NAT_TCP_CLOSED);
    g_assert_cmpuint(s1->expires, ==, SEC + T);
    g_ptr_array_unref(ss);
    /* the reset session goes at its transitory timeout, the mapping stays */
    g_assert_cmpuint(nat_table_expire(f.t, SEC + T), ==, 0);
    g_assert_cmpuint(nat_table_size(f.t), ==, 1);
    g_assert_cmpuint(e1->sessions, ==, 1);
    g_assert_cmpuint(nat_table_expire(f.t, E - 1), ==, 0);
    g_assert_cmpuint(nat_table_expire(f.t, E), ==, 1);
    g_assert_cmpuint(nat_table_size(f.t), ==, 0);
    nat_table_free(f.t);

    /* APDM: each remote gets its own mapping and port */
    f.cfg.mapping = NAT_MAP_APDM;
    tt_open(&f);
    e1 = tout(&f, 0, &f.r, TCP_SYN);
    e2 = tout(&f, 0, &r2, TCP_SYN);
    g_assert_true(e1 != e2);
    g_assert_cmpuint(e1->outside.port, !=, e2->outside.port);
    g_assert_cmpuint(nat_table_size(f.t), ==, 2);
    nat_table_free(f.t); /* frees live sessions too */
}

/* Heap bytes per TCP mapping with one established session (DESIGN §9), and no allocation on
 * the per-segment path once the session exists. */
static void test_table_memory(void)
{
    tt f;
    nat_config_default(&f.cfg);
    const uint32_t n = 50000;
    struct mallinfo2 m0 = mallinfo2();
    tt_open(&f);
    for (uint32_t k = 0; k < n; k++) {
        f.in = (sim_ep){ .ip = sim_ip4(0x0A000000u + k), .port = 40000 };
        tout(&f, 0, &f.r, TCP_SYN);
    }
    struct mallinfo2 m1 = mallinfo2();
    size_t per = (m1.uordblks + m1.hblkhd - m0.uordblks - m0.hblkhd) / n;
    for (uint32_t k = 0; k < n; k++) {
        f.in = (sim_ep){ .ip = sim_ip4(0x0A000000u + k), .port = 40000 };
        f.out = tout(&f, SEC, &f.r, TCP_ACK)->outside;
        tin(&f, SEC, &f.r, TCP_SYN | TCP_ACK);
    }
    struct mallinfo2 m2 = mallinfo2();
    g_assert_cmpuint(m2.uordblks + m2.hblkhd, ==, m1.uordblks + m1.hblkhd);
    g_test_message("tcp mapping with one session: sizeof(nat_entry) %zu, sizeof(nat_session) "
                   "%zu; heap %zu bytes per mapping (APDF, hash sets included)",
                   sizeof(nat_entry), sizeof(nat_session), per);
    g_assert_cmpuint(per, <, 700);
    nat_table_free(f.t);
}

/* ---- the gateway in a world: NAT "NA" plus a remote host R (68.36.210.1) on "wan" ---- */

typedef struct cap {
    sim_time_t t;
    size_t len;
    uint8_t b[1600]; /* the IPv4 packet */
} cap;

typedef struct wfx {
    gfx x;
    sim_node *r;
    GArray *cap; /* of cap: IPv4 packets delivered to R */
} wfx;

static void wfx_tap(void *ctx, const sim_link *l, const sim_iface *to, const sim_pkt *frame,
                    sim_time_t t)
{
    wfx *f = ctx;
    if (to->node != f->r || frame->len <= 14 || rd16(frame->data + 12) != NET_ETHERTYPE_IPV4)
        return;
    cap c = { .t = t, .len = MIN(frame->len - 14, sizeof c.b) };
    memcpy(c.b, frame->data + 14, c.len);
    g_array_append_val(f->cap, c);
}

static void wfx_open(wfx *f, const nat_config *c)
{
    GError *err = NULL;
    gfx_open(&f->x, c, false);
    f->r = sim_node_new(f->x.w, "R", SIM_NODE_HOST, &err);
    g_assert_no_error(err);
    sim_link *wan = sim_world_link(f->x.w, "wan");
    sim_iface *ri = sim_node_attach(f->r, wan, NULL, &err);
    g_assert_no_error(err);
    sim_ip rip = ip4("68.36.210.1");
    g_assert_cmpint(sim_iface_add_addr(ri, &rip, 24), ==, 0);
    f->cap = g_array_new(FALSE, FALSE, sizeof(cap));
    sim_link_set_tap(wan, wfx_tap, f);
}

static void wfx_close(wfx *f)
{
    g_array_free(f->cap, TRUE);
    gfx_close(&f->x);
}

/* wfx_open with the default NAT config but for what unsolicited SYNs get; returns &f->x. */
static gfx *wfx_default(wfx *f, nat_unsolicited unsolicited)
{
    nat_config c;
    nat_config_default(&c);
    c.unsolicited = unsolicited;
    wfx_open(f, &c);
    return &f->x;
}

/* A TCP segment s -> d (an MSS option on SYNs), data at the IPv4 header. */
static sim_pkt *mk_seg(gfx *x, const char *s, const char *d, uint8_t flags, uint32_t seq,
                       uint32_t ack)
{
    sim_ep a = ep(s), b = ep(d);
    tcp_seg seg = { .sport = a.port, .dport = b.port, .seq = seq, .ack = ack, .flags = flags,
                    .wnd = 65535, .mss = (flags & TCP_SYN) ? 1460 : 0 };
    size_t hl = tcp_seg_hlen(&seg), len = 0;
    sim_pkt *p = sim_pkt_alloc(sim_world_pool(x->w));
    uint8_t *ip = sim_pkt_put(p, 20 + hl);
    g_assert_cmpint(tcp_seg_encode(&seg, &a.ip, &b.ip, ip + 20, hl, &len), ==, 0);
    put_ip(ip, &a.ip, &b.ip, NET_PROTO_TCP, len);
    return p;
}

/* The segment of the IPv4 packet at ip, decoded with its checksum verified. */
static tcp_seg seg_of(const uint8_t *ip)
{
    g_assert_true(ip_csum_ok(ip));
    g_assert_cmpuint(ip[9], ==, NET_PROTO_TCP);
    sim_ip s = sim_ip4_bytes(ip + 12), d = sim_ip4_bytes(ip + 16);
    tcp_seg seg;
    g_assert_cmpint(tcp_seg_decode(ip + 20, rd16(ip + 2) - 20u, &s, &d, &seg), ==, 0);
    return seg;
}

/* Feeds s -> d with flags on interface `in`; expects it translated. Returns it (owned). */
static sim_pkt *fwd(gfx *x, sim_iface *in, const char *s, const char *d, uint8_t flags)
{
    sim_pkt *p = mk_seg(x, s, d, flags, 1000, flags & TCP_ACK ? 5000 : 0);
    g_assert_cmpint(nat_gw_input(x->g, in, p), ==, NAT_VERDICT_FORWARD);
    tcp_seg seg = seg_of(p->data); /* checksums still valid after the rewrite */
    g_assert_cmpuint(seg.flags, ==, flags);
    g_assert_cmpuint(seg.seq, ==, 1000);
    return p;
}

/* Feeds s -> d with flags; expects the NAT to consume (drop or hold) it. */
static void eaten(gfx *x, sim_iface *in, const char *s, const char *d, uint8_t flags)
{
    sim_pkt *p = mk_seg(x, s, d, flags, 1000, flags & TCP_ACK ? 5000 : 0);
    g_assert_cmpint(nat_gw_input(x->g, in, p), ==, NAT_VERDICT_CONSUMED);
}

/* Asserts src / dst of a packet, then frees it. */
static void check_free(gfx *x, sim_pkt *p, const char *src, const char *dst)
{
    sim_ep s = pkt_src(p), d = pkt_dst(p);
    assert_ep(&s, src);
    assert_ep(&d, dst);
    sim_pkt_free(sim_world_pool(x->w), p);
}

static const nat_entry *entry(gfx *x, guint k)
{
    GPtrArray *es = nat_table_entries(nat_gw_table(x->g));
    g_assert_cmpuint(k, <, es->len);
    const nat_entry *e = es->pdata[k];
    g_ptr_array_unref(es);
    return e;
}

static void test_gw_translate(void)
{
    wfx f;
    gfx *x = wfx_default(&f, NAT_UNSOLICITED_DROP);
    check_free(x, fwd(x, x->lan, IN, R1, TCP_SYN), OUT_IP ":1211", R1);
    check_free(x, fwd(x, x->wan, R1, OUT_IP ":1211", TCP_SYN | TCP_ACK), R1, IN);
    check_free(x, fwd(x, x->lan, IN, R1, TCP_ACK), OUT_IP ":1211", R1);
    g_assert_cmpint(entry(x, 0)->tcp_state, ==, NAT_TCP_ESTABLISHED);
    /* no SYN, no mapping: dropped both ways, never creating anything */
    eaten(x, x->lan, "192.168.60.154:4000", R1, TCP_ACK);
    eaten(x, x->lan, IN, "1.2.3.4:443", TCP_ACK | TCP_PSH); /* mapping exists, no session */
    eaten(x, x->wan, R1, OUT_IP ":9999", TCP_ACK);
    g_assert_cmpuint(x->n->drops[SIM_DROP_NAT_NO_MAPPING], ==, 3);
    g_assert_cmpuint(nat_gw_tcp_stats(x->g)->no_session, ==, 2);
    g_assert_cmpuint(nat_table_size(nat_gw_table(x->g)), ==, 1);
    GString *t = g_string_new(NULL);
    nat_gw_fmt_table(x->g, t);
    g_test_message("%s", t->str);
    g_assert_nonnull(strstr(t->str, "  tcp    192.168.60.153:1211"));
    g_assert_nonnull(strstr(t->str, "    session 138.76.29.7:80         established  +7440.0s"));
    g_string_free(t, TRUE);
    sim_world_run(x->w, SEC);
    g_assert_cmpuint(f.cap->len, ==, 0); /* nothing was answered */
    wfx_close(&f);
}

/* RFC 5382 REQ-3: the filtering behaviours apply to inbound SYNs as to UDP. */
static void test_gw_filtering(gconstpointer data)
{
    nat_filtering flt = (nat_filtering)GPOINTER_TO_INT(data);
    wfx f;
    nat_config c;
    nat_config_default(&c);
    c.filtering = flt;
    wfx_open(&f, &c);
    gfx *x = &f.x;
    check_free(x, fwd(x, x->lan, IN, R1, TCP_SYN), OUT_IP ":1211", R1);
    /* same address, other port: EIF and ADF admit; a new session opens from outside */
    if (flt == NAT_FILTER_APDF) {
        eaten(x, x->wan, "138.76.29.7:81", OUT_IP ":1211", TCP_SYN);
    } else {
        check_free(x, fwd(x, x->wan, "138.76.29.7:81", OUT_IP ":1211", TCP_SYN),
                   "138.76.29.7:81", IN);
        GPtrArray *ss = nat_table_sessions(nat_gw_table(x->g), entry(x, 0));
        g_assert_cmpuint(ss->len, ==, 2);
        g_assert_cmpint(((nat_session *)ss->pdata[1])->state, ==, NAT_TCP_SYN_RECEIVED);
        g_ptr_array_unref(ss);
    }
    /* another address: only EIF admits */
    if (flt == NAT_FILTER_EIF)
        check_free(x, fwd(x, x->wan, "5.6.7.8:80", OUT_IP ":1211", TCP_SYN), "5.6.7.8:80", IN);
    else
        eaten(x, x->wan, "5.6.7.8:80", OUT_IP ":1211", TCP_SYN);
    /* admitted, but no SYN and no session: dropped */
    eaten(x, x->wan, "5.6.7.8:81", OUT_IP ":1211", TCP_ACK);
    unsigned refused = flt == NAT_FILTER_EIF ? 0 : flt == NAT_FILTER_ADF ? 1 : 2;
    g_assert_cmpuint(x->n->drops[SIM_DROP_NAT_FILTERED], ==, refused + (flt != NAT_FILTER_EIF));
    wfx_close(&f);
}

/* unsolicited = drop: silence. */
static void test_gw_unsolicited_drop(void)
{
    wfx f;
    wfx_default(&f, NAT_UNSOLICITED_DROP);
    eaten(&f.x, f.x.wan, "68.36.210.1:5555", OUT_IP ":7000", TCP_SYN);
    sim_world_run(f.x.w, 10 * SEC);
    g_assert_cmpuint(f.cap->len, ==, 0);
    g_assert_cmpuint(f.x.n->drops[SIM_DROP_NAT_NO_MAPPING], ==, 1);
    wfx_close(&f);
}

/* The one RST in f->cap[k]: from OUT_IP:oport to R:rport with seq, ack and flags as given. */
static void check_rst(wfx *f, guint k, uint16_t oport, uint16_t rport, uint32_t seq,
                      uint32_t ack, uint8_t flags)
{
    g_assert_cmpuint(f->cap->len, >, k);
    const uint8_t *ip = g_array_index(f->cap, cap, k).b;
    g_assert_cmpuint(rd16(ip + 2), ==, 40); /* bare header, no options, no payload */
    const sim_pkt view = { .data = (uint8_t *)ip };
    sim_ep s = pkt_src(&view), d = pkt_dst(&view);
    g_assert_true(sim_ip_eq(&s.ip, &(sim_ip){ .family = SIM_AF_INET, .b = { 68, 36, 210, 57 } }));
    g_assert_true(sim_ip_eq(&d.ip, &(sim_ip){ .family = SIM_AF_INET, .b = { 68, 36, 210, 1 } }));
    tcp_seg seg = seg_of(ip); /* checksum verified over the pseudo-header */
    g_assert_cmpuint(seg.sport, ==, oport);
    g_assert_cmpuint(seg.dport, ==, rport);
    g_assert_cmpuint(seg.seq, ==, seq);
    g_assert_cmpuint(seg.ack, ==, ack);
    g_assert_cmpuint(seg.flags, ==, flags);
    g_assert_cmpuint(ip[20 + 12], ==, 5 << 4); /* data offset 5 */
    g_assert_cmpuint(ip[20 + 13], ==, flags);
}

/* unsolicited = rst: a RST per RFC 9293 3.10.7.1 from the outside address, at once. */
static void test_gw_unsolicited_rst(void)
{
    wfx f;
    gfx *x = wfx_default(&f, NAT_UNSOLICITED_RST);
    sim_pkt *p = mk_seg(x, "68.36.210.1:5555", OUT_IP ":7000", TCP_SYN, 1000, 0);
    g_assert_cmpint(nat_gw_input(x->g, x->wan, p), ==, NAT_VERDICT_CONSUMED);
    sim_world_run(x->w, SEC);
    /* no ACK in the SYN: <SEQ=0><ACK=SEG.SEQ+SEG.LEN(+1 for SYN)><CTL=RST,ACK> */
    g_assert_cmpuint(f.cap->len, ==, 1);
    check_rst(&f, 0, 7000, 5555, 0, 1001, TCP_RST | TCP_ACK);
    /* an unsolicited SYN-ACK: <SEQ=SEG.ACK><CTL=RST> */
    p = mk_seg(x, "68.36.210.1:5556", OUT_IP ":7001", TCP_SYN | TCP_ACK, 77, 5000);
    g_assert_cmpint(nat_gw_input(x->g, x->wan, p), ==, NAT_VERDICT_CONSUMED);
    /* no SYN: silence */
    eaten(x, x->wan, "68.36.210.1:5557", OUT_IP ":7002", TCP_ACK);
    /* filtered (the mapping exists, APDF refuses another port): RST from the mapped port */
    check_free(x, fwd(x, x->lan, IN, "68.36.210.1:80", TCP_SYN), OUT_IP ":1211", "68.36.210.1:80");
    eaten(x, x->wan, "68.36.210.1:5558", OUT_IP ":1211", TCP_SYN);
    /* a SYN with a bad checksum is not answered */
    p = mk_seg(x, "68.36.210.1:5559", OUT_IP ":7003", TCP_SYN, 1, 0);
    p->data[20 + 16] ^= 0x55;
    g_assert_cmpint(nat_gw_input(x->g, x->wan, p), ==, NAT_VERDICT_CONSUMED);
    g_assert_cmpuint(nat_gw_tcp_stats(x->g)->rst_sent, ==, 3);
    g_assert_cmpuint(x->n->drops[SIM_DROP_NAT_NO_MAPPING], ==, 3);
    g_assert_cmpuint(x->n->drops[SIM_DROP_NAT_FILTERED], ==, 1);
    g_assert_cmpuint(x->n->drops[SIM_DROP_BAD_CHECKSUM], ==, 1);
    /* (counted before running on: R, a host without TCP yet, answers the RSTs with ICMP
     * protocol unreachable, which the NAT filters in turn) */
    sim_world_run(x->w, 2 * SEC);
    g_assert_cmpuint(f.cap->len, ==, 3);
    check_rst(&f, 1, 7001, 5556, 5000, 0, TCP_RST);
    check_rst(&f, 2, 1211, 5558, 0, 1001, TCP_RST | TCP_ACK);
    /* the RST did not touch the table: the SYN-sent session is still there */
    g_assert_cmpint(entry(x, 0)->tcp_state, ==, NAT_TCP_SYN_SENT);
    wfx_close(&f);
}

/* The ICMP port unreachable in f->cap[k], quoting a SYN from R:rport to OUT_IP:oport. */
static void check_icmp(wfx *f, guint k, uint16_t rport, uint16_t oport)
{
    g_assert_cmpuint(f->cap->len, >, k);
    const cap *c = &g_array_index(f->cap, cap, k);
    const uint8_t *ip = c->b, *m = ip + 20;
    g_assert_true(ip_csum_ok(ip));
    g_assert_cmpuint(ip[9], ==, NET_PROTO_ICMP);
    g_assert_cmpuint(m[0], ==, 3);
    g_assert_cmpuint(m[1], ==, 3);
    g_assert_cmpuint(net_csum_fold(net_csum_add(0, m, rd16(ip + 2) - 20u)), ==, 0);
    sim_ep s = pkt_src(&(sim_pkt){ .data = (uint8_t *)m + 8 });
    sim_ep d = pkt_dst(&(sim_pkt){ .data = (uint8_t *)m + 8 });
    g_assert_cmpuint(s.port, ==, rport);
    g_assert_cmpuint(d.port, ==, oport);
    g_assert_cmpuint(rd16(ip + 2), ==, 20 + 8 + 28); /* IPv4 header + 8 bytes quoted */
    g_assert_cmpuint(rd16(m + 8 + 20 + 6), ==, 1000); /* the SYN's sequence number */
}

/* unsolicited = icmp (RFC 5382 REQ-4): 6 s of silence, then port unreachable. */
static void test_gw_unsolicited_icmp(void)
{
    wfx f;
    gfx *x = wfx_default(&f, NAT_UNSOLICITED_ICMP);
    eaten(x, x->wan, "68.36.210.1:5555", OUT_IP ":7000", TCP_SYN);
    g_assert_cmpuint(nat_gw_tcp_stats(x->g)->syn_held, ==, 1);
    g_assert_cmpuint(x->n->drops[SIM_DROP_NAT_NO_MAPPING], ==, 0); /* held, not yet dropped */
    sim_world_run(x->w, NAT_TCP_SYN_HOLD - 1);
    g_assert_cmpuint(f.cap->len, ==, 0);
    sim_world_run(x->w, NAT_TCP_SYN_HOLD + SEC);
    g_assert_cmpuint(f.cap->len, ==, 1);
    g_assert_cmpuint(g_array_index(f.cap, cap, 0).t, >=, NAT_TCP_SYN_HOLD);
    check_icmp(&f, 0, 5555, 7000);
    g_assert_cmpuint(x->n->drops[SIM_DROP_NAT_NO_MAPPING], ==, 1);
    g_assert_cmpuint(nat_gw_tcp_stats(x->g)->held_icmp, ==, 1);
    wfx_close(&f);
}

/* The hole-punching case of REQ-4: an outbound SYN of the same connection crosses the held
 * SYN, which is then dropped silently; the peer's retransmitted SYN gets through. */
static void test_gw_icmp_crossed(void)
{
    wfx f;
    gfx *x = wfx_default(&f, NAT_UNSOLICITED_ICMP);
    eaten(x, x->wan, "68.36.210.1:5555", OUT_IP ":1211", TCP_SYN);
    eaten(x, x->wan, "68.36.210.1:5556", OUT_IP ":1211", TCP_SYN); /* another connection */
    sim_world_run(x->w, 2 * SEC);
    check_free(x, fwd(x, x->lan, IN, "68.36.210.1:5555", TCP_SYN), OUT_IP ":1211",
               "68.36.210.1:5555");
    const nat_tcp_stats *st = nat_gw_tcp_stats(x->g);
    g_assert_cmpuint(st->held_crossed, ==, 1);
    g_assert_cmpuint(x->n->drops[SIM_DROP_NAT_NO_MAPPING], ==, 1);
    /* the peer retransmits: now it is part of the session, and the connection is open */
    check_free(x, fwd(x, x->wan, "68.36.210.1:5555", OUT_IP ":1211", TCP_SYN),
               "68.36.210.1:5555", IN);
    g_assert_cmpint(entry(x, 0)->tcp_state, ==, NAT_TCP_ESTABLISHED);
    sim_world_run(x->w, 10 * SEC);
    g_assert_cmpuint(f.cap->len, ==, 1); /* only the other connection's SYN is answered */
    check_icmp(&f, 0, 5556, 1211);
    g_assert_cmpuint(st->held_icmp, ==, 1);
    g_assert_cmpuint(x->n->drops[SIM_DROP_NAT_NO_MAPPING], ==, 2); /* reason at arrival */
    wfx_close(&f);
}

/* The hold queue is bounded: one SYN too many is dropped at once. */
static void test_gw_held_overflow(void)
{
    wfx f;
    wfx_default(&f, NAT_UNSOLICITED_ICMP);
    for (unsigned k = 0; k <= NAT_TCP_HELD_MAX; k++) {
        char s[32];
        g_snprintf(s, sizeof s, "68.36.210.1:%u", 10000 + k);
        eaten(&f.x, f.x.wan, s, OUT_IP ":7000", TCP_SYN);
    }
    const nat_tcp_stats *st = nat_gw_tcp_stats(f.x.g);
    g_assert_cmpuint(st->syn_held, ==, NAT_TCP_HELD_MAX);
    g_assert_cmpuint(st->held_overflow, ==, 1);
    g_assert_cmpuint(f.x.n->drops[SIM_DROP_NAT_NO_MAPPING], ==, 1);
    sim_world_run(f.x.w, 10 * SEC);
    g_assert_cmpuint(f.cap->len, ==, NAT_TCP_HELD_MAX);
    check_icmp(&f, NAT_TCP_HELD_MAX - 1, 10000 + NAT_TCP_HELD_MAX - 1, 7000);
    g_assert_cmpuint(f.x.n->drops[SIM_DROP_NAT_NO_MAPPING], ==, NAT_TCP_HELD_MAX + 1);
    wfx_close(&f);
}

/* RFC 5382 REQ-8: hairpinning with the external source endpoint; sessions on both mappings. */
static void test_gw_hairpin(void)
{
    wfx f;
    nat_config c;
    nat_config_default(&c);
    nat_config_preset(&c, "full-cone");
    wfx_open(&f, &c);
    gfx *x = &f.x;
    const char *b = "192.168.60.154:5000";
    check_free(x, fwd(x, x->lan, IN, R1, TCP_SYN), OUT_IP ":1211", R1);
    check_free(x, fwd(x, x->lan, b, OUT_IP ":1211", TCP_SYN), OUT_IP ":5000", IN);
    check_free(x, fwd(x, x->lan, IN, OUT_IP ":5000", TCP_SYN | TCP_ACK), OUT_IP ":1211", b);
    check_free(x, fwd(x, x->lan, b, OUT_IP ":1211", TCP_ACK), OUT_IP ":5000", IN);
    GPtrArray *ss = nat_table_sessions(nat_gw_table(x->g), entry(x, 0));
    g_assert_cmpuint(ss->len, ==, 2); /* A: R1 (syn-sent) and B's outside endpoint */
    g_assert_cmpint(((nat_session *)ss->pdata[0])->state, ==, NAT_TCP_SYN_SENT);
    g_assert_cmpint(((nat_session *)ss->pdata[1])->state, ==, NAT_TCP_ESTABLISHED);
    assert_ep(&((nat_session *)ss->pdata[1])->remote, OUT_IP ":5000");
    g_ptr_array_unref(ss);
    g_assert_cmpint(entry(x, 1)->tcp_state, ==, NAT_TCP_ESTABLISHED);
    wfx_close(&f);

    /* port-restricted: B's SYN to A's mapping is filtered until A sends to B's outside ep */
    x = wfx_default(&f, NAT_UNSOLICITED_DROP);
    check_free(x, fwd(x, x->lan, IN, R1, TCP_SYN), OUT_IP ":1211", R1);
    eaten(x, x->lan, b, OUT_IP ":1211", TCP_SYN);
    g_assert_cmpuint(x->n->drops[SIM_DROP_NAT_FILTERED], ==, 1);
    check_free(x, fwd(x, x->lan, IN, OUT_IP ":5000", TCP_SYN), OUT_IP ":1211", b);
    g_assert_cmpint(entry(x, 1)->tcp_state, ==, NAT_TCP_ESTABLISHED); /* B's: SYN both ways */
    wfx_close(&f);
}

/* REQ-4 across a hairpin: B's SYN to A's outside endpoint is held (A's filter refuses it); A's
 * SYN to B's outside endpoint crosses it, so it is dropped silently and no ICMP follows. */
static void test_gw_hairpin_crossed(void)
{
    wfx f;
    gfx *x = wfx_default(&f, NAT_UNSOLICITED_ICMP);
    const char *b = "192.168.60.154:5000";
    check_free(x, fwd(x, x->lan, IN, R1, TCP_SYN), OUT_IP ":1211", R1);
    eaten(x, x->lan, b, OUT_IP ":1211", TCP_SYN);
    const nat_tcp_stats *st = nat_gw_tcp_stats(x->g);
    g_assert_cmpuint(st->syn_held, ==, 1);
    check_free(x, fwd(x, x->lan, IN, OUT_IP ":5000", TCP_SYN), OUT_IP ":1211", b);
    g_assert_cmpuint(st->held_crossed, ==, 1);
    g_assert_cmpuint(x->n->drops[SIM_DROP_NAT_FILTERED], ==, 1);
    sim_world_run(x->w, 10 * SEC);
    g_assert_cmpuint(st->held_icmp, ==, 0);
    wfx_close(&f);
}

/* Segments too short for a TCP header are dropped as malformed in every direction. */
static void test_gw_short(void)
{
    wfx f;
    gfx *x = wfx_default(&f, NAT_UNSOLICITED_DROP);
    check_free(x, fwd(x, x->lan, IN, R1, TCP_SYN), OUT_IP ":1211", R1);
    const char *pairs[][2] = { { IN, R1 }, { R1, OUT_IP ":1211" }, { "192.168.60.154:9",
                                                                      OUT_IP ":1211" } };
    for (unsigned k = 0; k < G_N_ELEMENTS(pairs); k++) {
        sim_pkt *p = mk_seg(x, pairs[k][0], pairs[k][1], TCP_SYN, 1, 0);
        p->len = 20 + 16; /* cut inside the header */
        wr16(p->data + 2, 36);
        wr16(p->data + 10, 0);
        wr16(p->data + 10, net_csum_fold(net_csum_add(0, p->data, 20)));
        sim_iface *in = k == 1 ? x->wan : x->lan;
        g_assert_cmpint(nat_gw_input(x->g, in, p), ==, NAT_VERDICT_CONSUMED);
    }
    g_assert_cmpuint(x->n->drops[SIM_DROP_MALFORMED], ==, 3);
    g_assert_cmpuint(entry(x, 0)->pkts_out, ==, 1);
    wfx_close(&f);
}

/* The event log names the TCP state on create and refresh. */
static void test_gw_log(void)
{
    gfx x;
    nat_config c;
    nat_config_default(&c);
    gfx_open(&x, &c, true);
    sim_pkt_free(sim_world_pool(x.w), fwd(&x, x.lan, IN, R1, TCP_SYN));
    sim_pkt_free(sim_world_pool(x.w), fwd(&x, x.wan, R1, OUT_IP ":1211", TCP_SYN | TCP_ACK));
    sim_world_run(x.w, c.tcp_established);
    char *text = gfx_read_log(&x);
    /* Each record is one line: find the line of each kind and look inside it. */
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    g_free(text);
    bool created = false, refreshed = false, expired = false;
    for (char **l = lines; *l; l++) {
        created |= strstr(*l, "\"nat.create\"") && strstr(*l, "\"state\":\"syn-sent\"");
        refreshed |= strstr(*l, "\"nat.refresh\"") && strstr(*l, "\"state\":\"established\"");
        expired |= strstr(*l, "\"nat.expire\"") != NULL;
    }
    g_assert_true(created);
    g_assert_true(refreshed);
    g_assert_true(expired);
    gfx_close(&x);
}

/* RFC 5508 / RFC 5382 REQ-9, REQ-10: an ICMP error about a translated SYN goes back to the
 * inside host, and leaves the session alone. */
static void test_gw_icmp_error(void)
{
    wfx f;
    gfx *x = wfx_default(&f, NAT_UNSOLICITED_DROP);
    sim_pkt *q = fwd(x, x->lan, IN, R1, TCP_SYN);
    sim_ip a = ip4("138.76.29.7"), o = ip4(OUT_IP);
    sim_pkt *p = sim_pkt_alloc(sim_world_pool(x->w));
    uint8_t *ip = sim_pkt_put(p, 20 + 8 + 28), *m = ip + 20;
    memset(m, 0, 8);
    m[0] = 3;
    m[1] = 3;
    memcpy(m + 8, q->data, 28);
    wr16(m + 2, net_csum_fold(net_csum_add(0, m, 36)));
    put_ip(ip, &a, &o, NET_PROTO_ICMP, 36);
    sim_pkt_free(sim_world_pool(x->w), q);
    g_assert_cmpint(nat_gw_input(x->g, x->wan, p), ==, NAT_VERDICT_FORWARD);
    sim_ep d = pkt_dst(p), inner = pkt_src(&(sim_pkt){ .data = p->data + 28 });
    sim_ep inside = ep(IN);
    g_assert_true(sim_ip_eq(&d.ip, &inside.ip));
    assert_ep(&inner, IN);
    g_assert_cmpuint(net_csum_fold(net_csum_add(0, p->data + 20, 36)), ==, 0);
    sim_pkt_free(sim_world_pool(x->w), p);
    g_assert_cmpint(entry(x, 0)->tcp_state, ==, NAT_TCP_SYN_SENT);
    g_assert_cmpuint(entry(x, 0)->sessions, ==, 1);
    wfx_close(&f);
}

/* The gateway's timer removes mappings at exactly the session timeouts, with no traffic. */
static void test_gw_expiry(void)
{
    wfx f;
    nat_config c;
    nat_config_default(&c);
    c.tcp_transitory = 300 * SEC;
    wfx_open(&f, &c);
    gfx *x = &f.x;
    check_free(x, fwd(x, x->lan, IN, R1, TCP_SYN), OUT_IP ":1211", R1);
    check_free(x, fwd(x, x->lan, "192.168.60.154:7007", R1, TCP_SYN), OUT_IP ":7007", R1);
    check_free(x, fwd(x, x->wan, R1, OUT_IP ":7007", TCP_SYN | TCP_ACK), R1,
               "192.168.60.154:7007");
    sim_world_run(x->w, 300 * SEC - 1);
    g_assert_cmpuint(nat_table_size(nat_gw_table(x->g)), ==, 2);
    sim_world_run(x->w, 300 * SEC);
    g_assert_cmpuint(nat_table_size(nat_gw_table(x->g)), ==, 1); /* the SYN-only one */
    sim_world_run(x->w, c.tcp_established - 1);
    g_assert_cmpuint(nat_table_size(nat_gw_table(x->g)), ==, 1);
    sim_world_run(x->w, c.tcp_established);
    g_assert_cmpuint(nat_table_size(nat_gw_table(x->g)), ==, 0);
    wfx_close(&f);
}

/* ---- Lua: options and table fields ---- */

/* Runs chunk in L; returns its error message (owned) or NULL. */
static char *lua_try(lua_State *L, const char *chunk)
{
    if (luaL_dostring(L, chunk) == LUA_OK)
        return NULL;
    char *msg = g_strdup(lua_tostring(L, -1));
    lua_pop(L, 1);
    return msg;
}

static void test_lua(void)
{
    wfx f;
    gfx *x = wfx_default(&f, NAT_UNSOLICITED_RST);
    check_free(x, fwd(x, x->lan, IN, R1, TCP_SYN), OUT_IP ":1211", R1);
    check_free(x, fwd(x, x->wan, R1, OUT_IP ":1211", TCP_SYN | TCP_ACK), R1, IN);
    eaten(x, x->wan, "68.36.210.1:9", OUT_IP ":7000", TCP_SYN);
    simlua *s = simlua_new(x->w, NULL);
    g_assert_nonnull(s);
    lua_State *L = simlua_state(s);
    char *err = lua_try(L,
        "local N = sim.node('NA')\n"
        "local m = N:table()[1]\n"
        "assert(m.proto == 'tcp' and m.state == 'established', m.state)\n"
        "assert(#m.sessions == 1 and m.sessions[1].remote == '138.76.29.7:80')\n"
        "assert(m.sessions[1].state == 'established' and m.sessions[1].expires == 7440)\n"
        "assert(m.sessions[1].pkts_out == 1 and m.sessions[1].pkts_in == 1)\n"
        "assert(N:tcp_stats().rst_sent == 1 and N:tcp_stats().syn_held == 0)\n"
        "local M = sim.nat('NB', {unsolicited = 'rst', tcp_established = '3h',\n"
        "                         tcp_transitory = '5min'})\n"
        "local k = M:config()\n"
        "assert(k.unsolicited == 'rst' and k.tcp_established == 10800)\n"
        "assert(k.tcp_transitory == 300)\n");
    g_assert_null(err);
    err = lua_try(L, "sim.nat('NC', {unsolicited = 'reset'})");
    g_assert_nonnull(strstr(err, "option 'unsolicited': 'reset' is not one of drop, icmp, rst"));
    g_free(err);
    err = lua_try(L, "sim.nat('ND', {tcp_transitory = 0})");
    g_assert_nonnull(strstr(err, "mapping timeouts must be positive"));
    g_free(err);
    err = lua_try(L, "sim.nat('NE', {tcp_established = 60, tcp_transitory = 120})");
    g_assert_nonnull(strstr(err, "tcp_transitory must not exceed tcp_established"));
    g_free(err);
    err = lua_try(L, "sim.nat('NF', {tcp_timeout = 60})");
    g_assert_nonnull(strstr(err, "tcp_timeout"));
    g_free(err);
    simlua_free(s);
    wfx_close(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/nat-tcp/table/states", test_table_states);
    g_test_add_func("/nat-tcp/table/eim-sessions", test_table_eim_sessions);
    g_test_add_func("/nat-tcp/table/memory", test_table_memory);
    g_test_add_func("/nat-tcp/gw/translate", test_gw_translate);
    g_test_add_data_func("/nat-tcp/gw/filtering/eif", GINT_TO_POINTER(NAT_FILTER_EIF),
                         test_gw_filtering);
    g_test_add_data_func("/nat-tcp/gw/filtering/adf", GINT_TO_POINTER(NAT_FILTER_ADF),
                         test_gw_filtering);
    g_test_add_data_func("/nat-tcp/gw/filtering/apdf", GINT_TO_POINTER(NAT_FILTER_APDF),
                         test_gw_filtering);
    g_test_add_func("/nat-tcp/gw/unsolicited/drop", test_gw_unsolicited_drop);
    g_test_add_func("/nat-tcp/gw/unsolicited/rst", test_gw_unsolicited_rst);
    g_test_add_func("/nat-tcp/gw/unsolicited/icmp", test_gw_unsolicited_icmp);
    g_test_add_func("/nat-tcp/gw/unsolicited/icmp-crossed", test_gw_icmp_crossed);
    g_test_add_func("/nat-tcp/gw/unsolicited/held-overflow", test_gw_held_overflow);
    g_test_add_func("/nat-tcp/gw/hairpin", test_gw_hairpin);
    g_test_add_func("/nat-tcp/gw/hairpin-crossed", test_gw_hairpin_crossed);
    g_test_add_func("/nat-tcp/gw/short", test_gw_short);
    g_test_add_func("/nat-tcp/gw/log", test_gw_log);
    g_test_add_func("/nat-tcp/gw/icmp-error", test_gw_icmp_error);
    g_test_add_func("/nat-tcp/gw/expiry", test_gw_expiry);
    g_test_add_func("/nat-tcp/lua", test_lua);
    return g_test_run();
}
