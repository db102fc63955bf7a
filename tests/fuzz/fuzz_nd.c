/* fuzz_nd — arbitrary Neighbor Discovery messages (RFC 4861 RS, RA, NS, NA) delivered to nodes
 * running autoconfiguration (sim/stack/slaac.h): a router advertising a prefix, a host with a
 * preferred link-local address (DAD off) and a host whose link-local is still tentative.
 * Input: byte 0 picks the type (bits 0-1: 133..136), the receiver (bits 2-3), the source (bit
 * 4: :: or fe80::1) and whether the target field is overwritten with the tentative address
 * (bit 5, so the DAD paths are reached); byte 1 is the code; the rest is the ICMPv6 body after
 * the checksum. The harness builds valid Ethernet and IPv6 headers and the checksum, so every
 * input reaches the ND parsers. No crash, no leaked buffer, no hang. */
#include <string.h>
#include "sim/link.h"
#include "sim/node.h"
#include "sim/stack/net.h"
#include "sim/stack/net_priv.h" /* net_solicited_node */
#include "sim/stack/slaac.h"
#include "sim/world.h"

typedef struct nd_world {
    sim_world *w;
    sim_iface *rcv[3]; /* router, configured host, tentative host */
} nd_world;

static sim_iface *node(nd_world *t, sim_link *lan, const char *name, sim_node_kind k)
{
    sim_node *n = sim_node_new(t->w, name, k, NULL);
    return sim_node_attach(n, lan, NULL, NULL);
}

static void build(nd_world *t)
{
    sim_world_opts o = { .seed = 1 };
    t->w = sim_world_new(&o, NULL);
    sim_link_props p;
    sim_link_props_default(&p);
    sim_link *lan = sim_link_new(t->w, "lan", SIM_LINK_LAN, &p, NULL);
    t->rcv[0] = node(t, lan, "r", SIM_NODE_ROUTER);
    t->rcv[1] = node(t, lan, "h1", SIM_NODE_HOST);
    t->rcv[2] = node(t, lan, "h2", SIM_NODE_HOST);
    net_ra_opts ra = { .max_interval = 4 * SIM_SEC, .router_lifetime = -1, .n_prefixes = 1 };
    sim_prefix_parse("2001:db8:1::/64", &ra.prefixes[0].prefix, &ra.prefixes[0].plen);
    ra.prefixes[0].onlink = ra.prefixes[0].autonomous = true;
    ra.prefixes[0].valid = 60;
    ra.prefixes[0].preferred = 30;
    net_ra_advertise(t->rcv[0], &ra);
    net_slaac_configure(t->rcv[1], &(net_slaac_opts){ .slaac = true });
    net_slaac_configure(t->rcv[2], &(net_slaac_opts){ .slaac = true, .dad = true });
}

static size_t frame(uint8_t *f, const sim_ip *src, const sim_ip *dst, const uint8_t *icmp,
                    size_t len)
{
    uint8_t mac[6];
    net_mcast_mac6(dst, mac);
    memset(f, 0, 54);
    memcpy(f, mac, 6);
    f[6] = 0x02;
    f[11] = 0x99;
    f[12] = 0x86;
    f[13] = 0xdd;
    f[14] = 0x60;
    f[18] = (uint8_t)(len >> 8);
    f[19] = (uint8_t)len;
    f[20] = 58;
    f[21] = 255;
    memcpy(f + 22, src->b, 16);
    memcpy(f + 38, dst->b, 16);
    memcpy(f + 54, icmp, len);
    uint32_t sum = net_csum_pseudo6(src->b, dst->b, 58, (uint32_t)len);
    uint16_t c = net_csum_fold(net_csum_add(sum, f + 54, len));
    f[56] = (uint8_t)(c >> 8);
    f[57] = (uint8_t)c;
    return 54 + len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 1200)
        return 0;
    nd_world t;
    build(&t);
    uint8_t type = (uint8_t)(133 + (data[0] & 3));
    sim_iface *in = t.rcv[((data[0] >> 2) & 3) % 3];
    uint8_t icmp[1300] = { type, data[1] };
    size_t len = 4 + size - 2;
    memcpy(icmp + 4, data + 2, size - 2);
    net_slaac_addr_info tent;
    if ((data[0] & 0x20) && len >= 24 && net_slaac_addrs(t.rcv[2], &tent, 1) >= 1)
        memcpy(icmp + 8, tent.ip.b, 16);
    sim_ip src, dst;
    sim_ip_parse(data[0] & 0x10 ? "::" : "fe80::1", &src);
    if ((type == 135 || type == 136) && len >= 24) {
        sim_ip target = sim_ip6(icmp + 8);
        if (type == 135)
            net_solicited_node(&target, &dst);
        else
            sim_ip_parse("ff02::1", &dst);
    } else {
        sim_ip_parse(type == 133 ? "ff02::2" : "ff02::1", &dst);
    }
    uint8_t f[1400];
    size_t n = frame(f, &src, &dst, icmp, len);
    sim_pkt *p = sim_pkt_alloc(sim_world_pool(t.w));
    memcpy(sim_pkt_put(p, n), f, n);
    net_eth_input(in, p);
    sim_world_run(t.w, 10 * SIM_SEC);
    sim_world_free(t.w);
    return 0;
}
