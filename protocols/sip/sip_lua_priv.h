/* protocols/sip/sip_lua_priv.h — state shared by the `sip` Lua module's files: sip_lua.c
 * (module, servers, user agents) and sip_lua_call.c (calls and their media). */
#ifndef PROTOCOLS_SIP_SIP_LUA_PRIV_H
#define PROTOCOLS_SIP_SIP_LUA_PRIV_H

#include "protocols/rtp/rtp.h"
#include "protocols/sdp/sdp.h"
#include "protocols/sip/sip.h"
#include "sim/lua/simlua.h"

#define SIP_UA_CLASS "natsim.SipUA"
#define SIP_SERVER_CLASS "natsim.SipServer"
#define SIP_CALL_CLASS "natsim.SipCall"

/* What Lua knows about one call of a UA. */
typedef struct lcall {
    unsigned id;
    bool answered, confirmed, ended;
    unsigned progress;       /* last 1xx (>100) */
    unsigned end_status;
    bool end_remote;
    unsigned media_seq;      /* bumped by every re-INVITE that changed the media */
    sim_ref media[SDP_OA_STREAMS_MAX]; /* rtp apps per stream (id 0: none) */
} lcall;

/* One UA's Lua side. */
typedef struct lua_ua {
    sim_world *world;
    sim_ref app;             /* the sip_app */
    lua_State *L;            /* the main state, for callbacks */
    simlua_cond *cond;       /* signalled after every batch of events */
    int on_invite;           /* registry ref of the callback, or LUA_NOREF */
    GPtrArray *calls;        /* lcall *, owned */
    GQueue incoming;         /* ids of calls not yet taken by wait_call */
    bool media;              /* start RTP when a call is up */
    unsigned reg_seq, reg_status, options_seq, options_status;
    uint32_t reg_expires;
    uint32_t expires;        /* what register() asks for by default */
} lua_ua;

/* The call userdata. */
typedef struct lcall_ud {
    sim_ref app;
    unsigned id;
} lcall_ud;

/* sip_lua.c */
/* The UA behind a live app, or NULL. */
lua_ua *sip_lua_ua_of(lua_State *L, sim_ref app);
/* The app of argument idx (a UA handle), raising on a stale one. */
sip_app *sip_lua_check_ua(lua_State *L, int idx);
/* Raises a Lua error "<what>: <strerror>" when rc < 0. */
void sip_lua_check_rc(lua_State *L, int rc, const char *what);

/* sip_lua_call.c */
/* Pushes a call handle for call id of app. */
void sip_lua_push_call(lua_State *L, sip_app *a, unsigned id);
/* The lcall of u with id, created on first use. */
lcall *sip_lua_call_get(lua_ua *u, unsigned id);
/* Starts / stops RTP sessions to match the call's negotiated streams. */
void sip_lua_media_sync(lua_ua *u, sip_app *a, lcall *c);
/* Stops every RTP session of the call (RTCP BYE). */
void sip_lua_media_stop(lua_ua *u, lcall *c);
/* Registers the call class. */
void sip_lua_call_class(lua_State *L);
/* Blocking calls: with the handle at [1], push the wait state ([2]) then any values ready()
 * reads ([3]...), and return sip_lua_wait(L). ready() checks the condition and pushes results
 * (returns their count), or returns -1 to wait on u's condition until the timeout. */
typedef int (*sip_lua_ready_fn)(lua_State *L, bool timed_out);
void sip_lua_wait_push(lua_State *L, lua_ua *u, sim_time_t timeout, sip_lua_ready_fn ready);
int sip_lua_wait(lua_State *L);

#endif
