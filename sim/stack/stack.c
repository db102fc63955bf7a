/* sim/stack/stack.c — the node's stack state: creation and teardown, interface set-up (IPv6
 * link-local from the EUI-64, all-nodes and solicited-node groups, RFC 4291 2.5.1 / 2.7.1),
 * routing and source-address selection, multicast memberships and loopback. */
#include <errno.h>
#include <string.h>
#include "sim/stack/tcp_stack.h"

/* Port-table key: family in the high half, so IPv4 and IPv6 sockets never meet. */
static guint port_hash(gconstpointer k)
{
    return GPOINTER_TO_UINT(k) * 2654435761u; /* Knuth's multiplicative hash */
}

static guint neigh_hash(gconstpointer k)
{
    const net_neigh *e = k;
    uint32_t h = e->iface->index * 0x9E3779B1u ^ e->ip.family;
    for (int i = 0; i < 16; i += 4)
        h = (h ^ ((uint32_t)e->ip.b[i] << 24 | (uint32_t)e->ip.b[i + 1] << 16 |
                  (uint32_t)e->ip.b[i + 2] << 8 | e->ip.b[i + 3])) * 0x85EBCA6Bu;
    return h ^ (h >> 15);
}

static gboolean neigh_equal(gconstpointer a, gconstpointer b)
{
    const net_neigh *x = a, *y = b;
    return x->iface == y->iface && sim_ip_eq(&x->ip, &y->ip);
}

static void ping_timer_fire(sim_timer *t, void *ctx);

void net_node_init(sim_node *n)
{
    net_state *st = g_new0(net_state, 1);
    st->node = n;
    st->neigh = g_hash_table_new(neigh_hash, neigh_equal);
    st->neigh_list = g_ptr_array_new();
    st->groups = g_array_new(FALSE, TRUE, sizeof(net_group));
    st->udp = g_hash_table_new_full(port_hash, g_direct_equal, NULL,
                                    (GDestroyNotify)g_ptr_array_unref);
    st->socks = g_ptr_array_new();
    st->dead = g_ptr_array_new();
    st->pings = g_ptr_array_new_with_free_func(g_free);
    st->ping_timer = sim_timer_new(n->world, ping_timer_fire, n);
    st->ip_id = 1;
    net_tcp_init(st);
    n->net = st;
}

void net_node_free(sim_node *n)
{
    net_state *st = n->net;
    if (!st)
        return;
    /* Connections go first, silently: closing their sockets must not send at teardown. */
    net_tcp_drop_all(st);
    /* Close from the newest so each close finds its socket at the end of the array. */
    st->busy = 0;
    while (st->socks->len)
        sim_sock_close(g_ptr_array_index(st->socks, st->socks->len - 1));
    for (guint k = 0; k < st->dead->len; k++)
        net_sock_destroy(g_ptr_array_index(st->dead, k));
    g_ptr_array_unref(st->dead);
    g_ptr_array_unref(st->socks);
    g_hash_table_destroy(st->udp);
    net_tcp_free(st);
    net_neigh_free_all(st);
    net_arp_watch_free_all(st);
    net_addr_watch_free_all(st);
    g_hash_table_destroy(st->neigh);
    g_ptr_array_unref(st->neigh_list);
    g_array_unref(st->groups);
    net_ping_free_all(st);
    g_ptr_array_unref(st->pings);
    sim_timer_free(st->ping_timer);
    net_slaac_free_all(st);
    net_ra_free_all(st);
    g_free(st);
    n->net = NULL;
}

static void ping_timer_fire(sim_timer *t, void *ctx)
{
    sim_node *n = ctx;
    net_state *st = n->net;
    sim_time_t now = sim_world_now(n->world);
    /* Pings are sorted by deadline; report every expired one, re-arm for the next. */
    while (st->pings->len) {
        net_ping *p = g_ptr_array_index(st->pings, 0);
        if (p->deadline > now) {
            sim_timer_at(st->ping_timer, p->deadline);
            return;
        }
        g_ptr_array_steal_index(st->pings, 0);
        sim_ping_fn fn = p->fn;
        void *fctx = p->ctx;
        g_free(p);
        fn(fctx, -ETIMEDOUT, 0, 0);
    }
}

void net_solicited_node(const sim_ip *ip, sim_ip *out)
{
    static const uint8_t pfx[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff };
    memset(out, 0, sizeof *out);
    out->family = SIM_AF_INET6;
    memcpy(out->b, pfx, sizeof pfx);
    memcpy(out->b + 13, ip->b + 13, 3);
}

void net_iface_added(sim_iface *i)
{
    /* RFC 4291 2.5.1: modified EUI-64, universal/local bit inverted. */
    uint8_t b[16] = { 0xfe, 0x80 };
    b[8] = i->mac[0] ^ 0x02;
    b[9] = i->mac[1];
    b[10] = i->mac[2];
    b[11] = 0xff;
    b[12] = 0xfe;
    b[13] = i->mac[3];
    b[14] = i->mac[4];
    b[15] = i->mac[5];
    sim_ip ll = sim_ip6(b);
    sim_iface_add_addr(i, &ll, 64);
    sim_ip all_nodes, sn;
    sim_ip_parse("ff02::1", &all_nodes);
    net_group_join(i, &all_nodes);
    net_solicited_node(&ll, &sn);
    net_group_join(i, &sn);
}

void net_mcast_mac4(const sim_ip *group, uint8_t mac[6])
{
    mac[0] = 0x01;
    mac[1] = 0x00;
    mac[2] = 0x5e;
    mac[3] = group->b[1] & 0x7f;
    mac[4] = group->b[2];
    mac[5] = group->b[3];
}

void net_mcast_mac6(const sim_ip *group, uint8_t mac[6])
{
    mac[0] = 0x33;
    mac[1] = 0x33;
    memcpy(mac + 2, group->b + 12, 4);
}

static void group_mac(const sim_ip *g, uint8_t mac[6])
{
    if (g->family == SIM_AF_INET)
        net_mcast_mac4(g, mac);
    else
        net_mcast_mac6(g, mac);
}

void net_group_join(sim_iface *i, const sim_ip *group)
{
    GArray *a = i->node->net->groups;
    for (guint k = 0; k < a->len; k++) {
        net_group *g = &g_array_index(a, net_group, k);
        if (g->iface == i && sim_ip_eq(&g->group, group)) {
            g->refs++;
            return;
        }
    }
    net_group g = { i, *group, 1 };
    g_array_append_val(a, g);
    uint8_t mac[6];
    group_mac(group, mac);
    net_eth_mcast_add(i, mac);
}

void net_group_leave(sim_iface *i, const sim_ip *group)
{
    GArray *a = i->node->net->groups;
    for (guint k = 0; k < a->len; k++) {
        net_group *g = &g_array_index(a, net_group, k);
        if (g->iface != i || !sim_ip_eq(&g->group, group))
            continue;
        if (--g->refs == 0) {
            uint8_t mac[6];
            group_mac(group, mac);
            net_eth_mcast_del(i, mac);
            g_array_remove_index(a, k);
        }
        return;
    }
}

bool net_group_joined(const sim_iface *i, const sim_ip *group)
{
    const GArray *a = i->node->net->groups;
    for (guint k = 0; k < a->len; k++) {
        const net_group *g = &g_array_index(a, net_group, k);
        if (g->iface == i && sim_ip_eq(&g->group, group))
            return true;
    }
    /* Solicited-node groups of addresses added after attach (RFC 4861 7.2.1). */
    if (group->family == SIM_AF_INET6 && group->b[0] == 0xff && group->b[1] == 0x02 &&
        group->b[11] == 1 && group->b[12] == 0xff) {
        for (guint k = 0; k < i->addrs6->len; k++) {
            const sim_ip *a6 = &g_array_index(i->addrs6, sim_ifaddr, k).ip;
            sim_ip sn;
            net_solicited_node(a6, &sn);
            if (sim_ip_eq(&sn, group))
                return true;
        }
    }
    return false;
}

static sim_iface *iface_for_gw(sim_node *n, const sim_ip *gw)
{
    for (guint k = 0; k < n->ifaces->len; k++) {
        sim_iface *i = g_ptr_array_index(n->ifaces, k);
        GArray *a = gw->family == SIM_AF_INET ? i->addrs4 : i->addrs6;
        for (guint j = 0; j < a->len; j++) {
            const sim_ifaddr *ia = &g_array_index(a, sim_ifaddr, j);
            if (sim_ip_prefix_match(&ia->ip, gw, ia->plen))
                return i;
        }
    }
    return NULL;
}

int net_route(sim_node *n, const sim_ip *dst, sim_iface **out, sim_ip *nexthop)
{
    const sim_route *r = sim_node_route(n, dst);
    if (!r)
        return -ENETUNREACH;
    bool via_gw = r->gw.family != SIM_AF_NONE;
    *nexthop = via_gw ? r->gw : *dst;
    *out = r->dev ? r->dev : via_gw ? iface_for_gw(n, &r->gw) : NULL;
    return *out ? 0 : -ENETUNREACH;
}

const sim_ip *net_iface_src(const sim_iface *i, const sim_ip *dst)
{
    if (dst->family == SIM_AF_INET) {
        for (guint k = 0; k < i->addrs4->len; k++) {
            const sim_ifaddr *ia = &g_array_index(i->addrs4, sim_ifaddr, k);
            if (sim_ip_prefix_match(&ia->ip, dst, ia->plen))
                return &ia->ip;
        }
        return sim_iface_addr(i, SIM_AF_INET);
    }
    /* RFC 6724 rule 2 in its simplest form: link-scope destinations get the link-local
     * address, everything else a global one when the interface has it. */
    bool link_scope = sim_ip_is_link_local6(dst) ||
                      (dst->b[0] == 0xff && (dst->b[1] & 0x0f) <= 2);
    for (guint k = 0; !link_scope && k < i->addrs6->len; k++) { /* rule 8, on-prefix first */
        const sim_ifaddr *ia = &g_array_index(i->addrs6, sim_ifaddr, k);
        if (sim_ip_prefix_match(&ia->ip, dst, ia->plen) && !sim_ip_is_link_local6(&ia->ip))
            return &ia->ip;
    }
    for (guint k = 0; k < i->addrs6->len; k++) {
        const sim_ip *a = &g_array_index(i->addrs6, sim_ifaddr, k).ip;
        if (sim_ip_is_link_local6(a) == link_scope)
            return a;
    }
    return sim_iface_addr(i, SIM_AF_INET6);
}

sim_iface *net_default_iface(sim_node *n, int family)
{
    for (guint k = 0; k < n->ifaces->len; k++) {
        sim_iface *i = g_ptr_array_index(n->ifaces, k);
        if (sim_iface_addr(i, family))
            return i;
    }
    return NULL;
}

int net_select_src(sim_node *n, const sim_ip *dst, sim_ip *src)
{
    sim_iface *out = NULL;
    sim_ip nh;
    if (net_route(n, dst, &out, &nh) < 0) {
        bool bcast = sim_ip_is_multicast(dst) || sim_ip_is_broadcast(dst);
        if (!bcast || !(out = net_default_iface(n, dst->family)))
            return -ENETUNREACH;
    }
    const sim_ip *a = net_iface_src(out, dst);
    if (!a)
        return -ENETUNREACH;
    *src = *a;
    return 0;
}

static void loopback_run(void *ctx, void *arg)
{
    sim_iface *owner = ctx;
    sim_pkt *pkt = arg;
    pkt->in = owner;
    if (pkt->len && (pkt->data[0] >> 4) == 6)
        net_ip6_input(owner, pkt);
    else
        net_ip4_input(owner, pkt);
}

void net_loopback(sim_iface *owner, sim_pkt *pkt)
{
    /* Delivered from the event loop, as a real loopback device does (never re-entrantly), and
     * as if it arrived on the interface holding the destination address. */
    sim_sched *s = sim_world_sched(owner->node->world);
    sim_sched_at(s, sim_sched_now(s), loopback_run, owner, pkt);
}
