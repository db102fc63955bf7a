/* fuzz_rtp — arbitrary bytes as RTP and as RTCP: each decoder must refuse or accept without
 * crashing; an accepted RTP packet must re-encode to the same bytes once padding is zeroed (the
 * decoder ignores padding contents); an accepted RTCP compound must re-encode to bytes that
 * decode and re-encode to themselves; the dump and a session core must survive it as input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "protocols/rtp/rtp.h"

static void check_rtp(const uint8_t *data, size_t size)
{
    rtp_pkt p;
    if (rtp_decode(data, size, &p, NULL) != 0)
        return;
    uint8_t *want = g_memdup2(data, size ? size : 1), *again = g_malloc(size + 1);
    if (p.padding)
        memset(want + size - p.pad_len, 0, p.pad_len - 1u);
    size_t len;
    if (rtp_encode(&p, again, size + 1, &len) != 0 || len != size || memcmp(again, want, size))
        abort();
    GString *out = g_string_new(NULL);
    rtp_pkt_fmt(&p, out);
    g_string_free(out, TRUE);
    g_free(want);
    g_free(again);
}

static void check_rtcp(const uint8_t *data, size_t size)
{
    rtcp_compound *c = g_new(rtcp_compound, 1), *d = g_new(rtcp_compound, 1);
    if (rtcp_decode(data, size, c, NULL) == 0) {
        GString *out = g_string_new(NULL);
        rtcp_compound_fmt(c, out);
        g_string_free(out, TRUE);
        uint8_t *a = g_malloc(size + 1024), *b = g_malloc(size + 1024);
        size_t la, lb;
        /* Unknown packet types are not re-encoded; the rest must be a fixed point. */
        if (rtcp_encode(c, a, size + 1024, &la) == 0) {
            if (rtcp_decode(a, la, d, NULL) != 0 || rtcp_encode(d, b, size + 1024, &lb) != 0 ||
                la != lb || memcmp(a, b, la))
                abort();
        }
        g_free(a);
        g_free(b);
    }
    g_free(c);
    g_free(d);
}

static void check_session(const uint8_t *data, size_t size)
{
    sim_rng r;
    sim_rng_seed(&r, 1);
    rtp_session *s = rtp_session_new(&(rtp_session_cfg){ .probation = size & 1 }, &r, 0);
    rtp_session_send_start(s, 0, 100 * SIM_MS);
    rtp_session_input(s, SIM_MS, data, size);
    rtp_session_input(s, 2 * SIM_MS, data, size);
    rtp_session_timeout(s, 10 * SIM_SEC);
    rtp_session_stats(s);
    rtp_session_bye(s, 10 * SIM_SEC, "x");
    rtp_out o;
    while (rtp_session_pop(s, &o))
        ;
    rtp_session_free(s);
}

static void check_cli(const uint8_t *data, size_t size)
{
    char *argv[] = { "fuzz" };
    GString *out = g_string_new(NULL);
    GError *err = NULL;
    rtp_decode_cli(data, size, 1, argv, out, &err);
    g_clear_error(&err);
    g_string_free(out, TRUE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_rtp(data, size);
    check_rtcp(data, size);
    check_session(data, size);
    check_cli(data, size);
    return 0;
}
