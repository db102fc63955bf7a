/* tests/unit/test_tcp_conn.c — the sans-I/O TCP core (sim/stack/tcp.h) over the in-test
 * network of tcp_net.h (two cores back to back, seeded loss / reordering / duplication /
 * delay, fake time; no simulator, no sockets): handshakes incl. simultaneous open, bulk
 * transfers checked byte for byte, RTO back-off, fast retransmit, zero-window probes. The
 * close and reset paths are in test_tcp_close.c. */
#include "tcp_net.h"

/* ---------------------------------------------------------------- handshakes */

static void test_handshake(void)
{
    net n;
    net_init(&n, 1, "192.168.60.153:1211", "18.181.0.31:80");
    connect_pair(&n, NULL);
    g_assert_cmpuint(n.log->len, ==, 3);
    const rec *syn = rec_at(&n, 0), *synack = rec_at(&n, 1), *ack = rec_at(&n, 2);
    g_assert_cmpint(syn->from, ==, 0);
    g_assert_cmphex(syn->seg.flags, ==, TCP_SYN);
    g_assert_cmpuint(syn->seg.mss, ==, 1460);
    g_assert_cmpuint(syn->seg.sport, ==, 1211);
    g_assert_cmpuint(syn->seg.dport, ==, 80);
    g_assert_cmphex(synack->seg.flags, ==, TCP_SYN | TCP_ACK);
    g_assert_cmpuint(synack->seg.ack, ==, syn->seg.seq + 1);
    g_assert_cmphex(ack->seg.flags, ==, TCP_ACK);
    g_assert_cmpuint(ack->seg.seq, ==, syn->seg.seq + 1);
    g_assert_cmpuint(ack->seg.ack, ==, synack->seg.seq + 1);
    g_assert_cmpuint(synack->t, ==, 10 * SIM_MS);
    g_assert_true(n.ev[0] & TCP_EV_CONNECTED);
    g_assert_true(n.ev[1] & TCP_EV_CONNECTED);
    g_assert_cmpuint(tcp_conn_mss(n.c[0]), ==, 1460);
    g_assert_cmpint(tcp_conn_open_active(n.c[0], 0), ==, -EISCONN);
    net_clear(&n);
}

static void test_mss_clamp(void)
{
    net n;
    net_init(&n, 2, "10.0.0.1:1000", "10.0.0.2:2000");
    tcp_cfg small = { .mss = 500 };
    mk(&n, 0, NULL);
    mk(&n, 1, &small);
    tcp_conn_open_passive(n.c[1], 0);
    tcp_conn_open_active(n.c[0], 0);
    run(&n, SIM_SEC);
    g_assert_cmpuint(tcp_conn_mss(n.c[0]), ==, 500);
    g_assert_cmpuint(tcp_conn_mss(n.c[1]), ==, 500);
    static uint8_t data[3000];
    g_assert_cmpint(tcp_conn_send(n.c[0], data, sizeof data), ==, 3000);
    run(&n, 2 * SIM_SEC);
    for (guint k = 0; k < n.log->len; k++)
        g_assert_cmpuint(rec_at(&n, k)->seg.len, <=, 500);
    g_assert_cmpuint(tcp_conn_readable(n.c[1]), ==, 3000);
    net_clear(&n);
}

static void test_simultaneous_open(void)
{
    net n;
    net_init(&n, 3, "68.36.210.57:21199", "155.99.25.11:62000");
    mk(&n, 0, NULL);
    mk(&n, 1, NULL);
    g_assert_cmpint(tcp_conn_open_active(n.c[0], 0), ==, 0);
    g_assert_cmpint(tcp_conn_open_active(n.c[1], 0), ==, 0);
    run(&n, SIM_SEC);
    g_assert_cmpint(tcp_conn_state(n.c[0]), ==, TCP_ESTABLISHED);
    g_assert_cmpint(tcp_conn_state(n.c[1]), ==, TCP_ESTABLISHED);
    /* SYN crossed SYN: each side's second segment is its SYN again, now with an ACK */
    unsigned synacks = 0;
    for (guint k = 0; k < n.log->len; k++) {
        const rec *r = rec_at(&n, k);
        if (r->seg.flags == (TCP_SYN | TCP_ACK))
            synacks++;
        g_assert_false(r->seg.flags & TCP_RST);
    }
    g_assert_cmpuint(synacks, ==, 2);
    g_assert_cmphex(rec_at(&n, 0)->seg.flags, ==, TCP_SYN);
    g_assert_cmphex(rec_at(&n, 1)->seg.flags, ==, TCP_SYN);
    /* and data flows both ways */
    g_assert_cmpint(tcp_conn_send(n.c[0], "ping", 4), ==, 4);
    g_assert_cmpint(tcp_conn_send(n.c[1], "pong", 4), ==, 4);
    run(&n, 2 * SIM_SEC);
    char buf[8];
    g_assert_cmpint(tcp_conn_recv(n.c[1], buf, sizeof buf), ==, 4);
    g_assert_cmpmem(buf, 4, "ping", 4);
    g_assert_cmpint(tcp_conn_recv(n.c[0], buf, sizeof buf), ==, 4);
    g_assert_cmpmem(buf, 4, "pong", 4);
    net_clear(&n);
}

/* One SYN lost in a simultaneous open: the other still completes it. */
static bool drop_first_syn_of_b(net *n, int from, const tcp_seg *s)
{
    int *dropped = n->ctx;
    if (from == 1 && s->flags == TCP_SYN && !*dropped) {
        *dropped = 1;
        return true;
    }
    return false;
}

static void test_simultaneous_open_one_lost(void)
{
    net n;
    int dropped = 0;
    net_init(&n, 4, "68.36.210.57:21199", "155.99.25.11:62000");
    n.filter = drop_first_syn_of_b;
    n.ctx = &dropped;
    mk(&n, 0, NULL);
    mk(&n, 1, NULL);
    tcp_conn_open_active(n.c[0], 0);
    tcp_conn_open_active(n.c[1], 0);
    run(&n, 5 * SIM_SEC);
    g_assert_cmpint(dropped, ==, 1);
    g_assert_cmpint(tcp_conn_state(n.c[0]), ==, TCP_ESTABLISHED);
    g_assert_cmpint(tcp_conn_state(n.c[1]), ==, TCP_ESTABLISHED);
    net_clear(&n);
}

static void test_listen_answers_ack_with_rst(void)
{
    net n;
    net_init(&n, 5, "10.0.0.1:1000", "10.0.0.2:2000");
    mk(&n, 1, NULL);
    tcp_conn_open_passive(n.c[1], 0);
    tcp_seg s = { .sport = 1000, .dport = 2000, .seq = 5, .ack = 777, .flags = TCP_ACK };
    g_assert_cmpint(tcp_conn_input(n.c[1], 0, &s), ==, 0);
    uint8_t buf[64];
    tcp_seg out;
    g_assert_true(tcp_conn_pop(n.c[1], 0, &out, buf, sizeof buf));
    g_assert_cmphex(out.flags, ==, TCP_RST);
    g_assert_cmpuint(out.seq, ==, 777);
    g_assert_cmpint(tcp_conn_state(n.c[1]), ==, TCP_LISTEN);
    net_clear(&n);
}

/* ---------------------------------------------------------------- bulk transfer */

#define BULK (1024 * 1024)

/* Each side sends size[side] bytes, shuts down, and reads until EOF. */
typedef struct bulk {
    size_t size[2];
    uint8_t *src[2], *dst[2]; /* dst[s]: what side s received */
    size_t sent[2], got[2];
    bool shut[2], eof[2];
} bulk;

static void bulk_app(net *n)
{
    bulk *b = n->ctx;
    for (int s = 0; s < 2; s++) {
        if (b->sent[s] < b->size[s]) {
            ssize_t k = tcp_conn_send(n->c[s], b->src[s] + b->sent[s], b->size[s] - b->sent[s]);
            g_assert_cmpint(k, >=, 0);
            b->sent[s] += (size_t)k;
        }
        if (b->sent[s] == b->size[s] && !b->shut[s]) {
            g_assert_cmpint(tcp_conn_shutdown(n->c[s]), ==, 0);
            b->shut[s] = true;
        }
        for (;;) {
            size_t want = b->size[!s] + 1 - b->got[s];
            ssize_t k = tcp_conn_recv(n->c[s], b->dst[s] + b->got[s], want);
            b->eof[s] |= k == 0;
            if (k <= 0)
                break;
            b->got[s] += (size_t)k;
        }
    }
}

static void bulk_run(uint64_t seed, double loss, double reorder, double dup, sim_time_t jitter,
                     size_t back, const tcp_cfg *cfg)
{
    net n;
    net_init(&n, seed, "192.168.60.153:1211", "18.181.0.31:5000");
    connect_pair(&n, cfg);
    n.loss = loss;
    n.reorder = reorder;
    n.dup = dup;
    n.jitter = jitter;
    bulk b = { .size = { BULK, back } };
    sim_rng data;
    sim_rng_seed(&data, seed);
    for (int s = 0; s < 2; s++) {
        b.src[s] = g_malloc(b.size[s] + 1);
        b.dst[s] = g_malloc(b.size[!s] + 1);
        for (size_t k = 0; k < b.size[s]; k++)
            b.src[s][k] = (uint8_t)sim_rng_u64(&data);
    }
    n.app = bulk_app;
    n.ctx = &b;
    run(&n, n.now + 3600 * SIM_SEC);
    /* how hard the path was: retransmitted data segments from A and the duration */
    unsigned segs = 0, rexmits = 0;
    uint32_t hi = rec_at(&n, 0)->seg.seq;
    for (guint k = 0; k < n.log->len; k++) {
        const rec *r = rec_at(&n, k);
        if (r->from != 0 || !r->seg.len)
            continue;
        segs++;
        if (tcp_seq_lt(r->seg.seq, hi))
            rexmits++;
        else
            hi = r->seg.seq + (uint32_t)r->seg.len;
    }
    g_test_message("seed %" G_GUINT64_FORMAT ": %u data segments, %u retransmitted, %.3f s",
                   seed, segs, rexmits, sim_time_sec(rec_at(&n, n.log->len - 1)->t));
    if (loss > 0)
        g_assert_cmpuint(rexmits, >, segs / 20);
    else
        g_assert_cmpuint(rexmits, ==, 0);
    for (int s = 0; s < 2; s++) {
        g_assert_cmpuint(b.got[!s], ==, b.size[s]);
        g_assert_true(memcmp(b.src[s], b.dst[!s], b.size[s]) == 0);
        g_assert_true(b.eof[s]);
        g_assert_cmpint(tcp_conn_error(n.c[s]), ==, 0);
        g_assert_cmpint(tcp_conn_state(n.c[s]), ==, TCP_CLOSED); /* TIME-WAIT is over too */
    }
    for (int s = 0; s < 2; s++) {
        g_free(b.src[s]);
        g_free(b.dst[s]);
    }
    net_clear(&n);
}

static void test_bulk_clean(void)
{
    bulk_run(10, 0, 0, 0, 0, 0, &(tcp_cfg){ .rto_min = 200 * SIM_MS });
}

static void test_bulk_lossy(void)
{
    for (uint64_t seed = 11; seed < 14; seed++)
        bulk_run(seed, 0.10, 0.10, 0.05, 2 * SIM_MS, 0, &(tcp_cfg){ .rto_min = 200 * SIM_MS });
}

/* Data both ways at once, odd buffer sizes: piggybacked ACKs, windows filled to the edge
 * (this once ended in an ACK ping-pong; see acceptable() and the pure ACK's sequence). */
static void test_bulk_both_ways(void)
{
    for (uint64_t seed = 100; seed < 106; seed++) {
        tcp_cfg cfg = { .rto_min = 200 * SIM_MS, .rcvbuf = (uint32_t)(1000 + seed * 997 % 64000),
                        .sndbuf = (uint32_t)(500 + seed * 331 % 30000) };
        bulk_run(seed, 0.15, 0.10, 0.10, 5 * SIM_MS, 256 * 1024, &cfg);
    }
}


/* ---------------------------------------------------------------- timers */

static bool drop_all(net *n, int from, const tcp_seg *s) { return true; }

static void test_syn_backoff(void)
{
    net n;
    net_init(&n, 20, "10.0.0.1:1000", "10.0.0.2:2000");
    n.filter = drop_all;
    mk(&n, 0, NULL);
    tcp_conn_open_active(n.c[0], 0);
    run(&n, 122 * SIM_SEC);
    static const unsigned want[] = { 0, 1, 3, 7, 15, 31, 63 }; /* RFC 6298 5.5, max 60 s */
    g_assert_cmpuint(n.log->len, ==, G_N_ELEMENTS(want));
    for (guint k = 0; k < n.log->len; k++) {
        g_assert_cmphex(rec_at(&n, k)->seg.flags, ==, TCP_SYN);
        g_assert_cmpuint(rec_at(&n, k)->t, ==, want[k] * SIM_SEC);
    }
    g_assert_cmpint(tcp_conn_state(n.c[0]), ==, TCP_SYN_SENT);
    g_assert_cmpuint(tcp_conn_next_deadline(n.c[0]), ==, 123 * SIM_SEC); /* 63 + 60 */
    run(&n, 123 * SIM_SEC);
    g_assert_cmpint(tcp_conn_state(n.c[0]), ==, TCP_CLOSED);
    g_assert_cmpint(tcp_conn_error(n.c[0]), ==, -ETIMEDOUT);
    g_assert_true(n.ev[0] & TCP_EV_ERROR);
    g_assert_true(n.ev[0] & TCP_EV_CLOSED);
    g_assert_cmpuint(tcp_conn_next_deadline(n.c[0]), ==, SIM_TIME_NEVER);
    net_clear(&n);
}

static bool drop_from_a(net *n, int from, const tcp_seg *s) { return from == 0; }

static void test_data_backoff(void)
{
    net n;
    net_init(&n, 21, "10.0.0.1:1000", "10.0.0.2:2000");
    tcp_cfg cfg = { .data_retries = 3 };
    connect_pair(&n, &cfg);
    g_assert_cmpuint(tcp_conn_rto(n.c[0]), ==, 1 * SIM_SEC); /* 20 ms RTT, clamped to min */
    sim_time_t t0 = n.now;
    guint first = n.log->len;
    n.filter = drop_from_a;
    g_assert_cmpint(tcp_conn_send(n.c[0], "hello", 5), ==, 5);
    run(&n, t0 + 14 * SIM_SEC);
    static const unsigned want[] = { 0, 1, 3, 7 };
    g_assert_cmpuint(n.log->len - first, ==, G_N_ELEMENTS(want));
    for (guint k = 0; k < G_N_ELEMENTS(want); k++) {
        const rec *r = rec_at(&n, first + k);
        g_assert_cmpuint(r->seg.len, ==, 5);
        g_assert_cmpuint(r->t, ==, t0 + want[k] * SIM_SEC);
    }
    g_assert_cmpint(tcp_conn_state(n.c[0]), ==, TCP_ESTABLISHED);
    run(&n, t0 + 15 * SIM_SEC);
    g_assert_cmpint(tcp_conn_state(n.c[0]), ==, TCP_CLOSED);
    g_assert_cmpint(tcp_conn_error(n.c[0]), ==, -ETIMEDOUT);
    char buf[8];
    g_assert_cmpint(tcp_conn_recv(n.c[0], buf, sizeof buf), ==, -ETIMEDOUT);
    g_assert_cmpint(tcp_conn_send(n.c[0], "x", 1), ==, -ETIMEDOUT);
    net_clear(&n);
}

static void test_rto_estimate(void)
{
    net n;
    net_init(&n, 22, "10.0.0.1:1000", "10.0.0.2:2000");
    tcp_cfg cfg = { .rto_min = 1 * SIM_MS };
    connect_pair(&n, &cfg);
    /* RFC 6298 2.2: first sample R = 20 ms: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR */
    g_assert_cmpuint(tcp_conn_rto(n.c[0]), ==, 60 * SIM_MS);
    g_assert_cmpuint(tcp_conn_rto(n.c[1]), ==, 60 * SIM_MS); /* B timed its SYN,ACK */
    net_clear(&n);
}

/* Drops the first transmission of A's second data segment. */
static bool drop_second_segment(net *n, int from, const tcp_seg *s)
{
    uint32_t *want = n->ctx;
    if (from == 0 && s->seq == *want && s->len && want[1] == 0) {
        want[1] = 1;
        return true;
    }
    return false;
}

static void test_fast_retransmit(void)
{
    net n;
    net_init(&n, 23, "10.0.0.1:1000", "10.0.0.2:2000");
    connect_pair(&n, NULL);
    uint32_t want[2] = { rec_at(&n, 0)->seg.seq + 1 + 1460, 0 };
    n.ctx = want;
    n.filter = drop_second_segment;
    sim_time_t t0 = n.now;
    guint first = n.log->len;
    static uint8_t data[10 * 1460];
    for (size_t k = 0; k < sizeof data; k++)
        data[k] = (uint8_t)(k * 7);
    g_assert_cmpint(tcp_conn_send(n.c[0], data, sizeof data), ==, sizeof data);
    run(&n, t0 + 500 * SIM_MS); /* well before the 1 s RTO */
    g_assert_cmpuint(want[1], ==, 1);
    unsigned dupacks = 0, rexmit = 0;
    for (guint k = first; k < n.log->len; k++) {
        const rec *r = rec_at(&n, k);
        if (r->from == 1 && r->seg.ack == want[0] && !r->seg.len)
            dupacks++;
        if (r->from == 0 && r->seg.seq == want[0] && r->seg.len) {
            rexmit++;
            if (rexmit == 2) {
                g_assert_cmpuint(dupacks, >=, 4); /* the ACK itself and three duplicates */
                g_assert_cmpuint(r->t - t0, <, 100 * SIM_MS);
            }
        }
    }
    g_assert_cmpuint(rexmit, ==, 2);
    uint8_t got[sizeof data];
    g_assert_cmpint(tcp_conn_recv(n.c[1], got, sizeof got), ==, sizeof data);
    g_assert_cmpmem(got, sizeof got, data, sizeof data);
    net_clear(&n);
}

static void test_zero_window(void)
{
    net n;
    net_init(&n, 24, "10.0.0.1:1000", "10.0.0.2:2000");
    tcp_cfg small = { .rcvbuf = 2000, .rto_min = 200 * SIM_MS };
    mk(&n, 0, &(tcp_cfg){ .rto_min = 200 * SIM_MS });
    mk(&n, 1, &small);
    tcp_conn_open_passive(n.c[1], 0);
    tcp_conn_open_active(n.c[0], 0);
    run(&n, SIM_SEC);
    static uint8_t data[10000], got[10000];
    for (size_t k = 0; k < sizeof data; k++)
        data[k] = (uint8_t)(k * 13 + 1);
    g_assert_cmpint(tcp_conn_send(n.c[0], data, sizeof data), ==, sizeof data);
    run(&n, 6 * SIM_SEC); /* B does not read: the window closes, A probes */
    g_assert_cmpuint(tcp_conn_readable(n.c[1]), ==, 2000);
    g_assert_cmpint(tcp_conn_state(n.c[0]), ==, TCP_ESTABLISHED);
    unsigned probes = 0;
    for (guint k = 0; k < n.log->len; k++)
        probes += rec_at(&n, k)->from == 0 && rec_at(&n, k)->seg.len == 1;
    g_assert_cmpuint(probes, >=, 2);
    size_t have = 0;
    for (int round = 0; round < 50 && have < sizeof data; round++) {
        ssize_t k = tcp_conn_recv(n.c[1], got + have, sizeof got - have);
        if (k > 0)
            have += (size_t)k;
        run(&n, n.now + SIM_SEC);
    }
    g_assert_cmpuint(have, ==, sizeof data);
    g_assert_cmpmem(got, sizeof got, data, sizeof data);
    net_clear(&n);
}

/* ---------------------------------------------------------------- ICMP errors */

/* RFC 1122 4.2.3.9 / RFC 5461 / RFC 5927: an unreachable in SYN-SENT ends the connection; in
 * ESTABLISHED it is soft and replaces -ETIMEDOUT at the retry limit; an error quoting a
 * sequence number that is not in flight is ignored. */
static void test_icmp_errors(void)
{
    net n;
    net_init(&n, 40, "10.0.0.1:1000", "10.0.0.2:2000");
    n.filter = drop_all;
    mk(&n, 0, NULL);
    tcp_conn_open_active(n.c[0], 0);
    drain(&n);
    uint32_t iss = rec_at(&n, 0)->seg.seq;
    g_assert_false(tcp_conn_icmp_error(n.c[0], iss + 1, -ECONNREFUSED)); /* not in flight */
    g_assert_cmpint(tcp_conn_state(n.c[0]), ==, TCP_SYN_SENT);
    g_assert_true(tcp_conn_icmp_error(n.c[0], iss, -EHOSTUNREACH));
    g_assert_cmpint(tcp_conn_state(n.c[0]), ==, TCP_CLOSED);
    g_assert_cmpint(tcp_conn_error(n.c[0]), ==, -EHOSTUNREACH);
    net_clear(&n);

    net_init(&n, 41, "10.0.0.1:1000", "10.0.0.2:2000");
    connect_pair(&n, &(tcp_cfg){ .data_retries = 2 });
    n.filter = drop_from_a;
    guint first = n.log->len;
    g_assert_cmpint(tcp_conn_send(n.c[0], "hello", 5), ==, 5);
    drain(&n);
    uint32_t seq = rec_at(&n, first)->seg.seq;
    g_assert_false(tcp_conn_icmp_error(n.c[0], seq, -ENETUNREACH)); /* soft */
    g_assert_false(tcp_conn_icmp_error(n.c[0], seq, -EMSGSIZE));    /* ignored: no PMTUD */
    g_assert_cmpint(tcp_conn_state(n.c[0]), ==, TCP_ESTABLISHED);
    run(&n, n.now + 30 * SIM_SEC);
    g_assert_cmpint(tcp_conn_state(n.c[0]), ==, TCP_CLOSED);
    g_assert_cmpint(tcp_conn_error(n.c[0]), ==, -ENETUNREACH); /* instead of -ETIMEDOUT */
    net_clear(&n);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tcp/conn/handshake", test_handshake);
    g_test_add_func("/tcp/conn/mss-clamp", test_mss_clamp);
    g_test_add_func("/tcp/conn/simultaneous-open", test_simultaneous_open);
    g_test_add_func("/tcp/conn/simultaneous-open/one-syn-lost", test_simultaneous_open_one_lost);
    g_test_add_func("/tcp/conn/listen/ack-gets-rst", test_listen_answers_ack_with_rst);
    g_test_add_func("/tcp/conn/transfer/1mb-clean", test_bulk_clean);
    g_test_add_func("/tcp/conn/transfer/1mb-loss-reorder-dup", test_bulk_lossy);
    g_test_add_func("/tcp/conn/transfer/both-ways-lossy", test_bulk_both_ways);
    g_test_add_func("/tcp/conn/rto/syn-backoff", test_syn_backoff);
    g_test_add_func("/tcp/conn/rto/data-backoff-etimedout", test_data_backoff);
    g_test_add_func("/tcp/conn/rto/estimate", test_rto_estimate);
    g_test_add_func("/tcp/conn/fast-retransmit", test_fast_retransmit);
    g_test_add_func("/tcp/conn/zero-window-probe", test_zero_window);
    g_test_add_func("/tcp/conn/icmp-errors", test_icmp_errors);
    return g_test_run();
}
