/* protocols/dns/dns_sim.c — the thin driver: connects a server or resolver core to one
 * simulated UDP socket (sim/socket.h) and one timer (sim/timer.h), as a program on a real host
 * would with a socket and a poll loop. After every input or timeout it drains the core's
 * outbox onto the socket, re-arms the timer at the core's next deadline and tells its notify
 * callback. */
#include "protocols/dns/dns.h"

#include <errno.h>
#include "sim/socket.h"
#include "sim/timer.h"
#include "sim/trace.h"

struct dns_app {
    sim_world *world;
    sim_node *node;
    sim_sock *sock;
    sim_sock *sock6; /* servers: the IPv6 socket on the same port (NULL if it cannot bind) */
    sim_timer *timer;
    sim_ref ref;
    dns_server *server;
    dns_resolver *resolver;
    dns_app_notify_fn notify;
    void *notify_ctx;
};

static GQuark dns_quark(void) { return g_quark_from_static_string("dns-app"); }

void dns_app_kick(dns_app *a)
{
    if (!a->sock)
        return;
    dns_out o;
    while (a->server ? dns_server_pop(a->server, &o) : dns_resolver_pop(a->resolver, &o)) {
        sim_sock *s = o.to.ip.family == SIM_AF_INET6 && a->sock6 ? a->sock6 : a->sock;
        sim_sock_sendto(s, o.data, o.len, &o.to); /* unreachable: lost, as on a host */
    }
    sim_time_t next = a->resolver ? dns_resolver_next_deadline(a->resolver) : SIM_TIME_NEVER;
    sim_timer_set(a->timer, next);
    if (a->notify)
        a->notify(a, a->notify_ctx);
}

static void on_recv(sim_sock *s, const uint8_t *data, size_t len, const sim_ep *from,
                    const sim_ep *to, void *ctx)
{
    (void)s;
    (void)to;
    dns_app *a = ctx;
    sim_time_t now = sim_world_now(a->world);
    if (a->server)
        dns_server_input(a->server, now, from, data, len);
    else
        dns_resolver_input(a->resolver, now, from, data, len);
    dns_app_kick(a);
}

static void on_timer(sim_timer *t, void *ctx)
{
    (void)t;
    dns_app *a = ctx;
    if (a->resolver)
        dns_resolver_timeout(a->resolver, sim_world_now(a->world));
    dns_app_kick(a);
}

void dns_app_log_result(dns_app *a, const dns_result *r)
{
    trace_log *log = sim_world_log(a->world);
    if (!trace_log_on(log))
        return;
    char b[DNS_NAME_STRLEN];
    GString *rec = trace_log_begin(log, sim_world_now(a->world), a->node->name, "dns");
    trace_log_str(rec, "event", "resolved");
    trace_log_str(rec, "name", dns_name_fmt(&r->name, b, sizeof b));
    const char *type = dns_type_name(r->type);
    if (type)
        trace_log_str(rec, "type", type);
    else
        trace_log_int(rec, "type", r->type);
    trace_log_str(rec, "status", dns_status_name(r->status));
    trace_log_int(rec, "records", r->rrs->len);
    trace_log_bool(rec, "cached", r->cached);
    trace_log_int(rec, "sent", r->sent);
    trace_log_end(log, rec);
}

/* ---- lifecycle ---- */

/* Stops the app: closes the socket, frees timer and core. The struct itself stays until the
 * world goes, so the world's free hook never sees a dangling pointer. */
static void app_stop(dns_app *a)
{
    if (!a->sock)
        return;
    sim_sock_close(a->sock);
    a->sock = NULL;
    sim_sock_close(a->sock6);
    a->sock6 = NULL;
    sim_timer_free(a->timer);
    a->timer = NULL;
    dns_server_free(a->server);
    a->server = NULL;
    dns_resolver_free(a->resolver);
    a->resolver = NULL;
    sim_world_ref_drop(a->world, a->ref);
    a->notify = NULL;
}

static void app_world_free(void *data)
{
    dns_app *a = data;
    app_stop(a);
    g_free(a);
}

void dns_app_free(dns_app *a)
{
    if (a)
        app_stop(a);
}

static dns_app *app_open(sim_node *n, int family, uint16_t port, GError **err)
{
    sim_sock *s = sim_udp_open_bound(n, family, port, err);
    if (!s)
        return NULL;
    dns_app *a = g_new0(dns_app, 1);
    a->world = n->world;
    a->node = n;
    a->sock = s;
    a->timer = sim_timer_new(n->world, on_timer, a);
    a->ref = sim_world_ref_new(n->world, a, DNS_REF_KIND);
    sim_sock_on_recv(s, on_recv, a);
    sim_world_on_free(n->world, app_world_free, a);
    return a;
}

dns_app *dns_app_server(sim_node *n, uint16_t port, dns_server *core, GError **err)
{
    port = port ? port : DNS_PORT;
    dns_app *a = app_open(n, SIM_AF_INET, port, err);
    if (!a) {
        dns_server_free(core);
        return NULL;
    }
    a->server = core;
    a->sock6 = sim_udp_open(n, SIM_AF_INET6); /* the same server over IPv6 */
    if (a->sock6 && sim_sock_bind(a->sock6, &(sim_ep){ .ip.family = SIM_AF_INET6, .port = port })) {
        sim_sock_close(a->sock6);
        a->sock6 = NULL;
    }
    if (a->sock6)
        sim_sock_on_recv(a->sock6, on_recv, a);
    return a;
}

dns_app *dns_app_resolver(sim_node *n, const dns_resolver_cfg *cfg, GError **err)
{
    if (!cfg->server.ip.family || !cfg->server.port) {
        g_set_error(err, dns_quark(), EINVAL, "%s: resolver needs a server address", n->name);
        return NULL;
    }
    dns_app *a = app_open(n, cfg->server.ip.family, 0, err);
    if (a)
        a->resolver = dns_resolver_new(cfg, &n->rng);
    return a;
}

dns_server *dns_app_server_core(dns_app *a) { return a->server; }

dns_resolver *dns_app_resolver_core(dns_app *a) { return a->resolver; }

sim_node *dns_app_node(dns_app *a) { return a->node; }

sim_ep dns_app_local(dns_app *a) { return a->sock ? sim_sock_local(a->sock) : (sim_ep){ 0 }; }

sim_ref dns_app_ref(dns_app *a) { return a->ref; }

void dns_app_on_notify(dns_app *a, dns_app_notify_fn fn, void *ctx)
{
    a->notify = fn;
    a->notify_ctx = ctx;
}
