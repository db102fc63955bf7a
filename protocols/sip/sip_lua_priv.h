/* protocols/sip/sip_lua_priv.h — state shared by the `sip` Lua module's files: sip_lua.c
 * (module, servers, user agents), sip_lua_opts.c (option tables) and sip_lua_call.c (calls and
 * their media). */
#ifndef PROTOCOLS_SIP_SIP_LUA_PRIV_H
#define PROTOCOLS_SIP_SIP_LUA_PRIV_H

#include "protocols/ice/ice.h"
#include "protocols/rtp/rtp.h"
#include "protocols/sdp/sdp.h"
#include "protocols/sip/sip.h"
#include "sim/lua/simlua.h"

#define SIP_UA_CLASS "natsim.SipUA"
#define SIP_SERVER_CLASS "natsim.SipServer"
#define SIP_CALL_CLASS "natsim.SipCall"

typedef struct sip_lua_ice sip_lua_ice;

/* What Lua knows about one call of a UA. */
typedef struct lcall {
    unsigned id;
    bool answered, confirmed, ended;
    unsigned progress;       /* last 1xx (>100) */
    unsigned end_status;
    bool end_remote;
    unsigned media_seq;      /* bumped by every re-INVITE that changed the media */
    sim_ref media[SDP_OA_STREAMS_MAX]; /* rtp apps per stream (id 0: none) */
    sip_lua_ice *ice;        /* the call's ICE agent (world-owned), or NULL */
    bool answer_pending;     /* call:answer() came before gathering ended */
    unsigned own_media_seq;  /* bumped when a re-INVITE of ours was answered (call:reinvite
                                waits for this, not for the peer's re-INVITEs: glare) */
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
    bool ice;                /* gather and put ICE in the SDP of every call */
    ice_app_cfg ice_cfg;     /* STUN/TURN servers; turn_user/turn_pass owned */
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
/* Answers an incoming call now (ICE description set first when the call has one). */
void sip_lua_answer_now(lua_ua *u, sip_app *a, lcall *c);
/* Frees an lcall (the GPtrArray free function; its ICE agent stays with the world). */
void sip_lua_call_free(gpointer p);
/* Registers the call class. */
void sip_lua_call_class(lua_State *L);
/* Blocking calls: with the handle at [1], push the wait state ([2]) then any values ready()
 * reads ([3]...), and return sip_lua_wait(L). ready() checks the condition and pushes results
 * (returns their count), or returns -1 to wait on u's condition until the timeout. */
typedef int (*sip_lua_ready_fn)(lua_State *L, bool timed_out);
void sip_lua_wait_push(lua_State *L, lua_ua *u, sim_time_t timeout, sip_lua_ready_fn ready);
int sip_lua_wait(lua_State *L);

/* sip_lua_ice.c */
/* Creates a call's ICE agent on n from u's servers and starts gathering. Returns world-owned,
 * or NULL with err set. */
sip_lua_ice *sip_lua_ice_start(lua_ua *u, sim_node *n, bool controlling, GError **err);
/* Ties the agent to SIP call id of its UA. */
void sip_lua_ice_bind(sip_lua_ice *ice, unsigned call);
/* The Lua side is going away: callbacks do nothing from now on. */
void sip_lua_ice_detach(sip_lua_ice *ice);
/* True once every candidate is known (the offer or answer can be written). */
bool sip_lua_ice_gathered(const sip_lua_ice *ice);
/* The RFC 8839 description of the local candidates into *out (owned strings: clear with
 * sip_lua_ice_describe_clear). Returns 0 or -ENOENT (no IPv4 candidate). */
int sip_lua_ice_describe(const sip_lua_ice *ice, sdp_oa_ice *out);
void sip_lua_ice_describe_clear(sdp_oa_ice *d);
/* The call's stream 0 was negotiated (st): hands the peer's candidates to the agent once, and
 * starts RTP over the selected pair when there is one. Returns false when the peer's
 * description has no ICE (the caller then runs plain RTP). */
bool sip_lua_ice_media(lua_ua *u, sip_app *a, lcall *c, const sdp_oa_stream *st);
/* The call ended: closes the agent's sockets and stops its checks and keep-alives. */
void sip_lua_ice_stop(sip_lua_ice *ice);
/* Pushes {state=, local=, remote=, local_addr=, remote_addr=} for call:ice(). */
void sip_lua_ice_push_state(lua_State *L, const sip_lua_ice *ice);

/* sip_lua_opts.c: option tables into C configurations (each raises a Lua error naming the
 * option on bad input). */
/* Option key of table idx as "ip" or "ip:port" (port defport when absent) into *ep; false when
 * the option is absent. */
bool sip_lua_opt_hostport(lua_State *L, int idx, const char *key, sim_ep *ep, uint16_t defport);
/* The app's own address: the node's first IPv4 address, else its first global IPv6 one. */
sim_ip sip_lua_node_ip(lua_State *L, sim_node *n);
/* Option tcp_idle (a time; 0: never): when TCP connections the app opened close when idle. */
sim_time_t sip_lua_opt_tcp_idle(lua_State *L, int idx);
/* Option transport = "udp" | "tcp": true for TCP. */
bool sip_lua_opt_tcp(lua_State *L, int idx);
/* Option users = {name = "pw"} appended to names / pws (owned strings), sorted by name. */
void sip_lua_opt_users(lua_State *L, int idx, GPtrArray *names, GPtrArray *pws);
/* Server options outbound, force_path, flow_timeout, flow_timer (RFC 5626, RFC 3327). */
void sip_lua_opt_outbound_server(lua_State *L, int idx, sip_server_cfg *cfg);
/* Proxy options timer_c and authenticate (which needs users). */
void sip_lua_opt_proxy(lua_State *L, int idx, sip_server_cfg *cfg);
/* UA option ice = {stun =, turn =, user =, password =} into *cfg (strings borrowed from the
 * table); false when absent. */
bool sip_lua_opt_ice(lua_State *L, int idx, ice_app_cfg *cfg);
/* UA options outbound = true | {edges =, rto =} and keepalive = seconds | false. */
void sip_lua_opt_outbound_ua(lua_State *L, int idx, sip_ua_cfg *cfg);

#endif
