/* protocols/sip/sip_server.c — the server core: set-up, validation (400 with a reason),
 * dispatching transaction events to the registrar (sip_registrar.c) and the proxy
 * (sip_fork.c), CANCEL, and what goes through without a transaction: the ACK for a 2xx and
 * responses that match no branch (RFC 3261 §16.7 / §16.11 stateless forwarding). */
#include "protocols/sip/sip_server_priv.h"

sip_server *sip_server_new(const sip_server_cfg *cfg, sim_rng *rng)
{
    if (!cfg->domain || !cfg->self.port || cfg->self.ip.family == SIM_AF_NONE ||
        (!cfg->users) != (!cfg->passwords))
        return NULL;
    sip_server *s = g_new0(sip_server, 1);
    s->cfg = *cfg;
    s->domain = g_ascii_strdown(cfg->domain, -1);
    s->cfg.domain = NULL;
    s->cfg.users = s->cfg.passwords = NULL;
    if (!s->cfg.default_expires)
        s->cfg.default_expires = 3600;
    if (!s->cfg.max_expires)
        s->cfg.max_expires = 7200;
    if (!s->cfg.timer_c)
        s->cfg.timer_c = SIP_TIMER_C;
    s->users = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    for (size_t i = 0; cfg->users && cfg->users[i]; i++)
        g_hash_table_insert(s->users, g_strdup(cfg->users[i]),
                            g_strdup(cfg->passwords[i] ? cfg->passwords[i] : ""));
    char ip[SIM_IP_STRLEN];
    sim_ip_fmt(&cfg->self.ip, ip, sizeof ip);
    s->self_hostport = cfg->self.ip.family == SIM_AF_INET6
                           ? g_strdup_printf("[%s]:%u", ip, cfg->self.port)
                           : g_strdup_printf("%s:%u", ip, cfg->self.port);
    s->self_uri_str = g_strdup_printf("sip:%s", s->self_hostport);
    sip_uri_parse(s->self_uri_str, strlen(s->self_uri_str), &s->self_uri, NULL);
    srv_rr_init(s); /* a dual-stack server's IPv6 side (RFC 6157) */
    s->rng = rng;
    s->cfg.txn.reliable = cfg->txn.reliable || cfg->tcp; /* §17: no retransmissions on TCP */
    s->txns = sip_txns_new(&s->cfg.txn);
    s->loc = cfg->location ? cfg->location : sip_location_new();
    s->ctxs = g_ptr_array_new();
    s->next_lookup = 1;
    g_queue_init(&s->lookups);
    srv_ob_init(s); /* RFC 5626 edge proxy */
    return s;
}

void sip_server_free(sip_server *s)
{
    if (!s)
        return;
    if (s->timer_c)
        g_tree_destroy(s->timer_c);
    for (guint i = 0; i < s->ctxs->len; i++)
        srv_ctx_free(s->ctxs->pdata[i]);
    g_ptr_array_free(s->ctxs, TRUE);
    g_queue_clear(&s->lookups);
    srv_ob_free(s);
    if (!s->cfg.location)
        sip_location_free(s->loc);
    sip_txns_free(s->txns);
    for (unsigned i = 0; i < SRV_NONCES; i++)
        g_free(s->nonces[i].value);
    g_hash_table_destroy(s->users);
    g_free(s->domain);
    g_free(s->self_hostport);
    g_free(s->self_uri_str);
    srv_rr_free(s);
    g_free(s);
}

sip_location *sip_server_location(sip_server *s)
{
    return s->loc;
}

const sip_server_stats *sip_server_get_stats(const sip_server *s)
{
    return &s->stats;
}

bool sip_server_pop(sip_server *s, sip_out *out)
{
    return sip_txns_pop(s->txns, out);
}

void srv_reply(sip_server *s, sim_time_t now, unsigned txn, const sip_msg *m, unsigned status,
               const char *reason)
{
    sip_msg *r = NULL;
    char tag[SIP_TOKEN_MAX];
    sip_random_token(s->rng, "", tag, sizeof tag);
    if (sip_msg_response(m, status, reason, tag, &r) == 0)
        sip_txns_respond(s->txns, now, txn, r);
    sip_msg_free(r);
}

int srv_push_via(sip_server *s, sip_msg *m, const char *branch)
{
    return srv_push_via_over(s, m, branch, sip_msg_next_hop_tcp(m, s->cfg.tcp));
}

int srv_push_via_over(sip_server *s, sip_msg *m, const char *branch, bool tcp)
{
    g_autofree char *via = g_strdup_printf("SIP/2.0/%s %s;branch=%s", tcp ? "TCP" : "UDP",
                                           s->self_hostport, branch);
    return sip_msg_push(m, SIP_HDR_VIA, via);
}

/* §16.6 step 8: "z9hG4bK" + a hash of what identifies the request (Request-URI, tags,
 * Call-ID, CSeq number, top Route) + "." + random digits. The hash part lets §16.3 step 4
 * recognise a request that comes back unchanged (a loop) from one that was retargeted (a
 * spiral). */
void srv_branch_token(sip_server *s, const sip_msg *m, char *out, size_t cap)
{
    GString *k = g_string_new(m->ruri);
    sip_str v;
    sip_cseq cs;
    static const sip_hdr_id ids[] = { SIP_HDR_CALL_ID, SIP_HDR_FROM, SIP_HDR_TO, SIP_HDR_ROUTE };
    for (size_t i = 0; i < G_N_ELEMENTS(ids); i++)
        if (sip_msg_value(m, ids[i], 0, &v) == 0)
            g_string_append_len(g_string_append_c(k, '|'), v.p, (gssize)v.len);
    if (sip_msg_cseq(m, &cs) == 0)
        g_string_append_printf(k, "|%u", cs.seq);
    char rnd[SIP_TOKEN_MAX];
    sip_random_token(s->rng, "", rnd, sizeof rnd);
    g_snprintf(out, cap, "%s%08x.%.8s", SIP_BRANCH_COOKIE, (unsigned)(sim_hash_str(k->str) & 0xffffffffu),
               rnd);
    g_string_free(k, TRUE);
}

/* ---------------------------------------------------------------- stateless forwarding */

/* A response no branch owns (a 2xx retransmission, a 2xx after the context ended): pop our
 * Via and send it where the next one says (§16.7 step 9 / §18.2.2). Answers to our own
 * CANCELs are hop by hop and stop here (§16.10). */
static void forward_response(sip_server *s, sip_msg *m)
{
    sip_via v;
    sip_cseq cs;
    char host[SIM_IP_STRLEN];
    sim_ep to = { 0 };
    if (sip_msg_cseq(m, &cs) < 0 || sip_str_eq(cs.method, "CANCEL") ||
        sip_msg_via(m, 0, &v) < 0 || v.host.len + 1 > sizeof host ||
        (memcpy(host, v.host.p, v.host.len), host[v.host.len] = 0,
         sim_ip_parse(host, &to.ip) < 0) ||
        !srv_is_self(s, &to.ip))
        return; /* not ours: drop (§18.1.2) */
    sip_msg_pop(m, SIP_HDR_VIA);
    uint16_t port;
    if (sip_msg_via(m, 0, &v) < 0 || sip_via_reply_to(&v, host, sizeof host, &port) < 0 ||
        sim_ip_parse(host, &to.ip) < 0)
        return;
    to.port = port;
    s->stats.stateless++;
    sip_txns_send(s->txns, m, &to);
}

/* The ACK for a 2xx: forwarded statelessly along the route (§16.11). */
static void forward_ack(sip_server *s, sim_time_t now, sip_msg *m)
{
    unsigned st;
    const char *why;
    if (sip_msg_forward_hops(m, &st, &why) < 0)
        return;
    srv_route_pop_self(s, m); /* both entries of a double Record-Route (RFC 5658) */
    sim_ep to = { 0 };
    if (srv_next_hop(s, now, m, &to) != 0)
        return; /* an ACK to a name: the UA's Contact should be an address */
    char branch[SIP_TOKEN_MAX + 16];
    srv_branch_token(s, m, branch, sizeof branch);
    srv_push_via_to(s, m, branch, sip_msg_next_hop_tcp(m, s->cfg.tcp), to.ip.family);
    s->stats.stateless++;
    sip_txns_send(s->txns, m, &to);
}

/* ---------------------------------------------------------------- dispatch */

static bool for_us(const sip_server *s, const sip_msg *m)
{
    const sip_uri *u = &m->uri;
    return !u->has_user && (sip_str_eq(u->host, s->domain) || sip_uri_equal(u, &s->self_uri) ||
                            (s->self6_hostport && sip_uri_equal(u, &s->self6_uri)));
}

/* §16.3 step 6: 420 for Proxy-Require naming an extension (we support none); true if sent. */
static bool proxy_require(sip_server *s, sim_time_t now, unsigned txn, const sip_msg *m)
{
    sip_msg *r = NULL;
    char tag[SIP_TOKEN_MAX];
    if (!sip_msg_count(m, SIP_HDR_PROXY_REQUIRE))
        return false;
    sip_random_token(s->rng, "", tag, sizeof tag);
    if (sip_msg_bad_extension(m, SIP_HDR_PROXY_REQUIRE, tag, &r) <= 0)
        return false;
    sip_txns_respond(s->txns, now, txn, r);
    sip_msg_free(r);
    return true;
}

static void on_request(sip_server *s, sim_time_t now, sip_txn_ev *ev)
{
    sip_msg *m = ev->msg;
    ev->msg = NULL;
    if (!ev->id) {
        if (!strcmp(m->method, "ACK"))
            forward_ack(s, now, m);
        sip_msg_free(m);
        return;
    }
    if (!strcmp(m->method, "REGISTER") && s->cfg.registrar && sip_str_eq(m->uri.host, s->domain)) {
        srv_register(s, now, ev->id, m);
    } else if (!strcmp(m->method, "CANCEL")) {
        unsigned target = sip_txns_cancel_target(s->txns, m);
        srv_reply(s, now, ev->id, m, target ? 200 : 481, NULL); /* §16.10 */
        if (target)
            srv_fork_cancel(s, now, target);
    } else if (!strcmp(m->method, "OPTIONS") && for_us(s, m)) {
        srv_reply(s, now, ev->id, m, 200, NULL);
    } else if (!strcmp(m->method, "REGISTER") && for_us(s, m)) {
        srv_reply(s, now, ev->id, m, 403, "Not A Registrar");
    } else if (proxy_require(s, now, ev->id, m)) {
        /* 420 sent (§16.3 step 6) */
    } else {
        srv_proxy(s, now, ev->id, m);
        return;
    }
    sip_msg_free(m);
}

static void dispatch(sip_server *s, sim_time_t now)
{
    sip_txn_ev ev;
    while (sip_txns_event(s->txns, &ev)) {
        if (ev.kind == SIP_TXN_EV_REQUEST) {
            if (!s->ob || !srv_ob_request(s, now, &ev)) /* edge proxy: sip_outbound.c */
                on_request(s, now, &ev);
            srv_ob_done(s);
        } else if (ev.kind == SIP_TXN_EV_RESPONSE) {
            sip_msg *m = ev.msg;
            ev.msg = NULL;
            if (!ev.id || !srv_fork_response(s, now, ev.id, m)) {
                forward_response(s, m); /* a 2xx after its context ended (RFC 6026) */
                sip_msg_free(m);
            }
        } else {
            srv_fork_failed(s, now, ev.id, ev.kind == SIP_TXN_EV_TIMEOUT ? 408 : 503);
        }
        sip_txn_ev_clear(&ev);
    }
}

int sip_server_input(sip_server *s, sim_time_t now, const sim_ep *from, const uint8_t *buf,
                     size_t len)
{
    sip_msg *m;
    bool answered;
    s->stats.rx++;
    srv_ob_seen(s, now, from); /* RFC 5626: traffic keeps an edge's flow alive */
    int rc = sip_txns_receive(s->txns, from, buf, len, &m, &answered);
    if (rc < 0 && !answered)
        s->stats.dropped++;
    if (rc == -EBADMSG) {
        s->stats.bad++;
        return rc;
    }
    if (rc < 0) {
        s->stats.rejected++;
        return 0;
    }
    sip_txns_input(s->txns, now, from, m);
    dispatch(s, now);
    return 0;
}

void sip_server_timeout(sip_server *s, sim_time_t now)
{
    sip_txns_timeout(s->txns, now);
    dispatch(s, now);
    srv_branch *b;
    while ((b = srv_timer_c_due(s, now)))
        srv_fork_timer_c(s, now, b);
    dispatch(s, now);
}

sim_time_t sip_server_next_deadline(const sip_server *s)
{
    return MIN(sip_txns_next_deadline(s->txns), srv_timer_c_next(s));
}

/* The next-hop URI of branch b: its top Route's, else its Request-URI (borrowed). */
static const sip_uri *lookup_uri(const srv_branch *b, sip_nameaddr *na)
{
    if (sip_msg_nameaddr(b->req, SIP_HDR_ROUTE, 0, na) == 0)
        return &na->uri;
    return &b->req->uri;
}

/* Pops the next branch waiting for RFC 3263 and counts the lookup: *id its lookup id, and
 * text (the next hop's host or whole URI, as want_uri says) copied to out, "" when it does
 * not fit in cap bytes or is empty (an opaque URI has no host: p NULL). */
static bool pop_lookup(sip_server *s, unsigned *id, bool want_uri, char *out, size_t cap)
{
    srv_branch *b = g_queue_pop_head(&s->lookups);
    if (!b)
        return false;
    sip_nameaddr na;
    const sip_uri *u = lookup_uri(b, &na);
    sip_str t = want_uri ? u->raw : u->host;
    g_strlcpy(out, "", cap);
    if (t.len && t.len < cap) {
        memcpy(out, t.p, t.len);
        out[t.len] = 0;
    }
    *id = b->lookup;
    s->stats.lookups++;
    return true;
}

bool sip_server_lookup_pop(sip_server *s, unsigned *id, char *host, size_t cap)
{
    return pop_lookup(s, id, false, host, cap);
}

bool sip_server_lookup_pop_uri(sip_server *s, unsigned *id, char *uri, size_t cap,
                               bool *prefer_tcp)
{
    if (!pop_lookup(s, id, true, uri, cap))
        return false;
    *prefer_tcp = s->cfg.tcp;
    return true;
}

void sip_server_located(sip_server *s, sim_time_t now, unsigned id, int err, const sim_ep *ep)
{
    sip_server_located_over(s, now, id, err, ep, false);
}

void sip_server_located_over(sip_server *s, sim_time_t now, unsigned id, int err,
                             const sim_ep *ep, bool tcp)
{
    /* false kept the configured transport before RFC 3263 named one per target */
    sip_target t = { .tcp = tcp || s->cfg.tcp };
    if (err == 0)
        t.ep = *ep;
    sip_server_located_list(s, now, id, err, &t, err == 0);
}

void sip_server_located_list(sip_server *s, sim_time_t now, unsigned id, int err,
                             const sip_target *t, size_t n)
{
    srv_fork_located(s, now, id, err < 0 ? err : n ? 0 : -EHOSTUNREACH, t, n);
    dispatch(s, now);
}

/* The driver could not send buf (§18.4): its client transaction, if any, fails and the branch
 * counts as a 503 (§16.9). */
int sip_server_transport_error(sip_server *s, sim_time_t now, const uint8_t *buf, size_t len)
{
    int rc = sip_txns_transport_error_sent(s->txns, buf, len);
    if (rc)
        dispatch(s, now);
    return rc;
}

bool sip_server_peer_busy(const sip_server *s, const sim_ep *peer)
{
    return sip_txns_peer_busy(s->txns, peer);
}
