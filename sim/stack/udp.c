/* sim/stack/udp.c — UDP (RFC 768) input: length and checksum checks, demux to sockets, port
 * unreachable, and ICMP errors reported to the socket that caused them.
 *
 *   +----------------+----------------+
 *   |  source port   |   dest port    |
 *   +----------------+----------------+
 *   |     length     |    checksum    |
 *   +----------------+----------------+
 *
 * Sockets are found through a hash on (family, port) giving the sockets bound to that port in
 * bind order; a port rarely holds more than one or two, so the scan after the lookup is short.
 * Unicast goes to the best match (exact address over wildcard, connected over unconnected, the
 * most recently bound on a tie); multicast and broadcast go to every matching socket. */
#include <errno.h>
#include <string.h>
#include "sim/stack/net_priv.h"

#define UDP_FANOUT 32 /* recipients of one multicast handled without a heap array */

static gpointer port_key(int family, uint16_t port)
{
    return GUINT_TO_POINTER((guint)family << 16 | port);
}

GPtrArray *net_udp_lookup_port(net_state *st, int family, uint16_t port)
{
    return g_hash_table_lookup(st->udp, port_key(family, port));
}

void net_udp_hash_add(net_state *st, sim_sock *s)
{
    gpointer k = port_key(s->family, s->local.port);
    GPtrArray *a = g_hash_table_lookup(st->udp, k);
    if (!a) {
        a = g_ptr_array_new();
        g_hash_table_insert(st->udp, k, a);
    }
    g_ptr_array_add(a, s);
}

void net_udp_hash_del(net_state *st, sim_sock *s)
{
    gpointer k = port_key(s->family, s->local.port);
    GPtrArray *a = g_hash_table_lookup(st->udp, k);
    if (!a)
        return;
    g_ptr_array_remove(a, s); /* keeps bind order */
    if (!a->len)
        g_hash_table_remove(st->udp, k);
}

/* Ends a callback section (st->busy++ before it): frees sockets closed inside once no
 * callback is running any more. */
void net_sock_release(net_state *st)
{
    if (--st->busy > 0)
        return;
    for (guint k = 0; k < st->dead->len; k++)
        net_sock_destroy(g_ptr_array_index(st->dead, k));
    g_ptr_array_set_size(st->dead, 0);
}

/* How well socket s matches a datagram from `from` to `to`: -1 no, else higher is better. */
static int sock_score(const sim_sock *s, const sim_iface *in, const sim_ep *from,
                      const sim_ep *to)
{
    if (s->closed || (in && s->bound_if && s->bound_if != in))
        return -1;
    bool wild = sim_ip_is_any(&s->local.ip);
    if (!wild && !sim_ip_eq(&s->local.ip, &to->ip))
        return -1;
    if (s->connected && !sim_ep_eq(&s->remote, from))
        return -1;
    return (wild ? 0 : 2) + (s->connected ? 1 : 0);
}

static sim_sock *udp_best(GPtrArray *a, const sim_iface *in, const sim_ep *from,
                          const sim_ep *to)
{
    sim_sock *best = NULL;
    int best_score = -1;
    for (guint k = 0; a && k < a->len; k++) {
        sim_sock *s = g_ptr_array_index(a, k);
        int sc = sock_score(s, in, from, to);
        if (sc >= best_score && sc >= 0) { /* >=: the later bound wins a tie */
            best = s;
            best_score = sc;
        }
    }
    return best;
}

static bool sock_joined(const sim_sock *s, const sim_ip *group, const sim_iface *in)
{
    for (guint k = 0; k < s->groups->len; k++) {
        const net_sock_group *g = &g_array_index(s->groups, net_sock_group, k);
        if (g->iface == in && sim_ip_eq(&g->group, group))
            return true;
    }
    return false;
}

/* Fills hits with every socket a multicast/broadcast datagram goes to; returns how many
 * (possibly more than cap: the caller retries with a bigger array). */
static guint udp_group_match(GPtrArray *a, sim_iface *in, const sim_ep *from, const sim_ep *to,
                             sim_sock **hits, guint cap)
{
    guint n = 0;
    bool mcast = sim_ip_is_multicast(&to->ip);
    for (guint k = 0; a && k < a->len; k++) {
        sim_sock *s = g_ptr_array_index(a, k);
        if (sock_score(s, in, from, to) < 0 || (mcast && !sock_joined(s, &to->ip, in)))
            continue;
        if (n < cap)
            hits[n] = s;
        n++;
    }
    return n;
}

/* Hands the payload to each socket; returns how many had a receive callback. */
static guint udp_deliver(net_state *st, sim_sock **hits, guint n, const uint8_t *data,
                         size_t len, const sim_ep *from, const sim_ep *to)
{
    guint got = 0;
    st->busy++;
    for (guint k = 0; k < n; k++) {
        sim_sock *s = hits[k];
        if (s->closed || !s->on_recv)
            continue;
        got++;
        s->on_recv(s, data, len, from, to, s->recv_ctx);
    }
    net_sock_release(st);
    return got;
}

/* Checks length and checksum; returns 0 or the drop reason's detail via *why. */
static int udp_check(sim_pkt *pkt, const sim_ip *src, const sim_ip *dst, const char **why,
                     sim_drop_reason *r)
{
    cur c;
    cur_init(&c, pkt->data, pkt->len);
    cur_skip(&c, 4);
    uint16_t ulen = cur_u16(&c), csum = cur_u16(&c);
    *r = SIM_DROP_MALFORMED;
    if (!cur_ok(&c) || ulen < NET_UDP_HLEN || ulen > pkt->len) {
        *why = "UDP length";
        return -EBADMSG;
    }
    pkt->len = ulen; /* RFC 768: the length field rules; anything after is padding */
    *r = SIM_DROP_BAD_CHECKSUM;
    if (csum == 0) {
        *why = "zero UDP checksum over IPv6"; /* RFC 8200 8.1 */
        return src->family == SIM_AF_INET6 ? -EBADMSG : 0;
    }
    uint32_t sum = src->family == SIM_AF_INET
                       ? net_csum_pseudo4(src->b, dst->b, NET_PROTO_UDP, ulen)
                       : net_csum_pseudo6(src->b, dst->b, NET_PROTO_UDP, ulen);
    if (net_csum_fold(net_csum_add(sum, pkt->data, ulen)) != 0) {
        *why = "UDP checksum";
        return -EBADMSG;
    }
    return 0;
}

void net_udp_input(sim_iface *in, sim_pkt *pkt, const sim_ip *src, const sim_ip *dst)
{
    sim_node *n = in->node;
    net_state *st = n->net;
    const char *why = NULL;
    sim_drop_reason r;
    if (udp_check(pkt, src, dst, &why, &r) < 0) {
        sim_node_drop(n, in, pkt, r, why);
        return;
    }
    sim_ep from = { *src, net_rd16(pkt->data) }, to = { *dst, net_rd16(pkt->data + 2) };
    const uint8_t *data = pkt->data + NET_UDP_HLEN;
    size_t len = pkt->len - NET_UDP_HLEN;
    GPtrArray *a = net_udp_lookup_port(st, dst->family, to.port);
    bool group = sim_ip_is_multicast(dst) ||
                 (dst->family == SIM_AF_INET && net_ip4_is_bcast(in, dst));
    guint got = 0;
    if (group) {
        sim_sock *local_hits[UDP_FANOUT];
        guint k = udp_group_match(a, in, &from, &to, local_hits, UDP_FANOUT);
        if (k <= UDP_FANOUT) {
            got = udp_deliver(st, local_hits, k, data, len, &from, &to);
        } else {
            sim_sock **hits = g_new(sim_sock *, k);
            udp_group_match(a, in, &from, &to, hits, k);
            got = udp_deliver(st, hits, k, data, len, &from, &to);
            g_free(hits);
        }
    } else {
        sim_sock *s = udp_best(a, in, &from, &to);
        if (s)
            got = udp_deliver(st, &s, 1, data, len, &from, &to);
        else {
            /* RFC 1122 3.2.2.1 / RFC 4443 3.1: port unreachable quoting the datagram. */
            sim_pkt_push(pkt, pkt->l3);
            if (dst->family == SIM_AF_INET)
                net_icmp4_error(n, pkt, 3, 3);
            else
                net_icmp6_error(n, pkt, 1, 4, 0);
            sim_node_drop(n, in, pkt, SIM_DROP_NO_LISTENER, "no UDP socket on that port");
            return;
        }
    }
    if (got)
        sim_pkt_free(net_pool(n), pkt);
    else
        sim_node_drop(n, in, pkt, SIM_DROP_NO_LISTENER, "no UDP socket receiving");
}

void net_udp_icmp_error(sim_node *n, int err, const sim_ip *src, const sim_ip *dst,
                        const uint8_t *inner, size_t len)
{
    if (len < 4)
        return;
    net_state *st = n->net;
    sim_ep local = { *src, net_rd16(inner) }, remote = { *dst, net_rd16(inner + 2) };
    sim_sock *s = udp_best(net_udp_lookup_port(st, src->family, local.port), NULL, &remote,
                           &local);
    if (!s || !s->on_error)
        return;
    st->busy++;
    s->on_error(s, err, &remote, s->error_ctx);
    net_sock_release(st);
}

bool net_udp_bound(sim_node *n, const sim_ep *local)
{
    GPtrArray *a = net_udp_lookup_port(n->net, local->ip.family, local->port);
    for (guint k = 0; a && k < a->len; k++) {
        const sim_sock *s = g_ptr_array_index(a, k);
        if (!s->closed && (sim_ip_is_any(&s->local.ip) || sim_ip_eq(&s->local.ip, &local->ip)))
            return true;
    }
    return false;
}
