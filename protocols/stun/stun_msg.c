/* protocols/stun/stun_msg.c — the STUN header and TLV layer (RFC 8489 §5, §14): decode with
 * every length checked, generic re-encode, and the attribute-by-attribute builder. What each
 * attribute's value means is in stun_attr.c. */
#include "protocols/stun/stun.h"

#include <errno.h>
#include <string.h>

uint16_t stun_type(uint16_t method, stun_class cls)
{
    /* M11..M7 | C1 | M6..M4 | C0 | M3..M0 */
    return (uint16_t)(((method & 0xF80u) << 2) | ((method & 0x070u) << 1) | (method & 0x00Fu) |
                      ((cls & 2u) << 7) | ((cls & 1u) << 4));
}

static void type_split(uint16_t t, uint16_t *method, stun_class *cls)
{
    *method = (uint16_t)(((t >> 2) & 0xF80u) | ((t >> 1) & 0x070u) | (t & 0x00Fu));
    *cls = (stun_class)(((t >> 7) & 2u) | ((t >> 4) & 1u));
}

bool stun_is_message(const uint8_t *buf, size_t len)
{
    cur c;
    cur_init(&c, buf, len);
    uint16_t type = cur_u16(&c);
    uint16_t mlen = cur_u16(&c);
    uint32_t cookie = cur_u32(&c);
    return len >= STUN_HDR_LEN && cur_ok(&c) && (type & 0xC000) == 0 &&
           cookie == STUN_MAGIC_COOKIE && (mlen & 3) == 0 && (size_t)mlen + STUN_HDR_LEN == len;
}

static int fail(stun_err *e, size_t off, const char *why)
{
    if (e) {
        e->off = off;
        e->why = why;
    }
    return -EBADMSG;
}

static int decode_header(cur *c, size_t len, stun_msg *m, stun_err *e)
{
    uint16_t type = cur_u16(c);
    uint16_t mlen = cur_u16(c);
    uint32_t cookie = cur_u32(c);
    cur_copy(c, m->txid, STUN_TXID_LEN);
    if (!cur_ok(c))
        return fail(e, len, "shorter than the 20-byte header");
    if (type & 0xC000)
        return fail(e, 0, "top two bits of the type are not 00");
    if (cookie != STUN_MAGIC_COOKIE)
        return fail(e, 4, "wrong magic cookie");
    if (mlen & 3)
        return fail(e, 2, "message length is not a multiple of 4");
    if ((size_t)mlen + STUN_HDR_LEN != len)
        return fail(e, 2, "message length does not match the datagram");
    type_split(type, &m->method, &m->cls);
    return 0;
}

static void note_unknown(stun_msg *m, uint16_t type)
{
    for (size_t i = 0; i < m->n_unknown; i++)
        if (m->unknown[i] == type)
            return;
    if (m->n_unknown < STUN_UNKNOWN_MAX)
        m->unknown[m->n_unknown++] = type;
}

/* Reads one attribute at the cursor into m. Returns 0 or -EBADMSG with *e set. */
static int decode_attr(cur *c, stun_msg *m, bool *seen_mi, bool *seen_fp, stun_err *e)
{
    size_t off = c->off;
    uint16_t type = cur_u16(c);
    uint16_t alen = cur_u16(c);
    if (!cur_ok(c))
        return fail(e, off, "truncated attribute header");
    size_t padded = ((size_t)alen + 3) & ~(size_t)3;
    if (padded > cur_left(c))
        return fail(e, off + 2, "attribute length runs past the end");
    const uint8_t *v = cur_bytes(c, alen);
    cur_skip(c, padded - alen); /* padding: any value, ignored (RFC 8489 §14) */
    if (*seen_fp)
        return fail(e, off, "attribute after FINGERPRINT");
    if (m->n_attrs == STUN_ATTRS_MAX)
        return fail(e, off, "too many attributes");

    /* RFC 8489 §14.5: after MESSAGE-INTEGRITY only MI-SHA256 and FINGERPRINT count. */
    bool ignored = *seen_mi && type != STUN_ATTR_MESSAGE_INTEGRITY_SHA256 &&
                   type != STUN_ATTR_FINGERPRINT;
    if (!ignored) {
        bool known;
        const char *why = stun_attr_check(type, v, alen, &known);
        if (why)
            return fail(e, off + 4, why);
        if (!known && type < 0x8000)
            note_unknown(m, type);
    }
    if (type == STUN_ATTR_MESSAGE_INTEGRITY || type == STUN_ATTR_MESSAGE_INTEGRITY_SHA256)
        *seen_mi = true;
    if (type == STUN_ATTR_FINGERPRINT)
        *seen_fp = true;
    m->attrs[m->n_attrs++] = (stun_attr){
        .type = type, .len = alen, .value = v, .off = (uint16_t)off, .ignored = ignored,
    };
    return 0;
}

int stun_msg_decode(const uint8_t *buf, size_t len, stun_msg *out, stun_err *e)
{
    if (len > STUN_HDR_LEN + 0xFFFF)
        return fail(e, 2, "longer than a STUN message can be");
    /* Decoded into a local so a failure leaves *out untouched. Large-ish; callers are not on
     * a per-frame path of the engine. */
    stun_msg m;
    m.n_attrs = 0;
    m.n_unknown = 0;
    cur c;
    cur_init(&c, buf, len);
    int rc = decode_header(&c, len, &m, e);
    if (rc)
        return rc;
    bool seen_mi = false, seen_fp = false;
    while (cur_left(&c) > 0) {
        rc = decode_attr(&c, &m, &seen_mi, &seen_fp, e);
        if (rc)
            return rc;
    }
    m.buf = buf;
    m.len = len;
    memcpy(out, &m, offsetof(stun_msg, attrs) + m.n_attrs * sizeof(stun_attr));
    out->n_unknown = m.n_unknown;
    memcpy(out->unknown, m.unknown, sizeof m.unknown);
    return 0;
}

const stun_attr *stun_msg_find(const stun_msg *m, uint16_t type)
{
    for (size_t i = 0; i < m->n_attrs; i++)
        if (m->attrs[i].type == type && !m->attrs[i].ignored)
            return &m->attrs[i];
    return NULL;
}

int stun_msg_encode(const stun_msg *m, uint8_t *buf, size_t cap, size_t *out_len)
{
    if (m->cls > STUN_ERROR || m->method > 0xFFF || m->n_attrs > STUN_ATTRS_MAX)
        return -EINVAL;
    wr w;
    wr_init(&w, buf, cap);
    wr_u16(&w, stun_type(m->method, m->cls));
    size_t len_off = wr_reserve(&w, 2);
    wr_u32(&w, STUN_MAGIC_COOKIE);
    wr_bytes(&w, m->txid, STUN_TXID_LEN);
    for (size_t i = 0; i < m->n_attrs; i++) {
        const stun_attr *a = &m->attrs[i];
        if (a->len && !a->value)
            return -EINVAL;
        wr_u16(&w, a->type);
        wr_u16(&w, a->len);
        wr_bytes(&w, a->value, a->len);
        wr_zero(&w, (4 - (a->len & 3)) & 3);
    }
    if (w.err)
        return w.err;
    if (w.len - STUN_HDR_LEN > 0xFFFF)
        return -EINVAL;
    wr_patch_u16(&w, len_off, (uint16_t)(w.len - STUN_HDR_LEN));
    *out_len = w.len;
    return 0;
}

/* ---------------------------------------------------------------- builder */

void stun_enc_init(stun_enc *e, uint8_t *buf, size_t cap, uint16_t method, stun_class cls,
                   const uint8_t txid[STUN_TXID_LEN])
{
    memset(e, 0, sizeof *e);
    wr_init(&e->w, buf, cap);
    if (method > 0xFFF || cls > STUN_ERROR)
        e->err = -EINVAL;
    wr_u16(&e->w, stun_type(method, cls));
    wr_u16(&e->w, 0);
    wr_u32(&e->w, STUN_MAGIC_COOKIE);
    wr_bytes(&e->w, txid, STUN_TXID_LEN);
    if (e->w.err && !e->err)
        e->err = e->w.err;
}

/* Sets the header length field to n (only once the header is in the buffer). */
static void set_len(stun_enc *e, size_t n)
{
    if (!e->err)
        wr_patch_u16(&e->w, 2, (uint16_t)n);
}

void stun_enc_attr(stun_enc *e, uint16_t type, const void *value, size_t len)
{
    if (e->err)
        return;
    if (e->sealed || len > 0xFFFF || (len && !value) ||
        e->w.len - STUN_HDR_LEN + 4 + ((len + 3) & ~(size_t)3) > 0xFFFF) {
        e->err = -EINVAL;
        return;
    }
    wr_u16(&e->w, type);
    wr_u16(&e->w, (uint16_t)len);
    wr_bytes(&e->w, value, len);
    wr_zero(&e->w, (4 - (len & 3)) & 3);
    if (e->w.err) {
        e->err = e->w.err;
        return;
    }
    set_len(e, e->w.len - STUN_HDR_LEN);
}

void stun_enc_integrity(stun_enc *e, const uint8_t *key, size_t key_len)
{
    if (e->err)
        return;
    uint8_t mac[STUN_HMAC_SHA1_LEN];
    size_t off = e->w.len;
    stun_hmac(false, key, key_len, e->w.buf, off, (uint16_t)(off - STUN_HDR_LEN + 24), mac);
    stun_enc_attr(e, STUN_ATTR_MESSAGE_INTEGRITY, mac, sizeof mac);
}

void stun_enc_integrity_sha256(stun_enc *e, const uint8_t *key, size_t key_len)
{
    if (e->err)
        return;
    uint8_t mac[STUN_HMAC_SHA256_LEN];
    size_t off = e->w.len;
    stun_hmac(true, key, key_len, e->w.buf, off, (uint16_t)(off - STUN_HDR_LEN + 36), mac);
    stun_enc_attr(e, STUN_ATTR_MESSAGE_INTEGRITY_SHA256, mac, sizeof mac);
}

void stun_enc_fingerprint(stun_enc *e)
{
    if (e->err)
        return;
    size_t off = e->w.len;
    uint32_t fp = stun_fingerprint(e->w.buf, off, (uint16_t)(off - STUN_HDR_LEN + 8));
    uint8_t v[4] = { (uint8_t)(fp >> 24), (uint8_t)(fp >> 16), (uint8_t)(fp >> 8), (uint8_t)fp };
    stun_enc_attr(e, STUN_ATTR_FINGERPRINT, v, sizeof v);
    e->sealed = true;
}

int stun_enc_finish(stun_enc *e, size_t *out_len)
{
    if (e->err)
        return e->err;
    *out_len = e->w.len;
    return 0;
}
