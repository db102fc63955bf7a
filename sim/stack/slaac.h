/* sim/stack/slaac.h — IPv6 stateless address autoconfiguration in the engine's stack, configured
 * per interface, as a kernel does it:
 *  - RFC 4862 (SLAAC): link-local address from the interface identifier, Duplicate Address
 *    Detection (§5.4: NS from :: to the solicited-node group, DupAddrDetectTransmits,
 *    RetransTimer, the random delay of §5.4.2), address states (tentative, preferred,
 *    deprecated, duplicate), global addresses from Prefix Information options (§5.5.3 with the
 *    two-hour rule), and §5.4.5: a duplicate link-local from the interface ID disables IPv6 on
 *    the interface ("duplicate address detected, admin intervention required").
 *  - RFC 4861 (ND): Router Solicitation on start-up (MAX_RTR_SOLICITATIONS 3,
 *    RTR_SOLICITATION_INTERVAL 4 s), Router Advertisement processing (default router list from
 *    the router lifetime, prefix list from the L flag); the router side (§6.2: unsolicited
 *    advertisements every [MinRtrAdvInterval, MaxRtrAdvInterval], solicited ones after a random
 *    delay of at most MAX_RA_DELAY_TIME) is the net_ra_* half below (ndp_router.c).
 *  - RFC 4291 App. A (modified EUI-64 interface IDs), RFC 7217 (stable, semantically opaque
 *    interface IDs: F() = SHA-256 of prefix, interface, DAD_Counter and a per-node secret, with
 *    IDGEN_RETRIES 3), RFC 7527 (Nonce option: a node ignores its own looped-back DAD NS).
 *
 * Interfaces that were never configured keep the stack's old behaviour: an EUI-64 link-local
 * usable at once, no DAD, no RS (worlds that do not study autoconfiguration see no start-up ND
 * traffic). Engine-internal: protocols/ never include this. */
#ifndef SIM_STACK_SLAAC_H
#define SIM_STACK_SLAAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/addr.h"
#include "sim/node.h"
#include "sim/time.h"

#define NET_MAX_RTR_SOLICITATION_DELAY (1 * SIM_SEC) /* RFC 4861 §10 */
#define NET_RTR_SOLICITATION_INTERVAL (4 * SIM_SEC)
#define NET_MAX_RTR_SOLICITATIONS 3
#define NET_RETRANS_TIMER (1 * SIM_SEC)
#define NET_MAX_RA_DELAY_TIME (500 * SIM_MS)
#define NET_MIN_DELAY_BETWEEN_RAS (3 * SIM_SEC)
#define NET_MAX_INITIAL_RTR_ADVERTISEMENTS 3
#define NET_MAX_INITIAL_RTR_ADVERT_INTERVAL (16 * SIM_SEC)
#define NET_IDGEN_RETRIES 3                          /* RFC 7217 §7 */
#define NET_TWO_HOURS (7200 * SIM_SEC)               /* RFC 4862 §5.5.3 (e) */
/* Caps per interface, so a flood of RAs with ever new prefixes or routers cannot grow the
 * lists without bound (what is over the cap is ignored and counted in ra_ignored). */
#define NET_SLAAC_MAX_ADDRS 16
#define NET_SLAAC_MAX_ROUTERS 8
#define NET_SLAAC_MAX_PREFIXES 16

/* How the interface identifier (the low 64 bits) is made. */
typedef enum net_iid_kind {
    NET_IID_EUI64,  /* modified EUI-64 from the MAC (RFC 4291 App. A), the default */
    NET_IID_STABLE, /* RFC 7217 stable random per prefix */
    NET_IID_FIXED,  /* given by the scenario (to force a duplicate) */
} net_iid_kind;

typedef enum net_addr_state {
    NET_ADDR_TENTATIVE,  /* DAD running: not a source, not answered for */
    NET_ADDR_PREFERRED,
    NET_ADDR_DEPRECATED, /* preferred lifetime over: kept for existing traffic, avoided as source */
    NET_ADDR_DUPLICATE,  /* DAD failed: never assigned */
} net_addr_state;

typedef enum net_addr_origin {
    NET_ORIGIN_LINK_LOCAL,
    NET_ORIGIN_SLAAC,
    NET_ORIGIN_STATIC,
} net_addr_origin;

typedef struct net_slaac_opts {
    bool dad;               /* DAD on every unicast address of the interface */
    bool slaac;             /* send RS, process RAs (default router, prefixes, addresses) */
    net_iid_kind iid;
    uint8_t fixed_iid[8];   /* NET_IID_FIXED only */
    unsigned dad_transmits; /* DupAddrDetectTransmits; 0 means the default, 1 */
} net_slaac_opts;

/* One address as Lua and tests see it. */
typedef struct net_slaac_addr_info {
    sim_ip ip;
    unsigned plen;
    net_addr_state state;
    net_addr_origin origin;
    sim_time_t valid_until, preferred_until; /* SIM_TIME_NEVER: infinite */
} net_slaac_addr_info;

typedef struct net_slaac_stats {
    uint64_t dad_ns_sent, rs_sent, ra_rx, ra_ignored, dad_failed;
} net_slaac_stats;

/* Called when an address of the interface changes state (after the change). */
typedef void (*net_slaac_notify_fn)(void *ctx, sim_iface *i);

/* (Re)starts autoconfiguration on i with options o (borrowed): the link-local address is
 * regenerated from the interface ID and, with o->dad, goes through DAD (first NS after a random
 * delay of up to MAX_RTR_SOLICITATION_DELAY); with o->slaac, RSs follow once it is preferred.
 * Returns 0, or -EINVAL for a fixed IID of all zeros. */
int net_slaac_configure(sim_iface *i, const net_slaac_opts *o);
/* Adds a static address: an IPv6 one through DAD when the interface has it on, anything else
 * at once (like sim_iface_add_addr). Returns 0, -EINVAL or -EEXIST. */
int net_slaac_add_static(sim_iface *i, const sim_ip *ip, unsigned plen);
/* True once i was configured with net_slaac_configure. */
bool net_slaac_configured(const sim_iface *i);
/* True when a duplicate link-local from the interface ID disabled IPv6 on i (RFC 4862 §5.4.5). */
bool net_slaac_disabled(const sim_iface *i);
/* The addresses i knows of, every state, in the order they were created: fills up to max
 * entries of out and returns the total count (for an unconfigured interface: its IPv6
 * addresses, all preferred). */
size_t net_slaac_addrs(const sim_iface *i, net_slaac_addr_info *out, size_t max);
/* The interface's counters (zeros when not configured). */
net_slaac_stats net_slaac_get_stats(const sim_iface *i);
/* Installs (fn NULL: removes) the state-change callback of a configured interface. */
void net_slaac_set_notify(sim_iface *i, net_slaac_notify_fn fn, void *ctx);
/* The interface ID of kind k for prefix (its first 64 bits) on i, DAD attempt `counter`, into
 * iid[8]. Deterministic per world seed and node name. Returns 0 or -EINVAL (fixed kind). */
int net_slaac_iid(sim_iface *i, net_iid_kind k, const sim_ip *prefix, unsigned counter,
                  uint8_t iid[8]);
/* Short names: "tentative"... and "link-local", "slaac", "static". */
const char *net_addr_state_name(net_addr_state s);
const char *net_addr_origin_name(net_addr_origin o);

/* ---- router side (ndp_router.c) ---- */

#define NET_RA_MAX_PREFIXES 8

typedef struct net_ra_prefix {
    sim_ip prefix;
    unsigned plen;
    bool onlink, autonomous;       /* L and A flags */
    uint32_t valid, preferred;     /* seconds; 0xffffffff infinite */
} net_ra_prefix;

typedef struct net_ra_opts {
    sim_time_t max_interval;       /* MaxRtrAdvInterval; 0: 600 s */
    sim_time_t min_interval;       /* MinRtrAdvInterval; 0: 0.33 Max (Max >= 9 s) else Max */
    int router_lifetime;           /* seconds (0..9000); -1: 3 * Max rounded up */
    uint8_t cur_hop_limit;         /* 0: unspecified */
    uint32_t mtu;                  /* MTU option; 0: none */
    net_ra_prefix prefixes[NET_RA_MAX_PREFIXES];
    unsigned n_prefixes;
} net_ra_opts;

typedef struct net_ra_stats {
    uint64_t ra_sent, rs_rx;
} net_ra_stats;

/* Starts (or reconfigures) Router Advertisements on i (of a forwarding node): three initial
 * advertisements at most MAX_INITIAL_RTR_ADVERT_INTERVAL apart, then one every random
 * [Min, Max], and solicited ones. Returns 0, -EINVAL (not a router, bad values) or -ENOSPC. */
int net_ra_advertise(sim_iface *i, const net_ra_opts *o);
/* Stops advertising on i (sends nothing more). */
void net_ra_stop(sim_iface *i);
/* The router's counters on i (zeros when not advertising). */
net_ra_stats net_ra_get_stats(const sim_iface *i);

#endif
