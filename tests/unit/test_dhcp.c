/* tests/unit/test_dhcp.c — the DHCP codec: messages built byte by byte from the RFC 2131 §2 /
 * RFC 2132 layouts, round trips, RFC 3396 long options, overload, and every rejection rule.
 * The client and server cores are in test_dhcp_core.c. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/dhcp/dhcp.h"

static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };

/* A DHCPDISCOVER written field by field from RFC 2131 figure 1 (no codec involved): xid
 * 0x3903f326, secs 0, broadcast flag, chaddr 02:00:5e:10:00:01, then options 53=1,
 * 61 = 01 + chaddr, 55 = [1,3,6,15], end. Returns its length (the options end at byte 259,
 * unpadded, so the decoder's "no 300-byte minimum on input" rule is exercised too). */
static size_t build_discover(uint8_t *b)
{
    memset(b, 0, 400);
    b[0] = 1; b[1] = 1; b[2] = 6; b[3] = 0;                   /* op htype hlen hops */
    b[4] = 0x39; b[5] = 0x03; b[6] = 0xf3; b[7] = 0x26;       /* xid */
    b[10] = 0x80;                                             /* flags: B */
    memcpy(b + 28, mac, 6);                                   /* chaddr */
    b[236] = 99; b[237] = 130; b[238] = 83; b[239] = 99;      /* magic cookie */
    size_t i = 240;
    b[i++] = 53; b[i++] = 1; b[i++] = 1;                      /* DHCPDISCOVER */
    b[i++] = 61; b[i++] = 7; b[i++] = 1;                      /* client id: type 1 + MAC */
    memcpy(b + i, mac, 6); i += 6;
    b[i++] = 55; b[i++] = 4; b[i++] = 1; b[i++] = 3; b[i++] = 6; b[i++] = 15;
    b[i++] = 0;                                               /* a pad, legal anywhere */
    b[i++] = 255;
    return i;
}

static void test_decode_discover(void)
{
    uint8_t b[400];
    size_t n = build_discover(b);
    g_assert_cmpuint(n, ==, 260);
    dhcp_msg m;
    g_assert_cmpint(dhcp_msg_decode(b, n, &m, NULL), ==, 0);
    g_assert_cmpuint(m.op, ==, DHCP_BOOTREQUEST);
    g_assert_cmphex(m.xid, ==, 0x3903f326);
    g_assert_cmphex(m.flags, ==, DHCP_FLAG_BROADCAST);
    g_assert_cmpmem(m.chaddr, 6, mac, 6);
    g_assert_cmpint(dhcp_msg_type(&m), ==, DHCPDISCOVER);
    g_assert_cmpuint(m.n_opts, ==, 3);
    const dhcp_opt *o = dhcp_msg_find(&m, DHCP_OPT_PARAM_REQUEST);
    g_assert_nonnull(o);
    g_assert_cmpmem(dhcp_opt_value(&m, o), o->len, ((uint8_t[]){ 1, 3, 6, 15 }), 4);
    o = dhcp_msg_find(&m, DHCP_OPT_CLIENT_ID);
    g_assert_cmpuint(o->len, ==, 7);
    /* Re-encoding gives the same bytes, padded with zeros to 300 (RFC 1542 §2.1); the pad the
     * sender put before end is not kept. */
    uint8_t again[DHCP_MSG_MAX];
    size_t len;
    g_assert_cmpint(dhcp_msg_encode(&m, again, sizeof again, &len), ==, 0);
    g_assert_cmpuint(len, ==, DHCP_MIN_LEN);
    g_assert_cmpmem(again, n - 2, b, n - 2);
    g_assert_cmpuint(again[n - 2], ==, 255);
    for (size_t i = n - 1; i < len; i++)
        g_assert_cmpuint(again[i], ==, 0);
}

/* A DHCPACK with every option of RFC 2132 this module uses, built with the builder; decoded
 * back it gives every value. */
/* The server's OFFER to the DISCOVER above, byte for byte as written independently in Python
 * from the RFC 2131 figure and RFC 2132 (header to byte 33, zeros, then cookie and options
 * from byte 236, zero padding to 300). tshark 4.x dissects these bytes with no warnings. */
static const uint8_t offer_head[] = {
    0x02, 0x01, 0x06, 0x00, 0x39, 0x03, 0xf3, 0x26, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xc0, 0xa8, 0x01, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x5e, 0x10,
    0x00, 0x01,
};
static const uint8_t offer_opts[] = {
    0x63, 0x82, 0x53, 0x63, 0x35, 0x01, 0x02, 0x36, 0x04, 0xc0, 0xa8, 0x01, 0x01, 0x33, 0x04, 0x00,
    0x00, 0x0e, 0x10, 0x3a, 0x04, 0x00, 0x00, 0x07, 0x08, 0x3b, 0x04, 0x00, 0x00, 0x0c, 0x4e, 0x01,
    0x04, 0xff, 0xff, 0xff, 0x00, 0x03, 0x04, 0xc0, 0xa8, 0x01, 0x01, 0x06, 0x08, 0x09, 0x09, 0x09,
    0x09, 0x01, 0x01, 0x01, 0x01, 0x0f, 0x03, 0x6c, 0x61, 0x6e, 0xff,
};

static void test_server_offer_bytes(void)
{
    dhcp_server_cfg cfg = { .server_id = 0xc0a80101, .n_pools = 1 };
    cfg.pools[0] = (dhcp_pool_cfg){ .start = 0xc0a80164, .end = 0xc0a8016d, .mask = 0xffffff00,
                                    .router = 0xc0a80101, .dns = { 0x09090909, 0x01010101 },
                                    .n_dns = 2, .lease_secs = 3600, .domain = "lan" };
    dhcp_server *s = dhcp_server_new(&cfg);
    uint8_t b[400];
    size_t n = build_discover(b);
    g_assert_cmpint(dhcp_server_input(s, 0, b, n), ==, 0);
    dhcp_out o;
    g_assert_true(dhcp_server_pop(s, &o));
    uint8_t want[DHCP_MIN_LEN] = { 0 };
    memcpy(want, offer_head, sizeof offer_head);
    memcpy(want + DHCP_HDR_LEN, offer_opts, sizeof offer_opts);
    g_assert_cmpmem(o.data, o.len, want, sizeof want);
    g_assert_cmphex(o.dst, ==, DHCP_BROADCAST); /* BROADCAST flag set */
    g_assert_cmphex(o.src, ==, 0xc0a80101);
    g_assert_cmpuint(o.sport, ==, DHCP_SERVER_PORT);
    g_assert_cmpuint(o.dport, ==, DHCP_CLIENT_PORT);
    dhcp_server_free(s);
}

static void test_round_trip_ack(void)
{
    dhcp_msg m;
    dhcp_msg_init(&m, DHCP_BOOTREPLY, 0xdeadbeef, mac);
    m.yiaddr = 0xc0a80064; /* 192.168.0.100 */
    m.secs = 7;
    m.giaddr = 0x0a000001;
    uint32_t dns[2] = { 0x08080808, 0x01010101 };
    g_assert_cmpint(dhcp_msg_add_u8(&m, DHCP_OPT_MSG_TYPE, DHCPACK), ==, 0);
    g_assert_cmpint(dhcp_msg_add_u32(&m, DHCP_OPT_SERVER_ID, 0xc0a80001), ==, 0);
    g_assert_cmpint(dhcp_msg_add_u32(&m, DHCP_OPT_LEASE_TIME, 3600), ==, 0);
    g_assert_cmpint(dhcp_msg_add_u32(&m, DHCP_OPT_T1, 1800), ==, 0);
    g_assert_cmpint(dhcp_msg_add_u32(&m, DHCP_OPT_T2, 3150), ==, 0);
    g_assert_cmpint(dhcp_msg_add_u32(&m, DHCP_OPT_SUBNET_MASK, 0xffffff00), ==, 0);
    g_assert_cmpint(dhcp_msg_add_u32(&m, DHCP_OPT_ROUTER, 0xc0a80001), ==, 0);
    g_assert_cmpint(dhcp_msg_add_ips(&m, DHCP_OPT_DNS, dns, 2), ==, 0);
    g_assert_cmpint(dhcp_msg_add_u32(&m, DHCP_OPT_BROADCAST_ADDR, 0xc0a800ff), ==, 0);
    g_assert_cmpint(dhcp_msg_add(&m, DHCP_OPT_DOMAIN_NAME, "lan", 3), ==, 0);
    g_assert_cmpint(dhcp_msg_add(&m, DHCP_OPT_HOST_NAME, "myprinter", 9), ==, 0);
    g_assert_cmpint(dhcp_msg_add(&m, DHCP_OPT_MESSAGE, "hi", 2), ==, 0);
    g_assert_cmpint(dhcp_msg_add_u16(&m, DHCP_OPT_MAX_MSG_SIZE, 1500), ==, 0);
    g_assert_cmpint(dhcp_msg_add(&m, DHCP_OPT_VENDOR_CLASS, "natsim", 6), ==, 0);
    g_assert_cmpint(dhcp_msg_add(&m, 224, "\x01\x02", 2), ==, 0); /* private use: kept raw */
    g_assert_cmpint(dhcp_msg_add(&m, DHCP_OPT_OVERLOAD, "\x01", 1), ==, -EINVAL);
    uint8_t buf[DHCP_MSG_MAX];
    size_t len;
    g_assert_cmpint(dhcp_msg_encode(&m, buf, sizeof buf, &len), ==, 0);
    dhcp_msg d;
    g_assert_cmpint(dhcp_msg_decode(buf, len, &d, NULL), ==, 0);
    g_assert_cmpint(dhcp_msg_type(&d), ==, DHCPACK);
    g_assert_cmphex(d.yiaddr, ==, 0xc0a80064);
    g_assert_cmphex(d.giaddr, ==, 0x0a000001);
    uint32_t v, got[4];
    size_t n;
    g_assert_cmpint(dhcp_msg_get_u32(&d, DHCP_OPT_LEASE_TIME, &v), ==, 0);
    g_assert_cmpuint(v, ==, 3600);
    g_assert_cmpint(dhcp_msg_get_ips(&d, DHCP_OPT_DNS, got, 4, &n), ==, 0);
    g_assert_cmpuint(n, ==, 2);
    g_assert_cmphex(got[1], ==, 0x01010101);
    g_assert_cmpint(dhcp_msg_get_u32(&d, DHCP_OPT_DNS, &v), ==, -EBADMSG); /* 8 bytes */
    g_assert_cmpint(dhcp_msg_get_u32(&d, DHCP_OPT_T1 + 100, &v), ==, -ENOENT);
    g_assert_cmpuint(d.n_opts, ==, m.n_opts);
    g_assert_cmpmem(d.data, d.data_len, m.data, m.data_len);
    const dhcp_opt *o = dhcp_msg_find(&d, 224);
    g_assert_cmpmem(dhcp_opt_value(&d, o), o->len, "\x01\x02", 2);
}

/* RFC 3396: a 600-byte option goes out as 255 + 255 + 90 and comes back as one value; two
 * instances of one code in a received message are concatenated in order. */
static void test_long_option(void)
{
    dhcp_msg m;
    dhcp_msg_init(&m, DHCP_BOOTREQUEST, 1, mac);
    uint8_t big[600];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)i;
    dhcp_msg_add_u8(&m, DHCP_OPT_MSG_TYPE, DHCPREQUEST);
    g_assert_cmpint(dhcp_msg_add(&m, DHCP_OPT_VENDOR_CLASS, big, 300), ==, 0);
    dhcp_msg_add(&m, DHCP_OPT_HOST_NAME, "h", 1);
    g_assert_cmpint(dhcp_msg_add(&m, DHCP_OPT_VENDOR_CLASS, big + 300, 300), ==, 0); /* extends */
    uint8_t buf[DHCP_MSG_MAX];
    size_t len;
    g_assert_cmpint(dhcp_msg_encode(&m, buf, sizeof buf, &len), ==, 0);
    g_assert_cmpuint(len, ==, 240 + 3 + (2 + 255) * 2 + 2 + 90 + 3 + 1);
    g_assert_cmpuint(buf[243], ==, 60);
    g_assert_cmpuint(buf[244], ==, 255);
    g_assert_cmpuint(buf[243 + 257], ==, 60);
    g_assert_cmpuint(buf[243 + 514 + 1], ==, 90);
    dhcp_msg d;
    g_assert_cmpint(dhcp_msg_decode(buf, len, &d, NULL), ==, 0);
    const dhcp_opt *o = dhcp_msg_find(&d, DHCP_OPT_VENDOR_CLASS);
    g_assert_cmpmem(dhcp_opt_value(&d, o), o->len, big, sizeof big);
    g_assert_cmpmem(dhcp_opt_value(&d, dhcp_msg_find(&d, DHCP_OPT_HOST_NAME)), 1, "h", 1);

    /* Hand-built: router split as 3=[10.0.0.1] ... 3=[10.0.0.2]. */
    uint8_t b[400];
    size_t n = build_discover(b) - 1;
    const uint8_t extra[] = { 3, 4, 10, 0, 0, 1, 12, 1, 'x', 3, 4, 10, 0, 0, 2, 255 };
    memcpy(b + n, extra, sizeof extra);
    g_assert_cmpint(dhcp_msg_decode(b, n + sizeof extra, &d, NULL), ==, 0);
    uint32_t ips[4];
    size_t k;
    g_assert_cmpint(dhcp_msg_get_ips(&d, DHCP_OPT_ROUTER, ips, 4, &k), ==, 0);
    g_assert_cmpuint(k, ==, 2);
    g_assert_cmphex(ips[0], ==, 0x0a000001);
    g_assert_cmphex(ips[1], ==, 0x0a000002);
}

/* Option overload (RFC 2132 §9.3): options continue in file (1), then sname (2); the result is
 * one option list and the fields read as empty. */
static void test_overload(void)
{
    uint8_t b[400];
    size_t n = build_discover(b) - 1;
    b[n++] = 52; b[n++] = 1; b[n++] = 3; b[n++] = 255;
    const uint8_t file_opts[] = { 12, 3, 'a', 'b', 'c', 255 };
    const uint8_t sname_opts[] = { 12, 2, 'd', 'e', 15, 3, 'l', 'a', 'n', 255 };
    memcpy(b + 108, file_opts, sizeof file_opts);
    memcpy(b + 44, sname_opts, sizeof sname_opts);
    dhcp_msg d;
    g_assert_cmpint(dhcp_msg_decode(b, n, &d, NULL), ==, 0);
    g_assert_cmpuint(d.overload, ==, 3);
    g_assert_null(dhcp_msg_find(&d, DHCP_OPT_OVERLOAD));
    const dhcp_opt *o = dhcp_msg_find(&d, DHCP_OPT_HOST_NAME);
    g_assert_cmpmem(dhcp_opt_value(&d, o), o->len, "abcde", 5); /* file before sname */
    g_assert_nonnull(dhcp_msg_find(&d, DHCP_OPT_DOMAIN_NAME));
    g_assert_cmpuint(d.file[0], ==, 0);
    g_assert_cmpuint(d.sname[0], ==, 0);
    /* Only file overloaded: sname stays a name and its bytes are not parsed. */
    b[n - 2] = 1;
    g_assert_cmpint(dhcp_msg_decode(b, n, &d, NULL), ==, 0);
    o = dhcp_msg_find(&d, DHCP_OPT_HOST_NAME);
    g_assert_cmpuint(o->len, ==, 3);
    g_assert_cmpuint(d.sname[0], ==, 12);
    /* Missing end in the overloaded file field. */
    b[n - 2] = 3;
    memset(b + 108, 12, 128); /* 12,12 ... options running to the edge */
    dhcp_err e;
    g_assert_cmpint(dhcp_msg_decode(b, n, &d, &e), ==, -EBADMSG);
    g_assert_cmpuint(e.off, >=, 108);
    /* Overload inside an overloaded field. */
    memcpy(b + 108, ((uint8_t[]){ 52, 1, 2, 255 }), 4);
    g_assert_cmpint(dhcp_msg_decode(b, n, &d, &e), ==, -EBADMSG);
    g_assert_cmpstr(e.why, ==, "overload option inside an overloaded field");
    /* Overload value 4. */
    memcpy(b + 108, file_opts, sizeof file_opts);
    b[n - 2] = 4;
    g_assert_cmpint(dhcp_msg_decode(b, n, &d, &e), ==, -EBADMSG);
    g_assert_cmpuint(e.off, ==, n - 2);
}

typedef struct reject_case {
    const char *name;
    size_t at;      /* byte to change (SIZE_MAX: truncate to `val` bytes) */
    unsigned val;
    const char *why;
} reject_case;

/* Every rejection rule, each from the valid DISCOVER with one change; the message is untouched
 * on failure. */
static void test_rejections(void)
{
    static const reject_case cases[] = {
        { "short header", SIZE_MAX, 200, "shorter than the 236-byte BOOTP header and the magic cookie" },
        { "no cookie", SIZE_MAX, 238, "shorter than the 236-byte BOOTP header and the magic cookie" },
        { "op 3", 0, 3, "op is neither BOOTREQUEST (1) nor BOOTREPLY (2)" },
        { "hlen 17", 2, 17, "hardware address length over 16" },
        { "cookie", 239, 98, "bad magic cookie (not 99.130.83.99)" },
        { "overrun", 244, 200, "option runs past the end of its area" },
        { "missing end", SIZE_MAX, 259, "no end option" },
        { "cut in length", SIZE_MAX, 244, "option runs past the end of its area" },
        { "empty domain name", 253, 3, "empty option" }, /* 55=[1,3,6] then 15 len 0 */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        uint8_t b[400];
        size_t n = build_discover(b);
        if (cases[i].at == SIZE_MAX)
            n = cases[i].val;
        else
            b[cases[i].at] = (uint8_t)cases[i].val;
        dhcp_msg m;
        memset(&m, 0xab, sizeof m);
        dhcp_err e = { 0, NULL };
        g_test_message("case %s", cases[i].name);
        g_assert_cmpint(dhcp_msg_decode(b, n, &m, &e), ==, -EBADMSG);
        g_assert_cmpstr(e.why, ==, cases[i].why);
        g_assert_cmpuint(m.op, ==, 0xab);
    }
    /* Fixed sizes of the address and time options, and the max-size floor. */
    static const uint8_t bad_opts[][8] = {
        { 1, 3, 255, 255, 255 },        /* subnet mask 3 bytes */
        { 3, 5, 1, 2, 3, 4, 5 },        /* router not a multiple of 4 */
        { 6, 0 },                       /* DNS empty */
        { 51, 2, 0, 1 },                /* lease time 2 bytes */
        { 57, 2, 0x01, 0x00 },          /* max message size 256 < 576 */
        { 12, 0 },                      /* empty host name */
        { 61, 1, 1 },                   /* client id 1 byte (RFC 2132 §9.14: at least 2) */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad_opts); i++) {
        uint8_t b[400];
        size_t n = build_discover(b) - 1;
        memset(b + 243, 0, 9); /* option 61 becomes pads */
        size_t olen = 2u + bad_opts[i][1];
        memcpy(b + n, bad_opts[i], olen);
        b[n + olen] = 255;
        dhcp_msg m;
        g_assert_cmpint(dhcp_msg_decode(b, n + olen + 1, &m, NULL), ==, -EBADMSG);
    }
    /* Too long a datagram. */
    uint8_t big[DHCP_MSG_MAX + 1] = { 0 };
    size_t n = build_discover(big);
    (void)n;
    dhcp_msg m;
    g_assert_cmpint(dhcp_msg_decode(big, sizeof big, &m, NULL), ==, -EBADMSG);
    /* Anything after end is padding and ignored, even non-zero. */
    uint8_t b[400];
    n = build_discover(b);
    b[n] = 0x42;
    g_assert_cmpint(dhcp_msg_decode(b, n + 1, &m, NULL), ==, 0);
}

static void test_encode_errors(void)
{
    dhcp_msg m;
    dhcp_msg_init(&m, DHCP_BOOTREQUEST, 1, mac);
    dhcp_msg_add_u8(&m, DHCP_OPT_MSG_TYPE, DHCPDISCOVER);
    uint8_t small[299];
    size_t len;
    g_assert_cmpint(dhcp_msg_encode(&m, small, sizeof small, &len), ==, -ENOSPC);
    m.opts[0].code = DHCP_OPT_END;
    uint8_t buf[DHCP_MSG_MAX];
    g_assert_cmpint(dhcp_msg_encode(&m, buf, sizeof buf, &len), ==, -EINVAL);
    g_assert_cmpstr(dhcp_type_name(DHCPINFORM), ==, "DHCPINFORM");
    g_assert_null(dhcp_type_name(9));
    g_assert_cmpstr(dhcp_opt_name(DHCP_OPT_SERVER_ID), ==, "Server-ID");
    g_assert_null(dhcp_opt_name(200));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dhcp/decode/rfc2131-discover-bytes", test_decode_discover);
    g_test_add_func("/dhcp/server/offer-bytes", test_server_offer_bytes);
    g_test_add_func("/dhcp/codec/round-trip-ack", test_round_trip_ack);
    g_test_add_func("/dhcp/codec/rfc3396-long-option", test_long_option);
    g_test_add_func("/dhcp/decode/overload", test_overload);
    g_test_add_func("/dhcp/decode/rejections", test_rejections);
    g_test_add_func("/dhcp/encode/errors", test_encode_errors);
    return g_test_run();
}
