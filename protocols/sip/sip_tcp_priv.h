/* protocols/sip/sip_tcp_priv.h — SIP over TCP for the driver (RFC 3261 §18, RFC 5923-lite
 * connection reuse): a listener on the SIP port, one connection per remote endpoint (accepted
 * or opened by us), stream framing by Content-Length (sip_msg_frame, §18.3). Internal to
 * sip_sim.c and sip_tcp.c. */
#ifndef NATSIM_SIP_TCP_PRIV_H
#define NATSIM_SIP_TCP_PRIV_H

#include "protocols/sip/sip.h"
#include "sim/socket.h"

/* One whole message read from connection peer (data borrowed until return). */
typedef void (*sip_tcp_deliver_fn)(void *ctx, const sim_ep *peer, const uint8_t *data,
                                   size_t len);

/* True while a transaction still uses the connection to peer (it is not idle). */
typedef bool (*sip_tcp_busy_fn)(void *ctx, const sim_ep *peer);

typedef struct sip_tcp sip_tcp;

typedef struct sip_tcp_stats {
    uint64_t accepted, opened, closed, framing_errors, rx_msgs, tx_msgs;
    uint64_t lost_msgs;   /* queued messages a connection that ended never sent */
    uint64_t idle_closed; /* connections closed for being idle */
} sip_tcp_stats;

/* Idle limits (RFC 3261 §18 leaves them to the implementation): the side that opened a
 * connection closes it after SIP_TCP_IDLE without a message and without a transaction using
 * it; the accepting side waits SIP_TCP_IDLE_ACCEPTED, longer than the registrar's cap on
 * Expires (7200 s) plus 64*T1, so a binding refreshed over the connection keeps it. */
#define SIP_TCP_IDLE SIP_TCP_IDLE_DEFAULT
#define SIP_TCP_IDLE_ACCEPTED ((7200 + 32) * SIM_SEC)
/* RFC 5626 §4.4.1 keep-alives on a connection, and its end (the flow is gone). */
typedef enum sip_tcp_event {
    SIP_TCP_PING,   /* CRLFCRLF arrived (already answered with a CRLF pong) */
    SIP_TCP_PONG,   /* a lone CRLF arrived: the answer to our ping */
    SIP_TCP_CLOSED, /* the connection to peer ended */
} sip_tcp_event;
typedef void (*sip_tcp_event_fn)(void *ctx, const sim_ep *peer, sip_tcp_event ev);

/* Listens on TCP port `local->port` of node n. Returns owned, or NULL with *rc (-EADDRINUSE …). */
sip_tcp *sip_tcp_new(sim_node *n, const sim_ep *local, sip_tcp_deliver_fn fn, void *ctx, int *rc);
/* Closes the listener and every connection (graceful close). NULL-safe. */
void sip_tcp_free(sip_tcp *t);
/* Sends one message to `to`: over the open connection to that endpoint if there is one (§18.2.2
 * responses on the request's connection; requests reuse connections, RFC 5923), else, when
 * `open` is true, over a new connection (the bytes wait for the handshake). Returns 1 when
 * sent or queued on TCP, 0 when no connection exists and open is false (use UDP), or a
 * negative code when a connection cannot be opened (-ENETUNREACH …). */
int sip_tcp_send(sip_tcp *t, const sim_ep *to, const uint8_t *data, size_t len, bool open);
/* Listens on port of the other address family too (a dual-stack node). Returns 0, -EINVAL
 * (already done), or the socket error (-EADDRINUSE …). */
int sip_tcp_listen_also(sip_tcp *t, int family, uint16_t port);
/* Installs the driver's hooks (ctx borrowed): `lost` gets each message a connection that
 * ended never sent (connect refused, unreachable or timed out, reset), in queuing order;
 * `busy` is asked before an idle connection is closed. Either may be NULL. */
void sip_tcp_set_hooks(sip_tcp *t, sip_tcp_deliver_fn lost, sip_tcp_busy_fn busy, void *ctx);
/* Idle limits for connections we opened / accepted (0: never closed for idleness); applies
 * to open connections too. Defaults SIP_TCP_IDLE, SIP_TCP_IDLE_ACCEPTED. */
void sip_tcp_set_idle(sip_tcp *t, sim_time_t opened, sim_time_t accepted);
/* True when an open connection to `to` exists. */
bool sip_tcp_has(const sip_tcp *t, const sim_ep *to);
/* Installs the keep-alive / close callback (ctx: the deliver callback's; NULL: none). It must
 * not send or close: it runs inside the connection's callbacks. */
void sip_tcp_on_event(sip_tcp *t, sip_tcp_event_fn fn);
/* Open connections. */
size_t sip_tcp_count(const sip_tcp *t);
/* Counters (borrowed). */
const sip_tcp_stats *sip_tcp_get_stats(const sip_tcp *t);

#endif
