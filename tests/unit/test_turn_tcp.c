/* tests/unit/test_turn_tcp.c — TURN with TCP between client and server (RFC 8656 §3.1): padded
 * ChannelData framed with STUN on one stream (§12.5), the client core when its connection
 * fails, and the driver in a simulated world behind a symmetric NAT: allocate, permission,
 * ChannelData both ways (the relay stays UDP), the allocation deleted when its connection
 * closes, garbage closing the connection, a refused connection; the Lua options. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/turn/turn.h"
#include "sim/socket.h"
#include "tests/unit/world_fx.h"
#include "ep_util.h"

/* ChannelData padded for TCP: every payload length 0..9 gives a frame that is a multiple of 4
 * bytes with zero padding; a stream of them mixed with STUN messages, read one byte at a time,
 * gives back each payload and each message. */
static void test_chandata_stream(void)
{
    uint8_t wire[1024];
    size_t len = 0;
    for (size_t n = 0; n < 10; n++) {
        uint8_t data[16];
        memset(data, (int)('a' + n), n);
        size_t fl;
        g_assert_cmpint(turn_chandata_encode(0x4001, data, n, true, wire + len,
                                             sizeof wire - len, &fl), ==, 0);
        g_assert_cmpuint(fl % 4, ==, 0);
        g_assert_cmpuint(fl, ==, 4 + ((n + 3) & ~(size_t)3));
        for (size_t i = 4 + n; i < fl; i++)
            g_assert_cmpuint(wire[len + i], ==, 0);
        len += fl;
        uint8_t txid[STUN_TXID_LEN];
        memset(txid, (int)n, sizeof txid);
        stun_enc e;
        stun_enc_init(&e, wire + len, sizeof wire - len, STUN_BINDING, STUN_INDICATION, txid);
        size_t ml;
        g_assert_cmpint(stun_enc_finish(&e, &ml), ==, 0);
        len += ml;
    }
    stun_stream r;
    stun_stream_init(&r, true);
    size_t chans = 0, msgs = 0;
    for (size_t off = 0; off < len; off++) {
        g_assert_cmpuint(stun_stream_feed(&r, wire + off, 1), ==, 1);
        const uint8_t *f;
        size_t fl;
        while (stun_stream_next(&r, &f, &fl) == 1) {
            if (stun_stream_is_channel(f, fl)) {
                uint16_t ch;
                const uint8_t *d;
                size_t dl;
                g_assert_cmpint(turn_chandata_decode(f, fl, &ch, &d, &dl, NULL), ==, 0);
                g_assert_cmpuint(ch, ==, 0x4001);
                g_assert_cmpuint(dl, ==, chans);
                for (size_t i = 0; i < dl; i++)
                    g_assert_cmpuint(d[i], ==, 'a' + chans);
                chans++;
            } else {
                stun_msg m;
                g_assert_cmpint(stun_msg_decode(f, fl, &m, NULL), ==, 0);
                g_assert_cmpuint(m.txid[0], ==, msgs);
                msgs++;
            }
        }
    }
    g_assert_cmpuint(chans, ==, 10);
    g_assert_cmpuint(msgs, ==, 10);
}

/* The client core over a failed connection: the Allocate fails at once (code 0), not after Ti. */
static void test_client_transport_failed(void)
{
    sim_rng rng;
    sim_rng_seed(&rng, 1);
    turn_client_cfg cfg = { .server = ep("18.181.0.31:3478"), .username = "alice",
                            .password = "pw", .stun = { .reliable = true } };
    turn_client *c = turn_client_new(&cfg, &rng);
    g_assert_cmpint(turn_client_allocate(c, 0), ==, 0);
    turn_out o;
    g_assert_true(turn_client_pop(c, &o));
    g_assert_cmpuint(turn_client_next_deadline(c), ==, STUN_TI_DEFAULT);
    turn_client_transport_failed(c, SIM_SEC);
    turn_event ev;
    g_assert_true(turn_client_pop_event(c, &ev));
    g_assert_cmpint(ev.kind, ==, TURN_EV_ALLOCATE_FAILED);
    g_assert_cmpuint(ev.code, ==, 0);
    g_assert_cmpint(turn_client_get_state(c), ==, TURN_CLIENT_FAILED);
    g_assert_cmpuint(turn_client_get_stats(c)->bad, ==, 0);
    g_assert_false(turn_client_pop(c, &o));
    turn_client_free(c);
}

/* A behind a symmetric NAT, S the TURN server (UDP and TCP), B a peer. */
static const char world_src[] =
    "local lan = sim.lan('lan', {delay = '1ms'})\n"
    "local wan = sim.link('wan', {delay = '5ms'})\n"
    "local s_link = sim.link('s-link', {delay = '10ms'})\n"
    "local p_link = sim.link('p-link', {delay = '5ms'})\n"
    "local R = sim.router('R')\n"
    "local A = sim.host('A'); A:attach(lan, {ip = '192.168.60.155/24'})\n"
    "A:route('default', '192.168.60.1')\n"
    "local NA = sim.nat('NA', {preset = 'symmetric'})\n"
    "NA:inside(lan, {ip = '192.168.60.1/24'}); NA:outside(wan, {ip = '68.36.210.57/24'})\n"
    "NA:route('default', '68.36.210.1'); R:attach(wan, {ip = '68.36.210.1/24'})\n"
    "local S = sim.host('S'); S:attach(s_link, {ip = '18.181.0.31/24'})\n"
    "S:route('default', '18.181.0.1'); R:attach(s_link, {ip = '18.181.0.1/24'})\n"
    "local B = sim.host('B'); B:attach(p_link, {ip = '138.76.29.33/24'})\n"
    "B:route('default', '138.76.29.1'); R:attach(p_link, {ip = '138.76.29.1/24'})\n";

static const char lua_src[] =
    "local srv = turn.server(S, {users = {alice = 'pw'}, tcp = true})\n"
    "local a, err = turn.allocate(A, '18.181.0.31:3478', {user = 'alice', password = 'pw',\n"
    "                                                      transport = 'tcp'})\n"
    "sim.expect(a ~= nil, 'allocated over tcp: ' .. tostring(err))\n"
    "sim.expect(a:mapped():match('^68%.36%.210%.57:') ~= nil, 'S saw A through NA')\n"
    "sim.expect(a:permit('138.76.29.33') == true, 'permission over tcp')\n"
    "local b = B:udp{port = 7000}\n"
    "local rip, rport = a:relayed():match('^(.*):(%d+)$')\n"
    "b:sendto('via data indication', rip, tonumber(rport))\n"
    "local d, from, ch = a:recv('1s')\n"
    "sim.expect(d == 'via data indication' and ch == 0, 'Data indication over tcp')\n"
    "sim.expect(a:bind('138.76.29.33:7000') == 0x4000, 'channel over tcp')\n"
    "for _, msg in ipairs({'x', 'xy', 'xyz', 'wxyz', 'vwxyz'}) do\n"
    "  a:send('138.76.29.33:7000', msg)\n"
    "  local got = b:recv('1s')\n"
    "  sim.expect(got == msg, 'ChannelData ' .. #msg .. ' bytes reached B: ' .. tostring(got))\n"
    "  b:sendto(msg .. '!', rip, tonumber(rport))\n"
    "  d, from, ch = a:recv('1s')\n"
    "  sim.expect(d == msg .. '!' and ch == 0x4000, 'and back: ' .. tostring(d))\n"
    "end\n"
    "sim.expect(srv:stats().tcp_open == 1 and srv:stats().relayed_to_peer == 5, 'one conn')\n"
    "local nope, why = turn.allocate(A, '18.181.0.31:3479', {user = 'alice', password = 'pw',\n"
    "                                                        transport = 'tcp'})\n"
    "sim.expect(nope == nil and why == 'tcp: Connection refused', tostring(why))\n"
    "local ok, e = pcall(turn.allocate, A, '18.181.0.31:3478', {user = 'alice',\n"
    "                    password = 'pw', transport = 'sctp'})\n"
    "sim.expect(not ok and e:find(\"option 'transport'\", 1, true), tostring(e))\n"
    "ok, e = pcall(turn.allocate, A, '18.181.0.31:3478', {user = 'alice', password = 'pw',\n"
    "               transport = 'tcp', pad = false})\n"
    "sim.expect(not ok and e:find(\"option 'pad'\", 1, true), tostring(e))\n";

/* The whole client story over TCP through the NAT (Lua), every payload size for padding. */
static void test_sim_lua(void)
{
    fx f;
    fx_init(&f, world_src, lua_src, "turn", turn_lua_open);
    g_assert_cmpuint(simlua_expect_passed(f.lua), ==, 19);
    fx_clear(&f);
}

static size_t n_allocs(turn_app *srv) { return turn_server_n_allocations(turn_app_server_core(srv)); }

static void on_junk(sim_sock *s, int err, void *ctx)
{
    static const char junk[] = "\x80\x00\x00\x04junk";
    g_assert_cmpint(err, ==, 0);
    sim_tcp_send(s, junk, sizeof junk - 1);
}

/* The allocation lives as long as its connection: the client going away (FIN) deletes it at
 * the server; garbage on a connection closes it. */
static void test_sim_close_deletes(void)
{
    fx f;
    fx_init(&f, world_src, NULL, "turn", turn_lua_open);
    sim_time_t t0 = sim_world_now(f.w);
    GError *err = NULL;
    turn_app *srv = turn_app_server(f.s, &(turn_server_cfg){ .fingerprint = true }, &err);
    g_assert_no_error(err);
    turn_server_add_user(turn_app_server_core(srv), "alice", "pw");
    g_assert_cmpint(turn_app_server_listen_tcp(srv, &err), ==, 0);
    turn_client_cfg cc = { .server = ep("18.181.0.31:3478"), .username = "alice",
                           .password = "pw" };
    turn_app *cli = turn_app_client_tcp(f.a, &cc, &err);
    g_assert_no_error(err);
    turn_client_allocate(turn_app_client_core(cli), sim_world_now(f.w));
    turn_app_kick(cli);
    sim_world_run(f.w, t0 + SIM_SEC);
    g_assert_cmpint(turn_client_get_state(turn_app_client_core(cli)), ==, TURN_CLIENT_ALLOCATED);
    g_assert_cmpuint(n_allocs(srv), ==, 1);
    g_assert_cmpuint(turn_app_tcp_open(srv), ==, 1);
    turn_app_free(cli); /* closes the connection, no Refresh */
    sim_world_run(f.w, t0 + 2 * SIM_SEC);
    g_assert_cmpuint(n_allocs(srv), ==, 0);
    g_assert_cmpuint(turn_app_tcp_open(srv), ==, 0);

    sim_sock *s = sim_tcp_open(f.a, SIM_AF_INET);
    sim_tcp_set_callbacks(s, &(sim_tcp_cbs){ .connected = on_junk });
    sim_ep server = ep("18.181.0.31:3478");
    g_assert_cmpint(sim_tcp_connect(s, &server), ==, 0);
    sim_world_run(f.w, t0 + 3 * SIM_SEC);
    g_assert_cmpuint(turn_app_tcp_open(srv), ==, 0); /* closed for the garbage */
    g_assert_cmpstr(sim_tcp_state(s), !=, "ESTABLISHED");
    g_assert_cmpuint(turn_server_get_stats(turn_app_server_core(srv))->requests, ==, 2);
    sim_sock_close(s);
    fx_clear(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/turn/tcp/chandata-stream", test_chandata_stream);
    g_test_add_func("/turn/tcp/client-transport-failed", test_client_transport_failed);
    g_test_add_func("/turn/tcp/sim/lua", test_sim_lua);
    g_test_add_func("/turn/tcp/sim/close-deletes", test_sim_close_deletes);
    return g_test_run();
}
