/* sim/event.c — the scheduler: a 4-ary min-heap keyed on (time, seq).
 *
 * Slots (callback, arguments, generation) live in one growing array and are recycled through a
 * free list, so a warm scheduler never mallocs. The heap holds (time, seq, slot) entries, so
 * sifting compares keys without touching the slots: the comparisons stay inside the heap array.
 * Cancel marks the slot dead (O(1)); dead entries are dropped when they surface at the top.
 * A 4-ary heap halves the depth of a binary one and keeps the four children of a node in one or
 * two cache lines, which is what dominates pop cost for big queues. */
#include "sim/event.h"

#include <glib.h>
#include <string.h>

#define ARITY 4

typedef struct slot {
    sim_event_fn fn;
    void *ctx;
    void *arg;
    uint32_t gen;
    uint32_t next_free; /* free-list link (index + 1), 0 = end */
    bool live;          /* scheduled and not cancelled */
    bool queued;        /* in the heap (live or dead) */
} slot;

typedef struct heap_entry {
    sim_time_t when;
    uint64_t seq;  /* scheduling order: equal times run first-scheduled first */
    uint32_t slot;
} heap_entry;

struct sim_sched {
    slot *slots;
    uint32_t n_slots, cap_slots;
    uint32_t free_head;  /* index + 1 */
    heap_entry *heap;
    uint32_t heap_len, heap_cap;
    size_t live;
    sim_time_t now;
    uint64_t seq;
    uint64_t executed;
};

sim_sched *sim_sched_new(void)
{
    sim_sched *s = g_new0(sim_sched, 1);
    return s;
}

void sim_sched_free(sim_sched *s)
{
    if (!s)
        return;
    g_free(s->slots);
    g_free(s->heap);
    g_free(s);
}

static inline bool before(const heap_entry *x, const heap_entry *y)
{
    return x->when < y->when || (x->when == y->when && x->seq < y->seq);
}

static void sift_up(sim_sched *s, uint32_t i)
{
    heap_entry v = s->heap[i];
    while (i > 0) {
        uint32_t parent = (i - 1) / ARITY;
        if (!before(&v, &s->heap[parent]))
            break;
        s->heap[i] = s->heap[parent];
        i = parent;
    }
    s->heap[i] = v;
}

static void sift_down(sim_sched *s, uint32_t i)
{
    heap_entry v = s->heap[i];
    for (;;) {
        uint32_t first = i * ARITY + 1;
        if (first >= s->heap_len)
            break;
        uint32_t best = first;
        uint32_t last = first + ARITY < s->heap_len ? first + ARITY : s->heap_len;
        for (uint32_t c = first + 1; c < last; c++)
            if (before(&s->heap[c], &s->heap[best]))
                best = c;
        if (!before(&s->heap[best], &v))
            break;
        s->heap[i] = s->heap[best];
        i = best;
    }
    s->heap[i] = v;
}

static uint32_t slot_take(sim_sched *s)
{
    if (s->free_head) {
        uint32_t i = s->free_head - 1;
        s->free_head = s->slots[i].next_free;
        return i;
    }
    if (s->n_slots == s->cap_slots) {
        s->cap_slots = s->cap_slots ? s->cap_slots * 2 : 256;
        s->slots = g_renew(slot, s->slots, s->cap_slots);
    }
    slot *sl = &s->slots[s->n_slots];
    memset(sl, 0, sizeof *sl);
    return s->n_slots++;
}

static void slot_release(sim_sched *s, uint32_t i)
{
    slot *sl = &s->slots[i];
    sl->gen++;
    sl->live = false;
    sl->queued = false;
    sl->next_free = s->free_head;
    s->free_head = i + 1;
}

sim_event_id sim_sched_at(sim_sched *s, sim_time_t when, sim_event_fn fn, void *ctx, void *arg)
{
    if (when < s->now)
        when = s->now;
    uint32_t i = slot_take(s);
    slot *sl = &s->slots[i];
    sl->fn = fn;
    sl->ctx = ctx;
    sl->arg = arg;
    sl->live = true;
    sl->queued = true;
    if (s->heap_len == s->heap_cap) {
        s->heap_cap = s->heap_cap ? s->heap_cap * 2 : 256;
        s->heap = g_renew(heap_entry, s->heap, s->heap_cap);
    }
    s->heap[s->heap_len] = (heap_entry){ .when = when, .seq = s->seq++, .slot = i };
    sift_up(s, s->heap_len++);
    s->live++;
    return (sim_event_id){ .slot = i + 1, .gen = sl->gen };
}

static slot *lookup(const sim_sched *s, sim_event_id id)
{
    if (id.slot == 0 || id.slot > s->n_slots)
        return NULL;
    slot *sl = &s->slots[id.slot - 1];
    return sl->gen == id.gen && sl->live ? sl : NULL;
}

bool sim_sched_cancel(sim_sched *s, sim_event_id id)
{
    slot *sl = lookup(s, id);
    if (!sl)
        return false;
    sl->live = false; /* stays in the heap until it surfaces */
    s->live--;
    return true;
}

bool sim_sched_pending(const sim_sched *s, sim_event_id id)
{
    return lookup(s, id) != NULL;
}

sim_time_t sim_sched_now(const sim_sched *s) { return s->now; }

static void pop_top(sim_sched *s)
{
    s->heap[0] = s->heap[--s->heap_len];
    if (s->heap_len)
        sift_down(s, 0);
}

/* Drops cancelled events sitting at the top so the top is live (or the heap empty). */
static void skim_dead(sim_sched *s)
{
    while (s->heap_len && !s->slots[s->heap[0].slot].live) {
        uint32_t i = s->heap[0].slot;
        pop_top(s);
        slot_release(s, i);
    }
}

sim_time_t sim_sched_next(sim_sched *s)
{
    skim_dead(s);
    return s->heap_len ? s->heap[0].when : SIM_TIME_NEVER;
}

bool sim_sched_step(sim_sched *s, sim_time_t limit)
{
    skim_dead(s);
    if (!s->heap_len)
        return false;
    sim_time_t when = s->heap[0].when;
    uint32_t i = s->heap[0].slot;
    slot *sl = &s->slots[i];
    if (when > limit)
        return false;
    pop_top(s);
    s->now = when;
    sim_event_fn fn = sl->fn;
    void *ctx = sl->ctx, *arg = sl->arg;
    s->live--;
    slot_release(s, i); /* before running: the callback may schedule into this slot */
    s->executed++;
    fn(ctx, arg);
    return true;
}

void sim_sched_advance(sim_sched *s, sim_time_t t)
{
    if (t > s->now && t != SIM_TIME_NEVER)
        s->now = t;
}

size_t sim_sched_count(const sim_sched *s) { return s->live; }

uint64_t sim_sched_executed(const sim_sched *s) { return s->executed; }
