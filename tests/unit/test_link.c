/* tests/unit/test_link.c — links: delay, serialisation, drop-tail, loss, jitter, reordering,
 * duplication, down/up, LAN delivery, captures and determinism.
 *
 * Frames are raw Ethernet with the local experimental ethertype 0x88B5, which the stack drops
 * as unsupported after delivery; a tap on the link records every delivery (who, when, which
 * sequence number) before the stack sees it. */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <pcap/pcap.h>
#include <string.h>
#include "sim/link.h"
#include "sim/node.h"
#include "sim/trace.h"
#include "sim/world.h"

#define TEST_ETHERTYPE 0x88B5

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

typedef struct seen {
    const sim_iface *to;
    sim_time_t t;
    uint32_t seq;
} seen;

typedef struct fx {
    sim_world *w;
    sim_link *l;
    sim_node *n[4];
    sim_iface *i[4];
    GArray *seen; /* of seen, in delivery order */
} fx;

static void tap(void *ctx, const sim_link *l, const sim_iface *to, const sim_pkt *f, sim_time_t t)
{
    fx *x = ctx;
    if (f->len < 18 || (f->data[12] << 8 | f->data[13]) != TEST_ETHERTYPE)
        return;
    seen s = { to, t, (uint32_t)f->data[14] << 24 | f->data[15] << 16 | f->data[16] << 8 |
                          f->data[17] };
    g_array_append_val(x->seen, s);
}

/* A world with `members` hosts H0.. on one link named "wire" (p2p for 2, else a LAN). */
static void fx_init(fx *x, const sim_world_opts *opts, const sim_link_props *props, int members)
{
    GError *err = NULL;
    memset(x, 0, sizeof *x);
    sim_world_opts def = { .seed = 1 };
    x->w = sim_world_new(opts ? opts : &def, &err);
    g_assert_no_error(err);
    x->l = sim_link_new(x->w, "wire", members == 2 ? SIM_LINK_P2P : SIM_LINK_LAN, props, &err);
    g_assert_no_error(err);
    for (int k = 0; k < members; k++) {
        char name[8];
        g_snprintf(name, sizeof name, "H%d", k);
        x->n[k] = sim_node_new(x->w, name, SIM_NODE_HOST, &err);
        g_assert_no_error(err);
        x->i[k] = sim_node_attach(x->n[k], x->l, NULL, &err);
        g_assert_no_error(err);
    }
    x->seen = g_array_new(FALSE, FALSE, sizeof(seen));
    sim_link_set_tap(x->l, tap, x);
}

static void fx_clear(fx *x)
{
    sim_world_run(x->w, SIM_TIME_NEVER);
    g_assert_cmpuint(sim_pkt_pool_outstanding(sim_world_pool(x->w)), ==, 0);
    sim_world_free(x->w);
    g_array_unref(x->seen);
}

/* Sends a len-byte test frame carrying seq from interface `from` to dst, now. */
static void send_frame(fx *x, sim_iface *from, const uint8_t dst[6], uint32_t seq, uint32_t len)
{
    sim_pkt *p = sim_pkt_alloc(sim_world_pool(x->w));
    uint8_t *b = sim_pkt_put(p, len);
    g_assert_nonnull(b);
    for (uint32_t k = 0; k < len; k++)
        b[k] = (uint8_t)(seq + k);
    memcpy(b, dst, 6);
    memcpy(b + 6, from->mac, 6);
    b[12] = TEST_ETHERTYPE >> 8;
    b[13] = TEST_ETHERTYPE & 0xff;
    b[14] = (uint8_t)(seq >> 24);
    b[15] = (uint8_t)(seq >> 16);
    b[16] = (uint8_t)(seq >> 8);
    b[17] = (uint8_t)seq;
    sim_link_send(from, p);
}

static seen *seen_at(fx *x, guint k) { return &g_array_index(x->seen, seen, k); }

/* ---- point-to-point ---- */

static void test_delay(void)
{
    sim_link_props p;
    sim_link_props_default(&p);
    p.delay = 5 * SIM_MS + 3;
    fx x;
    fx_init(&x, NULL, &p, 2);
    send_frame(&x, x.i[0], x.i[1]->mac, 1, 100);
    sim_world_run(x.w, 2 * SIM_MS);
    send_frame(&x, x.i[1], x.i[0]->mac, 2, 60);
    sim_world_run(x.w, SIM_TIME_NEVER);
    g_assert_cmpuint(x.seen->len, ==, 2);
    g_assert_true(seen_at(&x, 0)->to == x.i[1]);
    g_assert_cmpuint(seen_at(&x, 0)->t, ==, 5 * SIM_MS + 3);
    g_assert_cmpuint(seen_at(&x, 0)->seq, ==, 1);
    g_assert_true(seen_at(&x, 1)->to == x.i[0]);
    g_assert_cmpuint(seen_at(&x, 1)->t, ==, 7 * SIM_MS + 3);
    const sim_link_stats *s = sim_link_stats_get(x.l);
    g_assert_cmpuint(s->tx_frames, ==, 2);
    g_assert_cmpuint(s->tx_bytes, ==, 160);
    g_assert_cmpuint(s->rx_frames, ==, 2);
    g_assert_cmpuint(s->rx_bytes, ==, 160);
    g_assert_cmpuint(x.i[1]->rx_frames, ==, 1);
    g_assert_cmpuint(x.i[0]->tx_bytes, ==, 100);
    fx_clear(&x);
}

static void test_bandwidth(void)
{
    sim_link_props p;
    sim_link_props_default(&p);
    p.bandwidth = 1000000; /* 1 Mbit/s: 1500 bytes take 12 ms */
    fx x;
    fx_init(&x, NULL, &p, 2);
    g_assert_cmpuint(sim_link_tx_time(x.l, 1500), ==, 12 * SIM_MS);
    for (uint32_t k = 0; k < 3; k++)
        send_frame(&x, x.i[0], x.i[1]->mac, k, 1500);
    sim_world_run(x.w, SIM_TIME_NEVER);
    g_assert_cmpuint(x.seen->len, ==, 3);
    for (guint k = 0; k < 3; k++) {
        g_assert_cmpuint(seen_at(&x, k)->seq, ==, k);
        g_assert_cmpuint(seen_at(&x, k)->t, ==, (12 * (k + 1) + 1) * SIM_MS);
    }
    /* The other direction has its own transmitter: not queued behind these. */
    send_frame(&x, x.i[1], x.i[0]->mac, 9, 1500);
    send_frame(&x, x.i[0], x.i[1]->mac, 10, 1500);
    sim_time_t t0 = sim_world_now(x.w);
    sim_world_run(x.w, SIM_TIME_NEVER);
    g_assert_cmpuint(seen_at(&x, 3)->t, ==, t0 + 13 * SIM_MS);
    g_assert_cmpuint(seen_at(&x, 4)->t, ==, t0 + 13 * SIM_MS);
    fx_clear(&x);
}

static void test_queue_drop_tail(void)
{
    sim_link_props p;
    sim_link_props_default(&p);
    p.bandwidth = 1000000;
    p.queue_bytes = 15000;
    fx x;
    fx_init(&x, NULL, &p, 2);
    for (uint32_t k = 0; k < 20; k++)
        send_frame(&x, x.i[0], x.i[1]->mac, k, 1500);
    const sim_link_stats *s = sim_link_stats_get(x.l);
    g_assert_cmpuint(s->drops[SIM_DROP_QUEUE_FULL], ==, 10);
    g_assert_cmpuint(x.n[0]->drops[SIM_DROP_QUEUE_FULL], ==, 10);
    g_assert_cmpuint(x.i[0]->tx_queued, ==, 15000);
    /* At 12 ms the first frame is out: room for exactly one more. */
    sim_world_run(x.w, 12 * SIM_MS);
    send_frame(&x, x.i[0], x.i[1]->mac, 100, 1500);
    send_frame(&x, x.i[0], x.i[1]->mac, 101, 1500);
    g_assert_cmpuint(s->drops[SIM_DROP_QUEUE_FULL], ==, 11);
    sim_world_run(x.w, SIM_TIME_NEVER);
    g_assert_cmpuint(x.seen->len, ==, 11);
    for (guint k = 0; k < 10; k++)
        g_assert_cmpuint(seen_at(&x, k)->seq, ==, k);
    g_assert_cmpuint(seen_at(&x, 10)->seq, ==, 100);
    g_assert_cmpuint(seen_at(&x, 10)->t, ==, 133 * SIM_MS);
    fx_clear(&x);
}

/* Sends n frames 1 ms apart over a link with loss 0.3 and returns which arrived. */
static GArray *lossy_run(uint64_t seed, guint n, uint64_t *link_drops, uint64_t *node_drops)
{
    sim_link_props p;
    sim_link_props_default(&p);
    p.loss = 0.3;
    sim_world_opts o = { .seed = seed };
    fx x;
    fx_init(&x, &o, &p, 2);
    for (guint k = 0; k < n; k++) {
        sim_world_run(x.w, k * SIM_MS);
        send_frame(&x, x.i[0], x.i[1]->mac, k, 64);
    }
    sim_world_run(x.w, SIM_TIME_NEVER);
    GArray *got = g_array_new(FALSE, TRUE, 1);
    g_array_set_size(got, n);
    for (guint k = 0; k < x.seen->len; k++)
        got->data[seen_at(&x, k)->seq] = 1;
    *link_drops = sim_link_stats_get(x.l)->drops[SIM_DROP_LOSS];
    *node_drops = x.n[1]->drops[SIM_DROP_LOSS];
    g_assert_cmpuint(x.n[0]->drops[SIM_DROP_LOSS], ==, 0);
    g_assert_cmpuint(sim_link_stats_get(x.l)->tx_frames, ==, n); /* lost frames were sent */
    fx_clear(&x);
    return got;
}

static void test_loss(void)
{
    const guint n = 10000;
    uint64_t ld, nd, ld2, nd2, ld3, nd3;
    GArray *a = lossy_run(42, n, &ld, &nd);
    guint delivered = 0;
    for (guint k = 0; k < n; k++)
        delivered += a->data[k];
    /* Lost ~ Binomial(10000, 0.3): mean 3000, sd 46; +-250 is more than 5 sd. */
    g_assert_cmpuint(n - delivered, >, 2750);
    g_assert_cmpuint(n - delivered, <, 3250);
    g_assert_cmpuint(ld, ==, n - delivered);
    g_assert_cmpuint(nd, ==, n - delivered);

    GArray *b = lossy_run(42, n, &ld2, &nd2);
    g_assert_cmpmem(a->data, n, b->data, n); /* same seed: the same frames are lost */
    GArray *c = lossy_run(43, n, &ld3, &nd3);
    g_assert_true(memcmp(a->data, c->data, n) != 0);
    g_array_unref(a);
    g_array_unref(b);
    g_array_unref(c);
}

static void test_jitter_keeps_order(void)
{
    sim_link_props p;
    sim_link_props_default(&p);
    p.delay = 1 * SIM_MS;
    p.jitter = 5 * SIM_MS;
    fx x;
    fx_init(&x, NULL, &p, 2);
    const guint n = 2000;
    for (guint k = 0; k < n; k++) {
        sim_world_run(x.w, k * 100 * SIM_US);
        send_frame(&x, x.i[0], x.i[1]->mac, k, 64);
    }
    sim_world_run(x.w, SIM_TIME_NEVER);
    g_assert_cmpuint(x.seen->len, ==, n);
    GHashTable *extra = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    sim_time_t prev = 0;
    for (guint k = 0; k < n; k++) {
        seen *s = seen_at(&x, k);
        g_assert_cmpuint(s->seq, ==, k); /* FIFO */
        sim_time_t sent = k * 100 * SIM_US;
        g_assert_cmpuint(s->t, >=, sent + p.delay);
        g_assert_cmpuint(s->t, >=, prev);
        g_assert_true(s->t <= sent + p.delay + p.jitter || s->t == prev);
        prev = s->t;
        gint64 *d = g_new(gint64, 1);
        *d = (gint64)(s->t - sent);
        g_hash_table_add(extra, d);
    }
    g_assert_cmpuint(g_hash_table_size(extra), >, 100); /* jitter really varies the delay */
    g_hash_table_unref(extra);
    fx_clear(&x);
}

static void test_reorder(void)
{
    sim_link_props p;
    sim_link_props_default(&p);
    p.delay = 1 * SIM_MS;
    p.reorder = 0.1;
    fx x;
    fx_init(&x, NULL, &p, 2);
    const guint n = 1000;
    for (guint k = 0; k < n; k++) {
        sim_world_run(x.w, k * 100 * SIM_US);
        send_frame(&x, x.i[0], x.i[1]->mac, k, 64);
    }
    sim_world_run(x.w, SIM_TIME_NEVER);
    g_assert_cmpuint(x.seen->len, ==, n);
    guint held = 0, overtaken = 0;
    for (guint k = 0; k < n; k++) {
        seen *s = seen_at(&x, k);
        sim_time_t d = s->t - s->seq * 100 * SIM_US;
        if (d == 4 * SIM_MS) /* default hold-back: 2 * delay + 1 ms */
            held++;
        else
            g_assert_cmpuint(d, ==, 1 * SIM_MS);
        if (k > 0 && s->seq < seen_at(&x, k - 1)->seq)
            overtaken++;
    }
    g_assert_cmpuint(held, >, 50);
    g_assert_cmpuint(held, <, 150);
    g_assert_cmpuint(overtaken, >, 0);
    fx_clear(&x);
}

static void test_duplicate(void)
{
    sim_link_props p;
    sim_link_props_default(&p);
    p.duplicate = 0.25;
    fx x;
    fx_init(&x, NULL, &p, 2);
    const guint n = 1000;
    for (guint k = 0; k < n; k++) {
        sim_world_run(x.w, k * SIM_MS);
        send_frame(&x, x.i[0], x.i[1]->mac, k, 64);
    }
    sim_world_run(x.w, SIM_TIME_NEVER);
    guint dups = x.seen->len - n;
    g_assert_cmpuint(x.seen->len, >, n + 150);
    g_assert_cmpuint(x.seen->len, <, n + 350);
    g_assert_cmpuint(sim_link_stats_get(x.l)->rx_frames, ==, x.seen->len);
    g_assert_cmpuint(sim_link_stats_get(x.l)->tx_frames, ==, n);
    /* Every frame arrives once or twice, both copies at the same instant, in order. */
    guint k = 0, twice = 0;
    for (guint seq = 0; seq < n; seq++) {
        g_assert_cmpuint(seen_at(&x, k)->seq, ==, seq);
        if (k + 1 < x.seen->len && seen_at(&x, k + 1)->seq == seq) {
            g_assert_cmpuint(seen_at(&x, k + 1)->t, ==, seen_at(&x, k)->t);
            k++;
            twice++;
        }
        k++;
    }
    g_assert_cmpuint(k, ==, x.seen->len);
    g_assert_cmpuint(twice, ==, dups);
    fx_clear(&x);
}

static void test_down_up(void)
{
    char *dir = g_dir_make_tmp("natsim-link-XXXXXX", NULL);
    g_autofree char *log = g_build_filename(dir, "log.jsonl", NULL);
    sim_world_opts o = { .seed = 1, .log_path = log };
    sim_link_props p;
    sim_link_props_default(&p);
    p.delay = 10 * SIM_MS;
    fx x;
    fx_init(&x, &o, &p, 2);
    const sim_link_stats *s = sim_link_stats_get(x.l);
    send_frame(&x, x.i[0], x.i[1]->mac, 0, 64); /* in flight when the link goes down */
    sim_world_run(x.w, 5 * SIM_MS);
    sim_link_set_up(x.l, false);
    g_assert_false(sim_link_is_up(x.l));
    send_frame(&x, x.i[0], x.i[1]->mac, 1, 64); /* refused at once */
    g_assert_cmpuint(x.n[0]->drops[SIM_DROP_LINK_DOWN], ==, 1);
    g_assert_cmpuint(s->drops[SIM_DROP_LINK_DOWN], ==, 1);
    sim_world_run(x.w, 7 * SIM_MS);
    sim_link_set_up(x.l, true); /* back before frame 0 would arrive: it is still lost */
    send_frame(&x, x.i[0], x.i[1]->mac, 2, 64);
    sim_world_run(x.w, SIM_TIME_NEVER);
    g_assert_cmpuint(x.seen->len, ==, 1);
    g_assert_cmpuint(seen_at(&x, 0)->seq, ==, 2);
    g_assert_cmpuint(seen_at(&x, 0)->t, ==, 17 * SIM_MS);
    g_assert_cmpuint(x.n[1]->drops[SIM_DROP_LINK_DOWN], ==, 1);
    g_assert_cmpuint(s->drops[SIM_DROP_LINK_DOWN], ==, 2);
    fx_clear(&x);

    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    g_assert_nonnull(strstr(text, "{\"t\":0.005000000,\"kind\":\"link.down\",\"link\":\"wire\"}\n"));
    g_assert_nonnull(strstr(text, "{\"t\":0.007000000,\"kind\":\"link.up\",\"link\":\"wire\"}\n"));
    g_assert_nonnull(strstr(text, "{\"t\":0.010000000,\"node\":\"H1\",\"kind\":\"drop\","
                                  "\"reason\":\"link-down\""));
    g_assert_null(strstr(text, "frame.tx")); /* frame logging is off */
    g_unlink(log);
    g_rmdir(dir);
    g_free(dir);
}

static void test_props_check(void)
{
    sim_link_props p;
    sim_link_props_default(&p);
    g_assert_cmpint(sim_link_props_check(&p, NULL), ==, 0);
    g_assert_cmpuint(p.delay, ==, SIM_MS);
    g_assert_cmpuint(p.queue_bytes, ==, 256 * 1024);
    GError *err = NULL;
    p.loss = 1.5;
    g_assert_cmpint(sim_link_props_check(&p, &err), ==, -EINVAL);
    g_assert_error(err, SIM_ERROR, SIM_ERROR_INVAL);
    g_assert_nonnull(strstr(err->message, "loss"));
    g_clear_error(&err);
    p.loss = 0;
    p.duplicate = NAN;
    g_assert_cmpint(sim_link_props_check(&p, NULL), ==, -EINVAL);
    p.duplicate = 0;
    p.reorder = -0.1;
    g_assert_cmpint(sim_link_props_check(&p, NULL), ==, -EINVAL);

    fx x;
    fx_init(&x, NULL, NULL, 2);
    g_assert_cmpint(sim_link_set_props(x.l, &p), ==, -EINVAL);
    g_assert_cmpfloat(sim_link_props_get(x.l)->reorder, ==, 0);
    p.reorder = 1;
    g_assert_cmpint(sim_link_set_props(x.l, &p), ==, 0);
    g_assert_cmpfloat(sim_link_props_get(x.l)->reorder, ==, 1);
    g_assert_null(sim_link_new(x.w, "wire", SIM_LINK_LAN, NULL, &err));
    g_assert_error(err, SIM_ERROR, SIM_ERROR_EXISTS);
    g_clear_error(&err);
    g_assert_null(sim_link_new(x.w, "", SIM_LINK_LAN, NULL, &err));
    g_assert_error(err, SIM_ERROR, SIM_ERROR_INVAL);
    g_clear_error(&err);
    p.loss = 2;
    g_assert_null(sim_link_new(x.w, "other", SIM_LINK_LAN, &p, &err));
    g_assert_error(err, SIM_ERROR, SIM_ERROR_INVAL);
    g_clear_error(&err);
    /* A wire has two ends. */
    sim_node *c = sim_node_new(x.w, "C", SIM_NODE_HOST, NULL);
    g_assert_null(sim_node_attach(c, x.l, NULL, &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
    g_assert_cmpuint(sim_link_ifaces(x.l)->len, ==, 2);
    g_assert_true(sim_world_link(x.w, "wire") == x.l);
    g_assert_true(sim_link_world(x.l) == x.w);
    g_assert_cmpstr(sim_link_name(x.l), ==, "wire");
    g_assert_cmpint(sim_link_get_kind(x.l), ==, SIM_LINK_P2P);
    fx_clear(&x);
}

/* ---- LAN ---- */

static void test_lan_delivery(void)
{
    fx x;
    fx_init(&x, NULL, NULL, 4);
    send_frame(&x, x.i[1], bcast, 1, 60);
    sim_world_run(x.w, SIM_TIME_NEVER);
    g_assert_cmpuint(x.seen->len, ==, 3);
    const int order[3] = { 0, 2, 3 };
    for (guint k = 0; k < 3; k++) {
        g_assert_true(seen_at(&x, k)->to == x.i[order[k]]);
        g_assert_cmpuint(seen_at(&x, k)->seq, ==, 1);
        g_assert_cmpuint(seen_at(&x, k)->t, ==, SIM_MS);
    }
    g_array_set_size(x.seen, 0);
    send_frame(&x, x.i[0], x.i[2]->mac, 2, 60); /* unicast: only the owner of the MAC */
    const uint8_t nobody[6] = { 0x02, 0xde, 0xad, 0xbe, 0xef, 0x99 };
    send_frame(&x, x.i[0], nobody, 3, 60); /* filtered by every NIC: not a drop */
    sim_world_run(x.w, SIM_TIME_NEVER);
    g_assert_cmpuint(x.seen->len, ==, 1);
    g_assert_true(seen_at(&x, 0)->to == x.i[2]);
    g_assert_cmpuint(seen_at(&x, 0)->seq, ==, 2);
    const sim_link_stats *s = sim_link_stats_get(x.l);
    g_assert_cmpuint(s->tx_frames, ==, 3);
    g_assert_cmpuint(s->rx_frames, ==, 4);
    for (int k = 0; k < 4; k++)
        g_assert_cmpuint(x.n[k]->drops[SIM_DROP_LOSS] + x.n[k]->drops[SIM_DROP_NOT_FORWARDING],
                         ==, 0);
    fx_clear(&x);
}

static void test_lan_loss_counted_once(void)
{
    sim_link_props p;
    sim_link_props_default(&p);
    p.loss = 1;
    fx x;
    fx_init(&x, NULL, &p, 3);
    send_frame(&x, x.i[0], bcast, 1, 60);
    sim_world_run(x.w, SIM_TIME_NEVER);
    g_assert_cmpuint(x.seen->len, ==, 0);
    g_assert_cmpuint(sim_link_stats_get(x.l)->drops[SIM_DROP_LOSS], ==, 1);
    g_assert_cmpuint(x.n[1]->drops[SIM_DROP_LOSS] + x.n[2]->drops[SIM_DROP_LOSS], ==, 1);
    fx_clear(&x);
}

/* ---- captures and determinism ---- */

static char *read_all(const char *path, gsize *len)
{
    char *s = NULL;
    GError *err = NULL;
    g_file_get_contents(path, &s, len, &err);
    g_assert_no_error(err);
    return s;
}

static void remove_dir(char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(dir, name, NULL);
        g_unlink(p);
    }
    if (d)
        g_dir_close(d);
    g_rmdir(dir);
    g_free(dir);
}

static void test_pcap_capture(void)
{
    char *dir = g_dir_make_tmp("natsim-link-XXXXXX", NULL);
    sim_world_opts o = { .seed = 1, .pcap_dir = dir, .pcap_prefix = "demo" };
    sim_link_props p;
    sim_link_props_default(&p);
    p.bandwidth = 1000000;
    fx x;
    fx_init(&x, &o, &p, 2);
    GError *err = NULL;
    sim_link *bare = sim_link_new(x.w, "bare", SIM_LINK_P2P, NULL, &err);
    g_assert_no_error(err);
    g_assert_nonnull(bare);
    /* H0 queues three frames at 0; H1 sends at 5 ms, while H0's second frame waits. */
    for (uint32_t k = 0; k < 3; k++)
        send_frame(&x, x.i[0], x.i[1]->mac, k, 1500);
    sim_world_run(x.w, 5 * SIM_MS);
    send_frame(&x, x.i[1], x.i[0]->mac, 7, 100);
    fx_clear(&x);

    g_autofree char *path = g_build_filename(dir, "demo-wire.pcap", NULL);
    g_autofree char *path2 = g_build_filename(dir, "demo-bare.pcap", NULL);
    g_assert_true(g_file_test(path2, G_FILE_TEST_EXISTS));
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *pd = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    g_assert_nonnull(pd);
    g_assert_cmpint(pcap_datalink(pd), ==, DLT_EN10MB);
    const struct { sim_time_t t; uint32_t seq, len; } want[] = {
        { 0, 0, 1500 }, { 5 * SIM_MS, 7, 100 }, { 12 * SIM_MS, 1, 1500 }, { 24 * SIM_MS, 2, 1500 },
    };
    struct pcap_pkthdr *h;
    const u_char *d;
    for (guint k = 0; k < G_N_ELEMENTS(want); k++) {
        g_assert_cmpint(pcap_next_ex(pd, &h, &d), ==, 1);
        g_assert_cmpuint((sim_time_t)h->ts.tv_sec * SIM_SEC + h->ts.tv_usec, ==, want[k].t);
        g_assert_cmpuint(h->caplen, ==, want[k].len);
        g_assert_cmpuint(d[17], ==, want[k].seq);
        g_assert_cmpuint((d[12] << 8 | d[13]), ==, TEST_ETHERTYPE);
        for (uint32_t b = 18; b < h->caplen; b++)
            g_assert_cmpuint(d[b], ==, (uint8_t)(want[k].seq + b));
    }
    g_assert_cmpint(pcap_next_ex(pd, &h, &d), ==, PCAP_ERROR_BREAK);
    pcap_close(pd);
    remove_dir(dir);
}

static void test_pcap_no_prefix_and_error(void)
{
    char *dir = g_dir_make_tmp("natsim-link-XXXXXX", NULL);
    sim_world_opts o = { .seed = 1, .pcap_dir = dir };
    fx x;
    fx_init(&x, &o, NULL, 2);
    fx_clear(&x);
    g_autofree char *path = g_build_filename(dir, "wire.pcap", NULL);
    g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));
    remove_dir(dir);

    sim_world_opts bad = { .seed = 1, .pcap_dir = "/nonexistent-natsim-dir" };
    sim_world *w = sim_world_new(&bad, NULL);
    GError *err = NULL;
    g_assert_null(sim_link_new(w, "wan", SIM_LINK_P2P, NULL, &err));
    g_assert_error(err, SIM_ERROR, SIM_ERROR_IO);
    g_assert_nonnull(strstr(err->message, "/nonexistent-natsim-dir/wan.pcap"));
    g_clear_error(&err);
    g_assert_null(sim_world_link(w, "wan"));
    sim_world_free(w);
}

/* A busy little LAN with every fault on, captured and logged with frame records. */
static void faulty_run(const char *dir, uint64_t seed)
{
    g_autofree char *log = g_build_filename(dir, "log.jsonl", NULL);
    sim_world_opts o = { .seed = seed, .pcap_dir = dir, .pcap_prefix = "run",
                         .log_path = log, .log_frames = true };
    sim_link_props p;
    sim_link_props_default(&p);
    p.bandwidth = 10000000;
    p.queue_bytes = 6000;
    p.loss = 0.1;
    p.jitter = 2 * SIM_MS;
    p.reorder = 0.05;
    p.duplicate = 0.05;
    fx x;
    fx_init(&x, &o, &p, 4);
    for (uint32_t k = 0; k < 400; k++) {
        sim_world_run(x.w, k * 300 * SIM_US);
        sim_iface *from = x.i[k % 4];
        const uint8_t *dst = k % 5 == 0 ? bcast : x.i[(k + 1) % 4]->mac;
        send_frame(&x, from, dst, k, 64 + (k * 37) % 1400);
        if (k == 200)
            sim_link_set_up(x.l, false);
        if (k == 220)
            sim_link_set_up(x.l, true);
    }
    fx_clear(&x);
}

static void test_deterministic(void)
{
    char *d1 = g_dir_make_tmp("natsim-link-XXXXXX", NULL);
    char *d2 = g_dir_make_tmp("natsim-link-XXXXXX", NULL);
    faulty_run(d1, 7);
    faulty_run(d2, 7);
    const char *files[] = { "run-wire.pcap", "log.jsonl" };
    for (guint k = 0; k < G_N_ELEMENTS(files); k++) {
        g_autofree char *p1 = g_build_filename(d1, files[k], NULL);
        g_autofree char *p2 = g_build_filename(d2, files[k], NULL);
        gsize n1, n2;
        g_autofree char *a = read_all(p1, &n1);
        g_autofree char *b = read_all(p2, &n2);
        g_assert_cmpuint(n1, >, 1000);
        g_assert_cmpmem(a, n1, b, n2);
        if (k == 1) {
            g_assert_nonnull(strstr(a, "\"kind\":\"frame.tx\",\"link\":\"wire\""));
            g_assert_nonnull(strstr(a, "\"kind\":\"frame.rx\",\"link\":\"wire\""));
            g_assert_nonnull(strstr(a, "\"reason\":\"loss\""));
        }
    }
    /* Another seed loses other frames: the logs differ. */
    char *d3 = g_dir_make_tmp("natsim-link-XXXXXX", NULL);
    faulty_run(d3, 8);
    g_autofree char *p1 = g_build_filename(d1, "log.jsonl", NULL);
    g_autofree char *p3 = g_build_filename(d3, "log.jsonl", NULL);
    gsize n1, n3;
    g_autofree char *a = read_all(p1, &n1);
    g_autofree char *c = read_all(p3, &n3);
    g_assert_false(n1 == n3 && !memcmp(a, c, n1));
    remove_dir(d1);
    remove_dir(d2);
    remove_dir(d3);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/link/p2p/delay", test_delay);
    g_test_add_func("/link/p2p/bandwidth", test_bandwidth);
    g_test_add_func("/link/p2p/queue-drop-tail", test_queue_drop_tail);
    g_test_add_func("/link/p2p/loss", test_loss);
    g_test_add_func("/link/p2p/jitter-keeps-order", test_jitter_keeps_order);
    g_test_add_func("/link/p2p/reorder", test_reorder);
    g_test_add_func("/link/p2p/duplicate", test_duplicate);
    g_test_add_func("/link/p2p/down-up", test_down_up);
    g_test_add_func("/link/props/check", test_props_check);
    g_test_add_func("/link/lan/broadcast-unicast", test_lan_delivery);
    g_test_add_func("/link/lan/loss-counted-once", test_lan_loss_counted_once);
    g_test_add_func("/link/pcap/capture-order", test_pcap_capture);
    g_test_add_func("/link/pcap/naming-and-error", test_pcap_no_prefix_and_error);
    g_test_add_func("/link/deterministic", test_deterministic);
    return g_test_run();
}
