/* sim/node.c — nodes, interfaces, addresses, routes and drop accounting. */
#include "sim/node.h"

#include <errno.h>
#include <string.h>
#include "sim/link.h"
#include "sim/nat.h"
#include "sim/stack/net.h"
#include "sim/trace.h"

static const char *const drop_names[SIM_DROP__COUNT] = {
    [SIM_DROP_LOSS] = "loss",
    [SIM_DROP_LINK_DOWN] = "link-down",
    [SIM_DROP_QUEUE_FULL] = "queue-full",
    [SIM_DROP_TTL] = "ttl",
    [SIM_DROP_NO_ROUTE] = "no-route",
    [SIM_DROP_NO_LISTENER] = "no-listener",
    [SIM_DROP_BAD_CHECKSUM] = "bad-checksum",
    [SIM_DROP_MALFORMED] = "malformed",
    [SIM_DROP_NAT_FILTERED] = "nat-filtered",
    [SIM_DROP_NAT_NO_MAPPING] = "nat-no-mapping",
    [SIM_DROP_NAT_EXHAUSTED] = "nat-exhausted",
    [SIM_DROP_NAT_HAIRPIN] = "nat-hairpin-off",
    [SIM_DROP_UNRESOLVED] = "unresolved",
    [SIM_DROP_NOT_FORWARDING] = "not-forwarding",
    [SIM_DROP_UNSUPPORTED] = "unsupported",
    [SIM_DROP_TOO_BIG] = "too-big",
};

const char *sim_drop_name(sim_drop_reason r)
{
    return (unsigned)r < SIM_DROP__COUNT ? drop_names[r] : "?";
}

const char *sim_node_kind_name(sim_node_kind k)
{
    switch (k) {
    case SIM_NODE_HOST: return "host";
    case SIM_NODE_ROUTER: return "router";
    case SIM_NODE_NAT: return "nat";
    }
    return "?";
}

sim_node *sim_node_new(sim_world *w, const char *name, sim_node_kind kind, GError **err)
{
    if (!name || !*name || strlen(name) > 63) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INVAL,
                    "node name must be 1 to 63 characters");
        return NULL;
    }
    if (sim_world_node(w, name)) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_EXISTS, "a node named '%s' already exists", name);
        return NULL;
    }
    sim_node *n = g_new0(sim_node, 1);
    n->world = w;
    n->name = g_strdup(name);
    n->kind = kind;
    n->id = sim_world_nodes(w)->len;
    n->forwarding = kind != SIM_NODE_HOST;
    sim_rng_derive(&n->rng, sim_world_seed(w), name);
    n->ifaces = g_ptr_array_new();
    n->routes = g_array_new(FALSE, TRUE, sizeof(sim_route));
    n->ref = sim_world_ref_new(w, n, SIM_REF_NODE);
    sim_world_add_node(w, n);
    net_node_init(n);
    return n;
}

static void iface_free(sim_iface *i)
{
    g_array_unref(i->addrs4);
    g_array_unref(i->addrs6);
    g_array_unref(i->mcast);
    g_free(i);
}

void sim_node_free(sim_node *n)
{
    if (!n)
        return;
    nat_gw_free(n->nat);
    net_node_free(n);
    for (guint k = 0; k < n->ifaces->len; k++)
        iface_free(g_ptr_array_index(n->ifaces, k));
    g_ptr_array_unref(n->ifaces);
    g_array_unref(n->routes);
    sim_world_ref_drop(n->world, n->ref);
    g_free(n->name);
    g_free(n);
}

/* A locally administered unicast MAC from the node name and interface index, so MACs do not
 * depend on creation order. Collisions inside one world are resolved by bumping. */
static void derive_mac(const sim_node *n, unsigned index, uint8_t mac[6])
{
    uint64_t h = sim_hash_str(n->name) * 31 + index;
    h ^= h >> 29;
    mac[0] = 0x02;
    for (int k = 1; k < 6; k++)
        mac[k] = (uint8_t)(h >> (8 * (k - 1)));
}

sim_iface *sim_node_attach(sim_node *n, sim_link *l, const sim_iface_opts *opts, GError **err)
{
    sim_iface_opts none = { 0 };
    if (!opts)
        opts = &none;
    uint32_t mtu = opts->mtu ? opts->mtu : 1500;
    if (mtu < 68 || mtu > 1500) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INVAL,
                    "MTU %u out of range (68..1500)", mtu);
        return NULL;
    }
    if (opts->name && (strlen(opts->name) >= sizeof ((sim_iface *)0)->name || !*opts->name ||
                       sim_node_iface_by_name(n, opts->name))) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INVAL,
                    "bad or duplicate interface name '%s' on %s", opts->name, n->name);
        return NULL;
    }
    sim_iface *i = g_new0(sim_iface, 1);
    i->node = n;
    i->index = n->ifaces->len;
    if (opts->name)
        g_strlcpy(i->name, opts->name, sizeof i->name);
    else
        g_snprintf(i->name, sizeof i->name, "eth%u", i->index);
    if (opts->mac) {
        memcpy(i->mac, opts->mac, 6); /* the user's choice, even if another node has it */
        sim_world_claim_mac(n->world, i->mac);
    } else {
        derive_mac(n, i->index, i->mac);
        while (!sim_world_claim_mac(n->world, i->mac)) /* a hash clash: bump the low bytes */
            if (++i->mac[5] == 0)
                i->mac[4]++;
    }
    i->mtu = mtu;
    i->addrs4 = g_array_new(FALSE, TRUE, sizeof(sim_ifaddr));
    i->addrs6 = g_array_new(FALSE, TRUE, sizeof(sim_ifaddr));
    i->mcast = g_array_new(FALSE, TRUE, 6);
    if (sim_link_attach(l, i) < 0) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_NOSPC,
                    "link '%s' is point-to-point and already has two ends", sim_link_name(l));
        iface_free(i);
        return NULL;
    }
    i->link = l;
    g_ptr_array_add(n->ifaces, i);
    net_iface_added(i);
    return i;
}

static void mask_prefix(sim_ip *ip, unsigned plen)
{
    unsigned max = ip->family == SIM_AF_INET ? 32 : 128;
    for (unsigned bit = plen; bit < max; bit++)
        ip->b[bit / 8] &= (uint8_t)~(0x80 >> (bit % 8));
}

int sim_iface_add_addr(sim_iface *i, const sim_ip *ip, unsigned plen)
{
    GArray *a;
    if (ip->family == SIM_AF_INET && plen <= 32)
        a = i->addrs4;
    else if (ip->family == SIM_AF_INET6 && plen <= 128)
        a = i->addrs6;
    else
        return -EINVAL;
    if (sim_ip_is_any(ip) || sim_ip_is_multicast(ip))
        return -EINVAL;
    if (sim_node_has_addr(i->node, ip))
        return -EEXIST;
    sim_ifaddr ia = { *ip, plen };
    g_array_append_val(a, ia);
    sim_ip net = *ip;
    mask_prefix(&net, plen);
    int rc = sim_node_add_route(i->node, &net, plen, NULL, i);
    net_addr_watch_notify(i, ip, plen, true); /* after the route: watchers may send at once */
    return rc;
}

const sim_ip *sim_iface_addr(const sim_iface *i, int family)
{
    const GArray *a = family == SIM_AF_INET ? i->addrs4 : family == SIM_AF_INET6 ? i->addrs6 : NULL;
    if (!a || !a->len)
        return NULL;
    /* For IPv6 prefer a global address over the link-local one added at attach time. */
    for (guint k = 0; family == SIM_AF_INET6 && k < a->len; k++) {
        const sim_ifaddr *ia = &g_array_index(a, sim_ifaddr, k);
        if (!sim_ip_is_link_local6(&ia->ip))
            return &ia->ip;
    }
    return &g_array_index(a, sim_ifaddr, 0).ip;
}

int sim_node_add_route(sim_node *n, const sim_ip *dst, unsigned plen, const sim_ip *gw,
                       sim_iface *dev)
{
    unsigned max = dst->family == SIM_AF_INET ? 32 : dst->family == SIM_AF_INET6 ? 128 : 0;
    if (!max || plen > max || (gw && gw->family != SIM_AF_NONE && gw->family != dst->family))
        return -EINVAL;
    if (!dev && (!gw || gw->family == SIM_AF_NONE))
        return -EINVAL;
    if (dev && dev->node != n)
        return -EINVAL;
    sim_route r = { .dst = *dst, .plen = plen, .dev = dev };
    mask_prefix(&r.dst, plen);
    if (gw)
        r.gw = *gw;
    g_array_append_val(n->routes, r);
    return 0;
}

const sim_route *sim_node_route(const sim_node *n, const sim_ip *dst)
{
    const sim_route *best = NULL;
    for (guint k = 0; k < n->routes->len; k++) {
        const sim_route *r = &g_array_index(n->routes, sim_route, k);
        if (r->dst.family == dst->family && (!best || r->plen > best->plen) &&
            sim_ip_prefix_match(&r->dst, dst, r->plen))
            best = r;
    }
    return best;
}

sim_iface *sim_node_iface_by_addr(const sim_node *n, const sim_ip *ip)
{
    for (guint k = 0; k < n->ifaces->len; k++) {
        sim_iface *i = g_ptr_array_index(n->ifaces, k);
        const GArray *a = ip->family == SIM_AF_INET ? i->addrs4 : i->addrs6;
        for (guint j = 0; j < a->len; j++)
            if (sim_ip_eq(&g_array_index(a, sim_ifaddr, j).ip, ip))
                return i;
    }
    return NULL;
}

bool sim_node_has_addr(const sim_node *n, const sim_ip *ip)
{
    return sim_node_iface_by_addr(n, ip) != NULL;
}

sim_iface *sim_node_iface_by_name(const sim_node *n, const char *name)
{
    for (guint k = 0; k < n->ifaces->len; k++) {
        sim_iface *i = g_ptr_array_index(n->ifaces, k);
        if (!strcmp(i->name, name))
            return i;
    }
    return NULL;
}

sim_ip sim_node_first_addr(const sim_node *n, int family)
{
    for (guint k = 0; k < n->ifaces->len; k++) {
        const sim_ip *ip = sim_iface_addr(g_ptr_array_index(n->ifaces, k), family);
        if (ip)
            return *ip;
    }
    return (sim_ip){ 0 };
}

bool sim_node_log_on(const sim_node *n) { return trace_log_on(sim_world_log(n->world)); }

void sim_node_drop(sim_node *n, sim_iface *i, sim_pkt *pkt, sim_drop_reason r, const char *detail)
{
    n->drops[r]++;
    trace_log *log = sim_world_log(n->world);
    GString *rec = trace_log_begin(log, sim_world_now(n->world), n->name, "drop");
    if (rec) {
        trace_log_str(rec, "reason", sim_drop_name(r));
        if (i)
            trace_log_str(rec, "iface", i->name);
        if (pkt)
            trace_log_int(rec, "len", pkt->len);
        if (detail)
            trace_log_str(rec, "detail", detail);
        trace_log_end(log, rec);
    }
    sim_pkt_free(sim_world_pool(n->world), pkt);
}
