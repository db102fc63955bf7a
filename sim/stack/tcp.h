/* sim/stack/tcp.h — TCP for the simulated stack, engine-internal (DESIGN §2): the segment codec
 * and a sans-I/O connection core (DESIGN §4 style). RFCs:
 *   RFC 9293  TCP: header, options, state machine, acceptability test, RST/SYN handling
 *   RFC 6298  retransmission timer: SRTT/RTTVAR, Karn's algorithm, exponential back-off
 *   RFC 5681  congestion control: slow start, congestion avoidance, fast retransmit on three
 *             duplicate ACKs (Reno-style recovery, no NewReno partial-ACK logic)
 *   RFC 6691  MSS option (the MSS counts TCP payload only; default 536 / 1220 when absent)
 *   RFC 5961  RST and SYN validation with challenge ACKs
 *   RFC 7323  window scale option: parsed and recorded, never sent (windows stay <= 65535)
 *   RFC 2018  SACK-permitted option: parsed and recorded, never sent
 *
 * The core never sends, never reads a clock, never arms a timer: tcp_conn_input /
 * tcp_conn_timeout take `now`; tcp_conn_pop hands out the segments to transmit; the caller
 * asks tcp_conn_next_deadline when to call tcp_conn_timeout. The ISS comes from a sim_rng the
 * caller hands in. Demultiplexing (which connection a segment belongs to) is the caller's job.
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-------------------------------+-------------------------------+
 *    |          Source Port          |       Destination Port        |
 *    +-------------------------------+-------------------------------+
 *    |                        Sequence Number                        |
 *    +---------------------------------------------------------------+
 *    |                    Acknowledgment Number                      |
 *    +-------+-------+-+-+-+-+-+-+-+-+-------------------------------+
 *    |  Data |       |C|E|U|A|P|R|S|F|                               |
 *    | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 *    +-------+-------+-+-+-+-+-+-+-+-+-------------------------------+
 *    |           Checksum            |         Urgent Pointer        |
 *    +-------------------------------+-------------------------------+
 *    |                    Options (0..40 bytes)                      |
 */
#ifndef SIM_STACK_TCP_H
#define SIM_STACK_TCP_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "sim/addr.h"
#include "sim/rng.h"
#include "sim/time.h"

#define TCP_HLEN 20          /* header without options */
#define TCP_HLEN_MAX 60      /* data offset 15 */
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

#define TCP_OPT_EOL 0
#define TCP_OPT_NOP 1
#define TCP_OPT_MSS 2
#define TCP_OPT_WSCALE 3
#define TCP_OPT_SACK_OK 4

#define TCP_MSS_DEFAULT 1460    /* what we advertise unless configured (Ethernet, IPv4) */
#define TCP_MSS_MIN4 536        /* RFC 9293 3.7.1: assumed when the peer sends no MSS */
#define TCP_MSS_MIN6 1220       /* RFC 8200 minimum MTU 1280 - 40 - 20 */

/* ---- segments (tcp_seg.c) ---- */

/* One segment: header fields, the options we understand, and the payload (borrowed). */
typedef struct tcp_seg {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;          /* TCP_FIN | TCP_SYN ... (the 8 flag bits) */
    uint16_t wnd;
    uint16_t urp;
    uint16_t mss;           /* MSS option value; 0: absent */
    bool has_wscale;        /* window scale option seen (RFC 7323) */
    uint8_t wscale;
    bool sack_ok;           /* SACK-permitted option seen (RFC 2018) */
    uint8_t hlen;           /* decoded header length in bytes (20..60); encode ignores it */
    const uint8_t *data;    /* payload, borrowed (into the decoded buffer, or the caller's) */
    size_t len;
} tcp_seg;

/* Bytes tcp_seg_encode writes for seg's header and options (payload excluded). */
size_t tcp_seg_hlen(const tcp_seg *seg);
/* Decodes buf[0..len) (data at the TCP header). With src and dst given the checksum is checked
 * over the IPv4/IPv6 pseudo-header of their family; NULL skips the check (CLI, fuzzing).
 * out->data points into buf. Returns 0, or -EBADMSG for a short header, a data offset < 5 or
 * beyond the segment, an option whose length overruns the header or is < 2, an MSS / window
 * scale / SACK-permitted option of the wrong length, or a bad checksum (no partial output). */
int tcp_seg_decode(const uint8_t *buf, size_t len, const sim_ip *src, const sim_ip *dst,
                   tcp_seg *out);
/* tcp_seg_decode that also says why a segment is malformed: *why (when why is not NULL) gets
 * a static string such as "data offset < 5", "option overruns the header", "bad checksum". */
int tcp_seg_decode_why(const uint8_t *buf, size_t len, const sim_ip *src, const sim_ip *dst,
                       tcp_seg *out, const char **why);
/* Encodes seg (header, options MSS / SACK-permitted / window scale when set, payload) into
 * buf[0..cap); with src and dst the checksum is filled in, else left 0. *out_len gets the
 * length. Returns 0, -ENOSPC, or -EINVAL (wscale > 14, addresses of different families). */
int tcp_seg_encode(const tcp_seg *seg, const sim_ip *src, const sim_ip *dst, uint8_t *buf,
                   size_t cap, size_t *out_len);
/* The RST to answer `in` with when no connection exists (RFC 9293 3.10.7.1): false when `in`
 * is itself a RST (never answered). Ports are swapped. */
bool tcp_seg_reset_for(const tcp_seg *in, tcp_seg *rst);
/* Appends a one-line human-readable form ("1211 > 21199 [SYN,ACK] seq=1 ack=2 win=65535 ..."). */
void tcp_seg_fmt(const tcp_seg *seg, GString *out);

/* Sequence arithmetic mod 2^32 (RFC 9293 3.4). */
static inline bool tcp_seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool tcp_seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline bool tcp_seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline bool tcp_seq_ge(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

/* ---- connections (tcp_conn.c, tcp_out.c, tcp_buf.c) ---- */

typedef enum tcp_state {
    TCP_CLOSED,
    TCP_LISTEN,
    TCP_SYN_SENT,
    TCP_SYN_RECEIVED,
    TCP_ESTABLISHED,
    TCP_FIN_WAIT_1,
    TCP_FIN_WAIT_2,
    TCP_CLOSE_WAIT,
    TCP_CLOSING,
    TCP_LAST_ACK,
    TCP_TIME_WAIT,
} tcp_state;

/* Connection settings; zero fields take the defaults in brackets. */
typedef struct tcp_cfg {
    uint16_t mss;             /* MSS we advertise and cap our segments at [1460; IPv6 1440] */
    uint32_t sndbuf;          /* send buffer bytes [65535] */
    uint32_t rcvbuf;          /* receive buffer = largest window, capped at 65535 [65535] */
    sim_time_t rto_initial;   /* RFC 6298 2.1 [1 s] */
    sim_time_t rto_min;       /* RFC 6298 2.4 [1 s]; tests lower it */
    sim_time_t rto_max;       /* RFC 6298 2.5 [60 s] */
    unsigned syn_retries;     /* SYN / SYN-ACK retransmissions before -ETIMEDOUT [6] */
    unsigned data_retries;    /* retransmissions of one segment before -ETIMEDOUT [15] */
    sim_time_t msl;           /* TIME-WAIT lasts 2*MSL [30 s: 60 s like Linux's TIME-WAIT] */
    sim_time_t fin_wait2_timeout; /* after tcp_conn_close, FIN-WAIT-2 waits this long for the
                                   * peer's FIN, then CLOSED without a RST [60 s, Linux's
                                   * tcp_fin_timeout] */
} tcp_cfg;

/* Events, accumulated until tcp_conn_events takes them. */
#define TCP_EV_CONNECTED 0x01 /* reached ESTABLISHED */
#define TCP_EV_READABLE 0x02  /* new in-order data, or EOF */
#define TCP_EV_WRITABLE 0x04  /* send buffer space was freed */
#define TCP_EV_EOF 0x08       /* the peer's FIN arrived in order */
#define TCP_EV_CLOSED 0x10    /* reached CLOSED (after any error) */
#define TCP_EV_ERROR 0x20     /* tcp_conn_error is now set */

typedef struct tcp_conn tcp_conn;

/* A connection in CLOSED between local and remote (the caller's demux key; the ports go into
 * every segment). cfg is copied (NULL: defaults); rng is borrowed for the connection's life
 * (the ISS is drawn by tcp_conn_open_active, or when a SYN reaches LISTEN). Allocates both
 * buffers now: nothing else is allocated per segment. Returns owned (tcp_conn_free). */
tcp_conn *tcp_conn_new(const sim_ep *local, const sim_ep *remote, const tcp_cfg *cfg,
                       sim_rng *rng);
/* Frees a connection in any state (no RST is sent; call tcp_conn_abort first for that).
 * NULL-safe. */
void tcp_conn_free(tcp_conn *c);
/* Active open: draws the ISS, queues a SYN, enters SYN-SENT. Returns 0 or -EISCONN. */
int tcp_conn_open_active(tcp_conn *c, sim_time_t now);
/* Passive open: enters LISTEN, waiting for a SYN from the remote endpoint. A listener that
 * serves many peers makes one connection per arriving SYN (tcp_conn_new with the SYN's source,
 * this call, then tcp_conn_input of the SYN). Returns 0 or -EISCONN. */
int tcp_conn_open_passive(tcp_conn *c, sim_time_t now);
/* A segment of this connection arrived (already checksum-verified by tcp_seg_decode; seg and
 * its payload borrowed until return). Returns 0, or -ENOTCONN when the connection is CLOSED
 * (the caller answers with tcp_seg_reset_for). */
int tcp_conn_input(tcp_conn *c, sim_time_t now, const tcp_seg *seg);
/* Runs the timers due at `now` (retransmission, persist, TIME-WAIT, FIN-WAIT-2 after close).
 * Harmless when early. */
void tcp_conn_timeout(tcp_conn *c, sim_time_t now);
/* When tcp_conn_timeout must next run, or SIM_TIME_NEVER. */
sim_time_t tcp_conn_next_deadline(const tcp_conn *c);
/* The next segment to transmit, or false when there is none. The payload is copied into
 * buf[0..cap) (cap >= the MSS, else segments are cut to cap) and seg->data points there.
 * `now` times the segment (RTT sample, retransmission timer). Call until it returns false
 * after every input, timeout, send, recv, shutdown, close or abort. */
bool tcp_conn_pop(tcp_conn *c, sim_time_t now, tcp_seg *seg, uint8_t *buf, size_t cap);
/* Queues up to len bytes for sending; returns the bytes accepted (0 when the buffer is full),
 * -EPIPE after shutdown or once the peer reset, -ENOTCONN before an open or when closed, or
 * the connection's error. Allowed in SYN-SENT/SYN-RECEIVED (sent once established). */
ssize_t tcp_conn_send(tcp_conn *c, const void *data, size_t len);
/* Reads up to len in-order bytes; returns the count, 0 at EOF (peer's FIN, all read), -EAGAIN
 * when nothing is there yet, or the connection's error. */
ssize_t tcp_conn_recv(tcp_conn *c, void *buf, size_t len);
/* No more sending: a FIN follows the queued data (half-close; receiving goes on). Returns 0,
 * -ENOTCONN when not connected or connecting. Repeated calls are harmless. */
int tcp_conn_shutdown(tcp_conn *c);
/* The application is done: like shutdown, but unread received data makes it an abort (RST,
 * RFC 9293 3.10.4 / RFC 2525 2.17) and later data is acknowledged and discarded. In CLOSED,
 * LISTEN or SYN-SENT it goes straight to CLOSED. Returns 0. */
int tcp_conn_close(tcp_conn *c);
/* Aborts: a RST <SEQ=SND.NXT> when synchronized, then CLOSED. Returns 0. */
int tcp_conn_abort(tcp_conn *c);

/* An ICMP / ICMPv6 error arrived about a segment of this connection whose sequence number
 * was seq (RFC 5927 4.1: ignored unless SND.UNA <= seq < SND.MAX). err is the
 * socket error (-ECONNREFUSED, -EHOSTUNREACH, -ENETUNREACH, -ETIMEDOUT, -EMSGSIZE). In SYN-SENT
 * an unreachable error ends the connection (RFC 1122 4.2.3.9 hard errors; host and net
 * unreachable too, as RFC 5461 2 describes deployed stacks doing); in every other state the
 * error is soft (RFC 5461 4): remembered and reported instead of -ETIMEDOUT if the retry limit
 * is reached. Returns true when the connection ended. */
bool tcp_conn_icmp_error(tcp_conn *c, uint32_t seq, int err);
/* Takes and clears the events that happened since the last call (TCP_EV_*). */
unsigned tcp_conn_events(tcp_conn *c);
/* The current state. */
tcp_state tcp_conn_state(const tcp_conn *c);
/* 0, or the error that ended the connection: -ECONNREFUSED (RST in SYN-SENT), -ECONNRESET,
 * -ETIMEDOUT (retry limit). */
int tcp_conn_error(const tcp_conn *c);
/* In-order bytes waiting to be read. */
size_t tcp_conn_readable(const tcp_conn *c);
/* Free bytes in the send buffer (0 once sending is shut down or impossible). */
size_t tcp_conn_writable(const tcp_conn *c);
/* True once the peer's FIN arrived in order (reads return 0 after the data). */
bool tcp_conn_peer_closed(const tcp_conn *c);
/* Bytes sent but not yet acknowledged plus bytes not yet sent. */
size_t tcp_conn_unacked(const tcp_conn *c);
/* The effective send MSS (our limit clamped to the peer's option). */
uint16_t tcp_conn_mss(const tcp_conn *c);
/* The current retransmission timeout (RFC 6298). */
sim_time_t tcp_conn_rto(const tcp_conn *c);
/* The local / remote endpoint given to tcp_conn_new. */
const sim_ep *tcp_conn_local(const tcp_conn *c);
const sim_ep *tcp_conn_remote(const tcp_conn *c);
/* The state's RFC name ("SYN-SENT"). */
const char *tcp_state_name(tcp_state s);

#endif
