/* tests/unit/tcp_net.h — the in-test "network" shared by test_tcp_conn.c and test_tcp_close.c:
 * two TCP cores back to back through a queue with seeded loss, reordering, duplication and
 * delay. Every segment is encoded with its checksum and decoded again on arrival; a segment for
 * a missing or closed core is answered with the RST a stack would send. Included by exactly
 * those two test programs (static functions, one copy each). */
#ifndef TESTS_UNIT_TCP_NET_H
#define TESTS_UNIT_TCP_NET_H

#include <errno.h>
#include <glib.h>
#include <string.h>
#include "sim/stack/tcp.h"
#include "ep_util.h"

/* ---------------------------------------------------------------- the fake network */

typedef struct frame {
    sim_time_t at;
    uint64_t order;   /* ties at one time leave in sending order */
    int to;           /* 0 or 1 */
    size_t len;
    uint8_t bytes[1600];
} frame;

typedef struct rec {  /* one segment as it left a core */
    sim_time_t t;
    int from;
    tcp_seg seg;      /* data pointer cleared */
} rec;

typedef struct net net;
typedef void (*app_fn)(net *n);
/* A filter may drop one segment a core sent (true = drop). */
typedef bool (*filter_fn)(net *n, int from, const tcp_seg *s);

struct net {
    tcp_conn *c[2];
    sim_ep ep[2];
    sim_rng rng;      /* ISS for both cores */
    sim_rng faults;   /* loss, duplication, reordering draws */
    sim_time_t now, delay, jitter;
    double loss, dup, reorder;
    GArray *q;        /* of frame, in flight */
    GArray *log;      /* of rec */
    uint64_t order;
    unsigned ev[2];   /* events seen so far per side */
    app_fn app;
    filter_fn filter;
    void *ctx;
};

G_GNUC_UNUSED static void net_init(net *n, uint64_t seed, const char *a, const char *b)
{
    memset(n, 0, sizeof *n);
    n->ep[0] = ep(a);
    n->ep[1] = ep(b);
    sim_rng_seed(&n->rng, seed);
    sim_rng_seed(&n->faults, seed * 7919 + 1);
    n->delay = 10 * SIM_MS;
    n->q = g_array_new(FALSE, FALSE, sizeof(frame));
    n->log = g_array_new(FALSE, FALSE, sizeof(rec));
}

G_GNUC_UNUSED static void net_clear(net *n)
{
    tcp_conn_free(n->c[0]);
    tcp_conn_free(n->c[1]);
    g_array_free(n->q, TRUE);
    g_array_free(n->log, TRUE);
}

G_GNUC_UNUSED static tcp_conn *mk(net *n, int side, const tcp_cfg *cfg)
{
    n->c[side] = tcp_conn_new(&n->ep[side], &n->ep[!side], cfg, &n->rng);
    return n->c[side];
}

/* Puts one encoded segment from `from` on the wire, with the configured faults. */
G_GNUC_UNUSED static void transmit(net *n, int from, const tcp_seg *s)
{
    frame f = { .to = !from };
    g_assert_cmpint(tcp_seg_encode(s, &n->ep[from].ip, &n->ep[!from].ip, f.bytes,
                                   sizeof f.bytes, &f.len), ==, 0);
    rec r = { .t = n->now, .from = from, .seg = *s };
    r.seg.data = NULL;
    g_array_append_val(n->log, r);
    if (n->filter && n->filter(n, from, s))
        return;
    if (sim_rng_chance(&n->faults, n->loss))
        return;
    unsigned copies = 1 + (sim_rng_chance(&n->faults, n->dup) ? 1 : 0);
    for (unsigned k = 0; k < copies; k++) {
        f.at = n->now + n->delay;
        if (n->jitter)
            f.at += sim_rng_below(&n->faults, (uint32_t)(n->jitter / SIM_US)) * SIM_US;
        if (sim_rng_chance(&n->faults, n->reorder))
            f.at += 3 * n->delay; /* held back: later segments overtake it */
        f.order = n->order++;
        g_array_append_val(n->q, f);
    }
}

/* Drains what both cores want to send. */
G_GNUC_UNUSED static void drain(net *n)
{
    uint8_t buf[1600];
    tcp_seg s;
    for (int side = 0; side < 2; side++) {
        if (!n->c[side])
            continue;
        while (tcp_conn_pop(n->c[side], n->now, &s, buf, sizeof buf))
            transmit(n, side, &s);
        n->ev[side] |= tcp_conn_events(n->c[side]);
    }
}

/* A frame reaches side `to`: decode with checksum, input, or answer for a missing/closed
 * connection with the RST of RFC 9293 3.10.7.1 (what the stack will do). */
G_GNUC_UNUSED static void deliver(net *n, frame *f)
{
    tcp_seg s;
    int to = f->to;
    g_assert_cmpint(tcp_seg_decode(f->bytes, f->len, &n->ep[!to].ip, &n->ep[to].ip, &s), ==, 0);
    if (n->c[to] && tcp_conn_input(n->c[to], n->now, &s) == 0)
        return;
    tcp_seg rst;
    if (tcp_seg_reset_for(&s, &rst))
        transmit(n, to, &rst);
}

G_GNUC_UNUSED static sim_time_t next_time(net *n)
{
    sim_time_t t = SIM_TIME_NEVER;
    for (guint k = 0; k < n->q->len; k++)
        if (g_array_index(n->q, frame, k).at < t)
            t = g_array_index(n->q, frame, k).at;
    for (int side = 0; side < 2; side++)
        if (n->c[side] && tcp_conn_next_deadline(n->c[side]) < t)
            t = tcp_conn_next_deadline(n->c[side]);
    return t;
}

/* Runs the network until `until` or until nothing is left to happen. */
G_GNUC_UNUSED static void run(net *n, sim_time_t until)
{
    drain(n);
    if (n->app)
        n->app(n);
    drain(n);
    for (;;) {
        sim_time_t t = next_time(n);
        if (t == SIM_TIME_NEVER || t > until)
            break;
        n->now = t;
        for (;;) { /* the earliest frame due now, in sending order */
            guint best = G_MAXUINT;
            for (guint k = 0; k < n->q->len; k++) {
                frame *f = &g_array_index(n->q, frame, k);
                if (f->at == t && (best == G_MAXUINT ||
                                   f->order < g_array_index(n->q, frame, best).order))
                    best = k;
            }
            if (best == G_MAXUINT)
                break;
            frame f = g_array_index(n->q, frame, best);
            g_array_remove_index(n->q, best);
            deliver(n, &f);
            drain(n);
        }
        for (int side = 0; side < 2; side++)
            if (n->c[side] && tcp_conn_next_deadline(n->c[side]) <= t)
                tcp_conn_timeout(n->c[side], t);
        drain(n);
        if (n->app)
            n->app(n);
        drain(n);
    }
    if (until != SIM_TIME_NEVER && n->now < until)
        n->now = until;
}

/* A and B connected: A active, B passive. */
G_GNUC_UNUSED static void connect_pair(net *n, const tcp_cfg *cfg)
{
    mk(n, 0, cfg);
    mk(n, 1, cfg);
    g_assert_cmpint(tcp_conn_open_passive(n->c[1], n->now), ==, 0);
    g_assert_cmpint(tcp_conn_open_active(n->c[0], n->now), ==, 0);
    run(n, n->now + 1 * SIM_SEC);
    g_assert_cmpint(tcp_conn_state(n->c[0]), ==, TCP_ESTABLISHED);
    g_assert_cmpint(tcp_conn_state(n->c[1]), ==, TCP_ESTABLISHED);
}

G_GNUC_UNUSED static const rec *rec_at(net *n, guint k)
{
    return &g_array_index(n->log, rec, k);
}

#endif
