/* tests/unit/test_sip.c — the SIP message codec: every RFC 4475 parser torture message accepted
 * or rejected as the RFC says (files in tests/unit/data/sip/, some also the fuzz corpus), each header form of RFC 3261
 * §7.3 / §25 (compact names, folding, lists, quoted strings, parameters, name-addr vs
 * addr-spec, URIs), Content-Length over UDP, stream framing, the encoder and the proxy
 * helpers, validation and response building. Digest tests are in test_sip_auth.c. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/sip/sip.h"
#include "tests/unit/sip_torture.h"

static sip_msg *decode_str(const char *s)
{
    sip_msg *m = NULL;
    sip_err e = { 0 };
    int rc = sip_msg_decode((const uint8_t *)s, strlen(s), &m, &e);
    if (rc)
        g_test_message("decode: %s at %zu", e.why, e.off);
    g_assert_cmpint(rc, ==, 0);
    return m;
}

static sip_str sip_s(const char *s)
{
    return (sip_str){ s, strlen(s) };
}

static void assert_str(sip_str s, const char *want)
{
    g_assert_cmpmem(s.p, s.len, want, strlen(want));
}

/* ---------------------------------------------------------------- RFC 4475 */

typedef struct torture {
    const char *name;
    const char *why; /* NULL: valid; else the reason decode (or validation) gives */
    unsigned status;
} torture;

static const torture tortures[] = {
    /* §3.1.1 valid messages: a parser must accept them */
    { "wsinv", NULL, 0 }, { "intmeth", NULL, 0 }, { "esc01", NULL, 0 },
    { "escnull", NULL, 0 }, { "esc02", NULL, 0 }, { "lwsdisp", NULL, 0 },
    { "longreq", NULL, 0 }, { "dblreq", NULL, 0 }, { "semiuri", NULL, 0 },
    { "transports", NULL, 0 }, { "mpart01", NULL, 0 }, { "unreason", NULL, 0 },
    { "noreason", NULL, 0 },
    /* §3.2.1: well-formed for a parser (the TU may answer 400) */
    { "badbranch", NULL, 0 },
    /* §3.1.2 invalid messages, with the reason */
    { "badinv01", "empty parameter", 400 },               /* Via: ...;;,;,, */
    { "clerr", "body shorter than Content-Length", 400 }, /* 9999 over UDP */
    { "ncl", "bad Content-Length", 400 },                 /* -999 */
    { "scalar02", "CSeq number too large", 400 },         /* 2**65 */
    { "scalarlg", "CSeq number too large", 400 },
    { "quotbal", "unterminated quoted display name", 400 },
    { "ltgtruri", "Request-URI in <>", 400 },
    { "lwsruri", "request line must be Method SP Request-URI SP SIP-Version", 400 },
    { "lwsstart", "request line must be Method SP Request-URI SP SIP-Version", 400 },
    { "trws", "request line must be Method SP Request-URI SP SIP-Version", 400 },
    { "escruri", "Request-URI with headers", 400 },
    { "baddate", "bad Date (RFC 1123 date in GMT)", 400 },
    { "regbadct", "URI with ? or , outside <>", 400 },
    { "badaspec", "URI without a scheme", 400 },          /* "< sip:...>" */
    { "baddn", "display name must be tokens or a quoted string", 400 },
    { "badvers", "SIP version not supported", 505 },
    { "bigcode", "bad status code", 400 },
    { "multi01", "header may appear only once", 400 },
    /* §3.1.2.21 / .22: well-formed, refused by validation (400) */
    { "mismatch01", "CSeq method does not match the request method", 400 },
    { "mismatch02", "Not Implemented", 501 }, /* RFC 4475 prefers 501 to 400 */
    /* §3.3.2: well-formed, refused by validation with 416 (§8.2.2.1, §16.3 step 2) */
    { "unkscm", "Unsupported URI Scheme", 416 },
};

static void test_torture(gconstpointer data)
{
    const torture *t = data;
    char *file = g_strdup_printf("rfc4475-%s.sip", t->name);
    GBytes *b = sip_data_load(file);
    gsize len;
    const uint8_t *p = g_bytes_get_data(b, &len);
    sip_msg *m = NULL;
    sip_err e = { 0 };
    int rc = sip_msg_decode(p, len, &m, &e);
    unsigned status = 0;
    const char *reason = NULL;
    if (rc == 0) {
        rc = sip_msg_validate(m, &status, &reason);
        e.why = reason;
        e.status = status;
    }
    if (!t->why) {
        if (rc)
            g_test_message("%s: %s", t->name, e.why);
        g_assert_cmpint(rc, ==, 0);
    } else {
        g_assert_cmpint(rc, <, 0);
        g_assert_cmpstr(e.why, ==, t->why);
        g_assert_cmpuint(e.status, ==, t->status);
    }
    sip_msg_free(m);
    g_bytes_unref(b);
    g_free(file);
}

static sip_msg *torture_msg(const char *name)
{
    char *file = g_strdup_printf("rfc4475-%s.sip", name);
    GBytes *b = sip_data_load(file);
    gsize len;
    const uint8_t *p = g_bytes_get_data(b, &len);
    sip_msg *m = NULL;
    g_assert_cmpint(sip_msg_decode(p, len, &m, NULL), ==, 0);
    g_bytes_unref(b);
    g_free(file);
    return m;
}

/* What the parser made of the short tortuous INVITE. */
static void test_wsinv_fields(void)
{
    sip_msg *m = torture_msg("wsinv");
    g_assert_cmpstr(m->method, ==, "INVITE");
    assert_str(m->uri.host, "chair-dnrc.example.com");
    g_assert_nonnull(sip_params_find(&m->uri.params, "unknownparam"));
    sip_str tag;
    g_assert_cmpint(sip_msg_tag(m, SIP_HDR_TO, &tag), ==, 0);
    assert_str(tag, "1918181833n");
    g_assert_cmpint(sip_msg_tag(m, SIP_HDR_FROM, &tag), ==, 0);
    assert_str(tag, "98asjd8");
    sip_nameaddr from;
    g_assert_cmpint(sip_msg_nameaddr(m, SIP_HDR_FROM, 0, &from), ==, 0);
    assert_str(from.display, "\"J Rosenberg \\\\\\\"\"");
    uint32_t mf;
    g_assert_cmpint(sip_msg_uint(m, SIP_HDR_MAX_FORWARDS, &mf), ==, 0);
    g_assert_cmpuint(mf, ==, 68);
    sip_cseq cs;
    g_assert_cmpint(sip_msg_cseq(m, &cs), ==, 0);
    g_assert_cmpuint(cs.seq, ==, 9);
    assert_str(cs.method, "INVITE");
    /* three Via values: one folded line, then a compact line holding two */
    g_assert_cmpuint(sip_msg_count(m, SIP_HDR_VIA), ==, 3);
    sip_via v;
    g_assert_cmpint(sip_msg_via(m, 0, &v), ==, 0);
    assert_str(v.transport, "UDP");
    assert_str(v.host, "192.0.2.2");
    g_assert_false(v.rfc3261);
    g_assert_cmpint(sip_msg_via(m, 1, &v), ==, 0);
    assert_str(v.transport, "TCP");
    assert_str(v.host, "spindle.example.com");
    assert_str(v.branch, "z9hG4bK9ikj8");
    g_assert_true(v.rfc3261);
    g_assert_cmpint(sip_msg_via(m, 2, &v), ==, 0);
    assert_str(v.branch, "z9hG4bK30239");
    sip_nameaddr c;
    g_assert_cmpint(sip_msg_nameaddr(m, SIP_HDR_CONTACT, 0, &c), ==, 0);
    assert_str(sip_params_find(&c.params, "q")->value, "0.33");
    assert_str(sip_params_find(&c.params, "newparam")->value, "newvalue");
    g_assert_nonnull(sip_params_find(&c.params, "secondparam"));
    const sip_hdr *h = sip_msg_hdr_named(m, "newfangledheader");
    g_assert_nonnull(h);
    g_assert_cmpstr(h->value, ==, "newfangled value   continued newfangled value");
    g_assert_cmpstr(sip_msg_hdr(m, SIP_HDR_SUBJECT, 0)->value, ==, "");
    uint32_t cl;
    g_assert_cmpint(sip_msg_uint(m, SIP_HDR_CONTENT_LENGTH, &cl), ==, 0);
    g_assert_cmpuint(m->body_len, ==, cl);
    sip_msg_free(m);
}

/* Not in RFC 4475: a Via whose branch parameter is empty. */
static void test_badbranch(void)
{
    GBytes *b = sip_data_load("badbranch.sip");
    gsize len;
    const uint8_t *p = g_bytes_get_data(b, &len);
    sip_msg *m = NULL;
    sip_err e = { 0 };
    g_assert_cmpint(sip_msg_decode(p, len, &m, &e), ==, -EBADMSG);
    g_assert_cmpstr(e.why, ==, "bad parameter value");
    g_assert_null(m);
    g_bytes_unref(b);
}

static void test_torture_details(void)
{
    char buf[64];
    sip_msg *m = torture_msg("esc01");
    g_assert_cmpint(sip_unescape(m->uri.user, buf, sizeof buf), ==, 21);
    g_assert_cmpstr(buf, ==, "sips:user@example.com");
    sip_msg_free(m);

    m = torture_msg("escnull"); /* %00 is a legal escape: the user holds a NUL byte */
    sip_nameaddr na;
    g_assert_cmpint(sip_msg_nameaddr(m, SIP_HDR_CONTACT, 1, &na), ==, 0);
    g_assert_cmpint(sip_unescape(na.uri.user, buf, sizeof buf), ==, 2);
    sip_msg_free(m);

    m = torture_msg("intmeth");
    g_assert_cmpstr(m->method, ==, "!interesting-Method0123456789_*+`.%indeed'~");
    assert_str(m->uri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    assert_str(m->uri.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    const sip_hdr *to = sip_msg_hdr(m, SIP_HDR_TO, 0);
    g_assert_nonnull(memchr(to->value, 0, to->value_len)); /* \NUL kept as a quoted-pair */
    sip_msg_free(m);

    m = torture_msg("semiuri");
    assert_str(m->uri.user, "user;par=u%40example.net");
    assert_str(m->uri.host, "example.com");
    g_assert_cmpuint(sip_msg_count(m, SIP_HDR_ACCEPT), ==, 6);
    sip_msg_free(m);

    m = torture_msg("dblreq"); /* Content-Length 0: the INVITE after it is not a body */
    g_assert_cmpstr(m->method, ==, "REGISTER");
    g_assert_cmpuint(m->body_len, ==, 0);
    sip_msg_free(m);

    m = torture_msg("transports");
    const char *want[] = { "UDP", "SCTP", "TLS", "UNKNOWN", "TCP" };
    for (size_t i = 0; i < 5; i++) {
        sip_via v;
        g_assert_cmpint(sip_msg_via(m, i, &v), ==, 0);
        assert_str(v.transport, want[i]);
    }
    sip_msg_free(m);

    m = torture_msg("noreason");
    g_assert_cmpuint(m->status, ==, 100);
    g_assert_cmpstr(m->reason, ==, "");
    sip_msg_free(m);

    m = torture_msg("esc02"); /* an unknown method, an unknown header C%6Fntact */
    g_assert_cmpstr(m->method, ==, "RE%47IST%45R");
    g_assert_cmpuint(sip_msg_count(m, SIP_HDR_CONTACT), ==, 2);
    sip_msg_free(m);
}

/* ---------------------------------------------------------------- header forms */

#define HEAD "OPTIONS sip:bob@biloxi.example.com SIP/2.0\r\n"
#define VIA "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
#define BASE VIA "To: <sip:bob@biloxi.example.com>\r\nFrom: <sip:alice@atlanta.example.com>;tag=1928301774\r\n" \
             "Call-ID: a84b4c76e66710\r\nCSeq: 63104 OPTIONS\r\nMax-Forwards: 70\r\n"

static void test_compact_and_case(void)
{
    sip_msg *m = decode_str("OPTIONS sip:bob@biloxi.example.com SIP/2.0\r\n"
                            "v: SIP/2.0/UDP h;branch=z9hG4bK1\r\nt: <sip:bob@b>\r\n"
                            "f: <sip:a@a>;tag=9\r\ni: x@y\r\nCSEQ: 1 OPTIONS\r\n"
                            "mAx-FoRwArDs: 70\r\nm: <sip:a@h>\r\ne: gzip\r\nk: timer\r\n"
                            "s: hi\r\no: presence\r\nr: <sip:c@d>\r\nu: presence\r\n"
                            "b: <sip:e@f>\r\na: *;audio\r\nc: text/plain\r\nl: 2\r\n\r\nhi");
    static const sip_hdr_id ids[] = { SIP_HDR_VIA, SIP_HDR_TO, SIP_HDR_FROM, SIP_HDR_CALL_ID,
                                      SIP_HDR_CSEQ, SIP_HDR_MAX_FORWARDS, SIP_HDR_CONTACT,
                                      SIP_HDR_CONTENT_ENCODING, SIP_HDR_SUPPORTED,
                                      SIP_HDR_SUBJECT, SIP_HDR_EVENT, SIP_HDR_REFER_TO,
                                      SIP_HDR_ALLOW_EVENTS, SIP_HDR_REFERRED_BY,
                                      SIP_HDR_ACCEPT_CONTACT, SIP_HDR_CONTENT_TYPE,
                                      SIP_HDR_CONTENT_LENGTH };
    for (size_t i = 0; i < G_N_ELEMENTS(ids); i++)
        g_assert_nonnull(sip_msg_hdr(m, ids[i], 0));
    g_assert_cmpuint(m->body_len, ==, 2);
    GString *out = g_string_new(NULL);
    sip_msg_encode(m, out); /* canonical long names */
    g_assert_nonnull(strstr(out->str, "\r\nCall-ID: x@y\r\n"));
    g_assert_nonnull(strstr(out->str, "\r\nMax-Forwards: 70\r\n"));
    g_assert_nonnull(strstr(out->str, "\r\nRefer-To: <sip:c@d>\r\n"));
    g_string_free(out, TRUE);
    sip_msg_free(m);
}

static void reject(const char *msg, const char *why);

/* Comments where the grammar has them (Server, User-Agent, Retry-After), and Date. */
static void test_comments_and_date(void)
{
    sip_msg *m = decode_str(HEAD BASE "User-Agent: Softphone/1.2 (Linux; \"x\" (nested \\) y)) beta\r\n"
                            "Server: (only a comment)\r\nRetry-After: 120 (in a meeting);duration=3600\r\n"
                            "Date: Sat, 13 Nov 2010 23:29:00 GMT\r\n\r\n");
    g_assert_cmpstr(sip_msg_hdr(m, SIP_HDR_USER_AGENT, 0)->value, ==,
                    "Softphone/1.2 (Linux; \"x\" (nested \\) y)) beta");
    sip_msg_free(m);
    reject(HEAD "Server: a/ (x)\r\n\r\n", "bad product token");
    reject(HEAD "Retry-After: 120 (x;duration=1\r\n\r\n", "bad comment");
    reject(HEAD "Date: Sat, 13 Nov 2010 23:29:00 UTC\r\n\r\n", "bad Date (RFC 1123 date in GMT)");
    reject(HEAD "Date: Sat, 13 Foo 2010 23:29:00 GMT\r\n\r\n", "bad Date (RFC 1123 date in GMT)");
}

static void test_lists(void)
{
    sip_msg *m = decode_str(HEAD BASE "Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\n"
                            "Route: <sip:p3.example.com;lr>\r\n"
                            "Contact: \"A, B\" <sip:a,b@h;x=1>;q=0.5, <sip:c@h>;expires=60\r\n\r\n");
    g_assert_cmpuint(sip_msg_count(m, SIP_HDR_ROUTE), ==, 3);
    sip_nameaddr na;
    g_assert_cmpint(sip_msg_nameaddr(m, SIP_HDR_ROUTE, 2, &na), ==, 0);
    assert_str(na.uri.host, "p3.example.com");
    g_assert_nonnull(sip_params_find(&na.uri.params, "lr"));
    g_assert_cmpuint(sip_msg_count(m, SIP_HDR_CONTACT), ==, 2);
    g_assert_cmpint(sip_msg_nameaddr(m, SIP_HDR_CONTACT, 0, &na), ==, 0);
    assert_str(na.display, "\"A, B\"");
    g_assert_cmpint(sip_msg_nameaddr(m, SIP_HDR_CONTACT, 1, &na), ==, 0);
    assert_str(sip_params_find(&na.params, "expires")->value, "60");
    g_assert_cmpint(sip_msg_nameaddr(m, SIP_HDR_CONTACT, 2, &na), ==, -ENOENT);
    sip_msg_free(m);
}

/* A header list of messages that must fail, with the reason. */
static void reject(const char *msg, const char *why)
{
    sip_msg *m = NULL;
    sip_err e = { 0 };
    int rc = sip_msg_decode((const uint8_t *)msg, strlen(msg), &m, &e);
    if (rc == 0)
        g_test_message("accepted: %s", msg);
    g_assert_cmpint(rc, <, 0);
    g_assert_null(m);
    g_assert_cmpstr(e.why, ==, why);
}

static void test_params_and_via(void)
{
    sip_msg *m = decode_str(HEAD "Via: SIP/2.0/UDP 10.0.0.1:5062;rport;branch=z9hG4bKa\r\n"
                            "Via: SIP/2.0/TCP [2001:db8::9]:5070;branch=z9hG4bKb;received=192.0.2.7;"
                            "rport=41234;maddr=224.2.0.1;ttl=16\r\n"
                            "Via: SIP/2.0/UDP old.example.com;received=2001:db8::1\r\n"
                            "To: <sip:bob@b>\r\nFrom: <sip:a@a>;tag=1\r\nCall-ID: c\r\n"
                            "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n\r\n");
    sip_via v;
    g_assert_cmpint(sip_msg_via(m, 0, &v), ==, 0);
    g_assert_true(v.rport);
    g_assert_cmpint(v.rport_value, ==, -1); /* RFC 3581: no value in a request */
    g_assert_cmpint(v.port, ==, 5062);
    g_assert_cmpint(sip_msg_via(m, 1, &v), ==, 0);
    g_assert_true(v.ipv6);
    assert_str(v.host, "2001:db8::9");
    g_assert_cmpint(v.port, ==, 5070);
    assert_str(v.received, "192.0.2.7");
    g_assert_cmpint(v.rport_value, ==, 41234);
    assert_str(v.maddr, "224.2.0.1");
    g_assert_cmpint(v.ttl, ==, 16);
    g_assert_cmpint(sip_msg_via(m, 2, &v), ==, 0);
    g_assert_false(v.rfc3261); /* RFC 2543 peer: no branch */
    assert_str(v.received, "2001:db8::1");
    sip_msg_free(m);

    reject(HEAD "Via: SIP/2.0/UDP h;rport=x\r\n\r\n", "bad Via rport");
    reject(HEAD "Via: SIP/2.0/UDP h;ttl=256\r\n\r\n", "bad Via ttl");
    reject(HEAD "Via: SIP/2.0/UDP h;received=host.example\r\n\r\n", "bad Via received");
    reject(HEAD "Via: SIP/2.0/UDP h;branch=\r\n\r\n", "bad parameter value");
    reject(HEAD "Via: HTTP/1.1/UDP h\r\n\r\n", "bad Via sent-protocol");
    reject(HEAD "Via: SIP/2.0/UDPh\r\n\r\n", "bad Via sent-by");
    reject(HEAD "Via: SIP/2.0/UDP h:99999\r\n\r\n", "bad Via sent-by");
    reject(HEAD "Via: SIP/2.0/UDP [::1\r\n\r\n", "bad Via sent-by");
    reject(HEAD "Via: SIP/2.0/UDP h junk\r\n\r\n", "bad Via parameters");
    reject(HEAD "Via: SIP/2.0/UDP a, , SIP/2.0/UDP b\r\n\r\n", "empty list element");
    reject(HEAD "Contact: <sip:a@b>;q=1.5\r\n\r\n", "bad q parameter");
    reject(HEAD "Contact: <sip:a@b>;expires=soon\r\n\r\n", "bad expires parameter");
    reject(HEAD "Contact: *, <sip:a@b>\r\n\r\n", "Contact * with other values");
    reject(HEAD "To: <sip:a@b>;tag\r\n\r\n", "bad tag parameter");
    reject(HEAD "Route: sip:p.example.com;lr\r\n\r\n", "URI must be in <>");
    reject(HEAD "Max-Forwards: 256\r\n\r\n", "bad Max-Forwards (0-255)");
    reject(HEAD "Call-ID: a@b@c\r\n\r\n", "bad Call-ID");
    reject(HEAD "CSeq: 2147483648 OPTIONS\r\n\r\n", "CSeq number too large");
    reject(HEAD "CSeq: 1OPTIONS\r\n\r\n", "bad CSeq method");
    reject(HEAD "Content-Type: text\r\n\r\n", "bad Content-Type");
    reject(HEAD "User-Agent: foo (unclosed\r\n\r\n", "bad comment");
    reject(HEAD "Authorization: Digest username=\"a\r\n\r\n", "bad authentication parameter");
    reject(HEAD "Subject: a\x01" "b\r\n\r\n", "control character in header value");
    reject(HEAD "Bad Name: x\r\n\r\n", "bad header line");
    reject(HEAD "Subject: a\rb\r\n\r\n", "bare CR");
    reject(HEAD "Subject: a\nb\r\n\r\n", "bare LF");
    reject(HEAD "Subject: a\r\n", "no empty line after the header");
}

/* name-addr vs addr-spec (RFC 3261 §20.10): without <>, ;params belong to the header. */
static void test_nameaddr_rule(void)
{
    sip_nameaddr na;
    const char *why;
    g_assert_cmpint(sip_nameaddr_parse(sip_s("sip:a@b.example;tag=x;lr"), false, false, &na, &why),
                    ==, 0);
    g_assert_false(na.angle);
    g_assert_cmpuint(na.uri.params.n, ==, 0);
    g_assert_cmpuint(na.params.n, ==, 2);
    g_assert_cmpint(sip_nameaddr_parse(sip_s("<sip:a@b.example;lr>;tag=x"), false, false, &na, &why),
                    ==, 0);
    g_assert_true(na.angle);
    g_assert_cmpuint(na.uri.params.n, ==, 1);
    g_assert_cmpuint(na.params.n, ==, 1);
    g_assert_cmpint(sip_nameaddr_parse(sip_s("\"Q \\\"x\\\"\" <tel:+1-201-555-0123;phone-context=x>"),
                                       false, false, &na, &why), ==, 0);
    g_assert_cmpint(na.uri.scheme, ==, SIP_SCHEME_TEL);
    assert_str(na.uri.user, "+1-201-555-0123");
    g_assert_cmpint(sip_nameaddr_parse(sip_s("Alice Smith <sip:a@b>"), false, false, &na, &why),
                    ==, 0);
    assert_str(na.display, "Alice Smith");
    g_assert_cmpint(sip_nameaddr_parse(sip_s("*"), true, false, &na, &why), ==, 0);
    g_assert_true(na.star);
    g_assert_cmpint(sip_nameaddr_parse(sip_s("\"x\" sip:a@b"), false, false, &na, &why), ==,
                    -EBADMSG);
}

static void test_uris(void)
{
    sip_uri u;
    const char *why;
    const char *s = "sips:alice:secret@[2001:db8::1]:5061;transport=tcp;lr;maddr=239.255.255.1"
                    "?subject=project%20x&priority=urgent";
    g_assert_cmpint(sip_uri_parse(s, strlen(s), &u, &why), ==, 0);
    g_assert_cmpint(u.scheme, ==, SIP_SCHEME_SIPS);
    assert_str(u.user, "alice");
    assert_str(u.password, "secret");
    assert_str(u.host, "2001:db8::1");
    g_assert_true(u.ipv6);
    g_assert_cmpint(u.port, ==, 5061);
    g_assert_cmpuint(u.params.n, ==, 3);
    g_assert_false(sip_params_find(&u.params, "lr")->has_value);
    assert_str(u.headers, "subject=project%20x&priority=urgent");
    char buf[32];
    sip_uri_parse("sip:%61lice@ATLANTA.example.com", 31, &u, &why);
    sip_uri v;
    sip_uri_parse("sip:alice@atlanta.example.com", 29, &v, &why);
    g_assert_true(sip_uri_equal(&u, &v)); /* §19.1.4: escapes decoded, host case-insensitive */
    sip_uri_parse("sip:alice@atlanta.example.com;transport=tcp", 43, &v, &why);
    g_assert_false(sip_uri_equal(&u, &v));
    g_assert_cmpint(sip_unescape(sip_s("a%2"), buf, sizeof buf), ==, -EBADMSG);
    static const char *const bad[] = {
        "sip:", "sip:a@", "sip:@h", "sip:h:0x", "sip:h;=x", "sip:h;a=", "sip:h?x", "sip:a%zz@h",
        "sip:h:70000", "sip:[1.2.3.4]", "sip:a b@h", "sip:-h.example", "tel:", "tel:+", "nocolon",
        "sip:1.2.3.999", "sip:h;a=<b>",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        if (sip_uri_parse(bad[i], strlen(bad[i]), &u, &why) == 0)
            g_test_message("accepted %s", bad[i]);
        g_assert_cmpint(sip_uri_parse(bad[i], strlen(bad[i]), &u, &why), ==, -EBADMSG);
    }
    g_assert_cmpint(sip_uri_parse("urn:service:sos", 15, &u, &why), ==, 0);
    g_assert_cmpint(u.scheme, ==, SIP_SCHEME_OTHER);
}

/* RFC 3261 §18.3 over UDP: a longer body is cut at Content-Length, a shorter one is an error,
 * and without Content-Length the body runs to the end of the datagram. */
static void test_content_length(void)
{
    sip_msg *m = decode_str(HEAD BASE "Content-Length: 3\r\n\r\nabcdef");
    g_assert_cmpmem(m->body, m->body_len, "abc", 3);
    sip_msg_free(m);
    m = decode_str(HEAD BASE "\r\nabcdef");
    g_assert_cmpuint(m->body_len, ==, 6);
    sip_msg_free(m);
    m = decode_str("\r\n\r\n" HEAD BASE "l: 0\r\n\r\n"); /* §7.5 leading CRLFs */
    g_assert_cmpuint(m->body_len, ==, 0);
    sip_msg_free(m);
    reject(HEAD BASE "Content-Length: 7\r\n\r\nabcdef", "body shorter than Content-Length");
    reject(HEAD BASE "Content-Length: 1\r\nl: 1\r\n\r\nab", "header may appear only once");
}

static void test_stream_frame(void)
{
    const char *two = HEAD BASE "Content-Length: 2\r\n\r\nhi" HEAD BASE "l: 0\r\n\r\n";
    size_t n, first = strlen(HEAD BASE "Content-Length: 2\r\n\r\nhi");
    g_assert_cmpint(sip_msg_frame((const uint8_t *)two, strlen(two), &n), ==, 0);
    g_assert_cmpuint(n, ==, first);
    g_assert_cmpint(sip_msg_frame((const uint8_t *)two, first - 1, &n), ==, -EAGAIN);
    g_assert_cmpint(sip_msg_frame((const uint8_t *)two, 20, &n), ==, -EAGAIN);
    const char *nocl = HEAD BASE "\r\n";
    g_assert_cmpint(sip_msg_frame((const uint8_t *)nocl, strlen(nocl), &n), ==, -EBADMSG);
}

static void test_start_lines(void)
{
    sip_msg *m = decode_str("SIP/2.0 180 Ringing\r\n" BASE "\r\n");
    g_assert_false(m->request);
    g_assert_cmpuint(m->status, ==, 180);
    g_assert_cmpstr(m->reason, ==, "Ringing");
    sip_msg_free(m);
    m = decode_str("INVITE tel:+15551234567 sip/2.0\r\n" BASE "\r\n"); /* version: any case */
    g_assert_cmpint(m->uri.scheme, ==, SIP_SCHEME_TEL);
    sip_msg_free(m);
    reject("SIP/2.0 99 Low\r\n" BASE "\r\n", "bad status code");
    reject("SIP/2.0 1000 Big\r\n" BASE "\r\n", "bad status code");
    reject("SIP/2.0 200OK\r\n" BASE "\r\n", "bad status code");
    reject("SIP/2.0 200 O\x01K\r\n" BASE "\r\n", "control character in reason phrase");
    reject("INV@TE sip:a@b SIP/2.0\r\n" BASE "\r\n", "bad method");
    reject("INVITE sip:a@b SIP/2\r\n" BASE "\r\n", "bad SIP version");
    reject("INVITE sip:a@b HTTP/1.1\r\n" BASE "\r\n", "bad SIP version");
    reject("INVITE sip:a@b SIP/2.0 \r\n" BASE "\r\n", "request line must be Method SP Request-URI SP SIP-Version");
    reject(" INVITE sip:a@b\r\n" BASE "\r\n", "bad method");
}

/* ---------------------------------------------------------------- encoder and proxy helpers */

static void test_build_and_proxy(void)
{
    sip_msg *m = NULL;
    g_assert_cmpint(sip_msg_new_request("INVITE", "sip:bob@biloxi.example.com", &m), ==, 0);
    g_assert_cmpint(sip_msg_add(m, SIP_HDR_VIA, NULL, "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8"), ==, 0);
    g_assert_cmpint(sip_msg_add(m, SIP_HDR_MAX_FORWARDS, NULL, "70"), ==, 0);
    g_assert_cmpint(sip_msg_add(m, SIP_HDR_TO, NULL, "Bob <sip:bob@biloxi.example.com>"), ==, 0);
    g_assert_cmpint(sip_msg_add(m, SIP_HDR_FROM, NULL, "Alice <sip:alice@atlanta.example.com>;tag=1928301774"), ==, 0);
    g_assert_cmpint(sip_msg_add(m, SIP_HDR_CALL_ID, NULL, "a84b4c76e66710@pc33.atlanta.example.com"), ==, 0);
    g_assert_cmpint(sip_msg_add(m, SIP_HDR_CSEQ, NULL, "314159 INVITE"), ==, 0);
    g_assert_cmpint(sip_msg_add(m, SIP_HDR_OTHER, "X-Note", "hello"), ==, 0);
    g_assert_cmpint(sip_msg_add(m, SIP_HDR_CSEQ, NULL, "x INVITE"), ==, -EINVAL);
    g_assert_cmpint(sip_msg_add(m, SIP_HDR_OTHER, "Bad Name", "x"), ==, -EINVAL);
    g_assert_cmpint(sip_msg_add(m, SIP_HDR_OTHER, "Via", "x"), ==, -EINVAL);
    g_assert_cmpint(sip_msg_set_body(m, "application/sdp", "v=0\r\n", 5), ==, 0);
    GString *out = g_string_new(NULL);
    sip_msg_encode(m, out);
    g_assert_cmpstr(out->str, ==,
                    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
                    "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8\r\n"
                    "Max-Forwards: 70\r\n"
                    "To: Bob <sip:bob@biloxi.example.com>\r\n"
                    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
                    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
                    "CSeq: 314159 INVITE\r\n"
                    "X-Note: hello\r\n"
                    "Content-Type: application/sdp\r\n"
                    "Content-Length: 5\r\n\r\nv=0\r\n");
    /* a proxy: new top Via, Record-Route, Max-Forwards - 1 (RFC 3261 §16.6) */
    g_assert_cmpint(sip_msg_push(m, SIP_HDR_VIA, "SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp1"), ==, 0);
    g_assert_cmpint(sip_msg_push(m, SIP_HDR_RECORD_ROUTE, "<sip:proxy.example.com;lr>"), ==, 0);
    g_assert_cmpint(sip_msg_set(m, SIP_HDR_MAX_FORWARDS, "69"), ==, 0);
    sip_via v;
    g_assert_cmpint(sip_msg_via(m, 0, &v), ==, 0);
    assert_str(v.host, "proxy.example.com");
    g_assert_cmpuint(sip_msg_count(m, SIP_HDR_VIA), ==, 2);
    g_string_truncate(out, 0);
    sip_msg_encode(m, out);
    g_assert_true(g_str_has_prefix(out->str, "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
                                             "Record-Route: <sip:proxy.example.com;lr>\r\n"
                                             "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp1\r\n"
                                             "Via: SIP/2.0/UDP pc33.atlanta.example.com;"
                                             "branch=z9hG4bKnashds8\r\nMax-Forwards: 69\r\n"));
    /* the response path: pop the top Via (also out of a multi-value line) */
    g_assert_cmpint(sip_msg_pop(m, SIP_HDR_VIA), ==, 0);
    g_assert_cmpint(sip_msg_via(m, 0, &v), ==, 0);
    assert_str(v.host, "pc33.atlanta.example.com");
    g_assert_cmpint(sip_msg_set(m, SIP_HDR_VIA, "SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/TCP b;branch=z9hG4bK2"), ==, 0);
    g_assert_cmpint(sip_msg_pop(m, SIP_HDR_VIA), ==, 0);
    g_assert_cmpstr(sip_msg_hdr(m, SIP_HDR_VIA, 0)->value, ==, "SIP/2.0/TCP b;branch=z9hG4bK2");
    g_assert_cmpint(sip_msg_pop(m, SIP_HDR_VIA), ==, 0);
    g_assert_cmpint(sip_msg_pop(m, SIP_HDR_VIA), ==, -ENOENT);
    g_assert_cmpuint(sip_msg_remove(m, SIP_HDR_OTHER, "x-note"), ==, 1);
    g_string_free(out, TRUE);
    sip_msg_free(m);
    g_assert_cmpint(sip_msg_new_request("INVITE", "sip:a@b?x=y", &m), ==, -EINVAL);
    g_assert_cmpint(sip_msg_new_request("IN VITE", "sip:a@b", &m), ==, -EINVAL);
    g_assert_null(sip_msg_new_response(99, NULL));
}

/* Decoding then encoding gives canonical text that decodes to the same and re-encodes equal. */
static void test_roundtrip_corpus(void)
{
    GDir *dir;
    char *path = g_build_filename(NATSIM_SOURCE_DIR, "tests", "unit", "data", "sip", NULL);
    g_assert_nonnull(dir = g_dir_open(path, 0, NULL));
    size_t ok = 0;
    for (const char *f; (f = g_dir_read_name(dir));) {
        GBytes *b = sip_data_load(f);
        gsize len;
        const uint8_t *p = g_bytes_get_data(b, &len);
        sip_msg *m, *m2;
        if (sip_msg_decode(p, len, &m, NULL) == 0) {
            GString *a = g_string_new(NULL), *b2 = g_string_new(NULL);
            sip_msg_encode(m, a);
            g_assert_cmpint(sip_msg_decode((uint8_t *)a->str, a->len, &m2, NULL), ==, 0);
            sip_msg_encode(m2, b2);
            g_assert_cmpmem(a->str, a->len, b2->str, b2->len);
            g_assert_cmpuint(m2->hdrs->len, ==, m->hdrs->len - (sip_msg_hdr(m, SIP_HDR_CONTENT_LENGTH, 0) ? 1 : 0) + 1);
            sip_msg_free(m2);
            sip_msg_free(m);
            g_string_free(a, TRUE);
            g_string_free(b2, TRUE);
            ok++;
        }
        g_bytes_unref(b);
    }
    g_assert_cmpuint(ok, >=, 16);
    g_dir_close(dir);
    g_free(path);
}

/* ---------------------------------------------------------------- validation, responses */

static void test_validate_and_respond(void)
{
    unsigned status;
    const char *reason;
    static const struct {
        const char *drop, *reason;
    } missing[] = {
        { "Call-ID: a84b4c76e66710\r\n", "Missing Call-ID" },
        { VIA, "Missing Via" },
        { "CSeq: 63104 OPTIONS\r\n", "Missing CSeq" },
        { "Max-Forwards: 70\r\n", "Missing Max-Forwards" },
        { "To: <sip:bob@biloxi.example.com>\r\n", "Missing To" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(missing); i++) {
        GString *s = g_string_new(HEAD BASE "\r\n");
        g_string_replace(s, missing[i].drop, "", 1);
        sip_msg *m = decode_str(s->str);
        g_assert_cmpint(sip_msg_validate(m, &status, &reason), ==, -EPROTO);
        g_assert_cmpuint(status, ==, 400);
        g_assert_cmpstr(reason, ==, missing[i].reason);
        sip_msg_free(m);
        g_string_free(s, TRUE);
    }
    sip_msg *req = decode_str(HEAD "Via: SIP/2.0/UDP p.example.com;branch=z9hG4bKx\r\n" BASE "\r\n");
    g_assert_cmpint(sip_msg_validate(req, &status, &reason), ==, 0);
    sip_msg *r;
    g_assert_cmpint(sip_msg_response(req, 200, NULL, "a6c85cf", &r), ==, 0);
    GString *out = g_string_new(NULL);
    sip_msg_encode(r, out);
    g_assert_cmpstr(out->str, ==,
                    "SIP/2.0 200 OK\r\n"
                    "Via: SIP/2.0/UDP p.example.com;branch=z9hG4bKx\r\n" VIA
                    "From: <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
                    "To: <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n"
                    "Call-ID: a84b4c76e66710\r\nCSeq: 63104 OPTIONS\r\nContent-Length: 0\r\n\r\n");
    g_assert_cmpint(sip_msg_validate(r, &status, &reason), ==, 0);
    sip_msg_free(r);
    g_assert_cmpint(sip_msg_response(req, 100, NULL, "a6c85cf", &r), ==, 0); /* no tag on 100 */
    sip_str tag;
    g_assert_cmpint(sip_msg_tag(r, SIP_HDR_TO, &tag), ==, 0);
    g_assert_cmpuint(tag.len, ==, 0);
    g_assert_cmpint(sip_msg_response(r, 200, NULL, NULL, &req), ==, -EINVAL);
    sip_msg_free(r);
    g_string_free(out, TRUE);
    sip_msg_free(req);
}

/* Every prefix and a seeded byte-flip of each corpus message: no crash, and a failure always
 * carries a reason and an offset inside the input. */
static void test_mutations(void)
{
    GDir *dir;
    char *path = g_build_filename(NATSIM_SOURCE_DIR, "tests", "unit", "data", "sip", NULL);
    g_assert_nonnull(dir = g_dir_open(path, 0, NULL));
    GRand *r = g_rand_new_with_seed(7);
    for (const char *f; (f = g_dir_read_name(dir));) {
        GBytes *b = sip_data_load(f);
        gsize len;
        const void *data = g_bytes_get_data(b, &len);
        uint8_t *p = g_memdup2(data, len);
        for (size_t i = 0; i < 300; i++) {
            size_t n = g_rand_int_range(r, 0, (gint32)len + 1);
            uint8_t *q = g_memdup2(p, len ? len : 1);
            if (n < len)
                q[n] = (uint8_t)g_rand_int_range(r, 0, 256);
            sip_msg *m = NULL;
            sip_err e = { 0 };
            size_t use = i % 2 ? n : len;
            if (sip_msg_decode(q, use, &m, &e) == 0) {
                sip_msg_free(m);
            } else {
                g_assert_nonnull(e.why);
                g_assert_cmpuint(e.off, <=, use);
            }
            g_free(q);
        }
        g_free(p);
        g_bytes_unref(b);
    }
    g_rand_free(r);
    g_dir_close(dir);
    g_free(path);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_set_nonfatal_assertions();
    for (size_t i = 0; i < G_N_ELEMENTS(tortures); i++) {
        char *name = g_strdup_printf("/sip/rfc4475/%s/%s", tortures[i].why ? "invalid" : "valid",
                                     tortures[i].name);
        g_test_add_data_func(name, &tortures[i], test_torture);
        g_free(name);
    }
    g_test_add_func("/sip/rfc4475/wsinv-fields", test_wsinv_fields);
    g_test_add_func("/sip/rfc4475/details", test_torture_details);
    g_test_add_func("/sip/hdr/empty-branch", test_badbranch);
    g_test_add_func("/sip/hdr/compact-and-case", test_compact_and_case);
    g_test_add_func("/sip/hdr/lists", test_lists);
    g_test_add_func("/sip/hdr/comments-and-date", test_comments_and_date);
    g_test_add_func("/sip/hdr/params-and-via", test_params_and_via);
    g_test_add_func("/sip/hdr/nameaddr-rule", test_nameaddr_rule);
    g_test_add_func("/sip/uri/forms", test_uris);
    g_test_add_func("/sip/msg/content-length-udp", test_content_length);
    g_test_add_func("/sip/msg/stream-frame", test_stream_frame);
    g_test_add_func("/sip/msg/start-lines", test_start_lines);
    g_test_add_func("/sip/edit/build-and-proxy", test_build_and_proxy);
    g_test_add_func("/sip/edit/roundtrip-corpus", test_roundtrip_corpus);
    g_test_add_func("/sip/check/validate-and-respond", test_validate_and_respond);
    g_test_add_func("/sip/msg/mutations", test_mutations);
    return g_test_run();
}
