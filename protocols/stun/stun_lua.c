/* protocols/stun/stun_lua.c — module `stun` for scenarios:
 *
 *   local S = stun.server(hostS, {ip="203.0.113.10", alt_ip="203.0.113.11",
 *                                 port=3478, alt_port=3479, software="natsim", tcp=true})
 *   S:stats(), S:endpoints(), S:close(), tostring(S)
 *   stun.binding(hostA, "203.0.113.10:3478", {port=5000, timeout="5s", transport="udp"|"tcp"})
 *       -> mapped "ip:port", info {from=, rtt=, transmissions=, local=, transport=}
 *        | nil, "timeout" | "error 420 Unknown Attribute" | "tcp: connection refused"
 *   stun.discover(hostA, "203.0.113.10:3478", {port=5000, hairpin=true})
 *       -> {nat=, mapping="EIM"|"ADM"|"APDM", filtering="EIF"|"ADF"|"APDF", mapped=, other=,
 *           hairpin=true|false|nil, transactions=, time=} | nil, reason
 *
 * binding and discover block the calling task until their core has finished (a client app on
 * its own socket, closed afterwards). They wait on one condition shared by all STUN apps of the
 * Lua state; every app signals it after each step and each waiter re-checks its own app. */
#include "protocols/stun/stun.h"

#include <errno.h>
#include <string.h>
#include "sim/lua/simlua.h"

#define STUN_SERVER_CLASS "natsim.StunServer"
#define STUN_STATE_KEY "natsim.stun"

static void unhook(void *a) { stun_app_on_notify(a, NULL, NULL); }

/* The module's state in L: its condition and the apps that signal it. */
static simlua_apps *slua_get(lua_State *L)
{
    return simlua_module_state(L, STUN_STATE_KEY, STUN_REF_KIND, unhook);
}

static void notify(stun_app *a, void *ctx) { simlua_cond_signal(ctx); }

/* Registers app a with the state. */
static void adopt(lua_State *L, stun_app *a)
{
    simlua_apps *m = slua_get(L);
    simlua_apps_track(m, stun_app_ref(a));
    stun_app_on_notify(a, notify, simlua_apps_cond(m));
}

static void set_ep(lua_State *L, const char *k, const sim_ep *ep)
{
    simlua_push_ep(L, ep);
    lua_setfield(L, -2, k);
}

/* Makes argument idx an option table: an absent or nil one becomes empty (arguments after it
 * are dropped), anything else but a table is an error naming the argument. */
static void opt_table(lua_State *L, int idx)
{
    if (lua_isnoneornil(L, idx)) {
        lua_settop(L, idx - 1);
        lua_newtable(L);
    }
    luaL_checktype(L, idx, LUA_TTABLE);
}

static sim_ip opt_ip(lua_State *L, int idx, const char *key, sim_ip def)
{
    const char *s = simlua_opt_str(L, idx, key, NULL);
    sim_ip ip;
    if (!s)
        return def;
    if (sim_ip_parse(s, &ip) != 0)
        luaL_argerror(L, idx, lua_pushfstring(L, "option '%s': '%s' is not an IP address",
                                              key, s));
    return ip;
}

/* ---------------------------------------------------------------- server */

static const char *const server_keys[] = { "ip", "alt_ip", "port", "alt_port", "software",
                                           "fingerprint", "tcp", NULL };

/* stun.server(host, {ip=, alt_ip=, port=3478, alt_port=port+1, software=, fingerprint=true}) */
static int l_server(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    opt_table(L, 2);
    simlua_check_options(L, 2, server_keys);
    stun_server_cfg cfg = { 0 };
    cfg.primary.ip = opt_ip(L, 2, "ip", sim_node_first_addr(n, SIM_AF_INET));
    if (!cfg.primary.ip.family)
        return luaL_argerror(L, 1, "the host has no IPv4 address (give option 'ip')");
    cfg.primary.port = simlua_opt_port(L, 2, "port", 3478, 1);
    cfg.alt_ip = opt_ip(L, 2, "alt_ip", (sim_ip){ 0 });
    cfg.alt_port = cfg.alt_ip.family
                       ? simlua_opt_port(L, 2, "alt_port", cfg.primary.port + 1, 1) : 0;
    if (!cfg.alt_ip.family && lua_getfield(L, 2, "alt_port") != LUA_TNIL)
        return luaL_argerror(L, 2, "option 'alt_port' needs option 'alt_ip'");
    lua_pop(L, 1);
    cfg.software = simlua_opt_str(L, 2, "software", NULL);
    cfg.fingerprint = simlua_opt_bool(L, 2, "fingerprint", true);
    bool tcp = simlua_opt_bool(L, 2, "tcp", false);
    GError *err = NULL;
    stun_app *a = stun_app_server(n, &cfg, &err);
    if (!a)
        simlua_raise_gerror(L, err);
    if (tcp && stun_app_server_listen_tcp(a, &err) != 0) {
        stun_app_free(a);
        simlua_raise_gerror(L, err);
    }
    adopt(L, a);
    simlua_push_handle(L, STUN_SERVER_CLASS, stun_app_ref(a));
    return 1;
}

static stun_server *check_server(lua_State *L, int idx)
{
    return stun_app_server_core(simlua_check_handle(L, idx, STUN_SERVER_CLASS, STUN_REF_KIND));
}

static int server_stats(lua_State *L)
{
    stun_app *a = simlua_check_handle(L, 1, STUN_SERVER_CLASS, STUN_REF_KIND);
    const stun_server_stats *st = stun_server_get_stats(check_server(L, 1));
    const stun_app_tcp_stats *tcp = stun_app_get_tcp_stats(a);
    lua_createtable(L, 0, 8);
    simlua_set_int(L, "tcp_connections", (lua_Integer)tcp->accepted);
    simlua_set_int(L, "tcp_open", (lua_Integer)tcp->open);
    simlua_set_int(L, "tcp_garbage", (lua_Integer)tcp->garbage);
    simlua_set_int(L, "requests", (lua_Integer)st->requests);
    simlua_set_int(L, "success", (lua_Integer)st->success);
    simlua_set_int(L, "errors", (lua_Integer)st->errors);
    simlua_set_int(L, "ignored", (lua_Integer)st->ignored);
    simlua_set_int(L, "bad", (lua_Integer)st->bad);
    return 1;
}

/* S:endpoints() -> {"A1:P1"[, "A1:P2", "A2:P1", "A2:P2"]} */
static int server_endpoints(lua_State *L)
{
    stun_server *s = check_server(L, 1);
    size_t n = stun_server_n_local(s);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        sim_ep ep = stun_server_local(s, i);
        simlua_push_ep(L, &ep);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int server_close(lua_State *L)
{
    stun_app_free(simlua_handle_get(L, 1, STUN_SERVER_CLASS, STUN_REF_KIND));
    return 0;
}

static int server_tostring(lua_State *L)
{
    stun_app *a = simlua_handle_get(L, 1, STUN_SERVER_CLASS, STUN_REF_KIND);
    if (!a || !stun_app_server_core(a)) {
        lua_pushliteral(L, "<stun server (closed)>");
        return 1;
    }
    stun_server *s = stun_app_server_core(a);
    char p[SIM_EP_STRLEN], o[SIM_EP_STRLEN] = "";
    sim_ep ep = stun_server_local(s, 0);
    sim_ep_fmt(&ep, p, sizeof p);
    if (stun_server_n_local(s) == 4) {
        ep = stun_server_local(s, 3);
        sim_ep_fmt(&ep, o, sizeof o);
    }
    lua_pushfstring(L, "<stun server on %s %s%s%s, %d requests>", stun_app_node(a)->name, p,
                    *o ? ", RFC 5780 other address " : "", o,
                    (int)stun_server_get_stats(s)->requests);
    return 1;
}

static const luaL_Reg server_methods[] = {
    { "stats", server_stats },
    { "endpoints", server_endpoints },
    { "close", server_close },
    { NULL, NULL },
};
static const luaL_Reg server_meta[] = { { "__tostring", server_tostring }, { NULL, NULL } };

/* ---------------------------------------------------------------- blocking clients */

/* A wait keeps its state in stack slots [1] app ref id, [2] ref generation, [3] transaction
 * id (binding). A predicate pushes its results and returns their count when the app's work is
 * over (the app is then freed), or 0 to keep waiting. */
typedef int (*wait_pred)(lua_State *L, stun_app *a);

/* The app a wait is for, or NULL once it is gone. */
static stun_app *wait_app(lua_State *L)
{
    sim_ref ref = { (uint32_t)lua_tointeger(L, 1), (uint32_t)lua_tointeger(L, 2) };
    return sim_world_ref_get(simlua_world(L), ref, STUN_REF_KIND);
}

/* simlua_wait's test around pred: "stopped" when the app went away; frees it when done. */
static int wait_test(lua_State *L, wait_pred pred)
{
    stun_app *a = wait_app(L);
    if (!a) {
        lua_pushnil(L);
        lua_pushliteral(L, "stopped");
        return 2;
    }
    int n = pred(L, a);
    if (n)
        stun_app_free(a);
    return n;
}

/* At the deadline the app is of no further use. */
static int wait_expire(lua_State *L)
{
    stun_app_free(wait_app(L));
    return 0;
}

/* Replaces the stack with the wait state for app a and starts waiting. */
static int wait_start(lua_State *L, stun_app *a, sim_time_t timeout, unsigned txid,
                      lua_CFunction test)
{
    sim_time_t deadline = simlua_deadline(L, timeout);
    sim_ref ref = stun_app_ref(a);
    lua_settop(L, 0);
    lua_pushinteger(L, ref.id);
    lua_pushinteger(L, ref.gen);
    lua_pushinteger(L, txid);
    return simlua_wait(L, simlua_apps_cond(slua_get(L)), 3, deadline, test, wait_expire);
}

/* The server argument at idx ("ip:port", or ip, port); returns the index after it. */
static int check_server_ep(lua_State *L, int idx, sim_ep *ep)
{
    int used = simlua_check_ep(L, idx, ep);
    if (ep->port == 0)
        luaL_argerror(L, idx, "the server's port must not be 0");
    return idx + used;
}

static void client_cfg(lua_State *L, int idx, stun_client_cfg *cfg)
{
    cfg->rto = simlua_opt_time(L, idx, "rto", 0);
    lua_Integer rc = simlua_opt_int(L, idx, "rc", 0);
    if (rc < 0 || rc > 20)
        luaL_argerror(L, idx, "option 'rc': 0..20 transmissions (0: the RFC's 7)");
    cfg->rc = (unsigned)rc;
    cfg->software = simlua_opt_str(L, idx, "software", NULL);
    cfg->fingerprint = simlua_opt_bool(L, idx, "fingerprint", true);
}

/* The client's transport name, for info.transport. */
static const char *client_transport(stun_app *a)
{
    return stun_app_get_tcp_stats(a)->accepted ? "tcp" : "udp";
}

/* Done when the transaction [3] has finished. */
static int pred_binding(lua_State *L, stun_app *a)
{
    const stun_tx *t = stun_client_tx(stun_app_client_core(a), (unsigned)lua_tointeger(L, 3));
    if (!t || t->state == STUN_TX_RUNNING)
        return 0;
    sim_ep mapped;
    if (t->state == STUN_TX_SUCCESS && stun_binding_mapped(t->resp, t->resp_len, &mapped) == 0) {
        simlua_push_ep(L, &mapped);
        lua_createtable(L, 0, 4);
        set_ep(L, "from", &t->from);
        sim_ep local = stun_app_local(a);
        set_ep(L, "local", &local);
        lua_pushnumber(L, sim_time_sec(t->done_at - t->started));
        lua_setfield(L, -2, "rtt");
        simlua_set_int(L, "transmissions", t->sent);
        lua_pushstring(L, client_transport(a));
        lua_setfield(L, -2, "transport");
        return 2;
    }
    lua_pushnil(L);
    if (t->state == STUN_TX_CLOSED)
        lua_pushfstring(L, "tcp: %s", stun_app_tcp_error(a) ? stun_app_tcp_error(a) : "closed");
    else if (t->state == STUN_TX_ERROR)
        lua_pushfstring(L, "error %d %s", (int)t->code, stun_reason(t->code));
    else if (t->state == STUN_TX_SUCCESS)
        lua_pushliteral(L, "no mapped address in the response");
    else
        lua_pushstring(L, stun_tx_state_name(t->state));
    return 2;
}

static int test_binding(lua_State *L) { return wait_test(L, pred_binding); }

static const char *const binding_keys[] = { "port", "timeout", "rto", "rc", "ti", "software",
                                            "fingerprint", "change_ip", "change_port",
                                            "transport", NULL };

/* Option 'transport': "udp" (default) or "tcp"; returns true for TCP. */
static bool opt_tcp(lua_State *L, int idx)
{
    const char *t = simlua_opt_str(L, idx, "transport", "udp");
    if (strcmp(t, "udp") != 0 && strcmp(t, "tcp") != 0)
        luaL_argerror(L, idx, lua_pushfstring(L, "option 'transport': \"udp\" or \"tcp\", not "
                                                 "'%s'", t));
    return t[0] == 't';
}

/* stun.binding(host, server[, opts]) -> mapped, info | nil, reason */
static int l_binding(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    sim_ep server;
    int o = check_server_ep(L, 2, &server);
    opt_table(L, o);
    simlua_check_options(L, o, binding_keys);
    uint16_t port = simlua_opt_port(L, o, "port", 0, 0);
    sim_time_t timeout = simlua_opt_time(L, o, "timeout", SIM_TIME_NEVER);
    uint32_t change = (simlua_opt_bool(L, o, "change_ip", false) ? STUN_CHANGE_IP : 0) |
                      (simlua_opt_bool(L, o, "change_port", false) ? STUN_CHANGE_PORT : 0);
    stun_client_cfg cfg = { 0 };
    client_cfg(L, o, &cfg);
    cfg.ti = simlua_opt_time(L, o, "ti", 0);
    bool tcp = opt_tcp(L, o);
    if (!tcp && cfg.ti)
        return luaL_argerror(L, o, "option 'ti' needs transport \"tcp\" (over UDP: 'rto', 'rc')");
    if (tcp && change)
        return luaL_argerror(L, o, "options 'change_ip'/'change_port' need transport \"udp\" "
                                   "(a TCP answer cannot come from another address)");
    GError *err = NULL;
    stun_app *a = tcp ? stun_app_client_tcp(n, port, &server, &cfg, &err)
                      : stun_app_client(n, server.ip.family, port, &cfg, &err);
    if (!a)
        simlua_raise_gerror(L, err);
    adopt(L, a);
    unsigned id = 0;
    if (stun_app_binding(a, &server, change, &id) != 0) {
        stun_app_free(a);
        return luaL_error(L, "cannot build the Binding request");
    }
    return wait_start(L, a, timeout, id, test_binding);
}

static void push_result(lua_State *L, const stun_discovery_result *r)
{
    lua_createtable(L, 0, 10);
    lua_pushboolean(L, r->nat);
    lua_setfield(L, -2, "nat");
    lua_pushstring(L, stun_mapping_name(r->mapping));
    lua_setfield(L, -2, "mapping");
    lua_pushstring(L, stun_filtering_name(r->filtering));
    lua_setfield(L, -2, "filtering");
    set_ep(L, "mapped", &r->mapped);
    set_ep(L, "other", &r->other);
    if (r->mapped2.ip.family)
        set_ep(L, "mapped2", &r->mapped2);
    if (r->mapped3.ip.family)
        set_ep(L, "mapped3", &r->mapped3);
    if (r->hairpin >= 0) {
        lua_pushboolean(L, r->hairpin);
        lua_setfield(L, -2, "hairpin");
    }
    simlua_set_int(L, "transactions", r->transactions);
    lua_pushnumber(L, sim_time_sec(r->done_at - r->started));
    lua_setfield(L, -2, "time");
}

static int pred_discover(lua_State *L, stun_app *a)
{
    const stun_discovery_result *r = stun_discovery_get_result(stun_app_discovery_core(a));
    if (r->state == STUN_DISC_DONE) {
        push_result(L, r);
        return 1;
    }
    if (r->state != STUN_DISC_FAILED)
        return 0;
    lua_pushnil(L);
    if (r->code)
        lua_pushfstring(L, "%s (%d %s)", r->error, (int)r->code, stun_reason(r->code));
    else
        lua_pushstring(L, r->error);
    return 2;
}

static int test_discover(lua_State *L) { return wait_test(L, pred_discover); }

static const char *const discover_keys[] = { "port", "timeout", "rto", "rc", "software",
                                             "fingerprint", "hairpin", NULL };

/* stun.discover(host, server[, opts]) -> result | nil, reason */
static int l_discover(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    stun_discovery_cfg cfg = { 0 };
    int o = check_server_ep(L, 2, &cfg.server);
    opt_table(L, o);
    simlua_check_options(L, o, discover_keys);
    uint16_t port = simlua_opt_port(L, o, "port", 0, 0);
    sim_time_t timeout = simlua_opt_time(L, o, "timeout", SIM_TIME_NEVER);
    bool hairpin = simlua_opt_bool(L, o, "hairpin", false);
    client_cfg(L, o, &cfg.client);
    GError *err = NULL;
    stun_app *a = stun_app_discovery(n, port, hairpin, &cfg, &err);
    if (!a)
        simlua_raise_gerror(L, err);
    adopt(L, a);
    return wait_start(L, a, timeout, 0, test_discover);
}

static const luaL_Reg module_funcs[] = {
    { "server", l_server },
    { "binding", l_binding },
    { "discover", l_discover },
    { NULL, NULL },
};

int stun_lua_open(lua_State *L)
{
    simlua_new_class(L, STUN_SERVER_CLASS, server_methods, server_meta);
    slua_get(L);
    luaL_newlib(L, module_funcs);
    return 1;
}
