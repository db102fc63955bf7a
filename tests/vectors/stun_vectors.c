/* tests/vectors/stun_vectors.c — prints STUN messages natsim's own code builds, one per line as
 * "name hex", for tests/vectors/stun_vectors.py to check with python3's hmac, hashlib and zlib
 * (an implementation that shares nothing with ours): MESSAGE-INTEGRITY with short-term and
 * long-term keys, MESSAGE-INTEGRITY-SHA256, FINGERPRINT, the long-term key itself, and the
 * Binding server core's answers (XOR-MAPPED-ADDRESS for IPv4 and IPv6, RFC 5780 attributes). */
#include <stdio.h>
#include <string.h>
#include "protocols/stun/stun.h"

static void print_hex(const char *name, const uint8_t *b, size_t n)
{
    printf("%s ", name);
    for (size_t i = 0; i < n; i++)
        printf("%02x", b[i]);
    printf("\n");
}

static const uint8_t txid[STUN_TXID_LEN] = { 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                                             0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae };

/* A request with USERNAME, SOFTWARE, then MI (key), MI-SHA256 (when sha256) and FINGERPRINT. */
static void request(const char *name, const char *user, const char *realm, const char *nonce,
                    const uint8_t *key, size_t key_len, bool sha1, bool sha256)
{
    uint8_t buf[STUN_MSG_MAX];
    stun_enc e;
    size_t len;
    stun_enc_init(&e, buf, sizeof buf, STUN_BINDING, STUN_REQUEST, txid);
    stun_enc_str(&e, STUN_ATTR_USERNAME, user);
    if (realm)
        stun_enc_str(&e, STUN_ATTR_REALM, realm);
    if (nonce)
        stun_enc_str(&e, STUN_ATTR_NONCE, nonce);
    stun_enc_str(&e, STUN_ATTR_SOFTWARE, "natsim vectors");
    if (sha1)
        stun_enc_integrity(&e, key, key_len);
    if (sha256)
        stun_enc_integrity_sha256(&e, key, key_len);
    stun_enc_fingerprint(&e);
    if (stun_enc_finish(&e, &len) == 0)
        print_hex(name, buf, len);
}

/* The server core's answer to a plain Binding request from `from` arriving on local idx. */
static void server_answer(const char *name, const char *primary, const char *alt, uint16_t alt_port,
                          size_t idx, const char *from_s, uint32_t change)
{
    stun_server_cfg cfg = { .software = "natsim vectors", .fingerprint = true };
    sim_ep_parse(primary, &cfg.primary);
    if (alt) {
        sim_ip_parse(alt, &cfg.alt_ip);
        cfg.alt_port = alt_port;
    }
    stun_server *s = stun_server_new(&cfg);
    uint8_t req[STUN_MSG_MAX];
    stun_enc e;
    size_t len;
    stun_enc_init(&e, req, sizeof req, STUN_BINDING, STUN_REQUEST, txid);
    if (change)
        stun_enc_u32(&e, STUN_ATTR_CHANGE_REQUEST, change);
    stun_enc_finish(&e, &len);
    sim_ep from;
    sim_ep_parse(from_s, &from);
    stun_out o;
    if (s && stun_server_input(s, 0, idx, &from, req, len) == 0 && stun_server_pop(s, &o))
        print_hex(name, o.data, o.len);
    stun_server_free(s);
}

int main(void)
{
    const char *pw = "VOkJxbRl1RmTxUk/WvJxBt";
    request("short-term-sha1", "evtj:h6vY", NULL, NULL, (const uint8_t *)pw, strlen(pw), true,
            false);
    request("short-term-sha256", "evtj:h6vY", NULL, NULL, (const uint8_t *)pw, strlen(pw),
            false, true);
    request("short-term-both", "evtj:h6vY", NULL, NULL, (const uint8_t *)pw, strlen(pw), true,
            true);
    uint8_t key[16];
    stun_key_long_term("natsim-user", "realm.example", "s3cr3t pass", key);
    print_hex("long-term-key", key, sizeof key);
    request("long-term-sha1", "natsim-user", "realm.example", "f//499k954d6OL34oL9FSTvy64sA",
            key, sizeof key, true, false);
    request("long-term-sha256", "natsim-user", "realm.example", "f//499k954d6OL34oL9FSTvy64sA",
            key, sizeof key, false, true);
    server_answer("server-ipv4@192.0.2.1:32853", "203.0.113.10:3478", NULL, 0, 0,
                  "192.0.2.1:32853", 0);
    server_answer("server-ipv6@[2001:db8:1234:5678:11:2233:4455:6677]:32853", "[2001:db8::3]:3478",
                  NULL, 0, 0, "[2001:db8:1234:5678:11:2233:4455:6677]:32853", 0);
    server_answer("server-rfc5780@68.36.210.57:1211", "203.0.113.10:3478", "203.0.113.11", 3479,
                  0, "68.36.210.57:1211", STUN_CHANGE_IP | STUN_CHANGE_PORT);
    return 0;
}
