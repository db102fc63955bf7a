/* protocols/stun/stun_stream.c — framing of STUN (RFC 8489 §6.2.2) and TURN ChannelData
 * (RFC 8656 §12.5) on a byte stream. TCP delivers bytes, not messages: a read may end in the
 * middle of a header or hold three messages at once. Every frame says its own length in its
 * first four bytes, so the reader needs at most one frame of buffer:
 *
 *   STUN         20-byte header, Message Length (bytes 2-3, a multiple of 4) bytes after it,
 *                magic cookie at bytes 4-7 (checked as soon as it is there: a stream that does
 *                not carry STUN is closed before a whole bogus "message" is waited for).
 *   ChannelData  4-byte header, Length (bytes 2-3) bytes of data, then zero to three bytes of
 *                padding to a multiple of 4: over TCP the padding MUST be sent (§12.5), and
 *                without it the next frame would start at an unknown offset.
 *
 * Anything else (first two bits 10 or 11, a bad length, a frame longer than STUN_MSG_MAX) is
 * garbage with no way to find the next frame: the reader stops for good and says why. */
#include "protocols/stun/stun.h"

#include <errno.h>
#include <string.h>

void stun_stream_init(stun_stream *r, bool channel_data)
{
    r->channel_data = channel_data;
    r->error = NULL;
    r->len = 0;
    r->consumed = 0;
}

/* Drops the bytes of the frame handed out last. */
static void compact(stun_stream *r)
{
    if (!r->consumed)
        return;
    memmove(r->buf, r->buf + r->consumed, r->len - r->consumed);
    r->len -= r->consumed;
    r->consumed = 0;
}

size_t stun_stream_feed(stun_stream *r, const uint8_t *data, size_t len)
{
    if (r->error)
        return 0;
    compact(r);
    size_t n = MIN(len, sizeof r->buf - r->len);
    memcpy(r->buf + r->len, data, n);
    r->len += n;
    return n;
}

bool stun_stream_is_channel(const uint8_t *frame, size_t len)
{
    return len > 0 && (frame[0] & 0xC0) == 0x40;
}

static int broken(stun_stream *r, const char *why)
{
    r->error = why;
    return -EBADMSG;
}

/* The size of the frame at the head of the buffer (*wire: with padding) once its header is
 * there. Returns 1 (sizes known), 0 (more header bytes needed) or -EBADMSG. */
static int frame_size(stun_stream *r, size_t *msg, size_t *wire)
{
    cur c;
    cur_init(&c, r->buf, r->len);
    if (cur_left(&c) < 4)
        return 0;
    uint16_t type = cur_u16(&c);
    uint16_t len = cur_u16(&c);
    switch (type >> 14) {
    case 0: /* STUN */
        if (len % 4)
            return broken(r, "STUN message length is not a multiple of 4");
        if (STUN_HDR_LEN + (size_t)len > STUN_MSG_MAX)
            return broken(r, "STUN message longer than 2048 bytes");
        if (cur_left(&c) < 4)
            return 0;
        if (cur_u32(&c) != STUN_MAGIC_COOKIE)
            return broken(r, "no STUN magic cookie (0x2112A442) at bytes 4-7");
        *msg = *wire = STUN_HDR_LEN + (size_t)len;
        return 1;
    case 1: /* ChannelData: channel numbers 0x4000-0x7FFF */
        if (!r->channel_data)
            return broken(r, "ChannelData (first bits 01) on a STUN-only connection");
        *msg = 4 + (size_t)len;
        *wire = (*msg + 3) & ~(size_t)3; /* RFC 8656 §12.5: padded to 4 over TCP */
        if (*wire > STUN_MSG_MAX)
            return broken(r, "ChannelData longer than 2048 bytes");
        return 1;
    default:
        return broken(r, "first two bits are not 00 (STUN) or 01 (ChannelData): not a STUN "
                         "stream");
    }
}

int stun_stream_next(stun_stream *r, const uint8_t **frame, size_t *len)
{
    if (r->error)
        return -EBADMSG;
    compact(r);
    size_t msg = 0, wire = 0;
    int rc = frame_size(r, &msg, &wire);
    if (rc <= 0)
        return rc;
    if (r->len < wire)
        return 0;
    *frame = r->buf;
    *len = msg;
    r->consumed = wire;
    return 1;
}
