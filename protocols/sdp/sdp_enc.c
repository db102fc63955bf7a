/* protocols/sdp/sdp_enc.c — the SDP encoder: a session description in the canonical form of
 * RFC 8866 §5 (fields in order, one SP between fields, CRLF line ends), refusing fields that
 * would break a line. */
#include "protocols/sdp/sdp.h"

#include <errno.h>
#include <string.h>

static bool clean(const char *v)
{
    return v && !strpbrk(v, "\r\n");
}

static void put_addr(GString *o, const sdp_addr *a)
{
    g_string_append_printf(o, "IN %s %s", a->family == SIM_AF_INET6 ? "IP6" : "IP4", a->host);
}

static void put_conn(GString *o, const sdp_conn *c)
{
    g_string_append(o, "c=");
    put_addr(o, &c->addr);
    if (c->ttl || (c->addr.family == SIM_AF_INET && sim_ip_is_multicast(&c->addr.ip)))
        g_string_append_printf(o, "/%u", c->ttl);
    if (c->count)
        g_string_append_printf(o, "/%u", c->count);
    g_string_append(o, "\r\n");
}

static void put_bws(GString *o, const GArray *bws)
{
    for (guint i = 0; i < bws->len; i++) {
        const sdp_bw *b = &g_array_index(bws, sdp_bw, i);
        g_string_append_printf(o, "b=%s:%" G_GUINT64_FORMAT "\r\n", b->type, b->value);
    }
}

static void put_attrs(GString *o, const GArray *attrs)
{
    for (guint i = 0; i < attrs->len; i++) {
        const sdp_attr *a = &g_array_index(attrs, sdp_attr, i);
        g_string_append_printf(o, "a=%s%s%s\r\n", a->name, a->value ? ":" : "",
                               a->value ? a->value : "");
    }
}

static void put_opt(GString *o, char type, const char *v)
{
    if (v)
        g_string_append_printf(o, "%c=%s\r\n", type, v);
}

static void put_media(GString *o, const sdp_media *m)
{
    g_string_append_printf(o, "m=%s %u", m->media, m->port);
    if (m->nports)
        g_string_append_printf(o, "/%u", m->nports);
    g_string_append_printf(o, " %s", m->proto);
    for (guint i = 0; i < m->fmts->len; i++)
        g_string_append_printf(o, " %s", (const char *)g_ptr_array_index(m->fmts, i));
    g_string_append(o, "\r\n");
    put_opt(o, 'i', m->info);
    for (guint i = 0; i < m->conns->len; i++)
        put_conn(o, &g_array_index(m->conns, sdp_conn, i));
    put_bws(o, m->bws);
    put_opt(o, 'k', m->key);
    put_attrs(o, m->attrs);
}

static void put_session(GString *o, const sdp_session *s)
{
    const sdp_origin *og = &s->origin;
    g_string_append_printf(o, "v=0\r\no=%s %s %" G_GUINT64_FORMAT " ", og->username,
                           og->sess_id, og->sess_version);
    put_addr(o, &og->addr);
    g_string_append_printf(o, "\r\ns=%s\r\n", s->name);
    put_opt(o, 'i', s->info);
    put_opt(o, 'u', s->uri);
    for (guint i = 0; i < s->emails->len; i++)
        put_opt(o, 'e', g_ptr_array_index(s->emails, i));
    for (guint i = 0; i < s->phones->len; i++)
        put_opt(o, 'p', g_ptr_array_index(s->phones, i));
    if (s->has_conn)
        put_conn(o, &s->conn);
    put_bws(o, s->bws);
    for (guint i = 0; i < s->times->len; i++) {
        const sdp_time *t = &g_array_index(s->times, sdp_time, i);
        g_string_append_printf(o, "t=%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT "\r\n", t->start,
                               t->stop);
        for (guint j = 0; j < t->repeats->len; j++)
            put_opt(o, 'r', g_ptr_array_index(t->repeats, j));
    }
    put_opt(o, 'z', s->zone);
    put_opt(o, 'k', s->key);
    put_attrs(o, s->attrs);
    for (guint i = 0; i < s->media->len; i++)
        put_media(o, g_ptr_array_index(s->media, i));
}

/* Every text field must be present where required and hold no line break. */
static bool encodable_attrs(const GArray *attrs)
{
    for (guint i = 0; i < attrs->len; i++) {
        const sdp_attr *a = &g_array_index(attrs, sdp_attr, i);
        if (!clean(a->name) || (a->value && !clean(a->value)))
            return false;
    }
    return true;
}

static bool encodable(const sdp_session *s)
{
    if (!clean(s->origin.username) || !clean(s->origin.sess_id) || !clean(s->origin.addr.host) ||
        !clean(s->name) || s->times->len == 0 || !encodable_attrs(s->attrs) ||
        (s->has_conn && !clean(s->conn.addr.host)))
        return false;
    const char *opt[] = { s->info, s->uri, s->zone, s->key };
    for (size_t i = 0; i < G_N_ELEMENTS(opt); i++)
        if (opt[i] && !clean(opt[i]))
            return false;
    for (guint i = 0; i < s->media->len; i++) {
        const sdp_media *m = g_ptr_array_index(s->media, i);
        if (!clean(m->media) || !clean(m->proto) || m->fmts->len == 0 ||
            !encodable_attrs(m->attrs) || (m->info && !clean(m->info)))
            return false;
    }
    return true;
}

int sdp_encode(const sdp_session *s, GString *out)
{
    if (!encodable(s))
        return -EINVAL;
    put_session(out, s);
    return 0;
}
