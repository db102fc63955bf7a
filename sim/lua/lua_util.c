/* sim/lua/lua_util.c — what every binding needs: units (times, rates, sizes), option tables
 * checked against the keys a call knows, endpoints, and handle classes (a handle is a
 * userdata holding a sim_ref; the world owns the object; a stale handle is a Lua error). */
#include "sim/lua/simlua_priv.h"

#include <errno.h>
#include <math.h>
#include <string.h>

/* ---- units ---- */

typedef struct unit {
    const char *name;
    double mult;
} unit;

static const unit time_units[] = {
    { "", 1e9 }, { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "sec", 1e9 },
    { "min", 60e9 }, { "h", 3600e9 }, { NULL, 0 },
};
static const unit rate_units[] = {
    { "", 1 }, { "bit", 1 }, { "bps", 1 }, { "kbit", 1e3 }, { "kbps", 1e3 },
    { "mbit", 1e6 }, { "mbps", 1e6 }, { "gbit", 1e9 }, { "gbps", 1e9 }, { NULL, 0 },
};
static const unit size_units[] = {
    { "", 1 }, { "b", 1 }, { "kb", 1e3 }, { "kib", 1024 }, { "mb", 1e6 },
    { "mib", 1048576 }, { NULL, 0 },
};

/* "<number>[ ]<unit>" with the unit looked up case-insensitively (times: case-sensitive, so
 * "ms" and "Ms" cannot be confused). The result is number * mult, finite and >= 0. */
static int parse_with_unit(const char *str, const unit *units, bool fold_case, double *out)
{
    if (!str)
        return -EINVAL;
    while (*str == ' ')
        str++;
    char *end;
    double v = g_ascii_strtod(str, &end);
    if (end == str || !isfinite(v) || v < 0)
        return -EINVAL;
    while (*end == ' ')
        end++;
    for (const unit *u = units; u->name; u++) {
        bool same = fold_case ? !g_ascii_strcasecmp(end, u->name) : !strcmp(end, u->name);
        if (same) {
            *out = v * u->mult;
            return isfinite(*out) ? 0 : -EINVAL;
        }
    }
    return -EINVAL;
}

int simlua_parse_time(const char *str, sim_time_t *out)
{
    double ns;
    if (parse_with_unit(str, time_units, false, &ns) < 0)
        return -EINVAL;
    *out = ns >= 1.8e19 ? SIM_TIME_NEVER - 1 : (sim_time_t)(ns + 0.5);
    return 0;
}

int simlua_parse_rate(const char *str, uint64_t *out)
{
    double v;
    if (parse_with_unit(str, rate_units, true, &v) < 0 || v >= 1.8e19)
        return -EINVAL;
    *out = (uint64_t)(v + 0.5);
    return 0;
}

int simlua_parse_size(const char *str, uint64_t *out)
{
    double v;
    if (parse_with_unit(str, size_units, true, &v) < 0 || v >= 1.8e19)
        return -EINVAL;
    *out = (uint64_t)(v + 0.5);
    return 0;
}

/* Value at idx as a duration; returns 0 or -EINVAL. */
static int to_time(lua_State *L, int idx, sim_time_t *out)
{
    if (lua_type(L, idx) == LUA_TNUMBER) {
        double v = lua_tonumber(L, idx);
        if (!isfinite(v) || v < 0)
            return -EINVAL;
        *out = sim_time_from_sec(v);
        return 0;
    }
    if (lua_type(L, idx) == LUA_TSTRING)
        return simlua_parse_time(lua_tostring(L, idx), out);
    return -EINVAL;
}

sim_time_t simlua_check_time(lua_State *L, int idx)
{
    sim_time_t t;
    if (to_time(L, idx, &t) < 0) {
        const char *what = lua_type(L, idx) == LUA_TSTRING
                               ? lua_pushfstring(L, "bad time '%s' (use seconds or a unit: "
                                                    "ns, us, ms, s, min, h)", lua_tostring(L, idx))
                               : lua_pushfstring(L, "time expected (seconds or \"20ms\"), got %s",
                                                 luaL_typename(L, idx));
        luaL_argerror(L, idx, what);
    }
    return t;
}

/* ---- option tables ---- */

static int opt_error(lua_State *L, int idx, const char *key, const char *what)
{
    const char *msg = lua_pushfstring(L, "option '%s': %s", key, what);
    return luaL_argerror(L, idx, msg);
}

static bool has_opts(lua_State *L, int idx)
{
    return lua_type(L, idx) == LUA_TTABLE;
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *simlua_sorted_keys(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    GPtrArray *keys = g_ptr_array_new();
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TSTRING)
            g_ptr_array_add(keys, (gpointer)lua_tostring(L, -1));
    }
    g_ptr_array_sort(keys, cmp_str);
    return keys;
}

void simlua_check_options(lua_State *L, int idx, const char *const keys[])
{
    idx = lua_absindex(L, idx);
    if (lua_isnoneornil(L, idx))
        return;
    if (!has_opts(L, idx))
        luaL_typeerror(L, idx, "option table");
    /* Find every bad key first and report the smallest, so the message never depends on
     * the table's traversal order. */
    bool bad_type = false;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING)
            bad_type = true;
    }
    if (bad_type)
        luaL_argerror(L, idx, "option names must be strings");
    GPtrArray *names = simlua_sorted_keys(L, idx);
    const char *unknown = NULL;
    for (guint k = 0; k < names->len && !unknown; k++) {
        const char *name = g_ptr_array_index(names, k);
        bool known = false;
        for (const char *const *key = keys; *key && !known; key++)
            known = !strcmp(*key, name);
        if (!known)
            unknown = name;
    }
    g_ptr_array_unref(names);
    if (!unknown)
        return;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "unknown option '");
    luaL_addstring(&b, unknown);
    luaL_addstring(&b, "' (known:");
    for (const char *const *key = keys; *key; key++) {
        luaL_addstring(&b, key == keys ? " " : ", ");
        luaL_addstring(&b, *key);
    }
    luaL_addstring(&b, ")");
    luaL_pushresult(&b);
    luaL_argerror(L, idx, lua_tostring(L, -1));
}

/* Pushes field key of option table idx; returns false (nothing pushed) when absent. */
static bool opt_get(lua_State *L, int idx, const char *key)
{
    if (!has_opts(L, idx))
        return false;
    if (lua_getfield(L, idx, key) == LUA_TNIL) {
        lua_pop(L, 1);
        return false;
    }
    return true;
}

sim_time_t simlua_opt_time(lua_State *L, int idx, const char *key, sim_time_t def)
{
    idx = lua_absindex(L, idx);
    if (!opt_get(L, idx, key))
        return def;
    sim_time_t t;
    if (to_time(L, -1, &t) < 0)
        opt_error(L, idx, key, lua_type(L, -1) == LUA_TSTRING
                                   ? lua_pushfstring(L, "bad time '%s' (use seconds or a unit: "
                                                        "ns, us, ms, s, min, h)",
                                                     lua_tostring(L, -1))
                                   : "time expected (seconds or \"20ms\")");
    lua_pop(L, 1);
    return t;
}

lua_Integer simlua_opt_int(lua_State *L, int idx, const char *key, lua_Integer def)
{
    idx = lua_absindex(L, idx);
    if (!opt_get(L, idx, key))
        return def;
    int ok;
    lua_Integer v = lua_tointegerx(L, -1, &ok);
    if (!ok || lua_type(L, -1) != LUA_TNUMBER)
        opt_error(L, idx, key, "integer expected");
    lua_pop(L, 1);
    return v;
}

double simlua_opt_num(lua_State *L, int idx, const char *key, double def)
{
    idx = lua_absindex(L, idx);
    if (!opt_get(L, idx, key))
        return def;
    if (lua_type(L, -1) != LUA_TNUMBER)
        opt_error(L, idx, key, "number expected");
    double v = lua_tonumber(L, -1);
    lua_pop(L, 1);
    return v;
}

double simlua_opt_prob(lua_State *L, int idx, const char *key, double def)
{
    double v = simlua_opt_num(L, idx, key, def);
    if (!(v >= 0 && v <= 1))
        opt_error(L, lua_absindex(L, idx), key, "probability in [0, 1] expected");
    return v;
}

bool simlua_opt_bool(lua_State *L, int idx, const char *key, bool def)
{
    idx = lua_absindex(L, idx);
    if (!opt_get(L, idx, key))
        return def;
    if (lua_type(L, -1) != LUA_TBOOLEAN)
        opt_error(L, idx, key, "boolean expected");
    bool v = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

const char *simlua_opt_str(lua_State *L, int idx, const char *key, const char *def)
{
    idx = lua_absindex(L, idx);
    if (!opt_get(L, idx, key))
        return def;
    if (lua_type(L, -1) != LUA_TSTRING)
        opt_error(L, idx, key, "string expected");
    const char *v = lua_tostring(L, -1); /* stays alive: the table holds it */
    lua_pop(L, 1);
    return v;
}

uint64_t simlua_opt_rate(lua_State *L, int idx, const char *key, uint64_t def)
{
    idx = lua_absindex(L, idx);
    if (!opt_get(L, idx, key))
        return def;
    uint64_t v = 0;
    int bad = lua_type(L, -1) == LUA_TSTRING ? simlua_parse_rate(lua_tostring(L, -1), &v)
              : lua_type(L, -1) == LUA_TNUMBER && lua_tonumber(L, -1) >= 0 &&
                      lua_tonumber(L, -1) < 1.8e19
                  ? (v = (uint64_t)lua_tonumber(L, -1), 0)
                  : -EINVAL;
    if (bad)
        opt_error(L, idx, key, "rate expected (bit/s, or \"100Mbit\", \"64kbit\", \"1Gbit\")");
    lua_pop(L, 1);
    return v;
}

uint64_t simlua_opt_size(lua_State *L, int idx, const char *key, uint64_t def)
{
    idx = lua_absindex(L, idx);
    if (!opt_get(L, idx, key))
        return def;
    uint64_t v = 0;
    int bad = lua_type(L, -1) == LUA_TSTRING ? simlua_parse_size(lua_tostring(L, -1), &v)
              : lua_type(L, -1) == LUA_TNUMBER && lua_tonumber(L, -1) >= 0 &&
                      lua_tonumber(L, -1) < 1.8e19
                  ? (v = (uint64_t)lua_tonumber(L, -1), 0)
                  : -EINVAL;
    if (bad)
        opt_error(L, idx, key, "size expected (bytes, or \"256KiB\", \"64KB\")");
    lua_pop(L, 1);
    return v;
}

/* ---- addresses ---- */

sim_ip simlua_check_ip(lua_State *L, int idx)
{
    sim_ip ip;
    const char *str = lua_type(L, idx) == LUA_TSTRING ? lua_tostring(L, idx) : NULL;
    if (!str)
        luaL_typeerror(L, idx, "IP address string");
    if (sim_ip_parse(str, &ip) < 0)
        luaL_argerror(L, idx, lua_pushfstring(L, "'%s' is not an IP address", str));
    return ip;
}

int simlua_check_ep(lua_State *L, int idx, sim_ep *out)
{
    if (lua_type(L, idx + 1) == LUA_TNUMBER) {
        out->ip = simlua_check_ip(L, idx);
        int ok;
        lua_Integer port = lua_tointegerx(L, idx + 1, &ok);
        if (!ok || port < 0 || port > 65535)
            luaL_argerror(L, idx + 1, "port in 0..65535 expected");
        out->port = (uint16_t)port;
        return 2;
    }
    const char *str = lua_type(L, idx) == LUA_TSTRING ? lua_tostring(L, idx) : NULL;
    if (!str)
        luaL_typeerror(L, idx, "\"ip:port\" or ip, port");
    if (sim_ep_parse(str, out) < 0)
        luaL_argerror(L, idx, lua_pushfstring(L, "'%s' is not \"ip:port\" "
                                                 "(and no port argument follows)", str));
    return 1;
}

void simlua_push_ep(lua_State *L, const sim_ep *ep)
{
    char buf[SIM_EP_STRLEN];
    lua_pushstring(L, sim_ep_fmt(ep, buf, sizeof buf));
}

void simlua_push_ip(lua_State *L, const sim_ip *ip)
{
    char buf[SIM_IP_STRLEN];
    lua_pushstring(L, sim_ip_fmt(ip, buf, sizeof buf));
}

const char *simlua_strerror(int err)
{
    switch (-err) {
    case ECONNREFUSED: return "connection refused";
    case EHOSTUNREACH: return "host unreachable";
    case ENETUNREACH: return "network unreachable";
    case ETIMEDOUT: return "ttl exceeded";
    case EMSGSIZE: return "message too long";
    case EADDRINUSE: return "address in use";
    case EADDRNOTAVAIL: return "address not available";
    case EDESTADDRREQ: return "destination address required";
    case EEXIST: return "already exists";
    case ENOENT: return "not found";
    case ENOSPC: return "no space";
    case EINVAL: return "invalid argument";
    }
    return "error";
}

/* ---- handles ---- */

typedef struct handle_ud {
    sim_ref ref;
} handle_ud;

#define HANDLES_KEY "natsim.handles" /* registry: weak map ref -> handle userdata */

static lua_Integer ref_key(sim_ref ref)
{
    return (lua_Integer)(((uint64_t)ref.id << 32) | ref.gen);
}

void simlua_push_handle(lua_State *L, const char *tname, sim_ref ref)
{
    /* One userdata per object, so handles compare equal with == and work as table keys. */
    if (lua_getfield(L, LUA_REGISTRYINDEX, HANDLES_KEY) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_newtable(L);
        lua_pushstring(L, "v");
        lua_setfield(L, -2, "__mode");
        lua_setmetatable(L, -2);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, HANDLES_KEY);
    }
    if (lua_rawgeti(L, -1, ref_key(ref)) == LUA_TUSERDATA && luaL_testudata(L, -1, tname)) {
        lua_remove(L, -2);
        return;
    }
    lua_pop(L, 1);
    handle_ud *h = lua_newuserdatauv(L, sizeof *h, 0);
    h->ref = ref;
    if (luaL_getmetatable(L, tname) != LUA_TTABLE)
        luaL_error(L, "internal error: class %s is not registered", tname);
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, ref_key(ref));
    lua_remove(L, -2);
}

void simlua_push_ref(lua_State *L, const char *tname, sim_ref ref)
{
    simlua_push_handle(L, tname, ref);
}

sim_ref simlua_handle_ref(lua_State *L, int idx, const char *tname)
{
    handle_ud *h = luaL_checkudata(L, idx, tname);
    return h->ref;
}

void *simlua_check_handle(lua_State *L, int idx, const char *tname, int kind)
{
    handle_ud *h = luaL_testudata(L, idx, tname);
    if (!h)
        luaL_typeerror(L, idx, tname);
    void *obj = sim_world_ref_get(simlua_world(L), h->ref, kind);
    if (!obj)
        luaL_error(L, "%s is gone (closed or freed)", tname);
    return obj;
}

void *simlua_check_any(lua_State *L, int idx, const char *const tnames[], int kind, int *which)
{
    for (int k = 0; tnames[k]; k++)
        if (luaL_testudata(L, idx, tnames[k])) {
            if (which)
                *which = k;
            return simlua_check_handle(L, idx, tnames[k], kind);
        }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int k = 0; tnames[k]; k++) {
        if (k)
            luaL_addstring(&b, tnames[k + 1] ? ", " : " or ");
        luaL_addstring(&b, tnames[k]);
    }
    luaL_pushresult(&b);
    return (void *)(intptr_t)luaL_typeerror(L, idx, lua_tostring(L, -1));
}

sim_ref simlua_ref_for(simlua *s, void *obj, int kind)
{
    sim_ref *ref = g_hash_table_lookup(s->refs, obj);
    if (!ref) {
        ref = g_new(sim_ref, 1);
        *ref = sim_world_ref_new(s->w, obj, kind);
        g_hash_table_insert(s->refs, obj, ref);
    }
    return *ref;
}

/* __index of classes with fields: upvalue 1 the methods, upvalue 2 the field getters. */
static int class_index(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TSTRING) {
        if (lua_getfield(L, lua_upvalueindex(2), lua_tostring(L, 2)) == LUA_TFUNCTION) {
            lua_pushvalue(L, 1);
            lua_call(L, 1, 1);
            return 1;
        }
        lua_pop(L, 1);
    }
    lua_pushvalue(L, 2);
    lua_rawget(L, lua_upvalueindex(1));
    return 1;
}

/* Default __tostring: "<natsim.Link>" (Lua's default prints a pointer, which changes between
 * runs). */
static int class_tostring(lua_State *L)
{
    luaL_getmetafield(L, 1, "__name");
    lua_pushfstring(L, "<%s>", lua_tostring(L, -1));
    return 1;
}

void simlua_new_class_fields(lua_State *L, const char *tname, const luaL_Reg *methods,
                             const luaL_Reg *metamethods, const luaL_Reg *fields)
{
    if (!luaL_newmetatable(L, tname)) {
        lua_pop(L, 1);
        return;
    }
    lua_pushcfunction(L, class_tostring);
    lua_setfield(L, -2, "__tostring");
    if (metamethods)
        luaL_setfuncs(L, metamethods, 0);
    lua_newtable(L);
    if (methods)
        luaL_setfuncs(L, methods, 0);
    if (fields) {
        lua_newtable(L);
        luaL_setfuncs(L, fields, 0);
        lua_pushcclosure(L, class_index, 2);
    }
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "locked"); /* getmetatable(handle) does not expose the class */
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
}

void simlua_new_class(lua_State *L, const char *tname, const luaL_Reg *methods,
                      const luaL_Reg *metamethods)
{
    simlua_new_class_fields(L, tname, methods, metamethods, NULL);
}

int simlua_raise_gerror(lua_State *L, GError *e)
{
    luaL_where(L, 1);
    lua_pushstring(L, e->message);
    g_error_free(e);
    lua_concat(L, 2);
    return lua_error(L);
}
