/* protocols/mdns/mdns_querier.c — the mDNS querier (RFC 6762 §5.2, §7, §10), sans-I/O.
 *
 * Questions are asked continuously: the first query 20-120 ms after asking, then after 1 s,
 * 2 s, 4 s ... doubling up to 60 minutes, every query carrying the cached answers that still
 * have more than half their TTL as known answers (§7.1). When another host asks the same
 * question with no known answer we lack, ours counts as sent (duplicate question suppression,
 * §7.3).
 *
 * The cache holds every record of every response from port 5353 (answer and additional
 * sections), keyed by name, type, class and RDATA, with its TTL counted in virtual time. A
 * record that answers an active question is refreshed by queries at 80, 85, 90 and 95 % of its
 * TTL (each plus up to 2 % at random, §5.2); unrefreshed it is removed at 100 %. A goodbye (TTL
 * 0, §10.1) removes it one second later; a record with the cache-flush bit makes the other
 * records of its name, type and class that are over one second old expire one second later
 * (§10.2). Additions and removals are reported to the change callback. The cache is an array
 * in arrival order with an index by owner name (the records of one name, in arrival order),
 * at most MDNS_CACHE_MAX records (new records beyond that are counted and dropped). The
 * earliest expiry or refresh over the cache is kept up to date as records come (a full scan
 * only when the record that held it moves later or goes), so a packet costs the records of
 * its names, not the whole cache: 1,000 devices announcing on one LAN stay quadratic. */
#include "protocols/mdns/mdns_priv.h"

#include <errno.h>
#include <string.h>

#define REFRESHES 4

typedef struct centry {
    dns_rr rr;                    /* TTL: as received */
    sim_time_t received, expires;
    unsigned refresh;             /* refresh points passed (0..4) */
    sim_time_t refresh_at[REFRESHES];
} centry;

typedef struct question {
    dns_name name;
    uint16_t type;
    unsigned users;
    sim_time_t next;     /* next scheduled query */
    sim_time_t interval; /* the gap after it */
    bool due;            /* a refresh asks for it now */
} question;

struct mdns_querier {
    sim_rng *rng;
    GPtrArray *cache;    /* of centry * in arrival order */
    GHashTable *by_name; /* dns_name * (owned) -> GPtrArray of centry * (arrival order) */
    sim_time_t cache_next; /* earliest centry_deadline over the cache (unless dirty) */
    bool cache_dirty;    /* cache_next must be recomputed (settle) */
    GPtrArray *qs;       /* of question * */
    GQueue *outbox;
    mdns_cache_fn fn;
    void *ctx;
    mdns_querier_stats stats;
};

static void centry_free(void *p)
{
    centry *c = p;
    dns_rr_clear(&c->rr);
    g_free(c);
}

/* Owner names hash and compare ignoring ASCII case, like dns_name_eq. */
static guint name_hash(gconstpointer p)
{
    const dns_name *n = p;
    guint h = 5381;
    for (unsigned i = 0; i < n->len; i++)
        h = h * 33 + (guint)g_ascii_tolower((gchar)n->b[i]);
    return h;
}

static gboolean name_equal(gconstpointer a, gconstpointer b) { return dns_name_eq(a, b); }

static void bucket_free(void *p) { g_ptr_array_free(p, TRUE); }

mdns_querier *mdns_querier_new(sim_rng *rng)
{
    mdns_querier *q = g_new0(mdns_querier, 1);
    q->rng = rng;
    q->cache = g_ptr_array_new_with_free_func(centry_free);
    q->by_name = g_hash_table_new_full(name_hash, name_equal, g_free, bucket_free);
    q->cache_next = SIM_TIME_NEVER;
    q->qs = g_ptr_array_new_with_free_func(g_free);
    q->outbox = g_queue_new();
    return q;
}

void mdns_querier_free(mdns_querier *q)
{
    if (!q)
        return;
    g_hash_table_destroy(q->by_name);
    g_ptr_array_free(q->cache, TRUE);
    g_ptr_array_free(q->qs, TRUE);
    g_queue_free_full(q->outbox, g_free);
    g_free(q);
}

void mdns_querier_on_change(mdns_querier *q, mdns_cache_fn fn, void *ctx)
{
    q->fn = fn;
    q->ctx = ctx;
}

static bool answers(const dns_rr *rr, const dns_name *name, uint16_t type)
{
    return (type == DNS_T_ANY || rr->type == type) && dns_name_eq(&rr->name, name);
}

/* When c needs attention: its expiry, or its next refresh point if it answers a question. */
static sim_time_t centry_deadline(const mdns_querier *q, const centry *c)
{
    sim_time_t t = c->expires;
    for (guint k = 0; c->refresh < REFRESHES && k < q->qs->len; k++) {
        const question *x = q->qs->pdata[k];
        if (answers(&c->rr, &x->name, x->type)) {
            t = MIN(t, c->refresh_at[c->refresh]);
            break;
        }
    }
    return t;
}

/* c's deadline was `old` (SIM_TIME_NEVER for a new record) and may have changed. */
static void deadline_moved(mdns_querier *q, const centry *c, sim_time_t old)
{
    if (old != SIM_TIME_NEVER && old <= q->cache_next)
        q->cache_dirty = true; /* it held the earliest: it may be later now */
    else
        q->cache_next = MIN(q->cache_next, centry_deadline(q, c));
}

/* Recomputes the cache's earliest deadline if a change left it unknown. */
static void settle(mdns_querier *q)
{
    if (!q->cache_dirty)
        return;
    q->cache_next = SIM_TIME_NEVER;
    for (guint i = 0; i < q->cache->len; i++)
        q->cache_next = MIN(q->cache_next, centry_deadline(q, q->cache->pdata[i]));
    q->cache_dirty = false;
}

/* The cached records of one owner name, in arrival order, or NULL. */
static GPtrArray *bucket(const mdns_querier *q, const dns_name *name)
{
    return g_hash_table_lookup(q->by_name, name);
}

static question *find_q(const mdns_querier *q, const dns_name *name, uint16_t type)
{
    for (guint i = 0; i < q->qs->len; i++) {
        question *x = q->qs->pdata[i];
        if (x->type == type && dns_name_eq(&x->name, name))
            return x;
    }
    return NULL;
}

int mdns_querier_ask(mdns_querier *q, sim_time_t now, const dns_name *name, uint16_t type)
{
    if (type == 0 || type == DNS_T_OPT || !dns_name_valid(name))
        return -EINVAL;
    question *x = find_q(q, name, type);
    if (x) {
        x->users++;
        return 0;
    }
    x = g_new0(question, 1);
    x->name = *name;
    x->type = type;
    x->users = 1;
    x->next = now + (20 + sim_rng_below(q->rng, 101)) * SIM_MS; /* §5.2 */
    x->interval = SIM_SEC;
    g_ptr_array_add(q->qs, x);
    q->cache_dirty = true; /* its answers' refresh points count now */
    settle(q);
    return 0;
}

int mdns_querier_stop(mdns_querier *q, const dns_name *name, uint16_t type)
{
    question *x = find_q(q, name, type);
    if (!x)
        return -ENOENT;
    if (--x->users == 0) {
        g_ptr_array_remove(q->qs, x);
        q->cache_dirty = true;
        settle(q);
    }
    return 0;
}

/* Seconds of TTL left at now. */
static uint32_t ttl_left(const centry *c, sim_time_t now)
{
    return c->expires <= now ? 0 : (uint32_t)((c->expires - now + SIM_SEC - 1) / SIM_SEC);
}

size_t mdns_querier_find(const mdns_querier *q, sim_time_t now, const dns_name *name,
                         uint16_t type, GArray *out)
{
    size_t n = 0;
    GPtrArray *b = bucket(q, name);
    for (guint i = 0; b && i < b->len; i++) {
        const centry *c = b->pdata[i];
        if (c->expires <= now || !answers(&c->rr, name, type))
            continue;
        dns_rr cp;
        dns_rr_copy(&cp, &c->rr);
        cp.ttl = ttl_left(c, now);
        g_array_append_val(out, cp);
        n++;
    }
    return n;
}

/* ---------------------------------------------------------------- cache */

static void set_lifetime(mdns_querier *q, centry *c, sim_time_t now)
{
    c->received = now;
    c->expires = now + (sim_time_t)c->rr.ttl * SIM_SEC;
    c->refresh = 0;
    for (unsigned k = 0; k < REFRESHES; k++) { /* 80, 85, 90, 95 % plus 0-2 % (§5.2) */
        uint64_t permille = 800 + 50 * k + sim_rng_below(q->rng, 21);
        c->refresh_at[k] = now + (sim_time_t)c->rr.ttl * SIM_SEC / 1000 * permille;
    }
}

static centry *find_c(const mdns_querier *q, const dns_rr *rr)
{
    GPtrArray *b = bucket(q, &rr->name);
    for (guint i = 0; b && i < b->len; i++) {
        centry *c = b->pdata[i];
        if (dns_rr_same_data(&c->rr, rr))
            return c;
    }
    return NULL;
}

static void cache_record(mdns_querier *q, sim_time_t now, const dns_rr *rr)
{
    q->stats.records++;
    centry *c = find_c(q, rr);
    if (rr->ttl == 0) { /* goodbye: gone in one second (§10.1) */
        if (c && c->expires > now + SIM_SEC) {
            sim_time_t old = centry_deadline(q, c);
            c->expires = now + SIM_SEC;
            c->refresh = REFRESHES;
            deadline_moved(q, c, old);
        }
        return;
    }
    if (c) {
        sim_time_t old = centry_deadline(q, c);
        c->rr.ttl = rr->ttl;
        set_lifetime(q, c, now);
        deadline_moved(q, c, old);
        return;
    }
    if (q->cache->len >= MDNS_CACHE_MAX) { /* a flood of records: keep what we have */
        q->stats.cache_full++;
        return;
    }
    c = g_new0(centry, 1);
    dns_rr_copy(&c->rr, rr);
    c->rr.cache_flush = false;
    set_lifetime(q, c, now);
    g_ptr_array_add(q->cache, c);
    GPtrArray *b = bucket(q, &c->rr.name);
    if (!b) {
        b = g_ptr_array_new();
        g_hash_table_insert(q->by_name, g_memdup2(&c->rr.name, sizeof c->rr.name), b);
    }
    g_ptr_array_add(b, c);
    deadline_moved(q, c, SIM_TIME_NEVER);
    q->stats.added++;
    if (q->fn)
        q->fn(q->ctx, &c->rr, true);
}

/* §10.2: rr came with the cache-flush bit: older records of its RRset go in one second. */
static void cache_flush(mdns_querier *q, sim_time_t now, const dns_rr *rr)
{
    GPtrArray *b = bucket(q, &rr->name);
    for (guint i = 0; b && i < b->len; i++) {
        centry *c = b->pdata[i];
        if (c->rr.type != rr->type || c->rr.rclass != rr->rclass || dns_rr_same_data(&c->rr, rr))
            continue;
        if (c->received + SIM_SEC <= now && c->expires > now + SIM_SEC) {
            sim_time_t old = centry_deadline(q, c);
            c->expires = now + SIM_SEC;
            c->refresh = REFRESHES;
            deadline_moved(q, c, old);
            q->stats.flushed++;
        }
    }
}

static void expire(mdns_querier *q, sim_time_t now)
{
    for (guint i = 0; i < q->cache->len;) {
        centry *c = q->cache->pdata[i];
        if (c->expires > now) {
            i++;
            continue;
        }
        q->stats.removed++;
        if (q->fn)
            q->fn(q->ctx, &c->rr, false);
        GPtrArray *b = bucket(q, &c->rr.name);
        g_ptr_array_remove(b, c); /* keeps arrival order */
        if (!b->len)
            g_hash_table_remove(q->by_name, &c->rr.name);
        q->cache_dirty = true;
        g_ptr_array_remove_index(q->cache, i); /* keeps arrival order; frees c */
    }
}

/* §7.3: another host asked one of our questions with no known answer we lack. */
static void suppress_questions(mdns_querier *q, sim_time_t now, const dns_msg *m)
{
    for (size_t i = 0; i < m->qd->len; i++) {
        const dns_question *qn = dns_msg_question(m, i);
        question *x = find_q(q, &qn->name, qn->type);
        if (!x || qn->unicast_response || x->next > now + x->interval)
            continue;
        bool covered = true;
        for (size_t k = 0; k < dns_msg_count(m, DNS_AN) && covered; k++) {
            centry *c = find_c(q, dns_msg_rrs(m, DNS_AN, k));
            covered = c && ttl_left(c, now) > c->rr.ttl / 2;
        }
        if (!covered)
            continue;
        x->next = now + x->interval; /* as if we had just asked */
        x->interval = MIN(x->interval * 2, MDNS_QUERY_MAX_INTERVAL);
        q->stats.suppressed_questions++;
    }
}

int mdns_querier_input(mdns_querier *q, sim_time_t now, const sim_ep *from, const uint8_t *buf,
                       size_t len)
{
    dns_msg m;
    if (dns_msg_decode(buf, len, &m, NULL) != 0) {
        q->stats.bad++;
        return -EBADMSG;
    }
    int rc = 0;
    if (from->port != MDNS_PORT || m.opcode != DNS_OP_QUERY || m.rcode != 0) {
        q->stats.ignored++; /* §6: responses not from 5353 are not ours; §18.3, §18.11 */
        rc = -ENOENT;
    } else if (!m.qr) {
        suppress_questions(q, now, &m);
    } else {
        q->stats.responses++;
        for (int s = DNS_AN; s <= DNS_AR; s++)
            for (size_t i = 0; i < dns_msg_count(&m, s); i++)
                if (dns_msg_rrs(&m, s, i)->type != DNS_T_OPT)
                    cache_record(q, now, dns_msg_rrs(&m, s, i));
        for (int s = DNS_AN; s <= DNS_AR; s++)
            for (size_t i = 0; i < dns_msg_count(&m, s); i++)
                if (dns_msg_rrs(&m, s, i)->cache_flush)
                    cache_flush(q, now, dns_msg_rrs(&m, s, i));
    }
    dns_msg_clear(&m);
    settle(q);
    return rc;
}

/* ---------------------------------------------------------------- queries */

/* Marks the questions whose cached answers reached a refresh point. */
static void refresh_due(mdns_querier *q, sim_time_t now)
{
    for (guint i = 0; i < q->cache->len; i++) {
        centry *c = q->cache->pdata[i];
        if (c->refresh >= REFRESHES || c->refresh_at[c->refresh] > now)
            continue;
        while (c->refresh < REFRESHES && c->refresh_at[c->refresh] <= now)
            c->refresh++;
        q->cache_dirty = true;
        for (guint k = 0; k < q->qs->len; k++) {
            question *x = q->qs->pdata[k];
            if (answers(&c->rr, &x->name, x->type))
                x->due = true;
        }
    }
}

static void send_due(mdns_querier *q, sim_time_t now)
{
    dns_msg m;
    dns_msg_init(&m);
    for (guint i = 0; i < q->qs->len; i++) {
        question *x = q->qs->pdata[i];
        if (!x->due && x->next > now)
            continue;
        if (x->next <= now) {
            x->next = now + x->interval;
            x->interval = MIN(x->interval * 2, MDNS_QUERY_MAX_INTERVAL);
        }
        x->due = false;
        dns_msg_add_question(&m, &x->name, x->type, DNS_C_IN);
        GPtrArray *b = bucket(q, &x->name);
        for (guint k = 0; b && k < b->len; k++) { /* known answers (§7.1) */
            const centry *c = b->pdata[k];
            uint32_t left = ttl_left(c, now);
            if (answers(&c->rr, &x->name, x->type) && left > c->rr.ttl / 2 &&
                !mdns_rr_in(m.rr[DNS_AN], &c->rr)) {
                mdns_put_rr(&m, DNS_AN, &c->rr, left, false);
                q->stats.known_answers++;
            }
        }
    }
    if (m.qd->len) {
        q->stats.queries++;
        q->stats.questions += m.qd->len;
        mdns_queue_msg(q->outbox, &m, NULL);
    }
    dns_msg_clear(&m);
}

void mdns_querier_timeout(mdns_querier *q, sim_time_t now)
{
    expire(q, now);
    refresh_due(q, now);
    send_due(q, now);
    settle(q);
}

sim_time_t mdns_querier_next_deadline(const mdns_querier *q)
{
    sim_time_t t = SIM_TIME_NEVER;
    for (guint i = 0; i < q->qs->len; i++) {
        const question *x = q->qs->pdata[i];
        t = MIN(t, x->next);
    }
    return MIN(t, q->cache_next); /* settled by every call that changes the cache */
}

bool mdns_querier_pop(mdns_querier *q, mdns_out *out) { return mdns_pop_out(q->outbox, out); }

size_t mdns_querier_cache_size(const mdns_querier *q) { return q->cache->len; }

const mdns_querier_stats *mdns_querier_get_stats(const mdns_querier *q) { return &q->stats; }
