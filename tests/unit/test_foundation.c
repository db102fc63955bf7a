/* Unit tests for rng, cursor, addresses, packet pool and checksums. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "sim/addr.h"
#include "sim/cursor.h"
#include "sim/pkt.h"
#include "sim/rng.h"
#include "sim/stack/net.h"

static void test_rng_streams(void)
{
    sim_rng a, b, c;
    sim_rng_derive(&a, 1, "A");
    sim_rng_derive(&b, 1, "A");
    sim_rng_derive(&c, 1, "B");
    int same = 0;
    for (int i = 0; i < 100; i++) {
        uint64_t x = sim_rng_u64(&a), y = sim_rng_u64(&b), z = sim_rng_u64(&c);
        g_assert_cmpuint(x, ==, y);
        same += x == z;
    }
    g_assert_cmpint(same, ==, 0);
    sim_rng_derive(&c, 2, "A"); /* another seed, another stream */
    sim_rng_derive(&a, 1, "A");
    g_assert_cmpuint(sim_rng_u64(&a), !=, sim_rng_u64(&c));
}

static void test_rng_ranges(void)
{
    sim_rng r;
    sim_rng_seed(&r, 7);
    unsigned hist[10] = { 0 };
    for (int i = 0; i < 100000; i++) {
        uint32_t v = sim_rng_below(&r, 10);
        g_assert_cmpuint(v, <, 10);
        hist[v]++;
        double d = sim_rng_double(&r);
        g_assert_true(d >= 0 && d < 1);
    }
    for (int i = 0; i < 10; i++) { /* 10000 expected; 5 sigma is ~475 */
        g_assert_cmpuint(hist[i], >, 9500);
        g_assert_cmpuint(hist[i], <, 10500);
    }
    g_assert_cmpuint(sim_rng_below(&r, 0), ==, 0);
    sim_rng before = r;
    g_assert_false(sim_rng_chance(&r, 0)); /* draws nothing */
    g_assert_cmpmem(&before, sizeof before, &r, sizeof r);
    g_assert_true(sim_rng_chance(&r, 1));
}

static void test_cursor_read(void)
{
    const uint8_t buf[] = { 1, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 9, 9 };
    cur c;
    cur_init(&c, buf, sizeof buf);
    g_assert_cmpuint(cur_u8(&c), ==, 1);
    g_assert_cmpuint(cur_u16(&c), ==, 0x0203);
    g_assert_cmpuint(cur_u32(&c), ==, 0x04050607);
    cur sub = cur_sub(&c, 2);
    g_assert_cmpuint(cur_left(&sub), ==, 2);
    g_assert_cmpuint(cur_u16(&sub), ==, 0x0909);
    g_assert_true(cur_ok(&c));
    g_assert_cmpuint(cur_left(&c), ==, 0);
    /* Past the end: zero, sticky error, and every later read fails too. */
    g_assert_cmpuint(cur_u8(&c), ==, 0);
    g_assert_cmpint(c.err, ==, -EBADMSG);
    cur_init(&c, buf, 3);
    g_assert_cmpuint(cur_u32(&c), ==, 0);
    g_assert_false(cur_ok(&c));
    g_assert_cmpuint(cur_u8(&c), ==, 0);
    cur_init(&c, buf, 3);
    cur bad = cur_sub(&c, 4);
    g_assert_false(cur_ok(&bad));
    g_assert_false(cur_ok(&c));
    g_assert_null(cur_bytes(&bad, 1));
}

static void test_writer(void)
{
    uint8_t small[5];
    wr w;
    wr_init(&w, small, sizeof small);
    size_t len_at = wr_reserve(&w, 2);
    wr_u16(&w, 0xABCD);
    wr_patch_u16(&w, len_at, 0x0102);
    g_assert_cmpint(w.err, ==, 0);
    wr_u16(&w, 1); /* overflows */
    g_assert_cmpint(w.err, ==, -ENOSPC);
    const uint8_t want[] = { 1, 2, 0xAB, 0xCD };
    g_assert_cmpmem(small, 4, want, 4);
    wr_init_dyn(&w);
    for (int i = 0; i < 1000; i++)
        wr_u32(&w, (uint32_t)i);
    wr_u64(&w, 0x0102030405060708ULL);
    g_assert_cmpuint(w.len, ==, 4008);
    g_assert_cmpuint(w.buf[4007], ==, 8);
    wr_clear(&w);
}

static void test_addr(void)
{
    sim_ip ip;
    char buf[SIM_EP_STRLEN];
    g_assert_cmpint(sim_ip_parse("192.168.60.153", &ip), ==, 0);
    g_assert_cmpuint(sim_ip4_u32(&ip), ==, 0xC0A83C99);
    g_assert_cmpstr(sim_ip_fmt(&ip, buf, sizeof buf), ==, "192.168.60.153");
    g_assert_cmpint(sim_ip_parse("300.1.1.1", &ip), ==, -EINVAL);
    g_assert_cmpint(sim_ip_parse("2001:db8::1", &ip), ==, 0);
    g_assert_cmpint(ip.family, ==, SIM_AF_INET6);
    sim_ep ep;
    g_assert_cmpint(sim_ep_parse("68.36.210.57:21199", &ep), ==, 0);
    g_assert_cmpuint(ep.port, ==, 21199);
    g_assert_cmpstr(sim_ep_fmt(&ep, buf, sizeof buf), ==, "68.36.210.57:21199");
    g_assert_cmpint(sim_ep_parse("[2001:db8::1]:5060", &ep), ==, 0);
    g_assert_cmpstr(sim_ep_fmt(&ep, buf, sizeof buf), ==, "[2001:db8::1]:5060");
    g_assert_cmpint(sim_ep_parse("2001:db8::1:5060", &ep), ==, -EINVAL);
    g_assert_cmpint(sim_ep_parse("1.2.3.4:65536", &ep), ==, -EINVAL);
    g_assert_cmpint(sim_ep_parse("1.2.3.4:", &ep), ==, -EINVAL);
    unsigned plen;
    g_assert_cmpint(sim_prefix_parse("10.1.2.3/8", &ip, &plen), ==, 0);
    g_assert_cmpuint(plen, ==, 8);
    g_assert_cmpint(sim_prefix_parse("10.1.2.3/33", &ip, &plen), ==, -EINVAL);
    sim_ip a = sim_ip4(0x0A010203), b = sim_ip4(0x0A0000FF);
    g_assert_true(sim_ip_prefix_match(&a, &b, 8));
    g_assert_true(sim_ip_prefix_match(&a, &b, 15));
    g_assert_false(sim_ip_prefix_match(&a, &b, 16));
    g_assert_true(sim_ip_prefix_match(&a, &b, 0));
    sim_ip m = sim_ip4(0xE00000FB);
    g_assert_true(sim_ip_is_multicast(&m));
    sim_ip_parse("fe80::1", &ip);
    g_assert_true(sim_ip_is_link_local6(&ip));
}

static void test_pkt(void)
{
    sim_pkt_pool *pool = sim_pkt_pool_new();
    sim_pkt *p = sim_pkt_alloc(pool);
    memcpy(sim_pkt_put(p, 4), "data", 4);
    uint8_t *h = sim_pkt_push(p, 8);
    g_assert_nonnull(h);
    memset(h, 0xEE, 8);
    g_assert_cmpuint(p->len, ==, 12);
    g_assert_null(sim_pkt_push(p, SIM_PKT_HEADROOM)); /* headroom exhausted */
    sim_pkt *c = sim_pkt_clone(pool, p);
    g_assert_cmpmem(c->data, c->len, p->data, p->len);
    g_assert_nonnull(sim_pkt_pull(c, 8));
    g_assert_cmpmem(c->data, 4, "data", 4);
    g_assert_null(sim_pkt_pull(c, 5));
    g_assert_null(sim_pkt_put(c, sim_pkt_tailroom(c) + 1));
    g_assert_cmpuint(sim_pkt_pool_outstanding(pool), ==, 2);
    sim_pkt_free(pool, p);
    sim_pkt_free(pool, c);
    g_assert_cmpuint(sim_pkt_pool_outstanding(pool), ==, 0);
    /* Recycled, not reallocated. */
    sim_pkt *again = sim_pkt_alloc(pool);
    g_assert_true(again == c);
    g_assert_cmpuint(again->len, ==, 0);
    sim_pkt_free(pool, again);
    sim_pkt_pool_free(pool);
}

static void test_checksum(void)
{
    /* RFC 1071 section 3 example: 0001 f203 f4f5 f6f7 sums to ddf2. */
    const uint8_t d[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
    g_assert_cmphex(net_csum_fold(net_csum_add(0, d, sizeof d)), ==, (uint16_t)~0xddf2);
    /* A real IPv4 header (checksum 0xb861) verifies to zero. */
    const uint8_t ip[] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                           0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
    g_assert_cmphex(net_csum_fold(net_csum_add(0, ip, sizeof ip)), ==, 0);
    /* Incremental update equals recomputation (RFC 1624). */
    uint8_t hdr[20];
    memcpy(hdr, ip, 20);
    const uint8_t newsrc[4] = { 68, 36, 210, 57 };
    uint16_t old = (uint16_t)(hdr[10] << 8 | hdr[11]);
    uint16_t upd = net_csum_replace(old, hdr + 12, newsrc, 2);
    memcpy(hdr + 12, newsrc, 4);
    hdr[10] = hdr[11] = 0;
    g_assert_cmphex(upd, ==, net_csum_fold(net_csum_add(0, hdr, 20)));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rng/streams", test_rng_streams);
    g_test_add_func("/rng/ranges", test_rng_ranges);
    g_test_add_func("/cursor/read", test_cursor_read);
    g_test_add_func("/cursor/write", test_writer);
    g_test_add_func("/addr/parse-format", test_addr);
    g_test_add_func("/pkt/pool", test_pkt);
    g_test_add_func("/csum/rfc1071", test_checksum);
    return g_test_run();
}
