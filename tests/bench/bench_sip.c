/* bench_sip — SIP calls set up and torn down per wall second through two proxies (a benchmark,
 * not a test). The cores run back to back over an in-process datagram queue with a 1 ms
 * virtual delay, no simulator: a caller UA (alice@rutgers.edu) -> proxy.rutgers.edu ->
 * proxy.mit.edu (a location service with U registered users) -> a callee UA that answers every
 * INVITE (180 then 200). proxy.rutgers.edu's RFC 3263 lookups are answered at once with
 * proxy.mit.edu's address (DNS is not what is measured). Each call: INVITE, 100, 180, 200,
 * ACK, then BYE, 200, all through both proxies (Record-Route); K calls are in flight at once,
 * each to a random user. Prints calls per wall second, messages per call, and peak RSS.
 * Usage: bench_sip CALLS USERS K */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include "protocols/sip/sip.h"

#define DELAY SIM_MS

typedef struct pkt {
    sim_time_t at;
    sim_ep from, to;
    uint8_t *data;
    size_t len;
} pkt;

typedef struct bench {
    sim_time_t now;
    sim_ep ep[4];         /* alice, rutgers, mit, bob */
    sip_ua *alice, *bob;
    sip_server *rutgers, *mit;
    GQueue q;
    uint64_t msgs, started, done, failed;
    sim_rng rng;
} bench;

static void push(bench *b, int src, sip_out *o)
{
    pkt *p = g_new(pkt, 1);
    p->at = b->now + DELAY;
    p->from = b->ep[src];
    p->to = o->to;
    p->data = o->data;
    p->len = o->len;
    g_queue_push_tail(&b->q, p); /* one delay for all: the queue stays in time order */
    b->msgs++;
}

static void collect(bench *b)
{
    sip_out o;
    unsigned id;
    char host[256];
    while (sip_server_lookup_pop(b->rutgers, &id, host, sizeof host))
        sip_server_located(b->rutgers, b->now, id, 0, &b->ep[2]);
    while (sip_ua_pop(b->alice, &o))
        push(b, 0, &o);
    while (sip_server_pop(b->rutgers, &o))
        push(b, 1, &o);
    while (sip_server_pop(b->mit, &o))
        push(b, 2, &o);
    while (sip_ua_pop(b->bob, &o))
        push(b, 3, &o);
}

static void start_call(bench *b, unsigned users)
{
    char uri[64];
    g_snprintf(uri, sizeof uri, "sip:user%u@mit.edu", sim_rng_below(&b->rng, users));
    unsigned id;
    if (sip_ua_call(b->alice, b->now, uri, &id) == 0)
        b->started++;
}

/* The UAs' events: Bob answers, Alice hangs up once answered, ended calls are forgotten. */
static void events(bench *b)
{
    sip_ua_ev ev;
    while (sip_ua_event(b->bob, &ev)) {
        if (ev.kind == SIP_UA_EV_INCOMING) {
            sip_ua_ring(b->bob, b->now, ev.call);
            sip_ua_answer(b->bob, b->now, ev.call);
        } else if (ev.kind == SIP_UA_EV_ENDED) {
            sip_ua_forget(b->bob, ev.call);
        }
    }
    while (sip_ua_event(b->alice, &ev)) {
        if (ev.kind == SIP_UA_EV_ANSWERED) {
            sip_ua_hangup(b->alice, b->now, ev.call);
        } else if (ev.kind == SIP_UA_EV_ENDED) {
            if (ev.status == 200)
                b->done++;
            else
                b->failed++;
            sip_ua_forget(b->alice, ev.call);
        }
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench_sip CALLS USERS K\n");
        return 2;
    }
    uint64_t calls = strtoull(argv[1], NULL, 10);
    unsigned users = (unsigned)strtoul(argv[2], NULL, 10), k = (unsigned)strtoul(argv[3], NULL, 10);
    bench b = { 0 };
    g_queue_init(&b.q);
    sim_rng_seed(&b.rng, 1);
    static const char *const addr[] = { "128.6.4.10:5060", "128.6.4.2:5060", "18.7.22.83:5060",
                                        "18.7.22.50:5060" };
    for (int i = 0; i < 4; i++)
        sim_ep_parse(addr[i], &b.ep[i]);
    sim_rng r[4];
    for (int i = 0; i < 4; i++)
        sim_rng_seed(&r[i], (uint64_t)i + 2);
    b.alice = sip_ua_new(&(sip_ua_cfg){ .aor = "sip:alice@rutgers.edu", .local = b.ep[0],
                                        .proxy = b.ep[1] }, &r[0]);
    b.rutgers = sip_server_new(&(sip_server_cfg){ .domain = "rutgers.edu", .self = b.ep[1],
                                                  .record_route = true }, &r[1]);
    b.mit = sip_server_new(&(sip_server_cfg){ .domain = "mit.edu", .self = b.ep[2],
                                              .registrar = true, .record_route = true }, &r[2]);
    b.bob = sip_ua_new(&(sip_ua_cfg){ .aor = "sip:bob@mit.edu", .local = b.ep[3],
                                      .proxy = b.ep[2] }, &r[3]);
    sip_location *loc = sip_server_location(b.mit);
    for (unsigned u = 0; u < users; u++) {
        char aor[64];
        g_snprintf(aor, sizeof aor, "user%u@mit.edu", u);
        sip_location_bind(loc, aor, "sip:bob@18.7.22.50:5060", 7200 * SIM_SEC, NULL);
    }
    gint64 t0 = g_get_monotonic_time();
    for (unsigned i = 0; i < k && b.started < calls; i++)
        start_call(&b, users);
    while (b.done + b.failed < calls) {
        collect(&b);
        events(&b);
        while (b.started < calls && b.started - b.done - b.failed < k)
            start_call(&b, users);
        collect(&b);
        pkt *p = g_queue_peek_head(&b.q);
        sim_time_t t = MIN(MIN(sip_ua_next_deadline(b.alice), sip_ua_next_deadline(b.bob)),
                           MIN(sip_server_next_deadline(b.rutgers), sip_server_next_deadline(b.mit)));
        if (p && p->at <= t)
            t = p->at;
        if (t == SIM_TIME_NEVER)
            break;
        b.now = t;
        if (p && p->at == t) {
            g_queue_pop_head(&b.q);
            for (int i = 0; i < 4; i++) {
                if (!sim_ep_eq(&p->to, &b.ep[i]))
                    continue;
                if (i == 0 || i == 3)
                    sip_ua_input(i ? b.bob : b.alice, t, &p->from, p->data, p->len);
                else
                    sip_server_input(i == 1 ? b.rutgers : b.mit, t, &p->from, p->data, p->len);
            }
            g_free(p->data);
            g_free(p);
        } else {
            sip_ua_timeout(b.alice, t);
            sip_ua_timeout(b.bob, t);
            sip_server_timeout(b.rutgers, t);
            sip_server_timeout(b.mit, t);
        }
    }
    double secs = (double)(g_get_monotonic_time() - t0) / 1e6;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("bench_sip: %" G_GUINT64_FORMAT " calls (%" G_GUINT64_FORMAT " failed) through two "
           "proxies, %u registered users, %u in flight: %.0f calls/s wall, %.1f messages/call, "
           "%.1f s simulated, peak RSS %ld MB\n",
           b.done, b.failed, users, k, (double)b.done / secs,
           (double)b.msgs / (double)(b.done + b.failed ? b.done + b.failed : 1),
           sim_time_sec(b.now), ru.ru_maxrss / 1024);
    sip_ua_free(b.alice);
    sip_ua_free(b.bob);
    sip_server_free(b.rutgers);
    sip_server_free(b.mit);
    return b.failed ? 1 : 0;
}
