/* protocols/sip/sip.h — SIP, the Session Initiation Protocol: the message layer.
 *   RFC 3261  §7 message format, §7.3 header fields (compact forms, folding, lists),
 *             §19.1 SIP and SIPS URIs, §20 header fields, §25 the ABNF,
 *             §8.2.2 / §16.3 request validation, §8.2.6 response building
 *   RFC 3581  rport / received; RFC 5626 (lite) registered flows for UAs behind NATs
 *   RFC 8839  ICE candidates in the SDP of calls (sip_ua_call_ice)
 *   RFC 3966  tel URIs (as Request-URI and in name-addr)
 *   RFC 4475  torture test messages (tests/unit/test_sip.c)
 *   RFC 3261 §17 / RFC 6026  client and server transactions, Timers A-M (sip_txn.c)
 *   RFC 3261 §8, §10, §12-15, §22 / RFC 3264  dialogs and the user agent core (sip_dialog.c,
 *             sip_ua.c, sip_ua_call.c): REGISTER, INVITE/ACK/BYE/CANCEL, re-INVITE, OPTIONS
 *   RFC 3261 §10.3, §16 / RFC 3263  registrar and location service (sip_registrar.c),
 *             stateful forking proxy and redirect server (sip_server.c, sip_fork.c), server
 *             location NAPTR -> SRV -> A/AAAA, RFC 2782 order, failover (sip_locate.c)
 *   RFC 3261 §18  transports: sip_sim.c drives a UA or server core over sim/socket.h, UDP and
 *             TCP (sip_tcp.c: connection reuse, Content-Length framing); sip_lua.c is `sip`.
 *   RFC 2617 / RFC 7616 / RFC 8760  HTTP digest authentication with MD5 and SHA-256
 *
 * Layering (DESIGN §4): sip_msg.c frames a datagram into a start line, header lines and a body;
 * sip_hdr.c knows header names and parses header values (Via, name-addr, CSeq …); sip_uri.c
 * parses URIs; sip_scan.c is the shared lexer (tokens, quoted strings, parameters, lists); sip_edit.c changes a message (what proxies do: push/pop Via, Record-Route) and
 * encodes it; sip_proxy.c the per-hop Via / Max-Forwards rules; sip_check.c holds the §8.2.2 validation and response building;
 * sip_salvage.c re-reads a request that does not decode for its 400 / 505; sip_auth.c the
 * digest; sip_decode.c is `natsim decode sip`. No I/O anywhere.
 *
 * A decoded message keeps every header line in wire order as (id, name, value) with the value
 * unfolded (each CRLF+WSP became spaces) and trimmed; typed getters parse a value on demand into
 * structs of sip_str slices that point into that value (borrowed until the header is changed or
 * the message freed). Decoding already validated every known header, so a getter on a decoded,
 * unchanged message fails only with -ENOENT.
 *
 *   Request:   Method SP Request-URI SP SIP/2.0 CRLF      Response:  SIP/2.0 SP 3DIGIT SP Reason CRLF
 *              *( header-name HCOLON value CRLF )                    ...
 *              CRLF  [ body of Content-Length bytes ]
 */
#ifndef PROTOCOLS_SIP_SIP_H
#define PROTOCOLS_SIP_SIP_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/addr.h"
#include "sim/rng.h"
#include "sim/time.h"
#include "protocols/dns/dns.h"

/* ---------------------------------------------------------------- limits and constants */

#define SIP_MSG_MAX 65535        /* largest datagram / message decoded */
#define SIP_HDRS_MAX 256         /* header lines kept per message */
#define SIP_PARAMS_MAX 24        /* parameters per URI or header value */
#define SIP_CSEQ_MAX 2147483647u /* RFC 3261 §8.1.1.5: CSeq < 2**31 */
#define SIP_BRANCH_COOKIE "z9hG4bK" /* RFC 3261 §8.1.1.7 magic cookie */

/* A slice of text: p is borrowed (see the owner in each use), not NUL-terminated. */
typedef struct sip_str {
    const char *p;
    size_t len;
} sip_str;

/* Header ids: the headers this code knows by name (long and compact forms). */
typedef enum sip_hdr_id {
    SIP_HDR_OTHER = 0,
    SIP_HDR_ACCEPT, SIP_HDR_ACCEPT_CONTACT, SIP_HDR_ALLOW, SIP_HDR_ALLOW_EVENTS,
    SIP_HDR_AUTHORIZATION, SIP_HDR_CALL_ID, SIP_HDR_CONTACT, SIP_HDR_CONTENT_ENCODING,
    SIP_HDR_CONTENT_LENGTH, SIP_HDR_CONTENT_TYPE, SIP_HDR_CSEQ, SIP_HDR_DATE, SIP_HDR_EVENT,
    SIP_HDR_EXPIRES, SIP_HDR_FROM, SIP_HDR_IDENTITY, SIP_HDR_IDENTITY_INFO,
    SIP_HDR_MAX_FORWARDS, SIP_HDR_MIN_EXPIRES, SIP_HDR_PROXY_AUTHENTICATE,
    SIP_HDR_PROXY_AUTHORIZATION, SIP_HDR_PROXY_REQUIRE, SIP_HDR_RECORD_ROUTE,
    SIP_HDR_REFER_TO, SIP_HDR_REFERRED_BY, SIP_HDR_REJECT_CONTACT, SIP_HDR_REQUEST_DISPOSITION,
    SIP_HDR_REQUIRE, SIP_HDR_RETRY_AFTER, SIP_HDR_ROUTE, SIP_HDR_SERVER, SIP_HDR_SESSION_EXPIRES,
    SIP_HDR_SUBJECT, SIP_HDR_SUPPORTED, SIP_HDR_TO, SIP_HDR_UNSUPPORTED, SIP_HDR_USER_AGENT,
    SIP_HDR_VIA, SIP_HDR_WWW_AUTHENTICATE,
    SIP_HDR_COUNT
} sip_hdr_id;

/* Why a decode failed: a static reason (usable as a 400 reason phrase), the status code a
 * server should answer with (400, or 505 for another SIP version) and the byte offset. */
typedef struct sip_err {
    const char *why;
    unsigned status;
    size_t off;
} sip_err;

/* ---------------------------------------------------------------- typed values (sip_hdr.c, sip_uri.c) */

/* One ;name[=value] parameter; value is raw (quotes and %HH escapes kept). */
typedef struct sip_param {
    sip_str name;
    sip_str value;
    bool has_value;
} sip_param;

typedef struct sip_params {
    size_t n;
    sip_param v[SIP_PARAMS_MAX];
} sip_params;

typedef enum sip_scheme {
    SIP_SCHEME_SIP,
    SIP_SCHEME_SIPS,
    SIP_SCHEME_TEL,
    SIP_SCHEME_OTHER, /* any other absoluteURI: only raw is set */
} sip_scheme;

/* A URI. Slices are raw (escapes kept: compare with sip_unescape). For tel: user is the number. */
typedef struct sip_uri {
    sip_scheme scheme;
    sip_str raw;       /* the whole URI */
    sip_str user, password;
    bool has_user, has_password;
    sip_str host;      /* IPv6 references without the brackets (ipv6 true) */
    bool ipv6;
    int port;          /* -1 when absent */
    sip_params params; /* uri-parameters (tel: its parameters) */
    sip_str headers;   /* after '?', raw; len 0 when none */
} sip_uri;

/* name-addr or addr-spec with header parameters (From, To, Contact, Route, Record-Route …). */
typedef struct sip_nameaddr {
    sip_str display;   /* raw display-name (quotes kept), len 0 when none */
    bool angle;        /* the URI was in <> */
    bool star;         /* Contact: * */
    sip_uri uri;
    sip_params params; /* header parameters (tag, expires, q, lr on the URI is in uri.params) */
} sip_nameaddr;

/* One Via value (RFC 3261 §20.42, RFC 3581). */
typedef struct sip_via {
    sip_str version;   /* "2.0" */
    sip_str transport; /* UDP, TCP, TLS, SCTP, or any token */
    sip_str host;      /* sent-by host, IPv6 without brackets */
    bool ipv6;
    int port;          /* -1 when absent */
    sip_params params;
    sip_str branch;    /* len 0 when absent */
    bool rfc3261;      /* branch starts with the magic cookie z9hG4bK */
    sip_str received;  /* len 0 when absent */
    bool rport;        /* ;rport present, with or without a value */
    int rport_value;   /* -1 when ;rport has no value */
    sip_str maddr;
    int ttl;           /* -1 when absent */
} sip_via;

typedef struct sip_cseq {
    uint32_t seq;
    sip_str method;
} sip_cseq;

/* Parses a URI (sip:, sips:, tel: fully, any other scheme as an absoluteURI). s is borrowed;
 * the result points into it. Returns 0 or -EBADMSG (*why, may be NULL, gets a static reason). */
int sip_uri_parse(const char *s, size_t len, sip_uri *u, const char **why);
/* Decodes %HH escapes of in into out (NUL-terminated, cap > 0). Returns the decoded length
 * (which may include NUL bytes from %00), -EBADMSG for a bad escape, -ENOSPC if it does not fit. */
int sip_unescape(sip_str in, char *out, size_t cap);
/* Compares two URIs by RFC 3261 §19.1.4 for the parts proxies need: scheme, user and password
 * (escapes decoded, case-sensitive), host (case-insensitive), port, and the transport, user,
 * ttl, method and maddr parameters when present in either. True when equal. */
bool sip_uri_equal(const sip_uri *a, const sip_uri *b);

/* The first parameter called name (case-insensitive), or NULL. */
const sip_param *sip_params_find(const sip_params *p, const char *name);
/* Parses one Via value (v borrowed; the result points into it). 0 or -EBADMSG with *why (why
 * may be NULL, as for the parsers below). */
int sip_via_parse(sip_str v, sip_via *out, const char **why);
/* Parses one name-addr / addr-spec value with its header parameters; `star` allows Contact's
 * "*", `need_angle` requires <> (Route, Record-Route). 0 or -EBADMSG with *why. */
int sip_nameaddr_parse(sip_str v, bool star, bool need_angle, sip_nameaddr *out, const char **why);
/* Parses a CSeq value. 0 or -EBADMSG with *why (also for a number >= 2**31). */
int sip_cseq_parse(sip_str v, sip_cseq *out, const char **why);
/* Checks one value of header id against its grammar (typed headers; others: any text).
 * 0 or -EBADMSG with *why. */
int sip_hdr_check(sip_hdr_id id, sip_str v, const char **why);
/* True when the header's values are comma-separated lists (Via, Contact, Route …). */
bool sip_hdr_is_list(sip_hdr_id id);
/* Canonical long name of a known header ("Call-ID"); NULL for SIP_HDR_OTHER. */
const char *sip_hdr_name(sip_hdr_id id);
/* The id of a header name (long or compact, any case); SIP_HDR_OTHER when unknown. */
sip_hdr_id sip_hdr_lookup(const char *name, size_t len);

/* ---------------------------------------------------------------- messages (sip_msg.c, sip_edit.c) */

/* One header line. name and value are owned by the message (NUL-terminated). */
typedef struct sip_hdr {
    sip_hdr_id id;
    char *name;  /* as on the wire, or the canonical name when added by sip_msg_add */
    char *value; /* unfolded, leading/trailing whitespace removed; NUL-terminated, but a
                    quoted-pair may hold a NUL: value_len is the length */
    size_t value_len;
} sip_hdr;

typedef struct sip_msg {
    bool request;
    char *method;      /* requests: owned */
    char *ruri;        /* requests: owned */
    sip_uri uri;       /* requests: parsed ruri (points into ruri) */
    unsigned status;   /* responses */
    char *reason;      /* responses: owned */
    GPtrArray *hdrs;   /* owned sip_hdr *, wire order */
    uint8_t *body;     /* owned, may be NULL */
    size_t body_len;
} sip_msg;

/* Decodes one datagram (RFC 3261 §18.3: a body longer than Content-Length is truncated, a
 * shorter one is an error; no Content-Length means the rest of the datagram). Leading CRLFs
 * are skipped (§7.5). Every known header's value is checked against its grammar. On success
 * *out is an owned message (sip_msg_free). Returns 0, -EBADMSG (malformed) or -EPROTO (another
 * SIP version), with *e (may be NULL) set; *out untouched on failure. */
int sip_msg_decode(const uint8_t *buf, size_t len, sip_msg **out, sip_err *e);
/* Stream framing (TCP, §18.3): the length of the first whole message in buf (leading CRLFs
 * included) in *msg_len. Checks only the line structure and Content-Length (the message still
 * has to be decoded; a malformed start line is the decoder's to report). Returns 0, -EAGAIN when more bytes are needed, -EBADMSG
 * when those are malformed or Content-Length is missing (required on streams). */
int sip_msg_frame(const uint8_t *buf, size_t len, size_t *msg_len);
/* A new request (method a token, ruri a valid Request-URI, both copied). Returns 0 or -EINVAL;
 * *out owned. */
int sip_msg_new_request(const char *method, const char *ruri, sip_msg **out);
/* A new response (100..699; reason copied, NULL gives the standard phrase). NULL on a bad code. */
sip_msg *sip_msg_new_response(unsigned status, const char *reason);
/* Frees a message. NULL-safe. */
void sip_msg_free(sip_msg *m);
/* Standard reason phrase for a status code ("Trying", "Ringing" …), or "" when unknown. */
const char *sip_reason_phrase(unsigned status);

/* The nth header line (0-based) with this id, or NULL. Borrowed from m. */
const sip_hdr *sip_msg_hdr(const sip_msg *m, sip_hdr_id id, size_t nth);
/* The first header line named name (case-insensitive; for unknown headers), or NULL. */
const sip_hdr *sip_msg_hdr_named(const sip_msg *m, const char *name);
/* The number of values of id across all its lines (list headers count each comma-separated
 * value; others count lines). */
size_t sip_msg_count(const sip_msg *m, sip_hdr_id id);
/* The idx-th value of id across all its lines, trimmed, borrowed from m. 0 or -ENOENT. */
int sip_msg_value(const sip_msg *m, sip_hdr_id id, size_t idx, sip_str *v);

/* Typed getters. Each returns 0, -ENOENT (absent) or -EBADMSG (a value changed after decode
 * that does not parse). Results point into m (borrowed until m changes). */
/* The idx-th Via value (0 is the top one). */
int sip_msg_via(const sip_msg *m, size_t idx, sip_via *out);
/* The idx-th value of From, To, Contact (may be "*"), Route, Record-Route, Refer-To … */
int sip_msg_nameaddr(const sip_msg *m, sip_hdr_id id, size_t idx, sip_nameaddr *out);
/* The CSeq number and method. */
int sip_msg_cseq(const sip_msg *m, sip_cseq *out);
/* The Call-ID value. */
int sip_msg_call_id(const sip_msg *m, sip_str *out);
/* Max-Forwards, Expires, Content-Length … as a number (0..2**32-1, larger values clamp). */
int sip_msg_uint(const sip_msg *m, sip_hdr_id id, uint32_t *out);
/* The tag parameter of From or To; len 0 when the header has none. 0, -ENOENT, -EBADMSG. */
int sip_msg_tag(const sip_msg *m, sip_hdr_id id, sip_str *tag);

/* The value of a header line as a slice (borrowed from h). */
static inline sip_str sip_hdr_value(const sip_hdr *h)
{
    return (sip_str){ h->value, h->value_len };
}
/* Appends a header line (name NULL: the canonical name of id; id SIP_HDR_OTHER needs a name).
 * value is copied and must be one line. Returns 0 or -EINVAL (bad name/value, or the value
 * does not match the grammar of id). */
int sip_msg_add(sip_msg *m, sip_hdr_id id, const char *name, const char *value);
/* Inserts a header line before the first line of the same id (or after the start line if
 * none): a proxy's new top Via or Record-Route. Returns 0 or -EINVAL as sip_msg_add. */
int sip_msg_push(sip_msg *m, sip_hdr_id id, const char *value);
/* Removes the first value of id (the top Via, the top Route): the first value of a list line
 * or the whole line when it has one value. Returns 0 or -ENOENT. */
int sip_msg_pop(sip_msg *m, sip_hdr_id id);
/* Removes every line of id (id SIP_HDR_OTHER: every line called name). Returns how many. */
size_t sip_msg_remove(sip_msg *m, sip_hdr_id id, const char *name);
/* Removes the lines of id for which match(line, ctx) is true (a proxy taking out the
 * credentials for its own realm, §22.3). Returns how many were removed. */
size_t sip_msg_remove_if(sip_msg *m, sip_hdr_id id, bool (*match)(const sip_hdr *h, void *ctx),
                         void *ctx);
/* Replaces every line of id by one line with value. 0 or -EINVAL. */
int sip_msg_set(sip_msg *m, sip_hdr_id id, const char *value);
/* Replaces the body (copied; len 0 removes it) and its Content-Type (NULL: remove). 0/-EINVAL. */
int sip_msg_set_body(sip_msg *m, const char *content_type, const void *body, size_t len);
/* Serialises canonically: start line, each line "Name: value" with the canonical long name of
 * known headers in order, Content-Length from the body (any stored one is replaced), CRLF,
 * body. Appends to out. */
void sip_msg_encode(const sip_msg *m, GString *out);

/* ---------------------------------------------------------------- validation, responses (sip_check.c) */

/* RFC 3261 §8.1.1 / §8.2.2 / §16.3 checks a UA or proxy makes on a decoded message before
 * acting on it: requests need Via, From, To, Call-ID, CSeq and Max-Forwards, a Request-URI
 * scheme this stack understands (sip, sips, tel) and a CSeq method equal to the request
 * method; responses need Via, From, To, Call-ID and CSeq (one From/To is already enforced by
 * decoding). Returns 0 (*status 0), or -EPROTO with *status and *reason a static phrase: 400
 * ("Missing Call-ID", "CSeq method does not match the request method"), 416 "Unsupported URI
 * Scheme" (RFC 4475 unkscm), 501 "Not Implemented" for a CSeq mismatch on a method outside
 * RFC 3261 (RFC 4475 mismatch02). Max-Forwards 0 (483) is sip_msg_forward_hops. */
int sip_msg_validate(const sip_msg *m, unsigned *status, const char **reason);
/* Builds a response to a request (RFC 3261 §8.2.6.2): copies every Via (in order), From, To,
 * Call-ID and CSeq; adds ;tag=to_tag to To when given and To has no tag (not for 100).
 * reason NULL gives the standard phrase. Returns 0, -EINVAL (not a request, bad code), or
 * -EBADMSG (req lacks those headers); *out owned. */
int sip_msg_response(const sip_msg *req, unsigned status, const char *reason,
                     const char *to_tag, sip_msg **out);
/* RFC 3261 §8.2.2.3 (a UAS: require SIP_HDR_REQUIRE) and §16.3 step 6 (a proxy:
 * SIP_HDR_PROXY_REQUIRE): natsim supports no extension, so a request listing option tags there
 * gets 420 Bad Extension with all of them in one Unsupported header (To tag as in
 * sip_msg_response). ACK and CANCEL are never refused. Returns 1 with *out owned, 0 (nothing
 * required: *out NULL), or the negative errno of sip_msg_response / sip_msg_add. */
int sip_msg_bad_extension(const sip_msg *req, sip_hdr_id require, const char *to_tag,
                          sip_msg **out);

/* A response to a request that failed sip_msg_validate (§8.2.2, §21.4.1): like
 * sip_msg_response but copying only whichever of Via, From, To, Call-ID and CSeq exist, with
 * no To tag. Returns 0 or -EINVAL (not a request, bad code); *out owned. */
int sip_msg_reject(const sip_msg *req, unsigned status, const char *reason, sip_msg **out);
/* Reads from a request that failed sip_msg_decode what a response needs (RFC 3261 §8.2.2,
 * §16.3; RFC 4475 §3.1.2, §3.3.8; sip_salvage.c): a request line "Method SP ... SP SIP/x.y"
 * (the Request-URI is not parsed, the version may be another one), every Via value and the
 * first From, To, Call-ID and CSeq. Each is copied as received when valid, else rebuilt from
 * its valid parts (empty or bad parameters dropped, display names quoted, <> around an
 * addr-spec, a CSeq number above 2**31-1 clamped); a Via below one that cannot be rebuilt is
 * left out. On success *out is an owned request holding only those headers, each valid.
 * Returns 0 or -EBADMSG (not a request, no end of header, a bare CR/LF, no usable top Via,
 * one of From/To/Call-ID/CSeq missing or beyond repair, a Call-ID that is not valid). */
int sip_msg_salvage(const uint8_t *buf, size_t len, sip_msg **out);
/* The response to a request that did not decode: e is the decoder's error; the status is
 * e->status (400, 413, 505), the reason phrase e->why for a 400 as far as Reason-Phrase
 * allows ("400 body shorter than Content-Length", §21.4.1), else the standard phrase
 * ("505 Version Not Supported"); built by sip_msg_reject from what sip_msg_salvage read, so
 * it always decodes. Returns 0 with *out owned, or -EBADMSG (cannot be answered: no
 * salvage, or an ACK, §17.1.1.3). */
int sip_msg_reject_bytes(const uint8_t *buf, size_t len, const sip_err *e, sip_msg **out);

/* ---------------------------------------------------------------- per-hop rules (sip_proxy.c) */

#define SIP_TOKEN_MAX 32 /* room for sip_random_token("z9hG4bK", ...) */

/* A server's stamp on the top Via of a request that arrived from src (RFC 3261 §18.2.1,
 * RFC 3581 §4): ;received=<src ip> when sent-by is a name or another address, or when ;rport
 * is present; an empty ;rport gets the source port. Returns 0, -ENOENT (no Via), -EBADMSG. */
int sip_msg_stamp_received(sip_msg *m, const sim_ep *src);
/* Where a response with top Via v goes (RFC 3261 §18.2.2, RFC 3581 §4): received (else
 * sent-by host) into host (NUL-terminated, IPv6 without brackets), rport value (else the
 * sent-by port, else 5060, 5061 for TLS) into *port. Returns 0 or -ENOSPC. */
int sip_via_reply_to(const sip_via *v, char *host, size_t cap, uint16_t *port);
/* Max-Forwards for a request about to be forwarded (§16.3 step 3, §16.6 step 3): absent -> 70,
 * else decremented. Returns 0, or -EPROTO with *status 483 "Too Many Hops" when it was 0. */
int sip_msg_forward_hops(sip_msg *m, unsigned *status, const char **reason);
/* Loose routing (§16.4): when the top Route names this proxy (scheme, host and port of self
 * match), removes it, and the next one too when it names this proxy as well (RFC 5658 double
 * Record-Route: one entry per side of the proxy). Returns the number removed (0, 1, 2), 0
 * when there is no Route or it is not ours, -EBADMSG when the top Route does not parse. */
int sip_msg_route_pop_self(sip_msg *m, const sip_uri *self);
/* The same for a proxy with several addresses (a dual-stack one, RFC 6157): an entry naming
 * any of the n URIs in self (borrowed) is ours. Same returns. */
int sip_msg_route_pop_selves(sip_msg *m, const sip_uri *const *self, size_t n);
/* prefix followed by 16 random hex digits from rng into out (cap bytes, NUL-terminated): Via
 * branches (prefix SIP_BRANCH_COOKIE, §8.1.1.7), tags and Call-IDs (prefix ""). */
void sip_random_token(sim_rng *rng, const char *prefix, char *out, size_t cap);

/* ---------------------------------------------------------------- digest (sip_auth.c) */

typedef enum sip_digest_alg {
    SIP_DIGEST_MD5,
    SIP_DIGEST_SHA256,
    /* SHA-512-256 (RFC 8760) is not offered: GLib's GChecksum has no SHA-512/256. */
} sip_digest_alg;

#define SIP_DIGEST_HEX_MAX 65 /* 64 hex digits + NUL */

/* A parsed challenge or credentials (WWW-Authenticate, Proxy-Authenticate, Authorization,
 * Proxy-Authorization; RFC 2617 §3.2). Values are unquoted copies (NUL-terminated, owned by
 * the struct: sip_digest_clear). Absent fields are NULL. */
typedef struct sip_digest {
    sip_digest_alg alg;
    bool alg_given;
    char *realm, *nonce, *opaque, *qop, *username, *uri, *response, *cnonce, *nc;
    bool stale;
} sip_digest;

/* Parses `Digest k=v, ...` (value of one of the four headers). Unknown parameters are ignored
 * (RFC 2617 §3.2.1), unknown algorithms rejected. Returns 0, -EBADMSG (malformed, not Digest)
 * or -EPROTO (unsupported algorithm); on failure *d is cleared. */
int sip_digest_parse(const char *value, sip_digest *d);
/* Frees the strings of d and zeroes it. NULL-safe. */
void sip_digest_clear(sip_digest *d);
/* Computes the response (RFC 2617 §3.2.2.1 / RFC 8760) as lowercase hex into out: with qop
 * "auth" (nc and cnonce required) or without qop (RFC 2069 compatibility). Returns 0,
 * -EINVAL (missing field, qop not "auth"). */
int sip_digest_response(sip_digest_alg alg, const char *user, const char *realm,
                        const char *password, const char *method, const char *uri,
                        const char *nonce, const char *qop, const char *nc, const char *cnonce,
                        char out[SIP_DIGEST_HEX_MAX]);
/* Verifies parsed credentials against the password and the request method. Returns 0, -EACCES
 * (wrong response), -EINVAL (incomplete credentials). */
int sip_digest_verify(const sip_digest *cred, const char *password, const char *method);
/* Builds an Authorization / Proxy-Authorization value answering challenge ch (qop=auth when
 * the challenge offers it, with the given cnonce and nc count). Returns an owned string or
 * NULL when ch is incomplete. */
char *sip_digest_authorization(const sip_digest *ch, const char *user, const char *password,
                               const char *method, const char *uri, const char *cnonce,
                               uint32_t nc);
/* "MD5" or "SHA-256". */
const char *sip_digest_alg_name(sip_digest_alg alg);

/* ---------------------------------------------------------------- CLI (sip_decode.c) */

/* Appends a dump: start line, each header (typed where known), body length. */
void sip_msg_fmt(const sip_msg *m, GString *out);
/* `natsim decode sip FILE` (natsim_decode_fn, cli/cli.h): no options. Returns 0, or -1 with
 * err set to the reason a message does not decode. */
int sip_decode(const uint8_t *data, size_t len, int argc, char **argv, GString *out,
               GError **err);

/* ---------------------------------------------------------------- agents (sip_agents.h) */

/* Transactions, user agent, location, server, driver and Lua binding. */
#include "protocols/sip/sip_agents.h"

#endif
