/* Unit tests for the scheduler (sim/event.h) and timers (sim/timer.h). */
#include <glib.h>
#include "sim/event.h"
#include "sim/rng.h"
#include "sim/timer.h"
#include "sim/world.h"

typedef struct {
    GArray *order;
    sim_sched *s;
} rec;

static void note(void *ctx, void *arg)
{
    rec *r = ctx;
    int v = GPOINTER_TO_INT(arg);
    g_array_append_val(r->order, v);
}

static void test_order(void)
{
    sim_sched *s = sim_sched_new();
    rec r = { g_array_new(FALSE, FALSE, sizeof(int)), s };
    sim_sched_at(s, 30, note, &r, GINT_TO_POINTER(3));
    sim_sched_at(s, 10, note, &r, GINT_TO_POINTER(1));
    sim_sched_at(s, 20, note, &r, GINT_TO_POINTER(2));
    /* Equal times run in scheduling order. */
    sim_sched_at(s, 20, note, &r, GINT_TO_POINTER(22));
    sim_sched_at(s, 20, note, &r, GINT_TO_POINTER(23));
    g_assert_cmpuint(sim_sched_count(s), ==, 5);
    g_assert_cmpuint(sim_sched_next(s), ==, 10);
    while (sim_sched_step(s, SIM_TIME_NEVER))
        ;
    int want[] = { 1, 2, 22, 23, 3 };
    g_assert_cmpuint(r.order->len, ==, 5);
    for (int i = 0; i < 5; i++)
        g_assert_cmpint(g_array_index(r.order, int, i), ==, want[i]);
    g_assert_cmpuint(sim_sched_now(s), ==, 30);
    g_assert_cmpuint(sim_sched_executed(s), ==, 5);
    g_array_unref(r.order);
    sim_sched_free(s);
}

static void test_cancel(void)
{
    sim_sched *s = sim_sched_new();
    rec r = { g_array_new(FALSE, FALSE, sizeof(int)), s };
    sim_event_id a = sim_sched_at(s, 5, note, &r, GINT_TO_POINTER(1));
    sim_event_id b = sim_sched_at(s, 6, note, &r, GINT_TO_POINTER(2));
    g_assert_true(sim_sched_pending(s, a));
    g_assert_true(sim_sched_cancel(s, a));
    g_assert_false(sim_sched_cancel(s, a)); /* twice is harmless */
    g_assert_false(sim_sched_pending(s, a));
    g_assert_cmpuint(sim_sched_count(s), ==, 1);
    g_assert_cmpuint(sim_sched_next(s), ==, 6);
    g_assert_true(sim_sched_step(s, 100));
    g_assert_false(sim_sched_step(s, 100));
    g_assert_false(sim_sched_cancel(s, b)); /* already ran */
    /* A stale id must not cancel whatever reuses its slot. */
    sim_event_id c = sim_sched_at(s, 50, note, &r, GINT_TO_POINTER(3));
    g_assert_false(sim_sched_cancel(s, a));
    g_assert_true(sim_sched_pending(s, c));
    g_assert_cmpuint(r.order->len, ==, 1);
    g_assert_cmpint(g_array_index(r.order, int, 0), ==, 2);
    g_array_unref(r.order);
    sim_sched_free(s);
}

static void test_limit_and_past(void)
{
    sim_sched *s = sim_sched_new();
    rec r = { g_array_new(FALSE, FALSE, sizeof(int)), s };
    sim_sched_at(s, 100, note, &r, GINT_TO_POINTER(1));
    g_assert_false(sim_sched_step(s, 99));
    g_assert_cmpuint(sim_sched_now(s), ==, 0);
    sim_sched_advance(s, 50);
    sim_sched_at(s, 10, note, &r, GINT_TO_POINTER(2)); /* in the past: clamped to now */
    g_assert_cmpuint(sim_sched_next(s), ==, 50);
    g_assert_true(sim_sched_step(s, 1000));
    g_assert_cmpint(g_array_index(r.order, int, 0), ==, 2);
    g_array_unref(r.order);
    sim_sched_free(s);
}

/* Heap property under a random mix of schedule / cancel / pop, against a sorted reference. */
static void test_random_mix(void)
{
    sim_sched *s = sim_sched_new();
    rec r = { g_array_new(FALSE, FALSE, sizeof(int)), s };
    sim_rng rng;
    sim_rng_seed(&rng, 42);
    sim_event_id ids[2000];
    sim_time_t when[2000];
    gboolean cancelled[2000] = { 0 };
    for (int i = 0; i < 2000; i++) {
        when[i] = sim_rng_below(&rng, 1000);
        ids[i] = sim_sched_at(s, when[i], note, &r, GINT_TO_POINTER(i));
    }
    for (int i = 0; i < 2000; i += 3) {
        cancelled[i] = TRUE;
        g_assert_true(sim_sched_cancel(s, ids[i]));
    }
    while (sim_sched_step(s, SIM_TIME_NEVER))
        ;
    g_assert_cmpuint(r.order->len, ==, 2000 - 667);
    for (guint k = 1; k < r.order->len; k++) {
        int a = g_array_index(r.order, int, k - 1), b = g_array_index(r.order, int, k);
        g_assert_false(cancelled[b]);
        g_assert_true(when[a] < when[b] || (when[a] == when[b] && a < b));
    }
    g_array_unref(r.order);
    sim_sched_free(s);
}

static void on_timer(sim_timer *t, void *ctx)
{
    GArray *fired = ctx;
    sim_time_t now = sim_timer_deadline(t); /* disarmed inside the callback */
    g_assert_cmpuint(now, ==, SIM_TIME_NEVER);
    g_array_append_val(fired, now);
}

static void test_timer(void)
{
    sim_world *w = sim_world_new(NULL, NULL);
    GArray *fired = g_array_new(FALSE, FALSE, sizeof(sim_time_t));
    sim_timer *t = sim_timer_new(w, on_timer, fired);
    sim_timer_in(t, 5 * SIM_SEC);
    g_assert_true(sim_timer_armed(t));
    sim_timer_at(t, 7 * SIM_SEC); /* re-arm replaces */
    g_assert_cmpuint(sim_timer_deadline(t), ==, 7 * SIM_SEC);
    sim_world_run(w, 6 * SIM_SEC);
    g_assert_cmpuint(fired->len, ==, 0);
    g_assert_cmpuint(sim_world_now(w), ==, 6 * SIM_SEC);
    sim_world_run(w, SIM_TIME_NEVER);
    g_assert_cmpuint(fired->len, ==, 1);
    g_assert_cmpuint(sim_world_now(w), ==, 7 * SIM_SEC);
    sim_timer_in(t, SIM_SEC);
    sim_timer_cancel(t);
    g_assert_false(sim_timer_armed(t));
    sim_world_run(w, SIM_TIME_NEVER);
    g_assert_cmpuint(fired->len, ==, 1);
    sim_timer_free(t);
    g_array_unref(fired);
    sim_world_free(w);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/event/order", test_order);
    g_test_add_func("/event/cancel", test_cancel);
    g_test_add_func("/event/limit-and-past", test_limit_and_past);
    g_test_add_func("/event/random-mix", test_random_mix);
    g_test_add_func("/timer/arm-rearm-cancel", test_timer);
    return g_test_run();
}
