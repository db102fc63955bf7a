/* tests/unit/test_sip_ua.c — the user agent core in virtual time, two UAs wired back to back
 * by a tiny in-test network (a datagram queue with a fixed delay and optional loss): a call
 * with 100/180/200/ACK and negotiated RTP endpoints, re-INVITE adding and removing a stream,
 * BYE; 486 Busy Here (the transaction ACKs it); CANCEL (487); the 2xx retransmitted until the
 * ACK when the first 200 is lost; OPTIONS; REGISTER with a digest challenge answered and
 * refreshed before expiry; a malformed request answered 400 with the reason, and every RFC
 * 4475 message a UA must answer answered with its status (505, 400, 416, 501); ICE descriptions
 * (RFC 8839) carried by the INVITE and the 200 OK. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/sdp/sdp.h"
#include "protocols/sip/sip.h"
#include "tests/unit/sip_torture.h"

#define MS SIM_MS
#define DELAY (10 * MS)

typedef struct pkt {
    sim_time_t at;
    sim_ep from, to;
    GBytes *data;
} pkt;

typedef struct net {
    sim_time_t now;
    sip_ua *ua[2];
    sim_ep ep[2];
    GQueue q;           /* pkt *, in send order (equal delays keep it sorted) */
    GString *ladder;    /* "A>B INVITE; B>A 100; ..." */
    int drop_next_200;  /* drop this many 200 OK from B */
    /* a minimal registrar endpoint checking digests (no registrar core is used here) */
    sim_ep reg_ep;
    unsigned reg_challenges, reg_ok;
    GArray *reg_times;  /* sim_time_t of each REGISTER */
    char reg_nc[16];    /* nc of the last credentials the registrar checked */
} net;

static void describe(net *n, int src, const sip_out *o)
{
    sip_msg *m = NULL;
    g_assert_cmpint(sip_msg_decode(o->data, o->len, &m, NULL), ==, 0);
    const char *dst = sim_ep_eq(&o->to, &n->reg_ep) ? "R" : src ? "A" : "B";
    g_string_append_printf(n->ladder, "%s%s>%s ", n->ladder->len ? "; " : "", src ? "B" : "A", dst);
    if (m->request) {
        g_string_append(n->ladder, m->method);
    } else {
        sip_cseq cs;
        sip_msg_cseq(m, &cs);
        g_string_append_printf(n->ladder, "%u/%.*s", m->status, (int)cs.method.len, cs.method.p);
    }
    sip_msg_free(m);
}

static void collect(net *n)
{
    for (int i = 0; i < 2; i++) {
        sip_out o;
        while (sip_ua_pop(n->ua[i], &o)) {
            describe(n, i, &o);
            bool drop = i == 1 && n->drop_next_200 > 0 && o.len > 12 &&
                        memcmp(o.data, "SIP/2.0 200", 11) == 0 && strstr((char *)o.data, "INVITE");
            if (drop) {
                n->drop_next_200--;
                g_string_append(n->ladder, " (lost)");
            } else {
                pkt *p = g_new0(pkt, 1);
                p->at = n->now + DELAY;
                p->from = n->ep[i];
                p->to = o.to;
                p->data = g_bytes_new(o.data, o.len);
                g_queue_push_tail(&n->q, p);
            }
            sip_out_clear(&o);
        }
    }
}

/* The in-test registrar: challenges the first REGISTER, checks the digest of the retry. */
static void registrar(net *n, pkt *p)
{
    sip_msg *m = NULL;
    gsize len;
    const uint8_t *d = g_bytes_get_data(p->data, &len);
    g_assert_cmpint(sip_msg_decode(d, len, &m, NULL), ==, 0);
    g_array_append_val(n->reg_times, n->now);
    const sip_hdr *auth = sip_msg_hdr(m, SIP_HDR_AUTHORIZATION, 0);
    sip_msg *r = NULL;
    if (!auth) {
        n->reg_challenges++;
        sip_msg_response(m, 401, NULL, "r1", &r);
        sip_msg_add(r, SIP_HDR_WWW_AUTHENTICATE, NULL,
                    "Digest realm=\"mit.edu\", nonce=\"n0nce\", qop=\"auth\", algorithm=MD5");
    } else {
        sip_digest cred;
        g_assert_cmpint(sip_digest_parse(auth->value, &cred), ==, 0);
        g_assert_cmpint(sip_digest_verify(&cred, "pw", "REGISTER"), ==, 0);
        g_strlcpy(n->reg_nc, cred.nc, sizeof n->reg_nc);
        sip_digest_clear(&cred);
        n->reg_ok++;
        sip_msg_response(m, 200, NULL, "r1", &r);
        sip_msg_add(r, SIP_HDR_CONTACT, NULL, "<sip:bob@10.0.0.2:5060>;expires=60");
    }
    GString *s = g_string_new(NULL);
    sip_msg_encode(r, s);
    pkt *q = g_new0(pkt, 1);
    q->at = n->now + DELAY;
    q->from = n->reg_ep;
    q->to = n->ep[1];
    gsize slen = s->len;
    q->data = g_bytes_new_take(g_string_free(s, FALSE), slen);
    g_queue_push_tail(&n->q, q);
    sip_msg_free(r);
    sip_msg_free(m);
}

static void net_init(net *n, sim_rng *rng, bool rport)
{
    memset(n, 0, sizeof *n);
    sim_ep_parse("10.0.0.1:5060", &n->ep[0]);
    sim_ep_parse("10.0.0.2:5060", &n->ep[1]);
    sim_ep_parse("10.0.0.9:5060", &n->reg_ep);
    sip_ua_cfg a = { .aor = "sip:alice@10.0.0.1", .display = "Alice", .local = n->ep[0],
                     .rport = rport, .rtp_port = 4000 };
    sip_ua_cfg b = { .aor = "sip:bob@mit.edu", .password = "pw", .local = n->ep[1],
                     .registrar = n->reg_ep, .expires = 60, .rport = rport, .rtp_port = 6000 };
    n->ua[0] = sip_ua_new(&a, &rng[0]);
    n->ua[1] = sip_ua_new(&b, &rng[1]);
    g_assert_nonnull(n->ua[0]);
    g_assert_nonnull(n->ua[1]);
    g_queue_init(&n->q);
    n->ladder = g_string_new(NULL);
    n->reg_times = g_array_new(FALSE, FALSE, sizeof(sim_time_t));
}

static void net_clear(net *n)
{
    for (int i = 0; i < 2; i++)
        sip_ua_free(n->ua[i]);
    pkt *p;
    while ((p = g_queue_pop_head(&n->q))) {
        g_bytes_unref(p->data);
        g_free(p);
    }
    g_string_free(n->ladder, TRUE);
    g_array_free(n->reg_times, TRUE);
}

/* Runs deliveries and timers up to `until`. */
static void net_run(net *n, sim_time_t until)
{
    for (;;) {
        collect(n);
        pkt *p = g_queue_peek_head(&n->q);
        sim_time_t t = MIN(sip_ua_next_deadline(n->ua[0]), sip_ua_next_deadline(n->ua[1]));
        if (p && p->at <= t)
            t = p->at;
        if (t > until) {
            n->now = until;
            return;
        }
        n->now = t;
        if (p && p->at == t) {
            g_queue_pop_head(&n->q);
            gsize len;
            const uint8_t *d = g_bytes_get_data(p->data, &len);
            if (sim_ep_eq(&p->to, &n->reg_ep))
                registrar(n, p);
            else
                for (int i = 0; i < 2; i++)
                    if (sim_ep_eq(&p->to, &n->ep[i]))
                        sip_ua_input(n->ua[i], t, &p->from, d, len);
            g_bytes_unref(p->data);
            g_free(p);
        } else {
            sip_ua_timeout(n->ua[0], t);
            sip_ua_timeout(n->ua[1], t);
        }
    }
}

/* Events of ua i as "kind/status" words. */
static char *events(net *n, int i, unsigned *call)
{
    GString *s = g_string_new(NULL);
    sip_ua_ev ev;
    static const char *const names[] = { "registered", "reg-failed", "incoming", "progress",
                                         "answered",   "confirmed",  "media",    "ended",
                                         "options" };
    while (sip_ua_event(n->ua[i], &ev)) {
        g_string_append_printf(s, "%s%s/%u", s->len ? " " : "", names[ev.kind], ev.status);
        if (call && ev.call)
            *call = ev.call;
    }
    return g_string_free(s, FALSE);
}

static void rngs(sim_rng r[2])
{
    sim_rng_derive(&r[0], 1, "alice");
    sim_rng_derive(&r[1], 1, "bob");
}

static void assert_media(net *n, unsigned ca, unsigned cb, unsigned idx, const char *a_sends_to,
                         const char *b_sends_to)
{
    const sdp_oa_stream *sa = sdp_oa_get(sip_ua_call_media(n->ua[0], ca), idx);
    const sdp_oa_stream *sb = sdp_oa_get(sip_ua_call_media(n->ua[1], cb), idx);
    g_assert_nonnull(sa);
    g_assert_nonnull(sb);
    char buf[SIM_EP_STRLEN];
    g_assert_cmpstr(sim_ep_fmt(&sa->remote_rtp, buf, sizeof buf), ==, a_sends_to);
    g_assert_cmpstr(sim_ep_fmt(&sb->remote_rtp, buf, sizeof buf), ==, b_sends_to);
    g_assert_cmpstr(sa->encoding, ==, "PCMU");
}

/* Starts a net (both UAs with rport or not, see net_init) and a call from Alice that Bob's
 * UA sees as "incoming" at 100 ms: *ca Alice's call, *cb Bob's. r must outlive the net. */
static void call_start(net *n, sim_rng r[2], bool rport, unsigned *ca, unsigned *cb)
{
    rngs(r);
    net_init(n, r, rport);
    g_assert_cmpint(sip_ua_call(n->ua[0], 0, "sip:bob@10.0.0.2", ca), ==, 0);
    net_run(n, 100 * MS);
    g_autofree char *e1 = events(n, 1, cb);
    g_assert_cmpstr(e1, ==, "incoming/0");
}

static void test_call_reinvite_bye(void)
{
    sim_rng r[2];
    net n;
    unsigned ca = 0, cb = 0;
    call_start(&n, r, true, &ca, &cb);
    g_assert_cmpint(sip_ua_ring(n.ua[1], n.now, cb), ==, 0);
    net_run(&n, 2 * SIM_SEC);
    g_assert_cmpint(sip_ua_answer(n.ua[1], n.now, cb), ==, 0);
    net_run(&n, 3 * SIM_SEC);
    g_autofree char *e0 = events(&n, 0, NULL);
    g_autofree char *e1b = events(&n, 1, NULL);
    g_assert_cmpstr(e0, ==, "progress/180 answered/200");
    g_assert_cmpstr(e1b, ==, "confirmed/0");
    g_assert_cmpstr(n.ladder->str, ==, "A>B INVITE; B>A 100/INVITE; B>A 180/INVITE; "
                                       "B>A 200/INVITE; A>B ACK");
    assert_media(&n, ca, cb, 0, "10.0.0.2:6000", "10.0.0.1:4000");

    /* Alice adds a second stream, then removes it (RFC 3264 §8) */
    g_assert_cmpint(sip_ua_add_stream(n.ua[0], ca, "audio"), ==, 1);
    g_assert_cmpint(sip_ua_reinvite(n.ua[0], n.now, ca), ==, 0);
    g_assert_cmpint(sip_ua_reinvite(n.ua[0], n.now, ca), ==, -EPROTO); /* one at a time */
    net_run(&n, 4 * SIM_SEC);
    g_autofree char *e0m = events(&n, 0, NULL);
    g_autofree char *e1m = events(&n, 1, NULL);
    g_assert_cmpstr(e0m, ==, "media/200");
    g_assert_cmpstr(e1m, ==, "media/200 confirmed/0");
    assert_media(&n, ca, cb, 1, "10.0.0.2:6002", "10.0.0.1:4002");
    g_assert_cmpint(sip_ua_remove_stream(n.ua[0], ca, 1), ==, 0);
    g_assert_cmpint(sip_ua_reinvite(n.ua[0], n.now, ca), ==, 0);
    net_run(&n, 5 * SIM_SEC);
    g_assert_false(sdp_oa_get(sip_ua_call_media(n.ua[0], ca), 1)->active);
    g_assert_false(sdp_oa_get(sip_ua_call_media(n.ua[1], cb), 1)->active);
    g_autofree char *x0 = events(&n, 0, NULL), *x1 = events(&n, 1, NULL);

    /* Bob hangs up */
    g_assert_cmpint(sip_ua_hangup(n.ua[1], n.now, cb), ==, 0);
    net_run(&n, 6 * SIM_SEC);
    g_autofree char *b0 = events(&n, 0, NULL), *b1 = events(&n, 1, NULL);
    g_assert_cmpstr(b0, ==, "ended/200");
    g_assert_cmpstr(b1, ==, "ended/200");
    sip_call_state st;
    g_assert_cmpint(sip_ua_call_state(n.ua[0], ca, &st), ==, 0);
    g_assert_cmpint(st, ==, SIP_CALL_ENDED);
    g_assert_true(g_str_has_suffix(n.ladder->str, "B>A BYE; A>B 200/BYE"));
    net_run(&n, 60 * SIM_SEC); /* every transaction drains; nothing more is sent */
    g_assert_true(g_str_has_suffix(n.ladder->str, "B>A BYE; A>B 200/BYE"));
    g_assert_cmpuint(sip_ua_next_deadline(n.ua[0]), ==, SIM_TIME_NEVER);
    g_assert_cmpuint(sip_ua_next_deadline(n.ua[1]), ==, SIM_TIME_NEVER);
    sip_ua_forget(n.ua[0], ca);
    g_assert_null(sip_ua_call_media(n.ua[0], ca));
    net_clear(&n);
}

static void test_busy(void)
{
    sim_rng r[2];
    net n;
    unsigned ca = 0, cb = 0;
    call_start(&n, r, false, &ca, &cb);
    g_assert_cmpint(sip_ua_reject(n.ua[1], n.now, cb, 200), ==, -EINVAL);
    g_assert_cmpint(sip_ua_reject(n.ua[1], n.now, cb, 486), ==, 0);
    net_run(&n, 40 * SIM_SEC);
    g_autofree char *e0 = events(&n, 0, NULL);
    g_assert_cmpstr(e0, ==, "ended/486");
    g_assert_cmpstr(n.ladder->str, ==, "A>B INVITE; B>A 100/INVITE; B>A 486/INVITE; A>B ACK");
    g_assert_cmpint(sip_ua_answer(n.ua[1], n.now, cb), ==, -EPROTO);
    net_clear(&n);
}

static void test_cancel(void)
{
    sim_rng r[2];
    net n;
    unsigned ca = 0, cb = 0;
    call_start(&n, r, false, &ca, &cb);
    g_assert_cmpint(sip_ua_ring(n.ua[1], n.now, cb), ==, 0);
    net_run(&n, 1 * SIM_SEC);
    g_assert_cmpint(sip_ua_hangup(n.ua[0], n.now, ca), ==, 0);
    net_run(&n, 40 * SIM_SEC);
    g_autofree char *e0 = events(&n, 0, NULL), *e1b = events(&n, 1, NULL);
    g_assert_cmpstr(e0, ==, "progress/180 ended/487");
    g_assert_cmpstr(e1b, ==, "ended/487");
    g_assert_cmpstr(n.ladder->str, ==,
                    "A>B INVITE; B>A 100/INVITE; B>A 180/INVITE; A>B CANCEL; B>A 200/CANCEL; "
                    "B>A 487/INVITE; A>B ACK");
    net_clear(&n);
}

/* The first 200 is lost: Bob's core resends it at T1 (§13.3.1.4) and Alice ACKs that one. */
static void test_2xx_retransmit(void)
{
    sim_rng r[2];
    net n;
    unsigned ca = 0, cb = 0;
    call_start(&n, r, false, &ca, &cb);
    n.drop_next_200 = 1;
    g_assert_cmpint(sip_ua_answer(n.ua[1], n.now, cb), ==, 0);
    net_run(&n, 5 * SIM_SEC);
    g_assert_cmpstr(n.ladder->str, ==, "A>B INVITE; B>A 100/INVITE; B>A 200/INVITE (lost); "
                                       "B>A 200/INVITE; A>B ACK");
    g_autofree char *e0 = events(&n, 0, NULL);
    g_assert_cmpstr(e0, ==, "answered/200");
    net_clear(&n);
}

static void test_options_and_400(void)
{
    sim_rng r[2];
    rngs(r);
    net n;
    net_init(&n, r, false);
    g_assert_cmpint(sip_ua_options(n.ua[0], 0, "sip:bob@10.0.0.2"), ==, 0);
    g_assert_cmpint(sip_ua_options(n.ua[0], 0, "sip:bob@example.com"), ==, -EHOSTUNREACH);
    net_run(&n, 1 * SIM_SEC);
    g_autofree char *e0 = events(&n, 0, NULL);
    g_assert_cmpstr(e0, ==, "options/200");
    /* a request without Call-ID: 400 with the reason, straight back to the source */
    static const char bad[] = "OPTIONS sip:bob@10.0.0.2 SIP/2.0\r\n"
                              "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKbad\r\n"
                              "From: <sip:x@y>;tag=1\r\nTo: <sip:bob@10.0.0.2>\r\n"
                              "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n\r\n";
    g_assert_cmpint(sip_ua_input(n.ua[1], n.now, &n.ep[0], (const uint8_t *)bad, sizeof bad - 1),
                    ==, 0);
    sip_out o;
    g_assert_true(sip_ua_pop(n.ua[1], &o));
    g_assert_cmpint(strncmp((char *)o.data, "SIP/2.0 400 Missing Call-ID\r\n", 29), ==, 0);
    sip_out_clear(&o);
    g_assert_cmpint(sip_ua_input(n.ua[1], n.now, &n.ep[0], (const uint8_t *)"garbage", 7), ==,
                    -EBADMSG);
    g_assert_cmpuint(sip_ua_get_stats(n.ua[1])->bad, ==, 1);
    net_clear(&n);
}

/* RFC 3261 §8.2.2 / RFC 4475: each torture message a UA must answer is answered with its
 * status straight back to the source; responses are dropped and counted. */
static void test_torture_answers(void)
{
    sim_rng r[2];
    rngs(r);
    net n;
    net_init(&n, r, false);
    for (size_t i = 0; i < G_N_ELEMENTS(sip_torture_cases); i++) {
        GBytes *b = sip_torture_load(sip_torture_cases[i].name);
        gsize len;
        const uint8_t *p = g_bytes_get_data(b, &len);
        sip_ua_input(n.ua[1], n.now, &n.ep[0], p, len);
        sip_out o;
        if (sip_torture_cases[i].reply) {
            g_assert_true(sip_ua_pop(n.ua[1], &o));
            g_assert_true(sim_ep_eq(&o.to, &n.ep[0]));
            sip_torture_check_answer(i, o.data, o.len);
            sip_out_clear(&o);
        }
        g_assert_false(sip_ua_pop(n.ua[1], &o));
        g_bytes_unref(b);
    }
    const sip_ua_stats *st = sip_ua_get_stats(n.ua[1]);
    g_assert_cmpuint(st->bad, ==, 9);      /* did not decode */
    g_assert_cmpuint(st->rejected, ==, 2); /* unkscm, mismatch02: decoded, failed validation */
    g_assert_cmpuint(st->dropped, ==, 2);  /* bigcode, scalarlg: responses */
    net_clear(&n);
}

/* Raw message text from A into B's UA at time 0; B takes it (returns 0). */
static void raw_to_b(net *n, const char *text)
{
    g_assert_cmpint(sip_ua_input(n->ua[1], 0, &n->ep[0], (const uint8_t *)text, strlen(text)),
                    ==, 0);
}

/* An INVITE without Contact cannot make a dialog (§12.1.1): answering it sends 400 instead
 * of a 200 and ends the call (found by fuzz_sip_core). */
static void test_invite_without_contact(void)
{
    sim_rng r[2];
    rngs(r);
    net n;
    net_init(&n, r, false);
    static const char inv[] = "INVITE sip:bob@10.0.0.2 SIP/2.0\r\n"
                              "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKnc\r\n"
                              "From: <sip:a@10.0.0.1>;tag=1\r\nTo: <sip:bob@10.0.0.2>\r\n"
                              "Call-ID: nc\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n\r\n";
    raw_to_b(&n, inv);
    unsigned cb = 0;
    g_autofree char *e = events(&n, 1, &cb);
    g_assert_cmpstr(e, ==, "incoming/0");
    g_assert_cmpint(sip_ua_answer(n.ua[1], 0, cb), ==, -EBADMSG);
    collect(&n);
    g_assert_cmpstr(n.ladder->str, ==, "B>A 100/INVITE; B>A 400/INVITE");
    g_autofree char *e2 = events(&n, 1, NULL);
    g_assert_cmpstr(e2, ==, "ended/400");
    net_clear(&n);
}

/* The 180 Ringing makes an early dialog (it has a To tag), so it carries the callee's Contact
 * (§12.1.1), once, as the 200 does; SIPp's rrs="true" on a 180 without one fails the call
 * (found by tests/interop/test_sip_proxy.sh). */
static void test_ringing_contact(void)
{
    sim_rng r[2];
    net n;
    unsigned ca = 0, cb = 0;
    call_start(&n, r, false, &ca, &cb);
    g_assert_cmpint(sip_ua_ring(n.ua[1], n.now, cb), ==, 0);
    g_assert_cmpint(sip_ua_answer(n.ua[1], n.now, cb), ==, 0);
    static const unsigned want[] = { 180, 200 };
    for (unsigned i = 0; i < 2; i++) {
        sip_out o;
        g_assert_true(sip_ua_pop(n.ua[1], &o));
        sip_msg *m = NULL;
        g_assert_cmpint(sip_msg_decode(o.data, o.len, &m, NULL), ==, 0);
        g_assert_cmpuint(m->status, ==, want[i]);
        sip_str tag;
        g_assert_cmpint(sip_msg_tag(m, SIP_HDR_TO, &tag), ==, 0);
        g_assert_cmpuint(tag.len, >, 0);
        g_assert_cmpuint(sip_msg_count(m, SIP_HDR_CONTACT), ==, 1);
        sip_nameaddr na;
        g_assert_cmpint(sip_msg_nameaddr(m, SIP_HDR_CONTACT, 0, &na), ==, 0);
        g_assert_cmpint(strncmp(na.uri.host.p, "10.0.0.2", na.uri.host.len), ==, 0);
        g_assert_cmpuint(na.uri.host.len, ==, 8);
        g_assert_cmpint(na.uri.port, ==, 5060);
        sip_msg_free(m);
        sip_out_clear(&o);
    }
    net_clear(&n);
}

/* A request requiring an extension the UA does not support (here 100rel, RFC 3262, and
 * precondition) gets 420 Bad Extension naming them in Unsupported (§8.2.2.3) and no call is
 * offered to the user; the INVITE transaction then takes the ACK (found by SIPp's
 * tests/interop/sipp/require.xml). */
static void test_require_420(void)
{
    sim_rng r[2];
    rngs(r);
    net n;
    net_init(&n, r, false);
    static const char inv[] = "INVITE sip:bob@10.0.0.2 SIP/2.0\r\n"
                              "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKreq\r\n"
                              "From: <sip:a@10.0.0.1>;tag=1\r\nTo: <sip:bob@10.0.0.2>\r\n"
                              "Call-ID: req\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
                              "Contact: <sip:a@10.0.0.1>\r\nRequire: 100rel\r\n"
                              "Require: precondition\r\n\r\n";
    raw_to_b(&n, inv);
    g_autofree char *e = events(&n, 1, NULL);
    g_assert_cmpstr(e, ==, "");
    sip_out o;
    g_assert_true(sip_ua_pop(n.ua[1], &o)); /* 100 Trying from the transaction */
    sip_out_clear(&o);
    g_assert_true(sip_ua_pop(n.ua[1], &o));
    sip_msg *m = NULL;
    g_assert_cmpint(sip_msg_decode(o.data, o.len, &m, NULL), ==, 0);
    g_assert_cmpuint(m->status, ==, 420);
    g_assert_cmpuint(sip_msg_count(m, SIP_HDR_UNSUPPORTED), ==, 2);
    sip_str v;
    g_assert_cmpint(sip_msg_value(m, SIP_HDR_UNSUPPORTED, 1, &v), ==, 0);
    g_assert_cmpint(strncmp(v.p, "precondition", v.len), ==, 0);
    sip_msg_free(m);
    sip_out_clear(&o);
    /* ACK and CANCEL are never refused for Require (§8.2.2.3) */
    static const char ack[] = "ACK sip:bob@10.0.0.2 SIP/2.0\r\n"
                              "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKreq\r\n"
                              "From: <sip:a@10.0.0.1>;tag=1\r\nTo: <sip:bob@10.0.0.2>;tag=x\r\n"
                              "Call-ID: req\r\nCSeq: 1 ACK\r\nMax-Forwards: 70\r\n"
                              "Require: 100rel\r\n\r\n";
    raw_to_b(&n, ack);
    g_assert_false(sip_ua_pop(n.ua[1], &o));
    net_clear(&n);
}

/* REGISTER: 401, the retry with MD5 credentials the registrar verifies, 200 with expires=60,
 * and a refresh 30 s later (half the expiry) that carries the cached credentials with the
 * next nonce-count (§22.1, RFC 7616 §3.4.1), so it is not challenged again. */
static void test_register_digest_refresh(void)
{
    sim_rng r[2];
    rngs(r);
    net n;
    net_init(&n, r, false);
    g_assert_cmpint(sip_ua_register(n.ua[1], 0, 60), ==, 0);
    g_assert_cmpint(sip_ua_register(n.ua[1], 0, 60), ==, -EBUSY);
    net_run(&n, 1 * SIM_SEC);
    g_autofree char *e1 = events(&n, 1, NULL);
    g_assert_cmpstr(e1, ==, "registered/200");
    g_assert_cmpuint(n.reg_challenges, ==, 1);
    g_assert_cmpuint(n.reg_ok, ==, 1);
    g_assert_cmpstr(n.reg_nc, ==, "00000001");
    net_run(&n, 45 * SIM_SEC);
    g_assert_cmpuint(n.reg_times->len, ==, 3);
    g_assert_cmpuint(n.reg_challenges, ==, 1);
    g_assert_cmpuint(n.reg_ok, ==, 2);
    g_assert_cmpstr(n.reg_nc, ==, "00000002");
    sim_time_t second_ok = g_array_index(n.reg_times, sim_time_t, 1);
    /* the 200 reaches Bob DELAY after the registrar sent it, the refresh arrives DELAY later */
    g_assert_cmpuint(g_array_index(n.reg_times, sim_time_t, 2), ==,
                     second_ok + DELAY + 30 * SIM_SEC + DELAY);
    g_autofree char *e2 = events(&n, 1, NULL);
    g_assert_cmpstr(e2, ==, "registered/200");
    g_assert_cmpuint(sip_ua_get_stats(n.ua[1])->auth_retries, ==, 1);
    g_assert_cmpuint(sip_ua_get_stats(n.ua[1])->auth_reused, ==, 1);
    net_clear(&n);
}

/* The same seed gives the same bytes: the ladder of a call carries branches, tags, Call-IDs. */
static void test_deterministic(void)
{
    GString *first = NULL;
    for (int run = 0; run < 2; run++) {
        sim_rng r[2];
        rngs(r);
        net n;
        net_init(&n, r, false);
        unsigned ca;
        sip_ua_call(n.ua[0], 0, "sip:bob@10.0.0.2", &ca);
        collect(&n);
        pkt *p = g_queue_peek_head(&n.q);
        gsize len;
        const char *d = g_bytes_get_data(p->data, &len);
        if (!first)
            first = g_string_new_len(d, (gssize)len);
        else
            g_assert_true(first->len == len && memcmp(first->str, d, len) == 0);
        net_clear(&n);
    }
    g_string_free(first, TRUE);
}

/* The ICE credentials of a call's remote description (first m-line), or NULL. */
static const char *remote_ufrag(net *n, int i, unsigned call)
{
    const sdp_session *r = sdp_oa_remote(sip_ua_call_media(n->ua[i], call));
    return r && r->media->len ? sdp_ice_attr(r, g_ptr_array_index(r->media, 0), "ice-ufrag")
                              : NULL;
}

/* RFC 8839 through the UA core: sip_ua_call_ice puts the caller's description into the
 * INVITE, sip_ua_set_ice the callee's into the 200 OK; each side negotiates the other's
 * default candidate as its RTP destination and reads the peer's credentials back. */
static void test_call_ice(void)
{
    sim_rng r[2];
    rngs(r);
    net n;
    net_init(&n, r, true);
    char *ca_lines[] = { "1 1 UDP 2130706431 10.0.0.1 7000 typ host",
                         "2 1 UDP 1694498815 68.36.210.57 3406 typ srflx raddr 10.0.0.1 rport 7000",
                         NULL };
    sdp_oa_ice ia = { .ufrag = "alic", .pwd = "alicealicealicealice22", .cands = ca_lines };
    sim_ep_parse("68.36.210.57:3406", &ia.def);
    sdp_oa_ice ib = ia;
    ib.ufrag = "bobb";
    sim_ep_parse("128.6.4.33:9000", &ib.def);
    unsigned ca = 0, cb = 0;
    g_assert_cmpint(sip_ua_set_ice(n.ua[0], 99, &ia), ==, -ENOENT);
    g_assert_cmpint(sip_ua_call_ice(n.ua[0], 0, "sip:bob@10.0.0.2", &ia, &ca), ==, 0);
    net_run(&n, 100 * MS);
    g_autofree char *e1 = events(&n, 1, &cb);
    g_assert_cmpstr(e1, ==, "incoming/0");
    g_assert_cmpint(sip_ua_set_ice(n.ua[1], cb, &ib), ==, 0);
    g_assert_cmpint(sip_ua_answer(n.ua[1], n.now, cb), ==, 0);
    net_run(&n, 1 * SIM_SEC);
    g_autofree char *e0 = events(&n, 0, NULL);
    g_assert_cmpstr(e0, ==, "answered/200");
    assert_media(&n, ca, cb, 0, "128.6.4.33:9000", "68.36.210.57:3406");
    g_assert_cmpstr(remote_ufrag(&n, 0, ca), ==, "bobb");
    g_assert_cmpstr(remote_ufrag(&n, 1, cb), ==, "alic");
    net_clear(&n);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sip/ua/call-reinvite-bye", test_call_reinvite_bye);
    g_test_add_func("/sip/ua/busy-486", test_busy);
    g_test_add_func("/sip/ua/cancel-487", test_cancel);
    g_test_add_func("/sip/ua/2xx-retransmit", test_2xx_retransmit);
    g_test_add_func("/sip/ua/options-400", test_options_and_400);
    g_test_add_func("/sip/ua/rfc4475-answers", test_torture_answers);
    g_test_add_func("/sip/ua/register-digest-refresh", test_register_digest_refresh);
    g_test_add_func("/sip/ua/deterministic", test_deterministic);
    g_test_add_func("/sip/ua/invite-without-contact", test_invite_without_contact);
    g_test_add_func("/sip/ua/call-ice-rfc8839", test_call_ice);
    g_test_add_func("/sip/ua/ringing-contact", test_ringing_contact);
    g_test_add_func("/sip/ua/require-420", test_require_420);
    return g_test_run();
}
