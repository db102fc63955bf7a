/* sim/stack/ndp_router.c — the router side of Neighbor Discovery (RFC 4861 §6.2): an advertising
 * interface sends unsolicited Router Advertisements every uniformly random interval in
 * [MinRtrAdvInterval, MaxRtrAdvInterval] (the first MAX_INITIAL_RTR_ADVERTISEMENTS at most
 * MAX_INITIAL_RTR_ADVERT_INTERVAL apart), and answers a Router Solicitation with a multicast RA
 * after a random delay of up to MAX_RA_DELAY_TIME, never sooner than MIN_DELAY_BETWEEN_RAS after
 * the previous multicast RA (§6.2.6). Randomness comes from the node's stream.
 *
 *   RS (133): type code cksum | reserved (4) | option: source link-layer address */
#include <errno.h>
#include <string.h>
#include "sim/stack/net_priv.h"
#include "sim/stack/slaac.h"

#define MAX_ADV_INTERVAL (1800 * SIM_SEC)

typedef struct net_ra {
    sim_iface *iface;
    net_ra_opts o;
    sim_timer *timer;
    sim_time_t last_mcast;     /* SIM_TIME_NEVER: none yet */
    unsigned initial_left;     /* initial advertisements still to send */
    net_ra_stats stats;
} net_ra;

static net_ra *ra_of(const sim_iface *i)
{
    GPtrArray *a = i->node->net->ra;
    return a && i->index < a->len ? g_ptr_array_index(a, i->index) : NULL;
}

static const sim_ip *link_local(const sim_iface *i)
{
    for (guint k = 0; k < i->addrs6->len; k++)
        if (sim_ip_is_link_local6(&g_array_index(i->addrs6, sim_ifaddr, k).ip))
            return &g_array_index(i->addrs6, sim_ifaddr, k).ip;
    return NULL;
}

static void put32(uint8_t *p, uint32_t v)
{
    net_wr16(p, (uint16_t)(v >> 16));
    net_wr16(p + 2, (uint16_t)v);
}

/* Sends one multicast RA from the interface's link-local address; false when it has none
 * usable yet (DAD still running). */
static bool ra_send(net_ra *r, uint16_t router_lifetime)
{
    sim_iface *i = r->iface;
    const sim_ip *src = link_local(i);
    if (!src)
        return false;
    sim_ip dst;
    sim_ip_parse("ff02::1", &dst);
    sim_pkt *pkt = sim_pkt_alloc(net_pool(i->node));
    size_t len = 12 + 8 + (r->o.mtu ? 8 : 0) + 32 * r->o.n_prefixes;
    uint8_t *b = sim_pkt_put(pkt, len);
    memset(b, 0, len);
    b[0] = r->o.cur_hop_limit;
    net_wr16(b + 2, router_lifetime);
    uint8_t *o = b + 12;
    o[0] = NET_ND_OPT_SLLA;
    o[1] = 1;
    memcpy(o + 2, i->mac, 6);
    o += 8;
    if (r->o.mtu) {
        o[0] = NET_ND_OPT_MTU;
        o[1] = 1;
        put32(o + 4, r->o.mtu);
        o += 8;
    }
    for (unsigned k = 0; k < r->o.n_prefixes; k++, o += 32) {
        const net_ra_prefix *p = &r->o.prefixes[k];
        o[0] = NET_ND_OPT_PREFIX;
        o[1] = 4;
        o[2] = (uint8_t)p->plen;
        o[3] = (uint8_t)((p->onlink ? 0x80 : 0) | (p->autonomous ? 0x40 : 0));
        put32(o + 4, p->valid);
        put32(o + 8, p->preferred);
        memcpy(o + 16, p->prefix.b, 16);
    }
    r->stats.ra_sent++;
    r->last_mcast = sim_world_now(i->node->world);
    net_nd_send(i, pkt, NET_ICMP6_RA, src, &dst);
    return true;
}

/* A uniformly random interval in [Min, Max] (capped for the initial advertisements). */
static sim_time_t next_interval(net_ra *r)
{
    sim_time_t lo = r->o.min_interval, hi = r->o.max_interval;
    sim_time_t t = lo + (sim_time_t)(sim_rng_double(&r->iface->node->rng) * (double)(hi - lo));
    if (r->initial_left && t > NET_MAX_INITIAL_RTR_ADVERT_INTERVAL)
        t = NET_MAX_INITIAL_RTR_ADVERT_INTERVAL;
    return t;
}

static void ra_fire(sim_timer *t, void *ctx)
{
    net_ra *r = ctx;
    if (!ra_send(r, (uint16_t)r->o.router_lifetime)) {
        sim_timer_in(t, NET_RETRANS_TIMER); /* our link-local is still tentative */
        return;
    }
    if (r->initial_left)
        r->initial_left--;
    sim_timer_in(t, next_interval(r));
}

static int check_opts(const sim_iface *i, net_ra_opts *o)
{
    if (!i->node->forwarding)
        return -EINVAL;
    if (!o->max_interval)
        o->max_interval = 600 * SIM_SEC;
    if (o->max_interval > MAX_ADV_INTERVAL)
        return -EINVAL;
    if (!o->min_interval)
        o->min_interval = o->max_interval >= 9 * SIM_SEC ? o->max_interval * 33 / 100
                                                         : o->max_interval;
    else if (o->min_interval * 4 > o->max_interval * 3)
        return -EINVAL; /* RFC 4861 6.2.1: MinRtrAdvInterval <= 0.75 MaxRtrAdvInterval */
    if (o->router_lifetime < 0)
        o->router_lifetime = (int)MIN(9000, (o->max_interval * 3 + SIM_SEC - 1) / SIM_SEC);
    if (o->router_lifetime > 9000)
        return -EINVAL;
    if (o->n_prefixes > NET_RA_MAX_PREFIXES)
        return -ENOSPC;
    for (unsigned k = 0; k < o->n_prefixes; k++) {
        const net_ra_prefix *p = &o->prefixes[k];
        if (p->prefix.family != SIM_AF_INET6 || p->plen > 128 || p->preferred > p->valid ||
            sim_ip_is_link_local6(&p->prefix) || sim_ip_is_multicast(&p->prefix))
            return -EINVAL;
    }
    return 0;
}

int net_ra_advertise(sim_iface *i, const net_ra_opts *opts)
{
    net_ra_opts o = *opts;
    int err = check_opts(i, &o);
    if (err < 0)
        return err;
    net_state *st = i->node->net;
    if (!st->ra)
        st->ra = g_ptr_array_new();
    if (st->ra->len <= i->index)
        g_ptr_array_set_size(st->ra, (gint)i->index + 1);
    net_ra *r = g_ptr_array_index(st->ra, i->index);
    if (!r) {
        r = g_new0(net_ra, 1);
        r->iface = i;
        r->timer = sim_timer_new(i->node->world, ra_fire, r);
        r->last_mcast = SIM_TIME_NEVER;
        g_ptr_array_index(st->ra, i->index) = r;
        sim_ip all_routers;
        sim_ip_parse("ff02::2", &all_routers); /* RFC 4291 2.8: where RSs go */
        net_group_join(i, &all_routers);
    }
    r->o = o;
    r->initial_left = NET_MAX_INITIAL_RTR_ADVERTISEMENTS; /* §6.2.4: a new advertising iface */
    sim_timer_in(r->timer, 0);
    return 0;
}

void net_ra_stop(sim_iface *i)
{
    net_ra *r = ra_of(i);
    if (!r)
        return;
    ra_send(r, 0); /* §6.2.5: a final RA with router lifetime zero */
    sim_ip all_routers;
    sim_ip_parse("ff02::2", &all_routers);
    net_group_leave(i, &all_routers);
    sim_timer_free(r->timer);
    g_free(r);
    g_ptr_array_index(i->node->net->ra, i->index) = NULL;
}

net_ra_stats net_ra_get_stats(const sim_iface *i)
{
    const net_ra *r = ra_of(i);
    return r ? r->stats : (net_ra_stats){ 0 };
}

void net_ra_free_all(net_state *st)
{
    if (!st->ra)
        return;
    for (guint k = 0; k < st->ra->len; k++) {
        net_ra *r = g_ptr_array_index(st->ra, k);
        if (r) {
            sim_timer_free(r->timer);
            g_free(r);
        }
    }
    g_ptr_array_unref(st->ra);
    st->ra = NULL;
}

void net_ra_rs_input(sim_iface *in, sim_pkt *pkt, const sim_ip *src, uint8_t hlim)
{
    sim_node *n = in->node;
    cur c;
    cur_init(&c, pkt->data, pkt->len);
    cur_skip(&c, 1);
    uint8_t code = cur_u8(&c);
    cur_skip(&c, 6);
    const uint8_t *lla = NULL;
    uint8_t t;
    cur body;
    int r;
    while ((r = net_nd_opt_next(&c, &t, &body)) > 0)
        if (t == NET_ND_OPT_SLLA)
            lla = cur_left(&body) == 6 ? cur_ptr(&body) : NULL;
    /* RFC 4861 6.1.1: hop limit 255, code 0, 8 bytes or more, options valid, no SLLA from ::. */
    if (r < 0 || !cur_ok(&c) || hlim != NET_ND_HLIM || code != 0 ||
        (sim_ip_is_any(src) && lla)) {
        sim_node_drop(n, in, pkt, SIM_DROP_MALFORMED, "invalid Router Solicitation");
        return;
    }
    sim_pkt_free(net_pool(n), pkt);
    net_ra *ra = ra_of(in);
    if (!ra)
        return; /* hosts and non-advertising interfaces discard RSs silently (§6.2.6) */
    ra->stats.rs_rx++;
    if (lla && !sim_ip_is_any(src))
        net_neigh_update(in, src, lla, true);
    sim_time_t now = sim_world_now(n->world);
    sim_time_t when = now + sim_rng_below(&n->rng, (uint32_t)NET_MAX_RA_DELAY_TIME + 1);
    if (ra->last_mcast != SIM_TIME_NEVER && when < ra->last_mcast + NET_MIN_DELAY_BETWEEN_RAS)
        when = ra->last_mcast + NET_MIN_DELAY_BETWEEN_RAS;
    if (when < sim_timer_deadline(ra->timer))
        sim_timer_at(ra->timer, when); /* else the next unsolicited RA answers it */
}
