/* protocols/ice/ice_sim.c — the thin driver: an ICE agent core on a simulated node, as a
 * program on a real host would run it. One UDP socket per host address (every usable IPv4 and
 * IPv6 address of every interface) and component; every socket of the STUN server's family
 * also carries a STUN Binding that finds its server-reflexive address (STUN client core), and
 * the first socket of the TURN server's family of each component the TURN allocation that
 * gives the relayed candidate (TURN client core), so host, srflx and relay share one base
 * socket and the NAT mapping the peer sees is the one STUN reported. Demultiplexing on that socket: datagrams
 * from the TURN server go to the TURN core (relayed data comes back out of it and is handed to
 * the agent under the relay's socket id), answers from the STUN server to the gathering
 * transaction, everything else to the agent. What the agent queues on a relay's socket id is
 * wrapped by the TURN core: held until the server confirmed a permission for the peer's IP
 * (CreatePermission, asked on first use), then sent as a Send indication; once a pair through
 * the relay is selected, a channel is bound to its peer and data goes as ChannelData. */
#include "protocols/ice/ice.h"

#include <errno.h>
#include <string.h>
#include "protocols/stun/stun.h"
#include "protocols/turn/turn.h"
#include "sim/socket.h"
#include "sim/timer.h"
#include "sim/trace.h"

#define RELAY_ID_BASE 0x10000u
#define RELAY_HOLD_MAX 64u  /* datagrams held per relay awaiting permissions (more: dropped) */

/* A datagram for the relay held until the permission for its peer's IP is confirmed. */
typedef struct held {
    sim_ep to;
    size_t len;
    uint8_t data[];
} held;

typedef struct hsock {
    ice_app *app;
    unsigned id, comp, rank;
    sim_sock *sock;
    sim_ep local;
    stun_client *stun;     /* gathering: one Binding to cfg.stun (NULL: none) */
    turn_client *turn;     /* gathering and relaying (NULL: none) */
    GArray *permitted;     /* of sim_ip: peers a permission was asked for */
    GQueue held;           /* of held *, in order */
} hsock;

struct ice_app {
    sim_world *world;
    sim_node *node;
    ice_app_cfg cfg;
    ice_agent *agent;
    GPtrArray *socks;      /* of hsock *, creation order */
    sim_timer *timer;
    unsigned pending;      /* gathering transactions not yet answered */
    bool gathering, stopped;
    ice_app_event_fn on_event;
    ice_app_cand_fn on_cand;
    ice_app_data_fn on_data;
    void *event_ctx, *cand_ctx, *data_ctx;
};

static GQuark ice_quark(void) { return g_quark_from_static_string("ice-app"); }

/* ---------------------------------------------------------------- logging */

static void log_event(ice_app *a, const ice_event *ev)
{
    static const char *const names[] = {
        [ICE_EV_LOCAL_PRFLX] = "local prflx", [ICE_EV_REMOTE_PRFLX] = "remote prflx",
        [ICE_EV_PAIR_STATE] = "pair", [ICE_EV_ROLE] = "role", [ICE_EV_SELECTED] = "selected",
        [ICE_EV_FAILED] = "failed", [ICE_EV_CONSENT_LOST] = "consent lost",
    };
    trace_log *log = sim_world_log(a->world);
    if (!trace_log_on(log) || ev->kind == ICE_EV_PAIR_STATE)
        return;
    GString *r = trace_log_begin(log, ev->at, a->node->name, "ice");
    trace_log_str(r, "event", names[ev->kind]);
    trace_log_int(r, "component", ev->component);
    if (ev->kind == ICE_EV_SELECTED) {
        trace_log_str(r, "local", ice_cand_type_name(ev->local_type));
        trace_log_str(r, "remote", ice_cand_type_name(ev->remote_type));
        trace_log_num(r, "ms", (double)ev->elapsed / 1e6);
    }
    if (ev->kind == ICE_EV_ROLE)
        trace_log_bool(r, "controlling", ev->controlling);
    trace_log_end(log, r);
}

/* ---------------------------------------------------------------- candidates */

static void add_cand(ice_app *a, ice_cand_type t, const sim_ep *addr, const sim_ep *base,
                     unsigned sock, const sim_ep *server, unsigned comp, unsigned rank,
                     const sim_ep *related)
{
    ice_cand c = { .type = t, .component = comp, .addr = *addr, .base = *base, .sock = sock };
    if (server)
        c.server = *server;
    if (related)
        c.related = *related;
    ice_cand out;
    if (ice_agent_add_local(a->agent, sim_world_now(a->world), &c,
                            ice_local_pref(rank, addr->ip.family), &out) >= 0 && a->on_cand)
        a->on_cand(a, &out, a->cand_ctx);
}

static void gathered_one(ice_app *a)
{
    if (a->pending && --a->pending == 0 && a->gathering) {
        ice_agent_local_done(a->agent, sim_world_now(a->world));
        if (a->on_cand)
            a->on_cand(a, NULL, a->cand_ctx);
    }
}

static void stun_done(ice_app *a, hsock *h)
{
    unsigned id;
    while (stun_client_pop_done(h->stun, &id)) {
        const stun_tx *t = stun_client_tx(h->stun, id);
        sim_ep mapped;
        if (t && t->state == STUN_TX_SUCCESS &&
            stun_binding_mapped(t->resp, t->resp_len, &mapped) == 0)
            add_cand(a, ICE_CAND_SRFLX, &mapped, &h->local, h->id, &a->cfg.stun, h->comp, h->rank,
                     NULL);
        stun_client_forget(h->stun, id);
        gathered_one(a);
    }
}

static void forget_permit(hsock *h, const sim_ip *ip)
{
    for (guint i = 0; i < h->permitted->len; i++)
        if (sim_ip_eq(&g_array_index(h->permitted, sim_ip, i), ip)) {
            g_array_remove_index(h->permitted, i);
            return;
        }
}

/* Sends (ok) or drops the held datagrams for peer IP ip, keeping the others in order. */
static void release_held(ice_app *a, hsock *h, const sim_ip *ip, bool ok)
{
    sim_time_t now = sim_world_now(a->world);
    for (GList *l = h->held.head, *next; l; l = next) {
        next = l->next;
        held *d = l->data;
        if (!sim_ip_eq(&d->to.ip, ip))
            continue;
        if (ok)
            turn_client_send(h->turn, now, &d->to, d->data, d->len);
        g_queue_delete_link(&h->held, l);
        g_free(d);
    }
}

static void turn_events(ice_app *a, hsock *h)
{
    turn_event ev;
    while (turn_client_pop_event(h->turn, &ev)) {
        if (ev.kind == TURN_EV_PERMITTED || ev.kind == TURN_EV_BOUND) {
            release_held(a, h, &ev.ep.ip, true);
        } else if (ev.kind == TURN_EV_PERMIT_FAILED) {
            release_held(a, h, &ev.ep.ip, false);
            forget_permit(h, &ev.ep.ip); /* asked again on next use */
        }
        if (ev.kind == TURN_EV_ALLOCATED) {
            add_cand(a, ICE_CAND_RELAY, &ev.ep, &ev.ep, RELAY_ID_BASE + h->id, &a->cfg.turn,
                     h->comp, 0, &ev.mapped);
            if (!a->cfg.stun.port) /* RFC 8445 §5.1.1.2: the Allocate also tells the mapping */
                add_cand(a, ICE_CAND_SRFLX, &ev.mapped, &h->local, h->id, &a->cfg.turn, h->comp,
                         h->rank, NULL);
            gathered_one(a);
        } else if (ev.kind == TURN_EV_ALLOCATE_FAILED) {
            gathered_one(a);
        }
    }
}

/* ---------------------------------------------------------------- sending and the poll loop */

static hsock *sock_by_id(ice_app *a, unsigned id)
{
    for (guint i = 0; i < a->socks->len; i++) {
        hsock *h = a->socks->pdata[i];
        if (h->id == id || (h->turn && RELAY_ID_BASE + h->id == id))
            return h;
    }
    return NULL;
}

/* Through the relay: at once when the server confirmed a permission for the peer's IP (Send
 * indication, or ChannelData on a bound channel); else held until it does, the permission
 * being asked for on first use. */
static void relay_send(ice_app *a, hsock *h, const ice_out *o)
{
    sim_time_t now = sim_world_now(a->world);
    if (turn_client_has_permission(h->turn, &o->to.ip)) {
        turn_client_send(h->turn, now, &o->to, o->data, o->len);
        return;
    }
    bool asked = false;
    for (guint i = 0; i < h->permitted->len; i++)
        asked |= sim_ip_eq(&g_array_index(h->permitted, sim_ip, i), &o->to.ip);
    if (!asked) {
        if (turn_client_permit(h->turn, now, &o->to.ip) != 0)
            return; /* no allocation or another family: lost, as on an unroutable socket */
        g_array_append_val(h->permitted, o->to.ip);
    }
    if (h->held.length >= RELAY_HOLD_MAX)
        return; /* the agent retransmits its checks */
    held *d = g_malloc(sizeof *d + o->len);
    d->to = o->to;
    d->len = o->len;
    memcpy(d->data, o->data, o->len);
    g_queue_push_tail(&h->held, d);
}

/* A pair through our relay was selected: bind a channel to its peer (RFC 8656 §12), so the
 * media goes as ChannelData (4-byte header) instead of Send/Data indications (36 bytes). */
static void bind_selected(ice_app *a, const ice_event *ev)
{
    const ice_pair *p = ice_agent_pair(a->agent, ev->pair);
    if (!p || ev->local_type != ICE_CAND_RELAY)
        return;
    const ice_cand *l = ice_agent_local(a->agent, p->local);
    hsock *h = sock_by_id(a, l->sock);
    if (h && h->turn && l->sock != h->id)
        turn_client_bind(h->turn, sim_world_now(a->world),
                         &ice_agent_remote(a->agent, p->remote)->addr, NULL);
}

static void deliver(ice_app *a, unsigned id, const sim_ep *from, const uint8_t *d, size_t len)
{
    int comp = ice_agent_input(a->agent, sim_world_now(a->world), id, from, d, len);
    if (comp > 0 && a->on_data)
        a->on_data(a, (unsigned)comp, d, len, a->data_ctx);
}

/* One pass over every outbox; true if anything moved. */
static bool drain(ice_app *a)
{
    bool moved = false;
    stun_out so;
    turn_out to;
    turn_rx rx;
    ice_out io;
    ice_event ev;
    for (guint i = 0; i < a->socks->len; i++) {
        hsock *h = a->socks->pdata[i];
        if (h->stun) {
            stun_done(a, h);
            for (; stun_client_pop(h->stun, &so); moved = true)
                sim_sock_sendto(h->sock, so.data, so.len, &so.to);
        }
        if (h->turn) {
            turn_events(a, h);
            for (; turn_client_pop(h->turn, &to); moved = true)
                sim_sock_sendto(h->sock, to.data, to.len, &to.to);
            for (; turn_client_pop_rx(h->turn, &rx); moved = true)
                deliver(a, RELAY_ID_BASE + h->id, &rx.peer, rx.data, rx.len);
        }
    }
    for (; ice_agent_pop(a->agent, &io); moved = true) {
        hsock *h = sock_by_id(a, io.sock);
        if (h && io.sock == h->id)
            sim_sock_sendto(h->sock, io.data, io.len, &io.to); /* lost if unroutable */
        else if (h)
            relay_send(a, h, &io);
    }
    for (; ice_agent_pop_event(a->agent, &ev); moved = true) {
        if (ev.kind == ICE_EV_SELECTED)
            bind_selected(a, &ev);
        log_event(a, &ev);
        if (a->on_event)
            a->on_event(a, &ev, a->event_ctx);
    }
    return moved;
}

void ice_app_kick(ice_app *a)
{
    if (a->stopped)
        return;
    for (int guard = 0; guard < 64 && drain(a); guard++) {}
    sim_time_t next = ice_agent_next_deadline(a->agent);
    for (guint i = 0; i < a->socks->len; i++) {
        hsock *h = a->socks->pdata[i];
        if (h->stun)
            next = MIN(next, stun_client_next_deadline(h->stun));
        if (h->turn)
            next = MIN(next, turn_client_next_deadline(h->turn));
    }
    if (next == SIM_TIME_NEVER)
        sim_timer_cancel(a->timer);
    else if (sim_timer_deadline(a->timer) != next)
        sim_timer_at(a->timer, MAX(next, sim_world_now(a->world)));
}

static void on_recv(sim_sock *s, const uint8_t *data, size_t len, const sim_ep *from,
                    const sim_ep *to, void *ctx)
{
    (void)s;
    (void)to;
    hsock *h = ctx;
    ice_app *a = h->app;
    sim_time_t now = sim_world_now(a->world);
    bool used = false;
    if (h->turn && sim_ep_eq(from, &a->cfg.turn))
        used = turn_client_input(h->turn, now, from, data, len) == 0;
    if (!used && h->stun && sim_ep_eq(from, &a->cfg.stun))
        used = stun_client_input(h->stun, now, from, data, len) == 0;
    if (!used)
        deliver(a, h->id, from, data, len);
    ice_app_kick(a);
}

static void on_timer(sim_timer *t, void *ctx)
{
    (void)t;
    ice_app *a = ctx;
    sim_time_t now = sim_world_now(a->world);
    ice_agent_timeout(a->agent, now);
    for (guint i = 0; i < a->socks->len; i++) {
        hsock *h = a->socks->pdata[i];
        if (h->stun)
            stun_client_timeout(h->stun, now);
        if (h->turn)
            turn_client_timeout(h->turn, now);
    }
    ice_app_kick(a);
}

/* ---------------------------------------------------------------- lifecycle */

static void hsock_free(void *p)
{
    hsock *h = p;
    sim_sock_close(h->sock);
    stun_client_free(h->stun);
    turn_client_free(h->turn);
    g_array_free(h->permitted, TRUE);
    g_queue_clear_full(&h->held, g_free);
    g_free(h);
}

void ice_app_free(ice_app *a)
{
    if (!a || a->stopped)
        return;
    a->stopped = true;
    g_ptr_array_free(a->socks, TRUE);
    sim_timer_free(a->timer);
    ice_agent_free(a->agent);
}

static void app_world_free(void *data)
{
    ice_app_free(data);
    g_free(data);
}

static int open_sock(ice_app *a, const sim_ip *ip, unsigned comp, unsigned rank, GError **err)
{
    sim_sock *s = sim_udp_open(a->node, ip->family);
    sim_ep local = { .ip = *ip };
    int rc = s ? sim_sock_bind(s, &local) : -EINVAL;
    if (rc) {
        char b[SIM_IP_STRLEN];
        g_set_error(err, ice_quark(), -rc, "%s: cannot bind UDP on %s: %s", a->node->name,
                    sim_ip_fmt(ip, b, sizeof b), g_strerror(-rc));
        sim_sock_close(s);
        return rc;
    }
    hsock *h = g_new0(hsock, 1);
    *h = (hsock){ .app = a, .id = a->socks->len + 1, .comp = comp, .rank = rank, .sock = s,
                  .local = sim_sock_local(s), .permitted = g_array_new(FALSE, FALSE, sizeof(sim_ip)) };
    sim_sock_on_recv(s, on_recv, h);
    g_ptr_array_add(a->socks, h);
    return 0;
}

/* Appends to out (of sim_ip) every usable unicast address of family fam on the node, interfaces
 * in order and each interface's addresses in order. IPv6 link-local addresses are skipped: they
 * mean something only with a zone (the interface), which a candidate line cannot carry, so
 * only an on-link peer could use one, and that peer reaches the global addresses of the same
 * link too. */
static void node_addrs(const sim_node *n, int fam, GArray *out)
{
    for (guint i = 0; i < n->ifaces->len; i++) {
        const sim_iface *f = n->ifaces->pdata[i];
        const GArray *as = fam == SIM_AF_INET ? f->addrs4 : f->addrs6;
        for (guint k = 0; as && k < as->len; k++) {
            const sim_ip *ip = &g_array_index(as, sim_ifaddr, k).ip;
            if (!sim_ip_is_any(ip) && !sim_ip_is_link_local6(ip))
                g_array_append_val(out, *ip);
        }
    }
}

/* One socket per (component, host address). The n-th address of each family gets rank n, so
 * ice_local_pref interleaves the families (RFC 8421 §4): IPv6 #0, IPv4 #0, IPv6 #1, IPv4 #1, ...
 * and the sockets are opened in that order. */
static int open_socks(ice_app *a, GError **err)
{
    unsigned comps = a->cfg.agent.components ? a->cfg.agent.components : 1;
    GArray *v6 = g_array_new(FALSE, FALSE, sizeof(sim_ip)), *v4 = g_array_new(FALSE, FALSE, sizeof(sim_ip));
    node_addrs(a->node, SIM_AF_INET6, v6);
    node_addrs(a->node, SIM_AF_INET, v4);
    int rc = 0;
    for (unsigned k = 1; k <= comps && !rc; k++)
        for (guint r = 0; r < MAX(v6->len, v4->len) && !rc; r++) {
            if (r < v6->len)
                rc = open_sock(a, &g_array_index(v6, sim_ip, r), k, r, err);
            if (!rc && r < v4->len)
                rc = open_sock(a, &g_array_index(v4, sim_ip, r), k, r, err);
        }
    g_array_free(v6, TRUE);
    g_array_free(v4, TRUE);
    if (rc)
        return -1;
    if (!a->socks->len) {
        g_set_error(err, ice_quark(), EADDRNOTAVAIL, "%s: no address to gather", a->node->name);
        return -1;
    }
    return 0;
}

/* Gathering cores: a STUN client on every socket of the STUN server's family (a srflx
 * candidate per base), a TURN client on the first socket of the TURN server's family of each
 * component (one allocation per component). Returns 0, or -1 with err set. */
static int add_gatherers(ice_app *a, const ice_app_cfg *cfg, GError **err)
{
    bool turns[ICE_COMPONENTS_MAX + 1] = { false };
    for (guint i = 0; i < a->socks->len; i++) {
        hsock *h = a->socks->pdata[i];
        if (a->cfg.stun.port && h->local.ip.family == a->cfg.stun.ip.family)
            h->stun = stun_client_new(&(stun_client_cfg){ .fingerprint = true }, &a->node->rng);
        if (!a->cfg.turn.port || h->local.ip.family != a->cfg.turn.ip.family || turns[h->comp])
            continue;
        turns[h->comp] = true;
        turn_client_cfg tc = { .server = a->cfg.turn, .username = cfg->turn_user,
                               .password = cfg->turn_pass };
        h->turn = turn_client_new(&tc, &a->node->rng);
        if (!h->turn) {
            g_set_error(err, ice_quark(), EINVAL, "%s: TURN needs a user and password",
                        a->node->name);
            return -1;
        }
    }
    return 0;
}

ice_app *ice_app_new(sim_node *n, const ice_app_cfg *cfg, GError **err)
{
    ice_app *a = g_new0(ice_app, 1);
    a->world = n->world;
    a->node = n;
    a->cfg = *cfg;
    a->cfg.agent.ufrag = a->cfg.agent.pwd = NULL; /* copied by the agent, not kept here */
    a->cfg.turn_user = a->cfg.turn_pass = NULL;
    a->agent = ice_agent_new(&cfg->agent, &n->rng);
    a->socks = g_ptr_array_new_with_free_func(hsock_free);
    a->timer = sim_timer_new(n->world, on_timer, a);
    sim_world_on_free(n->world, app_world_free, a);
    if (!a->agent) {
        g_set_error(err, ice_quark(), EINVAL, "%s: bad ICE agent configuration", n->name);
        ice_app_free(a);
        return NULL;
    }
    if (open_socks(a, err)) {
        ice_app_free(a);
        return NULL;
    }
    if (add_gatherers(a, cfg, err)) {
        ice_app_free(a);
        return NULL;
    }
    return a;
}

void ice_app_gather(ice_app *a)
{
    if (a->stopped || a->gathering)
        return;
    sim_time_t now = sim_world_now(a->world);
    a->pending = 1; /* held until every request below is started */
    a->gathering = true;
    for (guint i = 0; i < a->socks->len; i++) {
        hsock *h = a->socks->pdata[i];
        add_cand(a, ICE_CAND_HOST, &h->local, &h->local, h->id, NULL, h->comp, h->rank, NULL);
        if (h->stun && stun_client_binding(h->stun, now, &a->cfg.stun, 0, NULL) == 0)
            a->pending++;
        if (h->turn && turn_client_allocate(h->turn, now) == 0)
            a->pending++;
    }
    gathered_one(a);
    ice_app_kick(a);
}

ice_agent *ice_app_agent(ice_app *a) { return a->agent; }

sim_node *ice_app_node(ice_app *a) { return a->node; }

int ice_app_send(ice_app *a, unsigned comp, const uint8_t *data, size_t len)
{
    int rc = ice_agent_send(a->agent, sim_world_now(a->world), comp, data, len);
    ice_app_kick(a);
    return rc;
}

void ice_app_on_event(ice_app *a, ice_app_event_fn fn, void *ctx)
{
    a->on_event = fn;
    a->event_ctx = ctx;
}

void ice_app_on_cand(ice_app *a, ice_app_cand_fn fn, void *ctx)
{
    a->on_cand = fn;
    a->cand_ctx = ctx;
}

void ice_app_on_data(ice_app *a, ice_app_data_fn fn, void *ctx)
{
    a->on_data = fn;
    a->data_ctx = ctx;
}
