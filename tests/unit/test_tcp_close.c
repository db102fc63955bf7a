/* tests/unit/test_tcp_close.c — every way a connection of the sans-I/O TCP core ends: active
 * and passive close, TIME-WAIT, simultaneous close, half-close, abort and RST (RFC 9293 3.10.4,
 * 3.10.7; RFC 5961 validation), through the in-test network of tcp_net.h. */
#include "tcp_net.h"

/* ---------------------------------------------------------------- close paths */

/* A sends "bye" and shuts down; B reads it, sees EOF, closes. */
static void close_pair(net *n, const tcp_cfg *cfg)
{
    net_init(n, 30, "10.0.0.1:1000", "10.0.0.2:2000");
    connect_pair(n, cfg);
    g_assert_cmpint(tcp_conn_send(n->c[0], "bye", 3), ==, 3);
    g_assert_cmpint(tcp_conn_shutdown(n->c[0]), ==, 0);
    g_assert_cmpint(tcp_conn_state(n->c[0]), ==, TCP_FIN_WAIT_1);
    g_assert_cmpint(tcp_conn_send(n->c[0], "more", 4), ==, -EPIPE);
    run(n, n->now + SIM_SEC);
    g_assert_cmpint(tcp_conn_state(n->c[0]), ==, TCP_FIN_WAIT_2);
    g_assert_cmpint(tcp_conn_state(n->c[1]), ==, TCP_CLOSE_WAIT);
    g_assert_true(tcp_conn_peer_closed(n->c[1]));
    g_assert_true(n->ev[1] & TCP_EV_EOF);
    char buf[8];
    g_assert_cmpint(tcp_conn_recv(n->c[1], buf, sizeof buf), ==, 3);
    g_assert_cmpmem(buf, 3, "bye", 3);
    g_assert_cmpint(tcp_conn_recv(n->c[1], buf, sizeof buf), ==, 0);
    g_assert_cmpint(tcp_conn_close(n->c[1]), ==, 0);
    g_assert_cmpint(tcp_conn_state(n->c[1]), ==, TCP_LAST_ACK);
    drain(n);
    run(n, n->now + 15 * SIM_MS); /* B's FIN has arrived, A's ACK is on its way */
    g_assert_cmpint(tcp_conn_state(n->c[0]), ==, TCP_TIME_WAIT);
    g_assert_cmpint(tcp_conn_state(n->c[1]), ==, TCP_LAST_ACK);
}

static void test_close_active(void)
{
    net n;
    close_pair(&n, NULL);
    const rec *last = rec_at(&n, n.log->len - 1); /* A's ACK of B's FIN enters TIME-WAIT */
    g_assert_cmpint(last->from, ==, 0);
    sim_time_t tw = last->t;
    g_assert_cmpuint(tcp_conn_next_deadline(n.c[0]), ==, tw + 60 * SIM_SEC); /* 2 x 30 s MSL */
    run(&n, tw + 60 * SIM_SEC - 1);
    g_assert_cmpint(tcp_conn_state(n.c[0]), ==, TCP_TIME_WAIT);
    run(&n, tw + 60 * SIM_SEC);
    g_assert_cmpint(tcp_conn_state(n.c[0]), ==, TCP_CLOSED);
    g_assert_cmpint(tcp_conn_error(n.c[0]), ==, 0);
    g_assert_true(n.ev[0] & TCP_EV_CLOSED);
    net_clear(&n);
}

static void test_close_passive(void)
{
    net n;
    close_pair(&n, NULL);
    run(&n, n.now + 10 * SIM_MS);
    g_assert_cmpint(tcp_conn_state(n.c[1]), ==, TCP_CLOSED); /* LAST-ACK: no TIME-WAIT */
    g_assert_cmpint(tcp_conn_error(n.c[1]), ==, 0);
    g_assert_true(n.ev[1] & TCP_EV_CLOSED);
    g_assert_false(n.ev[1] & TCP_EV_ERROR);
    for (guint k = 0; k < n.log->len; k++)
        g_assert_false(rec_at(&n, k)->seg.flags & TCP_RST);
    net_clear(&n);
}

static void test_time_wait_msl(void)
{
    net n;
    close_pair(&n, &(tcp_cfg){ .msl = 2 * SIM_SEC });
    sim_time_t tw = rec_at(&n, n.log->len - 1)->t;
    g_assert_cmpuint(tcp_conn_next_deadline(n.c[0]), ==, tw + 4 * SIM_SEC);
    run(&n, tw + 4 * SIM_SEC);
    g_assert_cmpint(tcp_conn_state(n.c[0]), ==, TCP_CLOSED);
    net_clear(&n);
}

/* A closes (not just shuts down); B never sends its FIN. A's FIN-WAIT-2 gives up after the
 * configured timeout, without a RST; a mere shutdown waits for ever. */
static void test_fin_wait2_timeout(void)
{
    net n;
    net_init(&n, 33, "10.0.0.1:1000", "10.0.0.2:2000");
    connect_pair(&n, &(tcp_cfg){ .fin_wait2_timeout = 5 * SIM_SEC });
    g_assert_cmpint(tcp_conn_close(n.c[0]), ==, 0);
    run(&n, n.now + SIM_SEC);
    g_assert_cmpint(tcp_conn_state(n.c[0]), ==, TCP_FIN_WAIT_2);
    g_assert_cmpint(tcp_conn_state(n.c[1]), ==, TCP_CLOSE_WAIT);
    run(&n, n.now + 3 * SIM_SEC);
    g_assert_cmpint(tcp_conn_state(n.c[0]), ==, TCP_FIN_WAIT_2);
    run(&n, n.now + 2 * SIM_SEC);
    g_assert_cmpint(tcp_conn_state(n.c[0]), ==, TCP_CLOSED);
    g_assert_cmpint(tcp_conn_error(n.c[0]), ==, 0);
    for (guint k = 0; k < n.log->len; k++)
        g_assert_false(rec_at(&n, k)->seg.flags & TCP_RST);
    net_clear(&n);

    net_init(&n, 34, "10.0.0.1:1000", "10.0.0.2:2000");
    connect_pair(&n, &(tcp_cfg){ .fin_wait2_timeout = 5 * SIM_SEC });
    g_assert_cmpint(tcp_conn_shutdown(n.c[0]), ==, 0);
    run(&n, n.now + 100 * SIM_SEC);
    g_assert_cmpint(tcp_conn_state(n.c[0]), ==, TCP_FIN_WAIT_2); /* may still read */
    net_clear(&n);
}

static void test_close_simultaneous(void)
{
    net n;
    net_init(&n, 31, "10.0.0.1:1000", "10.0.0.2:2000");
    connect_pair(&n, NULL);
    sim_time_t t0 = n.now;
    tcp_conn_shutdown(n.c[0]);
    tcp_conn_shutdown(n.c[1]);
    run(&n, t0 + 10 * SIM_MS); /* the FINs crossed */
    g_assert_cmpint(tcp_conn_state(n.c[0]), ==, TCP_CLOSING);
    g_assert_cmpint(tcp_conn_state(n.c[1]), ==, TCP_CLOSING);
    run(&n, t0 + 20 * SIM_MS);
    g_assert_cmpint(tcp_conn_state(n.c[0]), ==, TCP_TIME_WAIT);
    g_assert_cmpint(tcp_conn_state(n.c[1]), ==, TCP_TIME_WAIT);
    run(&n, t0 + 20 * SIM_MS + 60 * SIM_SEC);
    g_assert_cmpint(tcp_conn_state(n.c[0]), ==, TCP_CLOSED);
    g_assert_cmpint(tcp_conn_state(n.c[1]), ==, TCP_CLOSED);
    net_clear(&n);
}

static void test_half_close(void)
{
    net n;
    net_init(&n, 32, "10.0.0.1:1000", "10.0.0.2:2000");
    connect_pair(&n, NULL);
    tcp_conn_shutdown(n.c[0]); /* A is done sending, keeps receiving */
    size_t total = 100 * 1000, sent = 0, got = 0;
    uint8_t *src = g_malloc(total), *dst = g_malloc(total);
    for (size_t k = 0; k < total; k++)
        src[k] = (uint8_t)(k * 31 + 7);
    for (int round = 0; round < 100 && got < total; round++) {
        ssize_t k = tcp_conn_send(n.c[1], src + sent, total - sent);
        g_assert_cmpint(k, >=, 0);
        sent += (size_t)k;
        run(&n, n.now + 100 * SIM_MS);
        k = tcp_conn_recv(n.c[0], dst + got, total - got);
        if (k > 0)
            got += (size_t)k;
        g_assert_cmpint(tcp_conn_state(n.c[0]), ==, TCP_FIN_WAIT_2);
        g_assert_cmpint(tcp_conn_state(n.c[1]), ==, TCP_CLOSE_WAIT);
    }
    g_assert_cmpuint(got, ==, total);
    g_assert_true(memcmp(src, dst, total) == 0);
    tcp_conn_shutdown(n.c[1]);
    run(&n, n.now + SIM_SEC);
    g_assert_cmpint(tcp_conn_state(n.c[0]), ==, TCP_TIME_WAIT);
    g_assert_cmpint(tcp_conn_state(n.c[1]), ==, TCP_CLOSED);
    char b;
    g_assert_cmpint(tcp_conn_recv(n.c[0], &b, 1), ==, 0);
    g_free(src);
    g_free(dst);
    net_clear(&n);
}

static void test_refused(void)
{
    net n;
    net_init(&n, 33, "10.0.0.1:1000", "10.0.0.2:2000");
    mk(&n, 0, NULL); /* nothing on B: the "stack" answers the SYN with RST,ACK */
    tcp_conn_open_active(n.c[0], 0);
    run(&n, SIM_SEC);
    g_assert_cmphex(rec_at(&n, 1)->seg.flags, ==, TCP_RST | TCP_ACK);
    g_assert_cmpint(tcp_conn_state(n.c[0]), ==, TCP_CLOSED);
    g_assert_cmpint(tcp_conn_error(n.c[0]), ==, -ECONNREFUSED);
    g_assert_true(n.ev[0] & TCP_EV_ERROR);
    char b;
    g_assert_cmpint(tcp_conn_recv(n.c[0], &b, 1), ==, -ECONNREFUSED);
    g_assert_cmpuint(n.log->len, ==, 2); /* no retransmission after the refusal */
    net_clear(&n);
}

static void test_reset_established(void)
{
    net n;
    net_init(&n, 34, "10.0.0.1:1000", "10.0.0.2:2000");
    connect_pair(&n, NULL);
    tcp_conn_abort(n.c[1]);
    g_assert_cmpint(tcp_conn_state(n.c[1]), ==, TCP_CLOSED);
    g_assert_cmpint(tcp_conn_error(n.c[1]), ==, 0);
    run(&n, n.now + SIM_SEC);
    g_assert_cmpint(tcp_conn_state(n.c[0]), ==, TCP_CLOSED);
    g_assert_cmpint(tcp_conn_error(n.c[0]), ==, -ECONNRESET);
    char b;
    g_assert_cmpint(tcp_conn_recv(n.c[0], &b, 1), ==, -ECONNRESET);
    g_assert_cmpint(tcp_conn_send(n.c[0], "x", 1), ==, -EPIPE);
    net_clear(&n);
}

static void test_close_unread_resets(void)
{
    net n;
    net_init(&n, 35, "10.0.0.1:1000", "10.0.0.2:2000");
    connect_pair(&n, NULL);
    tcp_conn_send(n.c[0], "unread", 6);
    run(&n, n.now + SIM_SEC);
    g_assert_cmpuint(tcp_conn_readable(n.c[1]), ==, 6);
    tcp_conn_close(n.c[1]); /* RFC 2525 2.17: data would be lost, so RST */
    run(&n, n.now + SIM_SEC);
    g_assert_cmpint(tcp_conn_error(n.c[0]), ==, -ECONNRESET);
    net_clear(&n);
}

/* RFC 5961: an in-window RST that is not exactly RCV.NXT and an in-window SYN only draw a
 * challenge ACK; the exact RST resets. */
static void test_rst_validation(void)
{
    net n;
    net_init(&n, 36, "10.0.0.1:1000", "10.0.0.2:2000");
    connect_pair(&n, NULL);
    uint32_t rcv_nxt = rec_at(&n, 1)->seg.seq + 1, snd_nxt = rec_at(&n, 0)->seg.seq + 1;
    uint8_t buf[64];
    tcp_seg out, in = { .sport = 2000, .dport = 1000, .seq = rcv_nxt + 100, .flags = TCP_RST };
    g_assert_cmpint(tcp_conn_input(n.c[0], n.now, &in), ==, 0);
    g_assert_cmpint(tcp_conn_state(n.c[0]), ==, TCP_ESTABLISHED);
    g_assert_true(tcp_conn_pop(n.c[0], n.now, &out, buf, sizeof buf));
    g_assert_cmphex(out.flags, ==, TCP_ACK);
    g_assert_cmpuint(out.seq, ==, snd_nxt);
    g_assert_cmpuint(out.ack, ==, rcv_nxt);
    g_assert_false(tcp_conn_pop(n.c[0], n.now, &out, buf, sizeof buf));

    in.seq = rcv_nxt + 5;
    in.flags = TCP_SYN;
    g_assert_cmpint(tcp_conn_input(n.c[0], n.now, &in), ==, 0);
    g_assert_cmpint(tcp_conn_state(n.c[0]), ==, TCP_ESTABLISHED);
    g_assert_true(tcp_conn_pop(n.c[0], n.now, &out, buf, sizeof buf));
    g_assert_cmphex(out.flags, ==, TCP_ACK);

    in.seq = rcv_nxt + 70000; /* outside the window: ignored (no ACK for a RST) */
    in.flags = TCP_RST;
    tcp_conn_input(n.c[0], n.now, &in);
    g_assert_false(tcp_conn_pop(n.c[0], n.now, &out, buf, sizeof buf));
    g_assert_cmpint(tcp_conn_state(n.c[0]), ==, TCP_ESTABLISHED);

    in.seq = rcv_nxt;
    tcp_conn_input(n.c[0], n.now, &in);
    g_assert_cmpint(tcp_conn_error(n.c[0]), ==, -ECONNRESET);
    net_clear(&n);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tcp/conn/close/fin-wait-2-timeout", test_fin_wait2_timeout);
    g_test_add_func("/tcp/conn/close/active", test_close_active);
    g_test_add_func("/tcp/conn/close/passive", test_close_passive);
    g_test_add_func("/tcp/conn/close/time-wait-msl", test_time_wait_msl);
    g_test_add_func("/tcp/conn/close/simultaneous", test_close_simultaneous);
    g_test_add_func("/tcp/conn/close/half-close", test_half_close);
    g_test_add_func("/tcp/conn/close/unread-data-resets", test_close_unread_resets);
    g_test_add_func("/tcp/conn/rst/syn-sent-econnrefused", test_refused);
    g_test_add_func("/tcp/conn/rst/established-econnreset", test_reset_established);
    g_test_add_func("/tcp/conn/rst/rfc5961-validation", test_rst_validation);
    return g_test_run();
}
