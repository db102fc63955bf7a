/* tests/unit/test_ice_connect.c — two ICE agents back to back, no simulator: the test moves
 * outbox datagrams between them through a tiny fake network with a fixed one-way delay and,
 * when asked, a NAT in front of an agent (endpoint-independent mapping, address-and-port-
 * dependent filtering: a port-restricted cone) that rewrites source addresses, so server- and
 * peer-reflexive candidates appear. Virtual time only; connect times are asserted in ms. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/ice/ice.h"
#include "protocols/stun/stun.h"

#define DELAY (10 * SIM_MS)
#define MAX_SOCKS 8
#define MAX_MAPS 8

static sim_ep ep(const char *s)
{
    sim_ep e;
    g_assert_cmpint(sim_ep_parse(s, &e), ==, 0);
    return e;
}

typedef struct fsock {
    int agent;
    unsigned id;
    sim_ep addr;
} fsock;

typedef struct fmap {
    sim_ep in, out;
    GArray *allowed; /* of sim_ep: remotes the inside has sent to (APDF) */
} fmap;

typedef struct fnat {
    bool on;
    sim_ip outside;
    uint16_t next_port;
    fmap maps[MAX_MAPS];
    int n_maps;
} fnat;

typedef struct flight {
    sim_time_t at;
    int agent;
    sim_ep from, to;
    size_t len;
    uint8_t data[ICE_DATA_MAX];
} flight;

typedef struct agent_log {
    sim_time_t selected_at, lost_at;
    int selected;
    ice_cand_type lt, rt;
    int prflx_local, prflx_remote, data_rx, role_switches;
} agent_log;

typedef struct fnet {
    ice_agent *ag[2];
    sim_rng rng[2];
    fsock socks[MAX_SOCKS];
    int n_socks;
    fnat nat[2];
    GQueue fl;       /* of flight *, by time then order of sending */
    sim_time_t now;
    bool cut;        /* drop everything (path died) */
    agent_log log[2];
    uint64_t sent, dropped;
} fnet;

static void net_init(fnet *n, bool a_controlling, bool b_controlling, uint64_t seed)
{
    memset(n, 0, sizeof *n);
    for (int i = 0; i < 2; i++) {
        sim_rng_seed(&n->rng[i], seed + (uint64_t)i);
        ice_agent_cfg cfg = { .controlling = i == 0 ? a_controlling : b_controlling };
        n->ag[i] = ice_agent_new(&cfg, &n->rng[i]);
        g_assert_nonnull(n->ag[i]);
    }
    g_queue_init(&n->fl);
}

static void net_clear(fnet *n)
{
    for (int i = 0; i < 2; i++) {
        ice_agent_free(n->ag[i]);
        for (int k = 0; k < n->nat[i].n_maps; k++)
            g_array_free(n->nat[i].maps[k].allowed, TRUE);
    }
    g_queue_clear_full(&n->fl, g_free);
}

static void net_nat(fnet *n, int agent, const char *outside)
{
    n->nat[agent].on = true;
    g_assert_cmpint(sim_ip_parse(outside, &n->nat[agent].outside), ==, 0);
    n->nat[agent].next_port = 40000;
}

/* The NAT mapping of inside endpoint `in` (created on first use, endpoint-independent). */
static fmap *nat_map(fnat *t, const sim_ep *in)
{
    for (int k = 0; k < t->n_maps; k++)
        if (sim_ep_eq(&t->maps[k].in, in))
            return &t->maps[k];
    g_assert_cmpint(t->n_maps, <, MAX_MAPS);
    fmap *m = &t->maps[t->n_maps++];
    m->in = *in;
    m->out = (sim_ep){ t->outside, t->next_port++ };
    m->allowed = g_array_new(FALSE, FALSE, sizeof(sim_ep));
    return m;
}

/* A host socket: registers it with the network and adds the host candidate. */
static void net_host(fnet *n, int agent, unsigned id, const char *addr, unsigned comp)
{
    fsock *s = &n->socks[n->n_socks++];
    s->agent = agent;
    s->id = id;
    s->addr = ep(addr);
    ice_cand c = { .type = ICE_CAND_HOST, .component = comp, .addr = s->addr, .base = s->addr,
                   .sock = id };
    g_assert_cmpint(ice_agent_add_local(n->ag[agent], 0, &c, ice_local_pref(0, c.addr.ip.family),
                                        NULL), >=, 0);
}

/* A server-reflexive candidate as a STUN server would report it: the NAT's mapping. */
static void net_srflx(fnet *n, int agent, unsigned id, const char *stun_server)
{
    for (int k = 0; k < n->n_socks; k++) {
        fsock *s = &n->socks[k];
        if (s->agent != agent || s->id != id)
            continue;
        fmap *m = nat_map(&n->nat[agent], &s->addr);
        sim_ep srv = ep(stun_server);
        g_array_append_val(m->allowed, srv);
        ice_cand c = { .type = ICE_CAND_SRFLX, .component = 1, .addr = m->out, .base = s->addr,
                       .sock = id, .server = srv };
        g_assert_cmpint(ice_agent_add_local(n->ag[agent], 0, &c, ice_local_pref(0, SIM_AF_INET),
                                            NULL), >=, 0);
    }
}

/* Signalling: each side's credentials and (non-prflx) local candidates to the other. */
static void net_signal(fnet *n, bool end)
{
    for (int i = 0; i < 2; i++) {
        ice_agent *me = n->ag[i], *peer = n->ag[1 - i];
        g_assert_cmpint(ice_agent_set_remote(peer, n->now, ice_agent_ufrag(me), ice_agent_pwd(me)), ==, 0);
        for (size_t k = 0; k < ice_agent_n_local(me); k++) {
            const ice_cand *c = ice_agent_local(me, k);
            char line[ICE_CAND_STRLEN];
            ice_cand rc;
            /* through the RFC 8839 text form, as SDP would carry it */
            g_assert_cmpint(ice_cand_encode(c, line, sizeof line), ==, 0);
            g_assert_cmpint(ice_cand_decode(line, strlen(line), &rc), ==, 0);
            g_assert_cmpint(ice_agent_add_remote(peer, n->now, &rc), >=, 0);
        }
        if (end) {
            ice_agent_local_done(me, n->now);
            ice_agent_remote_done(peer, n->now);
        }
    }
}

/* Sends one datagram from agent i's socket: the source NAT applies now, the destination's
 * NAT filter when it arrives (DELAY later), as on a real path. */
static void route(fnet *n, int i, const ice_out *o)
{
    n->sent++;
    sim_ep src = { 0 };
    for (int k = 0; k < n->n_socks; k++)
        if (n->socks[k].agent == i && n->socks[k].id == o->sock)
            src = n->socks[k].addr;
    g_assert_cmpuint(src.ip.family, !=, SIM_AF_NONE);
    if (n->nat[i].on) {
        fmap *m = nat_map(&n->nat[i], &src);
        g_array_append_val(m->allowed, o->to);
        src = m->out;
    }
    if (n->cut) {
        n->dropped++;
        return;
    }
    flight *f = g_new(flight, 1);
    f->at = n->now + DELAY;
    f->agent = 1 - i;
    f->from = src;
    f->to = o->to;
    f->len = o->len;
    memcpy(f->data, o->data, o->len);
    g_queue_push_tail(&n->fl, f); /* fixed delay: arrival order is sending order */
}

/* The socket of agent j that receives f (through j's NAT), or -1: no mapping, filtered
 * (address-and-port-dependent), a private address, or nobody there. */
static int arrive(fnet *n, const flight *f)
{
    int j = f->agent;
    sim_ep dst = f->to;
    if (n->nat[j].on) {
        fmap *m = NULL;
        for (int k = 0; k < n->nat[j].n_maps; k++)
            if (sim_ep_eq(&n->nat[j].maps[k].out, &dst))
                m = &n->nat[j].maps[k];
        bool ok = false;
        for (guint k = 0; m && k < m->allowed->len; k++)
            ok |= sim_ep_eq(&g_array_index(m->allowed, sim_ep, k), &f->from);
        if (!ok)
            return -1;
        dst = m->in;
    }
    for (int k = 0; k < n->n_socks; k++)
        if (n->socks[k].agent == j && sim_ep_eq(&n->socks[k].addr, &dst))
            return (int)n->socks[k].id;
    return -1;
}

static void pump(fnet *n, int i)
{
    ice_out o;
    ice_event ev;
    while (ice_agent_pop(n->ag[i], &o))
        route(n, i, &o);
    while (ice_agent_pop_event(n->ag[i], &ev)) {
        agent_log *l = &n->log[i];
        switch (ev.kind) {
        case ICE_EV_SELECTED:
            l->selected++;
            l->selected_at = ev.elapsed;
            l->lt = ev.local_type;
            l->rt = ev.remote_type;
            break;
        case ICE_EV_CONSENT_LOST: l->lost_at = ev.at; break;
        case ICE_EV_LOCAL_PRFLX: l->prflx_local++; break;
        case ICE_EV_REMOTE_PRFLX: l->prflx_remote++; break;
        case ICE_EV_ROLE: l->role_switches++; break;
        default: break;
        }
    }
}

/* Runs the two agents and the network until `until` (virtual). */
static void run(fnet *n, sim_time_t until)
{
    for (int guard = 0; guard < 100000; guard++) {
        flight *f = g_queue_peek_head(&n->fl);
        sim_time_t t = f ? f->at : SIM_TIME_NEVER;
        for (int i = 0; i < 2; i++)
            t = MIN(t, ice_agent_next_deadline(n->ag[i]));
        if (t > until) {
            n->now = until;
            return;
        }
        n->now = MAX(t, n->now);
        if (f && f->at <= n->now) {
            g_queue_pop_head(&n->fl);
            int sock = arrive(n, f);
            if (sock < 0) {
                n->dropped++;
            } else if (ice_agent_input(n->ag[f->agent], n->now, (unsigned)sock, &f->from, f->data,
                                       f->len) > 0) {
                n->log[f->agent].data_rx++;
            }
            pump(n, f->agent);
            g_free(f);
            continue;
        }
        for (int i = 0; i < 2; i++)
            if (ice_agent_next_deadline(n->ag[i]) <= n->now) {
                ice_agent_timeout(n->ag[i], n->now);
                pump(n, i);
            }
    }
    g_assert_not_reached();
}

static void send_data(fnet *n, int i, int rc_want)
{
    g_assert_cmpint(ice_agent_send(n->ag[i], n->now, 1, (const uint8_t *)"\x80rtp", 4), ==, rc_want);
    pump(n, i);
}

/* Gives the agents of n one public host candidate each (A 198.51.100.1:5000, B
 * 198.51.100.2:6000), exchanges them and runs until `until`. */
static void host_host_run(fnet *n, sim_time_t until)
{
    net_host(n, 0, 1, "198.51.100.1:5000", 1);
    net_host(n, 1, 1, "198.51.100.2:6000", 1);
    net_signal(n, true);
    run(n, until);
}

/* Two public hosts: host <-> host. A checks at 0, the answer arrives at 20 ms, nothing better
 * is pending so A nominates at its next Ta slot (50 ms): B sees USE-CANDIDATE at 60 ms (its
 * own check already succeeded: selected), A gets the answer at 70 ms. */
static void test_host_host(void)
{
    fnet n;
    net_init(&n, true, false, 11);
    host_host_run(&n, 2 * SIM_SEC);
    g_test_message("host-host: A selected after %.0f ms, B after %.0f ms",
                   n.log[0].selected_at / 1e6, n.log[1].selected_at / 1e6);
    for (int i = 0; i < 2; i++) {
        g_assert_cmpint(n.log[i].selected, ==, 1);
        g_assert_true(n.log[i].lt == ICE_CAND_HOST && n.log[i].rt == ICE_CAND_HOST);
        g_assert_cmpint(n.log[i].prflx_local + n.log[i].prflx_remote, ==, 0);
        g_assert_true(ice_agent_selected(n.ag[i], 1)->nominated);
    }
    g_assert_cmpuint(n.log[0].selected_at, ==, 70 * SIM_MS);
    g_assert_cmpuint(n.log[1].selected_at, ==, 60 * SIM_MS);
    send_data(&n, 0, 0);
    send_data(&n, 1, 0);
    run(&n, 3 * SIM_SEC);
    g_assert_cmpint(n.log[0].data_rx, ==, 1);
    g_assert_cmpint(n.log[1].data_rx, ==, 1);
    net_clear(&n);
}

/* A behind a port-restricted-cone NAT signals only its private host address (no STUN server):
 * B's checks to it are lost, but A's checks reach B from the NAT's mapping, so B learns a
 * peer-reflexive remote candidate (§7.3.1.3) and A a peer-reflexive local one from the
 * XOR-MAPPED-ADDRESS (§7.2.5.3.1); B's triggered check passes the NAT's filter because A has
 * sent to B. Selected: A prflx -> B host; B host -> A prflx. */
static void test_prflx(void)
{
    fnet n;
    net_init(&n, true, false, 12);
    net_nat(&n, 0, "203.0.113.1");
    net_host(&n, 0, 1, "192.168.1.2:5000", 1);
    net_host(&n, 1, 1, "198.51.100.2:6000", 1);
    net_signal(&n, true);
    run(&n, 3 * SIM_SEC);
    g_test_message("prflx: A selected after %.0f ms (%s-%s), B after %.0f ms (%s-%s)",
                   n.log[0].selected_at / 1e6, ice_cand_type_name(n.log[0].lt),
                   ice_cand_type_name(n.log[0].rt), n.log[1].selected_at / 1e6,
                   ice_cand_type_name(n.log[1].lt), ice_cand_type_name(n.log[1].rt));
    g_assert_cmpint(n.log[0].selected, ==, 1);
    g_assert_cmpint(n.log[1].selected, ==, 1);
    g_assert_true(n.log[0].lt == ICE_CAND_PRFLX && n.log[0].rt == ICE_CAND_HOST);
    g_assert_true(n.log[1].lt == ICE_CAND_HOST && n.log[1].rt == ICE_CAND_PRFLX);
    g_assert_cmpint(n.log[0].prflx_local, ==, 1);
    g_assert_cmpint(n.log[1].prflx_remote, ==, 1);
    const ice_pair *p = ice_agent_selected(n.ag[1], 1);
    const ice_cand *r = ice_agent_remote(n.ag[1], p->remote);
    g_assert_true(sim_ep_eq(&r->addr, &(sim_ep){ ep("203.0.113.1:1").ip, 40000 }));
    /* the peer-reflexive remote got the PRIORITY A sent: prflx type preference */
    g_assert_cmpuint(r->priority, ==, ice_priority(110, ice_local_pref(0, SIM_AF_INET), 1));
    g_assert_cmpuint(n.log[0].selected_at, ==, 70 * SIM_MS);
    send_data(&n, 1, 0);
    send_data(&n, 0, 0);
    run(&n, 4 * SIM_SEC);
    g_assert_cmpint(n.log[0].data_rx + n.log[1].data_rx, ==, 2);
    net_clear(&n);
}

/* Both behind port-restricted-cone NATs with server-reflexive candidates: host pairs cannot
 * work (private addresses), srflx <-> srflx does once both sides have sent (hole punching);
 * the better host pairs stay pending, so A nominates nominate_delay (500 ms) after its first
 * valid pair. */
static void test_srflx(void)
{
    fnet n;
    net_init(&n, true, false, 13);
    net_nat(&n, 0, "203.0.113.1");
    net_nat(&n, 1, "203.0.113.2");
    net_host(&n, 0, 1, "192.168.1.2:5000", 1);
    net_host(&n, 1, 1, "10.1.1.2:6000", 1);
    net_srflx(&n, 0, 1, "198.51.100.200:3478");
    net_srflx(&n, 1, 1, "198.51.100.200:3478");
    net_signal(&n, true);
    run(&n, 5 * SIM_SEC);
    g_test_message("srflx: A selected after %.0f ms (%s-%s), B after %.0f ms (%s-%s)",
                   n.log[0].selected_at / 1e6, ice_cand_type_name(n.log[0].lt),
                   ice_cand_type_name(n.log[0].rt), n.log[1].selected_at / 1e6,
                   ice_cand_type_name(n.log[1].lt), ice_cand_type_name(n.log[1].rt));
    for (int i = 0; i < 2; i++) {
        g_assert_cmpint(n.log[i].selected, ==, 1);
        g_assert_true(n.log[i].lt == ICE_CAND_SRFLX && n.log[i].rt == ICE_CAND_SRFLX);
    }
    /* checks at 0 (host pairs, lost) and 50 ms (srflx pairs: both NATs have sent by the time
     * the other's check arrives at 60 ms); A's first valid pair at 70 ms; the host pair is still
     * retransmitting, so A nominates at 70 + 500 ms: B sees USE-CANDIDATE at 580, A the answer
     * at 590 */
    g_assert_cmpuint(n.log[0].selected_at, ==, 590 * SIM_MS);
    g_assert_cmpuint(n.log[1].selected_at, ==, 580 * SIM_MS);
    net_clear(&n);
}

/* Both start controlling: the one with the smaller tie-breaker gets 487 or switches; they
 * still connect with exactly one controlling agent. Same with both controlled. */
static void test_role_conflict_connect(void)
{
    for (int both = 0; both <= 1; both++) {
        fnet n;
        net_init(&n, both, both, 14);
        host_host_run(&n, 3 * SIM_SEC);
        g_assert_cmpint(ice_agent_controlling(n.ag[0]) + ice_agent_controlling(n.ag[1]), ==, 1);
        g_assert_cmpint(n.log[0].role_switches + n.log[1].role_switches, ==, 1);
        g_assert_cmpint(n.log[0].selected, ==, 1);
        g_assert_cmpint(n.log[1].selected, ==, 1);
        g_test_message("both %s: connected after %.0f / %.0f ms", both ? "controlling" : "controlled",
                       n.log[0].selected_at / 1e6, n.log[1].selected_at / 1e6);
        net_clear(&n);
    }
}

/* RFC 7675: connected, then the path dies. Consent checks go unanswered; 30 s after the last
 * answer both sides declare consent lost and refuse to send. Before that, consent checks every
 * 5 s x [0.8, 1.2] keep it alive. */
static void test_consent_lost(void)
{
    fnet n;
    net_init(&n, true, false, 15);
    host_host_run(&n, 60 * SIM_SEC);
    g_assert_cmpint(n.log[0].selected, ==, 1);
    g_assert_cmpuint(n.log[0].lost_at + n.log[1].lost_at, ==, 0);
    uint64_t consent = ice_agent_get_stats(n.ag[0])->consent_sent;
    g_assert_cmpuint(consent, >=, 60 / 6);
    g_assert_cmpuint(consent, <=, 60 / 4 + 1);
    g_assert_cmpuint(ice_agent_get_stats(n.ag[0])->keepalives, ==, 0); /* consent traffic suffices */
    n.cut = true;
    sim_time_t cut_at = n.now;
    run(&n, 120 * SIM_SEC);
    for (int i = 0; i < 2; i++) {
        g_assert_cmpuint(n.log[i].lost_at, >, cut_at + 24 * SIM_SEC);
        g_assert_cmpuint(n.log[i].lost_at, <=, cut_at + 30 * SIM_SEC);
        g_test_message("agent %d: consent lost %.1f s after the cut", i,
                       (double)(n.log[i].lost_at - cut_at) / 1e9);
    }
    send_data(&n, 0, -EACCES);
    send_data(&n, 1, -EACCES);
    /* and nothing more is sent: no deadline left but nothing due */
    uint64_t sent = n.sent;
    run(&n, 200 * SIM_SEC);
    g_assert_cmpuint(n.sent, ==, sent);
    net_clear(&n);
}

/* Keepalives (§11) when consent freshness is off: a Binding indication every Tr = 15 s on an
 * idle selected pair. */
static void test_keepalive(void)
{
    fnet n;
    memset(&n, 0, sizeof n);
    for (int i = 0; i < 2; i++) {
        sim_rng_seed(&n.rng[i], 16 + (uint64_t)i);
        ice_agent_cfg cfg = { .controlling = i == 0, .no_consent = true };
        n.ag[i] = ice_agent_new(&cfg, &n.rng[i]);
    }
    g_queue_init(&n.fl);
    host_host_run(&n, 61 * SIM_SEC);
    g_assert_cmpuint(ice_agent_get_stats(n.ag[0])->keepalives, ==, 4); /* 15.07, 30.07, 45.07, 60.07 */
    g_assert_cmpuint(ice_agent_get_stats(n.ag[0])->consent_sent, ==, 0);
    net_clear(&n);
}

/* Trickle: candidates arrive one by one after the credentials; checks start as pairs appear. */
static void test_trickle(void)
{
    fnet n;
    net_init(&n, true, false, 17);
    net_host(&n, 1, 1, "198.51.100.2:6000", 1);
    ice_agent_set_remote(n.ag[0], 0, ice_agent_ufrag(n.ag[1]), ice_agent_pwd(n.ag[1]));
    ice_agent_set_remote(n.ag[1], 0, ice_agent_ufrag(n.ag[0]), ice_agent_pwd(n.ag[0]));
    run(&n, 100 * SIM_MS);
    g_assert_cmpuint(n.sent, ==, 0);
    net_host(&n, 0, 1, "198.51.100.1:5000", 1); /* A gathers its host candidate late */
    ice_agent_add_remote(n.ag[0], n.now, ice_agent_local(n.ag[1], 0));
    run(&n, 2 * SIM_SEC); /* B never heard of A's candidate: it learns it as prflx */
    g_assert_cmpint(n.log[0].selected, ==, 1);
    g_assert_cmpint(n.log[1].selected, ==, 1);
    g_assert_cmpint(n.log[1].prflx_remote, ==, 1);
    /* the late signalled candidate replaces the learned prflx type, keeping its priority */
    const ice_cand *c = ice_agent_local(n.ag[0], 0);
    uint32_t learned = ice_agent_remote(n.ag[1], 0)->priority;
    g_assert_cmpint(ice_agent_add_remote(n.ag[1], n.now, c), ==, 0);
    g_assert_cmpint(ice_agent_remote(n.ag[1], 0)->type, ==, ICE_CAND_HOST);
    g_assert_cmpuint(ice_agent_remote(n.ag[1], 0)->priority, ==, learned);
    g_assert_cmpint(ice_agent_add_remote(n.ag[1], n.now, c), ==, -EEXIST);
    net_clear(&n);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ice/connect/host-host", test_host_host);
    g_test_add_func("/ice/connect/prflx-behind-nat", test_prflx);
    g_test_add_func("/ice/connect/srflx-both-nat", test_srflx);
    g_test_add_func("/ice/connect/role-conflict", test_role_conflict_connect);
    g_test_add_func("/ice/connect/consent-lost", test_consent_lost);
    g_test_add_func("/ice/connect/keepalive", test_keepalive);
    g_test_add_func("/ice/connect/trickle", test_trickle);
    return g_test_run();
}
