/* tests/unit/dns_fx.h — helpers shared by the DNS unit tests: a name from text (asserting it
 * parses) and a name as text. Static functions: one copy per program. */
#ifndef TESTS_UNIT_DNS_FX_H
#define TESTS_UNIT_DNS_FX_H

#include <glib.h>
#include "protocols/dns/dns.h"

G_GNUC_UNUSED static dns_name name(const char *s)
{
    dns_name n;
    g_assert_cmpint(dns_name_from_str(s, &n), ==, 0);
    return n;
}

/* The name as text, in a static buffer (valid until the next call). */
G_GNUC_UNUSED static char *fmt(const dns_name *n)
{
    static char b[DNS_NAME_STRLEN];
    return dns_name_fmt(n, b, sizeof b);
}

#endif
