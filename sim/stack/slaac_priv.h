/* sim/stack/slaac_priv.h — internals shared by slaac.c (addresses, DAD, RS, timers) and
 * slaac_ra.c (Router Advertisement processing). */
#ifndef SIM_STACK_SLAAC_PRIV_H
#define SIM_STACK_SLAAC_PRIV_H

#include "sim/stack/net_priv.h"
#include "sim/stack/slaac.h"

/* One address of the interface, in any state. */
typedef struct slaac_addr {
    sim_ip ip;
    unsigned plen;
    net_addr_state state;
    net_addr_origin origin;
    sim_ip prefix;             /* the /64 it was made from (link-local, SLAAC) */
    unsigned dad_counter;      /* RFC 7217 DAD_Counter */
    unsigned ns_left;          /* DAD NSs still to send */
    sim_time_t next;           /* tentative: next NS, or the verdict when ns_left is 0 */
    uint8_t nonce[6];          /* RFC 7527 */
    bool joined;               /* we joined its solicited-node group (while tentative) */
    sim_time_t valid_until, preferred_until;
} slaac_addr;

/* A default router (ip) or an on-link prefix (ip/plen) and when it expires. */
typedef struct slaac_expiring {
    sim_ip ip;
    unsigned plen;
    sim_time_t expires;
} slaac_expiring;

typedef struct net_slaac {
    sim_iface *iface;
    net_slaac_opts o;
    GArray *addrs;             /* of slaac_addr, creation order */
    GArray *routers;           /* of slaac_expiring: the default router list */
    GArray *prefixes;          /* of slaac_expiring: the prefix list (on-link) */
    unsigned rs_sent;
    sim_time_t rs_next;        /* next RS, SIM_TIME_NEVER: none */
    bool disabled;             /* RFC 4862 5.4.5 */
    sim_timer *timer;
    net_slaac_stats stats;
    net_slaac_notify_fn notify;
    void *notify_ctx;
} net_slaac;

/* The interface's state, or NULL when not configured. */
net_slaac *slaac_of(const sim_iface *i);
/* Writes an event-log record (kind, address, detail) when the log is on. */
void slaac_log(net_slaac *s, const char *kind, const sim_ip *ip, const char *what);
/* The live (not duplicate) entry for ip, or NULL. */
slaac_addr *slaac_find(net_slaac *s, const sim_ip *ip);
/* Appends an entry (state tentative, infinite lifetimes). Returns it (valid until the next
 * append). */
slaac_addr *slaac_addr_new(net_slaac *s, const sim_ip *ip, unsigned plen, net_addr_origin o,
                           unsigned counter, const sim_ip *prefix);
/* The autoconfigured address for prefix/64 at DAD attempt counter, appended; NULL if taken or
 * no usable interface ID. */
slaac_addr *slaac_autoaddr(net_slaac *s, const sim_ip *prefix, net_addr_origin o,
                           unsigned counter);
/* Starts DAD on a after delay (or makes it preferred at once when DAD is off). */
void slaac_dad_start(net_slaac *s, slaac_addr *a, sim_time_t delay);
/* Adds (on) or removes the route dst/plen [via gw] on interface i. */
void slaac_route_set(sim_iface *i, const sim_ip *dst, unsigned plen, const sim_ip *gw, bool on);
/* Re-arms the interface timer at the earliest deadline. */
void slaac_schedule(net_slaac *s);
/* Calls the state-change callback. */
void slaac_notify(net_slaac *s);
/* True once the interface's link-local address passed DAD (RFC 4862 5.4: router discovery
 * and global addresses come after it). */
bool slaac_ll_ready(net_slaac *s);
/* Re-inserts a's address into addrs6 (after a lifetime change brought it back to preferred). */
void slaac_readd(net_slaac *s, slaac_addr *a);

#endif
