/* fuzz_dns — arbitrary bytes as a DNS / mDNS message: the decoder must refuse or accept without
 * crashing or leaking; whatever it accepts must encode (compressed, uncompressed and with the
 * mDNS rules), each encoding must decode to a message that encodes to the same bytes again
 * (the codec is its own inverse), and the dig-like dump, the server core (a zone with SRV,
 * NAPTR and a CNAME) and the resolver core must survive it as input. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "protocols/dns/dns.h"

static void count_call(void *ctx, const dns_result *r)
{
    (void)r;
    ++*(unsigned *)ctx;
}

/* Encodes m with flags and checks that decode then encode gives the same bytes. */
static void check_encoding(const dns_msg *m, unsigned flags)
{
    static uint8_t buf[DNS_MSG_MAX], again[DNS_MSG_MAX];
    size_t cap = sizeof buf, len, len2;
    int rc = dns_msg_encode(m, flags, buf, cap, &len);
    if (rc == -ENOSPC) /* uncompressed, a 64 KiB message can grow past 64 KiB */
        return;
    if (rc != 0)
        abort();
    dns_msg d;
    if (dns_msg_decode(buf, len, &d, NULL) != 0)
        abort();
    if (dns_msg_encode(&d, flags, again, cap, &len2) != 0 || len2 != len ||
        memcmp(buf, again, len) != 0)
        abort();
    dns_msg_clear(&d);
}

static void check_cores(const uint8_t *data, size_t size)
{
    static const uint8_t zone[] = { /* mit.edu SOA, SRV, NAPTR, CNAME, A as one message */
        0, 0, 132, 0, 0, 0, 0, 5, 0, 0, 0, 0, 3, 109, 105, 116, 3, 101, 100, 117, 0, 0, 6, 0, 1,
        0, 0, 0, 60, 0, 22, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 60,
        4, 95, 115, 105, 112, 4, 95, 117, 100, 112, 192, 12, 0, 33, 0, 1, 0, 0, 0, 60, 0, 10, 0,
        0, 0, 0, 19, 196, 1, 112, 192, 12, 192, 12, 0, 35, 0, 1, 0, 0, 0, 60, 0, 27, 0, 1, 0, 1,
        1, 115, 0, 0, 4, 95, 115, 105, 112, 4, 95, 117, 100, 112, 3, 109, 105, 116, 3, 101, 100,
        117, 0, 1, 99, 192, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 192, 81, 1, 112, 192, 12, 0, 1,
        0, 1, 0, 0, 0, 60, 0, 4, 18, 7, 22, 83
    };
    static dns_server *s; /* built once: answering does not change the zone */
    if (!s) {
        dns_msg z;
        if (dns_msg_decode(zone, sizeof zone, &z, NULL) != 0)
            abort();
        s = dns_server_new(0);
        dns_server_add_zone(s, dns_msg_rrs(&z, DNS_AN, 0));
        for (size_t i = 1; i < dns_msg_count(&z, DNS_AN); i++)
            if (dns_server_add_rr(s, dns_msg_rrs(&z, DNS_AN, i)) != 0)
                abort();
        dns_msg_clear(&z);
    }
    sim_ep from, server;
    sim_ep_parse("10.1.1.3:33000", &from);
    sim_ep_parse("18.7.22.1:53", &server);
    dns_server_input(s, 0, &from, data, size);
    dns_out o;
    while (dns_server_pop(s, &o))
        ;
    sim_rng rng;
    sim_rng_seed(&rng, 1);
    dns_resolver *r = dns_resolver_new(&(dns_resolver_cfg){ .server = server }, &rng);
    dns_name q;
    dns_name_from_str("mit.edu", &q);
    unsigned calls = 0;
    dns_resolver_lookup(r, 0, &q, DNS_T_NAPTR, count_call, &calls, NULL);
    dns_resolver_input(r, 0, &server, data, size);
    dns_resolver_timeout(r, 100 * SIM_SEC);
    while (dns_resolver_pop(r, &o))
        ;
    dns_resolver_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_cores(data, size);
    dns_msg m;
    dns_err e = { 0, NULL };
    if (dns_msg_decode(data, size, &m, &e) != 0) {
        if (!e.why || e.off > size)
            abort(); /* every rejection has a reason and an offset inside the input */
        return 0;
    }
    check_encoding(&m, 0);
    check_encoding(&m, DNS_ENC_NO_COMPRESS);
    check_encoding(&m, DNS_ENC_MDNS);
    GString *out = g_string_new(NULL);
    dns_msg_fmt(&m, out);
    g_string_free(out, TRUE);
    dns_msg_clear(&m);
    return 0;
}
