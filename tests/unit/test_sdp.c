/* tests/unit/test_sdp.c — the SDP codec on the RFC 8866 §5 example, RFC 8839 ICE examples and
 * RFC 3264 §10 offer/answer examples; canonical re-encoding; typed attribute views; invalid
 * descriptions rejected with their line and reason; and the offer/answer core: codec
 * intersection in the offerer's order, rejection with port 0, direction negotiation, re-offers
 * (version increments, streams added and removed). */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/sdp/sdp.h"

#define CRLF "\r\n"

/* RFC 8866 §5. */
static const char rfc8866[] =
    "v=0" CRLF "o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1" CRLF "s=Call to John Smith" CRLF
    "i=SDP Offer #1" CRLF "u=http://www.jdoe.example.com/home.html" CRLF
    "e=Jane Doe <jane@jdoe.example.com>" CRLF "p=+1 617 555-6011" CRLF
    "c=IN IP4 198.51.100.1" CRLF "t=0 0" CRLF "m=audio 49170 RTP/AVP 0" CRLF
    "m=audio 49180 RTP/AVP 0" CRLF "m=video 51372 RTP/AVP 99" CRLF "c=IN IP6 2001:db8::2" CRLF
    "a=rtpmap:99 h263-1998/90000" CRLF;

/* RFC 8839 §5 style example (session-level ICE credentials, host and srflx candidates). */
static const char rfc8839[] =
    "v=0" CRLF "o=jdoe 2890844526 2890842807 IN IP4 203.0.113.141" CRLF "s= " CRLF
    "c=IN IP4 192.0.2.3" CRLF "t=0 0" CRLF "a=ice-options:ice2" CRLF
    "a=ice-pwd:asd88fgpdd777uzjYhagZg" CRLF "a=ice-ufrag:8hhY" CRLF "m=audio 45664 RTP/AVP 0" CRLF
    "b=RS:0" CRLF "b=RR:0" CRLF "a=rtpmap:0 PCMU/8000" CRLF
    "a=candidate:1 1 UDP 2130706431 203.0.113.141 8998 typ host" CRLF
    "a=candidate:2 1 UDP 1694498815 192.0.2.3 45664 typ srflx raddr 203.0.113.141 rport 8998" CRLF
    "a=end-of-candidates" CRLF;

/* RFC 3264 §10.1 (the empty s= of the RFC's text is written "s= ", as RFC 8866 requires). */
static const char alice_offer[] =
    "v=0" CRLF "o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com" CRLF "s= " CRLF
    "c=IN IP4 host.atlanta.example.com" CRLF "t=0 0" CRLF "m=audio 49170 RTP/AVP 0 8 97" CRLF
    "a=rtpmap:0 PCMU/8000" CRLF "a=rtpmap:8 PCMA/8000" CRLF "a=rtpmap:97 iLBC/8000" CRLF
    "m=video 51372 RTP/AVP 31 32" CRLF "a=rtpmap:31 H261/90000" CRLF "a=rtpmap:32 MPV/90000" CRLF;

static sdp_session *decode_ok(const char *text)
{
    sdp_session *s = NULL;
    sdp_err e = { 0, NULL };
    int rc = sdp_decode(text, strlen(text), &s, &e);
    if (rc)
        g_test_message("line %u: %s", e.line, e.why);
    g_assert_cmpint(rc, ==, 0);
    return s;
}

static void roundtrip(const char *text)
{
    sdp_session *s = decode_ok(text);
    GString *out = g_string_new(NULL);
    g_assert_cmpint(sdp_encode(s, out), ==, 0);
    g_assert_cmpstr(out->str, ==, text);
    g_string_free(out, TRUE);
    sdp_session_free(s);
}

static void test_rfc8866(void)
{
    sdp_session *s = decode_ok(rfc8866);
    g_assert_cmpstr(s->origin.username, ==, "jdoe");
    g_assert_cmpstr(s->origin.sess_id, ==, "3724394400");
    g_assert_cmpuint(s->origin.sess_version, ==, 3724394405u);
    g_assert_cmpstr(s->name, ==, "Call to John Smith");
    g_assert_cmpstr(s->info, ==, "SDP Offer #1");
    g_assert_cmpuint(s->emails->len, ==, 1);
    g_assert_true(s->has_conn);
    g_assert_cmpuint(sim_ip4_u32(&s->conn.addr.ip), ==, 0xC6336401u);
    g_assert_cmpuint(s->media->len, ==, 3);
    sdp_media *v = g_ptr_array_index(s->media, 2);
    g_assert_cmpstr(v->media, ==, "video");
    g_assert_cmpuint(v->port, ==, 51372);
    const sdp_conn *c = sdp_media_conn(s, v);
    g_assert_cmpuint(c->addr.ip.family, ==, SIM_AF_INET6);
    c = sdp_media_conn(s, g_ptr_array_index(s->media, 0));
    g_assert_cmpuint(c->addr.ip.family, ==, SIM_AF_INET);
    sdp_rtpmap r;
    g_assert_cmpint(sdp_media_rtpmap(v, 99, &r), ==, 0);
    g_assert_cmpstr(r.encoding, ==, "h263-1998");
    g_assert_cmpuint(r.clock, ==, 90000);
    g_assert_cmpint(sdp_media_rtpmap(v, 98, &r), ==, -ENOENT);
    sdp_session_free(s);
    roundtrip(rfc8866);
}

static void test_ice(void)
{
    sdp_session *s = decode_ok(rfc8839);
    sdp_media *m = g_ptr_array_index(s->media, 0);
    g_assert_cmpstr(sdp_ice_attr(s, m, "ice-ufrag"), ==, "8hhY");
    g_assert_cmpstr(sdp_ice_attr(s, m, "ice-pwd"), ==, "asd88fgpdd777uzjYhagZg");
    g_assert_cmpstr(sdp_ice_attr(s, m, "ice-options"), ==, "ice2");
    g_assert_true(sdp_end_of_candidates(s, m));
    g_assert_false(sdp_ice_lite(s));
    g_assert_cmpuint(m->bws->len, ==, 2);
    sdp_candidate c[2];
    unsigned n = 0;
    for (guint i = 0; i < m->attrs->len; i++) {
        const sdp_attr *a = &g_array_index(m->attrs, sdp_attr, i);
        if (!strcmp(a->name, "candidate")) {
            g_assert_cmpint(sdp_candidate_parse(a->value, &c[n], NULL), ==, 0);
            GString *again = g_string_new(NULL);
            sdp_candidate_fmt(&c[n], again);
            g_assert_cmpstr(again->str, ==, a->value);
            g_string_free(again, TRUE);
            n++;
        }
    }
    g_assert_cmpuint(n, ==, 2);
    g_assert_cmpstr(c[0].foundation, ==, "1");
    g_assert_cmpuint(c[0].priority, ==, 2130706431u);
    g_assert_cmpuint(c[0].type, ==, SDP_CAND_HOST);
    g_assert_cmpuint(c[0].port, ==, 8998);
    g_assert_false(c[0].has_related);
    g_assert_cmpuint(c[1].type, ==, SDP_CAND_SRFLX);
    g_assert_true(c[1].has_related);
    g_assert_cmpstr(c[1].raddr, ==, "203.0.113.141");
    g_assert_cmpuint(c[1].rport, ==, 8998);
    g_assert_cmpuint(sim_ip4_u32(&c[1].ip), ==, 0xC0000203u);
    sdp_session_free(s);
    roundtrip(rfc8839);

    sdp_candidate x;
    const char *why = NULL;
    g_assert_cmpint(sdp_candidate_parse("a+/9 2 UDP 16777215 2001:db8::9 3478 typ relay raddr "
                                        "2001:db8::1 rport 5000 generation 0 network-id 2",
                                        &x, &why),
                    ==, 0);
    g_assert_cmpuint(x.type, ==, SDP_CAND_RELAY);
    g_assert_cmpuint(x.ip.family, ==, SIM_AF_INET6);
    g_assert_cmpuint(x.n_ext, ==, 2);
    g_assert_cmpstr(x.ext[1].name, ==, "network-id");
    g_assert_cmpstr(x.ext[1].value, ==, "2");
    g_assert_cmpint(sdp_candidate_parse("1 1 UDP 5 host.example.org 9 typ prflx", &x, &why), ==,
                    0);
    g_assert_cmpuint(x.ip.family, ==, SIM_AF_NONE);
    static const char *bad[] = {
        "1 1 UDP 2130706431 203.0.113.141 8998 typ",           /* no type */
        "1 1 UDP 2130706431 203.0.113.141 8998 typ mystery",   /* unknown type */
        "1 0 UDP 2130706431 203.0.113.141 8998 typ host",      /* component 0 */
        "1 257 UDP 2130706431 203.0.113.141 8998 typ host",    /* component > 256 */
        "1 1 UDP 2147483648 203.0.113.141 8998 typ host",      /* priority > 2^31-1 */
        "1 1 UDP 1 203.0.113.141 65536 typ host",              /* port */
        "f_o 1 UDP 1 203.0.113.141 1 typ host",                /* '_' not an ice-char */
        "123456789012345678901234567890123 1 UDP 1 1.2.3.4 1 typ host", /* 33 chars */
        "1 1 UDP 1 1.2.3.4 1 typ srflx raddr 1.2.3.4",         /* raddr without rport */
        "1 1 UDP 1 1.2.3.4 1 typ host generation",             /* extension without value */
        "1 1 UDP 1 1.2.3.4 1 foo host",                        /* "typ" missing */
        "1 1 UDP 1 1.2.3.4",                                   /* too short */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        why = NULL;
        g_assert_cmpint(sdp_candidate_parse(bad[i], &x, &why), ==, -EBADMSG);
        g_assert_nonnull(why);
    }
}

static void test_views(void)
{
    const char *text = "v=0" CRLF "o=- 1 1 IN IP6 2001:db8::1" CRLF "s=x" CRLF
                       "c=IN IP4 224.2.1.1/127/3" CRLF "t=3724394400 3724398000" CRLF
                       "r=7d 1h 0 25h" CRLF "t=0 0" CRLF "z=2882844526 -1h 2898848070 0" CRLF
                       "k=prompt" CRLF "a=recvonly" CRLF "a=ptime:30" CRLF
                       "m=audio 49170/2 RTP/AVP 0 111 101" CRLF "c=IN IP4 192.0.2.7" CRLF
                       "a=rtpmap:111 opus/48000/2" CRLF "a=fmtp:111 minptime=10" CRLF
                       "a=rtpmap:101 telephone-event/8000" CRLF "a=sendonly" CRLF
                       "a=rtcp:53020 IN IP4 126.16.64.4" CRLF "a=mid:a1" CRLF
                       "a=maxptime:40.0" CRLF "m=application 9 UDP/DTLS/SCTP webrtc-datachannel" CRLF
                       "c=IN IP6 ff15::101/3" CRLF "a=x-unknown" CRLF;
    sdp_session *s = decode_ok(text);
    g_assert_cmpuint(s->conn.ttl, ==, 127);
    g_assert_cmpuint(s->conn.count, ==, 3);
    g_assert_cmpuint(s->times->len, ==, 2);
    g_assert_cmpuint(g_array_index(s->times, sdp_time, 0).repeats->len, ==, 1);
    g_assert_cmpstr(s->zone, ==, "2882844526 -1h 2898848070 0");
    sdp_media *a = g_ptr_array_index(s->media, 0), *d = g_ptr_array_index(s->media, 1);
    g_assert_cmpuint(a->nports, ==, 2);
    sdp_rtpmap r;
    g_assert_cmpint(sdp_media_rtpmap(a, 111, &r), ==, 0);
    g_assert_cmpuint(r.channels, ==, 2);
    g_assert_cmpuint(r.clock, ==, 48000);
    g_assert_cmpstr(sdp_media_fmtp(a, 111), ==, "minptime=10");
    g_assert_null(sdp_media_fmtp(a, 0));
    unsigned ms;
    g_assert_cmpint(sdp_media_ptime(s, a, &ms), ==, 0); /* session level */
    g_assert_cmpuint(ms, ==, 30);
    g_assert_cmpint(sdp_media_maxptime(s, a, &ms), ==, 0);
    g_assert_cmpuint(ms, ==, 40);
    g_assert_cmpint(sdp_media_maxptime(s, d, &ms), ==, -ENOENT);
    g_assert_cmpuint(sdp_media_dir(s, a), ==, SDP_SENDONLY); /* media overrides */
    g_assert_cmpuint(sdp_media_dir(s, d), ==, SDP_RECVONLY); /* session default */
    uint16_t port;
    sdp_addr ad;
    g_assert_cmpint(sdp_media_rtcp(a, &port, &ad), ==, 0);
    g_assert_cmpuint(port, ==, 53020);
    g_assert_cmpstr(ad.host, ==, "126.16.64.4");
    g_free(ad.host);
    g_assert_cmpint(sdp_media_rtcp(d, &port, NULL), ==, -ENOENT);
    g_assert_cmpstr(sdp_media_mid(a), ==, "a1");
    g_assert_true(sdp_attr_has(d->attrs, "x-unknown"));
    g_assert_null(sdp_attr_find(d->attrs, "x-unknown")->value);
    sdp_session_free(s);
    roundtrip(text);
}

/* A WebRTC-style description: UDP/TLS/RTP/SAVPF, a=rtcp:9 with an address, ice-lite at
 * session level, media-level ICE credentials, a candidate with extensions, unknown attributes
 * (fingerprint, setup, rtcp-mux, group) kept in order. */
static void test_webrtc(void)
{
    const char *text =
        "v=0" CRLF "o=- 4611731400430051336 2 IN IP4 127.0.0.1" CRLF "s=-" CRLF "t=0 0" CRLF
        "a=group:BUNDLE 0" CRLF "a=ice-lite" CRLF "m=audio 9 UDP/TLS/RTP/SAVPF 111 0" CRLF
        "c=IN IP4 0.0.0.0" CRLF "a=rtcp:9 IN IP4 0.0.0.0" CRLF "a=ice-ufrag:ABCD" CRLF
        "a=ice-pwd:abcdefghijklmnopqrstuvwx" CRLF "a=ice-options:trickle" CRLF
        "a=fingerprint:sha-256 AB:CD" CRLF "a=setup:actpass" CRLF "a=mid:0" CRLF "a=sendrecv" CRLF
        "a=rtcp-mux" CRLF "a=rtpmap:111 opus/48000/2" CRLF
        "a=fmtp:111 minptime=10;useinbandfec=1" CRLF
        "a=candidate:842163049 1 udp 1677729535 198.51.100.7 61000 typ srflx raddr 10.0.0.2 "
        "rport 61000 generation 0 network-cost 999" CRLF;
    sdp_session *s = decode_ok(text);
    sdp_media *m = g_ptr_array_index(s->media, 0);
    g_assert_cmpstr(m->proto, ==, "UDP/TLS/RTP/SAVPF");
    g_assert_true(sdp_ice_lite(s));
    g_assert_false(sdp_end_of_candidates(s, m));
    g_assert_cmpstr(sdp_ice_attr(s, m, "ice-ufrag"), ==, "ABCD");
    g_assert_cmpstr(sdp_ice_attr(s, m, "ice-options"), ==, "trickle");
    g_assert_cmpstr(sdp_media_mid(m), ==, "0");
    g_assert_cmpstr(sdp_media_fmtp(m, 111), ==, "minptime=10;useinbandfec=1");
    uint16_t port;
    sdp_addr a;
    g_assert_cmpint(sdp_media_rtcp(m, &port, &a), ==, 0);
    g_assert_cmpuint(port, ==, 9);
    g_assert_true(sim_ip_is_any(&a.ip));
    g_free(a.host);
    const sdp_attr *c = sdp_attr_find(m->attrs, "candidate");
    sdp_candidate cand;
    g_assert_cmpint(sdp_candidate_parse(c->value, &cand, NULL), ==, 0);
    g_assert_cmpstr(cand.transport, ==, "udp");
    g_assert_cmpuint(cand.n_ext, ==, 2);
    g_assert_cmpstr(cand.ext[0].name, ==, "generation");
    g_assert_cmpstr(cand.ext[1].value, ==, "999");
    g_assert_cmpstr(g_array_index(m->attrs, sdp_attr, 4).name, ==, "fingerprint");
    g_assert_cmpstr(g_array_index(m->attrs, sdp_attr, 4).value, ==, "sha-256 AB:CD");
    /* Our offer/answer core speaks RTP/AVP only: this stream is rejected with port 0. */
    sdp_oa_cfg cfg = { .sess_id = 1, .port_base = 5000 };
    sim_ip_parse("192.0.2.1", &cfg.addr);
    sdp_oa *oa = sdp_oa_new(&cfg);
    GString *ans = g_string_new(NULL);
    g_assert_cmpint(sdp_oa_answer(oa, text, strlen(text), ans), ==, 0);
    g_assert_nonnull(strstr(ans->str, "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\n"));
    g_string_free(ans, TRUE);
    sdp_oa_free(oa);
    sdp_session_free(s);
    roundtrip(text);
}

/* Each invalid description must be rejected, at the expected line. */
static void test_invalid(void)
{
    static const struct {
        const char *text;
        unsigned line;
    } bad[] = {
        { "", 0 },
        { "o=- 1 1 IN IP4 1.2.3.4\r\nv=0\r\ns=x\r\nt=0 0\r\n", 1 },              /* v not first */
        { "v=1\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nt=0 0\r\n", 1 },              /* version */
        { "v=0\r\ns=x\r\no=- 1 1 IN IP4 1.2.3.4\r\nt=0 0\r\n", 2 },              /* o second */
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nt=0 0\r\ns=x\r\n", 4 },              /* order */
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nt=0 0\r\n", 5 },              /* valid, but... */
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nt=0 0\r\nx=1\r\n", 5 },       /* unknown letter */
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\ns=y\r\nt=0 0\r\n", 4 },       /* s= twice */
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=\r\nt=0 0\r\n", 3 },               /* empty s= */
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\n", 4 },                       /* no t= */
        { "v=0\r\no=- 1 1 IN IP5 1.2.3.4\r\ns=x\r\nt=0 0\r\n", 2 },              /* addrtype */
        { "v=0\r\no=- 1 1 IN IP4 2001:db8::1\r\ns=x\r\nt=0 0\r\n", 2 },          /* family */
        { "v=0\r\no=- x 1 IN IP4 1.2.3.4\r\ns=x\r\nt=0 0\r\n", 2 },              /* sess-id */
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nt=0 0\r\nm=audio 70000 RTP/AVP 0\r\n", 5 },
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nt=0 0\r\nm=audio 7 RTP/AVP 128\r\n", 5 },
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nt=0 0\r\nm=audio 7 RTP/AVP\r\n", 5 },
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nt=0 0\r\nm=audio 7 RTP/AVP 0\r\n", 6 }, /* no c= */
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nc=IN IP4 1.2.3.4/5\r\nt=0 0\r\n", 4 },
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nc=IN IP4 224.2.1.1\r\nt=0 0\r\n", 4 },
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nc=IN IP6 ff15::1/3/2\r\nt=0 0\r\n", 4 },
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nb=AS\r\nt=0 0\r\n", 4 },
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nr=1d 1h 0\r\nt=0 0\r\n", 4 },
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nt=0 0\r\nr=1d 1h\r\n", 5 },
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nt=0 0\r\nz=1 1x\r\n", 5 },
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nt=0 0\r\nz=1 1h\r\nt=0 0\r\nz=2 1h\r\n", 7 },
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nz=1 1h\r\nt=0 0\r\n", 4 },
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nt=0 0\r\na=:x\r\n", 5 },
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nt=0 0\r\na=ok\r\nc=IN IP4 1.2.3.4\r\n", 6 },
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nt=0 0", 4 },                  /* no CRLF */
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\rt=0 0\r\n", 3 },                /* bare CR */
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=a\0b\r\nt=0 0\r\n", 3 },           /* NUL */
        { "v=0\r\no= 1 1 IN IP4 1.2.3.4\r\ns=x\r\nt=0 0\r\n", 2 },               /* space */
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nt=0 0\r\nm=audio 7 RTP/AVP 0\r\n"
          "c=IN IP4 1.2.3.4\r\ni=late\r\n", 7 },                                   /* media order */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        size_t len = strlen(bad[i].text);
        if (strstr(bad[i].text, "s=a"))
            len += 8; /* past the NUL */
        sdp_session *s = NULL;
        sdp_err e = { 0, NULL };
        int rc = sdp_decode(bad[i].text, len, &s, &e);
        if (i == 5) { /* the control: the minimal valid description */
            g_assert_cmpint(rc, ==, 0);
            sdp_session_free(s);
            continue;
        }
        if (rc == 0 || e.line != bad[i].line)
            g_test_message("case %zu: rc %d line %u (%s)", i, rc, e.line, e.why);
        g_assert_cmpint(rc, ==, -EBADMSG);
        g_assert_null(s);
        g_assert_nonnull(e.why);
        g_assert_cmpuint(e.line, ==, bad[i].line);
    }
}

static void test_lf_and_encode_errors(void)
{
    sdp_session *s = decode_ok("v=0\no=- 1 1 IN IP4 1.2.3.4\ns=x\nt=0 0\n");
    GString *out = g_string_new(NULL);
    g_assert_cmpint(sdp_encode(s, out), ==, 0);
    g_assert_cmpstr(out->str, ==, "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nt=0 0\r\n");
    g_string_truncate(out, 0);
    g_free(s->name);
    s->name = g_strdup("two\r\nlines");
    g_assert_cmpint(sdp_encode(s, out), ==, -EINVAL);
    g_assert_cmpuint(out->len, ==, 0);
    g_string_free(out, TRUE);
    sdp_session_free(s);
}

/* ---------------------------------------------------------------- offer/answer */

static sdp_oa *oa_new(const char *ip, bool pcma, bool opus, bool dtmf)
{
    sdp_oa_cfg cfg = { .username = "bob", .sess_id = 2808844564u, .pcmu = true, .pcma = pcma,
                       .opus = opus, .telephone_event = dtmf, .port_base = 49174 };
    sim_ip_parse(ip, &cfg.addr);
    return sdp_oa_new(&cfg);
}

static void test_oa_answer_rfc3264(void)
{
    sdp_oa *bob = oa_new("192.0.2.20", true, false, false);
    GString *ans = g_string_new(NULL);
    g_assert_cmpint(sdp_oa_answer(bob, alice_offer, strlen(alice_offer), ans), ==, 0);
    sdp_session *a = decode_ok(ans->str);
    g_assert_cmpuint(a->media->len, ==, 2); /* one m-line per offered one */
    sdp_media *au = g_ptr_array_index(a->media, 0), *vi = g_ptr_array_index(a->media, 1);
    g_assert_cmpuint(au->port, ==, 49174);
    g_assert_cmpuint(au->fmts->len, ==, 2); /* 0 8 (iLBC is not ours), offerer's order */
    g_assert_cmpstr(g_ptr_array_index(au->fmts, 0), ==, "0");
    g_assert_cmpstr(g_ptr_array_index(au->fmts, 1), ==, "8");
    g_assert_cmpuint(vi->port, ==, 0); /* video rejected */
    g_assert_cmpstr(vi->media, ==, "video");
    const sdp_oa_stream *st = sdp_oa_get(bob, 0);
    g_assert_true(st->active);
    g_assert_cmpuint(st->pt, ==, 0);
    g_assert_cmpstr(st->encoding, ==, "PCMU");
    g_assert_cmpuint(st->remote_rtp.port, ==, 49170);
    g_assert_cmpuint(st->remote_rtcp.port, ==, 49171);
    g_assert_cmpuint(st->ptime, ==, 20);
    g_assert_cmpuint(st->dir, ==, SDP_SENDRECV);
    g_assert_false(sdp_oa_get(bob, 1)->active);
    sdp_session_free(a);

    /* The same offer again: the same answer, the same version (RFC 3264 §8). */
    uint64_t v = sdp_oa_version(bob);
    GString *again = g_string_new(NULL);
    g_assert_cmpint(sdp_oa_answer(bob, alice_offer, strlen(alice_offer), again), ==, 0);
    g_assert_cmpstr(again->str, ==, ans->str);
    g_assert_cmpuint(sdp_oa_version(bob), ==, v);
    /* A re-offer with fewer m-lines is not allowed (§8). */
    const char *one = "v=0\r\no=alice 1 2 IN IP4 192.0.2.10\r\ns= \r\nc=IN IP4 192.0.2.10\r\n"
                      "t=0 0\r\nm=audio 49170 RTP/AVP 0\r\n";
    g_string_truncate(again, 0);
    g_assert_cmpint(sdp_oa_answer(bob, one, strlen(one), again), ==, -EPROTO);
    g_assert_cmpint(sdp_oa_answer(bob, "garbage", 7, again), ==, -EBADMSG);
    g_string_free(again, TRUE);
    g_string_free(ans, TRUE);
    sdp_oa_free(bob);
}

/* RFC 3264 §10.1 the other way round: our audio+video offer (we carry no video, so that
 * m-line goes out with port 0) and Bob's answer from the RFC taken. */
static void test_oa_accept_rfc3264(void)
{
    static const char bob_answer[] =
        "v=0" CRLF "o=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com" CRLF "s= " CRLF
        "c=IN IP4 host.biloxi.example.com" CRLF "t=0 0" CRLF "m=audio 49174 RTP/AVP 0" CRLF
        "a=rtpmap:0 PCMU/8000" CRLF "m=video 49170 RTP/AVP 32" CRLF "a=rtpmap:32 MPV/90000" CRLF;
    sdp_oa *alice = oa_new("192.0.2.10", true, false, false);
    sdp_oa_add_stream(alice, "audio", 49170, SDP_SENDRECV);
    sdp_oa_add_stream(alice, "video", 51372, SDP_SENDRECV);
    GString *offer = g_string_new(NULL);
    g_assert_cmpint(sdp_oa_offer(alice, offer), ==, 0);
    g_assert_nonnull(strstr(offer->str, "m=audio 49170 RTP/AVP 0 8\r\n"));
    g_assert_nonnull(strstr(offer->str, "m=video 0 RTP/AVP 0\r\n"));
    g_assert_cmpint(sdp_oa_accept_answer(alice, bob_answer, strlen(bob_answer)), ==, 0);
    const sdp_oa_stream *au = sdp_oa_get(alice, 0), *vi = sdp_oa_get(alice, 1);
    g_assert_true(au->active);
    g_assert_cmpuint(au->pt, ==, 0);
    g_assert_cmpuint(au->remote_rtp.port, ==, 49174);
    g_assert_cmpuint(au->remote_rtp.ip.family, ==, SIM_AF_NONE); /* a host name, unresolved */
    g_assert_cmpuint(au->dir, ==, SDP_SENDRECV);
    g_assert_false(vi->active);
    g_string_free(offer, TRUE);
    sdp_oa_free(alice);
}

/* Offer from us, answer from a peer that keeps PCMA only, sends only, RTCP elsewhere. */
static void test_oa_offer_accept(void)
{
    sdp_oa *alice = oa_new("192.0.2.10", true, true, true);
    GString *offer = g_string_new(NULL);
    g_assert_cmpint(sdp_oa_offer(alice, offer), ==, -EINVAL); /* no streams */
    g_assert_cmpint(sdp_oa_add_stream(alice, "audio", 49170, SDP_SENDRECV), ==, 0);
    g_assert_cmpint(sdp_oa_offer(alice, offer), ==, 0);
    sdp_session *o = decode_ok(offer->str);
    sdp_media *m = g_ptr_array_index(o->media, 0);
    g_assert_cmpuint(m->fmts->len, ==, 4);
    const char *want[] = { "0", "8", "111", "101" };
    for (int i = 0; i < 4; i++)
        g_assert_cmpstr(g_ptr_array_index(m->fmts, i), ==, want[i]);
    sdp_rtpmap r;
    g_assert_cmpint(sdp_media_rtpmap(m, 111, &r), ==, 0);
    g_assert_cmpstr(r.encoding, ==, "opus");
    g_assert_cmpuint(r.clock, ==, 48000);
    g_assert_cmpuint(r.channels, ==, 2);
    g_assert_cmpstr(sdp_media_fmtp(m, 101), ==, "0-16");
    g_assert_cmpuint(o->origin.sess_version, ==, 2808844564u);
    sdp_session_free(o);

    /* A peer answering with a payload type we never offered: refused, nothing changes. */
    const char *wrong = "v=0\r\no=bob 1 1 IN IP4 192.0.2.20\r\ns= \r\nc=IN IP4 192.0.2.20\r\n"
                        "t=0 0\r\nm=audio 5000 RTP/AVP 9\r\n";
    g_assert_cmpint(sdp_oa_accept_answer(alice, wrong, strlen(wrong)), ==, -EPROTO);
    const char *two = "v=0\r\no=bob 1 1 IN IP4 192.0.2.20\r\ns= \r\nc=IN IP4 192.0.2.20\r\n"
                      "t=0 0\r\nm=audio 5000 RTP/AVP 8\r\nm=audio 0 RTP/AVP 0\r\n";
    g_assert_cmpint(sdp_oa_accept_answer(alice, two, strlen(two)), ==, -EPROTO); /* 2 m-lines */
    g_assert_false(sdp_oa_get(alice, 0)->active);

    const char *good = "v=0\r\no=bob 1 1 IN IP4 192.0.2.20\r\ns= \r\nc=IN IP4 192.0.2.20\r\n"
                       "t=0 0\r\nm=audio 5000 RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/8000\r\n"
                       "a=ptime:30\r\na=sendonly\r\na=rtcp:6001 IN IP4 192.0.2.21\r\n";
    g_assert_cmpint(sdp_oa_accept_answer(alice, good, strlen(good)), ==, 0);
    const sdp_oa_stream *st = sdp_oa_get(alice, 0);
    g_assert_true(st->active);
    g_assert_cmpuint(st->pt, ==, 8);
    g_assert_cmpstr(st->encoding, ==, "PCMA");
    g_assert_cmpuint(st->dtmf_pt, ==, 101);
    g_assert_cmpuint(st->dir, ==, SDP_RECVONLY); /* they only send: we only receive */
    g_assert_cmpuint(st->ptime, ==, 30);
    g_assert_cmpuint(sim_ip4_u32(&st->remote_rtp.ip), ==, 0xC0000214u);
    g_assert_cmpuint(st->remote_rtp.port, ==, 5000);
    g_assert_cmpuint(sim_ip4_u32(&st->remote_rtcp.ip), ==, 0xC0000215u);
    g_assert_cmpuint(st->remote_rtcp.port, ==, 6001);
    g_assert_cmpint(sdp_oa_accept_answer(alice, good, strlen(good)), ==, -EPROTO); /* no offer */
    g_string_free(offer, TRUE);
    sdp_oa_free(alice);
}

/* Re-offers: add a second stream, then remove it (port 0 stays), versions move on. */
static void test_oa_reoffer(void)
{
    sdp_oa *alice = oa_new("192.0.2.10", false, false, false);
    sdp_oa *bob = oa_new("192.0.2.20", true, false, false);
    sdp_oa_add_stream(alice, "audio", 49170, SDP_SENDRECV);
    GString *offer = g_string_new(NULL), *ans = g_string_new(NULL);
    sdp_oa_offer(alice, offer);
    uint64_t v0 = sdp_oa_version(alice);
    g_assert_cmpint(sdp_oa_answer(bob, offer->str, offer->len, ans), ==, 0);
    g_assert_cmpint(sdp_oa_accept_answer(alice, ans->str, ans->len), ==, 0);
    g_assert_cmpuint(sdp_oa_get(alice, 0)->remote_rtp.port, ==, 49174);
    g_assert_cmpuint(sdp_oa_get(bob, 0)->remote_rtp.port, ==, 49170);

    g_assert_cmpint(sdp_oa_add_stream(alice, "audio", 49172, SDP_SENDONLY), ==, 1);
    g_string_truncate(offer, 0);
    g_string_truncate(ans, 0);
    sdp_oa_offer(alice, offer);
    g_assert_cmpuint(sdp_oa_version(alice), ==, v0 + 1);
    g_assert_cmpint(sdp_oa_answer(bob, offer->str, offer->len, ans), ==, 0);
    g_assert_cmpuint(sdp_oa_get(bob, 1)->local_port, ==, 49174 + 2);
    g_assert_cmpuint(sdp_oa_get(bob, 1)->dir, ==, SDP_RECVONLY);
    g_assert_nonnull(strstr(ans->str, "a=recvonly\r\n"));
    g_assert_cmpint(sdp_oa_accept_answer(alice, ans->str, ans->len), ==, 0);
    g_assert_cmpuint(sdp_oa_get(alice, 1)->dir, ==, SDP_SENDONLY);
    g_assert_cmpuint(sdp_oa_get(alice, 1)->remote_rtp.port, ==, 49176);

    /* Inactive on one side makes the stream inactive on both. */
    sdp_oa_set_dir(alice, 0, SDP_INACTIVE);
    sdp_oa_remove_stream(alice, 1);
    g_string_truncate(offer, 0);
    g_string_truncate(ans, 0);
    sdp_oa_offer(alice, offer);
    g_assert_cmpuint(sdp_oa_version(alice), ==, v0 + 2);
    g_assert_nonnull(strstr(offer->str, "m=audio 0 RTP/AVP 0\r\n"));
    sdp_session *o = decode_ok(offer->str);
    g_assert_cmpuint(o->media->len, ==, 2); /* the removed stream keeps its m-line */
    sdp_session_free(o);
    g_assert_cmpint(sdp_oa_answer(bob, offer->str, offer->len, ans), ==, 0);
    g_assert_cmpuint(sdp_oa_get(bob, 0)->dir, ==, SDP_INACTIVE);
    g_assert_false(sdp_oa_get(bob, 1)->active);
    g_assert_cmpint(sdp_oa_accept_answer(alice, ans->str, ans->len), ==, 0);
    g_assert_false(sdp_oa_get(alice, 1)->active);
    g_assert_cmpuint(sdp_oa_get(alice, 0)->dir, ==, SDP_INACTIVE);
    /* Unchanged re-offer: same version. */
    g_string_truncate(offer, 0);
    sdp_oa_offer(alice, offer);
    g_assert_cmpuint(sdp_oa_version(alice), ==, v0 + 2);
    g_string_free(offer, TRUE);
    g_string_free(ans, TRUE);
    sdp_oa_free(alice);
    sdp_oa_free(bob);
}

/* Configuration checks: no address, no core; a username with a space becomes "-". */
static void test_oa_cfg(void)
{
    sdp_oa_cfg cfg = { .username = "alice smith", .sess_id = 7 };
    g_assert_null(sdp_oa_new(&cfg));
    sim_ip_parse("2001:db8::7", &cfg.addr);
    sdp_oa *oa = sdp_oa_new(&cfg);
    sdp_oa_add_stream(oa, "audio", 5004, SDP_SENDRECV);
    GString *out = g_string_new(NULL);
    g_assert_cmpint(sdp_oa_offer(oa, out), ==, 0);
    g_assert_true(g_str_has_prefix(out->str, "v=0\r\no=- 7 7 IN IP6 2001:db8::7\r\n"));
    g_assert_nonnull(strstr(out->str, "c=IN IP6 2001:db8::7\r\n"));
    g_assert_nonnull(strstr(out->str, "m=audio 5004 RTP/AVP 0\r\n")); /* PCMU by default */
    g_string_free(out, TRUE);
    sdp_oa_free(oa);
}

/* No common codec: the stream is rejected with port 0. */
static void test_oa_no_common(void)
{
    sdp_oa *bob = oa_new("192.0.2.20", false, false, true);
    const char *offer = "v=0\r\no=a 1 1 IN IP4 192.0.2.10\r\ns= \r\nc=IN IP4 192.0.2.10\r\n"
                        "t=0 0\r\nm=audio 4000 RTP/AVP 8 101\r\n"
                        "a=rtpmap:101 telephone-event/8000\r\n";
    GString *ans = g_string_new(NULL);
    g_assert_cmpint(sdp_oa_answer(bob, offer, strlen(offer), ans), ==, 0);
    g_assert_nonnull(strstr(ans->str, "m=audio 0 RTP/AVP 8\r\n"));
    g_assert_false(sdp_oa_get(bob, 0)->active);
    g_string_free(ans, TRUE);
    sdp_oa_free(bob);
}

/* RFC 8839 in offer/answer: the offer carries the credentials, every candidate and the
 * default candidate in m= and a media-level c=; the answerer's agent reads them back through
 * sdp_oa_remote(); an answer carries ICE only when the offer did . */
static void test_oa_ice(void)
{
    sdp_oa *alice = oa_new("192.168.1.10", false, false, false);
    sdp_oa *bob = oa_new("10.0.0.20", false, false, false);
    char *cands[] = { "1 1 UDP 2130706431 192.168.1.10 5000 typ host",
                      "2 1 UDP 1694498815 68.36.210.57 3406 typ srflx raddr 192.168.1.10 rport 5000",
                      NULL };
    sdp_oa_ice ice = { .ufrag = "8hhY", .pwd = "asd88fgpdd777uzjYhagZg", .cands = cands };
    g_assert_cmpint(sim_ep_parse("68.36.210.57:3406", &ice.def), ==, 0);
    g_assert_cmpint(sdp_oa_set_ice(alice, SDP_OA_STREAMS_MAX, &ice), ==, -EINVAL);
    sdp_oa_ice nodef = ice;
    nodef.def.port = 0;
    g_assert_cmpint(sdp_oa_set_ice(alice, 0, &nodef), ==, -EINVAL);
    g_assert_cmpint(sdp_oa_add_stream(alice, "audio", 40000, SDP_SENDRECV), ==, 0);
    g_assert_cmpint(sdp_oa_set_ice(alice, 0, &ice), ==, 0);
    GString *offer = g_string_new(NULL), *ans = g_string_new(NULL);
    g_assert_cmpint(sdp_oa_offer(alice, offer), ==, 0);
    g_assert_nonnull(strstr(offer->str, "m=audio 3406 RTP/AVP 0\r\nc=IN IP4 68.36.210.57\r\n"));
    g_assert_nonnull(strstr(offer->str, "a=ice-ufrag:8hhY\r\na=ice-pwd:asd88fgpdd777uzjYhagZg\r\n"));
    g_assert_nonnull(strstr(offer->str, "a=candidate:2 1 UDP 1694498815 68.36.210.57 3406 typ srflx"));
    g_assert_nonnull(strstr(offer->str, "a=rtcp-mux\r\n"));
    g_assert_null(sdp_oa_remote(bob));
    /* bob answers with ICE of his own, set before the stream exists */
    sdp_oa_ice bice = ice;
    bice.ufrag = "bobX";
    g_assert_cmpint(sim_ep_parse("128.6.4.33:7000", &bice.def), ==, 0);
    g_assert_cmpint(sdp_oa_set_ice(bob, 0, &bice), ==, 0);
    g_assert_cmpint(sdp_oa_answer(bob, offer->str, offer->len, ans), ==, 0);
    g_assert_nonnull(strstr(ans->str, "m=audio 7000 RTP/AVP 0\r\nc=IN IP4 128.6.4.33\r\n"));
    g_assert_cmpuint(sdp_oa_get(bob, 0)->remote_rtp.port, ==, 3406); /* the default candidate */
    const sdp_session *r = sdp_oa_remote(bob);
    const sdp_media *m = g_ptr_array_index(r->media, 0);
    g_assert_cmpstr(sdp_ice_attr(r, m, "ice-ufrag"), ==, "8hhY");
    unsigned n = 0;
    for (guint i = 0; i < m->attrs->len; i++)
        n += !strcmp(g_array_index(m->attrs, sdp_attr, i).name, "candidate");
    g_assert_cmpuint(n, ==, 2);
    g_assert_cmpint(sdp_oa_accept_answer(alice, ans->str, ans->len), ==, 0);
    r = sdp_oa_remote(alice);
    g_assert_cmpstr(sdp_ice_attr(r, g_ptr_array_index(r->media, 0), "ice-ufrag"), ==, "bobX");
    /* an offer without ICE gets an answer without ICE, at the stream's own port */
    sdp_oa *carol = oa_new("192.0.2.30", false, false, false);
    g_assert_cmpint(sdp_oa_set_ice(carol, 0, &bice), ==, 0);
    g_string_truncate(ans, 0);
    g_assert_cmpint(sdp_oa_answer(carol, alice_offer, strlen(alice_offer), ans), ==, 0);
    g_assert_null(strstr(ans->str, "ice-ufrag"));
    g_assert_nonnull(strstr(ans->str, "m=audio 49174 "));
    g_string_free(offer, TRUE);
    g_string_free(ans, TRUE);
    sdp_oa_free(alice);
    sdp_oa_free(bob);
    sdp_oa_free(carol);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sdp/decode/rfc8866-example", test_rfc8866);
    g_test_add_func("/sdp/decode/rfc8839-ice", test_ice);
    g_test_add_func("/sdp/decode/typed-views", test_views);
    g_test_add_func("/sdp/decode/webrtc", test_webrtc);
    g_test_add_func("/sdp/decode/invalid", test_invalid);
    g_test_add_func("/sdp/encode/lf-and-errors", test_lf_and_encode_errors);
    g_test_add_func("/sdp/oa/answer-rfc3264", test_oa_answer_rfc3264);
    g_test_add_func("/sdp/oa/accept-rfc3264", test_oa_accept_rfc3264);
    g_test_add_func("/sdp/oa/offer-accept", test_oa_offer_accept);
    g_test_add_func("/sdp/oa/reoffer", test_oa_reoffer);
    g_test_add_func("/sdp/oa/no-common-codec", test_oa_no_common);
    g_test_add_func("/sdp/oa/config", test_oa_cfg);
    g_test_add_func("/sdp/oa/ice-rfc8839", test_oa_ice);
    return g_test_run();
}
