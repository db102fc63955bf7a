/* tests/unit/test_sip_digest.c — digest authentication hardened (RFC 3261 §22, RFC 7616,
 * RFC 8760), in virtual time over sip_net.h (UA and server cores back to back, 5 ms a hop):
 *   server (sip_server_auth.c): a nonce is good for SRV_NONCE_LIFETIME (300 s) to the
 *     nanosecond, then stale=true; each nc once and only upwards (§3.4); uri = Request-URI or
 *     400 (§3.4.6); the authenticated user must be the From user (proxy) and the To user
 *     (registrar, 403, §10.3 step 3);
 *   UA (sip_ua_auth.c): credentials cached per realm and sent pre-emptively with the next
 *     nc (the second call has no 407, a REGISTER refresh no 401), a stale nonce answered
 *     again, refused credentials failing the request after one retry, several realms
 *     answered in one retry;
 *   forking (§16.7 step 7): the challenges of two branches (a 407 and a 401) merged into the
 *     response that goes up.
 * Digest responses that are not produced by our own code are python3 hashlib vectors. */
#include "sip_net.h"

#define SRV_LIFETIME (300 * SIM_SEC) /* RFC 7616 §3.3: how long px's nonces are good */

static const char *const users[] = { "alice", "carol", NULL };
static const char *const passwords[] = { "pw", "pw", NULL };

/* ---------------------------------------------------------------- server core, by hand */

/* Sends px a MESSAGE from user@rutgers.edu at now (Request-URI sip:x@10.0.2.9, extra header
 * lines) and returns the first message px sent (its answer, or the forwarded request). */
static sip_msg *ask(sip_server *px, sim_time_t now, const char *from, const char *extra)
{
    g_autofree char *uri = g_strdup_printf("%s@rutgers.edu", from);
    return px_ask(px, now, uri, "", extra);
}

static sip_server *auth_proxy(sim_rng *rng)
{
    sim_rng_derive(rng, 7, "px");
    sip_server_cfg c = { .domain = "rutgers.edu", .self = ep("10.0.1.5:5060"), .users = users,
                         .passwords = passwords, .authenticate = true };
    return sip_server_new(&c, rng);
}

/* The i-th challenge of m (asserted present and parsed). */
static void challenge(const sip_msg *m, sip_hdr_id id, size_t i, sip_digest *d)
{
    const sip_hdr *h = sip_msg_hdr(m, id, i);
    g_assert_nonnull(h);
    g_assert_cmpint(sip_digest_parse(h->value, d), ==, 0);
}

/* "Proxy-Authorization: ..." answering the MD5 challenge ch for MESSAGE to uri with nc. */
static char *cred(const sip_digest *ch, const char *user, const char *uri, uint32_t nc)
{
    g_autofree char *c = sip_digest_authorization(ch, user, "pw", "MESSAGE", uri, "c0ffee", nc);
    g_assert_nonnull(c);
    return g_strdup_printf("Proxy-Authorization: %s\r\n", c);
}

/* Expects a 407 from px; returns whether it said stale=true, *nonce (may be NULL) its nonce. */
static bool expect_407(sip_msg *m, char **nonce)
{
    g_assert_cmpuint(m->status, ==, 407);
    sip_digest d = { 0 };
    challenge(m, SIP_HDR_PROXY_AUTHENTICATE, 1, &d);
    g_assert_cmpint(d.alg, ==, SIP_DIGEST_MD5);
    bool stale = d.stale;
    if (nonce)
        *nonce = g_strdup(d.nonce);
    sip_digest_clear(&d);
    sip_msg_free(m);
    return stale;
}

/* The first answer to the seeded nonce, written out by hand: response is python3
 *   ha1 = md5(b"alice:rutgers.edu:pw"); ha2 = md5(b"MESSAGE:sip:x@10.0.2.9")
 *   md5(f"{ha1}:41cc053cef575ef0:00000001:c0ffee:auth:{ha2}")
 * Then nc 2 just before the nonce is 300 s old passes; nc 2 again, nc 1 and nc 3 at 300 s
 * get a fresh challenge with stale=true; a malformed nc one without. */
static void test_nonce_lifetime_and_nc(void)
{
    sim_rng rng;
    sip_server *px = auth_proxy(&rng);
    g_autofree char *nonce = NULL;
    g_assert_false(expect_407(ask(px, 0, "alice", ""), &nonce));
    g_assert_cmpstr(nonce, ==, "41cc053cef575ef0");
    sip_msg *m = ask(px, 1 * SIM_SEC, "alice",
                     "Proxy-Authorization: Digest username=\"alice\", realm=\"rutgers.edu\", "
                     "nonce=\"41cc053cef575ef0\", uri=\"sip:x@10.0.2.9\", "
                     "response=\"" "05176165ba40498b2fbe1edda9ce8212" "\", algorithm=MD5, cnonce=\"c0ffee\", "
                     "nc=00000001, qop=auth\r\n");
    g_assert_true(m->request); /* forwarded */
    sip_msg_free(m);
    sip_digest ch = { .alg = SIP_DIGEST_MD5, .realm = (char *)"rutgers.edu",
                      .nonce = nonce, .qop = (char *)"auth" };
    g_autofree char *nc1 = cred(&ch, "alice", "sip:x@10.0.2.9", 1);
    g_autofree char *nc2 = cred(&ch, "alice", "sip:x@10.0.2.9", 2);
    g_autofree char *nc3 = cred(&ch, "alice", "sip:x@10.0.2.9", 3);
    g_assert_true(expect_407(ask(px, 2 * SIM_SEC, "alice", nc1), NULL)); /* replayed */
    m = ask(px, SRV_LIFETIME - 1, "alice", nc2);
    g_assert_true(m->request);
    sip_msg_free(m);
    g_assert_true(expect_407(ask(px, SRV_LIFETIME - 1, "alice", nc2), NULL)); /* nc seen */
    g_autofree char *fresh = NULL;
    g_assert_true(expect_407(ask(px, SRV_LIFETIME, "alice", nc3), &fresh)); /* expired */
    g_assert_cmpstr(fresh, !=, nonce);
    /* the fresh nonce is good, for its own 300 s */
    ch.nonce = fresh;
    g_autofree char *f1 = cred(&ch, "alice", "sip:x@10.0.2.9", 1);
    g_autofree char *f2 = cred(&ch, "alice", "sip:x@10.0.2.9", 2);
    m = ask(px, 2 * SRV_LIFETIME - 1, "alice", f1);
    g_assert_true(m->request);
    sip_msg_free(m);
    /* nc must be 8 hex digits: nc=0000000z is not credentials at all (no stale) */
    g_autofree char *bad = g_strdup(f2);
    char *p = strstr(bad, "nc=00000002");
    g_assert_nonnull(p);
    memcpy(p + 3, "0000000z", 8);
    g_assert_false(expect_407(ask(px, 2 * SRV_LIFETIME - 1, "alice", bad), NULL));
    g_assert_true(expect_407(ask(px, 2 * SRV_LIFETIME, "alice", f2), NULL));
    g_assert_cmpuint(sip_server_get_stats(px)->proxy_challenges, ==, 6);
    sip_server_free(px);
}

/* uri must name the Request-URI (RFC 7616 §3.4.6): another user's URI gets 400 even with the
 * right password; the same URI with the port written out passes (SIPp writes it). The
 * authenticated user must be the From user (§22.3 policy): alice's credentials on a request
 * from carol get 403. */
static void test_uri_and_identity(void)
{
    sim_rng rng;
    sip_server *px = auth_proxy(&rng);
    g_autofree char *nonce = NULL;
    expect_407(ask(px, 0, "alice", ""), &nonce);
    sip_digest ch = { .alg = SIP_DIGEST_MD5, .realm = (char *)"rutgers.edu",
                      .nonce = nonce, .qop = (char *)"auth" };
    g_autofree char *other = cred(&ch, "alice", "sip:y@10.0.2.9", 1);
    sip_msg *m = ask(px, 0, "alice", other);
    g_assert_cmpuint(m->status, ==, 400);
    g_assert_cmpstr(m->reason, ==, "Authorization URI Mismatch");
    sip_msg_free(m);
    g_autofree char *port = cred(&ch, "alice", "sip:x@10.0.2.9:5060", 2);
    m = ask(px, 0, "alice", port);
    g_assert_true(m->request);
    sip_msg_free(m);
    g_autofree char *as_carol = cred(&ch, "alice", "sip:x@10.0.2.9", 3);
    m = ask(px, 0, "carol", as_carol);
    g_assert_cmpuint(m->status, ==, 403);
    sip_msg_free(m);
    sip_server_free(px);
}

/* ---------------------------------------------------------------- over sip_net.h */

/* px: proxy and registrar for rutgers.edu authenticating alice and carol (both "pw"). */
static void campus(net *n, const char *alice_pw)
{
    net_init(n);
    sip_server_cfg c = { .domain = "rutgers.edu", .registrar = true, .users = users,
                         .passwords = passwords, .authenticate = true };
    server(n, "px", "10.0.1.5:5060", c);
    node *a = add(n, "alice", "10.0.1.1:5060");
    sip_ua_cfg uc = { .aor = "sip:alice@rutgers.edu", .password = alice_pw, .local = a->ep,
                      .rport = true, .rtp_port = 8000, .proxy = ep("10.0.1.5:5060") };
    a->ua = sip_ua_new(&uc, &a->rng);
    ua(n, "carol", "10.0.1.3:5060", "sip:carol@rutgers.edu", "10.0.1.5:5060");
    g_assert_cmpint(sip_ua_register(n->n[2].ua, 0, 3600), ==, 0);
    run(n, 40 * SIM_SEC);
    g_autofree char *e = events(n->n[2].ua, NULL);
    g_assert_cmpstr(e, ==, "registered/200");
    net_forget(n);
}

/* alice calls carol, carol answers, alice hangs up; returns alice's events. */
static char *call_and_hang_up(net *n)
{
    unsigned ca, cc = 0;
    g_assert_cmpint(sip_ua_call(n->n[1].ua, n->now, "sip:carol@rutgers.edu", &ca), ==, 0);
    run(n, n->now + 1 * SIM_SEC);
    g_autofree char *ec = events(n->n[2].ua, &cc);
    if (cc) {
        sip_ua_answer(n->n[2].ua, n->now, cc);
        run(n, n->now + 1 * SIM_SEC);
        sip_ua_hangup(n->n[1].ua, n->now, ca);
        run(n, n->now + 1 * SIM_SEC);
    }
    return events(n->n[1].ua, NULL);
}

/* The first call is challenged; the second carries the cached credentials (same nonce,
 * nc=00000002; its response is the python3 vector, SHA-256 being the challenge alice picked:
 *   ha1 = sha256(b"alice:rutgers.edu:pw"); ha2 = sha256(b"INVITE:sip:carol@rutgers.edu")
 *   sha256(f"{ha1}:12d17ad4bdd93540:00000002:ab404617d16daaf2:auth:{ha2}"))
 * and is not challenged. A call 300 s after the nonce was issued has it refused as stale and
 * answered again at once: one more retry, no failure. */
static void test_ua_cached_credentials(void)
{
    net n;
    campus(&n, "pw");
    sip_server *px = n.n[0].srv;
    sim_time_t issued = n.now + DELAY; /* the 407 leaves px one hop after the INVITE */
    g_autofree char *e1 = call_and_hang_up(&n);
    g_assert_cmpstr(e1, ==, "answered/200 ended/200");
    g_assert_cmpuint(sip_server_get_stats(px)->proxy_challenges, ==, 1);
    net_forget(&n);
    g_autofree char *e2 = call_and_hang_up(&n);
    g_assert_cmpstr(e2, ==, "answered/200 ended/200");
    g_assert_true(g_str_has_prefix(n.ladder->str,
                                   "alice>px INVITE; px>alice 100/INVITE; px>carol INVITE;"));
    const sip_msg *inv = find_sent(&n, "alice", "px", "INVITE", 0)->msg;
    sip_digest d = { 0 };
    challenge(inv, SIP_HDR_PROXY_AUTHORIZATION, 0, &d);
    g_assert_cmpstr(d.nc, ==, "00000002");
    g_assert_cmpint(d.alg, ==, SIP_DIGEST_SHA256);
    g_assert_cmpstr(d.uri, ==, "sip:carol@rutgers.edu");
    g_assert_cmpstr(d.nonce, ==, "12d17ad4bdd93540");
    g_assert_cmpstr(d.cnonce, ==, "ab404617d16daaf2");
    g_assert_cmpstr(d.response, ==,
                    "0eb8dbe34aedef6f7f2cb2ea70ad697aaa4e8d24b78d497bd85f0c28560cd9a5");
    sip_digest_clear(&d);
    const sent *bye = find_sent(&n, "alice", "carol", "BYE", 0); /* no Record-Route: direct */
    g_assert_nonnull(bye);
    g_assert_null(sip_msg_hdr(bye->msg, SIP_HDR_PROXY_AUTHORIZATION, 0)); /* in-dialog */
    g_assert_cmpuint(sip_server_get_stats(px)->proxy_challenges, ==, 1);
    g_assert_cmpuint(sip_ua_get_stats(n.n[1].ua)->auth_retries, ==, 1);
    g_assert_cmpuint(sip_ua_get_stats(n.n[1].ua)->auth_reused, ==, 1);
    /* 300 s after it was issued the nonce is stale: 407 stale=true, retried with the new one */
    run(&n, issued + SRV_LIFETIME);
    net_forget(&n);
    g_autofree char *e3 = call_and_hang_up(&n);
    g_assert_cmpstr(e3, ==, "answered/200 ended/200");
    const sip_msg *ch = find_sent(&n, "px", "alice", "407/INVITE", 0)->msg;
    challenge(ch, SIP_HDR_PROXY_AUTHENTICATE, 0, &d);
    g_assert_true(d.stale);
    sip_digest_clear(&d);
    g_assert_null(find_sent(&n, "px", "alice", "407/INVITE", 1));
    challenge(find_sent(&n, "alice", "px", "INVITE", 1)->msg, SIP_HDR_PROXY_AUTHORIZATION, 0, &d);
    g_assert_cmpstr(d.nc, ==, "00000001");
    sip_digest_clear(&d);
    g_assert_cmpuint(sip_ua_get_stats(n.n[1].ua)->auth_retries, ==, 2);
    net_clear(&n);
}

/* Wrong password: INVITE, 407, the retry, 407 again without stale: the call fails with 407
 * after that one retry (§22.3), and the realm is forgotten: the next call is sent without
 * credentials. */
static void test_ua_refused_fails(void)
{
    net n;
    campus(&n, "nope");
    g_autofree char *e = call_and_hang_up(&n);
    g_assert_cmpstr(e, ==, "ended/407");
    g_assert_cmpstr(n.ladder->str, ==,
                    "alice>px INVITE; px>alice 100/INVITE; px>alice 407/INVITE; alice>px ACK; "
                    "alice>px INVITE; px>alice 100/INVITE; px>alice 407/INVITE; alice>px ACK");
    g_assert_cmpuint(sip_ua_get_stats(n.n[1].ua)->auth_retries, ==, 1);
    net_forget(&n);
    g_autofree char *e2 = call_and_hang_up(&n);
    g_assert_cmpstr(e2, ==, "ended/407");
    g_assert_null(sip_msg_hdr(find_sent(&n, "alice", "px", "INVITE", 0)->msg,
                              SIP_HDR_PROXY_AUTHORIZATION, 0));
    net_clear(&n);
}

/* The registrar refuses a REGISTER whose To is another user than the credentials' (403,
 * §10.3 step 3): alice's credentials for carol's AOR bind nothing. */
static void test_registrar_identity(void)
{
    sim_rng rng;
    sim_rng_derive(&rng, 7, "reg");
    sip_server_cfg c = { .domain = "rutgers.edu", .self = ep("10.0.1.5:5060"), .registrar = true,
                         .users = users, .passwords = passwords };
    sip_server *reg = sip_server_new(&c, &rng);
    sim_ep src = ep("10.0.1.1:5060");
    sip_msg *r = NULL;
    sip_digest ch = { 0 };
    for (int i = 0; i < 2; i++) {
        g_autofree char *auth = NULL;
        if (i) {
            g_autofree char *v = sip_digest_authorization(&ch, "alice", "pw", "REGISTER",
                                                          "sip:rutgers.edu", "c0ffee", 1);
            auth = g_strdup_printf("Authorization: %s\r\n", v);
        }
        g_autofree char *req = g_strdup_printf(
            "REGISTER sip:rutgers.edu SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.1.1:5060;branch=z9hG4bKr%d\r\n"
            "From: <sip:carol@rutgers.edu>;tag=f\r\nTo: <sip:carol@rutgers.edu>\r\n"
            "Call-ID: r\r\nCSeq: %d REGISTER\r\nContact: <sip:carol@10.0.1.1>\r\n"
            "Max-Forwards: 70\r\n%s\r\n", i, i + 1, auth ? auth : "");
        g_assert_cmpint(sip_server_input(reg, 0, &src, (const uint8_t *)req, strlen(req)), ==, 0);
        sip_out o;
        g_assert_true(sip_server_pop(reg, &o));
        sip_msg_free(r);
        g_assert_cmpint(sip_msg_decode(o.data, o.len, &r, NULL), ==, 0);
        sip_out_clear(&o);
        if (!i) {
            g_assert_cmpuint(r->status, ==, 401);
            g_assert_null(sip_msg_hdr(r, SIP_HDR_WWW_AUTHENTICATE, 1)); /* MD5 only */
            challenge(r, SIP_HDR_WWW_AUTHENTICATE, 0, &ch);
        }
    }
    g_assert_cmpuint(r->status, ==, 403);
    g_assert_cmpstr(r->reason, ==, "Not Your AOR");
    sip_msg_free(r);
    sip_digest_clear(&ch);
    g_assert_cmpuint(sip_server_get_stats(reg)->challenges, ==, 1);
    sip_server_free(reg);
}

/* The registrar side of the cache: carol registers for 60 s (401, retry, 200); her refresh
 * 30 s later carries Authorization with nc=00000002 for the registrar's nonce and is taken
 * without a second 401. Six minutes on, the nonce has expired: the refresh is answered 401
 * stale=true and registered again at once. */
static void test_register_refresh_cached(void)
{
    net n;
    net_init(&n);
    sip_server_cfg c = { .domain = "rutgers.edu", .registrar = true, .users = users,
                         .passwords = passwords };
    sip_server *reg = server(&n, "reg", "10.0.1.5:5060", c);
    sip_ua *carol = ua(&n, "carol", "10.0.1.3:5060", "sip:carol@rutgers.edu", "10.0.1.5:5060");
    g_assert_cmpint(sip_ua_register(carol, 0, 60), ==, 0);
    run(&n, 35 * SIM_SEC);
    g_assert_cmpstr(n.ladder->str, ==,
                    "carol>reg REGISTER; reg>carol 401/REGISTER; carol>reg REGISTER; "
                    "reg>carol 200/REGISTER; carol>reg REGISTER; reg>carol 200/REGISTER");
    sip_digest d = { 0 };
    challenge(find_sent(&n, "carol", "reg", "REGISTER", 2)->msg, SIP_HDR_AUTHORIZATION, 0, &d);
    g_assert_cmpstr(d.nc, ==, "00000002");
    g_assert_cmpstr(d.uri, ==, "sip:rutgers.edu");
    sip_digest_clear(&d);
    g_assert_cmpuint(sip_server_get_stats(reg)->challenges, ==, 1);
    run(&n, 6 * 60 * SIM_SEC);
    g_autofree char *e = events(carol, NULL);
    g_assert_cmpstr(e, ==, "registered/200 registered/200 registered/200 registered/200 "
                           "registered/200 registered/200 registered/200 registered/200 "
                           "registered/200 registered/200 registered/200 registered/200");
    const sent *stale = find_sent(&n, "reg", "carol", "401/REGISTER", 1);
    g_assert_nonnull(stale);
    challenge(stale->msg, SIP_HDR_WWW_AUTHENTICATE, 0, &d);
    g_assert_true(d.stale);
    sip_digest_clear(&d);
    g_assert_cmpuint(sip_ua_get_stats(carol)->auth_retries, ==, 2);
    net_clear(&n);
}

/* ---------------------------------------------------------------- forking, several realms */

/* bob@mit.edu has two phones; px (no authentication of its own) forks alice's INVITE to
 * both. Each answers with a challenge of its own realm: b1 a 407 (Proxy-Authenticate realm
 * "b1"), b2 a 401 (WWW-Authenticate realm "b2"). px sends up one response with both
 * (§16.7 step 7), and alice answers both realms in one retry (§22.3): Proxy-Authorization
 * for b1 and Authorization for b2, each verifying with her password. */
static void test_fork_merges_challenges(void)
{
    net n;
    net_init(&n);
    sip_location *loc = sip_location_new();
    sip_location_bind(loc, "bob@mit.edu", "sip:bob@10.0.2.1:5060", 3600 * SIM_SEC, NULL);
    sip_location_bind(loc, "bob@mit.edu", "sip:bob@10.0.2.2:5060", 3600 * SIM_SEC, NULL);
    sip_server_cfg c = { .domain = "mit.edu", .location = loc };
    sip_server *px = server(&n, "px", "10.0.2.5:5060", c);
    ua(&n, "alice", "10.0.1.1:5060", "sip:alice@rutgers.edu", "10.0.2.5:5060");
    add(&n, "b1", "10.0.2.1:5060"); /* answered by hand below */
    add(&n, "b2", "10.0.2.2:5060");
    unsigned ca;
    g_assert_cmpint(sip_ua_call(n.n[1].ua, 0, "sip:bob@mit.edu", &ca), ==, 0);
    run(&n, 100 * MS);
    static const struct {
        const char *name, *addr;
        sip_hdr_id hdr;
        unsigned status;
    } phones[] = {
        { "b1", "10.0.2.1:5060", SIP_HDR_PROXY_AUTHENTICATE, 407 },
        { "b2", "10.0.2.2:5060", SIP_HDR_WWW_AUTHENTICATE, 401 },
    };
    for (size_t i = 0; i < 2; i++) {
        const sip_msg *inv = find_sent(&n, "px", phones[i].name, "INVITE", 0)->msg;
        sip_msg *r = NULL;
        g_assert_cmpint(sip_msg_response(inv, phones[i].status, NULL, phones[i].name, &r), ==, 0);
        g_autofree char *v = g_strdup_printf("Digest realm=\"%s\", nonce=\"n-%s\", qop=\"auth\", "
                                             "algorithm=MD5", phones[i].name, phones[i].name);
        sip_msg_add(r, phones[i].hdr, NULL, v);
        GString *s = g_string_new(NULL);
        sip_msg_encode(r, s);
        sim_ep from = ep(phones[i].addr);
        g_assert_cmpint(sip_server_input(px, n.now, &from, (const uint8_t *)s->str, s->len), ==, 0);
        g_string_free(s, TRUE);
        sip_msg_free(r);
        run(&n, n.now + 100 * MS);
    }
    const sent *up = find_sent(&n, "px", "alice", "401/INVITE", 0);
    if (!up)
        up = find_sent(&n, "px", "alice", "407/INVITE", 0);
    g_assert_nonnull(up);
    g_assert_cmpuint(up->msg->status, ==, 407); /* the first final (both 4xx) */
    sip_digest d = { 0 };
    challenge(up->msg, SIP_HDR_PROXY_AUTHENTICATE, 0, &d);
    g_assert_cmpstr(d.realm, ==, "b1");
    sip_digest_clear(&d);
    challenge(up->msg, SIP_HDR_WWW_AUTHENTICATE, 0, &d);
    g_assert_cmpstr(d.realm, ==, "b2");
    sip_digest_clear(&d);
    g_assert_null(sip_msg_hdr(up->msg, SIP_HDR_PROXY_AUTHENTICATE, 1));
    g_assert_null(sip_msg_hdr(up->msg, SIP_HDR_WWW_AUTHENTICATE, 1));
    /* alice's one retry answers both realms */
    const sip_msg *again = find_sent(&n, "alice", "px", "INVITE", 1)->msg;
    g_assert_null(find_sent(&n, "alice", "px", "INVITE", 2));
    challenge(again, SIP_HDR_PROXY_AUTHORIZATION, 0, &d);
    g_assert_cmpstr(d.realm, ==, "b1");
    g_assert_cmpstr(d.nonce, ==, "n-b1");
    g_assert_cmpint(sip_digest_verify(&d, "pw", "INVITE"), ==, 0);
    sip_digest_clear(&d);
    challenge(again, SIP_HDR_AUTHORIZATION, 0, &d);
    g_assert_cmpstr(d.realm, ==, "b2");
    g_assert_cmpint(sip_digest_verify(&d, "pw", "INVITE"), ==, 0);
    sip_digest_clear(&d);
    g_assert_cmpuint(sip_ua_get_stats(n.n[1].ua)->auth_retries, ==, 1);
    net_clear(&n);
    sip_location_free(loc);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sip/digest/nonce-lifetime-and-nc", test_nonce_lifetime_and_nc);
    g_test_add_func("/sip/digest/uri-and-identity", test_uri_and_identity);
    g_test_add_func("/sip/digest/registrar-identity-403", test_registrar_identity);
    g_test_add_func("/sip/digest/ua-cached-credentials", test_ua_cached_credentials);
    g_test_add_func("/sip/digest/ua-refused-fails", test_ua_refused_fails);
    g_test_add_func("/sip/digest/register-refresh-cached", test_register_refresh_cached);
    g_test_add_func("/sip/digest/fork-merges-challenges", test_fork_merges_challenges);
    return g_test_run();
}
