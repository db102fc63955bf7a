/* protocols/ice/ice.h — ICE, Interactive Connectivity Establishment:
 *   RFC 8445  candidates, priorities, foundations, checklists, connectivity checks, role
 *             conflicts, regular nomination, keepalives (RFC 5245 terms accepted),
 *   RFC 7675  consent freshness (a selected path that stops answering is given up),
 *   RFC 8839  the `candidate:` attribute syntax (so SDP can carry candidates),
 *   RFC 8838  trickle ICE: candidates may be added at any time, end-of-candidates,
 *   RFC 8421  local preference for multihomed and dual-stack hosts (simplified, see below),
 *   RFC 8489  STUN underneath (protocols/stun/stun.h: codec, short-term credentials,
 *             FINGERPRINT, client transactions with their retransmission timers).
 *
 * Layering (DESIGN §4): the agent is a sans-I/O core. Gathering (host addresses, STUN Binding
 * to a server, TURN Allocate) happens in a driver, which hands the core "local candidate with
 * base X on socket S" events; the core pairs, checks, nominates and selects, and says what to
 * send from which socket. A local candidate's base is an abstract socket id the driver owns:
 * for a relayed candidate the driver wraps what the core sends on that socket into TURN
 * Send indications / ChannelData, and unwraps what arrives.
 *
 *   ice_cand.c   candidates: priority, foundations, redundancy, `candidate:` encode/decode
 *   ice_check.c  checklist: pairing, pair priority, states, unfreezing, Ta pacing, outgoing
 *                checks and their responses, valid list, nomination
 *   ice_stun.c   incoming checks: credentials, role conflicts, peer-reflexive remote
 *                candidates, triggered checks, USE-CANDIDATE, responses
 *   ice_agent.c  the agent: API, outbox, events, selection, keepalives, consent freshness
 *   ice_sim.c    the driver: host sockets on a simulated node, srflx through the STUN client
 *                core, relay through the TURN client core, timers
 *   ice_lua.c    the `ice` module for scenarios
 *   ice_decode.c `natsim decode ice` (candidate lines)
 *
 * Candidate priority (RFC 8445 §5.1.2.1):
 *   priority = 2^24 x type preference + 2^8 x local preference + (256 - component id)
 * Pair priority (RFC 8445 §6.1.2.3), G the controlling agent's candidate priority, D the
 * controlled one's:
 *   pair priority = 2^32 x MIN(G,D) + 2 x MAX(G,D) + (G > D ? 1 : 0)
 */
#ifndef PROTOCOLS_ICE_ICE_H
#define PROTOCOLS_ICE_ICE_H

#include <glib.h>
#include <lua.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/addr.h"
#include "sim/node.h"
#include "sim/rng.h"
#include "sim/time.h"

/* ---------------------------------------------------------------- constants */

#define ICE_COMPONENT_RTP 1
#define ICE_COMPONENT_RTCP 2
#define ICE_COMPONENTS_MAX 8

/* RFC 8445 §5.1.2.2 recommended type preferences. */
#define ICE_TYPE_PREF_HOST 126
#define ICE_TYPE_PREF_PRFLX 110
#define ICE_TYPE_PREF_SRFLX 100
#define ICE_TYPE_PREF_RELAY 0
/* Local preference of a single-homed host (RFC 8445 §5.1.2.1). */
#define ICE_LOCAL_PREF_MAX 65535

#define ICE_FOUNDATION_MAX 33  /* 1..32 ice-chars and a NUL (RFC 8839 §5.1) */
#define ICE_UFRAG_MAX 257      /* 4..256 ice-chars and a NUL (RFC 8839 §5.4) */
#define ICE_PWD_MAX 257        /* 22..256 ice-chars and a NUL */
#define ICE_CAND_STRLEN 256    /* enough for any encoded `candidate:` line */
#define ICE_DATA_MAX 2048      /* largest datagram in the outbox */

#define ICE_TA_DEFAULT (50 * SIM_MS)        /* RFC 8445 §14.2 */
#define ICE_KEEPALIVE_DEFAULT (15 * SIM_SEC) /* RFC 8445 §11, Tr */
#define ICE_CONSENT_INTERVAL (5 * SIM_SEC)   /* RFC 7675 §5.1, randomized x 0.8 .. 1.2 */
#define ICE_CONSENT_TIMEOUT (30 * SIM_SEC)   /* RFC 7675 §5.1 */
#define ICE_NOMINATE_DELAY_DEFAULT (500 * SIM_MS)
#define ICE_MAX_PAIRS_DEFAULT 100               /* RFC 8445 §6.1.2.5 */

/* STUN error code of a role conflict (RFC 8445 §7.3.1.1). */
#define ICE_ERR_ROLE_CONFLICT 487

/* ---------------------------------------------------------------- candidates (ice_cand.c) */

typedef enum ice_cand_type {
    ICE_CAND_HOST,
    ICE_CAND_SRFLX,  /* server-reflexive: the mapping a STUN server saw */
    ICE_CAND_PRFLX,  /* peer-reflexive: learned from a check */
    ICE_CAND_RELAY,  /* relayed: a TURN allocation */
} ice_cand_type;

/* A candidate, local or remote. For a local candidate `base` is the address of the socket it
 * is sent from (RFC 8445 §5.1.1: the host address itself for host, the host address behind the
 * mapping for srflx/prflx, the relayed address for relay) and `sock` the driver's id of that
 * socket; `server` is the STUN/TURN server that produced a srflx/relay candidate. For a remote
 * candidate `base` carries the related address (raddr/rport) when one was signalled. */
typedef struct ice_cand {
    char foundation[ICE_FOUNDATION_MAX];
    unsigned component;    /* 1..ICE_COMPONENTS_MAX */
    uint32_t priority;
    ice_cand_type type;
    sim_ep addr;           /* transport address */
    sim_ep base;           /* base (local) / related address (remote, may be unset) */
    sim_ep server;         /* local srflx/relay: the server (unset otherwise) */
    sim_ep related;        /* local relay: the mapped address, signalled as raddr/rport
                              (RFC 8839 §5.1; unset: base is signalled) */
    unsigned sock;         /* local: the driver's socket id for base */
} ice_cand;

/* Type preference of a type (RFC 8445 §5.1.2.2 recommended values). */
unsigned ice_type_pref(ice_cand_type t);
/* Name of a type as in `typ` of a candidate line: "host", "srflx", "prflx", "relay". */
const char *ice_cand_type_name(ice_cand_type t);
/* Priority of a candidate (RFC 8445 §5.1.2.1): 2^24 x type_pref + 2^8 x local_pref + (256 -
 * component). type_pref is capped at 126, local_pref at 65535, component taken in 1..256. */
uint32_t ice_priority(unsigned type_pref, unsigned local_pref, unsigned component);
/* Local preference (RFC 8421 in spirit, simplified): 65535 - 256 x rank, less 128 for IPv4,
 * rank capped at 255. The driver gives the n-th usable address of each family (interfaces in
 * the order the host lists them, addresses in order on each) rank n, so the families
 * interleave: IPv6 #0 65535, IPv4 #0 65407, IPv6 #1 65279, IPv4 #1 65151, ... (with one
 * address per family per interface: the interfaces in order, IPv6 first on each). */
unsigned ice_local_pref(unsigned if_rank, uint8_t family);
/* Pair priority (RFC 8445 §6.1.2.3) from the controlling agent's candidate priority g and the
 * controlled agent's d. */
uint64_t ice_pair_priority(uint32_t g, uint32_t d);
/* Writes a candidate as the RFC 8839 §5.1 attribute value ("candidate:1 1 UDP 2130706431
 * 10.0.0.1 5000 typ host", with "raddr A rport P" for srflx/prflx/relay: `related` when set,
 * else `base`) into
 * buf[0..cap). Returns 0, -EINVAL (no foundation or a bad component), or -ENOSPC. */
int ice_cand_encode(const ice_cand *c, char *buf, size_t cap);
/* Parses one `candidate:` value (a leading "a=" is accepted) of s[0..len) into *c: the
 * foundation, component, transport (UDP only), priority, address (IPv4/IPv6 literal), port,
 * typ and the optional raddr/rport; extension attributes are skipped in name/value pairs.
 * Returns 0, -EBADMSG (malformed), or -EPROTONOSUPPORT (TCP, FQDN / mDNS addresses); on
 * failure *c is untouched. */
int ice_cand_decode(const char *s, size_t len, ice_cand *c);
/* Appends a human-readable one-line description ("host 10.0.0.1:5000 c1 p=2130706431") to
 * buf[0..cap); returns buf. */
char *ice_cand_fmt(const ice_cand *c, char *buf, size_t cap);

/* ---------------------------------------------------------------- checklist (ice_check.c) */

typedef enum ice_pair_state {
    ICE_PAIR_FROZEN,
    ICE_PAIR_WAITING,
    ICE_PAIR_IN_PROGRESS,
    ICE_PAIR_SUCCEEDED,
    ICE_PAIR_FAILED,
    ICE_PAIR_CANCELLED, /* removed from the checklist once its component was selected (§8.1.2):
                         * never checked again, its running check stopped */
} ice_pair_state;

/* A candidate pair (read-only to callers). local/remote index the agent's candidate lists. */
typedef struct ice_pair {
    unsigned id;           /* stable, 1, 2, ... in creation order */
    unsigned local, remote;
    unsigned component;
    uint64_t priority;
    ice_pair_state state;
    char foundation[2 * ICE_FOUNDATION_MAX];  /* local foundation ":" remote foundation */
    bool valid;            /* in the valid list */
    bool nominated;        /* valid and nominated */
    unsigned valid_id;     /* the valid pair this pair's check produced (0: none yet) */
    unsigned gen_id;       /* for a valid pair: the pair whose check produced it */
    bool remote_nominated; /* controlled: the peer sent USE-CANDIDATE on this pair */
    bool use_candidate;    /* controlling: the next/current check carries USE-CANDIDATE */
    unsigned tx, tx_sock;  /* running STUN transaction on socket tx_sock (0: none) */
    bool tx_controlling;   /* the role claimed in the running check */
    bool tx_use_candidate;
    sim_time_t succeeded_at;
} ice_pair;

/* Name of a state: "frozen", "waiting", "in-progress", "succeeded", "failed", "cancelled". */
const char *ice_pair_state_name(ice_pair_state s);

/* ---------------------------------------------------------------- agent (ice_agent.c) */

typedef struct ice_agent_cfg {
    bool controlling;      /* initial role */
    unsigned components;   /* 1..ICE_COMPONENTS_MAX (0: 1) */
    sim_time_t ta;         /* check pacing (0: 50 ms) */
    sim_time_t rto;        /* initial RTO of a check (0: 500 ms, RFC 8445 §14.3 minimum) */
    unsigned rc;           /* transmissions of a check (0: 7, RFC 8489) */
    sim_time_t nominate_delay; /* controlling: nominate this long after a component's first
                                  valid pair unless no better pair is still pending (0: 500 ms) */
    unsigned max_pairs;    /* checklist limit (0: 100, RFC 8445 §6.1.2.5); the lowest-priority
                              Frozen/Waiting pairs are pruned beyond it */
    bool no_consent;       /* disable RFC 7675 consent checks (keepalives still go out) */
    sim_time_t keepalive;  /* Tr (0: 15 s) */
    const char *ufrag, *pwd; /* local credentials (NULL: random from the rng; copied) */
} ice_agent_cfg;

typedef enum ice_event_kind {
    ICE_EV_LOCAL_PRFLX,    /* a peer-reflexive local candidate was learned (cand, cand_idx) */
    ICE_EV_REMOTE_PRFLX,   /* a peer-reflexive remote candidate was learned (cand, cand_idx) */
    ICE_EV_PAIR_STATE,     /* pair `pair` changed to `state` */
    ICE_EV_ROLE,           /* the role switched (controlling) after a conflict */
    ICE_EV_SELECTED,       /* component selected `pair` (local_type/remote_type, elapsed) */
    ICE_EV_FAILED,         /* component failed: every pair failed and both sides ended
                              gathering */
    ICE_EV_CONSENT_LOST,   /* RFC 7675: no answer on the selected pair for 30 s; sending stops */
} ice_event_kind;

typedef struct ice_event {
    ice_event_kind kind;
    sim_time_t at;
    unsigned component;
    unsigned pair;
    ice_pair_state state;
    bool controlling;
    ice_cand_type local_type, remote_type;
    sim_time_t elapsed;    /* SELECTED: since the agent started (first remote credentials) */
    unsigned cand_idx;
    ice_cand cand;
} ice_event;

/* A datagram to send: from the driver's socket `sock` to `to`. */
typedef struct ice_out {
    unsigned sock;
    sim_ep to;
    size_t len;
    uint8_t data[ICE_DATA_MAX];
} ice_out;

typedef struct ice_agent_stats {
    uint64_t checks_sent, checks_recv, responses_sent, errors_sent, bad, dropped;
    uint64_t triggered, keepalives, consent_sent, data_sent, data_recv;
} ice_agent_stats;

typedef struct ice_agent ice_agent;

/* Creates an agent: cfg copied, rng borrowed (credentials, tie-breaker, transaction ids,
 * consent jitter). Returns owned, or NULL for a bad cfg (components > ICE_COMPONENTS_MAX,
 * ufrag shorter than 4 or pwd shorter than 22 characters). */
ice_agent *ice_agent_new(const ice_agent_cfg *cfg, sim_rng *rng);
/* Frees the agent. NULL-safe. */
void ice_agent_free(ice_agent *a);
/* Local credentials (borrowed until the agent is freed). */
const char *ice_agent_ufrag(const ice_agent *a);
const char *ice_agent_pwd(const ice_agent *a);
/* Current role and the 64-bit tie-breaker. */
bool ice_agent_controlling(const ice_agent *a);
uint64_t ice_agent_tiebreaker(const ice_agent *a);

/* Adds a gathered local candidate: c's type, component, addr, base, server and sock are used;
 * the priority is computed from local_pref (ice_local_pref), the foundation assigned (RFC 8445
 * §5.1.1.3). May be called at any time (trickle): new pairs join the checklist. The candidate
 * as completed is copied to *out (may be NULL). Returns its index (>= 0), -EEXIST (redundant
 * with a candidate of higher or equal priority, §5.1.3: dropped), or -EINVAL (component out of
 * range, prflx type, unset address or base). A redundant candidate of lower priority already
 * present is replaced. */
int ice_agent_add_local(ice_agent *a, sim_time_t now, const ice_cand *c, unsigned local_pref,
                        ice_cand *out);
/* Local gathering is over (end-of-candidates on our side). */
void ice_agent_local_done(ice_agent *a, sim_time_t now);
/* Sets the peer's credentials (strings copied). The first call starts the clock of the
 * "elapsed" figures. Returns 0, or -EINVAL (ufrag 1..256 / pwd 1..256 characters). */
int ice_agent_set_remote(ice_agent *a, sim_time_t now, const char *ufrag, const char *pwd);
/* Adds a remote candidate (copied; type, foundation, priority, component, addr used). At any
 * time (trickle). A signalled candidate with the address of a learned peer-reflexive one
 * replaces its type and foundation and keeps the learned priority (RFC 8445 §7.3.1.3).
 * Returns its index, -EEXIST (already known), or -EINVAL (component out of range, unset address). */
int ice_agent_add_remote(ice_agent *a, sim_time_t now, const ice_cand *c);
/* The peer sent end-of-candidates (RFC 8838 §13). */
void ice_agent_remote_done(ice_agent *a, sim_time_t now);

/* One datagram that arrived on socket `sock` from `from`. Returns 0 (consumed by ICE: a check,
 * a response, a keepalive), a component id > 0 (application data on a valid pair of that
 * component: the caller hands it to the application), -EBADMSG (malformed STUN, or a bad
 * FINGERPRINT: dropped), -EACCES (a check with bad credentials: answered 400/401), -EPROTO (a
 * check answered 400/420/487, or a response that fails MESSAGE-INTEGRITY: ignored), or
 * -ENOENT (data from an unknown source, a check on an unknown socket, a response to no
 * transaction of ours: dropped). */
int ice_agent_input(ice_agent *a, sim_time_t now, unsigned sock, const sim_ep *from,
                    const uint8_t *buf, size_t len);
/* Sends checks, retransmissions, keepalives and consent checks due at now; declares consent
 * lost and components failed. */
void ice_agent_timeout(ice_agent *a, sim_time_t now);
/* The earliest time ice_agent_timeout has work, or SIM_TIME_NEVER. */
sim_time_t ice_agent_next_deadline(const ice_agent *a);
/* Pops the next datagram to send; false when the outbox is empty. */
bool ice_agent_pop(ice_agent *a, ice_out *out);
/* Pops the next event; false when none. */
bool ice_agent_pop_event(ice_agent *a, ice_event *ev);
/* Queues application data on component comp's selected pair. Returns 0, -ENOTCONN (nothing
 * selected), -EACCES (consent lost, RFC 7675 §5.2), -EINVAL (bad component), or -EMSGSIZE. */
int ice_agent_send(ice_agent *a, sim_time_t now, unsigned comp, const uint8_t *buf, size_t len);

/* Introspection (borrowed until the next call that changes the agent). */
size_t ice_agent_n_local(const ice_agent *a);
const ice_cand *ice_agent_local(const ice_agent *a, size_t idx);
size_t ice_agent_n_remote(const ice_agent *a);
const ice_cand *ice_agent_remote(const ice_agent *a, size_t idx);
/* Pairs in checklist order (priority, highest first; ties by id). */
size_t ice_agent_n_pairs(const ice_agent *a);
const ice_pair *ice_agent_pair_at(const ice_agent *a, size_t idx);
/* The pair with id `id`, or NULL. */
const ice_pair *ice_agent_pair(const ice_agent *a, unsigned id);
/* The selected pair of comp, or NULL. */
const ice_pair *ice_agent_selected(const ice_agent *a, unsigned comp);
/* Counters (borrowed). */
const ice_agent_stats *ice_agent_get_stats(const ice_agent *a);

/* ---------------------------------------------------------------- driver (ice_sim.c) */

typedef struct ice_app_cfg {
    ice_agent_cfg agent;
    sim_ep stun;            /* STUN server for server-reflexive candidates (port 0: none) */
    sim_ep turn;            /* TURN server for relayed candidates (port 0: none) */
    const char *turn_user, *turn_pass; /* long-term credential (copied by the TURN core) */
} ice_app_cfg;

typedef struct ice_app ice_app;
/* An agent event (borrowed until return). */
typedef void (*ice_app_event_fn)(ice_app *a, const ice_event *ev, void *ctx);
/* A new local candidate to signal (trickle); c == NULL: gathering is over. */
typedef void (*ice_app_cand_fn)(ice_app *a, const ice_cand *c, void *ctx);
/* Application data that arrived on component comp (borrowed until return). */
typedef void (*ice_app_data_fn)(ice_app *a, unsigned comp, const uint8_t *data, size_t len,
                                void *ctx);

/* Creates an ICE agent on node n: one UDP socket per usable address (every IPv4 and every
 * non-link-local IPv6 address of every interface) and per component, bound on an ephemeral
 * port, each the base of a host candidate. Gathering starts with
 * ice_app_gather. Returns world-owned (stop it early with ice_app_free), or NULL with err set
 * (bad cfg, no address, a socket that cannot be bound). */
ice_app *ice_app_new(sim_node *n, const ice_app_cfg *cfg, GError **err);
/* Closes the sockets and frees the cores. NULL-safe; the struct itself goes with the world. */
void ice_app_free(ice_app *a);
/* Sets the callbacks (NULL: none). */
void ice_app_on_event(ice_app *a, ice_app_event_fn fn, void *ctx);
void ice_app_on_cand(ice_app *a, ice_app_cand_fn fn, void *ctx);
void ice_app_on_data(ice_app *a, ice_app_data_fn fn, void *ctx);
/* Gathers: host candidates at once, then a STUN Binding to cfg->stun from every host socket
 * of the STUN server's family (a srflx candidate per base) and a TURN Allocate to cfg->turn
 * from the first host socket of the TURN server's family of each component (a relay
 * candidate); end-of-candidates when all are answered or timed out. */
void ice_app_gather(ice_app *a);
/* The node the agent runs on. */
sim_node *ice_app_node(ice_app *a);
/* The agent (borrowed): set the peer's credentials and candidates on it, then ice_app_kick. */
ice_agent *ice_app_agent(ice_app *a);
/* After calling into the agent from outside: sends what it queued and re-arms the timer. */
void ice_app_kick(ice_app *a);
/* Sends data on component comp's selected pair. Returns what ice_agent_send returns. */
int ice_app_send(ice_app *a, unsigned comp, const uint8_t *data, size_t len);

/* ---------------------------------------------------------------- CLI (ice_decode.c) */

/* `natsim decode ice FILE` (natsim_decode_fn of cli/cli.h): every `candidate:` / `a=candidate:`
 * line of the file decoded, its priority taken apart. Returns 0, or -1 with err set (options
 * given, a malformed line with its number and the reason, no candidate line at all). */
int ice_decode(const uint8_t *data, size_t len, int argc, char **argv, GString *out,
               GError **err);

/* ---------------------------------------------------------------- Lua (ice_lua.c) */

/* Opens module `ice` (simlua_module_open). */
int ice_lua_open(lua_State *L);

#endif
