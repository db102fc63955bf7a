/* fuzz_tcp_seg — arbitrary bytes as a TCP segment: the codec must refuse or accept without
 * crashing, whatever it accepts (window scale <= 14) must re-encode to a segment that decodes
 * to the same fields, and the connection core must survive the segment in LISTEN, SYN-SENT and
 * ESTABLISHED, also with its sequence numbers moved into the receive window. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "sim/stack/tcp.h"

static void check_roundtrip(const tcp_seg *s)
{
    if (s->has_wscale && s->wscale > 14)
        return; /* recorded from the wire, never sent (RFC 7323 2.3) */
    static uint8_t again[0x10000 + TCP_HLEN_MAX];
    size_t len;
    tcp_seg s2;
    if (tcp_seg_encode(s, NULL, NULL, again, sizeof again, &len) != 0 ||
        tcp_seg_decode(again, len, NULL, NULL, &s2) != 0)
        abort();
    if (s2.sport != s->sport || s2.dport != s->dport || s2.seq != s->seq || s2.ack != s->ack ||
        s2.flags != s->flags || s2.wnd != s->wnd || s2.urp != s->urp || s2.mss != s->mss ||
        s2.sack_ok != s->sack_ok || s2.has_wscale != s->has_wscale || s2.len != s->len ||
        memcmp(s2.data, s->data, s->len) != 0)
        abort();
}

static void drain(tcp_conn *c, tcp_conn *peer)
{
    uint8_t buf[1600];
    tcp_seg s;
    while (tcp_conn_pop(c, 0, &s, buf, sizeof buf))
        if (peer)
            tcp_conn_input(peer, 0, &s);
}

/* Feeds seg to a core in `state`-reaching setup, then runs its timers. */
static void feed(tcp_conn *c, const tcp_seg *seg)
{
    tcp_conn_input(c, 0, seg);
    drain(c, NULL);
    tcp_conn_timeout(c, tcp_conn_next_deadline(c));
    drain(c, NULL);
    char b[64];
    (void)tcp_conn_recv(c, b, sizeof b);
    tcp_conn_events(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tcp_seg s;
    if (tcp_seg_decode(data, size, NULL, NULL, &s) != 0)
        return 0;
    check_roundtrip(&s);
    GString *str = g_string_new(NULL);
    tcp_seg_fmt(&s, str);
    g_string_free(str, TRUE);
    sim_ip a, b;
    sim_ip_parse("10.0.0.1", &a);
    sim_ip_parse("10.0.0.2", &b);
    tcp_seg ignored;
    (void)tcp_seg_decode(data, size, &a, &b, &ignored);

    sim_rng rng;
    sim_rng_seed(&rng, 1);
    sim_ep ea = { a, s.dport }, eb = { b, s.sport };
    tcp_cfg cfg = { .rcvbuf = 4096, .sndbuf = 4096, .mss = 536 };
    tcp_conn *listen = tcp_conn_new(&ea, &eb, &cfg, &rng);
    tcp_conn_open_passive(listen, 0);
    feed(listen, &s);
    tcp_conn *act = tcp_conn_new(&ea, &eb, &cfg, &rng);
    tcp_conn_open_active(act, 0);
    drain(act, NULL);
    feed(act, &s);

    /* an established pair, then the segment as is and moved into its window */
    tcp_conn *x = tcp_conn_new(&ea, &eb, &cfg, &rng), *y = tcp_conn_new(&eb, &ea, &cfg, &rng);
    tcp_conn_open_passive(y, 0);
    tcp_conn_open_active(x, 0);
    uint8_t buf[1600];
    tcp_seg syn, synack;
    if (tcp_conn_pop(x, 0, &syn, buf, sizeof buf)) {
        tcp_conn_input(y, 0, &syn);
        if (tcp_conn_pop(y, 0, &synack, buf, sizeof buf)) {
            tcp_conn_input(x, 0, &synack);
            drain(x, y);
            tcp_conn_send(x, "0123456789", 10);
            drain(x, NULL);
            feed(x, &s);
            tcp_seg moved = s;
            moved.seq = synack.seq + 1 + s.seq % 6000;
            moved.ack = syn.seq + 1 + s.ack % 16;
            feed(x, &moved);
            tcp_conn_shutdown(x);
            feed(x, &moved);
        }
    }
    tcp_conn_free(listen);
    tcp_conn_free(act);
    tcp_conn_free(x);
    tcp_conn_free(y);
    return 0;
}
