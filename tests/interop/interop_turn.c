/* tests/interop/interop_turn.c — natsim's TURN cores over real UDP sockets on loopback, to be
 * checked against an independent implementation (coturn; the tests/interop/test_turn_ scripts
 * start it).
 *
 *   interop_turn client SERVER USER PASS PEER_IP BAD_IP [ROUNDS] [PAUSE_MS]
 *       the client core against a TURN server: 401 then an authenticated Allocate,
 *       CreatePermission for a peer socket on PEER_IP, Send indications to it and its answers as
 *       Data indications, a peer on BAD_IP (no permission) whose datagram must not come through,
 *       ChannelBind and ChannelData both ways, ROUNDS (default 50) echo round trips on each path,
 *       Refresh (after PAUSE_MS, so a server with a short nonce lifetime answers 438 first),
 *       Refresh with LIFETIME 0, and then nothing relayed any more
 *   interop_turn badauth SERVER USER PASS
 *       an Allocate with wrong credentials must fail with 401
 *   interop_turn server LISTEN RELAY_IP PORT_MIN PORT_MAX REALM USER PASS [SECS]
 *       the server core: a socket on LISTEN and one per allocation on RELAY_IP, until SIGTERM
 *       or SECS seconds; prints its counters when it stops
 *
 * Output is one "key value" line per fact; a failed check prints "FAIL: ..." and exits 1. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "protocols/turn/turn.h"
#include "tests/interop/interop_net.h"

#define SOFTWARE "natsim interop"
#define WAIT (5 * SIM_SEC)

enum { SOCK_CLIENT, SOCK_PEER, SOCK_BAD };

static int failures;
static volatile sig_atomic_t stop;

static void on_signal(int sig) { stop = sig; }

static bool check(bool ok, const char *what)
{
    printf("%s %s\n", ok ? "ok" : "FAIL:", what);
    if (!ok)
        failures++;
    return ok;
}

/* ---------------------------------------------------------------- client side */

/* A datagram one of the peer sockets received. */
typedef struct peer_dgram {
    size_t sock;
    sim_ep from;
    size_t len;
    uint8_t data[STUN_MSG_MAX];
} peer_dgram;

typedef struct cli {
    turn_client *c;
    inet_set s;
    GArray *events;       /* of turn_event, not yet consumed */
    GArray *peer_in;      /* of peer_dgram, not yet consumed */
} cli;

/* One turn of the loop: flush the core, then wait for one datagram or the core's deadline
 * (at most until `until`) and feed it. */
static void pump(cli *x, sim_time_t until)
{
    turn_out o;
    while (turn_client_pop(x->c, &o))
        inet_send(&x->s, SOCK_CLIENT, &o.to, o.data, o.len);
    turn_event ev;
    while (turn_client_pop_event(x->c, &ev))
        g_array_append_val(x->events, ev);
    sim_time_t dl = turn_client_next_deadline(x->c);
    peer_dgram d;
    size_t idx;
    int r = inet_recv(&x->s, dl < until ? dl : until, &idx, &d.from, d.data, sizeof d.data,
                      &d.len);
    if (r > 0 && idx == SOCK_CLIENT) {
        turn_client_input(x->c, inet_now(), &d.from, d.data, d.len);
    } else if (r > 0) {
        d.sock = idx;
        g_array_append_val(x->peer_in, d);
    } else {
        turn_client_timeout(x->c, inet_now());
    }
    while (turn_client_pop_event(x->c, &ev))
        g_array_append_val(x->events, ev);
    while (turn_client_pop(x->c, &o))
        inet_send(&x->s, SOCK_CLIENT, &o.to, o.data, o.len);
}

/* The next client event within WAIT; prints it. False on timeout. */
static bool next_event(cli *x, turn_event *ev)
{
    sim_time_t until = inet_now() + WAIT;
    while (!x->events->len && inet_now() < until)
        pump(x, until);
    if (!x->events->len)
        return false;
    *ev = g_array_index(x->events, turn_event, 0);
    g_array_remove_index(x->events, 0);
    printf("event %s", turn_event_name(ev->kind));
    if (ev->ep.ip.family)
        printf(" %s", inet_ep_str(&ev->ep));
    if (ev->channel)
        printf(" channel 0x%04x", ev->channel);
    if (ev->code)
        printf(" code %u", ev->code);
    printf("\n");
    return true;
}

static bool expect_event(cli *x, turn_event_kind kind, turn_event *out)
{
    turn_event ev = { 0 };
    bool got = next_event(x, &ev);
    char what[64];
    g_snprintf(what, sizeof what, "event %s", turn_event_name(kind));
    if (out)
        *out = ev;
    return check(got && ev.kind == kind, what);
}

/* The next datagram a peer socket received within `wait`; false on timeout. */
static bool next_peer(cli *x, size_t sock, sim_time_t wait, peer_dgram *d)
{
    sim_time_t until = inet_now() + wait;
    for (;;) {
        for (guint i = 0; i < x->peer_in->len; i++)
            if (g_array_index(x->peer_in, peer_dgram, i).sock == sock) {
                *d = g_array_index(x->peer_in, peer_dgram, i);
                g_array_remove_index(x->peer_in, i);
                return true;
            }
        if (inet_now() >= until)
            return false;
        pump(x, until);
    }
}

/* The next datagram relayed to the client within `wait`; false on timeout. */
static bool next_rx(cli *x, sim_time_t wait, turn_rx *rx)
{
    sim_time_t until = inet_now() + wait;
    while (!turn_client_pop_rx(x->c, rx)) {
        if (inet_now() >= until)
            return false;
        pump(x, until);
    }
    return true;
}

/* Client -> relay -> peer, and the peer's answer relay -> client; checks contents, source
 * addresses and the framing (channel 0: Send/Data indications). Returns the round trip in µs,
 * or -1 when something was lost. */
static double round_trip(cli *x, const sim_ep *relayed, uint16_t channel, unsigned i)
{
    char msg[64], reply[64];
    int n = g_snprintf(msg, sizeof msg, "natsim->peer %u via %s", i, channel ? "ChannelData" : "Send");
    int m = g_snprintf(reply, sizeof reply, "peer->natsim %u via %s", i, channel ? "ChannelData" : "Data");
    sim_time_t t0 = inet_now();
    const sim_ep *peer = &x->s.ep[SOCK_PEER];
    turn_client_send(x->c, t0, peer, (const uint8_t *)msg, (size_t)n);
    peer_dgram d;
    if (!next_peer(x, SOCK_PEER, WAIT, &d) || d.len != (size_t)n || memcmp(d.data, msg, d.len) ||
        !sim_ep_eq(&d.from, relayed))
        return -1;
    inet_send(&x->s, SOCK_PEER, relayed, reply, (size_t)m);
    turn_rx rx;
    if (!next_rx(x, WAIT, &rx) || rx.len != (size_t)m || memcmp(rx.data, reply, rx.len) ||
        !sim_ep_eq(&rx.peer, peer) || rx.channel != channel)
        return -1;
    return (double)(inet_now() - t0) / SIM_US;
}

/* ROUNDS round trips on one path; prints the figures. */
static void rounds(cli *x, const sim_ep *relayed, uint16_t channel, unsigned n, const char *path)
{
    double sum = 0, max = 0;
    unsigned lost = 0;
    for (unsigned i = 0; i < n; i++) {
        double us = round_trip(x, relayed, channel, i);
        if (us < 0) {
            lost++;
            continue;
        }
        sum += us;
        max = us > max ? us : max;
    }
    printf("%s round_trips %u lost %u mean_us %.1f max_us %.1f\n", path, n, lost,
           n > lost ? sum / (n - lost) : 0.0, max);
    char what[96];
    g_snprintf(what, sizeof what, "%s: %u round trips through the relay, none lost", path, n);
    check(lost == 0, what);
}

/* A datagram from the peer on BAD_IP (no permission) must not come through, while one from
 * the permitted peer sent right after it does (RFC 8656 §9). */
static void unauthorised_peer(cli *x, const sim_ep *relayed)
{
    static const char bad[] = "from a peer without permission";
    static const char good[] = "from the permitted peer";
    inet_send(&x->s, SOCK_BAD, relayed, bad, sizeof bad - 1);
    inet_send(&x->s, SOCK_PEER, relayed, good, sizeof good - 1);
    turn_rx rx;
    unsigned got_bad = 0, got_good = 0;
    sim_time_t until = inet_now() + 500 * SIM_MS;
    while (inet_now() < until) {
        if (!next_rx(x, until - inet_now(), &rx))
            break;
        if (sim_ep_eq(&rx.peer, &x->s.ep[SOCK_BAD]) ||
            (rx.len == sizeof bad - 1 && !memcmp(rx.data, bad, rx.len)))
            got_bad++;
        else if (rx.len == sizeof good - 1 && !memcmp(rx.data, good, rx.len))
            got_good++;
    }
    printf("unauthorised_peer %s delivered %u; permitted peer delivered %u\n",
           inet_ep_str(&x->s.ep[SOCK_BAD]), got_bad, got_good);
    check(got_good == 1, "the permitted peer's datagram arrived");
    check(got_bad == 0, "the unauthorised peer's datagram did NOT come through");
}

/* After Refresh LIFETIME 0 the peer keeps sending, one datagram every 100 ms for 2 s: the
 * server may take a moment to tear the allocation down (coturn does it on its next 1 s timer
 * tick), but from then on nothing may be relayed. Prints how many still came through. */
static void after_close(cli *x, const sim_ep *relayed)
{
    static const char late[] = "after the allocation was deleted";
    sim_time_t t0 = inet_now(), last = 0;
    unsigned through = 0, sent = 0, tail = 0;
    for (; sent < 20; sent++) {
        inet_send(&x->s, SOCK_PEER, relayed, late, sizeof late - 1);
        sim_time_t until = t0 + (sent + 1) * 100 * SIM_MS;
        turn_rx rx;
        while (inet_now() < until)
            if (next_rx(x, until - inet_now(), &rx)) {
                through++;
                last = inet_now() - t0;
                tail += sent >= 15;
            }
    }
    printf("after_close sent %u relayed %u last_ms %.0f\n", sent, through,
           (double)last / SIM_MS);
    check(tail == 0, "nothing relayed 1.5 s after Refresh LIFETIME 0");
}

static void print_stats(const turn_client *c)
{
    const turn_client_stats *st = turn_client_get_stats(c);
    printf("client requests %" G_GUINT64_FORMAT " auth_retries %" G_GUINT64_FORMAT
           " stale_nonces %" G_GUINT64_FORMAT " errors %" G_GUINT64_FORMAT " bad %"
           G_GUINT64_FORMAT " stray %" G_GUINT64_FORMAT "\n", st->requests, st->auth_retries,
           st->stale_nonces, st->errors, st->bad, st->stray);
    printf("client sends %" G_GUINT64_FORMAT " chandata_sent %" G_GUINT64_FORMAT " data_rcvd %"
           G_GUINT64_FORMAT " chandata_rcvd %" G_GUINT64_FORMAT "\n", st->sends,
           st->chandata_sent, st->data_rcvd, st->chandata_rcvd);
}

static bool cli_open(cli *x, const turn_client_cfg *cfg, sim_rng *rng, const char *peer_ip,
                     const char *bad_ip)
{
    *x = (cli){ .events = g_array_new(FALSE, FALSE, sizeof(turn_event)),
                .peer_in = g_array_new(FALSE, FALSE, sizeof(peer_dgram)) };
    sim_ep l = { .ip = sim_ip4(0x7f000001) };
    if (inet_open(&x->s, &l, NULL) != 0)
        return false;
    const char *ips[] = { peer_ip, bad_ip };
    for (size_t i = 0; i < 2 && ips[i]; i++) {
        sim_ep p = { 0 };
        if (sim_ip_parse(ips[i], &p.ip) != 0 || inet_open(&x->s, &p, NULL) != 0) {
            fprintf(stderr, "cannot open a peer socket on %s\n", ips[i]);
            return false;
        }
    }
    x->c = turn_client_new(cfg, rng);
    return x->c != NULL;
}

static void cli_close(cli *x)
{
    turn_client_free(x->c);
    inet_close_all(&x->s);
    g_array_free(x->events, TRUE);
    g_array_free(x->peer_in, TRUE);
}

static int cmd_client(turn_client_cfg *cfg, const char *peer_ip, const char *bad_ip,
                      unsigned n, unsigned pause_ms)
{
    sim_rng rng;
    sim_rng_seed(&rng, inet_seed());
    cli x;
    if (!cli_open(&x, cfg, &rng, peer_ip, bad_ip))
        return 2;
    printf("client %s peer %s unauthorised %s\n", inet_ep_str(&x.s.ep[SOCK_CLIENT]),
           inet_ep_str(&x.s.ep[SOCK_PEER]), inet_ep_str(&x.s.ep[SOCK_BAD]));
    turn_event ev;
    sim_time_t t0 = inet_now();
    turn_client_allocate(x.c, t0);
    if (!expect_event(&x, TURN_EV_ALLOCATED, &ev))
        goto out;
    sim_ep relayed, mapped;
    turn_client_relayed(x.c, &relayed, &mapped);
    printf("allocated relayed %s mapped %s in_us %.1f\n", inet_ep_str(&relayed),
           inet_ep_str(&mapped), (double)(inet_now() - t0) / SIM_US);
    check(turn_client_get_stats(x.c)->auth_retries == 1, "401 first, then an authenticated Allocate");
    check(sim_ep_eq(&mapped, &x.s.ep[SOCK_CLIENT]), "XOR-MAPPED-ADDRESS is the client's socket");
    check(relayed.port != 0 && sim_ip_eq(&relayed.ip, &cfg->server.ip), "relayed address on the server's IP");

    turn_client_permit(x.c, inet_now(), &x.s.ep[SOCK_PEER].ip);
    if (!expect_event(&x, TURN_EV_PERMITTED, NULL))
        goto out;
    rounds(&x, &relayed, 0, n, "send/data");
    unauthorised_peer(&x, &relayed);

    uint16_t ch = 0;
    turn_client_bind(x.c, inet_now(), &x.s.ep[SOCK_PEER], &ch);
    if (!expect_event(&x, TURN_EV_BOUND, &ev))
        goto out;
    rounds(&x, &relayed, ch, n, "channeldata");
    unauthorised_peer(&x, &relayed);

    sim_time_t until = inet_now() + pause_ms * SIM_MS;
    while (inet_now() < until)
        pump(&x, until);
    turn_client_refresh(x.c, inet_now());
    expect_event(&x, TURN_EV_REFRESHED, NULL);
    turn_client_close(x.c, inet_now());
    expect_event(&x, TURN_EV_CLOSED, NULL);
    check(turn_client_get_state(x.c) == TURN_CLIENT_CLOSED, "state closed");
    after_close(&x, &relayed);
out:
    print_stats(x.c);
    check(turn_client_get_stats(x.c)->bad == 0, "no malformed message from the server");
    cli_close(&x);
    return failures ? 1 : 0;
}

static int cmd_badauth(turn_client_cfg *cfg)
{
    sim_rng rng;
    sim_rng_seed(&rng, inet_seed());
    cli x;
    if (!cli_open(&x, cfg, &rng, NULL, NULL))
        return 2;
    turn_client_allocate(x.c, inet_now());
    turn_event ev;
    bool got = next_event(&x, &ev);
    check(got && ev.kind == TURN_EV_ALLOCATE_FAILED && ev.code == STUN_ERR_UNAUTHORIZED,
          "wrong password: Allocate fails with 401");
    check(turn_client_get_state(x.c) == TURN_CLIENT_FAILED, "state failed");
    print_stats(x.c);
    cli_close(&x);
    return failures ? 1 : 0;
}

/* ---------------------------------------------------------------- server side */

/* The server's request log: each request's method (and channel) is remembered by transaction
 * id when it comes in, and printed with the answer the core gave ("ChannelBind 0x7aca -> 400"),
 * so a test can tell which of a foreign client's requests were refused and why. */
typedef struct req_note {
    uint8_t txid[STUN_TXID_LEN];
    uint16_t method, channel;
} req_note;

static req_note notes[64];
static size_t n_notes;

static void note_request(const uint8_t *buf, size_t len)
{
    stun_msg m;
    if (turn_is_chandata(buf, len) || turn_msg_decode(buf, len, &m, NULL) != 0 ||
        m.cls != STUN_REQUEST)
        return;
    req_note *n = &notes[n_notes++ % G_N_ELEMENTS(notes)];
    memcpy(n->txid, m.txid, STUN_TXID_LEN);
    n->method = m.method;
    n->channel = 0;
    turn_msg_get_channel(&m, &n->channel);
}

static void note_response(const uint8_t *buf, size_t len)
{
    stun_msg m;
    if (turn_is_chandata(buf, len) || turn_msg_decode(buf, len, &m, NULL) != 0 ||
        (m.cls != STUN_SUCCESS && m.cls != STUN_ERROR))
        return;
    for (size_t i = 0; i < G_N_ELEMENTS(notes); i++) {
        if (memcmp(notes[i].txid, m.txid, STUN_TXID_LEN) != 0)
            continue;
        const char *name = turn_method_name(notes[i].method);
        printf("request %s", name ? name : "?");
        if (notes[i].method == TURN_CHANNEL_BIND)
            printf(" 0x%04x", notes[i].channel);
        uint16_t code = 0;
        if (m.cls == STUN_ERROR)
            stun_msg_get_error(&m, &code, NULL, 0);
        if (m.cls == STUN_SUCCESS)
            printf(" -> success\n");
        else
            printf(" -> error %u\n", code);
        return;
    }
}

/* Opens and closes relay sockets as the core asks; an allocation whose socket cannot be
 * opened is dropped again (as turn_sim.c does). */
static void server_events(turn_server *srv, inet_set *s)
{
    turn_server_event ev;
    while (turn_server_pop_event(srv, &ev)) {
        printf("%s client %s relayed %s\n", ev.kind == TURN_SEV_RELAY_OPEN ? "allocation"
               : "deallocation", inet_ep_str(&ev.client), inet_ep_str(&ev.relay));
        int k = inet_find(s, &ev.relay);
        if (ev.kind == TURN_SEV_RELAY_CLOSE && k > 0)
            inet_close(s, (size_t)k);
        else if (ev.kind == TURN_SEV_RELAY_OPEN && inet_open(s, &ev.relay, NULL) != 0)
            turn_server_drop(srv, &ev.relay);
    }
}

static void server_flush(turn_server *srv, inet_set *s)
{
    server_events(srv, s); /* sockets first: an Allocate's response and its relay go together */
    turn_out o;
    while (turn_server_pop(srv, &o)) {
        int k = inet_find(s, &o.from);
        if (k == 0)
            note_response(o.data, o.len);
        if (k >= 0)
            inet_send(s, (size_t)k, &o.to, o.data, o.len);
    }
    server_events(srv, s);
}

static void print_server_stats(const turn_server *srv)
{
    const turn_server_stats *st = turn_server_get_stats(srv);
    printf("server requests %" G_GUINT64_FORMAT " success %" G_GUINT64_FORMAT " errors %"
           G_GUINT64_FORMAT " bad %" G_GUINT64_FORMAT " ignored %" G_GUINT64_FORMAT "\n",
           st->requests, st->success, st->errors, st->bad, st->ignored);
    printf("server allocations %" G_GUINT64_FORMAT " live %zu relayed_to_peer %" G_GUINT64_FORMAT
           " relayed_to_client %" G_GUINT64_FORMAT " no_permission %" G_GUINT64_FORMAT
           " no_channel %" G_GUINT64_FORMAT "\n", st->allocations, turn_server_n_allocations(srv),
           st->relayed_to_peer, st->relayed_to_client, st->no_permission, st->no_channel);
}

static int cmd_server(turn_server_cfg *cfg, const char *user, const char *pass, unsigned secs)
{
    sim_rng rng;
    sim_rng_seed(&rng, inet_seed());
    turn_server *srv = turn_server_new(cfg, &rng);
    inet_set s = { 0 };
    if (!srv || turn_server_add_user(srv, user, pass) != 0 || inet_open(&s, &cfg->listen, NULL)) {
        fprintf(stderr, "cannot start the server on %s\n", inet_ep_str(&cfg->listen));
        return 2;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    printf("ready %s\n", inet_ep_str(&cfg->listen));
    sim_time_t end = secs ? inet_now() + secs * SIM_SEC : SIM_TIME_NEVER;
    while (!stop && inet_now() < end) {
        sim_time_t dl = turn_server_next_deadline(srv);
        size_t idx, len;
        sim_ep from;
        uint8_t buf[STUN_MSG_MAX];
        int r = inet_recv(&s, dl < end ? dl : end, &idx, &from, buf, sizeof buf, &len);
        if (r > 0 && idx == 0)
            note_request(buf, len);
        if (r > 0)
            turn_server_input(srv, inet_now(), &s.ep[idx], &from, buf, len);
        else
            turn_server_timeout(srv, inet_now());
        server_flush(srv, &s);
    }
    print_server_stats(srv);
    turn_server_free(srv);
    inet_close_all(&s);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    turn_client_cfg cc = { .stun = { .software = SOFTWARE, .fingerprint = true } };
    if (argc >= 7 && strcmp(argv[1], "client") == 0) {
        cc.server = inet_ep_arg(argv[2]);
        cc.username = argv[3];
        cc.password = argv[4];
        unsigned n = argc > 7 ? (unsigned)atoi(argv[7]) : 50;
        return cmd_client(&cc, argv[5], argv[6], n, argc > 8 ? (unsigned)atoi(argv[8]) : 0);
    }
    if (argc == 5 && strcmp(argv[1], "badauth") == 0) {
        cc.server = inet_ep_arg(argv[2]);
        cc.username = argv[3];
        cc.password = argv[4];
        return cmd_badauth(&cc);
    }
    if (argc >= 9 && strcmp(argv[1], "server") == 0) {
        turn_server_cfg sc = { .listen = inet_ep_arg(argv[2]), .port_min = (uint16_t)atoi(argv[4]),
                               .port_max = (uint16_t)atoi(argv[5]), .realm = argv[6],
                               .software = SOFTWARE, .fingerprint = true };
        if (sim_ip_parse(argv[3], &sc.relay_ip) != 0)
            return 2;
        return cmd_server(&sc, argv[7], argv[8], argc > 9 ? (unsigned)atoi(argv[9]) : 0);
    }
    fprintf(stderr, "usage: interop_turn client SERVER USER PASS PEER_IP BAD_IP [ROUNDS] [PAUSE_MS]\n"
                    "       interop_turn badauth SERVER USER PASS\n"
                    "       interop_turn server LISTEN RELAY_IP PORT_MIN PORT_MAX REALM USER PASS"
                    " [SECS]\n");
    return 2;
}
