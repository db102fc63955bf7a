/* protocols/sip/sip_txn.c — RFC 3261 §17 transactions (with RFC 6026's Accepted state) and the
 * transport's send rules, sans-I/O: the layer never reads a clock or a socket; it is handed
 * decoded messages and the time, and fills an outbox and an event queue (see sip.h). */
#include "protocols/sip/sip_priv.h"

typedef struct sip_txn {
    unsigned id;
    sip_txn_kind kind;
    sip_txn_state state;
    char *key;          /* matching key in sip_txns.by_key */
    sim_ep peer;        /* client: the destination; server: where responses go */
    sip_msg *req;       /* client: the request (a decoded copy of what was sent) */
    GBytes *last;       /* what a retransmission resends: the request, or the last response */
    GBytes *ack;        /* INVITE client: the ACK for a 300-699, resent on retransmits */
    sim_time_t rtx_at;  /* Timer A / E / G, SIM_TIME_NEVER when off */
    sim_time_t rtx_iv;  /* its current interval */
    sim_time_t end_at;  /* Timer B / D / F / H / I / J / K / L / M, SIM_TIME_NEVER when off */
    sim_time_t sched_at; /* its key in sip_txns.timers: min(rtx_at, end_at) when queued */
    bool queued;
    bool reliable;      /* cfg.reliable, or the request's Via names a non-UDP transport */
} sip_txn;

struct sip_txns {
    sip_txn_cfg cfg;
    unsigned next_id;
    GTree *timers;        /* sip_txn * ordered by (sched_at, id): the next timer is the first,
                             and equal deadlines fire in creation order */
    GHashTable *by_key;   /* key -> sip_txn * (borrowed from by_id) */
    GHashTable *by_id;    /* GUINT_TO_POINTER(id) -> sip_txn *, owns the live ones */
    GPtrArray *dead;      /* terminated, freed by sweep() once the current call is done */
    GQueue outbox;        /* sip_out * */
    GQueue events;        /* sip_txn_ev * */
};

static const char *const state_names[] = {
    [SIP_TXN_CALLING] = "calling",       [SIP_TXN_TRYING] = "trying",
    [SIP_TXN_PROCEEDING] = "proceeding", [SIP_TXN_COMPLETED] = "completed",
    [SIP_TXN_CONFIRMED] = "confirmed",   [SIP_TXN_ACCEPTED] = "accepted",
    [SIP_TXN_TERMINATED] = "terminated",
};

const char *sip_txn_state_name(sip_txn_state s)
{
    return (unsigned)s < G_N_ELEMENTS(state_names) ? state_names[s] : "?";
}

static gint by_deadline(gconstpointer a, gconstpointer b)
{
    const sip_txn *x = a, *y = b;
    if (x->sched_at != y->sched_at)
        return x->sched_at < y->sched_at ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

sip_txns *sip_txns_new(const sip_txn_cfg *cfg)
{
    sip_txns *t = g_new0(sip_txns, 1);
    if (cfg)
        t->cfg = *cfg;
    if (!t->cfg.t1)
        t->cfg.t1 = SIP_T1;
    if (!t->cfg.t2)
        t->cfg.t2 = SIP_T2;
    if (!t->cfg.t4)
        t->cfg.t4 = SIP_T4;
    t->next_id = 1;
    t->timers = g_tree_new(by_deadline);
    t->dead = g_ptr_array_new();
    t->by_key = g_hash_table_new(g_str_hash, g_str_equal);
    t->by_id = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_queue_init(&t->outbox);
    g_queue_init(&t->events);
    return t;
}

static void txn_free(sip_txn *x)
{
    g_free(x->key);
    sip_msg_free(x->req);
    if (x->last)
        g_bytes_unref(x->last);
    if (x->ack)
        g_bytes_unref(x->ack);
    g_free(x);
}

static void out_free(gpointer p)
{
    sip_out_clear(p);
    g_free(p);
}

static void ev_free(gpointer p)
{
    sip_txn_ev_clear(p);
    g_free(p);
}

void sip_txns_free(sip_txns *t)
{
    if (!t)
        return;
    GHashTableIter it;
    gpointer x;
    g_hash_table_iter_init(&it, t->by_id);
    while (g_hash_table_iter_next(&it, NULL, &x))
        txn_free(x);
    for (guint i = 0; i < t->dead->len; i++)
        txn_free(t->dead->pdata[i]);
    g_ptr_array_free(t->dead, TRUE);
    g_tree_destroy(t->timers);
    g_hash_table_destroy(t->by_key);
    g_hash_table_destroy(t->by_id);
    g_queue_clear_full(&t->outbox, out_free);
    g_queue_clear_full(&t->events, ev_free);
    g_free(t);
}

void sip_out_clear(sip_out *out)
{
    if (!out)
        return;
    g_free(out->data);
    out->data = NULL;
    out->len = 0;
}

void sip_txn_ev_clear(sip_txn_ev *ev)
{
    if (!ev)
        return;
    sip_msg_free(ev->msg);
    ev->msg = NULL;
}

bool sip_txns_pop(sip_txns *t, sip_out *out)
{
    sip_out *o = g_queue_pop_head(&t->outbox);
    if (!o)
        return false;
    *out = *o;
    g_free(o);
    return true;
}

bool sip_txns_event(sip_txns *t, sip_txn_ev *ev)
{
    sip_txn_ev *e = g_queue_pop_head(&t->events);
    if (!e)
        return false;
    *ev = *e;
    g_free(e);
    return true;
}

/* ---------------------------------------------------------------- helpers */

static GBytes *encode(const sip_msg *m)
{
    GString *s = g_string_new(NULL);
    sip_msg_encode(m, s);
    gsize len = s->len;
    return g_bytes_new_take(g_string_free(s, FALSE), len);
}

static void send_bytes(sip_txns *t, GBytes *b, const sim_ep *to)
{
    sip_out *o = g_new0(sip_out, 1);
    gsize len;
    const void *p = g_bytes_get_data(b, &len);
    o->to = *to;
    o->data = g_memdup2(p, len);
    o->len = len;
    g_queue_push_tail(&t->outbox, o);
}

void sip_txns_send(sip_txns *t, const sip_msg *m, const sim_ep *dest)
{
    GBytes *b = encode(m);
    send_bytes(t, b, dest);
    g_bytes_unref(b);
}

int sip_txns_receive(sip_txns *t, const sim_ep *from, const uint8_t *buf, size_t len,
                     sip_msg **out, bool *answered)
{
    sip_msg *m = NULL, *r = NULL;
    sip_err e = { 0 };
    *out = NULL;
    *answered = false;
    int rc = sip_msg_decode(buf, len, &m, &e);
    bool decoded = rc == 0;
    if (!decoded) {
        rc = sip_msg_reject_bytes(buf, len, &e, &r) == 0 ? 0 : -EBADMSG;
    } else {
        unsigned status;
        const char *reason;
        if (sip_msg_validate(m, &status, &reason) == 0) {
            *out = m;
            return 0;
        }
        rc = m->request && strcmp(m->method, "ACK") != 0 ? sip_msg_reject(m, status, reason, &r)
                                                          : -EPROTO;
        sip_msg_free(m);
    }
    if (rc == 0) { /* §18.2.2: to the source (over TCP the request's connection) */
        sip_txns_send(t, r, from);
        *answered = true;
    }
    sip_msg_free(r);
    return decoded ? -EPROTO : -EBADMSG;
}

static void emit(sip_txns *t, sip_txn_ev_kind kind, unsigned id, sip_msg *m, const sim_ep *from)
{
    sip_txn_ev *e = g_new0(sip_txn_ev, 1);
    e->kind = kind;
    e->id = id;
    e->msg = m;
    if (from)
        e->from = *from;
    g_queue_push_tail(&t->events, e);
}

/* The matching key: client transactions by (branch, CSeq method) (§17.1.3), server ones by
 * (branch, sent-by, method) with ACK matching INVITE (§17.2.3). */
static char *make_key(bool server, const sip_via *v, sip_str method)
{
    if (sip_str_eq(method, "ACK"))
        method = sip_s("INVITE");
    if (!server)
        return g_strdup_printf("c|%.*s|%.*s", (int)v->branch.len, v->branch.p, (int)method.len,
                               method.p);
    return g_strdup_printf("s|%.*s|%.*s:%d|%.*s", (int)v->branch.len, v->branch.p,
                           (int)v->host.len, v->host.p, v->port, (int)method.len, method.p);
}

static sip_txn *find(const sip_txns *t, unsigned id)
{
    return g_hash_table_lookup(t->by_id, GUINT_TO_POINTER(id));
}

static sip_txn *add(sip_txns *t, sip_txn_kind kind, sip_txn_state st, char *key,
                    const sim_ep *peer)
{
    sip_txn *x = g_new0(sip_txn, 1);
    x->id = t->next_id++;
    x->kind = kind;
    x->state = st;
    x->key = key;
    x->peer = *peer;
    x->rtx_at = x->end_at = SIM_TIME_NEVER;
    g_hash_table_insert(t->by_key, x->key, x);
    g_hash_table_insert(t->by_id, GUINT_TO_POINTER(x->id), x);
    return x;
}

/* Puts x in the timer tree under its earliest timer (or takes it out): call after every
 * change of rtx_at / end_at. */
static void reschedule(sip_txns *t, sip_txn *x)
{
    if (x->queued)
        g_tree_remove(t->timers, x);
    x->queued = false;
    sim_time_t d = MIN(x->rtx_at, x->end_at);
    if (d != SIM_TIME_NEVER && x->state != SIP_TXN_TERMINATED) {
        x->sched_at = d;
        g_tree_insert(t->timers, x, x);
        x->queued = true;
    }
}

/* Marks x terminated; sweep() frees it once the current call is done with it. */
static void terminate(sip_txns *t, sip_txn *x)
{
    x->state = SIP_TXN_TERMINATED;
    x->rtx_at = x->end_at = SIM_TIME_NEVER;
    reschedule(t, x);
    g_hash_table_remove(t->by_key, x->key);
    g_hash_table_remove(t->by_id, GUINT_TO_POINTER(x->id));
    g_ptr_array_add(t->dead, x);
}

static void sweep(sip_txns *t)
{
    for (guint i = 0; i < t->dead->len; i++)
        txn_free(t->dead->pdata[i]);
    g_ptr_array_set_size(t->dead, 0);
}

/* A timer of d, or 0 (fires at once) on a reliable transport when `zero_if_reliable`. */
static sim_time_t after(const sip_txn *x, sim_time_t now, sim_time_t d, bool zero_if_reliable)
{
    return now + (zero_if_reliable && x->reliable ? 0 : d);
}

/* §18: a transaction is reliable when its request travels over TCP (or another non-UDP
 * transport), which its top Via says, or when the layer is configured so. */
static bool is_reliable(const sip_txns *t, const sip_via *v)
{
    return t->cfg.reliable || !sip_str_eq(v->transport, "UDP");
}

static void start_rtx(sip_txns *t, sip_txn *x, sim_time_t now)
{
    if (x->reliable)
        return;
    x->rtx_iv = t->cfg.t1;
    x->rtx_at = now + x->rtx_iv;
}

sip_msg *sip_msg_clone(const sip_msg *m, const char *ruri)
{
    GString *s = g_string_new(NULL);
    sip_msg_encode(m, s);
    if (m->request && ruri) {
        const char *eol = strstr(s->str, "\r\n");
        g_autofree char *start = g_strdup_printf("%s %s SIP/2.0", m->method, ruri);
        g_string_erase(s, 0, eol ? eol - s->str : (gssize)s->len);
        g_string_prepend(s, start);
    }
    sip_msg *c = NULL;
    sip_msg_decode((const uint8_t *)s->str, s->len, &c, NULL);
    g_string_free(s, TRUE);
    return c;
}

/* ---------------------------------------------------------------- building ACK and CANCEL */

/* A request for the same transaction as invite (§9.1, §17.1.1.3): method, the INVITE's
 * Request-URI, top Via, From, Call-ID, CSeq number, Route lines, To given by the caller. */
static int same_txn_request(const sip_msg *invite, const char *method, sip_str to, sip_msg **out)
{
    sip_str via, cid;
    sip_cseq cs;
    const sip_hdr *from = sip_msg_hdr(invite, SIP_HDR_FROM, 0);
    if (!invite->request || strcmp(invite->method, "INVITE") != 0 || !from ||
        sip_msg_value(invite, SIP_HDR_VIA, 0, &via) < 0 ||
        sip_msg_call_id(invite, &cid) < 0 || sip_msg_cseq(invite, &cs) < 0)
        return -EINVAL;
    sip_msg *m = NULL;
    if (sip_msg_new_request(method, invite->ruri, &m) < 0)
        return -EINVAL;
    char cseq[32];
    g_snprintf(cseq, sizeof cseq, "%u %s", cs.seq, method);
    sip_msg_add_str(m, SIP_HDR_VIA, NULL, via);
    sip_msg_add(m, SIP_HDR_MAX_FORWARDS, NULL, "70");
    sip_msg_add_str(m, SIP_HDR_FROM, NULL, sip_hdr_value(from));
    sip_msg_add_str(m, SIP_HDR_TO, NULL, to);
    sip_msg_add_str(m, SIP_HDR_CALL_ID, NULL, cid);
    sip_msg_add(m, SIP_HDR_CSEQ, NULL, cseq);
    const sip_hdr *h;
    for (size_t i = 0; (h = sip_msg_hdr(invite, SIP_HDR_ROUTE, i)); i++)
        sip_msg_add_str(m, SIP_HDR_ROUTE, NULL, sip_hdr_value(h));
    *out = m;
    return 0;
}

int sip_msg_cancel(const sip_msg *invite, sip_msg **out)
{
    const sip_hdr *to = invite->request ? sip_msg_hdr(invite, SIP_HDR_TO, 0) : NULL;
    if (!to)
        return -EINVAL;
    return same_txn_request(invite, "CANCEL", sip_hdr_value(to), out);
}

/* ---------------------------------------------------------------- client transactions */

int sip_txns_request(sip_txns *t, sim_time_t now, const sip_msg *req, const sim_ep *dest,
                     unsigned *id)
{
    sip_via v;
    sip_cseq cs;
    if (!req->request || strcmp(req->method, "ACK") == 0 || sip_msg_via(req, 0, &v) < 0 ||
        !v.rfc3261 || sip_msg_cseq(req, &cs) < 0)
        return -EINVAL;
    char *key = make_key(false, &v, cs.method);
    if (g_hash_table_contains(t->by_key, key)) {
        g_free(key);
        return -EEXIST;
    }
    bool invite = strcmp(req->method, "INVITE") == 0;
    sip_txn *x = add(t, invite ? SIP_TXN_INVITE_CLIENT : SIP_TXN_NON_INVITE_CLIENT,
                     invite ? SIP_TXN_CALLING : SIP_TXN_TRYING, key, dest);
    x->reliable = is_reliable(t, &v);
    x->last = encode(req);
    gsize len;
    const uint8_t *p = g_bytes_get_data(x->last, &len);
    if (sip_msg_decode(p, len, &x->req, NULL) < 0)
        x->req = NULL; /* cannot happen for a message this code encoded */
    send_bytes(t, x->last, dest);
    start_rtx(t, x, now);         /* Timer A / E = T1 */
    x->end_at = now + 64 * t->cfg.t1; /* Timer B / F */
    reschedule(t, x);
    if (id)
        *id = x->id;
    return 0;
}

/* §17.1.1.3: the ACK the INVITE client transaction sends for a 300-699. */
static void send_ack(sip_txns *t, sip_txn *x, const sip_msg *resp)
{
    const sip_hdr *to = sip_msg_hdr(resp, SIP_HDR_TO, 0);
    sip_msg *ack = NULL;
    if (!x->ack && x->req && to && same_txn_request(x->req, "ACK", sip_hdr_value(to), &ack) == 0) {
        x->ack = encode(ack);
        sip_msg_free(ack);
    }
    if (x->ack)
        send_bytes(t, x->ack, &x->peer);
}

static int client_step(sip_txns *t, sim_time_t now, sip_txn *x, const sim_ep *from,
                            sip_msg *m);

static int client_response(sip_txns *t, sim_time_t now, sip_txn *x, const sim_ep *from,
                           sip_msg *m)
{
    int r = client_step(t, now, x, from, m);
    reschedule(t, x);
    return r;
}

static int client_step(sip_txns *t, sim_time_t now, sip_txn *x, const sim_ep *from,
                            sip_msg *m)
{
    unsigned code = m->status;
    bool invite = x->kind == SIP_TXN_INVITE_CLIENT;
    switch (x->state) {
    case SIP_TXN_CALLING:
    case SIP_TXN_TRYING:
    case SIP_TXN_PROCEEDING:
        if (code < 200) {
            x->state = SIP_TXN_PROCEEDING;
            if (invite)
                x->rtx_at = x->end_at = SIM_TIME_NEVER; /* A and B stop (§17.1.1.2) */
            else if (x->rtx_at != SIM_TIME_NEVER)
                x->rtx_iv = t->cfg.t2; /* §17.1.2.2: E fires every T2 in Proceeding */
        } else if (invite && code < 300) {
            x->state = SIP_TXN_ACCEPTED; /* RFC 6026 §7.2: Timer M */
            x->rtx_at = SIM_TIME_NEVER;
            x->end_at = now + 64 * t->cfg.t1;
        } else if (invite) {
            x->state = SIP_TXN_COMPLETED;
            send_ack(t, x, m);
            x->rtx_at = SIM_TIME_NEVER;
            x->end_at = after(x, now, 32 * SIM_SEC, true); /* Timer D: >= 32 s over UDP */
        } else {
            x->state = SIP_TXN_COMPLETED;
            x->rtx_at = SIM_TIME_NEVER;
            x->end_at = after(x, now, t->cfg.t4, true); /* Timer K */
        }
        emit(t, SIP_TXN_EV_RESPONSE, x->id, m, from);
        return 1;
    case SIP_TXN_ACCEPTED:
        if (code >= 200 && code < 300) { /* RFC 6026: 2xx from other forks go to the TU */
            emit(t, SIP_TXN_EV_RESPONSE, x->id, m, from);
            return 1;
        }
        break;
    case SIP_TXN_COMPLETED:
        if (invite && code >= 300)
            send_ack(t, x, m); /* a retransmitted final: ACK again, TU not told */
        break;
    default:
        break;
    }
    sip_msg_free(m);
    return 0;
}

/* ---------------------------------------------------------------- server transactions */

/* Where responses for req go (§18.2.2, RFC 3581): over a reliable transport the source of the
 * request, i.e. the connection it came in on; otherwise the Via's received/rport when it names
 * an address, else (a host name sent-by: no resolver here) the packet's source. */
static sim_ep reply_target(const sip_via *v, const sim_ep *from)
{
    char host[SIM_IP_STRLEN];
    uint16_t port;
    sim_ep ep = *from;
    if (!sip_str_eq(v->transport, "UDP"))
        return ep; /* §18.2.2: "MUST be sent using the existing connection" */
    if (sip_via_reply_to(v, host, sizeof host, &port) == 0 && sim_ip_parse(host, &ep.ip) == 0)
        ep.port = port;
    return ep;
}

static void respond_bytes(sip_txns *t, sip_txn *x, GBytes *b)
{
    if (x->last)
        g_bytes_unref(x->last);
    x->last = b;
    send_bytes(t, b, &x->peer);
}

int sip_txns_respond(sip_txns *t, sim_time_t now, unsigned id, const sip_msg *resp)
{
    sip_txn *x = find(t, id);
    if (!x)
        return -ENOENT;
    if (resp->request || x->kind == SIP_TXN_INVITE_CLIENT || x->kind == SIP_TXN_NON_INVITE_CLIENT)
        return -EINVAL;
    unsigned code = resp->status;
    bool invite = x->kind == SIP_TXN_INVITE_SERVER;
    if (x->state == SIP_TXN_ACCEPTED && code >= 200 && code < 300) {
        sip_txns_send(t, resp, &x->peer); /* RFC 6026 §7.1: 2xx retransmissions from the TU */
        return 0;
    }
    if (x->state != SIP_TXN_TRYING && x->state != SIP_TXN_PROCEEDING)
        return -EPROTO;
    respond_bytes(t, x, encode(resp));
    if (code < 200) {
        x->state = SIP_TXN_PROCEEDING;
    } else if (invite && code < 300) {
        x->state = SIP_TXN_ACCEPTED;
        x->end_at = now + 64 * t->cfg.t1; /* Timer L */
    } else if (invite) {
        x->state = SIP_TXN_COMPLETED;
        start_rtx(t, x, now);             /* Timer G */
        x->end_at = now + 64 * t->cfg.t1; /* Timer H */
    } else {
        x->state = SIP_TXN_COMPLETED;
        x->end_at = after(x, now, 64 * t->cfg.t1, true); /* Timer J */
    }
    reschedule(t, x);
    return 0;
}

static void new_server_txn(sip_txns *t, char *key, const sip_via *v, const sim_ep *from,
                           sip_msg *m)
{
    bool invite = strcmp(m->method, "INVITE") == 0;
    sim_ep to = reply_target(v, from);
    sip_txn *x = add(t, invite ? SIP_TXN_INVITE_SERVER : SIP_TXN_NON_INVITE_SERVER,
                     invite ? SIP_TXN_PROCEEDING : SIP_TXN_TRYING, key, &to);
    x->reliable = is_reliable(t, v);
    sip_msg *trying = NULL;
    /* §17.2.1: the INVITE server transaction answers 100 Trying itself, which stops the
     * client's Timer A retransmissions. */
    if (invite && !t->cfg.no_trying && sip_msg_response(m, 100, NULL, NULL, &trying) == 0) {
        respond_bytes(t, x, encode(trying));
        sip_msg_free(trying);
    }
    emit(t, SIP_TXN_EV_REQUEST, x->id, m, from);
}

static int server_request(sip_txns *t, sim_time_t now, sip_txn *x, const sim_ep *from,
                          sip_msg *m)
{
    bool ack = strcmp(m->method, "ACK") == 0;
    if (ack && x->kind == SIP_TXN_INVITE_SERVER) {
        if (x->state == SIP_TXN_COMPLETED) { /* §17.2.1: Confirmed, Timer I */
            x->state = SIP_TXN_CONFIRMED;
            x->rtx_at = SIM_TIME_NEVER;
            x->end_at = after(x, now, t->cfg.t4, true);
            reschedule(t, x);
        } else if (x->state == SIP_TXN_ACCEPTED) { /* RFC 6026 §7.1: the ACK goes to the TU */
            emit(t, SIP_TXN_EV_REQUEST, 0, m, from);
            return 1;
        }
    } else if (!ack && x->last &&
               (x->state == SIP_TXN_PROCEEDING || x->state == SIP_TXN_COMPLETED)) {
        send_bytes(t, x->last, &x->peer); /* a retransmitted request: resend the response */
    }
    sip_msg_free(m);
    return 0;
}

int sip_txns_input(sip_txns *t, sim_time_t now, const sim_ep *from, sip_msg *m)
{
    sip_via v;
    sip_cseq cs;
    if (m->request)
        sip_msg_stamp_received(m, from);
    if (sip_msg_via(m, 0, &v) < 0 || sip_msg_cseq(m, &cs) < 0 || !v.branch.len) {
        /* no branch to match on (RFC 2543 peers are not supported): the TU decides */
        emit(t, m->request ? SIP_TXN_EV_REQUEST : SIP_TXN_EV_RESPONSE, 0, m, from);
        return 1;
    }
    sip_str method = m->request ? sip_s(m->method) : cs.method;
    char *key = make_key(m->request, &v, method);
    sip_txn *x = g_hash_table_lookup(t->by_key, key);
    int r;
    if (!m->request) {
        g_free(key);
        if (x) {
            r = client_response(t, now, x, from, m);
        } else {
            emit(t, SIP_TXN_EV_RESPONSE, 0, m, from); /* stray: a 2xx retransmission … */
            r = 1;
        }
    } else if (x) {
        g_free(key);
        r = server_request(t, now, x, from, m);
    } else if (strcmp(m->method, "ACK") == 0) {
        g_free(key);
        emit(t, SIP_TXN_EV_REQUEST, 0, m, from); /* the ACK for a 2xx: end to end */
        r = 1;
    } else {
        new_server_txn(t, key, &v, from, m);
        r = 1;
    }
    sweep(t);
    return r;
}

/* ---------------------------------------------------------------- timers */

static void fire_rtx(sip_txns *t, sip_txn *x)
{
    send_bytes(t, x->last, &x->peer);
    /* Timer A doubles without a cap (§17.1.1.2); E and G double up to T2 (§17.1.2.2,
     * §17.2.1); E stays at T2 in Proceeding (rtx_iv was set to T2 then). */
    sim_time_t iv = x->rtx_iv * 2;
    if (x->kind != SIP_TXN_INVITE_CLIENT && iv > t->cfg.t2)
        iv = t->cfg.t2;
    if (x->kind == SIP_TXN_NON_INVITE_CLIENT && x->state == SIP_TXN_PROCEEDING)
        iv = t->cfg.t2;
    x->rtx_at += iv;
    x->rtx_iv = iv;
}

static void fire_end(sip_txns *t, sip_txn *x)
{
    bool timeout = x->state == SIP_TXN_CALLING || x->state == SIP_TXN_TRYING ||
                   (x->kind == SIP_TXN_NON_INVITE_CLIENT && x->state == SIP_TXN_PROCEEDING) ||
                   (x->kind == SIP_TXN_INVITE_SERVER && x->state == SIP_TXN_COMPLETED);
    if (timeout) /* Timer B, F, or H */
        emit(t, SIP_TXN_EV_TIMEOUT, x->id, NULL, NULL);
    terminate(t, x);
}

void sip_txns_timeout(sip_txns *t, sim_time_t now)
{
    GTreeNode *n;
    while ((n = g_tree_node_first(t->timers))) {
        sip_txn *x = g_tree_node_key(n);
        if (x->sched_at > now)
            break;
        if (x->end_at <= x->rtx_at)
            fire_end(t, x);
        else
            fire_rtx(t, x);
        reschedule(t, x);
    }
    sweep(t);
}

sim_time_t sip_txns_next_deadline(const sip_txns *t)
{
    GTreeNode *n = g_tree_node_first(t->timers);
    return n ? ((const sip_txn *)g_tree_node_key(n))->sched_at : SIM_TIME_NEVER;
}

void sip_txns_transport_error(sip_txns *t, unsigned id)
{
    sip_txn *x = find(t, id);
    if (!x)
        return;
    if (x->kind == SIP_TXN_INVITE_CLIENT || x->kind == SIP_TXN_NON_INVITE_CLIENT)
        emit(t, SIP_TXN_EV_TRANSPORT_ERROR, id, NULL, NULL);
    terminate(t, x);
    sweep(t);
}

void sip_txns_abandon(sip_txns *t, unsigned id)
{
    sip_txn *x = find(t, id);
    if (!x || (x->kind != SIP_TXN_INVITE_CLIENT && x->kind != SIP_TXN_NON_INVITE_CLIENT))
        return;
    terminate(t, x);
    sweep(t);
}

/* ---------------------------------------------------------------- queries */

int sip_txns_state(const sip_txns *t, unsigned id, sip_txn_kind *kind, sip_txn_state *state)
{
    const sip_txn *x = find(t, id);
    if (!x)
        return -ENOENT;
    if (kind)
        *kind = x->kind;
    if (state)
        *state = x->state;
    return 0;
}

const sip_msg *sip_txns_request_of(const sip_txns *t, unsigned id)
{
    const sip_txn *x = find(t, id);
    return x ? x->req : NULL;
}

int sip_txns_peer(const sip_txns *t, unsigned id, sim_ep *peer)
{
    const sip_txn *x = find(t, id);
    if (!x)
        return -ENOENT;
    *peer = x->peer;
    return 0;
}

unsigned sip_txns_cancel_target(const sip_txns *t, const sip_msg *cancel)
{
    sip_via v;
    if (!cancel->request || sip_msg_via(cancel, 0, &v) < 0 || !v.branch.len)
        return 0;
    g_autofree char *key = make_key(true, &v, sip_s("INVITE"));
    const sip_txn *x = g_hash_table_lookup(t->by_key, key);
    return x ? x->id : 0;
}

unsigned sip_txns_client_of(const sip_txns *t, const sip_msg *req)
{
    sip_via v;
    sip_cseq cs;
    if (!req->request || !strcmp(req->method, "ACK") || sip_msg_via(req, 0, &v) < 0 ||
        !v.rfc3261 || sip_msg_cseq(req, &cs) < 0)
        return 0;
    g_autofree char *key = make_key(false, &v, cs.method);
    const sip_txn *x = g_hash_table_lookup(t->by_key, key);
    return x && (x->kind == SIP_TXN_INVITE_CLIENT || x->kind == SIP_TXN_NON_INVITE_CLIENT)
               ? x->id : 0;
}

int sip_txns_transport_error_sent(sip_txns *t, const uint8_t *buf, size_t len)
{
    sip_msg *m = NULL;
    unsigned id = sip_msg_decode(buf, len, &m, NULL) == 0 ? sip_txns_client_of(t, m) : 0;
    sip_msg_free(m);
    if (!id)
        return 0;
    sip_txns_transport_error(t, id);
    return 1;
}

bool sip_txns_peer_busy(const sip_txns *t, const sim_ep *peer)
{
    GHashTableIter it;
    gpointer x;
    g_hash_table_iter_init(&it, t->by_id);
    while (g_hash_table_iter_next(&it, NULL, &x)) /* a yes/no answer: order does not matter */
        if (sim_ep_eq(&((const sip_txn *)x)->peer, peer))
            return true;
    return false;
}
