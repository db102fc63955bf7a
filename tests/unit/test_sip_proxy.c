/* tests/unit/test_sip_proxy.c — the per-hop rules SIP servers apply: received / rport stamping
 * on the top Via (RFC 3261 §18.2.1, RFC 3581 §4 and its example), where responses go (with and
 * without rport behind a NAT: the classic failure), Max-Forwards on forwarding, and branch
 * tokens from a seeded generator. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/sip/sip.h"

static sip_msg *request(const char *via)
{
    GString *s = g_string_new("INVITE sip:bob@biloxi.example.com SIP/2.0\r\n");
    g_string_append_printf(s, "Via: %s\r\nVia: SIP/2.0/UDP second.example.com;branch=z9hG4bK2\r\n"
                              "To: <sip:bob@biloxi.example.com>\r\nFrom: <sip:alice@atlanta.example.com>;tag=1\r\n"
                              "Call-ID: c@h\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n\r\n", via);
    sip_msg *m = NULL;
    g_assert_cmpint(sip_msg_decode((const uint8_t *)s->str, s->len, &m, NULL), ==, 0);
    g_string_free(s, TRUE);
    return m;
}

static void assert_reply_to(const sip_msg *m, const char *host, uint16_t port)
{
    sip_via v;
    char h[64];
    uint16_t p;
    g_assert_cmpint(sip_msg_via(m, 0, &v), ==, 0);
    g_assert_cmpint(sip_via_reply_to(&v, h, sizeof h, &p), ==, 0);
    g_assert_cmpstr(h, ==, host);
    g_assert_cmpuint(p, ==, port);
}

/* RFC 3581 §4: the client at 10.1.1.1:4540 behind a NAT whose mapping is 192.0.2.1:9988. */
static void test_rport_example(void)
{
    sip_msg *m = request("SIP/2.0/UDP 10.1.1.1:4540;rport;branch=z9hG4bKkjshdyff");
    sim_ep src;
    sim_ep_parse("192.0.2.1:9988", &src);
    g_assert_cmpint(sip_msg_stamp_received(m, &src), ==, 0);
    g_assert_cmpstr(sip_msg_hdr(m, SIP_HDR_VIA, 0)->value, ==,
                    "SIP/2.0/UDP 10.1.1.1:4540;rport=9988;branch=z9hG4bKkjshdyff;received=192.0.2.1");
    assert_reply_to(m, "192.0.2.1", 9988); /* the NAT mapping: the response gets through */
    g_assert_cmpuint(sip_msg_count(m, SIP_HDR_VIA), ==, 2);
    sip_msg_free(m);
}

/* Without rport the response goes to the received address but the port in sent-by, where
 * the NAT has no mapping: the classic failure RFC 3581 fixes. */
static void test_no_rport_behind_nat(void)
{
    sip_msg *m = request("SIP/2.0/UDP 10.1.1.1:4540;branch=z9hG4bKkjshdyff");
    sim_ep src;
    sim_ep_parse("192.0.2.1:9988", &src);
    g_assert_cmpint(sip_msg_stamp_received(m, &src), ==, 0);
    g_assert_cmpstr(sip_msg_hdr(m, SIP_HDR_VIA, 0)->value, ==,
                    "SIP/2.0/UDP 10.1.1.1:4540;branch=z9hG4bKkjshdyff;received=192.0.2.1");
    assert_reply_to(m, "192.0.2.1", 4540);
    sip_msg_free(m);
}

static void test_received_rules(void)
{
    sim_ep src;
    sim_ep_parse("192.0.2.1:5060", &src);
    sip_msg *m = request("SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1"); /* same address: untouched */
    g_assert_cmpint(sip_msg_stamp_received(m, &src), ==, 0);
    g_assert_cmpstr(sip_msg_hdr(m, SIP_HDR_VIA, 0)->value, ==, "SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1");
    assert_reply_to(m, "192.0.2.1", 5060);
    sip_msg_free(m);
    m = request("SIP/2.0/TLS pc.example.com;branch=z9hG4bK1"); /* a name: always stamped */
    g_assert_cmpint(sip_msg_stamp_received(m, &src), ==, 0);
    g_assert_cmpstr(sip_msg_hdr(m, SIP_HDR_VIA, 0)->value, ==,
                    "SIP/2.0/TLS pc.example.com;branch=z9hG4bK1;received=192.0.2.1");
    sip_msg_free(m);
    m = request("SIP/2.0/TLS pc.example.com;branch=z9hG4bK1");
    assert_reply_to(m, "pc.example.com", 5061);
    sip_msg_free(m);
    /* IPv6 source, and the first of two values in one Via line */
    sim_ep_parse("[2001:db8::7]:5070", &src);
    m = request("SIP/2.0/UDP [2001:db8::1];rport;branch=z9hG4bK1, SIP/2.0/UDP x;branch=z9hG4bK0");
    g_assert_cmpint(sip_msg_stamp_received(m, &src), ==, 0);
    g_assert_cmpstr(sip_msg_hdr(m, SIP_HDR_VIA, 0)->value, ==,
                    "SIP/2.0/UDP [2001:db8::1];rport=5070;branch=z9hG4bK1;received=2001:db8::7, "
                    "SIP/2.0/UDP x;branch=z9hG4bK0");
    assert_reply_to(m, "2001:db8::7", 5070);
    g_assert_cmpuint(sip_msg_count(m, SIP_HDR_VIA), ==, 3);
    sip_msg_free(m);
    m = sip_msg_new_response(200, NULL);
    g_assert_cmpint(sip_msg_stamp_received(m, &src), ==, -ENOENT);
    sip_msg_free(m);
}

static void test_max_forwards(void)
{
    unsigned status = 0;
    const char *reason = NULL;
    sip_msg *m = request("SIP/2.0/UDP a;branch=z9hG4bK1");
    uint32_t mf;
    g_assert_cmpint(sip_msg_forward_hops(m, &status, &reason), ==, 0);
    sip_msg_uint(m, SIP_HDR_MAX_FORWARDS, &mf);
    g_assert_cmpuint(mf, ==, 69);
    sip_msg_set(m, SIP_HDR_MAX_FORWARDS, "0");
    g_assert_cmpint(sip_msg_forward_hops(m, &status, &reason), ==, -EPROTO);
    g_assert_cmpuint(status, ==, 483);
    g_assert_cmpstr(reason, ==, "Too Many Hops");
    sip_msg_remove(m, SIP_HDR_MAX_FORWARDS, NULL);
    g_assert_cmpint(sip_msg_forward_hops(m, &status, &reason), ==, 0);
    sip_msg_uint(m, SIP_HDR_MAX_FORWARDS, &mf);
    g_assert_cmpuint(mf, ==, 70);
    sip_msg_free(m);
}

static void test_loose_route(void)
{
    sip_msg *m = request("SIP/2.0/UDP a;branch=z9hG4bK1");
    sip_uri self;
    sip_uri_parse("sip:P1.example.com", 18, &self, NULL);
    g_assert_cmpint(sip_msg_route_pop_self(m, &self), ==, 0); /* no Route */
    sip_msg_add(m, SIP_HDR_ROUTE, NULL, "<sip:p1.example.com;lr>, <sip:p2.example.com;lr>");
    g_assert_cmpint(sip_msg_route_pop_self(m, &self), ==, 1);
    g_assert_cmpint(sip_msg_route_pop_self(m, &self), ==, 0); /* p2 is someone else */
    g_assert_cmpuint(sip_msg_count(m, SIP_HDR_ROUTE), ==, 1);
    sip_uri_parse("sip:p2.example.com:5070", 23, &self, NULL);
    g_assert_cmpint(sip_msg_route_pop_self(m, &self), ==, 0); /* another port */
    sip_msg_free(m);
}

static void test_tokens(void)
{
    sim_rng a, b;
    sim_rng_seed(&a, 42);
    sim_rng_seed(&b, 42);
    char x[SIP_TOKEN_MAX], y[SIP_TOKEN_MAX], z[SIP_TOKEN_MAX];
    sip_random_token(&a, SIP_BRANCH_COOKIE, x, sizeof x);
    sip_random_token(&b, SIP_BRANCH_COOKIE, y, sizeof y);
    sip_random_token(&a, SIP_BRANCH_COOKIE, z, sizeof z);
    g_assert_cmpstr(x, ==, y); /* same seed, same branch */
    g_assert_cmpstr(x, !=, z);
    g_assert_cmpuint(strlen(x), ==, 7 + 16);
    g_assert_true(g_str_has_prefix(x, "z9hG4bK"));
    char via[96];
    g_snprintf(via, sizeof via, "SIP/2.0/UDP h;branch=%s", x);
    sip_via v;
    g_assert_cmpint(sip_via_parse((sip_str){ via, strlen(via) }, &v, NULL), ==, 0);
    g_assert_true(v.rfc3261);
    char small[5];
    sip_random_token(&a, "", small, sizeof small);
    g_assert_cmpuint(strlen(small), ==, 4);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sip/proxy/rfc3581-example", test_rport_example);
    g_test_add_func("/sip/proxy/no-rport-behind-nat", test_no_rport_behind_nat);
    g_test_add_func("/sip/proxy/received-rules", test_received_rules);
    g_test_add_func("/sip/proxy/max-forwards", test_max_forwards);
    g_test_add_func("/sip/proxy/loose-route", test_loose_route);
    g_test_add_func("/sip/proxy/tokens", test_tokens);
    return g_test_run();
}
