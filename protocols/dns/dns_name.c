/* protocols/dns/dns_name.c — domain names: presentation form <-> wire form, comparison, and the
 * wire reader and writer with compression (RFC 1035 §3.1, §4.1.4). */
#include "protocols/dns/dns_priv.h"

#include <errno.h>
#include <string.h>

int dns_fail(dns_err *e, size_t off, const char *why)
{
    if (e && !e->why) {
        e->off = off;
        e->why = why;
    }
    return -EBADMSG;
}

/* ---------------------------------------------------------------- presentation form */

/* One character of a label in presentation form at *s, unescaping; -1 on a bad escape. */
static int text_byte(const char **s)
{
    const char *p = *s;
    if (*p != '\\') {
        *s = p + 1;
        return (uint8_t)*p;
    }
    if (p[1] >= '0' && p[1] <= '9') {
        if (!(p[2] >= '0' && p[2] <= '9' && p[3] >= '0' && p[3] <= '9'))
            return -1;
        int v = (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
        *s = p + 4;
        return v > 255 ? -1 : v;
    }
    if (!p[1])
        return -1;
    *s = p + 2;
    return (uint8_t)p[1];
}

int dns_name_from_str(const char *s, dns_name *out)
{
    dns_name n = { 0 };
    if (!s)
        return -EINVAL;
    if (!strcmp(s, ".") || !*s) {
        *out = (dns_name){ .len = 1 };
        return 0;
    }
    while (*s) {
        size_t at = n.len;
        if (at + 1 >= DNS_NAME_MAX)
            return -EINVAL;
        n.len++;
        while (*s && *s != '.') {
            int v = text_byte(&s);
            if (v < 0 || n.len >= DNS_NAME_MAX - 1 || n.len - at - 1 >= DNS_LABEL_MAX)
                return -EINVAL;
            n.b[n.len++] = (uint8_t)v;
        }
        n.b[at] = (uint8_t)(n.len - at - 1);
        if (n.b[at] == 0)
            return -EINVAL; /* empty label: "a..b" or a leading dot */
        if (*s == '.')
            s++;
    }
    n.b[n.len++] = 0;
    *out = n;
    return 0;
}

char *dns_name_fmt(const dns_name *n, char *buf, size_t cap)
{
    GString *s = g_string_sized_new(64);
    for (size_t i = 0; i < n->len && n->b[i]; i += n->b[i] + 1u) {
        if (i)
            g_string_append_c(s, '.');
        for (size_t j = 1; j <= n->b[i] && i + j < n->len; j++) {
            uint8_t c = n->b[i + j];
            if (c == '.' || c == '\\')
                g_string_append_printf(s, "\\%c", c);
            else if (c < 0x20 || c == 0x7f)
                g_string_append_printf(s, "\\%03u", c);
            else
                g_string_append_c(s, (char)c);
        }
    }
    if (!s->len)
        g_string_append_c(s, '.');
    if (cap)
        g_strlcpy(buf, s->str, cap);
    g_string_free(s, TRUE);
    return buf;
}

bool dns_name_valid(const dns_name *n)
{
    size_t i = 0;
    if (n->len < 1)
        return false;
    while (i < n->len && n->b[i]) {
        if (n->b[i] > DNS_LABEL_MAX)
            return false;
        i += n->b[i] + 1u;
    }
    return i + 1 == n->len;
}

/* Byte-wise ASCII case-insensitive equality (labels may hold any byte, NUL included). */
static bool bytes_caseeq(const uint8_t *a, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (g_ascii_tolower(a[i]) != g_ascii_tolower(b[i]))
            return false;
    return true;
}

bool dns_name_eq(const dns_name *a, const dns_name *b)
{
    return a->len == b->len && bytes_caseeq(a->b, b->b, a->len);
}

bool dns_name_in_zone(const dns_name *n, const dns_name *zone)
{
    if (zone->len > n->len)
        return false;
    /* zone must start at a label boundary of n */
    for (size_t i = 0; i < n->len; i += n->b[i] + 1u) {
        if (n->len - i == zone->len)
            return bytes_caseeq(n->b + i, zone->b, zone->len);
        if (!n->b[i])
            break;
    }
    return false;
}

unsigned dns_name_labels(const dns_name *n)
{
    unsigned k = 0;
    for (size_t i = 0; i < n->len && n->b[i]; i += n->b[i] + 1u)
        k++;
    return k;
}

/* ---------------------------------------------------------------- wire form */

int dns_name_read(const uint8_t *msg, size_t msg_len, cur *c, dns_name *out, dns_err *e)
{
    dns_name n = { 0 };
    cur jump;
    cur *rd = c;                 /* in-line bytes come from c, the rest from jump */
    size_t limit = SIZE_MAX;     /* each pointer must land strictly before the previous one */
    for (;;) {
        size_t at = dns_off(msg, rd);
        uint8_t l = cur_u8(rd);
        if (!cur_ok(rd))
            return dns_fail(e, at, "name runs past the end of its data");
        if ((l & 0xC0) == 0xC0) {
            uint8_t lo = cur_u8(rd);
            if (!cur_ok(rd))
                return dns_fail(e, at, "truncated compression pointer");
            size_t t = (size_t)(l & 0x3F) << 8 | lo;
            if (t == at)
                return dns_fail(e, at, "compression pointer to itself");
            if (t >= msg_len)
                return dns_fail(e, at, "compression pointer past the end of the message");
            if (t > at)
                return dns_fail(e, at, "forward compression pointer");
            if (t >= limit)
                return dns_fail(e, at, "compression pointer loop");
            limit = t;
            cur_init(&jump, msg, msg_len);
            cur_skip(&jump, t);
            rd = &jump;
            continue;
        }
        if (l & 0xC0)
            return dns_fail(e, at, "label longer than 63 bytes (reserved label type)");
        if (n.len + 1u + l + (l ? 1u : 0u) > DNS_NAME_MAX)
            return dns_fail(e, at, "name longer than 255 bytes");
        n.b[n.len++] = l;
        if (!l)
            break;
        if (cur_copy(rd, n.b + n.len, l) != 0)
            return dns_fail(e, at, "label runs past the end of its data");
        n.len = (uint8_t)(n.len + l);
    }
    *out = n;
    return 0;
}

/* Index of the compression-table entry holding suffix b[0..len), or -1. */
static int ctab_find(const dns_ctab *t, const uint8_t *b, size_t len)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->e[i].len == len && memcmp(t->e[i].b, b, len) == 0)
            return (int)i;
    return -1;
}

void dns_name_write(wr *w, const dns_name *n, dns_ctab *t, bool compress)
{
    size_t i = 0;
    while (i < n->len && n->b[i]) {
        size_t rest = n->len - i;
        int hit = t && compress ? ctab_find(t, n->b + i, rest) : -1;
        if (hit >= 0) {
            wr_u16(w, (uint16_t)(0xC000u | t->e[hit].off)); /* exact bytes: case survives */
            return;
        }
        if (t && w->len < 0x3FFF && t->n < DNS_CTAB_MAX && ctab_find(t, n->b + i, rest) < 0) {
            t->e[t->n].off = (uint16_t)w->len;
            t->e[t->n].len = (uint8_t)rest;
            memcpy(t->e[t->n].b, n->b + i, rest);
            t->n++;
        }
        wr_bytes(w, n->b + i, n->b[i] + 1u);
        i += n->b[i] + 1u;
    }
    wr_u8(w, 0);
}
