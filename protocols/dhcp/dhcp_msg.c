/* protocols/dhcp/dhcp_msg.c — the DHCP codec: the BOOTP header (RFC 2131 §2), the magic cookie
 * and the option areas (RFC 2132 §2, §9.3), with RFC 3396 long options. Decoding walks every
 * option area twice: the first walk checks each instance's length and adds up the total length
 * per code (in order of first appearance), the second copies each instance's bytes behind the
 * earlier instances of its code, so a split option comes out as one value. */
#include "protocols/dhcp/dhcp.h"

#include <errno.h>
#include <string.h>

#define OFF_SNAME 44
#define OFF_FILE 108
#define OFF_COOKIE DHCP_HDR_LEN
#define OFF_OPTIONS (DHCP_HDR_LEN + 4)

static int fail(dhcp_err *e, size_t off, const char *why)
{
    if (e) {
        e->off = off;
        e->why = why;
    }
    return -EBADMSG;
}

/* What the two walks share. */
typedef struct walk {
    dhcp_msg *m;
    int16_t slot[256];     /* index into m->opts, or -1 */
    uint16_t filled[256];  /* bytes copied so far per code (second walk) */
    const uint8_t *overload; /* the value of option 52, once seen */
    bool copy;             /* second walk */
} walk;

/* Walks one option area area[0..n) found at byte `base` of the message. */
static int walk_area(walk *w, const uint8_t *area, size_t n, size_t base, bool is_options,
                     dhcp_err *e)
{
    cur c;
    cur_init(&c, area, n);
    while (cur_left(&c) > 0) {
        size_t at = base + c.off;
        uint8_t code = cur_u8(&c);
        if (code == DHCP_OPT_PAD)
            continue;
        if (code == DHCP_OPT_END)
            return 0; /* whatever follows end is padding, ignored */
        uint8_t len = cur_u8(&c);
        const uint8_t *v = cur_bytes(&c, len);
        if (!cur_ok(&c))
            return fail(e, at, "option runs past the end of its area");
        if (code == DHCP_OPT_OVERLOAD && !is_options)
            return fail(e, at, "overload option inside an overloaded field");
        dhcp_msg *m = w->m;
        if (w->copy) {
            dhcp_opt *o = &m->opts[w->slot[code]];
            memcpy(m->data + o->off + w->filled[code], v, len);
            w->filled[code] = (uint16_t)(w->filled[code] + len);
            continue;
        }
        if (code == DHCP_OPT_OVERLOAD && len == 1)
            w->overload = v;
        if (w->slot[code] < 0) {
            if (m->n_opts == DHCP_OPTS_MAX)
                return fail(e, at, "more distinct options than this decoder keeps");
            w->slot[code] = (int16_t)m->n_opts;
            m->opts[m->n_opts++] = (dhcp_opt){ .code = code };
        }
        m->opts[w->slot[code]].len = (uint16_t)(m->opts[w->slot[code]].len + len);
    }
    return fail(e, base + n, "no end option");
}

/* Both walks over every area in RFC 2131 order: options, then file, then sname. */
static int walk_all(walk *w, const uint8_t *buf, size_t len, dhcp_err *e)
{
    int rc = walk_area(w, buf + OFF_OPTIONS, len - OFF_OPTIONS, OFF_OPTIONS, true, e);
    if (rc)
        return rc;
    uint8_t ov = w->overload ? *w->overload : 0;
    if (w->overload && (ov < 1 || ov > 3))
        return fail(e, (size_t)(w->overload - buf), "overload value not 1, 2 or 3");
    if ((ov & 1) && (rc = walk_area(w, buf + OFF_FILE, DHCP_FILE_LEN, OFF_FILE, false, e)))
        return rc;
    if ((ov & 2) && (rc = walk_area(w, buf + OFF_SNAME, DHCP_SNAME_LEN, OFF_SNAME, false, e)))
        return rc;
    w->m->overload = ov;
    return 0;
}

static int decode_header(cur *c, dhcp_msg *m, dhcp_err *e)
{
    m->op = cur_u8(c);
    m->htype = cur_u8(c);
    m->hlen = cur_u8(c);
    m->hops = cur_u8(c);
    m->xid = cur_u32(c);
    m->secs = cur_u16(c);
    m->flags = cur_u16(c);
    m->ciaddr = cur_u32(c);
    m->yiaddr = cur_u32(c);
    m->siaddr = cur_u32(c);
    m->giaddr = cur_u32(c);
    cur_copy(c, m->chaddr, DHCP_CHADDR_LEN);
    cur_copy(c, m->sname, DHCP_SNAME_LEN);
    cur_copy(c, m->file, DHCP_FILE_LEN);
    uint32_t cookie = cur_u32(c);
    if (!cur_ok(c))
        return fail(e, 0, "shorter than the 236-byte BOOTP header and the magic cookie");
    if (m->op != DHCP_BOOTREQUEST && m->op != DHCP_BOOTREPLY)
        return fail(e, 0, "op is neither BOOTREQUEST (1) nor BOOTREPLY (2)");
    if (m->hlen > DHCP_CHADDR_LEN)
        return fail(e, 2, "hardware address length over 16");
    if (cookie != DHCP_MAGIC_COOKIE)
        return fail(e, OFF_COOKIE, "bad magic cookie (not 99.130.83.99)");
    return 0;
}

int dhcp_msg_decode(const uint8_t *buf, size_t len, dhcp_msg *m, dhcp_err *e)
{
    if (len > DHCP_MSG_MAX)
        return fail(e, DHCP_MSG_MAX, "longer than the 1500 bytes this decoder accepts");
    dhcp_msg *t = g_new0(dhcp_msg, 1);
    cur c;
    cur_init(&c, buf, len);
    walk w = { .m = t };
    memset(w.slot, 0xff, sizeof w.slot);
    int rc = decode_header(&c, t, e);
    if (!rc)
        rc = walk_all(&w, buf, len, e);
    if (!rc) {
        /* Lay the values out back to back, then copy every instance into place. */
        for (size_t i = 0; i < t->n_opts; i++) {
            t->opts[i].off = (uint16_t)t->data_len;
            t->data_len += t->opts[i].len;
        }
        w.copy = true;
        walk_all(&w, buf, len, NULL);
        for (size_t i = 0; i < t->n_opts && !rc; i++) {
            const char *why = dhcp_opt_check(t->opts[i].code, t->data + t->opts[i].off,
                                             t->opts[i].len);
            if (why)
                rc = fail(e, OFF_OPTIONS, why);
        }
    }
    if (!rc) {
        /* Overload is consumed here: the fields it named held options, not names. */
        if (t->overload & 1)
            memset(t->file, 0, DHCP_FILE_LEN);
        if (t->overload & 2)
            memset(t->sname, 0, DHCP_SNAME_LEN);
        size_t k = 0;
        for (size_t i = 0; i < t->n_opts; i++)
            if (t->opts[i].code != DHCP_OPT_OVERLOAD)
                t->opts[k++] = t->opts[i];
        t->n_opts = k;
        *m = *t;
    }
    g_free(t);
    return rc;
}

int dhcp_msg_encode(const dhcp_msg *m, uint8_t *buf, size_t cap, size_t *out_len)
{
    wr w;
    wr_init(&w, buf, cap);
    wr_u8(&w, m->op);
    wr_u8(&w, m->htype);
    wr_u8(&w, m->hlen);
    wr_u8(&w, m->hops);
    wr_u32(&w, m->xid);
    wr_u16(&w, m->secs);
    wr_u16(&w, m->flags);
    wr_u32(&w, m->ciaddr);
    wr_u32(&w, m->yiaddr);
    wr_u32(&w, m->siaddr);
    wr_u32(&w, m->giaddr);
    wr_bytes(&w, m->chaddr, DHCP_CHADDR_LEN);
    wr_bytes(&w, m->sname, DHCP_SNAME_LEN);
    wr_bytes(&w, m->file, DHCP_FILE_LEN);
    wr_u32(&w, DHCP_MAGIC_COOKIE);
    for (size_t i = 0; i < m->n_opts; i++) {
        const dhcp_opt *o = &m->opts[i];
        if (o->code == DHCP_OPT_PAD || o->code == DHCP_OPT_END || o->code == DHCP_OPT_OVERLOAD ||
            (size_t)o->off + o->len > m->data_len)
            return -EINVAL;
        size_t done = 0;
        do { /* RFC 3396 §5: split into instances of at most 255 bytes */
            size_t n = MIN((size_t)o->len - done, (size_t)255);
            wr_u8(&w, o->code);
            wr_u8(&w, (uint8_t)n);
            wr_bytes(&w, m->data + o->off + done, n);
            done += n;
        } while (done < o->len);
    }
    wr_u8(&w, DHCP_OPT_END);
    if (w.len < DHCP_MIN_LEN)
        wr_zero(&w, DHCP_MIN_LEN - w.len); /* RFC 1542 §2.1 */
    if (w.err)
        return w.err;
    *out_len = w.len;
    return 0;
}

void dhcp_msg_init(dhcp_msg *m, uint8_t op, uint32_t xid, const uint8_t mac[6])
{
    memset(m, 0, sizeof *m);
    m->op = op;
    m->htype = 1; /* Ethernet */
    m->hlen = 6;
    m->xid = xid;
    memcpy(m->chaddr, mac, 6);
}

int dhcp_msg_add(dhcp_msg *m, uint8_t code, const void *v, size_t len)
{
    if (code == DHCP_OPT_PAD || code == DHCP_OPT_END || code == DHCP_OPT_OVERLOAD)
        return -EINVAL;
    if (m->data_len + len > DHCP_MSG_MAX)
        return -ENOSPC;
    for (size_t i = 0; i < m->n_opts; i++) {
        dhcp_opt *o = &m->opts[i];
        if (o->code != code)
            continue;
        /* Extend in place: shift later values up to make room (RFC 3396 concatenation). */
        size_t end = (size_t)o->off + o->len;
        memmove(m->data + end + len, m->data + end, m->data_len - end);
        memcpy(m->data + end, v, len);
        o->len = (uint16_t)(o->len + len);
        for (size_t j = 0; j < m->n_opts; j++)
            if (m->opts[j].off >= end && j != i)
                m->opts[j].off = (uint16_t)(m->opts[j].off + len);
        m->data_len += len;
        return 0;
    }
    if (m->n_opts == DHCP_OPTS_MAX)
        return -ENOSPC;
    m->opts[m->n_opts++] = (dhcp_opt){ .code = code, .len = (uint16_t)len,
                                       .off = (uint16_t)m->data_len };
    if (len)
        memcpy(m->data + m->data_len, v, len);
    m->data_len += len;
    return 0;
}

int dhcp_msg_add_u8(dhcp_msg *m, uint8_t code, uint8_t v)
{
    return dhcp_msg_add(m, code, &v, 1);
}

int dhcp_msg_add_u16(dhcp_msg *m, uint8_t code, uint16_t v)
{
    uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
    return dhcp_msg_add(m, code, b, 2);
}

int dhcp_msg_add_u32(dhcp_msg *m, uint8_t code, uint32_t v)
{
    return dhcp_msg_add_ips(m, code, &v, 1);
}

int dhcp_msg_add_ips(dhcp_msg *m, uint8_t code, const uint32_t *ips, size_t n)
{
    uint8_t b[4 * 64];
    if (n > 64)
        return -EINVAL;
    wr w;
    wr_init(&w, b, sizeof b);
    for (size_t i = 0; i < n; i++)
        wr_u32(&w, ips[i]);
    return dhcp_msg_add(m, code, b, w.len);
}

const dhcp_opt *dhcp_msg_find(const dhcp_msg *m, uint8_t code)
{
    for (size_t i = 0; i < m->n_opts; i++)
        if (m->opts[i].code == code)
            return &m->opts[i];
    return NULL;
}

const uint8_t *dhcp_opt_value(const dhcp_msg *m, const dhcp_opt *o)
{
    return m->data + o->off;
}

int dhcp_msg_get_u32(const dhcp_msg *m, uint8_t code, uint32_t *v)
{
    const dhcp_opt *o = dhcp_msg_find(m, code);
    if (!o)
        return -ENOENT;
    if (o->len != 4)
        return -EBADMSG;
    cur c;
    cur_init(&c, dhcp_opt_value(m, o), 4);
    *v = cur_u32(&c);
    return 0;
}

int dhcp_msg_get_ips(const dhcp_msg *m, uint8_t code, uint32_t *ips, size_t cap, size_t *n)
{
    const dhcp_opt *o = dhcp_msg_find(m, code);
    if (!o)
        return -ENOENT;
    if (o->len == 0 || o->len % 4)
        return -EBADMSG;
    cur c;
    cur_init(&c, dhcp_opt_value(m, o), o->len);
    *n = 0;
    while (cur_left(&c) >= 4 && *n < cap)
        ips[(*n)++] = cur_u32(&c);
    return 0;
}

int dhcp_msg_type(const dhcp_msg *m)
{
    const dhcp_opt *o = dhcp_msg_find(m, DHCP_OPT_MSG_TYPE);
    if (!o || o->len != 1)
        return -ENOENT;
    return dhcp_opt_value(m, o)[0];
}
