/* protocols/sip/sip_lua.c — module `sip` for scenarios:
 *
 *   local reg = sip.registrar(host, {domain="mit.edu", users={bob="pw"}, port=5060})
 *   local px  = sip.proxy(host, {domain="mit.edu", location=reg, dns="10.0.0.53",
 *                                record_route=true, registrar=false, port=5060,
 *                                transport="udp", timer_c="3min", users={alice="pw"},
 *                                authenticate=true})   -- 407 for rutgers.edu's own users
 *   local rd  = sip.redirect(host, {domain="mit.edu", location=reg})
 *       servers: S:bindings("bob@mit.edu") -> { "sip:bob@18.7.22.50:5060", ... }, S:stats()
 *   local ua = sip.ua(host, {aor="sip:bob@mit.edu", password="pw", registrar="18.7.22.69",
 *                            proxy="18.7.22.83", rport=true, port=5060, rtp_port=40000,
 *                            display="Bob", expires=3600, media=true, transport="udp"})
 *       transport="tcp": requests go over TCP (RFC 3261 §18); every app listens on both;
 *       tcp_idle=120 (seconds, UAs and servers): a connection the app opened closes when idle
 *   RFC 5626 / RFC 3327: sip.proxy{outbound=true, force_path=false, flow_timeout=0} is an
 *       edge proxy; sip.registrar{flow_timer=25}; sip.ua{outbound=true, keepalive=30|false}
 *       or sip.ua{outbound={edges={"ip", "ip:port"}, rto=0.5}}: one flow per edge
 *   ua:register([expires])   -> true, 200 | false, status     (blocks; refreshes by itself)
 *   ua:options(uri)          -> status                        (blocks)
 *   ua:call(uri [, {offer = false}]) -> call (the INVITE is on its way; offer = false: no SDP
 *                            in it, the 2xx brings the offer and the ACK our answer)
 *   ua:on_invite(function(call) call:ring() call:answer() end)
 *   ua:wait_call([timeout])  -> call | nil, "timeout"
 *   calls: see sip_lua_call.c.
 *
 * Every UA signals one condition of its own after each batch of events; blocking calls wait
 * on it and re-check what they wait for. */
#include <errno.h>
#include <string.h>
#include "protocols/sip/sip_lua_priv.h"

#define SIP_STATE_KEY "natsim.sip.state"

typedef struct slua {
    GPtrArray *uas; /* lua_ua *, owned */
} slua;

static void lua_ua_free(lua_State *L, lua_ua *u)
{
    sip_app *a = sim_world_ref_get(u->world, u->app, SIP_REF_KIND);
    if (a)
        sip_app_on_notify(a, NULL, NULL);
    simlua_cond_free(u->cond);
    luaL_unref(L, LUA_REGISTRYINDEX, u->on_invite);
    g_ptr_array_free(u->calls, TRUE);
    g_queue_clear(&u->incoming);
    g_free((char *)u->ice_cfg.turn_user);
    g_free((char *)u->ice_cfg.turn_pass);
    g_free(u);
}

static int slua_gc(lua_State *L)
{
    slua *s = lua_touserdata(L, 1);
    for (guint i = 0; s->uas && i < s->uas->len; i++)
        lua_ua_free(L, s->uas->pdata[i]);
    if (s->uas)
        g_ptr_array_free(s->uas, TRUE);
    s->uas = NULL;
    return 0;
}

static slua *slua_get(lua_State *L)
{
    if (lua_getfield(L, LUA_REGISTRYINDEX, SIP_STATE_KEY) == LUA_TUSERDATA) {
        slua *s = lua_touserdata(L, -1);
        lua_pop(L, 1);
        return s;
    }
    lua_pop(L, 1);
    slua *s = lua_newuserdatauv(L, sizeof *s, 0);
    s->uas = g_ptr_array_new();
    lua_newtable(L);
    lua_pushcfunction(L, slua_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, SIP_STATE_KEY);
    return s;
}

lua_ua *sip_lua_ua_of(lua_State *L, sim_ref app)
{
    slua *s = slua_get(L);
    for (guint i = 0; i < s->uas->len; i++) {
        lua_ua *u = s->uas->pdata[i];
        if (u->app.id == app.id && u->app.gen == app.gen)
            return u;
    }
    return NULL;
}

void sip_lua_check_rc(lua_State *L, int rc, const char *what)
{
    if (rc < 0)
        luaL_error(L, "%s: %s", what, g_strerror(-rc));
}

/* ---------------------------------------------------------------- servers */

static sip_app *check_server(lua_State *L, int idx)
{
    return simlua_check_handle(L, idx, SIP_SERVER_CLASS, SIP_REF_KIND);
}

static const char *const server_keys[] = { "domain", "users", "port", "record_route", "dns",
                                           "location", "registrar", "transport", "tcp_idle",
                                           "outbound", "force_path", "flow_timeout", "flow_timer",
                                           "timer_c", "authenticate", NULL };

/* kind: 0 registrar, 1 proxy, 2 redirect. */
static int new_server(lua_State *L, int kind)
{
    sim_node *n = simlua_check_node(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    simlua_check_options(L, 2, server_keys);
    const char *domain = simlua_opt_str(L, 2, "domain", NULL);
    if (!domain)
        return luaL_argerror(L, 2, "option 'domain' is required");
    sip_server_cfg cfg = { .domain = domain, .registrar = kind == 0 || kind == 2,
                           .redirect = kind == 2 };
    cfg.self = (sim_ep){ sip_lua_node_ip(L, n), simlua_opt_port(L, 2, "port", SIP_PORT, 1) };
    cfg.registrar = simlua_opt_bool(L, 2, "registrar", cfg.registrar);
    cfg.record_route = simlua_opt_bool(L, 2, "record_route", kind == 1);
    cfg.tcp = sip_lua_opt_tcp(L, 2);
    sip_lua_opt_outbound_server(L, 2, &cfg);
    sip_lua_opt_proxy(L, 2, &cfg);
    if (lua_getfield(L, 2, "location") != LUA_TNIL) {
        sip_app *shared = check_server(L, -1);
        cfg.location = sip_server_location(sip_app_server_core(shared));
    }
    lua_pop(L, 1);
    sim_ep dns = { 0 };
    sip_lua_opt_hostport(L, 2, "dns", &dns, DNS_PORT);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    GPtrArray *pws = g_ptr_array_new_with_free_func(g_free);
    sip_lua_opt_users(L, 2, names, pws);
    g_ptr_array_add(names, NULL);
    g_ptr_array_add(pws, NULL);
    if (names->len > 1) {
        cfg.users = (const char *const *)names->pdata;
        cfg.passwords = (const char *const *)pws->pdata;
    }
    sim_time_t idle = sip_lua_opt_tcp_idle(L, 2);
    GError *err = NULL;
    sip_app *a = sip_app_server(n, &cfg, &dns, &err);
    g_ptr_array_free(names, TRUE);
    g_ptr_array_free(pws, TRUE);
    if (!a)
        simlua_raise_gerror(L, err);
    sip_app_set_tcp_idle(a, idle);
    simlua_push_handle(L, SIP_SERVER_CLASS, sip_app_ref(a));
    return 1;
}

static int l_registrar(lua_State *L) { return new_server(L, 0); }
static int l_proxy(lua_State *L) { return new_server(L, 1); }
static int l_redirect(lua_State *L) { return new_server(L, 2); }

static int server_bindings(lua_State *L)
{
    sip_app *a = check_server(L, 1);
    const char *aor = luaL_checkstring(L, 2);
    GPtrArray *c = g_ptr_array_new();
    sip_location_lookup(sip_server_location(sip_app_server_core(a)), aor,
                        sim_world_now(simlua_world(L)), c, NULL);
    lua_createtable(L, (int)c->len, 0);
    for (guint i = 0; i < c->len; i++) {
        lua_pushstring(L, c->pdata[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    g_ptr_array_free(c, TRUE);
    return 1;
}

/* Pushes a stats table (nrec fields) with the counters UAs and servers share. */
static void push_app_stats(lua_State *L, sip_app *a, int nrec, uint64_t rx, uint64_t bad,
                           uint64_t rejected, uint64_t dropped)
{
    lua_createtable(L, 0, nrec);
    simlua_set_int(L, "tcp_connections", (lua_Integer)sip_app_tcp_conns(a));
    simlua_set_int(L, "tcp_lost", (lua_Integer)sip_app_tcp_lost(a));
    simlua_set_int(L, "received", (lua_Integer)rx);
    simlua_set_int(L, "bad", (lua_Integer)bad);
    simlua_set_int(L, "rejected", (lua_Integer)rejected);
    simlua_set_int(L, "dropped", (lua_Integer)dropped);
}

static int server_stats(lua_State *L)
{
    sip_app *a = check_server(L, 1);
    const sip_server_stats *st = sip_server_get_stats(sip_app_server_core(a));
    push_app_stats(L, a, 20, st->rx, st->bad, st->rejected, st->dropped);
    simlua_set_int(L, "registers", (lua_Integer)st->registers);
    simlua_set_int(L, "challenges", (lua_Integer)st->challenges);
    simlua_set_int(L, "forwarded", (lua_Integer)st->forwarded);
    simlua_set_int(L, "via_flow", (lua_Integer)st->via_flow);
    simlua_set_int(L, "forks", (lua_Integer)st->forks);
    simlua_set_int(L, "cancels", (lua_Integer)st->cancels);
    simlua_set_int(L, "loops", (lua_Integer)st->loops);
    simlua_set_int(L, "lookups", (lua_Integer)st->lookups);
    simlua_set_int(L, "redirects", (lua_Integer)st->redirects);
    simlua_set_int(L, "stateless", (lua_Integer)st->stateless);
    simlua_set_int(L, "failovers", (lua_Integer)st->failovers);
    simlua_set_int(L, "via_path", (lua_Integer)st->via_path);
    simlua_set_int(L, "via_token", (lua_Integer)st->via_token);
    simlua_set_int(L, "flow_failed", (lua_Integer)st->flow_failed);
    simlua_set_int(L, "keepalives", (lua_Integer)st->keepalives);
    simlua_set_int(L, "flow_retries", (lua_Integer)st->flow_retries);
    simlua_set_int(L, "timer_c", (lua_Integer)st->timer_c);
    simlua_set_int(L, "proxy_challenges", (lua_Integer)st->proxy_challenges);
    return 1;
}

static int server_tostring(lua_State *L)
{
    sip_app *a = simlua_handle_get(L, 1, SIP_SERVER_CLASS, SIP_REF_KIND);
    if (!a || !sip_app_server_core(a)) {
        lua_pushliteral(L, "<sip server (closed)>");
        return 1;
    }
    sip_server *s = sip_app_server_core(a);
    lua_pushfstring(L, "<sip server on %s, %d bindings, %d forwarded>", sip_app_node(a)->name,
                    (int)sip_location_count(sip_server_location(s), sim_world_now(simlua_world(L))),
                    (int)sip_server_get_stats(s)->forwarded);
    return 1;
}

/* ---------------------------------------------------------------- user agents */

sip_app *sip_lua_check_ua(lua_State *L, int idx)
{
    return simlua_check_handle(L, idx, SIP_UA_CLASS, SIP_REF_KIND);
}

static lua_ua *check_lua_ua(lua_State *L, int idx, sip_app **app)
{
    sip_app *a = sip_lua_check_ua(L, idx);
    lua_ua *u = sip_lua_ua_of(L, sip_app_ref(a));
    if (!u)
        luaL_argerror(L, idx, "SIP user agent is gone");
    if (app)
        *app = a;
    return u;
}

/* Reads the UA's events after each step of its core (the driver's notify). */
static void pump(sip_app *a, void *ctx)
{
    lua_ua *u = ctx;
    sip_ua *core = sip_app_ua_core(a);
    sip_ua_ev ev;
    while (core && sip_ua_event(core, &ev)) {
        lcall *c = ev.call ? sip_lua_call_get(u, ev.call) : NULL;
        switch (ev.kind) {
        case SIP_UA_EV_REGISTERED:
        case SIP_UA_EV_REG_FAILED:
            u->reg_seq++;
            u->reg_status = ev.status;
            u->reg_expires = ev.expires;
            break;
        case SIP_UA_EV_OPTIONS:
            u->options_seq++;
            u->options_status = ev.status;
            break;
        case SIP_UA_EV_INCOMING:
            if (u->ice) { /* gather now: the answer waits for the candidates */
                c->ice = sip_lua_ice_start(u, sip_app_node(a), false, NULL);
                if (c->ice)
                    sip_lua_ice_bind(c->ice, ev.call);
            }
            if (u->on_invite != LUA_NOREF) {
                lua_rawgeti(u->L, LUA_REGISTRYINDEX, u->on_invite);
                sip_lua_push_call(u->L, a, ev.call);
                if (simlua_pcall(u->L, 1, 0) != 0)
                    return;
            } else {
                g_queue_push_tail(&u->incoming, GUINT_TO_POINTER(ev.call));
            }
            break;
        case SIP_UA_EV_PROGRESS:
            c->progress = ev.status;
            break;
        case SIP_UA_EV_ANSWERED:
            c->answered = true;
            sip_lua_media_sync(u, a, c);
            break;
        case SIP_UA_EV_CONFIRMED:
            c->confirmed = true;
            sip_lua_media_sync(u, a, c); /* an offer in our 2xx: the ACK had the answer */
            break;
        case SIP_UA_EV_MEDIA:
            c->media_seq++;
            if (!ev.by_remote)
                c->own_media_seq++;
            sip_lua_media_sync(u, a, c);
            break;
        case SIP_UA_EV_ENDED:
            c->ended = true;
            c->end_status = ev.status;
            c->end_remote = ev.by_remote;
            sip_lua_media_stop(u, c);
            break;
        }
    }
    simlua_cond_signal(u->cond);
}

static const char *const ua_keys[] = { "aor", "password", "user", "display", "registrar",
                                       "proxy", "rport", "port", "rtp_port", "expires", "media",
                                       "ice", "transport", "tcp_idle", "outbound", "keepalive",
                                       NULL };
static int l_ua(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    simlua_check_options(L, 2, ua_keys);
    sip_ua_cfg cfg = { .aor = simlua_opt_str(L, 2, "aor", NULL) };
    if (!cfg.aor)
        return luaL_argerror(L, 2, "option 'aor' (\"sip:user@domain\") is required");
    sip_uri u;
    if (sip_uri_parse(cfg.aor, strlen(cfg.aor), &u, NULL) < 0 || u.scheme != SIP_SCHEME_SIP ||
        !u.has_user)
        return luaL_argerror(L, 2, lua_pushfstring(L, "option 'aor': not a sip: URI with a "
                                                      "user: \"%s\"", cfg.aor));
    cfg.password = simlua_opt_str(L, 2, "password", NULL);
    cfg.user = simlua_opt_str(L, 2, "user", NULL);
    cfg.display = simlua_opt_str(L, 2, "display", NULL);
    sip_lua_opt_hostport(L, 2, "registrar", &cfg.registrar, SIP_PORT);
    sip_lua_opt_hostport(L, 2, "proxy", &cfg.proxy, SIP_PORT);
    cfg.rport = simlua_opt_bool(L, 2, "rport", false);
    cfg.tcp = sip_lua_opt_tcp(L, 2);
    cfg.local = (sim_ep){ sip_lua_node_ip(L, n), simlua_opt_port(L, 2, "port", SIP_PORT, 1) };
    lua_Integer rtp = simlua_opt_int(L, 2, "rtp_port", 40000);
    if (rtp < 1024 || rtp > 65000 || rtp % 2)
        return luaL_argerror(L, 2, "option 'rtp_port': an even port 1024..65000");
    cfg.rtp_port = (uint16_t)rtp;
    lua_Integer exp = simlua_opt_int(L, 2, "expires", 3600);
    if (exp < 1 || exp > 86400)
        return luaL_argerror(L, 2, "option 'expires': 1..86400 seconds");
    cfg.expires = (uint32_t)exp;
    sip_lua_opt_outbound_ua(L, 2, &cfg);
    ice_app_cfg ice = { 0 };
    bool with_ice = sip_lua_opt_ice(L, 2, &ice);
    sim_time_t idle = sip_lua_opt_tcp_idle(L, 2);
    GError *err = NULL;
    sip_app *a = sip_app_ua(n, &cfg, &err);
    if (!a)
        simlua_raise_gerror(L, err);
    sip_app_set_tcp_idle(a, idle);
    lua_ua *ua = g_new0(lua_ua, 1);
    ua->world = n->world;
    ua->app = sip_app_ref(a);
    lua_State *main = simlua_state(simlua_from(L));
    ua->L = main;
    ua->cond = simlua_cond_new(L);
    ua->on_invite = LUA_NOREF;
    ua->calls = g_ptr_array_new_with_free_func(sip_lua_call_free);
    g_queue_init(&ua->incoming);
    ua->media = simlua_opt_bool(L, 2, "media", true);
    ua->expires = cfg.expires;
    ua->ice = with_ice;
    ua->ice_cfg = ice;
    ua->ice_cfg.turn_user = g_strdup(ice.turn_user);
    ua->ice_cfg.turn_pass = g_strdup(ice.turn_pass);
    g_ptr_array_add(slua_get(L)->uas, ua);
    sip_app_on_notify(a, pump, ua);
    simlua_push_handle(L, SIP_UA_CLASS, sip_app_ref(a));
    return 1;
}

static int reg_ready(lua_State *L, bool timed_out)
{
    lua_ua *u = check_lua_ua(L, 1, NULL);
    if (u->reg_seq == (unsigned)lua_tointeger(L, 3) && !timed_out)
        return -1;
    lua_pushboolean(L, !timed_out && u->reg_status >= 200 && u->reg_status < 300);
    lua_pushinteger(L, timed_out ? 408 : u->reg_status);
    return 2;
}

static int ua_register(lua_State *L)
{
    sip_app *a;
    lua_ua *u = check_lua_ua(L, 1, &a);
    lua_Integer exp = luaL_optinteger(L, 2, u->expires);
    if (exp < 0 || exp > 86400)
        return luaL_argerror(L, 2, "expires: 0..86400 seconds (0 removes the binding)");
    unsigned seq = u->reg_seq;
    int rc = sip_ua_register(sip_app_ua_core(a), sim_world_now(u->world), (uint32_t)exp);
    sip_lua_check_rc(L, rc, "register");
    sip_app_kick(a);
    lua_settop(L, 1);
    sip_lua_wait_push(L, u, SIM_TIME_NEVER, reg_ready);
    lua_pushinteger(L, seq); /* [3] the event count before */
    return sip_lua_wait(L);
}

static int opt_ready(lua_State *L, bool timed_out)
{
    lua_ua *u = check_lua_ua(L, 1, NULL);
    if (u->options_seq == (unsigned)lua_tointeger(L, 3) && !timed_out)
        return -1;
    lua_pushinteger(L, timed_out ? 408 : u->options_status);
    return 1;
}

static int ua_options(lua_State *L)
{
    sip_app *a;
    lua_ua *u = check_lua_ua(L, 1, &a);
    const char *uri = luaL_checkstring(L, 2);
    unsigned seq = u->options_seq;
    int rc = sip_ua_options(sip_app_ua_core(a), sim_world_now(u->world), uri);
    if (rc == -EINVAL)
        return luaL_argerror(L, 2, "not a SIP URI");
    sip_lua_check_rc(L, rc, "options");
    sip_app_kick(a);
    lua_settop(L, 1);
    sip_lua_wait_push(L, u, SIM_TIME_NEVER, opt_ready);
    lua_pushinteger(L, seq);
    return sip_lua_wait(L);
}

/* Sends the INVITE (with ice's description when there is one) and pushes the call. */
static int place_call(lua_State *L, sip_app *a, lua_ua *u, const char *uri, sip_lua_ice *ice,
                      bool offer)
{
    unsigned id;
    sdp_oa_ice d = { 0 };
    bool with_ice = ice && sip_lua_ice_describe(ice, &d) == 0;
    sim_time_t now = sim_world_now(simlua_world(L));
    int rc = offer ? sip_ua_call_ice(sip_app_ua_core(a), now, uri, with_ice ? &d : NULL, &id)
                   : sip_ua_call_offerless(sip_app_ua_core(a), now, uri, &id);
    if (with_ice)
        sip_lua_ice_describe_clear(&d);
    if (rc == -EINVAL)
        return luaL_error(L, "call: not a SIP URI: \"%s\"", uri);
    if (rc == -EHOSTUNREACH)
        return luaL_error(L, "call: no proxy configured and the host is not an IP address");
    if (ice) {
        sip_lua_call_get(u, id)->ice = ice;
        sip_lua_ice_bind(ice, id);
    }
    sip_app_kick(a);
    sip_lua_push_call(L, a, id);
    return 1;
}

/* ua:call with ICE: [3] the agent (light userdata), [4] the URI; waits for gathering. */
static int gathered_ready(lua_State *L, bool timed_out)
{
    sip_app *a;
    lua_ua *u = check_lua_ua(L, 1, &a);
    sip_lua_ice *ice = lua_touserdata(L, 3);
    if (!sip_lua_ice_gathered(ice) && !timed_out)
        return -1;
    return place_call(L, a, u, lua_tostring(L, 4), ice, true);
}

static const char *const call_keys[] = { "offer", NULL };

static int ua_call(lua_State *L)
{
    sip_app *a;
    lua_ua *u = check_lua_ua(L, 1, &a);
    const char *uri = luaL_checkstring(L, 2);
    sip_uri pu;
    if (sip_uri_parse(uri, strlen(uri), &pu, NULL) < 0 || pu.scheme == SIP_SCHEME_OTHER)
        return luaL_argerror(L, 2, lua_pushfstring(L, "not a SIP URI: \"%s\"", uri));
    bool offer = true; /* {offer = false}: RFC 3264 §5, the offer comes in the 2xx */
    if (!lua_isnoneornil(L, 3)) {
        luaL_checktype(L, 3, LUA_TTABLE);
        simlua_check_options(L, 3, call_keys);
        offer = simlua_opt_bool(L, 3, "offer", true);
        if (!offer && u->ice)
            return luaL_argerror(L, 3, "option 'offer': a UA with ice offers its candidates "
                                       "in the INVITE (offer = false is not possible)");
    }
    if (!u->ice)
        return place_call(L, a, u, uri, NULL, offer);
    /* RFC 8839 §4.2.1: the offer carries every candidate, so gather first (blocks) */
    GError *err = NULL;
    sip_lua_ice *ice = sip_lua_ice_start(u, sip_app_node(a), true, &err);
    if (!ice)
        simlua_raise_gerror(L, err);
    lua_settop(L, 2);
    lua_pushlightuserdata(L, ice);
    lua_insert(L, 2);
    sip_lua_wait_push(L, u, 10 * SIM_SEC, gathered_ready);
    lua_insert(L, 2); /* [1] ua [2] wait [3] ice [4] uri */
    return sip_lua_wait(L);
}

static int ua_on_invite(lua_State *L)
{
    lua_ua *u = check_lua_ua(L, 1, NULL);
    if (!lua_isnil(L, 2))
        luaL_checktype(L, 2, LUA_TFUNCTION);
    luaL_unref(L, LUA_REGISTRYINDEX, u->on_invite);
    lua_settop(L, 2);
    u->on_invite = lua_isnil(L, 2) ? LUA_NOREF : luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

static int call_ready(lua_State *L, bool timed_out)
{
    sip_app *a;
    lua_ua *u = check_lua_ua(L, 1, &a);
    if (!g_queue_is_empty(&u->incoming)) {
        sip_lua_push_call(L, a, GPOINTER_TO_UINT(g_queue_pop_head(&u->incoming)));
        return 1;
    }
    if (!timed_out)
        return -1;
    lua_pushnil(L);
    lua_pushliteral(L, "timeout");
    return 2;
}

static int ua_wait_call(lua_State *L)
{
    lua_ua *u = check_lua_ua(L, 1, NULL);
    sim_time_t t = lua_isnoneornil(L, 2) ? SIM_TIME_NEVER : simlua_check_time(L, 2);
    lua_settop(L, 1);
    sip_lua_wait_push(L, u, t, call_ready);
    return sip_lua_wait(L);
}

static int ua_stats(lua_State *L)
{
    sip_app *a = sip_lua_check_ua(L, 1);
    const sip_ua_stats *st = sip_ua_get_stats(sip_app_ua_core(a));
    push_app_stats(L, a, 11, st->rx, st->bad, st->rejected, st->dropped);
    simlua_set_int(L, "auth_retries", (lua_Integer)st->auth_retries);
    simlua_set_int(L, "registrations", (lua_Integer)st->registrations);
    simlua_set_int(L, "keepalives", (lua_Integer)st->keepalives);
    simlua_set_int(L, "keepalive_answers", (lua_Integer)st->keepalive_answers);
    simlua_set_int(L, "keepalive_rtx", (lua_Integer)st->keepalive_rtx);
    simlua_set_int(L, "flow_failures", (lua_Integer)st->flow_failures);
    simlua_set_int(L, "auth_reused", (lua_Integer)st->auth_reused);
    simlua_set_int(L, "out_of_order", (lua_Integer)st->out_of_order);
    simlua_set_int(L, "glare", (lua_Integer)st->glare);
    return 1;
}

static int ua_tostring(lua_State *L)
{
    sip_app *a = simlua_handle_get(L, 1, SIP_UA_CLASS, SIP_REF_KIND);
    if (!a || !sip_app_ua_core(a))
        lua_pushliteral(L, "<sip ua (closed)>");
    else
        lua_pushfstring(L, "<sip ua on %s>", sip_app_node(a)->name);
    return 1;
}

/* ---------------------------------------------------------------- waiting */

/* Stack of a wait: [1] the handle, [2] this userdata, [3...] what ready() reads. */
typedef struct lwait {
    sim_time_t deadline;
    simlua_cond *cond;
    sip_lua_ready_fn ready;
} lwait;

static int wait_loop(lua_State *L);

static int wait_k(lua_State *L, int status, lua_KContext ctx)
{
    (void)status;
    (void)ctx;
    lua_pop(L, 1); /* the boolean simlua_cond_wait pushed */
    return wait_loop(L);
}

static int wait_loop(lua_State *L)
{
    lwait *w = lua_touserdata(L, 2);
    sim_time_t now = sim_world_now(simlua_world(L));
    int n = w->ready(L, now >= w->deadline);
    if (n >= 0)
        return n;
    return simlua_cond_wait(L, w->cond, w->deadline - now, 0, wait_k);
}

void sip_lua_wait_push(lua_State *L, lua_ua *u, sim_time_t timeout, sip_lua_ready_fn ready)
{
    lwait *w = lua_newuserdatauv(L, sizeof *w, 0);
    sim_time_t now = sim_world_now(u->world);
    w->deadline = timeout >= SIM_TIME_NEVER - 1 - now ? SIM_TIME_NEVER - 1 : now + timeout;
    w->cond = u->cond;
    w->ready = ready;
}

int sip_lua_wait(lua_State *L)
{
    return wait_loop(L);
}

/* ---------------------------------------------------------------- module */

static const luaL_Reg server_methods[] = {
    { "bindings", server_bindings },
    { "stats", server_stats },
    { NULL, NULL },
};
static const luaL_Reg server_meta[] = { { "__tostring", server_tostring }, { NULL, NULL } };

static const luaL_Reg ua_methods[] = {
    { "register", ua_register }, { "options", ua_options },     { "call", ua_call },
    { "on_invite", ua_on_invite }, { "wait_call", ua_wait_call }, { "stats", ua_stats },
    { NULL, NULL },
};
static const luaL_Reg ua_meta[] = { { "__tostring", ua_tostring }, { NULL, NULL } };

static const luaL_Reg module_funcs[] = {
    { "registrar", l_registrar }, { "proxy", l_proxy }, { "redirect", l_redirect },
    { "ua", l_ua },               { NULL, NULL },
};

int sip_lua_open(lua_State *L)
{
    simlua_new_class(L, SIP_SERVER_CLASS, server_methods, server_meta);
    simlua_new_class(L, SIP_UA_CLASS, ua_methods, ua_meta);
    sip_lua_call_class(L);
    slua_get(L);
    luaL_newlib(L, module_funcs);
    return 1;
}
