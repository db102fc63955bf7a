/* protocols/sip/sip_fork.c — the stateful proxy (RFC 3261 §16): request validation (§16.3:
 * Max-Forwards, loop detection), route processing (§16.4), target determination (§16.5:
 * the location service for our domain, RFC 3263 for others), forwarding one branch per target
 * in parallel (§16.6) with Record-Route, response processing (§16.7: provisional and 2xx
 * forwarded at once, the best final otherwise), CANCEL of the other branches (§16.10). */
#include "protocols/sip/sip_server_priv.h"

static void ctx_done_check(sip_server *s, sim_time_t now, srv_ctx *c);
static void branch_failed(sip_server *s, sim_time_t now, srv_branch *b, unsigned status);
static void branch_lost(sip_server *s, sim_time_t now, srv_branch *b, unsigned status);

void srv_ctx_free(srv_ctx *c)
{
    if (!c)
        return;
    for (guint i = 0; i < c->branches->len; i++) {
        srv_branch *b = c->branches->pdata[i];
        sip_msg_free(b->req);
        if (b->alt)
            g_array_free(b->alt, TRUE);
        srv_ob_branch_clear(b);
        g_free(b);
    }
    g_ptr_array_free(c->branches, TRUE);
    sip_msg_free(c->req);
    sip_msg_free(c->best);
    srv_auth_ctx_clear(c);
    g_free(c);
}

/* §16.3 step 4: a Via of ours whose branch carries the hash this request has now. */
static bool looped(sip_server *s, const sip_msg *m)
{
    char mine[SIP_TOKEN_MAX + 16];
    srv_branch_token(s, m, mine, sizeof mine);
    size_t hash_len = strlen(SIP_BRANCH_COOKIE) + 8;
    sip_via v;
    for (size_t i = 0; sip_msg_via(m, i, &v) == 0; i++) {
        char host[SIM_IP_STRLEN];
        sim_ip ip;
        if (v.host.len + 1 > sizeof host || v.port != s->cfg.self.port)
            continue;
        memcpy(host, v.host.p, v.host.len);
        host[v.host.len] = 0;
        if (sim_ip_parse(host, &ip) == 0 && srv_is_self(s, &ip) &&
            v.branch.len > hash_len && memcmp(v.branch.p, mine, hash_len) == 0)
            return true;
    }
    return false;
}

/* Where a branch (or a statelessly forwarded ACK) goes: the top Route, else the flow a registered contact equal to the
 * Request-URI came through (RFC 5626-lite: how a request reaches a UA behind a NAT, for the
 * initial INVITE and in-dialog requests alike), else the Request-URI; an IP literal directly
 * (port default 5060), anything else through an RFC 3263 lookup. 0 with *to, or 1 (lookup). */
int srv_next_hop(sip_server *s, sim_time_t now, const sip_msg *m, sim_ep *to)
{
    sip_nameaddr na;
    const sip_uri *u = &m->uri;
    if (srv_ob_next_hop(s, now, m, to)) /* edge proxy: over a flow (sip_outbound.c) */
        return 0;
    if (sip_msg_nameaddr(m, SIP_HDR_ROUTE, 0, &na) == 0) {
        u = &na.uri;
    } else {
        g_autofree char *ruri = g_strndup(m->uri.raw.p, m->uri.raw.len);
        if (sip_location_flow(s->loc, NULL, ruri, now, to) == 0) {
            s->stats.via_flow++;
            return 0;
        }
    }
    char host[SIM_IP_STRLEN];
    if (!u->host.len || u->host.len + 1 > sizeof host) /* no host: an opaque URI */
        return 1;
    memcpy(host, u->host.p, u->host.len);
    host[u->host.len] = 0;
    if (sim_ip_parse(host, &to->ip) < 0)
        return 1;
    to->port = u->port > 0 ? (uint16_t)u->port : 5060;
    return 0;
}

static void send_branch(sip_server *s, sim_time_t now, srv_branch *b, const sim_ep *to)
{
    srv_branch_sides(s, b, to); /* Via and Record-Route for this hop (sip_rr.c) */
    if (sip_txns_request(s->txns, now, b->req, to, &b->txn) < 0) {
        branch_lost(s, now, b, 503);
        return;
    }
    s->stats.forwarded++;
    if (b->ctx->invite) /* §16.6 step 11 */
        srv_timer_c_set(s, b, now + s->cfg.timer_c);
}

/* §16.6 steps 1-8 for branch b to binding t (NULL: keep the Request-URI), then sends it or
 * asks for its RFC 3263 lookup. */
static void branch_start(sip_server *s, sim_time_t now, srv_branch *b,
                         const sip_location_binding *t)
{
    srv_ctx *c = b->ctx;
    b->req = sip_msg_clone(c->req, t ? t->contact : NULL);
    if (!b->req) {
        branch_failed(s, now, b, 500);
        return;
    }
    if (t) /* RFC 3327 §5.3: the contact's stored Path becomes the Route */
        srv_path_route(s, b->req, t->path);
    /* §16.6 step 4: Record-Route when the transport is known, in send_branch */
    char branch[SIP_TOKEN_MAX + 16];
    srv_branch_token(s, b->req, branch, sizeof branch);
    srv_push_via(s, b->req, branch); /* §16.6 step 8 */
    sim_ep to;
    if (srv_next_hop(s, now, b->req, &to) == 0) {
        send_branch(s, now, b, &to);
    } else {
        b->lookup = s->next_lookup++;
        g_queue_push_tail(&s->lookups, b);
    }
}

/* §16.6: one branch for binding t (NULL: keep the Request-URI). */
static void add_branch(sip_server *s, sim_time_t now, srv_ctx *c, const sip_location_binding *t)
{
    srv_branch *b = g_new0(srv_branch, 1);
    b->ctx = c;
    g_ptr_array_add(c->branches, b);
    srv_ob_branch_flow(b, c->req, t);
    branch_start(s, now, b, t);
}

/* RFC 5626 §7: a branch to an outbound flow failed (430: the binding goes; 408): it goes
 * again, over the instance's next most recently registered flow. True when it went. */
static bool flow_failover(sip_server *s, sim_time_t now, srv_branch *b, unsigned status)
{
    srv_ctx *c = b->ctx;
    sip_location_binding next;
    bool over = b->cancelled || c->cancelled || c->got_2xx;
    if (!srv_ob_next_flow(s, now, b, status, &next) || over) /* removes a 430's binding */
        return false;
    g_autofree char *contact = g_strdup(next.contact); /* borrowed from the location */
    g_autofree char *path = g_strdup(next.path);
    next.contact = contact;
    next.path = path;
    sip_msg_free(b->req);
    b->req = NULL;
    b->rr_pushed = 0; /* a fresh copy of the request: no Record-Route of ours yet */
    b->txn = 0;
    b->status = 0;
    srv_timer_c_set(s, b, SIM_TIME_NEVER);
    s->stats.flow_retries++;
    branch_start(s, now, b, &next);
    return true;
}

/* §16.5: targets from the location service when the Request-URI is in our domain. Returns the
 * number of branches made, or the status to answer. */
static unsigned targets(sip_server *s, sim_time_t now, srv_ctx *c, unsigned *status)
{
    const sip_uri *u = &c->req->uri;
    char aor[512];
    if (sip_msg_hdr(c->req, SIP_HDR_ROUTE, 0) || !sip_str_eq(u->host, s->domain)) {
        add_branch(s, now, c, NULL); /* loose route or another domain: one branch */
        return 1;
    }
    if (sip_aor_of(u, aor, sizeof aor) < 0) {
        *status = 404;
        return 0;
    }
    GArray *ts = g_array_new(FALSE, FALSE, sizeof(sip_location_binding));
    srv_ob_targets(s, now, aor, ts); /* one per instance (RFC 5626 §7) */
    unsigned n = ts->len;
    if (!n)
        *status = 480; /* §21.4.18: known domain, nobody registered there now */
    for (guint i = 0; i < ts->len; i++)
        add_branch(s, now, c, &g_array_index(ts, sip_location_binding, i));
    g_array_free(ts, TRUE);
    if (n > 1)
        s->stats.forks++;
    return n;
}

/* §8.3 redirect: 302 with every contact of the AOR. */
static void redirect(sip_server *s, sim_time_t now, unsigned txn, const sip_msg *m)
{
    char aor[512];
    GPtrArray *contacts = g_ptr_array_new();
    if (sip_aor_of(&m->uri, aor, sizeof aor) == 0)
        sip_location_lookup(s->loc, aor, now, contacts, NULL);
    sip_msg *r = NULL;
    char tag[SIP_TOKEN_MAX];
    sip_random_token(s->rng, "", tag, sizeof tag);
    if (contacts->len && sip_msg_response(m, 302, NULL, tag, &r) == 0) {
        for (guint i = 0; i < contacts->len; i++) {
            g_autofree char *v = g_strdup_printf("<%s>", (char *)contacts->pdata[i]);
            sip_msg_add(r, SIP_HDR_CONTACT, NULL, v);
        }
        sip_txns_respond(s->txns, now, txn, r);
        s->stats.redirects++;
    } else {
        srv_reply(s, now, txn, m, 404, NULL);
    }
    sip_msg_free(r);
    g_ptr_array_free(contacts, TRUE);
}

void srv_proxy(sip_server *s, sim_time_t now, unsigned txn, sip_msg *m)
{
    unsigned st = 0;
    const char *why = NULL;
    if (sip_msg_forward_hops(m, &st, &why) < 0) { /* §16.3 step 3 */
        srv_reply(s, now, txn, m, st ? st : 400, why);
        sip_msg_free(m);
        return;
    }
    if (looped(s, m)) {
        s->stats.loops++;
        srv_reply(s, now, txn, m, 482, NULL);
        sip_msg_free(m);
        return;
    }
    if (!srv_proxy_authorize(s, now, txn, m)) { /* §16.3 step 6, §22.3: 407 sent */
        sip_msg_free(m);
        return;
    }
    if (srv_route_pop_self(s, m) < 0) { /* §16.4, both entries of RFC 5658 */
        srv_reply(s, now, txn, m, 400, "Bad Route");
        sip_msg_free(m);
        return;
    }
    if (s->cfg.redirect && !sip_msg_hdr(m, SIP_HDR_ROUTE, 0) && sip_str_eq(m->uri.host, s->domain)) {
        redirect(s, now, txn, m);
        sip_msg_free(m);
        return;
    }
    srv_ctx *c = g_new0(srv_ctx, 1);
    c->stxn = txn;
    c->req = m;
    c->invite = strcmp(m->method, "INVITE") == 0;
    c->branches = g_ptr_array_new();
    g_ptr_array_add(s->ctxs, c);
    if (targets(s, now, c, &st) == 0) {
        srv_reply(s, now, txn, m, st, NULL);
        c->final_sent = true;
    }
    ctx_done_check(s, now, c);
}

/* ---------------------------------------------------------------- responses (§16.7) */

static srv_branch *branch_of(const sip_server *s, unsigned txn)
{
    for (guint i = 0; i < s->ctxs->len; i++) {
        srv_ctx *c = s->ctxs->pdata[i];
        for (guint k = 0; k < c->branches->len; k++) {
            srv_branch *b = c->branches->pdata[k];
            if (b->txn == txn)
                return b;
        }
    }
    return NULL;
}

/* §16.7 step 6: 6xx first, then the lowest class; within a class the first seen. */
static bool better(unsigned a, unsigned b)
{
    if ((a >= 600) != (b >= 600))
        return a >= 600;
    return a / 100 < b / 100;
}

/* Sends the CANCEL for the INVITE of client transaction txn (§9.1: to the address the INVITE
 * went to, which for a domain located by RFC 3263 is not in its URI). */
static void cancel_txn(sip_server *s, sim_time_t now, unsigned txn)
{
    sip_msg *cancel = NULL;
    const sip_msg *req = sip_txns_request_of(s->txns, txn);
    sim_ep to;
    if (req && sip_txns_peer(s->txns, txn, &to) == 0 && sip_msg_cancel(req, &cancel) == 0 &&
        sip_txns_request(s->txns, now, cancel, &to, NULL) == 0)
        s->stats.cancels++;
    sip_msg_free(cancel);
}

static void cancel_branch(sip_server *s, sim_time_t now, srv_branch *b)
{
    if (b->done || b->cancelled || !b->txn || !b->status) /* §16.10: only after a provisional */
        return;
    b->cancelled = true;
    cancel_txn(s, now, b->txn);
}



/* Forwards resp upstream on the server transaction (our Via popped). */
static void upstream(sip_server *s, sim_time_t now, srv_ctx *c, sip_msg *resp)
{
    sip_msg_pop(resp, SIP_HDR_VIA);
    srv_ob_response(s, resp); /* edge: Flow-Timer on a 2xx to REGISTER (RFC 5626 §5.4) */
    sip_txns_respond(s->txns, now, c->stxn, resp);
}

/* Frees c once every branch is done and the final answer went up. */
static void ctx_done_check(sip_server *s, sim_time_t now, srv_ctx *c)
{
    bool all = true, lingering = false;
    for (guint i = 0; i < c->branches->len; i++) {
        all = all && ((srv_branch *)c->branches->pdata[i])->done;
        lingering = lingering || ((srv_branch *)c->branches->pdata[i])->lingering;
    }
    if (all && !c->final_sent && c->best) {
        c->final_sent = true;
        sip_msg *b = c->best;
        c->best = NULL;
        srv_auth_merge(c, b); /* §16.7 step 7 */
        upstream(s, now, c, b);
        sip_msg_free(b);
    }
    if (all && c->final_sent && !lingering) {
        g_ptr_array_remove(s->ctxs, c);
        srv_ctx_free(c);
    }
}

/* A branch that Timer C counted as 408 is over for the caller; its client transaction is
 * done too now (a final, Timer B, or given up after the CANCEL). */
static void linger_end(sip_server *s, sim_time_t now, srv_branch *b)
{
    b->lingering = false;
    srv_timer_c_set(s, b, SIM_TIME_NEVER);
    ctx_done_check(s, now, b->ctx);
}

/* A response on a lingering branch (m owned when true is returned): a provisional means the
 * callee only now rings for a caller who has had the 408, so it is CANCELled (once; §9.1 then
 * allows 64*T1 for the final); a final ends the branch, and a 2xx also goes up statelessly
 * (false: the caller drops the extra dialog, RFC 6026). */
static bool lingering_response(sip_server *s, sim_time_t now, srv_branch *b, sip_msg *m)
{
    if (m->status >= 200) {
        bool up = m->status < 300;
        linger_end(s, now, b);
        if (!up)
            sip_msg_free(m);
        return !up;
    }
    if (!b->timer_c_cancel) {
        cancel_txn(s, now, b->txn);
        b->timer_c_cancel = true;
        srv_timer_c_set(s, b, now + 64 * (s->cfg.txn.t1 ? s->cfg.txn.t1 : SIP_T1));
    }
    sip_msg_free(m);
    return true;
}

bool srv_fork_response(sip_server *s, sim_time_t now, unsigned txn, sip_msg *m)
{
    srv_branch *b = branch_of(s, txn);
    if (!b)
        return false;
    if (b->lingering)
        return lingering_response(s, now, b, m);
    srv_ctx *c = b->ctx;
    unsigned st = m->status;
    if (st >= 200)
        srv_timer_c_set(s, b, SIM_TIME_NEVER);
    else if (c->invite && st > 100 && !b->done && !b->timer_c_cancel) /* §16.7 step 2 */
        srv_timer_c_set(s, b, now + s->cfg.timer_c);
    if (st < 200) {
        b->status = st;
        if (c->got_2xx || c->cancelled)
            cancel_branch(s, now, b);
        if (st > 100 && !c->final_sent) /* §16.7 step 5: provisional up, 100 stays here */
            upstream(s, now, c, m);
        sip_msg_free(m);
        return true;
    }
    if (st < 300) {
        b->status = st;
        b->done = true;
        c->got_2xx = true;
        upstream(s, now, c, m); /* every 2xx goes up (§16.7 step 5) */
        c->final_sent = true;
        for (guint i = 0; c->invite && i < c->branches->len; i++)
            cancel_branch(s, now, c->branches->pdata[i]); /* §16.7 step 10 */
        sip_msg_free(m);
        ctx_done_check(s, now, c);
        return true;
    }
    if (st == 503 && srv_fork_failover(s, now, b)) { /* RFC 3263 §4.3 */
        sip_msg_free(m);
        return true;
    }
    if ((st == 430 || st == 408) && b->instance) { /* RFC 5626 §7: the next flow */
        if (flow_failover(s, now, b, st)) {
            sip_msg_free(m);
            return true;
        }
        if (st == 430) { /* the 430 is about our binding, not for the caller: §16.7 480 */
            sip_msg_free(m);
            branch_failed(s, now, b, 480);
            return true;
        }
    }
    b->status = st;
    b->done = true;
    srv_auth_collect(c, m); /* §16.7 step 7 */
    if (!c->best || better(st, c->best->status)) {
        sip_msg_free(c->best);
        c->best = m;
    } else {
        sip_msg_free(m);
    }
    if (st >= 600 && c->invite) /* §16.7 step 5: a 6xx ends the search */
        for (guint i = 0; i < c->branches->len; i++)
            cancel_branch(s, now, c->branches->pdata[i]);
    ctx_done_check(s, now, c);
    return true;
}

/* A branch that ended without a response answers as if with status (§16.7 step 6 / §16.8). */
static void branch_failed(sip_server *s, sim_time_t now, srv_branch *b, unsigned status)
{
    srv_ctx *c = b->ctx;
    srv_timer_c_set(s, b, SIM_TIME_NEVER);
    b->done = true;
    b->status = status;
    sip_msg *r = NULL;
    char tag[SIP_TOKEN_MAX];
    sip_random_token(s->rng, "", tag, sizeof tag);
    if ((!c->best || better(status, c->best->status)) &&
        sip_msg_response(c->req, status, NULL, tag, &r) == 0) {
        srv_push_via(s, r, "z9hG4bKlocal"); /* stands for our branch: upstream() pops it */
        sip_msg_free(c->best);
        c->best = r;
    }
    ctx_done_check(s, now, c);
}

/* §16.8. With a provisional (100 included: §9.1 allows the CANCEL then) the branch is
 * CANCELled; if no final follows within 64*T1 its client transaction is given up (§9.1) and
 * the branch counts as 408. Without one the branch counts as 408 at once, while its client
 * transaction goes on (Timer B ends it). The best response then goes upstream as usual. */
void srv_fork_timer_c(sip_server *s, sim_time_t now, srv_branch *b)
{
    s->stats.timer_c++;
    if (b->lingering) { /* a late provisional was CANCELled: 64*T1 without a final */
        sip_txns_abandon(s->txns, b->txn);
        linger_end(s, now, b);
    } else if (b->done) {
        return;
    } else if (b->timer_c_cancel) { /* the CANCEL brought no final either */
        sip_txns_abandon(s->txns, b->txn);
        branch_failed(s, now, b, 408);
    } else if (b->status) {
        cancel_branch(s, now, b);
        b->timer_c_cancel = true;
        srv_timer_c_set(s, b, now + 64 * (s->cfg.txn.t1 ? s->cfg.txn.t1 : SIP_T1));
    } else {
        b->lingering = true;
        branch_failed(s, now, b, 408);
    }
}

void srv_fork_failed(sip_server *s, sim_time_t now, unsigned txn, unsigned status)
{
    srv_branch *b = branch_of(s, txn);
    if (b && b->lingering)
        linger_end(s, now, b); /* Timer B of a branch Timer C had counted as 408 */
    else if (b && !b->done)
        branch_lost(s, now, b, status);
}

void srv_fork_cancel(sip_server *s, sim_time_t now, unsigned target)
{
    for (guint i = 0; i < s->ctxs->len; i++) {
        srv_ctx *c = s->ctxs->pdata[i];
        if (c->stxn != target)
            continue;
        c->cancelled = true;
        for (guint k = 0; k < c->branches->len; k++)
            cancel_branch(s, now, c->branches->pdata[k]);
        return;
    }
}

/* RFC 3263 named the transport of the target: the branch's Via says it (same branch) unless
 * the next-hop URI named a transport itself (§4.1: then that one was located). */
static void branch_via(sip_server *s, srv_branch *b, bool tcp)
{
    sip_via v;
    if (sip_msg_next_hop_tcp(b->req, true) == sip_msg_next_hop_tcp(b->req, false) ||
        sip_msg_via(b->req, 0, &v) < 0 || sip_str_eq(v.transport, "TCP") == tcp)
        return; /* a transport parameter decided, or the Via says it already */
    g_autofree char *branch = g_strndup(v.branch.p, v.branch.len);
    sip_msg_pop(b->req, SIP_HDR_VIA);
    srv_push_via_over(s, b->req, branch, tcp);
}

void srv_fork_located(sip_server *s, sim_time_t now, unsigned id, int err,
                      const sip_target *t, size_t n)
{
    for (guint i = 0; i < s->ctxs->len; i++) {
        srv_ctx *c = s->ctxs->pdata[i];
        for (guint k = 0; k < c->branches->len; k++) {
            srv_branch *b = c->branches->pdata[k];
            if (b->lookup != id)
                continue;
            b->lookup = 0;
            if (err < 0 || !n) {
                branch_failed(s, now, b, 503); /* RFC 3263 §4.3: nothing found */
                return;
            }
            if (n > 1) {
                b->alt = g_array_sized_new(FALSE, FALSE, sizeof(sip_target), (guint)n - 1);
                g_array_append_vals(b->alt, t + 1, (guint)n - 1);
            }
            branch_via(s, b, t[0].tcp);
            send_branch(s, now, b, &t[0].ep);
            return;
        }
    }
}

/* RFC 3263 §4.3: the branch's target timed out, failed at the transport or answered 503: send
 * it to the next target left, as a new client transaction (our Via again, a new branch).
 * True when it went; false when nothing is left or the branch is no longer wanted. */
bool srv_fork_failover(sip_server *s, sim_time_t now, srv_branch *b)
{
    srv_ctx *c = b->ctx;
    if (!b->alt || !b->alt->len || b->cancelled || c->cancelled || c->got_2xx ||
        (c->best && c->best->status >= 600)) /* §16.7 step 5: a 6xx ends the search */
        return false;
    sip_target t = g_array_index(b->alt, sip_target, 0);
    g_array_remove_index(b->alt, 0);
    char branch[SIP_TOKEN_MAX + 16];
    sip_msg_pop(b->req, SIP_HDR_VIA); /* ours, of the failed attempt */
    srv_branch_token(s, b->req, branch, sizeof branch);
    srv_push_via(s, b->req, branch);
    branch_via(s, b, t.tcp);
    b->txn = 0;
    b->status = 0;
    s->stats.failovers++;
    send_branch(s, now, b, &t.ep);
    return true;
}

/* A branch whose transaction ended without a response: the next target, else §16.7 status. */
static void branch_lost(sip_server *s, sim_time_t now, srv_branch *b, unsigned status)
{
    if (status == 408 && b->instance && flow_failover(s, now, b, status))
        return; /* RFC 5626 §7: a flow that timed out: the instance's next one */
    if (!srv_fork_failover(s, now, b))
        branch_failed(s, now, b, status);
}
