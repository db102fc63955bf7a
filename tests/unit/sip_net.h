/* tests/unit/sip_net.h — an in-test network of SIP UA and server cores (no simulator): every
 * datagram a core queues reaches its destination core DELAY later, timers fire at their
 * deadlines in virtual time, and every message sent is kept (time, sender, receiver, decoded
 * message) so a test can assert the ladder and what each message carried, to the
 * nanosecond. DNS is a stand-in (every domain a server locates is net.located) or, when a test
 * sets net.zone, real RFC 3263 (sip_locate) over the records that function answers, with every
 * question logged in net.dns. Included by several test_sip_*.c programs (static functions,
 * one copy per program; those not every includer uses are G_GNUC_UNUSED). */
#ifndef TESTS_UNIT_SIP_NET_H
#define TESTS_UNIT_SIP_NET_H

#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/dns/dns.h"
#include "protocols/sip/sip.h"
#include "tests/unit/ep_util.h"

#define MS SIM_MS
#define DELAY (5 * MS)
#define NODES 8

typedef struct node {
    const char *name;
    sim_ep ep;
    sip_ua *ua;
    sip_server *srv;
    sim_rng rng;
    sim_ep ep6;    /* a dual-stack node's IPv6 address (port 0: none) */
} node;

typedef struct pkt {
    sim_time_t at;
    sim_ep from, to;
    GBytes *data;
} pkt;

/* The records a test's DNS holds: fills r (status, rrs: a new GArray of dns_rr) for name/type. */
typedef void (*net_zone_fn)(const dns_name *name, uint16_t type, dns_result *r);

/* One message as it was sent. */
typedef struct sent {
    sim_time_t at;
    const char *from, *to; /* node names */
    sip_msg *msg;
} sent;

typedef struct net {
    sim_time_t now;
    node n[NODES];
    int count;
    GQueue q;
    GString *ladder;       /* "alice>px INVITE; px>alice 100/INVITE; ..." */
    GPtrArray *sent;       /* sent *, in sending order */
    sim_ep located;        /* what every RFC 3263 lookup finds (port 0: nothing) ... */
    net_zone_fn zone;      /* ... unless set: real RFC 3263 over these records */
    GString *dns;          /* with zone: "NAPTR mit.edu; SRV _sip._udp.mit.edu; ..." */
} net;

static node *add(net *n, const char *name, const char *addr)
{
    g_assert_cmpint(n->count, <, NODES);
    node *x = &n->n[n->count++];
    x->name = name;
    x->ep = ep(addr);
    sim_rng_derive(&x->rng, 7, name);
    return x;
}

/* A UA with password "pw" and rport, sending everything to proxy (NULL: straight to the
 * Request-URI). */
static sip_ua *ua(net *n, const char *name, const char *addr, const char *aor, const char *proxy)
{
    node *x = add(n, name, addr);
    sip_ua_cfg c = { .aor = aor, .password = "pw", .local = x->ep, .rport = true,
                     .rtp_port = 8000 };
    if (proxy)
        c.proxy = ep(proxy);
    x->ua = sip_ua_new(&c, &x->rng);
    g_assert_nonnull(x->ua);
    return x->ua;
}

G_GNUC_UNUSED static sip_server *server(net *n, const char *name, const char *addr,
                                            sip_server_cfg c)
{
    node *x = add(n, name, addr);
    c.self = x->ep;
    x->srv = sip_server_new(&c, &x->rng);
    g_assert_nonnull(x->srv);
    return x->srv;
}

static const char *name_of(net *n, const sim_ep *e)
{
    for (int i = 0; i < n->count; i++)
        if (sim_ep_eq(&n->n[i].ep, e) || sim_ep_eq(&n->n[i].ep6, e))
            return n->n[i].name;
    return "?";
}

/* "INVITE" for a request, "407/INVITE" for a response. */
static char *what(const sip_msg *m)
{
    sip_cseq cs;
    if (m->request)
        return g_strdup(m->method);
    sip_msg_cseq(m, &cs);
    return g_strdup_printf("%u/%.*s", m->status, (int)cs.method.len, cs.method.p);
}

static void record(net *n, const node *src, const sip_out *o)
{
    sent *s = g_new0(sent, 1);
    g_assert_cmpint(sip_msg_decode(o->data, o->len, &s->msg, NULL), ==, 0);
    s->at = n->now;
    s->from = src->name;
    s->to = name_of(n, &o->to);
    g_autofree char *w = what(s->msg);
    g_string_append_printf(n->ladder, "%s%s>%s %s", n->ladder->len ? "; " : "", s->from, s->to, w);
    g_ptr_array_add(n->sent, s);
}

/* Runs RFC 3263 for every lookup x asks for over n->zone, logging the questions in n->dns. */
static void resolve_zone(net *n, node *x)
{
    unsigned id;
    char host[256];
    bool tcp;
    while (sip_server_lookup_pop_uri(x->srv, &id, host, sizeof host, &tcp)) {
        sip_locate l;
        g_assert_cmpint(sip_locate_init_uri(&l, host, tcp, &x->rng), ==, 0);
        dns_name q;
        uint16_t type;
        while (sip_locate_next(&l, &q, &type)) {
            char buf[DNS_NAME_STRLEN];
            g_string_append_printf(n->dns, "%s%s %s", n->dns->len ? "; " : "",
                                   dns_type_name(type), dns_name_fmt(&q, buf, sizeof buf));
            dns_result r = { .name = q, .type = type };
            n->zone(&q, type, &r);
            sip_locate_feed(&l, &r);
            g_array_free(r.rrs, TRUE);
        }
        const sip_target *t;
        size_t k = sip_locate_targets(&l, &t);
        sip_server_located_list(x->srv, n->now, id, k ? 0 : -EHOSTUNREACH, t, k);
    }
}

/* DNS for x's lookups: n->zone when set, else the stand-in (every domain is n->located). */
static void resolve(net *n, node *x)
{
    unsigned id;
    char host[256];
    if (n->zone) {
        resolve_zone(n, x);
        return;
    }
    while (sip_server_lookup_pop(x->srv, &id, host, sizeof host))
        sip_server_located(x->srv, n->now, id, n->located.port ? 0 : -EHOSTUNREACH, &n->located);
}

static void collect(net *n)
{
    for (int i = 0; i < n->count; i++) {
        node *x = &n->n[i];
        sip_out o;
        if (!x->ua && !x->srv)
            continue; /* a node whose core was freed: gone from the network */
        if (x->srv)
            resolve(n, x);
        while (x->ua ? sip_ua_pop(x->ua, &o) : sip_server_pop(x->srv, &o)) {
            record(n, x, &o);
            pkt *p = g_new0(pkt, 1);
            p->at = n->now + DELAY;
            /* from the node's address of the destination's family */
            p->from = x->ep6.port && o.to.ip.family == x->ep6.ip.family ? x->ep6 : x->ep;
            p->to = o.to;
            p->data = g_bytes_new(o.data, o.len);
            g_queue_push_tail(&n->q, p); /* one delay for all: stays in time order */
            sip_out_clear(&o);
        }
    }
}

static sim_time_t deadline(const node *x)
{
    if (!x->ua && !x->srv)
        return SIM_TIME_NEVER;
    return x->ua ? sip_ua_next_deadline(x->ua) : sip_server_next_deadline(x->srv);
}

static void deliver(net *n, pkt *p)
{
    gsize len;
    const uint8_t *d = g_bytes_get_data(p->data, &len);
    for (int i = 0; i < n->count; i++) {
        node *x = &n->n[i];
        if (!sim_ep_eq(&x->ep, &p->to) && !sim_ep_eq(&x->ep6, &p->to))
            continue;
        if (x->ua)
            sip_ua_input(x->ua, n->now, &p->from, d, len);
        else if (x->srv)
            sip_server_input(x->srv, n->now, &p->from, d, len);
    }
    g_bytes_unref(p->data);
    g_free(p);
}

/* Delivers datagrams and fires timers in time order until `until`. */
static void run(net *n, sim_time_t until)
{
    for (;;) {
        collect(n);
        pkt *p = g_queue_peek_head(&n->q);
        sim_time_t t = p ? p->at : SIM_TIME_NEVER;
        for (int i = 0; i < n->count; i++)
            t = MIN(t, deadline(&n->n[i]));
        if (t > until) {
            n->now = until;
            return;
        }
        n->now = t;
        if (p && p->at == t) {
            deliver(n, g_queue_pop_head(&n->q));
            continue;
        }
        for (int i = 0; i < n->count; i++) {
            node *x = &n->n[i];
            if (deadline(x) > t)
                continue;
            if (x->ua)
                sip_ua_timeout(x->ua, t);
            else
                sip_server_timeout(x->srv, t);
        }
    }
}

/* Events of a UA as words; *call gets the last call id seen. */
static char *events(sip_ua *u, unsigned *call)
{
    static const char *const names[] = { "registered", "reg-failed", "incoming", "progress",
                                         "answered",   "confirmed",  "media",    "ended",
                                         "options" };
    GString *s = g_string_new(NULL);
    sip_ua_ev ev;
    while (sip_ua_event(u, &ev)) {
        g_string_append_printf(s, "%s%s/%u", s->len ? " " : "", names[ev.kind], ev.status);
        if (call && ev.call)
            *call = ev.call;
    }
    return g_string_free(s, FALSE);
}

/* The UAs n->n[first], n->n[first + 1] ... REGISTER (3600 s) at 0; runs the net until `until`
 * and asserts each UA reports registered/200 and nothing else. */
G_GNUC_UNUSED static void register_all(net *n, int first, sim_time_t until)
{
    for (int i = first; i < n->count; i++)
        g_assert_cmpint(sip_ua_register(n->n[i].ua, 0, 3600), ==, 0);
    run(n, until);
    for (int i = first; i < n->count; i++) {
        g_autofree char *e = events(n->n[i].ua, NULL);
        g_assert_cmpstr(e, ==, "registered/200");
    }
}

static void sent_free(gpointer p)
{
    sent *s = p;
    sip_msg_free(s->msg);
    g_free(s);
}

static void net_init(net *n)
{
    memset(n, 0, sizeof *n);
    g_queue_init(&n->q);
    n->ladder = g_string_new(NULL);
    n->sent = g_ptr_array_new_with_free_func(sent_free);
    n->dns = g_string_new(NULL);
}

/* Forgets the ladder and the messages sent so far. */
static void net_forget(net *n)
{
    g_string_truncate(n->ladder, 0);
    g_ptr_array_set_size(n->sent, 0);
}

static void net_clear(net *n)
{
    for (int i = 0; i < n->count; i++) {
        sip_ua_free(n->n[i].ua);
        sip_server_free(n->n[i].srv);
    }
    pkt *p;
    while ((p = g_queue_pop_head(&n->q))) {
        g_bytes_unref(p->data);
        g_free(p);
    }
    g_string_free(n->ladder, TRUE);
    g_ptr_array_free(n->sent, TRUE);
    g_string_free(n->dns, TRUE);
}

/* The nth message (from 0) that `from` sent to `to` and that reads `w` ("INVITE",
 * "407/INVITE"), or NULL. */
static inline const sent *find_sent(net *n, const char *from, const char *to, const char *w,
                                     int nth)
{
    for (guint i = 0; i < n->sent->len; i++) {
        const sent *s = n->sent->pdata[i];
        g_autofree char *sw = what(s->msg);
        if (!strcmp(s->from, from) && !strcmp(s->to, to) && !strcmp(sw, w) && nth-- == 0)
            return s;
    }
    return NULL;
}

/* Hands the SIP message text to the core ua (or, NULL, srv) as coming from `from` at now;
 * asserts the core takes it (0). */
G_GNUC_UNUSED static void input_text(sip_ua *ua, sip_server *srv, sim_time_t now,
                                     const char *from, const char *text)
{
    sim_ep src = ep(from);
    const uint8_t *d = (const uint8_t *)text;
    g_assert_cmpint(ua ? sip_ua_input(ua, now, &src, d, strlen(text))
                       : sip_server_input(srv, now, &src, d, strlen(text)), ==, 0);
}

/* Sends px a MESSAGE from `from` (a sip: URI without the scheme; To tag to_tag, "" for none;
 * extra header lines) at now, Request-URI sip:x@10.0.2.9, and returns the first message px
 * sent (its answer, or the forwarded request); the rest of its outbox is dropped. */
G_GNUC_UNUSED static sip_msg *px_ask(sip_server *px, sim_time_t now, const char *from,
                                     const char *to_tag, const char *extra)
{
    static unsigned seq;
    seq++;
    g_autofree char *req = g_strdup_printf(
        "MESSAGE sip:x@10.0.2.9 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.1.1:5060;branch=z9hG4bKm%u\r\n"
        "From: <sip:%s>;tag=f\r\nTo: <sip:x@10.0.2.9>%s\r\nCall-ID: m%u\r\n"
        "CSeq: 1 MESSAGE\r\nMax-Forwards: 70\r\n%s\r\n", seq, from, to_tag, seq, extra);
    input_text(NULL, px, now, "10.0.1.1:5060", req);
    sip_out o;
    g_assert_true(sip_server_pop(px, &o));
    sip_msg *m = NULL;
    g_assert_cmpint(sip_msg_decode(o.data, o.len, &m, NULL), ==, 0);
    sip_out_clear(&o);
    while (sip_server_pop(px, &o))
        sip_out_clear(&o);
    return m;
}

#endif
