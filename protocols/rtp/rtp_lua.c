/* protocols/rtp/rtp_lua.c — module `rtp` for scenarios:
 *
 *   local s = rtp.session(host, {port=4000, to="10.0.0.2:4000", duration="10s",
 *                                ptime="20ms", cname="alice", rtcp_mux=false,
 *                                probation=false, latch=false})
 *       -- starts now: sends 20 ms PCMU packets to `to` for `duration` (0 or absent: only
 *       -- receives), RTCP SR/RR + SDES to to.port + 1 (or `to` with rtcp_mux); with
 *       -- latch, sends where the other side's packets come from (symmetric RTP, RFC 4961)
 *   s:stats()  -> { packets_sent, octets_sent, packets_received, octets_received, expected,
 *                   lost, fraction_lost, jitter_ts, jitter_ms, duplicates, reordered,
 *                   rtcp_sent, rtcp_received, sr_received, rr_received, bye_received, bad,
 *                   other_ssrc, ssrc, remote_ssrc, remote_lost, remote_fraction_lost,
 *                   remote_jitter_ts, rtt_ms (nil until measured) }
 *   s:bye([reason])   RTCP BYE, then silence
 *   s:close()
 */
#include "protocols/rtp/rtp.h"

#include <errno.h>
#include <string.h>
#include "sim/lua/simlua.h"

#define RTP_SESSION_CLASS "natsim.RtpSession"

static rtp_app *check_app(lua_State *L, int idx)
{
    return simlua_check_handle(L, idx, RTP_SESSION_CLASS, RTP_REF_KIND);
}

static const char *const session_keys[] = { "port", "to", "rtcp_to", "duration", "ptime",
                                            "cname", "rtcp_mux", "probation", "latch", NULL };

/* Option `key` of table idx as an endpoint string; returns false when absent. */
static bool opt_ep(lua_State *L, int idx, const char *key, sim_ep *ep)
{
    const char *s = simlua_opt_str(L, idx, key, NULL);
    if (!s)
        return false;
    if (sim_ep_parse(s, ep) || ep->port == 0)
        luaL_error(L, "option '%s': an endpoint \"ip:port\" with a port, not \"%s\"", key, s);
    return true;
}

static int l_session(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    simlua_check_options(L, 2, session_keys);
    lua_Integer port = simlua_opt_int(L, 2, "port", -1);
    if (port < 1 || port > 65534)
        return luaL_argerror(L, 2, "option 'port': 1..65534 (RTCP uses port + 1)");
    rtp_app_cfg cfg = { .port = (uint16_t)port };
    if (!opt_ep(L, 2, "to", &cfg.to))
        return luaL_argerror(L, 2, "option 'to' (\"ip:port\") is required");
    opt_ep(L, 2, "rtcp_to", &cfg.rtcp_to);
    cfg.duration = simlua_opt_time(L, 2, "duration", 0);
    cfg.rtcp_mux = simlua_opt_bool(L, 2, "rtcp_mux", false);
    cfg.latch = simlua_opt_bool(L, 2, "latch", false);
    cfg.session.ptime = simlua_opt_time(L, 2, "ptime", 20 * SIM_MS);
    if (cfg.session.ptime < SIM_MS || cfg.session.ptime > 150 * SIM_MS)
        return luaL_argerror(L, 2, "option 'ptime': 1ms..150ms");
    cfg.session.cname = simlua_opt_str(L, 2, "cname", n->name);
    cfg.session.probation = simlua_opt_bool(L, 2, "probation", false);
    GError *err = NULL;
    rtp_app *a = rtp_app_new(n, &cfg, &err);
    if (!a)
        return simlua_raise_gerror_msg(L, err);
    simlua_push_handle(L, RTP_SESSION_CLASS, rtp_app_ref(a));
    return 1;
}

static int session_stats(lua_State *L)
{
    rtp_app *a = check_app(L, 1);
    const rtp_stats *st = rtp_session_stats(rtp_app_session(a));
    lua_createtable(L, 0, 24);
    simlua_set_int(L, "packets_sent", (lua_Integer)st->packets_sent);
    simlua_set_int(L, "octets_sent", (lua_Integer)st->octets_sent);
    simlua_set_int(L, "packets_received", (lua_Integer)st->packets_received);
    simlua_set_int(L, "octets_received", (lua_Integer)st->octets_received);
    simlua_set_int(L, "expected", (lua_Integer)st->expected);
    simlua_set_int(L, "lost", (lua_Integer)st->lost);
    simlua_set_num(L, "fraction_lost", st->fraction_lost / 256.0);
    simlua_set_int(L, "jitter_ts", st->jitter_ts);
    simlua_set_num(L, "jitter_ms", st->jitter_ms);
    simlua_set_int(L, "duplicates", st->duplicates);
    simlua_set_int(L, "reordered", st->reordered);
    simlua_set_int(L, "rtcp_sent", (lua_Integer)st->rtcp_sent);
    simlua_set_int(L, "rtcp_received", (lua_Integer)st->rtcp_received);
    simlua_set_int(L, "sr_received", (lua_Integer)st->sr_received);
    simlua_set_int(L, "rr_received", (lua_Integer)st->rr_received);
    simlua_set_int(L, "bye_received", (lua_Integer)st->bye_received);
    simlua_set_int(L, "bad", (lua_Integer)st->bad);
    simlua_set_int(L, "other_ssrc", (lua_Integer)st->other_ssrc);
    simlua_set_int(L, "ssrc", st->local_ssrc);
    if (st->remote_known)
        simlua_set_int(L, "remote_ssrc", st->remote_ssrc);
    if (st->have_remote_report) {
        simlua_set_int(L, "remote_lost", st->remote_lost);
        simlua_set_num(L, "remote_fraction_lost", st->remote_fraction_lost / 256.0);
        simlua_set_int(L, "remote_jitter_ts", st->remote_jitter_ts);
        simlua_set_num(L, "remote_jitter_ms", st->remote_jitter_ts * 1000.0 / st->clock);
    }
    if (st->rtt_ms >= 0)
        simlua_set_num(L, "rtt_ms", st->rtt_ms);
    return 1;
}

static int session_bye(lua_State *L)
{
    rtp_app *a = check_app(L, 1);
    rtp_app_bye(a, luaL_optstring(L, 2, NULL));
    return 0;
}

static int session_close(lua_State *L)
{
    rtp_app_free(simlua_handle_get(L, 1, RTP_SESSION_CLASS, RTP_REF_KIND));
    return 0;
}

static int session_tostring(lua_State *L)
{
    rtp_app *a = simlua_handle_get(L, 1, RTP_SESSION_CLASS, RTP_REF_KIND);
    if (!a || !rtp_app_session(a)) {
        lua_pushliteral(L, "<rtp session (closed)>");
        return 1;
    }
    const rtp_stats *st = rtp_session_stats(rtp_app_session(a));
    char ssrc[16];
    g_snprintf(ssrc, sizeof ssrc, "0x%08x", st->local_ssrc);
    lua_pushfstring(L, "<rtp session on %s, SSRC %s: %d sent, %d received, %d lost>",
                    rtp_app_node(a)->name, ssrc, (int)st->packets_sent,
                    (int)st->packets_received, (int)st->lost);
    return 1;
}

static const luaL_Reg session_methods[] = {
    { "stats", session_stats },
    { "bye", session_bye },
    { "close", session_close },
    { NULL, NULL },
};
static const luaL_Reg session_meta[] = { { "__tostring", session_tostring }, { NULL, NULL } };

static const luaL_Reg module_funcs[] = {
    { "session", l_session },
    { NULL, NULL },
};

int rtp_lua_open(lua_State *L)
{
    simlua_new_class(L, RTP_SESSION_CLASS, session_methods, session_meta);
    luaL_newlib(L, module_funcs);
    return 1;
}
