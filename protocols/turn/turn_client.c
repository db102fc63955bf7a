/* protocols/turn/turn_client.c — sans-I/O TURN client core (RFC 8656 §7-§12) for one
 * allocation. Requests go through a STUN client transaction core (RFC 8489 retransmissions);
 * this file adds the long-term credential dance (401 → retry with USERNAME/REALM/NONCE/
 * MESSAGE-INTEGRITY, 438 → retry with the new nonce), keeps the allocation, its permissions and
 * channels alive (Refresh 60 s before expiry, CreatePermission every 240 s, ChannelBind every
 * 540 s) and moves application data: Send indications, or ChannelData once a channel is bound;
 * Data indications and ChannelData in. */
#include "protocols/turn/turn_priv.h"

#include <errno.h>
#include <string.h>

#define PERM_REFRESH (240 * SIM_SEC)    /* RFC 8656 §9: before the 300 s lifetime */
#define CHAN_REFRESH (540 * SIM_SEC)    /* RFC 8656 §12: before the 600 s lifetime */
#define ALLOC_MARGIN (60 * SIM_SEC)     /* refresh this long before the allocation expires */
#define AUTH_RETRIES 3                  /* 401 / 438 retries per request */
#define RX_MAX 256                      /* received datagrams kept until popped */

typedef enum req_kind { RQ_ALLOCATE, RQ_REFRESH, RQ_PERMIT, RQ_BIND } req_kind;

typedef struct pending {
    unsigned id;          /* STUN transaction */
    req_kind kind;
    sim_ep peer;
    uint16_t ch;
    uint32_t lifetime;    /* RQ_REFRESH: requested seconds (0 deletes) */
    unsigned retries;
} pending;

typedef struct cperm {
    sim_ip ip;
    bool ok, busy;        /* confirmed by the server; a request is out */
    sim_time_t refresh_at;
} cperm;

typedef struct cchan {
    uint16_t ch;
    sim_ep peer;
    bool ok, busy;
    sim_time_t refresh_at;
} cchan;

struct turn_client {
    turn_client_cfg cfg;
    char *user, *pass;
    sim_rng *rng;
    stun_client *stun;
    turn_client_state state;
    char realm[STUN_TEXT_MAX + 1], nonce[STUN_TEXT_MAX + 1];
    bool have_nonce;
    uint8_t key[16];
    sim_ep relayed, mapped;
    sim_time_t refresh_at;
    bool refreshing;
    GArray *perms, *chans, *pending;
    uint16_t next_ch;
    turn_outq out;
    GQueue events, rx;
    GPtrArray *spare_rx;        /* recycled turn_rx buffers */
    uint16_t last_error;
    turn_client_stats stats;
};

turn_client *turn_client_new(const turn_client_cfg *cfg, sim_rng *rng)
{
    if (cfg->server.ip.family == SIM_AF_NONE || !cfg->server.port || !cfg->username ||
        !cfg->password)
        return NULL;
    turn_client *c = g_new0(turn_client, 1);
    c->cfg = *cfg;
    c->user = g_strdup(cfg->username);
    c->pass = g_strdup(cfg->password);
    c->cfg.username = c->user;
    c->cfg.password = c->pass;
    c->cfg.lifetime = cfg->lifetime ? cfg->lifetime : TURN_LIFETIME_DEFAULT;
    c->rng = rng;
    c->stun = stun_client_new(&cfg->stun, rng);
    c->perms = g_array_new(FALSE, FALSE, sizeof(cperm));
    c->chans = g_array_new(FALSE, FALSE, sizeof(cchan));
    c->pending = g_array_new(FALSE, FALSE, sizeof(pending));
    c->next_ch = TURN_CHANNEL_MIN;
    turn_outq_init(&c->out);
    g_queue_init(&c->events);
    g_queue_init(&c->rx);
    c->spare_rx = g_ptr_array_new_with_free_func(g_free);
    return c;
}

void turn_client_free(turn_client *c)
{
    if (!c)
        return;
    stun_client_free(c->stun);
    g_array_free(c->perms, TRUE);
    g_array_free(c->chans, TRUE);
    g_array_free(c->pending, TRUE);
    turn_outq_clear(&c->out);
    g_queue_clear_full(&c->events, g_free);
    g_queue_clear_full(&c->rx, g_free);
    g_ptr_array_free(c->spare_rx, TRUE);
    g_free(c->user);
    g_free(c->pass);
    g_free(c);
}

/* ---------------------------------------------------------------- helpers */

static void event(turn_client *c, turn_event_kind kind, const sim_ep *ep, uint16_t ch,
                  uint16_t code)
{
    turn_event *e = g_new0(turn_event, 1);
    e->kind = kind;
    if (ep)
        e->ep = *ep;
    e->mapped = c->mapped;
    e->channel = ch;
    e->code = code;
    g_queue_push_tail(&c->events, e);
}

static turn_out *out_new(turn_client *c)
{
    turn_out *o = turn_outq_take(&c->out);
    o->from = (sim_ep){ 0 };
    return o;
}

static void out_recycle(turn_client *c, turn_out *o) { turn_outq_give(&c->out, o); }

/* Moves what the STUN transaction core wants sent into our outbox (one order for both). */
static void drain_stun(turn_client *c)
{
    stun_out so;
    while (stun_client_pop(c->stun, &so)) {
        turn_out *o = out_new(c);
        o->to = so.to;
        o->len = so.len;
        memcpy(o->data, so.data, so.len);
        turn_outq_push(&c->out, o);
    }
}

static void new_txid(turn_client *c, uint8_t txid[STUN_TXID_LEN])
{
    for (size_t i = 0; i < STUN_TXID_LEN; i++)
        txid[i] = (uint8_t)sim_rng_below(c->rng, 256);
}

static cperm *find_perm(const turn_client *c, const sim_ip *ip)
{
    for (guint i = 0; i < c->perms->len; i++)
        if (sim_ip_eq(&g_array_index(c->perms, cperm, i).ip, ip))
            return &g_array_index(c->perms, cperm, i);
    return NULL;
}

static cchan *find_chan(const turn_client *c, uint16_t ch, const sim_ep *peer)
{
    for (guint i = 0; i < c->chans->len; i++) {
        cchan *x = &g_array_index(c->chans, cchan, i);
        if (ch ? x->ch == ch : sim_ep_eq(&x->peer, peer))
            return x;
    }
    return NULL;
}

/* Builds and starts the request for p (fresh transaction id, credentials once known). */
static int send_request(turn_client *c, sim_time_t now, pending p)
{
    static const uint16_t methods[] = { TURN_ALLOCATE, TURN_REFRESH, TURN_CREATE_PERMISSION,
                                        TURN_CHANNEL_BIND };
    uint8_t buf[STUN_MSG_MAX], txid[STUN_TXID_LEN];
    new_txid(c, txid);
    stun_enc e;
    stun_enc_init(&e, buf, sizeof buf, methods[p.kind], STUN_REQUEST, txid);
    if (p.kind == RQ_ALLOCATE) {
        turn_enc_transport(&e, TURN_TRANSPORT_UDP);
        turn_enc_lifetime(&e, (uint32_t)(c->cfg.lifetime / SIM_SEC));
    } else if (p.kind == RQ_REFRESH) {
        turn_enc_lifetime(&e, p.lifetime);
    } else {
        if (p.kind == RQ_BIND)
            turn_enc_channel(&e, p.ch);
        stun_enc_addr(&e, TURN_ATTR_XOR_PEER_ADDRESS, &p.peer);
    }
    if (c->cfg.stun.software)
        stun_enc_str(&e, STUN_ATTR_SOFTWARE, c->cfg.stun.software);
    if (c->have_nonce) {
        stun_enc_str(&e, STUN_ATTR_USERNAME, c->user);
        stun_enc_str(&e, STUN_ATTR_REALM, c->realm);
        stun_enc_str(&e, STUN_ATTR_NONCE, c->nonce);
        stun_enc_integrity(&e, c->key, sizeof c->key);
    }
    if (c->cfg.stun.fingerprint)
        stun_enc_fingerprint(&e);
    size_t len;
    int rc = stun_enc_finish(&e, &len);
    if (rc == 0)
        rc = stun_client_start(c->stun, now, &c->cfg.server, buf, len, &p.id);
    if (rc)
        return rc;
    g_array_append_val(c->pending, p);
    c->stats.requests++;
    drain_stun(c);
    return 0;
}

/* ---------------------------------------------------------------- public requests */

int turn_client_allocate(turn_client *c, sim_time_t now)
{
    if (c->state != TURN_CLIENT_IDLE)
        return -EALREADY;
    c->state = TURN_CLIENT_ALLOCATING;
    return send_request(c, now, (pending){ .kind = RQ_ALLOCATE });
}

int turn_client_permit(turn_client *c, sim_time_t now, const sim_ip *peer)
{
    if (c->state != TURN_CLIENT_ALLOCATED)
        return -ENOTCONN;
    if (peer->family != c->relayed.ip.family)
        return -EAFNOSUPPORT;
    cperm *p = find_perm(c, peer);
    if (!p) {
        cperm np = { .ip = *peer };
        g_array_append_val(c->perms, np);
        p = &g_array_index(c->perms, cperm, c->perms->len - 1);
    }
    p->busy = true;
    return send_request(c, now, (pending){ .kind = RQ_PERMIT, .peer = { .ip = *peer } });
}

int turn_client_bind(turn_client *c, sim_time_t now, const sim_ep *peer, uint16_t *ch)
{
    if (c->state != TURN_CLIENT_ALLOCATED)
        return -ENOTCONN;
    if (peer->ip.family != c->relayed.ip.family)
        return -EAFNOSUPPORT;
    cchan *x = find_chan(c, 0, peer);
    if (!x) {
        if (c->next_ch > TURN_CHANNEL_MAX)
            return -ENOSPC;
        cchan nx = { .ch = c->next_ch++, .peer = *peer };
        g_array_append_val(c->chans, nx);
        x = &g_array_index(c->chans, cchan, c->chans->len - 1);
    }
    x->busy = true;
    if (ch)
        *ch = x->ch;
    return send_request(c, now, (pending){ .kind = RQ_BIND, .peer = *peer, .ch = x->ch });
}

int turn_client_refresh(turn_client *c, sim_time_t now)
{
    if (c->state != TURN_CLIENT_ALLOCATED)
        return -ENOTCONN;
    c->refreshing = true;
    return send_request(c, now, (pending){ .kind = RQ_REFRESH,
                                           .lifetime = (uint32_t)(c->cfg.lifetime / SIM_SEC) });
}

int turn_client_close(turn_client *c, sim_time_t now)
{
    if (c->state != TURN_CLIENT_ALLOCATED)
        return -ENOTCONN;
    c->refreshing = true;
    return send_request(c, now, (pending){ .kind = RQ_REFRESH, .lifetime = 0 });
}

int turn_client_send(turn_client *c, sim_time_t now, const sim_ep *peer, const uint8_t *data,
                     size_t len)
{
    (void)now;
    if (c->state != TURN_CLIENT_ALLOCATED)
        return -ENOTCONN;
    if (len > TURN_DATA_MAX)
        return -EMSGSIZE;
    turn_out *o = out_new(c);
    o->to = c->cfg.server;
    const cchan *x = find_chan(c, 0, peer);
    int rc;
    if (x && x->ok) {
        rc = turn_chandata_encode(x->ch, data, len, c->cfg.pad_chandata, o->data, sizeof o->data,
                                  &o->len);
        c->stats.chandata_sent++;
    } else {
        uint8_t txid[STUN_TXID_LEN];
        new_txid(c, txid);
        stun_enc e;
        stun_enc_init(&e, o->data, sizeof o->data, TURN_SEND, STUN_INDICATION, txid);
        stun_enc_addr(&e, TURN_ATTR_XOR_PEER_ADDRESS, peer);
        stun_enc_attr(&e, TURN_ATTR_DATA, data, len);
        if (c->cfg.stun.fingerprint)
            stun_enc_fingerprint(&e);
        rc = stun_enc_finish(&e, &o->len);
        c->stats.sends++;
    }
    if (rc) {
        out_recycle(c, o);
        return rc;
    }
    turn_outq_push(&c->out, o);
    return 0;
}

/* ---------------------------------------------------------------- answers */

/* Success: what the request established. */
static void on_success(turn_client *c, sim_time_t now, const pending *p, const stun_msg *m)
{
    uint32_t secs = 0;
    turn_msg_get_lifetime(m, &secs);
    sim_time_t life = (sim_time_t)secs * SIM_SEC;
    sim_time_t margin = life > 2 * ALLOC_MARGIN ? ALLOC_MARGIN : life / 2;
    switch (p->kind) {
    case RQ_ALLOCATE:
        if (stun_msg_get_addr(m, TURN_ATTR_XOR_RELAYED_ADDRESS, &c->relayed) ||
            stun_msg_get_addr(m, STUN_ATTR_XOR_MAPPED_ADDRESS, &c->mapped) || !secs) {
            c->state = TURN_CLIENT_FAILED;
            event(c, TURN_EV_ALLOCATE_FAILED, NULL, 0, 0);
            return;
        }
        c->state = TURN_CLIENT_ALLOCATED;
        c->refresh_at = now + life - margin;
        event(c, TURN_EV_ALLOCATED, &c->relayed, 0, 0);
        return;
    case RQ_REFRESH:
        c->refreshing = false;
        if (p->lifetime == 0) {
            c->state = TURN_CLIENT_CLOSED;
            event(c, TURN_EV_CLOSED, &c->relayed, 0, 0);
            return;
        }
        c->refresh_at = now + life - margin;
        event(c, TURN_EV_REFRESHED, &c->relayed, 0, 0);
        return;
    case RQ_PERMIT: {
        cperm *x = find_perm(c, &p->peer.ip);
        if (x)
            *x = (cperm){ .ip = x->ip, .ok = true, .refresh_at = now + PERM_REFRESH };
        event(c, TURN_EV_PERMITTED, &p->peer, 0, 0);
        return;
    }
    case RQ_BIND: {
        cchan *x = find_chan(c, p->ch, NULL);
        if (x)
            *x = (cchan){ .ch = x->ch, .peer = x->peer, .ok = true,
                          .refresh_at = now + CHAN_REFRESH };
        /* The binding installed a permission too (§11.2); it lasts 300 s, not 600 s, so it is
         * kept up by CreatePermission like any other. */
        cperm *pm = find_perm(c, &p->peer.ip);
        if (!pm) {
            cperm np = { .ip = p->peer.ip };
            g_array_append_val(c->perms, np);
            pm = &g_array_index(c->perms, cperm, c->perms->len - 1);
        }
        if (!pm->busy)
            *pm = (cperm){ .ip = pm->ip, .ok = true, .refresh_at = now + PERM_REFRESH };
        event(c, TURN_EV_BOUND, &p->peer, p->ch, 0);
        return;
    }
    }
}

/* Failure (code 0: timeout). */
static void on_failure(turn_client *c, const pending *p, uint16_t code)
{
    switch (p->kind) {
    case RQ_ALLOCATE:
        c->state = TURN_CLIENT_FAILED;
        event(c, TURN_EV_ALLOCATE_FAILED, NULL, 0, code);
        return;
    case RQ_REFRESH:
        c->refreshing = false;
        if (p->lifetime == 0 && code == TURN_ERR_ALLOCATION_MISMATCH) { /* already gone */
            c->state = TURN_CLIENT_CLOSED;
            event(c, TURN_EV_CLOSED, &c->relayed, 0, 0);
            return;
        }
        if (code == TURN_ERR_ALLOCATION_MISMATCH || p->lifetime == 0)
            c->state = TURN_CLIENT_FAILED;
        event(c, TURN_EV_REFRESH_FAILED, &c->relayed, 0, code);
        return;
    case RQ_PERMIT: {
        cperm *x = find_perm(c, &p->peer.ip);
        if (x)
            x->busy = false;
        event(c, TURN_EV_PERMIT_FAILED, &p->peer, 0, code);
        return;
    }
    case RQ_BIND: {
        cchan *x = find_chan(c, p->ch, NULL);
        if (x)
            x->busy = false;
        event(c, TURN_EV_BIND_FAILED, &p->peer, p->ch, code);
        return;
    }
    }
}

/* 401 / 438: learn REALM and NONCE and send the request again. True if it was re-sent. */
static bool retry_auth(turn_client *c, sim_time_t now, pending *p, const stun_msg *m,
                       uint16_t code)
{
    if (code != STUN_ERR_UNAUTHORIZED && code != STUN_ERR_STALE_NONCE)
        return false;
    /* A 401 to a request that carried credentials: they are wrong, retrying will not help. */
    if (p->retries >= AUTH_RETRIES || (code == STUN_ERR_UNAUTHORIZED && c->have_nonce &&
                                       p->retries > 0))
        return false;
    char realm[STUN_TEXT_MAX + 1], nonce[STUN_TEXT_MAX + 1];
    if (stun_msg_get_str(m, STUN_ATTR_NONCE, nonce, sizeof nonce) ||
        (stun_msg_get_str(m, STUN_ATTR_REALM, realm, sizeof realm) && !c->have_nonce))
        return false;
    if (stun_msg_find(m, STUN_ATTR_REALM))
        g_strlcpy(c->realm, realm, sizeof c->realm);
    g_strlcpy(c->nonce, nonce, sizeof c->nonce);
    c->have_nonce = true;
    stun_key_long_term(c->user, c->realm, c->pass, c->key);
    if (code == STUN_ERR_STALE_NONCE)
        c->stats.stale_nonces++;
    else
        c->stats.auth_retries++;
    pending again = *p;
    again.retries++;
    return send_request(c, now, again) == 0;
}

/* One finished transaction. */
static void finish(turn_client *c, sim_time_t now, unsigned id)
{
    const stun_tx *tx = stun_client_tx(c->stun, id);
    pending p = { 0 };
    bool found = false;
    for (guint i = 0; i < c->pending->len && !found; i++)
        if (g_array_index(c->pending, pending, i).id == id) {
            p = g_array_index(c->pending, pending, i);
            g_array_remove_index(c->pending, i);
            found = true;
        }
    if (!found || !tx) {
        stun_client_forget(c->stun, id);
        return;
    }
    stun_msg m;
    bool lost = tx->state == STUN_TX_TIMEOUT || tx->state == STUN_TX_CLOSED;
    bool decoded = !lost &&
                   turn_msg_decode(tx->resp, tx->resp_len, &m, NULL) == 0;
    /* Answers to authenticated requests must carry a MESSAGE-INTEGRITY made with our key
     * (401 / 438 challenges carry none). */
    bool signed_ok = decoded && c->have_nonce &&
                     stun_msg_check_integrity(&m, c->key, sizeof c->key) == 0;
    if (tx->state == STUN_TX_SUCCESS && decoded && signed_ok) {
        on_success(c, now, &p, &m);
    } else if (tx->state == STUN_TX_ERROR && decoded) {
        c->last_error = tx->code;
        c->stats.errors++;
        if (!retry_auth(c, now, &p, &m, tx->code))
            on_failure(c, &p, tx->code);
    } else {
        if (!lost)
            c->stats.bad++;
        on_failure(c, &p, 0);
    }
    stun_client_forget(c->stun, id);
}

static void finish_all(turn_client *c, sim_time_t now)
{
    unsigned id;
    while (stun_client_pop_done(c->stun, &id))
        finish(c, now, id);
    drain_stun(c);
}

void turn_client_transport_failed(turn_client *c, sim_time_t now)
{
    stun_client_transport_failed(c->stun, now);
    finish_all(c, now); /* each request fails as on a timeout (code 0) */
    if (c->state == TURN_CLIENT_ALLOCATED) {
        /* RFC 8656 §3.1: the server deletes the allocation with its TCP connection. */
        c->state = TURN_CLIENT_FAILED;
        event(c, TURN_EV_CLOSED, &c->relayed, 0, 0);
    }
    turn_outq_drop(&c->out); /* nothing more goes out on the dead connection */
}

/* ---------------------------------------------------------------- input, timers */

static void push_rx(turn_client *c, const sim_ep *peer, uint16_t ch, const uint8_t *data,
                    size_t len)
{
    if (len > TURN_DATA_MAX || g_queue_get_length(&c->rx) >= RX_MAX)
        return;
    turn_rx *rx = turn_spare_take(c->spare_rx, sizeof(turn_rx));
    rx->peer = *peer;
    rx->channel = ch;
    rx->len = len;
    memcpy(rx->data, data, len);
    g_queue_push_tail(&c->rx, rx);
}

int turn_client_input(turn_client *c, sim_time_t now, const sim_ep *from, const uint8_t *buf,
                      size_t len)
{
    if (!sim_ep_eq(from, &c->cfg.server)) {
        c->stats.stray++;
        return -ENOENT;
    }
    if (turn_is_chandata(buf, len)) {
        uint16_t ch;
        const uint8_t *data;
        size_t dlen;
        if (turn_chandata_decode(buf, len, &ch, &data, &dlen, NULL)) {
            c->stats.bad++;
            return -EBADMSG;
        }
        const cchan *x = find_chan(c, ch, NULL);
        if (!x) {
            c->stats.stray++;
            return -ENOENT;
        }
        c->stats.chandata_rcvd++;
        push_rx(c, &x->peer, ch, data, dlen);
        return 0;
    }
    stun_msg m;
    if (turn_msg_decode(buf, len, &m, NULL)) {
        c->stats.bad++;
        return -EBADMSG;
    }
    if (m.cls == STUN_INDICATION && m.method == TURN_DATA) {
        sim_ep peer;
        const uint8_t *data;
        size_t dlen;
        if (stun_msg_get_addr(&m, TURN_ATTR_XOR_PEER_ADDRESS, &peer) ||
            turn_msg_get_data(&m, &data, &dlen)) {
            c->stats.bad++;
            return -EBADMSG;
        }
        c->stats.data_rcvd++;
        push_rx(c, &peer, 0, data, dlen);
        return 0;
    }
    int rc = stun_client_input(c->stun, now, from, buf, len);
    if (rc == -ENOENT)
        c->stats.stray++;
    finish_all(c, now);
    return rc;
}

void turn_client_timeout(turn_client *c, sim_time_t now)
{
    stun_client_timeout(c->stun, now);
    finish_all(c, now);
    if (c->state != TURN_CLIENT_ALLOCATED)
        return;
    if (!c->refreshing && now >= c->refresh_at)
        turn_client_refresh(c, now);
    for (guint i = 0; i < c->perms->len; i++) {
        cperm *x = &g_array_index(c->perms, cperm, i);
        if (x->ok && !x->busy && now >= x->refresh_at)
            turn_client_permit(c, now, &x->ip);
    }
    for (guint i = 0; i < c->chans->len; i++) {
        cchan *x = &g_array_index(c->chans, cchan, i);
        if (x->ok && !x->busy && now >= x->refresh_at) {
            sim_ep peer = x->peer;
            turn_client_bind(c, now, &peer, NULL);
        }
    }
}

sim_time_t turn_client_next_deadline(const turn_client *c)
{
    sim_time_t next = stun_client_next_deadline(c->stun);
    if (c->state != TURN_CLIENT_ALLOCATED)
        return next;
    if (!c->refreshing)
        next = MIN(next, c->refresh_at);
    for (guint i = 0; i < c->perms->len; i++) {
        const cperm *x = &g_array_index(c->perms, cperm, i);
        if (x->ok && !x->busy)
            next = MIN(next, x->refresh_at);
    }
    for (guint i = 0; i < c->chans->len; i++) {
        const cchan *x = &g_array_index(c->chans, cchan, i);
        if (x->ok && !x->busy)
            next = MIN(next, x->refresh_at);
    }
    return next;
}

/* ---------------------------------------------------------------- outputs */

bool turn_client_pop(turn_client *c, turn_out *out) { return turn_outq_pop(&c->out, out); }

bool turn_client_pop_event(turn_client *c, turn_event *ev)
{
    turn_event *e = g_queue_pop_head(&c->events);
    if (!e)
        return false;
    *ev = *e;
    g_free(e);
    return true;
}

bool turn_client_pop_rx(turn_client *c, turn_rx *rx)
{
    turn_rx *r = g_queue_pop_head(&c->rx);
    if (!r)
        return false;
    rx->peer = r->peer;
    rx->channel = r->channel;
    rx->len = r->len;
    memcpy(rx->data, r->data, r->len);
    turn_spare_give(c->spare_rx, r);
    return true;
}

turn_client_state turn_client_get_state(const turn_client *c) { return c->state; }

int turn_client_relayed(const turn_client *c, sim_ep *relayed, sim_ep *mapped)
{
    if (c->state != TURN_CLIENT_ALLOCATED)
        return -ENOTCONN;
    if (relayed)
        *relayed = c->relayed;
    if (mapped)
        *mapped = c->mapped;
    return 0;
}

bool turn_client_has_permission(const turn_client *c, const sim_ip *ip)
{
    const cperm *x = find_perm(c, ip);
    return x && x->ok;
}

uint16_t turn_client_last_error(const turn_client *c) { return c->last_error; }

const turn_client_stats *turn_client_get_stats(const turn_client *c) { return &c->stats; }

const char *turn_client_state_name(turn_client_state s)
{
    static const char *names[] = { "idle", "allocating", "allocated", "failed", "closed" };
    return (unsigned)s < G_N_ELEMENTS(names) ? names[s] : "?";
}

const char *turn_event_name(turn_event_kind k)
{
    static const char *names[] = { "allocated", "allocate-failed", "refreshed", "refresh-failed",
                                   "permitted", "permit-failed", "bound", "bind-failed",
                                   "closed" };
    return (unsigned)k < G_N_ELEMENTS(names) ? names[k] : "?";
}
