/* tests/unit/test_stun.c — the STUN codec: RFC 5769 test vectors, integrity and fingerprint
 * (also against values computed independently with python3's hmac/zlib), a round trip of every
 * attribute, rejection of malformed messages with the right byte offset, and a seeded mutation
 * loop. The cores are tested in test_stun_core.c. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/stun/stun.h"

static const char *rfc_password = "VOkJxbRl1RmTxUk/WvJxBt";

/* RFC 5769 §2.1: sample request with short-term credentials. */
static const uint8_t rfc_request[] = {
    0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x10, 0x53, 0x54, 0x55, 0x4e, 0x20, 0x74, 0x65, 0x73,
    0x74, 0x20, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff,
    0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36, 0x00, 0x06, 0x00, 0x09,
    0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76, 0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14,
    0x9a, 0xea, 0xa7, 0x0c, 0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e, 0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49,
    0xc1, 0xb5, 0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf,
};

/* RFC 5769 §2.2: sample IPv4 response. */
static const uint8_t rfc_response4[] = {
    0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
    0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
    0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9,
    0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7, 0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96,
};

/* RFC 5769 §2.3: sample IPv6 response. */
static const uint8_t rfc_response6[] = {
    0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
    0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa,
    0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9, 0x00, 0x08, 0x00, 0x14,
    0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1, 0x17, 0x84, 0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75,
    0xbf, 0xe3, 0xed, 0x41, 0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c,
};

/* RFC 5769 §2.4: sample request with long-term credentials. */
static const uint8_t rfc_longterm[] = {
    0x00, 0x01, 0x00, 0x60, 0x21, 0x12, 0xa4, 0x42, 0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72, 0xc0,
    0x29, 0xda, 0x41, 0x2e, 0x00, 0x06, 0x00, 0x12, 0xe3, 0x83, 0x9e, 0xe3, 0x83, 0x88, 0xe3, 0x83,
    0xaa, 0xe3, 0x83, 0x83, 0xe3, 0x82, 0xaf, 0xe3, 0x82, 0xb9, 0x00, 0x00, 0x00, 0x15, 0x00, 0x1c,
    0x66, 0x2f, 0x2f, 0x34, 0x39, 0x39, 0x6b, 0x39, 0x35, 0x34, 0x64, 0x36, 0x4f, 0x4c, 0x33, 0x34,
    0x6f, 0x4c, 0x39, 0x46, 0x53, 0x54, 0x76, 0x79, 0x36, 0x34, 0x73, 0x41, 0x00, 0x14, 0x00, 0x0b,
    0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x6f, 0x72, 0x67, 0x00, 0x00, 0x08, 0x00, 0x14,
    0xf6, 0x70, 0x24, 0x65, 0x6d, 0xd6, 0x4a, 0x3e, 0x02, 0xb8, 0xe0, 0x71, 0x2e, 0x85, 0xc9, 0xa2,
    0x8c, 0xa8, 0x96, 0x66,
};
static const char *lt_user = "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83\xe3\x82\xaf\xe3\x82\xb9";

static void decode_ok(const uint8_t *buf, size_t len, stun_msg *m)
{
    stun_err e = { 0, NULL };
    int rc = stun_msg_decode(buf, len, m, &e);
    if (rc)
        g_test_message("decode failed at %zu: %s", e.off, e.why);
    g_assert_cmpint(rc, ==, 0);
}

static const uint8_t *pw(void)
{
    return (const uint8_t *)rfc_password;
}

static void test_rfc_request(void)
{
    stun_msg m;
    decode_ok(rfc_request, sizeof rfc_request, &m);
    g_assert_cmpuint(m.method, ==, STUN_BINDING);
    g_assert_cmpint(m.cls, ==, STUN_REQUEST);
    g_assert_cmpuint(m.n_attrs, ==, 6);
    g_assert_cmpuint(m.n_unknown, ==, 0);
    char s[64];
    g_assert_cmpint(stun_msg_get_str(&m, STUN_ATTR_SOFTWARE, s, sizeof s), ==, 0);
    g_assert_cmpstr(s, ==, "STUN test client");
    g_assert_cmpint(stun_msg_get_str(&m, STUN_ATTR_USERNAME, s, sizeof s), ==, 0);
    g_assert_cmpstr(s, ==, "evtj:h6vY");
    uint32_t prio;
    uint64_t tie;
    g_assert_cmpint(stun_msg_get_u32(&m, STUN_ATTR_PRIORITY, &prio), ==, 0);
    g_assert_cmphex(prio, ==, 0x6e0001ff);
    g_assert_cmpint(stun_msg_get_u64(&m, STUN_ATTR_ICE_CONTROLLED, &tie), ==, 0);
    g_assert_cmphex(tie, ==, 0x932ff9b151263b36ull);
    g_assert_cmpint(stun_msg_check_integrity(&m, pw(), strlen(rfc_password)), ==, 0);
    g_assert_cmpint(stun_msg_check_integrity(&m, (const uint8_t *)"wrong", 5), ==, -EACCES);
    g_assert_cmpint(stun_msg_check_integrity_sha256(&m, pw(), 5), ==, -EBADMSG); /* absent */
    g_assert_cmpint(stun_msg_check_fingerprint(&m), ==, 0);

    /* The primitives reproduce the vector's MAC and CRC byte for byte. */
    uint8_t mac[20];
    stun_hmac(false, pw(), strlen(rfc_password), rfc_request, 76, 80, mac);
    g_assert_cmpmem(mac, 20, rfc_request + 80, 20);
    g_assert_cmphex(stun_fingerprint(rfc_request, 100, 88), ==, 0xe57a3bcf);

    /* One flipped bit under the MAC or CRC is caught. */
    uint8_t bad[sizeof rfc_request];
    memcpy(bad, rfc_request, sizeof bad);
    bad[30] ^= 1;
    decode_ok(bad, sizeof bad, &m);
    g_assert_cmpint(stun_msg_check_integrity(&m, pw(), strlen(rfc_password)), ==, -EACCES);
    g_assert_cmpint(stun_msg_check_fingerprint(&m), ==, -EACCES);
}

static void check_response(const uint8_t *buf, size_t len, const char *want)
{
    stun_msg m;
    decode_ok(buf, len, &m);
    g_assert_cmpint(m.cls, ==, STUN_SUCCESS);
    sim_ep ep, exp;
    g_assert_cmpint(sim_ep_parse(want, &exp), ==, 0);
    g_assert_cmpint(stun_msg_get_addr(&m, STUN_ATTR_XOR_MAPPED_ADDRESS, &ep), ==, 0);
    g_assert_true(sim_ep_eq(&ep, &exp));
    g_assert_cmpint(stun_binding_mapped(buf, len, &ep), ==, 0);
    g_assert_true(sim_ep_eq(&ep, &exp));
    char s[64];
    g_assert_cmpint(stun_msg_get_str(&m, STUN_ATTR_SOFTWARE, s, sizeof s), ==, 0);
    g_assert_cmpstr(s, ==, "test vector");
    g_assert_cmpint(stun_msg_check_integrity(&m, pw(), strlen(rfc_password)), ==, 0);
    g_assert_cmpint(stun_msg_check_fingerprint(&m), ==, 0);
}

static void test_rfc_response4(void)
{
    check_response(rfc_response4, sizeof rfc_response4, "192.0.2.1:32853");
}

static void test_rfc_response6(void)
{
    check_response(rfc_response6, sizeof rfc_response6,
                   "[2001:db8:1234:5678:11:2233:4455:6677]:32853");
}

static void test_rfc_longterm(void)
{
    stun_msg m;
    decode_ok(rfc_longterm, sizeof rfc_longterm, &m);
    char s[64];
    g_assert_cmpint(stun_msg_get_str(&m, STUN_ATTR_USERNAME, s, sizeof s), ==, 0);
    g_assert_cmpstr(s, ==, lt_user);
    g_assert_cmpint(stun_msg_get_str(&m, STUN_ATTR_REALM, s, sizeof s), ==, 0);
    g_assert_cmpstr(s, ==, "example.org");
    g_assert_cmpint(stun_msg_get_str(&m, STUN_ATTR_NONCE, s, sizeof s), ==, 0);
    g_assert_cmpstr(s, ==, "f//499k954d6OL34oL9FSTvy64sA");
    uint8_t key[16];
    stun_key_long_term(lt_user, "example.org", "TheMatrIX", key);
    g_assert_cmpint(stun_msg_check_integrity(&m, key, 16), ==, 0);
    g_assert_cmpint(stun_msg_check_fingerprint(&m), ==, -EBADMSG); /* it has none */

    /* The builder reproduces the whole vector (its padding bytes are zero). */
    uint8_t buf[256];
    size_t len;
    stun_enc e;
    stun_enc_init(&e, buf, sizeof buf, STUN_BINDING, STUN_REQUEST, m.txid);
    stun_enc_str(&e, STUN_ATTR_USERNAME, lt_user);
    stun_enc_str(&e, STUN_ATTR_NONCE, "f//499k954d6OL34oL9FSTvy64sA");
    stun_enc_str(&e, STUN_ATTR_REALM, "example.org");
    stun_enc_integrity(&e, key, 16);
    g_assert_cmpint(stun_enc_finish(&e, &len), ==, 0);
    g_assert_cmpmem(buf, len, rfc_longterm, sizeof rfc_longterm);
}

/* A message whose bytes python3 computed independently (hmac.new(key, msg, sha256), zlib.crc32):
 * Binding request, txid 01..0c, SOFTWARE "natsim", MI-SHA256 with key "secret-key", FINGERPRINT. */
static void test_sha256_python(void)
{
    static const char *hex =
        "000100382112a4420102030405060708090a0b0c802200066e617473696d0000001c0020f817f7d9270be7"
        "c94d9f7e747004d2695f30bb4e49564a86273541a84220844080280004108acb36";
    uint8_t want[76];
    for (size_t i = 0; i < sizeof want; i++)
        want[i] = (uint8_t)(g_ascii_xdigit_value(hex[2 * i]) << 4 |
                            g_ascii_xdigit_value(hex[2 * i + 1]));
    uint8_t txid[12], buf[128];
    for (int i = 0; i < 12; i++)
        txid[i] = (uint8_t)(i + 1);
    stun_enc e;
    size_t len;
    stun_enc_init(&e, buf, sizeof buf, STUN_BINDING, STUN_REQUEST, txid);
    stun_enc_str(&e, STUN_ATTR_SOFTWARE, "natsim");
    stun_enc_integrity_sha256(&e, (const uint8_t *)"secret-key", 10);
    stun_enc_fingerprint(&e);
    g_assert_cmpint(stun_enc_finish(&e, &len), ==, 0);
    g_assert_cmpmem(buf, len, want, sizeof want);
    stun_msg m;
    decode_ok(buf, len, &m);
    g_assert_cmpint(stun_msg_check_integrity_sha256(&m, (const uint8_t *)"secret-key", 10), ==, 0);
    g_assert_cmpint(stun_msg_check_integrity_sha256(&m, (const uint8_t *)"secret-kez", 10), ==,
                    -EACCES);
    g_assert_cmpint(stun_msg_check_fingerprint(&m), ==, 0);
    g_assert_cmphex(stun_crc32((const uint8_t *)"123456789", 9), ==, 0xCBF43926);
}

static void ep(const char *s, sim_ep *out)
{
    g_assert_cmpint(sim_ep_parse(s, out), ==, 0);
}

/* Every attribute through the builder, back through the decoder and the getters, and the
 * generic encoder reproduces the bytes. */
static void test_round_trip(void)
{
    static const uint16_t addr_types[] = {
        STUN_ATTR_MAPPED_ADDRESS, STUN_ATTR_XOR_MAPPED_ADDRESS, STUN_ATTR_ALTERNATE_SERVER,
        STUN_ATTR_RESPONSE_ORIGIN, STUN_ATTR_OTHER_ADDRESS,
    };
    static const char *addrs[] = { "68.36.210.57:21199", "[2001:db8::1:2]:3478" };
    for (int v6 = 0; v6 < 2; v6++) {
        uint8_t txid[12] = { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0xff, 0x80 }, buf[STUN_MSG_MAX];
        uint8_t again[STUN_MSG_MAX], key[16] = { 1, 2, 3 };
        sim_ep a;
        ep(addrs[v6], &a);
        stun_enc e;
        stun_enc_init(&e, buf, sizeof buf, STUN_BINDING, STUN_ERROR, txid);
        for (size_t i = 0; i < G_N_ELEMENTS(addr_types); i++)
            stun_enc_addr(&e, addr_types[i], &a);
        stun_enc_str(&e, STUN_ATTR_USERNAME, "alice:bob");
        stun_enc_str(&e, STUN_ATTR_REALM, "natsim.example");
        stun_enc_str(&e, STUN_ATTR_NONCE, "abcdefg");
        stun_enc_str(&e, STUN_ATTR_SOFTWARE, "natsim 1");
        stun_enc_error(&e, 420, NULL);
        uint16_t unk[3] = { 0x7777, 0x0003, 0x1234 }, got[8];
        stun_enc_unknown(&e, unk, 3);
        stun_enc_u32(&e, STUN_ATTR_CHANGE_REQUEST, STUN_CHANGE_IP | STUN_CHANGE_PORT);
        stun_enc_port(&e, STUN_ATTR_RESPONSE_PORT, 40000);
        stun_enc_attr(&e, STUN_ATTR_PADDING, "\0\0\0\0\0", 5);
        stun_enc_u32(&e, STUN_ATTR_PRIORITY, 0x6e0001ff);
        stun_enc_attr(&e, STUN_ATTR_USE_CANDIDATE, NULL, 0);
        stun_enc_u64(&e, STUN_ATTR_ICE_CONTROLLING, 0x0102030405060708ull);
        stun_enc_u64(&e, STUN_ATTR_ICE_CONTROLLED, 0x8877665544332211ull);
        stun_enc_integrity(&e, key, 16);
        stun_enc_integrity_sha256(&e, key, 16);
        stun_enc_fingerprint(&e);
        size_t len, len2, n;
        g_assert_cmpint(stun_enc_finish(&e, &len), ==, 0);

        stun_msg m;
        decode_ok(buf, len, &m);
        g_assert_cmpint(m.cls, ==, STUN_ERROR);
        g_assert_cmpmem(m.txid, 12, txid, 12);
        for (size_t i = 0; i < G_N_ELEMENTS(addr_types); i++) {
            sim_ep b;
            g_assert_cmpint(stun_msg_get_addr(&m, addr_types[i], &b), ==, 0);
            g_assert_true(sim_ep_eq(&a, &b));
        }
        /* XOR-MAPPED-ADDRESS is not stored in the clear. */
        const stun_attr *x = stun_msg_find(&m, STUN_ATTR_XOR_MAPPED_ADDRESS);
        g_assert_false(memcmp(x->value + 4, a.ip.b, 4) == 0);
        char s[64], reason[64];
        g_assert_cmpint(stun_msg_get_str(&m, STUN_ATTR_USERNAME, s, sizeof s), ==, 0);
        g_assert_cmpstr(s, ==, "alice:bob");
        g_assert_cmpint(stun_msg_get_str(&m, STUN_ATTR_USERNAME, s, 4), ==, -ENOSPC);
        g_assert_cmpint(stun_msg_get_str(&m, STUN_ATTR_NONCE, s, sizeof s), ==, 0);
        g_assert_cmpstr(s, ==, "abcdefg");
        uint16_t code;
        g_assert_cmpint(stun_msg_get_error(&m, &code, reason, sizeof reason), ==, 0);
        g_assert_cmpuint(code, ==, 420);
        g_assert_cmpstr(reason, ==, "Unknown Attribute");
        g_assert_cmpint(stun_msg_get_unknown(&m, got, 8, &n), ==, 0);
        g_assert_cmpuint(n, ==, 3);
        g_assert_cmpmem(got, 6, unk, 6);
        uint32_t v32;
        uint16_t port;
        uint64_t v64;
        g_assert_cmpint(stun_msg_get_u32(&m, STUN_ATTR_CHANGE_REQUEST, &v32), ==, 0);
        g_assert_cmphex(v32, ==, 6);
        g_assert_cmpint(stun_msg_get_port(&m, STUN_ATTR_RESPONSE_PORT, &port), ==, 0);
        g_assert_cmpuint(port, ==, 40000);
        g_assert_cmpuint(stun_msg_find(&m, STUN_ATTR_PADDING)->len, ==, 5);
        g_assert_nonnull(stun_msg_find(&m, STUN_ATTR_USE_CANDIDATE));
        g_assert_cmpint(stun_msg_get_u64(&m, STUN_ATTR_ICE_CONTROLLING, &v64), ==, 0);
        g_assert_cmphex(v64, ==, 0x0102030405060708ull);
        g_assert_cmpint(stun_msg_get_u64(&m, STUN_ATTR_ICE_CONTROLLED, &v64), ==, 0);
        g_assert_cmphex(v64, ==, 0x8877665544332211ull);
        g_assert_cmpint(stun_msg_check_integrity(&m, key, 16), ==, 0);
        g_assert_cmpint(stun_msg_check_integrity_sha256(&m, key, 16), ==, 0);
        g_assert_cmpint(stun_msg_check_fingerprint(&m), ==, 0);
        g_assert_cmpint(stun_msg_get_u32(&m, STUN_ATTR_PRIORITY, &v32), ==, 0);
        g_assert_cmpint(stun_msg_get_u32(&m, 0x4444, &v32), ==, -ENOENT);
        g_assert_cmpint(stun_msg_encode(&m, again, sizeof again, &len2), ==, 0);
        g_assert_cmpmem(again, len2, buf, len);
        g_assert_cmpint(stun_msg_encode(&m, again, 40, &len2), ==, -ENOSPC);
    }
}

static int decode_err(const uint8_t *buf, size_t len, size_t *off)
{
    stun_msg m;
    memset(&m, 0xAB, sizeof m);
    stun_err e = { 0, NULL };
    int rc = stun_msg_decode(buf, len, &m, &e);
    if (rc) {
        g_assert_nonnull(e.why);
        *off = e.off;
        g_assert_cmpuint(m.n_attrs, ==, (size_t)0xABABABABABABABABull); /* untouched */
    }
    return rc;
}

/* Builds header + one attribute (type, declared len, value bytes n) into buf; returns size. */
static size_t one_attr(uint8_t *buf, uint16_t type, uint16_t alen, const uint8_t *v, size_t n)
{
    memcpy(buf, rfc_request, 20);
    size_t body = 4 + ((n + 3) & ~(size_t)3);
    buf[2] = (uint8_t)(body >> 8);
    buf[3] = (uint8_t)body;
    buf[20] = (uint8_t)(type >> 8);
    buf[21] = (uint8_t)type;
    buf[22] = (uint8_t)(alen >> 8);
    buf[23] = (uint8_t)alen;
    memset(buf + 24, 0, body - 4);
    memcpy(buf + 24, v, n);
    return 20 + body;
}

static void test_reject(void)
{
    uint8_t b[1024];
    size_t off = 999, n;
    memcpy(b, rfc_request, sizeof rfc_request);
    g_assert_cmpint(decode_err(b, 19, &off), ==, -EBADMSG);
    g_assert_cmpuint(off, ==, 19);
    g_assert_cmpint(decode_err(b, sizeof rfc_request - 4, &off), ==, -EBADMSG); /* truncated */
    g_assert_cmpuint(off, ==, 2);
    b[4] = 0x22; /* cookie */
    g_assert_cmpint(decode_err(b, sizeof rfc_request, &off), ==, -EBADMSG);
    g_assert_cmpuint(off, ==, 4);
    b[4] = 0x21;
    b[0] = 0x40; /* top bits */
    g_assert_cmpint(decode_err(b, sizeof rfc_request, &off), ==, -EBADMSG);
    g_assert_cmpuint(off, ==, 0);
    b[0] = 0;
    b[3] = 0x59; /* length not a multiple of 4 */
    g_assert_cmpint(decode_err(b, sizeof rfc_request, &off), ==, -EBADMSG);
    g_assert_cmpuint(off, ==, 2);
    b[3] = 0x58;
    b[23] = 0x60; /* SOFTWARE length runs past the end */
    g_assert_cmpint(decode_err(b, sizeof rfc_request, &off), ==, -EBADMSG);
    g_assert_cmpuint(off, ==, 22);
    b[22] = 0xff; /* oversized */
    g_assert_cmpint(decode_err(b, sizeof rfc_request, &off), ==, -EBADMSG);
    g_assert_cmpuint(off, ==, 22);
    b[22] = 0;
    b[23] = 0x10;
    b[79] = 0x13; /* MESSAGE-INTEGRITY of 19 bytes */
    g_assert_cmpint(decode_err(b, sizeof rfc_request, &off), ==, -EBADMSG);
    g_assert_cmpuint(off, ==, 80);
    b[79] = 0x14;
    g_assert_cmpint(decode_err(b, sizeof rfc_request, &off), ==, 0);

    /* An attribute after FINGERPRINT. */
    memcpy(b, rfc_request, sizeof rfc_request);
    memcpy(b + sizeof rfc_request, "\x80\x22\x00\x00", 4);
    b[3] = 0x5c;
    g_assert_cmpint(decode_err(b, sizeof rfc_request + 4, &off), ==, -EBADMSG);
    g_assert_cmpuint(off, ==, sizeof rfc_request);

    static const uint8_t fam3[8] = { 0, 3, 0, 1, 1, 2, 3, 4 }, v4short[8] = { 0, 2, 0, 1 };
    static const uint8_t err7[4] = { 0, 0, 7, 0 }, err99[4] = { 0, 0, 4, 100 };
    n = one_attr(b, STUN_ATTR_XOR_MAPPED_ADDRESS, 8, fam3, 8);
    g_assert_cmpint(decode_err(b, n, &off), ==, -EBADMSG);
    g_assert_cmpuint(off, ==, 24);
    n = one_attr(b, STUN_ATTR_MAPPED_ADDRESS, 8, v4short, 8); /* IPv6 family in 8 bytes */
    g_assert_cmpint(decode_err(b, n, &off), ==, -EBADMSG);
    n = one_attr(b, STUN_ATTR_ERROR_CODE, 4, err7, 4);
    g_assert_cmpint(decode_err(b, n, &off), ==, -EBADMSG);
    n = one_attr(b, STUN_ATTR_ERROR_CODE, 4, err99, 4);
    g_assert_cmpint(decode_err(b, n, &off), ==, -EBADMSG);
    n = one_attr(b, STUN_ATTR_PRIORITY, 3, err7, 3);
    g_assert_cmpint(decode_err(b, n, &off), ==, -EBADMSG);
    n = one_attr(b, STUN_ATTR_UNKNOWN_ATTRIBUTES, 3, err7, 3);
    g_assert_cmpint(decode_err(b, n, &off), ==, -EBADMSG);
    n = one_attr(b, STUN_ATTR_ICE_CONTROLLED, 4, err7, 4);
    g_assert_cmpint(decode_err(b, n, &off), ==, -EBADMSG);
    n = one_attr(b, STUN_ATTR_MESSAGE_INTEGRITY_SHA256, 18, fam3, 8); /* 18 is not 4k */
    g_assert_cmpint(decode_err(b, n, &off), ==, -EBADMSG);
    uint8_t big[600] = { 0 };
    n = one_attr(b, STUN_ATTR_USERNAME, 514, big, 514);
    g_assert_cmpint(decode_err(b, n, &off), ==, -EBADMSG); /* USERNAME over 513 bytes */
    g_assert_cmpuint(off, ==, 24);
    n = one_attr(b, STUN_ATTR_USERNAME, 513, big, 513);
    g_assert_cmpint(decode_err(b, n, &off), ==, 0);
    g_assert_false(stun_is_message(b, 19));
}

/* Unknown comprehension-required types are collected, optional ones skipped; what follows
 * MESSAGE-INTEGRITY (other than MI-SHA256 and FINGERPRINT) is ignored. */
static void test_unknown_and_ignored(void)
{
    uint8_t buf[256], key[4] = { 1, 2, 3, 4 }, txid[12] = { 0 };
    stun_enc e;
    size_t len;
    stun_enc_init(&e, buf, sizeof buf, STUN_BINDING, STUN_REQUEST, txid);
    stun_enc_attr(&e, 0x7777, "x", 1);
    stun_enc_attr(&e, 0x8888, "yy", 2);
    stun_enc_attr(&e, 0x7777, "x", 1);
    stun_enc_attr(&e, 0x0002, NULL, 0);
    stun_enc_integrity(&e, key, 4);
    stun_enc_str(&e, STUN_ATTR_SOFTWARE, "after");
    stun_enc_attr(&e, 0x5555, NULL, 0);
    g_assert_cmpint(stun_enc_finish(&e, &len), ==, 0);
    stun_msg m;
    decode_ok(buf, len, &m);
    g_assert_cmpuint(m.n_unknown, ==, 2);
    g_assert_cmphex(m.unknown[0], ==, 0x7777);
    g_assert_cmphex(m.unknown[1], ==, 0x0002);
    g_assert_null(stun_msg_find(&m, STUN_ATTR_SOFTWARE));
    g_assert_true(m.attrs[m.n_attrs - 1].ignored);
    g_assert_cmpint(stun_msg_check_integrity(&m, key, 4), ==, 0);
    /* Nothing may follow FINGERPRINT in the builder either. */
    stun_enc_init(&e, buf, sizeof buf, STUN_BINDING, STUN_REQUEST, txid);
    stun_enc_fingerprint(&e);
    stun_enc_str(&e, STUN_ATTR_SOFTWARE, "late");
    g_assert_cmpint(stun_enc_finish(&e, &len), ==, -EINVAL);
    stun_enc_init(&e, buf, 30, STUN_BINDING, STUN_REQUEST, txid);
    stun_enc_str(&e, STUN_ATTR_SOFTWARE, "does not fit");
    g_assert_cmpint(stun_enc_finish(&e, &len), ==, -ENOSPC);
    stun_enc_init(&e, buf, sizeof buf, STUN_BINDING, STUN_REQUEST, txid);
    stun_enc_error(&e, 700, NULL);
    g_assert_cmpint(stun_enc_finish(&e, &len), ==, -EINVAL);
}

/* Zeroes the padding bytes of a decoded message's buffer copy (the decoder ignores them, the
 * encoder writes zeros, so that is the form in which decode and encode are exact inverses). */
static void zero_padding(uint8_t *buf, const stun_msg *m)
{
    for (size_t i = 0; i < m->n_attrs; i++) {
        const stun_attr *a = &m->attrs[i];
        size_t end = (size_t)a->off + 4 + a->len;
        memset(buf + end, 0, (4 - (a->len & 3)) & 3);
    }
}

static void test_mutations(void)
{
    const uint8_t *seeds[] = { rfc_request, rfc_response4, rfc_response6, rfc_longterm };
    const size_t lens[] = { sizeof rfc_request, sizeof rfc_response4, sizeof rfc_response6,
                            sizeof rfc_longterm };
    sim_rng r;
    sim_rng_seed(&r, 5769);
    unsigned ok = 0;
    for (int i = 0; i < 20000; i++) {
        unsigned k = sim_rng_below(&r, 4);
        uint8_t buf[200], again[STUN_MSG_MAX];
        size_t len = lens[k], len2;
        memcpy(buf, seeds[k], len);
        unsigned flips = 1 + sim_rng_below(&r, 3);
        for (unsigned f = 0; f < flips; f++)
            buf[sim_rng_below(&r, (uint32_t)len)] ^= (uint8_t)(1u << sim_rng_below(&r, 8));
        if (sim_rng_chance(&r, 0.2))
            len = sim_rng_below(&r, (uint32_t)len + 8);
        stun_msg m;
        if (stun_msg_decode(buf, len, &m, NULL) != 0)
            continue;
        g_assert_cmpint(stun_msg_encode(&m, again, sizeof again, &len2), ==, 0);
        zero_padding(buf, &m);
        g_assert_cmpmem(again, len2, buf, len);
        GString *s = g_string_new(NULL);
        stun_msg_fmt(&m, s);
        g_string_free(s, TRUE);
        ok++;
    }
    g_assert_cmpuint(ok, >, 1000);
}

static void test_decode_cli(void)
{
    GString *out = g_string_new(NULL);
    GError *err = NULL;
    char *argv1[] = { "f", "--password", (char *)rfc_password };
    g_assert_cmpint(stun_decode(rfc_request, sizeof rfc_request, 3, argv1, out, &err), ==, 0);
    g_assert_nonnull(strstr(out->str, "Binding request"));
    g_assert_nonnull(strstr(out->str, "\"STUN test client\""));
    g_assert_nonnull(strstr(out->str, "MESSAGE-INTEGRITY: ok"));
    g_assert_nonnull(strstr(out->str, "FINGERPRINT: ok"));
    g_string_truncate(out, 0);
    g_assert_cmpint(stun_decode(rfc_response6, sizeof rfc_response6, 1, argv1, out, &err), ==, 0);
    g_assert_nonnull(strstr(out->str, "[2001:db8:1234:5678:11:2233:4455:6677]:32853"));
    g_string_truncate(out, 0);
    char *argv2[] = { "f", "--user", (char *)lt_user, "--realm", "example.org", "--password",
                      "TheMatrIX" };
    g_assert_cmpint(stun_decode(rfc_longterm, sizeof rfc_longterm, 7, argv2, out, &err), ==, 0);
    g_assert_nonnull(strstr(out->str, "MESSAGE-INTEGRITY: ok"));
    uint8_t key[16];
    char hex[33];
    stun_key_long_term(lt_user, "example.org", "TheMatrIX", key);
    for (int i = 0; i < 16; i++)
        g_snprintf(hex + 2 * i, 3, "%02x", key[i]);
    char *argv5[] = { "f", "--key", hex };
    g_assert_cmpint(stun_decode(rfc_longterm, sizeof rfc_longterm, 3, argv5, out, &err), ==, 0);
    char *argv3[] = { "f", "--key", "00112233" };
    g_assert_cmpint(stun_decode(rfc_longterm, sizeof rfc_longterm, 3, argv3, out, &err), ==, -1);
    g_assert_nonnull(strstr(out->str, "MISMATCH"));
    g_clear_error(&err);
    g_assert_cmpint(stun_decode(rfc_request, 60, 1, argv1, out, &err), ==, -1);
    g_assert_nonnull(strstr(err->message, "at byte 2"));
    g_clear_error(&err);
    char *argv4[] = { "f", "--bogus" };
    g_assert_cmpint(stun_decode(rfc_request, sizeof rfc_request, 2, argv4, out, &err), ==, -1);
    g_assert_nonnull(strstr(err->message, "--bogus"));
    g_clear_error(&err);
    g_string_free(out, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/stun/decode/rfc5769-request", test_rfc_request);
    g_test_add_func("/stun/decode/rfc5769-ipv4-response", test_rfc_response4);
    g_test_add_func("/stun/decode/rfc5769-ipv6-response", test_rfc_response6);
    g_test_add_func("/stun/decode/rfc5769-long-term", test_rfc_longterm);
    g_test_add_func("/stun/auth/sha256-fingerprint-python", test_sha256_python);
    g_test_add_func("/stun/attr/round-trip", test_round_trip);
    g_test_add_func("/stun/decode/reject", test_reject);
    g_test_add_func("/stun/decode/unknown-and-ignored", test_unknown_and_ignored);
    g_test_add_func("/stun/decode/mutations", test_mutations);
    g_test_add_func("/stun/decode/cli", test_decode_cli);
    return g_test_run();
}
