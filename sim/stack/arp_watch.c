/* sim/stack/arp_watch.c — observers of the ARP packets arriving on an interface (sim/socket.h
 * sim_arp_watch_*): what a DHCP client needs for its address check (RFC 2131 2.2) and an IPv4
 * link-local daemon for probing and defence (RFC 3927 2.2.1, 2.5; RFC 5227 2.1.1). The stack
 * calls net_arp_watch_notify for every well-formed ARP packet before it answers it, so a
 * watcher sees a probe for its own address exactly as a raw ARP socket would.
 *
 * Watchers live in one array per node, in registration order (output order never depends on
 * pointers); a node rarely has more than one per interface, so the scan is short. A removed
 * watcher is only marked (it may be removed from inside a callback) and compacted away before
 * the next packet is handed out. */
#include <string.h>
#include "sim/stack/net_priv.h"

struct sim_arp_watch {
    sim_iface *iface;
    sim_arp_watch_fn fn;
    void *ctx;
    bool dead;
};

sim_arp_watch *sim_arp_watch_add(sim_iface *iface, sim_arp_watch_fn fn, void *ctx)
{
    net_state *st = iface->node->net;
    if (!st->arp_watch)
        st->arp_watch = g_ptr_array_new_with_free_func(g_free);
    sim_arp_watch *w = g_new0(sim_arp_watch, 1);
    w->iface = iface;
    w->fn = fn;
    w->ctx = ctx;
    g_ptr_array_add(st->arp_watch, w);
    return w;
}

static void watch_compact(net_state *st)
{
    for (guint k = 0; st->arp_watch && k < st->arp_watch->len;) {
        sim_arp_watch *w = g_ptr_array_index(st->arp_watch, k);
        if (w->dead)
            g_ptr_array_remove_index(st->arp_watch, k); /* keeps order, frees w */
        else
            k++;
    }
}

void sim_arp_watch_del(sim_arp_watch *w)
{
    if (!w)
        return;
    w->dead = true;
    w->fn = NULL;
}

void net_arp_watch_notify(sim_iface *in, uint16_t op, const uint8_t sha[6], const sim_ip *spa,
                          const uint8_t tha[6], const sim_ip *tpa)
{
    net_state *st = in->node->net;
    watch_compact(st);
    if (!st->arp_watch || !st->arp_watch->len)
        return;
    sim_arp_seen a = { .op = op, .sender_ip = *spa, .target_ip = *tpa };
    memcpy(a.sender_mac, sha, 6);
    memcpy(a.target_mac, tha, 6);
    /* Watchers added during the loop are seen from the next packet on. */
    guint n = st->arp_watch->len;
    for (guint k = 0; k < n; k++) {
        sim_arp_watch *w = g_ptr_array_index(st->arp_watch, k);
        if (!w->dead && w->iface == in)
            w->fn(in, &a, w->ctx);
    }
}

void net_arp_watch_free_all(net_state *st)
{
    if (st->arp_watch)
        g_ptr_array_unref(st->arp_watch);
    st->arp_watch = NULL;
}
