/* bench_engine — scheduler throughput for a schedule / pop / cancel mix (a benchmark, not a
 * test: it prints figures and never fails on time). Usage: bench_engine [events] [chains]
 *
 * The mix models protocol timers on a busy network: `chains` independent activities; each tick
 * cancels the chain's retransmission timer (usually before it fires, as when an answer arrives),
 * re-arms it, and schedules the chain's next tick. The queue holds about 2 x chains events in a
 * steady state, so the figure measures the scheduler, not a growing heap. */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include "sim/event.h"
#include "sim/rng.h"

typedef struct chain {
    struct bench *b;
    sim_event_id timer;
} chain;

typedef struct bench {
    sim_sched *s;
    sim_rng rng;
    uint64_t remaining, timers_fired, cancels;
} bench;

static void on_timer(void *ctx, void *arg)
{
    ((bench *)ctx)->timers_fired++;
}

static void tick(void *ctx, void *arg)
{
    chain *c = ctx;
    bench *b = c->b;
    if (!b->remaining)
        return;
    b->remaining--;
    sim_time_t now = sim_sched_now(b->s);
    b->cancels += sim_sched_cancel(b->s, c->timer);
    c->timer = sim_sched_at(b->s, now + 500000 + sim_rng_below(&b->rng, 4500000), on_timer, b, NULL);
    sim_sched_at(b->s, now + 1 + sim_rng_below(&b->rng, 1000000), tick, c, NULL);
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 20000000;
    unsigned chains = argc > 2 ? (unsigned)atoi(argv[2]) : 10000;
    bench b = { .s = sim_sched_new(), .remaining = n };
    sim_rng_seed(&b.rng, 1);
    chain *cs = g_new0(chain, chains);
    for (unsigned i = 0; i < chains; i++) {
        cs[i].b = &b;
        sim_sched_at(b.s, sim_rng_below(&b.rng, 1000000), tick, &cs[i], NULL);
    }
    gint64 t0 = g_get_monotonic_time();
    while (sim_sched_step(b.s, SIM_TIME_NEVER))
        ;
    double secs = (g_get_monotonic_time() - t0) / 1e6;
    uint64_t ran = sim_sched_executed(b.s);
    printf("engine: %llu events run, %llu cancelled, %llu timers fired, %u chains, in %.3f s "
           "= %.2f M events/s (%.2f M schedule+cancel+pop ops/s)\n",
           (unsigned long long)ran, (unsigned long long)b.cancels,
           (unsigned long long)b.timers_fired, chains, secs, ran / secs / 1e6,
           (2.0 * ran + b.cancels) / secs / 1e6);
    g_free(cs);
    sim_sched_free(b.s);
    return 0;
}
