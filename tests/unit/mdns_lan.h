/* tests/unit/mdns_lan.h — shared by the mDNS unit tests: an in-memory LAN of responder and
 * querier cores run in virtual time (every datagram delivered to every other core, logged and
 * decoded), and a LAN whose host 0 has published the lecture's printer. */
#ifndef TESTS_UNIT_MDNS_LAN_H
#define TESTS_UNIT_MDNS_LAN_H

#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/mdns/mdns.h"

static inline dns_name name(const char *s)
{
    dns_name n;
    g_assert_cmpint(dns_name_from_str(s, &n), ==, 0);
    return n;
}

static inline sim_ip ip(const char *s)
{
    sim_ip a;
    g_assert_cmpint(sim_ip_parse(s, &a), ==, 0);
    return a;
}

/* ---------------------------------------------------------------- an in-memory LAN */

#define MAXN 4

typedef struct sent {
    sim_time_t t;
    int from;
    mdns_out o;
    dns_msg m;
} sent;

typedef struct lan {
    sim_rng rng[MAXN];
    mdns_responder *r[MAXN];
    mdns_querier *q[MAXN];
    sim_ep ep[MAXN];
    int n;
    sim_time_t now;
    GPtrArray *log; /* of sent * */
} lan;

static inline void sent_free(void *p)
{
    sent *s = p;
    dns_msg_clear(&s->m);
    g_free(s);
}

static inline void lan_init(lan *l, int n)
{
    memset(l, 0, sizeof *l);
    l->n = n;
    l->log = g_ptr_array_new_with_free_func(sent_free);
    for (int i = 0; i < n; i++) {
        char a[32];
        g_snprintf(a, sizeof a, "10.0.0.%d:5353", i + 1);
        g_assert_cmpint(sim_ep_parse(a, &l->ep[i]), ==, 0);
        sim_rng_seed(&l->rng[i], 42 + (uint64_t)i);
        l->q[i] = mdns_querier_new(&l->rng[i]);
    }
}

static inline void lan_responder(lan *l, int i, const char *host)
{
    l->r[i] = mdns_responder_new(host, &l->ep[i].ip, 1, &l->rng[i]);
    g_assert_nonnull(l->r[i]);
}

static inline void lan_clear(lan *l)
{
    for (int i = 0; i < l->n; i++) {
        mdns_responder_free(l->r[i]);
        mdns_querier_free(l->q[i]);
    }
    g_ptr_array_free(l->log, TRUE);
}

static inline void deliver(lan *l, int from, const mdns_out *o)
{
    sent *s = g_new0(sent, 1);
    s->t = l->now;
    s->from = from;
    s->o = *o;
    g_assert_cmpint(dns_msg_decode(o->data, o->len, &s->m, NULL), ==, 0);
    g_ptr_array_add(l->log, s);
    for (int i = 0; i < l->n; i++) {
        if (i == from)
            continue;
        if (o->to.ip.family != SIM_AF_NONE && !sim_ip_eq(&o->to.ip, &l->ep[i].ip))
            continue;
        if (l->r[i])
            mdns_responder_input(l->r[i], l->now, &l->ep[from], o->data, o->len);
        mdns_querier_input(l->q[i], l->now, &l->ep[from], o->data, o->len);
    }
}

/* Drains every outbox (delivering), until nothing is queued. */
static inline void lan_drain(lan *l)
{
    bool any = true;
    while (any) {
        any = false;
        for (int i = 0; i < l->n; i++) {
            mdns_out o;
            while (l->r[i] && mdns_responder_pop(l->r[i], &o))
                deliver(l, i, &o), any = true;
            while (mdns_querier_pop(l->q[i], &o))
                deliver(l, i, &o), any = true;
        }
    }
}

static inline sim_time_t lan_deadline(lan *l)
{
    sim_time_t t = SIM_TIME_NEVER;
    for (int i = 0; i < l->n; i++) {
        if (l->r[i])
            t = MIN(t, mdns_responder_next_deadline(l->r[i]));
        t = MIN(t, mdns_querier_next_deadline(l->q[i]));
    }
    return t;
}

/* Runs every core until `until` (virtual time). */
static inline void lan_run(lan *l, sim_time_t until)
{
    lan_drain(l);
    for (;;) {
        sim_time_t t = lan_deadline(l);
        if (t > until)
            break;
        l->now = t;
        for (int i = 0; i < l->n; i++) {
            if (l->r[i] && mdns_responder_next_deadline(l->r[i]) <= t)
                mdns_responder_timeout(l->r[i], t);
            if (mdns_querier_next_deadline(l->q[i]) <= t)
                mdns_querier_timeout(l->q[i], t);
        }
        lan_drain(l);
    }
    l->now = until;
}

static inline bool is_probe(const sent *s)
{
    return !s->m.qr && dns_msg_count(&s->m, DNS_NS) > 0;
}

static inline bool is_response(const sent *s) { return s->m.qr; }

static const char *const paper[] = { "paper=A4" };

/* Host 0 publishes the lecture's printer; returns once it is announced. */
static inline void printer_lan(lan *l, int n)
{
    lan_init(l, n);
    lan_responder(l, 0, "myserver");
    mdns_responder_publish(l->r[0], 0, "myprinter", "_printer._tcp", 5432, paper, 1);
    mdns_responder_start(l->r[0], 0);
    lan_run(l, 5 * SIM_SEC);
    g_assert_true(mdns_responder_ready(l->r[0]));
    g_ptr_array_set_size(l->log, 0);
}

#endif
