/* protocols/stun/stun_attr.c — what each STUN attribute's value means: the table of known
 * attributes (RFC 8489 §14, RFC 5780 §7, RFC 8445 §16.1) with their size rules, the typed
 * getters on a decoded message and the typed appenders of the builder.
 *
 * Address attributes (MAPPED-ADDRESS and friends; XOR-* ones XORed, RFC 8489 §14.2):
 *
 *    0                   1                   2                   3
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |0 0 0 0 0 0 0 0|    Family     |         (X-)Port              |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |           (X-)Address (32 bits IPv4 or 128 bits IPv6)         |
 *
 * X-Port = port ^ (cookie >> 16); X-Address = address ^ cookie (IPv4) or
 * address ^ (cookie || transaction id) (IPv6).
 */
#include "protocols/stun/stun.h"

#include <errno.h>
#include <string.h>

enum kind { K_RAW, K_ADDR, K_XADDR, K_TEXT, K_ERROR, K_UNKNOWN, K_MI256 };

typedef struct attr_info {
    uint16_t type;
    const char *name;
    enum kind kind;
    uint16_t min, max; /* value length bounds (K_RAW, K_TEXT) */
} attr_info;

static const attr_info attr_table[] = {
    { STUN_ATTR_MAPPED_ADDRESS, "MAPPED-ADDRESS", K_ADDR, 0, 0 },
    { STUN_ATTR_CHANGE_REQUEST, "CHANGE-REQUEST", K_RAW, 4, 4 },
    { STUN_ATTR_USERNAME, "USERNAME", K_TEXT, 0, STUN_USERNAME_MAX },
    { STUN_ATTR_MESSAGE_INTEGRITY, "MESSAGE-INTEGRITY", K_RAW, 20, 20 },
    { STUN_ATTR_ERROR_CODE, "ERROR-CODE", K_ERROR, 0, 0 },
    { STUN_ATTR_UNKNOWN_ATTRIBUTES, "UNKNOWN-ATTRIBUTES", K_UNKNOWN, 0, 0 },
    { STUN_ATTR_REALM, "REALM", K_TEXT, 0, STUN_TEXT_MAX },
    { STUN_ATTR_NONCE, "NONCE", K_TEXT, 0, STUN_TEXT_MAX },
    { STUN_ATTR_MESSAGE_INTEGRITY_SHA256, "MESSAGE-INTEGRITY-SHA256", K_MI256, 16, 32 },
    { STUN_ATTR_XOR_MAPPED_ADDRESS, "XOR-MAPPED-ADDRESS", K_XADDR, 0, 0 },
    { STUN_ATTR_PRIORITY, "PRIORITY", K_RAW, 4, 4 },
    { STUN_ATTR_USE_CANDIDATE, "USE-CANDIDATE", K_RAW, 0, 0 },
    { STUN_ATTR_PADDING, "PADDING", K_RAW, 0, 0xFFFF },
    { STUN_ATTR_RESPONSE_PORT, "RESPONSE-PORT", K_RAW, 4, 4 },
    { STUN_ATTR_SOFTWARE, "SOFTWARE", K_TEXT, 0, STUN_TEXT_MAX },
    { STUN_ATTR_ALTERNATE_SERVER, "ALTERNATE-SERVER", K_ADDR, 0, 0 },
    { STUN_ATTR_FINGERPRINT, "FINGERPRINT", K_RAW, 4, 4 },
    { STUN_ATTR_ICE_CONTROLLED, "ICE-CONTROLLED", K_RAW, 8, 8 },
    { STUN_ATTR_ICE_CONTROLLING, "ICE-CONTROLLING", K_RAW, 8, 8 },
    { STUN_ATTR_RESPONSE_ORIGIN, "RESPONSE-ORIGIN", K_ADDR, 0, 0 },
    { STUN_ATTR_OTHER_ADDRESS, "OTHER-ADDRESS", K_ADDR, 0, 0 },
};

static const attr_info *attr_lookup(uint16_t type)
{
    for (size_t i = 0; i < G_N_ELEMENTS(attr_table); i++)
        if (attr_table[i].type == type)
            return &attr_table[i];
    return NULL;
}

const char *stun_attr_name(uint16_t type)
{
    const attr_info *ai = attr_lookup(type);
    return ai ? ai->name : NULL;
}

const char *stun_method_name(uint16_t method)
{
    return method == STUN_BINDING ? "Binding" : NULL;
}

const char *stun_class_name(stun_class cls)
{
    static const char *names[] = { "request", "indication", "success response",
                                   "error response" };
    return (unsigned)cls < G_N_ELEMENTS(names) ? names[cls] : "?";
}

const char *stun_reason(uint16_t code)
{
    switch (code) {
    case 300: return "Try Alternate";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 420: return "Unknown Attribute";
    case 438: return "Stale Nonce";
    case 500: return "Server Error";
    default: return "";
    }
}

/* Address value: 8 bytes for family 1 (IPv4), 20 for family 2 (IPv6). */
static const char *check_addr(const uint8_t *v, size_t len)
{
    if (len < 4)
        return "address attribute shorter than 4 bytes";
    if (v[1] == 1)
        return len == 8 ? NULL : "IPv4 address attribute is not 8 bytes";
    if (v[1] == 2)
        return len == 20 ? NULL : "IPv6 address attribute is not 20 bytes";
    return "address family is neither 1 (IPv4) nor 2 (IPv6)";
}

const char *stun_attr_check(uint16_t type, const uint8_t *v, size_t len, bool *known)
{
    const attr_info *ai = attr_lookup(type);
    *known = ai != NULL;
    if (!ai)
        return NULL;
    switch (ai->kind) {
    case K_ADDR:
    case K_XADDR:
        return check_addr(v, len);
    case K_ERROR:
        if (len < 4)
            return "ERROR-CODE shorter than 4 bytes";
        if ((v[2] & 7) < 3 || (v[2] & 7) > 6 || v[3] > 99)
            return "ERROR-CODE outside 300..699";
        return len - 4 > STUN_TEXT_MAX ? "ERROR-CODE reason phrase too long" : NULL;
    case K_UNKNOWN:
        return (len & 1) ? "UNKNOWN-ATTRIBUTES length is odd" : NULL;
    case K_MI256:
        if (len < ai->min || len > ai->max || (len & 3))
            return "MESSAGE-INTEGRITY-SHA256 is not 16..32 bytes in steps of 4";
        return NULL;
    case K_TEXT:
    case K_RAW:
        if (len < ai->min || len > ai->max)
            return ai->min == ai->max ? "attribute has the wrong fixed size"
                                      : "attribute value too long";
        return NULL;
    }
    return NULL;
}

/* ---------------------------------------------------------------- getters */

static bool is_xor(uint16_t type)
{
    const attr_info *ai = attr_lookup(type);
    /* Unknown types in the comprehension ranges that TURN will add (XOR-PEER-ADDRESS 0x0012,
     * XOR-RELAYED-ADDRESS 0x0016) are XOR too. */
    return (ai && ai->kind == K_XADDR) || type == 0x0012 || type == 0x0016;
}

/* XOR mask for an address: cookie, then the transaction id (RFC 8489 §14.2). */
static void xor_mask(const uint8_t txid[STUN_TXID_LEN], uint8_t mask[16])
{
    mask[0] = 0x21;
    mask[1] = 0x12;
    mask[2] = 0xA4;
    mask[3] = 0x42;
    memcpy(mask + 4, txid, STUN_TXID_LEN);
}

int stun_msg_get_addr(const stun_msg *m, uint16_t type, sim_ep *ep)
{
    const stun_attr *a = stun_msg_find(m, type);
    return a ? stun_attr_addr(a, m->txid, ep) : -ENOENT;
}

int stun_attr_addr(const stun_attr *a, const uint8_t txid[STUN_TXID_LEN], sim_ep *ep)
{
    cur c;
    cur_init(&c, a->value, a->len);
    cur_u8(&c);
    uint8_t fam = cur_u8(&c);
    uint16_t port = cur_u16(&c);
    size_t n = fam == 1 ? 4 : fam == 2 ? 16 : 0;
    uint8_t b[16] = { 0 };
    if (!n || cur_copy(&c, b, n) || cur_left(&c))
        return -EBADMSG;
    if (is_xor(a->type)) {
        uint8_t mask[16];
        xor_mask(txid, mask);
        port ^= (uint16_t)(STUN_MAGIC_COOKIE >> 16);
        for (size_t i = 0; i < n; i++)
            b[i] ^= mask[i];
    }
    *ep = (sim_ep){ .ip = n == 4 ? sim_ip4_bytes(b) : sim_ip6(b), .port = port };
    return 0;
}

int stun_msg_get_u32(const stun_msg *m, uint16_t type, uint32_t *v)
{
    const stun_attr *a = stun_msg_find(m, type);
    if (!a)
        return -ENOENT;
    if (a->len != 4)
        return -EBADMSG;
    cur c;
    cur_init(&c, a->value, a->len);
    *v = cur_u32(&c);
    return 0;
}

int stun_msg_get_u64(const stun_msg *m, uint16_t type, uint64_t *v)
{
    const stun_attr *a = stun_msg_find(m, type);
    if (!a)
        return -ENOENT;
    if (a->len != 8)
        return -EBADMSG;
    cur c;
    cur_init(&c, a->value, a->len);
    *v = cur_u64(&c);
    return 0;
}

int stun_msg_get_port(const stun_msg *m, uint16_t type, uint16_t *port)
{
    uint32_t v;
    int rc = stun_msg_get_u32(m, type, &v);
    if (rc == 0)
        *port = (uint16_t)(v >> 16);
    return rc;
}

int stun_msg_get_error(const stun_msg *m, uint16_t *code, char *reason, size_t cap)
{
    const stun_attr *a = stun_msg_find(m, STUN_ATTR_ERROR_CODE);
    if (!a)
        return -ENOENT;
    bool known;
    if (stun_attr_check(a->type, a->value, a->len, &known))
        return -EBADMSG;
    *code = (uint16_t)((a->value[2] & 7) * 100 + a->value[3]);
    if (reason && cap) {
        size_t n = MIN((size_t)a->len - 4, cap - 1);
        memcpy(reason, a->value + 4, n);
        reason[n] = '\0';
    }
    return 0;
}

int stun_msg_get_str(const stun_msg *m, uint16_t type, char *s, size_t cap)
{
    const stun_attr *a = stun_msg_find(m, type);
    if (!a)
        return -ENOENT;
    if ((size_t)a->len + 1 > cap)
        return -ENOSPC;
    memcpy(s, a->value, a->len);
    s[a->len] = '\0';
    return 0;
}

int stun_msg_get_unknown(const stun_msg *m, uint16_t *types, size_t cap, size_t *n)
{
    const stun_attr *a = stun_msg_find(m, STUN_ATTR_UNKNOWN_ATTRIBUTES);
    if (!a)
        return -ENOENT;
    if (a->len & 1)
        return -EBADMSG;
    cur c;
    cur_init(&c, a->value, a->len);
    size_t k = 0;
    while (cur_left(&c) && k < cap)
        types[k++] = cur_u16(&c);
    *n = k;
    return 0;
}

/* ---------------------------------------------------------------- builder appenders */

void stun_enc_addr(stun_enc *e, uint16_t type, const sim_ep *ep)
{
    size_t n = ep->ip.family == SIM_AF_INET ? 4 : ep->ip.family == SIM_AF_INET6 ? 16 : 0;
    if (!n) {
        if (!e->err)
            e->err = -EINVAL;
        return;
    }
    if (e->err)
        return;
    uint8_t v[20] = { 0, n == 4 ? 1 : 2 };
    uint16_t port = ep->port;
    uint8_t b[16];
    memcpy(b, ep->ip.b, n);
    if (is_xor(type)) {
        uint8_t mask[16];
        xor_mask(e->w.buf + 8, mask); /* the header (with the txid) is already written */
        port ^= (uint16_t)(STUN_MAGIC_COOKIE >> 16);
        for (size_t i = 0; i < n; i++)
            b[i] ^= mask[i];
    }
    v[2] = (uint8_t)(port >> 8);
    v[3] = (uint8_t)port;
    memcpy(v + 4, b, n);
    stun_enc_attr(e, type, v, 4 + n);
}

void stun_enc_u32(stun_enc *e, uint16_t type, uint32_t x)
{
    uint8_t v[4] = { (uint8_t)(x >> 24), (uint8_t)(x >> 16), (uint8_t)(x >> 8), (uint8_t)x };
    stun_enc_attr(e, type, v, sizeof v);
}

void stun_enc_u64(stun_enc *e, uint16_t type, uint64_t x)
{
    uint8_t v[8];
    for (int i = 0; i < 8; i++)
        v[i] = (uint8_t)(x >> (56 - 8 * i));
    stun_enc_attr(e, type, v, sizeof v);
}

void stun_enc_str(stun_enc *e, uint16_t type, const char *s)
{
    size_t n = strlen(s);
    const attr_info *ai = attr_lookup(type);
    if (ai && ai->kind == K_TEXT && n > ai->max) {
        if (!e->err)
            e->err = -EINVAL;
        return;
    }
    stun_enc_attr(e, type, s, n);
}

void stun_enc_port(stun_enc *e, uint16_t type, uint16_t port)
{
    stun_enc_u32(e, type, (uint32_t)port << 16);
}

void stun_enc_error(stun_enc *e, uint16_t code, const char *reason)
{
    if (code < 300 || code > 699) {
        if (!e->err)
            e->err = -EINVAL;
        return;
    }
    if (!reason)
        reason = stun_reason(code);
    size_t n = strlen(reason);
    if (n > STUN_TEXT_MAX) {
        if (!e->err)
            e->err = -EINVAL;
        return;
    }
    uint8_t v[4 + STUN_TEXT_MAX] = { 0, 0, (uint8_t)(code / 100), (uint8_t)(code % 100) };
    memcpy(v + 4, reason, n);
    stun_enc_attr(e, STUN_ATTR_ERROR_CODE, v, 4 + n);
}

void stun_enc_unknown(stun_enc *e, const uint16_t *types, size_t n)
{
    uint8_t v[2 * STUN_UNKNOWN_MAX];
    if (n > STUN_UNKNOWN_MAX) {
        if (!e->err)
            e->err = -EINVAL;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        v[2 * i] = (uint8_t)(types[i] >> 8);
        v[2 * i + 1] = (uint8_t)types[i];
    }
    stun_enc_attr(e, STUN_ATTR_UNKNOWN_ATTRIBUTES, v, 2 * n);
}
