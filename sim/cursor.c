/* sim/cursor.c — bounds-checked reader with a sticky error, and the writer. */
#include "sim/cursor.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

void cur_init(cur *c, const void *p, size_t len)
{
    c->p = p;
    c->len = p ? len : 0;
    c->off = 0;
    c->err = 0;
}

void cur_fail(cur *c, int err)
{
    if (!c->err)
        c->err = err;
}

/* Claims n bytes; NULL and a sticky error when fewer remain. */
static const uint8_t *take(cur *c, size_t n)
{
    if (c->err)
        return NULL;
    if (c->len - c->off < n) {
        cur_fail(c, -EBADMSG);
        return NULL;
    }
    const uint8_t *q = c->p + c->off;
    c->off += n;
    return q;
}

uint8_t cur_u8(cur *c)
{
    const uint8_t *q = take(c, 1);
    return q ? q[0] : 0;
}

uint16_t cur_u16(cur *c)
{
    const uint8_t *q = take(c, 2);
    return q ? (uint16_t)(q[0] << 8 | q[1]) : 0;
}

uint32_t cur_u32(cur *c)
{
    const uint8_t *q = take(c, 4);
    return q ? (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3] : 0;
}

uint64_t cur_u64(cur *c)
{
    uint64_t hi = cur_u32(c);
    return hi << 32 | cur_u32(c);
}

const uint8_t *cur_bytes(cur *c, size_t n) { return take(c, n); }

int cur_copy(cur *c, void *dst, size_t n)
{
    const uint8_t *q = take(c, n);
    if (q)
        memcpy(dst, q, n);
    else
        memset(dst, 0, n);
    return c->err;
}

void cur_skip(cur *c, size_t n) { (void)take(c, n); }

cur cur_sub(cur *c, size_t n)
{
    cur child;
    const uint8_t *q = take(c, n);
    cur_init(&child, q, q ? n : 0);
    if (!q)
        child.err = -EBADMSG;
    return child;
}

void wr_init(wr *w, void *buf, size_t cap)
{
    w->buf = buf;
    w->cap = cap;
    w->len = 0;
    w->err = 0;
    w->grows = false;
}

void wr_init_dyn(wr *w)
{
    w->cap = 256;
    w->buf = g_malloc(w->cap);
    w->len = 0;
    w->err = 0;
    w->grows = true;
}

void wr_clear(wr *w)
{
    if (w && w->grows) {
        g_free(w->buf);
        w->buf = NULL;
        w->cap = w->len = 0;
    }
}

/* Makes room for n more bytes; NULL (and -ENOSPC for fixed buffers) if impossible. */
static uint8_t *room(wr *w, size_t n)
{
    if (w->err)
        return NULL;
    if (w->cap - w->len < n) {
        if (!w->grows) {
            w->err = -ENOSPC;
            return NULL;
        }
        while (w->cap - w->len < n)
            w->cap *= 2;
        w->buf = g_realloc(w->buf, w->cap);
    }
    uint8_t *q = w->buf + w->len;
    w->len += n;
    return q;
}

void wr_u8(wr *w, uint8_t v)
{
    uint8_t *q = room(w, 1);
    if (q)
        q[0] = v;
}

void wr_u16(wr *w, uint16_t v)
{
    uint8_t *q = room(w, 2);
    if (q) {
        q[0] = (uint8_t)(v >> 8);
        q[1] = (uint8_t)v;
    }
}

void wr_u32(wr *w, uint32_t v)
{
    uint8_t *q = room(w, 4);
    if (q) {
        q[0] = (uint8_t)(v >> 24);
        q[1] = (uint8_t)(v >> 16);
        q[2] = (uint8_t)(v >> 8);
        q[3] = (uint8_t)v;
    }
}

void wr_u64(wr *w, uint64_t v)
{
    wr_u32(w, (uint32_t)(v >> 32));
    wr_u32(w, (uint32_t)v);
}

void wr_bytes(wr *w, const void *p, size_t n)
{
    uint8_t *q = room(w, n);
    if (q && n)
        memcpy(q, p, n);
}

void wr_zero(wr *w, size_t n)
{
    uint8_t *q = room(w, n);
    if (q)
        memset(q, 0, n);
}

size_t wr_reserve(wr *w, size_t n)
{
    size_t off = w->len;
    wr_zero(w, n);
    return off;
}

void wr_patch_u16(wr *w, size_t off, uint16_t v)
{
    if (w->err || off + 2 > w->len)
        return;
    w->buf[off] = (uint8_t)(v >> 8);
    w->buf[off + 1] = (uint8_t)v;
}

void wr_patch_u32(wr *w, size_t off, uint32_t v)
{
    if (w->err || off + 4 > w->len)
        return;
    for (int i = 0; i < 4; i++)
        w->buf[off + i] = (uint8_t)(v >> (24 - 8 * i));
}
