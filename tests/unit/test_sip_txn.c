/* tests/unit/test_sip_txn.c — RFC 3261 §17 transactions in virtual time: the exact
 * retransmission schedules of Timers A, E and G, the timeouts B, F and H, the lingering
 * Timers D, I, J, K, L, M, the ACK an INVITE client transaction builds for a 300-699, the
 * 100 Trying of an INVITE server transaction, matching by branch, and transport errors. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/sip/sip.h"

#define MS SIM_MS

static sim_ep ep(const char *s)
{
    sim_ep e;
    g_assert_cmpint(sim_ep_parse(s, &e), ==, 0);
    return e;
}

static sip_msg *decode(const char *s)
{
    sip_msg *m = NULL;
    sip_err e;
    int r = sip_msg_decode((const uint8_t *)s, strlen(s), &m, &e);
    if (r < 0)
        g_error("decode: %s", e.why);
    return m;
}

/* A request from 192.0.2.1 whose Via names transport (UDP, TCP). */
static sip_msg *request_over(const char *method, const char *branch, const char *transport)
{
    g_autofree char *s = g_strdup_printf(
        "%s sip:bob@192.0.2.2 SIP/2.0\r\n"
        "Via: SIP/2.0/%s 192.0.2.1:5060;branch=%s\r\n"
        "Max-Forwards: 70\r\nRoute: <sip:p1.example.com;lr>\r\n"
        "From: Alice <sip:alice@example.com>;tag=a1\r\nTo: Bob <sip:bob@example.com>\r\n"
        "Call-ID: call1@192.0.2.1\r\nCSeq: 7 %s\r\nContent-Length: 0\r\n\r\n",
        method, transport, branch, method);
    return decode(s);
}

static sip_msg *request(const char *method, const char *branch)
{
    return request_over(method, branch, "UDP");
}

/* A response to req with status, To tag "b1". */
static sip_msg *response(const sip_msg *req, unsigned status)
{
    sip_msg *r = NULL;
    g_assert_cmpint(sip_msg_response(req, status, NULL, status > 100 ? "b1" : NULL, &r), ==, 0);
    return r;
}

/* A new layer that has sent req (borrowed) at 0 to 192.0.2.2:5060 (*dst) as a client
 * transaction (*id, when id is not NULL). */
static sip_txns *client(const sip_msg *req, sim_ep *dst, unsigned *id)
{
    sip_txns *t = sip_txns_new(NULL);
    *dst = ep("192.0.2.2:5060");
    g_assert_cmpint(sip_txns_request(t, 0, req, dst, id), ==, 0);
    return t;
}

/* A new layer that got an INVITE with branch from 192.0.2.1:5060 (*src) at 0 and told the TU:
 * *ev is that request event (the caller clears it). */
static sip_txns *server(const char *branch, sim_ep *src, sip_txn_ev *ev)
{
    sip_txns *t = sip_txns_new(NULL);
    *src = ep("192.0.2.1:5060");
    g_assert_cmpint(sip_txns_input(t, 0, src, request("INVITE", branch)), ==, 1);
    g_assert_true(sip_txns_event(t, ev));
    g_assert_cmpint(ev->kind, ==, SIP_TXN_EV_REQUEST);
    return t;
}

/* Reads what the layer sends: "t=<ms> <start line>" per datagram, joined by "; ". */
static void drain(sip_txns *t, sim_time_t now, GString *log)
{
    sip_out o;
    while (sip_txns_pop(t, &o)) {
        const char *eol = memchr(o.data, '\r', o.len);
        g_string_append_printf(log, "%s%" G_GUINT64_FORMAT " %.*s", log->len ? "; " : "",
                               now / MS, (int)(eol - (const char *)o.data), (const char *)o.data);
        sip_out_clear(&o);
    }
}

/* Runs the layer's timers until `until`, logging sends and events. */
static sim_time_t run(sip_txns *t, sim_time_t now, sim_time_t until, GString *log, GString *evs)
{
    drain(t, now, log);
    for (;;) {
        sim_time_t d = sip_txns_next_deadline(t);
        if (d > until)
            return until;
        now = d;
        sip_txns_timeout(t, now);
        drain(t, now, log);
        sip_txn_ev ev;
        while (evs && sip_txns_event(t, &ev)) {
            g_string_append_printf(evs, "%s%" G_GUINT64_FORMAT " ev%d", evs->len ? "; " : "",
                                   now / MS, ev.kind);
            sip_txn_ev_clear(&ev);
        }
    }
}

/* Timer A: 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s; Timer B times out at 64*T1 = 32 s. */
static void test_invite_client_timer_a_b(void)
{
    sip_msg *inv = request("INVITE", "z9hG4bKa");
    sim_ep dst;
    unsigned id;
    sip_txns *t = client(inv, &dst, &id);
    GString *log = g_string_new(NULL), *evs = g_string_new(NULL);
    run(t, 0, 60 * SIM_SEC, log, evs);
    g_assert_cmpstr(log->str, ==,
                    "0 INVITE sip:bob@192.0.2.2 SIP/2.0; 500 INVITE sip:bob@192.0.2.2 SIP/2.0; "
                    "1500 INVITE sip:bob@192.0.2.2 SIP/2.0; 3500 INVITE sip:bob@192.0.2.2 SIP/2.0; "
                    "7500 INVITE sip:bob@192.0.2.2 SIP/2.0; 15500 INVITE sip:bob@192.0.2.2 SIP/2.0; "
                    "31500 INVITE sip:bob@192.0.2.2 SIP/2.0");
    g_assert_cmpstr(evs->str, ==, "32000 ev2"); /* SIP_TXN_EV_TIMEOUT */
    g_assert_cmpint(sip_txns_state(t, id, NULL, NULL), ==, -ENOENT);
    g_assert_cmpuint(sip_txns_next_deadline(t), ==, SIM_TIME_NEVER);
    g_string_free(log, TRUE);
    g_string_free(evs, TRUE);
    sip_msg_free(inv);
    sip_txns_free(t);
}

/* Timer E: 0.5, 1, 2, 4, then every T2 = 4 s; F at 32 s. */
static void test_non_invite_client_timer_e_f(void)
{
    sip_msg *req = request("OPTIONS", "z9hG4bKo");
    sim_ep dst;
    sip_txns *t = client(req, &dst, NULL);
    GString *log = g_string_new(NULL), *evs = g_string_new(NULL);
    run(t, 0, 60 * SIM_SEC, log, evs);
    GString *want = g_string_new(NULL);
    static const unsigned at[] = { 0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500,
                                   31500 };
    for (size_t i = 0; i < G_N_ELEMENTS(at); i++)
        g_string_append_printf(want, "%s%u OPTIONS sip:bob@192.0.2.2 SIP/2.0", i ? "; " : "",
                               at[i]);
    g_assert_cmpstr(log->str, ==, want->str);
    g_assert_cmpstr(evs->str, ==, "32000 ev2");
    g_string_free(want, TRUE);
    g_string_free(log, TRUE);
    g_string_free(evs, TRUE);
    sip_msg_free(req);
    sip_txns_free(t);
}

/* A 1xx puts a non-INVITE client in Proceeding, where E fires every T2; the final response
 * goes to the TU once, retransmissions of it are absorbed, and Timer K = T4 ends it. */
static void test_non_invite_client_proceeding_k(void)
{
    sip_msg *req = request("REGISTER", "z9hG4bKr");
    sim_ep dst;
    unsigned id;
    sip_txns *t = client(req, &dst, &id);
    GString *log = g_string_new(NULL);
    sim_time_t now = run(t, 0, 600 * MS, log, NULL); /* sent at 0 and 500 */
    g_assert_cmpint(sip_txns_input(t, now, &dst, response(req, 100)), ==, 1);
    sip_txn_ev ev;
    g_assert_true(sip_txns_event(t, &ev));
    g_assert_cmpint(ev.kind, ==, SIP_TXN_EV_RESPONSE);
    g_assert_cmpuint(ev.id, ==, id);
    g_assert_cmpuint(ev.msg->status, ==, 100);
    sip_txn_ev_clear(&ev);
    sip_txn_state st;
    g_assert_cmpint(sip_txns_state(t, id, NULL, &st), ==, 0);
    g_assert_cmpint(st, ==, SIP_TXN_PROCEEDING);
    now = run(t, now, 10 * SIM_SEC, log, NULL); /* 1.5 s (already armed), then 5.5, 9.5 */
    g_assert_cmpstr(log->str, ==,
                    "0 REGISTER sip:bob@192.0.2.2 SIP/2.0; 500 REGISTER sip:bob@192.0.2.2 SIP/2.0; "
                    "1500 REGISTER sip:bob@192.0.2.2 SIP/2.0; 5500 REGISTER sip:bob@192.0.2.2 SIP/2.0; "
                    "9500 REGISTER sip:bob@192.0.2.2 SIP/2.0");
    g_assert_cmpint(sip_txns_input(t, now, &dst, response(req, 200)), ==, 1);
    g_assert_true(sip_txns_event(t, &ev));
    g_assert_cmpuint(ev.msg->status, ==, 200);
    sip_txn_ev_clear(&ev);
    g_assert_cmpint(sip_txns_input(t, now + 100 * MS, &dst, response(req, 200)), ==, 0);
    g_assert_false(sip_txns_event(t, &ev));
    g_assert_cmpuint(sip_txns_next_deadline(t), ==, now + SIP_T4); /* Timer K */
    g_string_truncate(log, 0);
    run(t, now, 60 * SIM_SEC, log, NULL);
    g_assert_cmpstr(log->str, ==, ""); /* no retransmission in Completed */
    g_assert_cmpint(sip_txns_state(t, id, NULL, NULL), ==, -ENOENT);
    g_string_free(log, TRUE);
    sip_msg_free(req);
    sip_txns_free(t);
}

/* A 486 to an INVITE: the transaction builds the ACK (§17.1.1.3: same Request-URI, top Via and
 * branch, Route, the response's To with its tag, CSeq 7 ACK), resends it for each retransmitted
 * 486 without telling the TU again, and Timer D (32 s) ends it. */
static void test_invite_client_non2xx_ack(void)
{
    sip_msg *inv = request("INVITE", "z9hG4bKb");
    sim_ep dst;
    unsigned id;
    sip_txns *t = client(inv, &dst, &id);
    sip_out o;
    g_assert_true(sip_txns_pop(t, &o));
    sip_out_clear(&o);
    g_assert_cmpint(sip_txns_input(t, 100 * MS, &dst, response(inv, 180)), ==, 1);
    g_assert_cmpuint(sip_txns_next_deadline(t), ==, SIM_TIME_NEVER); /* A and B stop */
    g_assert_cmpint(sip_txns_input(t, 2 * SIM_SEC, &dst, response(inv, 486)), ==, 1);
    g_assert_true(sip_txns_pop(t, &o));
    sip_msg *ack = NULL;
    g_assert_cmpint(sip_msg_decode(o.data, o.len, &ack, NULL), ==, 0);
    g_assert_true(sim_ep_eq(&o.to, &dst));
    sip_out_clear(&o);
    g_assert_cmpstr(ack->method, ==, "ACK");
    g_assert_cmpstr(ack->ruri, ==, "sip:bob@192.0.2.2");
    sip_via v;
    g_assert_cmpint(sip_msg_via(ack, 0, &v), ==, 0);
    g_assert_cmpint(strncmp(v.branch.p, "z9hG4bKb", v.branch.len), ==, 0);
    g_assert_cmpuint(sip_msg_count(ack, SIP_HDR_VIA), ==, 1);
    sip_str tag;
    g_assert_cmpint(sip_msg_tag(ack, SIP_HDR_TO, &tag), ==, 0);
    g_assert_cmpint(tag.len, ==, 2);
    sip_cseq cs;
    g_assert_cmpint(sip_msg_cseq(ack, &cs), ==, 0);
    g_assert_cmpuint(cs.seq, ==, 7);
    g_assert_cmpuint(sip_msg_count(ack, SIP_HDR_ROUTE), ==, 1);
    sip_msg_free(ack);
    sip_txn_ev ev;
    int n = 0;
    while (sip_txns_event(t, &ev)) {
        n++;
        sip_txn_ev_clear(&ev);
    }
    g_assert_cmpint(n, ==, 2); /* 180 and 486 */
    g_assert_cmpint(sip_txns_input(t, 3 * SIM_SEC, &dst, response(inv, 486)), ==, 0);
    g_assert_true(sip_txns_pop(t, &o)); /* the ACK again */
    g_assert_cmpint(memcmp(o.data, "ACK ", 4), ==, 0);
    sip_out_clear(&o);
    g_assert_false(sip_txns_event(t, &ev));
    g_assert_cmpuint(sip_txns_next_deadline(t), ==, 2 * SIM_SEC + 32 * SIM_SEC); /* Timer D */
    sip_txns_timeout(t, 34 * SIM_SEC);
    g_assert_cmpint(sip_txns_state(t, id, NULL, NULL), ==, -ENOENT);
    sip_msg_free(inv);
    sip_txns_free(t);
}

/* A 2xx moves the INVITE client to Accepted (RFC 6026): the ACK is the TU's job, a second 2xx
 * (another fork) still reaches the TU, Timer M (64*T1) ends it; after that a 2xx is stray. */
static void test_invite_client_2xx_accepted(void)
{
    sip_msg *inv = request("INVITE", "z9hG4bKc");
    sim_ep dst;
    unsigned id;
    sip_txns *t = client(inv, &dst, &id);
    sip_out o;
    while (sip_txns_pop(t, &o))
        sip_out_clear(&o);
    g_assert_cmpint(sip_txns_input(t, 50 * MS, &dst, response(inv, 200)), ==, 1);
    g_assert_false(sip_txns_pop(t, &o)); /* no ACK from the transaction */
    sip_txn_state st;
    g_assert_cmpint(sip_txns_state(t, id, NULL, &st), ==, 0);
    g_assert_cmpint(st, ==, SIP_TXN_ACCEPTED);
    g_assert_cmpint(sip_txns_input(t, 60 * MS, &dst, response(inv, 200)), ==, 1);
    sip_txn_ev ev;
    for (int i = 0; i < 2; i++) {
        g_assert_true(sip_txns_event(t, &ev));
        g_assert_cmpuint(ev.id, ==, id);
        g_assert_cmpuint(ev.msg->status, ==, 200);
        sip_txn_ev_clear(&ev);
    }
    g_assert_cmpuint(sip_txns_next_deadline(t), ==, 50 * MS + 32 * SIM_SEC);
    sip_txns_timeout(t, 50 * MS + 32 * SIM_SEC);
    g_assert_cmpint(sip_txns_input(t, 33 * SIM_SEC, &dst, response(inv, 200)), ==, 1);
    g_assert_true(sip_txns_event(t, &ev));
    g_assert_cmpuint(ev.id, ==, 0); /* stray */
    sip_txn_ev_clear(&ev);
    sip_msg_free(inv);
    sip_txns_free(t);
}

/* INVITE server: 100 Trying at once, a retransmitted INVITE gets the latest provisional, a 486
 * is resent by Timer G (0.5, 1, 2, 4, 4 … s) until the ACK, which is absorbed (Confirmed) and
 * Timer I (T4) ends the transaction. */
static void test_invite_server_g_i(void)
{
    sim_ep src;
    sip_txn_ev ev;
    sip_txns *t = server("z9hG4bKs", &src, &ev);
    unsigned id = ev.id;
    GString *log = g_string_new(NULL);
    drain(t, 0, log);
    g_assert_cmpstr(log->str, ==, "0 SIP/2.0 100 Trying");
    sip_msg *ringing = response(ev.msg, 180), *busy = response(ev.msg, 486);
    g_assert_cmpint(sip_txns_respond(t, 10 * MS, id, ringing), ==, 0);
    g_assert_cmpint(sip_txns_input(t, 500 * MS, &src, request("INVITE", "z9hG4bKs")), ==, 0);
    g_assert_false(sip_txns_event(t, &ev)); /* absorbed */
    g_assert_cmpint(sip_txns_respond(t, 1000 * MS, id, busy), ==, 0);
    g_assert_cmpint(sip_txns_respond(t, 1000 * MS, id, busy), ==, -EPROTO);
    g_string_truncate(log, 0);
    drain(t, 500 * MS, log); /* (all logged at the same label) */
    g_assert_cmpstr(log->str, ==, "500 SIP/2.0 180 Ringing; 500 SIP/2.0 180 Ringing; "
                                  "500 SIP/2.0 486 Busy Here");
    g_string_truncate(log, 0);
    sim_time_t now = run(t, 1000 * MS, 14 * SIM_SEC, log, NULL);
    g_assert_cmpstr(log->str, ==, "1500 SIP/2.0 486 Busy Here; 2500 SIP/2.0 486 Busy Here; "
                                  "4500 SIP/2.0 486 Busy Here; 8500 SIP/2.0 486 Busy Here; "
                                  "12500 SIP/2.0 486 Busy Here");
    sip_msg *ack = request("ACK", "z9hG4bKs");
    g_assert_cmpint(sip_txns_input(t, now, &src, ack), ==, 0);
    sip_txn_state st;
    g_assert_cmpint(sip_txns_state(t, id, NULL, &st), ==, 0);
    g_assert_cmpint(st, ==, SIP_TXN_CONFIRMED);
    g_assert_cmpuint(sip_txns_next_deadline(t), ==, now + SIP_T4);
    g_string_truncate(log, 0);
    run(t, now, 60 * SIM_SEC, log, NULL);
    g_assert_cmpstr(log->str, ==, "");
    g_assert_cmpint(sip_txns_state(t, id, NULL, NULL), ==, -ENOENT);
    sip_txn_ev_clear(&ev);
    sip_msg_free(ringing);
    sip_msg_free(busy);
    g_string_free(log, TRUE);
    sip_txns_free(t);
}

/* Timer H: no ACK for a 603 within 64*T1: a TIMEOUT event for the TU. */
static void test_invite_server_timer_h(void)
{
    sim_ep src;
    sip_txn_ev ev;
    sip_txns *t = server("z9hG4bKh", &src, &ev);
    sip_msg *decline = response(ev.msg, 603);
    g_assert_cmpint(sip_txns_respond(t, 0, ev.id, decline), ==, 0);
    GString *log = g_string_new(NULL), *evs = g_string_new(NULL);
    run(t, 0, 60 * SIM_SEC, log, evs);
    g_assert_cmpstr(evs->str, ==, "32000 ev2");
    /* 100, 603, then G at 0.5 1.5 3.5 7.5 11.5 … 31.5: 11 transmissions of the 603 */
    gchar **parts = g_strsplit(log->str, "603", -1);
    g_assert_cmpuint(g_strv_length(parts) - 1, ==, 11);
    g_strfreev(parts);
    sip_txn_ev_clear(&ev);
    sip_msg_free(decline);
    g_string_free(log, TRUE);
    g_string_free(evs, TRUE);
    sip_txns_free(t);
}

/* INVITE server 2xx: Accepted (RFC 6026) absorbs the INVITE retransmission, hands the ACK to
 * the TU, lets the TU resend its 2xx, and Timer L ends it. */
static void test_invite_server_2xx_accepted(void)
{
    sim_ep src;
    sip_txn_ev ev;
    sip_txns *t = server("z9hG4bKl", &src, &ev);
    unsigned id = ev.id;
    sip_msg *ok = response(ev.msg, 200);
    sip_txn_ev_clear(&ev);
    g_assert_cmpint(sip_txns_respond(t, 0, id, ok), ==, 0);
    g_assert_cmpint(sip_txns_respond(t, 500 * MS, id, ok), ==, 0); /* TU retransmission */
    GString *log = g_string_new(NULL);
    drain(t, 0, log);
    g_assert_cmpstr(log->str, ==, "0 SIP/2.0 100 Trying; 0 SIP/2.0 200 OK; 0 SIP/2.0 200 OK");
    g_assert_cmpint(sip_txns_input(t, 600 * MS, &src, request("INVITE", "z9hG4bKl")), ==, 0);
    g_assert_cmpint(sip_txns_input(t, 700 * MS, &src, request("ACK", "z9hG4bKl")), ==, 1);
    g_assert_true(sip_txns_event(t, &ev));
    g_assert_cmpstr(ev.msg->method, ==, "ACK");
    g_assert_cmpuint(ev.id, ==, 0);
    sip_txn_ev_clear(&ev);
    g_assert_cmpuint(sip_txns_next_deadline(t), ==, 32 * SIM_SEC); /* Timer L */
    sip_msg_free(ok);
    g_string_free(log, TRUE);
    sip_txns_free(t);
}

/* Non-INVITE server: retransmissions in Trying are absorbed silently, in Completed they get
 * the final again; Timer J = 64*T1 over UDP, 0 over TCP. A CANCEL is its own transaction,
 * and finds its INVITE by branch. */
static void test_non_invite_server_j_and_cancel(void)
{
    for (int reliable = 0; reliable < 2; reliable++) {
        sip_txns *t = sip_txns_new(&(sip_txn_cfg){ .reliable = reliable });
        sim_ep src = ep("192.0.2.1:5060");
        g_assert_cmpint(sip_txns_input(t, 0, &src, request("INVITE", "z9hG4bKx")), ==, 1);
        g_assert_cmpint(sip_txns_input(t, 0, &src, request("CANCEL", "z9hG4bKx")), ==, 1);
        sip_txn_ev inv, can;
        g_assert_true(sip_txns_event(t, &inv));
        g_assert_true(sip_txns_event(t, &can));
        g_assert_cmpuint(can.id, !=, inv.id);
        g_assert_cmpuint(sip_txns_cancel_target(t, can.msg), ==, inv.id);
        g_assert_cmpint(sip_txns_input(t, 10 * MS, &src, request("CANCEL", "z9hG4bKx")), ==, 0);
        sip_msg *ok = response(can.msg, 200);
        g_assert_cmpint(sip_txns_respond(t, 20 * MS, can.id, ok), ==, 0);
        GString *log = g_string_new(NULL);
        drain(t, 0, log);
        g_assert_cmpint(sip_txns_input(t, 30 * MS, &src, request("CANCEL", "z9hG4bKx")), ==, 0);
        drain(t, 30 * MS, log);
        g_assert_cmpstr(log->str, ==, "0 SIP/2.0 100 Trying; 0 SIP/2.0 200 OK; 30 SIP/2.0 200 OK");
        sip_txn_state st;
        g_assert_cmpint(sip_txns_state(t, can.id, NULL, &st), ==, 0);
        g_assert_cmpint(st, ==, SIP_TXN_COMPLETED);
        sim_time_t timer_j = reliable ? 0 : 64 * SIP_T1;
        if (!reliable) { /* still there just before Timer J */
            sip_txns_timeout(t, 20 * MS + timer_j - 1);
            g_assert_cmpint(sip_txns_state(t, can.id, NULL, NULL), ==, 0);
        }
        sip_txns_timeout(t, 20 * MS + 32 * SIM_SEC);
        g_assert_cmpint(sip_txns_state(t, can.id, NULL, NULL), ==, -ENOENT);
        sip_txn_ev_clear(&inv);
        sip_txn_ev_clear(&can);
        sip_msg_free(ok);
        g_string_free(log, TRUE);
        sip_txns_free(t);
    }
}

/* Over TCP there is no retransmission: Timer B still times out at 64*T1. */
static void test_reliable_no_retransmit(void)
{
    sip_txns *t = sip_txns_new(&(sip_txn_cfg){ .reliable = true });
    sip_msg *inv = request("INVITE", "z9hG4bKt");
    sim_ep dst = ep("192.0.2.2:5060");
    g_assert_cmpint(sip_txns_request(t, 0, inv, &dst, NULL), ==, 0);
    GString *log = g_string_new(NULL), *evs = g_string_new(NULL);
    run(t, 0, 60 * SIM_SEC, log, evs);
    g_assert_cmpstr(log->str, ==, "0 INVITE sip:bob@192.0.2.2 SIP/2.0");
    g_assert_cmpstr(evs->str, ==, "32000 ev2");
    sip_msg_free(inv);
    g_string_free(log, TRUE);
    g_string_free(evs, TRUE);
    sip_txns_free(t);
}

/* A layer not configured reliable: a transaction whose request's Via says TCP is reliable
 * anyway (§18). The client sends its INVITE once and times out on Timer B; the server sends
 * 100 and 486 once each (no Timer G) to the request's source, the connection, not to the
 * Via's port, and gives up on Timer H; a UDP request on the same layer still retransmits. */
static void test_reliable_by_via(void)
{
    sip_msg *inv = request_over("INVITE", "z9hG4bKv", "TCP");
    sim_ep dst;
    sip_txns *t = client(inv, &dst, NULL);
    GString *log = g_string_new(NULL), *evs = g_string_new(NULL);
    run(t, 0, 60 * SIM_SEC, log, evs);
    g_assert_cmpstr(log->str, ==, "0 INVITE sip:bob@192.0.2.2 SIP/2.0");
    g_assert_cmpstr(evs->str, ==, "32000 ev2");
    sip_txns_free(t);

    t = sip_txns_new(NULL);
    sim_ep conn = ep("192.0.2.1:40123"); /* the client's end of the connection */
    sip_msg *in = request_over("INVITE", "z9hG4bKs", "TCP");
    g_assert_cmpint(sip_txns_input(t, 0, &conn, in), ==, 1);
    sip_txn_ev ev;
    g_assert_true(sip_txns_event(t, &ev));
    sip_msg *busy = response(ev.msg, 486);
    g_assert_cmpint(sip_txns_respond(t, 0, ev.id, busy), ==, 0);
    sip_out o;
    for (int i = 0; i < 2; i++) { /* 100 Trying, 486 */
        g_assert_true(sip_txns_pop(t, &o));
        char b[SIM_EP_STRLEN];
        g_assert_cmpstr(sim_ep_fmt(&o.to, b, sizeof b), ==, "192.0.2.1:40123");
        sip_out_clear(&o);
    }
    g_string_truncate(log, 0);
    g_string_truncate(evs, 0);
    run(t, 0, 60 * SIM_SEC, log, evs);
    g_assert_cmpstr(log->str, ==, "");        /* no Timer G retransmission */
    g_assert_cmpstr(evs->str, ==, "32000 ev2"); /* Timer H: no ACK */
    sip_txn_ev_clear(&ev);
    sip_msg_free(busy);
    sip_txns_free(t);

    t = sip_txns_new(NULL); /* the same layer over UDP retransmits (Timer A) */
    sip_msg *udp = request("INVITE", "z9hG4bKu");
    g_assert_cmpint(sip_txns_request(t, 0, udp, &dst, NULL), ==, 0);
    g_string_truncate(log, 0);
    run(t, 0, 2 * SIM_SEC, log, NULL);
    g_assert_nonnull(strstr(log->str, "500 INVITE"));
    sip_msg_free(udp);
    sip_msg_free(inv);
    g_string_free(log, TRUE);
    g_string_free(evs, TRUE);
    sip_txns_free(t);
}

/* Matching: a response with another branch, or the same branch for another method, is stray;
 * a request without a cookie branch cannot start a client transaction; a duplicate branch is
 * refused; a transport error ends the transaction with an event. */
static void test_matching_and_errors(void)
{
    sip_txns *t = sip_txns_new(NULL);
    sim_ep dst = ep("192.0.2.2:5060");
    sip_msg *inv = request("INVITE", "z9hG4bKm");
    sip_msg *old = request("INVITE", "1234");
    unsigned id;
    g_assert_cmpint(sip_txns_request(t, 0, old, &dst, NULL), ==, -EINVAL);
    g_assert_cmpint(sip_txns_request(t, 0, inv, &dst, &id), ==, 0);
    sip_out sent; /* the INVITE as the driver would have tried to send it */
    g_assert_true(sip_txns_pop(t, &sent));
    g_assert_cmpint(sip_txns_request(t, 0, inv, &dst, NULL), ==, -EEXIST);
    sip_msg *other = request("INVITE", "z9hG4bKn"), *opt = request("OPTIONS", "z9hG4bKm");
    g_assert_cmpint(sip_txns_input(t, 1, &dst, response(other, 180)), ==, 1);
    g_assert_cmpint(sip_txns_input(t, 1, &dst, response(opt, 200)), ==, 1);
    sip_txn_ev ev;
    for (int i = 0; i < 2; i++) {
        g_assert_true(sip_txns_event(t, &ev));
        g_assert_cmpuint(ev.id, ==, 0);
        sip_txn_ev_clear(&ev);
    }
    g_assert_cmpint(sip_txns_transport_error_sent(t, (const uint8_t *)"junk", 4), ==, 0);
    g_assert_cmpint(sip_txns_transport_error_sent(t, sent.data, sent.len), ==, 1);
    g_assert_true(sip_txns_event(t, &ev));
    g_assert_cmpint(ev.kind, ==, SIP_TXN_EV_TRANSPORT_ERROR);
    g_assert_cmpuint(ev.id, ==, id);
    g_assert_cmpint(sip_txns_state(t, id, NULL, NULL), ==, -ENOENT);
    g_assert_cmpint(sip_txns_transport_error_sent(t, sent.data, sent.len), ==, 0); /* gone */
    sip_txns_transport_error(t, id); /* unknown ids are ignored */
    g_assert_false(sip_txns_event(t, &ev));
    sip_out_clear(&sent);
    g_assert_cmpint(sip_txns_respond(t, 0, id, other), ==, -ENOENT);
    sip_msg *cancel = NULL;
    g_assert_cmpint(sip_msg_cancel(inv, &cancel), ==, 0);
    g_assert_cmpstr(cancel->method, ==, "CANCEL");
    g_assert_cmpint(sip_msg_cancel(opt, &cancel), ==, -EINVAL);
    sip_msg_free(cancel);
    sip_msg_free(inv);
    sip_msg_free(old);
    sip_msg_free(other);
    sip_msg_free(opt);
    sip_txns_free(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sip/txn/invite-client/timer-a-b", test_invite_client_timer_a_b);
    g_test_add_func("/sip/txn/invite-client/non-2xx-ack-timer-d", test_invite_client_non2xx_ack);
    g_test_add_func("/sip/txn/invite-client/2xx-accepted-timer-m", test_invite_client_2xx_accepted);
    g_test_add_func("/sip/txn/non-invite-client/timer-e-f", test_non_invite_client_timer_e_f);
    g_test_add_func("/sip/txn/non-invite-client/proceeding-timer-k",
                    test_non_invite_client_proceeding_k);
    g_test_add_func("/sip/txn/invite-server/timer-g-i", test_invite_server_g_i);
    g_test_add_func("/sip/txn/invite-server/timer-h", test_invite_server_timer_h);
    g_test_add_func("/sip/txn/invite-server/2xx-accepted-timer-l", test_invite_server_2xx_accepted);
    g_test_add_func("/sip/txn/non-invite-server/timer-j-cancel", test_non_invite_server_j_and_cancel);
    g_test_add_func("/sip/txn/reliable", test_reliable_no_retransmit);
    g_test_add_func("/sip/txn/reliable-by-via", test_reliable_by_via);
    g_test_add_func("/sip/txn/matching-errors", test_matching_and_errors);
    return g_test_run();
}
