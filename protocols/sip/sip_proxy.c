/* protocols/sip/sip_proxy.c — the per-hop Via and Max-Forwards rules every SIP server applies:
 * stamping received / rport on the top Via of a request (RFC 3261 §18.2.1, RFC 3581 §4),
 * choosing where a response goes (RFC 3261 §18.2.2, RFC 3581 §4), Max-Forwards on forwarding
 * (§16.3 step 3, §16.6 step 3), and fresh branch / tag tokens from the world's generator. */
#include "protocols/sip/sip_priv.h"

#include "sim/addr.h"

/* True when host (a Via sent-by, IPv6 without brackets) is the address ip. */
static bool host_is(sip_str host, const sim_ip *ip)
{
    char buf[SIM_IP_STRLEN];
    sim_ip h;
    if (host.len >= sizeof buf)
        return false;
    memcpy(buf, host.p, host.len);
    buf[host.len] = 0;
    return sim_ip_parse(buf, &h) == 0 && sim_ip_eq(&h, ip);
}

/* The Via value v rewritten with ;rport=<port> for an empty rport and ;received=<ip>. */
static GString *restamp(const sip_via *v, const sim_ep *src, bool add_received)
{
    GString *s = g_string_new("SIP/");
    g_string_append_len(s, v->version.p, (gssize)v->version.len);
    g_string_append_c(s, '/');
    g_string_append_len(s, v->transport.p, (gssize)v->transport.len);
    g_string_append_printf(s, v->ipv6 ? " [%.*s]" : " %.*s", (int)v->host.len, v->host.p);
    if (v->port >= 0)
        g_string_append_printf(s, ":%d", v->port);
    for (size_t i = 0; i < v->params.n; i++) {
        const sip_param *p = &v->params.v[i];
        if (add_received && sip_str_eq(p->name, "received"))
            continue; /* replaced below */
        g_string_append_printf(s, ";%.*s", (int)p->name.len, p->name.p);
        if (sip_str_eq(p->name, "rport") && !p->has_value)
            g_string_append_printf(s, "=%u", src->port); /* RFC 3581 §4 */
        else if (p->has_value)
            g_string_append_printf(s, "=%.*s", (int)p->value.len, p->value.p);
    }
    if (add_received) {
        char ip[SIM_IP_STRLEN];
        g_string_append_printf(s, ";received=%s", sim_ip_fmt(&src->ip, ip, sizeof ip));
    }
    return s;
}

int sip_msg_stamp_received(sip_msg *m, const sim_ep *src)
{
    sip_via v;
    int rc = sip_msg_via(m, 0, &v);
    if (rc < 0)
        return rc;
    /* §18.2.1: received when sent-by is a name or another address; RFC 3581: always with rport */
    bool add_received = v.rport || !host_is(v.host, &src->ip);
    if (!add_received && !(v.rport && v.rport_value < 0))
        return 0;
    GString *s = restamp(&v, src, add_received);
    rc = sip_msg_replace_top(m, SIP_HDR_VIA, (sip_str){ s->str, s->len });
    g_string_free(s, TRUE);
    return rc;
}

int sip_via_reply_to(const sip_via *v, char *host, size_t cap, uint16_t *port)
{
    sip_str h = v->received.len ? v->received : v->host;
    if (h.len + 1 > cap)
        return -ENOSPC;
    memcpy(host, h.p, h.len);
    host[h.len] = 0;
    if (v->rport_value >= 0)
        *port = (uint16_t)v->rport_value; /* RFC 3581 §4: back to the source port */
    else if (v->port >= 0)
        *port = (uint16_t)v->port;
    else
        *port = sip_str_eq(v->transport, "TLS") ? 5061 : 5060; /* §18.2.2, §19.1.2 */
    return 0;
}

int sip_msg_forward_hops(sip_msg *m, unsigned *status, const char **reason)
{
    uint32_t mf;
    int rc = sip_msg_uint(m, SIP_HDR_MAX_FORWARDS, &mf);
    if (rc == -ENOENT)
        return sip_msg_set(m, SIP_HDR_MAX_FORWARDS, "70"); /* §16.6 step 3 */
    if (rc < 0)
        return rc;
    if (mf == 0) {
        *status = 483; /* §16.3 step 3 */
        *reason = "Too Many Hops";
        return -EPROTO;
    }
    char v[16];
    g_snprintf(v, sizeof v, "%u", mf - 1);
    return sip_msg_set(m, SIP_HDR_MAX_FORWARDS, v);
}

/* §16.4: scheme, host and port; a Route entry a proxy wrote has no user part. Parameters
 * (lr, transport) do not matter: RFC 5658 entries differ only in transport. */
static bool names_self(const sip_uri *u, const sip_uri *const *self, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (u->scheme == self[i]->scheme && u->port == self[i]->port &&
            u->host.len == self[i]->host.len &&
            g_ascii_strncasecmp(u->host.p, self[i]->host.p, u->host.len) == 0)
            return true;
    return false;
}

int sip_msg_route_pop_selves(sip_msg *m, const sip_uri *const *self, size_t n)
{
    int popped = 0;
    sip_nameaddr top;
    while (popped < 2) { /* RFC 5658: at most the two entries one proxy wrote */
        int rc = sip_msg_nameaddr(m, SIP_HDR_ROUTE, 0, &top);
        if (rc == -ENOENT || (rc < 0 && popped))
            break;
        if (rc < 0)
            return rc;
        if (!names_self(&top.uri, self, n))
            break;
        sip_msg_pop(m, SIP_HDR_ROUTE);
        popped++;
    }
    return popped;
}

int sip_msg_route_pop_self(sip_msg *m, const sip_uri *self)
{
    return sip_msg_route_pop_selves(m, &self, 1);
}

void sip_random_token(sim_rng *rng, const char *prefix, char *out, size_t cap)
{
    size_t n = g_strlcpy(out, prefix, cap);
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; n + 1 < cap && i < 16; i++)
        out[n++] = hex[sim_rng_below(rng, 16)];
    if (cap)
        out[MIN(n, cap - 1)] = 0;
}

bool sip_msg_next_hop_tcp(const sip_msg *m, bool dflt)
{
    sip_nameaddr na;
    const sip_uri *u = &m->uri;
    if (sip_msg_nameaddr(m, SIP_HDR_ROUTE, 0, &na) == 0)
        u = &na.uri; /* §16.12 / §8.1.2: the first Route is the next hop */
    const sip_param *tp = sip_params_find(&u->params, "transport");
    if (!tp || !tp->has_value)
        return dflt;
    return sip_str_eq(tp->value, "tcp"); /* RFC 3263 §4.1: the URI's transport wins */
}
