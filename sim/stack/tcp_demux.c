/* sim/stack/tcp_demux.c — TCP input for a node (RFC 9293 3.10.7): decode with the checksum,
 * find the connection by its 4-tuple, else a listener (specific address before the wildcard),
 * else answer with a RST; ICMP errors for TCP (RFC 1122 4.2.3.9, RFC 5461, RFC 5927); the
 * per-node port table that binds, listeners and net_tcp_bound share.
 *
 * The connection table is a GHashTable keyed on the net_tcp_key inside each TCB, so a lookup
 * builds its key on the stack and allocates nothing; the hash mixes both endpoints. */
#include <errno.h>
#include <string.h>
#include "sim/stack/tcp_stack.h"

static guint key_hash(gconstpointer p)
{
    const net_tcp_key *k = p;
    return sim_ep_hash(&k->local) * 0x9E3779B1u ^ sim_ep_hash(&k->remote);
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
    const net_tcp_key *x = a, *y = b;
    return sim_ep_eq(&x->local, &y->local) && sim_ep_eq(&x->remote, &y->remote);
}

static guint port_hash(gconstpointer k) { return GPOINTER_TO_UINT(k) * 2654435761u; }

static gpointer port_key(int family, uint16_t port)
{
    return GUINT_TO_POINTER((guint)family << 16 | port);
}

static void port_free(gpointer p)
{
    net_tcp_port *e = p;
    g_ptr_array_unref(e->socks);
    g_free(e);
}

void net_tcp_init(net_state *st)
{
    net_tcp *tcp = g_new0(net_tcp, 1);
    tcp->conns = g_hash_table_new(key_hash, key_equal);
    tcp->ports = g_hash_table_new_full(port_hash, g_direct_equal, NULL, port_free);
    tcp->tcbs = g_ptr_array_new();
    st->tcp = tcp;
}

void net_tcp_drop_all(net_state *st)
{
    net_tcp *tcp = st->tcp;
    /* Newest first: each free finds its TCB at the end of the array. */
    while (tcp->tcbs->len) {
        net_tcb *t = g_ptr_array_index(tcp->tcbs, tcp->tcbs->len - 1);
        t->depth = 0;
        if (t->sock)
            t->sock->tcp->tcb = NULL;
        if (t->listener)
            g_queue_remove(&t->listener->tcp->pending, t);
        t->sock = t->listener = NULL;
        net_tcb_free(t);
    }
}

void net_tcp_free(net_state *st)
{
    net_tcp *tcp = st->tcp;
    if (!tcp)
        return;
    net_tcp_drop_all(st);
    g_ptr_array_unref(tcp->tcbs);
    g_hash_table_destroy(tcp->conns);
    g_hash_table_destroy(tcp->ports);
    g_free(tcp);
    st->tcp = NULL;
}

net_tcp_port *net_tcp_port_get(net_state *st, int family, uint16_t port, bool create)
{
    net_tcp_port *e = g_hash_table_lookup(st->tcp->ports, port_key(family, port));
    if (!e && create) {
        e = g_new0(net_tcp_port, 1);
        e->socks = g_ptr_array_new();
        g_hash_table_insert(st->tcp->ports, port_key(family, port), e);
    }
    return e;
}

void net_tcp_port_gc(net_state *st, int family, uint16_t port)
{
    net_tcp_port *e = net_tcp_port_get(st, family, port, false);
    if (e && !e->socks->len && !e->conns)
        g_hash_table_remove(st->tcp->ports, port_key(family, port));
}

net_tcb *net_tcp_lookup(net_state *st, const sim_ep *local, const sim_ep *remote)
{
    net_tcp_key k;
    memset(&k, 0, sizeof k);
    k.local = *local;
    k.remote = *remote;
    return g_hash_table_lookup(st->tcp->conns, &k);
}

/* The listener for a segment to `local`: one bound to that address, else a wildcard one. */
static sim_sock *listener_find(net_state *st, const sim_ep *local)
{
    net_tcp_port *e = net_tcp_port_get(st, local->ip.family, local->port, false);
    sim_sock *wild = NULL;
    for (guint k = 0; e && k < e->socks->len; k++) {
        sim_sock *s = g_ptr_array_index(e->socks, k);
        if (s->closed || !s->tcp->listening)
            continue;
        if (sim_ip_eq(&s->local.ip, &local->ip))
            return s;
        if (sim_ip_is_any(&s->local.ip) && !wild)
            wild = s;
    }
    return wild;
}

/* Answers a segment no connection takes with the RST of RFC 9293 3.10.7.1 (never a RST). */
static void send_reset(sim_node *n, const sim_ep *local, const sim_ep *remote,
                       const tcp_seg *seg)
{
    tcp_seg rst;
    if (tcp_seg_reset_for(seg, &rst))
        net_tcp_xmit(n, local, remote, &rst);
}

/* A segment for a listener (RFC 9293 3.10.7.2). Returns false when it is dropped for the
 * backlog (the caller counts it). */
static bool listener_input(sim_sock *l, sim_iface *in, const sim_ep *local,
                           const sim_ep *remote, const tcp_seg *seg)
{
    sim_node *n = l->node;
    net_tcp_sock *ls = l->tcp;
    if (seg->flags & TCP_RST)
        return true; /* ignored */
    if (seg->flags & TCP_ACK) {
        send_reset(n, local, remote, seg); /* <SEQ=SEG.ACK><CTL=RST> */
        return true;
    }
    if (!(seg->flags & TCP_SYN))
        return true; /* neither: dropped without an answer */
    if (g_queue_get_length(&ls->pending) >= ls->backlog)
        return false;
    net_tcb *t = net_tcb_new(n, local, remote, &ls->cfg, in->mtu);
    t->listener = l;
    g_queue_push_tail(&ls->pending, t);
    sim_time_t now = sim_world_now(n->world);
    tcp_conn_open_passive(t->conn, now);
    tcp_conn_input(t->conn, now, seg);
    net_tcb_service(t);
    return true;
}

void net_tcp_input(sim_iface *in, sim_pkt *pkt, const sim_ip *src, const sim_ip *dst)
{
    sim_node *n = in->node;
    net_state *st = n->net;
    tcp_seg seg;
    const char *why = NULL;
    if (tcp_seg_decode_why(pkt->data, pkt->len, src, dst, &seg, &why) < 0) {
        /* The header and options are checked before the checksum. */
        bool csum = tcp_seg_decode(pkt->data, pkt->len, NULL, NULL, &seg) == 0;
        sim_node_drop(n, in, pkt, csum ? SIM_DROP_BAD_CHECKSUM : SIM_DROP_MALFORMED, why);
        return;
    }
    if (sim_ip_is_multicast(dst) || (dst->family == SIM_AF_INET && net_ip4_is_bcast(in, dst))) {
        sim_node_drop(n, in, pkt, SIM_DROP_UNSUPPORTED, "TCP to multicast/broadcast");
        return;
    }
    sim_ep local = { *dst, seg.dport }, remote = { *src, seg.sport };
    net_tcb *t = net_tcp_lookup(st, &local, &remote);
    if (t) {
        tcp_conn_input(t->conn, sim_world_now(n->world), &seg); /* hashed: never CLOSED */
        net_tcb_service(t);
        sim_pkt_free(net_pool(n), pkt);
        return;
    }
    sim_sock *l = listener_find(st, &local);
    if (l) {
        if (listener_input(l, in, &local, &remote, &seg))
            sim_pkt_free(net_pool(n), pkt);
        else
            sim_node_drop(n, in, pkt, SIM_DROP_QUEUE_FULL, "TCP listen backlog full");
        return;
    }
    send_reset(n, &local, &remote, &seg);
    sim_node_drop(n, in, pkt, SIM_DROP_NO_LISTENER, "no TCP connection or listener");
}

void net_tcp_icmp_error(sim_node *n, int err, const sim_ip *src, const sim_ip *dst,
                        const uint8_t *inner, size_t len)
{
    if (len < 8) /* RFC 792: at least the ports and the sequence number are quoted */
        return;
    sim_ep local = { *src, net_rd16(inner) }, remote = { *dst, net_rd16(inner + 2) };
    net_tcb *t = net_tcp_lookup(n->net, &local, &remote);
    if (!t)
        return;
    uint32_t seq = (uint32_t)inner[4] << 24 | (uint32_t)inner[5] << 16 |
                   (uint32_t)inner[6] << 8 | inner[7];
    if (tcp_conn_icmp_error(t->conn, seq, err))
        net_tcb_service(t);
}

bool net_tcp_bound(sim_node *n, const sim_ep *local)
{
    net_tcp_port *e = net_tcp_port_get(n->net, local->ip.family, local->port, false);
    if (!e)
        return false;
    if (e->conns)
        return true;
    for (guint k = 0; k < e->socks->len; k++) {
        const sim_sock *s = g_ptr_array_index(e->socks, k);
        if (!s->closed && (sim_ip_is_any(&s->local.ip) || sim_ip_eq(&s->local.ip, &local->ip)))
            return true;
    }
    return false;
}
