/* protocols/ice/ice_lua.c — module `ice` for scenarios:
 *
 *   local a = ice.agent(host, {controlling = true, components = 1, stun = "ip:port",
 *                              turn = "ip:port", user = "alice", password = "pw",
 *                              ta = "50ms", nominate_delay = "500ms", consent = true})
 *   a:credentials()                   -> ufrag, pwd
 *   a:gather([timeout])               -> {"candidate:...", ...} when gathering ended
 *   a:connect(ufrag, pwd, lines [, timeout])
 *                                     -> {local = "srflx", remote = "host", ms = 70.0,
 *                                         component = 1, laddr =, raddr =,
 *                                         components = {[1] = {...}, [2] = {...}}}
 *                                        | nil, "failed" | nil, "timeout"
 *                                        (component 1 at the top, every component by id in
 *                                         `components`, each with the same fields)
 *   a:send(data [, component])        -> true | nil, err   (on the selected pair)
 *   a:recv([timeout])                 -> data, component | nil, "timeout"
 *   a:wait_consent_lost([timeout])    -> true | nil, "timeout"
 *   a:pairs()                         -> the checklist: {{local = "host", remote = "srflx",
 *                                         laddr =, raddr =, state = "failed", valid =,
 *                                         nominated =, selected =, component =, priority =}, ...}
 *   a:stats(), a:close()
 *
 * Blocking calls run in tasks and wait on one condition shared by every agent of the module:
 * each callback from an agent signals it and the waiters re-check their predicate. The
 * signalling channel between two agents is the scenario itself (pass credentials and lines). */
#include "protocols/ice/ice.h"

#include <errno.h>
#include <string.h>
#include "sim/lua/simlua.h"

#define ICE_CLASS "natsim.IceAgent"
#define ICE_STATE_KEY "natsim.ice"
#define ICE_REF_KIND 0x494345 /* "ICE" */

typedef struct rx_item {
    unsigned comp;
    GBytes *data;
} rx_item;

/* What the Lua side keeps per agent; world-owned (freed with the world), found by ref. */
typedef struct lapp {
    sim_world *world;
    ice_app *app;            /* NULL once closed */
    sim_ref ref;
    simlua_cond *cond;       /* the module's (NULL once the Lua state is gone) */
    unsigned comps;
    GPtrArray *lines;        /* gathered candidates as `candidate:` lines */
    bool gathered, failed, consent_lost;
    ice_event selected[ICE_COMPONENTS_MAX + 1];
    GQueue rx;               /* of rx_item * */
} lapp;

static void signal_cond(lapp *l)
{
    if (l->cond)
        simlua_cond_signal(l->cond);
}

/* When the Lua state closes, its agents stop signalling the condition. */
static void lapp_unhook(void *obj) { ((lapp *)obj)->cond = NULL; }

static simlua_apps *ice_state(lua_State *L)
{
    return simlua_module_state(L, ICE_STATE_KEY, ICE_REF_KIND, lapp_unhook);
}

/* ---------------------------------------------------------------- callbacks from the driver */

static void on_cand(ice_app *a, const ice_cand *c, void *ctx)
{
    (void)a;
    lapp *l = ctx;
    char line[ICE_CAND_STRLEN];
    if (!c)
        l->gathered = true;
    else if (ice_cand_encode(c, line, sizeof line) == 0)
        g_ptr_array_add(l->lines, g_strdup(line));
    signal_cond(l);
}

static void on_event(ice_app *a, const ice_event *ev, void *ctx)
{
    (void)a;
    lapp *l = ctx;
    if (ev->kind == ICE_EV_SELECTED && ev->component <= ICE_COMPONENTS_MAX)
        l->selected[ev->component] = *ev;
    l->failed |= ev->kind == ICE_EV_FAILED;
    l->consent_lost |= ev->kind == ICE_EV_CONSENT_LOST;
    if (ev->kind != ICE_EV_PAIR_STATE)
        signal_cond(l);
}

static void on_data(ice_app *a, unsigned comp, const uint8_t *d, size_t len, void *ctx)
{
    (void)a;
    lapp *l = ctx;
    rx_item *it = g_new(rx_item, 1);
    it->comp = comp;
    it->data = g_bytes_new(d, len);
    g_queue_push_tail(&l->rx, it);
    signal_cond(l);
}

static void rx_item_free(void *p)
{
    rx_item *it = p;
    g_bytes_unref(it->data);
    g_free(it);
}

static void lapp_world_free(void *data)
{
    lapp *l = data;
    g_ptr_array_free(l->lines, TRUE);
    g_queue_clear_full(&l->rx, rx_item_free);
    g_free(l); /* the ice_app has its own world hook */
}

static lapp *check_lapp(lua_State *L, int idx)
{
    lapp *l = simlua_check_handle(L, idx, ICE_CLASS, ICE_REF_KIND);
    if (!l->app)
        luaL_error(L, "%s is closed", ICE_CLASS);
    return l;
}

/* ---------------------------------------------------------------- ice.agent */

static const char *const agent_keys[] = { "controlling", "components", "stun", "turn", "user",
                                          "password", "ta", "nominate_delay", "consent", NULL };

static void opt_ep(lua_State *L, int idx, const char *key, sim_ep *ep)
{
    const char *s = simlua_opt_str(L, idx, key, NULL);
    if (s && (sim_ep_parse(s, ep) != 0 || !ep->port))
        luaL_argerror(L, idx, lua_pushfstring(L, "option '%s': \"ip:port\"", key));
}

/* ice.agent(host, {options}) -> agent */
static int l_agent(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    if (lua_isnoneornil(L, 2))
        lua_newtable(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    simlua_check_options(L, 2, agent_keys);
    ice_app_cfg cfg = { .agent = { .controlling = simlua_opt_bool(L, 2, "controlling", false),
                                   .ta = simlua_opt_time(L, 2, "ta", 0),
                                   .nominate_delay = simlua_opt_time(L, 2, "nominate_delay", 0),
                                   .no_consent = !simlua_opt_bool(L, 2, "consent", true) } };
    lua_Integer comps = simlua_opt_int(L, 2, "components", 1);
    if (comps < 1 || comps > ICE_COMPONENTS_MAX)
        return luaL_argerror(L, 2, "option 'components': 1..8");
    cfg.agent.components = (unsigned)comps;
    opt_ep(L, 2, "stun", &cfg.stun);
    opt_ep(L, 2, "turn", &cfg.turn);
    cfg.turn_user = simlua_opt_str(L, 2, "user", NULL);
    cfg.turn_pass = simlua_opt_str(L, 2, "password", NULL);
    if (cfg.turn.port && (!cfg.turn_user || !cfg.turn_pass))
        return luaL_argerror(L, 2, "option 'turn' needs 'user' and 'password'");
    GError *err = NULL;
    ice_app *a = ice_app_new(n, &cfg, &err);
    if (!a)
        return simlua_raise_gerror_msg(L, err);
    simlua_apps *t = ice_state(L);
    lapp *l = g_new0(lapp, 1);
    l->world = simlua_world(L);
    l->app = a;
    l->cond = simlua_apps_cond(t);
    l->comps = cfg.agent.components;
    l->lines = g_ptr_array_new_with_free_func(g_free);
    g_queue_init(&l->rx);
    l->ref = sim_world_ref_new(l->world, l, ICE_REF_KIND);
    sim_world_on_free(l->world, lapp_world_free, l);
    simlua_apps_track(t, l->ref);
    ice_app_on_cand(a, on_cand, l);
    ice_app_on_event(a, on_event, l);
    ice_app_on_data(a, on_data, l);
    simlua_push_handle(L, ICE_CLASS, l->ref);
    return 1;
}

/* ---------------------------------------------------------------- blocking waits */

/* A wait keeps [1] handle; a test (simlua_wait) pushes its results and returns their count
 * when done, else 0. */

/* Waits until test passes; the timeout is argument idx (default def). */
static int wait_start(lua_State *L, int idx, sim_time_t def, lua_CFunction test)
{
    sim_time_t deadline = simlua_deadline(L, simlua_opt_time_arg(L, idx, def));
    return simlua_wait(L, simlua_apps_cond(ice_state(L)), 1, deadline, test, NULL);
}

static int pred_gathered(lua_State *L)
{
    lapp *l = check_lapp(L, 1);
    if (!l->gathered)
        return 0;
    lua_createtable(L, (int)l->lines->len, 0);
    for (guint i = 0; i < l->lines->len; i++) {
        lua_pushstring(L, l->lines->pdata[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* Pushes {local =, remote =, ms =, component =, laddr =, raddr =} for component k's selected
 * pair p. */
static void push_selected(lua_State *L, lapp *l, unsigned k, const ice_pair *p)
{
    ice_agent *ag = ice_app_agent(l->app);
    const ice_event *ev = &l->selected[k];
    char ep[SIM_EP_STRLEN];
    lua_createtable(L, 0, 6);
    lua_pushstring(L, ice_cand_type_name(ev->local_type));
    lua_setfield(L, -2, "local");
    lua_pushstring(L, ice_cand_type_name(ev->remote_type));
    lua_setfield(L, -2, "remote");
    lua_pushnumber(L, (double)ev->elapsed / 1e6);
    lua_setfield(L, -2, "ms");
    lua_pushinteger(L, k);
    lua_setfield(L, -2, "component");
    lua_pushstring(L, sim_ep_fmt(&ice_agent_local(ag, p->local)->addr, ep, sizeof ep));
    lua_setfield(L, -2, "laddr");
    lua_pushstring(L, sim_ep_fmt(&ice_agent_remote(ag, p->remote)->addr, ep, sizeof ep));
    lua_setfield(L, -2, "raddr");
}

/* Connected: component 1's selected pair, with `components` = every component's, by id. */
static int pred_connected(lua_State *L)
{
    lapp *l = check_lapp(L, 1);
    if (l->failed) {
        lua_pushnil(L);
        lua_pushliteral(L, "failed");
        return 2;
    }
    for (unsigned k = 1; k <= l->comps; k++)
        if (!ice_agent_selected(ice_app_agent(l->app), k))
            return 0;
    push_selected(L, l, 1, ice_agent_selected(ice_app_agent(l->app), 1));
    lua_createtable(L, (int)l->comps, 0);
    for (unsigned k = 1; k <= l->comps; k++) {
        push_selected(L, l, k, ice_agent_selected(ice_app_agent(l->app), k));
        lua_rawseti(L, -2, k);
    }
    lua_setfield(L, -2, "components");
    return 1;
}

static int pred_recv(lua_State *L)
{
    lapp *l = check_lapp(L, 1);
    rx_item *it = g_queue_pop_head(&l->rx);
    if (!it)
        return 0;
    size_t n;
    const char *d = g_bytes_get_data(it->data, &n);
    lua_pushlstring(L, d ? d : "", n);
    lua_pushinteger(L, it->comp);
    rx_item_free(it);
    return 2;
}

static int pred_consent_lost(lua_State *L)
{
    lapp *l = check_lapp(L, 1);
    if (!l->consent_lost)
        return 0;
    lua_pushboolean(L, 1);
    return 1;
}

/* ---------------------------------------------------------------- methods */

static int m_credentials(lua_State *L)
{
    ice_agent *ag = ice_app_agent(check_lapp(L, 1)->app);
    lua_pushstring(L, ice_agent_ufrag(ag));
    lua_pushstring(L, ice_agent_pwd(ag));
    return 2;
}

static int m_gather(lua_State *L)
{
    ice_app_gather(check_lapp(L, 1)->app);
    return wait_start(L, 2, 30 * SIM_SEC, pred_gathered);
}

static int m_connect(lua_State *L)
{
    lapp *l = check_lapp(L, 1);
    const char *ufrag = luaL_checkstring(L, 2), *pwd = luaL_checkstring(L, 3);
    luaL_checktype(L, 4, LUA_TTABLE);
    ice_agent *ag = ice_app_agent(l->app);
    sim_time_t now = sim_world_now(l->world);
    if (ice_agent_set_remote(ag, now, ufrag, pwd) != 0)
        return luaL_argerror(L, 2, "ufrag and pwd: 1..256 characters");
    lua_Integer n = luaL_len(L, 4);
    for (lua_Integer i = 1; i <= n; i++) {
        size_t len;
        lua_geti(L, 4, i);
        const char *s = lua_tolstring(L, -1, &len);
        ice_cand c;
        if (!s || ice_cand_decode(s, len, &c) != 0)
            return luaL_argerror(L, 4, lua_pushfstring(L, "entry %d is not a UDP candidate line",
                                                       (int)i));
        ice_agent_add_remote(ag, now, &c); /* duplicates (-EEXIST) are harmless */
        lua_pop(L, 1);
    }
    ice_agent_remote_done(ag, now);
    ice_app_kick(l->app);
    return wait_start(L, 5, 60 * SIM_SEC, pred_connected);
}

static int m_send(lua_State *L)
{
    lapp *l = check_lapp(L, 1);
    size_t len;
    const char *d = luaL_checklstring(L, 2, &len);
    lua_Integer comp = luaL_optinteger(L, 3, 1);
    if (comp < 1 || comp > (lua_Integer)l->comps)
        return luaL_argerror(L, 3, "a component of this agent");
    int rc = ice_app_send(l->app, (unsigned)comp, (const uint8_t *)d, len);
    if (rc) {
        lua_pushnil(L);
        lua_pushstring(L, rc == -ENOTCONN ? "not connected"
                          : rc == -EACCES ? "consent lost" : g_strerror(-rc));
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}

static int m_recv(lua_State *L)
{
    check_lapp(L, 1);
    return wait_start(L, 2, SIM_TIME_NEVER, pred_recv);
}

static int m_wait_consent_lost(lua_State *L)
{
    check_lapp(L, 1);
    return wait_start(L, 2, SIM_TIME_NEVER, pred_consent_lost);
}

static int m_stats(lua_State *L)
{
    const ice_agent_stats *st = ice_agent_get_stats(ice_app_agent(check_lapp(L, 1)->app));
    lua_createtable(L, 0, 11);
    simlua_set_int(L, "checks_sent", st->checks_sent);
    simlua_set_int(L, "checks_recv", st->checks_recv);
    simlua_set_int(L, "responses_sent", st->responses_sent);
    simlua_set_int(L, "errors_sent", st->errors_sent);
    simlua_set_int(L, "bad", st->bad);
    simlua_set_int(L, "dropped", st->dropped);
    simlua_set_int(L, "triggered", st->triggered);
    simlua_set_int(L, "keepalives", st->keepalives);
    simlua_set_int(L, "consent_sent", st->consent_sent);
    simlua_set_int(L, "data_sent", st->data_sent);
    simlua_set_int(L, "data_recv", st->data_recv);
    return 1;
}

static void set_cand(lua_State *L, const char *type_key, const char *addr_key, const ice_cand *c)
{
    char ep[SIM_EP_STRLEN];
    lua_pushstring(L, ice_cand_type_name(c->type));
    lua_setfield(L, -2, type_key);
    lua_pushstring(L, sim_ep_fmt(&c->addr, ep, sizeof ep));
    lua_setfield(L, -2, addr_key);
}

/* a:pairs() -> the checklist in order: {{local=, remote=, laddr=, raddr=, state=, valid=,
 * nominated=, selected=, component=, priority=}, ...} */
static int m_pairs(lua_State *L)
{
    ice_agent *ag = ice_app_agent(check_lapp(L, 1)->app);
    size_t n = ice_agent_n_pairs(ag);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        const ice_pair *p = ice_agent_pair_at(ag, i);
        lua_createtable(L, 0, 10);
        set_cand(L, "local", "laddr", ice_agent_local(ag, p->local));
        set_cand(L, "remote", "raddr", ice_agent_remote(ag, p->remote));
        lua_pushstring(L, ice_pair_state_name(p->state));
        lua_setfield(L, -2, "state");
        lua_pushboolean(L, p->valid);
        lua_setfield(L, -2, "valid");
        lua_pushboolean(L, p->nominated);
        lua_setfield(L, -2, "nominated");
        lua_pushboolean(L, ice_agent_selected(ag, p->component) == p);
        lua_setfield(L, -2, "selected");
        simlua_set_int(L, "component", p->component);
        simlua_set_int(L, "priority", p->priority);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int m_close(lua_State *L)
{
    lapp *l = simlua_handle_get(L, 1, ICE_CLASS, ICE_REF_KIND);
    if (l && l->app) {
        ice_app_free(l->app);
        l->app = NULL;
    }
    return 0;
}

static int m_tostring(lua_State *L)
{
    lapp *l = simlua_handle_get(L, 1, ICE_CLASS, ICE_REF_KIND);
    if (!l || !l->app) {
        lua_pushliteral(L, "<ice agent (closed)>");
        return 1;
    }
    ice_agent *ag = ice_app_agent(l->app);
    const ice_pair *p = ice_agent_selected(ag, 1);
    lua_pushfstring(L, "<ice agent %s, %s, %s%s%s>", ice_app_node(l->app)->name,
                    ice_agent_controlling(ag) ? "controlling" : "controlled",
                    p ? ice_cand_type_name(ice_agent_local(ag, p->local)->type) : "not connected",
                    p ? "-" : "", p ? ice_cand_type_name(ice_agent_remote(ag, p->remote)->type) : "");
    return 1;
}

static const luaL_Reg methods[] = {
    { "credentials", m_credentials }, { "gather", m_gather },
    { "connect", m_connect },         { "send", m_send },
    { "recv", m_recv },               { "wait_consent_lost", m_wait_consent_lost },
    { "stats", m_stats },             { "pairs", m_pairs },
    { "close", m_close },
    { NULL, NULL },
};
static const luaL_Reg meta[] = { { "__tostring", m_tostring }, { NULL, NULL } };

int ice_lua_open(lua_State *L)
{
    simlua_new_class(L, ICE_CLASS, methods, meta);
    lua_newtable(L);
    lua_pushcfunction(L, l_agent);
    lua_setfield(L, -2, "agent");
    return 1;
}
