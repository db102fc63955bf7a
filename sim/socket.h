/* sim/socket.h — the socket API: the only network API protocols/ may use (DESIGN §2).
 * UDP (RFC 768) and TCP (RFC 9293; the stack's TCP is described in sim/stack/tcp.h) share one
 * handle type. A socket belongs to its node; sim_sock_close frees it. Callbacks run inside the
 * event loop, at the virtual time the datagram or segment arrives. */
#ifndef SIM_SOCKET_H
#define SIM_SOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
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
 * Returns 0 or -EINVAL. On a TCP socket it is sim_tcp_connect. */
int sim_sock_connect(sim_sock *s, const sim_ep *remote);
/* Sends a datagram to `to` (NULL: the connected peer). Binds an ephemeral port if unbound.
 * Returns 0, -EMSGSIZE (larger than the path MTU allows), -ENETUNREACH (no route),
 * -EDESTADDRREQ, -EINVAL (also for a TCP socket: use sim_tcp_send). Delivery is not guaranteed, as on a real network. */
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

/* ---- TCP (RFC 9293) ----
 * sim_sock_set_reuseaddr, sim_sock_bind, sim_sock_local, sim_sock_node, sim_sock_ref and
 * sim_sock_close work on TCP sockets too. SO_REUSEADDR on both sockets lets one host listen on
 * a port and connect from it at once (TCP hole punching): a segment goes to the connection with
 * its exact 4-tuple before any listener, so a simultaneous open completes as one connection.
 * sim_sock_close is a graceful close: the handle is gone at once, the connection finishes in
 * the stack (FIN, TIME-WAIT); with unread received data it is an abort (RST, RFC 2525 2.17). */

/* TCP callbacks (any may be NULL). Accepted sockets inherit their listener's set. They run
 * from the event loop, when a segment arrives or a timer fires (sim_sock_close and
 * sim_tcp_abort run none), and may call any socket function, including sim_sock_close. */
typedef struct sim_tcp_cbs {
    /* Active open finished: err 0 (ESTABLISHED) or -ECONNREFUSED, -ETIMEDOUT,
     * -EHOSTUNREACH, -ENETUNREACH; after an error `closed` is not called. */
    void (*connected)(sim_sock *s, int err, void *ctx);
    /* A listener has a connection waiting for sim_tcp_accept. */
    void (*acceptable)(sim_sock *listener, void *ctx);
    /* Data or the peer's FIN (EOF) can be read with sim_tcp_recv. */
    void (*readable)(sim_sock *s, void *ctx);
    /* Send-buffer space was freed. */
    void (*writable)(sim_sock *s, void *ctx);
    /* An established connection reached CLOSED: err 0 (orderly close, both FINs) or
     * -ECONNRESET, -ETIMEDOUT (retry limit), a soft ICMP error reported instead of it. */
    void (*closed)(sim_sock *s, int err, void *ctx);
    void *ctx;
} sim_tcp_cbs;

/* Per-socket TCP settings; zero fields take the defaults. Inherited by accepted sockets. */
typedef struct sim_tcp_opts {
    uint16_t mss;              /* MSS to advertise [interface MTU - 40 (IPv4) / - 60 (IPv6)] */
    uint32_t sndbuf, rcvbuf;   /* buffer bytes [65535; the window never exceeds 65535] */
    sim_time_t rto_min;        /* RFC 6298 minimum RTO [1 s] */
    sim_time_t rto_initial;    /* RFC 6298 initial RTO [1 s] */
    unsigned syn_retries;      /* SYN retransmissions before -ETIMEDOUT [6] */
    unsigned data_retries;     /* retransmissions of one segment before -ETIMEDOUT [15] */
    sim_time_t msl;            /* TIME-WAIT is 2 * MSL [30 s] */
} sim_tcp_opts;

/* Opens an unbound TCP socket for SIM_AF_INET or SIM_AF_INET6. Returns node-owned (free with
 * sim_sock_close), or NULL for a bad family. */
sim_sock *sim_tcp_open(sim_node *n, int family);
/* Sets the callbacks (copied; NULL clears them). Returns 0 or -EINVAL (not TCP). */
int sim_tcp_set_callbacks(sim_sock *s, const sim_tcp_cbs *cbs);
/* Sets the TCP settings for connections made from now on (copied). Returns 0 or -EINVAL. */
int sim_tcp_set_opts(sim_sock *s, const sim_tcp_opts *opts);
/* Listens for connections; at most `backlog` (1..4096) not yet accepted connections wait, SYNs
 * beyond that are dropped (counted as queue-full). Binds an ephemeral port if unbound.
 * Returns 0, -EADDRINUSE (another listener overlaps), -EISCONN (connecting or connected),
 * -EINVAL (not TCP, bad backlog, closed). */
int sim_tcp_listen(sim_sock *s, unsigned backlog);
/* Takes the oldest established connection of a listener. It inherits the listener's
 * callbacks and options; data (even the peer's FIN) may already be waiting, and no `readable`
 * was called for it: check sim_tcp_readable / sim_tcp_recv. Returns a node-owned socket
 * (close with sim_sock_close), or NULL when none is waiting or s is not listening. */
sim_sock *sim_tcp_accept(sim_sock *s);
/* Starts an active open (SYN) to remote; `connected` reports the result. Binds an ephemeral
 * port if unbound. A socket connects once: open a new one to try again. Returns 0, -EINVAL
 * (not TCP, bad remote, listening), -EISCONN (connecting, connected, or its connection is
 * over), -ENETUNREACH (no route), -EADDRINUSE (the 4-tuple exists). */
int sim_tcp_connect(sim_sock *s, const sim_ep *remote);
/* Queues up to len bytes for sending. Returns the bytes queued (0: the send buffer is full,
 * wait for `writable`), -EPIPE after shutdown or once reset, -ENOTCONN before connect,
 * -EINVAL (not TCP / bad buffer), or the connection's error (-ECONNRESET, -ETIMEDOUT ...). */
ssize_t sim_tcp_send(sim_sock *s, const void *data, size_t len);
/* Reads up to len in-order bytes. Returns the count, 0 at EOF (the peer's FIN, all data read),
 * -EAGAIN when nothing is there yet, -ENOTCONN before connect, -EINVAL, or the connection's
 * error. */
ssize_t sim_tcp_recv(sim_sock *s, void *buf, size_t len);
/* Half-close: a FIN follows the queued data; receiving goes on. Returns 0, -ENOTCONN (not
 * connected or connecting), -EINVAL. */
int sim_tcp_shutdown(sim_sock *s);
/* Aborts the connection with a RST (RFC 9293 3.10.5); the socket stays open, CLOSED, with
 * error -ECONNABORTED for later calls; no callback runs. A listener resets the connections
 * not yet accepted and stops listening. Returns 0 or -EINVAL. */
int sim_tcp_abort(sim_sock *s);
/* The RFC 9293 state name of the socket's connection ("LISTEN", "SYN-SENT", "ESTABLISHED",
 * ... "CLOSED" before connect and after the end), or "?" for a non-TCP socket. */
const char *sim_tcp_state(const sim_sock *s);
/* The error that ended the connection (0 while fine or after an orderly close). */
int sim_tcp_error(const sim_sock *s);
/* The peer's endpoint (connected sockets; unset address otherwise). */
sim_ep sim_sock_remote(const sim_sock *s);
/* Bytes that sim_tcp_recv can return now / free bytes in the send buffer. */
size_t sim_tcp_readable(const sim_sock *s);
size_t sim_tcp_writable(const sim_sock *s);
/* Bytes queued but not yet acknowledged by the peer. */
size_t sim_tcp_unacked(const sim_sock *s);

/* ---- ping (ICMP / ICMPv6 echo, RFC 792 / RFC 4443) ---- */

/* A ping finished: err 0 with the round-trip time and the reply's TTL / hop limit, or
 * -ETIMEDOUT, -ECONNREFUSED / -EHOSTUNREACH / -ENETUNREACH / -EMSGSIZE from an ICMP error. */
typedef void (*sim_ping_fn)(void *ctx, int err, sim_time_t rtt, unsigned ttl);
/* Sends one echo request with payload_len bytes of payload (identifier per node, sequence
 * incrementing) and calls fn once: on the reply, an ICMP error, or after timeout. Returns 0
 * (fn will be called), or -EINVAL, -ENETUNREACH, -EMSGSIZE (fn will not be called). */
int sim_ping(sim_node *n, const sim_ip *dst, size_t payload_len, sim_time_t timeout,
             sim_ping_fn fn, void *ctx);

/* ---- interface configuration: DHCP and IPv4 link-local (RFC 2131, RFC 3927, RFC 5227) ----
 * What a host's configuration daemon needs below UDP: a socket tied to one interface, ARP
 * probes and announcements, the ARP packets seen on an interface, and a static neighbour
 * entry. Implemented in sim/iface_config.c and sim/stack/arp_watch.c. */

/* Ties a UDP socket to one interface (SO_BINDTODEVICE; NULL unties): it receives only
 * datagrams that arrived on iface, and its broadcasts (255.255.255.255) and multicasts leave
 * by iface, from iface's first IPv4 address or from 0.0.0.0 while iface has none (RFC 2131
 * 4.1; how a DHCP client talks before it has an address). A socket bound to 0.0.0.0:68 receives
 * broadcasts on an interface that has no address. Returns 0, or -EINVAL (closed socket, TCP,
 * interface of another node). */
int sim_sock_bind_iface(sim_sock *s, sim_iface *iface);
/* sim_sock_sendto with source address src (IP_PKTINFO-like): one of the node's IPv4 addresses,
 * or 0.0.0.0 for a broadcast from a socket tied to an interface (a DHCP client in SELECTING,
 * REBINDING... sends from 0.0.0.0 even when the interface holds, say, a link-local address).
 * Returns sim_sock_sendto's codes, and -EADDRNOTAVAIL for any other source, -EINVAL for
 * IPv6. */
int sim_sock_sendto_src(sim_sock *s, const void *data, size_t len, const sim_ep *to,
                        const sim_ip *src);

/* Sends an ARP probe for ip on iface (RFC 5227 2.1.1: request, sender MAC ours, sender IP
 * 0.0.0.0, target MAC 0, target IP ip, to the broadcast MAC). Returns 0 or -EINVAL (not IPv4). */
int sim_arp_probe(sim_iface *iface, const sim_ip *ip);
/* Sends an ARP announcement of ip on iface (RFC 5227 2.3: request with sender IP = target IP =
 * ip, to the broadcast MAC). Returns 0 or -EINVAL. */
int sim_arp_announce(sim_iface *iface, const sim_ip *ip);
/* Records ip as reachable at mac on iface in the neighbour cache (like `arp -s`): a DHCP server
 * uses it to unicast a reply to a client's hardware address before the client can answer ARP
 * (RFC 2131 4.1). The entry ages like a learned one. Returns 0 or -EINVAL (not IPv4). */
int sim_iface_neigh_set(sim_iface *iface, const sim_ip *ip, const uint8_t mac[6]);

/* One ARP packet seen arriving on an interface (addresses IPv4). */
typedef struct sim_arp_seen {
    uint16_t op;              /* 1 request, 2 reply */
    uint8_t sender_mac[6];
    sim_ip sender_ip;         /* 0.0.0.0 in a probe */
    uint8_t target_mac[6];
    sim_ip target_ip;
} sim_arp_seen;
typedef struct sim_arp_watch sim_arp_watch;
/* Called for every well-formed ARP packet that arrives on the interface (before the stack
 * answers it), at its arrival time; a borrowed until return. May remove any watch (its own
 * included) and add new ones (they see the next packet on). */
typedef void (*sim_arp_watch_fn)(sim_iface *iface, const sim_arp_seen *a, void *ctx);
/* Starts watching ARP on iface. Returns node-owned (remove with sim_arp_watch_del; freed with
 * the node otherwise). */
sim_arp_watch *sim_arp_watch_add(sim_iface *iface, sim_arp_watch_fn fn, void *ctx);
/* Stops and frees a watch. NULL-safe. */
void sim_arp_watch_del(sim_arp_watch *w);

/* Opens a UDP socket for family and binds it to port on all of the node's addresses (port 0:
 * ephemeral), the setup every UDP protocol app does. Returns node-owned (free with
 * sim_sock_close), or NULL with err set in SIM_ERROR: code EINVAL for a bad family, otherwise
 * sim_sock_bind's errno (EADDRINUSE ...), the message naming the node and port. */
sim_sock *sim_udp_open_bound(sim_node *n, int family, uint16_t port, GError **err);

/* ---- address changes (sim/stack/addr_watch.c; like netlink RTM_NEWADDR / RTM_DELADDR) ---- */
typedef struct sim_addr_change {
    sim_iface *iface;
    sim_ip ip;
    unsigned plen;
    bool added;               /* false: removed */
} sim_addr_change;
typedef struct sim_addr_watch sim_addr_watch;
/* Called after every IPv4 or IPv6 address added to or removed from one of the node's
 * interfaces (DHCP, link-local, SLAAC, iface:add_ip), c borrowed until return. The change is
 * already made; the callback may remove any watch (its own included) and add new ones. */
typedef void (*sim_addr_watch_fn)(sim_node *n, const sim_addr_change *c, void *ctx);
/* Starts watching n's addresses. Returns node-owned (remove with sim_addr_watch_del; freed
 * with the node otherwise). */
sim_addr_watch *sim_addr_watch_add(sim_node *n, sim_addr_watch_fn fn, void *ctx);
/* Stops and frees a watch. NULL-safe. */
void sim_addr_watch_del(sim_addr_watch *w);

#endif
