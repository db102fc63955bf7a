/* fuzz_sip_locate — RFC 3263 server location (sip_locate.c) fed arbitrary DNS answers: the
 * first byte picks the URI and the client's transport preference, the rest is a sequence of
 * DNS messages, each a 16-bit big-endian length and the bytes; the n-th message answers the
 * n-th question (its answer section as the records, whatever their owner and type; a message
 * that does not decode is a server failure; none left: NODATA). Location must end within the
 * number of questions RFC 3263 allows here, keep at most SIP_LOCATE_MAX targets, report the
 * first one as the result, and produce only records from the answer in sip_locate_srv_order.
 * tests/fuzz/gen_sip_locate_corpus.py writes the corpus. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "protocols/dns/dns.h"
#include "protocols/sip/sip.h"

/* 1 NAPTR + SIP_LOCATE_SRV_MAX SRV + A and AAAA of each host. */
#define MAX_QUESTIONS (1 + SIP_LOCATE_SRV_MAX + 2 * SIP_LOCATE_MAX)

/* The next DNS message of the input into *r (status and answer records). */
static void next_answer(const uint8_t **p, size_t *left, dns_msg *m, dns_result *r)
{
    r->status = DNS_NODATA;
    if (*left < 2)
        return;
    size_t n = (size_t)(*p)[0] << 8 | (*p)[1];
    n = n < *left - 2 ? n : *left - 2;
    const uint8_t *msg = *p + 2;
    *p += 2 + n;
    *left -= 2 + n;
    if (dns_msg_decode(msg, n, m, NULL) < 0) {
        r->status = DNS_SERVFAIL;
        return;
    }
    r->rrs = m->rr[DNS_AN];
    r->status = r->rrs->len ? DNS_OK : DNS_NODATA;
}

/* sip_locate_srv_order may only return SRV records of rrs, each once, lowest priority first. */
static void check_srv_order(const GArray *rrs, sim_rng *rng)
{
    const dns_rr *out[SIP_LOCATE_MAX];
    size_t n = sip_locate_srv_order(rrs, rng, out, SIP_LOCATE_MAX);
    for (size_t i = 0; i < n; i++) {
        const dns_rr *first = &g_array_index(rrs, dns_rr, 0);
        if (out[i] < first || out[i] >= first + rrs->len || out[i]->type != DNS_T_SRV ||
            (i && out[i]->rd.srv.priority < out[i - 1]->rd.srv.priority))
            abort();
        for (size_t k = 0; k < i; k++)
            if (out[k] == out[i])
                abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const uris[] = { "sip:bob@x.test", "sip:x.test;transport=tcp",
                                        "sip:bob@x.test:5070", "sips:x.test",
                                        "sip:bob@10.0.0.1", "sip:x.test;transport=udp;lr",
                                        "sip:[2001:db8::1]:5080", "sip:a.b.c.d.e.f.x.test" };
    if (!size)
        return 0;
    sim_rng rng;
    sim_rng_seed(&rng, data[0]);
    sip_locate l;
    if (sip_locate_init_uri(&l, uris[data[0] % G_N_ELEMENTS(uris)], data[0] & 0x80, &rng) < 0)
        abort(); /* every URI above is valid */
    const uint8_t *p = data + 1;
    size_t left = size - 1;
    dns_name name;
    uint16_t type;
    unsigned asked = 0;
    while (sip_locate_next(&l, &name, &type)) {
        if (++asked > MAX_QUESTIONS || !dns_name_valid(&name))
            abort();
        dns_msg m;
        dns_result r = { .name = name, .type = type };
        bool decoded = false;
        next_answer(&p, &left, &m, &r);
        decoded = r.rrs != NULL;
        if (decoded)
            check_srv_order(r.rrs, &rng);
        sip_locate_feed(&l, &r);
        if (decoded)
            dns_msg_clear(&m);
    }
    const sip_target *t;
    size_t n = sip_locate_targets(&l, &t);
    sim_ep first;
    int rc = sip_locate_result(&l, &first);
    if (n > SIP_LOCATE_MAX || (rc == 0) != (n > 0) || (rc < 0 && rc != -EHOSTUNREACH) ||
        (n && !sim_ep_eq(&first, &t[0].ep)))
        abort();
    return 0;
}
