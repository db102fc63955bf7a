/* protocols/rtp/rtp_session.c — one RTP session of a call, sans-I/O: a sender of fixed-size
 * packets every ptime (20 ms PCMU by default: 160 samples of an 8000 Hz clock), a receiver
 * keeping RFC 3550 A.1/A.3/A.8 statistics of the remote source, and RTCP compounds (SR or RR,
 * SDES CNAME, BYE at the end) on A.7's interval. SSRC, first sequence number and first
 * timestamp are random (§5.1) from the rng handed in, as are the RTCP intervals, so a seed
 * fixes every byte. */
#include "protocols/rtp/rtp.h"

#include <errno.h>
#include <string.h>

#define NTP_UNIX_OFFSET 2208988800u /* seconds from 1900 to 1970: SR times read as 1970 + t */
#define IP_UDP_OVERHEAD 28          /* A.7 counts the lower-layer headers in avg_rtcp_size */

struct rtp_session {
    rtp_session_cfg cfg;
    char *cname;
    sim_rng *rng;
    sim_time_t t0;           /* creation: timestamps count from here */
    uint32_t ssrc, ts0;
    uint16_t seq;
    bool sending, first_pkt;
    sim_time_t next_send, send_until;
    bool byed;
    sim_time_t next_rtcp;
    bool initial;            /* no report sent yet (A.7 halves the minimum) */
    double avg_rtcp_size;
    bool we_sent, remote_sent; /* RTP since our last report */
    bool have_src;
    rtp_source src;
    uint32_t lsr;            /* middle 32 bits of the last SR received, 0: none */
    sim_time_t lsr_at;
    GQueue out;              /* of rtp_out* */
    rtp_stats st;
};

static uint32_t ts_at(const rtp_session *s, sim_time_t t)
{
    uint64_t us = (t - s->t0) / SIM_US;
    return s->ts0 + (uint32_t)(us * s->cfg.clock / 1000000u);
}

/* NTP time of t as 32.32 fixed point, and its middle 32 bits (LSR / DLSR units). */
static void ntp_of(sim_time_t t, uint32_t *sec, uint32_t *frac)
{
    *sec = (uint32_t)(t / SIM_SEC) + NTP_UNIX_OFFSET;
    *frac = (uint32_t)(((t % SIM_SEC) << 32) / SIM_SEC);
}

static uint32_t ntp_mid(sim_time_t t)
{
    uint32_t sec, frac;
    ntp_of(t, &sec, &frac);
    return sec << 16 | frac >> 16;
}

static void schedule_rtcp(rtp_session *s, sim_time_t now)
{
    int members = 1 + (s->have_src ? 1 : 0);
    int senders = (s->we_sent ? 1 : 0) + (s->remote_sent ? 1 : 0);
    double bw = s->cfg.session_bw * 0.05; /* §6.2: RTCP gets 5% of the session bandwidth */
    double t = rtp_rtcp_interval(members, senders, bw, s->we_sent, s->avg_rtcp_size, s->initial,
                                 s->rng);
    s->next_rtcp = now + sim_time_from_sec(t);
}

rtp_session *rtp_session_new(const rtp_session_cfg *cfg, sim_rng *rng, sim_time_t now)
{
    rtp_session *s = g_new0(rtp_session, 1);
    s->cfg = *cfg;
    if (!s->cfg.clock)
        s->cfg.clock = 8000;
    if (!s->cfg.ptime)
        s->cfg.ptime = 20 * SIM_MS;
    if (!s->cfg.payload_len)
        s->cfg.payload_len = (size_t)(s->cfg.clock * (s->cfg.ptime / SIM_US) / 1000000u);
    if (s->cfg.payload_len > RTP_PKT_MAX - RTP_HDR_LEN)
        s->cfg.payload_len = RTP_PKT_MAX - RTP_HDR_LEN;
    if (s->cfg.session_bw <= 0)
        s->cfg.session_bw = 10000; /* 64 kbit/s PCMU + 50 x 40 bytes of headers per second */
    s->cname = g_strndup(cfg->cname ? cfg->cname : "natsim", 255);
    s->cfg.cname = s->cname;
    s->rng = rng;
    s->t0 = now;
    s->ssrc = (uint32_t)sim_rng_u64(rng);
    s->seq = (uint16_t)sim_rng_u64(rng);
    s->ts0 = (uint32_t)sim_rng_u64(rng);
    s->initial = true;
    s->avg_rtcp_size = 100; /* a guess until the first report is sent */
    s->st.local_ssrc = s->ssrc;
    s->st.clock = s->cfg.clock;
    s->st.rtt_ms = -1;
    g_queue_init(&s->out);
    schedule_rtcp(s, now);
    return s;
}

void rtp_session_free(rtp_session *s)
{
    if (!s)
        return;
    g_queue_clear_full(&s->out, g_free);
    g_free(s->cname);
    g_free(s);
}

void rtp_session_send_start(rtp_session *s, sim_time_t now, sim_time_t until)
{
    if (s->byed || s->sending)
        return;
    s->sending = true;
    s->first_pkt = true; /* the marker bit starts a talkspurt (RFC 3551 §4.1) */
    s->next_send = now;
    s->send_until = until;
}

void rtp_session_send_stop(rtp_session *s, sim_time_t now) { s->sending = false; }

static rtp_out *out_new(rtp_session *s, bool rtcp)
{
    rtp_out *o = g_new0(rtp_out, 1);
    o->rtcp = rtcp;
    g_queue_push_tail(&s->out, o);
    return o;
}

static void send_rtp(rtp_session *s, sim_time_t t)
{
    uint8_t payload[RTP_PKT_MAX];
    memset(payload, 0xff, s->cfg.payload_len); /* mu-law silence */
    rtp_pkt p = { .marker = s->first_pkt, .pt = s->cfg.pt, .seq = s->seq++,
                  .ts = ts_at(s, t), .ssrc = s->ssrc, .payload = payload,
                  .payload_len = s->cfg.payload_len };
    rtp_out *o = out_new(s, false);
    if (rtp_encode(&p, o->data, sizeof o->data, &o->len) != 0) {
        g_free(g_queue_pop_tail(&s->out));
        return;
    }
    s->first_pkt = false;
    s->we_sent = true;
    s->st.packets_sent++;
    s->st.octets_sent += s->cfg.payload_len;
}

/* Fills packet 0 (SR or RR with our report block on the remote source) and the SDES. */
static void build_report(rtp_session *s, sim_time_t now, rtcp_compound *c, rtcp_sdes_chunk *ch)
{
    rtcp_pkt *p = &c->pkts[0];
    *p = (rtcp_pkt){ .pt = s->we_sent ? RTCP_SR : RTCP_RR, .ssrc = s->ssrc };
    if (p->pt == RTCP_SR) {
        ntp_of(now, &p->ntp_sec, &p->ntp_frac);
        p->rtp_ts = ts_at(s, now);
        p->pkt_count = (uint32_t)s->st.packets_sent;
        p->octet_count = (uint32_t)s->st.octets_sent;
    }
    if (s->have_src && rtp_source_expected(&s->src) > 0) {
        rtcp_rb *rb = &p->rb[p->count++];
        rb->ssrc = s->src.ssrc;
        rb->fraction = rtp_source_fraction(&s->src);
        rb->lost = rtp_source_lost(&s->src);
        rb->ext_max_seq = rtp_source_ext_max(&s->src);
        rb->jitter = rtp_source_jitter_ts(&s->src);
        rb->lsr = s->lsr;
        /* DLSR in 1/65536 s */
        rb->dlsr = s->lsr ? (uint32_t)(((now - s->lsr_at) << 16) / SIM_SEC) : 0;
        s->st.fraction_lost = rb->fraction;
    }
    *ch = (rtcp_sdes_chunk){ .ssrc = s->ssrc, .n_items = 1 };
    ch->items[0] = (rtcp_sdes_item){ RTCP_SDES_CNAME, (uint8_t)strlen(s->cname),
                                     (const uint8_t *)s->cname };
    c->pkts[1] = (rtcp_pkt){ .pt = RTCP_SDES, .count = 1, .chunks = ch };
    c->n = 2;
}

static void send_rtcp(rtp_session *s, sim_time_t now, bool bye, const char *reason)
{
    rtcp_compound *c = g_new0(rtcp_compound, 1);
    build_report(s, now, c, &c->chunks[0]);
    if (bye) {
        rtcp_pkt *b = &c->pkts[c->n++];
        *b = (rtcp_pkt){ .pt = RTCP_BYE, .count = 1, .bye_ssrc = { s->ssrc } };
        if (reason) {
            b->reason = (const uint8_t *)reason;
            b->reason_len = (uint8_t)MIN(strlen(reason), 255u);
        }
    }
    rtp_out *o = out_new(s, true);
    if (rtcp_encode(c, o->data, sizeof o->data, &o->len) == 0) {
        s->st.rtcp_sent++;
        s->avg_rtcp_size = (o->len + IP_UDP_OVERHEAD) / 16.0 + s->avg_rtcp_size * 15.0 / 16.0;
    } else {
        g_free(g_queue_pop_tail(&s->out));
    }
    g_free(c);
    s->initial = false;
    s->we_sent = s->sending;
    s->remote_sent = false;
}

void rtp_session_timeout(rtp_session *s, sim_time_t now)
{
    while (s->sending && s->next_send <= now) {
        if (s->next_send >= s->send_until) {
            s->sending = false;
            break;
        }
        send_rtp(s, s->next_send);
        s->next_send += s->cfg.ptime;
    }
    if (!s->byed && s->next_rtcp <= now) {
        send_rtcp(s, now, false, NULL);
        schedule_rtcp(s, now);
    }
}

sim_time_t rtp_session_next_deadline(const rtp_session *s)
{
    if (s->byed)
        return SIM_TIME_NEVER;
    sim_time_t t = s->next_rtcp;
    if (s->sending && s->next_send < t)
        t = s->next_send;
    return t;
}

void rtp_session_bye(rtp_session *s, sim_time_t now, const char *reason)
{
    if (s->byed)
        return;
    send_rtcp(s, now, true, reason);
    s->sending = false;
    s->byed = true;
}

bool rtp_session_pop(rtp_session *s, rtp_out *out)
{
    rtp_out *o = g_queue_pop_head(&s->out);
    if (!o)
        return false;
    *out = *o;
    g_free(o);
    return true;
}

/* ---------------------------------------------------------------- input */

static void take_rtcp(rtp_session *s, sim_time_t now, const rtcp_compound *c)
{
    s->st.rtcp_received++;
    for (size_t i = 0; i < c->n; i++) {
        const rtcp_pkt *p = &c->pkts[i];
        if (p->pt == RTCP_SR) {
            s->st.sr_received++;
            s->lsr = p->ntp_sec << 16 | p->ntp_frac >> 16;
            s->lsr_at = now;
        } else if (p->pt == RTCP_RR) {
            s->st.rr_received++;
        } else if (p->pt == RTCP_BYE) {
            s->st.bye_received++;
        }
        for (unsigned k = 0; (p->pt == RTCP_SR || p->pt == RTCP_RR) && k < p->count; k++) {
            const rtcp_rb *rb = &p->rb[k];
            if (rb->ssrc != s->ssrc)
                continue;
            s->st.have_remote_report = true;
            s->st.remote_fraction_lost = rb->fraction;
            s->st.remote_lost = rb->lost;
            s->st.remote_jitter_ts = rb->jitter;
            if (rb->lsr) { /* §6.4.1: RTT = A - LSR - DLSR */
                uint32_t rtt = ntp_mid(now) - rb->lsr - rb->dlsr;
                if (rtt < 0x80000000u)
                    s->st.rtt_ms = rtt * 1000.0 / 65536.0;
            }
        }
    }
}

static int take_rtp(rtp_session *s, sim_time_t now, const rtp_pkt *p)
{
    if (!s->have_src) {
        rtp_source_init(&s->src, p->ssrc, p->seq, s->cfg.probation);
        s->have_src = true;
        s->st.remote_known = true;
        s->st.remote_ssrc = p->ssrc;
    } else if (p->ssrc != s->src.ssrc) {
        s->st.other_ssrc++;
        return -ENOENT;
    }
    uint32_t dup = s->src.duplicates;
    if (!rtp_source_update(&s->src, p->seq))
        return 0;
    s->remote_sent = true;
    s->st.octets_received += p->payload_len;
    if (s->src.duplicates == dup)
        rtp_source_jitter(&s->src, p->ts, ts_at(s, now) - s->ts0);
    return 0;
}

int rtp_session_input(rtp_session *s, sim_time_t now, const uint8_t *buf, size_t len)
{
    if (rtp_is_rtcp(buf, len)) {
        rtcp_compound *c = g_new(rtcp_compound, 1);
        int rc = rtcp_decode(buf, len, c, NULL);
        if (rc == 0)
            take_rtcp(s, now, c);
        g_free(c);
        if (rc)
            s->st.bad++;
        return rc;
    }
    rtp_pkt p;
    if (rtp_decode(buf, len, &p, NULL)) {
        s->st.bad++;
        return -EBADMSG;
    }
    return take_rtp(s, now, &p);
}

const rtp_stats *rtp_session_stats(rtp_session *s)
{
    rtp_stats *st = &s->st;
    if (s->have_src) {
        st->packets_received = s->src.received;
        st->expected = rtp_source_expected(&s->src);
        st->lost = (int64_t)st->expected - (int64_t)st->packets_received;
        st->jitter_ts = rtp_source_jitter_ts(&s->src);
        st->jitter_ms = st->jitter_ts * 1000.0 / s->cfg.clock;
        st->duplicates = s->src.duplicates;
        st->reordered = s->src.reordered;
    }
    return st;
}
