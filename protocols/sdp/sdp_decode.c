/* protocols/sdp/sdp_decode.c — `natsim decode sdp FILE`: every field of a session description,
 * with the attributes natsim understands shown with their meaning (rtpmap, ptime, direction,
 * rtcp, ICE candidates). A malformed description fails with its line number and the reason. */
#include "protocols/sdp/sdp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SDP_DECODE_ERROR g_quark_from_static_string("sdp-decode-error")

static void fmt_conn(GString *out, const char *indent, const sdp_conn *c)
{
    g_string_append_printf(out, "%sconnection: %s %s", indent,
                           c->addr.family == SIM_AF_INET6 ? "IP6" : "IP4", c->addr.host);
    if (c->ttl)
        g_string_append_printf(out, " ttl %u", c->ttl);
    if (c->count)
        g_string_append_printf(out, " (%u addresses)", c->count);
    g_string_append(out, sim_ip_is_multicast(&c->addr.ip) ? " multicast\n"
                         : c->addr.ip.family                ? "\n"
                                                            : " (host name)\n");
}

static void fmt_bws(GString *out, const char *indent, const GArray *bws)
{
    for (guint i = 0; i < bws->len; i++) {
        const sdp_bw *b = &g_array_index(bws, sdp_bw, i);
        g_string_append_printf(out, "%sbandwidth: %s %" G_GUINT64_FORMAT " kbit/s\n", indent,
                               b->type, b->value);
    }
}

/* One attribute, with what it means when natsim reads it. */
static void fmt_attr(GString *out, const char *indent, const sdp_attr *a)
{
    g_string_append_printf(out, "%sa=%s%s%s", indent, a->name, a->value ? ":" : "",
                           a->value ? a->value : "");
    sdp_rtpmap r;
    sdp_candidate c;
    const char *why = NULL;
    if (!strcmp(a->name, "rtpmap") && a->value) {
        if (sdp_rtpmap_parse(a->value, &r) == 0)
            g_string_append_printf(out, "  [payload type %u = %s, %u Hz%s%.0u%s]", r.pt,
                                   r.encoding, r.clock, r.channels ? ", " : "", r.channels,
                                   r.channels ? " channels" : "");
        else
            g_string_append(out, "  [malformed rtpmap]");
    } else if (!strcmp(a->name, "candidate") && a->value) {
        if (sdp_candidate_parse(a->value, &c, &why) == 0) {
            g_string_append_printf(out, "  [%s component %u %s %s port %u priority %u",
                                   sdp_cand_type_name(c.type), c.component, c.transport,
                                   c.address, c.port, c.priority);
            if (c.has_related)
                g_string_append_printf(out, ", related %s:%u", c.raddr, c.rport);
            g_string_append(out, "]");
        } else {
            g_string_append_printf(out, "  [malformed candidate: %s]", why);
        }
    }
    g_string_append_c(out, '\n');
}

static void fmt_attrs(GString *out, const char *indent, const GArray *attrs)
{
    for (guint i = 0; i < attrs->len; i++)
        fmt_attr(out, indent, &g_array_index(attrs, sdp_attr, i));
}

static void fmt_media(GString *out, const sdp_session *s, guint idx, const sdp_media *m)
{
    g_string_append_printf(out, "media %u: %s port %u", idx, m->media, m->port);
    if (m->nports)
        g_string_append_printf(out, "/%u", m->nports);
    g_string_append_printf(out, " %s, formats", m->proto);
    for (guint f = 0; f < m->fmts->len; f++)
        g_string_append_printf(out, " %s", (const char *)g_ptr_array_index(m->fmts, f));
    g_string_append(out, m->port ? "\n" : " (port 0: rejected or removed)\n");
    if (m->info)
        g_string_append_printf(out, "  info: %s\n", m->info);
    for (guint i = 0; i < m->conns->len; i++)
        fmt_conn(out, "  ", &g_array_index(m->conns, sdp_conn, i));
    fmt_bws(out, "  ", m->bws);
    if (m->key)
        g_string_append_printf(out, "  key: %s\n", m->key);
    fmt_attrs(out, "  ", m->attrs);
    unsigned ms;
    uint16_t port;
    g_string_append_printf(out, "  => direction %s", sdp_dir_name(sdp_media_dir(s, m)));
    if (sdp_media_ptime(s, m, &ms) == 0)
        g_string_append_printf(out, ", ptime %u ms", ms);
    if (sdp_media_rtcp(m, &port, NULL) == 0)
        g_string_append_printf(out, ", RTCP port %u (RFC 3605)", port);
    else if (m->port)
        g_string_append_printf(out, ", RTCP port %u (RTP + 1)", m->port + 1u);
    if (sdp_media_mid(m))
        g_string_append_printf(out, ", mid %s", sdp_media_mid(m));
    g_string_append_c(out, '\n');
}

void sdp_session_fmt(const sdp_session *s, GString *out)
{
    const sdp_origin *o = &s->origin;
    g_string_append_printf(out,
                           "SDP version %u\norigin: user %s, session %s, version %" G_GUINT64_FORMAT
                           ", %s %s\nsession name: %s\n",
                           s->version, o->username, o->sess_id, o->sess_version,
                           o->addr.family == SIM_AF_INET6 ? "IP6" : "IP4", o->addr.host, s->name);
    if (s->info)
        g_string_append_printf(out, "info: %s\n", s->info);
    if (s->uri)
        g_string_append_printf(out, "uri: %s\n", s->uri);
    for (guint i = 0; i < s->emails->len; i++)
        g_string_append_printf(out, "email: %s\n", (const char *)g_ptr_array_index(s->emails, i));
    for (guint i = 0; i < s->phones->len; i++)
        g_string_append_printf(out, "phone: %s\n", (const char *)g_ptr_array_index(s->phones, i));
    if (s->has_conn)
        fmt_conn(out, "", &s->conn);
    fmt_bws(out, "", s->bws);
    for (guint i = 0; i < s->times->len; i++) {
        const sdp_time *t = &g_array_index(s->times, sdp_time, i);
        g_string_append_printf(out, "time: %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT "%s\n",
                               t->start, t->stop, t->start == 0 ? " (permanent)" : "");
        for (guint j = 0; j < t->repeats->len; j++)
            g_string_append_printf(out, "  repeat: %s\n",
                                   (const char *)g_ptr_array_index(t->repeats, j));
    }
    if (s->zone)
        g_string_append_printf(out, "zone adjustments: %s\n", s->zone);
    if (s->key)
        g_string_append_printf(out, "key: %s\n", s->key);
    fmt_attrs(out, "", s->attrs);
    for (guint i = 0; i < s->media->len; i++)
        fmt_media(out, s, i, g_ptr_array_index(s->media, i));
}

int sdp_decode_cli(const uint8_t *data, size_t len, int argc, char **argv, GString *out,
                   GError **err)
{
    if (argc > 1) {
        g_set_error(err, SDP_DECODE_ERROR, EINVAL, "sdp: unknown option '%s' (sdp takes none)",
                    argv[1]);
        return -1;
    }
    sdp_session *s;
    sdp_err e = { 0, "" };
    if (sdp_decode((const char *)data, len, &s, &e) != 0) {
        g_set_error(err, SDP_DECODE_ERROR, EBADMSG, "malformed SDP at line %u: %s", e.line,
                    e.why);
        return -1;
    }
    sdp_session_fmt(s, out);
    sdp_session_free(s);
    return 0;
}
