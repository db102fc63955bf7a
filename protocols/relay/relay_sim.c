/* protocols/relay/relay_sim.c — the thin driver: connects a server or client core to one
 * simulated UDP socket (sim/socket.h) and one timer (sim/timer.h), exactly as a program on a
 * real host would with a socket and a poll loop. After every input or timeout it drains the
 * core's outbox onto the socket, logs the core's events, re-arms the timer at the core's next
 * deadline and tells its notify callback (the Lua binding wakes waiting tasks). */
#include "protocols/relay/relay.h"

#include <errno.h>
#include "sim/socket.h"
#include "sim/timer.h"
#include "sim/trace.h"

struct relay_app {
    sim_world *world;
    sim_node *node;
    sim_sock *sock;
    sim_timer *timer;
    sim_ref ref;
    relay_server *server;
    relay_client *client;
    relay_app_notify_fn notify;
    void *notify_ctx;
};

static GQuark relay_quark(void) { return g_quark_from_static_string("relay-app"); }

/* ---- logging of client events (only when the event log is on) ---- */

static const char *event_name(relay_event_kind k)
{
    switch (k) {
    case RELAY_EV_REGISTERED: return "registered";
    case RELAY_EV_REGISTER_FAILED: return "register-failed";
    case RELAY_EV_PUNCH_OK: return "punch-ok";
    case RELAY_EV_PUNCH_FAILED: return "punch-failed";
    case RELAY_EV_DATA: return "data";
    case RELAY_EV_RELAYED: return "relayed";
    case RELAY_EV_ERROR: return "error";
    case RELAY_EV_REVERSE: return "reverse-request";
    }
    return "?";
}

static void log_events(relay_app *a)
{
    relay_event ev;
    trace_log *log = sim_world_log(a->world);
    while (relay_client_pop_event(a->client, &ev)) {
        if (!trace_log_on(log))
            continue;
        GString *r = trace_log_begin(log, sim_world_now(a->world), a->node->name, "relay");
        trace_log_str(r, "event", event_name(ev.kind));
        trace_log_str(r, "client", relay_client_name(a->client));
        if (ev.peer[0])
            trace_log_str(r, "peer", ev.peer);
        if (ev.ep.ip.family) {
            char b[SIM_EP_STRLEN];
            trace_log_str(r, "ep", sim_ep_fmt(&ev.ep, b, sizeof b));
        }
        if (ev.code)
            trace_log_int(r, "code", ev.code);
        trace_log_end(log, r);
    }
}

/* ---- the poll loop, turned inside out ---- */

void relay_app_kick(relay_app *a)
{
    if (!a->sock)
        return;
    relay_out o;
    while (a->server ? relay_server_pop(a->server, &o) : relay_client_pop(a->client, &o))
        sim_sock_sendto(a->sock, o.data, o.len, &o.to); /* unreachable: lost, as on a real host */
    if (a->client)
        log_events(a);
    sim_time_t next = a->server ? relay_server_next_deadline(a->server)
                                : relay_client_next_deadline(a->client);
    sim_timer_set(a->timer, next);
    if (a->notify)
        a->notify(a, a->notify_ctx);
}

static void on_recv(sim_sock *s, const uint8_t *data, size_t len, const sim_ep *from,
                    const sim_ep *to, void *ctx)
{
    relay_app *a = ctx;
    sim_time_t now = sim_world_now(a->world);
    if (a->server)
        relay_server_input(a->server, now, from, data, len);
    else
        relay_client_input(a->client, now, from, data, len);
    relay_app_kick(a);
}

static void on_timer(sim_timer *t, void *ctx)
{
    relay_app *a = ctx;
    sim_time_t now = sim_world_now(a->world);
    if (a->server)
        relay_server_timeout(a->server, now);
    else
        relay_client_timeout(a->client, now);
    relay_app_kick(a);
}

/* ---- lifecycle ---- */

/* Stops the app: closes the socket, frees timer and core. The struct itself stays until the
 * world goes, so the world's free hook never sees a dangling pointer. */
static void app_stop(relay_app *a)
{
    if (!a->sock)
        return;
    sim_sock_close(a->sock);
    a->sock = NULL;
    sim_timer_free(a->timer);
    a->timer = NULL;
    relay_server_free(a->server);
    a->server = NULL;
    relay_client_free(a->client);
    a->client = NULL;
    sim_world_ref_drop(a->world, a->ref);
    a->notify = NULL;
}

static void app_world_free(void *data)
{
    relay_app *a = data;
    app_stop(a);
    g_free(a);
}

void relay_app_free(relay_app *a)
{
    if (a)
        app_stop(a);
}

/* Opens and binds the app's socket; registers the app with the world. */
static relay_app *app_open(sim_node *n, int family, uint16_t port, GError **err)
{
    sim_sock *s = sim_udp_open_bound(n, family, port, err);
    if (!s)
        return NULL;
    relay_app *a = g_new0(relay_app, 1);
    a->world = n->world;
    a->node = n;
    a->sock = s;
    a->timer = sim_timer_new(n->world, on_timer, a);
    a->ref = sim_world_ref_new(n->world, a, RELAY_REF_KIND);
    sim_sock_on_recv(s, on_recv, a);
    sim_world_on_free(n->world, app_world_free, a);
    return a;
}

relay_app *relay_app_server(sim_node *n, uint16_t port, const relay_server_cfg *cfg, GError **err)
{
    relay_app *a = app_open(n, SIM_AF_INET, port, err);
    if (!a)
        return NULL;
    a->server = relay_server_new(cfg, &n->rng);
    return a;
}

relay_app *relay_app_client(sim_node *n, uint16_t port, relay_client_cfg *cfg, GError **err)
{
    int family = cfg->server.ip.family == SIM_AF_INET6 ? SIM_AF_INET6 : SIM_AF_INET;
    relay_app *a = app_open(n, family, port, err);
    if (!a)
        return NULL;
    cfg->local = sim_sock_local(a->sock);
    if (family == SIM_AF_INET && sim_ip_is_any(&cfg->local.ip))
        cfg->local.ip = sim_node_first_addr(n, SIM_AF_INET); /* its private address */
    a->client = relay_client_new(cfg, &n->rng);
    if (!a->client) {
        g_set_error(err, relay_quark(), EINVAL, "bad client name \"%s\"",
                    cfg->name ? cfg->name : "");
        app_stop(a);
        return NULL;
    }
    return a;
}

relay_server *relay_app_server_core(relay_app *a) { return a->server; }

relay_client *relay_app_client_core(relay_app *a) { return a->client; }

sim_node *relay_app_node(relay_app *a) { return a->node; }

sim_ep relay_app_local(relay_app *a)
{
    return a->sock ? sim_sock_local(a->sock) : (sim_ep){ 0 };
}

sim_ref relay_app_ref(relay_app *a) { return a->ref; }

void relay_app_on_notify(relay_app *a, relay_app_notify_fn fn, void *ctx)
{
    a->notify = fn;
    a->notify_ctx = ctx;
}
