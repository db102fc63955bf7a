/* sim/event.h — the scheduler: one event queue per world, a pooled 4-ary min-heap keyed on
 * (time, sequence). Equal-time events run in the order they were scheduled (DESIGN §1).
 * Events come from a free-list pool (no malloc per event once warm); cancel is O(1) by lazy
 * deletion: the slot is marked dead and skipped when it reaches the top. */
#ifndef SIM_EVENT_H
#define SIM_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include "sim/time.h"

typedef struct sim_sched sim_sched;

/* An event callback: ctx and arg are what was passed to sim_sched_at. */
typedef void (*sim_event_fn)(void *ctx, void *arg);

/* Handle of a scheduled event; {0,0} is "none". Stale handles are harmless. */
typedef struct sim_event_id {
    uint32_t slot; /* slot index + 1; 0 = none */
    uint32_t gen;
} sim_event_id;

/* Creates an empty scheduler at time 0. Returns owned. */
sim_sched *sim_sched_new(void);
/* Frees the scheduler and every pending event (callbacks are not run). NULL-safe. */
void sim_sched_free(sim_sched *s);
/* Schedules fn(ctx, arg) at absolute time `when` (clamped to now if in the past). */
sim_event_id sim_sched_at(sim_sched *s, sim_time_t when, sim_event_fn fn, void *ctx, void *arg);
/* Cancels a pending event; returns true if it was pending (false if run, cancelled or stale). */
bool sim_sched_cancel(sim_sched *s, sim_event_id id);
/* True while the event is still pending. */
bool sim_sched_pending(const sim_sched *s, sim_event_id id);
/* Current virtual time. */
sim_time_t sim_sched_now(const sim_sched *s);
/* Time of the earliest live event, or SIM_TIME_NEVER when none is pending. */
sim_time_t sim_sched_next(sim_sched *s);
/* Runs the earliest event if its time is <= limit; returns false when there was none. */
bool sim_sched_step(sim_sched *s, sim_time_t limit);
/* Advances the clock to t (t >= now) without running anything; used at the end of a run. */
void sim_sched_advance(sim_sched *s, sim_time_t t);
/* Number of live (not cancelled) pending events. */
size_t sim_sched_count(const sim_sched *s);
/* Number of events run since creation. */
uint64_t sim_sched_executed(const sim_sched *s);

#endif
