/* sim/lua/lua_task.c — tasks: Lua coroutines driven by the world's scheduler.
 *
 * A task is resumed only from a scheduler event (its start, the end of a sleep, a condition
 * being signalled, a timeout), never from inside engine code, so Lua never runs in the middle
 * of the stack's per-frame path. A blocking call arms exactly one wake-up and yields; a task
 * that yields without one (a bare coroutine.yield) is a script error, not a silent hang.
 *
 *   sim.sleep(dt)            sim.spawn(fn, ...)      sim.at(t, fn, ...)
 *   sim.after(dt, fn, ...)   sim.run(t)              task:cancel() task:done() task:join() */
#include "sim/lua/simlua_priv.h"

#include <errno.h>

struct simlua_cond {
    simlua *s;
    GQueue waiters; /* of simlua_task *, in wait order */
};

static const sim_event_id no_event = { 0, 0 };

static sim_sched *sched_of(simlua *s) { return sim_world_sched(s->w); }

static sim_time_t time_add(sim_time_t a, sim_time_t b)
{
    return b >= SIM_TIME_NEVER - a ? SIM_TIME_NEVER - 1 : a + b;
}

static void cancel_ev(simlua_task *t)
{
    sim_sched_cancel(sched_of(t->th.s), t->ev);
    t->ev = no_event;
}

/* ---- life of a task ---- */

static void task_start_cb(void *ctx, void *arg)
{
    simlua_task *t = arg;
    t->ev = no_event;
    simlua_task_resume(t);
}

simlua_task *simlua_task_new(lua_State *L, int nargs, sim_time_t when)
{
    simlua *s = simlua_from(L);
    simlua_task *t = g_new0(simlua_task, 1);
    t->th.s = s;
    t->th.task = t;
    t->id = ++s->next_task_id;
    t->co = lua_newthread(L);
    *(simlua_thread **)lua_getextraspace(t->co) = &t->th;
    lua_insert(L, -(nargs + 2));          /* thread below the function and its arguments */
    lua_xmove(L, t->co, nargs + 1);       /* function and arguments onto the coroutine */
    t->co_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    t->nargs = nargs;
    t->state = SIMLUA_TASK_NEW;
    t->ev = sim_sched_at(sched_of(s), when, task_start_cb, s, t);
    g_hash_table_add(s->tasks, t);
    return t;
}

void simlua_task_free(simlua_task *t)
{
    simlua *s = t->th.s;
    cancel_ev(t);
    if (t->cond)
        g_queue_remove(&t->cond->waiters, t);
    if (t->finished) {
        simlua_cond_signal(t->finished);
        simlua_cond_free(t->finished);
    }
    /* If the script kept the coroutine (coroutine.running()) and resumes it later, it must
     * not find a dangling task: it becomes an ordinary coroutine. */
    *(simlua_thread **)lua_getextraspace(t->co) = &s->th;
    luaL_unref(s->L, LUA_REGISTRYINDEX, t->co_ref);
    if (t->ref.id)
        sim_world_ref_drop(s->w, t->ref);
    g_hash_table_remove(s->tasks, t);
    g_free(t);
}

/* The error object on top of co, as "file:line: message" plus a traceback. */
static void task_error(simlua *s, simlua_task *t)
{
    lua_State *co = t->co;
    const char *msg = lua_tostring(co, -1);
    if (!msg) {
        if (luaL_callmeta(co, -1, "__tostring") && lua_type(co, -1) == LUA_TSTRING)
            msg = lua_tostring(co, -1);
        else
            msg = lua_pushfstring(co, "(error object is a %s value)", luaL_typename(co, -1));
    }
    luaL_traceback(co, co, msg, 0);
    simlua_fail(s, lua_tostring(co, -1));
}

static void task_end(simlua_task *t)
{
    simlua *s = t->th.s;
    if (t->id == s->main_id) {
        s->main_done = true;
        if (s->ran) /* the script decided how long to run */
            sim_world_stop(s->w);
    }
    simlua_task_free(t);
}

void simlua_task_resume(simlua_task *t)
{
    simlua *s = t->th.s;
    if (s->error) /* the run is over; leave the task as it is */
        return;
    t->state = SIMLUA_TASK_RUNNING;
    t->armed = false;
    lua_State *from = s->running;
    s->running = t->co;
    int nres = 0, nargs = t->nargs;
    t->nargs = 0;
    int st = lua_resume(t->co, from, nargs, &nres);
    s->running = from;
    if (st == LUA_YIELD) {
        lua_pop(t->co, nres);
        t->state = SIMLUA_TASK_WAITING;
        if (!t->armed)
            simlua_fail(s, "a task yielded without waiting for anything (coroutine.yield() "
                           "outside a coroutine of your own?); use sim.sleep or a blocking call");
        return;
    }
    if (st != LUA_OK)
        task_error(s, t);
    task_end(t);
}

simlua_task *simlua_check_task(lua_State *L, const char *what)
{
    simlua_thread *th = simlua_thread_of(L);
    if (!th->task || th->task->co != L || !lua_isyieldable(L))
        luaL_error(L, "%s blocks, so it must be called from a task (the main chunk, "
                      "sim.spawn, sim.at, sim.after or a callback), not here", what);
    return th->task;
}

static void wake_cb(void *ctx, void *arg)
{
    simlua_task *t = arg;
    t->ev = no_event;
    simlua_task_resume(t);
}

int simlua_sleep_until(lua_State *L, simlua_task *t, sim_time_t when)
{
    cancel_ev(t);
    t->ev = sim_sched_at(sched_of(t->th.s), when, wake_cb, t->th.s, t);
    t->armed = true;
    return lua_yield(L, 0);
}

sim_ref simlua_task_ref(simlua_task *t)
{
    if (!t->ref.id)
        t->ref = sim_world_ref_new(t->th.s->w, t, SIMLUA_REF_TASK);
    return t->ref;
}

int simlua_task_block(lua_State *L, simlua_task *t)
{
    cancel_ev(t);
    t->armed = true;
    return lua_yield(L, 0);
}

void simlua_task_wake(simlua_task *t, int nargs)
{
    cancel_ev(t);
    t->nargs = nargs;
    t->ev = sim_sched_at(sched_of(t->th.s), sim_world_now(t->th.s->w), wake_cb, t->th.s, t);
}

/* ---- conditions ---- */

simlua_cond *simlua_cond_new(lua_State *L)
{
    simlua_cond *c = g_new0(simlua_cond, 1);
    c->s = simlua_from(L);
    g_queue_init(&c->waiters);
    return c;
}

static void cond_wake(simlua_task *t, bool value)
{
    lua_pushboolean(t->co, value);
    t->nargs = 1;
    simlua_task_resume(t);
}

static void cond_true_cb(void *ctx, void *arg)
{
    simlua_task *t = arg;
    t->ev = no_event;
    cond_wake(t, true);
}

static void cond_false_cb(void *ctx, void *arg)
{
    simlua_task *t = arg;
    t->ev = no_event;
    if (t->cond) { /* a timeout: leave the queue */
        g_queue_remove(&t->cond->waiters, t);
        t->cond = NULL;
    }
    cond_wake(t, false);
}

/* Moves every waiter of c to an event at the current time resuming it with fn. */
static void cond_release(simlua_cond *c, sim_event_fn fn)
{
    simlua_task *t;
    while ((t = g_queue_pop_head(&c->waiters))) {
        t->cond = NULL;
        cancel_ev(t);
        t->ev = sim_sched_at(sched_of(c->s), sim_world_now(c->s->w), fn, c->s, t);
    }
}

void simlua_cond_free(simlua_cond *c)
{
    if (!c)
        return;
    cond_release(c, cond_false_cb); /* touches c->s only when someone still waits */
    g_free(c);
}

void simlua_cond_signal(simlua_cond *c)
{
    cond_release(c, cond_true_cb);
}

int simlua_cond_wait(lua_State *L, simlua_cond *c, sim_time_t timeout, lua_KContext ctx,
                     lua_KFunction k)
{
    simlua_task *t = simlua_check_task(L, "waiting");
    cancel_ev(t);
    t->cond = c;
    g_queue_push_tail(&c->waiters, t);
    if (timeout != SIM_TIME_NEVER)
        t->ev = sim_sched_at(sched_of(c->s), time_add(sim_world_now(c->s->w), timeout),
                             cond_false_cb, c->s, t);
    t->armed = true;
    return lua_yieldk(L, 0, ctx, k);
}

/* ---- sim.* ---- */

/* sim.sleep(dt): blocks the task for dt of simulated time. */
static int l_sleep(lua_State *L)
{
    sim_time_t dt = simlua_check_time(L, 1);
    simlua_task *t = simlua_check_task(L, "sim.sleep");
    simlua *s = t->th.s;
    return simlua_sleep_until(L, t, time_add(sim_world_now(s->w), dt));
}

static void push_task(lua_State *L, simlua_task *t)
{
    simlua_push_handle(L, SIMLUA_TASK, simlua_task_ref(t));
}

/* Starts fn (argument fidx) with the arguments after it at `when`; pushes the task. */
static int start_task(lua_State *L, int fidx, sim_time_t when)
{
    luaL_checktype(L, fidx, LUA_TFUNCTION);
    int nargs = lua_gettop(L) - fidx;
    lua_pushvalue(L, fidx);
    lua_rotate(L, fidx + 1, 1); /* copy of fn just above fidx, then the arguments */
    simlua_task *t = simlua_task_new(L, nargs, when);
    push_task(L, t);
    return 1;
}

/* sim.spawn(fn, ...): runs fn(...) as a new task, starting at the current time once the
 * caller yields or returns. Returns the task. */
static int l_spawn(lua_State *L)
{
    return start_task(L, 1, sim_world_now(simlua_world(L)));
}

/* sim.at(t, fn, ...): runs fn(...) as a task at absolute time t. */
static int l_at(lua_State *L)
{
    sim_time_t when = simlua_check_time(L, 1);
    sim_time_t now = sim_world_now(simlua_world(L));
    if (when < now)
        return luaL_argerror(L, 1, lua_pushfstring(L, "time %f s is in the past (now %f s)",
                                                   sim_time_sec(when), sim_time_sec(now)));
    return start_task(L, 2, when);
}

/* sim.after(dt, fn, ...): runs fn(...) as a task dt from now. */
static int l_after(lua_State *L)
{
    sim_time_t dt = simlua_check_time(L, 1);
    return start_task(L, 2, time_add(sim_world_now(simlua_world(L)), dt));
}

/* sim.run(t), sim.run{time=t}, sim.run{["until"]=t}, sim.run(): lets the world run until
 * absolute time t (default: the end of the run), blocking the calling task meanwhile. Once
 * the script has called sim.run, the run ends when the main chunk returns. */
static int l_run(lua_State *L)
{
    simlua *s = simlua_from(L);
    sim_time_t until = s->end;
    if (lua_type(L, 1) == LUA_TTABLE) {
        static const char *const keys[] = { "time", "until", NULL };
        simlua_check_options(L, 1, keys);
        until = simlua_opt_time(L, 1, "until", simlua_opt_time(L, 1, "time", until));
    } else if (!lua_isnoneornil(L, 1)) {
        until = simlua_check_time(L, 1);
    }
    simlua_task *t = simlua_check_task(L, "sim.run");
    s->ran = true;
    if (until > s->end && !s->end_fixed) {
        s->end = until;
        sim_world_stop(s->w); /* the run loop picks up the later end */
    }
    if (until <= sim_world_now(s->w))
        return 0;
    return simlua_sleep_until(L, t, until);
}

/* ---- natsim.Task ---- */

static simlua_task *task_arg(lua_State *L)
{
    sim_ref ref = simlua_handle_ref(L, 1, SIMLUA_TASK);
    return sim_world_ref_get(simlua_world(L), ref, SIMLUA_REF_TASK);
}

/* task:done(): true once the task returned, failed or was cancelled. */
static int task_done(lua_State *L)
{
    lua_pushboolean(L, task_arg(L) == NULL);
    return 1;
}

/* task:cancel(): stops a task that has not finished. Returns true if it was still pending. */
static int task_cancel(lua_State *L)
{
    simlua_task *t = task_arg(L);
    if (!t) {
        lua_pushboolean(L, 0);
        return 1;
    }
    if (t->state == SIMLUA_TASK_RUNNING)
        return luaL_error(L, "a running task cannot be cancelled (return from it instead)");
    simlua_task_free(t);
    lua_pushboolean(L, 1);
    return 1;
}

/* task:join([timeout]): blocks until the task ends; returns true, or false on timeout. */
static int task_join(lua_State *L)
{
    simlua_task *t = task_arg(L);
    sim_time_t timeout = lua_isnoneornil(L, 2) ? SIM_TIME_NEVER : simlua_check_time(L, 2);
    if (!t) {
        lua_pushboolean(L, 1);
        return 1;
    }
    if (t == simlua_thread_of(L)->task)
        return luaL_error(L, "a task cannot join itself");
    if (!t->finished)
        t->finished = simlua_cond_new(L);
    return simlua_cond_wait(L, t->finished, timeout, 0, NULL);
}

static int task_tostring(lua_State *L)
{
    simlua_task *t = task_arg(L);
    if (!t)
        lua_pushliteral(L, "<task done>");
    else
        lua_pushfstring(L, "<task %I %s>", (lua_Integer)t->id,
                        t->state == SIMLUA_TASK_NEW ? "not started" : "waiting");
    return 1;
}

static int task_id(lua_State *L)
{
    simlua_task *t = task_arg(L);
    if (t)
        lua_pushinteger(L, (lua_Integer)t->id);
    else
        lua_pushnil(L);
    return 1;
}

void simlua_open_tasks(lua_State *L)
{
    static const luaL_Reg methods[] = {
        { "done", task_done }, { "cancel", task_cancel }, { "join", task_join }, { NULL, NULL },
    };
    static const luaL_Reg meta[] = { { "__tostring", task_tostring }, { NULL, NULL } };
    static const luaL_Reg fields[] = { { "id", task_id }, { NULL, NULL } };
    simlua_new_class_fields(L, SIMLUA_TASK, methods, meta, fields);
    static const luaL_Reg funcs[] = {
        { "sleep", l_sleep }, { "spawn", l_spawn }, { "at", l_at }, { "after", l_after },
        { "run", l_run }, { NULL, NULL },
    };
    luaL_setfuncs(L, funcs, 0);
}
