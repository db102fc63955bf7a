/* protocols/sip/sip_rr.c — the two sides of a proxy: which of its addresses and transports a
 * message names hop by hop. A proxy whose incoming and outgoing sides differ in transport
 * (UDP / TCP) or address family (a dual-stack proxy between an IPv4 and an IPv6 peer) puts
 * two Record-Route values into an INVITE, one per side, the downstream one on top (RFC 3261
 * §16.6 step 4, RFC 5658, RFC 6157), and removes both Route entries naming it when
 * loose routing (§16.4). Its Via names the address of the next hop's family (RFC 6157)
 * and the transport the message goes on (§18.1.1). */
#include "protocols/sip/sip_server_priv.h"

void srv_rr_init(sip_server *s)
{
    if (s->cfg.self6.family != SIM_AF_INET6 || s->cfg.self.ip.family == SIM_AF_INET6)
        return; /* an IPv6-only server names its one address */
    char ip[SIM_IP_STRLEN];
    sim_ip_fmt(&s->cfg.self6, ip, sizeof ip);
    s->self6_hostport = g_strdup_printf("[%s]:%u", ip, s->cfg.self.port);
    s->self6_uri_str = g_strdup_printf("sip:%s", s->self6_hostport);
    sip_uri_parse(s->self6_uri_str, strlen(s->self6_uri_str), &s->self6_uri, NULL);
}

void srv_rr_free(sip_server *s)
{
    g_free(s->self6_hostport);
    g_free(s->self6_uri_str);
}

const char *srv_hostport(const sip_server *s, int family)
{
    return family == SIM_AF_INET6 && s->self6_hostport ? s->self6_hostport : s->self_hostport;
}

bool srv_is_self(const sip_server *s, const sim_ip *ip)
{
    return sim_ip_eq(ip, &s->cfg.self.ip) || (s->self6_hostport && sim_ip_eq(ip, &s->cfg.self6));
}

int srv_route_pop_self(sip_server *s, sip_msg *m)
{
    const sip_uri *self[2] = { &s->self_uri, &s->self6_uri };
    return sip_msg_route_pop_selves(m, self, s->self6_hostport ? 2 : 1);
}

int srv_push_via_to(sip_server *s, sip_msg *m, const char *branch, bool tcp, int family)
{
    g_autofree char *via = g_strdup_printf("SIP/2.0/%s %s;branch=%s", tcp ? "TCP" : "UDP",
                                           srv_hostport(s, family), branch);
    return sip_msg_push(m, SIP_HDR_VIA, via);
}

static void push_rr(sip_msg *m, const char *hostport, bool tcp)
{
    g_autofree char *rr = g_strdup_printf("<sip:%s%s;lr>", hostport, tcp ? ";transport=tcp" : "");
    sip_msg_push(m, SIP_HDR_RECORD_ROUTE, rr);
}

void srv_branch_sides(sip_server *s, srv_branch *b, const sim_ep *to)
{
    const char *out_hp = srv_hostport(s, to->ip.family);
    bool rr = s->cfg.record_route && b->ctx->invite;
    sip_via v;
    if ((out_hp == s->self_hostport && !rr) || sip_msg_via(b->req, 0, &v) < 0)
        return; /* the Via pushed names self already: nothing to do (the common case) */
    bool out_tcp = !sip_str_eq(v.transport, "UDP");
    if (out_hp != s->self_hostport) { /* ours again, with our address of to's family */
        g_autofree char *branch = g_strndup(v.branch.p, v.branch.len);
        sip_msg_pop(b->req, SIP_HDR_VIA);
        srv_push_via_to(s, b->req, branch, out_tcp, to->ip.family);
    }
    if (!rr)
        return;
    for (; b->rr_pushed; b->rr_pushed--) /* an earlier attempt's (RFC 3263 failover) */
        sip_msg_pop(b->req, SIP_HDR_RECORD_ROUTE);
    /* the upstream side: the transport the request came with (its Via, §18.2.1), the family
     * of its source */
    sim_ep from;
    bool in_tcp = sip_msg_via(b->ctx->req, 0, &v) == 0 && !sip_str_eq(v.transport, "UDP");
    int in_family = sip_txns_peer(s->txns, b->ctx->stxn, &from) == 0 ? from.ip.family
                                                                       : to->ip.family;
    const char *in_hp = srv_hostport(s, in_family);
    if (in_tcp != out_tcp || in_hp != out_hp) { /* RFC 5658: one value per side */
        push_rr(b->req, in_hp, in_tcp);
        b->rr_pushed++;
    }
    push_rr(b->req, out_hp, out_tcp); /* §16.6 step 4; on top: the downstream side */
    b->rr_pushed++;
}
