/* sim/stack/net.h — the per-node protocol stack, engine-internal (DESIGN §2): Ethernet demux,
 * ARP (RFC 826), IPv4 (RFC 791) with longest-prefix routing and TTL, ICMP (RFC 792: echo,
 * destination unreachable, time exceeded), IPv6 (RFC 8200) with NDP address resolution
 * (RFC 4861 NS/NA), ICMPv6 (RFC 4443), UDP (RFC 768) and TCP (RFC 9293, sim/stack/tcp.h) over both. Protocol code never calls this
 * header; it uses sim/socket.h. Internet checksums (RFC 1071, incremental RFC 1624) live here too
 * and are used by the NAT. */
#ifndef SIM_STACK_NET_H
#define SIM_STACK_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/addr.h"
#include "sim/node.h"
#include "sim/pkt.h"

#define NET_ETH_HLEN 14
#define NET_ETHERTYPE_IPV4 0x0800
#define NET_ETHERTYPE_ARP 0x0806
#define NET_ETHERTYPE_IPV6 0x86DD
#define NET_PROTO_ICMP 1
#define NET_PROTO_TCP 6
#define NET_PROTO_UDP 17
#define NET_PROTO_ICMPV6 58
#define NET_IP4_HLEN 20
#define NET_IP6_HLEN 40
#define NET_UDP_HLEN 8
#define NET_DEFAULT_TTL 64

/* ---- checksums (sim/stack/csum.c) ---- */

/* Adds len bytes to a running one's-complement sum (not folded). */
uint32_t net_csum_add(uint32_t sum, const void *data, size_t len);
/* Folds a sum to 16 bits and complements it: the value to put in a checksum field. */
uint16_t net_csum_fold(uint32_t sum);
/* IPv4 pseudo-header sum for a transport checksum. */
uint32_t net_csum_pseudo4(const uint8_t src[4], const uint8_t dst[4], uint8_t proto, uint32_t len);
/* IPv6 pseudo-header sum for a transport checksum. */
uint32_t net_csum_pseudo6(const uint8_t src[16], const uint8_t dst[16], uint8_t nh, uint32_t len);
/* RFC 1624 incremental update of checksum field `csum` (network order value as read) when the
 * 16-bit words old[0..n) become new[0..n) (n in 16-bit words). Returns the new field value. */
uint16_t net_csum_replace(uint16_t csum, const void *old_words, const void *new_words, size_t n);

/* ---- node lifecycle (sim/stack/stack.c) ---- */

/* Creates the stack state of a node (called by sim_node_new). */
void net_node_init(sim_node *n);
/* Frees the stack state (pending packets, caches, sockets). */
void net_node_free(sim_node *n);
/* Called by sim_node_attach after an interface exists (IPv6 link-local, all-nodes group). */
void net_iface_added(sim_iface *i);
/* Tells the node's address watchers that ip/plen was added to (or removed from) i
 * (addr_watch.c; sim_addr_watch_* in sim/socket.h). Safe before the stack exists. */
void net_addr_watch_notify(sim_iface *i, const sim_ip *ip, unsigned plen, bool added);

/* ---- Ethernet (sim/stack/eth.c) ---- */

/* A frame arrived on interface `in` (from sim/link.c). Takes ownership. */
void net_eth_input(sim_iface *in, sim_pkt *frame);
/* True if the interface accepts frames for this destination MAC (its own, broadcast, or a
 * subscribed multicast). Used by LAN segments before copying a frame. */
bool net_eth_accepts(const sim_iface *i, const uint8_t dst[6]);
/* Prepends an Ethernet header and hands the frame to the link. Takes ownership. */
void net_eth_output(sim_iface *out, sim_pkt *pkt, const uint8_t dst[6], uint16_t ethertype);
/* Adds / removes a multicast MAC to the interface's accept list (reference counted). */
void net_eth_mcast_add(sim_iface *i, const uint8_t mac[6]);
void net_eth_mcast_del(sim_iface *i, const uint8_t mac[6]);

/* ---- IPv4 (ipv4.c, arp.c, icmp.c) ---- */

/* IPv4 packet (data at the IPv4 header) from an interface. Takes ownership. */
void net_ip4_input(sim_iface *in, sim_pkt *pkt);
/* Sends a transport payload (pkt->data at the transport header) as IPv4 from src to dst: builds
 * the header (ttl, DF set, id from the node), routes, resolves the next hop, transmits. src may
 * be unset (chosen from the outgoing interface). Takes ownership. Returns 0, -ENETUNREACH,
 * -EMSGSIZE. */
int net_ip4_output(sim_node *n, sim_pkt *pkt, const sim_ip *src, const sim_ip *dst,
                   uint8_t proto, uint8_t ttl);
/* Sends a complete IPv4 packet (data at the header) towards its destination: route, resolve,
 * transmit. Used by forwarding and the NAT. Takes ownership. */
void net_ip4_route_out(sim_node *n, sim_pkt *pkt, sim_iface *in);
/* Sends an ICMP error about `offending` (data at its IPv4 header; borrowed) back to its source
 * (RFC 1812 4.3.2.7: never about ICMP errors, broadcasts, non-first fragments). */
void net_icmp4_error(sim_node *n, const sim_pkt *offending, uint8_t type, uint8_t code);
/* ARP: resolve next-hop ip on interface out, then send pkt (data at the IPv4 header). Queues
 * while resolving; drops with SIM_DROP_UNRESOLVED after the retries. Takes ownership. */
void net_arp_resolve_send(sim_iface *out, const sim_ip *nexthop, sim_pkt *pkt);
/* ARP packet (data at the ARP header). Takes ownership. */
void net_arp_input(sim_iface *in, sim_pkt *pkt);
/* Broadcasts a gratuitous ARP request announcing ip on i (RFC 5227 2.3: sender and target
 * address both ip). */
void net_arp_announce(sim_iface *i, const sim_ip *ip);
/* Broadcasts an ARP probe for ip on i (RFC 5227 2.1.1: sender address 0.0.0.0). */
void net_arp_probe(sim_iface *i, const sim_ip *ip);

/* ---- IPv6 (ipv6.c, ndp.c, icmp6.c) ---- */

/* IPv6 packet (data at the IPv6 header). Takes ownership. */
void net_ip6_input(sim_iface *in, sim_pkt *pkt);
/* Sends a transport payload as IPv6 (like net_ip4_output). For multicast destinations `out`
 * names the interface (NULL: the first with an IPv6 address). Takes ownership. */
int net_ip6_output(sim_node *n, sim_pkt *pkt, const sim_ip *src, const sim_ip *dst,
                   uint8_t nh, uint8_t hlim, sim_iface *out);
/* Sends an ICMPv6 error about `offending` (data at its IPv6 header; borrowed). */
void net_icmp6_error(sim_node *n, const sim_pkt *offending, uint8_t type, uint8_t code,
                     uint32_t param);

/* ---- source selection, local delivery (stack.c, udp.c) ---- */

/* Picks the source address for reaching dst (from the route's outgoing interface).
 * Returns 0 or -ENETUNREACH. */
int net_select_src(sim_node *n, const sim_ip *dst, sim_ip *src);
/* UDP datagram (data at the UDP header) for this node; src/dst are the IP addresses.
 * pkt->l3 holds the length of the IP header in front of data (for ICMP port unreachable).
 * Takes ownership. */
void net_udp_input(sim_iface *in, sim_pkt *pkt, const sim_ip *src, const sim_ip *dst);
/* An ICMP / ICMPv6 error arrived about a datagram we sent: `inner` is the embedded UDP
 * header (possibly truncated), addresses from the embedded IP header. Reports to the socket. */
void net_udp_icmp_error(sim_node *n, int err, const sim_ip *src, const sim_ip *dst,
                        const uint8_t *inner, size_t len);

/* True if a UDP socket of node n would accept a datagram sent to `local` (bound to that port on
 * that address or the wildcard). The NAT asks this for unmapped inbound packets. */
bool net_udp_bound(sim_node *n, const sim_ep *local);

/* ---- TCP (tcp_demux.c) ---- */

/* TCP segment (data at the TCP header) for this node; l3 set as for UDP. Decodes with the
 * checksum (drops counted as malformed / bad-checksum), demultiplexes to a connection, else a
 * listener, else answers with a RST (counted as no-listener). Takes ownership. */
void net_tcp_input(sim_iface *in, sim_pkt *pkt, const sim_ip *src, const sim_ip *dst);
/* An ICMP / ICMPv6 error about a TCP segment we sent (like net_udp_icmp_error). */
void net_tcp_icmp_error(sim_node *n, int err, const sim_ip *src, const sim_ip *dst,
                        const uint8_t *inner, size_t len);
/* True if node n owns TCP port local->port on that address (a bound or listening socket, or a
 * connection still using it, closed ones in TIME-WAIT included). The NAT asks this so it never
 * assigns an outside port its own host uses. */
bool net_tcp_bound(sim_node *n, const sim_ep *local);

/* The MAC for an IPv4 multicast group (01:00:5e + low 23 bits). */
void net_mcast_mac4(const sim_ip *group, uint8_t mac[6]);
/* The MAC for an IPv6 multicast group (33:33 + low 32 bits). */
void net_mcast_mac6(const sim_ip *group, uint8_t mac[6]);

#endif
