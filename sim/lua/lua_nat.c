/* sim/lua/lua_nat.c — NAT gateways from Lua, configured by RFC 4787 behaviours (DESIGN §3),
 * and their translation table, readable as the lecture draws it.
 *
 *   local N = sim.nat("NA", {preset="port-restricted-cone", timeout=120})
 *   N:inside(lan, {ip="192.168.60.1/24"});  N:outside(wan, {ip="68.36.210.57/24"})
 *   for _, m in ipairs(N:table()) do print(m.inside, "<->", m.outside) end
 *   N:print_table()   N:config()   N:tcp_stats()
 *   tostring(N)   --> <nat port-restricted-cone 68.36.210.57, 1 mapping> */
#include "sim/lua/simlua_priv.h"

#include <string.h>

static const char *const nat_keys[] = {
    "preset", "mapping", "filtering", "ports", "range", "parity", "timeout", "inbound_refresh",
    "hairpin", "unsolicited", "tcp_established", "tcp_transitory", "icmp_timeout", NULL,
};

static sim_node *check_nat(lua_State *L, int idx)
{
    sim_node *n = simlua_check_handle(L, idx, SIMLUA_NAT, SIM_REF_NODE);
    if (!n->nat)
        luaL_error(L, "%s is not configured as a NAT", n->name);
    return n;
}

/* Option `key` parsed by parse(); raises naming the accepted values otherwise. */
#define NAT_ENUM_OPT(L, idx, key, parse, field, accepted)                                  \
    do {                                                                                   \
        const char *v_ = simlua_opt_str(L, idx, key, NULL);                                \
        if (v_ && parse(v_, &(field)) < 0)                                                 \
            luaL_argerror(L, idx, lua_pushfstring(L, "option '%s': '%s' is not one of %s", \
                                                  key, v_, accepted));                     \
    } while (0)

static void opt_range(lua_State *L, int idx, nat_config *c)
{
    if (lua_getfield(L, idx, "range") == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    bool ok = lua_istable(L, -1) && luaL_len(L, -1) == 2;
    lua_Integer lo = 0, hi = 0;
    if (ok) {
        int a, b;
        lua_geti(L, -1, 1);
        lua_geti(L, -2, 2);
        lo = lua_tointegerx(L, -2, &a);
        hi = lua_tointegerx(L, -1, &b);
        ok = a && b && lo >= 1 && lo <= hi && hi <= 65535;
        lua_pop(L, 2);
    }
    if (!ok)
        luaL_argerror(L, idx, "option 'range': {first, last} ports in 1..65535 expected");
    c->port_min = (uint16_t)lo;
    c->port_max = (uint16_t)hi;
    lua_pop(L, 1);
}

void simlua_nat_config_opts(lua_State *L, int idx, nat_config *c)
{
    idx = lua_absindex(L, idx);
    nat_config_default(c);
    simlua_check_options(L, idx, nat_keys);
    if (!lua_istable(L, idx))
        return;
    const char *preset = simlua_opt_str(L, idx, "preset", NULL);
    if (preset && nat_config_preset(c, preset) < 0)
        luaL_argerror(L, idx, lua_pushfstring(L, "option 'preset': '%s' is not one of "
                                                 "full-cone, restricted-cone, "
                                                 "port-restricted-cone, symmetric", preset));
    NAT_ENUM_OPT(L, idx, "mapping", nat_mapping_parse, c->mapping, "eim, adm, apdm");
    NAT_ENUM_OPT(L, idx, "filtering", nat_filtering_parse, c->filtering, "eif, adf, apdf");
    NAT_ENUM_OPT(L, idx, "ports", nat_port_alloc_parse, c->port_alloc,
                 "preserve, sequential, random");
    NAT_ENUM_OPT(L, idx, "unsolicited", nat_unsolicited_parse, c->unsolicited,
                 "drop, icmp, rst");
    opt_range(L, idx, c);
    c->port_parity = simlua_opt_bool(L, idx, "parity", c->port_parity);
    c->udp_timeout = simlua_opt_time(L, idx, "timeout", c->udp_timeout);
    c->inbound_refresh = simlua_opt_bool(L, idx, "inbound_refresh", c->inbound_refresh);
    c->hairpin = simlua_opt_bool(L, idx, "hairpin", c->hairpin);
    c->tcp_established = simlua_opt_time(L, idx, "tcp_established", c->tcp_established);
    c->tcp_transitory = simlua_opt_time(L, idx, "tcp_transitory", c->tcp_transitory);
    c->icmp_timeout = simlua_opt_time(L, idx, "icmp_timeout", c->icmp_timeout);
}

/* sim.nat(name, opts): a NAT gateway node with the given behaviours. */
static int l_nat(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    nat_config c;
    simlua_nat_config_opts(L, 2, &c);
    GError *e = NULL;
    if (nat_config_check(&c, &e) < 0)
        return simlua_raise_gerror(L, e);
    sim_node *n = sim_node_new(simlua_world(L), name, SIM_NODE_NAT, &e);
    if (!n)
        return simlua_raise_gerror(L, e);
    if (nat_gw_install(n, &c, &e) < 0)
        return simlua_raise_gerror(L, e);
    simlua_push_node(L, n);
    return 1;
}

static int attach_side(lua_State *L, sim_nat_side side)
{
    sim_node *n = check_nat(L, 1);
    sim_iface *i = simlua_attach(L);
    if (nat_gw_set_side(n->nat, i, side) < 0)
        return luaL_error(L, "%s: cannot mark %s as the %s side", n->name, i->name,
                          side == SIM_NAT_INSIDE ? "inside" : "outside");
    simlua_push_iface(L, i);
    return 1;
}

/* N:inside(link, opts): attaches the NAT's private side. */
static int nat_inside(lua_State *L) { return attach_side(L, SIM_NAT_INSIDE); }
/* N:outside(link, opts): attaches the NAT's public side. */
static int nat_outside(lua_State *L) { return attach_side(L, SIM_NAT_OUTSIDE); }

/* "1.2.3.4:5", or "1.2.3.4:*" when the port does not matter (ADM / ADF). */
static void push_ep_any(lua_State *L, const sim_ep *ep)
{
    if (ep->port) {
        simlua_push_ep(L, ep);
        return;
    }
    char buf[SIM_EP_STRLEN];
    sim_ep_fmt(ep, buf, sizeof buf);
    char *colon = strrchr(buf, ':');
    if (colon)
        *colon = 0;
    lua_pushfstring(L, "%s:*", buf);
}

static const char *proto_name(uint8_t p)
{
    return p == 17 ? "udp" : p == 6 ? "tcp" : p == 1 ? "icmp" : "?";
}

/* {remote=, state=, created=, last_used=, expires=, pkts_out=, pkts_in=} per TCP session. */
static void push_sessions(lua_State *L, nat_table *t, const nat_entry *e)
{
    GPtrArray *ss = nat_table_sessions(t, e);
    lua_createtable(L, (int)ss->len, 0);
    for (guint k = 0; k < ss->len; k++) {
        const nat_session *s = g_ptr_array_index(ss, k);
        lua_createtable(L, 0, 7);
        simlua_push_ep(L, &s->remote);
        lua_setfield(L, -2, "remote");
        lua_pushstring(L, nat_tcp_state_name(s->state));
        lua_setfield(L, -2, "state");
        lua_pushnumber(L, sim_time_sec(s->created));
        lua_setfield(L, -2, "created");
        lua_pushnumber(L, sim_time_sec(s->last_used));
        lua_setfield(L, -2, "last_used");
        lua_pushnumber(L, sim_time_sec(s->expires));
        lua_setfield(L, -2, "expires");
        lua_pushinteger(L, (lua_Integer)s->pkts_out);
        lua_setfield(L, -2, "pkts_out");
        lua_pushinteger(L, (lua_Integer)s->pkts_in);
        lua_setfield(L, -2, "pkts_in");
        lua_rawseti(L, -2, k + 1);
    }
    g_ptr_array_unref(ss);
}

static void push_entry(lua_State *L, nat_table *t, const nat_entry *e)
{
    lua_createtable(L, 0, 13);
    lua_pushstring(L, proto_name(e->proto));
    lua_setfield(L, -2, "proto");
    simlua_push_ep(L, &e->inside);
    lua_setfield(L, -2, "inside");
    simlua_push_ep(L, &e->outside);
    lua_setfield(L, -2, "outside");
    if (e->remote.ip.family) {
        push_ep_any(L, &e->remote);
        lua_setfield(L, -2, "remote");
    }
    guint n = e->permits ? e->permits->len : 0;
    lua_createtable(L, (int)n, 0);
    for (guint k = 0; k < n; k++) {
        push_ep_any(L, &g_array_index(e->permits, sim_ep, k));
        lua_rawseti(L, -2, k + 1);
    }
    lua_setfield(L, -2, "permits");
    lua_pushnumber(L, sim_time_sec(e->created));
    lua_setfield(L, -2, "created");
    lua_pushnumber(L, sim_time_sec(e->last_used));
    lua_setfield(L, -2, "last_used");
    lua_pushnumber(L, sim_time_sec(e->expires));
    lua_setfield(L, -2, "expires");
    lua_pushinteger(L, (lua_Integer)e->pkts_out);
    lua_setfield(L, -2, "pkts_out");
    lua_pushinteger(L, (lua_Integer)e->pkts_in);
    lua_setfield(L, -2, "pkts_in");
    if (e->proto == 6) { /* RFC 5382: the connections through this mapping */
        lua_pushstring(L, nat_tcp_state_name(e->tcp_state));
        lua_setfield(L, -2, "state");
        push_sessions(L, t, e);
        lua_setfield(L, -2, "sessions");
    }
}

/* N:table(): the live translations in creation order. */
static int nat_table_lua(lua_State *L)
{
    sim_node *n = check_nat(L, 1);
    nat_table *t = nat_gw_table(n->nat);
    if (!t) {
        lua_newtable(L);
        return 1;
    }
    GPtrArray *es = nat_table_entries(t);
    lua_createtable(L, (int)es->len, 0);
    for (guint k = 0; k < es->len; k++) {
        push_entry(L, t, g_ptr_array_index(es, k));
        lua_rawseti(L, -2, k + 1);
    }
    g_ptr_array_unref(es);
    return 1;
}

/* N:print_table(): prints the table as the run summary does. */
static int nat_print_table(lua_State *L)
{
    sim_node *n = check_nat(L, 1);
    GString *out = g_string_new(NULL);
    nat_gw_fmt_table(n->nat, out);
    while (out->len && out->str[out->len - 1] == '\n')
        g_string_truncate(out, out->len - 1);
    lua_getglobal(L, "print");
    lua_pushstring(L, out->str);
    g_string_free(out, TRUE);
    lua_call(L, 1, 0);
    return 0;
}

/* "port-restricted-cone", or "ADM+EIF" when no classic name fits. */
static void push_behaviour(lua_State *L, const nat_config *c)
{
    const char *preset = nat_config_preset_name(c);
    if (preset)
        lua_pushstring(L, preset);
    else
        lua_pushfstring(L, "%s+%s", nat_mapping_name(c->mapping),
                        nat_filtering_name(c->filtering));
}

/* N:config(): the behaviours as a table (same keys as sim.nat's options). */
static int nat_config_lua(lua_State *L)
{
    const nat_config *c = nat_gw_config(check_nat(L, 1)->nat);
    lua_createtable(L, 0, 13);
    push_behaviour(L, c);
    lua_setfield(L, -2, "preset");
    lua_pushstring(L, nat_mapping_name(c->mapping));
    lua_setfield(L, -2, "mapping");
    lua_pushstring(L, nat_filtering_name(c->filtering));
    lua_setfield(L, -2, "filtering");
    lua_pushstring(L, nat_port_alloc_name(c->port_alloc));
    lua_setfield(L, -2, "ports");
    lua_createtable(L, 2, 0);
    lua_pushinteger(L, c->port_min);
    lua_rawseti(L, -2, 1);
    lua_pushinteger(L, c->port_max);
    lua_rawseti(L, -2, 2);
    lua_setfield(L, -2, "range");
    lua_pushboolean(L, c->port_parity);
    lua_setfield(L, -2, "parity");
    lua_pushnumber(L, sim_time_sec(c->udp_timeout));
    lua_setfield(L, -2, "timeout");
    lua_pushboolean(L, c->inbound_refresh);
    lua_setfield(L, -2, "inbound_refresh");
    lua_pushboolean(L, c->hairpin);
    lua_setfield(L, -2, "hairpin");
    lua_pushstring(L, nat_unsolicited_name(c->unsolicited));
    lua_setfield(L, -2, "unsolicited");
    lua_pushnumber(L, sim_time_sec(c->tcp_established));
    lua_setfield(L, -2, "tcp_established");
    lua_pushnumber(L, sim_time_sec(c->tcp_transitory));
    lua_setfield(L, -2, "tcp_transitory");
    lua_pushnumber(L, sim_time_sec(c->icmp_timeout));
    lua_setfield(L, -2, "icmp_timeout");
    return 1;
}

/* N:tcp_stats(): what happened to unsolicited TCP (see nat_tcp_stats in sim/nat.h). */
static int nat_tcp_stats_lua(lua_State *L)
{
    const nat_tcp_stats *st = nat_gw_tcp_stats(check_nat(L, 1)->nat);
    lua_createtable(L, 0, 6);
    static const char *const names[] = { "rst_sent", "syn_held", "held_crossed", "held_icmp",
                                         "held_overflow", "no_session" };
    const uint64_t v[] = { st->rst_sent, st->syn_held, st->held_crossed, st->held_icmp,
                           st->held_overflow, st->no_session };
    for (size_t k = 0; k < G_N_ELEMENTS(names); k++) {
        lua_pushinteger(L, (lua_Integer)v[k]);
        lua_setfield(L, -2, names[k]);
    }
    return 1;
}

/* The outside address: the first IPv4 address of the first outside interface, or NULL. */
static const sim_ip *outside_ip(const sim_node *n)
{
    for (guint k = 0; k < n->ifaces->len; k++) {
        const sim_iface *i = g_ptr_array_index(n->ifaces, k);
        if (i->nat_side == SIM_NAT_OUTSIDE && sim_iface_addr(i, SIM_AF_INET))
            return sim_iface_addr(i, SIM_AF_INET);
    }
    return NULL;
}

/* "<nat port-restricted-cone 68.36.210.57, 3 mappings>" */
int simlua_nat_tostring(lua_State *L)
{
    sim_node *n = check_nat(L, 1);
    nat_table *t = nat_gw_table(n->nat);
    size_t count = t ? nat_table_size(t) : 0;
    const sim_ip *ip = outside_ip(n);
    char buf[SIM_IP_STRLEN];
    push_behaviour(L, nat_gw_config(n->nat));
    lua_pushfstring(L, "<nat %s %s, %d mapping%s>", lua_tostring(L, -1),
                    ip ? sim_ip_fmt(ip, buf, sizeof buf) : "(no outside address)", (int)count,
                    count == 1 ? "" : "s");
    return 1;
}

const luaL_Reg simlua_nat_methods[] = {
    { "inside", nat_inside }, { "outside", nat_outside }, { "table", nat_table_lua },
    { "print_table", nat_print_table }, { "config", nat_config_lua },
    { "tcp_stats", nat_tcp_stats_lua }, { NULL, NULL },
};

void simlua_open_nat(lua_State *L)
{
    lua_pushcfunction(L, l_nat);
    lua_setfield(L, -2, "nat");
}
