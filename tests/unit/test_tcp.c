/* tests/unit/test_tcp.c — the TCP segment codec (sim/stack/tcp_seg.c): round trips over IPv4
 * and IPv6 with the pseudo-header checksum, options, malformed segments, the RST for a segment
 * without a connection, and a seeded mutation loop; then a few connection-core cases driven
 * by hand (segments handed straight from one core to the other). The core over a lossy
 * network is tested in test_tcp_conn.c. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "sim/stack/net.h"
#include "sim/stack/tcp.h"

static sim_ip ip(const char *s)
{
    sim_ip a;
    g_assert_cmpint(sim_ip_parse(s, &a), ==, 0);
    return a;
}

static const uint8_t hello[] = "GET / HTTP/1.0\r\n\r\n";

static tcp_seg sample_syn(void)
{
    return (tcp_seg){ .sport = 1211, .dport = 80, .seq = 0x01020304, .ack = 0,
                      .flags = TCP_SYN, .wnd = 65535, .mss = 1460, .sack_ok = true,
                      .has_wscale = true, .wscale = 7 };
}

static tcp_seg sample_data(void)
{
    return (tcp_seg){ .sport = 21199, .dport = 62000, .seq = 0xFFFFFFF0, .ack = 12345,
                      .flags = TCP_ACK | TCP_PSH, .wnd = 4096, .data = hello,
                      .len = sizeof hello - 1 };
}

/* An independent RFC 1071 sum over pseudo-header and segment: must fold to 0. */
static uint16_t check_sum(const sim_ip *s, const sim_ip *d, const uint8_t *b, size_t len)
{
    uint32_t sum = 0;
    size_t alen = s->family == SIM_AF_INET ? 4 : 16;
    for (size_t k = 0; k < alen; k += 2) {
        sum += (uint32_t)(s->b[k] << 8 | s->b[k + 1]);
        sum += (uint32_t)(d->b[k] << 8 | d->b[k + 1]);
    }
    sum += NET_PROTO_TCP + (uint32_t)len;
    for (size_t k = 0; k < len; k += 2)
        sum += (uint32_t)(b[k] << 8 | (k + 1 < len ? b[k + 1] : 0));
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}

static void assert_same(const tcp_seg *a, const tcp_seg *b)
{
    g_assert_cmpuint(a->sport, ==, b->sport);
    g_assert_cmpuint(a->dport, ==, b->dport);
    g_assert_cmpuint(a->seq, ==, b->seq);
    g_assert_cmpuint(a->ack, ==, b->ack);
    g_assert_cmphex(a->flags, ==, b->flags);
    g_assert_cmpuint(a->wnd, ==, b->wnd);
    g_assert_cmpuint(a->urp, ==, b->urp);
    g_assert_cmpuint(a->mss, ==, b->mss);
    g_assert_cmpint(a->has_wscale, ==, b->has_wscale);
    if (a->has_wscale)
        g_assert_cmpuint(a->wscale, ==, b->wscale);
    g_assert_cmpint(a->sack_ok, ==, b->sack_ok);
    g_assert_cmpmem(a->data, a->len, b->data, b->len);
}

static void roundtrip(const tcp_seg *in, const char *src, const char *dst, size_t want_hlen)
{
    sim_ip s = ip(src), d = ip(dst);
    uint8_t buf[256];
    size_t len;
    g_assert_cmpint(tcp_seg_encode(in, &s, &d, buf, sizeof buf, &len), ==, 0);
    g_assert_cmpuint(len, ==, want_hlen + in->len);
    g_assert_cmpuint(buf[12] >> 4, ==, want_hlen / 4);
    g_assert_cmpuint(check_sum(&s, &d, buf, len), ==, 0);
    tcp_seg out;
    g_assert_cmpint(tcp_seg_decode(buf, len, &s, &d, &out), ==, 0);
    g_assert_cmpuint(out.hlen, ==, want_hlen);
    assert_same(in, &out);
    uint8_t again[256];
    size_t len2;
    g_assert_cmpint(tcp_seg_encode(&out, &s, &d, again, sizeof again, &len2), ==, 0);
    g_assert_cmpmem(again, len2, buf, len);
    /* the same bytes under other addresses fail the pseudo-header checksum */
    sim_ip other = s;
    other.b[3] ^= 1;
    g_assert_cmpint(tcp_seg_decode(buf, len, &other, &d, &out), ==, -EBADMSG);
}

static void test_roundtrip4(void)
{
    tcp_seg syn = sample_syn(), data = sample_data();
    roundtrip(&syn, "192.168.60.153", "18.181.0.31", 32);
    roundtrip(&data, "68.36.210.57", "155.99.25.11", 20);
}

static void test_roundtrip6(void)
{
    tcp_seg syn = sample_syn(), data = sample_data();
    data.len = sizeof hello - 2; /* odd length: the checksum pads with a zero byte */
    roundtrip(&syn, "2001:db8::1", "2001:db8:1::53", 32);
    roundtrip(&data, "fe80::1", "2001:db8::2", 20);
}

/* A hand-built SYN (as Linux sends it) with timestamps, which we skip. */
static void test_decode_foreign_options(void)
{
    uint8_t b[40] = {
        0x04, 0xbb, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0xa0, TCP_SYN, 0xfa, 0xf0, 0, 0, 0, 0,
        2, 4, 0x05, 0xb4,           /* MSS 1460 */
        4, 2,                       /* SACK-permitted */
        8, 10, 1, 2, 3, 4, 0, 0, 0, 0, /* timestamps: skipped */
        1,                          /* NOP */
        3, 3, 7,                    /* window scale 7 */
    };
    tcp_seg s;
    g_assert_cmpint(tcp_seg_decode(b, sizeof b, NULL, NULL, &s), ==, 0);
    g_assert_cmpuint(s.sport, ==, 1211);
    g_assert_cmpuint(s.hlen, ==, 40);
    g_assert_cmpuint(s.mss, ==, 1460);
    g_assert_true(s.sack_ok);
    g_assert_true(s.has_wscale);
    g_assert_cmpuint(s.wscale, ==, 7);
    g_assert_cmpuint(s.wnd, ==, 64240);
    g_assert_cmpuint(s.len, ==, 0);
    /* EOL ends the list: what follows is padding, even if it looks like an option */
    b[20] = TCP_OPT_EOL;
    b[21] = 0xff;
    g_assert_cmpint(tcp_seg_decode(b, sizeof b, NULL, NULL, &s), ==, 0);
    g_assert_cmpuint(s.mss, ==, 0);
    g_assert_false(s.sack_ok);
    /* an unknown option is skipped by its length */
    b[20] = 99;
    b[21] = 4;
    g_assert_cmpint(tcp_seg_decode(b, sizeof b, NULL, NULL, &s), ==, 0);
    g_assert_cmpuint(s.mss, ==, 0);
    g_assert_true(s.sack_ok);
}

static void test_malformed(void)
{
    sim_ip s = ip("10.0.0.1"), d = ip("10.0.0.2");
    tcp_seg syn = sample_syn(), out;
    uint8_t buf[128], bad[128];
    size_t len;
    g_assert_cmpint(tcp_seg_encode(&syn, &s, &d, buf, sizeof buf, &len), ==, 0);
    g_assert_cmpint(tcp_seg_decode(buf, len, &s, &d, &out), ==, 0);

    for (size_t k = 0; k < TCP_HLEN; k++) /* short header */
        g_assert_cmpint(tcp_seg_decode(buf, k, NULL, NULL, &out), ==, -EBADMSG);
    memcpy(bad, buf, len);
    bad[12] = 4 << 4; /* data offset < 5 */
    g_assert_cmpint(tcp_seg_decode(bad, len, NULL, NULL, &out), ==, -EBADMSG);
    bad[12] = 15 << 4; /* 60 bytes of header in a 32-byte segment */
    g_assert_cmpint(tcp_seg_decode(bad, len, NULL, NULL, &out), ==, -EBADMSG);
    memcpy(bad, buf, len);
    bad[21] = 40; /* MSS option length overruns the header */
    g_assert_cmpint(tcp_seg_decode(bad, len, NULL, NULL, &out), ==, -EBADMSG);
    bad[21] = 1; /* shorter than kind + length */
    g_assert_cmpint(tcp_seg_decode(bad, len, NULL, NULL, &out), ==, -EBADMSG);
    bad[21] = 3; /* MSS must be 4 */
    g_assert_cmpint(tcp_seg_decode(bad, len, NULL, NULL, &out), ==, -EBADMSG);
    memcpy(bad, buf, len);
    bad[31] = 2; /* last byte (the window scale shift) becomes a kind without its length */
    bad[30] = 1;
    bad[29] = 1;
    bad[28] = 1;
    g_assert_cmpint(tcp_seg_decode(bad, len, NULL, NULL, &out), ==, -EBADMSG);
    memcpy(bad, buf, len);
    bad[4] ^= 0x10; /* one flipped bit: wrong checksum */
    g_assert_cmpint(tcp_seg_decode(bad, len, &s, &d, &out), ==, -EBADMSG);
    g_assert_cmpint(tcp_seg_decode(bad, len, NULL, NULL, &out), ==, 0);
    sim_ip six = ip("::1");
    g_assert_cmpint(tcp_seg_decode(buf, len, &s, &six, &out), ==, -EBADMSG);

    /* encoder refusals */
    g_assert_cmpint(tcp_seg_encode(&syn, &s, &d, buf, 31, &len), ==, -ENOSPC);
    syn.wscale = 15;
    g_assert_cmpint(tcp_seg_encode(&syn, &s, &d, buf, sizeof buf, &len), ==, -EINVAL);
}

static void test_reset_for(void)
{
    tcp_seg syn = { .sport = 1000, .dport = 2000, .seq = 100, .flags = TCP_SYN }, rst;
    g_assert_true(tcp_seg_reset_for(&syn, &rst));
    g_assert_cmphex(rst.flags, ==, TCP_RST | TCP_ACK);
    g_assert_cmpuint(rst.seq, ==, 0);
    g_assert_cmpuint(rst.ack, ==, 101);
    g_assert_cmpuint(rst.sport, ==, 2000);
    g_assert_cmpuint(rst.dport, ==, 1000);
    tcp_seg data = { .seq = 5, .ack = 77, .flags = TCP_ACK | TCP_FIN, .data = hello, .len = 4 };
    g_assert_true(tcp_seg_reset_for(&data, &rst));
    g_assert_cmphex(rst.flags, ==, TCP_RST);
    g_assert_cmpuint(rst.seq, ==, 77);
    data.flags = TCP_FIN;
    g_assert_true(tcp_seg_reset_for(&data, &rst));
    g_assert_cmpuint(rst.ack, ==, 10);
    data.flags = TCP_RST;
    g_assert_false(tcp_seg_reset_for(&data, &rst));
}

static void test_fmt(void)
{
    tcp_seg syn = sample_syn();
    syn.flags |= TCP_ACK;
    GString *s = g_string_new(NULL);
    tcp_seg_fmt(&syn, s);
    g_assert_cmpstr(s->str, ==,
                    "1211 > 80 [SYN,ACK] seq=16909060 ack=0 win=65535 len=0 mss=1460 "
                    "sack_perm ws=7");
    g_string_free(s, TRUE);
}

/* Mutants of encoded segments: decoding never crashes or reads out of bounds (run under ASan
 * by the sanitizer build), and whatever decodes re-encodes to a segment that decodes to the
 * same fields; canonical ones re-encode to the same bytes. */
static void test_mutations(void)
{
    sim_rng r;
    sim_rng_seed(&r, 4242);
    tcp_seg seeds[2] = { sample_syn(), sample_data() };
    unsigned decoded = 0, identical = 0;
    for (unsigned iter = 0; iter < 200000; iter++) {
        uint8_t buf[128], mut[128];
        size_t len;
        g_assert_cmpint(tcp_seg_encode(&seeds[iter & 1], NULL, NULL, buf, sizeof buf, &len),
                        ==, 0);
        memcpy(mut, buf, len);
        size_t mlen = len;
        unsigned edits = 1 + sim_rng_below(&r, 3);
        for (unsigned e = 0; e < edits; e++) {
            switch (sim_rng_below(&r, 3)) {
            case 0:
                mut[sim_rng_below(&r, (uint32_t)mlen)] ^= (uint8_t)(1u << sim_rng_below(&r, 8));
                break;
            case 1: mut[sim_rng_below(&r, (uint32_t)mlen)] = (uint8_t)sim_rng_u64(&r); break;
            default: mlen = sim_rng_below(&r, (uint32_t)mlen + 1); break;
            }
            if (!mlen)
                break;
        }
        /* a heap copy of exactly mlen bytes, so ASan sees any read past the end */
        uint8_t *exact = g_memdup2(mut, mlen ? mlen : 1);
        tcp_seg s;
        if (tcp_seg_decode(exact, mlen, NULL, NULL, &s) == 0) {
            decoded++;
            if (s.has_wscale && s.wscale > 14) { /* RFC 7323 2.3: recorded, never sent */
                g_free(exact);
                continue;
            }
            uint8_t again[128];
            size_t alen;
            g_assert_cmpint(tcp_seg_encode(&s, NULL, NULL, again, sizeof again, &alen), ==, 0);
            tcp_seg s2;
            g_assert_cmpint(tcp_seg_decode(again, alen, NULL, NULL, &s2), ==, 0);
            assert_same(&s, &s2);
            /* canonical = same length and reserved bits clear: then the bytes match too
             * (the checksum field aside, which we left 0 both times) */
            if (alen == mlen && (exact[12] & 0x0F) == 0 && exact[16] == 0 && exact[17] == 0 &&
                memcmp(again, exact, mlen) == 0)
                identical++;
        }
        g_free(exact);
    }
    g_test_message("%u of 200000 mutants decoded, %u byte-identical", decoded, identical);
    g_assert_cmpuint(decoded, >, 1000);
    g_assert_cmpuint(identical, >, 100);
}

/* ---------------------------------------------------------------- the core, by hand */

typedef struct pair {
    sim_rng rng;
    tcp_conn *x, *y;    /* x opened actively, y passively */
    uint32_t x_iss, y_iss;
} pair;

/* Moves every segment one core wants to send into the other. Returns how many moved. */
static unsigned pump(tcp_conn *from, tcp_conn *to)
{
    uint8_t buf[1600];
    tcp_seg s;
    unsigned n = 0;
    while (tcp_conn_pop(from, 0, &s, buf, sizeof buf)) {
        tcp_conn_input(to, 0, &s);
        n++;
    }
    return n;
}

static void pair_open(pair *p, bool handshake)
{
    sim_ep a, b;
    sim_ep_parse("10.0.0.1:1000", &a);
    sim_ep_parse("10.0.0.2:2000", &b);
    sim_rng_seed(&p->rng, 99);
    p->x = tcp_conn_new(&a, &b, NULL, &p->rng);
    p->y = tcp_conn_new(&b, &a, NULL, &p->rng);
    tcp_conn_open_passive(p->y, 0);
    tcp_conn_open_active(p->x, 0);
    if (!handshake)
        return;
    uint8_t buf[64];
    tcp_seg syn, synack;
    g_assert_true(tcp_conn_pop(p->x, 0, &syn, buf, sizeof buf));
    tcp_conn_input(p->y, 0, &syn);
    g_assert_true(tcp_conn_pop(p->y, 0, &synack, buf, sizeof buf));
    tcp_conn_input(p->x, 0, &synack);
    pump(p->x, p->y);
    p->x_iss = syn.seq;
    p->y_iss = synack.seq;
    g_assert_cmpint(tcp_conn_state(p->x), ==, TCP_ESTABLISHED);
    g_assert_cmpint(tcp_conn_state(p->y), ==, TCP_ESTABLISHED);
}

static void pair_free(pair *p)
{
    tcp_conn_free(p->x);
    tcp_conn_free(p->y);
}

/* A data segment from x to y at offset off of x's data (bytes = 'a' + offset % 26). */
static void inject(pair *p, uint32_t off, uint32_t len)
{
    static uint8_t bytes[2000];
    for (uint32_t k = 0; k < len; k++)
        bytes[k] = (uint8_t)('a' + (off + k) % 26);
    tcp_seg s = { .sport = 1000, .dport = 2000, .seq = p->x_iss + 1 + off, .ack = p->y_iss + 1,
                  .flags = TCP_ACK, .wnd = 65535, .data = bytes, .len = len };
    g_assert_cmpint(tcp_conn_input(p->y, 0, &s), ==, 0);
}

/* The ACK number y sends next. */
static uint32_t y_ack(pair *p)
{
    uint8_t buf[64];
    tcp_seg s;
    uint32_t ack = 0;
    while (tcp_conn_pop(p->y, 0, &s, buf, sizeof buf))
        ack = s.ack - (p->x_iss + 1);
    return ack;
}

static void test_reassembly(void)
{
    pair p;
    pair_open(&p, true);
    inject(&p, 10, 10);
    g_assert_cmpuint(tcp_conn_readable(p.y), ==, 0);
    g_assert_cmpuint(y_ack(&p), ==, 0); /* a duplicate ACK for the hole */
    inject(&p, 0, 10);
    g_assert_cmpuint(tcp_conn_readable(p.y), ==, 20);
    g_assert_cmpuint(y_ack(&p), ==, 20);
    inject(&p, 5, 10); /* an old duplicate changes nothing */
    g_assert_cmpuint(tcp_conn_readable(p.y), ==, 20);
    /* nine holes: eight out-of-order ranges are kept, the ninth segment is dropped */
    for (uint32_t k = 1; k <= 9; k++)
        inject(&p, k * 100, 10);
    for (uint32_t k = 0; k < 9; k++)
        inject(&p, k * 100 + (k ? 10 : 20), 100 - (k ? 10 : 20));
    g_assert_cmpuint(y_ack(&p), ==, 900);
    g_assert_cmpuint(tcp_conn_readable(p.y), ==, 900);
    inject(&p, 900, 10);
    g_assert_cmpuint(y_ack(&p), ==, 910);
    char got[910];
    g_assert_cmpint(tcp_conn_recv(p.y, got, sizeof got), ==, 910);
    for (uint32_t k = 0; k < 910; k++)
        g_assert_cmpint(got[k], ==, 'a' + k % 26);
    g_assert_cmpint(tcp_conn_recv(p.y, got, sizeof got), ==, -EAGAIN);
    pair_free(&p);
}

static void test_send_before_established(void)
{
    pair p;
    pair_open(&p, false);
    g_assert_cmpint(tcp_conn_send(p.x, "early", 5), ==, 5);
    g_assert_cmpint(tcp_conn_shutdown(p.x), ==, 0);
    g_assert_cmpint(tcp_conn_state(p.x), ==, TCP_SYN_SENT);
    uint8_t buf[64];
    tcp_seg syn;
    g_assert_true(tcp_conn_pop(p.x, 0, &syn, buf, sizeof buf));
    g_assert_cmpuint(syn.len, ==, 0); /* data waits for the handshake */
    g_assert_false(tcp_conn_pop(p.x, 0, &syn, buf, sizeof buf));
    tcp_conn_input(p.y, 0, &syn);
    while (pump(p.y, p.x) + pump(p.x, p.y))
        ;
    g_assert_cmpint(tcp_conn_state(p.x), ==, TCP_FIN_WAIT_2);
    g_assert_cmpint(tcp_conn_state(p.y), ==, TCP_CLOSE_WAIT);
    char got[8];
    g_assert_cmpint(tcp_conn_recv(p.y, got, sizeof got), ==, 5);
    g_assert_cmpmem(got, 5, "early", 5);
    g_assert_cmpint(tcp_conn_recv(p.y, got, sizeof got), ==, 0);
    g_assert_cmpuint(tcp_conn_events(p.x) & TCP_EV_CONNECTED, !=, 0);
    pair_free(&p);
}

static void test_api_misuse(void)
{
    pair p;
    pair_open(&p, false);
    tcp_conn_abort(p.x);
    sim_ep a;
    sim_ep_parse("10.0.0.1:1", &a);
    tcp_conn *c = tcp_conn_new(&a, &a, NULL, &p.rng);
    char b;
    g_assert_cmpint(tcp_conn_send(c, "x", 1), ==, -ENOTCONN);
    g_assert_cmpint(tcp_conn_recv(c, &b, 1), ==, -ENOTCONN);
    g_assert_cmpint(tcp_conn_shutdown(c), ==, -ENOTCONN);
    tcp_seg s = { .flags = TCP_SYN };
    g_assert_cmpint(tcp_conn_input(c, 0, &s), ==, -ENOTCONN);
    g_assert_cmpuint(tcp_conn_next_deadline(c), ==, SIM_TIME_NEVER);
    g_assert_cmpstr(tcp_state_name(tcp_conn_state(p.y)), ==, "LISTEN");
    tcp_conn_free(c);
    tcp_conn_free(NULL);
    pair_free(&p);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tcp/seg/roundtrip-ipv4", test_roundtrip4);
    g_test_add_func("/tcp/seg/roundtrip-ipv6", test_roundtrip6);
    g_test_add_func("/tcp/seg/foreign-options", test_decode_foreign_options);
    g_test_add_func("/tcp/seg/malformed", test_malformed);
    g_test_add_func("/tcp/seg/reset-for", test_reset_for);
    g_test_add_func("/tcp/seg/fmt", test_fmt);
    g_test_add_func("/tcp/seg/mutations", test_mutations);
    g_test_add_func("/tcp/core/reassembly-bounded", test_reassembly);
    g_test_add_func("/tcp/core/send-before-established", test_send_before_established);
    g_test_add_func("/tcp/core/api-misuse", test_api_misuse);
    return g_test_run();
}
