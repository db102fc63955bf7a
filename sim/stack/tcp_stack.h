/* sim/stack/tcp_stack.h — internals shared by the stack's TCP glue (tcp_demux.c, tcp_tcb.c)
 * and the TCP socket API (sim/socket_tcp.c): the per-node TCP state, the transmission control
 * block (TCB) that ties one tcp_conn core to a timer, a demux key and (maybe) a socket.
 *
 * Ownership: the node's net_tcp owns every TCB. A TCB outlives its socket: sim_sock_close
 * detaches it (an orphan) and it is freed once its core reaches CLOSED (after TIME-WAIT or the
 * last ACK). A connection a listener made lives on the listener's pending list until accepted.
 *
 * Demux (RFC 9293 3.10.7): a segment goes to the connection with its exact 4-tuple (one hash
 * lookup on a key embedded in the TCB: no malloc per segment), else to a listener on the port
 * (a specific address before the wildcard), else it is answered with a RST. Connections come
 * first, so a simultaneous open between two sockets that also listen on their port (TCP hole
 * punching with SO_REUSEADDR) completes as one connection. */
#ifndef SIM_STACK_TCP_STACK_H
#define SIM_STACK_TCP_STACK_H

#include "sim/event.h"
#include "sim/stack/net_priv.h"
#include "sim/stack/tcp.h"

/* The 4-tuple a connection is known by. Padding zeroed: hashed and compared as bytes. */
typedef struct net_tcp_key {
    sim_ep local, remote;
} net_tcp_key;

typedef struct net_tcb net_tcb;
struct net_tcb {
    net_tcp_key key;
    sim_node *node;
    tcp_conn *conn;
    sim_timer *timer;
    sim_sock *sock;      /* the socket holding it; NULL while pending or orphaned */
    sim_sock *listener;  /* the listener it came from, until accepted */
    sim_event_id flush;  /* pending end-of-instant output (tcp_tcb.c) */
    unsigned depth;      /* nested service / flush calls; freeing waits for 0 */
    bool hashed;         /* in the connection table (until CLOSED) */
    bool accept_ready;   /* established, waiting in the listener's accept queue */
    bool dead;           /* freed as soon as depth is 0 */
};

/* A listening or bound TCP socket's port entry. */
typedef struct net_tcp_port {
    GPtrArray *socks;    /* bound TCP sockets on this (family, port), bind order */
    unsigned conns;      /* TCBs using it as local port (includes orphans) */
} net_tcp_port;

/* The TCP part of a socket (sim_sock.tcp). */
typedef struct net_tcp_sock {
    net_tcb *tcb;        /* the connection; NULL before connect / for listeners */
    sim_tcp_cbs cbs;
    tcp_cfg cfg;
    bool listening;
    bool established;    /* the connection reached ESTABLISHED (closed, not connected, reports) */
    unsigned backlog;
    GQueue pending;      /* of net_tcb*: listener's connections not yet accepted (any state) */
    int last_err;        /* the error of a connection that is gone */
} net_tcp_sock;

typedef struct net_tcp {
    GHashTable *conns;   /* net_tcp_key* (inside the TCB) -> net_tcb* */
    GHashTable *ports;   /* (family << 16 | port) -> net_tcp_port* */
    GPtrArray *tcbs;     /* every TCB, creation order (teardown, stable iteration) */
    uint8_t scratch[SIM_PKT_MAX]; /* payload of the segment being sent */
} net_tcp;

/* ---- tcp_demux.c ---- */
/* Creates / frees the node's TCP state (from stack.c). */
void net_tcp_init(net_state *st);
void net_tcp_free(net_state *st);
/* Frees every TCB without sending anything and detaches them from their sockets (node
 * teardown, before the sockets are closed). */
void net_tcp_drop_all(net_state *st);
/* The port entry of (family, port), created when `create`. */
net_tcp_port *net_tcp_port_get(net_state *st, int family, uint16_t port, bool create);
/* Drops a port entry once nothing uses it. */
void net_tcp_port_gc(net_state *st, int family, uint16_t port);
/* The TCB with this 4-tuple, or NULL. */
net_tcb *net_tcp_lookup(net_state *st, const sim_ep *local, const sim_ep *remote);

/* ---- tcp_tcb.c ---- */
/* Makes a TCB for local/remote with its core and timer and hashes it. cfg copied (mss 0: from
 * the interface MTU). Returns the TCB (owned by the node's TCP state). */
net_tcb *net_tcb_new(sim_node *n, const sim_ep *local, const sim_ep *remote, const tcp_cfg *cfg,
                     uint32_t mtu);
/* After any input, timeout or user call: runs the socket callbacks for the core's events and
 * schedules, at the same virtual time, the output of what the core has to send and the timer;
 * the TCB is freed once it is closed, unowned and flushed. */
void net_tcb_service(net_tcb *t);
/* Detaches the TCB from its socket (close): it lives on until CLOSED. */
void net_tcb_orphan(net_tcb *t);
/* Frees the TCB now (unhash, timer, core). Deferred while a service call is running. */
void net_tcb_free(net_tcb *t);
/* The IP MTU towards dst (the route's interface), 0 without a route. */
uint32_t net_tcp_path_mtu(sim_node *n, const sim_ip *dst);
/* Encodes and sends one segment from local to remote. Returns net_ip4/6_output's result. */
int net_tcp_xmit(sim_node *n, const sim_ep *local, const sim_ep *remote, const tcp_seg *seg);

/* ---- sim/socket_tcp.c (called by sim/socket.c for TCP sockets) ---- */
/* True if binding s to ep would clash with a TCP socket or connection on that port. */
bool net_tcp_bind_conflict(net_state *st, const sim_sock *s, const sim_ep *ep);
/* True if any TCP socket or connection uses (family, port) (ephemeral port choice). */
bool net_tcp_port_in_use(net_state *st, int family, uint16_t port);
/* Adds / removes a bound TCP socket in the port table. */
void net_tcp_sock_hash_add(net_state *st, sim_sock *s);
void net_tcp_sock_hash_del(net_state *st, sim_sock *s);
/* The TCP part of sim_sock_close: graceful close of the connection, or a listener's pending
 * connections reset. */
void net_tcp_sock_close(sim_sock *s);

#endif
