/* sim/stack/tcp_priv.h — internals shared by the TCP connection core's files:
 *   tcp_conn.c  lifecycle, the RFC 9293 3.10.7 segment arrival rules, user calls
 *   tcp_out.c   what to send next (tcp_conn_pop), timers, RFC 6298 RTO, RFC 5681 cwnd
 *   tcp_buf.c   the send ring, the receive ring with out-of-order reassembly
 *
 * Sequence space of the send side:
 *
 *     ISS   ISS+1 = first data byte           sbuf_seq              sbuf_seq+slen  (FIN)
 *      |SYN| ... acknowledged data ... | unacknowledged | unsent    |  FIN  |
 *                                      ^snd_una          ^snd_nxt  (snd_max = highest sent+1)
 *
 * The send ring holds the bytes from sbuf_seq on (everything not yet acknowledged); a FIN,
 * once shutdown asked for it, sits at sbuf_seq + slen. The receive ring holds the unread
 * in-order bytes; out-of-order bytes are written straight into its free space at their final
 * place, and `ooo` remembers which sequence ranges are present, so reassembly copies nothing
 * and allocates nothing. The advertised window is exactly that free space. */
#ifndef SIM_STACK_TCP_PRIV_H
#define SIM_STACK_TCP_PRIV_H

#include "sim/stack/tcp.h"

#define TCP_OOO_MAX 8           /* out-of-order ranges kept; a segment needing more is dropped */
#define TCP_WND_MAX 65535u      /* no window scaling */
#define TCP_RTO_G (1 * SIM_MS)  /* RFC 6298 clock granularity G */
#define TCP_DUPACK_THRESH 3     /* RFC 5681 3.2 */
#define TCP_OOW_ACK_GAP (500 * SIM_MS) /* between ACKs for unacceptable empty segments */
#define TCP_CWND_MAX (1u << 24) /* far above any usable window; keeps cwnd from wrapping */

typedef struct tcp_range {
    uint32_t start, end; /* [start, end) in sequence numbers */
} tcp_range;

struct tcp_conn {
    sim_ep local, remote;
    tcp_cfg cfg;
    sim_rng *rng;
    tcp_state state;
    bool opened;           /* an open call was made (a connection is opened once) */
    int err;               /* 0 or the error that closed the connection */
    int soft_err;          /* last soft ICMP error (RFC 1122 4.2.3.9), reported on timeout */
    unsigned events;       /* TCP_EV_* not yet taken */

    /* send sequence variables (RFC 9293 3.3.1) */
    uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2;
    uint16_t snd_mss;      /* our cap clamped to the peer's MSS option */
    uint8_t *sbuf;
    uint32_t scap, shead, slen, sbuf_seq;
    bool fin_queued;       /* shutdown: FIN after the queued data */

    /* receive sequence variables */
    uint32_t irs, rcv_nxt, rcv_adv; /* rcv_adv: right edge last advertised */
    uint8_t *rbuf;
    uint32_t rcap, rhead, ravail;
    tcp_range ooo[TCP_OOO_MAX];
    unsigned n_ooo;
    bool fin_rcvd;         /* the peer's FIN was taken in order (rcv_nxt counts it) */
    bool ooo_fin;          /* a FIN arrived beyond a hole, at ooo_fin_seq */
    uint32_t ooo_fin_seq;
    bool app_closed;       /* tcp_conn_close: received data is discarded */

    /* what tcp_conn_pop owes */
    bool ack_now;          /* an ACK (a data segment carries it too) */
    bool rst_now;          /* RST <SEQ=rst_seq> */
    uint32_t rst_seq;
    bool fast_rexmit;      /* one segment from snd_una regardless of the window */
    bool probe;            /* one byte past a zero window (persist) */

    /* timers */
    sim_time_t rto_at;     /* retransmission / persist timer, SIM_TIME_NEVER when off */
    sim_time_t tw_at;      /* TIME-WAIT end, or FIN-WAIT-2 give-up after close */
    sim_time_t oow_ack_at; /* no ACK for an unacceptable empty segment before this */

    /* RFC 6298 */
    sim_time_t srtt, rttvar, rto;
    bool have_rtt;
    bool rtt_timing;       /* one segment timed at a time (rtt_seq acknowledges it) */
    uint32_t rtt_seq;
    sim_time_t rtt_start;
    unsigned retries;      /* consecutive expiries without progress */
    bool syn_rexmitted;

    /* RFC 5681 */
    uint32_t cwnd, ssthresh;
    unsigned dupacks;
    bool in_recovery;
};

/* ---- tcp_conn.c ---- */
/* Enters a state, raising the events that go with it. */
void tcp_set_state(tcp_conn *c, tcp_state s);
/* Ends the connection with err (CLOSED, timers off, nothing more to send but a pending RST). */
void tcp_fail(tcp_conn *c, int err);

/* ---- tcp_buf.c ---- */
/* Allocates the rings (cfg sizes already defaulted). */
void tcp_buf_init(tcp_conn *c);
/* Frees the rings. */
void tcp_buf_clear(tcp_conn *c);
/* Drops n acknowledged bytes from the front of the send ring. */
void tcp_sbuf_drop(tcp_conn *c, uint32_t n);
/* Copies n bytes starting off bytes into the send ring to dst. */
void tcp_sbuf_copy(const tcp_conn *c, uint32_t off, uint8_t *dst, uint32_t n);
/* The receive window to advertise now (free space in the receive ring, <= 65535). */
uint32_t tcp_rcv_wnd(const tcp_conn *c);
/* Accepts payload at seq (already trimmed to rcv_nxt..rcv_nxt+window): in order it advances
 * rcv_nxt and pulls in any reassembled ranges behind it, out of order it is stored. Returns
 * false when an out-of-order segment had to be dropped (no range slot). */
bool tcp_rcv_data(tcp_conn *c, uint32_t seq, const uint8_t *data, uint32_t len);

/* ---- tcp_out.c ---- */
/* Resets the RFC 6298 and RFC 5681 state for a new connection. */
void tcp_out_init(tcp_conn *c);
/* An ACK acknowledged new data up to ack: RTT sample, cwnd, send ring, timer. */
void tcp_out_acked(tcp_conn *c, sim_time_t now, uint32_t ack);
/* A duplicate ACK arrived (RFC 5681 definition): counts, fast retransmit at three. */
void tcp_out_dupack(tcp_conn *c);
/* The sequence number of our FIN (meaningful once fin_queued). */
uint32_t tcp_fin_seq(const tcp_conn *c);
/* True once our FIN has been sent and acknowledged. */
bool tcp_fin_acked(const tcp_conn *c);
/* Starts TIME-WAIT (2*MSL from now). */
void tcp_time_wait(tcp_conn *c, sim_time_t now);

#endif
