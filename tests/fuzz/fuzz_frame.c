/* fuzz_frame — arbitrary bytes as an Ethernet frame arriving at a host, a router, or either side
 * of a NAT (the first input byte's low 2 bits pick which; (byte >> 2) % 3 picks what the NAT
 * answers unsolicited packets with: drop, icmp, rst, so the TCP RST and held-SYN paths run).
 * Every parser on the receive path must survive: no crash, no leak of packet buffers, no hang.
 * The world is built fresh per input so inputs do not influence each other. */
#include <stdint.h>
#include <string.h>
#include "sim/link.h"
#include "sim/nat.h"
#include "sim/node.h"
#include "sim/socket.h"
#include "sim/stack/net.h"
#include "sim/world.h"

typedef struct world4 {
    sim_world *w;
    sim_iface *target[4];
} world4;

static sim_iface *attach(sim_node *n, sim_link *l, const char *prefix)
{
    sim_iface *i = sim_node_attach(n, l, NULL, NULL);
    sim_ip ip;
    unsigned plen;
    sim_prefix_parse(prefix, &ip, &plen);
    sim_iface_add_addr(i, &ip, plen);
    return i;
}

static void build(world4 *t, nat_unsolicited unsolicited)
{
    sim_world_opts o = { .seed = 1 };
    t->w = sim_world_new(&o, NULL);
    sim_link_props p;
    sim_link_props_default(&p);
    sim_link *lan = sim_link_new(t->w, "lan", SIM_LINK_LAN, &p, NULL);
    sim_link *wan = sim_link_new(t->w, "wan", SIM_LINK_LAN, &p, NULL);
    sim_node *h = sim_node_new(t->w, "h", SIM_NODE_HOST, NULL);
    sim_node *nat = sim_node_new(t->w, "nat", SIM_NODE_NAT, NULL);
    sim_node *r = sim_node_new(t->w, "r", SIM_NODE_ROUTER, NULL);
    t->target[0] = attach(h, lan, "192.168.1.10/24");
    t->target[1] = attach(nat, lan, "192.168.1.1/24");
    t->target[2] = attach(nat, wan, "203.0.113.1/24");
    t->target[3] = attach(r, wan, "203.0.113.2/24");
    sim_ip v6;
    sim_ip_parse("2001:db8::10", &v6);
    sim_iface_add_addr(t->target[0], &v6, 64);
    sim_ip gw = sim_ip4(0xC0A80101), any = sim_ip4(0);
    sim_node_add_route(h, &any, 0, &gw, NULL);
    nat_config c;
    nat_config_default(&c);
    c.unsolicited = unsolicited;
    nat_gw_install(nat, &c, NULL);
    nat_gw_set_side(nat->nat, t->target[1], SIM_NAT_INSIDE);
    nat_gw_set_side(nat->nat, t->target[2], SIM_NAT_OUTSIDE);
    /* Something listening, so UDP reaches a socket too. */
    sim_sock *s = sim_udp_open(h, SIM_AF_INET);
    sim_ep ep = { .port = 5000 };
    sim_sock_bind(s, &ep);
    /* A mapping, so inbound packets can match one. */
    sim_sock *out = sim_udp_open(h, SIM_AF_INET);
    sim_ep dst = { .ip = sim_ip4(0xCB007102), .port = 7000 };
    sim_sock_sendto(out, "x", 1, &dst);
    sim_world_run(t->w, sim_world_now(t->w) + SIM_SEC);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > SIM_PKT_MAX + 1)
        return 0;
    world4 t;
    build(&t, (nat_unsolicited)((data[0] >> 2) % 3));
    sim_iface *in = t.target[data[0] & 3];
    sim_pkt *p = sim_pkt_alloc(sim_world_pool(t.w));
    memcpy(sim_pkt_put(p, size - 1), data + 1, size - 1);
    p->in = in;
    net_eth_input(in, p);
    sim_world_run(t.w, sim_world_now(t.w) + 10 * SIM_SEC);
    sim_world_free(t.w);
    return 0;
}
