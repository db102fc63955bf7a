/* tests/unit/test_mdns_querier.c — the mDNS querier core (RFC 6762 §5.2, §7, §10) and DNS-SD
 * browse / resolve (RFC 6763) in virtual time: query back-off, refresh at 80-95 % and expiry,
 * cache flush, known answers, duplicate question suppression, malformed packets. */
#include "mdns_lan.h"

/* ---------------------------------------------------------------- querier */

static void test_query_backoff(void)
{
    lan l;
    lan_init(&l, 1);
    dns_name n = name("_http._tcp.local");
    mdns_querier_ask(l.q[0], 0, &n, DNS_T_PTR);
    lan_run(&l, 200 * SIM_SEC);
    g_assert_cmpuint(l.log->len, ==, 8); /* t0, +1, +2, +4, +8, +16, +32, +64 */
    sent **s = (sent **)l.log->pdata;
    g_assert_cmpuint(s[0]->t, >=, 20 * SIM_MS);
    g_assert_cmpuint(s[0]->t, <=, 120 * SIM_MS);
    for (int i = 1; i < 8; i++)
        g_assert_cmpuint(s[i]->t - s[i - 1]->t, ==, (sim_time_t)SIM_SEC << (i - 1));
    g_assert_false(dns_msg_question(&s[0]->m, 0)->unicast_response);
    lan_run(&l, 100000 * SIM_SEC);
    s = (sent **)l.log->pdata;
    g_assert_cmpuint(s[l.log->len - 1]->t - s[l.log->len - 2]->t, ==, 3600 * SIM_SEC);
    lan_clear(&l);
}

static int changes_added, changes_removed;

static void on_change(void *ctx, const dns_rr *rr, bool added)
{
    (void)ctx;
    (void)rr;
    added ? changes_added++ : changes_removed++;
}

/* A response with one record (flush: cache-flush bit), given to querier 0 at now. */
static void respond(lan *l, const char *owner, uint8_t last, uint32_t ttl, bool flush)
{
    dns_msg m;
    dns_msg_init(&m);
    m.qr = m.aa = true;
    dns_rr *a = dns_msg_add_rr(&m, DNS_AN);
    a->name = name(owner);
    a->type = DNS_T_A;
    a->ttl = ttl;
    a->cache_flush = flush;
    memcpy(a->rd.a, (uint8_t[]){ 10, 0, 0, last }, 4);
    mdns_out o;
    g_assert_cmpint(mdns_out_set(&o, &m, NULL), ==, 0);
    dns_msg_clear(&m);
    sim_ep from = { .ip = ip("10.0.0.9"), .port = MDNS_PORT };
    g_assert_cmpint(mdns_querier_input(l->q[0], l->now, &from, o.data, o.len), ==, 0);
}

/* Refresh queries at 80/85/90/95 % (+0-2 %) of a 120 s TTL, expiry at 100 %. */
static void test_refresh_expiry(void)
{
    lan l;
    lan_init(&l, 1);
    changes_added = changes_removed = 0;
    mdns_querier_on_change(l.q[0], on_change, NULL);
    dns_name n = name("p.local");
    mdns_querier_ask(l.q[0], 0, &n, DNS_T_A);
    lan_run(&l, 1024 * SIM_SEC); /* just after the query at ~1023.1 s; the next is at ~2047 s */
    respond(&l, "p.local", 7, 120, true);
    g_assert_cmpint(changes_added, ==, 1);
    g_ptr_array_set_size(l.log, 0);
    lan_run(&l, 1024 * SIM_SEC + 119 * SIM_SEC);
    g_assert_cmpuint(l.log->len, ==, 4);
    for (int k = 0; k < 4; k++) {
        sim_time_t t = ((sent *)l.log->pdata[k])->t - 1024 * SIM_SEC;
        g_assert_cmpuint(t, >=, (sim_time_t)(96 + 6 * k) * SIM_SEC);      /* 80 + 5k % */
        g_assert_cmpuint(t, <=, (sim_time_t)(96 + 6 * k) * SIM_SEC + 2400 * SIM_MS); /* +2 % */
        sent *s = l.log->pdata[k];
        g_assert_cmpuint(dns_msg_count(&s->m, DNS_AN), ==, 0); /* under half TTL: no KA */
    }
    g_assert_cmpint(changes_removed, ==, 0);
    lan_run(&l, 1144 * SIM_SEC);
    g_assert_cmpint(changes_removed, ==, 1);
    g_assert_cmpuint(mdns_querier_cache_size(l.q[0]), ==, 0);
    lan_clear(&l);
}

/* Known answers in our queries; §10.2 cache flush; §7.3 duplicate question suppression. */
static void test_cache_flush_and_known_answers(void)
{
    lan l;
    lan_init(&l, 1);
    dns_name n = name("p.local");
    l.now = 10 * SIM_SEC;
    respond(&l, "p.local", 1, 120, false);
    l.now = 10 * SIM_SEC + 500 * SIM_MS;
    respond(&l, "p.local", 2, 120, false);
    l.now = 11 * SIM_SEC + 200 * SIM_MS;
    respond(&l, "p.local", 3, 120, true); /* .1 is 1.2 s old: flushed; .2 0.7 s: kept */
    GArray *rrs = g_array_new(FALSE, TRUE, sizeof(dns_rr));
    lan_run(&l, 12 * SIM_SEC + 200 * SIM_MS - 1);
    g_assert_cmpuint(mdns_querier_find(l.q[0], l.now, &n, DNS_T_A, rrs), ==, 3);
    lan_run(&l, 12 * SIM_SEC + 200 * SIM_MS);
    g_array_set_size(rrs, 0);
    g_assert_cmpuint(mdns_querier_find(l.q[0], l.now, &n, DNS_T_A, rrs), ==, 2);
    g_assert_cmpuint(mdns_querier_get_stats(l.q[0])->flushed, ==, 1);
    g_array_set_size(rrs, 0);
    g_array_free(rrs, TRUE);
    /* a query now carries both as known answers */
    mdns_querier_ask(l.q[0], l.now, &n, DNS_T_A);
    lan_run(&l, l.now + 500 * SIM_MS);
    g_assert_cmpuint(l.log->len, ==, 1);
    g_assert_cmpuint(dns_msg_count(&((sent *)l.log->pdata[0])->m, DNS_AN), ==, 2);
    /* another host asks the same (its known answers are ours): ours waits a full interval */
    sim_time_t next = mdns_querier_next_deadline(l.q[0]);
    dns_msg m;
    dns_msg_init(&m);
    dns_msg_add_question(&m, &n, DNS_T_A, DNS_C_IN);
    mdns_out o;
    mdns_out_set(&o, &m, NULL);
    dns_msg_clear(&m);
    sim_ep from = { .ip = ip("10.0.0.9"), .port = MDNS_PORT };
    l.now = next - 100 * SIM_MS;
    mdns_querier_input(l.q[0], l.now, &from, o.data, o.len);
    g_assert_cmpuint(mdns_querier_get_stats(l.q[0])->suppressed_questions, ==, 1);
    g_assert_cmpuint(mdns_querier_next_deadline(l.q[0]), >, next);
    lan_clear(&l);
}

/* ---------------------------------------------------------------- DNS-SD, malformed input */

static void test_browse_resolve(void)
{
    lan l;
    printer_lan(&l, 2);
    dns_name svc, inst = name("myprinter._printer._tcp.local");
    g_assert_cmpint(mdns_sd_service_name("_printer._tcp", &svc), ==, 0);
    g_assert_cmpint(mdns_sd_service_name("printer", &svc), ==, -EINVAL);
    g_assert_cmpint(mdns_sd_service_name("_printer._tcp", &svc), ==, 0);
    mdns_querier_ask(l.q[1], l.now, &svc, DNS_T_PTR);
    lan_run(&l, l.now + SIM_SEC);
    GArray *found = g_array_new(FALSE, FALSE, sizeof(dns_name));
    g_assert_cmpuint(mdns_sd_browse(l.q[1], l.now, &svc, found), ==, 1);
    g_assert_true(dns_name_eq(&g_array_index(found, dns_name, 0), &inst));
    g_array_free(found, TRUE);
    mdns_sd_info info;
    g_assert_cmpint(mdns_sd_resolve(l.q[1], l.now, &inst, &info), ==, 0); /* additionals */
    g_assert_cmpuint(info.port, ==, 5432);
    dns_name target = name("myserver.local");
    g_assert_true(dns_name_eq(&info.target, &target));
    g_assert_cmpuint(info.addrs->len, ==, 1);
    g_assert_true(sim_ip_eq(&g_array_index(info.addrs, sim_ip, 0), &l.ep[0].ip));
    const uint8_t *v;
    size_t vl;
    g_assert_cmpint(dns_txt_get(&info.txt, "paper", &v, &vl), ==, 1);
    g_assert_cmpmem(v, vl, "A4", 2);
    mdns_sd_info_clear(&info);
    dns_name nope = name("other._printer._tcp.local");
    g_assert_cmpint(mdns_sd_resolve(l.q[1], l.now, &nope, &info), ==, -ENOENT);
    lan_clear(&l);
}

static void test_malformed(void)
{
    lan l;
    printer_lan(&l, 1);
    sim_ep from = { .ip = ip("10.0.0.2"), .port = MDNS_PORT };
    /* a question whose name is a pointer to itself, then one that loops back to it */
    static const uint8_t loop[] = { 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1 };
    static const uint8_t loop2[] = { 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
                                     1, 'a', 0xC0, 12, 0, 1, 0, 1 };
    static const uint8_t shortp[] = { 0, 0, 0, 0, 0, 1 };
    static const uint8_t counts[] = { 0, 0, 0x84, 0, 0, 0, 0, 9, 0, 0, 0, 0 };
    const uint8_t *bad[] = { loop, loop2, shortp, counts };
    size_t lens[] = { sizeof loop, sizeof loop2, sizeof shortp, sizeof counts };
    for (int i = 0; i < 4; i++) {
        g_assert_cmpint(mdns_responder_input(l.r[0], l.now, &from, bad[i], lens[i]), ==,
                        -EBADMSG);
        g_assert_cmpint(mdns_querier_input(l.q[0], l.now, &from, bad[i], lens[i]), ==,
                        -EBADMSG);
    }
    g_assert_cmpuint(mdns_responder_get_stats(l.r[0])->bad, ==, 4);
    g_assert_cmpuint(mdns_querier_get_stats(l.q[0])->bad, ==, 4);
    lan_drain(&l);
    g_assert_cmpuint(l.log->len, ==, 0);
    g_assert_true(mdns_responder_ready(l.r[0])); /* unharmed */
    lan_clear(&l);
}

/* A flood of distinct records stops at MDNS_CACHE_MAX, counted. */
static void test_cache_cap(void)
{
    lan l;
    lan_init(&l, 1);
    for (int i = 0; i < MDNS_CACHE_MAX + 10; i++) {
        char owner[32];
        g_snprintf(owner, sizeof owner, "h%d.local", i);
        respond(&l, owner, 1, 120, false);
    }
    g_assert_cmpuint(mdns_querier_cache_size(l.q[0]), ==, MDNS_CACHE_MAX);
    g_assert_cmpuint(mdns_querier_get_stats(l.q[0])->cache_full, ==, 10);
    lan_clear(&l);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/mdns/querier/backoff", test_query_backoff);
    g_test_add_func("/mdns/querier/refresh-expiry", test_refresh_expiry);
    g_test_add_func("/mdns/querier/flush-known-dup", test_cache_flush_and_known_answers);
    g_test_add_func("/mdns/sd/browse-resolve", test_browse_resolve);
    g_test_add_func("/mdns/malformed", test_malformed);
    g_test_add_func("/mdns/querier/cache-cap", test_cache_cap);
    return g_test_run();
}
