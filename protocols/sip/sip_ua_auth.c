/* protocols/sip/sip_ua_auth.c — digest credentials of the user agent (RFC 3261 §22.1-§22.3,
 * RFC 7616 §3.4): answering 401 / 407 and keeping what was learnt.
 *
 * Every challenge answered is cached per (realm, REGISTER or not): its nonce, opaque, qop and
 * algorithm. Later out-of-dialog requests (ACK and CANCEL excepted, §22.1) carry credentials
 * for every cached realm pre-emptively, the nonce-count going up by one each time (RFC 7616
 * §3.4.1), so the server that issued the nonce lets them through without a new challenge.
 * REGISTER uses the registrar's realms, other requests the proxies' and UASs' (the registrar
 * and the proxy of a domain may share a realm but not a nonce store).
 *
 * A 401 / 407 may carry several challenges for several realms (§22.3: one per proxy on the
 * path, merged by forking proxies, §16.7 step 7); the retry answers every realm, each with
 * its topmost challenge whose algorithm we support (RFC 8760 §2.4). A challenge for a realm
 * whose credentials the request already carried means they were refused: unless it says
 * stale=true (the nonce expired or its count was used, RFC 7616 §3.3) the request fails and
 * the realm is forgotten. The UA has one account: it answers every realm with it. */
#include "protocols/sip/sip_ua_priv.h"

/* One cached challenge. */
typedef struct ua_cred {
    sip_digest ch;   /* realm, nonce, opaque, qop, algorithm (owned) */
    bool proxy;      /* from Proxy-Authenticate: answer in Proxy-Authorization */
    bool reg;        /* learnt on a REGISTER: used on REGISTER only */
    uint32_t nc;     /* the last nonce-count sent with ch.nonce */
} ua_cred;

static void cred_free(gpointer p)
{
    ua_cred *c = p;
    sip_digest_clear(&c->ch);
    g_free(c);
}

void sip_ua_auth_free(sip_ua *ua)
{
    if (ua->creds)
        g_ptr_array_free(ua->creds, TRUE);
    ua->creds = NULL;
}

static bool is_register(const sip_msg *m)
{
    return strcmp(m->method, "REGISTER") == 0;
}

/* The cached entry for realm (for REGISTER or not), or NULL; *at its index. */
static ua_cred *cred_find(const sip_ua *ua, const char *realm, bool reg, guint *at)
{
    for (guint i = 0; ua->creds && i < ua->creds->len; i++) {
        ua_cred *c = ua->creds->pdata[i];
        if (c->reg == reg && strcmp(c->ch.realm, realm) == 0) {
            if (at)
                *at = i;
            return c;
        }
    }
    return NULL;
}

/* §22.1: a request of its own outside a dialog (not ACK, not CANCEL) may carry credentials. */
static bool takes_credentials(const sip_msg *m)
{
    sip_str tag;
    if (!m->request || !strcmp(m->method, "ACK") || !strcmp(m->method, "CANCEL"))
        return false;
    return !(sip_msg_tag(m, SIP_HDR_TO, &tag) == 0 && tag.len);
}

void sip_ua_auth_attach(sip_ua *ua, sip_msg *m)
{
    if (!ua->password || !takes_credentials(m))
        return;
    sip_msg_remove(m, SIP_HDR_AUTHORIZATION, NULL);
    sip_msg_remove(m, SIP_HDR_PROXY_AUTHORIZATION, NULL);
    bool reg = is_register(m);
    for (guint i = 0; ua->creds && i < ua->creds->len; i++) {
        ua_cred *c = ua->creds->pdata[i];
        if (c->reg != reg || c->nc == UINT32_MAX)
            continue;
        char cnonce[SIP_TOKEN_MAX];
        sip_random_token(ua->rng, "", cnonce, sizeof cnonce);
        g_autofree char *v = sip_digest_authorization(&c->ch, ua->user, ua->password, m->method,
                                                      m->ruri, cnonce, c->nc + 1);
        if (!v)
            continue;
        if (c->nc++) /* not the first answer to this nonce: sent before being asked */
            ua->stats.auth_reused++;
        sip_msg_add(m, c->proxy ? SIP_HDR_PROXY_AUTHORIZATION : SIP_HDR_AUTHORIZATION, NULL, v);
    }
}

/* True when m carried credentials for realm. */
static bool carried(const sip_msg *m, const char *realm)
{
    static const sip_hdr_id ids[] = { SIP_HDR_AUTHORIZATION, SIP_HDR_PROXY_AUTHORIZATION };
    const sip_hdr *h;
    bool found = false;
    for (size_t k = 0; k < G_N_ELEMENTS(ids) && !found; k++)
        for (size_t i = 0; !found && (h = sip_msg_hdr(m, ids[k], i)); i++) {
            sip_digest d;
            if (sip_digest_parse(h->value, &d) == 0) {
                found = d.realm && strcmp(d.realm, realm) == 0;
                sip_digest_clear(&d);
            }
        }
    return found;
}

/* Takes one challenge d (moved into the cache) of resp to req. Returns 1 when learnt, 0 when
 * skipped (its realm already answered from this response), -EACCES when the credentials
 * req carried for the realm were refused. */
static int learn(sip_ua *ua, const sip_msg *req, sip_digest *d, bool proxy, GPtrArray *seen)
{
    for (guint i = 0; i < seen->len; i++)
        if (!strcmp(seen->pdata[i], d->realm))
            return 0; /* RFC 8760 §2.4: the topmost supported one per realm */
    g_ptr_array_add(seen, g_strdup(d->realm));
    bool reg = is_register(req);
    guint at;
    ua_cred *c = cred_find(ua, d->realm, reg, &at);
    if (carried(req, d->realm) && !d->stale) { /* §22.3: refused, and not for staleness */
        if (c)
            g_ptr_array_remove_index(ua->creds, at);
        return -EACCES;
    }
    if (!c) {
        c = g_new0(ua_cred, 1);
        if (!ua->creds)
            ua->creds = g_ptr_array_new_with_free_func(cred_free);
        g_ptr_array_add(ua->creds, c);
    }
    sip_digest_clear(&c->ch);
    c->ch = *d;
    memset(d, 0, sizeof *d);
    c->proxy = proxy;
    c->reg = reg;
    c->nc = 0;
    return 1;
}

/* Learns every challenge of resp to req. Returns how many realms, or -EACCES. */
static int learn_all(sip_ua *ua, const sip_msg *req, const sip_msg *resp)
{
    static const sip_hdr_id ids[] = { SIP_HDR_PROXY_AUTHENTICATE, SIP_HDR_WWW_AUTHENTICATE };
    g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func(g_free);
    int n = 0;
    const sip_hdr *h;
    for (size_t k = 0; k < G_N_ELEMENTS(ids); k++)
        for (size_t i = 0; (h = sip_msg_hdr(resp, ids[k], i)); i++) {
            sip_digest d;
            if (sip_digest_parse(h->value, &d) < 0) /* unsupported algorithm, malformed */
                continue;
            int rc = d.realm && d.nonce ? learn(ua, req, &d, k == 0, seen) : 0;
            sip_digest_clear(&d);
            if (rc < 0)
                return rc;
            n += rc;
        }
    return n;
}

sip_msg *sip_ua_authorize(sip_ua *ua, unsigned txn, const sip_msg *resp)
{
    const sip_msg *req = sip_txns_request_of(ua->txns, txn);
    sip_cseq cs;
    if (!req || !ua->password || learn_all(ua, req, resp) <= 0)
        return NULL;
    sip_msg *m = sip_msg_clone(req, NULL);
    if (!m || sip_msg_cseq(m, &cs) < 0 || cs.seq >= SIP_CSEQ_MAX) {
        sip_msg_free(m);
        return NULL;
    }
    /* §22.2: the same request again with the next CSeq and a new branch; the credentials
     * for every realm are put on by sip_ua_auth_attach when it is sent */
    char v[48];
    g_snprintf(v, sizeof v, "%u %s", cs.seq + 1, req->method);
    sip_msg_set(m, SIP_HDR_CSEQ, v);
    sip_msg_pop(m, SIP_HDR_VIA);
    ua->stats.auth_retries++;
    return m;
}
