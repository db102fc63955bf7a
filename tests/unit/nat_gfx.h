/* tests/unit/nat_gfx.h — helpers shared by test_nat.c and test_nat_tcp.c: endpoint parsing,
 * a world with one NAT node "NA" (inside 192.168.60.1/24 on LAN "lan", outside 68.36.210.57/24
 * on p2p link "wan", default route via 68.36.210.1), raw IPv4 header writing and checksum
 * checks for packets fed straight to nat_gw_input. Static functions: one copy per program. */
#ifndef TESTS_UNIT_NAT_GFX_H
#define TESTS_UNIT_NAT_GFX_H

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include "sim/link.h"
#include "sim/nat.h"
#include "sim/stack/net.h"
#include "sim/world.h"
#include "ep_util.h"

G_GNUC_UNUSED static sim_ip ip4(const char *s)
{
    sim_ip a;
    g_assert_cmpint(sim_ip_parse(s, &a), ==, 0);
    return a;
}

#define IN "192.168.60.153:1211"
#define OUT_IP "68.36.210.57"

typedef struct gfx {
    sim_world *w;
    sim_node *n;
    sim_iface *lan, *wan;
    nat_gw *g;
    char *dir;
} gfx;

G_GNUC_UNUSED static void gfx_open(gfx *x, const nat_config *c, bool log)
{
    GError *err = NULL;
    memset(x, 0, sizeof *x);
    sim_world_opts o = { .seed = 7 };
    char *log_path = NULL;
    if (log) {
        x->dir = g_dir_make_tmp("natsim-test-nat-XXXXXX", &err);
        g_assert_no_error(err);
        log_path = g_build_filename(x->dir, "events.jsonl", NULL);
        o.log_path = log_path;
    }
    x->w = sim_world_new(&o, &err);
    g_assert_no_error(err);
    g_free(log_path);
    sim_link_props p;
    sim_link_props_default(&p);
    sim_link *lan = sim_link_new(x->w, "lan", SIM_LINK_LAN, &p, &err);
    g_assert_no_error(err);
    sim_link *wan = sim_link_new(x->w, "wan", SIM_LINK_P2P, &p, &err);
    g_assert_no_error(err);
    x->n = sim_node_new(x->w, "NA", SIM_NODE_NAT, &err);
    g_assert_no_error(err);
    x->lan = sim_node_attach(x->n, lan, NULL, &err);
    g_assert_no_error(err);
    x->wan = sim_node_attach(x->n, wan, NULL, &err);
    g_assert_no_error(err);
    sim_ip a = ip4("192.168.60.1"), b = ip4(OUT_IP), any = ip4("0.0.0.0"), gw = ip4("68.36.210.1");
    g_assert_cmpint(sim_iface_add_addr(x->lan, &a, 24), ==, 0);
    g_assert_cmpint(sim_iface_add_addr(x->wan, &b, 24), ==, 0);
    g_assert_cmpint(sim_node_add_route(x->n, &any, 0, &gw, NULL), ==, 0);
    g_assert_cmpint(nat_gw_install(x->n, c, &err), ==, 0);
    g_assert_no_error(err);
    x->g = x->n->nat;
    g_assert_cmpint(nat_gw_set_side(x->g, x->lan, SIM_NAT_INSIDE), ==, 0);
    g_assert_cmpint(nat_gw_set_side(x->g, x->wan, SIM_NAT_OUTSIDE), ==, 0);
}

G_GNUC_UNUSED static void gfx_close(gfx *x)
{
    sim_world_free(x->w);
    if (x->dir) {
        char *p = g_build_filename(x->dir, "events.jsonl", NULL);
        g_remove(p);
        g_free(p);
        g_rmdir(x->dir);
        g_free(x->dir);
    }
}

/* Frees the world of a gfx opened with the log on (flushing the log) and returns the text of
 * its events.jsonl (owned), also shown with g_test_message. gfx_close still cleans up. */
G_GNUC_UNUSED static char *gfx_read_log(gfx *x)
{
    char *path = g_build_filename(x->dir, "events.jsonl", NULL);
    sim_world *w = x->w;
    x->w = NULL;
    sim_world_free(w);
    char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_test_message("%s", text);
    g_free(path);
    return text;
}

G_GNUC_UNUSED static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

G_GNUC_UNUSED static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Writes an IPv4 header for payload bytes of proto at p, checksum set. */
G_GNUC_UNUSED static void put_ip(uint8_t *p, const sim_ip *s, const sim_ip *d, uint8_t proto,
                                 size_t payload)
{
    memset(p, 0, 20);
    p[0] = 0x45;
    wr16(p + 2, (uint16_t)(20 + payload));
    wr16(p + 4, 0x1234);
    p[6] = 0x40; /* DF */
    p[8] = 64;
    p[9] = proto;
    memcpy(p + 12, s->b, 4);
    memcpy(p + 16, d->b, 4);
    wr16(p + 10, net_csum_fold(net_csum_add(0, p, 20)));
}

G_GNUC_UNUSED static bool ip_csum_ok(const uint8_t *ip)
{
    return net_csum_fold(net_csum_add(0, ip, 20)) == 0;
}

G_GNUC_UNUSED static sim_ep pkt_src(const sim_pkt *p)
{
    sim_ep e = { .ip = { .family = SIM_AF_INET } };
    memcpy(e.ip.b, p->data + 12, 4);
    e.port = rd16(p->data + 20);
    return e;
}

G_GNUC_UNUSED static sim_ep pkt_dst(const sim_pkt *p)
{
    sim_ep e = { .ip = { .family = SIM_AF_INET } };
    memcpy(e.ip.b, p->data + 16, 4);
    e.port = rd16(p->data + 22);
    return e;
}

G_GNUC_UNUSED static bool tcp_csum_ok(const uint8_t *ip)
{
    size_t n = rd16(ip + 2) - 20u;
    uint32_t sum = net_csum_pseudo4(ip + 12, ip + 16, 6, (uint32_t)n);
    return net_csum_fold(net_csum_add(sum, ip + 20, n)) == 0;
}

#endif
