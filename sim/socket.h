/* sim/socket.h — the socket API: the only network API protocols/ may use (DESIGN §2).
 * UDP now; TCP (issue 3) plugs into the same handle type with its own open call and callbacks.
 * A socket belongs to its node; sim_sock_close frees it. Callbacks run inside the event loop,
 * at the virtual time the datagram arrives. */
#ifndef SIM_SOCKET_H
#define SIM_SOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include "sim/addr.h"
#include "sim/node.h"
#include "sim/time.h"

typedef struct sim_sock sim_sock;

typedef enum sim_sock_type {
    SIM_SOCK_UDP = 17,
    SIM_SOCK_TCP = 6,
} sim_sock_type;

/* A datagram arrived: data is borrowed until return; from is the sender, to the local address
 * and port it was sent to (useful for multicast and wildcard binds). */
typedef void (*sim_sock_recv_fn)(sim_sock *s, const uint8_t *data, size_t len,
                                 const sim_ep *from, const sim_ep *to, void *ctx);
/* An ICMP error came back for something this socket sent (err: -ECONNREFUSED for port
 * unreachable, -EHOSTUNREACH, -ENETUNREACH, -ETIMEDOUT for TTL exceeded); remote is the
 * destination of the datagram that caused it. */
typedef void (*sim_sock_error_fn)(sim_sock *s, int err, const sim_ep *remote, void *ctx);

/* Opens an unbound UDP socket for family SIM_AF_INET or SIM_AF_INET6. Returns node-owned
 * (free with sim_sock_close), or NULL for a bad family. */
sim_sock *sim_udp_open(sim_node *n, int family);
/* Allows several sockets on one address:port (SO_REUSEADDR; for multicast all of them get a
 * copy, for unicast the most recently bound one that matches). Call before bind. Returns 0. */
int sim_sock_set_reuseaddr(sim_sock *s, bool on);
/* Binds to a local endpoint. Port 0 picks an ephemeral port from the node's random stream;
 * an unset or any address binds all addresses. Returns 0, -EADDRINUSE, -EADDRNOTAVAIL, -EINVAL. */
int sim_sock_bind(sim_sock *s, const sim_ep *local);
/* Sets the default destination and accepts datagrams only from it. Binds first if unbound.
 * Returns 0 or -EINVAL. */
int sim_sock_connect(sim_sock *s, const sim_ep *remote);
/* Sends a datagram to `to` (NULL: the connected peer). Binds an ephemeral port if unbound.
 * Returns 0, -EMSGSIZE (larger than the path MTU allows), -ENETUNREACH (no route),
 * -EDESTADDRREQ, -EINVAL. Delivery is not guaranteed, as on a real network. */
int sim_sock_sendto(sim_sock *s, const void *data, size_t len, const sim_ep *to);
/* Sets the receive callback (NULL to stop receiving; datagrams are then counted as dropped). */
void sim_sock_on_recv(sim_sock *s, sim_sock_recv_fn fn, void *ctx);
/* Sets the ICMP error callback. */
void sim_sock_on_error(sim_sock *s, sim_sock_error_fn fn, void *ctx);
/* Joins a multicast group on one interface (NULL: every interface of the socket's family).
 * Returns 0 or -EINVAL. */
int sim_sock_join(sim_sock *s, const sim_ip *group, sim_iface *iface);
/* Leaves a multicast group. Returns 0 or -ENOENT. */
int sim_sock_leave(sim_sock *s, const sim_ip *group, sim_iface *iface);
/* Sets the TTL / hop limit of unicast datagrams (1..255). Returns 0 or -EINVAL. */
int sim_sock_set_ttl(sim_sock *s, unsigned ttl);
/* The bound local endpoint (port 0 when unbound). */
sim_ep sim_sock_local(const sim_sock *s);
/* The node the socket belongs to. */
sim_node *sim_sock_node(const sim_sock *s);
/* The socket's handle for outside holders (Lua). */
sim_ref sim_sock_ref(const sim_sock *s);
/* Closes and frees the socket; its handle goes stale. NULL-safe. */
void sim_sock_close(sim_sock *s);

/* Sets the TTL / hop limit of multicast datagrams (default 1, as on real hosts; mDNS uses 255).
 * Returns 0 or -EINVAL. */
int sim_sock_set_mcast_ttl(sim_sock *s, unsigned ttl);
/* Sets the interface multicast datagrams leave by (NULL: the first interface of the family).
 * Returns 0 or -EINVAL (interface of another node). */
int sim_sock_set_mcast_if(sim_sock *s, sim_iface *iface);

/* ---- ping (ICMP / ICMPv6 echo, RFC 792 / RFC 4443) ---- */

/* A ping finished: err 0 with the round-trip time and the reply's TTL / hop limit, or
 * -ETIMEDOUT, -ECONNREFUSED / -EHOSTUNREACH / -ENETUNREACH / -EMSGSIZE from an ICMP error. */
typedef void (*sim_ping_fn)(void *ctx, int err, sim_time_t rtt, unsigned ttl);
/* Sends one echo request with payload_len bytes of payload (identifier per node, sequence
 * incrementing) and calls fn once: on the reply, an ICMP error, or after timeout. Returns 0
 * (fn will be called), or -EINVAL, -ENETUNREACH, -EMSGSIZE (fn will not be called). */
int sim_ping(sim_node *n, const sim_ip *dst, size_t payload_len, sim_time_t timeout,
             sim_ping_fn fn, void *ctx);

#endif
