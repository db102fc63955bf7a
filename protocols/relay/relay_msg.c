/* protocols/relay/relay_msg.c — the relay/rendezvous codec (wire format in relay.h).
 * Table-driven: each message type lists its fields in wire order, and one loop encodes or
 * decodes them, so the decoder is the encoder's exact inverse by construction. */
#include "protocols/relay/relay.h"

#include <errno.h>
#include <string.h>
#include "sim/cursor.h"

enum field { F_END, F_NAME, F_FROM, F_PUB, F_PRIV, F_NONCE, F_PAYLOAD, F_CODE, F_TEXT };

typedef struct type_info {
    const char *name;
    enum field fields[5];
} type_info;

/* Indexed by relay_type; the fields of each message in wire order. */
static const type_info types[] = {
    [RELAY_REGISTER] = { "REGISTER", { F_NAME, F_PRIV } },
    [RELAY_REGISTERED] = { "REGISTERED", { F_NAME, F_PUB } },
    [RELAY_CONNECT] = { "CONNECT", { F_NAME } },
    [RELAY_PEER] = { "PEER", { F_NAME, F_PUB, F_PRIV, F_NONCE } },
    [RELAY_PUNCH] = { "PUNCH", { F_NAME, F_NONCE } },
    [RELAY_PUNCH_ACK] = { "PUNCH-ACK", { F_NAME, F_NONCE } },
    [RELAY_RELAY] = { "RELAY", { F_NAME, F_PAYLOAD } },
    [RELAY_RELAYED] = { "RELAYED", { F_NAME, F_PAYLOAD } },
    [RELAY_REVERSE] = { "REVERSE", { F_NAME, F_FROM, F_PUB, F_NONCE } },
    [RELAY_KEEPALIVE] = { "KEEPALIVE", { F_NAME } },
    [RELAY_ERROR] = { "ERROR", { F_CODE, F_TEXT } },
    [RELAY_DATA] = { "DATA", { F_NAME, F_PAYLOAD } },
};

static const type_info *type_lookup(unsigned t)
{
    if (t == 0 || t >= G_N_ELEMENTS(types))
        return NULL;
    return &types[t];
}

const char *relay_type_name(relay_type t)
{
    const type_info *ti = type_lookup(t);
    return ti ? ti->name : "?";
}

/* ---- validation shared by both directions ---- */

static bool name_ok(const char *s, size_t n)
{
    if (n < 1 || n > RELAY_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((uint8_t)s[i] < 0x21 || (uint8_t)s[i] > 0x7e)
            return false;
    return true;
}

bool relay_name_valid(const char *s)
{
    return s && name_ok(s, strnlen(s, RELAY_NAME_MAX + 1));
}

static bool text_ok(const char *s, size_t n)
{
    if (n > RELAY_TEXT_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((uint8_t)s[i] < 0x20 || (uint8_t)s[i] > 0x7e)
            return false;
    return true;
}

static size_t ip_len(int family)
{
    return family == SIM_AF_INET ? 4 : family == SIM_AF_INET6 ? 16 : 0;
}

/* ---- decode ---- */

/* Reads a u8-length string into dst (cap+1 bytes) and checks it with ok(). */
static void get_str(cur *c, char *dst, bool (*ok)(const char *, size_t))
{
    size_t n = cur_u8(c);
    const uint8_t *p = cur_bytes(c, n);
    if (!p)
        return;
    if (!ok((const char *)p, n)) {
        cur_fail(c, -EBADMSG);
        return;
    }
    memcpy(dst, p, n);
    dst[n] = '\0';
}

static void get_ep(cur *c, sim_ep *ep)
{
    uint8_t fam = cur_u8(c);
    ep->port = cur_u16(c);
    size_t n = ip_len(fam);
    if (!n) {
        cur_fail(c, -EBADMSG);
        return;
    }
    ep->ip.family = fam;
    cur_copy(c, ep->ip.b, n);
}

static void get_field(cur *c, enum field f, relay_msg *m)
{
    switch (f) {
    case F_NAME: get_str(c, m->name, name_ok); break;
    case F_FROM: get_str(c, m->from, name_ok); break;
    case F_PUB: get_ep(c, &m->pub); break;
    case F_PRIV: get_ep(c, &m->priv); break;
    case F_NONCE: m->nonce = cur_u64(c); break;
    case F_CODE: m->code = cur_u16(c); break;
    case F_TEXT: get_str(c, m->text, text_ok); break;
    case F_PAYLOAD: {
        size_t n = cur_u16(c);
        if (n > RELAY_PAYLOAD_MAX) {
            cur_fail(c, -EBADMSG);
            break;
        }
        m->payload = cur_bytes(c, n);
        m->payload_len = m->payload ? n : 0;
        break;
    }
    case F_END: break;
    }
}

int relay_msg_decode(const uint8_t *buf, size_t len, relay_msg *out)
{
    cur c;
    cur_init(&c, buf, len);
    const uint8_t *magic = cur_bytes(&c, 3);
    uint8_t ver = cur_u8(&c);
    uint8_t type = cur_u8(&c);
    uint8_t flags = cur_u8(&c);
    uint16_t body_len = cur_u16(&c);
    uint32_t txid = cur_u32(&c);
    if (!cur_ok(&c) || memcmp(magic, "RLY", 3) != 0 || ver != RELAY_VERSION || flags != 0)
        return -EBADMSG;
    const type_info *ti = type_lookup(type);
    if (!ti || body_len != cur_left(&c))
        return -EBADMSG;

    relay_msg m = { .type = type, .txid = txid };
    for (size_t i = 0; i < G_N_ELEMENTS(ti->fields) && ti->fields[i] != F_END; i++)
        get_field(&c, ti->fields[i], &m);
    if (!cur_ok(&c) || cur_left(&c) != 0)
        return -EBADMSG;
    *out = m;
    return 0;
}

/* ---- encode ---- */

static int put_str(wr *w, const char *s, bool (*ok)(const char *, size_t), size_t max)
{
    size_t n = strnlen(s, max + 1);
    if (!ok(s, n))
        return -EINVAL;
    wr_u8(w, (uint8_t)n);
    wr_bytes(w, s, n);
    return 0;
}

static int put_ep(wr *w, const sim_ep *ep)
{
    size_t n = ip_len(ep->ip.family);
    if (!n)
        return -EINVAL;
    wr_u8(w, ep->ip.family);
    wr_u16(w, ep->port);
    wr_bytes(w, ep->ip.b, n);
    return 0;
}

static int put_field(wr *w, enum field f, const relay_msg *m)
{
    switch (f) {
    case F_NAME: return put_str(w, m->name, name_ok, RELAY_NAME_MAX);
    case F_FROM: return put_str(w, m->from, name_ok, RELAY_NAME_MAX);
    case F_PUB: return put_ep(w, &m->pub);
    case F_PRIV: return put_ep(w, &m->priv);
    case F_NONCE: wr_u64(w, m->nonce); return 0;
    case F_CODE: wr_u16(w, m->code); return 0;
    case F_TEXT: return put_str(w, m->text, text_ok, RELAY_TEXT_MAX);
    case F_PAYLOAD:
        if (m->payload_len > RELAY_PAYLOAD_MAX || (m->payload_len && !m->payload))
            return -EINVAL;
        wr_u16(w, (uint16_t)m->payload_len);
        wr_bytes(w, m->payload, m->payload_len);
        return 0;
    case F_END: return 0;
    }
    return -EINVAL;
}

int relay_msg_encode(const relay_msg *m, uint8_t *buf, size_t cap, size_t *out_len)
{
    const type_info *ti = type_lookup(m->type);
    if (!ti)
        return -EINVAL;
    wr w;
    wr_init(&w, buf, cap);
    wr_bytes(&w, "RLY", 3);
    wr_u8(&w, RELAY_VERSION);
    wr_u8(&w, (uint8_t)m->type);
    wr_u8(&w, 0);
    size_t len_off = wr_reserve(&w, 2);
    wr_u32(&w, m->txid);
    for (size_t i = 0; i < G_N_ELEMENTS(ti->fields) && ti->fields[i] != F_END; i++) {
        int rc = put_field(&w, ti->fields[i], m);
        if (rc)
            return rc;
    }
    if (w.err)
        return w.err;
    wr_patch_u16(&w, len_off, (uint16_t)(w.len - RELAY_HDR_LEN));
    *out_len = w.len;
    return 0;
}

/* ---- human-readable dump ---- */

static void fmt_field(GString *out, enum field f, const relay_msg *m)
{
    char b[SIM_EP_STRLEN];
    switch (f) {
    case F_NAME: g_string_append_printf(out, " name=%s", m->name); break;
    case F_FROM: g_string_append_printf(out, " from=%s", m->from); break;
    case F_PUB: g_string_append_printf(out, " pub=%s", sim_ep_fmt(&m->pub, b, sizeof b)); break;
    case F_PRIV: g_string_append_printf(out, " priv=%s", sim_ep_fmt(&m->priv, b, sizeof b)); break;
    case F_NONCE:
        g_string_append_printf(out, " nonce=%016" G_GINT64_MODIFIER "x", (guint64)m->nonce);
        break;
    case F_CODE: g_string_append_printf(out, " code=%u", m->code); break;
    case F_TEXT: g_string_append_printf(out, " text=\"%s\"", m->text); break;
    case F_PAYLOAD: {
        g_string_append_printf(out, " payload=%zu:\"", m->payload_len);
        size_t n = MIN(m->payload_len, 64);
        for (size_t i = 0; i < n; i++) {
            uint8_t ch = m->payload[i];
            if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\')
                g_string_append_c(out, (char)ch);
            else
                g_string_append_printf(out, "\\x%02x", ch);
        }
        g_string_append(out, n < m->payload_len ? "\"..." : "\"");
        break;
    }
    case F_END: break;
    }
}

void relay_msg_fmt(const relay_msg *m, GString *out)
{
    const type_info *ti = type_lookup(m->type);
    g_string_append_printf(out, "%s tx=%08x", ti ? ti->name : "?", m->txid);
    if (!ti)
        return;
    for (size_t i = 0; i < G_N_ELEMENTS(ti->fields) && ti->fields[i] != F_END; i++)
        fmt_field(out, ti->fields[i], m);
}

int relay_decode_fmt(const uint8_t *buf, size_t len, GString *out, GError **err)
{
    relay_msg m;
    if (relay_msg_decode(buf, len, &m) != 0) {
        g_set_error(err, g_quark_from_static_string("relay-error"), EBADMSG,
                    "not a valid relay message (%zu bytes)", len);
        return -1;
    }
    relay_msg_fmt(&m, out);
    g_string_append_c(out, '\n');
    return 0;
}

int relay_decode(const uint8_t *data, size_t len, int argc, char **argv, GString *out,
                 GError **err)
{
    if (argc > 1) {
        g_set_error(err, g_quark_from_static_string("relay-error"), EINVAL,
                    "relay: unexpected option '%s' (the decoder has none)", argv[1]);
        return -1;
    }
    return relay_decode_fmt(data, len, out, err);
}

/* ---- outbox ---- */

int relay_outbox_push(GQueue *q, const sim_ep *to, const relay_msg *m)
{
    relay_out *o = g_new(relay_out, 1);
    int rc = relay_msg_encode(m, o->data, sizeof o->data, &o->len);
    if (rc) {
        g_free(o);
        return rc;
    }
    o->to = *to;
    g_queue_push_tail(q, o);
    return 0;
}

bool relay_outbox_pop(GQueue *q, relay_out *out)
{
    relay_out *o = g_queue_pop_head(q);
    if (!o)
        return false;
    out->to = o->to;
    out->len = o->len;
    memcpy(out->data, o->data, o->len);
    g_free(o);
    return true;
}

void relay_outbox_clear(GQueue *q)
{
    g_queue_clear_full(q, g_free);
}
