/* bench_turn — TURN-relayed datagrams per wall second (a benchmark, not a test: it prints
 * figures and never fails on time). Usage: bench_turn [datagrams] [simulated seconds]
 *
 * 1. cores: the client and server cores wired back to back, no simulator: each round the client
 *    sends one 160-byte datagram to the peer and the peer one back, through the relay, as
 *    ChannelData (channel bound) or as Send/Data indications (permission only). This is the
 *    protocol code's cost per relayed datagram.
 * 2. simulated: scenario 11's topology in a world (A behind a symmetric NAT, the server, peer
 *    B), a channel bound, B sending a 160-byte datagram to the relayed address every 1 ms for
 *    the given simulated time while a task on A receives them: engine + NAT + TURN + Lua. */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "protocols/turn/turn.h"
#include "sim/lua/simlua.h"

typedef struct b2b {
    sim_rng rng;
    turn_server *s;
    turn_client *c;
    sim_ep listen, client, peer, relay;
    uint64_t to_peer, to_client;
} b2b;

static void pump(b2b *t)
{
    turn_out o;
    bool moved = true;
    while (moved) {
        moved = false;
        while (turn_client_pop(t->c, &o)) {
            moved = true;
            turn_server_input(t->s, 0, &t->listen, &t->client, o.data, o.len);
        }
        while (turn_server_pop(t->s, &o)) {
            moved = true;
            if (sim_ep_eq(&o.to, &t->client))
                turn_client_input(t->c, 0, &t->listen, o.data, o.len);
            else
                t->to_peer++;
        }
    }
    turn_event ev;
    turn_server_event sev;
    turn_rx rx;
    while (turn_client_pop_event(t->c, &ev) || turn_server_pop_event(t->s, &sev))
        ;
    while (turn_client_pop_rx(t->c, &rx))
        t->to_client++;
}

static void bench_cores(uint64_t n, bool channel)
{
    b2b t = { 0 };
    sim_rng_seed(&t.rng, 1);
    sim_ep_parse("18.181.0.31:3478", &t.listen);
    sim_ep_parse("68.36.210.57:21199", &t.client);
    sim_ep_parse("138.76.29.33:5000", &t.peer);
    t.s = turn_server_new(&(turn_server_cfg){ .listen = t.listen }, &t.rng);
    turn_server_add_user(t.s, "alice", "pw");
    t.c = turn_client_new(&(turn_client_cfg){ .server = t.listen, .username = "alice",
                                              .password = "pw" }, &t.rng);
    turn_client_allocate(t.c, 0);
    pump(&t);
    if (channel)
        turn_client_bind(t.c, 0, &t.peer, NULL);
    else
        turn_client_permit(t.c, 0, &t.peer.ip);
    pump(&t);
    turn_client_relayed(t.c, &t.relay, NULL);
    uint8_t payload[160] = { 0 };
    gint64 t0 = g_get_monotonic_time();
    for (uint64_t i = 0; i < n; i++) {
        turn_client_send(t.c, 0, &t.peer, payload, sizeof payload);
        turn_server_input(t.s, 0, &t.relay, &t.peer, payload, sizeof payload);
        pump(&t);
    }
    double secs = (g_get_monotonic_time() - t0) / 1e6;
    printf("cores, %-16s %llu to peer + %llu to client in %.3f s = %.0f datagrams/s\n",
           channel ? "ChannelData:" : "Send/Data ind.:", (unsigned long long)t.to_peer,
           (unsigned long long)t.to_client, secs, (double)(t.to_peer + t.to_client) / secs);
    if (t.to_peer != n || t.to_client != n)
        printf("  (lost: the cores did not relay every datagram)\n");
    turn_client_free(t.c);
    turn_server_free(t.s);
}

static const char scenario[] =
    "local secs = tonumber(arg[1])\n"
    "local R = sim.router('R')\n"
    "local lan, wan = sim.lan('lan', {delay = '1ms'}), sim.link('wan', {delay = '5ms'})\n"
    "local sl, pl = sim.link('s', {delay = '10ms'}), sim.link('p', {delay = '5ms'})\n"
    "local A, S, B = sim.host('A'), sim.host('S'), sim.host('B')\n"
    "A:attach(lan, {ip = '192.168.60.155/24'}); A:route('default', '192.168.60.1')\n"
    "local NA = sim.nat('NA', {preset = 'symmetric'})\n"
    "NA:inside(lan, {ip = '192.168.60.1/24'}); NA:outside(wan, {ip = '68.36.210.57/24'})\n"
    "NA:route('default', '68.36.210.1'); R:attach(wan, {ip = '68.36.210.1/24'})\n"
    "S:attach(sl, {ip = '18.181.0.31/24'}); S:route('default', '18.181.0.1')\n"
    "R:attach(sl, {ip = '18.181.0.1/24'})\n"
    "B:attach(pl, {ip = '138.76.29.33/24'}); B:route('default', '138.76.29.1')\n"
    "R:attach(pl, {ip = '138.76.29.1/24'})\n"
    "turn.server(S, {users = {alice = 'pw'}})\n"
    "local a = turn.allocate(A, '18.181.0.31:3478', {user = 'alice', password = 'pw'})\n"
    "a:bind('138.76.29.33:5000')\n"
    "local ip, port = a:relayed():match('^(.*):(%d+)$')\n"
    "local b = B:udp{port = 5000}\n"
    "local payload = string.rep('x', 160)\n"
    "local n, got = math.floor(secs * 1000), 0\n"
    "sim.spawn(function() while a:recv() do got = got + 1 end end)\n"
    "for i = 1, n do b:sendto(payload, ip, tonumber(port)); sim.sleep('1ms') end\n"
    "sim.sleep('1s')\n"
    "print(string.format('RESULT %d %d', n, got))\n"
    "sim.stop()\n";

static void bench_sim(double secs)
{
    sim_world *w = sim_world_new(&(sim_world_opts){ .seed = 1 }, NULL);
    simlua *s = simlua_new(w, NULL);
    simlua_add_module(s, "turn", turn_lua_open);
    char *path;
    int fd = g_file_open_tmp("bench-turn-XXXXXX.lua", &path, NULL);
    close(fd);
    g_file_set_contents(path, scenario, -1, NULL);
    char arg[32];
    snprintf(arg, sizeof arg, "%g", secs);
    char *argv[] = { arg };
    GError *err = NULL;
    fflush(stdout);
    gint64 t0 = g_get_monotonic_time();
    int rc = simlua_run_file(s, path, 1, argv, SIM_TIME_NEVER, &err);
    double wall = (g_get_monotonic_time() - t0) / 1e6;
    if (rc)
        printf("simulated run failed: %s\n", err->message);
    else
        printf("simulated, %.0f s at 1000 datagrams/s peer -> relay -> NAT -> A: %.3f s wall "
               "= %.0f relayed datagrams/s (see RESULT line: sent, received)\n",
               secs, wall, secs * 1000 / wall);
    g_clear_error(&err);
    simlua_free(s);
    sim_world_free(w);
    g_unlink(path);
    g_free(path);
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    double secs = argc > 2 ? atof(argv[2]) : 60;
    bench_cores(n, true);
    bench_cores(n, false);
    bench_sim(secs);
    return 0;
}
