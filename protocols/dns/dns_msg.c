/* protocols/dns/dns_msg.c — whole messages: header, question and RR sections (RFC 1035 §4.1),
 * decoded all or nothing and encoded with name compression. */
#include "protocols/dns/dns_priv.h"

#include <errno.h>
#include <string.h>

static void rr_clear_fn(void *p) { dns_rr_clear(p); }

void dns_msg_init(dns_msg *m)
{
    memset(m, 0, sizeof *m);
    m->qd = g_array_new(FALSE, TRUE, sizeof(dns_question));
    for (int s = 0; s < 3; s++) {
        m->rr[s] = g_array_new(FALSE, TRUE, sizeof(dns_rr));
        g_array_set_clear_func(m->rr[s], rr_clear_fn);
    }
}

void dns_msg_clear(dns_msg *m)
{
    if (!m)
        return;
    if (m->qd)
        g_array_free(m->qd, TRUE);
    for (int s = 0; s < 3; s++)
        if (m->rr[s])
            g_array_free(m->rr[s], TRUE);
    memset(m, 0, sizeof *m);
}

dns_question *dns_msg_add_question(dns_msg *m, const dns_name *name, uint16_t type,
                                   uint16_t qclass)
{
    dns_question q = { .name = *name, .type = type, .qclass = qclass };
    g_array_append_val(m->qd, q);
    return &g_array_index(m->qd, dns_question, m->qd->len - 1);
}

dns_rr *dns_msg_add_rr(dns_msg *m, dns_section s)
{
    g_array_set_size(m->rr[s], m->rr[s]->len + 1);
    dns_rr *rr = &g_array_index(m->rr[s], dns_rr, m->rr[s]->len - 1);
    rr->rclass = DNS_C_IN;
    return rr;
}

void dns_msg_add_copy(dns_msg *m, dns_section s, const dns_rr *rr)
{
    dns_rr_copy(dns_msg_add_rr(m, s), rr);
}

size_t dns_msg_count(const dns_msg *m, dns_section s) { return m->rr[s]->len; }

const dns_question *dns_msg_question(const dns_msg *m, size_t i)
{
    return &g_array_index(m->qd, dns_question, i);
}

const dns_rr *dns_msg_rrs(const dns_msg *m, dns_section s, size_t i)
{
    return &g_array_index(m->rr[s], dns_rr, i);
}

/* ---------------------------------------------------------------- decode */

static int read_question(const uint8_t *buf, size_t len, cur *c, dns_question *q, dns_err *e)
{
    size_t at = dns_off(buf, c);
    int rc = dns_name_read(buf, len, c, &q->name, e);
    if (rc)
        return rc;
    q->type = cur_u16(c);
    uint16_t cls = cur_u16(c);
    if (!cur_ok(c))
        return dns_fail(e, at, "question runs past the end of the message");
    q->unicast_response = (cls & DNS_CLASS_TOP) != 0;
    q->qclass = cls & 0x7FFF;
    return 0;
}

static int read_rr(const uint8_t *buf, size_t len, cur *c, dns_rr *rr, dns_err *e)
{
    size_t at = dns_off(buf, c);
    int rc = dns_name_read(buf, len, c, &rr->name, e);
    if (rc)
        return rc;
    rr->type = cur_u16(c);
    uint16_t cls = cur_u16(c);
    rr->ttl = cur_u32(c);
    uint16_t rdlen = cur_u16(c);
    if (!cur_ok(c))
        return dns_fail(e, at, "record header runs past the end of the message");
    bool opt = rr->type == DNS_T_OPT; /* its CLASS is the UDP payload size (RFC 6891 §6.1.2) */
    rr->cache_flush = !opt && (cls & DNS_CLASS_TOP);
    rr->rclass = opt ? cls : (cls & 0x7FFF);
    size_t rd_at = dns_off(buf, c);
    cur rd = cur_sub(c, rdlen);
    if (!cur_ok(c))
        return dns_fail(e, rd_at, "RDATA runs past the end of the message");
    return dns_rdata_read(buf, len, &rd, rr, e);
}

int dns_msg_decode(const uint8_t *buf, size_t len, dns_msg *out, dns_err *e)
{
    cur c;
    cur_init(&c, buf, len);
    if (len < DNS_HDR_LEN)
        return dns_fail(e, 0, "truncated header (under 12 bytes)");
    dns_msg m;
    dns_msg_init(&m);
    m.id = cur_u16(&c);
    uint16_t f = cur_u16(&c);
    m.qr = f >> 15;
    m.opcode = (f >> 11) & 0xF;
    m.aa = (f >> 10) & 1;
    m.tc = (f >> 9) & 1;
    m.rd = (f >> 8) & 1;
    m.ra = (f >> 7) & 1;
    m.z = (f >> 6) & 1;
    m.ad = (f >> 5) & 1;
    m.cd = (f >> 4) & 1;
    m.rcode = f & 0xF;
    uint16_t counts[4];
    for (int i = 0; i < 4; i++)
        counts[i] = cur_u16(&c);
    int rc = 0;
    for (unsigned i = 0; i < counts[0] && !rc; i++) {
        if (!cur_left(&c))
            rc = dns_fail(e, dns_off(buf, &c), "QDCOUNT beyond the data");
        dns_question q;
        if (!rc && (rc = read_question(buf, len, &c, &q, e)) == 0)
            g_array_append_val(m.qd, q);
    }
    for (int s = 0; s < 3 && !rc; s++) {
        for (unsigned i = 0; i < counts[s + 1] && !rc; i++) {
            if (!cur_left(&c)) {
                static const char *const why[3] = { "ANCOUNT beyond the data",
                                                    "NSCOUNT beyond the data",
                                                    "ARCOUNT beyond the data" };
                rc = dns_fail(e, dns_off(buf, &c), why[s]);
                break;
            }
            dns_rr rr = { 0 };
            rc = read_rr(buf, len, &c, &rr, e);
            if (rc)
                dns_rr_clear(&rr);
            else
                g_array_append_val(m.rr[s], rr);
        }
    }
    if (!rc && cur_left(&c))
        rc = dns_fail(e, dns_off(buf, &c), "trailing bytes after the last record");
    if (rc) {
        dns_msg_clear(&m);
        return rc;
    }
    *out = m;
    return 0;
}

/* ---------------------------------------------------------------- encode */

static uint16_t flags_word(const dns_msg *m)
{
    return (uint16_t)((unsigned)m->qr << 15 | (m->opcode & 0xFu) << 11 | (unsigned)m->aa << 10 |
                      (unsigned)m->tc << 9 | (unsigned)m->rd << 8 | (unsigned)m->ra << 7 |
                      (unsigned)m->z << 6 | (unsigned)m->ad << 5 | (unsigned)m->cd << 4 |
                      (m->rcode & 0xFu));
}

static int write_rr(wr *w, const dns_rr *rr, dns_ctab *t, unsigned flags)
{
    if (!dns_name_valid(&rr->name) || (rr->type != DNS_T_OPT && rr->rclass > 0x7FFF))
        return -EINVAL;
    dns_name_write(w, &rr->name, t, t != NULL);
    wr_u16(w, rr->type);
    wr_u16(w, (uint16_t)(rr->rclass | (rr->cache_flush && rr->type != DNS_T_OPT ? 0x8000 : 0)));
    wr_u32(w, rr->ttl);
    size_t at = wr_reserve(w, 2);
    int rc = dns_rdata_write(w, rr, t, flags);
    if (rc)
        return rc;
    size_t n = w->len - at - 2;
    if (w->err)
        return w->err;
    if (n > 65535)
        return -EINVAL;
    wr_patch_u16(w, at, (uint16_t)n);
    return 0;
}

int dns_msg_encode(const dns_msg *m, unsigned flags, uint8_t *buf, size_t cap, size_t *out_len)
{
    if (m->qd->len > 65535 || m->rr[0]->len > 65535 || m->rr[1]->len > 65535 ||
        m->rr[2]->len > 65535)
        return -EINVAL;
    wr w;
    wr_init(&w, buf, cap);
    dns_ctab *t = (flags & DNS_ENC_NO_COMPRESS) ? NULL : g_new(dns_ctab, 1);
    if (t)
        t->n = 0;
    wr_u16(&w, m->id);
    wr_u16(&w, flags_word(m));
    wr_u16(&w, (uint16_t)m->qd->len);
    for (int s = 0; s < 3; s++)
        wr_u16(&w, (uint16_t)m->rr[s]->len);
    int rc = 0;
    for (guint i = 0; i < m->qd->len && !rc; i++) {
        const dns_question *q = &g_array_index(m->qd, dns_question, i);
        if (!dns_name_valid(&q->name) || q->qclass > 0x7FFF) {
            rc = -EINVAL;
            break;
        }
        dns_name_write(&w, &q->name, t, t != NULL);
        wr_u16(&w, q->type);
        wr_u16(&w, (uint16_t)(q->qclass | (q->unicast_response ? 0x8000 : 0)));
    }
    for (int s = 0; s < 3 && !rc; s++)
        for (guint i = 0; i < m->rr[s]->len && !rc; i++)
            rc = write_rr(&w, &g_array_index(m->rr[s], dns_rr, i), t, flags);
    g_free(t);
    if (!rc)
        rc = w.err;
    if (rc)
        return rc;
    *out_len = w.len;
    return 0;
}
