/* protocols/turn/turn_sim.c — the thin driver: connects a TURN server or client core to
 * simulated UDP sockets (sim/socket.h) and one timer (sim/timer.h), as a program on a real host
 * would. A server has its listening socket plus one socket per allocation, bound on the
 * relayed address when the core reports TURN_SEV_RELAY_OPEN and closed on RELAY_CLOSE; each
 * outbox entry names the local endpoint (listening or relayed) it must leave from. A client has
 * one socket. After every input or timeout the driver applies socket events, drains the
 * outbox, logs, re-arms the timer at the core's next deadline and calls its notify callback. */
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

struct turn_app {
    sim_world *world;
    sim_node *node;
    sim_sock *sock;           /* listening (server) or the client's socket */
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

/* ---------------------------------------------------------------- the poll loop */

void turn_app_kick(turn_app *a)
{
    if (!a->sock)
        return;
    turn_out o;
    if (a->server) {
        server_events(a); /* sockets first: an Allocate's response and its relay go together */
        while (turn_server_pop(a->server, &o)) {
            sim_sock *s = server_sock_for(a, &o.from);
            if (s)
                sim_sock_sendto(s, o.data, o.len, &o.to); /* unreachable: lost, as for real */
        }
        server_events(a);
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
    if (!a->sock)
        return;
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
    g_free(a);
}

void turn_app_free(turn_app *a)
{
    if (a)
        app_stop(a);
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
    turn_app *a = g_new0(turn_app, 1);
    a->world = n->world;
    a->node = n;
    a->sock = s;
    a->timer = sim_timer_new(n->world, on_timer, a);
    a->ref = sim_world_ref_new(n->world, a, TURN_REF_KIND);
    a->relays = g_hash_table_new_full(ep_hash, ep_equal, NULL, relay_sock_free);
    a->events = g_array_new(FALSE, FALSE, sizeof(turn_event));
    sim_sock_on_recv(s, on_recv, a);
    sim_world_on_free(n->world, app_world_free, a);
    return a;
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
