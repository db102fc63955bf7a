/* sim/lua/simlua.c — the Lua side of a world: the state, the `sim` table, the run loop,
 * script errors and expectations (DESIGN §5).
 *
 * When does a run end? At the first of:
 *   - the main chunk returns after having called sim.run (the script said how long to run);
 *   - sim.stop(), or a script error in any task or callback;
 *   - simulated time reaches the end: `until` when the caller gives one (natsim --until, a hard
 *     cap), else SIMLUA_HORIZON (1 hour), pushed later by any sim.run(t) with a later t;
 *   - nothing is left to happen (no event pending). */
#include "sim/lua/simlua_priv.h"

#include <errno.h>
#include <lualib.h>
#include <string.h>
#include "sim/trace.h"

simlua *simlua_from(lua_State *L) { return simlua_thread_of(L)->s; }
sim_world *simlua_world(lua_State *L) { return simlua_thread_of(L)->s->w; }
lua_State *simlua_state(simlua *s) { return s->L; }
unsigned simlua_expect_passed(const simlua *s) { return s->expect_pass; }
unsigned simlua_expect_failed(const simlua *s) { return s->expect_fail; }

void simlua_fmt_failures(const simlua *s, GString *out)
{
    for (guint k = 0; k < s->failures->len; k++)
        g_string_append_printf(out, "%s\n", (const char *)g_ptr_array_index(s->failures, k));
}

void simlua_fail(simlua *s, const char *msg)
{
    if (!s->error)
        s->error = g_string_new(msg);
    sim_world_stop(s->w);
}

/* ---- errors from callbacks ---- */

static int traceback_handler(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (!msg) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            msg = lua_tostring(L, -1);
        else
            msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

int simlua_pcall(lua_State *L, int nargs, int nresults)
{
    int base = lua_gettop(L) - nargs; /* the function */
    lua_pushcfunction(L, traceback_handler);
    lua_insert(L, base);
    int st = lua_pcall(L, nargs, nresults, base);
    lua_remove(L, base);
    if (st != LUA_OK)
        simlua_fail(simlua_from(L), lua_tostring(L, -1));
    return st;
}

/* ---- sim.now, sim.seed, sim.stop, sim.expect, sim.log ---- */

/* sim.now(): simulated time in seconds. */
static int l_now(lua_State *L)
{
    lua_pushnumber(L, sim_time_sec(sim_world_now(simlua_world(L))));
    return 1;
}

/* sim.seed(): the world seed (natsim --seed). */
static int l_seed(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)sim_world_seed(simlua_world(L)));
    return 1;
}

/* sim.stop(): ends the run after the current task yields; from a task it does not return. */
static int l_stop(lua_State *L)
{
    simlua *s = simlua_from(L);
    s->stop = true;
    sim_world_stop(s->w);
    simlua_thread *th = simlua_thread_of(L);
    if (th->task && th->task->co == L && lua_isyieldable(L)) {
        th->task->armed = true; /* parked for good: nothing will wake it */
        return lua_yield(L, 0);
    }
    return 0;
}

/* "file:line" of the Lua function calling the current C function. */
static void push_where(lua_State *L)
{
    lua_Debug ar;
    if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar) && ar.currentline > 0)
        lua_pushfstring(L, "%s:%d", ar.short_src, ar.currentline);
    else
        lua_pushliteral(L, "?");
}

/* sim.expect(cond, message): records an expectation; returns cond as a boolean. */
static int l_expect(lua_State *L)
{
    simlua *s = simlua_from(L);
    luaL_checkany(L, 1);
    bool ok = lua_toboolean(L, 1);
    const char *msg = lua_isnoneornil(L, 2) ? "expectation failed" : luaL_tolstring(L, 2, NULL);
    push_where(L);
    const char *where = lua_tostring(L, -1);
    if (ok) {
        s->expect_pass++;
    } else {
        s->expect_fail++;
        g_ptr_array_add(s->failures, g_strdup_printf("%s: %s", where, msg));
    }
    trace_log *log = sim_world_log(s->w);
    GString *rec = trace_log_begin(log, sim_world_now(s->w), "script", "expect");
    trace_log_bool(rec, "ok", ok);
    trace_log_str(rec, "where", where);
    trace_log_str(rec, "message", msg);
    trace_log_end(log, rec);
    lua_pushboolean(L, ok);
    return 1;
}

/* Adds field `key` (value at the top of the stack) to a log record. */
static void log_field(lua_State *L, GString *rec, const char *key)
{
    switch (lua_type(L, -1)) {
    case LUA_TBOOLEAN:
        trace_log_bool(rec, key, lua_toboolean(L, -1));
        break;
    case LUA_TNUMBER:
        if (lua_isinteger(L, -1))
            trace_log_int(rec, key, lua_tointeger(L, -1));
        else
            trace_log_num(rec, key, lua_tonumber(L, -1));
        break;
    default:
        trace_log_str(rec, key, luaL_tolstring(L, -1, NULL));
        lua_pop(L, 1);
        break;
    }
}

/* sim.log(kind, {key=value, ...}): an application event in the event log. A `node` field
 * (name or node handle) names the node; fields are written in sorted key order. */
static int l_log(lua_State *L)
{
    simlua *s = simlua_from(L);
    const char *kind = luaL_checkstring(L, 1);
    if (!lua_isnoneornil(L, 2))
        luaL_checktype(L, 2, LUA_TTABLE);
    trace_log *log = sim_world_log(s->w);
    if (!trace_log_on(log))
        return 0;
    const char *node = "script";
    if (lua_istable(L, 2) && lua_getfield(L, 2, "node") != LUA_TNIL)
        node = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1)
                                              : simlua_check_node(L, lua_gettop(L))->name;
    GString *rec = trace_log_begin(log, sim_world_now(s->w), node, kind);
    if (lua_istable(L, 2)) {
        GPtrArray *keys = simlua_sorted_keys(L, 2);
        for (guint k = 0; k < keys->len; k++) {
            const char *key = g_ptr_array_index(keys, k);
            if (!strcmp(key, "node"))
                continue;
            lua_getfield(L, 2, key);
            log_field(L, rec, key);
            lua_pop(L, 1);
        }
        g_ptr_array_unref(keys);
    }
    trace_log_end(log, rec);
    return 0;
}

/* os.time / os.clock / os.date read the wall clock, which would make runs differ. */
static int l_no_wall_clock(lua_State *L)
{
    return luaL_error(L, "the wall clock is not available in a simulation; use sim.now()");
}

static void restrict_os(lua_State *L)
{
    lua_getglobal(L, "os");
    static const char *const names[] = { "time", "clock", "date", NULL };
    for (const char *const *n = names; *n; n++) {
        lua_pushcfunction(L, l_no_wall_clock);
        lua_setfield(L, -2, *n);
    }
    lua_pop(L, 1);
}

static int open_sim(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        { "now", l_now }, { "seed", l_seed }, { "stop", l_stop }, { "expect", l_expect },
        { "log", l_log }, { NULL, NULL },
    };
    luaL_newlib(L, funcs);
    simlua_open_tasks(L);
    simlua_open_world(L);
    simlua_open_links(L);
    simlua_open_nat(L);
    simlua_open_sockets(L);
    simlua_open_tcp(L);
    return 1;
}

/* ---- life cycle ---- */

simlua *simlua_new(sim_world *w, GError **err)
{
    lua_State *L = luaL_newstate();
    if (!L) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_SCRIPT, "cannot create a Lua state");
        return NULL;
    }
    simlua *s = g_new0(simlua, 1);
    s->th.s = s;
    s->w = w;
    s->L = L;
    s->running = L;
    s->failures = g_ptr_array_new_with_free_func(g_free);
    s->tasks = g_hash_table_new(g_direct_hash, g_direct_equal);
    s->refs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    s->socks = g_hash_table_new(g_direct_hash, g_direct_equal);
    s->tcps = g_hash_table_new(g_direct_hash, g_direct_equal);
    s->pings = g_hash_table_new_full(g_direct_hash, g_direct_equal, g_free, NULL);
    s->end = SIMLUA_HORIZON;
    *(simlua_thread **)lua_getextraspace(L) = &s->th;
    luaL_openlibs(L);
    restrict_os(L);
    /* math.random is seeded from the clock when the library opens: reseed from the world. */
    lua_getglobal(L, "math");
    lua_getfield(L, -1, "randomseed");
    lua_pushinteger(L, (lua_Integer)sim_world_seed(w));
    lua_call(L, 1, 0);
    lua_pop(L, 1);
    luaL_requiref(L, "sim", open_sim, 1);
    lua_pop(L, 1);
    return s;
}

void simlua_free(simlua *s)
{
    if (!s)
        return;
    simlua_close_sockets(s);
    simlua_close_tcp(s);
    GHashTableIter it;
    gpointer t;
    /* Freeing a task removes it from the set, so restart the walk after each one. */
    for (;;) {
        g_hash_table_iter_init(&it, s->tasks);
        if (!g_hash_table_iter_next(&it, &t, NULL))
            break;
        simlua_task_free(t);
    }
    lua_close(s->L);
    g_hash_table_unref(s->tasks);
    g_hash_table_unref(s->refs);
    g_hash_table_unref(s->socks);
    g_hash_table_unref(s->tcps);
    g_hash_table_unref(s->pings); /* the engine never calls back after the run */
    g_ptr_array_unref(s->failures);
    if (s->error)
        g_string_free(s->error, TRUE);
    g_free(s);
}

void simlua_add_module(simlua *s, const char *name, simlua_module_open open)
{
    luaL_requiref(s->L, name, open, 1);
    lua_pop(s->L, 1);
}

/* Pushes the arg table {[0]=path, args...} and the arguments as the chunk's varargs. */
static void push_args(lua_State *L, const char *path, int argc, char **argv)
{
    lua_createtable(L, argc, 1);
    lua_pushstring(L, path);
    lua_rawseti(L, -2, 0);
    for (int k = 0; k < argc; k++) {
        lua_pushstring(L, argv[k]);
        lua_rawseti(L, -2, k + 1);
    }
    lua_setglobal(L, "arg");
    luaL_checkstack(L, argc + 8, "too many script arguments");
    for (int k = 0; k < argc; k++)
        lua_pushstring(L, argv[k]);
}

static bool run_over(const simlua *s)
{
    return s->error || s->stop || (s->main_done && s->ran);
}

int simlua_run_file(simlua *s, const char *path, int argc, char **argv, sim_time_t until,
                    GError **err)
{
    lua_State *L = s->L;
    if (luaL_loadfile(L, path) != LUA_OK) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_SCRIPT, "%s", lua_tostring(L, -1));
        lua_pop(L, 1);
        return -1;
    }
    if (until != SIM_TIME_NEVER) {
        s->end = until;
        s->end_fixed = true;
    }
    push_args(L, path, argc, argv);
    simlua_task *main = simlua_task_new(L, argc, sim_world_now(s->w));
    s->main_id = main->id;
    sim_sched *sched = sim_world_sched(s->w);
    while (!run_over(s) && sim_world_now(s->w) < s->end && sim_sched_next(sched) != SIM_TIME_NEVER)
        sim_world_run(s->w, s->end);
    if (s->error) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_SCRIPT, "%s", s->error->str);
        return -1;
    }
    return 0;
}

/* ---- pure additions for the command line ---- */

bool simlua_main_done(const simlua *s) { return s->main_done || s->stop; }
