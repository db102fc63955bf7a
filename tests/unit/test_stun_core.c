/* tests/unit/test_stun_core.c — the STUN sans-I/O cores with fake time: the client's RFC 8489
 * retransmission schedule and matching, the Binding server's answers (IPv4, IPv6, errors) and
 * its RFC 5780 behaviour-discovery endpoints. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/stun/stun.h"
#include "ep_util.h"

/* A response to the request in req[0..len): class cls, XOR-MAPPED-ADDRESS mapped (success) or
 * ERROR-CODE code (error). */
static size_t make_response(const uint8_t *req, size_t len, stun_class cls, const char *mapped,
                            uint16_t code, uint8_t *out)
{
    stun_msg m;
    g_assert_cmpint(stun_msg_decode(req, len, &m, NULL), ==, 0);
    stun_enc e;
    stun_enc_init(&e, out, STUN_MSG_MAX, m.method, cls, m.txid);
    if (cls == STUN_SUCCESS) {
        sim_ep a = ep(mapped);
        stun_enc_addr(&e, STUN_ATTR_XOR_MAPPED_ADDRESS, &a);
    } else {
        stun_enc_error(&e, code, NULL);
    }
    stun_enc_fingerprint(&e);
    size_t n;
    g_assert_cmpint(stun_enc_finish(&e, &n), ==, 0);
    return n;
}

/* ---------------------------------------------------------------- client */

/* With no answer: transmissions at 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s; timeout at 39.5 s
 * (RFC 8489 §6.2.1), then nothing more. */
static void test_client_schedule(void)
{
    static const double want[] = { 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 };
    sim_rng r;
    sim_rng_seed(&r, 1);
    stun_client *c = stun_client_new(&(stun_client_cfg){ .fingerprint = true }, &r);
    sim_ep srv = ep("18.181.0.31:3478");
    unsigned id, done;
    g_assert_cmpint(stun_client_binding(c, 0, &srv, 0, &id), ==, 0);
    sim_time_t now = 0;
    size_t sent = 0;
    uint8_t first[STUN_MSG_MAX];
    size_t first_len = 0;
    for (int guard = 0; guard < 20; guard++) {
        stun_out o;
        while (stun_client_pop(c, &o)) {
            g_assert_cmpuint(sent, <, G_N_ELEMENTS(want));
            g_assert_cmpuint(now, ==, sim_time_from_sec(want[sent]));
            assert_ep(&o.to, "18.181.0.31:3478");
            if (sent == 0) {
                memcpy(first, o.data, o.len);
                first_len = o.len;
            }
            g_assert_cmpmem(o.data, o.len, first, first_len); /* same bytes, same txid */
            sent++;
        }
        sim_time_t d = stun_client_next_deadline(c);
        if (d == SIM_TIME_NEVER)
            break;
        g_assert_cmpuint(d, >, now);
        now = d;
        stun_client_timeout(c, now);
    }
    g_assert_cmpuint(sent, ==, 7);
    const stun_tx *t = stun_client_tx(c, id);
    g_assert_cmpint(t->state, ==, STUN_TX_TIMEOUT);
    g_assert_cmpuint(t->done_at, ==, 39500 * SIM_MS);
    g_assert_true(stun_client_pop_done(c, &done));
    g_assert_cmpuint(done, ==, id);
    g_assert_false(stun_client_pop_done(c, &done));
    g_assert_cmpuint(stun_client_get_stats(c)->retransmits, ==, 6);
    g_assert_cmpuint(stun_client_get_stats(c)->timeouts, ==, 1);
    /* The request is a well-formed Binding request with a valid FINGERPRINT. */
    stun_msg m;
    g_assert_cmpint(stun_msg_decode(first, first_len, &m, NULL), ==, 0);
    g_assert_cmpint(m.cls, ==, STUN_REQUEST);
    g_assert_cmpint(stun_msg_check_fingerprint(&m), ==, 0);
    stun_client_free(c);

    /* A configured RTO scales the schedule: 100 ms gives up at 7.9 s. */
    c = stun_client_new(&(stun_client_cfg){ .rto = 100 * SIM_MS }, &r);
    g_assert_cmpint(stun_client_binding(c, 0, &srv, 0, &id), ==, 0);
    for (sim_time_t d; (d = stun_client_next_deadline(c)) != SIM_TIME_NEVER;)
        stun_client_timeout(c, d);
    g_assert_cmpuint(stun_client_tx(c, id)->done_at, ==, 7900 * SIM_MS);
    stun_client_free(c);
}

/* A success response ends the transaction: no more retransmissions, the mapped address is
 * readable; stray and duplicate answers are ignored. */
static void test_client_success(void)
{
    sim_rng r;
    sim_rng_seed(&r, 2);
    stun_client *c = stun_client_new(&(stun_client_cfg){ 0 }, &r);
    sim_ep srv = ep("18.181.0.31:3478");
    unsigned id1, id2, done;
    g_assert_cmpint(stun_client_binding(c, 0, &srv, 0, &id1), ==, 0);
    g_assert_cmpint(stun_client_binding(c, 0, &srv, 0, &id2), ==, 0);
    stun_out o1, o2, o;
    g_assert_true(stun_client_pop(c, &o1));
    g_assert_true(stun_client_pop(c, &o2));
    g_assert_cmpmem(o1.data + 8, 12, stun_client_tx(c, id1)->txid, 12);
    g_assert_false(memcmp(o1.data + 8, o2.data + 8, 12) == 0); /* distinct transaction ids */
    stun_client_timeout(c, 500 * SIM_MS);
    g_assert_true(stun_client_pop(c, &o));
    g_assert_true(stun_client_pop(c, &o));

    uint8_t resp[STUN_MSG_MAX], stray[STUN_MSG_MAX];
    size_t n = make_response(o2.data, o2.len, STUN_SUCCESS, "68.36.210.57:21199", 0, resp);
    /* A response with another transaction id: ignored. */
    memcpy(stray, resp, n);
    stray[19] ^= 0xff;
    stun_msg m;
    g_assert_cmpint(stun_msg_decode(stray, n, &m, NULL), ==, 0);
    g_assert_cmpint(stun_client_input(c, 700 * SIM_MS, &srv, stray, n), ==, -ENOENT);
    g_assert_cmpint(stun_client_input(c, 700 * SIM_MS, &srv, o1.data, o1.len), ==, -ENOENT);
    g_assert_cmpint(stun_client_input(c, 700 * SIM_MS, &srv, (const uint8_t *)"junk", 4), ==,
                    -EBADMSG);
    g_assert_cmpint(stun_client_tx(c, id2)->state, ==, STUN_TX_RUNNING);

    g_assert_cmpint(stun_client_input(c, 700 * SIM_MS, &srv, resp, n), ==, 0);
    const stun_tx *t = stun_client_tx(c, id2);
    g_assert_cmpint(t->state, ==, STUN_TX_SUCCESS);
    g_assert_cmpuint(t->done_at, ==, 700 * SIM_MS);
    sim_ep mapped;
    g_assert_cmpint(stun_binding_mapped(t->resp, t->resp_len, &mapped), ==, 0);
    assert_ep(&mapped, "68.36.210.57:21199");
    g_assert_true(stun_client_pop_done(c, &done));
    g_assert_cmpuint(done, ==, id2);
    /* A duplicate of the answer is stray now. */
    g_assert_cmpint(stun_client_input(c, 800 * SIM_MS, &srv, resp, n), ==, -ENOENT);

    /* Only transaction 1 keeps retransmitting: at 1.5 s exactly one datagram, its own. */
    g_assert_cmpuint(stun_client_next_deadline(c), ==, 1500 * SIM_MS);
    stun_client_timeout(c, 1500 * SIM_MS);
    g_assert_true(stun_client_pop(c, &o));
    g_assert_cmpmem(o.data, o.len, o1.data, o1.len);
    g_assert_false(stun_client_pop(c, &o));

    /* An error response ends it with the code. */
    n = make_response(o1.data, o1.len, STUN_ERROR, NULL, 420, resp);
    g_assert_cmpint(stun_client_input(c, 2 * SIM_SEC, &srv, resp, n), ==, 0);
    g_assert_cmpint(stun_client_tx(c, id1)->state, ==, STUN_TX_ERROR);
    g_assert_cmpuint(stun_client_tx(c, id1)->code, ==, 420);
    g_assert_cmpuint(stun_client_next_deadline(c), ==, SIM_TIME_NEVER);
    g_assert_cmpint(stun_binding_mapped(resp, n, &mapped), ==, -EPROTO);
    stun_client_forget(c, id1);
    g_assert_null(stun_client_tx(c, id1));
    /* Restarting a running transaction id is refused; a response is not a request. */
    g_assert_cmpint(stun_client_start(c, 3 * SIM_SEC, &srv, o1.data, o1.len, NULL), ==, 0);
    g_assert_cmpint(stun_client_start(c, 3 * SIM_SEC, &srv, o1.data, o1.len, NULL), ==, -EEXIST);
    g_assert_cmpint(stun_client_start(c, 3 * SIM_SEC, &srv, resp, n, NULL), ==, -EINVAL);
    stun_client_free(c);
}

/* ---------------------------------------------------------------- server */

static stun_server *server_5780(void)
{
    stun_server_cfg cfg = { .primary = ep("18.181.0.31:3478"), .alt_port = 3479,
                            .software = "natsim-stun", .fingerprint = true };
    sim_ip_parse("18.181.0.32", &cfg.alt_ip);
    stun_server *s = stun_server_new(&cfg);
    g_assert_nonnull(s);
    return s;
}

/* Builds a Binding request; extra attributes via the callback-free flags below. */
static size_t binding_request(uint8_t *buf, uint32_t change, int resp_port, size_t padding,
                              uint16_t extra_type)
{
    static const uint8_t txid[12] = { 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa,
                                      0x87, 0xdf, 0xae };
    static const uint8_t zeros[256];
    stun_enc e;
    stun_enc_init(&e, buf, STUN_MSG_MAX, STUN_BINDING, STUN_REQUEST, txid);
    if (change)
        stun_enc_u32(&e, STUN_ATTR_CHANGE_REQUEST, change);
    if (resp_port)
        stun_enc_port(&e, STUN_ATTR_RESPONSE_PORT, (uint16_t)resp_port);
    if (padding)
        stun_enc_attr(&e, STUN_ATTR_PADDING, zeros, padding);
    if (extra_type)
        stun_enc_attr(&e, extra_type, "abcd", 4);
    stun_enc_fingerprint(&e);
    size_t n;
    g_assert_cmpint(stun_enc_finish(&e, &n), ==, 0);
    return n;
}

/* Runs one request through the server and decodes the single response into *m (resp holds
 * the bytes). */
static void one_response(stun_server *s, size_t idx, const char *from, const uint8_t *req,
                         size_t len, stun_out *o, stun_msg *m)
{
    sim_ep f = ep(from);
    g_assert_cmpint(stun_server_input(s, 0, idx, &f, req, len), ==, 0);
    g_assert_true(stun_server_pop(s, o));
    g_assert_false(stun_server_pop(s, &(stun_out){ 0 }));
    g_assert_cmpint(stun_msg_decode(o->data, o->len, m, NULL), ==, 0);
    g_assert_cmpmem(m->txid, 12, req + 8, 12);
    g_assert_cmpint(stun_msg_check_fingerprint(m), ==, 0);
}

static void test_server_binding(void)
{
    static const char *clients[] = { "68.36.210.57:21199", "[2001:db8::99]:50000" };
    static const char *servers[] = { "18.181.0.31:3478", "[2001:db8:5::1]:3478" };
    for (int v6 = 0; v6 < 2; v6++) {
        stun_server_cfg cfg = { .primary = ep(servers[v6]), .software = "natsim-stun",
                                .fingerprint = true };
        stun_server *s = stun_server_new(&cfg);
        g_assert_cmpuint(stun_server_n_local(s), ==, 1);
        uint8_t req[STUN_MSG_MAX];
        size_t n = binding_request(req, 0, 0, 0, 0);
        stun_out o;
        stun_msg m;
        one_response(s, 0, clients[v6], req, n, &o, &m);
        g_assert_cmpint(m.cls, ==, STUN_SUCCESS);
        assert_ep(&o.from, servers[v6]);
        assert_ep(&o.to, clients[v6]);
        sim_ep mapped;
        g_assert_cmpint(stun_msg_get_addr(&m, STUN_ATTR_XOR_MAPPED_ADDRESS, &mapped), ==, 0);
        assert_ep(&mapped, clients[v6]);
        char sw[32];
        g_assert_cmpint(stun_msg_get_str(&m, STUN_ATTR_SOFTWARE, sw, sizeof sw), ==, 0);
        g_assert_cmpstr(sw, ==, "natsim-stun");
        g_assert_null(stun_msg_find(&m, STUN_ATTR_OTHER_ADDRESS));
        stun_server_free(s);
    }
}

/* CHANGE-REQUEST picks the source endpoint; OTHER-ADDRESS / RESPONSE-ORIGIN say where. */
static void test_server_5780(void)
{
    stun_server *s = server_5780();
    g_assert_cmpuint(stun_server_n_local(s), ==, 4);
    static const struct {
        size_t in;
        uint32_t change;
        const char *origin, *other;
    } cases[] = {
        { 0, 0, "18.181.0.31:3478", "18.181.0.32:3479" },
        { 0, STUN_CHANGE_PORT, "18.181.0.31:3479", "18.181.0.32:3479" },
        { 0, STUN_CHANGE_IP, "18.181.0.32:3478", "18.181.0.32:3479" },
        { 0, STUN_CHANGE_IP | STUN_CHANGE_PORT, "18.181.0.32:3479", "18.181.0.32:3479" },
        { 3, STUN_CHANGE_IP, "18.181.0.31:3479", "18.181.0.31:3478" },
        { 2, 0, "18.181.0.32:3478", "18.181.0.31:3479" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        uint8_t req[STUN_MSG_MAX];
        size_t n = binding_request(req, cases[i].change, 0, 0, 0);
        stun_out o;
        stun_msg m;
        one_response(s, cases[i].in, "68.36.210.57:21199", req, n, &o, &m);
        assert_ep(&o.from, cases[i].origin);
        assert_ep(&o.to, "68.36.210.57:21199");
        sim_ep a;
        g_assert_cmpint(stun_msg_get_addr(&m, STUN_ATTR_RESPONSE_ORIGIN, &a), ==, 0);
        assert_ep(&a, cases[i].origin);
        g_assert_cmpint(stun_msg_get_addr(&m, STUN_ATTR_OTHER_ADDRESS, &a), ==, 0);
        assert_ep(&a, cases[i].other);
    }
    /* RESPONSE-PORT redirects the answer; PADDING is echoed in size. */
    uint8_t req[STUN_MSG_MAX];
    size_t n = binding_request(req, 0, 40000, 0, 0);
    stun_out o;
    stun_msg m;
    one_response(s, 0, "68.36.210.57:21199", req, n, &o, &m);
    assert_ep(&o.to, "68.36.210.57:40000");
    n = binding_request(req, 0, 0, 200, 0);
    one_response(s, 0, "68.36.210.57:21199", req, n, &o, &m);
    g_assert_nonnull(stun_msg_find(&m, STUN_ATTR_PADDING));
    g_assert_cmpuint(stun_msg_find(&m, STUN_ATTR_PADDING)->len, ==, 200);
    stun_server_free(s);
}

static void assert_error(const stun_msg *m, uint16_t want, uint16_t unknown)
{
    g_assert_cmpint(m->cls, ==, STUN_ERROR);
    uint16_t code, types[4];
    size_t n;
    g_assert_cmpint(stun_msg_get_error(m, &code, NULL, 0), ==, 0);
    g_assert_cmpuint(code, ==, want);
    if (unknown) {
        g_assert_cmpint(stun_msg_get_unknown(m, types, 4, &n), ==, 0);
        g_assert_cmpuint(n, ==, 1);
        g_assert_cmphex(types[0], ==, unknown);
    }
}

static void test_server_errors(void)
{
    stun_server *s = server_5780();
    uint8_t req[STUN_MSG_MAX];
    stun_out o;
    stun_msg m;
    /* 420 for an unknown comprehension-required attribute; an optional one is fine. */
    size_t n = binding_request(req, 0, 0, 0, 0x7777);
    one_response(s, 0, "68.36.210.57:21199", req, n, &o, &m);
    assert_error(&m, 420, 0x7777);
    assert_ep(&o.from, "18.181.0.31:3478");
    n = binding_request(req, 0, 0, 0, 0xC001);
    one_response(s, 0, "68.36.210.57:21199", req, n, &o, &m);
    g_assert_cmpint(m.cls, ==, STUN_SUCCESS);

    /* 400 for a request that is still STUN but has a malformed attribute. */
    n = binding_request(req, 0, 0, 0, 0);
    req[2] = 0;
    req[3] = 8;
    memcpy(req + 20, "\x00\x24\x00\x03\x01\x02\x03\x00", 8); /* PRIORITY of 3 bytes */
    sim_ep f = ep("68.36.210.57:21199");
    g_assert_cmpint(stun_server_input(s, 0, 0, &f, req, 28), ==, -EBADMSG);
    g_assert_true(stun_server_pop(s, &o));
    g_assert_cmpint(stun_msg_decode(o.data, o.len, &m, NULL), ==, 0);
    assert_error(&m, 400, 0);
    /* Unknown method: 400. */
    stun_enc e;
    uint8_t txid[12];
    memcpy(txid, req + 8, 12);
    stun_enc_init(&e, req, sizeof req, 0x003, STUN_REQUEST, txid);
    g_assert_cmpint(stun_enc_finish(&e, &n), ==, 0);
    one_response(s, 0, "68.36.210.57:21199", req, n, &o, &m);
    assert_error(&m, 400, 0);

    /* Ignored silently: garbage, responses, indications, a bad FINGERPRINT. */
    g_assert_cmpint(stun_server_input(s, 0, 0, &f, (const uint8_t *)"GET / HTTP/1.0", 14), ==,
                    -ENOENT);
    stun_enc_init(&e, req, sizeof req, STUN_BINDING, STUN_INDICATION, txid);
    g_assert_cmpint(stun_enc_finish(&e, &n), ==, 0);
    g_assert_cmpint(stun_server_input(s, 0, 0, &f, req, n), ==, -ENOENT);
    n = binding_request(req, 0, 0, 0, 0);
    req[n - 1] ^= 1;
    g_assert_cmpint(stun_server_input(s, 0, 0, &f, req, n), ==, -ENOENT);
    g_assert_false(stun_server_pop(s, &o));
    g_assert_cmpint(stun_server_input(s, 0, 4, &f, req, n), ==, -EINVAL);
    stun_server_free(s);

    /* A server without an alternate address cannot honour CHANGE-REQUEST: 420. */
    stun_server_cfg cfg = { .primary = ep("18.181.0.31:3478"), .fingerprint = true };
    s = stun_server_new(&cfg);
    n = binding_request(req, STUN_CHANGE_IP, 0, 0, 0);
    one_response(s, 0, "68.36.210.57:21199", req, n, &o, &m);
    assert_error(&m, 420, STUN_ATTR_CHANGE_REQUEST);
    stun_server_free(s);
    /* Bad configurations are refused. */
    g_assert_null(stun_server_new(&(stun_server_cfg){ 0 }));
}

/* Client and server cores wired back to back through a pretend NAT. */
static void test_client_server(void)
{
    sim_rng r;
    sim_rng_seed(&r, 3);
    stun_client *c = stun_client_new(&(stun_client_cfg){ .software = "natsim" }, &r);
    stun_server *s = server_5780();
    sim_ep srv = stun_server_local(s, 0), pub = ep("68.36.210.57:21199");
    unsigned id;
    g_assert_cmpint(stun_client_binding(c, 0, &srv, STUN_CHANGE_IP, &id), ==, 0);
    stun_out o;
    g_assert_true(stun_client_pop(c, &o));
    g_assert_cmpint(stun_server_input(s, 10 * SIM_MS, 0, &pub, o.data, o.len), ==, 0);
    g_assert_true(stun_server_pop(s, &o));
    assert_ep(&o.from, "18.181.0.32:3478");
    g_assert_cmpint(stun_client_input(c, 20 * SIM_MS, &o.from, o.data, o.len), ==, 0);
    const stun_tx *t = stun_client_tx(c, id);
    g_assert_cmpint(t->state, ==, STUN_TX_SUCCESS);
    assert_ep(&t->from, "18.181.0.32:3478");
    sim_ep mapped;
    g_assert_cmpint(stun_binding_mapped(t->resp, t->resp_len, &mapped), ==, 0);
    assert_ep(&mapped, "68.36.210.57:21199");
    stun_client_free(c);
    stun_server_free(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/stun/client/retransmit-schedule", test_client_schedule);
    g_test_add_func("/stun/client/success-stray-error", test_client_success);
    g_test_add_func("/stun/server/binding-ipv4-ipv6", test_server_binding);
    g_test_add_func("/stun/server/rfc5780-change-request", test_server_5780);
    g_test_add_func("/stun/server/errors", test_server_errors);
    g_test_add_func("/stun/core/client-server", test_client_server);
    return g_test_run();
}
