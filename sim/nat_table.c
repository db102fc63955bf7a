/* sim/nat_table.c — the pure translation table of a NAT: mappings by behaviour (RFC 4787 §4.1),
 * filtering (§5), port assignment (§4.2), lifetimes (§4.3). No frames here: endpoints in,
 * decisions out, so every behaviour is unit-testable on its own.
 *
 * Two hash sets index the same mappings, both keyed by fields stored inside the mapping (so a
 * hit allocates nothing and key == value saves GHashTable's value array):
 *   by_inside:  nat_mkey (proto, inside ep, and the remote part the mapping behaviour uses)
 *   by_outside: proto << 16 | outside port (one mapping owns an outside port per protocol)
 * A third set indexes TCP sessions (RFC 5382) by outside port and remote endpoint.
 * Lifetimes live in one queue per timeout class, kept in expiry order (see nat_priv.h). */
#include <errno.h>
#include <string.h>
#include "sim/nat_priv.h"
#include "sim/stack/tcp.h"

struct nat_table {
    nat_config cfg;
    sim_ip outside;
    sim_rng *rng;                 /* borrowed */
    GHashTable *by_inside;        /* set of nat_mkey * (inside nat_map) */
    GHashTable *by_outside;       /* set of uint32_t * (okey inside nat_map) */
    GHashTable *by_session;       /* set of nat_skey * (inside nat_sess) */
    GQueue lru[NAT_CLASS__COUNT]; /* of nat_map, oldest expiry first */
    GArray *no_permits;           /* shared empty permit list of EIF entries */
    uint16_t seq_last[NAT_CLASS__COUNT]; /* last port given by sequential assignment */
    uint64_t next_id, next_sid;
    nat_event_fn ev_fn;
    void *ev_ctx;
    nat_port_busy_fn busy_fn;
    void *busy_ctx;
};

#define NAT_MAP_OF_MKEY(k) ((nat_map *)((char *)(k) - offsetof(nat_map, mkey)))
#define NAT_MAP_OF_OKEY(k) ((nat_map *)((char *)(k) - offsetof(nat_map, okey)))
#define NAT_SESS_OF_SKEY(k) ((nat_sess *)((char *)(k) - offsetof(nat_sess, skey)))

static guint nat_mkey_hash(gconstpointer p)
{
    const nat_mkey *k = p;
    uint64_t h = ((uint64_t)k->in_ip << 32 | k->rem_ip) * 0x9E3779B97F4A7C15ull;
    h ^= ((uint64_t)k->in_port << 24 | (uint64_t)k->rem_port << 8 | k->proto) * 0xC2B2AE3D27D4EB4Full;
    h ^= h >> 29;
    return (guint)(h ^ (h >> 32));
}

static gboolean nat_mkey_equal(gconstpointer a, gconstpointer b)
{
    const nat_mkey *x = a, *y = b;
    return x->in_ip == y->in_ip && x->rem_ip == y->rem_ip && x->in_port == y->in_port &&
           x->rem_port == y->rem_port && x->proto == y->proto;
}

static guint nat_okey_hash(gconstpointer p)
{
    uint32_t k = *(const uint32_t *)p;
    return (guint)(k * 0x9E3779B1u);
}

static gboolean nat_okey_equal(gconstpointer a, gconstpointer b)
{
    return *(const uint32_t *)a == *(const uint32_t *)b;
}

static guint nat_skey_hash(gconstpointer p)
{
    const nat_skey *k = p;
    uint64_t h = ((uint64_t)k->rem_ip << 32 | (uint32_t)k->out_port << 16 | k->rem_port) *
                 0x9E3779B97F4A7C15ull;
    return (guint)(h ^ (h >> 29) ^ (h >> 47));
}

static gboolean nat_skey_equal(gconstpointer a, gconstpointer b)
{
    const nat_skey *x = a, *y = b;
    return x->rem_ip == y->rem_ip && x->out_port == y->out_port && x->rem_port == y->rem_port;
}

static nat_class nat_class_of(uint8_t proto)
{
    return proto == 6 ? NAT_CLASS_TCP_EST : proto == 1 ? NAT_CLASS_ICMP : NAT_CLASS_UDP;
}

static sim_time_t nat_timeout(const nat_table *t, nat_class c)
{
    switch (c) {
    case NAT_CLASS_TCP_EST: return t->cfg.tcp_established;   /* RFC 5382 REQ-5 */
    case NAT_CLASS_TCP_TRANS: return t->cfg.tcp_transitory;  /* RFC 5382 REQ-5 */
    case NAT_CLASS_ICMP: return t->cfg.icmp_timeout;
    default: return t->cfg.udp_timeout;
    }
}

nat_table *nat_table_new(const nat_config *c, const sim_ip *outside, sim_rng *rng)
{
    nat_table *t = g_new0(nat_table, 1);
    t->cfg = *c;
    t->outside = *outside;
    t->rng = rng;
    t->by_inside = g_hash_table_new(nat_mkey_hash, nat_mkey_equal);
    t->by_outside = g_hash_table_new(nat_okey_hash, nat_okey_equal);
    t->by_session = g_hash_table_new(nat_skey_hash, nat_skey_equal);
    for (int i = 0; i < NAT_CLASS__COUNT; i++) {
        g_queue_init(&t->lru[i]);
        t->seq_last[i] = (uint16_t)(c->port_min - 1);
    }
    t->no_permits = g_array_new(FALSE, FALSE, sizeof(sim_ep));
    t->next_id = t->next_sid = 1;
    return t;
}

static void nat_map_free(nat_table *t, nat_map *m)
{
    if (nat_class_is_tcp(m->cls)) {
        for (int i = 0; i < 2; i++) {
            GList *l;
            while ((l = g_queue_pop_head_link(&m->sess[i])))
                g_free(l->data);
        }
        g_free(m->sess);
    }
    if (m->e.permits != t->no_permits)
        g_array_free(m->e.permits, TRUE);
    g_free(m);
}

void nat_table_free(nat_table *t)
{
    if (!t)
        return;
    GPtrArray *all = nat_table_entries(t);
    for (guint i = 0; i < all->len; i++)
        nat_map_free(t, g_ptr_array_index(all, i)); /* nat_entry is a nat_map's first member */
    g_ptr_array_unref(all);
    g_hash_table_destroy(t->by_inside);
    g_hash_table_destroy(t->by_outside);
    g_hash_table_destroy(t->by_session);
    g_array_free(t->no_permits, TRUE);
    g_free(t);
}

void nat_table_on_event(nat_table *t, nat_event_fn fn, void *ctx)
{
    t->ev_fn = fn;
    t->ev_ctx = ctx;
}

void nat_table_set_port_busy(nat_table *t, nat_port_busy_fn fn, void *ctx)
{
    t->busy_fn = fn;
    t->busy_ctx = ctx;
}

const sim_ip *nat_table_outside(const nat_table *t) { return &t->outside; }

static void nat_emit(nat_table *t, nat_event ev, const nat_entry *e, sim_time_t now)
{
    if (t->ev_fn)
        t->ev_fn(t->ev_ctx, ev, e, now);
}

/* Removes a mapping from both sets and its queue, emits the expire event and frees it. */
static void nat_remove(nat_table *t, nat_map *m, sim_time_t now)
{
    g_hash_table_remove(t->by_inside, &m->mkey);
    g_hash_table_remove(t->by_outside, &m->okey);
    if (!nat_class_is_tcp(m->cls))
        g_queue_unlink(&t->lru[m->cls], &m->link);
    nat_emit(t, NAT_EV_EXPIRE, &m->e, now);
    nat_map_free(t, m);
}

/* Expiry of a lifetime queue item (a mapping, or a session in the TCP classes). */
static sim_time_t nat_item_expires(nat_class c, const GList *l)
{
    return nat_class_is_tcp(c) ? ((const nat_sess *)l->data)->s.expires
                               : ((const nat_map *)l->data)->e.expires;
}

/* The class whose queue head expires first (ties: lowest class, for a stable order), or -1. */
static int nat_oldest(const nat_table *t, sim_time_t *when)
{
    int best = -1;
    for (int i = 0; i < NAT_CLASS__COUNT; i++) {
        GList *l = t->lru[i].head;
        if (l && (best < 0 || nat_item_expires((nat_class)i, l) < *when)) {
            best = i;
            *when = nat_item_expires((nat_class)i, l);
        }
    }
    return best;
}

static void nat_sess_remove(nat_table *t, nat_sess *s, sim_time_t now);

unsigned nat_table_expire(nat_table *t, sim_time_t now)
{
    unsigned n = 0;
    sim_time_t when = 0;
    int c;
    while ((c = nat_oldest(t, &when)) >= 0 && when <= now) {
        if (nat_class_is_tcp((nat_class)c)) {
            nat_sess *s = t->lru[c].head->data;
            n += s->map->e.sessions == 1; /* its mapping goes with it */
            nat_sess_remove(t, s, now);
        } else {
            nat_remove(t, t->lru[c].head->data, now);
            n++;
        }
    }
    return n;
}

sim_time_t nat_table_next_expiry(const nat_table *t)
{
    sim_time_t when = SIM_TIME_NEVER;
    return nat_oldest(t, &when) >= 0 ? when : SIM_TIME_NEVER;
}

/* Sets a new expiry and moves the mapping to the tail of its queue (the queue stays sorted
 * because every entry of a class gets now + the same timeout and now never goes back). */
static void nat_touch(nat_table *t, nat_map *m, sim_time_t now)
{
    m->e.last_used = now;
    m->e.expires = now + nat_timeout(t, m->cls);
    if (t->lru[m->cls].tail != &m->link) {
        g_queue_unlink(&t->lru[m->cls], &m->link);
        g_queue_push_tail_link(&t->lru[m->cls], &m->link);
    }
}

/* The mapping key for (proto, inside, remote) under the configured mapping behaviour.
 * ICMP query mappings ignore the remote's "port" (there is none). */
static nat_mkey nat_key_for(const nat_table *t, uint8_t proto, const sim_ep *inside,
                            const sim_ep *remote)
{
    nat_mkey k;
    memset(&k, 0, sizeof k); /* padding too: the key is also compared field by field */
    k.proto = proto;
    k.in_ip = sim_ip4_u32(&inside->ip);
    k.in_port = inside->port;
    if (t->cfg.mapping != NAT_MAP_EIM)
        k.rem_ip = sim_ip4_u32(&remote->ip);             /* RFC 4787 §4.1: ADM and APDM */
    if (t->cfg.mapping == NAT_MAP_APDM && proto != 1)
        k.rem_port = remote->port;                       /* APDM only */
    return k;
}

/* The permit the filter needs for remote: the address (port 0) under ADF, the endpoint under
 * APDF; ICMP queries have no remote port. */
static sim_ep nat_permit_for(const nat_table *t, uint8_t proto, const sim_ep *remote)
{
    sim_ep p = *remote;
    if (t->cfg.filtering == NAT_FILTER_ADF || proto == 1)
        p.port = 0;
    return p;
}

static bool nat_permits_has(const GArray *a, const sim_ep *p)
{
    for (guint i = 0; i < a->len; i++)
        if (sim_ep_eq(&g_array_index(a, sim_ep, i), p))
            return true;
    return false;
}

/* Records that the inside endpoint sent to remote through m (RFC 4787 §5: the filter admits
 * what was sent to). Under EIF nothing needs recording. */
static void nat_permit_add(nat_table *t, nat_map *m, const sim_ep *remote)
{
    if (t->cfg.filtering == NAT_FILTER_EIF)
        return;
    sim_ep p = nat_permit_for(t, m->e.proto, remote);
    if (!nat_permits_has(m->e.permits, &p))
        g_array_append_val(m->e.permits, p);
}

static bool nat_port_free(nat_table *t, uint8_t proto, uint32_t port)
{
    uint32_t k = (uint32_t)proto << 16 | port;
    if (g_hash_table_contains(t->by_outside, &k))
        return false;
    return !t->busy_fn || !t->busy_fn(t->busy_ctx, proto, (uint16_t)port);
}

/* The range of outside ports for a protocol. ICMP identifiers use the whole 16-bit space. */
static void nat_port_range(const nat_table *t, uint8_t proto, uint32_t *lo, uint32_t *hi)
{
    if (proto == 1) {
        *lo = 0;
        *hi = 65535;
    } else {
        *lo = t->cfg.port_min;
        *hi = t->cfg.port_max;
    }
}

/* First free port at or after `from`, wrapping within [lo, hi]; with step 2 only ports whose
 * parity is `odd` are considered. Returns -1 when all are taken. */
static int32_t nat_port_scan(nat_table *t, uint8_t proto, uint32_t lo, uint32_t hi,
                             uint32_t from, uint32_t step, uint32_t odd)
{
    uint32_t base = lo;
    if (step == 2 && (lo & 1) != odd)
        base = lo + 1;
    if (base > hi)
        return -1;
    uint32_t span = (hi - base) / step + 1;
    uint32_t idx = from > base ? (from - base + step - 1) / step : 0;
    for (uint32_t i = 0; i < span; i++) {
        uint32_t port = base + ((idx + i) % span) * step;
        if (nat_port_free(t, proto, port))
            return (int32_t)port;
    }
    return -1;
}

/* Chooses an outside port for a new mapping (RFC 4787 §4.2), or -1 when none is free.
 * Parity (REQ-4) applies to UDP and TCP ports, not to ICMP identifiers. */
static int32_t nat_port_pick(nat_table *t, uint8_t proto, uint16_t inside_port, nat_class cls)
{
    uint32_t lo, hi;
    nat_port_range(t, proto, &lo, &hi);
    uint32_t step = t->cfg.port_parity && proto != 1 ? 2 : 1, odd = inside_port & 1u;
    if (t->cfg.port_alloc == NAT_PORT_PRESERVE && inside_port >= lo && inside_port <= hi &&
        nat_port_free(t, proto, inside_port))
        return inside_port; /* RFC 4787 §4.2.1 port preservation; parity trivially kept */
    if (t->cfg.port_alloc == NAT_PORT_RANDOM) {
        uint32_t base = step == 2 && (lo & 1) != odd ? lo + 1 : lo;
        uint32_t n = (hi - base) / step + 1, port = base;
        for (int tries = 0; tries < 16; tries++) {
            port = base + sim_rng_below(t->rng, n) * step;
            if (nat_port_free(t, proto, port))
                return (int32_t)port;
        }
        return nat_port_scan(t, proto, lo, hi, port, step, odd); /* nearly full: scan on */
    }
    /* sequential, and the fallback of preserve: the next free port after the last one given
     * by this scan (preserved ports do not move it) */
    uint32_t from = (uint32_t)t->seq_last[cls] + 1;
    if (from < lo || from > hi)
        from = lo;
    int32_t port = nat_port_scan(t, proto, lo, hi, from, step, odd);
    if (port >= 0)
        t->seq_last[cls] = (uint16_t)port;
    return port;
}

/* Makes a new mapping; returns NULL when no outside port is free. */
static nat_map *nat_create(nat_table *t, sim_time_t now, const nat_mkey *k, uint8_t proto,
                           const sim_ep *inside, const sim_ep *remote)
{
    nat_class cls = nat_class_of(proto);
    int32_t port = nat_port_pick(t, proto, inside->port, cls);
    if (port < 0)
        return NULL;
    nat_map *m = g_new0(nat_map, 1);
    m->mkey = *k;
    m->okey = (uint32_t)proto << 16 | (uint32_t)port;
    m->cls = cls;
    if (nat_class_is_tcp(cls))
        m->sess = g_new0(GQueue, 2); /* zeroed == g_queue_init */
    else
        m->link.data = m;
    m->e.proto = proto;
    m->e.inside = *inside;
    m->e.outside = (sim_ep){ .ip = t->outside, .port = (uint16_t)port };
    if (t->cfg.mapping != NAT_MAP_EIM) {
        m->e.remote.ip = remote->ip;
        if (t->cfg.mapping == NAT_MAP_APDM && proto != 1)
            m->e.remote.port = remote->port;
    }
    m->e.permits = t->cfg.filtering == NAT_FILTER_EIF ? t->no_permits
                                                     : g_array_sized_new(FALSE, FALSE, sizeof(sim_ep), 1);
    m->e.created = now;
    m->e.id = t->next_id++;
    g_hash_table_add(t->by_inside, &m->mkey);
    g_hash_table_add(t->by_outside, &m->okey);
    m->e.last_used = now;
    m->e.expires = now + nat_timeout(t, cls);
    if (!nat_class_is_tcp(cls)) /* TCP mappings live by their sessions */
        g_queue_push_tail_link(&t->lru[cls], &m->link);
    return m;
}

int nat_table_outbound(nat_table *t, sim_time_t now, uint8_t proto, const sim_ep *inside,
                       const sim_ep *remote, nat_entry **e)
{
    if (inside->ip.family != SIM_AF_INET || remote->ip.family != SIM_AF_INET || proto == 6)
        return -EINVAL;
    nat_table_expire(t, now); /* an entry is gone at exactly created + timeout */
    nat_mkey k = nat_key_for(t, proto, inside, remote);
    gpointer hit = g_hash_table_lookup(t->by_inside, &k);
    nat_map *m;
    if (hit) {
        m = NAT_MAP_OF_MKEY(hit);
        nat_touch(t, m, now); /* RFC 4787 REQ-6: outbound refreshes */
        nat_permit_add(t, m, remote);
        m->e.pkts_out++;
        *e = &m->e;
        nat_emit(t, NAT_EV_REFRESH, &m->e, now);
        return 0;
    }
    m = nat_create(t, now, &k, proto, inside, remote);
    if (!m)
        return -ENOSPC;
    nat_permit_add(t, m, remote);
    m->e.pkts_out = 1;
    *e = &m->e;
    nat_emit(t, NAT_EV_CREATE, &m->e, now);
    return 0;
}

static nat_map *nat_find_port(const nat_table *t, uint8_t proto, uint16_t port)
{
    uint32_t k = (uint32_t)proto << 16 | port;
    gpointer hit = g_hash_table_lookup(t->by_outside, &k);
    return hit ? NAT_MAP_OF_OKEY(hit) : NULL;
}

/* True when m's filter admits a packet from remote (RFC 4787 §5). */
static bool nat_admits(const nat_table *t, const nat_map *m, const sim_ep *remote)
{
    if (t->cfg.filtering == NAT_FILTER_EIF)
        return true;
    sim_ep p = nat_permit_for(t, m->e.proto, remote);
    return nat_permits_has(m->e.permits, &p);
}

nat_inbound_result nat_table_inbound(nat_table *t, sim_time_t now, uint8_t proto,
                                     const sim_ep *remote, const sim_ep *outside, nat_entry **e)
{
    *e = NULL;
    if (proto == 6)
        return NAT_IN_NO_MAPPING; /* TCP goes through nat_table_tcp_in */
    nat_table_expire(t, now);
    nat_map *m = sim_ip_eq(&outside->ip, &t->outside) ? nat_find_port(t, proto, outside->port)
                                                      : NULL;
    if (!m)
        return NAT_IN_NO_MAPPING;
    *e = &m->e;
    if (!nat_admits(t, m, remote))
        return NAT_IN_FILTERED;
    m->e.pkts_in++;
    if (t->cfg.inbound_refresh) {
        nat_touch(t, m, now);
        nat_emit(t, NAT_EV_REFRESH, &m->e, now);
    }
    return NAT_IN_OK;
}

nat_entry *nat_table_find_outside(nat_table *t, uint8_t proto, const sim_ep *outside)
{
    if (!sim_ip_eq(&outside->ip, &t->outside))
        return NULL;
    nat_map *m = nat_find_port(t, proto, outside->port);
    return m ? &m->e : NULL;
}

nat_entry *nat_table_find_inside(nat_table *t, uint8_t proto, const sim_ep *inside,
                                 const sim_ep *remote)
{
    if (inside->ip.family != SIM_AF_INET || remote->ip.family != SIM_AF_INET)
        return NULL;
    nat_mkey k = nat_key_for(t, proto, inside, remote);
    gpointer hit = g_hash_table_lookup(t->by_inside, &k);
    return hit ? &NAT_MAP_OF_MKEY(hit)->e : NULL;
}

bool nat_table_admits(const nat_table *t, const nat_entry *e, const sim_ep *remote)
{
    return nat_admits(t, (const nat_map *)e, remote);
}

static gint nat_cmp_id(gconstpointer a, gconstpointer b)
{
    const nat_entry *x = *(nat_entry *const *)a, *y = *(nat_entry *const *)b;
    return x->id < y->id ? -1 : x->id > y->id;
}

GPtrArray *nat_table_entries(const nat_table *t)
{
    GPtrArray *a = g_ptr_array_sized_new(g_hash_table_size(t->by_outside));
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, t->by_outside);
    while (g_hash_table_iter_next(&it, &k, NULL))
        g_ptr_array_add(a, &NAT_MAP_OF_OKEY(k)->e);
    g_ptr_array_sort(a, nat_cmp_id); /* hash order never shows */
    return a;
}

size_t nat_table_size(const nat_table *t) { return g_hash_table_size(t->by_outside); }

void nat_entry_fmt_permits(const nat_entry *e, GString *out)
{
    if (e->permits->len == 0) {
        g_string_append(out, "any");
        return;
    }
    char ip[SIM_IP_STRLEN];
    guint shown = MIN(e->permits->len, 4u);
    for (guint i = 0; i < shown; i++) {
        const sim_ep *p = &g_array_index(e->permits, sim_ep, i);
        sim_ip_fmt(&p->ip, ip, sizeof ip);
        if (i)
            g_string_append_c(out, ',');
        if (p->port)
            g_string_append_printf(out, "%s:%u", ip, p->port);
        else
            g_string_append_printf(out, "%s:*", ip);
    }
    if (e->permits->len > shown)
        g_string_append_printf(out, ",+%u more", e->permits->len - shown);
}

void nat_entry_fmt(const nat_entry *e, sim_time_t now, GString *out)
{
    char in[SIM_EP_STRLEN], ex[SIM_EP_STRLEN];
    g_string_append_printf(out, "%s %s->%s ", nat_proto_name(e->proto),
                           sim_ep_fmt(&e->inside, in, sizeof in),
                           sim_ep_fmt(&e->outside, ex, sizeof ex));
    if (e->proto == 6)
        g_string_append_printf(out, "%s (%u session%s) ", nat_tcp_state_name(e->tcp_state),
                               e->sessions, e->sessions == 1 ? "" : "s");
    g_string_append(out, "permits ");
    nat_entry_fmt_permits(e, out);
    g_string_append_printf(out, " expires %+.1fs", sim_time_sec(e->expires) - sim_time_sec(now));
}

/* ---- TCP sessions (RFC 5382) ---- */

static const char *const nat_tcp_state_names[] = {
    "syn-sent", "syn-received", "established", "fin-wait", "closing", "closed",
};

const char *nat_tcp_state_name(nat_tcp_state s)
{
    return (unsigned)s < G_N_ELEMENTS(nat_tcp_state_names) ? nat_tcp_state_names[s] : "?";
}

bool nat_tcp_state_transitory(nat_tcp_state s)
{
    /* RFC 5382 §5: partially open, or closed in both directions / reset. A half-closed
     * connection (one FIN) may carry data for hours, so it keeps the established timeout. */
    return s != NAT_TCP_ESTABLISHED && s != NAT_TCP_FIN_WAIT;
}

/* The tracking state the flags seen so far give. */
static nat_tcp_state nat_sess_state(uint8_t seen)
{
    if (seen & NAT_SEEN_RST)
        return NAT_TCP_CLOSED;
    bool out = seen & NAT_SEEN_SYN_OUT, in = seen & NAT_SEEN_SYN_IN;
    if (!out || !in)
        return out ? NAT_TCP_SYN_SENT : NAT_TCP_SYN_RECEIVED;
    unsigned fins = !!(seen & NAT_SEEN_FIN_OUT) + !!(seen & NAT_SEEN_FIN_IN);
    return fins == 2 ? NAT_TCP_CLOSING : fins ? NAT_TCP_FIN_WAIT : NAT_TCP_ESTABLISHED;
}

/* Records a segment's flags. A bare SYN on a closed or closing session starts a new
 * connection with the same endpoints (port reuse after TIME-WAIT, or a retried punch after
 * a RST). RSTs are believed without a sequence check (the NAT keeps no window). */
static void nat_sess_seen(nat_sess *s, uint8_t flags, bool out)
{
    if ((flags & (TCP_SYN | TCP_ACK)) == TCP_SYN && s->s.state >= NAT_TCP_CLOSING)
        s->seen = 0;
    if (flags & TCP_SYN)
        s->seen |= out ? NAT_SEEN_SYN_OUT : NAT_SEEN_SYN_IN;
    if (flags & TCP_FIN)
        s->seen |= out ? NAT_SEEN_FIN_OUT : NAT_SEEN_FIN_IN;
    if (flags & TCP_RST)
        s->seen |= NAT_SEEN_RST;
    s->s.state = nat_sess_state(s->seen);
}

/* The mapping's expiry: the later of its two session queue tails (each sorted by expiry). */
static void nat_map_sync(nat_map *m, const nat_sess *last)
{
    sim_time_t x = 0;
    for (int i = 0; i < 2; i++)
        if (m->sess[i].tail)
            x = MAX(x, ((const nat_sess *)m->sess[i].tail->data)->s.expires);
    m->e.expires = x;
    if (last) {
        m->e.last_used = last->s.last_used;
        m->e.tcp_state = last->s.state;
    }
}

/* Refreshes a session at now in the class its state asks for: to the tail of that class's
 * table queue and of its mapping's queue, so both stay in expiry order (O(1)). */
static void nat_sess_touch(nat_table *t, nat_sess *s, sim_time_t now)
{
    nat_class c = nat_tcp_state_transitory(s->s.state) ? NAT_CLASS_TCP_TRANS : NAT_CLASS_TCP_EST;
    nat_map *m = s->map;
    g_queue_unlink(&t->lru[s->cls], &s->tlink);
    g_queue_unlink(&m->sess[s->cls == NAT_CLASS_TCP_TRANS], &s->mlink);
    s->cls = c;
    s->s.last_used = now;
    s->s.expires = now + nat_timeout(t, c);
    g_queue_push_tail_link(&t->lru[c], &s->tlink);
    g_queue_push_tail_link(&m->sess[c == NAT_CLASS_TCP_TRANS], &s->mlink);
    nat_map_sync(m, s);
}

static nat_skey nat_skey_for(uint16_t out_port, const sim_ep *remote)
{
    nat_skey k;
    memset(&k, 0, sizeof k);
    k.rem_ip = sim_ip4_u32(&remote->ip);
    k.out_port = out_port;
    k.rem_port = remote->port;
    return k;
}

static nat_sess *nat_sess_find(const nat_table *t, const nat_map *m, const sim_ep *remote)
{
    nat_skey k = nat_skey_for(m->e.outside.port, remote);
    gpointer hit = g_hash_table_lookup(t->by_session, &k);
    return hit ? NAT_SESS_OF_SKEY(hit) : NULL;
}

/* A new session of m for remote, queued as transitory; the caller records flags and touches. */
static nat_sess *nat_sess_new(nat_table *t, nat_map *m, const sim_ep *remote, sim_time_t now)
{
    nat_sess *s = g_new0(nat_sess, 1);
    s->map = m;
    s->skey = nat_skey_for(m->e.outside.port, remote);
    s->s.remote = *remote;
    s->s.created = now;
    s->s.id = t->next_sid++;
    s->cls = NAT_CLASS_TCP_TRANS;
    s->tlink.data = s->mlink.data = s;
    g_queue_push_tail_link(&t->lru[s->cls], &s->tlink);
    g_queue_push_tail_link(&m->sess[1], &s->mlink);
    g_hash_table_add(t->by_session, &s->skey);
    m->e.sessions++;
    return s;
}

/* Removes a session; its mapping goes too when it was the last one (expire event). */
static void nat_sess_remove(nat_table *t, nat_sess *s, sim_time_t now)
{
    nat_map *m = s->map;
    g_hash_table_remove(t->by_session, &s->skey);
    g_queue_unlink(&t->lru[s->cls], &s->tlink);
    g_queue_unlink(&m->sess[s->cls == NAT_CLASS_TCP_TRANS], &s->mlink);
    g_free(s);
    if (--m->e.sessions == 0)
        nat_remove(t, m, now);
    else
        nat_map_sync(m, NULL);
}

int nat_table_tcp_out(nat_table *t, sim_time_t now, const sim_ep *inside, const sim_ep *remote,
                      uint8_t flags, nat_entry **e)
{
    if (inside->ip.family != SIM_AF_INET || remote->ip.family != SIM_AF_INET)
        return -EINVAL;
    nat_table_expire(t, now);
    nat_mkey k = nat_key_for(t, 6, inside, remote);
    gpointer hit = g_hash_table_lookup(t->by_inside, &k);
    nat_map *m = hit ? NAT_MAP_OF_MKEY(hit) : NULL;
    nat_sess *s = m ? nat_sess_find(t, m, remote) : NULL;
    if (!s && !(flags & TCP_SYN))
        return -ENOENT; /* only a SYN opens a mapping or a session (RFC 5382 §4) */
    bool created = !m;
    if (!m && !(m = nat_create(t, now, &k, 6, inside, remote)))
        return -ENOSPC;
    if (!s)
        s = nat_sess_new(t, m, remote, now);
    if (flags & TCP_SYN)
        nat_permit_add(t, m, remote); /* RFC 5382 REQ-3: filtering as for UDP */
    nat_sess_seen(s, flags, true);
    s->s.pkts_out++;
    m->e.pkts_out++;
    nat_sess_touch(t, s, now);
    *e = &m->e;
    nat_emit(t, created ? NAT_EV_CREATE : NAT_EV_REFRESH, &m->e, now);
    return 0;
}

nat_inbound_result nat_table_tcp_in(nat_table *t, sim_time_t now, const sim_ep *remote,
                                    const sim_ep *outside, uint8_t flags, nat_entry **e)
{
    *e = NULL;
    if (remote->ip.family != SIM_AF_INET)
        return NAT_IN_NO_MAPPING;
    nat_table_expire(t, now);
    nat_map *m = sim_ip_eq(&outside->ip, &t->outside) ? nat_find_port(t, 6, outside->port) : NULL;
    if (!m)
        return NAT_IN_NO_MAPPING;
    *e = &m->e;
    nat_sess *s = nat_sess_find(t, m, remote);
    if (!s) {
        if (!nat_admits(t, m, remote))
            return NAT_IN_FILTERED;
        if (!(flags & TCP_SYN))
            return NAT_IN_NO_SESSION;
        s = nat_sess_new(t, m, remote, now); /* admitted inbound open (EIF, ADF) */
    }
    nat_sess_seen(s, flags, false);
    s->s.pkts_in++;
    m->e.pkts_in++;
    nat_sess_touch(t, s, now); /* the idle timer counts both directions (RFC 5382 REQ-5) */
    nat_emit(t, NAT_EV_REFRESH, &m->e, now);
    return NAT_IN_OK;
}

static gint nat_cmp_sid(gconstpointer a, gconstpointer b)
{
    const nat_session *x = *(nat_session *const *)a, *y = *(nat_session *const *)b;
    return x->id < y->id ? -1 : x->id > y->id;
}

GPtrArray *nat_table_sessions(const nat_table *t, const nat_entry *e)
{
    const nat_map *m = (const nat_map *)e;
    GPtrArray *a = g_ptr_array_sized_new(e->sessions);
    for (int i = 0; i < 2 && e->proto == 6; i++)
        for (GList *l = m->sess[i].head; l; l = l->next)
            g_ptr_array_add(a, &((nat_sess *)l->data)->s);
    g_ptr_array_sort(a, nat_cmp_sid);
    (void)t;
    return a;
}
