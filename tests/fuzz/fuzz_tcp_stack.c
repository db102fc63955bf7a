/* fuzz_tcp_stack — arbitrary bytes as a TCP segment delivered to a host's stack (RFC 9293
 * demux, listener, connection, RST answers): input byte 0 chooses the target (bit 0-1: the
 * established connection, the listener, a closed port; bit 2: make the checksum right so the
 * segment reaches the state machine; bit 3: IPv6), the rest is the TCP segment, whose ports
 * are overwritten to hit the target. The world (hosts a and b on one link, a listener on b:80
 * with backlog 2, a connection a:1000 -> b:80 with data queued both ways) is built per input;
 * after the segment it runs for 70 simulated seconds (past TIME-WAIT). Nothing may crash, the
 * drop counters must account for bad segments, and every packet buffer must come back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "sim/link.h"
#include "sim/node.h"
#include "sim/socket.h"
#include "sim/stack/net.h"
#include "sim/world.h"

static void add_addr(sim_iface *i, const char *p)
{
    sim_ip ip;
    unsigned plen;
    sim_prefix_parse(p, &ip, &plen);
    sim_iface_add_addr(i, &ip, plen);
}

static void drain_reads(sim_sock *s, void *ctx)
{
    char buf[512];
    while (sim_tcp_recv(s, buf, sizeof buf) > 0)
        ;
}

static void accept_all(sim_sock *l, void *ctx)
{
    sim_sock *c;
    while ((c = sim_tcp_accept(l))) {
        sim_tcp_send(c, "server", 6);
        drain_reads(c, NULL);
    }
}

/* Sends seg[0..len) from a to b as IPv4 / IPv6 protocol 6, checksum fixed when asked. */
static void inject(sim_node *a, bool v6, bool fix, uint8_t *seg, size_t len)
{
    sim_ip src, dst;
    sim_ip_parse(v6 ? "fd00::1" : "10.0.0.1", &src);
    sim_ip_parse(v6 ? "fd00::2" : "10.0.0.2", &dst);
    if (fix && len >= 18) {
        seg[16] = seg[17] = 0;
        uint32_t sum = v6 ? net_csum_pseudo6(src.b, dst.b, 6, (uint32_t)len)
                          : net_csum_pseudo4(src.b, dst.b, 6, (uint32_t)len);
        uint16_t c = net_csum_fold(net_csum_add(sum, seg, len));
        seg[16] = (uint8_t)(c >> 8);
        seg[17] = (uint8_t)c;
    }
    sim_pkt *pkt = sim_pkt_alloc(sim_world_pool(a->world));
    memcpy(sim_pkt_put(pkt, len), seg, len);
    if (v6)
        net_ip6_output(a, pkt, &src, &dst, 6, 64, NULL);
    else
        net_ip4_output(a, pkt, &src, &dst, 6, 64);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 1400)
        return 0;
    uint8_t mode = data[0];
    bool v6 = mode & 8;
    uint8_t seg[1400];
    size_t len = size - 1;
    memcpy(seg, data + 1, len);

    sim_world_opts o = { .seed = 1 };
    sim_world *w = sim_world_new(&o, NULL);
    sim_link_props p;
    sim_link_props_default(&p);
    sim_link *l = sim_link_new(w, "ab", SIM_LINK_P2P, &p, NULL);
    sim_node *a = sim_node_new(w, "a", SIM_NODE_HOST, NULL);
    sim_node *b = sim_node_new(w, "b", SIM_NODE_HOST, NULL);
    sim_iface *ia = sim_node_attach(a, l, NULL, NULL), *ib = sim_node_attach(b, l, NULL, NULL);
    add_addr(ia, "10.0.0.1/24");
    add_addr(ia, "fd00::1/64");
    add_addr(ib, "10.0.0.2/24");
    add_addr(ib, "fd00::2/64");
    int fam = v6 ? SIM_AF_INET6 : SIM_AF_INET;
    sim_tcp_opts small = { .sndbuf = 2048, .rcvbuf = 2048 }; /* cheap connections */
    sim_sock *lst = sim_tcp_open(b, fam);
    sim_tcp_set_opts(lst, &small);
    sim_ep lep = { { .family = (uint8_t)fam }, 80 };
    sim_sock_bind(lst, &lep);
    sim_tcp_listen(lst, 2);
    sim_tcp_cbs lcb = { .acceptable = accept_all, .readable = drain_reads };
    sim_tcp_set_callbacks(lst, &lcb);
    sim_sock *c = sim_tcp_open(a, fam);
    sim_tcp_set_opts(c, &small);
    sim_ep cep = { { .family = (uint8_t)fam }, 1000 }, to;
    sim_sock_bind(c, &cep);
    sim_ep_parse(v6 ? "[fd00::2]:80" : "10.0.0.2:80", &to);
    sim_tcp_connect(c, &to);
    sim_tcp_send(c, "client", 6);
    sim_world_run(w, 100 * SIM_MS);

    if (len >= 4) { /* aim: the connection, the listener, or a closed port */
        uint16_t sport = (mode & 3) == 0 ? 1000 : 2000 + (seg[0] & 7);
        uint16_t dport = (mode & 3) == 2 ? 81 : 80;
        seg[0] = (uint8_t)(sport >> 8);
        seg[1] = (uint8_t)sport;
        seg[2] = (uint8_t)(dport >> 8);
        seg[3] = (uint8_t)dport;
    }
    uint64_t bad_before = b->drops[SIM_DROP_MALFORMED] + b->drops[SIM_DROP_BAD_CHECKSUM];
    inject(a, v6, mode & 4, seg, len);
    sim_world_run(w, 200 * SIM_MS);
    uint64_t bad_after = b->drops[SIM_DROP_MALFORMED] + b->drops[SIM_DROP_BAD_CHECKSUM];
    if (len < 20 && bad_after == bad_before)
        abort(); /* a segment shorter than a header must be dropped and counted */
    (void)sim_tcp_state(c);
    (void)sim_tcp_error(c);
    sim_sock_close(c);
    sim_sock_close(lst);
    sim_world_run(w, 70 * SIM_SEC);
    if (sim_pkt_pool_outstanding(sim_world_pool(w)) != 0)
        abort();
    sim_world_free(w);
    return 0;
}
