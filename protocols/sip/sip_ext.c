/* protocols/sip/sip_ext.c — option tags (RFC 3261 §8.2.2.3, §16.3 step 6, §19.2): natsim
 * implements no SIP extension, so every tag a request Requires (or Proxy-Requires of a proxy)
 * is unsupported, and the answer is 420 Bad Extension naming them. */
#include <errno.h>
#include "protocols/sip/sip_priv.h"

int sip_msg_bad_extension(const sip_msg *req, sip_hdr_id require, const char *to_tag,
                          sip_msg **out)
{
    *out = NULL;
    size_t n = sip_msg_count(req, require);
    if (!req->request || !n || !strcmp(req->method, "ACK") || !strcmp(req->method, "CANCEL"))
        return 0;
    int rc = sip_msg_response(req, 420, NULL, to_tag, out);
    if (rc < 0)
        return rc;
    GString *tags = g_string_new(NULL); /* one line: "Unsupported: 100rel, precondition" */
    sip_str tag;
    for (size_t i = 0; i < n; i++)
        if (sip_msg_value(req, require, i, &tag) == 0)
            g_string_append_printf(tags, "%s%.*s", tags->len ? ", " : "", (int)tag.len, tag.p);
    rc = sip_msg_add(*out, SIP_HDR_UNSUPPORTED, NULL, tags->str);
    g_string_free(tags, TRUE);
    if (rc < 0) {
        sip_msg_free(*out);
        *out = NULL;
        return rc;
    }
    return 1;
}
