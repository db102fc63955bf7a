/* protocols/ice/ice_agent.c — the ICE agent (RFC 8445): credentials and tie-breaker, trickle-
 * friendly candidate intake, demultiplexing of what arrives (checks, responses, data), the
 * outbox and events, selection per component, keepalives (§11) and consent freshness
 * (RFC 7675: a Binding request on the selected pair every 5 s x [0.8, 1.2); 30 s without an
 * authenticated answer and the component stops sending). */
#include "protocols/ice/ice_priv.h"

#include <errno.h>
#include <string.h>

/* ice-char: ALPHA / DIGIT / "+" / "/" (RFC 8839 §5.4). */
static void rand_ice_string(sim_rng *rng, char *s, size_t n)
{
    static const char set[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i++)
        s[i] = set[sim_rng_below(rng, 64)];
    s[n] = 0;
}

void ice_rand_txid(ice_agent *a, uint8_t txid[STUN_TXID_LEN])
{
    uint64_t r = 0;
    for (int i = 0; i < STUN_TXID_LEN; i++) {
        if (i % 8 == 0)
            r = sim_rng_u64(a->rng);
        txid[i] = (uint8_t)(r >> (8 * (i % 8)));
    }
}

static bool copy_cred(char *dst, size_t cap, const char *src, size_t min)
{
    size_t n = strlen(src);
    if (n < min || n >= cap)
        return false;
    memcpy(dst, src, n + 1);
    return true;
}

ice_agent *ice_agent_new(const ice_agent_cfg *cfg, sim_rng *rng)
{
    if (cfg->components > ICE_COMPONENTS_MAX)
        return NULL;
    ice_agent *a = g_new0(ice_agent, 1);
    a->cfg = *cfg;
    a->cfg.components = cfg->components ? cfg->components : 1;
    a->cfg.ta = cfg->ta ? cfg->ta : ICE_TA_DEFAULT;
    a->cfg.nominate_delay = cfg->nominate_delay ? cfg->nominate_delay : ICE_NOMINATE_DELAY_DEFAULT;
    a->cfg.keepalive = cfg->keepalive ? cfg->keepalive : ICE_KEEPALIVE_DEFAULT;
    a->cfg.max_pairs = cfg->max_pairs ? cfg->max_pairs : ICE_MAX_PAIRS_DEFAULT;
    a->cfg.ufrag = a->cfg.pwd = NULL;
    a->rng = rng;
    a->controlling = cfg->controlling;
    if (cfg->ufrag ? !copy_cred(a->ufrag, sizeof a->ufrag, cfg->ufrag, 4)
                   : (rand_ice_string(rng, a->ufrag, 8), false)) {
        g_free(a);
        return NULL;
    }
    if (cfg->pwd ? !copy_cred(a->pwd, sizeof a->pwd, cfg->pwd, 22)
                 : (rand_ice_string(rng, a->pwd, 24), false)) {
        g_free(a);
        return NULL;
    }
    a->tiebreaker = sim_rng_u64(rng);
    a->started = SIM_TIME_NEVER;
    a->local = g_array_new(FALSE, TRUE, sizeof(ice_cand));
    a->remote = g_array_new(FALSE, TRUE, sizeof(ice_cand));
    a->pairs = g_ptr_array_new_with_free_func(g_free);
    a->found_keys = g_array_new(FALSE, TRUE, sizeof(ice_found_key));
    a->sockcs = g_array_new(FALSE, TRUE, sizeof(ice_sockc));
    a->next_pair_id = 1;
    for (unsigned k = 0; k <= ICE_COMPONENTS_MAX; k++)
        a->comp[k].first_valid = SIM_TIME_NEVER;
    g_queue_init(&a->triggered);
    g_queue_init(&a->out);
    g_queue_init(&a->events);
    return a;
}

void ice_agent_free(ice_agent *a)
{
    if (!a)
        return;
    for (guint i = 0; i < a->sockcs->len; i++)
        stun_client_free(g_array_index(a->sockcs, ice_sockc, i).c);
    g_array_free(a->sockcs, TRUE);
    g_array_free(a->local, TRUE);
    g_array_free(a->remote, TRUE);
    g_array_free(a->found_keys, TRUE);
    g_ptr_array_free(a->pairs, TRUE);
    g_queue_clear(&a->triggered);
    g_queue_clear_full(&a->out, g_free);
    g_queue_clear_full(&a->events, g_free);
    g_free(a);
}

const char *ice_agent_ufrag(const ice_agent *a) { return a->ufrag; }
const char *ice_agent_pwd(const ice_agent *a) { return a->pwd; }
bool ice_agent_controlling(const ice_agent *a) { return a->controlling; }
uint64_t ice_agent_tiebreaker(const ice_agent *a) { return a->tiebreaker; }

/* ---------------------------------------------------------------- outbox, events, sockets */

void ice_push_out(ice_agent *a, unsigned sock, const sim_ep *to, const uint8_t *buf, size_t len)
{
    ice_out *o = g_new(ice_out, 1);
    o->sock = sock;
    o->to = *to;
    o->len = len;
    memcpy(o->data, buf, len);
    g_queue_push_tail(&a->out, o);
}

ice_event *ice_push_event(ice_agent *a, sim_time_t now, ice_event_kind kind)
{
    ice_event *e = g_new0(ice_event, 1);
    e->kind = kind;
    e->at = now;
    g_queue_push_tail(&a->events, e);
    return e;
}

stun_client *ice_sock_client(ice_agent *a, unsigned sock)
{
    for (guint i = 0; i < a->sockcs->len; i++) {
        ice_sockc *s = &g_array_index(a->sockcs, ice_sockc, i);
        if (s->sock == sock)
            return s->c;
    }
    stun_client_cfg cc = { .rto = a->cfg.rto, .rc = a->cfg.rc };
    ice_sockc s = { .sock = sock, .c = stun_client_new(&cc, a->rng) };
    g_array_append_val(a->sockcs, s);
    return s.c;
}

void ice_tx_drop(ice_agent *a, unsigned sock, unsigned *tx)
{
    if (!*tx)
        return;
    stun_client *c = ice_sock_client(a, sock);
    stun_client_cancel(c, *tx);
    stun_client_forget(c, *tx);
    *tx = 0;
}

void ice_drain_clients(ice_agent *a)
{
    for (guint i = 0; i < a->sockcs->len; i++) {
        ice_sockc *s = &g_array_index(a->sockcs, ice_sockc, i);
        stun_out o;
        while (stun_client_pop(s->c, &o))
            ice_push_out(a, s->sock, &o.to, o.data, o.len);
    }
}

bool ice_agent_pop(ice_agent *a, ice_out *out)
{
    ice_out *o = g_queue_pop_head(&a->out);
    if (!o)
        return false;
    *out = *o;
    g_free(o);
    return true;
}

bool ice_agent_pop_event(ice_agent *a, ice_event *ev)
{
    ice_event *e = g_queue_pop_head(&a->events);
    if (!e)
        return false;
    *ev = *e;
    g_free(e);
    return true;
}

/* ---------------------------------------------------------------- candidates */

int ice_agent_add_local(ice_agent *a, sim_time_t now, const ice_cand *in, unsigned local_pref,
                        ice_cand *out)
{
    if (in->component < 1 || in->component > a->cfg.components || in->type == ICE_CAND_PRFLX ||
        in->addr.ip.family == SIM_AF_NONE || in->base.ip.family == SIM_AF_NONE)
        return -EINVAL;
    ice_cand c = *in;
    c.priority = ice_priority(ice_type_pref(c.type), local_pref, c.component);
    if (c.type == ICE_CAND_HOST)
        c.server = (sim_ep){ 0 };
    ice_cand_assign_foundation(a, &c);
    /* §5.1.3: same transport address and base as a known candidate: keep the better one. */
    for (guint i = 0; i < a->local->len; i++) {
        ice_cand *o = ice_lcand(a, i);
        if (o->component != c.component || !sim_ep_eq(&o->addr, &c.addr) ||
            !sim_ep_eq(&o->base, &c.base))
            continue;
        if (o->priority >= c.priority)
            return -EEXIST;
        *o = c;
        ice_pairs_reprioritize(a);
        if (out)
            *out = c;
        return (int)i;
    }
    g_array_append_val(a->local, c);
    unsigned idx = a->local->len - 1;
    ice_pair_candidate(a, now, idx, true);
    ice_pairs_unfreeze(a, now);
    if (out)
        *out = c;
    return (int)idx;
}

void ice_agent_local_done(ice_agent *a, sim_time_t now)
{
    a->local_done = true;
    ice_checks_failed(a, now);
}

int ice_agent_set_remote(ice_agent *a, sim_time_t now, const char *ufrag, const char *pwd)
{
    char u[ICE_UFRAG_MAX], p[ICE_PWD_MAX];
    if (!ufrag || !pwd || !copy_cred(u, sizeof u, ufrag, 1) || !copy_cred(p, sizeof p, pwd, 1))
        return -EINVAL;
    memcpy(a->rufrag, u, sizeof u);
    memcpy(a->rpwd, p, sizeof p);
    a->have_remote = true;
    if (a->started == SIM_TIME_NEVER)
        a->started = now;
    return 0;
}

int ice_agent_add_remote(ice_agent *a, sim_time_t now, const ice_cand *in)
{
    if (in->component < 1 || in->component > a->cfg.components ||
        in->addr.ip.family == SIM_AF_NONE || !in->foundation[0])
        return -EINVAL;
    for (guint i = 0; i < a->remote->len; i++) {
        ice_cand *r = ice_rcand(a, i);
        if (r->component != in->component || !sim_ep_eq(&r->addr, &in->addr))
            continue;
        if (r->type != ICE_CAND_PRFLX || in->type == ICE_CAND_PRFLX)
            return -EEXIST;
        /* §7.3.1.3: the signalled candidate replaces the learned one, priority kept. */
        r->type = in->type;
        r->base = in->base;
        memcpy(r->foundation, in->foundation, sizeof r->foundation);
        for (guint j = 0; j < a->pairs->len; j++) {
            ice_pair *p = a->pairs->pdata[j];
            if (p->remote == i)
                g_snprintf(p->foundation, sizeof p->foundation, "%s:%s",
                           ice_lcand(a, p->local)->foundation, r->foundation);
        }
        return (int)i;
    }
    g_array_append_val(a->remote, *in);
    unsigned idx = a->remote->len - 1;
    ice_pair_candidate(a, now, idx, false);
    ice_pairs_unfreeze(a, now);
    return (int)idx;
}

void ice_agent_remote_done(ice_agent *a, sim_time_t now)
{
    a->remote_done = true;
    ice_checks_failed(a, now);
}

void ice_set_role(ice_agent *a, sim_time_t now, bool controlling)
{
    a->controlling = controlling;
    ice_pairs_reprioritize(a); /* G and D swap */
    for (unsigned k = 1; k <= a->cfg.components; k++)
        a->comp[k].nominating = 0; /* a nomination in flight is the old role's business */
    for (guint i = 0; i < a->pairs->len; i++)
        ((ice_pair *)a->pairs->pdata[i])->use_candidate = false;
    ice_push_event(a, now, ICE_EV_ROLE)->controlling = controlling;
}

/* ---------------------------------------------------------------- selection, consent */

static sim_time_t consent_interval(ice_agent *a)
{
    /* RFC 7675 §5.1: uniformly in [0.8, 1.2] x 5 s. */
    return (sim_time_t)((0.8 + 0.4 * sim_rng_double(a->rng)) * (double)ICE_CONSENT_INTERVAL);
}

void ice_comp_nominated(ice_agent *a, sim_time_t now, ice_pair *v)
{
    ice_comp *c = &a->comp[v->component];
    c->nominating = 0;
    const ice_pair *cur = ice_pair_by_id(a, c->selected);
    if (c->consent_lost || (cur && cur->priority >= v->priority))
        return;
    c->selected = v->id;
    c->consent_ok = now;
    c->consent_next = now + consent_interval(a);
    c->last_sent = now;
    ice_event *e = ice_push_event(a, now, ICE_EV_SELECTED);
    e->component = v->component;
    e->pair = v->id;
    e->controlling = a->controlling;
    e->local_type = ice_lcand(a, v->local)->type;
    e->remote_type = ice_rcand(a, v->remote)->type;
    e->elapsed = a->started == SIM_TIME_NEVER ? 0 : now - a->started;
    ice_prune(a, now, v->component);
}

void ice_consent_done(ice_agent *a, sim_time_t now, unsigned sock, const stun_tx *t)
{
    for (unsigned k = 1; k <= a->cfg.components; k++) {
        ice_comp *c = &a->comp[k];
        const ice_pair *sel = ice_pair_by_id(a, c->selected);
        if (!sel || c->consent_tx != t->id || c->consent_sock != sock)
            continue;
        c->consent_tx = 0;
        if (t->state == STUN_TX_SUCCESS && sim_ep_eq(&t->from, &ice_rcand(a, sel->remote)->addr))
            c->consent_ok = now;
    }
}

static void consent_check(ice_agent *a, sim_time_t now, unsigned k, const ice_pair *sel)
{
    ice_comp *c = &a->comp[k];
    const ice_cand *l = ice_lcand(a, sel->local), *r = ice_rcand(a, sel->remote);
    stun_client *sc = ice_sock_client(a, l->sock);
    ice_tx_drop(a, c->consent_sock, &c->consent_tx);
    uint8_t txid[STUN_TXID_LEN], buf[STUN_MSG_MAX];
    ice_rand_txid(a, txid);
    int len = ice_build_check(a, sel, false, txid, buf, sizeof buf);
    if (len > 0 && stun_client_start(sc, now, &r->addr, buf, (size_t)len, &c->consent_tx) == 0) {
        c->consent_sock = l->sock;
        a->stats.consent_sent++;
    }
    c->consent_next = now + consent_interval(a);
    c->last_sent = now;
}

static void keepalive(ice_agent *a, sim_time_t now, unsigned k, const ice_pair *sel)
{
    uint8_t txid[STUN_TXID_LEN], buf[STUN_HDR_LEN + 8];
    ice_rand_txid(a, txid);
    stun_enc e;
    stun_enc_init(&e, buf, sizeof buf, STUN_BINDING, STUN_INDICATION, txid);
    stun_enc_fingerprint(&e);
    size_t len;
    if (stun_enc_finish(&e, &len) == 0) {
        ice_push_out(a, ice_lcand(a, sel->local)->sock, &ice_rcand(a, sel->remote)->addr, buf, len);
        a->stats.keepalives++;
    }
    a->comp[k].last_sent = now;
}

/* Consent expiry, consent checks and keepalives of every selected component. */
static sim_time_t selected_timers(ice_agent *a, sim_time_t now, bool act)
{
    sim_time_t d = SIM_TIME_NEVER;
    for (unsigned k = 1; k <= a->cfg.components; k++) {
        ice_comp *c = &a->comp[k];
        const ice_pair *sel = ice_pair_by_id(a, c->selected);
        if (!sel || c->consent_lost)
            continue;
        if (!a->cfg.no_consent) {
            if (act && now >= c->consent_ok + ICE_CONSENT_TIMEOUT) {
                c->consent_lost = true; /* RFC 7675 §5.2: stop sending, checks included */
                ice_tx_drop(a, c->consent_sock, &c->consent_tx);
                ice_push_event(a, now, ICE_EV_CONSENT_LOST)->component = k;
                continue;
            }
            if (act && now >= c->consent_next)
                consent_check(a, now, k, sel);
            d = MIN(d, MIN(c->consent_ok + ICE_CONSENT_TIMEOUT, c->consent_next));
        }
        if (act && now >= c->last_sent + a->cfg.keepalive)
            keepalive(a, now, k, sel);
        d = MIN(d, c->last_sent + a->cfg.keepalive);
    }
    return d;
}

/* ---------------------------------------------------------------- input, time */

/* Application data: accepted from the remote address of a valid pair on its local socket. */
static int data_in(ice_agent *a, unsigned sock, const sim_ep *from)
{
    for (guint i = 0; i < a->pairs->len; i++) {
        const ice_pair *p = a->pairs->pdata[i];
        if (p->valid && ice_lcand(a, p->local)->sock == sock &&
            sim_ep_eq(&ice_rcand(a, p->remote)->addr, from) && !a->comp[p->component].consent_lost) {
            a->stats.data_recv++;
            return (int)p->component;
        }
    }
    a->stats.dropped++;
    return -ENOENT;
}

int ice_agent_input(ice_agent *a, sim_time_t now, unsigned sock, const sim_ep *from,
                    const uint8_t *buf, size_t len)
{
    if (!stun_is_message(buf, len))
        return data_in(a, sock, from);
    stun_msg m;
    if (len > STUN_MSG_MAX || stun_msg_decode(buf, len, &m, NULL) != 0) {
        a->stats.bad++;
        return -EBADMSG;
    }
    int rc;
    switch (m.cls) {
    case STUN_REQUEST:
        rc = ice_stun_request(a, now, sock, from, buf, len, &m);
        break;
    case STUN_INDICATION:
        rc = 0; /* a keepalive (§11): nothing to do */
        break;
    default:
        rc = ice_check_response(a, now, sock, from, buf, len, &m);
        break;
    }
    ice_drain_clients(a);
    return rc;
}

void ice_agent_timeout(ice_agent *a, sim_time_t now)
{
    for (guint i = 0; i < a->sockcs->len; i++)
        stun_client_timeout(g_array_index(a->sockcs, ice_sockc, i).c, now);
    ice_drain_clients(a);
    ice_checks_reap(a, now);
    ice_checks_timeout(a, now);
    selected_timers(a, now, true);
    ice_drain_clients(a);
}

sim_time_t ice_agent_next_deadline(const ice_agent *a)
{
    sim_time_t d = ice_checks_deadline(a);
    for (guint i = 0; i < a->sockcs->len; i++)
        d = MIN(d, stun_client_next_deadline(g_array_index(a->sockcs, ice_sockc, i).c));
    return MIN(d, selected_timers((ice_agent *)a, 0, false));
}

int ice_agent_send(ice_agent *a, sim_time_t now, unsigned comp, const uint8_t *buf, size_t len)
{
    if (comp < 1 || comp > a->cfg.components)
        return -EINVAL;
    ice_comp *c = &a->comp[comp];
    const ice_pair *sel = ice_pair_by_id(a, c->selected);
    if (!sel)
        return -ENOTCONN;
    if (c->consent_lost)
        return -EACCES;
    if (len > ICE_DATA_MAX)
        return -EMSGSIZE;
    ice_push_out(a, ice_lcand(a, sel->local)->sock, &ice_rcand(a, sel->remote)->addr, buf, len);
    c->last_sent = now;
    a->stats.data_sent++;
    return 0;
}

/* ---------------------------------------------------------------- introspection */

size_t ice_agent_n_local(const ice_agent *a) { return a->local->len; }
size_t ice_agent_n_remote(const ice_agent *a) { return a->remote->len; }
size_t ice_agent_n_pairs(const ice_agent *a) { return a->pairs->len; }

const ice_cand *ice_agent_local(const ice_agent *a, size_t idx)
{
    return idx < a->local->len ? &g_array_index(a->local, ice_cand, idx) : NULL;
}

const ice_cand *ice_agent_remote(const ice_agent *a, size_t idx)
{
    return idx < a->remote->len ? &g_array_index(a->remote, ice_cand, idx) : NULL;
}

const ice_pair *ice_agent_pair_at(const ice_agent *a, size_t idx)
{
    return idx < a->pairs->len ? a->pairs->pdata[idx] : NULL;
}

const ice_pair *ice_agent_pair(const ice_agent *a, unsigned id) { return ice_pair_by_id(a, id); }

const ice_pair *ice_agent_selected(const ice_agent *a, unsigned comp)
{
    return comp >= 1 && comp <= a->cfg.components ? ice_pair_by_id(a, a->comp[comp].selected) : NULL;
}

const ice_agent_stats *ice_agent_get_stats(const ice_agent *a) { return &a->stats; }
