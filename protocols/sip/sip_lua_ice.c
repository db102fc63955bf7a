/* protocols/sip/sip_lua_ice.c — ICE for the calls of the Lua `sip` module (RFC 8839 ICE in
 * the SDP of SIP calls, RFC 8445 connectivity checks, RFC 5761 RTP/RTCP on one component).
 *
 * The layering: the UA core (sip_ua.c) stays sans-I/O and only writes and reads SDP — it is
 * handed an sdp_oa_ice (credentials, default candidate, candidate lines) for its offer or
 * answer, and exposes the peer's description through sdp_oa_remote(). This file is the glue
 * a softphone would have: one ICE agent (ice_app, with its own sockets, STUN and TURN) per
 * call that gathers before the offer (caller, controlling) or before the answer (callee,
 * controlled), feeds the peer's candidates to the agent once the offer/answer is complete,
 * and when a pair is selected starts the call's RTP session with the agent as its transport
 * (relayed candidates wrap the media into TURN inside the agent). */
#include <errno.h>
#include <string.h>
#include "protocols/ice/ice.h"
#include "protocols/sip/sip_lua_priv.h"

struct sip_lua_ice {
    lua_ua *u;               /* NULL once the Lua side is gone */
    ice_app *app;            /* world-owned */
    unsigned call;           /* 0 until the SIP call exists */
    bool gathered, remote_set, failed, stopped;
    bool sel;                /* component 1 selected a pair: */
    ice_cand sel_local, sel_remote; /* its candidates (kept after the agent stops) */
    sim_ref rtp;             /* the RTP session running over the selected pair */
};

static void world_free(void *p) { g_free(p); }

/* The call and app of ice, or NULL when the UA or the call is gone. */
static lcall *ice_call(sip_lua_ice *ice, sip_app **a)
{
    if (!ice->u || !ice->call)
        return NULL;
    *a = sim_world_ref_get(ice->u->world, ice->u->app, SIP_REF_KIND);
    return *a && sip_app_ua_core(*a) ? sip_lua_call_get(ice->u, ice->call) : NULL;
}

static void on_cand(ice_app *app, const ice_cand *c, void *ctx)
{
    sip_lua_ice *ice = ctx;
    (void)app;
    if (c || ice->gathered || !ice->u)
        return;
    ice->gathered = true; /* the whole description is known: an answer held back can go */
    sip_app *a;
    lcall *lc = ice_call(ice, &a);
    if (lc && lc->answer_pending)
        sip_lua_answer_now(ice->u, a, lc);
    simlua_cond_signal(ice->u->cond);
}

/* Copies the candidates of the selected pair (call:ice() reads them after the agent
 * stopped). Returns false for an unknown pair. */
static bool keep_selected(sip_lua_ice *ice, const ice_agent *ag, unsigned pair)
{
    const ice_pair *p = ice_agent_pair(ag, pair);
    const ice_cand *l = p ? ice_agent_local(ag, p->local) : NULL;
    const ice_cand *r = p ? ice_agent_remote(ag, p->remote) : NULL;
    if (!l || !r)
        return false;
    ice->sel = true;
    ice->sel_local = *l;
    ice->sel_remote = *r;
    return true;
}

static void on_event(ice_app *app, const ice_event *ev, void *ctx)
{
    sip_lua_ice *ice = ctx;
    if (!ice->u || ev->component != 1)
        return;
    if (ev->kind == ICE_EV_SELECTED) {
        if (!keep_selected(ice, ice_app_agent(app), ev->pair))
            return;
        sip_app *a;
        lcall *lc = ice_call(ice, &a);
        if (lc)
            sip_lua_media_sync(ice->u, a, lc);
    } else if (ev->kind == ICE_EV_FAILED || ev->kind == ICE_EV_CONSENT_LOST) {
        ice->failed = true;
    }
    simlua_cond_signal(ice->u->cond);
}

static void on_data(ice_app *app, unsigned comp, const uint8_t *d, size_t len, void *ctx)
{
    sip_lua_ice *ice = ctx;
    (void)app;
    rtp_app *r = ice->u ? sim_world_ref_get(ice->u->world, ice->rtp, RTP_REF_KIND) : NULL;
    if (r && comp == 1)
        rtp_app_input(r, d, len);
}

static void rtp_send(const uint8_t *data, size_t len, bool rtcp, void *ctx)
{
    sip_lua_ice *ice = ctx;
    (void)rtcp; /* RFC 5761: RTCP shares the RTP component */
    if (!ice->stopped)
        ice_app_send(ice->app, 1, data, len); /* before selection, after consent loss: lost */
}

sip_lua_ice *sip_lua_ice_start(lua_ua *u, sim_node *n, bool controlling, GError **err)
{
    ice_app_cfg cfg = u->ice_cfg;
    cfg.agent.controlling = controlling;
    cfg.agent.components = 1;
    ice_app *app = ice_app_new(n, &cfg, err);
    if (!app)
        return NULL;
    sip_lua_ice *ice = g_new0(sip_lua_ice, 1);
    ice->u = u;
    ice->app = app;
    sim_world_on_free(u->world, world_free, ice);
    ice_app_on_cand(app, on_cand, ice);
    ice_app_on_event(app, on_event, ice);
    ice_app_on_data(app, on_data, ice);
    ice_app_gather(app);
    return ice;
}

void sip_lua_ice_bind(sip_lua_ice *ice, unsigned call) { ice->call = call; }

void sip_lua_ice_detach(sip_lua_ice *ice) { ice->u = NULL; }

bool sip_lua_ice_gathered(const sip_lua_ice *ice) { return ice->gathered; }

/* RFC 8839 §4.2.1 / RFC 8445: the default candidate is the one most likely to work:
 * relayed, else server-reflexive, else host (component 1, IPv4 first as the agent lists). */
static const ice_cand *default_cand(const ice_agent *ag)
{
    static const ice_cand_type order[] = { ICE_CAND_RELAY, ICE_CAND_SRFLX, ICE_CAND_HOST };
    for (size_t t = 0; t < G_N_ELEMENTS(order); t++)
        for (size_t i = 0; i < ice_agent_n_local(ag); i++) {
            const ice_cand *c = ice_agent_local(ag, i);
            if (c->component == 1 && c->type == order[t] && c->addr.ip.family == SIM_AF_INET)
                return c;
        }
    return NULL;
}

int sip_lua_ice_describe(const sip_lua_ice *ice, sdp_oa_ice *out)
{
    const ice_agent *ag = ice_app_agent(ice->app);
    const ice_cand *def = default_cand(ag);
    if (!def)
        return -ENOENT;
    size_t n = ice_agent_n_local(ag);
    GPtrArray *lines = g_ptr_array_new();
    for (size_t i = 0; i < n; i++) {
        char buf[ICE_CAND_STRLEN];
        if (ice_cand_encode(ice_agent_local(ag, i), buf, sizeof buf) == 0)
            g_ptr_array_add(lines, g_strdup(buf + strlen("candidate:")));
    }
    g_ptr_array_add(lines, NULL);
    *out = (sdp_oa_ice){ .ufrag = g_strdup(ice_agent_ufrag(ag)),
                         .pwd = g_strdup(ice_agent_pwd(ag)),
                         .def = def->addr,
                         .cands = (char **)g_ptr_array_free(lines, FALSE) };
    return 0;
}

void sip_lua_ice_describe_clear(sdp_oa_ice *d)
{
    g_free(d->ufrag);
    g_free(d->pwd);
    g_strfreev(d->cands);
    *d = (sdp_oa_ice){ 0 };
}

/* The peer's credentials and candidates from the first m-line of its description. Returns 0
 * or -ENOENT (no ICE in it: the peer does not do ICE). */
static int take_remote(sip_lua_ice *ice, const sdp_session *s)
{
    const sdp_media *m = s && s->media->len ? g_ptr_array_index(s->media, 0) : NULL;
    const char *ufrag = m ? sdp_ice_attr(s, m, "ice-ufrag") : NULL;
    const char *pwd = m ? sdp_ice_attr(s, m, "ice-pwd") : NULL;
    ice_agent *ag = ice_app_agent(ice->app);
    sim_time_t now = sim_world_now(ice->u->world);
    if (!ufrag || !pwd || ice_agent_set_remote(ag, now, ufrag, pwd) != 0)
        return -ENOENT;
    for (guint i = 0; i < m->attrs->len; i++) {
        const sdp_attr *at = &g_array_index(m->attrs, sdp_attr, i);
        if (strcmp(at->name, "candidate") || !at->value)
            continue;
        g_autofree char *line = g_strconcat("candidate:", at->value, NULL);
        ice_cand c;
        if (ice_cand_decode(line, strlen(line), &c) == 0 && c.component == 1)
            ice_agent_add_remote(ag, now, &c); /* TCP, FQDN, RTCP components: skipped */
    }
    ice_agent_remote_done(ag, now);
    ice_app_kick(ice->app);
    return 0;
}

bool sip_lua_ice_media(lua_ua *u, sip_app *a, lcall *c, const sdp_oa_stream *st)
{
    sip_lua_ice *ice = c->ice;
    if (ice->stopped)
        return true;
    if (!ice->remote_set) {
        const sdp_oa *oa = sip_ua_call_media(sip_app_ua_core(a), c->id);
        ice->remote_set = take_remote(ice, sdp_oa_remote(oa)) == 0;
        if (!ice->remote_set)
            return false; /* RFC 8839: a peer without ICE gets plain RTP to c=/m= */
    }
    if (!ice->sel || sim_world_ref_get(u->world, ice->rtp, RTP_REF_KIND))
        return true;
    rtp_app_cfg cfg = { .send = rtp_send, .send_ctx = ice, .duration = 24 * 3600 * SIM_SEC };
    cfg.session.pt = st->pt;
    cfg.session.clock = st->clock;
    cfg.session.ptime = (sim_time_t)(st->ptime ? st->ptime : 20) * SIM_MS;
    cfg.session.cname = sip_app_node(a)->name;
    rtp_app *r = rtp_app_new(sip_app_node(a), &cfg, NULL);
    if (r) {
        ice->rtp = rtp_app_ref(r);
        c->media[0] = ice->rtp;
    }
    return true;
}

void sip_lua_ice_stop(sip_lua_ice *ice)
{
    if (ice->stopped)
        return;
    ice->stopped = true; /* the RTCP BYE went out already: rtp_app_bye sends at once */
    ice_app_free(ice->app);
}

void sip_lua_ice_push_state(lua_State *L, const sip_lua_ice *ice)
{
    lua_newtable(L);
    const char *state = ice->stopped ? "closed" : ice->failed ? "failed" : ice->sel ? "connected"
                      : ice->remote_set ? "checking" : ice->gathered ? "gathered" : "gathering";
    lua_pushstring(L, state);
    lua_setfield(L, -2, "state");
    if (!ice->sel)
        return;
    const ice_cand *lc = &ice->sel_local, *rc = &ice->sel_remote;
    char buf[SIM_EP_STRLEN];
    lua_pushstring(L, ice_cand_type_name(lc->type));
    lua_setfield(L, -2, "local");
    lua_pushstring(L, ice_cand_type_name(rc->type));
    lua_setfield(L, -2, "remote");
    lua_pushstring(L, sim_ep_fmt(&lc->addr, buf, sizeof buf));
    lua_setfield(L, -2, "local_addr");
    lua_pushstring(L, sim_ep_fmt(&rc->addr, buf, sizeof buf));
    lua_setfield(L, -2, "remote_addr");
}
