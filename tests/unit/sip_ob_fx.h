/* tests/unit/sip_ob_fx.h — what the RFC 5626 core tests share (test_sip_outbound.c,
 * test_sip_outbound_flows.c): hand-written messages fed to a server or UA core, what the core
 * sends drained and decoded, the answers a registrar, edge or NAT would give. Static
 * functions: one copy per test program. */
#ifndef TESTS_UNIT_SIP_OB_FX_H
#define TESTS_UNIT_SIP_OB_FX_H

#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/sip/sip.h"
#include "protocols/stun/stun.h"
#include "tests/unit/ep_util.h"

#define EDGE "18.7.22.10:5060"
#define NAT "128.6.4.33:55729"

G_GNUC_UNUSED static sip_str sip_s(const char *s)
{
    return (sip_str){ s, strlen(s) };
}

G_GNUC_UNUSED static bool str_is(sip_str s, const char *lit)
{
    return s.len == strlen(lit) && memcmp(s.p, lit, s.len) == 0;
}

/* ---------------------------------------------------------------- cores */

typedef struct sent {
    sim_ep to;
    sip_msg *m;        /* NULL for a non-SIP datagram */
    GBytes *raw;
} sent;

G_GNUC_UNUSED static void sent_free(gpointer p)
{
    sent *s = p;
    sip_msg_free(s->m);
    g_bytes_unref(s->raw);
    g_free(s);
}

/* Everything the core wants to send, decoded. */
G_GNUC_UNUSED static GPtrArray *drain(sip_server *srv, sip_ua *ua)
{
    GPtrArray *a = g_ptr_array_new_with_free_func(sent_free);
    sip_out o;
    while (srv ? sip_server_pop(srv, &o) : sip_ua_pop(ua, &o)) {
        sent *s = g_new0(sent, 1);
        s->to = o.to;
        s->raw = g_bytes_new(o.data, o.len);
        if (!sip_is_stun(o.data, o.len) && !(o.len == 4 && !memcmp(o.data, "\r\n\r\n", 4)))
            g_assert_cmpint(sip_msg_decode(o.data, o.len, &s->m, NULL), ==, 0);
        g_ptr_array_add(a, s);
        sip_out_clear(&o);
    }
    return a;
}

G_GNUC_UNUSED static void feed(sip_server *srv, sim_time_t now, const char *from, const char *text)
{
    sim_ep f = ep(from);
    g_assert_cmpint(sip_server_input(srv, now, &f, (const uint8_t *)text, strlen(text)), ==, 0);
}

/* The one final response in a; its status. */
G_GNUC_UNUSED static unsigned final_status(GPtrArray *a)
{
    unsigned st = 0;
    for (guint i = 0; i < a->len; i++) {
        sent *s = a->pdata[i];
        if (s->m && !s->m->request && s->m->status >= 200)
            st = s->m->status;
    }
    return st;
}

G_GNUC_UNUSED static const char *hdr(const sip_msg *m, const char *name)
{
    const sip_hdr *h = sip_msg_hdr_named(m, name);
    return h ? h->value : NULL;
}

#define PATH "<sip:0080060421d9b1d679a674f5793a97440f@18.7.22.10:5060;lr;ob>"
#define INST "+sip.instance=\"<urn:uuid:00000000-0000-4000-8000-000000000001>\""

/* The INVITE among what the edge sent (NULL if none). */
G_GNUC_UNUSED static const sent *find_request(GPtrArray *a)
{
    for (guint i = 0; i < a->len; i++)
        if (((sent *)a->pdata[i])->m && ((sent *)a->pdata[i])->m->request)
            return a->pdata[i];
    return NULL;
}

/* The response to req with status and To-tag tag; returns owned. */
G_GNUC_UNUSED static sip_msg *response_to(const sent *req, unsigned status, const char *tag)
{
    sip_msg *r = NULL;
    g_assert_cmpint(sip_msg_response(req->m, status, NULL, tag, &r), ==, 0);
    return r;
}

/* Encodes r and feeds it to srv (or, NULL, ua) as coming from where req went; frees r. */
G_GNUC_UNUSED static void feed_response(sip_server *srv, sip_ua *ua, sim_time_t now,
                                        const sent *req, sip_msg *r)
{
    GString *b = g_string_new(NULL);
    sip_msg_encode(r, b);
    const uint8_t *d = (const uint8_t *)b->str;
    g_assert_cmpint(srv ? sip_server_input(srv, now, &req->to, d, b->len)
                        : sip_ua_input(ua, now, &req->to, d, b->len), ==, 0);
    g_string_free(b, TRUE);
    sip_msg_free(r);
}

/* Answers the REGISTER reg with 200 and Flow-Timer ft from where it went. */
G_GNUC_UNUSED static void answer_one(sip_ua *ua, sim_time_t now, const sent *reg, const char *ft)
{
    sip_msg *r = response_to(reg, 200, "t");
    sip_msg_add(r, SIP_HDR_REQUIRE, NULL, "outbound");
    if (ft)
        sip_msg_add(r, SIP_HDR_OTHER, "Flow-Timer", ft);
    feed_response(NULL, ua, now, reg, r);
}

/* Answers the (last) REGISTER in a with 200 and Flow-Timer ft. */
G_GNUC_UNUSED static void answer_register(sip_ua *ua, sim_time_t now, GPtrArray *a, const char *ft)
{
    const sent *reg = NULL;
    for (guint i = 0; i < a->len; i++)
        if (((sent *)a->pdata[i])->m && !strcmp(((sent *)a->pdata[i])->m->method, "REGISTER"))
            reg = a->pdata[i];
    g_assert_nonnull(reg);
    answer_one(ua, now, reg, ft);
}

/* Runs the UA's timers until it sends something (the next keep-alive); returns that. */
G_GNUC_UNUSED static GPtrArray *next_keepalive(sip_ua *ua, sim_time_t *now)
{
    for (;;) {
        *now = sip_ua_next_deadline(ua);
        g_assert_cmpuint(*now, !=, SIM_TIME_NEVER);
        sip_ua_timeout(ua, *now);
        GPtrArray *a = drain(NULL, ua);
        if (a->len)
            return a;
        g_ptr_array_free(a, TRUE);
    }
}

/* The edge's answer to the STUN request in a, as seen from mapped. */
G_GNUC_UNUSED static void answer_stun(sip_ua *ua, sim_time_t now, GPtrArray *a, const char *mapped)
{
    for (guint i = 0; i < a->len; i++) {
        sent *s = a->pdata[i];
        if (s->m)
            continue;
        uint8_t out[64];
        size_t n, len;
        const uint8_t *req = g_bytes_get_data(s->raw, &len);
        sim_ep from = ep(mapped), edge = ep(EDGE);
        g_assert_cmpint(sip_stun_keepalive_answer(req, len, &from, out, sizeof out, &n), ==, 0);
        g_assert_cmpint(sip_ua_keepalive_input(ua, now, &edge, out, n), ==, 0);
        g_assert_cmpint(sip_ua_keepalive_input(ua, now, &edge, out, n), ==, -ENOENT);
    }
}

/* A UA core for c (NULL: bob@mit.edu on 10.0.0.20 with RFC 5626 outbound, registrar and
 * proxy the edge; rng seeded with seed, borrowed for its life) that has been asked to register
 * for expires seconds; what it sent at once in *out (owned). Returns owned. */
G_GNUC_UNUSED static sip_ua *ob_ua_registering(const sip_ua_cfg *c, sim_rng *rng, uint64_t seed,
                                               uint32_t expires, GPtrArray **out)
{
    sip_ua_cfg bob = { .aor = "sip:bob@mit.edu", .local = ep("10.0.0.20:5060"),
                       .registrar = ep(EDGE), .proxy = ep(EDGE), .outbound = true };
    sim_rng_seed(rng, seed);
    sip_ua *ua = sip_ua_new(c ? c : &bob, rng);
    g_assert_nonnull(ua);
    g_assert_cmpint(sip_ua_register(ua, 0, expires), ==, 0);
    *out = drain(NULL, ua);
    return ua;
}

/* A registrar core for mit.edu (Flow-Timer flow_timer, 0: none). */
G_GNUC_UNUSED static sip_server *registrar(sim_rng *rng, uint32_t flow_timer)
{
    sip_server_cfg c = { .domain = "mit.edu", .self = ep("18.7.22.84:5060"), .registrar = true,
                         .flow_timer = flow_timer };
    return sip_server_new(&c, rng);
}

/* The home proxy of mit.edu over location loc (borrowed), given alice's INVITE to bob at 0
 * (rng borrowed for its life). Returns owned. */
G_GNUC_UNUSED static sip_server *home_proxy_invited(sim_rng *rng, sip_location *loc)
{
    sip_server_cfg c = { .domain = "mit.edu", .self = ep("18.7.22.83:5060"), .location = loc };
    sip_server *px = sip_server_new(&c, rng);
    feed(px, 0, "128.6.5.10:5060",
         "INVITE sip:bob@mit.edu SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 128.6.5.10:5060;branch=z9hG4bKa1\r\nMax-Forwards: 70\r\n"
         "To: <sip:bob@mit.edu>\r\nFrom: <sip:alice@rutgers.edu>;tag=a\r\nCall-ID: c1@a\r\n"
         "CSeq: 1 INVITE\r\nContact: <sip:alice@128.6.5.10>\r\nContent-Length: 0\r\n\r\n");
    return px;
}

#endif
