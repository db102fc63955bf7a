/* protocols/ice/ice_check.c — the checklist (RFC 8445 §6.1.2, §6.1.4, §7.2, §8.1): pairing,
 * pair priorities, states, unfreezing, Ta pacing with the triggered-check queue, outgoing
 * Binding requests, their responses (symmetric check, peer-reflexive local candidates, the
 * valid list) and regular nomination by the controlling agent.
 *
 * One data stream, one checklist; its components are the pairs' component ids. Only host and
 * relayed local candidates are paired: a server-reflexive local candidate would be replaced by
 * its base anyway (§6.1.2.4), so pairing it and pruning is the same as not pairing it. */
#include "protocols/ice/ice_priv.h"

#include <errno.h>
#include <string.h>

ice_cand *ice_lcand(ice_agent *a, unsigned idx) { return &g_array_index(a->local, ice_cand, idx); }
ice_cand *ice_rcand(ice_agent *a, unsigned idx) { return &g_array_index(a->remote, ice_cand, idx); }

ice_pair *ice_pair_by_id(const ice_agent *a, unsigned id)
{
    for (guint i = 0; i < a->pairs->len; i++) {
        ice_pair *p = a->pairs->pdata[i];
        if (p->id == id)
            return p;
    }
    return NULL;
}

ice_pair *ice_pair_find(const ice_agent *a, unsigned li, unsigned ri)
{
    for (guint i = 0; i < a->pairs->len; i++) {
        ice_pair *p = a->pairs->pdata[i];
        if (p->local == li && p->remote == ri)
            return p;
    }
    return NULL;
}

const char *ice_pair_state_name(ice_pair_state s)
{
    switch (s) {
    case ICE_PAIR_FROZEN: return "frozen";
    case ICE_PAIR_WAITING: return "waiting";
    case ICE_PAIR_IN_PROGRESS: return "in-progress";
    case ICE_PAIR_SUCCEEDED: return "succeeded";
    case ICE_PAIR_FAILED: return "failed";
    case ICE_PAIR_CANCELLED: return "cancelled";
    }
    return "?";
}

void ice_pair_set_state(ice_agent *a, sim_time_t now, ice_pair *p, ice_pair_state st)
{
    if (p->state == st)
        return;
    p->state = st;
    ice_event *e = ice_push_event(a, now, ICE_EV_PAIR_STATE);
    e->component = p->component;
    e->pair = p->id;
    e->state = st;
}

/* ---------------------------------------------------------------- pairing and order */

/* §6.1.2.3: G is the controlling agent's candidate priority. */
static uint64_t pair_prio(ice_agent *a, const ice_pair *p)
{
    uint32_t l = ice_lcand(a, p->local)->priority, r = ice_rcand(a, p->remote)->priority;
    return a->controlling ? ice_pair_priority(l, r) : ice_pair_priority(r, l);
}

/* Checklist order: priority, highest first; equal priorities by id (deterministic). */
static gint pair_cmp(gconstpointer x, gconstpointer y)
{
    const ice_pair *p = *(ice_pair *const *)x, *q = *(ice_pair *const *)y;
    if (p->priority != q->priority)
        return p->priority > q->priority ? -1 : 1;
    return p->id < q->id ? -1 : (p->id > q->id);
}

void ice_pairs_reprioritize(ice_agent *a)
{
    for (guint i = 0; i < a->pairs->len; i++) {
        ice_pair *p = a->pairs->pdata[i];
        p->priority = pair_prio(a, p);
    }
    g_ptr_array_sort(a->pairs, pair_cmp);
}

ice_pair *ice_pair_add(ice_agent *a, unsigned li, unsigned ri)
{
    ice_pair *p = g_new0(ice_pair, 1);
    const ice_cand *l = ice_lcand(a, li), *r = ice_rcand(a, ri);
    p->id = a->next_pair_id++;
    p->local = li;
    p->remote = ri;
    p->component = l->component;
    p->state = ICE_PAIR_FROZEN;
    g_snprintf(p->foundation, sizeof p->foundation, "%s:%s", l->foundation, r->foundation);
    p->priority = pair_prio(a, p);
    g_ptr_array_add(a->pairs, p);
    g_ptr_array_sort(a->pairs, pair_cmp);
    return p;
}

static bool pairable(const ice_cand *l, const ice_cand *r)
{
    return (l->type == ICE_CAND_HOST || l->type == ICE_CAND_RELAY) &&
           l->component == r->component && l->addr.ip.family == r->addr.ip.family;
}

/* §6.1.2.5: beyond max_pairs, the lowest-priority pairs nobody depends on (Frozen or Waiting,
 * not valid, no transaction, not queued) are dropped. */
static void prune(ice_agent *a)
{
    for (guint i = a->pairs->len; i-- > 0 && a->pairs->len > a->cfg.max_pairs;) {
        ice_pair *p = a->pairs->pdata[i];
        if ((p->state == ICE_PAIR_FROZEN || p->state == ICE_PAIR_WAITING) && !p->valid &&
            !p->tx && !g_queue_find(&a->triggered, GUINT_TO_POINTER(p->id)))
            g_ptr_array_remove_index(a->pairs, i); /* keeps the order of the rest */
    }
}

void ice_pair_candidate(ice_agent *a, sim_time_t now, unsigned idx, bool is_local)
{
    (void)now;
    guint n = is_local ? a->remote->len : a->local->len;
    for (guint j = 0; j < n; j++) {
        unsigned li = is_local ? idx : j, ri = is_local ? j : idx;
        if (pairable(ice_lcand(a, li), ice_rcand(a, ri)) && !ice_pair_find(a, li, ri))
            ice_pair_add(a, li, ri);
    }
    prune(a);
}

static bool foundation_active(const ice_agent *a, const char *f)
{
    for (guint i = 0; i < a->pairs->len; i++) {
        const ice_pair *p = a->pairs->pdata[i];
        if ((p->state == ICE_PAIR_WAITING || p->state == ICE_PAIR_IN_PROGRESS) &&
            strcmp(p->foundation, f) == 0)
            return true;
    }
    return false;
}

/* §6.1.2.6 order: lowest component first, then checklist order. */
static gint unfreeze_cmp(gconstpointer x, gconstpointer y)
{
    const ice_pair *p = *(ice_pair *const *)x, *q = *(ice_pair *const *)y;
    if (p->component != q->component)
        return p->component < q->component ? -1 : 1;
    return pair_cmp(x, y);
}

void ice_pairs_unfreeze(ice_agent *a, sim_time_t now)
{
    g_autoptr(GPtrArray) frozen = g_ptr_array_new();
    for (guint i = 0; i < a->pairs->len; i++) {
        ice_pair *p = a->pairs->pdata[i];
        if (p->state == ICE_PAIR_FROZEN && !p->valid)
            g_ptr_array_add(frozen, p);
    }
    g_ptr_array_sort(frozen, unfreeze_cmp);
    for (guint i = 0; i < frozen->len; i++) {
        ice_pair *p = frozen->pdata[i];
        if (!foundation_active(a, p->foundation))
            ice_pair_set_state(a, now, p, ICE_PAIR_WAITING);
    }
}

void ice_trigger(ice_agent *a, ice_pair *p)
{
    if (g_queue_find(&a->triggered, GUINT_TO_POINTER(p->id)))
        return;
    g_queue_push_tail(&a->triggered, GUINT_TO_POINTER(p->id));
    a->stats.triggered++;
}

int ice_local_for_sock(const ice_agent *a, unsigned sock, unsigned comp)
{
    for (guint i = 0; i < a->local->len; i++) {
        const ice_cand *c = &g_array_index(a->local, ice_cand, i);
        if (c->sock == sock && (c->type == ICE_CAND_HOST || c->type == ICE_CAND_RELAY) &&
            (!comp || c->component == comp))
            return (int)i;
    }
    return -1;
}

/* ---------------------------------------------------------------- sending checks */

int ice_build_check(ice_agent *a, const ice_pair *p, bool use_cand, const uint8_t txid[12],
                    uint8_t *buf, size_t cap)
{
    const ice_cand *l = &g_array_index(a->local, ice_cand, p->local);
    char user[2 * ICE_UFRAG_MAX];
    g_snprintf(user, sizeof user, "%s:%s", a->rufrag, a->ufrag);
    /* §7.1.1: the priority a peer-reflexive candidate learned from this check would have. */
    uint32_t prio = ice_priority(ICE_TYPE_PREF_PRFLX, (l->priority >> 8) & 0xffff, p->component);
    stun_enc e;
    stun_enc_init(&e, buf, cap, STUN_BINDING, STUN_REQUEST, txid);
    stun_enc_str(&e, STUN_ATTR_USERNAME, user);
    stun_enc_u32(&e, STUN_ATTR_PRIORITY, prio);
    stun_enc_u64(&e, a->controlling ? STUN_ATTR_ICE_CONTROLLING : STUN_ATTR_ICE_CONTROLLED,
                 a->tiebreaker);
    if (use_cand)
        stun_enc_attr(&e, STUN_ATTR_USE_CANDIDATE, NULL, 0);
    stun_enc_integrity(&e, (const uint8_t *)a->rpwd, strlen(a->rpwd));
    stun_enc_fingerprint(&e);
    size_t len;
    int rc = stun_enc_finish(&e, &len);
    return rc ? rc : (int)len;
}

/* Starts a check on p (a triggered check on an In-Progress pair replaces its transaction). */
static void send_check(ice_agent *a, sim_time_t now, ice_pair *p)
{
    const ice_cand *l = ice_lcand(a, p->local), *r = ice_rcand(a, p->remote);
    stun_client *c = ice_sock_client(a, l->sock);
    ice_tx_drop(a, p->tx_sock, &p->tx);
    bool use = a->controlling && p->use_candidate;
    uint8_t txid[STUN_TXID_LEN], buf[STUN_MSG_MAX];
    ice_rand_txid(a, txid);
    int len = ice_build_check(a, p, use, txid, buf, sizeof buf);
    unsigned id;
    if (len < 0 || stun_client_start(c, now, &r->addr, buf, (size_t)len, &id) != 0) {
        ice_pair_set_state(a, now, p, ICE_PAIR_FAILED);
        return;
    }
    p->tx = id;
    p->tx_sock = l->sock;
    p->tx_controlling = a->controlling;
    p->tx_use_candidate = use;
    a->stats.checks_sent++;
    ice_pair_set_state(a, now, p, ICE_PAIR_IN_PROGRESS);
    ice_drain_clients(a);
}

static bool comp_done(const ice_agent *a, unsigned comp)
{
    return a->comp[comp].selected || a->comp[comp].failed;
}

/* A queued triggered check is moot when its component failed, or when the pair succeeded
 * meanwhile (the check it interrupted was answered) unless it is to carry USE-CANDIDATE. */
static bool trigger_live(const ice_agent *a, const ice_pair *p)
{
    if (a->comp[p->component].failed || ice_pair_pruned(a, p))
        return false;
    return p->state != ICE_PAIR_SUCCEEDED || (a->controlling && p->use_candidate);
}

bool ice_pair_pruned(const ice_agent *a, const ice_pair *p)
{
    unsigned sel = a->comp[p->component].selected;
    return sel && p->id != sel && p->valid_id != sel && !p->remote_nominated;
}

void ice_prune(ice_agent *a, sim_time_t now, unsigned comp)
{
    for (guint i = 0; i < a->pairs->len; i++) {
        ice_pair *p = a->pairs->pdata[i];
        if (p->component != comp || !ice_pair_pruned(a, p) ||
            (p->state != ICE_PAIR_FROZEN && p->state != ICE_PAIR_WAITING &&
             p->state != ICE_PAIR_IN_PROGRESS))
            continue;
        ice_tx_drop(a, p->tx_sock, &p->tx);
        p->use_candidate = false;
        ice_pair_set_state(a, now, p, ICE_PAIR_CANCELLED);
    }
}

/* The best Waiting pair not queued as triggered, else the best Frozen pair whose foundation is
 * not being checked; components already selected get no ordinary checks. */
static ice_pair *next_ordinary(ice_agent *a)
{
    ice_pair *frozen = NULL;
    for (guint i = 0; i < a->pairs->len; i++) {
        ice_pair *p = a->pairs->pdata[i];
        if (comp_done(a, p->component))
            continue;
        if (p->state == ICE_PAIR_WAITING &&
            !g_queue_find(&a->triggered, GUINT_TO_POINTER(p->id)))
            return p;
        if (p->state == ICE_PAIR_FROZEN && !frozen && !foundation_active(a, p->foundation))
            frozen = p;
    }
    return frozen;
}

/* §6.1.4.2: the triggered queue first, then an ordinary check (next_ordinary). Deviation: after
 * ICE_TRIGGERED_BURST triggered checks in a row, an ordinary one goes first when there is one,
 * so that a chase of ever new peer-reflexive candidates (two address-and-port-dependent
 * mappings, each answer leaving by a new one) cannot starve the relayed pairs. */
static ice_pair *next_paced(ice_agent *a, bool pop)
{
    ice_pair *ord = next_ordinary(a);
    if (ord && a->triggered_run >= ICE_TRIGGERED_BURST) {
        if (pop)
            a->triggered_run = 0;
        return ord;
    }
    if (pop) {
        while (!g_queue_is_empty(&a->triggered)) {
            ice_pair *p = ice_pair_by_id(a, GPOINTER_TO_UINT(g_queue_pop_head(&a->triggered)));
            if (p && trigger_live(a, p)) {
                a->triggered_run++;
                return p;
            }
        }
        a->triggered_run = 0;
    } else {
        for (GList *l = a->triggered.head; l; l = l->next) {
            ice_pair *p = ice_pair_by_id(a, GPOINTER_TO_UINT(l->data));
            if (p && trigger_live(a, p))
                return p;
        }
    }
    return ord;
}

/* ---------------------------------------------------------------- responses */

static void fail_pair(ice_agent *a, sim_time_t now, ice_pair *p)
{
    ice_comp *c = &a->comp[p->component];
    if (p->tx_use_candidate && c->nominating) {
        ice_pair *v = ice_pair_by_id(a, c->nominating);
        if (v && v->gen_id == p->id) {
            v->valid = false; /* nominate something else next time */
            c->nominating = 0;
        }
    }
    p->use_candidate = false;
    ice_pair_set_state(a, now, p, ICE_PAIR_FAILED);
}

/* The local candidate with transport address `mapped` for comp, or a new peer-reflexive one
 * with the base of the checked pair's local candidate (§7.2.5.3.1). Returns its index. */
static unsigned local_for_mapped(ice_agent *a, sim_time_t now, const ice_pair *p,
                                 const sim_ep *mapped)
{
    for (guint i = 0; i < a->local->len; i++) {
        const ice_cand *c = ice_lcand(a, i);
        if (c->component == p->component && sim_ep_eq(&c->addr, mapped))
            return i;
    }
    const ice_cand *l = ice_lcand(a, p->local);
    ice_cand n = { .component = p->component, .type = ICE_CAND_PRFLX, .addr = *mapped,
                   .base = l->base, .sock = l->sock };
    n.priority = ice_priority(ICE_TYPE_PREF_PRFLX, (l->priority >> 8) & 0xffff, p->component);
    ice_cand_assign_foundation(a, &n);
    g_array_append_val(a->local, n);
    ice_event *e = ice_push_event(a, now, ICE_EV_LOCAL_PRFLX);
    e->component = n.component;
    e->cand = n;
    e->cand_idx = a->local->len - 1;
    return a->local->len - 1;
}

static void check_succeeded(ice_agent *a, sim_time_t now, ice_pair *p, const sim_ep *mapped)
{
    unsigned li = local_for_mapped(a, now, p, mapped);
    ice_pair *v = li == p->local ? p : ice_pair_find(a, li, p->remote);
    if (!v) {
        v = ice_pair_add(a, li, p->remote);
        v->state = ICE_PAIR_SUCCEEDED; /* only in the valid list, never checked itself */
    }
    v->valid = true;
    v->gen_id = p->id;
    p->valid_id = v->id;
    p->succeeded_at = now;
    ice_pair_set_state(a, now, p, ICE_PAIR_SUCCEEDED);
    ice_comp *c = &a->comp[p->component];
    if (c->first_valid == SIM_TIME_NEVER)
        c->first_valid = now;
    /* §7.2.5.3.3: pairs of the same foundation are unfrozen. */
    for (guint i = 0; i < a->pairs->len; i++) {
        ice_pair *q = a->pairs->pdata[i];
        if (q->state == ICE_PAIR_FROZEN && strcmp(q->foundation, p->foundation) == 0)
            ice_pair_set_state(a, now, q, ICE_PAIR_WAITING);
    }
    if ((p->tx_use_candidate && p->tx_controlling) || (p->remote_nominated && !a->controlling)) {
        v->nominated = true;
        ice_comp_nominated(a, now, v);
    }
    if (c->selected == v->id)
        c->consent_ok = now;
}

/* A finished transaction of pair p: success, error or timeout. */
static void pair_done(ice_agent *a, sim_time_t now, ice_pair *p, const stun_tx *t)
{
    p->tx = 0;
    if (t->state == STUN_TX_TIMEOUT) {
        fail_pair(a, now, p);
        return;
    }
    stun_msg m;
    if (stun_msg_decode(t->resp, t->resp_len, &m, NULL) != 0) {
        fail_pair(a, now, p);
        return;
    }
    if (t->state == STUN_TX_ERROR) {
        if (t->code == ICE_ERR_ROLE_CONFLICT) {
            /* §7.2.5.1: take the role opposite to the one the request claimed, check again. */
            if (a->controlling == p->tx_controlling)
                ice_set_role(a, now, !p->tx_controlling);
            ice_pair_set_state(a, now, p, ICE_PAIR_WAITING);
            ice_trigger(a, p);
        } else {
            fail_pair(a, now, p);
        }
        return;
    }
    const ice_cand *r = ice_rcand(a, p->remote);
    sim_ep mapped;
    /* §7.2.5.2.1: the response must come from where the request went (the socket matched). */
    if (!sim_ep_eq(&t->from, &r->addr) ||
        stun_msg_get_addr(&m, STUN_ATTR_XOR_MAPPED_ADDRESS, &mapped) != 0) {
        fail_pair(a, now, p);
        return;
    }
    check_succeeded(a, now, p, &mapped);
}

/* Handles transaction `id` of socket sock that its STUN client reported done. */
static void tx_done(ice_agent *a, sim_time_t now, unsigned sock, stun_client *c, unsigned id)
{
    const stun_tx *t = stun_client_tx(c, id);
    if (!t)
        return;
    for (guint i = 0; i < a->pairs->len; i++) {
        ice_pair *p = a->pairs->pdata[i];
        if (p->tx == id && p->tx_sock == sock) {
            pair_done(a, now, p, t);
            break;
        }
    }
    ice_consent_done(a, now, sock, t);
    stun_client_forget(c, id);
}

void ice_checks_reap(ice_agent *a, sim_time_t now)
{
    for (guint i = 0; i < a->sockcs->len; i++) {
        ice_sockc *s = &g_array_index(a->sockcs, ice_sockc, i);
        unsigned id;
        while (stun_client_pop_done(s->c, &id))
            tx_done(a, now, s->sock, s->c, id);
    }
}

/* The pair or consent check whose running transaction on sock has this transaction id. */
static bool ours(ice_agent *a, unsigned sock, const uint8_t txid[STUN_TXID_LEN])
{
    stun_client *c = ice_sock_client(a, sock);
    for (guint i = 0; i < a->pairs->len; i++) {
        const ice_pair *p = a->pairs->pdata[i];
        const stun_tx *t = p->tx && p->tx_sock == sock ? stun_client_tx(c, p->tx) : NULL;
        if (t && memcmp(t->txid, txid, STUN_TXID_LEN) == 0)
            return true;
    }
    for (unsigned k = 1; k <= a->cfg.components; k++) {
        const ice_comp *cp = &a->comp[k];
        const stun_tx *t = cp->consent_tx && cp->consent_sock == sock
                               ? stun_client_tx(c, cp->consent_tx) : NULL;
        if (t && memcmp(t->txid, txid, STUN_TXID_LEN) == 0)
            return true;
    }
    return false;
}

int ice_check_response(ice_agent *a, sim_time_t now, unsigned sock, const sim_ep *from,
                       const uint8_t *buf, size_t len, const stun_msg *m)
{
    if (m->method != STUN_BINDING || !ours(a, sock, m->txid))
        return -ENOENT;
    /* Responses are authenticated with the peer's password (§7.2.5); an error response
     * without MESSAGE-INTEGRITY (400, 401: the peer could not authenticate us) still ends
     * the check, an unauthenticated success never does. */
    bool has_mi = stun_msg_find(m, STUN_ATTR_MESSAGE_INTEGRITY) != NULL;
    if ((has_mi && stun_msg_check_integrity(m, (const uint8_t *)a->rpwd, strlen(a->rpwd))) ||
        (!has_mi && m->cls == STUN_SUCCESS)) {
        a->stats.bad++;
        return -EPROTO;
    }
    stun_client *c = ice_sock_client(a, sock);
    if (stun_client_input(c, now, from, buf, len) != 0)
        return -EPROTO;
    ice_checks_reap(a, now);
    return 0;
}

/* ---------------------------------------------------------------- nomination, pacing */

/* The best valid pair of comp, or NULL. */
static ice_pair *best_valid(const ice_agent *a, unsigned comp)
{
    for (guint i = 0; i < a->pairs->len; i++) {
        ice_pair *p = a->pairs->pdata[i];
        if (p->component == comp && p->valid)
            return p;
    }
    return NULL;
}

static bool better_pending(const ice_agent *a, const ice_pair *best)
{
    for (guint i = 0; i < a->pairs->len && a->pairs->pdata[i] != best; i++) {
        const ice_pair *p = a->pairs->pdata[i];
        if (p->component == best->component && !p->valid && p->state != ICE_PAIR_SUCCEEDED &&
            p->state != ICE_PAIR_FAILED)
            return true;
    }
    return false;
}

/* §8.1.1 regular nomination: once checks have produced a valid pair and nothing better is
 * pending (or nominate_delay has passed), repeat the check that produced it with USE-CANDIDATE. */
static sim_time_t nominate(ice_agent *a, sim_time_t now, unsigned comp)
{
    ice_comp *c = &a->comp[comp];
    if (!a->controlling || comp_done(a, comp) || c->nominating)
        return SIM_TIME_NEVER;
    ice_pair *v = best_valid(a, comp);
    if (!v)
        return SIM_TIME_NEVER;
    sim_time_t due = c->first_valid + a->cfg.nominate_delay;
    if (better_pending(a, v) && now < due)
        return due;
    ice_pair *gen = ice_pair_by_id(a, v->gen_id);
    if (!gen)
        return SIM_TIME_NEVER;
    c->nominating = v->id;
    gen->use_candidate = true;
    ice_trigger(a, gen);
    return SIM_TIME_NEVER;
}

/* A component fails when both sides ended gathering and no pair can still succeed. */
static void comp_check_failed(ice_agent *a, sim_time_t now, unsigned comp)
{
    ice_comp *c = &a->comp[comp];
    if (comp_done(a, comp) || !a->local_done || !a->remote_done || !a->have_remote)
        return;
    for (guint i = 0; i < a->pairs->len; i++) {
        const ice_pair *p = a->pairs->pdata[i];
        if (p->component == comp && (p->valid || p->state != ICE_PAIR_FAILED))
            return;
    }
    for (GList *l = a->triggered.head; l; l = l->next) {
        const ice_pair *p = ice_pair_by_id(a, GPOINTER_TO_UINT(l->data));
        if (p && p->component == comp)
            return;
    }
    c->failed = true;
    ice_push_event(a, now, ICE_EV_FAILED)->component = comp;
}

void ice_checks_timeout(ice_agent *a, sim_time_t now)
{
    for (unsigned k = 1; k <= a->cfg.components; k++)
        nominate(a, now, k);
    if (a->have_remote && now >= a->next_check) {
        ice_pair *p = next_paced(a, true);
        if (p) {
            if (p->state == ICE_PAIR_FROZEN)
                ice_pair_set_state(a, now, p, ICE_PAIR_WAITING);
            send_check(a, now, p);
            a->next_check = now + a->cfg.ta;
        }
    }
    ice_checks_failed(a, now);
}

void ice_checks_failed(ice_agent *a, sim_time_t now)
{
    for (unsigned k = 1; k <= a->cfg.components; k++)
        comp_check_failed(a, now, k);
}

sim_time_t ice_checks_deadline(const ice_agent *a)
{
    sim_time_t d = SIM_TIME_NEVER;
    for (unsigned k = 1; k <= a->cfg.components; k++) {
        const ice_comp *c = &a->comp[k];
        const ice_pair *v = best_valid(a, k);
        if (a->controlling && !comp_done(a, k) && !c->nominating && v) {
            /* at once when nothing better is pending, else after nominate_delay */
            sim_time_t due = better_pending(a, v) ? c->first_valid + a->cfg.nominate_delay
                                                  : c->first_valid;
            d = due < d ? due : d;
        }
    }
    if (a->have_remote && next_paced((ice_agent *)a, false))
        d = a->next_check < d ? a->next_check : d;
    return d;
}
