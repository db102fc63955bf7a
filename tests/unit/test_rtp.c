/* tests/unit/test_rtp.c — RTP and RTCP: the header codec with CSRCs, extension and padding;
 * an RTCP SR + SDES + BYE compound against bytes built independently with python3's struct;
 * the compound rules; malformed packets rejected with offset and reason; receiver statistics
 * (A.1/A.3/A.8) on hand-computed sequences: wrap at 65535, loss and fraction lost, reordering,
 * duplicates, probation, a restart, jitter; the A.7 interval; and two session cores talking
 * through a lossy delayed "wire" (counts, loss, RTT from LSR/DLSR, BYE, determinism). */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/rtp/rtp.h"

/* ---------------------------------------------------------------- RTP codec */

static void test_rtp_roundtrip(void)
{
    static const uint8_t ext[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    static const uint8_t payload[5] = { 0xde, 0xad, 0xbe, 0xef, 0x00 };
    rtp_pkt p = { .padding = true, .extension = true, .cc = 2, .marker = true, .pt = 0,
                  .seq = 65535, .ts = 0xfffffff0u, .ssrc = 0x01020304u,
                  .csrc = { 0xa1a2a3a4u, 0xb1b2b3b4u }, .ext_profile = 0xbede, .ext = ext,
                  .ext_len = 8, .payload = payload, .payload_len = 5, .pad_len = 3 };
    uint8_t buf[64];
    size_t len;
    g_assert_cmpint(rtp_encode(&p, buf, sizeof buf, &len), ==, 0);
    g_assert_cmpuint(len, ==, 12 + 8 + 4 + 8 + 5 + 3);
    static const uint8_t head[] = { 0xb2, 0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0,
                                    0x01, 0x02, 0x03, 0x04, 0xa1, 0xa2, 0xa3, 0xa4 };
    g_assert_cmpmem(buf, sizeof head, head, sizeof head);
    g_assert_cmpuint(buf[len - 1], ==, 3);
    rtp_pkt q;
    g_assert_cmpint(rtp_decode(buf, len, &q, NULL), ==, 0);
    g_assert_true(q.padding && q.extension && q.marker);
    g_assert_cmpuint(q.cc, ==, 2);
    g_assert_cmpuint(q.csrc[1], ==, 0xb1b2b3b4u);
    g_assert_cmpuint(q.seq, ==, 65535);
    g_assert_cmpuint(q.ts, ==, 0xfffffff0u);
    g_assert_cmpuint(q.ext_profile, ==, 0xbede);
    g_assert_cmpmem(q.ext, q.ext_len, ext, sizeof ext);
    g_assert_cmpmem(q.payload, q.payload_len, payload, sizeof payload);
    g_assert_cmpuint(q.pad_len, ==, 3);
    g_assert_false(rtp_is_rtcp(buf, len));
    g_assert_cmpint(rtp_encode(&p, buf, 20, &len), ==, -ENOSPC);
    p.cc = 16;
    g_assert_cmpint(rtp_encode(&p, buf, sizeof buf, &len), ==, -EINVAL);
}

static void test_rtp_invalid(void)
{
    static const struct {
        uint8_t b[24];
        size_t len, off;
    } bad[] = {
        { { 0x80, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0 }, 11, 11 },              /* short */
        { { 0x40, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 }, 12, 0 },            /* version 1 */
        { { 0x81, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 9, 9 }, 14, 14 },     /* CSRC past end */
        { { 0x90, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 1, 2, 3, 4 }, 20, 12 }, /* ext */
        { { 0xa0, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 7, 0 }, 14, 13 },     /* padding 0 */
        { { 0xa0, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 7, 3 }, 14, 13 },     /* padding > body */
        { { 0xa0, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 }, 12, 12 },           /* padding, no body */
        { { 0x80, 0x48, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 }, 12, 1 },            /* PT 72: RTCP */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        rtp_pkt p;
        rtp_err e = { 0, NULL };
        g_assert_cmpint(rtp_decode(bad[i].b, bad[i].len, &p, &e), ==, -EBADMSG);
        g_assert_nonnull(e.why);
        if (e.off != bad[i].off)
            g_test_message("case %zu: offset %zu (%s)", i, e.off, e.why);
        g_assert_cmpuint(e.off, ==, bad[i].off);
    }
}

/* ---------------------------------------------------------------- RTCP codec */

/* SR (one report block, cumulative lost -1) + SDES CNAME "alice@atlanta" + BYE "bye", built
 * with python3 struct.pack from RFC 3550 §6.4.1, §6.5, §6.6. */
static const uint8_t compound[] = {
    0x81, 0xc8, 0x00, 0x0c, 0x11, 0x22, 0x33, 0x44, 0x83, 0xaa, 0x7e, 0x80, 0x80, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x32, 0x00, 0x00, 0x1f, 0x40, 0x55, 0x66,
    0x77, 0x88, 0x33, 0xff, 0xff, 0xff, 0x00, 0x01, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x07, 0x7e,
    0x80, 0x80, 0x00, 0x00, 0x01, 0x80, 0x00, 0x81, 0xca, 0x00, 0x05, 0x11, 0x22, 0x33, 0x44,
    0x01, 0x0d, 0x61, 0x6c, 0x69, 0x63, 0x65, 0x40, 0x61, 0x74, 0x6c, 0x61, 0x6e, 0x74, 0x61,
    0x00, 0x81, 0xcb, 0x00, 0x02, 0x11, 0x22, 0x33, 0x44, 0x03, 0x62, 0x79, 0x65,
};

static void test_rtcp_compound(void)
{
    rtcp_compound *c = g_new(rtcp_compound, 1);
    rtp_err e = { 0, NULL };
    g_assert_true(rtp_is_rtcp(compound, sizeof compound));
    g_assert_cmpint(rtcp_decode(compound, sizeof compound, c, &e), ==, 0);
    g_assert_cmpuint(c->n, ==, 3);
    const rtcp_pkt *sr = &c->pkts[0];
    g_assert_cmpuint(sr->pt, ==, RTCP_SR);
    g_assert_cmpuint(sr->ssrc, ==, 0x11223344u);
    g_assert_cmpuint(sr->ntp_sec, ==, 0x83aa7e80u);
    g_assert_cmpuint(sr->rtp_ts, ==, 1000);
    g_assert_cmpuint(sr->pkt_count, ==, 50);
    g_assert_cmpuint(sr->octet_count, ==, 8000);
    g_assert_cmpuint(sr->count, ==, 1);
    g_assert_cmpuint(sr->rb[0].ssrc, ==, 0x55667788u);
    g_assert_cmpuint(sr->rb[0].fraction, ==, 51);
    g_assert_cmpint(sr->rb[0].lost, ==, -1);
    g_assert_cmpuint(sr->rb[0].ext_max_seq, ==, 0x1000a);
    g_assert_cmpuint(sr->rb[0].jitter, ==, 7);
    g_assert_cmpuint(sr->rb[0].dlsr, ==, 0x18000); /* 1.5 s */
    const rtcp_pkt *sd = &c->pkts[1];
    g_assert_cmpuint(sd->pt, ==, RTCP_SDES);
    g_assert_cmpuint(sd->chunks[0].n_items, ==, 1);
    g_assert_cmpmem(sd->chunks[0].items[0].text, sd->chunks[0].items[0].len, "alice@atlanta", 13);
    const rtcp_pkt *by = &c->pkts[2];
    g_assert_cmpuint(by->pt, ==, RTCP_BYE);
    g_assert_cmpuint(by->bye_ssrc[0], ==, 0x11223344u);
    g_assert_cmpmem(by->reason, by->reason_len, "bye", 3);
    uint8_t buf[256];
    size_t len;
    g_assert_cmpint(rtcp_encode(c, buf, sizeof buf, &len), ==, 0);
    g_assert_cmpmem(buf, len, compound, sizeof compound);
    g_assert_cmpint(rtcp_encode(c, buf, 40, &len), ==, -ENOSPC);
    g_free(c);
}

/* Every compound rule broken once. */
static void test_rtcp_invalid(void)
{
    rtcp_compound *c = g_new(rtcp_compound, 1);
    uint8_t b[sizeof compound + 8];
    struct {
        size_t at;
        uint8_t val;
        size_t len;
        const char *why;
    } bad[] = {
        { 52, 0x81, 20, "first packet" },          /* starts with the SDES */
        { 0, 0x41, sizeof compound, "version" },   /* SR version 1 */
        { 3, 0x0d, sizeof compound, "version" },   /* SR one word too long: next header is garbage */
        { 79, 0x30, sizeof compound, "length runs past" }, /* BYE length */
        { 52, 0xa1, sizeof compound, "padding" },  /* padding on the SDES (not last) */
        { 0, 0x81, 2, "4 bytes" },                 /* truncated */
        { 0, 0x81, 58, "multiple of 4" },
        { 61, 0x20, sizeof compound, "SDES item" }, /* item longer than the chunk */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        memcpy(b, compound, sizeof compound);
        const uint8_t *start = b;
        size_t len = bad[i].len;
        if (i == 0) { /* the SDES and BYE alone */
            start = b + 52;
            len = sizeof compound - 52;
        } else {
            b[bad[i].at] = bad[i].val;
        }
        rtp_err e = { 0, NULL };
        g_assert_cmpint(rtcp_decode(start, len, c, &e), ==, -EBADMSG);
        if (!strstr(e.why, bad[i].why))
            g_test_message("case %zu: %s", i, e.why);
        g_assert_nonnull(strstr(e.why, bad[i].why));
    }
    /* Padding on the last packet is fine: BYE padded by 4. */
    memcpy(b, compound, sizeof compound);
    b[76] = 0xa1;
    b[79] = 3;
    memset(b + sizeof compound, 0, 4);
    b[sizeof compound + 3] = 4;
    g_assert_cmpint(rtcp_decode(b, sizeof compound + 4, c, NULL), ==, 0);
    g_assert_true(c->pkts[2].padding);
    g_assert_cmpmem(c->pkts[2].reason, c->pkts[2].reason_len, "bye", 3);
    g_free(c);
}

/* ---------------------------------------------------------------- receiver statistics */

static void feed(rtp_source *s, const uint16_t *seqs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rtp_source_update(s, seqs[i]);
}

static void test_stats_wrap(void)
{
    rtp_source s;
    const uint16_t seqs[] = { 65533, 65534, 65535, 0, 1, 2 };
    rtp_source_init(&s, 1, 65533, false);
    feed(&s, seqs, G_N_ELEMENTS(seqs));
    g_assert_cmpuint(s.cycles, ==, 65536);
    g_assert_cmpuint(rtp_source_ext_max(&s), ==, 65538);
    g_assert_cmpuint(rtp_source_expected(&s), ==, 6);
    g_assert_cmpuint(s.received, ==, 6);
    g_assert_cmpint(rtp_source_lost(&s), ==, 0);
    /* A stream starting at 0 does not count a wrap on its first packet. */
    const uint16_t zero[] = { 0, 1, 2 };
    rtp_source_init(&s, 1, 0, false);
    feed(&s, zero, 3);
    g_assert_cmpuint(rtp_source_ext_max(&s), ==, 2);
    g_assert_cmpuint(rtp_source_expected(&s), ==, 3);
}

static void test_stats_loss(void)
{
    rtp_source s;
    const uint16_t first[] = { 10, 11, 12, 15, 16, 17, 18, 19 }; /* 13, 14 lost */
    rtp_source_init(&s, 1, 10, false);
    feed(&s, first, G_N_ELEMENTS(first));
    g_assert_cmpuint(rtp_source_expected(&s), ==, 10);
    g_assert_cmpint(rtp_source_lost(&s), ==, 2);
    g_assert_cmpuint(rtp_source_fraction(&s), ==, 51); /* 2 * 256 / 10 */
    const uint16_t second[] = { 20, 21, 22, 23 };
    feed(&s, second, 4);
    g_assert_cmpuint(rtp_source_fraction(&s), ==, 0);
    g_assert_cmpint(rtp_source_lost(&s), ==, 2);
    const uint16_t third[] = { 28 }; /* 24..27 lost: 4 of 5 */
    feed(&s, third, 1);
    g_assert_cmpuint(rtp_source_fraction(&s), ==, 204); /* 4 * 256 / 5 */
    g_assert_cmpint(rtp_source_lost(&s), ==, 6);
}

static void test_stats_reorder_dup(void)
{
    rtp_source s;
    const uint16_t reo[] = { 1, 2, 4, 3, 5 };
    rtp_source_init(&s, 1, 1, false);
    feed(&s, reo, 5);
    g_assert_cmpuint(s.reordered, ==, 1);
    g_assert_cmpuint(s.duplicates, ==, 0);
    g_assert_cmpint(rtp_source_lost(&s), ==, 0);
    g_assert_cmpuint(rtp_source_ext_max(&s), ==, 5);
    const uint16_t dup[] = { 1, 2, 2, 3, 1 };
    rtp_source_init(&s, 1, 1, false);
    feed(&s, dup, 5);
    g_assert_cmpuint(s.duplicates, ==, 2);
    g_assert_cmpuint(s.received, ==, 5);
    g_assert_cmpint(rtp_source_lost(&s), ==, -2); /* RFC 3550 §6.4.1: negative with duplicates */
    /* Reordering across the wrap. */
    const uint16_t wrap[] = { 65534, 0, 65535, 1 };
    rtp_source_init(&s, 1, 65534, false);
    feed(&s, wrap, 4);
    g_assert_cmpuint(s.reordered, ==, 1);
    g_assert_cmpuint(rtp_source_ext_max(&s), ==, 65537);
    g_assert_cmpint(rtp_source_lost(&s), ==, 0);
}

static void test_stats_probation_restart(void)
{
    rtp_source s;
    rtp_source_init(&s, 1, 100, true);
    g_assert_false(rtp_source_update(&s, 100));
    g_assert_true(rtp_source_update(&s, 101)); /* valid after MIN_SEQUENTIAL = 2 */
    g_assert_true(rtp_source_update(&s, 102));
    g_assert_cmpuint(s.received, ==, 2);
    g_assert_cmpuint(rtp_source_expected(&s), ==, 2);
    /* A jump of more than MAX_DROPOUT: the first packet is refused, the second in sequence
     * restarts the statistics (the sender restarted). */
    g_assert_false(rtp_source_update(&s, 40000));
    g_assert_true(rtp_source_update(&s, 40001));
    g_assert_cmpuint(s.resyncs, ==, 1);
    g_assert_cmpuint(s.received, ==, 1);
    g_assert_cmpuint(rtp_source_ext_max(&s), ==, 40001);
    g_assert_cmpuint(rtp_source_expected(&s), ==, 1);
}

static void test_stats_jitter(void)
{
    /* Timestamps every 160; arrivals (timestamp units) late by 0,10,-5,30,0,0,45,5,-10,20.
     * python3 running A.8's integer formula gives J*16 = 177, J = 11. */
    static const uint32_t arrival[] = { 1000, 1170, 1315, 1510, 1640, 1800, 2005, 2125, 2270, 2460 };
    rtp_source s;
    rtp_source_init(&s, 1, 0, false);
    for (unsigned i = 0; i < 10; i++)
        rtp_source_jitter(&s, i * 160u, arrival[i]);
    g_assert_cmpuint(s.jitter, ==, 177);
    g_assert_cmpuint(rtp_source_jitter_ts(&s), ==, 11);
    /* Constant delay: no jitter. Timestamps wrapping around 2^32 too. */
    rtp_source_init(&s, 1, 0, false);
    for (unsigned i = 0; i < 10; i++)
        rtp_source_jitter(&s, 0xffffff00u + i * 160u, 500 + i * 160u);
    g_assert_cmpuint(s.jitter, ==, 0);
}

static void test_rtcp_interval(void)
{
    sim_rng r;
    sim_rng_seed(&r, 7);
    for (int i = 0; i < 1000; i++) {
        double t = rtp_rtcp_interval(2, 2, 500, true, 100, false, &r);
        g_assert_cmpfloat(t, >=, 5.0 * 0.5 / 1.21828 - 1e-9);
        g_assert_cmpfloat(t, <=, 5.0 * 1.5 / 1.21828 + 1e-9);
        t = rtp_rtcp_interval(2, 2, 500, true, 100, true, &r);
        g_assert_cmpfloat(t, <=, 2.5 * 1.5 / 1.21828 + 1e-9);
    }
    /* Many members on a small bandwidth: n * size / bw dominates (100 receivers, 1 sender, not
     * us: 99 * 100 / (0.75 * 500) = 26.4 s before randomisation). */
    double t = rtp_rtcp_interval(100, 1, 500, false, 100, false, &r);
    g_assert_cmpfloat(t, >=, 26.4 * 0.5 / 1.21828);
    g_assert_cmpfloat(t, <=, 26.4 * 1.5 / 1.21828);
}

/* ---------------------------------------------------------------- two sessions */

typedef struct wire {
    sim_time_t at;
    int to;          /* 0: a, 1: b */
    rtp_out o;
} wire;

/* Runs a and b for `dur` with one-way delay d; RTP packets a->b whose index (from 0) is in
 * drop[] are lost. Returns nothing; the sessions hold the outcome. */
static void run_pair(rtp_session *a, rtp_session *b, sim_time_t dur, sim_time_t d,
                     const unsigned *drop, size_t n_drop, GString *bytes)
{
    GArray *inflight = g_array_new(FALSE, FALSE, sizeof(wire));
    rtp_session *ss[2] = { a, b };
    unsigned a_rtp = 0;
    sim_time_t now = 0;
    rtp_session_send_start(a, 0, dur);
    rtp_session_send_start(b, 0, dur);
    while (now < dur + 2 * SIM_SEC) {
        sim_time_t next = MIN(rtp_session_next_deadline(a), rtp_session_next_deadline(b));
        for (guint i = 0; i < inflight->len; i++)
            next = MIN(next, g_array_index(inflight, wire, i).at);
        now = next;
        for (guint i = 0; i < inflight->len;) {
            wire *w = &g_array_index(inflight, wire, i);
            if (w->at <= now) {
                rtp_session_input(ss[w->to], now, w->o.data, w->o.len);
                g_array_remove_index(inflight, i);
            } else {
                i++;
            }
        }
        for (int k = 0; k < 2; k++) {
            rtp_session_timeout(ss[k], now);
            wire w = { .at = now + d, .to = 1 - k };
            while (rtp_session_pop(ss[k], &w.o)) {
                if (bytes)
                    g_string_append_len(bytes, (const char *)w.o.data, (gssize)w.o.len);
                bool lost = false;
                if (k == 0 && !w.o.rtcp) {
                    for (size_t j = 0; j < n_drop; j++)
                        lost = lost || drop[j] == a_rtp;
                    a_rtp++;
                }
                if (!lost)
                    g_array_append_val(inflight, w);
            }
        }
    }
    g_array_free(inflight, TRUE);
}

static void test_session_call(void)
{
    sim_rng ra, rb;
    sim_rng_seed(&ra, 1);
    sim_rng_seed(&rb, 2);
    rtp_session *a = rtp_session_new(&(rtp_session_cfg){ .cname = "alice" }, &ra, 0);
    rtp_session *b = rtp_session_new(&(rtp_session_cfg){ .cname = "bob" }, &rb, 0);
    const unsigned drop[] = { 10, 11, 12, 300 };
    run_pair(a, b, 10 * SIM_SEC, 30 * SIM_MS, drop, G_N_ELEMENTS(drop), NULL);
    const rtp_stats *sa = rtp_session_stats(a), *sb = rtp_session_stats(b);
    g_assert_cmpuint(sa->packets_sent, ==, 500); /* 10 s / 20 ms */
    g_assert_cmpuint(sa->octets_sent, ==, 500 * 160);
    g_assert_cmpuint(sb->packets_received, ==, 496);
    g_assert_cmpuint(sb->expected, ==, 500);
    g_assert_cmpint(sb->lost, ==, 4);
    g_assert_cmpuint(sb->jitter_ts, ==, 0); /* a constant-delay wire */
    g_assert_cmpuint(sb->remote_ssrc, ==, sa->local_ssrc);
    g_assert_cmpuint(sa->packets_received, ==, 500);
    g_assert_cmpint(sa->lost, ==, 0);
    /* Reports flowed both ways; a learnt b's view of its stream and the round-trip time. */
    g_assert_cmpuint(sa->rtcp_sent, >=, 2);
    g_assert_cmpuint(sb->sr_received, >=, 2);
    g_assert_true(sa->have_remote_report);
    g_assert_cmpint(sa->remote_lost, ==, 4);
    g_assert_cmpfloat(sa->rtt_ms, >, 59.9);
    g_assert_cmpfloat(sa->rtt_ms, <, 60.1);
    rtp_session_bye(a, 12 * SIM_SEC, "hangup");
    rtp_out o;
    bool bye = false;
    while (rtp_session_pop(a, &o)) {
        rtcp_compound *c = g_new(rtcp_compound, 1);
        if (o.rtcp && rtcp_decode(o.data, o.len, c, NULL) == 0 && c->n == 3)
            bye = c->pkts[2].pt == RTCP_BYE;
        rtp_session_input(b, 12 * SIM_SEC, o.data, o.len);
        g_free(c);
    }
    g_assert_true(bye);
    g_assert_cmpuint(rtp_session_stats(b)->bye_received, ==, 1);
    g_assert_cmpuint(rtp_session_next_deadline(a), ==, SIM_TIME_NEVER);
    rtp_session_free(a);
    rtp_session_free(b);
}

/* The first packet: marker, PT 0, 172 bytes; then seq + 1, timestamp + 160. */
static void test_session_sender(void)
{
    sim_rng r;
    sim_rng_seed(&r, 3);
    rtp_session *s = rtp_session_new(&(rtp_session_cfg){ 0 }, &r, 0);
    rtp_session_send_start(s, 0, 60 * SIM_MS);
    rtp_session_timeout(s, 50 * SIM_MS);
    g_assert_cmpuint(rtp_session_next_deadline(s), ==, 60 * SIM_MS);
    rtp_out o[3];
    rtp_pkt p[3];
    for (int i = 0; i < 3; i++) {
        g_assert_true(rtp_session_pop(s, &o[i]));
        g_assert_false(o[i].rtcp);
        g_assert_cmpuint(o[i].len, ==, 172);
        g_assert_cmpint(rtp_decode(o[i].data, o[i].len, &p[i], NULL), ==, 0);
        g_assert_cmpuint(p[i].pt, ==, 0);
        g_assert_true(p[i].marker == (i == 0));
    }
    g_assert_false(rtp_session_pop(s, &o[0]));
    g_assert_cmpuint((uint16_t)(p[1].seq - p[0].seq), ==, 1);
    g_assert_cmpuint(p[2].ts - p[1].ts, ==, 160);
    rtp_session_timeout(s, 70 * SIM_MS); /* until reached: no more packets */
    g_assert_false(rtp_session_pop(s, &o[0]));
    g_assert_cmpuint(rtp_session_stats(s)->packets_sent, ==, 3);
    g_assert_cmpint(rtp_session_input(s, 0, (const uint8_t *)"xx", 2), ==, -EBADMSG);
    g_assert_cmpuint(rtp_session_stats(s)->bad, ==, 1);
    rtp_session_free(s);
}

static void test_session_determinism(void)
{
    GString *run[3];
    for (int k = 0; k < 3; k++) {
        sim_rng ra, rb;
        sim_rng_seed(&ra, k == 2 ? 99 : 5);
        sim_rng_seed(&rb, 6);
        rtp_session *a = rtp_session_new(&(rtp_session_cfg){ 0 }, &ra, 0);
        rtp_session *b = rtp_session_new(&(rtp_session_cfg){ 0 }, &rb, 0);
        run[k] = g_string_new(NULL);
        run_pair(a, b, 3 * SIM_SEC, 10 * SIM_MS, NULL, 0, run[k]);
        rtp_session_free(a);
        rtp_session_free(b);
    }
    g_assert_cmpuint(run[0]->len, ==, run[1]->len);
    g_assert_cmpmem(run[0]->str, run[0]->len, run[1]->str, run[1]->len);
    g_assert_false(run[0]->len == run[2]->len && !memcmp(run[0]->str, run[2]->str, run[0]->len));
    for (int k = 0; k < 3; k++)
        g_string_free(run[k], TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtp/codec/roundtrip", test_rtp_roundtrip);
    g_test_add_func("/rtp/codec/invalid", test_rtp_invalid);
    g_test_add_func("/rtp/rtcp/sr-sdes-bye", test_rtcp_compound);
    g_test_add_func("/rtp/rtcp/invalid", test_rtcp_invalid);
    g_test_add_func("/rtp/stats/seq-wrap", test_stats_wrap);
    g_test_add_func("/rtp/stats/loss-fraction", test_stats_loss);
    g_test_add_func("/rtp/stats/reorder-duplicate", test_stats_reorder_dup);
    g_test_add_func("/rtp/stats/probation-restart", test_stats_probation_restart);
    g_test_add_func("/rtp/stats/jitter", test_stats_jitter);
    g_test_add_func("/rtp/stats/rtcp-interval", test_rtcp_interval);
    g_test_add_func("/rtp/session/sender", test_session_sender);
    g_test_add_func("/rtp/session/call", test_session_call);
    g_test_add_func("/rtp/session/determinism", test_session_determinism);
    return g_test_run();
}
