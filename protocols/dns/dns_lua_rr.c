/* protocols/dns/dns_lua_rr.c — records as Lua tables, both ways, for module `dns`:
 *
 *   {name="proxy.mit.edu", type="A", ttl=300, data="18.7.22.83"}          (AAAA alike)
 *   {name="sip.mit.edu", type="CNAME", target="proxy.mit.edu"}            (NS, PTR alike; or data=)
 *   {name="_sip._udp.mit.edu", type="SRV", priority=0, weight=0, port=5060, target="proxy.mit.edu"}
 *   {name="mit.edu", type="NAPTR", order=50, preference=50, flags="s", services="SIP+D2U",
 *    regexp="", replacement="_sip._udp.mit.edu"}
 *   {name="mit.edu", type="TXT", strings={"v=1", "path=/"}}                (or data="one string")
 *   {name="mit.edu", type="TYPE65", data="\1\2\3"}                         (RFC 3597: raw bytes)
 *
 * name defaults to the zone's apex ("@" too); ttl to the zone's default. Keys a type does not
 * have are errors naming them. Results come back as the same tables (SOA with mname, rname,
 * serial, refresh, retry, expire, minimum). */
#include "protocols/dns/dns_priv.h"

#include <errno.h>
#include <string.h>

static const char *const keys_addr[] = { "name", "type", "ttl", "data", NULL };
static const char *const keys_target[] = { "name", "type", "ttl", "data", "target", NULL };
static const char *const keys_srv[] = { "name", "type", "ttl", "priority", "weight", "port",
                                        "target", NULL };
static const char *const keys_naptr[] = { "name",     "type",   "ttl",         "order",
                                          "preference", "flags", "services", "regexp",
                                          "replacement", NULL };
static const char *const keys_txt[] = { "name", "type", "ttl", "strings", "data", NULL };

static const char *const *keys_for(uint16_t type)
{
    switch (type) {
    case DNS_T_A:
    case DNS_T_AAAA: return keys_addr;
    case DNS_T_CNAME:
    case DNS_T_NS:
    case DNS_T_PTR: return keys_target;
    case DNS_T_SRV: return keys_srv;
    case DNS_T_NAPTR: return keys_naptr;
    case DNS_T_TXT: return keys_txt;
    default: return keys_addr; /* opaque RDATA in data */
    }
}

/* Raises an error naming the smallest key of table idx not in keys (so the message does not
 * depend on traversal order). */
static void check_keys(lua_State *L, int idx, const char *what, const char *tname,
                       const char *const *keys)
{
    const char *bad = NULL;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING) {
            luaL_error(L, "%s: keys must be strings", what);
        }
        const char *k = lua_tostring(L, -1);
        bool known = false;
        for (const char *const *x = keys; *x && !known; x++)
            known = !strcmp(*x, k);
        if (!known && (!bad || strcmp(k, bad) < 0))
            bad = k; /* stays valid: the key is still in the table */
    }
    if (bad) {
        GString *s = g_string_new(NULL);
        for (const char *const *x = keys; *x; x++)
            g_string_append_printf(s, "%s%s", s->len ? ", " : "", *x);
        const char *msg = lua_pushfstring(L, "%s: unknown key '%s' for %s (known: %s)", what, bad,
                                          tname, s->str);
        g_string_free(s, TRUE);
        luaL_error(L, "%s", msg); /* adds file:line */
    }
}

/* Field key of table idx as an integer in [lo, hi] (def when absent; required: error). */
static lua_Integer field_int(lua_State *L, int idx, const char *what, const char *key,
                             lua_Integer lo, lua_Integer hi, lua_Integer def)
{
    int t = lua_getfield(L, idx, key);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        if (def < 0)
            luaL_error(L, "%s: '%s' is required", what, key);
        return def;
    }
    int ok;
    lua_Integer v = lua_tointegerx(L, -1, &ok);
    if (t != LUA_TNUMBER || !ok || v < lo || v > hi)
        luaL_error(L, "%s: '%s' must be an integer %I..%I", what, key, lo, hi);
    lua_pop(L, 1);
    return v;
}

/* Field key as a string (NULL when absent and optional). */
static const char *field_str(lua_State *L, int idx, const char *what, const char *key,
                             bool required, size_t *len)
{
    int t = lua_getfield(L, idx, key);
    if (t == LUA_TNIL && !required) {
        lua_pop(L, 1);
        return NULL;
    }
    if (t != LUA_TSTRING)
        luaL_error(L, "%s: '%s' must be a string", what, key);
    const char *s = lua_tolstring(L, -1, len);
    lua_pop(L, 1); /* the table keeps the string alive */
    return s;
}

static dns_name field_name(lua_State *L, int idx, const char *what, const char *key,
                           const char *alt)
{
    const char *s = field_str(L, idx, what, key, !alt, NULL);
    if (!s)
        s = field_str(L, idx, what, alt, true, NULL);
    dns_name n;
    if (dns_name_from_str(s, &n) != 0)
        luaL_error(L, "%s: '%s' is not a domain name (labels 1..63 bytes, 255 in all)", what, s);
    return n;
}

static void field_cstr(lua_State *L, int idx, const char *what, const char *key, dns_cstr *out)
{
    size_t n = 0;
    const char *s = field_str(L, idx, what, key, false, &n);
    if (n > 255)
        luaL_error(L, "%s: '%s' is longer than 255 bytes", what, key);
    memset(out, 0, sizeof *out);
    out->len = (uint8_t)n;
    if (s)
        memcpy(out->s, s, n);
}

/* The TXT strings of table idx (strings={...} or data="..."), checked before anything is
 * allocated so that an error leaks nothing; then appended to rr. */
static void txt_fields(lua_State *L, int idx, const char *what, dns_rr *rr)
{
    size_t n, total = 0;
    if (field_str(L, idx, what, "data", false, &n)) {
        lua_getfield(L, idx, "data");
    } else {
        if (lua_getfield(L, idx, "strings") != LUA_TTABLE)
            luaL_error(L, "%s: TXT needs 'strings' (a list of strings) or 'data'", what);
    }
    bool list = lua_istable(L, -1);
    lua_Integer count = list ? (lua_Integer)luaL_len(L, -1) : 1;
    for (lua_Integer i = 1; i <= count; i++) {
        if (list && lua_geti(L, -1, i) != LUA_TSTRING)
            luaL_error(L, "%s: strings[%I] must be a string", what, i);
        lua_tolstring(L, -1, &n);
        if (n > 255)
            luaL_error(L, "%s: TXT string %I is longer than 255 bytes", what, i);
        total += n + 1;
        if (list)
            lua_pop(L, 1);
    }
    if (total > 65535)
        luaL_error(L, "%s: TXT data longer than 65535 bytes", what);
    for (lua_Integer i = 1; i <= count; i++) {
        if (list)
            lua_geti(L, -1, i);
        const char *s = lua_tolstring(L, -1, &n);
        dns_txt_add(rr, s, n);
        if (list)
            lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

void dnslua_check_record(lua_State *L, int idx, const char *what, const dns_name *origin,
                         uint32_t def_ttl, dns_rr *out)
{
    idx = lua_absindex(L, idx);
    if (!lua_istable(L, idx))
        luaL_error(L, "%s: a record table expected", what);
    dns_rr rr = { .rclass = DNS_C_IN };
    const char *tname = field_str(L, idx, what, "type", true, NULL);
    if (dns_type_from_str(tname, &rr.type) != 0 || rr.type == DNS_T_ANY || rr.type == DNS_T_OPT)
        luaL_error(L, "%s: unknown type '%s' (A, AAAA, CNAME, NS, PTR, SRV, NAPTR, TXT, TYPEn)",
                   what, tname);
    if (rr.type == DNS_T_SOA)
        luaL_error(L, "%s: the zone's SOA comes from the zone options (negative_ttl)", what);
    check_keys(L, idx, what, tname, keys_for(rr.type));
    const char *owner = field_str(L, idx, what, "name", false, NULL);
    if (!owner || !strcmp(owner, "@"))
        rr.name = *origin;
    else
        rr.name = field_name(L, idx, what, "name", NULL);
    if (!dns_name_in_zone(&rr.name, origin)) {
        char z[DNS_NAME_STRLEN];
        luaL_error(L, "%s: '%s' is outside zone %s", what, owner, dns_name_fmt(origin, z, sizeof z));
    }
    rr.ttl = (uint32_t)field_int(L, idx, what, "ttl", 0, 0x7FFFFFFF, def_ttl);
    size_t n;
    const char *data;
    sim_ip ip;
    switch (rr.type) {
    case DNS_T_A:
    case DNS_T_AAAA:
        data = field_str(L, idx, what, "data", true, NULL);
        if (sim_ip_parse(data, &ip) != 0 ||
            ip.family != (rr.type == DNS_T_A ? SIM_AF_INET : SIM_AF_INET6))
            luaL_error(L, "%s: 'data' must be an IPv%s address, not '%s'", what,
                       rr.type == DNS_T_A ? "4" : "6", data);
        memcpy(rr.type == DNS_T_A ? rr.rd.a : rr.rd.aaaa, ip.b, rr.type == DNS_T_A ? 4 : 16);
        break;
    case DNS_T_CNAME:
    case DNS_T_NS:
    case DNS_T_PTR: rr.rd.target = field_name(L, idx, what, "target", "data"); break;
    case DNS_T_SRV:
        rr.rd.srv.priority = (uint16_t)field_int(L, idx, what, "priority", 0, 65535, 0);
        rr.rd.srv.weight = (uint16_t)field_int(L, idx, what, "weight", 0, 65535, 0);
        rr.rd.srv.port = (uint16_t)field_int(L, idx, what, "port", 0, 65535, -1);
        rr.rd.srv.target = field_name(L, idx, what, "target", NULL);
        break;
    case DNS_T_NAPTR:
        rr.rd.naptr.order = (uint16_t)field_int(L, idx, what, "order", 0, 65535, -1);
        rr.rd.naptr.preference = (uint16_t)field_int(L, idx, what, "preference", 0, 65535, 0);
        field_cstr(L, idx, what, "flags", &rr.rd.naptr.flags);
        field_cstr(L, idx, what, "services", &rr.rd.naptr.services);
        field_cstr(L, idx, what, "regexp", &rr.rd.naptr.regexp);
        rr.rd.naptr.replacement = field_name(L, idx, what, "replacement", NULL);
        break;
    case DNS_T_TXT: txt_fields(L, idx, what, &rr); break;
    default:
        data = field_str(L, idx, what, "data", true, &n);
        if (n > 65535)
            luaL_error(L, "%s: 'data' longer than 65535 bytes", what);
        dns_rr_set_data(&rr, data, n); /* last: no error can follow */
        break;
    }
    *out = rr;
}

static void set_name(lua_State *L, const char *k, const dns_name *n)
{
    char b[DNS_NAME_STRLEN];
    lua_pushstring(L, dns_name_fmt(n, b, sizeof b));
    lua_setfield(L, -2, k);
}

static void set_cstr(lua_State *L, const char *k, const dns_cstr *s)
{
    lua_pushlstring(L, s->s, s->len);
    lua_setfield(L, -2, k);
}

void dnslua_push_rr(lua_State *L, const dns_rr *rr)
{
    lua_createtable(L, 0, 8);
    set_name(L, "name", &rr->name);
    const char *tname = dns_type_name(rr->type);
    if (tname)
        lua_pushstring(L, tname);
    else
        lua_pushfstring(L, "TYPE%d", (int)rr->type);
    lua_setfield(L, -2, "type");
    simlua_set_int(L, "ttl", rr->ttl);
    sim_ip ip;
    size_t pos = 0, n;
    const uint8_t *s;
    switch (rr->type) {
    case DNS_T_A:
    case DNS_T_AAAA:
        dns_rr_addr(rr, &ip);
        simlua_push_ip(L, &ip);
        lua_setfield(L, -2, "data");
        break;
    case DNS_T_CNAME:
    case DNS_T_NS:
    case DNS_T_PTR:
        set_name(L, "target", &rr->rd.target);
        set_name(L, "data", &rr->rd.target);
        break;
    case DNS_T_SRV:
        simlua_set_int(L, "priority", rr->rd.srv.priority);
        simlua_set_int(L, "weight", rr->rd.srv.weight);
        simlua_set_int(L, "port", rr->rd.srv.port);
        set_name(L, "target", &rr->rd.srv.target);
        break;
    case DNS_T_NAPTR:
        simlua_set_int(L, "order", rr->rd.naptr.order);
        simlua_set_int(L, "preference", rr->rd.naptr.preference);
        set_cstr(L, "flags", &rr->rd.naptr.flags);
        set_cstr(L, "services", &rr->rd.naptr.services);
        set_cstr(L, "regexp", &rr->rd.naptr.regexp);
        set_name(L, "replacement", &rr->rd.naptr.replacement);
        break;
    case DNS_T_SOA:
        set_name(L, "mname", &rr->rd.soa.mname);
        set_name(L, "rname", &rr->rd.soa.rname);
        simlua_set_int(L, "serial", rr->rd.soa.serial);
        simlua_set_int(L, "refresh", rr->rd.soa.refresh);
        simlua_set_int(L, "retry", rr->rd.soa.retry);
        simlua_set_int(L, "expire", rr->rd.soa.expire);
        simlua_set_int(L, "minimum", rr->rd.soa.minimum);
        break;
    case DNS_T_TXT:
        lua_newtable(L);
        for (lua_Integer i = 1; dns_txt_next(rr, &pos, &s, &n); i++) {
            lua_pushlstring(L, (const char *)s, n);
            lua_rawseti(L, -2, i);
        }
        lua_setfield(L, -2, "strings");
        break;
    default:
        lua_pushlstring(L, (const char *)rr->data, rr->data_len);
        lua_setfield(L, -2, "data");
    }
}
