/* sim/stack/arp.c — ARP (RFC 826) and the neighbour cache it shares with NDP (RFC 4861).
 *
 * ARP for Ethernet / IPv4, 28 bytes:
 *   htype=1 (2) | ptype=0x0800 (2) | hlen=6 | plen=4 | op (2) 1=request 2=reply
 *   sender MAC (6) | sender IP (4) | target MAC (6) | target IP (4)
 *
 * Cache: one entry per (interface, next hop). An unresolved entry holds up to NET_NEIGH_QUEUE
 * packets and retransmits its request every second; after NET_NEIGH_TRIES requests the queued
 * packets are dropped (SIM_DROP_UNRESOLVED). A resolved entry is used for NET_NEIGH_LIFETIME,
 * then resolved again. Entries live until the node goes, so steady traffic never mallocs. */
#include <string.h>
#include "sim/stack/net_priv.h"

#define ARP_LEN 28
#define ARP_REQUEST 1
#define ARP_REPLY 2

static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static net_neigh *neigh_find(sim_iface *i, const sim_ip *ip)
{
    net_neigh key = { .iface = i, .ip = *ip };
    return g_hash_table_lookup(i->node->net->neigh, &key);
}

static void neigh_solicit(net_neigh *e)
{
    if (e->ip.family == SIM_AF_INET)
        net_arp_request(e->iface, &e->ip);
    else
        net_ndp_solicit(e->iface, &e->ip);
}

/* Drops everything queued on e; a router tells the sender (RFC 1812 4.3.3.1, RFC 4443 3.1). */
static void neigh_fail(net_neigh *e)
{
    sim_node *n = e->iface->node;
    /* Detach first: an error sent below may itself come back to this entry. */
    sim_pkt *q = e->q_head;
    e->q_head = e->q_tail = NULL;
    e->q_len = 0;
    while (q) {
        sim_pkt *p = q;
        q = p->next;
        p->next = NULL;
        if (p->in) {
            if (e->ip.family == SIM_AF_INET)
                net_icmp4_error(n, p, 3, 1);
            else
                net_icmp6_error(n, p, 1, 3, 0);
        }
        sim_node_drop(n, e->iface, p, SIM_DROP_UNRESOLVED,
                      e->ip.family == SIM_AF_INET ? "no ARP reply" : "no neighbor advertisement");
    }
}

static void neigh_timer(sim_timer *t, void *ctx)
{
    net_neigh *e = ctx;
    if (e->tries >= NET_NEIGH_TRIES) {
        neigh_fail(e);
        return;
    }
    e->tries++;
    neigh_solicit(e);
    sim_timer_in(e->timer, NET_NEIGH_RETRANS);
}

static net_neigh *neigh_new(sim_iface *i, const sim_ip *ip)
{
    net_state *st = i->node->net;
    net_neigh *e = g_new0(net_neigh, 1);
    e->iface = i;
    e->ip = *ip;
    e->timer = sim_timer_new(i->node->world, neigh_timer, e);
    g_hash_table_add(st->neigh, e);
    g_ptr_array_add(st->neigh_list, e);
    return e;
}

static void neigh_xmit(net_neigh *e, sim_pkt *pkt)
{
    net_eth_output(e->iface, pkt, e->mac,
                   e->ip.family == SIM_AF_INET ? NET_ETHERTYPE_IPV4 : NET_ETHERTYPE_IPV6);
}

void net_neigh_send(sim_iface *out, const sim_ip *nexthop, sim_pkt *pkt)
{
    sim_node *n = out->node;
    sim_time_t now = sim_world_now(n->world);
    net_neigh *e = neigh_find(out, nexthop);
    if (e && e->resolved && now < e->expires) {
        neigh_xmit(e, pkt);
        return;
    }
    if (!e)
        e = neigh_new(out, nexthop);
    e->resolved = false;
    if (e->q_len == NET_NEIGH_QUEUE) {
        sim_pkt *old = e->q_head;
        e->q_head = old->next;
        old->next = NULL;
        e->q_len--;
        sim_node_drop(n, out, old, SIM_DROP_UNRESOLVED, "resolution queue full");
    }
    pkt->next = NULL;
    if (e->q_tail)
        e->q_tail->next = pkt;
    else
        e->q_head = pkt;
    e->q_tail = pkt;
    e->q_len++;
    if (!sim_timer_armed(e->timer)) {
        e->tries = 1;
        neigh_solicit(e);
        sim_timer_in(e->timer, NET_NEIGH_RETRANS);
    }
}

void net_neigh_update(sim_iface *i, const sim_ip *ip, const uint8_t mac[6], bool create)
{
    net_neigh *e = neigh_find(i, ip);
    if (!e) {
        if (!create)
            return;
        e = neigh_new(i, ip);
    }
    memcpy(e->mac, mac, 6);
    e->resolved = true;
    e->expires = sim_world_now(i->node->world) + NET_NEIGH_LIFETIME;
    sim_timer_cancel(e->timer);
    e->tries = 0;
    while (e->q_head) {
        sim_pkt *p = e->q_head;
        e->q_head = p->next;
        p->next = NULL;
        neigh_xmit(e, p);
    }
    e->q_tail = NULL;
    e->q_len = 0;
}

void net_neigh_free_all(net_state *st)
{
    sim_pkt_pool *pool = net_pool(st->node);
    for (guint k = 0; k < st->neigh_list->len; k++) {
        net_neigh *e = g_ptr_array_index(st->neigh_list, k);
        while (e->q_head) {
            sim_pkt *p = e->q_head;
            e->q_head = p->next;
            sim_pkt_free(pool, p);
        }
        sim_timer_free(e->timer);
        g_free(e);
    }
    g_ptr_array_set_size(st->neigh_list, 0);
    g_hash_table_remove_all(st->neigh);
}

/* Builds and sends one ARP packet. */
static void arp_send(sim_iface *i, uint16_t op, const uint8_t eth_dst[6], const uint8_t tha[6],
                     const uint8_t spa[4], const uint8_t tpa[4])
{
    sim_pkt *pkt = sim_pkt_alloc(net_pool(i->node));
    uint8_t *a = sim_pkt_put(pkt, ARP_LEN);
    net_wr16(a, 1);
    net_wr16(a + 2, NET_ETHERTYPE_IPV4);
    a[4] = 6;
    a[5] = 4;
    net_wr16(a + 6, op);
    memcpy(a + 8, i->mac, 6);
    memcpy(a + 14, spa, 4);
    memcpy(a + 18, tha, 6);
    memcpy(a + 24, tpa, 4);
    net_eth_output(i, pkt, eth_dst, NET_ETHERTYPE_ARP);
}

void net_arp_request(sim_iface *i, const sim_ip *ip)
{
    static const uint8_t zero[6];
    const sim_ip *src = net_iface_src(i, ip);
    arp_send(i, ARP_REQUEST, bcast_mac, zero, src ? src->b : zero, ip->b);
}

void net_arp_announce(sim_iface *i, const sim_ip *ip)
{
    static const uint8_t zero[6];
    arp_send(i, ARP_REQUEST, bcast_mac, zero, ip->b, ip->b);
}

void net_arp_probe(sim_iface *i, const sim_ip *ip)
{
    static const uint8_t zero[6];
    arp_send(i, ARP_REQUEST, bcast_mac, zero, zero, ip->b);
}

static bool iface_has_addr4(const sim_iface *i, const sim_ip *ip)
{
    for (guint k = 0; k < i->addrs4->len; k++)
        if (sim_ip_eq(&g_array_index(i->addrs4, sim_ifaddr, k).ip, ip))
            return true;
    return false;
}

void net_arp_input(sim_iface *in, sim_pkt *pkt)
{
    sim_node *n = in->node;
    cur c;
    cur_init(&c, pkt->data, pkt->len);
    uint16_t htype = cur_u16(&c), ptype = cur_u16(&c);
    uint8_t hlen = cur_u8(&c), plen = cur_u8(&c);
    uint16_t op = cur_u16(&c);
    uint8_t sha[6], tha[6];
    sim_ip spa = { .family = SIM_AF_INET }, tpa = { .family = SIM_AF_INET };
    cur_copy(&c, sha, 6);
    cur_copy(&c, spa.b, 4);
    cur_copy(&c, tha, 6);
    cur_copy(&c, tpa.b, 4);
    if (!cur_ok(&c)) {
        sim_node_drop(n, in, pkt, SIM_DROP_MALFORMED, "short ARP");
        return;
    }
    if (htype != 1 || ptype != NET_ETHERTYPE_IPV4 || hlen != 6 || plen != 4 ||
        (op != ARP_REQUEST && op != ARP_REPLY)) {
        sim_node_drop(n, in, pkt, SIM_DROP_UNSUPPORTED, "ARP hardware/protocol");
        return;
    }
    net_arp_watch_notify(in, op, sha, &spa, tha, &tpa);
    bool has_sender = !sim_ip_is_any(&spa) && !(sha[0] & 1);
    /* RFC 826 "merge": refresh a sender we already know; learn it if the packet is for us. */
    bool for_us = iface_has_addr4(in, &tpa);
    if (has_sender)
        net_neigh_update(in, &spa, sha, for_us);
    if (for_us && op == ARP_REQUEST && !sim_ip_eq(&spa, &tpa))
        arp_send(in, ARP_REPLY, sha, sha, tpa.b, spa.b);
    sim_pkt_free(net_pool(n), pkt);
}
