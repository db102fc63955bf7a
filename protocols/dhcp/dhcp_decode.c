/* protocols/dhcp/dhcp_decode.c — `natsim decode dhcp FILE`: one DHCP message dumped like
 * tcpdump -v, every header field and every option named with its value decoded (addresses,
 * times, text, the parameter request list by name, the client identifier); unknown options in
 * hex. A malformed message fails with the byte offset of the error. */
#include "protocols/dhcp/dhcp.h"

#include <errno.h>
#include <string.h>
#include "sim/addr.h"

#define DHCP_DECODE_ERROR g_quark_from_static_string("dhcp-decode-error")

static void fmt_ip(GString *out, uint32_t a)
{
    char b[SIM_IP_STRLEN];
    sim_ip ip = sim_ip4(a);
    g_string_append(out, sim_ip_fmt(&ip, b, sizeof b));
}

/* Quoted, non-printable bytes escaped, at most 128 bytes shown. */
static void fmt_text(GString *out, const uint8_t *p, size_t n)
{
    g_string_append_c(out, '"');
    for (size_t i = 0; i < MIN(n, (size_t)128); i++) {
        uint8_t ch = p[i];
        if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\')
            g_string_append_c(out, (char)ch);
        else
            g_string_append_printf(out, "\\x%02x", ch);
    }
    g_string_append(out, n > 128 ? "\"..." : "\"");
}

static void fmt_hex(GString *out, const uint8_t *p, size_t n, char sep)
{
    for (size_t i = 0; i < n; i++) {
        if (sep && i)
            g_string_append_c(out, sep);
        g_string_append_printf(out, "%02x", p[i]);
    }
}

static uint32_t be(const uint8_t *p, size_t n)
{
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* Seconds as "3600 (1h)" style. */
static void fmt_secs(GString *out, uint32_t s)
{
    if (s == 0xFFFFFFFFu) {
        g_string_append(out, "infinite");
        return;
    }
    g_string_append_printf(out, "%u s", s);
    if (s >= 60)
        g_string_append_printf(out, " (%uh%02um%02us)", s / 3600, s / 60 % 60, s % 60);
}

/* One option's value (already validated by the decoder). */
static void fmt_value(GString *out, uint8_t code, const uint8_t *v, size_t n)
{
    switch (code) {
    case 1: case 3: case 4: case 6: case 7: case 28: case 42: case 44: case 50: case 54:
        for (size_t i = 0; i + 4 <= n; i += 4) {
            if (i)
                g_string_append(out, ", ");
            fmt_ip(out, be(v + i, 4));
        }
        return;
    case DHCP_OPT_LEASE_TIME: case DHCP_OPT_T1: case DHCP_OPT_T2:
        fmt_secs(out, be(v, 4));
        return;
    case 2:
        g_string_append_printf(out, "%d s", (int32_t)be(v, 4));
        return;
    case 26: case DHCP_OPT_MAX_MSG_SIZE:
        g_string_append_printf(out, "%u", be(v, 2));
        return;
    case DHCP_OPT_MSG_TYPE: {
        const char *t = dhcp_type_name(v[0]);
        g_string_append_printf(out, "%s (%u)", t ? t + 4 : "unknown", v[0]);
        return;
    }
    case 12: case 15: case 56: case 60: case 66: case 67:
        fmt_text(out, v, n);
        return;
    case DHCP_OPT_PARAM_REQUEST:
        for (size_t i = 0; i < n; i++) {
            const char *name = dhcp_opt_name(v[i]);
            g_string_append_printf(out, "%s%s (%u)", i ? ", " : "", name ? name : "unknown",
                                   v[i]);
        }
        return;
    case DHCP_OPT_CLIENT_ID:
        if (v[0] == 1 && n == 7) {
            g_string_append(out, "ether ");
            fmt_hex(out, v + 1, 6, ':');
        } else {
            g_string_append_printf(out, "type %u, ", v[0]);
            fmt_hex(out, v + 1, n - 1, 0);
        }
        return;
    default:
        fmt_hex(out, v, MIN(n, (size_t)64), 0);
        if (n > 64)
            g_string_append(out, "...");
    }
}

/* A NUL-padded header string field, when not empty. */
static void fmt_field(GString *out, const char *label, const uint8_t *p, size_t n)
{
    size_t len = 0;
    while (len < n && p[len])
        len++;
    if (!len)
        return;
    g_string_append_printf(out, "  %s ", label);
    fmt_text(out, p, len);
    g_string_append_c(out, '\n');
}

void dhcp_msg_fmt(const dhcp_msg *m, GString *out)
{
    int type = dhcp_msg_type(m);
    const char *tn = type > 0 ? dhcp_type_name(type) : NULL;
    g_string_append_printf(out, "DHCP %s (%s), xid 0x%08x, secs %u, flags [%s] (0x%04x)\n",
                           tn ? tn : type > 0 ? "unknown type" : "BOOTP (no message type)",
                           m->op == DHCP_BOOTREQUEST ? "BOOTREQUEST" : "BOOTREPLY", m->xid,
                           m->secs, (m->flags & DHCP_FLAG_BROADCAST) ? "Broadcast" : "none",
                           m->flags);
    g_string_append_printf(out, "  htype %u, hlen %u, hops %u\n", m->htype, m->hlen, m->hops);
    static const char *const labels[] = { "Client-IP", "Your-IP", "Server-IP", "Gateway-IP" };
    const uint32_t addrs[] = { m->ciaddr, m->yiaddr, m->siaddr, m->giaddr };
    for (size_t i = 0; i < 4; i++) {
        g_string_append_printf(out, "%s%s ", i ? ", " : "  ", labels[i]);
        fmt_ip(out, addrs[i]);
    }
    g_string_append(out, m->htype == 1 && m->hlen == 6 ? "\n  Client-Ethernet-Address "
                                                       : "\n  Client-Hardware-Address ");
    fmt_hex(out, m->chaddr, m->hlen, ':');
    g_string_append_c(out, '\n');
    fmt_field(out, "Server-Name", m->sname, DHCP_SNAME_LEN);
    fmt_field(out, "Boot-File", m->file, DHCP_FILE_LEN);
    if (m->overload)
        g_string_append_printf(out, "  Option-Overload (52): options also in %s\n",
                               m->overload == 1 ? "file" : m->overload == 2 ? "sname"
                                                                            : "file and sname");
    g_string_append(out, "  Options (magic cookie 99.130.83.99):\n");
    for (size_t i = 0; i < m->n_opts; i++) {
        const dhcp_opt *o = &m->opts[i];
        const char *name = dhcp_opt_name(o->code);
        g_string_append_printf(out, "    %s (%u), length %u: ", name ? name : "Unknown", o->code,
                               o->len);
        if (o->len)
            fmt_value(out, o->code, dhcp_opt_value(m, o), o->len);
        g_string_append_c(out, '\n');
    }
}

int dhcp_decode(const uint8_t *data, size_t len, int argc, char **argv, GString *out,
                GError **err)
{
    if (argc > 1) {
        g_set_error(err, DHCP_DECODE_ERROR, EINVAL, "dhcp: unknown option '%s' (takes none)",
                    argv[1]);
        return -1;
    }
    dhcp_msg *m = g_new(dhcp_msg, 1);
    dhcp_err e = { 0, "" };
    if (dhcp_msg_decode(data, len, m, &e) != 0) {
        g_set_error(err, DHCP_DECODE_ERROR, EBADMSG,
                    "malformed DHCP message at byte %zu: %s (%zu bytes)", e.off, e.why, len);
        g_free(m);
        return -1;
    }
    dhcp_msg_fmt(m, out);
    g_free(m);
    return 0;
}
