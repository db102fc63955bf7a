/* protocols/sip/sip_agents.h — SIP agents on top of the message layer of sip.h: transactions,
 * the user agent core, the location service, server location, the registrar / proxy /
 * redirect server, the driver and the Lua binding. Included by sip.h (include sip.h).
 *   RFC 3261 §17 / RFC 6026  client and server transactions, Timers A-M (sip_txn.c)
 *   RFC 3261 §8, §10, §12-15, §22 / RFC 3264  dialogs and the user agent core (sip_dialog.c,
 *             sip_ua.c, sip_ua_call.c); RFC 8839 ICE candidates in the SDP of calls
 *   RFC 3261 §10.3, §16 / RFC 3263  registrar and location service (sip_registrar.c),
 *             stateful forking proxy and redirect server (sip_server.c, sip_fork.c), server
 *             location NAPTR -> SRV -> A/AAAA, RFC 2782 order, failover (sip_locate.c);
 *             Timer C (sip_timer_c.c); §22.3 / RFC 8760 digest challenges of registrar
 *             and proxy (sip_server_auth.c)
 *   RFC 5626 / RFC 3327  outbound flows: flow tokens, edge proxy, Path at the registrar and home
 *             proxy, one branch per instance and the next flow after a 430 (sip_outbound.c), the
 *             UA's instance / reg-id, one flow per edge and STUN keep-alives (sip_ua_ob.c)
 *   RFC 3261 §18  transports: sip_sim.c drives a UA or server core over sim/socket.h, UDP and
 *             TCP (sip_tcp.c); sip_lua.c is `sip`.
 */
#ifndef PROTOCOLS_SIP_SIP_AGENTS_H
#define PROTOCOLS_SIP_SIP_AGENTS_H

#include "protocols/sip/sip.h"

/* ---------------------------------------------------------------- transactions (sip_txn.c) */

/* RFC 3261 §17 client and server transactions with the transport's Via rules (§18), sans-I/O:
 * one sip_txns layer holds every transaction of a UA or proxy, matches incoming messages by
 * branch (§17.1.3, §17.2.3), retransmits from an outbox of datagrams and tells its user (the
 * TU: UA core, proxy core) what happened through events. The INVITE transactions have the
 * Accepted state of RFC 6026 (Timers L and M): a 2xx ends neither side's transaction at once,
 * so retransmitted INVITEs are absorbed and further 2xx from forks still reach the TU.
 *
 *   INVITE client:  Calling --1xx--> Proceeding --300-699 (ACK sent)--> Completed --D--> gone
 *                   Calling/Proceeding --2xx--> Accepted --M--> gone;  Calling --B--> timeout
 *   non-INVITE client:  Trying --1xx--> Proceeding --final--> Completed --K--> gone; F: timeout
 *   INVITE server:  Proceeding (100 Trying sent) --300-699--> Completed (G resends, H: no ACK)
 *                   --ACK--> Confirmed --I--> gone;  Proceeding --2xx--> Accepted --L--> gone
 *   non-INVITE server:  Trying --1xx--> Proceeding --final--> Completed --J--> gone
 */

#define SIP_T1 (500 * SIM_MS) /* RTT estimate (§17.1.1.1) */
#define SIP_T2 (4 * SIM_SEC)  /* cap on non-INVITE and response retransmit intervals */
#define SIP_T4 (5 * SIM_SEC)  /* the longest a message stays in the network */

typedef struct sip_txn_cfg {
    sim_time_t t1, t2, t4; /* 0: SIP_T1, SIP_T2, SIP_T4 */
    bool reliable;         /* every transaction reliable (TCP): no retransmissions; Timers D,
                              I, J, K are zero. Without it, a transaction whose request's top
                              Via names TCP (or any non-UDP transport) is reliable too (§18) */
    bool no_trying;        /* INVITE server: no automatic 100 Trying (the TU answers at once) */
} sip_txn_cfg;

typedef enum sip_txn_kind {
    SIP_TXN_INVITE_CLIENT,
    SIP_TXN_NON_INVITE_CLIENT,
    SIP_TXN_INVITE_SERVER,
    SIP_TXN_NON_INVITE_SERVER,
} sip_txn_kind;

typedef enum sip_txn_state {
    SIP_TXN_CALLING, SIP_TXN_TRYING, SIP_TXN_PROCEEDING, SIP_TXN_COMPLETED,
    SIP_TXN_CONFIRMED, SIP_TXN_ACCEPTED, SIP_TXN_TERMINATED,
} sip_txn_state;

typedef enum sip_txn_ev_kind {
    SIP_TXN_EV_REQUEST,         /* a new request: id names its server transaction; an ACK
                                   outside any transaction (for a 2xx) has id 0 */
    SIP_TXN_EV_RESPONSE,        /* a response for client transaction id (1xx, the final one,
                                   and every 2xx while Accepted); id 0: stray response */
    SIP_TXN_EV_TIMEOUT,         /* Timer B or F (client: no final response), Timer H (server:
                                   no ACK for a 300-699) */
    SIP_TXN_EV_TRANSPORT_ERROR, /* sip_txns_transport_error was called for id */
} sip_txn_ev_kind;

/* What the layer tells its user. msg is owned by the event (sip_txn_ev_clear). */
typedef struct sip_txn_ev {
    sip_txn_ev_kind kind;
    unsigned id;
    sip_msg *msg; /* REQUEST, RESPONSE; NULL otherwise */
    sim_ep from;  /* REQUEST, RESPONSE: where it came from */
} sip_txn_ev;

/* A datagram to send; data owned by the struct (sip_out_clear). */
typedef struct sip_out {
    sim_ep to;
    uint8_t *data;
    size_t len;
} sip_out;

typedef struct sip_txns sip_txns;

/* Creates an empty transaction layer; cfg copied (NULL: defaults). Returns owned. */
sip_txns *sip_txns_new(const sip_txn_cfg *cfg);
/* Frees the layer, its transactions, outbox and pending events. NULL-safe. */
void sip_txns_free(sip_txns *t);
/* Starts a client transaction for req (borrowed; encoded now, so later changes to req do not
 * matter) sent to dest: the first transmission is queued. req needs a top Via with an RFC 3261
 * branch and a CSeq. *id (may be NULL) names it (ids start at 1 and are never reused).
 * Returns 0, -EINVAL (a response, an ACK, no branch or CSeq), -EEXIST (branch in use). */
int sip_txns_request(sip_txns *t, sim_time_t now, const sip_msg *req, const sim_ep *dest,
                     unsigned *id);
/* Sends a response on server transaction id (resp borrowed): provisional responses keep it in
 * Proceeding, finals move it on (see the banner). Returns 0, -ENOENT (no such live
 * transaction), -EPROTO (not allowed in this state: a final was already sent, or a 1xx after
 * a 2xx), -EINVAL (not a response, a client transaction). */
int sip_txns_respond(sip_txns *t, sim_time_t now, unsigned id, const sip_msg *resp);
/* Sends m (borrowed) once to dest outside any transaction: an ACK for a 2xx, a 2xx
 * retransmission by a UAS core, a stateless forward. */
void sip_txns_send(sip_txns *t, const sip_msg *m, const sim_ep *dest);
/* Decodes and validates a datagram from `from` for a TU (§8.2, §16.3): a request that does
 * not decode (sip_msg_reject_bytes) or validate (sip_msg_validate) is answered straight to
 * `from` with its error status when it can be (never an ACK or a response); *answered says
 * whether it was. Returns 0 with *out the message (owned by the caller), -EBADMSG
 * (undecodable) or -EPROTO (failed validation), with *out NULL. */
int sip_txns_receive(sip_txns *t, const sim_ep *from, const uint8_t *buf, size_t len,
                     sip_msg **out, bool *answered);
/* One decoded message m (takes ownership) from `from`. Requests get ;received / ;rport
 * stamped on their top Via first (§18.2.1, RFC 3581). Matching messages drive their
 * transaction (retransmissions are absorbed); others start a server transaction or become
 * stray events. Returns 1 when an event was queued, 0 when absorbed. */
int sip_txns_input(sip_txns *t, sim_time_t now, const sim_ep *from, sip_msg *m);
/* Fires every timer due at now: retransmissions, timeouts, terminations. */
void sip_txns_timeout(sip_txns *t, sim_time_t now);
/* The earliest timer, or SIM_TIME_NEVER. */
sim_time_t sip_txns_next_deadline(const sip_txns *t);
/* The transport could not deliver for transaction id (§17.1.4, §17.2.4): it ends, and a
 * client transaction queues a TRANSPORT_ERROR event. Unknown ids are ignored. */
void sip_txns_transport_error(sip_txns *t, unsigned id);
/* The TU gives up client transaction id (§9.1: a CANCELled INVITE with no final response
 * after 64*T1): it ends at once, without an event. Unknown ids are ignored. */
void sip_txns_abandon(sip_txns *t, unsigned id);
/* Pops the next datagram to send; false when the outbox is empty. */
bool sip_txns_pop(sip_txns *t, sip_out *out);
/* Pops the next event for the TU; false when there is none. */
bool sip_txns_event(sip_txns *t, sip_txn_ev *ev);
/* Frees the message of an event. NULL-safe. */
void sip_txn_ev_clear(sip_txn_ev *ev);
/* Frees the bytes of a datagram. NULL-safe. */
void sip_out_clear(sip_out *out);
/* State and kind of transaction id. Returns 0, or -ENOENT when it is gone (terminated). */
int sip_txns_state(const sip_txns *t, unsigned id, sip_txn_kind *kind, sip_txn_state *state);
/* The request that started client transaction id (borrowed until it ends), or NULL. */
const sip_msg *sip_txns_request_of(const sip_txns *t, unsigned id);
/* Where client transaction id sends its request (a CANCEL goes there too, §9.1), or for a
 * server transaction where its responses go. Returns 0 with *peer, or -ENOENT. */
int sip_txns_peer(const sip_txns *t, unsigned id, sim_ep *peer);
/* The live INVITE server transaction a CANCEL (borrowed) is for (§9.2: same branch and
 * sent-by), or 0. */
unsigned sip_txns_cancel_target(const sip_txns *t, const sip_msg *cancel);
/* Builds the CANCEL for an INVITE (§9.1): same Request-URI, Call-ID, From, To, CSeq number,
 * the INVITE's top Via only, its Route lines. Returns 0 or -EINVAL (not an INVITE, missing
 * headers); *out owned. */
int sip_msg_cancel(const sip_msg *invite, sip_msg **out);
/* "calling", "trying" ... */
const char *sip_txn_state_name(sip_txn_state s);
/* The live client transaction request req (borrowed) belongs to, by its top Via branch and
 * CSeq method (§17.1.3), or 0 (an ACK, a response, no RFC 3261 branch, none live): how a
 * driver that could not send a message finds whom to tell (sip_txns_transport_error). */
unsigned sip_txns_client_of(const sip_txns *t, const sip_msg *req);
/* The transport could not send buf (a message this layer's outbox gave, §18.4): the live
 * client transaction it belongs to (sip_txns_client_of) fails as with
 * sip_txns_transport_error. Returns 1 when one did, 0 when buf is none's (undecodable, an ACK,
 * a response, none live). */
int sip_txns_transport_error_sent(sip_txns *t, const uint8_t *buf, size_t len);
/* True while a live transaction sends to or answers peer (a connection it still needs). */
bool sip_txns_peer_busy(const sip_txns *t, const sim_ep *peer);

/* ---------------------------------------------------------------- user agent (sip_ua*.c, sip_dialog.c) */

/* A sans-I/O user agent core on top of a sip_txns layer: registration with refresh, digest
 * authentication, calls with an SDP offer in the INVITE (RFC 3264 via sdp_oa), their dialogs
 * (tags, CSeq, route set from Record-Route, remote target from Contact), ACK, BYE, CANCEL,
 * re-INVITE and OPTIONS. Calls are named by ids (from 1, never reused). Where requests go:
 * out-of-dialog requests to cfg.proxy (REGISTER to cfg.registrar when set), in-dialog ones to
 * the first Route entry or the remote target when its host is an IP literal, else cfg.proxy
 * (the core resolves no names). An INVITE may go without an offer (sip_ua_call_offerless): the
 * 2xx then carries it and the ACK the answer; a UAS takes such INVITEs too. In-dialog requests
 * with an old CSeq get 500 (§12.2.2); re-INVITE glare gets 491 and a timed retry (§14). */

typedef struct sdp_oa sdp_oa;
typedef struct sdp_oa_ice sdp_oa_ice;

#define SIP_UA_EDGES_MAX 4 /* outbound flows of one UA (reg-id 1..4) */

typedef struct sip_ua_cfg {
    const char *aor;         /* address of record "sip:bob@mit.edu" (copied; required) */
    const char *display;     /* display name in From (NULL: none) */
    const char *user;        /* digest user name (NULL: the AOR's user part) */
    const char *password;    /* digest password (NULL: challenges fail the request) */
    sim_ep local;            /* our address: Via sent-by, Contact, SDP c= (required) */
    sim_ep proxy;            /* outbound proxy (port 0: none; then the target must be an IP) */
    sim_ep registrar;        /* where REGISTER goes (port 0: proxy) */
    uint32_t expires;        /* REGISTER Expires asked for (0: 3600) */
    bool rport;              /* add ;rport to our Via (RFC 3581) */
    uint16_t rtp_port;       /* first RTP port of our streams (0: 40000), two per stream */
    bool tcp;                /* RFC 3261 §18: our requests go over TCP (Via SIP/2.0/TCP,
                                Contact ;transport=tcp, reliable transactions) */
    sip_txn_cfg txn;         /* timers */
    bool outbound;           /* RFC 5626: Contact with +sip.instance and reg-id=1, Supported:
                                outbound, path; keep-alives on the flow (sip_ua_ob.c); implies
                                rport */
    uint32_t keepalive;      /* outbound keep-alive interval in s (0: 80-100% of the 200 OK's
                                Flow-Timer, else 95-120 s random, RFC 5626 §4.4.1) */
    bool no_keepalive;       /* outbound without keep-alives (to show what they are for) */
    sim_ip local6;           /* dual stack (RFC 6157): our IPv6 address (port of local) for
                                the Via of requests to IPv6 next hops; family NONE: none.
                                Contact and SDP stay on local */
    sim_ep edges[SIP_UA_EDGES_MAX]; /* outbound: flow i+1 (reg-id i+1) goes through edges[i]
                                (RFC 5626 §4.2, §5); n_edges 0: one flow to registrar */
    size_t n_edges;
    sim_time_t keepalive_rto; /* STUN keep-alive RTO (RFC 5389 §7.2.1; 0: 500 ms): resent
                                after RTO, 2 RTO, 4 RTO ... (at most 7 sends) within 10 s */
} sip_ua_cfg;

typedef enum sip_call_state {
    SIP_CALL_CALLING,    /* our INVITE is out, no provisional yet */
    SIP_CALL_EARLY,      /* a provisional arrived (outgoing), or we rang (incoming) */
    SIP_CALL_INCOMING,   /* an INVITE arrived, not answered yet */
    SIP_CALL_CONFIRMED,  /* 2xx sent or received */
    SIP_CALL_ENDED,      /* BYE, CANCEL, failure */
} sip_call_state;

typedef enum sip_ua_ev_kind {
    SIP_UA_EV_REGISTERED,  /* a REGISTER got 2xx: status, expires granted (0: unregistered) */
    SIP_UA_EV_REG_FAILED,  /* a REGISTER failed: status (408 on timeout) */
    SIP_UA_EV_INCOMING,    /* a new call: call */
    SIP_UA_EV_PROGRESS,    /* a 1xx (>100) for our INVITE: call, status */
    SIP_UA_EV_ANSWERED,    /* our INVITE got a 2xx (ACK sent; media negotiated): call */
    SIP_UA_EV_CONFIRMED,   /* the ACK for our 2xx arrived: call */
    SIP_UA_EV_MEDIA,       /* a re-INVITE changed the media: call */
    SIP_UA_EV_ENDED,       /* the call is over: call, status (the final error, 487, or 200 for
                              a BYE) and by_remote */
    SIP_UA_EV_OPTIONS,     /* an OPTIONS we sent was answered: status */
} sip_ua_ev_kind;

typedef struct sip_ua_ev {
    sip_ua_ev_kind kind;
    unsigned call;
    unsigned status;
    uint32_t expires;
    bool by_remote;
} sip_ua_ev;

typedef struct sip_ua_stats {
    uint64_t rx, bad, rejected, auth_retries, registrations;
    uint64_t dropped; /* bad or rejected and not answered: responses, ACKs, not requests */
    uint64_t keepalives, keepalive_answers, flow_failures; /* RFC 5626 §4.4 */
    uint64_t auth_reused; /* credentials sent before being asked (cached nonce, nc > 1) */
    uint64_t keepalive_rtx;  /* STUN keep-alive retransmissions (RFC 5389 §7.2.1) */
    uint64_t out_of_order; /* in-dialog requests with an old CSeq, answered 500 (§12.2.2) */
    uint64_t glare;        /* re-INVITEs answered 491 while ours was pending (§14.2) */
} sip_ua_stats;

typedef struct sip_ua sip_ua;

/* Creates a UA core (cfg copied; rng borrowed: tags, Call-IDs, branches, SDP ids). Returns
 * owned, or NULL when cfg->aor is not a sip: URI with a user or cfg->local is unset. */
sip_ua *sip_ua_new(const sip_ua_cfg *cfg, sim_rng *rng);
/* Frees the core and its calls. NULL-safe. */
void sip_ua_free(sip_ua *ua);
/* Sends REGISTER for cfg.aor with expires seconds (0 removes our binding); on 2xx the core
 * refreshes before the granted expiry (half of it, at most 32 s before). Returns 0 or -EBUSY
 * (a REGISTER is already in progress). */
int sip_ua_register(sip_ua *ua, sim_time_t now, uint32_t expires);
/* Calls target (a SIP URI, copied) with an audio offer. *call names the call. Returns 0,
 * -EINVAL (not a SIP URI), -EHOSTUNREACH (no proxy and the host is not an IP literal). */
int sip_ua_call(sip_ua *ua, sim_time_t now, const char *target, unsigned *call);
/* sip_ua_call with RFC 8839 ICE in the offer's audio stream (ice copied; NULL: none): the
 * caller gathered the candidates; the answer's are in sdp_oa_remote(sip_ua_call_media()).
 * Returns what sip_ua_call returns. */
int sip_ua_call_ice(sip_ua *ua, sim_time_t now, const char *target, const sdp_oa_ice *ice,
                    unsigned *call);
/* sip_ua_call without an offer (RFC 3261 §13.2.1, RFC 3264 §5): the INVITE has no body, the
 * callee's 2xx carries the offer and our ACK the answer (no answer possible: ACK without a
 * body, then BYE). Returns what sip_ua_call returns. */
int sip_ua_call_offerless(sip_ua *ua, sim_time_t now, const char *target, unsigned *call);
/* Sets the ICE description (copied; NULL: none) of the call's first stream for its next offer
 * or answer (an incoming call: before sip_ua_answer). Returns 0, -ENOENT or -EINVAL. */
int sip_ua_set_ice(sip_ua *ua, unsigned call, const sdp_oa_ice *ice);
/* Incoming call: sends 180 Ringing. Returns 0, -ENOENT (no such call), -EPROTO (wrong state). */
int sip_ua_ring(sip_ua *ua, sim_time_t now, unsigned call);
/* Incoming call: answers 200 OK with the SDP answer (retransmitted until the ACK, §13.3.1.4).
 * Returns 0, -ENOENT, -EPROTO (wrong state), -EBADMSG (the offer is not usable SDP: a 488 was
 * sent instead). */
int sip_ua_answer(sip_ua *ua, sim_time_t now, unsigned call);
/* Incoming call: rejects it with status 300..699 (486 Busy Here …). 0, -ENOENT, -EPROTO,
 * -EINVAL (bad status). */
int sip_ua_reject(sip_ua *ua, sim_time_t now, unsigned call, unsigned status);
/* Ends a call: BYE when confirmed, CANCEL while ours is ringing (sent once a provisional
 * arrived, §9.1), 480 for an unanswered incoming one. 0, -ENOENT, -EPROTO (already ended). */
int sip_ua_hangup(sip_ua *ua, sim_time_t now, unsigned call);
/* Adds a local media stream ("audio", "video" …) for the next re-INVITE. Returns the stream
 * index, -ENOENT, -ENOSPC. */
int sip_ua_add_stream(sip_ua *ua, unsigned call, const char *media);
/* Removes stream idx from the next re-INVITE (port 0). 0, -ENOENT, -EINVAL. */
int sip_ua_remove_stream(sip_ua *ua, unsigned call, unsigned idx);
/* Sends a re-INVITE with a new offer on a confirmed call; a 491 (glare, §14.1) sends it again
 * after 2.1-4 s (we placed the call) or 0-2 s (we took it). 0, -ENOENT, -EPROTO (not
 * confirmed, or a re-INVITE is pending or waiting to be retried). */
int sip_ua_reinvite(sip_ua *ua, sim_time_t now, unsigned call);
/* Sends OPTIONS to target (a SIP URI). 0, -EINVAL, -EHOSTUNREACH. */
int sip_ua_options(sip_ua *ua, sim_time_t now, const char *target);
/* One datagram from `from`. Malformed messages are counted in bad; requests among them whose
 * request line, top Via, From, To, Call-ID and CSeq can be read or repaired get 400 (505,
 * 413) with the reason (sip_msg_reject_bytes); requests that fail validation are counted in
 * rejected and get 400 (416, 501) with the reason; what is not answered (responses, ACKs,
 * not a request) is also counted in dropped. Returns 0 or -EBADMSG (did not decode). */
int sip_ua_input(sip_ua *ua, sim_time_t now, const sim_ep *from, const uint8_t *buf, size_t len);
/* Fires what is due: transaction timers, 2xx retransmissions, registration refresh. */
void sip_ua_timeout(sip_ua *ua, sim_time_t now);
/* The earliest deadline, or SIM_TIME_NEVER. */
sim_time_t sip_ua_next_deadline(const sip_ua *ua);
/* Pops the next datagram to send; false when none. */
bool sip_ua_pop(sip_ua *ua, sip_out *out);
/* Pops the next event; false when none. */
bool sip_ua_event(sip_ua *ua, sip_ua_ev *ev);
/* The state of a call. 0 or -ENOENT. */
int sip_ua_call_state(const sip_ua *ua, unsigned call, sip_call_state *state);
/* The call's offer/answer state (streams: remote RTP endpoint, local port, codec), borrowed
 * until the call is forgotten; NULL for an unknown call. */
const sdp_oa *sip_ua_call_media(const sip_ua *ua, unsigned call);
/* The remote party of a call (its From or To value, borrowed), or NULL. */
const char *sip_ua_call_peer(const sip_ua *ua, unsigned call);
/* Frees an ended call. */
void sip_ua_forget(sip_ua *ua, unsigned call);
/* Counters (borrowed). */
const sip_ua_stats *sip_ua_get_stats(const sip_ua *ua);
/* "calling", "early" … */
const char *sip_call_state_name(sip_call_state s);
/* The transport could not send buf (a message the core queued, borrowed): when it is a request
 * of a live client transaction, that transaction fails (§8.1.3.1: the UA treats it as 503;
 * a call ends at once). Returns 1 when a transaction was told, 0 otherwise (a response, an
 * ACK, a retransmitted 2xx: the message is simply lost). */
int sip_ua_transport_error(sip_ua *ua, sim_time_t now, const uint8_t *buf, size_t len);
/* True while a transaction of the UA still sends to or answers peer, or RFC 5626
 * keep-alives hold a flow to it. */
bool sip_ua_peer_busy(const sip_ua *ua, const sim_ep *peer);

/* ---------------------------------------------------------------- location service (sip_registrar.c) */

/* Address-of-record -> contact bindings with expiry (RFC 3261 §10). AORs are "user@host" with
 * the host in lower case; contacts are kept in the order they were first registered. */
typedef struct sip_location sip_location;

/* An empty location service. Returns owned. */
sip_location *sip_location_new(void);
/* Frees it. NULL-safe. */
void sip_location_free(sip_location *l);
/* Adds or refreshes contact (a URI, copied) for aor until expires_at; source is the flow the
 * REGISTER came through (borrowed; NULL: none known, requests go to the contact itself). */
void sip_location_bind(sip_location *l, const char *aor, const char *contact,
                       sim_time_t expires_at, const sim_ep *source);
/* RFC 3327 Path and RFC 5626 instance / reg-id of a binding (strings borrowed). */
typedef struct sip_binding_ob {
    const char *path;     /* the Path vector as one comma list of name-addrs, or NULL */
    const char *instance; /* +sip.instance value, or NULL */
    uint32_t reg_id;      /* reg-id (0: none) */
} sip_binding_ob;

/* sip_location_bind with a Path vector and an outbound identity (ob copied; NULL: none). An
 * outbound binding is keyed by instance and reg-id (RFC 5626 §6): the same flow under another
 * contact is replaced, two flows with one contact are two bindings. */
void sip_location_bind_ob(sip_location *l, const char *aor, const char *contact,
                          sim_time_t expires_at, const sim_ep *source, const sip_binding_ob *ob);
/* The stored Path of a live binding of contact of aor (NULL: any AOR, sorted order), borrowed
 * until the next change; NULL when there is none. */
const char *sip_location_path(sip_location *l, const char *aor, const char *contact,
                              sim_time_t now);
/* The flow recorded for a live binding of contact (RFC 5626-lite: the source address:port of
 * the REGISTER that carried rport) of aor (NULL: any AOR, in sorted AOR order) into *flow.
 * Returns 0, or -ENOENT (no such binding, or it was registered without rport). */
int sip_location_flow(sip_location *l, const char *aor, const char *contact, sim_time_t now,
                      sim_ep *flow);
/* Removes one binding (contact NULL: all of aor). Returns how many were removed. */
size_t sip_location_unbind(sip_location *l, const char *aor, const char *contact);
/* The live contacts of aor at now, appended to out (char *, borrowed until the next change),
 * with their expiry into exp (sim_time_t, may be NULL). Returns how many. */
size_t sip_location_lookup(sip_location *l, const char *aor, sim_time_t now, GPtrArray *out,
                           GArray *exp);
/* One binding as sip_location_bindings lists it (strings borrowed until the next change). */
typedef struct sip_location_binding {
    const char *contact;
    const char *path;     /* RFC 3327 Path vector, or NULL */
    const char *instance; /* RFC 5626 +sip.instance, or NULL */
    uint32_t reg_id;      /* RFC 5626 reg-id (0: not an outbound flow) */
    sim_time_t expires_at;
    uint64_t seq;         /* registration order: larger is more recently registered */
} sip_location_binding;
/* The live bindings of aor at now, in the order first registered, appended to out (GArray of
 * sip_location_binding). Returns how many. */
size_t sip_location_bindings(sip_location *l, const char *aor, sim_time_t now, GArray *out);
/* Removes the binding a registration of contact with identity ob names: for an outbound
 * one (instance and reg-id) only that flow, else every binding of contact (as
 * sip_location_unbind). Returns how many were removed. */
size_t sip_location_unbind_ob(sip_location *l, const char *aor, const char *contact,
                              const sip_binding_ob *ob);
/* Live bindings in total. */
size_t sip_location_count(sip_location *l, sim_time_t now);
/* The AOR of a sip: URI ("user@host", host lower-cased) into out. 0 or -EINVAL (no user, not
 * sip:/sips:, too long). */
int sip_aor_of(const sip_uri *u, char *out, size_t cap);

/* ---------------------------------------------------------------- RFC 3263 server location (sip_locate.c) */

/* Finding the servers of a SIP URI (RFC 3263 §4), sans-I/O: the caller asks sip_locate_next
 * what to look up, feeds each dns_result, and reads the ordered list of targets when done.
 *  - §4.1 transport: the URI's `transport` parameter (udp/tcp) wins; a numeric IP or an explicit
 *    port means no NAPTR and no SRV; otherwise NAPTR of the domain: the records with flag "s"
 *    and a service we support (SIP+D2U, SIP+D2T; SIPS/D2S and others are skipped) by order,
 *    then preference, each giving an SRV name and a transport; without usable NAPTR, SRV
 *    _sip._udp and _sip._tcp (TCP first when the client prefers it).
 *  - RFC 2782 SRV order: lowest priority first; within a priority a weighted random draw
 *    (weight 0 records first in the list, as RFC 2782 asks) from the rng handed in; "." as
 *    the only target means no service.
 *  - §4.2 addresses: for each SRV target in that order, A then AAAA; a target's IPv4 addresses
 *    come before its IPv6 ones. With no SRV record at all: the domain's own A/AAAA, port 5060
 *    (or the URI's), UDP (TCP when the client prefers it; the URI's transport when named).
 *  - §4.3: every address found is a target, in order: the caller tries the next one after a
 *    timeout, a transport error or a 503. */
#define SIP_LOCATE_MAX 16     /* targets (and SRV target hosts) kept */
#define SIP_LOCATE_SRV_MAX 4  /* SRV names queried (NAPTR records or transports) */

typedef enum sip_locate_step {
    SIP_LOCATE_NAPTR, SIP_LOCATE_SRV, SIP_LOCATE_A, SIP_LOCATE_DONE, SIP_LOCATE_FAILED,
} sip_locate_step;

/* One place to send to: address, port and transport. */
typedef struct sip_target {
    sim_ep ep;
    bool tcp;
} sip_target;

typedef struct sip_locate_host {
    dns_name name;
    uint16_t port;
    bool tcp;
} sip_locate_host;

typedef struct sip_locate {
    sip_locate_step step;
    dns_name domain;
    sim_rng *rng;               /* borrowed: RFC 2782 draw (NULL: answer order in a priority) */
    int transport;              /* the URI's: -1 none, 0 UDP, 1 TCP */
    bool prefer_tcp;            /* the client's preference when nothing else decides */
    sip_locate_host srv[SIP_LOCATE_SRV_MAX]; /* SRV names to query (port unused) */
    unsigned n_srv, i_srv;
    sip_locate_host host[SIP_LOCATE_MAX];    /* names to resolve, in order */
    unsigned n_host, i_host;
    bool aaaa;                  /* host[i_host]'s A is done, its AAAA is next */
    sip_target target[SIP_LOCATE_MAX];
    unsigned n_target;
    bool tcp;                   /* the first target's transport */
    sim_ep result;              /* the first target */
    bool no_service;            /* an SRV answer was only "." (RFC 2782: decidedly not there) */
} sip_locate;

/* Starts locating host name domain (no port, no transport, UDP preferred, no rng). Returns 0
 * or -EINVAL (not a valid name). */
int sip_locate_init(sip_locate *l, const char *domain);
/* Starts locating the next hop uri (a sip: URI, NUL-terminated): its host, port and transport
 * parameter decide the steps (§4.1); an IP literal is done at once. prefer_tcp orders the SRV
 * queries without NAPTR and picks the fallback transport; rng (borrowed, may be NULL) draws
 * among SRV weights. Returns 0 or -EINVAL (not a SIP URI, bad host, transport not udp/tcp). */
int sip_locate_init_uri(sip_locate *l, const char *uri, bool prefer_tcp, sim_rng *rng);
/* The next lookup (name, type) to make; false when done or failed. */
bool sip_locate_next(const sip_locate *l, dns_name *name, uint16_t *type);
/* Feeds the result of that lookup (borrowed). */
void sip_locate_feed(sip_locate *l, const dns_result *r);
/* 0 with *ep set to the first target when done, -EAGAIN while lookups remain, -EHOSTUNREACH
 * when nothing was found. */
int sip_locate_result(const sip_locate *l, sim_ep *ep);
/* The targets found, in the order to try them (borrowed from l; 0 until done). */
size_t sip_locate_targets(const sip_locate *l, const sip_target **t);
/* RFC 2782 order of the usable SRV records in rrs (borrowed; other types and "." targets are
 * skipped) into out[0..cap) as pointers into rrs, drawing from rng (NULL: answer order within
 * a priority). Returns how many were written. */
size_t sip_locate_srv_order(const GArray *rrs, sim_rng *rng, const dns_rr **out, size_t cap);

/* ---------------------------------------------------------------- server: registrar, proxy, redirect (sip_server.c, sip_fork.c) */

/* A SIP server core for one domain, sans-I/O, combining what cfg asks for: a registrar (REGISTER
 * for the domain fills the location service; digest challenge 401 when users are configured),
 * a stateful proxy (RFC 3261 §16: Max-Forwards, loop detection by a hash in the branch,
 * Record-Route, loose routing, forking to every contact in parallel, first 2xx wins and the
 * other branches are CANCELled, best response §16.7; Timer C on every INVITE branch, §16.8;
 * with cfg.authenticate a 407 digest challenge for the domain's own users, §22.3; other
 * domains are located through sip_server_lookup_pop / sip_server_located, which the driver
 * answers by RFC 3263), or a redirect server (302 with the contacts). */
typedef struct sip_server_cfg {
    const char *domain;        /* the domain we serve ("mit.edu"; copied) */
    sim_ep self;               /* our address: Via sent-by, Record-Route */
    bool registrar;            /* accept REGISTER for domain */
    bool redirect;             /* answer 302 instead of proxying to registered contacts */
    bool record_route;         /* proxy: stay on the path of dialogs */
    const char *const *users;  /* digest users (NULL-terminated; NULL: no authentication) */
    const char *const *passwords; /* their passwords, same order */
    sip_location *location;    /* shared location service (borrowed; NULL: the core's own),
                                  e.g. proxy.mit.edu reading what registrar.mit.edu stored */
    uint32_t default_expires;  /* registrar: when the REGISTER names none (0: 3600) */
    uint32_t max_expires;      /* registrar: cap (0: 7200) */
    bool tcp;                  /* §18: requests we send or forward go over TCP (Via
                                  SIP/2.0/TCP, reliable transactions) */
    sip_txn_cfg txn;
    bool outbound;             /* edge proxy (RFC 5626 §5, RFC 3327): a REGISTER it forwards
                                  gets Path <sip:TOKEN@self;lr;ob> naming the flow it came on;
                                  a request whose top Route is such a URI of ours goes over
                                  that flow, or is answered 430 when the flow is gone */
    bool force_path;           /* outbound: add Path even without Supported: path */
    uint32_t flow_timeout;     /* outbound: a UDP flow silent this long (s) is gone; 0: never */
    uint32_t flow_timer;       /* registrar: Flow-Timer (s) in the 2xx to an outbound REGISTER
                                  (RFC 5626 §6); edge: added to such a 2xx that has none
                                  (§5.4); 0: none */
    sim_time_t timer_c;        /* proxy: Timer C of every INVITE branch (§16.6 step 11,
                                  §16.8; 0: SIP_TIMER_C) */
    bool authenticate;         /* proxy: requests from users of domain that it would forward
                                  need Proxy-Authorization of a configured user (407, §22.3) */
    sim_ip self6;              /* dual stack (RFC 6157): our IPv6 address (port of self): Via
                                  and Record-Route towards IPv6 peers, Route entries naming it
                                  are ours; family NONE: none */
} sip_server_cfg;

#define SIP_TIMER_C (180 * SIM_SEC) /* §16.6 step 11: "greater than 3 minutes" */

typedef struct sip_server_stats {
    uint64_t rx, bad, rejected, registers, challenges, forwarded, forks, cancels, loops,
        lookups, redirects, stateless, via_flow;
    uint64_t failovers;        /* RFC 3263 §4.3: branches sent again to the next target */
    uint64_t dropped; /* bad or rejected and not answered: responses, ACKs, not requests */
    uint64_t via_path, via_token, flow_failed, keepalives; /* RFC 3327 / RFC 5626 */
    uint64_t timer_c,          /* Timer C fired on a branch (§16.8) */
        proxy_challenges;      /* 407 sent (§22.3) */
    uint64_t flow_retries;     /* RFC 5626 §7: branches sent again over the instance's next
                                  flow after a 430 or a timeout */
} sip_server_stats;

typedef struct sip_server sip_server;

/* Creates a server core (cfg and its strings copied; rng borrowed: branches, tags, nonces).
 * Returns owned, or NULL when domain or self is unset or users and passwords do not pair. */
sip_server *sip_server_new(const sip_server_cfg *cfg, sim_rng *rng);
/* Frees it. NULL-safe. */
void sip_server_free(sip_server *s);
/* One datagram from `from`. Returns 0 or -EBADMSG (did not decode: answered 400 / 505 with
 * the reason when sip_msg_reject_bytes can, else dropped and counted in stats.dropped). */
int sip_server_input(sip_server *s, sim_time_t now, const sim_ep *from, const uint8_t *buf,
                     size_t len);
/* Fires what is due. */
void sip_server_timeout(sip_server *s, sim_time_t now);
/* The earliest deadline, or SIM_TIME_NEVER. */
sim_time_t sip_server_next_deadline(const sip_server *s);
/* Pops the next datagram to send; false when none. */
bool sip_server_pop(sip_server *s, sip_out *out);
/* Pops the next domain to locate (copied into host, cap bytes) with its id; false if none. */
bool sip_server_lookup_pop(sip_server *s, unsigned *id, char *host, size_t cap);
/* The answer for lookup id: err 0 with ep, or a negative code (the branch answers 503). */
void sip_server_located(sip_server *s, sim_time_t now, unsigned id, int err, const sim_ep *ep);
/* The same, with the transport RFC 3263 chose (sip_locate.tcp): true sends the branch over TCP
 * (its Via says SIP/2.0/TCP) unless its next-hop URI names a transport. */
void sip_server_located_over(sip_server *s, sim_time_t now, unsigned id, int err,
                             const sim_ep *ep, bool tcp);
/* Pops the next lookup like sip_server_lookup_pop, with the whole next-hop URI (copied into
 * uri, cap bytes; the top Route's, else the Request-URI) and the transport the server
 * prefers (its cfg.tcp), for sip_locate_init_uri. False if none. */
bool sip_server_lookup_pop_uri(sip_server *s, unsigned *id, char *uri, size_t cap,
                               bool *prefer_tcp);
/* The answer for lookup id as RFC 3263's ordered list t[0..n) (copied): the branch goes to
 * t[0] over its transport (unless the next-hop URI names one) and, after a timeout, a
 * transport error or a 503 (§4.3), to the next target with a new branch. err < 0 or n == 0:
 * the branch answers 503. */
void sip_server_located_list(sip_server *s, sim_time_t now, unsigned id, int err,
                             const sip_target *t, size_t n);
/* The location service (borrowed). */
sip_location *sip_server_location(sip_server *s);
/* A keep-alive (STUN Binding, CRLF) arrived from `from`: an edge proxy's flow is alive. */
void sip_server_keepalive(sip_server *s, sim_time_t now, const sim_ep *from);
/* The TCP connection to peer ended: an edge proxy's TCP flow there is gone (430 from now). */
void sip_server_flow_closed(sip_server *s, const sim_ep *peer);

/* -------------------------------------------------- outbound (sip_outbound.c, sip_ua_ob.c) */

/* RFC 5626 §5.2 flow tokens: hex(flags | address | port | HMAC-SHA1(key, flags | address |
 * port) truncated to 10 bytes); flags bit 0: TCP, bit 1: IPv6. */
#define SIP_FLOW_KEY_LEN 20
#define SIP_FLOW_TOKEN_MAX 72

/* Writes the token of flow (tcp, ep) under key into out (cap >= SIP_FLOW_TOKEN_MAX). Returns
 * 0, -EINVAL (no address family), -ENOSPC. */
int sip_flow_token_encode(const uint8_t key[SIP_FLOW_KEY_LEN], bool tcp, const sim_ep *ep,
                          char *out, size_t cap);
/* Reads a token (tok borrowed). Returns 0 with *tcp and *ep, -EBADMSG (not hex, wrong
 * length or flags) or -EACCES (the HMAC does not match: forged or another proxy's). */
int sip_flow_token_decode(const uint8_t key[SIP_FLOW_KEY_LEN], sip_str tok, bool *tcp,
                          sim_ep *ep);
/* True when a datagram on the SIP port is STUN (RFC 5626 §8 / RFC 7983: the first byte is 0
 * or 1; SIP starts with a letter or CRLF). */
bool sip_is_stun(const uint8_t *buf, size_t len);
/* The answer to a STUN Binding request keep-alive (RFC 5626 §4.4.2) from `from`: a success
 * response with XOR-MAPPED-ADDRESS into out. Returns 0 with *out_len, -EBADMSG (not a
 * Binding request), -ENOSPC. */
int sip_stun_keepalive_answer(const uint8_t *req, size_t len, const sim_ep *from,
                              uint8_t *out, size_t cap, size_t *out_len);
/* A STUN datagram for an outbound UA (the answer to its keep-alive). Returns 0, -EBADMSG (not
 * STUN), -ENOENT (not the answer to our keep-alive). */
int sip_ua_keepalive_input(sip_ua *ua, sim_time_t now, const sim_ep *from, const uint8_t *buf,
                           size_t len);
/* An outbound UA's TCP flow to peer: a CRLF pong arrived (closed false), or the connection
 * ended (closed true: the flow failed, the UA registers again). Others are ignored. */
void sip_ua_flow_event(sip_ua *ua, sim_time_t now, const sim_ep *peer, bool closed);
/* Counters (borrowed). */
const sip_server_stats *sip_server_get_stats(const sip_server *s);
/* The transport could not send buf (borrowed): when it is a request of a live client
 * transaction (a branch), that branch fails as a 503 (§16.9). Returns 1 when a
 * transaction was told, 0 otherwise (a response or stateless forward is simply lost). */
int sip_server_transport_error(sip_server *s, sim_time_t now, const uint8_t *buf, size_t len);
/* True while a transaction of the server still sends to or answers peer. */
bool sip_server_peer_busy(const sip_server *s, const sim_ep *peer);

/* ---------------------------------------------------------------- driver (sip_sim.c) */

#define SIP_REF_KIND 0x534950 /* "SIP" */
#define SIP_PORT 5060

typedef struct sip_app sip_app;
/* Called after every input, timeout or kick of the app's core. */
typedef void (*sip_app_notify_fn)(sip_app *a, void *ctx);

/* Starts a UA on node n, UDP and TCP port cfg->local.port (RFC 3261 §18: a message goes over
 * the open TCP connection to its destination when there is one, over a new connection when
 * its top Via says TCP, else over UDP; TCP streams are framed by Content-Length). On a node
 * with an address of the other family (a global IPv6 one) it listens there too and sends over
 * the destination's family. Returns world-owned (freed with the world
 * or sip_app_free), or NULL with err set (bad cfg, port in use). */
sip_app *sip_app_ua(sim_node *n, const sip_ua_cfg *cfg, GError **err);
/* Starts a server (registrar / proxy / redirect) on node n, UDP port cfg->self.port, with a
 * stub resolver asking dns_server for RFC 3263 lookups (NULL or port 0: other domains are
 * unreachable, 503). Returns world-owned, or NULL with err set. */
sip_app *sip_app_server(sim_node *n, const sip_server_cfg *cfg, const sim_ep *dns_server,
                        GError **err);
/* Stops the app (socket, timer, core, resolver); its handle goes stale. NULL-safe. */
void sip_app_free(sip_app *a);
/* Sends what the core queued, starts lookups, re-arms the timer, notifies: call after calling
 * into the core. */
void sip_app_kick(sip_app *a);
/* The cores (NULL when the app is of the other kind or stopped). */
sip_ua *sip_app_ua_core(sip_app *a);
sip_server *sip_app_server_core(sip_app *a);
/* The node and the world handle (kind SIP_REF_KIND). */
sim_node *sip_app_node(sip_app *a);
sim_ref sip_app_ref(sip_app *a);
/* Open SIP-over-TCP connections (accepted or opened by the app). */
size_t sip_app_tcp_conns(sip_app *a);
/* Installs the notify callback. */
void sip_app_on_notify(sip_app *a, sip_app_notify_fn fn, void *ctx);
#define SIP_TCP_IDLE_DEFAULT (120 * SIM_SEC) /* see docs/protocols/sip.md, "Transports" */
/* Idle TCP connections: one the app opened is closed (FIN, "tcp-close" reason "idle") after
 * `idle` without a message and without a transaction using its peer (default 120 s); one it
 * accepted is left to the peer, up to max(idle, 7232 s). 0: never closed for idleness. */
void sip_app_set_tcp_idle(sip_app *a, sim_time_t idle);
/* The node's first global (not link-local) IPv6 address into *out. Returns false if none. */
bool sip_node_global6(const sim_node *n, sim_ip *out);
/* Messages TCP could not send (the connection failed to open or ended first) that no client
 * transaction was told of: responses, ACKs, stateless forwards. */
uint64_t sip_app_tcp_lost(sip_app *a);

/* ---------------------------------------------------------------- Lua (sip_lua.c) */

/* Opens module `sip` (sip.registrar, sip.proxy, sip.redirect, sip.ua). */
int sip_lua_open(lua_State *L);

#endif /* PROTOCOLS_SIP_SIP_AGENTS_H */
