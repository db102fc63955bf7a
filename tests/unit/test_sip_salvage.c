/* tests/unit/test_sip_salvage.c — answering requests that do not decode or validate (RFC 3261
 * §8.2.2, §16.3, §21; sip_salvage.c, sip_msg_validate), through sip_txns_receive, the path
 * the UA and server cores take: every RFC 4475 invalid message gets the status RFC 4475 names
 * (or is deliberately not answered), the answer goes to the packet's source, decodes, and
 * carries the request's top Via and Call-ID, with repaired values where the request's did
 * not parse; ACKs, responses and non-requests are never answered; a Via that cannot be
 * repaired ends the answer's Via list. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/sip/sip.h"
#include "sim/addr.h"
#include "tests/unit/sip_torture.h"

/* RFC 3261 §8.2.2, §16.3, §21: what a UA or proxy answers to each RFC 4475 message that
 * does not decode or validate, through sip_txns_receive (the path both cores take): the
 * exact status line, sent to the packet's source, decoding with our decoder, with the
 * request's top Via (and so its branch) and its Call-ID. reply NULL: deliberately not
 * answered (the comment says why). via: the response's top Via; line: a repaired value the
 * response must carry, when one was repaired. */
static const struct {
    const char *name, *reply, *via, *line;
} answers[] = {
    /* §3.1.2.1: 400; the Via's ";;" and the empty list elements are left out */
    { "badinv01", "400 empty parameter", "SIP/2.0/UDP 192.0.2.15",
      "Via: SIP/2.0/UDP 192.0.2.15\r\nFrom: " },
    /* §3.1.2.2 (over UDP), §3.1.2.3: 400 */
    { "clerr", "400 body shorter than Content-Length",
      "SIP/2.0/UDP host5.example.com;branch=z9hG4bK-39234-23523", NULL },
    { "ncl", "400 bad Content-Length", "SIP/2.0/UDP 192.0.2.53;branch=z9hG4bKkdjuw", NULL },
    /* §3.1.2.4: 400 "due to the CSeq error"; its number clamps at 2**31-1 in the answer */
    { "scalar02", "400 CSeq number too large",
      "SIP/2.0/TCP host129.example.com;branch=z9hG4bK342sdfoi3", "\r\nCSeq: 2147483647 REGISTER\r\n" },
    /* §3.1.2.5: a response; "an element receiving this response will simply discard it" */
    { "scalarlg", NULL, NULL, NULL },
    /* §3.1.2.6: 400; To answered with the quote closed */
    { "quotbal", "400 unterminated quoted display name",
      "SIP/2.0/UDP 192.0.2.59:5050;branch=z9hG4bKkdjuw39234",
      "\r\nTo: \"Mr. J. User\" <sip:j.user@example.com>\r\n" },
    /* §3.1.2.7 - .11: 400 (rejecting is what RFC 4475 names; repairing would be liberal) */
    { "ltgtruri", "400 Request-URI in angle brackets", "SIP/2.0/UDP 192.0.2.5", NULL },
    { "lwsruri", "400 request line must be Method SP Request-URI SP SIP-Version",
      "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKkdjuw2395", NULL },
    { "lwsstart", "400 request line must be Method SP Request-URI SP SIP-Version",
      "SIP/2.0/UDP host1.example.com;branch=z9hG4bKkdjuw3923", NULL },
    { "trws", "400 request line must be Method SP Request-URI SP SIP-Version",
      "SIP/2.0/TCP host1.examle.com;branch=z9hG4bK299342093", NULL },
    { "escruri", "400 Request-URI with headers",
      "SIP/2.0/UDP host-of-the-hour.example.com;branch=z9hG4bKkdjuw", NULL },
    /* §3.1.2.12: an element that rejects it uses 400 */
    { "baddate", "400 bad Date (RFC 1123 date in GMT)",
      "SIP/2.0/UDP host.example.com;branch=z9hG4bKkdjuw", NULL },
    /* §3.1.2.13: 400 */
    { "regbadct", "400 URI with ? or , outside angle brackets",
      "SIP/2.0/UDP 135.180.130.133:5060;branch=z9hG4bKkdjuw", NULL },
    /* §3.1.2.14: 400; To answered without the spaces inside <> */
    { "badaspec", "400 URI without a scheme",
      "SIP/2.0/UDP host4.example.com:5060;branch=z9hG4bKkdju43234",
      "\r\nTo: \"Watson, Thomas\" <sip:t.watson@example.org>\r\n" },
    /* §3.1.2.15: 400; the display names answered quoted */
    { "baddn", "400 display name must be tokens or a quoted string",
      "SIP/2.0/UDP c.example.com:5060;branch=z9hG4bKkdjuw",
      "\r\nFrom: \"Bell, Alexander\" <sip:a.g.bell@example.com>;tag=43\r\n"
      "To: \"Watson, Thomas\" <sip:t.watson@example.org>\r\n" },
    /* §3.1.2.16: 505 Version Not Supported (RFC 3261 §8.2.2 ... §21.5.7) */
    { "badvers", "505 Version Not Supported", "SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw",
      NULL },
    /* §3.1.2.17: 400; §3.1.2.18: 501 preferred (400 acceptable) */
    { "mismatch01", "400 CSeq method does not match the request method",
      "SIP/2.0/UDP host.example.com;branch=z9hG4bKkdjuw", NULL },
    { "mismatch02", "501 Not Implemented", "SIP/2.0/UDP host.example.net;branch=z9hG4bKkdjuw",
      NULL },
    /* §3.1.2.19: a response; "an element receiving this response should simply drop it" */
    { "bigcode", NULL, NULL, NULL },
    /* §3.3.2: 416 Unsupported URI Scheme */
    { "unkscm", "416 Unsupported URI Scheme",
      "SIP/2.0/TCP host9.example.com;branch=z9hG4bKkdjuw39234", NULL },
    /* §3.3.8: 400; the first CSeq, Call-ID, From and To are answered */
    { "multi01", "400 header may appear only once", "SIP/2.0/UDP 192.0.2.25;branch=z9hG4bKkdjuw",
      "\r\nFrom: sip:caller@example.com;tag=3413415\r\nTo: sip:user@example.com\r\n"
      "Call-ID: multi01.98asdh@192.0.2.1\r\nCSeq: 5 INVITE\r\n" },
};

/* What a server's transaction layer sends for the datagram p from `from`: NULL when nothing
 * (*rc the receive result). Checks the answer goes to `from` and decodes; returns it. */
static sip_msg *answer_of(const uint8_t *p, size_t len, int *rc, GString *wire)
{
    sip_txns *t = sip_txns_new(NULL);
    sim_ep from;
    g_assert_cmpint(sim_ep_parse("192.0.2.99:5071", &from), ==, 0);
    sip_msg *m = NULL, *back = NULL;
    bool answered = true;
    *rc = sip_txns_receive(t, &from, p, len, &m, &answered);
    sip_out o;
    if (sip_txns_pop(t, &o)) {
        g_assert_true(answered);
        g_assert_true(sim_ep_eq(&o.to, &from)); /* back to the packet's source */
        g_string_append_len(wire, (const char *)o.data, (gssize)o.len);
        sip_err e = { 0 };
        if (sip_msg_decode(o.data, o.len, &back, &e) < 0)
            g_error("answer does not decode: %s at %zu", e.why, e.off);
        g_assert_false(back->request);
        sip_out_clear(&o);
        g_assert_false(sip_txns_pop(t, &o)); /* one answer */
    } else {
        g_assert_false(answered);
    }
    sip_msg_free(m);
    sip_txns_free(t);
    return back;
}

static void test_torture_reply(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(answers); i++) {
        GBytes *b = sip_torture_load(answers[i].name);
        gsize len;
        const uint8_t *p = g_bytes_get_data(b, &len);
        GString *wire = g_string_new(NULL);
        int rc;
        sip_msg *r = answer_of(p, len, &rc, wire);
        g_test_message("%s: rc %d, %s", answers[i].name, rc, wire->str);
        g_assert_cmpint(rc, <, 0); /* none reaches the TU */
        if (!answers[i].reply) {
            g_assert_null(r);
            g_string_free(wire, TRUE);
            g_bytes_unref(b);
            continue;
        }
        g_assert_nonnull(r);
        g_autofree char *line = g_strdup_printf("%u %s", r->status, r->reason);
        g_assert_cmpstr(line, ==, answers[i].reply);
        sip_str v;
        g_assert_cmpint(sip_msg_value(r, SIP_HDR_VIA, 0, &v), ==, 0);
        g_assert_cmpmem(v.p, v.len, answers[i].via, strlen(answers[i].via));
        sip_via via;
        g_assert_cmpint(sip_msg_via(r, 0, &via), ==, 0); /* the client matches on its branch */
        g_assert_true(memmem(p, len, answers[i].via, strlen(answers[i].via)) != NULL ||
                      via.branch.len == 0);
        g_assert_cmpuint(sip_msg_validate(r, &(unsigned){ 0 }, &(const char *){ NULL }), ==, 0);
        sip_str cid;
        g_assert_cmpint(sip_msg_call_id(r, &cid), ==, 0);
        g_assert_true(memmem(p, len, cid.p, cid.len) != NULL);
        if (answers[i].line)
            g_assert_nonnull(strstr(wire->str, answers[i].line));
        sip_msg_free(r);
        g_string_free(wire, TRUE);
        g_bytes_unref(b);
    }
}

/* What is never answered: an ACK (§17.1.1.3), a response, bytes that are not a request, a
 * request whose top Via or Call-ID cannot be read, a request missing To; and a Via that
 * cannot be repaired below the top one ends the response's Via list. */
static void test_reply_limits(void)
{
    static const char *const never[] = {
        "ACK <sip:a@b> SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
        "To: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
        "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
        "To: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nMax-Forwards: 300\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
        "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
        "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0 UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
        "To: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n\r\n",
        "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
        "To: <sip:c@d>\r\nCall-ID: x y\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 300\r\n\r\n",
        "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
        "Call-ID: x\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 300\r\n\r\n",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(never); i++) {
        GString *wire = g_string_new(NULL);
        int rc;
        sip_msg *r = answer_of((const uint8_t *)never[i], strlen(never[i]), &rc, wire);
        g_assert_null(r);
        g_assert_cmpint(rc, <, 0);
        g_string_free(wire, TRUE);
    }
    static const char cut[] =
        "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP p1;branch=z9hG4bK1;;, SIP/2.0/UDP p2;rport=x\r\n"
        "Via: SIP/2.0/UDP [::1;branch=z9hG4bK3\r\nVia: SIP/2.0/UDP p4;branch=z9hG4bK4\r\n"
        "From: Bob <sip:a@b>;tag=1;;x\r\nTo: sip:c@d;tag=\r\nCall-ID: x\r\nCSeq: 1  OPTIONS\r\n"
        "Max-Forwards: 300\r\n\r\n";
    GString *wire = g_string_new(NULL);
    int rc;
    sip_msg *r = answer_of((const uint8_t *)cut, strlen(cut), &rc, wire);
    g_assert_nonnull(r);
    g_assert_cmpstr(r->reason, ==, "empty parameter"); /* the first error found */
    g_assert_cmpuint(sip_msg_count(r, SIP_HDR_VIA), ==, 2); /* p1, p2; [::1 ends the list */
    g_assert_nonnull(strstr(wire->str, "Via: SIP/2.0/UDP p1;branch=z9hG4bK1\r\n"
                                       "Via: SIP/2.0/UDP p2\r\nFrom: \"Bob\" <sip:a@b>;tag=1;x\r\n"
                                       "To: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1  OPTIONS\r\n"));
    sip_msg_free(r);
    g_string_free(wire, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sip/salvage/rfc4475-answers", test_torture_reply);
    g_test_add_func("/sip/salvage/never-answered-and-via-cut", test_reply_limits);
    return g_test_run();
}
