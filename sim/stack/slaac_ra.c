/* sim/stack/slaac_ra.c — a host processing Router Advertisements (RFC 4861 §6.1.2 validation,
 * §6.3.4 default router and prefix lists) and their Prefix Information options (RFC 4862
 * §5.5.3: SLAAC addresses, lifetimes, the two-hour rule).
 *
 *   RA (134): type code cksum | cur hop limit | M O reserved | router lifetime (2)
 *             reachable time (4) | retrans timer (4) | options
 *   PIO (3):  type len=4 | prefix length | L A reserved | valid lifetime (4)
 *             preferred lifetime (4) | reserved (4) | prefix (16)
 */
#include <string.h>
#include "sim/stack/slaac_priv.h"

#define PIO_L 0x80
#define PIO_A 0x40
#define INFINITE 0xffffffffu

static sim_time_t lifetime_end(sim_time_t now, uint32_t secs)
{
    return secs == INFINITE ? SIM_TIME_NEVER : now + (sim_time_t)secs * SIM_SEC;
}

/* Adds, refreshes or (when `end` is now) expires an entry of a router or prefix list. */
static void list_update(net_slaac *s, GArray *list, const sim_ip *ip, unsigned plen,
                        sim_time_t end, bool router)
{
    sim_ip def = { .family = SIM_AF_INET6 };
    for (guint k = 0; k < list->len; k++) {
        slaac_expiring *e = &g_array_index(list, slaac_expiring, k);
        if (e->plen == plen && sim_ip_eq(&e->ip, ip)) {
            e->expires = end; /* 0 lifetime: the timer removes it now */
            return;
        }
    }
    if (end <= sim_world_now(s->iface->node->world))
        return;
    if (list->len >= (router ? NET_SLAAC_MAX_ROUTERS : NET_SLAAC_MAX_PREFIXES)) {
        s->stats.ra_ignored++;
        return;
    }
    slaac_expiring e = { *ip, plen, end };
    g_array_append_val(list, e);
    if (router)
        slaac_route_set(s->iface, &def, 0, ip, true);
    else
        slaac_route_set(s->iface, ip, plen, NULL, true);
}

/* The SLAAC entry made from prefix, whatever its state, or NULL. */
static slaac_addr *find_by_prefix(net_slaac *s, const sim_ip *prefix)
{
    slaac_addr *found = NULL;
    for (guint k = 0; k < s->addrs->len; k++) {
        slaac_addr *a = &g_array_index(s->addrs, slaac_addr, k);
        if (a->origin == NET_ORIGIN_SLAAC && !memcmp(a->prefix.b, prefix->b, 8) &&
            (!found || found->state == NET_ADDR_DUPLICATE))
            found = a;
    }
    return found;
}

/* RFC 4862 5.5.3 (e): an address we already have from this prefix. */
static void refresh_addr(net_slaac *s, slaac_addr *a, uint32_t valid, uint32_t pref,
                         sim_time_t now)
{
    sim_time_t v = lifetime_end(now, valid);
    if ((valid != INFINITE && (sim_time_t)valid * SIM_SEC > NET_TWO_HOURS) ||
        valid == INFINITE || v > a->valid_until)
        a->valid_until = v;
    else if (a->valid_until - now <= NET_TWO_HOURS)
        ; /* unauthenticated RA: never shorten below the remaining two hours */
    else
        a->valid_until = now + NET_TWO_HOURS;
    a->preferred_until = lifetime_end(now, pref);
    if (a->state == NET_ADDR_DEPRECATED && a->preferred_until > now) {
        a->state = NET_ADDR_PREFERRED;
        slaac_readd(s, a);
    }
}

static void prefix_input(net_slaac *s, cur *c, sim_time_t now)
{
    uint8_t plen = cur_u8(c), flags = cur_u8(c);
    uint32_t valid = cur_u32(c), pref = cur_u32(c);
    cur_skip(c, 4);
    sim_ip prefix = { .family = SIM_AF_INET6 };
    cur_copy(c, prefix.b, 16);
    if (plen > 128 || sim_ip_is_link_local6(&prefix) || sim_ip_is_multicast(&prefix)) {
        s->stats.ra_ignored++;
        return; /* RFC 4862 5.5.3 (b), RFC 4861 6.3.4 */
    }
    for (unsigned bit = plen; bit < 128; bit++)
        prefix.b[bit / 8] &= (uint8_t)~(0x80 >> (bit % 8));
    if (flags & PIO_L)
        list_update(s, s->prefixes, &prefix, plen, valid ? lifetime_end(now, valid) : now, false);
    if (!(flags & PIO_A) || pref > valid)
        return; /* RFC 4862 5.5.3 (a), (c) */
    if (plen != 64) {
        s->stats.ra_ignored++; /* (d): prefix + 64-bit interface ID must make 128 bits */
        return;
    }
    slaac_addr *a = find_by_prefix(s, &prefix);
    if (a && a->state == NET_ADDR_DUPLICATE)
        return; /* the interface ID is taken here: wait for an administrator */
    if (a) {
        refresh_addr(s, a, valid, pref, now);
        return;
    }
    if (valid == 0)
        return;
    if (s->addrs->len >= NET_SLAAC_MAX_ADDRS) {
        s->stats.ra_ignored++;
        return;
    }
    a = slaac_autoaddr(s, &prefix, NET_ORIGIN_SLAAC, 0);
    if (!a)
        return;
    a->valid_until = lifetime_end(now, valid);
    a->preferred_until = lifetime_end(now, pref);
    /* RFC 4862 5.4.2: an address from a multicast RA waits a random delay before DAD. */
    slaac_dad_start(s, a, sim_rng_below(&s->iface->node->rng,
                                        (uint32_t)NET_MAX_RTR_SOLICITATION_DELAY + 1));
}

/* First pass over the options: every length valid and the known options of their size.
 * Returns 0 or -EBADMSG. */
static int ra_opts_valid(cur c)
{
    uint8_t t;
    cur body;
    int r;
    while ((r = net_nd_opt_next(&c, &t, &body)) > 0) {
        size_t len = cur_left(&body);
        if ((t == NET_ND_OPT_PREFIX && len != 30) || (t == NET_ND_OPT_SLLA && len != 6) ||
            (t == NET_ND_OPT_MTU && len != 6))
            return -EBADMSG;
    }
    return r;
}

void net_slaac_ra_input(sim_iface *in, sim_pkt *pkt, const sim_ip *src, uint8_t hlim)
{
    sim_node *n = in->node;
    net_slaac *s = slaac_of(in);
    cur c;
    cur_init(&c, pkt->data, pkt->len);
    cur_skip(&c, 1);
    uint8_t code = cur_u8(&c);
    cur_skip(&c, 4);
    uint16_t router_lifetime = cur_u16(&c);
    cur_skip(&c, 8);
    /* RFC 4861 6.1.2: link-local source, hop limit 255, code 0, at least 16 bytes, options. */
    if (!cur_ok(&c) || hlim != NET_ND_HLIM || code != 0 || !sim_ip_is_link_local6(src) ||
        ra_opts_valid(c) < 0) {
        sim_node_drop(n, in, pkt, SIM_DROP_MALFORMED, "invalid Router Advertisement");
        return;
    }
    if (!s || !s->o.slaac || s->disabled || n->forwarding || !slaac_ll_ready(s)) {
        if (s)
            s->stats.ra_ignored++;
        sim_pkt_free(net_pool(n), pkt);
        return;
    }
    s->stats.ra_rx++;
    sim_time_t now = sim_world_now(n->world);
    list_update(s, s->routers, src, 128,
                router_lifetime ? now + (sim_time_t)router_lifetime * SIM_SEC : now, true);
    if (router_lifetime)
        s->rs_next = SIM_TIME_NEVER; /* RFC 4861 6.3.7: stop soliciting */
    uint8_t t;
    cur body;
    while (net_nd_opt_next(&c, &t, &body) > 0) {
        if (t == NET_ND_OPT_PREFIX)
            prefix_input(s, &body, now);
        else if (t == NET_ND_OPT_SLLA)
            net_neigh_update(in, src, cur_ptr(&body), true);
    }
    sim_pkt_free(net_pool(n), pkt);
    slaac_schedule(s);
    slaac_notify(s);
}
