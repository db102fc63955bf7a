/* protocols/sdp/sdp.h — SDP, the Session Description Protocol, and the offer/answer model:
 *   RFC 8866 (obsoletes RFC 4566)  the session description: syntax, field order, fields,
 *   RFC 3264                       the offer/answer model (sdp_oa.c),
 *   RFC 3605                       the "a=rtcp" attribute,
 *   RFC 5888                       the "a=mid" attribute,
 *   RFC 8839                       ICE attributes in SDP (ice-ufrag, ice-pwd, ice-options,
 *                                  candidate, end-of-candidates, ice-lite).
 *
 * Layering (DESIGN §4): sdp_msg.c is the codec (text <-> sdp_session, no I/O), sdp_attr.c the
 * typed views of attributes (rtpmap, fmtp, ptime, direction, rtcp, mid, ICE), sdp_oa.c the
 * RFC 3264 offer/answer core (a pure function of local capabilities and the remote SDP),
 * sdp_decode.c is `natsim decode sdp`.
 *
 * A session description is text, one "<type>=<value>" line per field, in this order (RFC 8866
 * §5; * = zero or more, ? = optional):
 *
 *     v=  o=  s=  i=?  u=?  e=*  p=*  c=?  b=*  { t=  r=* }+  z=?  k=?  a=*
 *     (z= may also sit between two time descriptions, as RFC 8866's grammar allows)
 *     then per media:  m=  i=?  c=*  b=*  k=?  a=*
 *
 * The decoder is strict about that order, the field syntax and the type letters (an unknown
 * letter rejects the description, §5) and lenient about attributes: any "a=name[:value]" is
 * kept, in order, and only the ones read through the typed views below are checked. Lines end
 * in CRLF; a bare LF is accepted (§5). The encoder always writes the canonical form.
 */
#ifndef PROTOCOLS_SDP_SDP_H
#define PROTOCOLS_SDP_SDP_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/addr.h"

/* ---------------------------------------------------------------- limits */

#define SDP_MAX_LEN 65536      /* largest description decoded */
#define SDP_MAX_MEDIA 64       /* m= lines */
#define SDP_MAX_FMTS 64        /* formats on one m= line */
#define SDP_MAX_ATTRS 256      /* a= lines per section */
#define SDP_TOKEN_MAX 256      /* any one token (address, attribute name, format) */

/* ---------------------------------------------------------------- the description */

/* A network address as written ("IN IP4 198.51.100.1"): family from the address type, the
 * text as on the wire (an IP literal or a domain name), and the parsed literal (family NONE
 * for a domain name). */
typedef struct sdp_addr {
    uint8_t family;        /* SIM_AF_INET (IP4) or SIM_AF_INET6 (IP6) */
    char *host;            /* owned */
    sim_ip ip;
} sdp_addr;

/* c= (RFC 8866 §5.7): an address with, for multicast, a TTL (IP4) and a count of addresses. */
typedef struct sdp_conn {
    sdp_addr addr;
    unsigned ttl;          /* 0: none written */
    unsigned count;        /* 0: none written (means 1) */
} sdp_conn;

/* b=<bwtype>:<bandwidth> (§5.8). */
typedef struct sdp_bw {
    char *type;            /* owned: "AS", "CT", "TIAS" ... */
    uint64_t value;
} sdp_bw;

/* a=<name>[:<value>] (§5.13). value NULL: a property attribute ("a=recvonly"). */
typedef struct sdp_attr {
    char *name;            /* owned */
    char *value;           /* owned, may be NULL */
} sdp_attr;

/* t= with its r= lines (§5.9, §5.10). Repeat lines are kept as written (validated). */
typedef struct sdp_time {
    uint64_t start, stop;
    GPtrArray *repeats;    /* of char*, owned */
} sdp_time;

/* o= (§5.2). */
typedef struct sdp_origin {
    char *username;        /* owned; "-" when none */
    char *sess_id;         /* owned; a numeric string (may exceed 64 bits) */
    uint64_t sess_version;
    sdp_addr addr;
} sdp_origin;

/* One media description (§5.14). */
typedef struct sdp_media {
    char *media;           /* owned: "audio", "video", "application" ... */
    uint16_t port;         /* 0: the stream is rejected or removed (RFC 3264) */
    unsigned nports;       /* 0: none written (means 1) */
    char *proto;           /* owned: "RTP/AVP", "RTP/SAVP", "UDP/TLS/RTP/SAVPF" ... */
    GPtrArray *fmts;       /* of char*, owned: payload types for RTP protocols */
    char *info;            /* i=, owned or NULL */
    GArray *conns;         /* of sdp_conn */
    GArray *bws;           /* of sdp_bw */
    char *key;             /* k=, owned or NULL */
    GArray *attrs;         /* of sdp_attr, in order */
} sdp_media;

/* A whole session description. Every string is owned by it. */
typedef struct sdp_session {
    unsigned version;      /* v=, always 0 */
    sdp_origin origin;
    char *name;            /* s= */
    char *info;            /* i=, or NULL */
    char *uri;             /* u=, or NULL */
    GPtrArray *emails;     /* e=, of char* */
    GPtrArray *phones;     /* p=, of char* */
    bool has_conn;
    sdp_conn conn;         /* session-level c= when has_conn */
    GArray *bws;           /* of sdp_bw */
    GArray *times;         /* of sdp_time; at least one */
    char *zone;            /* z=, or NULL */
    char *key;             /* k=, or NULL */
    GArray *attrs;         /* of sdp_attr, in order */
    GPtrArray *media;      /* of sdp_media*, owned */
} sdp_session;

/* Why a decode failed: the 1-based line and a static reason. */
typedef struct sdp_err {
    unsigned line;
    const char *why;
} sdp_err;

/* ---------------------------------------------------------------- codec (sdp_msg.c) */

/* An empty description (v=0, "t=0 0", no origin fields set). Returns owned. */
sdp_session *sdp_session_new(void);
/* Frees a description and everything in it. NULL-safe. */
void sdp_session_free(sdp_session *s);
/* Decodes text[0..len): every line's syntax, the field order of RFC 8866 §5, a c= for every
 * media (session or media level), RTP formats 0..127. Returns 0 with *out owned by the caller,
 * or -EBADMSG with *e (may be NULL) set and *out untouched. */
int sdp_decode(const char *text, size_t len, sdp_session **out, sdp_err *e);
/* Appends the canonical CRLF text of s to out. Returns 0, or -EINVAL (a required field is
 * missing, or a field holds a CR, LF or NUL): out is then unchanged. */
int sdp_encode(const sdp_session *s, GString *out);
/* Appends a media description (fields copied; fmts is a space-separated list). Returns the
 * new media (borrowed from s). */
sdp_media *sdp_media_add(sdp_session *s, const char *media, uint16_t port, const char *proto,
                         const char *fmts);
/* Appends an attribute (copied; value NULL for a property) to a session's or media's list. */
void sdp_attr_add(GArray *attrs, const char *name, const char *value);
/* Appends an attribute whose value is printf-formatted. */
void sdp_attr_addf(GArray *attrs, const char *name, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* Sets an address (host copied, parsed into ip when it is a literal). Returns 0 or -EINVAL
 * (an IP literal of the other family, or not a host name). */
int sdp_addr_set(sdp_addr *a, uint8_t family, const char *host);
/* Sets a media-level c= (replacing any) to ip. */
void sdp_media_set_conn(sdp_media *m, const sim_ip *ip);
/* Sets the session-level c= to ip. */
void sdp_session_set_conn(sdp_session *s, const sim_ip *ip);

/* ---------------------------------------------------------------- typed views (sdp_attr.c) */

/* The first attribute called name in attrs (value may be NULL), or NULL. */
const sdp_attr *sdp_attr_find(const GArray *attrs, const char *name);
/* True if attrs holds an attribute called name. */
bool sdp_attr_has(const GArray *attrs, const char *name);

typedef enum sdp_dir {
    SDP_SENDRECV = 0,
    SDP_SENDONLY,
    SDP_RECVONLY,
    SDP_INACTIVE,
} sdp_dir;

/* "sendrecv", "sendonly", "recvonly", "inactive". */
const char *sdp_dir_name(sdp_dir d);
/* The direction attribute in attrs; -ENOENT if none, -EBADMSG if there are two. */
int sdp_dir_get(const GArray *attrs, sdp_dir *d);
/* The direction of media m: its own attribute, else the session's, else sendrecv (RFC 8866
 * §6.7). A conflicting pair of attributes at one level counts as absent at that level. */
sdp_dir sdp_media_dir(const sdp_session *s, const sdp_media *m);
/* The direction an answerer (or an accepted answer) gives: what the other side said, seen
 * from here (sendonly <-> recvonly). */
sdp_dir sdp_dir_reverse(sdp_dir d);

/* a=rtpmap:<pt> <encoding>/<clock>[/<channels>] (§6.6). */
typedef struct sdp_rtpmap {
    uint8_t pt;
    char encoding[32];
    uint32_t clock;
    unsigned channels;     /* 0: none written (means 1 for audio) */
} sdp_rtpmap;

/* Parses an rtpmap value. Returns 0 or -EBADMSG. */
int sdp_rtpmap_parse(const char *value, sdp_rtpmap *out);
/* The rtpmap of payload type pt in m. Returns 0, -ENOENT or -EBADMSG. */
int sdp_media_rtpmap(const sdp_media *m, unsigned pt, sdp_rtpmap *out);
/* The format parameters ("a=fmtp:<pt> <params>") of pt in m (borrowed), or NULL. */
const char *sdp_media_fmtp(const sdp_media *m, unsigned pt);
/* a=ptime / a=maxptime in milliseconds (media level, else session level). Returns 0, -ENOENT
 * or -EBADMSG (not a positive number). */
int sdp_media_ptime(const sdp_session *s, const sdp_media *m, unsigned *ms);
int sdp_media_maxptime(const sdp_session *s, const sdp_media *m, unsigned *ms);
/* a=rtcp:<port> [IN IP4|IP6 <addr>] (RFC 3605). *addr is cleared when no address is given
 * (the caller frees addr->host). Returns 0, -ENOENT or -EBADMSG. */
int sdp_media_rtcp(const sdp_media *m, uint16_t *port, sdp_addr *addr);
/* a=mid value (borrowed), or NULL. */
const char *sdp_media_mid(const sdp_media *m);
/* The c= that applies to m: its first own, else the session's, or NULL. */
const sdp_conn *sdp_media_conn(const sdp_session *s, const sdp_media *m);

/* ---------------------------------------------------------------- ICE (RFC 8839, sdp_attr.c) */

typedef enum sdp_cand_type {
    SDP_CAND_HOST = 0,
    SDP_CAND_SRFLX,
    SDP_CAND_PRFLX,
    SDP_CAND_RELAY,
} sdp_cand_type;

#define SDP_CAND_EXT_MAX 8

/* a=candidate (RFC 8839 §5.1). */
typedef struct sdp_candidate {
    char foundation[33];   /* 1*32 ice-char */
    unsigned component;    /* 1..256 */
    char transport[16];    /* "UDP" (any token kept) */
    uint32_t priority;
    char address[SDP_TOKEN_MAX]; /* IP literal or FQDN as written */
    sim_ip ip;             /* family NONE for an FQDN */
    uint16_t port;
    sdp_cand_type type;
    bool has_related;
    char raddr[SDP_TOKEN_MAX];
    uint16_t rport;
    size_t n_ext;
    struct {
        char name[32];
        char value[SDP_TOKEN_MAX];
    } ext[SDP_CAND_EXT_MAX];
} sdp_candidate;

/* "host", "srflx", "prflx", "relay". */
const char *sdp_cand_type_name(sdp_cand_type t);
/* Parses a candidate attribute value (without "candidate:"). Returns 0 or -EBADMSG with *why
 * (may be NULL) set to a static reason. */
int sdp_candidate_parse(const char *value, sdp_candidate *c, const char **why);
/* Appends the candidate attribute value (without "candidate:") to out. */
void sdp_candidate_fmt(const sdp_candidate *c, GString *out);
/* An ICE attribute of m ("ice-ufrag", "ice-pwd", "ice-options"): the media's own, else the
 * session's (RFC 8839 §5.4). Borrowed, or NULL. */
const char *sdp_ice_attr(const sdp_session *s, const sdp_media *m, const char *name);
/* True for a session with a=ice-lite. */
bool sdp_ice_lite(const sdp_session *s);
/* True for a media with a=end-of-candidates (media or session level). */
bool sdp_end_of_candidates(const sdp_session *s, const sdp_media *m);

/* ---------------------------------------------------------------- offer/answer (sdp_oa.c) */

/* A codec we can send and receive. */
typedef struct sdp_codec {
    uint8_t pt;            /* payload type offered (static 0 / 8, or dynamic 96..127) */
    const char *encoding;  /* "PCMU", "PCMA", "opus", "telephone-event" (static string) */
    uint32_t clock;
    unsigned channels;     /* 0: not written */
    const char *fmtp;      /* NULL: none */
} sdp_codec;

#define SDP_OA_CODECS_MAX 8
#define SDP_OA_STREAMS_MAX 16
#define SDP_PT_NONE 0xFF

/* Local capabilities. Strings are copied. */
typedef struct sdp_oa_cfg {
    const char *username;  /* o= username (NULL: "-") */
    uint64_t sess_id;      /* o= sess-id, and the first sess-version */
    sim_ip addr;           /* our address: o= and c= */
    unsigned ptime;        /* a=ptime we ask for (0: 20) */
    bool pcmu, pcma, opus; /* codecs offered, in this order: PCMU 0, PCMA 8, opus 111 */
    bool telephone_event;  /* also offer telephone-event/8000 as 101 */
    uint16_t port_base;    /* streams created to answer an offer use port_base + 2 * index */
} sdp_oa_cfg;

/* What was agreed for one stream: what a sender and a receiver need. */
typedef struct sdp_oa_stream {
    bool active;           /* false: rejected or removed (port 0 on either side) */
    char media[16];
    uint16_t local_port;
    sdp_dir dir;           /* from our point of view: sendonly = we send only */
    sim_ep remote_rtp;     /* where we send RTP */
    sim_ep remote_rtcp;    /* where we send RTCP (a=rtcp, else port + 1) */
    uint8_t pt;            /* the payload type we send (the first common codec) */
    char encoding[32];
    uint32_t clock;
    unsigned channels;
    uint8_t dtmf_pt;       /* telephone-event's payload type, or SDP_PT_NONE */
    unsigned ptime;        /* packetization the other side asked for (a=ptime, else 20) */
} sdp_oa_stream;

typedef struct sdp_oa sdp_oa;

/* ICE for one local stream (RFC 8839): credentials, the default candidate (written into m=
 * and a media-level c=, §4.2.1) and the candidate attribute values (without "candidate:",
 * NULL-terminated). */
struct sdp_oa_ice {
    char *ufrag, *pwd;
    sim_ep def;
    char **cands;
};
typedef struct sdp_oa_ice sdp_oa_ice;

/* Creates an offer/answer core (cfg copied; a username that is empty or holds whitespace
 * becomes "-"). Returns owned, or NULL when cfg->addr is not an IPv4 or IPv6 address. */
sdp_oa *sdp_oa_new(const sdp_oa_cfg *cfg);
/* Frees it. NULL-safe. */
void sdp_oa_free(sdp_oa *oa);
/* Adds a local stream for the next offer ("audio" only carries our codecs). Returns its index,
 * or -ENOSPC. */
int sdp_oa_add_stream(sdp_oa *oa, const char *media, uint16_t port, sdp_dir dir);
/* Removes stream idx from the next offer: its m-line stays, with port 0 (RFC 3264 §8.2).
 * Returns 0 or -EINVAL. */
int sdp_oa_remove_stream(sdp_oa *oa, unsigned idx);
/* Changes the direction stream idx asks for. Returns 0 or -EINVAL. */
int sdp_oa_set_dir(sdp_oa *oa, unsigned idx, sdp_dir dir);
/* Appends an offer for the local streams to out. The o= version is incremented when the
 * description differs from the last one sent (RFC 3264 §8). Returns 0 or -EINVAL (no
 * streams). */
int sdp_oa_offer(sdp_oa *oa, GString *out);
/* Takes the answer to our last offer. Returns 0 (the streams are negotiated), -EBADMSG (not
 * SDP), or -EPROTO (not an answer to that offer: m-line count or media differ, a payload type
 * we did not offer). On failure nothing changes. */
int sdp_oa_accept_answer(sdp_oa *oa, const char *text, size_t len);
/* Answers an offer (initial or re-offer): one m-line per offered one, in order; port 0 for a
 * stream we reject (port 0 offered, no common codec, not audio); formats are the common ones in
 * the offerer's order and with the offerer's payload types (RFC 3264 §6.1); the direction is
 * the offered one reversed and narrowed by ours. Appends the answer to out. Returns 0,
 * -EBADMSG (not SDP), or -EPROTO (fewer m-lines than a previous offer, §8). */
int sdp_oa_answer(sdp_oa *oa, const char *text, size_t len, GString *out);
/* Puts ice (copied; NULL: none) into stream idx (which may not exist yet: an answer's stream
 * made from the offer gets it) of every later offer, and of every answer whose offered m-line
 * has ICE credentials (RFC 8839), with a=rtcp-mux. Returns 0, or
 * -EINVAL (idx >= SDP_OA_STREAMS_MAX, no ufrag/pwd, no default candidate). */
int sdp_oa_set_ice(sdp_oa *oa, unsigned idx, const sdp_oa_ice *ice);
/* The remote description last negotiated: the offer we answered or the answer we took
 * (borrowed until the next negotiation), or NULL. Its ICE attributes are read with
 * sdp_ice_attr() and the media's "candidate" attributes. */
const sdp_session *sdp_oa_remote(const sdp_oa *oa);
/* Number of streams, and stream idx's negotiated state (borrowed), or NULL. */
size_t sdp_oa_n_streams(const sdp_oa *oa);
const sdp_oa_stream *sdp_oa_get(const sdp_oa *oa, unsigned idx);
/* The o= sess-version of the last description we produced. */
uint64_t sdp_oa_version(const sdp_oa *oa);

/* ---------------------------------------------------------------- CLI (sdp_decode.c) */

/* Appends a human-readable dump of s: every field, attributes with their typed meaning. */
void sdp_session_fmt(const sdp_session *s, GString *out);
/* `natsim decode sdp FILE` (natsim_decode_fn of cli/cli.h). Returns 0, or -1 with err set
 * (an option given, a malformed description with the line and the reason). */
int sdp_decode_cli(const uint8_t *data, size_t len, int argc, char **argv, GString *out,
                   GError **err);

#endif
