/* tests/unit/test_relay.c — the relay codec and the sans-I/O server and client cores, driven
 * with fake time and an in-memory "network" (no simulator). */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/relay/relay.h"
#include "ep_util.h"

/* ---------------------------------------------------------------- codec */

static const uint8_t payload[] = "hello through the NAT";

/* A message of each type with every field it carries filled in. */
static relay_msg sample(relay_type t)
{
    relay_msg m = { .type = t, .txid = 0x01020304 };
    if (t != RELAY_ERROR)
        strcpy(m.name, "alice");
    switch (t) {
    case RELAY_REGISTER: m.priv = ep("192.168.60.153:1211"); break;
    case RELAY_REGISTERED: m.pub = ep("68.36.210.57:1211"); break;
    case RELAY_PEER:
        m.pub = ep("155.99.25.11:62000");
        m.priv = ep("[2001:db8::1]:4321");
        m.nonce = 0x1122334455667788ull;
        break;
    case RELAY_PUNCH:
    case RELAY_PUNCH_ACK: m.nonce = 42; break;
    case RELAY_RELAY:
    case RELAY_RELAYED:
    case RELAY_DATA:
        m.payload = payload;
        m.payload_len = sizeof payload - 1;
        break;
    case RELAY_REVERSE:
        strcpy(m.from, "bob");
        m.pub = ep("138.76.29.7:31000");
        m.nonce = 7;
        break;
    case RELAY_ERROR:
        m.code = RELAY_ERR_UNKNOWN_PEER;
        strcpy(m.text, "unknown peer");
        break;
    default: break;
    }
    return m;
}

static void assert_msg_eq(const relay_msg *a, const relay_msg *b)
{
    g_assert_cmpint(a->type, ==, b->type);
    g_assert_cmpuint(a->txid, ==, b->txid);
    g_assert_cmpstr(a->name, ==, b->name);
    g_assert_cmpstr(a->from, ==, b->from);
    g_assert_true(sim_ep_eq(&a->pub, &b->pub));
    g_assert_true(sim_ep_eq(&a->priv, &b->priv));
    g_assert_cmpuint(a->nonce, ==, b->nonce);
    g_assert_cmpuint(a->code, ==, b->code);
    g_assert_cmpstr(a->text, ==, b->text);
    g_assert_cmpmem(a->payload, a->payload_len, b->payload, b->payload_len);
}

static void test_roundtrip(gconstpointer data)
{
    relay_type t = GPOINTER_TO_INT(data);
    relay_msg m = sample(t), d;
    uint8_t buf[RELAY_MSG_MAX], again[RELAY_MSG_MAX];
    size_t len, len2;
    g_assert_cmpint(relay_msg_encode(&m, buf, sizeof buf, &len), ==, 0);
    g_assert_cmpmem(buf, 3, "RLY", 3);
    g_assert_cmpuint(buf[4], ==, t);
    g_assert_cmpuint((size_t)(buf[6] << 8 | buf[7]), ==, len - RELAY_HDR_LEN);
    g_assert_cmpint(relay_msg_decode(buf, len, &d), ==, 0);
    assert_msg_eq(&m, &d);
    g_assert_cmpint(relay_msg_encode(&d, again, sizeof again, &len2), ==, 0);
    g_assert_cmpmem(buf, len, again, len2);

    /* every truncation and one extra byte are malformed, and leave *out untouched */
    for (size_t n = 0; n < len; n++) {
        relay_msg untouched = { .txid = 99 };
        g_assert_cmpint(relay_msg_decode(buf, n, &untouched), ==, -EBADMSG);
        g_assert_cmpuint(untouched.txid, ==, 99);
    }
    buf[len] = 0;
    g_assert_cmpint(relay_msg_decode(buf, len + 1, &d), ==, -EBADMSG);

    GString *s = g_string_new(NULL);
    g_assert_cmpint(relay_decode_fmt(buf, len, s, NULL), ==, 0);
    g_assert_true(g_str_has_prefix(s->str, relay_type_name(t)));
    g_string_free(s, TRUE);
}

/* Encodes m, lets fix() corrupt the bytes, and expects the decoder to refuse them. */
static void expect_bad(relay_type t, void (*fix)(uint8_t *buf, size_t *len))
{
    relay_msg m = sample(t), d;
    uint8_t buf[RELAY_MSG_MAX + 8];
    size_t len;
    g_assert_cmpint(relay_msg_encode(&m, buf, sizeof buf, &len), ==, 0);
    fix(buf, &len);
    g_assert_cmpint(relay_msg_decode(buf, len, &d), ==, -EBADMSG);
}

static void set_len(uint8_t *b, size_t body)
{
    b[6] = (uint8_t)(body >> 8);
    b[7] = (uint8_t)body;
}

static void bad_magic(uint8_t *b, size_t *n) { b[0] = 'X'; }
static void bad_version(uint8_t *b, size_t *n) { b[3] = 2; }
static void bad_type0(uint8_t *b, size_t *n) { b[4] = 0; }
static void bad_type13(uint8_t *b, size_t *n) { b[4] = 13; }
static void bad_flags(uint8_t *b, size_t *n) { b[5] = 1; }
static void bad_body_len(uint8_t *b, size_t *n) { set_len(b, *n - RELAY_HDR_LEN + 1); }
static void name_space(uint8_t *b, size_t *n) { b[RELAY_HDR_LEN + 2] = ' '; }
static void name_empty(uint8_t *b, size_t *n) { b[RELAY_HDR_LEN] = 0; }
static void name_long(uint8_t *b, size_t *n) { b[RELAY_HDR_LEN] = 33; }
/* REGISTER: name "alice" (1+5 bytes), then the endpoint's family byte */
static void bad_family(uint8_t *b, size_t *n) { b[RELAY_HDR_LEN + 6] = 5; }
/* RELAY: after the name, the payload length */
static void payload_too_long(uint8_t *b, size_t *n)
{
    b[RELAY_HDR_LEN + 6] = (RELAY_PAYLOAD_MAX + 1) >> 8;
    b[RELAY_HDR_LEN + 7] = (RELAY_PAYLOAD_MAX + 1) & 0xff;
}
/* ERROR: code (2), then the text length and text */
static void text_control(uint8_t *b, size_t *n) { b[RELAY_HDR_LEN + 3] = '\n'; }

static void test_reject(void)
{
    expect_bad(RELAY_PUNCH, bad_magic);
    expect_bad(RELAY_PUNCH, bad_version);
    expect_bad(RELAY_PUNCH, bad_type0);
    expect_bad(RELAY_PUNCH, bad_type13);
    expect_bad(RELAY_PUNCH, bad_flags);
    expect_bad(RELAY_PUNCH, bad_body_len);
    expect_bad(RELAY_PUNCH, name_space);
    expect_bad(RELAY_PUNCH, name_empty);
    expect_bad(RELAY_PUNCH, name_long);
    expect_bad(RELAY_REGISTER, bad_family);
    expect_bad(RELAY_RELAY, payload_too_long);
    expect_bad(RELAY_ERROR, text_control);
    relay_msg d;
    g_assert_cmpint(relay_msg_decode(NULL, 0, &d), ==, -EBADMSG);
    g_autoptr(GString) s = g_string_new(NULL);
    g_assert_cmpint(relay_decode_fmt((const uint8_t *)"RLY", 3, s, NULL), ==, -1);
}

static void test_encode_errors(void)
{
    uint8_t buf[RELAY_MSG_MAX];
    size_t len;
    relay_msg m = sample(RELAY_PUNCH);
    m.name[0] = '\0';
    g_assert_cmpint(relay_msg_encode(&m, buf, sizeof buf, &len), ==, -EINVAL);
    m = sample(RELAY_PUNCH);
    strcpy(m.name, "has space");
    g_assert_cmpint(relay_msg_encode(&m, buf, sizeof buf, &len), ==, -EINVAL);
    m = sample(RELAY_PUNCH);
    m.type = 0;
    g_assert_cmpint(relay_msg_encode(&m, buf, sizeof buf, &len), ==, -EINVAL);
    m = sample(RELAY_REGISTER);
    m.priv.ip.family = SIM_AF_NONE;
    g_assert_cmpint(relay_msg_encode(&m, buf, sizeof buf, &len), ==, -EINVAL);
    m = sample(RELAY_RELAY);
    m.payload_len = RELAY_PAYLOAD_MAX + 1;
    g_assert_cmpint(relay_msg_encode(&m, buf, sizeof buf, &len), ==, -EINVAL);
    m = sample(RELAY_PEER);
    g_assert_cmpint(relay_msg_encode(&m, buf, 20, &len), ==, -ENOSPC);
}

/* Random bytes and random mutations of valid messages: never a crash, and whatever decodes
 * re-encodes to exactly the same bytes (the codec has one encoding per message). */
static void test_random(void)
{
    sim_rng r;
    sim_rng_seed(&r, 1);
    uint8_t buf[RELAY_MSG_MAX + 16], again[RELAY_MSG_MAX];
    unsigned ok = 0;
    for (int i = 0; i < 20000; i++) {
        size_t len;
        relay_msg m = sample((relay_type)(1 + sim_rng_below(&r, 12))), d;
        g_assert_cmpint(relay_msg_encode(&m, buf, sizeof buf, &len), ==, 0);
        unsigned flips = 1 + sim_rng_below(&r, 3);
        for (unsigned k = 0; k < flips; k++)
            buf[sim_rng_below(&r, (uint32_t)len)] ^= (uint8_t)(1u << sim_rng_below(&r, 8));
        if (sim_rng_chance(&r, 0.2))
            len = sim_rng_below(&r, (uint32_t)len + 8);
        if (relay_msg_decode(buf, len, &d) == 0) {
            size_t len2;
            g_assert_cmpint(relay_msg_encode(&d, again, sizeof again, &len2), ==, 0);
            g_assert_cmpmem(buf, len, again, len2);
            ok++;
        }
    }
    g_assert_cmpuint(ok, >, 0); /* some flips land in nonces and payloads */
}

/* ---------------------------------------------------------------- in-memory network */

/* A server and up to three clients. Every client has a local endpoint and a public one (what
 * its "NAT" turns it into); `reflex[i]` (if set) is the source client i's datagrams to a
 * *peer* carry instead (a symmetric NAT's new port). Delivery is instant; private endpoints
 * are unreachable; `cut[i]` drops everything client i sends to peers. */
typedef struct net {
    sim_time_t now;
    relay_server *srv;
    sim_ep srv_ep;
    relay_client *cl[3];
    sim_ep local[3], pub[3], reflex[3];
    bool cut[3];
    unsigned n;
    unsigned delivered;
    sim_rng rng;
} net;

static void net_init(net *t, unsigned roles, unsigned n)
{
    memset(t, 0, sizeof *t);
    sim_rng_seed(&t->rng, 7);
    t->srv = relay_server_new(&(relay_server_cfg){ .roles = roles }, &t->rng);
    t->srv_ep = ep("18.181.0.31:5000");
    static const char *names[] = { "A", "B", "C" };
    static const char *locals[] = { "10.0.0.1:4321", "10.1.1.3:4321", "10.2.2.2:4321" };
    static const char *pubs[] = { "155.99.25.11:62000", "138.76.29.7:31000", "1.2.3.4:5" };
    t->n = n;
    for (unsigned i = 0; i < n; i++) {
        t->local[i] = ep(locals[i]);
        t->pub[i] = ep(pubs[i]);
        relay_client_cfg cfg = { .name = names[i], .server = t->srv_ep, .local = t->local[i],
                                 .accept = true };
        t->cl[i] = relay_client_new(&cfg, &t->rng);
    }
}

static void net_clear(net *t)
{
    relay_server_free(t->srv);
    for (unsigned i = 0; i < t->n; i++)
        relay_client_free(t->cl[i]);
}

/* Client index owning public / reflexive endpoint e, or -1. */
static int owner(net *t, const sim_ep *e)
{
    for (unsigned i = 0; i < t->n; i++)
        if (sim_ep_eq(e, &t->pub[i]) || (t->reflex[i].port && sim_ep_eq(e, &t->reflex[i])))
            return (int)i;
    return -1;
}

/* Delivers until every outbox is empty. */
static void net_flush(net *t)
{
    bool any = true;
    relay_out o;
    while (any) {
        any = false;
        while (relay_server_pop(t->srv, &o)) {
            any = true;
            int j = owner(t, &o.to);
            if (j >= 0) {
                relay_client_input(t->cl[j], t->now, &t->srv_ep, o.data, o.len);
                t->delivered++;
            }
        }
        for (unsigned i = 0; i < t->n; i++) {
            while (relay_client_pop(t->cl[i], &o)) {
                any = true;
                if (sim_ep_eq(&o.to, &t->srv_ep)) {
                    relay_server_input(t->srv, t->now, &t->pub[i], o.data, o.len);
                    continue;
                }
                int j = owner(t, &o.to);
                if (j < 0 || t->cut[i])
                    continue;
                const sim_ep *src = t->reflex[i].port ? &t->reflex[i] : &t->pub[i];
                relay_client_input(t->cl[j], t->now, src, o.data, o.len);
                t->delivered++;
            }
        }
    }
}

/* Runs timers and deliveries until `until`. */
static void net_run(net *t, sim_time_t until)
{
    net_flush(t);
    for (;;) {
        sim_time_t next = relay_server_next_deadline(t->srv);
        for (unsigned i = 0; i < t->n; i++)
            next = MIN(next, relay_client_next_deadline(t->cl[i]));
        if (next > until)
            break;
        g_assert_cmpuint(next, >=, t->now);
        t->now = next;
        relay_server_timeout(t->srv, t->now);
        for (unsigned i = 0; i < t->n; i++)
            relay_client_timeout(t->cl[i], t->now);
        net_flush(t);
    }
    t->now = until;
}

static void register_all(net *t)
{
    for (unsigned i = 0; i < t->n; i++)
        relay_client_register(t->cl[i], t->now);
    net_flush(t);
    for (unsigned i = 0; i < t->n; i++) {
        sim_ep pub;
        g_assert_cmpint(relay_client_reg_state(t->cl[i], &pub), ==, RELAY_REG_OK);
        g_assert_true(sim_ep_eq(&pub, &t->pub[i]));
    }
}

/* ---------------------------------------------------------------- server */

static void test_server_register(void)
{
    net t;
    net_init(&t, RELAY_ROLE_RENDEZVOUS, 2);
    register_all(&t);
    sim_ep pub, priv;
    g_assert_true(relay_server_lookup(t.srv, "B", &pub, &priv));
    g_assert_true(sim_ep_eq(&pub, &t.pub[1]));
    g_assert_true(sim_ep_eq(&priv, &t.local[1]));
    g_assert_cmpuint(relay_server_count(t.srv), ==, 2);
    g_assert_cmpuint(relay_server_get_stats(t.srv)->registers, ==, 2);
    /* registrations expire after the lifetime (180 s) without keepalives */
    g_assert_cmpuint(relay_server_next_deadline(t.srv), ==, 180 * SIM_SEC);
    relay_server_timeout(t.srv, 180 * SIM_SEC);
    g_assert_cmpuint(relay_server_count(t.srv), ==, 0);
    net_clear(&t);
}

static void test_server_keepalive(void)
{
    net t;
    net_init(&t, RELAY_ROLE_RENDEZVOUS, 1);
    register_all(&t);
    net_run(&t, 400 * SIM_SEC); /* keepalives every 15 s keep the registration */
    g_assert_cmpuint(relay_server_count(t.srv), ==, 1);
    const relay_client_stats *st = relay_client_get_stats(t.cl[0]);
    g_assert_cmpuint(st->keepalives_sent, ==, 400 / 15);
    net_clear(&t);
}

/* Feeds one message to the server from `from` and returns what it answered to `from`. */
static relay_msg server_ask(net *t, const sim_ep *from, relay_msg m, unsigned *n_out)
{
    uint8_t buf[RELAY_MSG_MAX];
    size_t len;
    g_assert_cmpint(relay_msg_encode(&m, buf, sizeof buf, &len), ==, 0);
    g_assert_cmpint(relay_server_input(t->srv, t->now, from, buf, len), ==, 0);
    relay_out o;
    relay_msg r = { 0 }, first = { 0 };
    *n_out = 0;
    static relay_out keep;
    while (relay_server_pop(t->srv, &o)) {
        if (!(*n_out)++) {
            keep = o;
            g_assert_cmpint(relay_msg_decode(keep.data, keep.len, &first), ==, 0);
            g_assert_true(sim_ep_eq(&keep.to, from));
        }
    }
    r = first;
    return r;
}

static void test_server_errors(void)
{
    net t;
    net_init(&t, RELAY_ROLE_RENDEZVOUS, 2);
    unsigned n;
    relay_msg m = { .type = RELAY_CONNECT, .txid = 5 };
    strcpy(m.name, "B");
    relay_msg r = server_ask(&t, &t.pub[0], m, &n); /* A is not registered */
    g_assert_cmpint(r.type, ==, RELAY_ERROR);
    g_assert_cmpuint(r.code, ==, RELAY_ERR_NOT_REGISTERED);
    g_assert_cmpuint(r.txid, ==, 5);
    relay_client_register(t.cl[0], 0);
    net_flush(&t);
    r = server_ask(&t, &t.pub[0], m, &n); /* B is not registered */
    g_assert_cmpuint(r.code, ==, RELAY_ERR_UNKNOWN_PEER);
    strcpy(m.name, "A");
    m.type = RELAY_RELAY;
    r = server_ask(&t, &t.pub[0], m, &n); /* a rendezvous server does not relay */
    g_assert_cmpuint(r.code, ==, RELAY_ERR_BAD_REQUEST);
    m.type = RELAY_PUNCH; /* never answered: no error storms between servers */
    server_ask(&t, &t.pub[0], m, &n);
    g_assert_cmpuint(n, ==, 0);
    uint8_t junk[5] = "RLY\1";
    g_assert_cmpint(relay_server_input(t.srv, 0, &t.pub[0], junk, 5), ==, -EBADMSG);
    g_assert_cmpuint(relay_server_get_stats(t.srv)->bad, ==, 1);
    net_clear(&t);
}

static void test_server_connect(void)
{
    net t;
    net_init(&t, RELAY_ROLE_RENDEZVOUS, 2);
    register_all(&t);
    uint8_t buf[RELAY_MSG_MAX];
    size_t len;
    relay_msg m = { .type = RELAY_CONNECT, .txid = 9 };
    strcpy(m.name, "B");
    relay_msg_encode(&m, buf, sizeof buf, &len);
    relay_server_input(t.srv, 0, &t.pub[0], buf, len);
    relay_out o1, o2, o3;
    g_assert_true(relay_server_pop(t.srv, &o1));
    g_assert_true(relay_server_pop(t.srv, &o2));
    g_assert_false(relay_server_pop(t.srv, &o3));
    relay_msg p1, p2;
    g_assert_cmpint(relay_msg_decode(o1.data, o1.len, &p1), ==, 0);
    g_assert_cmpint(relay_msg_decode(o2.data, o2.len, &p2), ==, 0);
    /* RFC 5128 §3.3: each side learns the other's public and private endpoint */
    g_assert_true(sim_ep_eq(&o1.to, &t.pub[0]));
    g_assert_cmpstr(p1.name, ==, "B");
    g_assert_true(sim_ep_eq(&p1.pub, &t.pub[1]));
    g_assert_true(sim_ep_eq(&p1.priv, &t.local[1]));
    g_assert_true(sim_ep_eq(&o2.to, &t.pub[1]));
    g_assert_cmpstr(p2.name, ==, "A");
    g_assert_true(sim_ep_eq(&p2.pub, &t.pub[0]));
    g_assert_cmpuint(p1.nonce, ==, p2.nonce);
    net_clear(&t);
}

/* ---------------------------------------------------------------- client */

static void test_client_register_retx(void)
{
    sim_rng r;
    sim_rng_seed(&r, 3);
    relay_client_cfg cfg = { .name = "A", .server = ep("18.181.0.31:5000"),
                             .local = ep("10.0.0.1:4321") };
    relay_client *c = relay_client_new(&cfg, &r);
    relay_client_register(c, 0);
    relay_out o;
    g_assert_true(relay_client_pop(c, &o));
    g_assert_false(relay_client_pop(c, &o));
    /* RTO 0.5 s doubling: resent at 0.5, 1.5, 3.5, 7.5, 15.5; gives up at 31.5 (6 tries) */
    static const double at[] = { 0.5, 1.5, 3.5, 7.5, 15.5 };
    for (unsigned i = 0; i < G_N_ELEMENTS(at); i++) {
        sim_time_t t = relay_client_next_deadline(c);
        g_assert_cmpuint(t, ==, sim_time_from_sec(at[i]));
        relay_client_timeout(c, t);
        g_assert_true(relay_client_pop(c, &o));
    }
    relay_client_timeout(c, relay_client_next_deadline(c));
    g_assert_cmpint(relay_client_reg_state(c, NULL), ==, RELAY_REG_FAILED);
    relay_event ev;
    g_assert_true(relay_client_pop_event(c, &ev));
    g_assert_cmpint(ev.kind, ==, RELAY_EV_REGISTER_FAILED);
    g_assert_cmpuint(relay_client_next_deadline(c), ==, SIM_TIME_NEVER);
    g_assert_cmpuint(relay_client_get_stats(c)->registers_sent, ==, 6);
    relay_client_free(c);
    cfg.name = "bad name";
    g_assert_null(relay_client_new(&cfg, &r));
}

static void test_client_punch(void)
{
    net t;
    net_init(&t, RELAY_ROLE_RENDEZVOUS, 2);
    register_all(&t);
    g_assert_cmpint(relay_client_punch(t.cl[0], t.now, "B", 0), ==, 0);
    net_run(&t, SIM_SEC);
    const relay_session *a = relay_client_session(t.cl[0], "B");
    const relay_session *b = relay_client_session(t.cl[1], "A");
    g_assert_nonnull(a);
    g_assert_nonnull(b);
    g_assert_cmpint(a->state, ==, RELAY_PUNCH_OK);
    g_assert_cmpint(b->state, ==, RELAY_PUNCH_OK);
    g_assert_cmpint(a->via, ==, RELAY_VIA_PUBLIC);
    g_assert_true(sim_ep_eq(&a->path, &t.pub[1]));
    g_assert_true(sim_ep_eq(&b->path, &t.pub[0]));
    g_assert_cmpuint(a->targets->len, ==, 2); /* public and private */

    /* data over the punched path */
    g_assert_cmpint(relay_client_send_peer(t.cl[0], t.now, "B", "hi", 2), ==, 0);
    net_flush(&t);
    relay_rx rx;
    g_assert_true(relay_client_pop_rx(t.cl[1], false, &rx));
    g_assert_cmpmem(rx.data, rx.len, "hi", 2);
    g_assert_cmpstr(rx.from, ==, "A");
    g_assert_false(relay_client_pop_rx(t.cl[1], false, &rx));
    g_assert_cmpint(relay_client_send_peer(t.cl[0], t.now, "C", "x", 1), ==, -ENOTCONN);
    net_clear(&t);
}

static void test_client_punch_fails(void)
{
    net t;
    net_init(&t, RELAY_ROLE_RENDEZVOUS, 2);
    register_all(&t);
    t.cut[0] = t.cut[1] = true; /* both NATs drop everything the other side sends */
    relay_client_punch(t.cl[0], t.now, "B", 2 * SIM_SEC);
    net_run(&t, 10 * SIM_SEC);
    const relay_session *a = relay_client_session(t.cl[0], "B");
    g_assert_cmpint(a->state, ==, RELAY_PUNCH_FAILED);
    g_assert_cmpuint(a->done_at, ==, 2 * SIM_SEC); /* PEER came at once: 2 s of punching */
    g_assert_cmpuint(a->punches_sent, ==, 2 * 10); /* every 200 ms, to two targets */
    g_assert_cmpint(relay_client_session(t.cl[1], "A")->state, ==, RELAY_PUNCH_FAILED);
    net_clear(&t);
}

/* A behind a "symmetric NAT": its punches come from a port S never saw. B answers there and
 * adds it to its targets (peer-reflexive), so both sides still complete. */
static void test_client_peer_reflexive(void)
{
    net t;
    net_init(&t, RELAY_ROLE_RENDEZVOUS, 2);
    register_all(&t);
    t.reflex[0] = ep("155.99.25.11:62001");
    relay_client_punch(t.cl[0], t.now, "B", 0);
    net_run(&t, SIM_SEC);
    const relay_session *b = relay_client_session(t.cl[1], "A");
    g_assert_cmpint(b->state, ==, RELAY_PUNCH_OK);
    g_assert_cmpint(b->via, ==, RELAY_VIA_PEER_REFLEXIVE);
    g_assert_true(sim_ep_eq(&b->path, &t.reflex[0]));
    g_assert_cmpuint(b->targets->len, ==, 3);
    g_assert_cmpint(relay_client_session(t.cl[0], "B")->state, ==, RELAY_PUNCH_OK);
    net_clear(&t);
}

static void test_client_relay(void)
{
    net t;
    net_init(&t, RELAY_ROLE_RELAY, 2);
    register_all(&t);
    g_assert_cmpint(relay_client_relay_send(t.cl[0], t.now, "B", "via P", 5), ==, 0);
    net_flush(&t);
    relay_rx rx;
    g_assert_false(relay_client_pop_rx(t.cl[1], false, &rx)); /* not a direct DATA */
    g_assert_true(relay_client_pop_rx(t.cl[1], true, &rx));
    g_assert_cmpmem(rx.data, rx.len, "via P", 5);
    g_assert_cmpstr(rx.from, ==, "A");
    g_assert_true(sim_ep_eq(&rx.ep, &t.srv_ep));
    const relay_server_stats *st = relay_server_get_stats(t.srv);
    g_assert_cmpuint(st->relayed_msgs, ==, 1);
    g_assert_cmpuint(st->relayed_bytes, ==, 5);
    /* unknown peer: ERROR 404 comes back */
    relay_client_relay_send(t.cl[0], t.now, "Z", "x", 1);
    net_flush(&t);
    g_assert_cmpuint(relay_client_last_error(t.cl[0]), ==, RELAY_ERR_UNKNOWN_PEER);
    net_clear(&t);
}

/* RFC 5128 §2.2: B (index 1, public) asks R to make A (index 0, behind a NAT) contact it. */
static void test_client_reversal(void)
{
    net t;
    net_init(&t, RELAY_ROLE_REVERSAL, 2);
    relay_client_register(t.cl[0], 0); /* only A registers; B is public */
    t.pub[1] = t.local[1] = ep("138.76.29.7:31000");
    net_flush(&t);
    g_assert_cmpint(relay_client_reverse(t.cl[1], t.now, "A", 0), ==, 0);
    net_run(&t, SIM_SEC);
    const relay_session *b = relay_client_session(t.cl[1], "A");
    const relay_session *a = relay_client_session(t.cl[0], "B");
    g_assert_cmpint(b->state, ==, RELAY_PUNCH_OK);
    g_assert_true(sim_ep_eq(&b->path, &t.pub[0])); /* A's NAT mapping */
    g_assert_cmpint(a->state, ==, RELAY_PUNCH_OK);
    g_assert_true(a->reversal);
    g_assert_true(sim_ep_eq(&a->path, &t.pub[1]));
    g_assert_cmpuint(relay_server_get_stats(t.srv)->reverses, ==, 1);
    net_clear(&t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (int ty = RELAY_REGISTER; ty <= RELAY_DATA; ty++) {
        char *path = g_strdup_printf("/relay/msg/roundtrip/%s", relay_type_name(ty));
        g_test_add_data_func(path, GINT_TO_POINTER(ty), test_roundtrip);
        g_free(path);
    }
    g_test_add_func("/relay/msg/reject", test_reject);
    g_test_add_func("/relay/msg/encode-errors", test_encode_errors);
    g_test_add_func("/relay/msg/random-mutations", test_random);
    g_test_add_func("/relay/server/register-expire", test_server_register);
    g_test_add_func("/relay/server/keepalive", test_server_keepalive);
    g_test_add_func("/relay/server/errors", test_server_errors);
    g_test_add_func("/relay/server/connect", test_server_connect);
    g_test_add_func("/relay/client/register-retransmit", test_client_register_retx);
    g_test_add_func("/relay/client/punch", test_client_punch);
    g_test_add_func("/relay/client/punch-fails", test_client_punch_fails);
    g_test_add_func("/relay/client/peer-reflexive", test_client_peer_reflexive);
    g_test_add_func("/relay/client/relay", test_client_relay);
    g_test_add_func("/relay/client/reversal", test_client_reversal);
    return g_test_run();
}
