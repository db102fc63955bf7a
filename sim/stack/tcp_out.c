/* sim/stack/tcp_out.c — the sending half of the TCP core: what goes out next (tcp_conn_pop),
 * the retransmission timer (RFC 6298), congestion control (RFC 5681) and the timers.
 *
 * Nothing is queued per segment: tcp_conn_pop works out the next segment from the sequence
 * variables and the send ring each time it is asked, so retransmission is just moving snd_nxt
 * back (go-back-N after a timeout, RFC 5681 3.1) or one segment from snd_una (fast
 * retransmit). Every segment in a synchronized state carries the current ACK and window. */
#include <errno.h>
#include <string.h>
#include "sim/stack/tcp_priv.h"

static uint32_t min_u32(uint32_t a, uint32_t b) { return a < b ? a : b; }
static uint32_t max_u32(uint32_t a, uint32_t b) { return a > b ? a : b; }

void tcp_out_init(tcp_conn *c)
{
    c->rto = c->cfg.rto_initial; /* RFC 6298 2.1 */
    c->have_rtt = false;
    c->rtt_timing = false;
    c->rto_at = c->tw_at = SIM_TIME_NEVER;
    c->ssthresh = 0x7FFFFFFF; /* RFC 5681 3.1: arbitrarily high */
    c->snd_mss = c->cfg.mss;
}

uint32_t tcp_fin_seq(const tcp_conn *c)
{
    return c->sbuf_seq + c->slen;
}

bool tcp_fin_acked(const tcp_conn *c)
{
    return c->fin_queued && tcp_seq_gt(c->snd_una, tcp_fin_seq(c));
}

void tcp_time_wait(tcp_conn *c, sim_time_t now)
{
    tcp_set_state(c, TCP_TIME_WAIT);
    c->tw_at = now + 2 * c->cfg.msl; /* RFC 9293 3.10.7.4: 2 MSL */
    c->rto_at = SIM_TIME_NEVER;
}

/* RFC 6298 2.2 / 2.3: a new round-trip sample r. */
static void rtt_sample(tcp_conn *c, sim_time_t r)
{
    if (!c->have_rtt) {
        c->srtt = r;
        c->rttvar = r / 2;
        c->have_rtt = true;
    } else {
        sim_time_t d = c->srtt > r ? c->srtt - r : r - c->srtt;
        c->rttvar = (3 * c->rttvar + d) / 4; /* beta = 1/4 */
        c->srtt = (7 * c->srtt + r) / 8;     /* alpha = 1/8 */
    }
    sim_time_t v = 4 * c->rttvar > TCP_RTO_G ? 4 * c->rttvar : TCP_RTO_G;
    c->rto = c->srtt + v;
    if (c->rto < c->cfg.rto_min)
        c->rto = c->cfg.rto_min; /* RFC 6298 2.4 */
    if (c->rto > c->cfg.rto_max)
        c->rto = c->cfg.rto_max; /* RFC 6298 2.5 */
}

void tcp_out_acked(tcp_conn *c, sim_time_t now, uint32_t ack)
{
    if (c->rtt_timing && tcp_seq_gt(ack, c->rtt_seq)) {
        rtt_sample(c, now - c->rtt_start); /* never a retransmitted segment (Karn) */
        c->rtt_timing = false;
    }
    uint32_t data = 0;
    if (tcp_seq_gt(ack, c->sbuf_seq)) {
        data = min_u32(ack - c->sbuf_seq, c->slen);
        tcp_sbuf_drop(c, data);
    }
    c->snd_una = ack;
    if (tcp_seq_lt(c->snd_nxt, ack))
        c->snd_nxt = ack;
    c->retries = 0;
    if (c->in_recovery) {
        c->cwnd = c->ssthresh; /* RFC 5681 3.2 step 6: deflate */
        c->in_recovery = false;
    } else if (c->cwnd < c->ssthresh) {
        c->cwnd += min_u32(data, c->snd_mss); /* slow start, RFC 5681 (2) */
    } else if (data) {
        c->cwnd += max_u32(1, (uint32_t)c->snd_mss * c->snd_mss / c->cwnd); /* (3) */
    }
    if (c->cwnd > TCP_CWND_MAX)
        c->cwnd = TCP_CWND_MAX;
    c->dupacks = 0;
    /* RFC 6298 5.2 / 5.3 */
    c->rto_at = c->snd_una == c->snd_max ? SIM_TIME_NEVER : now + c->rto;
}

void tcp_out_dupack(tcp_conn *c)
{
    c->dupacks++;
    if (c->dupacks == TCP_DUPACK_THRESH && !c->in_recovery) {
        /* RFC 5681 3.2 steps 2-3 */
        uint32_t flight = c->snd_max - c->snd_una;
        c->ssthresh = max_u32(flight / 2, 2u * c->snd_mss);
        c->cwnd = c->ssthresh + 3u * c->snd_mss;
        c->in_recovery = true;
        c->fast_rexmit = true;
        c->rtt_timing = false; /* Karn */
    } else if (c->in_recovery && c->cwnd < TCP_CWND_MAX) {
        c->cwnd += c->snd_mss; /* step 4: inflate */
    }
}

/* ---- timers ---- */

/* RFC 6298 5.4-5.7 plus the zero-window persist timer sharing the same deadline. */
static void on_rto(tcp_conn *c)
{
    uint32_t data_end = tcp_fin_seq(c);
    if (c->state >= TCP_ESTABLISHED && c->snd_wnd == 0 && tcp_seq_lt(c->snd_una, data_end)) {
        /* Persist (RFC 9293 3.8.6.1): data held back by a zero window. Probe with the first
         * unacknowledged byte, backing off, for as long as the peer answers; a probe is not
         * a retransmission, so it does not count towards the retry limit. */
        c->probe = true;
        c->snd_nxt = c->snd_una;
        c->rto = c->rto * 2 < c->cfg.rto_max ? c->rto * 2 : c->cfg.rto_max;
        return;
    }
    bool syn = c->snd_una == c->iss;
    if (c->retries >= (syn ? c->cfg.syn_retries : c->cfg.data_retries)) {
        tcp_fail(c, c->soft_err ? c->soft_err : -ETIMEDOUT);
        return;
    }
    c->retries++;
    c->syn_rexmitted |= syn;
    uint32_t flight = c->snd_max - c->snd_una;
    c->ssthresh = max_u32(flight / 2, 2u * c->snd_mss); /* RFC 5681 (4) */
    c->cwnd = c->snd_mss;                                /* loss window */
    c->in_recovery = false;
    c->dupacks = 0;
    c->fast_rexmit = false;
    c->snd_nxt = c->snd_una; /* go back N */
    c->rtt_timing = false;   /* Karn */
    c->rto = c->rto * 2 < c->cfg.rto_max ? c->rto * 2 : c->cfg.rto_max; /* 5.5 */
}

void tcp_conn_timeout(tcp_conn *c, sim_time_t now)
{
    if (c->tw_at != SIM_TIME_NEVER && now >= c->tw_at) {
        c->tw_at = SIM_TIME_NEVER;
        /* TIME-WAIT ends; or an orphaned FIN-WAIT-2 gives up on the peer's FIN (like Linux's
         * tcp_fin_timeout: silently, no RST) */
        if (c->state == TCP_TIME_WAIT || (c->state == TCP_FIN_WAIT_2 && c->app_closed))
            tcp_set_state(c, TCP_CLOSED);
    }
    if (c->rto_at != SIM_TIME_NEVER && now >= c->rto_at) {
        c->rto_at = SIM_TIME_NEVER;
        on_rto(c);
    }
}

sim_time_t tcp_conn_next_deadline(const tcp_conn *c)
{
    return c->rto_at < c->tw_at ? c->rto_at : c->tw_at;
}

/* ---- segment generation ---- */

/* Fills the ACK fields and records the window edge advertised. */
static void put_ack(tcp_conn *c, tcp_seg *s)
{
    s->flags |= TCP_ACK;
    s->ack = c->rcv_nxt;
    s->wnd = (uint16_t)tcp_rcv_wnd(c);
    c->rcv_adv = c->rcv_nxt + s->wnd;
    c->ack_now = false;
}

/* Bookkeeping for a segment occupying [seq, seq+n) of sequence space. */
static void sent(tcp_conn *c, sim_time_t now, uint32_t seq, uint32_t n, bool advance)
{
    bool idle = c->snd_una == c->snd_max;
    uint32_t end = seq + n;
    bool fresh = tcp_seq_ge(seq, c->snd_max);
    if (tcp_seq_gt(end, c->snd_max))
        c->snd_max = end;
    if (advance && tcp_seq_gt(end, c->snd_nxt))
        c->snd_nxt = end;
    if (fresh && !c->rtt_timing) {
        c->rtt_timing = true;
        c->rtt_seq = seq;
        c->rtt_start = now;
    }
    if (c->rto_at == SIM_TIME_NEVER || idle)
        c->rto_at = now + c->rto; /* RFC 6298 5.1 */
}

/* A SYN (SYN-SENT) or SYN-ACK (SYN-RECEIVED) from ISS with our MSS option. */
static void make_syn(tcp_conn *c, sim_time_t now, tcp_seg *s)
{
    s->seq = c->iss;
    s->flags = TCP_SYN;
    s->mss = c->cfg.mss;
    s->wnd = (uint16_t)tcp_rcv_wnd(c);
    if (c->state == TCP_SYN_RECEIVED)
        put_ack(c, s);
    c->rcv_adv = c->rcv_nxt + s->wnd;
    sent(c, now, c->iss, 1, true);
}

/* Data (and FIN) from seq, at most len bytes, copied to buf. */
static void make_data(tcp_conn *c, sim_time_t now, tcp_seg *s, uint32_t seq, uint32_t len,
                      uint8_t *buf, bool advance)
{
    uint32_t data_end = tcp_fin_seq(c);
    tcp_sbuf_copy(c, seq - c->sbuf_seq, buf, len);
    s->seq = seq;
    s->data = buf;
    s->len = len;
    if (seq + len == data_end && len)
        s->flags |= TCP_PSH;
    uint32_t n = len;
    if (c->fin_queued && seq + len == data_end &&
        (advance || tcp_seq_gt(c->snd_max, data_end))) {
        s->flags |= TCP_FIN;
        n++;
    }
    put_ack(c, s);
    sent(c, now, seq, n, advance);
}

/* Fast retransmit (RFC 5681 3.2 step 2): the first unacknowledged segment, window or not. */
static bool pop_fast_rexmit(tcp_conn *c, sim_time_t now, tcp_seg *s, uint8_t *buf, size_t cap)
{
    c->fast_rexmit = false;
    uint32_t data_end = tcp_fin_seq(c);
    if (tcp_seq_ge(c->snd_una, c->snd_max))
        return false;
    uint32_t len = 0;
    if (tcp_seq_lt(c->snd_una, data_end))
        len = min_u32(min_u32(data_end - c->snd_una, c->snd_mss), (uint32_t)cap);
    else if (!c->fin_queued || !tcp_seq_gt(c->snd_max, data_end))
        return false; /* nothing outstanding to resend */
    make_data(c, now, s, c->snd_una, len, buf, false);
    return true;
}

/* New or go-back-N data from snd_nxt within min(cwnd, snd_wnd), or the FIN. */
static bool pop_data(tcp_conn *c, sim_time_t now, tcp_seg *s, uint8_t *buf, size_t cap)
{
    uint32_t data_end = tcp_fin_seq(c);
    if (tcp_seq_lt(c->snd_nxt, data_end)) {
        uint32_t flight = c->snd_nxt - c->snd_una, wnd = min_u32(c->snd_wnd, c->cwnd);
        uint32_t len = min_u32(data_end - c->snd_nxt, min_u32(c->snd_mss, (uint32_t)cap));
        len = min_u32(len, wnd > flight ? wnd - flight : 0);
        if (len == 0 && c->probe && flight == 0)
            len = 1; /* RFC 9293 3.8.6.1: zero-window probe */
        else if (len < c->snd_mss && len < data_end - c->snd_nxt && flight)
            len = 0; /* RFC 9293 3.8.6.2.1 sender SWS avoidance: wait for a fuller window */
        c->probe = false;
        if (len) {
            make_data(c, now, s, c->snd_nxt, len, buf, true);
            return true;
        }
        if (flight == 0 && c->rto_at == SIM_TIME_NEVER)
            c->rto_at = now + c->rto; /* persist timer */
        return false;
    }
    if (c->fin_queued && c->snd_nxt == data_end) {
        make_data(c, now, s, data_end, 0, buf, true);
        return true;
    }
    return false;
}

bool tcp_conn_pop(tcp_conn *c, sim_time_t now, tcp_seg *seg, uint8_t *buf, size_t cap)
{
    tcp_seg s = { .sport = c->local.port, .dport = c->remote.port };
    bool out = false;
    if (c->app_closed && c->state == TCP_FIN_WAIT_2 && c->tw_at == SIM_TIME_NEVER)
        c->tw_at = now + c->cfg.fin_wait2_timeout; /* nobody will read: do not wait forever */
    if (c->rst_now) {
        c->rst_now = false;
        s.seq = c->rst_seq;
        s.flags = TCP_RST;
        *seg = s;
        return true;
    }
    switch (c->state) {
    case TCP_CLOSED:
    case TCP_LISTEN:
        return false;
    case TCP_SYN_SENT:
    case TCP_SYN_RECEIVED:
        if (c->snd_nxt == c->iss) {
            make_syn(c, now, &s);
            out = true;
        }
        break;
    case TCP_TIME_WAIT:
        break;
    default:
        if (c->fast_rexmit)
            out = pop_fast_rexmit(c, now, &s, buf, cap);
        if (!out)
            out = pop_data(c, now, &s, buf, cap);
        break;
    }
    if (!out && c->ack_now && c->state != TCP_SYN_SENT) {
        /* SND.NXT in RFC terms; after a go-back-N rewind ours is below what the peer may
         * already hold, and an ACK the peer finds unacceptable is never read: use the
         * highest sequence number sent. */
        s.seq = c->snd_max;
        put_ack(c, &s);
        out = true;
    }
    c->ack_now = false;
    if (out)
        *seg = s;
    return out;
}
