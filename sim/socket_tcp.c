/* sim/socket_tcp.c — the TCP half of the socket API (sim/socket.h) over the stack's TCBs
 * (sim/stack/tcp_stack.h): listen / accept / connect / send / recv / shutdown / abort, the
 * TCP rules of bind (SO_REUSEADDR), and what closing a TCP socket does. */
#include "sim/socket.h"

#include <errno.h>
#include <string.h>
#include "sim/stack/tcp_stack.h"

#define TCP_BACKLOG_MAX 4096u

static bool is_tcp(const sim_sock *s) { return s && s->type == SIM_SOCK_TCP && !s->closed; }

/* ---- the port table ---- */

bool net_tcp_port_in_use(net_state *st, int family, uint16_t port)
{
    return net_tcp_port_get(st, family, port, false) != NULL;
}

bool net_tcp_bind_conflict(net_state *st, const sim_sock *s, const sim_ep *ep)
{
    net_tcp_port *e = net_tcp_port_get(st, s->family, ep->port, false);
    if (!e)
        return false;
    for (guint k = 0; k < e->socks->len; k++) {
        const sim_sock *o = g_ptr_array_index(e->socks, k);
        bool overlap = sim_ip_is_any(&o->local.ip) || sim_ip_is_any(&ep->ip) ||
                       sim_ip_eq(&o->local.ip, &ep->ip);
        if (overlap && !(s->reuse && o->reuse))
            return true;
    }
    /* Connections still on the port (TIME-WAIT ones too) need SO_REUSEADDR, as on Linux. */
    return e->conns && !s->reuse;
}

void net_tcp_sock_hash_add(net_state *st, sim_sock *s)
{
    g_ptr_array_add(net_tcp_port_get(st, s->family, s->local.port, true)->socks, s);
}

void net_tcp_sock_hash_del(net_state *st, sim_sock *s)
{
    net_tcp_port *e = net_tcp_port_get(st, s->family, s->local.port, false);
    if (e)
        g_ptr_array_remove(e->socks, s);
    net_tcp_port_gc(st, s->family, s->local.port);
}

/* ---- open, options ---- */

sim_sock *sim_tcp_open(sim_node *n, int family)
{
    sim_sock *s = net_sock_new(n, family, SIM_SOCK_TCP);
    if (s)
        s->tcp = g_new0(net_tcp_sock, 1);
    return s;
}

int sim_tcp_set_callbacks(sim_sock *s, const sim_tcp_cbs *cbs)
{
    if (!is_tcp(s))
        return -EINVAL;
    if (cbs)
        s->tcp->cbs = *cbs;
    else
        memset(&s->tcp->cbs, 0, sizeof s->tcp->cbs);
    return 0;
}

int sim_tcp_set_opts(sim_sock *s, const sim_tcp_opts *o)
{
    if (!is_tcp(s) || !o)
        return -EINVAL;
    s->tcp->cfg = (tcp_cfg){
        .mss = o->mss, .sndbuf = o->sndbuf, .rcvbuf = o->rcvbuf, .rto_min = o->rto_min,
        .rto_initial = o->rto_initial, .syn_retries = o->syn_retries,
        .data_retries = o->data_retries, .msl = o->msl,
    };
    return 0;
}

/* ---- passive open ---- */

int sim_tcp_listen(sim_sock *s, unsigned backlog)
{
    if (!is_tcp(s) || backlog < 1 || backlog > TCP_BACKLOG_MAX)
        return -EINVAL;
    if (s->tcp->tcb)
        return -EISCONN;
    int r = net_sock_autobind(s);
    if (r < 0)
        return r;
    net_tcp_port *e = net_tcp_port_get(s->node->net, s->family, s->local.port, false);
    for (guint k = 0; e && k < e->socks->len; k++) {
        const sim_sock *o = g_ptr_array_index(e->socks, k);
        if (o != s && o->tcp->listening &&
            (sim_ip_is_any(&o->local.ip) || sim_ip_is_any(&s->local.ip) ||
             sim_ip_eq(&o->local.ip, &s->local.ip)))
            return -EADDRINUSE; /* one listener per address:port, even with SO_REUSEADDR */
    }
    s->tcp->listening = true;
    s->tcp->backlog = backlog;
    return 0;
}

sim_sock *sim_tcp_accept(sim_sock *l)
{
    if (!is_tcp(l) || !l->tcp->listening)
        return NULL;
    for (GList *it = l->tcp->pending.head; it; it = it->next) {
        net_tcb *t = it->data;
        if (!t->accept_ready)
            continue;
        g_queue_delete_link(&l->tcp->pending, it);
        sim_sock *s = sim_tcp_open(l->node, l->family);
        s->tcp->cbs = l->tcp->cbs;
        s->tcp->cfg = l->tcp->cfg;
        s->tcp->established = true;
        s->tcp->tcb = t;
        s->local = t->key.local;
        s->remote = t->key.remote;
        s->bound = true; /* on the listener's port; not in the port table (its TCB counts) */
        s->connected = true;
        t->listener = NULL;
        t->accept_ready = false;
        t->sock = s;
        return s;
    }
    return NULL;
}

/* ---- active open ---- */

int sim_tcp_connect(sim_sock *s, const sim_ep *remote)
{
    if (!is_tcp(s) || !remote || remote->ip.family != s->family || remote->port == 0 ||
        sim_ip_is_any(&remote->ip) || sim_ip_is_multicast(&remote->ip) ||
        sim_ip_is_broadcast(&remote->ip) || s->tcp->listening)
        return -EINVAL;
    if (s->tcp->tcb || s->tcp->established)
        return -EISCONN;
    sim_node *n = s->node;
    sim_ep local = s->local;
    if (sim_ip_is_any(&local.ip) && net_select_src(n, &remote->ip, &local.ip) < 0)
        return -ENETUNREACH;
    uint32_t mtu = net_tcp_path_mtu(n, &remote->ip);
    if (!mtu)
        return -ENETUNREACH;
    int r = net_sock_autobind(s);
    if (r < 0)
        return r;
    local.port = s->local.port;
    if (net_tcp_lookup(n->net, &local, remote))
        return -EADDRINUSE;
    net_tcb *t = net_tcb_new(n, &local, remote, &s->tcp->cfg, mtu);
    t->sock = s;
    s->tcp->tcb = t;
    s->local.ip = local.ip; /* like getsockname after connect: the address in use */
    s->remote = *remote;
    s->connected = true;
    tcp_conn_open_active(t->conn, sim_world_now(n->world));
    net_tcb_service(t);
    return 0;
}

/* ---- data, shutdown, abort ---- */

/* The socket's live connection, or NULL with *err set for the call to return. */
static net_tcb *conn_of(const sim_sock *s, int *err)
{
    if (!is_tcp(s)) {
        *err = -EINVAL;
        return NULL;
    }
    if (!s->tcp->tcb)
        *err = s->tcp->last_err ? s->tcp->last_err : -ENOTCONN;
    return s->tcp->tcb;
}

ssize_t sim_tcp_send(sim_sock *s, const void *data, size_t len)
{
    int err;
    net_tcb *t = conn_of(s, &err);
    if (!t)
        return err;
    if (!data && len)
        return -EINVAL;
    ssize_t r = tcp_conn_send(t->conn, data, len);
    net_tcb_service(t);
    return r;
}

ssize_t sim_tcp_recv(sim_sock *s, void *buf, size_t len)
{
    int err;
    net_tcb *t = conn_of(s, &err);
    if (!t)
        return err;
    if (!buf && len)
        return -EINVAL;
    ssize_t r = tcp_conn_recv(t->conn, buf, len);
    net_tcb_service(t); /* a window update may be due */
    return r;
}

int sim_tcp_shutdown(sim_sock *s)
{
    int err;
    net_tcb *t = conn_of(s, &err);
    if (!t)
        return err == -EINVAL ? err : -ENOTCONN;
    int r = tcp_conn_shutdown(t->conn);
    net_tcb_service(t);
    return r;
}

/* Resets and drops a listener's connections that nobody accepted. */
static void drop_pending(sim_sock *l)
{
    net_tcb *t;
    while ((t = g_queue_pop_head(&l->tcp->pending))) {
        t->listener = NULL;
        tcp_conn_abort(t->conn);
        net_tcb_service(t); /* sends the RST, frees the TCB */
    }
}

int sim_tcp_abort(sim_sock *s)
{
    if (!is_tcp(s))
        return -EINVAL;
    net_tcp_sock *ts = s->tcp;
    drop_pending(s);
    ts->listening = false;
    net_tcb *t = ts->tcb;
    if (!t)
        return 0;
    ts->tcb = NULL;
    ts->last_err = -ECONNABORTED;
    t->sock = NULL; /* no callbacks for an end the caller asked for */
    tcp_conn_abort(t->conn);
    net_tcb_orphan(t); /* sends the RST, frees the TCB */
    return 0;
}

void net_tcp_sock_close(sim_sock *s)
{
    net_tcp_sock *ts = s->tcp;
    drop_pending(s);
    ts->listening = false;
    net_tcb *t = ts->tcb;
    if (!t)
        return;
    ts->tcb = NULL;
    t->sock = NULL;
    tcp_conn_close(t->conn); /* FIN after the queued data; RST with unread data */
    net_tcb_orphan(t);
}

/* ---- accessors ---- */

const char *sim_tcp_state(const sim_sock *s)
{
    if (!s || s->type != SIM_SOCK_TCP || !s->tcp)
        return "?";
    if (s->tcp->listening)
        return tcp_state_name(TCP_LISTEN);
    return tcp_state_name(s->tcp->tcb ? tcp_conn_state(s->tcp->tcb->conn) : TCP_CLOSED);
}

int sim_tcp_error(const sim_sock *s)
{
    if (!s || s->type != SIM_SOCK_TCP || !s->tcp)
        return 0;
    if (s->tcp->tcb)
        return tcp_conn_error(s->tcp->tcb->conn);
    return s->tcp->last_err;
}

sim_ep sim_sock_remote(const sim_sock *s)
{
    sim_ep none = { 0 };
    return s && s->connected ? s->remote : none;
}

size_t sim_tcp_readable(const sim_sock *s)
{
    return is_tcp(s) && s->tcp->tcb ? tcp_conn_readable(s->tcp->tcb->conn) : 0;
}

size_t sim_tcp_writable(const sim_sock *s)
{
    return is_tcp(s) && s->tcp->tcb ? tcp_conn_writable(s->tcp->tcb->conn) : 0;
}

size_t sim_tcp_unacked(const sim_sock *s)
{
    return is_tcp(s) && s->tcp->tcb ? tcp_conn_unacked(s->tcp->tcb->conn) : 0;
}
