/* protocols/relay/relay_server.c — sans-I/O server cores: rendezvous S (hole punching, RFC 5128
 * §3.3), relay P (RFC 5128 §2.1) and connection reversal (RFC 5128 §2.2). One core, three roles:
 * every server keeps a registration table (name -> public endpoint as seen, private endpoint);
 * the role decides which requests it serves. The core never sends: replies go to its outbox. */
#include "protocols/relay/relay.h"

#include <errno.h>
#include <string.h>

typedef struct reg {
    char name[RELAY_NAME_MAX + 1];
    sim_ep pub;   /* source of the last REGISTER / KEEPALIVE: the client's NAT mapping */
    sim_ep priv;  /* what the client says its own endpoint is */
    sim_time_t expires;
} reg;

struct relay_server {
    relay_server_cfg cfg;
    sim_rng *rng;           /* borrowed */
    GPtrArray *regs;        /* of reg *, in registration order (deterministic scans) */
    GQueue out;             /* of relay_out * */
    relay_server_stats stats;
};

relay_server *relay_server_new(const relay_server_cfg *cfg, sim_rng *rng)
{
    relay_server *s = g_new0(relay_server, 1);
    s->cfg = *cfg;
    if (!s->cfg.lifetime)
        s->cfg.lifetime = 180 * SIM_SEC;
    s->rng = rng;
    s->regs = g_ptr_array_new_with_free_func(g_free);
    g_queue_init(&s->out);
    return s;
}

void relay_server_free(relay_server *s)
{
    if (!s)
        return;
    g_ptr_array_free(s->regs, TRUE);
    relay_outbox_clear(&s->out);
    g_free(s);
}

static reg *find_name(const relay_server *s, const char *name)
{
    for (guint i = 0; i < s->regs->len; i++) {
        reg *r = s->regs->pdata[i];
        if (strcmp(r->name, name) == 0)
            return r;
    }
    return NULL;
}

/* The registration whose mapping a datagram came from (the most recent one if several). */
static reg *find_ep(const relay_server *s, const sim_ep *ep)
{
    for (guint i = s->regs->len; i-- > 0;) {
        reg *r = s->regs->pdata[i];
        if (sim_ep_eq(&r->pub, ep))
            return r;
    }
    return NULL;
}

static void emit(relay_server *s, const sim_ep *to, const relay_msg *m)
{
    if (relay_outbox_push(&s->out, to, m) == 0)
        s->stats.msgs_out++;
}

static void send_error(relay_server *s, const sim_ep *to, uint32_t txid, uint16_t code,
                       const char *text)
{
    relay_msg e = { .type = RELAY_ERROR, .txid = txid, .code = code };
    g_strlcpy(e.text, text, sizeof e.text);
    s->stats.errors++;
    emit(s, to, &e);
}

static void on_register(relay_server *s, sim_time_t now, const sim_ep *from, const relay_msg *m)
{
    reg *r = find_name(s, m->name);
    if (!r) {
        r = g_new0(reg, 1);
        g_strlcpy(r->name, m->name, sizeof r->name);
        g_ptr_array_add(s->regs, r);
    }
    r->pub = *from; /* what the NAT made of the client's endpoint */
    r->priv = m->priv;
    r->expires = now + s->cfg.lifetime;
    s->stats.registers++;
    relay_msg a = { .type = RELAY_REGISTERED, .txid = m->txid, .pub = *from };
    g_strlcpy(a.name, r->name, sizeof a.name);
    emit(s, from, &a);
}

static void on_keepalive(relay_server *s, sim_time_t now, const sim_ep *from, const relay_msg *m)
{
    reg *r = find_name(s, m->name);
    if (!r) {
        send_error(s, from, m->txid, RELAY_ERR_NOT_REGISTERED, "not registered");
        return;
    }
    r->pub = *from; /* follows a NAT that re-mapped the client */
    r->expires = now + s->cfg.lifetime;
}

/* The registered sender and the peer it names; answers the sender with an error and returns
 * false when either is missing. A request from a registered sender refreshes it. */
static bool find_pair(relay_server *s, sim_time_t now, const sim_ep *from, const relay_msg *m,
                      reg **a, reg **b)
{
    *a = find_ep(s, from);
    if (!*a) {
        send_error(s, from, m->txid, RELAY_ERR_NOT_REGISTERED, "register first");
        return false;
    }
    *b = find_name(s, m->name);
    if (!*b) {
        send_error(s, from, m->txid, RELAY_ERR_UNKNOWN_PEER, "unknown peer");
        return false;
    }
    (*a)->expires = now + s->cfg.lifetime;
    return true;
}

/* RFC 5128 §3.3: S tells each side the other's public and private endpoints, with one nonce
 * both sides put in their PUNCHes so neither accepts a stranger's packet. */
static void on_connect(relay_server *s, sim_time_t now, const sim_ep *from, const relay_msg *m)
{
    reg *a, *b;
    if (!find_pair(s, now, from, m, &a, &b))
        return;
    s->stats.connects++;
    uint64_t nonce = sim_rng_u64(s->rng);
    relay_msg to_a = { .type = RELAY_PEER, .txid = m->txid, .pub = b->pub, .priv = b->priv,
                       .nonce = nonce };
    g_strlcpy(to_a.name, b->name, sizeof to_a.name);
    relay_msg to_b = { .type = RELAY_PEER, .txid = m->txid, .pub = a->pub, .priv = a->priv,
                       .nonce = nonce };
    g_strlcpy(to_b.name, a->name, sizeof to_b.name);
    emit(s, &a->pub, &to_a);
    emit(s, &b->pub, &to_b);
}

/* RFC 5128 §2.1: every byte crosses the relay twice; that is the cost scenario 2 counts. */
static void on_relay(relay_server *s, sim_time_t now, const sim_ep *from, const relay_msg *m)
{
    reg *a, *b;
    if (!find_pair(s, now, from, m, &a, &b))
        return;
    relay_msg f = { .type = RELAY_RELAYED, .txid = m->txid, .payload = m->payload,
                    .payload_len = m->payload_len };
    g_strlcpy(f.name, a->name, sizeof f.name);
    emit(s, &b->pub, &f);
    s->stats.relayed_msgs++;
    s->stats.relayed_bytes += m->payload_len;
}

/* RFC 5128 §2.2: the target keeps a registration (its NAT mapping towards us is open), so the
 * request reaches it; we tell it where the requester really is (its source as we see it). */
static void on_reverse(relay_server *s, sim_time_t now, const sim_ep *from, const relay_msg *m)
{
    reg *b = find_name(s, m->name);
    if (!b) {
        send_error(s, from, m->txid, RELAY_ERR_UNKNOWN_PEER, "unknown peer");
        return;
    }
    s->stats.reverses++;
    relay_msg f = *m;
    f.pub = *from;
    emit(s, &b->pub, &f);
}

int relay_server_input(relay_server *s, sim_time_t now, const sim_ep *from, const uint8_t *buf,
                       size_t len)
{
    relay_msg m;
    s->stats.msgs_in++;
    s->stats.bytes_in += len;
    if (relay_msg_decode(buf, len, &m) != 0) {
        s->stats.bad++;
        return -EBADMSG;
    }
    unsigned roles = s->cfg.roles;
    switch (m.type) {
    case RELAY_REGISTER: on_register(s, now, from, &m); break;
    case RELAY_KEEPALIVE: on_keepalive(s, now, from, &m); break;
    case RELAY_CONNECT:
    case RELAY_RELAY:
    case RELAY_REVERSE: {
        unsigned need = m.type == RELAY_CONNECT ? RELAY_ROLE_RENDEZVOUS
                        : m.type == RELAY_RELAY ? RELAY_ROLE_RELAY : RELAY_ROLE_REVERSAL;
        if (!(roles & need))
            send_error(s, from, m.txid, RELAY_ERR_BAD_REQUEST, "not served here");
        else if (m.type == RELAY_CONNECT)
            on_connect(s, now, from, &m);
        else if (m.type == RELAY_RELAY)
            on_relay(s, now, from, &m);
        else
            on_reverse(s, now, from, &m);
        break;
    }
    default:
        break; /* answers and peer traffic are not for a server; never answer them (no loops) */
    }
    return 0;
}

void relay_server_timeout(relay_server *s, sim_time_t now)
{
    for (guint i = s->regs->len; i-- > 0;) {
        reg *r = s->regs->pdata[i];
        if (r->expires <= now)
            g_ptr_array_remove_index(s->regs, i); /* keeps order */
    }
}

sim_time_t relay_server_next_deadline(const relay_server *s)
{
    sim_time_t t = SIM_TIME_NEVER;
    for (guint i = 0; i < s->regs->len; i++)
        t = MIN(t, ((reg *)s->regs->pdata[i])->expires);
    return t;
}

bool relay_server_pop(relay_server *s, relay_out *out)
{
    if (!relay_outbox_pop(&s->out, out))
        return false;
    s->stats.bytes_out += out->len;
    return true;
}

const relay_server_stats *relay_server_get_stats(const relay_server *s) { return &s->stats; }

size_t relay_server_count(const relay_server *s) { return s->regs->len; }

bool relay_server_lookup(const relay_server *s, const char *name, sim_ep *pub, sim_ep *priv)
{
    reg *r = find_name(s, name);
    if (!r)
        return false;
    if (pub)
        *pub = r->pub;
    if (priv)
        *priv = r->priv;
    return true;
}

static gint cmp_name(gconstpointer a, gconstpointer b)
{
    return strcmp((*(reg *const *)a)->name, (*(reg *const *)b)->name);
}

void relay_server_fmt(const relay_server *s, sim_time_t now, GString *out)
{
    g_autoptr(GPtrArray) v = g_ptr_array_copy(s->regs, NULL, NULL);
    g_ptr_array_sort(v, cmp_name);
    for (guint i = 0; i < v->len; i++) {
        const reg *r = v->pdata[i];
        char a[SIM_EP_STRLEN], b[SIM_EP_STRLEN];
        g_string_append_printf(out, "  %-8s public %-22s private %-22s expires in %.1fs\n", r->name,
                               sim_ep_fmt(&r->pub, a, sizeof a), sim_ep_fmt(&r->priv, b, sizeof b),
                               r->expires > now ? sim_time_sec(r->expires - now) : 0.0);
    }
}
