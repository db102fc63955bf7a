/* protocols/zeroconf/ipv4ll_lua.c — module `ipv4ll` for scenarios (RFC 3927):
 *
 *   local ll = ipv4ll.start(host, {iface=eth0, first_addr="169.254.10.20"})
 *   ll:wait_address([timeout]) -> "169.254.x.y" | nil, "timeout"
 *   ll:address()   -> the claimed address | nil (still probing, or stopped)
 *   ll:conflicts() -> conflicts seen so far (candidates given up, defences included)
 *   ll:state()     -> "WAITING", "PROBING", "ANNOUNCING", "BOUND", "STOPPED"
 *   ll:stats()     -> {probes, announcements, conflicts, defences, claims, rate_limited}
 *   ll:stop()      -> the address is removed, the handle goes stale
 *
 * iface is an Iface handle, a name or a link (default: the first interface). first_addr
 * forces the first candidate (to make two hosts collide on purpose); later candidates come
 * from the host's own random stream. wait_address returns once the address is claimed (configured). */
#include "protocols/zeroconf/ipv4ll.h"

#include <errno.h>
#include "sim/lua/simlua.h"
#include "sim/node.h"

#define LL_CLASS "natsim.Ipv4ll"
#define STATE_KEY "natsim.ipv4ll"

/* When the Lua state closes: the app stops calling into it. */
static void unhook(void *obj) { ipv4ll_app_on_notify(obj, NULL, NULL); }

/* The module's state and condition (one per Lua state). */
static simlua_apps *module_state(lua_State *L)
{
    return simlua_module_state(L, STATE_KEY, IPV4LL_REF_KIND, unhook);
}
static simlua_cond *module_cond(lua_State *L) { return simlua_apps_cond(module_state(L)); }

static void on_notify(ipv4ll_app *a, void *ctx)
{
    (void)a;
    simlua_cond_signal(ctx);
}

static const char *const start_keys[] = { "iface", "first_addr", NULL };

/* ipv4ll.start(host, {iface=, first_addr=}) */
static int l_start(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    simlua_check_options(L, 2, start_keys);
    sim_iface *i = simlua_opt_iface(L, 2, "iface", n);
    uint32_t first = 0;
    const char *fs = lua_istable(L, 2) ? simlua_opt_str(L, 2, "first_addr", NULL) : NULL;
    if (fs) {
        sim_ip ip;
        if (sim_ip_parse(fs, &ip) != 0 || ip.family != SIM_AF_INET ||
            sim_ip4_u32(&ip) < IPV4LL_FIRST || sim_ip4_u32(&ip) > IPV4LL_LAST)
            return luaL_argerror(L, 2, "option 'first_addr': an address in 169.254.1.0 - "
                                       "169.254.254.255 expected");
        first = sim_ip4_u32(&ip);
    }
    ipv4ll_app *a = ipv4ll_app_new(i, first);
    simlua_apps_track(module_state(L), ipv4ll_app_ref(a));
    ipv4ll_app_on_notify(a, on_notify, module_cond(L));
    ipv4ll_app_start(a);
    simlua_push_handle(L, LL_CLASS, ipv4ll_app_ref(a));
    return 1;
}

static ipv4ll_app *check_app(lua_State *L, int idx)
{
    return simlua_check_handle(L, idx, LL_CLASS, IPV4LL_REF_KIND);
}

/* The claimed address, or 0. */
static uint32_t claimed(ipv4ll_app *a)
{
    ipv4ll *c = ipv4ll_app_core(a);
    ipv4ll_state st = c ? ipv4ll_get_state(c) : IPV4LL_STOPPED;
    return st == IPV4LL_ANNOUNCING || st == IPV4LL_BOUND ? ipv4ll_addr(c) : 0;
}

/* simlua_wait test of ll:wait_address. State: 1 handle. Pushes the claimed address, or nil,
 * "stopped"; nothing while waiting. */
static int address_claimed(lua_State *L)
{
    ipv4ll_app *a = simlua_handle_get(L, 1, LL_CLASS, IPV4LL_REF_KIND);
    if (!a) {
        lua_pushnil(L);
        lua_pushliteral(L, "stopped");
        return 2;
    }
    if (!claimed(a))
        return 0;
    sim_ip ip = sim_ip4(claimed(a));
    simlua_push_ip(L, &ip);
    return 1;
}

/* ll:wait_address([timeout]) */
static int ll_wait_address(lua_State *L)
{
    check_app(L, 1);
    sim_time_t deadline = simlua_deadline(L, simlua_opt_time_arg(L, 2, SIM_TIME_NEVER));
    return simlua_wait(L, module_cond(L), 1, deadline, address_claimed, NULL);
}

static int ll_address(lua_State *L)
{
    uint32_t addr = claimed(check_app(L, 1));
    if (!addr)
        return 0;
    sim_ip ip = sim_ip4(addr);
    simlua_push_ip(L, &ip);
    return 1;
}

static int ll_conflicts(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)ipv4ll_get_stats(ipv4ll_app_core(check_app(L, 1)))->conflicts);
    return 1;
}

static int ll_state(lua_State *L)
{
    lua_pushstring(L, ipv4ll_state_name(ipv4ll_get_state(ipv4ll_app_core(check_app(L, 1)))));
    return 1;
}

static int ll_stats(lua_State *L)
{
    const ipv4ll_stats *st = ipv4ll_get_stats(ipv4ll_app_core(check_app(L, 1)));
    lua_createtable(L, 0, 7);
    simlua_set_int(L, "probes", (lua_Integer)st->probes);
    simlua_set_int(L, "announcements", (lua_Integer)st->announcements);
    simlua_set_int(L, "conflicts", (lua_Integer)st->conflicts);
    simlua_set_int(L, "defences", (lua_Integer)st->defences);
    simlua_set_int(L, "claims", (lua_Integer)st->claims);
    simlua_set_int(L, "rate_limited", (lua_Integer)st->rate_limited);
    simlua_set_int(L, "ignored", (lua_Integer)st->ignored);
    return 1;
}

static int ll_stop(lua_State *L)
{
    ipv4ll_app *a = simlua_handle_get(L, 1, LL_CLASS, IPV4LL_REF_KIND);
    ipv4ll_app_free(a);
    simlua_cond_signal(module_cond(L));
    return 0;
}

static int ll_tostring(lua_State *L)
{
    ipv4ll_app *a = simlua_handle_get(L, 1, LL_CLASS, IPV4LL_REF_KIND);
    if (!a) {
        lua_pushliteral(L, "<ipv4ll (stopped)>");
        return 1;
    }
    ipv4ll *c = ipv4ll_app_core(a);
    char b[SIM_IP_STRLEN] = "-";
    if (ipv4ll_addr(c)) {
        sim_ip ip = sim_ip4(ipv4ll_addr(c));
        sim_ip_fmt(&ip, b, sizeof b);
    }
    lua_pushfstring(L, "<ipv4ll on %s %s, %s %s, %d conflicts>", ipv4ll_app_iface(a)->node->name,
                    ipv4ll_app_iface(a)->name, ipv4ll_state_name(ipv4ll_get_state(c)), b,
                    (int)ipv4ll_get_stats(c)->conflicts);
    return 1;
}

static const luaL_Reg ll_methods[] = {
    { "wait_address", ll_wait_address }, { "address", ll_address }, { "conflicts", ll_conflicts },
    { "state", ll_state },               { "stats", ll_stats },     { "stop", ll_stop },
    { NULL, NULL },
};
static const luaL_Reg ll_meta[] = { { "__tostring", ll_tostring }, { NULL, NULL } };

static const luaL_Reg module_funcs[] = { { "start", l_start }, { NULL, NULL } };

int ipv4ll_lua_open(lua_State *L)
{
    simlua_new_class(L, LL_CLASS, ll_methods, ll_meta);
    module_cond(L);
    luaL_newlib(L, module_funcs);
    return 1;
}
