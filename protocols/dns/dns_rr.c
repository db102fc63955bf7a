/* protocols/dns/dns_rr.c — resource records: typed RDATA decode and encode for A, AAAA, NS,
 * CNAME, PTR, SOA, TXT, SRV, NAPTR, OPT and NSEC, opaque bytes for the rest (RFC 3597), the
 * TXT / DNS-SD and NSEC helpers, and the type names. */
#include "protocols/dns/dns_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- owned bytes */

void dns_rr_clear(dns_rr *rr)
{
    if (!rr)
        return;
    g_free(rr->data);
    memset(rr, 0, sizeof *rr);
}

void dns_rr_copy(dns_rr *dst, const dns_rr *src)
{
    *dst = *src;
    dst->data = src->data_len ? g_memdup2(src->data, src->data_len) : NULL;
}

int dns_rr_set_data(dns_rr *rr, const void *p, size_t n)
{
    if (n > 65535)
        return -EINVAL;
    uint8_t *copy = n ? g_memdup2(p, n) : NULL;
    g_free(rr->data);
    rr->data = copy;
    rr->data_len = (uint16_t)n;
    return 0;
}

int dns_rr_addr(const dns_rr *rr, sim_ip *ip)
{
    if (rr->type == DNS_T_A)
        *ip = sim_ip4_bytes(rr->rd.a);
    else if (rr->type == DNS_T_AAAA)
        *ip = sim_ip6(rr->rd.aaaa);
    else
        return -EINVAL;
    return 0;
}

static bool cstr_eq(const dns_cstr *a, const dns_cstr *b)
{
    return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

bool dns_rr_same_data(const dns_rr *a, const dns_rr *b)
{
    if (a->type != b->type || a->rclass != b->rclass || !dns_name_eq(&a->name, &b->name) ||
        a->data_len != b->data_len || (a->data_len && memcmp(a->data, b->data, a->data_len)))
        return false;
    switch (a->type) {
    case DNS_T_A: return memcmp(a->rd.a, b->rd.a, 4) == 0;
    case DNS_T_AAAA: return memcmp(a->rd.aaaa, b->rd.aaaa, 16) == 0;
    case DNS_T_NS:
    case DNS_T_CNAME:
    case DNS_T_PTR: return dns_name_eq(&a->rd.target, &b->rd.target);
    case DNS_T_SRV:
        return a->rd.srv.priority == b->rd.srv.priority && a->rd.srv.weight == b->rd.srv.weight &&
               a->rd.srv.port == b->rd.srv.port &&
               dns_name_eq(&a->rd.srv.target, &b->rd.srv.target);
    case DNS_T_NAPTR:
        return a->rd.naptr.order == b->rd.naptr.order &&
               a->rd.naptr.preference == b->rd.naptr.preference &&
               cstr_eq(&a->rd.naptr.flags, &b->rd.naptr.flags) &&
               cstr_eq(&a->rd.naptr.services, &b->rd.naptr.services) &&
               cstr_eq(&a->rd.naptr.regexp, &b->rd.naptr.regexp) &&
               dns_name_eq(&a->rd.naptr.replacement, &b->rd.naptr.replacement);
    case DNS_T_SOA:
        return dns_name_eq(&a->rd.soa.mname, &b->rd.soa.mname) &&
               dns_name_eq(&a->rd.soa.rname, &b->rd.soa.rname) &&
               a->rd.soa.serial == b->rd.soa.serial && a->rd.soa.refresh == b->rd.soa.refresh &&
               a->rd.soa.retry == b->rd.soa.retry && a->rd.soa.expire == b->rd.soa.expire &&
               a->rd.soa.minimum == b->rd.soa.minimum;
    case DNS_T_NSEC: return dns_name_eq(&a->rd.nsec.next, &b->rd.nsec.next);
    default: return true; /* opaque: data compared above */
    }
}

/* ---------------------------------------------------------------- TXT and DNS-SD */

bool dns_cstrs_valid(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n)
        i += p[i] + 1u;
    return i == n;
}

int dns_txt_add(dns_rr *rr, const void *s, size_t n)
{
    if (n > 255 || rr->data_len + 1u + n > 65535)
        return -EINVAL;
    rr->data = g_realloc(rr->data, rr->data_len + 1u + n);
    rr->data[rr->data_len] = (uint8_t)n;
    if (n)
        memcpy(rr->data + rr->data_len + 1, s, n);
    rr->data_len = (uint16_t)(rr->data_len + 1u + n);
    return 0;
}

bool dns_txt_next(const dns_rr *rr, size_t *pos, const uint8_t **s, size_t *n)
{
    if (*pos >= rr->data_len || *pos + 1u + rr->data[*pos] > rr->data_len)
        return false;
    *n = rr->data[*pos];
    *s = rr->data + *pos + 1;
    *pos += *n + 1u;
    return true;
}

int dns_txt_get(const dns_rr *rr, const char *key, const uint8_t **val, size_t *vlen)
{
    size_t pos = 0, n, klen = strlen(key);
    const uint8_t *s;
    while (dns_txt_next(rr, &pos, &s, &n)) {
        const uint8_t *eq = memchr(s, '=', n);
        size_t kl = eq ? (size_t)(eq - s) : n;
        if (kl == klen && klen && g_ascii_strncasecmp((const char *)s, key, klen) == 0) {
            *val = eq ? eq + 1 : NULL;   /* RFC 6763 §6.4: the first occurrence counts */
            *vlen = eq ? n - kl - 1 : 0;
            return 1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- NSEC type bitmaps */

bool dns_nsec_bitmap_valid(const uint8_t *p, size_t n)
{
    int last = -1;
    size_t i = 0;
    while (i < n) {
        if (n - i < 2 || p[i] <= last || p[i + 1] < 1 || p[i + 1] > 32 || n - i - 2 < p[i + 1])
            return false;
        last = p[i];
        i += 2u + p[i + 1];
    }
    return true;
}

bool dns_nsec_has(const dns_rr *rr, uint16_t t)
{
    const uint8_t *p = rr->data;
    for (size_t i = 0; i + 2 <= rr->data_len; i += 2u + p[i + 1]) {
        if (p[i] != t >> 8)
            continue;
        size_t byte = (t & 0xFF) / 8;
        return byte < p[i + 1] && i + 2 + byte < rr->data_len &&
               (p[i + 2 + byte] & (0x80 >> (t & 7)));
    }
    return false;
}

int dns_nsec_set_types(dns_rr *rr, const uint16_t *types, size_t n)
{
    uint8_t map[256][32];
    uint8_t used[256] = { 0 }; /* bytes used per window */
    memset(map, 0, sizeof map);
    for (size_t i = 0; i < n; i++) {
        uint8_t win = (uint8_t)(types[i] >> 8), lo = (uint8_t)types[i];
        map[win][lo / 8] |= (uint8_t)(0x80 >> (lo & 7));
        used[win] = (uint8_t)MAX(used[win], lo / 8 + 1);
    }
    wr w;
    wr_init_dyn(&w);
    for (unsigned win = 0; win < 256; win++) {
        if (!used[win])
            continue;
        wr_u8(&w, (uint8_t)win);
        wr_u8(&w, used[win]);
        wr_bytes(&w, map[win], used[win]);
    }
    int rc = dns_rr_set_data(rr, w.buf, w.len);
    wr_clear(&w);
    return rc;
}

/* ---------------------------------------------------------------- RDATA decode */

static int read_cstr(cur *c, dns_cstr *s)
{
    s->len = cur_u8(c);
    memset(s->s, 0, sizeof s->s);
    return cur_copy(c, s->s, s->len);
}

/* Copies what is left of rd into rr->data. */
static void take_rest(cur *rd, dns_rr *rr)
{
    size_t n = cur_left(rd);
    dns_rr_set_data(rr, cur_bytes(rd, n), n);
}

/* The fixed-size types: A, AAAA. */
static int read_fixed(const uint8_t *msg, cur *rd, void *dst, size_t n, dns_err *e)
{
    if (cur_left(rd) != n)
        return dns_fail(e, dns_off(msg, rd), n == 4 ? "A RDATA is not 4 bytes"
                                                    : "AAAA RDATA is not 16 bytes");
    return cur_copy(rd, dst, n);
}

int dns_rdata_read(const uint8_t *msg, size_t msg_len, cur *rd, dns_rr *rr, dns_err *e)
{
    size_t start = dns_off(msg, rd);
    int rc = 0;
    rr->data = NULL;
    rr->data_len = 0;
    switch (rr->type) {
    case DNS_T_A: return read_fixed(msg, rd, rr->rd.a, 4, e);
    case DNS_T_AAAA: return read_fixed(msg, rd, rr->rd.aaaa, 16, e);
    case DNS_T_NS:
    case DNS_T_CNAME:
    case DNS_T_PTR: rc = dns_name_read(msg, msg_len, rd, &rr->rd.target, e); break;
    case DNS_T_SRV:
        rr->rd.srv.priority = cur_u16(rd);
        rr->rd.srv.weight = cur_u16(rd);
        rr->rd.srv.port = cur_u16(rd);
        if (!cur_ok(rd))
            return dns_fail(e, start, "SRV RDATA shorter than its fixed fields");
        rc = dns_name_read(msg, msg_len, rd, &rr->rd.srv.target, e);
        break;
    case DNS_T_NAPTR:
        rr->rd.naptr.order = cur_u16(rd);
        rr->rd.naptr.preference = cur_u16(rd);
        read_cstr(rd, &rr->rd.naptr.flags);
        read_cstr(rd, &rr->rd.naptr.services);
        read_cstr(rd, &rr->rd.naptr.regexp);
        if (!cur_ok(rd))
            return dns_fail(e, start, "NAPTR strings run past the RDATA");
        rc = dns_name_read(msg, msg_len, rd, &rr->rd.naptr.replacement, e);
        break;
    case DNS_T_SOA:
        rc = dns_name_read(msg, msg_len, rd, &rr->rd.soa.mname, e);
        if (!rc)
            rc = dns_name_read(msg, msg_len, rd, &rr->rd.soa.rname, e);
        if (rc)
            return rc;
        if (cur_left(rd) != 20)
            return dns_fail(e, dns_off(msg, rd), "SOA RDATA: not 20 bytes after the names");
        rr->rd.soa.serial = cur_u32(rd);
        rr->rd.soa.refresh = cur_u32(rd);
        rr->rd.soa.retry = cur_u32(rd);
        rr->rd.soa.expire = cur_u32(rd);
        rr->rd.soa.minimum = cur_u32(rd);
        return 0;
    case DNS_T_TXT:
        if (!dns_cstrs_valid(cur_ptr(rd), cur_left(rd)))
            return dns_fail(e, start, "TXT string runs past the RDATA");
        take_rest(rd, rr);
        return 0;
    case DNS_T_NSEC:
        rc = dns_name_read(msg, msg_len, rd, &rr->rd.nsec.next, e);
        if (rc)
            return rc;
        if (!dns_nsec_bitmap_valid(cur_ptr(rd), cur_left(rd)))
            return dns_fail(e, dns_off(msg, rd), "malformed NSEC type bitmap");
        take_rest(rd, rr);
        return 0;
    default: /* OPT and unknown types: opaque (RFC 6891 options are not interpreted here) */
        take_rest(rd, rr);
        return 0;
    }
    if (rc)
        return rc;
    if (cur_left(rd))
        return dns_fail(e, dns_off(msg, rd), "bytes after the last RDATA field");
    return 0;
}

/* ---------------------------------------------------------------- RDATA encode */

static void write_cstr(wr *w, const dns_cstr *s)
{
    wr_u8(w, s->len);
    wr_bytes(w, s->s, s->len);
}

int dns_rdata_write(wr *w, const dns_rr *rr, dns_ctab *t, unsigned flags)
{
    bool std = !(flags & DNS_ENC_NO_COMPRESS);       /* RFC 1035 types: NS CNAME PTR SOA */
    bool mdns = std && (flags & DNS_ENC_MDNS);       /* RFC 6762 §18.14 adds SRV, NSEC */
    switch (rr->type) {
    case DNS_T_A: wr_bytes(w, rr->rd.a, 4); return 0;
    case DNS_T_AAAA: wr_bytes(w, rr->rd.aaaa, 16); return 0;
    case DNS_T_NS:
    case DNS_T_CNAME:
    case DNS_T_PTR:
        if (!dns_name_valid(&rr->rd.target))
            return -EINVAL;
        dns_name_write(w, &rr->rd.target, t, std);
        return 0;
    case DNS_T_SRV: /* RFC 2782: the target is not compressed in unicast DNS */
        if (!dns_name_valid(&rr->rd.srv.target))
            return -EINVAL;
        wr_u16(w, rr->rd.srv.priority);
        wr_u16(w, rr->rd.srv.weight);
        wr_u16(w, rr->rd.srv.port);
        dns_name_write(w, &rr->rd.srv.target, t, mdns);
        return 0;
    case DNS_T_NAPTR: /* RFC 3403 §4.1: the replacement is never compressed */
        if (!dns_name_valid(&rr->rd.naptr.replacement))
            return -EINVAL;
        wr_u16(w, rr->rd.naptr.order);
        wr_u16(w, rr->rd.naptr.preference);
        write_cstr(w, &rr->rd.naptr.flags);
        write_cstr(w, &rr->rd.naptr.services);
        write_cstr(w, &rr->rd.naptr.regexp);
        dns_name_write(w, &rr->rd.naptr.replacement, t, false);
        return 0;
    case DNS_T_SOA:
        if (!dns_name_valid(&rr->rd.soa.mname) || !dns_name_valid(&rr->rd.soa.rname))
            return -EINVAL;
        dns_name_write(w, &rr->rd.soa.mname, t, std);
        dns_name_write(w, &rr->rd.soa.rname, t, std);
        wr_u32(w, rr->rd.soa.serial);
        wr_u32(w, rr->rd.soa.refresh);
        wr_u32(w, rr->rd.soa.retry);
        wr_u32(w, rr->rd.soa.expire);
        wr_u32(w, rr->rd.soa.minimum);
        return 0;
    case DNS_T_TXT:
        if (!dns_cstrs_valid(rr->data, rr->data_len))
            return -EINVAL;
        break;
    case DNS_T_NSEC:
        if (!dns_name_valid(&rr->rd.nsec.next) ||
            !dns_nsec_bitmap_valid(rr->data, rr->data_len))
            return -EINVAL;
        dns_name_write(w, &rr->rd.nsec.next, t, mdns);
        break;
    default: break;
    }
    wr_bytes(w, rr->data, rr->data_len);
    return 0;
}

/* ---------------------------------------------------------------- names of things */

static const struct {
    uint16_t type;
    const char *name;
} types[] = {
    { DNS_T_A, "A" },       { DNS_T_NS, "NS" },     { DNS_T_CNAME, "CNAME" },
    { DNS_T_SOA, "SOA" },   { DNS_T_PTR, "PTR" },   { DNS_T_TXT, "TXT" },
    { DNS_T_AAAA, "AAAA" }, { DNS_T_SRV, "SRV" },   { DNS_T_NAPTR, "NAPTR" },
    { DNS_T_OPT, "OPT" },   { DNS_T_NSEC, "NSEC" }, { DNS_T_ANY, "ANY" },
};

const char *dns_type_name(uint16_t type)
{
    for (size_t i = 0; i < G_N_ELEMENTS(types); i++)
        if (types[i].type == type)
            return types[i].name;
    return NULL;
}

int dns_type_from_str(const char *s, uint16_t *type)
{
    for (size_t i = 0; i < G_N_ELEMENTS(types); i++)
        if (!g_ascii_strcasecmp(types[i].name, s)) {
            *type = types[i].type;
            return 0;
        }
    if (g_ascii_strncasecmp(s, "TYPE", 4) == 0 && g_ascii_isdigit(s[4])) { /* RFC 3597 §5 */
        char *end;
        unsigned long v = strtoul(s + 4, &end, 10);
        if (!*end && v <= 65535) {
            *type = (uint16_t)v;
            return 0;
        }
    }
    return -EINVAL;
}

const char *dns_class_name(uint16_t cls)
{
    return cls == DNS_C_IN ? "IN" : cls == 3 ? "CH" : cls == 4 ? "HS" : cls == DNS_C_ANY ? "ANY"
                                                                                        : NULL;
}

const char *dns_opcode_name(uint8_t op)
{
    static const char *const names[] = { "QUERY", "IQUERY", "STATUS", NULL, "NOTIFY", "UPDATE" };
    return op < G_N_ELEMENTS(names) ? names[op] : NULL;
}

const char *dns_rcode_name(uint8_t rc)
{
    static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                         "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                         "NXRRSET", "NOTAUTH", "NOTZONE" };
    return rc < G_N_ELEMENTS(names) ? names[rc] : NULL;
}
