/* protocols/sip/sip_hdr.c — header names (long and compact forms, RFC 3261 §7.3.3 and the IANA
 * registry) and the grammar of each typed header value (RFC 3261 §20, §25; RFC 3581). */
#include "protocols/sip/sip_priv.h"

typedef struct hdr_def {
    const char *name;
    char compact;
    bool list;
} hdr_def;

static const hdr_def defs[SIP_HDR_COUNT] = {
    [SIP_HDR_ACCEPT] = { "Accept", 0, true },
    [SIP_HDR_ACCEPT_CONTACT] = { "Accept-Contact", 'a', true },
    [SIP_HDR_ALLOW] = { "Allow", 0, true },
    [SIP_HDR_ALLOW_EVENTS] = { "Allow-Events", 'u', true },
    [SIP_HDR_AUTHORIZATION] = { "Authorization", 0, false },
    [SIP_HDR_CALL_ID] = { "Call-ID", 'i', false },
    [SIP_HDR_CONTACT] = { "Contact", 'm', true },
    [SIP_HDR_CONTENT_ENCODING] = { "Content-Encoding", 'e', true },
    [SIP_HDR_CONTENT_LENGTH] = { "Content-Length", 'l', false },
    [SIP_HDR_CONTENT_TYPE] = { "Content-Type", 'c', false },
    [SIP_HDR_CSEQ] = { "CSeq", 0, false },
    [SIP_HDR_DATE] = { "Date", 0, false },
    [SIP_HDR_EVENT] = { "Event", 'o', false },
    [SIP_HDR_EXPIRES] = { "Expires", 0, false },
    [SIP_HDR_FROM] = { "From", 'f', false },
    [SIP_HDR_IDENTITY] = { "Identity", 'y', false },
    [SIP_HDR_IDENTITY_INFO] = { "Identity-Info", 'n', false },
    [SIP_HDR_MAX_FORWARDS] = { "Max-Forwards", 0, false },
    [SIP_HDR_MIN_EXPIRES] = { "Min-Expires", 0, false },
    [SIP_HDR_PROXY_AUTHENTICATE] = { "Proxy-Authenticate", 0, false },
    [SIP_HDR_PROXY_AUTHORIZATION] = { "Proxy-Authorization", 0, false },
    [SIP_HDR_PROXY_REQUIRE] = { "Proxy-Require", 0, true },
    [SIP_HDR_RECORD_ROUTE] = { "Record-Route", 0, true },
    [SIP_HDR_REFER_TO] = { "Refer-To", 'r', false },
    [SIP_HDR_REFERRED_BY] = { "Referred-By", 'b', false },
    [SIP_HDR_REJECT_CONTACT] = { "Reject-Contact", 'j', true },
    [SIP_HDR_REQUEST_DISPOSITION] = { "Request-Disposition", 'd', true },
    [SIP_HDR_REQUIRE] = { "Require", 0, true },
    [SIP_HDR_RETRY_AFTER] = { "Retry-After", 0, false },
    [SIP_HDR_ROUTE] = { "Route", 0, true },
    [SIP_HDR_SERVER] = { "Server", 0, false },
    [SIP_HDR_SESSION_EXPIRES] = { "Session-Expires", 'x', false },
    [SIP_HDR_SUBJECT] = { "Subject", 's', false },
    [SIP_HDR_SUPPORTED] = { "Supported", 'k', true },
    [SIP_HDR_TO] = { "To", 't', false },
    [SIP_HDR_UNSUPPORTED] = { "Unsupported", 0, true },
    [SIP_HDR_USER_AGENT] = { "User-Agent", 0, false },
    [SIP_HDR_VIA] = { "Via", 'v', true },
    [SIP_HDR_WWW_AUTHENTICATE] = { "WWW-Authenticate", 0, false },
};

const char *sip_hdr_name(sip_hdr_id id)
{
    return id > SIP_HDR_OTHER && id < SIP_HDR_COUNT ? defs[id].name : NULL;
}

bool sip_hdr_is_list(sip_hdr_id id)
{
    return id > SIP_HDR_OTHER && id < SIP_HDR_COUNT && defs[id].list;
}

sip_hdr_id sip_hdr_lookup(const char *name, size_t len)
{
    for (int id = 1; id < SIP_HDR_COUNT; id++) {
        const hdr_def *d = &defs[id];
        if (len == 1 ? g_ascii_tolower(name[0]) == d->compact
                     : strlen(d->name) == len && g_ascii_strncasecmp(d->name, name, len) == 0)
            return (sip_hdr_id)id;
    }
    return SIP_HDR_OTHER;
}

/* Fails with a reason. */
static int bad(const char **why, const char *reason)
{
    *why = reason;
    return -EBADMSG;
}

/* True when c, after optional whitespace, is at its end. */
static bool at_end(cur *c)
{
    sip_skip_ws(c);
    return cur_left(c) == 0;
}

/* SWS sep SWS */
static bool sep(cur *c, int ch)
{
    size_t back = c->off;
    sip_skip_ws(c);
    if (!sip_eat(c, ch)) {
        c->off = back;
        return false;
    }
    sip_skip_ws(c);
    return true;
}

static bool uint_param(const sip_param *p, uint64_t max, int *out)
{
    cur c = sip_cur(p->value);
    uint64_t v;
    if (!p->has_value || !sip_digits(&c, &v, NULL) || cur_left(&c) || v > max)
        return false;
    *out = (int)v;
    return true;
}

/* The RFC 3261 / RFC 3581 rules for the Via parameters proxies use. */
static int via_params(sip_via *v, const char **why)
{
    const sip_param *p;
    if ((p = sip_params_find(&v->params, "branch"))) {
        if (!p->has_value || p->value.p[0] == '"')
            return bad(why, "bad Via branch");
        v->branch = p->value;
        v->rfc3261 = p->value.len > 7 && memcmp(p->value.p, SIP_BRANCH_COOKIE, 7) == 0;
    }
    if ((p = sip_params_find(&v->params, "received"))) {
        sip_str h;
        bool v6;
        int port;
        char tmp[64];
        if (!p->has_value || p->value.len + 3 > sizeof tmp)
            return bad(why, "bad Via received");
        /* IPv4address / IPv6address (no brackets): check it as a host reference */
        bool colon = memchr(p->value.p, ':', p->value.len) != NULL;
        g_snprintf(tmp, sizeof tmp, colon ? "[%.*s]" : "%.*s", (int)p->value.len, p->value.p);
        cur c = sip_cur(sip_s(tmp));
        if (sip_hostport(&c, &h, &v6, &port) < 0 || port >= 0 || cur_left(&c) ||
            (!v6 && g_ascii_isalpha(h.p[h.len - 1])))
            return bad(why, "bad Via received");
        v->received = p->value;
    }
    if ((p = sip_params_find(&v->params, "rport"))) {
        v->rport = true; /* RFC 3581: empty in requests, the source port in responses */
        if (p->has_value && !uint_param(p, 65535, &v->rport_value))
            return bad(why, "bad Via rport");
    }
    if ((p = sip_params_find(&v->params, "ttl")) && !uint_param(p, 255, &v->ttl))
        return bad(why, "bad Via ttl");
    if ((p = sip_params_find(&v->params, "maddr"))) {
        if (!p->has_value)
            return bad(why, "bad Via maddr");
        v->maddr = p->value;
    }
    return 0;
}

int sip_via_parse(sip_str s, sip_via *out, const char **why)
{
    const char *dummy;
    why = why ? why : &dummy;
    sip_via v = { .port = -1, .rport_value = -1, .ttl = -1 };
    cur c = sip_cur(sip_trim(s));
    sip_str name = sip_token(&c);
    if (!sip_str_eq(name, "SIP") || !sep(&c, '/') || !(v.version = sip_token(&c)).len ||
        !sep(&c, '/') || !(v.transport = sip_token(&c)).len)
        return bad(why, "bad Via sent-protocol");
    size_t before = c.off;
    sip_skip_ws(&c);
    if (c.off == before || sip_hostport(&c, &v.host, &v.ipv6, &v.port) < 0)
        return bad(why, "bad Via sent-by");
    if (sip_hparams(&c, &v.params, why) < 0)
        return -EBADMSG;
    if (!at_end(&c))
        return bad(why, "bad Via parameters");
    if (via_params(&v, why) < 0)
        return -EBADMSG;
    *out = v;
    return 0;
}

/* display-name = *(token LWS) / quoted-string, then "<". False (c restored) when the value
 * is an addr-spec instead. */
static int display_name(cur *c, sip_str *dn, const char **why)
{
    size_t from = c->off;
    if (sip_peek(c) == '"') {
        if (sip_quoted(c, dn) < 0)
            return bad(why, "unterminated quoted display name");
        sip_skip_ws(c);
        return sip_peek(c) == '<' ? 0 : bad(why, "display name without <URI>");
    }
    size_t end = from;
    for (;;) {
        sip_skip_ws(c);
        if (sip_peek(c) == '<') {
            *dn = (sip_str){ (const char *)c->p + from, end - from };
            return 0;
        }
        if (sip_token(c).len == 0)
            break;
        end = c->off;
    }
    c->off = from; /* not a name-addr: an addr-spec */
    dn->len = 0;
    return 1;
}

/* Validates the header parameters proxies and registrars read. */
static int nameaddr_params(const sip_params *p, const char **why)
{
    const sip_param *q;
    if ((q = sip_params_find(p, "tag")) && (!q->has_value || q->value.p[0] == '"'))
        return bad(why, "bad tag parameter");
    if ((q = sip_params_find(p, "expires"))) {
        cur c = sip_cur(q->value);
        uint64_t v;
        if (!q->has_value || !sip_digits(&c, &v, NULL) || cur_left(&c))
            return bad(why, "bad expires parameter");
    }
    if ((q = sip_params_find(p, "q"))) {
        /* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) */
        const char *s = q->value.p;
        size_t n = q->has_value ? q->value.len : 0;
        bool ok = n >= 1 && n <= 5 && (s[0] == '0' || s[0] == '1') && (n == 1 || s[1] == '.');
        for (size_t i = 2; ok && i < n; i++)
            ok = g_ascii_isdigit(s[i]) && (s[0] == '0' || s[i] == '0');
        if (!ok)
            return bad(why, "bad q parameter");
    }
    return 0;
}

int sip_nameaddr_parse(sip_str s, bool star, bool need_angle, sip_nameaddr *out,
                       const char **why)
{
    const char *dummy;
    why = why ? why : &dummy;
    sip_nameaddr na = { 0 };
    s = sip_trim(s);
    if (star && s.len == 1 && s.p[0] == '*') {
        na.star = true;
        *out = na;
        return 0;
    }
    cur c = sip_cur(s);
    int rc = display_name(&c, &na.display, why);
    if (rc < 0)
        return rc;
    sip_str u;
    if (rc == 0) {
        cur_skip(&c, 1); /* '<' */
        const uint8_t *gt = memchr(cur_ptr(&c), '>', cur_left(&c));
        if (!gt)
            return bad(why, "missing > after URI");
        u = (sip_str){ (const char *)cur_ptr(&c), (size_t)(gt - cur_ptr(&c)) };
        cur_skip(&c, u.len + 1);
        na.angle = true;
    } else {
        if (memchr(cur_ptr(&c), '<', cur_left(&c)))
            return bad(why, "display name must be tokens or a quoted string");
        if (need_angle)
            return bad(why, "URI must be in <>");
        size_t from = c.off;
        while (sip_peek(&c) > ' ' && sip_peek(&c) != ';')
            cur_skip(&c, 1);
        u = sip_since(&c, from);
        /* RFC 3261 §20.10: a URI with a comma, question mark or semicolon needs <> */
        if (memchr(u.p, '?', u.len) || memchr(u.p, ',', u.len))
            return bad(why, "URI with ? or , outside <>");
    }
    if (sip_uri_parse(u.p, u.len, &na.uri, why) < 0)
        return -EBADMSG;
    if (sip_hparams(&c, &na.params, why) < 0 || nameaddr_params(&na.params, why) < 0)
        return -EBADMSG;
    if (!at_end(&c))
        return bad(why, "junk after address");
    *out = na;
    return 0;
}

int sip_cseq_parse(sip_str s, sip_cseq *out, const char **why)
{
    const char *dummy;
    why = why ? why : &dummy;
    cur c = sip_cur(sip_trim(s));
    uint64_t v;
    if (!sip_digits(&c, &v, NULL))
        return bad(why, "bad CSeq number");
    if (v > SIP_CSEQ_MAX)
        return bad(why, "CSeq number too large");
    size_t before = c.off;
    sip_skip_ws(&c);
    bool lws = c.off > before;
    sip_str m = sip_token(&c);
    if (!lws || m.len == 0 || !at_end(&c))
        return bad(why, "bad CSeq method");
    *out = (sip_cseq){ (uint32_t)v, m };
    return 0;
}

/* 1*DIGIT, at most max (0: unbounded, clamped by the getter). */
static int number(sip_str s, uint64_t max, const char **why, const char *reason)
{
    cur c = sip_cur(sip_trim(s));
    uint64_t v;
    if (!sip_digits(&c, &v, NULL) || cur_left(&c) || (max && v > max))
        return bad(why, reason);
    return 0;
}

/* callid = word [ "@" word ] */
static int call_id(sip_str s, const char **why)
{
    cur c = sip_cur(s);
    for (int part = 0; part < 2; part++) {
        size_t from = c.off;
        while (sip_is_word(sip_peek(&c)))
            cur_skip(&c, 1);
        if (c.off == from || (part == 0 && !sip_eat(&c, '@') && cur_left(&c)))
            return bad(why, "bad Call-ID");
        if (!cur_left(&c))
            return 0;
    }
    return bad(why, "bad Call-ID");
}

/* rfc1123-date = wkday "," SP date1 SP time SP "GMT" (RFC 3261 §20.17) */
static int date(sip_str s, const char **why)
{
    static const char *const wk[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
    static const char *const mo[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    /* "Sat, 13 Nov 2010 23:29:00 GMT" is exactly 29 characters */
    const char *p = s.p;
    bool ok = s.len == 29 && p[3] == ',' && p[4] == ' ' && p[7] == ' ' && p[11] == ' ' &&
              p[16] == ' ' && p[19] == ':' && p[22] == ':' && p[25] == ' ' &&
              memcmp(p + 26, "GMT", 3) == 0;
    static const int digits[] = { 5, 6, 12, 13, 14, 15, 17, 18, 20, 21, 23, 24 };
    for (size_t i = 0; ok && i < G_N_ELEMENTS(digits); i++)
        ok = g_ascii_isdigit(p[digits[i]]);
    bool w = false, m = false;
    for (size_t i = 0; ok && i < 12; i++) {
        w = w || (i < 7 && memcmp(p, wk[i], 3) == 0);
        m = m || memcmp(p + 8, mo[i], 3) == 0;
    }
    return ok && w && m ? 0 : bad(why, "bad Date (RFC 1123 date in GMT)");
}

/* Content-Type: m-type "/" m-subtype *( SEMI m-parameter ) */
static int media_type(sip_str s, const char **why)
{
    cur c = sip_cur(sip_trim(s));
    sip_params p = { 0 };
    if (!sip_token(&c).len || !sep(&c, '/') || !sip_token(&c).len ||
        sip_hparams(&c, &p, why) < 0 || !at_end(&c))
        return bad(why, "bad Content-Type");
    return 0;
}

/* Server / User-Agent: 1*( product / comment ) separated by LWS; product = token [/ token] */
static int products(sip_str s, const char **why)
{
    cur c = sip_cur(sip_trim(s));
    do {
        sip_str cm;
        if (sip_peek(&c) == '(') {
            if (sip_comment(&c, &cm) < 0)
                return bad(why, "bad comment");
        } else if (!sip_token(&c).len || (sep(&c, '/') && !sip_token(&c).len)) {
            return bad(why, "bad product token");
        }
        sip_skip_ws(&c);
    } while (cur_left(&c));
    return 0;
}

/* Retry-After: delta-seconds [ comment ] *( SEMI retry-param ) */
static int retry_after(sip_str s, const char **why)
{
    cur c = sip_cur(sip_trim(s));
    uint64_t v;
    sip_str cm;
    sip_params p = { 0 };
    if (!sip_digits(&c, &v, NULL))
        return bad(why, "bad Retry-After");
    sip_skip_ws(&c);
    if (sip_peek(&c) == '(' && sip_comment(&c, &cm) < 0)
        return bad(why, "bad comment");
    if (sip_hparams(&c, &p, why) < 0 || !at_end(&c))
        return bad(why, "bad Retry-After");
    return 0;
}

/* challenge / credentials = auth-scheme LWS auth-param *( COMMA auth-param ) */
static int auth(sip_str s, const char **why)
{
    cur c = sip_cur(sip_trim(s));
    size_t before;
    if (!sip_token(&c).len || (before = c.off, sip_skip_ws(&c), c.off == before))
        return bad(why, "bad authentication scheme");
    do {
        sip_skip_ws(&c);
        sip_str v;
        if (!sip_token(&c).len || !sep(&c, '='))
            return bad(why, "bad authentication parameter");
        if (sip_peek(&c) == '"' ? sip_quoted(&c, &v) < 0 : !sip_token(&c).len)
            return bad(why, "bad authentication parameter");
        sip_skip_ws(&c);
    } while (sip_eat(&c, ','));
    return cur_left(&c) ? bad(why, "bad authentication parameter") : 0;
}

/* TEXT-UTF8 and LWS: no control characters but HTAB, except escaped by a quoted-pair inside a
 * quoted string (RFC 3261 §25.1; RFC 4475 §3.1.1.2 has BEL, NUL and DEL there). */
static int text(sip_str s, const char **why)
{
    bool quote = false;
    for (size_t i = 0; i < s.len; i++) {
        uint8_t ch = (uint8_t)s.p[i];
        if (quote && ch == '\\' && i + 1 < s.len && (uint8_t)s.p[i + 1] < 0x80 &&
            s.p[i + 1] != '\r' && s.p[i + 1] != '\n') {
            i++;
            continue;
        }
        if (ch == '"')
            quote = !quote;
        else if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
            return bad(why, "control character in header value");
    }
    return 0;
}

/* One element of a list header. */
static int check_item(sip_hdr_id id, sip_str v, const char **why)
{
    sip_via via;
    sip_nameaddr na;
    switch (id) {
    case SIP_HDR_VIA:
        return sip_via_parse(v, &via, why);
    case SIP_HDR_CONTACT:
        return sip_nameaddr_parse(v, true, false, &na, why);
    case SIP_HDR_ROUTE:
    case SIP_HDR_RECORD_ROUTE:
        return sip_nameaddr_parse(v, false, true, &na, why);
    default:
        return text(v, why);
    }
}

int sip_hdr_check(sip_hdr_id id, sip_str v, const char **why)
{
    const char *dummy;
    why = why ? why : &dummy;
    sip_nameaddr na;
    sip_cseq cs;
    if (text(v, why) < 0)
        return -EBADMSG;
    switch (id) {
    case SIP_HDR_VIA:
    case SIP_HDR_CONTACT:
    case SIP_HDR_ROUTE:
    case SIP_HDR_RECORD_ROUTE: {
        cur c = sip_cur(v);
        size_t n = 0;
        bool star = false;
        do {
            sip_str item = sip_list_item(&c);
            if (item.len == 0)
                return bad(why, "empty list element");
            if (check_item(id, item, why) < 0)
                return -EBADMSG;
            star = star || (item.len == 1 && item.p[0] == '*');
            n++;
        } while (sip_eat(&c, ','));
        return star && n > 1 ? bad(why, "Contact * with other values") : 0;
    }
    case SIP_HDR_FROM:
    case SIP_HDR_TO:
    case SIP_HDR_REFER_TO:
    case SIP_HDR_REFERRED_BY:
        return sip_nameaddr_parse(v, false, false, &na, why);
    case SIP_HDR_CSEQ:
        return sip_cseq_parse(v, &cs, why);
    case SIP_HDR_CALL_ID:
        return call_id(v, why);
    case SIP_HDR_MAX_FORWARDS:
        return number(v, 255, why, "bad Max-Forwards (0-255)");
    case SIP_HDR_CONTENT_LENGTH:
        return number(v, 0, why, "bad Content-Length");
    case SIP_HDR_EXPIRES:
    case SIP_HDR_MIN_EXPIRES:
        return number(v, 0, why, "bad Expires");
    case SIP_HDR_DATE:
        return date(v, why);
    case SIP_HDR_CONTENT_TYPE:
        return media_type(v, why);
    case SIP_HDR_SERVER:
    case SIP_HDR_USER_AGENT:
        return products(v, why);
    case SIP_HDR_RETRY_AFTER:
        return retry_after(v, why);
    case SIP_HDR_AUTHORIZATION:
    case SIP_HDR_PROXY_AUTHORIZATION:
    case SIP_HDR_WWW_AUTHENTICATE:
    case SIP_HDR_PROXY_AUTHENTICATE:
        return auth(v, why);
    default:
        return 0;
    }
}
