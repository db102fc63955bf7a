/* sim/stack/ipv4.c — IPv4 (RFC 791) input, local delivery, forwarding (RFC 1812) and output.
 *
 *    0                   1                   2                   3
 *   +-------+-------+---------------+-------------------------------+
 *   |Version|  IHL  |      TOS      |          Total Length         |
 *   +-------+-------+---------------+-----+-------------------------+
 *   |         Identification        |Flags|     Fragment Offset     |
 *   +---------------+---------------+-----+-------------------------+
 *   |      TTL      |   Protocol    |        Header Checksum        |
 *   +---------------+---------------+-------------------------------+
 *   |                 Source Address  /  Destination Address        |
 *   +---------------------------------------------------------------+
 *
 * No fragmentation or reassembly: every packet we make carries DF, and packets over the MTU are
 * refused (frag-needed when forwarding, -EMSGSIZE when local). Options are skipped. */
#include <errno.h>
#include <string.h>
#include "sim/nat.h"
#include "sim/stack/net_priv.h"

#define IP4_DF 0x4000
#define IP4_MF 0x2000
#define IP4_OFFMASK 0x1fff

static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

bool net_ip4_is_bcast(const sim_iface *i, const sim_ip *dst)
{
    if (sim_ip_is_broadcast(dst))
        return true;
    uint32_t d = sim_ip4_u32(dst);
    for (guint k = 0; i && k < i->addrs4->len; k++) {
        const sim_ifaddr *ia = &g_array_index(i->addrs4, sim_ifaddr, k);
        if (ia->plen == 0 || ia->plen > 30)
            continue;
        uint32_t host = 0xFFFFFFFFu >> ia->plen;
        if (sim_ip_prefix_match(&ia->ip, dst, ia->plen) && (d & host) == host)
            return true;
    }
    return false;
}

/* Routes, checks the MTU and hands the packet to ARP (or straight to Ethernet for broadcast
 * and multicast). `in` is set when forwarding: errors then go back to the sender as ICMP.
 * Always consumes pkt; returns 0, -ENETUNREACH or -EMSGSIZE. */
static int ip4_xmit(sim_node *n, sim_pkt *pkt, sim_iface *in, sim_iface *hint)
{
    if (pkt->len < NET_IP4_HLEN) {
        sim_node_drop(n, in, pkt, SIM_DROP_MALFORMED, "short IPv4 packet");
        return -EINVAL;
    }
    sim_ip dst = sim_ip4_bytes(pkt->data + 16);
    bool group = sim_ip_is_multicast(&dst) || sim_ip_is_broadcast(&dst);
    sim_iface *out = NULL;
    sim_ip nh;
    if (group && hint) {
        out = hint;
    } else if (net_route(n, &dst, &out, &nh) < 0) {
        out = group ? net_default_iface(n, SIM_AF_INET) : NULL;
        if (!out) {
            if (in)
                net_icmp4_error(n, pkt, 3, 0);
            sim_node_drop(n, in, pkt, SIM_DROP_NO_ROUTE, "no IPv4 route");
            return -ENETUNREACH;
        }
    }
    if (pkt->len > out->mtu) {
        if (in && (net_rd16(pkt->data + 6) & IP4_DF))
            net_icmp4_error_mtu(n, pkt, 3, 4, (uint16_t)out->mtu);
        sim_node_drop(n, in, pkt, SIM_DROP_TOO_BIG, "larger than the MTU, DF");
        return -EMSGSIZE;
    }
    if (sim_ip_is_multicast(&dst)) {
        uint8_t mac[6];
        net_mcast_mac4(&dst, mac);
        net_eth_output(out, pkt, mac, NET_ETHERTYPE_IPV4);
    } else if (group || net_ip4_is_bcast(out, &dst)) {
        net_eth_output(out, pkt, bcast_mac, NET_ETHERTYPE_IPV4);
    } else {
        net_neigh_send(out, &nh, pkt);
    }
    return 0;
}

void net_ip4_route_out(sim_node *n, sim_pkt *pkt, sim_iface *in)
{
    ip4_xmit(n, pkt, in, NULL);
}

int net_ip4_output_if(sim_node *n, sim_pkt *pkt, const sim_ip *src, const sim_ip *dst,
                      uint8_t proto, uint8_t ttl, sim_iface *out)
{
    sim_ip s;
    if (dst->family != SIM_AF_INET || (src && src->family != SIM_AF_INET &&
                                       src->family != SIM_AF_NONE)) {
        sim_pkt_free(net_pool(n), pkt);
        return -EINVAL;
    }
    if (src && !sim_ip_is_any(src)) {
        s = *src;
    } else {
        const sim_ip *a = NULL;
        bool boot = out && sim_ip_is_broadcast(dst) && src && src->family == SIM_AF_INET;
        if (boot) /* 0.0.0.0 asked for: booting (RFC 1122 3.2.1.3 (a), RFC 2131 4.1) */
            a = src;
        else if (out && (sim_ip_is_multicast(dst) || sim_ip_is_broadcast(dst)))
            a = net_iface_src(out, dst);
        if (a)
            s = *a;
        else if (net_select_src(n, dst, &s) < 0) {
            sim_node_drop(n, NULL, pkt, SIM_DROP_NO_ROUTE, "no source address");
            return -ENETUNREACH;
        }
    }
    uint8_t *h = sim_pkt_push(pkt, NET_IP4_HLEN);
    if (!h || pkt->len > 0xFFFF) {
        sim_node_drop(n, NULL, pkt, SIM_DROP_TOO_BIG, "IPv4 packet too large");
        return -EMSGSIZE;
    }
    h[0] = 0x45;
    h[1] = 0;
    net_wr16(h + 2, (uint16_t)pkt->len);
    net_wr16(h + 4, n->net->ip_id++);
    net_wr16(h + 6, IP4_DF);
    h[8] = ttl;
    h[9] = proto;
    net_wr16(h + 10, 0);
    memcpy(h + 12, s.b, 4);
    memcpy(h + 16, dst->b, 4);
    net_wr16(h + 10, net_csum_fold(net_csum_add(0, h, NET_IP4_HLEN)));
    pkt->in = NULL;
    sim_iface *owner = sim_node_iface_by_addr(n, dst);
    if (owner) {
        net_loopback(owner, pkt);
        return 0;
    }
    return ip4_xmit(n, pkt, NULL, out);
}

int net_ip4_output(sim_node *n, sim_pkt *pkt, const sim_ip *src, const sim_ip *dst,
                   uint8_t proto, uint8_t ttl)
{
    return net_ip4_output_if(n, pkt, src, dst, proto, ttl, NULL);
}

/* Forwards a packet not addressed to us (RFC 1812 5.2/5.3). */
static void ip4_forward(sim_node *n, sim_iface *in, sim_pkt *pkt)
{
    if (!n->forwarding) {
        sim_node_drop(n, in, pkt, SIM_DROP_NOT_FORWARDING, "IPv4 packet for another host");
        return;
    }
    sim_ip dst = sim_ip4_bytes(pkt->data + 16);
    if (sim_ip_is_multicast(&dst) || net_ip4_is_bcast(in, &dst)) {
        sim_node_drop(n, in, pkt, SIM_DROP_NOT_FORWARDING, "multicast/broadcast not routed");
        return;
    }
    uint8_t *h = pkt->data;
    if (h[8] <= 1) {
        net_icmp4_error(n, pkt, 11, 0);
        sim_node_drop(n, in, pkt, SIM_DROP_TTL, "TTL exceeded");
        return;
    }
    uint8_t old[2] = { h[8], h[9] };
    h[8]--;
    net_wr16(h + 10, net_csum_replace(net_rd16(h + 10), old, h + 8, 1)); /* RFC 1624 */
    ip4_xmit(n, pkt, in, NULL);
}

void net_ip4_deliver(sim_node *n, sim_iface *in, sim_pkt *pkt)
{
    const uint8_t *h = pkt->data;
    unsigned ihl = (h[0] & 0x0f) * 4u;
    uint8_t proto = h[9], ttl = h[8];
    sim_ip src = sim_ip4_bytes(h + 12), dst = sim_ip4_bytes(h + 16);
    if (net_rd16(h + 6) & (IP4_MF | IP4_OFFMASK)) {
        sim_node_drop(n, in, pkt, SIM_DROP_UNSUPPORTED, "IPv4 fragment (no reassembly)");
        return;
    }
    pkt->l3 = (uint16_t)ihl;
    sim_pkt_pull(pkt, ihl);
    switch (proto) {
    case NET_PROTO_UDP:
        net_udp_input(in, pkt, &src, &dst);
        return;
    case NET_PROTO_TCP:
        net_tcp_input(in, pkt, &src, &dst);
        return;
    case NET_PROTO_ICMP:
        net_icmp4_input(in, pkt, &src, &dst, ttl);
        return;
    default:
        sim_pkt_push(pkt, ihl);
        if (!sim_ip_is_multicast(&dst) && !net_ip4_is_bcast(in, &dst))
            net_icmp4_error(n, pkt, 3, 2); /* protocol unreachable */
        sim_node_drop(n, in, pkt, SIM_DROP_UNSUPPORTED, "IPv4 protocol");
    }
}

static bool ip4_is_local(sim_node *n, sim_iface *in, const sim_ip *dst)
{
    if (sim_ip_is_multicast(dst))
        return net_group_joined(in, dst);
    return net_ip4_is_bcast(in, dst) || sim_node_has_addr(n, dst);
}

void net_ip4_input(sim_iface *in, sim_pkt *pkt)
{
    sim_node *n = in->node;
    cur c;
    cur_init(&c, pkt->data, pkt->len);
    uint8_t vihl = cur_u8(&c);
    cur_skip(&c, 1);
    uint16_t total = cur_u16(&c);
    cur_skip(&c, 16);
    unsigned ihl = (vihl & 0x0f) * 4u;
    if (!cur_ok(&c) || (vihl >> 4) != 4 || ihl < NET_IP4_HLEN || total < ihl ||
        total > pkt->len) {
        sim_node_drop(n, in, pkt, SIM_DROP_MALFORMED, "bad IPv4 header");
        return;
    }
    if (net_csum_fold(net_csum_add(0, pkt->data, ihl)) != 0) {
        sim_node_drop(n, in, pkt, SIM_DROP_BAD_CHECKSUM, "IPv4 header checksum");
        return;
    }
    pkt->len = total; /* drop Ethernet padding */
    sim_ip src = sim_ip4_bytes(pkt->data + 12);
    if (sim_ip_is_multicast(&src) || sim_ip_is_broadcast(&src)) {
        sim_node_drop(n, in, pkt, SIM_DROP_MALFORMED, "martian IPv4 source");
        return;
    }
    if (n->nat) {
        switch (nat_gw_input(n->nat, in, pkt)) {
        case NAT_VERDICT_CONSUMED:
            return;
        case NAT_VERDICT_FORWARD:
            ip4_forward(n, in, pkt);
            return;
        case NAT_VERDICT_LOCAL:
            break;
        }
    }
    sim_ip dst = sim_ip4_bytes(pkt->data + 16);
    if (ip4_is_local(n, in, &dst))
        net_ip4_deliver(n, in, pkt);
    else
        ip4_forward(n, in, pkt);
}
