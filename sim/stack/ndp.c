/* sim/stack/ndp.c — Neighbor Discovery address resolution (RFC 4861 §7): Neighbor Solicitation
 * to the target's solicited-node group, Neighbor Advertisement back. The cache itself is shared
 * with ARP (arp.c).
 *
 *   NS (135): type code cksum | reserved (4) | target (16) | option 1: source link-layer addr
 *   NA (136): type code cksum | R S O flags, reserved (4) | target (16) | option 2: target LLA
 *   option:   type (1) | length in 8-byte units (1) | MAC (6)
 *
 * Every ND message is sent with hop limit 255 and one received with any other value is dropped,
 * which proves it came from the link (RFC 4861 7.1.1 / 7.1.2). */
#include <string.h>
#include "sim/stack/net_priv.h"

#define ND_HLIM 255
#define ND_OPT_SLLA 1
#define ND_OPT_TLLA 2
#define NA_ROUTER 0x80
#define NA_SOLICITED 0x40
#define NA_OVERRIDE 0x20

/* Appends a link-layer address option. */
static void put_lla(uint8_t *o, uint8_t type, const uint8_t mac[6])
{
    o[0] = type;
    o[1] = 1;
    memcpy(o + 2, mac, 6);
}

void net_ndp_solicit(sim_iface *i, const sim_ip *target)
{
    sim_ip dst;
    net_solicited_node(target, &dst);
    sim_pkt *pkt = sim_pkt_alloc(net_pool(i->node));
    uint8_t *b = sim_pkt_put(pkt, 4 + 16 + 8);
    memset(b, 0, 4);
    memcpy(b + 4, target->b, 16);
    put_lla(b + 20, ND_OPT_SLLA, i->mac);
    net_icmp6_send(i->node, pkt, 135, 0, net_iface_src(i, target), &dst, ND_HLIM, i);
}

static void ndp_advertise(sim_iface *i, const sim_ip *target, const sim_ip *to, bool solicited)
{
    sim_ip dst;
    if (sim_ip_is_any(to))
        sim_ip_parse("ff02::1", &dst); /* RFC 4861 7.2.4: answer to a DAD probe */
    else
        dst = *to;
    sim_pkt *pkt = sim_pkt_alloc(net_pool(i->node));
    uint8_t *b = sim_pkt_put(pkt, 4 + 16 + 8);
    memset(b, 0, 4);
    b[0] = (uint8_t)(NA_OVERRIDE | (solicited && !sim_ip_is_any(to) ? NA_SOLICITED : 0) |
                     (i->node->forwarding ? NA_ROUTER : 0));
    memcpy(b + 4, target->b, 16);
    put_lla(b + 20, ND_OPT_TLLA, i->mac);
    net_icmp6_send(i->node, pkt, 136, 0, target, &dst, ND_HLIM, i);
}

static bool iface_has_addr6(const sim_iface *i, const sim_ip *ip)
{
    for (guint k = 0; k < i->addrs6->len; k++)
        if (sim_ip_eq(&g_array_index(i->addrs6, sim_ifaddr, k).ip, ip))
            return true;
    return false;
}

void net_ndp_input(sim_iface *in, sim_pkt *pkt, const sim_ip *src, const sim_ip *dst,
                   uint8_t hlim)
{
    sim_node *n = in->node;
    cur c;
    cur_init(&c, pkt->data, pkt->len);
    uint8_t type = cur_u8(&c), code = cur_u8(&c);
    cur_skip(&c, 2);
    uint8_t flags = cur_u8(&c);
    cur_skip(&c, 3);
    sim_ip target = { .family = SIM_AF_INET6 };
    cur_copy(&c, target.b, 16);
    if (!cur_ok(&c) || hlim != ND_HLIM || code != 0 || sim_ip_is_multicast(&target)) {
        sim_node_drop(n, in, pkt, SIM_DROP_MALFORMED, "invalid ND message");
        return;
    }
    const uint8_t *lla = NULL;
    uint8_t want = type == 135 ? ND_OPT_SLLA : ND_OPT_TLLA;
    while (cur_left(&c) > 0) {
        uint8_t ot = cur_u8(&c), ol = cur_u8(&c);
        if (!cur_ok(&c) || ol == 0 || (size_t)ol * 8 - 2 > cur_left(&c)) {
            sim_node_drop(n, in, pkt, SIM_DROP_MALFORMED, "ND option length");
            return;
        }
        const uint8_t *body = cur_bytes(&c, (size_t)ol * 8 - 2);
        if (ot == want && ol == 1)
            lla = body;
    }
    if (type == 135) {
        bool dad = sim_ip_is_any(src);
        if (dad && lla) {
            sim_node_drop(n, in, pkt, SIM_DROP_MALFORMED, "NS from :: with an LLA option");
            return;
        }
        if (iface_has_addr6(in, &target)) {
            if (!dad && lla)
                net_neigh_update(in, src, lla, true);
            ndp_advertise(in, &target, src, true);
        }
    } else {
        if (sim_ip_is_multicast(dst) && (flags & NA_SOLICITED)) {
            sim_node_drop(n, in, pkt, SIM_DROP_MALFORMED, "solicited NA to multicast");
            return;
        }
        if (lla)
            net_neigh_update(in, &target, lla, false);
    }
    sim_pkt_free(net_pool(n), pkt);
}
