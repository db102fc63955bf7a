/* bench_ice — ICE agent pairs connecting concurrently (a benchmark, not a test: it prints
 * figures and never fails on time). Usage: bench_ice [pairs]   (default 10,000)
 *
 * The cores only, no simulator: `pairs` pairs of agents start at virtual time 0 and talk
 * through an in-memory network with a 10 ms one-way delay. Agent A of each pair is behind its
 * own NAT (endpoint-independent mapping, address-and-port-dependent filtering) and signals its
 * private host candidate and its server-reflexive one; B is a public host. So every pair
 * checks an unreachable host pair, a srflx pair and learns a peer-reflexive candidate, as
 * behind a port-restricted cone. Printed: wall time until every pair selected, datagrams and
 * timer expiries handled, virtual connect times, and heap per pair (RSS growth). */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "protocols/ice/ice.h"
#include "bench_util.h"

#define DELAY (10 * SIM_MS)

typedef struct pair {
    ice_agent *ag[2];
    sim_rng rng[2];
    sim_ep a_in, a_out, b;   /* A's private socket, its NAT mapping, B's socket */
    sim_ep allowed[4];       /* remotes A's mapping has sent to (APDF) */
    int n_allowed;
    sim_time_t selected[2];
} pair;

typedef struct dgram {
    unsigned pair;
    int to_agent;
    sim_ep from;
    size_t len;
    uint8_t data[];
} dgram;

/* A binary min-heap of (time, agent index) with lazy deletion: an entry is stale when the
 * agent's deadline moved; entries are pushed whenever a deadline is (re)computed. */
typedef struct hent {
    sim_time_t t;
    unsigned who;  /* pair * 2 + agent */
} hent;

typedef struct bench {
    pair *p;
    unsigned n;
    GQueue wire;              /* of dgram *, arrival order = sending order (fixed delay) */
    GQueue wire_at;           /* arrival times, same order */
    GArray *heap;
    sim_time_t *deadline;
    uint64_t dgrams, expiries, selected;
} bench;

static void heap_push(bench *b, sim_time_t t, unsigned who)
{
    hent e = { t, who };
    g_array_append_val(b->heap, e);
    hent *h = (hent *)(void *)b->heap->data;
    for (guint i = b->heap->len - 1; i > 0 && h[(i - 1) / 2].t > h[i].t; i = (i - 1) / 2) {
        hent x = h[i];
        h[i] = h[(i - 1) / 2];
        h[(i - 1) / 2] = x;
    }
}

static hent heap_pop(bench *b)
{
    hent *h = (hent *)(void *)b->heap->data, top = h[0];
    h[0] = h[b->heap->len - 1];
    g_array_set_size(b->heap, b->heap->len - 1);
    for (guint i = 0, n = b->heap->len;;) {
        guint l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && h[l].t < h[m].t)
            m = l;
        if (r < n && h[r].t < h[m].t)
            m = r;
        if (m == i)
            break;
        hent x = h[i];
        h[i] = h[m];
        h[m] = x;
        i = m;
    }
    return top;
}

static void resched(bench *b, unsigned who)
{
    sim_time_t d = ice_agent_next_deadline(b->p[who / 2].ag[who % 2]);
    if (d != b->deadline[who]) {
        b->deadline[who] = d;
        if (d != SIM_TIME_NEVER)
            heap_push(b, d, who);
    }
}

/* Sends agent `ag` of pair pi's outbox through the NAT (A side) onto the wire. */
static void pump(bench *b, unsigned pi, int ag, sim_time_t now)
{
    pair *p = &b->p[pi];
    ice_out o;
    ice_event ev;
    while (ice_agent_pop(p->ag[ag], &o)) {
        dgram *d = g_malloc(sizeof *d + o.len);
        d->pair = pi;
        d->to_agent = 1 - ag;
        d->len = o.len;
        memcpy(d->data, o.data, o.len);
        if (ag == 0) {
            d->from = p->a_out;
            bool known = false;
            for (int k = 0; k < p->n_allowed; k++)
                known |= sim_ep_eq(&p->allowed[k], &o.to);
            if (!known && p->n_allowed < 4)
                p->allowed[p->n_allowed++] = o.to;
            if (!sim_ep_eq(&o.to, &p->b)) { /* only B is reachable from A */
                g_free(d);
                continue;
            }
        } else {
            d->from = p->b;
            if (!sim_ep_eq(&o.to, &p->a_out)) { /* A's private address is unreachable */
                g_free(d);
                continue;
            }
        }
        g_queue_push_tail(&b->wire, d);
        g_queue_push_tail(&b->wire_at, GSIZE_TO_POINTER((gsize)(now + DELAY)));
    }
    while (ice_agent_pop_event(p->ag[ag], &ev))
        if (ev.kind == ICE_EV_SELECTED && !p->selected[ag]) {
            p->selected[ag] = ev.elapsed;
            b->selected++;
        }
    resched(b, pi * 2 + (unsigned)ag);
}

static void add_cand(ice_agent *to, const ice_cand *c)
{
    ice_cand r = *c;
    r.sock = 0;
    ice_agent_add_remote(to, 0, &r);
}

static void setup(bench *b, unsigned pi)
{
    pair *p = &b->p[pi];
    for (int i = 0; i < 2; i++) {
        sim_rng_seed(&p->rng[i], 1000 + 2 * pi + (unsigned)i);
        p->ag[i] = ice_agent_new(&(ice_agent_cfg){ .controlling = i == 0 }, &p->rng[i]);
    }
    p->a_in = (sim_ep){ sim_ip4(0xC0A80002u), 5000 };                       /* 192.168.0.2 */
    p->a_out = (sim_ep){ sim_ip4(0x0A000000u + pi / 60000), (uint16_t)(1024 + pi % 60000) };
    p->b = (sim_ep){ sim_ip4(0x0B000000u + pi), 6000 };
    ice_cand c = { .type = ICE_CAND_HOST, .component = 1, .addr = p->a_in, .base = p->a_in, .sock = 1 };
    ice_cand out;
    ice_agent_add_local(p->ag[0], 0, &c, 65535, &out);
    add_cand(p->ag[1], &out);
    c.type = ICE_CAND_SRFLX;
    c.addr = p->a_out;
    c.server = (sim_ep){ sim_ip4(0x0C000001u), 3478 };
    ice_agent_add_local(p->ag[0], 0, &c, 65535, &out);
    add_cand(p->ag[1], &out);
    c = (ice_cand){ .type = ICE_CAND_HOST, .component = 1, .addr = p->b, .base = p->b, .sock = 1 };
    ice_agent_add_local(p->ag[1], 0, &c, 65535, &out);
    add_cand(p->ag[0], &out);
    for (int i = 0; i < 2; i++) {
        ice_agent_set_remote(p->ag[i], 0, ice_agent_ufrag(p->ag[1 - i]), ice_agent_pwd(p->ag[1 - i]));
        ice_agent_local_done(p->ag[i], 0);
        ice_agent_remote_done(p->ag[i], 0);
    }
    b->deadline[2 * pi] = b->deadline[2 * pi + 1] = 0;
    heap_push(b, 0, 2 * pi);
    heap_push(b, 0, 2 * pi + 1);
}

int main(int argc, char **argv)
{
    bench b = { 0 };
    b.n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 10000;
    if (!b.n || b.n > 1000000) {
        fprintf(stderr, "usage: bench_ice [pairs 1..1000000]\n");
        return 2;
    }
    long rss0 = bench_rss_bytes() / 1024;
    b.p = g_new0(pair, b.n);
    b.deadline = g_new(sim_time_t, 2 * b.n);
    b.heap = g_array_new(FALSE, FALSE, sizeof(hent));
    g_queue_init(&b.wire);
    g_queue_init(&b.wire_at);
    for (unsigned i = 0; i < b.n; i++)
        setup(&b, i);
    long rss1 = bench_rss_bytes() / 1024;
    gint64 t0 = g_get_monotonic_time();
    sim_time_t now = 0;
    while (b.selected < 2ull * b.n && now < 60 * SIM_SEC) {
        sim_time_t tw = g_queue_is_empty(&b.wire_at) ? SIM_TIME_NEVER
                        : (sim_time_t)GPOINTER_TO_SIZE(g_queue_peek_head(&b.wire_at));
        sim_time_t th = b.heap->len ? ((hent *)(void *)b.heap->data)[0].t : SIM_TIME_NEVER;
        if (tw == SIM_TIME_NEVER && th == SIM_TIME_NEVER)
            break;
        if (tw <= th) {
            now = tw;
            g_queue_pop_head(&b.wire_at);
            dgram *d = g_queue_pop_head(&b.wire);
            pair *p = &b.p[d->pair];
            bool pass = d->to_agent == 1; /* A's NAT filters on arrival (APDF) */
            for (int k = 0; !pass && k < p->n_allowed; k++)
                pass = sim_ep_eq(&p->allowed[k], &d->from);
            if (pass)
                ice_agent_input(p->ag[d->to_agent], now, 1, &d->from, d->data, d->len);
            b.dgrams++;
            pump(&b, d->pair, d->to_agent, now);
            g_free(d);
        } else {
            hent e = heap_pop(&b);
            now = MAX(now, e.t);
            if (b.deadline[e.who] != e.t)
                continue; /* stale */
            b.deadline[e.who] = SIM_TIME_NEVER;
            ice_agent_timeout(b.p[e.who / 2].ag[e.who % 2], now);
            b.expiries++;
            pump(&b, e.who / 2, (int)(e.who % 2), now);
        }
    }
    double wall = (double)(g_get_monotonic_time() - t0) / 1e6;
    sim_time_t mn = SIM_TIME_NEVER, mx = 0;
    double sum = 0;
    for (unsigned i = 0; i < b.n; i++) {
        mn = MIN(mn, b.p[i].selected[0]);
        mx = MAX(mx, b.p[i].selected[0]);
        sum += (double)b.p[i].selected[0];
    }
    printf("bench_ice: %u pairs (A behind a port-restricted NAT, B public), %llu of %u agents selected\n",
           b.n, (unsigned long long)b.selected, 2 * b.n);
    printf("  wall %.3f s until all selected (virtual %.3f s): %llu datagrams, %llu timer expiries\n",
           wall, sim_time_sec(now), (unsigned long long)b.dgrams, (unsigned long long)b.expiries);
    printf("  controlling agent connect time: min %.0f ms, mean %.1f ms, max %.0f ms (virtual)\n",
           mn / 1e6, sum / b.n / 1e6, mx / 1e6);
    printf("  heap after set-up: %.0f bytes per pair (RSS growth)\n",
           (double)(rss1 - rss0) * 1024.0 / b.n);
    for (unsigned i = 0; i < b.n; i++) {
        ice_agent_free(b.p[i].ag[0]);
        ice_agent_free(b.p[i].ag[1]);
    }
    g_queue_clear_full(&b.wire, g_free);
    g_queue_clear(&b.wire_at);
    g_array_free(b.heap, TRUE);
    g_free(b.deadline);
    g_free(b.p);
    return b.selected == 2ull * b.n ? 0 : 1;
}
