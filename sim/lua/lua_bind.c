/* sim/lua/lua_bind.c — helpers for protocol bindings that run daemons on interfaces
 * (sim/lua/simlua.h): simlua_opt_iface, an interface named in an option table. */
#include "sim/link.h"
#include "sim/lua/simlua_priv.h"

sim_iface *simlua_opt_iface(lua_State *L, int idx, const char *key, sim_node *n)
{
    idx = lua_absindex(L, idx);
    int t = lua_istable(L, idx) ? lua_getfield(L, idx, key) : (lua_pushnil(L), LUA_TNIL);
    sim_iface *i = NULL;
    if (t == LUA_TNIL) {
        i = n->ifaces->len ? g_ptr_array_index(n->ifaces, 0) : NULL;
        if (!i)
            luaL_argerror(L, idx, lua_pushfstring(L, "%s has no interface (attach it to a link "
                                                  "first)", n->name));
    } else if (t == LUA_TSTRING) {
        i = sim_node_iface_by_name(n, lua_tostring(L, -1));
        if (!i)
            luaL_argerror(L, idx, lua_pushfstring(L, "option '%s': %s has no interface \"%s\"",
                                                  key, n->name, lua_tostring(L, -1)));
    } else if (luaL_testudata(L, -1, SIMLUA_IFACE)) {
        i = simlua_check_handle(L, -1, SIMLUA_IFACE, SIM_REF_IFACE);
        if (i->node != n)
            luaL_argerror(L, idx, lua_pushfstring(L, "option '%s': interface %s belongs to %s, "
                                                  "not %s", key, i->name, i->node->name, n->name));
    } else if (luaL_testudata(L, -1, SIMLUA_LAN) || luaL_testudata(L, -1, SIMLUA_LINK)) {
        sim_link *l = simlua_check_link(L, lua_gettop(L));
        for (guint k = 0; !i && k < n->ifaces->len; k++) {
            sim_iface *c = g_ptr_array_index(n->ifaces, k);
            if (c->link == l)
                i = c;
        }
        if (!i)
            luaL_argerror(L, idx, lua_pushfstring(L, "option '%s': %s is not attached to %s", key,
                                                  n->name, sim_link_name(l)));
    } else {
        luaL_argerror(L, idx, lua_pushfstring(L, "option '%s': an interface (node:attach's "
                                              "result), its name or a link expected, got %s", key,
                                              luaL_typename(L, -1)));
    }
    lua_pop(L, 1);
    return i;
}
