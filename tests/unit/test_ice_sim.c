/* tests/unit/test_ice_sim.c — the ICE driver on simulated nodes: real frames through the stack,
 * real NATs (sim/nat) and a real TURN server (protocols/turn driver). Candidates trickle from
 * one agent to the other as they are gathered (the test is the signalling channel).
 *
 *   A 192.168.1.2 --lana-- NA 192.168.1.1 | 203.0.113.1 --wan-- 203.0.113.2 | 192.168.2.1 NB --lanb-- B
 *                                                          T 203.0.113.100 (TURN, port 3478)
 */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/ice/ice.h"
#include "protocols/turn/turn.h"
#include "sim/link.h"
#include "sim/nat.h"
#include "sim/socket.h"
#include "sim/world.h"
#include "protocols/stun/stun.h"

typedef struct side {
    ice_app *app;
    struct side *peer;
    int selected, lost, failed, data_rx;
    sim_time_t elapsed;
    ice_cand_type lt, rt;
} side;

typedef struct wfx {
    sim_world *w;
    side s[2];
    turn_app *turn;       /* the TURN server world2 made (NULL: none) */
    sim_iface *turn_if;   /* its interface on the wan link */
    unsigned sends, chandata; /* Send indications / ChannelData delivered to the server */
} wfx;

static sim_iface *attach(sim_node *n, sim_link *l, const char *prefix)
{
    GError *err = NULL;
    sim_iface *i = sim_node_attach(n, l, NULL, &err);
    g_assert_no_error(err);
    sim_ip ip;
    unsigned plen;
    g_assert_cmpint(sim_prefix_parse(prefix, &ip, &plen), ==, 0);
    g_assert_cmpint(sim_iface_add_addr(i, &ip, plen), ==, 0);
    return i;
}

static sim_node *node(wfx *x, const char *name, sim_node_kind kind)
{
    GError *err = NULL;
    sim_node *n = sim_node_new(x->w, name, kind, &err);
    g_assert_no_error(err);
    return n;
}

static void default_route(sim_node *n, const char *gw)
{
    sim_ip any, g;
    sim_ip_parse("0.0.0.0", &any);
    sim_ip_parse(gw, &g);
    g_assert_cmpint(sim_node_add_route(n, &any, 0, &g, NULL), ==, 0);
}

static sim_link *link_new(wfx *x, const char *name)
{
    GError *err = NULL;
    sim_link_props p;
    sim_link_props_default(&p);
    p.delay = 5 * SIM_MS;
    sim_link *l = sim_link_new(x->w, name, SIM_LINK_LAN, &p, &err);
    g_assert_no_error(err);
    return l;
}

static bool g_hairpin = true; /* hairpinning of the NATs gateway() installs */

/* A NAT between lan (inside) and wan (outside); preset NULL: a plain router. */
static void gateway(wfx *x, const char *name, sim_link *lan, const char *in, sim_link *wan,
                    const char *out, const char *preset)
{
    GError *err = NULL;
    sim_node *n = node(x, name, preset ? SIM_NODE_NAT : SIM_NODE_ROUTER);
    sim_iface *i = attach(n, lan, in), *o = attach(n, wan, out);
    if (!preset)
        return;
    nat_config c;
    nat_config_default(&c);
    g_assert_cmpint(nat_config_preset(&c, preset), ==, 0);
    c.hairpin = g_hairpin;
    g_assert_cmpint(nat_gw_install(n, &c, &err), ==, 0);
    g_assert_no_error(err);
    g_assert_cmpint(nat_gw_set_side(n->nat, i, SIM_NAT_INSIDE), ==, 0);
    g_assert_cmpint(nat_gw_set_side(n->nat, o, SIM_NAT_OUTSIDE), ==, 0);
}

static bool g_hide_host; /* signal no host candidates (as a privacy-minded agent would) */
static sim_time_t g_nonce_life; /* the TURN server's nonce lifetime world2 sets (0: default) */

static void on_cand(ice_app *a, const ice_cand *c, void *ctx)
{
    (void)a;
    side *s = ctx;
    ice_agent *peer = ice_app_agent(s->peer->app);
    if (c && g_hide_host && c->type == ICE_CAND_HOST) {
        return;
    } else if (c) {
        ice_cand r = *c; /* what SDP would carry: no socket, no server */
        r.sock = 0;
        r.server = (sim_ep){ 0 };
        g_assert_cmpint(ice_agent_add_remote(peer, 0, &r), >=, 0);
    } else {
        ice_agent_remote_done(peer, 0);
    }
    ice_app_kick(s->peer->app);
}

static void on_event(ice_app *a, const ice_event *ev, void *ctx)
{
    (void)a;
    side *s = ctx;
    if (ev->kind == ICE_EV_SELECTED) {
        s->selected++;
        s->elapsed = ev->elapsed;
        s->lt = ev->local_type;
        s->rt = ev->remote_type;
    }
    s->lost += ev->kind == ICE_EV_CONSENT_LOST;
    s->failed += ev->kind == ICE_EV_FAILED;
}

static void on_data(ice_app *a, unsigned comp, const uint8_t *d, size_t len, void *ctx)
{
    (void)a;
    side *s = ctx;
    g_assert_cmpuint(comp, ==, 1);
    g_assert_cmpmem(d, len, "media", 5);
    s->data_rx++;
}

static void world2(wfx *x, const char *preset_a, const char *preset_b, bool use_turn);

/* Builds the picture with NATs of `preset` (NULL: routers) and a TURN server; starts agents. */
static void world(wfx *x, const char *preset, bool use_turn)
{
    world2(x, preset, preset, use_turn);
}

/* The same with A's NAT of preset_a and B's of preset_b (both NULL or both set). */
static void world2(wfx *x, const char *preset_a, const char *preset_b, bool use_turn)
{
    const char *preset = preset_a;
    GError *err = NULL;
    memset(x, 0, sizeof *x);
    x->w = sim_world_new(&(sim_world_opts){ .seed = 42 }, &err);
    g_assert_no_error(err);
    sim_link *lana = link_new(x, "lana"), *lanb = link_new(x, "lanb"), *wan = link_new(x, "wan");
    sim_node *a = node(x, "A", SIM_NODE_HOST), *b = node(x, "B", SIM_NODE_HOST);
    attach(a, lana, "192.168.1.2/24");
    attach(b, lanb, "192.168.2.2/24");
    default_route(a, "192.168.1.1");
    default_route(b, "192.168.2.1");
    gateway(x, "NA", lana, "192.168.1.1/24", wan, "203.0.113.1/24", preset);
    gateway(x, "NB", lanb, "192.168.2.1/24", wan, "203.0.113.2/24", preset_b);
    if (!preset) { /* plain routers: the LANs must be routable */
        sim_node *na = sim_world_node(x->w, "NA"), *nb = sim_world_node(x->w, "NB");
        sim_ip d, g;
        sim_prefix_parse("192.168.2.0/24", &d, (unsigned[]){ 0 });
        sim_ip_parse("203.0.113.2", &g);
        g_assert_cmpint(sim_node_add_route(na, &d, 24, &g, NULL), ==, 0);
        sim_prefix_parse("192.168.1.0/24", &d, (unsigned[]){ 0 });
        sim_ip_parse("203.0.113.1", &g);
        g_assert_cmpint(sim_node_add_route(nb, &d, 24, &g, NULL), ==, 0);
    }
    ice_app_cfg cfg = { 0 };
    if (use_turn) {
        sim_node *t = node(x, "T", SIM_NODE_HOST);
        x->turn_if = attach(t, wan, "203.0.113.100/24");
        turn_server_cfg tc = { .fingerprint = true, .nonce_lifetime = g_nonce_life };
        sim_ep_parse("203.0.113.100:3478", &tc.listen);
        turn_app *srv = turn_app_server(t, &tc, &err);
        g_assert_no_error(err);
        x->turn = srv;
        g_assert_cmpint(turn_server_add_user(turn_app_server_core(srv), "alice", "pw"), ==, 0);
        cfg.turn = tc.listen;
        cfg.turn_user = "alice";
        cfg.turn_pass = "pw";
    }
    sim_node *nodes[2] = { a, b };
    for (int i = 0; i < 2; i++) {
        cfg.agent.controlling = i == 0;
        x->s[i].app = ice_app_new(nodes[i], &cfg, &err);
        g_assert_no_error(err);
        x->s[i].peer = &x->s[1 - i];
        ice_app_on_cand(x->s[i].app, on_cand, &x->s[i]);
        ice_app_on_event(x->s[i].app, on_event, &x->s[i]);
        ice_app_on_data(x->s[i].app, on_data, &x->s[i]);
    }
    for (int i = 0; i < 2; i++) {
        ice_agent *me = ice_app_agent(x->s[i].app), *peer = ice_app_agent(x->s[1 - i].app);
        g_assert_cmpint(ice_agent_set_remote(peer, 0, ice_agent_ufrag(me), ice_agent_pwd(me)), ==, 0);
    }
    for (int i = 0; i < 2; i++)
        ice_app_gather(x->s[i].app);
}

static void report(wfx *x, const char *what)
{
    g_test_message("%s: A %s-%s after %.0f ms, B %s-%s after %.0f ms", what,
                   ice_cand_type_name(x->s[0].lt), ice_cand_type_name(x->s[0].rt),
                   x->s[0].elapsed / 1e6, ice_cand_type_name(x->s[1].lt),
                   ice_cand_type_name(x->s[1].rt), x->s[1].elapsed / 1e6);
}

static void expect(wfx *x, ice_cand_type a_local, ice_cand_type a_remote)
{
    g_assert_cmpint(x->s[0].selected, ==, 1);
    g_assert_cmpint(x->s[1].selected, ==, 1);
    g_assert_cmpint(x->s[0].lt, ==, a_local);
    g_assert_cmpint(x->s[0].rt, ==, a_remote);
    g_assert_cmpint(x->s[1].lt, ==, a_remote == ICE_CAND_PRFLX ? x->s[1].lt : a_remote);
    /* media both ways */
    for (int i = 0; i < 2; i++)
        g_assert_cmpint(ice_app_send(x->s[i].app, 1, (const uint8_t *)"media", 5), ==, 0);
    sim_world_run(x->w, sim_world_now(x->w) + SIM_SEC);
    g_assert_cmpint(x->s[0].data_rx, ==, 1);
    g_assert_cmpint(x->s[1].data_rx, ==, 1);
}

/* Builds the world (preset, use_turn, see world()), runs it 5 s, reports it as `what` and
 * expects A's selected pair to be a_local -> a_remote (see expect()). */
static void run_case(const char *preset, bool use_turn, const char *what, ice_cand_type a_local,
                     ice_cand_type a_remote)
{
    wfx x;
    world(&x, preset, use_turn);
    sim_world_run(x.w, 5 * SIM_SEC);
    report(&x, what);
    expect(&x, a_local, a_remote);
    sim_world_free(x.w);
}

/* Routed, no NAT: host <-> host. */
static void test_routed(void)
{
    run_case(NULL, false, "routed", ICE_CAND_HOST, ICE_CAND_HOST);
}

/* Port-restricted cones: server-reflexive on both sides (the mapping learned from the TURN
 * server's Allocate response), preferred over the relay. */
static void test_cones(void)
{
    run_case("port-restricted-cone", true, "port-restricted cones", ICE_CAND_SRFLX, ICE_CAND_SRFLX);
}

/* RFC 8445 §8.1.2: once a component is selected, its other unchecked and running pairs are
 * cancelled (the host pairs to private addresses would otherwise retransmit for 39.5 s) and no
 * check is sent any more but consent checks: checks_sent does not move between 2 s and 30 s. */
static void test_pruned_after_selection(void)
{
    wfx x;
    world(&x, "port-restricted-cone", true);
    sim_world_run(x.w, 2 * SIM_SEC);
    g_assert_cmpint(x.s[0].selected + x.s[1].selected, ==, 2);
    uint64_t sent[2];
    for (int k = 0; k < 2; k++) {
        ice_agent *ag = ice_app_agent(x.s[k].app);
        int cancelled = 0;
        for (size_t i = 0; i < ice_agent_n_pairs(ag); i++) {
            const ice_pair *p = ice_agent_pair_at(ag, i);
            g_assert_true(p->state == ICE_PAIR_SUCCEEDED || p->state == ICE_PAIR_FAILED ||
                          p->state == ICE_PAIR_CANCELLED);
            g_assert_cmpuint(p->tx, ==, 0);
            cancelled += p->state == ICE_PAIR_CANCELLED;
        }
        g_assert_cmpint(cancelled, >=, 1); /* at least host -> host */
        sent[k] = ice_agent_get_stats(ag)->checks_sent;
    }
    sim_world_run(x.w, 30 * SIM_SEC);
    for (int k = 0; k < 2; k++) {
        const ice_agent_stats *st = ice_agent_get_stats(ice_app_agent(x.s[k].app));
        g_assert_cmpuint(st->checks_sent, ==, sent[k]);
        g_assert_cmpuint(st->consent_sent, >=, 4);
        g_assert_cmpint(x.s[k].lost, ==, 0);
    }
    sim_world_free(x.w);
}

/* Counts the Send indications and ChannelData messages delivered to the TURN server's port. */
static void turn_tap(void *ctx, const sim_link *l, const sim_iface *to, const sim_pkt *f,
                     sim_time_t t)
{
    (void)l;
    (void)t;
    wfx *x = ctx;
    const uint8_t *d = f->data;
    if (to != x->turn_if || f->len < 14 + 20 + 8 + 4 || d[12] != 0x08 || d[13] != 0x00)
        return;
    unsigned ihl = (d[14] & 0x0fu) * 4u, u = 14 + ihl;
    if (d[14 + 9] != 17 || f->len < u + 8 + 4 || (d[u + 2] << 8 | d[u + 3]) != 3478)
        return;
    const uint8_t *m = d + u + 8;
    x->sends += m[0] == 0x00 && m[1] == 0x16;
    x->chandata += m[0] >= 0x40 && m[0] <= 0x4f;
}

/* Relaying through TURN: the driver holds what it sends through its relay until the server
 * confirmed the permission for the peer, so the server relays every Send indication it gets.
 * The server's nonces go stale after 100 ms, so every CreatePermission is first answered 438
 * and retried: a Send sent right behind the request would arrive before the permission and be
 * refused. After selecting a pair through the relay the driver binds a channel, so the media
 * goes as ChannelData. */
static void test_relay_permission_channel(void)
{
    wfx x;
    g_nonce_life = 100 * SIM_MS;
    world(&x, "symmetric", true);
    g_nonce_life = 0;
    sim_link_set_tap(x.turn_if->link, turn_tap, &x);
    sim_world_run(x.w, 10 * SIM_SEC);
    g_assert_cmpint(x.s[0].selected + x.s[1].selected, ==, 2);
    g_assert_true(x.s[0].lt == ICE_CAND_RELAY || x.s[1].lt == ICE_CAND_RELAY);
    unsigned before = x.chandata;
    for (int k = 0; k < 5; k++)
        for (int i = 0; i < 2; i++)
            g_assert_cmpint(ice_app_send(x.s[i].app, 1, (const uint8_t *)"media", 5), ==, 0);
    sim_world_run(x.w, sim_world_now(x.w) + SIM_SEC);
    g_assert_cmpint(x.s[0].data_rx + x.s[1].data_rx, ==, 10);
    const turn_server_stats *st = turn_server_get_stats(turn_app_server_core(x.turn));
    g_test_message("server got %u Sends, %u ChannelData; relayed %llu to peers", x.sends,
                   x.chandata, (unsigned long long)st->relayed_to_peer);
    g_assert_cmpuint(x.sends, >, 0);
    g_assert_cmpuint(x.chandata - before, >=, 5); /* the relay side's media */
    g_assert_cmpuint(st->relayed_to_peer, ==, x.sends + x.chandata);
    sim_link_set_tap(x.turn_if->link, NULL, NULL);
    sim_world_free(x.w);
}

/* Symmetric NATs on both sides (RFC 4787 APDM + APDF): the mapping toward the peer differs
 * from the one the server saw, so only a relayed candidate works. */
static void test_symmetric(void)
{
    wfx x;
    world(&x, "symmetric", true);
    sim_world_run(x.w, 10 * SIM_SEC);
    report(&x, "symmetric");
    g_assert_cmpint(x.s[0].selected, ==, 1);
    g_assert_cmpint(x.s[1].selected, ==, 1);
    g_assert_true(x.s[0].lt == ICE_CAND_RELAY || x.s[0].rt == ICE_CAND_RELAY);
    g_assert_true(x.s[1].lt == ICE_CAND_RELAY || x.s[1].rt == ICE_CAND_RELAY);
    for (int i = 0; i < 2; i++)
        g_assert_cmpint(ice_app_send(x.s[i].app, 1, (const uint8_t *)"media", 5), ==, 0);
    sim_world_run(x.w, sim_world_now(x.w) + SIM_SEC);
    g_assert_cmpint(x.s[0].data_rx + x.s[1].data_rx, ==, 2);
    sim_world_free(x.w);
}

/* Same seed, same run: the agents' draws (credentials, tie-breakers, transaction ids, consent
 * jitter) come from the nodes' streams, so two runs select at the same virtual times with the
 * same counters and credentials. */
static void test_deterministic(void)
{
    char ufrag[2][ICE_UFRAG_MAX];
    sim_time_t at[2][2];
    uint64_t checks[2][2];
    for (int run = 0; run < 2; run++) {
        wfx x;
        world(&x, "symmetric", true);
        sim_world_run(x.w, 40 * SIM_SEC);
        for (int i = 0; i < 2; i++) {
            at[run][i] = x.s[i].elapsed;
            checks[run][i] = ice_agent_get_stats(ice_app_agent(x.s[i].app))->checks_sent +
                             ice_agent_get_stats(ice_app_agent(x.s[i].app))->consent_sent;
        }
        g_strlcpy(ufrag[run], ice_agent_ufrag(ice_app_agent(x.s[0].app)), sizeof ufrag[run]);
        sim_world_free(x.w);
    }
    g_assert_cmpstr(ufrag[0], ==, ufrag[1]);
    for (int i = 0; i < 2; i++) {
        g_assert_cmpuint(at[0][i], ==, at[1][i]);
        g_assert_cmpuint(checks[0][i], ==, checks[1][i]);
        g_assert_cmpuint(checks[0][i], >, 5);
    }
}

/* Every pair of presets, A (controlling) behind the row's NAT, B behind the column's, with
 * the TURN server reachable by both. Expected from RFC 4787 (as scenario 05 reasons for hole
 * punching): a direct path (srflx, or prflx where a symmetric NAT made a new mapping) unless
 * one side is symmetric and the other symmetric or port-restricted; then only the relay. */
static void test_matrix(void)
{
    static const char *const presets[] = { "full-cone", "restricted-cone",
                                            "port-restricted-cone", "symmetric" };
    static const char *const shortn[] = { "FC", "RC", "PRC", "SYM" };
    GString *table = g_string_new("\nICE, A's NAT (rows) x B's NAT (columns): A's pair, ms\n      ");
    for (int j = 0; j < 4; j++)
        g_string_append_printf(table, "%-22s", shortn[j]);
    for (int i = 0; i < 4; i++) {
        g_string_append_printf(table, "\n%-6s", shortn[i]);
        for (int j = 0; j < 4; j++) {
            wfx x;
            world2(&x, presets[i], presets[j], true);
            sim_world_run(x.w, 10 * SIM_SEC);
            bool sym_i = i == 3, sym_j = j == 3;
            bool relay_needed = (sym_i && (j >= 2)) || (sym_j && (i >= 2));
            for (int k = 0; k < 2; k++)
                g_assert_cmpint(x.s[k].selected, ==, 1);
            bool relayed = x.s[0].lt == ICE_CAND_RELAY || x.s[0].rt == ICE_CAND_RELAY;
            if (relayed != relay_needed)
                g_test_message("%s x %s: got %s-%s", presets[i], presets[j],
                               ice_cand_type_name(x.s[0].lt), ice_cand_type_name(x.s[0].rt));
            g_assert_cmpint(relayed, ==, relay_needed);
            if (!sym_i && !sym_j) /* both EIM: the mappings STUN saw are the ones used */
                g_assert_true(x.s[0].lt == ICE_CAND_SRFLX && x.s[0].rt == ICE_CAND_SRFLX);
            char cell[32];
            g_snprintf(cell, sizeof cell, "%s-%s %.0f", ice_cand_type_name(x.s[0].lt),
                       ice_cand_type_name(x.s[0].rt), x.s[0].elapsed / 1e6);
            g_string_append_printf(table, "%-22s", cell);
            sim_world_free(x.w);
        }
    }
    g_test_message("%s", table->str);
    g_string_free(table, TRUE);
}

/* Starts the agents of x->s[0] (controlling) on a and x->s[1] on b, TURN on 203.0.113.100. */
static void start_agents(wfx *x, sim_node *a, sim_node *b, sim_link *wan)
{
    GError *err = NULL;
    sim_node *t = node(x, "T", SIM_NODE_HOST);
    attach(t, wan, "203.0.113.100/24");
    turn_server_cfg tc = { .fingerprint = true };
    sim_ep_parse("203.0.113.100:3478", &tc.listen);
    turn_app *srv = turn_app_server(t, &tc, &err);
    g_assert_no_error(err);
    turn_server_add_user(turn_app_server_core(srv), "alice", "pw");
    ice_app_cfg cfg = { .turn = tc.listen, .turn_user = "alice", .turn_pass = "pw" };
    sim_node *nodes[2] = { a, b };
    for (int i = 0; i < 2; i++) {
        cfg.agent.controlling = i == 0;
        x->s[i].app = ice_app_new(nodes[i], &cfg, &err);
        g_assert_no_error(err);
        x->s[i].peer = &x->s[1 - i];
        ice_app_on_cand(x->s[i].app, on_cand, &x->s[i]);
        ice_app_on_event(x->s[i].app, on_event, &x->s[i]);
        ice_app_on_data(x->s[i].app, on_data, &x->s[i]);
    }
    for (int i = 0; i < 2; i++) {
        ice_agent *me = ice_app_agent(x->s[i].app), *peer = ice_app_agent(x->s[1 - i].app);
        ice_agent_set_remote(peer, 0, ice_agent_ufrag(me), ice_agent_pwd(me));
    }
    for (int i = 0; i < 2; i++)
        ice_app_gather(x->s[i].app);
}

/* Both behind one port-restricted NAT, hairpinning on or off. With host candidates signalled
 * the host pair works on the LAN and wins (type preference 126): hairpinning does not matter.
 * Without them (hidden), the srflx pair needs the NAT to hairpin (RFC 4787 REQ-9): with it,
 * srflx <-> srflx; without it, only the relay is left. */
static void test_same_nat(void)
{
    for (int hide = 0; hide <= 1; hide++)
        for (int hp = 0; hp <= 1; hp++) {
            wfx x;
            GError *err = NULL;
            memset(&x, 0, sizeof x);
            x.w = sim_world_new(&(sim_world_opts){ .seed = 43 }, &err);
            sim_link *lan = link_new(&x, "lan"), *wan = link_new(&x, "wan");
            sim_node *a = node(&x, "A", SIM_NODE_HOST), *b = node(&x, "B", SIM_NODE_HOST);
            attach(a, lan, "192.168.1.2/24");
            attach(b, lan, "192.168.1.3/24");
            default_route(a, "192.168.1.1");
            default_route(b, "192.168.1.1");
            g_hairpin = hp;
            gateway(&x, "N", lan, "192.168.1.1/24", wan, "203.0.113.1/24", "port-restricted-cone");
            g_hairpin = true;
            g_hide_host = hide;
            start_agents(&x, a, b, wan);
            sim_world_run(x.w, 5 * SIM_SEC);
            g_hide_host = false;
            char what[64];
            g_snprintf(what, sizeof what, "same NAT, host %s, hairpinning %s",
                       hide ? "hidden" : "signalled", hp ? "on" : "off");
            report(&x, what);
            if (!hide)
                expect(&x, ICE_CAND_HOST, ICE_CAND_HOST);
            else if (hp)
                expect(&x, ICE_CAND_SRFLX, ICE_CAND_SRFLX);
            else
                g_assert_true(x.s[0].selected == 1 &&
                              (x.s[0].lt == ICE_CAND_RELAY || x.s[0].rt == ICE_CAND_RELAY));
            sim_world_free(x.w);
        }
}

/* NAT444: A behind a home NAT behind a carrier-grade NAT (both port-restricted cones, so the
 * chain maps endpoint-independently), B behind a port-restricted cone: srflx <-> srflx, the
 * srflx address being the CGN's. */
static void test_chained(void)
{
    wfx x;
    GError *err = NULL;
    memset(&x, 0, sizeof x);
    x.w = sim_world_new(&(sim_world_opts){ .seed = 44 }, &err);
    sim_link *lana = link_new(&x, "lana"), *isp = link_new(&x, "isp"), *lanb = link_new(&x, "lanb"),
             *wan = link_new(&x, "wan");
    sim_node *a = node(&x, "A", SIM_NODE_HOST), *b = node(&x, "B", SIM_NODE_HOST);
    attach(a, lana, "192.168.1.2/24");
    attach(b, lanb, "192.168.2.2/24");
    default_route(a, "192.168.1.1");
    default_route(b, "192.168.2.1");
    gateway(&x, "HOME", lana, "192.168.1.1/24", isp, "100.64.0.2/24", "port-restricted-cone");
    default_route(sim_world_node(x.w, "HOME"), "100.64.0.1");
    gateway(&x, "CGN", isp, "100.64.0.1/24", wan, "203.0.113.1/24", "port-restricted-cone");
    gateway(&x, "NB", lanb, "192.168.2.1/24", wan, "203.0.113.2/24", "port-restricted-cone");
    start_agents(&x, a, b, wan);
    sim_world_run(x.w, 5 * SIM_SEC);
    report(&x, "NAT444");
    expect(&x, ICE_CAND_SRFLX, ICE_CAND_SRFLX);
    const ice_pair *p = ice_agent_selected(ice_app_agent(x.s[0].app), 1);
    const ice_cand *l = ice_agent_local(ice_app_agent(x.s[0].app), p->local);
    char ip[SIM_IP_STRLEN];
    g_assert_cmpstr(sim_ip_fmt(&l->addr.ip, ip, sizeof ip), ==, "203.0.113.1");
    sim_world_free(x.w);
}

/* A STUN Binding server for the test: the stun_server core behind one simulated socket. */
static void stun_srv_recv(sim_sock *sk, const uint8_t *d, size_t len, const sim_ep *from,
                          const sim_ep *to, void *ctx)
{
    (void)to;
    stun_server *srv = ctx;
    stun_server_input(srv, 0, 0, from, d, len);
    stun_out o;
    while (stun_server_pop(srv, &o))
        sim_sock_sendto(sk, o.data, o.len, &o.to);
}

/* srflx gathered with a STUN server (no TURN): port-restricted cones on both sides connect
 * srflx <-> srflx, and with a symmetric NAT in front of one of them (and no relay) they fail:
 * both agents report the component failed once every pair has timed out. A has a second
 * address (IPv4 in the first run: a second srflx candidate, one per base; IPv6 in the second:
 * a host candidate only, the STUN server being IPv4). */
static void test_stun_only(void)
{
    for (int sym = 0; sym <= 1; sym++) {
        wfx x;
        GError *err = NULL;
        memset(&x, 0, sizeof x);
        x.w = sim_world_new(&(sim_world_opts){ .seed = 45 }, &err);
        sim_link *lana = link_new(&x, "lana"), *lanb = link_new(&x, "lanb"), *wan = link_new(&x, "wan");
        sim_node *a = node(&x, "A", SIM_NODE_HOST), *b = node(&x, "B", SIM_NODE_HOST);
        sim_iface *ai = attach(a, lana, "192.168.1.2/24");
        sim_ip extra;
        sim_ip_parse(sym ? "2001:db8:1::2" : "192.168.1.3", &extra); /* a second base */
        g_assert_cmpint(sim_iface_add_addr(ai, &extra, sym ? 64 : 24), ==, 0);
        attach(b, lanb, "192.168.2.2/24");
        default_route(a, "192.168.1.1");
        default_route(b, "192.168.2.1");
        gateway(&x, "NA", lana, "192.168.1.1/24", wan, "203.0.113.1/24", "port-restricted-cone");
        gateway(&x, "NB", lanb, "192.168.2.1/24", wan, "203.0.113.2/24",
                sym ? "symmetric" : "port-restricted-cone");
        sim_node *t = node(&x, "STUN", SIM_NODE_HOST);
        attach(t, wan, "203.0.113.50/24");
        stun_server_cfg sc = { .fingerprint = true };
        sim_ep_parse("203.0.113.50:3478", &sc.primary);
        stun_server *srv = stun_server_new(&sc);
        sim_sock *sk = sim_udp_open(t, SIM_AF_INET);
        g_assert_cmpint(sim_sock_bind(sk, &sc.primary), ==, 0);
        sim_sock_on_recv(sk, stun_srv_recv, srv);
        ice_app_cfg cfg = { .stun = sc.primary };
        sim_node *nodes[2] = { a, b };
        for (int i = 0; i < 2; i++) {
            cfg.agent.controlling = i == 0;
            x.s[i].app = ice_app_new(nodes[i], &cfg, &err);
            g_assert_no_error(err);
            x.s[i].peer = &x.s[1 - i];
            ice_app_on_cand(x.s[i].app, on_cand, &x.s[i]);
            ice_app_on_event(x.s[i].app, on_event, &x.s[i]);
            ice_app_on_data(x.s[i].app, on_data, &x.s[i]);
        }
        for (int i = 0; i < 2; i++) {
            ice_agent *me = ice_app_agent(x.s[i].app), *peer = ice_app_agent(x.s[1 - i].app);
            ice_agent_set_remote(peer, 0, ice_agent_ufrag(me), ice_agent_pwd(me));
        }
        for (int i = 0; i < 2; i++)
            ice_app_gather(x.s[i].app);
        sim_world_run(x.w, 60 * SIM_SEC);
        /* A server-reflexive candidate per base of the STUN server's family (IPv4) */
        unsigned srflx = 0, hosts = 0;
        ice_agent *aa = ice_app_agent(x.s[0].app);
        for (size_t k = 0; k < ice_agent_n_local(aa); k++) {
            const ice_cand *c = ice_agent_local(aa, k);
            hosts += c->type == ICE_CAND_HOST;
            srflx += c->type == ICE_CAND_SRFLX;
            g_assert_true(c->type != ICE_CAND_SRFLX || c->base.ip.family == SIM_AF_INET);
        }
        g_assert_cmpuint(hosts, ==, 2);
        g_assert_cmpuint(srflx, ==, sym ? 1 : 2);
        if (!sym) {
            report(&x, "STUN only, cones");
            expect(&x, ICE_CAND_SRFLX, ICE_CAND_SRFLX);
        } else {
            g_test_message("STUN only, cone-symmetric: failed %d / %d", x.s[0].failed, x.s[1].failed);
            g_assert_cmpint(x.s[0].selected + x.s[1].selected, ==, 0);
            g_assert_cmpint(x.s[0].failed, ==, 1);
            g_assert_cmpint(x.s[1].failed, ==, 1);
            g_assert_cmpint(ice_app_send(x.s[0].app, 1, (const uint8_t *)"x", 1), ==, -ENOTCONN);
        }
        sim_sock_close(sk);
        stun_server_free(srv);
        sim_world_free(x.w);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ice/sim/routed-host", test_routed);
    g_test_add_func("/ice/sim/port-restricted-srflx", test_cones);
    g_test_add_func("/ice/sim/symmetric-relay", test_symmetric);
    g_test_add_func("/ice/sim/deterministic", test_deterministic);
    g_test_add_func("/ice/sim/pruned-after-selection", test_pruned_after_selection);
    g_test_add_func("/ice/sim/relay-permission-channel", test_relay_permission_channel);
    g_test_add_func("/ice/sim/nat-matrix", test_matrix);
    g_test_add_func("/ice/sim/same-nat-hairpin", test_same_nat);
    g_test_add_func("/ice/sim/nat444", test_chained);
    g_test_add_func("/ice/sim/stun-only", test_stun_only);
    return g_test_run();
}
