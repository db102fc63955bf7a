/* fuzz_sdp — arbitrary bytes as a session description: the decoder must refuse or accept
 * without crashing; whatever it accepts must encode, and the encoding must decode again to the
 * same encoding (the canonical form is a fixed point); every typed view, the CLI dump and the
 * offer/answer core (answering it, and taking it as an answer) must survive it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "protocols/sdp/sdp.h"

static void check_views(const sdp_session *s)
{
    sdp_ice_lite(s);
    for (guint i = 0; i < s->media->len; i++) {
        const sdp_media *m = g_ptr_array_index(s->media, i);
        unsigned ms;
        uint16_t port;
        sdp_addr a = { 0 };
        sdp_rtpmap r;
        sdp_media_dir(s, m);
        sdp_media_ptime(s, m, &ms);
        sdp_media_maxptime(s, m, &ms);
        if (sdp_media_rtcp(m, &port, &a) == 0)
            g_free(a.host);
        sdp_media_mid(m);
        sdp_media_conn(s, m);
        sdp_ice_attr(s, m, "ice-ufrag");
        sdp_end_of_candidates(s, m);
        for (guint f = 0; f < m->fmts->len; f++) {
            unsigned pt = (unsigned)atoi(g_ptr_array_index(m->fmts, f)) & 0x7f;
            sdp_media_rtpmap(m, pt, &r);
            sdp_media_fmtp(m, pt);
        }
        for (guint k = 0; k < m->attrs->len; k++) {
            const sdp_attr *at = &g_array_index(m->attrs, sdp_attr, k);
            sdp_candidate c;
            if (!strcmp(at->name, "candidate") && at->value &&
                sdp_candidate_parse(at->value, &c, NULL) == 0) {
                GString *t = g_string_new(NULL);
                sdp_candidate_fmt(&c, t);
                g_string_free(t, TRUE);
            }
        }
    }
}

/* Returns whether the input decoded. */
static bool check_codec(const uint8_t *data, size_t size)
{
    sdp_session *s;
    if (sdp_decode((const char *)data, size, &s, NULL) != 0)
        return false;
    GString *a = g_string_new(NULL), *b = g_string_new(NULL);
    if (sdp_encode(s, a) != 0)
        abort();
    sdp_session *t;
    if (sdp_decode(a->str, a->len, &t, NULL) != 0 || sdp_encode(t, b) != 0 || strcmp(a->str, b->str))
        abort();
    check_views(s);
    sdp_session_free(t);
    sdp_session_free(s);
    g_string_free(a, TRUE);
    g_string_free(b, TRUE);
    return true;
}

static void check_oa(const uint8_t *data, size_t size)
{
    sdp_oa_cfg cfg = { .sess_id = 1, .pcmu = true, .pcma = true, .opus = true,
                       .telephone_event = true, .port_base = 4000 };
    sim_ip_parse("192.0.2.1", &cfg.addr);
    sdp_oa *oa = sdp_oa_new(&cfg);
    GString *out = g_string_new(NULL);
    sdp_oa_answer(oa, (const char *)data, size, out);
    sdp_oa_free(oa);
    oa = sdp_oa_new(&cfg);
    sdp_oa_add_stream(oa, "audio", 4000, SDP_SENDRECV);
    sdp_oa_offer(oa, out);
    sdp_oa_accept_answer(oa, (const char *)data, size);
    sdp_oa_free(oa);
    g_string_free(out, TRUE);
}

static void check_cli(const uint8_t *data, size_t size)
{
    char *argv[] = { "fuzz" };
    GString *out = g_string_new(NULL);
    GError *err = NULL;
    sdp_decode_cli(data, size, 1, argv, out, &err);
    g_clear_error(&err);
    g_string_free(out, TRUE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The offer/answer core decodes its input first: what the codec refuses it refuses too,
     * so only accepted inputs are worth driving through it (keeps the replay fast). */
    if (check_codec(data, size))
        check_oa(data, size);
    check_cli(data, size);
    return 0;
}
