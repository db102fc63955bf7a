/* protocols/turn/turn_alloc.c — what the TURN server does with allocations (RFC 8656 §7-§12):
 * Allocate, Refresh, CreatePermission and ChannelBind on an authenticated request, relaying
 * (Send indication / ChannelData to a peer, a peer's datagram back as a Data indication or
 * ChannelData), and expiry of allocations, permissions and channels.
 *
 * The rule that makes TURN safe to run: a datagram from a peer is relayed to the client only if
 * the allocation holds a permission for the peer's IP address (§9), and a client's datagram is
 * relayed to a peer only under the same permission. Everything else is dropped and counted. */
#include "protocols/turn/turn_priv.h"

#include <errno.h>
#include <string.h>

#define PORT_DRAWS 32 /* random draws before scanning the range for a free relay port */

turn_alloc *turn_alloc_find(const turn_server *s, const sim_ep *client)
{
    return g_hash_table_lookup(s->by_client, client);
}

void turn_alloc_free(void *p)
{
    turn_alloc *a = p;
    g_free(a->user);
    g_array_free(a->perms, TRUE);
    g_array_free(a->chans, TRUE);
    g_free(a);
}

static void push_event(turn_server *s, turn_server_event_kind kind, const turn_alloc *a)
{
    turn_server_event *e = g_new(turn_server_event, 1);
    *e = (turn_server_event){ .kind = kind, .relay = a->relay, .client = a->client };
    g_queue_push_tail(&s->events, e);
}

void turn_alloc_delete(turn_server *s, turn_alloc *a)
{
    push_event(s, TURN_SEV_RELAY_CLOSE, a);
    g_hash_table_remove(s->by_client, &a->client);
    g_hash_table_remove(s->by_relay, &a->relay);
    g_ptr_array_remove(s->allocs, a); /* keeps creation order; frees a */
}

/* ---------------------------------------------------------------- helpers */

/* RFC 8656 §7.2 / §8: min(requested, maximum), but never below the default. */
static sim_time_t pick_lifetime(const turn_server *s, const stun_msg *m)
{
    uint32_t secs;
    if (turn_msg_get_lifetime(m, &secs) != 0)
        return s->cfg.default_lifetime;
    sim_time_t want = MIN((sim_time_t)secs * SIM_SEC, s->cfg.max_lifetime);
    return MAX(want, s->cfg.default_lifetime);
}

static uint8_t relay_family(const turn_server *s)
{
    return s->cfg.relay_ip.family == SIM_AF_INET6 ? TURN_FAMILY_IPV6 : TURN_FAMILY_IPV4;
}

static bool port_free(const turn_server *s, uint16_t port)
{
    sim_ep ep = { .ip = s->cfg.relay_ip, .port = port };
    return !sim_ep_eq(&ep, &s->cfg.listen) && !g_hash_table_contains(s->by_relay, &ep);
}

/* A free relay port (even when `even`), random from the seeded rng; 0 when none is left. */
static uint16_t pick_port(turn_server *s, bool even)
{
    uint32_t lo = s->cfg.port_min, n = (uint32_t)s->cfg.port_max - lo + 1;
    for (int i = 0; i < PORT_DRAWS; i++) {
        uint16_t p = (uint16_t)(lo + sim_rng_below(s->rng, n));
        if (even)
            p &= (uint16_t)~1u;
        if (p >= lo && port_free(s, p))
            return p;
    }
    uint32_t start = sim_rng_below(s->rng, n);
    for (uint32_t i = 0; i < n; i++) {
        uint16_t p = (uint16_t)(lo + (start + i) % n);
        if ((!even || !(p & 1)) && port_free(s, p))
            return p;
    }
    return 0;
}

static unsigned user_allocations(const turn_server *s, const char *user)
{
    unsigned n = 0;
    for (guint i = 0; i < s->allocs->len; i++)
        n += strcmp(((turn_alloc *)s->allocs->pdata[i])->user, user) == 0;
    return n;
}

static uint32_t secs_left(sim_time_t now, sim_time_t until)
{
    return until > now ? (uint32_t)((until - now + SIM_SEC - 1) / SIM_SEC) : 0;
}

static void allocate_success(turn_server *s, sim_time_t now, const turn_alloc *a,
                             const stun_msg *m)
{
    stun_enc e;
    turn_out *o = turn_srv_begin(s, &e, m, STUN_SUCCESS);
    stun_enc_addr(&e, TURN_ATTR_XOR_RELAYED_ADDRESS, &a->relay);
    turn_enc_lifetime(&e, secs_left(now, a->expires));
    stun_enc_addr(&e, STUN_ATTR_XOR_MAPPED_ADDRESS, &a->client);
    uint8_t fam;
    if (turn_msg_get_family(m, TURN_ATTR_ADDITIONAL_ADDRESS_FAMILY, &fam) == 0)
        turn_enc_address_error(&e, fam, TURN_ERR_ADDRESS_FAMILY, NULL); /* IPv4 relays only */
    s->stats.success++;
    turn_srv_finish(s, &e, o, a->key, &a->client);
}

/* The Allocate checks of RFC 8656 §7.2 in order; 0 when it may go ahead, else the error. */
static uint16_t allocate_check(const turn_server *s, const stun_msg *m, const char *user,
                               bool *even)
{
    uint8_t proto, fam;
    bool reserve = false;
    if (turn_msg_get_transport(m, &proto) != 0)
        return STUN_ERR_BAD_REQUEST;
    if (proto != TURN_TRANSPORT_UDP)
        return TURN_ERR_UNSUPPORTED_TRANSPORT;
    *even = turn_msg_get_even_port(m, &reserve) == 0;
    bool token = stun_msg_find(m, TURN_ATTR_RESERVATION_TOKEN) != NULL;
    bool req_fam = turn_msg_get_family(m, TURN_ATTR_REQUESTED_ADDRESS_FAMILY, &fam) == 0;
    uint8_t add;
    bool add_fam = turn_msg_get_family(m, TURN_ATTR_ADDITIONAL_ADDRESS_FAMILY, &add) == 0;
    if ((token && (*even || req_fam)) || (req_fam && add_fam) ||
        (add_fam && add != TURN_FAMILY_IPV6))
        return STUN_ERR_BAD_REQUEST;
    if (req_fam && fam != relay_family(s))
        return TURN_ERR_ADDRESS_FAMILY;
    if (token || reserve) /* this server keeps no port reservations */
        return TURN_ERR_INSUFFICIENT_CAPACITY;
    if (user_allocations(s, user) >= s->cfg.quota)
        return TURN_ERR_QUOTA;
    return 0;
}

/* ---------------------------------------------------------------- requests */

void turn_alloc_allocate(turn_server *s, sim_time_t now, const sim_ep *from, const stun_msg *m,
                         const char *user, const uint8_t *key)
{
    turn_alloc *a = turn_alloc_find(s, from);
    if (a) { /* a retransmitted Allocate gets the same answer; anything else 437 */
        if (memcmp(a->txid, m->txid, STUN_TXID_LEN) == 0)
            allocate_success(s, now, a, m);
        else
            turn_srv_error(s, from, m, TURN_ERR_ALLOCATION_MISMATCH, key);
        return;
    }
    bool even = false;
    uint16_t code = allocate_check(s, m, user, &even);
    uint16_t port = code ? 0 : pick_port(s, even);
    if (!code && !port)
        code = TURN_ERR_INSUFFICIENT_CAPACITY;
    if (code) {
        turn_srv_error(s, from, m, code, key);
        return;
    }
    a = g_new0(turn_alloc, 1);
    a->client = *from;
    a->relay = (sim_ep){ .ip = s->cfg.relay_ip, .port = port };
    a->user = g_strdup(user);
    memcpy(a->key, key, TURN_KEY_LEN);
    memcpy(a->txid, m->txid, STUN_TXID_LEN);
    a->expires = now + pick_lifetime(s, m);
    a->perms = g_array_new(FALSE, FALSE, sizeof(turn_perm));
    a->chans = g_array_new(FALSE, FALSE, sizeof(turn_chan));
    g_ptr_array_add(s->allocs, a);
    g_hash_table_insert(s->by_client, &a->client, a);
    g_hash_table_insert(s->by_relay, &a->relay, a);
    s->stats.allocations++;
    push_event(s, TURN_SEV_RELAY_OPEN, a);
    allocate_success(s, now, a, m);
}

/* An empty success response (or with LIFETIME when lifetime_secs >= 0). */
static void plain_success(turn_server *s, const turn_alloc *a, const stun_msg *m,
                          int64_t lifetime_secs)
{
    stun_enc e;
    turn_out *o = turn_srv_begin(s, &e, m, STUN_SUCCESS);
    if (lifetime_secs >= 0)
        turn_enc_lifetime(&e, (uint32_t)lifetime_secs);
    s->stats.success++;
    turn_srv_finish(s, &e, o, a->key, &a->client);
}

void turn_alloc_refresh(turn_server *s, sim_time_t now, turn_alloc *a, const stun_msg *m)
{
    uint8_t fam;
    if (turn_msg_get_family(m, TURN_ATTR_REQUESTED_ADDRESS_FAMILY, &fam) == 0 &&
        fam != relay_family(s)) {
        turn_srv_error(s, &a->client, m, TURN_ERR_PEER_FAMILY_MISMATCH, a->key);
        return;
    }
    uint32_t secs;
    if (turn_msg_get_lifetime(m, &secs) == 0 && secs == 0) { /* §8: delete now */
        uint8_t key[TURN_KEY_LEN];
        memcpy(key, a->key, sizeof key);
        sim_ep client = a->client;
        turn_alloc_delete(s, a);
        stun_enc e;
        turn_out *o = turn_srv_begin(s, &e, m, STUN_SUCCESS);
        turn_enc_lifetime(&e, 0);
        s->stats.success++;
        turn_srv_finish(s, &e, o, key, &client);
        return;
    }
    a->expires = now + pick_lifetime(s, m);
    plain_success(s, a, m, secs_left(now, a->expires));
}

static void permit(turn_alloc *a, sim_time_t now, const sim_ip *ip)
{
    for (guint i = 0; i < a->perms->len; i++) {
        turn_perm *p = &g_array_index(a->perms, turn_perm, i);
        if (sim_ip_eq(&p->ip, ip)) {
            p->expires = now + TURN_PERMISSION_LIFETIME;
            return;
        }
    }
    turn_perm p = { .ip = *ip, .expires = now + TURN_PERMISSION_LIFETIME };
    g_array_append_val(a->perms, p);
}

static bool permitted(const turn_alloc *a, sim_time_t now, const sim_ip *ip)
{
    for (guint i = 0; i < a->perms->len; i++) {
        const turn_perm *p = &g_array_index(a->perms, turn_perm, i);
        if (sim_ip_eq(&p->ip, ip))
            return now < p->expires;
    }
    return false;
}

void turn_alloc_permission(turn_server *s, sim_time_t now, turn_alloc *a, const stun_msg *m)
{
    /* RFC 8656 §10.2: every XOR-PEER-ADDRESS must be valid before any is installed. */
    size_t n = 0;
    uint16_t code = 0;
    for (size_t i = 0; i < m->n_attrs && !code; i++) {
        const stun_attr *at = &m->attrs[i];
        sim_ep peer;
        if (at->type != TURN_ATTR_XOR_PEER_ADDRESS || at->ignored)
            continue;
        n++;
        if (stun_attr_addr(at, m->txid, &peer) != 0)
            code = STUN_ERR_BAD_REQUEST;
        else if (peer.ip.family != s->cfg.relay_ip.family)
            code = TURN_ERR_PEER_FAMILY_MISMATCH;
    }
    if (!n || code) {
        turn_srv_error(s, &a->client, m, code ? code : STUN_ERR_BAD_REQUEST, a->key);
        return;
    }
    for (size_t i = 0; i < m->n_attrs; i++) {
        sim_ep peer;
        if (m->attrs[i].type == TURN_ATTR_XOR_PEER_ADDRESS && !m->attrs[i].ignored &&
            stun_attr_addr(&m->attrs[i], m->txid, &peer) == 0)
            permit(a, now, &peer.ip);
    }
    plain_success(s, a, m, -1);
}

/* The binding of channel ch, or of peer (ch 0), active or cooling down; NULL if none. */
static turn_chan *find_chan(const turn_alloc *a, uint16_t ch, const sim_ep *peer)
{
    for (guint i = 0; i < a->chans->len; i++) {
        turn_chan *c = &g_array_index(a->chans, turn_chan, i);
        if (ch ? c->ch == ch : sim_ep_eq(&c->peer, peer))
            return c;
    }
    return NULL;
}

void turn_alloc_bind(turn_server *s, sim_time_t now, turn_alloc *a, const stun_msg *m)
{
    uint16_t ch;
    sim_ep peer;
    if (turn_msg_get_channel(m, &ch) || stun_msg_get_addr(m, TURN_ATTR_XOR_PEER_ADDRESS, &peer) ||
        ch < TURN_CHANNEL_MIN || ch > TURN_CHANNEL_FRAME_MAX) { /* RFC 5766 range */
        turn_srv_error(s, &a->client, m, STUN_ERR_BAD_REQUEST, a->key);
        return;
    }
    if (peer.ip.family != s->cfg.relay_ip.family) {
        turn_srv_error(s, &a->client, m, TURN_ERR_PEER_FAMILY_MISMATCH, a->key);
        return;
    }
    /* §11.2: a channel is bound to one peer and a peer to one channel, also while a binding
     * cools down after expiring. */
    turn_chan *by_ch = find_chan(a, ch, NULL), *by_peer = find_chan(a, 0, &peer);
    if ((by_ch && !sim_ep_eq(&by_ch->peer, &peer)) || (by_peer && by_peer->ch != ch)) {
        turn_srv_error(s, &a->client, m, STUN_ERR_BAD_REQUEST, a->key);
        return;
    }
    if (by_ch) {
        by_ch->expires = now + TURN_CHANNEL_LIFETIME;
    } else {
        turn_chan c = { .ch = ch, .peer = peer, .expires = now + TURN_CHANNEL_LIFETIME };
        g_array_append_val(a->chans, c);
    }
    permit(a, now, &peer.ip);
    plain_success(s, a, m, -1);
}

/* ---------------------------------------------------------------- data */

static int relay_to_peer(turn_server *s, sim_time_t now, const turn_alloc *a, const sim_ep *peer,
                         const uint8_t *data, size_t len)
{
    if (!permitted(a, now, &peer->ip)) {
        s->stats.no_permission++;
        return -ENOENT;
    }
    turn_srv_queue(s, &a->relay, peer, data, len);
    s->stats.relayed_to_peer++;
    return 0;
}

int turn_alloc_send(turn_server *s, sim_time_t now, const sim_ep *from, const stun_msg *m)
{
    turn_alloc *a = turn_alloc_find(s, from);
    sim_ep peer;
    const uint8_t *data;
    size_t len;
    if (!a || stun_msg_get_addr(m, TURN_ATTR_XOR_PEER_ADDRESS, &peer) ||
        turn_msg_get_data(m, &data, &len)) { /* §10.2: silently discarded */
        s->stats.ignored++;
        return -ENOENT;
    }
    return relay_to_peer(s, now, a, &peer, data, len);
}

int turn_alloc_chandata(turn_server *s, sim_time_t now, const sim_ep *from, const uint8_t *buf,
                        size_t len)
{
    uint16_t ch;
    const uint8_t *data;
    size_t dlen;
    if (turn_chandata_decode(buf, len, &ch, &data, &dlen, NULL) != 0) {
        s->stats.bad++;
        return -EBADMSG;
    }
    turn_alloc *a = turn_alloc_find(s, from);
    turn_chan *c = a ? find_chan(a, ch, NULL) : NULL;
    if (!c || now >= c->expires) { /* §12.6: not bound: discard */
        s->stats.no_channel++;
        return -ENOENT;
    }
    return relay_to_peer(s, now, a, &c->peer, data, dlen);
}

int turn_alloc_from_peer(turn_server *s, sim_time_t now, turn_alloc *a, const sim_ep *peer,
                         const uint8_t *buf, size_t len)
{
    if (!permitted(a, now, &peer->ip)) { /* §9: never relayed without a permission */
        s->stats.no_permission++;
        return -ENOENT;
    }
    if (len > TURN_DATA_MAX) {
        s->stats.ignored++;
        return -ENOENT;
    }
    turn_chan *c = find_chan(a, 0, peer);
    turn_out *o;
    if (c && now < c->expires) { /* §12.7: ChannelData, not padded over UDP */
        o = turn_outq_take(&s->out);
        if (turn_chandata_encode(c->ch, buf, len, false, o->data, sizeof o->data, &o->len)) {
            turn_outq_give(&s->out, o);
            return -ENOENT;
        }
        o->from = s->cfg.listen;
        o->to = a->client;
        turn_outq_push(&s->out, o);
    } else { /* §11.3: Data indication */
        stun_msg ind = { .method = TURN_DATA }; /* random transaction id (RFC 8489 §6) */
        for (size_t i = 0; i < STUN_TXID_LEN; i++)
            ind.txid[i] = (uint8_t)sim_rng_below(s->rng, 256);
        stun_enc e;
        o = turn_srv_begin(s, &e, &ind, STUN_INDICATION);
        stun_enc_addr(&e, TURN_ATTR_XOR_PEER_ADDRESS, peer);
        stun_enc_attr(&e, TURN_ATTR_DATA, buf, len);
        turn_srv_finish(s, &e, o, NULL, &a->client);
    }
    s->stats.relayed_to_client++;
    return 0;
}

/* ---------------------------------------------------------------- expiry */

void turn_alloc_expire(turn_server *s, sim_time_t now)
{
    for (guint i = s->allocs->len; i-- > 0;) {
        turn_alloc *a = s->allocs->pdata[i];
        if (now >= a->expires) {
            s->stats.expired++;
            turn_alloc_delete(s, a);
            continue;
        }
        for (guint k = a->perms->len; k-- > 0;)
            if (now >= g_array_index(a->perms, turn_perm, k).expires)
                g_array_remove_index(a->perms, k);
        for (guint k = a->chans->len; k-- > 0;)
            if (now >= g_array_index(a->chans, turn_chan, k).expires + TURN_CHANNEL_COOLDOWN)
                g_array_remove_index(a->chans, k);
    }
}

sim_time_t turn_alloc_next_deadline(const turn_server *s)
{
    sim_time_t next = SIM_TIME_NEVER;
    for (guint i = 0; i < s->allocs->len; i++) {
        const turn_alloc *a = s->allocs->pdata[i];
        next = MIN(next, a->expires);
        for (guint k = 0; k < a->perms->len; k++)
            next = MIN(next, g_array_index(a->perms, turn_perm, k).expires);
        for (guint k = 0; k < a->chans->len; k++)
            next = MIN(next, g_array_index(a->chans, turn_chan, k).expires +
                                 TURN_CHANNEL_COOLDOWN);
    }
    return next;
}

void turn_server_fmt(const turn_server *s, sim_time_t now, GString *out)
{
    for (guint i = 0; i < s->allocs->len; i++) {
        const turn_alloc *a = s->allocs->pdata[i];
        char c[SIM_EP_STRLEN], r[SIM_EP_STRLEN];
        g_string_append_printf(out, "%s -> relay %s  user %s  expires in %us  permissions",
                               sim_ep_fmt(&a->client, c, sizeof c),
                               sim_ep_fmt(&a->relay, r, sizeof r), a->user,
                               secs_left(now, a->expires));
        for (guint k = 0; k < a->perms->len; k++) {
            const turn_perm *p = &g_array_index(a->perms, turn_perm, k);
            g_string_append_printf(out, " %s(%us)", sim_ip_fmt(&p->ip, c, sizeof c),
                                   secs_left(now, p->expires));
        }
        g_string_append(out, "  channels");
        for (guint k = 0; k < a->chans->len; k++) {
            const turn_chan *ch = &g_array_index(a->chans, turn_chan, k);
            g_string_append_printf(out, " 0x%04X=%s(%us)", ch->ch,
                                   sim_ep_fmt(&ch->peer, c, sizeof c),
                                   secs_left(now, ch->expires));
        }
        g_string_append_c(out, '\n');
    }
}
