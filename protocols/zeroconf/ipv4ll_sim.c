/* protocols/zeroconf/ipv4ll_sim.c — the thin driver of the RFC 3927 core on one simulated
 * interface, as a link-local daemon on a real host would run it with a raw ARP socket: ARP
 * packets seen on the interface go to ipv4ll_input; after every input, timeout, start or stop
 * the outbox is drained (probe, announce, configure, remove, conflict) and the timer re-armed
 * at the core's next deadline. */
#include "protocols/zeroconf/ipv4ll.h"

#include <errno.h>
#include <string.h>
#include "sim/node.h"
#include "sim/socket.h"
#include "sim/timer.h"
#include "sim/trace.h"

struct ipv4ll_app {
    sim_world *world;
    sim_iface *iface;
    ipv4ll *core;          /* NULL once freed */
    sim_rng rng;           /* from (world seed, node name, interface name) */
    sim_timer *timer;
    sim_arp_watch *watch;
    sim_ref ref;
    uint32_t configured;   /* the address on the interface, 0: none */
    ipv4ll_app_notify_fn notify;
    void *notify_ctx;
};

static void app_log(ipv4ll_app *a, const char *event, uint32_t addr)
{
    trace_log *log = sim_world_log(a->world);
    if (!trace_log_on(log))
        return;
    char b[SIM_IP_STRLEN];
    sim_ip ip = sim_ip4(addr);
    GString *rec = trace_log_begin(log, sim_world_now(a->world), a->iface->node->name, "ipv4ll");
    trace_log_str(rec, "event", event);
    trace_log_str(rec, "iface", a->iface->name);
    trace_log_str(rec, "addr", sim_ip_fmt(&ip, b, sizeof b));
    trace_log_end(log, rec);
}

static void act(ipv4ll_app *a, const ipv4ll_action *x)
{
    sim_ip ip = sim_ip4(x->addr);
    switch (x->kind) {
    case IPV4LL_ACT_PROBE:
        sim_arp_probe(a->iface, &ip);
        break;
    case IPV4LL_ACT_ANNOUNCE:
        sim_arp_announce(a->iface, &ip);
        break;
    case IPV4LL_ACT_CONFIGURE:
        if (sim_iface_add_addr(a->iface, &ip, IPV4LL_PREFIX_LEN) == 0)
            a->configured = x->addr;
        app_log(a, "claimed", x->addr);
        break;
    case IPV4LL_ACT_UNCONFIGURE:
        if (sim_iface_del_addr(a->iface, &ip) == 0 && a->configured == x->addr)
            a->configured = 0;
        app_log(a, "removed", x->addr);
        break;
    case IPV4LL_ACT_CONFLICT:
        app_log(a, "conflict", x->addr);
        break;
    }
}

/* Drains the outbox, re-arms the timer, tells the notify callback. */
static void kick(ipv4ll_app *a)
{
    ipv4ll_action x;
    while (ipv4ll_pop(a->core, &x))
        act(a, &x);
    sim_time_t next = ipv4ll_next_deadline(a->core);
    sim_timer_set(a->timer, next);
    if (a->notify)
        a->notify(a, a->notify_ctx);
}

static void on_timer(sim_timer *t, void *ctx)
{
    (void)t;
    ipv4ll_app *a = ctx;
    ipv4ll_timeout(a->core, sim_world_now(a->world));
    kick(a);
}

static void on_arp(sim_iface *iface, const sim_arp_seen *s, void *ctx)
{
    (void)iface;
    ipv4ll_app *a = ctx;
    ipv4ll_arp arp = { .op = s->op, .sender_ip = sim_ip4_u32(&s->sender_ip),
                       .target_ip = sim_ip4_u32(&s->target_ip) };
    memcpy(arp.sender_mac, s->sender_mac, 6);
    memcpy(arp.target_mac, s->target_mac, 6);
    if (ipv4ll_input(a->core, sim_world_now(a->world), &arp) == 0)
        kick(a);
}

static void app_stop(ipv4ll_app *a)
{
    if (!a->core)
        return;
    if (a->configured) {
        sim_ip ip = sim_ip4(a->configured);
        sim_iface_del_addr(a->iface, &ip);
        a->configured = 0;
    }
    sim_arp_watch_del(a->watch);
    a->watch = NULL;
    sim_timer_free(a->timer);
    a->timer = NULL;
    ipv4ll_free(a->core);
    a->core = NULL;
    sim_world_ref_drop(a->world, a->ref);
    a->notify = NULL;
}

static void app_world_free(void *data)
{
    ipv4ll_app *a = data;
    /* The nodes still exist (world hooks run first), but their teardown frees the watch. */
    app_stop(a);
    g_free(a);
}

ipv4ll_app *ipv4ll_app_new(sim_iface *iface, uint32_t first_addr)
{
    sim_world *w = iface->node->world;
    ipv4ll_app *a = g_new0(ipv4ll_app, 1);
    a->world = w;
    a->iface = iface;
    char *name = g_strdup_printf("ipv4ll/%s/%s", iface->node->name, iface->name);
    sim_rng_derive(&a->rng, sim_world_seed(w), name);
    g_free(name);
    ipv4ll_cfg cfg = { .first_addr = first_addr };
    memcpy(cfg.mac, iface->mac, 6);
    a->core = ipv4ll_new(&cfg, &a->rng);
    a->timer = sim_timer_new(w, on_timer, a);
    a->watch = sim_arp_watch_add(iface, on_arp, a);
    a->ref = sim_world_ref_new(w, a, IPV4LL_REF_KIND);
    sim_world_on_free(w, app_world_free, a);
    return a;
}

int ipv4ll_app_start(ipv4ll_app *a)
{
    if (!a->core)
        return -EINVAL;
    int rc = ipv4ll_start(a->core, sim_world_now(a->world));
    if (rc == 0)
        kick(a);
    return rc;
}

void ipv4ll_app_dhcp_bound(ipv4ll_app *a)
{
    if (!a->core)
        return;
    ipv4ll_dhcp_bound(a->core, sim_world_now(a->world));
    kick(a);
}

void ipv4ll_app_free(ipv4ll_app *a)
{
    if (a)
        app_stop(a);
}

ipv4ll *ipv4ll_app_core(ipv4ll_app *a) { return a->core; }

sim_iface *ipv4ll_app_iface(ipv4ll_app *a) { return a->iface; }

sim_ref ipv4ll_app_ref(ipv4ll_app *a) { return a->ref; }

void ipv4ll_app_on_notify(ipv4ll_app *a, ipv4ll_app_notify_fn fn, void *ctx)
{
    a->notify = fn;
    a->notify_ctx = ctx;
}
