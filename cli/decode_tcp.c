/* cli/decode_tcp.c — `natsim decode tcp FILE [--src IP --dst IP]`: a dump of one TCP segment
 * (RFC 9293 header, the MSS / window scale / SACK-permitted options, the payload in hex) with
 * the stack's own codec (sim/stack/tcp.h). With --src and --dst the checksum is verified over
 * the IPv4 or IPv6 pseudo-header. A malformed segment fails with the reason. TCP is an engine
 * module, not a protocol of protocols/, so its decoder lives here. */
#include "cli/cli.h"

#include <errno.h>
#include <string.h>
#include "sim/stack/tcp.h"

#define TCP_DECODE_ERROR g_quark_from_static_string("tcp-decode-error")
#define HEX_MAX 256 /* payload bytes shown */

/* Parses --src IP / --dst IP; returns 0 or -1 with err set. */
static int parse_opts(int argc, char **argv, sim_ip *src, sim_ip *dst, GError **err)
{
    for (int k = 1; k < argc; k++) {
        sim_ip *which = !strcmp(argv[k], "--src") ? src : !strcmp(argv[k], "--dst") ? dst : NULL;
        if (!which) {
            g_set_error(err, TCP_DECODE_ERROR, EINVAL, "tcp: unknown option '%s' (known: "
                        "--src IP, --dst IP)", argv[k]);
            return -1;
        }
        if (k + 1 >= argc || sim_ip_parse(argv[k + 1], which) < 0) {
            g_set_error(err, TCP_DECODE_ERROR, EINVAL, "tcp: %s wants an IP address", argv[k]);
            return -1;
        }
        k++;
    }
    if (!src->family != !dst->family || (src->family && src->family != dst->family)) {
        g_set_error(err, TCP_DECODE_ERROR, EINVAL,
                    "tcp: give both --src and --dst, of one family, to check the checksum");
        return -1;
    }
    return 0;
}

static void fmt_payload(GString *out, const uint8_t *p, size_t n)
{
    size_t shown = n < HEX_MAX ? n : HEX_MAX;
    for (size_t i = 0; i < shown; i++) {
        if (i % 16 == 0)
            g_string_append_printf(out, "\n  %04zx ", i);
        g_string_append_printf(out, " %02x", p[i]);
    }
    if (shown < n)
        g_string_append_printf(out, "\n  ... %zu more bytes", n - shown);
    g_string_append_c(out, '\n');
}

int tcp_decode(const uint8_t *data, size_t len, int argc, char **argv, GString *out,
               GError **err)
{
    sim_ip src = { 0 }, dst = { 0 };
    if (parse_opts(argc, argv, &src, &dst, err) < 0)
        return -1;
    bool check = src.family != SIM_AF_NONE;
    tcp_seg seg;
    const char *why = "malformed";
    if (tcp_seg_decode_why(data, len, check ? &src : NULL, check ? &dst : NULL, &seg, &why) <
        0) {
        g_set_error(err, TCP_DECODE_ERROR, EBADMSG, "tcp: %s (%zu bytes)", why, len);
        return -1;
    }
    g_string_append(out, "TCP ");
    tcp_seg_fmt(&seg, out);
    g_string_append_printf(out, "\n  header %u bytes, urgent pointer %u, checksum 0x%02x%02x %s\n",
                           seg.hlen, seg.urp, data[16], data[17],
                           check ? "(verified)" : "(not checked: give --src and --dst)");
    g_string_append_printf(out, "  payload %zu bytes", seg.len);
    if (seg.len)
        fmt_payload(out, seg.data, seg.len);
    else
        g_string_append_c(out, '\n');
    return 0;
}
