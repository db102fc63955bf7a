/* protocols/sip/sip_dialog.c — dialogs (RFC 3261 §12): created from an INVITE and its answer,
 * matched by Call-ID and tags, and the requests sent inside them (loose routing, §16.12). */
#include "protocols/sip/sip_ua_priv.h"

static char *dup_str(sip_str s)
{
    return g_strndup(s.p, s.len);
}

/* Header value of id as an owned string, or NULL. */
static char *hdr_dup(const sip_msg *m, sip_hdr_id id)
{
    const sip_hdr *h = sip_msg_hdr(m, id, 0);
    return h ? g_strndup(h->value, h->value_len) : NULL;
}

static char *contact_uri(const sip_msg *m)
{
    sip_nameaddr na;
    if (sip_msg_nameaddr(m, SIP_HDR_CONTACT, 0, &na) < 0 || na.star)
        return NULL;
    return dup_str(na.uri.raw);
}

/* The parts both sides share; NULL when any is missing. */
static sip_dialog *dialog_base(const sip_msg *req, const sip_msg *target_src)
{
    sip_str cid;
    sip_cseq cs;
    if (sip_msg_call_id(req, &cid) < 0 || sip_msg_cseq(req, &cs) < 0)
        return NULL;
    char *target = contact_uri(target_src);
    if (!target)
        return NULL;
    sip_dialog *d = g_new0(sip_dialog, 1);
    d->call_id = dup_str(cid);
    d->remote_target = target;
    d->route_set = g_ptr_array_new_with_free_func(g_free);
    return d;
}

sip_dialog *sip_dialog_uac(const sip_msg *req, const sip_msg *resp)
{
    sip_str ltag, rtag;
    if (sip_msg_tag(resp, SIP_HDR_FROM, &ltag) < 0 || sip_msg_tag(resp, SIP_HDR_TO, &rtag) < 0 ||
        !rtag.len)
        return NULL;
    sip_dialog *d = dialog_base(req, resp);
    if (!d)
        return NULL;
    sip_cseq cs;
    sip_msg_cseq(req, &cs);
    d->local_cseq = cs.seq;
    d->local_tag = dup_str(ltag);
    d->remote_tag = dup_str(rtag);
    d->local_uri = hdr_dup(req, SIP_HDR_FROM);
    d->remote_uri = hdr_dup(resp, SIP_HDR_TO);
    /* §12.1.2: the route set is the Record-Route list of the response, reversed */
    size_t n = sip_msg_count(resp, SIP_HDR_RECORD_ROUTE);
    for (size_t i = n; i-- > 0;) {
        sip_str v;
        if (sip_msg_value(resp, SIP_HDR_RECORD_ROUTE, i, &v) == 0)
            g_ptr_array_add(d->route_set, dup_str(v));
    }
    return d;
}

sip_dialog *sip_dialog_uas(const sip_msg *req, const char *local_tag)
{
    sip_str rtag;
    if (sip_msg_tag(req, SIP_HDR_FROM, &rtag) < 0)
        return NULL;
    sip_dialog *d = dialog_base(req, req);
    if (!d)
        return NULL;
    sip_cseq cs;
    sip_msg_cseq(req, &cs);
    d->remote_cseq = cs.seq;
    d->local_cseq = 0; /* §12.1.1: empty until we send a request; ours start from 1 */
    d->local_tag = g_strdup(local_tag);
    d->remote_tag = dup_str(rtag);
    g_autofree char *to = hdr_dup(req, SIP_HDR_TO);
    d->local_uri = g_strdup_printf("%s;tag=%s", to, local_tag);
    d->remote_uri = hdr_dup(req, SIP_HDR_FROM);
    /* §12.1.1: the Record-Route list of the request, in order */
    size_t n = sip_msg_count(req, SIP_HDR_RECORD_ROUTE);
    for (size_t i = 0; i < n; i++) {
        sip_str v;
        if (sip_msg_value(req, SIP_HDR_RECORD_ROUTE, i, &v) == 0)
            g_ptr_array_add(d->route_set, dup_str(v));
    }
    return d;
}

void sip_dialog_free(sip_dialog *d)
{
    if (!d)
        return;
    g_free(d->call_id);
    g_free(d->local_tag);
    g_free(d->remote_tag);
    g_free(d->local_uri);
    g_free(d->remote_uri);
    g_free(d->remote_target);
    g_ptr_array_free(d->route_set, TRUE);
    g_free(d);
}

static bool str_is(sip_str s, const char *z)
{
    return z && s.len == strlen(z) && memcmp(s.p, z, s.len) == 0;
}

bool sip_dialog_matches(const sip_dialog *d, const sip_msg *m)
{
    sip_str cid, to, from;
    if (sip_msg_call_id(m, &cid) < 0 || sip_msg_tag(m, SIP_HDR_TO, &to) < 0 ||
        sip_msg_tag(m, SIP_HDR_FROM, &from) < 0)
        return false;
    if (!m->request) /* a response: the tags are the other way round */
        return str_is(cid, d->call_id) && str_is(from, d->local_tag) && str_is(to, d->remote_tag);
    return str_is(cid, d->call_id) && str_is(to, d->local_tag) && str_is(from, d->remote_tag);
}

sip_msg *sip_dialog_request(sip_dialog *d, const char *method, uint32_t cseq)
{
    sip_msg *m = NULL;
    if (sip_msg_new_request(method, d->remote_target, &m) < 0)
        return NULL;
    if (!cseq)
        cseq = ++d->local_cseq;
    char cs[48];
    g_snprintf(cs, sizeof cs, "%u %s", cseq, method);
    /* §12.2.1.1 with a loose-routing first hop: Request-URI = remote target, Route = set */
    for (guint i = 0; i < d->route_set->len; i++)
        sip_msg_add(m, SIP_HDR_ROUTE, NULL, d->route_set->pdata[i]);
    sip_msg_add(m, SIP_HDR_MAX_FORWARDS, NULL, "70");
    int rc = sip_msg_add(m, SIP_HDR_FROM, NULL, d->local_uri);
    rc |= sip_msg_add(m, SIP_HDR_TO, NULL, d->remote_uri);
    rc |= sip_msg_add(m, SIP_HDR_CALL_ID, NULL, d->call_id);
    rc |= sip_msg_add(m, SIP_HDR_CSEQ, NULL, cs);
    if (rc) {
        sip_msg_free(m);
        return NULL;
    }
    return m;
}

const char *sip_dialog_next_hop(const sip_dialog *d)
{
    return d->route_set->len ? d->route_set->pdata[0] : d->remote_target;
}
