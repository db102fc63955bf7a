/* protocols/sip/sip_locate.c — RFC 3263 §4 server location for SIP over UDP or TCP, sans-I/O:
 * transport selection (§4.1: the URI's transport, NAPTR, or SRV per transport), RFC 2782 SRV
 * ordering with the weighted draw, A and AAAA of every target (§4.2), and the whole ordered
 * list of targets for failover (§4.3). See sip_agents.h for the order produced.
 *
 *   NAPTR <domain> ──usable──> SRV <replacement> (one per record, order/preference)
 *        └─none────────────> SRV _sip._udp.<domain>, SRV _sip._tcp.<domain>
 *   SRV ──records──> A, AAAA of each target (priority, weighted draw)
 *       └─none─────> A, AAAA of <domain>, port 5060 */
#include "protocols/sip/sip_priv.h"

#define SIP_DEFAULT_PORT 5060
#define SRV_POOL_MAX 64 /* SRV records considered per answer */

static void reset(sip_locate *l, sim_rng *rng, int transport, bool prefer_tcp)
{
    memset(l, 0, sizeof *l);
    l->rng = rng;
    l->transport = transport;
    l->prefer_tcp = prefer_tcp;
}

int sip_locate_init(sip_locate *l, const char *domain)
{
    reset(l, NULL, -1, false);
    if (dns_name_from_str(domain, &l->domain) < 0)
        return -EINVAL;
    l->step = SIP_LOCATE_NAPTR;
    return 0;
}

/* The transport when neither NAPTR nor SRV said: the URI's, else the client's preference. */
static bool default_tcp(const sip_locate *l)
{
    return l->transport >= 0 ? l->transport == 1 : l->prefer_tcp;
}

static void add_target(sip_locate *l, const sim_ip *ip, uint16_t port, bool tcp)
{
    sip_target t = { .ep = { .ip = *ip, .port = port }, .tcp = tcp };
    for (unsigned i = 0; i < l->n_target; i++)
        if (sim_ep_eq(&l->target[i].ep, &t.ep) && l->target[i].tcp == tcp)
            return; /* two SRV records naming the same place */
    if (l->n_target < SIP_LOCATE_MAX)
        l->target[l->n_target++] = t;
}

/* "_sip._udp." or "_sip._tcp." + domain (§4.1 without NAPTR, or a transport named). */
static void add_srv_name(sip_locate *l, bool tcp)
{
    char buf[DNS_NAME_STRLEN];
    dns_name_fmt(&l->domain, buf, sizeof buf);
    g_autofree char *s = g_strdup_printf("_sip._%s.%s", tcp ? "tcp" : "udp", buf);
    if (l->n_srv < SIP_LOCATE_SRV_MAX &&
        dns_name_from_str(s, &l->srv[l->n_srv].name) == 0) /* too long: that query is skipped */
        l->srv[l->n_srv++].tcp = tcp;
}

/* The URI's transport parameter: -1 none, 0 udp, 1 tcp; -EINVAL for one we do not have. */
static int uri_transport(const sip_uri *u)
{
    const sip_param *tp = sip_params_find(&u->params, "transport");
    if (!tp)
        return -1;
    if (tp->has_value && sip_str_eq(tp->value, "udp"))
        return 0;
    if (tp->has_value && sip_str_eq(tp->value, "tcp"))
        return 1;
    return -EINVAL; /* tls, sctp, ws …: not supported here */
}

int sip_locate_init_uri(sip_locate *l, const char *uri, bool prefer_tcp, sim_rng *rng)
{
    sip_uri u;
    reset(l, rng, -1, prefer_tcp);
    l->step = SIP_LOCATE_FAILED;
    if (sip_uri_parse(uri, strlen(uri), &u, NULL) < 0 ||
        (u.scheme != SIP_SCHEME_SIP && u.scheme != SIP_SCHEME_SIPS) || !u.host.len ||
        u.host.len >= DNS_NAME_STRLEN)
        return -EINVAL;
    int tp = uri_transport(&u);
    if (tp == -EINVAL)
        return -EINVAL;
    l->transport = tp;
    char host[DNS_NAME_STRLEN];
    memcpy(host, u.host.p, u.host.len);
    host[u.host.len] = 0;
    uint16_t port = u.port > 0 ? (uint16_t)u.port : SIP_DEFAULT_PORT;
    sim_ip ip;
    if (sim_ip_parse(host, &ip) == 0) { /* §4.1/§4.2: a numeric IP is the target */
        add_target(l, &ip, port, default_tcp(l));
        l->tcp = l->target[0].tcp;
        l->result = l->target[0].ep;
        l->step = SIP_LOCATE_DONE;
        return 0;
    }
    if (u.ipv6 || dns_name_from_str(host, &l->domain) < 0)
        return -EINVAL;
    if (u.port > 0) { /* §4.2: a port means A/AAAA of the name itself, no SRV */
        l->host[0] = (sip_locate_host){ .name = l->domain, .port = port, .tcp = default_tcp(l) };
        l->n_host = 1;
        l->step = SIP_LOCATE_A;
    } else if (tp >= 0) { /* §4.2: transport named, no NAPTR: SRV for that transport */
        add_srv_name(l, tp == 1);
        l->step = SIP_LOCATE_SRV;
    } else {
        l->step = SIP_LOCATE_NAPTR;
    }
    return 0;
}

bool sip_locate_next(const sip_locate *l, dns_name *name, uint16_t *type)
{
    switch (l->step) {
    case SIP_LOCATE_NAPTR:
        *name = l->domain;
        *type = DNS_T_NAPTR;
        return true;
    case SIP_LOCATE_SRV:
        *name = l->srv[l->i_srv].name;
        *type = DNS_T_SRV;
        return true;
    case SIP_LOCATE_A:
        *name = l->host[l->i_host].name;
        *type = l->aaaa ? DNS_T_AAAA : DNS_T_A;
        return true;
    default:
        return false;
    }
}

/* A NAPTR we can use (§4.1): flag "s", service SIP+D2U or SIP+D2T (SIPS+D2T, SIP+D2S … are
 * transports we do not have), a replacement. 1 for TCP, 0 for UDP, -1 unusable. */
static int naptr_transport(const dns_rr *r)
{
    if (r->type != DNS_T_NAPTR || g_ascii_strcasecmp(r->rd.naptr.flags.s, "s") != 0 ||
        r->rd.naptr.replacement.len <= 1)
        return -1;
    if (g_ascii_strcasecmp(r->rd.naptr.services.s, "SIP+D2U") == 0)
        return 0;
    return g_ascii_strcasecmp(r->rd.naptr.services.s, "SIP+D2T") == 0 ? 1 : -1;
}

static bool naptr_before(const dns_rr *a, const dns_rr *b)
{
    return a->rd.naptr.order < b->rd.naptr.order ||
           (a->rd.naptr.order == b->rd.naptr.order &&
            a->rd.naptr.preference < b->rd.naptr.preference);
}

/* §4.1: the usable NAPTR records, lowest order then preference (answer order on ties), become
 * the SRV queries; without any, SRV for each transport in the client's order. */
static void feed_naptr(sip_locate *l, const dns_result *r)
{
    guint n = r->status == DNS_OK && r->rrs ? r->rrs->len : 0;
    g_autofree bool *taken = g_new0(bool, n + 1);
    while (l->n_srv < SIP_LOCATE_SRV_MAX) {
        const dns_rr *best = NULL;
        guint at = 0;
        for (guint i = 0; i < n; i++) {
            const dns_rr *x = &g_array_index(r->rrs, dns_rr, i);
            if (!taken[i] && naptr_transport(x) >= 0 && (!best || naptr_before(x, best))) {
                best = x;
                at = i;
            }
        }
        if (!best)
            break;
        taken[at] = true;
        l->srv[l->n_srv].name = best->rd.naptr.replacement;
        l->srv[l->n_srv++].tcp = naptr_transport(best) == 1;
    }
    if (!l->n_srv) {
        add_srv_name(l, l->prefer_tcp);
        add_srv_name(l, !l->prefer_tcp);
    }
    l->step = l->n_srv ? SIP_LOCATE_SRV : SIP_LOCATE_A;
    if (!l->n_srv) { /* the domain name is too long for an SRV name: §4.2 fallback */
        l->host[0] = (sip_locate_host){ .name = l->domain, .port = SIP_DEFAULT_PORT,
                                        .tcp = default_tcp(l) };
        l->n_host = 1;
    }
}

/* Removes element i of a[0..*n). */
static void take(const dns_rr **a, size_t *n, size_t i)
{
    memmove(&a[i], &a[i + 1], (*n - i - 1) * sizeof *a);
    (*n)--;
}

size_t sip_locate_srv_order(const GArray *rrs, sim_rng *rng, const dns_rr **out, size_t cap)
{
    const dns_rr *pool[SRV_POOL_MAX];
    size_t n = 0, k = 0;
    for (guint i = 0; rrs && i < rrs->len && n < SRV_POOL_MAX; i++) {
        const dns_rr *r = &g_array_index(rrs, dns_rr, i);
        if (r->type == DNS_T_SRV && r->rd.srv.target.len > 1) /* "." means no service */
            pool[n++] = r;
    }
    while (n && k < cap) {
        uint16_t prio = UINT16_MAX;
        for (size_t i = 0; i < n; i++)
            prio = MIN(prio, pool[i]->rd.srv.priority);
        /* RFC 2782: the records of the lowest priority, weight 0 ones first */
        const dns_rr *grp[SRV_POOL_MAX];
        size_t g = 0;
        for (int zero = 1; zero >= 0; zero--)
            for (size_t i = 0; i < n; i++)
                if (pool[i]->rd.srv.priority == prio && (pool[i]->rd.srv.weight == 0) == zero)
                    grp[g++] = pool[i];
        for (size_t i = n; i-- > 0;)
            if (pool[i]->rd.srv.priority == prio)
                take(pool, &n, i);
        /* RFC 2782: draw r uniformly in [0, sum of weights]; take the first record whose
         * running sum reaches r; repeat with the rest */
        while (g && k < cap) {
            uint32_t sum = 0, run = 0;
            for (size_t i = 0; i < g; i++)
                sum += grp[i]->rd.srv.weight;
            uint32_t pick = rng ? sim_rng_below(rng, sum + 1) : 0;
            size_t i = 0;
            while (i + 1 < g && (run += grp[i]->rd.srv.weight) < pick)
                i++;
            out[k++] = grp[i];
            take(grp, &g, i);
        }
    }
    return k;
}

static bool has_srv(const GArray *rrs)
{
    for (guint i = 0; rrs && i < rrs->len; i++)
        if (g_array_index(rrs, dns_rr, i).type == DNS_T_SRV)
            return true;
    return false;
}

/* One SRV answer: its targets in RFC 2782 order join the list of hosts to resolve. */
static void feed_srv(sip_locate *l, const dns_result *r)
{
    const dns_rr *order[SIP_LOCATE_MAX];
    bool tcp = l->srv[l->i_srv].tcp;
    size_t n = r->status == DNS_OK ? sip_locate_srv_order(r->rrs, l->rng, order,
                                                          SIP_LOCATE_MAX - l->n_host)
                                   : 0;
    for (size_t i = 0; i < n; i++)
        l->host[l->n_host++] = (sip_locate_host){ .name = order[i]->rd.srv.target,
                                                  .port = order[i]->rd.srv.port, .tcp = tcp };
    if (r->status == DNS_OK && !n && has_srv(r->rrs))
        l->no_service = true; /* only "." targets: records were found, saying "not here" */
    if (++l->i_srv < l->n_srv)
        return;
    if (!l->n_host && l->no_service) {
        l->step = SIP_LOCATE_FAILED;
        return;
    }
    if (!l->n_host) /* §4.2: no SRV: the domain's own addresses, port 5060 */
        l->host[l->n_host++] = (sip_locate_host){ .name = l->domain, .port = SIP_DEFAULT_PORT,
                                                  .tcp = default_tcp(l) };
    l->step = SIP_LOCATE_A;
}

/* One A or AAAA answer for host[i_host]: its addresses become targets (A before AAAA). */
static void feed_addr(sip_locate *l, const dns_result *r)
{
    const sip_locate_host *h = &l->host[l->i_host];
    sim_ip ip;
    for (guint i = 0; r->status == DNS_OK && r->rrs && i < r->rrs->len; i++) {
        const dns_rr *x = &g_array_index(r->rrs, dns_rr, i);
        if (x->type == (l->aaaa ? DNS_T_AAAA : DNS_T_A) && dns_rr_addr(x, &ip) == 0)
            add_target(l, &ip, h->port, h->tcp);
    }
    if (!l->aaaa) {
        l->aaaa = true;
        return;
    }
    l->aaaa = false;
    if (++l->i_host < l->n_host)
        return;
    l->step = l->n_target ? SIP_LOCATE_DONE : SIP_LOCATE_FAILED;
    if (l->n_target) {
        l->result = l->target[0].ep;
        l->tcp = l->target[0].tcp;
    }
}

void sip_locate_feed(sip_locate *l, const dns_result *r)
{
    switch (l->step) {
    case SIP_LOCATE_NAPTR:
        feed_naptr(l, r);
        return;
    case SIP_LOCATE_SRV:
        feed_srv(l, r);
        return;
    case SIP_LOCATE_A:
        feed_addr(l, r);
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

size_t sip_locate_targets(const sip_locate *l, const sip_target **t)
{
    *t = l->target;
    return l->step == SIP_LOCATE_DONE ? l->n_target : 0;
}
