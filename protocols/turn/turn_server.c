/* protocols/turn/turn_server.c — sans-I/O TURN server core (RFC 8656 §5-§12): demultiplexing
 * (STUN vs ChannelData, listening endpoint vs relayed addresses), long-term authentication
 * (RFC 8489 §9.2) and the responses. What each request does to an allocation is in
 * turn_alloc.c.
 *
 * Nonces are stateless: hex(expiry) || hex(HMAC-SHA1(secret, expiry))[0..16], with a secret
 * drawn from the seeded rng. A nonce the server did not make is refused like a stale one (438),
 * and one past its expiry is stale: the 438 carries a fresh nonce (RFC 8489 §9.2.4). */
#include "protocols/turn/turn_priv.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static guint ep_hash(gconstpointer p) { return sim_ep_hash(p); }
static gboolean ep_equal(gconstpointer a, gconstpointer b) { return sim_ep_eq(a, b); }

turn_server *turn_server_new(const turn_server_cfg *cfg, sim_rng *rng)
{
    if (cfg->listen.ip.family == SIM_AF_NONE || cfg->listen.port == 0)
        return NULL;
    turn_server *s = g_new0(turn_server, 1);
    s->cfg = *cfg;
    if (s->cfg.relay_ip.family == SIM_AF_NONE)
        s->cfg.relay_ip = cfg->listen.ip;
    if (!s->cfg.port_min && !s->cfg.port_max) {
        s->cfg.port_min = 49152;
        s->cfg.port_max = 65535;
    }
    if (s->cfg.port_min == 0 || s->cfg.port_min > s->cfg.port_max ||
        s->cfg.relay_ip.family != cfg->listen.ip.family) {
        g_free(s);
        return NULL;
    }
    s->cfg.quota = cfg->quota ? cfg->quota : 10;
    s->cfg.nonce_lifetime = cfg->nonce_lifetime ? cfg->nonce_lifetime : 3600 * SIM_SEC;
    s->cfg.default_lifetime = cfg->default_lifetime ? cfg->default_lifetime
                                                    : TURN_LIFETIME_DEFAULT;
    s->cfg.max_lifetime = MAX(cfg->max_lifetime ? cfg->max_lifetime : TURN_LIFETIME_MAX,
                              s->cfg.default_lifetime);
    s->realm = g_strdup(cfg->realm ? cfg->realm : "natsim");
    s->software = g_strdup(cfg->software);
    s->cfg.realm = s->realm;
    s->cfg.software = s->software;
    s->rng = rng;
    for (size_t i = 0; i < sizeof s->secret; i++)
        s->secret[i] = (uint8_t)sim_rng_below(rng, 256);
    s->users = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    s->allocs = g_ptr_array_new_with_free_func(turn_alloc_free);
    s->by_client = g_hash_table_new(ep_hash, ep_equal);
    s->by_relay = g_hash_table_new(ep_hash, ep_equal);
    turn_outq_init(&s->out);
    g_queue_init(&s->events);
    return s;
}

void turn_server_free(turn_server *s)
{
    if (!s)
        return;
    g_hash_table_destroy(s->by_client);
    g_hash_table_destroy(s->by_relay);
    g_ptr_array_free(s->allocs, TRUE);
    g_hash_table_destroy(s->users);
    turn_outq_clear(&s->out);
    g_queue_clear_full(&s->events, g_free);
    g_free(s->realm);
    g_free(s->software);
    g_free(s);
}

int turn_server_add_user(turn_server *s, const char *user, const char *password)
{
    if (!user || !*user || strlen(user) > STUN_USERNAME_MAX || !password)
        return -EINVAL;
    uint8_t *key = g_malloc(TURN_KEY_LEN);
    stun_key_long_term(user, s->realm, password, key);
    g_hash_table_replace(s->users, g_strdup(user), key);
    return 0;
}

sim_ep turn_server_listen(const turn_server *s) { return s->cfg.listen; }

/* ---------------------------------------------------------------- responses */

turn_out *turn_srv_begin(turn_server *s, stun_enc *e, const stun_msg *m, stun_class cls)
{
    turn_out *o = turn_outq_take(&s->out);
    stun_enc_init(e, o->data, sizeof o->data, m->method, cls, m->txid);
    return o;
}

void turn_srv_finish(turn_server *s, stun_enc *e, turn_out *o, const uint8_t *key,
                     const sim_ep *to)
{
    if (s->software)
        stun_enc_str(e, STUN_ATTR_SOFTWARE, s->software);
    if (key)
        stun_enc_integrity(e, key, TURN_KEY_LEN);
    if (s->cfg.fingerprint)
        stun_enc_fingerprint(e);
    if (stun_enc_finish(e, &o->len) != 0) {
        turn_outq_give(&s->out, o);
        return;
    }
    o->from = s->cfg.listen;
    o->to = *to;
    turn_outq_push(&s->out, o);
}

void turn_srv_error(turn_server *s, const sim_ep *to, const stun_msg *m, uint16_t code,
                    const uint8_t *key)
{
    stun_enc e;
    turn_out *o = turn_srv_begin(s, &e, m, STUN_ERROR);
    stun_enc_error(&e, code, turn_reason(code));
    if (code == STUN_ERR_UNKNOWN_ATTRIBUTE)
        stun_enc_unknown(&e, m->unknown, m->n_unknown);
    s->stats.errors++;
    turn_srv_finish(s, &e, o, key, to);
}

void turn_srv_queue(turn_server *s, const sim_ep *from, const sim_ep *to, const uint8_t *data,
                    size_t len)
{
    if (len > sizeof ((turn_out *)NULL)->data)
        return;
    turn_out *o = turn_outq_take(&s->out);
    o->from = *from;
    o->to = *to;
    o->len = len;
    memcpy(o->data, data, len);
    turn_outq_push(&s->out, o);
}

/* ---------------------------------------------------------------- nonces */

static void nonce_mac(const turn_server *s, uint64_t expiry, char hex[17])
{
    uint8_t v[8];
    for (int i = 0; i < 8; i++)
        v[i] = (uint8_t)(expiry >> (56 - 8 * i));
    GHmac *h = g_hmac_new(G_CHECKSUM_SHA1, s->secret, sizeof s->secret);
    g_hmac_update(h, v, sizeof v);
    uint8_t mac[STUN_HMAC_SHA1_LEN];
    gsize n = sizeof mac;
    g_hmac_get_digest(h, mac, &n);
    g_hmac_unref(h);
    for (int i = 0; i < 8; i++)
        snprintf(hex + 2 * i, 3, "%02x", mac[i]);
}

static void make_nonce(const turn_server *s, sim_time_t now, char out[TURN_NONCE_LEN + 1])
{
    uint64_t expiry = now + s->cfg.nonce_lifetime;
    snprintf(out, 17, "%016" PRIx64, expiry);
    nonce_mac(s, expiry, out + 16);
}

/* True when nonce is one of ours and not past its expiry. */
static bool nonce_fresh(const turn_server *s, sim_time_t now, const char *nonce)
{
    if (strlen(nonce) != TURN_NONCE_LEN || strspn(nonce, "0123456789abcdef") != TURN_NONCE_LEN)
        return false;
    char hex[17], mac[17];
    memcpy(hex, nonce, 16);
    hex[16] = '\0';
    uint64_t expiry = g_ascii_strtoull(hex, NULL, 16);
    nonce_mac(s, expiry, mac);
    return memcmp(mac, nonce + 16, 16) == 0 && now < expiry;
}

/* 401 or 438: REALM and a fresh NONCE, no integrity (RFC 8489 §9.2.4). */
static void challenge(turn_server *s, sim_time_t now, const sim_ep *to, const stun_msg *m,
                      uint16_t code)
{
    char nonce[TURN_NONCE_LEN + 1];
    make_nonce(s, now, nonce);
    stun_enc e;
    turn_out *o = turn_srv_begin(s, &e, m, STUN_ERROR);
    stun_enc_error(&e, code, turn_reason(code));
    stun_enc_str(&e, STUN_ATTR_REALM, s->realm);
    stun_enc_str(&e, STUN_ATTR_NONCE, nonce);
    s->stats.errors++;
    turn_srv_finish(s, &e, o, NULL, to);
}

/* Long-term credential check (RFC 8489 §9.2.4). Returns the user's key (borrowed) and name in
 * *user, or NULL after queueing the 400 / 401 / 438 answer. */
static const uint8_t *authenticate(turn_server *s, sim_time_t now, const sim_ep *from,
                                   const stun_msg *m, const char **user)
{
    if (!stun_msg_find(m, STUN_ATTR_MESSAGE_INTEGRITY)) {
        challenge(s, now, from, m, STUN_ERR_UNAUTHORIZED);
        return NULL;
    }
    char name[STUN_USERNAME_MAX + 1], realm[STUN_TEXT_MAX + 1], nonce[STUN_TEXT_MAX + 1];
    if (stun_msg_get_str(m, STUN_ATTR_USERNAME, name, sizeof name) ||
        stun_msg_get_str(m, STUN_ATTR_REALM, realm, sizeof realm) ||
        stun_msg_get_str(m, STUN_ATTR_NONCE, nonce, sizeof nonce)) {
        turn_srv_error(s, from, m, STUN_ERR_BAD_REQUEST, NULL);
        return NULL;
    }
    if (!nonce_fresh(s, now, nonce)) {
        challenge(s, now, from, m, STUN_ERR_STALE_NONCE);
        return NULL;
    }
    gpointer k, key;
    if (strcmp(realm, s->realm) != 0 || !g_hash_table_lookup_extended(s->users, name, &k, &key) ||
        stun_msg_check_integrity(m, key, TURN_KEY_LEN) != 0) {
        challenge(s, now, from, m, STUN_ERR_UNAUTHORIZED);
        return NULL;
    }
    *user = k;
    return key;
}

/* ---------------------------------------------------------------- dispatch */

/* A datagram that does not decode: a request (by its header) gets 400. */
static int reject_malformed(turn_server *s, const sim_ep *from, const uint8_t *buf, size_t len)
{
    s->stats.bad++;
    if (!stun_is_message(buf, len) || (buf[0] & 0x01) || (buf[1] & 0x10))
        return -EBADMSG;
    stun_msg m = { .method = (uint16_t)(((buf[0] << 6) & 0xF80u) | ((buf[1] >> 1) & 0x070u) |
                                        (buf[1] & 0xFu)) };
    memcpy(m.txid, buf + 8, STUN_TXID_LEN);
    turn_srv_error(s, from, &m, STUN_ERR_BAD_REQUEST, NULL);
    return -EBADMSG;
}

/* A TURN server is a STUN server too (RFC 8656 §2): a Binding request on the TURN port gets the
 * client's server-reflexive address, without authentication (RFC 8489 §12.1), like coturn. */
static void answer_binding(turn_server *s, const sim_ep *from, const stun_msg *m)
{
    if (m->n_unknown) {
        turn_srv_error(s, from, m, STUN_ERR_UNKNOWN_ATTRIBUTE, NULL);
        return;
    }
    stun_enc e;
    turn_out *o = turn_srv_begin(s, &e, m, STUN_SUCCESS);
    stun_enc_addr(&e, STUN_ATTR_XOR_MAPPED_ADDRESS, from);
    s->stats.success++;
    turn_srv_finish(s, &e, o, NULL, from);
}

static int handle_request(turn_server *s, sim_time_t now, const sim_ep *from, const stun_msg *m)
{
    s->stats.requests++;
    if (m->method == STUN_BINDING) {
        answer_binding(s, from, m);
        return 0;
    }
    if (m->method != TURN_ALLOCATE && m->method != TURN_REFRESH &&
        m->method != TURN_CREATE_PERMISSION && m->method != TURN_CHANNEL_BIND) {
        turn_srv_error(s, from, m, STUN_ERR_BAD_REQUEST, NULL);
        return 0;
    }
    const char *user = NULL;
    const uint8_t *key = authenticate(s, now, from, m, &user);
    if (!key)
        return 0;
    if (m->n_unknown) { /* RFC 8489 §6.3.1: after authentication, 420 */
        turn_srv_error(s, from, m, STUN_ERR_UNKNOWN_ATTRIBUTE, key);
        return 0;
    }
    if (m->method == TURN_ALLOCATE) {
        turn_alloc_allocate(s, now, from, m, user, key);
        return 0;
    }
    turn_alloc *a = turn_alloc_find(s, from);
    if (!a) { /* RFC 8656 §7.2 / §8: no allocation on this 5-tuple */
        turn_srv_error(s, from, m, TURN_ERR_ALLOCATION_MISMATCH, key);
        return 0;
    }
    if (strcmp(a->user, user) != 0) { /* RFC 8656 §5: not the allocation's credentials */
        turn_srv_error(s, from, m, TURN_ERR_WRONG_CREDENTIALS, key);
        return 0;
    }
    if (m->method == TURN_REFRESH)
        turn_alloc_refresh(s, now, a, m);
    else if (m->method == TURN_CREATE_PERMISSION)
        turn_alloc_permission(s, now, a, m);
    else
        turn_alloc_bind(s, now, a, m);
    return 0;
}

static int input_listen(turn_server *s, sim_time_t now, const sim_ep *from, const uint8_t *buf,
                        size_t len)
{
    if (turn_is_chandata(buf, len))
        return turn_alloc_chandata(s, now, from, buf, len);
    stun_msg m;
    if (turn_msg_decode(buf, len, &m, NULL) != 0)
        return reject_malformed(s, from, buf, len);
    if (stun_msg_find(&m, STUN_ATTR_FINGERPRINT) && stun_msg_check_fingerprint(&m) != 0) {
        s->stats.ignored++;
        return -ENOENT;
    }
    if (m.cls == STUN_REQUEST)
        return handle_request(s, now, from, &m);
    if (m.cls == STUN_INDICATION && m.method == TURN_SEND)
        return turn_alloc_send(s, now, from, &m);
    s->stats.ignored++;
    return -ENOENT;
}

int turn_server_input(turn_server *s, sim_time_t now, const sim_ep *local, const sim_ep *from,
                      const uint8_t *buf, size_t len)
{
    if (sim_ep_eq(local, &s->cfg.listen))
        return input_listen(s, now, from, buf, len);
    turn_alloc *a = g_hash_table_lookup(s->by_relay, local);
    if (!a)
        return -EINVAL;
    return turn_alloc_from_peer(s, now, a, from, buf, len);
}

void turn_server_timeout(turn_server *s, sim_time_t now) { turn_alloc_expire(s, now); }

sim_time_t turn_server_next_deadline(const turn_server *s) { return turn_alloc_next_deadline(s); }

bool turn_server_pop(turn_server *s, turn_out *out) { return turn_outq_pop(&s->out, out); }

bool turn_server_pop_event(turn_server *s, turn_server_event *ev)
{
    turn_server_event *e = g_queue_pop_head(&s->events);
    if (!e)
        return false;
    *ev = *e;
    g_free(e);
    return true;
}

int turn_server_drop(turn_server *s, const sim_ep *relay)
{
    turn_alloc *a = g_hash_table_lookup(s->by_relay, relay);
    if (!a)
        return -ENOENT;
    turn_alloc_delete(s, a);
    return 0;
}

int turn_server_close_client(turn_server *s, const sim_ep *client)
{
    turn_alloc *a = turn_alloc_find(s, client);
    if (!a)
        return -ENOENT;
    turn_alloc_delete(s, a);
    return 0;
}

size_t turn_server_n_allocations(const turn_server *s) { return s->allocs->len; }

const turn_server_stats *turn_server_get_stats(const turn_server *s) { return &s->stats; }
