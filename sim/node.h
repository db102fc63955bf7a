/* sim/node.h — nodes (hosts, routers, NAT gateways), their interfaces, addresses and routing
 * tables, and the drop accounting every frame loss goes through (DESIGN §2, §6).
 * A host is a router that does not forward. */
#ifndef SIM_NODE_H
#define SIM_NODE_H

#include <glib.h>
#include "sim/addr.h"
#include "sim/rng.h"
#include "sim/world.h"

typedef struct sim_iface sim_iface;
typedef struct net_state net_state; /* the node's protocol stack state (sim/stack/) */
typedef struct nat_gw nat_gw;       /* the node's NAT function (sim/nat.h), NAT nodes only */

typedef enum sim_node_kind {
    SIM_NODE_HOST,
    SIM_NODE_ROUTER,
    SIM_NODE_NAT,
} sim_node_kind;

/* Why a frame was dropped. Every drop in the engine names one of these. */
typedef enum sim_drop_reason {
    SIM_DROP_LOSS,           /* random loss on a link */
    SIM_DROP_LINK_DOWN,      /* link was down */
    SIM_DROP_QUEUE_FULL,     /* drop-tail: the interface's transmit queue was full */
    SIM_DROP_TTL,            /* TTL / hop limit expired while forwarding */
    SIM_DROP_NO_ROUTE,       /* no route to the destination */
    SIM_DROP_NO_LISTENER,    /* no socket bound to the destination port */
    SIM_DROP_BAD_CHECKSUM,   /* IP/UDP/ICMP/TCP checksum wrong */
    SIM_DROP_MALFORMED,      /* lengths or fields that do not parse */
    SIM_DROP_NAT_FILTERED,   /* NAT mapping exists but its filter refused the sender */
    SIM_DROP_NAT_NO_MAPPING, /* inbound packet for which the NAT has no mapping */
    SIM_DROP_NAT_EXHAUSTED,  /* NAT could not allocate an outside port */
    SIM_DROP_NAT_HAIRPIN,    /* hairpinning disabled */
    SIM_DROP_UNRESOLVED,     /* ARP / neighbour discovery got no answer */
    SIM_DROP_NOT_FORWARDING, /* a host got a packet for another address */
    SIM_DROP_UNSUPPORTED,    /* a protocol or option the stack does not handle */
    SIM_DROP_TOO_BIG,        /* larger than the outgoing MTU (no fragmentation) */
    SIM_DROP__COUNT
} sim_drop_reason;

/* Short stable name of a drop reason ("nat-filtered", "ttl", ...). */
const char *sim_drop_name(sim_drop_reason r);

typedef struct sim_ifaddr {
    sim_ip ip;
    unsigned plen;
} sim_ifaddr;

typedef struct sim_route {
    sim_ip dst;
    unsigned plen;
    sim_ip gw;        /* family SIM_AF_NONE: destination is on-link */
    sim_iface *dev;   /* NULL: chosen from the gateway's connected route */
} sim_route;

typedef enum sim_nat_side {
    SIM_NAT_NONE = 0,
    SIM_NAT_INSIDE,
    SIM_NAT_OUTSIDE,
} sim_nat_side;

struct sim_iface {
    sim_node *node;        /* owner */
    unsigned index;        /* position in node->ifaces */
    char name[16];         /* "eth0" ... */
    uint8_t mac[6];
    uint32_t mtu;          /* IP MTU, <= 1500 */
    sim_link *link;        /* attached link */
    unsigned port;         /* position on the link */
    GArray *addrs4;        /* of sim_ifaddr, IPv4 */
    GArray *addrs6;        /* of sim_ifaddr, IPv6 (a link-local is added on attach) */
    GArray *mcast;         /* of uint8_t[6]: multicast MACs this interface accepts */
    sim_nat_side nat_side; /* role on a NAT node */
    /* transmit side, managed by sim/link.c */
    sim_time_t tx_busy_until;
    uint32_t tx_queued;    /* bytes waiting or being serialised */
    sim_time_t last_arrival; /* keeps FIFO delivery under jitter */
    uint64_t tx_frames, tx_bytes, rx_frames, rx_bytes;
};

struct sim_node {
    sim_world *world;
    char *name;
    sim_node_kind kind;
    unsigned id;           /* creation index */
    sim_ref ref;
    bool forwarding;       /* routers and NATs forward; hosts do not */
    sim_rng rng;           /* the node's own stream, from (seed, name) */
    GPtrArray *ifaces;     /* of sim_iface *, owned */
    GArray *routes;        /* of sim_route */
    uint64_t drops[SIM_DROP__COUNT];
    net_state *net;        /* stack state, owned (sim/stack/) */
    nat_gw *nat;           /* NAT function, owned; NULL unless kind == SIM_NODE_NAT */
};

typedef struct sim_iface_opts {
    const char *name;      /* NULL: "ethN" */
    const uint8_t *mac;    /* NULL: derived from (node name, index) */
    uint32_t mtu;          /* 0: 1500 */
} sim_iface_opts;

/* Creates a node and gives it to the world. Names are unique. Returns borrowed (world-owned),
 * or NULL with err set. */
sim_node *sim_node_new(sim_world *w, const char *name, sim_node_kind kind, GError **err);
/* Frees a node (called by the world). */
void sim_node_free(sim_node *n);
/* Attaches a new interface to a link. Returns borrowed (node-owned), or NULL with err set
 * (link full, bad MTU). */
sim_iface *sim_node_attach(sim_node *n, sim_link *l, const sim_iface_opts *opts, GError **err);
/* Adds an address (and its connected route). Returns 0 or -EINVAL / -EEXIST. */
int sim_iface_add_addr(sim_iface *i, const sim_ip *ip, unsigned plen);
/* The interface's first address of a family, or NULL. */
const sim_ip *sim_iface_addr(const sim_iface *i, int family);
/* Adds a route. dev may be NULL when gw is on a connected prefix. Returns 0 or -EINVAL. */
int sim_node_add_route(sim_node *n, const sim_ip *dst, unsigned plen, const sim_ip *gw,
                       sim_iface *dev);
/* Longest-prefix match; returns borrowed route or NULL. */
const sim_route *sim_node_route(const sim_node *n, const sim_ip *dst);
/* True if ip is one of the node's unicast addresses. */
bool sim_node_has_addr(const sim_node *n, const sim_ip *ip);
/* The node's interface holding ip, or NULL. */
sim_iface *sim_node_iface_by_addr(const sim_node *n, const sim_ip *ip);
/* Interface by name, or NULL. */
sim_iface *sim_node_iface_by_name(const sim_node *n, const char *name);
/* The first address of a family over the node's interfaces in attach order (what a program
 * on a wildcard socket calls its local address), or an all-zero sim_ip (family 0) if none. */
sim_ip sim_node_first_addr(const sim_node *n, int family);
/* Accounts for a dropped packet: counts it on the node, logs it (with detail, if the log is on)
 * and frees pkt (taken; may be NULL when there is no buffer to free). */
void sim_node_drop(sim_node *n, sim_iface *i, sim_pkt *pkt, sim_drop_reason r, const char *detail);
/* True when the event log is on (so callers format drop details only when they will be read). */
bool sim_node_log_on(const sim_node *n);
/* Human name of a node kind ("host", "router", "nat"). */
const char *sim_node_kind_name(sim_node_kind k);

/* ---- run-time address removal (sim/iface_config.c) ---- */
/* Removes an address from an interface, with its connected route and every route of the node
 * whose gateway was reachable only through the removed prefix on that interface (the default
 * route a DHCP lease installed). Sockets bound to the address stay open but can no longer send
 * (-EADDRNOTAVAIL) nor receive for it; ARP stops answering for it. Returns 0, -EINVAL or
 * -ENOENT (not an address of i). */
int sim_iface_del_addr(sim_iface *i, const sim_ip *ip);

#endif
