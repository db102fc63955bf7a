/* fuzz_mdns — arbitrary bytes as an mDNS packet for the responder and querier cores: an
 * announced responder (host name and a DNS-SD instance) and a probing one, and a querier
 * with questions and a filled cache, each fed the input from port 5353 (a full mDNS peer) and
 * from port 40000 (legacy unicast), then run through their deadlines. Nothing may crash or
 * leak, the cores must keep their invariants (every packet they queue decodes; deadlines
 * never lie in the past after a timeout), and `natsim decode mdns` must accept or reject. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "protocols/mdns/mdns.h"

static void drain_responder(mdns_responder *r, bool check)
{
    mdns_out o;
    while (mdns_responder_pop(r, &o)) {
        if (!check)
            continue;
        dns_msg m;
        if (dns_msg_decode(o.data, o.len, &m, NULL) != 0)
            abort(); /* what we send must be well-formed */
        dns_msg_clear(&m);
    }
}

static void drain_querier(mdns_querier *q)
{
    mdns_out o;
    while (mdns_querier_pop(q, &o)) {
        dns_msg m;
        if (dns_msg_decode(o.data, o.len, &m, NULL) != 0)
            abort();
        dns_msg_clear(&m);
    }
}

/* Runs r until `until`, checking that each timeout moves the deadline forward. */
static void run_responder(mdns_responder *r, sim_time_t until, bool check)
{
    for (int i = 0; i < 64; i++) {
        sim_time_t t = mdns_responder_next_deadline(r);
        if (t > until)
            break;
        mdns_responder_timeout(r, t);
        drain_responder(r, check);
        if (mdns_responder_next_deadline(r) <= t)
            abort();
    }
}

static mdns_responder *responder(sim_rng *rng, bool announce)
{
    sim_ip ip;
    sim_ip_parse("10.0.0.1", &ip);
    mdns_responder *r = mdns_responder_new("myserver", &ip, 1, rng);
    const char *txt[] = { "paper=A4" };
    mdns_responder_publish(r, 0, "myprinter", "_printer._tcp", 5432, txt, 1);
    mdns_responder_start(r, 0);
    if (announce)
        run_responder(r, 10 * SIM_SEC, false); /* our own packets: unit-tested */
    return r;
}

static void feed_responder(const uint8_t *data, size_t size, bool announce)
{
    sim_rng rng;
    sim_rng_seed(&rng, 7);
    mdns_responder *r = responder(&rng, announce);
    sim_ep peer, legacy;
    sim_ep_parse("10.0.0.2:5353", &peer);
    sim_ep_parse("10.0.0.2:40000", &legacy);
    sim_time_t now = 20 * SIM_SEC;
    int rc = mdns_responder_input(r, now, &peer, data, size);
    if (rc != 0 && rc != -ENOENT && rc != -EBADMSG)
        abort();
    drain_responder(r, true);
    mdns_responder_input(r, now, &legacy, data, size);
    drain_responder(r, true);
    if (announce) /* delayed answers, probing a renamed name */
        run_responder(r, now + 2 * SIM_SEC, true);
    mdns_responder_stop(r, now + 2 * SIM_SEC);
    drain_responder(r, true);
    mdns_responder_free(r);
}

static void feed_querier(const uint8_t *data, size_t size)
{
    sim_rng rng;
    sim_rng_seed(&rng, 9);
    mdns_querier *q = mdns_querier_new(&rng);
    dns_name svc, inst;
    dns_name_from_str("_printer._tcp.local", &svc);
    dns_name_from_str("myprinter._printer._tcp.local", &inst);
    mdns_querier_ask(q, 0, &svc, DNS_T_PTR);
    mdns_querier_ask(q, 0, &inst, DNS_T_ANY);
    sim_ep peer;
    sim_ep_parse("10.0.0.2:5353", &peer);
    int rc = mdns_querier_input(q, SIM_SEC, &peer, data, size);
    if (rc != 0 && rc != -ENOENT && rc != -EBADMSG)
        abort();
    mdns_querier_input(q, 2 * SIM_SEC, &peer, data, size); /* again: refreshes, flushes */
    for (int i = 0; i < 12; i++) {
        sim_time_t t = mdns_querier_next_deadline(q);
        if (t > 300 * SIM_SEC)
            break;
        mdns_querier_timeout(q, t);
        drain_querier(q);
        if (mdns_querier_next_deadline(q) <= t)
            abort();
    }
    GArray *names = g_array_new(FALSE, FALSE, sizeof(dns_name));
    mdns_sd_browse(q, 3 * SIM_SEC, &svc, names);
    g_array_free(names, TRUE);
    mdns_sd_info info;
    if (mdns_sd_resolve(q, 3 * SIM_SEC, &inst, &info) == 0)
        mdns_sd_info_clear(&info);
    mdns_querier_free(q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    feed_responder(data, size, true);
    feed_responder(data, size, false);
    feed_querier(data, size);
    GString *out = g_string_new(NULL);
    GError *err = NULL;
    if (mdns_decode(data, size, 0, NULL, out, &err) != 0) {
        if (!err)
            abort();
        g_error_free(err);
    }
    g_string_free(out, TRUE);
    return 0;
}
