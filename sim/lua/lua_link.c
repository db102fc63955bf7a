/* sim/lua/lua_link.c — links from Lua: point-to-point wires and LAN segments, their
 * properties, faults during a run, and counters.
 *
 *   local lan  = sim.lan("home", {delay="1ms", bandwidth="100Mbit"})
 *   local wire = sim.link("uplink", {delay="5ms", loss=0.01})
 *   wire:down()  wire:up()  wire:set{loss=0.1}  wire:stats()  wire.name */
#include "sim/lua/simlua_priv.h"

static const char *const link_classes[] = { SIMLUA_LINK, SIMLUA_LAN, NULL };
static const char *const prop_keys[] = {
    "delay", "bandwidth", "loss", "jitter", "reorder", "reorder_delay", "duplicate", "queue",
    NULL,
};

sim_link *simlua_check_link(lua_State *L, int idx)
{
    return simlua_check_any(L, idx, link_classes, SIM_REF_LINK, NULL);
}

void simlua_push_link(lua_State *L, sim_link *l)
{
    simlua_push_handle(L, sim_link_get_kind(l) == SIM_LINK_LAN ? SIMLUA_LAN : SIMLUA_LINK,
                       simlua_ref_for(simlua_from(L), l, SIM_REF_LINK));
}

/* Applies option table idx over p; raises a Lua error on unknown keys or bad values. */
static void props_from_opts(lua_State *L, int idx, sim_link_props *p)
{
    simlua_check_options(L, idx, prop_keys);
    p->delay = simlua_opt_time(L, idx, "delay", p->delay);
    p->bandwidth = simlua_opt_rate(L, idx, "bandwidth", p->bandwidth);
    p->loss = simlua_opt_prob(L, idx, "loss", p->loss);
    p->jitter = simlua_opt_time(L, idx, "jitter", p->jitter);
    p->reorder = simlua_opt_prob(L, idx, "reorder", p->reorder);
    p->reorder_delay = simlua_opt_time(L, idx, "reorder_delay", p->reorder_delay);
    p->duplicate = simlua_opt_prob(L, idx, "duplicate", p->duplicate);
    uint64_t q = simlua_opt_size(L, idx, "queue", p->queue_bytes);
    if (q > UINT32_MAX)
        luaL_argerror(L, idx, "option 'queue': at most 4 GiB");
    p->queue_bytes = (uint32_t)q;
}

static int raise_props(lua_State *L, const sim_link_props *p)
{
    GError *e = NULL;
    if (sim_link_props_check(p, &e) == 0)
        return 0;
    luaL_where(L, 1);
    lua_pushstring(L, e->message);
    g_error_free(e);
    lua_concat(L, 2);
    return lua_error(L);
}

static int new_link(lua_State *L, sim_link_kind kind)
{
    const char *name = luaL_checkstring(L, 1);
    sim_link_props p;
    sim_link_props_default(&p);
    props_from_opts(L, 2, &p);
    raise_props(L, &p);
    GError *e = NULL;
    sim_link *l = sim_link_new(simlua_world(L), name, kind, &p, &e);
    if (!l) {
        luaL_where(L, 1);
        lua_pushstring(L, e->message);
        g_error_free(e);
        lua_concat(L, 2);
        return lua_error(L);
    }
    simlua_push_link(L, l);
    return 1;
}

/* sim.lan(name, opts): a broadcast segment any number of interfaces attach to. */
static int l_lan(lua_State *L) { return new_link(L, SIM_LINK_LAN); }
/* sim.link(name, opts): a point-to-point wire between exactly two interfaces. */
static int l_link(lua_State *L) { return new_link(L, SIM_LINK_P2P); }

/* link:down(): frames in flight and new ones are dropped (reason link-down). */
static int link_down(lua_State *L)
{
    sim_link_set_up(simlua_check_link(L, 1), false);
    return 0;
}

/* link:up(): back in service. */
static int link_up(lua_State *L)
{
    sim_link_set_up(simlua_check_link(L, 1), true);
    return 0;
}

/* link:is_up(): true while up. */
static int link_is_up(lua_State *L)
{
    lua_pushboolean(L, sim_link_is_up(simlua_check_link(L, 1)));
    return 1;
}

/* link:set{loss=0.1, delay="20ms", ...}: changes properties for frames sent from now on. */
static int link_set(lua_State *L)
{
    sim_link *l = simlua_check_link(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    sim_link_props p = *sim_link_props_get(l);
    props_from_opts(L, 2, &p);
    raise_props(L, &p);
    if (sim_link_set_props(l, &p) < 0)
        return luaL_error(L, "%s: properties refused", sim_link_name(l));
    return 0;
}

/* link:props(): the current properties (times in seconds, bandwidth in bit/s). */
static int link_props(lua_State *L)
{
    const sim_link_props *p = sim_link_props_get(simlua_check_link(L, 1));
    lua_createtable(L, 0, 8);
    lua_pushnumber(L, sim_time_sec(p->delay));
    lua_setfield(L, -2, "delay");
    lua_pushinteger(L, (lua_Integer)p->bandwidth);
    lua_setfield(L, -2, "bandwidth");
    lua_pushnumber(L, p->loss);
    lua_setfield(L, -2, "loss");
    lua_pushnumber(L, sim_time_sec(p->jitter));
    lua_setfield(L, -2, "jitter");
    lua_pushnumber(L, p->reorder);
    lua_setfield(L, -2, "reorder");
    lua_pushnumber(L, sim_time_sec(p->reorder_delay));
    lua_setfield(L, -2, "reorder_delay");
    lua_pushnumber(L, p->duplicate);
    lua_setfield(L, -2, "duplicate");
    lua_pushinteger(L, p->queue_bytes);
    lua_setfield(L, -2, "queue");
    return 1;
}

/* link:stats(): {tx_frames=, tx_bytes=, rx_frames=, rx_bytes=, drops={loss=n, ...}}. */
static int link_stats(lua_State *L)
{
    const sim_link_stats *st = sim_link_stats_get(simlua_check_link(L, 1));
    lua_createtable(L, 0, 5);
    simlua_set_int(L, "tx_frames", (lua_Integer)st->tx_frames);
    simlua_set_int(L, "tx_bytes", (lua_Integer)st->tx_bytes);
    simlua_set_int(L, "rx_frames", (lua_Integer)st->rx_frames);
    simlua_set_int(L, "rx_bytes", (lua_Integer)st->rx_bytes);
    lua_newtable(L);
    for (int r = 0; r < SIM_DROP__COUNT; r++)
        if (st->drops[r])
            simlua_set_int(L, sim_drop_name(r), (lua_Integer)st->drops[r]);
    lua_setfield(L, -2, "drops");
    return 1;
}

/* link:ifaces(): the attached interfaces in attach order. */
static int link_ifaces(lua_State *L)
{
    const GPtrArray *a = sim_link_ifaces(simlua_check_link(L, 1));
    lua_createtable(L, (int)a->len, 0);
    for (guint k = 0; k < a->len; k++) {
        simlua_push_iface(L, g_ptr_array_index(a, k));
        lua_rawseti(L, -2, k + 1);
    }
    return 1;
}

static int link_name(lua_State *L)
{
    lua_pushstring(L, sim_link_name(simlua_check_link(L, 1)));
    return 1;
}

static int link_kind(lua_State *L)
{
    lua_pushstring(L, sim_link_get_kind(simlua_check_link(L, 1)) == SIM_LINK_LAN ? "lan"
                                                                                 : "link");
    return 1;
}

/* "<lan home 3 ifaces, up>" */
static int link_tostring(lua_State *L)
{
    sim_link *l = simlua_check_link(L, 1);
    lua_pushfstring(L, "<%s %s %d ifaces, %s>",
                    sim_link_get_kind(l) == SIM_LINK_LAN ? "lan" : "link", sim_link_name(l),
                    (int)sim_link_ifaces(l)->len, sim_link_is_up(l) ? "up" : "down");
    return 1;
}

void simlua_open_links(lua_State *L)
{
    static const luaL_Reg methods[] = {
        { "down", link_down }, { "up", link_up }, { "is_up", link_is_up }, { "set", link_set },
        { "props", link_props }, { "stats", link_stats }, { "ifaces", link_ifaces },
        { NULL, NULL },
    };
    static const luaL_Reg meta[] = { { "__tostring", link_tostring }, { NULL, NULL } };
    static const luaL_Reg fields[] = { { "name", link_name }, { "kind", link_kind },
                                       { NULL, NULL } };
    simlua_new_class_fields(L, SIMLUA_LINK, methods, meta, fields);
    simlua_new_class_fields(L, SIMLUA_LAN, methods, meta, fields);
    static const luaL_Reg funcs[] = { { "lan", l_lan }, { "link", l_link }, { NULL, NULL } };
    luaL_setfuncs(L, funcs, 0);
}
