/* protocols/turn/turn_decode.c — `natsim decode turn FILE [--user U --realm R --password P]`:
 * a ChannelData datagram (channel, length, padding, the data), or a STUN-format TURN message
 * checked by the TURN codec and dumped with TURN attribute names and values. STUN's own
 * attributes are printed by the STUN dumper (stun_msg_fmt), one attribute at a time, so both
 * decoders print them the same way. With the long-term credential given, MESSAGE-INTEGRITY is
 * verified; FINGERPRINT always is. */
#include "protocols/turn/turn.h"

#include <errno.h>
#include <string.h>

#define TURN_DECODE_ERROR g_quark_from_static_string("turn-decode-error")
#define SHOW_MAX 64 /* data bytes shown */

static void fmt_data(GString *out, const uint8_t *p, size_t n)
{
    size_t k = MIN(n, (size_t)SHOW_MAX);
    bool text = k > 0;
    for (size_t i = 0; i < k; i++)
        text = text && p[i] >= 0x20 && p[i] < 0x7f;
    if (text) {
        g_string_append_c(out, '"');
        g_string_append_len(out, (const char *)p, (gssize)k);
        g_string_append_c(out, '"');
    } else {
        for (size_t i = 0; i < k; i++)
            g_string_append_printf(out, "%02x", p[i]);
    }
    if (n > k)
        g_string_append(out, "...");
}

static int decode_chandata(const uint8_t *data, size_t len, GString *out, GError **err)
{
    uint16_t ch;
    const uint8_t *d;
    size_t dl;
    const char *why = "";
    if (turn_chandata_decode(data, len, &ch, &d, &dl, &why) != 0) {
        g_set_error(err, TURN_DECODE_ERROR, EBADMSG, "malformed ChannelData: %s (%zu bytes)",
                    why, len);
        return -1;
    }
    g_string_append_printf(out, "TURN ChannelData channel 0x%04X%s, length %zu", ch,
                           ch > TURN_CHANNEL_MAX ? " (RFC 5766 range; RFC 8656 binds only "
                                                   "0x4000-0x4FFF)" : "", dl);
    if (len > TURN_CHANDATA_HDR + dl)
        g_string_append_printf(out, " + %zu bytes padding", len - TURN_CHANDATA_HDR - dl);
    g_string_append(out, "\n  data: ");
    fmt_data(out, d, dl);
    g_string_append_c(out, '\n');
    return 0;
}

/* The value of one TURN attribute (already validated by the codec). */
static void fmt_turn_value(GString *out, const stun_msg *m, const stun_attr *a)
{
    const uint8_t *v = a->value;
    char b[SIM_EP_STRLEN];
    sim_ep ep;
    switch (a->type) {
    case TURN_ATTR_XOR_PEER_ADDRESS:
    case TURN_ATTR_XOR_RELAYED_ADDRESS:
        if (stun_attr_addr(a, m->txid, &ep) == 0)
            g_string_append(out, sim_ep_fmt(&ep, b, sizeof b));
        return;
    case TURN_ATTR_CHANNEL_NUMBER:
        g_string_append_printf(out, "0x%04X", (v[0] << 8) | v[1]);
        return;
    case TURN_ATTR_LIFETIME:
        g_string_append_printf(out, "%u s", ((unsigned)v[0] << 24) | ((unsigned)v[1] << 16) |
                                                ((unsigned)v[2] << 8) | v[3]);
        return;
    case TURN_ATTR_DATA:
        fmt_data(out, v, a->len);
        return;
    case TURN_ATTR_REQUESTED_ADDRESS_FAMILY:
    case TURN_ATTR_ADDITIONAL_ADDRESS_FAMILY:
        g_string_append(out, v[0] == TURN_FAMILY_IPV4 ? "IPv4" : "IPv6");
        return;
    case TURN_ATTR_EVEN_PORT:
        g_string_append(out, (v[0] & 0x80) ? "R=1 (reserve the next port)" : "R=0");
        return;
    case TURN_ATTR_REQUESTED_TRANSPORT:
        g_string_append_printf(out, "%u%s", v[0], v[0] == TURN_TRANSPORT_UDP ? " (UDP)" : "");
        return;
    case TURN_ATTR_ADDRESS_ERROR_CODE:
        g_string_append_printf(out, "%s %u \"%.*s\"", v[0] == TURN_FAMILY_IPV4 ? "IPv4" : "IPv6",
                               (v[2] & 7) * 100u + v[3], (int)(a->len - 4), (const char *)v + 4);
        return;
    case TURN_ATTR_ICMP:
        g_string_append_printf(out, "type %u code %u data 0x%02x%02x%02x%02x", v[2], v[3], v[4],
                               v[5], v[6], v[7]);
        return;
    default: /* DONT-FRAGMENT, RESERVATION-TOKEN */
        for (size_t i = 0; i < a->len; i++)
            g_string_append_printf(out, "%02x", v[i]);
    }
}

/* Dumps m: header, then every attribute (TURN ones here, STUN ones by the STUN dumper). */
static void fmt_msg(const stun_msg *m, GString *out)
{
    const char *method = turn_method_name(m->method);
    g_string_append_printf(out, "TURN %s %s (type 0x%04x), length %zu, transaction id ",
                           method ? method : "unknown method", stun_class_name(m->cls),
                           stun_type(m->method, m->cls), m->len - STUN_HDR_LEN);
    for (size_t i = 0; i < STUN_TXID_LEN; i++)
        g_string_append_printf(out, "%02x", m->txid[i]);
    g_string_append_c(out, '\n');
    stun_msg *one = g_new(stun_msg, 1);
    g_autoptr(GString) tmp = g_string_new(NULL);
    for (size_t i = 0; i < m->n_attrs; i++) {
        const stun_attr *a = &m->attrs[i];
        if (stun_attr_name(a->type) || !turn_attr_name(a->type)) {
            memcpy(one, m, offsetof(stun_msg, attrs));
            one->n_attrs = 1;
            one->attrs[0] = *a;
            g_string_truncate(tmp, 0);
            stun_msg_fmt(one, tmp);
            const char *line = strchr(tmp->str, '\n');
            g_string_append(out, line ? line + 1 : "");
            continue;
        }
        g_string_append_printf(out, "  @%-4u %s (0x%04x), %u bytes%s: ", a->off,
                               turn_attr_name(a->type), a->type, a->len,
                               a->ignored ? " [after integrity, ignored]" : "");
        if (a->ignored) /* not validated: raw bytes only */
            fmt_data(out, a->value, a->len);
        else
            fmt_turn_value(out, m, a);
        g_string_append_c(out, '\n');
    }
    g_free(one);
}

typedef struct opts {
    const char *user, *realm, *password;
} opts;

static int parse_opts(int argc, char **argv, opts *o, GError **err)
{
    for (int i = 1; i < argc; i++) {
        const char **slot = !strcmp(argv[i], "--user")       ? &o->user
                            : !strcmp(argv[i], "--realm")    ? &o->realm
                            : !strcmp(argv[i], "--password") ? &o->password
                                                             : NULL;
        if (!slot || i + 1 >= argc) {
            g_set_error(err, TURN_DECODE_ERROR, EINVAL,
                        slot ? "turn: option '%s' needs a value"
                             : "turn: unknown option '%s' (use --user U --realm R --password P)",
                        argv[i]);
            return -1;
        }
        *slot = argv[++i];
    }
    if ((o->user || o->realm || o->password) && !(o->user && o->realm && o->password)) {
        g_set_error(err, TURN_DECODE_ERROR, EINVAL,
                    "turn: the long-term credential needs all of --user, --realm, --password");
        return -1;
    }
    return 0;
}

/* Appends the integrity / fingerprint verdicts; false if a check failed. */
static bool verify(const stun_msg *m, const opts *o, GString *out)
{
    bool ok = true;
    if (stun_msg_find(m, STUN_ATTR_MESSAGE_INTEGRITY)) {
        if (o->user) {
            uint8_t key[16];
            stun_key_long_term(o->user, o->realm, o->password, key);
            int rc = stun_msg_check_integrity(m, key, sizeof key);
            g_string_append_printf(out, "MESSAGE-INTEGRITY: %s\n", rc == 0 ? "ok" : "MISMATCH");
            ok = rc == 0;
        } else {
            g_string_append(out, "MESSAGE-INTEGRITY: not verified (no --user/--realm/"
                                 "--password)\n");
        }
    }
    if (stun_msg_find(m, STUN_ATTR_FINGERPRINT)) {
        int rc = stun_msg_check_fingerprint(m);
        g_string_append_printf(out, "FINGERPRINT: %s\n", rc == 0 ? "ok" : "MISMATCH");
        ok = ok && rc == 0;
    }
    return ok;
}

int turn_decode(const uint8_t *data, size_t len, int argc, char **argv, GString *out,
                GError **err)
{
    opts o = { 0 };
    if (parse_opts(argc, argv, &o, err) < 0)
        return -1;
    if (len > 0 && (data[0] & 0xC0) == 0x40) /* first two bits 01 */
        return decode_chandata(data, len, out, err);
    stun_msg *m = g_new(stun_msg, 1);
    stun_err e = { 0, "" };
    if (turn_msg_decode(data, len, m, &e) != 0) {
        g_set_error(err, TURN_DECODE_ERROR, EBADMSG,
                    "malformed TURN message at byte %zu: %s (%zu bytes)", e.off, e.why, len);
        g_free(m);
        return -1;
    }
    fmt_msg(m, out);
    bool ok = verify(m, &o, out);
    g_free(m);
    if (!ok) {
        g_set_error(err, TURN_DECODE_ERROR, EACCES, "integrity or fingerprint check failed");
        return -1;
    }
    return 0;
}
