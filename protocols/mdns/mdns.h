/* protocols/mdns/mdns.h — Multicast DNS and DNS-Based Service Discovery:
 *   RFC 6762   Multicast DNS: probing (§8.1), simultaneous-probe tie-breaking (§8.2),
 *              announcing (§8.3), answering (§6: shared vs unique records, §5.4 QU questions,
 *              §6.7 legacy unicast, §7.1 known-answer suppression, §7.3 duplicate question
 *              suppression, §7.4 duplicate answer suppression), conflicts and renaming (§9),
 *              continuous querying and cache maintenance (§5.2, §10.1 goodbyes, §10.2
 *              cache-flush), NSEC negative answers (§6.1),
 *   RFC 6763   DNS-SD: service instance records (SRV + TXT at "<instance>.<service>.<domain>",
 *              PTR "<service>.<domain>" -> instance, §4 / §6), service type enumeration
 *              ("_services._dns-sd._udp.local.", §9), browsing and resolving (§4.1, §12).
 *
 * Layering (DESIGN §4): the DNS codec of protocols/dns/ does the bytes; mdns_responder.c (a
 * host's own records) and mdns_querier.c (cache and continuous queries) are sans-I/O cores;
 * mdns_sd.c builds DNS-SD records and answers browse / resolve from a querier's cache;
 * mdns_sim.c drives both cores of one host over UDP port 5353 (224.0.0.251 and ff02::fb) and
 * mdns_lua.c binds them to Lua as module `mdns`.
 *
 * Outbox convention: an mdns_out whose `to.ip.family` is SIM_AF_NONE is a multicast packet
 * (the driver sends it to 224.0.0.251:5353, and to [ff02::fb]:5353 when the host has IPv6);
 * any other `to` is a unicast packet (QU answers, legacy unicast answers).
 */
#ifndef PROTOCOLS_MDNS_MDNS_H
#define PROTOCOLS_MDNS_MDNS_H

#include <glib.h>
#include <lua.h>
#include <stdbool.h>
#include <stdint.h>
#include "protocols/dns/dns.h"
#include "sim/addr.h"
#include "sim/node.h"
#include "sim/rng.h"
#include "sim/time.h"

#define MDNS_PORT 5353
#define MDNS_GROUP4 "224.0.0.251"
#define MDNS_GROUP6 "ff02::fb"
#define MDNS_TTL_HOST 120          /* RFC 6762 §10: records with a host name in them */
#define MDNS_TTL_OTHER 4500        /* RFC 6762 §10: the other records (75 minutes) */
#define MDNS_LEGACY_TTL_MAX 10     /* RFC 6762 §6.7 */
#define MDNS_PROBE_INTERVAL (250 * SIM_MS)
#define MDNS_PROBES 3
#define MDNS_ANNOUNCEMENTS 2
#define MDNS_ANNOUNCE_INTERVAL SIM_SEC
#define MDNS_CONFLICT_MAX 15       /* RFC 6762 §8.1: 15 conflicts in 10 s ... */
#define MDNS_CONFLICT_WINDOW (10 * SIM_SEC)
#define MDNS_CONFLICT_WAIT (5 * SIM_SEC) /* ... then 5 s before each further probe */
#define MDNS_QUERY_MAX_INTERVAL (3600 * SIM_SEC) /* RFC 6762 §5.2: back-off cap, 60 min */
#define MDNS_CACHE_MAX 4096       /* querier cache entries; more are dropped (counted) */
#define MDNS_SD_ENUM "_services._dns-sd._udp.local"

/* A datagram a core wants sent: multicast when to.ip.family == SIM_AF_NONE (see above). */
typedef struct mdns_out {
    sim_ep to;
    size_t len;
    uint8_t data[DNS_OUT_MAX];
} mdns_out;

/* Encodes m (mDNS rules, DNS_ENC_MDNS) into o, to `to` (NULL: multicast). Returns 0, -EINVAL
 * or -ENOSPC (over DNS_OUT_MAX bytes). */
int mdns_out_set(mdns_out *o, const dns_msg *m, const sim_ep *to);

/* RFC 6762 §8.2 order of two records: class (without the cache-flush bit), then type, then
 * the uncompressed RDATA bytewise. Returns <0, 0, >0. */
int mdns_rr_cmp(const dns_rr *a, const dns_rr *b);
/* RFC 6762 §8.2 comparison of two sets of proposed records (each sorted here; the arrays are
 * reordered): the first differing record decides, a set that runs out first is the lesser.
 * Returns <0 (ours loses), 0 (identical), >0 (ours wins). */
int mdns_tiebreak(GArray *ours, GArray *theirs);

/* ---------------------------------------------------------------- responder */

typedef enum mdns_state {
    MDNS_PROBING,    /* waiting for or sending the three probes */
    MDNS_ANNOUNCING, /* the name is ours: sending the unsolicited responses */
    MDNS_ANNOUNCED,  /* done announcing: answering queries */
} mdns_state;

/* What happened in a responder, for the event log and the Lua binding. */
typedef enum mdns_event_kind {
    MDNS_EV_PROBE,    /* a probe for `name` was sent (n: 1..3) */
    MDNS_EV_CONFLICT, /* another host claims `name` */
    MDNS_EV_RENAMED,  /* `name` was taken: now `name2` */
    MDNS_EV_ANNOUNCE, /* an announcement for `name` was sent (n: 1..2) */
    MDNS_EV_READY,    /* `name` is announced */
    MDNS_EV_GOODBYE,  /* goodbye records for `name` were sent */
} mdns_event_kind;

typedef struct mdns_event {
    mdns_event_kind kind;
    const char *name;  /* borrowed for the callback: the full owner name */
    const char *name2; /* MDNS_EV_RENAMED: the new name */
    unsigned n;
} mdns_event;

typedef void (*mdns_event_fn)(void *ctx, const mdns_event *ev);

typedef struct mdns_responder_stats {
    uint64_t probes, announcements, conflicts, renames, tiebreak_lost, tiebreak_won;
    uint64_t queries, answered, multicast, unicast, legacy, suppressed, rate_limited, goodbyes;
    uint64_t nsec;
    uint64_t address_changes; /* mdns_responder_set_addrs calls that changed the addresses */
    uint64_t bad;
} mdns_responder_stats;

typedef struct mdns_responder mdns_responder;

/* Creates a responder for host name `hostname` (one label, e.g. "myserver": the records are
 * for "myserver.local") with addresses addrs[0..n) (A and AAAA records); rng borrowed.
 * Nothing is sent before mdns_responder_start. Returns owned, or NULL for a bad host name. */
mdns_responder *mdns_responder_new(const char *hostname, const sim_ip *addrs, size_t n,
                                   sim_rng *rng);
/* Frees the core (no goodbyes: call mdns_responder_stop first). NULL-safe. */
void mdns_responder_free(mdns_responder *r);
/* Installs the event callback (called from inside the core's functions). */
void mdns_responder_on_event(mdns_responder *r, mdns_event_fn fn, void *ctx);
/* Starts probing the host name at now (first probe after a random 0-250 ms). Returns 0 or
 * -EALREADY. */
int mdns_responder_start(mdns_responder *r, sim_time_t now);
/* Publishes a DNS-SD service instance: `instance` (a UTF-8 label, e.g. "myprinter"),
 * `service` ("_printer._tcp"), `port`, TXT strings txt[0..ntxt) ("key=value"; none gives the
 * one empty string RFC 6763 §6.1 asks for). Probing starts at now (or at start). Returns 0,
 * -EINVAL (bad label or service, TXT string over 255 bytes) or -EEXIST (same instance). */
int mdns_responder_publish(mdns_responder *r, sim_time_t now, const char *instance,
                           const char *service, uint16_t port, const char *const *txt,
                           size_t ntxt);
/* Replaces the host's addresses (A and AAAA records; other families ignored). When they
 * differ and the host name is announced (or announcing), it is announced again from now, two
 * announcements 1 s apart with the cache-flush bit (RFC 6762 §8.4); a name still probing
 * probes with the new records. Returns 0, or -EALREADY (the same addresses in the same order:
 * nothing to do). */
int mdns_responder_set_addrs(mdns_responder *r, sim_time_t now, const sim_ip *addrs, size_t n);
/* Withdraws a published instance (by its first-chosen instance label and service), sending
 * goodbyes if it was announced. Returns 0 or -ENOENT. */
int mdns_responder_unpublish(mdns_responder *r, sim_time_t now, const char *instance,
                             const char *service);
/* Shuts down: goodbye packets (TTL 0) for every announced record (RFC 6762 §10.1); the core
 * then stays silent. */
void mdns_responder_stop(mdns_responder *r, sim_time_t now);
/* One datagram from `from` (to the multicast group or to us). Returns 0, -ENOENT (nothing for
 * this responder), or -EBADMSG (malformed: dropped, counted as bad). */
int mdns_responder_input(mdns_responder *r, sim_time_t now, const sim_ep *from,
                         const uint8_t *buf, size_t len);
/* Sends what is due at now (probes, announcements, delayed answers). */
void mdns_responder_timeout(mdns_responder *r, sim_time_t now);
/* The earliest time something is due, or SIM_TIME_NEVER. */
sim_time_t mdns_responder_next_deadline(const mdns_responder *r);
/* Pops the next datagram to send; false when none is queued. */
bool mdns_responder_pop(mdns_responder *r, mdns_out *out);
/* The current host label (after renames) and the host's full name ("myserver-2.local"). */
const char *mdns_responder_hostname(const mdns_responder *r);
/* True once the host name and every published instance are announced or announcing. */
bool mdns_responder_ready(const mdns_responder *r);
/* Number of published instances, and the current full name of the i-th (borrowed). */
size_t mdns_responder_n_services(const mdns_responder *r);
const char *mdns_responder_service_name(const mdns_responder *r, size_t i);
/* Counters (borrowed). */
const mdns_responder_stats *mdns_responder_get_stats(const mdns_responder *r);
/* "probing", "announcing", "announced". */
const char *mdns_state_name(mdns_state s);
/* "probe", "conflict", "renamed", "announce", "ready", "goodbye". */
const char *mdns_event_name(mdns_event_kind k);

/* ---------------------------------------------------------------- querier */

/* A cache change: a record appeared (added) or expired / was flushed / said goodbye. */
typedef void (*mdns_cache_fn)(void *ctx, const dns_rr *rr, bool added);

typedef struct mdns_querier_stats {
    uint64_t queries, questions, known_answers, responses, records, added, removed, flushed;
    uint64_t suppressed_questions, ignored, bad, cache_full;
} mdns_querier_stats;

typedef struct mdns_querier mdns_querier;

/* Creates a querier with an empty cache; rng borrowed. Returns owned. */
mdns_querier *mdns_querier_new(sim_rng *rng);
/* Frees the core and its cache. NULL-safe. */
void mdns_querier_free(mdns_querier *q);
/* Installs the cache change callback (called from inside input / timeout). */
void mdns_querier_on_change(mdns_querier *q, mdns_cache_fn fn, void *ctx);
/* Starts asking name/type continuously (RFC 6762 §5.2): first query after 20-120 ms, then 1 s,
 * 2 s, 4 s ... doubling up to 60 min, each with the cached answers as known answers. Asking
 * the same question again only counts a user. Returns 0 or -EINVAL (type 0 / OPT). */
int mdns_querier_ask(mdns_querier *q, sim_time_t now, const dns_name *name, uint16_t type);
/* Stops one user of the question (the question goes when the last one stops). Returns 0 or
 * -ENOENT. */
int mdns_querier_stop(mdns_querier *q, const dns_name *name, uint16_t type);
/* One datagram from `from`. Responses from port 5353 fill the cache; queries from others may
 * suppress ours (§7.3). Returns 0, -ENOENT (ignored: not from 5353, or nothing of interest) or
 * -EBADMSG. */
int mdns_querier_input(mdns_querier *q, sim_time_t now, const sim_ep *from, const uint8_t *buf,
                       size_t len);
/* Expires records and sends the queries due at now. */
void mdns_querier_timeout(mdns_querier *q, sim_time_t now);
/* The earliest query, refresh or expiry time, or SIM_TIME_NEVER. */
sim_time_t mdns_querier_next_deadline(const mdns_querier *q);
/* Pops the next query to send; false when none is queued. */
bool mdns_querier_pop(mdns_querier *q, mdns_out *out);
/* Copies the live cached records of name/type (DNS_T_ANY: every type) into out (of dns_rr,
 * the caller clears them), TTLs as left at now, in arrival order. Returns how many. */
size_t mdns_querier_find(const mdns_querier *q, sim_time_t now, const dns_name *name,
                         uint16_t type, GArray *out);
/* Number of cached records. */
size_t mdns_querier_cache_size(const mdns_querier *q);
/* Counters (borrowed). */
const mdns_querier_stats *mdns_querier_get_stats(const mdns_querier *q);

/* ---------------------------------------------------------------- DNS-SD (mdns_sd.c) */

/* "<instance>.<service>.local" as a name (instance: one label, may hold dots and spaces).
 * Returns 0 or -EINVAL. */
int mdns_sd_instance_name(const char *instance, const char *service, dns_name *out);
/* "<service>.local" ("_printer._tcp" -> "_printer._tcp.local"). Returns 0 or -EINVAL (not
 * "_name._tcp" / "_name._udp"). */
int mdns_sd_service_name(const char *service, dns_name *out);
/* A resolved instance (RFC 6763 §4.3 / §12). */
typedef struct mdns_sd_info {
    dns_name target;
    uint16_t port, priority, weight;
    dns_rr txt;       /* the TXT record (strings in txt.data); type 0 when not known */
    GArray *addrs;    /* of sim_ip, A then AAAA, in cache order */
} mdns_sd_info;
/* Frees what info owns. NULL-safe. */
void mdns_sd_info_clear(mdns_sd_info *info);
/* The instances of `service_name` ("_printer._tcp.local") in q's cache, as full names,
 * appended to out (of dns_name), sorted by name. Returns how many. */
size_t mdns_sd_browse(const mdns_querier *q, sim_time_t now, const dns_name *service_name,
                      GArray *out);
/* Resolves `instance` from q's cache: SRV, TXT and the target's A/AAAA. Returns 0 (all of SRV,
 * TXT and at least one address known; *info initialised, clear it), or -ENOENT (something is
 * missing: *info untouched). */
int mdns_sd_resolve(const mdns_querier *q, sim_time_t now, const dns_name *instance,
                    mdns_sd_info *info);

/* ---------------------------------------------------------------- driver (mdns_sim.c) */

typedef struct mdns_app mdns_app;
/* Called after every input or timeout of the app's cores (the Lua binding wakes waiters). */
typedef void (*mdns_app_notify_fn)(mdns_app *a, void *ctx);
#define MDNS_REF_KIND 0x6d444e53 /* "mDNS" */

/* Starts a host's mDNS daemon on node n: UDP 5353 (SO_REUSEADDR) joined to 224.0.0.251 and,
 * when the host has IPv6, ff02::fb; multicast TTL 255. It holds a querier, and a responder
 * once mdns_app_respond is called. Returns borrowed (freed with the world or mdns_app_free),
 * or NULL with err set. */
mdns_app *mdns_app_new(sim_node *n, GError **err);
/* Adds a responder for host label `hostname` with the node's addresses and starts it. Returns
 * 0, -EEXIST (already responding) or -EINVAL (bad host name). */
int mdns_app_respond(mdns_app *a, const char *hostname);
/* Stops the app (goodbyes from the responder first). NULL-safe; the handle goes stale. */
void mdns_app_free(mdns_app *a);
/* The cores (responder NULL before mdns_app_respond; both NULL once stopped). */
mdns_responder *mdns_app_responder(mdns_app *a);
mdns_querier *mdns_app_querier(mdns_app *a);
sim_node *mdns_app_node(mdns_app *a);
sim_ref mdns_app_ref(mdns_app *a);
/* Installs the notify callback. */
void mdns_app_on_notify(mdns_app *a, mdns_app_notify_fn fn, void *ctx);
/* Sends what the cores queued and re-arms the timer; call after calling into a core. */
void mdns_app_kick(mdns_app *a);

/* ---------------------------------------------------------------- CLI (mdns_decode.c) */

/* What m is in mDNS terms: "probe", "query", "query with known answers", "query (legacy
 * unicast id)", "response", "response (legacy unicast)", "goodbye". Static string. */
const char *mdns_msg_kind(const dns_msg *m);
/* `natsim decode mdns FILE` (natsim_decode_fn): the kind, then the dig-like dump. Returns 0,
 * or -1 with err set (an option was given, or the message is malformed: offset and reason). */
int mdns_decode(const uint8_t *data, size_t len, int argc, char **argv, GString *out,
                GError **err);

/* ---------------------------------------------------------------- Lua (mdns_lua.c) */

/* Opens module `mdns` (mdns.responder, mdns.browse, mdns.resolve, mdns.lookup). */
int mdns_lua_open(lua_State *L);

#endif
