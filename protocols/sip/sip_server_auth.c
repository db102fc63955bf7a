/* protocols/sip/sip_server_auth.c — digest authentication on the server side (RFC 3261 §22):
 * one store of the nonces the server issued, the challenge (401 from the registrar, §22.4;
 * 407 from the proxy, §22.3) and the check of credentials, shared by REGISTER
 * (sip_registrar.c) and proxied requests (sip_fork.c).
 *
 * The proxy (§22.3, §16.3 step 6) challenges the requests it would forward for the users of
 * its own domain (From in the domain), except ACK and CANCEL (§22.1: they cannot be
 * resubmitted; ACK for a non-2xx and CANCEL never get here anyway) and in-dialog requests
 * (To tag: the dialog was authorised when it was set up). A request whose
 * Proxy-Authorization for our realm verifies goes on without those lines; credentials for
 * other realms stay for the proxies they are meant for. */
#include "protocols/sip/sip_server_priv.h"

/* A fresh nonce into out, remembered (the last SRV_NONCES) with its time for the retry. */
static void nonce_new(sip_server *s, sim_time_t now, char out[SIP_TOKEN_MAX])
{
    sip_random_token(s->rng, "", out, SIP_TOKEN_MAX);
    srv_nonce *n = &s->nonces[s->nonce_next];
    g_free(n->value);
    *n = (srv_nonce){ .value = g_strdup(out), .issued = now };
    s->nonce_next = (s->nonce_next + 1) % SRV_NONCES;
}

/* The nonce we issued and that has not expired (RFC 7616 §3.3), or NULL. */
static srv_nonce *nonce_live(sip_server *s, sim_time_t now, const char *nonce)
{
    for (unsigned i = 0; i < SRV_NONCES; i++) {
        srv_nonce *n = &s->nonces[i];
        if (n->value && strcmp(n->value, nonce) == 0)
            return now - n->issued < SRV_NONCE_LIFETIME ? n : NULL;
    }
    return NULL;
}

void srv_auth_challenge(sip_server *s, sim_time_t now, unsigned txn, const sip_msg *m,
                        bool proxy, bool stale)
{
    char nonce[SIP_TOKEN_MAX], tag[SIP_TOKEN_MAX];
    nonce_new(s, now, nonce);
    sip_random_token(s->rng, "", tag, sizeof tag);
    sip_msg *r = NULL;
    if (sip_msg_response(m, proxy ? 407 : 401, NULL, tag, &r) < 0)
        return;
    /* RFC 8760 §2.4: one challenge per algorithm, the preferred (SHA-256) first. The
     * registrar keeps to MD5: SIPp 3.6 (tests/interop) reads only the first WWW-Authenticate
     * and refuses it when it is SHA-256 ("authentication must use MD5 or AKAv1-MD5"), and
     * listing MD5 first would make every client pick MD5 anyway. */
    static const sip_digest_alg algs[] = { SIP_DIGEST_SHA256, SIP_DIGEST_MD5 };
    for (size_t i = proxy ? 0 : 1; i < G_N_ELEMENTS(algs); i++) {
        g_autofree char *ch = g_strdup_printf("Digest realm=\"%s\", nonce=\"%s\", qop=\"auth\", "
                                              "algorithm=%s%s", s->domain, nonce,
                                              sip_digest_alg_name(algs[i]),
                                              stale ? ", stale=true" : "");
        sip_msg_add(r, proxy ? SIP_HDR_PROXY_AUTHENTICATE : SIP_HDR_WWW_AUTHENTICATE, NULL, ch);
    }
    sip_txns_respond(s->txns, now, txn, r);
    sip_msg_free(r);
    if (proxy)
        s->stats.proxy_challenges++;
    else
        s->stats.challenges++;
}

void srv_auth_refuse(sip_server *s, sim_time_t now, unsigned txn, const sip_msg *m, bool proxy,
                     srv_auth_verdict v)
{
    if (v == SRV_AUTH_BAD_URI) /* RFC 7616 §3.4.6, RFC 2617 §3.2.2.5 */
        srv_reply(s, now, txn, m, 400, "Authorization URI Mismatch");
    else
        srv_auth_challenge(s, now, txn, m, proxy, v == SRV_AUTH_STALE);
}

/* The credentials of line h when their realm is ours (parsed into *d), else false. */
static bool ours(const sip_server *s, const sip_hdr *h, sip_digest *d)
{
    if (sip_digest_parse(h->value, d) < 0)
        return false;
    if (d->realm && strcmp(d->realm, s->domain) == 0)
        return true;
    sip_digest_clear(d);
    return false;
}

/* RFC 7616 §3.4.6: the digest uri names the resource of the Request-URI: equal as URIs
 * (§19.1.4), or with the same scheme, user and host when one of them has no port (SIPp 3.6
 * answers a REGISTER for sip:127.0.0.1 with uri="sip:127.0.0.1:5060", the address it used).
 * Credentials computed for another user or host do not pass. */
static bool uri_matches(const sip_msg *m, const char *uri)
{
    sip_uri u;
    const sip_uri *r = &m->uri;
    if (!uri || sip_uri_parse(uri, strlen(uri), &u, NULL) < 0)
        return false;
    if (sip_uri_equal(&u, r))
        return true;
    if (u.port >= 0 && r->port >= 0)
        return false;
    u.port = r->port;
    return sip_uri_equal(&u, r);
}

/* The nonce-count of d: nc (8 hex digits) with qop, 1 without (RFC 2069 answers have no
 * count, so their nonce is good once). 0 when malformed. */
static uint32_t nonce_count(const sip_digest *d)
{
    if (!d->qop)
        return 1;
    if (!d->nc || strlen(d->nc) != 8 || !g_ascii_isxdigit(d->nc[0]))
        return 0;
    char *end;
    guint64 v = g_ascii_strtoull(d->nc, &end, 16);
    return *end ? 0 : (uint32_t)v;
}

/* One line of ours: its verdict (and the nc recorded when OK). */
static srv_auth_verdict check_one(sip_server *s, sim_time_t now, const sip_msg *m,
                                  const sip_digest *d)
{
    if (!uri_matches(m, d->uri))
        return SRV_AUTH_BAD_URI;
    const char *pw = d->username ? g_hash_table_lookup(s->users, d->username) : NULL;
    if (!pw || !d->nonce || sip_digest_verify(d, pw, m->method) < 0)
        return SRV_AUTH_NONE;
    srv_nonce *n = nonce_live(s, now, d->nonce);
    uint32_t nc = nonce_count(d);
    if (!nc)
        return SRV_AUTH_NONE;
    if (!n || nc <= n->nc) /* RFC 7616 §3.3 expired; §3.4 a replayed or lower nc */
        return SRV_AUTH_STALE;
    n->nc = nc;
    return SRV_AUTH_OK;
}

srv_auth_verdict srv_auth_check(sip_server *s, sim_time_t now, const sip_msg *m, sip_hdr_id id,
                                char *user, size_t cap)
{
    /* the best over our lines: OK, then a wrong uri (400), then stale, then none */
    static const int rank[] = { [SRV_AUTH_OK] = 3, [SRV_AUTH_BAD_URI] = 2,
                                [SRV_AUTH_STALE] = 1, [SRV_AUTH_NONE] = 0 };
    srv_auth_verdict best = SRV_AUTH_NONE;
    const sip_hdr *h;
    for (size_t i = 0; best != SRV_AUTH_OK && (h = sip_msg_hdr(m, id, i)); i++) {
        sip_digest d = { 0 };
        if (!ours(s, h, &d))
            continue;
        srv_auth_verdict v = check_one(s, now, m, &d);
        if (rank[v] > rank[best])
            best = v;
        if (v == SRV_AUTH_OK)
            g_strlcpy(user, d.username, cap);
        sip_digest_clear(&d);
    }
    return best;
}

/* sip_msg_remove_if: a Proxy-Authorization line for our realm. */
static bool for_our_realm(const sip_hdr *h, void *srv)
{
    sip_digest d = { 0 };
    bool r = ours(srv, h, &d);
    sip_digest_clear(&d);
    return r;
}

/* §22.3: the requests the proxy challenges. */
static bool needs_auth(const sip_server *s, const sip_msg *m)
{
    sip_nameaddr from;
    sip_str tag;
    if (!s->cfg.authenticate || !g_hash_table_size(s->users) || !strcmp(m->method, "ACK") ||
        !strcmp(m->method, "CANCEL") || (sip_msg_tag(m, SIP_HDR_TO, &tag) == 0 && tag.len))
        return false;
    return sip_msg_nameaddr(m, SIP_HDR_FROM, 0, &from) == 0 && sip_str_eq(from.uri.host, s->domain);
}

/* RFC 3261 §22.3 leaves to policy who may use which identity: ours is that a user of our
 * domain sends (From) and registers (To, §10.3 step 3) as himself only. */
bool srv_auth_identity(const sip_msg *m, sip_hdr_id id, const char *user)
{
    sip_nameaddr na;
    char u[256];
    if (sip_msg_nameaddr(m, id, 0, &na) < 0 || !na.uri.has_user)
        return false;
    int n = sip_unescape(na.uri.user, u, sizeof u);
    return n >= 0 && (size_t)n == strlen(user) && strcmp(u, user) == 0;
}

bool srv_proxy_authorize(sip_server *s, sim_time_t now, unsigned txn, sip_msg *m)
{
    if (!needs_auth(s, m))
        return true;
    char user[256];
    srv_auth_verdict v = srv_auth_check(s, now, m, SIP_HDR_PROXY_AUTHORIZATION, user, sizeof user);
    if (v != SRV_AUTH_OK) {
        srv_auth_refuse(s, now, txn, m, true, v);
        return false;
    }
    if (!srv_auth_identity(m, SIP_HDR_FROM, user)) {
        srv_reply(s, now, txn, m, 403, "Not Your Identity");
        return false;
    }
    sip_msg_remove_if(m, SIP_HDR_PROXY_AUTHORIZATION, for_our_realm, s);
    return true;
}

/* ---------------------------------------------------------------- §16.7 step 7 */

static const sip_hdr_id challenge_ids[2] = { SIP_HDR_WWW_AUTHENTICATE,
                                             SIP_HDR_PROXY_AUTHENTICATE };

void srv_auth_collect(srv_ctx *c, const sip_msg *m)
{
    if (m->status != 401 && m->status != 407)
        return;
    const sip_hdr *h;
    for (size_t k = 0; k < 2; k++)
        for (size_t i = 0; (h = sip_msg_hdr(m, challenge_ids[k], i)); i++) {
            if (!c->auth[k])
                c->auth[k] = g_ptr_array_new_with_free_func(g_free);
            g_ptr_array_add(c->auth[k], g_strndup(h->value, h->value_len));
        }
}

void srv_auth_merge(const srv_ctx *c, sip_msg *best)
{
    if (best->status != 401 && best->status != 407)
        return;
    /* "add them to this response without modification": every branch's, the chosen one's
     * included, in the order they arrived */
    for (size_t k = 0; k < 2; k++) {
        if (!c->auth[k])
            continue;
        sip_msg_remove(best, challenge_ids[k], NULL);
        for (guint i = 0; i < c->auth[k]->len; i++)
            sip_msg_add(best, challenge_ids[k], NULL, c->auth[k]->pdata[i]);
    }
}

void srv_auth_ctx_clear(srv_ctx *c)
{
    for (size_t k = 0; k < 2; k++)
        if (c->auth[k])
            g_ptr_array_free(c->auth[k], TRUE);
    c->auth[0] = c->auth[1] = NULL;
}
