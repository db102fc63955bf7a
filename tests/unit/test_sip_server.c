/* tests/unit/test_sip_server.c — registrar, location service, stateful proxy, redirect server
 * and RFC 3263 server location, in virtual time over an in-test network of UA and server cores
 * (no simulator): the lecture's call alice@rutgers.edu -> bob@mit.edu through two proxies with
 * NAPTR/SRV/A lookups, digest-protected registration, forking to two phones (one answers, the
 * other is CANCELled), a 302 the caller follows, loop detection (482), Max-Forwards (483),
 * 480 for nobody registered, the registrar's Expires / "*" rules, RFC 3263 §4.3
 * failover (a dead first SRV target, a first target answering 503), and the RFC 4475
 * messages a proxy / registrar must answer (505, 400, 416, 501) answered to their source. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/sdp/sdp.h"
#include "tests/unit/sip_net.h"
#include "tests/unit/sip_torture.h"

/* What the test's DNS puts before proxy.mit.edu in _sip._udp.mit.edu (RFC 3263 §4.3 tests):
 * nothing, a host that does not exist (its INVITE times out), or one that answers 503. */
typedef enum first_target { FIRST_NONE, FIRST_DEAD, FIRST_BUSY } first_target;
static first_target dns_first;

/* The SRV record of _sip._udp.mit.edu placed before proxy.mit.edu (priority 0 vs 10). */
static void srv_first(dns_result *r, const dns_rr *proto)
{
    dns_rr rr = *proto;
    rr.rd.srv.priority = 0;
    rr.rd.srv.port = 5060;
    dns_name_from_str(dns_first == FIRST_DEAD ? "dead.mit.edu" : "busy.mit.edu",
                      &rr.rd.srv.target);
    g_array_append_val(r->rrs, rr);
}

/* The test's DNS data for mit.edu (what scenario 15's dns.server holds). */
static void dns_answer(const dns_name *name, uint16_t type, dns_result *r)
{
    char buf[DNS_NAME_STRLEN];
    dns_name_fmt(name, buf, sizeof buf);
    r->status = DNS_NXDOMAIN;
    r->rrs = g_array_new(FALSE, TRUE, sizeof(dns_rr));
    g_array_set_clear_func(r->rrs, (GDestroyNotify)dns_rr_clear);
    dns_rr rr = { .type = type, .rclass = DNS_C_IN, .ttl = 300 };
    rr.name = *name;
    if (type == DNS_T_NAPTR && !g_ascii_strcasecmp(buf, "mit.edu")) {
        rr.rd.naptr.order = 10;
        rr.rd.naptr.preference = 10;
        strcpy(rr.rd.naptr.flags.s, "s");
        strcpy(rr.rd.naptr.services.s, "SIP+D2U");
        dns_name_from_str("_sip._udp.mit.edu", &rr.rd.naptr.replacement);
    } else if (type == DNS_T_SRV && !g_ascii_strcasecmp(buf, "_sip._udp.mit.edu")) {
        if (dns_first != FIRST_NONE)
            srv_first(r, &rr);
        rr.rd.srv.priority = 10;
        rr.rd.srv.weight = 5;
        rr.rd.srv.port = 5060;
        dns_name_from_str("proxy.mit.edu", &rr.rd.srv.target);
    } else if (type == DNS_T_A && !g_ascii_strcasecmp(buf, "proxy.mit.edu")) {
        memcpy(rr.rd.a, (uint8_t[]){ 10, 0, 2, 5 }, 4);
    } else if (type == DNS_T_A && !g_ascii_strcasecmp(buf, "dead.mit.edu")) {
        memcpy(rr.rd.a, (uint8_t[]){ 10, 0, 2, 99 }, 4); /* nobody there */
    } else if (type == DNS_T_A && !g_ascii_strcasecmp(buf, "busy.mit.edu")) {
        memcpy(rr.rd.a, (uint8_t[]){ 10, 0, 2, 9 }, 4);
    } else if (type == DNS_T_A && !g_ascii_strcasecmp(buf, "loop.test")) {
        memcpy(rr.rd.a, (uint8_t[]){ 10, 0, 1, 5 }, 4); /* back to the rutgers proxy */
    } else {
        return;
    }
    r->status = DNS_OK;
    g_array_append_val(r->rrs, rr);
}

/* True when every item occurs in s, in this order. */
static bool in_order(const char *s, const char *const *items)
{
    for (; *items; items++) {
        const char *p = strstr(s, *items);
        if (!p)
            return false;
        s = p + strlen(*items);
    }
    return true;
}

static const char *const users[] = { "bob", NULL };
static const char *const passwords[] = { "pw", NULL };

/* The lecture's topology: alice (rutgers.edu) -> proxy.rutgers.edu -> proxy.mit.edu -> bob. */
static void lecture(net *n, bool two_phones, bool redirect)
{
    net_init(n);
    n->zone = dns_answer;
    ua(n, "alice", "10.0.1.1:5060", "sip:alice@rutgers.edu", "10.0.1.5:5060");
    server(n, "rutgers", "10.0.1.5:5060", (sip_server_cfg){ .domain = "rutgers.edu",
                                                            .record_route = true });
    server(n, "mit", "10.0.2.5:5060",
           (sip_server_cfg){ .domain = "mit.edu", .registrar = true, .record_route = true,
                             .redirect = redirect, .users = users, .passwords = passwords });
    ua(n, "bob", "10.0.2.1:5060", "sip:bob@mit.edu", "10.0.2.5:5060");
    if (two_phones)
        ua(n, "bob2", "10.0.2.2:5060", "sip:bob@mit.edu", "10.0.2.5:5060");
    register_all(n, 3, 1 * SIM_SEC);
    g_assert_cmpuint(sip_location_count(sip_server_location(n->n[2].srv), n->now), ==,
                     (guint)(n->count - 3));
    net_forget(n);
}

static void test_lecture_call(void)
{
    net n;
    lecture(&n, false, false);
    sip_ua *alice = n.n[0].ua, *bob = n.n[3].ua;
    unsigned ca = 0, cb = 0;
    g_assert_cmpint(sip_ua_call(alice, n.now, "sip:bob@mit.edu", &ca), ==, 0);
    run(&n, n.now + 200 * MS);
    g_assert_cmpstr(n.dns->str, ==, "NAPTR mit.edu; SRV _sip._udp.mit.edu; A proxy.mit.edu; AAAA proxy.mit.edu");
    g_autofree char *e1 = events(bob, &cb);
    g_assert_cmpstr(e1, ==, "incoming/0");
    sip_ua_ring(bob, n.now, cb);
    run(&n, n.now + 1 * SIM_SEC);
    sip_ua_answer(bob, n.now, cb);
    run(&n, n.now + 1 * SIM_SEC);
    g_autofree char *e0 = events(alice, NULL);
    g_assert_cmpstr(e0, ==, "progress/180 answered/200");
    g_assert_cmpstr(n.ladder->str, ==,
                    "alice>rutgers INVITE; rutgers>alice 100/INVITE; rutgers>mit INVITE; "
                    "mit>rutgers 100/INVITE; mit>bob INVITE; bob>mit 100/INVITE; "
                    "bob>mit 180/INVITE; mit>rutgers 180/INVITE; rutgers>alice 180/INVITE; "
                    "bob>mit 200/INVITE; mit>rutgers 200/INVITE; rutgers>alice 200/INVITE; "
                    "alice>rutgers ACK; rutgers>mit ACK; mit>bob ACK");
    /* media point to point: each side sends RTP to the other's SDP address */
    char buf[SIM_EP_STRLEN];
    const sdp_oa_stream *sa = sdp_oa_get(sip_ua_call_media(alice, ca), 0);
    g_assert_cmpstr(sim_ep_fmt(&sa->remote_rtp, buf, sizeof buf), ==, "10.0.2.1:8000");
    const sdp_oa_stream *sb = sdp_oa_get(sip_ua_call_media(bob, cb), 0);
    g_assert_cmpstr(sim_ep_fmt(&sb->remote_rtp, buf, sizeof buf), ==, "10.0.1.1:8000");
    /* Bob hangs up: the BYE follows the route set (both proxies Record-Routed) */
    g_string_truncate(n.ladder, 0);
    sip_ua_hangup(bob, n.now, cb);
    run(&n, n.now + 1 * SIM_SEC);
    g_assert_cmpstr(n.ladder->str, ==,
                    "bob>mit BYE; mit>rutgers BYE; rutgers>alice BYE; alice>rutgers 200/BYE; "
                    "rutgers>mit 200/BYE; mit>bob 200/BYE");
    g_autofree char *x0 = events(alice, NULL), *x1 = events(bob, NULL);
    g_assert_cmpstr(x0, ==, "ended/200");
    g_assert_cmpstr(x1, ==, "confirmed/0 ended/200");
    run(&n, n.now + 60 * SIM_SEC); /* every transaction ends, nothing is left over */
    for (int i = 0; i < 3; i++)
        g_assert_cmpuint(deadline(&n.n[i]), ==, SIM_TIME_NEVER);
    /* Bob's only timer: the re-REGISTER 32 s before his 3600 s binding expires */
    g_assert_cmpuint(deadline(&n.n[3]), ==, 20 * MS + 3568 * SIM_SEC);
    g_assert_cmpuint(sip_server_get_stats(n.n[2].srv)->challenges, ==, 1);
    net_clear(&n);
}

/* The lecture net with Bob's two phones (bob, bob2) and a call from Alice to sip:bob@mit.edu
 * that rings both (parallel forking) within 200 ms: *ca Alice's call, *c1, *c2 the phones'. */
static void fork_start(net *n, unsigned *ca, unsigned *c1, unsigned *c2)
{
    lecture(n, true, false);
    sip_ua_call(n->n[0].ua, n->now, "sip:bob@mit.edu", ca);
    run(n, n->now + 200 * MS);
    g_autofree char *e1 = events(n->n[3].ua, c1), *e2 = events(n->n[4].ua, c2);
    g_assert_cmpstr(e1, ==, "incoming/0");
    g_assert_cmpstr(e2, ==, "incoming/0");
}

static void test_forking(void)
{
    net n;
    unsigned ca = 0, c1 = 0, c2 = 0;
    fork_start(&n, &ca, &c1, &c2);
    sip_ua *alice = n.n[0].ua, *bob = n.n[3].ua, *bob2 = n.n[4].ua;
    sip_ua_ring(bob, n.now, c1);
    sip_ua_ring(bob2, n.now, c2);
    run(&n, n.now + 1 * SIM_SEC);
    sip_ua_answer(bob2, n.now, c2);
    run(&n, n.now + 1 * SIM_SEC);
    g_autofree char *a = events(alice, NULL), *x1 = events(bob, NULL), *x2 = events(bob2, NULL);
    g_assert_cmpstr(a, ==, "progress/180 progress/180 answered/200");
    g_assert_cmpstr(x1, ==, "ended/487"); /* the other branch is CANCELled */
    g_assert_cmpstr(x2, ==, "confirmed/0");
    g_assert_true(in_order(n.ladder->str, (const char *[]){ "bob2>mit 200/INVITE", "mit>bob CANCEL",
                                                            "bob>mit 200/CANCEL", "bob>mit 487/INVITE",
                                                            "mit>bob ACK", NULL }));
    g_assert_null(strstr(n.ladder->str, "487/INVITE; rutgers")); /* the 487 stays at mit */
    g_assert_cmpuint(sip_server_get_stats(n.n[2].srv)->forks, ==, 1);
    g_assert_cmpuint(sip_server_get_stats(n.n[2].srv)->cancels, ==, 1);
    net_clear(&n);
}

/* Both phones answer at once: both 200s reach Alice (a proxy forwards every 2xx, §16.7 step 5).
 * Her UA keeps the first dialog and confirms then ends the second: ACK and BYE (§13.2.2.4). */
static void test_forking_both_answer(void)
{
    net n;
    unsigned ca = 0, c1 = 0, c2 = 0;
    fork_start(&n, &ca, &c1, &c2);
    sip_ua *alice = n.n[0].ua, *bob = n.n[3].ua, *bob2 = n.n[4].ua;
    sip_ua_answer(bob, n.now, c1);
    sip_ua_answer(bob2, n.now, c2);
    run(&n, n.now + 2 * SIM_SEC);
    g_autofree char *a = events(alice, NULL), *x1 = events(bob, NULL), *x2 = events(bob2, NULL);
    g_assert_cmpstr(a, ==, "answered/200");
    g_assert_cmpstr(x1, ==, "confirmed/0");
    g_assert_cmpstr(x2, ==, "confirmed/0 ended/200"); /* ACKed, then BYE from Alice */
    sip_call_state st;
    g_assert_cmpint(sip_ua_call_state(alice, ca, &st), ==, 0);
    g_assert_cmpint(st, ==, SIP_CALL_CONFIRMED);
    net_clear(&n);
}

static void test_redirect(void)
{
    net n;
    lecture(&n, false, true);
    sip_ua *alice = n.n[0].ua, *bob = n.n[3].ua;
    unsigned ca = 0, cb = 0;
    sip_ua_call(alice, n.now, "sip:bob@mit.edu", &ca);
    run(&n, n.now + 300 * MS);
    g_autofree char *e1 = events(bob, &cb);
    g_assert_cmpstr(e1, ==, "incoming/0");
    g_assert_nonnull(strstr(n.ladder->str, "mit>rutgers 302/INVITE; rutgers>mit ACK; "
                                           "rutgers>alice 302/INVITE; alice>rutgers ACK; "
                                           "alice>bob INVITE"));
    sip_ua_answer(bob, n.now, cb);
    run(&n, n.now + 1 * SIM_SEC);
    g_autofree char *e0 = events(alice, NULL);
    g_assert_cmpstr(e0, ==, "answered/200");
    g_assert_cmpuint(sip_server_get_stats(n.n[2].srv)->redirects, ==, 1);
    net_clear(&n);
}

static void test_errors(void)
{
    net n;
    lecture(&n, false, false);
    sip_ua *alice = n.n[0].ua;
    unsigned c;
    /* nobody registered as carol: 480 from mit, through rutgers */
    sip_ua_call(alice, n.now, "sip:carol@mit.edu", &c);
    run(&n, n.now + 1 * SIM_SEC);
    g_autofree char *e0 = events(alice, NULL);
    g_assert_cmpstr(e0, ==, "ended/480");
    /* loop.test resolves to the rutgers proxy itself: the request comes back unchanged */
    sip_ua_call(alice, n.now, "sip:x@loop.test", &c);
    run(&n, n.now + 1 * SIM_SEC);
    g_autofree char *e1 = events(alice, NULL);
    g_assert_cmpstr(e1, ==, "ended/482");
    g_assert_cmpuint(sip_server_get_stats(n.n[1].srv)->loops, ==, 1);
    /* Max-Forwards: 0 -> 483 */
    static const char mf0[] = "OPTIONS sip:bob@mit.edu SIP/2.0\r\n"
                              "Via: SIP/2.0/UDP 10.0.1.1:5060;branch=z9hG4bKmf0\r\n"
                              "From: <sip:a@rutgers.edu>;tag=1\r\nTo: <sip:bob@mit.edu>\r\n"
                              "Call-ID: mf0\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 0\r\n\r\n";
    sip_server *mit = n.n[2].srv;
    sim_ep from = ep("10.0.1.1:5060");
    g_assert_cmpint(sip_server_input(mit, n.now, &from, (const uint8_t *)mf0, sizeof mf0 - 1),
                    ==, 0);
    sip_out o;
    g_assert_true(sip_server_pop(mit, &o));
    g_assert_cmpint(strncmp((char *)o.data, "SIP/2.0 483 Too Many Hops\r\n", 27), ==, 0);
    sip_out_clear(&o);
    g_assert_cmpint(sip_server_input(mit, n.now, &from, (const uint8_t *)"\x01junk", 5), ==,
                    -EBADMSG);
    net_clear(&n);
}

/* A server core on its own (no net) configured as c, its rng (kept by the caller) seeded
 * with 1. Owned. */
static sip_server *lone_server(sim_rng *rng, sip_server_cfg c)
{
    sim_rng_seed(rng, 1);
    sip_server *s = sip_server_new(&c, rng);
    g_assert_nonnull(s);
    return s;
}

/* The registrar's rules on raw REGISTERs (no users configured): expires parameter over the
 * Expires header, the cap, removal with expires=0 and with "*"; "*" with others is malformed. */
static void test_registrar_rules(void)
{
    sim_rng rng;
    sip_server *s = lone_server(&rng, (sip_server_cfg){ .domain = "mit.edu", .registrar = true,
                                                        .self = ep("10.0.2.5:5060"),
                                                        .max_expires = 600 });
    sim_ep from = ep("10.0.2.1:5060");
    static const char *const contacts[] = {
        "<sip:bob@10.0.2.1>;expires=100, <sip:bob@10.0.2.2>\r\nExpires: 5000",
        "<sip:bob@10.0.2.1>;expires=0",
        "*\r\nExpires: 0",
        "*, <sip:bob@10.0.2.3>\r\nExpires: 0",
    };
    static const unsigned want_status[] = { 200, 200, 200, 0 };
    static const size_t want_count[] = { 2, 1, 0, 0 };
    for (unsigned i = 0; i < G_N_ELEMENTS(contacts); i++) {
        g_autofree char *req = g_strdup_printf(
            "REGISTER sip:mit.edu SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.2.1:5060;branch=z9hG4bKr%u\r\n"
            "From: <sip:bob@mit.edu>;tag=1\r\nTo: <sip:bob@mit.edu>\r\nCall-ID: reg\r\n"
            "CSeq: %u REGISTER\r\nMax-Forwards: 70\r\nContact: %s\r\n\r\n", i, i + 1, contacts[i]);
        int rc = sip_server_input(s, 0, &from, (const uint8_t *)req, strlen(req));
        sip_out o;
        if (!want_status[i]) { /* the codec already refuses "*" among other contacts: the
                                  request is still answered, 400 with the reason (§8.2) */
            g_assert_cmpint(rc, ==, -EBADMSG);
            g_assert_true(sip_server_pop(s, &o));
            sip_msg *r = NULL;
            g_assert_cmpint(sip_msg_decode(o.data, o.len, &r, NULL), ==, 0);
            g_assert_cmpuint(r->status, ==, 400);
            g_test_message("reason: %s", r->reason);
            g_assert_cmpuint(strlen(r->reason), >, 0);
            sip_msg_free(r);
            sip_out_clear(&o);
            g_assert_false(sip_server_pop(s, &o));
            continue;
        }
        g_assert_true(sip_server_pop(s, &o));
        sip_msg *r = NULL;
        g_assert_cmpint(sip_msg_decode(o.data, o.len, &r, NULL), ==, 0);
        g_assert_cmpuint(r->status, ==, want_status[i]);
        g_assert_cmpuint(sip_location_count(sip_server_location(s), 0), ==, want_count[i]);
        if (i == 0) { /* 100 from the parameter, 600 (the cap) from Expires: 5000 */
            g_assert_cmpuint(sip_msg_count(r, SIP_HDR_CONTACT), ==, 2);
            g_assert_nonnull(strstr(sip_msg_hdr(r, SIP_HDR_CONTACT, 0)->value, "expires=100"));
            g_assert_nonnull(strstr(sip_msg_hdr(r, SIP_HDR_CONTACT, 1)->value, "expires=600"));
        }
        sip_msg_free(r);
        sip_out_clear(&o);
    }
    /* bindings expire */
    sip_location *l = sip_server_location(s);
    sip_location_bind(l, "bob@mit.edu", "sip:bob@10.0.2.9", 10 * SIM_SEC, NULL);
    g_assert_cmpuint(sip_location_count(l, 9 * SIM_SEC), ==, 1);
    g_assert_cmpuint(sip_location_count(l, 10 * SIM_SEC), ==, 0);
    sip_server_free(s);
}

/* RFC 3261 §16.3 / RFC 4475: a proxy that is also the registrar answers each torture message
 * it must answer straight back to its source, forwards none of them, and drops responses. */
static void test_torture_answers(void)
{
    sim_rng rng;
    sip_server *s = lone_server(&rng, (sip_server_cfg){ .domain = "example.com",
                                                        .registrar = true, .record_route = true,
                                                        .self = ep("10.0.2.5:5060") });
    sim_ep from = ep("192.0.2.7:5060");
    for (size_t i = 0; i < G_N_ELEMENTS(sip_torture_cases); i++) {
        GBytes *b = sip_torture_load(sip_torture_cases[i].name);
        gsize len;
        const uint8_t *p = g_bytes_get_data(b, &len);
        sip_server_input(s, 0, &from, p, len);
        sip_out o;
        if (sip_torture_cases[i].reply) {
            g_assert_true(sip_server_pop(s, &o));
            g_assert_true(sim_ep_eq(&o.to, &from));
            sip_torture_check_answer(i, o.data, o.len);
            sip_out_clear(&o);
        }
        g_assert_false(sip_server_pop(s, &o));
        g_bytes_unref(b);
    }
    const sip_server_stats *st = sip_server_get_stats(s);
    g_assert_cmpuint(st->bad, ==, 9);
    g_assert_cmpuint(st->rejected, ==, 2);
    g_assert_cmpuint(st->dropped, ==, 2);
    g_assert_cmpuint(st->forwarded + st->stateless + st->lookups, ==, 0);
    sip_server_free(s);
}

/* Sends raw request text to s from `from` and pops the first datagram s sends back or on. */
static void raw_in(sip_server *s, sim_time_t now, const char *from, const char *req, sip_out *o)
{
    sim_ep f = ep(from);
    g_assert_cmpint(sip_server_input(s, now, &f, (const uint8_t *)req, strlen(req)), ==, 0);
    g_assert_true(sip_server_pop(s, o));
}

/* RFC 3581 + RFC 5626-lite: a REGISTER with rport arriving from a NAT's outside address makes
 * that source the flow of the binding: an INVITE for the AOR, and a later in-dialog request
 * whose Request-URI is the contact, go to 68.36.210.57:40567, not to the private contact.
 * Without rport nothing is remembered and the INVITE goes to the contact itself. */
static void test_registrar_flow(void)
{
    static const char *const via[] = { ";rport", "" };
    static const char *const want[] = { "68.36.210.57:40567", "192.168.1.10:5060" };
    for (unsigned k = 0; k < 2; k++) {
        sim_rng rng;
        sip_server *s = lone_server(&rng, (sip_server_cfg){ .domain = "mit.edu",
                                                            .registrar = true,
                                                            .record_route = true,
                                                            .self = ep("18.7.22.84:5060") });
        g_autofree char *reg = g_strdup_printf(
            "REGISTER sip:mit.edu SIP/2.0\r\nVia: SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bKr%s"
            "\r\nFrom: <sip:alice@mit.edu>;tag=1\r\nTo: <sip:alice@mit.edu>\r\nCall-ID: reg\r\n"
            "CSeq: 1 REGISTER\r\nMax-Forwards: 70\r\nContact: <sip:alice@192.168.1.10:5060>\r\n"
            "Expires: 60\r\n\r\n", via[k]);
        sip_out o;
        raw_in(s, 0, "68.36.210.57:40567", reg, &o);
        g_assert_true(ep_is(&o.to, k ? "68.36.210.57:5060" : "68.36.210.57:40567"));
        sip_out_clear(&o);
        sim_ep flow;
        g_assert_cmpint(sip_location_flow(sip_server_location(s), NULL,
                                          "sip:alice@192.168.1.10:5060", 0, &flow), ==,
                        k ? -ENOENT : 0);
        static const char inv[] =
            "INVITE sip:alice@mit.edu SIP/2.0\r\nVia: SIP/2.0/UDP 18.7.22.9:5060;branch=z9hG4bKi1"
            "\r\nFrom: <sip:bob@mit.edu>;tag=2\r\nTo: <sip:alice@mit.edu>\r\nCall-ID: inv\r\n"
            "CSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContact: <sip:bob@18.7.22.9>\r\n\r\n";
        raw_in(s, SIM_SEC, "18.7.22.9:5060", inv, &o); /* 100 Trying */
        sip_out_clear(&o);
        g_assert_true(sip_server_pop(s, &o)); /* the forwarded INVITE */
        g_assert_cmpint(strncmp((char *)o.data, "INVITE sip:alice@192.168.1.10:5060 ", 35), ==, 0);
        g_assert_true(ep_is(&o.to, want[k]));
        sip_out_clear(&o);
        /* an in-dialog BYE (Request-URI = the contact) follows the same flow */
        static const char bye[] =
            "BYE sip:alice@192.168.1.10:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 18.7.22.9:5060;"
            "branch=z9hG4bKb1\r\nRoute: <sip:18.7.22.84:5060;lr>\r\nFrom: <sip:bob@mit.edu>;tag=2"
            "\r\nTo: <sip:alice@mit.edu>;tag=3\r\nCall-ID: inv\r\nCSeq: 2 BYE\r\n"
            "Max-Forwards: 70\r\n\r\n";
        raw_in(s, 2 * SIM_SEC, "18.7.22.9:5060", bye, &o);
        g_assert_cmpint(strncmp((char *)o.data, "BYE ", 4), ==, 0);
        g_assert_true(ep_is(&o.to, want[k]));
        sip_out_clear(&o);
        g_assert_cmpuint(sip_server_get_stats(s)->via_flow, ==, k ? 0 : 2);
        /* the flow dies with the binding (Expires: 60) */
        g_assert_cmpint(sip_location_flow(sip_server_location(s), "alice@mit.edu",
                                          "sip:alice@192.168.1.10:5060", 60 * SIM_SEC, &flow),
                        ==, -ENOENT);
        sip_server_free(s);
    }
}

/* How both failover tests end: proxy.rutgers.edu failed over once, Bob answers the call cb
 * that reached him and Alice's call is answered; then the net is cleared and the test's DNS
 * put back. */
static void failover_answer(net *n, unsigned cb)
{
    g_assert_cmpuint(sip_server_get_stats(n->n[1].srv)->failovers, ==, 1);
    sip_ua_answer(n->n[3].ua, n->now, cb);
    run(n, n->now + 1 * SIM_SEC);
    g_autofree char *e0 = events(n->n[0].ua, NULL);
    g_assert_cmpstr(e0, ==, "answered/200");
    net_clear(n);
    dns_first = FIRST_NONE;
}

/* RFC 3263 §4.3: _sip._udp.mit.edu lists dead.mit.edu (priority 0, nobody at its address)
 * before proxy.mit.edu (10). proxy.rutgers.edu sends the INVITE to the dead host, retransmits
 * it (Timer A) and at Timer B (32 s) sends it, as a new transaction with a new branch, to the
 * next target: the call goes through. */
static void test_failover_timeout(void)
{
    net n;
    dns_first = FIRST_DEAD;
    lecture(&n, false, false);
    sip_ua *alice = n.n[0].ua, *bob = n.n[3].ua;
    unsigned ca = 0, cb = 0;
    sim_time_t t0 = n.now;
    g_assert_cmpint(sip_ua_call(alice, n.now, "sip:bob@mit.edu", &ca), ==, 0);
    run(&n, n.now + 200 * MS);
    g_assert_cmpstr(n.dns->str, ==,
                    "NAPTR mit.edu; SRV _sip._udp.mit.edu; A dead.mit.edu; AAAA dead.mit.edu; "
                    "A proxy.mit.edu; AAAA proxy.mit.edu");
    g_assert_true(in_order(n.ladder->str, (const char *[]){ "alice>rutgers INVITE",
                                                            "rutgers>? INVITE", NULL }));
    g_assert_null(strstr(n.ladder->str, "rutgers>mit"));
    run(&n, t0 + 31 * SIM_SEC);
    g_autofree char *none = events(bob, NULL);
    g_assert_cmpstr(none, ==, ""); /* still trying the dead host (Timer A retransmissions) */
    g_assert_null(strstr(n.ladder->str, "rutgers>mit"));
    run(&n, t0 + 33 * SIM_SEC);
    g_autofree char *e1 = events(bob, &cb);
    g_assert_cmpstr(e1, ==, "incoming/0");
    g_assert_true(in_order(n.ladder->str, (const char *[]){ "rutgers>? INVITE", "rutgers>mit INVITE",
                                                            "mit>bob INVITE", NULL }));
    failover_answer(&n, cb);
}

/* RFC 3263 §4.3: the first target answers 503 Service Unavailable: the proxy ACKs it (its
 * transaction does) and tries the next target at once, with a new branch; the 503 does not
 * go upstream. */
static void test_failover_503(void)
{
    net n;
    dns_first = FIRST_BUSY;
    lecture(&n, false, false);
    sip_ua *alice = n.n[0].ua, *bob = n.n[3].ua;
    sip_ua *busy = ua(&n, "busy", "10.0.2.9:5060", "sip:busy@mit.edu", NULL);
    unsigned ca = 0, cb = 0, cx = 0;
    g_assert_cmpint(sip_ua_call(alice, n.now, "sip:bob@mit.edu", &ca), ==, 0);
    run(&n, n.now + 100 * MS);
    g_autofree char *ex = events(busy, &cx);
    g_assert_cmpstr(ex, ==, "incoming/0");
    g_assert_cmpint(sip_ua_reject(busy, n.now, cx, 503), ==, 0);
    run(&n, n.now + 200 * MS);
    g_autofree char *e1 = events(bob, &cb);
    g_assert_cmpstr(e1, ==, "incoming/0");
    g_assert_true(in_order(n.ladder->str,
                           (const char *[]){ "rutgers>busy INVITE", "busy>rutgers 503/INVITE",
                                             "rutgers>busy ACK", "rutgers>mit INVITE", NULL }));
    g_assert_null(strstr(n.ladder->str, "rutgers>alice 503"));
    failover_answer(&n, cb);
}

/* §16.3 step 6: Proxy-Require naming an extension (natsim supports none) gets 420 Bad
 * Extension with the tags in one Unsupported header, and nothing is forwarded; a Require (for
 * the UAS, not the proxy) is forwarded untouched (found with SIPp, docs/interop.md). */
static void test_proxy_require_420(void)
{
    sim_rng rng;
    sip_server *s = lone_server(&rng, (sip_server_cfg){ .domain = "mit.edu", .record_route = true,
                                                        .self = ep("18.7.22.84:5060") });
    static const char *const hdr[] = { "Proxy-Require: foo, bar\r\n", "Require: 100rel\r\n" };
    for (unsigned k = 0; k < 2; k++) {
        g_autofree char *inv = g_strdup_printf(
            "INVITE sip:bob@10.0.2.9 SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 10.0.1.1:5060;branch=z9hG4bKpr%u\r\n"
            "From: <sip:a@rutgers.edu>;tag=1\r\nTo: <sip:bob@10.0.2.9>\r\nCall-ID: pr%u\r\n"
            "CSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContact: <sip:a@10.0.1.1>\r\n%s\r\n", k, k,
            hdr[k]);
        sip_out o;
        raw_in(s, 0, "10.0.1.1:5060", inv, &o);
        g_assert_cmpint(strncmp((char *)o.data, "SIP/2.0 100 ", 12), ==, 0);
        sip_out_clear(&o);
        g_assert_true(sip_server_pop(s, &o));
        sip_msg *m = NULL;
        g_assert_cmpint(sip_msg_decode(o.data, o.len, &m, NULL), ==, 0);
        if (k == 0) {
            g_assert_cmpuint(m->status, ==, 420);
            g_assert_true(ep_is(&o.to, "10.0.1.1:5060"));
            const sip_hdr *h = sip_msg_hdr(m, SIP_HDR_UNSUPPORTED, 0);
            g_assert_nonnull(h);
            g_assert_cmpstr(h->value, ==, "foo, bar");
        } else {
            g_assert_true(m->request);
            g_assert_cmpstr(m->method, ==, "INVITE");
            g_assert_true(ep_is(&o.to, "10.0.2.9:5060"));
        }
        sip_msg_free(m);
        sip_out_clear(&o);
        g_assert_false(sip_server_pop(s, &o));
    }
    sip_server_free(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sip/server/lecture-call", test_lecture_call);
    g_test_add_func("/sip/server/forking", test_forking);
    g_test_add_func("/sip/server/forking-both-answer", test_forking_both_answer);
    g_test_add_func("/sip/server/redirect-302", test_redirect);
    g_test_add_func("/sip/server/errors-480-482-483", test_errors);
    g_test_add_func("/sip/server/registrar-rules", test_registrar_rules);
    g_test_add_func("/sip/server/rfc4475-answers", test_torture_answers);
    g_test_add_func("/sip/server/registrar-flow-rport", test_registrar_flow);
    g_test_add_func("/sip/server/failover-timeout", test_failover_timeout);
    g_test_add_func("/sip/server/failover-503", test_failover_503);
    g_test_add_func("/sip/server/proxy-require-420", test_proxy_require_420);
    return g_test_run();
}
