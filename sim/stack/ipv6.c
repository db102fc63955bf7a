/* sim/stack/ipv6.c — IPv6 (RFC 8200) input, local delivery, forwarding and output.
 *
 *   +-------+---------------+---------------------------------------+
 *   |Version| Traffic Class |              Flow Label               |
 *   +-------+---------------+-------+---------------+---------------+
 *   |         Payload Length        |  Next Header  |   Hop Limit   |
 *   +-------------------------------+---------------+---------------+
 *   |              Source Address (16) / Destination Address (16)   |
 *   +---------------------------------------------------------------+
 *
 * No fragmentation: packets over the MTU get Packet Too Big (RFC 8201). Hop-by-hop,
 * destination-options and routing headers (with no segments left) are skipped on delivery. */
#include <errno.h>
#include <string.h>
#include "sim/stack/net_priv.h"
#include "sim/stack/slaac.h"

#define NH_HOPOPTS 0
#define NH_ROUTING 43
#define NH_FRAGMENT 44
#define NH_NONE 59
#define NH_DSTOPTS 60

/* Routes, checks the MTU and hands the packet to NDP (multicast goes straight to Ethernet).
 * `in` is set when forwarding. Always consumes pkt; returns 0, -ENETUNREACH or -EMSGSIZE. */
static int ip6_xmit(sim_node *n, sim_pkt *pkt, sim_iface *in, sim_iface *hint)
{
    if (pkt->len < NET_IP6_HLEN) {
        sim_node_drop(n, in, pkt, SIM_DROP_MALFORMED, "short IPv6 packet");
        return -EINVAL;
    }
    sim_ip dst = sim_ip6(pkt->data + 24);
    bool mcast = sim_ip_is_multicast(&dst);
    sim_iface *out = NULL;
    sim_ip nh = dst;
    if (hint && (mcast || sim_ip_is_link_local6(&dst))) {
        out = hint;
    } else if (net_route(n, &dst, &out, &nh) < 0) {
        out = mcast ? net_default_iface(n, SIM_AF_INET6) : NULL;
        if (!out) {
            if (in)
                net_icmp6_error(n, pkt, 1, 0, 0);
            sim_node_drop(n, in, pkt, SIM_DROP_NO_ROUTE, "no IPv6 route");
            return -ENETUNREACH;
        }
    }
    if (pkt->len > out->mtu) {
        if (in)
            net_icmp6_error(n, pkt, 2, 0, out->mtu);
        sim_node_drop(n, in, pkt, SIM_DROP_TOO_BIG, "larger than the MTU");
        return -EMSGSIZE;
    }
    if (mcast) {
        uint8_t mac[6];
        net_mcast_mac6(&dst, mac);
        net_eth_output(out, pkt, mac, NET_ETHERTYPE_IPV6);
    } else {
        net_neigh_send(out, &nh, pkt);
    }
    return 0;
}

void net_ip6_route_out(sim_node *n, sim_pkt *pkt, sim_iface *in, sim_iface *out_hint)
{
    ip6_xmit(n, pkt, in, out_hint);
}

int net_ip6_pick_src(sim_node *n, sim_iface *out, const sim_ip *src, const sim_ip *dst,
                     sim_ip *s)
{
    if (src && !sim_ip_is_any(src)) {
        *s = *src;
        return 0;
    }
    const sim_ip *a = out ? net_iface_src(out, dst) : NULL;
    if (a) {
        *s = *a;
        return 0;
    }
    return net_select_src(n, dst, s);
}

int net_ip6_output(sim_node *n, sim_pkt *pkt, const sim_ip *src, const sim_ip *dst,
                   uint8_t nh, uint8_t hlim, sim_iface *out)
{
    if (dst->family != SIM_AF_INET6) {
        sim_pkt_free(net_pool(n), pkt);
        return -EINVAL;
    }
    sim_ip s;
    if (net_ip6_pick_src(n, out, src, dst, &s) < 0) {
        sim_node_drop(n, NULL, pkt, SIM_DROP_NO_ROUTE, "no source address");
        return -ENETUNREACH;
    }
    if (pkt->len > 0xFFFF) {
        sim_node_drop(n, NULL, pkt, SIM_DROP_TOO_BIG, "IPv6 payload too large");
        return -EMSGSIZE;
    }
    uint16_t plen = (uint16_t)pkt->len;
    uint8_t *h = sim_pkt_push(pkt, NET_IP6_HLEN);
    if (!h) {
        sim_node_drop(n, NULL, pkt, SIM_DROP_TOO_BIG, "no headroom");
        return -EMSGSIZE;
    }
    memset(h, 0, 4);
    h[0] = 0x60;
    net_wr16(h + 4, plen);
    h[6] = nh;
    h[7] = hlim;
    memcpy(h + 8, s.b, 16);
    memcpy(h + 24, dst->b, 16);
    pkt->in = NULL;
    sim_iface *owner = sim_node_iface_by_addr(n, dst);
    if (owner) {
        net_loopback(owner, pkt);
        return 0;
    }
    return ip6_xmit(n, pkt, NULL, out);
}

static void ip6_forward(sim_node *n, sim_iface *in, sim_pkt *pkt)
{
    if (!n->forwarding) {
        sim_node_drop(n, in, pkt, SIM_DROP_NOT_FORWARDING, "IPv6 packet for another host");
        return;
    }
    sim_ip src = sim_ip6(pkt->data + 8), dst = sim_ip6(pkt->data + 24);
    if (sim_ip_is_multicast(&dst)) {
        sim_node_drop(n, in, pkt, SIM_DROP_NOT_FORWARDING, "multicast not routed");
        return;
    }
    if (sim_ip_is_link_local6(&src) || sim_ip_is_link_local6(&dst)) {
        net_icmp6_error(n, pkt, 1, 2, 0); /* beyond scope of source address */
        sim_node_drop(n, in, pkt, SIM_DROP_NO_ROUTE, "link-local address not forwarded");
        return;
    }
    if (pkt->data[7] <= 1) {
        net_icmp6_error(n, pkt, 3, 0, 0);
        sim_node_drop(n, in, pkt, SIM_DROP_TTL, "hop limit exceeded");
        return;
    }
    pkt->data[7]--;
    ip6_xmit(n, pkt, in, NULL);
}

/* Local delivery: skips the extension headers we can skip, then demuxes. */
static void ip6_deliver(sim_node *n, sim_iface *in, sim_pkt *pkt)
{
    sim_ip src = sim_ip6(pkt->data + 8), dst = sim_ip6(pkt->data + 24);
    uint8_t hlim = pkt->data[7];
    uint8_t nh = pkt->data[6];
    cur c;
    cur_init(&c, pkt->data, pkt->len);
    cur_skip(&c, NET_IP6_HLEN);
    while (nh == NH_HOPOPTS || nh == NH_DSTOPTS || nh == NH_ROUTING) {
        const uint8_t *x = cur_ptr(&c);
        size_t left = cur_left(&c);
        if (left < 8 || (size_t)(x[1] + 1) * 8 > left || (nh == NH_ROUTING && x[3] != 0)) {
            sim_node_drop(n, in, pkt, SIM_DROP_MALFORMED, "IPv6 extension header");
            return;
        }
        nh = x[0];
        cur_skip(&c, (size_t)(x[1] + 1) * 8);
    }
    size_t off = c.off;
    if (nh == NH_NONE) {
        sim_pkt_free(net_pool(n), pkt);
        return;
    }
    if (nh != NET_PROTO_UDP && nh != NET_PROTO_TCP && nh != NET_PROTO_ICMPV6) {
        net_icmp6_error(n, pkt, 4, 1, (uint32_t)(nh == NH_FRAGMENT ? off : 6));
        sim_node_drop(n, in, pkt, SIM_DROP_UNSUPPORTED, "IPv6 next header");
        return;
    }
    pkt->l3 = (uint16_t)off;
    sim_pkt_pull(pkt, off);
    if (nh == NET_PROTO_UDP)
        net_udp_input(in, pkt, &src, &dst);
    else if (nh == NET_PROTO_TCP)
        net_tcp_input(in, pkt, &src, &dst);
    else
        net_icmp6_input(in, pkt, &src, &dst, hlim);
}

void net_ip6_input(sim_iface *in, sim_pkt *pkt)
{
    sim_node *n = in->node;
    if (net_slaac_disabled(in)) { /* RFC 4862 5.4.5 */
        sim_node_drop(n, in, pkt, SIM_DROP_UNSUPPORTED, "IPv6 disabled: duplicate link-local");
        return;
    }
    cur c;
    cur_init(&c, pkt->data, pkt->len);
    uint8_t v = cur_u8(&c);
    cur_skip(&c, 3);
    uint16_t plen = cur_u16(&c);
    cur_skip(&c, 34);
    if (!cur_ok(&c) || (v >> 4) != 6 || (size_t)plen + NET_IP6_HLEN > pkt->len) {
        sim_node_drop(n, in, pkt, SIM_DROP_MALFORMED, "bad IPv6 header");
        return;
    }
    pkt->len = NET_IP6_HLEN + plen; /* drop Ethernet padding */
    sim_ip src = sim_ip6(pkt->data + 8), dst = sim_ip6(pkt->data + 24);
    if (sim_ip_is_multicast(&src)) {
        sim_node_drop(n, in, pkt, SIM_DROP_MALFORMED, "multicast IPv6 source");
        return;
    }
    bool local = sim_ip_is_multicast(&dst) ? net_group_joined(in, &dst)
                                           : sim_node_has_addr(n, &dst);
    if (local)
        ip6_deliver(n, in, pkt);
    else
        ip6_forward(n, in, pkt);
}
