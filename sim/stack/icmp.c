/* sim/stack/icmp.c — ICMP for IPv4 (RFC 792, RFC 1812 4.3): echo, destination unreachable,
 * time exceeded, and the engine's ping (IPv4 and IPv6 share the pending-ping list here).
 *
 *   +--------+--------+-----------------+
 *   |  type  |  code  |    checksum     |
 *   +--------+--------+-----------------+
 *   | id / unused     | seq / next-hop MTU|
 *   +-----------------+-----------------+
 *   | echo data, or the offending IP header + first 8 bytes of its payload (RFC 792)
 *
 * Errors quote the offending IP header and 8 bytes of its payload, as RFC 792 asks; that
 * covers the UDP header, which is all a receiver (or a NAT translating the error) needs. */
#include <errno.h>
#include <string.h>
#include "sim/stack/net_priv.h"

#define ICMP_ECHO_REPLY 0
#define ICMP_UNREACH 3
#define ICMP_ECHO 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAM_PROBLEM 12
#define ICMP6_ECHO 128

/* RFC 1812 4.3.2.7: no error about an ICMP error (queries are fine). */
static bool icmp4_is_error_type(uint8_t t)
{
    return !(t == 0 || t == 8 || (t >= 13 && t <= 18));
}

void net_icmp4_error_mtu(sim_node *n, const sim_pkt *off, uint8_t type, uint8_t code,
                         uint16_t mtu)
{
    if (off->len < NET_IP4_HLEN)
        return;
    const uint8_t *h = off->data;
    unsigned ihl = (h[0] & 0x0f) * 4u;
    if (ihl < NET_IP4_HLEN || ihl > off->len)
        return;
    sim_ip src = sim_ip4_bytes(h + 12), dst = sim_ip4_bytes(h + 16);
    if (sim_ip_is_any(&src) || sim_ip_is_multicast(&src) || sim_ip_is_broadcast(&src) ||
        sim_ip_is_multicast(&dst) || net_ip4_is_bcast(off->in, &dst))
        return;
    if (net_rd16(h + 6) & 0x1fff)
        return; /* not the first fragment */
    if (h[9] == NET_PROTO_ICMP && off->len > ihl && icmp4_is_error_type(h[ihl]))
        return;
    size_t quote = MIN((size_t)ihl + 8, (size_t)off->len);
    sim_pkt *pkt = sim_pkt_alloc(net_pool(n));
    uint8_t *m = sim_pkt_put(pkt, 8 + quote);
    m[0] = type;
    m[1] = code;
    net_wr16(m + 2, 0);
    net_wr16(m + 4, 0);
    net_wr16(m + 6, mtu);
    memcpy(m + 8, h, quote);
    net_wr16(m + 2, net_csum_fold(net_csum_add(0, m, 8 + quote)));
    /* Source: our address on the interface the offending packet came in on. */
    const sim_ip *esrc = off->in ? net_iface_src(off->in, &src) : NULL;
    net_ip4_output(n, pkt, esrc, &src, NET_PROTO_ICMP, NET_DEFAULT_TTL);
}

void net_icmp4_error(sim_node *n, const sim_pkt *offending, uint8_t type, uint8_t code)
{
    net_icmp4_error_mtu(n, offending, type, code, 0);
}

static int icmp4_err(uint8_t type, uint8_t code)
{
    if (type == ICMP_TIME_EXCEEDED)
        return -ETIMEDOUT;
    if (type == ICMP_PARAM_PROBLEM)
        return -EPROTO;
    switch (code) {
    case 0: return -ENETUNREACH;
    case 2:
    case 3: return -ECONNREFUSED;
    case 4: return -EMSGSIZE;
    default: return -EHOSTUNREACH;
    }
}

/* An error about something we sent: find the UDP socket, TCP connection or ping it concerns. */
static void icmp4_error_input(sim_node *n, cur *c, uint8_t type, uint8_t code)
{
    cur_skip(c, 4); /* unused / MTU */
    const uint8_t *ih = cur_ptr(c);
    size_t left = cur_left(c);
    if (left < NET_IP4_HLEN || (ih[0] >> 4) != 4)
        return;
    unsigned ihl = (ih[0] & 0x0f) * 4u;
    if (ihl < NET_IP4_HLEN || ihl > left)
        return;
    sim_ip isrc = sim_ip4_bytes(ih + 12), idst = sim_ip4_bytes(ih + 16);
    const uint8_t *l4 = ih + ihl;
    size_t l4len = left - ihl;
    int err = icmp4_err(type, code);
    if (ih[9] == NET_PROTO_UDP) {
        net_udp_icmp_error(n, err, &isrc, &idst, l4, l4len);
    } else if (ih[9] == NET_PROTO_TCP) {
        net_tcp_icmp_error(n, err, &isrc, &idst, l4, l4len);
    } else if (ih[9] == NET_PROTO_ICMP && l4len >= 8 && l4[0] == ICMP_ECHO &&
               net_rd16(l4 + 4) == net_echo_id(n)) {
        net_ping_done(n, SIM_AF_INET, net_rd16(l4 + 4), net_rd16(l4 + 6),
                      err == -ETIMEDOUT ? -EHOSTUNREACH : err, 0);
    }
}

void net_icmp4_input(sim_iface *in, sim_pkt *pkt, const sim_ip *src, const sim_ip *dst,
                     uint8_t ttl)
{
    sim_node *n = in->node;
    if (pkt->len < 8) {
        sim_node_drop(n, in, pkt, SIM_DROP_MALFORMED, "short ICMP");
        return;
    }
    if (net_csum_fold(net_csum_add(0, pkt->data, pkt->len)) != 0) {
        sim_node_drop(n, in, pkt, SIM_DROP_BAD_CHECKSUM, "ICMP checksum");
        return;
    }
    cur c;
    cur_init(&c, pkt->data, pkt->len);
    uint8_t type = cur_u8(&c), code = cur_u8(&c);
    cur_skip(&c, 2);
    switch (type) {
    case ICMP_ECHO:
        /* Like Linux (icmp_echo_ignore_broadcasts), answer unicast echoes only. */
        if (sim_ip_is_multicast(dst) || net_ip4_is_bcast(in, dst))
            break;
        pkt->data[0] = ICMP_ECHO_REPLY;
        net_wr16(pkt->data + 2, 0);
        net_wr16(pkt->data + 2, net_csum_fold(net_csum_add(0, pkt->data, pkt->len)));
        net_ip4_output(n, pkt, dst, src, NET_PROTO_ICMP, NET_DEFAULT_TTL);
        return;
    case ICMP_ECHO_REPLY: {
        uint16_t id = cur_u16(&c), seq = cur_u16(&c);
        if (id == net_echo_id(n))
            net_ping_done(n, SIM_AF_INET, id, seq, 0, ttl);
        break;
    }
    case ICMP_UNREACH:
    case ICMP_TIME_EXCEEDED:
    case ICMP_PARAM_PROBLEM:
        icmp4_error_input(n, &c, type, code);
        break;
    default:
        sim_node_drop(n, in, pkt, SIM_DROP_UNSUPPORTED, "ICMP type");
        return;
    }
    sim_pkt_free(net_pool(n), pkt);
}

/* ---- ping ---- */

uint16_t net_echo_id(sim_node *n)
{
    net_state *st = n->net;
    if (!st->echo_id_set) {
        st->echo_id = (uint16_t)sim_rng_below(&n->rng, 65536);
        st->echo_id_set = true;
    }
    return st->echo_id;
}

void net_ping_done(sim_node *n, int family, uint16_t id, uint16_t seq, int err, unsigned ttl)
{
    net_state *st = n->net;
    for (guint k = 0; k < st->pings->len; k++) {
        net_ping *p = g_ptr_array_index(st->pings, k);
        if (p->family != family || p->seq != seq)
            continue;
        g_ptr_array_steal_index(st->pings, k);
        sim_time_t rtt = sim_world_now(n->world) - p->sent;
        sim_ping_fn fn = p->fn;
        void *ctx = p->ctx;
        g_free(p);
        /* The ping timer stays armed; it re-arms itself for whatever is left. */
        fn(ctx, err, err ? 0 : rtt, err ? 0 : ttl);
        return;
    }
}

void net_ping_free_all(net_state *st)
{
    g_ptr_array_set_size(st->pings, 0);
}

int sim_ping(sim_node *n, const sim_ip *dst, size_t payload_len, sim_time_t timeout,
             sim_ping_fn fn, void *ctx)
{
    if (!fn || !dst || (dst->family != SIM_AF_INET && dst->family != SIM_AF_INET6))
        return -EINVAL;
    if (payload_len > 1500)
        return -EMSGSIZE;
    net_state *st = n->net;
    uint16_t id = net_echo_id(n), seq = ++st->echo_seq;
    sim_pkt *pkt = sim_pkt_alloc(net_pool(n));
    uint8_t *m = sim_pkt_put(pkt, 8 + payload_len);
    m[1] = 0;
    net_wr16(m + 2, 0);
    net_wr16(m + 4, id);
    net_wr16(m + 6, seq);
    for (size_t k = 0; k < payload_len; k++)
        m[8 + k] = (uint8_t)k;
    int r;
    if (dst->family == SIM_AF_INET) {
        m[0] = ICMP_ECHO;
        net_wr16(m + 2, net_csum_fold(net_csum_add(0, m, 8 + payload_len)));
        r = net_ip4_output(n, pkt, NULL, dst, NET_PROTO_ICMP, NET_DEFAULT_TTL);
    } else {
        sim_pkt_pull(pkt, 4);
        r = net_icmp6_send(n, pkt, ICMP6_ECHO, 0, NULL, dst, NET_DEFAULT_TTL, NULL);
    }
    if (r < 0)
        return r;
    net_ping *p = g_new0(net_ping, 1);
    p->family = dst->family;
    p->dst = *dst;
    p->seq = seq;
    p->sent = sim_world_now(n->world);
    p->deadline = timeout > SIM_TIME_NEVER - 1 - p->sent ? SIM_TIME_NEVER - 1 : p->sent + timeout;
    p->fn = fn;
    p->ctx = ctx;
    guint pos = st->pings->len;
    while (pos > 0 && ((net_ping *)g_ptr_array_index(st->pings, pos - 1))->deadline > p->deadline)
        pos--;
    g_ptr_array_insert(st->pings, (gint)pos, p);
    if (!sim_timer_armed(st->ping_timer) || sim_timer_deadline(st->ping_timer) > p->deadline)
        sim_timer_at(st->ping_timer, p->deadline);
    return 0;
}
