/* tests/unit/test_dns.c — the DNS codec: names, every RR type round trip, compression both
 * ways, every rejection, and real packets built byte by byte from the RFCs. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/dns/dns.h"
#include "dns_fx.h"

/* Decodes, expecting success. */
static void decode_ok(const uint8_t *buf, size_t len, dns_msg *m)
{
    dns_err e = { 0, NULL };
    int rc = dns_msg_decode(buf, len, m, &e);
    if (rc)
        g_error("decode failed at %zu: %s", e.off, e.why);
}

/* Decodes, expecting -EBADMSG at byte `off` with a reason containing `why`; checks that the
 * output was not touched. */
static void decode_bad(const uint8_t *buf, size_t len, size_t off, const char *why)
{
    dns_msg m;
    memset(&m, 0xAB, sizeof m);
    dns_err e = { 0, NULL };
    g_assert_cmpint(dns_msg_decode(buf, len, &m, &e), ==, -EBADMSG);
    g_assert_nonnull(e.why);
    if (!strstr(e.why, why))
        g_error("reason '%s' does not contain '%s'", e.why, why);
    g_assert_cmpuint(e.off, ==, off);
    for (size_t i = 0; i < sizeof m; i++)
        g_assert_cmpuint(((uint8_t *)&m)[i], ==, 0xAB); /* no partial output */
}

/* Encodes with flags, expecting success. */
static size_t encode(const dns_msg *m, unsigned flags, uint8_t *buf, size_t cap)
{
    size_t len = 0;
    g_assert_cmpint(dns_msg_encode(m, flags, buf, cap, &len), ==, 0);
    return len;
}

/* ---------------------------------------------------------------- names */

static void test_name_text(void)
{
    dns_name n = name("proxy.mit.edu");
    static const uint8_t wire[] = { 5, 'p', 'r', 'o', 'x', 'y', 3, 'm', 'i', 't', 3, 'e', 'd', 'u', 0 };
    g_assert_cmpuint(n.len, ==, sizeof wire);
    g_assert_cmpmem(n.b, n.len, wire, sizeof wire);
    g_assert_cmpstr(fmt(&n), ==, "proxy.mit.edu");
    dns_name dot = name("proxy.mit.edu.");
    g_assert_true(dns_name_eq(&n, &dot));
    dns_name upper = name("PROXY.Mit.EDU");
    g_assert_true(dns_name_eq(&n, &upper));
    g_assert_cmpstr(fmt(&upper), ==, "PROXY.Mit.EDU"); /* case kept */
    dns_name root = name(".");
    g_assert_cmpuint(root.len, ==, 1);
    g_assert_cmpstr(fmt(&root), ==, ".");
    g_assert_cmpuint(dns_name_labels(&n), ==, 3);
    g_assert_cmpuint(dns_name_labels(&root), ==, 0);
    /* escapes: a dot inside a label, a backslash, a decimal byte; spaces stay as they are */
    dns_name esc = name("my\\.printer (2)\\092x\\007._ipp._tcp.local");
    g_assert_cmpuint(esc.b[0], ==, 17);
    g_assert_cmpstr(fmt(&esc), ==, "my\\.printer (2)\\\\x\\007._ipp._tcp.local");
    dns_name again = name(fmt(&esc));
    g_assert_cmpmem(again.b, again.len, esc.b, esc.len);
    /* zones */
    dns_name zone = name("mit.edu"), other = name("it.edu");
    g_assert_true(dns_name_in_zone(&n, &zone));
    g_assert_true(dns_name_in_zone(&zone, &zone));
    g_assert_false(dns_name_in_zone(&n, &other)); /* "mit" does not end in a label "it" */
    g_assert_false(dns_name_in_zone(&zone, &n));
    g_assert_true(dns_name_in_zone(&n, &root));
}

static void test_name_limits(void)
{
    dns_name n;
    char label63[64], label64[65];
    memset(label63, 'a', 63);
    label63[63] = 0;
    memset(label64, 'a', 64);
    label64[64] = 0;
    g_assert_cmpint(dns_name_from_str(label63, &n), ==, 0);
    g_assert_cmpint(dns_name_from_str(label64, &n), ==, -EINVAL);
    g_assert_cmpint(dns_name_from_str("a..b", &n), ==, -EINVAL);
    g_assert_cmpint(dns_name_from_str(".a", &n), ==, -EINVAL);
    g_assert_cmpint(dns_name_from_str("a\\", &n), ==, -EINVAL);
    g_assert_cmpint(dns_name_from_str("a\\25", &n), ==, -EINVAL);
    g_assert_cmpint(dns_name_from_str("a\\256", &n), ==, -EINVAL);
    /* 255 bytes: 3 x (1 + 63) + (1 + 61) + root = 255 is the largest name */
    g_autofree char *max = g_strdup_printf("%s.%s.%s.%.*s", label63, label63, label63, 61,
                                           label63);
    g_assert_cmpint(dns_name_from_str(max, &n), ==, 0);
    g_assert_cmpuint(n.len, ==, 255);
    g_autofree char *over = g_strdup_printf("%s.%s.%s.%.*s", label63, label63, label63, 62,
                                            label63);
    g_assert_cmpint(dns_name_from_str(over, &n), ==, -EINVAL);
}

/* ---------------------------------------------------------------- round trips */

/* A response carrying every type this codec knows, plus an unknown one and the mDNS bits. */
static void build_every_type(dns_msg *m)
{
    dns_msg_init(m);
    m->id = 0xBEEF;
    m->qr = m->aa = m->rd = m->ra = true;
    m->z = m->ad = m->cd = true;
    m->rcode = DNS_RC_NOERROR;
    dns_name q = name("mit.edu");
    dns_msg_add_question(m, &q, DNS_T_ANY, DNS_C_IN)->unicast_response = true;
    dns_rr *rr = dns_msg_add_rr(m, DNS_AN);
    rr->name = name("proxy.mit.edu"), rr->type = DNS_T_A, rr->ttl = 300;
    memcpy(rr->rd.a, (uint8_t[]){ 18, 7, 22, 83 }, 4);
    rr->cache_flush = true;
    rr = dns_msg_add_rr(m, DNS_AN);
    rr->name = name("proxy.mit.edu"), rr->type = DNS_T_AAAA, rr->ttl = 300;
    sim_ip ip6;
    g_assert_cmpint(sim_ip_parse("2001:db8::53", &ip6), ==, 0);
    memcpy(rr->rd.aaaa, ip6.b, 16);
    rr = dns_msg_add_rr(m, DNS_AN);
    rr->name = name("mit.edu"), rr->type = DNS_T_NS, rr->ttl = 86400;
    rr->rd.target = name("ns.mit.edu");
    rr = dns_msg_add_rr(m, DNS_AN);
    rr->name = name("sip.mit.edu"), rr->type = DNS_T_CNAME, rr->ttl = 60;
    rr->rd.target = name("proxy.mit.edu");
    rr = dns_msg_add_rr(m, DNS_AN);
    rr->name = name("83.22.7.18.in-addr.arpa"), rr->type = DNS_T_PTR, rr->ttl = 60;
    rr->rd.target = name("proxy.mit.edu");
    rr = dns_msg_add_rr(m, DNS_AN);
    rr->name = name("_sip._udp.mit.edu"), rr->type = DNS_T_SRV, rr->ttl = 300;
    rr->rd.srv.priority = 0, rr->rd.srv.weight = 5, rr->rd.srv.port = 5060;
    rr->rd.srv.target = name("proxy.mit.edu");
    rr = dns_msg_add_rr(m, DNS_AN);
    rr->name = name("mit.edu"), rr->type = DNS_T_NAPTR, rr->ttl = 300;
    rr->rd.naptr.order = 50, rr->rd.naptr.preference = 50;
    rr->rd.naptr.flags = (dns_cstr){ 1, "s" };
    rr->rd.naptr.services = (dns_cstr){ 7, "SIP+D2U" };
    rr->rd.naptr.regexp = (dns_cstr){ 0, "" };
    rr->rd.naptr.replacement = name("_sip._udp.mit.edu");
    rr = dns_msg_add_rr(m, DNS_AN);
    rr->name = name("mit.edu"), rr->type = DNS_T_TXT, rr->ttl = 10;
    g_assert_cmpint(dns_txt_add(rr, "txtvers=1", 9), ==, 0);
    g_assert_cmpint(dns_txt_add(rr, "", 0), ==, 0);
    g_assert_cmpint(dns_txt_add(rr, "pdl=application/postscript", 26), ==, 0);
    rr = dns_msg_add_rr(m, DNS_AN);
    rr->name = name("proxy.mit.edu"), rr->type = DNS_T_NSEC, rr->ttl = 120;
    rr->rd.nsec.next = name("proxy.mit.edu");
    g_assert_cmpint(dns_nsec_set_types(rr, (uint16_t[]){ DNS_T_AAAA, DNS_T_A, 1234 }, 3), ==, 0);
    rr = dns_msg_add_rr(m, DNS_AN);
    rr->name = name("mit.edu"), rr->type = 731, rr->ttl = 7; /* RFC 3597: unknown, opaque */
    g_assert_cmpint(dns_rr_set_data(rr, "\x01\x02\x03", 3), ==, 0);
    rr = dns_msg_add_rr(m, DNS_NS);
    rr->name = name("mit.edu"), rr->type = DNS_T_SOA, rr->ttl = 3600;
    rr->rd.soa.mname = name("ns.mit.edu"), rr->rd.soa.rname = name("hostmaster.mit.edu");
    rr->rd.soa.serial = 2026112401, rr->rd.soa.refresh = 7200, rr->rd.soa.retry = 900;
    rr->rd.soa.expire = 1209600, rr->rd.soa.minimum = 60;
    rr = dns_msg_add_rr(m, DNS_AR);
    rr->name = name("."), rr->type = DNS_T_OPT, rr->rclass = 0x8000 | 1232; /* top bit kept */
    rr->ttl = 0x00008000; /* DO bit */
    g_assert_cmpint(dns_rr_set_data(rr, "\x00\x0a\x00\x02\xab\xcd", 6), ==, 0);
}

static void assert_same_msg(const dns_msg *a, const dns_msg *b)
{
    g_assert_cmpuint(a->id, ==, b->id);
    g_assert_true(a->qr == b->qr && a->aa == b->aa && a->tc == b->tc && a->rd == b->rd &&
                  a->ra == b->ra && a->z == b->z && a->ad == b->ad && a->cd == b->cd);
    g_assert_cmpuint(a->opcode, ==, b->opcode);
    g_assert_cmpuint(a->rcode, ==, b->rcode);
    g_assert_cmpuint(a->qd->len, ==, b->qd->len);
    for (size_t i = 0; i < a->qd->len; i++) {
        const dns_question *x = dns_msg_question(a, i), *y = dns_msg_question(b, i);
        g_assert_cmpmem(x->name.b, x->name.len, y->name.b, y->name.len);
        g_assert_cmpuint(x->type, ==, y->type);
        g_assert_cmpuint(x->qclass, ==, y->qclass);
        g_assert_cmpint(x->unicast_response, ==, y->unicast_response);
    }
    for (int s = 0; s < 3; s++) {
        g_assert_cmpuint(dns_msg_count(a, s), ==, dns_msg_count(b, s));
        for (size_t i = 0; i < dns_msg_count(a, s); i++) {
            const dns_rr *x = dns_msg_rrs(a, s, i), *y = dns_msg_rrs(b, s, i);
            g_assert_true(dns_rr_same_data(x, y));
            g_assert_cmpuint(x->ttl, ==, y->ttl);
            g_assert_cmpint(x->cache_flush, ==, y->cache_flush);
        }
    }
}

static void test_roundtrip_every_type(void)
{
    dns_msg m, d, d2;
    build_every_type(&m);
    uint8_t buf[2048], buf2[2048], full[2048];
    size_t len = encode(&m, 0, buf, sizeof buf);
    decode_ok(buf, len, &d);
    assert_same_msg(&m, &d);
    /* the mDNS bits stay apart from the class */
    g_assert_true(dns_msg_question(&d, 0)->unicast_response);
    g_assert_cmpuint(dns_msg_question(&d, 0)->qclass, ==, DNS_C_IN);
    g_assert_true(dns_msg_rrs(&d, DNS_AN, 0)->cache_flush);
    g_assert_cmpuint(dns_msg_rrs(&d, DNS_AN, 0)->rclass, ==, DNS_C_IN);
    /* OPT: the class is the UDP size, top bit and all, never a cache-flush bit */
    const dns_rr *opt = dns_msg_rrs(&d, DNS_AR, 0);
    g_assert_cmpuint(opt->rclass, ==, 0x8000 | 1232);
    g_assert_false(opt->cache_flush);
    g_assert_cmpuint(opt->ttl, ==, 0x8000);
    /* the decoded message encodes to the same bytes */
    g_assert_cmpuint(encode(&d, 0, buf2, sizeof buf2), ==, len);
    g_assert_cmpmem(buf, len, buf2, len);
    /* without compression: longer, same content */
    size_t flen = encode(&m, DNS_ENC_NO_COMPRESS, full, sizeof full);
    g_assert_cmpuint(flen, >, len);
    decode_ok(full, flen, &d2);
    assert_same_msg(&m, &d2);
    /* NSEC and TXT helpers on decoded data */
    const dns_rr *nsec = dns_msg_rrs(&d, DNS_AN, 8);
    g_assert_true(dns_nsec_has(nsec, DNS_T_A) && dns_nsec_has(nsec, DNS_T_AAAA) &&
                  dns_nsec_has(nsec, 1234));
    g_assert_false(dns_nsec_has(nsec, DNS_T_SRV) || dns_nsec_has(nsec, 1235));
    const uint8_t *v;
    size_t vlen;
    g_assert_cmpint(dns_txt_get(dns_msg_rrs(&d, DNS_AN, 7), "PDL", &v, &vlen), ==, 1);
    g_assert_cmpmem(v, vlen, "application/postscript", 22);
    g_assert_cmpint(dns_txt_get(dns_msg_rrs(&d, DNS_AN, 7), "paper", &v, &vlen), ==, 0);
    /* too small a buffer */
    g_assert_cmpint(dns_msg_encode(&m, 0, buf, len - 1, &vlen), ==, -ENOSPC);
    dns_msg_clear(&m);
    dns_msg_clear(&d);
    dns_msg_clear(&d2);
}

static void test_encode_rejects(void)
{
    dns_msg m;
    dns_msg_init(&m);
    uint8_t buf[512];
    size_t len;
    dns_rr *rr = dns_msg_add_rr(&m, DNS_AN); /* owner name unset */
    rr->type = DNS_T_A;
    g_assert_cmpint(dns_msg_encode(&m, 0, buf, sizeof buf, &len), ==, -EINVAL);
    rr->name = name("a.example");
    g_assert_cmpint(dns_msg_encode(&m, 0, buf, sizeof buf, &len), ==, 0);
    rr->type = DNS_T_TXT;
    g_assert_cmpint(dns_rr_set_data(rr, "\x05" "ab", 3), ==, 0); /* string runs past */
    g_assert_cmpint(dns_msg_encode(&m, 0, buf, sizeof buf, &len), ==, -EINVAL);
    dns_rr big = { 0 };
    g_assert_cmpint(dns_txt_add(&big, buf, 256), ==, -EINVAL);
    dns_msg_clear(&m);
}

/* ---------------------------------------------------------------- compression */

static void test_compress_encode(void)
{
    dns_msg m;
    dns_msg_init(&m);
    m.qr = true;
    dns_name q = name("_sip._udp.mit.edu");
    dns_msg_add_question(&m, &q, DNS_T_SRV, DNS_C_IN);
    dns_rr *rr = dns_msg_add_rr(&m, DNS_AN);
    rr->name = q, rr->type = DNS_T_SRV, rr->ttl = 300;
    rr->rd.srv.port = 5060, rr->rd.srv.target = name("proxy.mit.edu");
    rr = dns_msg_add_rr(&m, DNS_AR);
    rr->name = name("proxy.mit.edu"), rr->type = DNS_T_A, rr->ttl = 300;
    memcpy(rr->rd.a, (uint8_t[]){ 18, 7, 22, 83 }, 4);
    uint8_t buf[512];
    size_t len = encode(&m, 0, buf, sizeof buf);
    /* question name at 12 (19 bytes: 4_sip 4_udp 3mit 3edu 0), type/class to 35 */
    g_assert_cmpuint(buf[35], ==, 0xC0); /* answer owner: pointer to the question */
    g_assert_cmpuint(buf[36], ==, 12);
    /* SRV target written in full (RFC 2782): "proxy" then a pointer to "mit.edu" is not allowed */
    size_t t = 35 + 2 + 10 + 6;
    g_assert_cmpuint(buf[t], ==, 5);
    g_assert_cmpmem(buf + t + 1, 5, "proxy", 5);
    g_assert_cmpuint(buf[t + 6], ==, 3); /* "mit", not a pointer */
    /* the additional A's owner points at the SRV target */
    size_t a = t + 15;
    g_assert_cmpuint(buf[a], ==, 0xC0);
    g_assert_cmpuint(buf[a + 1], ==, t);
    g_assert_cmpuint(len, ==, a + 2 + 10 + 4);
    /* mDNS rule (RFC 6762 §18.14): the SRV target itself is compressed */
    size_t mlen = encode(&m, DNS_ENC_MDNS, buf, sizeof buf);
    g_assert_cmpuint(buf[t + 6], ==, 0xC0);
    g_assert_cmpuint(buf[t + 7], ==, 12 + 10); /* "mit.edu" inside the question */
    g_assert_cmpuint(mlen, ==, len - 7);
    dns_msg d;
    decode_ok(buf, mlen, &d);
    assert_same_msg(&m, &d);
    dns_msg_clear(&d);
    dns_msg_clear(&m);
}

/* RFC 6763 §4 / the lecture's example as an mDNS response, byte by byte: PTR, SRV (cache-flush,
 * target compressed as RFC 6762 §18.14 allows) and TXT; pointers into pointers. */
static const uint8_t rfc6763[] = {
    0x00, 0x00, 0x84, 0x00, 0, 0, 0, 3, 0, 0, 0, 0, /* id 0, qr aa, AN 3 */
    /* 12: _printer._tcp.local. PTR myprinter._printer._tcp.local. */
    8, '_', 'p', 'r', 'i', 'n', 't', 'e', 'r', 4, '_', 't', 'c', 'p', 5, 'l', 'o', 'c', 'a', 'l', 0,
    0x00, 0x0c, 0x00, 0x01, 0x00, 0x00, 0x11, 0x94, 0x00, 12,
    /* 43: */ 9, 'm', 'y', 'p', 'r', 'i', 'n', 't', 'e', 'r', 0xC0, 12,
    /* 55: myprinter._printer._tcp.local. 120 IN SRV 0 0 5432 myserver.local. */
    0xC0, 43, 0x00, 0x21, 0x80, 0x01, 0x00, 0x00, 0x00, 120, 0x00, 17,
    0x00, 0x00, 0x00, 0x00, 0x15, 0x38,
    8, 'm', 'y', 's', 'e', 'r', 'v', 'e', 'r', 0xC0, 26,
    /* 84: TXT "txtvers=1" "pdl=application/postscript" */
    0xC0, 43, 0x00, 0x10, 0x80, 0x01, 0x00, 0x00, 0x11, 0x94, 0x00, 37,
    9, 't', 'x', 't', 'v', 'e', 'r', 's', '=', '1',
    26, 'p', 'd', 'l', '=', 'a', 'p', 'p', 'l', 'i', 'c', 'a', 't', 'i', 'o', 'n', '/', 'p', 'o',
    's', 't', 's', 'c', 'r', 'i', 'p', 't',
};

static void test_rfc6763_example(void)
{
    dns_msg m;
    decode_ok(rfc6763, sizeof rfc6763, &m);
    g_assert_true(m.qr && m.aa);
    g_assert_cmpuint(dns_msg_count(&m, DNS_AN), ==, 3);
    const dns_rr *ptr = dns_msg_rrs(&m, DNS_AN, 0), *srv = dns_msg_rrs(&m, DNS_AN, 1),
                 *txt = dns_msg_rrs(&m, DNS_AN, 2);
    g_assert_cmpstr(fmt(&ptr->name), ==, "_printer._tcp.local");
    g_assert_cmpstr(fmt(&ptr->rd.target), ==, "myprinter._printer._tcp.local");
    g_assert_false(ptr->cache_flush); /* shared record */
    g_assert_cmpstr(fmt(&srv->name), ==, "myprinter._printer._tcp.local");
    g_assert_cmpuint(srv->type, ==, DNS_T_SRV);
    g_assert_cmpuint(srv->ttl, ==, 120);
    g_assert_cmpuint(srv->rclass, ==, DNS_C_IN);
    g_assert_true(srv->cache_flush);
    g_assert_cmpuint(srv->rd.srv.priority, ==, 0);
    g_assert_cmpuint(srv->rd.srv.weight, ==, 0);
    g_assert_cmpuint(srv->rd.srv.port, ==, 5432);
    g_assert_cmpstr(fmt(&srv->rd.srv.target), ==, "myserver.local");
    const uint8_t *v;
    size_t n;
    g_assert_cmpint(dns_txt_get(txt, "txtvers", &v, &n), ==, 1);
    g_assert_cmpmem(v, n, "1", 1);
    /* the mDNS encoder writes exactly these bytes back */
    uint8_t buf[512];
    size_t len = encode(&m, DNS_ENC_MDNS, buf, sizeof buf);
    g_assert_cmpmem(buf, len, rfc6763, sizeof rfc6763);
    /* and the dig-like dump reads like the lecture */
    GString *s = g_string_new(NULL);
    dns_msg_fmt(&m, s);
    g_assert_nonnull(strstr(s->str, "myprinter._printer._tcp.local.\t120\tIN\tSRV\t0 0 5432 "
                                    "myserver.local.\t; cache-flush"));
    g_assert_nonnull(strstr(s->str, "\"txtvers=1\" \"pdl=application/postscript\""));
    g_string_free(s, TRUE);
    dns_msg_clear(&m);
}

/* RFC 3403 §6.2-style NAPTR answer for SIP (RFC 3263 §4.1): mit.edu. 3600 IN NAPTR 50 50 "s"
 * "SIP+D2U" "" _sip._udp.mit.edu. — unicast: the replacement is never compressed. */
static const uint8_t naptr_resp[] = {
    0x12, 0x34, 0x85, 0x00, 0, 1, 0, 1, 0, 0, 0, 0, /* qr aa rd */
    3, 'm', 'i', 't', 3, 'e', 'd', 'u', 0, 0x00, 0x23, 0x00, 0x01,
    0xC0, 12, 0x00, 0x23, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 34,
    0x00, 50, 0x00, 50, 1, 's', 7, 'S', 'I', 'P', '+', 'D', '2', 'U', 0,
    4, '_', 's', 'i', 'p', 4, '_', 'u', 'd', 'p', 3, 'm', 'i', 't', 3, 'e', 'd', 'u', 0,
};

static void test_naptr_packet(void)
{
    dns_msg m;
    decode_ok(naptr_resp, sizeof naptr_resp, &m);
    g_assert_cmpuint(m.id, ==, 0x1234);
    g_assert_true(m.qr && m.aa && m.rd && !m.ra);
    const dns_rr *rr = dns_msg_rrs(&m, DNS_AN, 0);
    g_assert_cmpstr(fmt(&rr->name), ==, "mit.edu");
    g_assert_cmpuint(rr->ttl, ==, 3600);
    g_assert_cmpuint(rr->rd.naptr.order, ==, 50);
    g_assert_cmpstr(rr->rd.naptr.flags.s, ==, "s");
    g_assert_cmpstr(rr->rd.naptr.services.s, ==, "SIP+D2U");
    g_assert_cmpuint(rr->rd.naptr.regexp.len, ==, 0);
    g_assert_cmpstr(fmt(&rr->rd.naptr.replacement), ==, "_sip._udp.mit.edu");
    uint8_t buf[512];
    size_t len = encode(&m, 0, buf, sizeof buf);
    g_assert_cmpmem(buf, len, naptr_resp, sizeof naptr_resp);
    dns_msg_clear(&m);
}

/* ---------------------------------------------------------------- rejections */

#define HDR(qd, an) 0, 1, 0, 0, 0, qd, 0, an, 0, 0, 0, 0

static void test_reject_header_counts(void)
{
    static const uint8_t short_hdr[11] = { 0 };
    decode_bad(short_hdr, sizeof short_hdr, 0, "truncated header");
    decode_bad(NULL, 0, 0, "truncated header");
    static const uint8_t qd_beyond[] = { HDR(1, 0) };
    decode_bad(qd_beyond, sizeof qd_beyond, 12, "QDCOUNT beyond the data");
    static const uint8_t an_beyond[] = { HDR(0, 2), 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4 };
    decode_bad(an_beyond, sizeof an_beyond, 27, "ANCOUNT beyond the data");
    static const uint8_t short_q[] = { HDR(1, 0), 0, 0, 1, 0 };
    decode_bad(short_q, sizeof short_q, 12, "question runs past the end");
    static const uint8_t short_rr[] = { HDR(0, 1), 0, 0, 1, 0, 1, 0, 0 };
    decode_bad(short_rr, sizeof short_rr, 12, "record header runs past the end");
    static const uint8_t trailing[] = { HDR(1, 0), 0, 0, 1, 0, 1, 0xff };
    decode_bad(trailing, sizeof trailing, 17, "trailing bytes");
}

static void test_reject_names(void)
{
    static const uint8_t label64[] = { HDR(1, 0), 0x40, 'a' };
    decode_bad(label64, sizeof label64, 12, "label longer than 63");
    static const uint8_t reserved[] = { HDR(1, 0), 0x80, 0, 0, 1, 0, 1 };
    decode_bad(reserved, sizeof reserved, 12, "reserved label type");
    /* 256 bytes: four 63-byte labels and the root */
    uint8_t longname[12 + 4 * 64 + 5] = { HDR(1, 0) };
    for (int i = 0; i < 4; i++) {
        longname[12 + 64 * i] = 63;
        memset(longname + 13 + 64 * i, 'x', 63);
    }
    decode_bad(longname, sizeof longname, 12 + 3 * 64, "name longer than 255");
    static const uint8_t self[] = { HDR(1, 0), 0xC0, 12, 0, 1, 0, 1 };
    decode_bad(self, sizeof self, 12, "pointer to itself");
    static const uint8_t loop[] = { HDR(1, 0), 1, 'a', 0xC0, 12, 0, 1, 0, 1 };
    decode_bad(loop, sizeof loop, 14, "pointer loop");
    static const uint8_t past_end[] = { HDR(1, 0), 0xC0, 0xFF, 0, 1, 0, 1 };
    decode_bad(past_end, sizeof past_end, 12, "past the end");
    static const uint8_t forward[] = { HDR(1, 0), 0xC0, 14, 0, 1, 0, 1 };
    decode_bad(forward, sizeof forward, 12, "forward compression pointer");
    static const uint8_t cut_ptr[] = { HDR(1, 0), 1, 'a', 0xC0 };
    decode_bad(cut_ptr, sizeof cut_ptr, 14, "truncated compression pointer");
    static const uint8_t cut_label[] = { HDR(1, 0), 5, 'a', 'b' };
    decode_bad(cut_label, sizeof cut_label, 12, "label runs past");
    /* a name inside RDATA may not run past RDLENGTH even if the message goes on */
    static const uint8_t cname_cut[] = { HDR(0, 1), 0, 0, 5, 0, 1, 0, 0, 0, 0, 0, 2,
                                         3, 'a', 'b', 'c', 0 };
    decode_bad(cname_cut, sizeof cname_cut, 23, "label runs past");
}

static void test_reject_rdata(void)
{
    static const uint8_t a5[] = { HDR(0, 1), 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 5 };
    decode_bad(a5, sizeof a5, 23, "A RDATA is not 4 bytes");
    static const uint8_t aaaa4[] = { HDR(0, 1), 0, 0, 28, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4 };
    decode_bad(aaaa4, sizeof aaaa4, 23, "AAAA RDATA is not 16 bytes");
    static const uint8_t past[] = { HDR(0, 1), 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 9, 1, 2, 3, 4 };
    decode_bad(past, sizeof past, 23, "RDATA runs past the end");
    static const uint8_t srv5[] = { HDR(0, 1), 0, 0, 33, 0, 1, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0 };
    decode_bad(srv5, sizeof srv5, 23, "SRV RDATA shorter");
    static const uint8_t ptr_extra[] = { HDR(0, 1), 0, 0, 12, 0, 1, 0, 0, 0, 0, 0, 2, 0, 7 };
    decode_bad(ptr_extra, sizeof ptr_extra, 24, "bytes after the last RDATA field");
    static const uint8_t soa_short[] = { HDR(0, 1), 0, 0, 6, 0, 1, 0, 0, 0, 0, 0, 6,
                                         0, 0, 1, 2, 3, 4 };
    decode_bad(soa_short, sizeof soa_short, 25, "SOA RDATA");
    static const uint8_t txt_bad[] = { HDR(0, 1), 0, 0, 16, 0, 1, 0, 0, 0, 0, 0, 3, 5, 'a', 'b' };
    decode_bad(txt_bad, sizeof txt_bad, 23, "TXT string runs past");
    static const uint8_t naptr_bad[] = { HDR(0, 1), 0, 0, 35, 0, 1, 0, 0, 0, 0, 0, 6,
                                         0, 1, 0, 1, 9, 'x' };
    decode_bad(naptr_bad, sizeof naptr_bad, 23, "NAPTR strings run past");
    static const uint8_t nsec_bad[] = { HDR(0, 1), 0, 0, 47, 0, 1, 0, 0, 0, 0, 0, 4,
                                        0, 0, 0, 1 }; /* window 0 with 0 bitmap bytes */
    decode_bad(nsec_bad, sizeof nsec_bad, 24, "malformed NSEC type bitmap");
    /* a failure in a later record frees the records already decoded (valgrind-clean) and
     * leaves no output */
    static const uint8_t second_bad[] = { HDR(0, 2), 0, 0, 16, 0, 1, 0, 0, 0, 0, 0, 2, 1, 'a',
                                          0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 3, 1, 2, 3 };
    decode_bad(second_bad, sizeof second_bad, 36, "A RDATA is not 4 bytes");
}

/* ---------------------------------------------------------------- CLI */

static void test_cli(void)
{
    GString *out = g_string_new(NULL);
    GError *err = NULL;
    char *argv[] = { "file" };
    g_assert_cmpint(dns_decode(naptr_resp, sizeof naptr_resp, 1, argv, out, &err), ==, 0);
    g_assert_nonnull(strstr(out->str, "status: NOERROR, id: 4660"));
    g_assert_nonnull(strstr(out->str, ";; flags: qr aa rd; QUERY: 1, ANSWER: 1"));
    g_assert_nonnull(strstr(out->str, ";mit.edu.\tIN\tNAPTR"));
    g_assert_nonnull(strstr(out->str,
                            "mit.edu.\t3600\tIN\tNAPTR\t50 50 \"s\" \"SIP+D2U\" \"\" "
                            "_sip._udp.mit.edu."));
    static const uint8_t loop[] = { HDR(1, 0), 1, 'a', 0xC0, 12, 0, 1, 0, 1 };
    g_string_truncate(out, 0);
    g_assert_cmpint(dns_decode(loop, sizeof loop, 1, argv, out, &err), ==, -1);
    g_assert_cmpstr(err->message, ==,
                    "malformed DNS message at byte 14: compression pointer loop (20 bytes)");
    g_clear_error(&err);
    char *argv2[] = { "file", "--x" };
    g_assert_cmpint(dns_decode(naptr_resp, sizeof naptr_resp, 2, argv2, out, &err), ==, -1);
    g_clear_error(&err);
    g_string_free(out, TRUE);
}

static void test_type_names(void)
{
    uint16_t t;
    g_assert_cmpint(dns_type_from_str("naptr", &t), ==, 0);
    g_assert_cmpuint(t, ==, DNS_T_NAPTR);
    g_assert_cmpint(dns_type_from_str("TYPE731", &t), ==, 0);
    g_assert_cmpuint(t, ==, 731);
    g_assert_cmpint(dns_type_from_str("TYPE65536", &t), ==, -EINVAL);
    g_assert_cmpint(dns_type_from_str("MX2", &t), ==, -EINVAL);
    g_assert_cmpstr(dns_type_name(DNS_T_SRV), ==, "SRV");
    g_assert_null(dns_type_name(731));
    g_assert_cmpstr(dns_rcode_name(DNS_RC_NXDOMAIN), ==, "NXDOMAIN");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dns/name/text", test_name_text);
    g_test_add_func("/dns/name/limits", test_name_limits);
    g_test_add_func("/dns/type-names", test_type_names);
    g_test_add_func("/dns/roundtrip/every-type", test_roundtrip_every_type);
    g_test_add_func("/dns/encode/rejects", test_encode_rejects);
    g_test_add_func("/dns/compress/encode", test_compress_encode);
    g_test_add_func("/dns/decode/rfc6763-example", test_rfc6763_example);
    g_test_add_func("/dns/decode/naptr-sip", test_naptr_packet);
    g_test_add_func("/dns/reject/header-counts", test_reject_header_counts);
    g_test_add_func("/dns/reject/names", test_reject_names);
    g_test_add_func("/dns/reject/rdata", test_reject_rdata);
    g_test_add_func("/dns/cli", test_cli);
    return g_test_run();
}
