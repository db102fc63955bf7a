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

/* A fresh nonce into out, remembered (the last SRV_NONCES) for the retry. */
static void nonce_new(sip_server *s, char out[SIP_TOKEN_MAX])
{
    sip_random_token(s->rng, "", out, SIP_TOKEN_MAX);
    g_free(s->nonces[s->nonce_next]);
    s->nonces[s->nonce_next] = g_strdup(out);
    s->nonce_next = (s->nonce_next + 1) % SRV_NONCES;
}

static bool nonce_known(const sip_server *s, const char *nonce)
{
    for (unsigned i = 0; i < SRV_NONCES; i++)
        if (s->nonces[i] && strcmp(s->nonces[i], nonce) == 0)
            return true;
    return false;
}

void srv_auth_challenge(sip_server *s, sim_time_t now, unsigned txn, const sip_msg *m,
                        bool proxy, bool stale)
{
    char nonce[SIP_TOKEN_MAX], tag[SIP_TOKEN_MAX];
    nonce_new(s, nonce);
    sip_random_token(s->rng, "", tag, sizeof tag);
    sip_msg *r = NULL;
    if (sip_msg_response(m, proxy ? 407 : 401, NULL, tag, &r) < 0)
        return;
    /* RFC 8760 §2.4: one challenge per algorithm, the preferred (SHA-256) first; the
     * registrar keeps to MD5 for the MD5-only clients that read the first challenge only */
    static const sip_digest_alg proxy_algs[] = { SIP_DIGEST_SHA256, SIP_DIGEST_MD5 };
    static const sip_digest_alg reg_algs[] = { SIP_DIGEST_MD5 };
    const sip_digest_alg *algs = proxy ? proxy_algs : reg_algs;
    size_t n = proxy ? G_N_ELEMENTS(proxy_algs) : G_N_ELEMENTS(reg_algs);
    for (size_t i = 0; i < n; i++) {
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

bool srv_auth_check(const sip_server *s, const sip_msg *m, sip_hdr_id id, bool *stale)
{
    bool ok = false;
    if (stale)
        *stale = false;
    const sip_hdr *h;
    for (size_t i = 0; !ok && (h = sip_msg_hdr(m, id, i)); i++) {
        sip_digest d = { 0 };
        if (!ours(s, h, &d))
            continue;
        const char *pw = d.username ? g_hash_table_lookup(s->users, d.username) : NULL;
        bool right = pw && d.nonce && sip_digest_verify(&d, pw, m->method) == 0;
        ok = right && nonce_known(s, d.nonce);
        if (right && !ok && stale)
            *stale = true;
        sip_digest_clear(&d);
    }
    return ok;
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

bool srv_proxy_authorize(sip_server *s, sim_time_t now, unsigned txn, sip_msg *m)
{
    if (!needs_auth(s, m))
        return true;
    bool stale;
    if (!srv_auth_check(s, m, SIP_HDR_PROXY_AUTHORIZATION, &stale)) {
        srv_auth_challenge(s, now, txn, m, true, stale);
        return false;
    }
    sip_msg_remove_if(m, SIP_HDR_PROXY_AUTHORIZATION, for_our_realm, s);
    return true;
}
