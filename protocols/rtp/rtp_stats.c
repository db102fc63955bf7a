/* protocols/rtp/rtp_stats.c — receiver statistics of one source, after the algorithms of RFC
 * 3550 appendix A: A.1 sequence number validity and extended highest sequence number (with
 * wrap), A.3 expected / lost / fraction lost, A.8 interarrival jitter, and A.7's RTCP
 * transmission interval. Duplicates and reordering, which A.1 leaves in its "duplicate or
 * reordered packet" branch, are told apart with a 64-packet window. */
#include "protocols/rtp/rtp.h"

#define RTP_SEQ_MOD (1u << 16)

/* A.1 init_seq. */
static void init_seq(rtp_source *s, uint16_t seq)
{
    s->base_seq = seq;
    s->max_seq = seq;
    s->bad_seq = RTP_SEQ_MOD + 1; /* so seq == bad_seq is false */
    s->cycles = 0;
    s->received = 0;
    s->received_prior = 0;
    s->expected_prior = 0;
    s->seen = 1;
}

void rtp_source_init(rtp_source *s, uint32_t ssrc, uint16_t seq, bool probation)
{
    *s = (rtp_source){ .ssrc = ssrc };
    init_seq(s, seq);
    s->seen = 0;
    /* A.1: max_seq = seq - 1 so the first packet is "in order". Without probation the first
     * update must not count a wrap when seq is 0 (max_seq 65535): cycles starts one cycle
     * back, and the wrap of the first update brings it to 0. */
    s->max_seq = (uint16_t)(seq - 1);
    s->probation = probation ? RTP_MIN_SEQUENTIAL : 0;
    if (!probation && seq == 0)
        s->cycles = (uint32_t)0 - RTP_SEQ_MOD;
}

/* Marks seq (back packets before the highest) in the window; true if it was already there. */
static bool seen_before(rtp_source *s, unsigned back)
{
    if (back >= 64)
        return false;
    uint64_t bit = (uint64_t)1 << back;
    bool dup = s->seen & bit;
    s->seen |= bit;
    return dup;
}

static void advance_window(rtp_source *s, unsigned delta)
{
    s->seen = delta >= 64 ? 0 : s->seen << delta;
    s->seen |= 1;
}

bool rtp_source_update(rtp_source *s, uint16_t seq)
{
    uint16_t udelta = (uint16_t)(seq - s->max_seq);
    if (s->probation) {
        /* A.1: a source is valid after MIN_SEQUENTIAL packets in sequence. */
        if (seq == (uint16_t)(s->max_seq + 1)) {
            s->probation--;
            s->max_seq = seq;
            if (s->probation == 0) {
                init_seq(s, seq);
                s->received++;
                return true;
            }
        } else {
            s->probation = RTP_MIN_SEQUENTIAL - 1;
            s->max_seq = seq;
        }
        return false;
    }
    if (udelta == 0) { /* the highest again */
        if (seen_before(s, 0))
            s->duplicates++;
    } else if (udelta < RTP_MAX_DROPOUT) {
        /* in order, with a permissible gap */
        if (seq < s->max_seq)
            s->cycles += RTP_SEQ_MOD; /* sequence number wrapped */
        s->max_seq = seq;
        advance_window(s, udelta);
    } else if (udelta <= RTP_SEQ_MOD - RTP_MAX_MISORDER) {
        /* the sequence number made a very large jump */
        if (seq == s->bad_seq) {
            /* two sequential packets: assume the other side restarted without telling us */
            init_seq(s, seq);
            s->resyncs++;
        } else {
            s->bad_seq = (seq + 1) & (RTP_SEQ_MOD - 1);
            return false;
        }
    } else { /* duplicate or reordered packet */
        if (seen_before(s, (uint16_t)(s->max_seq - seq)))
            s->duplicates++;
        else
            s->reordered++;
    }
    s->received++; /* A.1 counts duplicates too: "lost" may then go negative (§6.4.1) */
    return true;
}

void rtp_source_jitter(rtp_source *s, uint32_t rtp_ts, uint32_t arrival)
{
    /* A.8: D(i-1,i) from relative transit times, J += (|D| - J) / 16, J kept scaled by 16. */
    int64_t transit = (int32_t)(arrival - rtp_ts);
    if (s->have_transit) {
        int64_t d = transit - s->transit;
        if (d < 0)
            d = -d;
        int64_t j = (int64_t)s->jitter + d - (((int64_t)s->jitter + 8) >> 4);
        s->jitter = j > UINT32_MAX ? UINT32_MAX : (uint32_t)j;
    }
    s->transit = transit;
    s->have_transit = true;
}

uint32_t rtp_source_ext_max(const rtp_source *s) { return s->cycles + s->max_seq; }

uint32_t rtp_source_expected(const rtp_source *s)
{
    if (s->probation || (s->received == 0 && s->seen == 0))
        return 0;
    return rtp_source_ext_max(s) - s->base_seq + 1;
}

int32_t rtp_source_lost(const rtp_source *s)
{
    int64_t lost = (int64_t)rtp_source_expected(s) - s->received;
    /* A.3: clamp to the 24-bit signed field */
    return lost > 0x7fffff ? 0x7fffff : lost < -0x800000 ? -0x800000 : (int32_t)lost;
}

uint8_t rtp_source_fraction(rtp_source *s)
{
    uint32_t expected = rtp_source_expected(s);
    uint32_t expected_interval = expected - s->expected_prior;
    uint32_t received_interval = s->received - s->received_prior;
    s->expected_prior = expected;
    s->received_prior = s->received;
    int64_t lost_interval = (int64_t)expected_interval - received_interval;
    if (expected_interval == 0 || lost_interval <= 0)
        return 0;
    return (uint8_t)((lost_interval << 8) / expected_interval);
}

uint32_t rtp_source_jitter_ts(const rtp_source *s) { return s->jitter >> 4; }

double rtp_rtcp_interval(int members, int senders, double rtcp_bw, bool we_sent,
                         double avg_rtcp_size, bool initial, sim_rng *rng)
{
    const double min_time = initial ? 2.5 : 5.0; /* A.7: half the minimum for the first one */
    const double compensation = 2.71828 - 1.5;   /* e - 3/2, for timer reconsideration */
    double n = members;
    if (senders <= members * 0.25) {
        if (we_sent) {
            rtcp_bw *= 0.25;
            n = senders;
        } else {
            rtcp_bw *= 0.75;
            n -= senders;
        }
    }
    double t = rtcp_bw > 0 ? avg_rtcp_size * n / rtcp_bw : min_time;
    if (t < min_time)
        t = min_time;
    t *= sim_rng_double(rng) + 0.5;
    return t / compensation;
}
