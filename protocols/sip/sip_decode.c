/* protocols/sip/sip_decode.c — `natsim decode sip FILE`: one SIP message (a datagram's worth)
 * printed as its start line, then every header line with what the typed parser made of it,
 * then the body length; a malformed message fails with the reason and byte offset, and a
 * well-formed one that RFC 3261 §8.2.2 would refuse fails with the 400 reason phrase. */
#include "protocols/sip/sip_priv.h"

#define SIP_DECODE_ERROR g_quark_from_static_string("sip-decode-error")

/* Appends s with bytes that are not printable (or not UTF-8) as \xHH. */
static void text(GString *out, sip_str s)
{
    bool utf8 = g_utf8_validate(s.p, (gssize)s.len, NULL);
    for (size_t i = 0; i < s.len; i++) {
        uint8_t ch = (uint8_t)s.p[i];
        if ((ch >= 0x20 && ch < 0x7f) || (utf8 && ch >= 0x80))
            g_string_append_c(out, (char)ch);
        else
            g_string_append_printf(out, "\\x%02x", ch);
    }
}

static void params(GString *out, const sip_params *p, const char *what)
{
    if (p->n)
        g_string_append_printf(out, ", %s ", what);
    for (size_t i = 0; i < p->n; i++) {
        if (i)
            g_string_append(out, ", ");
        text(out, p->v[i].name);
        if (p->v[i].has_value) {
            g_string_append_c(out, '=');
            text(out, p->v[i].value);
        }
    }
}

static const char *scheme(sip_scheme s)
{
    static const char *const n[] = { "sip", "sips", "tel", "other" };
    return n[s];
}

static void uri(GString *out, const sip_uri *u)
{
    g_string_append_printf(out, "%s URI", scheme(u->scheme));
    if (u->scheme == SIP_SCHEME_OTHER)
        return;
    if (u->has_user) {
        g_string_append(out, u->scheme == SIP_SCHEME_TEL ? ", number " : ", user ");
        text(out, u->user);
        char buf[256];
        int n;
        if (memchr(u->user.p, '%', u->user.len) && (n = sip_unescape(u->user, buf, sizeof buf)) >= 0) {
            g_string_append(out, " (unescaped ");
            text(out, (sip_str){ buf, (size_t)n });
            g_string_append_c(out, ')');
        }
    }
    if (u->has_password)
        g_string_append(out, ", password set");
    if (u->host.len) {
        g_string_append(out, u->ipv6 ? ", IPv6 host " : ", host ");
        text(out, u->host);
    }
    if (u->port >= 0)
        g_string_append_printf(out, ", port %d", u->port);
    params(out, &u->params, "URI params");
    if (u->headers.len) {
        g_string_append(out, ", headers ");
        text(out, u->headers);
    }
}

static void via(GString *out, const sip_via *v)
{
    g_string_append(out, "transport ");
    text(out, v->transport);
    g_string_append(out, v->ipv6 ? ", sent-by [" : ", sent-by ");
    text(out, v->host);
    g_string_append(out, v->ipv6 ? "]" : "");
    if (v->port >= 0)
        g_string_append_printf(out, ":%d", v->port);
    if (v->branch.len) {
        g_string_append(out, ", branch ");
        text(out, v->branch);
        g_string_append(out, v->rfc3261 ? " (RFC 3261)" : " (no magic cookie: RFC 2543)");
    }
    if (v->received.len) {
        g_string_append(out, ", received ");
        text(out, v->received);
    }
    if (v->rport && v->rport_value >= 0)
        g_string_append_printf(out, ", rport %d", v->rport_value);
    else if (v->rport)
        g_string_append(out, ", rport requested");
}

static void nameaddr(GString *out, const sip_nameaddr *na)
{
    if (na->star) {
        g_string_append(out, "* (all bindings)");
        return;
    }
    if (na->display.len) {
        g_string_append(out, "display ");
        text(out, na->display);
        g_string_append(out, ", ");
    }
    uri(out, &na->uri);
    params(out, &na->params, na->angle ? "header params" : "header params (no <>)");
}

/* One value of a known header, typed. */
static void typed(GString *out, const sip_msg *m, sip_hdr_id id, size_t idx)
{
    sip_via v;
    sip_nameaddr na;
    sip_cseq cs;
    uint32_t n;
    switch (id) {
    case SIP_HDR_VIA:
        if (sip_msg_via(m, idx, &v) == 0)
            via(out, &v);
        return;
    case SIP_HDR_FROM: case SIP_HDR_TO: case SIP_HDR_CONTACT: case SIP_HDR_ROUTE:
    case SIP_HDR_RECORD_ROUTE: case SIP_HDR_REFER_TO: case SIP_HDR_REFERRED_BY:
        if (sip_msg_nameaddr(m, id, idx, &na) == 0)
            nameaddr(out, &na);
        return;
    case SIP_HDR_CSEQ:
        if (sip_msg_cseq(m, &cs) == 0) {
            g_string_append_printf(out, "number %u, method ", cs.seq);
            text(out, cs.method);
        }
        return;
    case SIP_HDR_MAX_FORWARDS: case SIP_HDR_CONTENT_LENGTH: case SIP_HDR_EXPIRES:
    case SIP_HDR_MIN_EXPIRES:
        if (sip_msg_uint(m, id, &n) == 0)
            g_string_append_printf(out, "%u", n);
        return;
    default:
        return;
    }
}

void sip_msg_fmt(const sip_msg *m, GString *out)
{
    if (m->request) {
        g_string_append_printf(out, "SIP request %s ", m->method);
        text(out, sip_s(m->ruri));
        g_string_append(out, "\n  Request-URI: ");
        uri(out, &m->uri);
    } else {
        g_string_append_printf(out, "SIP response %u ", m->status);
        text(out, sip_s(m->reason));
    }
    g_string_append_printf(out, "\n%u header lines:\n", m->hdrs->len);
    size_t nth[SIP_HDR_COUNT] = { 0 };
    for (guint i = 0; i < m->hdrs->len; i++) {
        const sip_hdr *h = m->hdrs->pdata[i];
        g_string_append_printf(out, "  %s", h->name);
        if (h->id && g_ascii_strcasecmp(h->name, sip_hdr_name(h->id)))
            g_string_append_printf(out, " (%s)", sip_hdr_name(h->id));
        g_string_append(out, ": ");
        text(out, sip_hdr_value(h));
        g_string_append_c(out, '\n');
        /* each value of this line: its index among all values of the header */
        cur c = sip_cur(sip_hdr_value(h));
        do {
            if (sip_hdr_is_list(h->id))
                sip_list_item(&c);
            size_t before = out->len;
            g_string_append(out, "      -> ");
            size_t mark = out->len;
            typed(out, m, h->id, nth[h->id]++);
            if (out->len == mark)
                g_string_truncate(out, before);
            else
                g_string_append_c(out, '\n');
        } while (sip_hdr_is_list(h->id) && sip_eat(&c, ','));
    }
    const sip_hdr *ct = sip_msg_hdr(m, SIP_HDR_CONTENT_TYPE, 0);
    g_string_append_printf(out, "body: %zu bytes%s%s%s\n", m->body_len, ct ? " (" : "",
                           ct ? ct->value : "", ct ? ")" : "");
}

int sip_decode(const uint8_t *data, size_t len, int argc, char **argv, GString *out,
               GError **err)
{
    if (argc > 1) {
        g_set_error(err, SIP_DECODE_ERROR, EINVAL, "sip: no options are known (got '%s')",
                    argv[1]);
        return -1;
    }
    sip_msg *m = NULL;
    sip_err e = { "", 400, 0 };
    int rc = sip_msg_decode(data, len, &m, &e);
    if (rc < 0) {
        g_set_error(err, SIP_DECODE_ERROR, -rc, "malformed SIP message at byte %zu: %s (%u)",
                    e.off, e.why, e.status);
        return -1;
    }
    sip_msg_fmt(m, out);
    unsigned status;
    const char *reason;
    rc = sip_msg_validate(m, &status, &reason);
    sip_msg_free(m);
    if (rc < 0) {
        g_set_error(err, SIP_DECODE_ERROR, EPROTO, "invalid SIP message: %u %s", status, reason);
        return -1;
    }
    return 0;
}
