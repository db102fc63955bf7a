/* protocols/rtp/rtp_decode.c — `natsim decode rtp FILE`: one RTP packet, or one RTCP compound
 * packet (told apart as on a shared port, RFC 5761 §4: second byte 192..223 is RTCP), every
 * field shown. A malformed packet fails with the byte offset and the reason. */
#include "protocols/rtp/rtp.h"

#include <errno.h>
#include <string.h>

#define RTP_DECODE_ERROR g_quark_from_static_string("rtp-decode-error")

static void fmt_text(GString *out, const uint8_t *p, size_t n)
{
    g_string_append_c(out, '"');
    for (size_t i = 0; i < n; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\')
            g_string_append_c(out, (char)p[i]);
        else
            g_string_append_printf(out, "\\x%02x", p[i]);
    }
    g_string_append_c(out, '"');
}

void rtp_pkt_fmt(const rtp_pkt *p, GString *out)
{
    g_string_append_printf(out,
                           "RTP version 2, payload type %u%s, seq %u, timestamp %u, SSRC 0x%08x%s\n",
                           p->pt, p->pt == RTP_PT_PCMU ? " (PCMU)" : p->pt == RTP_PT_PCMA ? " (PCMA)" : "",
                           p->seq, p->ts, p->ssrc, p->marker ? ", marker" : "");
    for (unsigned i = 0; i < p->cc; i++)
        g_string_append_printf(out, "  CSRC 0x%08x\n", p->csrc[i]);
    if (p->extension)
        g_string_append_printf(out, "  header extension: profile 0x%04x, %zu bytes\n",
                               p->ext_profile, p->ext_len);
    g_string_append_printf(out, "  payload: %zu bytes", p->payload_len);
    if (p->padding)
        g_string_append_printf(out, ", padding %u bytes", p->pad_len);
    g_string_append_c(out, '\n');
}

static void fmt_rb(GString *out, const rtcp_rb *rb)
{
    g_string_append_printf(out,
                           "  report on SSRC 0x%08x: fraction lost %u/256, cumulative lost %d, "
                           "highest seq %u (cycles %u, seq %u), jitter %u, LSR 0x%08x, DLSR %u "
                           "(%.3f s)\n",
                           rb->ssrc, rb->fraction, rb->lost, rb->ext_max_seq,
                           rb->ext_max_seq >> 16, rb->ext_max_seq & 0xffff, rb->jitter, rb->lsr,
                           rb->dlsr, rb->dlsr / 65536.0);
}

static void fmt_pkt(GString *out, const rtcp_pkt *p)
{
    const char *name = rtcp_type_name(p->pt);
    g_string_append_printf(out, "RTCP %s (type %u), %zu bytes at offset %zu, count %u%s\n",
                           name ? name : "unknown", p->pt, p->len, p->off, p->count,
                           p->padding ? ", padded" : "");
    if (p->pt == RTCP_SR || p->pt == RTCP_RR)
        g_string_append_printf(out, "  sender SSRC 0x%08x\n", p->ssrc);
    if (p->pt == RTCP_SR)
        g_string_append_printf(out,
                               "  NTP %u.%09u, RTP timestamp %u, %u packets, %u octets sent\n",
                               p->ntp_sec, (unsigned)((uint64_t)p->ntp_frac * 1000000000u >> 32),
                               p->rtp_ts, p->pkt_count, p->octet_count);
    for (unsigned i = 0; (p->pt == RTCP_SR || p->pt == RTCP_RR) && i < p->count; i++)
        fmt_rb(out, &p->rb[i]);
    for (unsigned i = 0; p->pt == RTCP_SDES && i < p->count; i++) {
        const rtcp_sdes_chunk *ch = &p->chunks[i];
        g_string_append_printf(out, "  chunk SSRC 0x%08x\n", ch->ssrc);
        for (size_t k = 0; k < ch->n_items; k++) {
            g_string_append_printf(out, "    %s ", ch->items[k].type == RTCP_SDES_CNAME
                                                       ? "CNAME"
                                                       : "item");
            if (ch->items[k].type != RTCP_SDES_CNAME)
                g_string_append_printf(out, "%u ", ch->items[k].type);
            fmt_text(out, ch->items[k].text, ch->items[k].len);
            g_string_append_c(out, '\n');
        }
    }
    for (unsigned i = 0; p->pt == RTCP_BYE && i < p->count; i++)
        g_string_append_printf(out, "  leaving: SSRC 0x%08x\n", p->bye_ssrc[i]);
    if (p->pt == RTCP_BYE && p->reason) {
        g_string_append(out, "  reason: ");
        fmt_text(out, p->reason, p->reason_len);
        g_string_append_c(out, '\n');
    }
}

void rtcp_compound_fmt(const rtcp_compound *c, GString *out)
{
    g_string_append_printf(out, "RTCP compound packet, %zu packet(s)\n", c->n);
    for (size_t i = 0; i < c->n; i++)
        fmt_pkt(out, &c->pkts[i]);
}

int rtp_decode_cli(const uint8_t *data, size_t len, int argc, char **argv, GString *out,
                   GError **err)
{
    if (argc > 1) {
        g_set_error(err, RTP_DECODE_ERROR, EINVAL, "rtp: unknown option '%s' (rtp takes none)",
                    argv[1]);
        return -1;
    }
    rtp_err e = { 0, "" };
    if (rtp_is_rtcp(data, len)) {
        rtcp_compound *c = g_new(rtcp_compound, 1);
        int rc = rtcp_decode(data, len, c, &e);
        if (rc == 0)
            rtcp_compound_fmt(c, out);
        g_free(c);
        if (rc == 0)
            return 0;
        g_set_error(err, RTP_DECODE_ERROR, EBADMSG, "malformed RTCP at byte %zu: %s (%zu bytes)",
                    e.off, e.why, len);
        return -1;
    }
    rtp_pkt p;
    if (rtp_decode(data, len, &p, &e) != 0) {
        g_set_error(err, RTP_DECODE_ERROR, EBADMSG, "malformed RTP at byte %zu: %s (%zu bytes)",
                    e.off, e.why, len);
        return -1;
    }
    rtp_pkt_fmt(&p, out);
    return 0;
}
