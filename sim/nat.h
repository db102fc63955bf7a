/* sim/nat.h — NAT gateways configured by behaviour, not by vague "types" (DESIGN §3).
 * RFC 4787 (UDP) and RFC 5382 (TCP) behaviours: mapping EIM / ADM / APDM, filtering EIF / ADF /
 * APDF, port assignment (preserve, sequential, random; range; parity), mapping lifetime and
 * refresh direction, hairpinning, what unsolicited inbound packets get, ICMP error translation
 * (RFC 5508), chaining (NAT444). Presets: full-cone (EIM+EIF), restricted-cone (EIM+ADF),
 * port-restricted-cone (EIM+APDF), symmetric (APDM+APDF).
 *
 * TCP (RFC 5382): a mapping is made only by an outbound SYN and carries one session per remote
 * endpoint (the connection inside ep <-> remote ep), tracked from the SYN / FIN / RST flags:
 * established sessions idle out after tcp_established (REQ-5: >= 2 h 4 min), partially open or
 * closed ones after tcp_transitory (>= 4 min); the mapping lives while any session lives.
 * Segments outside any session the NAT saw open are dropped (SIM_DROP_NAT_NO_MAPPING).
 *
 * Two layers: nat_table is the pure translation table (endpoints in, decisions out, no frames),
 * unit-testable on its own; nat_gw is the function on a NAT node that rewrites real IPv4
 * headers and fixes checksums, called from the stack's forwarding path. */
#ifndef SIM_NAT_H
#define SIM_NAT_H

#include <glib.h>
#include "sim/addr.h"
#include "sim/node.h"
#include "sim/pkt.h"
#include "sim/rng.h"
#include "sim/time.h"

typedef enum nat_mapping { NAT_MAP_EIM, NAT_MAP_ADM, NAT_MAP_APDM } nat_mapping;
typedef enum nat_filtering { NAT_FILTER_EIF, NAT_FILTER_ADF, NAT_FILTER_APDF } nat_filtering;
typedef enum nat_port_alloc {
    NAT_PORT_PRESERVE,   /* keep the inside port when free, else fall back to sequential */
    NAT_PORT_SEQUENTIAL, /* next free port after the last one given */
    NAT_PORT_RANDOM,     /* random free port from the node's stream */
} nat_port_alloc;
typedef enum nat_unsolicited {
    NAT_UNSOLICITED_DROP, /* silently drop (most home NATs) */
    NAT_UNSOLICITED_ICMP, /* answer ICMP destination unreachable (port / admin prohibited) */
    NAT_UNSOLICITED_RST,  /* TCP SYN: answer RST at once from the outside address; UDP: ICMP */
} nat_unsolicited;
/* For TCP, "icmp" is RFC 5382 REQ-4: an unsolicited SYN is held 6 s and silently dropped if an
 * outbound SYN of the same connection is translated meanwhile (simultaneous open), else answered
 * with ICMP port unreachable. Unsolicited TCP segments without SYN are always dropped silently. */
#define NAT_TCP_SYN_HOLD (6 * SIM_SEC)
#define NAT_TCP_HELD_MAX 64 /* held SYNs per NAT; more are dropped (counted) */

typedef struct nat_config {
    nat_mapping mapping;
    nat_filtering filtering;
    nat_port_alloc port_alloc;
    uint16_t port_min, port_max;     /* outside port range, inclusive */
    bool port_parity;                /* keep even/odd parity of the inside port (RFC 4787 REQ-4) */
    sim_time_t udp_timeout;          /* UDP mapping lifetime (RFC 4787 REQ-5: >= 2 min) */
    bool inbound_refresh;            /* inbound packets refresh the mapping too */
    sim_time_t tcp_established;      /* RFC 5382 REQ-5: >= 2 h 4 min */
    sim_time_t tcp_transitory;       /* RFC 5382: >= 4 min */
    sim_time_t icmp_timeout;         /* ICMP query (echo) mapping lifetime, 60 s */
    bool hairpin;                    /* RFC 4787 REQ-9 */
    nat_unsolicited unsolicited;
} nat_config;

/* Fills the default: port-restricted cone (EIM + APDF), port preservation in 1024..65535,
 * UDP 120 s refreshed by outbound only, hairpinning on, unsolicited dropped. */
void nat_config_default(nat_config *c);
/* Applies a preset over c ("full-cone", "restricted-cone", "port-restricted-cone",
 * "symmetric"). Returns 0 or -EINVAL. */
int nat_config_preset(nat_config *c, const char *name);
/* Checks a config (range, timeouts); returns 0 or -EINVAL with a message in err. */
int nat_config_check(const nat_config *c, GError **err);
/* Names: "EIM"/"ADM"/"APDM", "EIF"/"ADF"/"APDF", "preserve"/"sequential"/"random",
 * "drop"/"icmp"/"rst". Parsers accept these (any case) and long forms like
 * "endpoint-independent", "address-dependent", "address-and-port-dependent". */
const char *nat_mapping_name(nat_mapping m);
const char *nat_filtering_name(nat_filtering f);
const char *nat_port_alloc_name(nat_port_alloc a);
const char *nat_unsolicited_name(nat_unsolicited u);
int nat_mapping_parse(const char *s, nat_mapping *out);
int nat_filtering_parse(const char *s, nat_filtering *out);
int nat_port_alloc_parse(const char *s, nat_port_alloc *out);
int nat_unsolicited_parse(const char *s, nat_unsolicited *out);
/* The preset name matching c's mapping and filtering, or NULL ("EIM+ADF" has one; ADM+EIF none). */
const char *nat_config_preset_name(const nat_config *c);

/* What the NAT has seen of one TCP connection (RFC 5382 §5). Transitory states idle out after
 * tcp_transitory, the others after tcp_established. */
typedef enum nat_tcp_state {
    NAT_TCP_SYN_SENT,     /* outbound SYN only (transitory) */
    NAT_TCP_SYN_RECEIVED, /* inbound SYN only, admitted by the filter (transitory) */
    NAT_TCP_ESTABLISHED,  /* SYNs seen in both directions */
    NAT_TCP_FIN_WAIT,     /* established, FIN seen in one direction (half-closed) */
    NAT_TCP_CLOSING,      /* FIN seen in both directions (transitory, TIME-WAIT-like) */
    NAT_TCP_CLOSED,       /* RST seen (transitory) */
} nat_tcp_state;

/* One TCP session of a mapping: the remote endpoint of the connection and its tracking. */
typedef struct nat_session {
    sim_ep remote;
    nat_tcp_state state;
    sim_time_t created, last_used, expires;
    uint64_t pkts_out, pkts_in;
    uint64_t id;              /* creation order within the table */
} nat_session;

/* Name of a TCP tracking state: "syn-sent", "syn-received", "established", "fin-wait",
 * "closing", "closed". */
const char *nat_tcp_state_name(nat_tcp_state s);
/* True for the states that idle out after tcp_transitory. */
bool nat_tcp_state_transitory(nat_tcp_state s);

/* One translation: what Lua reads and the run prints. */
typedef struct nat_entry {
    uint8_t proto;            /* 17 UDP, 6 TCP, 1 ICMP (query id as the "port") */
    sim_ep inside;            /* inside host address:port */
    sim_ep outside;           /* the NAT's outside address:port */
    sim_ep remote;            /* ADM/APDM: the remote it was made for (port 0 under ADM) */
    GArray *permits;          /* of sim_ep: remotes the filter admits (port 0 under ADF and for
                               * ICMP); empty under EIF, whose filter admits anyone */
    sim_time_t created, last_used, expires;
    uint64_t pkts_out, pkts_in;
    uint64_t id;              /* creation order, for stable printing */
    /* TCP only: live sessions, and the state of the most recently active one; the mapping
     * expires with its last session (expires = the latest session expiry) */
    unsigned sessions;
    nat_tcp_state tcp_state;
} nat_entry;

typedef struct nat_table nat_table;

/* Why an inbound lookup failed. */
typedef enum nat_inbound_result {
    NAT_IN_OK = 0,
    NAT_IN_NO_MAPPING,  /* no entry for that outside port */
    NAT_IN_FILTERED,    /* an entry exists; its filter refuses the remote (entry set) */
    NAT_IN_NO_SESSION,  /* TCP: admitted, but no session and no SYN to open one (entry set) */
} nat_inbound_result;

/* Table events, for the log: create, refresh, expire. */
typedef enum nat_event { NAT_EV_CREATE, NAT_EV_REFRESH, NAT_EV_EXPIRE } nat_event;
typedef void (*nat_event_fn)(void *ctx, nat_event ev, const nat_entry *e, sim_time_t now);

/* A table for one outside address. rng is borrowed (the NAT node's stream). Returns owned. */
nat_table *nat_table_new(const nat_config *c, const sim_ip *outside, sim_rng *rng);
/* Frees the table and its entries. NULL-safe. */
void nat_table_free(nat_table *t);
/* Sets the callback for create/refresh/expire events. */
void nat_table_on_event(nat_table *t, nat_event_fn fn, void *ctx);
/* Outbound UDP / ICMP packet inside -> remote: finds or creates the mapping the mapping
 * behaviour asks for, admits remote through the filter, refreshes. Returns 0 with *e set
 * (borrowed), -ENOSPC when no outside port is free, -EINVAL for TCP (nat_table_tcp_out). */
int nat_table_outbound(nat_table *t, sim_time_t now, uint8_t proto, const sim_ep *inside,
                       const sim_ep *remote, nat_entry **e);
/* Outbound TCP segment with flags (TCP_SYN ...) inside -> remote (RFC 5382): a SYN finds or
 * creates the mapping (as nat_table_outbound) and the session for remote; any segment of a
 * session advances its tracking state and refreshes it. Returns 0 with *e set (borrowed),
 * -ENOENT when the segment has no SYN and no session exists (nothing changed), -ENOSPC when
 * no outside port is free. */
int nat_table_tcp_out(nat_table *t, sim_time_t now, const sim_ep *inside, const sim_ep *remote,
                      uint8_t flags, nat_entry **e);
/* Inbound TCP segment remote -> outside: NAT_IN_OK with *e set when a session carries it (a
 * SYN admitted by the filter opens one), else NO_MAPPING, FILTERED or NO_SESSION (*e set to
 * the entry for the last two). Packets in both directions refresh a session (its idle time). */
nat_inbound_result nat_table_tcp_in(nat_table *t, sim_time_t now, const sim_ep *remote,
                                    const sim_ep *outside, uint8_t flags, nat_entry **e);
/* The sessions of TCP entry e in creation order (borrowed pointers, valid until the table
 * changes). Returns owned GPtrArray (empty for UDP / ICMP entries). */
GPtrArray *nat_table_sessions(const nat_table *t, const nat_entry *e);
/* Inbound UDP / ICMP packet remote -> outside: returns NAT_IN_OK with *e set when the filter
 * admits it (refreshing it if inbound_refresh), or why not (with *e set to the refusing entry
 * when filtered). TCP (use nat_table_tcp_in) gives NAT_IN_NO_MAPPING. */
nat_inbound_result nat_table_inbound(nat_table *t, sim_time_t now, uint8_t proto,
                                     const sim_ep *remote, const sim_ep *outside, nat_entry **e);
/* The entry owning an outside port, regardless of filtering (hairpinning, ICMP), or NULL. */
nat_entry *nat_table_find_outside(nat_table *t, uint8_t proto, const sim_ep *outside);
/* The entry an outbound packet inside -> remote would use, without creating or refreshing
 * anything (ICMP errors from inside about inbound-translated packets), or NULL. */
nat_entry *nat_table_find_inside(nat_table *t, uint8_t proto, const sim_ep *inside,
                                 const sim_ep *remote);
/* True when entry e's filter admits a packet from remote (no side effects). */
bool nat_table_admits(const nat_table *t, const nat_entry *e, const sim_ep *remote);
/* Removes entries whose expiry is <= now (emitting expire events). Returns how many. */
unsigned nat_table_expire(nat_table *t, sim_time_t now);
/* Earliest expiry, or SIM_TIME_NEVER. */
sim_time_t nat_table_next_expiry(const nat_table *t);
/* Entries sorted by creation order (borrowed pointers into the table, valid until it changes).
 * Returns owned GPtrArray (free with g_ptr_array_unref). */
GPtrArray *nat_table_entries(const nat_table *t);
/* Number of live entries. */
size_t nat_table_size(const nat_table *t);
/* One-line description of an entry ("udp 192.168.60.153:1211 -> 68.36.210.57:21199 ..."). */
void nat_entry_fmt(const nat_entry *e, sim_time_t now, GString *out);

/* ---- the gateway on a NAT node ---- */

/* Verdict of nat_gw_input for the stack. */
typedef enum nat_verdict {
    NAT_VERDICT_LOCAL,    /* not translated: process normally (e.g. addressed to the NAT) */
    NAT_VERDICT_FORWARD,  /* translated in place: forward by the new destination */
    NAT_VERDICT_CONSUMED, /* dropped (accounted) or answered; the stack must not touch pkt */
} nat_verdict;

/* Makes node n (kind SIM_NODE_NAT) a NAT with config c; sets n->nat. Returns 0 or -EINVAL. */
int nat_gw_install(sim_node *n, const nat_config *c, GError **err);
/* Frees the gateway (called by sim_node_free). NULL-safe. */
void nat_gw_free(nat_gw *g);
/* Marks an interface inside or outside. The outside address is the interface's first IPv4
 * address when the first packet is translated. Returns 0 or -EINVAL. */
int nat_gw_set_side(nat_gw *g, sim_iface *i, sim_nat_side side);
/* Hook from the IPv4 input path of a NAT node: pkt->data points at the IPv4 header, which has
 * been validated (lengths, header checksum). Rewrites addresses, ports / ICMP ids, inner headers
 * of ICMP errors, and checksums in place. Takes ownership of pkt only on CONSUMED. */
nat_verdict nat_gw_input(nat_gw *g, sim_iface *in, sim_pkt *pkt);
/* The gateway's config (borrowed) and table (borrowed; NULL before an outside address exists). */
const nat_config *nat_gw_config(const nat_gw *g);
nat_table *nat_gw_table(nat_gw *g);
/* Appends a printed translation table (header + one line per entry, TCP entries followed by
 * one indented line per session) to out. */
void nat_gw_fmt_table(nat_gw *g, GString *out);

/* What happened to unsolicited TCP segments (all also counted as node drops with a reason). */
typedef struct nat_tcp_stats {
    uint64_t rst_sent;      /* "rst": RSTs answered to unsolicited SYNs */
    uint64_t syn_held;      /* "icmp": SYNs held for NAT_TCP_SYN_HOLD (RFC 5382 REQ-4) */
    uint64_t held_crossed;  /* held SYNs dropped silently: an outbound SYN crossed them */
    uint64_t held_icmp;     /* held SYNs answered with ICMP port unreachable after the hold */
    uint64_t held_overflow; /* SYNs dropped silently because NAT_TCP_HELD_MAX were held */
    uint64_t no_session;    /* segments without SYN outside any session (either direction) */
} nat_tcp_stats;
/* The gateway's TCP counters (borrowed). */
const nat_tcp_stats *nat_gw_tcp_stats(const nat_gw *g);

#endif
