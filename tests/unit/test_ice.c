/* tests/unit/test_ice.c — the ICE core without a simulator: the RFC 8445 formulas against
 * hand-computed values (§5.1.2, §6.1.2.3), `candidate:` lines (RFC 8839), foundations and
 * redundancy (§5.1.1.3, §5.1.3), pairing and pruning, unfreezing (§6.1.2.6), Ta pacing in
 * virtual time, the check a request carries, incoming checks with bad credentials (400/401),
 * role conflicts both ways (487 and switch), and malformed checks (dropped, no crash).
 * Agents talking to each other are in test_ice_connect.c. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/ice/ice.h"
#include "protocols/stun/stun.h"

static sim_ep ep(const char *s)
{
    sim_ep e;
    g_assert_cmpint(sim_ep_parse(s, &e), ==, 0);
    return e;
}

/* Adds a local candidate: type, address, base, socket, server (NULL: none), component. */
static int add_local(ice_agent *a, ice_cand_type t, const char *addr, const char *base,
                     unsigned sock, const char *server, unsigned comp, ice_cand *out)
{
    ice_cand c = { .type = t, .component = comp, .addr = ep(addr), .base = ep(base), .sock = sock };
    if (server)
        c.server = ep(server);
    return ice_agent_add_local(a, 0, &c, ice_local_pref(0, c.addr.ip.family), out);
}

static int add_remote(ice_agent *a, ice_cand_type t, const char *addr, unsigned comp,
                      const char *found, uint32_t prio)
{
    ice_cand c = { .type = t, .component = comp, .addr = ep(addr), .priority = prio };
    g_strlcpy(c.foundation, found, sizeof c.foundation);
    return ice_agent_add_remote(a, 0, &c);
}

static ice_agent *new_agent(bool controlling, sim_rng *r, unsigned comps)
{
    ice_agent_cfg cfg = { .controlling = controlling, .components = comps };
    ice_agent *a = ice_agent_new(&cfg, r);
    g_assert_nonnull(a);
    return a;
}

/* A one-component agent seeded with seed, with one host candidate 10.0.0.1:5000 on socket
 * sock. */
static ice_agent *host_agent(bool controlling, sim_rng *r, uint64_t seed, unsigned sock)
{
    sim_rng_seed(r, seed);
    ice_agent *a = new_agent(controlling, r, 1);
    add_local(a, ICE_CAND_HOST, "10.0.0.1:5000", "10.0.0.1:5000", sock, NULL, 1, NULL);
    return a;
}

/* Adds three remote host candidates <net>.1-3:7000 (foundations "1"-"3") with priorities
 * prio, prio - 1, prio - 2. */
static void add_three_remotes(ice_agent *a, const char *net, uint32_t prio)
{
    for (int i = 0; i < 3; i++) {
        char addr[32], f[4];
        g_snprintf(addr, sizeof addr, "%s.%d:7000", net, i + 1);
        g_snprintf(f, sizeof f, "%d", i + 1);
        add_remote(a, ICE_CAND_HOST, addr, 1, f, prio - (uint32_t)i);
    }
}

/* ---------------------------------------------------------------- formulas */

/* RFC 8445 §5.1.2.1 with the §5.1.2.2 type preferences, computed by hand:
 * host, local pref 65535, component 1: 126·2^24 + 65535·2^8 + 255 = 2130706431. */
static void test_priority(void)
{
    g_assert_cmpuint(ice_priority(ICE_TYPE_PREF_HOST, 65535, 1), ==, 2130706431u);
    g_assert_cmpuint(ice_priority(ICE_TYPE_PREF_SRFLX, 65535, 1), ==, 1694498815u);
    g_assert_cmpuint(ice_priority(ICE_TYPE_PREF_PRFLX, 65535, 1), ==, 1862270975u);
    g_assert_cmpuint(ice_priority(ICE_TYPE_PREF_RELAY, 65535, 2), ==, 16777214u);
    g_assert_cmpuint(ice_priority(ICE_TYPE_PREF_HOST, 65407, 1), ==, 2130673663u);
    g_assert_cmpuint(ice_type_pref(ICE_CAND_HOST), ==, 126);
    g_assert_cmpuint(ice_type_pref(ICE_CAND_PRFLX), ==, 110);
    g_assert_cmpuint(ice_type_pref(ICE_CAND_SRFLX), ==, 100);
    g_assert_cmpuint(ice_type_pref(ICE_CAND_RELAY), ==, 0);
    /* local preference: interface rank first, IPv6 before IPv4 on one interface */
    g_assert_cmpuint(ice_local_pref(0, SIM_AF_INET6), ==, 65535);
    g_assert_cmpuint(ice_local_pref(0, SIM_AF_INET), ==, 65407);
    g_assert_cmpuint(ice_local_pref(1, SIM_AF_INET6), ==, 65279);
    g_assert_cmpuint(ice_local_pref(0, SIM_AF_INET), >, ice_local_pref(1, SIM_AF_INET6));
}

/* §6.1.2.3: 2^32·MIN(G,D) + 2·MAX(G,D) + (G>D?1:0), G host 2130706431, D srflx 1694498815. */
static void test_pair_priority(void)
{
    g_assert_cmpuint(ice_pair_priority(2130706431u, 1694498815u), ==, 7277816997797167103ull);
    g_assert_cmpuint(ice_pair_priority(1694498815u, 2130706431u), ==, 7277816997797167102ull);
    g_assert_cmpuint(ice_pair_priority(5, 5), ==, (5ull << 32) + 10);
    g_assert_cmpuint(ice_pair_priority(UINT32_MAX, UINT32_MAX), ==,
                     ((uint64_t)UINT32_MAX << 32) + 2ull * UINT32_MAX);
}

/* ---------------------------------------------------------------- candidate lines */

static void test_cand_lines(void)
{
    char buf[ICE_CAND_STRLEN];
    ice_cand h = { .foundation = "1", .component = 1, .priority = 2130706431u,
                   .type = ICE_CAND_HOST, .addr = ep("10.0.1.1:8998") };
    g_assert_cmpint(ice_cand_encode(&h, buf, sizeof buf), ==, 0);
    g_assert_cmpstr(buf, ==, "candidate:1 1 UDP 2130706431 10.0.1.1 8998 typ host");
    ice_cand s = { .foundation = "2", .component = 2, .priority = 1694498814u,
                   .type = ICE_CAND_SRFLX, .addr = ep("192.0.2.3:45664"),
                   .base = ep("10.0.1.1:8999") };
    g_assert_cmpint(ice_cand_encode(&s, buf, sizeof buf), ==, 0);
    g_assert_cmpstr(buf, ==,
                    "candidate:2 2 UDP 1694498814 192.0.2.3 45664 typ srflx raddr 10.0.1.1 rport 8999");
    ice_cand d;
    g_assert_cmpint(ice_cand_decode(buf, strlen(buf), &d), ==, 0);
    g_assert_cmpstr(d.foundation, ==, "2");
    g_assert_cmpuint(d.component, ==, 2);
    g_assert_cmpuint(d.priority, ==, 1694498814u);
    g_assert_true(d.type == ICE_CAND_SRFLX && sim_ep_eq(&d.addr, &s.addr) && sim_ep_eq(&d.base, &s.base));
    g_assert_cmpint(ice_cand_encode(&h, buf, 20), ==, -ENOSPC);
    /* a relayed candidate signals its mapped address as the related one (RFC 8839 §5.1) */
    ice_cand rl = { .foundation = "3", .component = 1, .priority = 16777215u,
                    .type = ICE_CAND_RELAY, .addr = ep("18.181.0.31:50000"),
                    .base = ep("18.181.0.31:50000"), .related = ep("68.36.210.57:1211") };
    g_assert_cmpint(ice_cand_encode(&rl, buf, sizeof buf), ==, 0);
    g_assert_cmpstr(buf, ==, "candidate:3 1 UDP 16777215 18.181.0.31 50000 typ relay raddr "
                             "68.36.210.57 rport 1211");

    /* IPv6, "a=" prefix, extension attributes skipped, case-insensitive keywords */
    const char *v6 = "a=candidate:abc+/ 1 udp 2130706175 2001:db8::1 5000 typ relay raddr 2001:db8::9 "
                     "rport 7 generation 0 network-id 1";
    g_assert_cmpint(ice_cand_decode(v6, strlen(v6), &d), ==, 0);
    g_assert_true(d.type == ICE_CAND_RELAY && d.addr.ip.family == SIM_AF_INET6 && d.addr.port == 5000);
    g_assert_cmpstr(d.foundation, ==, "abc+/");

    static const struct { const char *s; int rc; } bad[] = {
        { "candidate:1 1 UDP 1 10.0.0.1 9 typ", -EBADMSG },
        { "candidate:1 1 UDP 1", -EBADMSG },
        { "candidate:1 1 UDP 1 10.0.0.1 9 typ host raddr", -EBADMSG },
        { "candidate:1 0 UDP 1 10.0.0.1 9 typ host", -EBADMSG },
        { "candidate:1 257 UDP 1 10.0.0.1 9 typ host", -EBADMSG },
        { "candidate:1 1 UDP 4294967296 10.0.0.1 9 typ host", -EBADMSG },
        { "candidate:1 1 UDP 1 10.0.0.1 65536 typ host", -EBADMSG },
        { "candidate:1 1 UDP 1 10.0.0.1 9 typ mystery", -EBADMSG },
        { "candidate:1 1 UDP 1 10.0.0.1 9 type host", -EBADMSG },
        { "candidate:f@ 1 UDP 1 10.0.0.1 9 typ host", -EBADMSG },
        { "candidate:123456789012345678901234567890123 1 UDP 1 10.0.0.1 9 typ host", -EBADMSG },
        { "candidate:1 1 SCTP 1 10.0.0.1 9 typ host", -EBADMSG },
        { "candidate:1 1 TCP 1 10.0.0.1 9 typ host tcptype active", -EPROTONOSUPPORT },
        { "candidate:1 1 UDP 1 4c2a.local 9 typ host", -EPROTONOSUPPORT },
        { "candidate:1 1 UDP 1 10.0.0.1/8 9 typ host", -EBADMSG },
        { "cand:1 1 UDP 1 10.0.0.1 9 typ host", -EBADMSG },
        { "", -EBADMSG },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        memset(&d, 0x5a, sizeof d);
        ice_cand before = d;
        g_assert_cmpint(ice_cand_decode(bad[i].s, strlen(bad[i].s), &d), ==, bad[i].rc);
        g_assert_true(memcmp(&d, &before, sizeof d) == 0); /* untouched */
    }
    /* embedded NUL / control bytes */
    g_assert_cmpint(ice_cand_decode("candidate:1 1 UDP 1 10.0.0.1 9 typ host\0x", 41, &d), ==, -EBADMSG);
}

/* natsim decode ice: candidate lines of an SDP fragment, the priority taken apart; errors name
 * the line. */
static void test_decode_cli(void)
{
    static const char sdp[] = "v=0\r\na=ice-ufrag:abcd\r\n"
                              "a=candidate:1 1 UDP 2130706431 10.0.1.1 8998 typ host\r\n"
                              "a=candidate:2 2 UDP 1694498814 192.0.2.3 45664 typ srflx raddr "
                              "10.0.1.1 rport 8999\r\n";
    char *argv[] = { "decode", "--x" };
    GString *out = g_string_new(NULL);
    GError *err = NULL;
    g_assert_cmpint(ice_decode((const uint8_t *)sdp, strlen(sdp), 1, argv, out, &err), ==, 0);
    g_assert_no_error(err);
    g_assert_nonnull(strstr(out->str, "2130706431 = 126 x 2^24 (type preference) + 65535 x 2^8"));
    g_assert_nonnull(strstr(out->str, "component 2 (RTCP)"));
    g_assert_nonnull(strstr(out->str, "related: 10.0.1.1 port 8999"));
    static const char bad[] = "candidate:1 1 UDP 1 10.0.0.1 9 typ host\ncandidate:1 1 UDP 1\n";
    g_assert_cmpint(ice_decode((const uint8_t *)bad, strlen(bad), 1, argv, out, &err), ==, -1);
    g_assert_nonnull(strstr(err->message, "line 2"));
    g_clear_error(&err);
    g_assert_cmpint(ice_decode((const uint8_t *)"v=0\n", 4, 1, argv, out, &err), ==, -1);
    g_clear_error(&err);
    g_assert_cmpint(ice_decode((const uint8_t *)sdp, strlen(sdp), 2, argv, out, &err), ==, -1);
    g_clear_error(&err);
    g_string_free(out, TRUE);
}

/* ---------------------------------------------------------------- foundations, redundancy */

static void test_foundations(void)
{
    sim_rng r;
    sim_rng_seed(&r, 1);
    ice_agent *a = new_agent(true, &r, 2);
    ice_cand c[8];
    g_assert_cmpint(add_local(a, ICE_CAND_HOST, "10.0.0.1:5000", "10.0.0.1:5000", 1, NULL, 1, &c[0]), ==, 0);
    g_assert_cmpint(add_local(a, ICE_CAND_HOST, "10.0.0.1:5002", "10.0.0.1:5002", 2, NULL, 2, &c[1]), ==, 1);
    g_assert_cmpint(add_local(a, ICE_CAND_SRFLX, "192.0.2.1:6000", "10.0.0.1:5000", 1, "198.51.100.9:3478", 1, &c[2]), ==, 2);
    g_assert_cmpint(add_local(a, ICE_CAND_SRFLX, "192.0.2.1:6002", "10.0.0.1:5002", 2, "198.51.100.9:3478", 2, &c[3]), ==, 3);
    g_assert_cmpint(add_local(a, ICE_CAND_SRFLX, "192.0.2.1:7000", "10.0.0.1:5000", 1, "198.51.100.10:3478", 1, &c[4]), ==, 4);
    g_assert_cmpint(add_local(a, ICE_CAND_RELAY, "198.51.100.9:50000", "198.51.100.9:50000", 3, "198.51.100.9:3478", 1, &c[5]), ==, 5);
    g_assert_cmpint(add_local(a, ICE_CAND_HOST, "10.0.0.2:5000", "10.0.0.2:5000", 4, NULL, 1, &c[6]), ==, 6);
    /* same type, base IP and server: same foundation (the port and component do not matter) */
    g_assert_cmpstr(c[0].foundation, ==, c[1].foundation);
    g_assert_cmpstr(c[2].foundation, ==, c[3].foundation);
    g_assert_cmpstr(c[2].foundation, !=, c[0].foundation);
    g_assert_cmpstr(c[4].foundation, !=, c[2].foundation); /* another STUN server */
    g_assert_cmpstr(c[5].foundation, !=, c[2].foundation); /* relay vs srflx, same server */
    g_assert_cmpstr(c[6].foundation, !=, c[0].foundation); /* another base IP */
    g_assert_cmpuint(c[0].priority, ==, ice_priority(126, 65407, 1));
    g_assert_cmpuint(c[1].priority, ==, ice_priority(126, 65407, 2));
    g_assert_cmpuint(c[5].priority, ==, ice_priority(0, 65407, 1));
    /* §5.1.3: a srflx equal to its host (no NAT) is redundant and dropped */
    g_assert_cmpint(add_local(a, ICE_CAND_SRFLX, "10.0.0.1:5000", "10.0.0.1:5000", 1, "198.51.100.9:3478", 1, NULL), ==, -EEXIST);
    g_assert_cmpint(add_local(a, ICE_CAND_HOST, "10.0.0.1:5000", "10.0.0.1:5000", 1, NULL, 1, NULL), ==, -EEXIST);
    g_assert_cmpuint(ice_agent_n_local(a), ==, 7);
    /* bad input */
    g_assert_cmpint(add_local(a, ICE_CAND_HOST, "10.0.0.3:1", "10.0.0.3:1", 5, NULL, 3, NULL), ==, -EINVAL);
    g_assert_cmpint(add_local(a, ICE_CAND_PRFLX, "10.0.0.3:1", "10.0.0.3:1", 5, NULL, 1, NULL), ==, -EINVAL);
    g_assert_cmpint(add_local(a, ICE_CAND_HOST, "10.0.0.3:1", "10.0.0.3:1", 5, NULL, 0, NULL), ==, -EINVAL);
    ice_agent_free(a);
}

/* ---------------------------------------------------------------- pairing, states, pacing */

static int count_state(const ice_agent *a, ice_pair_state st)
{
    int n = 0;
    for (size_t i = 0; i < ice_agent_n_pairs(a); i++)
        n += ice_agent_pair_at(a, i)->state == st;
    return n;
}

static void test_pairing(void)
{
    sim_rng r;
    sim_rng_seed(&r, 2);
    ice_agent *a = new_agent(true, &r, 2);
    add_local(a, ICE_CAND_HOST, "10.0.0.1:5000", "10.0.0.1:5000", 1, NULL, 1, NULL);
    add_local(a, ICE_CAND_HOST, "10.0.0.1:5002", "10.0.0.1:5002", 2, NULL, 2, NULL);
    add_local(a, ICE_CAND_HOST, "[2001:db8::1]:5000", "[2001:db8::1]:5000", 3, NULL, 1, NULL);
    add_local(a, ICE_CAND_SRFLX, "192.0.2.1:6000", "10.0.0.1:5000", 1, "198.51.100.9:3478", 1, NULL);
    g_assert_cmpuint(ice_agent_n_pairs(a), ==, 0);
    /* remote: comp 1 host v4, srflx v4, host v6; comp 2 host v4 */
    g_assert_cmpint(add_remote(a, ICE_CAND_HOST, "10.9.0.1:7000", 1, "1", 2130706431u), ==, 0);
    g_assert_cmpint(add_remote(a, ICE_CAND_SRFLX, "203.0.113.5:7000", 1, "2", 1694498815u), ==, 1);
    g_assert_cmpint(add_remote(a, ICE_CAND_HOST, "[2001:db8::9]:7000", 1, "3", 2130706431u), ==, 2);
    g_assert_cmpint(add_remote(a, ICE_CAND_HOST, "10.9.0.1:7002", 2, "1", 2130706430u), ==, 3);
    g_assert_cmpint(add_remote(a, ICE_CAND_HOST, "10.9.0.1:7002", 2, "1", 2130706430u), ==, -EEXIST);
    /* same component and family; the srflx local is pruned to its base (not paired):
     * v4 host x {host, srflx}, v6 host x v6 host, comp-2 host x comp-2 host */
    g_assert_cmpuint(ice_agent_n_pairs(a), ==, 4);
    uint64_t last = UINT64_MAX;
    for (size_t i = 0; i < 4; i++) {
        const ice_pair *p = ice_agent_pair_at(a, i);
        const ice_cand *l = ice_agent_local(a, p->local), *rc = ice_agent_remote(a, p->remote);
        g_assert_cmpuint(p->priority, <=, last);
        last = p->priority;
        g_assert_cmpuint(l->component, ==, rc->component);
        g_assert_cmpuint(l->addr.ip.family, ==, rc->addr.ip.family);
        g_assert_true(l->type == ICE_CAND_HOST);
        g_assert_cmpuint(p->priority, ==, ice_pair_priority(l->priority, rc->priority)); /* controlling: G local */
    }
    /* the v6 pair first (local pref 65535), then v4 host-host, then comp 2, then host-srflx */
    g_assert_cmpuint(ice_agent_local(a, ice_agent_pair_at(a, 0)->local)->addr.ip.family, ==, SIM_AF_INET6);
    g_assert_cmpuint(ice_agent_pair_at(a, 3)->remote, ==, 1);
    /* §6.1.2.6: foundations "1:1" (comp 1 and 2), "1:2", "3:3": the comp-1 pair of "1:1" is
     * Waiting, its comp-2 twin Frozen */
    g_assert_cmpint(count_state(a, ICE_PAIR_WAITING), ==, 3);
    g_assert_cmpint(count_state(a, ICE_PAIR_FROZEN), ==, 1);
    const ice_pair *f = ice_agent_pair_at(a, 2);
    g_assert_cmpuint(f->component, ==, 2);
    g_assert_cmpint(f->state, ==, ICE_PAIR_FROZEN);
    g_assert_cmpstr(f->foundation, ==, ice_agent_pair_at(a, 1)->foundation);
    ice_agent_free(a);
}

/* §6.1.2.5: the checklist keeps its max_pairs best pairs. */
static void test_pair_limit(void)
{
    sim_rng r;
    sim_rng_seed(&r, 12);
    ice_agent *a = ice_agent_new(&(ice_agent_cfg){ .controlling = true, .max_pairs = 3 }, &r);
    add_local(a, ICE_CAND_HOST, "10.0.0.1:5000", "10.0.0.1:5000", 1, NULL, 1, NULL);
    for (unsigned i = 0; i < 5; i++) {
        char addr[32], f[4];
        g_snprintf(addr, sizeof addr, "10.9.0.%u:7000", i + 1);
        g_snprintf(f, sizeof f, "%u", i + 1);
        add_remote(a, ICE_CAND_HOST, addr, 1, f, 1000u + (i % 2 ? 100u * i : i));
    }
    g_assert_cmpuint(ice_agent_n_pairs(a), ==, 3);
    /* remote priorities 1000, 1100, 1002, 1300, 1004: the kept ones are 1300, 1100, 1004 */
    g_assert_cmpuint(ice_agent_remote(a, ice_agent_pair_at(a, 0)->remote)->priority, ==, 1300);
    g_assert_cmpuint(ice_agent_remote(a, ice_agent_pair_at(a, 1)->remote)->priority, ==, 1100);
    g_assert_cmpuint(ice_agent_remote(a, ice_agent_pair_at(a, 2)->remote)->priority, ==, 1004);
    ice_agent_free(a);
}

/* Ta pacing: one check per Ta (50 ms), exactly, and nothing without remote credentials. Each
 * check is a Binding request with USERNAME rfrag:lfrag, PRIORITY (prflx), ICE-CONTROLLING and
 * the tie-breaker, MESSAGE-INTEGRITY with the remote password and FINGERPRINT. */
static void test_pacing(void)
{
    sim_rng r;
    ice_agent *a = host_agent(true, &r, 3, 7);
    add_three_remotes(a, "10.9.0", 2130706431u);
    g_assert_cmpint(count_state(a, ICE_PAIR_WAITING), ==, 3);
    g_assert_cmpuint(ice_agent_next_deadline(a), ==, SIM_TIME_NEVER); /* no credentials yet */
    ice_agent_timeout(a, 0);
    ice_out o;
    g_assert_false(ice_agent_pop(a, &o));
    g_assert_cmpint(ice_agent_set_remote(a, 0, "RFRAG", "remote-password-0123456789"), ==, 0);
    sim_time_t sent_at[3];
    int n = 0;
    for (sim_time_t t = 0; t <= 120 * SIM_MS; t += SIM_MS) {
        if (ice_agent_next_deadline(a) > t)
            continue;
        ice_agent_timeout(a, t);
        while (ice_agent_pop(a, &o)) {
            g_assert_cmpint(n, <, 3);
            sent_at[n] = t;
            char want[16];
            g_snprintf(want, sizeof want, "10.9.0.%d:7000", n + 1); /* checklist order */
            g_assert_true(sim_ep_eq(&o.to, &(sim_ep){ ep(want).ip, 7000 }));
            g_assert_cmpuint(o.sock, ==, 7);
            stun_msg m;
            g_assert_cmpint(stun_msg_decode(o.data, o.len, &m, NULL), ==, 0);
            g_assert_cmpint(m.cls, ==, STUN_REQUEST);
            char user[64];
            g_assert_cmpint(stun_msg_get_str(&m, STUN_ATTR_USERNAME, user, sizeof user), ==, 0);
            g_autofree char *want_user = g_strdup_printf("RFRAG:%s", ice_agent_ufrag(a));
            g_assert_cmpstr(user, ==, want_user);
            uint32_t prio;
            uint64_t tb;
            g_assert_cmpint(stun_msg_get_u32(&m, STUN_ATTR_PRIORITY, &prio), ==, 0);
            g_assert_cmpuint(prio, ==, ice_priority(110, 65407, 1));
            g_assert_cmpint(stun_msg_get_u64(&m, STUN_ATTR_ICE_CONTROLLING, &tb), ==, 0);
            g_assert_cmpuint(tb, ==, ice_agent_tiebreaker(a));
            g_assert_null(stun_msg_find(&m, STUN_ATTR_USE_CANDIDATE));
            const char *pw = "remote-password-0123456789";
            g_assert_cmpint(stun_msg_check_integrity(&m, (const uint8_t *)pw, strlen(pw)), ==, 0);
            g_assert_cmpint(stun_msg_check_fingerprint(&m), ==, 0);
            n++;
        }
    }
    g_assert_cmpint(n, ==, 3);
    g_assert_cmpuint(sent_at[0], ==, 0);
    g_assert_cmpuint(sent_at[1], ==, 50 * SIM_MS);
    g_assert_cmpuint(sent_at[2], ==, 100 * SIM_MS);
    g_assert_cmpint(count_state(a, ICE_PAIR_IN_PROGRESS), ==, 3);
    /* the first retransmission: RTO 500 ms after the first check */
    g_assert_cmpuint(ice_agent_next_deadline(a), ==, 500 * SIM_MS);
    /* no answer ever: all three fail after Rc transmissions + Rm x RTO (39.5 s each), and
     * with both sides' end-of-candidates the component fails */
    ice_agent_local_done(a, 0);
    ice_agent_remote_done(a, 0);
    sim_time_t t = 0;
    while ((t = ice_agent_next_deadline(a)) != SIM_TIME_NEVER) {
        ice_agent_timeout(a, t);
        while (ice_agent_pop(a, &o)) {}
    }
    g_assert_cmpint(count_state(a, ICE_PAIR_FAILED), ==, 3);
    ice_event ev;
    bool failed = false;
    while (ice_agent_pop_event(a, &ev))
        if (ev.kind == ICE_EV_FAILED) {
            failed = true;
            g_assert_cmpuint(ev.at, ==, 100 * SIM_MS + 39500 * SIM_MS);
        }
    g_assert_true(failed);
    g_assert_cmpint(ice_agent_send(a, t, 1, (const uint8_t *)"x", 1), ==, -ENOTCONN);
    ice_agent_free(a);
}

/* A response to the check in o, from `from`, mapping `mapped`, keyed with pwd. */
static size_t make_response(const ice_out *o, const char *mapped, const char *pwd, uint8_t *buf)
{
    stun_msg m;
    g_assert_cmpint(stun_msg_decode(o->data, o->len, &m, NULL), ==, 0);
    stun_enc e;
    stun_enc_init(&e, buf, STUN_MSG_MAX, STUN_BINDING, STUN_SUCCESS, m.txid);
    sim_ep ma = ep(mapped);
    stun_enc_addr(&e, STUN_ATTR_XOR_MAPPED_ADDRESS, &ma);
    stun_enc_integrity(&e, (const uint8_t *)pwd, strlen(pwd));
    stun_enc_fingerprint(&e);
    size_t n;
    g_assert_cmpint(stun_enc_finish(&e, &n), ==, 0);
    return n;
}

#define PEER_PWD "peer-password-0123456789"

/* Unfreezing: pairs sharing a foundation wait behind the one being checked; when it succeeds
 * (§7.2.5.3.3) the rest of its foundation becomes Waiting and goes at the next Ta. */
static void test_unfreeze(void)
{
    sim_rng r;
    sim_rng_seed(&r, 4);
    ice_agent *a = new_agent(false, &r, 2);
    add_local(a, ICE_CAND_HOST, "10.0.0.1:5000", "10.0.0.1:5000", 1, NULL, 1, NULL);
    add_local(a, ICE_CAND_HOST, "10.0.0.1:5002", "10.0.0.1:5002", 2, NULL, 2, NULL);
    add_remote(a, ICE_CAND_HOST, "10.9.0.1:7000", 1, "x", 2130706431u);
    add_remote(a, ICE_CAND_HOST, "10.9.0.1:7002", 2, "x", 2130706430u);
    g_assert_cmpint(count_state(a, ICE_PAIR_WAITING), ==, 1);
    g_assert_cmpint(count_state(a, ICE_PAIR_FROZEN), ==, 1);
    ice_agent_set_remote(a, 0, "peer", PEER_PWD);
    ice_agent_timeout(a, 0);
    ice_out o, o2;
    g_assert_true(ice_agent_pop(a, &o));
    g_assert_false(ice_agent_pop(a, &o2));
    /* the frozen comp-2 twin is not sent at Ta: only the retransmission is due */
    g_assert_cmpint(count_state(a, ICE_PAIR_FROZEN), ==, 1);
    g_assert_cmpuint(ice_agent_next_deadline(a), ==, 500 * SIM_MS);
    uint8_t buf[STUN_MSG_MAX];
    sim_ep from = ep("10.9.0.1:7000");
    /* a response keyed with the wrong password is ignored: the check goes on */
    size_t n = make_response(&o, "10.0.0.1:5000", "not-the-peer-password-x", buf);
    g_assert_cmpint(ice_agent_input(a, 20 * SIM_MS, 1, &from, buf, n), ==, -EPROTO);
    g_assert_cmpint(count_state(a, ICE_PAIR_IN_PROGRESS), ==, 1);
    n = make_response(&o, "10.0.0.1:5000", PEER_PWD, buf);
    g_assert_cmpint(ice_agent_input(a, 20 * SIM_MS, 1, &from, buf, n), ==, 0);
    g_assert_cmpint(count_state(a, ICE_PAIR_SUCCEEDED), ==, 1);
    g_assert_cmpint(count_state(a, ICE_PAIR_WAITING), ==, 1);
    g_assert_true(ice_agent_pair_at(a, 0)->valid);
    /* a replayed response is stray now */
    g_assert_cmpint(ice_agent_input(a, 21 * SIM_MS, 1, &from, buf, n), ==, -ENOENT);
    g_assert_cmpuint(ice_agent_next_deadline(a), ==, 50 * SIM_MS);
    ice_agent_timeout(a, 50 * SIM_MS);
    g_assert_true(ice_agent_pop(a, &o));
    g_assert_cmpuint(o.sock, ==, 2);
    g_assert_cmpint(count_state(a, ICE_PAIR_IN_PROGRESS), ==, 1);
    /* the controlled agent selects nothing without USE-CANDIDATE */
    g_assert_null(ice_agent_selected(a, 1));
    ice_agent_free(a);
}

/* §7.2.5.2.1: a response from another address fails the pair; §7.2.5.3.1: an unknown mapped
 * address is a peer-reflexive local candidate with the base of the checked one. */
static void test_response_rules(void)
{
    sim_rng r;
    ice_agent *a = host_agent(true, &r, 9, 1);
    add_remote(a, ICE_CAND_HOST, "10.9.0.1:7000", 1, "x", 2130706431u);
    add_remote(a, ICE_CAND_SRFLX, "203.0.113.9:7000", 1, "y", 1694498815u);
    ice_agent_set_remote(a, 0, "peer", PEER_PWD);
    ice_out o1, o2;
    ice_agent_timeout(a, 0);
    g_assert_true(ice_agent_pop(a, &o1));
    ice_agent_timeout(a, 50 * SIM_MS);
    g_assert_true(ice_agent_pop(a, &o2));
    uint8_t buf[STUN_MSG_MAX];
    sim_ep wrong = ep("10.9.0.2:7000"), from2 = ep("203.0.113.9:7000");
    size_t n = make_response(&o1, "10.0.0.1:5000", PEER_PWD, buf);
    g_assert_cmpint(ice_agent_input(a, 60 * SIM_MS, 1, &wrong, buf, n), ==, 0);
    g_assert_cmpint(ice_agent_pair_at(a, 0)->state, ==, ICE_PAIR_FAILED);
    n = make_response(&o2, "192.0.2.50:40000", PEER_PWD, buf);
    g_assert_cmpint(ice_agent_input(a, 70 * SIM_MS, 1, &from2, buf, n), ==, 0);
    g_assert_cmpuint(ice_agent_n_local(a), ==, 2);
    const ice_cand *px = ice_agent_local(a, 1);
    g_assert_cmpint(px->type, ==, ICE_CAND_PRFLX);
    g_assert_cmpuint(px->priority, ==, ice_priority(110, 65407, 1));
    g_assert_cmpuint(px->sock, ==, 1);
    g_assert_true(sim_ep_eq(&px->base, &ice_agent_local(a, 0)->base));
    ice_event ev;
    bool learned = false;
    while (ice_agent_pop_event(a, &ev))
        learned |= ev.kind == ICE_EV_LOCAL_PRFLX && ev.cand_idx == 1;
    g_assert_true(learned);
    /* the valid pair is (prflx, srflx); the checked pair (host, srflx) produced it */
    const ice_pair *v = NULL;
    for (size_t i = 0; i < ice_agent_n_pairs(a); i++)
        if (ice_agent_pair_at(a, i)->valid)
            v = ice_agent_pair_at(a, i);
    g_assert_nonnull(v);
    g_assert_cmpuint(v->local, ==, 1);
    g_assert_cmpuint(v->remote, ==, 1);
    g_assert_cmpuint(ice_agent_pair(a, v->gen_id)->local, ==, 0);
    /* nothing better pending: nominated at once with USE-CANDIDATE at the next Ta slot */
    g_assert_cmpuint(ice_agent_next_deadline(a), ==, 70 * SIM_MS);
    ice_agent_timeout(a, 70 * SIM_MS);
    g_assert_false(ice_agent_pop(a, &o1));
    g_assert_cmpuint(ice_agent_next_deadline(a), ==, 100 * SIM_MS);
    ice_agent_timeout(a, 100 * SIM_MS);
    g_assert_true(ice_agent_pop(a, &o1));
    stun_msg m;
    g_assert_cmpint(stun_msg_decode(o1.data, o1.len, &m, NULL), ==, 0);
    g_assert_nonnull(stun_msg_find(&m, STUN_ATTR_USE_CANDIDATE));
    n = make_response(&o1, "192.0.2.50:40000", PEER_PWD, buf);
    g_assert_cmpint(ice_agent_input(a, 120 * SIM_MS, 1, &from2, buf, n), ==, 0);
    const ice_pair *sel = ice_agent_selected(a, 1);
    g_assert_true(sel == v && sel->nominated);
    g_assert_cmpint(ice_agent_send(a, 120 * SIM_MS, 1, (const uint8_t *)"hello", 5), ==, 0);
    g_assert_true(ice_agent_pop(a, &o1));
    g_assert_true(o1.sock == 1 && sim_ep_eq(&o1.to, &from2) && o1.len == 5);
    ice_agent_free(a);
}

/* ---------------------------------------------------------------- incoming checks */

/* A check as a peer would send it to agent `a`, with knobs to break it. */
typedef struct chk {
    const char *user;      /* NULL: "<a's ufrag>:peer" */
    const char *pwd;       /* NULL: a's password; "" no MESSAGE-INTEGRITY */
    bool no_user, no_priority, no_role, use_cand;
    int role;              /* 1 controlling, 0 controlled */
    uint16_t extra;        /* an extra empty attribute of this type (0: none) */
    uint64_t tiebreaker;
} chk;

static size_t make_check(ice_agent *a, const chk *c, uint8_t *buf, uint8_t txid[12])
{
    for (int i = 0; i < 12; i++)
        txid[i] = (uint8_t)(0xa0 + i);
    char user[128];
    g_snprintf(user, sizeof user, "%s:peer", ice_agent_ufrag(a));
    stun_enc e;
    stun_enc_init(&e, buf, STUN_MSG_MAX, STUN_BINDING, STUN_REQUEST, txid);
    if (!c->no_user)
        stun_enc_str(&e, STUN_ATTR_USERNAME, c->user ? c->user : user);
    if (!c->no_priority)
        stun_enc_u32(&e, STUN_ATTR_PRIORITY, 1862270975u);
    if (!c->no_role)
        stun_enc_u64(&e, c->role ? STUN_ATTR_ICE_CONTROLLING : STUN_ATTR_ICE_CONTROLLED, c->tiebreaker);
    if (c->use_cand)
        stun_enc_attr(&e, STUN_ATTR_USE_CANDIDATE, NULL, 0);
    if (c->extra)
        stun_enc_attr(&e, c->extra, NULL, 0);
    const char *pw = c->pwd ? c->pwd : ice_agent_pwd(a);
    if (*pw)
        stun_enc_integrity(&e, (const uint8_t *)pw, strlen(pw));
    stun_enc_fingerprint(&e);
    size_t n;
    g_assert_cmpint(stun_enc_finish(&e, &n), ==, 0);
    return n;
}

/* Sends check c to a on socket 1 from 10.9.0.1:7000; returns the input's result and the
 * response code (0 success, -1 none) in *code. */
static int deliver_check(ice_agent *a, const chk *c, int *code, sim_ep *mapped)
{
    uint8_t buf[STUN_MSG_MAX], txid[12];
    size_t n = make_check(a, c, buf, txid);
    sim_ep from = ep("10.9.0.1:7000");
    int rc = ice_agent_input(a, 0, 1, &from, buf, n);
    ice_out o;
    *code = -1;
    while (ice_agent_pop(a, &o)) {
        stun_msg m;
        g_assert_cmpint(stun_msg_decode(o.data, o.len, &m, NULL), ==, 0);
        if (m.cls == STUN_REQUEST)
            continue; /* a triggered check */
        g_assert_true(memcmp(m.txid, txid, 12) == 0);
        g_assert_true(sim_ep_eq(&o.to, &from));
        g_assert_cmpint(stun_msg_check_fingerprint(&m), ==, 0);
        if (m.cls == STUN_SUCCESS) {
            *code = 0;
            const char *pw = ice_agent_pwd(a);
            g_assert_cmpint(stun_msg_check_integrity(&m, (const uint8_t *)pw, strlen(pw)), ==, 0);
            if (mapped)
                g_assert_cmpint(stun_msg_get_addr(&m, STUN_ATTR_XOR_MAPPED_ADDRESS, mapped), ==, 0);
        } else {
            uint16_t cd;
            g_assert_cmpint(stun_msg_get_error(&m, &cd, NULL, 0), ==, 0);
            *code = cd;
            /* only an authenticated request gets an authenticated error */
            bool mi = stun_msg_find(&m, STUN_ATTR_MESSAGE_INTEGRITY) != NULL;
            g_assert_cmpint(mi, ==, cd != 400 && cd != 401 ? 1 : mi);
            if (cd == 401)
                g_assert_false(mi);
        }
    }
    return rc;
}

static ice_agent *checked_agent(bool controlling, sim_rng *r)
{
    ice_agent *a = new_agent(controlling, r, 1);
    add_local(a, ICE_CAND_HOST, "10.0.0.1:5000", "10.0.0.1:5000", 1, NULL, 1, NULL);
    ice_agent_set_remote(a, 0, "peer", PEER_PWD);
    return a;
}

/* Triggered checks cannot starve ordinary ones: a check from a new address arrives before every
 * Ta tick (as when two APDM NATs chase each other's new mappings), each making a peer-reflexive
 * candidate and a triggered check; the three signalled pairs must still be checked, at most
 * ICE_TRIGGERED_BURST (2) triggered checks in a row. (Strict §6.1.4.2 would send only
 * triggered checks here: "TTTTTTTTT".) */
static void test_triggered_fairness(void)
{
    sim_rng r;
    ice_agent *a = host_agent(false, &r, 9, 1);
    add_three_remotes(a, "10.9.1", 1000u);
    g_assert_cmpint(ice_agent_set_remote(a, 0, "peer", PEER_PWD), ==, 0);
    GString *seq = g_string_new(NULL);
    chk c = { .role = 1, .tiebreaker = 1 };
    for (sim_time_t t = 0; t < 450 * SIM_MS; t += SIM_MS) {
        if (t % (50 * SIM_MS) == 0) {
            uint8_t buf[STUN_MSG_MAX], txid[12];
            size_t n = make_check(a, &c, buf, txid);
            char src[32];
            g_snprintf(src, sizeof src, "10.8.0.%d:7000", (int)(t / (50 * SIM_MS)) + 1);
            sim_ep from = ep(src);
            g_assert_cmpint(ice_agent_input(a, t, 1, &from, buf, n), ==, 0);
        }
        if (ice_agent_next_deadline(a) <= t)
            ice_agent_timeout(a, t);
        ice_out o;
        while (ice_agent_pop(a, &o)) {
            stun_msg m;
            g_assert_cmpint(stun_msg_decode(o.data, o.len, &m, NULL), ==, 0);
            if (m.cls == STUN_REQUEST)
                g_string_append_c(seq, o.to.ip.b[1] == 8 ? 'T' : 'O');
        }
    }
    g_test_message("checks: %s", seq->str);
    g_assert_cmpuint(seq->len, ==, 9); /* one per Ta, no retransmission before 500 ms */
    g_assert_null(strstr(seq->str, "TTT"));
    unsigned ordinary = 0;
    for (size_t i = 0; i < seq->len; i++)
        ordinary += seq->str[i] == 'O';
    g_assert_cmpuint(ordinary, ==, 3);
    g_assert_cmpuint(ice_agent_get_stats(a)->triggered, ==, 9);
    g_string_free(seq, TRUE);
    ice_agent_free(a);
}

static void test_bad_credentials(void)
{
    sim_rng r;
    sim_rng_seed(&r, 5);
    ice_agent *a = checked_agent(false, &r);
    int code;
    sim_ep mapped;
    g_assert_cmpint(deliver_check(a, &(chk){ .role = 1, .tiebreaker = 1 }, &code, &mapped), ==, 0);
    g_assert_cmpint(code, ==, 0);
    g_assert_true(sim_ep_eq(&mapped, &(sim_ep){ ep("10.9.0.1:7000").ip, 7000 }));
    g_assert_cmpint(deliver_check(a, &(chk){ .role = 1, .user = "nobody:peer" }, &code, NULL), ==, -EACCES);
    g_assert_cmpint(code, ==, 401); /* unknown ufrag */
    g_assert_cmpint(deliver_check(a, &(chk){ .role = 1, .user = "nocolon" }, &code, NULL), ==, -EACCES);
    g_assert_cmpint(code, ==, 401);
    g_assert_cmpint(deliver_check(a, &(chk){ .role = 1, .pwd = "wrong-password-012345678" }, &code, NULL), ==, -EACCES);
    g_assert_cmpint(code, ==, 401);
    g_assert_cmpint(deliver_check(a, &(chk){ .role = 1, .pwd = "" }, &code, NULL), ==, -EACCES);
    g_assert_cmpint(code, ==, 400); /* no MESSAGE-INTEGRITY */
    g_assert_cmpint(deliver_check(a, &(chk){ .role = 1, .no_user = true }, &code, NULL), ==, -EACCES);
    g_assert_cmpint(code, ==, 400);
    g_assert_cmpint(deliver_check(a, &(chk){ .role = 1, .no_priority = true }, &code, NULL), ==, -EPROTO);
    g_assert_cmpint(code, ==, 400);
    g_assert_cmpint(deliver_check(a, &(chk){ .no_role = true }, &code, NULL), ==, -EPROTO);
    g_assert_cmpint(code, ==, 400);
    g_assert_cmpint(deliver_check(a, &(chk){ .role = 1, .extra = 0x0077 }, &code, NULL), ==, -EPROTO);
    g_assert_cmpint(code, ==, 420); /* unknown comprehension-required attribute */
    g_assert_cmpint(deliver_check(a, &(chk){ .role = 1, .extra = 0xC077 }, &code, NULL), ==, 0);
    g_assert_cmpint(code, ==, 0);   /* comprehension-optional: ignored */
    /* only the good checks created a (peer-reflexive) remote candidate, the same one */
    g_assert_cmpuint(ice_agent_n_remote(a), ==, 1);
    g_assert_cmpint(ice_agent_remote(a, 0)->type, ==, ICE_CAND_PRFLX);
    g_assert_cmpuint(ice_agent_remote(a, 0)->priority, ==, 1862270975u);
    ice_agent_free(a);
}

/* §7.3.1.1 both ways. Controlling receives ICE-CONTROLLING: with our tie-breaker >= theirs we
 * answer 487, else we become controlled. Controlled receives ICE-CONTROLLED: with ours >=
 * theirs we become controlling, else 487. */
static void test_role_conflict(void)
{
    sim_rng r;
    sim_rng_seed(&r, 6);
    int code;
    ice_event ev;
    for (int controlling = 0; controlling <= 1; controlling++) {
        ice_agent *a = checked_agent(controlling, &r);
        /* theirs 0: ours wins */
        g_assert_cmpint(deliver_check(a, &(chk){ .role = controlling, .tiebreaker = 0 }, &code, NULL), ==,
                        controlling ? -EPROTO : 0);
        g_assert_cmpint(code, ==, controlling ? 487 : 0);
        g_assert_cmpint(ice_agent_controlling(a), ==, 1); /* kept, or switched to controlling */
        ice_agent_free(a);
        a = checked_agent(controlling, &r);
        /* theirs all ones: theirs wins */
        g_assert_cmpint(deliver_check(a, &(chk){ .role = controlling, .tiebreaker = UINT64_MAX }, &code, NULL),
                        ==, controlling ? 0 : -EPROTO);
        g_assert_cmpint(code, ==, controlling ? 0 : 487);
        g_assert_cmpint(ice_agent_controlling(a), ==, 0);
        bool switched = false;
        while (ice_agent_pop_event(a, &ev))
            switched |= ev.kind == ICE_EV_ROLE;
        g_assert_cmpint(switched, ==, controlling);
        /* no conflict: the other role is answered normally */
        g_assert_cmpint(deliver_check(a, &(chk){ .role = 1, .tiebreaker = 0 }, &code, NULL), ==, 0);
        g_assert_cmpint(code, ==, 0);
        ice_agent_free(a);
    }
}

/* Garbage, truncations and random mutations of a valid check never crash and never get a
 * success response for a message that fails integrity. */
static void test_malformed(void)
{
    sim_rng r, fz;
    sim_rng_seed(&r, 7);
    sim_rng_seed(&fz, 8);
    ice_agent *a = checked_agent(false, &r);
    uint8_t good[STUN_MSG_MAX], txid[12], buf[STUN_MSG_MAX];
    size_t n = make_check(a, &(chk){ .role = 1, .tiebreaker = 1 }, good, txid);
    sim_ep from = ep("10.9.0.1:7000");
    g_assert_cmpint(ice_agent_input(a, 0, 1, &from, good, 19), <, 0); /* not STUN: data, unknown */
    g_assert_cmpint(ice_agent_input(a, 0, 1, &from, good, 0), ==, -ENOENT);
    memcpy(buf, good, n);
    buf[3] = (uint8_t)(buf[3] + 4); /* length field beyond the datagram */
    g_assert_cmpint(ice_agent_input(a, 0, 1, &from, buf, n), <, 0);
    memcpy(buf, good, n);
    buf[n - 1] ^= 1; /* FINGERPRINT wrong: dropped silently */
    g_assert_cmpint(ice_agent_input(a, 0, 1, &from, buf, n), ==, -EBADMSG);
    ice_out o;
    g_assert_false(ice_agent_pop(a, &o));
    /* unknown socket */
    g_assert_cmpint(ice_agent_input(a, 0, 99, &from, good, n), ==, -ENOENT);
    g_assert_false(ice_agent_pop(a, &o));
    for (int i = 0; i < 3000; i++) {
        memcpy(buf, good, n);
        size_t len = n;
        int k = (int)sim_rng_below(&fz, 4) + 1;
        for (int j = 0; j < k; j++)
            buf[sim_rng_below(&fz, (uint32_t)n)] ^= (uint8_t)(1 + sim_rng_below(&fz, 255));
        if (sim_rng_below(&fz, 4) == 0)
            len = sim_rng_below(&fz, (uint32_t)n);
        ice_agent_input(a, 0, 1, &from, buf, len);
        while (ice_agent_pop(a, &o)) {
            stun_msg m;
            if (stun_msg_decode(o.data, o.len, &m, NULL) == 0 && m.cls == STUN_SUCCESS)
                g_assert_true(len == n); /* only an intact message can be answered 200 */
        }
        ice_agent_timeout(a, 0);
    }
    ice_agent_free(a);
}

/* No pair can ever form (IPv6 here, IPv4 there): once both sides end gathering the component
 * fails at once, without any timer. */
static void test_no_pairs_fail(void)
{
    sim_rng r;
    sim_rng_seed(&r, 11);
    ice_agent *a = new_agent(true, &r, 1);
    add_local(a, ICE_CAND_HOST, "[2001:db8::1]:5000", "[2001:db8::1]:5000", 1, NULL, 1, NULL);
    add_remote(a, ICE_CAND_HOST, "10.9.0.1:7000", 1, "1", 2130706431u);
    ice_agent_set_remote(a, 0, "peer", PEER_PWD);
    g_assert_cmpuint(ice_agent_n_pairs(a), ==, 0);
    ice_agent_local_done(a, 5 * SIM_MS);
    ice_event ev;
    g_assert_false(ice_agent_pop_event(a, &ev)); /* the peer may still trickle */
    ice_agent_remote_done(a, 7 * SIM_MS);
    g_assert_true(ice_agent_pop_event(a, &ev));
    g_assert_cmpint(ev.kind, ==, ICE_EV_FAILED);
    g_assert_cmpuint(ev.at, ==, 7 * SIM_MS);
    g_assert_cmpuint(ice_agent_next_deadline(a), ==, SIM_TIME_NEVER);
    ice_agent_free(a);
}

/* A check computed in Python (tests/fuzz/gen_ice_corpus.py: hmac, hashlib, zlib), not by
 * this code: USERNAME "fuzz:peer", PRIORITY 1862270975, ICE-CONTROLLING 0x0102030405060708,
 * USE-CANDIDATE, MESSAGE-INTEGRITY keyed "fuzzpasswordfuzzpassword", FINGERPRINT. */
static void test_python_vector(void)
{
    static const char hex[] =
        "000100482112a4423132333435363738393a3b3c0006000966757a7a3a70656572000000002400046effffff"
        "802a00080102030405060708002500000008001442a19ade3682ab82cace0623af210f1585a35779802800"
        "04df34c6f1";
    uint8_t v[sizeof hex / 2];
    for (size_t i = 0; i < sizeof v; i++)
        v[i] = (uint8_t)g_ascii_strtoull((char[]){ hex[2 * i], hex[2 * i + 1], 0 }, NULL, 16);
    sim_rng r;
    sim_rng_seed(&r, 10);
    ice_agent_cfg cfg = { .ufrag = "fuzz", .pwd = "fuzzpasswordfuzzpassword" };
    ice_agent *a = ice_agent_new(&cfg, &r);
    add_local(a, ICE_CAND_HOST, "10.0.0.1:5000", "10.0.0.1:5000", 1, NULL, 1, NULL);
    sim_ep from = ep("10.9.0.1:7000");
    g_assert_cmpint(ice_agent_input(a, 0, 1, &from, v, sizeof v), ==, 0);
    ice_out o;
    g_assert_true(ice_agent_pop(a, &o));
    stun_msg m;
    sim_ep mapped;
    g_assert_cmpint(stun_msg_decode(o.data, o.len, &m, NULL), ==, 0);
    g_assert_cmpint(m.cls, ==, STUN_SUCCESS);
    g_assert_true(memcmp(m.txid, v + 8, 12) == 0);
    g_assert_cmpint(stun_msg_get_addr(&m, STUN_ATTR_XOR_MAPPED_ADDRESS, &mapped), ==, 0);
    g_assert_true(sim_ep_eq(&mapped, &from));
    g_assert_cmpint(stun_msg_check_integrity(&m, (const uint8_t *)"fuzzpasswordfuzzpassword", 24), ==, 0);
    g_assert_cmpuint(ice_agent_remote(a, 0)->priority, ==, 1862270975u);
    g_assert_true(ice_agent_pair_at(a, 0)->remote_nominated);
    g_assert_false(ice_agent_controlling(a));
    /* one bit of the HMAC flipped: the FINGERPRINT no longer matches, dropped silently */
    v[sizeof v - 9 - 4] ^= 1;
    g_assert_cmpint(ice_agent_input(a, 0, 1, &from, v, sizeof v), ==, -EBADMSG); /* FINGERPRINT */
    ice_agent_free(a);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ice/priority/candidate", test_priority);
    g_test_add_func("/ice/priority/pair", test_pair_priority);
    g_test_add_func("/ice/cand/lines", test_cand_lines);
    g_test_add_func("/ice/cand/decode-cli", test_decode_cli);
    g_test_add_func("/ice/cand/foundations-redundancy", test_foundations);
    g_test_add_func("/ice/check/pairing-order-initial-states", test_pairing);
    g_test_add_func("/ice/check/pair-limit", test_pair_limit);
    g_test_add_func("/ice/check/ta-pacing-and-failure", test_pacing);
    g_test_add_func("/ice/check/unfreeze", test_unfreeze);
    g_test_add_func("/ice/check/response-symmetric-prflx-nominate", test_response_rules);
    g_test_add_func("/ice/check/no-pairs-fail", test_no_pairs_fail);
    g_test_add_func("/ice/check/triggered-fairness", test_triggered_fairness);
    g_test_add_func("/ice/stun/400-401-420-bad-checks", test_bad_credentials);
    g_test_add_func("/ice/stun/487-role-conflict", test_role_conflict);
    g_test_add_func("/ice/stun/malformed", test_malformed);
    g_test_add_func("/ice/stun/python-vector", test_python_vector);
    return g_test_run();
}
