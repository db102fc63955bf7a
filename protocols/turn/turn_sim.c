/* protocols/turn/turn_sim.c — the thin driver: connects a TURN server or client core to
 * simulated UDP sockets (sim/socket.h) and one timer (sim/timer.h), as a program on a real host
 * would. A server has its listening socket plus one socket per allocation, bound on the
 * relayed address when the core reports TURN_SEV_RELAY_OPEN and closed on RELAY_CLOSE; each
 * outbox entry names the local endpoint (listening or relayed) it must leave from. A client has
 * one socket. After every input or timeout the driver applies socket events, drains the
 * outbox, logs, re-arms the timer at the core's next deadline and calls its notify callback.
 *
 * TCP between client and server (RFC 8656 §3.1; the relay stays UDP): the server also listens
 * on TCP, and each accepted connection's bytes go through a stream reader (stun_stream, STUN and
 * ChannelData) into the same core, with the connection's remote endpoint as the client's
 * address, so the allocation is keyed by that connection. Whatever the core sends from the
 * listening endpoint to that address goes back on the connection, ChannelData padded to 4
 * bytes (§12.5). The connection closing deletes the allocation. A TCP client has one connection
 * instead of its UDP socket. */
#include "protocols/turn/turn.h"

#include <errno.h>
#include "sim/socket.h"
#include "sim/timer.h"
#include "sim/trace.h"

typedef struct relay_sock {
    turn_app *app;
    sim_ep ep;
    sim_sock *sock;
} relay_sock;

/* One TCP connection: a server's accepted one or the TCP client's. */
typedef struct turn_conn {
    turn_app *app;
    sim_sock *sock;
    sim_ep remote;
    bool up;                  /* established: the client may send */
    stun_stream rd;
} turn_conn;

struct turn_app {
    sim_world *world;
    sim_node *node;
    bool running;
    sim_sock *sock;           /* listening (server) or the client's UDP socket (NULL over TCP) */
    sim_sock *listener;       /* server: TCP on the listening endpoint */
    GPtrArray *conns;         /* of turn_conn *: accepted (accept order), or the client's one */
    GHashTable *by_remote;    /* sim_ep * -> turn_conn * (borrowed): the per-datagram lookup */
    const char *tcp_why;      /* why the TCP client's connection ended (static), or NULL */
    sim_timer *timer;
    sim_ref ref;
    turn_server *server;
    turn_client *client;
    GHashTable *relays;       /* sim_ep * -> relay_sock * (owned) */
    GArray *events;           /* of turn_event: every client event, in order */
    turn_app_notify_fn notify;
    void *notify_ctx;
};

static GQuark turn_quark(void) { return g_quark_from_static_string("turn-app"); }

static guint ep_hash(gconstpointer p) { return sim_ep_hash(p); }
static gboolean ep_equal(gconstpointer a, gconstpointer b) { return sim_ep_eq(a, b); }

/* ---------------------------------------------------------------- logging */

static GString *log_begin(turn_app *a, const char *event)
{
    trace_log *log = sim_world_log(a->world);
    if (!trace_log_on(log))
        return NULL;
    GString *r = trace_log_begin(log, sim_world_now(a->world), a->node->name, "turn");
    trace_log_str(r, "event", event);
    return r;
}

static void log_ep(GString *r, const char *key, const sim_ep *ep)
{
    char b[SIM_EP_STRLEN];
    trace_log_str(r, key, sim_ep_fmt(ep, b, sizeof b));
}

static void client_events(turn_app *a)
{
    turn_event ev;
    while (turn_client_pop_event(a->client, &ev)) {
        g_array_append_val(a->events, ev);
        GString *r = log_begin(a, turn_event_name(ev.kind));
        if (!r)
            continue;
        if (ev.ep.ip.family)
            log_ep(r, "ep", &ev.ep);
        if (ev.channel)
            trace_log_int(r, "channel", ev.channel);
        if (ev.code)
            trace_log_int(r, "code", ev.code);
        trace_log_end(sim_world_log(a->world), r);
    }
}

/* ---------------------------------------------------------------- server sockets */

static void on_relay_recv(sim_sock *s, const uint8_t *data, size_t len, const sim_ep *from,
                          const sim_ep *to, void *ctx)
{
    relay_sock *rs = ctx;
    turn_app *a = rs->app;
    uint64_t refused = turn_server_get_stats(a->server)->no_permission;
    turn_server_input(a->server, sim_world_now(a->world), &rs->ep, from, data, len);
    GString *r = turn_server_get_stats(a->server)->no_permission != refused
                     ? log_begin(a, "dropped") : NULL;
    if (r) { /* "why did it not arrive": the peer had no permission (RFC 8656 §9) */
        trace_log_str(r, "reason", "no permission");
        log_ep(r, "peer", from);
        log_ep(r, "relayed", &rs->ep);
        trace_log_end(sim_world_log(a->world), r);
    }
    turn_app_kick(a);
}

static void relay_sock_free(void *p)
{
    relay_sock *rs = p;
    sim_sock_close(rs->sock);
    g_free(rs);
}

/* Opens the socket of a new allocation; if the port is taken on this node, the allocation is
 * dropped again (its client then sees no relay; RFC 8656 would have answered 508). */
static void relay_open(turn_app *a, const turn_server_event *ev)
{
    sim_sock *s = sim_udp_open(a->node, ev->relay.ip.family);
    if (!s || sim_sock_bind(s, &ev->relay) != 0) {
        sim_sock_close(s);
        turn_server_drop(a->server, &ev->relay);
        return;
    }
    relay_sock *rs = g_new(relay_sock, 1);
    *rs = (relay_sock){ .app = a, .ep = ev->relay, .sock = s };
    sim_sock_on_recv(s, on_relay_recv, rs);
    g_hash_table_replace(a->relays, &rs->ep, rs);
}

static void server_events(turn_app *a)
{
    turn_server_event ev;
    while (turn_server_pop_event(a->server, &ev)) {
        if (ev.kind == TURN_SEV_RELAY_OPEN)
            relay_open(a, &ev);
        else
            g_hash_table_remove(a->relays, &ev.relay);
        GString *r = log_begin(a, ev.kind == TURN_SEV_RELAY_OPEN ? "allocation" : "deallocation");
        if (!r)
            continue;
        log_ep(r, "client", &ev.client);
        log_ep(r, "relayed", &ev.relay);
        trace_log_end(sim_world_log(a->world), r);
    }
}

static sim_sock *server_sock_for(turn_app *a, const sim_ep *from)
{
    sim_ep listen = turn_server_listen(a->server);
    if (sim_ep_eq(from, &listen))
        return a->sock;
    relay_sock *rs = g_hash_table_lookup(a->relays, from);
    return rs ? rs->sock : NULL;
}

/* ---------------------------------------------------------------- TCP connections */

static turn_conn *conn_find(turn_app *a, const sim_ep *remote)
{
    return g_hash_table_lookup(a->by_remote, remote);
}

static void conn_free(turn_conn *c)
{
    sim_sock_close(c->sock);
    g_hash_table_remove(c->app->by_remote, &c->remote);
    g_ptr_array_remove(c->app->conns, c);
    g_free(c);
}

/* The connection is over (EOF, reset, garbage): the server deletes the allocation it carried,
 * the client's allocation is gone. */
static void conn_lost(turn_conn *c, const char *why)
{
    turn_app *a = c->app;
    sim_time_t now = sim_world_now(a->world);
    GString *r = log_begin(a, "tcp closed");
    if (r) {
        log_ep(r, "remote", &c->remote);
        if (why)
            trace_log_str(r, "reason", why);
        trace_log_end(sim_world_log(a->world), r);
    }
    sim_ep remote = c->remote;
    conn_free(c);
    if (a->server) {
        turn_server_close_client(a->server, &remote);
    } else {
        a->tcp_why = why ? why : "the server closed the connection";
        turn_client_transport_failed(a->client, now);
    }
}

/* Sends one frame, ChannelData padded to 4 bytes (RFC 8656 §12.5: MUST over TCP). A frame
 * that does not fit the send buffer (the peer stopped reading) is lost, as a datagram would be. */
static void conn_send(turn_conn *c, const uint8_t *data, size_t len)
{
    static const uint8_t zeros[3] = { 0 };
    size_t pad = turn_is_chandata(data, len) ? (4 - len % 4) % 4 : 0;
    if (sim_tcp_writable(c->sock) < len + pad)
        return;
    sim_tcp_send(c->sock, data, len);
    if (pad)
        sim_tcp_send(c->sock, zeros, pad);
}

/* Reads what arrived, frame by frame, into the core. Returns false when c was closed. */
static bool conn_read(turn_conn *c)
{
    turn_app *a = c->app;
    uint8_t chunk[2048];
    ssize_t n;
    while ((n = sim_tcp_recv(c->sock, chunk, sizeof chunk)) > 0) {
        for (size_t off = 0; off < (size_t)n;) {
            off += stun_stream_feed(&c->rd, chunk + off, (size_t)n - off);
            const uint8_t *f;
            size_t flen;
            int rc;
            while ((rc = stun_stream_next(&c->rd, &f, &flen)) == 1) {
                sim_time_t now = sim_world_now(a->world);
                if (a->server) {
                    sim_ep listen = turn_server_listen(a->server);
                    turn_server_input(a->server, now, &listen, &c->remote, f, flen);
                } else {
                    turn_client_input(a->client, now, &c->remote, f, flen);
                }
            }
            if (rc < 0) {
                conn_lost(c, c->rd.error);
                return false;
            }
        }
    }
    if (n == -EAGAIN)
        return true;
    conn_lost(c, n == 0 ? NULL : g_strerror((int)-n));
    return false;
}

static void on_tcp_readable(sim_sock *s, void *ctx)
{
    turn_conn *c = ctx;
    turn_app *a = c->app;
    conn_read(c);
    turn_app_kick(a);
}

static void on_tcp_closed(sim_sock *s, int err, void *ctx)
{
    turn_conn *c = ctx;
    turn_app *a = c->app;
    conn_lost(c, err ? g_strerror(-err) : NULL);
    turn_app_kick(a);
}

static void on_tcp_connected(sim_sock *s, int err, void *ctx)
{
    turn_conn *c = ctx;
    turn_app *a = c->app;
    if (err)
        conn_lost(c, g_strerror(-err));
    else
        c->up = true;
    turn_app_kick(a);
}

static turn_conn *conn_new(turn_app *a, sim_sock *s, const sim_ep *remote)
{
    turn_conn *c = g_new0(turn_conn, 1);
    c->app = a;
    c->sock = s;
    c->remote = *remote;
    stun_stream_init(&c->rd, true);
    g_ptr_array_add(a->conns, c);
    g_hash_table_replace(a->by_remote, &c->remote, c);
    sim_tcp_cbs cbs = { .connected = on_tcp_connected, .readable = on_tcp_readable,
                        .closed = on_tcp_closed, .ctx = c };
    sim_tcp_set_callbacks(s, &cbs);
    return c;
}

static void on_tcp_acceptable(sim_sock *l, void *ctx)
{
    turn_app *a = ctx;
    sim_sock *s;
    while (a->running && (s = sim_tcp_accept(l)) != NULL) {
        sim_ep remote = sim_sock_remote(s);
        turn_conn *c = conn_new(a, s, &remote);
        c->up = true;
        conn_read(c); /* bytes (even a FIN) may be waiting: no readable was called for them */
    }
    turn_app_kick(a);
}

/* ---------------------------------------------------------------- the poll loop */

void turn_app_kick(turn_app *a)
{
    if (!a->running)
        return;
    turn_out o;
    if (a->server) {
        server_events(a); /* sockets first: an Allocate's response and its relay go together */
        sim_ep listen = turn_server_listen(a->server);
        while (turn_server_pop(a->server, &o)) {
            turn_conn *c = sim_ep_eq(&o.from, &listen) ? conn_find(a, &o.to) : NULL;
            sim_sock *s = c ? NULL : server_sock_for(a, &o.from);
            if (c)
                conn_send(c, o.data, o.len);
            else if (s)
                sim_sock_sendto(s, o.data, o.len, &o.to); /* unreachable: lost, as for real */
        }
        server_events(a);
    } else if (!a->sock) {
        turn_conn *c = a->conns->len ? a->conns->pdata[0] : NULL;
        while (c && c->up && turn_client_pop(a->client, &o))
            conn_send(c, o.data, o.len);
        client_events(a);
    } else {
        while (turn_client_pop(a->client, &o))
            sim_sock_sendto(a->sock, o.data, o.len, &o.to);
        client_events(a);
    }
    sim_time_t next = a->server ? turn_server_next_deadline(a->server)
                                : turn_client_next_deadline(a->client);
    sim_timer_set(a->timer, next);
    if (a->notify)
        a->notify(a, a->notify_ctx);
}

static void on_recv(sim_sock *s, const uint8_t *data, size_t len, const sim_ep *from,
                    const sim_ep *to, void *ctx)
{
    turn_app *a = ctx;
    sim_time_t now = sim_world_now(a->world);
    if (a->server) {
        sim_ep listen = turn_server_listen(a->server);
        turn_server_input(a->server, now, &listen, from, data, len);
    } else {
        turn_client_input(a->client, now, from, data, len);
    }
    turn_app_kick(a);
}

static void on_timer(sim_timer *t, void *ctx)
{
    turn_app *a = ctx;
    sim_time_t now = sim_world_now(a->world);
    if (a->server)
        turn_server_timeout(a->server, now);
    else
        turn_client_timeout(a->client, now);
    turn_app_kick(a);
}

/* ---------------------------------------------------------------- lifecycle */

/* Stops the app: closes sockets, frees timer and core. The struct stays until the world goes,
 * so the world's free hook never sees a dangling pointer. */
static void app_stop(turn_app *a)
{
    if (!a->running)
        return;
    a->running = false;
    sim_sock_close(a->listener);
    a->listener = NULL;
    while (a->conns->len)
        conn_free(a->conns->pdata[a->conns->len - 1]);
    g_hash_table_destroy(a->relays);
    a->relays = NULL;
    sim_sock_close(a->sock);
    a->sock = NULL;
    sim_timer_free(a->timer);
    a->timer = NULL;
    turn_server_free(a->server);
    a->server = NULL;
    turn_client_free(a->client);
    a->client = NULL;
    g_array_free(a->events, TRUE);
    a->events = NULL;
    sim_world_ref_drop(a->world, a->ref);
    a->notify = NULL;
}

static void app_world_free(void *data)
{
    turn_app *a = data;
    app_stop(a);
    g_ptr_array_free(a->conns, TRUE);
    g_hash_table_destroy(a->by_remote);
    g_free(a);
}

void turn_app_free(turn_app *a)
{
    if (a)
        app_stop(a);
}

/* A new app on node n with UDP socket s (NULL: a TCP client). */
static turn_app *app_new(sim_node *n, sim_sock *s)
{
    turn_app *a = g_new0(turn_app, 1);
    a->world = n->world;
    a->node = n;
    a->running = true;
    a->sock = s;
    a->conns = g_ptr_array_new();
    a->by_remote = g_hash_table_new(ep_hash, ep_equal);
    a->timer = sim_timer_new(n->world, on_timer, a);
    a->ref = sim_world_ref_new(n->world, a, TURN_REF_KIND);
    a->relays = g_hash_table_new_full(ep_hash, ep_equal, NULL, relay_sock_free);
    a->events = g_array_new(FALSE, FALSE, sizeof(turn_event));
    if (s)
        sim_sock_on_recv(s, on_recv, a);
    sim_world_on_free(n->world, app_world_free, a);
    return a;
}

static turn_app *app_open(sim_node *n, const sim_ep *local, GError **err)
{
    sim_sock *s = sim_udp_open(n, local->ip.family ? local->ip.family : SIM_AF_INET);
    int rc = s ? sim_sock_bind(s, local) : -EINVAL;
    if (rc) {
        char b[SIM_EP_STRLEN];
        g_set_error(err, turn_quark(), -rc, "%s: cannot bind UDP %s: %s", n->name,
                    sim_ep_fmt(local, b, sizeof b), g_strerror(-rc));
        sim_sock_close(s);
        return NULL;
    }
    return app_new(n, s);
}

turn_app *turn_app_server(sim_node *n, const turn_server_cfg *cfg, GError **err)
{
    turn_server_cfg c = *cfg;
    if (c.listen.ip.family == SIM_AF_NONE)
        c.listen.ip = sim_node_first_addr(n, SIM_AF_INET);
    if (!c.listen.port)
        c.listen.port = 3478;
    if (c.listen.ip.family == SIM_AF_NONE) {
        g_set_error(err, turn_quark(), EINVAL, "%s: no IPv4 address to listen on", n->name);
        return NULL;
    }
    sim_rng *rng = &n->rng;
    turn_server *core = turn_server_new(&c, rng);
    if (!core) {
        g_set_error(err, turn_quark(), EINVAL, "%s: bad TURN server configuration (relay "
                    "address family or port range)", n->name);
        return NULL;
    }
    turn_app *a = app_open(n, &c.listen, err);
    if (!a) {
        turn_server_free(core);
        return NULL;
    }
    a->server = core;
    return a;
}

turn_app *turn_app_client(sim_node *n, const turn_client_cfg *cfg, GError **err)
{
    turn_client *core = turn_client_new(cfg, &n->rng);
    if (!core) {
        g_set_error(err, turn_quark(), EINVAL, "TURN client needs a server, user and password");
        return NULL;
    }
    sim_ep local = { .ip = { .family = cfg->server.ip.family } };
    turn_app *a = app_open(n, &local, err);
    if (!a) {
        turn_client_free(core);
        return NULL;
    }
    a->client = core;
    return a;
}

int turn_app_server_listen_tcp(turn_app *a, GError **err)
{
    sim_ep listen = a->server ? turn_server_listen(a->server) : (sim_ep){ 0 };
    sim_sock *l = a->server && !a->listener ? sim_tcp_open(a->node, listen.ip.family) : NULL;
    int rc = l ? sim_sock_bind(l, &listen) : -EINVAL;
    if (rc == 0)
        rc = sim_tcp_listen(l, 64);
    if (rc) {
        char b[SIM_EP_STRLEN];
        g_set_error(err, turn_quark(), -rc, "%s: cannot listen on TCP %s: %s", a->node->name,
                    sim_ep_fmt(&listen, b, sizeof b), g_strerror(-rc));
        sim_sock_close(l);
        return -1;
    }
    sim_tcp_set_callbacks(l, &(sim_tcp_cbs){ .acceptable = on_tcp_acceptable, .ctx = a });
    a->listener = l;
    return 0;
}

turn_app *turn_app_client_tcp(sim_node *n, const turn_client_cfg *cfg, GError **err)
{
    turn_client_cfg c = *cfg;
    c.stun.reliable = true;   /* RFC 8489 §6.2.2: no retransmission, Ti */
    c.pad_chandata = true;    /* RFC 8656 §12.5 */
    turn_client *core = turn_client_new(&c, &n->rng);
    if (!core) {
        g_set_error(err, turn_quark(), EINVAL, "TURN client needs a server, user and password");
        return NULL;
    }
    sim_sock *s = sim_tcp_open(n, cfg->server.ip.family);
    int rc = s ? sim_tcp_connect(s, &cfg->server) : -EINVAL;
    if (rc) {
        char b[SIM_EP_STRLEN];
        g_set_error(err, turn_quark(), -rc, "%s: cannot connect to TCP %s: %s", n->name,
                    sim_ep_fmt(&cfg->server, b, sizeof b), g_strerror(-rc));
        sim_sock_close(s);
        turn_client_free(core);
        return NULL;
    }
    turn_app *a = app_new(n, NULL);
    a->client = core;
    conn_new(a, s, &cfg->server);
    return a;
}

const char *turn_app_tcp_error(const turn_app *a) { return a->tcp_why; }

size_t turn_app_tcp_open(const turn_app *a) { return a->conns ? a->conns->len : 0; }

turn_server *turn_app_server_core(turn_app *a) { return a->server; }

turn_client *turn_app_client_core(turn_app *a) { return a->client; }

sim_node *turn_app_node(turn_app *a) { return a->node; }

sim_ref turn_app_ref(turn_app *a) { return a->ref; }

const turn_event *turn_app_events(turn_app *a, size_t *n)
{
    *n = a->events ? a->events->len : 0;
    return a->events ? (const turn_event *)(void *)a->events->data : NULL;
}

void turn_app_on_notify(turn_app *a, turn_app_notify_fn fn, void *ctx)
{
    a->notify = fn;
    a->notify_ctx = ctx;
}
