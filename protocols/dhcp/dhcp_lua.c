/* protocols/dhcp/dhcp_lua.c — module `dhcp` for scenarios:
 *
 *   local S = dhcp.server(router, {iface=eth1, range="192.168.1.100-192.168.1.199",
 *                                  router="192.168.1.1", dns={"192.168.1.1"}, lease="1h",
 *                                  mask="255.255.255.0", domain="home.example"})
 *   S:stats() -> {received, offers, acks, naks, declines, releases, informs, expired, exhausted}
 *   S:lookup("192.168.1.100") -> "02:..:.." (the bound client's MAC) | nil
 *
 *   local c = dhcp.client(host, {iface=eth0, fallback_linklocal=true, arp_check=true,
 *                                broadcast_flag=true, host_name="laptop"})
 *   c:wait_bound([timeout]) -> address | nil, "timeout"
 *   c:wait_address([timeout]) -> any address on the interface (a DHCP lease or, with the
 *                              fallback, a link-local one) | nil, "timeout"
 *   c:address()  -> the interface's current IPv4 address (DHCP or link-local) | nil
 *   c:lease()    -> {addr, mask, router, server, dns={...}, lease, t1, t2} | nil
 *   c:state()    -> "SELECTING", "BOUND", "RENEWING" ...
 *   c:release(), c:stats(), c:close()
 *
 * iface is an Iface handle, a name or a link (default: the node's first interface).
 * fallback_linklocal is true (10 s) or a duration: when no lease is bound that long after the
 * start, an IPv4 link-local address is claimed (RFC 3927), and given up once DHCP binds. Blocking calls wait
 * on one condition per Lua state, signalled after every step of any DHCP app. */
#include "protocols/dhcp/dhcp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "protocols/zeroconf/ipv4ll.h"
#include "sim/lua/simlua.h"
#include "sim/node.h"

#define SERVER_CLASS "natsim.DhcpServer"
#define CLIENT_CLASS "natsim.DhcpClient"
#define STATE_KEY "natsim.dhcp"
#define FALLBACK_DEFAULT (10 * SIM_SEC)

/* When the Lua state closes: a client (and its fallback link-local app) stops calling into it. */
static void unhook(void *obj)
{
    dhcp_app *a = obj;
    dhcp_app_on_notify(a, NULL, NULL);
    if (dhcp_app_ipv4ll(a))
        ipv4ll_app_on_notify(dhcp_app_ipv4ll(a), NULL, NULL);
}

/* The module's state and condition (one per Lua state). */
static simlua_apps *module_state(lua_State *L)
{
    return simlua_module_state(L, STATE_KEY, DHCP_REF_KIND, unhook);
}
static simlua_cond *module_cond(lua_State *L) { return simlua_apps_cond(module_state(L)); }

static void on_notify(dhcp_app *a, void *ctx)
{
    (void)a;
    simlua_cond_signal(ctx);
}

/* The fallback link-local app's steps wake the same waiters (wait_address). */
static void on_ll_notify(ipv4ll_app *a, void *ctx)
{
    (void)a;
    simlua_cond_signal(ctx);
}

static void set_ip(lua_State *L, const char *k, uint32_t v)
{
    sim_ip ip = sim_ip4(v);
    simlua_push_ip(L, &ip);
    lua_setfield(L, -2, k);
}

/* Option key of table idx as an IPv4 address (host order), or def when absent. */
static uint32_t opt_ip4(lua_State *L, int idx, const char *key, uint32_t def)
{
    const char *s = simlua_opt_str(L, idx, key, NULL);
    sim_ip ip;
    if (!s)
        return def;
    if (sim_ip_parse(s, &ip) != 0 || ip.family != SIM_AF_INET)
        luaL_argerror(L, idx, lua_pushfstring(L, "option '%s': '%s' is not an IPv4 address",
                                              key, s));
    return sim_ip4_u32(&ip);
}

/* Option dns: one address string or a list of them. */
static void opt_dns(lua_State *L, int idx, uint32_t *dns, size_t *n)
{
    int t = lua_getfield(L, idx, "dns");
    *n = 0;
    if (t == LUA_TSTRING) {
        lua_pop(L, 1);
        dns[(*n)++] = opt_ip4(L, idx, "dns", 0);
        return;
    }
    if (t != LUA_TNIL && t != LUA_TTABLE)
        luaL_argerror(L, idx, "option 'dns': an address or a list of addresses expected");
    lua_Integer len = t == LUA_TTABLE ? (lua_Integer)luaL_len(L, -1) : 0;
    if (len > DHCP_DNS_MAX)
        luaL_argerror(L, idx, "option 'dns': at most 4 servers");
    for (lua_Integer k = 1; k <= len; k++) {
        lua_geti(L, -1, k);
        sim_ip ip;
        const char *s = lua_tostring(L, -1);
        if (!s || sim_ip_parse(s, &ip) != 0 || ip.family != SIM_AF_INET)
            luaL_argerror(L, idx, "option 'dns': IPv4 address strings expected");
        dns[(*n)++] = sim_ip4_u32(&ip);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

/* Option range "first-last". */
static void opt_range(lua_State *L, int idx, dhcp_pool_cfg *p)
{
    const char *r = simlua_opt_str(L, idx, "range", NULL);
    const char *dash = r ? strchr(r, '-') : NULL;
    sim_ip a, b;
    char first[SIM_IP_STRLEN];
    if (!dash || (size_t)(dash - r) >= sizeof first)
        luaL_argerror(L, idx, "option 'range': \"first-last\" expected, e.g. "
                              "\"192.168.1.100-192.168.1.199\"");
    memcpy(first, r, (size_t)(dash - r));
    first[dash - r] = 0;
    if (sim_ip_parse(first, &a) || sim_ip_parse(dash + 1, &b) || a.family != SIM_AF_INET ||
        b.family != SIM_AF_INET || sim_ip4_u32(&a) > sim_ip4_u32(&b))
        luaL_argerror(L, idx, "option 'range': two IPv4 addresses, the first not above the last");
    p->start = sim_ip4_u32(&a);
    p->end = sim_ip4_u32(&b);
}

/* ---------------------------------------------------------------- server */

static const char *const server_keys[] = { "iface", "range", "mask", "router", "dns", "lease",
                                           "domain", "offer_hold", NULL };

/* dhcp.server(node, {iface=, range=, mask=, router=, dns=, lease=, domain=, offer_hold=}) */
static int l_server(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    simlua_check_options(L, 2, server_keys);
    sim_iface *i = simlua_opt_iface(L, 2, "iface", n);
    const sim_ip *own = sim_iface_addr(i, SIM_AF_INET);
    if (!own)
        return luaL_argerror(L, 2, lua_pushfstring(L, "interface %s of %s has no IPv4 address",
                                                   i->name, n->name));
    dhcp_server_cfg cfg = { .n_pools = 1 };
    dhcp_pool_cfg *p = &cfg.pools[0];
    opt_range(L, 2, p);
    const sim_ifaddr *ia = &g_array_index(i->addrs4, sim_ifaddr, 0);
    uint32_t def_mask = ia->plen ? 0xFFFFFFFFu << (32 - ia->plen) : 0;
    p->mask = opt_ip4(L, 2, "mask", def_mask);
    uint32_t net = sim_ip4_u32(own) & p->mask;
    if ((p->start & p->mask) != net || (p->end & p->mask) != net)
        return luaL_argerror(L, 2, lua_pushfstring(L, "option 'range': outside the subnet of "
                                                   "%s on %s", i->name, n->name));
    p->router = opt_ip4(L, 2, "router", 0);
    opt_dns(L, 2, p->dns, &p->n_dns);
    sim_time_t lease = simlua_opt_time(L, 2, "lease", 3600 * SIM_SEC);
    if (lease < SIM_SEC || lease / SIM_SEC > 0xFFFFFFF0u)
        return luaL_argerror(L, 2, "option 'lease': 1 s or more");
    p->lease_secs = (uint32_t)(lease / SIM_SEC);
    p->domain = simlua_opt_str(L, 2, "domain", NULL);
    cfg.offer_hold = simlua_opt_time(L, 2, "offer_hold", 0);
    if (p->end - p->start >= DHCP_POOL_SIZE_MAX)
        return luaL_argerror(L, 2, "option 'range': at most 65536 addresses");
    GError *err = NULL;
    dhcp_app *a = dhcp_app_server(i, &cfg, &err);
    if (!a) {
        lua_pushstring(L, err->message);
        g_error_free(err);
        return luaL_argerror(L, 2, lua_tostring(L, -1));
    }
    simlua_push_handle(L, SERVER_CLASS, dhcp_app_ref(a));
    return 1;
}

static dhcp_app *check_app(lua_State *L, int idx, const char *cls)
{
    return simlua_check_handle(L, idx, cls, DHCP_REF_KIND);
}

static int server_stats(lua_State *L)
{
    const dhcp_server_stats *st =
        dhcp_server_get_stats(dhcp_app_server_core(check_app(L, 1, SERVER_CLASS)));
    lua_createtable(L, 0, 10);
    simlua_set_int(L, "received", (lua_Integer)st->received);
    simlua_set_int(L, "offers", (lua_Integer)st->offers);
    simlua_set_int(L, "acks", (lua_Integer)st->acks);
    simlua_set_int(L, "naks", (lua_Integer)st->naks);
    simlua_set_int(L, "declines", (lua_Integer)st->declines);
    simlua_set_int(L, "releases", (lua_Integer)st->releases);
    simlua_set_int(L, "informs", (lua_Integer)st->informs);
    simlua_set_int(L, "expired", (lua_Integer)st->expired);
    simlua_set_int(L, "exhausted", (lua_Integer)st->exhausted);
    simlua_set_int(L, "ignored", (lua_Integer)st->ignored);
    return 1;
}

static void push_mac(lua_State *L, const uint8_t m[6])
{
    char b[18];
    snprintf(b, sizeof b, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    lua_pushstring(L, b);
}

/* S:lookup(ip) -> MAC of the client holding ip now, or nil */
static int server_lookup(lua_State *L)
{
    dhcp_app *a = check_app(L, 1, SERVER_CLASS);
    sim_ip ip = simlua_check_ip(L, 2);
    uint8_t mac[6];
    if (ip.family != SIM_AF_INET ||
        dhcp_server_lookup(dhcp_app_server_core(a), sim_world_now(simlua_world(L)),
                           sim_ip4_u32(&ip), mac, NULL) != 0)
        return 0;
    push_mac(L, mac);
    return 1;
}

/* S:close() / c:close() */
static int app_close(lua_State *L)
{
    const char *cls = luaL_testudata(L, 1, SERVER_CLASS) ? SERVER_CLASS : CLIENT_CLASS;
    dhcp_app *a = simlua_handle_get(L, 1, cls, DHCP_REF_KIND);
    dhcp_app_free(a);
    simlua_cond_signal(module_cond(L));
    return 0;
}

static int server_tostring(lua_State *L)
{
    dhcp_app *a = simlua_handle_get(L, 1, SERVER_CLASS, DHCP_REF_KIND);
    if (!a) {
        lua_pushliteral(L, "<dhcp server (closed)>");
        return 1;
    }
    const dhcp_server_stats *st = dhcp_server_get_stats(dhcp_app_server_core(a));
    lua_pushfstring(L, "<dhcp server on %s %s, %d acks>", dhcp_app_iface(a)->node->name,
                    dhcp_app_iface(a)->name, (int)st->acks);
    return 1;
}

static const luaL_Reg server_methods[] = {
    { "stats", server_stats }, { "lookup", server_lookup }, { "close", app_close }, { NULL, NULL },
};
static const luaL_Reg server_meta[] = { { "__tostring", server_tostring }, { NULL, NULL } };

/* ---------------------------------------------------------------- client */

static const char *const client_keys[] = { "iface", "fallback_linklocal", "arp_check",
                                           "broadcast_flag", "host_name", "jitter", NULL };

/* dhcp.client(host, {iface=, fallback_linklocal=, arp_check=, broadcast_flag=, host_name=,
 *                    jitter=}) */
static int l_client(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    simlua_check_options(L, 2, client_keys);
    sim_iface *i = simlua_opt_iface(L, 2, "iface", n);
    dhcp_client_cfg cfg = { 0 };
    sim_time_t fallback = 0;
    if (lua_istable(L, 2)) {
        int t = lua_getfield(L, 2, "fallback_linklocal");
        lua_pop(L, 1);
        if (t == LUA_TBOOLEAN)
            fallback = simlua_opt_bool(L, 2, "fallback_linklocal", false) ? FALLBACK_DEFAULT : 0;
        else if (t != LUA_TNIL)
            fallback = simlua_opt_time(L, 2, "fallback_linklocal", 0);
        if (t != LUA_TNIL && t != LUA_TBOOLEAN && fallback <= 0)
            return luaL_argerror(L, 2, "option 'fallback_linklocal': true or a duration > 0");
        cfg.no_arp_check = !simlua_opt_bool(L, 2, "arp_check", true);
        cfg.no_broadcast_flag = !simlua_opt_bool(L, 2, "broadcast_flag", true);
        cfg.no_jitter = !simlua_opt_bool(L, 2, "jitter", true);
        cfg.host_name = simlua_opt_str(L, 2, "host_name", NULL);
    }
    GError *err = NULL;
    dhcp_app *a = dhcp_app_client(i, &cfg, fallback, &err);
    if (!a) {
        lua_pushstring(L, err->message);
        g_error_free(err);
        return luaL_argerror(L, 2, lua_tostring(L, -1));
    }
    simlua_cond *c = module_cond(L);
    simlua_apps_track(module_state(L), dhcp_app_ref(a));
    dhcp_app_on_notify(a, on_notify, c);
    if (dhcp_app_ipv4ll(a))
        ipv4ll_app_on_notify(dhcp_app_ipv4ll(a), on_ll_notify, c);
    simlua_push_handle(L, CLIENT_CLASS, dhcp_app_ref(a));
    return 1;
}

static bool client_bound(dhcp_app *a)
{
    dhcp_client *c = dhcp_app_client_core(a);
    dhcp_client_state st = c ? dhcp_client_get_state(c) : DHCP_STOPPED;
    return st == DHCP_BOUND || st == DHCP_RENEWING || st == DHCP_REBINDING;
}

/* simlua_wait test of c:wait_bound / c:wait_address. State: 1 handle, 2 any (true: any IPv4
 * address on the interface will do, link-local included). Pushes the address, or nil,
 * "closed"; nothing while waiting. */
static int client_ready(lua_State *L)
{
    dhcp_app *a = simlua_handle_get(L, 1, CLIENT_CLASS, DHCP_REF_KIND);
    if (!a || !dhcp_app_client_core(a)) {
        lua_pushnil(L);
        lua_pushliteral(L, "closed");
        return 2;
    }
    if (client_bound(a)) {
        sim_ip ip = sim_ip4(dhcp_client_lease(dhcp_app_client_core(a))->addr);
        simlua_push_ip(L, &ip);
        return 1;
    }
    const sim_ip *any = sim_iface_addr(dhcp_app_iface(a), SIM_AF_INET);
    if (lua_toboolean(L, 2) && any) {
        simlua_push_ip(L, any);
        return 1;
    }
    return 0;
}

/* c:wait_bound([timeout]) / c:wait_address([timeout]) */
static int client_wait(lua_State *L, bool any)
{
    check_app(L, 1, CLIENT_CLASS);
    sim_time_t deadline = simlua_deadline(L, simlua_opt_time_arg(L, 2, SIM_TIME_NEVER));
    lua_settop(L, 1);
    lua_pushboolean(L, any);
    return simlua_wait(L, module_cond(L), 2, deadline, client_ready, NULL);
}

static int client_wait_bound(lua_State *L) { return client_wait(L, false); }

static int client_wait_address(lua_State *L) { return client_wait(L, true); }

/* c:address() -> the interface's first IPv4 address (DHCP or link-local), or nil */
static int client_address(lua_State *L)
{
    dhcp_app *a = check_app(L, 1, CLIENT_CLASS);
    const sim_ip *ip = sim_iface_addr(dhcp_app_iface(a), SIM_AF_INET);
    if (!ip)
        return 0;
    simlua_push_ip(L, ip);
    return 1;
}

static int client_lease(lua_State *L)
{
    dhcp_app *a = check_app(L, 1, CLIENT_CLASS);
    if (!client_bound(a))
        return 0;
    const dhcp_lease *l = dhcp_client_lease(dhcp_app_client_core(a));
    lua_createtable(L, 0, 8);
    set_ip(L, "addr", l->addr);
    set_ip(L, "mask", l->mask);
    if (l->router)
        set_ip(L, "router", l->router);
    set_ip(L, "server", l->server_id);
    lua_createtable(L, (int)l->n_dns, 0);
    for (size_t k = 0; k < l->n_dns; k++) {
        sim_ip ip = sim_ip4(l->dns[k]);
        simlua_push_ip(L, &ip);
        lua_rawseti(L, -2, (lua_Integer)k + 1);
    }
    lua_setfield(L, -2, "dns");
    simlua_set_int(L, "lease", l->lease_secs);
    simlua_set_int(L, "t1", l->t1_secs);
    simlua_set_int(L, "t2", l->t2_secs);
    return 1;
}

static int client_state(lua_State *L)
{
    dhcp_app *a = check_app(L, 1, CLIENT_CLASS);
    lua_pushstring(L, dhcp_client_state_name(dhcp_client_get_state(dhcp_app_client_core(a))));
    return 1;
}

/* c:release() -> true, or nil, "no lease" */
static int client_release(lua_State *L)
{
    dhcp_app *a = check_app(L, 1, CLIENT_CLASS);
    if (dhcp_app_release(a) != 0) {
        lua_pushnil(L);
        lua_pushliteral(L, "no lease");
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}

static int client_stats(lua_State *L)
{
    dhcp_app *a = check_app(L, 1, CLIENT_CLASS);
    const dhcp_client_stats *st = dhcp_client_get_stats(dhcp_app_client_core(a));
    lua_createtable(L, 0, 10);
    simlua_set_int(L, "sent", (lua_Integer)st->sent);
    simlua_set_int(L, "retransmits", (lua_Integer)st->retransmits);
    simlua_set_int(L, "received", (lua_Integer)st->received);
    simlua_set_int(L, "offers", (lua_Integer)st->offers);
    simlua_set_int(L, "acks", (lua_Integer)st->acks);
    simlua_set_int(L, "naks", (lua_Integer)st->naks);
    simlua_set_int(L, "declines", (lua_Integer)st->declines);
    simlua_set_int(L, "releases", (lua_Integer)st->releases);
    simlua_set_int(L, "expiries", (lua_Integer)st->expiries);
    ipv4ll_app *ll = dhcp_app_ipv4ll(a);
    if (ll && ipv4ll_app_core(ll)) {
        const ipv4ll_stats *ls = ipv4ll_get_stats(ipv4ll_app_core(ll));
        simlua_set_int(L, "linklocal_claims", (lua_Integer)ls->claims);
    }
    return 1;
}

static int client_tostring(lua_State *L)
{
    dhcp_app *a = simlua_handle_get(L, 1, CLIENT_CLASS, DHCP_REF_KIND);
    if (!a || !dhcp_app_client_core(a)) {
        lua_pushliteral(L, "<dhcp client (closed)>");
        return 1;
    }
    char b[SIM_IP_STRLEN] = "no address";
    const sim_ip *ip = sim_iface_addr(dhcp_app_iface(a), SIM_AF_INET);
    if (ip)
        sim_ip_fmt(ip, b, sizeof b);
    lua_pushfstring(L, "<dhcp client on %s %s, %s, %s>", dhcp_app_iface(a)->node->name,
                    dhcp_app_iface(a)->name,
                    dhcp_client_state_name(dhcp_client_get_state(dhcp_app_client_core(a))), b);
    return 1;
}

static const luaL_Reg client_methods[] = {
    { "wait_bound", client_wait_bound }, { "wait_address", client_wait_address },
    { "address", client_address },
    { "lease", client_lease },           { "state", client_state },
    { "release", client_release },       { "stats", client_stats },
    { "close", app_close },              { NULL, NULL },
};
static const luaL_Reg client_meta[] = { { "__tostring", client_tostring }, { NULL, NULL } };

static const luaL_Reg module_funcs[] = {
    { "server", l_server },
    { "client", l_client },
    { NULL, NULL },
};

int dhcp_lua_open(lua_State *L)
{
    simlua_new_class(L, SERVER_CLASS, server_methods, server_meta);
    simlua_new_class(L, CLIENT_CLASS, client_methods, client_meta);
    module_cond(L);
    luaL_newlib(L, module_funcs);
    return 1;
}
