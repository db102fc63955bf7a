/* protocols/sdp/sdp_attr.c — typed views of SDP attributes: rtpmap, fmtp, ptime, maxptime
 * (RFC 8866 §6), direction (§6.7), rtcp (RFC 3605), mid (RFC 5888), and the ICE attributes of
 * RFC 8839 (candidate lines parsed field by field). The codec keeps every attribute as text;
 * these functions read (and check) only what a caller asks for. */
#include "protocols/sdp/sdp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const sdp_attr *sdp_attr_find(const GArray *attrs, const char *name)
{
    for (guint i = 0; attrs && i < attrs->len; i++) {
        const sdp_attr *a = &g_array_index(attrs, sdp_attr, i);
        if (!strcmp(a->name, name))
            return a;
    }
    return NULL;
}

bool sdp_attr_has(const GArray *attrs, const char *name)
{
    return sdp_attr_find(attrs, name) != NULL;
}

/* Unsigned decimal with no sign, no spaces, at most max. */
static bool num(const char *t, size_t n, uint64_t max, uint64_t *v)
{
    if (n == 0 || n > 19)
        return false;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (!g_ascii_isdigit(t[i]))
            return false;
        x = x * 10 + (uint64_t)(t[i] - '0');
    }
    if (x > max)
        return false;
    *v = x;
    return true;
}

static bool numz(const char *t, uint64_t max, uint64_t *v) { return num(t, strlen(t), max, v); }

/* ---------------------------------------------------------------- direction */

static const char *const DIR_NAMES[] = { "sendrecv", "sendonly", "recvonly", "inactive" };

const char *sdp_dir_name(sdp_dir d) { return (unsigned)d < 4 ? DIR_NAMES[d] : "?"; }

int sdp_dir_get(const GArray *attrs, sdp_dir *d)
{
    int found = 0;
    for (guint i = 0; i < attrs->len; i++) {
        const sdp_attr *a = &g_array_index(attrs, sdp_attr, i);
        for (unsigned k = 0; k < 4; k++) {
            if (strcmp(a->name, DIR_NAMES[k]))
                continue;
            if (found++)
                return -EBADMSG;
            *d = (sdp_dir)k;
        }
    }
    return found ? 0 : -ENOENT;
}

sdp_dir sdp_media_dir(const sdp_session *s, const sdp_media *m)
{
    sdp_dir d;
    if (m && sdp_dir_get(m->attrs, &d) == 0)
        return d;
    if (sdp_dir_get(s->attrs, &d) == 0)
        return d;
    return SDP_SENDRECV;
}

sdp_dir sdp_dir_reverse(sdp_dir d)
{
    return d == SDP_SENDONLY ? SDP_RECVONLY : d == SDP_RECVONLY ? SDP_SENDONLY : d;
}

/* ---------------------------------------------------------------- rtpmap, fmtp, ptime */

int sdp_rtpmap_parse(const char *value, sdp_rtpmap *out)
{
    const char *sp = strchr(value, ' ');
    uint64_t pt, clock, ch = 0;
    if (!sp || !num(value, (size_t)(sp - value), 127, &pt))
        return -EBADMSG;
    g_auto(GStrv) f = g_strsplit(sp + 1, "/", -1);
    unsigned n = g_strv_length(f);
    if (n < 2 || n > 3 || !*f[0] || strlen(f[0]) >= sizeof out->encoding ||
        strpbrk(f[0], " \t") || !numz(f[1], UINT32_MAX, &clock) || clock == 0 ||
        (n == 3 && (!numz(f[2], 255, &ch) || ch == 0)))
        return -EBADMSG;
    *out = (sdp_rtpmap){ .pt = (uint8_t)pt, .clock = (uint32_t)clock, .channels = (unsigned)ch };
    g_strlcpy(out->encoding, f[0], sizeof out->encoding);
    return 0;
}

/* The value after "<pt> " of the first attribute `name` whose value starts with pt. */
static const char *find_pt(const sdp_media *m, const char *name, unsigned pt)
{
    char pfx[8];
    int n = snprintf(pfx, sizeof pfx, "%u ", pt);
    for (guint i = 0; i < m->attrs->len; i++) {
        const sdp_attr *a = &g_array_index(m->attrs, sdp_attr, i);
        if (!strcmp(a->name, name) && a->value && !strncmp(a->value, pfx, (size_t)n))
            return a->value;
    }
    return NULL;
}

int sdp_media_rtpmap(const sdp_media *m, unsigned pt, sdp_rtpmap *out)
{
    const char *v = find_pt(m, "rtpmap", pt);
    if (!v)
        return -ENOENT;
    return sdp_rtpmap_parse(v, out);
}

const char *sdp_media_fmtp(const sdp_media *m, unsigned pt)
{
    const char *v = find_pt(m, "fmtp", pt);
    return v ? strchr(v, ' ') + 1 : NULL;
}

static int ms_attr(const sdp_session *s, const sdp_media *m, const char *name, unsigned *ms)
{
    const sdp_attr *a = sdp_attr_find(m->attrs, name);
    if (!a)
        a = sdp_attr_find(s->attrs, name);
    if (!a)
        return -ENOENT;
    /* RFC 8866 §6.4 allows a decimal ptime ("20.0"): the fraction is dropped. */
    uint64_t v;
    const char *dot = a->value ? strchr(a->value, '.') : NULL;
    size_t n = a->value ? (dot ? (size_t)(dot - a->value) : strlen(a->value)) : 0;
    if (!a->value || !num(a->value, n, 100000, &v) || v == 0 ||
        (dot && (!dot[1] || strspn(dot + 1, "0123456789") != strlen(dot + 1))))
        return -EBADMSG;
    *ms = (unsigned)v;
    return 0;
}

int sdp_media_ptime(const sdp_session *s, const sdp_media *m, unsigned *ms)
{
    return ms_attr(s, m, "ptime", ms);
}

int sdp_media_maxptime(const sdp_session *s, const sdp_media *m, unsigned *ms)
{
    return ms_attr(s, m, "maxptime", ms);
}

/* ---------------------------------------------------------------- rtcp, mid, c= */

int sdp_media_rtcp(const sdp_media *m, uint16_t *port, sdp_addr *addr)
{
    const sdp_attr *a = sdp_attr_find(m->attrs, "rtcp");
    if (!a)
        return -ENOENT;
    if (!a->value)
        return -EBADMSG;
    g_auto(GStrv) f = g_strsplit(a->value, " ", -1);
    unsigned n = g_strv_length(f);
    uint64_t p;
    if ((n != 1 && n != 4) || !numz(f[0], 65535, &p))
        return -EBADMSG;
    sdp_addr t = { 0 };
    if (n == 4) {
        uint8_t fam = !strcmp(f[2], "IP4") ? SIM_AF_INET : !strcmp(f[2], "IP6") ? SIM_AF_INET6 : 0;
        if (strcmp(f[1], "IN") || !fam || sdp_addr_set(&t, fam, f[3]))
            return -EBADMSG;
    }
    *port = (uint16_t)p;
    if (addr)
        *addr = t;
    else
        g_free(t.host);
    return 0;
}

const char *sdp_media_mid(const sdp_media *m)
{
    const sdp_attr *a = sdp_attr_find(m->attrs, "mid");
    return a ? a->value : NULL;
}

const sdp_conn *sdp_media_conn(const sdp_session *s, const sdp_media *m)
{
    if (m->conns->len)
        return &g_array_index(m->conns, sdp_conn, 0);
    return s->has_conn ? &s->conn : NULL;
}

/* ---------------------------------------------------------------- ICE (RFC 8839) */

static const char *const CAND_TYPES[] = { "host", "srflx", "prflx", "relay" };

const char *sdp_cand_type_name(sdp_cand_type t) { return (unsigned)t < 4 ? CAND_TYPES[t] : "?"; }

/* ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 §5.1). */
static bool ice_chars(const char *t, size_t min, size_t max)
{
    size_t n = strlen(t);
    if (n < min || n > max)
        return false;
    for (const char *p = t; *p; p++)
        if (!g_ascii_isalnum(*p) && *p != '+' && *p != '/')
            return false;
    return true;
}

/* connection-address: an IP literal or an FQDN, copied into dst[SDP_TOKEN_MAX]. */
static bool cand_addr(const char *t, char *dst, sim_ip *ip)
{
    sdp_addr a = { 0 };
    if (strlen(t) >= SDP_TOKEN_MAX)
        return false;
    sim_ip tmp;
    uint8_t fam = sim_ip_parse(t, &tmp) == 0 ? tmp.family : SIM_AF_INET;
    if (sdp_addr_set(&a, fam, t))
        return false;
    g_strlcpy(dst, t, SDP_TOKEN_MAX);
    if (ip)
        *ip = a.ip;
    g_free(a.host);
    return true;
}

static int cand_fail(const char **why, const char *reason)
{
    if (why)
        *why = reason;
    return -EBADMSG;
}

/* The part after "typ <type>": [raddr <a> rport <p>] then extension name/value pairs. */
static int cand_tail(gchar **f, unsigned n, unsigned i, sdp_candidate *c, const char **why)
{
    uint64_t v;
    if (i + 1 < n && !strcmp(f[i], "raddr")) {
        if (i + 3 >= n || strcmp(f[i + 2], "rport") || !cand_addr(f[i + 1], c->raddr, NULL) ||
            !numz(f[i + 3], 65535, &v))
            return cand_fail(why, "raddr must be followed by an address, rport and a port");
        c->has_related = true;
        c->rport = (uint16_t)v;
        i += 4;
    }
    if ((n - i) % 2)
        return cand_fail(why, "extension attribute without a value");
    for (; i < n; i += 2) {
        if (c->n_ext >= SDP_CAND_EXT_MAX)
            return cand_fail(why, "too many extension attributes");
        if (!*f[i] || strlen(f[i]) >= sizeof c->ext[0].name || !*f[i + 1] ||
            strlen(f[i + 1]) >= SDP_TOKEN_MAX || !strcmp(f[i], "raddr") || !strcmp(f[i], "rport"))
            return cand_fail(why, "bad extension attribute");
        g_strlcpy(c->ext[c->n_ext].name, f[i], sizeof c->ext[0].name);
        g_strlcpy(c->ext[c->n_ext].value, f[i + 1], SDP_TOKEN_MAX);
        c->n_ext++;
    }
    return 0;
}

int sdp_candidate_parse(const char *value, sdp_candidate *out, const char **why)
{
    g_auto(GStrv) f = g_strsplit(value, " ", -1);
    unsigned n = g_strv_length(f);
    uint64_t comp, prio, port;
    sdp_candidate c = { 0 };
    if (n < 8)
        return cand_fail(why, "fewer than 8 fields (foundation component transport priority "
                              "address port typ type)");
    if (!ice_chars(f[0], 1, 32))
        return cand_fail(why, "foundation is not 1..32 ice-chars");
    if (!numz(f[1], 256, &comp) || comp == 0)
        return cand_fail(why, "component-id is not 1..256");
    if (!*f[2] || strlen(f[2]) >= sizeof c.transport || !g_ascii_isalpha(f[2][0]))
        return cand_fail(why, "transport is not a token");
    if (!numz(f[3], 0x7fffffff, &prio) || prio == 0) /* RFC 8445 §5.1.2 */
        return cand_fail(why, "priority is not 1..2^31-1");
    if (!cand_addr(f[4], c.address, &c.ip))
        return cand_fail(why, "connection-address is neither an IP literal nor an FQDN");
    if (!numz(f[5], 65535, &port))
        return cand_fail(why, "port is not 0..65535");
    if (strcmp(f[6], "typ"))
        return cand_fail(why, "no \"typ\" after the port");
    unsigned t;
    for (t = 0; t < 4 && strcmp(f[7], CAND_TYPES[t]); t++)
        ;
    if (t == 4)
        return cand_fail(why, "candidate type is not host, srflx, prflx or relay");
    g_strlcpy(c.foundation, f[0], sizeof c.foundation);
    g_strlcpy(c.transport, f[2], sizeof c.transport);
    c.component = (unsigned)comp;
    c.priority = (uint32_t)prio;
    c.port = (uint16_t)port;
    c.type = (sdp_cand_type)t;
    int rc = cand_tail(f, n, 8, &c, why);
    if (rc)
        return rc;
    *out = c;
    return 0;
}

void sdp_candidate_fmt(const sdp_candidate *c, GString *out)
{
    g_string_append_printf(out, "%s %u %s %u %s %u typ %s", c->foundation, c->component,
                           c->transport, c->priority, c->address, c->port,
                           sdp_cand_type_name(c->type));
    if (c->has_related)
        g_string_append_printf(out, " raddr %s rport %u", c->raddr, c->rport);
    for (size_t i = 0; i < c->n_ext; i++)
        g_string_append_printf(out, " %s %s", c->ext[i].name, c->ext[i].value);
}

const char *sdp_ice_attr(const sdp_session *s, const sdp_media *m, const char *name)
{
    const sdp_attr *a = m ? sdp_attr_find(m->attrs, name) : NULL;
    if (!a)
        a = sdp_attr_find(s->attrs, name);
    return a ? a->value : NULL;
}

bool sdp_ice_lite(const sdp_session *s) { return sdp_attr_has(s->attrs, "ice-lite"); }

bool sdp_end_of_candidates(const sdp_session *s, const sdp_media *m)
{
    return (m && sdp_attr_has(m->attrs, "end-of-candidates")) ||
           sdp_attr_has(s->attrs, "end-of-candidates");
}
