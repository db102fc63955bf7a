/* protocols/sip/sip_sim.c — the thin driver: a UA or server core on one simulated UDP socket
 * and a TCP listener with its connections (sip_tcp.c; port 5060 by default) and one timer; for a server, RFC 3263 lookups through a stub DNS
 * resolver (dns_app_resolver) and sip_locate. After every input or timeout it drains the
 * core's outbox, logs each message ("sip" records: "tx INVITE", "rx 180 Ringing"), re-arms the
 * timer and calls the notify callback (the Lua binding reads the UA's events there). */
#include <errno.h>
#include "protocols/sip/sip.h"
#include "protocols/sip/sip_tcp_priv.h"
#include "sim/socket.h"
#include "sim/timer.h"
#include "sim/trace.h"

typedef struct sip_lookup {
    sip_app *app;
    unsigned id;
    sip_locate loc;
} sip_lookup;

struct sip_app {
    sim_world *world;
    sim_node *node;
    sim_sock *sock;
    sip_tcp *tcp;
    sim_timer *timer;
    sim_ref ref;
    sip_ua *ua;
    sip_server *srv;
    dns_app *dns;          /* servers with a DNS server configured */
    GPtrArray *lookups;    /* sip_lookup *, owned */
    sip_app_notify_fn notify;
    void *notify_ctx;
    bool notifying;
    bool kicking;          /* draining the outbox: a lost message is handled by that loop */
    sim_sock *sock2;       /* UDP of the other family (a dual-stack node), or NULL */
    int family, family2;   /* of sock and sock2 (0: none) */
    uint64_t tcp_lost;     /* messages TCP could not send that no transaction was told of */
    GHashTable *dgram_tcp; /* "source|branch" of requests that came as datagrams with a TCP
                              Via -> sim_time_t * until when their answers go as datagrams */
};

static GQuark sip_quark(void) { return g_quark_from_static_string("sip-app"); }

/* RFC 5626 §4.4.1: a CRLFCRLF ping, which only ever goes over a TCP flow. */
static bool is_ping(const uint8_t *data, size_t len)
{
    return len == 4 && memcmp(data, "\r\n\r\n", 4) == 0;
}

/* "INVITE" or "180 Ringing": the first line's interesting part, for the log. */
static void log_msg(sip_app *a, const char *dir, const uint8_t *data, size_t len,
                    const sim_ep *peer)
{
    trace_log *log = sim_world_log(a->world);
    if (!trace_log_on(log))
        return;
    const char *eol = memchr(data, '\r', len);
    size_t n = eol ? (size_t)(eol - (const char *)data) : MIN(len, (size_t)80);
    g_autofree char *line = g_strndup((const char *)data, n);
    const char *what = line;
    if (is_ping(data, len))
        what = "CRLFCRLF keep-alive";
    else if (sip_is_stun(data, len)) /* RFC 5626 keep-alive */
        what = data[0] == 0 && data[1] == 1 ? "STUN Binding request" : "STUN Binding response";
    else if (g_str_has_prefix(line, "SIP/2.0 "))
        what = line + 8;               /* "180 Ringing" */
    else if (strchr(line, ' '))
        *strchr(line, ' ') = 0;        /* "INVITE" */
    char ep[SIM_EP_STRLEN];
    GString *r = trace_log_begin(log, sim_world_now(a->world), a->node->name, "sip");
    trace_log_str(r, "event", dir);
    trace_log_str(r, "msg", what);
    trace_log_str(r, "peer", sim_ep_fmt(peer, ep, sizeof ep));
    trace_log_end(log, r);
}

/* The sent-by of a TCP Via as an endpoint (§18.2.2): the `received` address, else the sent-by
 * host when it is an IP literal (else the IP of *ep is kept), and the sent-by port, else 5060. */
static void via_reopen(const sip_via *v, sim_ep *ep)
{
    sip_str h = v->received.len ? v->received : v->host;
    char host[SIM_EP_STRLEN];
    sim_ip ip;
    if (h.len < sizeof host) {
        memcpy(host, h.p, h.len);
        host[h.len] = 0;
        if (sim_ip_parse(host, &ip) == 0)
            ep->ip = ip;
    }
    ep->port = v->port >= 0 ? (uint16_t)v->port : SIP_PORT;
}

/* True when the message's top Via names TCP (§18.1.1: a request goes over the transport its
 * Via says; §18.2.2: a response to a TCP Via goes over TCP). For a response, *reopen becomes
 * where §18.2.2 sends it when the request's connection is gone (not the connection's source
 * port, which nothing listens on): the Via's received address and sent-by port. */
static bool via_says_tcp(const uint8_t *data, size_t len, sim_ep *reopen)
{
    if (!memmem(data, len, "/TCP", 4))
        return false; /* the common case, without decoding */
    sip_msg *m = NULL;
    sip_via v;
    bool tcp = sip_msg_decode(data, len, &m, NULL) == 0 && sip_msg_via(m, 0, &v) == 0 &&
               v.transport.len == 3 && g_ascii_strncasecmp(v.transport.p, "TCP", 3) == 0;
    if (tcp && !m->request)
        via_reopen(&v, reopen);
    sip_msg_free(m);
    return tcp;
}

/* "<ep>|<branch>" for a message whose top Via names TCP (owned), else NULL. A request that
 * does not decode is read the way its answer is built (sip_msg_salvage). */
static char *tcp_via_key(const sim_ep *ep, const uint8_t *data, size_t len)
{
    if (!memmem(data, len, "/TCP", 4))
        return NULL;
    /* the usual case, cheaply: the first sent-protocol (the top Via's) says UDP, so no decode
     * (a Via further down, of an earlier TCP hop, must not cost every datagram one) */
    const uint8_t *p = memmem(data, len, "/2.0/", 5);
    if (p && (size_t)(data + len - p) >= 8 &&
        g_ascii_strncasecmp((const char *)p + 5, "UDP", 3) == 0)
        return NULL;
    sip_msg *m = NULL;
    sip_via v;
    char *key = NULL, e[SIM_EP_STRLEN];
    if ((sip_msg_decode(data, len, &m, NULL) == 0 || sip_msg_salvage(data, len, &m) == 0) &&
        sip_msg_via(m, 0, &v) == 0 && v.transport.len == 3 &&
        g_ascii_strncasecmp(v.transport.p, "TCP", 3) == 0)
        key = g_strdup_printf("%s|%.*s", sim_ep_fmt(ep, e, sizeof e), (int)v.branch.len,
                              v.branch.p);
    sip_msg_free(m);
    return key;
}

static gboolean dgram_expired(gpointer key, gpointer until, gpointer now)
{
    (void)key;
    return *(sim_time_t *)until <= *(sim_time_t *)now;
}

/* RFC 3261 §18.2.2 answers over the transport of the top Via, assuming the request came that
 * way. One whose Via says TCP but that came as a datagram (RFC 4475 scalar02, unkscm) is
 * answered as a datagram: its source and branch are remembered for 64*T1, the longest a
 * server transaction lives. The cores stay transport-blind. */
static void dgram_arrived(sip_app *a, const sim_ep *from, const uint8_t *data, size_t len)
{
    char *key = tcp_via_key(from, data, len);
    if (!key)
        return;
    sim_time_t now = sim_world_now(a->world);
    if (!a->dgram_tcp)
        a->dgram_tcp = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_hash_table_foreach_remove(a->dgram_tcp, dgram_expired, &now);
    sim_time_t *until = g_new(sim_time_t, 1);
    *until = now + 64 * SIP_T1;
    g_hash_table_replace(a->dgram_tcp, key, until);
}

/* True when response o answers a request remembered by dgram_arrived. */
static bool answers_dgram(const sip_app *a, const sip_out *o)
{
    if (!a->dgram_tcp || !g_hash_table_size(a->dgram_tcp) || o->len < 8 ||
        memcmp(o->data, "SIP/2.0 ", 8) != 0)
        return false;
    g_autofree char *key = tcp_via_key(&o->to, o->data, o->len);
    sim_time_t *until = key ? g_hash_table_lookup(a->dgram_tcp, key) : NULL;
    return until && *until > sim_world_now(a->world);
}

/* TCP could not send data (§18.4): the core fails the client transaction it belongs to (503),
 * or, for a response or a request outside any transaction, it is counted as lost. */
static void transport_error(sip_app *a, const sim_ep *to, const uint8_t *data, size_t len)
{
    sim_time_t now = sim_world_now(a->world);
    int told = a->ua ? sip_ua_transport_error(a->ua, now, data, len)
                     : sip_server_transport_error(a->srv, now, data, len);
    log_msg(a, told ? "transport-error" : "lost", data, len, to);
    if (!told)
        a->tcp_lost++;
}

/* One message out: on the open TCP connection to o->to (the one a request came in on, or one
 * we opened before: RFC 5923 reuse), on a new one when the Via says TCP (for a response whose
 * connection is gone: to the Via's sent-by, §18.2.2), else UDP. */
static void send_out(sip_app *a, const sip_out *o)
{
    if (is_ping(o->data, o->len)) { /* no connection: lost, and the flow fails */
        sip_tcp_send(a->tcp, &o->to, o->data, o->len, false);
        return;
    }
    sim_ep to = o->to;
    bool tcp = via_says_tcp(o->data, o->len, &to);
    if (tcp && !sip_tcp_has(a->tcp, &o->to) && answers_dgram(a, o))
        tcp = false; /* the request came as a datagram: so does its answer */
    if (!tcp || sip_tcp_has(a->tcp, &o->to))
        to = o->to;
    int rc = sip_tcp_send(a->tcp, &to, o->data, o->len, tcp);
    sim_sock *udp = o->to.ip.family == a->family    ? a->sock
                    : o->to.ip.family == a->family2 ? a->sock2
                                                    : NULL;
    if (rc == 0 && udp)
        sim_sock_sendto(udp, o->data, o->len, &o->to); /* lost if unroutable, as on a wire */
    else if (rc < 0 || (rc == 0 && !udp)) /* no route to connect; no address of the family */
        transport_error(a, &to, o->data, o->len);
}

static sim_time_t deadline(const sip_app *a)
{
    sim_time_t d = a->ua ? sip_ua_next_deadline(a->ua) : sip_server_next_deadline(a->srv);
    return d;
}

static void start_lookups(sip_app *a);

void sip_app_kick(sip_app *a)
{
    if (!a->sock)
        return;
    sip_out o;
    bool outer = !a->kicking;
    a->kicking = true;
    while (a->ua ? sip_ua_pop(a->ua, &o) : sip_server_pop(a->srv, &o)) {
        log_msg(a, "tx", o.data, o.len, &o.to);
        send_out(a, &o); /* a failure now or later reaches transport_error */
        sip_out_clear(&o);
    }
    if (outer)
        a->kicking = false;
    if (a->srv)
        start_lookups(a);
    sim_time_t next = deadline(a);
    if (next == SIM_TIME_NEVER)
        sim_timer_cancel(a->timer);
    else if (sim_timer_deadline(a->timer) != next)
        sim_timer_at(a->timer, next);
    if (a->notify && !a->notifying) {
        a->notifying = true; /* the callback may call back into the core and kick again */
        a->notify(a, a->notify_ctx);
        a->notifying = false;
    }
}

/* ---------------------------------------------------------------- RFC 3263 lookups */

static void lookup_step(sip_lookup *l);

static void lookup_done(void *ctx, const dns_result *r)
{
    sip_lookup *l = ctx;
    sip_locate_feed(&l->loc, r);
    lookup_step(l);
}

/* Logs the targets RFC 3263 found ("located": "18.7.22.85:5060/udp 18.7.22.83:5060/udp"). */
static void log_located(sip_app *a, const sip_target *t, size_t n)
{
    trace_log *log = sim_world_log(a->world);
    if (!trace_log_on(log))
        return;
    GString *list = g_string_new(NULL);
    for (size_t i = 0; i < n; i++) {
        char ep[SIM_EP_STRLEN];
        g_string_append_printf(list, "%s%s/%s", i ? " " : "", sim_ep_fmt(&t[i].ep, ep, sizeof ep),
                               t[i].tcp ? "tcp" : "udp");
    }
    GString *r = trace_log_begin(log, sim_world_now(a->world), a->node->name, "sip");
    trace_log_str(r, "event", "located");
    trace_log_str(r, "targets", n ? list->str : "none");
    trace_log_end(log, r);
    g_string_free(list, TRUE);
}

/* Asks the next question, or hands the targets to the server core and frees the lookup.
 * Targets of an address family the app has no socket for are left out. */
static void lookup_step(sip_lookup *l)
{
    sip_app *a = l->app;
    dns_name name;
    uint16_t type;
    dns_resolver *res = a->dns ? dns_app_resolver_core(a->dns) : NULL;
    if (res && sip_locate_next(&l->loc, &name, &type)) {
        /* the callback may run before this returns (a cached answer): it continues the chain */
        dns_resolver_lookup(res, sim_world_now(a->world), &name, type, lookup_done, l, NULL);
        dns_app_kick(a->dns);
        return;
    }
    const sip_target *all;
    size_t n = res ? sip_locate_targets(&l->loc, &all) : 0, k = 0;
    sip_target usable[SIP_LOCATE_MAX];
    for (size_t i = 0; i < n; i++)
        if (all[i].ep.ip.family == a->family || all[i].ep.ip.family == a->family2)
            usable[k++] = all[i];
    unsigned id = l->id;
    log_located(a, usable, k);
    g_ptr_array_remove(a->lookups, l);
    sip_server_located_list(a->srv, sim_world_now(a->world), id, k ? 0 : -EHOSTUNREACH, usable,
                            k);
    sip_app_kick(a);
}

static void start_lookups(sip_app *a)
{
    unsigned id;
    char uri[DNS_NAME_STRLEN + 256];
    bool prefer_tcp;
    while (sip_server_lookup_pop_uri(a->srv, &id, uri, sizeof uri, &prefer_tcp)) {
        sip_lookup *l = g_new0(sip_lookup, 1);
        l->app = a;
        l->id = id;
        g_ptr_array_add(a->lookups, l);
        sip_locate_init_uri(&l->loc, uri, prefer_tcp, &a->node->rng); /* bad: FAILED, 503 */
        lookup_step(l);
    }
}

/* ---------------------------------------------------------------- events */

/* One whole message from UDP or from a TCP connection (framed by sip_tcp.c). */
static void on_msg(void *ctx, const sim_ep *from, const uint8_t *data, size_t len)
{
    sip_app *a = ctx;
    log_msg(a, "rx", data, len, from);
    sim_time_t now = sim_world_now(a->world);
    if (a->ua)
        sip_ua_input(a->ua, now, from, data, len); /* malformed: counted, dropped */
    else
        sip_server_input(a->srv, now, from, data, len);
    sip_app_kick(a);
}

/* A message a TCP connection never sent (it failed to open, or ended first). */
static void on_lost(void *ctx, const sim_ep *peer, const uint8_t *data, size_t len)
{
    sip_app *a = ctx;
    transport_error(a, peer, data, len);
    if (!a->kicking)
        sip_app_kick(a); /* the core may have queued something: a 503 upstream, a CANCEL */
}

static bool on_busy(void *ctx, const sim_ep *peer)
{
    sip_app *a = ctx;
    return a->ua ? sip_ua_peer_busy(a->ua, peer) : sip_server_peer_busy(a->srv, peer);
}

/* RFC 5626 §4.4.2 / §8: STUN on the SIP port. A server answers Binding requests (the
 * keep-alive keeps an edge's flow alive); a UA hands the answer to its core. */
static void on_stun(sip_app *a, sim_sock *s, const sim_ep *from, const uint8_t *data,
                    size_t len)
{
    log_msg(a, "rx", data, len, from);
    sim_time_t now = sim_world_now(a->world);
    uint8_t out[64];
    size_t n;
    if (a->ua) {
        sip_ua_keepalive_input(a->ua, now, from, data, len);
    } else if (sip_stun_keepalive_answer(data, len, from, out, sizeof out, &n) == 0) {
        log_msg(a, "tx", out, n, from);
        sim_sock_sendto(s, out, n, from); /* the socket (family) it came in on */
        sip_server_keepalive(a->srv, now, from);
    }
    sip_app_kick(a);
}

/* RFC 5626 on TCP: a ping (answered by sip_tcp.c) keeps a server's flow alive, a pong
 * answers a UA's ping, a closed connection ends the flow. The callback runs inside the TCP
 * layer: the core is only told, and the timer (at once) sends what it queued. */
static void on_tcp_event(void *ctx, const sim_ep *peer, sip_tcp_event ev)
{
    sip_app *a = ctx;
    sim_time_t now = sim_world_now(a->world);
    if (a->srv && ev == SIP_TCP_PING)
        sip_server_keepalive(a->srv, now, peer);
    else if (a->srv && ev == SIP_TCP_CLOSED)
        sip_server_flow_closed(a->srv, peer);
    else if (a->ua && ev != SIP_TCP_PING)
        sip_ua_flow_event(a->ua, now, peer, ev == SIP_TCP_CLOSED);
    if (a->timer && a->ua)
        sim_timer_at(a->timer, now);
}

static void on_recv(sim_sock *s, const uint8_t *data, size_t len, const sim_ep *from,
                    const sim_ep *to, void *ctx)
{
    (void)to;
    if (sip_is_stun(data, len)) { /* first byte 0 or 1; SIP starts with a letter */
        on_stun(ctx, s, from, data, len);
        return;
    }
    dgram_arrived(ctx, from, data, len);
    on_msg(ctx, from, data, len);
}

static void on_timer(sim_timer *t, void *ctx)
{
    (void)t;
    sip_app *a = ctx;
    sim_time_t now = sim_world_now(a->world);
    if (a->ua)
        sip_ua_timeout(a->ua, now);
    else
        sip_server_timeout(a->srv, now);
    sip_app_kick(a);
}

static void app_stop(sip_app *a)
{
    if (!a->sock)
        return;
    sim_sock_close(a->sock);
    a->sock = NULL;
    sim_sock_close(a->sock2);
    a->sock2 = NULL;
    sip_tcp_free(a->tcp);
    a->tcp = NULL;
    sim_timer_free(a->timer);
    a->timer = NULL;
    dns_app_free(a->dns); /* pending lookups are dropped without a callback */
    a->dns = NULL;
    g_ptr_array_free(a->lookups, TRUE);
    sip_ua_free(a->ua);
    sip_server_free(a->srv);
    a->ua = NULL;
    a->srv = NULL;
    if (a->dgram_tcp)
        g_hash_table_destroy(a->dgram_tcp);
    a->dgram_tcp = NULL;
    sim_world_ref_drop(a->world, a->ref);
}

static void app_world_free(void *data)
{
    app_stop(data);
    g_free(data);
}

void sip_app_free(sip_app *a)
{
    if (a)
        app_stop(a);
}

/* A UDP socket of family bound to port, or NULL with err. */
static sim_sock *udp_bind(sim_node *n, int family, uint16_t port, GError **err)
{
    sim_sock *s = sim_udp_open(n, family);
    if (!s) {
        g_set_error(err, sip_quark(), EINVAL, "%s: cannot open a UDP socket", n->name);
        return NULL;
    }
    sim_ep bind = { .port = port };
    int rc = sim_sock_bind(s, &bind);
    if (rc) {
        g_set_error(err, sip_quark(), -rc, "%s: cannot bind SIP port %u: %s", n->name, port,
                    g_strerror(-rc));
        sim_sock_close(s);
        return NULL;
    }
    return s;
}

/* The other family than the app's own address, when the node has a usable address of it (any
 * IPv4 address, a global IPv6 one), else 0. */
static int other_family(sim_node *n, const sim_ep *local)
{
    sim_ip ip;
    if (local->ip.family == SIM_AF_INET6)
        return sim_node_first_addr(n, SIM_AF_INET).family ? SIM_AF_INET : 0;
    return sip_node_global6(n, &ip) ? SIM_AF_INET6 : 0;
}

/* Dual stack: UDP and TCP on the same port in the other family too. 0 or -1 with err. */
static int listen_other(sip_app *a, const sim_ep *local, GError **err)
{
    int fam = other_family(a->node, local);
    if (!fam)
        return 0;
    a->sock2 = udp_bind(a->node, fam, local->port, err);
    if (!a->sock2)
        return -1;
    a->family2 = fam;
    sim_sock_on_recv(a->sock2, on_recv, a);
    int rc = sip_tcp_listen_also(a->tcp, fam, local->port);
    if (rc < 0) {
        g_set_error(err, sip_quark(), -rc, "%s: cannot listen on TCP port %u: %s",
                    a->node->name, local->port, g_strerror(-rc));
        return -1;
    }
    return 0;
}

/* Opens and binds the sockets, creates the shared parts. NULL with err on failure. */
static sip_app *app_new(sim_node *n, const sim_ep *local, GError **err)
{
    int fam = local->ip.family == SIM_AF_INET6 ? SIM_AF_INET6 : SIM_AF_INET, rc;
    sim_sock *s = udp_bind(n, fam, local->port, err);
    if (!s)
        return NULL;
    sip_app *a = g_new0(sip_app, 1);
    a->family = fam;
    a->tcp = sip_tcp_new(n, local, on_msg, a, &rc); /* §18: TCP on the same port */
    if (!a->tcp) {
        g_set_error(err, sip_quark(), -rc, "%s: cannot listen on TCP port %u: %s", n->name,
                    local->port, g_strerror(-rc));
        sim_sock_close(s);
        g_free(a);
        return NULL;
    }
    sip_tcp_set_hooks(a->tcp, on_lost, on_busy, a);
    sip_tcp_on_event(a->tcp, on_tcp_event);
    a->world = n->world;
    a->node = n;
    a->sock = s;
    a->timer = sim_timer_new(n->world, on_timer, a);
    a->ref = sim_world_ref_new(n->world, a, SIP_REF_KIND);
    a->lookups = g_ptr_array_new_with_free_func(g_free);
    a->family = local->ip.family == SIM_AF_INET6 ? SIM_AF_INET6 : SIM_AF_INET;
    sim_sock_on_recv(s, on_recv, a);
    if (listen_other(a, local, err) < 0) {
        app_stop(a);
        g_free(a);
        return NULL;
    }
    return a;
}

sip_app *sip_app_ua(sim_node *n, const sip_ua_cfg *cfg, GError **err)
{
    sip_ua_cfg c = *cfg; /* dual stack: the IPv6 address for IPv6 next hops (RFC 6157) */
    if (c.local.ip.family == SIM_AF_INET && c.local6.family == SIM_AF_NONE)
        sip_node_global6(n, &c.local6);
    sip_ua *core = sip_ua_new(&c, &n->rng);
    if (!core) {
        g_set_error(err, sip_quark(), EINVAL, "%s: bad UA configuration (aor, local address)",
                    n->name);
        return NULL;
    }
    sip_app *a = app_new(n, &cfg->local, err);
    if (!a) {
        sip_ua_free(core);
        return NULL;
    }
    a->ua = core;
    sim_world_on_free(n->world, app_world_free, a);
    return a;
}

sip_app *sip_app_server(sim_node *n, const sip_server_cfg *cfg, const sim_ep *dns_server,
                        GError **err)
{
    sip_server_cfg c = *cfg; /* dual stack: Via and Record-Route per family (RFC 6157) */
    if (c.self.ip.family == SIM_AF_INET && c.self6.family == SIM_AF_NONE)
        sip_node_global6(n, &c.self6);
    sip_server *core = sip_server_new(&c, &n->rng);
    if (!core) {
        g_set_error(err, sip_quark(), EINVAL, "%s: bad SIP server configuration", n->name);
        return NULL;
    }
    sip_app *a = app_new(n, &cfg->self, err);
    if (!a) {
        sip_server_free(core);
        return NULL;
    }
    a->srv = core;
    if (dns_server && dns_server->port) {
        dns_resolver_cfg rc = { .server = *dns_server };
        a->dns = dns_app_resolver(n, &rc, err);
        if (!a->dns) {
            app_stop(a);
            g_free(a);
            return NULL;
        }
    }
    /* registered after the resolver's hook: hooks run in reverse, so ours stops it first */
    sim_world_on_free(n->world, app_world_free, a);
    return a;
}

sip_ua *sip_app_ua_core(sip_app *a) { return a->ua; }

sip_server *sip_app_server_core(sip_app *a) { return a->srv; }

sim_node *sip_app_node(sip_app *a) { return a->node; }

sim_ref sip_app_ref(sip_app *a) { return a->ref; }

size_t sip_app_tcp_conns(sip_app *a) { return a->tcp ? sip_tcp_count(a->tcp) : 0; }

void sip_app_on_notify(sip_app *a, sip_app_notify_fn fn, void *ctx)
{
    a->notify = fn;
    a->notify_ctx = ctx;
}

void sip_app_set_tcp_idle(sip_app *a, sim_time_t idle)
{
    if (a->tcp)
        sip_tcp_set_idle(a->tcp, idle, idle ? MAX(idle, SIP_TCP_IDLE_ACCEPTED) : 0);
}

uint64_t sip_app_tcp_lost(sip_app *a) { return a->tcp_lost; }

bool sip_node_global6(const sim_node *n, sim_ip *out)
{
    for (guint i = 0; i < n->ifaces->len; i++) {
        const sim_iface *f = n->ifaces->pdata[i];
        for (guint j = 0; j < f->addrs6->len; j++) {
            const sim_ifaddr *a = &g_array_index(f->addrs6, sim_ifaddr, j);
            if (!sim_ip_is_link_local6(&a->ip)) {
                *out = a->ip;
                return true;
            }
        }
    }
    return false;
}
