/* protocols/stun/stun_sim.c — the thin driver: connects a STUN core (server, client or
 * discovery client) to simulated UDP sockets (sim/socket.h) and one timer (sim/timer.h), as a
 * program on a real host would with sockets and a poll loop. TCP connections (a server's
 * listener, a client's connection) are in stun_sim_tcp.c.
 *
 * An RFC 5780 server has four sockets, one per local endpoint of the core (A1:P1, A1:P2, A2:P1,
 * A2:P2); the core tells which endpoint each response leaves from (CHANGE-REQUEST), and the
 * driver sends it through the socket bound there, so the response's source address is exactly
 * what RESPONSE-ORIGIN says. A discovery client has one socket, and a second one for the
 * hairpinning test. After every input or timeout the driver drains the core's outbox, reports
 * finished transactions, re-arms the timer at the core's next deadline and notifies. */
#include "protocols/stun/stun_priv.h"

#include <errno.h>
#include "sim/trace.h"

static GQuark stun_quark(void) { return g_quark_from_static_string("stun-app"); }

/* ---- logging (only when the event log is on) ---- */

static void log_tx(stun_app *a, const stun_tx *t)
{
    trace_log *log = sim_world_log(a->world);
    if (!trace_log_on(log))
        return;
    char b[SIM_EP_STRLEN];
    char ev[32];
    g_snprintf(ev, sizeof ev, "binding %s", stun_tx_state_name(t->state));
    GString *r = trace_log_begin(log, sim_world_now(a->world), a->node->name, "stun");
    trace_log_str(r, "event", ev);
    trace_log_str(r, "server", sim_ep_fmt(&t->dest, b, sizeof b));
    sim_ep mapped;
    if (t->state == STUN_TX_SUCCESS && stun_binding_mapped(t->resp, t->resp_len, &mapped) == 0)
        trace_log_str(r, "mapped", sim_ep_fmt(&mapped, b, sizeof b));
    if (t->state == STUN_TX_ERROR)
        trace_log_int(r, "code", t->code);
    trace_log_int(r, "transmissions", t->sent);
    trace_log_num(r, "time", sim_time_sec(t->done_at - t->started));
    trace_log_end(log, r);
}

static void log_discovery(stun_app *a)
{
    const stun_discovery_result *res = stun_discovery_get_result(a->disc);
    trace_log *log = sim_world_log(a->world);
    if (a->disc_logged || res->state < STUN_DISC_DONE)
        return;
    a->disc_logged = true;
    if (!trace_log_on(log))
        return;
    char b[SIM_EP_STRLEN];
    GString *r = trace_log_begin(log, sim_world_now(a->world), a->node->name, "stun");
    trace_log_str(r, "event", res->state == STUN_DISC_DONE ? "discovery done" : "discovery failed");
    if (res->state == STUN_DISC_DONE) {
        trace_log_bool(r, "nat", res->nat);
        trace_log_str(r, "mapping", stun_mapping_name(res->mapping));
        trace_log_str(r, "filtering", stun_filtering_name(res->filtering));
        trace_log_str(r, "mapped", sim_ep_fmt(&res->mapped, b, sizeof b));
        if (res->hairpin >= 0)
            trace_log_bool(r, "hairpin", res->hairpin == 1);
    } else {
        trace_log_str(r, "error", res->error);
    }
    trace_log_end(log, r);
}

/* ---- the poll loop, turned inside out ---- */

/* The socket bound to `from` (the only one when from is unset or matches none). */
static sim_sock *sock_for(stun_app *a, const sim_ep *from)
{
    for (size_t i = 0; from->ip.family && i < a->n_socks; i++) {
        sim_ep l = sim_sock_local(a->socks[i]);
        if (l.port == from->port && (sim_ip_is_any(&l.ip) || sim_ip_eq(&l.ip, &from->ip)))
            return a->socks[i];
    }
    return a->socks[0];
}

static bool pop(stun_app *a, stun_out *o)
{
    if (a->server)
        return stun_server_pop(a->server, o);
    if (a->client)
        return stun_client_pop(a->client, o);
    return stun_discovery_pop(a->disc, o);
}

static sim_time_t next_deadline(const stun_app *a)
{
    if (a->client)
        return stun_client_next_deadline(a->client);
    if (a->disc)
        return stun_discovery_next_deadline(a->disc);
    return SIM_TIME_NEVER; /* the Binding server keeps no state */
}

static void report_done(stun_app *a)
{
    unsigned id;
    while (a->client && stun_client_pop_done(a->client, &id)) {
        const stun_tx *t = stun_client_tx(a->client, id);
        if (!t)
            continue;
        log_tx(a, t);
        if (a->done)
            a->done(a, t, a->done_ctx); /* may forget t or start more */
    }
}

void stun_app_kick(stun_app *a)
{
    if (!a->running)
        return;
    stun_out o;
    if (a->tcp_client)
        stun_tcp_flush_client(a);
    else
        while (pop(a, &o)) /* an unroutable datagram is lost, as on a real host */
            sim_sock_sendto(sock_for(a, &o.from), o.data, o.len, &o.to);
    report_done(a);
    if (!a->running) /* the done callback stopped the app */
        return;
    if (a->disc)
        log_discovery(a);
    sim_time_t next = next_deadline(a);
    sim_timer_set(a->timer, next);
    if (a->notify)
        a->notify(a, a->notify_ctx);
}

static void on_recv(sim_sock *s, const uint8_t *data, size_t len, const sim_ep *from,
                    const sim_ep *to, void *ctx)
{
    stun_rx_ctx *rx = ctx;
    stun_app *a = rx->app;
    sim_time_t now = sim_world_now(a->world);
    if (a->server)
        stun_server_input(a->server, now, rx->idx, from, data, len);
    else if (a->client)
        stun_client_input(a->client, now, from, data, len);
    else
        stun_discovery_input(a->disc, now, rx->idx, from, data, len);
    stun_app_kick(a);
}

static void on_timer(sim_timer *t, void *ctx)
{
    stun_app *a = ctx;
    sim_time_t now = sim_world_now(a->world);
    if (a->client)
        stun_client_timeout(a->client, now);
    else if (a->disc)
        stun_discovery_timeout(a->disc, now);
    stun_app_kick(a);
}

/* ---- lifecycle ---- */

/* Closes the sockets, frees timer and core. The struct stays until the world goes, so the
 * world's free hook never sees a dangling pointer. */
static void app_stop(stun_app *a)
{
    if (!a->running)
        return;
    a->running = false;
    for (size_t i = 0; i < a->n_socks; i++)
        sim_sock_close(a->socks[i]);
    a->n_socks = 0;
    stun_tcp_close_all(a);
    sim_timer_free(a->timer);
    a->timer = NULL;
    stun_server_free(a->server);
    stun_client_free(a->client);
    stun_discovery_free(a->disc);
    a->server = NULL;
    a->client = NULL;
    a->disc = NULL;
    sim_world_ref_drop(a->world, a->ref);
    a->notify = NULL;
    a->done = NULL;
}

static void app_world_free(void *data)
{
    stun_app *a = data;
    app_stop(a);
    g_ptr_array_free(a->conns, TRUE);
    g_free(a);
}

void stun_app_free(stun_app *a)
{
    if (a)
        app_stop(a);
}

static stun_app *app_new(sim_node *n)
{
    stun_app *a = g_new0(stun_app, 1);
    a->world = n->world;
    a->node = n;
    a->running = true;
    a->conns = g_ptr_array_new();
    a->timer = sim_timer_new(n->world, on_timer, a);
    a->ref = sim_world_ref_new(n->world, a, STUN_REF_KIND);
    sim_world_on_free(n->world, app_world_free, a);
    return a;
}

/* Opens socket number a->n_socks bound to local. Returns 0, or -1 with err set. */
static int app_bind(stun_app *a, int family, const sim_ep *local, GError **err)
{
    sim_sock *s = sim_udp_open(a->node, family);
    int rc = s ? sim_sock_bind(s, local) : -EINVAL;
    if (rc) {
        char b[SIM_EP_STRLEN];
        g_set_error(err, stun_quark(), -rc, "%s: cannot bind %s: %s", a->node->name,
                    local->ip.family ? sim_ep_fmt(local, b, sizeof b) : "a UDP socket",
                    g_strerror(-rc));
        sim_sock_close(s);
        return -1;
    }
    size_t i = a->n_socks++;
    a->socks[i] = s;
    a->rx[i] = (stun_rx_ctx){ .app = a, .idx = i };
    sim_sock_on_recv(s, on_recv, &a->rx[i]);
    return 0;
}

stun_app *stun_app_server(sim_node *n, const stun_server_cfg *cfg, GError **err)
{
    stun_server *core = stun_server_new(cfg);
    if (!core) {
        g_set_error(err, stun_quark(), EINVAL,
                    "%s: bad STUN server config (an address and port are needed; the alternate "
                    "address and port must differ from the primary ones, same family)", n->name);
        return NULL;
    }
    stun_app *a = app_new(n);
    a->server = core;
    for (size_t i = 0; i < stun_server_n_local(core); i++) {
        sim_ep l = stun_server_local(core, i);
        if (app_bind(a, l.ip.family, &l, err) != 0) {
            app_stop(a);
            return NULL;
        }
    }
    return a;
}

stun_app *stun_app_client(sim_node *n, int family, uint16_t port, const stun_client_cfg *cfg,
                          GError **err)
{
    stun_app *a = app_new(n);
    a->client = stun_client_new(cfg, &n->rng);
    sim_ep local = { .port = port };
    if (app_bind(a, family, &local, err) != 0) {
        app_stop(a);
        return NULL;
    }
    return a;
}

stun_app *stun_app_discovery(sim_node *n, uint16_t port, bool hairpin, stun_discovery_cfg *cfg,
                             GError **err)
{
    int family = cfg->server.ip.family == SIM_AF_INET6 ? SIM_AF_INET6 : SIM_AF_INET;
    stun_app *a = app_new(n);
    sim_ep local = { .port = port }, any = { 0 };
    if (app_bind(a, family, &local, err) != 0 || (hairpin && app_bind(a, family, &any, err))) {
        app_stop(a);
        return NULL;
    }
    cfg->local = stun_app_local(a);
    cfg->local2 = (sim_ep){ 0 };
    if (hairpin) {
        cfg->local2 = sim_sock_local(a->socks[1]);
        cfg->local2.ip = cfg->local.ip;
    }
    a->disc = stun_discovery_new(cfg, &n->rng);
    stun_discovery_start(a->disc, sim_world_now(a->world));
    stun_app_kick(a);
    return a;
}

stun_app *stun_app_client_tcp(sim_node *n, uint16_t port, const sim_ep *server,
                              const stun_client_cfg *cfg, GError **err)
{
    stun_app *a = app_new(n);
    stun_client_cfg c = *cfg;
    c.reliable = true;
    a->client = stun_client_new(&c, &n->rng);
    a->tcp_client = true;
    int family = server->ip.family == SIM_AF_INET6 ? SIM_AF_INET6 : SIM_AF_INET;
    if (stun_tcp_connect(a, family, port, server, err) != 0) {
        app_stop(a);
        return NULL;
    }
    return a;
}

int stun_app_server_listen_tcp(stun_app *a, GError **err)
{
    if (!a->server || a->listener) {
        g_set_error(err, stun_quark(), EINVAL, "%s: not a STUN server, or already on TCP",
                    a->node->name);
        return -1;
    }
    return stun_tcp_listen(a, err);
}

const char *stun_app_tcp_error(const stun_app *a) { return a->tcp_why; }

const stun_app_tcp_stats *stun_app_get_tcp_stats(const stun_app *a) { return &a->tcp; }

int stun_app_binding(stun_app *a, const sim_ep *dest, uint32_t change, unsigned *id)
{
    if (!a->client)
        return -EINVAL;
    if (a->tcp_client && (!a->conns->len ||
                          !sim_ep_eq(dest, &((stun_conn *)a->conns->pdata[0])->remote)))
        return -EINVAL;
    int rc = stun_client_binding(a->client, sim_world_now(a->world), dest, change, id);
    if (rc == 0)
        stun_app_kick(a);
    return rc;
}

stun_server *stun_app_server_core(stun_app *a) { return a->server; }

stun_client *stun_app_client_core(stun_app *a) { return a->client; }

stun_discovery *stun_app_discovery_core(stun_app *a) { return a->disc; }

sim_node *stun_app_node(stun_app *a) { return a->node; }

sim_ep stun_app_local(stun_app *a)
{
    sim_sock *s = a->n_socks ? a->socks[0] : a->conns->len ? ((stun_conn *)a->conns->pdata[0])->sock
                                                           : a->listener;
    if (!a->running || !s)
        return (sim_ep){ 0 };
    sim_ep ep = sim_sock_local(s);
    if (sim_ip_is_any(&ep.ip)) {
        int family = ep.ip.family == SIM_AF_INET6 ? SIM_AF_INET6 : SIM_AF_INET;
        ep.ip = sim_node_first_addr(a->node, family);
    }
    return ep;
}

sim_ref stun_app_ref(stun_app *a) { return a->ref; }

void stun_app_on_done(stun_app *a, stun_app_done_fn fn, void *ctx)
{
    a->done = fn;
    a->done_ctx = ctx;
}

void stun_app_on_notify(stun_app *a, stun_app_notify_fn fn, void *ctx)
{
    a->notify = fn;
    a->notify_ctx = ctx;
}
