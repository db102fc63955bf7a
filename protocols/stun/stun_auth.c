/* protocols/stun/stun_auth.c — STUN message integrity and fingerprint (RFC 8489 §9, §14.5-14.7).
 * HMAC-SHA1 / HMAC-SHA256 and MD5 come from GLib (GHmac, GChecksum); GLib has no CRC-32, so a
 * small table-driven one is here (reflected polynomial 0xEDB88320, as zlib and Ethernet).
 *
 * Both MESSAGE-INTEGRITY and FINGERPRINT cover the message up to (not including) their own
 * attribute, with the header's length field set as if the message ended right after that
 * attribute. The buffers are never modified: the fake length is fed to the hash in place of
 * bytes 2..3. */
#include "protocols/stun/stun.h"

#include <errno.h>
#include <string.h>

static uint32_t crc_table[256];

static void crc_table_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

/* Continues a CRC-32 (pre- and post-inverted by the callers). */
static uint32_t crc_update(uint32_t crc, const uint8_t *p, size_t n)
{
    static gsize once = 0;
    if (g_once_init_enter(&once)) {
        crc_table_init();
        g_once_init_leave(&once, 1);
    }
    for (size_t i = 0; i < n; i++)
        crc = crc_table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
    return crc;
}

uint32_t stun_crc32(const uint8_t *buf, size_t len)
{
    return crc_update(0xFFFFFFFFu, buf, len) ^ 0xFFFFFFFFu;
}

uint32_t stun_fingerprint(const uint8_t *buf, size_t off, uint16_t fake_len)
{
    uint8_t l[2] = { (uint8_t)(fake_len >> 8), (uint8_t)fake_len };
    uint32_t crc = crc_update(0xFFFFFFFFu, buf, 2);
    crc = crc_update(crc, l, 2);
    crc = crc_update(crc, buf + 4, off - 4);
    return (crc ^ 0xFFFFFFFFu) ^ STUN_FINGERPRINT_XOR;
}

void stun_key_long_term(const char *username, const char *realm, const char *password,
                        uint8_t key[16])
{
    GChecksum *md5 = g_checksum_new(G_CHECKSUM_MD5);
    g_checksum_update(md5, (const guchar *)username, (gssize)strlen(username));
    g_checksum_update(md5, (const guchar *)":", 1);
    g_checksum_update(md5, (const guchar *)realm, (gssize)strlen(realm));
    g_checksum_update(md5, (const guchar *)":", 1);
    g_checksum_update(md5, (const guchar *)password, (gssize)strlen(password));
    gsize n = 16;
    g_checksum_get_digest(md5, key, &n);
    g_checksum_free(md5);
}

void stun_hmac(bool sha256, const uint8_t *key, size_t key_len, const uint8_t *buf, size_t off,
               uint16_t fake_len, uint8_t *mac)
{
    static const uint8_t no_key = 0;
    GHmac *h = g_hmac_new(sha256 ? G_CHECKSUM_SHA256 : G_CHECKSUM_SHA1,
                          key_len ? key : &no_key, key_len);
    uint8_t l[2] = { (uint8_t)(fake_len >> 8), (uint8_t)fake_len };
    g_hmac_update(h, buf, 2);
    g_hmac_update(h, l, 2);
    g_hmac_update(h, buf + 4, (gssize)(off - 4));
    gsize n = sha256 ? STUN_HMAC_SHA256_LEN : STUN_HMAC_SHA1_LEN;
    g_hmac_get_digest(h, mac, &n);
    g_hmac_unref(h);
}

/* Constant-time comparison: a verifier should not leak how many MAC bytes matched. */
static bool same(const uint8_t *a, const uint8_t *b, size_t n)
{
    uint8_t d = 0;
    for (size_t i = 0; i < n; i++)
        d |= a[i] ^ b[i];
    return d == 0;
}

static int check_mac(const stun_msg *m, uint16_t type, const uint8_t *key, size_t key_len)
{
    const stun_attr *a = stun_msg_find(m, type);
    bool sha256 = type == STUN_ATTR_MESSAGE_INTEGRITY_SHA256;
    if (!a || a->len > (sha256 ? STUN_HMAC_SHA256_LEN : STUN_HMAC_SHA1_LEN) || a->len < 16 ||
        (size_t)a->off + 4 + a->len > m->len)
        return -EBADMSG;
    uint8_t mac[STUN_HMAC_SHA256_LEN];
    /* The length counts up to the end of this attribute (value lengths are multiples of 4). */
    uint16_t fake = (uint16_t)(a->off - STUN_HDR_LEN + 4 + a->len);
    stun_hmac(sha256, key, key_len, m->buf, a->off, fake, mac);
    return same(mac, a->value, a->len) ? 0 : -EACCES;
}

int stun_msg_check_integrity(const stun_msg *m, const uint8_t *key, size_t key_len)
{
    return check_mac(m, STUN_ATTR_MESSAGE_INTEGRITY, key, key_len);
}

int stun_msg_check_integrity_sha256(const stun_msg *m, const uint8_t *key, size_t key_len)
{
    return check_mac(m, STUN_ATTR_MESSAGE_INTEGRITY_SHA256, key, key_len);
}

int stun_msg_check_fingerprint(const stun_msg *m)
{
    const stun_attr *a = stun_msg_find(m, STUN_ATTR_FINGERPRINT);
    if (!a || a->len != 4)
        return -EBADMSG;
    uint32_t want = stun_fingerprint(m->buf, a->off, (uint16_t)(a->off - STUN_HDR_LEN + 8));
    uint32_t got = ((uint32_t)a->value[0] << 24) | ((uint32_t)a->value[1] << 16) |
                   ((uint32_t)a->value[2] << 8) | a->value[3];
    return want == got ? 0 : -EACCES;
}
