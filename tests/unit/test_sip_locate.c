/* tests/unit/test_sip_locate.c — RFC 3263 §4 server location (sip_locate.c) over hand-built
 * DNS answers: NAPTR order and preference with unsupported services skipped, SRV for each
 * transport when there is no NAPTR, the RFC 2782 priority order and weighted draw (its
 * distribution over many seeds), A and AAAA, and the URI forms that skip NAPTR or SRV (an IP
 * literal, an explicit port, a transport parameter). Every test records the questions asked
 * and the targets produced as strings. Then one server core given the results: a branch sent
 * over the transport located (its Via rewritten), and failover to the next target with a new
 * branch after Timer B, then 408 when none is left. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/dns/dns.h"
#include "protocols/sip/sip.h"
#include "tests/unit/ep_util.h"

/* ---------------------------------------------------------------- a zone built by hand */

static dns_rr *rr_new(GArray *zone, const char *owner, uint16_t type)
{
    dns_rr rr = { .type = type, .rclass = DNS_C_IN, .ttl = 300 };
    g_assert_cmpint(dns_name_from_str(owner, &rr.name), ==, 0);
    g_array_append_val(zone, rr);
    return &g_array_index(zone, dns_rr, zone->len - 1);
}

static void naptr(GArray *z, const char *owner, uint16_t order, uint16_t pref, const char *flags,
                  const char *services, const char *repl)
{
    dns_rr *r = rr_new(z, owner, DNS_T_NAPTR);
    r->rd.naptr.order = order;
    r->rd.naptr.preference = pref;
    g_strlcpy(r->rd.naptr.flags.s, flags, sizeof r->rd.naptr.flags.s);
    r->rd.naptr.flags.len = (uint8_t)strlen(flags);
    g_strlcpy(r->rd.naptr.services.s, services, sizeof r->rd.naptr.services.s);
    r->rd.naptr.services.len = (uint8_t)strlen(services);
    g_assert_cmpint(dns_name_from_str(repl, &r->rd.naptr.replacement), ==, 0);
}

static void srv(GArray *z, const char *owner, uint16_t prio, uint16_t weight, uint16_t port,
                const char *target)
{
    dns_rr *r = rr_new(z, owner, DNS_T_SRV);
    r->rd.srv.priority = prio;
    r->rd.srv.weight = weight;
    r->rd.srv.port = port;
    g_assert_cmpint(dns_name_from_str(target, &r->rd.srv.target), ==, 0);
}

static void addr(GArray *z, const char *owner, const char *ip)
{
    sim_ip a;
    g_assert_cmpint(sim_ip_parse(ip, &a), ==, 0);
    dns_rr *r = rr_new(z, owner, a.family == SIM_AF_INET6 ? DNS_T_AAAA : DNS_T_A);
    if (a.family == SIM_AF_INET6)
        memcpy(r->rd.aaaa, a.b, 16);
    else
        memcpy(r->rd.a, a.b, 4);
}

static GArray *zone_new(void)
{
    return g_array_new(FALSE, TRUE, sizeof(dns_rr));
}

/* Answers every question of l from zone (NODATA when nothing matches) until done; the
 * questions asked go to *asked ("NAPTR a; SRV b; …"), the targets to the return value
 * ("10.0.0.1:5060/udp …", "none", or "failed"). Both owned. */
static char *locate(sip_locate *l, const GArray *zone, char **asked)
{
    GString *q = g_string_new(NULL);
    dns_name name;
    uint16_t type;
    char buf[DNS_NAME_STRLEN];
    while (sip_locate_next(l, &name, &type)) {
        g_string_append_printf(q, "%s%s %s", q->len ? "; " : "", dns_type_name(type),
                               dns_name_fmt(&name, buf, sizeof buf));
        dns_result r = { .name = name, .type = type, .status = DNS_NODATA };
        r.rrs = g_array_new(FALSE, TRUE, sizeof(dns_rr));
        for (guint i = 0; i < zone->len; i++) {
            const dns_rr *x = &g_array_index(zone, dns_rr, i);
            if (x->type == type && dns_name_eq(&x->name, &name)) {
                g_array_append_val(r.rrs, *x); /* shallow: these records own nothing */
                r.status = DNS_OK;
            }
        }
        sip_locate_feed(l, &r);
        g_array_free(r.rrs, TRUE);
    }
    *asked = g_string_free(q, FALSE);
    sim_ep first;
    if (sip_locate_result(l, &first) < 0)
        return g_strdup("failed");
    const sip_target *t;
    size_t n = sip_locate_targets(l, &t);
    g_assert_cmpuint(n, >, 0);
    g_assert_true(sim_ep_eq(&first, &t[0].ep));
    g_assert_true(l->tcp == t[0].tcp);
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < n; i++) {
        char ep[SIM_EP_STRLEN];
        g_string_append_printf(s, "%s%s/%s", i ? " " : "", sim_ep_fmt(&t[i].ep, ep, sizeof ep),
                               t[i].tcp ? "tcp" : "udp");
    }
    return g_string_free(s, FALSE);
}

/* Locates uri against zone with the RFC 2782 draw seeded by seed: locate()'s answers. */
static char *locate_uri(const GArray *zone, const char *uri, bool prefer_tcp, uint64_t seed,
                        char **asked)
{
    sip_locate l;
    sim_rng rng;
    sim_rng_seed(&rng, seed);
    g_assert_cmpint(sip_locate_init_uri(&l, uri, prefer_tcp, &rng), ==, 0);
    return locate(&l, zone, asked);
}

/* Locates uri against zone and checks the questions and the targets. */
static void check(const GArray *zone, const char *uri, bool prefer_tcp, const char *want_asked,
                  const char *want_targets)
{
    g_autofree char *asked = NULL;
    g_autofree char *got = locate_uri(zone, uri, prefer_tcp, 1, &asked);
    g_assert_cmpstr(asked, ==, want_asked);
    g_assert_cmpstr(got, ==, want_targets);
}

/* ---------------------------------------------------------------- §4.1 NAPTR */

/* NAPTR records are used by order, then preference; services we do not have (SIPS+D2T: TLS,
 * SIP+D2S: SCTP), flags other than "s" and unknown services are skipped, the others kept:
 * one SRV query per usable record, its targets in that order with that record's transport. */
static void test_naptr_order(void)
{
    GArray *z = zone_new();
    naptr(z, "x.test", 20, 10, "s", "SIP+D2U", "_sip._udp.x.test");
    naptr(z, "x.test", 10, 20, "s", "SIP+D2T", "_sip._tcp.x.test");
    naptr(z, "x.test", 10, 5, "s", "SIPS+D2T", "_sips._tcp.x.test");
    naptr(z, "x.test", 10, 6, "s", "SIP+D2S", "_sip._sctp.x.test");
    naptr(z, "x.test", 10, 7, "a", "SIP+D2U", "other.x.test");
    naptr(z, "x.test", 1, 1, "s", "E2U+sip", "enum.x.test");
    srv(z, "_sip._tcp.x.test", 0, 0, 5070, "t.x.test");
    srv(z, "_sip._udp.x.test", 0, 0, 5060, "u.x.test");
    srv(z, "_sips._tcp.x.test", 0, 0, 5061, "tls.x.test");
    addr(z, "t.x.test", "10.0.0.1");
    addr(z, "t.x.test", "2001:db8::1");
    addr(z, "u.x.test", "10.0.0.2");
    check(z, "sip:bob@x.test", false,
          "NAPTR x.test; SRV _sip._tcp.x.test; SRV _sip._udp.x.test; A t.x.test; AAAA t.x.test; "
          "A u.x.test; AAAA u.x.test",
          "10.0.0.1:5070/tcp [2001:db8::1]:5070/tcp 10.0.0.2:5060/udp");
    /* the same order and preference: answer order decides */
    GArray *y = zone_new();
    naptr(y, "y.test", 10, 10, "S", "sip+d2u", "_sip._udp.y.test");
    naptr(y, "y.test", 10, 10, "s", "SIP+D2T", "_sip._tcp.y.test");
    srv(y, "_sip._tcp.y.test", 0, 0, 5060, "h.y.test");
    srv(y, "_sip._udp.y.test", 0, 0, 5060, "h.y.test");
    addr(y, "h.y.test", "10.0.0.3");
    check(y, "sip:y.test", true,
          "NAPTR y.test; SRV _sip._udp.y.test; SRV _sip._tcp.y.test; A h.y.test; "
          "AAAA h.y.test; A h.y.test; AAAA h.y.test",
          "10.0.0.3:5060/udp 10.0.0.3:5060/tcp");
    g_array_free(z, TRUE);
    g_array_free(y, TRUE);
}

/* NAPTR records exist but none is usable (only SIPS): as if there were none, SRV per
 * transport. */
static void test_naptr_none_usable(void)
{
    GArray *z = zone_new();
    naptr(z, "x.test", 10, 10, "s", "SIPS+D2T", "_sips._tcp.x.test");
    srv(z, "_sip._udp.x.test", 0, 0, 5060, "u.x.test");
    addr(z, "u.x.test", "10.0.0.2");
    check(z, "sip:x.test", false,
          "NAPTR x.test; SRV _sip._udp.x.test; SRV _sip._tcp.x.test; A u.x.test; AAAA u.x.test",
          "10.0.0.2:5060/udp");
    g_array_free(z, TRUE);
}

/* ---------------------------------------------------------------- §4.1 SRV per transport */

/* No NAPTR: SRV _sip._udp and _sip._tcp, the transports found in the client's order (UDP
 * first, or TCP first when it prefers TCP). A domain with only _sip._tcp goes over TCP. */
static void test_srv_per_transport(void)
{
    GArray *z = zone_new();
    srv(z, "_sip._tcp.tcponly.test", 0, 0, 5060, "sip.tcponly.test");
    addr(z, "sip.tcponly.test", "10.0.1.1");
    srv(z, "_sip._udp.both.test", 0, 0, 5060, "u.both.test");
    srv(z, "_sip._tcp.both.test", 0, 0, 5080, "t.both.test");
    addr(z, "u.both.test", "10.0.2.1");
    addr(z, "t.both.test", "10.0.2.2");
    check(z, "sip:alice@tcponly.test", false,
          "NAPTR tcponly.test; SRV _sip._udp.tcponly.test; SRV _sip._tcp.tcponly.test; "
          "A sip.tcponly.test; AAAA sip.tcponly.test",
          "10.0.1.1:5060/tcp");
    check(z, "sip:alice@both.test", false,
          "NAPTR both.test; SRV _sip._udp.both.test; SRV _sip._tcp.both.test; A u.both.test; "
          "AAAA u.both.test; A t.both.test; AAAA t.both.test",
          "10.0.2.1:5060/udp 10.0.2.2:5080/tcp");
    check(z, "sip:alice@both.test", true,
          "NAPTR both.test; SRV _sip._tcp.both.test; SRV _sip._udp.both.test; A t.both.test; "
          "AAAA t.both.test; A u.both.test; AAAA u.both.test",
          "10.0.2.2:5080/tcp 10.0.2.1:5060/udp");
    g_array_free(z, TRUE);
}

/* §4.2 without SRV: the domain's own A and AAAA, port 5060, UDP (TCP when preferred); the
 * IPv4 addresses first. Nothing at all: failed. */
static void test_no_srv(void)
{
    GArray *z = zone_new();
    addr(z, "plain.test", "2001:db8::5");
    addr(z, "plain.test", "10.0.3.1");
    const char *asked = "NAPTR plain.test; SRV _sip._udp.plain.test; SRV _sip._tcp.plain.test; "
                        "A plain.test; AAAA plain.test";
    check(z, "sip:plain.test", false, asked, "10.0.3.1:5060/udp [2001:db8::5]:5060/udp");
    check(z, "sip:carol@plain.test;transport=udp", true,
          "SRV _sip._udp.plain.test; A plain.test; AAAA plain.test",
          "10.0.3.1:5060/udp [2001:db8::5]:5060/udp");
    check(z, "sip:plain.test", true,
          "NAPTR plain.test; SRV _sip._tcp.plain.test; SRV _sip._udp.plain.test; "
          "A plain.test; AAAA plain.test",
          "10.0.3.1:5060/tcp [2001:db8::5]:5060/tcp");
    check(z, "sip:nothing.test", false,
          "NAPTR nothing.test; SRV _sip._udp.nothing.test; SRV _sip._tcp.nothing.test; "
          "A nothing.test; AAAA nothing.test",
          "failed");
    g_array_free(z, TRUE);
}

/* ---------------------------------------------------------------- the URI decides */

/* An IP literal: no lookup at all; an explicit port: A/AAAA of the name, no NAPTR, no SRV; a
 * transport parameter: no NAPTR, SRV for that transport only. */
static void test_explicit(void)
{
    GArray *z = zone_new();
    srv(z, "_sip._tcp.x.test", 0, 0, 5090, "t.x.test");
    srv(z, "_sip._udp.x.test", 0, 0, 5060, "u.x.test");
    addr(z, "x.test", "10.0.4.1");
    addr(z, "t.x.test", "10.0.4.2");
    addr(z, "u.x.test", "10.0.4.3");
    check(z, "sip:bob@10.0.0.7", false, "", "10.0.0.7:5060/udp");
    check(z, "sip:bob@10.0.0.7", true, "", "10.0.0.7:5060/tcp");
    check(z, "sip:bob@10.0.0.7:5080;transport=TCP", false, "", "10.0.0.7:5080/tcp");
    check(z, "sip:bob@[2001:db8::7]:5062", false, "", "[2001:db8::7]:5062/udp");
    check(z, "sip:bob@x.test:5070", true, "A x.test; AAAA x.test", "10.0.4.1:5070/tcp");
    check(z, "sip:bob@x.test:5070;transport=udp", true, "A x.test; AAAA x.test",
          "10.0.4.1:5070/udp");
    check(z, "sip:bob@x.test;transport=tcp", false,
          "SRV _sip._tcp.x.test; A t.x.test; AAAA t.x.test", "10.0.4.2:5090/tcp");
    check(z, "sip:bob@x.test;lr;transport=udp", true,
          "SRV _sip._udp.x.test; A u.x.test; AAAA u.x.test", "10.0.4.3:5060/udp");
    sip_locate l;
    static const char *const bad[] = { "sip:bob@x.test;transport=tls", "tel:+1-201-555-0123",
                                       "mailto:bob@x.test", "sip:bob@bad..name", "nonsense" };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_cmpint(sip_locate_init_uri(&l, bad[i], false, NULL), ==, -EINVAL);
        sim_ep e;
        g_assert_cmpint(sip_locate_result(&l, &e), ==, -EHOSTUNREACH);
    }
    g_array_free(z, TRUE);
}

/* ---------------------------------------------------------------- RFC 2782 */

/* Priorities first (lowest first, whatever the weights); "." targets skipped; two records
 * naming the same host and port give one target; the list stops at SIP_LOCATE_MAX. */
static void test_srv_priority(void)
{
    GArray *z = zone_new();
    srv(z, "_sip._udp.p.test", 30, 100, 5060, "c.p.test");
    srv(z, "_sip._udp.p.test", 10, 1, 5060, "a.p.test");
    srv(z, "_sip._udp.p.test", 20, 0, 5060, ".");
    srv(z, "_sip._udp.p.test", 20, 50, 5060, "b.p.test");
    srv(z, "_sip._udp.p.test", 40, 0, 5060, "a.p.test");
    addr(z, "a.p.test", "10.0.5.1");
    addr(z, "b.p.test", "10.0.5.2");
    addr(z, "c.p.test", "10.0.5.3");
    check(z, "sip:p.test;transport=udp", false,
          "SRV _sip._udp.p.test; A a.p.test; AAAA a.p.test; A b.p.test; AAAA b.p.test; "
          "A c.p.test; AAAA c.p.test; A a.p.test; AAAA a.p.test",
          "10.0.5.1:5060/udp 10.0.5.2:5060/udp 10.0.5.3:5060/udp");
    /* RFC 2782: "." as the only target: decidedly no service (no A/AAAA fallback), unless the
     * other transport has one */
    srv(z, "_sip._udp.dot.test", 0, 0, 0, ".");
    addr(z, "dot.test", "10.0.5.9");
    check(z, "sip:dot.test", false,
          "NAPTR dot.test; SRV _sip._udp.dot.test; SRV _sip._tcp.dot.test", "failed");
    srv(z, "_sip._tcp.dot.test", 0, 0, 5060, "a.p.test");
    check(z, "sip:dot.test", false,
          "NAPTR dot.test; SRV _sip._udp.dot.test; SRV _sip._tcp.dot.test; A a.p.test; "
          "AAAA a.p.test",
          "10.0.5.1:5060/tcp");
    GArray *big = zone_new();
    for (int i = 0; i < 40; i++)
        srv(big, "_sip._udp.big.test", (uint16_t)i, 1, (uint16_t)(6000 + i), "h.big.test");
    addr(big, "h.big.test", "10.0.6.1");
    sip_locate l;
    g_assert_cmpint(sip_locate_init_uri(&l, "sip:big.test;transport=udp", false, NULL), ==, 0);
    g_autofree char *asked = NULL;
    g_autofree char *got = locate(&l, big, &asked);
    const sip_target *t;
    g_assert_cmpuint(sip_locate_targets(&l, &t), ==, SIP_LOCATE_MAX);
    g_assert_cmpuint(t[SIP_LOCATE_MAX - 1].ep.port, ==, 6000 + SIP_LOCATE_MAX - 1);
    g_array_free(z, TRUE);
    g_array_free(big, TRUE);
}

/* How often each record of rrs comes first over `seeds` seeds (counts[i] for record i). */
static void first_counts(const GArray *rrs, unsigned seeds, unsigned *counts)
{
    for (unsigned seed = 1; seed <= seeds; seed++) {
        sim_rng rng;
        sim_rng_seed(&rng, seed);
        const dns_rr *out[8];
        size_t n = sip_locate_srv_order(rrs, &rng, out, G_N_ELEMENTS(out));
        g_assert_cmpuint(n, ==, rrs->len);
        counts[out[0] - &g_array_index(rrs, dns_rr, 0)]++;
    }
}

/* The weighted draw: over 4000 fixed seeds the first pick follows the weights 60:30:10 (the
 * draw is over [0, 100], so the first record also takes 0: 61/101, 30/101, 10/101); a
 * weight-0 record beside weight 100 comes first about 1 time in 101. Deterministic (fixed
 * seeds), the bounds are a few standard deviations wide. The same seed gives the same order,
 * and a lower priority is never drawn before a higher one. */
static void test_srv_weights(void)
{
    GArray *z = zone_new();
    srv(z, "_sip._udp.w.test", 10, 60, 5060, "a.w.test");
    srv(z, "_sip._udp.w.test", 10, 30, 5060, "b.w.test");
    srv(z, "_sip._udp.w.test", 10, 10, 5060, "c.w.test");
    srv(z, "_sip._udp.w.test", 5, 0, 5060, "first.w.test");
    srv(z, "_sip._udp.w.test", 99, 1000, 5060, "last.w.test");
    const unsigned seeds = 4000;
    unsigned cnt[5] = { 0 };
    GArray *grp = zone_new();
    for (guint i = 0; i < 3; i++)
        g_array_append_val(grp, g_array_index(z, dns_rr, i));
    first_counts(grp, seeds, cnt);
    g_test_message("first picks over %u seeds: %u %u %u", seeds, cnt[0], cnt[1], cnt[2]);
    g_assert_cmpuint(cnt[0], >, seeds * 61 / 101 - 120);
    g_assert_cmpuint(cnt[0], <, seeds * 61 / 101 + 120);
    g_assert_cmpuint(cnt[1], >, seeds * 30 / 101 - 110);
    g_assert_cmpuint(cnt[1], <, seeds * 30 / 101 + 110);
    g_assert_cmpuint(cnt[2], >, seeds * 10 / 101 - 70);
    g_assert_cmpuint(cnt[2], <, seeds * 10 / 101 + 70);
    /* the whole answer: priority 5 first, 99 last, every time */
    for (unsigned seed = 1; seed <= 200; seed++) {
        sim_rng rng, again;
        sim_rng_seed(&rng, seed);
        sim_rng_seed(&again, seed);
        const dns_rr *o1[8], *o2[8];
        g_assert_cmpuint(sip_locate_srv_order(z, &rng, o1, 8), ==, 5);
        g_assert_cmpuint(sip_locate_srv_order(z, &again, o2, 8), ==, 5);
        g_assert_cmpmem(o1, sizeof o1[0] * 5, o2, sizeof o2[0] * 5);
        g_assert_cmpuint(o1[0]->rd.srv.priority, ==, 5);
        g_assert_cmpuint(o1[4]->rd.srv.priority, ==, 99);
    }
    /* weight 0 beside weight 100 (listed after it: RFC 2782 puts weight 0 first anyway) */
    GArray *zero = zone_new();
    srv(zero, "_sip._udp.z.test", 1, 100, 5060, "heavy.z.test");
    srv(zero, "_sip._udp.z.test", 1, 0, 5060, "zero.z.test");
    unsigned zc[2] = { 0 };
    first_counts(zero, seeds, zc);
    g_test_message("weight 0 first %u times of %u", zc[1], seeds);
    g_assert_cmpuint(zc[1], >, 10);
    g_assert_cmpuint(zc[1], <, 80);
    /* no rng: answer order within a priority, weight 0 first */
    const dns_rr *o[2];
    g_assert_cmpuint(sip_locate_srv_order(zero, NULL, o, 2), ==, 2);
    g_assert_cmpuint(o[0]->rd.srv.weight, ==, 0);
    g_assert_cmpuint(sip_locate_srv_order(zero, NULL, o, 1), ==, 1); /* cap */
    g_array_free(z, TRUE);
    g_array_free(grp, TRUE);
    g_array_free(zero, TRUE);
}

/* The same draw through sip_locate: the targets' order changes with the seed, and each seed
 * always gives the same list. */
static void test_srv_seeded_targets(void)
{
    GArray *z = zone_new();
    srv(z, "_sip._udp.s.test", 0, 50, 5060, "a.s.test");
    srv(z, "_sip._udp.s.test", 0, 50, 5060, "b.s.test");
    addr(z, "a.s.test", "10.0.7.1");
    addr(z, "b.s.test", "10.0.7.2");
    unsigned a_first = 0;
    for (unsigned seed = 1; seed <= 100; seed++) {
        g_autofree char *lists[2] = { NULL, NULL };
        for (int k = 0; k < 2; k++) {
            g_autofree char *asked = NULL;
            lists[k] = locate_uri(z, "sip:s.test;transport=udp", false, seed, &asked);
        }
        g_assert_cmpstr(lists[0], ==, lists[1]);
        a_first += g_str_has_prefix(lists[0], "10.0.7.1");
    }
    g_assert_cmpuint(a_first, >, 30);
    g_assert_cmpuint(a_first, <, 70);
    g_array_free(z, TRUE);
}

/* ---------------------------------------------------------------- the proxy's side */

/* RFC 3263 fallbacks: no NAPTR -> SRV _sip._udp and _sip._tcp; no SRV either -> A and AAAA
 * of the domain, port 5060; nothing -> unreachable. */
static void test_locate_fallbacks(void)
{
    sip_locate l;
    dns_name q;
    uint16_t t;
    char buf[DNS_NAME_STRLEN];
    static const char *const want[][2] = { { "NAPTR", "example.org" },
                                           { "SRV", "_sip._udp.example.org" },
                                           { "SRV", "_sip._tcp.example.org" },
                                           { "A", "example.org" },
                                           { "AAAA", "example.org" } };
    g_assert_cmpint(sip_locate_init(&l, "example.org"), ==, 0);
    dns_result none = { .status = DNS_NODATA };
    sim_ep e;
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
        g_assert_true(sip_locate_next(&l, &q, &t));
        g_assert_cmpstr(dns_type_name(t), ==, want[i][0]);
        g_assert_cmpstr(dns_name_fmt(&q, buf, sizeof buf), ==, want[i][1]);
        g_assert_cmpint(sip_locate_result(&l, &e), ==, -EAGAIN);
        sip_locate_feed(&l, &none);
    }
    g_assert_false(sip_locate_next(&l, &q, &t));
    g_assert_cmpint(sip_locate_result(&l, &e), ==, -EHOSTUNREACH);
    g_assert_cmpint(sip_locate_init(&l, "bad..name"), ==, -EINVAL);
}

/* proxy.rutgers.edu (10.0.1.5; Record-Route when record_route; its rng, which the caller
 * keeps, seeded with seed) once the request text req came in from 10.0.1.10:5060. Owned. */
static sip_server *proxy_got(sim_rng *rng, uint64_t seed, bool record_route, const char *req)
{
    sip_server_cfg cfg = { .domain = "rutgers.edu", .self = ep("10.0.1.5:5060"),
                           .record_route = record_route };
    sim_rng_seed(rng, seed);
    sip_server *s = sip_server_new(&cfg, rng);
    sim_ep from = ep("10.0.1.10:5060");
    g_assert_cmpint(sip_server_input(s, 0, &from, (const uint8_t *)req, strlen(req)), ==, 0);
    return s;
}

/* The request the proxy forwarded in o, decoded (owned): two Vias, the proxy's on top, an
 * RFC 3261 one over TCP. */
static sip_msg *forwarded_over_tcp(const sip_out *o)
{
    sip_msg *m = NULL;
    sip_via v;
    g_assert_cmpint(sip_msg_decode(o->data, o->len, &m, NULL), ==, 0);
    g_assert_true(m->request);
    g_assert_cmpuint(sip_msg_count(m, SIP_HDR_VIA), ==, 2);
    g_assert_cmpint(sip_msg_via(m, 0, &v), ==, 0);
    g_assert_cmpmem(v.transport.p, v.transport.len, "TCP", 3);
    g_assert_true(v.rfc3261);
    return m;
}

/* RFC 3263 §4.1 with both transports offered: the NAPTR with the lowest order wins, here
 * SIP+D2T, so the lookup goes on with its replacement and reports TCP; the proxy then sends
 * that branch with Via SIP/2.0/TCP, keeping its branch parameter. */
static void test_locate_tcp(void)
{
    sip_locate l;
    g_assert_cmpint(sip_locate_init(&l, "tcp.test"), ==, 0);
    dns_name owner;
    dns_name_from_str("tcp.test", &owner);
    dns_result r = { .status = DNS_OK };
    r.rrs = g_array_new(FALSE, TRUE, sizeof(dns_rr));
    static const char *const services[] = { "SIP+D2U", "SIP+D2T" };
    for (int i = 0; i < 2; i++) {
        dns_rr rr = { .type = DNS_T_NAPTR, .rclass = DNS_C_IN, .ttl = 300, .name = owner };
        rr.rd.naptr.order = (uint16_t)(20 - 10 * i); /* D2T: order 10, D2U: 20 */
        strcpy(rr.rd.naptr.flags.s, "s");
        strcpy(rr.rd.naptr.services.s, services[i]);
        dns_name_from_str(i ? "_sip._tcp.tcp.test" : "_sip._udp.tcp.test",
                          &rr.rd.naptr.replacement);
        g_array_append_val(r.rrs, rr);
    }
    sip_locate_feed(&l, &r);
    g_array_free(r.rrs, TRUE);
    dns_name q;
    uint16_t t;
    char buf[DNS_NAME_STRLEN];
    g_assert_true(sip_locate_next(&l, &q, &t));
    g_assert_cmpuint(t, ==, DNS_T_SRV);
    g_assert_cmpstr(dns_name_fmt(&q, buf, sizeof buf), ==, "_sip._tcp.tcp.test");
    dns_result none = { .status = DNS_NODATA }; /* then the SIP+D2U record's */
    sip_locate_feed(&l, &none);
    g_assert_true(sip_locate_next(&l, &q, &t));
    g_assert_cmpstr(dns_name_fmt(&q, buf, sizeof buf), ==, "_sip._udp.tcp.test");

    sim_rng rng;
    sip_server *s = proxy_got(&rng, 3, false,
                              "OPTIONS sip:carol@tcp.test SIP/2.0\r\n"
                              "Via: SIP/2.0/UDP 10.0.1.10:5060;branch=z9hG4bKc1\r\n"
                              "From: <sip:alice@rutgers.edu>;tag=1\r\nTo: <sip:carol@tcp.test>\r\n"
                              "Call-ID: tcp1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
                              "Content-Length: 0\r\n\r\n");
    unsigned id;
    char host[64];
    g_assert_true(sip_server_lookup_pop(s, &id, host, sizeof host));
    g_assert_cmpstr(host, ==, "tcp.test");
    sim_ep to = ep("10.0.3.7:5070");
    sip_server_located_over(s, 0, id, 0, &to, true);
    sip_out o;
    g_assert_true(sip_server_pop(s, &o));
    sip_msg *m = forwarded_over_tcp(&o);
    g_assert_cmpstr(m->method, ==, "OPTIONS");
    g_assert_cmpstr(sim_ep_fmt(&o.to, host, sizeof host), ==, "10.0.3.7:5070");
    sip_msg_free(m);
    sip_out_clear(&o);
    sip_server_free(s);
}

/* The top Via branch of a request as sent (owned), to compare two attempts. */
static char *invite_branch(const sip_out *o)
{
    sip_msg *m = NULL;
    sip_via v;
    g_assert_cmpint(sip_msg_decode(o->data, o->len, &m, NULL), ==, 0);
    g_assert_cmpint(sip_msg_via(m, 0, &v), ==, 0);
    char *b = g_strndup(v.branch.p, v.branch.len);
    sip_msg_free(m);
    return b;
}

/* The two attempts of a failover are two transactions: different branch parameters, the same
 * Record-Route and one Via of ours (the first attempt's is replaced, not stacked). */
static void test_failover_branches(void)
{
    sim_rng rng;
    sip_server *s = proxy_got(&rng, 9, true,
                              "INVITE sip:carol@fail.test SIP/2.0\r\n"
                              "Via: SIP/2.0/UDP 10.0.1.10:5060;branch=z9hG4bKf1\r\n"
                              "From: <sip:alice@rutgers.edu>;tag=1\r\nTo: <sip:carol@fail.test>\r\n"
                              "Call-ID: fo1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
                              "Contact: <sip:alice@10.0.1.10>\r\nContent-Length: 0\r\n\r\n");
    sip_out o;
    g_assert_true(sip_server_pop(s, &o)); /* 100 Trying */
    sip_out_clear(&o);
    unsigned id;
    char uri[128];
    bool tcp = true;
    g_assert_true(sip_server_lookup_pop_uri(s, &id, uri, sizeof uri, &tcp));
    g_assert_cmpstr(uri, ==, "sip:carol@fail.test");
    g_assert_false(tcp);
    sip_target t[2] = { { .ep = ep("10.0.3.1:5060") }, { .ep = ep("10.0.3.2:5070"), .tcp = true } };
    sip_server_located_list(s, 0, id, 0, t, 2);
    g_assert_true(sip_server_pop(s, &o));
    g_assert_true(ep_is(&o.to, "10.0.3.1:5060"));
    g_autofree char *b1 = invite_branch(&o);
    sip_out_clear(&o);
    sip_server_timeout(s, 64 * 500 * SIM_MS); /* Timer B */
    bool second = false;
    while (sip_server_pop(s, &o)) {
        if (ep_is(&o.to, "10.0.3.2:5070")) {
            g_autofree char *b2 = invite_branch(&o);
            g_assert_cmpstr(b1, !=, b2);
            sip_msg *m = forwarded_over_tcp(&o); /* the target's transport */
            /* RFC 5658: in over UDP, out over TCP: one value per side, the TCP one on top;
             * the first attempt's (UDP) value was replaced */
            g_assert_cmpuint(sip_msg_count(m, SIP_HDR_RECORD_ROUTE), ==, 2);
            sip_str rr;
            g_assert_cmpint(sip_msg_value(m, SIP_HDR_RECORD_ROUTE, 0, &rr), ==, 0);
            g_assert_cmpmem(rr.p, rr.len, "<sip:10.0.1.5:5060;transport=tcp;lr>", 36);
            g_assert_cmpint(sip_msg_value(m, SIP_HDR_RECORD_ROUTE, 1, &rr), ==, 0);
            g_assert_cmpmem(rr.p, rr.len, "<sip:10.0.1.5:5060;lr>", 22);
            sip_msg_free(m);
            second = true;
        }
        sip_out_clear(&o);
    }
    g_assert_true(second);
    /* the second target times out too: nothing is left, 408 goes upstream */
    sip_server_timeout(s, 2 * 64 * 500 * SIM_MS);
    bool got408 = false;
    while (sip_server_pop(s, &o)) {
        sip_msg *m = NULL;
        g_assert_cmpint(sip_msg_decode(o.data, o.len, &m, NULL), ==, 0);
        got408 = got408 || (!m->request && m->status == 408 && ep_is(&o.to, "10.0.1.10:5060"));
        sip_msg_free(m);
        sip_out_clear(&o);
    }
    g_assert_true(got408);
    g_assert_cmpuint(sip_server_get_stats(s)->failovers, ==, 1);
    sip_server_free(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sip/locate/naptr-order-preference", test_naptr_order);
    g_test_add_func("/sip/locate/naptr-none-usable", test_naptr_none_usable);
    g_test_add_func("/sip/locate/srv-per-transport", test_srv_per_transport);
    g_test_add_func("/sip/locate/no-srv-a-aaaa", test_no_srv);
    g_test_add_func("/sip/locate/explicit-ip-port-transport", test_explicit);
    g_test_add_func("/sip/locate/srv-priority", test_srv_priority);
    g_test_add_func("/sip/locate/srv-weights", test_srv_weights);
    g_test_add_func("/sip/locate/srv-seeded-targets", test_srv_seeded_targets);
    g_test_add_func("/sip/locate/fallbacks", test_locate_fallbacks);
    g_test_add_func("/sip/locate/naptr-tcp-branch", test_locate_tcp);
    g_test_add_func("/sip/locate/failover-branches", test_failover_branches);
    return g_test_run();
}
