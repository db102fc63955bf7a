/* protocols/relay/relay_lua.c — module `relay` for scenarios:
 *
 *   local S = relay.rendezvous(hostS, {port=5000})   -- hole-punching rendezvous server
 *   local P = relay.relay(hostP, {port=5001})        -- relay server
 *   local R = relay.reversal(hostR, {port=5002})     -- connection-reversal server
 *   local a = relay.client(hostA, {server="18.181.0.31:5000", name="A", port=4321,
 *                                  keepalive="15s"})
 *   a:register()                 -> public endpoint, or nil, "timeout"|"failed"
 *   a:punch("B", {timeout="5s"}) -> ok, info   (info.ep, info.via, info.time ...)
 *   b:wait_punch("A", timeout)   -> ok, info   (the side S told about A)
 *   a:send_to_peer(data[, peer]); b:recv(timeout) -> data, from, ep | nil, "timeout"
 *   a:relay_send("B", data);     b:recv_relayed(timeout) -> data, from | nil, "timeout"
 *   b:reverse("A", {timeout=})   -> ok, info   (connection reversal, public side)
 *   a:stats(), S:stats(), S:registrations()
 *
 * Blocking calls wait on one condition shared by all relay apps of the Lua state: every time
 * any app's core has done something, waiters re-check their own predicate. Spurious wake-ups
 * cost a few comparisons; in exchange no per-handle state has to outlive collected handles. */
#include "protocols/relay/relay.h"

#include <errno.h>
#include <string.h>
#include "sim/lua/simlua.h"

#define RELAY_SERVER_CLASS "natsim.RelayServer"
#define RELAY_CLIENT_CLASS "natsim.RelayClient"
#define RELAY_STATE_KEY "natsim.relay"

static void unhook(void *a) { relay_app_on_notify(a, NULL, NULL); }

/* The module's state in L: its condition and the apps that signal it. */
static simlua_apps *rlua_get(lua_State *L)
{
    return simlua_module_state(L, RELAY_STATE_KEY, RELAY_REF_KIND, unhook);
}

static void notify(relay_app *a, void *ctx) { simlua_cond_signal(ctx); }

static void adopt(lua_State *L, relay_app *a, const char *cls)
{
    simlua_apps *m = rlua_get(L);
    simlua_apps_track(m, relay_app_ref(a));
    relay_app_on_notify(a, notify, simlua_apps_cond(m));
    simlua_push_handle(L, cls, relay_app_ref(a));
}

static relay_app *check_app(lua_State *L, int idx, const char *cls)
{
    return simlua_check_handle(L, idx, cls, RELAY_REF_KIND);
}

static relay_client *check_client(lua_State *L, int idx)
{
    return relay_app_client_core(check_app(L, idx, RELAY_CLIENT_CLASS));
}

static const char *check_name(lua_State *L, int idx)
{
    size_t n;
    const char *s = luaL_checklstring(L, idx, &n);
    if (n < 1 || n > RELAY_NAME_MAX || strspn(s, "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLM"
                                                  "NOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwx"
                                                  "yz{|}~") != n)
        luaL_argerror(L, idx, "peer name: 1..32 printable characters without spaces");
    return s;
}

/* ---------------------------------------------------------------- servers */

static const char *const server_keys[] = { "port", "lifetime", NULL };

static int server_new(lua_State *L, unsigned roles)
{
    sim_node *n = simlua_check_node(L, 1);
    simlua_check_options(L, 2, server_keys);
    uint16_t port = simlua_opt_port(L, 2, "port", 0, 0);
    relay_server_cfg cfg = { .roles = roles, .lifetime = simlua_opt_time(L, 2, "lifetime", 0) };
    GError *err = NULL;
    relay_app *a = relay_app_server(n, port, &cfg, &err);
    if (!a)
        return simlua_raise_gerror_msg(L, err);
    adopt(L, a, RELAY_SERVER_CLASS);
    return 1;
}

static int l_rendezvous(lua_State *L) { return server_new(L, RELAY_ROLE_RENDEZVOUS); }
static int l_relay(lua_State *L) { return server_new(L, RELAY_ROLE_RELAY); }
static int l_reversal(lua_State *L) { return server_new(L, RELAY_ROLE_REVERSAL); }

static int server_stats(lua_State *L)
{
    relay_app *a = check_app(L, 1, RELAY_SERVER_CLASS);
    const relay_server_stats *st = relay_server_get_stats(relay_app_server_core(a));
    lua_createtable(L, 0, 12);
    simlua_set_int(L, "msgs_in", (lua_Integer)st->msgs_in);
    simlua_set_int(L, "msgs_out", (lua_Integer)st->msgs_out);
    simlua_set_int(L, "bad", (lua_Integer)st->bad);
    simlua_set_int(L, "registers", (lua_Integer)st->registers);
    simlua_set_int(L, "connects", (lua_Integer)st->connects);
    simlua_set_int(L, "reverses", (lua_Integer)st->reverses);
    simlua_set_int(L, "errors", (lua_Integer)st->errors);
    simlua_set_int(L, "relayed_msgs", (lua_Integer)st->relayed_msgs);
    simlua_set_int(L, "relayed_bytes", (lua_Integer)st->relayed_bytes);
    simlua_set_int(L, "bytes_in", (lua_Integer)st->bytes_in);
    simlua_set_int(L, "bytes_out", (lua_Integer)st->bytes_out);
    simlua_set_int(L, "registered", (lua_Integer)relay_server_count(relay_app_server_core(a)));
    return 1;
}

/* S:lookup(name) -> public, private | nil */
static int server_lookup(lua_State *L)
{
    relay_app *a = check_app(L, 1, RELAY_SERVER_CLASS);
    sim_ep pub, priv;
    if (!relay_server_lookup(relay_app_server_core(a), check_name(L, 2), &pub, &priv)) {
        lua_pushnil(L);
        return 1;
    }
    simlua_push_ep(L, &pub);
    simlua_push_ep(L, &priv);
    return 2;
}

static int server_print(lua_State *L)
{
    relay_app *a = check_app(L, 1, RELAY_SERVER_CLASS);
    g_autoptr(GString) s = g_string_new(NULL);
    relay_server_fmt(relay_app_server_core(a), sim_world_now(simlua_world(L)), s);
    lua_getglobal(L, "print");
    lua_pushlstring(L, s->str, s->len ? s->len - 1 : 0); /* print adds the newline */
    lua_call(L, 1, 0);
    return 0;
}

static int app_endpoint(lua_State *L)
{
    relay_app *a = simlua_check_handle(L, 1, luaL_testudata(L, 1, RELAY_SERVER_CLASS)
                                                 ? RELAY_SERVER_CLASS : RELAY_CLIENT_CLASS,
                                       RELAY_REF_KIND);
    sim_ep ep = relay_app_local(a);
    if (sim_ip_is_any(&ep.ip)) {
        sim_ip ip = sim_node_first_addr(relay_app_node(a), SIM_AF_INET);
        if (ip.family)
            ep.ip = ip;
    }
    simlua_push_ep(L, &ep);
    return 1;
}

static int app_close(lua_State *L)
{
    const char *cls = luaL_testudata(L, 1, RELAY_SERVER_CLASS) ? RELAY_SERVER_CLASS
                                                               : RELAY_CLIENT_CLASS;
    relay_app_free(simlua_handle_get(L, 1, cls, RELAY_REF_KIND));
    return 0;
}

static int server_tostring(lua_State *L)
{
    relay_app *a = simlua_handle_get(L, 1, RELAY_SERVER_CLASS, RELAY_REF_KIND);
    if (!a || !relay_app_server_core(a)) {
        lua_pushliteral(L, "<relay server (closed)>");
        return 1;
    }
    sim_ep ep = relay_app_local(a);
    lua_pushfstring(L, "<relay server on %s port %d, %d registered>", relay_app_node(a)->name,
                    (int)ep.port, (int)relay_server_count(relay_app_server_core(a)));
    return 1;
}

static const luaL_Reg server_methods[] = {
    { "stats", server_stats },     { "lookup", server_lookup }, { "print", server_print },
    { "endpoint", app_endpoint },  { "close", app_close },      { NULL, NULL },
};
static const luaL_Reg server_meta[] = { { "__tostring", server_tostring }, { NULL, NULL } };

/* ---------------------------------------------------------------- client construction */

static const char *const client_keys[] = { "server", "name", "port", "keepalive", "rto",
                                           "tries", "punch_interval", "punch_timeout",
                                           "accept", NULL };

static int l_client(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    simlua_check_options(L, 2, client_keys);
    relay_client_cfg cfg = { 0 };
    const char *server = simlua_opt_str(L, 2, "server", NULL);
    if (!server || sim_ep_parse(server, &cfg.server) != 0)
        return luaL_argerror(L, 2, "option 'server': \"ip:port\" of the server is required");
    cfg.name = simlua_opt_str(L, 2, "name", n->name);
    uint16_t port = simlua_opt_port(L, 2, "port", 0, 0);
    cfg.keepalive = simlua_opt_time(L, 2, "keepalive", 0);
    cfg.rto = simlua_opt_time(L, 2, "rto", 0);
    cfg.max_tries = (unsigned)CLAMP(simlua_opt_int(L, 2, "tries", 0), 0, 100);
    cfg.punch_interval = simlua_opt_time(L, 2, "punch_interval", 0);
    cfg.punch_timeout = simlua_opt_time(L, 2, "punch_timeout", 0);
    cfg.accept = simlua_opt_bool(L, 2, "accept", true);
    GError *err = NULL;
    relay_app *a = relay_app_client(n, port, &cfg, &err);
    if (!a)
        return simlua_raise_gerror_msg(L, err);
    adopt(L, a, RELAY_CLIENT_CLASS);
    return 1;
}

/* ---------------------------------------------------------------- blocking waits */

/* A wait keeps its state in stack slots [1] handle, [2] key (peer name or nil); its test
 * (simlua_wait) pushes the results and returns their count when the wait is over, else 0. */

/* The client a wait is for; a Lua error if its handle went stale meanwhile. */
static relay_app *wait_app(lua_State *L) { return check_app(L, 1, RELAY_CLIENT_CLASS); }

/* Normalises the stack to [handle, key] and starts waiting. */
static int wait_start(lua_State *L, int key_idx, sim_time_t timeout, lua_CFunction test)
{
    sim_time_t deadline = simlua_deadline(L, timeout);
    if (key_idx)
        lua_pushvalue(L, key_idx);
    else
        lua_pushnil(L);
    lua_rotate(L, 2, 1);
    return simlua_wait(L, simlua_apps_cond(rlua_get(L)), 2, deadline, test, NULL);
}

/* ---- register ---- */

static int pred_register(lua_State *L)
{
    relay_app *a = wait_app(L);
    sim_ep pub;
    switch (relay_client_reg_state(relay_app_client_core(a), &pub)) {
    case RELAY_REG_OK: simlua_push_ep(L, &pub); return 1;
    case RELAY_REG_FAILED: lua_pushnil(L); lua_pushliteral(L, "failed"); return 2;
    default: return 0;
    }
}

/* c:register([timeout]) -> public ep | nil, "timeout"|"failed" */
static int client_register(lua_State *L)
{
    relay_app *a = check_app(L, 1, RELAY_CLIENT_CLASS);
    sim_time_t timeout = simlua_opt_time_arg(L, 2, 10 * SIM_SEC);
    relay_client_register(relay_app_client_core(a), sim_world_now(simlua_world(L)));
    relay_app_kick(a);
    return wait_start(L, 0, timeout, pred_register);
}

/* c:public() -> the public endpoint the server reported, or nil */
static int client_public(lua_State *L)
{
    sim_ep pub;
    if (relay_client_reg_state(check_client(L, 1), &pub) != RELAY_REG_OK)
        lua_pushnil(L);
    else
        simlua_push_ep(L, &pub);
    return 1;
}

/* ---- sessions: punch, wait_punch, reverse ---- */

static void push_session(lua_State *L, const relay_session *x)
{
    lua_createtable(L, 0, 10);
    lua_pushstring(L, x->peer);
    lua_setfield(L, -2, "peer");
    lua_pushstring(L, relay_punch_state_name(x->state));
    lua_setfield(L, -2, "state");
    if (x->state == RELAY_PUNCH_OK) {
        simlua_push_ep(L, &x->path);
        lua_setfield(L, -2, "ep");
    }
    lua_pushstring(L, relay_via_name(x->via));
    lua_setfield(L, -2, "via");
    if (x->pub.ip.family) {
        simlua_push_ep(L, &x->pub);
        lua_setfield(L, -2, "public");
    }
    if (x->priv.ip.family) {
        simlua_push_ep(L, &x->priv);
        lua_setfield(L, -2, "private");
    }
    if (x->done_at) {
        lua_pushnumber(L, sim_time_sec(x->done_at - x->started));
        lua_setfield(L, -2, "time");
    }
    simlua_set_int(L, "punches_sent", x->punches_sent);
    simlua_set_int(L, "punches_rcvd", x->punches_rcvd);
    simlua_set_int(L, "acks_rcvd", x->acks_rcvd);
    lua_createtable(L, (int)x->targets->len, 0);
    for (guint i = 0; i < x->targets->len; i++) {
        simlua_push_ep(L, &g_array_index(x->targets, sim_ep, i));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "targets");
}

/* Done when the session with the peer at [2] has succeeded or failed. */
static int pred_session(lua_State *L)
{
    relay_app *a = wait_app(L);
    const relay_session *x = relay_client_session(relay_app_client_core(a), lua_tostring(L, 2));
    if (!x || (x->state != RELAY_PUNCH_OK && x->state != RELAY_PUNCH_FAILED))
        return 0;
    lua_pushboolean(L, x->state == RELAY_PUNCH_OK);
    push_session(L, x);
    return 2;
}

static sim_time_t session_timeout(lua_State *L, int idx)
{
    simlua_check_options(L, idx, (const char *const[]){ "timeout", NULL });
    return simlua_opt_time(L, idx, "timeout", 0);
}

/* c:punch(peer, {timeout=}) -> ok, info */
static int client_punch(lua_State *L)
{
    relay_app *a = check_app(L, 1, RELAY_CLIENT_CLASS);
    check_name(L, 2);
    sim_time_t timeout = session_timeout(L, 3);
    relay_client_punch(relay_app_client_core(a), sim_world_now(simlua_world(L)),
                       lua_tostring(L, 2), timeout);
    relay_app_kick(a);
    return wait_start(L, 2, SIM_TIME_NEVER, pred_session); /* the core always finishes */
}

/* c:reverse(peer, {timeout=}) -> ok, info */
static int client_reverse(lua_State *L)
{
    relay_app *a = check_app(L, 1, RELAY_CLIENT_CLASS);
    check_name(L, 2);
    sim_time_t timeout = session_timeout(L, 3);
    relay_client_reverse(relay_app_client_core(a), sim_world_now(simlua_world(L)),
                         lua_tostring(L, 2), timeout);
    relay_app_kick(a);
    return wait_start(L, 2, SIM_TIME_NEVER, pred_session);
}

/* c:wait_punch(peer[, timeout]) -> ok, info | nil, "timeout" */
static int client_wait_punch(lua_State *L)
{
    check_client(L, 1);
    check_name(L, 2);
    return wait_start(L, 2, simlua_opt_time_arg(L, 3, SIM_TIME_NEVER), pred_session);
}

/* c:session(peer) -> info | nil (never blocks) */
static int client_session(lua_State *L)
{
    const relay_session *x = relay_client_session(check_client(L, 1), check_name(L, 2));
    if (!x)
        lua_pushnil(L);
    else
        push_session(L, x);
    return 1;
}

/* ---- data ---- */

/* c:send_to_peer(data[, peer]) -> true | nil, err */
static int client_send_to_peer(lua_State *L)
{
    relay_app *a = check_app(L, 1, RELAY_CLIENT_CLASS);
    size_t len;
    const char *data = luaL_checklstring(L, 2, &len);
    const char *peer = lua_isnoneornil(L, 3) ? NULL : check_name(L, 3);
    int rc = relay_client_send_peer(relay_app_client_core(a), sim_world_now(simlua_world(L)),
                                    peer, data, len);
    relay_app_kick(a);
    if (rc) {
        lua_pushnil(L);
        lua_pushstring(L, rc == -ENOTCONN ? "no punched path" : g_strerror(-rc));
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* c:relay_send(peer, data) -> true | nil, err */
static int client_relay_send(lua_State *L)
{
    relay_app *a = check_app(L, 1, RELAY_CLIENT_CLASS);
    const char *peer = check_name(L, 2);
    size_t len;
    const char *data = luaL_checklstring(L, 3, &len);
    int rc = relay_client_relay_send(relay_app_client_core(a), sim_world_now(simlua_world(L)),
                                     peer, data, len);
    relay_app_kick(a);
    if (rc) {
        lua_pushnil(L);
        lua_pushstring(L, g_strerror(-rc));
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}

static int pred_rx(lua_State *L, bool relayed)
{
    relay_app *a = wait_app(L);
    relay_rx rx;
    if (!relay_client_pop_rx(relay_app_client_core(a), relayed, &rx))
        return 0;
    lua_pushlstring(L, (const char *)rx.data, rx.len);
    lua_pushstring(L, rx.from);
    simlua_push_ep(L, &rx.ep);
    return 3;
}

static int pred_data(lua_State *L) { return pred_rx(L, false); }
static int pred_relayed(lua_State *L) { return pred_rx(L, true); }

/* c:recv([timeout]) -> data, from, ep | nil, "timeout" (DATA over a punched path) */
static int client_recv(lua_State *L)
{
    check_client(L, 1);
    return wait_start(L, 0, simlua_opt_time_arg(L, 2, SIM_TIME_NEVER), pred_data);
}

/* c:recv_relayed([timeout]) -> data, from, relay ep | nil, "timeout" */
static int client_recv_relayed(lua_State *L)
{
    check_client(L, 1);
    return wait_start(L, 0, simlua_opt_time_arg(L, 2, SIM_TIME_NEVER), pred_relayed);
}

/* ---- introspection ---- */

static int client_stats(lua_State *L)
{
    const relay_client_stats *st = relay_client_get_stats(check_client(L, 1));
    lua_createtable(L, 0, 16);
    simlua_set_int(L, "msgs_in", (lua_Integer)st->msgs_in);
    simlua_set_int(L, "msgs_out", (lua_Integer)st->msgs_out);
    simlua_set_int(L, "bad", (lua_Integer)st->bad);
    simlua_set_int(L, "registers_sent", (lua_Integer)st->registers_sent);
    simlua_set_int(L, "keepalives_sent", (lua_Integer)st->keepalives_sent);
    simlua_set_int(L, "punches_sent", (lua_Integer)st->punches_sent);
    simlua_set_int(L, "punches_rcvd", (lua_Integer)st->punches_rcvd);
    simlua_set_int(L, "acks_sent", (lua_Integer)st->acks_sent);
    simlua_set_int(L, "acks_rcvd", (lua_Integer)st->acks_rcvd);
    simlua_set_int(L, "data_sent", (lua_Integer)st->data_sent);
    simlua_set_int(L, "data_rcvd", (lua_Integer)st->data_rcvd);
    simlua_set_int(L, "relay_sent", (lua_Integer)st->relay_sent);
    simlua_set_int(L, "relayed_rcvd", (lua_Integer)st->relayed_rcvd);
    simlua_set_int(L, "bytes_in", (lua_Integer)st->bytes_in);
    simlua_set_int(L, "bytes_out", (lua_Integer)st->bytes_out);
    return 1;
}

static int client_last_error(lua_State *L)
{
    lua_pushinteger(L, relay_client_last_error(check_client(L, 1)));
    return 1;
}

static int client_tostring(lua_State *L)
{
    relay_app *a = simlua_handle_get(L, 1, RELAY_CLIENT_CLASS, RELAY_REF_KIND);
    if (!a || !relay_app_client_core(a)) {
        lua_pushliteral(L, "<relay client (closed)>");
        return 1;
    }
    relay_client *c = relay_app_client_core(a);
    sim_ep pub;
    char b[SIM_EP_STRLEN] = "not registered";
    if (relay_client_reg_state(c, &pub) == RELAY_REG_OK)
        sim_ep_fmt(&pub, b, sizeof b);
    lua_pushfstring(L, "<relay client %s on %s, public %s>", relay_client_name(c),
                    relay_app_node(a)->name, b);
    return 1;
}

static const luaL_Reg client_methods[] = {
    { "register", client_register },
    { "public", client_public },
    { "punch", client_punch },
    { "wait_punch", client_wait_punch },
    { "reverse", client_reverse },
    { "session", client_session },
    { "send_to_peer", client_send_to_peer },
    { "recv", client_recv },
    { "relay_send", client_relay_send },
    { "recv_relayed", client_recv_relayed },
    { "stats", client_stats },
    { "last_error", client_last_error },
    { "endpoint", app_endpoint },
    { "close", app_close },
    { NULL, NULL },
};
static const luaL_Reg client_meta[] = { { "__tostring", client_tostring }, { NULL, NULL } };

static const luaL_Reg module_funcs[] = {
    { "rendezvous", l_rendezvous },
    { "relay", l_relay },
    { "reversal", l_reversal },
    { "client", l_client },
    { NULL, NULL },
};

int relay_lua_open(lua_State *L)
{
    simlua_new_class(L, RELAY_SERVER_CLASS, server_methods, server_meta);
    simlua_new_class(L, RELAY_CLIENT_CLASS, client_methods, client_meta);
    rlua_get(L);
    luaL_newlib(L, module_funcs);
    return 1;
}
