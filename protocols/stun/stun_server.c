/* protocols/stun/stun_server.c — sans-I/O STUN Binding server (RFC 8489 §6.3) with RFC 5780
 * NAT behaviour discovery. With an alternate address A2 and port P2 configured the server has
 * four local endpoints, indexed by two bits:
 *
 *     idx 0  A1:P1 (primary)     idx 1  A1:P2
 *     idx 2  A2:P1               idx 3  A2:P2
 *
 * A request that arrived on idx is answered from idx ^ (change-port ? 1 : 0) ^ (change-ip ? 2 :
 * 0) (CHANGE-REQUEST, RFC 5780 §7.2), and OTHER-ADDRESS names idx ^ 3, the endpoint that
 * differs in both address and port (§7.4). Each outbox entry carries the local endpoint to send
 * from, so the driver keeps one socket per endpoint. */
#include "protocols/stun/stun.h"

#include <errno.h>
#include <string.h>

#define PADDING_MAX 1400 /* cap on an echoed PADDING so the response still fits */

struct stun_server {
    stun_server_cfg cfg;
    char *software;        /* owned copy */
    size_t n_local;
    sim_ep local[STUN_SERVER_LOCAL_MAX];
    GQueue out;            /* of stun_out * */
    stun_server_stats stats;
};

stun_server *stun_server_new(const stun_server_cfg *cfg)
{
    const sim_ep *p = &cfg->primary;
    if (p->ip.family == SIM_AF_NONE || p->port == 0)
        return NULL;
    bool rfc5780 = cfg->alt_ip.family != SIM_AF_NONE && cfg->alt_port != 0;
    if (rfc5780 && (cfg->alt_ip.family != p->ip.family || sim_ip_eq(&cfg->alt_ip, &p->ip) ||
                    cfg->alt_port == p->port))
        return NULL;
    stun_server *s = g_new0(stun_server, 1);
    s->cfg = *cfg;
    s->software = g_strdup(cfg->software);
    s->cfg.software = s->software;
    s->local[0] = *p;
    s->n_local = 1;
    if (rfc5780) {
        s->local[1] = (sim_ep){ .ip = p->ip, .port = cfg->alt_port };
        s->local[2] = (sim_ep){ .ip = cfg->alt_ip, .port = p->port };
        s->local[3] = (sim_ep){ .ip = cfg->alt_ip, .port = cfg->alt_port };
        s->n_local = 4;
    }
    g_queue_init(&s->out);
    return s;
}

void stun_server_free(stun_server *s)
{
    if (!s)
        return;
    g_queue_clear_full(&s->out, g_free);
    g_free(s->software);
    g_free(s);
}

size_t stun_server_n_local(const stun_server *s)
{
    return s->n_local;
}

sim_ep stun_server_local(const stun_server *s, size_t idx)
{
    return idx < s->n_local ? s->local[idx] : (sim_ep){ 0 };
}

/* Starts a response to a request with method/txid. */
static void begin(stun_enc *e, stun_out *o, uint16_t method, stun_class cls,
                  const uint8_t *txid)
{
    stun_enc_init(e, o->data, sizeof o->data, method, cls, txid);
}

/* Appends SOFTWARE / FINGERPRINT and queues the response; drops it if encoding failed. */
static void queue_response(stun_server *s, stun_enc *e, stun_out *o, size_t from_idx,
                           const sim_ep *to)
{
    if (s->cfg.software)
        stun_enc_str(e, STUN_ATTR_SOFTWARE, s->cfg.software);
    if (s->cfg.fingerprint)
        stun_enc_fingerprint(e);
    if (stun_enc_finish(e, &o->len) != 0) {
        g_free(o);
        return;
    }
    o->from = s->local[from_idx];
    o->to = *to;
    g_queue_push_tail(&s->out, o);
}

static void send_error(stun_server *s, size_t idx, const sim_ep *from, uint16_t method,
                       const uint8_t *txid, uint16_t code, const uint16_t *unknown, size_t n)
{
    stun_out *o = g_new(stun_out, 1);
    stun_enc e;
    begin(&e, o, method, STUN_ERROR, txid);
    stun_enc_error(&e, code, NULL);
    if (code == STUN_ERR_UNKNOWN_ATTRIBUTE)
        stun_enc_unknown(&e, unknown, n);
    s->stats.errors++;
    queue_response(s, &e, o, idx, from);
}

/* A datagram that does not decode: if its header still says "STUN request", answer 400. */
static int reject_malformed(stun_server *s, size_t idx, const sim_ep *from, const uint8_t *buf,
                            size_t len)
{
    s->stats.bad++;
    if (!stun_is_message(buf, len))
        return -ENOENT;
    uint16_t type = (uint16_t)((buf[0] << 8) | buf[1]);
    if (type & 0x0110) /* class bits: not a request */
        return -ENOENT;
    uint16_t method = (uint16_t)(((type >> 2) & 0xF80u) | ((type >> 1) & 0x070u) | (type & 0xFu));
    send_error(s, idx, from, method, buf + 8, STUN_ERR_BAD_REQUEST, NULL, 0);
    return -EBADMSG;
}

/* Comprehension-required attributes we cannot honour: the codec's unknown ones, plus
 * CHANGE-REQUEST on a server without an alternate address (RFC 5780 §6.1). */
static size_t unknown_attrs(const stun_server *s, const stun_msg *m, uint16_t *out)
{
    size_t n = m->n_unknown;
    memcpy(out, m->unknown, n * sizeof *out);
    if (s->n_local == 1 && stun_msg_find(m, STUN_ATTR_CHANGE_REQUEST) && n < STUN_UNKNOWN_MAX)
        out[n++] = STUN_ATTR_CHANGE_REQUEST;
    return n;
}

/* The Binding success response (RFC 8489 §6.3.1, RFC 5780 §6.1). */
static void answer_binding(stun_server *s, size_t idx, const sim_ep *from, const stun_msg *m)
{
    uint32_t change = 0;
    stun_msg_get_u32(m, STUN_ATTR_CHANGE_REQUEST, &change);
    size_t out_idx = idx;
    if (s->n_local == 4)
        out_idx ^= ((change & STUN_CHANGE_PORT) ? 1u : 0u) | ((change & STUN_CHANGE_IP) ? 2u : 0u);
    sim_ep to = *from;
    uint16_t port;
    if (stun_msg_get_port(m, STUN_ATTR_RESPONSE_PORT, &port) == 0)
        to.port = port; /* RFC 5780 §7.5 */

    stun_out *o = g_new(stun_out, 1);
    stun_enc e;
    begin(&e, o, STUN_BINDING, STUN_SUCCESS, m->txid);
    stun_enc_addr(&e, STUN_ATTR_XOR_MAPPED_ADDRESS, from);
    if (s->n_local == 4) {
        stun_enc_addr(&e, STUN_ATTR_RESPONSE_ORIGIN, &s->local[out_idx]);
        stun_enc_addr(&e, STUN_ATTR_OTHER_ADDRESS, &s->local[idx ^ 3]);
    }
    const stun_attr *pad = stun_msg_find(m, STUN_ATTR_PADDING);
    if (pad) { /* RFC 5780 §7.6: echo the size */
        static const uint8_t zeros[PADDING_MAX];
        stun_enc_attr(&e, STUN_ATTR_PADDING, zeros, MIN(pad->len, PADDING_MAX));
    }
    s->stats.success++;
    queue_response(s, &e, o, out_idx, &to);
}

int stun_server_input(stun_server *s, sim_time_t now, size_t idx, const sim_ep *from,
                      const uint8_t *buf, size_t len)
{
    if (idx >= s->n_local)
        return -EINVAL;
    stun_msg m;
    if (stun_msg_decode(buf, len, &m, NULL) != 0)
        return reject_malformed(s, idx, from, buf, len);
    if (m.cls != STUN_REQUEST) {
        s->stats.ignored++;
        return -ENOENT;
    }
    /* A present FINGERPRINT that does not verify: not STUN after all, discard (§7.3). */
    if (stun_msg_find(&m, STUN_ATTR_FINGERPRINT) && stun_msg_check_fingerprint(&m) != 0) {
        s->stats.ignored++;
        return -ENOENT;
    }
    s->stats.requests++;
    uint16_t unknown[STUN_UNKNOWN_MAX];
    size_t n = unknown_attrs(s, &m, unknown);
    if (n) {
        send_error(s, idx, from, m.method, m.txid, STUN_ERR_UNKNOWN_ATTRIBUTE, unknown, n);
        return 0;
    }
    if (m.method != STUN_BINDING) {
        send_error(s, idx, from, m.method, m.txid, STUN_ERR_BAD_REQUEST, NULL, 0);
        return 0;
    }
    answer_binding(s, idx, from, &m);
    return 0;
}

bool stun_server_pop(stun_server *s, stun_out *out)
{
    stun_out *o = g_queue_pop_head(&s->out);
    if (!o)
        return false;
    *out = *o;
    g_free(o);
    return true;
}

const stun_server_stats *stun_server_get_stats(const stun_server *s)
{
    return &s->stats;
}
