/* sim/lua/simlua.h — the Lua 5.4 scenario API of the engine (DESIGN §5), and the helpers that
 * protocol bindings (protocols/<p>/<p>_lua.c) use to expose their apps the same way.
 *
 * A scenario runs as a coroutine "task"; blocking calls (sleep, recv, an app's wait) yield
 * until a simulated event resumes them. Every call from the event loop into Lua goes through
 * simlua_pcall (traceback handler); a script error stops the run and is reported with
 * file:line. Handles are userdata holding a sim_ref; a stale handle is a Lua error. */
#ifndef SIM_LUA_SIMLUA_H
#define SIM_LUA_SIMLUA_H

#include <glib.h>
#include <lua.h>
#include <lauxlib.h>
#include "sim/addr.h"
#include "sim/node.h"
#include "sim/time.h"
#include "sim/world.h"

typedef struct simlua simlua;

/* Opens a protocol module: pushes its table (e.g. `relay`) and returns 1, like luaopen_*. */
typedef int (*simlua_module_open)(lua_State *L);

/* Creates the Lua side of a world: a lua_State with the standard libraries, the `sim` table,
 * math.random reseeded from the world seed. Returns owned, or NULL with err set. */
simlua *simlua_new(sim_world *w, GError **err);
/* Closes the Lua state. NULL-safe. Call before sim_world_free. */
void simlua_free(simlua *s);
/* The Lua state (borrowed). */
lua_State *simlua_state(simlua *s);
/* Registers a protocol module as global `name`. */
void simlua_add_module(simlua *s, const char *name, simlua_module_open open);
/* Loads the script and starts it as the main task, with `arg` = {[0]=path, args...}; then runs
 * the world until `until` (SIM_TIME_NEVER: until nothing is pending or sim.stop()). In detail
 * (see simlua.c): the run ends when the main chunk returns after calling sim.run, on sim.stop
 * or a script error, when nothing is pending, or at the end time: `until`, or with
 * SIM_TIME_NEVER one hour of simulated time, extended by any later sim.run(t). Returns 0 if
 * the script ran without error (expectations are counted separately), else -1 with err set to
 * "file:line: message" and a traceback. */
int simlua_run_file(simlua *s, const char *path, int argc, char **argv, sim_time_t until,
                    GError **err);
/* True once the main chunk returned or the script called sim.stop (false when the run ended
 * while the main chunk still waited, e.g. on a recv nothing answered, or at --until). Pure
 * addition, for the run summary. */
bool simlua_main_done(const simlua *s);
/* Expectation counts and whether any expectation failed. */
unsigned simlua_expect_passed(const simlua *s);
unsigned simlua_expect_failed(const simlua *s);
/* Appends the failed expectations ("file:line: message") to out. */
void simlua_fmt_failures(const simlua *s, GString *out);

/* ---- for protocol bindings ---- */

/* The simlua / world behind a Lua state. */
simlua *simlua_from(lua_State *L);
sim_world *simlua_world(lua_State *L);
/* Argument idx as a node handle (host, router or NAT); raises a Lua error otherwise. */
sim_node *simlua_check_node(lua_State *L, int idx);
/* Argument idx as a duration: a number of seconds or a string with a unit ("20ms", "1.5s",
 * "100us", "2min"). Raises a Lua error naming the argument otherwise. */
sim_time_t simlua_check_time(lua_State *L, int idx);
/* Parses a duration string: a number of seconds with an optional unit ("20ms", "1.5s",
 * "100us", "2min", "1h"). Returns 0 or -EINVAL. Pure addition (natsim --until uses it). */
int simlua_parse_time(const char *str, sim_time_t *out);
/* Raises a Lua error naming the first key of table idx not in keys (NULL-terminated). */
void simlua_check_options(lua_State *L, int idx, const char *const keys[]);
/* Optional fields of option table idx; a field of the wrong type is a Lua error naming it. */
sim_time_t simlua_opt_time(lua_State *L, int idx, const char *key, sim_time_t def);
lua_Integer simlua_opt_int(lua_State *L, int idx, const char *key, lua_Integer def);
double simlua_opt_num(lua_State *L, int idx, const char *key, double def);
bool simlua_opt_bool(lua_State *L, int idx, const char *key, bool def);
const char *simlua_opt_str(lua_State *L, int idx, const char *key, const char *def);
/* Argument idx as an endpoint: "1.2.3.4:5", "[::1]:5", or (idx, idx+1) as ip string and port
 * number. Returns how many arguments it used (1 or 2); raises a Lua error otherwise. */
int simlua_check_ep(lua_State *L, int idx, sim_ep *out);
/* Argument idx as an IP address string. */
sim_ip simlua_check_ip(lua_State *L, int idx);
/* Pushes "ip:port" / "ip" strings. */
void simlua_push_ep(lua_State *L, const sim_ep *ep);
void simlua_push_ip(lua_State *L, const sim_ip *ip);

/* Handle userdata: creates metatable `tname` (e.g. "natsim.RelayServer") once, with methods
 * (an index table) and metamethods; __name is tname. */
void simlua_new_class(lua_State *L, const char *tname, const luaL_Reg *methods,
                      const luaL_Reg *metamethods);
/* Pushes a new handle of class tname for ref. */
void simlua_push_handle(lua_State *L, const char *tname, sim_ref ref);
/* The object behind handle argument idx of class tname and world kind `kind`; a wrong type is a
 * Lua error naming the argument, a stale handle the error "<tname> is gone (closed or freed)". */
void *simlua_check_handle(lua_State *L, int idx, const char *tname, int kind);
/* The ref stored in handle argument idx (no liveness check). */
sim_ref simlua_handle_ref(lua_State *L, int idx, const char *tname);

/* Calls the function below nargs arguments on the stack with a traceback handler (like
 * lua_pcall). On error: records it as the run's script error, stops the world, returns non-zero.
 * Use for every callback from the event loop into Lua. */
int simlua_pcall(lua_State *L, int nargs, int nresults);

/* A condition a task can wait on, signalled from C (an app finished, data arrived). */
typedef struct simlua_cond simlua_cond;
/* Creates a condition. Returns owned. */
simlua_cond *simlua_cond_new(lua_State *L);
/* Frees it; tasks still waiting are resumed with false. NULL-safe. */
void simlua_cond_free(simlua_cond *c);
/* Yields the running task until the condition is signalled (continuation k is called with
 * true pushed) or `timeout` passes (false pushed); timeout SIM_TIME_NEVER waits forever.
 * Raises a Lua error when not called from a task. Use as `return simlua_cond_wait(...)`. */
int simlua_cond_wait(lua_State *L, simlua_cond *c, sim_time_t timeout, lua_KContext ctx,
                     lua_KFunction k);
/* Wakes every task waiting on c (they resume in an event at the current time, in wait order). */
void simlua_cond_signal(simlua_cond *c);

/* ---- shared state of a protocol module (simlua_apps.c) ----
 * A binding's blocking calls wait on one condition per Lua state that every app of the module
 * signals after each step (waiters re-check their own predicate). The state also remembers the
 * module's apps so that, when the Lua state closes, their notify hooks into Lua are removed. */

/* Removes the notify hook of app `obj` (an object of the module's ref kind). */
typedef void (*simlua_unhook_fn)(void *obj);
typedef struct simlua_apps simlua_apps;
/* The state of the module registered under `key` (e.g. "natsim.relay") in L, created on first
 * use and freed when L closes: then unhook (may be NULL) runs on every tracked app of ref kind
 * `kind` still alive, the attached data is freed, and the condition is freed. Borrowed. */
simlua_apps *simlua_module_state(lua_State *L, const char *key, int kind,
                                 simlua_unhook_fn unhook);
/* The module's condition (borrowed; lives as long as the state). */
simlua_cond *simlua_apps_cond(simlua_apps *m);
/* Tracks app `ref` for unhooking at close; forgets refs of apps already gone. */
void simlua_apps_track(simlua_apps *m, sim_ref ref);
/* Attaches module data (takes ownership; freed with free_fn when L closes, before the
 * condition). Replaces nothing: call once, right after creating the state. */
void simlua_apps_set_data(simlua_apps *m, void *data, GDestroyNotify free_fn);
/* The attached data (borrowed), or NULL. */
void *simlua_apps_data(simlua_apps *m);

/* ---- small helpers shared by protocol bindings (simlua_apps.c) ---- */

/* The object behind handle argument idx of class tname and world kind `kind`, or NULL once
 * it is gone (closed or freed): for close and __tostring, which accept a stale handle. A
 * wrong type is a Lua error naming the argument. Borrowed. */
void *simlua_handle_get(lua_State *L, int idx, const char *tname, int kind);
/* Sets field k of the table on top of the stack to integer / number v. */
void simlua_set_int(lua_State *L, const char *k, lua_Integer v);
void simlua_set_num(lua_State *L, const char *k, double v);
/* Raise err's message as a Lua error and free err; simlua_raise_gerror prefixes it with the
 * calling Lua function's "file:line: ", simlua_raise_gerror_msg raises the message alone.
 * Never return (typed int for `return`). */
int simlua_raise_gerror(lua_State *L, GError *e);
int simlua_raise_gerror_msg(lua_State *L, GError *err);
/* Option `key` of table idx as a port number lo..65535 (def when absent); out of range is a
 * Lua error "option 'key': lo..65535" naming the argument. */
uint16_t simlua_opt_port(lua_State *L, int idx, const char *key, lua_Integer def,
                         lua_Integer lo);
/* Optional argument idx as a duration (see simlua_check_time); def when absent or nil. */
sim_time_t simlua_opt_time_arg(lua_State *L, int idx, sim_time_t def);
/* The absolute time `timeout` from now; SIM_TIME_NEVER when that would not fit. */
sim_time_t simlua_deadline(lua_State *L, sim_time_t timeout);
/* Blocks the running task until a test passes or `deadline` (absolute; SIM_TIME_NEVER:
 * none) has passed. The wait's state is stack slots 1..n (the rest is dropped). test runs now
 * and after every signal of c, with that state in place: it pushes its results and returns
 * their count (> 0) when the wait is over, else returns 0 having pushed nothing. At the
 * deadline, expire (may be NULL) runs first, then the results are nil, "timeout". test and
 * expire are called directly, not through Lua. Raises a Lua error when not called from a
 * task. Use as `return simlua_wait(...)`. */
int simlua_wait(lua_State *L, simlua_cond *c, int n, sim_time_t deadline, lua_CFunction test,
                lua_CFunction expire);
/* ---- bindings of interface daemons (sim/lua/lua_bind.c) ---- */
/* Option `key` of table idx as an interface of node n: an Iface handle (node:attach's result),
 * an interface name ("eth0") or a link / LAN handle (n's first interface on it); absent: n's
 * first interface. Raises a Lua error naming the option when it is of the wrong type, of
 * another node, unknown, not attached, or n has no interface. */
sim_iface *simlua_opt_iface(lua_State *L, int idx, const char *key, sim_node *n);

#endif
