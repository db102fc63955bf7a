/* protocols/sip/sip_edit.c — building and changing messages (what a UA and a proxy do: RFC 3261
 * §8.1.1, §16.6 add a top Via or a Record-Route, §16.7 / §16.4 remove the top Via or Route)
 * and the canonical encoder. */
#include "protocols/sip/sip_priv.h"

static const struct {
    unsigned code;
    const char *phrase;
} phrases[] = {
    { 100, "Trying" }, { 180, "Ringing" }, { 181, "Call Is Being Forwarded" },
    { 182, "Queued" }, { 183, "Session Progress" }, { 200, "OK" }, { 202, "Accepted" },
    { 300, "Multiple Choices" }, { 301, "Moved Permanently" }, { 302, "Moved Temporarily" },
    { 305, "Use Proxy" }, { 380, "Alternative Service" }, { 400, "Bad Request" },
    { 401, "Unauthorized" }, { 403, "Forbidden" }, { 404, "Not Found" },
    { 405, "Method Not Allowed" }, { 407, "Proxy Authentication Required" },
    { 408, "Request Timeout" }, { 413, "Request Entity Too Large" },
    { 415, "Unsupported Media Type" }, { 416, "Unsupported URI Scheme" },
    { 420, "Bad Extension" }, { 423, "Interval Too Brief" },
    { 480, "Temporarily Unavailable" }, { 481, "Call/Transaction Does Not Exist" },
    { 482, "Loop Detected" }, { 483, "Too Many Hops" }, { 484, "Address Incomplete" },
    { 486, "Busy Here" }, { 487, "Request Terminated" }, { 488, "Not Acceptable Here" },
    { 500, "Server Internal Error" }, { 501, "Not Implemented" }, { 502, "Bad Gateway" },
    { 503, "Service Unavailable" }, { 504, "Server Time-out" },
    { 505, "Version Not Supported" }, { 600, "Busy Everywhere" }, { 603, "Decline" },
    { 604, "Does Not Exist Anywhere" }, { 606, "Not Acceptable" },
};

const char *sip_reason_phrase(unsigned status)
{
    for (size_t i = 0; i < G_N_ELEMENTS(phrases); i++)
        if (phrases[i].code == status)
            return phrases[i].phrase;
    return "";
}

sip_msg *sip_msg_blank(bool request)
{
    sip_msg *m = g_new0(sip_msg, 1);
    m->request = request;
    m->hdrs = g_ptr_array_new();
    return m;
}

int sip_msg_new_request(const char *method, const char *ruri, sip_msg **out)
{
    cur c = sip_cur(sip_s(method));
    if (!*method || sip_token(&c).len != strlen(method))
        return -EINVAL;
    sip_msg *m = sip_msg_blank(true);
    m->method = g_strdup(method);
    m->ruri = g_strdup(ruri);
    if (sip_uri_parse(m->ruri, strlen(ruri), &m->uri, NULL) < 0 ||
        (m->uri.scheme <= SIP_SCHEME_SIPS && m->uri.headers.len)) {
        sip_msg_free(m);
        return -EINVAL;
    }
    *out = m;
    return 0;
}

sip_msg *sip_msg_new_response(unsigned status, const char *reason)
{
    if (status < 100 || status > 699)
        return NULL;
    reason = reason ? reason : sip_reason_phrase(status);
    for (const char *p = reason; *p; p++)
        if (((uint8_t)*p < 0x20 && *p != '\t') || *p == 0x7f)
            return NULL;
    sip_msg *m = sip_msg_blank(false);
    m->status = status;
    m->reason = g_strdup(reason);
    return m;
}

/* A checked, owned header line, or NULL. */
static sip_hdr *make(sip_hdr_id id, const char *name, sip_str value)
{
    name = name ? name : sip_hdr_name(id);
    if (!name || !value.p || id >= SIP_HDR_COUNT)
        return NULL;
    cur c = sip_cur(sip_s(name));
    if (!*name || sip_token(&c).len != strlen(name) ||
        (id == SIP_HDR_OTHER && sip_hdr_lookup(name, strlen(name)) != SIP_HDR_OTHER))
        return NULL;
    sip_str v = sip_trim(value);
    if (sip_hdr_check(id, v, NULL) < 0)
        return NULL;
    sip_hdr *h = g_new(sip_hdr, 1);
    *h = (sip_hdr){ id, g_strdup(name), sip_strdup(v), v.len };
    return h;
}

static void drop(sip_hdr *h)
{
    g_free(h->name);
    g_free(h->value);
    g_free(h);
}

int sip_msg_add(sip_msg *m, sip_hdr_id id, const char *name, const char *value)
{
    return value ? sip_msg_add_str(m, id, name, sip_s(value)) : -EINVAL;
}

int sip_msg_add_str(sip_msg *m, sip_hdr_id id, const char *name, sip_str value)
{
    sip_hdr *h = make(id, name, value);
    if (!h)
        return -EINVAL;
    g_ptr_array_add(m->hdrs, h);
    return 0;
}

/* The index of m's first header `id`, or the header count when it has none. */
static guint first_of(const sip_msg *m, sip_hdr_id id)
{
    guint at = 0;
    while (at < m->hdrs->len && ((sip_hdr *)m->hdrs->pdata[at])->id != id)
        at++;
    return at;
}

int sip_msg_push(sip_msg *m, sip_hdr_id id, const char *value)
{
    sip_hdr *h = value ? make(id, NULL, sip_s(value)) : NULL;
    if (!h)
        return -EINVAL;
    guint at = first_of(m, id);
    g_ptr_array_insert(m->hdrs, at == m->hdrs->len ? 0 : (gint)at, h);
    return 0;
}

int sip_msg_pop(sip_msg *m, sip_hdr_id id)
{
    for (guint i = 0; i < m->hdrs->len; i++) {
        sip_hdr *h = m->hdrs->pdata[i];
        if (h->id != id)
            continue;
        cur c = sip_cur(sip_hdr_value(h));
        if (sip_hdr_is_list(id)) {
            sip_list_item(&c);
            if (sip_eat(&c, ',')) { /* keep the rest of the line */
                sip_str rest = sip_trim((sip_str){ (const char *)cur_ptr(&c), cur_left(&c) });
                char *v = sip_strdup(rest);
                g_free(h->value);
                h->value = v;
                h->value_len = rest.len;
                return 0;
            }
        }
        drop(g_ptr_array_steal_index(m->hdrs, i));
        return 0;
    }
    return -ENOENT;
}

int sip_msg_replace_top(sip_msg *m, sip_hdr_id id, sip_str v)
{
    const char *why;
    v = sip_trim(v);
    for (guint i = 0; i < m->hdrs->len; i++) {
        sip_hdr *h = m->hdrs->pdata[i];
        if (h->id != id)
            continue;
        cur c = sip_cur(sip_hdr_value(h));
        if (sip_hdr_is_list(id))
            sip_list_item(&c);
        else
            cur_skip(&c, cur_left(&c));
        GString *s = g_string_new_len(v.p, (gssize)v.len);
        g_string_append_len(s, (const char *)cur_ptr(&c), (gssize)cur_left(&c));
        if (sip_hdr_check(id, (sip_str){ s->str, s->len }, &why) < 0) {
            g_string_free(s, TRUE);
            return -EINVAL;
        }
        g_free(h->value);
        h->value_len = s->len;
        h->value = g_string_free(s, FALSE);
        return 0;
    }
    return -ENOENT;
}

/* sip_msg_remove's test: a known header, or an unknown one of this name. */
static bool named(const sip_hdr *h, void *name)
{
    return h->id != SIP_HDR_OTHER || (name && !g_ascii_strcasecmp(h->name, name));
}

size_t sip_msg_remove(sip_msg *m, sip_hdr_id id, const char *name)
{
    return sip_msg_remove_if(m, id, named, (void *)name);
}

size_t sip_msg_remove_if(sip_msg *m, sip_hdr_id id, bool (*match)(const sip_hdr *h, void *ctx),
                         void *ctx)
{
    size_t n = 0;
    for (guint i = 0; i < m->hdrs->len;) {
        sip_hdr *h = m->hdrs->pdata[i];
        if (h->id == id && match(h, ctx)) {
            drop(g_ptr_array_steal_index(m->hdrs, i));
            n++;
        } else {
            i++;
        }
    }
    return n;
}

int sip_msg_set(sip_msg *m, sip_hdr_id id, const char *value)
{
    sip_hdr *h = value ? make(id, NULL, sip_s(value)) : NULL;
    if (!h)
        return -EINVAL;
    guint at = first_of(m, id);
    sip_msg_remove(m, id, NULL);
    g_ptr_array_insert(m->hdrs, at > m->hdrs->len ? -1 : (gint)at, h);
    return 0;
}

int sip_msg_set_body(sip_msg *m, const char *content_type, const void *body, size_t len)
{
    if (len > SIP_MSG_MAX || (len && !body))
        return -EINVAL;
    if (content_type) {
        if (sip_msg_set(m, SIP_HDR_CONTENT_TYPE, content_type) < 0)
            return -EINVAL;
    } else {
        sip_msg_remove(m, SIP_HDR_CONTENT_TYPE, NULL);
    }
    g_free(m->body);
    m->body = len ? g_memdup2(body, len) : NULL;
    m->body_len = len;
    return 0;
}

void sip_msg_encode(const sip_msg *m, GString *out)
{
    if (m->request)
        g_string_append_printf(out, "%s %s SIP/2.0\r\n", m->method, m->ruri);
    else
        g_string_append_printf(out, "SIP/2.0 %03u %s\r\n", m->status, m->reason);
    for (guint i = 0; i < m->hdrs->len; i++) {
        const sip_hdr *h = m->hdrs->pdata[i];
        if (h->id == SIP_HDR_CONTENT_LENGTH)
            continue;
        g_string_append_printf(out, "%s: ", h->id ? sip_hdr_name(h->id) : h->name);
        g_string_append_len(out, h->value, (gssize)h->value_len);
        g_string_append(out, "\r\n");
    }
    g_string_append_printf(out, "Content-Length: %zu\r\n\r\n", m->body_len);
    if (m->body_len)
        g_string_append_len(out, (const char *)m->body, (gssize)m->body_len);
}
