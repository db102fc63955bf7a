/* tests/unit/test_sip_ua_dialog.c — requests inside a dialog of the user agent core, two UAs
 * (and hand-written SIPp-like messages) on the in-test network of sip_net.h: an old CSeq
 * answered 500 and ignored, the ACK exempt (RFC 3261 §12.2.2); re-INVITE glare answered 491
 * on both sides and each re-INVITE sent again after its §14.1 interval (the Call-ID owner
 * 2.1-4 s, the other 0-2 s, 10 ms units, to the nanosecond for the seeded generators); a
 * re-INVITE while our 2xx waits for its ACK answered 500 with Retry-After (§14.2); an INVITE
 * without an offer (RFC 3264 §5): offer in the 200, answer in the ACK, between two UAs, for a
 * re-INVITE and from a SIPp-like peer, whose ACK without an answer ends the call with BYE; a
 * 200 without the offer is ACKed and the call ended with BYE (§13.2.2.4). */
#include "tests/unit/sip_net.h"
#include <stdlib.h>
#include "protocols/sdp/sdp.h"

#define ALICE "10.0.0.1:5060"
#define BOB "10.0.0.2:5060"
#define WAIT_A (3390 * MS)
#define WAIT_B (1690 * MS)

/* The call between Alice and Bob: the UAs, their call ids, and the From, To and Call-ID
 * lines of the dialog as Alice sends them. */
typedef struct call_fx {
    sip_ua *a, *b;
    unsigned ca, cb;
    char dlg[512];
} call_fx;

static char *hdr(const sip_msg *m, sip_hdr_id id)
{
    const sip_hdr *h = sip_msg_hdr(m, id, 0);
    g_assert_nonnull(h);
    return g_strndup(h->value, h->value_len);
}

/* The From, To and Call-ID lines of the call's dialog as Alice sends them, into c->dlg. */
static void dialog_lines(net *n, call_fx *c)
{
    const sent *ok = find_sent(n, "bob", "alice", "200/INVITE", 0);
    g_assert_nonnull(ok);
    g_autofree char *from = hdr(ok->msg, SIP_HDR_FROM);
    g_autofree char *to = hdr(ok->msg, SIP_HDR_TO);
    g_autofree char *cid = hdr(ok->msg, SIP_HDR_CALL_ID);
    int len = g_snprintf(c->dlg, sizeof c->dlg, "From: %s\r\nTo: %s\r\nCall-ID: %s\r\n", from,
                         to, cid);
    g_assert_cmpint(len, <, (int)sizeof c->dlg);
}

/* Alice calls Bob (no proxy) at 0 (with or without an offer), Bob answers at 100 ms; the net
 * runs to 1 s. c: the call. */
static void call_up(net *n, bool offer, call_fx *c)
{
    net_init(n);
    c->a = ua(n, "alice", ALICE, "sip:alice@10.0.0.1", NULL);
    c->b = ua(n, "bob", BOB, "sip:bob@10.0.0.2", NULL);
    g_assert_cmpint(offer ? sip_ua_call(c->a, 0, "sip:bob@10.0.0.2", &c->ca)
                          : sip_ua_call_offerless(c->a, 0, "sip:bob@10.0.0.2", &c->ca), ==, 0);
    run(n, 100 * MS);
    g_autofree char *eb = events(c->b, &c->cb);
    g_assert_cmpstr(eb, ==, "incoming/0");
    g_assert_cmpint(sip_ua_answer(c->b, n->now, c->cb), ==, 0);
    run(n, SIM_SEC);
    g_autofree char *ea = events(c->a, NULL);
    g_autofree char *eb2 = events(c->b, NULL);
    g_assert_cmpstr(ea, ==, "answered/200");
    g_assert_cmpstr(eb2, ==, "confirmed/0");
    dialog_lines(n, c);
}

/* The SDP body of s as a string (owned). */
static char *body(const sent *s)
{
    return g_strndup((const char *)s->msg->body, s->msg->body_len);
}

/* Forgets what the net sent so far, feeds Bob a request in Alice's dialog (dlg: call_fx.dlg)
 * as Alice's phone would send it (branch b, CSeq cseq, SDP sdp or none), then runs the net
 * 50 ms: n->ladder is what followed. */
static void alice_sends(net *n, const char *dlg, const char *method, unsigned cseq,
                        const char *branch, const char *sdp)
{
    g_autofree char *req = g_strdup_printf(
        "%s sip:bob@10.0.0.2:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK%s\r\n"
        "%sCSeq: %u %s\r\nMax-Forwards: 70\r\nContact: <sip:alice@10.0.0.1:5060>\r\n%s\r\n%s",
        method, branch, dlg, cseq, method, sdp ? "Content-Type: application/sdp\r\n" : "",
        sdp ? sdp : "");
    net_forget(n);
    input_text(n->n[1].ua, NULL, n->now, ALICE, req);
    run(n, n->now + 50 * MS);
}

static void alice_says(net *n, const char *dlg, const char *method, unsigned cseq,
                       const char *branch)
{
    alice_sends(n, dlg, method, cseq, branch, NULL);
}

static void test_cseq_order(void)
{
    net n;
    call_fx c;
    call_up(&n, true, &c);
    sip_ua *b = c.b;
    alice_says(&n, c.dlg, "OPTIONS", 5, "o5");
    g_assert_cmpstr(n.ladder->str, ==, "bob>alice 200/OPTIONS");
    alice_says(&n, c.dlg, "BYE", 4, "b4"); /* below 5: out of order */
    g_assert_cmpstr(n.ladder->str, ==, "bob>alice 500/BYE");
    g_assert_cmpuint(sip_ua_get_stats(b)->out_of_order, ==, 1);
    sip_call_state st;
    g_assert_cmpint(sip_ua_call_state(b, c.cb, &st), ==, 0);
    g_assert_cmpint(st, ==, SIP_CALL_CONFIRMED); /* the BYE was ignored */
    g_autofree char *e1 = events(b, NULL);
    g_assert_cmpstr(e1, ==, "");
    alice_says(&n, c.dlg, "BYE", 4, "b4"); /* a retransmission: the transaction answers */
    g_assert_cmpstr(n.ladder->str, ==, "bob>alice 500/BYE");
    g_assert_cmpuint(sip_ua_get_stats(b)->out_of_order, ==, 1);
    alice_says(&n, c.dlg, "ACK", 1, "a1"); /* §12.2.2: an ACK is not checked, not answered */
    g_assert_cmpstr(n.ladder->str, ==, "");
    g_assert_cmpuint(sip_ua_get_stats(b)->out_of_order, ==, 1);
    alice_says(&n, c.dlg, "BYE", 6, "b6");
    g_assert_cmpstr(n.ladder->str, ==, "bob>alice 200/BYE");
    g_autofree char *e2 = events(b, NULL);
    g_assert_cmpstr(e2, ==, "ended/200");
    net_clear(&n);
}

/* The time the nth INVITE from `from` was sent. */
static sim_time_t invite_at(net *n, const char *from, const char *to, int nth)
{
    const sent *s = find_sent(n, from, to, "INVITE", nth);
    g_assert_nonnull(s);
    return s->at;
}

static void test_glare_491(void)
{
    net n;
    call_fx c;
    call_up(&n, true, &c);
    sip_ua *a = c.a, *b = c.b;
    net_forget(&n);
    sim_time_t t0 = 2 * SIM_SEC;
    run(&n, t0);
    g_assert_cmpint(sip_ua_reinvite(a, t0, c.ca), ==, 0);
    g_assert_cmpint(sip_ua_reinvite(b, t0, c.cb), ==, 0);
    g_assert_cmpint(sip_ua_reinvite(a, t0, c.ca), ==, -EPROTO); /* one at a time (§14.1) */
    run(&n, t0 + 6 * SIM_SEC);
    /* each side answers the other's re-INVITE 491 (§14.2), the 491 arrives at t0 + 10 ms */
    g_assert_nonnull(find_sent(&n, "alice", "bob", "491/INVITE", 0));
    g_assert_nonnull(find_sent(&n, "bob", "alice", "491/INVITE", 0));
    g_assert_cmpuint(sip_ua_get_stats(a)->glare, ==, 1);
    g_assert_cmpuint(sip_ua_get_stats(b)->glare, ==, 1);
    sim_time_t got491 = t0 + 2 * DELAY;
    sim_time_t wait_b = invite_at(&n, "bob", "alice", 1) - got491;
    sim_time_t wait_a = invite_at(&n, "alice", "bob", 1) - got491;
    /* §14.1: Bob did not generate the Call-ID: 0-2 s; Alice (the caller) did: 2.1-4 s */
    g_assert_cmpint(wait_b, <=, 2 * SIM_SEC);
    g_assert_cmpint(wait_a, >=, 2100 * MS);
    g_assert_cmpint(wait_a, <=, 4 * SIM_SEC);
    g_assert_cmpint(wait_a % (10 * MS), ==, 0);
    g_assert_cmpint(wait_b % (10 * MS), ==, 0);
    /* the seeded generators (sim_rng_derive(7, name)) draw these */
    g_assert_cmpint(wait_b, ==, WAIT_B);
    g_assert_cmpint(wait_a, ==, WAIT_A);
    g_assert_cmpstr(n.ladder->str, ==,
                    "alice>bob INVITE; bob>alice INVITE; bob>alice 100/INVITE; bob>alice "
                    "491/INVITE; alice>bob 100/INVITE; alice>bob 491/INVITE; alice>bob ACK; "
                    "bob>alice ACK; bob>alice INVITE; alice>bob 100/INVITE; alice>bob "
                    "200/INVITE; bob>alice ACK; alice>bob INVITE; bob>alice 100/INVITE; "
                    "bob>alice 200/INVITE; alice>bob ACK");
    /* both re-INVITEs went through: each UA saw the other's, then its own */
    g_autofree char *ea = events(a, NULL);
    g_autofree char *eb = events(b, NULL);
    g_assert_cmpstr(ea, ==, "media/200 confirmed/0 media/200");
    g_assert_cmpstr(eb, ==, "media/200 media/200 confirmed/0");
    net_clear(&n);
}

static void test_reinvite_before_ack_500(void)
{
    net n;
    call_fx c;
    call_up(&n, true, &c);
    /* Bob answers Alice's re-INVITE; a second one comes before the ACK for that 200 */
    g_assert_cmpint(sip_ua_reinvite(c.a, n.now, c.ca), ==, 0);
    run(&n, n.now + DELAY);
    g_assert_nonnull(sip_ua_call_media(c.b, c.cb));
    alice_says(&n, c.dlg, "INVITE", 9, "r9");
    const sent *r = find_sent(&n, "bob", "alice", "500/INVITE", 0);
    g_assert_nonnull(r);
    g_autofree char *ra = hdr(r->msg, SIP_HDR_RETRY_AFTER);
    int secs = atoi(ra);
    g_assert_cmpint(secs, >=, 0);
    g_assert_cmpint(secs, <=, 10);
    /* and once the ACK came, the next one is answered */
    alice_says(&n, c.dlg, "INVITE", 10, "r10");
    g_assert_null(find_sent(&n, "bob", "alice", "500/INVITE", 0));
    g_assert_nonnull(find_sent(&n, "bob", "alice", "200/INVITE", 0));
    net_clear(&n);
}

#define ALICE_SDP                                                                             \
    "v=0\r\no=alice 9 9 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"                \
    "m=audio 8100 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"

/* A re-INVITE without SDP (as a third-party controller sends): Bob's 200 offers his current
 * streams, the ACK's answer moves where he sends RTP, with MEDIA at the ACK. */
static void test_offerless_reinvite(void)
{
    net n;
    call_fx c;
    call_up(&n, true, &c);
    alice_says(&n, c.dlg, "INVITE", 2, "r2");
    const sent *ok = find_sent(&n, "bob", "alice", "200/INVITE", 0);
    g_assert_nonnull(ok);
    g_autofree char *offer = body(ok);
    g_assert_nonnull(strstr(offer, "m=audio 8000 RTP/AVP 0"));
    g_autofree char *e1 = events(c.b, NULL);
    g_assert_cmpstr(e1, ==, ""); /* nothing changed yet */
    alice_sends(&n, c.dlg, "ACK", 2, "k2", ALICE_SDP);
    g_autofree char *e2 = events(c.b, NULL);
    g_assert_cmpstr(e2, ==, "media/200 confirmed/0");
    assert_ep(&sdp_oa_get(sip_ua_call_media(c.b, c.cb), 0)->remote_rtp, "10.0.0.1:8100");
    net_clear(&n);
}

static void test_offerless_call(void)
{
    net n;
    call_fx c;
    call_up(&n, false, &c);
    const sent *inv = find_sent(&n, "alice", "bob", "INVITE", 0);
    const sent *ok = find_sent(&n, "bob", "alice", "200/INVITE", 0);
    const sent *ack = find_sent(&n, "alice", "bob", "ACK", 0);
    g_assert_cmpuint(inv->msg->body_len, ==, 0);
    g_autofree char *offer = body(ok);
    g_autofree char *answer = body(ack);
    g_assert_nonnull(strstr(offer, "m=audio 8000 RTP/AVP 0"));
    g_assert_nonnull(strstr(answer, "m=audio 8000 RTP/AVP 0"));
    g_assert_nonnull(strstr(answer, "c=IN IP4 10.0.0.1"));
    g_assert_cmpint(ack->at, ==, ok->at + DELAY); /* the ACK right on the 200 */
    const sdp_oa_stream *sa = sdp_oa_get(sip_ua_call_media(c.a, c.ca), 0);
    const sdp_oa_stream *sb = sdp_oa_get(sip_ua_call_media(c.b, c.cb), 0);
    assert_ep(&sa->remote_rtp, "10.0.0.2:8000");
    assert_ep(&sb->remote_rtp, "10.0.0.1:8000");
    g_assert_true(sa->active && sb->active);
    g_assert_cmpstr(sb->encoding, ==, "PCMU");
    g_assert_cmpint(sip_ua_hangup(c.a, n.now, c.ca), ==, 0);
    run(&n, n.now + SIM_SEC);
    g_autofree char *e = events(c.b, NULL);
    g_assert_cmpstr(e, ==, "ended/200");
    net_clear(&n);
}

#define SIPP_SDP                                                                              \
    "v=0\r\no=sipp 1 1 IN IP4 10.0.0.7\r\ns=-\r\nc=IN IP4 10.0.0.7\r\nt=0 0\r\n"                \
    "m=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"

/* A SIPp-like peer at 10.0.0.7 sends Bob an INVITE without SDP; Bob answers; the ACK carries
 * SIPP_SDP (with_answer) or nothing. */
static void sipp_offerless(bool with_answer)
{
    net n;
    net_init(&n);
    sip_ua *b = ua(&n, "bob", BOB, "sip:bob@10.0.0.2", NULL);
    add(&n, "sipp", "10.0.0.7:5060");
    const char *inv = "INVITE sip:bob@10.0.0.2 SIP/2.0\r\n"
                      "Via: SIP/2.0/UDP 10.0.0.7:5060;branch=z9hG4bK-sipp-1\r\n"
                      "From: sipp <sip:sipp@10.0.0.7:5060>;tag=1\r\nTo: <sip:bob@10.0.0.2>\r\n"
                      "Call-ID: 1-sipp@10.0.0.7\r\nCSeq: 1 INVITE\r\n"
                      "Contact: <sip:sipp@10.0.0.7:5060>\r\nMax-Forwards: 70\r\n"
                      "Content-Length: 0\r\n\r\n";
    input_text(b, NULL, 0, "10.0.0.7:5060", inv);
    unsigned cb = 0;
    g_autofree char *e1 = events(b, &cb);
    g_assert_cmpstr(e1, ==, "incoming/0");
    g_assert_cmpint(sip_ua_answer(b, 0, cb), ==, 0);
    run(&n, 10 * MS);
    const sent *ok = find_sent(&n, "bob", "sipp", "200/INVITE", 0);
    g_assert_nonnull(ok);
    g_autofree char *offer = body(ok);
    g_assert_nonnull(strstr(offer, "m=audio 8000 RTP/AVP 0"));
    g_autofree char *to = hdr(ok->msg, SIP_HDR_TO);
    g_autofree char *ack = g_strdup_printf(
        "ACK sip:bob@10.0.0.2:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.7:5060;branch=z9hG4bK-a\r\n"
        "From: sipp <sip:sipp@10.0.0.7:5060>;tag=1\r\nTo: %s\r\nCall-ID: 1-sipp@10.0.0.7\r\n"
        "CSeq: 1 ACK\r\nMax-Forwards: 70\r\n%s\r\n%s", to,
        with_answer ? "Content-Type: application/sdp\r\n" : "", with_answer ? SIPP_SDP : "");
    input_text(b, NULL, n.now, "10.0.0.7:5060", ack);
    net_forget(&n);
    run(&n, n.now + 10 * MS);
    g_autofree char *e2 = events(b, NULL);
    if (with_answer) {
        g_assert_cmpstr(e2, ==, "confirmed/0");
        g_assert_cmpstr(n.ladder->str, ==, ""); /* no more 200 retransmissions */
        const sdp_oa_stream *s = sdp_oa_get(sip_ua_call_media(b, cb), 0);
        assert_ep(&s->remote_rtp, "10.0.0.7:6000");
    } else { /* no answer, no session: BYE at once */
        g_assert_cmpstr(e2, ==, "");
        g_assert_cmpstr(n.ladder->str, ==, "bob>sipp BYE");
    }
    net_clear(&n);
}

static void test_sipp_offerless(void)
{
    sipp_offerless(true);
}

static void test_sipp_offerless_no_answer(void)
{
    sipp_offerless(false);
}

/* Alice calls a SIPp-like callee without an offer; its 200 OK has no SDP either: there is no
 * session to make, so Alice ACKs (no body: no answer to give) and hangs up at once. */
static void test_offerless_2xx_without_offer(void)
{
    net n;
    net_init(&n);
    sip_ua *a = ua(&n, "alice", ALICE, "sip:alice@10.0.0.1", NULL);
    add(&n, "sipp", "10.0.0.7:5060");
    unsigned ca;
    g_assert_cmpint(sip_ua_call_offerless(a, 0, "sip:sipp@10.0.0.7", &ca), ==, 0);
    run(&n, 1 * MS);
    const sent *inv = find_sent(&n, "alice", "sipp", "INVITE", 0);
    g_assert_nonnull(inv);
    g_assert_cmpuint(inv->msg->body_len, ==, 0);
    sip_msg *ok = NULL;
    g_assert_cmpint(sip_msg_response(inv->msg, 200, NULL, "s1", &ok), ==, 0);
    sip_msg_add(ok, SIP_HDR_CONTACT, NULL, "<sip:sipp@10.0.0.7:5060>");
    GString *w = g_string_new(NULL);
    sip_msg_encode(ok, w);
    sip_msg_free(ok);
    net_forget(&n);
    input_text(a, NULL, n.now, "10.0.0.7:5060", w->str);
    g_string_free(w, TRUE);
    run(&n, n.now + 10 * MS);
    g_assert_cmpstr(n.ladder->str, ==, "alice>sipp ACK; alice>sipp BYE");
    const sent *ack = find_sent(&n, "alice", "sipp", "ACK", 0);
    g_assert_cmpuint(ack->msg->body_len, ==, 0);
    sip_call_state st;
    g_assert_cmpint(sip_ua_call_state(a, ca, &st), ==, 0);
    g_assert_cmpint(st, ==, SIP_CALL_ENDED);
    net_clear(&n);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sip/ua-dialog/cseq-old-500", test_cseq_order);
    g_test_add_func("/sip/ua-dialog/glare-491-retry", test_glare_491);
    g_test_add_func("/sip/ua-dialog/reinvite-before-ack-500", test_reinvite_before_ack_500);
    g_test_add_func("/sip/ua-dialog/offerless-call", test_offerless_call);
    g_test_add_func("/sip/ua-dialog/offerless-reinvite", test_offerless_reinvite);
    g_test_add_func("/sip/ua-dialog/offerless-2xx-without-offer", test_offerless_2xx_without_offer);
    g_test_add_func("/sip/ua-dialog/offerless-from-sipp", test_sipp_offerless);
    g_test_add_func("/sip/ua-dialog/offerless-ack-without-answer", test_sipp_offerless_no_answer);
    return g_test_run();
}
