/* protocols/mdns/mdns_lua.c — module `mdns` for scenarios:
 *
 *   local r = mdns.responder(host, {hostname="myserver"})     -- probes, then announces
 *   r:publish{instance="myprinter", service="_printer._tcp", port=5432, txt={paper="A4"}}
 *   r:wait{timeout="5s"}      -- until every name is announced (true) or the timeout (false)
 *   r:hostname()              -- "myserver", or "myserver-2" after a conflict
 *   r:services()              -- {"myprinter._printer._tcp.local", ...} (after renames)
 *   r:unpublish("myprinter", "_printer._tcp"); r:stats(); r:close()  -- close: goodbyes
 *
 *   mdns.browse(host, "_printer._tcp", {timeout="2s", count=1})
 *       -> {"myprinter._printer._tcp.local", ...}  (after timeout, or once `count` are found)
 *   local b = mdns.browser(host, "_printer._tcp")  -- keeps browsing until b:close()
 *   b:wait{timeout="5s"} -> added, removed (instance names since the last wait) | nil, "timeout"
 *   b:instances()        -> the instances cached now
 *   mdns.resolve(host, "myprinter._printer._tcp.local", {timeout="3s"})
 *       -> {target="myserver.local", port=5432, txt={paper="A4"}, addresses={"10.0.0.1", ...}}
 *          | nil, "timeout"
 *   mdns.lookup(host, "myserver.local", "A", {timeout="3s"})
 *       -> {"10.0.0.1"} (A/AAAA: addresses; PTR: targets; SRV: "prio weight port target";
 *          TXT: the strings joined by spaces) | nil, "timeout"
 *
 * Each host runs one mDNS daemon (mdns_sim.c), created on first use. The blocking calls keep
 * their question asked (continuous querying) while they wait and stop it after. */
#include "protocols/mdns/mdns.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "sim/lua/simlua.h"

#define RESPONDER_CLASS "natsim.MdnsResponder"
#define BROWSER_CLASS "natsim.MdnsBrowser"
#define MDNS_STATE_KEY "natsim.mdns"

static void on_notify(mdns_app *a, void *ctx)
{
    (void)a;
    simlua_cond_signal(simlua_apps_cond(ctx));
}

/* When the Lua state closes, the hosts' daemons stop signalling its condition. */
static void app_unhook(void *obj) { mdns_app_on_notify(obj, NULL, NULL); }

/* The module state; its data maps node name -> sim_ref * of the host's daemon. */
static simlua_apps *mlua_get(lua_State *L)
{
    simlua_apps *m = simlua_module_state(L, MDNS_STATE_KEY, MDNS_REF_KIND, app_unhook);
    if (!simlua_apps_data(m))
        simlua_apps_set_data(m, g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
                             (GDestroyNotify)g_hash_table_destroy);
    return m;
}

static simlua_cond *mlua_cond(lua_State *L) { return simlua_apps_cond(mlua_get(L)); }

/* The host's daemon, started on first use. */
static mdns_app *host_app(lua_State *L, sim_node *n)
{
    simlua_apps *d = mlua_get(L);
    GHashTable *apps = simlua_apps_data(d);
    sim_ref *ref = g_hash_table_lookup(apps, n->name);
    mdns_app *a = ref ? sim_world_ref_get(simlua_world(L), *ref, MDNS_REF_KIND) : NULL;
    if (a)
        return a;
    GError *err = NULL;
    a = mdns_app_new(n, &err);
    if (!a)
        simlua_raise_gerror_msg(L, err);
    mdns_app_on_notify(a, on_notify, d);
    simlua_apps_track(d, mdns_app_ref(a));
    ref = g_new(sim_ref, 1);
    *ref = mdns_app_ref(a);
    g_hash_table_replace(apps, g_strdup(n->name), ref);
    return a;
}

static mdns_app *check_responder(lua_State *L, int idx)
{
    mdns_app *a = simlua_check_handle(L, idx, RESPONDER_CLASS, MDNS_REF_KIND);
    if (!mdns_app_responder(a))
        luaL_error(L, "mdns responder is gone (closed)");
    return a;
}

static sim_time_t now_of(lua_State *L) { return sim_world_now(simlua_world(L)); }

/* ---------------------------------------------------------------- responder */

/* mdns.responder(host, {hostname=}) */
static int l_responder(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    simlua_check_options(L, 2, (const char *const[]){ "hostname", NULL });
    const char *hn = simlua_opt_str(L, 2, "hostname", NULL);
    dns_name tmp;
    if (!hn || !*hn || strchr(hn, '.') || strlen(hn) > DNS_LABEL_MAX ||
        dns_name_from_str(hn, &tmp) != 0)
        return luaL_argerror(L, 2, "option 'hostname': one label, e.g. \"myserver\"");
    mdns_app *a = host_app(L, n);
    int rc = mdns_app_respond(a, hn);
    if (rc == -EEXIST)
        return luaL_error(L, "%s already has an mDNS responder", n->name);
    if (rc)
        return luaL_argerror(L, 2, "option 'hostname': not a valid host label");
    simlua_push_handle(L, RESPONDER_CLASS, mdns_app_ref(a));
    return 1;
}

/* Pushes a list of the TXT strings of option txt at idx: txt={key=value, flag=true} or
 * txt={"k=v", ...}. Raises a Lua error naming the option for anything else. */
static void push_txt_list(lua_State *L, int idx)
{
    lua_newtable(L);
    int t = lua_getfield(L, idx, "txt");
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    if (t != LUA_TTABLE)
        luaL_argerror(L, idx, "option 'txt': a table {key=value} or a list of \"key=value\"");
    lua_Integer n = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        int kt = lua_type(L, -2), vt = lua_type(L, -1);
        if (kt == LUA_TNUMBER && vt == LUA_TSTRING)
            lua_pushvalue(L, -1);
        else if (kt == LUA_TSTRING && (vt == LUA_TSTRING || vt == LUA_TNUMBER))
            lua_pushfstring(L, "%s=%s", lua_tostring(L, -2), lua_tostring(L, -1));
        else if (kt == LUA_TSTRING && vt == LUA_TBOOLEAN && lua_toboolean(L, -1))
            lua_pushvalue(L, -2); /* a key without a value (RFC 6763 §6.4) */
        else
            luaL_argerror(L, idx, "option 'txt': values must be strings, numbers or true");
        lua_rawseti(L, -5, ++n);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

static int cmp_str_p(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* r:publish{instance=, service=, port=, txt=}: TXT strings sorted, so the record does not
 * depend on pairs() order. */
static int r_publish(lua_State *L)
{
    mdns_app *a = check_responder(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    simlua_check_options(L, 2, (const char *const[]){ "instance", "service", "port", "txt",
                                                      NULL });
    const char *inst = simlua_opt_str(L, 2, "instance", NULL);
    const char *svc = simlua_opt_str(L, 2, "service", NULL);
    lua_Integer port = simlua_opt_int(L, 2, "port", -1);
    dns_name tmp;
    if (!svc || mdns_sd_service_name(svc, &tmp) != 0)
        return luaL_argerror(L, 2, "option 'service': \"_name._tcp\" or \"_name._udp\"");
    if (!inst || mdns_sd_instance_name(inst, svc, &tmp) != 0)
        return luaL_argerror(L, 2, "option 'instance': a name of 1..63 bytes");
    if (port < 0 || port > 65535)
        return luaL_argerror(L, 2, "option 'port': 0..65535 is required");
    push_txt_list(L, 2);
    size_t n = lua_rawlen(L, -1);
    if (n > 64)
        return luaL_argerror(L, 2, "option 'txt': at most 64 strings");
    const char *txt[64];
    for (size_t i = 0; i < n; i++) { /* the strings stay anchored in the list on the stack */
        lua_rawgeti(L, -1, (lua_Integer)i + 1);
        txt[i] = lua_tostring(L, -1);
        lua_pop(L, 1);
    }
    qsort(txt, n, sizeof txt[0], cmp_str_p);
    int rc = mdns_responder_publish(mdns_app_responder(a), now_of(L), inst, svc,
                                    (uint16_t)port, txt, n);
    if (rc == -EEXIST)
        return luaL_argerror(L, 2, "this instance is already published");
    if (rc)
        return luaL_argerror(L, 2, "option 'txt': strings of at most 255 bytes");
    mdns_app_kick(a);
    return 0;
}

/* r:unpublish(instance, service) -> true | false (not published) */
static int r_unpublish(lua_State *L)
{
    mdns_app *a = check_responder(L, 1);
    int rc = mdns_responder_unpublish(mdns_app_responder(a), now_of(L), luaL_checkstring(L, 2),
                                      luaL_checkstring(L, 3));
    mdns_app_kick(a);
    lua_pushboolean(L, rc == 0);
    return 1;
}

static int r_hostname(lua_State *L)
{
    lua_pushstring(L, mdns_responder_hostname(mdns_app_responder(check_responder(L, 1))));
    return 1;
}

static int r_services(lua_State *L)
{
    mdns_responder *r = mdns_app_responder(check_responder(L, 1));
    lua_createtable(L, (int)mdns_responder_n_services(r), 0);
    for (size_t i = 0; i < mdns_responder_n_services(r); i++) {
        lua_pushstring(L, mdns_responder_service_name(r, i));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int r_stats(lua_State *L)
{
    const mdns_responder_stats *s = mdns_responder_get_stats(mdns_app_responder(check_responder(L, 1)));
    lua_createtable(L, 0, 15);
    simlua_set_int(L, "probes", s->probes);
    simlua_set_int(L, "announcements", s->announcements);
    simlua_set_int(L, "conflicts", s->conflicts);
    simlua_set_int(L, "renames", s->renames);
    simlua_set_int(L, "tiebreak_lost", s->tiebreak_lost);
    simlua_set_int(L, "tiebreak_won", s->tiebreak_won);
    simlua_set_int(L, "queries", s->queries);
    simlua_set_int(L, "answered", s->answered);
    simlua_set_int(L, "multicast", s->multicast);
    simlua_set_int(L, "unicast", s->unicast);
    simlua_set_int(L, "legacy", s->legacy);
    simlua_set_int(L, "suppressed", s->suppressed);
    simlua_set_int(L, "rate_limited", s->rate_limited);
    simlua_set_int(L, "goodbyes", s->goodbyes);
    simlua_set_int(L, "nsec", s->nsec);
    simlua_set_int(L, "address_changes", s->address_changes);
    simlua_set_int(L, "bad", s->bad);
    return 1;
}

/* r:close(): goodbyes, then the host's daemon stops (browsing on it too). */
static int r_close(lua_State *L)
{
    mdns_app *a = simlua_handle_get(L, 1, RESPONDER_CLASS, MDNS_REF_KIND);
    mdns_app_free(a);
    simlua_cond_signal(mlua_cond(L));
    return 0;
}

static int r_tostring(lua_State *L)
{
    mdns_app *a = simlua_handle_get(L, 1, RESPONDER_CLASS, MDNS_REF_KIND);
    mdns_responder *r = a ? mdns_app_responder(a) : NULL;
    if (!r)
        lua_pushliteral(L, "<mdns responder (closed)>");
    else
        lua_pushfstring(L, "<mdns responder %s.local on %s, %d services, %s>",
                        mdns_responder_hostname(r), mdns_app_node(a)->name,
                        (int)mdns_responder_n_services(r),
                        mdns_responder_ready(r) ? "announced" : "probing");
    return 1;
}

/* ---------------------------------------------------------------- blocking waits */

typedef enum wkind { W_READY, W_BROWSE, W_RESOLVE, W_LOOKUP } wkind;

/* What a waiting task waits for: a full userdata at stack index 1 (collected with the task).
 * The questions it asked are stopped when it finishes. */
typedef struct mwait {
    wkind kind;
    sim_ref app;
    dns_name name, target;
    uint16_t type;
    bool target_asked;
    lua_Integer count;
    sim_time_t deadline;
} mwait;

static void stop_questions(mdns_querier *q, mwait *w)
{
    if (w->kind == W_BROWSE || w->kind == W_LOOKUP)
        mdns_querier_stop(q, &w->name, w->type);
    if (w->kind == W_RESOLVE) {
        mdns_querier_stop(q, &w->name, DNS_T_SRV);
        mdns_querier_stop(q, &w->name, DNS_T_TXT);
        if (w->target_asked) {
            mdns_querier_stop(q, &w->target, DNS_T_A);
            mdns_querier_stop(q, &w->target, DNS_T_AAAA);
        }
    }
}

static void push_txt(lua_State *L, const dns_rr *txt)
{
    lua_newtable(L);
    size_t pos = 0, n;
    const uint8_t *s;
    while (dns_txt_next(txt, &pos, &s, &n)) {
        const uint8_t *eq = memchr(s, '=', n);
        if (n == 0 || eq == s)
            continue; /* RFC 6763 §6.4: empty strings and "=value" are ignored */
        if (eq)
            lua_pushlstring(L, (const char *)eq + 1, n - (size_t)(eq - s) - 1);
        else
            lua_pushboolean(L, 1);
        lua_pushlstring(L, (const char *)s, eq ? (size_t)(eq - s) : n);
        lua_insert(L, -2);
        lua_rawset(L, -3);
    }
}

/* Pushes one record's data as a string (see the banner). */
static void push_rr_data(lua_State *L, const dns_rr *rr)
{
    char b[DNS_NAME_STRLEN];
    sim_ip ip;
    if (dns_rr_addr(rr, &ip) == 0) {
        simlua_push_ip(L, &ip);
    } else if (rr->type == DNS_T_PTR || rr->type == DNS_T_CNAME) {
        lua_pushstring(L, dns_name_fmt(&rr->rd.target, b, sizeof b));
    } else if (rr->type == DNS_T_SRV) {
        lua_pushfstring(L, "%d %d %d %s", rr->rd.srv.priority, rr->rd.srv.weight,
                        rr->rd.srv.port, dns_name_fmt(&rr->rd.srv.target, b, sizeof b));
    } else {
        GString *g = g_string_new(NULL);
        dns_rr_fmt(rr, g);
        lua_pushstring(L, g->str);
        g_string_free(g, TRUE);
    }
}

static void push_names(lua_State *L, const GArray *names)
{
    lua_createtable(L, (int)names->len, 0);
    for (guint i = 0; i < names->len; i++) {
        char b[DNS_NAME_STRLEN];
        lua_pushstring(L, dns_name_fmt(&g_array_index(names, dns_name, i), b, sizeof b));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

static int check_browse(lua_State *L, mdns_querier *q, sim_time_t now, mwait *w, bool last)
{
    GArray *names = g_array_new(FALSE, FALSE, sizeof(dns_name));
    size_t n = mdns_sd_browse(q, now, &w->name, names);
    bool done = last || (w->count > 0 && (lua_Integer)n >= w->count);
    if (done)
        push_names(L, names);
    g_array_free(names, TRUE);
    return done;
}

/* Pushes {target=, port=, txt=, addresses=} */
static void push_info(lua_State *L, const mdns_sd_info *info)
{
    char b[DNS_NAME_STRLEN];
    lua_createtable(L, 0, 4);
    lua_pushstring(L, dns_name_fmt(&info->target, b, sizeof b));
    lua_setfield(L, -2, "target");
    simlua_set_int(L, "port", info->port);
    push_txt(L, &info->txt);
    lua_setfield(L, -2, "txt");
    lua_createtable(L, (int)info->addrs->len, 0);
    for (guint i = 0; i < info->addrs->len; i++) {
        simlua_push_ip(L, &g_array_index(info->addrs, sim_ip, i));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "addresses");
}

/* Once the SRV is known, asks the target's addresses too (RFC 6763 §12). */
static int check_resolve(lua_State *L, mdns_app *a, sim_time_t now, mwait *w)
{
    mdns_querier *q = mdns_app_querier(a);
    GArray *srv = g_array_new(FALSE, TRUE, sizeof(dns_rr));
    if (!w->target_asked && mdns_querier_find(q, now, &w->name, DNS_T_SRV, srv)) {
        w->target = g_array_index(srv, dns_rr, 0).rd.srv.target;
        w->target_asked = true;
        mdns_querier_ask(q, now, &w->target, DNS_T_A);
        mdns_querier_ask(q, now, &w->target, DNS_T_AAAA);
        mdns_app_kick(a);
    }
    for (guint i = 0; i < srv->len; i++)
        dns_rr_clear(&g_array_index(srv, dns_rr, i));
    g_array_free(srv, TRUE);
    mdns_sd_info info;
    if (mdns_sd_resolve(q, now, &w->name, &info) != 0)
        return 0;
    push_info(L, &info);
    mdns_sd_info_clear(&info);
    return 1;
}

static int check_lookup(lua_State *L, mdns_querier *q, sim_time_t now, mwait *w)
{
    GArray *rrs = g_array_new(FALSE, TRUE, sizeof(dns_rr));
    size_t n = mdns_querier_find(q, now, &w->name, w->type, rrs);
    if (n) {
        lua_createtable(L, (int)n, 0);
        for (guint i = 0; i < rrs->len; i++) {
            push_rr_data(L, &g_array_index(rrs, dns_rr, i));
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
    }
    for (guint i = 0; i < rrs->len; i++)
        dns_rr_clear(&g_array_index(rrs, dns_rr, i));
    g_array_free(rrs, TRUE);
    return n ? 1 : 0;
}

/* Checks whether w is satisfied; pushes its results and returns their count, or 0. */
static int wait_check(lua_State *L, mdns_app *a, mwait *w, bool last)
{
    sim_time_t now = now_of(L);
    mdns_querier *q = mdns_app_querier(a);
    int nret = 0;
    switch (w->kind) {
    case W_READY:
        if (mdns_responder_ready(mdns_app_responder(a)) || last) {
            lua_pushboolean(L, mdns_responder_ready(mdns_app_responder(a)));
            nret = 1;
        }
        break;
    case W_BROWSE: nret = check_browse(L, q, now, w, last); break;
    case W_RESOLVE: nret = check_resolve(L, a, now, w); break;
    case W_LOOKUP: nret = check_lookup(L, q, now, w); break;
    }
    if (!nret && last) {
        lua_pushnil(L);
        lua_pushliteral(L, "timeout");
        nret = 2;
    }
    return nret;
}

/* The test of a wait (simlua_wait): the mwait is at stack index 1. At its deadline a wait
 * always ends here (with a last check), so simlua_wait's own timeout is never reached. */
static int wait_test(lua_State *L)
{
    mwait *w = lua_touserdata(L, 1);
    mdns_app *a = sim_world_ref_get(simlua_world(L), w->app, MDNS_REF_KIND);
    if (!a || !mdns_app_querier(a)) {
        lua_pushnil(L);
        lua_pushliteral(L, "closed");
        return 2;
    }
    sim_time_t now = now_of(L);
    bool last = now >= w->deadline;
    int n = wait_check(L, a, w, last);
    if (n) {
        stop_questions(mdns_app_querier(a), w);
        return n;
    }
    return 0;
}

/* Sets up the wait userdata at index 1 (the stack is cleared) and runs it. */
static int start_wait(lua_State *L, const mwait *tmpl, sim_time_t timeout)
{
    lua_settop(L, 0);
    mwait *w = lua_newuserdatauv(L, sizeof *w, 0);
    *w = *tmpl;
    w->deadline = simlua_deadline(L, timeout);
    return simlua_wait(L, mlua_cond(L), 1, w->deadline, wait_test, NULL);
}

static sim_time_t opt_timeout(lua_State *L, int idx, const char *const keys[], sim_time_t def)
{
    if (lua_isnoneornil(L, idx))
        return def;
    luaL_checktype(L, idx, LUA_TTABLE);
    simlua_check_options(L, idx, keys);
    return simlua_opt_time(L, idx, "timeout", def);
}

/* r:wait{timeout=} -> true once every name is announced, false at the timeout */
static int r_wait(lua_State *L)
{
    mdns_app *a = check_responder(L, 1);
    sim_time_t t = opt_timeout(L, 2, (const char *const[]){ "timeout", NULL }, 30 * SIM_SEC);
    mwait w = { .kind = W_READY, .app = mdns_app_ref(a) };
    return start_wait(L, &w, t);
}

/* mdns.browse(host, service[, {timeout=, count=}]) */
static int l_browse(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    mwait w = { .kind = W_BROWSE, .type = DNS_T_PTR };
    if (mdns_sd_service_name(luaL_checkstring(L, 2), &w.name) != 0)
        return luaL_argerror(L, 2, "service: \"_name._tcp\" or \"_name._udp\"");
    sim_time_t t = opt_timeout(L, 3, (const char *const[]){ "timeout", "count", NULL },
                               2 * SIM_SEC);
    w.count = lua_istable(L, 3) ? simlua_opt_int(L, 3, "count", 0) : 0;
    mdns_app *a = host_app(L, n);
    w.app = mdns_app_ref(a);
    mdns_querier_ask(mdns_app_querier(a), now_of(L), &w.name, DNS_T_PTR);
    mdns_app_kick(a);
    return start_wait(L, &w, t);
}

/* The instance name at idx: presentation form, except that the first label is taken up to
 * the service type ("My Printer._printer._tcp.local": spaces and dots kept, RFC 6763 §4.3). */
static void check_instance(lua_State *L, int idx, dns_name *out)
{
    const char *s = luaL_checkstring(L, idx);
    const char *svc = NULL;
    for (const char *p = strstr(s, "._"); p; p = strstr(p + 1, "._"))
        svc = svc ? svc : p;
    char *inst = svc ? g_strndup(s, (size_t)(svc - s)) : NULL;
    char *service = svc ? g_strdup(svc + 1) : NULL;
    if (service && g_str_has_suffix(service, ".local."))
        service[strlen(service) - 7] = 0;
    else if (service && g_str_has_suffix(service, ".local"))
        service[strlen(service) - 6] = 0;
    int rc = inst ? mdns_sd_instance_name(inst, service, out) : -EINVAL;
    g_free(inst);
    g_free(service);
    if (rc)
        luaL_argerror(L, idx, "instance: \"<name>._service._tcp.local\"");
}

/* mdns.resolve(host, instance[, {timeout=}]) */
static int l_resolve(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    mwait w = { .kind = W_RESOLVE };
    check_instance(L, 2, &w.name);
    sim_time_t t = opt_timeout(L, 3, (const char *const[]){ "timeout", NULL }, 3 * SIM_SEC);
    mdns_app *a = host_app(L, n);
    w.app = mdns_app_ref(a);
    mdns_querier_ask(mdns_app_querier(a), now_of(L), &w.name, DNS_T_SRV);
    mdns_querier_ask(mdns_app_querier(a), now_of(L), &w.name, DNS_T_TXT);
    mdns_app_kick(a);
    return start_wait(L, &w, t);
}

/* mdns.lookup(host, name, type[, {timeout=}]) */
static int l_lookup(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    mwait w = { .kind = W_LOOKUP };
    if (dns_name_from_str(luaL_checkstring(L, 2), &w.name) != 0)
        return luaL_argerror(L, 2, "not a domain name");
    if (dns_type_from_str(luaL_optstring(L, 3, "A"), &w.type) != 0 || w.type == DNS_T_OPT)
        return luaL_argerror(L, 3, "type: A, AAAA, PTR, SRV, TXT, ANY or TYPEn");
    sim_time_t t = opt_timeout(L, 4, (const char *const[]){ "timeout", NULL }, 3 * SIM_SEC);
    mdns_app *a = host_app(L, n);
    w.app = mdns_app_ref(a);
    mdns_querier_ask(mdns_app_querier(a), now_of(L), &w.name, w.type);
    mdns_app_kick(a);
    return start_wait(L, &w, t);
}


/* ---------------------------------------------------------------- browser */

/* A standing browse: the PTR question stays asked until close; wait() reports the instances
 * that appeared and disappeared since the last call (RFC 6763 §4, RFC 6762 §5.2, §10.1). */
typedef struct mbrowser {
    sim_ref app;
    dns_name service;
    bool open;
    GArray *seen; /* of dns_name: the instances reported so far */
} mbrowser;

static int b_gc(lua_State *L)
{
    mbrowser *b = luaL_checkudata(L, 1, BROWSER_CLASS);
    if (b->seen)
        g_array_free(b->seen, TRUE);
    b->seen = NULL;
    return 0;
}

static mbrowser *check_browser(lua_State *L, int idx)
{
    mbrowser *b = luaL_checkudata(L, idx, BROWSER_CLASS);
    if (!b->open || !sim_world_ref_get(simlua_world(L), b->app, MDNS_REF_KIND))
        luaL_error(L, "mdns browser is closed");
    return b;
}

/* mdns.browser(host, service) -> browser */
static int l_browser(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    dns_name svc;
    if (mdns_sd_service_name(luaL_checkstring(L, 2), &svc) != 0)
        return luaL_argerror(L, 2, "service: \"_name._tcp\" or \"_name._udp\"");
    mdns_app *a = host_app(L, n);
    mbrowser *b = lua_newuserdatauv(L, sizeof *b, 0);
    memset(b, 0, sizeof *b);
    luaL_setmetatable(L, BROWSER_CLASS);
    b->app = mdns_app_ref(a);
    b->service = svc;
    b->seen = g_array_new(FALSE, FALSE, sizeof(dns_name));
    b->open = true;
    mdns_querier_ask(mdns_app_querier(a), now_of(L), &svc, DNS_T_PTR);
    mdns_app_kick(a);
    return 1;
}

static bool name_in(const GArray *names, const dns_name *n)
{
    for (guint i = 0; i < names->len; i++)
        if (dns_name_eq(&g_array_index(names, dns_name, i), n))
            return true;
    return false;
}

/* Pushes the names of `a` missing from `b` as a list; returns how many. */
static int push_missing(lua_State *L, const GArray *a, const GArray *b)
{
    lua_newtable(L);
    int n = 0;
    for (guint i = 0; i < a->len; i++) {
        const dns_name *x = &g_array_index(a, dns_name, i);
        if (name_in(b, x))
            continue;
        char buf[DNS_NAME_STRLEN];
        lua_pushstring(L, dns_name_fmt(x, buf, sizeof buf));
        lua_rawseti(L, -2, ++n);
    }
    return n;
}

/* The test of b:wait (simlua_wait): the browser is at stack index 1. */
static int b_wait_test(lua_State *L)
{
    mbrowser *b = luaL_checkudata(L, 1, BROWSER_CLASS);
    mdns_app *a = sim_world_ref_get(simlua_world(L), b->app, MDNS_REF_KIND);
    if (!b->open || !a || !mdns_app_querier(a)) {
        lua_pushnil(L);
        lua_pushliteral(L, "closed");
        return 2;
    }
    GArray *cur = g_array_new(FALSE, FALSE, sizeof(dns_name));
    mdns_sd_browse(mdns_app_querier(a), now_of(L), &b->service, cur);
    int added = push_missing(L, cur, b->seen);
    int removed = push_missing(L, b->seen, cur);
    if (added || removed) {
        g_array_free(b->seen, TRUE);
        b->seen = cur;
        return 2;
    }
    g_array_free(cur, TRUE);
    lua_pop(L, 2);
    return 0;
}

/* b:wait{timeout=} -> added, removed (lists of instance names) | nil, "timeout" */
static int b_wait(lua_State *L)
{
    check_browser(L, 1);
    sim_time_t t = opt_timeout(L, 2, (const char *const[]){ "timeout", NULL }, SIM_TIME_NEVER);
    return simlua_wait(L, mlua_cond(L), 1, simlua_deadline(L, t), b_wait_test, NULL);
}

/* b:instances() -> the instances now in the cache, sorted */
static int b_instances(lua_State *L)
{
    mbrowser *b = check_browser(L, 1);
    mdns_app *a = sim_world_ref_get(simlua_world(L), b->app, MDNS_REF_KIND);
    GArray *cur = g_array_new(FALSE, FALSE, sizeof(dns_name));
    mdns_sd_browse(mdns_app_querier(a), now_of(L), &b->service, cur);
    GArray *none = g_array_new(FALSE, FALSE, sizeof(dns_name));
    push_missing(L, cur, none);
    g_array_free(none, TRUE);
    g_array_free(cur, TRUE);
    return 1;
}

static int b_close(lua_State *L)
{
    mbrowser *b = luaL_checkudata(L, 1, BROWSER_CLASS);
    mdns_app *a = sim_world_ref_get(simlua_world(L), b->app, MDNS_REF_KIND);
    if (b->open && a && mdns_app_querier(a))
        mdns_querier_stop(mdns_app_querier(a), &b->service, DNS_T_PTR);
    b->open = false;
    simlua_cond_signal(mlua_cond(L));
    return 0;
}

static int b_tostring(lua_State *L)
{
    mbrowser *b = luaL_checkudata(L, 1, BROWSER_CLASS);
    char buf[DNS_NAME_STRLEN];
    lua_pushfstring(L, "<mdns browser %s%s, %d seen>", dns_name_fmt(&b->service, buf, sizeof buf),
                    b->open ? "" : " (closed)", b->seen ? (int)b->seen->len : 0);
    return 1;
}

static const luaL_Reg browser_methods[] = {
    { "wait", b_wait }, { "instances", b_instances }, { "close", b_close }, { NULL, NULL },
};
static const luaL_Reg browser_meta[] = { { "__tostring", b_tostring }, { "__gc", b_gc },
                                         { NULL, NULL } };

static const luaL_Reg responder_methods[] = {
    { "publish", r_publish }, { "unpublish", r_unpublish }, { "hostname", r_hostname },
    { "services", r_services }, { "wait", r_wait }, { "stats", r_stats },
    { "close", r_close }, { NULL, NULL },
};
static const luaL_Reg responder_meta[] = { { "__tostring", r_tostring }, { NULL, NULL } };

static const luaL_Reg module_funcs[] = {
    { "responder", l_responder }, { "browse", l_browse }, { "browser", l_browser },
    { "resolve", l_resolve },
    { "lookup", l_lookup }, { NULL, NULL },
};

int mdns_lua_open(lua_State *L)
{
    simlua_new_class(L, RESPONDER_CLASS, responder_methods, responder_meta);
    simlua_new_class(L, BROWSER_CLASS, browser_methods, browser_meta);
    mlua_get(L);
    luaL_newlib(L, module_funcs);
    return 1;
}
