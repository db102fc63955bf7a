/* protocols/dns/dns_server.c — the authoritative server core (sans-I/O): zones of records,
 * query processing after RFC 1034 §4.3.2 (without delegations: every zone is served whole),
 * negative answers with the SOA (RFC 2308 §3), additional-section processing for SRV, NS and
 * NAPTR (RFC 2782, RFC 3403 §4.2), and truncation over UDP (RFC 2181 §9). */
#include "protocols/dns/dns.h"

#include <errno.h>
#include <string.h>

typedef struct zone {
    dns_name origin;
    GArray *rrs; /* of dns_rr; the SOA first, then in the order added */
} zone;

struct dns_server {
    size_t udp_max;
    GPtrArray *zones; /* of zone*, in the order added */
    GQueue out;       /* of dns_out* */
    dns_server_stats st;
};

static void rr_clear_fn(void *p) { dns_rr_clear(p); }

static void zone_free(void *p)
{
    zone *z = p;
    g_array_free(z->rrs, TRUE);
    g_free(z);
}

dns_server *dns_server_new(size_t udp_max)
{
    dns_server *s = g_new0(dns_server, 1);
    s->udp_max = udp_max ? MIN(udp_max, (size_t)DNS_OUT_MAX) : DNS_UDP_MAX;
    s->zones = g_ptr_array_new_with_free_func(zone_free);
    g_queue_init(&s->out);
    return s;
}

void dns_server_free(dns_server *s)
{
    if (!s)
        return;
    g_ptr_array_free(s->zones, TRUE);
    g_queue_clear_full(&s->out, g_free);
    g_free(s);
}

/* The deepest zone containing name, or NULL. */
static zone *find_zone(const dns_server *s, const dns_name *name)
{
    zone *best = NULL;
    for (guint i = 0; i < s->zones->len; i++) {
        zone *z = s->zones->pdata[i];
        if (dns_name_in_zone(name, &z->origin) && (!best || z->origin.len > best->origin.len))
            best = z;
    }
    return best;
}

static const dns_rr *zone_rr(const zone *z, guint i) { return &g_array_index(z->rrs, dns_rr, i); }

/* The first record at name of type (DNS_T_ANY: any type), or NULL. */
static const dns_rr *find_rr(const zone *z, const dns_name *name, uint16_t type)
{
    for (guint i = 0; i < z->rrs->len; i++) {
        const dns_rr *rr = zone_rr(z, i);
        if ((type == DNS_T_ANY || rr->type == type) && dns_name_eq(&rr->name, name))
            return rr;
    }
    return NULL;
}

/* True if name owns records or has records below it (an empty non-terminal, RFC 8020). */
static bool name_exists(const zone *z, const dns_name *name)
{
    for (guint i = 0; i < z->rrs->len; i++)
        if (dns_name_in_zone(&zone_rr(z, i)->name, name))
            return true;
    return false;
}

int dns_server_add_zone(dns_server *s, const dns_rr *soa)
{
    if (soa->type != DNS_T_SOA || !dns_name_valid(&soa->name))
        return -EINVAL;
    for (guint i = 0; i < s->zones->len; i++)
        if (dns_name_eq(&((zone *)s->zones->pdata[i])->origin, &soa->name))
            return -EEXIST;
    zone *z = g_new0(zone, 1);
    z->origin = soa->name;
    z->rrs = g_array_new(FALSE, TRUE, sizeof(dns_rr));
    g_array_set_clear_func(z->rrs, rr_clear_fn);
    g_array_set_size(z->rrs, 1);
    dns_rr_copy(&g_array_index(z->rrs, dns_rr, 0), soa);
    g_ptr_array_add(s->zones, z);
    return 0;
}

/* True if rr encodes (valid names, valid RDATA). */
static bool rr_encodes(const dns_rr *rr)
{
    dns_msg m;
    dns_msg_init(&m);
    dns_msg_add_copy(&m, DNS_AN, rr);
    uint8_t *buf = g_malloc(DNS_MSG_MAX);
    size_t len;
    int rc = dns_msg_encode(&m, DNS_ENC_NO_COMPRESS, buf, DNS_MSG_MAX, &len);
    g_free(buf);
    dns_msg_clear(&m);
    return rc == 0;
}

int dns_server_add_rr(dns_server *s, const dns_rr *rr)
{
    if (rr->type == DNS_T_OPT || rr->type == DNS_T_SOA || rr->type == DNS_T_ANY ||
        !rr_encodes(rr))
        return -EINVAL;
    zone *z = find_zone(s, &rr->name);
    if (!z)
        return -ENOENT;
    for (guint i = 0; i < z->rrs->len; i++) {
        const dns_rr *x = zone_rr(z, i);
        if (!dns_name_eq(&x->name, &rr->name))
            continue;
        if (dns_rr_same_data(x, rr))
            return -EEXIST;
        if (x->type == DNS_T_CNAME || rr->type == DNS_T_CNAME)
            return -EINVAL; /* RFC 1034 §3.6.2: a CNAME stands alone */
    }
    g_array_set_size(z->rrs, z->rrs->len + 1);
    dns_rr_copy(&g_array_index(z->rrs, dns_rr, z->rrs->len - 1), rr);
    return 0;
}

/* ---------------------------------------------------------------- answering */

/* True if section s of m already holds rr. */
static bool has_rr(const dns_msg *m, dns_section s, const dns_rr *rr)
{
    for (size_t i = 0; i < dns_msg_count(m, s); i++)
        if (dns_rr_same_data(dns_msg_rrs(m, s, i), rr))
            return true;
    return false;
}

/* Copies the records at name of type (ANY: all) to section sec, skipping ones already in the
 * answer or in sec. Returns how many matched (copied or not). */
static size_t add_rrset(const zone *z, const dns_name *name, uint16_t type, dns_msg *m,
                        dns_section sec)
{
    size_t n = 0;
    for (guint i = 0; i < z->rrs->len; i++) {
        const dns_rr *rr = zone_rr(z, i);
        if ((type != DNS_T_ANY && rr->type != type) || !dns_name_eq(&rr->name, name))
            continue;
        n++;
        if (!has_rr(m, DNS_AN, rr) && !has_rr(m, sec, rr))
            dns_msg_add_copy(m, sec, rr);
    }
    return n;
}

/* The zone's SOA in the authority section, its TTL capped by MINIMUM (RFC 2308 §3). */
static void add_soa(const zone *z, dns_msg *m)
{
    dns_rr *soa = dns_msg_add_rr(m, DNS_NS);
    dns_rr_copy(soa, zone_rr(z, 0));
    soa->ttl = MIN(soa->ttl, soa->rd.soa.minimum);
}

/* Answers qname/qtype from zone z, following CNAMEs into any zone served here. */
static void resolve(dns_server *s, const zone *z, const dns_name *qname, uint16_t qtype,
                    dns_msg *m)
{
    dns_name name = *qname;
    for (int hop = 0; hop <= DNS_CNAME_MAX; hop++) {
        if (!name_exists(z, &name)) {
            m->rcode = DNS_RC_NXDOMAIN; /* RFC 6604: the rcode of the last name in the chain */
            add_soa(z, m);
            return;
        }
        const dns_rr *cname = find_rr(z, &name, DNS_T_CNAME);
        if (cname && qtype != DNS_T_CNAME && qtype != DNS_T_ANY) {
            if (has_rr(m, DNS_AN, cname))
                return; /* a CNAME loop in the zone: stop here */
            dns_msg_add_copy(m, DNS_AN, cname);
            name = cname->rd.target;
            z = find_zone(s, &name);
            if (!z)
                return; /* out of our zones: the resolver follows on */
            continue;
        }
        if (!add_rrset(z, &name, qtype, m, DNS_AN))
            add_soa(z, m); /* NODATA */
        return;
    }
}

/* Adds the A and AAAA records of name, if served here, to the additional section. */
static void add_addresses(dns_server *s, const dns_name *name, dns_msg *m)
{
    const zone *z = find_zone(s, name);
    if (!z)
        return;
    add_rrset(z, name, DNS_T_A, m, DNS_AR);
    add_rrset(z, name, DNS_T_AAAA, m, DNS_AR);
}

/* The additional section for one record: SRV and NS targets' addresses; for a NAPTR with flag
 * "s" the SRV records of its replacement, with "a" the replacement's addresses. */
static void additional_for(dns_server *s, const dns_rr *rr, dns_msg *m)
{
    dns_name target;
    switch (rr->type) {
    case DNS_T_SRV: target = rr->rd.srv.target; add_addresses(s, &target, m); return;
    case DNS_T_NS: target = rr->rd.target; add_addresses(s, &target, m); return;
    case DNS_T_NAPTR: {
        target = rr->rd.naptr.replacement;
        bool srv = memchr(rr->rd.naptr.flags.s, 's', rr->rd.naptr.flags.len) ||
                   memchr(rr->rd.naptr.flags.s, 'S', rr->rd.naptr.flags.len);
        bool a = memchr(rr->rd.naptr.flags.s, 'a', rr->rd.naptr.flags.len) ||
                 memchr(rr->rd.naptr.flags.s, 'A', rr->rd.naptr.flags.len);
        const zone *z = find_zone(s, &target);
        if (srv && z)
            add_rrset(z, &target, DNS_T_SRV, m, DNS_AR); /* their targets: next pass */
        if (a)
            add_addresses(s, &target, m);
        return;
    }
    default: return;
    }
}

static void additional(dns_server *s, dns_msg *m)
{
    for (size_t i = 0; i < dns_msg_count(m, DNS_AN); i++) {
        dns_rr rr = *dns_msg_rrs(m, DNS_AN, i); /* shallow: the arrays may move */
        additional_for(s, &rr, m);
    }
    for (size_t i = 0; i < dns_msg_count(m, DNS_AR); i++) {
        dns_rr rr = *dns_msg_rrs(m, DNS_AR, i);
        if (rr.type == DNS_T_SRV)
            additional_for(s, &rr, m);
    }
}

void dns_server_answer(dns_server *s, const dns_msg *q, dns_msg *m)
{
    dns_msg_init(m);
    m->id = q->id;
    m->qr = true;
    m->opcode = q->opcode;
    m->rd = q->rd;
    m->cd = q->cd;
    for (guint i = 0; i < q->qd->len; i++) {
        const dns_question *x = dns_msg_question(q, i);
        dns_msg_add_question(m, &x->name, x->type, x->qclass);
    }
    if (q->opcode != DNS_OP_QUERY) {
        m->rcode = DNS_RC_NOTIMP;
        return;
    }
    if (q->qd->len != 1) {
        m->rcode = DNS_RC_FORMERR;
        return;
    }
    const dns_question *x = dns_msg_question(q, 0);
    const zone *z = find_zone(s, &x->name);
    if (!z || (x->qclass != DNS_C_IN && x->qclass != DNS_C_ANY) || x->type == DNS_T_OPT) {
        m->rcode = DNS_RC_REFUSED;
        return;
    }
    m->aa = true;
    resolve(s, z, &x->name, x->type, m);
    additional(s, m);
}

/* ---------------------------------------------------------------- I/O */

static void count(dns_server *s, const dns_msg *m)
{
    switch (m->rcode) {
    case DNS_RC_NOERROR:
        if (dns_msg_count(m, DNS_AN))
            s->st.answers++;
        else
            s->st.nodata++;
        break;
    case DNS_RC_NXDOMAIN: s->st.nxdomain++; break;
    case DNS_RC_FORMERR: s->st.formerr++; break;
    case DNS_RC_NOTIMP: s->st.notimp++; break;
    default: s->st.refused++; break;
    }
}

/* Encodes m into an outbox entry for `to`, dropping the additional section and then every
 * record (with TC set) while it does not fit the UDP limit (RFC 2181 §9). */
static void respond(dns_server *s, const sim_ep *to, dns_msg *m)
{
    dns_out *o = g_new(dns_out, 1);
    o->to = *to;
    int rc = dns_msg_encode(m, 0, o->data, s->udp_max, &o->len);
    if (rc == -ENOSPC && dns_msg_count(m, DNS_AR)) {
        g_array_remove_range(m->rr[DNS_AR], 0, m->rr[DNS_AR]->len);
        rc = dns_msg_encode(m, 0, o->data, s->udp_max, &o->len);
    }
    if (rc == -ENOSPC) {
        for (int sec = DNS_AN; sec <= DNS_NS; sec++)
            g_array_remove_range(m->rr[sec], 0, m->rr[sec]->len);
        m->tc = true;
        s->st.truncated++;
        rc = dns_msg_encode(m, 0, o->data, s->udp_max, &o->len);
    }
    if (rc) { /* cannot happen with records that passed dns_server_add_rr */
        g_free(o);
        return;
    }
    g_queue_push_tail(&s->out, o);
}

int dns_server_input(dns_server *s, sim_time_t now, const sim_ep *from, const uint8_t *buf,
                     size_t len)
{
    (void)now;
    dns_msg q, m;
    if (dns_msg_decode(buf, len, &q, NULL) != 0) {
        if (len < DNS_HDR_LEN || (buf[2] & 0x80)) { /* not a query we can answer: drop */
            s->st.ignored++;
            return -ENOENT;
        }
        s->st.queries++;
        dns_msg_init(&m);
        m.id = (uint16_t)(buf[0] << 8 | buf[1]);
        m.qr = true;
        m.opcode = (buf[2] >> 3) & 0xF;
        m.rd = buf[2] & 1;
        m.rcode = DNS_RC_FORMERR;
        count(s, &m);
        respond(s, from, &m);
        dns_msg_clear(&m);
        return -EBADMSG;
    }
    if (q.qr) { /* a response: never answer one (no loops between servers) */
        dns_msg_clear(&q);
        s->st.ignored++;
        return -ENOENT;
    }
    s->st.queries++;
    dns_server_answer(s, &q, &m);
    count(s, &m);
    respond(s, from, &m);
    dns_msg_clear(&m);
    dns_msg_clear(&q);
    return 0;
}

bool dns_server_pop(dns_server *s, dns_out *out)
{
    dns_out *o = g_queue_pop_head(&s->out);
    if (!o)
        return false;
    *out = *o;
    g_free(o);
    return true;
}

const dns_server_stats *dns_server_get_stats(const dns_server *s) { return &s->st; }

size_t dns_server_n_zones(const dns_server *s) { return s->zones->len; }

size_t dns_server_n_records(const dns_server *s)
{
    size_t n = 0;
    for (guint i = 0; i < s->zones->len; i++)
        n += ((zone *)s->zones->pdata[i])->rrs->len;
    return n;
}
