/* sim/stack/tcp_conn.c — the TCP connection state machine (RFC 9293 3.3.2, 3.10): opens,
 * segment arrival in every state, shutdown / close / abort, and the accessors.
 *
 *   CLOSED --open_active/SYN--> SYN-SENT --SYN,ACK/ACK--> ESTABLISHED
 *   CLOSED --open_passive--> LISTEN --SYN/SYN,ACK--> SYN-RECEIVED --ACK--> ESTABLISHED
 *   SYN-SENT --SYN/SYN,ACK--> SYN-RECEIVED          (simultaneous open: TCP hole punching)
 *   ESTABLISHED --shutdown/FIN--> FIN-WAIT-1 --ACK--> FIN-WAIT-2 --FIN/ACK--> TIME-WAIT
 *   FIN-WAIT-1 --FIN/ACK--> CLOSING --ACK--> TIME-WAIT --2 MSL--> CLOSED
 *   ESTABLISHED --FIN/ACK--> CLOSE-WAIT --shutdown/FIN--> LAST-ACK --ACK--> CLOSED
 */
#include <errno.h>
#include <string.h>
#include "sim/stack/tcp_priv.h"

static const char *const state_names[] = {
    "CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
    "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT",
};

const char *tcp_state_name(tcp_state s)
{
    return (unsigned)s < G_N_ELEMENTS(state_names) ? state_names[s] : "?";
}

/* Fills in the defaults for zero fields. */
static void cfg_defaults(tcp_cfg *c, int family)
{
    if (!c->mss)
        c->mss = family == SIM_AF_INET6 ? TCP_MSS_DEFAULT - 20 : TCP_MSS_DEFAULT;
    if (!c->sndbuf)
        c->sndbuf = TCP_WND_MAX;
    if (!c->rcvbuf || c->rcvbuf > TCP_WND_MAX)
        c->rcvbuf = TCP_WND_MAX;
    if (!c->rto_initial)
        c->rto_initial = 1 * SIM_SEC;
    if (!c->rto_min)
        c->rto_min = 1 * SIM_SEC;
    if (!c->rto_max)
        c->rto_max = 60 * SIM_SEC;
    if (!c->syn_retries)
        c->syn_retries = 6;
    if (!c->data_retries)
        c->data_retries = 15;
    if (!c->msl)
        c->msl = 30 * SIM_SEC;
    if (!c->fin_wait2_timeout)
        c->fin_wait2_timeout = 60 * SIM_SEC;
}

tcp_conn *tcp_conn_new(const sim_ep *local, const sim_ep *remote, const tcp_cfg *cfg,
                       sim_rng *rng)
{
    tcp_conn *c = g_new0(tcp_conn, 1);
    c->local = *local;
    c->remote = *remote;
    if (cfg)
        c->cfg = *cfg;
    cfg_defaults(&c->cfg, local->ip.family);
    c->rng = rng;
    c->state = TCP_CLOSED;
    tcp_buf_init(c);
    tcp_out_init(c);
    return c;
}

void tcp_conn_free(tcp_conn *c)
{
    if (!c)
        return;
    tcp_buf_clear(c);
    g_free(c);
}

void tcp_set_state(tcp_conn *c, tcp_state s)
{
    tcp_state prev = c->state;
    c->state = s;
    if (s == TCP_ESTABLISHED && prev < TCP_ESTABLISHED)
        c->events |= TCP_EV_CONNECTED | TCP_EV_WRITABLE;
    if (s == TCP_CLOSED && prev != TCP_CLOSED) {
        c->events |= TCP_EV_CLOSED;
        c->rto_at = c->tw_at = SIM_TIME_NEVER;
        c->ack_now = false;
    }
}

void tcp_fail(tcp_conn *c, int err)
{
    c->err = err;
    c->events |= TCP_EV_ERROR | TCP_EV_READABLE | TCP_EV_WRITABLE;
    tcp_set_state(c, TCP_CLOSED);
}

/* A fresh ISS for a new incarnation (RFC 9293 3.4.1 asks for unpredictability; ours comes
 * from the node's seeded stream, so runs repeat). */
static void draw_iss(tcp_conn *c)
{
    c->iss = (uint32_t)sim_rng_u64(c->rng);
    c->snd_una = c->snd_nxt = c->snd_max = c->iss;
    c->sbuf_seq = c->iss + 1;
}

int tcp_conn_open_active(tcp_conn *c, sim_time_t now)
{
    if (c->state != TCP_CLOSED || c->opened)
        return -EISCONN;
    c->opened = true;
    draw_iss(c);
    tcp_set_state(c, TCP_SYN_SENT); /* tcp_conn_pop sends the SYN: snd_nxt == ISS */
    return 0;
}

int tcp_conn_open_passive(tcp_conn *c, sim_time_t now)
{
    if (c->state != TCP_CLOSED || c->opened)
        return -EISCONN;
    c->opened = true;
    tcp_set_state(c, TCP_LISTEN);
    return 0;
}

/* RFC 5681 3.1 initial window for a sender MSS. */
static uint32_t initial_window(uint16_t mss)
{
    return mss > 2190 ? 2u * mss : mss > 1095 ? 3u * mss : 4u * mss;
}

/* Takes the peer's SYN: IRS, RCV.NXT, MSS clamp (RFC 9293 3.7.1 / RFC 6691), send window. */
static void take_syn(tcp_conn *c, const tcp_seg *seg)
{
    c->irs = seg->seq;
    c->rcv_nxt = seg->seq + 1;
    uint16_t peer = seg->mss ? seg->mss
                             : (c->local.ip.family == SIM_AF_INET6 ? TCP_MSS_MIN6 : TCP_MSS_MIN4);
    c->snd_mss = peer < c->cfg.mss ? peer : c->cfg.mss;
    if (c->snd_mss == 0)
        c->snd_mss = 1;
    c->cwnd = initial_window(c->snd_mss);
    c->snd_wnd = seg->wnd; /* RFC 7323 2.2: the window in a SYN is never scaled */
    c->snd_wl1 = seg->seq;
    c->snd_wl2 = seg->ack;
}

/* The handshake completed. */
static void establish(tcp_conn *c)
{
    tcp_set_state(c, TCP_ESTABLISHED);
    if (c->syn_rexmitted && !c->have_rtt) {
        /* RFC 6298 5.7: a SYN timed out, so start data with 3 s (3 x the initial RTO). */
        sim_time_t r = 3 * c->cfg.rto_initial;
        c->rto = r < c->cfg.rto_max ? r : c->cfg.rto_max;
    }
    if (c->fin_queued)
        tcp_set_state(c, TCP_FIN_WAIT_1); /* shutdown was asked for while connecting */
}

/* ---- arrival in LISTEN and SYN-SENT (RFC 9293 3.10.7.2 / 3.10.7.3) ---- */

static int in_listen(tcp_conn *c, const tcp_seg *seg)
{
    if (seg->flags & TCP_RST)
        return 0;
    if (seg->flags & TCP_ACK) {
        c->rst_now = true; /* <SEQ=SEG.ACK><CTL=RST> */
        c->rst_seq = seg->ack;
        return 0;
    }
    if (!(seg->flags & TCP_SYN))
        return 0;
    take_syn(c, seg); /* data in the SYN is not kept: the peer sends it again */
    draw_iss(c);
    tcp_set_state(c, TCP_SYN_RECEIVED); /* tcp_conn_pop sends <SEQ=ISS><ACK=RCV.NXT><SYN,ACK> */
    return 0;
}

static int in_syn_sent(tcp_conn *c, sim_time_t now, const tcp_seg *seg)
{
    bool ack = seg->flags & TCP_ACK;
    if (ack && (tcp_seq_le(seg->ack, c->iss) || tcp_seq_gt(seg->ack, c->snd_max))) {
        if (!(seg->flags & TCP_RST)) {
            c->rst_now = true;
            c->rst_seq = seg->ack;
        }
        return 0;
    }
    if (seg->flags & TCP_RST) {
        if (ack)
            tcp_fail(c, -ECONNREFUSED);
        return 0;
    }
    if (!(seg->flags & TCP_SYN))
        return 0;
    take_syn(c, seg);
    if (ack) {
        tcp_out_acked(c, now, seg->ack);
        establish(c);
        c->ack_now = true; /* data in a SYN,ACK is not kept: the peer sends it again */
    } else {
        /* Simultaneous open: SYN crossed SYN. Send <SEQ=ISS><ACK=RCV.NXT><SYN,ACK>, i.e. our
         * SYN again, now acknowledging theirs. */
        tcp_set_state(c, TCP_SYN_RECEIVED);
        c->snd_nxt = c->iss;
    }
    return 0;
}

/* ---- arrival in the synchronized states (RFC 9293 3.10.7.4) ---- */

/* The acceptability test (RFC 9293 3.10.7.4, table 6), with one relaxation Linux makes too:
 * a zero-length segment exactly at the right window edge is acceptable, so the ACKs of a
 * peer whose data fills our window are still read. */
static bool acceptable(const tcp_conn *c, uint32_t seq, uint32_t seglen, uint32_t wnd)
{
    uint32_t lo = c->rcv_nxt, hi = c->rcv_nxt + wnd;
    if (seglen == 0)
        return tcp_seq_le(lo, seq) && tcp_seq_le(seq, hi);
    if (wnd == 0)
        return false;
    uint32_t last = seq + seglen - 1;
    return (tcp_seq_le(lo, seq) && tcp_seq_lt(seq, hi)) ||
           (tcp_seq_le(lo, last) && tcp_seq_lt(last, hi));
}

/* An ACK in answer to a segment we cannot use. Answers to segments without data are rate
 * limited (as Linux's tcp_invalid_ratelimit), so two confused ends cannot ping-pong ACKs at
 * each other forever; data gets its answer at once, the peer needs it to recover. */
static void oow_ack(tcp_conn *c, sim_time_t now, size_t seglen)
{
    if (seglen) {
        c->ack_now = true;
    } else if (now >= c->oow_ack_at) {
        c->ack_now = true;
        c->oow_ack_at = now + TCP_OOW_ACK_GAP;
    }
}

/* The peer's FIN is now in order. */
static void take_fin(tcp_conn *c, sim_time_t now)
{
    c->rcv_nxt++;
    c->fin_rcvd = true;
    c->ooo_fin = false;
    c->ack_now = true;
    c->events |= TCP_EV_EOF | TCP_EV_READABLE;
    switch (c->state) {
    case TCP_SYN_RECEIVED:
    case TCP_ESTABLISHED:
        tcp_set_state(c, TCP_CLOSE_WAIT);
        break;
    case TCP_FIN_WAIT_1:
        if (tcp_fin_acked(c))
            tcp_time_wait(c, now);
        else
            tcp_set_state(c, TCP_CLOSING); /* simultaneous close */
        break;
    case TCP_FIN_WAIT_2:
        tcp_time_wait(c, now);
        break;
    default:
        break;
    }
}

/* RST in a synchronized state (RFC 5961 3.2: only an exact RCV.NXT match resets; anything
 * else in the window gets a challenge ACK). */
static void in_rst(tcp_conn *c, uint32_t seq)
{
    if (seq != c->rcv_nxt) {
        c->ack_now = true;
        return;
    }
    switch (c->state) {
    case TCP_SYN_RECEIVED:
        tcp_fail(c, -ECONNREFUSED);
        break;
    case TCP_ESTABLISHED:
    case TCP_FIN_WAIT_1:
    case TCP_FIN_WAIT_2:
    case TCP_CLOSE_WAIT:
        tcp_fail(c, -ECONNRESET);
        break;
    default:
        tcp_set_state(c, TCP_CLOSED); /* CLOSING, LAST-ACK, TIME-WAIT: we were done anyway */
        break;
    }
}

/* Step five: the ACK field. Returns false when the segment is to be dropped here. */
static bool in_ack(tcp_conn *c, sim_time_t now, const tcp_seg *seg, uint32_t seq, bool dup_ok)
{
    if (c->state == TCP_SYN_RECEIVED) {
        if (!tcp_seq_gt(seg->ack, c->snd_una) || tcp_seq_gt(seg->ack, c->snd_max)) {
            c->rst_now = true; /* <SEQ=SEG.ACK><CTL=RST> */
            c->rst_seq = seg->ack;
            return false;
        }
        c->snd_wl1 = seq - 1; /* so the window below is taken */
        establish(c);
    }
    if (tcp_seq_gt(seg->ack, c->snd_max)) {
        oow_ack(c, now, seg->len); /* acknowledges something not yet sent */
        return false;
    }
    /* RFC 5681 2: a duplicate ACK acknowledges nothing new, carries no data, no SYN/FIN,
     * leaves the window alone, while data is outstanding. */
    bool dup = dup_ok && seg->ack == c->snd_una && seg->len == 0 && seg->wnd == c->snd_wnd &&
               c->snd_wnd && c->snd_max != c->snd_una;
    if (tcp_seq_gt(seg->ack, c->snd_una))
        tcp_out_acked(c, now, seg->ack);
    if (seg->ack == c->snd_una && (tcp_seq_lt(c->snd_wl1, seq) ||
                                   (c->snd_wl1 == seq && tcp_seq_le(c->snd_wl2, seg->ack)))) {
        c->snd_wnd = seg->wnd;
        c->snd_wl1 = seq;
        c->snd_wl2 = seg->ack;
    }
    if (c->snd_una == c->snd_max && c->snd_wnd)
        c->rto_at = SIM_TIME_NEVER; /* nothing outstanding: no persist timer either */
    if (dup)
        tcp_out_dupack(c);
    switch (c->state) {
    case TCP_FIN_WAIT_1:
        if (tcp_fin_acked(c))
            tcp_set_state(c, TCP_FIN_WAIT_2);
        break;
    case TCP_CLOSING:
        if (tcp_fin_acked(c))
            tcp_time_wait(c, now);
        break;
    case TCP_LAST_ACK:
        if (tcp_fin_acked(c)) {
            tcp_set_state(c, TCP_CLOSED);
            return false;
        }
        break;
    default:
        break;
    }
    return true;
}

/* Steps seven and eight: segment text and FIN, seq already past any SYN. */
static void in_text(tcp_conn *c, sim_time_t now, uint32_t seq, const uint8_t *data,
                    uint32_t len, bool fin)
{
    uint32_t fin_at = seq + len;
    bool text_ok = c->state == TCP_ESTABLISHED || c->state == TCP_FIN_WAIT_1 ||
                   c->state == TCP_FIN_WAIT_2;
    if (len && text_ok) {
        if (tcp_seq_lt(seq, c->rcv_nxt)) { /* the front was received already */
            uint32_t d = c->rcv_nxt - seq;
            d = d < len ? d : len;
            data += d;
            len -= d;
            seq += d;
        }
        uint32_t edge = c->rcv_nxt + tcp_rcv_wnd(c);
        if (len && tcp_seq_gt(seq + len, edge)) {
            len = tcp_seq_gt(edge, seq) ? edge - seq : 0; /* beyond the window */
            fin = false;
        }
        if (len)
            tcp_rcv_data(c, seq, data, len);
        c->ack_now = true; /* every data segment is acknowledged at once (no delayed ACK) */
    }
    if (fin && text_ok) {
        c->ack_now = true;
        if (fin_at == c->rcv_nxt) {
            take_fin(c, now);
        } else if (tcp_seq_gt(fin_at, c->rcv_nxt)) {
            c->ooo_fin = true; /* taken when the hole before it fills */
            c->ooo_fin_seq = fin_at;
        }
    }
    if (c->ooo_fin && c->ooo_fin_seq == c->rcv_nxt && text_ok)
        take_fin(c, now);
}

static int in_sync(tcp_conn *c, sim_time_t now, const tcp_seg *seg)
{
    uint32_t seq = seg->seq, len = (uint32_t)seg->len;
    uint8_t flags = seg->flags;
    if ((flags & TCP_SYN) && seq == c->irs) {
        /* The peer's SYN again (its SYN,ACK in a simultaneous open, or a retransmission):
         * the SYN is old, only what follows may be new. Answer, so a peer still in
         * SYN-RECEIVED or SYN-SENT learns our state. */
        flags &= (uint8_t)~TCP_SYN;
        seq++;
        c->ack_now = true;
        if (c->state == TCP_SYN_RECEIVED && !(flags & TCP_ACK))
            c->snd_nxt = c->iss; /* our SYN,ACK was lost: send it again */
    }
    uint32_t seglen = len + !!(flags & TCP_SYN) + !!(flags & TCP_FIN);
    if (!acceptable(c, seq, seglen, tcp_rcv_wnd(c))) {
        /* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> */
        if (!(flags & TCP_RST))
            oow_ack(c, now, seglen);
        if (c->state == TCP_TIME_WAIT && (flags & TCP_FIN))
            c->tw_at = now + 2 * c->cfg.msl; /* a retransmitted FIN: restart 2 MSL */
        return 0;
    }
    if (flags & TCP_RST) {
        in_rst(c, seq);
        return 0;
    }
    if (flags & TCP_SYN) {
        c->ack_now = true; /* RFC 5961 4.2: challenge ACK, never a reset */
        return 0;
    }
    if (!(flags & TCP_ACK))
        return 0;
    if (!in_ack(c, now, seg, seq, !(seg->flags & (TCP_SYN | TCP_FIN))))
        return 0;
    in_text(c, now, seq, seg->data, len, flags & TCP_FIN);
    return 0;
}

int tcp_conn_input(tcp_conn *c, sim_time_t now, const tcp_seg *seg)
{
    switch (c->state) {
    case TCP_CLOSED:
        return -ENOTCONN;
    case TCP_LISTEN:
        return in_listen(c, seg);
    case TCP_SYN_SENT:
        return in_syn_sent(c, now, seg);
    default:
        return in_sync(c, now, seg);
    }
}

/* ---- user calls ---- */

int tcp_conn_shutdown(tcp_conn *c)
{
    switch (c->state) {
    case TCP_CLOSED:
    case TCP_LISTEN:
        return -ENOTCONN;
    case TCP_SYN_SENT:
    case TCP_SYN_RECEIVED:
        c->fin_queued = true; /* sent once established */
        return 0;
    case TCP_ESTABLISHED:
        c->fin_queued = true;
        tcp_set_state(c, TCP_FIN_WAIT_1);
        return 0;
    case TCP_CLOSE_WAIT:
        c->fin_queued = true;
        tcp_set_state(c, TCP_LAST_ACK);
        return 0;
    default:
        return 0; /* already shut down */
    }
}

int tcp_conn_close(tcp_conn *c)
{
    c->app_closed = true;
    switch (c->state) {
    case TCP_CLOSED:
        return 0;
    case TCP_LISTEN:
    case TCP_SYN_SENT:
        tcp_set_state(c, TCP_CLOSED);
        return 0;
    default:
        break;
    }
    if (c->ravail)
        return tcp_conn_abort(c); /* unread data would be lost silently otherwise */
    return c->state == TCP_SYN_RECEIVED || c->state == TCP_ESTABLISHED ||
                   c->state == TCP_CLOSE_WAIT
               ? tcp_conn_shutdown(c)
               : 0;
}

int tcp_conn_abort(tcp_conn *c)
{
    switch (c->state) {
    case TCP_SYN_RECEIVED:
    case TCP_ESTABLISHED:
    case TCP_FIN_WAIT_1:
    case TCP_FIN_WAIT_2:
    case TCP_CLOSE_WAIT:
        c->rst_now = true; /* RFC 9293 3.10.5: <SEQ=SND.NXT><CTL=RST> */
        c->rst_seq = c->snd_max;
        break;
    default:
        break;
    }
    tcp_set_state(c, TCP_CLOSED);
    return 0;
}

bool tcp_conn_icmp_error(tcp_conn *c, uint32_t seq, int err)
{
    if (c->state == TCP_CLOSED || c->state == TCP_LISTEN || tcp_seq_lt(seq, c->snd_una) ||
        !tcp_seq_lt(seq, c->snd_max))
        return false; /* RFC 5927 4.1: not about data in flight (spoofed or stale) */
    bool unreach = err == -ECONNREFUSED || err == -EHOSTUNREACH || err == -ENETUNREACH;
    if (c->state == TCP_SYN_SENT && unreach) {
        tcp_fail(c, err);
        return true;
    }
    if (err != -EMSGSIZE) /* no path MTU discovery: DF segments never exceed the MTU */
        c->soft_err = err;
    return false;
}

/* ---- accessors ---- */

unsigned tcp_conn_events(tcp_conn *c)
{
    unsigned e = c->events;
    c->events = 0;
    return e;
}

tcp_state tcp_conn_state(const tcp_conn *c) { return c->state; }
int tcp_conn_error(const tcp_conn *c) { return c->err; }
bool tcp_conn_peer_closed(const tcp_conn *c) { return c->fin_rcvd; }
uint16_t tcp_conn_mss(const tcp_conn *c) { return c->snd_mss; }
sim_time_t tcp_conn_rto(const tcp_conn *c) { return c->rto; }
const sim_ep *tcp_conn_local(const tcp_conn *c) { return &c->local; }
const sim_ep *tcp_conn_remote(const tcp_conn *c) { return &c->remote; }
