/* protocols/mdns/mdns_priv.h — internals shared by the files of protocols/mdns/. */
#ifndef PROTOCOLS_MDNS_MDNS_PRIV_H
#define PROTOCOLS_MDNS_MDNS_PRIV_H

#include "protocols/mdns/mdns.h"

/* Appends a copy of rr to section s of m with the given TTL and cache-flush bit. */
void mdns_put_rr(dns_msg *m, dns_section s, const dns_rr *rr, uint32_t ttl, bool flush);
/* True if rrs (of dns_rr) holds a record with rr's name, type, class and RDATA. */
bool mdns_rr_in(const GArray *rrs, const dns_rr *rr);
/* A new empty array of dns_rr / frees one and its records (NULL-safe). */
GArray *mdns_rrs_new(void);
void mdns_rrs_free(GArray *rrs);
/* Encodes m and queues it on outbox (a GQueue of mdns_out *); to NULL: multicast. */
void mdns_queue_msg(GQueue *outbox, const dns_msg *m, const sim_ep *to);
/* Pops the head of outbox into *out; false when empty. */
bool mdns_pop_out(GQueue *outbox, mdns_out *out);

#endif
