/* sim/stack/slaac.c — the host side of IPv6 autoconfiguration (RFC 4862, RFC 4861 §6.3, RFC 7217,
 * RFC 7527): per-interface address list with states, Duplicate Address Detection, Router
 * Solicitations, and the lifetimes of addresses, default routers and on-link prefixes. RA
 * processing is in slaac_ra.c. One timer per interface, armed at the earliest deadline.
 *
 * An address is in the interface's addrs6 (and so usable as a source and answered for) only
 * while preferred or deprecated; deprecated ones are moved to the end of addrs6 so the stack's
 * source selection, which takes the first match, prefers preferred ones (RFC 6724 rule 3). */
#include <errno.h>
#include <string.h>
#include "sim/stack/slaac_priv.h"
#include "sim/trace.h"

const char *net_addr_state_name(net_addr_state s)
{
    static const char *const names[] = { "tentative", "preferred", "deprecated", "duplicate" };
    return (unsigned)s < G_N_ELEMENTS(names) ? names[s] : "?";
}

const char *net_addr_origin_name(net_addr_origin o)
{
    static const char *const names[] = { "link-local", "slaac", "static" };
    return (unsigned)o < G_N_ELEMENTS(names) ? names[o] : "?";
}

net_slaac *slaac_of(const sim_iface *i)
{
    GPtrArray *a = i->node->net->slaac;
    return a && i->index < a->len ? g_ptr_array_index(a, i->index) : NULL;
}

void slaac_log(net_slaac *s, const char *kind, const sim_ip *ip, const char *what)
{
    trace_log *log = sim_world_log(s->iface->node->world);
    GString *rec = trace_log_begin(log, sim_world_now(s->iface->node->world),
                                   s->iface->node->name, kind);
    if (!rec)
        return;
    char buf[SIM_IP_STRLEN];
    trace_log_str(rec, "iface", s->iface->name);
    if (ip)
        trace_log_str(rec, "addr", sim_ip_fmt(ip, buf, sizeof buf));
    if (what)
        trace_log_str(rec, "detail", what);
    trace_log_end(log, rec);
}

/* ---- interface identifiers ---- */

int net_slaac_iid(sim_iface *i, net_iid_kind k, const sim_ip *prefix, unsigned counter,
                  uint8_t iid[8])
{
    if (k == NET_IID_EUI64) { /* RFC 4291 App. A: U/L bit inverted, ff:fe in the middle */
        const uint8_t *m = i->mac;
        uint8_t e[8] = { m[0] ^ 0x02, m[1], m[2], 0xff, 0xfe, m[3], m[4], m[5] };
        memcpy(iid, e, 8);
        return 0;
    }
    if (k != NET_IID_STABLE)
        return -EINVAL;
    /* RFC 7217 §5: RID = F(Prefix, Net_Iface, Network_ID, DAD_Counter, secret_key); no
     * Network_ID. The secret is 128 bits derived from the world seed and the node name, so it
     * is stable across runs with one seed and independent of what else the node draws. */
    sim_rng r;
    sim_rng_derive(&r, sim_world_seed(i->node->world), i->node->name);
    uint64_t key[2] = { sim_rng_u64(&r) ^ 0x7217, sim_rng_u64(&r) };
    uint8_t cnt = (uint8_t)counter;
    GChecksum *h = g_checksum_new(G_CHECKSUM_SHA256);
    g_checksum_update(h, prefix->b, 8);
    g_checksum_update(h, (const guchar *)i->name, (gssize)strlen(i->name));
    g_checksum_update(h, &cnt, 1);
    g_checksum_update(h, (const guchar *)key, sizeof key);
    uint8_t dig[32];
    gsize len = sizeof dig;
    g_checksum_get_digest(h, dig, &len);
    g_checksum_free(h);
    memcpy(iid, dig, 8);
    return 0;
}

/* RFC 5453: the subnet-router anycast ID (0) and the reserved fdff:ffff:ffff:ff80..ff. */
static bool iid_reserved(const uint8_t iid[8])
{
    static const uint8_t zero[8], res[7] = { 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    return !memcmp(iid, zero, 8) || (!memcmp(iid, res, 7) && iid[7] >= 0x80);
}

/* The address prefix/64 + the interface ID for attempt `counter`. */
static int make_addr(net_slaac *s, const sim_ip *prefix, unsigned counter, sim_ip *out)
{
    uint8_t iid[8];
    if (s->o.iid == NET_IID_FIXED)
        memcpy(iid, s->o.fixed_iid, 8);
    else
        net_slaac_iid(s->iface, s->o.iid, prefix, counter, iid);
    if (iid_reserved(iid))
        return -EAGAIN;
    *out = *prefix;
    memcpy(out->b + 8, iid, 8);
    return 0;
}

/* ---- addrs6 and routes ---- */

static void ifaddr_put(sim_iface *i, const slaac_addr *a)
{
    sim_ifaddr ia = { a->ip, a->plen };
    if (a->origin == NET_ORIGIN_STATIC)
        sim_iface_add_addr(i, &a->ip, a->plen); /* with its connected route, as without DAD */
    else {
        g_array_append_val(i->addrs6, ia); /* on-link-ness comes from elsewhere (RFC 5942) */
        net_addr_watch_notify(i, &a->ip, a->plen, true);
    }
}

static void ifaddr_del(sim_iface *i, const sim_ip *ip)
{
    for (guint k = 0; k < i->addrs6->len; k++)
        if (sim_ip_eq(&g_array_index(i->addrs6, sim_ifaddr, k).ip, ip)) {
            sim_ifaddr gone = g_array_index(i->addrs6, sim_ifaddr, k);
            g_array_remove_index(i->addrs6, k);
            net_addr_watch_notify(i, &gone.ip, gone.plen, false);
            return;
        }
}

void slaac_route_set(sim_iface *i, const sim_ip *dst, unsigned plen, const sim_ip *gw, bool on)
{
    GArray *rt = i->node->routes;
    for (guint k = 0; k < rt->len; k++) {
        sim_route *r = &g_array_index(rt, sim_route, k);
        if (r->dev == i && r->plen == plen && sim_ip_eq(&r->dst, dst) &&
            (gw ? sim_ip_eq(&r->gw, gw) : r->gw.family == SIM_AF_NONE)) {
            if (!on)
                g_array_remove_index(rt, k);
            return;
        }
    }
    if (on)
        sim_node_add_route(i->node, dst, plen, gw, i);
}

static bool expire_list(net_slaac *s, GArray *list, bool routers, sim_time_t now);

/* ---- DAD ---- */

static void notify(net_slaac *s)
{
    if (s->notify)
        s->notify(s->notify_ctx, s->iface);
}

static void sn_group(net_slaac *s, slaac_addr *a, bool join)
{
    if (a->joined == join)
        return;
    sim_ip sn;
    net_solicited_node(&a->ip, &sn);
    if (join)
        net_group_join(s->iface, &sn);
    else
        net_group_leave(s->iface, &sn);
    a->joined = join;
}

slaac_addr *slaac_find(net_slaac *s, const sim_ip *ip)
{
    for (guint k = 0; k < s->addrs->len; k++) {
        slaac_addr *a = &g_array_index(s->addrs, slaac_addr, k);
        if (sim_ip_eq(&a->ip, ip) && a->state != NET_ADDR_DUPLICATE)
            return a;
    }
    return NULL;
}

static void dad_send(net_slaac *s, slaac_addr *a)
{
    sim_iface *i = s->iface;
    sim_ip any = { .family = SIM_AF_INET6 }, dst;
    net_solicited_node(&a->ip, &dst);
    sim_pkt *pkt = sim_pkt_alloc(net_pool(i->node));
    uint8_t *b = sim_pkt_put(pkt, 4 + 16 + 8);
    memset(b, 0, 4);
    memcpy(b + 4, a->ip.b, 16);
    b[20] = NET_ND_OPT_NONCE; /* RFC 7527: recognise our own NS if it loops back */
    b[21] = 1;
    memcpy(b + 22, a->nonce, 6);
    s->stats.dad_ns_sent++;
    net_nd_send(i, pkt, NET_ICMP6_NS, &any, &dst);
}

static void rs_start(net_slaac *s, sim_time_t delay)
{
    if (!s->o.slaac || s->disabled || s->iface->node->forwarding || s->routers->len)
        return; /* RFC 4861 6.3.7: not once an RA with a router lifetime came in */
    s->rs_sent = 0;
    s->rs_next = sim_world_now(s->iface->node->world) + delay;
}

static sim_time_t random_delay(net_slaac *s)
{
    return sim_rng_below(&s->iface->node->rng, (uint32_t)NET_MAX_RTR_SOLICITATION_DELAY + 1);
}

static void dad_success(net_slaac *s, slaac_addr *a)
{
    a->state = NET_ADDR_PREFERRED;
    sn_group(s, a, false); /* from now on addrs6 keeps the group (net_group_joined) */
    ifaddr_put(s->iface, a);
    slaac_log(s, "ipv6-address", &a->ip, "preferred");
    /* RFC 4861 6.3.7: a random delay before the first RS, unless DAD already made one. */
    if (a->origin == NET_ORIGIN_LINK_LOCAL)
        rs_start(s, s->o.dad ? 0 : random_delay(s));
}

/* Starts DAD on a (already in the list, state tentative). delay: before the first NS. */
void slaac_dad_start(net_slaac *s, slaac_addr *a, sim_time_t delay)
{
    sim_time_t now = sim_world_now(s->iface->node->world);
    a->state = NET_ADDR_TENTATIVE;
    if (!s->o.dad) {
        dad_success(s, a);
        return;
    }
    sn_group(s, a, true); /* RFC 4862 5.4.2 */
    a->ns_left = s->o.dad_transmits;
    a->next = now + delay;
    uint64_t r = sim_rng_u64(&s->iface->node->rng);
    memcpy(a->nonce, &r, 6);
    slaac_log(s, "ipv6-dad", &a->ip, "tentative");
}

slaac_addr *slaac_addr_new(net_slaac *s, const sim_ip *ip, unsigned plen, net_addr_origin o,
                           unsigned counter, const sim_ip *prefix)
{
    slaac_addr a = { .ip = *ip, .plen = plen, .origin = o, .dad_counter = counter,
                     .valid_until = SIM_TIME_NEVER, .preferred_until = SIM_TIME_NEVER };
    if (prefix)
        a.prefix = *prefix;
    g_array_append_val(s->addrs, a);
    return &g_array_index(s->addrs, slaac_addr, s->addrs->len - 1);
}

/* Creates the autoconfigured address for prefix (link-local or SLAAC), skipping reserved IDs;
 * returns it or NULL when the attempts are used up. */
slaac_addr *slaac_autoaddr(net_slaac *s, const sim_ip *prefix, net_addr_origin o,
                           unsigned counter)
{
    sim_ip ip;
    while (make_addr(s, prefix, counter, &ip) < 0)
        if (s->o.iid != NET_IID_STABLE || ++counter > NET_IDGEN_RETRIES)
            return NULL;
    if (sim_node_has_addr(s->iface->node, &ip) || slaac_find(s, &ip))
        return NULL;
    return slaac_addr_new(s, &ip, 64, o, counter, prefix);
}

/* Drops every address (but the duplicates, which stay for inspection, and, with keep_static,
 * the static ones), every default router and on-link prefix, with their routes. */
static void forget(net_slaac *s, bool keep_static)
{
    for (guint k = s->addrs->len; k-- > 0;) {
        slaac_addr *a = &g_array_index(s->addrs, slaac_addr, k);
        if (a->state == NET_ADDR_DUPLICATE || (keep_static && a->origin == NET_ORIGIN_STATIC))
            continue;
        sn_group(s, a, false);
        ifaddr_del(s->iface, &a->ip);
        g_array_remove_index(s->addrs, k);
    }
    for (guint k = 0; k < s->routers->len; k++)
        g_array_index(s->routers, slaac_expiring, k).expires = 0;
    for (guint k = 0; k < s->prefixes->len; k++)
        g_array_index(s->prefixes, slaac_expiring, k).expires = 0;
    expire_list(s, s->routers, true, 0);
    expire_list(s, s->prefixes, false, 0);
}

/* RFC 4862 5.4.5 and RFC 7217 6: a duplicate. */
static void dad_failed(net_slaac *s, slaac_addr *a)
{
    a->state = NET_ADDR_DUPLICATE;
    sn_group(s, a, false);
    s->stats.dad_failed++;
    slaac_log(s, "ipv6-dad", &a->ip, "duplicate address detected");
    if (a->origin == NET_ORIGIN_STATIC)
        return;
    sim_ip prefix = a->prefix, dup = a->ip;
    net_addr_origin o = a->origin;
    unsigned counter = a->dad_counter;
    sim_time_t valid = a->valid_until, pref = a->preferred_until;
    if (s->o.iid == NET_IID_STABLE && counter < NET_IDGEN_RETRIES) {
        slaac_addr *n = slaac_autoaddr(s, &prefix, o, counter + 1); /* a may move */
        if (n) {
            n->valid_until = valid;
            n->preferred_until = pref;
            slaac_dad_start(s, n, o == NET_ORIGIN_LINK_LOCAL ? random_delay(s) : 0);
            return;
        }
    }
    if (o == NET_ORIGIN_LINK_LOCAL) {
        s->disabled = true; /* RFC 4862 5.4.5: IP operation on the interface disabled */
        s->rs_next = SIM_TIME_NEVER;
        forget(s, false); /* IPv6 off: nothing more is sent or answered */
        slaac_log(s, "ipv6-disabled", &dup,
                  "duplicate address detected, admin intervention required");
    }
}

bool net_slaac_ns_input(sim_iface *in, const sim_ip *target, bool from_any,
                        const uint8_t *nonce, size_t nonce_len)
{
    net_slaac *s = slaac_of(in);
    slaac_addr *a = s ? slaac_find(s, target) : NULL;
    if (!a || a->state != NET_ADDR_TENTATIVE)
        return false;
    /* RFC 4862 5.4.3: from a unicast source, someone resolving us early: ignore. From ::,
     * another node is doing DAD for the same address, unless it is our own (RFC 7527). */
    if (from_any && !(nonce && nonce_len == 6 && !memcmp(nonce, a->nonce, 6))) {
        dad_failed(s, a);
        slaac_schedule(s);
        notify(s);
    }
    return true;
}

bool net_slaac_na_input(sim_iface *in, const sim_ip *target)
{
    net_slaac *s = slaac_of(in);
    slaac_addr *a = s ? slaac_find(s, target) : NULL;
    if (!a || a->state != NET_ADDR_TENTATIVE)
        return false;
    dad_failed(s, a); /* RFC 4862 5.4.4 */
    slaac_schedule(s);
    notify(s);
    return true;
}

/* ---- the timer ---- */

static sim_time_t min_t(sim_time_t a, sim_time_t b) { return a < b ? a : b; }

void slaac_schedule(net_slaac *s)
{
    sim_time_t t = s->rs_next;
    for (guint k = 0; k < s->addrs->len; k++) {
        const slaac_addr *a = &g_array_index(s->addrs, slaac_addr, k);
        if (a->state == NET_ADDR_TENTATIVE)
            t = min_t(t, a->next);
        else if (a->state == NET_ADDR_PREFERRED)
            t = min_t(t, min_t(a->preferred_until, a->valid_until));
        else if (a->state == NET_ADDR_DEPRECATED)
            t = min_t(t, a->valid_until);
    }
    for (guint k = 0; k < s->routers->len; k++)
        t = min_t(t, g_array_index(s->routers, slaac_expiring, k).expires);
    for (guint k = 0; k < s->prefixes->len; k++)
        t = min_t(t, g_array_index(s->prefixes, slaac_expiring, k).expires);
    if (t == SIM_TIME_NEVER)
        sim_timer_cancel(s->timer);
    else
        sim_timer_at(s->timer, t);
}

/* One address's due work; returns true if its state changed. Removes expired addresses. */
static bool addr_tick(net_slaac *s, guint k, sim_time_t now)
{
    slaac_addr *a = &g_array_index(s->addrs, slaac_addr, k);
    if (a->state == NET_ADDR_TENTATIVE && a->next <= now) {
        if (a->ns_left) {
            a->ns_left--;
            a->next = now + NET_RETRANS_TIMER;
            dad_send(s, a);
            return false;
        }
        dad_success(s, a);
        return true;
    }
    if ((a->state == NET_ADDR_PREFERRED || a->state == NET_ADDR_DEPRECATED) &&
        a->valid_until <= now) {
        slaac_log(s, "ipv6-address", &a->ip, "valid lifetime expired");
        ifaddr_del(s->iface, &a->ip);
        g_array_remove_index(s->addrs, k);
        return true;
    }
    if (a->state == NET_ADDR_PREFERRED && a->preferred_until <= now) {
        a->state = NET_ADDR_DEPRECATED;
        ifaddr_del(s->iface, &a->ip);
        ifaddr_put(s->iface, a); /* at the end: the last choice as a source */
        slaac_log(s, "ipv6-address", &a->ip, "deprecated");
        return true;
    }
    return false;
}

/* Drops expired routers or prefixes (their routes with them). */
static bool expire_list(net_slaac *s, GArray *list, bool routers, sim_time_t now)
{
    bool changed = false;
    for (guint k = list->len; k-- > 0;) {
        slaac_expiring *e = &g_array_index(list, slaac_expiring, k);
        if (e->expires > now)
            continue;
        sim_ip def = { .family = SIM_AF_INET6 };
        if (routers)
            slaac_route_set(s->iface, &def, 0, &e->ip, false);
        else
            slaac_route_set(s->iface, &e->ip, e->plen, NULL, false);
        g_array_remove_index(list, k);
        changed = true;
    }
    return changed;
}

static void rs_send(net_slaac *s)
{
    sim_iface *i = s->iface;
    sim_ip dst, src = { .family = SIM_AF_INET6 };
    sim_ip_parse("ff02::2", &dst);
    sim_pkt *pkt = sim_pkt_alloc(net_pool(i->node));
    const sim_ip *ll = NULL;
    for (guint k = 0; k < i->addrs6->len && !ll; k++)
        if (sim_ip_is_link_local6(&g_array_index(i->addrs6, sim_ifaddr, k).ip))
            ll = &g_array_index(i->addrs6, sim_ifaddr, k).ip;
    uint8_t *b = sim_pkt_put(pkt, ll ? 12 : 4);
    memset(b, 0, 4);
    if (ll) { /* RFC 4861 4.1: SLLA only with a source address */
        src = *ll;
        b[4] = NET_ND_OPT_SLLA;
        b[5] = 1;
        memcpy(b + 6, i->mac, 6);
    }
    s->stats.rs_sent++;
    net_nd_send(i, pkt, NET_ICMP6_RS, &src, &dst);
}

static void timer_fire(sim_timer *t, void *ctx)
{
    (void)t;
    net_slaac *s = ctx;
    sim_time_t now = sim_world_now(s->iface->node->world);
    bool changed = false;
    for (guint k = s->addrs->len; k-- > 0;)
        changed |= addr_tick(s, k, now);
    if (s->rs_next <= now) {
        rs_send(s);
        s->rs_sent++;
        s->rs_next = s->rs_sent < NET_MAX_RTR_SOLICITATIONS ? now + NET_RTR_SOLICITATION_INTERVAL
                                                            : SIM_TIME_NEVER;
    }
    changed |= expire_list(s, s->routers, true, now);
    changed |= expire_list(s, s->prefixes, false, now);
    slaac_schedule(s);
    if (changed)
        notify(s);
}

/* ---- configuration ---- */

static void slaac_free(net_slaac *s)
{
    if (!s)
        return;
    sim_timer_free(s->timer);
    g_array_unref(s->addrs);
    g_array_unref(s->routers);
    g_array_unref(s->prefixes);
    g_free(s);
}

void net_slaac_free_all(net_state *st)
{
    if (!st->slaac)
        return;
    for (guint k = 0; k < st->slaac->len; k++)
        slaac_free(g_ptr_array_index(st->slaac, k));
    g_ptr_array_unref(st->slaac);
    st->slaac = NULL;
}

int net_slaac_configure(sim_iface *i, const net_slaac_opts *o)
{
    static const uint8_t zero[8];
    if (o->iid == NET_IID_FIXED && !memcmp(o->fixed_iid, zero, 8))
        return -EINVAL;
    net_state *st = i->node->net;
    if (!st->slaac)
        st->slaac = g_ptr_array_new();
    if (st->slaac->len <= i->index)
        g_ptr_array_set_size(st->slaac, (gint)i->index + 1);
    net_slaac *s = g_ptr_array_index(st->slaac, i->index);
    if (!s) {
        s = g_new0(net_slaac, 1);
        s->iface = i;
        s->addrs = g_array_new(FALSE, TRUE, sizeof(slaac_addr));
        s->routers = g_array_new(FALSE, TRUE, sizeof(slaac_expiring));
        s->prefixes = g_array_new(FALSE, TRUE, sizeof(slaac_expiring));
        s->timer = sim_timer_new(i->node->world, timer_fire, s);
        g_ptr_array_index(st->slaac, i->index) = s;
    } else {
        forget(s, true); /* reconfiguration: static addresses stay */
        for (guint k = s->addrs->len; k-- > 0;)
            if (g_array_index(s->addrs, slaac_addr, k).state == NET_ADDR_DUPLICATE &&
                g_array_index(s->addrs, slaac_addr, k).origin != NET_ORIGIN_STATIC)
                g_array_remove_index(s->addrs, k);
    }
    s->o = *o;
    if (!s->o.dad_transmits)
        s->o.dad_transmits = 1;
    s->disabled = false;
    s->rs_next = SIM_TIME_NEVER;
    /* The link-local the stack gave the interface at attach time makes way for ours. */
    for (guint k = i->addrs6->len; k-- > 0;) {
        sim_ifaddr ia = g_array_index(i->addrs6, sim_ifaddr, k);
        if (sim_ip_is_link_local6(&ia.ip)) {
            g_array_remove_index(i->addrs6, k);
            net_addr_watch_notify(i, &ia.ip, ia.plen, false);
        }
    }
    sim_ip ll;
    sim_ip_parse("fe80::", &ll);
    slaac_addr *a = slaac_autoaddr(s, &ll, NET_ORIGIN_LINK_LOCAL, 0);
    if (a)
        slaac_dad_start(s, a, random_delay(s)); /* RFC 4862 5.4.2 */
    slaac_schedule(s);
    notify(s);
    return 0;
}

int net_slaac_add_static(sim_iface *i, const sim_ip *ip, unsigned plen)
{
    net_slaac *s = slaac_of(i);
    if (!s || !s->o.dad || ip->family != SIM_AF_INET6) /* IPv4: ARP's business */
        return sim_iface_add_addr(i, ip, plen);
    if (plen > 128 || sim_ip_is_any(ip) ||
        sim_ip_is_multicast(ip))
        return -EINVAL;
    if (sim_node_has_addr(i->node, ip) || slaac_find(s, ip))
        return -EEXIST;
    slaac_dad_start(s, slaac_addr_new(s, ip, plen, NET_ORIGIN_STATIC, 0, NULL), 0);
    slaac_schedule(s);
    notify(s);
    return 0;
}

bool net_slaac_configured(const sim_iface *i) { return slaac_of(i) != NULL; }

bool slaac_ll_ready(net_slaac *s)
{
    for (guint k = 0; k < s->addrs->len; k++) {
        const slaac_addr *a = &g_array_index(s->addrs, slaac_addr, k);
        if (a->origin == NET_ORIGIN_LINK_LOCAL &&
            (a->state == NET_ADDR_PREFERRED || a->state == NET_ADDR_DEPRECATED))
            return true;
    }
    return false;
}

bool net_slaac_disabled(const sim_iface *i)
{
    const net_slaac *s = slaac_of(i);
    return s && s->disabled;
}

size_t net_slaac_addrs(const sim_iface *i, net_slaac_addr_info *out, size_t max)
{
    const net_slaac *s = slaac_of(i);
    size_t n = 0;
    /* Addresses not managed here (unconfigured interface, static without DAD) first. */
    for (guint k = 0; k < i->addrs6->len; k++) {
        const sim_ifaddr *ia = &g_array_index(i->addrs6, sim_ifaddr, k);
        if (s && slaac_find((net_slaac *)s, &ia->ip))
            continue;
        if (n < max)
            out[n] = (net_slaac_addr_info){ ia->ip, ia->plen, NET_ADDR_PREFERRED,
                                            sim_ip_is_link_local6(&ia->ip) ? NET_ORIGIN_LINK_LOCAL
                                                                           : NET_ORIGIN_STATIC,
                                            SIM_TIME_NEVER, SIM_TIME_NEVER };
        n++;
    }
    for (guint k = 0; s && k < s->addrs->len; k++) {
        const slaac_addr *a = &g_array_index(s->addrs, slaac_addr, k);
        if (n < max)
            out[n] = (net_slaac_addr_info){ a->ip, a->plen, a->state, a->origin,
                                            a->valid_until, a->preferred_until };
        n++;
    }
    return n;
}

net_slaac_stats net_slaac_get_stats(const sim_iface *i)
{
    const net_slaac *s = slaac_of(i);
    return s ? s->stats : (net_slaac_stats){ 0 };
}

void net_slaac_set_notify(sim_iface *i, net_slaac_notify_fn fn, void *ctx)
{
    net_slaac *s = slaac_of(i);
    if (s) {
        s->notify = fn;
        s->notify_ctx = ctx;
    }
}

void slaac_notify(net_slaac *s) { notify(s); }

void slaac_readd(net_slaac *s, slaac_addr *a)
{
    ifaddr_del(s->iface, &a->ip);
    ifaddr_put(s->iface, a);
}
