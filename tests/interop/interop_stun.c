/* tests/interop/interop_stun.c — natsim's STUN cores over real UDP sockets on loopback, to be
 * checked against an independent implementation (coturn; the tests/interop/test_ scripts start it).
 *
 *   interop_stun binding  LOCAL SERVER [COUNT]   client core -> a Binding server: COUNT (default 5)
 *                                                transactions; checks XOR-MAPPED-ADDRESS == the
 *                                                socket's own address, FINGERPRINT, SOFTWARE
 *   interop_stun discover LOCAL SERVER           RFC 5780 discovery core; expects no NAT, EIM,
 *                                                EIF, then checks each of the server's four
 *                                                endpoints by RESPONSE-ORIGIN / OTHER-ADDRESS
 *   interop_stun server   A1:P1 [A2:P2] [SECS]   Binding server core (RFC 5780 with A2:P2) on
 *                                                1 or 4 sockets, until SIGTERM or SECS seconds
 *
 * Output is one "key value" line per fact so the shell tests can grep it; a failed check prints
 * "FAIL: ..." and the exit status is 1. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "protocols/stun/stun.h"
#include "tests/interop/interop_net.h"

#define SOFTWARE "natsim interop"

static int failures;
static bool require_fp = true; /* FINGERPRINT must be in every response checked */
static volatile sig_atomic_t stop;

static void check(bool ok, const char *what)
{
    printf("%s %s\n", ok ? "ok" : "FAIL:", what);
    if (!ok)
        failures++;
}

static void on_signal(int sig) { stop = sig; }

/* ---------------------------------------------------------------- client side */

/* Drives a client core on socket 0 of s until transaction id is done (or 10 s pass). */
static const stun_tx *run_tx(stun_client *c, inet_set *s, unsigned id)
{
    sim_time_t limit = inet_now() + 10 * SIM_SEC;
    for (;;) {
        stun_out o;
        while (stun_client_pop(c, &o))
            inet_send(s, 0, &o.to, o.data, o.len);
        unsigned done;
        while (stun_client_pop_done(c, &done))
            if (done == id)
                return stun_client_tx(c, id);
        sim_time_t dl = stun_client_next_deadline(c);
        if (inet_now() > limit)
            return NULL;
        size_t idx, len;
        sim_ep from;
        uint8_t buf[STUN_MSG_MAX];
        int r = inet_recv(s, dl < limit ? dl : limit, &idx, &from, buf, sizeof buf, &len);
        if (r > 0)
            stun_client_input(c, inet_now(), &from, buf, len);
        else
            stun_client_timeout(c, inet_now());
    }
}

/* One Binding transaction to dest with CHANGE-REQUEST flags; prints and checks its response.
 * Returns the mapped address (port 0 on failure); *origin gets where the response came from. */
static sim_ep binding(stun_client *c, inet_set *s, const sim_ep *dest, uint32_t change,
                      bool verbose, sim_ep *origin, sim_ep *other)
{
    sim_ep none = { 0 };
    unsigned id;
    if (stun_client_binding(c, inet_now(), dest, change, &id) != 0)
        return none;
    const stun_tx *t = run_tx(c, s, id);
    if (!t || t->state != STUN_TX_SUCCESS) {
        printf("FAIL: Binding to %s change=%u: %s\n", inet_ep_str(dest), change,
               t ? stun_tx_state_name(t->state) : "no result");
        failures++;
        return none;
    }
    stun_msg m;
    stun_err e = { 0 };
    if (stun_msg_decode(t->resp, t->resp_len, &m, &e) != 0) {
        printf("FAIL: response does not decode: offset %zu: %s\n", e.off, e.why);
        failures++;
        return none;
    }
    if (verbose) {
        GString *dump = g_string_new(NULL);
        stun_msg_fmt(&m, dump);
        printf("%s", dump->str);
        g_string_free(dump, TRUE);
    }
    sim_ep mapped = none;
    if (stun_msg_get_addr(&m, STUN_ATTR_XOR_MAPPED_ADDRESS, &mapped) != 0)
        check(false, "XOR-MAPPED-ADDRESS present");
    sim_ep plain;
    if (stun_msg_get_addr(&m, STUN_ATTR_MAPPED_ADDRESS, &plain) == 0)
        check(sim_ep_eq(&plain, &mapped), "MAPPED-ADDRESS equals XOR-MAPPED-ADDRESS");
    int fp = stun_msg_check_fingerprint(&m);
    if (fp == -EBADMSG && !require_fp)
        printf("note: no FINGERPRINT in the response\n");
    else
        check(fp == 0, fp == -EACCES ? "FINGERPRINT verified" : "FINGERPRINT present and verified");
    *origin = t->from;
    if (other && stun_msg_get_addr(&m, STUN_ATTR_OTHER_ADDRESS, other) != 0)
        other->port = 0;
    sim_ep ro;
    if (stun_msg_get_addr(&m, STUN_ATTR_RESPONSE_ORIGIN, &ro) == 0)
        check(sim_ep_eq(&ro, &t->from), "RESPONSE-ORIGIN is the response's source address");
    char sw[STUN_TEXT_MAX + 1];
    if (verbose && stun_msg_get_str(&m, STUN_ATTR_SOFTWARE, sw, sizeof sw) == 0)
        printf("software %s\n", sw);
    printf("rtt_us %.1f transmissions %u\n", (double)(t->done_at - t->started) / SIM_US, t->sent);
    stun_client_forget(c, id);
    return mapped;
}

static stun_client *client_new(sim_rng *rng)
{
    /* RFC 8489's timers (RTO 500 ms): coturn's first answer can take 150 ms under load. */
    stun_client_cfg cfg = { .software = SOFTWARE, .fingerprint = true };
    return stun_client_new(&cfg, rng);
}

static int cmd_binding(const sim_ep *local, const sim_ep *server, unsigned count)
{
    inet_set s = { 0 };
    if (inet_open(&s, local, NULL) != 0)
        return 2;
    printf("local %s\n", inet_ep_str(&s.ep[0]));
    sim_rng rng;
    sim_rng_seed(&rng, inet_seed());
    stun_client *c = client_new(&rng);
    double total = 0, min = 0, max = 0;
    for (unsigned i = 0; i < count; i++) {
        sim_ep origin, other = { 0 };
        sim_time_t t0 = inet_now();
        sim_ep mapped = binding(c, &s, server, 0, i == 0, &origin, &other);
        double us = (double)(inet_now() - t0) / SIM_US;
        total += us;
        min = i == 0 || us < min ? us : min;
        max = us > max ? us : max;
        if (i == 0) {
            printf("mapped %s\n", inet_ep_str(&mapped));
            check(sim_ep_eq(&mapped, &s.ep[0]), "XOR-MAPPED-ADDRESS is the socket's own address");
            check(sim_ep_eq(&origin, server), "response came from the server's address");
        }
    }
    printf("bindings %u rtt_us mean %.1f min %.1f max %.1f\n", count, total / count, min, max);
    const stun_client_stats *st = stun_client_get_stats(c);
    printf("sent %" G_GUINT64_FORMAT " retransmits %" G_GUINT64_FORMAT " responses %"
           G_GUINT64_FORMAT " bad %" G_GUINT64_FORMAT "\n", st->sent, st->retransmits,
           st->responses, st->bad);
    check(st->bad == 0, "no response was malformed");
    stun_client_free(c);
    inet_close_all(&s);
    return failures ? 1 : 0;
}

/* ---------------------------------------------------------------- discovery */

static void run_discovery(stun_discovery *d, inet_set *s)
{
    sim_time_t limit = inet_now() + 15 * SIM_SEC;
    stun_discovery_start(d, inet_now());
    while (stun_discovery_get_result(d)->state == STUN_DISC_RUNNING && inet_now() < limit) {
        stun_out o;
        while (stun_discovery_pop(d, &o))
            inet_send(s, inet_find(s, &o.from) > 0 ? 1 : 0, &o.to, o.data, o.len);
        sim_time_t dl = stun_discovery_next_deadline(d);
        size_t idx, len;
        sim_ep from;
        uint8_t buf[STUN_MSG_MAX];
        int r = inet_recv(s, dl < limit ? dl : limit, &idx, &from, buf, sizeof buf, &len);
        if (r > 0)
            stun_discovery_input(d, inet_now(), idx, &from, buf, len);
        else
            stun_discovery_timeout(d, inet_now());
    }
}

/* Each of the server's four endpoints answers from where it says (RFC 5780 §6, §7.3). */
static void check_endpoints(const sim_ep *local, const sim_ep *a1p1, const sim_ep *a2p2)
{
    inet_set s = { 0 };
    sim_ep l = { .ip = local->ip };
    if (inet_open(&s, &l, NULL) != 0)
        return;
    sim_rng rng;
    sim_rng_seed(&rng, inet_seed() + 1);
    stun_client *c = client_new(&rng);
    sim_ep a1p2 = { .ip = a1p1->ip, .port = a2p2->port };
    sim_ep a2p1 = { .ip = a2p2->ip, .port = a1p1->port };
    struct { const sim_ep *dest; uint32_t change; const sim_ep *expect; const char *what; } t[] = {
        { &a2p1, 0, &a2p1, "A2:P1 answers from A2:P1 (mapping test II target)" },
        { a2p2, 0, a2p2, "A2:P2 answers from A2:P2 (mapping test III target)" },
        { a1p1, STUN_CHANGE_PORT, &a1p2, "CHANGE-REQUEST port: answer from A1:P2" },
        { a1p1, STUN_CHANGE_IP | STUN_CHANGE_PORT, a2p2, "CHANGE-REQUEST ip+port: from A2:P2" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(t); i++) {
        sim_ep origin = { 0 };
        require_fp = t[i].change == 0; /* coturn omits it when CHANGE-REQUEST was sent */
        sim_ep mapped = binding(c, &s, t[i].dest, t[i].change, false, &origin, NULL);
        check(sim_ep_eq(&origin, t[i].expect), t[i].what);
        check(sim_ep_eq(&mapped, &s.ep[0]), "  and maps to the socket's own address");
    }
    stun_client_free(c);
    inet_close_all(&s);
}

static int cmd_discover(const sim_ep *local, const sim_ep *server)
{
    inet_set s = { 0 };
    sim_ep l2 = { .ip = local->ip };
    if (inet_open(&s, local, NULL) != 0 || inet_open(&s, &l2, NULL) != 0)
        return 2;
    sim_rng rng;
    sim_rng_seed(&rng, inet_seed());
    stun_discovery_cfg cfg = { .server = *server, .local = s.ep[0], .local2 = s.ep[1],
                               .client = { .rto = 100 * SIM_MS, .software = SOFTWARE,
                                           .fingerprint = true } };
    stun_discovery *d = stun_discovery_new(&cfg, &rng);
    run_discovery(d, &s);
    const stun_discovery_result *r = stun_discovery_get_result(d);
    printf("state %s%s%s\n", stun_disc_state_name(r->state), r->error ? ": " : "",
           r->error ? r->error : "");
    printf("local %s mapped %s other %s\n", inet_ep_str(&s.ep[0]), inet_ep_str(&r->mapped),
           inet_ep_str(&r->other));
    printf("nat %s mapping %s filtering %s transactions %u time_ms %.2f\n", r->nat ? "yes" : "no",
           stun_mapping_name(r->mapping), stun_filtering_name(r->filtering), r->transactions,
           (double)(r->done_at - r->started) / SIM_MS);
    check(r->state == STUN_DISC_DONE, "discovery done");
    check(!r->nat, "no NAT on loopback");
    check(r->mapping == STUN_BEH_EI, "mapping EIM");
    check(r->filtering == STUN_BEH_EI, "filtering EIF");
    check(r->other.port && !sim_ip_eq(&r->other.ip, &server->ip) &&
          r->other.port != server->port, "OTHER-ADDRESS differs in address and port");
    sim_ep other = r->other;
    stun_discovery_free(d);
    inet_close_all(&s);
    if (other.port)
        check_endpoints(local, server, &other);
    return failures ? 1 : 0;
}

/* ---------------------------------------------------------------- server side */

static int cmd_server(const sim_ep *a1p1, const sim_ep *a2p2, unsigned secs)
{
    stun_server_cfg cfg = { .primary = *a1p1, .software = SOFTWARE, .fingerprint = true };
    if (a2p2) {
        cfg.alt_ip = a2p2->ip;
        cfg.alt_port = a2p2->port;
    }
    stun_server *srv = stun_server_new(&cfg);
    inet_set s = { 0 };
    for (size_t i = 0; srv && i < stun_server_n_local(srv); i++) {
        sim_ep ep = stun_server_local(srv, i);
        if (inet_open(&s, &ep, NULL) != 0) {
            fprintf(stderr, "cannot bind %s\n", inet_ep_str(&ep));
            return 2;
        }
    }
    if (!srv)
        return 2;
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    printf("ready %zu sockets\n", s.n);
    fflush(stdout);
    sim_time_t end = secs ? inet_now() + secs * SIM_SEC : SIM_TIME_NEVER;
    while (!stop && inet_now() < end) {
        size_t idx, len;
        sim_ep from;
        uint8_t buf[STUN_MSG_MAX];
        if (inet_recv(&s, end, &idx, &from, buf, sizeof buf, &len) <= 0)
            continue;
        stun_server_input(srv, inet_now(), idx, &from, buf, len);
        stun_out o;
        while (stun_server_pop(srv, &o)) {
            int k = inet_find(&s, &o.from);
            inet_send(&s, k < 0 ? 0 : (size_t)k, &o.to, o.data, o.len);
        }
    }
    const stun_server_stats *st = stun_server_get_stats(srv);
    printf("requests %" G_GUINT64_FORMAT " success %" G_GUINT64_FORMAT " errors %" G_GUINT64_FORMAT
           " ignored %" G_GUINT64_FORMAT " bad %" G_GUINT64_FORMAT "\n", st->requests,
           st->success, st->errors, st->ignored, st->bad);
    stun_server_free(srv);
    inet_close_all(&s);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 4 && strcmp(argv[1], "binding") == 0) {
        sim_ep local = inet_ep_arg(argv[2]), server = inet_ep_arg(argv[3]);
        unsigned n = argc > 4 ? (unsigned)atoi(argv[4]) : 5;
        return cmd_binding(&local, &server, n ? n : 1);
    }
    if (argc == 4 && strcmp(argv[1], "discover") == 0) {
        sim_ep local = inet_ep_arg(argv[2]), server = inet_ep_arg(argv[3]);
        return cmd_discover(&local, &server);
    }
    if (argc >= 3 && strcmp(argv[1], "server") == 0) {
        sim_ep a1 = inet_ep_arg(argv[2]), a2;
        bool alt = argc > 3 && strchr(argv[3], ':');
        if (alt)
            a2 = inet_ep_arg(argv[3]);
        int k = alt ? 4 : 3;
        return cmd_server(&a1, alt ? &a2 : NULL, argc > k ? (unsigned)atoi(argv[k]) : 0);
    }
    fprintf(stderr, "usage: interop_stun binding LOCAL SERVER [COUNT]\n"
                    "       interop_stun discover LOCAL SERVER\n"
                    "       interop_stun server A1:P1 [A2:P2] [SECONDS]\n");
    return 2;
}
