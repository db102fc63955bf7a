/* protocols/turn/turn_lua.c — module `turn` for scenarios:
 *
 *   local S = turn.server(hostS, {realm = "example.org", users = {alice = "pw"},
 *                                 relay_ip = "18.181.0.31", port = 3478, quota = 10,
 *                                 ports = {49152, 65535}, nonce_lifetime = "1h",
 *                                 software = "natsim", fingerprint = true, tcp = false})
 *   local a = turn.allocate(hostA, "18.181.0.31:3478", {user = "alice", password = "pw",
 *                           timeout = "10s", lifetime = "10min", pad = false,
 *                           transport = "udp" | "tcp"})
 *                                 -> alloc | nil, "401 Unauthorized" | nil, "timeout"
 *                                  | nil, "tcp: Connection refused"
 *   a:relayed(), a:mapped()       -> "ip:port"
 *   a:permit(ip)                  -> true | nil, err    (CreatePermission, kept refreshed)
 *   a:bind("ip:port")             -> channel number | nil, err  (ChannelBind, kept refreshed)
 *   a:send("ip:port", data)       -> true | nil, err    (ChannelData if bound, else Send)
 *   a:recv([timeout])             -> data, "ip:port", channel | nil, "timeout"
 *   a:refresh(), a:close()        -> true | nil, err
 *   a:stats(), S:stats(), S:print(), S:allocations()
 *
 * Blocking calls run in tasks and wait on one condition shared by the module's apps: every
 * time an app's core did something, waiters re-check their predicate (as relay_lua.c). A
 * request's outcome is found in the app's event list, after the index where the wait began. */
#include "protocols/turn/turn.h"

#include <errno.h>
#include <string.h>
#include "sim/lua/simlua.h"

#define TURN_SERVER_CLASS "natsim.TurnServer"
#define TURN_ALLOC_CLASS "natsim.TurnAllocation"
#define TURN_STATE_KEY "natsim.turn"

static void unhook(void *a) { turn_app_on_notify(a, NULL, NULL); }

/* The module's state in L: its condition and the apps that signal it. */
static simlua_apps *tlua_get(lua_State *L)
{
    return simlua_module_state(L, TURN_STATE_KEY, TURN_REF_KIND, unhook);
}

static void notify(turn_app *a, void *ctx) { simlua_cond_signal(ctx); }

static void adopt(lua_State *L, turn_app *a, const char *cls)
{
    simlua_apps *m = tlua_get(L);
    simlua_apps_track(m, turn_app_ref(a));
    turn_app_on_notify(a, notify, simlua_apps_cond(m));
    simlua_push_handle(L, cls, turn_app_ref(a));
}

static turn_app *check_app(lua_State *L, int idx, const char *cls)
{
    return simlua_check_handle(L, idx, cls, TURN_REF_KIND);
}

static turn_client *check_alloc(lua_State *L, int idx)
{
    return turn_app_client_core(check_app(L, idx, TURN_ALLOC_CLASS));
}

/* ---------------------------------------------------------------- server */

static const char *const server_keys[] = { "realm", "users", "relay_ip", "port", "quota",
                                           "ports", "nonce_lifetime", "lifetime",
                                           "max_lifetime", "software", "fingerprint", "tcp",
                                           NULL };

static void opt_ports(lua_State *L, turn_server_cfg *cfg)
{
    if (lua_getfield(L, 2, "ports") != LUA_TNIL) {
        lua_geti(L, -1, 1);
        lua_geti(L, -2, 2);
        lua_Integer lo = lua_tointeger(L, -2), hi = lua_tointeger(L, -1);
        if (!lua_istable(L, -3) || lo < 1 || hi > 65535 || lo > hi)
            luaL_argerror(L, 2, "option 'ports': {first, last} with 1 <= first <= last <= 65535");
        cfg->port_min = (uint16_t)lo;
        cfg->port_max = (uint16_t)hi;
        lua_pop(L, 2);
    }
    lua_pop(L, 1);
}

/* Walks users = {name = "password", ...}: checks every entry (s NULL) or adds them (order does
 * not matter: the server keeps a hash of names). Checked before the server exists, so a bad
 * entry leaves no half-made server holding its port. */
static void opt_users(lua_State *L, turn_server *s)
{
    if (lua_getfield(L, 2, "users") == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    if (!lua_istable(L, -1))
        luaL_argerror(L, 2, "option 'users': a table {name = \"password\"}");
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        size_t n = 0;
        if (lua_type(L, -2) == LUA_TSTRING)
            lua_tolstring(L, -2, &n);
        if (n < 1 || n > STUN_USERNAME_MAX || lua_type(L, -1) != LUA_TSTRING)
            luaL_argerror(L, 2, "option 'users': names (1..513 bytes) and passwords are strings");
        if (s)
            turn_server_add_user(s, lua_tostring(L, -2), lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

/* turn.server(host, {options}) -> server */
static int l_server(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    if (lua_isnoneornil(L, 2))
        lua_newtable(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    simlua_check_options(L, 2, server_keys);
    turn_server_cfg cfg = { .realm = simlua_opt_str(L, 2, "realm", "natsim"),
                            .software = simlua_opt_str(L, 2, "software", NULL),
                            .fingerprint = simlua_opt_bool(L, 2, "fingerprint", true),
                            .nonce_lifetime = simlua_opt_time(L, 2, "nonce_lifetime", 0),
                            .default_lifetime = simlua_opt_time(L, 2, "lifetime", 0),
                            .max_lifetime = simlua_opt_time(L, 2, "max_lifetime", 0) };
    lua_Integer port = simlua_opt_int(L, 2, "port", 3478);
    lua_Integer quota = simlua_opt_int(L, 2, "quota", 10);
    if (port < 1 || port > 65535)
        return luaL_argerror(L, 2, "option 'port': 1..65535");
    if (quota < 1 || quota > 1000000)
        return luaL_argerror(L, 2, "option 'quota': 1..1000000");
    cfg.listen.port = (uint16_t)port;
    cfg.quota = (unsigned)quota;
    const char *relay_ip = simlua_opt_str(L, 2, "relay_ip", NULL);
    if (relay_ip && sim_ip_parse(relay_ip, &cfg.relay_ip) != 0)
        return luaL_argerror(L, 2, "option 'relay_ip': an IP address");
    opt_ports(L, &cfg);
    opt_users(L, NULL);
    bool tcp = simlua_opt_bool(L, 2, "tcp", false);
    GError *err = NULL;
    turn_app *a = turn_app_server(n, &cfg, &err);
    if (!a)
        return simlua_raise_gerror_msg(L, err);
    if (tcp && turn_app_server_listen_tcp(a, &err) != 0) {
        turn_app_free(a);
        return simlua_raise_gerror_msg(L, err);
    }
    opt_users(L, turn_app_server_core(a));
    adopt(L, a, TURN_SERVER_CLASS);
    return 1;
}

static int server_stats(lua_State *L)
{
    turn_server *s = turn_app_server_core(check_app(L, 1, TURN_SERVER_CLASS));
    const turn_server_stats *st = turn_server_get_stats(s);
    lua_createtable(L, 0, 12);
    simlua_set_int(L, "requests", (lua_Integer)st->requests);
    simlua_set_int(L, "success", (lua_Integer)st->success);
    simlua_set_int(L, "errors", (lua_Integer)st->errors);
    simlua_set_int(L, "bad", (lua_Integer)st->bad);
    simlua_set_int(L, "ignored", (lua_Integer)st->ignored);
    simlua_set_int(L, "allocations", (lua_Integer)st->allocations);
    simlua_set_int(L, "expired", (lua_Integer)st->expired);
    simlua_set_int(L, "relayed_to_peer", (lua_Integer)st->relayed_to_peer);
    simlua_set_int(L, "relayed_to_client", (lua_Integer)st->relayed_to_client);
    simlua_set_int(L, "no_permission", (lua_Integer)st->no_permission);
    simlua_set_int(L, "no_channel", (lua_Integer)st->no_channel);
    simlua_set_int(L, "active", (lua_Integer)turn_server_n_allocations(s));
    simlua_set_int(L, "tcp_open", (lua_Integer)turn_app_tcp_open(check_app(L, 1, TURN_SERVER_CLASS)));
    return 1;
}

static int server_allocations(lua_State *L)
{
    turn_server *s = turn_app_server_core(check_app(L, 1, TURN_SERVER_CLASS));
    lua_pushinteger(L, (lua_Integer)turn_server_n_allocations(s));
    return 1;
}

static int server_print(lua_State *L)
{
    turn_server *s = turn_app_server_core(check_app(L, 1, TURN_SERVER_CLASS));
    g_autoptr(GString) str = g_string_new(NULL);
    turn_server_fmt(s, sim_world_now(simlua_world(L)), str);
    lua_getglobal(L, "print");
    lua_pushlstring(L, str->str, str->len ? str->len - 1 : 0);
    lua_call(L, 1, 0);
    return 0;
}

static int server_endpoint(lua_State *L)
{
    sim_ep ep = turn_server_listen(turn_app_server_core(check_app(L, 1, TURN_SERVER_CLASS)));
    simlua_push_ep(L, &ep);
    return 1;
}

static int server_close(lua_State *L)
{
    turn_app_free(simlua_handle_get(L, 1, TURN_SERVER_CLASS, TURN_REF_KIND));
    return 0;
}

static int server_tostring(lua_State *L)
{
    turn_app *a = simlua_handle_get(L, 1, TURN_SERVER_CLASS, TURN_REF_KIND);
    if (!a || !turn_app_server_core(a)) {
        lua_pushliteral(L, "<turn server (closed)>");
        return 1;
    }
    char b[SIM_EP_STRLEN];
    sim_ep ep = turn_server_listen(turn_app_server_core(a));
    lua_pushfstring(L, "<turn server %s on %s, %d allocations>", sim_ep_fmt(&ep, b, sizeof b),
                    turn_app_node(a)->name,
                    (int)turn_server_n_allocations(turn_app_server_core(a)));
    return 1;
}

static const luaL_Reg server_methods[] = {
    { "stats", server_stats },     { "allocations", server_allocations },
    { "print", server_print },     { "endpoint", server_endpoint },
    { "close", server_close },     { NULL, NULL },
};
static const luaL_Reg server_meta[] = { { "__tostring", server_tostring }, { NULL, NULL } };

/* ---------------------------------------------------------------- blocking waits */

/* A wait keeps [1] handle, [2] key (string or nil), [3] first event index to look at. Its
 * test (simlua_wait) pushes the results and returns their count when done, else 0. */

/* The allocation a wait is for; a Lua error if its handle went stale meanwhile. */
static turn_app *wait_app(lua_State *L) { return check_app(L, 1, TURN_ALLOC_CLASS); }

/* Normalises the stack to [handle, key, event index] and starts waiting. */
static int wait_start(lua_State *L, int key_idx, sim_time_t timeout, size_t first,
                      lua_CFunction test)
{
    sim_time_t deadline = simlua_deadline(L, timeout);
    if (key_idx)
        lua_pushvalue(L, key_idx);
    else
        lua_pushnil(L);
    lua_pushinteger(L, (lua_Integer)first);
    lua_rotate(L, 2, 2);
    return simlua_wait(L, simlua_apps_cond(tlua_get(L)), 3, deadline, test, NULL);
}

static size_t n_events(turn_app *a)
{
    size_t n;
    turn_app_events(a, &n);
    return n;
}

/* "401 Unauthorized", or "timeout" for code 0. */
static void push_error(lua_State *L, uint16_t code)
{
    lua_pushnil(L);
    if (code)
        lua_pushfstring(L, "%d %s", (int)code, turn_reason(code));
    else
        lua_pushliteral(L, "timeout");
}

/* Finds the first event since [3] of kind ok or bad whose endpoint matches the key ([2]: the
 * formatted "ip" for permissions, "ip:port" for channels, nil for the allocation). */
static const turn_event *find_event(lua_State *L, turn_app *a, turn_event_kind ok,
                                    turn_event_kind bad)
{
    size_t n;
    const turn_event *ev = turn_app_events(a, &n);
    const char *key = lua_tostring(L, 2);
    for (size_t i = (size_t)lua_tointeger(L, 3); i < n; i++) {
        if (ev[i].kind != ok && ev[i].kind != bad)
            continue;
        char e[SIM_EP_STRLEN], ip[SIM_IP_STRLEN];
        if (key && strcmp(key, sim_ep_fmt(&ev[i].ep, e, sizeof e)) != 0 &&
            strcmp(key, sim_ip_fmt(&ev[i].ep.ip, ip, sizeof ip)) != 0)
            continue;
        return &ev[i];
    }
    return NULL;
}

/* ---------------------------------------------------------------- allocation */

static const char *const alloc_keys[] = { "user", "password", "timeout", "lifetime", "pad",
                                          "transport", NULL };

static int pred_allocate(lua_State *L)
{
    turn_app *a = wait_app(L);
    const turn_event *ev = find_event(L, a, TURN_EV_ALLOCATED, TURN_EV_ALLOCATE_FAILED);
    if (!ev)
        return 0;
    if (ev->kind == TURN_EV_ALLOCATED) {
        lua_settop(L, 1);
        return 1;
    }
    uint16_t code = ev->code;
    const char *tcp = turn_app_tcp_error(a); /* static */
    turn_app_free(a); /* a failed allocation is of no further use */
    push_error(L, code);
    if (!code && tcp) {
        lua_pop(L, 1);
        lua_pushfstring(L, "tcp: %s", tcp);
    }
    return 2;
}

/* turn.allocate(host, "ip:port", {user=, password=, timeout=, lifetime=, pad=})
 *   -> allocation | nil, err   (blocks the task until the server answered) */
static int l_allocate(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    turn_client_cfg cfg = { 0 };
    int used = simlua_check_ep(L, 2, &cfg.server);
    int opt = 2 + used;
    luaL_checktype(L, opt, LUA_TTABLE);
    simlua_check_options(L, opt, alloc_keys);
    cfg.username = simlua_opt_str(L, opt, "user", NULL);
    cfg.password = simlua_opt_str(L, opt, "password", NULL);
    if (!cfg.username || !cfg.password)
        return luaL_argerror(L, opt, "options 'user' and 'password' are required");
    cfg.lifetime = simlua_opt_time(L, opt, "lifetime", 0);
    cfg.pad_chandata = simlua_opt_bool(L, opt, "pad", false);
    cfg.stun.fingerprint = true;
    sim_time_t timeout = simlua_opt_time(L, opt, "timeout", 60 * SIM_SEC);
    const char *transport = simlua_opt_str(L, opt, "transport", "udp");
    bool tcp = strcmp(transport, "tcp") == 0;
    if (!tcp && strcmp(transport, "udp") != 0)
        return luaL_argerror(L, opt, lua_pushfstring(L, "option 'transport': \"udp\" or "
                                                        "\"tcp\", not '%s'", transport));
    if (tcp && lua_getfield(L, opt, "pad") == LUA_TBOOLEAN && !lua_toboolean(L, -1))
        return luaL_argerror(L, opt, "option 'pad': ChannelData over TCP is always padded "
                                     "(RFC 8656 §12.5)");
    GError *err = NULL;
    turn_app *a = tcp ? turn_app_client_tcp(n, &cfg, &err) : turn_app_client(n, &cfg, &err);
    if (!a)
        return simlua_raise_gerror_msg(L, err);
    lua_settop(L, 0);
    adopt(L, a, TURN_ALLOC_CLASS);
    turn_client_allocate(turn_app_client_core(a), sim_world_now(simlua_world(L)));
    turn_app_kick(a);
    return wait_start(L, 0, timeout, 0, pred_allocate);
}

static int alloc_relayed(lua_State *L)
{
    sim_ep relayed, mapped;
    if (turn_client_relayed(check_alloc(L, 1), &relayed, &mapped) != 0) {
        lua_pushnil(L);
        return 1;
    }
    simlua_push_ep(L, lua_toboolean(L, lua_upvalueindex(1)) ? &mapped : &relayed);
    return 1;
}

/* Pushes `true` or (nil, err) for the request whose outcome is ok / bad. */
static int request_outcome(lua_State *L, turn_app *a, turn_event_kind ok, turn_event_kind bad)
{
    const turn_event *ev = find_event(L, a, ok, bad);
    if (!ev)
        return 0;
    if (ev->kind == bad) {
        push_error(L, ev->code);
        return 2;
    }
    if (ok == TURN_EV_BOUND)
        lua_pushinteger(L, ev->channel);
    else
        lua_pushboolean(L, 1);
    return 1;
}

static int pred_permit(lua_State *L)
{
    return request_outcome(L, wait_app(L), TURN_EV_PERMITTED, TURN_EV_PERMIT_FAILED);
}

static int pred_bind(lua_State *L)
{
    return request_outcome(L, wait_app(L), TURN_EV_BOUND, TURN_EV_BIND_FAILED);
}

static int pred_refresh(lua_State *L)
{
    return request_outcome(L, wait_app(L), TURN_EV_REFRESHED, TURN_EV_REFRESH_FAILED);
}

static int pred_close(lua_State *L)
{
    turn_app *a = wait_app(L);
    int n = request_outcome(L, a, TURN_EV_CLOSED, TURN_EV_REFRESH_FAILED);
    if (n)
        turn_app_free(a);
    return n;
}

/* Maps a core's refusal to a Lua result (nil, reason). */
static int refused(lua_State *L, int rc)
{
    lua_pushnil(L);
    lua_pushstring(L, rc == -ENOTCONN ? "not allocated" : g_strerror(-rc));
    return 2;
}

/* a:permit(ip[, timeout]) -> true | nil, err */
static int alloc_permit(lua_State *L)
{
    turn_app *a = check_app(L, 1, TURN_ALLOC_CLASS);
    sim_ip ip = simlua_check_ip(L, 2);
    sim_time_t timeout = simlua_opt_time_arg(L, 3, 60 * SIM_SEC);
    size_t first = n_events(a);
    int rc = turn_client_permit(turn_app_client_core(a), sim_world_now(simlua_world(L)), &ip);
    turn_app_kick(a);
    if (rc)
        return refused(L, rc);
    char b[SIM_IP_STRLEN];
    lua_pushstring(L, sim_ip_fmt(&ip, b, sizeof b));
    return wait_start(L, lua_gettop(L), timeout, first, pred_permit);
}

/* a:bind("ip:port"[, timeout]) -> channel | nil, err */
static int alloc_bind(lua_State *L)
{
    turn_app *a = check_app(L, 1, TURN_ALLOC_CLASS);
    sim_ep peer;
    int used = simlua_check_ep(L, 2, &peer);
    sim_time_t timeout = simlua_opt_time_arg(L, 2 + used, 60 * SIM_SEC);
    size_t first = n_events(a);
    int rc = turn_client_bind(turn_app_client_core(a), sim_world_now(simlua_world(L)), &peer,
                              NULL);
    turn_app_kick(a);
    if (rc)
        return refused(L, rc);
    char b[SIM_EP_STRLEN];
    lua_pushstring(L, sim_ep_fmt(&peer, b, sizeof b));
    return wait_start(L, lua_gettop(L), timeout, first, pred_bind);
}

/* a:refresh() / a:close() -> true | nil, err */
static int alloc_refresh_or_close(lua_State *L, bool close)
{
    turn_app *a = check_app(L, 1, TURN_ALLOC_CLASS);
    turn_client *c = turn_app_client_core(a);
    size_t first = n_events(a);
    sim_time_t now = sim_world_now(simlua_world(L));
    int rc = close ? turn_client_close(c, now) : turn_client_refresh(c, now);
    turn_app_kick(a);
    if (rc)
        return refused(L, rc);
    return wait_start(L, 0, 60 * SIM_SEC, first, close ? pred_close : pred_refresh);
}

static int alloc_refresh(lua_State *L) { return alloc_refresh_or_close(L, false); }
static int alloc_close(lua_State *L) { return alloc_refresh_or_close(L, true); }

/* a:send("ip:port", data) -> true | nil, err */
static int alloc_send(lua_State *L)
{
    turn_app *a = check_app(L, 1, TURN_ALLOC_CLASS);
    sim_ep peer;
    int used = simlua_check_ep(L, 2, &peer);
    size_t len;
    const char *data = luaL_checklstring(L, 2 + used, &len);
    int rc = turn_client_send(turn_app_client_core(a), sim_world_now(simlua_world(L)), &peer,
                              (const uint8_t *)data, len);
    turn_app_kick(a);
    if (rc)
        return refused(L, rc);
    lua_pushboolean(L, 1);
    return 1;
}

static int pred_recv(lua_State *L)
{
    turn_app *a = wait_app(L);
    turn_rx rx;
    if (!turn_client_pop_rx(turn_app_client_core(a), &rx))
        return 0;
    lua_pushlstring(L, (const char *)rx.data, rx.len);
    simlua_push_ep(L, &rx.peer);
    lua_pushinteger(L, rx.channel);
    return 3;
}

/* a:recv([timeout]) -> data, "ip:port", channel (0: Data indication) | nil, "timeout" */
static int alloc_recv(lua_State *L)
{
    turn_app *a = check_app(L, 1, TURN_ALLOC_CLASS);
    return wait_start(L, 0, simlua_opt_time_arg(L, 2, SIM_TIME_NEVER), n_events(a), pred_recv);
}

static int alloc_stats(lua_State *L)
{
    const turn_client_stats *st = turn_client_get_stats(check_alloc(L, 1));
    lua_createtable(L, 0, 10);
    simlua_set_int(L, "requests", (lua_Integer)st->requests);
    simlua_set_int(L, "auth_retries", (lua_Integer)st->auth_retries);
    simlua_set_int(L, "stale_nonces", (lua_Integer)st->stale_nonces);
    simlua_set_int(L, "errors", (lua_Integer)st->errors);
    simlua_set_int(L, "bad", (lua_Integer)st->bad);
    simlua_set_int(L, "sends", (lua_Integer)st->sends);
    simlua_set_int(L, "chandata_sent", (lua_Integer)st->chandata_sent);
    simlua_set_int(L, "data_rcvd", (lua_Integer)st->data_rcvd);
    simlua_set_int(L, "chandata_rcvd", (lua_Integer)st->chandata_rcvd);
    return 1;
}

static int alloc_tostring(lua_State *L)
{
    turn_app *a = simlua_handle_get(L, 1, TURN_ALLOC_CLASS, TURN_REF_KIND);
    turn_client *c = a ? turn_app_client_core(a) : NULL;
    sim_ep relayed;
    if (!c || turn_client_relayed(c, &relayed, NULL) != 0) {
        lua_pushfstring(L, "<turn allocation (%s)>",
                        c ? turn_client_state_name(turn_client_get_state(c)) : "closed");
        return 1;
    }
    char b[SIM_EP_STRLEN];
    lua_pushfstring(L, "<turn allocation %s for %s>", sim_ep_fmt(&relayed, b, sizeof b),
                    turn_app_node(a)->name);
    return 1;
}

static const luaL_Reg alloc_methods[] = {
    { "permit", alloc_permit }, { "bind", alloc_bind },   { "send", alloc_send },
    { "recv", alloc_recv },     { "refresh", alloc_refresh }, { "close", alloc_close },
    { "stats", alloc_stats },   { NULL, NULL },
};
static const luaL_Reg alloc_meta[] = { { "__tostring", alloc_tostring }, { NULL, NULL } };

static const luaL_Reg module_funcs[] = {
    { "server", l_server },
    { "allocate", l_allocate },
    { NULL, NULL },
};

int turn_lua_open(lua_State *L)
{
    simlua_new_class(L, TURN_SERVER_CLASS, server_methods, server_meta);
    simlua_new_class(L, TURN_ALLOC_CLASS, alloc_methods, alloc_meta);
    /* relayed / mapped share one function, told apart by an upvalue */
    luaL_getmetatable(L, TURN_ALLOC_CLASS);
    lua_getfield(L, -1, "__index");
    lua_pushboolean(L, 0);
    lua_pushcclosure(L, alloc_relayed, 1);
    lua_setfield(L, -2, "relayed");
    lua_pushboolean(L, 1);
    lua_pushcclosure(L, alloc_relayed, 1);
    lua_setfield(L, -2, "mapped");
    lua_pop(L, 2);
    tlua_get(L);
    luaL_newlib(L, module_funcs);
    return 1;
}
