/* tests/unit/test_sip_auth.c — SIP digest authentication: the RFC 2617 §3.5 example, the
 * RFC 7616 §3.9.1 MD5 and SHA-256 examples (the SHA-256 algorithm RFC 8760 brings to SIP),
 * SIP vectors computed independently with python3's hashlib, challenge/credential parsing,
 * and a full challenge -> Authorization -> verify round trip. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/sip/sip.h"

static void test_rfc2617(void)
{
    char out[SIP_DIGEST_HEX_MAX];
    g_assert_cmpint(sip_digest_response(SIP_DIGEST_MD5, "Mufasa", "testrealm@host.com",
                                        "Circle Of Life", "GET", "/dir/index.html",
                                        "dcd98b7102dd2f0e8b11d0f600bfb0c093", "auth", "00000001",
                                        "0a4f113b", out), ==, 0);
    g_assert_cmpstr(out, ==, "6629fae49393a05397450978507c4ef1");
    /* the same exchange as the RFC shows it on the wire, verified */
    sip_digest d;
    g_assert_cmpint(sip_digest_parse(
                        "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
                        "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", "
                        "qop=auth, nc=00000001, cnonce=\"0a4f113b\", "
                        "response=\"6629fae49393a05397450978507c4ef1\", "
                        "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"", &d), ==, 0);
    g_assert_cmpstr(d.username, ==, "Mufasa");
    g_assert_cmpstr(d.opaque, ==, "5ccc069c403ebaf9f0171e9517f40e41");
    g_assert_cmpint(sip_digest_verify(&d, "Circle Of Life", "GET"), ==, 0);
    g_assert_cmpint(sip_digest_verify(&d, "Circle of Life", "GET"), ==, -EACCES);
    g_assert_cmpint(sip_digest_verify(&d, "Circle Of Life", "POST"), ==, -EACCES);
    sip_digest_clear(&d);
}

static void test_rfc7616(void)
{
    static const char *nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    static const char *cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    char out[SIP_DIGEST_HEX_MAX];
    sip_digest_response(SIP_DIGEST_MD5, "Mufasa", "http-auth@example.org", "Circle of Life",
                        "GET", "/dir/index.html", nonce, "auth", "00000001", cnonce, out);
    g_assert_cmpstr(out, ==, "8ca523f5e9506fed4657c9700eebdbec");
    sip_digest_response(SIP_DIGEST_SHA256, "Mufasa", "http-auth@example.org", "Circle of Life",
                        "GET", "/dir/index.html", nonce, "auth", "00000001", cnonce, out);
    g_assert_cmpstr(out, ==, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

/* Computed with python3: hashlib.md5 / hashlib.sha256 over the RFC 2617 formulas. */
static void test_python_vectors(void)
{
    char out[SIP_DIGEST_HEX_MAX];
    g_assert_cmpint(sip_digest_response(SIP_DIGEST_MD5, "bob", "biloxi.example.com", "zanzibar",
                                        "REGISTER", "sip:biloxi.example.com",
                                        "ea9c8e88df84f1cec4341ae6cbe5a359", NULL, NULL, NULL,
                                        out), ==, 0);
    g_assert_cmpstr(out, ==, "09557870b7086bf9d577d8ccff1ce5ff");
    sip_digest_response(SIP_DIGEST_SHA256, "alice", "atlanta.example.com", "s3cr3t", "INVITE",
                        "sip:bob@biloxi.example.com", "c60f3082ee1212b402a21831ae", "auth",
                        "0000000a", "4f1a5b2c", out);
    g_assert_cmpstr(out, ==, "6447d80bc09cc0be93a98ae99a5ce635cb0045ea660ffc92884dc870fb76ed3a");
    sip_digest_response(SIP_DIGEST_MD5, "alice", "atlanta.example.com", "s3cr3t", "INVITE",
                        "sip:bob@biloxi.example.com", "c60f3082ee1212b402a21831ae", "auth",
                        "0000000a", "4f1a5b2c", out);
    g_assert_cmpstr(out, ==, "b21caf34096172f7368e1a590a445a7c");
    g_assert_cmpint(sip_digest_response(SIP_DIGEST_MD5, "a", "r", "p", "M", "u", "n", "auth-int",
                                        "1", "c", out), ==, -EINVAL);
    g_assert_cmpint(sip_digest_response(SIP_DIGEST_MD5, "a", "r", "p", "M", "u", "n", "auth",
                                        NULL, "c", out), ==, -EINVAL);
}

/* A registrar's challenge answered by a UA, then verified by the registrar. */
static void test_roundtrip(void)
{
    sip_digest ch, cred;
    g_assert_cmpint(sip_digest_parse("Digest realm=\"atlanta.example.com\", qop=\"auth,auth-int\", "
                                     "nonce=\"84a4cc6f3082121f32b42a2187831a9e\", "
                                     "opaque=\"q\\\"x\", stale=FALSE, algorithm=SHA-256", &ch), ==, 0);
    g_assert_cmpint(ch.alg, ==, SIP_DIGEST_SHA256);
    g_assert_cmpstr(ch.opaque, ==, "q\"x");
    g_assert_false(ch.stale);
    char *auth = sip_digest_authorization(&ch, "alice", "s3cr3t", "REGISTER",
                                          "sip:atlanta.example.com", "0a4f113b", 1);
    g_assert_nonnull(auth);
    g_assert_true(g_str_has_prefix(auth, "Digest username=\"alice\", realm=\"atlanta.example.com\""));
    g_assert_nonnull(strstr(auth, ", nc=00000001, qop=auth"));
    g_assert_nonnull(strstr(auth, "opaque=\"q\\\"x\""));
    g_assert_cmpint(sip_hdr_check(SIP_HDR_AUTHORIZATION, (sip_str){ auth, strlen(auth) }, NULL),
                    ==, 0);
    g_assert_cmpint(sip_digest_parse(auth, &cred), ==, 0);
    g_assert_cmpint(cred.alg, ==, SIP_DIGEST_SHA256);
    g_assert_cmpint(sip_digest_verify(&cred, "s3cr3t", "REGISTER"), ==, 0);
    g_assert_cmpint(sip_digest_verify(&cred, "wrong", "REGISTER"), ==, -EACCES);
    g_free(cred.response);
    cred.response = NULL;
    g_assert_cmpint(sip_digest_verify(&cred, "s3cr3t", "REGISTER"), ==, -EINVAL);
    sip_digest_clear(&cred);
    g_free(auth);
    sip_digest_clear(&ch);
}

static void test_parse_errors(void)
{
    sip_digest d;
    static const char *const bad[] = {
        "Basic realm=\"x\"", "Digest", "Digest realm", "Digest realm=\"x", "Digest realm=",
        "Digest realm=\"a\", realm=\"b\"", "Digest realm=\"a\" nonce=\"b\"", "Digestrealm=\"a\"",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_cmpint(sip_digest_parse(bad[i], &d), ==, -EBADMSG);
        g_assert_null(d.realm);
    }
    g_assert_cmpint(sip_digest_parse("Digest realm=\"a\", algorithm=MD5-sess", &d), ==, -EPROTO);
    g_assert_cmpint(sip_digest_parse("Digest realm=\"a\", algorithm=SHA-512-256", &d), ==, -EPROTO);
    g_assert_cmpint(sip_digest_parse("digest REALM=\"a\", unknown=\"z\", algorithm=md5", &d), ==, 0);
    g_assert_cmpstr(d.realm, ==, "a");
    sip_digest_clear(&d);
    sip_digest_clear(NULL);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sip/auth/rfc2617-mufasa", test_rfc2617);
    g_test_add_func("/sip/auth/rfc7616-md5-sha256", test_rfc7616);
    g_test_add_func("/sip/auth/python-vectors", test_python_vectors);
    g_test_add_func("/sip/auth/challenge-roundtrip", test_roundtrip);
    g_test_add_func("/sip/auth/parse-errors", test_parse_errors);
    return g_test_run();
}
