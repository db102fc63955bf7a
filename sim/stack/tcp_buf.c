/* sim/stack/tcp_buf.c — the byte buffers of a TCP connection: the send ring (queued and
 * unacknowledged bytes) and the receive ring (unread in-order bytes, with out-of-order
 * segments parked in its free space at their final offsets; see tcp_priv.h). Both are
 * allocated once per connection; nothing here allocates per segment. */
#include <errno.h>
#include <string.h>
#include "sim/stack/tcp_priv.h"

/* Copies n bytes into ring[pos..] wrapping at cap. */
static void ring_put(uint8_t *ring, uint32_t cap, uint32_t pos, const uint8_t *src, uint32_t n)
{
    pos %= cap;
    uint32_t first = n < cap - pos ? n : cap - pos;
    memcpy(ring + pos, src, first);
    memcpy(ring, src + first, n - first);
}

/* Copies n bytes out of ring[pos..] wrapping at cap. */
static void ring_get(const uint8_t *ring, uint32_t cap, uint32_t pos, uint8_t *dst, uint32_t n)
{
    pos %= cap;
    uint32_t first = n < cap - pos ? n : cap - pos;
    memcpy(dst, ring + pos, first);
    memcpy(dst + first, ring, n - first);
}

void tcp_buf_init(tcp_conn *c)
{
    c->scap = c->cfg.sndbuf;
    c->rcap = c->cfg.rcvbuf;
    c->sbuf = g_malloc(c->scap);
    c->rbuf = g_malloc(c->rcap);
}

void tcp_buf_clear(tcp_conn *c)
{
    g_free(c->sbuf);
    g_free(c->rbuf);
    c->sbuf = c->rbuf = NULL;
}

void tcp_sbuf_drop(tcp_conn *c, uint32_t n)
{
    if (n > c->slen)
        n = c->slen;
    c->shead = (c->shead + n) % c->scap;
    c->slen -= n;
    c->sbuf_seq += n;
    if (n)
        c->events |= TCP_EV_WRITABLE;
}

void tcp_sbuf_copy(const tcp_conn *c, uint32_t off, uint8_t *dst, uint32_t n)
{
    ring_get(c->sbuf, c->scap, c->shead + off, dst, n);
}

uint32_t tcp_rcv_wnd(const tcp_conn *c)
{
    uint32_t free = c->rcap - c->ravail;
    return free < TCP_WND_MAX ? free : TCP_WND_MAX;
}

/* Takes the out-of-order ranges that now touch rcv_nxt into the in-order data. */
static void rcv_pull(tcp_conn *c)
{
    while (c->n_ooo && tcp_seq_le(c->ooo[0].start, c->rcv_nxt)) {
        if (tcp_seq_gt(c->ooo[0].end, c->rcv_nxt)) {
            c->ravail += c->ooo[0].end - c->rcv_nxt;
            c->rcv_nxt = c->ooo[0].end;
        }
        memmove(&c->ooo[0], &c->ooo[1], (--c->n_ooo) * sizeof c->ooo[0]);
    }
}

/* Merges [seq, seq+len) into the sorted range list; false when that needs a slot too many. */
static bool ooo_add(tcp_conn *c, uint32_t seq, uint32_t len)
{
    tcp_range out[TCP_OOO_MAX + 1], r = { seq, seq + len };
    unsigned n = 0;
    bool placed = false;
    for (unsigned k = 0; k < c->n_ooo; k++) {
        tcp_range o = c->ooo[k];
        if (tcp_seq_lt(o.end, r.start)) {
            out[n++] = o;
        } else if (tcp_seq_gt(o.start, r.end)) {
            if (!placed)
                out[n++] = r;
            placed = true;
            if (n > TCP_OOO_MAX)
                return false;
            out[n++] = o;
        } else { /* overlapping or adjacent: grow r */
            if (tcp_seq_lt(o.start, r.start))
                r.start = o.start;
            if (tcp_seq_gt(o.end, r.end))
                r.end = o.end;
        }
        if (n > TCP_OOO_MAX)
            return false;
    }
    if (!placed)
        out[n++] = r;
    if (n > TCP_OOO_MAX)
        return false;
    memcpy(c->ooo, out, n * sizeof out[0]);
    c->n_ooo = n;
    return true;
}

bool tcp_rcv_data(tcp_conn *c, uint32_t seq, const uint8_t *data, uint32_t len)
{
    uint32_t off = seq - c->rcv_nxt;
    if (off != 0 && !ooo_add(c, seq, len))
        return false;
    ring_put(c->rbuf, c->rcap, c->rhead + c->ravail + off, data, len);
    if (off == 0) {
        c->ravail += len;
        c->rcv_nxt += len;
        rcv_pull(c);
        c->events |= TCP_EV_READABLE;
    }
    if (c->app_closed) { /* nobody will read: discard what is in order */
        c->rhead = (c->rhead + c->ravail) % c->rcap;
        c->ravail = 0;
    }
    return true;
}

/* ---- user calls on the buffers ---- */

ssize_t tcp_conn_send(tcp_conn *c, const void *data, size_t len)
{
    if (c->err)
        return c->err == -ECONNRESET ? -EPIPE : c->err;
    switch (c->state) {
    case TCP_SYN_SENT:
    case TCP_SYN_RECEIVED:
    case TCP_ESTABLISHED:
    case TCP_CLOSE_WAIT:
        break;
    case TCP_CLOSED:
    case TCP_LISTEN:
        return -ENOTCONN;
    default:
        return -EPIPE;
    }
    if (c->fin_queued)
        return -EPIPE;
    uint32_t room = c->scap - c->slen;
    uint32_t n = len < room ? (uint32_t)len : room;
    ring_put(c->sbuf, c->scap, c->shead + c->slen, data, n);
    c->slen += n;
    return n;
}

ssize_t tcp_conn_recv(tcp_conn *c, void *buf, size_t len)
{
    if (c->ravail == 0) {
        if (c->fin_rcvd)
            return 0;
        if (c->err)
            return c->err;
        if (c->state == TCP_CLOSED || c->state == TCP_LISTEN)
            return -ENOTCONN;
        return -EAGAIN;
    }
    uint32_t n = len < c->ravail ? (uint32_t)len : c->ravail;
    ring_get(c->rbuf, c->rcap, c->rhead, buf, n);
    c->rhead = (c->rhead + n) % c->rcap;
    c->ravail -= n;
    /* RFC 9293 3.8.6.2.2: announce the window again once it opened by an MSS or half the
     * buffer, so a sender stalled on a small window learns it may go on. */
    uint32_t edge = c->rcv_nxt + tcp_rcv_wnd(c), step = c->rcap / 2;
    if (c->cfg.mss < step)
        step = c->cfg.mss;
    if (tcp_seq_ge(edge, c->rcv_adv + step) && c->state >= TCP_ESTABLISHED &&
        c->state != TCP_TIME_WAIT && !c->fin_rcvd)
        c->ack_now = true;
    return n;
}

size_t tcp_conn_readable(const tcp_conn *c)
{
    return c->ravail;
}

size_t tcp_conn_writable(const tcp_conn *c)
{
    if (c->fin_queued || c->err)
        return 0;
    switch (c->state) {
    case TCP_SYN_SENT:
    case TCP_SYN_RECEIVED:
    case TCP_ESTABLISHED:
    case TCP_CLOSE_WAIT:
        return c->scap - c->slen;
    default:
        return 0;
    }
}

size_t tcp_conn_unacked(const tcp_conn *c)
{
    return c->slen;
}
