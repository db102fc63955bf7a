/* tests/unit/test_sip_proxy_core.c — two RFC 3261 duties of the stateful proxy, in virtual
 * time over sip_net.h (UA and server cores back to back, 5 ms per hop):
 *   Timer C (§16.6 step 11, §16.7 step 2, §16.8): armed per INVITE branch, reset by a
 *     provisional, then a CANCEL (after a provisional) or a 408 (without one), a CANCEL that
 *     brings nothing ends the branch as 408 after 64*T1 (§9.1); each instant to the ns;
 *   proxy authentication (§22.3, RFC 8760): 407 with a SHA-256 and an MD5 challenge for the
 *     domain's own users, the UA's retry with the next CSeq, our realm's credentials removed
 *     before forwarding, other realms' kept, in-dialog requests and foreign users let
 *     through, wrong passwords and unknown nonces (stale=true) refused. */
#include "sip_net.h"

static const char *const users[] = { "alice", "carol", NULL };
static const char *const passwords[] = { "pw", "pw", NULL };

/* px: proxy and registrar for rutgers.edu (10.0.1.5); alice (10.0.1.1) and carol (10.0.1.3)
 * registered there. timer_c 0: the default. The call starts at 40 s, when the registrations'
 * transactions are all gone, so the proxy's only deadline is Timer C. */
static void campus(net *n, sim_time_t timer_c, bool authenticate)
{
    net_init(n);
    sip_server_cfg c = { .domain = "rutgers.edu", .registrar = true, .record_route = true,
                         .timer_c = timer_c, .authenticate = authenticate };
    if (authenticate) {
        c.users = users;
        c.passwords = passwords;
    }
    server(n, "px", "10.0.1.5:5060", c);
    ua(n, "alice", "10.0.1.1:5060", "sip:alice@rutgers.edu", "10.0.1.5:5060");
    ua(n, "carol", "10.0.1.3:5060", "sip:carol@rutgers.edu", "10.0.1.5:5060");
    register_all(n, 1, 40 * SIM_SEC);
    g_assert_cmpuint(sip_server_next_deadline(n->n[0].srv), ==, SIM_TIME_NEVER);
    net_forget(n);
}

/* alice calls carol; returns carol's call id once the INVITE reached her. */
static unsigned call_carol(net *n)
{
    unsigned ca, cc = 0;
    g_assert_cmpint(sip_ua_call(n->n[1].ua, n->now, "sip:carol@rutgers.edu", &ca), ==, 0);
    run(n, n->now + 100 * MS);
    g_autofree char *e = events(n->n[2].ua, &cc);
    g_assert_cmpstr(e, ==, "incoming/0");
    return cc;
}

/* Carol's phone rings 5 s after the INVITE and nobody answers. Timer C (default 180 s) was
 * armed when px forwarded the INVITE and is reset by the 180, so the CANCEL leaves px 180 s
 * after the 180 arrived, not after the INVITE; carol answers 487, which goes up (§16.7 step
 * 6: the best, and only, final). */
static void test_timer_c_cancel(void)
{
    net n;
    campus(&n, 0, false);
    unsigned cc = call_carol(&n);
    sip_server *px = n.n[0].srv;
    const sent *inv = find_sent(&n, "px", "carol", "INVITE", 0);
    g_assert_nonnull(inv);
    g_assert_cmpuint(sip_server_next_deadline(px), ==, inv->at + SIP_TIMER_C);
    run(&n, inv->at + 5 * SIM_SEC);
    g_assert_cmpint(sip_ua_ring(n.n[2].ua, n.now, cc), ==, 0);
    run(&n, n.now + 1 * SIM_SEC);
    sim_time_t rang = find_sent(&n, "carol", "px", "180/INVITE", 0)->at + DELAY;
    g_assert_cmpuint(sip_server_next_deadline(px), ==, rang + SIP_TIMER_C); /* reset */
    run(&n, rang + SIP_TIMER_C - 1);
    g_assert_null(find_sent(&n, "px", "carol", "CANCEL", 0));
    run(&n, rang + SIP_TIMER_C + 1 * SIM_SEC);
    const sent *cancel = find_sent(&n, "px", "carol", "CANCEL", 0);
    g_assert_nonnull(cancel);
    g_assert_cmpuint(cancel->at, ==, rang + SIP_TIMER_C);
    const sent *up = find_sent(&n, "px", "alice", "487/INVITE", 0);
    g_assert_nonnull(up);
    g_assert_cmpuint(up->at, ==, rang + SIP_TIMER_C + 2 * DELAY); /* CANCEL there, 487 back */
    g_autofree char *ea = events(n.n[1].ua, NULL), *ec = events(n.n[2].ua, NULL);
    g_assert_cmpstr(ea, ==, "progress/180 ended/487");
    g_assert_cmpstr(ec, ==, "ended/487");
    g_assert_cmpuint(sip_server_get_stats(px)->timer_c, ==, 1);
    g_assert_cmpuint(sip_server_get_stats(px)->cancels, ==, 1);
    run(&n, n.now + 60 * SIM_SEC); /* everything ends */
    g_assert_cmpuint(sip_server_next_deadline(px), ==, SIM_TIME_NEVER);
    net_clear(&n);
}

/* dave's registered phone (10.0.1.9) is dead: px (Timer C 10 s) forwards alice's INVITE to
 * it; returns what px sent, once it sent it. */
static const sent *call_dead_dave(net *n)
{
    campus(n, 10 * SIM_SEC, false);
    static const char reg[] = "REGISTER sip:rutgers.edu SIP/2.0\r\n"
                              "Via: SIP/2.0/UDP 10.0.1.9:5060;branch=z9hG4bKdave1\r\n"
                              "From: <sip:dave@rutgers.edu>;tag=d\r\n"
                              "To: <sip:dave@rutgers.edu>\r\nCall-ID: dave1\r\n"
                              "CSeq: 1 REGISTER\r\nMax-Forwards: 70\r\n"
                              "Contact: <sip:dave@10.0.1.9:5060>\r\n\r\n";
    sim_ep from = ep("10.0.1.9:5060");
    g_assert_cmpint(sip_server_input(n->n[0].srv, n->now, &from, (const uint8_t *)reg,
                                     sizeof reg - 1), ==, 0);
    run(n, n->now + 40 * SIM_SEC);
    net_forget(n);
    unsigned ca;
    sip_ua_call(n->n[1].ua, n->now, "sip:dave@rutgers.edu", &ca);
    run(n, n->now + 100 * MS);
    const sent *inv = find_sent(n, "px", "?", "INVITE", 0);
    g_assert_nonnull(inv);
    return inv;
}

/* Nothing comes back from dave, not even 100 Trying. With Timer C at 10 s (< Timer B, 32 s)
 * px answers 408 at exactly 10 s and, as §16.8 wants, its client transaction lives on: the
 * INVITE retransmission of 15.5 s still goes out, Timer B ends it at 32 s. */
static void test_timer_c_no_provisional(void)
{
    net n;
    sim_time_t t0 = call_dead_dave(&n)->at;
    sip_server *px = n.n[0].srv;
    run(&n, n.now + 60 * SIM_SEC);
    const sent *to = find_sent(&n, "px", "alice", "408/INVITE", 0);
    g_assert_nonnull(to);
    g_assert_cmpuint(to->at, ==, t0 + 10 * SIM_SEC);
    const sent *rtx = find_sent(&n, "px", "?", "INVITE", 5); /* 0.5+1+2+4+8 s: 15.5 s */
    g_assert_nonnull(rtx);
    g_assert_cmpuint(rtx->at, ==, t0 + 15500 * MS);
    g_assert_nonnull(find_sent(&n, "px", "?", "INVITE", 6)); /* 31.5 s the last */
    g_assert_null(find_sent(&n, "px", "?", "INVITE", 7));
    g_assert_null(find_sent(&n, "px", "?", "CANCEL", 0)); /* §9.1: never before a 1xx */
    g_autofree char *ea = events(n.n[1].ua, NULL);
    g_assert_cmpstr(ea, ==, "ended/408");
    g_assert_cmpuint(sip_server_get_stats(px)->timer_c, ==, 1);
    g_assert_cmpuint(sip_server_next_deadline(px), ==, SIM_TIME_NEVER);
    net_clear(&n);
}

/* The same, but dave's phone wakes up at 12 s and rings: alice has had her 408, so px
 * CANCELs the INVITE at once and keeps the 180; nobody answers the CANCEL either, and 64*T1
 * later px gives the INVITE's client transaction up (§9.1). */
static void test_timer_c_late_ringing(void)
{
    net n;
    const sent *inv = call_dead_dave(&n);
    sim_time_t t0 = inv->at;
    sip_server *px = n.n[0].srv;
    sip_msg *ring = NULL;
    GString *g = g_string_new(NULL);
    g_assert_cmpint(sip_msg_response(inv->msg, 180, NULL, "late", &ring), ==, 0);
    sip_msg_encode(ring, g);
    run(&n, t0 + 12 * SIM_SEC);
    sim_ep dave = ep("10.0.1.9:5060");
    g_assert_cmpint(sip_server_input(px, n.now, &dave, (const uint8_t *)g->str, g->len), ==, 0);
    run(&n, n.now + 60 * SIM_SEC);
    const sent *cancel = find_sent(&n, "px", "?", "CANCEL", 0);
    g_assert_nonnull(cancel);
    g_assert_cmpuint(cancel->at, ==, t0 + 12 * SIM_SEC);
    g_assert_null(find_sent(&n, "px", "alice", "180/INVITE", 0));
    g_assert_nonnull(find_sent(&n, "px", "?", "INVITE", 4)); /* 7.5 s */
    g_assert_null(find_sent(&n, "px", "?", "INVITE", 5)); /* Proceeding: no more */
    g_autofree char *ea = events(n.n[1].ua, NULL);
    g_assert_cmpstr(ea, ==, "ended/408");
    g_assert_cmpuint(sip_server_get_stats(px)->timer_c, ==, 2); /* 408, then given up */
    g_assert_cmpuint(sip_server_next_deadline(px), ==, SIM_TIME_NEVER);
    sip_msg_free(ring);
    g_string_free(g, TRUE);
    net_clear(&n);
}

/* Carol's phone rings, then dies: Timer C (10 s) sends the CANCEL, which nobody answers.
 * 64*T1 = 32 s later px gives the INVITE's client transaction up (§9.1) and the branch ends
 * as 408, which alice gets. */
static void test_timer_c_cancel_unanswered(void)
{
    net n;
    campus(&n, 10 * SIM_SEC, false);
    unsigned cc = call_carol(&n);
    sip_ua_ring(n.n[2].ua, n.now, cc);
    run(&n, n.now + 100 * MS);
    sim_time_t rang = find_sent(&n, "carol", "px", "180/INVITE", 0)->at + DELAY;
    sip_ua_free(n.n[2].ua); /* the phone is gone: its address answers nothing */
    n.n[2].ua = NULL;
    run(&n, n.now + 80 * SIM_SEC);
    const sent *cancel = find_sent(&n, "px", "carol", "CANCEL", 0);
    const sent *to = find_sent(&n, "px", "alice", "408/INVITE", 0);
    g_assert_nonnull(cancel);
    g_assert_nonnull(to);
    g_assert_cmpuint(cancel->at, ==, rang + 10 * SIM_SEC);
    g_assert_cmpuint(to->at, ==, rang + 10 * SIM_SEC + 64 * SIP_T1);
    g_autofree char *ea = events(n.n[1].ua, NULL);
    g_assert_cmpstr(ea, ==, "progress/180 ended/408");
    g_assert_cmpuint(sip_server_get_stats(n.n[0].srv)->timer_c, ==, 2); /* CANCEL, then 408 */
    g_assert_cmpuint(sip_server_next_deadline(n.n[0].srv), ==, SIM_TIME_NEVER);
    net_clear(&n);
}

/* A branch to another domain (located by RFC 3263, so its Request-URI holds no address):
 * when px's Timer C (10 s) fires, the CANCEL goes where the INVITE went (§9.1), to mit, which
 * CANCELs carol's ringing phone. */
static void test_timer_c_located_branch(void)
{
    net n;
    net_init(&n);
    server(&n, "px", "10.0.1.5:5060",
           (sip_server_cfg){ .domain = "rutgers.edu", .timer_c = 10 * SIM_SEC });
    sip_server *mit = server(&n, "mit", "10.0.2.5:5060",
                             (sip_server_cfg){ .domain = "mit.edu", .registrar = true });
    ua(&n, "alice", "10.0.1.1:5060", "sip:alice@rutgers.edu", "10.0.1.5:5060");
    sip_ua *carol = ua(&n, "carol", "10.0.2.3:5060", "sip:carol@mit.edu", "10.0.2.5:5060");
    n.located = ep("10.0.2.5:5060");
    sip_ua_register(carol, 0, 3600);
    run(&n, 40 * SIM_SEC);
    unsigned ca, cc = 0;
    sip_ua_call(n.n[2].ua, n.now, "sip:carol@mit.edu", &ca);
    run(&n, n.now + 100 * MS);
    g_autofree char *e = events(carol, &cc);
    g_assert_cmpstr(e, ==, "registered/200 incoming/0");
    sip_ua_ring(carol, n.now, cc);
    run(&n, n.now + 30 * SIM_SEC);
    sim_time_t rang = find_sent(&n, "mit", "px", "180/INVITE", 0)->at + DELAY;
    const sent *c1 = find_sent(&n, "px", "mit", "CANCEL", 0);
    const sent *c2 = find_sent(&n, "mit", "carol", "CANCEL", 0);
    g_assert_nonnull(c1);
    g_assert_nonnull(c2);
    g_assert_cmpuint(c1->at, ==, rang + 10 * SIM_SEC);
    g_assert_cmpuint(c2->at, ==, c1->at + DELAY);
    g_autofree char *ea = events(n.n[2].ua, NULL);
    g_assert_cmpstr(ea, ==, "progress/180 ended/487");
    g_assert_cmpuint(sip_server_get_stats(mit)->timer_c, ==, 0); /* mit's is 180 s */
    net_clear(&n);
}

/* ---------------------------------------------------------------- proxy authentication */

/* The value of the i-th line of id in m parsed as digest (asserted), into *d. */
static void digest_of(const sip_msg *m, sip_hdr_id id, size_t i, sip_digest *d)
{
    const sip_hdr *h = sip_msg_hdr(m, id, i);
    g_assert_nonnull(h);
    g_assert_cmpint(sip_digest_parse(h->value, d), ==, 0);
}

/* alice calls carol through px, which authenticates rutgers.edu's users: INVITE, 407 with a
 * SHA-256 then an MD5 challenge (one nonce), ACK, the INVITE again with CSeq 2, the same
 * Call-ID and SHA-256 credentials, forwarded to carol without them. The BYE (in-dialog) is
 * not challenged. */
static void test_auth_call(void)
{
    net n;
    campus(&n, 0, true);
    sip_server *px = n.n[0].srv;
    unsigned cc = call_carol(&n);
    g_assert_cmpstr(n.ladder->str, ==,
                    "alice>px INVITE; px>alice 100/INVITE; px>alice 407/INVITE; alice>px ACK; "
                    "alice>px INVITE; px>alice 100/INVITE; px>carol INVITE; carol>px 100/INVITE");
    const sip_msg *ch = find_sent(&n, "px", "alice", "407/INVITE", 0)->msg;
    g_assert_cmpstr(ch->reason, ==, "Proxy Authentication Required");
    g_assert_null(sip_msg_hdr(ch, SIP_HDR_WWW_AUTHENTICATE, 0));
    g_assert_null(sip_msg_hdr(ch, SIP_HDR_PROXY_AUTHENTICATE, 2));
    sip_digest sha = { 0 }, md5 = { 0 }, cred = { 0 };
    digest_of(ch, SIP_HDR_PROXY_AUTHENTICATE, 0, &sha);
    digest_of(ch, SIP_HDR_PROXY_AUTHENTICATE, 1, &md5);
    g_assert_cmpint(sha.alg, ==, SIP_DIGEST_SHA256); /* RFC 8760 §2.4: preferred first */
    g_assert_cmpint(md5.alg, ==, SIP_DIGEST_MD5);
    g_assert_cmpstr(sha.realm, ==, "rutgers.edu");
    g_assert_cmpstr(sha.qop, ==, "auth");
    g_assert_cmpstr(sha.nonce, ==, md5.nonce);
    const sip_msg *first = find_sent(&n, "alice", "px", "INVITE", 0)->msg;
    const sip_msg *again = find_sent(&n, "alice", "px", "INVITE", 1)->msg;
    sip_cseq c1, c2;
    sip_str id1, id2;
    g_assert_cmpint(sip_msg_cseq(first, &c1), ==, 0);
    g_assert_cmpint(sip_msg_cseq(again, &c2), ==, 0);
    g_assert_cmpuint(c2.seq, ==, c1.seq + 1);
    g_assert_cmpint(sip_msg_call_id(first, &id1), ==, 0);
    g_assert_cmpint(sip_msg_call_id(again, &id2), ==, 0);
    g_assert_true(id1.len == id2.len && !memcmp(id1.p, id2.p, id1.len));
    digest_of(again, SIP_HDR_PROXY_AUTHORIZATION, 0, &cred);
    g_assert_cmpint(cred.alg, ==, SIP_DIGEST_SHA256);
    g_assert_cmpstr(cred.username, ==, "alice");
    g_assert_cmpstr(cred.realm, ==, "rutgers.edu");
    g_assert_cmpstr(cred.nonce, ==, sha.nonce);
    g_assert_cmpstr(cred.uri, ==, "sip:carol@rutgers.edu");
    g_assert_cmpint(sip_digest_verify(&cred, "pw", "INVITE"), ==, 0);
    const sip_msg *fwd = find_sent(&n, "px", "carol", "INVITE", 0)->msg;
    g_assert_null(sip_msg_hdr(fwd, SIP_HDR_PROXY_AUTHORIZATION, 0)); /* §22.3 */
    sip_digest_clear(&sha);
    sip_digest_clear(&md5);
    sip_digest_clear(&cred);
    sip_ua_answer(n.n[2].ua, n.now, cc);
    run(&n, n.now + 1 * SIM_SEC);
    unsigned ca = 0;
    g_autofree char *ea = events(n.n[1].ua, &ca);
    g_assert_cmpstr(ea, ==, "answered/200");
    net_forget(&n);
    sip_ua_hangup(n.n[1].ua, n.now, ca);
    run(&n, n.now + 1 * SIM_SEC);
    g_assert_cmpstr(n.ladder->str, ==, "alice>px BYE; px>carol BYE; carol>px 200/BYE; px>alice 200/BYE");
    g_assert_cmpuint(sip_server_get_stats(px)->proxy_challenges, ==, 1);
    g_assert_cmpuint(sip_server_get_stats(px)->challenges, ==, 2); /* the two REGISTERs */
    net_clear(&n);
}

/* Sends a MESSAGE from `from` (a sip: URI without scheme) to px with extra header lines and
 * returns what px sends first: the 407, or the forwarded request. */
static sip_msg *ask(sip_server *px, const char *from, const char *to_tag, const char *extra)
{
    return px_ask(px, 0, from, to_tag, extra);
}

/* "Proxy-Authorization: <credentials for ch>\r\n" for user/password. */
static char *cred_line(const sip_digest *ch, const char *user, const char *pw)
{
    static uint32_t nc; /* one nonce answered several times: the count goes up (RFC 7616 §3.4) */
    g_autofree char *c = sip_digest_authorization(ch, user, pw, "MESSAGE", "sip:x@10.0.2.9",
                                                  "0a4f113b", ++nc);
    g_assert_nonnull(c);
    return g_strdup_printf("Proxy-Authorization: %s\r\n", c);
}

/* Which requests px challenges, which credentials it takes, what it forwards. */
static void test_auth_rules(void)
{
    sim_rng rng;
    sim_rng_derive(&rng, 7, "px");
    sip_server_cfg c = { .domain = "rutgers.edu", .self = ep("10.0.1.5:5060"), .users = users,
                         .passwords = passwords, .authenticate = true };
    sip_server *px = sip_server_new(&c, &rng);
    sip_msg *m = ask(px, "alice@rutgers.edu", "", "");
    g_assert_cmpuint(m->status, ==, 407);
    sip_digest sha = { 0 }, md5 = { 0 };
    digest_of(m, SIP_HDR_PROXY_AUTHENTICATE, 0, &sha);
    digest_of(m, SIP_HDR_PROXY_AUTHENTICATE, 1, &md5);
    sip_msg_free(m);
    /* not challenged: another domain's user, an in-dialog request */
    m = ask(px, "bob@mit.edu", "", "");
    g_assert_true(m->request);
    sip_msg_free(m);
    m = ask(px, "alice@rutgers.edu", ";tag=t", "");
    g_assert_true(m->request);
    sip_msg_free(m);
    /* SHA-256 and MD5 credentials are both taken, and removed before forwarding */
    const sip_digest *chs[] = { &sha, &md5 };
    for (size_t i = 0; i < 2; i++) {
        g_autofree char *l = cred_line(chs[i], "alice", "pw");
        m = ask(px, "alice@rutgers.edu", "", l);
        g_assert_true(m->request);
        g_assert_null(sip_msg_hdr(m, SIP_HDR_PROXY_AUTHORIZATION, 0));
        sip_msg_free(m);
    }
    /* another realm's credentials stay for the proxy they are meant for (§22.3) */
    sip_digest mit = sha;
    mit.realm = (char *)"mit.edu";
    g_autofree char *ours = cred_line(&sha, "carol", "pw"), *theirs = cred_line(&mit, "carol", "x");
    g_autofree char *both = g_strconcat(theirs, ours, NULL);
    m = ask(px, "carol@rutgers.edu", "", both);
    g_assert_true(m->request);
    sip_digest left = { 0 };
    digest_of(m, SIP_HDR_PROXY_AUTHORIZATION, 0, &left);
    g_assert_cmpstr(left.realm, ==, "mit.edu");
    g_assert_null(sip_msg_hdr(m, SIP_HDR_PROXY_AUTHORIZATION, 1));
    sip_digest_clear(&left);
    sip_msg_free(m);
    m = ask(px, "carol@rutgers.edu", "", theirs); /* only theirs: challenged */
    g_assert_cmpuint(m->status, ==, 407);
    sip_msg_free(m);
    /* refused: a wrong password, an unknown user, a nonce px never issued (stale=true) */
    g_autofree char *bad = cred_line(&sha, "alice", "nope"), *who = cred_line(&sha, "mallory", "pw");
    sip_digest forged = sha;
    forged.nonce = (char *)"0123456789abcdef";
    g_autofree char *old = cred_line(&forged, "alice", "pw");
    const char *refused[] = { bad, who, old };
    for (size_t i = 0; i < 3; i++) {
        m = ask(px, "alice@rutgers.edu", "", refused[i]);
        g_assert_cmpuint(m->status, ==, 407);
        sip_digest d = { 0 };
        digest_of(m, SIP_HDR_PROXY_AUTHENTICATE, 0, &d);
        g_assert_cmpint(d.stale, ==, i == 2);
        sip_digest_clear(&d);
        sip_msg_free(m);
    }
    g_assert_cmpuint(sip_server_get_stats(px)->proxy_challenges, ==, 5);
    sip_digest_clear(&sha);
    sip_digest_clear(&md5);
    sip_server_free(px);
}

/* The UA answers the topmost challenge it supports (RFC 8760 §2.4): an SHA-512-256 one first
 * (not supported: GLib has no SHA-512/256) is skipped for the MD5 one below it. */
static void test_ua_topmost_supported(void)
{
    sim_rng rng;
    sim_rng_derive(&rng, 7, "alice");
    sip_ua_cfg c = { .aor = "sip:alice@rutgers.edu", .password = "pw",
                     .local = ep("10.0.1.1:5060"), .proxy = ep("10.0.1.5:5060") };
    sip_ua *u = sip_ua_new(&c, &rng);
    unsigned call;
    g_assert_cmpint(sip_ua_call(u, 0, "sip:carol@rutgers.edu", &call), ==, 0);
    sip_out o;
    sip_msg *inv = NULL, *r = NULL, *retry = NULL;
    g_assert_true(sip_ua_pop(u, &o));
    g_assert_cmpint(sip_msg_decode(o.data, o.len, &inv, NULL), ==, 0);
    sip_out_clear(&o);
    g_assert_cmpint(sip_msg_response(inv, 407, NULL, "t1", &r), ==, 0);
    sip_msg_add(r, SIP_HDR_PROXY_AUTHENTICATE, NULL,
                "Digest realm=\"rutgers.edu\", nonce=\"n1\", qop=\"auth\", algorithm=SHA-512-256");
    sip_msg_add(r, SIP_HDR_PROXY_AUTHENTICATE, NULL,
                "Digest realm=\"rutgers.edu\", nonce=\"n1\", qop=\"auth\", algorithm=MD5");
    GString *g = g_string_new(NULL);
    sip_msg_encode(r, g);
    sim_ep px = ep("10.0.1.5:5060");
    g_assert_cmpint(sip_ua_input(u, 5 * MS, &px, (const uint8_t *)g->str, g->len), ==, 0);
    g_assert_true(sip_ua_pop(u, &o)); /* the ACK for the 407 */
    g_assert_cmpint(strncmp((const char *)o.data, "ACK ", 4), ==, 0);
    sip_out_clear(&o);
    g_assert_true(sip_ua_pop(u, &o));
    g_assert_cmpint(sip_msg_decode(o.data, o.len, &retry, NULL), ==, 0);
    sip_out_clear(&o);
    sip_digest cred = { 0 };
    digest_of(retry, SIP_HDR_PROXY_AUTHORIZATION, 0, &cred);
    g_assert_cmpint(cred.alg, ==, SIP_DIGEST_MD5);
    g_assert_cmpstr(cred.nonce, ==, "n1");
    g_assert_cmpint(sip_digest_verify(&cred, "pw", "INVITE"), ==, 0);
    sip_digest_clear(&cred);
    sip_msg_free(inv);
    sip_msg_free(r);
    sip_msg_free(retry);
    g_string_free(g, TRUE);
    sip_ua_free(u);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sip/proxy-core/timer-c-cancel-after-ringing", test_timer_c_cancel);
    g_test_add_func("/sip/proxy-core/timer-c-no-provisional-408", test_timer_c_no_provisional);
    g_test_add_func("/sip/proxy-core/timer-c-late-ringing-cancelled", test_timer_c_late_ringing);
    g_test_add_func("/sip/proxy-core/timer-c-cancel-unanswered-408", test_timer_c_cancel_unanswered);
    g_test_add_func("/sip/proxy-core/timer-c-located-branch", test_timer_c_located_branch);
    g_test_add_func("/sip/proxy-core/auth-407-call", test_auth_call);
    g_test_add_func("/sip/proxy-core/auth-rules", test_auth_rules);
    g_test_add_func("/sip/proxy-core/auth-ua-topmost-supported", test_ua_topmost_supported);
    return g_test_run();
}
