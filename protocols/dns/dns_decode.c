/* protocols/dns/dns_decode.c — `natsim decode dns FILE`: a dig-like dump of one DNS (or mDNS)
 * message, every record in presentation form; a malformed message fails with the byte offset
 * and the reason. */
#include "protocols/dns/dns.h"

#include <errno.h>
#include <string.h>

#define DNS_DECODE_ERROR g_quark_from_static_string("dns-decode-error")

static void put_name(GString *out, const dns_name *n)
{
    char b[DNS_NAME_STRLEN];
    dns_name_fmt(n, b, sizeof b);
    g_string_append(out, b);
    if (strcmp(b, "."))
        g_string_append_c(out, '.');
}

static void put_type(GString *out, uint16_t t)
{
    const char *name = dns_type_name(t);
    if (name)
        g_string_append(out, name);
    else
        g_string_append_printf(out, "TYPE%u", t); /* RFC 3597 §5 */
}

static void put_class(GString *out, uint16_t c)
{
    const char *name = dns_class_name(c);
    if (name)
        g_string_append(out, name);
    else
        g_string_append_printf(out, "CLASS%u", c);
}

/* A <character-string> in quotes, '"' and '\\' escaped, other non-printables as \DDD. */
static void put_cstr(GString *out, const void *p, size_t n)
{
    const uint8_t *s = p;
    g_string_append_c(out, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"' || s[i] == '\\')
            g_string_append_printf(out, "\\%c", s[i]);
        else if (s[i] < 0x20 || s[i] >= 0x7f)
            g_string_append_printf(out, "\\%03u", s[i]);
        else
            g_string_append_c(out, (char)s[i]);
    }
    g_string_append_c(out, '"');
}

static void put_hex(GString *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        g_string_append_printf(out, "%02x", p[i]);
}

static void put_nsec_types(GString *out, const dns_rr *rr)
{
    const uint8_t *p = rr->data;
    for (size_t i = 0; i + 2 <= rr->data_len; i += 2u + p[i + 1])
        for (unsigned b = 0; b < p[i + 1] * 8u; b++)
            if (p[i + 2 + b / 8] & (0x80 >> (b & 7))) {
                g_string_append_c(out, ' ');
                put_type(out, (uint16_t)(p[i] << 8 | b));
            }
}

static void put_rdata(GString *out, const dns_rr *rr)
{
    char ip[SIM_IP_STRLEN];
    sim_ip a;
    size_t pos = 0, n;
    const uint8_t *s;
    switch (rr->type) {
    case DNS_T_A:
    case DNS_T_AAAA:
        dns_rr_addr(rr, &a);
        g_string_append(out, sim_ip_fmt(&a, ip, sizeof ip));
        return;
    case DNS_T_NS:
    case DNS_T_CNAME:
    case DNS_T_PTR: put_name(out, &rr->rd.target); return;
    case DNS_T_SRV:
        g_string_append_printf(out, "%u %u %u ", rr->rd.srv.priority, rr->rd.srv.weight,
                               rr->rd.srv.port);
        put_name(out, &rr->rd.srv.target);
        return;
    case DNS_T_NAPTR:
        g_string_append_printf(out, "%u %u ", rr->rd.naptr.order, rr->rd.naptr.preference);
        put_cstr(out, rr->rd.naptr.flags.s, rr->rd.naptr.flags.len);
        g_string_append_c(out, ' ');
        put_cstr(out, rr->rd.naptr.services.s, rr->rd.naptr.services.len);
        g_string_append_c(out, ' ');
        put_cstr(out, rr->rd.naptr.regexp.s, rr->rd.naptr.regexp.len);
        g_string_append_c(out, ' ');
        put_name(out, &rr->rd.naptr.replacement);
        return;
    case DNS_T_SOA:
        put_name(out, &rr->rd.soa.mname);
        g_string_append_c(out, ' ');
        put_name(out, &rr->rd.soa.rname);
        g_string_append_printf(out, " %u %u %u %u %u", rr->rd.soa.serial, rr->rd.soa.refresh,
                               rr->rd.soa.retry, rr->rd.soa.expire, rr->rd.soa.minimum);
        return;
    case DNS_T_TXT:
        while (dns_txt_next(rr, &pos, &s, &n)) {
            if (pos > n + 1u) /* not the first string */
                g_string_append_c(out, ' ');
            put_cstr(out, s, n);
        }
        return;
    case DNS_T_NSEC:
        put_name(out, &rr->rd.nsec.next);
        put_nsec_types(out, rr);
        return;
    case DNS_T_OPT:
        g_string_append_printf(out, "udp=%u ext-rcode=%u version=%u flags=0x%04x options=",
                               rr->rclass, rr->ttl >> 24, (rr->ttl >> 16) & 0xFF,
                               rr->ttl & 0xFFFF);
        put_hex(out, rr->data, rr->data_len);
        return;
    default: /* RFC 3597 §5 generic form */
        g_string_append_printf(out, "\\# %u ", rr->data_len);
        put_hex(out, rr->data, rr->data_len);
    }
}

void dns_rr_fmt(const dns_rr *rr, GString *out)
{
    put_name(out, &rr->name);
    g_string_append_printf(out, "\t%u\t", rr->ttl);
    if (rr->type != DNS_T_OPT) {
        put_class(out, rr->rclass);
        g_string_append_c(out, '\t');
    }
    put_type(out, rr->type);
    g_string_append_c(out, '\t');
    put_rdata(out, rr);
    if (rr->cache_flush)
        g_string_append(out, "\t; cache-flush");
}

static const char *const section_title[3] = { "ANSWER", "AUTHORITY", "ADDITIONAL" };

void dns_msg_fmt(const dns_msg *m, GString *out)
{
    const char *op = dns_opcode_name(m->opcode), *rc = dns_rcode_name(m->rcode);
    g_string_append(out, ";; ->>HEADER<<- opcode: ");
    if (op)
        g_string_append(out, op);
    else
        g_string_append_printf(out, "%u", m->opcode);
    g_string_append(out, ", status: ");
    if (rc)
        g_string_append(out, rc);
    else
        g_string_append_printf(out, "RCODE%u", m->rcode);
    g_string_append_printf(out, ", id: %u\n;; flags:", m->id);
    const struct { bool on; const char *name; } fl[] = {
        { m->qr, "qr" }, { m->aa, "aa" }, { m->tc, "tc" }, { m->rd, "rd" },
        { m->ra, "ra" }, { m->z, "z" },   { m->ad, "ad" }, { m->cd, "cd" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(fl); i++)
        if (fl[i].on)
            g_string_append_printf(out, " %s", fl[i].name);
    g_string_append_printf(out, "; QUERY: %u, ANSWER: %zu, AUTHORITY: %zu, ADDITIONAL: %zu\n",
                           m->qd->len, dns_msg_count(m, DNS_AN), dns_msg_count(m, DNS_NS),
                           dns_msg_count(m, DNS_AR));
    if (m->qd->len)
        g_string_append(out, "\n;; QUESTION SECTION:\n");
    for (size_t i = 0; i < m->qd->len; i++) {
        const dns_question *q = dns_msg_question(m, i);
        g_string_append_c(out, ';');
        put_name(out, &q->name);
        g_string_append_c(out, '\t');
        put_class(out, q->qclass);
        g_string_append_c(out, '\t');
        put_type(out, q->type);
        if (q->unicast_response)
            g_string_append(out, "\t; QU (unicast response)");
        g_string_append_c(out, '\n');
    }
    for (int s = 0; s < 3; s++) {
        if (!dns_msg_count(m, (dns_section)s))
            continue;
        g_string_append_printf(out, "\n;; %s SECTION:\n", section_title[s]);
        for (size_t i = 0; i < dns_msg_count(m, (dns_section)s); i++) {
            dns_rr_fmt(dns_msg_rrs(m, (dns_section)s, i), out);
            g_string_append_c(out, '\n');
        }
    }
}

int dns_decode(const uint8_t *data, size_t len, int argc, char **argv, GString *out,
               GError **err)
{
    if (argc > 1) {
        g_set_error(err, DNS_DECODE_ERROR, EINVAL, "dns: no options, got '%s'", argv[1]);
        return -1;
    }
    dns_msg m;
    dns_err e = { 0, NULL };
    if (dns_msg_decode(data, len, &m, &e) != 0) {
        g_set_error(err, DNS_DECODE_ERROR, EBADMSG,
                    "malformed DNS message at byte %zu: %s (%zu bytes)", e.off, e.why, len);
        return -1;
    }
    dns_msg_fmt(&m, out);
    dns_msg_clear(&m);
    return 0;
}
