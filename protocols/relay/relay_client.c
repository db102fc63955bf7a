/* protocols/relay/relay_client.c — the sans-I/O client core: registers with a server and keeps
 * its NAT mapping alive (KEEPALIVE), punches holes (RFC 5128 §3.3), sends through a relay
 * (§2.1) and takes part in connection reversal (§2.2), on both the asking and the asked side.
 *
 * Punching: once S's PEER arrives, PUNCH goes to every target (the peer's public and private
 * endpoints) every punch_interval until a PUNCH-ACK proves the round trip or punch_timeout
 * passes. A PUNCH from an endpoint we did not know (the peer's symmetric NAT gave it a new
 * port) is answered and that endpoint becomes a target too ("peer-reflexive", as ICE calls it),
 * so a symmetric NAT facing a NAT that filters by address only can still be traversed. */
#include "protocols/relay/relay.h"

#include <errno.h>
#include <string.h>

#define MAX_TARGETS 8
#define MAX_RX 256

struct relay_client {
    relay_client_cfg cfg;
    char name[RELAY_NAME_MAX + 1];
    sim_rng *rng; /* borrowed */
    /* registration */
    relay_reg_state reg;
    sim_ep pub;
    uint32_t reg_txid;
    unsigned reg_tries;
    sim_time_t reg_next, reg_rto, ka_next;
    /* sessions, in creation order */
    GPtrArray *sessions; /* of relay_session * */
    const relay_session *last_ok;
    GQueue out, events, rx;
    unsigned rx_len;
    uint16_t last_error;
    relay_client_stats stats;
};

static void session_free(gpointer p)
{
    relay_session *x = p;
    g_array_free(x->targets, TRUE);
    g_free(x);
}

relay_client *relay_client_new(const relay_client_cfg *cfg, sim_rng *rng)
{
    if (!relay_name_valid(cfg->name))
        return NULL;
    relay_client *c = g_new0(relay_client, 1);
    c->cfg = *cfg;
    g_strlcpy(c->name, cfg->name, sizeof c->name);
    c->cfg.name = c->name;
    if (!c->cfg.keepalive)
        c->cfg.keepalive = 15 * SIM_SEC;
    if (!c->cfg.rto)
        c->cfg.rto = 500 * SIM_MS;
    if (!c->cfg.max_tries)
        c->cfg.max_tries = 6;
    if (!c->cfg.punch_interval)
        c->cfg.punch_interval = 200 * SIM_MS;
    if (!c->cfg.punch_timeout)
        c->cfg.punch_timeout = 5 * SIM_SEC;
    c->rng = rng;
    c->sessions = g_ptr_array_new_with_free_func(session_free);
    g_queue_init(&c->out);
    g_queue_init(&c->events);
    g_queue_init(&c->rx);
    return c;
}

void relay_client_free(relay_client *c)
{
    if (!c)
        return;
    g_ptr_array_free(c->sessions, TRUE);
    relay_outbox_clear(&c->out);
    g_queue_clear_full(&c->events, g_free);
    g_queue_clear_full(&c->rx, g_free);
    g_free(c);
}

/* ---- small helpers ---- */

static void emit(relay_client *c, const sim_ep *to, relay_msg *m)
{
    if (relay_outbox_push(&c->out, to, m) == 0) {
        c->stats.msgs_out++;
        c->stats.bytes_out += ((relay_out *)g_queue_peek_tail(&c->out))->len;
    }
}

static void event(relay_client *c, relay_event_kind kind, const char *peer, const sim_ep *ep,
                  uint16_t code)
{
    relay_event *e = g_new0(relay_event, 1);
    e->kind = kind;
    if (peer)
        g_strlcpy(e->peer, peer, sizeof e->peer);
    if (ep)
        e->ep = *ep;
    e->code = code;
    g_queue_push_tail(&c->events, e);
}

static relay_session *find(const relay_client *c, const char *peer)
{
    for (guint i = 0; i < c->sessions->len; i++) {
        relay_session *x = c->sessions->pdata[i];
        if (strcmp(x->peer, peer) == 0)
            return x;
    }
    return NULL;
}

static relay_session *session_new(relay_client *c, const char *peer)
{
    relay_session *x = find(c, peer);
    if (!x) {
        x = g_new0(relay_session, 1);
        x->targets = g_array_new(FALSE, TRUE, sizeof(sim_ep));
        g_strlcpy(x->peer, peer, sizeof x->peer);
        g_ptr_array_add(c->sessions, x);
    }
    if (c->last_ok == x)
        c->last_ok = NULL;
    g_array_set_size(x->targets, 0);
    x->state = RELAY_PUNCH_WAIT_PEER;
    x->reversal = false;
    x->pub = x->priv = x->path = (sim_ep){ 0 };
    x->via = RELAY_VIA_NONE;
    x->punches_sent = x->punches_rcvd = x->acks_rcvd = 0;
    x->done_at = 0;
    return x;
}

static void add_target(relay_session *x, const sim_ep *ep)
{
    if (ep->ip.family == SIM_AF_NONE || x->targets->len >= MAX_TARGETS)
        return;
    for (guint i = 0; i < x->targets->len; i++)
        if (sim_ep_eq(&g_array_index(x->targets, sim_ep, i), ep))
            return;
    g_array_append_val(x->targets, *ep);
}

static relay_via classify(const relay_session *x, const sim_ep *from)
{
    if (sim_ep_eq(from, &x->pub))
        return RELAY_VIA_PUBLIC;
    if (sim_ep_eq(from, &x->priv))
        return RELAY_VIA_PRIVATE;
    return RELAY_VIA_PEER_REFLEXIVE;
}

static void finish(relay_client *c, sim_time_t now, relay_session *x, bool ok, const sim_ep *path)
{
    x->state = ok ? RELAY_PUNCH_OK : RELAY_PUNCH_FAILED;
    x->done_at = now;
    if (ok) {
        x->path = *path;
        x->via = classify(x, path);
        c->last_ok = x;
    }
    event(c, ok ? RELAY_EV_PUNCH_OK : RELAY_EV_PUNCH_FAILED, x->peer, ok ? path : NULL, 0);
}

/* ---- what goes out ---- */

static void send_register(relay_client *c)
{
    relay_msg m = { .type = RELAY_REGISTER, .txid = c->reg_txid, .priv = c->cfg.local };
    g_strlcpy(m.name, c->name, sizeof m.name);
    c->stats.registers_sent++;
    emit(c, &c->cfg.server, &m);
}

static void send_punches(relay_client *c, relay_session *x)
{
    relay_msg m = { .type = RELAY_PUNCH, .nonce = x->nonce };
    g_strlcpy(m.name, c->name, sizeof m.name);
    for (guint i = 0; i < x->targets->len; i++) {
        emit(c, &g_array_index(x->targets, sim_ep, i), &m);
        x->punches_sent++;
        c->stats.punches_sent++;
    }
}

/* The request a waiting session retransmits: CONNECT to S, or REVERSE on the public side. */
static void send_request(relay_client *c, relay_session *x)
{
    relay_msg m = { .txid = x->txid };
    g_strlcpy(m.name, x->peer, sizeof m.name);
    if (x->reversal) {
        m.type = RELAY_REVERSE;
        g_strlcpy(m.from, c->name, sizeof m.from);
        m.pub = c->cfg.local; /* the server replaces it with what it sees */
        m.nonce = x->nonce;
    } else {
        m.type = RELAY_CONNECT;
    }
    emit(c, &c->cfg.server, &m);
}

/* ---- API calls ---- */

int relay_client_register(relay_client *c, sim_time_t now)
{
    c->reg = RELAY_REG_PENDING;
    c->reg_txid = (uint32_t)sim_rng_u64(c->rng);
    c->reg_tries = 1;
    c->reg_rto = c->cfg.rto;
    c->reg_next = now + c->reg_rto;
    send_register(c);
    return 0;
}

relay_reg_state relay_client_reg_state(const relay_client *c, sim_ep *pub)
{
    if (pub && c->reg == RELAY_REG_OK)
        *pub = c->pub;
    return c->reg;
}

/* Starts a session that waits for the server: CONNECT (punch) or REVERSE (reverse). */
static int start_request(relay_client *c, sim_time_t now, const char *peer, sim_time_t timeout,
                         bool reversal)
{
    if (!relay_name_valid(peer))
        return -EINVAL;
    relay_session *x = find(c, peer);
    if (x && (x->state == RELAY_PUNCH_WAIT_PEER || x->state == RELAY_PUNCH_TRYING))
        return 0;
    x = session_new(c, peer);
    x->reversal = reversal;
    x->nonce = reversal ? sim_rng_u64(c->rng) : 0;
    x->txid = (uint32_t)sim_rng_u64(c->rng);
    x->started = now;
    x->timeout = timeout ? timeout : c->cfg.punch_timeout;
    x->deadline = now + x->timeout;
    x->rto = reversal ? 2 * c->cfg.rto : c->cfg.rto;
    x->next_retx = now + x->rto;
    x->next_punch = SIM_TIME_NEVER;
    send_request(c, x);
    return 0;
}

int relay_client_punch(relay_client *c, sim_time_t now, const char *peer, sim_time_t timeout)
{
    return start_request(c, now, peer, timeout, false);
}

int relay_client_reverse(relay_client *c, sim_time_t now, const char *peer, sim_time_t timeout)
{
    return start_request(c, now, peer, timeout, true);
}

const relay_session *relay_client_session(const relay_client *c, const char *peer)
{
    return find(c, peer);
}

const relay_session *relay_client_last_ok(const relay_client *c) { return c->last_ok; }

int relay_client_send_peer(relay_client *c, sim_time_t now, const char *peer, const void *data,
                           size_t len)
{
    const relay_session *x = peer ? find(c, peer) : c->last_ok;
    if (!x || x->state != RELAY_PUNCH_OK)
        return -ENOTCONN;
    if (len > RELAY_PAYLOAD_MAX)
        return -EMSGSIZE;
    relay_msg m = { .type = RELAY_DATA, .payload = data, .payload_len = len };
    g_strlcpy(m.name, c->name, sizeof m.name);
    emit(c, &x->path, &m);
    c->stats.data_sent++;
    return 0;
}

int relay_client_relay_send(relay_client *c, sim_time_t now, const char *peer, const void *data,
                            size_t len)
{
    if (!relay_name_valid(peer))
        return -EINVAL;
    if (len > RELAY_PAYLOAD_MAX)
        return -EMSGSIZE;
    relay_msg m = { .type = RELAY_RELAY, .txid = (uint32_t)sim_rng_u64(c->rng), .payload = data,
                    .payload_len = len };
    g_strlcpy(m.name, peer, sizeof m.name);
    emit(c, &c->cfg.server, &m);
    c->stats.relay_sent++;
    return 0;
}

/* ---- input ---- */

static void on_registered(relay_client *c, sim_time_t now, const relay_msg *m)
{
    if (strcmp(m->name, c->name) != 0 || c->reg == RELAY_REG_NONE)
        return;
    bool first = c->reg != RELAY_REG_OK || !sim_ep_eq(&c->pub, &m->pub);
    c->pub = m->pub;
    if (c->reg != RELAY_REG_OK)
        c->ka_next = now + c->cfg.keepalive;
    c->reg = RELAY_REG_OK;
    if (first)
        event(c, RELAY_EV_REGISTERED, NULL, &m->pub, 0);
}

static void on_error(relay_client *c, sim_time_t now, const relay_msg *m)
{
    c->last_error = m->code;
    event(c, RELAY_EV_ERROR, NULL, NULL, m->code);
    if (m->code == RELAY_ERR_NOT_REGISTERED && c->reg == RELAY_REG_OK) {
        relay_client_register(c, now); /* the server forgot us: register again */
        return;
    }
    for (guint i = 0; i < c->sessions->len; i++) {
        relay_session *x = c->sessions->pdata[i];
        if (x->txid == m->txid && x->state == RELAY_PUNCH_WAIT_PEER)
            finish(c, now, x, false, NULL);
    }
}

/* S announced a peer: to us after our CONNECT, or to the other side, unasked. */
static void on_peer(relay_client *c, sim_time_t now, const relay_msg *m)
{
    relay_session *x = find(c, m->name);
    if (x && x->nonce == m->nonce && x->state != RELAY_PUNCH_WAIT_PEER)
        return; /* duplicate */
    if (!x || x->state != RELAY_PUNCH_WAIT_PEER) {
        if (!c->cfg.accept)
            return;
        x = session_new(c, m->name);
        x->started = now;
        x->timeout = c->cfg.punch_timeout;
    }
    x->reversal = false;
    x->nonce = m->nonce;
    x->pub = m->pub;
    x->priv = m->priv;
    add_target(x, &m->pub);
    add_target(x, &m->priv);
    x->state = RELAY_PUNCH_TRYING;
    x->deadline = now + x->timeout;
    x->next_punch = now + c->cfg.punch_interval;
    x->next_retx = SIM_TIME_NEVER;
    send_punches(c, x);
}

static void on_punch(relay_client *c, sim_time_t now, const sim_ep *from, const relay_msg *m)
{
    relay_session *x = find(c, m->name);
    if (!x || x->nonce != m->nonce)
        return; /* not a peer we are talking to: never answer strangers */
    c->stats.punches_rcvd++;
    x->punches_rcvd++;
    relay_msg a = { .type = RELAY_PUNCH_ACK, .nonce = m->nonce };
    g_strlcpy(a.name, c->name, sizeof a.name);
    emit(c, from, &a);
    c->stats.acks_sent++;
    if (x->reversal && x->state == RELAY_PUNCH_WAIT_PEER) {
        finish(c, now, x, true, from); /* the asked side reached us: reversal done */
        return;
    }
    if (x->state == RELAY_PUNCH_TRYING)
        add_target(x, from); /* peer-reflexive: the peer's NAT chose this port for us */
}

static void on_punch_ack(relay_client *c, sim_time_t now, const sim_ep *from, const relay_msg *m)
{
    relay_session *x = find(c, m->name);
    if (!x || x->nonce != m->nonce)
        return;
    c->stats.acks_rcvd++;
    x->acks_rcvd++;
    if (x->state == RELAY_PUNCH_TRYING)
        finish(c, now, x, true, from);
}

/* The asked side of connection reversal: contact the requester where the server saw it. */
static void on_reverse(relay_client *c, sim_time_t now, const relay_msg *m)
{
    if (!c->cfg.accept)
        return;
    relay_session *x = find(c, m->from);
    if (x && x->nonce == m->nonce)
        return; /* retransmitted request, already handled */
    x = session_new(c, m->from);
    x->reversal = true;
    x->nonce = m->nonce;
    x->pub = m->pub;
    add_target(x, &m->pub);
    x->state = RELAY_PUNCH_TRYING;
    x->started = now;
    x->timeout = c->cfg.punch_timeout;
    x->deadline = now + x->timeout;
    x->next_punch = now + c->cfg.punch_interval;
    x->next_retx = SIM_TIME_NEVER;
    event(c, RELAY_EV_REVERSE, m->from, &m->pub, 0);
    send_punches(c, x);
}

static void on_payload(relay_client *c, sim_time_t now, const sim_ep *from, const relay_msg *m)
{
    bool relayed = m->type == RELAY_RELAYED;
    if (!relayed) {
        const relay_session *x = find(c, m->name);
        if (!x || x->state == RELAY_PUNCH_FAILED)
            return; /* DATA only from peers we punched with */
        c->stats.data_rcvd++;
    } else {
        c->stats.relayed_rcvd++;
    }
    if (c->rx_len >= MAX_RX)
        return; /* nobody reads: drop like a full socket buffer */
    relay_rx *r = g_new(relay_rx, 1);
    r->relayed = relayed;
    g_strlcpy(r->from, m->name, sizeof r->from);
    r->ep = *from;
    r->at = now;
    r->len = m->payload_len;
    memcpy(r->data, m->payload, m->payload_len);
    g_queue_push_tail(&c->rx, r);
    c->rx_len++;
    event(c, relayed ? RELAY_EV_RELAYED : RELAY_EV_DATA, m->name, from, 0);
}

int relay_client_input(relay_client *c, sim_time_t now, const sim_ep *from, const uint8_t *buf,
                       size_t len)
{
    relay_msg m;
    c->stats.msgs_in++;
    c->stats.bytes_in += len;
    if (relay_msg_decode(buf, len, &m) != 0) {
        c->stats.bad++;
        return -EBADMSG;
    }
    switch (m.type) {
    case RELAY_REGISTERED: on_registered(c, now, &m); break;
    case RELAY_ERROR: on_error(c, now, &m); break;
    case RELAY_PEER: on_peer(c, now, &m); break;
    case RELAY_PUNCH: on_punch(c, now, from, &m); break;
    case RELAY_PUNCH_ACK: on_punch_ack(c, now, from, &m); break;
    case RELAY_REVERSE: on_reverse(c, now, &m); break;
    case RELAY_DATA:
    case RELAY_RELAYED: on_payload(c, now, from, &m); break;
    default: break; /* requests are for servers */
    }
    return 0;
}

/* ---- time ---- */

static void registration_timeout(relay_client *c, sim_time_t now)
{
    if (c->reg == RELAY_REG_PENDING && now >= c->reg_next) {
        if (c->reg_tries >= c->cfg.max_tries) {
            c->reg = RELAY_REG_FAILED;
            event(c, RELAY_EV_REGISTER_FAILED, NULL, NULL, 0);
            return;
        }
        c->reg_tries++;
        c->reg_rto *= 2;
        c->reg_next = now + c->reg_rto;
        send_register(c);
    } else if (c->reg == RELAY_REG_OK && now >= c->ka_next) {
        /* Keeps the NAT mapping towards the server open (RFC 4787 REQ-5: >= 2 min timeout, so
         * the 15 s default is far inside it) and the server's registration fresh. */
        relay_msg m = { .type = RELAY_KEEPALIVE };
        g_strlcpy(m.name, c->name, sizeof m.name);
        emit(c, &c->cfg.server, &m);
        c->stats.keepalives_sent++;
        c->ka_next = now + c->cfg.keepalive;
    }
}

static void session_timeout(relay_client *c, sim_time_t now, relay_session *x)
{
    if (x->state != RELAY_PUNCH_WAIT_PEER && x->state != RELAY_PUNCH_TRYING)
        return;
    if (now >= x->deadline) {
        finish(c, now, x, false, NULL);
        return;
    }
    if (x->state == RELAY_PUNCH_WAIT_PEER && now >= x->next_retx) {
        x->rto = MIN(x->rto * 2, 4 * SIM_SEC);
        x->next_retx = now + x->rto;
        send_request(c, x);
    }
    if (x->state == RELAY_PUNCH_TRYING && now >= x->next_punch) {
        x->next_punch = now + c->cfg.punch_interval;
        send_punches(c, x);
    }
}

void relay_client_timeout(relay_client *c, sim_time_t now)
{
    registration_timeout(c, now);
    for (guint i = 0; i < c->sessions->len; i++)
        session_timeout(c, now, c->sessions->pdata[i]);
}

sim_time_t relay_client_next_deadline(const relay_client *c)
{
    sim_time_t t = SIM_TIME_NEVER;
    if (c->reg == RELAY_REG_PENDING)
        t = c->reg_next;
    else if (c->reg == RELAY_REG_OK)
        t = c->ka_next;
    for (guint i = 0; i < c->sessions->len; i++) {
        const relay_session *x = c->sessions->pdata[i];
        if (x->state == RELAY_PUNCH_WAIT_PEER)
            t = MIN(t, MIN(x->deadline, x->next_retx));
        else if (x->state == RELAY_PUNCH_TRYING)
            t = MIN(t, MIN(x->deadline, x->next_punch));
    }
    return t;
}

/* ---- draining ---- */

bool relay_client_pop(relay_client *c, relay_out *out) { return relay_outbox_pop(&c->out, out); }

bool relay_client_pop_event(relay_client *c, relay_event *ev)
{
    relay_event *e = g_queue_pop_head(&c->events);
    if (!e)
        return false;
    *ev = *e;
    g_free(e);
    return true;
}

bool relay_client_pop_rx(relay_client *c, bool relayed, relay_rx *rx)
{
    for (GList *l = c->rx.head; l; l = l->next) {
        relay_rx *r = l->data;
        if (r->relayed != relayed)
            continue;
        *rx = *r;
        g_queue_delete_link(&c->rx, l);
        g_free(r);
        c->rx_len--;
        return true;
    }
    return false;
}

uint16_t relay_client_last_error(const relay_client *c) { return c->last_error; }

const char *relay_client_name(const relay_client *c) { return c->name; }

const relay_client_stats *relay_client_get_stats(const relay_client *c) { return &c->stats; }

const char *relay_punch_state_name(relay_punch_state s)
{
    switch (s) {
    case RELAY_PUNCH_WAIT_PEER: return "waiting";
    case RELAY_PUNCH_TRYING: return "trying";
    case RELAY_PUNCH_OK: return "ok";
    case RELAY_PUNCH_FAILED: return "failed";
    }
    return "?";
}

const char *relay_via_name(relay_via v)
{
    switch (v) {
    case RELAY_VIA_NONE: return "none";
    case RELAY_VIA_PUBLIC: return "public";
    case RELAY_VIA_PRIVATE: return "private";
    case RELAY_VIA_PEER_REFLEXIVE: return "peer-reflexive";
    }
    return "?";
}
