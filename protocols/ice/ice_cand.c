/* protocols/ice/ice_cand.c — ICE candidates (RFC 8445 §5.1): priorities, local preference,
 * foundations, the pair priority formula, and the RFC 8839 §5.1 `candidate:` attribute:
 *
 *   candidate:<foundation> <component-id> <transport> <priority>
 *             <connection-address> <port> typ <cand-type>
 *             [raddr <connection-address>] [rport <port>] *(<ext-name> <ext-value>)
 */
#include "protocols/ice/ice_priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

unsigned ice_type_pref(ice_cand_type t)
{
    switch (t) {
    case ICE_CAND_HOST: return ICE_TYPE_PREF_HOST;
    case ICE_CAND_PRFLX: return ICE_TYPE_PREF_PRFLX;
    case ICE_CAND_SRFLX: return ICE_TYPE_PREF_SRFLX;
    case ICE_CAND_RELAY: return ICE_TYPE_PREF_RELAY;
    }
    return 0;
}

const char *ice_cand_type_name(ice_cand_type t)
{
    switch (t) {
    case ICE_CAND_HOST: return "host";
    case ICE_CAND_SRFLX: return "srflx";
    case ICE_CAND_PRFLX: return "prflx";
    case ICE_CAND_RELAY: return "relay";
    }
    return "?";
}

uint32_t ice_priority(unsigned type_pref, unsigned local_pref, unsigned component)
{
    if (type_pref > 126)
        type_pref = 126;
    if (local_pref > ICE_LOCAL_PREF_MAX)
        local_pref = ICE_LOCAL_PREF_MAX;
    if (component < 1)
        component = 1;
    if (component > 256)
        component = 256;
    return ((uint32_t)type_pref << 24) + ((uint32_t)local_pref << 8) + (256 - component);
}

unsigned ice_local_pref(unsigned if_rank, uint8_t family)
{
    if (if_rank > 255)
        if_rank = 255;
    return ICE_LOCAL_PREF_MAX - 256 * if_rank - (family == SIM_AF_INET6 ? 0 : 128);
}

uint64_t ice_pair_priority(uint32_t g, uint32_t d)
{
    uint64_t mn = g < d ? g : d, mx = g < d ? d : g;
    return (mn << 32) + 2 * mx + (g > d ? 1 : 0);
}

void ice_cand_assign_foundation(ice_agent *a, ice_cand *c)
{
    ice_found_key k = { .type = c->type, .base_ip = c->base.ip, .server_ip = c->server.ip };
    guint i;
    for (i = 0; i < a->found_keys->len; i++) {
        const ice_found_key *f = &g_array_index(a->found_keys, ice_found_key, i);
        if (f->type == k.type && sim_ip_eq(&f->base_ip, &k.base_ip) &&
            sim_ip_eq(&f->server_ip, &k.server_ip))
            break;
    }
    if (i == a->found_keys->len)
        g_array_append_val(a->found_keys, k);
    snprintf(c->foundation, sizeof c->foundation, "%u", i + 1);
}

/* ---------------------------------------------------------------- encode */

int ice_cand_encode(const ice_cand *c, char *buf, size_t cap)
{
    char addr[SIM_IP_STRLEN], raddr[SIM_IP_STRLEN];
    if (!c->foundation[0] || c->component < 1 || c->component > 256 ||
        c->addr.ip.family == SIM_AF_NONE)
        return -EINVAL;
    sim_ip_fmt(&c->addr.ip, addr, sizeof addr);
    int n = snprintf(buf, cap, "candidate:%s %u UDP %u %s %u typ %s", c->foundation,
                     c->component, c->priority, addr, c->addr.port, ice_cand_type_name(c->type));
    if (n < 0 || (size_t)n >= cap)
        return -ENOSPC;
    const sim_ep *rel = c->related.ip.family != SIM_AF_NONE ? &c->related : &c->base;
    if (c->type != ICE_CAND_HOST && rel->ip.family != SIM_AF_NONE) {
        sim_ip_fmt(&rel->ip, raddr, sizeof raddr);
        int m = snprintf(buf + n, cap - (size_t)n, " raddr %s rport %u", raddr, rel->port);
        if (m < 0 || (size_t)m >= cap - (size_t)n)
            return -ENOSPC;
    }
    return 0;
}

char *ice_cand_fmt(const ice_cand *c, char *buf, size_t cap)
{
    char e[SIM_EP_STRLEN];
    snprintf(buf, cap, "%s %s c%u p=%u", ice_cand_type_name(c->type),
             sim_ep_fmt(&c->addr, e, sizeof e), c->component, c->priority);
    return buf;
}

/* ---------------------------------------------------------------- decode */

/* The next space-separated token of the text under cursor c (one or more spaces between
 * tokens); false at the end. */
static bool next_tok(cur *c, const char **p, size_t *n)
{
    while (cur_left(c) && *cur_ptr(c) == ' ')
        cur_skip(c, 1);
    if (!cur_left(c))
        return false;
    const char *start = (const char *)cur_ptr(c);
    size_t k = 0;
    while (k < cur_left(c) && start[k] != ' ')
        k++;
    *p = (const char *)cur_bytes(c, k);
    *n = k;
    return true;
}

static bool tok_is(const char *p, size_t n, const char *word)
{
    return n == strlen(word) && g_ascii_strncasecmp(p, word, n) == 0;
}

/* An unsigned decimal of 1..10 digits no larger than max. */
static int parse_uint(const char *p, size_t n, uint64_t max, uint64_t *v)
{
    if (n < 1 || n > 10)
        return -EBADMSG;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (!g_ascii_isdigit(p[i]))
            return -EBADMSG;
        x = x * 10 + (uint64_t)(p[i] - '0');
    }
    if (x > max)
        return -EBADMSG;
    *v = x;
    return 0;
}

/* An IP literal; a name (letters, digits, '-', '.') is an FQDN / mDNS name, not supported. */
static int parse_ip(const char *p, size_t n, sim_ip *ip)
{
    char b[SIM_IP_STRLEN];
    if (n == 0 || n >= sizeof b)
        return -EBADMSG;
    memcpy(b, p, n);
    b[n] = 0;
    if (sim_ip_parse(b, ip) == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!g_ascii_isalnum(p[i]) && p[i] != '-' && p[i] != '.')
            return -EBADMSG;
    return -EPROTONOSUPPORT;
}

static bool is_ice_chars(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!g_ascii_isalnum(p[i]) && p[i] != '+' && p[i] != '/')
            return false;
    return true;
}

static int parse_type(const char *p, size_t n, ice_cand_type *t)
{
    static const ice_cand_type all[] = { ICE_CAND_HOST, ICE_CAND_SRFLX, ICE_CAND_PRFLX,
                                         ICE_CAND_RELAY };
    for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
        if (tok_is(p, n, ice_cand_type_name(all[i]))) {
            *t = all[i];
            return 0;
        }
    return -EBADMSG;
}

/* The mandatory part after "candidate:": foundation .. typ <type>. */
static int decode_head(cur *t, ice_cand *c)
{
    const char *p;
    size_t n;
    uint64_t v;
    int rc;
    if (!next_tok(t, &p, &n) || n < 1 || n >= ICE_FOUNDATION_MAX || !is_ice_chars(p, n))
        return -EBADMSG;
    memcpy(c->foundation, p, n);
    c->foundation[n] = 0;
    if (!next_tok(t, &p, &n) || parse_uint(p, n, 256, &v) || v < 1)
        return -EBADMSG;
    c->component = (unsigned)v;
    if (!next_tok(t, &p, &n))
        return -EBADMSG;
    if (!tok_is(p, n, "UDP"))
        return tok_is(p, n, "TCP") ? -EPROTONOSUPPORT : -EBADMSG;
    if (!next_tok(t, &p, &n) || parse_uint(p, n, UINT32_MAX, &v) || v < 1)
        return -EBADMSG;
    c->priority = (uint32_t)v;
    if (!next_tok(t, &p, &n))
        return -EBADMSG;
    if ((rc = parse_ip(p, n, &c->addr.ip)) != 0)
        return rc;
    if (!next_tok(t, &p, &n) || parse_uint(p, n, 65535, &v))
        return -EBADMSG;
    c->addr.port = (uint16_t)v;
    if (!next_tok(t, &p, &n) || !tok_is(p, n, "typ") || !next_tok(t, &p, &n))
        return -EBADMSG;
    return parse_type(p, n, &c->type);
}

int ice_cand_decode(const char *s, size_t len, ice_cand *out)
{
    static const char pfx[] = "candidate:";
    ice_cand c = { 0 };
    if (len >= 2 && s[0] == 'a' && s[1] == '=') {
        s += 2;
        len -= 2;
    }
    if (len < sizeof pfx - 1 || g_ascii_strncasecmp(s, pfx, sizeof pfx - 1) != 0)
        return -EBADMSG;
    for (size_t i = 0; i < len; i++)
        if (!g_ascii_isprint(s[i]))
            return -EBADMSG;
    cur t;
    cur_init(&t, s + sizeof pfx - 1, len - (sizeof pfx - 1));
    int rc = decode_head(&t, &c);
    if (rc)
        return rc;
    const char *name, *val;
    size_t nn, vn;
    while (next_tok(&t, &name, &nn)) {
        uint64_t v;
        if (!next_tok(&t, &val, &vn))
            return -EBADMSG; /* a name without its value */
        if (tok_is(name, nn, "raddr")) {
            if ((rc = parse_ip(val, vn, &c.base.ip)) != 0)
                return rc;
        } else if (tok_is(name, nn, "rport")) {
            if (parse_uint(val, vn, 65535, &v))
                return -EBADMSG;
            c.base.port = (uint16_t)v;
        }
    }
    if (c.base.ip.family == SIM_AF_NONE)
        c.base = (sim_ep){ 0 }; /* an rport without raddr relates to nothing */
    *out = c;
    return 0;
}
