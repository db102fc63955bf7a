/* sim/lua/lua_slaac.c — IPv6 autoconfiguration from Lua (sim/stack/slaac.h): per-interface
 * options at attach time or later, the address list with states, a blocking wait for an
 * address, and Router Advertisements on a router's interface.
 *
 *   local eth0 = A:attach(lan, {slaac = true, dad = true, iid = "stable"})
 *   R:advertise(lan, {prefix = "2001:db8:1::/64", interval = "10s"})
 *   local ip = eth0:wait_address{scope = "global", timeout = "10s"}
 *   for _, a in ipairs(eth0:addresses()) do print(a.ip, a.state, a.origin) end */
#include "sim/lua/simlua_priv.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include "sim/stack/slaac.h"

#define WATCH_TNAME "natsim.SlaacWatch"
#define INFINITE_LT 0xffffffffu

/* ---- interface options ---- */

static void check_iid(lua_State *L, int idx, const char *s, net_slaac_opts *o)
{
    sim_ip ip;
    static const uint8_t zero[8];
    if (!strcmp(s, "eui64")) {
        o->iid = NET_IID_EUI64;
    } else if (!strcmp(s, "stable")) {
        o->iid = NET_IID_STABLE;
    } else if (sim_ip_parse(s, &ip) == 0 && ip.family == SIM_AF_INET6 &&
               !memcmp(ip.b, zero, 8) && memcmp(ip.b + 8, zero, 8)) {
        o->iid = NET_IID_FIXED;
        memcpy(o->fixed_iid, ip.b + 8, 8);
    } else {
        luaL_argerror(L, idx, lua_pushfstring(L, "option 'iid': '%s' is not \"eui64\", "
                                                 "\"stable\" or an interface ID like \"::1\"",
                                              s));
    }
}

bool simlua_slaac_opts(lua_State *L, int idx, net_slaac_opts *o)
{
    memset(o, 0, sizeof *o);
    if (!lua_istable(L, idx))
        return false;
    bool any = false;
    static const char *const keys[] = { "slaac", "dad", "iid", "dad_transmits" };
    for (size_t k = 0; k < G_N_ELEMENTS(keys); k++) {
        any |= lua_getfield(L, idx, keys[k]) != LUA_TNIL;
        lua_pop(L, 1);
    }
    if (!any)
        return false;
    o->slaac = simlua_opt_bool(L, idx, "slaac", false);
    o->dad = simlua_opt_bool(L, idx, "dad", true);
    const char *iid = simlua_opt_str(L, idx, "iid", "eui64");
    check_iid(L, idx, iid, o);
    lua_Integer n = simlua_opt_int(L, idx, "dad_transmits", 1);
    if (n < 1 || n > 10)
        luaL_argerror(L, idx, "option 'dad_transmits': 1..10 expected");
    o->dad_transmits = (unsigned)n;
    return true;
}

/* iface:autoconf{slaac=, dad=, iid=, dad_transmits=}: (re)starts autoconfiguration. */
static int iface_autoconf(lua_State *L)
{
    sim_iface *i = simlua_check_iface(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    static const char *const keys[] = { "slaac", "dad", "iid", "dad_transmits", NULL };
    simlua_check_options(L, 2, keys);
    net_slaac_opts o;
    simlua_slaac_opts(L, 2, &o);
    if (net_slaac_configure(i, &o) < 0)
        return luaL_argerror(L, 2, "bad autoconfiguration options");
    return 0;
}

/* ---- inspection ---- */

static void push_lifetime(lua_State *L, sim_time_t until, sim_time_t now)
{
    if (until == SIM_TIME_NEVER)
        lua_pushnumber(L, HUGE_VAL);
    else
        lua_pushnumber(L, until > now ? sim_time_sec(until - now) : 0);
}

/* iface:addresses(): {{ip=, plen=, state=, origin=, valid=, preferred=}, ...}; lifetimes are
 * the seconds left (math.huge: infinite). */
static int iface_addresses(lua_State *L)
{
    sim_iface *i = simlua_check_iface(L, 1);
    net_slaac_addr_info info[32];
    size_t n = MIN(net_slaac_addrs(i, info, G_N_ELEMENTS(info)), G_N_ELEMENTS(info));
    sim_time_t now = sim_world_now(i->node->world);
    lua_createtable(L, (int)n, 0);
    for (size_t k = 0; k < n; k++) {
        lua_createtable(L, 0, 6);
        simlua_push_ip(L, &info[k].ip);
        lua_setfield(L, -2, "ip");
        lua_pushinteger(L, info[k].plen);
        lua_setfield(L, -2, "plen");
        lua_pushstring(L, net_addr_state_name(info[k].state));
        lua_setfield(L, -2, "state");
        lua_pushstring(L, net_addr_origin_name(info[k].origin));
        lua_setfield(L, -2, "origin");
        push_lifetime(L, info[k].valid_until, now);
        lua_setfield(L, -2, "valid");
        push_lifetime(L, info[k].preferred_until, now);
        lua_setfield(L, -2, "preferred");
        lua_rawseti(L, -2, (lua_Integer)k + 1);
    }
    return 1;
}

/* iface:slaac_stats(): counters of both halves and whether IPv6 is disabled. */
static int iface_slaac_stats(lua_State *L)
{
    sim_iface *i = simlua_check_iface(L, 1);
    net_slaac_stats s = net_slaac_get_stats(i);
    net_ra_stats r = net_ra_get_stats(i);
    const struct { const char *k; uint64_t v; } f[] = {
        { "dad_ns_sent", s.dad_ns_sent }, { "rs_sent", s.rs_sent }, { "ra_rx", s.ra_rx },
        { "ra_ignored", s.ra_ignored }, { "dad_failed", s.dad_failed },
        { "ra_sent", r.ra_sent }, { "rs_rx", r.rs_rx },
    };
    lua_createtable(L, 0, G_N_ELEMENTS(f) + 1);
    for (size_t k = 0; k < G_N_ELEMENTS(f); k++) {
        lua_pushinteger(L, (lua_Integer)f[k].v);
        lua_setfield(L, -2, f[k].k);
    }
    lua_pushboolean(L, net_slaac_disabled(i));
    lua_setfield(L, -2, "disabled");
    return 1;
}

/* ---- waiting: one condition per interface, signalled by the stack ---- */

typedef struct watch {
    sim_iface *iface;
    sim_ref iref;
    simlua_cond *cond;
} watch;

typedef struct watch_set {
    sim_world *w;
    GPtrArray *all; /* of watch* */
} watch_set;

static int watch_gc(lua_State *L)
{
    watch_set *ws = luaL_checkudata(L, 1, WATCH_TNAME);
    for (guint k = 0; ws->all && k < ws->all->len; k++) {
        watch *wt = g_ptr_array_index(ws->all, k);
        if (sim_world_ref_get(ws->w, wt->iref, SIM_REF_IFACE))
            net_slaac_set_notify(wt->iface, NULL, NULL);
        simlua_cond_free(wt->cond); /* tasks were freed before the state closes */
        g_free(wt);
    }
    if (ws->all)
        g_ptr_array_unref(ws->all);
    ws->all = NULL;
    return 0;
}

static void watch_notify(void *ctx, sim_iface *i)
{
    (void)i;
    simlua_cond_signal(((watch *)ctx)->cond);
}

static watch *watch_of(lua_State *L, sim_iface *i)
{
    if (lua_getfield(L, LUA_REGISTRYINDEX, WATCH_TNAME) == LUA_TNIL) {
        lua_pop(L, 1);
        watch_set *ws = lua_newuserdatauv(L, sizeof *ws, 0);
        ws->w = simlua_world(L);
        ws->all = g_ptr_array_new();
        if (luaL_newmetatable(L, WATCH_TNAME)) {
            lua_pushcfunction(L, watch_gc);
            lua_setfield(L, -2, "__gc");
        }
        lua_setmetatable(L, -2);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, WATCH_TNAME);
    }
    watch_set *ws = lua_touserdata(L, -1);
    lua_pop(L, 1);
    for (guint k = 0; k < ws->all->len; k++)
        if (((watch *)g_ptr_array_index(ws->all, k))->iface == i)
            return g_ptr_array_index(ws->all, k);
    watch *wt = g_new0(watch, 1);
    wt->iface = i;
    wt->iref = simlua_ref_for(simlua_from(L), i, SIM_REF_IFACE);
    wt->cond = simlua_cond_new(L);
    g_ptr_array_add(ws->all, wt);
    net_slaac_set_notify(i, watch_notify, wt);
    return wt;
}

typedef enum { SCOPE_GLOBAL, SCOPE_LINK, SCOPE_ANY } scope_t;

/* The first address of i in `scope` with state `state`, or NULL. */
static bool find_addr(sim_iface *i, scope_t scope, net_addr_state state, sim_ip *out)
{
    net_slaac_addr_info info[32];
    size_t n = MIN(net_slaac_addrs(i, info, G_N_ELEMENTS(info)), G_N_ELEMENTS(info));
    for (size_t k = 0; k < n; k++) {
        bool ll = sim_ip_is_link_local6(&info[k].ip);
        if (info[k].state == state &&
            (scope == SCOPE_ANY || (scope == SCOPE_LINK) == ll)) {
            *out = info[k].ip;
            return true;
        }
    }
    return false;
}

/* The wait's parameters travel in the continuation context: deadline in the upper bits would
 * not fit, so they stay on the Lua stack (arguments 2..4 after settop). */
static int wait_k(lua_State *L, int status, lua_KContext ctx);

static int wait_step(lua_State *L, sim_iface *i)
{
    scope_t scope = (scope_t)lua_tointeger(L, 2);
    net_addr_state state = (net_addr_state)lua_tointeger(L, 3);
    sim_time_t deadline = (sim_time_t)lua_tointeger(L, 4);
    sim_ip ip;
    if (find_addr(i, scope, state, &ip)) {
        simlua_push_ip(L, &ip);
        return 1;
    }
    sim_time_t now = sim_world_now(i->node->world);
    if (net_slaac_disabled(i) || !net_slaac_configured(i) || now >= deadline) {
        luaL_pushfail(L);
        lua_pushstring(L, net_slaac_disabled(i) ? "IPv6 disabled: duplicate address detected, "
                                                  "admin intervention required"
                          : net_slaac_configured(i) ? "timeout"
                                                    : "no such address (autoconfiguration is off)");
        return 2;
    }
    watch *wt = watch_of(L, i);
    sim_time_t timeout = deadline == SIM_TIME_NEVER - 1 ? SIM_TIME_NEVER : deadline - now;
    return simlua_cond_wait(L, wt->cond, timeout, 0, wait_k);
}

static int wait_k(lua_State *L, int status, lua_KContext ctx)
{
    (void)status, (void)ctx;
    lua_pop(L, 1);
    return wait_step(L, simlua_check_iface(L, 1));
}

/* iface:wait_address{scope = "global"|"link-local"|"any", state = "preferred", timeout = t}:
 * blocks until such an address exists; returns it, or nil and "timeout" / "IPv6 disabled ...". */
static int iface_wait_address(lua_State *L)
{
    sim_iface *i = simlua_check_iface(L, 1);
    static const char *const keys[] = { "scope", "state", "timeout", NULL };
    simlua_check_options(L, 2, keys);
    static const char *const scopes[] = { "global", "link-local", "any", NULL };
    static const char *const states[] = { "tentative", "preferred", "deprecated", "duplicate",
                                          NULL };
    const char *sc = simlua_opt_str(L, 2, "scope", "global");
    const char *st = simlua_opt_str(L, 2, "state", "preferred");
    int scope = -1, state = -1;
    for (int k = 0; scopes[k]; k++)
        if (!strcmp(sc, scopes[k]))
            scope = k;
    for (int k = 0; states[k]; k++)
        if (!strcmp(st, states[k]))
            state = k;
    if (scope < 0)
        return luaL_argerror(L, 2, "option 'scope': \"global\", \"link-local\" or \"any\"");
    if (state < 0)
        return luaL_argerror(L, 2, "option 'state': \"tentative\", \"preferred\", "
                                   "\"deprecated\" or \"duplicate\"");
    sim_time_t timeout = simlua_opt_time(L, 2, "timeout", SIM_TIME_NEVER);
    sim_time_t now = sim_world_now(i->node->world);
    sim_time_t deadline = timeout >= SIM_TIME_NEVER - 1 - now ? SIM_TIME_NEVER - 1 : now + timeout;
    simlua_check_task(L, "iface:wait_address");
    lua_settop(L, 1);
    lua_pushinteger(L, scope);
    lua_pushinteger(L, state);
    lua_pushinteger(L, (lua_Integer)deadline);
    return wait_step(L, i);
}

/* ---- router side ---- */

/* A lifetime option: seconds (duration) or "infinite". */
static uint32_t opt_lifetime(lua_State *L, int idx, const char *key, uint32_t def)
{
    int t = lua_getfield(L, idx, key);
    bool inf = t == LUA_TSTRING && !strcmp(lua_tostring(L, -1), "infinite");
    lua_pop(L, 1);
    if (inf)
        return INFINITE_LT;
    sim_time_t v = simlua_opt_time(L, idx, key, (sim_time_t)def * SIM_SEC);
    if (v % SIM_SEC || v / SIM_SEC >= INFINITE_LT)
        luaL_error(L, "option '%s': whole seconds below 2^32-1, or \"infinite\"", key);
    return (uint32_t)(v / SIM_SEC);
}

/* One prefix: a string (defaults from the outer table at idx) or a table. */
static void check_prefix(lua_State *L, int outer, net_ra_prefix *p)
{
    int idx = lua_gettop(L);
    if (lua_istable(L, idx)) {
        static const char *const keys[] = { "prefix", "valid", "preferred", "onlink",
                                            "autonomous", NULL };
        simlua_check_options(L, idx, keys);
        lua_getfield(L, idx, "prefix");
    } else {
        lua_pushvalue(L, idx);
    }
    const char *s = lua_tostring(L, -1);
    if (!s || sim_prefix_parse(s, &p->prefix, &p->plen) < 0 || p->prefix.family != SIM_AF_INET6)
        luaL_error(L, "option 'prefix': '%s' is not an IPv6 prefix like \"2001:db8:1::/64\"",
                   s ? s : luaL_typename(L, -1));
    lua_pop(L, 1);
    int src = lua_istable(L, idx) ? idx : outer;
    p->valid = opt_lifetime(L, outer, "valid", 2592000);     /* AdvValidLifetime: 30 days */
    p->preferred = opt_lifetime(L, outer, "preferred", 604800); /* 7 days */
    p->onlink = simlua_opt_bool(L, outer, "onlink", true);
    p->autonomous = simlua_opt_bool(L, outer, "autonomous", true);
    if (src != outer) {
        p->valid = opt_lifetime(L, src, "valid", p->valid);
        p->preferred = opt_lifetime(L, src, "preferred", p->preferred);
        p->onlink = simlua_opt_bool(L, src, "onlink", p->onlink);
        p->autonomous = simlua_opt_bool(L, src, "autonomous", p->autonomous);
    }
}

/* The router's interface named by argument 2: an interface, or the link it is attached to. */
static sim_iface *check_router_iface(lua_State *L, sim_node *n)
{
    sim_iface *i = NULL;
    if (luaL_testudata(L, 2, SIMLUA_IFACE)) {
        i = simlua_check_iface(L, 2);
        if (i->node != n)
            luaL_argerror(L, 2, "interface of another node");
        return i;
    }
    sim_link *l = simlua_check_link(L, 2);
    for (guint k = 0; k < n->ifaces->len && !i; k++)
        if (((sim_iface *)g_ptr_array_index(n->ifaces, k))->link == l)
            i = g_ptr_array_index(n->ifaces, k);
    if (!i)
        luaL_argerror(L, 2, "the router is not attached to this link");
    return i;
}

static void ra_opts(lua_State *L, net_ra_opts *o)
{
    static const char *const keys[] = { "prefix", "prefixes", "interval", "min_interval",
                                        "router_lifetime", "valid", "preferred", "onlink",
                                        "autonomous", "mtu", "hop_limit", NULL };
    simlua_check_options(L, 3, keys);
    memset(o, 0, sizeof *o);
    o->max_interval = simlua_opt_time(L, 3, "interval", 0);
    o->min_interval = simlua_opt_time(L, 3, "min_interval", 0);
    sim_time_t rl = simlua_opt_time(L, 3, "router_lifetime", SIM_TIME_NEVER);
    o->router_lifetime = rl == SIM_TIME_NEVER ? -1 : (int)MIN(rl / SIM_SEC, 100000);
    lua_Integer mtu = simlua_opt_int(L, 3, "mtu", 0), hl = simlua_opt_int(L, 3, "hop_limit", 0);
    if (mtu < 0 || (mtu && mtu < 1280) || mtu > 1500 || hl < 0 || hl > 255)
        luaL_argerror(L, 3, "option 'mtu' (1280..1500) or 'hop_limit' (0..255) out of range");
    o->mtu = (uint32_t)mtu;
    o->cur_hop_limit = (uint8_t)hl;
    if (lua_getfield(L, 3, "prefix") != LUA_TNIL) {
        check_prefix(L, 3, &o->prefixes[o->n_prefixes++]);
    }
    lua_pop(L, 1);
    if (lua_getfield(L, 3, "prefixes") == LUA_TTABLE) {
        lua_Integer n = luaL_len(L, -1);
        for (lua_Integer k = 1; k <= n; k++) {
            if (o->n_prefixes >= NET_RA_MAX_PREFIXES)
                luaL_error(L, "option 'prefixes': at most %d prefixes", NET_RA_MAX_PREFIXES);
            lua_geti(L, -1, k);
            check_prefix(L, 3, &o->prefixes[o->n_prefixes++]);
            lua_pop(L, 1);
        }
    } else if (!lua_isnil(L, -1)) {
        luaL_argerror(L, 3, "option 'prefixes': array of prefixes expected");
    }
    lua_pop(L, 1);
}

/* router:advertise(iface or link, {prefix=, prefixes=, interval=, min_interval=,
 * router_lifetime=, valid=, preferred=, onlink=, autonomous=, mtu=, hop_limit=}), or
 * router:advertise(iface or link, false) to stop (with a final RA of router lifetime 0). */
static int node_advertise(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    if (!n->forwarding)
        return luaL_argerror(L, 1, "only a router sends Router Advertisements");
    sim_iface *i = check_router_iface(L, n);
    if (lua_isboolean(L, 3) && !lua_toboolean(L, 3)) {
        net_ra_stop(i);
        return 0;
    }
    luaL_checktype(L, 3, LUA_TTABLE);
    net_ra_opts o;
    ra_opts(L, &o);
    int err = net_ra_advertise(i, &o);
    if (err < 0)
        return luaL_argerror(L, 3, "bad advertisement options (interval at most 1800 s, "
                                   "min_interval at most 0.75 interval, router_lifetime at most "
                                   "9000 s, preferred lifetime at most the valid one)");
    return 0;
}

const luaL_Reg simlua_slaac_iface_methods[] = {
    { "autoconf", iface_autoconf }, { "addresses", iface_addresses },
    { "wait_address", iface_wait_address }, { "slaac_stats", iface_slaac_stats },
    { NULL, NULL },
};

const luaL_Reg simlua_slaac_node_methods[] = {
    { "advertise", node_advertise }, { NULL, NULL },
};
