/* protocols/sip/sip_lua_opts.c — the option tables of sip.registrar / sip.proxy /
 * sip.redirect / sip.ua read into their C configurations: addresses, transport, TCP idle time,
 * digest users, proxy options (Timer C, authentication), RFC 5626 outbound options of servers
 * and UAs, and a call's ICE. Each raises a Lua error naming the option on bad input. */
#include <string.h>
#include "protocols/sip/sip_lua_priv.h"

/* Option key of table idx as "ip" or "ip:port" (default port 5060); false when absent. */
bool sip_lua_opt_hostport(lua_State *L, int idx, const char *key, sim_ep *ep, uint16_t defport)
{
    const char *s = simlua_opt_str(L, idx, key, NULL);
    if (!s)
        return false;
    if (sim_ep_parse(s, ep) == 0 && ep->port)
        return true;
    if (sim_ip_parse(s, &ep->ip) == 0) {
        ep->port = defport;
        return true;
    }
    luaL_argerror(L, idx, lua_pushfstring(L, "option '%s': \"ip\" or \"ip:port\", not \"%s\"", key, s));
    return false;
}

/* The app's own address: the node's first IPv4 address, else its first global IPv6 address
 * (an IPv6-only node), raising when it has neither. */
sim_ip sip_lua_node_ip(lua_State *L, sim_node *n)
{
    for (guint i = 0; i < n->ifaces->len; i++) {
        const sim_ip *ip = sim_iface_addr(n->ifaces->pdata[i], SIM_AF_INET);
        if (ip)
            return *ip;
    }
    sim_ip ip6;
    if (sip_node_global6(n, &ip6))
        return ip6;
    luaL_error(L, "%s has no IPv4 or global IPv6 address", n->name);
    return (sim_ip){ 0 };
}

/* tcp_idle = seconds (or "2min"; 0: never): when idle TCP connections close. */
sim_time_t sip_lua_opt_tcp_idle(lua_State *L, int idx)
{
    return simlua_opt_time(L, idx, "tcp_idle", SIP_TCP_IDLE_DEFAULT);
}

/* transport="udp" | "tcp": true for TCP. */
bool sip_lua_opt_tcp(lua_State *L, int idx)
{
    const char *t = simlua_opt_str(L, idx, "transport", "udp");
    if (g_ascii_strcasecmp(t, "tcp") != 0 && g_ascii_strcasecmp(t, "udp") != 0)
        luaL_argerror(L, idx, lua_pushfstring(L, "option 'transport': \"udp\" or \"tcp\", "
                                                 "not \"%s\"", t));
    return g_ascii_strcasecmp(t, "tcp") == 0;
}

/* users={name="pw", ...} into two NULL-terminated arrays, sorted by name (pairs() order is
 * not deterministic). */
void sip_lua_opt_users(lua_State *L, int idx, GPtrArray *names, GPtrArray *pws)
{
    if (lua_getfield(L, idx, "users") == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    if (!lua_istable(L, -1))
        luaL_argerror(L, idx, "option 'users': a table {name = \"password\"}");
    GPtrArray *keys = g_ptr_array_new_with_free_func(g_free);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
            luaL_argerror(L, idx, "option 'users': names and passwords are strings");
        g_ptr_array_add(keys, g_strdup(lua_tostring(L, -2)));
        lua_pop(L, 1);
    }
    g_ptr_array_sort(keys, (GCompareFunc)(void *)g_ascii_strcasecmp);
    for (guint i = 0; i < keys->len; i++) {
        lua_getfield(L, -1, keys->pdata[i]);
        g_ptr_array_add(names, g_strdup(keys->pdata[i]));
        g_ptr_array_add(pws, g_strdup(lua_tostring(L, -1)));
        lua_pop(L, 1);
    }
    g_ptr_array_free(keys, TRUE);
    lua_pop(L, 1);
}

/* A number of seconds 0..86400 (0: none). */
static uint32_t opt_secs(lua_State *L, int idx, const char *key)
{
    lua_Integer v = simlua_opt_int(L, idx, key, 0);
    if (v < 0 || v > 86400)
        luaL_argerror(L, idx, lua_pushfstring(L, "option '%s': 0..86400 seconds", key));
    return (uint32_t)v;
}

/* RFC 5626 / RFC 3327: outbound (edge proxy), force_path, flow_timeout, flow_timer. */
void sip_lua_opt_outbound_server(lua_State *L, int idx, sip_server_cfg *cfg)
{
    cfg->outbound = simlua_opt_bool(L, idx, "outbound", false);
    cfg->force_path = simlua_opt_bool(L, idx, "force_path", false);
    cfg->flow_timeout = opt_secs(L, idx, "flow_timeout");
    cfg->flow_timer = opt_secs(L, idx, "flow_timer");
    if ((cfg->force_path || cfg->flow_timeout) && !cfg->outbound)
        luaL_argerror(L, idx, "options 'force_path' and 'flow_timeout' need outbound = true");
}

/* timer_c = time (> 0; RFC 3261 wants > 3 min, scenarios shorten it) and authenticate = bool
 * (needs users). */
void sip_lua_opt_proxy(lua_State *L, int idx, sip_server_cfg *cfg)
{
    cfg->timer_c = simlua_opt_time(L, idx, "timer_c", SIP_TIMER_C);
    if (!cfg->timer_c)
        luaL_argerror(L, idx, "option 'timer_c': a time > 0 (\"3min\", 10)");
    cfg->authenticate = simlua_opt_bool(L, idx, "authenticate", false);
    bool users = lua_getfield(L, idx, "users") != LUA_TNIL;
    lua_pop(L, 1);
    if (cfg->authenticate && !users)
        luaL_argerror(L, idx, "option 'authenticate': needs 'users' (the digest accounts)");
}

static const char *const ice_keys[] = { "stun", "turn", "user", "password", NULL };

/* Option ice = {stun = "ip:port", turn = "ip:port", user =, password =} of table idx into
 * *cfg (strings borrowed from the table; an empty table: host candidates only). Returns
 * whether the option is there. */
bool sip_lua_opt_ice(lua_State *L, int idx, ice_app_cfg *cfg)
{
    lua_getfield(L, idx, "ice");
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return false;
    }
    if (!lua_istable(L, -1))
        luaL_argerror(L, idx, "option 'ice': a table {stun=, turn=, user=, password=}");
    int t = lua_gettop(L);
    simlua_check_options(L, t, ice_keys);
    sip_lua_opt_hostport(L, t, "stun", &cfg->stun, 3478);
    sip_lua_opt_hostport(L, t, "turn", &cfg->turn, 3478);
    cfg->turn_user = simlua_opt_str(L, t, "user", NULL);
    cfg->turn_pass = simlua_opt_str(L, t, "password", NULL);
    if (cfg->turn.port && (!cfg->turn_user || !cfg->turn_pass))
        luaL_argerror(L, idx, "option 'ice': a turn server needs user and password");
    lua_pop(L, 1); /* the strings stay alive in the options table at idx */
    return true;
}

static const char *const outbound_keys[] = { "edges", "rto", NULL };

/* outbound = {edges = {"ip[:port]", ...}, rto = time}: one flow per edge (reg-id 1, 2 ...,
 * RFC 5626 §4.2) and the STUN keep-alive RTO; the table is at the top of the stack. */
static void opt_outbound_table(lua_State *L, int idx, sip_ua_cfg *cfg)
{
    int t = lua_gettop(L);
    simlua_check_options(L, t, outbound_keys);
    cfg->keepalive_rto = simlua_opt_time(L, t, "rto", 0);
    if (lua_getfield(L, t, "edges") != LUA_TNIL) {
        lua_Integer n = lua_istable(L, -1) ? (lua_Integer)luaL_len(L, -1) : 0;
        if (n < 1 || n > SIP_UA_EDGES_MAX)
            luaL_argerror(L, idx, "option 'outbound.edges': a list of 1..4 \"ip[:port]\"");
        for (lua_Integer i = 1; i <= n; i++) {
            lua_geti(L, -1, i);
            const char *e = lua_tostring(L, -1);
            sim_ep *ep = &cfg->edges[i - 1];
            if (!e || (!(sim_ep_parse(e, ep) == 0 && ep->port) &&
                       (sim_ip_parse(e, &ep->ip) < 0 || !(ep->port = SIP_PORT))))
                luaL_argerror(L, idx, lua_pushfstring(L, "option 'outbound.edges'[%d]: "
                                                         "\"ip\" or \"ip:port\"", (int)i));
            lua_pop(L, 1);
        }
        cfg->n_edges = (size_t)n;
        if (cfg->registrar.port)
            luaL_argerror(L, idx, "option 'registrar' and 'outbound.edges': REGISTERs go to "
                                  "the edges");
    }
    lua_pop(L, 1);
}

/* outbound = true | {edges =, rto =} (RFC 5626), keepalive = seconds | false (none). */
void sip_lua_opt_outbound_ua(lua_State *L, int idx, sip_ua_cfg *cfg)
{
    if (lua_getfield(L, idx, "outbound") == LUA_TTABLE) {
        cfg->outbound = true;
        opt_outbound_table(L, idx, cfg);
    } else {
        lua_pop(L, 1);
        cfg->outbound = simlua_opt_bool(L, idx, "outbound", false);
    }
    int t = lua_getfield(L, idx, "keepalive");
    lua_pop(L, 1);
    if (t == LUA_TBOOLEAN)
        cfg->no_keepalive = !simlua_opt_bool(L, idx, "keepalive", true);
    else if ((cfg->keepalive = opt_secs(L, idx, "keepalive")) == 0 && t != LUA_TNIL)
        luaL_argerror(L, idx, "option 'keepalive': 1..86400 seconds, or false");
    if (t != LUA_TNIL && !cfg->outbound)
        luaL_argerror(L, idx, "option 'keepalive' needs outbound = true");
}
