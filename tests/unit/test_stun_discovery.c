/* tests/unit/test_stun_discovery.c — the STUN driver (stun_sim.c) and the RFC 5780 discovery
 * client in a simulated world: client C on a LAN behind NAT N, whose outside is on one segment
 * with the RFC 5780 server S (two addresses A1, A2, ports 3478 / 3479):
 *
 *   C 192.168.1.10 --lan-- N 192.168.1.1 | 203.0.113.1 --wan-- S 203.0.113.10 + .11
 *
 * Discovery must report exactly the mapping and filtering the NAT was configured with: every
 * preset, every mapping x filtering combination, with preserved, sequential and random port
 * allocation; and "no NAT" for a host on the server's segment. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/stun/stun.h"
#include "sim/link.h"
#include "sim/nat.h"
#include "ep_util.h"

#define A1 "203.0.113.10"
#define A2 "203.0.113.11"
#define NAT_OUT "203.0.113.1"

static sim_ip ip4(const char *s)
{
    sim_ip ip;
    g_assert_cmpint(sim_ip_parse(s, &ip), ==, 0);
    return ip;
}

typedef struct world {
    sim_world *w;
    sim_node *c, *n, *s, *pub;
    stun_app *server;
} world;

static sim_iface *attach(sim_node *n, const char *link, const char *addr, unsigned plen)
{
    GError *err = NULL;
    sim_iface *i = sim_node_attach(n, sim_world_link(n->world, link), NULL, &err);
    g_assert_no_error(err);
    sim_ip a = ip4(addr);
    g_assert_cmpint(sim_iface_add_addr(i, &a, plen), ==, 0);
    return i;
}

static sim_node *node(world *x, const char *name, sim_node_kind k)
{
    GError *err = NULL;
    sim_node *n = sim_node_new(x->w, name, k, &err);
    g_assert_no_error(err);
    return n;
}

/* Builds the world; nat NULL: no NAT node (C is not built either). */
static void world_open(world *x, const nat_config *nat, uint64_t seed)
{
    GError *err = NULL;
    memset(x, 0, sizeof *x);
    sim_world_opts o = { .seed = seed };
    x->w = sim_world_new(&o, &err);
    g_assert_no_error(err);
    sim_link_props p;
    sim_link_props_default(&p);
    p.delay = 2 * SIM_MS;
    sim_link_new(x->w, "lan", SIM_LINK_LAN, &p, &err);
    sim_link_new(x->w, "wan", SIM_LINK_LAN, &p, &err);
    g_assert_no_error(err);
    x->s = node(x, "S", SIM_NODE_HOST);
    sim_iface *si = attach(x->s, "wan", A1, 24);
    sim_ip a2 = ip4(A2);
    g_assert_cmpint(sim_iface_add_addr(si, &a2, 24), ==, 0);
    stun_server_cfg sc = { .primary = ep(A1 ":3478"), .alt_ip = a2, .alt_port = 3479,
                           .software = "natsim test", .fingerprint = true };
    x->server = stun_app_server(x->s, &sc, &err);
    g_assert_no_error(err);
    x->pub = node(x, "P", SIM_NODE_HOST);
    attach(x->pub, "wan", "203.0.113.50", 24);
    if (!nat)
        return;
    x->c = node(x, "C", SIM_NODE_HOST);
    attach(x->c, "lan", "192.168.1.10", 24);
    sim_ip any = ip4("0.0.0.0"), gw = ip4("192.168.1.1");
    g_assert_cmpint(sim_node_add_route(x->c, &any, 0, &gw, NULL), ==, 0);
    x->n = node(x, "N", SIM_NODE_NAT);
    sim_iface *lan = attach(x->n, "lan", "192.168.1.1", 24);
    sim_iface *wan = attach(x->n, "wan", NAT_OUT, 24);
    g_assert_cmpint(nat_gw_install(x->n, nat, &err), ==, 0);
    g_assert_no_error(err);
    g_assert_cmpint(nat_gw_set_side(x->n->nat, lan, SIM_NAT_INSIDE), ==, 0);
    g_assert_cmpint(nat_gw_set_side(x->n->nat, wan, SIM_NAT_OUTSIDE), ==, 0);
}

/* Runs discovery from host h (local port 5000) to completion; returns the result (copied). */
static stun_discovery_result discover(world *x, sim_node *h, bool hairpin)
{
    GError *err = NULL;
    stun_discovery_cfg dc = { .server = ep(A1 ":3478") };
    stun_app *a = stun_app_discovery(h, 5000, hairpin, &dc, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(dc.local.port, ==, 5000);
    const stun_discovery_result *r = stun_discovery_get_result(stun_app_discovery_core(a));
    sim_world_run(x->w, 1000 * SIM_SEC);
    g_assert_cmpint(r->state, ==, STUN_DISC_DONE);
    stun_discovery_result out = *r;
    stun_app_free(a);
    return out;
}

static void check_nat(const nat_config *c, uint64_t seed, bool hairpin)
{
    world x;
    world_open(&x, c, seed);
    stun_discovery_result r = discover(&x, x.c, hairpin);
    g_assert_true(r.nat);
    g_assert_cmpstr(stun_mapping_name(r.mapping), ==, nat_mapping_name(c->mapping));
    g_assert_cmpstr(stun_filtering_name(r.filtering), ==, nat_filtering_name(c->filtering));
    char b[SIM_IP_STRLEN];
    g_assert_cmpstr(sim_ip_fmt(&r.mapped.ip, b, sizeof b), ==, NAT_OUT);
    g_assert_true(sim_ep_eq(&r.other, &(sim_ep){ .ip = ip4(A2), .port = 3479 }));
    if (c->port_alloc == NAT_PORT_PRESERVE)
        g_assert_cmpuint(r.mapped.port, ==, 5000); /* preserved, yet never taken for "no NAT" */
    /* Hairpinned packets are filtered like outside ones (RFC 4787 REQ-9 as the engine does it),
     * so the request comes back in only through an endpoint-independent filter. */
    if (hairpin)
        g_assert_cmpint(r.hairpin, ==, c->hairpin && c->filtering == NAT_FILTER_EIF ? 1 : 0);
    else
        g_assert_cmpint(r.hairpin, ==, -1);
    /* test I, then one or two filtering tests, then one or two mapping tests (+ hairpin) */
    unsigned want = 1 + (c->filtering == NAT_FILTER_EIF ? 1 : 2) +
                    (c->mapping == NAT_MAP_EIM ? 1 : 2) + (hairpin ? 1 : 0);
    g_assert_cmpuint(r.transactions, ==, want);
    sim_world_free(x.w);
}

static void test_presets(void)
{
    static const char *presets[] = { "full-cone", "restricted-cone", "port-restricted-cone",
                                     "symmetric" };
    for (size_t i = 0; i < G_N_ELEMENTS(presets); i++) {
        nat_config c;
        nat_config_default(&c);
        g_assert_cmpint(nat_config_preset(&c, presets[i]), ==, 0);
        g_test_message("preset %s", presets[i]);
        check_nat(&c, 1 + i, false);
    }
}

/* Every mapping x filtering pair, under each port allocation. */
static void test_matrix(gconstpointer data)
{
    nat_port_alloc alloc = (nat_port_alloc)GPOINTER_TO_INT(data);
    for (int m = NAT_MAP_EIM; m <= NAT_MAP_APDM; m++) {
        for (int f = NAT_FILTER_EIF; f <= NAT_FILTER_APDF; f++) {
            nat_config c;
            nat_config_default(&c);
            c.mapping = (nat_mapping)m;
            c.filtering = (nat_filtering)f;
            c.port_alloc = alloc;
            g_test_message("%s + %s, %s ports", nat_mapping_name(c.mapping),
                           nat_filtering_name(c.filtering), nat_port_alloc_name(alloc));
            check_nat(&c, 10 + (uint64_t)(m * 3 + f), false);
        }
    }
}

static void test_hairpin(void)
{
    for (int on = 0; on < 2; on++) {
        for (int f = NAT_FILTER_EIF; f <= NAT_FILTER_APDF; f++) {
            nat_config c;
            nat_config_default(&c);
            c.mapping = NAT_MAP_EIM;
            c.filtering = (nat_filtering)f;
            c.hairpin = on;
            check_nat(&c, 40 + (uint64_t)f, true);
        }
    }
}

/* A host with a public address: the mapped address is its own, no NAT. */
static void test_no_nat(void)
{
    world x;
    world_open(&x, NULL, 3);
    stun_discovery_result r = discover(&x, x.pub, true);
    g_assert_false(r.nat);
    g_assert_cmpint(r.mapping, ==, STUN_BEH_EI);
    g_assert_cmpint(r.filtering, ==, STUN_BEH_EI);
    g_assert_true(sim_ep_eq(&r.mapped, &(sim_ep){ .ip = ip4("203.0.113.50"), .port = 5000 }));
    g_assert_cmpint(r.hairpin, ==, -1);
    g_assert_cmpuint(r.transactions, ==, 2);
    sim_world_free(x.w);
}

/* A server without an alternate address: discovery fails with a reason; test I answered. */
static void test_no_rfc5780(void)
{
    world x;
    world_open(&x, NULL, 4);
    GError *err = NULL;
    stun_server_cfg sc = { .primary = ep("203.0.113.50:3478") };
    g_assert_nonnull(stun_app_server(x.pub, &sc, &err));
    g_assert_no_error(err);
    stun_discovery_cfg dc = { .server = sc.primary };
    stun_app *a = stun_app_discovery(x.s, 0, false, &dc, &err);
    g_assert_no_error(err);
    sim_world_run(x.w, 100 * SIM_SEC);
    const stun_discovery_result *r = stun_discovery_get_result(stun_app_discovery_core(a));
    g_assert_cmpint(r->state, ==, STUN_DISC_FAILED);
    g_assert_nonnull(strstr(r->error, "OTHER-ADDRESS"));

    /* nobody at the address: test I times out after the RFC schedule (39.5 s) */
    stun_discovery_cfg dead = { .server = ep("203.0.113.99:3478") };
    a = stun_app_discovery(x.s, 0, false, &dead, &err);
    g_assert_no_error(err);
    sim_time_t t0 = sim_world_now(x.w);
    sim_world_run(x.w, t0 + 100 * SIM_SEC);
    r = stun_discovery_get_result(stun_app_discovery_core(a));
    g_assert_cmpint(r->state, ==, STUN_DISC_FAILED);
    g_assert_cmpuint(r->done_at - r->started, ==, 39500 * SIM_MS);
    sim_world_free(x.w);
}

/* ---- the discovery core alone, answered by hand (no simulator): every failure path ---- */

/* Answers the request d queued: success with XOR-MAPPED-ADDRESS `mapped` and OTHER-ADDRESS
 * `other` (NULL: none), or ERROR-CODE `code`; returns what d's input said. */
static int answer(stun_discovery *d, sim_time_t now, const char *mapped, const char *other,
                  uint16_t code)
{
    stun_out o;
    g_assert_true(stun_discovery_pop(d, &o));
    stun_msg req;
    g_assert_cmpint(stun_msg_decode(o.data, o.len, &req, NULL), ==, 0);
    uint8_t buf[STUN_MSG_MAX];
    stun_enc e;
    stun_enc_init(&e, buf, sizeof buf, STUN_BINDING, code ? STUN_ERROR : STUN_SUCCESS, req.txid);
    if (code) {
        stun_enc_error(&e, code, NULL);
    } else {
        sim_ep m = ep(mapped);
        stun_enc_addr(&e, STUN_ATTR_XOR_MAPPED_ADDRESS, &m);
        if (other) {
            sim_ep x = ep(other);
            stun_enc_addr(&e, STUN_ATTR_OTHER_ADDRESS, &x);
        }
    }
    size_t len;
    g_assert_cmpint(stun_enc_finish(&e, &len), ==, 0);
    return stun_discovery_input(d, now, 0, &o.to, buf, len);
}

static stun_discovery *core_new(sim_rng *r)
{
    stun_discovery_cfg cfg = { .server = ep(A1 ":3478"), .local = ep("10.0.0.1:5000"),
                               .client = { .rto = 100 * SIM_MS, .rc = 2, .rm = 2 } };
    sim_rng_seed(r, 9);
    stun_discovery *d = stun_discovery_new(&cfg, r);
    g_assert_cmpint(stun_discovery_get_result(d)->state, ==, STUN_DISC_IDLE);
    g_assert_cmpint(stun_discovery_start(d, 0), ==, 0);
    g_assert_cmpint(stun_discovery_start(d, 0), ==, -EALREADY);
    return d;
}

/* Lets every transaction time out (rto 100 ms, rc 2, rm 2: 0.3 s each) from `now`. */
static sim_time_t time_out(stun_discovery *d, sim_time_t now)
{
    stun_out o;
    while (stun_discovery_next_deadline(d) != SIM_TIME_NEVER) {
        now = stun_discovery_next_deadline(d);
        stun_discovery_timeout(d, now);
        while (stun_discovery_pop(d, &o))
            ;
        if (stun_discovery_get_result(d)->state != STUN_DISC_RUNNING)
            break;
    }
    return now;
}

static void test_core_failures(void)
{
    sim_rng r;
    /* an error response to test I */
    stun_discovery *d = core_new(&r);
    g_assert_cmpint(answer(d, 10, NULL, NULL, 400), ==, 0);
    const stun_discovery_result *res = stun_discovery_get_result(d);
    g_assert_cmpint(res->state, ==, STUN_DISC_FAILED);
    g_assert_cmpuint(res->code, ==, 400);
    g_assert_cmpint(stun_discovery_next_deadline(d), ==, SIM_TIME_NEVER);
    stun_discovery_free(d);

    /* garbage and strays change nothing; then a server without OTHER-ADDRESS */
    d = core_new(&r);
    sim_ep from = ep(A1 ":3478");
    g_assert_cmpint(stun_discovery_input(d, 1, 0, &from, (const uint8_t *)"junk", 4), ==,
                    -EBADMSG);
    g_assert_cmpint(stun_discovery_input(d, 1, 1, &from, (const uint8_t *)"junk", 4), ==,
                    -ENOENT); /* no hairpin socket */
    res = stun_discovery_get_result(d);
    g_assert_cmpint(res->state, ==, STUN_DISC_RUNNING);
    g_assert_cmpint(answer(d, 10, "198.51.100.1:6000", NULL, 0), ==, 0);
    g_assert_cmpint(res->state, ==, STUN_DISC_FAILED);
    g_assert_nonnull(strstr(res->error, "no OTHER-ADDRESS"));
    stun_discovery_free(d);

    /* OTHER-ADDRESS sharing the primary's address */
    d = core_new(&r);
    g_assert_cmpint(answer(d, 10, "198.51.100.1:6000", A1 ":3479", 0), ==, 0);
    g_assert_nonnull(strstr(stun_discovery_get_result(d)->error, "must differ"));
    stun_discovery_free(d);

    /* nobody answers test I */
    d = core_new(&r);
    sim_time_t end = time_out(d, 0);
    res = stun_discovery_get_result(d);
    g_assert_cmpint(res->state, ==, STUN_DISC_FAILED);
    g_assert_nonnull(strstr(res->error, "test I"));
    g_assert_cmpuint(end, ==, 300 * SIM_MS);
    stun_discovery_free(d);

    /* test I answered behind a NAT, both filtering tests time out (APDF), then the alternate
     * address never answers mapping test II */
    d = core_new(&r);
    g_assert_cmpint(answer(d, 10, "198.51.100.1:6000", A2 ":3479", 0), ==, 0);
    stun_out o; /* filtering test II: to A1:P1 from the local socket, change IP and port */
    g_assert_true(stun_discovery_pop(d, &o));
    stun_msg m;
    uint32_t change = 0;
    g_assert_cmpint(stun_msg_decode(o.data, o.len, &m, NULL), ==, 0);
    g_assert_cmpint(stun_msg_get_u32(&m, STUN_ATTR_CHANGE_REQUEST, &change), ==, 0);
    g_assert_cmphex(change, ==, STUN_CHANGE_IP | STUN_CHANGE_PORT);
    g_assert_true(ep_is(&o.to, A1 ":3478"));
    g_assert_true(ep_is(&o.from, "10.0.0.1:5000"));
    end = time_out(d, 10);
    res = stun_discovery_get_result(d);
    g_assert_cmpint(res->state, ==, STUN_DISC_FAILED);
    g_assert_true(res->nat);
    g_assert_cmpint(res->filtering, ==, STUN_BEH_APD);
    g_assert_nonnull(strstr(res->error, "alternate address"));
    g_assert_cmpuint(res->transactions, ==, 4);
    g_assert_cmpuint(end, ==, 10 + 900 * SIM_MS);
    stun_discovery_free(d);
    stun_discovery_free(NULL);
    g_assert_cmpstr(stun_mapping_name(STUN_BEH_UNKNOWN), ==, "unknown");
    g_assert_cmpstr(stun_disc_state_name(STUN_DISC_FAILED), ==, "failed");
}

/* ---- the driver: server sockets and CHANGE-REQUEST, a client's transactions ---- */

typedef struct done_log {
    unsigned n;
    stun_tx last;
} done_log;

static void on_done(stun_app *a, const stun_tx *t, void *ctx)
{
    done_log *d = ctx;
    d->n++;
    d->last = *t;
    stun_client_forget(stun_app_client_core(a), t->id);
}

/* From a public host, every CHANGE-REQUEST answer leaves from the right socket, and
 * RESPONSE-ORIGIN / OTHER-ADDRESS say so. */
static void test_driver_change_request(void)
{
    world x;
    world_open(&x, NULL, 5);
    GError *err = NULL;
    stun_client_cfg cc = { 0 };
    stun_app *a = stun_app_client(x.pub, SIM_AF_INET, 6000, &cc, &err);
    g_assert_no_error(err);
    done_log d = { 0 };
    stun_app_on_done(a, on_done, &d);
    static const struct {
        uint32_t change;
        const char *origin;
    } cases[] = {
        { 0, A1 ":3478" },
        { STUN_CHANGE_PORT, A1 ":3479" },
        { STUN_CHANGE_IP, A2 ":3478" },
        { STUN_CHANGE_IP | STUN_CHANGE_PORT, A2 ":3479" },
    };
    sim_ep dest = ep(A1 ":3478");
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_assert_cmpint(stun_app_binding(a, &dest, cases[i].change, NULL), ==, 0);
        sim_world_run(x.w, sim_world_now(x.w) + SIM_SEC);
        g_assert_cmpuint(d.n, ==, i + 1);
        g_assert_cmpint(d.last.state, ==, STUN_TX_SUCCESS);
        g_assert_cmpuint(d.last.sent, ==, 1);
        g_assert_true(ep_is(&d.last.from, cases[i].origin));
        stun_msg m;
        sim_ep got;
        g_assert_cmpint(stun_msg_decode(d.last.resp, d.last.resp_len, &m, NULL), ==, 0);
        g_assert_cmpint(stun_msg_get_addr(&m, STUN_ATTR_RESPONSE_ORIGIN, &got), ==, 0);
        g_assert_true(sim_ep_eq(&got, &d.last.from));
        g_assert_cmpint(stun_msg_get_addr(&m, STUN_ATTR_OTHER_ADDRESS, &got), ==, 0);
        g_assert_true(ep_is(&got, A2 ":3479"));
        g_assert_cmpint(stun_binding_mapped(d.last.resp, d.last.resp_len, &got), ==, 0);
        g_assert_true(ep_is(&got, "203.0.113.50:6000"));
    }
    /* A request to the alternate address: OTHER-ADDRESS is then A1:P1 (idx ^ 3) */
    dest = ep(A2 ":3479");
    g_assert_cmpint(stun_app_binding(a, &dest, 0, NULL), ==, 0);
    sim_world_run(x.w, sim_world_now(x.w) + SIM_SEC);
    stun_msg m;
    sim_ep got;
    g_assert_cmpint(stun_msg_decode(d.last.resp, d.last.resp_len, &m, NULL), ==, 0);
    g_assert_cmpint(stun_msg_get_addr(&m, STUN_ATTR_OTHER_ADDRESS, &got), ==, 0);
    g_assert_true(ep_is(&got, A1 ":3478"));
    g_assert_cmpuint(stun_server_get_stats(stun_app_server_core(x.server))->success, ==, 5);

    /* No server there: Rc = 7 transmissions, timeout at 39.5 s (RFC 8489 §6.2.1) */
    dest = ep("203.0.113.99:3478");
    sim_time_t t0 = sim_world_now(x.w);
    g_assert_cmpint(stun_app_binding(a, &dest, 0, NULL), ==, 0);
    sim_world_run(x.w, t0 + 60 * SIM_SEC);
    g_assert_cmpint(d.last.state, ==, STUN_TX_TIMEOUT);
    g_assert_cmpuint(d.last.sent, ==, 7);
    g_assert_cmpuint(d.last.done_at - t0, ==, 39500 * SIM_MS);
    g_assert_cmpint(stun_app_binding(x.server, &dest, 0, NULL), ==, -EINVAL);
    sim_world_free(x.w);
}

static void test_driver_errors(void)
{
    world x;
    world_open(&x, NULL, 6);
    GError *err = NULL;
    /* an address the node does not have */
    stun_server_cfg sc = { .primary = ep("198.51.100.1:3478") };
    g_assert_null(stun_app_server(x.pub, &sc, &err));
    g_assert_nonnull(strstr(err->message, "cannot bind"));
    g_clear_error(&err);
    /* a port already in use */
    sc.primary = ep(A1 ":3478");
    g_assert_null(stun_app_server(x.s, &sc, &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
    /* alternate equal to primary */
    sc.primary = ep("203.0.113.50:3478");
    sc.alt_ip = ip4("203.0.113.50");
    sc.alt_port = 3479;
    g_assert_null(stun_app_server(x.pub, &sc, &err));
    g_assert_nonnull(strstr(err->message, "bad STUN server config"));
    g_clear_error(&err);
    stun_app_free(NULL);
    sim_world_free(x.w);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/stun/driver/change-request", test_driver_change_request);
    g_test_add_func("/stun/driver/errors", test_driver_errors);
    g_test_add_func("/stun/discovery/presets", test_presets);
    g_test_add_data_func("/stun/discovery/matrix/preserve", GINT_TO_POINTER(NAT_PORT_PRESERVE),
                         test_matrix);
    g_test_add_data_func("/stun/discovery/matrix/sequential",
                         GINT_TO_POINTER(NAT_PORT_SEQUENTIAL), test_matrix);
    g_test_add_data_func("/stun/discovery/matrix/random", GINT_TO_POINTER(NAT_PORT_RANDOM),
                         test_matrix);
    g_test_add_func("/stun/discovery/hairpin", test_hairpin);
    g_test_add_func("/stun/discovery/no-nat", test_no_nat);
    g_test_add_func("/stun/discovery/no-rfc5780-and-timeout", test_no_rfc5780);
    g_test_add_func("/stun/discovery/core-failures", test_core_failures);
    return g_test_run();
}
