/* sim/nat_tcp.c — what a NAT gateway does with unsolicited TCP (RFC 5382 §4.3, §7.1), the part
 * that decides whether TCP hole punching works:
 *   "drop"  an unsolicited SYN is dropped silently (most home NATs): the peer's SYN retransmits
 *           until this side's own SYN opens the mapping, and the simultaneous open completes;
 *   "rst"   an unsolicited SYN is answered at once with a RST from the NAT's outside address, as
 *           if the inside host had refused (RFC 9293 3.10.7.1 reset generation): the peer's
 *           connect fails with "connection refused" before this side's SYN gets out;
 *   "icmp"  RFC 5382 REQ-4: the SYN is held for NAT_TCP_SYN_HOLD (6 s). If an outbound SYN of
 *           the same connection (same remote and outside endpoints) is translated meanwhile,
 *           the held SYN is dropped silently (the crossing SYN carries the simultaneous open);
 *           otherwise ICMP port unreachable (type 3 code 3) answers it when the hold ends.
 * Segments without SYN outside any session are always dropped silently (answering them would
 * help nobody and could tear down a connection whose mapping just expired).
 *
 * Held SYNs sit in a fixed ring in the gateway (NAT_TCP_HELD_MAX, no malloc per packet). They
 * all wait the same time, so the ring is in deadline order and one timer at its head serves it.
 * A crossing outbound SYN releases its held SYN in place (O(ring) scan, only when something is
 * held); released slots are skipped when they reach the head. */
#include <errno.h>
#include <string.h>
#include "sim/cursor.h"
#include "sim/nat_priv.h"
#include "sim/stack/net.h"
#include "sim/stack/tcp.h"

#define NAT_ICMP_DEST_UNREACH 3
#define NAT_ICMP_PORT_UNREACH 3

uint8_t nat_tcp_flags(const nat_ip *ip)
{
    cur c;
    cur_init(&c, ip->l4, ip->l4len);
    cur_skip(&c, 13);
    uint8_t flags = cur_u8(&c);
    return cur_ok(&c) ? flags : 0;
}

static nat_held *nat_held_at(nat_gw *g, unsigned k)
{
    return &g->held[(g->held_head + k) % NAT_TCP_HELD_MAX];
}

/* Drops the packet of a held slot with its reason and detail (slot emptied). */
static void nat_held_release(nat_gw *g, nat_held *h, const char *detail)
{
    sim_node_drop(g->node, h->in, h->pkt, h->why, sim_node_log_on(g->node) ? detail : NULL);
    h->pkt = NULL;
}

/* Pops released slots and the ones due at now (answering those with ICMP port unreachable,
 * RFC 5382 REQ-4), then arms the timer at the new head's deadline. */
static void nat_held_run(nat_gw *g, sim_time_t now)
{
    while (g->held_len) {
        nat_held *h = nat_held_at(g, 0);
        if (h->pkt && h->until > now)
            break;
        if (h->pkt) {
            net_icmp4_error(g->node, h->pkt, NAT_ICMP_DEST_UNREACH, NAT_ICMP_PORT_UNREACH);
            g->tcp.held_icmp++;
            nat_held_release(g, h, "unsolicited SYN held 6 s, no outbound SYN crossed it: "
                                   "ICMP port unreachable (RFC 5382 REQ-4)");
        }
        g->held_head = (g->held_head + 1) % NAT_TCP_HELD_MAX;
        g->held_len--;
    }
    if (g->held_len)
        sim_timer_at(g->held_timer, nat_held_at(g, 0)->until);
    else
        sim_timer_cancel(g->held_timer);
}

static void nat_held_fired(sim_timer *tm, void *ctx)
{
    nat_gw *g = ctx;
    nat_held_run(g, sim_world_now(g->node->world));
}

void nat_gw_tcp_init(nat_gw *g)
{
    g->held_timer = sim_timer_new(g->node->world, nat_held_fired, g);
}

void nat_gw_tcp_clear(nat_gw *g)
{
    for (unsigned k = 0; k < g->held_len; k++) {
        nat_held *h = nat_held_at(g, k);
        if (h->pkt)
            sim_pkt_free(sim_world_pool(g->node->world), h->pkt);
    }
    g->held_len = 0;
    sim_timer_free(g->held_timer);
    g->held_timer = NULL;
}

void nat_gw_tcp_crossed(nat_gw *g, const sim_ep *remote, const sim_ep *outside)
{
    if (!g->held_len)
        return;
    for (unsigned k = 0; k < g->held_len; k++) {
        nat_held *h = nat_held_at(g, k);
        if (h->pkt && sim_ep_eq(&h->remote, remote) && sim_ep_eq(&h->outside, outside)) {
            g->tcp.held_crossed++;
            nat_held_release(g, h, "held unsolicited SYN dropped: an outbound SYN of the same "
                                   "connection crossed it (RFC 5382 REQ-4)");
        }
    }
    nat_held_run(g, sim_world_now(g->node->world)); /* frees released slots at the head */
}

/* Holds an unsolicited SYN (takes pkt). */
static nat_verdict nat_tcp_hold(nat_gw *g, sim_iface *in, sim_pkt *pkt, const sim_ep *remote,
                                const sim_ep *outside, sim_drop_reason why)
{
    if (g->held_len == NAT_TCP_HELD_MAX) {
        g->tcp.held_overflow++;
        return nat_gw_drop(g, in, pkt, why, "unsolicited SYN dropped: %u SYNs already held",
                           NAT_TCP_HELD_MAX);
    }
    nat_held *h = nat_held_at(g, g->held_len++);
    *h = (nat_held){
        .pkt = pkt, .in = in, .remote = *remote, .outside = *outside, .why = why,
        .until = sim_world_now(g->node->world) + NAT_TCP_SYN_HOLD,
    };
    g->tcp.syn_held++;
    if (!sim_timer_armed(g->held_timer))
        sim_timer_at(g->held_timer, h->until);
    return NAT_VERDICT_CONSUMED;
}

/* Answers the SYN in ip with a RST from its destination (the NAT's outside endpoint), as the
 * inside host would if nothing listened (RFC 9293 3.10.7.1). Returns 0, -EBADMSG for a
 * malformed segment or bad checksum (not answered), or the output error. */
static int nat_tcp_send_rst(nat_gw *g, const nat_ip *ip)
{
    tcp_seg in, rst;
    if (tcp_seg_decode(ip->l4, ip->l4len, &ip->src, &ip->dst, &in) < 0 ||
        !tcp_seg_reset_for(&in, &rst))
        return -EBADMSG;
    sim_pkt_pool *pool = sim_world_pool(g->node->world);
    sim_pkt *p = sim_pkt_alloc(pool);
    uint8_t *buf = sim_pkt_put(p, TCP_HLEN);
    size_t len = 0;
    int rc = tcp_seg_encode(&rst, &ip->dst, &ip->src, buf, TCP_HLEN, &len);
    if (rc < 0) {
        sim_pkt_free(pool, p);
        return rc;
    }
    rc = net_ip4_output(g->node, p, &ip->dst, &ip->src, NET_PROTO_TCP, NET_DEFAULT_TTL);
    if (rc == 0)
        g->tcp.rst_sent++;
    return rc;
}

nat_verdict nat_gw_tcp_unsolicited(nat_gw *g, sim_iface *in, sim_pkt *pkt, const nat_ip *ip,
                                   const sim_ep *remote, const sim_ep *outside,
                                   nat_inbound_result r)
{
    sim_drop_reason why = r == NAT_IN_FILTERED ? SIM_DROP_NAT_FILTERED : SIM_DROP_NAT_NO_MAPPING;
    char rb[SIM_EP_STRLEN] = "", ob[SIM_EP_STRLEN] = "";
    if (sim_node_log_on(g->node)) {
        sim_ep_fmt(remote, rb, sizeof rb);
        sim_ep_fmt(outside, ob, sizeof ob);
    }
    const char *what = r == NAT_IN_FILTERED ? "filtered" : "no mapping";
    uint8_t flags = nat_tcp_flags(ip);
    if ((flags & (TCP_SYN | TCP_RST)) != TCP_SYN) {
        if (r == NAT_IN_NO_SESSION)
            g->tcp.no_session++;
        return nat_gw_drop(g, in, pkt, why, "tcp %s -> %s without SYN outside any session (%s)",
                           rb, ob, r == NAT_IN_NO_SESSION ? "no session" : what);
    }
    switch (g->cfg.unsolicited) {
    case NAT_UNSOLICITED_ICMP:
        return nat_tcp_hold(g, in, pkt, remote, outside, why);
    case NAT_UNSOLICITED_RST:
        if (nat_tcp_send_rst(g, ip) < 0)
            return nat_gw_drop(g, in, pkt, SIM_DROP_BAD_CHECKSUM,
                               "unsolicited SYN %s -> %s not answered: bad tcp segment", rb, ob);
        return nat_gw_drop(g, in, pkt, why, "unsolicited SYN %s -> %s (%s): answered RST", rb,
                           ob, what);
    default:
        return nat_gw_drop(g, in, pkt, why, "unsolicited SYN %s -> %s (%s)", rb, ob, what);
    }
}
