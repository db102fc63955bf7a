/* tests/unit/test_turn.c — the TURN codec (every attribute, invalid ones, ChannelData framing)
 * and the sans-I/O server core driven with fake time: authentication (401, 438, 400), every
 * Allocate error (437, 440, 441, 442, 486, 508, 420), lifetimes, Refresh and expiry,
 * permissions (a peer is never relayed without one), Send/Data indications and channels. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "tests/unit/turn_fx.h"

/* ---------------------------------------------------------------- codec */

static void test_codec_every_attribute(void)
{
    uint8_t buf[STUN_MSG_MAX];
    fx_req r = FX_REQ(TURN_ALLOCATE);
    r.channel = 0x4001;
    r.lifetime = 1200;
    r.peer = "192.0.2.1:32853";
    r.data = "hello";
    r.req_family = TURN_FAMILY_IPV4;
    r.even = true;
    r.reserve = true;
    r.transport = 17;
    r.dont_fragment = true;
    r.token = true;
    r.add_family = TURN_FAMILY_IPV6;
    size_t n = fx_build(&r, buf);
    uint8_t more[STUN_MSG_MAX];
    stun_enc e;
    uint8_t txid[STUN_TXID_LEN];
    memset(txid, 0x11, sizeof txid);
    stun_enc_init(&e, more, sizeof more, TURN_ALLOCATE, STUN_SUCCESS, txid);
    sim_ep relay = ep("18.181.0.31:50000");
    stun_enc_addr(&e, TURN_ATTR_XOR_RELAYED_ADDRESS, &relay);
    turn_enc_address_error(&e, TURN_FAMILY_IPV6, 440, NULL);
    turn_enc_icmp(&e, 3, 1, 0xdeadbeef);
    size_t n2;
    g_assert_cmpint(stun_enc_finish(&e, &n2), ==, 0);

    /* The STUN codec alone counts TURN's attributes as unknown; the TURN codec knows them. */
    stun_msg m;
    g_assert_cmpint(stun_msg_decode(buf, n, &m, NULL), ==, 0);
    g_assert_cmpuint(m.n_unknown, >, 0);
    g_assert_cmpint(turn_msg_decode(buf, n, &m, NULL), ==, 0);
    g_assert_cmpuint(m.n_unknown, ==, 0);
    uint16_t ch;
    uint32_t secs;
    uint8_t proto, fam;
    bool reserve;
    const uint8_t *data;
    size_t dlen;
    sim_ep peer;
    g_assert_cmpint(turn_msg_get_channel(&m, &ch), ==, 0);
    g_assert_cmphex(ch, ==, 0x4001);
    g_assert_cmpint(turn_msg_get_lifetime(&m, &secs), ==, 0);
    g_assert_cmpuint(secs, ==, 1200);
    g_assert_cmpint(stun_msg_get_addr(&m, TURN_ATTR_XOR_PEER_ADDRESS, &peer), ==, 0);
    assert_ep(&peer, "192.0.2.1:32853");
    g_assert_cmpint(turn_msg_get_data(&m, &data, &dlen), ==, 0);
    g_assert_cmpmem(data, dlen, "hello", 5);
    g_assert_cmpint(turn_msg_get_family(&m, TURN_ATTR_REQUESTED_ADDRESS_FAMILY, &fam), ==, 0);
    g_assert_cmpuint(fam, ==, 1);
    g_assert_cmpint(turn_msg_get_family(&m, TURN_ATTR_ADDITIONAL_ADDRESS_FAMILY, &fam), ==, 0);
    g_assert_cmpuint(fam, ==, 2);
    g_assert_cmpint(turn_msg_get_even_port(&m, &reserve), ==, 0);
    g_assert_true(reserve);
    g_assert_cmpint(turn_msg_get_transport(&m, &proto), ==, 0);
    g_assert_cmpuint(proto, ==, 17);
    g_assert_nonnull(stun_msg_find(&m, TURN_ATTR_DONT_FRAGMENT));
    uint64_t token;
    g_assert_cmpint(stun_msg_get_u64(&m, TURN_ATTR_RESERVATION_TOKEN, &token), ==, 0);
    g_assert_cmphex(token, ==, 0x0102030405060708ull);

    /* XOR-PEER-ADDRESS of 192.0.2.1:32853, XORed by hand: port 0x8055 ^ 0x2112, address
     * c0000201 ^ 2112a442 (RFC 8489 §14.2). */
    static const uint8_t want[] = { 0x00, 0x12, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47,
                                    0xe1, 0x12, 0xa6, 0x43 };
    const stun_attr *a = stun_msg_find(&m, TURN_ATTR_XOR_PEER_ADDRESS);
    g_assert_cmpmem(buf + a->off, sizeof want, want, sizeof want);

    g_assert_cmpint(turn_msg_decode(more, n2, &m, NULL), ==, 0);
    g_assert_cmpint(stun_msg_get_addr(&m, TURN_ATTR_XOR_RELAYED_ADDRESS, &peer), ==, 0);
    assert_ep(&peer, "18.181.0.31:50000");
    uint16_t code;
    char reason[64];
    g_assert_cmpint(turn_msg_get_address_error(&m, &fam, &code, reason, sizeof reason), ==, 0);
    g_assert_cmpuint(fam, ==, 2);
    g_assert_cmpuint(code, ==, 440);
    g_assert_cmpstr(reason, ==, "Address Family not Supported");
    uint8_t it, ic;
    uint32_t idata;
    g_assert_cmpint(turn_msg_get_icmp(&m, &it, &ic, &idata), ==, 0);
    g_assert_cmpuint(it, ==, 3);
    g_assert_cmpuint(ic, ==, 1);
    g_assert_cmphex(idata, ==, 0xdeadbeef);
    g_assert_cmpint(turn_msg_get_channel(&m, &ch), ==, -ENOENT);

    g_assert_cmpstr(turn_method_name(TURN_CHANNEL_BIND), ==, "ChannelBind");
    g_assert_cmpstr(turn_method_name(STUN_BINDING), ==, "Binding");
    g_assert_cmpstr(turn_attr_name(TURN_ATTR_XOR_RELAYED_ADDRESS), ==, "XOR-RELAYED-ADDRESS");
    g_assert_cmpstr(turn_attr_name(STUN_ATTR_NONCE), ==, "NONCE");
    g_assert_cmpstr(turn_reason(486), ==, "Allocation Quota Reached");
}

/* allocate-success.bin of tests/fuzz/gen_turn_corpus.py, computed with Python's hmac, hashlib
 * and zlib: XOR-RELAYED-ADDRESS 18.181.0.31:50000, LIFETIME 600, XOR-MAPPED-ADDRESS
 * 68.36.210.57:21199, ADDRESS-ERROR-CODE IPv6 440, MESSAGE-INTEGRITY keyed with
 * MD5("alice:example.org:secret"), FINGERPRINT. */
static const uint8_t py_allocate_success[] = {
    0x01, 0x03, 0x00, 0x64, 0x21, 0x12, 0xa4, 0x42, 0x01, 0x02, 0x03, 0x04,
    0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x00, 0x16, 0x00, 0x08,
    0x00, 0x01, 0xe2, 0x42, 0x33, 0xa7, 0xa4, 0x5d, 0x00, 0x0d, 0x00, 0x04,
    0x00, 0x00, 0x02, 0x58, 0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0x73, 0xdd,
    0x65, 0x36, 0x76, 0x7b, 0x80, 0x01, 0x00, 0x20, 0x02, 0x00, 0x04, 0x28,
    0x41, 0x64, 0x64, 0x72, 0x65, 0x73, 0x73, 0x20, 0x46, 0x61, 0x6d, 0x69,
    0x6c, 0x79, 0x20, 0x6e, 0x6f, 0x74, 0x20, 0x53, 0x75, 0x70, 0x70, 0x6f,
    0x72, 0x74, 0x65, 0x64, 0x00, 0x08, 0x00, 0x14, 0x76, 0xbc, 0x50, 0xa0,
    0x0c, 0x4d, 0x93, 0x4e, 0x53, 0x36, 0xa5, 0xb5, 0x03, 0xac, 0xb4, 0x51,
    0x46, 0x3e, 0x35, 0x9e, 0x80, 0x28, 0x00, 0x04, 0x21, 0xec, 0x76, 0x9f,
};

static void test_codec_python_vector(void)
{
    stun_msg m;
    g_assert_cmpint(turn_msg_decode(py_allocate_success, sizeof py_allocate_success, &m, NULL),
                    ==, 0);
    g_assert_cmpuint(m.method, ==, TURN_ALLOCATE);
    g_assert_cmpint(m.cls, ==, STUN_SUCCESS);
    sim_ep relay, mapped;
    g_assert_cmpint(stun_msg_get_addr(&m, TURN_ATTR_XOR_RELAYED_ADDRESS, &relay), ==, 0);
    assert_ep(&relay, "18.181.0.31:50000");
    g_assert_cmpint(stun_msg_get_addr(&m, STUN_ATTR_XOR_MAPPED_ADDRESS, &mapped), ==, 0);
    assert_ep(&mapped, "68.36.210.57:21199");
    uint8_t key[16];
    stun_key_long_term("alice", "example.org", "secret", key);
    g_assert_cmpint(stun_msg_check_integrity(&m, key, sizeof key), ==, 0);
    g_assert_cmpint(stun_msg_check_fingerprint(&m), ==, 0);
    key[0] ^= 1;
    g_assert_cmpint(stun_msg_check_integrity(&m, key, sizeof key), ==, -EACCES);
    key[0] ^= 1;
    /* Our encoder, given the same content, writes the same bytes. */
    uint8_t buf[STUN_MSG_MAX];
    stun_enc e;
    stun_enc_init(&e, buf, sizeof buf, TURN_ALLOCATE, STUN_SUCCESS, m.txid);
    stun_enc_addr(&e, TURN_ATTR_XOR_RELAYED_ADDRESS, &relay);
    turn_enc_lifetime(&e, 600);
    stun_enc_addr(&e, STUN_ATTR_XOR_MAPPED_ADDRESS, &mapped);
    turn_enc_address_error(&e, TURN_FAMILY_IPV6, TURN_ERR_ADDRESS_FAMILY, NULL);
    stun_enc_integrity(&e, key, sizeof key);
    stun_enc_fingerprint(&e);
    size_t n;
    g_assert_cmpint(stun_enc_finish(&e, &n), ==, 0);
    g_assert_cmpmem(buf, n, py_allocate_success, sizeof py_allocate_success);
}

static void test_codec_invalid(void)
{
    static const struct {
        uint16_t type;
        uint8_t len;
        uint8_t v[8];
    } bad[] = {
        { TURN_ATTR_CHANNEL_NUMBER, 3, { 0x40, 0, 0 } },
        { TURN_ATTR_LIFETIME, 2, { 0, 1 } },
        { TURN_ATTR_XOR_PEER_ADDRESS, 8, { 0, 3, 0, 0, 1, 2, 3, 4 } },
        { TURN_ATTR_XOR_RELAYED_ADDRESS, 7, { 0, 1, 0, 0, 1, 2, 3 } },
        { TURN_ATTR_REQUESTED_ADDRESS_FAMILY, 4, { 3, 0, 0, 0 } },
        { TURN_ATTR_REQUESTED_ADDRESS_FAMILY, 1, { 1 } },
        { TURN_ATTR_EVEN_PORT, 2, { 0x80, 0 } },
        { TURN_ATTR_REQUESTED_TRANSPORT, 8, { 17 } },
        { TURN_ATTR_DONT_FRAGMENT, 4, { 0 } },
        { TURN_ATTR_RESERVATION_TOKEN, 4, { 1, 2, 3, 4 } },
        { TURN_ATTR_ADDITIONAL_ADDRESS_FAMILY, 4, { 0, 0, 0, 0 } },
        { TURN_ATTR_ADDRESS_ERROR_CODE, 4, { 2, 0, 2, 0 } },
        { TURN_ATTR_ADDRESS_ERROR_CODE, 4, { 9, 0, 4, 40 } },
        { TURN_ATTR_ADDRESS_ERROR_CODE, 3, { 2, 0, 4 } },
        { TURN_ATTR_ICMP, 4, { 0, 0, 3, 1 } },
    };
    uint8_t txid[STUN_TXID_LEN] = { 0 };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        uint8_t buf[64];
        stun_enc e;
        stun_enc_init(&e, buf, sizeof buf, TURN_ALLOCATE, STUN_REQUEST, txid);
        stun_enc_attr(&e, bad[i].type, bad[i].v, bad[i].len);
        size_t n;
        g_assert_cmpint(stun_enc_finish(&e, &n), ==, 0);
        stun_msg m;
        m.n_attrs = 99;
        stun_err err = { 0 };
        g_assert_cmpint(turn_msg_decode(buf, n, &m, &err), ==, -EBADMSG);
        g_assert_cmpuint(m.n_attrs, ==, 99); /* untouched */
        g_assert_nonnull(err.why);
        g_assert_cmpuint(err.off, ==, STUN_HDR_LEN + 4);
        bool known;
        g_assert_nonnull(turn_attr_check(bad[i].type, bad[i].v, bad[i].len, &known));
        g_assert_true(known);
    }
    /* DATA may hold anything, of any length; a type nobody knows is no error, only unknown. */
    bool known = false;
    g_assert_null(turn_attr_check(TURN_ATTR_DATA, (const uint8_t *)"", 0, &known));
    g_assert_true(known);
    g_assert_null(turn_attr_check(0x0030, (const uint8_t *)"", 0, &known));
    g_assert_false(known);
    /* A STUN attribute keeps its STUN rule. */
    g_assert_nonnull(turn_attr_check(STUN_ATTR_MESSAGE_INTEGRITY, (const uint8_t *)"x", 1,
                                     &known));
}

static void test_chandata(void)
{
    uint8_t buf[64];
    size_t n;
    g_assert_cmpint(turn_chandata_encode(0x4000, (const uint8_t *)"abcde", 5, false, buf,
                                         sizeof buf, &n), ==, 0);
    static const uint8_t want[] = { 0x40, 0x00, 0x00, 0x05, 'a', 'b', 'c', 'd', 'e' };
    g_assert_cmpmem(buf, n, want, sizeof want);
    g_assert_true(turn_is_chandata(buf, n));
    g_assert_false(stun_is_message(buf, n));
    uint16_t ch;
    const uint8_t *d;
    size_t dl;
    g_assert_cmpint(turn_chandata_decode(buf, n, &ch, &d, &dl, NULL), ==, 0);
    g_assert_cmphex(ch, ==, 0x4000);
    g_assert_cmpmem(d, dl, "abcde", 5);
    /* Padded to 8 bytes of data over UDP: accepted either way. */
    g_assert_cmpint(turn_chandata_encode(0x4FFF, (const uint8_t *)"abcde", 5, true, buf,
                                         sizeof buf, &n), ==, 0);
    g_assert_cmpuint(n, ==, 12);
    g_assert_cmpint(turn_chandata_decode(buf, n, &ch, &d, &dl, NULL), ==, 0);
    g_assert_cmpuint(dl, ==, 5);
    /* RFC 5766 range in framing; not a channel number outside it. */
    g_assert_cmpint(turn_chandata_encode(0x7FFF, NULL, 0, true, buf, sizeof buf, &n), ==, 0);
    g_assert_cmpint(turn_chandata_decode(buf, n, &ch, &d, &dl, NULL), ==, 0);
    g_assert_cmpint(turn_chandata_encode(0x8000, NULL, 0, true, buf, sizeof buf, &n), ==,
                    -EINVAL);
    g_assert_cmpint(turn_chandata_encode(0x3FFF, NULL, 0, true, buf, sizeof buf, &n), ==,
                    -EINVAL);
    g_assert_cmpint(turn_chandata_encode(0x4000, (const uint8_t *)"abcde", 5, true, buf, 8, &n),
                    ==, -ENOSPC);

    static const struct {
        uint8_t b[12];
        size_t n;
    } bad[] = {
        { { 0x40, 0x00, 0x00 }, 3 },                          /* short header */
        { { 0x3F, 0xFF, 0x00, 0x00 }, 4 },                    /* not 01 */
        { { 0x80, 0x00, 0x00, 0x00 }, 4 },                    /* 10: not a channel */
        { { 0x40, 0x00, 0x00, 0x05, 1, 2, 3, 4 }, 8 },        /* runs past the end */
        { { 0x40, 0x00, 0x00, 0x01, 1, 0 }, 6 },              /* 1 padding byte of 3 */
        { { 0x40, 0x00, 0x00, 0x00, 0, 0, 0, 0 }, 8 },        /* 4 bytes after no data */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        const char *why = NULL;
        ch = 0;
        g_assert_cmpint(turn_chandata_decode(bad[i].b, bad[i].n, &ch, &d, &dl, &why), ==,
                        -EBADMSG);
        g_assert_nonnull(why);
        g_assert_cmpuint(ch, ==, 0);
    }
}

/* ---------------------------------------------------------------- server harness */

typedef struct srv {
    turn_server *s;
    sim_rng rng;
    sim_time_t now;
    sim_ep listen;
    char nonce[STUN_TEXT_MAX + 1];
    uint8_t resp[STUN_MSG_MAX];
    size_t resp_len;
    stun_msg m;          /* the last response */
} srv;

static void srv_init(srv *x, const turn_server_cfg *extra)
{
    memset(x, 0, sizeof *x);
    sim_rng_seed(&x->rng, 7);
    turn_server_cfg cfg = extra ? *extra : (turn_server_cfg){ 0 };
    if (!cfg.listen.port)
        cfg.listen = ep("18.181.0.31:3478");
    cfg.realm = "example.org";
    cfg.fingerprint = true;
    x->listen = cfg.listen;
    x->s = turn_server_new(&cfg, &x->rng);
    g_assert_nonnull(x->s);
    g_assert_cmpint(turn_server_add_user(x->s, "alice", "secret"), ==, 0);
    g_assert_cmpint(turn_server_add_user(x->s, "bob", "hunter2"), ==, 0);
}

static void srv_clear(srv *x) { turn_server_free(x->s); }

/* Sends r from `from` (with alice's credentials and the last nonce when auth); returns the
 * response code (0 success, -1 no response) with the response decoded into x->m. */
static int srv_req(srv *x, const char *from, fx_req r, bool auth)
{
    if (auth && !r.user) {
        r.user = "alice";
        r.pass = "secret";
    }
    if (r.user) {
        r.realm = r.realm ? r.realm : "example.org";
        r.nonce = r.nonce ? r.nonce : x->nonce;
    }
    uint8_t buf[STUN_MSG_MAX];
    size_t n = fx_build(&r, buf);
    sim_ep f = ep(from);
    turn_server_input(x->s, x->now, &x->listen, &f, buf, n);
    turn_out o;
    if (!turn_server_pop(x->s, &o))
        return -1;
    g_assert_true(sim_ep_eq(&o.from, &x->listen));
    g_assert_true(sim_ep_eq(&o.to, &f));
    turn_out extra;
    g_assert_false(turn_server_pop(x->s, &extra)); /* one answer per request */
    memcpy(x->resp, o.data, o.len);
    x->resp_len = o.len;
    g_assert_cmpint(turn_msg_decode(x->resp, x->resp_len, &x->m, NULL), ==, 0);
    g_assert_cmpint(stun_msg_check_fingerprint(&x->m), ==, 0);
    g_assert_cmpuint(x->m.method, ==, r.method);
    stun_msg_get_str(&x->m, STUN_ATTR_NONCE, x->nonce, sizeof x->nonce);
    if (x->m.cls == STUN_SUCCESS)
        return 0;
    g_assert_cmpint(x->m.cls, ==, STUN_ERROR);
    uint16_t code;
    g_assert_cmpint(stun_msg_get_error(&x->m, &code, NULL, 0), ==, 0);
    return code;
}

/* Allocates for alice from `from` (401 first); returns the relayed address. */
static sim_ep srv_allocate(srv *x, const char *from)
{
    fx_req r = FX_REQ(TURN_ALLOCATE);
    r.transport = 17;
    if (!x->nonce[0])
        g_assert_cmpint(srv_req(x, from, r, false), ==, 401);
    r.txid_byte = (uint8_t)(0x20 + turn_server_n_allocations(x->s));
    g_assert_cmpint(srv_req(x, from, r, true), ==, 0);
    sim_ep relay;
    g_assert_cmpint(stun_msg_get_addr(&x->m, TURN_ATTR_XOR_RELAYED_ADDRESS, &relay), ==, 0);
    return relay;
}

/* A datagram from peer to the relayed address; returns the number of datagrams queued. */
static int srv_peer(srv *x, const sim_ep *relay, const char *peer, const char *data,
                    turn_out *o)
{
    sim_ep p = ep(peer);
    turn_server_input(x->s, x->now, relay, &p, (const uint8_t *)data, strlen(data));
    int n = 0;
    while (turn_server_pop(x->s, o))
        n++;
    return n;
}

/* ---------------------------------------------------------------- server: authentication */

static void test_server_auth(void)
{
    srv x;
    srv_init(&x, NULL);
    fx_req r = FX_REQ(TURN_ALLOCATE);
    r.transport = 17;
    /* No credentials: 401 with REALM and NONCE, no MESSAGE-INTEGRITY. */
    g_assert_cmpint(srv_req(&x, "68.36.210.57:21199", r, false), ==, 401);
    char realm[64];
    g_assert_cmpint(stun_msg_get_str(&x.m, STUN_ATTR_REALM, realm, sizeof realm), ==, 0);
    g_assert_cmpstr(realm, ==, "example.org");
    g_assert_cmpuint(strlen(x.nonce), ==, 32);
    g_assert_null(stun_msg_find(&x.m, STUN_ATTR_MESSAGE_INTEGRITY));
    /* Wrong password, unknown user, wrong realm: 401 again. */
    r.user = "alice";
    r.pass = "wrong";
    g_assert_cmpint(srv_req(&x, "68.36.210.57:21199", r, true), ==, 401);
    r.user = "mallory";
    g_assert_cmpint(srv_req(&x, "68.36.210.57:21199", r, true), ==, 401);
    r.user = "alice";
    r.pass = "secret";
    r.realm = "other.org";
    g_assert_cmpint(srv_req(&x, "68.36.210.57:21199", r, true), ==, 401);
    r.realm = NULL;
    /* A nonce the server never made: 438 with a fresh one. */
    r.nonce = "0123456789abcdef0123456789abcdef";
    g_assert_cmpint(srv_req(&x, "68.36.210.57:21199", r, true), ==, 438);
    g_assert_cmpstr(x.nonce, !=, r.nonce);
    r.nonce = NULL;
    g_assert_cmpint(srv_req(&x, "68.36.210.57:21199", r, true), ==, 0);
    /* Integrity with the user's long-term key MD5(alice:example.org:secret). */
    uint8_t key[16];
    stun_key_long_term("alice", "example.org", "secret", key);
    g_assert_cmpint(stun_msg_check_integrity(&x.m, key, sizeof key), ==, 0);
    g_assert_cmpuint(turn_server_get_stats(x.s)->allocations, ==, 1);
    srv_clear(&x);
}

static void test_server_stale_nonce(void)
{
    srv x;
    srv_init(&x, &(turn_server_cfg){ .nonce_lifetime = 60 * SIM_SEC });
    srv_allocate(&x, "68.36.210.57:21199");
    char old[STUN_TEXT_MAX + 1];
    g_strlcpy(old, x.nonce, sizeof old);
    x.now = 61 * SIM_SEC;
    fx_req r = FX_REQ(TURN_REFRESH);
    g_assert_cmpint(srv_req(&x, "68.36.210.57:21199", r, true), ==, 438);
    g_assert_null(stun_msg_find(&x.m, STUN_ATTR_MESSAGE_INTEGRITY));
    g_assert_nonnull(stun_msg_find(&x.m, STUN_ATTR_REALM));
    g_assert_cmpstr(x.nonce, !=, old);
    g_assert_cmpint(srv_req(&x, "68.36.210.57:21199", r, true), ==, 0);
    srv_clear(&x);
}

static void test_server_bad_requests(void)
{
    srv x;
    srv_init(&x, NULL);
    srv_allocate(&x, "68.36.210.57:21199");
    /* MESSAGE-INTEGRITY without NONCE: 400. */
    fx_req r = FX_REQ(TURN_REFRESH);
    uint8_t buf[STUN_MSG_MAX], txid[STUN_TXID_LEN] = { 1 };
    stun_enc e;
    stun_enc_init(&e, buf, sizeof buf, TURN_REFRESH, STUN_REQUEST, txid);
    stun_enc_str(&e, STUN_ATTR_USERNAME, "alice");
    stun_enc_integrity(&e, (const uint8_t *)"k", 1);
    size_t n;
    g_assert_cmpint(stun_enc_finish(&e, &n), ==, 0);
    sim_ep from = ep("68.36.210.57:21199");
    turn_out o;
    turn_server_input(x.s, 0, &x.listen, &from, buf, n);
    g_assert_true(turn_server_pop(x.s, &o));
    stun_msg m;
    uint16_t code;
    g_assert_cmpint(turn_msg_decode(o.data, o.len, &m, NULL), ==, 0);
    g_assert_cmpint(stun_msg_get_error(&m, &code, NULL, 0), ==, 0);
    g_assert_cmpuint(code, ==, 400);
    /* A malformed request (bad LIFETIME size) still gets 400; garbage gets nothing. */
    stun_enc_init(&e, buf, sizeof buf, TURN_REFRESH, STUN_REQUEST, txid);
    stun_enc_attr(&e, TURN_ATTR_LIFETIME, "ab", 2);
    g_assert_cmpint(stun_enc_finish(&e, &n), ==, 0);
    g_assert_cmpint(turn_server_input(x.s, 0, &x.listen, &from, buf, n), ==, -EBADMSG);
    g_assert_true(turn_server_pop(x.s, &o));
    g_assert_cmpint(turn_msg_decode(o.data, o.len, &m, NULL), ==, 0);
    g_assert_cmpint(stun_msg_get_error(&m, &code, NULL, 0), ==, 0);
    g_assert_cmpuint(code, ==, 400);
    g_assert_cmpuint(m.method, ==, TURN_REFRESH);
    g_assert_cmpint(turn_server_input(x.s, 0, &x.listen, &from, (const uint8_t *)"junk!", 5),
                    ==, -EBADMSG);
    g_assert_false(turn_server_pop(x.s, &o));
    /* An unknown comprehension-required attribute: 420 naming it, after authentication. */
    r.unknown_type = 0x0031;
    g_assert_cmpint(srv_req(&x, "68.36.210.57:21199", r, true), ==, 420);
    uint16_t types[4];
    g_assert_cmpint(stun_msg_get_unknown(&x.m, types, 4, &n), ==, 0);
    g_assert_cmpuint(n, ==, 1);
    g_assert_cmphex(types[0], ==, 0x0031);
    /* A TURN server is a STUN server too: Binding, unauthenticated, gets the reflexive address. */
    g_assert_cmpint(srv_req(&x, "68.36.210.57:21199", FX_REQ(STUN_BINDING), false), ==, 0);
    sim_ep mapped;
    g_assert_cmpint(stun_msg_get_addr(&x.m, STUN_ATTR_XOR_MAPPED_ADDRESS, &mapped), ==, 0);
    g_assert_true(sim_ep_eq(&mapped, &from));
    g_assert_cmpint(srv_req(&x, "68.36.210.57:21199", FX_REQ(0x005), true), ==, 400);
    g_assert_cmpint(srv_req(&x, "68.36.210.57:21199", FX_REQ(TURN_SEND), true), ==, 400);
    /* A request on a relayed address that is not ours. */
    sim_ep nowhere = ep("18.181.0.31:1");
    g_assert_cmpint(turn_server_input(x.s, 0, &nowhere, &from, buf, n), ==, -EINVAL);
    srv_clear(&x);
}

/* ---------------------------------------------------------------- server: Allocate errors */

static void test_server_allocate_errors(void)
{
    srv x;
    srv_init(&x, &(turn_server_cfg){ .quota = 2, .port_min = 50000, .port_max = 50002 });
    const char *a = "68.36.210.57:21199";
    fx_req r = FX_REQ(TURN_ALLOCATE);
    g_assert_cmpint(srv_req(&x, a, r, false), ==, 401);
    g_assert_cmpint(srv_req(&x, a, r, true), ==, 400); /* no REQUESTED-TRANSPORT */
    r.transport = 6;
    g_assert_cmpint(srv_req(&x, a, r, true), ==, 442);
    r.transport = 17;
    r.req_family = TURN_FAMILY_IPV6;
    g_assert_cmpint(srv_req(&x, a, r, true), ==, 440);
    r.add_family = TURN_FAMILY_IPV6;
    g_assert_cmpint(srv_req(&x, a, r, true), ==, 400); /* both families */
    r.req_family = -1;
    r.add_family = -1;
    r.token = true;
    g_assert_cmpint(srv_req(&x, a, r, true), ==, 508); /* no reservation held */
    r.token = false;
    r.even = true;
    r.reserve = true;
    g_assert_cmpint(srv_req(&x, a, r, true), ==, 508);
    r.reserve = false;
    /* EVEN-PORT without R and a request for IPv6 as the additional family: an even port and
     * ADDRESS-ERROR-CODE 440 for IPv6 in the success response. */
    r.add_family = TURN_FAMILY_IPV6;
    r.dont_fragment = true;
    g_assert_cmpint(srv_req(&x, a, r, true), ==, 0);
    sim_ep relay;
    g_assert_cmpint(stun_msg_get_addr(&x.m, TURN_ATTR_XOR_RELAYED_ADDRESS, &relay), ==, 0);
    g_assert_cmpuint(relay.port % 2, ==, 0);
    g_assert_cmpuint(relay.port, >=, 50000);
    uint8_t fam;
    uint16_t code;
    g_assert_cmpint(turn_msg_get_address_error(&x.m, &fam, &code, NULL, 0), ==, 0);
    g_assert_cmpuint(fam, ==, 2);
    g_assert_cmpuint(code, ==, 440);
    sim_ep mapped;
    g_assert_cmpint(stun_msg_get_addr(&x.m, STUN_ATTR_XOR_MAPPED_ADDRESS, &mapped), ==, 0);
    assert_ep(&mapped, a);
    turn_server_event ev;
    g_assert_true(turn_server_pop_event(x.s, &ev));
    g_assert_cmpint(ev.kind, ==, TURN_SEV_RELAY_OPEN);
    g_assert_true(sim_ep_eq(&ev.relay, &relay));
    /* The same Allocate again (retransmission): same answer; a new one: 437. */
    g_assert_cmpint(srv_req(&x, a, r, true), ==, 0);
    sim_ep again;
    stun_msg_get_addr(&x.m, TURN_ATTR_XOR_RELAYED_ADDRESS, &again);
    g_assert_true(sim_ep_eq(&again, &relay));
    r.txid_byte = 0x42;
    g_assert_cmpint(srv_req(&x, a, r, true), ==, 437);
    /* Quota: alice has 2 allocations at most. */
    r = FX_REQ(TURN_ALLOCATE);
    r.transport = 17;
    g_assert_cmpint(srv_req(&x, "68.36.210.57:21200", r, true), ==, 0);
    g_assert_cmpint(srv_req(&x, "68.36.210.57:21201", r, true), ==, 486);
    /* Ports: 50000..50002 holds three; bob gets the last one, then 508. */
    r.user = "bob";
    r.pass = "hunter2";
    g_assert_cmpint(srv_req(&x, "68.36.210.58:1000", r, true), ==, 0);
    g_assert_cmpint(srv_req(&x, "68.36.210.58:1001", r, true), ==, 508);
    g_assert_cmpuint(turn_server_n_allocations(x.s), ==, 3);
    /* 441: bob refreshing alice's allocation (her 5-tuple) with his own valid credentials. */
    fx_req rf = FX_REQ(TURN_REFRESH);
    rf.user = "bob";
    rf.pass = "hunter2";
    g_assert_cmpint(srv_req(&x, a, rf, true), ==, 441);
    /* 437: a Refresh where there is no allocation. */
    g_assert_cmpint(srv_req(&x, "68.36.210.99:5", FX_REQ(TURN_REFRESH), true), ==, 437);
    srv_clear(&x);
}

/* ---------------------------------------------------------------- server: lifetimes */

static uint32_t resp_lifetime(const srv *x)
{
    uint32_t secs = 0;
    g_assert_cmpint(turn_msg_get_lifetime(&x->m, &secs), ==, 0);
    return secs;
}

static void test_server_lifetime(void)
{
    srv x;
    srv_init(&x, NULL);
    const char *a = "68.36.210.57:21199";
    sim_ep relay = srv_allocate(&x, a);
    g_assert_cmpuint(resp_lifetime(&x), ==, 600);
    turn_server_event ev;
    g_assert_true(turn_server_pop_event(x.s, &ev));
    fx_req r = FX_REQ(TURN_REFRESH);
    r.lifetime = 1200;
    g_assert_cmpint(srv_req(&x, a, r, true), ==, 0);
    g_assert_cmpuint(resp_lifetime(&x), ==, 1200);
    r.lifetime = 99999;
    g_assert_cmpint(srv_req(&x, a, r, true), ==, 0);
    g_assert_cmpuint(resp_lifetime(&x), ==, 3600);
    r.lifetime = 30;
    g_assert_cmpint(srv_req(&x, a, r, true), ==, 0);
    g_assert_cmpuint(resp_lifetime(&x), ==, 600);
    r.lifetime = -1;
    r.req_family = TURN_FAMILY_IPV6;
    g_assert_cmpint(srv_req(&x, a, r, true), ==, 443);
    /* Expiry: nothing refreshes it; at 600 s it is gone and its relay socket closes. */
    g_assert_cmpuint(turn_server_next_deadline(x.s), ==, 600 * SIM_SEC);
    turn_server_timeout(x.s, 599 * SIM_SEC);
    g_assert_cmpuint(turn_server_n_allocations(x.s), ==, 1);
    turn_server_timeout(x.s, 600 * SIM_SEC);
    g_assert_cmpuint(turn_server_n_allocations(x.s), ==, 0);
    g_assert_cmpuint(turn_server_get_stats(x.s)->expired, ==, 1);
    g_assert_true(turn_server_pop_event(x.s, &ev));
    g_assert_cmpint(ev.kind, ==, TURN_SEV_RELAY_CLOSE);
    g_assert_true(sim_ep_eq(&ev.relay, &relay));
    g_assert_cmpuint(turn_server_next_deadline(x.s), ==, SIM_TIME_NEVER);
    /* Refresh with LIFETIME 0 deletes at once. */
    x.now = 700 * SIM_SEC;
    srv_allocate(&x, a);
    r = FX_REQ(TURN_REFRESH);
    r.lifetime = 0;
    g_assert_cmpint(srv_req(&x, a, r, true), ==, 0);
    g_assert_cmpuint(resp_lifetime(&x), ==, 0);
    g_assert_cmpuint(turn_server_n_allocations(x.s), ==, 0);
    g_assert_cmpint(srv_req(&x, a, r, true), ==, 437);
    srv_clear(&x);
}

/* ---------------------------------------------------------------- server: relaying */

static void test_server_permissions(void)
{
    srv x;
    srv_init(&x, NULL);
    const char *a = "68.36.210.57:21199";
    sim_ep relay = srv_allocate(&x, a);
    turn_out o;
    /* No permission: the peer's datagram is dropped, never relayed. */
    g_assert_cmpint(srv_peer(&x, &relay, "138.76.29.7:4000", "knock", &o), ==, 0);
    g_assert_cmpuint(turn_server_get_stats(x.s)->no_permission, ==, 1);
    /* Send indication without permission: dropped as well. */
    fx_req s = FX_REQ(TURN_SEND);
    s.cls = STUN_INDICATION;
    s.peer = "138.76.29.7:4000";
    s.data = "hello";
    g_assert_cmpint(srv_req(&x, a, s, false), ==, -1);
    g_assert_cmpuint(turn_server_get_stats(x.s)->no_permission, ==, 2);
    /* CreatePermission: none, IPv6 peer, then two peers at once. */
    fx_req p = FX_REQ(TURN_CREATE_PERMISSION);
    g_assert_cmpint(srv_req(&x, a, p, true), ==, 400);
    p.peer = "[2001:db8::1]:4000";
    g_assert_cmpint(srv_req(&x, a, p, true), ==, 443);
    p.peer = "138.76.29.7:1";
    p.peer2 = "138.76.29.8:1";
    g_assert_cmpint(srv_req(&x, a, p, true), ==, 0);
    /* The permission is per IP: any port of 138.76.29.7 now gets through, as a Data indication. */
    g_assert_cmpint(srv_peer(&x, &relay, "138.76.29.7:4000", "knock", &o), ==, 1);
    g_assert_true(sim_ep_eq(&o.from, &x.listen));
    assert_ep(&o.to, a);
    stun_msg m;
    g_assert_cmpint(turn_msg_decode(o.data, o.len, &m, NULL), ==, 0);
    g_assert_cmpint(m.cls, ==, STUN_INDICATION);
    g_assert_cmpuint(m.method, ==, TURN_DATA);
    sim_ep peer;
    const uint8_t *d;
    size_t dl;
    g_assert_cmpint(stun_msg_get_addr(&m, TURN_ATTR_XOR_PEER_ADDRESS, &peer), ==, 0);
    assert_ep(&peer, "138.76.29.7:4000");
    g_assert_cmpint(turn_msg_get_data(&m, &d, &dl), ==, 0);
    g_assert_cmpmem(d, dl, "knock", 5);
    /* Send indication: relayed from the relayed address to the peer. */
    sim_ep from = ep(a);
    uint8_t buf[STUN_MSG_MAX];
    size_t n = fx_build(&s, buf);
    g_assert_cmpint(turn_server_input(x.s, 0, &x.listen, &from, buf, n), ==, 0);
    g_assert_true(turn_server_pop(x.s, &o));
    g_assert_true(sim_ep_eq(&o.from, &relay));
    assert_ep(&o.to, "138.76.29.7:4000");
    g_assert_cmpmem(o.data, o.len, "hello", 5);
    /* A peer with no permission still gets nothing. */
    g_assert_cmpint(srv_peer(&x, &relay, "138.76.29.9:4000", "knock", &o), ==, 0);
    /* Permissions last 300 s. */
    g_assert_cmpuint(turn_server_next_deadline(x.s), ==, 300 * SIM_SEC);
    x.now = 300 * SIM_SEC;
    turn_server_timeout(x.s, x.now);
    g_assert_cmpint(srv_peer(&x, &relay, "138.76.29.7:4000", "late", &o), ==, 0);
    g_assert_cmpuint(turn_server_get_stats(x.s)->no_permission, ==, 4);
    srv_clear(&x);
}

static void test_server_channels(void)
{
    srv x;
    srv_init(&x, NULL);
    const char *a = "68.36.210.57:21199";
    sim_ep relay = srv_allocate(&x, a);
    fx_req b = FX_REQ(TURN_CHANNEL_BIND);
    b.peer = "138.76.29.7:4000";
    g_assert_cmpint(srv_req(&x, a, b, true), ==, 400); /* no CHANNEL-NUMBER */
    b.channel = 0x3FFF;
    g_assert_cmpint(srv_req(&x, a, b, true), ==, 400);
    b.channel = 0x8000; /* beyond even RFC 5766's range */
    g_assert_cmpint(srv_req(&x, a, b, true), ==, 400);
    b.peer = "138.76.29.7:4100";
    b.channel = 0x7ACA; /* RFC 5766's range, which coturn's turnutils_uclient draws from */
    g_assert_cmpint(srv_req(&x, a, b, true), ==, 0);
    b.peer = "138.76.29.7:4000";
    b.channel = 0x4000;
    g_assert_cmpint(srv_req(&x, a, b, true), ==, 0);
    g_assert_cmpint(srv_req(&x, a, b, true), ==, 0); /* a refresh */
    b.peer = "138.76.29.7:4001";
    g_assert_cmpint(srv_req(&x, a, b, true), ==, 400); /* channel bound to another peer */
    b.peer = "138.76.29.7:4000";
    b.channel = 0x4001;
    g_assert_cmpint(srv_req(&x, a, b, true), ==, 400); /* peer bound to another channel */
    b.peer = "[2001:db8::1]:4000";
    g_assert_cmpint(srv_req(&x, a, b, true), ==, 443);

    /* The binding installed the permission: the peer's datagrams come as ChannelData. */
    turn_out o;
    g_assert_cmpint(srv_peer(&x, &relay, "138.76.29.7:4000", "hi", &o), ==, 1);
    uint16_t ch;
    const uint8_t *d;
    size_t dl;
    g_assert_cmpint(turn_chandata_decode(o.data, o.len, &ch, &d, &dl, NULL), ==, 0);
    g_assert_cmphex(ch, ==, 0x4000);
    g_assert_cmpmem(d, dl, "hi", 2);
    g_assert_cmpuint(o.len, ==, 6); /* not padded over UDP */
    /* Another port of the same IP is permitted but not bound: a Data indication. */
    g_assert_cmpint(srv_peer(&x, &relay, "138.76.29.7:4009", "hi", &o), ==, 1);
    g_assert_false(turn_is_chandata(o.data, o.len));
    /* ChannelData from the client, padded or not, goes to the peer. */
    sim_ep from = ep(a);
    uint8_t buf[64];
    size_t n;
    turn_chandata_encode(0x4000, (const uint8_t *)"abc", 3, true, buf, sizeof buf, &n);
    g_assert_cmpint(turn_server_input(x.s, 0, &x.listen, &from, buf, n), ==, 0);
    g_assert_true(turn_server_pop(x.s, &o));
    g_assert_true(sim_ep_eq(&o.from, &relay));
    assert_ep(&o.to, "138.76.29.7:4000");
    g_assert_cmpmem(o.data, o.len, "abc", 3);
    /* An unbound channel, or one from another client: dropped. */
    turn_chandata_encode(0x4002, (const uint8_t *)"abc", 3, true, buf, sizeof buf, &n);
    g_assert_cmpint(turn_server_input(x.s, 0, &x.listen, &from, buf, n), ==, -ENOENT);
    sim_ep other = ep("68.36.210.57:1");
    turn_chandata_encode(0x4000, (const uint8_t *)"abc", 3, true, buf, sizeof buf, &n);
    g_assert_cmpint(turn_server_input(x.s, 0, &x.listen, &other, buf, n), ==, -ENOENT);
    g_assert_cmpuint(turn_server_get_stats(x.s)->no_channel, ==, 2);
    g_assert_false(turn_server_pop(x.s, &o));

    /* Keep the allocation and the permission alive; let the channel expire at 600 s. */
    fx_req r = FX_REQ(TURN_REFRESH);
    r.lifetime = 3600;
    fx_req p = FX_REQ(TURN_CREATE_PERMISSION);
    p.peer = "138.76.29.7:4000";
    for (x.now = 0; x.now <= 700 * SIM_SEC; x.now += 200 * SIM_SEC) {
        turn_server_timeout(x.s, x.now);
        g_assert_cmpint(srv_req(&x, a, p, true), ==, 0);
        g_assert_cmpint(srv_req(&x, a, r, true), ==, 0);
    }
    x.now = 700 * SIM_SEC;
    turn_server_timeout(x.s, x.now);
    g_assert_cmpint(srv_peer(&x, &relay, "138.76.29.7:4000", "hi", &o), ==, 1);
    g_assert_false(turn_is_chandata(o.data, o.len)); /* expired: back to Data indications */
    /* Expired but cooling down: 0x4000 still may not go to another peer, until 900 s. */
    b.channel = 0x4000;
    b.peer = "138.76.29.7:4001";
    g_assert_cmpint(srv_req(&x, a, b, true), ==, 400);
    x.now = 900 * SIM_SEC;
    turn_server_timeout(x.s, x.now);
    g_assert_cmpint(srv_req(&x, a, b, true), ==, 0);
    srv_clear(&x);
}

static void test_server_ipv6(void)
{
    srv x;
    srv_init(&x, &(turn_server_cfg){ .listen = ep("[2001:db8::31]:3478") });
    const char *a = "[2001:db8:1::57]:21199";
    fx_req r = FX_REQ(TURN_ALLOCATE);
    r.transport = 17;
    r.req_family = TURN_FAMILY_IPV4;
    g_assert_cmpint(srv_req(&x, a, r, false), ==, 401);
    g_assert_cmpint(srv_req(&x, a, r, true), ==, 440); /* an IPv4 relay on an IPv6 server */
    r.req_family = TURN_FAMILY_IPV6;
    g_assert_cmpint(srv_req(&x, a, r, true), ==, 0);
    sim_ep relay, mapped;
    g_assert_cmpint(stun_msg_get_addr(&x.m, TURN_ATTR_XOR_RELAYED_ADDRESS, &relay), ==, 0);
    g_assert_cmpuint(relay.ip.family, ==, SIM_AF_INET6);
    g_assert_true(sim_ip_eq(&relay.ip, &x.listen.ip));
    g_assert_cmpint(stun_msg_get_addr(&x.m, STUN_ATTR_XOR_MAPPED_ADDRESS, &mapped), ==, 0);
    assert_ep(&mapped, a);
    fx_req p = FX_REQ(TURN_CREATE_PERMISSION);
    p.peer = "138.76.29.7:1";
    g_assert_cmpint(srv_req(&x, a, p, true), ==, 443);
    p.peer = "[2001:db8:2::33]:5000";
    g_assert_cmpint(srv_req(&x, a, p, true), ==, 0);
    turn_out o;
    g_assert_cmpint(srv_peer(&x, &relay, "[2001:db8:2::33]:5000", "v6", &o), ==, 1);
    stun_msg m;
    sim_ep peer;
    g_assert_cmpint(turn_msg_decode(o.data, o.len, &m, NULL), ==, 0);
    g_assert_cmpint(stun_msg_get_addr(&m, TURN_ATTR_XOR_PEER_ADDRESS, &peer), ==, 0);
    assert_ep(&peer, "[2001:db8:2::33]:5000");
    srv_clear(&x);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/turn/codec/every-attribute", test_codec_every_attribute);
    g_test_add_func("/turn/codec/python-vector", test_codec_python_vector);
    g_test_add_func("/turn/codec/invalid-attributes", test_codec_invalid);
    g_test_add_func("/turn/codec/channeldata", test_chandata);
    g_test_add_func("/turn/server/auth-401-438", test_server_auth);
    g_test_add_func("/turn/server/stale-nonce", test_server_stale_nonce);
    g_test_add_func("/turn/server/bad-requests-400-420", test_server_bad_requests);
    g_test_add_func("/turn/server/allocate-errors", test_server_allocate_errors);
    g_test_add_func("/turn/server/lifetime-refresh-expiry", test_server_lifetime);
    g_test_add_func("/turn/server/permissions", test_server_permissions);
    g_test_add_func("/turn/server/channels", test_server_channels);
    g_test_add_func("/turn/server/ipv6", test_server_ipv6);
    return g_test_run();
}
