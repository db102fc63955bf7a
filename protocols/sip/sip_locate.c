/* protocols/sip/sip_locate.c — RFC 3263 §4 server location for SIP over UDP or TCP, sans-I/O:
 * NAPTR -> SRV -> A with the fallbacks of §4.1 and §4.2 (see sip.h for the order used). */
#include "protocols/sip/sip_priv.h"

#define SIP_DEFAULT_PORT 5060

int sip_locate_init(sip_locate *l, const char *domain)
{
    memset(l, 0, sizeof *l);
    if (dns_name_from_str(domain, &l->domain) < 0)
        return -EINVAL;
    l->name = l->domain;
    l->step = SIP_LOCATE_NAPTR;
    l->port = SIP_DEFAULT_PORT;
    return 0;
}

bool sip_locate_next(const sip_locate *l, dns_name *name, uint16_t *type)
{
    static const uint16_t types[] = { [SIP_LOCATE_NAPTR] = DNS_T_NAPTR,
                                      [SIP_LOCATE_SRV] = DNS_T_SRV, [SIP_LOCATE_A] = DNS_T_A };
    if (l->step > SIP_LOCATE_A)
        return false;
    *name = l->name;
    *type = types[l->step];
    return true;
}

/* "_sip._udp." + domain (§4.1 when no NAPTR records exist). */
static bool srv_name(const dns_name *domain, dns_name *out)
{
    char buf[DNS_NAME_STRLEN];
    dns_name_fmt(domain, buf, sizeof buf);
    g_autofree char *s = g_strdup_printf("_sip._udp.%s", buf);
    return dns_name_from_str(s, out) == 0;
}

/* The best NAPTR for a transport we have: SIP+D2U or SIP+D2T with flag "s", lowest order, then
 * lowest preference (§4.1). */
static const dns_rr *pick_naptr(const GArray *rrs)
{
    const dns_rr *best = NULL;
    for (guint i = 0; rrs && i < rrs->len; i++) {
        const dns_rr *r = &g_array_index(rrs, dns_rr, i);
        if (r->type != DNS_T_NAPTR || (g_ascii_strcasecmp(r->rd.naptr.services.s, "SIP+D2U") != 0 &&
                                       g_ascii_strcasecmp(r->rd.naptr.services.s, "SIP+D2T") != 0) ||
            g_ascii_strcasecmp(r->rd.naptr.flags.s, "s") != 0)
            continue;
        if (!best || r->rd.naptr.order < best->rd.naptr.order ||
            (r->rd.naptr.order == best->rd.naptr.order &&
             r->rd.naptr.preference < best->rd.naptr.preference))
            best = r;
    }
    return best;
}

/* The SRV to use: lowest priority, then highest weight (deterministic). */
static const dns_rr *pick_srv(const GArray *rrs)
{
    const dns_rr *best = NULL;
    for (guint i = 0; rrs && i < rrs->len; i++) {
        const dns_rr *r = &g_array_index(rrs, dns_rr, i);
        if (r->type != DNS_T_SRV || r->rd.srv.target.len <= 1) /* "." means no service */
            continue;
        if (!best || r->rd.srv.priority < best->rd.srv.priority ||
            (r->rd.srv.priority == best->rd.srv.priority && r->rd.srv.weight > best->rd.srv.weight))
            best = r;
    }
    return best;
}

void sip_locate_feed(sip_locate *l, const dns_result *r)
{
    bool ok = r->status == DNS_OK;
    switch (l->step) {
    case SIP_LOCATE_NAPTR: {
        const dns_rr *n = ok ? pick_naptr(r->rrs) : NULL;
        if (n) {
            l->name = n->rd.naptr.replacement;
            l->tcp = g_ascii_strcasecmp(n->rd.naptr.services.s, "SIP+D2T") == 0;
        } else if (!srv_name(&l->domain, &l->name)) {
            l->step = SIP_LOCATE_FAILED;
            return;
        }
        l->step = SIP_LOCATE_SRV;
        return;
    }
    case SIP_LOCATE_SRV: {
        const dns_rr *s = ok ? pick_srv(r->rrs) : NULL;
        if (s) {
            l->name = s->rd.srv.target;
            l->port = s->rd.srv.port;
        } else {
            l->name = l->domain; /* §4.2: no SRV: the domain's own A record, port 5060 */
            l->port = SIP_DEFAULT_PORT;
        }
        l->step = SIP_LOCATE_A;
        return;
    }
    case SIP_LOCATE_A:
        for (guint i = 0; ok && r->rrs && i < r->rrs->len; i++) {
            if (dns_rr_addr(&g_array_index(r->rrs, dns_rr, i), &l->result.ip) == 0) {
                l->result.port = l->port;
                l->step = SIP_LOCATE_DONE;
                return;
            }
        }
        l->step = SIP_LOCATE_FAILED;
        return;
    default:
        return;
    }
}

int sip_locate_result(const sip_locate *l, sim_ep *ep)
{
    if (l->step == SIP_LOCATE_DONE) {
        *ep = l->result;
        return 0;
    }
    return l->step == SIP_LOCATE_FAILED ? -EHOSTUNREACH : -EAGAIN;
}
