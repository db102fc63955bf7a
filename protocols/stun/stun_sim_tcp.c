/* protocols/stun/stun_sim_tcp.c — STUN over TCP in the driver (RFC 8489 §6.2.2).
 *
 * Server: a listener on the primary endpoint; every accepted connection gets a stream reader
 * (stun_stream.c) and stays open (the client closes it, §6.2.2: "the server SHOULD keep the
 * connection open"). Each request read from it goes to the same stateless core as a datagram
 * would, with the connection's remote endpoint as the source, so XOR-MAPPED-ADDRESS is the
 * endpoint the NAT gave the connection; the response goes back on the connection. A response
 * the core wants to send from another endpoint (CHANGE-REQUEST, RFC 5780) cannot leave a TCP
 * connection: it is not sent and counted as unsent.
 *
 * Client: one connection to its server; the core is reliable (no retransmission, Ti) and its
 * requests wait in the outbox until the connection is up. Garbage on the stream, a refused or
 * reset connection, or the server closing ends every running transaction (STUN_TX_CLOSED). */
#include "protocols/stun/stun_priv.h"

#include <errno.h>
#include "sim/trace.h"

#define BACKLOG 64

static GQuark tcp_quark(void) { return g_quark_from_static_string("stun-app"); }

static void log_conn(stun_app *a, const stun_conn *c, const char *event, const char *why)
{
    trace_log *log = sim_world_log(a->world);
    if (!trace_log_on(log))
        return;
    char b[SIM_EP_STRLEN];
    GString *r = trace_log_begin(log, sim_world_now(a->world), a->node->name, "stun");
    trace_log_str(r, "event", event);
    trace_log_str(r, "remote", sim_ep_fmt(&c->remote, b, sizeof b));
    if (why)
        trace_log_str(r, "reason", why);
    trace_log_end(log, r);
}

/* Closes c (graceful: FIN, or RST with unread data) and forgets it. */
static void conn_free(stun_conn *c)
{
    stun_app *a = c->app;
    sim_sock_close(c->sock);
    g_ptr_array_remove(a->conns, c);
    a->tcp.open--;
    g_free(c);
}

/* A static reason for a connection error. */
static const char *err_reason(int err)
{
    switch (err) {
    case 0: return "the server closed the connection";
    case -ECONNREFUSED: return "connection refused";
    case -ETIMEDOUT: return "connection timed out";
    case -EHOSTUNREACH:
    case -ENETUNREACH: return "no route to the server";
    default: return "connection reset";
    }
}

/* The client's connection ended: its transactions have failed. */
static void client_lost(stun_conn *c, const char *why)
{
    stun_app *a = c->app;
    a->tcp_why = why;
    log_conn(a, c, "tcp closed", why);
    conn_free(c);
    stun_client_transport_failed(a->client, sim_world_now(a->world));
    stun_app_kick(a);
}

/* Queues one frame on c. A STUN message is far smaller than the send buffer; one that does
 * not fit means the peer stopped reading, and the connection is given up. */
static bool conn_send(stun_conn *c, const uint8_t *data, size_t len)
{
    /* All or nothing: half a message would break the stream for every later one. */
    return sim_tcp_writable(c->sock) >= len && sim_tcp_send(c->sock, data, len) == (ssize_t)len;
}

void stun_tcp_flush_client(stun_app *a)
{
    stun_conn *c = a->conns->len ? a->conns->pdata[0] : NULL;
    stun_out o;
    while (c && c->up && stun_client_pop(a->client, &o)) {
        if (!conn_send(c, o.data, o.len)) {
            client_lost(c, "the send buffer is full");
            return;
        }
    }
}

/* Hands one frame to the core; a server answers on the connection. */
static void conn_frame(stun_conn *c, const uint8_t *frame, size_t len)
{
    stun_app *a = c->app;
    sim_time_t now = sim_world_now(a->world);
    if (a->client) {
        stun_client_input(a->client, now, &c->remote, frame, len);
        return;
    }
    stun_server_input(a->server, now, 0, &c->remote, frame, len);
    sim_ep primary = stun_server_local(a->server, 0);
    stun_out o;
    while (stun_server_pop(a->server, &o)) {
        bool here = !o.from.ip.family || sim_ep_eq(&o.from, &primary);
        if (!here || !sim_ep_eq(&o.to, &c->remote) || !conn_send(c, o.data, o.len))
            a->tcp.unsent++;
    }
}

/* Reads what arrived, frame by frame. Returns false when c was closed (garbage or EOF). */
static bool conn_read(stun_conn *c)
{
    stun_app *a = c->app;
    uint8_t chunk[1024];
    ssize_t n;
    while ((n = sim_tcp_recv(c->sock, chunk, sizeof chunk)) > 0) {
        size_t off = 0;
        while (off < (size_t)n) {
            off += stun_stream_feed(&c->rd, chunk + off, (size_t)n - off);
            const uint8_t *f;
            size_t flen;
            int rc;
            while ((rc = stun_stream_next(&c->rd, &f, &flen)) == 1)
                conn_frame(c, f, flen);
            if (rc < 0) {
                a->tcp.garbage++;
                if (a->client) {
                    client_lost(c, c->rd.error);
                } else {
                    log_conn(a, c, "tcp closed", c->rd.error);
                    conn_free(c);
                }
                return false;
            }
        }
    }
    if (n == -EAGAIN)
        return true;
    /* EOF or an error: the peer is done with this connection. */
    if (a->client) {
        client_lost(c, err_reason((int)n));
    } else {
        log_conn(a, c, "tcp closed", n == 0 ? NULL : err_reason((int)n));
        conn_free(c);
    }
    return false;
}

static void on_readable(sim_sock *s, void *ctx)
{
    stun_conn *c = ctx;
    stun_app *a = c->app;
    conn_read(c);
    stun_app_kick(a);
}

static void on_closed(sim_sock *s, int err, void *ctx)
{
    stun_conn *c = ctx;
    stun_app *a = c->app;
    if (a->client) {
        client_lost(c, err_reason(err));
        return;
    }
    log_conn(a, c, "tcp closed", err ? err_reason(err) : NULL);
    conn_free(c);
    stun_app_kick(a);
}

static void on_connected(sim_sock *s, int err, void *ctx)
{
    stun_conn *c = ctx;
    if (err) {
        client_lost(c, err_reason(err));
        return;
    }
    c->up = true;
    stun_app_kick(c->app);
}

static stun_conn *conn_new(stun_app *a, sim_sock *s, const sim_ep *remote)
{
    stun_conn *c = g_new0(stun_conn, 1);
    c->app = a;
    c->sock = s;
    c->remote = *remote;
    stun_stream_init(&c->rd, false);
    g_ptr_array_add(a->conns, c);
    a->tcp.accepted++;
    a->tcp.open++;
    sim_tcp_cbs cbs = { .connected = on_connected, .readable = on_readable,
                        .closed = on_closed, .ctx = c };
    sim_tcp_set_callbacks(s, &cbs);
    return c;
}

static void on_acceptable(sim_sock *l, void *ctx)
{
    stun_app *a = ctx;
    sim_sock *s;
    while (a->running && (s = sim_tcp_accept(l)) != NULL) {
        sim_ep remote = sim_sock_remote(s);
        stun_conn *c = conn_new(a, s, &remote);
        c->up = true;
        log_conn(a, c, "tcp accepted", NULL);
        conn_read(c); /* data (even a FIN) may be waiting: no readable was called for it */
    }
    stun_app_kick(a);
}

static void set_error(GError **err, stun_app *a, const sim_ep *ep, const char *what, int rc)
{
    char b[SIM_EP_STRLEN];
    g_set_error(err, tcp_quark(), -rc, "%s: cannot %s %s over TCP: %s", a->node->name, what,
                sim_ep_fmt(ep, b, sizeof b), g_strerror(-rc));
}

int stun_tcp_listen(stun_app *a, GError **err)
{
    sim_ep primary = stun_server_local(a->server, 0);
    sim_sock *l = sim_tcp_open(a->node, primary.ip.family);
    int rc = l ? sim_sock_bind(l, &primary) : -EINVAL;
    if (rc == 0)
        rc = sim_tcp_listen(l, BACKLOG);
    if (rc) {
        set_error(err, a, &primary, "listen on", rc);
        sim_sock_close(l);
        return -1;
    }
    sim_tcp_cbs cbs = { .acceptable = on_acceptable, .ctx = a };
    sim_tcp_set_callbacks(l, &cbs);
    a->listener = l;
    return 0;
}

int stun_tcp_connect(stun_app *a, int family, uint16_t port, const sim_ep *server,
                     GError **err)
{
    sim_sock *s = sim_tcp_open(a->node, family);
    sim_ep local = { .port = port };
    int rc = s ? sim_sock_bind(s, &local) : -EINVAL;
    if (rc) {
        set_error(err, a, &local, "bind", rc);
        sim_sock_close(s);
        return -1;
    }
    conn_new(a, s, server);
    rc = sim_tcp_connect(s, server);
    if (rc) {
        set_error(err, a, server, "connect to", rc);
        conn_free(a->conns->pdata[0]);
        return -1;
    }
    return 0;
}

void stun_tcp_close_all(stun_app *a)
{
    sim_sock_close(a->listener);
    a->listener = NULL;
    while (a->conns->len)
        conn_free(a->conns->pdata[a->conns->len - 1]);
}
