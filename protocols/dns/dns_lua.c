/* protocols/dns/dns_lua.c — module `dns` for scenarios:
 *
 *   local S = dns.server(host, {zone="mit.edu", ttl=300, negative_ttl=60, records={...}})
 *   S:zone{zone="rutgers.edu", records={...}}     -- another zone on the same server
 *   S:add{name="x.mit.edu", type="A", data="18.7.22.84"}
 *   S:stats()  -> {queries, answers, nxdomain, nodata, formerr, notimp, refused, truncated, ...}
 *
 *   local r = dns.resolver(host, {server="18.7.22.1", rto="1s", tries=3, cache=true})
 *   r:resolve(name, type[, {timeout=}]) -> records, info | nil, err, info
 *   r:stats(), r:flush(), r:cache_size()
 *   dns.resolve(host, server, name, type[, {timeout=}])   -- the host's resolver for server
 *
 * records is an array of record tables (dns_lua_rr.c); err is "NXDOMAIN", "NODATA",
 * "timeout", "truncated", "closed" or the server's rcode ("REFUSED", "SERVFAIL" ...); info has cached,
 * sent (datagrams), time (seconds), status and rcode. resolve blocks the calling task until
 * the answer, the resolver's last retransmission timing out (1 + 2 + 4 s by default) or the
 * {timeout=} given, whichever is first. */
#include "protocols/dns/dns_priv.h"

#include <errno.h>
#include <string.h>

#define DNS_SERVER_CLASS "natsim.DnsServer"
#define DNS_RESOLVER_CLASS "natsim.DnsResolver"
#define DNS_STATE_KEY "natsim.dns"

/* A lookup a task waits for. Owned by the module state until the result came and was taken
 * (or, for an abandoned wait, until the result came). */
typedef struct lwait {
    struct dlua *d;
    dns_app *app;
    bool done, abandoned, closed;
    dns_status status;
    uint8_t rcode;
    bool cached;
    unsigned sent;
    sim_time_t took;
    GArray *rrs; /* of dns_rr */
} lwait;

/* Per Lua state: the data attached to the module state (simlua_apps). */
typedef struct dlua {
    simlua_cond *cond;    /* the module state's (borrowed) */
    GPtrArray *waits;     /* of lwait* */
    GHashTable *defaults; /* "node|server" -> sim_ref* of the resolver dns.resolve uses */
} dlua;

static void lwait_free(void *p)
{
    lwait *w = p;
    for (guint i = 0; i < w->rrs->len; i++)
        dns_rr_clear(&g_array_index(w->rrs, dns_rr, i));
    g_array_free(w->rrs, TRUE);
    g_free(w);
}

static void dlua_free(void *p)
{
    dlua *d = p;
    g_ptr_array_free(d->waits, TRUE);
    g_hash_table_destroy(d->defaults);
    g_free(d);
}

static dlua *dlua_get(lua_State *L)
{
    simlua_apps *m = simlua_module_state(L, DNS_STATE_KEY, DNS_REF_KIND, NULL);
    dlua *d = simlua_apps_data(m);
    if (!d) {
        d = g_new0(dlua, 1);
        d->cond = simlua_apps_cond(m);
        d->waits = g_ptr_array_new_with_free_func(lwait_free);
        d->defaults = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        simlua_apps_set_data(m, d, dlua_free);
    }
    return d;
}

/* ---------------------------------------------------------------- server */

static const char *const zone_keys[] = { "zone", "records", "ttl", "negative_ttl", NULL };
static const char *const server_keys[] = { "zone", "records", "ttl", "negative_ttl", "port",
                                           "udp_max", NULL };

/* Adds the zone described by option table idx (zone, records, ttl, negative_ttl) to s. */
static void add_zone(lua_State *L, int idx, dns_server *s)
{
    const char *zname = simlua_opt_str(L, idx, "zone", NULL);
    dns_name origin;
    if (!zname || dns_name_from_str(zname, &origin) != 0)
        luaL_argerror(L, idx, "option 'zone': a domain name is required (e.g. \"mit.edu\")");
    lua_Integer ttl = simlua_opt_int(L, idx, "ttl", 300);
    lua_Integer neg = simlua_opt_int(L, idx, "negative_ttl", 60);
    if (ttl < 0 || ttl > 0x7FFFFFFF || neg < 0 || neg > 0x7FFFFFFF)
        luaL_argerror(L, idx, "options 'ttl' / 'negative_ttl': seconds, 0..2^31-1");
    char *mname = g_strdup_printf("ns.%s", zname), *rname = g_strdup_printf("hostmaster.%s", zname);
    dns_rr soa = { .name = origin, .type = DNS_T_SOA, .rclass = DNS_C_IN, .ttl = 3600 };
    int ok = dns_name_from_str(mname, &soa.rd.soa.mname) | dns_name_from_str(rname, &soa.rd.soa.rname);
    g_free(mname);
    g_free(rname);
    if (ok != 0)
        luaL_argerror(L, idx, "option 'zone': name too long");
    soa.rd.soa.serial = 1, soa.rd.soa.refresh = 3600, soa.rd.soa.retry = 600;
    soa.rd.soa.expire = 86400, soa.rd.soa.minimum = (uint32_t)neg; /* RFC 2308 §4 */
    if (dns_server_add_zone(s, &soa) == -EEXIST)
        luaL_argerror(L, idx, "option 'zone': this server already serves that zone");
    int t = lua_getfield(L, idx, "records");
    if (t != LUA_TNIL && t != LUA_TTABLE)
        luaL_argerror(L, idx, "option 'records': a list of record tables expected");
    lua_Integer n = t == LUA_TTABLE ? (lua_Integer)luaL_len(L, -1) : 0;
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, -1, i);
        char what[32];
        g_snprintf(what, sizeof what, "record %lld", (long long)i);
        dns_rr rr;
        dnslua_check_record(L, -1, what, &origin, (uint32_t)ttl, &rr);
        int rc = dns_server_add_rr(s, &rr);
        dns_rr_clear(&rr);
        if (rc == -EEXIST)
            luaL_error(L, "%s: the same record is already in the zone", what);
        else if (rc)
            luaL_error(L, "%s: a CNAME cannot share its name with other records (RFC 1034 "
                          "§3.6.2)", what);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

static dns_app *check_app(lua_State *L, int idx, const char *cls)
{
    return simlua_check_handle(L, idx, cls, DNS_REF_KIND);
}

/* A server core not yet given to an app: freed by the collector if an error comes first
 * (the liolib pattern: the box exists before it owns anything). */
typedef struct core_box {
    dns_server *s;
} core_box;

static int core_box_gc(lua_State *L)
{
    core_box *b = lua_touserdata(L, 1);
    dns_server_free(b->s);
    b->s = NULL;
    return 0;
}

/* dns.server(host, {zone=, records=, ttl=, negative_ttl=, port=, udp_max=}) */
static int l_server(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    simlua_check_options(L, 2, server_keys);
    lua_Integer port = simlua_opt_int(L, 2, "port", DNS_PORT);
    lua_Integer udp_max = simlua_opt_int(L, 2, "udp_max", DNS_UDP_MAX);
    if (port < 1 || port > 65535)
        return luaL_argerror(L, 2, "option 'port': 1..65535");
    if (udp_max < 512 || udp_max > DNS_OUT_MAX)
        return luaL_argerror(L, 2, "option 'udp_max': 512..4096 bytes");
    core_box *box = lua_newuserdatauv(L, sizeof *box, 0);
    box->s = NULL;
    lua_newtable(L);
    lua_pushcfunction(L, core_box_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    box->s = dns_server_new((size_t)udp_max);
    add_zone(L, 2, box->s); /* every check before the socket exists */
    dns_server *core = box->s;
    box->s = NULL;
    GError *err = NULL;
    dns_app *a = dns_app_server(n, (uint16_t)port, core, &err);
    if (!a)
        simlua_raise_gerror_msg(L, err);
    simlua_push_handle(L, DNS_SERVER_CLASS, dns_app_ref(a));
    return 1;
}

/* S:zone{zone=, records=, ttl=, negative_ttl=} */
static int server_zone(lua_State *L)
{
    dns_app *a = check_app(L, 1, DNS_SERVER_CLASS);
    luaL_checktype(L, 2, LUA_TTABLE);
    simlua_check_options(L, 2, zone_keys);
    add_zone(L, 2, dns_app_server_core(a));
    return 0;
}

/* S:add(record) — the record's zone is the deepest one served that contains it. */
static int server_add(lua_State *L)
{
    dns_app *a = check_app(L, 1, DNS_SERVER_CLASS);
    luaL_checktype(L, 2, LUA_TTABLE);
    dns_name root = { .len = 1 };
    dns_rr rr;
    dnslua_check_record(L, 2, "record", &root, 300, &rr);
    int rc = dns_server_add_rr(dns_app_server_core(a), &rr);
    dns_rr_clear(&rr);
    if (rc == -ENOENT)
        return luaL_argerror(L, 2, "the name is in none of this server's zones");
    if (rc == -EEXIST)
        return luaL_argerror(L, 2, "the same record is already there");
    if (rc)
        return luaL_argerror(L, 2, "a CNAME cannot share its name with other records");
    return 0;
}

static int server_stats(lua_State *L)
{
    dns_app *a = check_app(L, 1, DNS_SERVER_CLASS);
    dns_server *s = dns_app_server_core(a);
    const dns_server_stats *st = dns_server_get_stats(s);
    lua_createtable(L, 0, 11);
    simlua_set_int(L, "queries", (lua_Integer)st->queries);
    simlua_set_int(L, "answers", (lua_Integer)st->answers);
    simlua_set_int(L, "nxdomain", (lua_Integer)st->nxdomain);
    simlua_set_int(L, "nodata", (lua_Integer)st->nodata);
    simlua_set_int(L, "formerr", (lua_Integer)st->formerr);
    simlua_set_int(L, "notimp", (lua_Integer)st->notimp);
    simlua_set_int(L, "refused", (lua_Integer)st->refused);
    simlua_set_int(L, "truncated", (lua_Integer)st->truncated);
    simlua_set_int(L, "ignored", (lua_Integer)st->ignored);
    simlua_set_int(L, "zones", (lua_Integer)dns_server_n_zones(s));
    simlua_set_int(L, "records", (lua_Integer)dns_server_n_records(s));
    return 1;
}

/* S:close() / r:close(). Tasks waiting on a closed resolver wake up with nil, "closed" (its
 * core drops pending lookups without calling back). */
static int app_close(lua_State *L)
{
    const char *cls = luaL_testudata(L, 1, DNS_SERVER_CLASS) ? DNS_SERVER_CLASS
                                                             : DNS_RESOLVER_CLASS;
    dns_app *a = simlua_handle_get(L, 1, cls, DNS_REF_KIND);
    if (!a)
        return 0;
    dns_app_free(a);
    dlua *d = dlua_get(L);
    for (guint i = 0; i < d->waits->len;) {
        lwait *w = d->waits->pdata[i];
        if (w->app != a || w->done) {
            i++;
        } else if (w->abandoned) {
            g_ptr_array_remove_index(d->waits, i);
        } else {
            w->done = w->closed = true;
            w->status = DNS_TIMEOUT; /* reported as "closed" */
            i++;
        }
    }
    simlua_cond_signal(d->cond);
    return 0;
}

static int server_tostring(lua_State *L)
{
    dns_app *a = simlua_handle_get(L, 1, DNS_SERVER_CLASS, DNS_REF_KIND);
    if (!a || !dns_app_server_core(a)) {
        lua_pushliteral(L, "<dns server (closed)>");
        return 1;
    }
    lua_pushfstring(L, "<dns server on %s port %d, %d zones, %d records>", dns_app_node(a)->name,
                    (int)dns_app_local(a).port, (int)dns_server_n_zones(dns_app_server_core(a)),
                    (int)dns_server_n_records(dns_app_server_core(a)));
    return 1;
}

static const luaL_Reg server_methods[] = {
    { "zone", server_zone }, { "add", server_add }, { "stats", server_stats },
    { "close", app_close },  { NULL, NULL },
};
static const luaL_Reg server_meta[] = { { "__tostring", server_tostring }, { NULL, NULL } };

/* ---------------------------------------------------------------- resolver */

static const char *const resolver_keys[] = { "server", "rto", "tries", "cache", "additional",
                                             NULL };

/* "ip" or "ip:port" / "[v6]:port" (port 53 by default). */
static sim_ep check_server(lua_State *L, int idx, const char *s)
{
    sim_ep ep = { .port = DNS_PORT };
    if (!s || (sim_ep_parse(s, &ep) != 0 && sim_ip_parse(s, &ep.ip) != 0))
        luaL_argerror(L, idx, "server: an address \"ip\" or \"ip:port\" expected");
    return ep;
}

static dns_app *new_resolver(lua_State *L, sim_node *n, const dns_resolver_cfg *cfg)
{
    GError *err = NULL;
    dns_app *a = dns_app_resolver(n, cfg, &err);
    if (!a)
        simlua_raise_gerror_msg(L, err);
    return a;
}

/* dns.resolver(host, {server=, rto=, tries=, cache=, additional=}) */
static int l_resolver(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    simlua_check_options(L, 2, resolver_keys);
    dns_resolver_cfg cfg = { 0 };
    cfg.server = check_server(L, 2, simlua_opt_str(L, 2, "server", NULL));
    cfg.rto = simlua_opt_time(L, 2, "rto", 0);
    lua_Integer tries = simlua_opt_int(L, 2, "tries", DNS_TRIES_DEFAULT);
    if (tries < 1 || tries > 20)
        return luaL_argerror(L, 2, "option 'tries': 1..20");
    cfg.tries = (unsigned)tries;
    cfg.no_cache = !simlua_opt_bool(L, 2, "cache", true);
    cfg.no_additional = !simlua_opt_bool(L, 2, "additional", true);
    simlua_push_handle(L, DNS_RESOLVER_CLASS, dns_app_ref(new_resolver(L, n, &cfg)));
    return 1;
}

static void on_lookup(void *ctx, const dns_result *r)
{
    lwait *w = ctx;
    dlua *d = w->d;
    if (w->app)
        dns_app_log_result(w->app, r);
    if (w->abandoned) {
        g_ptr_array_remove_fast(d->waits, w); /* frees w */
        return;
    }
    w->done = true;
    w->status = r->status;
    w->rcode = r->rcode;
    w->cached = r->cached;
    w->sent = r->sent;
    w->took = r->done_at - r->started;
    for (guint i = 0; i < r->rrs->len; i++) {
        dns_rr c;
        dns_rr_copy(&c, &g_array_index(r->rrs, dns_rr, i));
        g_array_append_val(w->rrs, c);
    }
    simlua_cond_signal(d->cond);
}

/* Pushes the results of a finished wait: records, info | nil, err, info. Frees w. */
static int push_result(lua_State *L, lwait *w)
{
    int nret;
    if (w->status == DNS_OK) {
        lua_createtable(L, (int)w->rrs->len, 0);
        for (guint i = 0; i < w->rrs->len; i++) {
            dnslua_push_rr(L, &g_array_index(w->rrs, dns_rr, i));
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        nret = 2;
    } else {
        lua_pushnil(L);
        const char *rc = dns_rcode_name(w->rcode);
        lua_pushstring(L, w->closed ? "closed"
                          : w->status == DNS_SERVFAIL && rc ? rc : dns_status_name(w->status));
        nret = 3;
    }
    lua_createtable(L, 0, 5);
    lua_pushboolean(L, w->cached);
    lua_setfield(L, -2, "cached");
    simlua_set_int(L, "sent", w->sent);
    lua_pushnumber(L, sim_time_sec(w->took));
    lua_setfield(L, -2, "time");
    lua_pushstring(L, dns_status_name(w->status));
    lua_setfield(L, -2, "status");
    lua_pushstring(L, dns_rcode_name(w->rcode) ? dns_rcode_name(w->rcode) : "?");
    lua_setfield(L, -2, "rcode");
    g_ptr_array_remove_fast(w->d->waits, w);
    return nret;
}

/* A wait keeps [1] lightuserdata lwait (simlua_wait's state). Its test: the result, once in. */
static int wait_test(lua_State *L)
{
    lwait *w = lua_touserdata(L, 1);
    return w->done ? push_result(L, w) : 0;
}

/* At the deadline: the resolver's callback frees the wait. */
static int wait_expire(lua_State *L)
{
    ((lwait *)lua_touserdata(L, 1))->abandoned = true;
    return 0;
}

/* Starts a lookup of (name at idx, type at idx+1, opts at idx+2) on app a and waits. */
static int resolve_on(lua_State *L, dns_app *a, int idx)
{
    dns_name name;
    if (dns_name_from_str(luaL_checkstring(L, idx), &name) != 0)
        return luaL_argerror(L, idx, "not a domain name (labels 1..63 bytes, 255 in all)");
    uint16_t type;
    const char *tname = luaL_checkstring(L, idx + 1);
    if (dns_type_from_str(tname, &type) != 0 || type == DNS_T_OPT)
        return luaL_argerror(L, idx + 1, "type: A, AAAA, CNAME, NS, PTR, SOA, SRV, NAPTR, TXT, "
                                         "ANY or TYPEn");
    simlua_check_options(L, idx + 2, (const char *const[]){ "timeout", NULL });
    sim_time_t timeout = lua_istable(L, idx + 2) ? simlua_opt_time(L, idx + 2, "timeout",
                                                                   SIM_TIME_NEVER)
                                                 : SIM_TIME_NEVER;
    dlua *d = dlua_get(L);
    lwait *w = g_new0(lwait, 1);
    w->d = d;
    w->app = a;
    w->rrs = g_array_new(FALSE, TRUE, sizeof(dns_rr));
    g_ptr_array_add(d->waits, w);
    sim_time_t now = sim_world_now(simlua_world(L));
    dns_resolver_lookup(dns_app_resolver_core(a), now, &name, type, on_lookup, w, NULL);
    dns_app_kick(a);
    sim_time_t deadline = simlua_deadline(L, timeout);
    lua_settop(L, 0);
    lua_pushlightuserdata(L, w);
    return simlua_wait(L, d->cond, 1, deadline, wait_test, wait_expire);
}

/* r:resolve(name, type[, {timeout=}]) */
static int resolver_resolve(lua_State *L)
{
    return resolve_on(L, check_app(L, 1, DNS_RESOLVER_CLASS), 2);
}

/* dns.resolve(host, server, name, type[, {timeout=}]): the host's resolver for that server,
 * created on first use and kept (with its cache) for the rest of the run. */
static int l_resolve(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    sim_ep server = check_server(L, 2, luaL_checkstring(L, 2));
    char b[SIM_EP_STRLEN];
    const char *key = lua_pushfstring(L, "%s|%s", n->name, sim_ep_fmt(&server, b, sizeof b));
    dlua *d = dlua_get(L);
    sim_ref *ref = g_hash_table_lookup(d->defaults, key);
    dns_app *a = ref ? sim_world_ref_get(simlua_world(L), *ref, DNS_REF_KIND) : NULL;
    if (!a) {
        dns_resolver_cfg cfg = { .server = server };
        a = new_resolver(L, n, &cfg);
        ref = g_new(sim_ref, 1);
        *ref = dns_app_ref(a);
        g_hash_table_replace(d->defaults, g_strdup(key), ref);
    }
    lua_pop(L, 1);
    return resolve_on(L, a, 3);
}

static int resolver_stats(lua_State *L)
{
    dns_app *a = check_app(L, 1, DNS_RESOLVER_CLASS);
    dns_resolver *r = dns_app_resolver_core(a);
    const dns_resolver_stats *st = dns_resolver_get_stats(r);
    lua_createtable(L, 0, 11);
    simlua_set_int(L, "lookups", (lua_Integer)st->lookups);
    simlua_set_int(L, "sent", (lua_Integer)st->sent);
    simlua_set_int(L, "retransmits", (lua_Integer)st->retransmits);
    simlua_set_int(L, "responses", (lua_Integer)st->responses);
    simlua_set_int(L, "stray", (lua_Integer)st->stray);
    simlua_set_int(L, "bad", (lua_Integer)st->bad);
    simlua_set_int(L, "timeouts", (lua_Integer)st->timeouts);
    simlua_set_int(L, "cache_hits", (lua_Integer)st->cache_hits);
    simlua_set_int(L, "negative_hits", (lua_Integer)st->negative_hits);
    simlua_set_int(L, "cache_misses", (lua_Integer)st->cache_misses);
    simlua_set_int(L, "cache_size",
            (lua_Integer)dns_resolver_cache_size(r, sim_world_now(simlua_world(L))));
    return 1;
}

static int resolver_flush(lua_State *L)
{
    dns_resolver_flush(dns_app_resolver_core(check_app(L, 1, DNS_RESOLVER_CLASS)));
    return 0;
}

static int resolver_tostring(lua_State *L)
{
    dns_app *a = simlua_handle_get(L, 1, DNS_RESOLVER_CLASS, DNS_REF_KIND);
    if (!a || !dns_app_resolver_core(a)) {
        lua_pushliteral(L, "<dns resolver (closed)>");
        return 1;
    }
    lua_pushfstring(L, "<dns resolver on %s, %d cached>", dns_app_node(a)->name,
                    (int)dns_resolver_cache_size(dns_app_resolver_core(a),
                                                 sim_world_now(simlua_world(L))));
    return 1;
}

static const luaL_Reg resolver_methods[] = {
    { "resolve", resolver_resolve }, { "stats", resolver_stats }, { "flush", resolver_flush },
    { "close", app_close },          { NULL, NULL },
};
static const luaL_Reg resolver_meta[] = { { "__tostring", resolver_tostring }, { NULL, NULL } };

static const luaL_Reg module_funcs[] = {
    { "server", l_server },
    { "resolver", l_resolver },
    { "resolve", l_resolve },
    { NULL, NULL },
};

int dns_lua_open(lua_State *L)
{
    simlua_new_class(L, DNS_SERVER_CLASS, server_methods, server_meta);
    simlua_new_class(L, DNS_RESOLVER_CLASS, resolver_methods, resolver_meta);
    dlua_get(L);
    luaL_newlib(L, module_funcs);
    return 1;
}
