/* protocols/mdns/mdns_decode.c — `natsim decode mdns FILE`: the DNS dump of protocols/dns/
 * preceded by what the message is in mDNS terms (RFC 6762): a probe (a query with proposed
 * records in the authority section, §8.1), a goodbye (a response with TTL 0 records, §10.1),
 * a legacy unicast query (non-zero id), a query with known answers (§7.1), or a response. */
#include "protocols/mdns/mdns.h"

#include <errno.h>

const char *mdns_msg_kind(const dns_msg *m)
{
    if (!m->qr) {
        if (dns_msg_count(m, DNS_NS))
            return "probe";
        if (dns_msg_count(m, DNS_AN))
            return "query with known answers";
        return m->id ? "query (legacy unicast id)" : "query";
    }
    bool bye = dns_msg_count(m, DNS_AN) > 0;
    for (size_t i = 0; i < dns_msg_count(m, DNS_AN); i++)
        bye &= dns_msg_rrs(m, DNS_AN, i)->ttl == 0;
    return bye ? "goodbye" : m->id ? "response (legacy unicast)" : "response";
}

int mdns_decode(const uint8_t *data, size_t len, int argc, char **argv, GString *out,
                GError **err)
{
    (void)argv;
    if (argc > 1) { /* argv[0] is the file */
        g_set_error(err, g_quark_from_static_string("mdns-decode"), EINVAL,
                    "mdns takes no options");
        return -1;
    }
    dns_msg m;
    dns_err e = { 0 };
    if (dns_msg_decode(data, len, &m, &e) != 0) {
        g_set_error(err, g_quark_from_static_string("mdns-decode"), EBADMSG,
                    "malformed mDNS message at byte %zu: %s", e.off, e.why);
        return -1;
    }
    g_string_append_printf(out, ";; mDNS %s\n", mdns_msg_kind(&m));
    dns_msg_fmt(&m, out);
    dns_msg_clear(&m);
    return 0;
}
