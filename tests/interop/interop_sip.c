/* tests/interop/interop_sip.c — natsim's SIP cores (sip_ua, sip_server) over real UDP (and TCP)
 * sockets on loopback, to be checked against an independent implementation (SIPp; the
 * tests/interop/test_sip_ scripts start it; docs/interop.md).
 *
 *   interop_sip uas LISTEN AOR [REGISTRAR|-] [SECS] [ring]
 *       a UA that rings (180) and answers (200 with an SDP answer) every INVITE (with "ring":
 *       rings only, the caller has to CANCEL: "answer 1" in the log); with REGISTRAR
 *       it registers AOR there first (it prints "registered STATUS expires N" then "ready");
 *       runs until SIGTERM or SECS seconds, then prints its counters
 *   interop_sip uac LOCAL TARGET CALLS [PROXY|-]
 *       a UA that calls TARGET (a SIP URI) CALLS times, one after the other: INVITE, the 180
 *       and the 200, ACK, BYE and its 200; exits 0 when every call went through
 *   interop_sip proxy LISTEN DOMAIN [USER PASS|- -] [SECS] [NAME=IP:PORT...]
 *       a registrar for DOMAIN and stateful proxy with Record-Route (with USER/PASS: REGISTER
 *       needs MD5 digest credentials); other domains are located in the NAME=IP:PORT table
 *       (instead of RFC 3263 DNS); runs until SIGTERM or SECS, then prints its counters
 *
 * --tcp (before the command): the core sends over TCP (RFC 3261 §18: Via SIP/2.0/TCP, a UA's
 * Contact ;transport=tcp) and a TCP listener shares the UDP socket's address and port; as
 * natsim's simulator driver does, a message goes over the open connection to its destination,
 * over a new connection when its top Via says TCP, else over UDP; streams are framed by
 * Content-Length. Without --tcp, requests arriving over TCP are not accepted (no listener).
 *
 * Every message is logged with its first line, peer and Call-ID ("rx INVITE
 * sip:service@127.0.0.1:5060 SIP/2.0 from 127.0.0.1:5070 [1-42@127.0.0.1]", " tcp" appended
 * for TCP); a failed check prints "FAIL: ..." and exits 1. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "protocols/sdp/sdp.h"
#include "protocols/sip/sip.h"
#include "tests/interop/interop_net.h"

#define WAIT (5 * SIM_SEC)

static volatile sig_atomic_t stop;

static void on_signal(int sig) { stop = sig; }

/* One core of either kind: socket 0 is its UDP socket; with --tcp a listener and the streams
 * it accepted or opened follow. */
typedef struct agent {
    sip_ua *ua;
    sip_server *srv;
    inet_set s;
    GArray *events; /* of sip_ua_ev, not yet consumed */
    char **hosts;   /* proxy: NAME=IP:PORT, NULL-terminated (borrowed from argv) */
    GHashTable *rx; /* TCP: stream fd -> GByteArray of bytes not framed yet */
} agent;

/* The text of the line after `key` (e.g. "\r\nCall-ID: "), up to its CRLF, as "%.*s" args. */
static int line_after(const uint8_t *d, size_t len, const char *key, const char **at)
{
    const uint8_t *k = memmem(d, len, key, strlen(key));
    if (!k)
        return 0;
    *at = (const char *)k + strlen(key);
    const char *eol = memchr(*at, '\r', len - (size_t)((const uint8_t *)*at - d));
    return eol ? (int)(eol - *at) : 0;
}

/* "rx INVITE sip:... SIP/2.0 from 127.0.0.1:5070 [1-1234@127.0.0.1]": the first line of a
 * datagram, its peer and its Call-ID (natsim writes long header names; SIPp too). */
static void log_dgram(const char *dir, const uint8_t *d, size_t len, const sim_ep *peer,
                      bool tcp)
{
    const char *first = (const char *)d, *cid = "";
    int n = line_after(d, len, "", &first);
    int c = line_after(d, len, "\r\nCall-ID: ", &cid);
    printf("%s %.*s %s %s [%.*s]%s\n", dir, n ? n : (int)MIN(len, (size_t)80), first,
           dir[0] == 'r' ? "from" : "to", inet_ep_str(peer), c, cid, tcp ? " tcp" : "");
}

/* True when the message's top Via names TCP (§18.1.1: a request goes over the transport its
 * Via names; §18.2.2: a response to a TCP Via goes back over TCP). */
static bool via_says_tcp(const uint8_t *data, size_t len)
{
    sip_msg *m = NULL;
    sip_via v;
    bool tcp = memmem(data, len, "/TCP", 4) && sip_msg_decode(data, len, &m, NULL) == 0 &&
               sip_msg_via(m, 0, &v) == 0 && v.transport.len == 3 &&
               g_ascii_strncasecmp(v.transport.p, "TCP", 3) == 0;
    sip_msg_free(m);
    return tcp;
}

/* One message out (RFC 3261 §18): on the open TCP connection to o->to (the one a request came
 * in on, or one opened before), on a new connection when its Via says TCP, else over UDP. */
static void send_out(agent *a, const sip_out *o)
{
    int k = inet_find_stream(&a->s, &o->to);
    if (k < 0 && via_says_tcp(o->data, o->len)) {
        size_t idx;
        int rc = inet_connect(&a->s, &a->s.ep[0], &o->to, &idx);
        printf("tcp-open %s %s\n", inet_ep_str(&o->to), rc ? strerror(-rc) : "ok");
        if (rc)
            return; /* lost: the transaction times out */
        k = (int)idx;
    }
    log_dgram("tx", o->data, o->len, &o->to, k >= 0);
    inet_send(&a->s, k >= 0 ? (size_t)k : 0, &o->to, o->data, o->len);
}

/* The endpoint of host in the proxy's static "DNS" (NAME=IP:PORT arguments); 0 or -ENOENT. */
static int hosts_find(const agent *a, const char *host, sim_ep *ep)
{
    size_t n = strlen(host);
    for (char **h = a->hosts; h && *h; h++)
        if (!strncmp(*h, host, n) && (*h)[n] == '=') {
            *ep = inet_ep_arg(*h + n + 1);
            return 0;
        }
    return -ENOENT;
}

/* Sends what the core queued; answers a server's RFC 3263 lookups from the static table (no
 * DNS here: an unknown name fails, and the branch answers 503). */
static void flush(agent *a)
{
    sip_out o;
    while (a->ua ? sip_ua_pop(a->ua, &o) : sip_server_pop(a->srv, &o)) {
        send_out(a, &o);
        sip_out_clear(&o);
    }
    unsigned id;
    char host[256];
    while (a->srv && sip_server_lookup_pop(a->srv, &id, host, sizeof host)) {
        sim_ep ep;
        int rc = hosts_find(a, host, &ep);
        printf("lookup %s -> %s\n", host, rc ? "unknown" : inet_ep_str(&ep));
        sip_server_located(a->srv, inet_now(), id, rc ? -EHOSTUNREACH : 0, rc ? NULL : &ep);
        flush(a);
    }
    sip_ua_ev ev;
    while (a->ua && sip_ua_event(a->ua, &ev))
        g_array_append_val(a->events, ev);
}

/* One message (a datagram, or one framed from a stream) into the core. */
static void input(agent *a, const sim_ep *from, const uint8_t *buf, size_t len, bool tcp)
{
    log_dgram("rx", buf, len, from, tcp);
    int rc = a->ua ? sip_ua_input(a->ua, inet_now(), from, buf, len)
                   : sip_server_input(a->srv, inet_now(), from, buf, len);
    if (rc < 0)
        printf("undecodable message from %s (%d)\n", inet_ep_str(from), rc);
}

/* Bytes from stream idx (len 0: it closed): appended to its buffer, whole messages cut by
 * Content-Length (sip_msg_frame, §18.3) go to the core; a framing error closes it. */
static void stream_in(agent *a, size_t idx, const sim_ep *from, const uint8_t *buf, size_t len)
{
    gpointer key = GINT_TO_POINTER(a->s.fd[idx]);
    GByteArray *b = g_hash_table_lookup(a->rx, key);
    if (!b) {
        b = g_byte_array_new();
        g_hash_table_insert(a->rx, key, b);
    }
    g_byte_array_append(b, buf, (guint)len);
    size_t ml;
    int rc = 0;
    while (len && b->len && (rc = sip_msg_frame(b->data, b->len, &ml)) == 0) {
        input(a, from, b->data, ml, true);
        g_byte_array_remove_range(b, 0, (guint)ml);
    }
    if (!len || (rc < 0 && rc != -EAGAIN)) {
        printf("tcp-close %s %s\n", inet_ep_str(from), len ? "framing error" : "by peer");
        g_hash_table_remove(a->rx, key);
        inet_close(&a->s, idx);
    }
}

/* One turn of the loop: wait for one datagram (or stream bytes) or the core's deadline (at
 * most until `until`) and feed it, then send what the core queued. */
static void step(agent *a, sim_time_t until)
{
    flush(a);
    sim_time_t dl = a->ua ? sip_ua_next_deadline(a->ua) : sip_server_next_deadline(a->srv);
    size_t idx, len;
    sim_ep from;
    static uint8_t buf[SIP_MSG_MAX];
    int r = inet_recv(&a->s, dl < until ? dl : until, &idx, &from, buf, sizeof buf, &len);
    if (r > 0 && a->s.kind[idx] == INET_STREAM) {
        stream_in(a, idx, &from, buf, len);
    } else if (r > 0) {
        input(a, &from, buf, len, false);
    } else if (a->ua) {
        sip_ua_timeout(a->ua, inet_now());
    } else {
        sip_server_timeout(a->srv, inet_now());
    }
    flush(a);
}

/* The next UA event within `wait`; false on timeout or a signal. */
static bool next_event(agent *a, sim_time_t wait, sip_ua_ev *ev)
{
    sim_time_t until = wait == SIM_TIME_NEVER ? SIM_TIME_NEVER : inet_now() + wait;
    while (!a->events->len && !stop && inet_now() < until)
        step(a, until);
    if (!a->events->len)
        return false;
    *ev = g_array_index(a->events, sip_ua_ev, 0);
    g_array_remove_index(a->events, 0);
    return true;
}

/* Socket 0: UDP on local; with tcp, a TCP listener on the same address and port too. */
static int open_agent(agent *a, const sim_ep *local, bool tcp)
{
    a->events = g_array_new(FALSE, FALSE, sizeof(sip_ua_ev));
    a->rx = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)g_byte_array_unref);
    if (inet_open(&a->s, local, NULL) != 0 || (tcp && inet_listen(&a->s, local, NULL) != 0)) {
        fprintf(stderr, "cannot bind %s\n", inet_ep_str(local));
        return -1;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    return 0;
}

static void close_agent(agent *a)
{
    sip_ua_free(a->ua);
    sip_server_free(a->srv);
    inet_close_all(&a->s);
    g_array_free(a->events, TRUE);
    g_hash_table_destroy(a->rx);
}

/* The remote RTP endpoint the call's SDP negotiated, for the log. */
static const char *media_of(const sip_ua *ua, unsigned call)
{
    const sdp_oa *oa = sip_ua_call_media(ua, call);
    const sdp_oa_stream *st = oa ? sdp_oa_get(oa, 0) : NULL;
    if (!st || !st->active)
        return "none";
    static char b[64];
    g_snprintf(b, sizeof b, "%s %s/%u", inet_ep_str(&st->remote_rtp), st->encoding, st->clock);
    return b;
}

static void print_ua_stats(const sip_ua *ua)
{
    const sip_ua_stats *st = sip_ua_get_stats(ua);
    printf("ua rx %" G_GUINT64_FORMAT " bad %" G_GUINT64_FORMAT " rejected %" G_GUINT64_FORMAT
           " auth_retries %" G_GUINT64_FORMAT "\n", st->rx, st->bad, st->rejected,
           st->auth_retries);
}

/* ---------------------------------------------------------------- uas */

/* REGISTER with the registrar; prints the outcome. */
static bool do_register(agent *a)
{
    sip_ua_register(a->ua, inet_now(), 300);
    sip_ua_ev ev;
    while (next_event(a, WAIT, &ev)) {
        if (ev.kind == SIP_UA_EV_REGISTERED || ev.kind == SIP_UA_EV_REG_FAILED) {
            printf("registered %u expires %u\n", ev.status, ev.expires);
            return ev.kind == SIP_UA_EV_REGISTERED && ev.expires > 0;
        }
    }
    printf("FAIL: no answer to REGISTER\n");
    return false;
}

static int cmd_uas(sip_ua_cfg *cfg, unsigned secs, bool answer)
{
    sim_rng rng;
    sim_rng_seed(&rng, inet_seed());
    agent a = { .ua = sip_ua_new(cfg, &rng) };
    if (!a.ua || open_agent(&a, &cfg->local, cfg->tcp) != 0)
        return 2;
    if (cfg->registrar.port && !do_register(&a))
        return 1;
    printf("ready %s\n", inet_ep_str(&cfg->local));
    unsigned incoming = 0, confirmed = 0, byes = 0, other = 0;
    sim_time_t end = secs ? inet_now() + secs * SIM_SEC : SIM_TIME_NEVER;
    sip_ua_ev ev;
    while (!stop && inet_now() < end) {
        if (!next_event(&a, end == SIM_TIME_NEVER ? SIM_TIME_NEVER : end - inet_now(), &ev))
            continue;
        if (ev.kind == SIP_UA_EV_INCOMING) {
            incoming++;
            int r1 = sip_ua_ring(a.ua, inet_now(), ev.call);
            int r2 = answer ? sip_ua_answer(a.ua, inet_now(), ev.call) : 1;
            printf("call %u incoming from %s ring %d answer %d media %s\n", ev.call,
                   sip_ua_call_peer(a.ua, ev.call), r1, r2, media_of(a.ua, ev.call));
        } else if (ev.kind == SIP_UA_EV_CONFIRMED) {
            confirmed++;
            printf("call %u confirmed (ACK) media %s\n", ev.call, media_of(a.ua, ev.call));
        } else if (ev.kind == SIP_UA_EV_ENDED) {
            bool bye = ev.by_remote && ev.status == 200;
            byes += bye;
            other += !bye;
            printf("call %u ended status %u by_remote %d\n", ev.call, ev.status, ev.by_remote);
            sip_ua_forget(a.ua, ev.call);
        }
    }
    printf("uas incoming %u confirmed %u ended_by_bye %u ended_otherwise %u\n", incoming,
           confirmed, byes, other);
    print_ua_stats(a.ua);
    close_agent(&a);
    return 0;
}

/* ---------------------------------------------------------------- uac */

/* The next event of the call within WAIT (events of other calls are printed and dropped). */
static bool call_event(agent *a, unsigned call, sip_ua_ev *ev)
{
    while (next_event(a, WAIT, ev)) {
        if (ev->call == call)
            return true;
        printf("event %u for call %u ignored\n", ev->kind, ev->call);
    }
    return false;
}

/* One call: INVITE, provisional(s), 200 (ACK sent by the core), BYE and its 200. Prints one
 * line; true when it all happened. */
static bool one_call(agent *a, const char *target, unsigned i)
{
    unsigned call = 0, ringing = 0;
    if (sip_ua_call(a->ua, inet_now(), target, &call) != 0) {
        printf("FAIL: call %u: sip_ua_call refused %s\n", i, target);
        return false;
    }
    sip_ua_ev ev;
    bool answered = false;
    while (!answered && call_event(a, call, &ev)) {
        if (ev.kind == SIP_UA_EV_PROGRESS)
            ringing = ev.status;
        else if (ev.kind == SIP_UA_EV_ANSWERED)
            answered = true;
        else if (ev.kind == SIP_UA_EV_ENDED)
            break;
    }
    if (!answered) {
        printf("FAIL: call %u not answered (progress %u, last event %u status %u)\n", i,
               ringing, ev.kind, ev.status);
        return false;
    }
    const char *media = media_of(a->ua, call);
    printf("call %u progress %u answered media %s\n", i, ringing, media);
    sip_ua_hangup(a->ua, inet_now(), call);
    bool ended = call_event(a, call, &ev) && ev.kind == SIP_UA_EV_ENDED;
    printf("call %u bye %u\n", i, ended ? ev.status : 0);
    sip_ua_forget(a->ua, call);
    return ended && ev.status == 200 && ringing == 180;
}

static int cmd_uac(sip_ua_cfg *cfg, const char *target, unsigned n)
{
    sim_rng rng;
    sim_rng_seed(&rng, inet_seed());
    agent a = { .ua = sip_ua_new(cfg, &rng) };
    if (!a.ua || open_agent(&a, &cfg->local, cfg->tcp) != 0)
        return 2;
    unsigned ok = 0;
    sim_time_t t0 = inet_now();
    for (unsigned i = 1; i <= n && !stop; i++)
        ok += one_call(&a, target, i);
    double secs = (double)(inet_now() - t0) / SIM_SEC;
    /* A moment for the last BYE's retransmissions to be absorbed on both sides. */
    sim_time_t until = inet_now() + 200 * SIM_MS;
    while (inet_now() < until && !stop)
        step(&a, until);
    printf("uac calls %u ok %u failed %u in %.3f s (%.1f calls/s)\n", n, ok, n - ok, secs,
           secs > 0 ? n / secs : 0.0);
    print_ua_stats(a.ua);
    close_agent(&a);
    return ok == n ? 0 : 1;
}

/* ---------------------------------------------------------------- proxy */

static int cmd_proxy(sip_server_cfg *cfg, unsigned secs, char **hosts)
{
    sim_rng rng;
    sim_rng_seed(&rng, inet_seed());
    agent a = { .srv = sip_server_new(cfg, &rng), .hosts = hosts };
    if (!a.srv || open_agent(&a, &cfg->self, cfg->tcp) != 0)
        return 2;
    printf("ready %s domain %s%s\n", inet_ep_str(&cfg->self), cfg->domain,
           cfg->users ? " digest" : "");
    sim_time_t end = secs ? inet_now() + secs * SIM_SEC : SIM_TIME_NEVER;
    while (!stop && inet_now() < end)
        step(&a, end);
    const sip_server_stats *st = sip_server_get_stats(a.srv);
    printf("proxy rx %" G_GUINT64_FORMAT " bad %" G_GUINT64_FORMAT " rejected %" G_GUINT64_FORMAT
           " registers %" G_GUINT64_FORMAT " challenges %" G_GUINT64_FORMAT " forwarded %"
           G_GUINT64_FORMAT " stateless %" G_GUINT64_FORMAT " loops %" G_GUINT64_FORMAT
           " bindings %zu\n", st->rx, st->bad, st->rejected, st->registers, st->challenges,
           st->forwarded, st->stateless, st->loops,
           sip_location_count(sip_server_location(a.srv), inet_now()));
    close_agent(&a);
    return 0;
}

/* ---------------------------------------------------------------- main */

static bool given(int argc, char **argv, int i) { return argc > i && strcmp(argv[i], "-") != 0; }

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    bool tcp = argc > 1 && !strcmp(argv[1], "--tcp");
    if (tcp) {
        argv++;
        argc--;
    }
    sip_ua_cfg uc = { .rport = true, .tcp = tcp };
    if (argc >= 4 && strcmp(argv[1], "uas") == 0) {
        uc.local = inet_ep_arg(argv[2]);
        uc.aor = argv[3];
        if (given(argc, argv, 4))
            uc.registrar = uc.proxy = inet_ep_arg(argv[4]);
        return cmd_uas(&uc, argc > 5 ? (unsigned)atoi(argv[5]) : 0,
                       !(argc > 6 && !strcmp(argv[6], "ring")));
    }
    if (argc >= 5 && strcmp(argv[1], "uac") == 0) {
        uc.local = inet_ep_arg(argv[2]);
        g_autofree char *aor = g_strdup_printf("sip:natsim@%s", inet_ep_str(&uc.local));
        uc.aor = aor;
        if (given(argc, argv, 5))
            uc.proxy = inet_ep_arg(argv[5]);
        return cmd_uac(&uc, argv[3], (unsigned)atoi(argv[4]));
    }
    if (argc >= 4 && strcmp(argv[1], "proxy") == 0) {
        sip_server_cfg sc = { .domain = argv[3], .self = inet_ep_arg(argv[2]),
                              .registrar = true, .record_route = true, .tcp = tcp };
        const char *users[] = { argc > 4 ? argv[4] : NULL, NULL };
        const char *pws[] = { argc > 5 ? argv[5] : NULL, NULL };
        if (given(argc, argv, 4) && argc > 5) {
            sc.users = users;
            sc.passwords = pws;
        }
        return cmd_proxy(&sc, argc > 6 ? (unsigned)atoi(argv[6]) : 0,
                         argc > 7 ? argv + 7 : NULL);
    }
    fprintf(stderr, "usage: interop_sip [--tcp] uas LISTEN AOR [REGISTRAR|-] [SECS] [ring]\n"
                    "       interop_sip [--tcp] uac LOCAL TARGET CALLS [PROXY|-]\n"
                    "       interop_sip [--tcp] proxy LISTEN DOMAIN [USER PASS|- -] [SECS]"
                    " [NAME=IP:PORT...]\n");
    return 2;
}
