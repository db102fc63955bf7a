/* sim/nat_priv.h — internals shared by sim/nat_config.c, nat_table.c and nat_gw.c. */
#ifndef SIM_NAT_PRIV_H
#define SIM_NAT_PRIV_H

#include "sim/nat.h"
#include "sim/timer.h"

/* Lifetime classes: every item of a class has the same timeout, so refreshing an item moves
 * it to the tail of its class queue and each queue stays sorted by expiry. Expiry is then O(1)
 * per item: look at the four heads. UDP and ICMP queues hold mappings; the two TCP queues hold
 * sessions (RFC 5382 REQ-5 established / transitory), and a TCP mapping goes with its last
 * session. */
typedef enum nat_class {
    NAT_CLASS_UDP,
    NAT_CLASS_TCP_EST,
    NAT_CLASS_ICMP,
    NAT_CLASS_TCP_TRANS,
    NAT_CLASS__COUNT
} nat_class;

static inline bool nat_class_is_tcp(nat_class c)
{
    return c == NAT_CLASS_TCP_EST || c == NAT_CLASS_TCP_TRANS;
}

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
    nat_class cls;   /* TCP mappings: NAT_CLASS_TCP_EST, but never queued themselves */
    union {
        GList link;  /* UDP, ICMP: in t->lru[cls]; data points back at this map */
        GQueue *sess; /* TCP (owned, 2): sessions by class (0 established, 1 transitory), each
                       * in expiry order, so the mapping's expiry is the later of two tails */
    };
} nat_map;

/* Session key: the mapping's outside port and the remote endpoint (host order). */
typedef struct nat_skey {
    uint32_t rem_ip;
    uint16_t out_port, rem_port;
} nat_skey;

/* One TCP session: the public part first, then its mapping, key and queue links. */
typedef struct nat_sess {
    nat_session s;
    nat_map *map;
    nat_skey skey;   /* key in t->by_session */
    nat_class cls;   /* NAT_CLASS_TCP_EST or NAT_CLASS_TCP_TRANS */
    uint8_t seen;    /* NAT_SEEN_* flags */
    GList tlink;     /* in t->lru[cls] */
    GList mlink;     /* in map->sess[cls == NAT_CLASS_TCP_TRANS] */
} nat_sess;

#define NAT_SEEN_SYN_OUT 0x01
#define NAT_SEEN_SYN_IN 0x02
#define NAT_SEEN_FIN_OUT 0x04
#define NAT_SEEN_FIN_IN 0x08
#define NAT_SEEN_RST 0x10

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

/* ---- the gateway (nat_gw.c; TCP specifics in nat_tcp.c) ---- */

/* A SYN held under unsolicited = "icmp" (RFC 5382 REQ-4). */
typedef struct nat_held {
    sim_pkt *pkt;          /* owned; NULL once released early (crossed) */
    sim_iface *in;         /* where it arrived */
    sim_ep remote, outside; /* the connection it asks for, as seen from outside */
    sim_time_t until;
    sim_drop_reason why;   /* NO_MAPPING or FILTERED */
} nat_held;

struct nat_gw {
    sim_node *node;
    nat_config cfg;
    nat_table *table;         /* NULL until an outside interface has an address */
    sim_timer *timer;         /* armed at the table's next expiry */
    const sim_ep *cur_remote; /* remote of the packet being translated, for log events */
    nat_held held[NAT_TCP_HELD_MAX]; /* ring of held SYNs, in arrival (= deadline) order */
    unsigned held_head, held_len;
    sim_timer *held_timer;    /* armed at the oldest held SYN's deadline */
    nat_tcp_stats tcp;
};

/* A parsed IPv4 packet: header fields read through a cursor, pointers for in-place rewriting. */
typedef struct nat_ip {
    uint8_t *hdr;       /* IPv4 header (writable) */
    size_t len;         /* total length (capped by the bytes present) */
    size_t ihl;         /* header length in bytes */
    uint8_t proto;
    bool later_frag;    /* fragment offset != 0: no transport header */
    sim_ip src, dst;
    uint8_t *l4;        /* transport header */
    size_t l4len;       /* bytes from l4 to the end of the packet */
} nat_ip;

/* Drops pkt with reason r (taken); detail is formatted only when the log is on. Returns
 * NAT_VERDICT_CONSUMED. */
nat_verdict nat_gw_drop(nat_gw *g, sim_iface *in, sim_pkt *pkt, sim_drop_reason r,
                        const char *fmt, ...) G_GNUC_PRINTF(5, 6);
/* Unsolicited TCP from outside (or hairpinned): per cfg.unsolicited drops, answers RST, or
 * holds a SYN (RFC 5382 REQ-4). Takes pkt. Returns NAT_VERDICT_CONSUMED. */
nat_verdict nat_gw_tcp_unsolicited(nat_gw *g, sim_iface *in, sim_pkt *pkt, const nat_ip *ip,
                                   const sim_ep *remote, const sim_ep *outside,
                                   nat_inbound_result r);
/* An outbound SYN was translated for remote from outside endpoint `outside`: held SYNs of that
 * connection are dropped silently (RFC 5382 REQ-4). */
void nat_gw_tcp_crossed(nat_gw *g, const sim_ep *remote, const sim_ep *outside);
/* The TCP flags of ip (l4len >= 20 checked by the caller), read through a cursor. */
uint8_t nat_tcp_flags(const nat_ip *ip);
/* Creates the held-SYN timer (install) and frees held packets (free). */
void nat_gw_tcp_init(nat_gw *g);
void nat_gw_tcp_clear(nat_gw *g);

#endif
