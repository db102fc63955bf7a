/* protocols/sip/sip_lua_call.c — call handles of module `sip` and their media:
 *
 *   call:wait_answer([timeout]) -> true | false, status ("timeout": 408)   (caller)
 *   call:ring()  call:answer()  call:reject([status = 486])                (callee)
 *   call:bye()                  BYE when up, CANCEL while ringing, 480 when unanswered
 *   call:wait_end([timeout])    -> true, status, by_remote | false, "timeout"
 *   call:reinvite{add="audio"} | call:reinvite{remove=2} | call:reinvite{}  (the same
 *                               offer again) -> true | false, "timeout"; after a 491 (glare)
 *                               it is sent again by the core (§14.1) and this waits for it
 *   call:state()                "calling", "early", "incoming", "confirmed", "ended"
 *   call:peer()                 the other party's From / To value
 *   call:media([i])             -> {local_port=, remote="ip:port", codec=, active=} of stream i
 *   call:stats([i])             the RTP statistics of stream i (default 1), as rtp's s:stats()
 *   call:ice()                  -> {state=, local=, remote=, local_addr=, remote_addr=} | nil
 *
 * When a call is up (the 2xx sent or received) and the UA has media=true, one rtp session
 * per active stream starts on the negotiated ports: 20 ms PCMU to the address and port the
 * other side's SDP gave. A re-INVITE starts or stops sessions to match; the end of the call
 * sends RTCP BYE. */
#include <errno.h>
#include <string.h>
#include "protocols/sip/sip_lua_priv.h"

lcall *sip_lua_call_get(lua_ua *u, unsigned id)
{
    for (guint i = 0; i < u->calls->len; i++) {
        lcall *c = u->calls->pdata[i];
        if (c->id == id)
            return c;
    }
    lcall *c = g_new0(lcall, 1);
    c->id = id;
    g_ptr_array_add(u->calls, c);
    return c;
}

void sip_lua_push_call(lua_State *L, sip_app *a, unsigned id)
{
    lcall_ud *ud = lua_newuserdatauv(L, sizeof *ud, 0);
    ud->app = sip_app_ref(a);
    ud->id = id;
    luaL_setmetatable(L, SIP_CALL_CLASS);
}

/* The call handle at idx: its app (raising when the UA is gone), UA state and lcall. */
static lcall *check_call(lua_State *L, int idx, sip_app **app, lua_ua **ua)
{
    lcall_ud *ud = luaL_checkudata(L, idx, SIP_CALL_CLASS);
    sip_app *a = sim_world_ref_get(simlua_world(L), ud->app, SIP_REF_KIND);
    lua_ua *u = a ? sip_lua_ua_of(L, ud->app) : NULL;
    if (!u || !sip_app_ua_core(a))
        luaL_argerror(L, idx, "the SIP user agent of this call is gone");
    if (app)
        *app = a;
    if (ua)
        *ua = u;
    return sip_lua_call_get(u, ud->id);
}

/* ---------------------------------------------------------------- media */

void sip_lua_media_sync(lua_ua *u, sip_app *a, lcall *c)
{
    const sdp_oa *oa = sip_ua_call_media(sip_app_ua_core(a), c->id);
    if (!u->media || !oa)
        return;
    size_t n = MIN(sdp_oa_n_streams(oa), (size_t)SDP_OA_STREAMS_MAX);
    for (size_t i = 0; i < n; i++) {
        const sdp_oa_stream *st = sdp_oa_get(oa, (unsigned)i);
        rtp_app *r = sim_world_ref_get(u->world, c->media[i], RTP_REF_KIND);
        if (r && !st->active) { /* removed by a re-INVITE: RTCP BYE, silence */
            rtp_app_bye(r, "stream removed");
            continue;
        }
        if (r || !st->active || !st->remote_rtp.port || strcmp(st->media, "audio") != 0)
            continue;
        if (i == 0 && c->ice && sip_lua_ice_media(u, a, c, st))
            continue; /* RTP goes over the ICE agent's selected pair */
        rtp_app_cfg cfg = { .port = st->local_port, .to = st->remote_rtp,
                            .rtcp_to = st->remote_rtcp, .duration = 24 * 3600 * SIM_SEC };
        cfg.session.pt = st->pt;
        cfg.session.clock = st->clock;
        cfg.session.ptime = (sim_time_t)(st->ptime ? st->ptime : 20) * SIM_MS;
        cfg.session.cname = sip_app_node(a)->name;
        GError *err = NULL;
        r = rtp_app_new(sip_app_node(a), &cfg, &err);
        if (!r) { /* a port clash: the call goes on without this stream's media */
            g_error_free(err);
            continue;
        }
        c->media[i] = rtp_app_ref(r);
    }
}

void sip_lua_media_stop(lua_ua *u, lcall *c)
{
    for (size_t i = 0; i < SDP_OA_STREAMS_MAX; i++) {
        rtp_app *r = sim_world_ref_get(u->world, c->media[i], RTP_REF_KIND);
        if (r)
            rtp_app_bye(r, "call ended");
    }
    if (c->ice)
        sip_lua_ice_stop(c->ice);
}

/* ---------------------------------------------------------------- actions */

/* Runs an action on the core, kicks the driver, raises on a wrong state. */
static void act(lua_State *L, sip_app *a, int rc, const char *what)
{
    if (rc == -EPROTO) {
        sip_call_state st;
        sip_ua_call_state(sip_app_ua_core(a), ((lcall_ud *)lua_touserdata(L, 1))->id, &st);
        luaL_error(L, "%s: not possible while the call is %s", what, sip_call_state_name(st));
    }
    sip_lua_check_rc(L, rc, what);
    sip_app_kick(a);
}

static int call_ring(lua_State *L)
{
    sip_app *a;
    lcall *c = check_call(L, 1, &a, NULL);
    act(L, a, sip_ua_ring(sip_app_ua_core(a), sim_world_now(simlua_world(L)), c->id), "ring");
    return 0;
}

void sip_lua_call_free(gpointer p)
{
    lcall *c = p;
    if (c->ice)
        sip_lua_ice_detach(c->ice);
    g_free(c);
}

/* Puts the ICE description into the answer, then answers. Returns sip_ua_answer's code. */
static int answer(lua_ua *u, sip_app *a, lcall *c)
{
    sip_ua *core = sip_app_ua_core(a);
    sdp_oa_ice d;
    c->answer_pending = false;
    if (c->ice && sip_lua_ice_describe(c->ice, &d) == 0) {
        sip_ua_set_ice(core, c->id, &d);
        sip_lua_ice_describe_clear(&d);
    }
    int rc = sip_ua_answer(core, sim_world_now(u->world), c->id);
    if (rc == 0) {
        c->answered = true;
        sip_lua_media_sync(u, a, c);
    }
    return rc;
}

void sip_lua_answer_now(lua_ua *u, sip_app *a, lcall *c)
{
    answer(u, a, c);
    sip_app_kick(a);
}

static int call_answer(lua_State *L)
{
    sip_app *a;
    lua_ua *u;
    lcall *c = check_call(L, 1, &a, &u);
    if (c->ice && !sip_lua_ice_gathered(c->ice)) { /* RFC 8839: answer with every candidate */
        sip_call_state st = SIP_CALL_ENDED;
        sip_ua_call_state(sip_app_ua_core(a), c->id, &st);
        if (st != SIP_CALL_INCOMING && st != SIP_CALL_EARLY)
            return luaL_error(L, "answer: not possible while the call is %s",
                              sip_call_state_name(st));
        c->answer_pending = true; /* answered when gathering ends */
        lua_pushboolean(L, 1);
        return 1;
    }
    int rc = answer(u, a, c);
    act(L, a, rc == -EBADMSG ? 0 : rc, "answer");
    lua_pushboolean(L, rc == 0); /* false: the offer was unusable, 488 sent */
    return 1;
}

static int call_reject(lua_State *L)
{
    sip_app *a;
    lcall *c = check_call(L, 1, &a, NULL);
    lua_Integer st = luaL_optinteger(L, 2, 486);
    if (st < 300 || st > 699)
        return luaL_argerror(L, 2, "status: 300..699");
    act(L, a, sip_ua_reject(sip_app_ua_core(a), sim_world_now(simlua_world(L)), c->id,
                            (unsigned)st), "reject");
    return 0;
}

static int call_bye(lua_State *L)
{
    sip_app *a;
    lcall *c = check_call(L, 1, &a, NULL);
    act(L, a, sip_ua_hangup(sip_app_ua_core(a), sim_world_now(simlua_world(L)), c->id), "bye");
    return 0;
}

/* ---------------------------------------------------------------- waits */

static int answer_ready(lua_State *L, bool timed_out)
{
    lcall *c = check_call(L, 1, NULL, NULL);
    if (c->answered) {
        lua_pushboolean(L, 1);
        return 1;
    }
    if (!c->ended && !timed_out)
        return -1;
    lua_pushboolean(L, 0);
    lua_pushinteger(L, c->ended ? c->end_status : 408);
    return 2;
}

static int end_ready(lua_State *L, bool timed_out)
{
    lcall *c = check_call(L, 1, NULL, NULL);
    if (c->ended) {
        lua_pushboolean(L, 1);
        lua_pushinteger(L, c->end_status);
        lua_pushboolean(L, c->end_remote);
        return 3;
    }
    if (!timed_out)
        return -1;
    lua_pushboolean(L, 0);
    lua_pushliteral(L, "timeout");
    return 2;
}

static int media_ready(lua_State *L, bool timed_out)
{
    lcall *c = check_call(L, 1, NULL, NULL);
    if (c->own_media_seq != (unsigned)lua_tointeger(L, 3)) {
        lua_pushboolean(L, 1);
        return 1;
    }
    if (!timed_out && !c->ended)
        return -1;
    lua_pushboolean(L, 0);
    lua_pushstring(L, c->ended ? "ended" : "timeout");
    return 2;
}

/* Pushes the wait state for the call at [1] with the optional timeout argument at idx. */
static int wait_on(lua_State *L, int idx, sip_lua_ready_fn ready)
{
    lua_ua *u;
    check_call(L, 1, NULL, &u);
    sim_time_t t = lua_isnoneornil(L, idx) ? SIM_TIME_NEVER : simlua_check_time(L, idx);
    lua_settop(L, 1);
    sip_lua_wait_push(L, u, t, ready);
    return sip_lua_wait(L);
}

static int call_wait_answer(lua_State *L) { return wait_on(L, 2, answer_ready); }
static int call_wait_end(lua_State *L) { return wait_on(L, 2, end_ready); }

static const char *const reinvite_keys[] = { "add", "remove", "timeout", NULL };

static int call_reinvite(lua_State *L)
{
    sip_app *a;
    lua_ua *u;
    lcall *c = check_call(L, 1, &a, &u);
    luaL_checktype(L, 2, LUA_TTABLE);
    simlua_check_options(L, 2, reinvite_keys);
    sip_ua *core = sip_app_ua_core(a);
    const char *add = simlua_opt_str(L, 2, "add", NULL);
    lua_Integer rm = simlua_opt_int(L, 2, "remove", 0);
    if (add)
        sip_lua_check_rc(L, sip_ua_add_stream(core, c->id, add), "reinvite: add");
    if (rm && (rm < 1 || sip_ua_remove_stream(core, c->id, (unsigned)(rm - 1)) < 0))
        return luaL_argerror(L, 2, "option 'remove': no such stream");
    sim_time_t t = simlua_opt_time(L, 2, "timeout", 32 * SIM_SEC);
    unsigned seq = c->own_media_seq;
    act(L, a, sip_ua_reinvite(core, sim_world_now(u->world), c->id), "reinvite");
    lua_settop(L, 1);
    sip_lua_wait_push(L, u, t, media_ready);
    lua_pushinteger(L, seq);
    return sip_lua_wait(L);
}

/* ---------------------------------------------------------------- queries */

static int call_state(lua_State *L)
{
    sip_app *a;
    lcall *c = check_call(L, 1, &a, NULL);
    sip_call_state st;
    sip_ua_call_state(sip_app_ua_core(a), c->id, &st);
    lua_pushstring(L, sip_call_state_name(st));
    return 1;
}

static int call_peer(lua_State *L)
{
    sip_app *a;
    lcall *c = check_call(L, 1, &a, NULL);
    lua_pushstring(L, sip_ua_call_peer(sip_app_ua_core(a), c->id));
    return 1;
}

static const sdp_oa_stream *stream_arg(lua_State *L, sip_app *a, lcall *c, lua_Integer *i)
{
    *i = luaL_optinteger(L, 2, 1);
    const sdp_oa *oa = sip_ua_call_media(sip_app_ua_core(a), c->id);
    const sdp_oa_stream *st = oa && *i >= 1 ? sdp_oa_get(oa, (unsigned)(*i - 1)) : NULL;
    if (!st)
        luaL_argerror(L, 2, "no such stream");
    return st;
}

static int call_media(lua_State *L)
{
    sip_app *a;
    lcall *c = check_call(L, 1, &a, NULL);
    lua_Integer i;
    const sdp_oa_stream *st = stream_arg(L, a, c, &i);
    lua_createtable(L, 0, 5);
    simlua_set_int(L, "local_port", st->local_port);
    simlua_push_ep(L, &st->remote_rtp);
    lua_setfield(L, -2, "remote");
    lua_pushstring(L, st->encoding);
    lua_setfield(L, -2, "codec");
    lua_pushstring(L, st->media);
    lua_setfield(L, -2, "media");
    lua_pushboolean(L, st->active);
    lua_setfield(L, -2, "active");
    return 1;
}

static int call_stats(lua_State *L)
{
    sip_app *a;
    lua_ua *u;
    lcall *c = check_call(L, 1, &a, &u);
    lua_Integer i;
    stream_arg(L, a, c, &i);
    rtp_app *r = sim_world_ref_get(u->world, c->media[i - 1], RTP_REF_KIND);
    if (!r)
        return luaL_error(L, "stats: stream %d has no RTP session (not up, or media=false)",
                          (int)i);
    const rtp_stats *st = rtp_session_stats(rtp_app_session(r));
    lua_createtable(L, 0, 8);
    simlua_set_int(L, "packets_sent", (lua_Integer)st->packets_sent);
    simlua_set_int(L, "packets_received", (lua_Integer)st->packets_received);
    simlua_set_int(L, "lost", (lua_Integer)st->lost);
    simlua_set_num(L, "jitter_ms", st->jitter_ms);
    simlua_set_int(L, "rtcp_received", (lua_Integer)st->rtcp_received);
    simlua_set_int(L, "bye_received", (lua_Integer)st->bye_received);
    if (st->rtt_ms >= 0) {
        simlua_set_num(L, "rtt_ms", st->rtt_ms);
    }
    return 1;
}

static int call_tostring(lua_State *L)
{
    lcall_ud *ud = luaL_checkudata(L, 1, SIP_CALL_CLASS);
    sip_app *a = sim_world_ref_get(simlua_world(L), ud->app, SIP_REF_KIND);
    sip_call_state st;
    if (!a || !sip_app_ua_core(a) || sip_ua_call_state(sip_app_ua_core(a), ud->id, &st) < 0) {
        lua_pushliteral(L, "<sip call (gone)>");
        return 1;
    }
    lua_pushfstring(L, "<sip call %d on %s with %s: %s>", (int)ud->id, sip_app_node(a)->name,
                    sip_ua_call_peer(sip_app_ua_core(a), ud->id), sip_call_state_name(st));
    return 1;
}

static int call_ice(lua_State *L)
{
    lcall *c = check_call(L, 1, NULL, NULL);
    if (!c->ice)
        return 0;
    sip_lua_ice_push_state(L, c->ice);
    return 1;
}

static const luaL_Reg call_methods[] = {
    { "ice", call_ice },
    { "wait_answer", call_wait_answer }, { "ring", call_ring },
    { "answer", call_answer },           { "reject", call_reject },
    { "bye", call_bye },                 { "wait_end", call_wait_end },
    { "reinvite", call_reinvite },       { "state", call_state },
    { "peer", call_peer },               { "media", call_media },
    { "stats", call_stats },             { NULL, NULL },
};
static const luaL_Reg call_meta[] = { { "__tostring", call_tostring }, { NULL, NULL } };

void sip_lua_call_class(lua_State *L)
{
    simlua_new_class(L, SIP_CALL_CLASS, call_methods, call_meta);
}
