/* sim/iface_config.c — run-time interface configuration for IPv4 (sim/socket.h, sim/node.h):
 * removing an address with the routes that depended on it, sockets tied to one interface
 * (SO_BINDTODEVICE) that may send from 0.0.0.0, ARP probes and announcements, static
 * neighbour entries. What DHCP (RFC 2131) and IPv4 link-local (RFC 3927) daemons need. */
#include <errno.h>
#include <string.h>
#include "sim/socket.h"
#include "sim/stack/net_priv.h"

static void mask4(sim_ip *ip, unsigned plen)
{
    for (unsigned bit = plen; bit < 32; bit++)
        ip->b[bit / 8] &= (uint8_t)~(0x80 >> (bit % 8));
}

/* True if gw is still on a connected prefix of the node (after a removal). */
static bool gw_still_reachable(const sim_node *n, const sim_ip *gw)
{
    for (guint k = 0; k < n->routes->len; k++) {
        const sim_route *r = &g_array_index(n->routes, sim_route, k);
        if (r->gw.family == SIM_AF_NONE && r->dev && r->dst.family == SIM_AF_INET &&
            sim_ip_prefix_match(&r->dst, gw, r->plen))
            return true;
    }
    return false;
}

int sim_iface_del_addr(sim_iface *i, const sim_ip *ip)
{
    if (!i || !ip || ip->family != SIM_AF_INET)
        return -EINVAL;
    guint at = i->addrs4->len;
    for (guint k = 0; k < i->addrs4->len; k++)
        if (sim_ip_eq(&g_array_index(i->addrs4, sim_ifaddr, k).ip, ip))
            at = k;
    if (at == i->addrs4->len)
        return -ENOENT;
    sim_ifaddr gone = g_array_index(i->addrs4, sim_ifaddr, at);
    g_array_remove_index(i->addrs4, at); /* keeps the order of the others */
    sim_ip net = gone.ip;
    mask4(&net, gone.plen);
    GArray *routes = i->node->routes;
    /* The connected route, unless another address of i keeps the same prefix. */
    bool prefix_kept = false;
    for (guint k = 0; k < i->addrs4->len; k++) {
        const sim_ifaddr *ia = &g_array_index(i->addrs4, sim_ifaddr, k);
        if (ia->plen == gone.plen && sim_ip_prefix_match(&net, &ia->ip, gone.plen))
            prefix_kept = true;
    }
    for (guint k = 0; !prefix_kept && k < routes->len; k++) {
        const sim_route *r = &g_array_index(routes, sim_route, k);
        if (r->dev == i && r->gw.family == SIM_AF_NONE && r->plen == gone.plen &&
            sim_ip_eq(&r->dst, &net)) {
            g_array_remove_index(routes, k);
            break;
        }
    }
    /* Routes whose gateway is no longer on any connected prefix (the lease's default route). */
    for (guint k = 0; k < routes->len;) {
        const sim_route *r = &g_array_index(routes, sim_route, k);
        if (r->gw.family == SIM_AF_INET && (!r->dev || r->dev == i) &&
            !gw_still_reachable(i->node, &r->gw))
            g_array_remove_index(routes, k);
        else
            k++;
    }
    net_addr_watch_notify(i, &gone.ip, gone.plen, false); /* routes settled first */
    return 0;
}

int sim_sock_bind_iface(sim_sock *s, sim_iface *iface)
{
    if (!s || s->closed || s->type != SIM_SOCK_UDP || (iface && iface->node != s->node))
        return -EINVAL;
    s->bound_if = iface;
    return 0;
}

int net_sock_iface_route(const sim_sock *s, const sim_ip *dst, sim_iface **out, sim_ip *src)
{
    const sim_ip *l = &s->local.ip;
    bool own = !sim_ip_is_any(l) && !sim_ip_is_multicast(l) && !sim_ip_is_broadcast(l);
    if (own && !sim_node_has_addr(s->node, l))
        return -EADDRNOTAVAIL; /* bound to an address that was removed */
    if (!s->bound_if || s->family != SIM_AF_INET ||
        !(sim_ip_is_broadcast(dst) || sim_ip_is_multicast(dst)))
        return 0;
    *out = s->bound_if;
    const sim_ip *a = own ? l : sim_iface_addr(s->bound_if, SIM_AF_INET);
    if (a)
        *src = *a;
    else
        *src = (sim_ip){ .family = SIM_AF_INET }; /* 0.0.0.0 */
    return 1;
}

int sim_arp_probe(sim_iface *iface, const sim_ip *ip)
{
    if (!iface || !ip || ip->family != SIM_AF_INET)
        return -EINVAL;
    net_arp_probe(iface, ip);
    return 0;
}

int sim_arp_announce(sim_iface *iface, const sim_ip *ip)
{
    if (!iface || !ip || ip->family != SIM_AF_INET)
        return -EINVAL;
    net_arp_announce(iface, ip);
    return 0;
}

int sim_iface_neigh_set(sim_iface *iface, const sim_ip *ip, const uint8_t mac[6])
{
    if (!iface || !ip || ip->family != SIM_AF_INET || !mac)
        return -EINVAL;
    net_neigh_update(iface, ip, mac, true);
    return 0;
}
