/* protocols/turn/turn_msg.c — the TURN codec: TURN attributes (RFC 8656 §18) checked on top of
 * the STUN codec, their typed getters and appenders, and ChannelData framing (§12.4).
 *
 * Fixed-size attribute layouts:
 *   CHANNEL-NUMBER             | Channel Number (16) | RFFU = 0 (16) |
 *   LIFETIME                   | seconds (32) |
 *   REQUESTED-TRANSPORT        | Protocol (8) | RFFU (24) |
 *   REQUESTED-/ADDITIONAL-ADDRESS-FAMILY  | Family (8) | Reserved (24) |
 *   EVEN-PORT                  |R| RFFU (7) |               (one byte, padded)
 *   RESERVATION-TOKEN          | token (64) |
 *   DONT-FRAGMENT              (empty)
 *   ADDRESS-ERROR-CODE         | Family (8) | Reserved (13) | Class (3) | Number (8) | Reason |
 *   ICMP                       | Reserved (16) | ICMP Type (8) | ICMP Code (8) | Error Data (32) |
 */
#include "protocols/turn/turn.h"

#include <errno.h>
#include <string.h>

enum kind { K_FIXED, K_ADDR, K_ANY, K_FAMILY, K_ADDR_ERROR };

typedef struct turn_attr_info {
    uint16_t type;
    const char *name;
    enum kind kind;
    uint16_t len; /* K_FIXED, K_FAMILY: the exact length */
} turn_attr_info;

static const turn_attr_info turn_attrs[] = {
    { TURN_ATTR_CHANNEL_NUMBER, "CHANNEL-NUMBER", K_FIXED, 4 },
    { TURN_ATTR_LIFETIME, "LIFETIME", K_FIXED, 4 },
    { TURN_ATTR_XOR_PEER_ADDRESS, "XOR-PEER-ADDRESS", K_ADDR, 0 },
    { TURN_ATTR_DATA, "DATA", K_ANY, 0 },
    { TURN_ATTR_XOR_RELAYED_ADDRESS, "XOR-RELAYED-ADDRESS", K_ADDR, 0 },
    { TURN_ATTR_REQUESTED_ADDRESS_FAMILY, "REQUESTED-ADDRESS-FAMILY", K_FAMILY, 4 },
    { TURN_ATTR_EVEN_PORT, "EVEN-PORT", K_FIXED, 1 },
    { TURN_ATTR_REQUESTED_TRANSPORT, "REQUESTED-TRANSPORT", K_FIXED, 4 },
    { TURN_ATTR_DONT_FRAGMENT, "DONT-FRAGMENT", K_FIXED, 0 },
    { TURN_ATTR_RESERVATION_TOKEN, "RESERVATION-TOKEN", K_FIXED, 8 },
    { TURN_ATTR_ADDITIONAL_ADDRESS_FAMILY, "ADDITIONAL-ADDRESS-FAMILY", K_FAMILY, 4 },
    { TURN_ATTR_ADDRESS_ERROR_CODE, "ADDRESS-ERROR-CODE", K_ADDR_ERROR, 0 },
    { TURN_ATTR_ICMP, "ICMP", K_FIXED, 8 },
};

static const turn_attr_info *lookup(uint16_t type)
{
    for (size_t i = 0; i < G_N_ELEMENTS(turn_attrs); i++)
        if (turn_attrs[i].type == type)
            return &turn_attrs[i];
    return NULL;
}

const char *turn_attr_name(uint16_t type)
{
    const turn_attr_info *ai = lookup(type);
    return ai ? ai->name : stun_attr_name(type);
}

const char *turn_method_name(uint16_t method)
{
    switch (method) {
    case TURN_ALLOCATE: return "Allocate";
    case TURN_REFRESH: return "Refresh";
    case TURN_SEND: return "Send";
    case TURN_DATA: return "Data";
    case TURN_CREATE_PERMISSION: return "CreatePermission";
    case TURN_CHANNEL_BIND: return "ChannelBind";
    default: return stun_method_name(method);
    }
}

const char *turn_reason(uint16_t code)
{
    switch (code) {
    case TURN_ERR_FORBIDDEN: return "Forbidden";
    case TURN_ERR_ALLOCATION_MISMATCH: return "Allocation Mismatch";
    case TURN_ERR_ADDRESS_FAMILY: return "Address Family not Supported";
    case TURN_ERR_WRONG_CREDENTIALS: return "Wrong Credentials";
    case TURN_ERR_UNSUPPORTED_TRANSPORT: return "Unsupported Transport Protocol";
    case TURN_ERR_PEER_FAMILY_MISMATCH: return "Peer Address Family Mismatch";
    case TURN_ERR_QUOTA: return "Allocation Quota Reached";
    case TURN_ERR_INSUFFICIENT_CAPACITY: return "Insufficient Capacity";
    default: return stun_reason(code);
    }
}

static bool family_ok(uint8_t f) { return f == TURN_FAMILY_IPV4 || f == TURN_FAMILY_IPV6; }

const char *turn_attr_check(uint16_t type, const uint8_t *v, size_t len, bool *known)
{
    const turn_attr_info *ai = lookup(type);
    if (!ai)
        return stun_attr_check(type, v, len, known);
    *known = true;
    bool k;
    switch (ai->kind) {
    case K_ADDR: /* same rules as XOR-MAPPED-ADDRESS */
        return stun_attr_check(STUN_ATTR_XOR_MAPPED_ADDRESS, v, len, &k);
    case K_ANY:
        return NULL;
    case K_FIXED:
        return len == ai->len ? NULL : "attribute has the wrong fixed size";
    case K_FAMILY:
        if (len != ai->len)
            return "address family attribute is not 4 bytes";
        return family_ok(v[0]) ? NULL : "address family is neither 1 (IPv4) nor 2 (IPv6)";
    case K_ADDR_ERROR:
        if (len < 4)
            return "ADDRESS-ERROR-CODE shorter than 4 bytes";
        if (!family_ok(v[0]))
            return "ADDRESS-ERROR-CODE family is neither 1 nor 2";
        if ((v[2] & 7) < 3 || (v[2] & 7) > 6 || v[3] > 99)
            return "ADDRESS-ERROR-CODE outside 300..699";
        return len - 4 > STUN_TEXT_MAX ? "ADDRESS-ERROR-CODE reason phrase too long" : NULL;
    }
    return NULL;
}

int turn_msg_decode(const uint8_t *buf, size_t len, stun_msg *out, stun_err *e)
{
    stun_msg m;
    int rc = stun_msg_decode(buf, len, &m, e);
    if (rc)
        return rc;
    /* The STUN codec counted TURN's comprehension-required types as unknown and did not check
     * them: check them here and rebuild the unknown list from the attributes. */
    m.n_unknown = 0;
    for (size_t i = 0; i < m.n_attrs; i++) {
        const stun_attr *a = &m.attrs[i];
        if (a->ignored)
            continue;
        bool known;
        const char *why = turn_attr_check(a->type, a->value, a->len, &known);
        if (why) {
            if (e)
                *e = (stun_err){ .off = (size_t)a->off + 4, .why = why };
            return -EBADMSG;
        }
        bool dup = false;
        for (size_t k = 0; k < m.n_unknown; k++)
            dup = dup || m.unknown[k] == a->type;
        if (!known && a->type < 0x8000 && !dup && m.n_unknown < STUN_UNKNOWN_MAX)
            m.unknown[m.n_unknown++] = a->type;
    }
    memcpy(out, &m, sizeof m);
    return 0;
}

/* ---------------------------------------------------------------- getters */

/* The attribute of type with its fixed length checked; its value cursor in *c. */
static int get_fixed(const stun_msg *m, uint16_t type, cur *c)
{
    const stun_attr *a = stun_msg_find(m, type);
    if (!a)
        return -ENOENT;
    bool known;
    if (turn_attr_check(type, a->value, a->len, &known))
        return -EBADMSG;
    cur_init(c, a->value, a->len);
    return 0;
}

int turn_msg_get_channel(const stun_msg *m, uint16_t *ch)
{
    cur c;
    int rc = get_fixed(m, TURN_ATTR_CHANNEL_NUMBER, &c);
    if (rc == 0)
        *ch = cur_u16(&c);
    return rc;
}

int turn_msg_get_lifetime(const stun_msg *m, uint32_t *secs)
{
    cur c;
    int rc = get_fixed(m, TURN_ATTR_LIFETIME, &c);
    if (rc == 0)
        *secs = cur_u32(&c);
    return rc;
}

int turn_msg_get_transport(const stun_msg *m, uint8_t *proto)
{
    cur c;
    int rc = get_fixed(m, TURN_ATTR_REQUESTED_TRANSPORT, &c);
    if (rc == 0)
        *proto = cur_u8(&c);
    return rc;
}

int turn_msg_get_family(const stun_msg *m, uint16_t type, uint8_t *family)
{
    if (type != TURN_ATTR_REQUESTED_ADDRESS_FAMILY && type != TURN_ATTR_ADDITIONAL_ADDRESS_FAMILY)
        return -EINVAL;
    cur c;
    int rc = get_fixed(m, type, &c);
    if (rc == 0)
        *family = cur_u8(&c);
    return rc;
}

int turn_msg_get_even_port(const stun_msg *m, bool *reserve)
{
    cur c;
    int rc = get_fixed(m, TURN_ATTR_EVEN_PORT, &c);
    if (rc == 0)
        *reserve = (cur_u8(&c) & 0x80) != 0;
    return rc;
}

int turn_msg_get_data(const stun_msg *m, const uint8_t **data, size_t *len)
{
    const stun_attr *a = stun_msg_find(m, TURN_ATTR_DATA);
    if (!a)
        return -ENOENT;
    *data = a->value;
    *len = a->len;
    return 0;
}

int turn_msg_get_address_error(const stun_msg *m, uint8_t *family, uint16_t *code, char *reason,
                               size_t cap)
{
    cur c;
    int rc = get_fixed(m, TURN_ATTR_ADDRESS_ERROR_CODE, &c);
    if (rc)
        return rc;
    *family = cur_u8(&c);
    cur_u8(&c);
    uint8_t cls = cur_u8(&c) & 7;
    *code = (uint16_t)(cls * 100 + cur_u8(&c));
    if (reason && cap) {
        size_t n = MIN(cur_left(&c), cap - 1);
        cur_copy(&c, reason, n);
        reason[n] = '\0';
    }
    return 0;
}

int turn_msg_get_icmp(const stun_msg *m, uint8_t *type, uint8_t *code, uint32_t *data)
{
    cur c;
    int rc = get_fixed(m, TURN_ATTR_ICMP, &c);
    if (rc)
        return rc;
    cur_u16(&c);
    *type = cur_u8(&c);
    *code = cur_u8(&c);
    *data = cur_u32(&c);
    return 0;
}

/* ---------------------------------------------------------------- appenders */

void turn_enc_channel(stun_enc *e, uint16_t ch)
{
    stun_enc_u32(e, TURN_ATTR_CHANNEL_NUMBER, (uint32_t)ch << 16);
}

void turn_enc_lifetime(stun_enc *e, uint32_t secs) { stun_enc_u32(e, TURN_ATTR_LIFETIME, secs); }

void turn_enc_transport(stun_enc *e, uint8_t proto)
{
    stun_enc_u32(e, TURN_ATTR_REQUESTED_TRANSPORT, (uint32_t)proto << 24);
}

void turn_enc_family(stun_enc *e, uint16_t type, uint8_t family)
{
    stun_enc_u32(e, type, (uint32_t)family << 24);
}

void turn_enc_even_port(stun_enc *e, bool reserve)
{
    uint8_t v = reserve ? 0x80 : 0;
    stun_enc_attr(e, TURN_ATTR_EVEN_PORT, &v, 1);
}

void turn_enc_address_error(stun_enc *e, uint8_t family, uint16_t code, const char *reason)
{
    if (code < 300 || code > 699 || !family_ok(family)) {
        if (!e->err)
            e->err = -EINVAL;
        return;
    }
    if (!reason)
        reason = turn_reason(code);
    size_t n = MIN(strlen(reason), (size_t)STUN_TEXT_MAX);
    uint8_t v[4 + STUN_TEXT_MAX] = { family, 0, (uint8_t)(code / 100), (uint8_t)(code % 100) };
    memcpy(v + 4, reason, n);
    stun_enc_attr(e, TURN_ATTR_ADDRESS_ERROR_CODE, v, 4 + n);
}

void turn_enc_icmp(stun_enc *e, uint8_t type, uint8_t code, uint32_t data)
{
    uint8_t v[8] = { 0, 0, type, code, (uint8_t)(data >> 24), (uint8_t)(data >> 16),
                     (uint8_t)(data >> 8), (uint8_t)data };
    stun_enc_attr(e, TURN_ATTR_ICMP, v, sizeof v);
}

/* ---------------------------------------------------------------- ChannelData */

bool turn_is_chandata(const uint8_t *buf, size_t len)
{
    return len >= TURN_CHANDATA_HDR && (buf[0] & 0xC0) == 0x40;
}

int turn_chandata_encode(uint16_t ch, const uint8_t *data, size_t len, bool pad, uint8_t *buf,
                         size_t cap, size_t *out_len)
{
    if (ch < TURN_CHANNEL_MIN || ch > TURN_CHANNEL_FRAME_MAX || len > 0xFFFF || (len && !data))
        return -EINVAL;
    wr w;
    wr_init(&w, buf, cap);
    wr_u16(&w, ch);
    wr_u16(&w, (uint16_t)len);
    wr_bytes(&w, data, len);
    if (pad)
        wr_zero(&w, (4 - (len & 3)) & 3);
    if (w.err)
        return w.err;
    *out_len = w.len;
    return 0;
}

static int chan_fail(const char **why, const char *reason)
{
    if (why)
        *why = reason;
    return -EBADMSG;
}

int turn_chandata_decode(const uint8_t *buf, size_t len, uint16_t *ch, const uint8_t **data,
                         size_t *dlen, const char **why)
{
    cur c;
    cur_init(&c, buf, len);
    uint16_t n = cur_u16(&c);
    uint16_t l = cur_u16(&c);
    if (!cur_ok(&c))
        return chan_fail(why, "shorter than the 4-byte ChannelData header");
    if ((n & 0xC000) != 0x4000)
        return chan_fail(why, "channel number outside 0x4000-0x7FFF");
    const uint8_t *p = cur_bytes(&c, l);
    if (!p && l)
        return chan_fail(why, "length runs past the end of the datagram");
    size_t extra = cur_left(&c);
    if (extra && extra != ((4u - (l & 3u)) & 3u))
        return chan_fail(why, "trailing bytes are not padding to a multiple of 4");
    *ch = n;
    *data = p ? p : buf + TURN_CHANDATA_HDR;
    *dlen = l;
    return 0;
}
