/* sim/world.h — the world: one simulated network with its clock, event queue, random streams,
 * packet pool, nodes, links, event log and captures (DESIGN §1, §6). All mutable state hangs off
 * the world; there are no globals. */
#ifndef SIM_WORLD_H
#define SIM_WORLD_H

#include <glib.h>
#include "sim/event.h"
#include "sim/pkt.h"
#include "sim/rng.h"
#include "sim/time.h"

/* The project's GError domain (GIO's G_IO_ERROR is not linked: use this everywhere). */
#define SIM_ERROR (sim_error_quark())
typedef enum sim_error_code {
    SIM_ERROR_INVAL,   /* bad argument or option */
    SIM_ERROR_EXISTS,  /* duplicate name */
    SIM_ERROR_NOSPC,   /* no room (link full, ports exhausted) */
    SIM_ERROR_IO,      /* file could not be opened or written */
    SIM_ERROR_SCRIPT,  /* Lua script error */
} sim_error_code;
/* The quark behind SIM_ERROR. */
GQuark sim_error_quark(void);

typedef struct sim_world sim_world;
typedef struct sim_node sim_node;
typedef struct sim_link sim_link;
typedef struct trace_log trace_log;

typedef struct sim_world_opts {
    uint64_t seed;           /* world seed (--seed) */
    const char *pcap_dir;    /* NULL: no captures */
    const char *pcap_prefix; /* file name prefix, e.g. the scenario name ("" for none) */
    const char *log_path;    /* JSON Lines event log, NULL: none */
    bool log_frames;         /* also log every frame tx/rx (large) */
} sim_world_opts;

/* Creates a world. Returns owned, or NULL with err set (e.g. the log file cannot be opened). */
sim_world *sim_world_new(const sim_world_opts *opts, GError **err);
/* Frees the world and everything it owns (nodes, links, sockets, apps). NULL-safe. */
void sim_world_free(sim_world *w);

/* Current virtual time. */
sim_time_t sim_world_now(const sim_world *w);
/* The world's scheduler (borrowed). */
sim_sched *sim_world_sched(sim_world *w);
/* The world's packet pool (borrowed). */
sim_pkt_pool *sim_world_pool(sim_world *w);
/* The world's event log (borrowed; a disabled log when none was asked for). */
trace_log *sim_world_log(sim_world *w);
/* The world seed. */
uint64_t sim_world_seed(const sim_world *w);
/* The options the world was made with (borrowed; strings live as long as the world). */
const sim_world_opts *sim_world_options(const sim_world *w);

/* Adds a node (called by sim_node_new); the world takes ownership. */
void sim_world_add_node(sim_world *w, sim_node *n);
/* Adds a link (called by sim_link_new); the world takes ownership. */
void sim_world_add_link(sim_world *w, sim_link *l);
/* Finds a node by name, or NULL. */
sim_node *sim_world_node(const sim_world *w, const char *name);
/* Finds a link by name, or NULL. */
sim_link *sim_world_link(const sim_world *w, const char *name);
/* Registers a MAC address as used in this world; returns false if it already was. */
bool sim_world_claim_mac(sim_world *w, const uint8_t mac[6]);
/* Nodes in creation order (borrowed array of sim_node *). */
const GPtrArray *sim_world_nodes(const sim_world *w);
/* Links in creation order (borrowed array of sim_link *). */
const GPtrArray *sim_world_links(const sim_world *w);

/* Runs every event with time <= until (SIM_TIME_NEVER: until the queue is empty), then moves
 * the clock to `until` if it is finite. Returns the number of events run. */
uint64_t sim_world_run(sim_world *w, sim_time_t until);
/* Asks a running sim_world_run to return after the current event. */
void sim_world_stop(sim_world *w);
/* True once sim_world_stop was called (cleared by the next sim_world_run). */
bool sim_world_stopped(const sim_world *w);

/* Progress callback, called every `every` events during sim_world_run (main() uses it for the
 * terminal progress line; the engine itself never reads the wall clock). */
typedef void (*sim_progress_fn)(void *ctx, sim_time_t now, uint64_t events);
/* Installs (or with fn NULL removes) the progress callback. */
void sim_world_set_progress(sim_world *w, sim_progress_fn fn, void *ctx, uint64_t every);

/* ---- handles: how Lua (or any outside holder) refers to world-owned objects safely ---- */

/* Kind tags for refs, so a handle of one kind never resolves to an object of another.
 * Protocol apps use SIM_REF_APP_BASE + n. */
#define SIM_REF_NODE 1
#define SIM_REF_IFACE 2
#define SIM_REF_LINK 3
#define SIM_REF_SOCK 4
#define SIM_REF_TIMER 5
#define SIM_REF_APP_BASE 100

/* A reference to a world-owned object: slot id and generation. {0,0} is none. */
typedef struct sim_ref {
    uint32_t id;
    uint32_t gen;
} sim_ref;

/* Registers obj under a new ref with a kind tag (any small int chosen by the module). */
sim_ref sim_world_ref_new(sim_world *w, void *obj, int kind);
/* The object behind ref if it is still alive and of that kind, else NULL. */
void *sim_world_ref_get(const sim_world *w, sim_ref ref, int kind);
/* Marks ref dead (call when the object is freed); later lookups return NULL. */
void sim_world_ref_drop(sim_world *w, sim_ref ref);

/* Registers fn(data) to run when the world is freed, before nodes and links go (apps use it to
 * free themselves). Run in reverse order of registration. */
void sim_world_on_free(sim_world *w, void (*fn)(void *data), void *data);

#endif
