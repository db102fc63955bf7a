/* tests/unit/test_sip_tcp.c — SIP over TCP (RFC 3261 §18) through the driver in a simulated
 * world: a registrar answering on the connection a REGISTER came in on (not to the Via's
 * port), messages framed from a stream cut into small pieces and merged in one segment, a
 * framing error closing the connection with a RST while the server keeps serving, a request
 * that frames but does not decode answered 400 with the reason on its connection (and the
 * RFC 4475 messages a server must answer, 505 for badvers), a UA in
 * reliable mode sending once and giving up on Timer F, a whole call through a proxy from
 * Lua with the transport option and its misuse, and a UDP proxy using TCP for the one hop whose
 * Contact says ;transport=tcp. Then the transport's edges: a response whose connection is gone
 * going to the Via's port (§18.2.2), refused connections and missing routes failing their
 * transactions as 503 (§18.4, §16.9), idle connections closed by their opener, and a
 * dual-stack UA listening on IPv6. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/sip/sip.h"
#include "sim/socket.h"
#include "tests/unit/ep_util.h"
#include "tests/unit/sip_torture.h"
#include "tests/unit/world_fx.h"

/* A (10.0.0.10), S (10.0.0.2) and B (10.0.0.20) on one LAN. */
static const char world_src[] =
    "local lan = sim.lan('lan', {delay = '5ms'})\n"
    "local A, S, B = sim.host('A'), sim.host('S'), sim.host('B')\n"
    "A:attach(lan, {ip = '10.0.0.10/24'})\n"
    "S:attach(lan, {ip = '10.0.0.2/24'})\n"
    "B:attach(lan, {ip = '10.0.0.20/24'})\n";

/* f: the world src builds, with the sip module loaded; returns its time. */
static sim_time_t sip_world(fx *f, const char *src)
{
    fx_init(f, src, NULL, "sip", sip_lua_open);
    return sim_world_now(f->w);
}

/* ---------------------------------------------------------------- a raw TCP peer */

typedef struct peer {
    sim_sock *s;
    GByteArray *rx;
    bool up, eof;
    int err;        /* how the connection ended (0: still open or orderly) */
} peer;

static void peer_read(sim_sock *s, void *ctx)
{
    peer *p = ctx;
    uint8_t b[2048];
    ssize_t n;
    while ((n = sim_tcp_recv(s, b, sizeof b)) > 0)
        g_byte_array_append(p->rx, b, (guint)n);
    if (n == 0)
        p->eof = true;
    else if (n != -EAGAIN)
        p->err = (int)n;
}

static void peer_connected(sim_sock *s, int err, void *ctx)
{
    (void)s;
    ((peer *)ctx)->up = err == 0;
    ((peer *)ctx)->err = err;
}

static void peer_closed(sim_sock *s, int err, void *ctx)
{
    (void)s;
    ((peer *)ctx)->err = err;
    ((peer *)ctx)->eof = true;
}

/* Connects p from node n to the endpoint `to` (IPv4 or IPv6). */
static void peer_connect(peer *p, sim_node *n, const char *to)
{
    memset(p, 0, sizeof *p);
    p->rx = g_byte_array_new();
    sim_ep e = ep(to);
    p->s = sim_tcp_open(n, e.ip.family);
    sim_tcp_set_callbacks(p->s, &(sim_tcp_cbs){ .connected = peer_connected,
                                                .readable = peer_read, .closed = peer_closed,
                                                .ctx = p });
    g_assert_cmpint(sim_tcp_connect(p->s, &e), ==, 0);
}

static void peer_clear(peer *p)
{
    sim_sock_close(p->s);
    g_byte_array_free(p->rx, TRUE);
}

/* The status codes of the whole responses in p->rx, framed as a SIP stream, comma-separated. */
static char *peer_statuses(peer *p)
{
    GString *s = g_string_new(NULL);
    size_t off = 0, n;
    while (sip_msg_frame(p->rx->data + off, p->rx->len - off, &n) == 0) {
        sip_msg *m = NULL;
        g_assert_cmpint(sip_msg_decode(p->rx->data + off, n, &m, NULL), ==, 0);
        g_assert_false(m->request);
        g_string_append_printf(s, "%s%u", s->len ? "," : "", m->status);
        sip_msg_free(m);
        off += n;
    }
    g_assert_cmpuint(off, ==, p->rx->len); /* nothing half-framed left over */
    return g_string_free(s, FALSE);
}

/* REGISTER number i for u<i>@example.com from A, Via SIP/2.0/TCP with port 5060 (where A
 * has nothing listening: only the connection can carry the answer). */
static char *make_register(int i, bool content_length)
{
    return g_strdup_printf(
        "REGISTER sip:example.com SIP/2.0\r\n"
        "Via: SIP/2.0/TCP 10.0.0.10:5060;branch=z9hG4bK-reg%d\r\n"
        "Max-Forwards: 70\r\n"
        "From: <sip:u%d@example.com>;tag=t%d\r\n"
        "To: <sip:u%d@example.com>\r\n"
        "Call-ID: reg%d@10.0.0.10\r\n"
        "CSeq: 1 REGISTER\r\n"
        "Contact: <sip:u%d@10.0.0.10:5060;transport=tcp>\r\n"
        "%s\r\n",
        i, i, i, i, i, i, content_length ? "Content-Length: 0\r\n" : "");
}

static sip_app *registrar(fx *f)
{
    sip_server_cfg cfg = { .domain = "example.com", .self = ep("10.0.0.2:5060"),
                           .registrar = true, .tcp = true };
    GError *err = NULL;
    sip_app *a = sip_app_server(f->s, &cfg, NULL, &err);
    g_assert_no_error(err);
    return a;
}

/* Connects p from host a to the registrar (10.0.0.2:5060) and runs the world 20 ms on. */
static void peer_to_registrar(peer *p, fx *f, sim_time_t *t)
{
    peer_connect(p, f->a, "10.0.0.2:5060");
    sim_world_run(f->w, *t += 20 * SIM_MS);
}

static void send_str(peer *p, const char *s, size_t len)
{
    g_assert_cmpint(sim_tcp_send(p->s, s, len), ==, (ssize_t)len);
}

/* §18.2.2: the 200 OK goes back over the REGISTER's connection from A's ephemeral port,
 * although the Via names port 5060 (nothing listens there on A). The REGISTER is cut into
 * 7-byte segments (each sent 20 ms apart), then two more arrive merged in one send. */
static void test_split_merge_same_connection(void)
{
    fx f;
    sim_time_t t = sip_world(&f, world_src);
    sip_app *srv = registrar(&f);
    peer p;
    peer_to_registrar(&p, &f, &t);
    g_assert_true(p.up);
    g_autofree char *r1 = make_register(1, true);
    size_t len = strlen(r1);
    for (size_t off = 0; off < len; off += 7) {
        send_str(&p, r1 + off, MIN((size_t)7, len - off));
        sim_world_run(f.w, t += 20 * SIM_MS);
        if (off + 7 < len) /* nothing answered before the last byte */
            g_assert_cmpuint(p.rx->len, ==, 0);
    }
    g_autofree char *r2 = make_register(2, true), *r3 = make_register(3, true);
    g_autofree char *both = g_strconcat(r2, r3, NULL);
    send_str(&p, both, strlen(both));
    sim_world_run(f.w, t += 100 * SIM_MS);
    g_autofree char *st = peer_statuses(&p);
    g_assert_cmpstr(st, ==, "200,200,200");
    g_assert_cmpuint(sip_server_get_stats(sip_app_server_core(srv))->registers, ==, 3);
    g_assert_cmpuint(sip_app_tcp_conns(srv), ==, 1); /* no new connection to A:5060 */
    GPtrArray *c = g_ptr_array_new();
    sip_location_lookup(sip_server_location(sip_app_server_core(srv)), "u2@example.com", t, c,
                        NULL);
    g_assert_cmpuint(c->len, ==, 1);
    g_assert_cmpstr(c->pdata[0], ==, "sip:u2@10.0.0.10:5060;transport=tcp");
    g_ptr_array_free(c, TRUE);
    /* A closing its side: the registrar closes its connection too */
    sim_sock_close(p.s);
    p.s = NULL;
    sim_world_run(f.w, t += SIM_SEC);
    g_assert_cmpuint(sip_app_tcp_conns(srv), ==, 0);
    peer_clear(&p);
    fx_clear(&f);
}

/* A message without Content-Length (mandatory on streams, §18.3), a head that is not SIP at
 * all, and a head that never ends within SIP_MSG_MAX: each connection is reset; the server
 * still answers a good REGISTER on a new connection. */
static void test_framing_error_closes(void)
{
    fx f;
    sim_time_t t = sip_world(&f, world_src);
    sip_app *srv = registrar(&f);
    g_autofree char *no_cl = make_register(1, false);
    g_autofree char *huge = g_strnfill(SIP_MSG_MAX + 10, 'x');
    const char *bad[] = { no_cl, "HELLO WORLD\r\n\r\n", huge };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        peer p;
        peer_to_registrar(&p, &f, &t);
        size_t len = strlen(bad[i]);
        for (size_t off = 0; off < len && !p.eof;) { /* the send buffer holds 64 KiB */
            ssize_t n = sim_tcp_send(p.s, bad[i] + off, len - off);
            g_assert_cmpint(n, >=, 0);
            off += (size_t)n;
            sim_world_run(f.w, t += 200 * SIM_MS);
        }
        sim_world_run(f.w, t += SIM_SEC);
        g_test_message("case %zu: eof %d err %d", i, p.eof, p.err);
        g_assert_true(p.eof);
        g_assert_cmpint(p.err, ==, -ECONNRESET);
        g_assert_cmpuint(p.rx->len, ==, 0); /* no answer: the stream cannot be trusted */
        g_assert_cmpuint(sip_app_tcp_conns(srv), ==, 0);
        peer_clear(&p);
    }
    g_assert_cmpuint(sip_server_get_stats(sip_app_server_core(srv))->rx, ==, 0);
    peer p;
    peer_to_registrar(&p, &f, &t);
    g_autofree char *good = make_register(4, true);
    send_str(&p, good, strlen(good));
    sim_world_run(f.w, t += 100 * SIM_MS);
    g_autofree char *st = peer_statuses(&p);
    g_assert_cmpstr(st, ==, "200");
    peer_clear(&p);
    fx_clear(&f);
}

/* A request that frames but does not decode (two SPs in the request line, RFC 4475 lwsstart)
 * is answered on its connection with 400 and the reason (§8.2, §16.3), and so is each RFC
 * 4475 message a server must answer (badvers 505, multi01 400, unkscm 416 ...) while the
 * responses among them (bigcode, scalarlg) are dropped; the connection stays up for the
 * next, good request. */
static void test_malformed_answered(void)
{
    fx f;
    sim_time_t t = sip_world(&f, world_src);
    sip_app *srv = registrar(&f);
    peer p;
    peer_to_registrar(&p, &f, &t);
    g_autofree char *good = make_register(2, true);
    g_autofree char *r1 = make_register(1, true);
    GString *bad = g_string_new(r1);
    g_string_insert_c(bad, strlen("REGISTER"), ' ');
    send_str(&p, bad->str, bad->len);
    sim_world_run(f.w, t += 100 * SIM_MS);
    g_autofree char *st = peer_statuses(&p);
    g_assert_cmpstr(st, ==, "400");
    g_assert_nonnull(memmem(p.rx->data, p.rx->len,
                            "SIP/2.0 400 request line must be Method SP Request-URI SP "
                            "SIP-Version\r\n", 71));
    g_assert_nonnull(memmem(p.rx->data, p.rx->len, "Call-ID: reg1@10.0.0.10\r\n", 25));
    for (size_t i = 0; i < G_N_ELEMENTS(sip_torture_cases); i++) {
        g_byte_array_set_size(p.rx, 0);
        GBytes *b = sip_torture_load(sip_torture_cases[i].name);
        gsize len;
        const char *d = g_bytes_get_data(b, &len);
        send_str(&p, d, len);
        sim_world_run(f.w, t += 100 * SIM_MS);
        if (sip_torture_cases[i].reply)
            sip_torture_check_answer(i, p.rx->data, p.rx->len);
        else
            g_assert_cmpuint(p.rx->len, ==, 0);
        g_bytes_unref(b);
    }
    g_byte_array_set_size(p.rx, 0);
    send_str(&p, good, strlen(good));
    sim_world_run(f.w, t += 100 * SIM_MS);
    g_autofree char *st2 = peer_statuses(&p);
    g_assert_cmpstr(st2, ==, "200");
    const sip_server_stats *ss = sip_server_get_stats(sip_app_server_core(srv));
    g_assert_cmpuint(ss->bad, ==, 10);
    g_assert_cmpuint(ss->rejected, ==, 2);
    g_assert_cmpuint(ss->dropped, ==, 2);
    g_assert_cmpuint(ss->registers, ==, 1);
    g_assert_cmpuint(sip_app_tcp_conns(srv), ==, 1);
    g_assert_false(p.eof);
    g_string_free(bad, TRUE);
    peer_clear(&p);
    fx_clear(&f);
}

/* A raw TCP listener on n:port (what a phone keeps open on its Via port). */
static sim_sock *listen_on(sim_node *n, uint16_t port)
{
    sim_sock *l = sim_tcp_open(n, SIM_AF_INET);
    sim_ep any = { .port = port };
    g_assert_cmpint(sim_sock_bind(l, &any), ==, 0);
    g_assert_cmpint(sim_tcp_listen(l, 4), ==, 0);
    return l;
}

/* A UA on n at local (its AOR aor) sending over TCP, no proxy. */
static sip_app *tcp_ua(sim_node *n, const char *aor, const char *local)
{
    sip_ua_cfg cfg = { .aor = aor, .local = ep(local), .tcp = true };
    GError *err = NULL;
    sip_app *a = sip_app_ua(n, &cfg, &err);
    g_assert_no_error(err);
    return a;
}

/* A TCP UA asking OPTIONS of a peer that accepts the connection but never answers: the request
 * goes out exactly once (reliable mode: no Timer E retransmissions), and Timer F (64*T1 = 32 s)
 * still ends the transaction with 408. */
static void test_reliable_timer_f(void)
{
    fx f;
    sim_time_t t0 = sip_world(&f, world_src);
    sim_sock *l = listen_on(sim_world_node(f.w, "B"), 5060);
    sip_app *ua = tcp_ua(f.a, "sip:alice@example.com", "10.0.0.10:5060");
    g_assert_cmpint(sip_ua_options(sip_app_ua_core(ua), t0, "sip:bob@10.0.0.20"), ==, 0);
    sip_app_kick(ua);
    sim_world_run(f.w, t0 + 31 * SIM_SEC);
    sim_sock *c = sim_tcp_accept(l);
    g_assert_nonnull(c);
    uint8_t buf[4096];
    ssize_t n = sim_tcp_recv(c, buf, sizeof buf);
    size_t one = 0;
    g_assert_cmpint(n, >, 0);
    g_assert_cmpint(sip_msg_frame(buf, (size_t)n, &one), ==, 0);
    g_assert_cmpuint(one, ==, (size_t)n); /* one OPTIONS in 31 s, nothing retransmitted */
    static const char via[] = "Via: SIP/2.0/TCP 10.0.0.10:5060;";
    g_assert_nonnull(memmem(buf, one, via, strlen(via)));
    sip_ua_ev ev;
    g_assert_false(sip_ua_event(sip_app_ua_core(ua), &ev));
    sim_world_run(f.w, t0 + 33 * SIM_SEC);
    g_assert_true(sip_ua_event(sip_app_ua_core(ua), &ev));
    g_assert_cmpint(ev.kind, ==, SIP_UA_EV_OPTIONS);
    g_assert_cmpuint(ev.status, ==, 408);
    sim_sock_close(c);
    sim_sock_close(l);
    fx_clear(&f);
}

/* Lua: a call through a TCP proxy (register, INVITE, answer, BYE), every message on TCP with
 * the connections reused; a bad transport names the option. */
static void test_lua_call(void)
{
    fx f;
    fx_init(&f, world_src,
        "local px = sip.proxy(S, {domain = 'example.com', registrar = true, transport = 'tcp'})\n"
        "local bob = sip.ua(B, {aor = 'sip:bob@example.com', proxy = '10.0.0.2', "
        "transport = 'tcp'})\n"
        "local alice = sip.ua(A, {aor = 'sip:alice@example.com', proxy = '10.0.0.2', "
        "transport = 'TCP', media = false})\n"
        "local bc\n"
        "bob:on_invite(function(c) bc = c; c:ring(); c:answer() end)\n"
        "sim.expect(bob:register(), 'registered over tcp')\n"
        "local c = alice:call('sip:bob@example.com')\n"
        "sim.expect(c:wait_answer(5), 'answered over tcp')\n"
        "c:bye()\n"
        "local ended, code = bc:wait_end(5)\n"
        "sim.expect(ended and code == 200, 'BYE over tcp: ' .. tostring(code))\n"
        /* Bob's REGISTER connection, Alice's, and the proxy's to Bob's contact, which the
         * INVITE opened and Alice's BYE reuses: nothing is opened towards Alice */
        "sim.expect(px:stats().tcp_connections == 3, 'proxy: ' .. px:stats().tcp_connections)\n"
        "sim.expect(alice:stats().tcp_connections == 1, 'alice: 1 connection')\n"
        "local ok, e = pcall(sip.ua, A, {aor = 'sip:x@example.com', port = 5070, "
        "transport = 'sctp'})\n"
        "sim.expect(not ok and e:find(\"option 'transport'\", 1, true), tostring(e))\n"
        "ok, e = pcall(sip.proxy, S, {domain = 'x.org', port = 5070, transport = 5})\n"
        "sim.expect(not ok and e:find('transport', 1, true), tostring(e))\n",
        "sip", sip_lua_open);
    g_assert_cmpuint(simlua_expect_passed(f.lua), ==, 7);
    fx_clear(&f);
}

/* A UDP proxy forwarding to a Contact registered with ;transport=tcp opens a connection for
 * that hop only (§18.1.1, RFC 3263 §4.1: the URI's transport wins); Alice's side stays UDP. */
static void test_contact_transport(void)
{
    fx f;
    fx_init(&f, world_src,
        "local px = sip.proxy(S, {domain = 'example.com', registrar = true})\n"
        "local bob = sip.ua(B, {aor = 'sip:bob@example.com', proxy = '10.0.0.2', "
        "transport = 'tcp', media = false})\n"
        "local alice = sip.ua(A, {aor = 'sip:alice@example.com', proxy = '10.0.0.2', "
        "media = false})\n"
        "bob:on_invite(function(c) c:answer() end)\n"
        "sim.expect(bob:register(), 'registered')\n"
        "local c = alice:call('sip:bob@example.com')\n"
        "sim.expect(c:wait_answer(5), 'answered')\n"
        "c:bye()\n"
        "sim.expect(c:wait_end(5), 'ended')\n"
        "sim.expect(px:stats().tcp_connections == 2, 'proxy: ' .. px:stats().tcp_connections)\n"
        "sim.expect(alice:stats().tcp_connections == 0, 'alice: UDP only')\n",
        "sip", sip_lua_open);
    g_assert_cmpuint(simlua_expect_passed(f.lua), ==, 5);
    fx_clear(&f);
}


/* ---------------------------------------------------------------- §18.2.2, §18.4, idle */

/* The next UA event, which must be of kind k; returns it. */
static sip_ua_ev next_ev(sip_app *ua, sip_ua_ev_kind k)
{
    sip_ua_ev ev;
    g_assert_true(sip_ua_event(sip_app_ua_core(ua), &ev));
    g_assert_cmpint(ev.kind, ==, k);
    return ev;
}

/* An INVITE from A to bob at B over TCP whose Via names A's port via_port. */
static char *make_invite(unsigned via_port)
{
    static const char sdp[] = "v=0\r\no=a 1 1 IN IP4 10.0.0.10\r\ns=-\r\nc=IN IP4 10.0.0.10\r\n"
                              "t=0 0\r\nm=audio 40000 RTP/AVP 0\r\n";
    return g_strdup_printf(
        "INVITE sip:bob@10.0.0.20 SIP/2.0\r\n"
        "Via: SIP/2.0/TCP 10.0.0.10:%u;branch=z9hG4bK-inv1\r\n"
        "Max-Forwards: 70\r\n"
        "From: <sip:alice@example.com>;tag=a1\r\n"
        "To: <sip:bob@example.com>\r\n"
        "Call-ID: inv1@10.0.0.10\r\n"
        "CSeq: 1 INVITE\r\n"
        "Contact: <sip:alice@10.0.0.10:%u;transport=tcp>\r\n"
        "Content-Type: application/sdp\r\n"
        "Content-Length: %zu\r\n\r\n%s",
        via_port, via_port, strlen(sdp), sdp);
}

/* §18.2.2: Alice's phone sends an INVITE from an ephemeral port, gets 100 Trying, and closes
 * the connection; it still listens on its Via port (5062). Bob rejects at t1 + 1 s: the 486
 * goes on a new connection to 10.0.0.10:5062 (SYN at t1 + 1 s, handshake done at Alice 15 ms
 * later, the 486 in the same flight), not to the old connection's source port. With nothing
 * listening on the Via port either, the 486 is counted as lost. */
static void test_response_reopens_to_via(void)
{
    for (int listening = 1; listening >= 0; listening--) {
        fx f;
        sim_time_t t = sip_world(&f, world_src);
        sim_node *b = sim_world_node(f.w, "B");
        sip_app *bob = tcp_ua(b, "sip:bob@example.com", "10.0.0.20:5060");
        sim_sock *l = listening ? listen_on(f.a, 5062) : NULL;
        peer p;
        peer_connect(&p, f.a, "10.0.0.20:5060");
        sim_world_run(f.w, t += 20 * SIM_MS);
        g_autofree char *inv = make_invite(5062);
        send_str(&p, inv, strlen(inv));
        sim_world_run(f.w, t += 100 * SIM_MS);
        g_autofree char *st = peer_statuses(&p);
        g_assert_cmpstr(st, ==, "100");
        sip_ua_ev ev = next_ev(bob, SIP_UA_EV_INCOMING);
        sim_sock_close(p.s); /* the phone drops its connection */
        p.s = NULL;
        sim_world_run(f.w, t += 900 * SIM_MS);
        g_assert_cmpuint(sip_app_tcp_conns(bob), ==, 0);
        g_assert_cmpint(sip_ua_reject(sip_app_ua_core(bob), t, ev.call, 486), ==, 0);
        sip_app_kick(bob);
        sim_world_run(f.w, t + 14 * SIM_MS);
        if (l)
            g_assert_null(sim_tcp_accept(l));
        sim_world_run(f.w, t + 16 * SIM_MS);
        if (l) {
            sim_sock *c = sim_tcp_accept(l);
            g_assert_nonnull(c);
            sim_ep from = sim_sock_remote(c), b_ip = ep("10.0.0.20:1");
            g_assert_true(sim_ip_eq(&from.ip, &b_ip.ip));
            uint8_t buf[2048];
            ssize_t n = sim_tcp_recv(c, buf, sizeof buf);
            g_assert_cmpint(n, >, 0);
            g_assert_true(memcmp(buf, "SIP/2.0 486 ", 12) == 0);
            g_assert_cmpuint(sip_app_tcp_conns(bob), ==, 1);
            sim_sock_close(c);
            sim_sock_close(l);
        }
        sim_world_run(f.w, t + SIM_SEC);
        g_assert_cmpuint(sip_app_tcp_lost(bob), ==, listening ? 0 : 1);
        peer_clear(&p);
        fx_clear(&f);
    }
}


/* §18.4, §8.1.3.1: Alice's TCP UA sends an OPTIONS and an INVITE to B, where nothing listens:
 * both wait in one connection; the RST (t0 + 20 ms: ARP 10 ms, SYN 5 ms, RST 5 ms) fails each
 * request's transaction at once
 * as a 503 (the call ends then, not on Timer B 32 s later), and nothing counts as lost. */
static void test_connect_refused_ua(void)
{
    fx f;
    sim_time_t t0 = sip_world(&f, world_src);
    sip_app *alice = tcp_ua(f.a, "sip:alice@example.com", "10.0.0.10:5060");
    sip_ua *core = sip_app_ua_core(alice);
    unsigned call;
    g_assert_cmpint(sip_ua_options(core, t0, "sip:bob@10.0.0.20"), ==, 0);
    g_assert_cmpint(sip_ua_call(core, t0, "sip:bob@10.0.0.20", &call), ==, 0);
    sip_app_kick(alice);
    g_assert_cmpuint(sip_app_tcp_conns(alice), ==, 1); /* both requests on one connection */
    sim_world_run(f.w, t0 + 19 * SIM_MS);
    sip_ua_ev ev;
    g_assert_false(sip_ua_event(core, &ev));
    sim_world_run(f.w, t0 + 21 * SIM_MS);
    g_assert_cmpuint(next_ev(alice, SIP_UA_EV_OPTIONS).status, ==, 503);
    ev = next_ev(alice, SIP_UA_EV_ENDED);
    g_assert_cmpuint(ev.call, ==, call);
    g_assert_cmpuint(ev.status, ==, 503);
    g_assert_false(ev.by_remote);
    g_assert_cmpuint(sip_app_tcp_conns(alice), ==, 0);
    g_assert_cmpuint(sip_app_tcp_lost(alice), ==, 0);
    sim_world_run(f.w, t0 + 40 * SIM_SEC); /* nothing more: no 408 from Timer B */
    g_assert_false(sip_ua_event(core, &ev));
    fx_clear(&f);
}

/* §16.9: a UDP proxy forwarding to a contact registered with ;transport=tcp on a port where
 * nothing listens: the refused connection makes the branch a 503, which is the best (only)
 * response, so Alice's call ends with 503 at t0 + 40 ms (ARP 10 ms and INVITE 5 ms; ARP 10 ms,
 * SYN 5 ms and RST 5 ms; the 503 5 ms), not on Timer B. */
static void test_connect_refused_proxy(void)
{
    fx f;
    sim_time_t t0 = sip_world(&f, world_src);
    sip_server_cfg cfg = { .domain = "example.com", .self = ep("10.0.0.2:5060"),
                           .registrar = true };
    GError *err = NULL;
    sip_app *px = sip_app_server(f.s, &cfg, NULL, &err);
    g_assert_no_error(err);
    sip_location_bind(sip_server_location(sip_app_server_core(px)), "bob@example.com",
                      "sip:bob@10.0.0.20:5070;transport=tcp", t0 + 3600 * SIM_SEC, NULL);
    sip_ua_cfg ucfg = { .aor = "sip:alice@example.com", .local = ep("10.0.0.10:5060"),
                        .proxy = ep("10.0.0.2:5060") };
    sip_app *alice = sip_app_ua(f.a, &ucfg, &err);
    g_assert_no_error(err);
    unsigned call;
    g_assert_cmpint(sip_ua_call(sip_app_ua_core(alice), t0, "sip:bob@example.com", &call), ==,
                    0);
    sip_app_kick(alice);
    sim_world_run(f.w, t0 + 39 * SIM_MS);
    sip_ua_ev ev;
    g_assert_false(sip_ua_event(sip_app_ua_core(alice), &ev));
    sim_world_run(f.w, t0 + 41 * SIM_MS);
    ev = next_ev(alice, SIP_UA_EV_ENDED);
    g_assert_cmpuint(ev.status, ==, 503);
    g_assert_true(ev.by_remote);
    g_assert_cmpuint(sip_server_get_stats(sip_app_server_core(px))->forwarded, ==, 1);
    g_assert_cmpuint(sip_app_tcp_lost(px), ==, 0);
    fx_clear(&f);
}


/* Runs the world in 1 ms steps (at most 1 s) until ua has an event; *t is then its time. */
static sip_ua_ev wait_ev(fx *f, sip_app *ua, sip_ua_ev_kind k, sim_time_t *t)
{
    sip_ua_ev ev;
    for (int i = 0; i < 1000 && !sip_ua_event(sip_app_ua_core(ua), &ev); i++)
        sim_world_run(f->w, *t += SIM_MS);
    g_assert_cmpint(ev.kind, ==, k);
    return ev;
}

/* Alice's TCP UA (tcp_idle as given; its proxy is the registrar S) asks OPTIONS and gets 200
 * at *t. Returns the app. */
static sip_app *options_to_registrar(fx *f, sim_time_t idle, sim_time_t *t)
{
    sip_ua_cfg cfg = { .aor = "sip:alice@example.com", .local = ep("10.0.0.10:5060"),
                       .proxy = ep("10.0.0.2:5060"), .tcp = true };
    GError *err = NULL;
    sip_app *a = sip_app_ua(f->a, &cfg, &err);
    g_assert_no_error(err);
    sip_app_set_tcp_idle(a, idle);
    *t = sim_world_now(f->w);
    g_assert_cmpint(sip_ua_options(sip_app_ua_core(a), *t, "sip:example.com"), ==, 0);
    sip_app_kick(a);
    g_assert_cmpuint(wait_ev(f, a, SIP_UA_EV_OPTIONS, t).status, ==, 200);
    return a;
}

/* RFC 5923 §11-style idle close by the side that opened the connection: Alice's connection
 * carried its last message (the 200) at t; with the default 120 s it is still open at
 * t + 120 s - 1 ms and closed (FIN, "tcp-close" reason idle) at t + 120 s; the registrar
 * sees the FIN 15 ms later (the ARP entry expired meanwhile) and closes its side. */
static void test_idle_opener_closes(void)
{
    fx f;
    sip_world(&f, world_src);
    sip_app *srv = registrar(&f);
    sim_time_t t;
    sip_app *alice = options_to_registrar(&f, SIP_TCP_IDLE_DEFAULT, &t);
    g_assert_cmpuint(sip_app_tcp_conns(alice), ==, 1);
    sim_world_run(f.w, t + 120 * SIM_SEC - SIM_MS);
    g_assert_cmpuint(sip_app_tcp_conns(alice), ==, 1);
    sim_world_run(f.w, t + 120 * SIM_SEC);
    g_assert_cmpuint(sip_app_tcp_conns(alice), ==, 0);
    g_assert_cmpuint(sip_app_tcp_conns(srv), ==, 1);
    sim_world_run(f.w, t + 120 * SIM_SEC + 14 * SIM_MS);
    g_assert_cmpuint(sip_app_tcp_conns(srv), ==, 1);
    sim_world_run(f.w, t + 120 * SIM_SEC + 16 * SIM_MS);
    g_assert_cmpuint(sip_app_tcp_conns(srv), ==, 0);
    fx_clear(&f);
}

/* The accepting side leaves an idle connection to the peer (a registered flow may depend on
 * it) up to 7232 s; Alice (tcp_idle 0) never closes hers, so the registrar does then. */
static void test_idle_acceptor_waits(void)
{
    fx f;
    sip_world(&f, world_src);
    sip_app *srv = registrar(&f);
    sim_time_t t;
    sip_app *alice = options_to_registrar(&f, 0, &t);
    sim_time_t last_rx = t - 5 * SIM_MS; /* the registrar sent the 200 5 ms earlier */
    sim_world_run(f.w, last_rx + 7232 * SIM_SEC - SIM_MS);
    g_assert_cmpuint(sip_app_tcp_conns(srv), ==, 1);
    g_assert_cmpuint(sip_app_tcp_conns(alice), ==, 1);
    sim_world_run(f.w, last_rx + 7232 * SIM_SEC);
    g_assert_cmpuint(sip_app_tcp_conns(srv), ==, 0);
    sim_world_run(f.w, last_rx + 7232 * SIM_SEC + 16 * SIM_MS); /* ARP 10 ms, FIN 5 ms */
    g_assert_cmpuint(sip_app_tcp_conns(alice), ==, 0); /* the FIN closed Alice's side too */
    fx_clear(&f);
}

/* A connection a transaction still uses is not idle: Alice (tcp_idle 10 s) calls Bob, who
 * rings and answers only after 60 s; her connection (no message for 60 s) stays, and the 200
 * comes back on it. It closes 10 s after her INVITE transaction ends (Timer M, 64*T1 after
 * the 2xx) — checked again every 10 s, so by t + 32 s + 10 s at the latest. */
static void test_idle_busy_transaction(void)
{
    fx f;
    sim_time_t t = sip_world(&f, world_src);
    sip_app *bob = tcp_ua(sim_world_node(f.w, "B"), "sip:bob@example.com", "10.0.0.20:5060");
    sip_app *alice = tcp_ua(f.a, "sip:alice@example.com", "10.0.0.10:5060");
    sip_app_set_tcp_idle(alice, 10 * SIM_SEC);
    unsigned call;
    g_assert_cmpint(sip_ua_call(sip_app_ua_core(alice), t, "sip:bob@10.0.0.20", &call), ==, 0);
    sip_app_kick(alice);
    sip_ua_ev in = wait_ev(&f, bob, SIP_UA_EV_INCOMING, &t);
    g_assert_cmpint(sip_ua_ring(sip_app_ua_core(bob), t, in.call), ==, 0);
    sip_app_kick(bob);
    g_assert_cmpuint(wait_ev(&f, alice, SIP_UA_EV_PROGRESS, &t).status, ==, 180);
    sim_world_run(f.w, t += 60 * SIM_SEC);
    g_assert_cmpuint(sip_app_tcp_conns(alice), ==, 1);
    g_assert_cmpint(sip_ua_answer(sip_app_ua_core(bob), t, in.call), ==, 0);
    sip_app_kick(bob);
    wait_ev(&f, alice, SIP_UA_EV_ANSWERED, &t);
    g_assert_cmpuint(sip_app_tcp_conns(bob), ==, 1); /* the 200 used Alice's connection */
    sim_world_run(f.w, t + 32 * SIM_SEC - SIM_MS);
    g_assert_cmpuint(sip_app_tcp_conns(alice), ==, 1); /* Timer M: still a transaction */
    sim_world_run(f.w, t + 42 * SIM_SEC + SIM_MS);
    g_assert_cmpuint(sip_app_tcp_conns(alice), ==, 0);
    fx_clear(&f);
}



/* §18.4 without any packet: an IPv4-only node asked to reach an IPv6 literal has no route
 * for TCP and no socket for UDP; the OPTIONS fails with 503 at once (t0), over either. */
static void test_no_route_fails_at_once(void)
{
    fx f;
    sim_time_t t0 = sip_world(&f, world_src);
    sip_app *alice = tcp_ua(f.a, "sip:alice@example.com", "10.0.0.10:5060");
    static const char *const targets[] = { "sip:bob@[2001:db8::20]",
                                           "sip:bob@[2001:db8::20];transport=udp" };
    for (size_t i = 0; i < G_N_ELEMENTS(targets); i++) {
        g_assert_cmpint(sip_ua_options(sip_app_ua_core(alice), t0, targets[i]), ==, 0);
        sip_app_kick(alice);
        g_assert_cmpuint(next_ev(alice, SIP_UA_EV_OPTIONS).status, ==, 503);
    }
    g_assert_cmpuint(sip_app_tcp_conns(alice), ==, 0);
    g_assert_cmpuint(sip_app_tcp_lost(alice), ==, 0);
    fx_clear(&f);
}

/* ---------------------------------------------------------------- dual stack */

/* A dual-stack (10.0.0.10, 2001:db8::10) and B IPv6-only (2001:db8::20). */
static const char world6_src[] =
    "local lan = sim.lan('lan', {delay = '5ms'})\n"
    "local A, S, B = sim.host('A'), sim.host('S'), sim.host('B')\n"
    "A:attach(lan, {ip = '10.0.0.10/24', ip6 = '2001:db8::10/64'})\n"
    "S:attach(lan, {ip = '10.0.0.2/24'})\n"
    "B:attach(lan, {ip6 = '2001:db8::20/64'})\n";

/* True when the bytes start with prefix. */
static bool starts(const void *data, size_t len, const char *prefix)
{
    return len >= strlen(prefix) && memcmp(data, prefix, strlen(prefix)) == 0;
}

static void udp_collect(sim_sock *s, const uint8_t *data, size_t len, const sim_ep *from,
                        const sim_ep *to, void *ctx)
{
    (void)s;
    (void)from;
    (void)to;
    g_byte_array_append(ctx, data, (guint)len);
}

/* OPTIONS from B (IPv6 only) to Alice over UDP, with Via name of transport tr and a branch. */
static char *make_options6(const char *tr, const char *branch)
{
    return g_strdup_printf(
        "OPTIONS sip:alice@[2001:db8::10] SIP/2.0\r\n"
        "Via: SIP/2.0/%s [2001:db8::20]:5060;branch=z9hG4bK-%s\r\n"
        "Max-Forwards: 70\r\n"
        "From: <sip:bob@example.com>;tag=b1\r\n"
        "To: <sip:alice@example.com>\r\n"
        "Call-ID: %s@b\r\n"
        "CSeq: 1 OPTIONS\r\n"
        "Content-Length: 0\r\n\r\n", tr, branch, branch);
}

/* Alice's UA names its IPv4 address, but on a dual-stack node it also listens on IPv6: an
 * IPv6-only peer's OPTIONS over UDP and over TCP are answered 200 over IPv6 (UDP to the
 * source, TCP on the connection), and a request to an IPv6 URI leaves over IPv6. */
static void test_dual_stack_listens_v6(void)
{
    fx f;
    sim_time_t t = sip_world(&f, world6_src);
    sim_node *b = sim_world_node(f.w, "B");
    sip_app *alice = tcp_ua(f.a, "sip:alice@example.com", "10.0.0.10:5060");
    GByteArray *got = g_byte_array_new();
    sim_sock *u = sim_udp_open(b, SIM_AF_INET6);
    sim_ep any = { .port = 5060 }, to = ep("[2001:db8::10]:5060");
    g_assert_cmpint(sim_sock_bind(u, &any), ==, 0);
    sim_sock_on_recv(u, udp_collect, got);
    g_autofree char *o1 = make_options6("UDP", "u1");
    g_assert_cmpint(sim_sock_sendto(u, o1, strlen(o1), &to), ==, 0);
    sim_world_run(f.w, t += 100 * SIM_MS);
    g_assert_true(starts(got->data, got->len, "SIP/2.0 200 OK\r\n"));
    g_byte_array_set_size(got, 0); /* a datagram whose Via says TCP: answered as a datagram */
    g_autofree char *o3 = make_options6("TCP", "u2");
    g_assert_cmpint(sim_sock_sendto(u, o3, strlen(o3), &to), ==, 0);
    sim_world_run(f.w, t += 100 * SIM_MS);
    g_assert_true(starts(got->data, got->len, "SIP/2.0 200 OK\r\n"));
    peer p;
    peer_connect(&p, b, "[2001:db8::10]:5060");
    sim_world_run(f.w, t += 20 * SIM_MS);
    g_assert_true(p.up);
    g_autofree char *o2 = make_options6("TCP", "t1");
    send_str(&p, o2, strlen(o2));
    sim_world_run(f.w, t += 100 * SIM_MS);
    g_autofree char *st = peer_statuses(&p);
    g_assert_cmpstr(st, ==, "200");
    /* and a request to an IPv6 destination leaves over IPv6 (UDP: the URI says so) */
    g_byte_array_set_size(got, 0);
    g_assert_cmpint(sip_ua_options(sip_app_ua_core(alice), t,
                                   "sip:bob@[2001:db8::20]:5060;transport=udp"), ==, 0);
    sip_app_kick(alice);
    sim_world_run(f.w, t += 100 * SIM_MS);
    g_assert_true(starts(got->data, got->len, "OPTIONS sip:bob@[2001:db8::20]"));
    g_assert_nonnull(g_strstr_len((char *)got->data, (gssize)got->len,
                                  "\r\nVia: SIP/2.0/UDP [2001:db8::10]:5060;")); /* RFC 6157 */
    sim_sock_close(u);
    g_byte_array_free(got, TRUE);
    peer_clear(&p);
    fx_clear(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sip/tcp/split-merge-same-connection", test_split_merge_same_connection);
    g_test_add_func("/sip/tcp/framing-error-closes", test_framing_error_closes);
    g_test_add_func("/sip/tcp/malformed-answered-400", test_malformed_answered);
    g_test_add_func("/sip/tcp/reliable-timer-f", test_reliable_timer_f);
    g_test_add_func("/sip/tcp/lua-call", test_lua_call);
    g_test_add_func("/sip/tcp/contact-transport", test_contact_transport);
    g_test_add_func("/sip/tcp/response-reopens-to-via", test_response_reopens_to_via);
    g_test_add_func("/sip/tcp/connect-refused-ua", test_connect_refused_ua);
    g_test_add_func("/sip/tcp/connect-refused-proxy", test_connect_refused_proxy);
    g_test_add_func("/sip/tcp/idle-opener-closes", test_idle_opener_closes);
    g_test_add_func("/sip/tcp/idle-acceptor-waits", test_idle_acceptor_waits);
    g_test_add_func("/sip/tcp/idle-busy-transaction", test_idle_busy_transaction);
    g_test_add_func("/sip/tcp/no-route-fails-at-once", test_no_route_fails_at_once);
    g_test_add_func("/sip/tcp/dual-stack-listens-v6", test_dual_stack_listens_v6);
    return g_test_run();
}
