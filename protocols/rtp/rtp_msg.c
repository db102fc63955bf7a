/* protocols/rtp/rtp_msg.c — the RTP data packet (RFC 3550 §5.1, §5.3.1): decode with every
 * length checked (CSRC list, header extension, padding), encode; and the RFC 5761 test that
 * tells RTP from RTCP on a shared port. */
#include "protocols/rtp/rtp.h"

#include <errno.h>
#include <string.h>
#include "sim/cursor.h"

bool rtp_is_rtcp(const uint8_t *buf, size_t len)
{
    cur c;
    cur_init(&c, buf, len);
    cur_u8(&c);
    uint8_t pt = cur_u8(&c);
    /* RFC 5761 §4: RTCP packet types 192..223 occupy what would be RTP PT 64..95 with M set. */
    return cur_ok(&c) && pt >= 192 && pt <= 223;
}

static int fail(rtp_err *e, size_t off, const char *why)
{
    if (e)
        *e = (rtp_err){ off, why };
    return -EBADMSG;
}

int rtp_decode(const uint8_t *buf, size_t len, rtp_pkt *out, rtp_err *e)
{
    cur c;
    cur_init(&c, buf, len);
    rtp_pkt p = { 0 };
    uint8_t b0 = cur_u8(&c), b1 = cur_u8(&c);
    p.seq = cur_u16(&c);
    p.ts = cur_u32(&c);
    p.ssrc = cur_u32(&c);
    if (!cur_ok(&c))
        return fail(e, len, "shorter than the 12-byte RTP header");
    if (b0 >> 6 != RTP_VERSION)
        return fail(e, 0, "version is not 2");
    p.padding = b0 & 0x20;
    p.extension = b0 & 0x10;
    p.cc = b0 & 0x0f;
    p.marker = b1 & 0x80;
    p.pt = b1 & 0x7f;
    if (p.pt >= 72 && p.pt <= 76)
        return fail(e, 1, "payload type 72..76 is RTCP (SR..APP with the marker bit), RFC 5761");
    for (unsigned i = 0; i < p.cc; i++)
        p.csrc[i] = cur_u32(&c);
    if (!cur_ok(&c))
        return fail(e, len, "CSRC list runs past the end");
    if (p.extension) {
        size_t at = c.off;
        p.ext_profile = cur_u16(&c);
        p.ext_len = (size_t)cur_u16(&c) * 4;
        p.ext = cur_bytes(&c, p.ext_len);
        if (!cur_ok(&c))
            return fail(e, at, "header extension runs past the end");
    }
    size_t body = cur_left(&c);
    if (p.padding) {
        /* §5.1: the last octet counts the padding octets, itself included. */
        cur tail;
        cur_init(&tail, cur_ptr(&c), body);
        cur_skip(&tail, body ? body - 1 : 0);
        p.pad_len = cur_u8(&tail);
        if (p.pad_len == 0 || p.pad_len > body)
            return fail(e, len - (body ? 1 : 0),
                        "padding count is 0 or larger than what follows the header");
    }
    p.payload_len = body - p.pad_len;
    p.payload = cur_bytes(&c, p.payload_len);
    *out = p;
    return 0;
}

int rtp_encode(const rtp_pkt *p, uint8_t *buf, size_t cap, size_t *out_len)
{
    if (p->cc > RTP_CSRC_MAX || p->pt > 127 || (p->ext_len & 3) || p->ext_len > 0x3fffc ||
        (p->padding && p->pad_len == 0) || (p->payload_len && !p->payload) ||
        (p->ext_len && !p->ext))
        return -EINVAL;
    wr w;
    wr_init(&w, buf, cap);
    wr_u8(&w, (uint8_t)(RTP_VERSION << 6 | (p->padding ? 0x20 : 0) | (p->extension ? 0x10 : 0) |
                        p->cc));
    wr_u8(&w, (uint8_t)((p->marker ? 0x80 : 0) | p->pt));
    wr_u16(&w, p->seq);
    wr_u32(&w, p->ts);
    wr_u32(&w, p->ssrc);
    for (unsigned i = 0; i < p->cc; i++)
        wr_u32(&w, p->csrc[i]);
    if (p->extension) {
        wr_u16(&w, p->ext_profile);
        wr_u16(&w, (uint16_t)(p->ext_len / 4));
        wr_bytes(&w, p->ext, p->ext_len);
    }
    wr_bytes(&w, p->payload, p->payload_len);
    if (p->padding) {
        wr_zero(&w, p->pad_len - 1u);
        wr_u8(&w, p->pad_len);
    }
    if (w.err)
        return w.err;
    *out_len = w.len;
    return 0;
}
