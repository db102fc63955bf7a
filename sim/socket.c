/* sim/socket.c — the socket API over the node's stack (sim/socket.h): UDP, and what UDP and
 * TCP sockets share (bind, reuse, close; TCP's own calls are in socket_tcp.c). Sockets are owned
 * by their node; closing one inside its own callback is safe (the free waits until the
 * callback returns, see net_sock_release). */
#include "sim/socket.h"

#include <errno.h>
#include <string.h>
#include "sim/stack/tcp_stack.h"

#define EPHEMERAL_MIN 49152u
#define EPHEMERAL_COUNT 16384u
#define UDP_MAX_PAYLOAD (SIM_PKT_MAX - NET_ETH_HLEN - NET_IP6_HLEN - NET_UDP_HLEN)

static sim_ip any_of(int family)
{
    sim_ip ip = { .family = (uint8_t)family };
    return ip;
}

sim_sock *net_sock_new(sim_node *n, int family, sim_sock_type type)
{
    if (family != SIM_AF_INET && family != SIM_AF_INET6)
        return NULL;
    sim_sock *s = g_new0(sim_sock, 1);
    s->node = n;
    s->family = family;
    s->type = type;
    s->local.ip = any_of(family);
    s->ttl = NET_DEFAULT_TTL;
    s->mcast_ttl = 1;
    s->groups = g_array_new(FALSE, TRUE, sizeof(net_sock_group));
    s->ref = sim_world_ref_new(n->world, s, SIM_REF_SOCK);
    g_ptr_array_add(n->net->socks, s);
    return s;
}

sim_sock *sim_udp_open(sim_node *n, int family)
{
    return net_sock_new(n, family, SIM_SOCK_UDP);
}

int sim_sock_set_reuseaddr(sim_sock *s, bool on)
{
    s->reuse = on;
    return 0;
}

static bool port_in_use(net_state *st, const sim_sock *s, uint16_t port)
{
    if (s->type == SIM_SOCK_TCP)
        return net_tcp_port_in_use(st, s->family, port);
    return net_udp_lookup_port(st, s->family, port) != NULL;
}

/* True if binding s to ep would clash with a socket already bound there. */
static bool bind_conflict(net_state *st, const sim_sock *s, const sim_ep *ep)
{
    if (s->type == SIM_SOCK_TCP)
        return net_tcp_bind_conflict(st, s, ep);
    GPtrArray *a = net_udp_lookup_port(st, s->family, ep->port);
    for (guint k = 0; a && k < a->len; k++) {
        const sim_sock *o = g_ptr_array_index(a, k);
        bool overlap = sim_ip_is_any(&o->local.ip) || sim_ip_is_any(&ep->ip) ||
                       sim_ip_eq(&o->local.ip, &ep->ip);
        if (overlap && !(s->reuse && o->reuse))
            return true;
    }
    return false;
}

int sim_sock_bind(sim_sock *s, const sim_ep *local)
{
    if (!s || s->closed || s->bound || !local)
        return -EINVAL;
    sim_node *n = s->node;
    sim_ep ep = *local;
    if (sim_ip_is_any(&ep.ip)) {
        if (ep.ip.family != SIM_AF_NONE && ep.ip.family != s->family)
            return -EINVAL;
        ep.ip = any_of(s->family);
    } else if (ep.ip.family != s->family) {
        return -EINVAL;
    } else if (!sim_ip_is_multicast(&ep.ip) && !sim_ip_is_broadcast(&ep.ip) &&
               !sim_node_has_addr(n, &ep.ip)) {
        return -EADDRNOTAVAIL;
    }
    if (ep.port == 0) {
        /* A random start in the IANA dynamic range, then the next free port. */
        uint32_t start = sim_rng_below(&n->rng, EPHEMERAL_COUNT), k;
        for (k = 0; k < EPHEMERAL_COUNT; k++) {
            uint16_t p = (uint16_t)(EPHEMERAL_MIN + (start + k) % EPHEMERAL_COUNT);
            if (!port_in_use(n->net, s, p)) {
                ep.port = p;
                break;
            }
        }
        if (k == EPHEMERAL_COUNT)
            return -EADDRINUSE;
    } else if (bind_conflict(n->net, s, &ep)) {
        return -EADDRINUSE;
    }
    s->local = ep;
    s->bound = true;
    if (s->type == SIM_SOCK_TCP)
        net_tcp_sock_hash_add(n->net, s);
    else
        net_udp_hash_add(n->net, s);
    return 0;
}

static int autobind(sim_sock *s)
{
    if (s->bound)
        return 0;
    sim_ep any = { any_of(s->family), 0 };
    return sim_sock_bind(s, &any);
}

int net_sock_autobind(sim_sock *s)
{
    return autobind(s);
}

int sim_sock_connect(sim_sock *s, const sim_ep *remote)
{
    if (s && s->type == SIM_SOCK_TCP)
        return sim_tcp_connect(s, remote);
    if (!s || s->closed || !remote || remote->ip.family != s->family || remote->port == 0 ||
        sim_ip_is_any(&remote->ip))
        return -EINVAL;
    int r = autobind(s);
    if (r < 0)
        return r;
    s->remote = *remote;
    s->connected = true;
    return 0;
}

/* The source address for a datagram from s to dst. */
static int sock_src(sim_sock *s, const sim_ip *dst, sim_ip *src)
{
    const sim_ip *l = &s->local.ip;
    if (!sim_ip_is_any(l) && !sim_ip_is_multicast(l) && !sim_ip_is_broadcast(l)) {
        *src = *l;
        return 0;
    }
    if (s->mcast_if && sim_ip_is_multicast(dst)) {
        const sim_ip *a = net_iface_src(s->mcast_if, dst);
        if (a) {
            *src = *a;
            return 0;
        }
    }
    return net_select_src(s->node, dst, src);
}

/* sim_sock_sendto, with an explicit source address when src_req is set. */
static int sock_sendto(sim_sock *s, const void *data, size_t len, const sim_ep *to,
                       const sim_ip *src_req)
{
    if (!s || s->closed || (!data && len) || s->type != SIM_SOCK_UDP)
        return -EINVAL;
    if (!to) {
        if (!s->connected)
            return -EDESTADDRREQ;
        to = &s->remote;
    }
    if (to->ip.family != s->family || to->port == 0 || sim_ip_is_any(&to->ip))
        return -EINVAL;
    if (len > UDP_MAX_PAYLOAD)
        return -EMSGSIZE;
    int r = autobind(s);
    if (r < 0)
        return r;
    sim_node *n = s->node;
    sim_ip src, dst = to->ip;
    sim_iface *out = NULL;
    r = net_sock_iface_route(s, &dst, &out, &src); /* SO_BINDTODEVICE, removed addresses */
    if (r < 0)
        return r;
    if (r == 0 && sock_src(s, &dst, &src) < 0)
        return -ENETUNREACH;
    if (src_req) {
        if (src_req->family != SIM_AF_INET || s->family != SIM_AF_INET)
            return -EINVAL;
        if (sim_ip_is_any(src_req) ? !out : !sim_node_has_addr(n, src_req))
            return -EADDRNOTAVAIL;
        src = *src_req;
    }
    sim_pkt *pkt = sim_pkt_alloc(net_pool(n));
    if (len)
        memcpy(sim_pkt_put(pkt, len), data, len);
    uint8_t *u = sim_pkt_push(pkt, NET_UDP_HLEN);
    uint16_t ulen = (uint16_t)pkt->len;
    net_wr16(u, s->local.port);
    net_wr16(u + 2, to->port);
    net_wr16(u + 4, ulen);
    net_wr16(u + 6, 0);
    uint32_t sum = s->family == SIM_AF_INET
                       ? net_csum_pseudo4(src.b, dst.b, NET_PROTO_UDP, ulen)
                       : net_csum_pseudo6(src.b, dst.b, NET_PROTO_UDP, ulen);
    uint16_t c = net_csum_fold(net_csum_add(sum, u, ulen));
    net_wr16(u + 6, c ? c : 0xFFFF); /* RFC 768: a computed 0 is sent as all ones */
    bool mcast = sim_ip_is_multicast(&dst);
    uint8_t ttl = mcast ? s->mcast_ttl : s->ttl;
    if (s->family == SIM_AF_INET)
        return net_ip4_output_if(n, pkt, &src, &dst, NET_PROTO_UDP, ttl,
                                 out ? out : mcast ? s->mcast_if : NULL);
    return net_ip6_output(n, pkt, &src, &dst, NET_PROTO_UDP, ttl, mcast ? s->mcast_if : NULL);
}

int sim_sock_sendto(sim_sock *s, const void *data, size_t len, const sim_ep *to)
{
    return sock_sendto(s, data, len, to, NULL);
}

int sim_sock_sendto_src(sim_sock *s, const void *data, size_t len, const sim_ep *to,
                        const sim_ip *src)
{
    return src ? sock_sendto(s, data, len, to, src) : -EINVAL;
}

void sim_sock_on_recv(sim_sock *s, sim_sock_recv_fn fn, void *ctx)
{
    s->on_recv = fn;
    s->recv_ctx = ctx;
}

void sim_sock_on_error(sim_sock *s, sim_sock_error_fn fn, void *ctx)
{
    s->on_error = fn;
    s->error_ctx = ctx;
}

static void join_one(sim_sock *s, const sim_ip *group, sim_iface *i)
{
    for (guint k = 0; k < s->groups->len; k++) {
        net_sock_group *g = &g_array_index(s->groups, net_sock_group, k);
        if (g->iface == i && sim_ip_eq(&g->group, group))
            return;
    }
    net_sock_group g = { *group, i };
    g_array_append_val(s->groups, g);
    net_group_join(i, group);
}

int sim_sock_join(sim_sock *s, const sim_ip *group, sim_iface *iface)
{
    if (!s || s->closed || !group || group->family != s->family ||
        !sim_ip_is_multicast(group) || (iface && iface->node != s->node))
        return -EINVAL;
    if (iface) {
        join_one(s, group, iface);
        return 0;
    }
    guint joined = 0;
    for (guint k = 0; k < s->node->ifaces->len; k++) {
        sim_iface *i = g_ptr_array_index(s->node->ifaces, k);
        if (sim_iface_addr(i, s->family)) {
            join_one(s, group, i);
            joined++;
        }
    }
    return joined ? 0 : -EINVAL;
}

int sim_sock_leave(sim_sock *s, const sim_ip *group, sim_iface *iface)
{
    if (!s || !group)
        return -EINVAL;
    guint left = 0;
    for (guint k = s->groups->len; k-- > 0;) {
        net_sock_group *g = &g_array_index(s->groups, net_sock_group, k);
        if (!sim_ip_eq(&g->group, group) || (iface && g->iface != iface))
            continue;
        net_group_leave(g->iface, &g->group);
        g_array_remove_index(s->groups, k);
        left++;
    }
    return left ? 0 : -ENOENT;
}

int sim_sock_set_ttl(sim_sock *s, unsigned ttl)
{
    if (ttl < 1 || ttl > 255)
        return -EINVAL;
    s->ttl = (uint8_t)ttl;
    return 0;
}

int sim_sock_set_mcast_ttl(sim_sock *s, unsigned ttl)
{
    if (ttl < 1 || ttl > 255)
        return -EINVAL;
    s->mcast_ttl = (uint8_t)ttl;
    return 0;
}

int sim_sock_set_mcast_if(sim_sock *s, sim_iface *iface)
{
    if (iface && iface->node != s->node)
        return -EINVAL;
    s->mcast_if = iface;
    return 0;
}

sim_ep sim_sock_local(const sim_sock *s) { return s->local; }

sim_node *sim_sock_node(const sim_sock *s) { return s->node; }

sim_ref sim_sock_ref(const sim_sock *s) { return s->ref; }

void net_sock_destroy(sim_sock *s)
{
    g_free(s->tcp);
    g_array_unref(s->groups);
    g_free(s);
}

void sim_sock_close(sim_sock *s)
{
    if (!s || s->closed)
        return;
    net_state *st = s->node->net;
    if (s->type == SIM_SOCK_TCP)
        net_tcp_sock_close(s);
    if (s->bound && s->type == SIM_SOCK_TCP)
        net_tcp_sock_hash_del(st, s);
    else if (s->bound)
        net_udp_hash_del(st, s);
    while (s->groups->len) {
        net_sock_group *g = &g_array_index(s->groups, net_sock_group, s->groups->len - 1);
        net_group_leave(g->iface, &g->group);
        g_array_remove_index(s->groups, s->groups->len - 1);
    }
    sim_world_ref_drop(s->node->world, s->ref);
    g_ptr_array_remove(st->socks, s);
    s->closed = true;
    s->on_recv = NULL;
    s->on_error = NULL;
    if (st->busy)
        g_ptr_array_add(st->dead, s); /* a callback is running: free when it returns */
    else
        net_sock_destroy(s);
}

sim_sock *sim_udp_open_bound(sim_node *n, int family, uint16_t port, GError **err)
{
    sim_sock *s = sim_udp_open(n, family);
    if (!s) {
        g_set_error(err, SIM_ERROR, EINVAL, "%s: cannot open a UDP socket", n->name);
        return NULL;
    }
    sim_ep local = { .port = port };
    int rc = sim_sock_bind(s, &local);
    if (rc) {
        g_set_error(err, SIM_ERROR, -rc, "%s: cannot bind UDP port %u: %s", n->name, port,
                    g_strerror(-rc));
        sim_sock_close(s);
        return NULL;
    }
    return s;
}
