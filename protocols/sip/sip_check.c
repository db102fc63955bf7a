/* protocols/sip/sip_check.c — what a UA or proxy checks on a decoded message before acting on
 * it (RFC 3261 §8.1.1 mandatory headers, §8.2.2, §16.3 request validation), and building a
 * response from a request (§8.2.6.2). */
#include "protocols/sip/sip_priv.h"

static int refuse_with(unsigned *status, const char **reason, unsigned code, const char *why)
{
    *status = code;
    *reason = why;
    return -EPROTO;
}

static int refuse(unsigned *status, const char **reason, const char *why)
{
    return refuse_with(status, reason, 400, why);
}

/* The methods of RFC 3261 itself, which this stack implements. */
static bool core_method(const char *method)
{
    static const char *const known[] = { "INVITE", "ACK", "BYE", "CANCEL", "OPTIONS",
                                         "REGISTER" };
    for (size_t i = 0; i < G_N_ELEMENTS(known); i++)
        if (strcmp(method, known[i]) == 0)
            return true;
    return false;
}

int sip_msg_validate(const sip_msg *m, unsigned *status, const char **reason)
{
    static const struct {
        sip_hdr_id id;
        const char *missing;
    } need[] = {
        { SIP_HDR_VIA, "Missing Via" },         { SIP_HDR_FROM, "Missing From" },
        { SIP_HDR_TO, "Missing To" },           { SIP_HDR_CALL_ID, "Missing Call-ID" },
        { SIP_HDR_CSEQ, "Missing CSeq" },       { SIP_HDR_MAX_FORWARDS, "Missing Max-Forwards" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(need); i++) {
        if (need[i].id == SIP_HDR_MAX_FORWARDS && !m->request)
            continue; /* §8.1.1.6 is a request header */
        if (!sip_msg_hdr(m, need[i].id, 0))
            return refuse(status, reason, need[i].missing);
    }
    sip_cseq cs;
    if (sip_msg_cseq(m, &cs) < 0)
        return refuse(status, reason, "Bad CSeq");
    /* §8.2.2.1, §16.3 step 2 / RFC 4475 §3.3.2 unkscm: a scheme we do not understand */
    if (m->request && m->uri.scheme == SIP_SCHEME_OTHER)
        return refuse_with(status, reason, 416, sip_reason_phrase(416));
    /* §8.1.1.5 / RFC 4475 §3.1.2.17-18: the CSeq method matches the request method; an
     * unknown method with a mismatch is better answered 501 (mismatch02) than 400 */
    if (m->request && (cs.method.len != strlen(m->method) ||
                       memcmp(cs.method.p, m->method, cs.method.len) != 0))
        return core_method(m->method)
                   ? refuse(status, reason, "CSeq method does not match the request method")
                   : refuse_with(status, reason, 501, sip_reason_phrase(501));
    *status = 0;
    *reason = NULL;
    return 0;
}

/* Copies every line of id from src to dst. */
static void copy(sip_msg *dst, const sip_msg *src, sip_hdr_id id)
{
    const sip_hdr *h;
    for (size_t i = 0; (h = sip_msg_hdr(src, id, i)); i++)
        sip_msg_add_str(dst, id, NULL, sip_hdr_value(h));
}

int sip_msg_response(const sip_msg *req, unsigned status, const char *reason,
                     const char *to_tag, sip_msg **out)
{
    if (!req->request)
        return -EINVAL;
    const sip_hdr *to = sip_msg_hdr(req, SIP_HDR_TO, 0);
    if (!sip_msg_hdr(req, SIP_HDR_VIA, 0) || !sip_msg_hdr(req, SIP_HDR_FROM, 0) || !to ||
        !sip_msg_hdr(req, SIP_HDR_CALL_ID, 0) || !sip_msg_hdr(req, SIP_HDR_CSEQ, 0))
        return -EBADMSG;
    sip_msg *r = sip_msg_new_response(status, reason);
    if (!r)
        return -EINVAL;
    copy(r, req, SIP_HDR_VIA);
    copy(r, req, SIP_HDR_FROM);
    sip_str tag;
    int rc = sip_msg_tag(req, SIP_HDR_TO, &tag);
    if (rc == 0 && tag.len == 0 && to_tag && status != 100) {
        /* §8.2.6.2: a To tag on every response but 100 when the request had none */
        GString *v = g_string_new_len(to->value, (gssize)to->value_len);
        g_string_append_printf(v, ";tag=%s", to_tag);
        rc = sip_msg_add_str(r, SIP_HDR_TO, NULL, (sip_str){ v->str, v->len });
        g_string_free(v, TRUE);
    } else if (rc == 0) {
        rc = sip_msg_add_str(r, SIP_HDR_TO, NULL, sip_hdr_value(to));
    }
    copy(r, req, SIP_HDR_CALL_ID);
    copy(r, req, SIP_HDR_CSEQ);
    if (rc < 0) {
        sip_msg_free(r);
        return rc == -ENOENT ? -EBADMSG : -EINVAL;
    }
    *out = r;
    return 0;
}

int sip_msg_reject(const sip_msg *req, unsigned status, const char *reason, sip_msg **out)
{
    static const sip_hdr_id ids[] = { SIP_HDR_VIA, SIP_HDR_FROM, SIP_HDR_TO, SIP_HDR_CALL_ID,
                                      SIP_HDR_CSEQ };
    if (!req->request)
        return -EINVAL;
    sip_msg *r = sip_msg_new_response(status, reason);
    if (!r)
        return -EINVAL;
    for (size_t i = 0; i < G_N_ELEMENTS(ids); i++)
        copy(r, req, ids[i]);
    *out = r;
    return 0;
}
