/* protocols/sip/sip_scan.c — the lexical layer of RFC 3261 §25.1: character classes, tokens,
 * quoted strings, comments, host[:port], header parameters and comma lists, all read through
 * the project's cursor. */
#include "protocols/sip/sip_priv.h"

#include "sim/addr.h"

bool sip_is_token(int ch)
{
    return ch >= 0 && ch < 0x80 && (g_ascii_isalnum(ch) || (ch && strchr("-.!%*_+`'~", ch)));
}

bool sip_is_unreserved(int ch)
{
    return ch >= 0 && ch < 0x80 && (g_ascii_isalnum(ch) || (ch && strchr("-_.!~*'()", ch)));
}

bool sip_is_word(int ch)
{
    return ch >= 0 && ch < 0x80 &&
           (g_ascii_isalnum(ch) || (ch && strchr("-.!%*_+`'~()<>:\\\"/[]?{}", ch)));
}

void sip_skip_ws(cur *c)
{
    while (sip_peek(c) == ' ' || sip_peek(c) == '\t')
        cur_skip(c, 1);
}

sip_str sip_token(cur *c)
{
    size_t from = c->off;
    while (sip_is_token(sip_peek(c)))
        cur_skip(c, 1);
    return sip_since(c, from);
}

sip_str sip_trim(sip_str s)
{
    while (s.len && (s.p[0] == ' ' || s.p[0] == '\t')) {
        s.p++;
        s.len--;
    }
    while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t'))
        s.len--;
    return s;
}

/* quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F) */
static bool quoted_pair(cur *c)
{
    int ch = sip_peek(c);
    if (ch < 0 || ch > 0x7f || ch == '\r' || ch == '\n')
        return false;
    cur_skip(c, 1);
    return true;
}

int sip_quoted(cur *c, sip_str *out)
{
    size_t from = c->off;
    if (!sip_eat(c, '"'))
        return -EBADMSG;
    for (;;) {
        int ch = sip_peek(c);
        if (ch < 0)
            return -EBADMSG; /* unterminated */
        cur_skip(c, 1);
        if (ch == '"')
            break;
        if (ch == '\\') {
            if (!quoted_pair(c))
                return -EBADMSG;
        } else if (ch < 0x20 && ch != '\t') {
            return -EBADMSG; /* qdtext excludes CTLs */
        } else if (ch == 0x7f) {
            return -EBADMSG;
        }
    }
    *out = sip_since(c, from);
    return 0;
}

int sip_comment(cur *c, sip_str *out)
{
    size_t from = c->off;
    int depth = 0;
    do {
        int ch = sip_peek(c);
        if (ch < 0)
            return -EBADMSG;
        cur_skip(c, 1);
        if (ch == '(') {
            if (++depth > 16)
                return -EBADMSG;
        } else if (ch == ')') {
            depth--;
        } else if (depth == 0) {
            return -EBADMSG; /* must start with '(' */
        } else if (ch == '\\') {
            if (!quoted_pair(c))
                return -EBADMSG;
        } else if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
            return -EBADMSG;
        }
    } while (depth > 0);
    *out = sip_since(c, from);
    return 0;
}

/* hostname = *( domainlabel "." ) toplabel [ "." ]; labels alphanum with inner '-'. */
static bool hostname_ok(sip_str h)
{
    if (h.len == 0 || h.len > 255)
        return false;
    size_t label = 0;
    for (size_t i = 0; i < h.len; i++) {
        char ch = h.p[i];
        if (ch == '.') {
            if (label == 0 || h.p[i - 1] == '-')
                return false;
            label = 0;
        } else if (g_ascii_isalnum(ch) || (ch == '-' && label > 0)) {
            label++;
        } else {
            return false;
        }
    }
    return label == 0 || h.p[h.len - 1] != '-';
}

static bool all_digits_dots(sip_str h)
{
    for (size_t i = 0; i < h.len; i++)
        if (!g_ascii_isdigit(h.p[i]) && h.p[i] != '.')
            return false;
    return true;
}

/* A host literal (IPv4 dotted quad, IPv6 reference contents) checked by the engine's parser. */
static bool ip_ok(sip_str h, bool v6)
{
    char buf[64];
    sim_ip ip;
    if (h.len == 0 || h.len >= sizeof buf)
        return false;
    memcpy(buf, h.p, h.len);
    buf[h.len] = 0;
    return sim_ip_parse(buf, &ip) == 0 && (v6 ? strchr(buf, ':') != NULL : true);
}

int sip_hostport(cur *c, sip_str *host, bool *ipv6, int *port)
{
    *ipv6 = false;
    *port = -1;
    if (sip_eat(c, '[')) {
        size_t from = c->off;
        while (g_ascii_isxdigit(sip_peek(c)) || sip_peek(c) == ':' || sip_peek(c) == '.')
            cur_skip(c, 1);
        *host = sip_since(c, from);
        if (!sip_eat(c, ']') || !ip_ok(*host, true))
            return -EBADMSG;
        *ipv6 = true;
    } else {
        size_t from = c->off;
        while (g_ascii_isalnum(sip_peek(c)) || sip_peek(c) == '-' || sip_peek(c) == '.')
            cur_skip(c, 1);
        *host = sip_since(c, from);
        if (all_digits_dots(*host) ? !ip_ok(*host, false) : !hostname_ok(*host))
            return -EBADMSG;
    }
    if (sip_eat(c, ':')) {
        uint64_t v;
        size_t nd;
        if (!sip_digits(c, &v, &nd) || v > 65535)
            return -EBADMSG;
        *port = (int)v;
    }
    return 0;
}

bool sip_digits(cur *c, uint64_t *out, size_t *ndigits)
{
    uint64_t v = 0;
    size_t n = 0;
    while (g_ascii_isdigit(sip_peek(c))) {
        int d = sip_peek(c) - '0';
        v = v > UINT64_MAX / 20 ? UINT64_MAX / 10 : v * 10 + (uint64_t)d;
        cur_skip(c, 1);
        n++;
    }
    *out = v;
    if (ndigits)
        *ndigits = n;
    return n > 0;
}

/* gen-value = token / host / quoted-string */
static int gen_value(cur *c, sip_str *v)
{
    size_t from = c->off;
    if (sip_peek(c) == '"')
        return sip_quoted(c, v);
    if (sip_eat(c, '[')) {
        while (g_ascii_isxdigit(sip_peek(c)) || sip_peek(c) == ':' || sip_peek(c) == '.')
            cur_skip(c, 1);
        if (!sip_eat(c, ']'))
            return -EBADMSG;
        *v = sip_since(c, from);
        return 0;
    }
    *v = sip_token(c);
    if (v->len && sip_peek(c) == ':') { /* via-received = IPv6address, no brackets (§25.1) */
        while (g_ascii_isxdigit(sip_peek(c)) || sip_peek(c) == ':' || sip_peek(c) == '.')
            cur_skip(c, 1);
        *v = sip_since(c, from);
    }
    return v->len ? 0 : -EBADMSG;
}

int sip_hparams(cur *c, sip_params *p, const char **why)
{
    for (;;) {
        size_t back = c->off;
        sip_skip_ws(c);
        if (!sip_eat(c, ';')) {
            c->off = back;
            return 0;
        }
        sip_skip_ws(c);
        sip_param pa = { .name = sip_token(c) };
        if (pa.name.len == 0) {
            *why = "empty parameter";
            return -EBADMSG;
        }
        size_t after = c->off;
        sip_skip_ws(c);
        if (sip_eat(c, '=')) {
            sip_skip_ws(c);
            if (gen_value(c, &pa.value) < 0) {
                *why = "bad parameter value";
                return -EBADMSG;
            }
            pa.has_value = true;
        } else {
            c->off = after;
        }
        if (p->n == SIP_PARAMS_MAX) {
            *why = "too many parameters";
            return -EBADMSG;
        }
        p->v[p->n++] = pa;
    }
}

sip_str sip_list_item(cur *c)
{
    size_t from = c->off;
    int angle = 0, paren = 0;
    bool quote = false;
    for (int ch; (ch = sip_peek(c)) >= 0; cur_skip(c, 1)) {
        if (quote) {
            if (ch == '\\' && cur_left(c) > 1)
                cur_skip(c, 1);
            else if (ch == '"')
                quote = false;
        } else if (ch == '"') {
            quote = true;
        } else if (ch == '<') {
            angle++;
        } else if (ch == '>' && angle) {
            angle--;
        } else if (ch == '(') {
            paren++;
        } else if (ch == ')' && paren) {
            paren--;
        } else if (ch == ',' && !angle && !paren) {
            break;
        }
    }
    return sip_trim(sip_since(c, from));
}

const sip_param *sip_params_find(const sip_params *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (sip_str_eq(p->v[i].name, name))
            return &p->v[i];
    return NULL;
}
