/* protocols/dhcp/dhcp_sim.c — the thin driver: a server or client core on one UDP socket tied
 * to one interface (sim/socket.h), one timer (sim/timer.h) and, for a client, an ARP watch for
 * its address check. After every input or timeout it drains the core's outbox, re-arms the
 * timer at the core's next deadline and tells its notify callback. See dhcp.h for what each
 * outbox action does to the interface. */
#include "protocols/dhcp/dhcp.h"

#include <errno.h>
#include <string.h>
#include "protocols/zeroconf/ipv4ll.h"
#include "sim/cursor.h"
#include "sim/node.h"
#include "sim/socket.h"
#include "sim/timer.h"
#include "sim/trace.h"

struct dhcp_app {
    sim_world *world;
    sim_iface *iface;
    sim_sock *sock;        /* NULL once stopped */
    sim_timer *timer;
    sim_arp_watch *watch;  /* client */
    sim_ref ref;
    dhcp_server *server;
    dhcp_client *client;
    sim_rng rng;           /* client: xids and jitter, from (seed, node, interface) */
    uint32_t configured;   /* client: the address on the interface, 0: none */
    ipv4ll_app *ll;        /* client with fallback */
    sim_time_t fallback, fallback_at; /* fallback_at SIM_TIME_NEVER: not pending */
    dhcp_app_notify_fn notify;
    void *notify_ctx;
};

static GQuark dhcp_quark(void) { return g_quark_from_static_string("dhcp-app"); }

static void app_log(dhcp_app *a, const char *event, uint32_t addr)
{
    trace_log *log = sim_world_log(a->world);
    if (!trace_log_on(log))
        return;
    char b[SIM_IP_STRLEN];
    sim_ip ip = sim_ip4(addr);
    GString *rec = trace_log_begin(log, sim_world_now(a->world), a->iface->node->name, "dhcp");
    trace_log_str(rec, "event", event);
    trace_log_str(rec, "iface", a->iface->name);
    if (addr)
        trace_log_str(rec, "addr", sim_ip_fmt(&ip, b, sizeof b));
    trace_log_end(log, rec);
}

static void send_out(dhcp_app *a, const dhcp_out *o)
{
    sim_ep to = { sim_ip4(o->dst), o->dport };
    /* RFC 2131 4.1: a reply to a client's new address, before it can answer ARP, goes to its
     * hardware address. Record that mapping instead of resolving it. */
    if (a->server && o->dport == DHCP_CLIENT_PORT && o->dst != DHCP_BROADCAST)
        sim_iface_neigh_set(a->iface, &to.ip, o->chaddr);
    /* A client with no lease sends from 0.0.0.0 (RFC 2131 4.1), whatever else the interface
     * holds; unreachable destinations: lost, as on a host. */
    sim_ip any = { .family = SIM_AF_INET };
    if (a->client && o->src == 0 && o->dst == DHCP_BROADCAST)
        sim_sock_sendto_src(a->sock, o->data, o->len, &to, &any);
    else
        sim_sock_sendto(a->sock, o->data, o->len, &to);
}

static unsigned mask_plen(uint32_t mask)
{
    unsigned n = 0;
    while (n < 32 && (mask & (0x80000000u >> n)))
        n++;
    return n;
}

static void configure(dhcp_app *a, const dhcp_lease *l)
{
    sim_ip ip = sim_ip4(l->addr);
    bool fresh = a->configured != l->addr;
    if (fresh) {
        if (a->configured) {
            sim_ip old = sim_ip4(a->configured);
            sim_iface_del_addr(a->iface, &old);
        }
        sim_iface_add_addr(a->iface, &ip, l->mask ? mask_plen(l->mask) : 24);
        a->configured = l->addr;
        if (l->router) {
            sim_ip any = { .family = SIM_AF_INET }, gw = sim_ip4(l->router);
            sim_node_add_route(a->iface->node, &any, 0, &gw, a->iface);
        }
    }
    app_log(a, fresh ? "bound" : "renewed", l->addr);
    a->fallback_at = SIM_TIME_NEVER;
    if (a->ll)
        ipv4ll_app_dhcp_bound(a->ll);
}

static void unconfigure(dhcp_app *a, uint32_t addr)
{
    sim_ip ip = sim_ip4(addr);
    sim_iface_del_addr(a->iface, &ip);
    if (a->configured == addr)
        a->configured = 0;
    app_log(a, "unbound", addr);
    if (a->ll && a->fallback_at == SIM_TIME_NEVER)
        a->fallback_at = sim_world_now(a->world) + a->fallback;
}

static void client_act(dhcp_app *a, const dhcp_action *x)
{
    sim_ip ip = sim_ip4(x->addr);
    switch (x->kind) {
    case DHCP_ACT_SEND:
        send_out(a, &x->pkt);
        break;
    case DHCP_ACT_PROBE:
        sim_arp_probe(a->iface, &ip);
        break;
    case DHCP_ACT_ANNOUNCE:
        sim_arp_announce(a->iface, &ip);
        break;
    case DHCP_ACT_CONFIGURE:
        configure(a, &x->lease);
        break;
    case DHCP_ACT_UNCONFIGURE:
        unconfigure(a, x->addr);
        break;
    }
}

/* Drains the outbox, starts the link-local fallback when due, re-arms the timer. */
static void kick(dhcp_app *a)
{
    if (!a->sock)
        return;
    sim_time_t now = sim_world_now(a->world), next;
    if (a->server) {
        dhcp_out o;
        while (dhcp_server_pop(a->server, &o))
            send_out(a, &o);
        next = dhcp_server_next_deadline(a->server);
    } else {
        dhcp_action x;
        while (dhcp_client_pop(a->client, &x))
            client_act(a, &x);
        if (a->ll && now >= a->fallback_at) {
            a->fallback_at = SIM_TIME_NEVER;
            app_log(a, "fallback", 0);
            ipv4ll_app_start(a->ll);
        }
        next = dhcp_client_next_deadline(a->client);
        if (a->ll && a->fallback_at < next)
            next = a->fallback_at;
    }
    sim_timer_set(a->timer, next);
    if (a->notify)
        a->notify(a, a->notify_ctx);
}

static void on_recv(sim_sock *s, const uint8_t *data, size_t len, const sim_ep *from,
                    const sim_ep *to, void *ctx)
{
    (void)s;
    (void)from;
    (void)to;
    dhcp_app *a = ctx;
    sim_time_t now = sim_world_now(a->world);
    if (a->server) {
        dhcp_server_input(a->server, now, data, len);
    } else {
        /* Replies to other clients are broadcast too: skip those whose chaddr is not ours
         * before decoding them (as a socket filter would; on a LAN of N clients booting
         * together this saves N - 1 decodes per reply). The core checks it again. */
        cur c;
        uint8_t chaddr[6];
        cur_init(&c, data, len);
        cur_skip(&c, 28);
        cur_copy(&c, chaddr, 6);
        if (cur_ok(&c) && memcmp(chaddr, a->iface->mac, 6) != 0)
            return;
        dhcp_client_input(a->client, now, data, len);
    }
    kick(a);
}

static void on_timer(sim_timer *t, void *ctx)
{
    (void)t;
    dhcp_app *a = ctx;
    sim_time_t now = sim_world_now(a->world);
    if (a->server)
        dhcp_server_timeout(a->server, now);
    else
        dhcp_client_timeout(a->client, now);
    kick(a);
}

/* RFC 2131 2.2 / RFC 5227 2.1.1: during the check, any ARP from another host whose sender is
 * the probed address means it is in use. */
static void on_arp(sim_iface *iface, const sim_arp_seen *s, void *ctx)
{
    dhcp_app *a = ctx;
    if (!memcmp(s->sender_mac, iface->mac, 6) || dhcp_client_get_state(a->client) != DHCP_CHECKING)
        return;
    uint32_t addr = sim_ip4_u32(&s->sender_ip);
    if (addr && dhcp_client_conflict(a->client, sim_world_now(a->world), addr) == 0) {
        app_log(a, "declined", addr);
        kick(a);
    }
}

/* ---- lifecycle ---- */

static void app_stop(dhcp_app *a)
{
    if (!a->sock)
        return;
    sim_sock_close(a->sock);
    a->sock = NULL;
    sim_arp_watch_del(a->watch);
    a->watch = NULL;
    sim_timer_free(a->timer);
    a->timer = NULL;
    dhcp_server_free(a->server);
    a->server = NULL;
    dhcp_client_free(a->client);
    a->client = NULL;
    ipv4ll_app_free(a->ll);
    sim_world_ref_drop(a->world, a->ref);
    a->notify = NULL;
}

static void app_world_free(void *data)
{
    dhcp_app *a = data;
    a->ll = NULL; /* registered later, so its own hook already freed it */
    app_stop(a);
    g_free(a);
}

void dhcp_app_free(dhcp_app *a)
{
    if (a)
        app_stop(a);
}

static dhcp_app *app_open(sim_iface *iface, uint16_t port, GError **err)
{
    sim_node *n = iface->node;
    sim_sock *s = sim_udp_open(n, SIM_AF_INET);
    sim_sock_set_reuseaddr(s, true); /* one daemon per interface, all on the same port */
    sim_ep local = { .ip.family = SIM_AF_INET, .port = port };
    int rc = sim_sock_bind(s, &local);
    if (rc == 0)
        rc = sim_sock_bind_iface(s, iface);
    if (rc) {
        g_set_error(err, dhcp_quark(), -rc, "%s: cannot bind UDP port %u: %s", n->name, port,
                    g_strerror(-rc));
        sim_sock_close(s);
        return NULL;
    }
    dhcp_app *a = g_new0(dhcp_app, 1);
    a->world = n->world;
    a->iface = iface;
    a->sock = s;
    a->fallback_at = SIM_TIME_NEVER;
    a->timer = sim_timer_new(n->world, on_timer, a);
    a->ref = sim_world_ref_new(n->world, a, DHCP_REF_KIND);
    sim_sock_on_recv(s, on_recv, a);
    sim_world_on_free(n->world, app_world_free, a);
    return a;
}

dhcp_app *dhcp_app_server(sim_iface *iface, const dhcp_server_cfg *cfg, GError **err)
{
    dhcp_server_cfg c = *cfg;
    const sim_ip *own = sim_iface_addr(iface, SIM_AF_INET);
    if (!c.server_id && own)
        c.server_id = sim_ip4_u32(own);
    dhcp_server *core = dhcp_server_new(&c);
    if (!core) {
        g_set_error(err, dhcp_quark(), EINVAL, "%s: DHCP server needs an IPv4 address on %s "
                    "and pools inside one subnet", iface->node->name, iface->name);
        return NULL;
    }
    dhcp_app *a = app_open(iface, DHCP_SERVER_PORT, err);
    if (!a) {
        dhcp_server_free(core);
        return NULL;
    }
    a->server = core;
    return a;
}

dhcp_app *dhcp_app_client(sim_iface *iface, const dhcp_client_cfg *cfg, sim_time_t fallback,
                          GError **err)
{
    dhcp_app *a = app_open(iface, DHCP_CLIENT_PORT, err);
    if (!a)
        return NULL;
    dhcp_client_cfg c = *cfg;
    memcpy(c.mac, iface->mac, 6);
    char *name = g_strdup_printf("dhcp/%s/%s", iface->node->name, iface->name);
    sim_rng_derive(&a->rng, sim_world_seed(a->world), name);
    g_free(name);
    a->client = dhcp_client_new(&c, &a->rng);
    a->watch = sim_arp_watch_add(iface, on_arp, a);
    if (fallback > 0) {
        a->ll = ipv4ll_app_new(iface, 0);
        a->fallback = fallback;
        a->fallback_at = sim_world_now(a->world) + fallback;
    }
    dhcp_client_start(a->client, sim_world_now(a->world));
    kick(a);
    return a;
}

int dhcp_app_release(dhcp_app *a)
{
    if (!a->client)
        return -ENOENT;
    int rc = dhcp_client_release(a->client, sim_world_now(a->world));
    if (rc == 0) {
        kick(a);
        a->fallback_at = SIM_TIME_NEVER; /* given back on purpose: no link-local either */
    }
    return rc;
}

dhcp_server *dhcp_app_server_core(dhcp_app *a) { return a->server; }

dhcp_client *dhcp_app_client_core(dhcp_app *a) { return a->client; }

sim_iface *dhcp_app_iface(dhcp_app *a) { return a->iface; }

sim_ref dhcp_app_ref(dhcp_app *a) { return a->ref; }

struct ipv4ll_app *dhcp_app_ipv4ll(dhcp_app *a) { return a->ll; }

void dhcp_app_on_notify(dhcp_app *a, dhcp_app_notify_fn fn, void *ctx)
{
    a->notify = fn;
    a->notify_ctx = ctx;
}
