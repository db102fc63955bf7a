/* tests/unit/test_tcp_sock.c — TCP in the simulated stack through the socket API, on worlds
 * built in C: connect / accept / echo over IPv4 and IPv6 (MSS from the MTU), connection
 * refused, simultaneous open between two reuseaddr listeners (TCP hole punching), every close
 * path, the listen backlog, complete in-order data across loss, reordering, duplication and a
 * link that goes down and up, the retry limit, ICMP errors in SYN-SENT, and malformed segments
 * dropped and counted.
 *
 * Every TCP frame delivered on a link passes through a tap that recomputes its checksum
 * independently of the stack (RFC 1071 over the pseudo-header) and records SYN options. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "sim/link.h"
#include "sim/node.h"
#include "sim/socket.h"
#include "sim/stack/net.h"
#include "sim/world.h"
#include "csum_ref.h"
#include "ep_util.h"

/* ---------------------------------------------------------------- frame tap */

typedef struct taps {
    unsigned tcp, syn, rst;
    unsigned to_a;      /* TCP frames delivered to node "a" */
    unsigned syn_mss;   /* MSS option of the last SYN seen */
} taps;

static void tap_tcp(taps *t, const uint8_t *tcp, size_t len)
{
    t->tcp++;
    uint8_t flags = tcp[13];
    t->rst += !!(flags & 0x04);
    if (!(flags & 0x02))
        return;
    t->syn++;
    size_t hl = (size_t)(tcp[12] >> 4) * 4;
    for (size_t k = 20; k + 1 < hl && k < len;) { /* the stack's own options are well formed */
        if (tcp[k] == 0)
            break;
        if (tcp[k] == 1) {
            k++;
            continue;
        }
        if (tcp[k] == 2 && tcp[k + 1] == 4)
            t->syn_mss = rd16(tcp + k + 2);
        k += tcp[k + 1];
    }
}

static void tap(void *ctx, const sim_link *l, const sim_iface *to, const sim_pkt *f,
                sim_time_t now)
{
    const uint8_t *d = f->data;
    uint16_t type = rd16(d + 12);
    taps *t = ctx;
    unsigned before = t->tcp;
    if (type == 0x0800 && d[14 + 9] == 6) {
        const uint8_t *ip = d + 14;
        size_t ihl = (ip[0] & 15) * 4u, tl = rd16(ip + 2) - ihl;
        uint32_t s = sum16(0, ip + 12, 8) + 6 + (uint32_t)tl;
        if (f->len >= 14 + ihl + 20 && ip[9 + 0] == 6 && fold(sum16(s, ip + ihl, tl)) == 0xffff)
            tap_tcp(ctx, ip + ihl, tl);
    } else if (type == 0x86dd && d[14 + 6] == 6) {
        const uint8_t *ip = d + 14;
        size_t pl = rd16(ip + 4);
        uint32_t s = sum16(0, ip + 8, 32) + 6 + (uint32_t)pl;
        if (fold(sum16(s, ip + 40, pl)) == 0xffff)
            tap_tcp(ctx, ip + 40, pl);
    }
    if (t->tcp != before && !strcmp(to->node->name, "a"))
        t->to_a++;
}

/* ---------------------------------------------------------------- worlds */

typedef struct fx {
    sim_world *w;
    sim_link *l;
    sim_node *a, *b;
    taps t;
} fx;

static void add_addr(sim_iface *i, const char *p)
{
    sim_ip ip;
    unsigned plen;
    g_assert_cmpint(sim_prefix_parse(p, &ip, &plen), ==, 0);
    g_assert_cmpint(sim_iface_add_addr(i, &ip, plen), ==, 0);
}

/* Hosts a (10.0.0.1, fd00::1) and b (10.0.0.2, fd00::2) on one 5 ms link. */
static void fx_init(fx *x, uint64_t seed)
{
    GError *err = NULL;
    memset(x, 0, sizeof *x);
    sim_world_opts o = { .seed = seed };
    x->w = sim_world_new(&o, &err);
    g_assert_no_error(err);
    sim_link_props p;
    sim_link_props_default(&p);
    p.delay = 5 * SIM_MS;
    x->l = sim_link_new(x->w, "ab", SIM_LINK_P2P, &p, &err);
    g_assert_no_error(err);
    sim_link_set_tap(x->l, tap, &x->t);
    x->a = sim_node_new(x->w, "a", SIM_NODE_HOST, &err);
    x->b = sim_node_new(x->w, "b", SIM_NODE_HOST, &err);
    sim_iface *ia = sim_node_attach(x->a, x->l, NULL, &err);
    sim_iface *ib = sim_node_attach(x->b, x->l, NULL, &err);
    g_assert_no_error(err);
    add_addr(ia, "10.0.0.1/24");
    add_addr(ia, "fd00::1/64");
    add_addr(ib, "10.0.0.2/24");
    add_addr(ib, "fd00::2/64");
}

static void fx_run(fx *x, sim_time_t d) { sim_world_run(x->w, sim_world_now(x->w) + d); }

static void fx_clear(fx *x)
{
    sim_world_free(x->w);
}

/* ---------------------------------------------------------------- app recorder */

/* What happened to one socket; readable data is read as it arrives (unless hold). */
typedef struct app {
    sim_sock *s;
    int connected, conn_err, closed, close_err;
    bool eof, hold, echo, auto_accept;
    GByteArray *rx;
    GPtrArray *accepted; /* of app*, for listeners */
    const uint8_t *tx;   /* bytes still to send (pump on writable) */
    size_t tx_left;
    bool close_after_tx;
} app;

static void app_pump(app *p)
{
    while (p->tx_left) {
        ssize_t r = sim_tcp_send(p->s, p->tx, p->tx_left);
        if (r <= 0)
            return;
        p->tx += r;
        p->tx_left -= (size_t)r;
    }
    if (p->close_after_tx) {
        p->close_after_tx = false;
        sim_tcp_shutdown(p->s);
    }
}

static void app_drain(app *p)
{
    uint8_t buf[4096];
    ssize_t r;
    while (!p->hold && (r = sim_tcp_recv(p->s, buf, sizeof buf)) != -EAGAIN) {
        if (r == 0) {
            p->eof = true;
            return;
        }
        if (r < 0)
            return;
        g_byte_array_append(p->rx, buf, (guint)r);
        if (p->echo)
            g_assert_cmpint(sim_tcp_send(p->s, buf, (size_t)r), ==, r);
    }
}

static void cb_connected(sim_sock *s, int err, void *ctx)
{
    app *p = ctx;
    p->connected++;
    p->conn_err = err;
    if (!err)
        app_pump(p);
}

static void cb_readable(sim_sock *s, void *ctx) { app_drain(ctx); }
static void cb_writable(sim_sock *s, void *ctx) { app_pump(ctx); }

static void cb_closed(sim_sock *s, int err, void *ctx)
{
    app *p = ctx;
    p->closed++;
    p->close_err = err;
}

static app *app_new(sim_sock *s);

static void cb_acceptable(sim_sock *l, void *ctx)
{
    app *p = ctx;
    if (!p->auto_accept)
        return;
    sim_sock *c;
    while ((c = sim_tcp_accept(l))) {
        app *q = app_new(c);
        q->echo = p->echo;
        q->hold = p->hold;
        g_ptr_array_add(p->accepted, q);
        app_drain(q); /* data may have arrived before the accept */
    }
}

static app *app_new(sim_sock *s)
{
    app *p = g_new0(app, 1);
    p->s = s;
    p->rx = g_byte_array_new();
    p->accepted = g_ptr_array_new();
    sim_tcp_cbs cbs = { cb_connected, cb_acceptable, cb_readable, cb_writable, cb_closed, p };
    g_assert_cmpint(sim_tcp_set_callbacks(s, &cbs), ==, 0);
    return p;
}

static void app_free(app *p)
{
    for (guint k = 0; k < p->accepted->len; k++)
        app_free(g_ptr_array_index(p->accepted, k));
    g_ptr_array_unref(p->accepted);
    g_byte_array_unref(p->rx);
    g_free(p);
}

static int fam(const char *addr) { return strchr(addr, '[') ? SIM_AF_INET6 : SIM_AF_INET; }

/* A listener on node n at `local` (auto-accepting). */
static app *listener(sim_node *n, const char *local, unsigned backlog, const sim_tcp_opts *o)
{
    sim_sock *s = sim_tcp_open(n, fam(local));
    if (o)
        sim_tcp_set_opts(s, o);
    sim_sock_set_reuseaddr(s, true);
    sim_ep e = ep(local);
    g_assert_cmpint(sim_sock_bind(s, &e), ==, 0);
    g_assert_cmpint(sim_tcp_listen(s, backlog), ==, 0);
    app *p = app_new(s);
    p->auto_accept = true;
    return p;
}

/* A client on node n connecting to `to` (from `local` when given). */
static app *client(sim_node *n, const char *local, const char *to, const sim_tcp_opts *o)
{
    sim_sock *s = sim_tcp_open(n, fam(to));
    if (o)
        sim_tcp_set_opts(s, o);
    app *p = app_new(s);
    if (local) {
        sim_ep e = ep(local);
        sim_sock_set_reuseaddr(s, true);
        g_assert_cmpint(sim_sock_bind(s, &e), ==, 0);
    }
    sim_ep r = ep(to);
    g_assert_cmpint(sim_tcp_connect(s, &r), ==, 0);
    return p;
}

/* Deterministic test bytes. */
static uint8_t *pattern(size_t n, uint32_t seed)
{
    uint8_t *b = g_malloc(n);
    for (size_t k = 0; k < n; k++) {
        seed = seed * 1103515245u + 12345u;
        b[k] = (uint8_t)(seed >> 16);
    }
    return b;
}

/* ---------------------------------------------------------------- tests */

static void echo(const char *srv, const char *to, unsigned mss)
{
    fx x;
    fx_init(&x, 1);
    app *l = listener(x.b, srv, 8, NULL);
    l->echo = true;
    app *c = client(x.a, NULL, to, NULL);
    g_assert_cmpstr(sim_tcp_state(c->s), ==, "SYN-SENT");
    fx_run(&x, 100 * SIM_MS);
    g_assert_cmpint(c->connected, ==, 1);
    g_assert_cmpint(c->conn_err, ==, 0);
    g_assert_cmpstr(sim_tcp_state(c->s), ==, "ESTABLISHED");
    g_assert_cmpuint(x.t.syn_mss, ==, mss);
    g_assert_cmpuint(l->accepted->len, ==, 1);
    app *srv_app = g_ptr_array_index(l->accepted, 0);
    sim_ep peer = sim_sock_remote(srv_app->s), me = sim_sock_local(c->s);
    g_assert_true(sim_ep_eq(&peer, &me));
    g_assert_cmpint(sim_tcp_send(c->s, "hello", 5), ==, 5);
    fx_run(&x, 100 * SIM_MS);
    g_assert_cmpmem(c->rx->data, c->rx->len, "hello", 5);
    g_assert_cmpmem(srv_app->rx->data, srv_app->rx->len, "hello", 5);
    sim_sock_close(c->s);
    sim_sock_close(srv_app->s);
    sim_sock_close(l->s);
    fx_run(&x, 200 * SIM_SEC);
    g_assert_cmpuint(x.t.rst, ==, 0);
    g_assert_cmpuint(sim_pkt_pool_outstanding(sim_world_pool(x.w)), ==, 0);
    sim_ep port80 = ep(srv);
    g_assert_false(net_tcp_bound(x.b, &port80)); /* everything freed, nothing left bound */
    app_free(c);
    app_free(l);
    fx_clear(&x);
}

static void test_echo_v4(void) { echo("0.0.0.0:80", "10.0.0.2:80", 1460); }
static void test_echo_v6(void) { echo("[::]:80", "[fd00::2]:80", 1440); }

static void refused(const char *to)
{
    fx x;
    fx_init(&x, 2);
    app *c = client(x.a, NULL, to, NULL);
    fx_run(&x, SIM_SEC);
    g_assert_cmpint(c->connected, ==, 1);
    g_assert_cmpint(c->conn_err, ==, -ECONNREFUSED);
    g_assert_cmpint(c->closed, ==, 0);
    g_assert_cmpint(sim_tcp_error(c->s), ==, -ECONNREFUSED);
    g_assert_cmpstr(sim_tcp_state(c->s), ==, "CLOSED");
    g_assert_cmpuint(x.b->drops[SIM_DROP_NO_LISTENER], ==, 1);
    g_assert_cmpuint(x.t.rst, ==, 1);
    g_assert_cmpint(sim_tcp_send(c->s, "x", 1), ==, -ECONNREFUSED);
    sim_sock_close(c->s);
    app_free(c);
    fx_clear(&x);
}

static void test_refused_v4(void) { refused("10.0.0.2:81"); }
static void test_refused_v6(void) { refused("[fd00::2]:81"); }

/* TCP hole punching without NATs: both hosts listen on their port with SO_REUSEADDR and
 * connect from that same port to each other at the same time. The SYNs cross; each finds the
 * other side's SYN-SENT connection by 4-tuple before the listener; one connection results. */
static void test_simultaneous_open(void)
{
    fx x;
    fx_init(&x, 3);
    app *la = listener(x.a, "10.0.0.1:5000", 4, NULL);
    app *lb = listener(x.b, "10.0.0.2:6000", 4, NULL);
    app *ca = client(x.a, "10.0.0.1:5000", "10.0.0.2:6000", NULL);
    app *cb = client(x.b, "10.0.0.2:6000", "10.0.0.1:5000", NULL);
    fx_run(&x, SIM_SEC);
    g_assert_cmpint(ca->connected, ==, 1);
    g_assert_cmpint(ca->conn_err, ==, 0);
    g_assert_cmpint(cb->connected, ==, 1);
    g_assert_cmpint(cb->conn_err, ==, 0);
    g_assert_cmpuint(la->accepted->len, ==, 0); /* nothing went to the listeners */
    g_assert_cmpuint(lb->accepted->len, ==, 0);
    g_assert_cmpuint(x.t.syn, ==, 4);           /* two SYNs, two SYN,ACKs */
    g_assert_cmpuint(x.t.rst, ==, 0);
    g_assert_cmpint(sim_tcp_send(ca->s, "ping", 4), ==, 4);
    g_assert_cmpint(sim_tcp_send(cb->s, "pong", 4), ==, 4);
    fx_run(&x, SIM_SEC);
    g_assert_cmpmem(cb->rx->data, cb->rx->len, "ping", 4);
    g_assert_cmpmem(ca->rx->data, ca->rx->len, "pong", 4);
    app *all[] = { la, lb, ca, cb };
    for (unsigned k = 0; k < 4; k++) {
        sim_sock_close(all[k]->s);
        app_free(all[k]);
    }
    fx_clear(&x);
}

/* ---- close paths ---- */

typedef struct pair {
    fx x;
    app *l, *c, *s; /* listener on b, client on a, accepted on b */
} pair;

static void pair_init(pair *p, uint64_t seed, const sim_tcp_opts *o)
{
    fx_init(&p->x, seed);
    p->l = listener(p->x.b, "10.0.0.2:80", 8, o);
    p->c = client(p->x.a, NULL, "10.0.0.2:80", o);
    fx_run(&p->x, 100 * SIM_MS);
    g_assert_cmpuint(p->l->accepted->len, ==, 1);
    p->s = g_ptr_array_index(p->l->accepted, 0);
}

static void pair_clear(pair *p)
{
    sim_sock_close(p->l->s);
    app_free(p->l);
    app_free(p->c);
    fx_clear(&p->x);
}

static void test_close_active(void)
{
    pair p;
    pair_init(&p, 10, NULL);
    sim_ep a_local = sim_sock_local(p.c->s);
    g_assert_cmpint(sim_tcp_send(p.c->s, "bye", 3), ==, 3);
    sim_sock_close(p.c->s); /* handle gone, the connection finishes in the stack */
    fx_run(&p.x, 100 * SIM_MS);
    g_assert_true(p.s->eof);
    g_assert_cmpmem(p.s->rx->data, p.s->rx->len, "bye", 3);
    g_assert_cmpstr(sim_tcp_state(p.s->s), ==, "CLOSE-WAIT");
    sim_sock_close(p.s->s);
    fx_run(&p.x, 100 * SIM_MS);
    g_assert_true(net_tcp_bound(p.x.a, &a_local)); /* TIME-WAIT holds the port */
    fx_run(&p.x, 61 * SIM_SEC);
    g_assert_false(net_tcp_bound(p.x.a, &a_local)); /* 2 MSL later it is freed */
    g_assert_cmpuint(p.x.t.rst, ==, 0);
    pair_clear(&p);
}

/* The client closes; the server never does (CLOSE-WAIT forever). The client's orphaned
 * connection gives up in FIN-WAIT-2 after 60 s, silently, and frees its port. */
static void test_fin_wait2_timeout(void)
{
    pair p;
    pair_init(&p, 16, NULL);
    sim_ep a_local = sim_sock_local(p.c->s);
    sim_sock_close(p.c->s);
    fx_run(&p.x, SIM_SEC);
    g_assert_cmpstr(sim_tcp_state(p.s->s), ==, "CLOSE-WAIT");
    g_assert_true(net_tcp_bound(p.x.a, &a_local)); /* FIN-WAIT-2 */
    fx_run(&p.x, 58 * SIM_SEC);
    g_assert_true(net_tcp_bound(p.x.a, &a_local));
    fx_run(&p.x, 2 * SIM_SEC);
    g_assert_false(net_tcp_bound(p.x.a, &a_local));
    g_assert_cmpuint(p.x.t.rst, ==, 0);
    sim_sock_close(p.s->s);
    fx_run(&p.x, SIM_SEC); /* the server's FIN now meets no connection: RST */
    g_assert_cmpuint(p.x.t.rst, ==, 1);
    pair_clear(&p);
}

static void test_close_passive(void)
{
    pair p;
    pair_init(&p, 11, NULL);
    sim_tcp_shutdown(p.s->s); /* the server closes first */
    fx_run(&p.x, 100 * SIM_MS);
    g_assert_true(p.c->eof);
    g_assert_cmpstr(sim_tcp_state(p.c->s), ==, "CLOSE-WAIT");
    g_assert_cmpint(sim_tcp_shutdown(p.c->s), ==, 0);
    fx_run(&p.x, 100 * SIM_MS);
    g_assert_cmpstr(sim_tcp_state(p.c->s), ==, "CLOSED"); /* LAST-ACK acknowledged */
    g_assert_cmpint(p.c->closed, ==, 1);
    g_assert_cmpint(p.c->close_err, ==, 0);
    g_assert_cmpstr(sim_tcp_state(p.s->s), ==, "TIME-WAIT");
    sim_sock_close(p.c->s);
    sim_sock_close(p.s->s);
    pair_clear(&p);
}

static void test_close_simultaneous(void)
{
    pair p;
    pair_init(&p, 12, NULL);
    g_assert_cmpint(sim_tcp_shutdown(p.c->s), ==, 0);
    g_assert_cmpint(sim_tcp_shutdown(p.s->s), ==, 0);
    fx_run(&p.x, 100 * SIM_MS);
    g_assert_cmpstr(sim_tcp_state(p.c->s), ==, "TIME-WAIT"); /* FIN-WAIT-1 -> CLOSING -> */
    g_assert_cmpstr(sim_tcp_state(p.s->s), ==, "TIME-WAIT");
    fx_run(&p.x, 61 * SIM_SEC);
    g_assert_cmpint(p.c->closed, ==, 1);
    g_assert_cmpint(p.s->closed, ==, 1);
    g_assert_true(p.c->eof && p.s->eof);
    sim_sock_close(p.c->s);
    sim_sock_close(p.s->s);
    pair_clear(&p);
}

/* The client shuts down its side at once; the server keeps sending 200 kB, which arrives. */
static void test_half_close(void)
{
    pair p;
    pair_init(&p, 13, NULL);
    g_assert_cmpint(sim_tcp_shutdown(p.c->s), ==, 0);
    g_assert_cmpint(sim_tcp_send(p.c->s, "x", 1), ==, -EPIPE);
    size_t n = 200000;
    uint8_t *data = pattern(n, 13);
    p.s->tx = data;
    p.s->tx_left = n;
    p.s->close_after_tx = true;
    app_pump(p.s);
    fx_run(&p.x, 30 * SIM_SEC);
    g_assert_true(p.s->eof);
    g_assert_true(p.c->eof);
    g_assert_cmpmem(p.c->rx->data, p.c->rx->len, data, n);
    g_assert_cmpstr(sim_tcp_state(p.c->s), ==, "TIME-WAIT"); /* it closed first */
    g_assert_cmpstr(sim_tcp_state(p.s->s), ==, "CLOSED");
    g_assert_cmpint(p.s->closed, ==, 1);
    g_free(data);
    sim_sock_close(p.c->s);
    sim_sock_close(p.s->s);
    pair_clear(&p);
}

static void test_abort(void)
{
    pair p;
    pair_init(&p, 14, NULL);
    g_assert_cmpint(sim_tcp_abort(p.c->s), ==, 0);
    g_assert_cmpstr(sim_tcp_state(p.c->s), ==, "CLOSED");
    g_assert_cmpint(sim_tcp_send(p.c->s, "x", 1), ==, -ECONNABORTED);
    fx_run(&p.x, 100 * SIM_MS);
    g_assert_cmpuint(p.x.t.rst, ==, 1);
    g_assert_cmpint(p.s->closed, ==, 1);
    g_assert_cmpint(p.s->close_err, ==, -ECONNRESET);
    g_assert_cmpint(p.c->closed, ==, 0); /* no callback for the caller's own abort */
    sim_sock_close(p.c->s);
    sim_sock_close(p.s->s);
    pair_clear(&p);
}

/* Closing with unread data resets the connection (RFC 2525 2.17). */
static void test_close_unread(void)
{
    pair p;
    pair_init(&p, 15, NULL);
    p.s->hold = true;
    g_assert_cmpint(sim_tcp_send(p.c->s, "unread", 6), ==, 6);
    fx_run(&p.x, 100 * SIM_MS);
    g_assert_cmpuint(sim_tcp_readable(p.s->s), ==, 6);
    sim_sock_close(p.s->s);
    fx_run(&p.x, 100 * SIM_MS);
    g_assert_cmpint(p.c->closed, ==, 1);
    g_assert_cmpint(p.c->close_err, ==, -ECONNRESET);
    sim_sock_close(p.c->s);
    pair_clear(&p);
}

/* ---- backlog ---- */

static void test_backlog(void)
{
    fx x;
    fx_init(&x, 20);
    app *l = listener(x.b, "10.0.0.2:80", 2, NULL);
    l->auto_accept = false;
    app *c[4];
    for (unsigned k = 0; k < 4; k++)
        c[k] = client(x.a, NULL, "10.0.0.2:80", NULL);
    fx_run(&x, 500 * SIM_MS);
    unsigned up = 0;
    for (unsigned k = 0; k < 4; k++)
        up += c[k]->connected == 1 && c[k]->conn_err == 0;
    g_assert_cmpuint(up, ==, 2);
    g_assert_cmpuint(x.b->drops[SIM_DROP_QUEUE_FULL], ==, 2);
    for (sim_sock *s; (s = sim_tcp_accept(l->s));)
        g_ptr_array_add(l->accepted, app_new(s));
    g_assert_cmpuint(l->accepted->len, ==, 2);
    fx_run(&x, 3 * SIM_SEC); /* the dropped SYNs are retransmitted and now fit */
    for (unsigned k = 0; k < 4; k++)
        g_assert_cmpint(c[k]->conn_err, ==, 0);
    for (unsigned k = 0; k < 4; k++) {
        sim_sock_close(c[k]->s);
        app_free(c[k]);
    }
    sim_sock_close(l->s); /* resets the two connections nobody accepted */
    fx_run(&x, SIM_SEC);
    for (guint k = 0; k < l->accepted->len; k++)
        sim_sock_close(((app *)g_ptr_array_index(l->accepted, k))->s);
    app_free(l);
    fx_clear(&x);
}

/* ---- faults ---- */

static void set_up(void *ctx, void *arg) { sim_link_set_up(ctx, arg != NULL); }

/* Sends n bytes a -> b on a link with props; returns what b received (owned). */
static void transfer(uint64_t seed, const sim_link_props *props, sim_time_t down_at,
                     sim_time_t down_for, size_t n, const char *to)
{
    pair p;
    sim_tcp_opts o = { .rto_min = 200 * SIM_MS, .rto_initial = 200 * SIM_MS };
    fx_init(&p.x, seed);
    const char *srv = fam(to) == SIM_AF_INET6 ? "[::]:80" : "0.0.0.0:80";
    p.l = listener(p.x.b, srv, 8, &o);
    g_assert_cmpint(sim_link_set_props(p.x.l, props), ==, 0);
    p.c = client(p.x.a, NULL, to, &o);
    uint8_t *data = pattern(n, (uint32_t)seed);
    p.c->tx = data;
    p.c->tx_left = n;
    p.c->close_after_tx = true;
    if (down_for) {
        sim_sched *s = sim_world_sched(p.x.w);
        sim_sched_at(s, down_at, set_up, p.x.l, NULL);
        sim_sched_at(s, down_at + down_for, set_up, p.x.l, p.x.l);
    }
    fx_run(&p.x, 120 * SIM_SEC);
    g_assert_cmpint(p.c->conn_err, ==, 0);
    g_assert_cmpuint(p.l->accepted->len, ==, 1);
    app *s = g_ptr_array_index(p.l->accepted, 0);
    g_assert_true(s->eof);
    g_assert_cmpmem(s->rx->data, s->rx->len, data, n);
    const sim_link_stats *ls = sim_link_stats_get(p.x.l);
    if (props->loss > 0) /* the faults really happened */
        g_assert_cmpuint(ls->drops[SIM_DROP_LOSS], >, 10);
    if (down_for)
        g_assert_cmpuint(ls->drops[SIM_DROP_LINK_DOWN], >, 0);
    g_free(data);
    sim_sock_close(p.c->s);
    sim_sock_close(s->s);
    pair_clear(&p);
}

static void test_lossy(void)
{
    sim_link_props pr;
    sim_link_props_default(&pr);
    pr.delay = 5 * SIM_MS;
    pr.loss = 0.05;
    pr.reorder = 0.05;
    pr.duplicate = 0.05;
    pr.bandwidth = 10000000;
    transfer(30, &pr, 0, 0, 300000, "10.0.0.2:80");
    transfer(31, &pr, 0, 0, 100000, "[fd00::2]:80");
}

static void test_link_down_up(void)
{
    sim_link_props pr;
    sim_link_props_default(&pr);
    pr.delay = 5 * SIM_MS;
    pr.bandwidth = 1000000; /* 1 Mbit/s: 200 kB take 1.6 s, the outage hits mid-transfer */
    transfer(32, &pr, 500 * SIM_MS, 5 * SIM_SEC, 200000, "10.0.0.2:80");
}

static void test_retry_limit(void)
{
    pair p;
    sim_tcp_opts o = { .rto_min = 100 * SIM_MS, .rto_initial = 100 * SIM_MS,
                       .data_retries = 4 };
    pair_init(&p, 40, &o);
    sim_link_set_up(p.x.l, false);
    g_assert_cmpint(sim_tcp_send(p.c->s, "lost", 4), ==, 4);
    fx_run(&p.x, 30 * SIM_SEC);
    g_assert_cmpint(p.c->closed, ==, 1);
    g_assert_cmpint(p.c->close_err, ==, -ETIMEDOUT);
    g_assert_cmpint(sim_tcp_error(p.c->s), ==, -ETIMEDOUT);
    g_assert_cmpint(sim_tcp_send(p.c->s, "x", 1), ==, -ETIMEDOUT);
    sim_sock_close(p.c->s);
    sim_sock_close(p.s->s);
    pair_clear(&p);
}

/* a -- r; r has no route to 10.9.0.0/16 (fd09::/16): a SYN there gets ICMP / ICMPv6 net
 * unreachable, which ends a connection in SYN-SENT (RFC 1122 4.2.3.9 / RFC 5461). */
static void icmp_syn_sent(bool v6)
{
    GError *err = NULL;
    sim_world_opts wo = { .seed = 50 };
    sim_world *w = sim_world_new(&wo, &err);
    sim_link_props pr;
    sim_link_props_default(&pr);
    sim_link *l = sim_link_new(w, "ar", SIM_LINK_P2P, &pr, &err);
    sim_node *a = sim_node_new(w, "a", SIM_NODE_HOST, &err);
    sim_node *r = sim_node_new(w, "r", SIM_NODE_ROUTER, &err);
    add_addr(sim_node_attach(a, l, NULL, &err), v6 ? "fd00::1/64" : "10.0.0.1/24");
    add_addr(sim_node_attach(r, l, NULL, &err), v6 ? "fd00::fe/64" : "10.0.0.254/24");
    g_assert_no_error(err);
    sim_ip any, gw;
    sim_ip_parse(v6 ? "::" : "0.0.0.0", &any);
    sim_ip_parse(v6 ? "fd00::fe" : "10.0.0.254", &gw);
    g_assert_cmpint(sim_node_add_route(a, &any, 0, &gw, NULL), ==, 0);
    sim_sock *s = sim_tcp_open(a, v6 ? SIM_AF_INET6 : SIM_AF_INET);
    app *c = app_new(s);
    sim_ep to = ep(v6 ? "[fd09::1]:80" : "10.9.0.1:80");
    g_assert_cmpint(sim_tcp_connect(s, &to), ==, 0);
    sim_world_run(w, SIM_SEC);
    g_assert_cmpint(c->connected, ==, 1);
    g_assert_cmpint(c->conn_err, ==, -ENETUNREACH);
    sim_sock_close(s);
    app_free(c);
    sim_world_free(w);
}

static void test_icmp_syn_sent_v4(void) { icmp_syn_sent(false); }
static void test_icmp_syn_sent_v6(void) { icmp_syn_sent(true); }

/* ---- malformed segments ---- */

/* Sends raw TCP bytes a -> b as IPv4 (the IP layer is real, the TCP header is ours). */
static void raw4(fx *x, const uint8_t *tcp, size_t len, bool fix_csum)
{
    sim_pkt *pkt = sim_pkt_alloc(sim_world_pool(x->w));
    uint8_t *b = sim_pkt_put(pkt, len);
    memcpy(b, tcp, len);
    sim_ip src, dst;
    sim_ip_parse("10.0.0.1", &src);
    sim_ip_parse("10.0.0.2", &dst);
    if (fix_csum) {
        b[16] = b[17] = 0;
        uint32_t s = sum16(0, src.b, 4) + sum16(0, dst.b, 4) + 6 + (uint32_t)len;
        uint16_t c = (uint16_t)~fold(sum16(s, b, len));
        b[16] = (uint8_t)(c >> 8);
        b[17] = (uint8_t)c;
    }
    g_assert_cmpint(net_ip4_output(x->a, pkt, &src, &dst, 6, 64), ==, 0);
}

static void test_malformed(void)
{
    fx x;
    fx_init(&x, 60);
    app *l = listener(x.b, "10.0.0.2:80", 8, NULL);
    /* 1000 -> 80 SYN, seq 1, data offset 5, window 1000 */
    uint8_t syn[24] = { 0x03, 0xe8, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0x03, 0xe8 };
    uint8_t bad[24];
    memcpy(bad, syn, 20);
    bad[12] = 0x40; /* data offset 4 < 5 */
    raw4(&x, bad, 20, true);
    memcpy(bad, syn, 20);
    bad[12] = 0xf0; /* data offset 15: 60 bytes, beyond the 20-byte segment */
    raw4(&x, bad, 20, true);
    memcpy(bad, syn, 24);
    bad[12] = 0x60; /* 4 option bytes: an MSS option claiming 8 bytes overruns them */
    bad[20] = 2;
    bad[21] = 8;
    raw4(&x, bad, 24, true);
    memcpy(bad, syn, 24);
    bad[20] = 2;
    bad[21] = 1; /* option length < 2 */
    bad[12] = 0x60;
    raw4(&x, bad, 24, true);
    raw4(&x, syn, 20, false); /* checksum left 0: wrong */
    fx_run(&x, SIM_SEC);
    g_assert_cmpuint(x.b->drops[SIM_DROP_MALFORMED], ==, 4);
    g_assert_cmpuint(x.b->drops[SIM_DROP_BAD_CHECKSUM], ==, 1);
    g_assert_cmpuint(l->accepted->len, ==, 0);
    g_assert_cmpuint(x.t.to_a, ==, 0);  /* nothing answered */
    raw4(&x, syn, 20, true);            /* the same SYN, well formed, is answered */
    fx_run(&x, SIM_SEC);
    g_assert_cmpuint(x.t.to_a, ==, 1);  /* SYN,ACK (a has no socket: it resets) */
    sim_sock_close(l->s);
    app_free(l);
    fx_clear(&x);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tcp_sock/echo/ipv4", test_echo_v4);
    g_test_add_func("/tcp_sock/echo/ipv6", test_echo_v6);
    g_test_add_func("/tcp_sock/refused/ipv4", test_refused_v4);
    g_test_add_func("/tcp_sock/refused/ipv6", test_refused_v6);
    g_test_add_func("/tcp_sock/simultaneous-open", test_simultaneous_open);
    g_test_add_func("/tcp_sock/close/active", test_close_active);
    g_test_add_func("/tcp_sock/close/passive", test_close_passive);
    g_test_add_func("/tcp_sock/close/fin-wait-2-timeout", test_fin_wait2_timeout);
    g_test_add_func("/tcp_sock/close/simultaneous", test_close_simultaneous);
    g_test_add_func("/tcp_sock/close/half", test_half_close);
    g_test_add_func("/tcp_sock/close/abort", test_abort);
    g_test_add_func("/tcp_sock/close/unread-data-resets", test_close_unread);
    g_test_add_func("/tcp_sock/backlog", test_backlog);
    g_test_add_func("/tcp_sock/faults/loss-reorder-dup", test_lossy);
    g_test_add_func("/tcp_sock/faults/link-down-up", test_link_down_up);
    g_test_add_func("/tcp_sock/faults/retry-limit", test_retry_limit);
    g_test_add_func("/tcp_sock/icmp/net-unreachable-in-syn-sent/ipv4", test_icmp_syn_sent_v4);
    g_test_add_func("/tcp_sock/icmp/net-unreachable-in-syn-sent/ipv6", test_icmp_syn_sent_v6);
    g_test_add_func("/tcp_sock/malformed", test_malformed);
    return g_test_run();
}
