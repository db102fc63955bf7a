/* protocols/stun/stun_decode.c — `natsim decode stun FILE [options]`: a human-readable dump of
 * one STUN message, every attribute decoded, with MESSAGE-INTEGRITY(-SHA256) verified when a
 * key is given and FINGERPRINT always verified:
 *     --key HEX                        the HMAC key itself
 *     --password P                     short-term credential: the key is P
 *     --user U --realm R --password P  long-term credential: key = MD5(U:R:P)
 * A malformed message fails with the byte offset of the error. */
#include "protocols/stun/stun.h"

#include <errno.h>
#include <string.h>

#define STUN_DECODE_ERROR g_quark_from_static_string("stun-decode-error")

static void fmt_text(GString *out, const uint8_t *p, size_t n)
{
    g_string_append_c(out, '"');
    bool utf8 = g_utf8_validate((const char *)p, (gssize)n, NULL);
    for (size_t i = 0; i < n; i++) {
        uint8_t ch = p[i];
        if ((ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\') || (utf8 && ch >= 0x80))
            g_string_append_c(out, (char)ch);
        else
            g_string_append_printf(out, "\\x%02x", ch);
    }
    g_string_append_c(out, '"');
}

static void fmt_hex(GString *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        g_string_append_printf(out, "%02x", p[i]);
}

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* The value of one (already validated) attribute. */
static void fmt_value(GString *out, const stun_msg *m, const stun_attr *a)
{
    const uint8_t *v = a->value;
    char b[SIM_EP_STRLEN];
    sim_ep ep;
    switch (a->type) {
    case STUN_ATTR_MAPPED_ADDRESS:
    case STUN_ATTR_XOR_MAPPED_ADDRESS:
    case STUN_ATTR_ALTERNATE_SERVER:
    case STUN_ATTR_RESPONSE_ORIGIN:
    case STUN_ATTR_OTHER_ADDRESS:
        if (stun_attr_addr(a, m->txid, &ep) == 0)
            g_string_append(out, sim_ep_fmt(&ep, b, sizeof b));
        return;
    case STUN_ATTR_USERNAME:
    case STUN_ATTR_REALM:
    case STUN_ATTR_NONCE:
    case STUN_ATTR_SOFTWARE:
        fmt_text(out, v, a->len);
        return;
    case STUN_ATTR_ERROR_CODE:
        g_string_append_printf(out, "%u ", (v[2] & 7) * 100u + v[3]);
        fmt_text(out, v + 4, a->len - 4u);
        return;
    case STUN_ATTR_UNKNOWN_ATTRIBUTES:
        for (size_t i = 0; i + 1 < a->len; i += 2) {
            uint16_t t = (uint16_t)((v[i] << 8) | v[i + 1]);
            const char *name = stun_attr_name(t);
            g_string_append_printf(out, "%s0x%04x%s%s%s", i ? ", " : "", t, name ? " (" : "",
                                   name ? name : "", name ? ")" : "");
        }
        return;
    case STUN_ATTR_CHANGE_REQUEST:
        g_string_append_printf(out, "0x%08x%s%s", be32(v),
                               (be32(v) & STUN_CHANGE_IP) ? " change-ip" : "",
                               (be32(v) & STUN_CHANGE_PORT) ? " change-port" : "");
        return;
    case STUN_ATTR_RESPONSE_PORT:
        g_string_append_printf(out, "%u", (v[0] << 8) | v[1]);
        return;
    case STUN_ATTR_PRIORITY:
    case STUN_ATTR_FINGERPRINT:
        g_string_append_printf(out, "0x%08x", be32(v));
        return;
    case STUN_ATTR_PADDING:
        g_string_append_printf(out, "%u bytes", a->len);
        return;
    case STUN_ATTR_USE_CANDIDATE:
        return;
    default:
        fmt_hex(out, v, MIN(a->len, (uint16_t)64));
        if (a->len > 64)
            g_string_append(out, "...");
    }
}

void stun_msg_fmt(const stun_msg *m, GString *out)
{
    const char *method = stun_method_name(m->method);
    if (method)
        g_string_append_printf(out, "STUN %s %s", method, stun_class_name(m->cls));
    else
        g_string_append_printf(out, "STUN method 0x%03x %s", m->method, stun_class_name(m->cls));
    g_string_append_printf(out, " (type 0x%04x), length %zu, transaction id ",
                           stun_type(m->method, m->cls), m->len - STUN_HDR_LEN);
    fmt_hex(out, m->txid, STUN_TXID_LEN);
    g_string_append_c(out, '\n');
    for (size_t i = 0; i < m->n_attrs; i++) {
        const stun_attr *a = &m->attrs[i];
        const char *name = stun_attr_name(a->type);
        g_string_append_printf(out, "  @%-4u %s (0x%04x), %u bytes%s: ", a->off,
                               name ? name : a->type < 0x8000 ? "unknown comprehension-required"
                                                              : "unknown optional",
                               a->type, a->len, a->ignored ? " [after integrity, ignored]" : "");
        if (name && !a->ignored)
            fmt_value(out, m, a);
        else
            fmt_hex(out, a->value, MIN(a->len, (uint16_t)64));
        g_string_append_c(out, '\n');
    }
}

typedef struct opts {
    const char *key_hex, *user, *realm, *password;
} opts;

static int parse_opts(int argc, char **argv, opts *o, GError **err)
{
    for (int i = 1; i < argc; i++) {
        const char **slot = !strcmp(argv[i], "--key")        ? &o->key_hex
                            : !strcmp(argv[i], "--user")     ? &o->user
                            : !strcmp(argv[i], "--realm")    ? &o->realm
                            : !strcmp(argv[i], "--password") ? &o->password
                                                             : NULL;
        if (!slot || i + 1 >= argc) {
            g_set_error(err, STUN_DECODE_ERROR, EINVAL,
                        slot ? "stun: option '%s' needs a value"
                             : "stun: unknown option '%s' (use --key HEX, --password P, "
                               "--user U --realm R --password P)",
                        argv[i]);
            return -1;
        }
        *slot = argv[++i];
    }
    if ((o->key_hex && (o->password || o->user || o->realm)) || (!o->user != !o->realm) ||
        (o->user && !o->password)) {
        g_set_error(err, STUN_DECODE_ERROR, EINVAL,
                    "stun: give either --key HEX, or --password P, or --user U --realm R "
                    "--password P");
        return -1;
    }
    return 0;
}

/* Fills key from the options; returns its length, 0 for "no key", -1 on a bad --key. */
static int make_key(const opts *o, uint8_t *key, size_t cap, GError **err)
{
    if (o->key_hex) {
        size_t n = strlen(o->key_hex);
        if (n == 0 || n % 2 || n / 2 > cap) {
            g_set_error(err, STUN_DECODE_ERROR, EINVAL, "stun: --key wants 1..%zu hex bytes", cap);
            return -1;
        }
        for (size_t i = 0; i < n / 2; i++) {
            int hi = g_ascii_xdigit_value(o->key_hex[2 * i]);
            int lo = g_ascii_xdigit_value(o->key_hex[2 * i + 1]);
            if (hi < 0 || lo < 0) {
                g_set_error(err, STUN_DECODE_ERROR, EINVAL, "stun: --key is not hex");
                return -1;
            }
            key[i] = (uint8_t)(hi << 4 | lo);
        }
        return (int)(n / 2);
    }
    if (o->user) {
        stun_key_long_term(o->user, o->realm, o->password, key);
        return 16;
    }
    if (o->password) {
        size_t n = MIN(strlen(o->password), cap);
        memcpy(key, o->password, n);
        return (int)n;
    }
    return 0;
}

static const char *verdict(int rc)
{
    return rc == 0 ? "ok" : rc == -EACCES ? "MISMATCH" : "malformed";
}

/* Verifies what can be verified, appending one line per check; false if any failed. */
static bool verify(const stun_msg *m, const uint8_t *key, int key_len, GString *out)
{
    bool ok = true;
    if (key_len > 0) {
        bool any = false;
        if (stun_msg_find(m, STUN_ATTR_MESSAGE_INTEGRITY)) {
            int rc = stun_msg_check_integrity(m, key, (size_t)key_len);
            g_string_append_printf(out, "MESSAGE-INTEGRITY: %s\n", verdict(rc));
            ok = ok && rc == 0;
            any = true;
        }
        if (stun_msg_find(m, STUN_ATTR_MESSAGE_INTEGRITY_SHA256)) {
            int rc = stun_msg_check_integrity_sha256(m, key, (size_t)key_len);
            g_string_append_printf(out, "MESSAGE-INTEGRITY-SHA256: %s\n", verdict(rc));
            ok = ok && rc == 0;
            any = true;
        }
        if (!any) {
            g_string_append(out, "MESSAGE-INTEGRITY: absent, nothing to verify\n");
            ok = false;
        }
    } else if (stun_msg_find(m, STUN_ATTR_MESSAGE_INTEGRITY) ||
               stun_msg_find(m, STUN_ATTR_MESSAGE_INTEGRITY_SHA256)) {
        g_string_append(out, "MESSAGE-INTEGRITY: not verified (no --key/--password)\n");
    }
    if (stun_msg_find(m, STUN_ATTR_FINGERPRINT)) {
        int rc = stun_msg_check_fingerprint(m);
        g_string_append_printf(out, "FINGERPRINT: %s\n", verdict(rc));
        ok = ok && rc == 0;
    }
    return ok;
}

int stun_decode(const uint8_t *data, size_t len, int argc, char **argv, GString *out,
                GError **err)
{
    opts o = { 0 };
    uint8_t key[256];
    if (parse_opts(argc, argv, &o, err) < 0)
        return -1;
    int key_len = make_key(&o, key, sizeof key, err);
    if (key_len < 0)
        return -1;
    stun_msg *m = g_new(stun_msg, 1);
    stun_err e = { 0, "" };
    if (stun_msg_decode(data, len, m, &e) != 0) {
        g_set_error(err, STUN_DECODE_ERROR, EBADMSG,
                    "malformed STUN message at byte %zu: %s (%zu bytes)", e.off, e.why, len);
        g_free(m);
        return -1;
    }
    stun_msg_fmt(m, out);
    bool ok = verify(m, key, key_len, out);
    g_free(m);
    if (!ok) {
        g_set_error(err, STUN_DECODE_ERROR, EACCES,
                    "integrity or fingerprint check failed");
        return -1;
    }
    return 0;
}
