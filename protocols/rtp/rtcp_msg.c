/* protocols/rtp/rtcp_msg.c — RTCP compound packets (RFC 3550 §6): SR, RR (report blocks),
 * SDES (chunks of items), BYE (sources and reason); other types kept by header only. The
 * compound rules of §6.1 / A.2 are checked: version 2 everywhere, lengths adding up exactly to
 * the datagram, first packet SR or RR, padding only on the last. */
#include "protocols/rtp/rtp.h"

#include <errno.h>
#include <string.h>
#include "sim/cursor.h"

const char *rtcp_type_name(uint8_t pt)
{
    switch (pt) {
    case RTCP_SR: return "SR";
    case RTCP_RR: return "RR";
    case RTCP_SDES: return "SDES";
    case RTCP_BYE: return "BYE";
    case RTCP_APP: return "APP";
    default: return NULL;
    }
}

static int fail(rtp_err *e, size_t off, const char *why)
{
    if (e)
        *e = (rtp_err){ off, why };
    return -EBADMSG;
}

static void read_rb(cur *c, rtcp_rb *rb)
{
    rb->ssrc = cur_u32(c);
    uint32_t w = cur_u32(c);
    rb->fraction = (uint8_t)(w >> 24);
    /* 24-bit two's complement, sign-extended */
    rb->lost = (int32_t)((w & 0xffffffu) ^ 0x800000u) - 0x800000;
    rb->ext_max_seq = cur_u32(c);
    rb->jitter = cur_u32(c);
    rb->lsr = cur_u32(c);
    rb->dlsr = cur_u32(c);
}

/* SR / RR body after the header: sender SSRC, (SR) sender info, report blocks. Anything after
 * the blocks is a profile-specific extension (§6.4.1) and is skipped. */
static const char *read_report(cur *c, rtcp_pkt *p)
{
    p->ssrc = cur_u32(c);
    if (p->pt == RTCP_SR) {
        p->ntp_sec = cur_u32(c);
        p->ntp_frac = cur_u32(c);
        p->rtp_ts = cur_u32(c);
        p->pkt_count = cur_u32(c);
        p->octet_count = cur_u32(c);
    }
    for (unsigned i = 0; i < p->count; i++)
        read_rb(c, &p->rb[i]);
    return cur_ok(c) ? NULL : "report blocks run past the packet length";
}

/* One SDES chunk: SSRC, items, a null octet, zero padding to the next 32-bit boundary. */
static const char *read_chunk(cur *c, rtcp_sdes_chunk *ch)
{
    size_t start = c->off;
    ch->ssrc = cur_u32(c);
    ch->n_items = 0;
    for (;;) {
        uint8_t type = cur_u8(c);
        if (!cur_ok(c))
            return "SDES chunk without its terminating null octet";
        if (type == 0)
            break;
        uint8_t len = cur_u8(c);
        const uint8_t *text = cur_bytes(c, len);
        if (!cur_ok(c))
            return "SDES item runs past the packet length";
        if (ch->n_items >= RTCP_SDES_ITEMS_MAX)
            return "too many SDES items in one chunk";
        ch->items[ch->n_items++] = (rtcp_sdes_item){ type, len, text };
    }
    while ((c->off - start) & 3)
        if (cur_u8(c) != 0 || !cur_ok(c))
            return "SDES chunk padding is not zero octets up to a 32-bit boundary";
    return NULL;
}

static const char *read_sdes(cur *c, rtcp_pkt *p, rtcp_compound *cc)
{
    if (cc->n_chunks + p->count > RTCP_SDES_CHUNKS_MAX)
        return "too many SDES chunks";
    p->chunks = &cc->chunks[cc->n_chunks];
    for (unsigned i = 0; i < p->count; i++) {
        const char *why = read_chunk(c, &cc->chunks[cc->n_chunks++]);
        if (why)
            return why;
    }
    return cur_left(c) ? "bytes after the last SDES chunk" : NULL;
}

static const char *read_bye(cur *c, rtcp_pkt *p)
{
    for (unsigned i = 0; i < p->count; i++)
        p->bye_ssrc[i] = cur_u32(c);
    p->ssrc = p->count ? p->bye_ssrc[0] : 0;
    if (!cur_ok(c))
        return "BYE sources run past the packet length";
    if (cur_left(c)) {
        p->reason_len = cur_u8(c);
        p->reason = cur_bytes(c, p->reason_len);
        if (!cur_ok(c))
            return "BYE reason runs past the packet length";
        while (cur_left(c))
            if (cur_u8(c) != 0)
                return "BYE reason padding is not zero";
    }
    return NULL;
}

static const char *read_body(cur *c, rtcp_pkt *p, rtcp_compound *cc)
{
    switch (p->pt) {
    case RTCP_SR:
    case RTCP_RR:
        return read_report(c, p);
    case RTCP_SDES:
        return read_sdes(c, p, cc);
    case RTCP_BYE:
        return read_bye(c, p);
    default:
        p->ssrc = cur_left(c) >= 4 ? cur_u32(c) : 0;
        return NULL;
    }
}

/* One packet at the cursor. Returns NULL or a reason; *at is where the problem is. */
static const char *read_pkt(cur *c, size_t total, rtcp_compound *cc, size_t *at)
{
    size_t off = c->off;
    *at = off;
    uint8_t b0 = cur_u8(c), pt = cur_u8(c);
    uint16_t words = cur_u16(c);
    if (!cur_ok(c))
        return "truncated RTCP header";
    if (b0 >> 6 != RTP_VERSION)
        return "version is not 2";
    if (cc->n >= RTCP_PKTS_MAX)
        return "more RTCP packets in the compound than kept here";
    if (cc->n == 0 && pt != RTCP_SR && pt != RTCP_RR)
        return "first packet of a compound is not SR or RR (RFC 3550 §6.1)";
    size_t plen = ((size_t)words + 1) * 4;
    *at = off + 2;
    if (plen - 4 > cur_left(c))
        return "packet length runs past the end of the datagram";
    rtcp_pkt *p = &cc->pkts[cc->n++];
    *p = (rtcp_pkt){ .pt = pt, .count = b0 & 0x1f, .padding = b0 & 0x20, .off = off, .len = plen };
    cur body = cur_sub(c, plen - 4);
    if (p->padding) {
        if (off + plen != total)
            return "padding on a packet that is not the last of the compound (A.2)";
        cur tail = body;
        cur_skip(&tail, plen - 5);
        uint8_t pad = cur_u8(&tail);
        *at = off + plen - 1;
        if (pad == 0 || pad > plen - 4 || (pad & 3))
            return "padding count is 0, not a multiple of 4, or larger than the packet";
        body.len -= pad;
    }
    *at = off + 4;
    return read_body(&body, p, cc);
}

int rtcp_decode(const uint8_t *buf, size_t len, rtcp_compound *cc, rtp_err *e)
{
    cur c;
    cur_init(&c, buf, len);
    cc->n = 0;
    cc->n_chunks = 0;
    if (len < 4 || (len & 3))
        return fail(e, 0, "an RTCP compound is at least 4 bytes and a multiple of 4");
    while (cur_left(&c)) {
        size_t at;
        const char *why = read_pkt(&c, len, cc, &at);
        if (why)
            return fail(e, at, why);
    }
    return 0;
}

/* ---------------------------------------------------------------- encoder */

static void write_rb(wr *w, const rtcp_rb *rb)
{
    wr_u32(w, rb->ssrc);
    wr_u32(w, (uint32_t)rb->fraction << 24 | ((uint32_t)rb->lost & 0xffffffu));
    wr_u32(w, rb->ext_max_seq);
    wr_u32(w, rb->jitter);
    wr_u32(w, rb->lsr);
    wr_u32(w, rb->dlsr);
}

static void write_chunk(wr *w, const rtcp_sdes_chunk *ch)
{
    size_t start = w->len;
    wr_u32(w, ch->ssrc);
    for (size_t i = 0; i < ch->n_items; i++) {
        wr_u8(w, ch->items[i].type);
        wr_u8(w, ch->items[i].len);
        wr_bytes(w, ch->items[i].text, ch->items[i].len);
    }
    wr_u8(w, 0);
    wr_zero(w, (4 - ((w->len - start) & 3)) & 3);
}

static void write_body(wr *w, const rtcp_pkt *p)
{
    switch (p->pt) {
    case RTCP_SR:
    case RTCP_RR:
        wr_u32(w, p->ssrc);
        if (p->pt == RTCP_SR) {
            wr_u32(w, p->ntp_sec);
            wr_u32(w, p->ntp_frac);
            wr_u32(w, p->rtp_ts);
            wr_u32(w, p->pkt_count);
            wr_u32(w, p->octet_count);
        }
        for (unsigned i = 0; i < p->count; i++)
            write_rb(w, &p->rb[i]);
        break;
    case RTCP_SDES:
        for (unsigned i = 0; i < p->count; i++)
            write_chunk(w, &p->chunks[i]);
        break;
    default: /* BYE */
        for (unsigned i = 0; i < p->count; i++)
            wr_u32(w, p->bye_ssrc[i]);
        if (p->reason) {
            wr_u8(w, p->reason_len);
            wr_bytes(w, p->reason, p->reason_len);
            wr_zero(w, (4 - ((1u + p->reason_len) & 3)) & 3);
        }
    }
}

static bool encodable(const rtcp_compound *c)
{
    if (c->n == 0 || c->n > RTCP_PKTS_MAX ||
        (c->pkts[0].pt != RTCP_SR && c->pkts[0].pt != RTCP_RR))
        return false;
    for (size_t i = 0; i < c->n; i++) {
        const rtcp_pkt *p = &c->pkts[i];
        if (p->count > RTCP_RB_MAX || p->pt < RTCP_SR || p->pt > RTCP_BYE ||
            (p->pt == RTCP_SDES && p->count && !p->chunks))
            return false;
        for (unsigned k = 0; p->pt == RTCP_SDES && k < p->count; k++)
            if (p->chunks[k].n_items > RTCP_SDES_ITEMS_MAX)
                return false;
    }
    return true;
}

int rtcp_encode(const rtcp_compound *c, uint8_t *buf, size_t cap, size_t *out_len)
{
    if (!encodable(c))
        return -EINVAL;
    wr w;
    wr_init(&w, buf, cap);
    for (size_t i = 0; i < c->n; i++) {
        const rtcp_pkt *p = &c->pkts[i];
        size_t start = w.len;
        wr_u8(&w, (uint8_t)(RTP_VERSION << 6 | p->count));
        wr_u8(&w, p->pt);
        size_t len_at = wr_reserve(&w, 2);
        write_body(&w, p);
        if (w.err)
            return w.err;
        size_t words = (w.len - start) / 4 - 1;
        if (words > 0xffff)
            return -EINVAL;
        wr_patch_u16(&w, len_at, (uint16_t)words);
    }
    *out_len = w.len;
    return 0;
}
