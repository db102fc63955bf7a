/* protocols/sip/sip_ua.c — the user agent core (RFC 3261 §8, §10, §22): set-up, where
 * requests go, our Via and Contact, registration with refresh, digest retries, OPTIONS, and
 * dispatching transaction events; the INVITE usage (calls) is in sip_ua_call.c. */
#include "protocols/sip/sip_ua_priv.h"

#define UA_ALLOW "INVITE, ACK, CANCEL, BYE, OPTIONS"

static const char *const call_state_names[] = {
    [SIP_CALL_CALLING] = "calling",     [SIP_CALL_EARLY] = "early",
    [SIP_CALL_INCOMING] = "incoming",   [SIP_CALL_CONFIRMED] = "confirmed",
    [SIP_CALL_ENDED] = "ended",
};

const char *sip_call_state_name(sip_call_state s)
{
    return (unsigned)s < G_N_ELEMENTS(call_state_names) ? call_state_names[s] : "?";
}

static char *token(sip_ua *ua, const char *prefix)
{
    char t[SIP_TOKEN_MAX];
    sip_random_token(ua->rng, prefix, t, sizeof t);
    return g_strdup(t);
}

/* "1.2.3.4:5060" or "[2001:db8::1]:5060" as a SIP host:port. */
static char *hostport(const sim_ep *ep)
{
    char ip[SIM_IP_STRLEN];
    sim_ip_fmt(&ep->ip, ip, sizeof ip);
    return ep->ip.family == SIM_AF_INET6 ? g_strdup_printf("[%s]:%u", ip, ep->port)
                                         : g_strdup_printf("%s:%u", ip, ep->port);
}

sip_ua *sip_ua_new(const sip_ua_cfg *cfg, sim_rng *rng)
{
    sip_uri u;
    if (!cfg->aor || cfg->local.ip.family == SIM_AF_NONE || !cfg->local.port ||
        sip_uri_parse(cfg->aor, strlen(cfg->aor), &u, NULL) < 0 || u.scheme != SIP_SCHEME_SIP ||
        !u.has_user)
        return NULL;
    sip_ua *ua = g_new0(sip_ua, 1);
    ua->cfg = *cfg;
    ua->rng = rng;
    ua->aor = g_strdup(cfg->aor);
    ua->domain = g_strndup(u.host.p, u.host.len);
    ua->user = cfg->user ? g_strdup(cfg->user) : g_strndup(u.user.p, u.user.len);
    ua->password = g_strdup(cfg->password);
    ua->display = g_strdup(cfg->display);
    g_autofree char *hp = hostport(&cfg->local);
    ua->contact = g_strdup_printf("<sip:%.*s@%s%s>", (int)u.user.len, u.user.p, hp,
                                  cfg->tcp ? ";transport=tcp" : "");
    ua->cfg.aor = ua->cfg.user = ua->cfg.password = ua->cfg.display = NULL; /* not borrowed */
    if (!ua->cfg.expires)
        ua->cfg.expires = 3600;
    if (!ua->cfg.rtp_port)
        ua->cfg.rtp_port = 40000;
    ua->cfg.txn.reliable = cfg->txn.reliable || cfg->tcp; /* §17.1.1.2: no retransmissions */
    ua->txns = sip_txns_new(&ua->cfg.txn);
    ua->calls = g_ptr_array_new();
    ua->next_call = 1;
    g_queue_init(&ua->events);
    g_autofree char *id = token(ua, "");
    char ip[SIM_IP_STRLEN];
    ua->reg_call_id = g_strdup_printf("%s@%s", id, sim_ip_fmt(&cfg->local.ip, ip, sizeof ip));
    ua->reg_tag = token(ua, "");
    ua->reg_refresh = SIM_TIME_NEVER;
    sip_ua_ob_init(ua); /* RFC 5626 (sip_ua_ob.c) */
    return ua;
}

void sip_ua_free(sip_ua *ua)
{
    if (!ua)
        return;
    for (guint i = 0; i < ua->calls->len; i++)
        sip_call_free(ua->calls->pdata[i]);
    g_ptr_array_free(ua->calls, TRUE);
    g_queue_clear_full(&ua->events, g_free);
    sip_txns_free(ua->txns);
    g_free(ua->aor);
    g_free(ua->domain);
    g_free(ua->user);
    g_free(ua->password);
    g_free(ua->display);
    g_free(ua->contact);
    g_free(ua->reg_call_id);
    g_free(ua->reg_tag);
    sip_ua_ob_free(ua);
    sip_ua_auth_free(ua);
    g_free(ua);
}

void sip_ua_emit(sip_ua *ua, sip_ua_ev_kind kind, unsigned call, unsigned status)
{
    sip_ua_ev *e = g_new0(sip_ua_ev, 1);
    e->kind = kind;
    e->call = call;
    e->status = status;
    g_queue_push_tail(&ua->events, e);
}

bool sip_ua_event(sip_ua *ua, sip_ua_ev *ev)
{
    sip_ua_ev *e = g_queue_pop_head(&ua->events);
    if (!e)
        return false;
    *ev = *e;
    g_free(e);
    return true;
}

bool sip_ua_pop(sip_ua *ua, sip_out *out)
{
    return sip_txns_pop(ua->txns, out) || sip_ua_ob_pop(ua, out);
}

const sip_ua_stats *sip_ua_get_stats(const sip_ua *ua)
{
    return &ua->stats;
}

/* ---------------------------------------------------------------- sending */

int sip_ua_route(const sip_ua *ua, const char *uri, sim_ep *dest)
{
    sip_nameaddr na;
    char host[SIM_IP_STRLEN];
    if (sip_nameaddr_parse(sip_s(uri), false, false, &na, NULL) == 0 && na.uri.host.len &&
        na.uri.host.len < sizeof host) {
        memcpy(host, na.uri.host.p, na.uri.host.len);
        host[na.uri.host.len] = 0;
        if (sim_ip_parse(host, &dest->ip) == 0) {
            dest->port = na.uri.port > 0 ? (uint16_t)na.uri.port : 5060;
            return 0;
        }
    }
    if (!ua->cfg.proxy.port)
        return -EHOSTUNREACH;
    *dest = ua->cfg.proxy;
    return 0;
}

/* RFC 6157: the family of m's next hop, as the UA routes it (the first Route, else
 * the registrar for a REGISTER, else the Request-URI or the proxy). */
static int next_hop_family(const sip_ua *ua, const sip_msg *m)
{
    sim_ep dest = ua->cfg.local;
    sip_str v;
    if (sip_msg_value(m, SIP_HDR_ROUTE, 0, &v) == 0) {
        g_autofree char *r = g_strndup(v.p, v.len);
        sip_ua_route(ua, r, &dest);
    } else if (!strcmp(m->method, "REGISTER") && ua->cfg.registrar.port) {
        dest = ua->cfg.registrar;
    } else {
        sip_ua_route(ua, m->ruri, &dest);
    }
    return dest.ip.family;
}

int sip_ua_push_via(sip_ua *ua, sip_msg *m)
{
    char branch[SIP_TOKEN_MAX];
    sip_random_token(ua->rng, SIP_BRANCH_COOKIE, branch, sizeof branch);
    sim_ep self = ua->cfg.local; /* a dual-stack UA: its IPv6 address towards IPv6 */
    if (ua->cfg.local6.family == SIM_AF_INET6 && next_hop_family(ua, m) == SIM_AF_INET6)
        self.ip = ua->cfg.local6;
    g_autofree char *hp = hostport(&self);
    bool tcp = sip_msg_next_hop_tcp(m, ua->cfg.tcp); /* §18.1.1 */
    g_autofree char *via = g_strdup_printf("SIP/2.0/%s %s;branch=%s%s", tcp ? "TCP" : "UDP",
                                           hp, branch,
                                           ua->cfg.rport ? ";rport" : "");
    return sip_msg_push(m, SIP_HDR_VIA, via);
}

unsigned sip_ua_send_request(sip_ua *ua, sim_time_t now, sip_msg *m, const sim_ep *dest)
{
    unsigned id = 0;
    sip_ua_auth_attach(ua, m); /* cached credentials (§22.3), out of dialogs only */
    if (sip_ua_push_via(ua, m) < 0 || sip_txns_request(ua->txns, now, m, dest, &id) < 0)
        return 0;
    return id;
}

void sip_ua_copy_record_route(sip_msg *resp, const sip_msg *req)
{
    const sip_hdr *h;
    /* §12.1.1: a UAS copies Record-Route into its dialog-creating responses */
    if (resp->status > 100 && resp->status < 300 && !strcmp(req->method, "INVITE"))
        for (size_t i = 0; (h = sip_msg_hdr(req, SIP_HDR_RECORD_ROUTE, i)); i++)
            sip_msg_add_str(resp, SIP_HDR_RECORD_ROUTE, NULL, sip_hdr_value(h));
}

int sip_ua_reply(sip_ua *ua, sim_time_t now, unsigned txn, const sip_msg *req, unsigned status,
                 const char *to_tag)
{
    sip_msg *r = NULL;
    int rc = sip_msg_response(req, status, NULL, to_tag, &r);
    if (rc < 0)
        return rc;
    sip_ua_copy_record_route(r, req);
    /* §12.1.1: a provisional with a To tag makes an early dialog, so it carries our Contact
     * (SIPp refuses the route set of a 180 without one; found by tests/interop) */
    if (status > 100 && status < 200 && to_tag && !strcmp(req->method, "INVITE"))
        sip_msg_add(r, SIP_HDR_CONTACT, NULL, ua->contact);
    if (strcmp(req->method, "OPTIONS") == 0 || status == 405) {
        sip_msg_add(r, SIP_HDR_ALLOW, NULL, UA_ALLOW);
        sip_msg_add(r, SIP_HDR_ACCEPT, NULL, "application/sdp");
    }
    rc = sip_txns_respond(ua->txns, now, txn, r);
    sip_msg_free(r);
    return rc;
}

/* ---------------------------------------------------------------- REGISTER (§10.2) */

sip_msg *sip_ua_register_msg(sip_ua *ua, const char *call_id, uint32_t cseq,
                             const char *contact, uint32_t expires)
{
    sip_msg *m = NULL;
    g_autofree char *ruri = g_strdup_printf("sip:%s", ua->domain);
    if (sip_msg_new_request("REGISTER", ruri, &m) < 0)
        return NULL;
    g_autofree char *to = g_strdup_printf("<%s>", ua->aor);
    g_autofree char *from = g_strdup_printf("<%s>;tag=%s", ua->aor, ua->reg_tag);
    char cs[32], exp[16];
    g_snprintf(cs, sizeof cs, "%u REGISTER", cseq);
    g_snprintf(exp, sizeof exp, "%u", expires);
    sip_msg_add(m, SIP_HDR_MAX_FORWARDS, NULL, "70");
    sip_msg_add(m, SIP_HDR_TO, NULL, to);
    sip_msg_add(m, SIP_HDR_FROM, NULL, from);
    sip_msg_add(m, SIP_HDR_CALL_ID, NULL, call_id);
    sip_msg_add(m, SIP_HDR_CSEQ, NULL, cs);
    sip_msg_add(m, SIP_HDR_CONTACT, NULL, contact);
    sip_msg_add(m, SIP_HDR_EXPIRES, NULL, exp);
    sip_ua_ob_register(ua, m);
    return m;
}

int sip_ua_register(sip_ua *ua, sim_time_t now, uint32_t expires)
{
    if (ua->reg_txn)
        return -EBUSY;
    /* §10.2: one Call-ID for all registrations to this registrar */
    sip_msg *m = sip_ua_register_msg(ua, ua->reg_call_id, ++ua->reg_cseq,
                                     sip_ua_ob_contact(ua), expires);
    if (!m)
        return -EINVAL;
    g_autofree char *ruri = g_strdup_printf("sip:%s", ua->domain);
    sim_ep dest = ua->cfg.registrar.port ? ua->cfg.registrar : ua->cfg.proxy;
    int rc = dest.port ? 0 : sip_ua_route(ua, ruri, &dest);
    if (rc == 0) {
        ua->reg_dest = dest;
        ua->reg_txn = sip_ua_send_request(ua, now, m, &dest);
        rc = ua->reg_txn ? 0 : -EINVAL;
    }
    sip_msg_free(m);
    ua->reg_expires = expires;
    ua->reg_refresh = SIM_TIME_NEVER;
    ua->reg_auth_tries = 0;
    sip_ua_ob_register_flows(ua, now, expires); /* RFC 5626 §4.2: the other edges' flows */
    return rc;
}

/* The expiry the registrar granted to our Contact (§10.2.4): its expires parameter, else the
 * Expires header, else what we asked for. */
static uint32_t granted(const sip_ua *ua, const sip_msg *m)
{
    if (ua->ob) /* RFC 5626: our flow is the Contact with our instance and reg-id 1 */
        return sip_ua_ob_granted(ua, m, 1, ua->reg_expires);
    sip_nameaddr na, mine;
    sip_nameaddr_parse(sip_s(ua->contact), false, false, &mine, NULL);
    for (size_t i = 0; sip_msg_nameaddr(m, SIP_HDR_CONTACT, i, &na) == 0; i++) {
        const sip_param *p = sip_params_find(&na.params, "expires");
        if (p && p->has_value && sip_uri_equal(&na.uri, &mine.uri)) {
            g_autofree char *v = g_strndup(p->value.p, p->value.len);
            return (uint32_t)MIN(g_ascii_strtoull(v, NULL, 10), UINT32_MAX);
        }
    }
    uint32_t e;
    return sip_msg_uint(m, SIP_HDR_EXPIRES, &e) == 0 ? e : ua->reg_expires;
}

static void reg_response(sip_ua *ua, sim_time_t now, const sip_msg *m)
{
    if (m->status < 200)
        return;
    unsigned txn = ua->reg_txn;
    ua->reg_txn = 0;
    if ((m->status == 401 || m->status == 407) && ua->reg_auth_tries < UA_AUTH_TRIES) {
        sip_msg *retry = sip_ua_authorize(ua, txn, m);
        if (retry) {
            sip_cseq cs;
            sip_msg_cseq(retry, &cs);
            ua->reg_cseq = cs.seq;
            ua->reg_txn = sip_ua_send_request(ua, now, retry, &ua->reg_dest);
            ua->reg_auth_tries++;
            sip_msg_free(retry);
            return;
        }
    }
    if (m->status >= 300) {
        sip_ua_emit(ua, SIP_UA_EV_REG_FAILED, 0, m->status);
        sip_ua_ob_reg_failed(ua, now); /* RFC 5626 §4.5: try again later */
        return;
    }
    uint32_t e = ua->reg_expires ? granted(ua, m) : 0;
    ua->stats.registrations++;
    sip_ua_ev *ev = g_new0(sip_ua_ev, 1);
    ev->kind = SIP_UA_EV_REGISTERED;
    ev->status = m->status;
    ev->expires = e;
    g_queue_push_tail(&ua->events, ev);
    sip_ua_ob_registered(ua, now, m, e);
    if (e) /* refresh at half the expiry, or 32 s before it if that is later */
        ua->reg_refresh = now + MAX((sim_time_t)e * SIM_SEC / 2,
                                    e > 32 ? (sim_time_t)(e - 32) * SIM_SEC : 0);
}

/* ---------------------------------------------------------------- OPTIONS (§11) */

int sip_ua_options(sip_ua *ua, sim_time_t now, const char *target)
{
    sip_msg *m = NULL;
    sim_ep dest;
    if (sip_msg_new_request("OPTIONS", target, &m) < 0)
        return -EINVAL;
    int rc = sip_ua_route(ua, target, &dest);
    if (rc == 0) {
        g_autofree char *to = g_strdup_printf("<%s>", target);
        g_autofree char *tag = token(ua, "");
        g_autofree char *from = g_strdup_printf("<%s>;tag=%s", ua->aor, tag);
        g_autofree char *cid = token(ua, "");
        char cseq[32];
        g_snprintf(cseq, sizeof cseq, "%u OPTIONS", ++ua->ood_cseq);
        sip_msg_add(m, SIP_HDR_MAX_FORWARDS, NULL, "70");
        sip_msg_add(m, SIP_HDR_TO, NULL, to);
        sip_msg_add(m, SIP_HDR_FROM, NULL, from);
        sip_msg_add(m, SIP_HDR_CALL_ID, NULL, cid);
        sip_msg_add(m, SIP_HDR_CSEQ, NULL, cseq);
        sip_msg_add(m, SIP_HDR_ACCEPT, NULL, "application/sdp");
        ua->options_txn = sip_ua_send_request(ua, now, m, &dest);
    }
    sip_msg_free(m);
    return rc;
}

/* ---------------------------------------------------------------- dispatch */

sip_call *sip_ua_find_call(const sip_ua *ua, unsigned id)
{
    for (guint i = 0; i < ua->calls->len; i++) {
        sip_call *c = ua->calls->pdata[i];
        if (c->id == id)
            return c;
    }
    return NULL;
}

/* The call a client transaction (or, for txn 0, a stray 2xx by its dialog) belongs to. */
static sip_call *call_of_response(const sip_ua *ua, unsigned txn, const sip_msg *m)
{
    for (guint i = 0; i < ua->calls->len; i++) {
        sip_call *c = ua->calls->pdata[i];
        if (txn ? (c->invite_txn == txn || c->bye_txn == txn || c->reinvite_txn == txn ||
                   c->cancel_txn == txn)
                : (c->dlg && sip_dialog_matches(c->dlg, m)))
            return c;
    }
    return NULL;
}

/* §8.2.2.3: 420 for a request that Requires an extension (we support none); true if sent. */
static bool bad_extension(sip_ua *ua, sim_time_t now, unsigned txn, const sip_msg *m)
{
    sip_msg *r = NULL;
    if (!txn || sip_msg_bad_extension(m, SIP_HDR_REQUIRE, ua->reg_tag, &r) <= 0)
        return false;
    sip_txns_respond(ua->txns, now, txn, r);
    sip_msg_free(r);
    return true;
}

static void on_request(sip_ua *ua, sim_time_t now, sip_txn_ev *ev)
{
    sip_msg *m = ev->msg;
    ev->msg = NULL;
    const char *meth = m->method;
    if (bad_extension(ua, now, ev->id, m) || sip_ua_cseq_check(ua, now, ev->id, m)) {
        sip_msg_free(m);
        return;
    }
    if (!strcmp(meth, "INVITE") || !strcmp(meth, "ACK") || !strcmp(meth, "BYE") ||
        !strcmp(meth, "CANCEL")) {
        sip_call_request(ua, now, ev->id, m);
        return;
    }
    if (ev->id) /* §8.2.1: 405 for what a UA knows but does not do, 501 for the rest */
        sip_ua_reply(ua, now, ev->id, m, !strcmp(meth, "OPTIONS") ? 200
                                     : !strcmp(meth, "REGISTER") ? 405 : 501, ua->reg_tag);
    sip_msg_free(m);
}

static void on_response(sip_ua *ua, sim_time_t now, sip_txn_ev *ev)
{
    if (ev->id && ev->id == ua->reg_txn) {
        reg_response(ua, now, ev->msg);
    } else if (ev->id && sip_ua_ob_response(ua, now, ev->id, ev->msg)) {
        /* the REGISTER of another flow (RFC 5626 §4.2) */
    } else if (ev->id && ev->id == ua->options_txn) {
        if (ev->msg->status >= 200) {
            ua->options_txn = 0;
            sip_ua_emit(ua, SIP_UA_EV_OPTIONS, 0, ev->msg->status);
        }
    } else {
        sip_call *c = call_of_response(ua, ev->id, ev->msg);
        if (c) {
            sip_call_response(ua, now, c, ev->id, ev->msg);
            ev->msg = NULL;
        }
    }
}

static void on_failure(sip_ua *ua, sim_time_t now, const sip_txn_ev *ev)
{
    unsigned status = ev->kind == SIP_TXN_EV_TIMEOUT ? 408 : 503; /* §8.1.3.1 */
    if (ev->id == ua->reg_txn) {
        ua->reg_txn = 0;
        sip_ua_emit(ua, SIP_UA_EV_REG_FAILED, 0, status);
        sip_ua_ob_reg_failed(ua, now);
    } else if (sip_ua_ob_failed(ua, now, ev->id)) {
        /* the REGISTER of another flow timed out */
    } else if (ev->id == ua->options_txn) {
        ua->options_txn = 0;
        sip_ua_emit(ua, SIP_UA_EV_OPTIONS, 0, status);
    } else {
        for (guint i = 0; i < ua->calls->len; i++)
            sip_call_failed(ua, now, ua->calls->pdata[i], ev->id, status);
    }
}

static void dispatch(sip_ua *ua, sim_time_t now)
{
    sip_txn_ev ev;
    while (sip_txns_event(ua->txns, &ev)) {
        if (ev.kind == SIP_TXN_EV_REQUEST)
            on_request(ua, now, &ev);
        else if (ev.kind == SIP_TXN_EV_RESPONSE)
            on_response(ua, now, &ev);
        else
            on_failure(ua, now, &ev);
        sip_txn_ev_clear(&ev);
    }
}

int sip_ua_input(sip_ua *ua, sim_time_t now, const sim_ep *from, const uint8_t *buf, size_t len)
{
    sip_msg *m;
    bool answered;
    ua->stats.rx++;
    int rc = sip_txns_receive(ua->txns, from, buf, len, &m, &answered);
    if (rc < 0 && !answered)
        ua->stats.dropped++;
    if (rc == -EBADMSG) {
        ua->stats.bad++;
        return rc;
    }
    if (rc < 0) {
        ua->stats.rejected++;
        return 0;
    }
    sip_txns_input(ua->txns, now, from, m);
    dispatch(ua, now);
    return 0;
}

void sip_ua_timeout(sip_ua *ua, sim_time_t now)
{
    sip_txns_timeout(ua->txns, now);
    dispatch(ua, now);
    sip_call_timers(ua, now);
    if (ua->reg_refresh <= now) {
        ua->reg_refresh = SIM_TIME_NEVER;
        sip_ua_register(ua, now, ua->reg_expires);
    }
    sip_ua_ob_timeout(ua, now);
}

sim_time_t sip_ua_next_deadline(const sip_ua *ua)
{
    sim_time_t d = MIN(MIN(sip_txns_next_deadline(ua->txns), ua->reg_refresh),
                       sip_ua_ob_deadline(ua));
    for (guint i = 0; i < ua->calls->len; i++) {
        const sip_call *c = ua->calls->pdata[i];
        if (c->ok)
            d = MIN(d, c->ok_at);
        if (c->reinvite_retry) /* §14.1 glare retry */
            d = MIN(d, c->reinvite_at);
    }
    return d;
}

/* The driver could not send buf (§18.4): its client transaction, if any, fails with 503. */
int sip_ua_transport_error(sip_ua *ua, sim_time_t now, const uint8_t *buf, size_t len)
{
    int rc = sip_txns_transport_error_sent(ua->txns, buf, len);
    if (rc)
        dispatch(ua, now);
    return rc;
}

bool sip_ua_peer_busy(const sip_ua *ua, const sim_ep *peer)
{
    return sip_txns_peer_busy(ua->txns, peer) || sip_ua_ob_holds(ua, peer);
}
