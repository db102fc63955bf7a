/* protocols/dhcp/dhcp_server.c — sans-I/O DHCP server (RFC 2131 §4.3). Clients are known by
 * their client identifier (option 61) or, without one, by (htype, chaddr) (§4.2). A client's
 * record outlives its lease and remembers the address, so the same client gets the same
 * address again while nobody else took it (§4.3.1). Every address of a pool has a slot naming
 * the record that holds it and, after a DECLINE, until when it must not be handed out.
 *
 * Choosing an address for a DISCOVER (§4.3.1), first that is free for this client: the
 * client's previous address, the requested address (option 50), the lowest address never
 * handed out, the lowest address whose holder's lease ended. A slot is free for a client when
 * not declined and held by nobody, by the client itself, or by a record whose offer or lease
 * ran out. Without one the DISCOVER is not answered (counted as `exhausted`).
 *
 * Pool selection: a relayed message (giaddr set) uses the pool whose subnet holds giaddr; a
 * renewal the pool whose range holds ciaddr; anything else the first pool (the server's own
 * link). Options sent: 53, 54, lease time 51 with T1 58 (1/2) and T2 59 (7/8) in OFFER/ACK,
 * then subnet mask, router, DNS and domain name; the parameter request list is not consulted.
 * Replies go where §4.1 says: to giaddr:67 when relayed, else NAK to broadcast, else to
 * ciaddr when set, else broadcast when the BROADCAST flag is set, else unicast to yiaddr at
 * link-layer address chaddr. */
#include "protocols/dhcp/dhcp.h"

#include <errno.h>
#include <string.h>

typedef enum lstate { L_FREE, L_OFFERED, L_BOUND } lstate;

typedef struct record {
    GBytes *key;
    uint8_t chaddr[6];
    uint32_t addr;         /* 0: none remembered */
    size_t pool;
    lstate state;
    sim_time_t expires;    /* end of the offer or lease (meaningless when FREE) */
} record;

typedef struct slot {
    record *owner;
    sim_time_t declined_until;
} slot;

struct dhcp_server {
    dhcp_server_cfg cfg;
    char *domain[DHCP_POOLS_MAX];  /* owned copies */
    slot *slots[DHCP_POOLS_MAX];   /* per pool, indexed by addr - start */
    GHashTable *by_key;            /* GBytes key -> record (borrowed) */
    GPtrArray *records;            /* owned, creation order: what timeouts walk */
    GQueue out;                    /* of dhcp_out * */
    dhcp_server_stats stats;
};

static void record_free(gpointer p)
{
    record *r = p;
    g_bytes_unref(r->key);
    g_free(r);
}

static bool pool_ok(const dhcp_pool_cfg *p)
{
    return p->start && p->start <= p->end && p->end - p->start < DHCP_POOL_SIZE_MAX &&
           (p->start & p->mask) == (p->end & p->mask);
}

dhcp_server *dhcp_server_new(const dhcp_server_cfg *cfg)
{
    if (!cfg->server_id || cfg->n_pools == 0 || cfg->n_pools > DHCP_POOLS_MAX)
        return NULL;
    for (size_t i = 0; i < cfg->n_pools; i++)
        if (!pool_ok(&cfg->pools[i]) || cfg->pools[i].n_dns > DHCP_DNS_MAX)
            return NULL;
    dhcp_server *s = g_new0(dhcp_server, 1);
    s->cfg = *cfg;
    if (!s->cfg.offer_hold)
        s->cfg.offer_hold = 60 * SIM_SEC;
    if (!s->cfg.decline_hold)
        s->cfg.decline_hold = 600 * SIM_SEC;
    for (size_t i = 0; i < cfg->n_pools; i++) {
        dhcp_pool_cfg *p = &s->cfg.pools[i];
        s->domain[i] = g_strdup(p->domain);
        p->domain = s->domain[i];
        if (!p->lease_secs)
            p->lease_secs = 3600;
        s->slots[i] = g_new0(slot, (size_t)(p->end - p->start) + 1);
    }
    s->by_key = g_hash_table_new(g_bytes_hash, g_bytes_equal);
    s->records = g_ptr_array_new_with_free_func(record_free);
    g_queue_init(&s->out);
    return s;
}

void dhcp_server_free(dhcp_server *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->cfg.n_pools; i++) {
        g_free(s->domain[i]);
        g_free(s->slots[i]);
    }
    g_hash_table_destroy(s->by_key);
    g_ptr_array_free(s->records, TRUE);
    g_queue_clear_full(&s->out, g_free);
    g_free(s);
}

/* ---------------------------------------------------------------- records and slots */

static bool active(const record *r, sim_time_t now)
{
    return r && r->state != L_FREE && r->expires > now;
}

/* The record of the client that sent m (created when `create`), or NULL. */
static record *find_record(dhcp_server *s, const dhcp_msg *m, bool create)
{
    uint8_t k[1 + 1 + 255];
    size_t n = 0;
    const dhcp_opt *id = dhcp_msg_find(m, DHCP_OPT_CLIENT_ID);
    if (id) {
        k[n++] = 'I';
        memcpy(k + n, dhcp_opt_value(m, id), MIN((size_t)id->len, (size_t)255));
        n += MIN((size_t)id->len, (size_t)255);
    } else {
        k[n++] = 'H';
        k[n++] = m->htype;
        memcpy(k + n, m->chaddr, m->hlen);
        n += m->hlen;
    }
    GBytes *key = g_bytes_new(k, n);
    record *r = g_hash_table_lookup(s->by_key, key);
    if (!r && create) {
        r = g_new0(record, 1);
        r->key = g_bytes_ref(key);
        g_ptr_array_add(s->records, r);
        g_hash_table_insert(s->by_key, r->key, r);
    }
    if (r)
        memcpy(r->chaddr, m->chaddr, 6);
    g_bytes_unref(key);
    return r;
}

/* The slot of addr in pool p, or NULL when addr is outside its range. */
static slot *slot_of(dhcp_server *s, size_t p, uint32_t addr)
{
    const dhcp_pool_cfg *pc = &s->cfg.pools[p];
    if (addr < pc->start || addr > pc->end)
        return NULL;
    return &s->slots[p][addr - pc->start];
}

/* The pool whose range holds addr, or -1. */
static int pool_of_addr(const dhcp_server *s, uint32_t addr)
{
    for (size_t i = 0; i < s->cfg.n_pools; i++)
        if (addr >= s->cfg.pools[i].start && addr <= s->cfg.pools[i].end)
            return (int)i;
    return -1;
}

/* The pool serving m's link (relay agent's subnet, else the first), or -1. */
static int pool_for(const dhcp_server *s, const dhcp_msg *m)
{
    if (!m->giaddr)
        return 0;
    for (size_t i = 0; i < s->cfg.n_pools; i++) {
        const dhcp_pool_cfg *p = &s->cfg.pools[i];
        if ((m->giaddr & p->mask) == (p->start & p->mask))
            return (int)i;
    }
    return -1;
}

static bool usable(dhcp_server *s, size_t p, uint32_t addr, const record *r, sim_time_t now)
{
    slot *sl = slot_of(s, p, addr);
    return sl && sl->declined_until <= now &&
           (!sl->owner || sl->owner == r || !active(sl->owner, now));
}

/* An address for r in pool p (see the file comment), or 0. */
static uint32_t choose(dhcp_server *s, size_t p, record *r, uint32_t requested, sim_time_t now)
{
    if (r->addr && usable(s, p, r->addr, r, now))
        return r->addr;
    if (requested && usable(s, p, requested, r, now))
        return requested;
    const dhcp_pool_cfg *pc = &s->cfg.pools[p];
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t a = pc->start; a <= pc->end && a != 0; a++) {
            slot *sl = &s->slots[p][a - pc->start];
            if (sl->declined_until > now || (pass == 0 && sl->owner))
                continue;
            if (!active(sl->owner, now))
                return a;
        }
    return 0;
}

/* Gives addr (in pool p) to r, taking it from an expired holder. */
static void assign(dhcp_server *s, size_t p, record *r, uint32_t addr)
{
    if (r->addr && r->addr != addr) {
        slot *old = slot_of(s, r->pool, r->addr);
        if (old && old->owner == r)
            old->owner = NULL;
    }
    slot *sl = slot_of(s, p, addr);
    if (sl->owner && sl->owner != r)
        sl->owner->addr = 0;
    sl->owner = r;
    r->addr = addr;
    r->pool = p;
}

/* ---------------------------------------------------------------- replies */

static void add_config(dhcp_msg *m, const dhcp_pool_cfg *p)
{
    dhcp_msg_add_u32(m, DHCP_OPT_SUBNET_MASK, p->mask);
    if (p->router)
        dhcp_msg_add_u32(m, DHCP_OPT_ROUTER, p->router);
    if (p->n_dns)
        dhcp_msg_add_ips(m, DHCP_OPT_DNS, p->dns, p->n_dns);
    if (p->domain && *p->domain)
        dhcp_msg_add(m, DHCP_OPT_DOMAIN_NAME, p->domain, strlen(p->domain));
}

/* Queues a reply of `type` to req (yiaddr, lease and configuration from pool p when p >= 0). */
static void reply(dhcp_server *s, const dhcp_msg *req, int type, uint32_t yiaddr, int p,
                  bool lease)
{
    dhcp_msg *m = g_new(dhcp_msg, 1);
    dhcp_msg_init(m, DHCP_BOOTREPLY, req->xid, req->chaddr);
    m->htype = req->htype;
    m->hlen = req->hlen;
    memcpy(m->chaddr, req->chaddr, DHCP_CHADDR_LEN);
    m->flags = req->flags;
    m->giaddr = req->giaddr;
    m->yiaddr = yiaddr;
    if (type == DHCPACK)
        m->ciaddr = req->ciaddr; /* RFC 2131 table 3 */
    dhcp_msg_add_u8(m, DHCP_OPT_MSG_TYPE, (uint8_t)type);
    dhcp_msg_add_u32(m, DHCP_OPT_SERVER_ID, s->cfg.server_id);
    if (type == DHCPNAK)
        dhcp_msg_add(m, DHCP_OPT_MESSAGE, "address not available", 21);
    if (p >= 0) {
        const dhcp_pool_cfg *pc = &s->cfg.pools[p];
        if (lease) {
            dhcp_msg_add_u32(m, DHCP_OPT_LEASE_TIME, pc->lease_secs);
            dhcp_msg_add_u32(m, DHCP_OPT_T1, pc->lease_secs / 2);
            dhcp_msg_add_u32(m, DHCP_OPT_T2, (uint32_t)((uint64_t)pc->lease_secs * 7 / 8));
        }
        add_config(m, pc);
    }
    dhcp_out *o = g_new0(dhcp_out, 1);
    o->src = s->cfg.server_id;
    o->sport = DHCP_SERVER_PORT;
    o->dport = DHCP_CLIENT_PORT;
    memcpy(o->chaddr, req->chaddr, 6);
    if (req->giaddr) {
        o->dst = req->giaddr;
        o->dport = DHCP_SERVER_PORT;
    } else if (type == DHCPNAK) {
        o->dst = DHCP_BROADCAST;
    } else if (req->ciaddr) {
        o->dst = req->ciaddr;
    } else if (req->flags & DHCP_FLAG_BROADCAST) {
        o->dst = DHCP_BROADCAST;
    } else {
        o->dst = yiaddr;
    }
    if (dhcp_msg_encode(m, o->data, sizeof o->data, &o->len) == 0) {
        g_queue_push_tail(&s->out, o);
        if (type == DHCPOFFER)
            s->stats.offers++;
        else if (type == DHCPACK)
            s->stats.acks++;
        else if (type == DHCPNAK)
            s->stats.naks++;
    } else {
        g_free(o);
    }
    g_free(m);
}

static void bind_lease(dhcp_server *s, record *r, const dhcp_msg *req, sim_time_t now)
{
    r->state = L_BOUND;
    r->expires = now + (sim_time_t)s->cfg.pools[r->pool].lease_secs * SIM_SEC;
    reply(s, req, DHCPACK, r->addr, (int)r->pool, true);
}

/* ---------------------------------------------------------------- messages */

static int on_discover(dhcp_server *s, const dhcp_msg *m, sim_time_t now)
{
    int p = pool_for(s, m);
    if (p < 0)
        return -ENOENT;
    record *r = find_record(s, m, true);
    uint32_t requested = 0;
    dhcp_msg_get_u32(m, DHCP_OPT_REQUESTED_IP, &requested);
    uint32_t addr = choose(s, (size_t)p, r, requested, now);
    if (!addr) {
        s->stats.exhausted++;
        return -ENOENT;
    }
    bool bound = r->state == L_BOUND && active(r, now) && r->addr == addr;
    assign(s, (size_t)p, r, addr);
    if (!bound) {
        r->state = L_OFFERED;
        r->expires = now + s->cfg.offer_hold;
    }
    reply(s, m, DHCPOFFER, addr, p, true);
    return 0;
}

/* RFC 2131 §4.3.2, told apart by server identifier, requested IP and ciaddr. */
static int on_request(dhcp_server *s, const dhcp_msg *m, sim_time_t now)
{
    uint32_t sid = 0, req = 0;
    bool has_sid = dhcp_msg_get_u32(m, DHCP_OPT_SERVER_ID, &sid) == 0;
    bool has_req = dhcp_msg_get_u32(m, DHCP_OPT_REQUESTED_IP, &req) == 0;
    if (has_sid) { /* SELECTING */
        record *r = find_record(s, m, false);
        if (sid != s->cfg.server_id) { /* the client chose another server's offer */
            if (r && r->state == L_OFFERED)
                r->state = L_FREE;
            return -ENOENT;
        }
        if (r && has_req && r->addr == req && usable(s, r->pool, req, r, now)) {
            bind_lease(s, r, m, now);
            return 0;
        }
        reply(s, m, DHCPNAK, 0, -1, false);
        return 0;
    }
    if (has_req && !m->ciaddr) { /* INIT-REBOOT */
        int p = pool_for(s, m);
        const dhcp_pool_cfg *pc = p >= 0 ? &s->cfg.pools[p] : NULL;
        if (!pc || (req & pc->mask) != (pc->start & pc->mask)) {
            reply(s, m, DHCPNAK, 0, -1, false); /* on the wrong network */
            return 0;
        }
        record *r = find_record(s, m, false);
        if (r && r->addr == req && usable(s, r->pool, req, r, now)) {
            bind_lease(s, r, m, now);
            return 0;
        }
        if (!r || !r->addr) {
            slot *sl = slot_of(s, (size_t)p, req);
            if (!sl || !active(sl->owner, now))
                return -ENOENT; /* no record of this client: remain silent */
        }
        reply(s, m, DHCPNAK, 0, -1, false);
        return 0;
    }
    if (m->ciaddr) { /* RENEWING (unicast) or REBINDING (broadcast) */
        int p = pool_of_addr(s, m->ciaddr);
        if (p < 0)
            return -ENOENT; /* not ours: another server's lease */
        record *r = find_record(s, m, true);
        if (usable(s, (size_t)p, m->ciaddr, r, now)) {
            assign(s, (size_t)p, r, m->ciaddr);
            bind_lease(s, r, m, now);
        } else {
            reply(s, m, DHCPNAK, 0, -1, false);
        }
        return 0;
    }
    return -ENOENT;
}

/* DECLINE and RELEASE name our server id; anything else is not for us. */
static int on_decline_release(dhcp_server *s, const dhcp_msg *m, int type, sim_time_t now)
{
    uint32_t sid = 0, addr = 0;
    if (dhcp_msg_get_u32(m, DHCP_OPT_SERVER_ID, &sid) || sid != s->cfg.server_id)
        return -ENOENT;
    record *r = find_record(s, m, false);
    if (type == DHCPDECLINE)
        dhcp_msg_get_u32(m, DHCP_OPT_REQUESTED_IP, &addr);
    else
        addr = m->ciaddr;
    if (!r || !addr || r->addr != addr)
        return -ENOENT;
    r->state = L_FREE;
    if (type == DHCPRELEASE) {
        s->stats.releases++; /* the record keeps the address for next time */
        return 0;
    }
    slot *sl = slot_of(s, r->pool, addr);
    sl->owner = NULL;
    sl->declined_until = now + s->cfg.decline_hold;
    r->addr = 0;
    s->stats.declines++;
    return 0;
}

int dhcp_server_input(dhcp_server *s, sim_time_t now, const uint8_t *buf, size_t len)
{
    s->stats.received++;
    dhcp_msg *m = g_new(dhcp_msg, 1);
    if (dhcp_msg_decode(buf, len, m, NULL) != 0) {
        s->stats.bad++;
        g_free(m);
        return -EBADMSG;
    }
    dhcp_server_timeout(s, now);
    int rc = -ENOENT;
    int type = m->op == DHCP_BOOTREQUEST ? dhcp_msg_type(m) : -ENOENT;
    switch (type) {
    case DHCPDISCOVER:
        rc = on_discover(s, m, now);
        break;
    case DHCPREQUEST:
        rc = on_request(s, m, now);
        break;
    case DHCPDECLINE:
    case DHCPRELEASE:
        rc = on_decline_release(s, m, type, now);
        break;
    case DHCPINFORM: { /* RFC 2131 §3.4: configuration only, no lease, no yiaddr */
        int p = m->ciaddr ? pool_of_addr(s, m->ciaddr) : -1;
        if (p < 0)
            p = pool_for(s, m);
        if (p >= 0 && m->ciaddr) {
            reply(s, m, DHCPACK, 0, p, false);
            s->stats.informs++;
            rc = 0;
        }
        break;
    }
    default:
        break;
    }
    if (rc == -ENOENT)
        s->stats.ignored++;
    g_free(m);
    return rc;
}

void dhcp_server_timeout(dhcp_server *s, sim_time_t now)
{
    for (guint i = 0; i < s->records->len; i++) {
        record *r = g_ptr_array_index(s->records, i);
        if (r->state != L_FREE && r->expires <= now) {
            if (r->state == L_BOUND)
                s->stats.expired++;
            r->state = L_FREE;
        }
    }
}

sim_time_t dhcp_server_next_deadline(const dhcp_server *s)
{
    sim_time_t t = SIM_TIME_NEVER;
    for (guint i = 0; i < s->records->len; i++) {
        const record *r = g_ptr_array_index(s->records, i);
        if (r->state != L_FREE && r->expires < t)
            t = r->expires;
    }
    return t;
}

bool dhcp_server_pop(dhcp_server *s, dhcp_out *out)
{
    dhcp_out *o = g_queue_pop_head(&s->out);
    if (!o)
        return false;
    *out = *o;
    g_free(o);
    return true;
}

int dhcp_server_lookup(const dhcp_server *s, sim_time_t now, uint32_t addr, uint8_t mac[6],
                       sim_time_t *expires)
{
    int p = pool_of_addr(s, addr);
    if (p < 0)
        return -ENOENT;
    const record *r = s->slots[p][addr - s->cfg.pools[p].start].owner;
    if (!r || r->state != L_BOUND || !active(r, now))
        return -ENOENT;
    if (mac)
        memcpy(mac, r->chaddr, 6);
    if (expires)
        *expires = r->expires;
    return 0;
}

const dhcp_server_stats *dhcp_server_get_stats(const dhcp_server *s)
{
    return &s->stats;
}
