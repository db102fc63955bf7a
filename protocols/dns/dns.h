/* protocols/dns/dns.h — the Domain Name System:
 *   RFC 1035   message format, names and name compression (§4.1.4), A, NS, CNAME, SOA, PTR, TXT,
 *   RFC 3596   AAAA,
 *   RFC 2782   SRV (server location),
 *   RFC 3403   NAPTR (used by SIP server location, RFC 3263),
 *   RFC 3597   unknown RR types kept as opaque bytes,
 *   RFC 6891   OPT pseudo-RR, passed through,
 *   RFC 4034   NSEC (§4; RFC 6762 §6.1 uses it for negative mDNS answers),
 *   RFC 6762   mDNS bits: unicast-response (top bit of QCLASS, §5.4) and cache-flush (top bit of
 *              an RR's CLASS, §10.2), kept apart from the class value,
 *   RFC 6763   DNS-SD TXT key=value helpers,
 *   RFC 2308   negative caching (resolver), RFC 2181 §9 truncation (server).
 *
 * Layering (DESIGN §4): dns_name.c / dns_rr.c / dns_msg.c are the codec (bytes <-> dns_msg, no
 * I/O and nothing unicast-specific, so mDNS reuses it), dns_decode.c is `natsim decode dns`,
 * dns_server.c (authoritative) and dns_resolver.c (stub resolver) are sans-I/O cores, dns_sim.c
 * drives them over sim/socket.h and dns_lua.c binds them to Lua as module `dns`.
 *
 * Message (RFC 1035 §4.1), network byte order:
 *
 *    0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
 *   +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *   |                      ID                       |
 *   |QR|   Opcode  |AA|TC|RD|RA| Z|AD|CD|   RCODE   |
 *   |           QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT  |  four 16-bit counts
 *   +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *   | question:  NAME  TYPE(16)  CLASS(16)          |  QDCOUNT times
 *   | RR:  NAME TYPE CLASS TTL(32) RDLENGTH RDATA   |  ANCOUNT + NSCOUNT + ARCOUNT times
 *
 * A name is a sequence of labels (length byte 1..63, then the bytes) ending with the zero-length
 * root label, 255 bytes at most; a byte 11xxxxxx starts a 14-bit pointer to an earlier name in
 * the message (compression). This codec follows a pointer only backwards, each one strictly
 * before the previous target, so loops, self and forward pointers are rejected.
 */
#ifndef PROTOCOLS_DNS_DNS_H
#define PROTOCOLS_DNS_DNS_H

#include <glib.h>
#include <lua.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/addr.h"
#include "sim/node.h"
#include "sim/rng.h"
#include "sim/time.h"

/* ---------------------------------------------------------------- constants */

#define DNS_HDR_LEN 12
#define DNS_NAME_MAX 255     /* wire bytes of a name, root label included (RFC 1035 §3.1) */
#define DNS_LABEL_MAX 63
#define DNS_NAME_STRLEN 1024 /* a formatted name: every byte escaped as \DDD, and the NUL */
#define DNS_UDP_MAX 512      /* classic UDP message limit (RFC 1035 §4.2.1) */
#define DNS_MSG_MAX 65535
#define DNS_PORT 53

/* Types (RFC 1035 §3.2.2 and the RFCs above). */
#define DNS_T_A 1
#define DNS_T_NS 2
#define DNS_T_CNAME 5
#define DNS_T_SOA 6
#define DNS_T_PTR 12
#define DNS_T_TXT 16
#define DNS_T_AAAA 28
#define DNS_T_SRV 33
#define DNS_T_NAPTR 35
#define DNS_T_OPT 41
#define DNS_T_NSEC 47
#define DNS_T_ANY 255

#define DNS_C_IN 1
#define DNS_C_ANY 255
#define DNS_CLASS_TOP 0x8000u /* unicast-response (questions) / cache-flush (RRs), RFC 6762 */

/* Opcodes and response codes (RFC 1035 §4.1.1). */
#define DNS_OP_QUERY 0
#define DNS_RC_NOERROR 0
#define DNS_RC_FORMERR 1
#define DNS_RC_SERVFAIL 2
#define DNS_RC_NXDOMAIN 3
#define DNS_RC_NOTIMP 4
#define DNS_RC_REFUSED 5

/* ---------------------------------------------------------------- names (dns_name.c) */

/* A domain name in uncompressed wire form: labels as on the wire, root label included.
 * len == 1 and b[0] == 0 is the root; len == 0 means "unset". Case is kept as received;
 * comparisons ignore ASCII case (RFC 4343). */
typedef struct dns_name {
    uint8_t len;
    uint8_t b[DNS_NAME_MAX];
} dns_name;

/* Why a decode failed: the byte offset of the offending field and a static reason. */
typedef struct dns_err {
    size_t off;
    const char *why;
} dns_err;

/* Parses presentation form ("proxy.mit.edu", trailing dot optional, "." or "" the root; "\."
 * and "\\" and "\DDD" escapes; any other byte taken as is). Returns 0 or -EINVAL (empty label,
 * label over 63 bytes, name over 255, bad escape); *out is set only on success. */
int dns_name_from_str(const char *s, dns_name *out);
/* Formats n into buf[0..cap) without the trailing dot ("." for the root); '.', '\\' and control
 * bytes are escaped. cap >= DNS_NAME_STRLEN always suffices. Returns buf. */
char *dns_name_fmt(const dns_name *n, char *buf, size_t cap);
/* True if a and b are the same name, ignoring ASCII case. */
bool dns_name_eq(const dns_name *a, const dns_name *b);
/* True if n is zone or below it (ignoring case). */
bool dns_name_in_zone(const dns_name *n, const dns_name *zone);
/* Number of labels (the root has 0). */
unsigned dns_name_labels(const dns_name *n);
/* True if n is a well-formed uncompressed wire name (what the encoder requires). */
bool dns_name_valid(const dns_name *n);

/* ---------------------------------------------------------------- records (dns_rr.c) */

/* A <character-string> (RFC 1035 §3.3): up to 255 bytes, NUL-terminated for convenience. */
typedef struct dns_cstr {
    uint8_t len;
    char s[256];
} dns_cstr;

typedef struct dns_question {
    dns_name name;
    uint16_t type;
    uint16_t qclass;          /* without the top bit */
    bool unicast_response;    /* the QU bit, RFC 6762 §5.4 */
} dns_question;

/* A resource record. Typed RDATA lives in `rd`; TXT strings, OPT options, NSEC type bitmaps and
 * the RDATA of types this codec does not know (RFC 3597) live in `data` (owned, g_malloc). */
typedef struct dns_rr {
    dns_name name;
    uint16_t type;
    uint16_t rclass;          /* without the top bit; for OPT the whole field (UDP size) */
    bool cache_flush;         /* RFC 6762 §10.2 (never set for OPT) */
    uint32_t ttl;             /* for OPT: extended RCODE, version and flags, as is */
    union {
        uint8_t a[4];
        uint8_t aaaa[16];
        dns_name target;      /* CNAME, NS, PTR */
        struct {
            uint16_t priority, weight, port;
            dns_name target;
        } srv;
        struct {
            uint16_t order, preference;
            dns_cstr flags, services, regexp;
            dns_name replacement;
        } naptr;
        struct {
            dns_name mname, rname;
            uint32_t serial, refresh, retry, expire, minimum;
        } soa;
        struct {
            dns_name next;    /* type bitmaps in data */
        } nsec;
    } rd;
    uint8_t *data;
    uint16_t data_len;
} dns_rr;

/* Frees rr's owned bytes and zeroes it. NULL-safe. */
void dns_rr_clear(dns_rr *rr);
/* Deep copy of src into dst (dst is overwritten, not cleared first). */
void dns_rr_copy(dns_rr *dst, const dns_rr *src);
/* Replaces rr's opaque bytes with a copy of p[0..n) (n <= 65535). Returns 0 or -EINVAL. */
int dns_rr_set_data(dns_rr *rr, const void *p, size_t n);
/* The A / AAAA address as a sim_ip. Returns 0 or -EINVAL (another type). */
int dns_rr_addr(const dns_rr *rr, sim_ip *ip);
/* True if the two records carry the same owner, type, class and RDATA (TTL ignored; names in
 * RDATA compared ignoring case). */
bool dns_rr_same_data(const dns_rr *a, const dns_rr *b);

/* Appends one <character-string> to a TXT record. Returns 0 or -EINVAL (over 255 bytes, or
 * the RDATA would pass 65535). */
int dns_txt_add(dns_rr *rr, const void *s, size_t n);
/* Iterates a TXT record's strings: *pos starts at 0; returns true with *s (borrowed) and *n set,
 * false at the end. */
bool dns_txt_next(const dns_rr *rr, size_t *pos, const uint8_t **s, size_t *n);
/* DNS-SD (RFC 6763 §6): finds key (ignoring case) among the key=value strings. Returns 1 with
 * *val / *vlen (borrowed; NULL, 0 for a key without '=') set, or 0 when absent. */
int dns_txt_get(const dns_rr *rr, const char *key, const uint8_t **val, size_t *vlen);
/* True if NSEC bitmap of rr lists type t (RFC 4034 §4.1.2). */
bool dns_nsec_has(const dns_rr *rr, uint16_t t);
/* Sets rr's NSEC type bitmaps from types[0..n) (any order). Returns 0 or -EINVAL. */
int dns_nsec_set_types(dns_rr *rr, const uint16_t *types, size_t n);

/* Name of a type ("NAPTR"), or NULL when not known here. */
const char *dns_type_name(uint16_t type);
/* Type from a name ("SRV", "srv", or "TYPE65" per RFC 3597). Returns 0 or -EINVAL. */
int dns_type_from_str(const char *s, uint16_t *type);
/* Names of a class ("IN"), an opcode ("QUERY") and an rcode ("NXDOMAIN"); NULL if unknown. */
const char *dns_class_name(uint16_t cls);
const char *dns_opcode_name(uint8_t op);
const char *dns_rcode_name(uint8_t rc);

/* ---------------------------------------------------------------- messages (dns_msg.c) */

typedef enum dns_section {
    DNS_AN = 0, /* answer */
    DNS_NS = 1, /* authority */
    DNS_AR = 2, /* additional */
} dns_section;

typedef struct dns_msg {
    uint16_t id;
    bool qr, aa, tc, rd, ra, z, ad, cd;
    uint8_t opcode, rcode;
    GArray *qd;     /* of dns_question */
    GArray *rr[3];  /* of dns_rr, by dns_section (cleared with dns_rr_clear) */
} dns_msg;

/* Encoder flags. */
#define DNS_ENC_NO_COMPRESS 1u /* write every name in full */
#define DNS_ENC_MDNS 2u        /* also compress names in SRV and NSEC RDATA (RFC 6762 §18.14) */

/* Initialises an empty message (id 0, a query). Free with dns_msg_clear. */
void dns_msg_init(dns_msg *m);
/* Frees everything the message owns. NULL-safe; the message may be init'ed again. */
void dns_msg_clear(dns_msg *m);
/* Appends a question; returns it (borrowed until the next append). */
dns_question *dns_msg_add_question(dns_msg *m, const dns_name *name, uint16_t type,
                                   uint16_t qclass);
/* Appends a zeroed RR (class IN) to section s and returns it (borrowed until the next append
 * to that section); the message owns it. */
dns_rr *dns_msg_add_rr(dns_msg *m, dns_section s);
/* Appends a deep copy of rr to section s. */
void dns_msg_add_copy(dns_msg *m, dns_section s, const dns_rr *rr);
/* Number of questions / of RRs in a section; the i-th one (borrowed). */
size_t dns_msg_count(const dns_msg *m, dns_section s);
const dns_question *dns_msg_question(const dns_msg *m, size_t i);
const dns_rr *dns_msg_rrs(const dns_msg *m, dns_section s, size_t i);
/* Decodes buf[0..len) into *m (which need not be initialised). On success *m is initialised
 * and owns its contents (free with dns_msg_clear). Returns 0, or -EBADMSG with *e (may be NULL)
 * naming the offset and reason: truncated header or record, counts beyond the data, bad names
 * (label or name too long, reserved label type, pointer loop / to itself / forward / past the
 * end), RDATA of the wrong length for its type, trailing bytes. On failure *m is untouched. */
int dns_msg_decode(const uint8_t *buf, size_t len, dns_msg *m, dns_err *e);
/* Encodes m into buf[0..cap) with name compression (flags DNS_ENC_*), setting *out_len.
 * Returns 0, -EINVAL (a malformed name or RDATA in m), or -ENOSPC (does not fit in cap). */
int dns_msg_encode(const dns_msg *m, unsigned flags, uint8_t *buf, size_t cap, size_t *out_len);

/* ---------------------------------------------------------------- outbox */

#define DNS_OUT_MAX 4096

/* A datagram a core wants sent to `to`. */
typedef struct dns_out {
    sim_ep to;
    size_t len;
    uint8_t data[DNS_OUT_MAX];
} dns_out;

/* ---------------------------------------------------------------- server (dns_server.c) */

/* An authoritative server for zones filled by the caller (the Lua scenario): answers with AA,
 * NXDOMAIN / NODATA with the zone's SOA in the authority section (RFC 2308 §3), follows CNAMEs
 * inside its zones (RFC 1034 §4.3.2), adds the A/AAAA of SRV and NS targets and the SRV/A/AAAA
 * of NAPTR replacements to the additional section (RFC 2782, RFC 3403 §4.2), answers FORMERR
 * to malformed queries, NOTIMP to opcodes other than QUERY, REFUSED outside its zones, and
 * truncates (TC) answers over the UDP limit (RFC 2181 §9: additional records go first). Zones
 * are searched linearly, records kept in the order they were added (answers follow it). */
typedef struct dns_server_stats {
    uint64_t queries, answers, nxdomain, nodata, formerr, notimp, refused, truncated, ignored;
} dns_server_stats;

typedef struct dns_server dns_server;

/* Creates a server core with no zones; udp_max is the response size limit (0: 512). Returns
 * owned. */
dns_server *dns_server_new(size_t udp_max);
/* Frees the core. NULL-safe. */
void dns_server_free(dns_server *s);
/* Adds zone `origin` with SOA record soa (copied; its owner must be origin). Returns 0,
 * -EEXIST (already served) or -EINVAL (not an SOA for origin). */
int dns_server_add_zone(dns_server *s, const dns_rr *soa);
/* Adds a record (copied) to the zone that contains its owner (the deepest one). Returns 0,
 * -ENOENT (in none of the zones), -EEXIST (the same record is there), or -EINVAL (a CNAME
 * beside other data, or other data beside a CNAME: RFC 1034 §3.6.2; a second SOA; OPT). */
int dns_server_add_rr(dns_server *s, const dns_rr *rr);
/* Builds the response to a decoded query (the core of dns_server_input). The response is
 * initialised here; free with dns_msg_clear. */
void dns_server_answer(dns_server *s, const dns_msg *query, dns_msg *resp);
/* One datagram from `from`. Returns 0 (answered), -ENOENT (ignored: a response, or too short
 * to carry an id), or -EBADMSG (malformed: answered FORMERR). */
int dns_server_input(dns_server *s, sim_time_t now, const sim_ep *from, const uint8_t *buf,
                     size_t len);
/* Pops the next response to send; false when none is queued. */
bool dns_server_pop(dns_server *s, dns_out *out);
/* Counters (borrowed). */
const dns_server_stats *dns_server_get_stats(const dns_server *s);
/* Number of zones and of records (SOAs included). */
size_t dns_server_n_zones(const dns_server *s);
size_t dns_server_n_records(const dns_server *s);

/* ---------------------------------------------------------------- stub resolver (dns_resolver.c) */

#define DNS_RTO_DEFAULT SIM_SEC
#define DNS_TRIES_DEFAULT 3
#define DNS_CNAME_MAX 8

typedef struct dns_resolver_cfg {
    sim_ep server;      /* the recursive or authoritative server asked */
    sim_time_t rto;     /* first retransmission timeout, doubled each time (0: 1 s) */
    unsigned tries;     /* transmissions per query (0: 3) */
    bool no_cache;      /* do not cache (every lookup sends) */
    bool no_additional; /* do not cache records of the additional section */
} dns_resolver_cfg;

typedef enum dns_status {
    DNS_OK,        /* records found */
    DNS_NXDOMAIN,  /* the name does not exist */
    DNS_NODATA,    /* the name exists, without records of the type */
    DNS_TIMEOUT,   /* no answer after every transmission */
    DNS_SERVFAIL,  /* the server answered an error (rcode says which) */
    DNS_TRUNCATED, /* TC set: the answer needs TCP, which this resolver does not do */
} dns_status;

/* What a lookup found (borrowed for the duration of the callback). */
typedef struct dns_result {
    unsigned id;
    dns_status status;
    uint8_t rcode;
    dns_name name;      /* as asked */
    uint16_t type;
    GArray *rrs;        /* of dns_rr: the records of `type` at the end of any CNAME chain, TTLs
                         * as left in the cache */
    bool cached;        /* answered from the cache: no packet was sent */
    unsigned sent;      /* datagrams sent for this lookup */
    sim_time_t started, done_at;
} dns_result;

typedef void (*dns_result_fn)(void *ctx, const dns_result *r);

typedef struct dns_resolver_stats {
    uint64_t lookups, sent, retransmits, responses, stray, bad, timeouts;
    uint64_t cache_hits, negative_hits, cache_misses;
} dns_resolver_stats;

typedef struct dns_resolver dns_resolver;

/* Creates a resolver core; cfg copied, rng borrowed (query ids). Returns owned. */
dns_resolver *dns_resolver_new(const dns_resolver_cfg *cfg, sim_rng *rng);
/* Frees the core and its cache; pending lookups are dropped without a callback. NULL-safe. */
void dns_resolver_free(dns_resolver *r);
/* Looks name/type up: from the cache (fn is called before this returns) or by sending a query
 * (fn is called from dns_resolver_input / _timeout). fn is called exactly once. *id (may be
 * NULL) names the lookup. Returns 0 or -EINVAL (bad name, type OPT or 0). */
int dns_resolver_lookup(dns_resolver *r, sim_time_t now, const dns_name *name, uint16_t type,
                        dns_result_fn fn, void *ctx, unsigned *id);
/* One datagram from `from`. Returns 0 (it answered a lookup), -ENOENT (stray: unknown id,
 * wrong source or question), or -EBADMSG. */
int dns_resolver_input(dns_resolver *r, sim_time_t now, const sim_ep *from, const uint8_t *buf,
                       size_t len);
/* Retransmits and gives up what is due at now. */
void dns_resolver_timeout(dns_resolver *r, sim_time_t now);
/* The earliest retransmission or give-up time, or SIM_TIME_NEVER. */
sim_time_t dns_resolver_next_deadline(const dns_resolver *r);
/* Pops the next query to send; false when none is queued. */
bool dns_resolver_pop(dns_resolver *r, dns_out *out);
/* Drops every cached entry. */
void dns_resolver_flush(dns_resolver *r);
/* Number of live cache entries at now (expired ones are purged first). */
size_t dns_resolver_cache_size(dns_resolver *r, sim_time_t now);
/* Counters (borrowed). */
const dns_resolver_stats *dns_resolver_get_stats(const dns_resolver *r);
/* "ok", "NXDOMAIN", "NODATA", "timeout", "server error", "truncated". */
const char *dns_status_name(dns_status st);

/* ---------------------------------------------------------------- driver (dns_sim.c) */

typedef struct dns_app dns_app;
/* Called after every input or timeout of the app's core (the Lua binding wakes waiters). */
typedef void (*dns_app_notify_fn)(dns_app *a, void *ctx);

/* Starts an authoritative server on node n, UDP port `port` (0: 53) on every IPv4 and IPv6
 * address (IPv6 when the port can be bound), around
 * core (ownership taken, also on failure; more zones can be added through
 * dns_app_server_core). Returns borrowed (freed with the world or dns_app_free), or NULL with
 * err set. */
dns_app *dns_app_server(sim_node *n, uint16_t port, dns_server *core, GError **err);
/* Starts a stub resolver on node n (an ephemeral UDP port) asking cfg->server. Returns
 * borrowed, or NULL with err set. */
dns_app *dns_app_resolver(sim_node *n, const dns_resolver_cfg *cfg, GError **err);
/* Stops the app (socket, timer, core). NULL-safe; the handle goes stale. */
void dns_app_free(dns_app *a);
/* The cores (NULL when the app is of the other kind, or stopped). */
dns_server *dns_app_server_core(dns_app *a);
dns_resolver *dns_app_resolver_core(dns_app *a);
/* The app's node and bound local endpoint. */
sim_node *dns_app_node(dns_app *a);
sim_ep dns_app_local(dns_app *a);
/* The app's world handle (kind DNS_REF_KIND). */
sim_ref dns_app_ref(dns_app *a);
/* Installs the notify callback. */
void dns_app_on_notify(dns_app *a, dns_app_notify_fn fn, void *ctx);
/* Sends what the core queued and re-arms the timer; call after calling into the core. */
void dns_app_kick(dns_app *a);
/* Writes a "dns" event for a finished lookup to the world's event log (when it is on). */
void dns_app_log_result(dns_app *a, const dns_result *r);
#define DNS_REF_KIND 0x444e53 /* "DNS" */

/* ---------------------------------------------------------------- Lua (dns_lua.c) */

/* Opens module `dns` (dns.server, dns.resolver, dns.resolve). */
int dns_lua_open(lua_State *L);

/* ---------------------------------------------------------------- CLI (dns_decode.c) */

/* Appends a dig-like dump of m (header, then each section, one record per line). */
void dns_msg_fmt(const dns_msg *m, GString *out);
/* Appends one record in presentation form ("proxy.mit.edu. 300 IN A 18.7.22.83"). */
void dns_rr_fmt(const dns_rr *rr, GString *out);
/* `natsim decode dns FILE` (natsim_decode_fn of cli/cli.h): no options. Returns 0, or -1 with
 * err set (an option was given, or the message is malformed: byte offset and reason). */
int dns_decode(const uint8_t *data, size_t len, int argc, char **argv, GString *out,
               GError **err);

#endif
