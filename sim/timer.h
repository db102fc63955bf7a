/* sim/timer.h — timers for protocol code: one handle, re-armable, cancellable in O(1).
 * The only time API protocols/ may use besides sim_world_now(). */
#ifndef SIM_TIMER_H
#define SIM_TIMER_H

#include <stdbool.h>
#include "sim/time.h"
#include "sim/world.h"

typedef struct sim_timer sim_timer;
typedef void (*sim_timer_fn)(sim_timer *t, void *ctx);

/* Creates a disarmed timer. Returns owned by the caller (sim_timer_free). */
sim_timer *sim_timer_new(sim_world *w, sim_timer_fn fn, void *ctx);
/* Cancels and frees the timer. NULL-safe. */
void sim_timer_free(sim_timer *t);
/* Arms the timer to fire at absolute time `when` (re-arming replaces the previous deadline). */
void sim_timer_at(sim_timer *t, sim_time_t when);
/* Arms the timer to fire `delay` from now. */
void sim_timer_in(sim_timer *t, sim_time_t delay);
/* Disarms the timer. */
void sim_timer_cancel(sim_timer *t);
/* True while armed. */
bool sim_timer_armed(const sim_timer *t);
/* The armed deadline, or SIM_TIME_NEVER. */
sim_time_t sim_timer_deadline(const sim_timer *t);
/* Keeps the timer armed at `when`, or disarmed for SIM_TIME_NEVER: what a driver does after
 * each step of a core with its next deadline. Already armed at `when`, it is left alone, so it
 * keeps its place among timers of the same deadline. */
void sim_timer_set(sim_timer *t, sim_time_t when);

#endif
