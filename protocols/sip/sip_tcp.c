/* protocols/sip/sip_tcp.c — SIP over TCP for the driver (RFC 3261 §18): the listener, a
 * connection per remote endpoint, stream framing. A connection that sends bytes which do not
 * frame as SIP (no Content-Length, a broken header line, a message over SIP_MSG_MAX) is closed
 * with a RST and a "tcp-close" log record naming the reason: after a framing error the stream
 * cannot be resynchronised (§18.3). Messages waiting in a connection that ends (a connect
 * refused, unreachable or timed out, a reset) are handed back one by one to the `lost`
 * callback (§18.4: the transport error goes to the transaction). Idle connections are closed
 * by a per-connection timer (see sip_tcp_set_idle). RFC 5626 §4.4.1 keep-alives: a CRLFCRLF ping is answered with a
 * CRLF pong. Connections are kept in opening order and
 * searched linearly, so what is sent where never depends on pointer order. */
#include <errno.h>
#include "protocols/sip/sip_tcp_priv.h"
#include "sim/timer.h"
#include "sim/trace.h"
#include "sim/world.h"

typedef struct sip_conn {
    sip_tcp *owner;
    sim_sock *sock;    /* NULL once dead (freed by the next sweep) */
    sim_ep peer;
    GByteArray *rx;    /* bytes not yet framed */
    GByteArray *tx;    /* messages waiting for the handshake or send-buffer space */
    GArray *tx_lens;   /* guint: length of each message in tx */
    guint tx_head;     /* bytes of the first one already handed to the socket */
    sim_timer *idle;   /* the idle check, armed while the connection lives */
    sim_time_t last;   /* last message in or out */
    bool up;
    bool opened;       /* we opened it (else accepted) */
} sip_conn;

struct sip_tcp {
    sim_node *node;
    sim_sock *listener;
    sim_sock *listener2;       /* the other address family (dual-stack node), or NULL */
    GPtrArray *conns;  /* sip_conn *, owned, in opening order */
    sip_tcp_deliver_fn deliver;
    void *ctx;
    sip_tcp_deliver_fn lost;   /* NULL: lost messages are only counted */
    sip_tcp_busy_fn busy;      /* NULL: never busy */
    void *hook_ctx;
    sim_time_t idle_opened, idle_accepted; /* 0: never closed when idle */
    unsigned depth;    /* callbacks running: dead connections are freed at depth 0 */
    sip_tcp_stats stats;
    sip_tcp_event_fn event; /* RFC 5626 keep-alives and closes (sip_tcp_on_event) */
};

static void log_event(sip_tcp *t, const char *ev, const sim_ep *peer, const char *reason)
{
    trace_log *log = sim_world_log(t->node->world);
    if (!trace_log_on(log))
        return;
    char ep[SIM_EP_STRLEN];
    GString *r = trace_log_begin(log, sim_world_now(t->node->world), t->node->name, "sip");
    trace_log_str(r, "event", ev);
    trace_log_str(r, "peer", sim_ep_fmt(peer, ep, sizeof ep));
    if (reason)
        trace_log_str(r, "reason", reason);
    trace_log_end(log, r);
}

static void conn_free(sip_conn *c)
{
    if (c->sock)
        sim_sock_close(c->sock);
    sim_timer_free(c->idle);
    g_byte_array_free(c->rx, TRUE);
    g_byte_array_free(c->tx, TRUE);
    g_array_free(c->tx_lens, TRUE);
    g_free(c);
}

/* Hands every message still waiting in c (not, or not wholly, given to the socket) to the
 * `lost` callback, in the order they were queued. */
static void give_back(sip_conn *c)
{
    sip_tcp *t = c->owner;
    g_autoptr(GByteArray) tx = c->tx; /* the callback may send: to a new connection */
    g_autoptr(GArray) lens = c->tx_lens;
    c->tx = g_byte_array_new();
    c->tx_lens = g_array_new(FALSE, FALSE, sizeof(guint));
    c->tx_head = 0;
    guint off = 0;
    for (guint i = 0; i < lens->len; i++) {
        guint n = g_array_index(lens, guint, i);
        t->stats.lost_msgs++;
        if (t->lost)
            t->lost(t->hook_ctx, &c->peer, tx->data + off, n);
        off += n;
    }
}

/* Ends a connection: abort (RST) after a protocol error, else a graceful close. What it
 * still held to send is given back (lost). */
static void conn_kill(sip_conn *c, bool abort, const char *reason)
{
    if (!c->sock)
        return;
    log_event(c->owner, "tcp-close", &c->peer, reason);
    if (c->owner->event)
        c->owner->event(c->owner->ctx, &c->peer, SIP_TCP_CLOSED);
    if (abort)
        sim_tcp_abort(c->sock);
    sim_sock_close(c->sock);
    c->sock = NULL;
    sim_timer_cancel(c->idle);
    c->owner->stats.closed++;
    give_back(c);
}

static void sweep(sip_tcp *t)
{
    if (t->depth)
        return;
    for (guint i = t->conns->len; i-- > 0;) {
        sip_conn *c = t->conns->pdata[i];
        if (!c->sock) {
            g_ptr_array_remove_index(t->conns, i); /* keeps the order */
            conn_free(c);
        }
    }
}

static void flush(sip_conn *c)
{
    while (c->sock && c->up && c->tx->len > c->tx_head) {
        ssize_t n = sim_tcp_send(c->sock, c->tx->data + c->tx_head, c->tx->len - c->tx_head);
        if (n == 0)
            return; /* send buffer full: `writable` continues */
        if (n < 0) {
            conn_kill(c, false, g_strerror((int)-n));
            return;
        }
        /* drop the messages now wholly in the socket; keep a part-sent one whole (lost, it
         * is given back entire: its Via and CSeq name the transaction) */
        guint done = c->tx_head + (guint)n, bytes = 0, whole = 0;
        while (whole < c->tx_lens->len && bytes + g_array_index(c->tx_lens, guint, whole) <= done)
            bytes += g_array_index(c->tx_lens, guint, whole++);
        g_array_remove_range(c->tx_lens, 0, whole);
        g_byte_array_remove_range(c->tx, 0, bytes);
        c->tx_head = done - bytes;
    }
}

/* RFC 5626 §4.4.1: a CRLFCRLF ping at the head of rx is answered with a CRLF pong, a lone
 * CRLF is a pong. Returns 1 when one was consumed, 0 when rx starts otherwise, -EAGAIN when
 * the next bytes decide: "\r\n\r" always, and on a connection we accepted (the server side,
 * which receives pings, not pongs) any head that may still grow into a ping, so that a ping
 * split across two TCP segments (CRLF, CRLF) is still one ping. */
static int keepalive(sip_conn *c)
{
    const uint8_t *d = c->rx->data;
    guint n = c->rx->len;
    if (n < 2 || d[0] != '\r' || d[1] != '\n')
        return 0;
    if ((n == 3 && d[2] == '\r') || (!c->opened && n == 2))
        return -EAGAIN;
    bool ping = n >= 4 && memcmp(d, "\r\n\r\n", 4) == 0;
    g_byte_array_remove_range(c->rx, 0, ping ? 4 : 2);
    if (ping) {
        g_byte_array_append(c->tx, (const uint8_t *)"\r\n", 2);
        flush(c);
    }
    if (c->owner->event)
        c->owner->event(c->owner->ctx, &c->peer, ping ? SIP_TCP_PING : SIP_TCP_PONG);
    return 1;
}

/* Delivers every whole message in rx; a framing error kills the connection. */
static void frame_all(sip_conn *c)
{
    sip_tcp *t = c->owner;
    while (c->sock && c->rx->len) {
        int ka = keepalive(c);
        if (ka == -EAGAIN)
            return;
        if (ka)
            continue;
        size_t n = 0;
        int rc = sip_msg_frame(c->rx->data, c->rx->len, &n);
        if (rc == -EAGAIN)
            return;
        if (rc < 0) {
            t->stats.framing_errors++;
            conn_kill(c, true, "framing error: a broken header line or no Content-Length "
                               "(required on streams, RFC 3261 §18.3)");
            return;
        }
        /* the core may send on (or kill) this connection from deliver: hand it a copy */
        g_autofree uint8_t *msg = g_memdup2(c->rx->data, n);
        g_byte_array_remove_range(c->rx, 0, (guint)n);
        t->stats.rx_msgs++;
        c->last = sim_world_now(t->node->world);
        t->deliver(t->ctx, &c->peer, msg, n);
    }
}

static void on_readable(sim_sock *s, void *ctx)
{
    (void)s;
    sip_conn *c = ctx;
    sip_tcp *t = c->owner;
    t->depth++;
    uint8_t buf[4096];
    while (c->sock) {
        ssize_t n = sim_tcp_recv(c->sock, buf, sizeof buf);
        if (n == -EAGAIN)
            break;
        if (n <= 0) {
            conn_kill(c, false, n == 0 ? "closed by peer" : g_strerror((int)-n));
            break;
        }
        g_byte_array_append(c->rx, buf, (guint)n);
        if (c->rx->len > 2 * SIP_MSG_MAX) {
            conn_kill(c, true, "message too long");
            break;
        }
        frame_all(c);
    }
    t->depth--;
    sweep(t);
}

static void on_writable(sim_sock *s, void *ctx)
{
    (void)s;
    sip_conn *c = ctx;
    c->owner->depth++;
    flush(c);
    c->owner->depth--;
    sweep(c->owner);
}

static void on_connected(sim_sock *s, int err, void *ctx)
{
    (void)s;
    sip_conn *c = ctx;
    sip_tcp *t = c->owner;
    t->depth++;
    if (err) {
        conn_kill(c, false, g_strerror(-err)); /* queued messages go to `lost` */
    } else {
        c->up = true;
        flush(c);
    }
    t->depth--;
    sweep(t);
}

static void on_closed(sim_sock *s, int err, void *ctx)
{
    (void)s;
    sip_conn *c = ctx;
    c->owner->depth++;
    conn_kill(c, false, err ? g_strerror(-err) : "closed");
    c->owner->depth--;
    sweep(c->owner);
}

static const sim_tcp_cbs conn_cbs_proto = {
    .connected = on_connected, .readable = on_readable, .writable = on_writable,
    .closed = on_closed,
};

static sim_time_t idle_limit(const sip_conn *c)
{
    return c->opened ? c->owner->idle_opened : c->owner->idle_accepted;
}

static void idle_arm(sip_conn *c, sim_time_t at)
{
    if (idle_limit(c))
        sim_timer_at(c->idle, at);
    else
        sim_timer_cancel(c->idle);
}

/* The idle check: traffic since restarts the wait; a transaction still using the peer puts
 * it off by another period; otherwise the connection is closed (FIN). */
static void on_idle(sim_timer *tm, void *ctx)
{
    (void)tm;
    sip_conn *c = ctx;
    sip_tcp *t = c->owner;
    sim_time_t now = sim_world_now(t->node->world), limit = idle_limit(c);
    if (!c->sock || !limit)
        return;
    if (c->last + limit > now) {
        idle_arm(c, c->last + limit);
        return;
    }
    if (c->tx->len || (t->busy && t->busy(t->hook_ctx, &c->peer))) {
        idle_arm(c, now + limit);
        return;
    }
    t->stats.idle_closed++;
    t->depth++;
    conn_kill(c, false, "idle");
    t->depth--;
    sweep(t);
}

static sip_conn *conn_add(sip_tcp *t, sim_sock *s, const sim_ep *peer, bool opened)
{
    sip_conn *c = g_new0(sip_conn, 1);
    c->owner = t;
    c->sock = s;
    c->peer = *peer;
    c->up = !opened;
    c->opened = opened;
    c->rx = g_byte_array_new();
    c->tx = g_byte_array_new();
    c->tx_lens = g_array_new(FALSE, FALSE, sizeof(guint));
    c->idle = sim_timer_new(t->node->world, on_idle, c);
    c->last = sim_world_now(t->node->world);
    idle_arm(c, c->last + idle_limit(c));
    sim_tcp_cbs cbs = conn_cbs_proto;
    cbs.ctx = c;
    sim_tcp_set_callbacks(s, &cbs);
    g_ptr_array_add(t->conns, c);
    return c;
}

static void on_acceptable(sim_sock *l, void *ctx)
{
    sip_tcp *t = ctx;
    t->depth++;
    sim_sock *s;
    while ((s = sim_tcp_accept(l))) {
        sim_ep peer = sim_sock_remote(s);
        sip_conn *c = conn_add(t, s, &peer, false);
        t->stats.accepted++;
        log_event(t, "tcp-accept", &peer, NULL);
        on_readable(s, c); /* data may already be waiting (no callback for it) */
    }
    t->depth--;
    sweep(t);
}

static sip_conn *find(const sip_tcp *t, const sim_ep *to)
{
    for (guint i = 0; i < t->conns->len; i++) {
        sip_conn *c = t->conns->pdata[i];
        if (c->sock && sim_ep_eq(&c->peer, to))
            return c;
    }
    return NULL;
}

/* A listener on port of family; NULL with *rc on failure. */
static sim_sock *listen_on(sim_node *n, int family, uint16_t port, int *rc)
{
    sim_sock *l = sim_tcp_open(n, family);
    sim_ep bind = { .port = port };
    *rc = l ? sim_sock_bind(l, &bind) : -EINVAL;
    if (*rc == 0)
        *rc = sim_tcp_listen(l, 64);
    if (*rc < 0) {
        sim_sock_close(l);
        return NULL;
    }
    return l;
}

sip_tcp *sip_tcp_new(sim_node *n, const sim_ep *local, sip_tcp_deliver_fn fn, void *ctx, int *rc)
{
    sim_sock *l = listen_on(n, local->ip.family == SIM_AF_INET6 ? SIM_AF_INET6 : SIM_AF_INET,
                            local->port, rc);
    if (!l)
        return NULL;
    sip_tcp *t = g_new0(sip_tcp, 1);
    t->node = n;
    t->listener = l;
    t->conns = g_ptr_array_new();
    t->deliver = fn;
    t->ctx = ctx;
    t->idle_opened = SIP_TCP_IDLE;
    t->idle_accepted = SIP_TCP_IDLE_ACCEPTED;
    sim_tcp_set_callbacks(l, &(sim_tcp_cbs){ .acceptable = on_acceptable, .ctx = t });
    return t;
}

void sip_tcp_free(sip_tcp *t)
{
    if (!t)
        return;
    sim_sock_close(t->listener);
    sim_sock_close(t->listener2);
    for (guint i = 0; i < t->conns->len; i++)
        conn_free(t->conns->pdata[i]);
    g_ptr_array_free(t->conns, TRUE);
    g_free(t);
}

int sip_tcp_send(sip_tcp *t, const sim_ep *to, const uint8_t *data, size_t len, bool open)
{
    sip_conn *c = find(t, to);
    if (!c && !open)
        return 0;
    if (!c) {
        sim_sock *s = sim_tcp_open(t->node, to->ip.family);
        int rc = s ? sim_tcp_connect(s, to) : -EINVAL;
        if (rc < 0) {
            sim_sock_close(s);
            return rc;
        }
        c = conn_add(t, s, to, true);
        t->stats.opened++;
        log_event(t, "tcp-open", to, NULL);
    }
    g_byte_array_append(c->tx, data, (guint)len);
    guint n = (guint)len;
    g_array_append_val(c->tx_lens, n);
    c->last = sim_world_now(t->node->world);
    t->stats.tx_msgs++;
    t->depth++;
    flush(c);
    t->depth--;
    sweep(t);
    return 1;
}

int sip_tcp_listen_also(sip_tcp *t, int family, uint16_t port)
{
    int rc;
    if (t->listener2)
        return -EINVAL;
    t->listener2 = listen_on(t->node, family, port, &rc);
    if (t->listener2)
        sim_tcp_set_callbacks(t->listener2,
                              &(sim_tcp_cbs){ .acceptable = on_acceptable, .ctx = t });
    return rc;
}

void sip_tcp_set_hooks(sip_tcp *t, sip_tcp_deliver_fn lost, sip_tcp_busy_fn busy, void *ctx)
{
    t->lost = lost;
    t->busy = busy;
    t->hook_ctx = ctx;
}

void sip_tcp_set_idle(sip_tcp *t, sim_time_t opened, sim_time_t accepted)
{
    t->idle_opened = opened;
    t->idle_accepted = accepted;
    for (guint i = 0; i < t->conns->len; i++) {
        sip_conn *c = t->conns->pdata[i];
        if (c->sock)
            idle_arm(c, c->last + idle_limit(c));
    }
}

bool sip_tcp_has(const sip_tcp *t, const sim_ep *to)
{
    return find(t, to) != NULL;
}

void sip_tcp_on_event(sip_tcp *t, sip_tcp_event_fn fn) { t->event = fn; }

size_t sip_tcp_count(const sip_tcp *t)
{
    size_t n = 0;
    for (guint i = 0; i < t->conns->len; i++)
        n += ((sip_conn *)t->conns->pdata[i])->sock != NULL;
    return n;
}

const sip_tcp_stats *sip_tcp_get_stats(const sip_tcp *t) { return &t->stats; }
