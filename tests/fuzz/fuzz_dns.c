/* fuzz_dns — arbitrary bytes as a DNS / mDNS message: the decoder must refuse or accept without
 * crashing or leaking; whatever it accepts must encode (compressed, uncompressed and with the
 * mDNS rules), each encoding must decode to a message that encodes to the same bytes again
 * (the codec is its own inverse), and the dig-like dump must survive it. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "protocols/dns/dns.h"

/* Encodes m with flags and checks that decode then encode gives the same bytes. */
static void check_encoding(const dns_msg *m, unsigned flags)
{
    size_t cap = DNS_MSG_MAX, len, len2;
    uint8_t *buf = g_malloc(cap), *again = g_malloc(cap);
    int rc = dns_msg_encode(m, flags, buf, cap, &len);
    if (rc == -ENOSPC) /* uncompressed, a 64 KiB message can grow past 64 KiB */
        goto out;
    if (rc != 0)
        abort();
    dns_msg d;
    if (dns_msg_decode(buf, len, &d, NULL) != 0)
        abort();
    if (dns_msg_encode(&d, flags, again, cap, &len2) != 0 || len2 != len ||
        memcmp(buf, again, len) != 0)
        abort();
    dns_msg_clear(&d);
out:
    g_free(buf);
    g_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
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
