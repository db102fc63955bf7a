/* tests/unit/test_sip_rr.c — the two sides of a proxy hop by hop (RFC 3261 §16.6 step 4,
 * §16.4, §18.1.1; RFC 5658 double Record-Route; RFC 6157 IPv4/IPv6 transition): UA and
 * server cores back to back over sip_net.h, with the exact Record-Route, Route and Via values
 * of every hop of a call, BYE included. */
#include "sip_net.h"

#define PX "10.0.0.2:5060"
#define PX6 "[2001:db8::2]:5060"
#define RR_UDP "<sip:" PX ";lr>"
#define RR_TCP "<sip:" PX ";transport=tcp;lr>"
#define RR_V6 "<sip:" PX6 ";lr>"

/* Every value of header id in message s, joined with ", " (owned; "" when none). */
static char *vals(const sent *s, sip_hdr_id id)
{
    g_assert_nonnull(s);
    GString *g = g_string_new(NULL);
    sip_str v;
    for (size_t i = 0; sip_msg_value(s->msg, id, i, &v) == 0; i++)
        g_string_append_printf(g, "%s%.*s", i ? ", " : "", (int)v.len, v.p);
    return g_string_free(g, FALSE);
}

/* The top Via of s up to ";branch=" ("SIP/2.0/TCP 10.0.0.2:5060"), owned. */
static char *top_via(const sent *s)
{
    g_assert_nonnull(s);
    sip_str v;
    g_assert_cmpint(sip_msg_value(s->msg, SIP_HDR_VIA, 0, &v), ==, 0);
    const char *semi = memchr(v.p, ';', v.len);
    return g_strndup(v.p, semi ? (size_t)(semi - v.p) : v.len);
}

#define ASSERT_HDR(s, id, want)                                                               \
    do {                                                                                      \
        g_autofree char *got_ = vals((s), (id));                                              \
        g_assert_cmpstr(got_, ==, (want));                                                    \
    } while (0)
#define ASSERT_VIA(s, want)                                                                   \
    do {                                                                                      \
        g_autofree char *got_ = top_via(s);                                                   \
        g_assert_cmpstr(got_, ==, (want));                                                    \
    } while (0)

/* A UA on addr sending to proxy, over TCP when tcp. */
static sip_ua *ua_on(net *n, const char *name, const char *addr, const char *aor,
                     const char *proxy, bool tcp)
{
    if (!tcp)
        return ua(n, name, addr, aor, proxy);
    node *x = add(n, name, addr);
    sip_ua_cfg c = { .aor = aor, .local = x->ep, .rport = true, .rtp_port = 8000,
                     .proxy = ep(proxy), .tcp = tcp };
    x->ua = sip_ua_new(&c, &x->rng);
    g_assert_nonnull(x->ua);
    return x->ua;
}

/* px (registrar and record-routing proxy of example.com, IPv6 too when dual), callee `bob`
 * registered, caller `alice`; Alice calls, Bob answers. px's INVITE to Bob and its 200 to
 * Alice carry Record-Route rr; the INVITE's top Via is via. */
static void call_up(net *n, const char *rr, const char *via)
{
    sip_ua *alice = n->n[1].ua, *bob = n->n[2].ua;
    g_assert_cmpint(sip_ua_register(bob, n->now, 3600), ==, 0);
    run(n, n->now + SIM_SEC);
    g_autofree char *reg = events(bob, NULL);
    g_assert_cmpstr(reg, ==, "registered/200");
    unsigned ca = 0, cb = 0;
    g_assert_cmpint(sip_ua_call(alice, n->now, "sip:bob@example.com", &ca), ==, 0);
    run(n, n->now + 200 * MS);
    g_autofree char *inc = events(bob, &cb);
    g_assert_cmpstr(inc, ==, "incoming/0");
    sip_ua_answer(bob, n->now, cb);
    run(n, n->now + SIM_SEC);
    g_autofree char *ans = events(alice, NULL);
    g_assert_cmpstr(ans, ==, "answered/200");
    const sent *inv = find_sent(n, "px", "bob", "INVITE", 0);
    ASSERT_HDR(inv, SIP_HDR_RECORD_ROUTE, rr);
    ASSERT_VIA(inv, via);
    ASSERT_HDR(find_sent(n, "px", "alice", "200/INVITE", 0), SIP_HDR_RECORD_ROUTE, rr);
}

/* The net: alice, px, bob. */
static void rr_net(net *n, bool dual, const char *alice_addr, bool alice_tcp,
                   const char *bob_addr, bool bob_tcp)
{
    net_init(n);
    sip_server_cfg c = { .domain = "example.com", .registrar = true, .record_route = true };
    if (dual)
        g_assert_cmpint(sim_ip_parse("2001:db8::2", &c.self6), ==, 0);
    server(n, "px", PX, c);
    if (dual)
        n->n[0].ep6 = ep(PX6);
    bool a6 = strchr(alice_addr, '[') != NULL, b6 = strchr(bob_addr, '[') != NULL;
    ua_on(n, "alice", alice_addr, "sip:alice@example.com", a6 ? PX6 : PX, alice_tcp);
    ua_on(n, "bob", bob_addr, "sip:bob@example.com", b6 ? PX6 : PX, bob_tcp);
}

/* Bob hangs up the call through px: the BYE and its 200 cross px; Bob's BYE carries Route
 * route and top Via via; px's BYE to Alice (over UDP, IPv4) has no Route left. */
static void bob_hangs_up(net *n, sip_ua *bob, const char *route, const char *via)
{
    net_forget(n);
    sip_ua_hangup(bob, n->now, 1);
    run(n, n->now + SIM_SEC);
    g_assert_cmpstr(n->ladder->str, ==,
                    "bob>px BYE; px>alice BYE; alice>px 200/BYE; px>bob 200/BYE");
    const sent *bye = find_sent(n, "bob", "px", "BYE", 0);
    ASSERT_HDR(bye, SIP_HDR_ROUTE, route);
    ASSERT_VIA(bye, via);
    bye = find_sent(n, "px", "alice", "BYE", 0);
    ASSERT_HDR(bye, SIP_HDR_ROUTE, "");
    ASSERT_VIA(bye, "SIP/2.0/UDP " PX);
}

/* In over UDP, out over TCP (Bob's Contact says ;transport=tcp): two Record-Route values, the
 * TCP one (towards Bob) on top; in-dialog requests pop both and name the next hop's transport
 * in their Via; nothing on the TCP side says UDP (scenario 25's defect). */
static void test_udp_tcp_double(void)
{
    net n;
    rr_net(&n, false, "10.0.0.1:5060", false, "10.0.0.3:5060", true);
    call_up(&n, RR_TCP ", " RR_UDP, "SIP/2.0/TCP " PX);
    /* Alice's route set is the Record-Route reversed: her side's entry first */
    const sent *ack = find_sent(&n, "alice", "px", "ACK", 0);
    ASSERT_HDR(ack, SIP_HDR_ROUTE, RR_UDP ", " RR_TCP);
    ASSERT_VIA(ack, "SIP/2.0/UDP 10.0.0.1:5060");
    ack = find_sent(&n, "px", "bob", "ACK", 0);
    ASSERT_HDR(ack, SIP_HDR_ROUTE, ""); /* both entries naming px were popped */
    ASSERT_VIA(ack, "SIP/2.0/TCP " PX);
    /* Bob hangs up: his BYE goes over TCP, px forwards it over UDP, the 200 comes back */
    bob_hangs_up(&n, n.n[2].ua, RR_TCP ", " RR_UDP, "SIP/2.0/TCP 10.0.0.3:5060");
    net_clear(&n);
}

/* Both sides TCP: one Record-Route, with ;transport=tcp (§16.6 step 4: the URI names the
 * transport the proxy can be reached with); both UDP: one without. */
static void test_single_when_sides_agree(void)
{
    net n;
    rr_net(&n, false, "10.0.0.1:5060", true, "10.0.0.3:5060", true);
    call_up(&n, RR_TCP, "SIP/2.0/TCP " PX);
    const sent *ack = find_sent(&n, "alice", "px", "ACK", 0);
    ASSERT_HDR(ack, SIP_HDR_ROUTE, RR_TCP);
    ASSERT_VIA(ack, "SIP/2.0/TCP 10.0.0.1:5060");
    ASSERT_VIA(find_sent(&n, "px", "bob", "ACK", 0), "SIP/2.0/TCP " PX);
    net_clear(&n);
    rr_net(&n, false, "10.0.0.1:5060", false, "10.0.0.3:5060", false);
    call_up(&n, RR_UDP, "SIP/2.0/UDP " PX);
    net_clear(&n);
}

/* RFC 6157 / RFC 5658: a dual-stack proxy between an IPv4-only and an IPv6-only phone names
 * its IPv6 address towards Bob (Via, Record-Route on top) and its IPv4 one towards Alice. */
static void test_dual_stack_bridge(void)
{
    net n;
    rr_net(&n, true, "10.0.0.1:5060", false, "[2001:db8::3]:5060", false);
    sip_ua *alice = n.n[1].ua, *bob = n.n[2].ua;
    call_up(&n, RR_V6 ", " RR_UDP, "SIP/2.0/UDP " PX6);
    const sent *ok = find_sent(&n, "px", "alice", "200/INVITE", 0);
    g_assert_cmpuint(sip_msg_count(ok->msg, SIP_HDR_VIA), ==, 1); /* Alice's, IPv4 */
    ASSERT_HDR(find_sent(&n, "alice", "px", "ACK", 0), SIP_HDR_ROUTE, RR_UDP ", " RR_V6);
    const sent *ack = find_sent(&n, "px", "bob", "ACK", 0);
    ASSERT_HDR(ack, SIP_HDR_ROUTE, "");
    ASSERT_VIA(ack, "SIP/2.0/UDP " PX6);
    bob_hangs_up(&n, bob, RR_V6 ", " RR_UDP, "SIP/2.0/UDP [2001:db8::3]:5060");
    g_autofree char *ea = events(alice, NULL);
    g_assert_cmpstr(ea, ==, "ended/200"); /* the BYE reached her over IPv4 */
    net_clear(&n);
}

/* A dual-stack UA names the address of its next hop's family in its Via. */
static void test_ua_via_family(void)
{
    sim_rng rng;
    sim_rng_derive(&rng, 7, "ua");
    sip_ua_cfg c = { .aor = "sip:alice@example.com", .local = ep("10.0.0.1:5060") };
    g_assert_cmpint(sim_ip_parse("2001:db8::1", &c.local6), ==, 0);
    sip_ua *u = sip_ua_new(&c, &rng);
    static const char *const targets[][2] = {
        { "sip:x@[2001:db8::9]:5070", "SIP/2.0/UDP [2001:db8::1]:5060" },
        { "sip:x@10.0.0.9", "SIP/2.0/UDP 10.0.0.1:5060" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(targets); i++) {
        g_assert_cmpint(sip_ua_options(u, 0, targets[i][0]), ==, 0);
        sip_out o;
        g_assert_true(sip_ua_pop(u, &o));
        sent s = { 0 };
        g_assert_cmpint(sip_msg_decode(o.data, o.len, &s.msg, NULL), ==, 0);
        ASSERT_VIA(&s, targets[i][1]);
        sip_msg_free(s.msg);
        sip_out_clear(&o);
    }
    sip_ua_free(u);
}

/* §16.4 with RFC 5658: both adjacent entries naming the proxy go, whatever their transport;
 * a proxy with two addresses (RFC 6157) owns entries naming either. */
static void test_route_pop_both(void)
{
    sip_msg *m = NULL;
    const char *req = "BYE sip:a@10.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.3;branch=z9hG4bK1\r\n"
                      "Route: <sip:10.0.0.2:5060;transport=tcp;lr>, <sip:10.0.0.2:5060;lr>\r\n"
                      "Route: <sip:10.0.0.9;lr>\r\nFrom: <sip:b@x>;tag=1\r\nTo: <sip:a@x>;tag=2\r\n"
                      "Call-ID: c\r\nCSeq: 2 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
    g_assert_cmpint(sip_msg_decode((const uint8_t *)req, strlen(req), &m, NULL), ==, 0);
    sip_uri self, self6, other;
    g_assert_cmpint(sip_uri_parse("sip:10.0.0.2:5060", 17, &self, NULL), ==, 0);
    g_assert_cmpint(sip_uri_parse("sip:[2001:db8::2]:5060", 22, &self6, NULL), ==, 0);
    g_assert_cmpint(sip_uri_parse("sip:10.0.0.9", 12, &other, NULL), ==, 0);
    g_assert_cmpint(sip_msg_route_pop_self(m, &self), ==, 2);
    g_assert_cmpuint(sip_msg_count(m, SIP_HDR_ROUTE), ==, 1);
    g_assert_cmpint(sip_msg_route_pop_self(m, &self), ==, 0); /* someone else's */
    g_assert_cmpint(sip_msg_route_pop_self(m, &other), ==, 1);
    g_assert_cmpint(sip_msg_route_pop_self(m, &other), ==, 0); /* no Route left */
    sip_msg_add(m, SIP_HDR_ROUTE, NULL,
                "<sip:[2001:db8::2]:5060;lr>, <sip:10.0.0.2:5060;lr>, <sip:10.0.0.2:5060;lr>");
    const sip_uri *both[] = { &self, &self6 };
    g_assert_cmpint(sip_msg_route_pop_selves(m, both, 2), ==, 2); /* at most two */
    g_assert_cmpuint(sip_msg_count(m, SIP_HDR_ROUTE), ==, 1);
    sip_msg_free(m);
}

/* The server's message o, decoded into a `sent` (its msg owned by the caller). */
static sent out_msg(const sip_out *o)
{
    sent s = { 0 };
    g_assert_cmpint(sip_msg_decode(o->data, o->len, &s.msg, NULL), ==, 0);
    return s;
}

/* RFC 3263 failover from an IPv4 UDP target to an IPv6 TCP one: the second attempt's Via and
 * Record-Route are written again for the new hop (family and transport), not stacked. */
static void test_failover_rewrites_sides(void)
{
    sim_rng rng;
    sim_rng_derive(&rng, 7, "px");
    sip_server_cfg cfg = { .domain = "example.com", .self = ep(PX), .record_route = true };
    g_assert_cmpint(sim_ip_parse("2001:db8::2", &cfg.self6), ==, 0);
    sip_server *px = sip_server_new(&cfg, &rng);
    const char *inv = "INVITE sip:carol@far.test SIP/2.0\r\n"
                      "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKf1\r\n"
                      "From: <sip:alice@example.com>;tag=1\r\nTo: <sip:carol@far.test>\r\n"
                      "Call-ID: fo1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
                      "Contact: <sip:alice@10.0.0.1>\r\nContent-Length: 0\r\n\r\n";
    input_text(NULL, px, 0, "10.0.0.1:5060", inv);
    sip_out o;
    g_assert_true(sip_server_pop(px, &o)); /* 100 Trying */
    sip_out_clear(&o);
    unsigned id;
    char uri[128];
    bool tcp;
    g_assert_true(sip_server_lookup_pop_uri(px, &id, uri, sizeof uri, &tcp));
    sip_target t[2] = { { .ep = ep("10.0.3.1:5060") },
                        { .ep = ep("[2001:db8::31]:5060"), .tcp = true } };
    sip_server_located_list(px, 0, id, 0, t, 2);
    g_assert_true(sip_server_pop(px, &o));
    sent first = out_msg(&o);
    ASSERT_HDR(&first, SIP_HDR_RECORD_ROUTE, RR_UDP); /* UDP and IPv4 on both sides */
    ASSERT_VIA(&first, "SIP/2.0/UDP " PX);
    sip_msg_free(first.msg);
    sip_out_clear(&o);
    sip_server_timeout(px, 64 * 500 * SIM_MS); /* Timer B: the next target */
    bool second = false;
    while (sip_server_pop(px, &o)) {
        sent s = out_msg(&o);
        if (s.msg->request && o.to.ip.family == SIM_AF_INET6) {
            ASSERT_HDR(&s, SIP_HDR_RECORD_ROUTE,
                       "<sip:" PX6 ";transport=tcp;lr>, " RR_UDP);
            ASSERT_VIA(&s, "SIP/2.0/TCP " PX6);
            g_assert_cmpuint(sip_msg_count(s.msg, SIP_HDR_VIA), ==, 2);
            second = true;
        }
        sip_msg_free(s.msg);
        sip_out_clear(&o);
    }
    g_assert_true(second);
    sip_server_free(px);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sip/rr/udp-tcp-double", test_udp_tcp_double);
    g_test_add_func("/sip/rr/single-when-sides-agree", test_single_when_sides_agree);
    g_test_add_func("/sip/rr/dual-stack-bridge", test_dual_stack_bridge);
    g_test_add_func("/sip/rr/ua-via-family", test_ua_via_family);
    g_test_add_func("/sip/rr/route-pop-both", test_route_pop_both);
    g_test_add_func("/sip/rr/failover-rewrites-sides", test_failover_rewrites_sides);
    return g_test_run();
}
