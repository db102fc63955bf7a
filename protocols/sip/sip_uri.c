/* protocols/sip/sip_uri.c — SIP, SIPS (RFC 3261 §19.1, §25) and tel (RFC 3966) URIs, any other
 * scheme as an opaque absoluteURI; %HH unescaping; the §19.1.4 comparison.
 *
 *   sip:user:password@host:port;uri-parameters?headers
 *
 * No component may hold '@' except as the userinfo delimiter, so the first '@' ends userinfo
 * even though a user may contain ';' '?' ',' '/' (RFC 4475 §3.1.1.3, semiuri). */
#include "protocols/sip/sip_priv.h"

/* escaped = "%" HEXDIG HEXDIG; consumes it when valid. */
static bool escaped(cur *c)
{
    if (sip_peek(c) != '%')
        return false;
    const uint8_t *p = cur_ptr(c);
    if (cur_left(c) < 3 || !g_ascii_isxdigit(p[1]) || !g_ascii_isxdigit(p[2]))
        return false;
    cur_skip(c, 3);
    return true;
}

/* Reads 1*( unreserved / escaped / one of extra ); -EBADMSG for a bad '%' escape. */
static int run(cur *c, const char *extra, sip_str *out)
{
    size_t from = c->off;
    for (int ch; (ch = sip_peek(c)) >= 0;) {
        if (ch == '%') {
            if (!escaped(c))
                return -EBADMSG;
        } else if (sip_is_unreserved(ch) || (ch && strchr(extra, ch))) {
            cur_skip(c, 1);
        } else {
            break;
        }
    }
    *out = sip_since(c, from);
    return 0;
}

#define USER_EXTRA "&=+$,;?/"   /* user-unreserved */
#define PASS_EXTRA "&=+$,"
#define PARAM_EXTRA "[]/:&+$"   /* param-unreserved */
#define HNV_EXTRA "[]/?:+$"     /* hnv-unreserved */

/* *( ";" pname [ "=" pvalue ] ) of a URI. */
static int uri_params(cur *c, sip_params *p, const char **why)
{
    while (sip_eat(c, ';')) {
        sip_param pa = { 0 };
        if (run(c, PARAM_EXTRA, &pa.name) < 0 || pa.name.len == 0) {
            *why = "empty or badly escaped URI parameter";
            return -EBADMSG;
        }
        if (sip_eat(c, '=')) {
            pa.has_value = true;
            if (run(c, PARAM_EXTRA, &pa.value) < 0 || pa.value.len == 0) {
                *why = "bad URI parameter value";
                return -EBADMSG;
            }
        }
        if (p->n == SIP_PARAMS_MAX) {
            *why = "too many URI parameters";
            return -EBADMSG;
        }
        p->v[p->n++] = pa;
    }
    return 0;
}

/* headers = "?" header *( "&" header ), header = hname "=" hvalue */
static int uri_headers(cur *c, sip_str *out, const char **why)
{
    size_t from = c->off;
    do {
        sip_str name, value;
        if (run(c, HNV_EXTRA, &name) < 0 || name.len == 0 || !sip_eat(c, '=') ||
            run(c, HNV_EXTRA, &value) < 0) {
            *why = "bad URI header";
            return -EBADMSG;
        }
    } while (sip_eat(c, '&'));
    *out = sip_since(c, from);
    return 0;
}

static int sip_part(cur *c, sip_uri *u, const char **why)
{
    const uint8_t *at = memchr(cur_ptr(c), '@', cur_left(c));
    if (at) {
        cur ui;
        cur_init(&ui, cur_ptr(c), (size_t)(at - cur_ptr(c)));
        if (run(&ui, USER_EXTRA, &u->user) < 0 || u->user.len == 0) {
            *why = "bad user in URI";
            return -EBADMSG;
        }
        u->has_user = true;
        if (sip_eat(&ui, ':')) {
            u->has_password = true;
            if (run(&ui, PASS_EXTRA, &u->password) < 0) {
                *why = "bad password in URI";
                return -EBADMSG;
            }
        }
        if (cur_left(&ui)) {
            *why = "bad character in URI userinfo";
            return -EBADMSG;
        }
        cur_skip(c, ui.len + 1);
    }
    if (sip_hostport(c, &u->host, &u->ipv6, &u->port) < 0) {
        *why = "bad host or port in URI";
        return -EBADMSG;
    }
    if (uri_params(c, &u->params, why) < 0)
        return -EBADMSG;
    if (sip_eat(c, '?') && uri_headers(c, &u->headers, why) < 0)
        return -EBADMSG;
    return 0;
}

/* telephone-subscriber (RFC 3966 §3), checked loosely: phone digits, hex digits, '*', '#',
 * visual separators, a leading '+'; then parameters. */
static int tel_part(cur *c, sip_uri *u, const char **why)
{
    size_t from = c->off;
    sip_eat(c, '+');
    while (g_ascii_isxdigit(sip_peek(c)) || (sip_peek(c) > 0 && strchr("*#-.()", sip_peek(c))))
        cur_skip(c, 1);
    u->user = sip_since(c, from);
    u->has_user = true;
    if (u->user.len == 0 || (u->user.len == 1 && u->user.p[0] == '+')) {
        *why = "bad telephone number";
        return -EBADMSG;
    }
    return uri_params(c, &u->params, why);
}

/* Any other scheme: printable characters with no space, quote or angle bracket. */
static void other_part(cur *c)
{
    for (int ch; (ch = sip_peek(c)) > 0x20 && ch < 0x7f && !strchr("<>\"", ch);)
        cur_skip(c, 1);
}

int sip_uri_parse(const char *s, size_t len, sip_uri *u, const char **why)
{
    const char *dummy;
    why = why ? why : &dummy;
    sip_uri r = { .raw = { s, len }, .port = -1 };
    cur c;
    cur_init(&c, s, len);
    size_t from = c.off;
    if (!g_ascii_isalpha(sip_peek(&c))) {
        *why = "URI without a scheme";
        return -EBADMSG;
    }
    while (g_ascii_isalnum(sip_peek(&c)) || (sip_peek(&c) > 0 && strchr("+-.", sip_peek(&c))))
        cur_skip(&c, 1);
    sip_str scheme = sip_since(&c, from);
    if (!sip_eat(&c, ':')) {
        *why = "URI without a scheme";
        return -EBADMSG;
    }
    int rc;
    if (sip_str_eq(scheme, "sip") || sip_str_eq(scheme, "sips")) {
        r.scheme = scheme.len == 4 ? SIP_SCHEME_SIPS : SIP_SCHEME_SIP;
        rc = sip_part(&c, &r, why);
    } else if (sip_str_eq(scheme, "tel")) {
        r.scheme = SIP_SCHEME_TEL;
        rc = tel_part(&c, &r, why);
    } else {
        r.scheme = SIP_SCHEME_OTHER;
        other_part(&c);
        rc = c.off > from + scheme.len + 1 ? 0 : -EBADMSG;
        if (rc)
            *why = "empty URI";
    }
    if (rc == 0 && cur_left(&c)) {
        *why = "bad character in URI";
        rc = -EBADMSG;
    }
    if (rc == 0)
        *u = r;
    return rc;
}

int sip_unescape(sip_str in, char *out, size_t cap)
{
    size_t n = 0;
    if (cap == 0)
        return -ENOSPC;
    for (size_t i = 0; i < in.len; i++) {
        char ch = in.p[i];
        if (ch == '%') {
            if (i + 2 >= in.len)
                return -EBADMSG;
            int hi = g_ascii_xdigit_value(in.p[i + 1]), lo = g_ascii_xdigit_value(in.p[i + 2]);
            if (hi < 0 || lo < 0)
                return -EBADMSG;
            ch = (char)(hi << 4 | lo);
            i += 2;
        }
        if (n + 1 >= cap)
            return -ENOSPC;
        out[n++] = ch;
    }
    out[n] = 0;
    return (int)n;
}

/* Equal after unescaping, byte for byte (case-sensitive), or case-insensitive when nocase. */
static bool esc_equal(sip_str a, sip_str b, bool nocase)
{
    char x[512], y[512];
    int n = sip_unescape(a, x, sizeof x), m = sip_unescape(b, y, sizeof y);
    if (n < 0 || m < 0)
        return a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
    if (n != m)
        return false;
    return nocase ? g_ascii_strncasecmp(x, y, (size_t)n) == 0 : memcmp(x, y, (size_t)n) == 0;
}

bool sip_uri_equal(const sip_uri *a, const sip_uri *b)
{
    if (a->scheme != b->scheme)
        return false;
    if (a->scheme == SIP_SCHEME_OTHER)
        return a->raw.len == b->raw.len && memcmp(a->raw.p, b->raw.p, a->raw.len) == 0;
    if (a->has_user != b->has_user || !esc_equal(a->user, b->user, false) ||
        a->has_password != b->has_password || !esc_equal(a->password, b->password, false) ||
        !esc_equal(a->host, b->host, true) || a->port != b->port)
        return false;
    /* §19.1.4: these parameters must match when present in either URI. */
    static const char *const must[] = { "transport", "user", "ttl", "method", "maddr" };
    for (size_t i = 0; i < G_N_ELEMENTS(must); i++) {
        const sip_param *pa = sip_params_find(&a->params, must[i]);
        const sip_param *pb = sip_params_find(&b->params, must[i]);
        if (!pa != !pb || (pa && !esc_equal(pa->value, pb->value, true)))
            return false;
    }
    return true;
}
