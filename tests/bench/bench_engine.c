/* bench_engine — scheduler throughput for a schedule / pop / cancel mix (a benchmark, not a
 * test: it prints figures and never fails on time). Usage: bench_engine [events] */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include "sim/event.h"
#include "sim/rng.h"

typedef struct {
    sim_sched *s;
    sim_rng rng;
    uint64_t remaining;
    sim_event_id victim;
} mix;

/* Each event schedules two more (one of which the next event usually cancels), keeping a queue
 * of a few thousand pending events like a busy network: timers armed and re-armed. */
static void tick(void *ctx, void *arg)
{
    mix *m = ctx;
    if (!m->remaining)
        return;
    m->remaining--;
    sim_time_t now = sim_sched_now(m->s);
    if (sim_rng_below(&m->rng, 4) != 0)
        sim_sched_cancel(m->s, m->victim);
    sim_sched_at(m->s, now + 1 + sim_rng_below(&m->rng, 1000000), tick, m, NULL);
    m->victim = sim_sched_at(m->s, now + 1 + sim_rng_below(&m->rng, 5000000), tick, m, NULL);
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
    mix m = { .s = sim_sched_new(), .remaining = n };
    sim_rng_seed(&m.rng, 1);
    for (int i = 0; i < 4096; i++)
        sim_sched_at(m.s, sim_rng_below(&m.rng, 1000000), tick, &m, NULL);
    gint64 t0 = g_get_monotonic_time();
    while (sim_sched_step(m.s, SIM_TIME_NEVER))
        ;
    double secs = (g_get_monotonic_time() - t0) / 1e6;
    uint64_t ran = sim_sched_executed(m.s);
    printf("engine: %llu events run (schedule+cancel mix) in %.3f s = %.2f M events/s\n",
           (unsigned long long)ran, secs, ran / secs / 1e6);
    sim_sched_free(m.s);
    return 0;
}
