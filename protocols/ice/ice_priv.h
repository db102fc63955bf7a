/* protocols/ice/ice_priv.h — internals shared by the ICE agent's files (not a public API). */
#ifndef PROTOCOLS_ICE_ICE_PRIV_H
#define PROTOCOLS_ICE_ICE_PRIV_H

#include <glib.h>
#include "protocols/ice/ice.h"
#include "protocols/stun/stun.h"

/* Triggered checks in a row after which a waiting ordinary check goes first (next_paced). */
#define ICE_TRIGGERED_BURST 2

/* One STUN client transaction core per local socket, so what it sends goes out of that socket
 * and responses arriving there find their transaction. */
typedef struct ice_sockc {
    unsigned sock;
    stun_client *c;
} ice_sockc;

/* Per component: selection, consent freshness, keepalive. */
typedef struct ice_comp {
    unsigned selected;        /* pair id (0: none) */
    bool failed;
    bool consent_lost;
    sim_time_t first_valid;   /* when the first valid pair appeared (NEVER: none yet) */
    unsigned nominating;      /* controlling: valid pair id being nominated (0: none) */
    sim_time_t consent_ok;    /* last authenticated answer on the selected pair */
    sim_time_t consent_next;  /* next consent check */
    unsigned consent_tx, consent_sock;
    sim_time_t last_sent;     /* last datagram on the selected pair (keepalive, §11) */
} ice_comp;

struct ice_agent {
    ice_agent_cfg cfg;
    sim_rng *rng;                  /* borrowed */
    bool controlling;
    uint64_t tiebreaker;
    char ufrag[ICE_UFRAG_MAX], pwd[ICE_PWD_MAX];
    char rufrag[ICE_UFRAG_MAX], rpwd[ICE_PWD_MAX];
    bool have_remote;
    bool local_done, remote_done;
    sim_time_t started;            /* first ice_agent_set_remote (NEVER before) */
    GArray *local, *remote;        /* of ice_cand */
    GPtrArray *pairs;              /* of ice_pair *, checklist order */
    GQueue triggered;              /* of GUINT_TO_POINTER(pair id), FIFO */
    unsigned triggered_run;        /* triggered checks sent in a row (next_paced) */
    unsigned next_pair_id;
    unsigned next_prflx;           /* numbering of learned remote prflx foundations */
    GArray *found_keys;            /* of ice_found_key: foundation assignment, in order */
    GArray *sockcs;                /* of ice_sockc, creation order */
    sim_time_t next_check;         /* earliest time the next paced check may go (Ta) */
    ice_comp comp[ICE_COMPONENTS_MAX + 1];
    GQueue out;                    /* of ice_out * */
    GQueue events;                 /* of ice_event * */
    ice_agent_stats stats;
};

/* Foundation key (RFC 8445 §5.1.1.3): type, base IP, server IP (transport is always UDP). */
typedef struct ice_found_key {
    ice_cand_type type;
    sim_ip base_ip, server_ip;
} ice_found_key;

/* ice_cand.c */
/* Assigns c->foundation from the agent's table ("1", "2", ... in order of first use). */
void ice_cand_assign_foundation(ice_agent *a, ice_cand *c);

/* ice_agent.c */
/* Queues a datagram from sock to `to`. */
void ice_push_out(ice_agent *a, unsigned sock, const sim_ep *to, const uint8_t *buf, size_t len);
/* Queues an event (at, kind and the given fields; the rest zero). */
ice_event *ice_push_event(ice_agent *a, sim_time_t now, ice_event_kind kind);
/* The STUN client of socket sock, created on first use. */
stun_client *ice_sock_client(ice_agent *a, unsigned sock);
/* Stops and frees transaction *tx of socket sock (no-op for 0) and zeroes *tx. */
void ice_tx_drop(ice_agent *a, unsigned sock, unsigned *tx);
/* Moves every STUN client's outbox into the agent's, socket by socket. */
void ice_drain_clients(ice_agent *a);
/* Fills 12 random bytes. */
void ice_rand_txid(ice_agent *a, uint8_t txid[STUN_TXID_LEN]);
/* Switches role after a conflict (§7.2.5.1, §7.3.1.1): pair priorities are recomputed, a
 * nomination in flight is forgotten, an ICE_EV_ROLE event is queued. */
void ice_set_role(ice_agent *a, sim_time_t now, bool controlling);
/* Called when a pair became valid and nominated: selects it for its component. */
void ice_comp_nominated(ice_agent *a, sim_time_t now, ice_pair *v);
/* Consent freshness: transaction t on sock finished; an authenticated success from the
 * selected pair's remote address renews consent (RFC 7675 §5.1). */
void ice_consent_done(ice_agent *a, sim_time_t now, unsigned sock, const stun_tx *t);

/* ice_check.c */
ice_cand *ice_lcand(ice_agent *a, unsigned idx);
ice_cand *ice_rcand(ice_agent *a, unsigned idx);
ice_pair *ice_pair_by_id(const ice_agent *a, unsigned id);
/* The pair (local idx, remote idx), or NULL. */
ice_pair *ice_pair_find(const ice_agent *a, unsigned li, unsigned ri);
/* Sets a pair's state and reports it. */
void ice_pair_set_state(ice_agent *a, sim_time_t now, ice_pair *p, ice_pair_state st);
/* Pairs a new local (is_local) or remote candidate with the other side (§6.1.2.2). */
void ice_pair_candidate(ice_agent *a, sim_time_t now, unsigned idx, bool is_local);
/* Adds one pair (local li, remote ri) in state Frozen and sorts the list. Returns it. */
ice_pair *ice_pair_add(ice_agent *a, unsigned li, unsigned ri);
/* Recomputes every pair priority (after a role switch or a priority change) and re-sorts. */
void ice_pairs_reprioritize(ice_agent *a);
/* Trickle-friendly unfreezing: a Frozen pair whose foundation has no Waiting / In-Progress
 * pair becomes Waiting (lowest component, highest priority first; §6.1.2.6). */
void ice_pairs_unfreeze(ice_agent *a, sim_time_t now);
/* True when p's component has a selected pair and p is neither it, nor the pair whose check
 * produced it, nor nominated by the peer: §8.1.2, no more checks on p. */
bool ice_pair_pruned(const ice_agent *a, const ice_pair *p);
/* §8.1.2 after selecting on comp: every pruned Frozen, Waiting or In-Progress pair of comp is
 * cancelled (its running check stopped; a late answer is then ignored). */
void ice_prune(ice_agent *a, sim_time_t now, unsigned comp);
/* Puts a pair on the triggered-check queue (once). */
void ice_trigger(ice_agent *a, ice_pair *p);
/* Builds a Binding request for pair p (USERNAME, PRIORITY, role, USE-CANDIDATE when asked,
 * MESSAGE-INTEGRITY, FINGERPRINT) into buf; returns its length or a negative errno. */
int ice_build_check(ice_agent *a, const ice_pair *p, bool use_cand, const uint8_t txid[12],
                    uint8_t *buf, size_t cap);
/* A STUN response that arrived on sock from `from` (already decoded in m). Returns 0 or -EPROTO. */
int ice_check_response(ice_agent *a, sim_time_t now, unsigned sock, const sim_ep *from,
                       const uint8_t *buf, size_t len, const stun_msg *m);
/* Finishes what the STUN clients report as done (timeouts). */
void ice_checks_reap(ice_agent *a, sim_time_t now);
/* Paced checks, nomination and completion due at now. */
void ice_checks_timeout(ice_agent *a, sim_time_t now);
/* Declares failed every component that can no longer succeed (both sides ended gathering,
 * every pair failed, nothing valid or queued). */
void ice_checks_failed(ice_agent *a, sim_time_t now);
/* Next time the checklist has paced work or a nomination is due. */
sim_time_t ice_checks_deadline(const ice_agent *a);
/* The local candidate that is the base of socket sock (host or relay), or -1. */
int ice_local_for_sock(const ice_agent *a, unsigned sock, unsigned comp_hint);

/* ice_stun.c */
/* An incoming Binding request (or indication) on sock from `from`. Returns 0, -EACCES, -EPROTO. */
int ice_stun_request(ice_agent *a, sim_time_t now, unsigned sock, const sim_ep *from,
                     const uint8_t *buf, size_t len, const stun_msg *m);

#endif
