/* protocols/dns/dns_resolver.c — the stub resolver core (sans-I/O): one query per lookup to a
 * configured server, retransmitted after 1, 2, 4 ... s (RFC 1035 §4.2.1 leaves the timer to
 * the implementation; RFC 1536 §1 asks for exponential back-off), responses matched by id,
 * source and question (RFC 5452 §4.3), a cache of RRsets by TTL in virtual time (RFC 1035
 * §7.4, RFC 2181 §5.2: the TTL of an RRset is its smallest), negative answers cached for
 * min(SOA TTL, SOA MINIMUM) (RFC 2308 §5), CNAME chains followed through the cache and, when a
 * response ends in a CNAME, by a further query. */
#include "protocols/dns/dns.h"

#include <errno.h>
#include <string.h>

/* A cache entry: an RRset (positive) or a negative answer, for (name, type). */
typedef struct centry {
    sim_time_t expires;
    dns_status status; /* DNS_OK, DNS_NXDOMAIN (type ignored), DNS_NODATA */
    GArray *rrs;       /* of dns_rr (DNS_OK) */
} centry;

/* A lookup waiting for the network. */
typedef struct lookup {
    unsigned id;
    uint16_t qid;      /* the DNS message id of the query in flight */
    dns_name name;     /* as asked */
    dns_name cur;      /* the name queried now (after CNAMEs) */
    uint16_t type;
    unsigned hops;
    unsigned sent;     /* transmissions of the current query */
    unsigned total;    /* datagrams for the whole lookup */
    sim_time_t started, next, rto;
    dns_result_fn fn;
    void *ctx;
} lookup;

struct dns_resolver {
    dns_resolver_cfg cfg;
    sim_rng *rng;
    GHashTable *cache; /* "name/type" (lower case) -> centry* */
    GPtrArray *pending; /* of lookup*, in start order */
    GQueue out;
    unsigned next_id;
    dns_resolver_stats st;
};

static void centry_free(void *p)
{
    centry *c = p;
    if (c->rrs)
        g_array_free(c->rrs, TRUE);
    g_free(c);
}

static void rr_clear_fn(void *p) { dns_rr_clear(p); }

static GArray *rr_array(void)
{
    GArray *a = g_array_new(FALSE, TRUE, sizeof(dns_rr));
    g_array_set_clear_func(a, rr_clear_fn);
    return a;
}

dns_resolver *dns_resolver_new(const dns_resolver_cfg *cfg, sim_rng *rng)
{
    dns_resolver *r = g_new0(dns_resolver, 1);
    r->cfg = *cfg;
    if (!r->cfg.rto)
        r->cfg.rto = DNS_RTO_DEFAULT;
    if (!r->cfg.tries)
        r->cfg.tries = DNS_TRIES_DEFAULT;
    r->rng = rng;
    r->cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, centry_free);
    r->pending = g_ptr_array_new_with_free_func(g_free);
    g_queue_init(&r->out);
    return r;
}

void dns_resolver_free(dns_resolver *r)
{
    if (!r)
        return;
    g_hash_table_destroy(r->cache);
    g_ptr_array_free(r->pending, TRUE);
    g_queue_clear_full(&r->out, g_free);
    g_free(r);
}

const char *dns_status_name(dns_status st)
{
    static const char *const names[] = { "ok",         "NXDOMAIN",     "NODATA",
                                         "timeout",    "server error", "truncated" };
    return st < G_N_ELEMENTS(names) ? names[st] : "?";
}

/* ---------------------------------------------------------------- cache */

static char *ckey(const dns_name *n, uint16_t type)
{
    char b[DNS_NAME_STRLEN];
    dns_name_fmt(n, b, sizeof b);
    char *low = g_ascii_strdown(b, -1);
    char *k = g_strdup_printf("%s/%u", low, type);
    g_free(low);
    return k;
}

/* The live entry for (name, type), purging it when expired. */
static centry *cache_get(dns_resolver *r, sim_time_t now, const dns_name *n, uint16_t type)
{
    char *k = ckey(n, type);
    centry *c = g_hash_table_lookup(r->cache, k);
    if (c && c->expires <= now) {
        g_hash_table_remove(r->cache, k);
        c = NULL;
    }
    g_free(k);
    return c;
}

static void cache_put(dns_resolver *r, const dns_name *n, uint16_t type, centry *c)
{
    g_hash_table_replace(r->cache, ckey(n, type), c);
}

/* Caches the RRset of (name, type) found in section sec of m: TTL the smallest of the set. */
static void cache_rrset(dns_resolver *r, sim_time_t now, const dns_msg *m, dns_section sec,
                        const dns_name *name, uint16_t type)
{
    centry *c = g_new0(centry, 1);
    c->status = DNS_OK;
    c->rrs = rr_array();
    uint32_t ttl = UINT32_MAX;
    for (size_t i = 0; i < dns_msg_count(m, sec); i++) {
        const dns_rr *rr = dns_msg_rrs(m, sec, i);
        if (rr->type != type || !dns_name_eq(&rr->name, name))
            continue;
        g_array_set_size(c->rrs, c->rrs->len + 1);
        dns_rr_copy(&g_array_index(c->rrs, dns_rr, c->rrs->len - 1), rr);
        ttl = MIN(ttl, rr->ttl);
    }
    if (!c->rrs->len || ttl == 0) { /* TTL 0: use once, never cache (RFC 1035 §3.2.1) */
        centry_free(c);
        return;
    }
    c->expires = now + (sim_time_t)ttl * SIM_SEC;
    cache_put(r, name, type, c);
}

/* Caches every RRset of section sec (each (name, type) once). */
static void cache_section(dns_resolver *r, sim_time_t now, const dns_msg *m, dns_section sec)
{
    for (size_t i = 0; i < dns_msg_count(m, sec); i++) {
        const dns_rr *rr = dns_msg_rrs(m, sec, i);
        bool first = true;
        for (size_t j = 0; j < i && first; j++) {
            const dns_rr *x = dns_msg_rrs(m, sec, j);
            first = !(x->type == rr->type && dns_name_eq(&x->name, &rr->name));
        }
        if (first && rr->type != DNS_T_OPT && rr->type != DNS_T_SOA)
            cache_rrset(r, now, m, sec, &rr->name, rr->type);
    }
}

/* Caches a negative answer when the authority section has an SOA (RFC 2308 §5). */
static void cache_negative(dns_resolver *r, sim_time_t now, const dns_msg *m,
                           const dns_name *name, uint16_t type, dns_status st)
{
    for (size_t i = 0; i < dns_msg_count(m, DNS_NS); i++) {
        const dns_rr *soa = dns_msg_rrs(m, DNS_NS, i);
        if (soa->type != DNS_T_SOA)
            continue;
        uint32_t ttl = MIN(soa->ttl, soa->rd.soa.minimum);
        if (!ttl)
            return;
        centry *c = g_new0(centry, 1);
        c->status = st;
        c->expires = now + (sim_time_t)ttl * SIM_SEC;
        cache_put(r, name, st == DNS_NXDOMAIN ? DNS_T_ANY : type, c);
        return;
    }
}

/* Answers name/type from the cache, following cached CNAMEs: fills res and returns true, or
 * returns false on a miss. */
static bool cache_answer(dns_resolver *r, sim_time_t now, const dns_name *name, uint16_t type,
                         dns_result *res)
{
    dns_name cur = *name;
    for (unsigned hop = 0; hop <= DNS_CNAME_MAX; hop++) {
        centry *c;
        if ((c = cache_get(r, now, &cur, DNS_T_ANY)) && c->status == DNS_NXDOMAIN) {
            res->status = DNS_NXDOMAIN;
            return true;
        }
        if ((c = cache_get(r, now, &cur, type))) {
            res->status = c->status;
            for (guint i = 0; c->rrs && i < c->rrs->len; i++) {
                dns_rr rr;
                dns_rr_copy(&rr, &g_array_index(c->rrs, dns_rr, i));
                rr.ttl = (uint32_t)((c->expires - now + SIM_SEC - 1) / SIM_SEC);
                g_array_append_val(res->rrs, rr);
            }
            return true;
        }
        if (type == DNS_T_CNAME || !(c = cache_get(r, now, &cur, DNS_T_CNAME)))
            return false;
        cur = g_array_index(c->rrs, dns_rr, 0).rd.target;
    }
    return false;
}

void dns_resolver_flush(dns_resolver *r) { g_hash_table_remove_all(r->cache); }

static gboolean expired(gpointer k, gpointer v, gpointer now)
{
    (void)k;
    return ((centry *)v)->expires <= *(sim_time_t *)now;
}

size_t dns_resolver_cache_size(dns_resolver *r, sim_time_t now)
{
    g_hash_table_foreach_remove(r->cache, expired, &now); /* order does not matter: removal */
    return g_hash_table_size(r->cache);
}

/* ---------------------------------------------------------------- lookups */

static void finish(dns_resolver *r, sim_time_t now, lookup *l, dns_result *res)
{
    res->id = l->id;
    res->name = l->name;
    res->type = l->type;
    res->sent = l->total;
    res->started = l->started;
    res->done_at = now;
    dns_result_fn fn = l->fn;
    void *ctx = l->ctx;
    g_ptr_array_remove(r->pending, l); /* frees l */
    fn(ctx, res);
}

/* Builds and queues the query for l->cur with a fresh id. */
static void send_query(dns_resolver *r, sim_time_t now, lookup *l)
{
    dns_msg q;
    dns_msg_init(&q);
    q.id = l->qid;
    q.rd = true;
    dns_msg_add_question(&q, &l->cur, l->type, DNS_C_IN);
    dns_out *o = g_new(dns_out, 1);
    o->to = r->cfg.server;
    if (dns_msg_encode(&q, 0, o->data, sizeof o->data, &o->len) == 0)
        g_queue_push_tail(&r->out, o);
    else
        g_free(o);
    dns_msg_clear(&q);
    if (l->sent)
        r->st.retransmits++;
    l->sent++;
    l->total++;
    r->st.sent++;
    l->next = now + l->rto;
    l->rto *= 2;
}

/* Starts (or restarts, after a CNAME) the network part of l. */
static void start_query(dns_resolver *r, sim_time_t now, lookup *l)
{
    l->qid = (uint16_t)sim_rng_below(r->rng, 65536);
    l->sent = 0;
    l->rto = r->cfg.rto;
    send_query(r, now, l);
}

int dns_resolver_lookup(dns_resolver *r, sim_time_t now, const dns_name *name, uint16_t type,
                        dns_result_fn fn, void *ctx, unsigned *id)
{
    if (!dns_name_valid(name) || type == 0 || type == DNS_T_OPT || !fn)
        return -EINVAL;
    r->st.lookups++;
    lookup *l = g_new0(lookup, 1);
    l->id = ++r->next_id;
    l->name = l->cur = *name;
    l->type = type;
    l->started = now;
    l->fn = fn;
    l->ctx = ctx;
    g_ptr_array_add(r->pending, l);
    if (id)
        *id = l->id;
    dns_result res = { .rrs = rr_array(), .cached = true };
    if (!r->cfg.no_cache && cache_answer(r, now, name, type, &res)) {
        if (res.status == DNS_OK)
            r->st.cache_hits++;
        else
            r->st.negative_hits++;
        finish(r, now, l, &res);
        g_array_free(res.rrs, TRUE);
        return 0;
    }
    g_array_free(res.rrs, TRUE);
    r->st.cache_misses++;
    start_query(r, now, l);
    return 0;
}

static lookup *find_lookup(dns_resolver *r, uint16_t qid)
{
    for (guint i = 0; i < r->pending->len; i++) {
        lookup *l = r->pending->pdata[i];
        if (l->sent && l->qid == qid)
            return l;
    }
    return NULL;
}

/* Collects the records of l->type at the end of the CNAME chain from l->cur in the answer.
 * Returns the name the chain ends at (in *end) and whether records were found. */
static bool collect(const dns_msg *m, const lookup *l, dns_name *end, GArray *out)
{
    dns_name cur = l->cur;
    for (unsigned hop = 0; hop <= DNS_CNAME_MAX; hop++) {
        bool found = false, moved = false;
        for (size_t i = 0; i < dns_msg_count(m, DNS_AN); i++) {
            const dns_rr *rr = dns_msg_rrs(m, DNS_AN, i);
            if (!dns_name_eq(&rr->name, &cur))
                continue;
            if (rr->type == l->type || l->type == DNS_T_ANY) {
                dns_rr c;
                dns_rr_copy(&c, rr);
                g_array_append_val(out, c);
                found = true;
            } else if (rr->type == DNS_T_CNAME && !moved && !found) {
                *end = rr->rd.target;
                moved = true;
            }
        }
        if (found || !moved)
            return found;
        cur = *end;
    }
    return false;
}

/* Handles a response that matched lookup l. */
static void on_response(dns_resolver *r, sim_time_t now, lookup *l, const dns_msg *m)
{
    dns_result res = { .rrs = rr_array(), .rcode = m->rcode };
    if (!r->cfg.no_cache && !m->tc && (m->rcode == DNS_RC_NOERROR || m->rcode == DNS_RC_NXDOMAIN)) {
        cache_section(r, now, m, DNS_AN);
        if (m->aa && !r->cfg.no_additional)
            cache_section(r, now, m, DNS_AR);
    }
    dns_name end = l->cur;
    if (m->tc) {
        res.status = DNS_TRUNCATED;
    } else if (m->rcode == DNS_RC_NXDOMAIN || m->rcode == DNS_RC_NOERROR) {
        bool found = collect(m, l, &end, res.rrs);
        bool chained = !dns_name_eq(&end, &l->cur);
        if (found) {
            res.status = DNS_OK;
        } else if (m->rcode == DNS_RC_NOERROR && chained && l->hops < DNS_CNAME_MAX &&
                   !dns_msg_count(m, DNS_NS)) {
            l->hops++; /* the answer stops at a CNAME: ask for its target */
            l->cur = end;
            g_array_free(res.rrs, TRUE);
            start_query(r, now, l);
            return;
        } else {
            res.status = m->rcode == DNS_RC_NXDOMAIN ? DNS_NXDOMAIN : DNS_NODATA;
            if (!r->cfg.no_cache)
                cache_negative(r, now, m, &end, l->type, res.status);
        }
    } else {
        res.status = DNS_SERVFAIL;
    }
    finish(r, now, l, &res);
    g_array_free(res.rrs, TRUE);
}

int dns_resolver_input(dns_resolver *r, sim_time_t now, const sim_ep *from, const uint8_t *buf,
                       size_t len)
{
    dns_msg m;
    if (dns_msg_decode(buf, len, &m, NULL) != 0) {
        r->st.bad++;
        return -EBADMSG;
    }
    lookup *l = m.qr ? find_lookup(r, m.id) : NULL;
    const dns_question *q = m.qd->len == 1 ? dns_msg_question(&m, 0) : NULL;
    /* RFC 5452 §4.3: id, source address and port, and the question must all match */
    if (!l || !sim_ep_eq(from, &r->cfg.server) || !q || q->type != l->type ||
        !dns_name_eq(&q->name, &l->cur)) {
        r->st.stray++;
        dns_msg_clear(&m);
        return -ENOENT;
    }
    r->st.responses++;
    on_response(r, now, l, &m);
    dns_msg_clear(&m);
    return 0;
}

void dns_resolver_timeout(dns_resolver *r, sim_time_t now)
{
    for (guint i = 0; i < r->pending->len;) {
        lookup *l = r->pending->pdata[i];
        if (!l->sent || l->next > now) {
            i++;
            continue;
        }
        if (l->sent < r->cfg.tries) {
            send_query(r, now, l);
            i++;
            continue;
        }
        r->st.timeouts++;
        dns_result res = { .rrs = rr_array(), .status = DNS_TIMEOUT };
        finish(r, now, l, &res); /* removes l: index i now holds the next lookup */
        g_array_free(res.rrs, TRUE);
    }
}

sim_time_t dns_resolver_next_deadline(const dns_resolver *r)
{
    sim_time_t next = SIM_TIME_NEVER;
    for (guint i = 0; i < r->pending->len; i++) {
        const lookup *l = r->pending->pdata[i];
        if (l->sent && l->next < next)
            next = l->next;
    }
    return next;
}

bool dns_resolver_pop(dns_resolver *r, dns_out *out)
{
    dns_out *o = g_queue_pop_head(&r->out);
    if (!o)
        return false;
    *out = *o;
    g_free(o);
    return true;
}

const dns_resolver_stats *dns_resolver_get_stats(const dns_resolver *r) { return &r->st; }
