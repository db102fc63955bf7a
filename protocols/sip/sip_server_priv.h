/* protocols/sip/sip_server_priv.h — internals of the server core shared by sip_server.c
 * (dispatch, stateless forwarding), sip_fork.c (proxy contexts and branches) and
 * sip_registrar.c (REGISTER). */
#ifndef PROTOCOLS_SIP_SIP_SERVER_PRIV_H
#define PROTOCOLS_SIP_SIP_SERVER_PRIV_H

#include "protocols/sip/sip_priv.h"

#define SRV_NONCES 32 /* nonces remembered for digest verification */
#define SRV_NONCE_LIFETIME (300 * SIM_SEC) /* RFC 7616 §3.3: a nonce expires; then stale=true */

/* A nonce the server issued (RFC 7616 §3.3, §3.4): when, and the highest nc used with it. */
typedef struct srv_nonce {
    char *value;           /* owned, NULL: free slot */
    sim_time_t issued;
    uint32_t nc;           /* highest nonce-count accepted (0: none yet) */
} srv_nonce;

typedef struct srv_ctx srv_ctx;
typedef struct srv_ob srv_ob;

/* One forwarded copy of a request (§16.6). */
typedef struct srv_branch {
    srv_ctx *ctx;
    unsigned txn;          /* client transaction, 0 until sent */
    unsigned lookup;       /* RFC 3263 lookup pending, else 0 */
    sip_msg *req;          /* the copy to send (owned until sent) */
    unsigned status;       /* best status seen: 0, 1xx, or final */
    bool done;             /* a final response arrived (or it failed) */
    bool cancelled;
    GArray *alt;           /* sip_target: RFC 3263 §4.3 targets left to try, or NULL */
    sim_time_t timer_c_at; /* Timer C deadline (SIM_TIME_NEVER: not armed) */
    uint64_t timer_c_seq;  /* tie-break in the Timer C tree (arming order) */
    bool timer_c_queued;   /* in sip_server.timer_c */
    bool timer_c_cancel;   /* Timer C fired after a provisional: CANCEL sent, now waiting
                              64*T1 for a final (§9.1) */
    bool lingering;        /* Timer C made it 408 without a provisional; its client
                              transaction lives on (§16.8) and keeps the context */
    unsigned rr_pushed;    /* Record-Route values of ours on req (0-2, RFC 5658) */
    char *aor, *instance;  /* RFC 5626 §7: the branch goes over a flow of this instance of
                              aor (owned; NULL: not an outbound binding) */
    uint32_t reg_id;       /* ... with this reg-id now */
    GArray *flows_tried;   /* uint32_t reg-ids that failed with 408 (kept bindings), or NULL */
} srv_branch;

/* A proxied request: its server transaction and branches (§16). */
struct srv_ctx {
    unsigned stxn;
    sip_msg *req;          /* as received (Via stamped), owned */
    bool invite;
    GPtrArray *branches;   /* srv_branch *, owned */
    sip_msg *best;         /* best final so far (§16.7 step 6), owned */
    bool final_sent;       /* a final went upstream (2xx for INVITE still pass) */
    bool got_2xx;
    bool cancelled;        /* a CANCEL came from upstream */
    GPtrArray *auth[2];    /* WWW- / Proxy-Authenticate values of the branches' 401 / 407
                              (§16.7 step 7; sip_server_auth.c), NULL until one */
};

struct sip_server {
    sip_server_cfg cfg;
    char *domain;
    GHashTable *users;     /* user -> password (owned strings) */
    sip_uri self_uri;      /* sip:<self ip>:<port> for route matching */
    char *self_uri_str;
    char *self_hostport;
    sim_rng *rng;
    sip_txns *txns;
    sip_location *loc;
    GPtrArray *ctxs;       /* srv_ctx *, creation order */
    unsigned next_lookup;
    GQueue lookups;        /* srv_branch * waiting to be popped by the driver */
    srv_nonce nonces[SRV_NONCES];
    unsigned nonce_next;
    sip_server_stats stats;
    srv_ob *ob;            /* edge proxy state (sip_outbound.c); NULL unless cfg.outbound */
    GTree *timer_c;        /* srv_branch * with Timer C armed, by (deadline, seq) */
    uint64_t timer_c_seq;
    char *self6_hostport;  /* "[2001:db8::2]:5060" on a dual-stack server, else NULL */
    char *self6_uri_str;
    sip_uri self6_uri;     /* slices of self6_uri_str */
};

/* sip_registrar.c: handles REGISTER on server transaction txn (m borrowed). */
void srv_register(sip_server *s, sim_time_t now, unsigned txn, const sip_msg *m);
/* Answers m on txn with status (reason NULL: standard). */
void srv_reply(sip_server *s, sim_time_t now, unsigned txn, const sip_msg *m, unsigned status,
               const char *reason);

/* sip_fork.c */
/* Proxies request m (takes ownership) received on server transaction txn. */
void srv_proxy(sip_server *s, sim_time_t now, unsigned txn, sip_msg *m);
/* A response for one of our client transactions (takes ownership); false if not ours. */
bool srv_fork_response(sip_server *s, sim_time_t now, unsigned txn, sip_msg *m);
/* A client transaction failed (timeout 408 / transport 503). */
void srv_fork_failed(sip_server *s, sim_time_t now, unsigned txn, unsigned status);
/* A CANCEL (borrowed) for the INVITE on server transaction target. */
void srv_fork_cancel(sip_server *s, sim_time_t now, unsigned target);
/* Lookup id answered. */
void srv_fork_located(sip_server *s, sim_time_t now, unsigned id, int err,
                      const sip_target *t, size_t n);
/* RFC 3263 §4.3: sends branch b to its next target; false when none is left. */
bool srv_fork_failover(sip_server *s, sim_time_t now, srv_branch *b);
void srv_ctx_free(srv_ctx *c);
/* Next hop of a request about to be forwarded (Route, registered flow, Request-URI): 0 with
 * *to, or 1 when the host is a name (RFC 3263 lookup needed). */
int srv_next_hop(sip_server *s, sim_time_t now, const sip_msg *m, sim_ep *to);
/* A branch token with the §16.6 step 8 loop hash of m. */
void srv_branch_token(sip_server *s, const sip_msg *m, char *out, size_t cap);
/* Pushes our Via with branch onto m. */
int srv_push_via(sip_server *s, sip_msg *m, const char *branch);
/* The same with the transport given (RFC 3263 chose it). */
int srv_push_via_over(sip_server *s, sip_msg *m, const char *branch, bool tcp);

/* sip_outbound.c: RFC 5626 edge proxy, RFC 3327 Path */
/* Creates the edge state (flow key from the rng) when cfg.outbound; frees it. */
void srv_ob_init(sip_server *s);
void srv_ob_free(sip_server *s);
/* Edge: a request event before dispatch (Path on REGISTER, flow-token Route, Record-Route).
 * True when it was answered (403, 430) or dropped here: the caller only clears ev. */
bool srv_ob_request(sip_server *s, sim_time_t now, sip_txn_ev *ev);
/* Edge: the request of srv_ob_request is handled (forgets its pending flow). */
void srv_ob_done(sip_server *s);
/* Edge: a message from `from` keeps its flow alive. */
void srv_ob_seen(sip_server *s, sim_time_t now, const sim_ep *from);
/* Edge: a response going upstream (changed in place): a 2xx to an outbound REGISTER without
 * Flow-Timer gets ours when cfg.flow_timer is set (RFC 5626 §5.4). */
void srv_ob_response(sip_server *s, sip_msg *resp);
/* Edge: true with *to when m (our Via on top) goes over a flow. */
bool srv_ob_next_hop(sip_server *s, sim_time_t now, const sip_msg *m, sim_ep *to);

/* What a REGISTER says about Path and outbound (RFC 3327, RFC 5626 §6). */
typedef struct srv_reg_ob {
    char *path;          /* the Path vector, one comma list (owned), or NULL */
    bool sup_path, sup_outbound;
    bool first_hop_ob;   /* the last Path value (the edge's) carries ;ob */
} srv_reg_ob;

/* Reads Supported and Path of m. 0 or -EBADMSG (a Path value that does not parse). */
int srv_ob_register_read(const sip_msg *m, srv_reg_ob *r);
void srv_ob_register_clear(srv_reg_ob *r);
/* The instance and reg-id of one Contact (*instance owned, NULL when not outbound). Returns 0
 * or the status to answer (400 bad reg-id, 439 First Hop Lacks Outbound Support). */
unsigned srv_ob_contact(const srv_reg_ob *r, const sip_nameaddr *na, char **instance,
                        uint32_t *reg_id);
/* Adds Path (when the UA supports it), Require: outbound and Flow-Timer to the 200 OK. */
void srv_ob_register_reply(const sip_server *s, const srv_reg_ob *r, bool outbound,
                           sip_msg *resp);
/* Home proxy: pushes a binding's stored Path (NULL: none) as Route onto req. */
void srv_path_route(sip_server *s, sip_msg *req, const char *path);
/* Home proxy, RFC 5626 §7: the live bindings of aor to fork to (sip_location_binding,
 * borrowed until the location changes): every one that is not an outbound flow, and of each
 * instance only its most recently registered flow. */
void srv_ob_targets(sip_server *s, sim_time_t now, const char *aor, GArray *out);
/* Remembers on a new branch b of req which flow binding t is (t NULL or not a flow: none). */
void srv_ob_branch_flow(srv_branch *b, const sip_msg *req, const sip_location_binding *t);
/* Frees what srv_ob_branch_flow kept. */
void srv_ob_branch_clear(srv_branch *b);
/* Branch b's flow failed with status (430: its binding is removed, §7; 408: kept but not
 * tried again): true with *next (strings borrowed from the location) when the instance has
 * another live flow, the most recently registered; b then names that flow. */
bool srv_ob_next_flow(sip_server *s, sim_time_t now, srv_branch *b, unsigned status,
                      sip_location_binding *next);
/* sip_timer_c.c: Timer C bookkeeping (§16.6 step 11, §16.7 step 2) */
/* Arms (or re-arms) b's Timer C at `at`; SIM_TIME_NEVER stops it. */
void srv_timer_c_set(sip_server *s, srv_branch *b, sim_time_t at);
/* The earliest Timer C, or SIM_TIME_NEVER. */
sim_time_t srv_timer_c_next(const sip_server *s);
/* Removes and returns a branch whose Timer C is due at now, or NULL. */
srv_branch *srv_timer_c_due(sip_server *s, sim_time_t now);
/* sip_fork.c: §16.8, Timer C fired on b (no longer armed). */
void srv_fork_timer_c(sip_server *s, sim_time_t now, srv_branch *b);

/* sip_server_auth.c: digest for the registrar (401) and the proxy (407), one nonce store */
/* Answers m on txn with a challenge: 401 + WWW-Authenticate (MD5), or 407 +
 * Proxy-Authenticate (SHA-256 then MD5, RFC 8760 §2.4), one fresh nonce; stale=true when the credentials were
 * right but their nonce expired, is unknown or its nc was used (RFC 7616 §3.3, §3.4). */
void srv_auth_challenge(sip_server *s, sim_time_t now, unsigned txn, const sip_msg *m,
                        bool proxy, bool stale);

/* What srv_auth_check found in a request's credentials. */
typedef enum srv_auth_verdict {
    SRV_AUTH_OK,        /* verified for a user, fresh nonce, new nc */
    SRV_AUTH_NONE,      /* none for our realm, or wrong: challenge */
    SRV_AUTH_STALE,     /* right, but the nonce is expired / unknown or the nc was seen */
    SRV_AUTH_BAD_URI,   /* digest uri is not the Request-URI: 400 (RFC 7616 §3.4.6) */
} srv_auth_verdict;

/* Checks the lines of id (Authorization / Proxy-Authorization) in m for our realm: a
 * configured user, a nonce we issued less than SRV_NONCE_LIFETIME ago, a nonce count above the
 * highest seen for it (recorded on success) and uri = Request-URI. On SRV_AUTH_OK user (cap
 * bytes) gets the user name. */
srv_auth_verdict srv_auth_check(sip_server *s, sim_time_t now, const sip_msg *m, sip_hdr_id id,
                                char *user, size_t cap);
/* Answers a verdict other than SRV_AUTH_OK on txn (400, or 401 / 407 with proxy). */
void srv_auth_refuse(sip_server *s, sim_time_t now, unsigned txn, const sip_msg *m, bool proxy,
                     srv_auth_verdict v);
/* True when the user part of header id (From / To) of m is user (escapes decoded). */
bool srv_auth_identity(const sip_msg *m, sip_hdr_id id, const char *user);
/* §16.7 step 7: keeps the challenges of a branch's 401 / 407 m (borrowed) in c. */
void srv_auth_collect(srv_ctx *c, const sip_msg *m);
/* §16.7 step 7: when best is a 401 / 407, its challenges become all those collected in c
 * (arrival order). Frees them with c: srv_auth_ctx_clear. */
void srv_auth_merge(const srv_ctx *c, sip_msg *best);
void srv_auth_ctx_clear(srv_ctx *c);
/* §22.3 on a request about to be proxied (m owned by the caller): true when it may go on
 * (our realm's Proxy-Authorization lines removed), false when it was answered (407, 400, or
 * 403 when the authenticated user is not the From user). */
bool srv_proxy_authorize(sip_server *s, sim_time_t now, unsigned txn, sip_msg *m);

/* sip_rr.c: the proxy's two sides (RFC 3261 §16.6 step 4, RFC 5658, RFC 6157) */
/* Sets up self6 (cfg.self6); frees it. */
void srv_rr_init(sip_server *s);
void srv_rr_free(sip_server *s);
/* Our host:port towards a peer of family (the IPv6 one when we have it), borrowed. */
const char *srv_hostport(const sip_server *s, int family);
/* True when ip is one of our addresses. */
bool srv_is_self(const sip_server *s, const sim_ip *ip);
/* §16.4 loose routing: removes the top Route entries naming us (up to two, RFC 5658).
 * Returns sip_msg_route_pop_selves's. */
int srv_route_pop_self(sip_server *s, sip_msg *m);
/* Pushes our Via (branch, transport tcp) with our address of family onto m. */
int srv_push_via_to(sip_server *s, sip_msg *m, const char *branch, bool tcp, int family);
/* Branch b goes to `to` now: our Via names our address of to's family, and an INVITE gets
 * its Record-Route: one value when both sides agree on transport and address, else two, the
 * one for the downstream side on top (RFC 5658); replaces the values of an earlier attempt. */
void srv_branch_sides(sip_server *s, srv_branch *b, const sim_ep *to);

#endif
