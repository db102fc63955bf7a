/* sim/stack/addr_watch.c — observers of a node's address changes (sim/socket.h
 * sim_addr_watch_*): what a daemon that advertises the host's addresses needs to follow them,
 * like RTM_NEWADDR / RTM_DELADDR on a netlink socket. An mDNS responder uses it to announce its
 * new A record when DHCP replaces a link-local address (RFC 6762 §8.4).
 *
 * The engine calls net_addr_watch_notify after every address added to or removed from an
 * interface (sim_iface_add_addr, sim_iface_del_addr, SLAAC). Watchers live in one array per
 * node, in registration order; a removed watcher is only marked (it may be removed from inside
 * a callback) and compacted away before the next change is handed out. */
#include "sim/stack/net_priv.h"

struct sim_addr_watch {
    sim_node *node;
    sim_addr_watch_fn fn;
    void *ctx;
    bool dead;
};

sim_addr_watch *sim_addr_watch_add(sim_node *n, sim_addr_watch_fn fn, void *ctx)
{
    net_state *st = n->net;
    if (!st->addr_watch)
        st->addr_watch = g_ptr_array_new_with_free_func(g_free);
    sim_addr_watch *w = g_new0(sim_addr_watch, 1);
    w->node = n;
    w->fn = fn;
    w->ctx = ctx;
    g_ptr_array_add(st->addr_watch, w);
    return w;
}

void sim_addr_watch_del(sim_addr_watch *w)
{
    if (!w)
        return;
    w->dead = true;
    w->fn = NULL;
}

void net_addr_watch_notify(sim_iface *i, const sim_ip *ip, unsigned plen, bool added)
{
    net_state *st = i->node->net;
    if (!st || !st->addr_watch)
        return;
    for (guint k = 0; k < st->addr_watch->len;) {
        sim_addr_watch *w = g_ptr_array_index(st->addr_watch, k);
        if (w->dead)
            g_ptr_array_remove_index(st->addr_watch, k); /* keeps order, frees w */
        else
            k++;
    }
    sim_addr_change c = { .iface = i, .ip = *ip, .plen = plen, .added = added };
    guint n = st->addr_watch->len; /* watchers added by a callback see the next change on */
    for (guint k = 0; k < n; k++) {
        sim_addr_watch *w = g_ptr_array_index(st->addr_watch, k);
        if (!w->dead)
            w->fn(i->node, &c, w->ctx);
    }
}

void net_addr_watch_free_all(net_state *st)
{
    if (st->addr_watch)
        g_ptr_array_unref(st->addr_watch);
    st->addr_watch = NULL;
}
