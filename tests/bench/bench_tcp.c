/* bench_tcp — bulk TCP throughput of the simulated stack (a benchmark, not a test: it prints
 * figures and never fails on time). Usage: bench_tcp [flows] [bytes per flow]
 *
 * Two hosts on one point-to-point link (1 Gbit/s per direction, 5 ms, a queue large enough
 * for every flow's window, no faults). `flows` connections from A to a listener on B each
 * send `bytes` of data through the socket API (refilled on `writable`), B reads on `readable`.
 * The figure is application bytes delivered per wall second ("simulated bytes per wall
 * second"; also per CPU second, steadier on a shared machine), with the simulated time the
 * transfer took and the frames sent. Defaults: one
 * flow of 100 MB; `bench_tcp 1000 1000000` is the 1,000-flow case. */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "sim/link.h"
#include "sim/node.h"
#include "sim/socket.h"
#include "sim/world.h"
#include "bench_util.h"

typedef struct flow {
    struct bench *b;
    sim_sock *s;
    uint64_t left;       /* bytes still to send (sender) */
} flow;

typedef struct bench {
    uint64_t received, expected;
    unsigned flows_done;
    GPtrArray *accepted;
    sim_world *w;
} bench;

static uint8_t chunk[65536];

static void pump(sim_sock *s, void *ctx)
{
    flow *f = ctx;
    while (f->left) {
        ssize_t r = sim_tcp_send(s, chunk, f->left < sizeof chunk ? f->left : sizeof chunk);
        if (r <= 0)
            return;
        f->left -= (uint64_t)r;
    }
    sim_tcp_shutdown(s);
}

static void on_connected(sim_sock *s, int err, void *ctx)
{
    if (err) {
        fprintf(stderr, "connect failed: %d\n", err);
        exit(1);
    }
    pump(s, ctx);
}

static void on_readable(sim_sock *s, void *ctx)
{
    bench *b = ctx;
    uint8_t buf[65536];
    ssize_t r;
    while ((r = sim_tcp_recv(s, buf, sizeof buf)) > 0)
        b->received += (uint64_t)r;
    if (r == 0 && ++b->flows_done == b->accepted->len && b->received == b->expected)
        sim_world_stop(b->w);
}

static void on_accept(sim_sock *l, void *ctx)
{
    bench *b = ctx;
    sim_sock *s;
    while ((s = sim_tcp_accept(l))) {
        g_ptr_array_add(b->accepted, s);
        on_readable(s, b);
    }
}

static long rss_kib(void)
{
    char *s = NULL;
    long kib = -1;
    if (g_file_get_contents("/proc/self/status", &s, NULL, NULL)) {
        const char *p = strstr(s, "VmHWM:");
        if (p)
            kib = strtol(p + 6, NULL, 10);
    }
    g_free(s);
    return kib;
}

int main(int argc, char **argv)
{
    unsigned nflows = argc > 1 ? (unsigned)atoi(argv[1]) : 1;
    uint64_t bytes = argc > 2 ? strtoull(argv[2], NULL, 10) : 100000000ull;
    sim_world_opts o = { .seed = 1 };
    bench b = { .accepted = g_ptr_array_new(), .expected = bytes * nflows };
    b.w = sim_world_new(&o, NULL);
    sim_link_props p;
    sim_link_props_default(&p);
    p.delay = 5 * SIM_MS;
    p.bandwidth = 1000000000ull;
    p.queue_bytes = 70000u * (nflows + 1);
    sim_link *l = bench_link(b.w, "ab", SIM_LINK_P2P, &p);
    sim_node *a = bench_node(b.w, "a", SIM_NODE_HOST);
    sim_node *bn = bench_node(b.w, "b", SIM_NODE_HOST);
    bench_attach(a, l, 0x0A000001u, 24);  /* 10.0.0.1/24 */
    bench_attach(bn, l, 0x0A000002u, 24); /* 10.0.0.2/24 */

    sim_sock *lst = sim_tcp_open(bn, SIM_AF_INET);
    sim_ep lep;
    sim_ep_parse("0.0.0.0:5001", &lep);
    sim_sock_bind(lst, &lep);
    sim_tcp_listen(lst, 4096);
    sim_tcp_cbs lcb = { .acceptable = on_accept, .readable = on_readable, .ctx = &b };
    sim_tcp_set_callbacks(lst, &lcb);

    flow *fl = g_new0(flow, nflows);
    sim_ep to;
    sim_ep_parse("10.0.0.2:5001", &to);
    for (unsigned k = 0; k < nflows; k++) {
        fl[k].b = &b;
        fl[k].left = bytes;
        fl[k].s = sim_tcp_open(a, SIM_AF_INET);
        sim_tcp_cbs cb = { .connected = on_connected, .writable = pump, .ctx = &fl[k] };
        sim_tcp_set_callbacks(fl[k].s, &cb);
        if (sim_tcp_connect(fl[k].s, &to) < 0) {
            fprintf(stderr, "connect %u failed\n", k);
            return 1;
        }
    }
    gint64 t0 = g_get_monotonic_time();
    clock_t c0 = clock();
    uint64_t events = sim_world_run(b.w, 3600 * SIM_SEC);
    double secs = (g_get_monotonic_time() - t0) / 1e6;
    double cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    double sim_s = sim_time_sec(sim_world_now(b.w));
    const sim_link_stats *st = sim_link_stats_get(l);
    printf("tcp: %u flow%s x %llu bytes: %llu of %llu bytes delivered in %.3f simulated s, "
           "%llu frames, %llu events, in %.3f wall s (%.3f CPU s) = %.1f MB/s simulated bytes "
           "per wall s (%.1f MB per CPU s; %.2f x real time), peak RSS %ld KiB\n",
           nflows, nflows == 1 ? "" : "s", (unsigned long long)bytes,
           (unsigned long long)b.received, (unsigned long long)b.expected, sim_s,
           (unsigned long long)st->tx_frames, (unsigned long long)events, secs, cpu,
           b.received / secs / 1e6, b.received / cpu / 1e6, sim_s / secs, rss_kib());
    g_free(fl);
    g_ptr_array_unref(b.accepted);
    sim_world_free(b.w);
    return b.received == b.expected ? 0 : 1;
}
