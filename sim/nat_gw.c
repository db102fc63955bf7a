/* sim/nat_gw.c — the NAT function of a NAT node: rewrites real IPv4 packets in place with
 * RFC 1624 incremental checksum updates, by the table in nat_table.c.
 *   outbound  inside -> outside: source becomes the mapping's outside endpoint (RFC 4787 §4)
 *   inbound   outside -> inside: destination becomes the inside endpoint if the filter admits
 *             the sender (§5), else unsolicited: local socket, drop, or ICMP (REQ-8 territory)
 *   hairpin   inside -> own outside endpoint: back inside with the sender's outside endpoint as
 *             source (REQ-9)
 *   ICMP      echo identifiers are mapped like ports (RFC 5508 §3.1); errors about translated
 *             packets are translated, inner header included (RFC 5508 §4)
 *   TCP       mappings and sessions by SYN / FIN / RST (RFC 5382, table in nat_table.c);
 *             unsolicited SYNs dropped, answered RST, or held 6 s (nat_tcp.c)
 * The gateway also keeps one timer armed at the table's next expiry so mappings expire (and
 * are logged) at the right virtual time with no traffic. */
#include <errno.h>
#include <string.h>
#include "sim/cursor.h"
#include "sim/nat_priv.h"
#include "sim/stack/net.h"
#include "sim/stack/tcp.h"
#include "sim/timer.h"
#include "sim/trace.h"

#define ICMP_ECHO_REPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_SOURCE_QUENCH 4
#define ICMP_ECHO 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAM_PROBLEM 12
#define ICMP_PORT_UNREACH 3 /* code of ICMP_DEST_UNREACH */

static uint16_t nat_get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static void nat_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Parses an IPv4 header at p (avail bytes present). `inner` allows a truncated packet (the
 * copy inside an ICMP error). Returns 0 or -EBADMSG. */
static int nat_ip_parse(uint8_t *p, size_t avail, bool inner, nat_ip *ip)
{
    cur c;
    cur_init(&c, p, avail);
    uint8_t vihl = cur_u8(&c);
    cur_skip(&c, 1);
    uint16_t total = cur_u16(&c);
    cur_skip(&c, 2);
    uint16_t frag = cur_u16(&c);
    cur_skip(&c, 1);
    ip->proto = cur_u8(&c);
    cur_skip(&c, 2);
    const uint8_t *s = cur_bytes(&c, 4), *d = cur_bytes(&c, 4);
    ip->ihl = (size_t)(vihl & 0x0F) * 4;
    if (!cur_ok(&c) || vihl >> 4 != 4 || ip->ihl < NET_IP4_HLEN || total < ip->ihl ||
        ip->ihl > avail || (!inner && total > avail))
        return -EBADMSG;
    ip->hdr = p;
    ip->len = MIN((size_t)total, avail);
    ip->later_frag = (frag & 0x1FFF) != 0;
    ip->src = (sim_ip){ .family = SIM_AF_INET };
    ip->dst = (sim_ip){ .family = SIM_AF_INET };
    memcpy(ip->src.b, s, 4);
    memcpy(ip->dst.b, d, 4);
    ip->l4 = p + ip->ihl;
    ip->l4len = ip->len - ip->ihl;
    return 0;
}

/* Offsets in the transport header of the port (or ICMP identifier) and checksum. */
static size_t nat_port_off(uint8_t proto, bool src) { return proto == 1 ? 4 : src ? 0 : 2; }
static size_t nat_csum_off(uint8_t proto) { return proto == 17 ? 6 : proto == 6 ? 16 : 2; }

/* RFC 1624 update of the checksum field at f for old -> new words. For UDP a zero checksum
 * means "none" and stays zero, and a computed zero is sent as 0xFFFF (RFC 768). */
static void nat_csum_fix(uint8_t *f, const uint8_t *old, const uint8_t *new, size_t words, bool udp)
{
    uint16_t c = nat_get16(f);
    if (udp && c == 0)
        return;
    c = net_csum_replace(c, old, new, words);
    if (udp && c == 0)
        c = 0xFFFF;
    nat_put16(f, c);
}

/* Rewrites the source (src) or destination address of ip to to->ip and, when the transport
 * header holds it, the port (ICMP: the echo identifier) to to->port; fixes the IPv4 header
 * checksum and the transport checksum (pseudo-header included for UDP/TCP) incrementally.
 * Works on a truncated inner packet too: fields not present are left alone. */
static void nat_rewrite(nat_ip *ip, bool src, const sim_ep *to, bool with_port)
{
    uint8_t old[6] = { 0 }, new[6] = { 0 };
    uint8_t *addr = ip->hdr + (src ? 12 : 16);
    size_t poff = nat_port_off(ip->proto, src), coff = nat_csum_off(ip->proto);
    bool port = with_port && !ip->later_frag && ip->l4len >= poff + 2;
    bool csum = !ip->later_frag && ip->l4len >= coff + 2 &&
                (ip->proto == 17 || ip->proto == 6 || (ip->proto == 1 && port));
    memcpy(old, addr, 4);
    memcpy(new, to->ip.b, 4);
    if (port) {
        memcpy(old + 4, ip->l4 + poff, 2);
        nat_put16(new + 4, to->port);
    }
    nat_csum_fix(ip->hdr + 10, old, new, 2, false);
    if (csum && ip->proto == 1)
        nat_csum_fix(ip->l4 + coff, old + 4, new + 4, 1, false); /* no pseudo-header */
    else if (csum)
        nat_csum_fix(ip->l4 + coff, old, new, port ? 3 : 2, ip->proto == 17);
    memcpy(addr, new, 4);
    if (port)
        memcpy(ip->l4 + poff, new + 4, 2);
    if (src)
        ip->src = to->ip;
    else
        ip->dst = to->ip;
}

/* The transport endpoints of ip: source and destination ports (ICMP: the identifier as the
 * inside/outside "port", remote port 0). Returns false when the header is too short. */
static bool nat_ports(const nat_ip *ip, sim_ep *src, sim_ep *dst)
{
    cur c;
    cur_init(&c, ip->l4, ip->l4len);
    src->ip = ip->src;
    dst->ip = ip->dst;
    if (ip->proto == 1) {
        cur_skip(&c, 4);
        uint16_t id = cur_u16(&c);
        src->port = dst->port = id;
    } else {
        src->port = cur_u16(&c);
        dst->port = cur_u16(&c);
    }
    return cur_ok(&c) && !ip->later_frag;
}

/* ---- logging ---- */

static const char *const nat_event_kinds[] = { "nat.create", "nat.refresh", "nat.expire" };

/* Table callback: one log record per create / refresh / expire, only when the log is on. */
static void nat_gw_event(void *ctx, nat_event ev, const nat_entry *e, sim_time_t now)
{
    nat_gw *g = ctx;
    trace_log *log = sim_world_log(g->node->world);
    if (!trace_log_on(log))
        return;
    char buf[SIM_EP_STRLEN];
    GString *r = trace_log_begin(log, now, g->node->name, nat_event_kinds[ev]);
    trace_log_str(r, "proto", nat_proto_name(e->proto));
    trace_log_str(r, "inside", sim_ep_fmt(&e->inside, buf, sizeof buf));
    trace_log_str(r, "outside", sim_ep_fmt(&e->outside, buf, sizeof buf));
    const sim_ep *remote = ev != NAT_EV_EXPIRE && g->cur_remote ? g->cur_remote
                           : e->remote.ip.family ? &e->remote : NULL;
    if (remote)
        trace_log_str(r, "remote", sim_ep_fmt(remote, buf, sizeof buf));
    if (ev != NAT_EV_EXPIRE)
        trace_log_num(r, "expires", sim_time_sec(e->expires));
    if (e->proto == NET_PROTO_TCP && ev != NAT_EV_EXPIRE)
        trace_log_str(r, "state", nat_tcp_state_name(e->tcp_state));
    trace_log_int(r, "id", (int64_t)e->id);
    trace_log_end(log, r);
}

/* Logs that no outside port was free for inside -> remote. */
static void nat_gw_log_exhausted(nat_gw *g, uint8_t proto, const sim_ep *inside,
                                 const sim_ep *remote)
{
    trace_log *log = sim_world_log(g->node->world);
    if (!trace_log_on(log))
        return;
    char buf[SIM_EP_STRLEN];
    GString *r = trace_log_begin(log, sim_world_now(g->node->world), g->node->name,
                                 "nat.exhausted");
    trace_log_str(r, "proto", nat_proto_name(proto));
    trace_log_str(r, "inside", sim_ep_fmt(inside, buf, sizeof buf));
    trace_log_str(r, "remote", sim_ep_fmt(remote, buf, sizeof buf));
    trace_log_end(log, r);
}

/* ---- lifecycle ---- */

/* Keeps the expiry timer armed at the table's next expiry. Arming late is harmless (the
 * timer fires, expires nothing, re-arms), so this only re-arms when something expires sooner. */
static void nat_gw_arm(nat_gw *g)
{
    sim_time_t next = nat_table_next_expiry(g->table);
    if (next != SIM_TIME_NEVER && next < sim_timer_deadline(g->timer))
        sim_timer_at(g->timer, next);
}

static void nat_gw_timer_fired(sim_timer *tm, void *ctx)
{
    nat_gw *g = ctx;
    if (!g->table)
        return;
    g->cur_remote = NULL;
    nat_table_expire(g->table, sim_world_now(g->node->world));
    nat_gw_arm(g);
}

/* True when a socket of the NAT host itself owns outside port `port` of protocol proto. */
static bool nat_gw_host_owns(nat_gw *g, uint8_t proto, const sim_ep *outside)
{
    if (proto == NET_PROTO_UDP)
        return net_udp_bound(g->node, outside);
    return proto == NET_PROTO_TCP && net_tcp_bound(g->node, outside);
}

/* NAT-host sockets own their ports: the table never assigns them. */
static bool nat_gw_port_busy(void *ctx, uint8_t proto, uint16_t port)
{
    nat_gw *g = ctx;
    sim_ep ep = { .ip = *nat_table_outside(g->table), .port = port };
    return nat_gw_host_owns(g, proto, &ep);
}

int nat_gw_install(sim_node *n, const nat_config *c, GError **err)
{
    if (n->kind != SIM_NODE_NAT || n->nat) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INVAL, "node '%s' is not a NAT node without a NAT",
                    n->name);
        return -EINVAL;
    }
    if (nat_config_check(c, err) < 0)
        return -EINVAL;
    nat_gw *g = g_new0(nat_gw, 1);
    g->node = n;
    g->cfg = *c;
    g->timer = sim_timer_new(n->world, nat_gw_timer_fired, g);
    nat_gw_tcp_init(g);
    n->nat = g;
    n->forwarding = true;
    return 0;
}

void nat_gw_free(nat_gw *g)
{
    if (!g)
        return;
    sim_timer_free(g->timer);
    nat_gw_tcp_clear(g);
    nat_table_free(g->table);
    g_free(g);
}

int nat_gw_set_side(nat_gw *g, sim_iface *i, sim_nat_side side)
{
    if (!i || i->node != g->node || (unsigned)side > SIM_NAT_OUTSIDE)
        return -EINVAL;
    i->nat_side = side;
    return 0;
}

const nat_config *nat_gw_config(const nat_gw *g) { return &g->cfg; }

nat_table *nat_gw_table(nat_gw *g) { return g->table; }

/* The table, made on first use from the first outside interface's first IPv4 address. */
static nat_table *nat_gw_ready(nat_gw *g)
{
    if (g->table)
        return g->table;
    for (guint k = 0; k < g->node->ifaces->len; k++) {
        sim_iface *i = g_ptr_array_index(g->node->ifaces, k);
        const sim_ip *a = i->nat_side == SIM_NAT_OUTSIDE ? sim_iface_addr(i, SIM_AF_INET) : NULL;
        if (a) {
            g->table = nat_table_new(&g->cfg, a, &g->node->rng);
            nat_table_on_event(g->table, nat_gw_event, g);
            nat_table_set_port_busy(g->table, nat_gw_port_busy, g);
            break;
        }
    }
    return g->table;
}

/* ---- drops and unsolicited packets ---- */

nat_verdict nat_gw_drop(nat_gw *g, sim_iface *in, sim_pkt *pkt, sim_drop_reason r,
                        const char *fmt, ...)
{
    char *detail = NULL;
    if (sim_node_log_on(g->node)) {
        va_list ap;
        va_start(ap, fmt);
        detail = g_strdup_vprintf(fmt, ap);
        va_end(ap);
    }
    sim_node_drop(g->node, in, pkt, r, detail);
    g_free(detail);
    return NAT_VERDICT_CONSUMED;
}

/* Inbound packet with no mapping or refused by the filter: the NAT host's own socket gets it,
 * else it is dropped, answered with ICMP port unreachable when so configured (RFC 4787 §5
 * allows either; for UDP "rst" means ICMP too; ICMP queries are never answered). TCP has its
 * own rules (nat_tcp.c). */
static nat_verdict nat_gw_unsolicited(nat_gw *g, sim_iface *in, sim_pkt *pkt, const nat_ip *ip,
                                      const sim_ep *remote, const sim_ep *outside,
                                      nat_inbound_result r, const nat_entry *e)
{
    if (nat_gw_host_owns(g, ip->proto, outside))
        return NAT_VERDICT_LOCAL; /* for the NAT host's own socket */
    if (ip->proto == NET_PROTO_TCP)
        return nat_gw_tcp_unsolicited(g, in, pkt, ip, remote, outside, r);
    if (ip->proto == NET_PROTO_UDP && g->cfg.unsolicited != NAT_UNSOLICITED_DROP)
        net_icmp4_error(g->node, pkt, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH);
    char rb[SIM_EP_STRLEN], ob[SIM_EP_STRLEN];
    if (sim_node_log_on(g->node)) {
        sim_ep_fmt(remote, rb, sizeof rb);
        sim_ep_fmt(outside, ob, sizeof ob);
    }
    if (r == NAT_IN_NO_MAPPING)
        return nat_gw_drop(g, in, pkt, SIM_DROP_NAT_NO_MAPPING, "no mapping for %s %s from %s",
                           nat_proto_name(ip->proto), ob, rb);
    GString *s = NULL;
    if (sim_node_log_on(g->node)) {
        s = g_string_new(NULL);
        nat_entry_fmt(e, sim_world_now(g->node->world), s);
    }
    nat_verdict v = nat_gw_drop(g, in, pkt, SIM_DROP_NAT_FILTERED, "%s filtered by %s", rb,
                                s ? s->str : "");
    if (s)
        g_string_free(s, TRUE);
    return v;
}

/* ---- ICMP errors (RFC 5508 §4) ---- */

static bool nat_icmp_is_error(uint8_t type)
{
    return type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH ||
           type == ICMP_TIME_EXCEEDED || type == ICMP_PARAM_PROBLEM;
}

/* Recomputes the ICMP checksum over the whole message (it covers the embedded packet, several
 * words of which changed). Errors are rare, so the full sum costs nothing that matters. */
static void nat_icmp_resum(nat_ip *ip)
{
    nat_put16(ip->l4 + 2, 0);
    nat_put16(ip->l4 + 2, net_csum_fold(net_csum_add(0, ip->l4, ip->l4len)));
}

/* The embedded packet of an ICMP error and its endpoints (ICMP: remote "port" 0). Only UDP,
 * TCP and echo requests are translated. Returns false when it is not one we can handle. */
static bool nat_icmp_inner(nat_ip *ip, nat_ip *inner, sim_ep *src, sim_ep *dst)
{
    if (ip->l4len < 8 || nat_ip_parse(ip->l4 + 8, ip->l4len - 8, true, inner) < 0)
        return false;
    if (inner->proto == NET_PROTO_ICMP) {
        if (!inner->l4len || inner->l4[0] != ICMP_ECHO) /* only echo requests go out mapped */
            return false;
    } else if (inner->proto != NET_PROTO_UDP && inner->proto != NET_PROTO_TCP) {
        return false;
    }
    if (!nat_ports(inner, src, dst))
        return false;
    if (inner->proto == NET_PROTO_ICMP)
        dst->port = 0;
    return true;
}

/* True when the ICMP checksum of ip verifies. */
static bool nat_icmp_csum_ok(const nat_ip *ip)
{
    return net_csum_fold(net_csum_add(0, ip->l4, ip->l4len)) == 0;
}

/* ICMP error from outside about a packet we sent out for an inside host: the embedded packet's
 * source is our outside endpoint. Outer destination and embedded source go back to the inside
 * endpoint. No mapping: the NAT host's own business (LOCAL). */
static nat_verdict nat_gw_icmp_error_in(nat_gw *g, sim_iface *in, sim_pkt *pkt, nat_ip *ip)
{
    nat_ip inner;
    sim_ep esrc, edst;
    if (!nat_icmp_inner(ip, &inner, &esrc, &edst))
        return NAT_VERDICT_LOCAL;
    nat_entry *e = nat_table_find_outside(g->table, inner.proto, &esrc);
    if (!e)
        return NAT_VERDICT_LOCAL;
    if (!nat_icmp_csum_ok(ip))
        return nat_gw_drop(g, in, pkt, SIM_DROP_BAD_CHECKSUM, "icmp error checksum");
    if (!nat_table_admits(g->table, e, &edst)) /* the embedded packet went to an admitted peer */
        return nat_gw_drop(g, in, pkt, SIM_DROP_NAT_FILTERED, "icmp error about a packet to "
                           "a remote the mapping does not admit");
    nat_rewrite(ip, false, &e->inside, false);
    nat_rewrite(&inner, true, &e->inside, true);
    nat_icmp_resum(ip);
    return NAT_VERDICT_FORWARD;
}

/* ICMP error from an inside host (or router) about a packet we translated inbound: outer
 * source and embedded destination become the outside endpoint. */
static nat_verdict nat_gw_icmp_error_out(nat_gw *g, sim_iface *in, sim_pkt *pkt, nat_ip *ip)
{
    nat_ip inner;
    sim_ep esrc, edst;
    nat_entry *e = NULL;
    if (nat_icmp_inner(ip, &inner, &esrc, &edst) && inner.proto != NET_PROTO_ICMP)
        e = nat_table_find_inside(g->table, inner.proto, &edst, &esrc);
    if (!e)
        return nat_gw_drop(g, in, pkt, SIM_DROP_NAT_NO_MAPPING,
                           "icmp error about a packet the NAT did not translate");
    if (!nat_icmp_csum_ok(ip))
        return nat_gw_drop(g, in, pkt, SIM_DROP_BAD_CHECKSUM, "icmp error checksum");
    sim_ep out = e->outside;
    nat_rewrite(ip, true, &out, false);
    nat_rewrite(&inner, false, &out, true);
    nat_icmp_resum(ip);
    return NAT_VERDICT_FORWARD;
}

/* ---- the three directions ---- */

/* Which side the route to dst leaves by (NONE: no route or an unmarked interface). */
static sim_nat_side nat_gw_route_side(const sim_node *n, const sim_ip *dst)
{
    const sim_route *r = sim_node_route(n, dst);
    if (r && !r->dev && r->gw.family != SIM_AF_NONE)
        r = sim_node_route(n, &r->gw);
    return r && r->dev ? r->dev->nat_side : SIM_NAT_NONE;
}

/* Outbound mapping for inside -> remote (TCP: by the segment's flags), logging and accounting
 * exhaustion and TCP segments outside any session. NULL when refused (pkt consumed). */
static nat_entry *nat_gw_map_out(nat_gw *g, sim_iface *in, sim_pkt *pkt, const nat_ip *ip,
                                 const sim_ep *inside, const sim_ep *remote)
{
    nat_entry *e = NULL;
    sim_time_t now = sim_world_now(g->node->world);
    uint8_t flags = ip->proto == NET_PROTO_TCP ? nat_tcp_flags(ip) : 0;
    g->cur_remote = remote;
    int rc = ip->proto == NET_PROTO_TCP
                 ? nat_table_tcp_out(g->table, now, inside, remote, flags, &e)
                 : nat_table_outbound(g->table, now, ip->proto, inside, remote, &e);
    g->cur_remote = NULL;
    if (rc == 0 && (flags & TCP_SYN))
        nat_gw_tcp_crossed(g, remote, &e->outside);
    if (rc == 0)
        return e;
    char ib[SIM_EP_STRLEN] = "", rb[SIM_EP_STRLEN] = "";
    if (sim_node_log_on(g->node)) {
        sim_ep_fmt(inside, ib, sizeof ib);
        sim_ep_fmt(remote, rb, sizeof rb);
    }
    if (rc == -ENOENT) { /* RFC 5382 §4: no session the NAT saw open with a SYN */
        g->tcp.no_session++;
        nat_gw_drop(g, in, pkt, SIM_DROP_NAT_NO_MAPPING, "tcp %s -> %s without SYN outside any "
                    "session", ib, rb);
        return NULL;
    }
    nat_gw_log_exhausted(g, ip->proto, inside, remote);
    nat_gw_drop(g, in, pkt, SIM_DROP_NAT_EXHAUSTED, "no free %s port for %s -> %s",
                nat_proto_name(ip->proto), ib, rb);
    return NULL;
}

/* Inbound lookup remote -> outside (TCP: by the segment's flags). */
static nat_inbound_result nat_gw_map_in(nat_gw *g, const nat_ip *ip, const sim_ep *remote,
                                        const sim_ep *outside, nat_entry **e)
{
    sim_time_t now = sim_world_now(g->node->world);
    g->cur_remote = remote;
    nat_inbound_result r =
        ip->proto == NET_PROTO_TCP
            ? nat_table_tcp_in(g->table, now, remote, outside, nat_tcp_flags(ip), e)
            : nat_table_inbound(g->table, now, ip->proto, remote, outside, e);
    g->cur_remote = NULL;
    return r;
}

/* Inside host sends to the NAT's own outside address. A mapping owns the port: hairpin it
 * back inside with the sender's outside endpoint as source, filtered as if it had come from
 * outside (RFC 4787 REQ-9: "external source IP address and port"). Otherwise it is for the
 * NAT itself. */
static nat_verdict nat_gw_hairpin(nat_gw *g, sim_iface *in, sim_pkt *pkt, nat_ip *ip)
{
    sim_ep src, dst;
    if (ip->proto == NET_PROTO_ICMP || !nat_ports(ip, &src, &dst))
        return NAT_VERDICT_LOCAL;
    sim_time_t now = sim_world_now(g->node->world);
    g->cur_remote = NULL;
    nat_table_expire(g->table, now); /* so the target found below stays valid */
    if (!nat_table_find_outside(g->table, ip->proto, &dst))
        return NAT_VERDICT_LOCAL;
    if (!g->cfg.hairpin) {
        char db[SIM_EP_STRLEN] = "";
        if (sim_node_log_on(g->node))
            sim_ep_fmt(&dst, db, sizeof db);
        return nat_gw_drop(g, in, pkt, SIM_DROP_NAT_HAIRPIN, "hairpinning off (to %s)", db);
    }
    if (ip->proto == NET_PROTO_TCP && ip->l4len < 20)
        return nat_gw_drop(g, in, pkt, SIM_DROP_MALFORMED, "short transport header");
    nat_entry *m = nat_gw_map_out(g, in, pkt, ip, &src, &dst);
    if (!m)
        return NAT_VERDICT_CONSUMED;
    sim_ep ext_src = m->outside;
    nat_entry *t = NULL;
    nat_inbound_result r = nat_gw_map_in(g, ip, &ext_src, &dst, &t); /* RFC 5382 REQ-8 */
    nat_gw_arm(g);
    if (r != NAT_IN_OK)
        return nat_gw_unsolicited(g, in, pkt, ip, &ext_src, &dst, r, t);
    nat_rewrite(ip, true, &ext_src, true);
    nat_rewrite(ip, false, &t->inside, true);
    return NAT_VERDICT_FORWARD;
}

/* Packet from an inside interface. */
static nat_verdict nat_gw_from_inside(nat_gw *g, sim_iface *in, sim_pkt *pkt, nat_ip *ip)
{
    const sim_ip *outside = nat_table_outside(g->table);
    if (sim_ip_eq(&ip->dst, outside))
        return nat_gw_hairpin(g, in, pkt, ip);
    if (sim_ip_is_multicast(&ip->dst) || sim_ip_is_broadcast(&ip->dst) ||
        sim_node_has_addr(g->node, &ip->dst) ||
        nat_gw_route_side(g->node, &ip->dst) != SIM_NAT_OUTSIDE)
        return NAT_VERDICT_LOCAL; /* for the NAT, or inside to inside: not translated */
    if (ip->later_frag)
        return nat_gw_drop(g, in, pkt, SIM_DROP_UNSUPPORTED, "non-first fragment");
    if (ip->proto == NET_PROTO_ICMP && ip->l4len >= 8 && nat_icmp_is_error(ip->l4[0]))
        return nat_gw_icmp_error_out(g, in, pkt, ip);
    if (ip->proto == NET_PROTO_ICMP && (ip->l4len < 8 || ip->l4[0] != ICMP_ECHO))
        return nat_gw_drop(g, in, pkt, SIM_DROP_UNSUPPORTED, "icmp type %u not translated",
                           ip->l4len ? ip->l4[0] : 0);
    if (ip->proto != NET_PROTO_UDP && ip->proto != NET_PROTO_TCP && ip->proto != NET_PROTO_ICMP)
        return nat_gw_drop(g, in, pkt, SIM_DROP_UNSUPPORTED, "ip protocol %u not translated",
                           ip->proto);
    sim_ep src, dst;
    if (!nat_ports(ip, &src, &dst) || (ip->proto == NET_PROTO_TCP && ip->l4len < 20))
        return nat_gw_drop(g, in, pkt, SIM_DROP_MALFORMED, "short transport header");
    if (ip->proto == NET_PROTO_ICMP)
        dst.port = 0; /* an echo's remote has no port */
    nat_entry *e = nat_gw_map_out(g, in, pkt, ip, &src, &dst);
    if (!e)
        return NAT_VERDICT_CONSUMED;
    nat_gw_arm(g);
    nat_rewrite(ip, true, &e->outside, true);
    return NAT_VERDICT_FORWARD;
}

/* Packet from an outside interface. */
static nat_verdict nat_gw_from_outside(nat_gw *g, sim_iface *in, sim_pkt *pkt, nat_ip *ip)
{
    if (!sim_ip_eq(&ip->dst, nat_table_outside(g->table)))
        return NAT_VERDICT_LOCAL; /* not for our outside address: plain routing */
    if (ip->later_frag)
        return nat_gw_drop(g, in, pkt, SIM_DROP_UNSUPPORTED, "non-first fragment");
    if (ip->proto == NET_PROTO_ICMP) {
        if (ip->l4len >= 8 && nat_icmp_is_error(ip->l4[0]))
            return nat_gw_icmp_error_in(g, in, pkt, ip);
        if (ip->l4len < 8 || ip->l4[0] != ICMP_ECHO_REPLY)
            return NAT_VERDICT_LOCAL; /* echo requests and the rest: the NAT answers itself */
    } else if (ip->proto != NET_PROTO_UDP && ip->proto != NET_PROTO_TCP) {
        return NAT_VERDICT_LOCAL;
    }
    sim_ep src, dst;
    if (!nat_ports(ip, &src, &dst) || (ip->proto == NET_PROTO_TCP && ip->l4len < 20))
        return nat_gw_drop(g, in, pkt, SIM_DROP_MALFORMED, "short transport header");
    if (ip->proto == NET_PROTO_ICMP)
        src.port = 0;
    nat_entry *e = NULL;
    nat_inbound_result r = nat_gw_map_in(g, ip, &src, &dst, &e);
    if (r != NAT_IN_OK) {
        if (ip->proto == NET_PROTO_ICMP && r == NAT_IN_NO_MAPPING)
            return NAT_VERDICT_LOCAL; /* an echo reply to the NAT's own ping */
        return nat_gw_unsolicited(g, in, pkt, ip, &src, &dst, r, e);
    }
    nat_gw_arm(g);
    nat_rewrite(ip, false, &e->inside, true);
    return NAT_VERDICT_FORWARD;
}

nat_verdict nat_gw_input(nat_gw *g, sim_iface *in, sim_pkt *pkt)
{
    if (!g || !in || in->nat_side == SIM_NAT_NONE || !nat_gw_ready(g))
        return NAT_VERDICT_LOCAL;
    nat_ip ip;
    if (nat_ip_parse(pkt->data, pkt->len, false, &ip) < 0)
        return nat_gw_drop(g, in, pkt, SIM_DROP_MALFORMED, "bad IPv4 header");
    if (in->nat_side == SIM_NAT_INSIDE)
        return nat_gw_from_inside(g, in, pkt, &ip);
    return nat_gw_from_outside(g, in, pkt, &ip);
}

/* ---- printing ---- */

/* One indented line per TCP session of e: "    session 138.76.29.7:80 established +7440.0s". */
static void nat_gw_fmt_sessions(nat_gw *g, const nat_entry *e, sim_time_t now, GString *out)
{
    char rb[SIM_EP_STRLEN];
    GPtrArray *ss = nat_table_sessions(g->table, e);
    for (guint k = 0; k < ss->len; k++) {
        const nat_session *s = g_ptr_array_index(ss, k);
        g_string_append_printf(out, "    session %-22s %-12s %+.1fs\n",
                               sim_ep_fmt(&s->remote, rb, sizeof rb),
                               nat_tcp_state_name(s->state),
                               sim_time_sec(s->expires) - sim_time_sec(now));
    }
    g_ptr_array_unref(ss);
}

const nat_tcp_stats *nat_gw_tcp_stats(const nat_gw *g) { return &g->tcp; }

void nat_gw_fmt_table(nat_gw *g, GString *out)
{
    char ib[SIM_EP_STRLEN], ob[SIM_EP_STRLEN];
    g_string_append_printf(out, "NAT %s", g->node->name);
    if (g->table)
        g_string_append_printf(out, " %s", sim_ip_fmt(nat_table_outside(g->table), ib, sizeof ib));
    g_string_append(out, " (");
    nat_config_fmt(&g->cfg, out);
    g_string_append(out, ")\n");
    if (!g->table || nat_table_size(g->table) == 0) {
        g_string_append(out, "  (no mappings)\n");
        return;
    }
    sim_time_t now = sim_world_now(g->node->world);
    g_string_append_printf(out, "  %-6s %-22s %-22s %-30s %s\n", "proto", "inside", "outside",
                           "permits", "expires");
    GPtrArray *es = nat_table_entries(g->table);
    GString *permits = g_string_new(NULL);
    for (guint k = 0; k < es->len; k++) {
        const nat_entry *e = g_ptr_array_index(es, k);
        g_string_truncate(permits, 0);
        nat_entry_fmt_permits(e, permits);
        g_string_append_printf(out, "  %-6s %-22s %-22s %-30s %+.1fs\n", nat_proto_name(e->proto),
                               sim_ep_fmt(&e->inside, ib, sizeof ib),
                               sim_ep_fmt(&e->outside, ob, sizeof ob), permits->str,
                               sim_time_sec(e->expires) - sim_time_sec(now));
        if (e->proto == NET_PROTO_TCP)
            nat_gw_fmt_sessions(g, e, now, out);
    }
    g_string_free(permits, TRUE);
    g_ptr_array_unref(es);
}
