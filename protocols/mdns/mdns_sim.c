/* protocols/mdns/mdns_sim.c — a host's mDNS daemon on the simulator: one querier and (once
 * asked) one responder behind UDP port 5353, as mDNSResponder or Avahi would run them.
 *
 *   IPv4 socket  0.0.0.0:5353, SO_REUSEADDR, joined to 224.0.0.251, multicast TTL 255
 *   IPv6 socket  [::]:5353, SO_REUSEADDR, joined to ff02::fb, hop limit 255 (when the host has
 *                an IPv6 address, e.g. the link-local one every interface gets)
 *
 * Every datagram goes to both cores. Multicast from the cores leaves on both sockets (to the
 * group of each family), unicast by the socket of the destination's family, always from port
 * 5353 (RFC 6762 §6, §11). Like a real host with IP_MULTICAST_LOOP, what the responder
 * multicasts is also fed to the host's own querier, so a host finds its own services.
 *
 * The responder follows the host's addresses (an address watch, sim/socket.h): when DHCP
 * replaces a link-local address, or any address comes or goes, it announces the new A / AAAA
 * records (RFC 6762 §8.4). Changes are gathered for one zero-delay timer, so "remove the old
 * address, add the new one" is one re-announcement, never one for an address-less moment. */
#include "protocols/mdns/mdns.h"

#include <errno.h>
#include "sim/socket.h"
#include "sim/timer.h"
#include "sim/trace.h"

struct mdns_app {
    sim_world *world;
    sim_node *node;
    sim_sock *sock4, *sock6;
    sim_ip group4, group6;
    sim_timer *timer;
    sim_timer *addr_timer;  /* armed (at now) by an address change */
    sim_addr_watch *watch;
    sim_ref ref;
    mdns_querier *querier;
    mdns_responder *responder;
    mdns_app_notify_fn notify;
    void *notify_ctx;
    bool kicking;
};

static GQuark mdns_quark(void) { return g_quark_from_static_string("mdns-app"); }

static void log_event(void *ctx, const mdns_event *ev)
{
    mdns_app *a = ctx;
    trace_log *log = sim_world_log(a->world);
    if (!trace_log_on(log))
        return;
    GString *rec = trace_log_begin(log, sim_world_now(a->world), a->node->name, "mdns");
    trace_log_str(rec, "event", mdns_event_name(ev->kind));
    trace_log_str(rec, "name", ev->name);
    if (ev->name2)
        trace_log_str(rec, "new_name", ev->name2);
    if (ev->n)
        trace_log_int(rec, "n", ev->n);
    trace_log_end(log, rec);
}

static void send_out(mdns_app *a, const mdns_out *o)
{
    if (o->to.ip.family != SIM_AF_NONE) {
        sim_sock *s = o->to.ip.family == SIM_AF_INET6 ? a->sock6 : a->sock4;
        if (s)
            sim_sock_sendto(s, o->data, o->len, &o->to); /* unreachable: lost, as on a host */
        return;
    }
    sim_ep g4 = { .ip = a->group4, .port = MDNS_PORT }, g6 = { .ip = a->group6, .port = MDNS_PORT };
    sim_sock_sendto(a->sock4, o->data, o->len, &g4);
    if (a->sock6)
        sim_sock_sendto(a->sock6, o->data, o->len, &g6);
}

void mdns_app_kick(mdns_app *a)
{
    if (!a->querier || a->kicking)
        return;
    a->kicking = true;
    sim_time_t now = sim_world_now(a->world);
    mdns_out o;
    for (bool any = true; any;) {
        any = false;
        while (a->responder && mdns_responder_pop(a->responder, &o)) {
            send_out(a, &o);
            if (o.to.ip.family == SIM_AF_NONE) { /* multicast loopback to our own querier */
                sim_ep self = sim_sock_local(a->sock4);
                mdns_querier_input(a->querier, now, &self, o.data, o.len);
            }
            any = true;
        }
        while (mdns_querier_pop(a->querier, &o)) {
            send_out(a, &o);
            any = true;
        }
    }
    sim_time_t next = mdns_querier_next_deadline(a->querier);
    if (a->responder)
        next = MIN(next, mdns_responder_next_deadline(a->responder));
    if (next == SIM_TIME_NEVER)
        sim_timer_cancel(a->timer);
    else if (sim_timer_deadline(a->timer) != next)
        sim_timer_at(a->timer, next < now ? now : next);
    a->kicking = false;
    if (a->notify)
        a->notify(a, a->notify_ctx);
}

static void on_recv(sim_sock *s, const uint8_t *data, size_t len, const sim_ep *from,
                    const sim_ep *to, void *ctx)
{
    (void)s;
    (void)to;
    mdns_app *a = ctx;
    if (sim_node_has_addr(a->node, &from->ip))
        return; /* our own multicast, if the network ever loops it back */
    sim_time_t now = sim_world_now(a->world);
    if (a->responder)
        mdns_responder_input(a->responder, now, from, data, len);
    mdns_querier_input(a->querier, now, from, data, len);
    mdns_app_kick(a);
}

static void on_timer(sim_timer *t, void *ctx)
{
    (void)t;
    mdns_app *a = ctx;
    sim_time_t now = sim_world_now(a->world);
    if (a->responder)
        mdns_responder_timeout(a->responder, now);
    mdns_querier_timeout(a->querier, now);
    mdns_app_kick(a);
}

/* The node's addresses, IPv4 then IPv6 per interface in attach order (A / AAAA records). */
static GArray *node_addrs(const sim_node *n)
{
    GArray *ips = g_array_new(FALSE, FALSE, sizeof(sim_ip));
    for (guint i = 0; i < n->ifaces->len; i++) {
        const sim_iface *f = n->ifaces->pdata[i];
        for (guint k = 0; k < f->addrs4->len; k++)
            g_array_append_val(ips, g_array_index(f->addrs4, sim_ifaddr, k).ip);
        for (guint k = 0; k < f->addrs6->len; k++)
            g_array_append_val(ips, g_array_index(f->addrs6, sim_ifaddr, k).ip);
    }
    return ips;
}

static void on_addr_change(sim_node *n, const sim_addr_change *c, void *ctx)
{
    (void)n;
    (void)c;
    mdns_app *a = ctx;
    if (a->responder && sim_timer_deadline(a->addr_timer) == SIM_TIME_NEVER)
        sim_timer_at(a->addr_timer, sim_world_now(a->world));
}

static void on_addr_timer(sim_timer *t, void *ctx)
{
    (void)t;
    mdns_app *a = ctx;
    if (!a->responder)
        return;
    GArray *ips = node_addrs(a->node);
    if (mdns_responder_set_addrs(a->responder, sim_world_now(a->world), (sim_ip *)ips->data,
                                 ips->len) == 0)
        mdns_app_kick(a);
    g_array_free(ips, TRUE);
}

/* ---- lifecycle ---- */

static void app_stop(mdns_app *a)
{
    if (!a->querier)
        return;
    if (a->responder) { /* goodbyes (RFC 6762 §10.1) while the sockets are still open */
        mdns_responder_stop(a->responder, sim_world_now(a->world));
        mdns_out o;
        while (mdns_responder_pop(a->responder, &o))
            send_out(a, &o);
    }
    sim_sock_close(a->sock4);
    sim_sock_close(a->sock6);
    a->sock4 = a->sock6 = NULL;
    sim_timer_free(a->timer);
    sim_timer_free(a->addr_timer);
    a->timer = a->addr_timer = NULL;
    sim_addr_watch_del(a->watch);
    a->watch = NULL;
    mdns_responder_free(a->responder);
    mdns_querier_free(a->querier);
    a->responder = NULL;
    a->querier = NULL;
    sim_world_ref_drop(a->world, a->ref);
    a->notify = NULL;
}

static void app_world_free(void *data)
{
    mdns_app *a = data;
    if (a->querier) { /* the world is going: no goodbyes into a dying network */
        mdns_responder_free(a->responder);
        a->responder = NULL;
    }
    app_stop(a);
    g_free(a);
}

void mdns_app_free(mdns_app *a)
{
    if (a)
        app_stop(a);
}

/* Opens the socket of one family on port 5353 joined to the group. NULL if it cannot. */
static sim_sock *open_family(mdns_app *a, int family, const sim_ip *group)
{
    sim_sock *s = sim_udp_open(a->node, family);
    if (!s)
        return NULL;
    sim_sock_set_reuseaddr(s, true);
    sim_ep local = { .ip.family = family == SIM_AF_INET6 ? SIM_AF_INET6 : SIM_AF_NONE,
                     .port = MDNS_PORT };
    if (sim_sock_bind(s, &local) != 0 || sim_sock_join(s, group, NULL) != 0 ||
        sim_sock_set_mcast_ttl(s, 255) != 0) {
        sim_sock_close(s);
        return NULL;
    }
    sim_sock_set_ttl(s, 255); /* §11: unicast responses too */
    sim_sock_on_recv(s, on_recv, a);
    return s;
}

static bool has_family(sim_node *n, int family)
{
    for (guint i = 0; i < n->ifaces->len; i++)
        if (sim_iface_addr(n->ifaces->pdata[i], family))
            return true;
    return false;
}

mdns_app *mdns_app_new(sim_node *n, GError **err)
{
    mdns_app *a = g_new0(mdns_app, 1);
    a->world = n->world;
    a->node = n;
    sim_ip_parse(MDNS_GROUP4, &a->group4);
    sim_ip_parse(MDNS_GROUP6, &a->group6);
    a->sock4 = has_family(n, SIM_AF_INET) ? open_family(a, SIM_AF_INET, &a->group4) : NULL;
    if (!a->sock4) {
        g_set_error(err, mdns_quark(), EADDRNOTAVAIL,
                    "%s: mDNS needs an IPv4 address and UDP port 5353", n->name);
        g_free(a);
        return NULL;
    }
    if (has_family(n, SIM_AF_INET6))
        a->sock6 = open_family(a, SIM_AF_INET6, &a->group6);
    a->querier = mdns_querier_new(&n->rng);
    a->timer = sim_timer_new(n->world, on_timer, a);
    a->addr_timer = sim_timer_new(n->world, on_addr_timer, a);
    a->watch = sim_addr_watch_add(n, on_addr_change, a);
    a->ref = sim_world_ref_new(n->world, a, MDNS_REF_KIND);
    sim_world_on_free(n->world, app_world_free, a);
    return a;
}

int mdns_app_respond(mdns_app *a, const char *hostname)
{
    if (!a->querier)
        return -EINVAL;
    if (a->responder)
        return -EEXIST;
    GArray *ips = node_addrs(a->node);
    a->responder = mdns_responder_new(hostname, (sim_ip *)ips->data, ips->len, &a->node->rng);
    g_array_free(ips, TRUE);
    if (!a->responder)
        return -EINVAL;
    mdns_responder_on_event(a->responder, log_event, a);
    mdns_responder_start(a->responder, sim_world_now(a->world));
    mdns_app_kick(a);
    return 0;
}

mdns_responder *mdns_app_responder(mdns_app *a) { return a->responder; }

mdns_querier *mdns_app_querier(mdns_app *a) { return a->querier; }

sim_node *mdns_app_node(mdns_app *a) { return a->node; }

sim_ref mdns_app_ref(mdns_app *a) { return a->ref; }

void mdns_app_on_notify(mdns_app *a, mdns_app_notify_fn fn, void *ctx)
{
    a->notify = fn;
    a->notify_ctx = ctx;
}
