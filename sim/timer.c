/* sim/timer.c — re-armable timers on the world's scheduler. */
#include "sim/timer.h"

struct sim_timer {
    sim_world *world;
    sim_timer_fn fn;
    void *ctx;
    sim_event_id ev;
    sim_time_t deadline;
};

sim_timer *sim_timer_new(sim_world *w, sim_timer_fn fn, void *ctx)
{
    sim_timer *t = g_new0(sim_timer, 1);
    t->world = w;
    t->fn = fn;
    t->ctx = ctx;
    t->deadline = SIM_TIME_NEVER;
    return t;
}

void sim_timer_cancel(sim_timer *t)
{
    if (t->deadline == SIM_TIME_NEVER)
        return;
    sim_sched_cancel(sim_world_sched(t->world), t->ev);
    t->ev = (sim_event_id){ 0, 0 };
    t->deadline = SIM_TIME_NEVER;
}

void sim_timer_free(sim_timer *t)
{
    if (!t)
        return;
    sim_timer_cancel(t);
    g_free(t);
}

static void fire(void *ctx, void *arg)
{
    sim_timer *t = ctx;
    t->ev = (sim_event_id){ 0, 0 };
    t->deadline = SIM_TIME_NEVER;
    t->fn(t, t->ctx); /* may re-arm or free t */
}

void sim_timer_at(sim_timer *t, sim_time_t when)
{
    sim_timer_cancel(t);
    sim_sched *s = sim_world_sched(t->world);
    if (when < sim_sched_now(s))
        when = sim_sched_now(s);
    t->deadline = when;
    t->ev = sim_sched_at(s, when, fire, t, NULL);
}

void sim_timer_in(sim_timer *t, sim_time_t delay)
{
    sim_time_t now = sim_world_now(t->world);
    sim_timer_at(t, delay > SIM_TIME_NEVER - 1 - now ? SIM_TIME_NEVER - 1 : now + delay);
}

bool sim_timer_armed(const sim_timer *t) { return t->deadline != SIM_TIME_NEVER; }

sim_time_t sim_timer_deadline(const sim_timer *t) { return t->deadline; }

void sim_timer_set(sim_timer *t, sim_time_t when)
{
    if (when == SIM_TIME_NEVER)
        sim_timer_cancel(t);
    else if (t->deadline != when)
        sim_timer_at(t, when);
}
