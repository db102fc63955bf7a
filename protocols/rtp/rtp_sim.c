/* protocols/rtp/rtp_sim.c — the thin driver: an RTP session core on simulated UDP sockets
 * (RTP on `port`, RTCP on `port + 1`, or both on one with RFC 5761 multiplexing) and one
 * timer, as a real endpoint would run it with sockets and a poll loop. After every input or
 * timeout it drains the core's outbox and re-arms the timer at the core's next deadline. */
#include "protocols/rtp/rtp.h"

#include "sim/socket.h"
#include "sim/timer.h"
#include "sim/trace.h"

struct rtp_app {
    sim_world *world;
    sim_node *node;
    sim_sock *rtp, *rtcp;     /* rtcp == NULL with rtcp_mux */
    sim_timer *timer;
    sim_ref ref;
    rtp_session *core;
    sim_ep to, rtcp_to;
    bool latch;
    rtp_app_send_fn send;     /* external transport, or NULL */
    void *send_ctx;
};

static void kick(rtp_app *a)
{
    if (!a->core)
        return;
    rtp_out o;
    while (rtp_session_pop(a->core, &o)) {
        if (a->send) {
            a->send(o.data, o.len, o.rtcp, a->send_ctx);
            continue;
        }
        sim_sock *s = o.rtcp && a->rtcp ? a->rtcp : a->rtp;
        sim_sock_sendto(s, o.data, o.len, o.rtcp ? &a->rtcp_to : &a->to); /* lost if unroutable */
    }
    sim_time_t next = rtp_session_next_deadline(a->core);
    sim_timer_set(a->timer, next);
}

/* One event-log record "rtp" (only when the log is on): what happened and the counters a
 * reader wants next to it. */
static void log_event(rtp_app *a, const char *event)
{
    trace_log *log = sim_world_log(a->world);
    if (!trace_log_on(log))
        return;
    const rtp_stats *st = rtp_session_stats(a->core);
    char ssrc[16];
    g_snprintf(ssrc, sizeof ssrc, "0x%08x", st->local_ssrc);
    GString *r = trace_log_begin(log, sim_world_now(a->world), a->node->name, "rtp");
    trace_log_str(r, "event", event);
    trace_log_str(r, "ssrc", ssrc);
    trace_log_int(r, "sent", (int64_t)st->packets_sent);
    trace_log_int(r, "received", (int64_t)st->packets_received);
    trace_log_int(r, "lost", st->lost);
    trace_log_end(log, r);
}

/* One datagram in: to the core, then the latch (from == NULL: external transport). */
static void input(rtp_app *a, const uint8_t *data, size_t len, const sim_ep *from)
{
    uint64_t byes = rtp_session_stats(a->core)->bye_received;
    int rc = rtp_session_input(a->core, sim_world_now(a->world), data, len);
    if (a->latch && from && rc == 0) {
        /* RFC 4961: answer the source address and port the packets come from (through any
         * NAT), not what the signalling said; RTCP learns its own (or shares RTP's, muxed). */
        bool rtcp = rtp_is_rtcp(data, len);
        sim_ep *dst = rtcp && a->rtcp ? &a->rtcp_to : &a->to;
        if (!sim_ep_eq(dst, from)) {
            *dst = *from;
            log_event(a, rtcp ? "latched-rtcp" : "latched");
        }
    }
    if (rtp_session_stats(a->core)->bye_received != byes)
        log_event(a, "bye-received");
    kick(a);
}

static void on_recv(sim_sock *s, const uint8_t *data, size_t len, const sim_ep *from,
                    const sim_ep *to, void *ctx)
{
    input(ctx, data, len, from);
}

void rtp_app_input(rtp_app *a, const uint8_t *data, size_t len)
{
    if (a->core)
        input(a, data, len, NULL);
}

static void on_timer(sim_timer *t, void *ctx)
{
    rtp_app *a = ctx;
    rtp_session_timeout(a->core, sim_world_now(a->world));
    kick(a);
}

static void app_stop(rtp_app *a)
{
    if (!a->core)
        return;
    sim_sock_close(a->rtp);
    sim_sock_close(a->rtcp);
    a->rtp = a->rtcp = NULL;
    sim_timer_free(a->timer);
    a->timer = NULL;
    rtp_session_free(a->core);
    a->core = NULL;
    sim_world_ref_drop(a->world, a->ref);
}

static void app_world_free(void *data)
{
    app_stop(data);
    g_free(data);
}

void rtp_app_free(rtp_app *a)
{
    if (a)
        app_stop(a);
}

rtp_app *rtp_app_new(sim_node *n, const rtp_app_cfg *cfg, GError **err)
{
    int family = cfg->to.ip.family == SIM_AF_INET6 ? SIM_AF_INET6 : SIM_AF_INET;
    sim_sock *rtp = NULL, *rtcp = NULL;
    if (!cfg->send && !(rtp = sim_udp_open_bound(n, family, cfg->port, err)))
        return NULL;
    if (!cfg->send && !cfg->rtcp_mux &&
        !(rtcp = sim_udp_open_bound(n, family, (uint16_t)(cfg->port + 1), err))) {
        sim_sock_close(rtp);
        return NULL;
    }
    rtp_app *a = g_new0(rtp_app, 1);
    a->world = n->world;
    a->node = n;
    a->rtp = rtp;
    a->rtcp = rtcp;
    a->to = cfg->to;
    a->rtcp_to = cfg->rtcp_to;
    a->latch = cfg->latch;
    a->send = cfg->send;
    a->send_ctx = cfg->send_ctx;
    if (!a->rtcp_to.port)
        a->rtcp_to = (sim_ep){ cfg->to.ip, (uint16_t)(cfg->to.port + (cfg->rtcp_mux ? 0 : 1)) };
    a->timer = sim_timer_new(n->world, on_timer, a);
    a->ref = sim_world_ref_new(n->world, a, RTP_REF_KIND);
    sim_time_t now = sim_world_now(n->world);
    a->core = rtp_session_new(&cfg->session, &n->rng, now);
    if (cfg->duration)
        rtp_session_send_start(a->core, now, now + cfg->duration);
    if (rtp)
        sim_sock_on_recv(rtp, on_recv, a);
    if (rtcp)
        sim_sock_on_recv(rtcp, on_recv, a);
    sim_world_on_free(n->world, app_world_free, a);
    rtp_session_timeout(a->core, now);
    log_event(a, "start");
    kick(a);
    return a;
}

void rtp_app_bye(rtp_app *a, const char *reason)
{
    if (!a->core)
        return;
    rtp_session_bye(a->core, sim_world_now(a->world), reason);
    log_event(a, "bye-sent");
    kick(a);
}

rtp_session *rtp_app_session(rtp_app *a) { return a->core; }

sim_node *rtp_app_node(rtp_app *a) { return a->node; }

sim_ref rtp_app_ref(rtp_app *a) { return a->ref; }
