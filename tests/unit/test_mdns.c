/* tests/unit/test_mdns.c — the mDNS responder core (RFC 6762) driven in virtual time over an
 * in-memory LAN (no simulator): exact probe and announcement timings, tie-breaking both ways,
 * renaming and the conflict rate limit, answers (delays, QU, legacy unicast, known-answer and
 * duplicate-answer suppression, NSEC), the lecture's DNS-SD records, goodbyes. */
#include "mdns_lan.h"

/* ---------------------------------------------------------------- probing and announcing */

static void test_probe_timing(void)
{
    lan l;
    lan_init(&l, 1);
    lan_responder(&l, 0, "myserver");
    mdns_responder_start(l.r[0], 0);
    lan_run(&l, 10 * SIM_SEC);
    g_assert_cmpuint(l.log->len, ==, 5);
    sent **s = (sent **)l.log->pdata;
    g_assert_cmpuint(s[0]->t, <=, 250 * SIM_MS); /* random 0-250 ms */
    for (int i = 0; i < 3; i++) {
        g_assert_true(is_probe(s[i]));
        g_assert_cmpuint(s[i]->t, ==, s[0]->t + (sim_time_t)i * 250 * SIM_MS);
        const dns_question *q = dns_msg_question(&s[i]->m, 0);
        g_assert_true(q->unicast_response);
        g_assert_cmpuint(q->type, ==, DNS_T_ANY);
        dns_name want = name("myserver.local");
        g_assert_true(dns_name_eq(&q->name, &want));
        const dns_rr *a = dns_msg_rrs(&s[i]->m, DNS_NS, 0);
        g_assert_cmpuint(a->type, ==, DNS_T_A);
        g_assert_true(s[i]->o.to.ip.family == SIM_AF_NONE);
    }
    g_assert_true(is_response(s[3]) && is_response(s[4]));
    g_assert_cmpuint(s[3]->t, ==, s[2]->t + 250 * SIM_MS);
    g_assert_cmpuint(s[4]->t, ==, s[3]->t + SIM_SEC);
    const dns_rr *a = dns_msg_rrs(&s[3]->m, DNS_AN, 0);
    g_assert_true(a->cache_flush);
    g_assert_cmpuint(a->ttl, ==, MDNS_TTL_HOST);
    g_assert_true(mdns_responder_ready(l.r[0]));
    g_assert_cmpuint(mdns_responder_next_deadline(l.r[0]), ==, SIM_TIME_NEVER);
    lan_clear(&l);
}

/* Two hosts probe "dup" at once: 10.0.0.1 < 10.0.0.2 bytewise, so host 0 loses (§8.2). */
static void test_tiebreak(void)
{
    lan l;
    lan_init(&l, 2);
    lan_responder(&l, 0, "dup");
    lan_responder(&l, 1, "dup");
    mdns_responder_start(l.r[0], 0);
    mdns_responder_start(l.r[1], 0);
    lan_run(&l, 30 * SIM_SEC);
    const mdns_responder_stats *s0 = mdns_responder_get_stats(l.r[0]);
    const mdns_responder_stats *s1 = mdns_responder_get_stats(l.r[1]);
    g_assert_cmpuint(s0->tiebreak_lost, >=, 1);
    g_assert_cmpuint(s1->tiebreak_won, >=, 1);
    g_assert_cmpuint(s1->tiebreak_lost, ==, 0);
    g_assert_cmpstr(mdns_responder_hostname(l.r[1]), ==, "dup");
    g_assert_cmpstr(mdns_responder_hostname(l.r[0]), ==, "dup-2");
    g_assert_true(mdns_responder_ready(l.r[0]) && mdns_responder_ready(l.r[1]));

    /* the order itself: class, type, then RDATA bytes */
    dns_rr a = { .name = name("x.local"), .type = DNS_T_A, .rclass = DNS_C_IN, .ttl = 120,
                 .rd.a = { 10, 0, 0, 1 } };
    dns_rr b = a;
    b.rd.a[3] = 2;
    g_assert_cmpint(mdns_rr_cmp(&a, &b), <, 0);
    g_assert_cmpint(mdns_rr_cmp(&b, &a), >, 0);
    dns_rr aaaa = { .name = a.name, .type = DNS_T_AAAA, .rclass = DNS_C_IN };
    g_assert_cmpint(mdns_rr_cmp(&aaaa, &b), >, 0); /* type 28 > 1, whatever the data */
    GArray *ours = g_array_new(FALSE, FALSE, sizeof(dns_rr));
    GArray *theirs = g_array_new(FALSE, FALSE, sizeof(dns_rr));
    g_array_append_val(ours, b);
    g_array_append_val(theirs, a);
    g_assert_cmpint(mdns_tiebreak(ours, theirs), >, 0);
    g_array_append_val(theirs, aaaa); /* {A .1, AAAA} vs {A .2}: the first record decides */
    g_assert_cmpint(mdns_tiebreak(ours, theirs), >, 0);
    g_array_set_size(ours, 0);
    g_array_append_val(ours, a);
    g_assert_cmpint(mdns_tiebreak(ours, theirs), <, 0); /* a prefix loses */
    g_array_free(ours, TRUE);
    g_array_free(theirs, TRUE);
    lan_clear(&l);
}


/* Host 0 holds "myhost" and "myprinter"; host 1 arrives later wanting both: it renames. */
static void test_conflict_rename(void)
{
    lan l;
    lan_init(&l, 2);
    lan_responder(&l, 0, "myhost");
    lan_responder(&l, 1, "myhost");
    g_assert_cmpint(mdns_responder_publish(l.r[0], 0, "myprinter", "_printer._tcp", 5432,
                                           paper, 1), ==, 0);
    g_assert_cmpint(mdns_responder_publish(l.r[1], 0, "myprinter", "_printer._tcp", 631,
                                           NULL, 0), ==, 0);
    g_assert_cmpint(mdns_responder_publish(l.r[1], 0, "myprinter", "_printer._tcp", 1, NULL,
                                           0), ==, -EEXIST);
    mdns_responder_start(l.r[0], 0);
    lan_run(&l, 5 * SIM_SEC);
    g_assert_true(mdns_responder_ready(l.r[0]));
    mdns_responder_start(l.r[1], l.now);
    lan_run(&l, 20 * SIM_SEC);
    g_assert_cmpstr(mdns_responder_hostname(l.r[0]), ==, "myhost");
    g_assert_cmpstr(mdns_responder_hostname(l.r[1]), ==, "myhost-2");
    g_assert_cmpstr(mdns_responder_service_name(l.r[0], 0), ==, "myprinter._printer._tcp.local");
    g_assert_cmpstr(mdns_responder_service_name(l.r[1], 0), ==,
                    "myprinter (2)._printer._tcp.local");
    g_assert_cmpuint(mdns_responder_get_stats(l.r[1])->renames, ==, 2);
    g_assert_cmpuint(mdns_responder_get_stats(l.r[0])->renames, ==, 0);
    g_assert_true(mdns_responder_ready(l.r[1]));
    lan_clear(&l);
}

/* §8.1: after 15 conflicts within 10 s the next probing waits 5 s. */
static void test_conflict_rate_limit(void)
{
    lan l;
    lan_init(&l, 1);
    lan_responder(&l, 0, "h");
    mdns_responder_start(l.r[0], 0);
    for (int i = 0; i < 15; i++) {
        char host[32];
        g_snprintf(host, sizeof host, "%s.local", mdns_responder_hostname(l.r[0]));
        dns_msg m;
        dns_msg_init(&m);
        m.qr = m.aa = true;
        dns_rr *a = dns_msg_add_rr(&m, DNS_AN);
        a->name = name(host);
        a->type = DNS_T_A;
        a->ttl = 120;
        memcpy(a->rd.a, (uint8_t[]){ 10, 9, 9, 9 }, 4);
        mdns_out o;
        g_assert_cmpint(mdns_out_set(&o, &m, NULL), ==, 0);
        dns_msg_clear(&m);
        sim_ep other = { .ip = ip("10.9.9.9"), .port = MDNS_PORT };
        l.now = (sim_time_t)i * 100 * SIM_MS;
        mdns_responder_input(l.r[0], l.now, &other, o.data, o.len);
        if (i < 14)
            g_assert_cmpuint(mdns_responder_next_deadline(l.r[0]), <=, l.now + 250 * SIM_MS);
    }
    g_assert_cmpstr(mdns_responder_hostname(l.r[0]), ==, "h-16");
    g_assert_cmpuint(mdns_responder_next_deadline(l.r[0]), ==, l.now + 5 * SIM_SEC);
    lan_clear(&l);
}

/* ---------------------------------------------------------------- answers */


/* Sends one query from `from` (port) to host 0's responder and runs 1 s. */
static void query(lan *l, uint16_t port, const char *qname, uint16_t type, bool qu,
                  const dns_rr *known, uint16_t id)
{
    dns_msg m;
    dns_msg_init(&m);
    m.id = id;
    dns_msg_add_question(&m, &(dns_name){ 0 }, 0, 0); /* replaced below */
    dns_question *q = &g_array_index(m.qd, dns_question, 0);
    q->name = name(qname);
    q->type = type;
    q->qclass = DNS_C_IN;
    q->unicast_response = qu;
    if (known)
        dns_msg_add_copy(&m, DNS_AN, known);
    mdns_out o;
    g_assert_cmpint(mdns_out_set(&o, &m, NULL), ==, 0);
    dns_msg_clear(&m);
    sim_ep from = { .ip = ip("10.0.0.2"), .port = port };
    mdns_responder_input(l->r[0], l->now, &from, o.data, o.len);
    lan_run(l, l->now + SIM_SEC);
}

static void test_lecture_records(void)
{
    lan l;
    printer_lan(&l, 1);
    l.now = 100 * SIM_SEC;
    query(&l, MDNS_PORT, "_printer._tcp.local", DNS_T_PTR, false, NULL, 0);
    g_assert_cmpuint(l.log->len, ==, 1);
    sent *s = l.log->pdata[0];
    GString *dump = g_string_new(NULL);
    dns_msg_fmt(&s->m, dump);
    g_test_message("%s", dump->str);
    g_string_free(dump, TRUE);
    static const char *const want_txt[] = {
        "_printer._tcp.local. 4500 IN PTR myprinter._printer._tcp.local.",
        "myprinter._printer._tcp.local. 120 IN SRV 0 0 5432 myserver.local.",
        "myprinter._printer._tcp.local. 4500 IN TXT \"paper=A4\"",
        "myserver.local. 120 IN A 10.0.0.1",
    };
    const dns_rr *order[] = { dns_msg_rrs(&s->m, DNS_AN, 0), dns_msg_rrs(&s->m, DNS_AR, 0),
                              dns_msg_rrs(&s->m, DNS_AR, 1), dns_msg_rrs(&s->m, DNS_AR, 2) };
    g_assert_cmpuint(dns_msg_count(&s->m, DNS_AR), ==, 3);
    for (int i = 0; i < 4; i++) {
        dns_rr c;
        dns_rr_copy(&c, order[i]);
        c.cache_flush = false; /* the presentation form without the "; cache-flush" note */
        GString *line = g_string_new(NULL);
        dns_rr_fmt(&c, line);
        g_strdelimit(line->str, "\t", ' ');
        g_assert_cmpstr(line->str, ==, want_txt[i]);
        g_string_free(line, TRUE);
        dns_rr_clear(&c);
    }
    /* the SRV record's bytes, uncompressed (RFC 2782 layout) */
    const dns_rr *srv = dns_msg_rrs(&s->m, DNS_AR, 0);
    g_assert_cmpuint(srv->type, ==, DNS_T_SRV);
    dns_msg one;
    dns_msg_init(&one);
    dns_msg_add_copy(&one, DNS_AN, srv);
    g_array_index(one.rr[DNS_AN], dns_rr, 0).cache_flush = false;
    uint8_t buf[512];
    size_t len;
    g_assert_cmpint(dns_msg_encode(&one, DNS_ENC_NO_COMPRESS, buf, sizeof buf, &len), ==, 0);
    static const uint8_t want[] = {
        9, 'm', 'y', 'p', 'r', 'i', 'n', 't', 'e', 'r', 8, '_', 'p', 'r', 'i', 'n', 't', 'e',
        'r', 4, '_', 't', 'c', 'p', 5, 'l', 'o', 'c', 'a', 'l', 0, 0, 33, 0, 1, 0, 0, 0, 120,
        0, 22, 0, 0, 0, 0, 0x15, 0x38, 8, 'm', 'y', 's', 'e', 'r', 'v', 'e', 'r', 5, 'l', 'o',
        'c', 'a', 'l', 0
    };
    g_assert_cmpuint(len, ==, DNS_HDR_LEN + sizeof want);
    g_assert_cmpmem(buf + DNS_HDR_LEN, sizeof want, want, sizeof want);
    dns_msg_clear(&one);
    lan_clear(&l);
}

/* Shared answers wait 20-120 ms; unique ones go at once; both multicast. */
static void test_answer_delays(void)
{
    lan l;
    printer_lan(&l, 1);
    for (int i = 0; i < 20; i++) {
        g_ptr_array_set_size(l.log, 0);
        l.now = (100 + (sim_time_t)i * 5) * SIM_SEC;
        sim_time_t asked = l.now;
        query(&l, MDNS_PORT, "_printer._tcp.local", DNS_T_PTR, false, NULL, 0);
        g_assert_cmpuint(l.log->len, ==, 1);
        sent *s = l.log->pdata[0];
        g_assert_cmpuint(s->t, >=, asked + 20 * SIM_MS);
        g_assert_cmpuint(s->t, <=, asked + 120 * SIM_MS);
        g_assert_true(s->o.to.ip.family == SIM_AF_NONE);
        g_assert_false(dns_msg_rrs(&s->m, DNS_AN, 0)->cache_flush); /* PTR: shared */
    }
    g_ptr_array_set_size(l.log, 0);
    l.now = 300 * SIM_SEC;
    query(&l, MDNS_PORT, "myserver.local", DNS_T_A, false, NULL, 0);
    g_assert_cmpuint(l.log->len, ==, 1);
    sent *s = l.log->pdata[0];
    g_assert_cmpuint(s->t, ==, 300 * SIM_SEC);
    g_assert_true(dns_msg_rrs(&s->m, DNS_AN, 0)->cache_flush);
    g_assert_cmpuint(s->m.id, ==, 0);
    g_assert_cmpuint(s->m.qd->len, ==, 0);
    lan_clear(&l);
}

static void test_known_answer(void)
{
    lan l;
    printer_lan(&l, 1);
    dns_rr ptr = { .name = name("_printer._tcp.local"), .type = DNS_T_PTR, .rclass = DNS_C_IN,
                   .ttl = 4500, .rd.target = name("myprinter._printer._tcp.local") };
    l.now = 100 * SIM_SEC;
    query(&l, MDNS_PORT, "_printer._tcp.local", DNS_T_PTR, false, &ptr, 0);
    g_assert_cmpuint(l.log->len, ==, 0);
    g_assert_cmpuint(mdns_responder_get_stats(l.r[0])->suppressed, ==, 1);
    ptr.ttl = 2249; /* under half our TTL: answered again */
    query(&l, MDNS_PORT, "_printer._tcp.local", DNS_T_PTR, false, &ptr, 0);
    g_assert_cmpuint(l.log->len, ==, 1);
    lan_clear(&l);
}

static void test_unicast_answers(void)
{
    lan l;
    printer_lan(&l, 1);
    /* QU, the A record was multicast (announced) 1-2 s ago, within TTL/4: unicast */
    l.now = 6 * SIM_SEC;
    query(&l, MDNS_PORT, "myserver.local", DNS_T_A, true, NULL, 0);
    g_assert_cmpuint(l.log->len, ==, 1);
    sent *s = l.log->pdata[0];
    sim_ip querier = ip("10.0.0.2");
    g_assert_true(sim_ip_eq(&s->o.to.ip, &querier));
    g_assert_cmpuint(s->o.to.port, ==, MDNS_PORT);
    /* QU, but not multicast for over TTL/4 (30 s): multicast instead (§5.4) */
    g_ptr_array_set_size(l.log, 0);
    l.now = 100 * SIM_SEC;
    query(&l, MDNS_PORT, "myserver.local", DNS_T_A, true, NULL, 0);
    g_assert_cmpuint(l.log->len, ==, 1);
    g_assert_true(((sent *)l.log->pdata[0])->o.to.ip.family == SIM_AF_NONE);
    /* legacy unicast (§6.7): source port 40000 */
    g_ptr_array_set_size(l.log, 0);
    l.now = 200 * SIM_SEC;
    query(&l, 40000, "myprinter._printer._tcp.local", DNS_T_SRV, false, NULL, 0x1234);
    g_assert_cmpuint(l.log->len, ==, 1);
    s = l.log->pdata[0];
    g_assert_cmpuint(s->t, ==, 200 * SIM_SEC);
    g_assert_cmpuint(s->o.to.port, ==, 40000);
    g_assert_cmpuint(s->m.id, ==, 0x1234);
    g_assert_cmpuint(s->m.qd->len, ==, 1);
    g_assert_cmpuint(dns_msg_question(&s->m, 0)->type, ==, DNS_T_SRV);
    for (int sec = DNS_AN; sec <= DNS_AR; sec++)
        for (size_t i = 0; i < dns_msg_count(&s->m, sec); i++) {
            g_assert_cmpuint(dns_msg_rrs(&s->m, sec, i)->ttl, <=, 10);
            g_assert_false(dns_msg_rrs(&s->m, sec, i)->cache_flush);
        }
    g_assert_cmpuint(mdns_responder_get_stats(l.r[0])->legacy, ==, 1);
    lan_clear(&l);
}

static void test_nsec(void)
{
    lan l;
    printer_lan(&l, 1);
    l.now = 100 * SIM_SEC;
    query(&l, MDNS_PORT, "myserver.local", DNS_T_AAAA, false, NULL, 0);
    g_assert_cmpuint(l.log->len, ==, 1);
    const dns_rr *nsec = dns_msg_rrs(&((sent *)l.log->pdata[0])->m, DNS_AN, 0);
    g_assert_cmpuint(nsec->type, ==, DNS_T_NSEC);
    g_assert_true(dns_nsec_has(nsec, DNS_T_A));
    g_assert_false(dns_nsec_has(nsec, DNS_T_AAAA));
    g_assert_true(nsec->cache_flush);
    /* §6.2: an A answer carries the NSEC for the missing AAAA as an additional record */
    g_ptr_array_set_size(l.log, 0);
    l.now = 200 * SIM_SEC;
    query(&l, MDNS_PORT, "myserver.local", DNS_T_A, false, NULL, 0);
    const dns_msg *m = &((sent *)l.log->pdata[0])->m;
    g_assert_cmpuint(dns_msg_rrs(m, DNS_AN, 0)->type, ==, DNS_T_A);
    g_assert_cmpuint(dns_msg_count(m, DNS_AR), ==, 1);
    g_assert_cmpuint(dns_msg_rrs(m, DNS_AR, 0)->type, ==, DNS_T_NSEC);
    g_assert_false(dns_nsec_has(dns_msg_rrs(m, DNS_AR, 0), DNS_T_AAAA));
    lan_clear(&l);
}

/* §6.2 on a dual-stack host: an A answer carries the AAAA record. */
static void test_other_family(void)
{
    lan l;
    lan_init(&l, 1);
    sim_ip addrs[2] = { ip("10.0.0.1"), ip("fe80::1") };
    l.r[0] = mdns_responder_new("dual", addrs, 2, &l.rng[0]);
    mdns_responder_start(l.r[0], 0);
    lan_run(&l, 5 * SIM_SEC);
    g_ptr_array_set_size(l.log, 0);
    l.now = 100 * SIM_SEC;
    query(&l, MDNS_PORT, "dual.local", DNS_T_A, false, NULL, 0);
    const dns_msg *m = &((sent *)l.log->pdata[0])->m;
    g_assert_cmpuint(dns_msg_count(m, DNS_AN), ==, 1);
    g_assert_cmpuint(dns_msg_count(m, DNS_AR), ==, 1);
    sim_ip got, want = ip("fe80::1");
    g_assert_cmpint(dns_rr_addr(dns_msg_rrs(m, DNS_AR, 0), &got), ==, 0);
    g_assert_true(sim_ip_eq(&got, &want));
    lan_clear(&l);
}

static void test_goodbye(void)
{
    lan l;
    printer_lan(&l, 2);
    dns_name svc = name("_printer._tcp.local");
    mdns_querier_ask(l.q[1], l.now, &svc, DNS_T_PTR);
    lan_run(&l, l.now + 2 * SIM_SEC);
    GArray *found = g_array_new(FALSE, FALSE, sizeof(dns_name));
    g_assert_cmpuint(mdns_sd_browse(l.q[1], l.now, &svc, found), ==, 1);
    g_ptr_array_set_size(l.log, 0);
    sim_time_t bye = l.now;
    mdns_responder_stop(l.r[0], l.now);
    lan_drain(&l);
    g_assert_cmpuint(l.log->len, ==, 2); /* host name, instance */
    for (guint i = 0; i < l.log->len; i++) {
        sent *s = l.log->pdata[i];
        for (size_t k = 0; k < dns_msg_count(&s->m, DNS_AN); k++)
            g_assert_cmpuint(dns_msg_rrs(&s->m, DNS_AN, k)->ttl, ==, 0);
    }
    lan_run(&l, bye + SIM_SEC - 1);
    g_array_set_size(found, 0);
    g_assert_cmpuint(mdns_sd_browse(l.q[1], l.now, &svc, found), ==, 1);
    lan_run(&l, bye + SIM_SEC);
    g_array_set_size(found, 0);
    g_assert_cmpuint(mdns_sd_browse(l.q[1], l.now, &svc, found), ==, 0); /* §10.1: 1 s */
    g_array_free(found, TRUE);
    lan_clear(&l);
}

/* The host's cached A records of "myserver.local" on querier q, as the last bytes. */
static size_t cached_a(lan *l, int q, uint8_t *last, size_t max)
{
    dns_name host = name("myserver.local");
    GArray *rrs = g_array_new(FALSE, TRUE, sizeof(dns_rr));
    size_t n = mdns_querier_find(l->q[q], l->now, &host, DNS_T_A, rrs);
    for (size_t i = 0; i < n && i < max; i++)
        last[i] = g_array_index(rrs, dns_rr, i).rd.a[3];
    for (guint i = 0; i < rrs->len; i++)
        dns_rr_clear(&g_array_index(rrs, dns_rr, i));
    g_array_free(rrs, TRUE);
    return n;
}

/* §8.4: a new address (DHCP after link-local) is announced again, twice 1 s apart, with the
 * cache-flush bit, which removes the old A record from a neighbour's cache 1 s later (§10.2). */
static void test_address_change(void)
{
    lan l;
    lan_init(&l, 2);
    lan_responder(&l, 0, "myserver");
    mdns_responder_start(l.r[0], 0);
    dns_name host = name("myserver.local");
    mdns_querier_ask(l.q[1], 0, &host, DNS_T_A);
    lan_run(&l, 5 * SIM_SEC);
    uint8_t last[4];
    g_assert_cmpuint(cached_a(&l, 1, last, 4), ==, 1);
    g_assert_cmpuint(last[0], ==, 1); /* 10.0.0.1 */
    g_assert_cmpint(mdns_responder_set_addrs(l.r[0], l.now, &l.ep[0].ip, 1), ==, -EALREADY);
    g_ptr_array_set_size(l.log, 0);
    sim_ip moved = ip("10.0.0.101");
    sim_time_t t = l.now;
    g_assert_cmpint(mdns_responder_set_addrs(l.r[0], t, &moved, 1), ==, 0);
    g_assert_cmpuint(mdns_responder_next_deadline(l.r[0]), ==, t); /* at once */
    lan_run(&l, t + 3 * SIM_SEC);
    unsigned ann = 0;
    for (guint i = 0; i < l.log->len; i++) {
        sent *s = l.log->pdata[i];
        if (s->from != 0 || !is_response(s))
            continue;
        const dns_rr *a = dns_msg_rrs(&s->m, DNS_AN, 0);
        g_assert_cmpuint(a->type, ==, DNS_T_A);
        g_assert_cmpuint(a->rd.a[3], ==, 101);
        g_assert_true(a->cache_flush);
        g_assert_cmpuint(s->t, ==, t + ann * SIM_SEC);
        ann++;
    }
    g_assert_cmpuint(ann, ==, 2);
    g_assert_cmpuint(cached_a(&l, 1, last, 4), ==, 1); /* the old one flushed */
    g_assert_cmpuint(last[0], ==, 101);
    g_assert_cmpuint(mdns_responder_get_stats(l.r[0])->address_changes, ==, 1);
    lan_clear(&l);
}

/* An address change while a shared answer waits its 20-120 ms (§6): a query for the PTR and
 * the host's A record at once is answered after the delay, and must not carry the A record
 * given up meanwhile (its cache-flush bit would flush the new one at the neighbours). */
static void test_address_change_pending(void)
{
    lan l;
    printer_lan(&l, 2);
    lan_run(&l, l.now + 3 * SIM_SEC); /* all announced */
    g_ptr_array_set_size(l.log, 0);
    dns_msg m;
    dns_msg_init(&m);
    dns_msg_add_question(&m, &(dns_name){ 0 }, 0, 0);
    dns_msg_add_question(&m, &(dns_name){ 0 }, 0, 0);
    dns_question *q = &g_array_index(m.qd, dns_question, 0);
    q[0] = (dns_question){ .name = name("_printer._tcp.local"), .type = DNS_T_PTR,
                           .qclass = DNS_C_IN };
    q[1] = (dns_question){ .name = name("myserver.local"), .type = DNS_T_A, .qclass = DNS_C_IN };
    mdns_out o;
    g_assert_cmpint(mdns_out_set(&o, &m, NULL), ==, 0);
    dns_msg_clear(&m);
    deliver(&l, 1, &o);
    sim_time_t due = mdns_responder_next_deadline(l.r[0]);
    g_assert_cmpuint(due, >=, l.now + 20 * SIM_MS); /* shared: delayed */
    sim_ip moved = ip("10.0.0.101");
    g_assert_cmpint(mdns_responder_set_addrs(l.r[0], l.now, &moved, 1), ==, 0);
    lan_run(&l, l.now + 3 * SIM_SEC);
    unsigned ptrs = 0, as = 0;
    for (guint i = 0; i < l.log->len; i++) {
        sent *s = l.log->pdata[i];
        for (int sec = DNS_AN; s->from == 0 && sec <= DNS_AR; sec++)
            for (size_t k = 0; k < dns_msg_count(&s->m, sec); k++) {
                const dns_rr *rr = dns_msg_rrs(&s->m, sec, k);
                if (rr->type == DNS_T_A) {
                    g_assert_cmpuint(rr->rd.a[3], ==, 101);
                    as++;
                }
                ptrs += rr->type == DNS_T_PTR;
            }
    }
    g_assert_cmpuint(ptrs, >=, 1); /* the PTR answer still went */
    g_assert_cmpuint(as, >=, 2);   /* the two re-announcements */
    lan_clear(&l);
}

/* An address change while the name is still probing: the remaining probes carry the new A
 * record and the usual announcements follow, no extra ones. With no address left nothing is
 * announced. */
static void test_address_change_probing(void)
{
    lan l;
    lan_init(&l, 1);
    lan_responder(&l, 0, "myserver");
    mdns_responder_start(l.r[0], 0);
    lan_run(&l, 300 * SIM_MS); /* the first probe is out (0-250 ms) */
    sim_ip moved = ip("10.0.0.101");
    g_assert_cmpint(mdns_responder_set_addrs(l.r[0], l.now, &moved, 1), ==, 0);
    lan_run(&l, 5 * SIM_SEC);
    g_assert_cmpuint(l.log->len, ==, 5); /* 3 probes, 2 announcements */
    sent *p3 = l.log->pdata[2], *a1 = l.log->pdata[3];
    g_assert_cmpuint(dns_msg_rrs(&p3->m, DNS_NS, 0)->rd.a[3], ==, 101);
    g_assert_cmpuint(dns_msg_rrs(&a1->m, DNS_AN, 0)->rd.a[3], ==, 101);
    g_assert_cmpint(mdns_responder_set_addrs(l.r[0], l.now, NULL, 0), ==, 0);
    g_assert_cmpuint(mdns_responder_next_deadline(l.r[0]), ==, SIM_TIME_NEVER);
    lan_clear(&l);
}

/* A probe from another host (10.0.0.`last`) for "dup.local", as a packet. */
static mdns_out probe_from(uint8_t last)
{
    dns_msg m;
    dns_msg_init(&m);
    dns_msg_add_question(&m, &(dns_name){ 0 }, 0, 0);
    dns_question *q = &g_array_index(m.qd, dns_question, 0);
    q->name = name("dup.local");
    q->type = DNS_T_ANY;
    q->qclass = DNS_C_IN;
    q->unicast_response = true;
    dns_rr *a = dns_msg_add_rr(&m, DNS_NS);
    a->name = name("dup.local");
    a->type = DNS_T_A;
    a->ttl = 120;
    memcpy(a->rd.a, (uint8_t[]){ 10, 0, 0, last }, 4);
    mdns_out o;
    g_assert_cmpint(mdns_out_set(&o, &m, NULL), ==, 0);
    dns_msg_clear(&m);
    return o;
}

/* §8.2 both ways, exactly: losing defers the next probe to now + 1 s; winning changes
 * nothing; our own probe (identical records) is neither. */
static void test_tiebreak_exact(void)
{
    lan l;
    lan_init(&l, 1);
    lan_responder(&l, 0, "dup"); /* A 10.0.0.1 */
    mdns_responder_start(l.r[0], 0);
    lan_run(&l, 300 * SIM_MS); /* one or two probes sent */
    sim_ep peer = { .ip = ip("10.0.0.9"), .port = MDNS_PORT };
    sim_time_t next = mdns_responder_next_deadline(l.r[0]);
    mdns_out lower = probe_from(0), same = probe_from(1), higher = probe_from(2);
    l.now = 310 * SIM_MS;
    mdns_responder_input(l.r[0], l.now, &peer, lower.data, lower.len);
    g_assert_cmpuint(mdns_responder_next_deadline(l.r[0]), ==, next); /* we win */
    g_assert_cmpuint(mdns_responder_get_stats(l.r[0])->tiebreak_won, ==, 1);
    mdns_responder_input(l.r[0], l.now, &peer, same.data, same.len);
    g_assert_cmpuint(mdns_responder_next_deadline(l.r[0]), ==, next);
    g_assert_cmpuint(mdns_responder_get_stats(l.r[0])->tiebreak_won, ==, 1);
    g_assert_cmpuint(mdns_responder_get_stats(l.r[0])->tiebreak_lost, ==, 0);
    mdns_responder_input(l.r[0], l.now, &peer, higher.data, higher.len);
    g_assert_cmpuint(mdns_responder_get_stats(l.r[0])->tiebreak_lost, ==, 1);
    g_assert_cmpuint(mdns_responder_next_deadline(l.r[0]), ==, l.now + SIM_SEC);
    g_ptr_array_set_size(l.log, 0);
    lan_run(&l, 10 * SIM_SEC); /* three fresh probes from now + 1 s, then the name is ours */
    g_assert_cmpuint(((sent *)l.log->pdata[0])->t, ==, 1310 * SIM_MS);
    g_assert_true(is_probe(l.log->pdata[0]) && is_probe(l.log->pdata[2]));
    g_assert_cmpstr(mdns_responder_hostname(l.r[0]), ==, "dup");
    lan_clear(&l);
}

static GString *events;

static void on_event(void *ctx, const mdns_event *ev)
{
    (void)ctx;
    g_string_append_printf(events, "%s %s%s%s %u;", mdns_event_name(ev->kind), ev->name,
                           ev->name2 ? " -> " : "", ev->name2 ? ev->name2 : "", ev->n);
}

static void test_events(void)
{
    lan l;
    lan_init(&l, 2);
    lan_responder(&l, 0, "h");
    lan_responder(&l, 1, "h");
    events = g_string_new(NULL);
    mdns_responder_start(l.r[0], 0);
    lan_run(&l, 5 * SIM_SEC);
    mdns_responder_on_event(l.r[1], on_event, NULL);
    mdns_responder_start(l.r[1], l.now);
    lan_run(&l, 15 * SIM_SEC);
    g_assert_cmpstr(events->str, ==, "probe h.local 1;conflict h.local 0;"
                                     "renamed h.local -> h-2.local 0;probe h-2.local 1;"
                                     "probe h-2.local 2;probe h-2.local 3;"
                                     "announce h-2.local 1;announce h-2.local 2;"
                                     "ready h-2.local 0;");
    g_string_free(events, TRUE);
    lan_clear(&l);
}

/* §7.4: another responder multicasts our pending shared answer first: ours is dropped. */
static void test_duplicate_answer(void)
{
    lan l;
    printer_lan(&l, 1);
    l.now = 100 * SIM_SEC;
    dns_msg m;
    dns_msg_init(&m);
    dns_msg_add_question(&m, &(dns_name){ 0 }, 0, 0);
    dns_question *q = &g_array_index(m.qd, dns_question, 0);
    q->name = name("_printer._tcp.local");
    q->type = DNS_T_PTR;
    q->qclass = DNS_C_IN;
    mdns_out o;
    mdns_out_set(&o, &m, NULL);
    dns_msg_clear(&m);
    sim_ep peer = { .ip = ip("10.0.0.2"), .port = MDNS_PORT };
    mdns_responder_input(l.r[0], l.now, &peer, o.data, o.len);
    g_assert_cmpuint(mdns_responder_next_deadline(l.r[0]), >=, l.now + 20 * SIM_MS);
    dns_msg_init(&m);
    m.qr = m.aa = true;
    dns_rr ptr = { .name = name("_printer._tcp.local"), .type = DNS_T_PTR, .rclass = DNS_C_IN,
                   .ttl = 4500, .rd.target = name("myprinter._printer._tcp.local") };
    dns_msg_add_copy(&m, DNS_AN, &ptr);
    mdns_out_set(&o, &m, NULL);
    dns_msg_clear(&m);
    sim_ep other = { .ip = ip("10.0.0.3"), .port = MDNS_PORT }; /* e.g. a sleep proxy */
    l.now += 10 * SIM_MS;
    mdns_responder_input(l.r[0], l.now, &other, o.data, o.len);
    lan_run(&l, l.now + SIM_SEC);
    g_assert_cmpuint(l.log->len, ==, 0);
    lan_clear(&l);
}

/* Unpublishing one of two instances of a service keeps the shared enumeration PTR. */
static void test_unpublish(void)
{
    lan l;
    printer_lan(&l, 1);
    mdns_responder_publish(l.r[0], l.now, "second", "_printer._tcp", 9100, NULL, 0);
    lan_run(&l, l.now + 5 * SIM_SEC);
    g_ptr_array_set_size(l.log, 0);
    g_assert_cmpint(mdns_responder_unpublish(l.r[0], l.now, "second", "_printer._tcp"), ==, 0);
    g_assert_cmpint(mdns_responder_unpublish(l.r[0], l.now, "second", "_printer._tcp"), ==,
                    -ENOENT);
    lan_drain(&l);
    g_assert_cmpuint(l.log->len, ==, 1);
    const dns_msg *m = &((sent *)l.log->pdata[0])->m;
    g_assert_cmpuint(dns_msg_count(m, DNS_AN), ==, 3); /* SRV, TXT, PTR: not the _services PTR */
    dns_name enumr = name(MDNS_SD_ENUM);
    for (size_t i = 0; i < 3; i++) {
        g_assert_cmpuint(dns_msg_rrs(m, DNS_AN, i)->ttl, ==, 0);
        g_assert_false(dns_name_eq(&dns_msg_rrs(m, DNS_AN, i)->name, &enumr));
    }
    g_assert_cmpuint(mdns_responder_n_services(l.r[0]), ==, 1);
    lan_clear(&l);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/mdns/probe/timing", test_probe_timing);
    g_test_add_func("/mdns/probe/tiebreak", test_tiebreak);
    g_test_add_func("/mdns/probe/tiebreak-exact", test_tiebreak_exact);
    g_test_add_func("/mdns/probe/events", test_events);
    g_test_add_func("/mdns/conflict/rename", test_conflict_rename);
    g_test_add_func("/mdns/conflict/rate-limit", test_conflict_rate_limit);
    g_test_add_func("/mdns/answer/lecture-records", test_lecture_records);
    g_test_add_func("/mdns/answer/delays", test_answer_delays);
    g_test_add_func("/mdns/answer/known-answer", test_known_answer);
    g_test_add_func("/mdns/answer/unicast-legacy", test_unicast_answers);
    g_test_add_func("/mdns/answer/nsec", test_nsec);
    g_test_add_func("/mdns/answer/other-family", test_other_family);
    g_test_add_func("/mdns/answer/goodbye", test_goodbye);
    g_test_add_func("/mdns/answer/duplicate-answer", test_duplicate_answer);
    g_test_add_func("/mdns/answer/unpublish", test_unpublish);
    g_test_add_func("/mdns/address-change/announce", test_address_change);
    g_test_add_func("/mdns/address-change/while-probing", test_address_change_probing);
    g_test_add_func("/mdns/address-change/pending-answer", test_address_change_pending);
    return g_test_run();
}
