/* sim/stack/tcp_tcb.c — the transmission control block: one tcp_conn core driven by the
 * simulator. After every input, timeout or user call net_tcb_service turns the core's events
 * into socket callbacks and schedules a flush at the same virtual time, which drains the core's
 * segments into IPv4/IPv6 packets and re-arms the one timer at tcp_conn_next_deadline. The ISS comes from the node's random stream, the
 * MSS from the interface MTU (RFC 9293 3.7.1: MTU - 40 for IPv4, MTU - 60 for IPv6). */
#include <errno.h>
#include <string.h>
#include "sim/stack/tcp_stack.h"
#include "sim/trace.h"

/* Unhashes a connection that reached CLOSED: its 4-tuple and port are free again. */
static void tcb_unhash(net_tcb *t)
{
    if (!t->hashed)
        return;
    net_state *st = t->node->net;
    g_hash_table_remove(st->tcp->conns, &t->key);
    net_tcp_port *e = net_tcp_port_get(st, t->key.local.ip.family, t->key.local.port, false);
    if (e && e->conns)
        e->conns--;
    net_tcp_port_gc(st, t->key.local.ip.family, t->key.local.port);
    t->hashed = false;
}

static void tcb_timer_fire(sim_timer *tm, void *ctx)
{
    (void)tm;
    net_tcb *t = ctx;
    tcp_conn_timeout(t->conn, sim_world_now(t->node->world));
    net_tcb_service(t);
}

net_tcb *net_tcb_new(sim_node *n, const sim_ep *local, const sim_ep *remote, const tcp_cfg *cfg,
                     uint32_t mtu)
{
    net_state *st = n->net;
    net_tcb *t = g_new0(net_tcb, 1);
    t->key.local = *local;
    t->key.remote = *remote;
    t->node = n;
    tcp_cfg c = cfg ? *cfg : (tcp_cfg){ 0 };
    uint32_t hdrs = local->ip.family == SIM_AF_INET6 ? NET_IP6_HLEN + TCP_HLEN
                                                     : NET_IP4_HLEN + TCP_HLEN;
    uint32_t mss = mtu > hdrs ? mtu - hdrs : TCP_MSS_MIN4;
    if (!c.mss || c.mss > mss)
        c.mss = (uint16_t)mss;
    t->conn = tcp_conn_new(local, remote, &c, &n->rng);
    t->timer = sim_timer_new(n->world, tcb_timer_fire, t);
    g_hash_table_insert(st->tcp->conns, &t->key, t);
    t->hashed = true;
    net_tcp_port_get(st, local->ip.family, local->port, true)->conns++;
    g_ptr_array_add(st->tcp->tcbs, t);
    return t;
}

void net_tcb_free(net_tcb *t)
{
    if (t->depth) {
        t->dead = true;
        return;
    }
    net_state *st = t->node->net;
    tcb_unhash(t);
    sim_sched_cancel(sim_world_sched(t->node->world), t->flush);
    sim_timer_free(t->timer);
    tcp_conn_free(t->conn);
    g_ptr_array_remove(st->tcp->tcbs, t);
    g_free(t);
}

void net_tcb_orphan(net_tcb *t)
{
    t->sock = NULL;
    net_tcb_service(t); /* frees it if it is CLOSED already */
}

uint32_t net_tcp_path_mtu(sim_node *n, const sim_ip *dst)
{
    sim_iface *out;
    sim_ip nh;
    return net_route(n, dst, &out, &nh) == 0 ? out->mtu : 0;
}

int net_tcp_xmit(sim_node *n, const sim_ep *local, const sim_ep *remote, const tcp_seg *seg)
{
    sim_pkt *pkt = sim_pkt_alloc(net_pool(n));
    size_t len;
    if (tcp_seg_encode(seg, &local->ip, &remote->ip, pkt->data, sim_pkt_tailroom(pkt), &len) <
        0) {
        sim_pkt_free(net_pool(n), pkt); /* cannot happen: the MSS fits a buffer */
        return -EMSGSIZE;
    }
    sim_pkt_put(pkt, len);
    if (local->ip.family == SIM_AF_INET)
        return net_ip4_output(n, pkt, &local->ip, &remote->ip, NET_PROTO_TCP, NET_DEFAULT_TTL);
    return net_ip6_output(n, pkt, &local->ip, &remote->ip, NET_PROTO_TCP, NET_DEFAULT_TTL,
                          NULL);
}

/* Events of a connection a listener made and nobody accepted yet. */
static void dispatch_pending(net_tcb *t, unsigned ev)
{
    sim_sock *l = t->listener;
    if (tcp_conn_state(t->conn) == TCP_CLOSED) {
        g_queue_remove(&l->tcp->pending, t); /* died before accept (RST, timeout) */
        t->listener = NULL;
        return;
    }
    if ((ev & TCP_EV_CONNECTED) && !t->accept_ready) {
        t->accept_ready = true;
        if (l->tcp->cbs.acceptable)
            l->tcp->cbs.acceptable(l, l->tcp->cbs.ctx);
    }
}

/* Events of a connection a socket holds. Each callback may close the socket: stop then. */
static void dispatch_sock(net_tcb *t, unsigned ev)
{
    sim_sock *s = t->sock;
    net_tcp_sock *ts = s->tcp;
    bool closed = tcp_conn_state(t->conn) == TCP_CLOSED;
    int err = tcp_conn_error(t->conn);
    if (ev & TCP_EV_CONNECTED) {
        ts->established = true;
        if (ts->cbs.connected)
            ts->cbs.connected(s, 0, ts->cbs.ctx);
    }
    if ((ev & TCP_EV_READABLE) && t->sock == s && ts->cbs.readable)
        ts->cbs.readable(s, ts->cbs.ctx);
    if ((ev & TCP_EV_WRITABLE) && t->sock == s && ts->cbs.writable)
        ts->cbs.writable(s, ts->cbs.ctx);
    if (closed && (ev & TCP_EV_CLOSED) && t->sock == s) {
        ts->last_err = err;
        if (!ts->established) {
            if (ts->cbs.connected)
                ts->cbs.connected(s, err ? err : -ECONNABORTED, ts->cbs.ctx);
        } else if (ts->cbs.closed) {
            ts->cbs.closed(s, err, ts->cbs.ctx);
        }
    }
}

/* A stable short name for a connection's error in the event log. */
static const char *err_name(int err)
{
    switch (-err) {
    case 0: return "none";
    case ECONNREFUSED: return "refused";
    case ECONNRESET: return "reset";
    case ETIMEDOUT: return "timed-out";
    case EHOSTUNREACH: return "host-unreachable";
    case ENETUNREACH: return "net-unreachable";
    default: return "error";
    }
}

/* Event log: "tcp.established" / "tcp.closed" (with the error) when the log is on. */
static void tcb_log(net_tcb *t, const char *kind, bool with_err)
{
    trace_log *log = sim_world_log(t->node->world);
    if (!trace_log_on(log))
        return;
    char a[SIM_EP_STRLEN], b[SIM_EP_STRLEN];
    GString *r = trace_log_begin(log, sim_world_now(t->node->world), t->node->name, kind);
    trace_log_str(r, "local", sim_ep_fmt(&t->key.local, a, sizeof a));
    trace_log_str(r, "remote", sim_ep_fmt(&t->key.remote, b, sizeof b));
    if (with_err)
        trace_log_str(r, "error", err_name(tcp_conn_error(t->conn)));
    trace_log_end(log, r);
}

/* Hands the core's events to the callbacks (with socket frees deferred until they return). */
static void tcb_dispatch(net_tcb *t)
{
    if (tcp_conn_state(t->conn) == TCP_CLOSED)
        tcb_unhash(t);
    unsigned ev = tcp_conn_events(t->conn);
    if (ev & TCP_EV_CONNECTED)
        tcb_log(t, "tcp.established", false);
    if (ev & TCP_EV_CLOSED)
        tcb_log(t, "tcp.closed", true);
    if (!ev || (!t->listener && !t->sock))
        return;
    net_state *st = t->node->net;
    st->busy++; /* a callback may close sockets: their memory waits until we are done */
    if (t->listener)
        dispatch_pending(t, ev);
    else
        dispatch_sock(t, ev);
    net_sock_release(st);
}

/* Frees the TCB if it is done (closed and nobody holds it) and no service call is running. */
static void tcb_maybe_free(net_tcb *t)
{
    if (t->depth)
        return;
    if (t->dead || (tcp_conn_state(t->conn) == TCP_CLOSED && !t->sock && !t->listener &&
                    !sim_sched_pending(sim_world_sched(t->node->world), t->flush))) {
        t->dead = false;
        net_tcb_free(t);
    }
}

/* The end of the instant: transmit what the core has, re-arm the timer. */
static void tcb_flush(void *ctx, void *arg)
{
    (void)arg;
    net_tcb *t = ctx;
    sim_node *n = t->node;
    net_state *st = n->net;
    sim_time_t now = sim_world_now(n->world);
    tcp_seg seg;
    t->flush = (sim_event_id){ 0, 0 };
    t->depth++;
    while (tcp_conn_pop(t->conn, now, &seg, st->tcp->scratch, sizeof st->tcp->scratch))
        net_tcp_xmit(n, &t->key.local, &t->key.remote, &seg);
    /* Re-arm only for an earlier deadline: a later one (every ACK pushes the RTO back) is
     * left to the armed timer, which fires early, finds nothing due and re-arms. That keeps
     * the scheduler from filling with cancelled events, one per ACK. */
    sim_time_t d = tcp_conn_next_deadline(t->conn);
    if (d < sim_timer_deadline(t->timer))
        sim_timer_at(t->timer, d);
    tcb_dispatch(t);
    t->depth--;
    tcb_maybe_free(t);
}

void net_tcb_service(net_tcb *t)
{
    t->depth++;
    tcb_dispatch(t);
    t->depth--;
    /* Output waits for the end of the current instant (an event at the same virtual time):
     * whatever the application does in reaction (read, write, close) is folded into the same
     * segments, as a real stack's delayed ACK and send coalescing would, with no delay on the
     * wire. So an ACK carries the window the read reopened instead of a separate update. */
    sim_sched *sched = sim_world_sched(t->node->world);
    if (!sim_sched_pending(sched, t->flush))
        t->flush = sim_sched_at(sched, sim_world_now(t->node->world), tcb_flush, t, NULL);
    tcb_maybe_free(t);
}
