/* fuzz_sip — arbitrary bytes as a SIP datagram: the decoder must refuse (with a reason and an
 * offset inside the input) or accept without crashing; whatever it accepts must encode to
 * canonical text that decodes again and re-encodes byte for byte the same; every typed getter,
 * validation, response building, the proxy edit helpers, stream framing, the digest parser on
 * auth headers and the CLI dump must survive it. The salvage (sip_msg_salvage) and the
 * answer to a request (sip_msg_reject_bytes: with the decoder's error for what does not
 * decode, with a 505 for what does) run on every mutant: an answer must decode as a response
 * that passes validation, and for a request that decodes and validates the salvage must read
 * the same Vias, To, Call-ID and CSeq as the decoder. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "protocols/sip/sip.h"

static void typed(const sip_msg *m)
{
    static const sip_hdr_id ids[] = { SIP_HDR_FROM, SIP_HDR_TO, SIP_HDR_CONTACT, SIP_HDR_ROUTE,
                                      SIP_HDR_RECORD_ROUTE };
    sip_via v;
    sip_nameaddr na;
    sip_cseq cs;
    sip_str s;
    uint32_t n;
    for (size_t i = 0; i < sip_msg_count(m, SIP_HDR_VIA); i++)
        if (sip_msg_via(m, i, &v) != 0)
            abort(); /* decode validated every Via */
    for (size_t k = 0; k < G_N_ELEMENTS(ids); k++)
        for (size_t i = 0; i < sip_msg_count(m, ids[k]); i++)
            if (sip_msg_nameaddr(m, ids[k], i, &na) != 0)
                abort();
    if (sip_msg_hdr(m, SIP_HDR_CSEQ, 0) && sip_msg_cseq(m, &cs) != 0)
        abort();
    sip_msg_call_id(m, &s);
    sip_msg_uint(m, SIP_HDR_MAX_FORWARDS, &n);
    sip_msg_tag(m, SIP_HDR_TO, &s);
    const sip_hdr *h;
    sip_digest d;
    for (size_t i = 0; (h = sip_msg_hdr(m, SIP_HDR_AUTHORIZATION, i)); i++) {
        if (sip_digest_parse(h->value, &d) == 0)
            sip_digest_verify(&d, "secret", m->request ? m->method : "INVITE");
        sip_digest_clear(&d);
    }
}

static void roundtrip(const sip_msg *m)
{
    GString *a = g_string_new(NULL), *b = g_string_new(NULL);
    sip_msg_encode(m, a);
    sip_msg *again;
    sip_err e;
    if (sip_msg_decode((const uint8_t *)a->str, a->len, &again, &e) != 0)
        abort();
    sip_msg_encode(again, b);
    if (a->len != b->len || memcmp(a->str, b->str, a->len) != 0)
        abort();
    size_t framed;
    if (sip_msg_frame((const uint8_t *)a->str, a->len, &framed) != 0 || framed != a->len)
        abort(); /* the encoder always writes Content-Length, so a stream can frame it */
    sip_msg_free(again);
    g_string_free(a, TRUE);
    g_string_free(b, TRUE);
}

static void edit(sip_msg *m)
{
    unsigned status;
    const char *reason;
    sip_msg *r;
    if (sip_msg_validate(m, &status, &reason) == 0 && m->request &&
        sip_msg_response(m, 180, NULL, "fuzztag", &r) == 0) {
        if (sip_msg_validate(r, &status, &reason) != 0)
            abort();
        sip_msg_free(r);
    }
    sim_ep src;
    sim_ep_parse("192.0.2.1:9988", &src);
    sip_via v;
    char host[256];
    uint16_t port;
    bool empty_rport = sip_msg_via(m, 0, &v) == 0 && v.rport && v.rport_value < 0;
    if (sip_msg_stamp_received(m, &src) == 0 && sip_msg_via(m, 0, &v) == 0 &&
        sip_via_reply_to(&v, host, sizeof host, &port) == 0 && empty_rport && port != 9988)
        abort(); /* RFC 3581: a stamped rport sends the response back to the source port */
    sip_msg_forward_hops(m, &status, &reason);
    sip_uri self;
    if (sip_uri_parse("sip:proxy.example.com", 21, &self, NULL) == 0)
        sip_msg_route_pop_self(m, &self);
    sip_msg_push(m, SIP_HDR_VIA, "SIP/2.0/UDP proxy.example.com;branch=z9hG4bKfuzz");
    sip_msg_push(m, SIP_HDR_RECORD_ROUTE, "<sip:proxy.example.com;lr>");
    sip_msg_pop(m, SIP_HDR_ROUTE);
    sip_msg_pop(m, SIP_HDR_VIA);
    sip_msg_pop(m, SIP_HDR_VIA);
    GString *a = g_string_new(NULL);
    sip_msg_encode(m, a); /* every value the helpers add was checked against its grammar */
    g_string_free(a, TRUE);
}

/* An answer built by sip_msg_reject_bytes must decode as a valid response. */
static void check_answer(const sip_msg *r)
{
    GString *out = g_string_new(NULL);
    sip_msg_encode(r, out);
    sip_msg *back = NULL;
    unsigned status;
    const char *reason;
    if (sip_msg_decode((const uint8_t *)out->str, out->len, &back, NULL) != 0 ||
        back->request || sip_msg_validate(back, &status, &reason) != 0)
        abort();
    sip_msg_free(back);
    g_string_free(out, TRUE);
}

static bool same_value(const sip_msg *a, const sip_msg *b, sip_hdr_id id, size_t i)
{
    sip_str x, y;
    return sip_msg_value(a, id, i, &x) == 0 && sip_msg_value(b, id, i, &y) == 0 &&
           x.len == y.len && memcmp(x.p, y.p, x.len) == 0;
}

/* Salvage and a 505 on bytes that decoded into m (what does not decode gets the decoder's
 * own error answered below). */
static void salvage(const uint8_t *data, size_t size, const sip_msg *m)
{
    static const sip_err vers = { "SIP version not supported", 505, 0 };
    sip_msg *s = NULL;
    if (sip_msg_reject_bytes(data, size, &vers, &s) == 0) {
        if (s->status != 505)
            abort();
        check_answer(s);
        sip_msg_free(s);
        s = NULL;
    }
    int rc = sip_msg_salvage(data, size, &s);
    unsigned status;
    const char *reason;
    if (m->request && sip_msg_validate(m, &status, &reason) == 0) {
        size_t vias = sip_msg_count(m, SIP_HDR_VIA);
        if (rc != 0 || (vias <= 64 && sip_msg_count(s, SIP_HDR_VIA) != vias) ||
            !same_value(m, s, SIP_HDR_VIA, 0) || !same_value(m, s, SIP_HDR_CALL_ID, 0) ||
            !same_value(m, s, SIP_HDR_CSEQ, 0) || !same_value(m, s, SIP_HDR_TO, 0))
            abort(); /* a valid request is read the same leniently */
    }
    sip_msg_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sip_msg *m = NULL;
    sip_err e = { 0 };
    GString *out = g_string_new(NULL);
    if (sip_msg_decode(data, size, &m, &e) == 0) {
        typed(m);
        roundtrip(m);
        sip_msg_fmt(m, out); /* what `natsim decode sip` prints */
        salvage(data, size, m);
        edit(m);
        sip_msg_free(m);
    } else {
        if (!e.why || e.off > size)
            abort();
        GError *err = NULL;
        char *argv[] = { "fuzz" };
        if (sip_decode(data, size, 1, argv, out, &err) == 0)
            abort();
        g_clear_error(&err);
        size_t n;
        sip_msg_frame(data, size, &n);
        sip_msg *r = NULL; /* the answer to what does not decode must itself decode */
        if (sip_msg_reject_bytes(data, size, &e, &r) == 0) {
            if (r->status != e.status)
                abort();
            check_answer(r);
            sip_msg_free(r);
        }
    }
    g_string_free(out, TRUE);
    return 0;
}
