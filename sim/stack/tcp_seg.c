/* sim/stack/tcp_seg.c — the TCP segment codec (RFC 9293 3.1): header, data offset, flags,
 * window, checksum over the IPv4/IPv6 pseudo-header, and options.
 *
 * Options we send, in this order and always 32-bit aligned without padding:
 *   MSS        kind 2, len 4, 16-bit value                 (RFC 9293 3.7.1, RFC 6691)
 *   NOP NOP SACK-permitted  kind 4, len 2                  (RFC 2018)
 *   NOP window scale        kind 3, len 3, shift count     (RFC 7323)
 * On input any option order is accepted; unknown kinds are skipped by their length; EOL ends
 * the list. A decoded segment re-encodes to the same bytes when its options were in this
 * canonical layout (what our own encoder produces). */
#include <errno.h>
#include <string.h>
#include "sim/cursor.h"
#include "sim/stack/net.h"
#include "sim/stack/tcp.h"

size_t tcp_seg_hlen(const tcp_seg *seg)
{
    return TCP_HLEN + (seg->mss ? 4 : 0) + (seg->sack_ok ? 4 : 0) + (seg->has_wscale ? 4 : 0);
}

/* Sets *why (when asked for) and returns -EBADMSG. */
static int bad(const char **why, const char *reason)
{
    if (why)
        *why = reason;
    return -EBADMSG;
}

/* Parses the options area; fills the option fields of out. Returns 0 or -EBADMSG (*why). */
static int parse_options(cur *c, tcp_seg *out, const char **why)
{
    while (cur_left(c) > 0) {
        uint8_t kind = cur_u8(c);
        if (kind == TCP_OPT_EOL)
            return 0; /* the rest is padding */
        if (kind == TCP_OPT_NOP)
            continue;
        if (cur_left(c) < 1)
            return bad(why, "option kind without its length byte");
        uint8_t olen = cur_u8(c);
        if (olen < 2) /* RFC 9293 3.1: the length covers kind and length */
            return bad(why, "option length < 2");
        if (olen - 2u > cur_left(c))
            return bad(why, "option overruns the header");
        cur body = cur_sub(c, olen - 2u);
        switch (kind) {
        case TCP_OPT_MSS:
            if (olen != 4)
                return bad(why, "MSS option length is not 4");
            out->mss = cur_u16(&body);
            break;
        case TCP_OPT_WSCALE:
            if (olen != 3)
                return bad(why, "window scale option length is not 3");
            out->has_wscale = true;
            out->wscale = cur_u8(&body);
            break;
        case TCP_OPT_SACK_OK:
            if (olen != 2)
                return bad(why, "SACK-permitted option length is not 2");
            out->sack_ok = true;
            break;
        default:
            break; /* timestamps, SACK blocks, unknown: skipped by length */
        }
    }
    return cur_ok(c) ? 0 : bad(why, "options truncated");
}

/* The pseudo-header sum for a segment of len bytes between src and dst. */
static uint32_t pseudo_sum(const sim_ip *src, const sim_ip *dst, size_t len)
{
    if (src->family == SIM_AF_INET)
        return net_csum_pseudo4(src->b, dst->b, NET_PROTO_TCP, (uint32_t)len);
    return net_csum_pseudo6(src->b, dst->b, NET_PROTO_TCP, (uint32_t)len);
}

static bool addrs_ok(const sim_ip *src, const sim_ip *dst)
{
    return src->family == dst->family &&
           (src->family == SIM_AF_INET || src->family == SIM_AF_INET6);
}

int tcp_seg_decode(const uint8_t *buf, size_t len, const sim_ip *src, const sim_ip *dst,
                   tcp_seg *out)
{
    return tcp_seg_decode_why(buf, len, src, dst, out, NULL);
}

int tcp_seg_decode_why(const uint8_t *buf, size_t len, const sim_ip *src, const sim_ip *dst,
                       tcp_seg *out, const char **why)
{
    tcp_seg s = { 0 };
    cur c;
    cur_init(&c, buf, len);
    s.sport = cur_u16(&c);
    s.dport = cur_u16(&c);
    s.seq = cur_u32(&c);
    s.ack = cur_u32(&c);
    uint8_t off = cur_u8(&c) >> 4; /* the low 4 bits are reserved */
    s.flags = cur_u8(&c);
    s.wnd = cur_u16(&c);
    cur_skip(&c, 2); /* checksum, verified over the whole segment below */
    s.urp = cur_u16(&c);
    if (!cur_ok(&c))
        return bad(why, "shorter than the 20-byte header");
    if (off < 5)
        return bad(why, "data offset < 5");
    if (off * 4u > len)
        return bad(why, "data offset beyond the segment");
    s.hlen = (uint8_t)(off * 4);
    cur opts = cur_sub(&c, s.hlen - TCP_HLEN);
    if (parse_options(&opts, &s, why) < 0)
        return -EBADMSG;
    if (src && dst) {
        if (!addrs_ok(src, dst))
            return bad(why, "addresses of different families");
        if (net_csum_fold(net_csum_add(pseudo_sum(src, dst, len), buf, len)) != 0)
            return bad(why, "bad checksum");
    }
    s.data = buf + s.hlen;
    s.len = len - s.hlen;
    *out = s;
    return 0;
}

int tcp_seg_encode(const tcp_seg *seg, const sim_ip *src, const sim_ip *dst, uint8_t *buf,
                   size_t cap, size_t *out_len)
{
    if ((seg->has_wscale && seg->wscale > 14) || (src && dst && !addrs_ok(src, dst)) ||
        (seg->len && !seg->data))
        return -EINVAL;
    size_t hlen = tcp_seg_hlen(seg), total = hlen + seg->len;
    if (total > cap || total > 0xFFFF)
        return -ENOSPC;
    wr w;
    wr_init(&w, buf, cap);
    wr_u16(&w, seg->sport);
    wr_u16(&w, seg->dport);
    wr_u32(&w, seg->seq);
    wr_u32(&w, seg->ack);
    wr_u8(&w, (uint8_t)(hlen / 4) << 4);
    wr_u8(&w, seg->flags);
    wr_u16(&w, seg->wnd);
    size_t csum_at = wr_reserve(&w, 2);
    wr_u16(&w, seg->urp);
    if (seg->mss) {
        wr_u8(&w, TCP_OPT_MSS);
        wr_u8(&w, 4);
        wr_u16(&w, seg->mss);
    }
    if (seg->sack_ok) {
        wr_u8(&w, TCP_OPT_NOP);
        wr_u8(&w, TCP_OPT_NOP);
        wr_u8(&w, TCP_OPT_SACK_OK);
        wr_u8(&w, 2);
    }
    if (seg->has_wscale) {
        wr_u8(&w, TCP_OPT_NOP);
        wr_u8(&w, TCP_OPT_WSCALE);
        wr_u8(&w, 3);
        wr_u8(&w, seg->wscale);
    }
    wr_bytes(&w, seg->data, seg->len);
    wr_patch_u16(&w, csum_at, 0);
    if (w.err)
        return w.err;
    if (src && dst)
        wr_patch_u16(&w, csum_at, net_csum_fold(net_csum_add(pseudo_sum(src, dst, total), buf,
                                                             total)));
    *out_len = total;
    return 0;
}

bool tcp_seg_reset_for(const tcp_seg *in, tcp_seg *rst)
{
    if (in->flags & TCP_RST)
        return false;
    tcp_seg r = { .sport = in->dport, .dport = in->sport };
    if (in->flags & TCP_ACK) {
        r.seq = in->ack; /* <SEQ=SEG.ACK><CTL=RST> */
        r.flags = TCP_RST;
    } else {
        /* <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; SYN and FIN count in the length */
        r.ack = in->seq + (uint32_t)in->len + !!(in->flags & TCP_SYN) + !!(in->flags & TCP_FIN);
        r.flags = TCP_RST | TCP_ACK;
    }
    *rst = r;
    return true;
}

void tcp_seg_fmt(const tcp_seg *seg, GString *out)
{
    static const char *names[8] = { "FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR" };
    g_string_append_printf(out, "%u > %u [", seg->sport, seg->dport);
    bool first = true;
    for (unsigned k = 0; k < 8; k++) {
        if (!(seg->flags & (1u << k)))
            continue;
        g_string_append_printf(out, "%s%s", first ? "" : ",", names[k]);
        first = false;
    }
    g_string_append_printf(out, "] seq=%u ack=%u win=%u len=%zu", seg->seq, seg->ack,
                           seg->wnd, seg->len);
    if (seg->mss)
        g_string_append_printf(out, " mss=%u", seg->mss);
    if (seg->sack_ok)
        g_string_append(out, " sack_perm");
    if (seg->has_wscale)
        g_string_append_printf(out, " ws=%u", seg->wscale);
}
