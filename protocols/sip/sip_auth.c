/* protocols/sip/sip_auth.c — HTTP digest authentication as SIP uses it (RFC 3261 §22.4):
 * RFC 2617 §3.2 challenge and credentials syntax and the MD5 response, RFC 7616 / RFC 8760
 * SHA-256. Hashes come from GLib's GChecksum (SHA-512/256 is not there, so not offered).
 *
 *   HA1 = H(username ":" realm ":" password)        HA2 = H(method ":" digest-uri)
 *   response = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2)   (qop=auth)
 *   response = H(HA1 ":" nonce ":" HA2)                              (no qop, RFC 2069) */
#include "protocols/sip/sip_priv.h"

const char *sip_digest_alg_name(sip_digest_alg alg)
{
    return alg == SIP_DIGEST_SHA256 ? "SHA-256" : "MD5";
}

void sip_digest_clear(sip_digest *d)
{
    if (!d)
        return;
    char **f[] = { &d->realm, &d->nonce, &d->opaque, &d->qop, &d->username,
                   &d->uri, &d->response, &d->cnonce, &d->nc };
    for (size_t i = 0; i < G_N_ELEMENTS(f); i++)
        g_free(*f[i]);
    memset(d, 0, sizeof *d);
}

/* The value of a quoted-string without its quotes and with quoted-pairs resolved. */
static char *unquote(sip_str q)
{
    GString *s = g_string_sized_new(q.len);
    for (size_t i = 1; i + 1 < q.len; i++) {
        if (q.p[i] == '\\')
            i++;
        g_string_append_c(s, q.p[i]);
    }
    return g_string_free(s, FALSE);
}

/* The slot of a known parameter, or NULL (unknown parameters are ignored, RFC 2617 §3.2.1). */
static char **slot(sip_digest *d, sip_str name)
{
    static const struct {
        const char *name;
        size_t off;
    } known[] = {
        { "realm", offsetof(sip_digest, realm) },   { "nonce", offsetof(sip_digest, nonce) },
        { "opaque", offsetof(sip_digest, opaque) }, { "qop", offsetof(sip_digest, qop) },
        { "username", offsetof(sip_digest, username) }, { "uri", offsetof(sip_digest, uri) },
        { "response", offsetof(sip_digest, response) },
        { "cnonce", offsetof(sip_digest, cnonce) }, { "nc", offsetof(sip_digest, nc) },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(known); i++)
        if (sip_str_eq(name, known[i].name))
            return (char **)((char *)d + known[i].off);
    return NULL;
}

/* algorithm=MD5 / SHA-256 (case-insensitive); -sess variants and others are refused. */
static int algorithm(sip_digest *d, const char *v)
{
    if (!g_ascii_strcasecmp(v, "MD5"))
        d->alg = SIP_DIGEST_MD5;
    else if (!g_ascii_strcasecmp(v, "SHA-256"))
        d->alg = SIP_DIGEST_SHA256;
    else
        return -EPROTO;
    d->alg_given = true;
    return 0;
}

/* One name=value pair into d. */
static int param(sip_digest *d, cur *c)
{
    sip_skip_ws(c);
    sip_str name = sip_token(c), raw;
    sip_skip_ws(c);
    if (!name.len || !sip_eat(c, '='))
        return -EBADMSG;
    sip_skip_ws(c);
    char *v;
    if (sip_peek(c) == '"') {
        if (sip_quoted(c, &raw) < 0)
            return -EBADMSG;
        v = unquote(raw);
    } else {
        raw = sip_token(c);
        if (!raw.len)
            return -EBADMSG;
        v = sip_strdup(raw);
    }
    int rc = 0;
    char **s = slot(d, name);
    if (s && *s) {
        rc = -EBADMSG; /* a parameter given twice */
    } else if (s) {
        *s = v;
        v = NULL;
    } else if (sip_str_eq(name, "algorithm")) {
        rc = algorithm(d, v);
    } else if (sip_str_eq(name, "stale")) {
        d->stale = !g_ascii_strcasecmp(v, "true");
    }
    g_free(v);
    sip_skip_ws(c);
    return rc;
}

int sip_digest_parse(const char *value, sip_digest *d)
{
    memset(d, 0, sizeof *d);
    cur c = sip_cur(sip_trim(sip_s(value)));
    sip_str scheme = sip_token(&c);
    size_t before = c.off;
    sip_skip_ws(&c);
    if (!sip_str_eq(scheme, "Digest") || c.off == before)
        return -EBADMSG;
    int rc;
    do {
        rc = param(d, &c);
    } while (rc == 0 && sip_eat(&c, ','));
    if (rc == 0 && cur_left(&c))
        rc = -EBADMSG;
    if (rc < 0)
        sip_digest_clear(d);
    return rc;
}

/* Lowercase hex H(a ":" b ":" ...) of NULL-terminated parts into out. */
static void hash(sip_digest_alg alg, char out[SIP_DIGEST_HEX_MAX], const char *const *parts)
{
    GChecksum *ck = g_checksum_new(alg == SIP_DIGEST_SHA256 ? G_CHECKSUM_SHA256 : G_CHECKSUM_MD5);
    for (size_t i = 0; parts[i]; i++) {
        if (i)
            g_checksum_update(ck, (const guchar *)":", 1);
        g_checksum_update(ck, (const guchar *)parts[i], (gssize)strlen(parts[i]));
    }
    g_strlcpy(out, g_checksum_get_string(ck), SIP_DIGEST_HEX_MAX);
    g_checksum_free(ck);
}

int sip_digest_response(sip_digest_alg alg, const char *user, const char *realm,
                        const char *password, const char *method, const char *uri,
                        const char *nonce, const char *qop, const char *nc, const char *cnonce,
                        char out[SIP_DIGEST_HEX_MAX])
{
    if (!user || !realm || !password || !method || !uri || !nonce)
        return -EINVAL;
    if (qop && (g_ascii_strcasecmp(qop, "auth") || !nc || !cnonce))
        return -EINVAL; /* auth-int is not offered */
    char ha1[SIP_DIGEST_HEX_MAX], ha2[SIP_DIGEST_HEX_MAX];
    hash(alg, ha1, (const char *const[]){ user, realm, password, NULL });
    hash(alg, ha2, (const char *const[]){ method, uri, NULL });
    if (qop)
        hash(alg, out, (const char *const[]){ ha1, nonce, nc, cnonce, "auth", ha2, NULL });
    else
        hash(alg, out, (const char *const[]){ ha1, nonce, ha2, NULL });
    return 0;
}

int sip_digest_verify(const sip_digest *cred, const char *password, const char *method)
{
    char want[SIP_DIGEST_HEX_MAX];
    if (!cred->response || sip_digest_response(cred->alg, cred->username, cred->realm, password,
                                               method, cred->uri, cred->nonce, cred->qop,
                                               cred->nc, cred->cnonce, want) < 0)
        return -EINVAL;
    return g_ascii_strcasecmp(want, cred->response) == 0 ? 0 : -EACCES;
}

/* Appends [", "] name="value" with '"' and '\' escaped as quoted-pairs; s starts "Digest ". */
static void quoted(GString *s, const char *name, const char *v)
{
    g_string_append_printf(s, "%s%s=\"", s->str[s->len - 1] == ' ' ? "" : ", ", name);
    for (; *v; v++) {
        if (*v == '"' || *v == '\\')
            g_string_append_c(s, '\\');
        g_string_append_c(s, *v);
    }
    g_string_append_c(s, '"');
}

/* True when the challenge's qop list ("auth,auth-int") offers auth. */
static bool offers_auth(const char *qop)
{
    g_auto(GStrv) opts = g_strsplit(qop, ",", -1);
    for (char **o = opts; *o; o++)
        if (!g_ascii_strcasecmp(g_strstrip(*o), "auth"))
            return true;
    return false;
}

char *sip_digest_authorization(const sip_digest *ch, const char *user, const char *password,
                               const char *method, const char *uri, const char *cnonce,
                               uint32_t nc)
{
    bool qop = ch->qop && offers_auth(ch->qop);
    char ncs[9], resp[SIP_DIGEST_HEX_MAX];
    g_snprintf(ncs, sizeof ncs, "%08x", nc);
    if ((qop && !cnonce) ||
        sip_digest_response(ch->alg, user, ch->realm, password, method, uri, ch->nonce,
                            qop ? "auth" : NULL, ncs, cnonce, resp) < 0)
        return NULL;
    GString *s = g_string_new("Digest ");
    quoted(s, "username", user);
    quoted(s, "realm", ch->realm);
    quoted(s, "nonce", ch->nonce);
    quoted(s, "uri", uri);
    quoted(s, "response", resp);
    g_string_append_printf(s, ", algorithm=%s", sip_digest_alg_name(ch->alg));
    if (qop) {
        quoted(s, "cnonce", cnonce);
        g_string_append_printf(s, ", nc=%s, qop=auth", ncs);
    }
    if (ch->opaque)
        quoted(s, "opaque", ch->opaque);
    return g_string_free(s, FALSE);
}
