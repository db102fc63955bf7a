/* protocols/mdns/mdns_answer.c — how the responder answers (RFC 6762 §6) and says goodbye
 * (§10.1).
 *
 *   query from port 5353 (a full mDNS querier)
 *     QU question, record multicast within the last quarter of its TTL  -> unicast, now (§5.4)
 *     otherwise                                                         -> multicast:
 *         only unique records: at once; any shared record: after a random 20-120 ms (§6),
 *         gathered with other answers due meanwhile, dropped if another host multicasts the
 *         same record first (duplicate answer suppression, §7.4)
 *   query from another port (legacy unicast, §6.7) -> unicast to it, now, with its id and
 *     questions, TTLs capped at 10 s, no cache-flush bits
 *   a record the query lists as a known answer with at least half our TTL left is left out
 *   (§7.1); a record multicast less than a second ago (a quarter second when defending
 *   against a probe) is not multicast again (§6); a question for a name we own with a type we do not have gets an NSEC record
 *   listing the types we do have (§6.1).
 * PTR answers carry the instance's SRV, TXT and the host's addresses as additional records,
 * SRV answers the addresses (RFC 6763 §12), address answers the addresses of the other
 * family or, when the host has none, an NSEC record saying so (§6.2). */
#include "protocols/mdns/mdns_resp_priv.h"

#include <errno.h>
#include <string.h>

/* True if query q lists rec as a known answer with at least half its TTL left (§7.1). */
static bool known_answer(const dns_msg *q, const mdns_rec *rec)
{
    for (size_t i = 0; i < dns_msg_count(q, DNS_AN); i++) {
        const dns_rr *ka = dns_msg_rrs(q, DNS_AN, i);
        if (dns_rr_same_data(ka, &rec->rr) && ka->ttl >= rec->rr.ttl / 2)
            return true;
    }
    return false;
}

static void add_unique(GArray *rrs, const dns_rr *rr, bool flush)
{
    if (mdns_rr_in(rrs, rr))
        return;
    mdns_put_array(rrs, rr);
    g_array_index(rrs, dns_rr, rrs->len - 1).cache_flush = flush;
}

/* The NSEC record for e (§6.1): next name e's own name, the types e has. */
static void make_nsec(const mdns_entry *e, dns_rr *out)
{
    uint16_t types[16];
    size_t n = 0;
    for (guint i = 0; i < e->recs->len && n < G_N_ELEMENTS(types); i++) {
        const mdns_rec *rec = &g_array_index(e->recs, mdns_rec, i);
        if (rec->unique && dns_name_eq(&rec->rr.name, &e->name))
            types[n++] = rec->rr.type;
    }
    memset(out, 0, sizeof *out);
    out->name = e->name;
    out->type = DNS_T_NSEC;
    out->rclass = DNS_C_IN;
    out->ttl = e->is_host ? MDNS_TTL_HOST : MDNS_TTL_OTHER;
    out->cache_flush = true;
    out->rd.nsec.next = e->name;
    dns_nsec_set_types(out, types, n);
}

/* Our answers to one question, into uc (unicast) or mc (multicast). */
static void answer_question(mdns_responder *r, const dns_msg *q, const dns_question *qn,
                            bool legacy, sim_time_t now, GArray *uc, GArray *mc)
{
    bool probe = dns_msg_count(q, DNS_NS) > 0;
    if (qn->qclass != DNS_C_IN && qn->qclass != DNS_C_ANY)
        return;
    for (guint i = 0; i < r->entries->len; i++) {
        mdns_entry *e = r->entries->pdata[i];
        if (e->state == MDNS_PROBING)
            continue;
        bool matched = false;
        for (guint j = 0; j < e->recs->len; j++) {
            mdns_rec *rec = &g_array_index(e->recs, mdns_rec, j);
            if (!dns_name_eq(&rec->rr.name, &qn->name) ||
                (qn->type != DNS_T_ANY && qn->type != rec->rr.type))
                continue;
            matched = true;
            if (known_answer(q, rec)) {
                r->stats.suppressed++;
                continue;
            }
            bool recent = rec->last_mcast != SIM_TIME_NEVER &&
                          now - rec->last_mcast < (sim_time_t)rec->rr.ttl * SIM_SEC / 4;
            bool unicast = legacy || (qn->unicast_response && recent);
            if (!unicast && rec->last_mcast != SIM_TIME_NEVER &&
                now - rec->last_mcast < (probe ? SIM_SEC / 4 : SIM_SEC)) {
                r->stats.rate_limited++; /* §6: once per second, a quarter for probes */
                continue;
            }
            add_unique(unicast ? uc : mc, &rec->rr, rec->unique);
        }
        if (!matched && dns_name_eq(&e->name, &qn->name)) {
            dns_rr nsec;
            make_nsec(e, &nsec);
            add_unique(legacy || qn->unicast_response ? uc : mc, &nsec, true);
            dns_rr_clear(&nsec);
            r->stats.nsec++;
        }
    }
}

/* Our entry that owns name (not while probing it), or NULL. */
static mdns_entry *entry_at(mdns_responder *r, const dns_name *name)
{
    for (guint k = 0; k < r->entries->len; k++) {
        mdns_entry *e = r->entries->pdata[k];
        if (e->state != MDNS_PROBING && dns_name_eq(&e->name, name))
            return e;
    }
    return NULL;
}

/* Appends e's unique records that are not answers already to add. */
static void add_entry_records(const mdns_entry *e, const GArray *an, GArray *add)
{
    for (guint j = 0; j < e->recs->len; j++) {
        const mdns_rec *rec = &g_array_index(e->recs, mdns_rec, j);
        if (rec->unique && !mdns_rr_in(an, &rec->rr))
            add_unique(add, &rec->rr, true);
    }
}

/* RFC 6762 §6.2: with an address answer go the host's addresses of the other family, or an
 * NSEC saying there are none. */
static void add_other_addresses(const mdns_entry *host, const GArray *an, GArray *add)
{
    bool has_other = false;
    for (guint j = 0; j < host->recs->len; j++) {
        const mdns_rec *rec = &g_array_index(host->recs, mdns_rec, j);
        if (mdns_rr_in(an, &rec->rr))
            continue;
        bool other = true;
        for (guint k = 0; k < an->len && other; k++)
            other = g_array_index(an, dns_rr, k).type != rec->rr.type;
        if (other) {
            add_unique(add, &rec->rr, true);
            has_other = true;
        }
    }
    if (has_other)
        return;
    dns_rr nsec;
    make_nsec(host, &nsec);
    add_unique(add, &nsec, true);
    dns_rr_clear(&nsec);
}

/* Adds the additional records for answers `an` to m (§6, RFC 6763 §12): for a PTR the
 * instance's SRV and TXT and the host's addresses, for an SRV the addresses. */
static void add_additionals(mdns_responder *r, const GArray *an, dns_msg *m, uint32_t ttl_cap,
                            bool flush_ok)
{
    GArray *add = mdns_rrs_new();
    for (guint i = 0; i < an->len; i++) {
        const dns_rr *a = &g_array_index(an, dns_rr, i);
        const dns_name *want = a->type == DNS_T_PTR ? &a->rd.target
                             : a->type == DNS_T_SRV ? &a->rd.srv.target : NULL;
        if ((a->type == DNS_T_A || a->type == DNS_T_AAAA) && r->host->state != MDNS_PROBING &&
            dns_name_eq(&a->name, &r->host->name)) {
            add_other_addresses(r->host, an, add); /* §6.2 */
            continue;
        }
        mdns_entry *e = want ? entry_at(r, want) : NULL;
        if (!e)
            continue;
        add_entry_records(e, an, add);
        if (!e->is_host && r->host->state != MDNS_PROBING)
            add_entry_records(r->host, an, add);
    }
    for (guint i = 0; i < add->len; i++) {
        const dns_rr *rr = &g_array_index(add, dns_rr, i);
        mdns_put_rr(m, DNS_AR, rr, rr->ttl < ttl_cap ? rr->ttl : ttl_cap,
                    flush_ok && rr->cache_flush);
    }
    mdns_rrs_free(add);
}

/* Builds and queues a response with answers an (of dns_rr, cache_flush meaning unique). */
static void send_response(mdns_responder *r, const GArray *an, const dns_msg *q,
                          const sim_ep *to, bool legacy)
{
    dns_msg m;
    dns_msg_init(&m);
    m.qr = m.aa = true;
    uint32_t cap = legacy ? MDNS_LEGACY_TTL_MAX : UINT32_MAX;
    if (legacy) { /* §6.7: id and questions echoed */
        m.id = q->id;
        for (size_t i = 0; i < q->qd->len; i++) {
            const dns_question *qn = dns_msg_question(q, i);
            dns_msg_add_question(&m, &qn->name, qn->type, qn->qclass);
        }
    }
    for (guint i = 0; i < an->len; i++) {
        const dns_rr *rr = &g_array_index(an, dns_rr, i);
        mdns_put_rr(&m, DNS_AN, rr, rr->ttl < cap ? rr->ttl : cap, !legacy && rr->cache_flush);
    }
    add_additionals(r, an, &m, cap, !legacy);
    mdns_queue_msg(r->outbox, &m, to);
    dns_msg_clear(&m);
    r->stats.answered++;
}

static int answer_query(mdns_responder *r, sim_time_t now, const sim_ep *from, const dns_msg *q)
{
    bool legacy = from->port != MDNS_PORT;
    r->stats.queries++;
    for (guint i = 0; !legacy && dns_msg_count(q, DNS_NS) && i < r->entries->len; i++) {
        mdns_entry *e = r->entries->pdata[i]; /* a simultaneous probe? (§8.2) */
        for (size_t k = 0; e->state == MDNS_PROBING && k < q->qd->len; k++)
            if (dns_name_eq(&dns_msg_question(q, k)->name, &e->name)) {
                mdns_tiebreak_probe(r, e, q, now);
                break;
            }
    }
    GArray *uc = mdns_rrs_new(), *mc = mdns_rrs_new();
    for (size_t i = 0; i < q->qd->len; i++)
        answer_question(r, q, dns_msg_question(q, i), legacy, now, uc, mc);
    if (uc->len) {
        send_response(r, uc, q, from, legacy);
        legacy ? r->stats.legacy++ : r->stats.unicast++;
    }
    bool shared = false;
    for (guint i = 0; i < mc->len; i++) {
        const dns_rr *rr = &g_array_index(mc, dns_rr, i);
        shared |= !rr->cache_flush;
        add_unique(r->pend, rr, rr->cache_flush);
    }
    if (mc->len) { /* §6: unique answers at once, shared ones after 20-120 ms */
        sim_time_t at = shared ? now + (20 + sim_rng_below(r->rng, 101)) * SIM_MS : now;
        if (at < r->pend_at)
            r->pend_at = at;
    }
    int rc = uc->len || mc->len ? 0 : -ENOENT;
    mdns_rrs_free(uc);
    mdns_rrs_free(mc);
    return rc;
}

void mdns_flush_pending(mdns_responder *r, sim_time_t now)
{
    if (r->pend_at > now)
        return;
    r->pend_at = SIM_TIME_NEVER;
    if (!r->pend->len)
        return;
    send_response(r, r->pend, NULL, NULL, false);
    r->stats.multicast++;
    for (guint i = 0; i < r->entries->len; i++) {
        mdns_entry *e = r->entries->pdata[i];
        for (guint j = 0; j < e->recs->len; j++) {
            mdns_rec *rec = &g_array_index(e->recs, mdns_rec, j);
            if (mdns_rr_in(r->pend, &rec->rr))
                rec->last_mcast = now;
        }
    }
    for (guint i = 0; i < r->pend->len; i++)
        dns_rr_clear(&g_array_index(r->pend, dns_rr, i));
    g_array_set_size(r->pend, 0);
}

/* §7.4: another responder multicast an answer we were about to give: drop ours. */
static void suppress_duplicates(mdns_responder *r, const dns_msg *m)
{
    for (size_t i = 0; i < dns_msg_count(m, DNS_AN); i++) {
        const dns_rr *rr = dns_msg_rrs(m, DNS_AN, i);
        for (guint j = 0; j < r->pend->len; j++) {
            dns_rr *p = &g_array_index(r->pend, dns_rr, j);
            if (dns_rr_same_data(p, rr) && rr->ttl >= p->ttl / 2) {
                dns_rr_clear(p);
                g_array_remove_index(r->pend, j);
                r->stats.suppressed++;
                break;
            }
        }
    }
}

int mdns_responder_input(mdns_responder *r, sim_time_t now, const sim_ep *from,
                         const uint8_t *buf, size_t len)
{
    if (!r->started || r->stopped)
        return -ENOENT;
    dns_msg m;
    if (dns_msg_decode(buf, len, &m, NULL) != 0) {
        r->stats.bad++;
        return -EBADMSG;
    }
    int rc = -ENOENT;
    if (m.opcode != DNS_OP_QUERY || m.rcode != 0) {
        /* §18.3, §18.11: other opcodes and non-zero rcodes are ignored */
    } else if (m.qr && from->port == MDNS_PORT) {
        mdns_check_response(r, &m, now);
        suppress_duplicates(r, &m);
        rc = 0;
    } else if (!m.qr) {
        rc = answer_query(r, now, from, &m);
    }
    dns_msg_clear(&m);
    mdns_flush_pending(r, now);
    return rc;
}

void mdns_send_goodbye(mdns_responder *r, mdns_entry *e)
{
    dns_msg m;
    dns_msg_init(&m);
    m.qr = m.aa = true;
    for (guint j = 0; j < e->recs->len; j++) {
        const dns_rr *rr = &g_array_index(e->recs, mdns_rec, j).rr;
        bool shared_elsewhere = false; /* the enumeration PTR of another instance */
        for (guint k = 0; k < r->entries->len && !shared_elsewhere; k++) {
            const mdns_entry *o = r->entries->pdata[k];
            for (guint i = 0; o != e && i < o->recs->len && !shared_elsewhere; i++)
                shared_elsewhere = dns_rr_same_data(&g_array_index(o->recs, mdns_rec, i).rr, rr);
        }
        if (!shared_elsewhere)
            mdns_put_rr(&m, DNS_AN, rr, 0, false);
    }
    mdns_queue_msg(r->outbox, &m, NULL);
    dns_msg_clear(&m);
    r->stats.goodbyes++;
    mdns_emit(r, MDNS_EV_GOODBYE, e, NULL, 0);
}
