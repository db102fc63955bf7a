/* protocols/sdp/sdp_oa.c — the offer/answer model (RFC 3264) for audio over RTP/AVP: offers
 * built from local capabilities, answers to offers (initial and re-offers), answers to our
 * offers taken, and the negotiated result per stream (where to send RTP and RTCP, with which
 * payload type and packetization). No I/O: descriptions in and out as text. */
#include "protocols/sdp/sdp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct local_stream {
    char media[16];
    uint16_t port;
    sdp_dir dir;
    bool removed;
} local_stream;

struct sdp_oa {
    sdp_oa_cfg cfg;
    char *username;
    uint64_t version;
    GString *last;             /* last description produced, with sess-version 0 */
    bool produced;
    bool offer_pending;        /* we sent an offer and await its answer */
    size_t n_offered;          /* m-lines in that offer */
    size_t n_remote;           /* m-lines in the last offer we answered (§8: never fewer) */
    size_t n;
    local_stream loc[SDP_OA_STREAMS_MAX];
    sdp_oa_stream neg[SDP_OA_STREAMS_MAX];
    size_t n_codecs;
    sdp_codec codecs[SDP_OA_CODECS_MAX];
    sdp_session *remote;       /* the last offer answered or answer taken (owned) */
    sdp_oa_ice *ice[SDP_OA_STREAMS_MAX]; /* RFC 8839 description per stream (owned) or NULL */
};

static const sdp_codec PCMU = { 0, "PCMU", 8000, 0, NULL };
static const sdp_codec PCMA = { 8, "PCMA", 8000, 0, NULL };
static const sdp_codec OPUS = { 111, "opus", 48000, 2, "minptime=10;useinbandfec=1" };
static const sdp_codec TEL_EVENT = { 101, "telephone-event", 8000, 0, "0-16" };

static bool is_dtmf(const sdp_codec *c) { return !g_ascii_strcasecmp(c->encoding, "telephone-event"); }

static void oa_ice_free(sdp_oa_ice *ice);

sdp_oa *sdp_oa_new(const sdp_oa_cfg *cfg)
{
    if (cfg->addr.family != SIM_AF_INET && cfg->addr.family != SIM_AF_INET6)
        return NULL;
    const char *user = cfg->username;
    /* o= username: non-empty, no whitespace (RFC 8866 §5.2) */
    if (!user || !*user || strpbrk(user, " \t\r\n"))
        user = "-";
    sdp_oa *oa = g_new0(sdp_oa, 1);
    oa->cfg = *cfg;
    oa->username = g_strdup(user);
    oa->cfg.username = oa->username;
    if (!oa->cfg.ptime)
        oa->cfg.ptime = 20;
    oa->version = cfg->sess_id;
    oa->last = g_string_new(NULL);
    if (cfg->pcmu || !(cfg->pcma || cfg->opus))
        oa->codecs[oa->n_codecs++] = PCMU;
    if (cfg->pcma)
        oa->codecs[oa->n_codecs++] = PCMA;
    if (cfg->opus)
        oa->codecs[oa->n_codecs++] = OPUS;
    if (cfg->telephone_event)
        oa->codecs[oa->n_codecs++] = TEL_EVENT;
    return oa;
}

void sdp_oa_free(sdp_oa *oa)
{
    if (!oa)
        return;
    g_free(oa->username);
    g_string_free(oa->last, TRUE);
    for (size_t i = 0; i < SDP_OA_STREAMS_MAX; i++)
        oa_ice_free(oa->ice[i]);
    sdp_session_free(oa->remote);
    g_free(oa);
}

static void stream_init(sdp_oa *oa, size_t i, const char *media, uint16_t port, sdp_dir dir)
{
    local_stream *l = &oa->loc[i];
    *l = (local_stream){ .port = port, .dir = dir };
    g_strlcpy(l->media, media, sizeof l->media);
    oa->neg[i] = (sdp_oa_stream){ .local_port = port, .dtmf_pt = SDP_PT_NONE };
    g_strlcpy(oa->neg[i].media, media, sizeof oa->neg[i].media);
}

int sdp_oa_add_stream(sdp_oa *oa, const char *media, uint16_t port, sdp_dir dir)
{
    if (oa->n >= SDP_OA_STREAMS_MAX)
        return -ENOSPC;
    stream_init(oa, oa->n, media, port, dir);
    return (int)oa->n++;
}

int sdp_oa_remove_stream(sdp_oa *oa, unsigned idx)
{
    if (idx >= oa->n)
        return -EINVAL;
    oa->loc[idx].removed = true;
    return 0;
}

int sdp_oa_set_dir(sdp_oa *oa, unsigned idx, sdp_dir dir)
{
    if (idx >= oa->n || (unsigned)dir > SDP_INACTIVE)
        return -EINVAL;
    oa->loc[idx].dir = dir;
    return 0;
}

/* ---------------------------------------------------------------- ICE (RFC 8839) */

static void oa_ice_free(sdp_oa_ice *ice)
{
    if (!ice)
        return;
    g_free(ice->ufrag);
    g_free(ice->pwd);
    g_strfreev(ice->cands);
    g_free(ice);
}

int sdp_oa_set_ice(sdp_oa *oa, unsigned idx, const sdp_oa_ice *ice)
{
    if (idx >= SDP_OA_STREAMS_MAX || (ice && (!ice->ufrag || !ice->pwd || !ice->def.port ||
                                 (ice->def.ip.family != SIM_AF_INET &&
                                  ice->def.ip.family != SIM_AF_INET6))))
        return -EINVAL;
    oa_ice_free(oa->ice[idx]);
    oa->ice[idx] = NULL;
    if (!ice)
        return 0;
    sdp_oa_ice *c = g_new0(sdp_oa_ice, 1);
    c->ufrag = g_strdup(ice->ufrag);
    c->pwd = g_strdup(ice->pwd);
    c->def = ice->def;
    c->cands = g_strdupv(ice->cands);
    oa->ice[idx] = c;
    return 0;
}

/* RFC 8839 §4.2.1: the default candidate in m= and a media-level c=, then the credentials
 * and every candidate; RTP and RTCP share the one component (RFC 5761 a=rtcp-mux). */
static void add_ice(sdp_media *m, const sdp_oa_ice *ice)
{
    m->port = ice->def.port;
    sdp_media_set_conn(m, &ice->def.ip);
    sdp_attr_add(m->attrs, "rtcp-mux", NULL);
    sdp_attr_add(m->attrs, "ice-ufrag", ice->ufrag);
    sdp_attr_add(m->attrs, "ice-pwd", ice->pwd);
    for (size_t i = 0; ice->cands && ice->cands[i]; i++)
        sdp_attr_add(m->attrs, "candidate", ice->cands[i]);
}

const sdp_session *sdp_oa_remote(const sdp_oa *oa) { return oa->remote; }

size_t sdp_oa_n_streams(const sdp_oa *oa) { return oa->n; }

const sdp_oa_stream *sdp_oa_get(const sdp_oa *oa, unsigned idx)
{
    return idx < oa->n ? &oa->neg[idx] : NULL;
}

uint64_t sdp_oa_version(const sdp_oa *oa) { return oa->version; }

/* ---------------------------------------------------------------- building */

static sdp_session *skeleton(const sdp_oa *oa)
{
    sdp_session *s = sdp_session_new();
    s->origin.username = g_strdup(oa->username);
    s->origin.sess_id = g_strdup_printf("%" G_GUINT64_FORMAT, oa->cfg.sess_id);
    char b[SIM_IP_STRLEN];
    sdp_addr_set(&s->origin.addr, oa->cfg.addr.family, sim_ip_fmt(&oa->cfg.addr, b, sizeof b));
    s->name = g_strdup("-");
    sdp_session_set_conn(s, &oa->cfg.addr);
    return s;
}

/* Appends an m-line carrying codecs[0..n) with their rtpmap/fmtp, ptime and direction. */
static void add_codecs(sdp_media *m, const sdp_codec *const *codecs, size_t n, unsigned ptime,
                       sdp_dir dir)
{
    for (size_t i = 0; i < n; i++) {
        const sdp_codec *c = codecs[i];
        g_ptr_array_add(m->fmts, g_strdup_printf("%u", c->pt));
        if (c->channels)
            sdp_attr_addf(m->attrs, "rtpmap", "%u %s/%u/%u", c->pt, c->encoding, c->clock,
                          c->channels);
        else
            sdp_attr_addf(m->attrs, "rtpmap", "%u %s/%u", c->pt, c->encoding, c->clock);
        if (c->fmtp)
            sdp_attr_addf(m->attrs, "fmtp", "%u %s", c->pt, c->fmtp);
    }
    sdp_attr_addf(m->attrs, "ptime", "%u", ptime);
    sdp_attr_add(m->attrs, sdp_dir_name(dir), NULL);
}

static void add_rejected(sdp_session *s, const char *media, const char *proto, const char *fmt)
{
    sdp_media_add(s, media, 0, proto, fmt);
}

/* Encodes s into out, moving the o= version on when the text differs from the last one we
 * produced (RFC 3264 §8: same description, same version; changed, version + 1). */
static void finish(sdp_oa *oa, sdp_session *s, GString *out)
{
    GString *body = g_string_new(NULL);
    s->origin.sess_version = 0;
    sdp_encode(s, body);
    if (oa->produced && strcmp(body->str, oa->last->str))
        oa->version++;
    oa->produced = true;
    g_string_assign(oa->last, body->str);
    g_string_free(body, TRUE);
    s->origin.sess_version = oa->version;
    sdp_encode(s, out);
    sdp_session_free(s);
}

int sdp_oa_offer(sdp_oa *oa, GString *out)
{
    if (oa->n == 0)
        return -EINVAL;
    sdp_session *s = skeleton(oa);
    for (size_t i = 0; i < oa->n; i++) {
        const local_stream *l = &oa->loc[i];
        if (l->removed || strcmp(l->media, "audio")) {
            add_rejected(s, l->media, "RTP/AVP", "0");
            continue;
        }
        const sdp_codec *list[SDP_OA_CODECS_MAX];
        for (size_t k = 0; k < oa->n_codecs; k++)
            list[k] = &oa->codecs[k];
        sdp_media *m = sdp_media_add(s, "audio", l->port, "RTP/AVP", NULL);
        add_codecs(m, list, oa->n_codecs, oa->cfg.ptime, l->dir);
        if (oa->ice[i])
            add_ice(m, oa->ice[i]);
    }
    finish(oa, s, out);
    oa->offer_pending = true;
    oa->n_offered = oa->n;
    return 0;
}

/* ---------------------------------------------------------------- matching */

/* Our codec for payload type pt of m: by rtpmap (name, clock, channels), or for a static type
 * without rtpmap by number (RFC 3551: 0 PCMU, 8 PCMA). NULL when we have none. */
static const sdp_codec *match(const sdp_oa *oa, const sdp_media *m, unsigned pt)
{
    sdp_rtpmap r;
    int rc = sdp_media_rtpmap(m, pt, &r);
    for (size_t k = 0; k < oa->n_codecs; k++) {
        const sdp_codec *c = &oa->codecs[k];
        if (rc == -ENOENT && pt < 96 && c->pt == pt)
            return c;
        if (rc == 0 && !g_ascii_strcasecmp(r.encoding, c->encoding) && r.clock == c->clock &&
            (r.channels ? r.channels : 1) == (c->channels ? c->channels : 1))
            return c;
    }
    return NULL;
}

/* The direction we end up with, from what the other side said (its own point of view) and what
 * we want: we send only if both agree on our sending, we receive only if both agree on theirs. */
static sdp_dir narrow(sdp_dir theirs, sdp_dir ours)
{
    bool ts = theirs == SDP_SENDRECV || theirs == SDP_SENDONLY;
    bool tr = theirs == SDP_SENDRECV || theirs == SDP_RECVONLY;
    bool os = ours == SDP_SENDRECV || ours == SDP_SENDONLY;
    bool orx = ours == SDP_SENDRECV || ours == SDP_RECVONLY;
    bool send = os && tr, recv = orx && ts;
    return send && recv ? SDP_SENDRECV : send ? SDP_SENDONLY : recv ? SDP_RECVONLY : SDP_INACTIVE;
}

/* Fills the negotiated stream from the remote media m (its address, RTCP, ptime); the codec
 * fields are set by the caller. */
static void remote_ends(const sdp_session *s, const sdp_media *m, sdp_oa_stream *n)
{
    const sdp_conn *c = sdp_media_conn(s, m);
    n->remote_rtp = (sim_ep){ c ? c->addr.ip : (sim_ip){ 0 }, m->port };
    n->remote_rtcp = (sim_ep){ n->remote_rtp.ip, (uint16_t)(m->port + 1) };
    uint16_t port;
    sdp_addr a = { 0 };
    if (sdp_media_rtcp(m, &port, &a) == 0) { /* RFC 3605 */
        n->remote_rtcp.port = port;
        if (a.host && a.ip.family)
            n->remote_rtcp.ip = a.ip;
        g_free(a.host);
    }
    unsigned ms;
    n->ptime = sdp_media_ptime(s, m, &ms) == 0 ? ms : 20;
}

static void set_codec(sdp_oa_stream *n, const sdp_codec *c, unsigned pt)
{
    n->pt = (uint8_t)pt;
    g_strlcpy(n->encoding, c->encoding, sizeof n->encoding);
    n->clock = c->clock;
    n->channels = c->channels ? c->channels : 1;
}

static bool is_avp(const char *proto) { return !strcmp(proto, "RTP/AVP"); }

/* ---------------------------------------------------------------- answering */

/* Answers one offered m-line into s and records the result in oa->neg[i]. */
static void answer_media(sdp_oa *oa, size_t i, const sdp_session *offer, const sdp_media *m,
                         sdp_session *s)
{
    local_stream *l = &oa->loc[i];
    sdp_oa_stream *n = &oa->neg[i];
    const sdp_codec *common[SDP_MAX_FMTS];
    unsigned pts[SDP_MAX_FMTS];
    size_t nc = 0, first = SIZE_MAX;
    bool usable = m->port && !l->removed && !strcmp(m->media, "audio") && is_avp(m->proto);
    for (guint f = 0; usable && f < m->fmts->len && nc < SDP_MAX_FMTS; f++) {
        unsigned pt = (unsigned)atoi(g_ptr_array_index(m->fmts, f));
        const sdp_codec *c = match(oa, m, pt);
        if (!c)
            continue;
        if (first == SIZE_MAX && !is_dtmf(c))
            first = nc;
        pts[nc] = pt;
        common[nc++] = c;
    }
    *n = (sdp_oa_stream){ .local_port = l->port, .dtmf_pt = SDP_PT_NONE };
    g_strlcpy(n->media, m->media, sizeof n->media);
    if (!usable || first == SIZE_MAX) { /* RFC 3264 §6: reject with port 0 */
        add_rejected(s, m->media, m->proto, g_ptr_array_index(m->fmts, 0));
        return;
    }
    /* The answer uses the offerer's payload type numbers, in the offerer's order (§6.1). */
    sdp_codec as[SDP_MAX_FMTS];
    const sdp_codec *list[SDP_MAX_FMTS];
    for (size_t k = 0; k < nc; k++) {
        as[k] = *common[k];
        as[k].pt = (uint8_t)pts[k];
        list[k] = &as[k];
        if (is_dtmf(common[k]) && n->dtmf_pt == SDP_PT_NONE)
            n->dtmf_pt = (uint8_t)pts[k];
    }
    n->dir = narrow(sdp_media_dir(offer, m), l->dir);
    n->active = true;
    set_codec(n, common[first], pts[first]);
    remote_ends(offer, m, n);
    sdp_media *am = sdp_media_add(s, "audio", l->port, "RTP/AVP", NULL);
    add_codecs(am, list, nc, oa->cfg.ptime, n->dir);
    /* RFC 8839: an answer does ICE only when the offer did */
    if (oa->ice[i] && sdp_ice_attr(offer, m, "ice-ufrag"))
        add_ice(am, oa->ice[i]);
}

int sdp_oa_answer(sdp_oa *oa, const char *text, size_t len, GString *out)
{
    sdp_session *offer;
    if (sdp_decode(text, len, &offer, NULL))
        return -EBADMSG;
    size_t nm = offer->media->len;
    if (nm < oa->n_remote || nm > SDP_OA_STREAMS_MAX || nm == 0) {
        sdp_session_free(offer);
        return -EPROTO;
    }
    for (size_t i = oa->n; i < nm; i++) { /* streams the offer adds */
        const sdp_media *m = g_ptr_array_index(offer->media, i);
        stream_init(oa, i, m->media, (uint16_t)(oa->cfg.port_base + 2 * i), SDP_SENDRECV);
    }
    oa->n = MAX(oa->n, nm);
    sdp_session *s = skeleton(oa);
    for (size_t i = 0; i < nm; i++)
        answer_media(oa, i, offer, g_ptr_array_index(offer->media, i), s);
    oa->n_remote = nm;
    oa->offer_pending = false;
    sdp_session_free(oa->remote);
    oa->remote = offer;
    finish(oa, s, out);
    return 0;
}

/* ---------------------------------------------------------------- taking an answer */

/* Checks one answered m-line against what we offered; fills *n. Returns 0 or -EPROTO. */
static int take_media(const sdp_oa *oa, size_t i, const sdp_session *ans, const sdp_media *m,
                      sdp_oa_stream *n)
{
    const local_stream *l = &oa->loc[i];
    *n = (sdp_oa_stream){ .local_port = l->port, .dtmf_pt = SDP_PT_NONE };
    g_strlcpy(n->media, l->media, sizeof n->media);
    if (strcmp(m->media, l->media))
        return -EPROTO;
    if (m->port == 0 || l->removed || strcmp(l->media, "audio"))
        return 0;
    if (!is_avp(m->proto))
        return -EPROTO;
    bool have = false;
    for (guint f = 0; f < m->fmts->len; f++) {
        unsigned pt = (unsigned)atoi(g_ptr_array_index(m->fmts, f));
        const sdp_codec *c = NULL;
        for (size_t k = 0; k < oa->n_codecs && !c; k++)
            if (oa->codecs[k].pt == pt)
                c = &oa->codecs[k];
        if (!c)
            return -EPROTO; /* RFC 3264 §6.1: only formats from the offer */
        if (is_dtmf(c) && n->dtmf_pt == SDP_PT_NONE)
            n->dtmf_pt = (uint8_t)pt;
        else if (!is_dtmf(c) && !have) {
            set_codec(n, c, pt);
            have = true;
        }
    }
    if (!have)
        return 0;
    n->dir = narrow(sdp_media_dir(ans, m), l->dir);
    n->active = true;
    remote_ends(ans, m, n);
    return 0;
}

int sdp_oa_accept_answer(sdp_oa *oa, const char *text, size_t len)
{
    if (!oa->offer_pending)
        return -EPROTO;
    sdp_session *ans;
    if (sdp_decode(text, len, &ans, NULL))
        return -EBADMSG;
    int rc = ans->media->len == oa->n_offered ? 0 : -EPROTO;
    sdp_oa_stream neg[SDP_OA_STREAMS_MAX];
    for (size_t i = 0; rc == 0 && i < oa->n_offered; i++)
        rc = take_media(oa, i, ans, g_ptr_array_index(ans->media, i), &neg[i]);
    if (rc == 0) {
        memcpy(oa->neg, neg, oa->n_offered * sizeof neg[0]);
        oa->offer_pending = false;
        sdp_session_free(oa->remote);
        oa->remote = ans;
        ans = NULL;
    }
    sdp_session_free(ans);
    return rc;
}
