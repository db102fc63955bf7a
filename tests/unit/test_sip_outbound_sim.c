/* tests/unit/test_sip_outbound_sim.c — RFC 5626 outbound end to end through the driver in a
 * simulated world, over TCP: bob behind a NAT registers through an edge proxy to a separate
 * registrar / home proxy; CRLFCRLF pings and CRLF pongs flow on his connection; alice's call
 * reaches him over that connection (the flow token names it); once his connection is closed
 * the edge answers the next call 430 Flow Failed. (Scenario 24 does the UDP case.) */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/sip/sip.h"
#include "sim/socket.h"
#include "tests/unit/ep_util.h"
#include "tests/unit/world_fx.h"

/* bob 10.0.0.20 behind NAT N (128.6.4.33); edge E 18.0.0.10, registrar and home proxy S
 * 18.0.0.84, alice A 18.0.0.50. */
static const char world_src[] =
    "local home, up = sim.lan('home', {delay = '1ms'}), sim.link('up', {delay = '5ms'})\n"
    "local net = sim.lan('net', {delay = '2ms'})\n"
    "local N = sim.nat('N', {preset = 'port-restricted-cone', ports = 'random'})\n"
    "local R, B = sim.router('R'), sim.host('B')\n"
    "B:attach(home, {ip = '10.0.0.20/24'}) B:route('default', '10.0.0.1')\n"
    "N:inside(home, {ip = '10.0.0.1/24'}) N:outside(up, {ip = '128.6.4.33/24'})\n"
    "N:route('default', '128.6.4.1')\n"
    "R:attach(up, {ip = '128.6.4.1/24'}) R:attach(net, {ip = '18.0.0.254/24'})\n"
    "for _, h in ipairs({{'E', '18.0.0.10'}, {'S', '18.0.0.84'}, {'A', '18.0.0.50'}}) do\n"
    "  local x = sim.host(h[1]) x:attach(net, {ip = h[2] .. '/24'})\n"
    "  x:route('default', '18.0.0.254')\n"
    "end\n";

static sip_app *server(sim_node *n, const char *self, bool outbound)
{
    sip_server_cfg c = { .domain = outbound ? "edge.example" : "18.0.0.84", .self = ep(self),
                         .registrar = !outbound, .record_route = true, .outbound = outbound };
    GError *err = NULL;
    sip_app *a = sip_app_server(n, &c, NULL, &err);
    g_assert_no_error(err);
    return a;
}

static sip_app *ua(sim_node *n, const char *aor, const char *local, const char *via, bool ob)
{
    sip_ua_cfg c = { .aor = aor, .local = ep(local), .proxy = ep(via), .registrar = ep(via),
                     .rport = true, .tcp = ob, .outbound = ob, .keepalive = 20 };
    GError *err = NULL;
    sip_app *a = sip_app_ua(n, &c, &err);
    g_assert_no_error(err);
    return a;
}

/* Runs the world to t, answering every incoming call of bob; returns the first event of kind
 * k seen on alice (its status into *status), or false. */
static bool run_until(fx *f, sim_time_t t, sip_app *bob, sip_app *alice, sip_ua_ev_kind k,
                      unsigned *status)
{
    bool seen = false;
    for (sim_time_t now = sim_world_now(f->w); now < t; now += 10 * SIM_MS) {
        sim_world_run(f->w, now + 10 * SIM_MS);
        sip_ua_ev ev;
        while (bob && sip_ua_event(sip_app_ua_core(bob), &ev))
            if (ev.kind == SIP_UA_EV_INCOMING) {
                sip_ua_answer(sip_app_ua_core(bob), sim_world_now(f->w), ev.call);
                sip_app_kick(bob);
            }
        while (alice && sip_ua_event(sip_app_ua_core(alice), &ev))
            if (ev.kind == k && !seen) {
                seen = true;
                *status = ev.status;
            }
    }
    return seen;
}

static void test_tcp_flow(void)
{
    fx f;
    fx_init(&f, world_src, NULL, "sip", sip_lua_open);
    sip_app *edge = server(sim_world_node(f.w, "E"), "18.0.0.10:5060", true);
    sip_app *home = server(f.s, "18.0.0.84:5060", false);
    sip_app *bob = ua(sim_world_node(f.w, "B"), "sip:bob@18.0.0.84", "10.0.0.20:5060",
                      "18.0.0.10:5060", true);
    sip_app *alice = ua(f.a, "sip:alice@18.0.0.84", "18.0.0.50:5060", "18.0.0.84:5060", false);
    g_assert_cmpint(sip_ua_register(sip_app_ua_core(bob), 0, 3600), ==, 0);
    sip_app_kick(bob);
    sim_world_run(f.w, SIM_SEC);
    const char *path = sip_location_path(sip_server_location(sip_app_server_core(home)),
                                         "bob@18.0.0.84", "sip:bob@10.0.0.20:5060;transport=tcp",
                                         SIM_SEC);
    g_assert_nonnull(path);
    g_assert_true(g_str_has_prefix(path, "<sip:01800604")); /* TCP, 128.6.4.33 */
    g_assert_true(g_str_has_suffix(path, "@18.0.0.10:5060;lr;ob>"));
    g_assert_cmpuint(sip_app_tcp_conns(edge), ==, 1);

    /* 100 s: pings every 20 s, each answered by a pong */
    sim_world_run(f.w, 101 * SIM_SEC);
    const sip_ua_stats *bs = sip_ua_get_stats(sip_app_ua_core(bob));
    g_assert_cmpuint(bs->keepalives, ==, 5);
    g_assert_cmpuint(bs->keepalive_answers, ==, 5);
    g_assert_cmpuint(bs->registrations, ==, 1);
    g_assert_cmpuint(sip_server_get_stats(sip_app_server_core(edge))->keepalives, ==, 5);

    /* alice's call arrives over bob's connection */
    unsigned call, st = 0;
    sim_time_t now = sim_world_now(f.w);
    g_assert_cmpint(sip_ua_call(sip_app_ua_core(alice), now, "sip:bob@18.0.0.84", &call), ==, 0);
    sip_app_kick(alice);
    g_assert_true(run_until(&f, now + 2 * SIM_SEC, bob, alice, SIP_UA_EV_ANSWERED, &st));
    g_assert_cmpuint(sip_server_get_stats(sip_app_server_core(home))->via_path, ==, 1);
    g_assert_cmpuint(sip_server_get_stats(sip_app_server_core(edge))->via_token, >=, 1);
    g_assert_cmpuint(sip_app_tcp_conns(edge), >=, 1);

    /* bob goes away: his connection closes, the edge forgets the flow: 430 to the home proxy,
     * which removes the binding and, with no other flow of bob's phone, answers 480 */
    sip_app_free(bob);
    sim_world_run(f.w, sim_world_now(f.w) + SIM_SEC);
    now = sim_world_now(f.w);
    g_assert_cmpint(sip_ua_call(sip_app_ua_core(alice), now, "sip:bob@18.0.0.84", &call), ==, 0);
    sip_app_kick(alice);
    g_assert_true(run_until(&f, now + 2 * SIM_SEC, NULL, alice, SIP_UA_EV_ENDED, &st));
    g_assert_cmpuint(st, ==, 480);
    g_assert_cmpuint(sip_server_get_stats(sip_app_server_core(edge))->flow_failed, ==, 1);
    g_assert_cmpuint(sip_location_count(sip_server_location(sip_app_server_core(home)), now),
                     ==, 0); /* RFC 5626 §7: the failed flow's binding is gone */
    fx_clear(&f);
}

/* RFC 5626 §4.4.1 over a stream: a CRLFCRLF ping that arrives in two TCP segments (CRLF, then
 * CRLF 100 ms later) is still one ping, answered with one CRLF pong; a request after it is
 * read as usual. */
static void test_split_ping(void)
{
    fx f;
    fx_init(&f, world_src, NULL, "sip", sip_lua_open);
    sip_app *edge = server(sim_world_node(f.w, "E"), "18.0.0.10:5060", true);
    sim_sock *s = sim_tcp_open(f.a, SIM_AF_INET);
    sim_ep to = ep("18.0.0.10:5060");
    g_assert_nonnull(s);
    g_assert_cmpint(sim_tcp_connect(s, &to), ==, 0);
    sim_world_run(f.w, SIM_SEC);
    g_assert_cmpint(sim_tcp_send(s, "\r\n", 2), ==, 2);
    sim_world_run(f.w, SIM_SEC + 100 * SIM_MS);
    uint8_t buf[64];
    g_assert_cmpint(sim_tcp_recv(s, buf, sizeof buf), ==, -EAGAIN); /* half a ping: no pong */
    g_assert_cmpint(sim_tcp_send(s, "\r\n", 2), ==, 2);
    sim_world_run(f.w, 2 * SIM_SEC);
    g_assert_cmpint(sim_tcp_recv(s, buf, sizeof buf), ==, 2);
    g_assert_cmpmem(buf, 2, "\r\n", 2);
    const sip_server_stats *st = sip_server_get_stats(sip_app_server_core(edge));
    g_assert_cmpuint(st->keepalives, ==, 1);
    static const char opt[] =
        "OPTIONS sip:edge.example SIP/2.0\r\nVia: SIP/2.0/TCP 18.0.0.50:5060;branch=z9hG4bKo1\r\n"
        "Max-Forwards: 70\r\nTo: <sip:edge.example>\r\nFrom: <sip:a@18.0.0.50>;tag=1\r\n"
        "Call-ID: o1@a\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    g_assert_cmpint(sim_tcp_send(s, "\r\n", 2), ==, 2); /* a lone CRLF, then a request */
    sim_world_run(f.w, 2 * SIM_SEC + 100 * SIM_MS);
    g_assert_cmpint(sim_tcp_send(s, opt, sizeof opt - 1), ==, (ssize_t)(sizeof opt - 1));
    sim_world_run(f.w, 3 * SIM_SEC);
    g_assert_cmpuint(st->rx, >=, 1);
    g_assert_cmpuint(st->keepalives, ==, 1);
    ssize_t n = sim_tcp_recv(s, buf, sizeof buf);
    g_assert_cmpint(n, >, 12);
    g_assert_cmpmem(buf, 8, "SIP/2.0 ", 8); /* the OPTIONS was answered */
    sim_sock_close(s);
    sip_app_free(edge);
    fx_clear(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sip/outbound/sim/tcp-flow", test_tcp_flow);
    g_test_add_func("/sip/outbound/sim/split-ping", test_split_ping);
    return g_test_run();
}
