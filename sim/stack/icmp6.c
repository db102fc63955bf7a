/* sim/stack/icmp6.c — ICMPv6 (RFC 4443): echo, destination unreachable, packet too big, time
 * exceeded, parameter problem; NS/NA are handed to ndp.c, RS to ndp_router.c, RA to slaac.c. The checksum covers the IPv6
 * pseudo-header (RFC 8200 8.1) and is mandatory.
 *
 *   +--------+--------+-----------------+
 *   |  type  |  code  |    checksum     |
 *   +--------+--------+-----------------+
 *   | id / unused / MTU / pointer (4)   |
 *   +-----------------------------------+
 *   | echo data, or as much of the offending packet as fits in 1280 bytes (RFC 4443 2.4 c)
 */
#include <errno.h>
#include <string.h>
#include "sim/stack/net_priv.h"

#define ICMP6_UNREACH 1
#define ICMP6_TOO_BIG 2
#define ICMP6_TIME_EXCEEDED 3
#define ICMP6_PARAM_PROBLEM 4
#define ICMP6_ECHO 128
#define ICMP6_ECHO_REPLY 129
#define ICMP6_NS 135
#define ICMP6_NA 136

int net_icmp6_send(sim_node *n, sim_pkt *pkt, uint8_t type, uint8_t code, const sim_ip *src,
                   const sim_ip *dst, uint8_t hlim, sim_iface *out)
{
    sim_ip s;
    if (dst->family != SIM_AF_INET6) {
        sim_pkt_free(net_pool(n), pkt);
        return -EINVAL;
    }
    if (net_ip6_pick_src(n, out, src, dst, &s) < 0) {
        sim_node_drop(n, NULL, pkt, SIM_DROP_NO_ROUTE, "no source address");
        return -ENETUNREACH;
    }
    uint8_t *m = sim_pkt_push(pkt, 4);
    m[0] = type;
    m[1] = code;
    net_wr16(m + 2, 0);
    uint32_t sum = net_csum_pseudo6(s.b, dst->b, NET_PROTO_ICMPV6, pkt->len);
    net_wr16(m + 2, net_csum_fold(net_csum_add(sum, m, pkt->len)));
    return net_ip6_output(n, pkt, &s, dst, NET_PROTO_ICMPV6, hlim, out);
}

void net_icmp6_error(sim_node *n, const sim_pkt *off, uint8_t type, uint8_t code,
                     uint32_t param)
{
    if (off->len < NET_IP6_HLEN)
        return;
    const uint8_t *h = off->data;
    sim_ip src = sim_ip6(h + 8), dst = sim_ip6(h + 24);
    if (sim_ip_is_any(&src) || sim_ip_is_multicast(&src))
        return;
    /* RFC 4443 2.4 (e.3): to multicast only Packet Too Big and parameter problem code 2. */
    if (sim_ip_is_multicast(&dst) && type != ICMP6_TOO_BIG &&
        !(type == ICMP6_PARAM_PROBLEM && code == 2))
        return;
    /* RFC 4443 2.4 (e.1): never about an error message. */
    if (h[6] == NET_PROTO_ICMPV6 && off->len > NET_IP6_HLEN && h[NET_IP6_HLEN] < 128)
        return;
    size_t quote = MIN((size_t)off->len, (size_t)NET_ICMP6_QUOTE_MAX);
    sim_pkt *pkt = sim_pkt_alloc(net_pool(n));
    uint8_t *b = sim_pkt_put(pkt, 4 + quote);
    b[0] = (uint8_t)(param >> 24);
    b[1] = (uint8_t)(param >> 16);
    b[2] = (uint8_t)(param >> 8);
    b[3] = (uint8_t)param;
    memcpy(b + 4, h, quote);
    const sim_ip *esrc = off->in ? net_iface_src(off->in, &src) : NULL;
    net_icmp6_send(n, pkt, type, code, esrc, &src, NET_DEFAULT_TTL, off->in);
}

static int icmp6_err(uint8_t type, uint8_t code)
{
    switch (type) {
    case ICMP6_UNREACH:
        return code == 0 ? -ENETUNREACH : code == 4 ? -ECONNREFUSED : -EHOSTUNREACH;
    case ICMP6_TOO_BIG: return -EMSGSIZE;
    case ICMP6_TIME_EXCEEDED: return -ETIMEDOUT;
    default: return -EPROTO;
    }
}

static void icmp6_error_input(sim_node *n, const uint8_t *m, size_t len)
{
    if (len < 8 + NET_IP6_HLEN)
        return;
    const uint8_t *ih = m + 8;
    if ((ih[0] >> 4) != 6)
        return;
    sim_ip isrc = sim_ip6(ih + 8), idst = sim_ip6(ih + 24);
    const uint8_t *l4 = ih + NET_IP6_HLEN;
    size_t l4len = len - 8 - NET_IP6_HLEN;
    int err = icmp6_err(m[0], m[1]);
    if (ih[6] == NET_PROTO_UDP) {
        net_udp_icmp_error(n, err, &isrc, &idst, l4, l4len);
    } else if (ih[6] == NET_PROTO_TCP) {
        net_tcp_icmp_error(n, err, &isrc, &idst, l4, l4len);
    } else if (ih[6] == NET_PROTO_ICMPV6 && l4len >= 8 && l4[0] == ICMP6_ECHO &&
               net_rd16(l4 + 4) == net_echo_id(n)) {
        net_ping_done(n, SIM_AF_INET6, net_rd16(l4 + 4), net_rd16(l4 + 6),
                      err == -ETIMEDOUT ? -EHOSTUNREACH : err, 0);
    }
}

void net_icmp6_input(sim_iface *in, sim_pkt *pkt, const sim_ip *src, const sim_ip *dst,
                     uint8_t hlim)
{
    sim_node *n = in->node;
    if (pkt->len < 8) {
        sim_node_drop(n, in, pkt, SIM_DROP_MALFORMED, "short ICMPv6");
        return;
    }
    uint32_t sum = net_csum_pseudo6(src->b, dst->b, NET_PROTO_ICMPV6, pkt->len);
    if (net_csum_fold(net_csum_add(sum, pkt->data, pkt->len)) != 0) {
        sim_node_drop(n, in, pkt, SIM_DROP_BAD_CHECKSUM, "ICMPv6 checksum");
        return;
    }
    uint8_t type = pkt->data[0];
    switch (type) {
    case ICMP6_ECHO: {
        /* Reply from the address asked (or ours on that link for a multicast echo). */
        const sim_ip *rsrc = sim_ip_is_multicast(dst) ? net_iface_src(in, src) : dst;
        sim_pkt_pull(pkt, 4);
        net_icmp6_send(n, pkt, ICMP6_ECHO_REPLY, 0, rsrc, src, NET_DEFAULT_TTL, in);
        return;
    }
    case ICMP6_ECHO_REPLY: {
        uint16_t id = net_rd16(pkt->data + 4), seq = net_rd16(pkt->data + 6);
        if (id == net_echo_id(n))
            net_ping_done(n, SIM_AF_INET6, id, seq, 0, hlim);
        break;
    }
    case ICMP6_UNREACH:
    case ICMP6_TOO_BIG:
    case ICMP6_TIME_EXCEEDED:
    case ICMP6_PARAM_PROBLEM:
        icmp6_error_input(n, pkt->data, pkt->len);
        break;
    case ICMP6_NS:
    case ICMP6_NA:
        net_ndp_input(in, pkt, src, dst, hlim);
        return;
    case NET_ICMP6_RS:
        net_ra_rs_input(in, pkt, src, hlim);
        return;
    case NET_ICMP6_RA:
        net_slaac_ra_input(in, pkt, src, hlim);
        return;
    default:
        sim_node_drop(n, in, pkt, SIM_DROP_UNSUPPORTED, "ICMPv6 type");
        return;
    }
    sim_pkt_free(net_pool(n), pkt);
}
