/* sim/lua/lua_world.c — topology from Lua: hosts, routers, their interfaces, addresses and
 * routes (NAT-specific calls are in lua_nat.c, links in lua_link.c).
 *
 *   local A = sim.host("A")                  local R = sim.router("R")
 *   local eth0 = A:attach(lan, {ip="192.168.60.153/24"})
 *   A:gateway("192.168.60.1")                A:route("10.0.0.0/8", "192.168.60.1")
 *   A:drops()   A:iface("eth0")   eth0:ip()   eth0:mac()   A.name */
#include "sim/lua/simlua_priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "sim/stack/slaac.h"

static const char *const node_classes[] = { SIMLUA_HOST, SIMLUA_ROUTER, SIMLUA_NAT, NULL };

sim_node *simlua_check_node(lua_State *L, int idx)
{
    return simlua_check_any(L, idx, node_classes, SIM_REF_NODE, NULL);
}

void simlua_push_node(lua_State *L, sim_node *n)
{
    const char *tname = n->kind == SIM_NODE_NAT      ? SIMLUA_NAT
                        : n->kind == SIM_NODE_ROUTER ? SIMLUA_ROUTER
                                                     : SIMLUA_HOST;
    simlua_push_handle(L, tname, n->ref);
}

void simlua_push_iface(lua_State *L, sim_iface *i)
{
    simlua_push_handle(L, SIMLUA_IFACE, simlua_ref_for(simlua_from(L), i, SIM_REF_IFACE));
}

sim_iface *simlua_check_iface(lua_State *L, int idx)
{
    return simlua_check_handle(L, idx, SIMLUA_IFACE, SIM_REF_IFACE);
}

/* ---- constructors ---- */

static int new_node(lua_State *L, sim_node_kind kind)
{
    const char *name = luaL_checkstring(L, 1);
    static const char *const keys[] = { NULL };
    simlua_check_options(L, 2, keys);
    GError *e = NULL;
    sim_node *n = sim_node_new(simlua_world(L), name, kind, &e);
    if (!n)
        return simlua_raise_gerror(L, e);
    simlua_push_node(L, n);
    return 1;
}

/* A host named by arg 1, without options (for sim.host with options). */
static int new_node_host(lua_State *L) { return new_node(L, SIM_NODE_HOST); }
/* sim.router(name): a router (forwards between its interfaces). */
static int l_router(lua_State *L) { return new_node(L, SIM_NODE_ROUTER); }

/* sim.node(name): the node with that name, or nil. */
static int l_node(lua_State *L)
{
    sim_node *n = sim_world_node(simlua_world(L), luaL_checkstring(L, 1));
    if (n)
        simlua_push_node(L, n);
    else
        lua_pushnil(L);
    return 1;
}

/* ---- attaching ---- */

static int parse_mac(const char *s, uint8_t mac[6])
{
    unsigned b[6];
    char tail;
    if (!s || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
                     &tail) != 6)
        return -EINVAL;
    for (int k = 0; k < 6; k++)
        mac[k] = (uint8_t)b[k];
    return 0;
}

/* The "addr/len" at the top of the stack as an address of `family`; a bare address means the
 * usual subnet (/24, /64). Raises a Lua error naming option `key` otherwise. */
static sim_ifaddr check_addr(lua_State *L, const sim_node *n, int family, const char *key)
{
    const char *str = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    sim_ifaddr a;
    if (!str || sim_prefix_parse(str, &a.ip, &a.plen) < 0 || a.ip.family != family ||
        sim_ip_is_any(&a.ip) || sim_ip_is_multicast(&a.ip))
        luaL_error(L, "option '%s': '%s' is not a unicast IPv%d address with prefix (\"%s\")",
                   key, str ? str : luaL_typename(L, -1), family,
                   family == SIM_AF_INET ? "192.168.1.2/24" : "2001:db8::2/64");
    if (!strchr(str, '/'))
        a.plen = family == SIM_AF_INET ? 24 : 64;
    if (sim_node_has_addr(n, &a.ip))
        luaL_error(L, "option '%s': %s already has the address %s", key, n->name, str);
    return a;
}

/* Option `key` of table idx (one address string or an array of them): checks every address
 * (apply == NULL) or adds them to interface `apply`. */
static void addrs_opt(lua_State *L, int idx, const sim_node *n, sim_iface *apply, int family,
                      const char *key)
{
    if (!lua_istable(L, idx))
        return;
    lua_Integer count = 1;
    bool list = lua_getfield(L, idx, key) == LUA_TTABLE;
    if (list)
        count = luaL_len(L, -1);
    else if (lua_isnil(L, -1))
        count = 0;
    for (lua_Integer k = 1; k <= count; k++) {
        if (list)
            lua_geti(L, -1, k);
        sim_ifaddr a = check_addr(L, n, family, key);
        if (apply && net_slaac_add_static(apply, &a.ip, a.plen) < 0)
            luaL_error(L, "%s %s: cannot add address %s", n->name, apply->name,
                       lua_tostring(L, -1));
        if (list)
            lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

/* Attaches node (arg 1) to link (arg 2) with options (arg 3); returns the interface. */
sim_iface *simlua_attach(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    sim_link *l = simlua_check_link(L, 2);
    static const char *const keys[] = { "ip", "ip6", "mac", "mtu", "name", "slaac", "dad",
                                        "iid", "dad_transmits", NULL };
    simlua_check_options(L, 3, keys);
    net_slaac_opts ao;
    bool autoconf = simlua_slaac_opts(L, 3, &ao);
    uint8_t mac[6];
    const char *macs = simlua_opt_str(L, 3, "mac", NULL);
    if (macs && parse_mac(macs, mac) < 0)
        luaL_argerror(L, 3, lua_pushfstring(L, "option 'mac': '%s' is not "
                                               "\"02:00:00:00:00:01\"", macs));
    addrs_opt(L, 3, n, NULL, SIM_AF_INET, "ip"); /* check everything before attaching */
    addrs_opt(L, 3, n, NULL, SIM_AF_INET6, "ip6");
    lua_Integer mtu = simlua_opt_int(L, 3, "mtu", 0);
    if (mtu < 0 || mtu > 1500)
        luaL_argerror(L, 3, "option 'mtu': 68..1500 expected");
    sim_iface_opts o = {
        .name = simlua_opt_str(L, 3, "name", NULL),
        .mac = macs ? mac : NULL,
        .mtu = (uint32_t)mtu,
    };
    GError *e = NULL;
    sim_iface *i = sim_node_attach(n, l, &o, &e);
    if (!i)
        simlua_raise_gerror(L, e);
    if (autoconf && net_slaac_configure(i, &ao) < 0)
        luaL_argerror(L, 3, "bad autoconfiguration options");
    addrs_opt(L, 3, n, i, SIM_AF_INET, "ip");
    addrs_opt(L, 3, n, i, SIM_AF_INET6, "ip6");
    return i;
}

/* node:attach(link, {ip=, ip6=, mac=, mtu=, name=, slaac=, dad=, iid=, dad_transmits=}): a new
 * interface on the link (the last four: IPv6 autoconfiguration, lua_slaac.c). */
static int node_attach(lua_State *L)
{
    simlua_push_iface(L, simlua_attach(L));
    return 1;
}

/* ---- routes ---- */

/* node:route(dst, via): dst is "default" or "10.0.0.0/8"; via is a gateway address or an
 * interface (on-link). */
static int node_route(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    const char *dsts = luaL_checkstring(L, 2);
    sim_ip gw = { 0 };
    sim_iface *dev = NULL;
    if (luaL_testudata(L, 3, SIMLUA_IFACE))
        dev = simlua_check_iface(L, 3);
    else
        gw = simlua_check_ip(L, 3);
    if (dev && dev->node != n)
        return luaL_argerror(L, 3, "interface of another node");
    sim_ip dst;
    unsigned plen;
    if (!strcmp(dsts, "default")) {
        int family = gw.family ? gw.family : SIM_AF_INET;
        dst = (sim_ip){ .family = (uint8_t)family };
        plen = 0;
    } else if (sim_prefix_parse(dsts, &dst, &plen) < 0) {
        return luaL_argerror(L, 2, lua_pushfstring(L, "'%s' is not \"default\" or a prefix "
                                                      "like \"10.0.0.0/8\"", dsts));
    }
    if (gw.family && gw.family != dst.family)
        return luaL_argerror(L, 3, "gateway and destination are of different IP versions");
    if (sim_node_add_route(n, &dst, plen, gw.family ? &gw : NULL, dev) < 0)
        return luaL_error(L, "%s: cannot add route to %s via %s (is the gateway on a network "
                             "the node is attached to, with an address there?)",
                          n->name, dsts, lua_tostring(L, 3) ? lua_tostring(L, 3) : dev->name);
    return 0;
}

/* node:gateway(ip): the default route via ip. */
static int node_gateway(lua_State *L)
{
    lua_settop(L, 2);
    lua_pushliteral(L, "default");
    lua_insert(L, 2);
    return node_route(L);
}

/* sim.host(name [, {on = link, ip =, ip6 =, gateway =}]): a host (does not forward); with
 * `on` it is attached there with the addresses given (node:attach), and with `gateway` it gets
 * its default route (node:gateway): the usual three lines of a scenario in one call. */
static int l_host(lua_State *L)
{
    if (lua_isnoneornil(L, 2))
        return new_node(L, SIM_NODE_HOST);
    static const char *const keys[] = { "on", "ip", "ip6", "gateway", NULL };
    simlua_check_options(L, 2, keys);
    bool on = lua_getfield(L, 2, "on") != LUA_TNIL;
    lua_pop(L, 1);
    if (!on && (simlua_opt_str(L, 2, "ip", NULL) || simlua_opt_str(L, 2, "ip6", NULL) ||
                simlua_opt_str(L, 2, "gateway", NULL)))
        return luaL_argerror(L, 2, "options 'ip', 'ip6' and 'gateway' need 'on' (a link)");
    lua_pushcfunction(L, new_node_host);
    lua_pushvalue(L, 1);
    lua_call(L, 1, 1);                    /* 3: the node */
    if (!on)
        return 1;
    lua_getfield(L, 2, "on");             /* 4 */
    lua_newtable(L);                      /* 5: node:attach's options */
    lua_getfield(L, 2, "ip");
    lua_setfield(L, 5, "ip");
    lua_getfield(L, 2, "ip6");
    lua_setfield(L, 5, "ip6");
    lua_getfield(L, 2, "gateway");        /* 6 */
    lua_copy(L, 3, 1);                    /* node:attach(link, options) on this frame */
    lua_copy(L, 4, 2);
    lua_copy(L, 5, 3);
    lua_copy(L, 6, 4);
    lua_settop(L, 4);
    simlua_attach(L);
    lua_settop(L, 4);
    if (!lua_isnil(L, 4)) {               /* node:route("default", gateway) */
        lua_pushliteral(L, "default");
        lua_copy(L, -1, 2);
        lua_copy(L, 4, 3);
        lua_settop(L, 3);
        node_route(L);
    }
    lua_settop(L, 1);
    return 1;
}

/* ---- inspection ---- */

/* node:drops(): {["nat-filtered"]=1, ...}, non-zero reasons only. */
static int node_drops(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    lua_newtable(L);
    for (int r = 0; r < SIM_DROP__COUNT; r++)
        if (n->drops[r]) {
            lua_pushinteger(L, (lua_Integer)n->drops[r]);
            lua_setfield(L, -2, sim_drop_name(r));
        }
    return 1;
}

/* node:iface(name or 1-based index): the interface, or nil. */
static int node_iface(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    sim_iface *i = NULL;
    if (lua_type(L, 2) == LUA_TNUMBER) {
        lua_Integer k = luaL_checkinteger(L, 2);
        if (k >= 1 && k <= (lua_Integer)n->ifaces->len)
            i = g_ptr_array_index(n->ifaces, k - 1);
    } else {
        i = sim_node_iface_by_name(n, luaL_checkstring(L, 2));
    }
    if (i)
        simlua_push_iface(L, i);
    else
        lua_pushnil(L);
    return 1;
}

/* node:ifaces(): array of the node's interfaces. */
static int node_ifaces(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    lua_createtable(L, (int)n->ifaces->len, 0);
    for (guint k = 0; k < n->ifaces->len; k++) {
        simlua_push_iface(L, g_ptr_array_index(n->ifaces, k));
        lua_rawseti(L, -2, k + 1);
    }
    return 1;
}

static int node_name(lua_State *L)
{
    lua_pushstring(L, simlua_check_node(L, 1)->name);
    return 1;
}

static int node_kind(lua_State *L)
{
    lua_pushstring(L, sim_node_kind_name(simlua_check_node(L, 1)->kind));
    return 1;
}

/* "<host A 192.168.60.153>" */
static int node_tostring(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    const sim_ip *ip = NULL;
    for (guint k = 0; k < n->ifaces->len && !ip; k++)
        ip = sim_iface_addr(g_ptr_array_index(n->ifaces, k), SIM_AF_INET);
    char buf[SIM_IP_STRLEN];
    if (ip)
        lua_pushfstring(L, "<%s %s %s>", sim_node_kind_name(n->kind), n->name,
                        sim_ip_fmt(ip, buf, sizeof buf));
    else
        lua_pushfstring(L, "<%s %s>", sim_node_kind_name(n->kind), n->name);
    return 1;
}

/* ---- natsim.Iface ---- */

/* iface:ip([family]): the first address of the family (4 or 6; IPv6 prefers a global one). */
static int iface_ip(lua_State *L)
{
    sim_iface *i = simlua_check_iface(L, 1);
    lua_Integer fam = luaL_optinteger(L, 2, 4);
    if (fam != 4 && fam != 6)
        return luaL_argerror(L, 2, "4 or 6 expected");
    const sim_ip *ip = sim_iface_addr(i, fam == 4 ? SIM_AF_INET : SIM_AF_INET6);
    if (ip)
        simlua_push_ip(L, ip);
    else
        lua_pushnil(L);
    return 1;
}

/* iface:ip6(): the IPv6 address (global if any, else link-local). */
static int iface_ip6(lua_State *L)
{
    lua_settop(L, 1);
    lua_pushinteger(L, 6);
    return iface_ip(L);
}

/* iface:mac(): "02:00:00:00:00:01". */
static int iface_mac(lua_State *L)
{
    sim_iface *i = simlua_check_iface(L, 1);
    char buf[18];
    g_snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", i->mac[0], i->mac[1],
               i->mac[2], i->mac[3], i->mac[4], i->mac[5]);
    lua_pushstring(L, buf);
    return 1;
}

/* iface:add_ip("10.0.0.2/24"): adds an address (IPv4 or IPv6). */
static int iface_add_ip(lua_State *L)
{
    sim_iface *i = simlua_check_iface(L, 1);
    const char *str = luaL_checkstring(L, 2);
    sim_ip ip;
    unsigned plen;
    if (sim_prefix_parse(str, &ip, &plen) < 0)
        return luaL_argerror(L, 2, "address with prefix expected (\"10.0.0.2/24\")");
    lua_settop(L, 2);
    sim_ifaddr a = check_addr(L, i->node, ip.family, "ip");
    int err = ip.family == SIM_AF_INET6 ? net_slaac_add_static(i, &a.ip, a.plen)
                                        : sim_iface_add_addr(i, &a.ip, a.plen);
    if (err < 0)
        return luaL_error(L, "%s %s: cannot add address %s", i->node->name, i->name, str);
    return 0;
}

static int iface_node(lua_State *L)
{
    simlua_push_node(L, simlua_check_iface(L, 1)->node);
    return 1;
}

static int iface_link(lua_State *L)
{
    simlua_push_link(L, simlua_check_iface(L, 1)->link);
    return 1;
}

static int iface_name(lua_State *L)
{
    lua_pushstring(L, simlua_check_iface(L, 1)->name);
    return 1;
}

static int iface_mtu(lua_State *L)
{
    lua_pushinteger(L, simlua_check_iface(L, 1)->mtu);
    return 1;
}

static int iface_index(lua_State *L)
{
    lua_pushinteger(L, simlua_check_iface(L, 1)->index + 1);
    return 1;
}

/* "<iface A eth0 192.168.60.153/24>" */
static int iface_tostring(lua_State *L)
{
    sim_iface *i = simlua_check_iface(L, 1);
    char buf[SIM_IP_STRLEN];
    if (i->addrs4->len) {
        const sim_ifaddr *a = &g_array_index(i->addrs4, sim_ifaddr, 0);
        lua_pushfstring(L, "<iface %s %s %s/%d>", i->node->name, i->name,
                        sim_ip_fmt(&a->ip, buf, sizeof buf), (int)a->plen);
    } else {
        lua_pushfstring(L, "<iface %s %s>", i->node->name, i->name);
    }
    return 1;
}

/* ---- registration ---- */

static const luaL_Reg node_methods[] = {
    { "attach", node_attach }, { "route", node_route }, { "gateway", node_gateway },
    { "drops", node_drops }, { "iface", node_iface }, { "ifaces", node_ifaces },
    { "udp", simlua_node_udp }, { "ping", simlua_node_ping },
    { "tcp_listen", simlua_node_tcp_listen }, { "tcp_connect", simlua_node_tcp_connect },
    { NULL, NULL },
};
static const luaL_Reg node_meta[] = { { "__tostring", node_tostring }, { NULL, NULL } };
static const luaL_Reg node_fields[] = { { "name", node_name }, { "kind", node_kind },
                                        { NULL, NULL } };

void simlua_open_world(lua_State *L)
{
    GArray *rm = g_array_new(TRUE, TRUE, sizeof(luaL_Reg)); /* + advertise (routers only) */
    for (const luaL_Reg *r = node_methods; r->name; r++)
        g_array_append_val(rm, *r);
    for (const luaL_Reg *r = simlua_slaac_node_methods; r->name; r++)
        g_array_append_val(rm, *r);
    simlua_new_class_fields(L, SIMLUA_HOST, (const luaL_Reg *)rm->data, node_meta, node_fields);
    simlua_new_class_fields(L, SIMLUA_ROUTER, (const luaL_Reg *)rm->data, node_meta,
                            node_fields);
    g_array_unref(rm);
    /* A NAT is a node with more methods and its own __tostring. */
    static const luaL_Reg nat_meta[] = { { "__tostring", simlua_nat_tostring }, { NULL, NULL } };
    GArray *m = g_array_new(TRUE, TRUE, sizeof(luaL_Reg));
    for (const luaL_Reg *r = node_methods; r->name; r++)
        g_array_append_val(m, *r);
    for (const luaL_Reg *r = simlua_nat_methods; r->name; r++)
        g_array_append_val(m, *r);
    simlua_new_class_fields(L, SIMLUA_NAT, (const luaL_Reg *)m->data, nat_meta, node_fields);
    g_array_unref(m);

    static const luaL_Reg iface_methods[] = {
        { "ip", iface_ip }, { "ip6", iface_ip6 }, { "mac", iface_mac },
        { "add_ip", iface_add_ip }, { "node", iface_node }, { "link", iface_link },
        { NULL, NULL },
    };
    static const luaL_Reg iface_meta[] = { { "__tostring", iface_tostring }, { NULL, NULL } };
    static const luaL_Reg iface_fields[] = {
        { "name", iface_name }, { "mtu", iface_mtu }, { "index", iface_index }, { NULL, NULL },
    };
    GArray *im = g_array_new(TRUE, TRUE, sizeof(luaL_Reg)); /* + IPv6 autoconfiguration */
    for (const luaL_Reg *r = iface_methods; r->name; r++)
        g_array_append_val(im, *r);
    for (const luaL_Reg *r = simlua_slaac_iface_methods; r->name; r++)
        g_array_append_val(im, *r);
    simlua_new_class_fields(L, SIMLUA_IFACE, (const luaL_Reg *)im->data, iface_meta,
                            iface_fields);
    g_array_unref(im);

    static const luaL_Reg funcs[] = {
        { "host", l_host }, { "router", l_router }, { "node", l_node }, { NULL, NULL },
    };
    luaL_setfuncs(L, funcs, 0);
}
