/* sim/stack/eth.c — Ethernet II framing and demux (IEEE 802.3 clause 3.2.6 type field):
 *
 *   0      6      12   14
 *   +------+------+----+---------------------+
 *   | dst  | src  |type| payload (46..1500)  |
 *   +------+------+----+---------------------+
 *
 * Frames shorter than 60 bytes (64 with the FCS, which we do not model) are zero-padded as a
 * NIC does; receivers learn the real length from the IP / ARP header. */
#include <string.h>
#include "sim/link.h"
#include "sim/stack/net_priv.h"

static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

bool net_eth_accepts(const sim_iface *i, const uint8_t dst[6])
{
    if (!memcmp(dst, i->mac, 6) || !memcmp(dst, bcast_mac, 6))
        return true;
    if (!(dst[0] & 1))
        return false;
    for (guint k = 0; k < i->mcast->len; k++)
        if (!memcmp(dst, i->mcast->data + 6 * k, 6))
            return true;
    /* Solicited-node groups (33:33:ff:xx:xx:xx) of IPv6 addresses added after attach. */
    if (dst[0] == 0x33 && dst[1] == 0x33 && dst[2] == 0xff) {
        for (guint k = 0; k < i->addrs6->len; k++) {
            const sim_ip *a = &g_array_index(i->addrs6, sim_ifaddr, k).ip;
            if (!memcmp(a->b + 13, dst + 3, 3))
                return true;
        }
    }
    return false;
}

void net_eth_mcast_add(sim_iface *i, const uint8_t mac[6])
{
    /* One copy per reference: the accept test only asks "is it there". */
    g_array_append_vals(i->mcast, mac, 1);
}

void net_eth_mcast_del(sim_iface *i, const uint8_t mac[6])
{
    for (guint k = i->mcast->len; k-- > 0;) {
        if (!memcmp(i->mcast->data + 6 * k, mac, 6)) {
            g_array_remove_index(i->mcast, k);
            return;
        }
    }
}

void net_eth_output(sim_iface *out, sim_pkt *pkt, const uint8_t dst[6], uint16_t ethertype)
{
    sim_node *n = out->node;
    uint8_t *h = sim_pkt_push(pkt, NET_ETH_HLEN);
    if (!h) {
        sim_node_drop(n, out, pkt, SIM_DROP_MALFORMED, "no headroom for ethernet");
        return;
    }
    memcpy(h, dst, 6);
    memcpy(h + 6, out->mac, 6);
    net_wr16(h + 12, ethertype);
    if (pkt->len < NET_ETH_MIN_FRAME) {
        size_t pad = NET_ETH_MIN_FRAME - pkt->len;
        memset(sim_pkt_put(pkt, pad), 0, pad);
    }
    if (!out->link) {
        sim_node_drop(n, out, pkt, SIM_DROP_LINK_DOWN, "interface not attached");
        return;
    }
    pkt->in = NULL;
    sim_link_send(out, pkt);
}

void net_eth_input(sim_iface *in, sim_pkt *frame)
{
    sim_node *n = in->node;
    if (frame->len < NET_ETH_HLEN) {
        sim_node_drop(n, in, frame, SIM_DROP_MALFORMED, "runt frame");
        return;
    }
    if (!net_eth_accepts(in, frame->data)) {
        sim_node_drop(n, in, frame, SIM_DROP_NOT_FORWARDING, "not our MAC");
        return;
    }
    uint16_t type = net_rd16(frame->data + 12);
    sim_pkt_pull(frame, NET_ETH_HLEN);
    frame->in = in;
    frame->l3 = frame->l4 = 0;
    switch (type) {
    case NET_ETHERTYPE_IPV4:
        net_ip4_input(in, frame);
        break;
    case NET_ETHERTYPE_ARP:
        net_arp_input(in, frame);
        break;
    case NET_ETHERTYPE_IPV6:
        net_ip6_input(in, frame);
        break;
    default:
        sim_node_drop(n, in, frame, SIM_DROP_UNSUPPORTED, "ethertype");
        break;
    }
}
