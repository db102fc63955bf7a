/* sim/stack/net_priv.h — internals shared by the stack's files (eth, arp, ipv4, icmp, ipv6, ndp,
 * icmp6, udp) and sim/socket.c: the per-node state, the neighbour cache used by both ARP
 * (RFC 826) and NDP (RFC 4861), multicast memberships, sockets and pending pings.
 *
 * Conventions inside the stack:
 *  - pkt->data points at the header of the layer being handled.
 *  - On local delivery to a transport (UDP, ICMP, ICMPv6), pkt->data is at the transport header
 *    and pkt->l3 holds the length of the IP header (with options / extension headers) that
 *    precedes it in the buffer, so an ICMP error can quote the datagram (sim_pkt_push(l3)).
 *  - pkt->in is the interface a packet arrived on; NULL for locally originated packets. */
#ifndef SIM_STACK_NET_PRIV_H
#define SIM_STACK_NET_PRIV_H

#include <glib.h>
#include "sim/cursor.h"
#include "sim/socket.h"
#include "sim/stack/net.h"
#include "sim/timer.h"
#include "sim/world.h"

#define NET_NEIGH_TRIES 3                /* requests before giving up (RFC 4861 MAX_MULTICAST_SOLICIT) */
#define NET_NEIGH_RETRANS (1 * SIM_SEC)  /* between requests (RFC 4861 RETRANS_TIMER) */
#define NET_NEIGH_LIFETIME (60 * SIM_SEC)
#define NET_NEIGH_QUEUE 101              /* packets held per unresolved next hop (Linux unres_qlen) */
#define NET_ETH_MIN_FRAME 60             /* without FCS */
#define NET_ICMP6_QUOTE_MAX (1280 - NET_IP6_HLEN - 8) /* RFC 4443 2.4 (c) */

/* One neighbour: an IPv4 (ARP) or IPv6 (NDP) next hop on one interface. */
typedef struct net_neigh {
    sim_iface *iface;
    sim_ip ip;
    uint8_t mac[6];
    bool resolved;
    sim_time_t expires;   /* resolved entries are used until then, then re-resolved */
    unsigned tries;       /* requests sent in the current resolution */
    sim_pkt *q_head, *q_tail; /* packets waiting (data at the IP header), linked by pkt->next */
    unsigned q_len;
    sim_timer *timer;     /* retransmission; created with the entry */
} net_neigh;

/* A multicast group joined on an interface (reference counted across sockets). */
typedef struct net_group {
    sim_iface *iface;
    sim_ip group;
    unsigned refs;
} net_group;

/* A socket's own membership. */
typedef struct net_sock_group {
    sim_ip group;
    sim_iface *iface;
} net_sock_group;

struct sim_sock {
    sim_node *node;
    int family;
    sim_sock_type type;
    sim_ref ref;
    sim_ep local;          /* port 0 while unbound */
    sim_ep remote;         /* valid when connected */
    bool bound, connected, reuse, closed;
    uint8_t ttl, mcast_ttl;
    sim_iface *mcast_if;   /* outgoing interface for multicast, NULL: default */
    sim_sock_recv_fn on_recv;
    void *recv_ctx;
    sim_sock_error_fn on_error;
    void *error_ctx;
    GArray *groups;        /* of net_sock_group */
    struct net_tcp_sock *tcp; /* TCP sockets only (sim/stack/tcp_stack.h) */
    sim_iface *bound_if;   /* sim_sock_bind_iface (SO_BINDTODEVICE); NULL: any interface */
};

/* A ping waiting for its reply. */
typedef struct net_ping {
    int family;
    sim_ip dst;
    uint16_t seq;
    sim_time_t sent, deadline;
    sim_ping_fn fn;
    void *ctx;
} net_ping;

struct net_state {
    sim_node *node;
    GHashTable *neigh;     /* net_neigh* (key = value), hashed on (iface, ip) */
    GPtrArray *neigh_list; /* the same entries in creation order (freeing, stable iteration) */
    GArray *groups;        /* of net_group */
    GHashTable *udp;       /* (family << 16 | port) -> GPtrArray of sim_sock*, in bind order */
    GPtrArray *socks;      /* every open socket, creation order */
    GPtrArray *dead;       /* sockets closed while callbacks were running */
    unsigned busy;         /* depth of socket callbacks in progress */
    uint16_t ip_id;
    bool echo_id_set;
    uint16_t echo_id, echo_seq;
    struct net_tcp *tcp;   /* TCP connections and ports (sim/stack/tcp_stack.h) */
    GPtrArray *pings;      /* of net_ping*, sorted by deadline */
    sim_timer *ping_timer;
    GPtrArray *slaac;      /* net_slaac* per interface index (NULL: not configured), slaac.c */
    GPtrArray *ra;         /* net_ra* per interface index (NULL: not advertising), ndp_router.c */
    GPtrArray *arp_watch;  /* of sim_arp_watch*, in registration order (arp_watch.c) */
    GPtrArray *addr_watch; /* of sim_addr_watch*, in registration order (addr_watch.c) */
};

/* ---- stack.c ---- */
/* The route to dst: outgoing interface and next hop. Returns 0 or -ENETUNREACH. */
int net_route(sim_node *n, const sim_ip *dst, sim_iface **out, sim_ip *nexthop);
/* The address of interface i to use as source towards dst (same family), or NULL. */
const sim_ip *net_iface_src(const sim_iface *i, const sim_ip *dst);
/* The first interface with an address of the family (multicast default), or NULL. */
sim_iface *net_default_iface(sim_node *n, int family);
/* The world's packet pool of the node. */
static inline sim_pkt_pool *net_pool(sim_node *n) { return sim_world_pool(n->world); }
/* Joins / leaves a group on an interface (refcounted; the first join adds the MAC). */
void net_group_join(sim_iface *i, const sim_ip *group);
void net_group_leave(sim_iface *i, const sim_ip *group);
/* True if the group is joined on interface i. */
bool net_group_joined(const sim_iface *i, const sim_ip *group);
/* The solicited-node multicast address of ip (ff02::1:ffXX:XXXX). */
void net_solicited_node(const sim_ip *ip, sim_ip *out);
/* Schedules local delivery of a packet this node sent to itself, as if it arrived on `owner`
 * (the interface holding the destination address). Takes ownership. */
void net_loopback(sim_iface *owner, sim_pkt *pkt);

/* ---- arp.c: the neighbour cache shared with NDP ---- */
/* Sends pkt (data at the IP header) to nexthop on out, resolving it first when needed.
 * Takes ownership. */
void net_neigh_send(sim_iface *out, const sim_ip *nexthop, sim_pkt *pkt);
/* Records a neighbour's MAC (from a reply, or a request/solicitation to us when `create`) and
 * sends what was waiting for it. */
void net_neigh_update(sim_iface *i, const sim_ip *ip, const uint8_t mac[6], bool create);
/* Frees every entry (node teardown). */
void net_neigh_free_all(net_state *st);
/* Sends one ARP request for ip on i (from arp.c). */
void net_arp_request(sim_iface *i, const sim_ip *ip);

/* ---- ndp.c ---- */
/* Sends one Neighbor Solicitation for target on i. */
void net_ndp_solicit(sim_iface *i, const sim_ip *target);
/* An NS or NA (data at the ICMPv6 header, checksum verified). Takes ownership. */
void net_ndp_input(sim_iface *in, sim_pkt *pkt, const sim_ip *src, const sim_ip *dst,
                   uint8_t hlim);

#define NET_ND_HLIM 255
#define NET_ND_OPT_SLLA 1
#define NET_ND_OPT_TLLA 2
#define NET_ND_OPT_PREFIX 3
#define NET_ND_OPT_MTU 5
#define NET_ND_OPT_NONCE 14
#define NET_ICMP6_RS 133
#define NET_ICMP6_RA 134
#define NET_ICMP6_NS 135
#define NET_ICMP6_NA 136
/* Reads the next ND option (RFC 4861 4.6) from c: its type and its body (after type and
 * length) as a sub-cursor. Returns 1, 0 at the end, or -EBADMSG (length 0 or past the end). */
int net_nd_opt_next(cur *c, uint8_t *type, cur *body);
/* Sends an ND message whose body (after type/code/checksum) is in pkt, from src (may be ::) to
 * dst on i with hop limit 255, building the ICMPv6 and IPv6 headers here so that the
 * unspecified source of DAD and RS survives. Takes ownership. */
void net_nd_send(sim_iface *i, sim_pkt *pkt, uint8_t type, const sim_ip *src, const sim_ip *dst);

/* ---- slaac.c / ndp_router.c (see sim/stack/slaac.h) ---- */
/* An NS for target arrived on in: true when target is one of in's tentative addresses (the
 * message is then fully handled: RFC 4862 5.4.3). nonce is the Nonce option body or NULL. */
bool net_slaac_ns_input(sim_iface *in, const sim_ip *target, bool from_any,
                        const uint8_t *nonce, size_t nonce_len);
/* An NA for target arrived on in: true when target was tentative there (now duplicate). */
bool net_slaac_na_input(sim_iface *in, const sim_ip *target);
/* A Router Advertisement (data at the ICMPv6 header, checksum verified). Takes ownership. */
void net_slaac_ra_input(sim_iface *in, sim_pkt *pkt, const sim_ip *src, uint8_t hlim);
/* A Router Solicitation (data at the ICMPv6 header, checksum verified). Takes ownership. */
void net_ra_rs_input(sim_iface *in, sim_pkt *pkt, const sim_ip *src, uint8_t hlim);
/* Frees the per-interface autoconfiguration / advertising state (node teardown). */
void net_slaac_free_all(net_state *st);
void net_ra_free_all(net_state *st);

/* ---- ipv4.c ---- */
/* net_ip4_output with a chosen interface for multicast / broadcast (NULL: default). */
int net_ip4_output_if(sim_node *n, sim_pkt *pkt, const sim_ip *src, const sim_ip *dst,
                      uint8_t proto, uint8_t ttl, sim_iface *out);
/* True if dst is the limited broadcast or the directed broadcast of a subnet on i. */
bool net_ip4_is_bcast(const sim_iface *i, const sim_ip *dst);
/* Local delivery of a validated IPv4 packet (data at the IPv4 header). Takes ownership. */
void net_ip4_deliver(sim_node *n, sim_iface *in, sim_pkt *pkt);

/* ---- icmp.c ---- */
/* ICMP message for us (data at the ICMP header, l3 set). Takes ownership. */
void net_icmp4_input(sim_iface *in, sim_pkt *pkt, const sim_ip *src, const sim_ip *dst,
                     uint8_t ttl);
/* net_icmp4_error with the "next-hop MTU" field of frag-needed (RFC 1191). */
void net_icmp4_error_mtu(sim_node *n, const sim_pkt *offending, uint8_t type, uint8_t code,
                         uint16_t mtu);
/* Pings: a reply or an error arrived for (family, id, seq). */
void net_ping_done(sim_node *n, int family, uint16_t id, uint16_t seq, int err, unsigned ttl);
/* Frees pending pings without calling them (node teardown). */
void net_ping_free_all(net_state *st);
/* The node's echo identifier (drawn once from the node's stream). */
uint16_t net_echo_id(sim_node *n);

/* ---- ipv6.c / icmp6.c ---- */
/* Sends a complete IPv6 packet (data at the header) towards its destination: routes, checks
 * the MTU, resolves, transmits. `in` is set when forwarding (for ICMPv6 errors). Takes ownership. */
void net_ip6_route_out(sim_node *n, sim_pkt *pkt, sim_iface *in, sim_iface *out_hint);
/* ICMPv6 message for us (data at the ICMPv6 header, l3 set). Takes ownership. */
void net_icmp6_input(sim_iface *in, sim_pkt *pkt, const sim_ip *src, const sim_ip *dst,
                     uint8_t hlim);
/* Builds and sends an ICMPv6 message whose body (after the 4-byte type/code/checksum) is
 * already in pkt. Takes ownership. */
int net_icmp6_send(sim_node *n, sim_pkt *pkt, uint8_t type, uint8_t code, const sim_ip *src,
                   const sim_ip *dst, uint8_t hlim, sim_iface *out);

/* ---- udp.c ---- */
/* Adds / removes a bound socket in the port table. */
void net_udp_hash_add(net_state *st, sim_sock *s);
void net_udp_hash_del(net_state *st, sim_sock *s);
/* Sockets bound to (family, port), in bind order, or NULL. */
GPtrArray *net_udp_lookup_port(net_state *st, int family, uint16_t port);
/* Ends a socket-callback section (st->busy++ before it): frees the sockets closed inside it
 * once no callback runs any more. */
void net_sock_release(net_state *st);
/* A new unbound socket of the node (sim/socket.c). Returns node-owned, NULL for a bad family. */
sim_sock *net_sock_new(sim_node *n, int family, sim_sock_type type);
/* Binds an ephemeral port when the socket is unbound. Returns 0 or sim_sock_bind's error. */
int net_sock_autobind(sim_sock *s);
/* Frees a socket's memory (after it was unhashed). */
void net_sock_destroy(sim_sock *s);

/* Reads a big-endian 16-bit value at p. */
static inline uint16_t net_rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
/* Writes a big-endian 16-bit value at p. */
static inline void net_wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* The source address for an IPv6 packet to dst: src when given (not unset/any), else the best
 * address of interface out (when given), else the one routing picks. Returns 0 or -ENETUNREACH. */
int net_ip6_pick_src(sim_node *n, sim_iface *out, const sim_ip *src, const sim_ip *dst,
                     sim_ip *s);

/* ---- arp_watch.c, iface_config.c: run-time interface configuration (IPv4) ---- */
/* Tells the ARP watchers of interface in about a valid ARP packet that arrived (arp.c). */
void net_arp_watch_notify(sim_iface *in, uint16_t op, const uint8_t sha[6], const sim_ip *spa,
                          const uint8_t tha[6], const sim_ip *tpa);
/* Frees every watcher of the node (node teardown). */
void net_arp_watch_free_all(net_state *st);
/* Frees every address watcher of the node (node teardown). */
void net_addr_watch_free_all(net_state *st);
/* For a socket bound to an interface: the outgoing interface and source address of a
 * datagram to dst. Broadcast and multicast leave by the bound interface, from its address or
 * 0.0.0.0 when it has none (RFC 1122 3.2.1.3 (a), RFC 2131 4.1). Returns 1 (out and src set),
 * 0 (not bound, or unicast: route as usual) or -EADDRNOTAVAIL. */
int net_sock_iface_route(const sim_sock *s, const sim_ip *dst, sim_iface **out, sim_ip *src);

#endif
