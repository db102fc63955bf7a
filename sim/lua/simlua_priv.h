/* sim/lua/simlua_priv.h — internals shared by the C files of the Lua binding in sim/lua/.
 *
 * Layout of the binding:
 *   simlua.c      the simlua object, the run loop, errors, expectations, sim.* core calls
 *   lua_task.c    tasks (coroutines over the scheduler), sleep/spawn/at/after, conditions
 *   lua_util.c    units (times, rates, sizes), option tables, endpoints, handle classes
 *   lua_world.c   sim.host, sim.router, sim.node; node and interface methods
 *   lua_link.c    sim.lan, sim.link; link methods
 *   lua_nat.c     sim.nat, NAT options, N:table(), N:config(), tostring(N)
 *   lua_socket.c  UDP sockets and ping
 *   lua_tcp.c     TCP sockets */
#ifndef SIM_LUA_SIMLUA_PRIV_H
#define SIM_LUA_SIMLUA_PRIV_H

#include "sim/lua/simlua.h"

#include "sim/event.h"
#include "sim/link.h"
#include "sim/nat.h"

/* Ref kinds of objects that exist only on the Lua side (the engine's own are SIM_REF_*). */
#define SIMLUA_REF_SOCKET 90
#define SIMLUA_REF_TASK 91
#define SIMLUA_REF_TCP 92

/* Class names (metatables). */
#define SIMLUA_HOST "natsim.Host"
#define SIMLUA_ROUTER "natsim.Router"
#define SIMLUA_NAT "natsim.Nat"
#define SIMLUA_LINK "natsim.Link"
#define SIMLUA_LAN "natsim.Lan"
#define SIMLUA_IFACE "natsim.Iface"
#define SIMLUA_SOCKET "natsim.Socket"
#define SIMLUA_TASK "natsim.Task"
#define SIMLUA_TCP "natsim.TcpSocket"

/* The default end of a run when neither --until nor a later sim.run(t) says otherwise. */
#define SIMLUA_HORIZON (3600 * SIM_SEC)

typedef struct simlua_task simlua_task;

/* What a Lua thread knows about itself; stored in its extra space (lua_getextraspace).
 * Coroutines created with lua_newthread copy the main thread's area, so a coroutine the
 * script makes itself has task == NULL and cannot block. */
typedef struct simlua_thread {
    simlua *s;
    simlua_task *task; /* NULL: not a task */
} simlua_thread;

typedef enum simlua_task_state {
    SIMLUA_TASK_NEW,     /* created, start event pending */
    SIMLUA_TASK_RUNNING, /* inside lua_resume */
    SIMLUA_TASK_WAITING, /* yielded in a blocking call (or for good, after sim.stop) */
} simlua_task_state;

struct simlua_task {
    simlua_thread th;       /* th.task == this; co's extra space points here */
    lua_State *co;          /* the coroutine */
    int co_ref;             /* registry reference keeping co alive */
    uint64_t id;            /* creation order (simlua.main_id is the main chunk) */
    sim_ref ref;            /* for natsim.Task handles */
    simlua_task_state state;
    bool armed;             /* a blocking call arranged a wake-up before yielding */
    int nargs;              /* values waiting on co for the next resume */
    sim_event_id ev;        /* start, sleep end or wait timeout */
    simlua_cond *cond;      /* condition waited on, or NULL */
    simlua_cond *finished;  /* signalled when the task ends (task:join), lazily made */
};

struct simlua {
    simlua_thread th;       /* the main thread's extra space points here (task NULL) */
    sim_world *w;
    lua_State *L;
    /* expectations */
    unsigned expect_pass, expect_fail;
    GPtrArray *failures;    /* of char *: "file:line: message" */
    /* the run */
    GString *error;         /* first script error with traceback, NULL if none */
    bool ran;               /* sim.run was called */
    bool stop;              /* sim.stop was called */
    bool main_done;         /* the main chunk returned */
    sim_time_t end;         /* when the run ends at the latest */
    bool end_fixed;         /* end came from the caller (--until); sim.run cannot extend it */
    uint64_t next_task_id;
    uint64_t main_id;       /* id of the main chunk's task */
    GHashTable *tasks;      /* live simlua_task * (set; freed with the state) */
    GHashTable *refs;       /* engine object pointer -> sim_ref *, for links and interfaces */
    GHashTable *socks;      /* live simlua_sock * (set) */
    GHashTable *tcps;       /* live simlua_tcp * (set) */
    GHashTable *pings;      /* outstanding ping waits (set), freed with the state */
    lua_State *running;     /* the thread currently inside lua_resume, or L */
};

/* ---- simlua.c ---- */
/* Records a script error (message with traceback) and stops the world; the first one wins. */
void simlua_fail(simlua *s, const char *msg);
/* simlua of the running thread. */
static inline simlua_thread *simlua_thread_of(lua_State *L)
{
    return *(simlua_thread **)lua_getextraspace(L);
}

/* ---- lua_task.c ---- */
/* Registers sim.sleep, sim.spawn, sim.at, sim.after, sim.run and the natsim.Task class into
 * the table on top of the stack. */
void simlua_open_tasks(lua_State *L);
/* Makes a task of the function on the stack of L below its nargs arguments (all popped) and
 * schedules its start at `when`. Returns borrowed (the task frees itself when it ends). */
simlua_task *simlua_task_new(lua_State *L, int nargs, sim_time_t when);
/* Resumes a task with its nargs pushed values; handles completion and errors. */
void simlua_task_resume(simlua_task *t);
/* Frees a task that is not running (cancels its events, leaves its condition). */
void simlua_task_free(simlua_task *t);
/* The running task, or a Lua error naming `what` when the caller is not a task. */
simlua_task *simlua_check_task(lua_State *L, const char *what);
/* Parks the running task until time `when` (then resumes it with no values). Use as
 * `return simlua_sleep_until(...)`. */
int simlua_sleep_until(lua_State *L, simlua_task *t, sim_time_t when);

/* The task's ref (made on first use), for callers that must find out later whether the task
 * still exists (sim_world_ref_get with SIMLUA_REF_TASK). */
sim_ref simlua_task_ref(simlua_task *t);
/* Parks the running task until someone calls simlua_task_wake. Use as `return ...`. */
int simlua_task_block(lua_State *L, simlua_task *t);
/* Schedules the resumption of a blocked task at the current time with the nargs values the
 * caller pushed on t->co (they become the results of the blocking call). Safe to call from
 * engine callbacks: no Lua runs until the event. */
void simlua_task_wake(simlua_task *t, int nargs);

/* ---- lua_util.c ---- */
/* Parses a rate string ("100Mbit", "64kbit", "1Gbps"); returns 0 or -EINVAL. */
int simlua_parse_rate(const char *str, uint64_t *out);
/* Parses a size string ("256KiB", "64KB", "1500B"); returns 0 or -EINVAL. */
int simlua_parse_size(const char *str, uint64_t *out);
/* Optional rate / size fields of option table idx. */
uint64_t simlua_opt_rate(lua_State *L, int idx, const char *key, uint64_t def);
uint64_t simlua_opt_size(lua_State *L, int idx, const char *key, uint64_t def);
/* Optional probability field in [0, 1]. */
double simlua_opt_prob(lua_State *L, int idx, const char *key, double def);
/* Short text for a negative errno from the engine ("network unreachable"). */
const char *simlua_strerror(int err);
/* Pushes the handle of a world object whose ref already exists (node->ref, socket ref). */
void simlua_push_ref(lua_State *L, const char *tname, sim_ref ref);
/* A stable ref for an engine object without one of its own (links, interfaces). */
sim_ref simlua_ref_for(simlua *s, void *obj, int kind);
/* Like simlua_new_class, with read-only fields computed by getters (name, kind ...). */
void simlua_new_class_fields(lua_State *L, const char *tname, const luaL_Reg *methods,
                             const luaL_Reg *metamethods, const luaL_Reg *fields);
/* Argument idx as any of the classes in tnames (NULL-terminated), resolved with kind; returns
 * the object and sets *which to the index of the matching class. */
void *simlua_check_any(lua_State *L, int idx, const char *const tnames[], int kind, int *which);
/* Sorted keys of table idx (strings only). Returns owned (g_ptr_array_unref), strings
 * borrowed from the table (valid while it is on the stack). */
GPtrArray *simlua_sorted_keys(lua_State *L, int idx);

/* ---- lua_world.c, lua_link.c, lua_nat.c, lua_socket.c ---- */
void simlua_open_world(lua_State *L);
void simlua_open_links(lua_State *L);
void simlua_open_nat(lua_State *L);
void simlua_open_sockets(lua_State *L);
/* Pushes the handle of a node (its class follows its kind). */
void simlua_push_node(lua_State *L, sim_node *n);
void simlua_push_iface(lua_State *L, sim_iface *i);
void simlua_push_link(lua_State *L, sim_link *l);
/* Argument idx as a link or LAN handle. */
sim_link *simlua_check_link(lua_State *L, int idx);
/* Argument idx as an interface handle. */
sim_iface *simlua_check_iface(lua_State *L, int idx);
/* Attaches node (arg 1) to link (arg 2) with interface options (arg 3); raises on error. */
sim_iface *simlua_attach(lua_State *L);
/* lua_slaac.c: reads the autoconfiguration keys (slaac, dad, iid, dad_transmits) of option
 * table idx into o; returns true when any is present (Lua error on a bad value). */
struct net_slaac_opts;
bool simlua_slaac_opts(lua_State *L, int idx, struct net_slaac_opts *o);
/* lua_slaac.c: iface:autoconf/addresses/wait_address/slaac_stats, router:advertise. */
extern const luaL_Reg simlua_slaac_iface_methods[];
extern const luaL_Reg simlua_slaac_node_methods[];
/* NAT node methods (N:inside, N:table ...), merged into natsim.Nat by lua_world.c. */
extern const luaL_Reg simlua_nat_methods[];
/* The __tostring of natsim.Nat. */
int simlua_nat_tostring(lua_State *L);
/* Applies a NAT option table (idx, may be none) over the default config. Raises Lua errors. */
void simlua_nat_config_opts(lua_State *L, int idx, nat_config *c);
/* Node:udp{...} and Node:ping(...) (lua_socket.c). */
int simlua_node_udp(lua_State *L);
int simlua_node_ping(lua_State *L);
/* Closes every socket the script still holds (simlua_free). */
void simlua_close_sockets(simlua *s);
/* Node:tcp_listen{...} and Node:tcp_connect{...} (lua_tcp.c). */
int simlua_node_tcp_listen(lua_State *L);
int simlua_node_tcp_connect(lua_State *L);
/* Registers the natsim.TcpSocket class. */
void simlua_open_tcp(lua_State *L);
/* Closes every TCP socket the script still holds (simlua_free). */
void simlua_close_tcp(simlua *s);

/* Raises a Lua error with the GError's message (freeing it) at the caller's line. */
int simlua_raise_gerror(lua_State *L, GError *e);

#endif
