/* protocols/zeroconf/ipv4ll.h — IPv4 link-local addresses:
 *   RFC 3927  Dynamic Configuration of IPv4 Link-Local Addresses: address selection in
 *             169.254.1.0 - 169.254.254.255 (§2.1), probing (§2.2), announcing (§2.4),
 *             conflict detection and defence (§2.5), rate limiting after MAX_CONFLICTS.
 *
 * A sans-I/O core (DESIGN §4): the driver feeds it the ARP packets seen on the interface as a
 * small struct (the ARP codec belongs to the engine) and the time; it answers with an outbox of
 * actions (send an ARP probe, send an ARP announcement, configure / remove the address) and one
 * deadline. The rng handed in picks candidates and the random waits, in this order: one draw
 * per candidate (sim_rng_below(65024)), one for the wait before the first probe
 * (sim_rng_below(PROBE_WAIT in ns + 1)), one per gap between probes (PROBE_MIN +
 * sim_rng_below((PROBE_MAX - PROBE_MIN) in ns + 1)). Two cores given identically seeded rngs
 * therefore pick the same candidates at the same times: RFC 3927 §2.1 wants the generator
 * seeded from something unique to the host (the driver derives it from the world seed and the
 * node name); to force two hosts onto one address give both the same `first_addr`.
 *
 * Timeline with no conflict (RFC 3927 §9 constants):
 *   t0                  start: candidate chosen
 *   t0 + U(0, 1 s)      probe 1 (ARP request, sender IP 0.0.0.0, target IP = candidate)
 *   + U(1 s, 2 s)       probe 2;   + U(1 s, 2 s)  probe 3
 *   + 2 s               claimed: CONFIGURE 169.254.x.y/16, announcement 1
 *   + 2 s               announcement 2 (sender IP = target IP = address); then BOUND
 */
#ifndef PROTOCOLS_ZEROCONF_IPV4LL_H
#define PROTOCOLS_ZEROCONF_IPV4LL_H

#include <lua.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/rng.h"
#include "sim/time.h"
#include "sim/world.h"

/* RFC 3927 §9. */
#define IPV4LL_PROBE_WAIT (1 * SIM_SEC)
#define IPV4LL_PROBE_NUM 3
#define IPV4LL_PROBE_MIN (1 * SIM_SEC)
#define IPV4LL_PROBE_MAX (2 * SIM_SEC)
#define IPV4LL_ANNOUNCE_WAIT (2 * SIM_SEC)
#define IPV4LL_ANNOUNCE_NUM 2
#define IPV4LL_ANNOUNCE_INTERVAL (2 * SIM_SEC)
#define IPV4LL_MAX_CONFLICTS 10
#define IPV4LL_RATE_LIMIT_INTERVAL (60 * SIM_SEC)
#define IPV4LL_DEFEND_INTERVAL (10 * SIM_SEC)

#define IPV4LL_FIRST 0xA9FE0100u /* 169.254.1.0 */
#define IPV4LL_LAST 0xA9FEFEFFu  /* 169.254.254.255 */
#define IPV4LL_PREFIX_LEN 16

#define IPV4LL_ARP_REQUEST 1
#define IPV4LL_ARP_REPLY 2

/* One ARP packet seen on the interface (addresses host-order). */
typedef struct ipv4ll_arp {
    uint16_t op;
    uint8_t sender_mac[6];
    uint32_t sender_ip;
    uint8_t target_mac[6];
    uint32_t target_ip;
} ipv4ll_arp;

typedef enum ipv4ll_state {
    IPV4LL_STOPPED,
    IPV4LL_WAITING,     /* candidate chosen, waiting for the first probe (or the rate limit) */
    IPV4LL_PROBING,
    IPV4LL_ANNOUNCING,  /* claimed and configured, announcements under way */
    IPV4LL_BOUND,       /* in use; conflicts are defended once per DEFEND_INTERVAL */
} ipv4ll_state;

typedef enum ipv4ll_action_kind {
    IPV4LL_ACT_PROBE,       /* ARP request: sender MAC ours, sender IP 0, target IP .addr */
    IPV4LL_ACT_ANNOUNCE,    /* ARP request: sender IP = target IP = .addr */
    IPV4LL_ACT_CONFIGURE,   /* add .addr/16 to the interface */
    IPV4LL_ACT_UNCONFIGURE, /* remove .addr */
    IPV4LL_ACT_CONFLICT,    /* for the log: .addr was found in use by another host */
} ipv4ll_action_kind;

typedef struct ipv4ll_action {
    ipv4ll_action_kind kind;
    uint32_t addr;
} ipv4ll_action;

typedef struct ipv4ll_cfg {
    uint8_t mac[6];
    uint32_t first_addr; /* first candidate (a remembered address, or forced by a scenario);
                          * 0 or outside 169.254.1.0-169.254.254.255: random */
} ipv4ll_cfg;

typedef struct ipv4ll_stats {
    uint64_t probes, announcements, conflicts, defences, claims, rate_limited, ignored;
} ipv4ll_stats;

typedef struct ipv4ll ipv4ll;

/* Creates a core (cfg copied, rng borrowed), stopped. Returns owned. */
ipv4ll *ipv4ll_new(const ipv4ll_cfg *cfg, sim_rng *rng);
/* Frees the core. NULL-safe. */
void ipv4ll_free(ipv4ll *c);
/* Chooses a candidate and starts probing. Returns 0 or -EALREADY when not stopped. */
int ipv4ll_start(ipv4ll *c, sim_time_t now);
/* DHCP bound a routable address: stop using link-local (the address, if configured, is
 * removed) and stop. NULL-safe no-op when already stopped. */
void ipv4ll_dhcp_bound(ipv4ll *c, sim_time_t now);
/* One ARP packet seen on the interface (borrowed). Returns 0 when it was a conflict (acted
 * upon: new candidate, defence, or address given up), -ENOENT otherwise. */
int ipv4ll_input(ipv4ll *c, sim_time_t now, const ipv4ll_arp *arp);
/* Sends the probe or announcement, or claims, that is due at now. */
void ipv4ll_timeout(ipv4ll *c, sim_time_t now);
/* The next time ipv4ll_timeout has work, or SIM_TIME_NEVER. */
sim_time_t ipv4ll_next_deadline(const ipv4ll *c);
/* Pops the next action into *a; false when none. */
bool ipv4ll_pop(ipv4ll *c, ipv4ll_action *a);
/* Current state; the candidate or address (0 when stopped). */
ipv4ll_state ipv4ll_get_state(const ipv4ll *c);
uint32_t ipv4ll_addr(const ipv4ll *c);
/* Conflicts since the last successful claim (what MAX_CONFLICTS counts). */
unsigned ipv4ll_conflicts(const ipv4ll *c);
/* "PROBING", "BOUND" ... */
const char *ipv4ll_state_name(ipv4ll_state st);
/* Counters (borrowed). */
const ipv4ll_stats *ipv4ll_get_stats(const ipv4ll *c);

/* ---------------------------------------------------------------- simulator driver (ipv4ll_sim.c)
 * Runs a core on one interface of a simulated host: probes and announcements go out through
 * sim_arp_probe / sim_arp_announce, the ARP packets arriving on the interface (sim_arp_watch)
 * feed ipv4ll_input, CONFIGURE adds addr/16 (the stack then answers ARP for it), UNCONFIGURE
 * removes it. The core draws from its own stream, derived from the world seed and the node
 * and interface names (RFC 3927 2.1: seeded from something unique to the host). Log records
 * (event log, kind "ipv4ll"): claimed, conflict, removed. */

typedef struct sim_iface sim_iface;
typedef struct ipv4ll_app ipv4ll_app;
/* Called after every step of the app (a packet seen, a timer, a start or stop). */
typedef void (*ipv4ll_app_notify_fn)(ipv4ll_app *a, void *ctx);

#define IPV4LL_REF_KIND 0x34564c /* "4VL" */

/* Creates the app on iface (stopped; cfg.mac is taken from the interface). The world owns it
 * (freed with the world; ipv4ll_app_free stops it early). Returns borrowed. */
ipv4ll_app *ipv4ll_app_new(sim_iface *iface, uint32_t first_addr);
/* Starts (or restarts) address selection. Returns 0 or -EALREADY. */
int ipv4ll_app_start(ipv4ll_app *a);
/* A routable address was configured by DHCP: the link-local address goes (ipv4ll_dhcp_bound). */
void ipv4ll_app_dhcp_bound(ipv4ll_app *a);
/* Stops for good: address removed, watch and timer gone; the handle goes stale. NULL-safe. */
void ipv4ll_app_free(ipv4ll_app *a);
/* The core (borrowed; NULL after free), the interface, the world handle. */
ipv4ll *ipv4ll_app_core(ipv4ll_app *a);
sim_iface *ipv4ll_app_iface(ipv4ll_app *a);
sim_ref ipv4ll_app_ref(ipv4ll_app *a);
/* Opens module `ipv4ll` for scenarios (ipv4ll_lua.c; a simlua_module_open). */
int ipv4ll_lua_open(lua_State *L);
/* Sets the notify callback (NULL clears). */
void ipv4ll_app_on_notify(ipv4ll_app *a, ipv4ll_app_notify_fn fn, void *ctx);

#endif
