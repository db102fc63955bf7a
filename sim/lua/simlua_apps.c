/* sim/lua/simlua_apps.c — what protocol bindings share: the per-Lua-state module state (one
 * condition, the apps to unhook when the state closes, optional module data) and small
 * helpers for option tables, results and blocking waits. */
#include "sim/lua/simlua.h"

struct simlua_apps {
    simlua_cond *cond;
    sim_world *world;
    int kind;
    simlua_unhook_fn unhook;
    GArray *refs; /* of sim_ref, in adoption order */
    void *data;
    GDestroyNotify data_free;
};

/* __gc of the state's userdata: runs when the Lua state closes. */
static int apps_gc(lua_State *L)
{
    simlua_apps *m = lua_touserdata(L, 1);
    for (guint i = 0; m->refs && m->unhook && i < m->refs->len; i++) {
        void *obj = sim_world_ref_get(m->world, g_array_index(m->refs, sim_ref, i), m->kind);
        if (obj)
            m->unhook(obj);
    }
    if (m->refs)
        g_array_free(m->refs, TRUE);
    m->refs = NULL;
    if (m->data && m->data_free)
        m->data_free(m->data);
    m->data = NULL;
    simlua_cond_free(m->cond);
    m->cond = NULL;
    return 0;
}

simlua_apps *simlua_module_state(lua_State *L, const char *key, int kind,
                                 simlua_unhook_fn unhook)
{
    if (lua_getfield(L, LUA_REGISTRYINDEX, key) == LUA_TUSERDATA) {
        simlua_apps *m = lua_touserdata(L, -1);
        lua_pop(L, 1);
        return m;
    }
    lua_pop(L, 1);
    simlua_apps *m = lua_newuserdatauv(L, sizeof *m, 0);
    *m = (simlua_apps){ .cond = simlua_cond_new(L), .world = simlua_world(L), .kind = kind,
                        .unhook = unhook, .refs = g_array_new(FALSE, FALSE, sizeof(sim_ref)) };
    lua_newtable(L);
    lua_pushcfunction(L, apps_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, key);
    return m;
}

simlua_cond *simlua_apps_cond(simlua_apps *m) { return m->cond; }

void simlua_apps_track(simlua_apps *m, sim_ref ref)
{
    for (guint i = m->refs->len; i-- > 0;)
        if (!sim_world_ref_get(m->world, g_array_index(m->refs, sim_ref, i), m->kind))
            g_array_remove_index(m->refs, i);
    g_array_append_val(m->refs, ref);
}

void simlua_apps_set_data(simlua_apps *m, void *data, GDestroyNotify free_fn)
{
    g_assert(!m->data);
    m->data = data;
    m->data_free = free_fn;
}

void *simlua_apps_data(simlua_apps *m) { return m->data; }

/* ---------------------------------------------------------------- helpers */

void *simlua_handle_get(lua_State *L, int idx, const char *tname, int kind)
{
    return sim_world_ref_get(simlua_world(L), simlua_handle_ref(L, idx, tname), kind);
}

void simlua_set_int(lua_State *L, const char *k, lua_Integer v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, k);
}

void simlua_set_num(lua_State *L, const char *k, double v)
{
    lua_pushnumber(L, v);
    lua_setfield(L, -2, k);
}

int simlua_raise_gerror_msg(lua_State *L, GError *err)
{
    lua_pushstring(L, err->message);
    g_error_free(err);
    return lua_error(L);
}

uint16_t simlua_opt_port(lua_State *L, int idx, const char *key, lua_Integer def,
                         lua_Integer lo)
{
    lua_Integer p = simlua_opt_int(L, idx, key, def);
    if (p < lo || p > 65535)
        luaL_argerror(L, idx, lua_pushfstring(L, "option '%s': %d..65535", key, (int)lo));
    return (uint16_t)p;
}

sim_time_t simlua_opt_time_arg(lua_State *L, int idx, sim_time_t def)
{
    return lua_isnoneornil(L, idx) ? def : simlua_check_time(L, idx);
}

sim_time_t simlua_deadline(lua_State *L, sim_time_t timeout)
{
    sim_time_t now = sim_world_now(simlua_world(L));
    return timeout >= SIM_TIME_NEVER - now ? SIM_TIME_NEVER : now + timeout;
}

/* simlua_wait keeps, above the n state slots: n+1 deadline, n+2 the condition, n+3 test,
 * n+4 expire (or nil). The continuation's context is n. */
static int wait_step(lua_State *L, int n);

static int wait_k(lua_State *L, int status, lua_KContext ctx)
{
    (void)status;
    lua_settop(L, (int)ctx + 4); /* drop the condition's true/false: the test decides */
    return wait_step(L, (int)ctx);
}

static int wait_step(lua_State *L, int n)
{
    int r = lua_tocfunction(L, n + 3)(L);
    if (r)
        return r;
    lua_settop(L, n + 4);
    sim_time_t now = sim_world_now(simlua_world(L));
    sim_time_t deadline = (sim_time_t)lua_tointeger(L, n + 1);
    if (now >= deadline) {
        lua_CFunction expire = lua_tocfunction(L, n + 4);
        if (expire)
            expire(L);
        lua_pushnil(L);
        lua_pushliteral(L, "timeout");
        return 2;
    }
    sim_time_t left = deadline == SIM_TIME_NEVER ? SIM_TIME_NEVER : deadline - now;
    return simlua_cond_wait(L, lua_touserdata(L, n + 2), left, n, wait_k);
}

int simlua_wait(lua_State *L, simlua_cond *c, int n, sim_time_t deadline, lua_CFunction test,
                lua_CFunction expire)
{
    lua_settop(L, n);
    lua_pushinteger(L, (lua_Integer)deadline);
    lua_pushlightuserdata(L, c);
    lua_pushcfunction(L, test);
    if (expire)
        lua_pushcfunction(L, expire);
    else
        lua_pushnil(L);
    return wait_step(L, n);
}
