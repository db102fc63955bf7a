/* tests/unit/test_dhcp_sim.c — the DHCP and IPv4 link-local drivers on simulated LANs:
 * an address in use found by the ARP check (DECLINE, then the next address), a lease that
 * expires while the LAN is down (address and default route removed, link-local fallback),
 * the server's unicast to chaddr without ARP when the BROADCAST flag is clear, the same seed
 * giving the same frames, and a link-local address defended and then given up. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "protocols/dhcp/dhcp.h"
#include "protocols/zeroconf/ipv4ll.h"
#include "sim/link.h"
#include "sim/node.h"
#include "sim/socket.h"
#include "sim/world.h"

typedef struct fx {
    sim_world *w;
    sim_link *lan;
    sim_node *r, *c;
    sim_iface *ri, *ci;
    dhcp_app *server;
    GChecksum *frames;       /* every frame copy delivered, in order */
    unsigned arp_for_yiaddr; /* ARP requests from R for 10.0.0.100 */
    unsigned unicast_offers; /* IPv4 UDP to port 68 with the client's MAC as destination */
} fx;

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static void tap(void *ctx, const sim_link *l, const sim_iface *to, const sim_pkt *f, sim_time_t t)
{
    (void)l;
    (void)to;
    fx *x = ctx;
    g_checksum_update(x->frames, (const guchar *)&t, sizeof t);
    g_checksum_update(x->frames, f->data, f->len);
    if (f->len < 42)
        return;
    if (rd16(f->data + 12) == 0x0806 && rd16(f->data + 20) == 1 &&
        !memcmp(f->data + 22, x->ri->mac, 6) && !memcmp(f->data + 38, "\x0a\x00\x00\x64", 4))
        x->arp_for_yiaddr++;
    if (rd16(f->data + 12) == 0x0800 && f->data[23] == 17 && rd16(f->data + 36) == 68 &&
        !memcmp(f->data, x->ci->mac, 6))
        x->unicast_offers++;
}

static sim_ip ip(const char *s)
{
    sim_ip r;
    g_assert_cmpint(sim_ip_parse(s, &r), ==, 0);
    return r;
}

/* R 10.0.0.1/24 serving 10.0.0.100-101 (lease secs), client host C, on one LAN. */
static void fx_init(fx *x, uint64_t seed, uint32_t lease)
{
    GError *err = NULL;
    memset(x, 0, sizeof *x);
    sim_world_opts o = { .seed = seed };
    x->w = sim_world_new(&o, &err);
    sim_link_props p;
    sim_link_props_default(&p);
    x->lan = sim_link_new(x->w, "lan", SIM_LINK_LAN, &p, &err);
    x->r = sim_node_new(x->w, "R", SIM_NODE_ROUTER, &err);
    x->c = sim_node_new(x->w, "C", SIM_NODE_HOST, &err);
    x->ri = sim_node_attach(x->r, x->lan, NULL, &err);
    x->ci = sim_node_attach(x->c, x->lan, NULL, &err);
    g_assert_no_error(err);
    sim_ip r = ip("10.0.0.1");
    g_assert_cmpint(sim_iface_add_addr(x->ri, &r, 24), ==, 0);
    x->frames = g_checksum_new(G_CHECKSUM_SHA256);
    sim_link_set_tap(x->lan, tap, x);
    dhcp_server_cfg cfg = { .n_pools = 1 };
    cfg.pools[0] = (dhcp_pool_cfg){ .start = 0x0A000064, .end = 0x0A000065, .mask = 0xFFFFFF00,
                                    .router = 0x0A000001, .lease_secs = lease };
    x->server = dhcp_app_server(x->ri, &cfg, &err);
    g_assert_no_error(err);
    g_assert_nonnull(x->server);
}

static void fx_clear(fx *x)
{
    g_checksum_free(x->frames);
    sim_world_free(x->w);
}

static dhcp_app *client(fx *x, const dhcp_client_cfg *cfg, sim_time_t fallback)
{
    GError *err = NULL;
    dhcp_app *a = dhcp_app_client(x->ci, cfg, fallback, &err);
    g_assert_no_error(err);
    return a;
}

static void test_arp_check_conflict(void)
{
    fx x;
    fx_init(&x, 1, 3600);
    /* Another host already uses .100 (configured by hand, unknown to the server). */
    GError *err = NULL;
    sim_node *z = sim_node_new(x.w, "Z", SIM_NODE_HOST, &err);
    sim_iface *zi = sim_node_attach(z, x.lan, NULL, &err);
    sim_ip used = ip("10.0.0.100"), next = ip("10.0.0.101"), far = ip("192.0.2.1");
    g_assert_cmpint(sim_iface_add_addr(zi, &used, 24), ==, 0);
    dhcp_app *a = client(&x, &(dhcp_client_cfg){ 0 }, 0);
    sim_world_run(x.w, 30 * SIM_SEC);
    dhcp_client *c = dhcp_app_client_core(a);
    g_assert_cmpint(dhcp_client_get_state(c), ==, DHCP_BOUND);
    g_assert_cmpuint(dhcp_client_get_stats(c)->declines, ==, 1);
    g_assert_cmpuint(dhcp_server_get_stats(dhcp_app_server_core(x.server))->declines, ==, 1);
    g_assert_true(sim_ip_eq(sim_iface_addr(x.ci, SIM_AF_INET), &next));
    const sim_route *def = sim_node_route(x.c, &far);
    g_assert_nonnull(def);
    g_assert_true(sim_ip_eq(&def->gw, &(sim_ip){ .family = SIM_AF_INET, .b = { 10, 0, 0, 1 } }));
    fx_clear(&x);
}

/* The LAN goes down after the lease is bound: RENEWING and REBINDING get no answer, the lease
 * expires, the address and its default route go, and the link-local fallback claims one. */
static void test_expiry_and_fallback(void)
{
    fx x;
    fx_init(&x, 1, 60);
    sim_ip far = ip("192.0.2.1");
    dhcp_app *a = client(&x, &(dhcp_client_cfg){ .no_arp_check = true }, 5 * SIM_SEC);
    sim_world_run(x.w, 2 * SIM_SEC);
    g_assert_cmpint(dhcp_client_get_state(dhcp_app_client_core(a)), ==, DHCP_BOUND);
    g_assert_nonnull(sim_node_route(x.c, &far));
    g_assert_cmpint(ipv4ll_get_state(ipv4ll_app_core(dhcp_app_ipv4ll(a))), ==, IPV4LL_STOPPED);
    sim_link_set_up(x.lan, false);
    sim_world_run(x.w, 61 * SIM_SEC); /* the lease ran from ~0 s for 60 s */
    g_assert_null(sim_iface_addr(x.ci, SIM_AF_INET));
    g_assert_null(sim_node_route(x.c, &far));
    g_assert_cmpuint(dhcp_client_get_stats(dhcp_app_client_core(a))->expiries, ==, 1);
    sim_world_run(x.w, 61 * SIM_SEC + 5 * SIM_SEC + 7 * SIM_SEC); /* fallback + claim (<= 7 s) */
    const sim_ip *ll = sim_iface_addr(x.ci, SIM_AF_INET);
    g_assert_nonnull(ll);
    g_assert_cmpuint(ll->b[0], ==, 169);
    g_assert_cmpuint(ll->b[1], ==, 254);
    /* The LAN comes back: the next DISCOVER is answered, link-local goes. */
    sim_link_set_up(x.lan, true);
    sim_world_run(x.w, 200 * SIM_SEC);
    g_assert_cmpint(dhcp_client_get_state(dhcp_app_client_core(a)), ==, DHCP_BOUND);
    g_assert_cmpuint(sim_iface_addr(x.ci, SIM_AF_INET)->b[0], ==, 10);
    g_assert_cmpuint(x.ci->addrs4->len, ==, 1);
    g_assert_nonnull(sim_node_route(x.c, &far));
    fx_clear(&x);
}

/* BROADCAST flag clear: the OFFER goes to yiaddr at the client's MAC, with no ARP first (the
 * server recorded the mapping). The simulated client cannot take unicast for an address it
 * does not have, so it never binds: dhcp.md documents why the flag is set by default. */
static void test_unicast_to_chaddr(void)
{
    fx x;
    fx_init(&x, 1, 3600);
    dhcp_app *a = client(&x, &(dhcp_client_cfg){ .no_broadcast_flag = true }, 0);
    sim_world_run(x.w, 3 * SIM_SEC);
    g_assert_cmpuint(x.unicast_offers, ==, 1);
    g_assert_cmpuint(x.arp_for_yiaddr, ==, 0);
    g_assert_cmpuint(dhcp_server_get_stats(dhcp_app_server_core(x.server))->offers, ==, 1);
    g_assert_cmpint(dhcp_client_get_state(dhcp_app_client_core(a)), ==, DHCP_SELECTING);
    g_assert_cmpuint(x.c->drops[SIM_DROP_NOT_FORWARDING], ==, 1);
    fx_clear(&x);
}

/* RFC 3927 2.5 through the driver: another host announcing our claimed address is answered
 * once with an announcement; a second time within 10 s the address is given up and removed. */
static void test_ipv4ll_defence(void)
{
    fx x;
    fx_init(&x, 1, 3600);
    sim_ip mine = ip("169.254.7.7");
    ipv4ll_app *ll = ipv4ll_app_new(x.ci, 0xA9FE0707);
    ipv4ll_app_start(ll);
    sim_world_run(x.w, 20 * SIM_SEC);
    ipv4ll *core = ipv4ll_app_core(ll);
    g_assert_cmpint(ipv4ll_get_state(core), ==, IPV4LL_BOUND);
    g_assert_true(sim_ip_eq(sim_iface_addr(x.ci, SIM_AF_INET), &mine));
    g_assert_cmpint(sim_arp_announce(x.ri, &mine), ==, 0); /* R claims it too */
    sim_world_run(x.w, 21 * SIM_SEC);
    g_assert_cmpuint(ipv4ll_get_stats(core)->defences, ==, 1);
    g_assert_true(sim_ip_eq(sim_iface_addr(x.ci, SIM_AF_INET), &mine));
    g_assert_cmpint(sim_arp_announce(x.ri, &mine), ==, 0);
    sim_world_run(x.w, 22 * SIM_SEC);
    g_assert_false(sim_node_has_addr(x.c, &mine)); /* given up */
    g_assert_cmpuint(ipv4ll_get_stats(core)->conflicts, ==, 1); /* the defended one is a defence */
    sim_world_run(x.w, 40 * SIM_SEC);
    const sim_ip *again = sim_iface_addr(x.ci, SIM_AF_INET);
    g_assert_nonnull(again);
    g_assert_false(sim_ip_eq(again, &mine));
    ipv4ll_app_free(ll);
    g_assert_null(sim_iface_addr(x.ci, SIM_AF_INET)); /* stopping removes it */
    g_assert_null(ipv4ll_app_core(ll));
    fx_clear(&x);
}

/* Same seed, same frames at the same times; another seed, other xids. */
static void run_once(uint64_t seed, char out[65])
{
    fx x;
    fx_init(&x, seed, 120);
    client(&x, &(dhcp_client_cfg){ 0 }, 0);
    ipv4ll_app *ll = ipv4ll_app_new(x.ri, 0);
    g_assert_cmpint(ipv4ll_app_start(ll), ==, 0);
    g_assert_cmpint(ipv4ll_app_start(ll), ==, -EALREADY);
    sim_world_run(x.w, 200 * SIM_SEC);
    g_strlcpy(out, g_checksum_get_string(x.frames), 65);
    fx_clear(&x);
}

static void test_deterministic(void)
{
    char a[65], b[65], c[65];
    run_once(5, a);
    run_once(5, b);
    run_once(6, c);
    g_assert_cmpstr(a, ==, b);
    g_assert_cmpstr(a, !=, c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dhcp-sim/arp-check-conflict", test_arp_check_conflict);
    g_test_add_func("/dhcp-sim/expiry-then-link-local", test_expiry_and_fallback);
    g_test_add_func("/dhcp-sim/unicast-to-chaddr", test_unicast_to_chaddr);
    g_test_add_func("/dhcp-sim/deterministic", test_deterministic);
    g_test_add_func("/ipv4ll-sim/defence", test_ipv4ll_defence);
    return g_test_run();
}
