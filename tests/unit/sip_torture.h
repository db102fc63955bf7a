/* tests/unit/sip_torture.h — the RFC 4475 messages (tests/unit/data/sip/) a SIP core is fed
 * whole, and the status line it must answer each with (RFC 3261 §8.2.2, §16.3, §21), shared
 * by the UA, server and TCP tests so that every path answers alike. The codec-level verdicts
 * and the exact answers are in test_sip.c. */
#ifndef TESTS_UNIT_SIP_TORTURE_H
#define TESTS_UNIT_SIP_TORTURE_H

#include <glib.h>
#include <string.h>
#include "protocols/sip/sip.h"

/* reply NULL: not answered (a response: RFC 4475 says drop it). */
static const struct {
    const char *name, *reply;
} sip_torture_cases[] = {
    { "badvers", "SIP/2.0 505 Version Not Supported\r\n" },
    { "multi01", "SIP/2.0 400 header may appear only once\r\n" },
    { "badinv01", "SIP/2.0 400 empty parameter\r\n" },
    { "scalar02", "SIP/2.0 400 CSeq number too large\r\n" },
    { "quotbal", "SIP/2.0 400 unterminated quoted display name\r\n" },
    { "badaspec", "SIP/2.0 400 URI without a scheme\r\n" },
    { "baddn", "SIP/2.0 400 display name must be tokens or a quoted string\r\n" },
    { "unkscm", "SIP/2.0 416 Unsupported URI Scheme\r\n" },      /* decodes; validation */
    { "mismatch02", "SIP/2.0 501 Not Implemented\r\n" },         /* decodes; validation */
    { "bigcode", NULL },
    { "scalarlg", NULL },
};

/* The bytes of tests/unit/data/sip/<file> (owned); a missing file ends the test. */
static inline GBytes *sip_data_load(const char *file)
{
    g_autofree char *path =
        g_build_filename(NATSIM_SOURCE_DIR, "tests", "unit", "data", "sip", file, NULL);
    char *data;
    gsize len;
    GError *err = NULL;
    if (!g_file_get_contents(path, &data, &len, &err))
        g_error("%s: %s", path, err->message);
    return g_bytes_new_take(data, len);
}

/* The bytes of tests/unit/data/sip/rfc4475-<name>.sip (owned). */
static inline GBytes *sip_torture_load(const char *name)
{
    g_autofree char *file = g_strdup_printf("rfc4475-%s.sip", name);
    return sip_data_load(file);
}

/* Checks one datagram a core sent for case i: it starts with the expected status line,
 * decodes, and carries the top Via the request had (badinv01's rebuilt without ";;"). */
static inline void sip_torture_check_answer(size_t i, const uint8_t *data, size_t len)
{
    const char *want = sip_torture_cases[i].reply;
    g_assert_nonnull(want);
    g_assert_cmpuint(len, >=, strlen(want));
    g_assert_cmpmem(data, strlen(want), want, strlen(want));
    sip_msg *m = NULL;
    g_assert_cmpint(sip_msg_decode(data, len, &m, NULL), ==, 0);
    sip_via v;
    g_assert_cmpint(sip_msg_via(m, 0, &v), ==, 0);
    GBytes *b = sip_torture_load(sip_torture_cases[i].name);
    gsize blen;
    const uint8_t *req = g_bytes_get_data(b, &blen);
    g_assert_true(v.branch.len == 0 || memmem(req, blen, v.branch.p, v.branch.len) != NULL);
    g_assert_true(memmem(req, blen, v.host.p, v.host.len) != NULL);
    g_bytes_unref(b);
    sip_msg_free(m);
}

#endif
