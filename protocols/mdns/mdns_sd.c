/* protocols/mdns/mdns_sd.c — DNS-Based Service Discovery (RFC 6763) over mDNS: the names and
 * records of a service instance, and browsing / resolving from a querier's cache.
 *
 *   _printer._tcp.local.            4500 IN PTR  myprinter._printer._tcp.local.   (§4.1, shared)
 *   myprinter._printer._tcp.local.   120 IN SRV  0 0 5432 myserver.local.        (§5, unique)
 *   myprinter._printer._tcp.local.  4500 IN TXT  "paper=A4"                      (§6, unique)
 *   _services._dns-sd._udp.local.   4500 IN PTR  _printer._tcp.local.            (§9, shared)
 *
 * TTLs per RFC 6762 §10: 120 s for records that carry a host name (SRV, A, AAAA), 75 minutes
 * for the others. The instance label is free text (UTF-8, spaces and dots allowed, §4.3). */
#include "protocols/mdns/mdns_resp_priv.h"

#include <errno.h>
#include <string.h>

int mdns_sd_service_name(const char *service, dns_name *out)
{
    if (!service)
        return -EINVAL;
    char **l = g_strsplit(service, ".", -1);
    bool ok = g_strv_length(l) == 2 && l[0][0] == '_' && strlen(l[0]) > 1 &&
              strlen(l[0]) <= 16 && (g_ascii_strcasecmp(l[1], "_tcp") == 0 ||
                                     g_ascii_strcasecmp(l[1], "_udp") == 0); /* RFC 6335 §5.1 */
    g_strfreev(l);
    if (!ok)
        return -EINVAL;
    char *s = g_strdup_printf("%s.local", service);
    int rc = dns_name_from_str(s, out);
    g_free(s);
    return rc;
}

int mdns_sd_instance_name(const char *instance, const char *service, dns_name *out)
{
    dns_name svc;
    size_t n = instance ? strlen(instance) : 0;
    if (n == 0 || n > DNS_LABEL_MAX || mdns_sd_service_name(service, &svc) != 0 ||
        1 + n + svc.len > DNS_NAME_MAX)
        return -EINVAL;
    out->b[0] = (uint8_t)n; /* one label, taken as is: no escapes in instance names */
    memcpy(out->b + 1, instance, n);
    memcpy(out->b + 1 + n, svc.b, svc.len);
    out->len = (uint8_t)(1 + n + svc.len);
    return 0;
}

int mdns_sd_records(const dns_name *instance, const char *service, const dns_name *target,
                    uint16_t port, const char *const *txt, size_t ntxt, GArray *out)
{
    dns_name svc, enumr;
    if (mdns_sd_service_name(service, &svc) || dns_name_from_str(MDNS_SD_ENUM, &enumr))
        return -EINVAL;
    dns_rr rr = { .name = *instance, .type = DNS_T_SRV, .rclass = DNS_C_IN,
                  .ttl = MDNS_TTL_HOST };
    rr.rd.srv.port = port;
    rr.rd.srv.target = *target;
    g_array_append_val(out, rr);
    dns_rr txt_rr = { .name = *instance, .type = DNS_T_TXT, .rclass = DNS_C_IN,
                      .ttl = MDNS_TTL_OTHER };
    for (size_t i = 0; i < ntxt; i++)
        if (dns_txt_add(&txt_rr, txt[i], strlen(txt[i])) != 0) {
            dns_rr_clear(&txt_rr);
            return -EINVAL;
        }
    if (ntxt == 0)
        dns_txt_add(&txt_rr, "", 0); /* §6.1: never an empty TXT record */
    g_array_append_val(out, txt_rr);
    dns_rr ptr = { .name = svc, .type = DNS_T_PTR, .rclass = DNS_C_IN, .ttl = MDNS_TTL_OTHER };
    ptr.rd.target = *instance;
    g_array_append_val(out, ptr);
    ptr.name = enumr;
    ptr.rd.target = svc;
    g_array_append_val(out, ptr);
    return 0;
}

void mdns_sd_info_clear(mdns_sd_info *info)
{
    if (!info)
        return;
    dns_rr_clear(&info->txt);
    if (info->addrs)
        g_array_free(info->addrs, TRUE);
    memset(info, 0, sizeof *info);
}

static gint cmp_names(gconstpointer a, gconstpointer b)
{
    char x[DNS_NAME_STRLEN], y[DNS_NAME_STRLEN];
    return g_ascii_strcasecmp(dns_name_fmt(a, x, sizeof x), dns_name_fmt(b, y, sizeof y));
}

size_t mdns_sd_browse(const mdns_querier *q, sim_time_t now, const dns_name *service_name,
                      GArray *out)
{
    GArray *ptrs = mdns_rrs_new();
    mdns_querier_find(q, now, service_name, DNS_T_PTR, ptrs);
    GArray *names = g_array_new(FALSE, FALSE, sizeof(dns_name));
    for (guint i = 0; i < ptrs->len; i++) {
        const dns_name *t = &g_array_index(ptrs, dns_rr, i).rd.target;
        bool dup = false;
        for (guint j = 0; j < names->len && !dup; j++)
            dup = dns_name_eq(&g_array_index(names, dns_name, j), t);
        if (!dup)
            g_array_append_val(names, *t);
    }
    g_array_sort(names, cmp_names);
    g_array_append_vals(out, names->data, names->len);
    size_t n = names->len;
    g_array_free(names, TRUE);
    mdns_rrs_free(ptrs);
    return n;
}

int mdns_sd_resolve(const mdns_querier *q, sim_time_t now, const dns_name *instance,
                    mdns_sd_info *info)
{
    GArray *srv = mdns_rrs_new(), *txt = mdns_rrs_new(), *addr = mdns_rrs_new();
    int rc = -ENOENT;
    if (mdns_querier_find(q, now, instance, DNS_T_SRV, srv) &&
        mdns_querier_find(q, now, instance, DNS_T_TXT, txt)) {
        const dns_rr *s = &g_array_index(srv, dns_rr, 0);
        mdns_querier_find(q, now, &s->rd.srv.target, DNS_T_A, addr);
        mdns_querier_find(q, now, &s->rd.srv.target, DNS_T_AAAA, addr);
        if (addr->len) {
            memset(info, 0, sizeof *info);
            info->target = s->rd.srv.target;
            info->port = s->rd.srv.port;
            info->priority = s->rd.srv.priority;
            info->weight = s->rd.srv.weight;
            dns_rr_copy(&info->txt, &g_array_index(txt, dns_rr, 0));
            info->addrs = g_array_new(FALSE, TRUE, sizeof(sim_ip));
            for (guint i = 0; i < addr->len; i++) {
                sim_ip ip;
                if (dns_rr_addr(&g_array_index(addr, dns_rr, i), &ip) == 0)
                    g_array_append_val(info->addrs, ip);
            }
            rc = 0;
        }
    }
    mdns_rrs_free(srv);
    mdns_rrs_free(txt);
    mdns_rrs_free(addr);
    return rc;
}
