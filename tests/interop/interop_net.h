/* tests/interop/interop_net.h — the real-socket driver shared by the interop programs
 * (interop_stun.c, interop_turn.c, interop_sip.c): UDP sockets (and TCP listeners and
 * connections, for SIP) on loopback, a poll() loop and CLOCK_MONOTONIC.
 *
 * natsim's protocol cores are sans-I/O (DESIGN §4): bytes and time in, an outbox and a deadline
 * out. In the simulator their driver is protocols/<p>/<p>_sim.c over simulated sockets; here the
 * same cores run over the kernel's sockets so that an independent implementation (coturn) can
 * talk to them. This is test code, the main loop of a test program: the only place in the tree
 * where a wall clock is read. "now" handed to the cores is nanoseconds of CLOCK_MONOTONIC since
 * the program started, so it starts near zero as virtual time does.
 *
 * Every socket is bound to an explicit loopback address (127/8); nothing here ever sends
 * outside the machine (DESIGN §7). */
#ifndef TESTS_INTEROP_INTEROP_NET_H
#define TESTS_INTEROP_INTEROP_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/addr.h"
#include "sim/time.h"

#define INET_SOCKS_MAX 64

/* What a socket of the set is: UDP, a TCP listener, or a TCP connection (a stream). */
typedef enum inet_kind { INET_UDP, INET_LISTEN, INET_STREAM } inet_kind;

/* A set of sockets polled together; each knows its bound endpoint. */
typedef struct inet_set {
    size_t n;
    int fd[INET_SOCKS_MAX];
    sim_ep ep[INET_SOCKS_MAX];
    size_t next;          /* where the next read starts (round robin) */
    uint8_t kind[INET_SOCKS_MAX];  /* inet_kind */
    sim_ep peer[INET_SOCKS_MAX];   /* INET_STREAM: the remote end */
} inet_set;

/* Nanoseconds of CLOCK_MONOTONIC since the first call (the cores' "now"). */
sim_time_t inet_now(void);
/* A seed for the cores' sim_rng that differs between runs (monotonic clock and pid), so two
 * runs do not reuse transaction ids or nonces. */
uint64_t inet_seed(void);
/* Opens a UDP socket bound to ep (port 0: ephemeral) and adds it to the set; *idx (may be
 * NULL) gets its index. ep must be a loopback IPv4 address. Returns 0, -EINVAL (not 127/8 or
 * set full) or a negative errno from socket/bind. */
int inet_open(inet_set *s, const sim_ep *ep, size_t *idx);
/* Opens a TCP listener bound to ep (loopback) and adds it to the set: inet_recv accepts its
 * connections by itself, each becoming an INET_STREAM socket. Returns 0, -EINVAL or a negative
 * errno. */
int inet_listen(inet_set *s, const sim_ep *ep, size_t *idx);
/* Connects a TCP stream from local (loopback; port 0: ephemeral) to `to` (loopback), blocking
 * (on loopback the handshake is immediate), and adds it. Returns 0, -EINVAL or a negative
 * errno (-ECONNREFUSED). */
int inet_connect(inet_set *s, const sim_ep *local, const sim_ep *to, size_t *idx);
/* Index of the stream connected to peer, or -1. */
int inet_find_stream(const inet_set *s, const sim_ep *peer);
/* Closes socket idx (the last one moves into its slot). */
void inet_close(inet_set *s, size_t idx);
/* Closes every socket. */
void inet_close_all(inet_set *s);
/* Index of the socket bound to ep, or -1. */
int inet_find(const inet_set *s, const sim_ep *ep);
/* Sends buf[0..len) from socket idx to `to` (must be loopback; a stream ignores it and writes
 * the whole buffer to its peer). Returns 0 or a negative errno. */
int inet_send(inet_set *s, size_t idx, const sim_ep *to, const void *buf, size_t len);
/* Waits until a datagram (or stream bytes) arrives on any socket or `deadline` (inet_now time;
 * SIM_TIME_NEVER: forever) passes; connections to a listener are accepted on the way. Returns
 * 1 with *idx, *from, buf[0..*len) filled (a stream: *from is its peer, and *len 0 means the
 * peer closed it or it failed: the caller closes it), 0 on timeout, or a negative errno. EINTR
 * returns 0 so a signal flag can be checked. */
int inet_recv(inet_set *s, sim_time_t deadline, size_t *idx, sim_ep *from, uint8_t *buf,
              size_t cap, size_t *len);
/* Parses "a.b.c.d:port" into ep and requires it to be loopback; exits with a message if not. */
sim_ep inet_ep_arg(const char *s);
/* Formats ep into a static buffer (one of four rotating ones) for printing. */
const char *inet_ep_str(const sim_ep *ep);

#endif
