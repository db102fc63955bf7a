/* sim/nat.h — NAT gateways configured by behaviour, not by vague "types" (DESIGN §3).
 * RFC 4787 (UDP) and RFC 5382 (TCP) behaviours: mapping EIM / ADM / APDM, filtering EIF / ADF /
 * APDF, port assignment (preserve, sequential, random; range; parity), mapping lifetime and
 * refresh direction, hairpinning, what unsolicited inbound packets get, ICMP error translation
 * (RFC 5508), chaining (NAT444). Presets: full-cone (EIM+EIF), restricted-cone (EIM+ADF),
 * port-restricted-cone (EIM+APDF), symmetric (APDM+APDF).
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
    NAT_UNSOLICITED_RST,  /* TCP: answer RST (issue 3); UDP behaves like ICMP */
} nat_unsolicited;

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
} nat_entry;

typedef struct nat_table nat_table;

/* Why an inbound lookup failed. */
typedef enum nat_inbound_result {
    NAT_IN_OK = 0,
    NAT_IN_NO_MAPPING,  /* no entry for that outside port */
    NAT_IN_FILTERED,    /* an entry exists; its filter refuses the remote (entry set) */
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
/* Outbound packet inside -> remote: finds or creates the mapping the mapping behaviour asks
 * for, admits remote through the filter, refreshes. Returns 0 with *e set (borrowed), or
 * -ENOSPC when no outside port is free. */
int nat_table_outbound(nat_table *t, sim_time_t now, uint8_t proto, const sim_ep *inside,
                       const sim_ep *remote, nat_entry **e);
/* Inbound packet remote -> outside: returns NAT_IN_OK with *e set when the filter admits it
 * (refreshing it if inbound_refresh), or why not (with *e set to the refusing entry when
 * filtered). */
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
/* Appends a printed translation table (header + one line per entry) to out. */
void nat_gw_fmt_table(nat_gw *g, GString *out);

#endif
