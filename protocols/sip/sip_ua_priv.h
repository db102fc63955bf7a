/* protocols/sip/sip_ua_priv.h — internals of the user agent core shared by sip_dialog.c,
 * sip_ua.c and sip_ua_call.c: the dialog (RFC 3261 §12), the call and the UA itself. */
#ifndef PROTOCOLS_SIP_SIP_UA_PRIV_H
#define PROTOCOLS_SIP_SIP_UA_PRIV_H

#include "protocols/sdp/sdp.h"
#include "protocols/sip/sip_priv.h"

/* A dialog (§12): everything is an owned copy. */
typedef struct sip_dialog {
    char *call_id;
    char *local_tag, *remote_tag;
    char *local_uri, *remote_uri; /* From / To values without a tag ("Bob <sip:bob@mit.edu>") */
    uint32_t local_cseq, remote_cseq;
    char *remote_target;          /* Contact URI of the peer */
    GPtrArray *route_set;         /* char * Route values, in the order to send them */
} sip_dialog;

/* The dialog a UAC gets from its request and a response with a To tag (§12.1.2): route set from
 * Record-Route reversed, remote target from Contact. Returns owned, or NULL when headers are
 * missing. */
sip_dialog *sip_dialog_uac(const sip_msg *req, const sip_msg *resp);
/* The dialog a UAS gets from a request it answers with local_tag (§12.1.1). Owned or NULL. */
sip_dialog *sip_dialog_uas(const sip_msg *req, const char *local_tag);
/* Frees a dialog. NULL-safe. */
void sip_dialog_free(sip_dialog *d);
/* True when request m belongs to d (§12.2.2: Call-ID, To tag = ours, From tag = theirs). */
bool sip_dialog_matches(const sip_dialog *d, const sip_msg *m);
/* A request inside d (§12.2.1.1): Request-URI the remote target, Route the route set, From /
 * To with tags, Call-ID, CSeq (cseq 0: the next local number), Max-Forwards 70, no Via.
 * Returns owned, or NULL (cannot build: the remote target is not a valid URI). */
sip_msg *sip_dialog_request(sip_dialog *d, const char *method, uint32_t cseq);
/* The URI the next in-dialog request is sent to: the first Route entry, else the remote
 * target (borrowed from d; a Route value may be in <>). */
const char *sip_dialog_next_hop(const sip_dialog *d);

/* One call (an INVITE dialog usage). */
typedef struct sip_call {
    unsigned id;
    bool outgoing;
    sip_call_state state;
    char *peer;              /* remote From / To value */
    char *local_tag;
    sip_dialog *dlg;         /* NULL until a response with a To tag (UAC) or answered (UAS) */
    sdp_oa *oa;
    sim_ep dest;             /* where our out-of-dialog INVITE went */
    unsigned invite_txn;     /* our INVITE's client transaction, or the incoming one's server
                                transaction */
    sip_msg *invite;         /* incoming: the INVITE (owned); outgoing: unused */
    sip_msg *ack;            /* outgoing: the ACK for the 2xx (resent on 2xx retransmissions) */
    sip_msg *ok;             /* incoming: our 2xx, retransmitted until the ACK */
    sim_time_t ok_at, ok_iv, ok_until;
    bool cancel_pending;     /* hangup before any provisional: CANCEL on the first one */
    bool reinvite_pending;   /* a re-INVITE of ours is out */
    unsigned bye_txn, cancel_txn, reinvite_txn;
    bool provisional;        /* outgoing: some 1xx arrived (a CANCEL may be sent) */
    bool reported;           /* SIP_UA_EV_ENDED was queued */
    bool acked;              /* incoming: the ACK for our 2xx arrived */
    unsigned auth_tries;
    unsigned redirects;      /* 3xx followed (at most 3) */
    /* sip_ua_reinvite.c: glare (§14.1) and offerless INVITEs (RFC 3264 §5) */
    bool reinvite_retry;     /* a 491 answered our re-INVITE: it goes again at reinvite_at */
    sim_time_t reinvite_at;
    bool late_offer;         /* outgoing: our INVITE had no offer, the 2xx brings it (answer
                                in the ACK); incoming: our 2xx carries the offer, the ACK
                                brings the answer */
    bool late_reinvite;      /* incoming late_offer for a re-INVITE: MEDIA at the ACK */
} sip_call;

/* The UA. */
struct sip_ua {
    sip_ua_cfg cfg;
    char *aor, *user, *password, *display, *domain, *contact;
    sim_rng *rng;
    sip_txns *txns;
    GPtrArray *calls;         /* sip_call *, creation order */
    unsigned next_call;
    GQueue events;            /* sip_ua_ev * */
    /* registration */
    char *reg_call_id, *reg_tag;
    uint32_t reg_cseq;
    unsigned reg_txn;
    sim_ep reg_dest;
    uint32_t reg_expires;     /* asked for by the pending REGISTER */
    sim_time_t reg_refresh;   /* SIM_TIME_NEVER when none */
    unsigned reg_auth_tries;
    unsigned options_txn;
    uint32_t ood_cseq;        /* CSeq of out-of-dialog requests other than REGISTER */
    sip_ua_stats stats;
    struct sip_ua_ob *ob;     /* RFC 5626 state (sip_ua_ob.c); NULL unless cfg.outbound */
    GPtrArray *creds;         /* cached challenges (sip_ua_auth.c), NULL until the first */
};

#define UA_AUTH_TRIES 3 /* retries per request: refused credentials fail at once, this only
                           bounds a server that keeps saying stale=true */

/* sip_ua.c */
void sip_ua_emit(sip_ua *ua, sip_ua_ev_kind kind, unsigned call, unsigned status);
/* Pushes our Via (a fresh branch, ;rport per cfg) onto m. 0 or -EINVAL. */
int sip_ua_push_via(sip_ua *ua, sip_msg *m);
/* Adds our top Via (fresh branch, rport per cfg) and sends m on a new client transaction to
 * dest. Returns the transaction id, or 0 on failure. */
unsigned sip_ua_send_request(sip_ua *ua, sim_time_t now, sip_msg *m, const sim_ep *dest);
/* Where a request to uri goes (see sip.h). 0 or -EHOSTUNREACH. */
int sip_ua_route(const sip_ua *ua, const char *uri, sim_ep *dest);
/* A REGISTER (§10.2) for our AOR with call_id, cseq, contact and expires, Supported per
 * outbound, no Via. Returns owned, or NULL (cannot build). */
sip_msg *sip_ua_register_msg(sip_ua *ua, const char *call_id, uint32_t cseq,
                             const char *contact, uint32_t expires);
/* Answers request req on server transaction txn with status (reason NULL: standard), adding
 * our Contact for 2xx to INVITE. Returns 0 or a negative code. */
int sip_ua_reply(sip_ua *ua, sim_time_t now, unsigned txn, const sip_msg *req, unsigned status,
                 const char *to_tag);
/* Copies req's Record-Route lines into resp when it is a 101-299 to an INVITE (§12.1.1). */
void sip_ua_copy_record_route(sip_msg *resp, const sip_msg *req);
sip_call *sip_ua_find_call(const sip_ua *ua, unsigned id);

/* sip_ua_call.c */
/* A response for a client transaction of call c. */
void sip_call_response(sip_ua *ua, sim_time_t now, sip_call *c, unsigned txn, sip_msg *m);
/* A request for the INVITE usage (INVITE, re-INVITE, ACK, BYE, CANCEL) on server
 * transaction txn (0 for an ACK). Takes ownership of m. */
void sip_call_request(sip_ua *ua, sim_time_t now, unsigned txn, sip_msg *m);
/* A client transaction of call c timed out (status 408) or failed in the transport (503,
 * §8.1.3.1). */
void sip_call_failed(sip_ua *ua, sim_time_t now, sip_call *c, unsigned txn, unsigned status);
/* 2xx retransmissions due at now. */
void sip_call_timers(sip_ua *ua, sim_time_t now);
void sip_call_free(sip_call *c);
/* The call whose dialog request or response m belongs to (§12.2.2), or NULL. */
sip_call *sip_call_by_dialog(const sip_ua *ua, const sip_msg *m);

/* sip_ua_reinvite.c: CSeq ordering, glare, offerless INVITEs */
/* §12.2.2: a request on server transaction txn inside a dialog of ours (not ACK / CANCEL)
 * with a CSeq below the remote sequence number is answered 500: returns true (m is not to be
 * processed). Otherwise the remote sequence number becomes m's and it returns false. */
bool sip_ua_cseq_check(sip_ua *ua, sim_time_t now, unsigned txn, const sip_msg *m);
/* §14.2: a re-INVITE m for confirmed call c while our re-INVITE is in progress gets 491;
 * while our 2xx to the previous INVITE waits for its ACK, 500 with Retry-After 0-10 s.
 * Returns true when it was answered so. */
bool sip_call_reinvite_busy(sip_ua *ua, sim_time_t now, unsigned txn, sip_call *c,
                            const sip_msg *m);
/* §14.1: our re-INVITE got 491: arms its retry (Call-ID owner 2.1-4 s, else 0-2 s). */
void sip_call_glare(sip_ua *ua, sim_time_t now, sip_call *c);
/* Sends the re-INVITE again when its retry is due at now. */
void sip_call_glare_timer(sip_ua *ua, sim_time_t now, sip_call *c);
/* RFC 3264 §5: appends the offer our 2xx carries when the INVITE had none (one audio stream
 * for a new call). 0 or sdp_oa_offer's code. */
int sip_call_late_offer(sip_ua *ua, sip_call *c, GString *sdp);
/* The ACK for our 2xx that carried an offer: takes the answer in it (MEDIA for a re-INVITE).
 * Returns true when there was none usable and the call was hung up (BYE). */
bool sip_call_late_answer(sip_ua *ua, sim_time_t now, sip_call *c, const sip_msg *ack);
/* Queues SIP_UA_EV_MEDIA for c (by_remote: the peer's re-INVITE changed the media). */
void sip_call_emit_media(sip_ua *ua, sip_call *c, bool by_remote);

/* sip_ua_auth.c: digest credentials, cached per realm (§22.1-§22.3) */
/* If resp is a 401 / 407 we can answer (every realm challenged learnt; none whose credentials
 * the request carried refused without stale=true), an owned copy of the request of txn with
 * the next CSeq and no Via (sip_ua_send_request puts the credentials on); else NULL. */
sip_msg *sip_ua_authorize(sip_ua *ua, unsigned txn, const sip_msg *resp);
/* Puts credentials for every cached realm on m when it is an out-of-dialog request other
 * than ACK / CANCEL (those of m replaced), each with the next nonce-count. */
void sip_ua_auth_attach(sip_ua *ua, sip_msg *m);
/* Frees the cache. */
void sip_ua_auth_free(sip_ua *ua);

/* sip_ua_ob.c: RFC 5626 outbound for the UA */
/* Creates the outbound state (instance UUID from the rng) when cfg.outbound; frees it. */
void sip_ua_ob_init(sip_ua *ua);
void sip_ua_ob_free(sip_ua *ua);
/* The Contact a REGISTER carries (with +sip.instance and reg-id when outbound; borrowed). */
const char *sip_ua_ob_contact(const sip_ua *ua);
/* Adds Supported: outbound, path to a REGISTER when outbound. */
void sip_ua_ob_register(sip_ua *ua, sip_msg *m);
/* A 2xx to our REGISTER granting expires s (0: unregistered): starts or stops keep-alives. */
void sip_ua_ob_registered(sip_ua *ua, sim_time_t now, const sip_msg *resp, uint32_t expires);
/* Keep-alives due at now (a missing answer fails the flow: re-REGISTER). */
void sip_ua_ob_timeout(sip_ua *ua, sim_time_t now);
/* The next keep-alive, or SIM_TIME_NEVER. */
sim_time_t sip_ua_ob_deadline(const sip_ua *ua);
/* Pops a keep-alive datagram. */
bool sip_ua_ob_pop(sip_ua *ua, sip_out *out);
/* True while keep-alives hold a flow to peer (its connection must not be closed as idle). */
bool sip_ua_ob_holds(const sip_ua *ua, const sim_ep *peer);
/* RFC 5626 §4.2, several edges: registers (expires > 0) every other flow that is neither
 * registered nor being registered, or unregisters them all (expires 0). */
void sip_ua_ob_register_flows(sip_ua *ua, sim_time_t now, uint32_t expires);
/* A response (borrowed) on client transaction txn: true when it was a REGISTER of a flow
 * other than the first (handled here). */
bool sip_ua_ob_response(sip_ua *ua, sim_time_t now, unsigned txn, const sip_msg *m);
/* The UA's own REGISTER (flow 1) failed: with outbound and expires > 0, it is sent again
 * after the RFC 5626 §4.5 back-off. */
void sip_ua_ob_reg_failed(sip_ua *ua, sim_time_t now);
/* Client transaction txn failed: true when it was such a REGISTER. */
bool sip_ua_ob_failed(sip_ua *ua, sim_time_t now, unsigned txn);
/* The expiry a 2xx to our REGISTER granted to flow reg_id (§10.2.4 with RFC 5626 §6: the
 * Contact carrying our instance and that reg-id), else Expires, else asked. */
uint32_t sip_ua_ob_granted(const sip_ua *ua, const sip_msg *m, uint32_t reg_id, uint32_t asked);

#endif
