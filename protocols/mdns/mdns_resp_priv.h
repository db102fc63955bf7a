/* protocols/mdns/mdns_resp_priv.h — the responder's state, shared by mdns_responder.c
 * (probing, announcing, conflicts) and mdns_answer.c (answers and goodbyes). */
#ifndef PROTOCOLS_MDNS_MDNS_RESP_PRIV_H
#define PROTOCOLS_MDNS_MDNS_RESP_PRIV_H

#include "protocols/mdns/mdns_priv.h"

/* One of our records. */
typedef struct mdns_rec {
    dns_rr rr;             /* TTL: the one we give out */
    bool unique;           /* unique (cache-flush bit, probed) or shared (PTR) */
    sim_time_t last_mcast; /* when it was last multicast (SIM_TIME_NEVER: never), §5.4 */
} mdns_rec;

/* A unique name we claim and the records at it (and the shared PTRs to it). */
typedef struct mdns_entry {
    bool is_host;
    char *base;            /* the label first asked for */
    char *label;           /* the current label (renamed) */
    char *service;         /* "_printer._tcp" (instances) */
    unsigned suffix;       /* 1, then 2, 3 ... after conflicts */
    uint16_t port;
    GPtrArray *txt;        /* of char *, the TXT strings */
    dns_name name;
    char full[DNS_NAME_STRLEN];
    mdns_state state;
    unsigned sent;         /* probes / announcements sent in this state */
    sim_time_t next;       /* next probe / announcement, or SIM_TIME_NEVER */
    GArray *recs;          /* of mdns_rec */
} mdns_entry;

struct mdns_responder {
    sim_rng *rng;
    GPtrArray *entries;    /* of mdns_entry *: [0] is the host name, then the instances */
    mdns_entry *host;
    GArray *addrs;         /* of sim_ip */
    bool started, stopped;
    GQueue *outbox;        /* of mdns_out * */
    GArray *pend;          /* of dns_rr: the delayed multicast answer (§6, 20-120 ms) */
    sim_time_t pend_at;
    GArray *conflicts;     /* of sim_time_t, the recent conflict times */
    mdns_event_fn ev_fn;
    void *ev_ctx;
    mdns_responder_stats stats;
};

/* "<label>.local" (one label, no dots). Returns 0 or -EINVAL. */
int mdns_host_name(const char *label, dns_name *out);
/* The DNS-SD records of an instance (mdns_sd.c): SRV and TXT at instance, PTR service ->
 * instance and the enumeration PTR, appended to out. Returns 0 or -EINVAL. */
int mdns_sd_records(const dns_name *instance, const char *service, const dns_name *target,
                    uint16_t port, const char *const *txt, size_t ntxt, GArray *out);
void mdns_emit(mdns_responder *r, mdns_event_kind k, const mdns_entry *e, const char *name2,
               unsigned n);
mdns_entry *mdns_find_service(mdns_responder *r, const char *instance, const char *service);
void mdns_conflict(mdns_responder *r, mdns_entry *e, sim_time_t now);
void mdns_tiebreak_probe(mdns_responder *r, mdns_entry *e, const dns_msg *q, sim_time_t now);
void mdns_check_response(mdns_responder *r, const dns_msg *m, sim_time_t now);
bool mdns_entry_clashes(const mdns_entry *e, const dns_rr *rr);
void mdns_put_array(GArray *rrs, const dns_rr *rr);
/* mdns_answer.c */
void mdns_send_goodbye(mdns_responder *r, mdns_entry *e);
void mdns_flush_pending(mdns_responder *r, sim_time_t now);

#endif
