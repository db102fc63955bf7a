/* protocols/stun/stun_client.c — sans-I/O STUN client transactions over UDP (RFC 8489 §6.2.1,
 * RFC 5389 §7.2.1). A request is sent at 0, then retransmitted with the RTO doubling after each
 * transmission, Rc transmissions in all; after the last one the client waits Rm x RTO (the
 * initial RTO) and gives up. With RTO = 500 ms: sends at 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s,
 * timeout at 39.5 s. Over a reliable transport (TCP, §6.2.2) the request is sent once: TCP
 * retransmits, so the client only waits Ti (39.5 s) and gives up, and several transactions may
 * share the connection. The core never reads a clock: it is told `now` and answers deadlines. */
#include "protocols/stun/stun.h"

#include <errno.h>
#include <string.h>

struct stun_client {
    stun_client_cfg cfg;
    char *software;        /* owned copy of cfg.software */
    sim_rng *rng;          /* borrowed */
    GPtrArray *txs;        /* of stun_tx *, in start order (deterministic scans) */
    unsigned next_id;
    GQueue out;            /* of stun_out * */
    GQueue done;           /* of GUINT_TO_POINTER(id) */
    stun_client_stats stats;
};

stun_client *stun_client_new(const stun_client_cfg *cfg, sim_rng *rng)
{
    stun_client *c = g_new0(stun_client, 1);
    c->cfg = *cfg;
    if (!c->cfg.rto)
        c->cfg.rto = STUN_RTO_DEFAULT;
    if (!c->cfg.rc)
        c->cfg.rc = STUN_RC_DEFAULT;
    if (!c->cfg.rm)
        c->cfg.rm = STUN_RM_DEFAULT;
    if (!c->cfg.ti)
        c->cfg.ti = STUN_TI_DEFAULT;
    c->software = g_strdup(cfg->software);
    c->cfg.software = c->software;
    c->rng = rng;
    c->txs = g_ptr_array_new_with_free_func(g_free);
    c->next_id = 1;
    g_queue_init(&c->out);
    g_queue_init(&c->done);
    return c;
}

void stun_client_free(stun_client *c)
{
    if (!c)
        return;
    g_ptr_array_free(c->txs, TRUE);
    g_queue_clear_full(&c->out, g_free);
    g_queue_clear(&c->done);
    g_free(c->software);
    g_free(c);
}

static stun_tx *find_id(const stun_client *c, unsigned id)
{
    for (guint i = 0; i < c->txs->len; i++) {
        stun_tx *t = c->txs->pdata[i];
        if (t->id == id)
            return t;
    }
    return NULL;
}

static stun_tx *find_running(const stun_client *c, const uint8_t txid[STUN_TXID_LEN])
{
    for (guint i = 0; i < c->txs->len; i++) {
        stun_tx *t = c->txs->pdata[i];
        if (t->state == STUN_TX_RUNNING && memcmp(t->txid, txid, STUN_TXID_LEN) == 0)
            return t;
    }
    return NULL;
}

/* Queues one transmission of t's request and schedules the next event. */
static void transmit(stun_client *c, stun_tx *t, sim_time_t now)
{
    stun_out *o = g_new(stun_out, 1);
    o->from = (sim_ep){ 0 };
    o->to = t->dest;
    o->len = t->req_len;
    memcpy(o->data, t->req, t->req_len);
    g_queue_push_tail(&c->out, o);
    c->stats.sent++;
    if (t->sent)
        c->stats.retransmits++;
    t->sent++;
    if (c->cfg.reliable) {
        t->next = now + c->cfg.ti; /* RFC 8489 §6.2.2: no retransmission, Ti */
    } else if (t->sent < c->cfg.rc) {
        t->next = now + t->rto;
        t->rto *= 2;
    } else {
        t->next = now + (sim_time_t)c->cfg.rm * c->cfg.rto; /* Rm x RTO after the last one */
    }
}

static void finish(stun_client *c, stun_tx *t, stun_tx_state st, sim_time_t now)
{
    t->state = st;
    t->done_at = now;
    t->next = SIM_TIME_NEVER;
    g_queue_push_tail(&c->done, GUINT_TO_POINTER(t->id));
}

int stun_client_start(stun_client *c, sim_time_t now, const sim_ep *dest, const uint8_t *req,
                      size_t len, unsigned *id)
{
    stun_msg m;
    if (len > STUN_MSG_MAX || stun_msg_decode(req, len, &m, NULL) || m.cls != STUN_REQUEST)
        return -EINVAL;
    if (find_running(c, m.txid))
        return -EEXIST;
    stun_tx *t = g_new0(stun_tx, 1);
    t->id = c->next_id++;
    t->state = STUN_TX_RUNNING;
    memcpy(t->txid, m.txid, STUN_TXID_LEN);
    t->dest = *dest;
    t->started = now;
    t->rto = c->cfg.rto;
    t->req_len = len;
    memcpy(t->req, req, len);
    g_ptr_array_add(c->txs, t);
    transmit(c, t, now);
    if (id)
        *id = t->id;
    return 0;
}

int stun_client_binding(stun_client *c, sim_time_t now, const sim_ep *dest, uint32_t change,
                        unsigned *id)
{
    uint8_t txid[STUN_TXID_LEN], buf[STUN_MSG_MAX];
    uint64_t r = 0;
    for (int i = 0; i < STUN_TXID_LEN; i++) {
        if (i % 8 == 0)
            r = sim_rng_u64(c->rng);
        txid[i] = (uint8_t)(r >> (8 * (i % 8)));
    }
    stun_enc e;
    stun_enc_init(&e, buf, sizeof buf, STUN_BINDING, STUN_REQUEST, txid);
    if (change)
        stun_enc_u32(&e, STUN_ATTR_CHANGE_REQUEST, change);
    if (c->cfg.software)
        stun_enc_str(&e, STUN_ATTR_SOFTWARE, c->cfg.software);
    if (c->cfg.fingerprint)
        stun_enc_fingerprint(&e);
    size_t len;
    int rc = stun_enc_finish(&e, &len);
    return rc ? rc : stun_client_start(c, now, dest, buf, len, id);
}

int stun_client_input(stun_client *c, sim_time_t now, const sim_ep *from, const uint8_t *buf,
                      size_t len)
{
    stun_msg m;
    if (len > STUN_MSG_MAX || stun_msg_decode(buf, len, &m, NULL)) {
        c->stats.bad++;
        return -EBADMSG;
    }
    stun_tx *t = (m.cls == STUN_SUCCESS || m.cls == STUN_ERROR) ? find_running(c, m.txid) : NULL;
    /* A FINGERPRINT that is present must verify (RFC 8489 §7.3). */
    if (t && stun_msg_find(&m, STUN_ATTR_FINGERPRINT) && stun_msg_check_fingerprint(&m)) {
        c->stats.bad++;
        return -EBADMSG;
    }
    if (!t) {
        c->stats.stray++;
        return -ENOENT;
    }
    c->stats.responses++;
    t->from = *from;
    t->resp_len = len;
    memcpy(t->resp, buf, len);
    if (m.cls == STUN_ERROR) {
        if (stun_msg_get_error(&m, &t->code, NULL, 0) != 0)
            t->code = 0; /* an error response without a usable ERROR-CODE */
        finish(c, t, STUN_TX_ERROR, now);
    } else {
        finish(c, t, STUN_TX_SUCCESS, now);
    }
    return 0;
}

void stun_client_timeout(stun_client *c, sim_time_t now)
{
    for (guint i = 0; i < c->txs->len; i++) {
        stun_tx *t = c->txs->pdata[i];
        if (t->state != STUN_TX_RUNNING || t->next > now)
            continue;
        if (!c->cfg.reliable && t->sent < c->cfg.rc) {
            transmit(c, t, now);
        } else {
            c->stats.timeouts++;
            finish(c, t, STUN_TX_TIMEOUT, now);
        }
    }
}

sim_time_t stun_client_next_deadline(const stun_client *c)
{
    sim_time_t d = SIM_TIME_NEVER;
    for (guint i = 0; i < c->txs->len; i++) {
        const stun_tx *t = c->txs->pdata[i];
        if (t->state == STUN_TX_RUNNING && t->next < d)
            d = t->next;
    }
    return d;
}

bool stun_client_pop(stun_client *c, stun_out *out)
{
    stun_out *o = g_queue_pop_head(&c->out);
    if (!o)
        return false;
    *out = *o;
    g_free(o);
    return true;
}

bool stun_client_pop_done(stun_client *c, unsigned *id)
{
    if (g_queue_is_empty(&c->done))
        return false;
    *id = GPOINTER_TO_UINT(g_queue_pop_head(&c->done));
    return true;
}

const stun_tx *stun_client_tx(const stun_client *c, unsigned id)
{
    return find_id(c, id);
}

void stun_client_transport_failed(stun_client *c, sim_time_t now)
{
    for (guint i = 0; i < c->txs->len; i++) {
        stun_tx *t = c->txs->pdata[i];
        if (t->state == STUN_TX_RUNNING)
            finish(c, t, STUN_TX_CLOSED, now);
    }
    g_queue_clear_full(&c->out, g_free); /* nothing can carry them any more */
}

void stun_client_cancel(stun_client *c, unsigned id)
{
    stun_tx *t = find_id(c, id);
    if (t && t->state == STUN_TX_RUNNING) {
        t->state = STUN_TX_CANCELLED;
        t->next = SIM_TIME_NEVER;
    }
}

void stun_client_forget(stun_client *c, unsigned id)
{
    stun_tx *t = find_id(c, id);
    if (t)
        g_ptr_array_remove(c->txs, t);
    g_queue_remove_all(&c->done, GUINT_TO_POINTER(id));
}

const stun_client_stats *stun_client_get_stats(const stun_client *c)
{
    return &c->stats;
}

const char *stun_tx_state_name(stun_tx_state s)
{
    switch (s) {
    case STUN_TX_RUNNING: return "running";
    case STUN_TX_SUCCESS: return "success";
    case STUN_TX_ERROR: return "error";
    case STUN_TX_TIMEOUT: return "timeout";
    case STUN_TX_CANCELLED: return "cancelled";
    case STUN_TX_CLOSED: return "closed";
    }
    return "?";
}

int stun_binding_mapped(const uint8_t *resp, size_t len, sim_ep *mapped)
{
    stun_msg m;
    if (stun_msg_decode(resp, len, &m, NULL))
        return -EBADMSG;
    if (m.method != STUN_BINDING || m.cls != STUN_SUCCESS)
        return -EPROTO;
    int rc = stun_msg_get_addr(&m, STUN_ATTR_XOR_MAPPED_ADDRESS, mapped);
    if (rc == -ENOENT)
        rc = stun_msg_get_addr(&m, STUN_ATTR_MAPPED_ADDRESS, mapped);
    return rc;
}
