/* sim/stack/ndp.c — Neighbor Discovery address resolution (RFC 4861 §7): Neighbor Solicitation
 * to the target's solicited-node group, Neighbor Advertisement back. The cache itself is shared
 * with ARP (arp.c). NS/NA about tentative addresses go to DAD (slaac.c, RFC 4862 §5.4.3-4);
 * the option reader and the raw ND sender are shared with RS/RA (slaac.c, ndp_router.c).
 *
 *   NS (135): type code cksum | reserved (4) | target (16) | option 1: source link-layer addr
 *   NA (136): type code cksum | R S O flags, reserved (4) | target (16) | option 2: target LLA
 *   option:   type (1) | length in 8-byte units (1) | MAC (6)
 *
 * Every ND message is sent with hop limit 255 and one received with any other value is dropped,
 * which proves it came from the link (RFC 4861 7.1.1 / 7.1.2). */
#include <errno.h>
#include <string.h>
#include "sim/stack/net_priv.h"

#define ND_HLIM NET_ND_HLIM
#define ND_OPT_SLLA NET_ND_OPT_SLLA
#define ND_OPT_TLLA NET_ND_OPT_TLLA
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

int net_nd_opt_next(cur *c, uint8_t *type, cur *body)
{
    if (cur_left(c) == 0)
        return 0;
    uint8_t t = cur_u8(c), l = cur_u8(c);
    if (!cur_ok(c) || l == 0 || (size_t)l * 8 - 2 > cur_left(c))
        return -EBADMSG;
    *type = t;
    *body = cur_sub(c, (size_t)l * 8 - 2);
    return 1;
}

void net_nd_send(sim_iface *i, sim_pkt *pkt, uint8_t type, const sim_ip *src, const sim_ip *dst)
{
    uint8_t *m = sim_pkt_push(pkt, 4);
    m[0] = type;
    m[1] = 0;
    net_wr16(m + 2, 0);
    uint32_t sum = net_csum_pseudo6(src->b, dst->b, NET_PROTO_ICMPV6, pkt->len);
    net_wr16(m + 2, net_csum_fold(net_csum_add(sum, m, pkt->len)));
    uint16_t plen = (uint16_t)pkt->len;
    uint8_t *h = sim_pkt_push(pkt, NET_IP6_HLEN);
    memset(h, 0, NET_IP6_HLEN);
    h[0] = 0x60;
    net_wr16(h + 4, plen);
    h[6] = NET_PROTO_ICMPV6;
    h[7] = ND_HLIM;
    memcpy(h + 8, src->b, 16);
    memcpy(h + 24, dst->b, 16);
    pkt->in = NULL;
    net_ip6_route_out(i->node, pkt, NULL, i);
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
    const uint8_t *lla = NULL, *nonce = NULL;
    size_t nonce_len = 0;
    uint8_t want = type == 135 ? ND_OPT_SLLA : ND_OPT_TLLA, ot;
    cur body;
    int r;
    while ((r = net_nd_opt_next(&c, &ot, &body)) > 0) {
        if (ot == want && cur_left(&body) == 6)
            lla = cur_ptr(&body);
        else if (ot == NET_ND_OPT_NONCE && type == 135) {
            nonce = cur_ptr(&body);
            nonce_len = cur_left(&body);
        }
    }
    if (r < 0) {
        sim_node_drop(n, in, pkt, SIM_DROP_MALFORMED, "ND option length");
        return;
    }
    if (type == 135) {
        bool dad = sim_ip_is_any(src);
        sim_ip sn;
        net_solicited_node(&target, &sn);
        if (dad && (lla || !sim_ip_eq(dst, &sn))) { /* RFC 4861 7.1.1 */
            sim_node_drop(n, in, pkt, SIM_DROP_MALFORMED, "NS from :: with an LLA option or "
                                                          "not to the solicited-node group");
            return;
        }
        if (net_slaac_ns_input(in, &target, dad, nonce, nonce_len)) {
            /* about our tentative address: handled by DAD */
        } else if (iface_has_addr6(in, &target)) {
            if (!dad && lla)
                net_neigh_update(in, src, lla, true);
            ndp_advertise(in, &target, src, true);
        }
    } else {
        if (sim_ip_is_multicast(dst) && (flags & NA_SOLICITED)) {
            sim_node_drop(n, in, pkt, SIM_DROP_MALFORMED, "solicited NA to multicast");
            return;
        }
        if (net_slaac_na_input(in, &target))
            ; /* our tentative address is someone else's: DAD failed */
        else if (lla)
            net_neigh_update(in, &target, lla, false);
    }
    sim_pkt_free(net_pool(n), pkt);
}
