/* tests/unit/test_dhcp_core.c — the DHCP client and server cores wired back to back in virtual
 * time, no simulator: DORA, renewal at T1, rebinding at T2 and expiry when the server is
 * silent, NAK, DECLINE after an ARP conflict, release, the exact retransmission schedule, and
 * the server's own rules (exhaustion, offer hold, expiry, other server chosen, INFORM, relay). */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/dhcp/dhcp.h"

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))
#define SRV IP(192, 168, 1, 1)

static const uint8_t mac1[6] = { 0x02, 0, 0, 0, 0, 0x01 };

/* One thing the client did, for the schedule assertions. */
typedef struct ev {
    sim_time_t t;
    int kind;      /* dhcp_action_kind */
    int type;      /* DHCP message type for SEND */
    uint32_t src, dst, addr, ciaddr, requested, server;
    uint16_t secs, flags;
} ev;

typedef struct net {
    dhcp_server *s;
    dhcp_client *c;
    sim_rng rng;
    sim_time_t now;
    bool server_down;      /* the server hears nothing */
    bool drop_requests;    /* the server hears no REQUEST */
    bool conflict;         /* answer every PROBE with a conflict */
    GArray *evs;
    dhcp_lease configured; /* the last CONFIGURE */
    uint32_t addr;         /* the address on the interface (0: none) */
} net;

static dhcp_server_cfg server_cfg(uint32_t first, uint32_t last)
{
    dhcp_server_cfg cfg = { .server_id = SRV, .n_pools = 1 };
    cfg.pools[0] = (dhcp_pool_cfg){ .start = first, .end = last, .mask = 0xffffff00,
                                    .router = SRV, .dns = { IP(9, 9, 9, 9) }, .n_dns = 1,
                                    .lease_secs = 3600, .domain = "lan" };
    return cfg;
}

static void net_init(net *n, dhcp_client_cfg ccfg, uint64_t seed)
{
    memset(n, 0, sizeof *n);
    dhcp_server_cfg cfg = server_cfg(IP(192, 168, 1, 100), IP(192, 168, 1, 109));
    n->s = dhcp_server_new(&cfg);
    g_assert_nonnull(n->s);
    sim_rng_seed(&n->rng, seed);
    memcpy(ccfg.mac, mac1, 6);
    n->c = dhcp_client_new(&ccfg, &n->rng);
    n->evs = g_array_new(FALSE, TRUE, sizeof(ev));
}

static void net_clear(net *n)
{
    dhcp_server_free(n->s);
    dhcp_client_free(n->c);
    g_array_free(n->evs, TRUE);
}

static void note_send(net *n, const dhcp_action *a)
{
    dhcp_msg m;
    g_assert_cmpint(dhcp_msg_decode(a->pkt.data, a->pkt.len, &m, NULL), ==, 0);
    g_assert_cmpuint(a->pkt.len, >=, DHCP_MIN_LEN);
    ev e = { .t = n->now, .kind = DHCP_ACT_SEND, .type = dhcp_msg_type(&m), .src = a->pkt.src,
             .dst = a->pkt.dst, .ciaddr = m.ciaddr, .secs = m.secs, .flags = m.flags };
    dhcp_msg_get_u32(&m, DHCP_OPT_REQUESTED_IP, &e.requested);
    dhcp_msg_get_u32(&m, DHCP_OPT_SERVER_ID, &e.server);
    g_array_append_val(n->evs, e);
}

/* Delivers everything both sides queued until both outboxes are empty. */
static void pump(net *n)
{
    for (bool more = true; more;) {
        more = false;
        dhcp_action a;
        while (dhcp_client_pop(n->c, &a)) {
            more = true;
            ev e = { .t = n->now, .kind = (int)a.kind, .addr = a.addr };
            switch (a.kind) {
            case DHCP_ACT_SEND:
                note_send(n, &a);
                g_assert_true(a.pkt.dst == DHCP_BROADCAST || a.pkt.dst == SRV);
                if (!n->server_down &&
                    !(n->drop_requests && g_array_index(n->evs, ev, n->evs->len - 1).type ==
                                              DHCPREQUEST))
                    dhcp_server_input(n->s, n->now, a.pkt.data, a.pkt.len);
                continue;
            case DHCP_ACT_PROBE:
                if (n->conflict)
                    g_assert_cmpint(dhcp_client_conflict(n->c, n->now, a.addr), ==, 0);
                break;
            case DHCP_ACT_CONFIGURE:
                n->configured = a.lease;
                n->addr = a.addr;
                break;
            case DHCP_ACT_UNCONFIGURE:
                g_assert_cmphex(a.addr, ==, n->addr);
                n->addr = 0;
                break;
            default:
                break;
            }
            g_array_append_val(n->evs, e);
        }
        dhcp_out o;
        while (dhcp_server_pop(n->s, &o)) {
            more = true;
            dhcp_client_input(n->c, n->now, o.data, o.len);
        }
    }
}

/* Runs both cores' timers up to `end`. */
static void run_until(net *n, sim_time_t end)
{
    pump(n);
    for (;;) {
        sim_time_t t = MIN(dhcp_client_next_deadline(n->c), dhcp_server_next_deadline(n->s));
        if (t > end)
            break;
        n->now = MAX(n->now, t);
        dhcp_client_timeout(n->c, n->now);
        dhcp_server_timeout(n->s, n->now);
        pump(n);
    }
    n->now = end;
}

/* The SENDs of message `type` from index `from` on, their times into t[] (up to cap). */
static size_t sends(const net *n, int type, guint from, sim_time_t *t, size_t cap)
{
    size_t k = 0;
    for (guint i = from; i < n->evs->len; i++) {
        const ev *e = &g_array_index(n->evs, ev, i);
        if (e->kind == DHCP_ACT_SEND && e->type == type && k < cap)
            t[k++] = e->t;
    }
    return k;
}

static const ev *last_ev(const net *n, int kind)
{
    for (guint i = n->evs->len; i-- > 0;)
        if (g_array_index(n->evs, ev, i).kind == kind)
            return &g_array_index(n->evs, ev, i);
    return NULL;
}

/* DISCOVER, OFFER, REQUEST, ACK at t = 0, the ARP probe, and after the 1 s check the lease is
 * configured: first pool address, mask, router, DNS, domain, 3600 s. */
static void test_dora(void)
{
    net n;
    net_init(&n, (dhcp_client_cfg){ .host_name = "laptop" }, 1);
    g_assert_cmpint(dhcp_client_start(n.c, 0), ==, 0);
    g_assert_cmpint(dhcp_client_start(n.c, 0), ==, -EALREADY);
    run_until(&n, 2 * SIM_SEC);
    const ev *e = &g_array_index(n.evs, ev, 0);
    g_assert_cmpint(e->type, ==, DHCPDISCOVER);
    g_assert_cmphex(e->dst, ==, DHCP_BROADCAST);
    g_assert_cmphex(e->src, ==, 0);
    g_assert_cmphex(e->flags, ==, DHCP_FLAG_BROADCAST);
    e = &g_array_index(n.evs, ev, 1);
    g_assert_cmpint(e->type, ==, DHCPREQUEST);
    g_assert_cmphex(e->requested, ==, IP(192, 168, 1, 100));
    g_assert_cmphex(e->server, ==, SRV);
    e = &g_array_index(n.evs, ev, 2);
    g_assert_cmpint(e->kind, ==, DHCP_ACT_PROBE);
    g_assert_cmphex(e->addr, ==, IP(192, 168, 1, 100));
    g_assert_cmpuint(e->t, ==, 0);
    e = last_ev(&n, DHCP_ACT_CONFIGURE);
    g_assert_cmpuint(e->t, ==, SIM_SEC);
    g_assert_nonnull(last_ev(&n, DHCP_ACT_ANNOUNCE));
    g_assert_cmpint(dhcp_client_get_state(n.c), ==, DHCP_BOUND);
    g_assert_cmphex(n.configured.addr, ==, IP(192, 168, 1, 100));
    g_assert_cmphex(n.configured.mask, ==, 0xffffff00);
    g_assert_cmphex(n.configured.router, ==, SRV);
    g_assert_cmpuint(n.configured.n_dns, ==, 1);
    g_assert_cmphex(n.configured.dns[0], ==, IP(9, 9, 9, 9));
    g_assert_cmpstr(n.configured.domain, ==, "lan");
    g_assert_cmpuint(n.configured.lease_secs, ==, 3600);
    g_assert_cmpuint(n.configured.t1_secs, ==, 1800);
    g_assert_cmpuint(n.configured.t2_secs, ==, 3150);
    uint8_t who[6];
    g_assert_cmpint(dhcp_server_lookup(n.s, n.now, IP(192, 168, 1, 100), who, NULL), ==, 0);
    g_assert_cmpmem(who, 6, mac1, 6);
    g_assert_cmpuint(dhcp_server_get_stats(n.s)->offers, ==, 1);
    g_assert_cmpuint(dhcp_server_get_stats(n.s)->acks, ==, 1);
    g_assert_cmpuint(dhcp_client_next_deadline(n.c), ==, 1800 * SIM_SEC);
    net_clear(&n);
}

/* At T1 = 1800 s a REQUEST goes by unicast from the address to the server (ciaddr set, no
 * server id, no requested IP); the ACK renews from 1800 s: next T1 at 3600 s. */
static void test_renew(void)
{
    net n;
    net_init(&n, (dhcp_client_cfg){ .no_arp_check = true }, 2);
    dhcp_client_start(n.c, 0);
    run_until(&n, 1799 * SIM_SEC);
    guint mark = n.evs->len;
    run_until(&n, 1801 * SIM_SEC);
    const ev *e = &g_array_index(n.evs, ev, mark);
    g_assert_cmpint(e->type, ==, DHCPREQUEST);
    g_assert_cmpuint(e->t, ==, 1800 * SIM_SEC);
    g_assert_cmphex(e->dst, ==, SRV);
    g_assert_cmphex(e->src, ==, IP(192, 168, 1, 100));
    g_assert_cmphex(e->ciaddr, ==, IP(192, 168, 1, 100));
    g_assert_cmphex(e->requested, ==, 0);
    g_assert_cmphex(e->server, ==, 0);
    g_assert_cmphex(e->flags, ==, 0);
    g_assert_cmpint(dhcp_client_get_state(n.c), ==, DHCP_BOUND);
    g_assert_cmpuint(n.configured.start, ==, 1800 * SIM_SEC);
    g_assert_cmpuint(dhcp_client_next_deadline(n.c), ==, 3600 * SIM_SEC);
    net_clear(&n);
}

/* Server silent from 1000 s: RENEWING retransmits at half the time to T2 (min 60 s), REBINDING
 * broadcasts from T2 = 3150 s at half the time to the lease end, and at 3600 s the lease ends:
 * address removed, DISCOVER again. */
static void test_rebind_expire(void)
{
    static const double renew[] = { 1800, 2475, 2812.5, 2981.25, 3065.625, 3125.625 };
    static const double rebind[] = { 3150, 3375, 3487.5, 3547.5 };
    net n;
    net_init(&n, (dhcp_client_cfg){ .no_arp_check = true }, 3);
    dhcp_client_start(n.c, 0);
    run_until(&n, 1000 * SIM_SEC);
    n.server_down = true;
    guint mark = n.evs->len;
    run_until(&n, 3599 * SIM_SEC);
    sim_time_t t[16];
    size_t k = sends(&n, DHCPREQUEST, mark, t, 16);
    g_assert_cmpuint(k, ==, G_N_ELEMENTS(renew) + G_N_ELEMENTS(rebind));
    for (size_t i = 0; i < k; i++) {
        double want = i < G_N_ELEMENTS(renew) ? renew[i] : rebind[i - G_N_ELEMENTS(renew)];
        g_assert_cmpuint(t[i], ==, sim_time_from_sec(want));
        const ev *e = &g_array_index(n.evs, ev, mark + i);
        g_assert_cmphex(e->dst, ==, i < G_N_ELEMENTS(renew) ? SRV : DHCP_BROADCAST);
        g_assert_cmphex(e->ciaddr, ==, IP(192, 168, 1, 100));
    }
    g_assert_cmpint(dhcp_client_get_state(n.c), ==, DHCP_REBINDING);
    g_assert_cmphex(n.addr, ==, IP(192, 168, 1, 100)); /* still usable until the end */
    run_until(&n, 3601 * SIM_SEC);
    const ev *un = last_ev(&n, DHCP_ACT_UNCONFIGURE);
    g_assert_nonnull(un);
    g_assert_cmpuint(un->t, ==, 3600 * SIM_SEC);
    g_assert_cmphex(n.addr, ==, 0);
    g_assert_cmpint(dhcp_client_get_state(n.c), ==, DHCP_SELECTING);
    g_assert_cmpuint(dhcp_client_get_stats(n.c)->expiries, ==, 1);
    net_clear(&n);
}

/* Server deaf to unicast between T1 and T2 (as if the path to it broke) but back for the
 * broadcast at T2: REBINDING gets the ACK and the lease restarts at 3150 s. */
static void test_rebind_ack(void)
{
    net n;
    net_init(&n, (dhcp_client_cfg){ .no_arp_check = true }, 4);
    dhcp_client_start(n.c, 0);
    run_until(&n, 1000 * SIM_SEC);
    n.server_down = true;
    run_until(&n, 3149 * SIM_SEC);
    n.server_down = false;
    run_until(&n, 3151 * SIM_SEC);
    g_assert_cmpint(dhcp_client_get_state(n.c), ==, DHCP_BOUND);
    g_assert_cmpuint(n.configured.start, ==, 3150 * SIM_SEC);
    g_assert_cmpuint(dhcp_client_next_deadline(n.c), ==, (3150 + 1800) * SIM_SEC);
    net_clear(&n);
}

/* INIT-REBOOT with an address from another network: NAK, then DISCOVER at once, bound. */
static void test_nak(void)
{
    net n;
    net_init(&n, (dhcp_client_cfg){ .remembered = IP(10, 9, 9, 9), .no_arp_check = true }, 5);
    dhcp_client_start(n.c, 0);
    run_until(&n, SIM_SEC);
    const ev *e = &g_array_index(n.evs, ev, 0);
    g_assert_cmpint(e->type, ==, DHCPREQUEST);
    g_assert_cmphex(e->requested, ==, IP(10, 9, 9, 9));
    g_assert_cmphex(e->server, ==, 0);
    g_assert_cmpint(g_array_index(n.evs, ev, 1).type, ==, DHCPDISCOVER);
    g_assert_cmpuint(g_array_index(n.evs, ev, 1).t, ==, 0);
    g_assert_cmpuint(dhcp_client_get_stats(n.c)->naks, ==, 1);
    g_assert_cmpuint(dhcp_server_get_stats(n.s)->naks, ==, 1);
    g_assert_cmphex(n.addr, ==, IP(192, 168, 1, 100));
    /* INIT-REBOOT with the address it holds: plain ACK, no DISCOVER. */
    dhcp_client *c2 = dhcp_client_new(&(dhcp_client_cfg){ .remembered = IP(192, 168, 1, 100),
                                                          .no_arp_check = true, .mac = { 2, 0, 0, 0, 0, 1 } },
                                      &n.rng);
    dhcp_client_free(n.c);
    n.c = c2;
    guint mark = n.evs->len;
    dhcp_client_start(n.c, n.now);
    run_until(&n, n.now + SIM_SEC);
    g_assert_cmpuint(sends(&n, DHCPDISCOVER, mark, (sim_time_t[4]){ 0 }, 4), ==, 0);
    g_assert_cmpint(dhcp_client_get_state(n.c), ==, DHCP_BOUND);
    net_clear(&n);
}

/* The ARP probe finds the address in use: DECLINE (broadcast, requested IP, server id), the
 * server sets the address aside, and 10 s later the client starts over and gets the next one. */
static void test_decline(void)
{
    net n;
    net_init(&n, (dhcp_client_cfg){ 0 }, 6);
    n.conflict = true;
    dhcp_client_start(n.c, 0);
    run_until(&n, SIM_SEC / 2);
    const ev *d = last_ev(&n, DHCP_ACT_SEND);
    g_assert_cmpint(d->type, ==, DHCPDECLINE);
    g_assert_cmphex(d->requested, ==, IP(192, 168, 1, 100));
    g_assert_cmphex(d->server, ==, SRV);
    g_assert_cmphex(d->dst, ==, DHCP_BROADCAST);
    g_assert_cmpint(dhcp_client_get_state(n.c), ==, DHCP_INIT);
    g_assert_cmpuint(dhcp_server_get_stats(n.s)->declines, ==, 1);
    g_assert_null(last_ev(&n, DHCP_ACT_CONFIGURE));
    n.conflict = false;
    guint mark = n.evs->len;
    run_until(&n, 12 * SIM_SEC);
    sim_time_t t[4];
    g_assert_cmpuint(sends(&n, DHCPDISCOVER, mark, t, 4), ==, 1);
    g_assert_cmpuint(t[0], ==, 10 * SIM_SEC);
    g_assert_cmphex(n.addr, ==, IP(192, 168, 1, 101));
    net_clear(&n);
}

/* RELEASE goes by unicast to the server, the address leaves the interface; started again the
 * client asks for and gets the same address. */
static void test_release(void)
{
    net n;
    net_init(&n, (dhcp_client_cfg){ .no_arp_check = true }, 7);
    dhcp_client_start(n.c, 0);
    run_until(&n, 100 * SIM_SEC);
    g_assert_cmpint(dhcp_client_release(n.c, n.now), ==, 0);
    g_assert_cmpint(dhcp_client_release(n.c, n.now), ==, -ENOENT);
    pump(&n);
    const ev *r = last_ev(&n, DHCP_ACT_SEND);
    g_assert_cmpint(r->type, ==, DHCPRELEASE);
    g_assert_cmphex(r->dst, ==, SRV);
    g_assert_cmphex(r->ciaddr, ==, IP(192, 168, 1, 100));
    g_assert_cmphex(n.addr, ==, 0);
    g_assert_cmpint(dhcp_client_get_state(n.c), ==, DHCP_STOPPED);
    g_assert_cmpuint(dhcp_server_get_stats(n.s)->releases, ==, 1);
    g_assert_cmpint(dhcp_server_lookup(n.s, n.now, IP(192, 168, 1, 100), NULL, NULL), ==, -ENOENT);
    g_assert_cmpuint(dhcp_client_next_deadline(n.c), ==, SIM_TIME_NEVER);
    dhcp_client_start(n.c, n.now);
    run_until(&n, 101 * SIM_SEC);
    g_assert_cmphex(last_ev(&n, DHCP_ACT_SEND)->requested, ==, IP(192, 168, 1, 100));
    g_assert_cmphex(n.addr, ==, IP(192, 168, 1, 100));
    net_clear(&n);
}

/* No server: DISCOVER at 0, 4, 12, 28, 60, 124, 188 s without jitter (RFC 2131 §4.1, capped at
 * 64 s); with jitter each wait is off by the rng's draw, exactly, and never by more than 1 s.
 * secs counts from the first DISCOVER; the xid stays. */
static void test_retransmit_schedule(void)
{
    static const double want[] = { 0, 4, 12, 28, 60, 124, 188 };
    net n;
    net_init(&n, (dhcp_client_cfg){ .no_jitter = true }, 8);
    n.server_down = true;
    dhcp_client_start(n.c, 0);
    run_until(&n, 200 * SIM_SEC);
    sim_time_t t[16];
    g_assert_cmpuint(sends(&n, DHCPDISCOVER, 0, t, 16), ==, G_N_ELEMENTS(want));
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
        g_assert_cmpuint(t[i], ==, sim_time_from_sec(want[i]));
        g_assert_cmpuint(g_array_index(n.evs, ev, i).secs, ==, (unsigned)want[i]);
    }
    net_clear(&n);

    net_init(&n, (dhcp_client_cfg){ 0 }, 9);
    n.server_down = true;
    sim_rng twin;
    sim_rng_seed(&twin, 9);
    dhcp_client_start(n.c, 0);
    run_until(&n, 200 * SIM_SEC);
    size_t k = sends(&n, DHCPDISCOVER, 0, t, 16);
    g_assert_cmpuint(k, >=, 6);
    sim_rng_u64(&twin); /* the xid */
    sim_time_t expect = 0;
    for (size_t i = 0; i < k; i++) {
        g_assert_cmpuint(t[i], ==, expect);
        sim_time_t base = i >= 4 ? 64 * SIM_SEC : (4 * SIM_SEC) << i;
        sim_time_t wait = base - SIM_SEC + (sim_time_t)sim_rng_below(&twin, 2001) * SIM_MS;
        g_assert_cmpuint(wait, >=, base - SIM_SEC);
        g_assert_cmpuint(wait, <=, base + SIM_SEC);
        expect += wait;
    }
    g_assert_cmpuint(dhcp_client_get_stats(n.c)->retransmits, ==, k - 1);
    net_clear(&n);
}

/* The server answers DISCOVER but never hears a REQUEST: the REQUEST goes out 5 times (0, 4,
 * 12, 28, 60 s) and 64 s after the last the client starts over with a new DISCOVER (new xid);
 * INIT-REBOOT with no answer falls back the same way. Replies with another xid or chaddr are
 * ignored. */
static void test_request_gives_up(void)
{
    static const double want[] = { 0, 4, 12, 28, 60 };
    net n;
    net_init(&n, (dhcp_client_cfg){ .no_jitter = true }, 10);
    n.drop_requests = true;
    dhcp_client_start(n.c, 0);
    run_until(&n, 123 * SIM_SEC);
    sim_time_t t[8];
    g_assert_cmpuint(sends(&n, DHCPREQUEST, 0, t, 8), ==, 5);
    for (size_t i = 0; i < 5; i++)
        g_assert_cmpuint(t[i], ==, sim_time_from_sec(want[i]));
    g_assert_cmpint(dhcp_client_get_state(n.c), ==, DHCP_REQUESTING);
    run_until(&n, 125 * SIM_SEC);
    g_assert_cmpuint(sends(&n, DHCPDISCOVER, 0, t, 8), ==, 2);
    g_assert_cmpuint(t[1], ==, 124 * SIM_SEC);
    g_assert_cmpint(dhcp_client_get_state(n.c), ==, DHCP_REQUESTING); /* offered again */
    net_clear(&n);

    net_init(&n, (dhcp_client_cfg){ .no_jitter = true, .remembered = IP(192, 168, 1, 105) }, 11);
    n.server_down = true;
    dhcp_client_start(n.c, 0);
    run_until(&n, 125 * SIM_SEC);
    g_assert_cmpuint(sends(&n, DHCPREQUEST, 0, t, 8), ==, 5);
    g_assert_cmpuint(sends(&n, DHCPDISCOVER, 0, t, 8), ==, 1);
    g_assert_cmpuint(t[0], ==, 124 * SIM_SEC);
    net_clear(&n);
}

/* A reply whose xid or chaddr is not the client's is ignored and counted. */
static void test_client_ignores_strangers(void)
{
    net n;
    net_init(&n, (dhcp_client_cfg){ 0 }, 12);
    n.server_down = true;
    dhcp_client_start(n.c, 0);
    pump(&n);
    dhcp_action a;
    while (dhcp_client_pop(n.c, &a))
        ;
    const uint8_t other[6] = { 2, 0, 0, 0, 0, 0x99 };
    for (int k = 0; k < 2; k++) {
        dhcp_msg m;
        dhcp_msg_init(&m, DHCP_BOOTREPLY, k ? 0x12345678 : 0, k ? mac1 : other);
        m.yiaddr = IP(192, 168, 1, 100);
        dhcp_msg_add_u8(&m, DHCP_OPT_MSG_TYPE, DHCPOFFER);
        dhcp_msg_add_u32(&m, DHCP_OPT_SERVER_ID, SRV);
        uint8_t b[DHCP_MSG_MAX];
        size_t len;
        dhcp_msg_encode(&m, b, sizeof b, &len);
        g_assert_cmpint(dhcp_client_input(n.c, 0, b, len), ==, -ENOENT);
    }
    g_assert_cmpint(dhcp_client_input(n.c, 0, (const uint8_t *)"junk", 4), ==, -EBADMSG);
    g_assert_cmpuint(dhcp_client_get_stats(n.c)->ignored, ==, 2);
    g_assert_cmpuint(dhcp_client_get_stats(n.c)->bad, ==, 1);
    g_assert_cmpint(dhcp_client_get_state(n.c), ==, DHCP_SELECTING);
    g_assert_cmpint(dhcp_client_conflict(n.c, 0, IP(192, 168, 1, 100)), ==, -ENOENT);
    net_clear(&n);
}


/* Every byte the client sends through DORA, a renewal and a release, concatenated. */
static GByteArray *client_bytes(uint64_t seed)
{
    sim_rng r;
    sim_rng_seed(&r, seed);
    dhcp_client *c = dhcp_client_new(&(dhcp_client_cfg){ .mac = { 2, 0, 0, 0, 0, 1 } }, &r);
    dhcp_server_cfg cfg = server_cfg(IP(192, 168, 1, 100), IP(192, 168, 1, 109));
    dhcp_server *s = dhcp_server_new(&cfg);
    GByteArray *all = g_byte_array_new();
    dhcp_client_start(c, 0);
    for (int step = 0; step < 8; step++) {
        sim_time_t now = step ? dhcp_client_next_deadline(c) : 0;
        if (step)
            dhcp_client_timeout(c, now);
        if (step == 7)
            dhcp_client_release(c, now);
        for (bool more = true; more;) {
            more = false;
            dhcp_action a;
            dhcp_out o;
            while (dhcp_client_pop(c, &a)) {
                more = true;
                if (a.kind == DHCP_ACT_SEND) {
                    g_byte_array_append(all, a.pkt.data, (guint)a.pkt.len);
                    dhcp_server_input(s, now, a.pkt.data, a.pkt.len);
                }
            }
            while (dhcp_server_pop(s, &o)) {
                more = true;
                dhcp_client_input(c, now, o.data, o.len);
            }
        }
    }
    dhcp_client_free(c);
    dhcp_server_free(s);
    return all;
}

/* Same seed, same bytes; another seed, other xids. */
static void test_deterministic(void)
{
    GByteArray *a = client_bytes(42), *b = client_bytes(42), *c = client_bytes(43);
    g_assert_cmpuint(a->len, >=, 4 * DHCP_MIN_LEN);
    g_assert_cmpmem(a->data, a->len, b->data, b->len);
    g_assert_cmpuint(a->len, ==, c->len);
    g_assert_true(memcmp(a->data, c->data, a->len) != 0);
    g_byte_array_unref(a);
    g_byte_array_unref(b);
    g_byte_array_unref(c);
}

/* ---------------------------------------------------------------- server alone */

static size_t make_req(uint8_t *buf, int type, uint8_t id, uint32_t ciaddr, uint32_t requested,
                       uint32_t server, uint32_t giaddr)
{
    dhcp_msg m;
    dhcp_msg_init(&m, DHCP_BOOTREQUEST, 0x1000u + id, (uint8_t[6]){ 2, 0, 0, 0, 1, id });
    m.ciaddr = ciaddr;
    m.giaddr = giaddr;
    dhcp_msg_add_u8(&m, DHCP_OPT_MSG_TYPE, (uint8_t)type);
    if (requested)
        dhcp_msg_add_u32(&m, DHCP_OPT_REQUESTED_IP, requested);
    if (server)
        dhcp_msg_add_u32(&m, DHCP_OPT_SERVER_ID, server);
    size_t len;
    g_assert_cmpint(dhcp_msg_encode(&m, buf, DHCP_MSG_MAX, &len), ==, 0);
    return len;
}

/* The reply's type and yiaddr; false when the outbox is empty. */
static bool pop_reply(dhcp_server *s, int *type, uint32_t *yiaddr, dhcp_out *o)
{
    if (!dhcp_server_pop(s, o))
        return false;
    dhcp_msg m;
    g_assert_cmpint(dhcp_msg_decode(o->data, o->len, &m, NULL), ==, 0);
    *type = dhcp_msg_type(&m);
    *yiaddr = m.yiaddr;
    return true;
}

/* Two addresses, three clients: the third DISCOVER is not answered and counted; after the
 * 60 s offer hold an unrequested offer is free again; a lease ends and is counted. */
static void test_server_pool(void)
{
    dhcp_server_cfg cfg = server_cfg(IP(192, 168, 1, 10), IP(192, 168, 1, 11));
    dhcp_server *s = dhcp_server_new(&cfg);
    uint8_t b[DHCP_MSG_MAX];
    int type;
    uint32_t y;
    dhcp_out o;
    for (uint8_t id = 1; id <= 3; id++)
        dhcp_server_input(s, 0, b, make_req(b, DHCPDISCOVER, id, 0, 0, 0, 0));
    g_assert_true(pop_reply(s, &type, &y, &o));
    g_assert_cmphex(y, ==, IP(192, 168, 1, 10));
    g_assert_true(pop_reply(s, &type, &y, &o));
    g_assert_cmphex(y, ==, IP(192, 168, 1, 11));
    g_assert_false(pop_reply(s, &type, &y, &o));
    g_assert_cmpuint(dhcp_server_get_stats(s)->exhausted, ==, 1);
    g_assert_cmpuint(dhcp_server_next_deadline(s), ==, 60 * SIM_SEC);
    /* Client 1 takes its offer; client 2 never does. */
    g_assert_cmpint(dhcp_server_input(s, 1, b, make_req(b, DHCPREQUEST, 1, 0, IP(192, 168, 1, 10),
                                                        SRV, 0)), ==, 0);
    g_assert_true(pop_reply(s, &type, &y, &o));
    g_assert_cmpint(type, ==, DHCPACK);
    dhcp_server_input(s, 61 * SIM_SEC, b, make_req(b, DHCPDISCOVER, 3, 0, 0, 0, 0));
    g_assert_true(pop_reply(s, &type, &y, &o));
    g_assert_cmphex(y, ==, IP(192, 168, 1, 11));
    /* Client 2 asks for the address it was offered, too late: NAK. */
    dhcp_server_input(s, 62 * SIM_SEC, b, make_req(b, DHCPREQUEST, 2, 0, IP(192, 168, 1, 11), SRV, 0));
    g_assert_true(pop_reply(s, &type, &y, &o));
    g_assert_cmpint(type, ==, DHCPNAK);
    g_assert_cmphex(o.dst, ==, DHCP_BROADCAST);
    dhcp_server_timeout(s, 3601 * SIM_SEC + 1);
    g_assert_cmpuint(dhcp_server_get_stats(s)->expired, ==, 1);
    g_assert_cmpint(dhcp_server_lookup(s, 3602 * SIM_SEC, IP(192, 168, 1, 10), NULL, NULL), ==,
                    -ENOENT);
    /* Client 1 comes back after expiry: same address. */
    dhcp_server_input(s, 4000 * SIM_SEC, b, make_req(b, DHCPDISCOVER, 1, 0, 0, 0, 0));
    g_assert_true(pop_reply(s, &type, &y, &o));
    g_assert_cmphex(y, ==, IP(192, 168, 1, 10));
    dhcp_server_free(s);
}

/* Another server chosen: the offer is freed at once; DECLINE and RELEASE for another server
 * ignored; INFORM answered to ciaddr with no lease; a relayed DISCOVER uses the relay's pool
 * and goes back to giaddr:67; garbage counted. */
static void test_server_rules(void)
{
    dhcp_server_cfg cfg = server_cfg(IP(192, 168, 1, 10), IP(192, 168, 1, 10));
    cfg.n_pools = 2;
    cfg.pools[1] = cfg.pools[0];
    cfg.pools[1].start = cfg.pools[1].end = IP(10, 1, 2, 50);
    dhcp_server *s = dhcp_server_new(&cfg);
    uint8_t b[DHCP_MSG_MAX];
    int type;
    uint32_t y;
    dhcp_out o;
    dhcp_server_input(s, 0, b, make_req(b, DHCPDISCOVER, 1, 0, 0, 0, 0));
    g_assert_true(pop_reply(s, &type, &y, &o));
    g_assert_cmpint(dhcp_server_input(s, 0, b, make_req(b, DHCPREQUEST, 1, 0, y, IP(192, 168, 1, 2), 0)),
                    ==, -ENOENT);
    dhcp_server_input(s, 0, b, make_req(b, DHCPDISCOVER, 2, 0, 0, 0, 0));
    g_assert_true(pop_reply(s, &type, &y, &o)); /* the single address went to client 2 */
    g_assert_cmphex(y, ==, IP(192, 168, 1, 10));
    g_assert_cmpint(dhcp_server_input(s, 0, b, make_req(b, DHCPRELEASE, 2, y, 0, IP(1, 1, 1, 1), 0)),
                    ==, -ENOENT);
    g_assert_cmpint(dhcp_server_input(s, 0, b, make_req(b, DHCPINFORM, 3, IP(192, 168, 1, 77), 0, 0, 0)),
                    ==, 0);
    g_assert_true(pop_reply(s, &type, &y, &o));
    g_assert_cmpint(type, ==, DHCPACK);
    g_assert_cmphex(y, ==, 0);
    g_assert_cmphex(o.dst, ==, IP(192, 168, 1, 77));
    dhcp_msg m;
    dhcp_msg_decode(o.data, o.len, &m, NULL);
    g_assert_null(dhcp_msg_find(&m, DHCP_OPT_LEASE_TIME));
    g_assert_nonnull(dhcp_msg_find(&m, DHCP_OPT_ROUTER));
    dhcp_server_input(s, 0, b, make_req(b, DHCPDISCOVER, 4, 0, 0, 0, IP(10, 1, 2, 1)));
    g_assert_true(pop_reply(s, &type, &y, &o));
    g_assert_cmphex(y, ==, IP(10, 1, 2, 50));
    g_assert_cmphex(o.dst, ==, IP(10, 1, 2, 1));
    g_assert_cmpuint(o.dport, ==, DHCP_SERVER_PORT);
    g_assert_cmpint(dhcp_server_input(s, 0, b, 100), ==, -EBADMSG);
    g_assert_cmpuint(dhcp_server_get_stats(s)->bad, ==, 1);
    dhcp_server_free(s);
    cfg.pools[0].start = IP(192, 168, 2, 1); /* range leaves its subnet */
    g_assert_null(dhcp_server_new(&cfg));
}

/* A declined address is out of use for decline_hold (600 s), then handed out again; an
 * INIT-REBOOT from a client the server has no record of gets no answer (§4.3.2). */
static void test_server_decline_hold(void)
{
    dhcp_server_cfg cfg = server_cfg(IP(192, 168, 1, 10), IP(192, 168, 1, 10));
    dhcp_server *s = dhcp_server_new(&cfg);
    uint8_t b[DHCP_MSG_MAX];
    int type;
    uint32_t y;
    dhcp_out o;
    dhcp_server_input(s, 0, b, make_req(b, DHCPDISCOVER, 1, 0, 0, 0, 0));
    g_assert_true(pop_reply(s, &type, &y, &o));
    dhcp_server_input(s, 0, b, make_req(b, DHCPREQUEST, 1, 0, y, SRV, 0));
    g_assert_true(pop_reply(s, &type, &y, &o));
    g_assert_cmpint(type, ==, DHCPACK);
    g_assert_cmpint(dhcp_server_input(s, SIM_SEC, b, make_req(b, DHCPDECLINE, 1, 0, y, SRV, 0)),
                    ==, 0);
    dhcp_server_input(s, 599 * SIM_SEC, b, make_req(b, DHCPDISCOVER, 2, 0, 0, 0, 0));
    g_assert_false(pop_reply(s, &type, &y, &o));
    g_assert_cmpuint(dhcp_server_get_stats(s)->exhausted, ==, 1);
    dhcp_server_input(s, 601 * SIM_SEC, b, make_req(b, DHCPDISCOVER, 2, 0, 0, 0, 0));
    g_assert_true(pop_reply(s, &type, &y, &o));
    g_assert_cmphex(y, ==, IP(192, 168, 1, 10));
    g_assert_cmpint(dhcp_server_input(s, 602 * SIM_SEC, b,
                                      make_req(b, DHCPREQUEST, 7, 0, IP(192, 168, 1, 20), 0, 0)),
                    ==, -ENOENT);
    g_assert_false(pop_reply(s, &type, &y, &o));
    dhcp_server_free(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dhcp/core/dora", test_dora);
    g_test_add_func("/dhcp/core/renew-t1", test_renew);
    g_test_add_func("/dhcp/core/rebind-t2-expire", test_rebind_expire);
    g_test_add_func("/dhcp/core/rebind-ack", test_rebind_ack);
    g_test_add_func("/dhcp/core/nak-init", test_nak);
    g_test_add_func("/dhcp/core/decline-conflict", test_decline);
    g_test_add_func("/dhcp/core/release", test_release);
    g_test_add_func("/dhcp/core/retransmit-schedule", test_retransmit_schedule);
    g_test_add_func("/dhcp/core/request-gives-up", test_request_gives_up);
    g_test_add_func("/dhcp/core/ignores-strangers", test_client_ignores_strangers);
    g_test_add_func("/dhcp/core/deterministic", test_deterministic);
    g_test_add_func("/dhcp/server/pool", test_server_pool);
    g_test_add_func("/dhcp/server/decline-hold", test_server_decline_hold);
    g_test_add_func("/dhcp/server/rules", test_server_rules);
    return g_test_run();
}
