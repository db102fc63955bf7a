/* sim/nat_priv.h — internals shared by sim/nat_config.c, nat_table.c and nat_gw.c. */
#ifndef SIM_NAT_PRIV_H
#define SIM_NAT_PRIV_H

#include "sim/nat.h"

/* Lifetime classes: every entry of a class has the same timeout, so refreshing an entry moves
 * it to the tail of its class queue and each queue stays sorted by expiry. Expiry is then O(1)
 * per entry: look at the three heads. (TCP transitory will be a fourth class.) */
typedef enum nat_class { NAT_CLASS_UDP, NAT_CLASS_TCP, NAT_CLASS_ICMP, NAT_CLASS__COUNT } nat_class;

/* Mapping key: what the mapping behaviour makes a mapping depend on (RFC 4787 §4.1).
 * IPv4 only, as host-order integers; fields not used by the behaviour are zero. */
typedef struct nat_mkey {
    uint32_t in_ip, rem_ip;
    uint16_t in_port, rem_port;
    uint8_t proto;
} nat_mkey;

/* One mapping: the public entry first (so nat_entry * and nat_map * convert), then the keys the
 * two hash sets point at, then the link in its lifetime queue. */
typedef struct nat_map {
    nat_entry e;
    nat_mkey mkey;   /* key in t->by_inside */
    uint32_t okey;   /* key in t->by_outside: proto << 16 | outside port */
    nat_class cls;
    GList link;      /* in t->lru[cls]; data points back at this map */
} nat_map;

/* Asks whether an outside port is in use by something other than a mapping (a socket of the
 * NAT host itself); such ports are never assigned. */
typedef bool (*nat_port_busy_fn)(void *ctx, uint8_t proto, uint16_t port);
/* Installs the port-busy check used when a port is assigned. */
void nat_table_set_port_busy(nat_table *t, nat_port_busy_fn fn, void *ctx);
/* The table's outside address (borrowed). */
const sim_ip *nat_table_outside(const nat_table *t);

/* Short protocol name: "udp", "tcp", "icmp", or "proto". */
const char *nat_proto_name(uint8_t proto);
/* Appends "EIM/APDF, preserve 1024-65535, udp 120s, hairpin on" (with the preset name first
 * when there is one: "port-restricted-cone: EIM/APDF, ..."). */
void nat_config_fmt(const nat_config *c, GString *out);
/* Appends an entry's permits ("1.2.3.4:5, 6.7.8.9:*", or "any" under EIF). */
void nat_entry_fmt_permits(const nat_entry *e, GString *out);

#endif
