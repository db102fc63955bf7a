/* protocols/mdns/mdns_responder.c — a host's own mDNS records (RFC 6762), sans-I/O.
 *
 * The records come in "entries", one per unique name the host claims: the host name (its A
 * and AAAA records) and each DNS-SD service instance (SRV and TXT, unique, plus the shared PTR
 * records that point at it). Each entry lives through:
 *
 *   PROBING     random 0-250 ms, then 3 probes 250 ms apart (question "name ANY" with the QU
 *               bit, the proposed records in the authority section, §8.1); a response holding
 *               the name, or a simultaneous probe that wins the §8.2 tie-break, means conflict
 *   ANNOUNCING  250 ms after the third probe: 2 unsolicited responses 1 s apart (§8.3), the
 *               unique records with the cache-flush bit
 *   ANNOUNCED   answers queries; a conflicting response sends it back to PROBING (§9)
 *
 * A conflict renames the entry ("myprinter" -> "myprinter (2)", "myhost" -> "myhost-2") and
 * probes again; after 15 conflicts within 10 s each new probing waits 5 s (§8.1). Answering
 * and the goodbyes are in mdns_answer.c. */
#include "protocols/mdns/mdns_resp_priv.h"

#include <errno.h>
#include <string.h>

const char *mdns_state_name(mdns_state s)
{
    static const char *const n[] = { "probing", "announcing", "announced" };
    return s <= MDNS_ANNOUNCED ? n[s] : "?";
}

const char *mdns_event_name(mdns_event_kind k)
{
    static const char *const n[] = { "probe", "conflict", "renamed", "announce", "ready",
                                     "goodbye" };
    return k <= MDNS_EV_GOODBYE ? n[k] : "?";
}

void mdns_emit(mdns_responder *r, mdns_event_kind k, const mdns_entry *e, const char *name2,
               unsigned n)
{
    if (!r->ev_fn)
        return;
    mdns_event ev = { .kind = k, .name = e->full, .name2 = name2, .n = n };
    r->ev_fn(r->ev_ctx, &ev);
}

/* ---------------------------------------------------------------- building records */

static void add_rec(mdns_entry *e, const dns_rr *rr, bool unique)
{
    mdns_rec rec = { .unique = unique, .last_mcast = SIM_TIME_NEVER };
    dns_rr_copy(&rec.rr, rr);
    g_array_append_val(e->recs, rec);
}

static void clear_recs(mdns_entry *e)
{
    for (guint i = 0; i < e->recs->len; i++)
        dns_rr_clear(&g_array_index(e->recs, mdns_rec, i).rr);
    g_array_set_size(e->recs, 0);
}

/* The current label: the base with " (n)" (instances) or "-n" (host names) for n >= 2. */
static char *make_label(const mdns_entry *e)
{
    if (e->suffix < 2)
        return g_strdup(e->base);
    return e->is_host ? g_strdup_printf("%s-%u", e->base, e->suffix)
                      : g_strdup_printf("%s (%u)", e->base, e->suffix);
}

/* (Re)builds e's records from its label; the host entry must exist (SRV target). Returns 0 or
 * -EINVAL (the label or the name is too long). */
static int build_entry(mdns_responder *r, mdns_entry *e)
{
    char *label = make_label(e);
    dns_name name;
    int rc = e->is_host ? mdns_host_name(label, &name)
                        : mdns_sd_instance_name(label, e->service, &name);
    if (rc) {
        g_free(label);
        return -EINVAL;
    }
    g_free(e->label);
    e->label = label;
    e->name = name;
    dns_name_fmt(&e->name, e->full, sizeof e->full);
    clear_recs(e);
    if (e->is_host) {
        for (guint i = 0; i < r->addrs->len; i++) {
            const sim_ip *ip = &g_array_index(r->addrs, sim_ip, i);
            dns_rr rr = { .name = e->name, .rclass = DNS_C_IN, .ttl = MDNS_TTL_HOST };
            rr.type = ip->family == SIM_AF_INET ? DNS_T_A : DNS_T_AAAA;
            memcpy(rr.type == DNS_T_A ? rr.rd.a : rr.rd.aaaa, ip->b,
                   rr.type == DNS_T_A ? 4 : 16);
            add_rec(e, &rr, true);
        }
        return 0;
    }
    GArray *rrs = mdns_rrs_new();
    GPtrArray *txt = e->txt;
    rc = mdns_sd_records(&e->name, e->service, &r->host->name, e->port,
                         (const char *const *)txt->pdata, txt->len, rrs);
    for (guint i = 0; rc == 0 && i < rrs->len; i++) {
        dns_rr *rr = &g_array_index(rrs, dns_rr, i);
        add_rec(e, rr, rr->type == DNS_T_SRV || rr->type == DNS_T_TXT);
    }
    mdns_rrs_free(rrs);
    return rc;
}

int mdns_host_name(const char *label, dns_name *out)
{
    if (!label || !*label || strchr(label, '.') || strlen(label) > DNS_LABEL_MAX)
        return -EINVAL;
    char *s = g_strdup_printf("%s.local", label);
    int rc = dns_name_from_str(s, out);
    g_free(s);
    return rc;
}

static mdns_entry *entry_new(mdns_responder *r, bool is_host, const char *base)
{
    mdns_entry *e = g_new0(mdns_entry, 1);
    e->is_host = is_host;
    e->base = g_strdup(base);
    e->suffix = 1;
    e->recs = g_array_new(FALSE, TRUE, sizeof(mdns_rec));
    e->txt = g_ptr_array_new_with_free_func(g_free);
    e->next = SIM_TIME_NEVER;
    g_ptr_array_add(r->entries, e);
    return e;
}

static void entry_free(void *p)
{
    mdns_entry *e = p;
    clear_recs(e);
    g_array_free(e->recs, TRUE);
    g_ptr_array_free(e->txt, TRUE);
    g_free(e->base);
    g_free(e->label);
    g_free(e->service);
    g_free(e);
}

/* ---------------------------------------------------------------- lifecycle */

/* The addresses of the IP families mDNS gives out, in the given order, into out (emptied). */
static void put_addrs(GArray *out, const sim_ip *addrs, size_t n)
{
    g_array_set_size(out, 0);
    for (size_t i = 0; i < n; i++)
        if (addrs[i].family == SIM_AF_INET || addrs[i].family == SIM_AF_INET6)
            g_array_append_val(out, addrs[i]);
}


mdns_responder *mdns_responder_new(const char *hostname, const sim_ip *addrs, size_t n,
                                   sim_rng *rng)
{
    dns_name probe;
    if (mdns_host_name(hostname, &probe) != 0)
        return NULL;
    mdns_responder *r = g_new0(mdns_responder, 1);
    r->rng = rng;
    r->entries = g_ptr_array_new_with_free_func(entry_free);
    r->addrs = g_array_new(FALSE, TRUE, sizeof(sim_ip));
    put_addrs(r->addrs, addrs, n);
    r->outbox = g_queue_new();
    r->pend = mdns_rrs_new();
    r->pend_at = SIM_TIME_NEVER;
    r->conflicts = g_array_new(FALSE, FALSE, sizeof(sim_time_t));
    r->host = entry_new(r, true, hostname);
    build_entry(r, r->host);
    return r;
}

void mdns_responder_free(mdns_responder *r)
{
    if (!r)
        return;
    g_ptr_array_free(r->entries, TRUE);
    g_array_free(r->addrs, TRUE);
    g_queue_free_full(r->outbox, g_free);
    mdns_rrs_free(r->pend);
    g_array_free(r->conflicts, TRUE);
    g_free(r);
}

void mdns_responder_on_event(mdns_responder *r, mdns_event_fn fn, void *ctx)
{
    r->ev_fn = fn;
    r->ev_ctx = ctx;
}

/* When a new probing round may start: a random 0-250 ms from now (§8.1), or 5 s once 15
 * conflicts happened within the last 10 s (§8.1 rate limit). */
static sim_time_t probe_start(mdns_responder *r, sim_time_t now)
{
    GArray *c = r->conflicts;
    if (c->len >= MDNS_CONFLICT_MAX &&
        now - g_array_index(c, sim_time_t, c->len - MDNS_CONFLICT_MAX) < MDNS_CONFLICT_WINDOW)
        return now + MDNS_CONFLICT_WAIT;
    return now + sim_rng_below(r->rng, (uint32_t)(MDNS_PROBE_INTERVAL / SIM_US) + 1) * SIM_US;
}

static void start_probing(mdns_entry *e, sim_time_t at)
{
    e->state = MDNS_PROBING;
    e->sent = 0;
    e->next = at;
}

int mdns_responder_start(mdns_responder *r, sim_time_t now)
{
    if (r->started)
        return -EALREADY;
    r->started = true;
    for (guint i = 0; i < r->entries->len; i++)
        start_probing(r->entries->pdata[i], probe_start(r, now));
    return 0;
}

int mdns_responder_publish(mdns_responder *r, sim_time_t now, const char *instance,
                           const char *service, uint16_t port, const char *const *txt,
                           size_t ntxt)
{
    dns_name n;
    if (!instance || mdns_sd_instance_name(instance, service, &n) != 0)
        return -EINVAL;
    for (size_t i = 0; i < ntxt; i++)
        if (strlen(txt[i]) > 255)
            return -EINVAL;
    if (mdns_find_service(r, instance, service))
        return -EEXIST;
    mdns_entry *e = entry_new(r, false, instance);
    e->service = g_strdup(service);
    e->port = port;
    for (size_t i = 0; i < ntxt; i++)
        g_ptr_array_add(e->txt, g_strdup(txt[i]));
    if (build_entry(r, e) != 0) {
        g_ptr_array_remove(r->entries, e);
        return -EINVAL;
    }
    if (r->started)
        start_probing(e, probe_start(r, now));
    return 0;
}

/* True if rr (same name, type, class and data) is one of e's records. */
static bool entry_has(const mdns_entry *e, const dns_rr *rr)
{
    for (guint i = 0; i < e->recs->len; i++)
        if (dns_rr_same_data(&g_array_index(e->recs, mdns_rec, i).rr, rr))
            return true;
    return false;
}

int mdns_responder_set_addrs(mdns_responder *r, sim_time_t now, const sim_ip *addrs, size_t n)
{
    GArray *next = g_array_new(FALSE, TRUE, sizeof(sim_ip));
    put_addrs(next, addrs, n);
    bool same = next->len == r->addrs->len;
    for (guint i = 0; same && i < next->len; i++)
        same = sim_ip_eq(&g_array_index(next, sim_ip, i), &g_array_index(r->addrs, sim_ip, i));
    if (same) {
        g_array_free(next, TRUE);
        return -EALREADY;
    }
    g_array_free(r->addrs, TRUE);
    r->addrs = next;
    build_entry(r, r->host); /* same label: only the A / AAAA records change */
    r->stats.address_changes++;
    mdns_entry *e = r->host;
    /* A delayed answer (§6) must not carry an address given up: its cache-flush bit would
     * flush the new one from the neighbours' caches. */
    for (guint j = 0; j < r->pend->len;) {
        dns_rr *p = &g_array_index(r->pend, dns_rr, j);
        if ((p->type == DNS_T_A || p->type == DNS_T_AAAA) && dns_name_eq(&p->name, &e->name) &&
            !entry_has(e, p)) {
            dns_rr_clear(p);
            g_array_remove_index(r->pend, j);
        } else {
            j++;
        }
    }
    /* §8.4: new data in a unique record -> announce again (the cache-flush bit removes the
     * old A records from the neighbours' caches, §10.2, so no goodbye for them). A name still
     * probing simply probes with the new records; with no address left there is nothing to
     * announce until one comes. */
    if (!r->started || r->stopped || e->state == MDNS_PROBING || !r->addrs->len)
        return 0;
    e->state = MDNS_ANNOUNCING;
    e->sent = 0;
    e->next = now;
    return 0;
}

mdns_entry *mdns_find_service(mdns_responder *r, const char *instance, const char *service)
{
    for (guint i = 1; i < r->entries->len; i++) {
        mdns_entry *e = r->entries->pdata[i];
        if (strcmp(e->base, instance) == 0 && g_ascii_strcasecmp(e->service, service) == 0)
            return e;
    }
    return NULL;
}

int mdns_responder_unpublish(mdns_responder *r, sim_time_t now, const char *instance,
                             const char *service)
{
    mdns_entry *e = mdns_find_service(r, instance, service);
    if (!e)
        return -ENOENT;
    if (e->state != MDNS_PROBING)
        mdns_send_goodbye(r, e);
    (void)now;
    g_ptr_array_remove(r->entries, e);
    return 0;
}

void mdns_responder_stop(mdns_responder *r, sim_time_t now)
{
    (void)now;
    if (r->stopped)
        return;
    for (guint i = 0; i < r->entries->len; i++) {
        mdns_entry *e = r->entries->pdata[i];
        if (r->started && e->state != MDNS_PROBING)
            mdns_send_goodbye(r, e);
        e->next = SIM_TIME_NEVER;
    }
    g_array_set_size(r->pend, 0);
    r->pend_at = SIM_TIME_NEVER;
    r->stopped = true;
}

/* ---------------------------------------------------------------- probing and announcing */

static void send_probe(mdns_responder *r, mdns_entry *e)
{
    dns_msg m;
    dns_msg_init(&m);
    dns_msg_add_question(&m, &e->name, DNS_T_ANY, DNS_C_IN)->unicast_response = true;
    for (guint i = 0; i < e->recs->len; i++) {
        const mdns_rec *rec = &g_array_index(e->recs, mdns_rec, i);
        if (rec->unique)
            mdns_put_rr(&m, DNS_NS, &rec->rr, rec->rr.ttl, false);
    }
    mdns_queue_msg(r->outbox, &m, NULL);
    dns_msg_clear(&m);
    r->stats.probes++;
}

static void send_announce(mdns_responder *r, mdns_entry *e, sim_time_t now)
{
    dns_msg m;
    dns_msg_init(&m);
    m.qr = m.aa = true;
    for (guint i = 0; i < e->recs->len; i++) {
        mdns_rec *rec = &g_array_index(e->recs, mdns_rec, i);
        mdns_put_rr(&m, DNS_AN, &rec->rr, rec->rr.ttl, rec->unique);
        rec->last_mcast = now;
    }
    mdns_queue_msg(r->outbox, &m, NULL);
    dns_msg_clear(&m);
    r->stats.announcements++;
}

/* Does what entry e has due at now. */
static void entry_step(mdns_responder *r, mdns_entry *e, sim_time_t now)
{
    if (e->state == MDNS_PROBING && e->sent < MDNS_PROBES) {
        send_probe(r, e);
        e->sent++;
        e->next = now + MDNS_PROBE_INTERVAL;
        mdns_emit(r, MDNS_EV_PROBE, e, NULL, e->sent);
        return;
    }
    if (e->state == MDNS_PROBING) { /* 250 ms after the third probe, nobody objected */
        e->state = MDNS_ANNOUNCING;
        e->sent = 0;
    }
    if (e->state == MDNS_ANNOUNCING) {
        send_announce(r, e, now);
        e->sent++;
        mdns_emit(r, MDNS_EV_ANNOUNCE, e, NULL, e->sent);
        if (e->sent < MDNS_ANNOUNCEMENTS) {
            e->next = now + MDNS_ANNOUNCE_INTERVAL;
            return;
        }
        e->state = MDNS_ANNOUNCED;
        mdns_emit(r, MDNS_EV_READY, e, NULL, 0);
    }
    e->next = SIM_TIME_NEVER;
}

void mdns_responder_timeout(mdns_responder *r, sim_time_t now)
{
    if (r->stopped || !r->started)
        return;
    for (guint i = 0; i < r->entries->len; i++) {
        mdns_entry *e = r->entries->pdata[i];
        if (e->next <= now)
            entry_step(r, e, now);
    }
    mdns_flush_pending(r, now);
}

sim_time_t mdns_responder_next_deadline(const mdns_responder *r)
{
    if (r->stopped || !r->started)
        return SIM_TIME_NEVER;
    sim_time_t t = r->pend_at;
    for (guint i = 0; i < r->entries->len; i++) {
        const mdns_entry *e = r->entries->pdata[i];
        if (e->next < t)
            t = e->next;
    }
    return t;
}

bool mdns_responder_pop(mdns_responder *r, mdns_out *out) { return mdns_pop_out(r->outbox, out); }

/* ---------------------------------------------------------------- conflicts */

/* Another host holds e's name: count the conflict, rename e (and, for the host name, rebuild
 * the SRV records that point at it), and probe the new name (§9). */
void mdns_conflict(mdns_responder *r, mdns_entry *e, sim_time_t now)
{
    r->stats.conflicts++;
    g_array_append_val(r->conflicts, now);
    if (r->conflicts->len > 64) /* only the last 15 matter */
        g_array_remove_range(r->conflicts, 0, r->conflicts->len - MDNS_CONFLICT_MAX);
    mdns_emit(r, MDNS_EV_CONFLICT, e, NULL, 0);
    char old[DNS_NAME_STRLEN];
    g_strlcpy(old, e->full, sizeof old);
    e->suffix++;
    if (build_entry(r, e) != 0) { /* the name would pass 63 bytes: shorten the base */
        e->base[strlen(e->base) / 2] = 0;
        build_entry(r, e);
    }
    r->stats.renames++;
    if (r->ev_fn) {
        mdns_event ev = { .kind = MDNS_EV_RENAMED, .name = old, .name2 = e->full };
        r->ev_fn(r->ev_ctx, &ev);
    }
    start_probing(e, probe_start(r, now));
    if (!e->is_host)
        return;
    for (guint i = 1; i < r->entries->len; i++) { /* SRV targets follow the host name */
        mdns_entry *s = r->entries->pdata[i];
        build_entry(r, s);
        if (s->state != MDNS_PROBING) {
            s->state = MDNS_ANNOUNCING;
            s->sent = 0;
            s->next = e->next; /* announced again once they changed (§8.4) */
        }
    }
}

/* RFC 6762 §8.2: a query from another host probing e's name: compare its proposed records
 * (authority section) with ours. Losing defers our probing by one second. */
void mdns_tiebreak_probe(mdns_responder *r, mdns_entry *e, const dns_msg *q, sim_time_t now)
{
    GArray *theirs = mdns_rrs_new(), *ours = mdns_rrs_new();
    for (size_t i = 0; i < dns_msg_count(q, DNS_NS); i++) {
        const dns_rr *rr = dns_msg_rrs(q, DNS_NS, i);
        if (dns_name_eq(&rr->name, &e->name))
            mdns_put_array(theirs, rr);
    }
    for (guint i = 0; i < e->recs->len; i++) {
        const mdns_rec *rec = &g_array_index(e->recs, mdns_rec, i);
        if (rec->unique)
            mdns_put_array(ours, &rec->rr);
    }
    int c = theirs->len ? mdns_tiebreak(ours, theirs) : 0;
    mdns_rrs_free(theirs);
    mdns_rrs_free(ours);
    if (c < 0) {
        r->stats.tiebreak_lost++;
        mdns_emit(r, MDNS_EV_CONFLICT, e, NULL, 0);
        e->sent = 0;
        e->next = now + SIM_SEC;
    } else if (c > 0) {
        r->stats.tiebreak_won++;
    }
}

void mdns_put_array(GArray *rrs, const dns_rr *rr)
{
    dns_rr c;
    dns_rr_copy(&c, rr);
    g_array_append_val(rrs, c);
}

/* A response from another host: does it claim a name we hold or probe? (§8.1, §9) */
void mdns_check_response(mdns_responder *r, const dns_msg *m, sim_time_t now)
{
    for (guint i = 0; i < r->entries->len; i++) {
        mdns_entry *e = r->entries->pdata[i];
        bool clash = false;
        for (int s = DNS_AN; s <= DNS_AR && !clash; s++)
            for (size_t j = 0; j < dns_msg_count(m, s) && !clash; j++)
                clash = mdns_entry_clashes(e, dns_msg_rrs(m, s, j));
        if (!clash)
            continue;
        if (e->state == MDNS_PROBING) {
            mdns_conflict(r, e, now);
        } else { /* §9: back to probing the same name; the other host defends or yields */
            r->stats.conflicts++;
            g_array_append_val(r->conflicts, now);
            mdns_emit(r, MDNS_EV_CONFLICT, e, NULL, 0);
            start_probing(e, probe_start(r, now));
        }
    }
}

bool mdns_entry_clashes(const mdns_entry *e, const dns_rr *rr)
{
    if (rr->ttl == 0 || !dns_name_eq(&rr->name, &e->name) || rr->rclass != DNS_C_IN)
        return false;
    bool same_type = false;
    for (guint i = 0; i < e->recs->len; i++) {
        const mdns_rec *rec = &g_array_index(e->recs, mdns_rec, i);
        if (!rec->unique)
            continue;
        if (dns_rr_same_data(&rec->rr, rr))
            return false; /* our own data, from us or a cache */
        same_type |= rec->rr.type == rr->type;
    }
    /* while probing any record of the name is a conflict (§8.1); once announced only a
     * different record of a type we hold (§9) */
    return e->state == MDNS_PROBING || same_type;
}

/* ---------------------------------------------------------------- accessors */

const char *mdns_responder_hostname(const mdns_responder *r) { return r->host->label; }

bool mdns_responder_ready(const mdns_responder *r)
{
    for (guint i = 0; i < r->entries->len; i++)
        if (((mdns_entry *)r->entries->pdata[i])->state == MDNS_PROBING)
            return false;
    return r->started;
}

size_t mdns_responder_n_services(const mdns_responder *r) { return r->entries->len - 1; }

const char *mdns_responder_service_name(const mdns_responder *r, size_t i)
{
    return i + 1 < r->entries->len ? ((mdns_entry *)r->entries->pdata[i + 1])->full : NULL;
}

const mdns_responder_stats *mdns_responder_get_stats(const mdns_responder *r)
{
    return &r->stats;
}
