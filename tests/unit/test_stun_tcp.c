/* tests/unit/test_stun_tcp.c — STUN over TCP (RFC 8489 §6.2.2): the stream reader with split,
 * merged and garbage chunks (and TURN's padded ChannelData, RFC 8656 §12.5), the client core
 * over a reliable transport (one transmission, Ti in virtual time, transport failure), and the
 * driver in a simulated world: several transactions on one connection through a NAT, Ti with
 * a server that never answers, garbage closing the server's connection, a refused connection,
 * and the Lua options. */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>
#include "protocols/stun/stun.h"
#include "sim/lua/simlua.h"
#include "sim/socket.h"
#include "tests/unit/world_fx.h"
#include "ep_util.h"

/* A Binding request with transaction id 12 x `id` and `pad` bytes of SOFTWARE. */
static size_t make_request(uint8_t id, size_t pad, uint8_t *out)
{
    uint8_t txid[STUN_TXID_LEN];
    memset(txid, id, sizeof txid);
    stun_enc e;
    stun_enc_init(&e, out, STUN_MSG_MAX, STUN_BINDING, STUN_REQUEST, txid);
    if (pad) {
        char sw[64] = { 0 };
        memset(sw, 'x', MIN(pad, sizeof sw - 1));
        stun_enc_str(&e, STUN_ATTR_SOFTWARE, sw);
    }
    stun_enc_fingerprint(&e);
    size_t n;
    g_assert_cmpint(stun_enc_finish(&e, &n), ==, 0);
    return n;
}

/* ---------------------------------------------------------------- stream reader */

/* Feeds data in chunks of `step` bytes and collects every frame into frames/lens. Returns the
 * frame count, or -EBADMSG. */
static int read_all(stun_stream *r, const uint8_t *data, size_t len, size_t step,
                    GByteArray *frames, GArray *lens)
{
    int count = 0;
    for (size_t off = 0; off < len;) {
        size_t n = MIN(step, len - off);
        size_t took = stun_stream_feed(r, data + off, n);
        off += took;
        const uint8_t *f;
        size_t flen;
        int rc;
        while ((rc = stun_stream_next(r, &f, &flen)) == 1) {
            g_byte_array_append(frames, f, (guint)flen);
            g_array_append_val(lens, flen);
            count++;
        }
        if (rc < 0)
            return rc;
        g_assert_true(took > 0); /* a full buffer always holds a frame */
    }
    return count;
}

/* Three STUN messages and two ChannelData frames (data 5 and 8 bytes: 3 and 0 bytes of
 * padding), back to back, read in chunks of every size from 1 to the whole: the same frames. */
static void test_stream_split_merge(void)
{
    uint8_t wire[4096], m[STUN_MSG_MAX];
    size_t len = 0, want[5];
    want[0] = make_request(1, 0, m);
    memcpy(wire + len, m, want[0]), len += want[0];
    static const uint8_t cd1[] = { 0x40, 0x00, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o', 0, 0, 0 };
    memcpy(wire + len, cd1, sizeof cd1), len += sizeof cd1;
    want[1] = 9;
    want[2] = make_request(2, 37, m);
    memcpy(wire + len, m, want[2]), len += want[2];
    static const uint8_t cd2[] = { 0x7f, 0xff, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8 };
    memcpy(wire + len, cd2, sizeof cd2), len += sizeof cd2;
    want[3] = 12;
    want[4] = make_request(3, 60, m);
    memcpy(wire + len, m, want[4]), len += want[4];

    for (size_t step = 1; step <= len; step++) {
        stun_stream r;
        stun_stream_init(&r, true);
        GByteArray *frames = g_byte_array_new();
        GArray *lens = g_array_new(FALSE, FALSE, sizeof(size_t));
        g_assert_cmpint(read_all(&r, wire, len, step, frames, lens), ==, 5);
        size_t off = 0;
        static const size_t order[] = { 0, 1, 2, 3, 4 };
        for (size_t i = 0; i < 5; i++) {
            size_t fl = g_array_index(lens, size_t, i);
            g_assert_cmpuint(fl, ==, want[order[i]]);
            bool chan = stun_stream_is_channel(frames->data + off, fl);
            g_assert_true(chan == (i == 1 || i == 3));
            if (!chan) {
                stun_msg msg;
                g_assert_cmpint(stun_msg_decode(frames->data + off, fl, &msg, NULL), ==, 0);
                g_assert_cmpuint(msg.txid[0], ==, i / 2 + 1);
            }
            off += fl;
        }
        g_assert_cmpmem(frames->data + want[0], 9, cd1, 9); /* padding not handed out */
        g_assert_null(r.error);
        g_byte_array_free(frames, TRUE);
        g_array_free(lens, TRUE);
    }
}

/* Garbage stops the reader for good with a reason; a half frame is just "more needed". */
static void test_stream_garbage(void)
{
    static const struct {
        const char *name;
        uint8_t bytes[24];
        size_t len;
        bool channel_data;
        const char *why;
    } cases[] = {
        /* "GE" has bits 01: a ChannelData header whose length "T " is 21536 */
        { "http", "GET / HTTP/1.1\r\n", 16, true, "ChannelData longer than 2048" },
        { "http-stun-only", "GET / HTTP/1.1\r\n", 16, false, "STUN-only" },
        { "tls", { 0x16, 0x03, 0x01, 0x00, 0x01, 0x00, 0x00, 0xfc }, 8, true, "magic cookie" },
        { "rtp", { 0x80, 0x60, 0x00, 0x01 }, 4, true, "first two bits" },
        { "ones", { 0xff, 0xff, 0xff, 0xff }, 4, false, "first two bits" },
        { "odd-length", { 0x00, 0x01, 0x00, 0x06 }, 4, true, "multiple of 4" },
        { "too-long", { 0x00, 0x01, 0x08, 0x00 }, 4, true, "longer than 2048" },
        { "no-cookie", { 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x43 }, 8, true,
          "magic cookie" },
        { "channel-on-stun", { 0x40, 0x00, 0x00, 0x00 }, 4, false, "STUN-only" },
        { "channel-too-long", { 0x40, 0x01, 0xff, 0xff }, 4, true, "longer than 2048" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        stun_stream r;
        stun_stream_init(&r, cases[i].channel_data);
        g_assert_cmpuint(stun_stream_feed(&r, cases[i].bytes, cases[i].len), ==, cases[i].len);
        const uint8_t *f;
        size_t fl;
        g_test_message("case %s", cases[i].name);
        g_assert_cmpint(stun_stream_next(&r, &f, &fl), ==, -EBADMSG);
        g_assert_nonnull(strstr(r.error, cases[i].why));
        g_assert_cmpuint(stun_stream_feed(&r, cases[i].bytes, 1), ==, 0); /* sticky */
        g_assert_cmpint(stun_stream_next(&r, &f, &fl), ==, -EBADMSG);
    }
    /* Two bytes of a header and 19 of a message: waiting, not garbage. */
    uint8_t m[STUN_MSG_MAX];
    make_request(9, 0, m);
    stun_stream r;
    const uint8_t *f;
    size_t fl;
    stun_stream_init(&r, false);
    stun_stream_feed(&r, m, 2);
    g_assert_cmpint(stun_stream_next(&r, &f, &fl), ==, 0);
    stun_stream_feed(&r, m + 2, 17);
    g_assert_cmpint(stun_stream_next(&r, &f, &fl), ==, 0);
    g_assert_null(r.error);
}

/* ---------------------------------------------------------------- reliable client core */

/* Over TCP: one transmission and, unanswered, a timeout at exactly Ti = 39.5 s; a configured
 * Ti is honoured; three transactions on one connection are matched by transaction id. */
static void test_client_reliable(void)
{
    sim_rng rng;
    sim_rng_seed(&rng, 7);
    stun_client *c = stun_client_new(&(stun_client_cfg){ .reliable = true }, &rng);
    sim_ep srv = ep("18.181.0.31:3478");
    unsigned id, done;
    g_assert_cmpint(stun_client_binding(c, 1 * SIM_SEC, &srv, 0, &id), ==, 0);
    stun_out o;
    g_assert_true(stun_client_pop(c, &o));
    g_assert_false(stun_client_pop(c, &o));
    g_assert_cmpuint(stun_client_next_deadline(c), ==, 1 * SIM_SEC + STUN_TI_DEFAULT);
    stun_client_timeout(c, 1 * SIM_SEC + STUN_TI_DEFAULT - 1);
    g_assert_false(stun_client_pop_done(c, &done));
    stun_client_timeout(c, 1 * SIM_SEC + STUN_TI_DEFAULT);
    g_assert_false(stun_client_pop(c, &o)); /* never retransmitted */
    g_assert_true(stun_client_pop_done(c, &done));
    g_assert_cmpint(stun_client_tx(c, id)->state, ==, STUN_TX_TIMEOUT);
    g_assert_cmpuint(stun_client_tx(c, id)->sent, ==, 1);
    g_assert_cmpuint(stun_client_get_stats(c)->retransmits, ==, 0);
    stun_client_free(c);

    c = stun_client_new(&(stun_client_cfg){ .reliable = true, .ti = 5 * SIM_SEC }, &rng);
    unsigned ids[3];
    stun_out req[3];
    for (int i = 0; i < 3; i++) {
        g_assert_cmpint(stun_client_binding(c, 0, &srv, 0, &ids[i]), ==, 0);
        g_assert_true(stun_client_pop(c, &req[i]));
    }
    /* Answer the second, then the third: the first times out at 5 s, the others do not. */
    for (int i = 1; i < 3; i++) {
        stun_msg m;
        g_assert_cmpint(stun_msg_decode(req[i].data, req[i].len, &m, NULL), ==, 0);
        uint8_t resp[STUN_MSG_MAX];
        stun_enc e;
        stun_enc_init(&e, resp, sizeof resp, STUN_BINDING, STUN_SUCCESS, m.txid);
        sim_ep mapped = ep("68.36.210.57:1211");
        stun_enc_addr(&e, STUN_ATTR_XOR_MAPPED_ADDRESS, &mapped);
        size_t n;
        g_assert_cmpint(stun_enc_finish(&e, &n), ==, 0);
        g_assert_cmpint(stun_client_input(c, SIM_SEC, &srv, resp, n), ==, 0);
        g_assert_cmpint(stun_client_tx(c, ids[i])->state, ==, STUN_TX_SUCCESS);
    }
    g_assert_cmpuint(stun_client_next_deadline(c), ==, 5 * SIM_SEC);
    stun_client_timeout(c, 5 * SIM_SEC);
    g_assert_cmpint(stun_client_tx(c, ids[0])->state, ==, STUN_TX_TIMEOUT);
    stun_client_free(c);

    /* The connection fails: running transactions end as "closed", reported once. */
    c = stun_client_new(&(stun_client_cfg){ .reliable = true }, &rng);
    g_assert_cmpint(stun_client_binding(c, 0, &srv, 0, &id), ==, 0);
    stun_client_transport_failed(c, 2 * SIM_SEC);
    g_assert_false(stun_client_pop(c, &o)); /* the unsent request is dropped */
    g_assert_true(stun_client_pop_done(c, &done));
    g_assert_cmpuint(done, ==, id);
    g_assert_cmpint(stun_client_tx(c, id)->state, ==, STUN_TX_CLOSED);
    g_assert_cmpstr(stun_tx_state_name(STUN_TX_CLOSED), ==, "closed");
    g_assert_cmpuint(stun_client_next_deadline(c), ==, SIM_TIME_NEVER);
    stun_client_free(c);
}

/* ---------------------------------------------------------------- in a simulated world */

/* A (192.168.60.153) behind NA (port-restricted cone, port preservation) and S
 * (18.181.0.31) on the Internet; `extra` runs after the topology (Lua). */
static const char world_src[] =
    "local home = sim.lan('home', {delay = '1ms'})\n"
    "local access = sim.link('access', {delay = '10ms'})\n"
    "local s_link = sim.lan('s-link', {delay = '5ms'})\n"
    "local A, S = sim.host('A'), sim.host('S')\n"
    "local NA = sim.nat('NA', {preset = 'port-restricted-cone', ports = 'preserve'})\n"
    "local R = sim.router('R')\n"
    "A:attach(home, {ip = '192.168.60.153/24'}); A:gateway('192.168.60.1')\n"
    "NA:inside(home, {ip = '192.168.60.1/24'}); NA:outside(access, {ip = '68.36.210.57/24'})\n"
    "NA:route('default', '68.36.210.1')\n"
    "R:attach(access, {ip = '68.36.210.1/24'}); R:attach(s_link, {ip = '18.181.0.1/24'})\n"
    "local s0 = S:attach(s_link, {ip = '18.181.0.31/24'}); S:gateway('18.181.0.1')\n"
    "s0:add_ip('18.181.0.32/24')\n";

static stun_app *tcp_server(fx *f)
{
    stun_server_cfg cfg = { .primary = ep("18.181.0.31:3478"), .fingerprint = true };
    GError *err = NULL;
    stun_app *s = stun_app_server(f->s, &cfg, &err);
    g_assert_no_error(err);
    g_assert_cmpint(stun_app_server_listen_tcp(s, &err), ==, 0);
    g_assert_no_error(err);
    return s;
}

/* Five Binding transactions on one connection through the NAT: each answered with the NAT's
 * outside endpoint of that connection, one transmission each, one connection accepted. */
static void test_sim_many_on_one(void)
{
    fx f;
    fx_init(&f, world_src, NULL, "stun", stun_lua_open);
    sim_time_t t0 = sim_world_now(f.w);
    stun_app *srv = tcp_server(&f);
    sim_ep server = ep("18.181.0.31:3478");
    GError *err = NULL;
    stun_app *cli = stun_app_client_tcp(f.a, 1211, &server, &(stun_client_cfg){ 0 }, &err);
    g_assert_no_error(err);
    unsigned ids[5];
    for (int i = 0; i < 5; i++)
        g_assert_cmpint(stun_app_binding(cli, &server, 0, &ids[i]), ==, 0);
    sim_ep other = ep("18.181.0.32:3478");
    g_assert_cmpint(stun_app_binding(cli, &other, 0, NULL), ==, -EINVAL); /* not its server */
    unsigned change_id;
    g_assert_cmpint(stun_app_binding(cli, &server, STUN_CHANGE_IP, &change_id), ==, 0);
    sim_world_run(f.w, t0 + 2 * SIM_SEC);
    stun_client *core = stun_app_client_core(cli);
    for (int i = 0; i < 5; i++) {
        const stun_tx *t = stun_client_tx(core, ids[i]);
        g_assert_cmpint(t->state, ==, STUN_TX_SUCCESS);
        g_assert_cmpuint(t->sent, ==, 1);
        sim_ep mapped;
        g_assert_cmpint(stun_binding_mapped(t->resp, t->resp_len, &mapped), ==, 0);
        assert_ep(&mapped, "68.36.210.57:1211");
    }
    const stun_app_tcp_stats *st = stun_app_get_tcp_stats(srv);
    g_assert_cmpuint(st->accepted, ==, 1);
    g_assert_cmpuint(st->open, ==, 1);
    /* CHANGE-REQUEST to a server without RFC 5780: 420, on the same connection. */
    g_assert_cmpint(stun_client_tx(core, change_id)->state, ==, STUN_TX_ERROR);
    g_assert_cmpuint(stun_client_tx(core, change_id)->code, ==, 420);
    g_assert_cmpuint(st->unsent, ==, 0);
    g_assert_cmpuint(stun_server_get_stats(stun_app_server_core(srv))->requests, ==, 6);
    /* The client closing its connection: the server closes its side too. */
    stun_app_free(cli);
    sim_world_run(f.w, t0 + 4 * SIM_SEC);
    g_assert_cmpuint(st->open, ==, 0);
    fx_clear(&f);
}

/* An RFC 5780 server on TCP: a CHANGE-REQUEST answer would leave from another endpoint, which
 * a connection cannot do: it is not sent (counted), and the transaction is still waiting. */
static void test_sim_change_request_unsent(void)
{
    fx f;
    fx_init(&f, world_src, NULL, "stun", stun_lua_open);
    sim_time_t t0 = sim_world_now(f.w);
    stun_server_cfg cfg = { .primary = ep("18.181.0.31:3478"), .alt_port = 3479 };
    cfg.alt_ip = ep("18.181.0.32:0").ip;
    GError *err = NULL;
    stun_app *srv = stun_app_server(f.s, &cfg, &err);
    g_assert_no_error(err);
    g_assert_cmpint(stun_app_server_listen_tcp(srv, &err), ==, 0);
    g_assert_cmpint(stun_app_server_listen_tcp(srv, &err), ==, -1); /* once */
    g_assert_error(err, g_quark_from_static_string("stun-app"), EINVAL);
    g_clear_error(&err);
    sim_ep server = ep("18.181.0.31:3478");
    stun_app *cli = stun_app_client_tcp(f.a, 0, &server, &(stun_client_cfg){ 0 }, &err);
    unsigned plain, change;
    g_assert_cmpint(stun_app_binding(cli, &server, STUN_CHANGE_PORT, &change), ==, 0);
    g_assert_cmpint(stun_app_binding(cli, &server, 0, &plain), ==, 0);
    sim_world_run(f.w, t0 + 2 * SIM_SEC);
    stun_client *core = stun_app_client_core(cli);
    g_assert_cmpint(stun_client_tx(core, plain)->state, ==, STUN_TX_SUCCESS);
    g_assert_cmpint(stun_client_tx(core, change)->state, ==, STUN_TX_RUNNING);
    g_assert_cmpuint(stun_app_get_tcp_stats(srv)->unsent, ==, 1);
    fx_clear(&f);
}

static void accept_silently(sim_sock *l, void *ctx)
{
    GPtrArray *keep = ctx;
    sim_sock *s;
    while ((s = sim_tcp_accept(l)) != NULL)
        g_ptr_array_add(keep, s);
}

/* A server that accepts and never answers: the transaction ends at exactly Ti = 39.5 s of
 * virtual time after it started, with one transmission. */
static void test_sim_ti(void)
{
    fx f;
    fx_init(&f, world_src, NULL, "stun", stun_lua_open);
    sim_time_t t0 = sim_world_now(f.w);
    GPtrArray *keep = g_ptr_array_new();
    sim_sock *l = sim_tcp_open(f.s, SIM_AF_INET);
    sim_ep server = ep("18.181.0.31:3478");
    g_assert_cmpint(sim_sock_bind(l, &server), ==, 0);
    g_assert_cmpint(sim_tcp_listen(l, 4), ==, 0);
    sim_tcp_set_callbacks(l, &(sim_tcp_cbs){ .acceptable = accept_silently, .ctx = keep });
    GError *err = NULL;
    stun_app *cli = stun_app_client_tcp(f.a, 0, &server, &(stun_client_cfg){ 0 }, &err);
    unsigned id;
    g_assert_cmpint(stun_app_binding(cli, &server, 0, &id), ==, 0);
    sim_world_run(f.w, t0 + 39 * SIM_SEC);
    const stun_tx *t = stun_client_tx(stun_app_client_core(cli), id);
    g_assert_cmpint(t->state, ==, STUN_TX_RUNNING);
    sim_world_run(f.w, t0 + 60 * SIM_SEC);
    g_assert_cmpint(t->state, ==, STUN_TX_TIMEOUT);
    g_assert_cmpuint(t->done_at - t->started, ==, STUN_TI_DEFAULT);
    g_assert_cmpuint(t->sent, ==, 1);
    g_assert_cmpuint(keep->len, ==, 1);
    g_assert_cmpuint(sim_tcp_readable(keep->pdata[0]), ==, 20); /* one bare request, once */
    g_ptr_array_free(keep, TRUE);
    fx_clear(&f);
}

static void on_conn(sim_sock *s, int err, void *ctx)
{
    static const char junk[] = "GET / HTTP/1.1\r\nHost: stun\r\n\r\n";
    g_assert_cmpint(err, ==, 0);
    g_assert_cmpint(sim_tcp_send(s, junk, sizeof junk - 1), ==, (ssize_t)(sizeof junk - 1));
}

static void on_eof(sim_sock *s, void *ctx)
{
    uint8_t b[64];
    if (sim_tcp_recv(s, b, sizeof b) == 0)
        *(bool *)ctx = true;
}

/* Garbage closes the server's connection (the peer sees EOF); the server keeps serving. A
 * client whose connection is refused ends its transaction as "closed" with the reason. */
static void test_sim_garbage_refused(void)
{
    fx f;
    fx_init(&f, world_src, NULL, "stun", stun_lua_open);
    sim_time_t t0 = sim_world_now(f.w);
    stun_app *srv = tcp_server(&f);
    sim_ep server = ep("18.181.0.31:3478");
    bool eof = false;
    sim_sock *s = sim_tcp_open(f.a, SIM_AF_INET);
    sim_tcp_set_callbacks(s, &(sim_tcp_cbs){ .connected = on_conn, .readable = on_eof,
                                             .ctx = &eof });
    g_assert_cmpint(sim_tcp_connect(s, &server), ==, 0);
    sim_world_run(f.w, t0 + 1 * SIM_SEC);
    g_assert_true(eof);
    const stun_app_tcp_stats *st = stun_app_get_tcp_stats(srv);
    g_assert_cmpuint(st->garbage, ==, 1);
    g_assert_cmpuint(st->open, ==, 0);
    g_assert_cmpuint(stun_server_get_stats(stun_app_server_core(srv))->requests, ==, 0);
    sim_sock_close(s);

    sim_ep closed = ep("18.181.0.31:3479");
    GError *err = NULL;
    stun_app *cli = stun_app_client_tcp(f.a, 0, &closed, &(stun_client_cfg){ 0 }, &err);
    unsigned id;
    g_assert_cmpint(stun_app_binding(cli, &closed, 0, &id), ==, 0);
    sim_world_run(f.w, t0 + 3 * SIM_SEC);
    g_assert_cmpint(stun_client_tx(stun_app_client_core(cli), id)->state, ==, STUN_TX_CLOSED);
    g_assert_cmpstr(stun_app_tcp_error(cli), ==, "connection refused");
    fx_clear(&f);
}

/* Lua: a Binding over TCP through the NAT, misuse naming the option, refused connection. */
static void test_lua(void)
{
    fx f;
    fx_init(&f, world_src,
        "local srv = stun.server(S, {tcp = true})\n"
        "local m, info = stun.binding(A, '18.181.0.31:3478', {port = 4000, transport = 'tcp'})\n"
        "sim.expect(m == '68.36.210.57:4000', 'mapped over tcp ' .. tostring(m))\n"
        "sim.expect(info.transport == 'tcp' and info.transmissions == 1, 'tcp, one request')\n"
        "local m2, why = stun.binding(A, '18.181.0.31:3999', {transport = 'tcp'})\n"
        "sim.expect(m2 == nil and why == 'tcp: connection refused', 'refused: ' .. tostring(why))\n"
        "local ok, e = pcall(stun.binding, A, '18.181.0.31:3478', {transport = 'quic'})\n"
        "sim.expect(not ok and e:find(\"option 'transport'\", 1, true), tostring(e))\n"
        "ok, e = pcall(stun.binding, A, '18.181.0.31:3478', {transport = 'tcp', change_ip = true})\n"
        "sim.expect(not ok and e:find('change_ip', 1, true), tostring(e))\n"
        "ok, e = pcall(stun.binding, A, '18.181.0.31:3478', {ti = '5s'})\n"
        "sim.expect(not ok and e:find(\"option 'ti'\", 1, true), tostring(e))\n"
        "ok, e = pcall(stun.server, S, {tcp = 'yes'})\n"
        "sim.expect(not ok and e:find('tcp', 1, true), tostring(e))\n"
        "sim.expect(srv:stats().tcp_connections == 1, 'one connection')\n", "stun", stun_lua_open);
    g_assert_cmpuint(simlua_expect_passed(f.lua), ==, 8);
    fx_clear(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/stun/tcp/stream/split-merge", test_stream_split_merge);
    g_test_add_func("/stun/tcp/stream/garbage", test_stream_garbage);
    g_test_add_func("/stun/tcp/client/reliable", test_client_reliable);
    g_test_add_func("/stun/tcp/sim/many-on-one-connection", test_sim_many_on_one);
    g_test_add_func("/stun/tcp/sim/ti", test_sim_ti);
    g_test_add_func("/stun/tcp/sim/change-request-unsent", test_sim_change_request_unsent);
    g_test_add_func("/stun/tcp/sim/garbage-refused", test_sim_garbage_refused);
    g_test_add_func("/stun/tcp/lua", test_lua);
    return g_test_run();
}
