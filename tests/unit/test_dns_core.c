/* tests/unit/test_dns_core.c — the authoritative server and the stub resolver cores, driven
 * with fake time and an in-memory network (no simulator). */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/dns/dns.h"
#include "dns_fx.h"
#include "ep_util.h"

/* ---------------------------------------------------------------- a zone */

static dns_rr soa_rr(const char *zone)
{
    dns_rr rr = { .name = name(zone), .type = DNS_T_SOA, .rclass = DNS_C_IN, .ttl = 3600 };
    char *ns = g_strdup_printf("ns.%s", zone), *hm = g_strdup_printf("hostmaster.%s", zone);
    rr.rd.soa.mname = name(ns);
    rr.rd.soa.rname = name(hm);
    rr.rd.soa.serial = 1, rr.rd.soa.refresh = 7200, rr.rd.soa.retry = 900;
    rr.rd.soa.expire = 1209600, rr.rd.soa.minimum = 60;
    g_free(ns);
    g_free(hm);
    return rr;
}

static void add_a(dns_server *s, const char *owner, const char *ip, uint32_t ttl)
{
    dns_rr rr = { .name = name(owner), .type = DNS_T_A, .rclass = DNS_C_IN, .ttl = ttl };
    sim_ip a;
    g_assert_cmpint(sim_ip_parse(ip, &a), ==, 0);
    memcpy(rr.rd.a, a.b, 4);
    g_assert_cmpint(dns_server_add_rr(s, &rr), ==, 0);
}

/* mit.edu as in the lecture: NAPTR -> SRV -> A/AAAA for SIP, a CNAME, a big RRset. */
static dns_server *mit_server(void)
{
    dns_server *s = dns_server_new(0);
    dns_rr soa = soa_rr("mit.edu");
    g_assert_cmpint(dns_server_add_zone(s, &soa), ==, 0);
    g_assert_cmpint(dns_server_add_zone(s, &soa), ==, -EEXIST);
    add_a(s, "proxy.mit.edu", "18.7.22.83", 300);
    dns_rr rr = { .name = name("proxy.mit.edu"), .type = DNS_T_AAAA, .rclass = DNS_C_IN,
                  .ttl = 300 };
    sim_ip ip6;
    sim_ip_parse("2001:db8::83", &ip6);
    memcpy(rr.rd.aaaa, ip6.b, 16);
    g_assert_cmpint(dns_server_add_rr(s, &rr), ==, 0);
    rr = (dns_rr){ .name = name("_sip._udp.mit.edu"), .type = DNS_T_SRV, .rclass = DNS_C_IN,
                   .ttl = 300 };
    rr.rd.srv.port = 5060, rr.rd.srv.target = name("proxy.mit.edu");
    g_assert_cmpint(dns_server_add_rr(s, &rr), ==, 0);
    g_assert_cmpint(dns_server_add_rr(s, &rr), ==, -EEXIST);
    rr = (dns_rr){ .name = name("mit.edu"), .type = DNS_T_NAPTR, .rclass = DNS_C_IN, .ttl = 300 };
    rr.rd.naptr.order = 50, rr.rd.naptr.preference = 50;
    rr.rd.naptr.flags = (dns_cstr){ 1, "s" };
    rr.rd.naptr.services = (dns_cstr){ 7, "SIP+D2U" };
    rr.rd.naptr.replacement = name("_sip._udp.mit.edu");
    g_assert_cmpint(dns_server_add_rr(s, &rr), ==, 0);
    rr = (dns_rr){ .name = name("sip.mit.edu"), .type = DNS_T_CNAME, .rclass = DNS_C_IN,
                   .ttl = 600 };
    rr.rd.target = name("proxy.mit.edu");
    g_assert_cmpint(dns_server_add_rr(s, &rr), ==, 0);
    rr.name = name("www.mit.edu"), rr.rd.target = name("www.example.org");
    g_assert_cmpint(dns_server_add_rr(s, &rr), ==, 0);
    /* RFC 1034 §3.6.2: nothing beside a CNAME */
    add_a(s, "big.mit.edu", "10.0.0.1", 60);
    rr.name = name("big.mit.edu");
    g_assert_cmpint(dns_server_add_rr(s, &rr), ==, -EINVAL);
    dns_rr other = { .name = name("sip.mit.edu"), .type = DNS_T_A, .rclass = DNS_C_IN };
    g_assert_cmpint(dns_server_add_rr(s, &other), ==, -EINVAL);
    other.name = name("elsewhere.org");
    g_assert_cmpint(dns_server_add_rr(s, &other), ==, -ENOENT);
    for (int i = 2; i <= 40; i++) { /* 40 A records: 40 x 16 bytes pass 512 */
        char ip[32];
        g_snprintf(ip, sizeof ip, "10.0.0.%d", i);
        add_a(s, "big.mit.edu", ip, 60);
    }
    return s;
}

/* Sends one query to the server core and decodes its answer. Returns the server's code. */
static int ask_raw(dns_server *s, const uint8_t *buf, size_t len, dns_msg *resp, size_t *rlen)
{
    sim_ep from = ep("10.1.1.3:4000");
    int rc = dns_server_input(s, 0, &from, buf, len);
    dns_out o;
    if (!dns_server_pop(s, &o)) {
        g_assert_cmpint(rc, ==, -ENOENT);
        return rc;
    }
    g_assert_true(sim_ep_eq(&o.to, &from));
    if (rlen)
        *rlen = o.len;
    g_assert_cmpint(dns_msg_decode(o.data, o.len, resp, NULL), ==, 0);
    return rc;
}

static void ask(dns_server *s, const char *qname, uint16_t qtype, dns_msg *resp)
{
    dns_msg q;
    dns_msg_init(&q);
    q.id = 0x4242;
    q.rd = true;
    dns_name n = name(qname);
    dns_msg_add_question(&q, &n, qtype, DNS_C_IN);
    uint8_t buf[512];
    size_t len;
    g_assert_cmpint(dns_msg_encode(&q, 0, buf, sizeof buf, &len), ==, 0);
    dns_msg_clear(&q);
    g_assert_cmpint(ask_raw(s, buf, len, resp, NULL), ==, 0);
    g_assert_cmpuint(resp->id, ==, 0x4242);
    g_assert_true(resp->qr && resp->rd && !resp->ra);
}

static const dns_rr *rr_at(const dns_msg *m, dns_section s, size_t i)
{
    g_assert_cmpuint(i, <, dns_msg_count(m, s));
    return dns_msg_rrs(m, s, i);
}

static void test_server_answers(void)
{
    dns_server *s = mit_server();
    dns_msg m;
    ask(s, "PROXY.mit.edu", DNS_T_A, &m); /* case-insensitive, case of the question kept */
    g_assert_true(m.aa);
    g_assert_cmpuint(m.rcode, ==, DNS_RC_NOERROR);
    g_assert_cmpstr(fmt(&dns_msg_question(&m, 0)->name), ==, "PROXY.mit.edu");
    g_assert_cmpuint(dns_msg_count(&m, DNS_AN), ==, 1);
    g_assert_cmpuint(rr_at(&m, DNS_AN, 0)->rd.a[0], ==, 18);
    g_assert_cmpuint(dns_msg_count(&m, DNS_NS), ==, 0);
    dns_msg_clear(&m);

    ask(s, "nope.mit.edu", DNS_T_A, &m); /* NXDOMAIN: SOA with TTL min(3600, 60) */
    g_assert_true(m.aa);
    g_assert_cmpuint(m.rcode, ==, DNS_RC_NXDOMAIN);
    g_assert_cmpuint(dns_msg_count(&m, DNS_AN), ==, 0);
    g_assert_cmpuint(rr_at(&m, DNS_NS, 0)->type, ==, DNS_T_SOA);
    g_assert_cmpuint(rr_at(&m, DNS_NS, 0)->ttl, ==, 60);
    dns_msg_clear(&m);

    ask(s, "proxy.mit.edu", DNS_T_TXT, &m); /* NODATA */
    g_assert_cmpuint(m.rcode, ==, DNS_RC_NOERROR);
    g_assert_cmpuint(dns_msg_count(&m, DNS_AN), ==, 0);
    g_assert_cmpuint(rr_at(&m, DNS_NS, 0)->type, ==, DNS_T_SOA);
    dns_msg_clear(&m);

    ask(s, "_udp.mit.edu", DNS_T_A, &m); /* an empty non-terminal exists: NODATA */
    g_assert_cmpuint(m.rcode, ==, DNS_RC_NOERROR);
    g_assert_cmpuint(dns_msg_count(&m, DNS_NS), ==, 1);
    dns_msg_clear(&m);

    ask(s, "mit.edu", DNS_T_SOA, &m);
    g_assert_cmpuint(rr_at(&m, DNS_AN, 0)->type, ==, DNS_T_SOA);
    dns_msg_clear(&m);

    ask(s, "sip.mit.edu", DNS_T_A, &m); /* CNAME chased inside the zone */
    g_assert_cmpuint(dns_msg_count(&m, DNS_AN), ==, 2);
    g_assert_cmpuint(rr_at(&m, DNS_AN, 0)->type, ==, DNS_T_CNAME);
    g_assert_cmpuint(rr_at(&m, DNS_AN, 1)->type, ==, DNS_T_A);
    g_assert_cmpstr(fmt(&rr_at(&m, DNS_AN, 1)->name), ==, "proxy.mit.edu");
    dns_msg_clear(&m);

    ask(s, "www.mit.edu", DNS_T_A, &m); /* CNAME out of the zone: the resolver follows */
    g_assert_cmpuint(m.rcode, ==, DNS_RC_NOERROR);
    g_assert_cmpuint(dns_msg_count(&m, DNS_AN), ==, 1);
    g_assert_cmpuint(dns_msg_count(&m, DNS_NS), ==, 0);
    dns_msg_clear(&m);

    ask(s, "sip.mit.edu", DNS_T_CNAME, &m); /* asking for the CNAME itself: no chasing */
    g_assert_cmpuint(dns_msg_count(&m, DNS_AN), ==, 1);
    dns_msg_clear(&m);

    ask(s, "example.com", DNS_T_A, &m); /* not ours */
    g_assert_cmpuint(m.rcode, ==, DNS_RC_REFUSED);
    g_assert_false(m.aa);
    dns_msg_clear(&m);
    dns_server_free(s);
}

static void test_server_additional(void)
{
    dns_server *s = mit_server();
    dns_msg m;
    ask(s, "_sip._udp.mit.edu", DNS_T_SRV, &m); /* RFC 2782: the target's addresses */
    g_assert_cmpuint(dns_msg_count(&m, DNS_AN), ==, 1);
    g_assert_cmpuint(dns_msg_count(&m, DNS_AR), ==, 2);
    g_assert_cmpuint(rr_at(&m, DNS_AR, 0)->type, ==, DNS_T_A);
    g_assert_cmpuint(rr_at(&m, DNS_AR, 1)->type, ==, DNS_T_AAAA);
    dns_msg_clear(&m);
    ask(s, "mit.edu", DNS_T_NAPTR, &m); /* RFC 3403 §4.2: flag "s": SRV, then its addresses */
    g_assert_cmpuint(dns_msg_count(&m, DNS_AN), ==, 1);
    g_assert_cmpuint(dns_msg_count(&m, DNS_AR), ==, 3);
    g_assert_cmpuint(rr_at(&m, DNS_AR, 0)->type, ==, DNS_T_SRV);
    g_assert_cmpuint(rr_at(&m, DNS_AR, 1)->type, ==, DNS_T_A);
    g_assert_cmpuint(rr_at(&m, DNS_AR, 2)->type, ==, DNS_T_AAAA);
    dns_msg_clear(&m);
    dns_server_free(s);
}

static void test_server_errors(void)
{
    dns_server *s = mit_server();
    dns_msg m;
    size_t len;
    /* malformed: a label running past the end; FORMERR keeps the id and RD */
    static const uint8_t bad[] = { 0xAB, 0xCD, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0, 9, 'x' };
    g_assert_cmpint(ask_raw(s, bad, sizeof bad, &m, NULL), ==, -EBADMSG);
    g_assert_cmpuint(m.id, ==, 0xABCD);
    g_assert_cmpuint(m.rcode, ==, DNS_RC_FORMERR);
    g_assert_true(m.qr && m.rd);
    g_assert_cmpuint(m.qd->len, ==, 0);
    dns_msg_clear(&m);
    /* two questions: FORMERR; opcode STATUS: NOTIMP */
    static const uint8_t two[] = { 0, 7, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1,
                                   0, 0, 1, 0, 1 };
    g_assert_cmpint(ask_raw(s, two, sizeof two, &m, NULL), ==, 0);
    g_assert_cmpuint(m.rcode, ==, DNS_RC_FORMERR);
    dns_msg_clear(&m);
    static const uint8_t status[] = { 0, 8, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    g_assert_cmpint(ask_raw(s, status, sizeof status, &m, NULL), ==, 0);
    g_assert_cmpuint(m.rcode, ==, DNS_RC_NOTIMP);
    dns_msg_clear(&m);
    /* responses and runts are never answered */
    static const uint8_t resp[] = { 0, 9, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    g_assert_cmpint(ask_raw(s, resp, sizeof resp, &m, NULL), ==, -ENOENT);
    g_assert_cmpint(ask_raw(s, resp, 5, &m, NULL), ==, -ENOENT);
    /* truncation: 40 A records do not fit in 512 bytes */
    dns_msg q;
    dns_msg_init(&q);
    dns_name big = name("big.mit.edu");
    dns_msg_add_question(&q, &big, DNS_T_A, DNS_C_IN);
    uint8_t buf[512];
    g_assert_cmpint(dns_msg_encode(&q, 0, buf, sizeof buf, &len), ==, 0);
    dns_msg_clear(&q);
    size_t rlen;
    g_assert_cmpint(ask_raw(s, buf, len, &m, &rlen), ==, 0);
    g_assert_true(m.tc);
    g_assert_cmpuint(dns_msg_count(&m, DNS_AN), ==, 0);
    g_assert_cmpuint(m.qd->len, ==, 1);
    g_assert_cmpuint(rlen, <=, DNS_UDP_MAX);
    dns_msg_clear(&m);
    const dns_server_stats *st = dns_server_get_stats(s);
    g_assert_cmpuint(st->formerr, ==, 2);
    g_assert_cmpuint(st->notimp, ==, 1);
    g_assert_cmpuint(st->truncated, ==, 1);
    g_assert_cmpuint(st->ignored, ==, 2);
    /* with a larger limit the same answer fits */
    dns_server *s2 = dns_server_new(1500);
    dns_rr soa = soa_rr("mit.edu");
    dns_server_add_zone(s2, &soa);
    for (int i = 1; i <= 40; i++) {
        char ip[32];
        g_snprintf(ip, sizeof ip, "10.0.0.%d", i);
        add_a(s2, "big.mit.edu", ip, 60);
    }
    g_assert_cmpint(ask_raw(s2, buf, len, &m, &rlen), ==, 0);
    g_assert_false(m.tc);
    g_assert_cmpuint(dns_msg_count(&m, DNS_AN), ==, 40);
    dns_msg_clear(&m);
    dns_server_free(s2);
    dns_server_free(s);
}

/* ---------------------------------------------------------------- resolver */

/* The network between one resolver and one server core: every datagram takes `delay`; the
 * server answers only while `up`. */
typedef struct net {
    dns_resolver *r;
    dns_server *s;
    sim_ep server_ep, client_ep;
    sim_time_t now;
    bool up;
    unsigned to_server;
    GArray *sent_at; /* of sim_time_t: when the resolver sent each query */
} net;

typedef struct got {
    int calls;
    dns_result r;
    GArray *rrs;
} got;

static void on_result(void *ctx, const dns_result *r)
{
    got *g = ctx;
    g->calls++;
    g->r = *r;
    g->rrs = g_array_new(FALSE, TRUE, sizeof(dns_rr));
    for (guint i = 0; i < r->rrs->len; i++) {
        dns_rr c;
        dns_rr_copy(&c, &g_array_index(r->rrs, dns_rr, i));
        g_array_append_val(g->rrs, c);
    }
}

static void got_clear(got *g)
{
    for (guint i = 0; g->rrs && i < g->rrs->len; i++)
        dns_rr_clear(&g_array_index(g->rrs, dns_rr, i));
    if (g->rrs)
        g_array_free(g->rrs, TRUE);
    memset(g, 0, sizeof *g);
}

static void net_init(net *n, dns_server *s, sim_rng *rng)
{
    memset(n, 0, sizeof *n);
    n->server_ep = ep("18.7.22.1:53");
    n->client_ep = ep("10.1.1.3:33000");
    n->s = s;
    n->r = dns_resolver_new(&(dns_resolver_cfg){ .server = n->server_ep }, rng);
    n->up = true;
    n->sent_at = g_array_new(FALSE, FALSE, sizeof(sim_time_t));
}

static void net_clear(net *n)
{
    dns_resolver_free(n->r);
    dns_server_free(n->s);
    g_array_free(n->sent_at, TRUE);
}

/* Runs until the lookup finished (g->calls) or `until`. Datagrams are delivered at once. */
static void net_run(net *n, got *g, sim_time_t until)
{
    while (!g->calls && n->now <= until) {
        dns_out o;
        while (dns_resolver_pop(n->r, &o)) {
            g_array_append_val(n->sent_at, n->now);
            n->to_server++;
            if (n->up) {
                dns_out a;
                dns_server_input(n->s, n->now, &n->client_ep, o.data, o.len);
                while (dns_server_pop(n->s, &a))
                    dns_resolver_input(n->r, n->now, &n->server_ep, a.data, a.len);
            }
        }
        if (g->calls)
            break;
        sim_time_t next = dns_resolver_next_deadline(n->r);
        if (next == SIM_TIME_NEVER)
            break;
        n->now = next;
        dns_resolver_timeout(n->r, n->now);
    }
}

static void lookup(net *n, const char *qname, uint16_t type, got *g)
{
    dns_name q = name(qname);
    got_clear(g);
    g_assert_cmpint(dns_resolver_lookup(n->r, n->now, &q, type, on_result, g, NULL), ==, 0);
    net_run(n, g, n->now + 60 * SIM_SEC);
    g_assert_cmpint(g->calls, ==, 1);
}

static void test_resolver_rfc3263(void)
{
    sim_rng rng;
    sim_rng_seed(&rng, 7);
    net n;
    net_init(&n, mit_server(), &rng);
    got g = { 0 };
    /* NAPTR -> SRV -> A: the NAPTR answer's additional section carries the rest */
    lookup(&n, "mit.edu", DNS_T_NAPTR, &g);
    g_assert_cmpint(g.r.status, ==, DNS_OK);
    g_assert_false(g.r.cached);
    g_assert_cmpuint(g.rrs->len, ==, 1);
    dns_name srv = g_array_index(g.rrs, dns_rr, 0).rd.naptr.replacement;
    lookup(&n, fmt(&srv), DNS_T_SRV, &g);
    g_assert_cmpint(g.r.status, ==, DNS_OK);
    g_assert_true(g.r.cached); /* from the NAPTR response's additional section */
    g_assert_cmpuint(g_array_index(g.rrs, dns_rr, 0).rd.srv.port, ==, 5060);
    lookup(&n, "proxy.mit.edu", DNS_T_A, &g);
    g_assert_true(g.r.cached);
    g_assert_cmpuint(n.to_server, ==, 1);
    /* the cache follows CNAMEs: sip -> proxy */
    lookup(&n, "sip.mit.edu", DNS_T_A, &g);
    g_assert_false(g.r.cached); /* the CNAME itself was not known yet */
    g_assert_cmpuint(g.rrs->len, ==, 1);
    g_assert_cmpuint(g_array_index(g.rrs, dns_rr, 0).type, ==, DNS_T_A);
    lookup(&n, "sip.mit.edu", DNS_T_A, &g);
    g_assert_true(g.r.cached);
    g_assert_cmpuint(n.to_server, ==, 2);
    /* TTLs count down in virtual time; at expiry the next lookup asks again */
    n.now += 100 * SIM_SEC;
    lookup(&n, "proxy.mit.edu", DNS_T_A, &g);
    g_assert_true(g.r.cached);
    g_assert_cmpuint(g_array_index(g.rrs, dns_rr, 0).ttl, ==, 200);
    n.now += 200 * SIM_SEC;
    lookup(&n, "proxy.mit.edu", DNS_T_A, &g);
    g_assert_false(g.r.cached);
    g_assert_cmpuint(n.to_server, ==, 3);
    got_clear(&g);
    net_clear(&n);
}

static void test_resolver_negative(void)
{
    sim_rng rng;
    sim_rng_seed(&rng, 7);
    net n;
    net_init(&n, mit_server(), &rng);
    got g = { 0 };
    lookup(&n, "nope.mit.edu", DNS_T_A, &g);
    g_assert_cmpint(g.r.status, ==, DNS_NXDOMAIN);
    g_assert_cmpuint(g.r.rcode, ==, DNS_RC_NXDOMAIN);
    lookup(&n, "nope.mit.edu", DNS_T_AAAA, &g); /* NXDOMAIN covers every type */
    g_assert_cmpint(g.r.status, ==, DNS_NXDOMAIN);
    g_assert_true(g.r.cached);
    lookup(&n, "proxy.mit.edu", DNS_T_TXT, &g);
    g_assert_cmpint(g.r.status, ==, DNS_NODATA);
    lookup(&n, "proxy.mit.edu", DNS_T_TXT, &g);
    g_assert_true(g.r.cached);
    g_assert_cmpuint(n.to_server, ==, 2);
    /* RFC 2308: negative entries live min(SOA TTL, MINIMUM) = 60 s */
    n.now += 59 * SIM_SEC;
    lookup(&n, "nope.mit.edu", DNS_T_A, &g);
    g_assert_true(g.r.cached);
    n.now += 1 * SIM_SEC;
    lookup(&n, "nope.mit.edu", DNS_T_A, &g);
    g_assert_false(g.r.cached);
    g_assert_cmpuint(n.to_server, ==, 3);
    const dns_resolver_stats *st = dns_resolver_get_stats(n.r);
    g_assert_cmpuint(st->negative_hits, ==, 3);
    /* REFUSED after following a CNAME out of the zone: server error */
    lookup(&n, "www.mit.edu", DNS_T_A, &g);
    g_assert_cmpint(g.r.status, ==, DNS_SERVFAIL);
    g_assert_cmpuint(g.r.rcode, ==, DNS_RC_REFUSED);
    g_assert_cmpuint(g.r.sent, ==, 2); /* the CNAME, then its target */
    got_clear(&g);
    net_clear(&n);
}

static void test_resolver_retransmit(void)
{
    sim_rng rng;
    sim_rng_seed(&rng, 7);
    net n;
    net_init(&n, mit_server(), &rng);
    n.up = false;
    got g = { 0 };
    lookup(&n, "proxy.mit.edu", DNS_T_A, &g);
    g_assert_cmpint(g.r.status, ==, DNS_TIMEOUT);
    /* sent at 0, 1, 3 s; given up at 7 s */
    g_assert_cmpuint(n.sent_at->len, ==, 3);
    g_assert_cmpuint(g_array_index(n.sent_at, sim_time_t, 0), ==, 0);
    g_assert_cmpuint(g_array_index(n.sent_at, sim_time_t, 1), ==, 1 * SIM_SEC);
    g_assert_cmpuint(g_array_index(n.sent_at, sim_time_t, 2), ==, 3 * SIM_SEC);
    g_assert_cmpuint(g.r.done_at, ==, 7 * SIM_SEC);
    g_assert_cmpuint(g.r.sent, ==, 3);
    g_assert_cmpuint(dns_resolver_get_stats(n.r)->retransmits, ==, 2);
    g_assert_cmpuint(dns_resolver_next_deadline(n.r), ==, SIM_TIME_NEVER);
    /* a server that comes back answers the next lookup (timeouts are not cached) */
    n.up = true;
    lookup(&n, "proxy.mit.edu", DNS_T_A, &g);
    g_assert_cmpint(g.r.status, ==, DNS_OK);
    got_clear(&g);
    net_clear(&n);
}

/* Answers must match id, source and question (RFC 5452 §4.3). */
static void test_resolver_matching(void)
{
    sim_rng rng;
    sim_rng_seed(&rng, 7);
    net n;
    net_init(&n, mit_server(), &rng);
    dns_name q = name("proxy.mit.edu");
    got g = { 0 };
    g_assert_cmpint(dns_resolver_lookup(n.r, 0, &q, DNS_T_A, on_result, &g, NULL), ==, 0);
    dns_out o, a;
    g_assert_true(dns_resolver_pop(n.r, &o));
    g_assert_true(sim_ep_eq(&o.to, &n.server_ep));
    dns_server_input(n.s, 0, &n.client_ep, o.data, o.len);
    g_assert_true(dns_server_pop(n.s, &a));
    sim_ep stranger = ep("6.6.6.6:53");
    g_assert_cmpint(dns_resolver_input(n.r, 0, &stranger, a.data, a.len), ==, -ENOENT);
    a.data[1] ^= 1; /* another id */
    g_assert_cmpint(dns_resolver_input(n.r, 0, &n.server_ep, a.data, a.len), ==, -ENOENT);
    a.data[1] ^= 1;
    a.data[13] ^= 0x20; /* question "Proxy" still matches: names ignore case */
    a.data[12 + 1 + 5 + 1 + 3 + 1 + 3 + 1 + 1] ^= 1; /* but another type does not */
    g_assert_cmpint(dns_resolver_input(n.r, 0, &n.server_ep, a.data, a.len), ==, -ENOENT);
    a.data[12 + 1 + 5 + 1 + 3 + 1 + 3 + 1 + 1] ^= 1;
    g_assert_cmpint(dns_resolver_input(n.r, 0, &n.server_ep, a.data, 5), ==, -EBADMSG);
    g_assert_cmpint(g.calls, ==, 0);
    g_assert_cmpint(dns_resolver_input(n.r, 0, &n.server_ep, a.data, a.len), ==, 0);
    g_assert_cmpint(g.calls, ==, 1);
    g_assert_cmpint(dns_resolver_input(n.r, 0, &n.server_ep, a.data, a.len), ==, -ENOENT);
    g_assert_cmpuint(dns_resolver_get_stats(n.r)->stray, ==, 4);
    got_clear(&g);
    /* same seed, same query bytes (the id comes from the seeded stream) */
    sim_rng r1, r2;
    sim_rng_seed(&r1, 99);
    sim_rng_seed(&r2, 99);
    dns_resolver_cfg cfg = { .server = n.server_ep };
    dns_resolver *x = dns_resolver_new(&cfg, &r1), *y = dns_resolver_new(&cfg, &r2);
    dns_out ox, oy;
    dns_resolver_lookup(x, 0, &q, DNS_T_A, on_result, &g, NULL);
    dns_resolver_lookup(y, 0, &q, DNS_T_A, on_result, &g, NULL);
    g_assert_true(dns_resolver_pop(x, &ox) && dns_resolver_pop(y, &oy));
    g_assert_cmpmem(ox.data, ox.len, oy.data, oy.len);
    dns_resolver_free(x);
    dns_resolver_free(y);
    net_clear(&n);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dns/server/answers", test_server_answers);
    g_test_add_func("/dns/server/additional", test_server_additional);
    g_test_add_func("/dns/server/errors", test_server_errors);
    g_test_add_func("/dns/resolver/rfc3263-and-cache", test_resolver_rfc3263);
    g_test_add_func("/dns/resolver/negative-cache", test_resolver_negative);
    g_test_add_func("/dns/resolver/retransmit", test_resolver_retransmit);
    g_test_add_func("/dns/resolver/matching", test_resolver_matching);
    return g_test_run();
}
