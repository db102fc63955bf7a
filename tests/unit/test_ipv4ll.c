/* tests/unit/test_ipv4ll.c — the RFC 3927 core in virtual time: the probe / announce timeline
 * exactly as the rng draws it, conflicts while probing (another host's ARP, another host's
 * probe), rate limiting after MAX_CONFLICTS, defence and giving up, DHCP taking over, and two
 * cores on one simulated ARP wire that want the same address. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/zeroconf/ipv4ll.h"

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };

typedef struct act {
    sim_time_t t;
    ipv4ll_action_kind kind;
    uint32_t addr;
} act;

/* Runs c's timer to `end`, appending every action (with its time) to log. */
static void run(ipv4ll *c, sim_time_t *now, sim_time_t end, GArray *log)
{
    for (;;) {
        ipv4ll_action a;
        while (ipv4ll_pop(c, &a)) {
            act x = { *now, a.kind, a.addr };
            g_array_append_val(log, x);
        }
        sim_time_t t = ipv4ll_next_deadline(c);
        if (t > end)
            break;
        *now = t;
        ipv4ll_timeout(c, t);
    }
    *now = end;
}

static ipv4ll_arp arp_from(const uint8_t mac[6], uint16_t op, uint32_t sip, uint32_t tip)
{
    ipv4ll_arp a = { .op = op, .sender_ip = sip, .target_ip = tip };
    memcpy(a.sender_mac, mac, 6);
    return a;
}

/* Probes at w, w + g1, w + g1 + g2 with w in [0, 1 s] and g in [1 s, 2 s] exactly as a twin rng
 * draws them; configure and the first announcement 2 s after the last probe; the second
 * announcement 2 s later; the address in 169.254.1.0-169.254.254.255. */
static void test_timeline(void)
{
    for (uint64_t seed = 1; seed <= 20; seed++) {
        sim_rng r, twin;
        sim_rng_seed(&r, seed);
        sim_rng_seed(&twin, seed);
        ipv4ll_cfg cfg = { 0 };
        memcpy(cfg.mac, mac_a, 6);
        ipv4ll *c = ipv4ll_new(&cfg, &r);
        GArray *log = g_array_new(FALSE, TRUE, sizeof(act));
        sim_time_t now = 0;
        g_assert_cmpint(ipv4ll_start(c, 0), ==, 0);
        g_assert_cmpint(ipv4ll_start(c, 0), ==, -EALREADY);
        run(c, &now, 30 * SIM_SEC, log);
        uint32_t want_addr = IPV4LL_FIRST + sim_rng_below(&twin, 65024);
        sim_time_t t = sim_rng_below(&twin, 1000000001);
        g_assert_cmpuint(t, <=, IPV4LL_PROBE_WAIT);
        g_assert_cmpuint(log->len, ==, 6);
        for (guint i = 0; i < 3; i++) {
            act *a = &g_array_index(log, act, i);
            g_assert_cmpint(a->kind, ==, IPV4LL_ACT_PROBE);
            g_assert_cmphex(a->addr, ==, want_addr);
            g_assert_cmpuint(a->t, ==, t);
            if (i < 2) {
                sim_time_t gap = SIM_SEC + sim_rng_below(&twin, 1000000001);
                g_assert_cmpuint(gap, >=, IPV4LL_PROBE_MIN);
                g_assert_cmpuint(gap, <=, IPV4LL_PROBE_MAX);
                t += gap;
            }
        }
        t += IPV4LL_ANNOUNCE_WAIT;
        act *a = &g_array_index(log, act, 3);
        g_assert_cmpint(a->kind, ==, IPV4LL_ACT_CONFIGURE);
        g_assert_cmpuint(a->t, ==, t);
        a = &g_array_index(log, act, 4);
        g_assert_cmpint(a->kind, ==, IPV4LL_ACT_ANNOUNCE);
        g_assert_cmpuint(a->t, ==, t);
        a = &g_array_index(log, act, 5);
        g_assert_cmpint(a->kind, ==, IPV4LL_ACT_ANNOUNCE);
        g_assert_cmpuint(a->t, ==, t + IPV4LL_ANNOUNCE_INTERVAL);
        g_assert_cmpint(ipv4ll_get_state(c), ==, IPV4LL_BOUND);
        g_assert_cmphex(ipv4ll_addr(c), >=, IPV4LL_FIRST);
        g_assert_cmphex(ipv4ll_addr(c), <=, IPV4LL_LAST);
        g_assert_cmpuint(ipv4ll_next_deadline(c), ==, SIM_TIME_NEVER);
        g_assert_cmpuint(ipv4ll_get_stats(c)->claims, ==, 1);
        g_array_free(log, TRUE);
        ipv4ll_free(c);
    }
}

static ipv4ll *make(const uint8_t mac[6], uint32_t first, sim_rng *r, uint64_t seed)
{
    sim_rng_seed(r, seed);
    ipv4ll_cfg cfg = { .first_addr = first };
    memcpy(cfg.mac, mac, 6);
    return ipv4ll_new(&cfg, r);
}

/* While probing: an ARP reply from another host with sender IP = candidate, or another host's
 * probe for the candidate, is a conflict: a new candidate and a new PROBE_WAIT; our own probe
 * echoed back and unrelated ARP are not. */
static void test_conflict_probing(void)
{
    sim_rng r;
    const uint32_t cand = 0xA9FE0A0A; /* 169.254.10.10 */
    ipv4ll *c = make(mac_a, cand, &r, 3);
    GArray *log = g_array_new(FALSE, TRUE, sizeof(act));
    sim_time_t now = 0;
    ipv4ll_start(c, 0);
    run(c, &now, 1500 * SIM_MS, log);
    g_assert_cmpint(ipv4ll_get_state(c), ==, IPV4LL_PROBING);
    ipv4ll_arp own = arp_from(mac_a, IPV4LL_ARP_REQUEST, 0, cand);
    g_assert_cmpint(ipv4ll_input(c, now, &own), ==, -ENOENT);
    ipv4ll_arp unrelated = arp_from(mac_b, IPV4LL_ARP_REQUEST, 0xA9FE0101, 0xA9FE0102);
    g_assert_cmpint(ipv4ll_input(c, now, &unrelated), ==, -ENOENT);
    ipv4ll_arp reply = arp_from(mac_b, IPV4LL_ARP_REPLY, cand, 0);
    g_assert_cmpint(ipv4ll_input(c, now, &reply), ==, 0);
    ipv4ll_action a;
    g_assert_true(ipv4ll_pop(c, &a));
    g_assert_cmpint(a.kind, ==, IPV4LL_ACT_CONFLICT);
    g_assert_cmphex(a.addr, ==, cand);
    g_assert_false(ipv4ll_pop(c, &a)); /* nothing was configured: nothing to remove */
    uint32_t second = ipv4ll_addr(c);
    g_assert_cmphex(second, !=, cand);
    g_assert_cmpint(ipv4ll_get_state(c), ==, IPV4LL_WAITING);
    g_assert_cmpuint(ipv4ll_next_deadline(c), <=, now + IPV4LL_PROBE_WAIT);
    ipv4ll_arp probe = arp_from(mac_b, IPV4LL_ARP_REQUEST, 0, second);
    g_assert_cmpint(ipv4ll_input(c, now, &probe), ==, 0);
    g_assert_cmphex(ipv4ll_addr(c), !=, second);
    g_assert_cmpuint(ipv4ll_conflicts(c), ==, 2);
    run(c, &now, now + 30 * SIM_SEC, log);
    g_assert_cmpint(ipv4ll_get_state(c), ==, IPV4LL_BOUND);
    g_assert_cmpuint(ipv4ll_conflicts(c), ==, 0); /* reset by the claim */
    g_assert_cmpuint(ipv4ll_get_stats(c)->conflicts, ==, 2);
    g_array_free(log, TRUE);
    ipv4ll_free(c);
}

/* Ten conflicts in a row: the tenth new candidate is probed RATE_LIMIT_INTERVAL (60 s) after
 * the conflict, and so is every one after it until a claim. */
static void test_rate_limit(void)
{
    sim_rng r;
    ipv4ll *c = make(mac_a, 0, &r, 4);
    sim_time_t now = 0;
    ipv4ll_start(c, 0);
    for (unsigned i = 1; i <= 11; i++) {
        g_assert_cmpint(ipv4ll_get_state(c), ==, IPV4LL_WAITING);
        now = ipv4ll_next_deadline(c);
        ipv4ll_timeout(c, now); /* first probe */
        ipv4ll_arp hit = arp_from(mac_b, IPV4LL_ARP_REPLY, ipv4ll_addr(c), 0);
        g_assert_cmpint(ipv4ll_input(c, now, &hit), ==, 0);
        g_assert_cmpuint(ipv4ll_conflicts(c), ==, i);
        if (i < IPV4LL_MAX_CONFLICTS)
            g_assert_cmpuint(ipv4ll_next_deadline(c), <=, now + IPV4LL_PROBE_WAIT);
        else
            g_assert_cmpuint(ipv4ll_next_deadline(c), ==, now + IPV4LL_RATE_LIMIT_INTERVAL);
    }
    g_assert_cmpuint(ipv4ll_get_stats(c)->rate_limited, ==, 2);
    ipv4ll_action a;
    while (ipv4ll_pop(c, &a))
        ;
    ipv4ll_free(c);
}

/* Claimed address hit by another host's ARP: defended once with an announcement; a second hit
 * 5 s later (within DEFEND_INTERVAL) gives the address up; a hit 11 s after a defence is
 * defended again. */
static void test_defend(void)
{
    sim_rng r;
    const uint32_t addr = 0xA9FE2020;
    ipv4ll *c = make(mac_a, addr, &r, 5);
    GArray *log = g_array_new(FALSE, TRUE, sizeof(act));
    sim_time_t now = 0;
    ipv4ll_start(c, 0);
    run(c, &now, 20 * SIM_SEC, log);
    g_assert_cmpint(ipv4ll_get_state(c), ==, IPV4LL_BOUND);
    ipv4ll_arp probe = arp_from(mac_b, IPV4LL_ARP_REQUEST, 0, addr);
    g_assert_cmpint(ipv4ll_input(c, now, &probe), ==, -ENOENT); /* the stack answers it */
    ipv4ll_arp hit = arp_from(mac_b, IPV4LL_ARP_REQUEST, addr, addr);
    g_assert_cmpint(ipv4ll_input(c, now, &hit), ==, 0);
    ipv4ll_action a;
    g_assert_true(ipv4ll_pop(c, &a));
    g_assert_cmpint(a.kind, ==, IPV4LL_ACT_ANNOUNCE);
    g_assert_false(ipv4ll_pop(c, &a));
    now += 11 * SIM_SEC;
    g_assert_cmpint(ipv4ll_input(c, now, &hit), ==, 0);
    g_assert_true(ipv4ll_pop(c, &a));
    g_assert_cmpint(a.kind, ==, IPV4LL_ACT_ANNOUNCE);
    g_assert_cmpuint(ipv4ll_get_stats(c)->defences, ==, 2);
    now += 5 * SIM_SEC;
    g_assert_cmpint(ipv4ll_input(c, now, &hit), ==, 0);
    g_assert_true(ipv4ll_pop(c, &a));
    g_assert_cmpint(a.kind, ==, IPV4LL_ACT_CONFLICT);
    g_assert_true(ipv4ll_pop(c, &a));
    g_assert_cmpint(a.kind, ==, IPV4LL_ACT_UNCONFIGURE);
    g_assert_cmphex(a.addr, ==, addr);
    g_assert_cmpint(ipv4ll_get_state(c), ==, IPV4LL_WAITING);
    g_assert_cmphex(ipv4ll_addr(c), !=, addr);
    g_array_free(log, TRUE);
    ipv4ll_free(c);
}

/* DHCP bound: a claimed link-local address is removed and the core stops; while still probing
 * nothing is removed. */
static void test_dhcp_bound(void)
{
    sim_rng r;
    ipv4ll *c = make(mac_a, 0, &r, 6);
    GArray *log = g_array_new(FALSE, TRUE, sizeof(act));
    sim_time_t now = 0;
    ipv4ll_start(c, 0);
    run(c, &now, 20 * SIM_SEC, log);
    uint32_t addr = ipv4ll_addr(c);
    ipv4ll_dhcp_bound(c, now);
    ipv4ll_action a;
    g_assert_true(ipv4ll_pop(c, &a));
    g_assert_cmpint(a.kind, ==, IPV4LL_ACT_UNCONFIGURE);
    g_assert_cmphex(a.addr, ==, addr);
    g_assert_cmpint(ipv4ll_get_state(c), ==, IPV4LL_STOPPED);
    g_assert_cmpuint(ipv4ll_next_deadline(c), ==, SIM_TIME_NEVER);
    ipv4ll_arp hit = arp_from(mac_b, IPV4LL_ARP_REQUEST, addr, addr);
    g_assert_cmpint(ipv4ll_input(c, now, &hit), ==, -ENOENT);
    g_assert_cmpint(ipv4ll_start(c, now), ==, 0);
    ipv4ll_timeout(c, ipv4ll_next_deadline(c));
    ipv4ll_dhcp_bound(c, now);
    while (ipv4ll_pop(c, &a))
        g_assert_cmpint(a.kind, !=, IPV4LL_ACT_UNCONFIGURE);
    ipv4ll_dhcp_bound(NULL, now);
    g_array_free(log, TRUE);
    ipv4ll_free(c);
}

/* Two hosts forced onto one address on a shared ARP wire: A claims it first; B starts later,
 * its probe makes A's stack answer (an ARP reply from A), B picks again and claims another
 * address; A keeps its own. */
static void test_two_hosts(void)
{
    const uint32_t same = 0xA9FE0505;
    sim_rng ra, rb;
    ipv4ll *a = make(mac_a, same, &ra, 7), *b = make(mac_b, same, &rb, 8);
    ipv4ll *hosts[2] = { a, b };
    const uint8_t *macs[2] = { mac_a, mac_b };
    uint32_t configured[2] = { 0, 0 };
    ipv4ll_start(a, 0);
    ipv4ll_start(b, 10 * SIM_SEC);
    sim_time_t now = 0;
    while (now < 60 * SIM_SEC) {
        sim_time_t t = MIN(ipv4ll_next_deadline(a), ipv4ll_next_deadline(b));
        if (t > 60 * SIM_SEC)
            break;
        now = t;
        ipv4ll_timeout(a, now);
        ipv4ll_timeout(b, now);
        for (int i = 0; i < 2; i++) {
            ipv4ll_action x;
            while (ipv4ll_pop(hosts[i], &x)) {
                if (x.kind == IPV4LL_ACT_CONFIGURE)
                    configured[i] = x.addr;
                if (x.kind == IPV4LL_ACT_UNCONFIGURE)
                    configured[i] = 0;
                if (x.kind != IPV4LL_ACT_PROBE && x.kind != IPV4LL_ACT_ANNOUNCE)
                    continue;
                bool probe = x.kind == IPV4LL_ACT_PROBE;
                ipv4ll_arp p = arp_from(macs[i], IPV4LL_ARP_REQUEST, probe ? 0 : x.addr, x.addr);
                ipv4ll_input(hosts[1 - i], now, &p);
                /* The other host's stack answers a probe for an address it has. */
                if (probe && configured[1 - i] == x.addr) {
                    ipv4ll_arp r = arp_from(macs[1 - i], IPV4LL_ARP_REPLY, x.addr, 0);
                    ipv4ll_input(hosts[i], now, &r);
                }
            }
        }
    }
    g_assert_cmphex(configured[0], ==, same);
    g_assert_cmphex(configured[1], !=, 0);
    g_assert_cmphex(configured[1], !=, same);
    g_assert_cmpuint(ipv4ll_get_stats(b)->conflicts, ==, 1);
    g_assert_cmpuint(ipv4ll_get_stats(a)->conflicts, ==, 0);
    g_assert_cmpuint(ipv4ll_get_stats(a)->defences, ==, 0);
    ipv4ll_free(a);
    ipv4ll_free(b);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ipv4ll/timeline-exact", test_timeline);
    g_test_add_func("/ipv4ll/conflict-probing", test_conflict_probing);
    g_test_add_func("/ipv4ll/rate-limit", test_rate_limit);
    g_test_add_func("/ipv4ll/defend", test_defend);
    g_test_add_func("/ipv4ll/dhcp-bound", test_dhcp_bound);
    g_test_add_func("/ipv4ll/two-hosts-same-address", test_two_hosts);
    return g_test_run();
}
