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
 *             location NAPTR -> SRV -> A (sip_locate.c)
 *   RFC 3261 §18  transports: sip_sim.c drives a UA or server core over sim/socket.h, UDP and
 *             TCP (sip_tcp.c: connection reuse, Content-Length framing); sip_lua.c is `sip`.
 *   RFC 2617 / RFC 7616 / RFC 8760  HTTP digest authentication with MD5 and SHA-256
 *
 * Layering (DESIGN §4): sip_msg.c frames a datagram into a start line, header lines and a body;
 * sip_hdr.c knows header names and parses header values (Via, name-addr, CSeq …); sip_uri.c
 * parses URIs; sip_scan.c is the shared lexer (tokens, quoted strings, parameters, lists); sip_edit.c changes a message (what proxies do: push/pop Via, Record-Route) and
 * encodes it; sip_proxy.c the per-hop Via / Max-Forwards rules; sip_check.c holds the §8.2.2 validation and response building; sip_auth.c the
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
 * acting on it: requests need Via, From, To, Call-ID, CSeq and Max-Forwards, and a CSeq method
 * equal to the request method; responses need Via, From, To, Call-ID and CSeq (one From/To is
 * already enforced by decoding). Returns 0 (*status 0), or -EPROTO with *status 400 and *reason
 * a static phrase such as "Missing Call-ID". Max-Forwards 0 (483) is sip_msg_forward_hops. */
int sip_msg_validate(const sip_msg *m, unsigned *status, const char **reason);
/* Builds a response to a request (RFC 3261 §8.2.6.2): copies every Via (in order), From, To,
 * Call-ID and CSeq; adds ;tag=to_tag to To when given and To has no tag (not for 100).
 * reason NULL gives the standard phrase. Returns 0, -EINVAL (not a request, bad code), or
 * -EBADMSG (req lacks those headers); *out owned. */
int sip_msg_response(const sip_msg *req, unsigned status, const char *reason,
                     const char *to_tag, sip_msg **out);

/* A response to a request that failed sip_msg_validate (§8.2.2, §21.4.1): like
 * sip_msg_response but copying only whichever of Via, From, To, Call-ID and CSeq exist, with
 * no To tag. Returns 0 or -EINVAL (not a request, bad code); *out owned. */
int sip_msg_reject(const sip_msg *req, unsigned status, const char *reason, sip_msg **out);
/* Reads from a request that failed sip_msg_decode what a response needs (RFC 3261 §8.2 and
 * §16.3: a malformed request is answered 400 with the reason when it can be): a request line
 * "Method SP ... SP SIP/2.0" (the Request-URI is not parsed), valid Via, From, To, Call-ID and
 * CSeq (one each but Via; other header lines are skipped unread). On success *out is an owned
 * request holding only those headers. Returns 0 or -EBADMSG (not enough structure: no end of
 * header, not a request, one of those headers missing, repeated or malformed). */
int sip_msg_salvage(const uint8_t *buf, size_t len, sip_msg **out);
/* The response to a request that did not decode: e is the decoder's error; the status is
 * e->status (400, 413, 505) and the reason phrase e->why as far as Reason-Phrase allows
 * ("400 body shorter than Content-Length"), built by sip_msg_reject from what
 * sip_msg_salvage read. Returns 0 with *out owned, or -EBADMSG (cannot be answered: no
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
 * match), removes it. Returns 1 when removed, 0 when there is no Route or it is not ours,
 * -EBADMSG when the top Route does not parse. */
int sip_msg_route_pop_self(sip_msg *m, const sip_uri *self);
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

/* ---------------------------------------------------------------- transactions (sip_txn.c) */

/* RFC 3261 §17 client and server transactions with the transport's Via rules (§18), sans-I/O:
 * one sip_txns layer holds every transaction of a UA or proxy, matches incoming messages by
 * branch (§17.1.3, §17.2.3), retransmits from an outbox of datagrams and tells its user (the
 * TU: UA core, proxy core) what happened through events. The INVITE transactions have the
 * Accepted state of RFC 6026 (Timers L and M): a 2xx ends neither side's transaction at once,
 * so retransmitted INVITEs are absorbed and further 2xx from forks still reach the TU.
 *
 *   INVITE client:  Calling --1xx--> Proceeding --300-699 (ACK sent)--> Completed --D--> gone
 *                   Calling/Proceeding --2xx--> Accepted --M--> gone;  Calling --B--> timeout
 *   non-INVITE client:  Trying --1xx--> Proceeding --final--> Completed --K--> gone; F: timeout
 *   INVITE server:  Proceeding (100 Trying sent) --300-699--> Completed (G resends, H: no ACK)
 *                   --ACK--> Confirmed --I--> gone;  Proceeding --2xx--> Accepted --L--> gone
 *   non-INVITE server:  Trying --1xx--> Proceeding --final--> Completed --J--> gone
 */

#define SIP_T1 (500 * SIM_MS) /* RTT estimate (§17.1.1.1) */
#define SIP_T2 (4 * SIM_SEC)  /* cap on non-INVITE and response retransmit intervals */
#define SIP_T4 (5 * SIM_SEC)  /* the longest a message stays in the network */

typedef struct sip_txn_cfg {
    sim_time_t t1, t2, t4; /* 0: SIP_T1, SIP_T2, SIP_T4 */
    bool reliable;         /* every transaction reliable (TCP): no retransmissions; Timers D,
                              I, J, K are zero. Without it, a transaction whose request's top
                              Via names TCP (or any non-UDP transport) is reliable too (§18) */
    bool no_trying;        /* INVITE server: no automatic 100 Trying (the TU answers at once) */
} sip_txn_cfg;

typedef enum sip_txn_kind {
    SIP_TXN_INVITE_CLIENT,
    SIP_TXN_NON_INVITE_CLIENT,
    SIP_TXN_INVITE_SERVER,
    SIP_TXN_NON_INVITE_SERVER,
} sip_txn_kind;

typedef enum sip_txn_state {
    SIP_TXN_CALLING, SIP_TXN_TRYING, SIP_TXN_PROCEEDING, SIP_TXN_COMPLETED,
    SIP_TXN_CONFIRMED, SIP_TXN_ACCEPTED, SIP_TXN_TERMINATED,
} sip_txn_state;

typedef enum sip_txn_ev_kind {
    SIP_TXN_EV_REQUEST,         /* a new request: id names its server transaction; an ACK
                                   outside any transaction (for a 2xx) has id 0 */
    SIP_TXN_EV_RESPONSE,        /* a response for client transaction id (1xx, the final one,
                                   and every 2xx while Accepted); id 0: stray response */
    SIP_TXN_EV_TIMEOUT,         /* Timer B or F (client: no final response), Timer H (server:
                                   no ACK for a 300-699) */
    SIP_TXN_EV_TRANSPORT_ERROR, /* sip_txns_transport_error was called for id */
} sip_txn_ev_kind;

/* What the layer tells its user. msg is owned by the event (sip_txn_ev_clear). */
typedef struct sip_txn_ev {
    sip_txn_ev_kind kind;
    unsigned id;
    sip_msg *msg; /* REQUEST, RESPONSE; NULL otherwise */
    sim_ep from;  /* REQUEST, RESPONSE: where it came from */
} sip_txn_ev;

/* A datagram to send; data owned by the struct (sip_out_clear). */
typedef struct sip_out {
    sim_ep to;
    uint8_t *data;
    size_t len;
} sip_out;

typedef struct sip_txns sip_txns;

/* Creates an empty transaction layer; cfg copied (NULL: defaults). Returns owned. */
sip_txns *sip_txns_new(const sip_txn_cfg *cfg);
/* Frees the layer, its transactions, outbox and pending events. NULL-safe. */
void sip_txns_free(sip_txns *t);
/* Starts a client transaction for req (borrowed; encoded now, so later changes to req do not
 * matter) sent to dest: the first transmission is queued. req needs a top Via with an RFC 3261
 * branch and a CSeq. *id (may be NULL) names it (ids start at 1 and are never reused).
 * Returns 0, -EINVAL (a response, an ACK, no branch or CSeq), -EEXIST (branch in use). */
int sip_txns_request(sip_txns *t, sim_time_t now, const sip_msg *req, const sim_ep *dest,
                     unsigned *id);
/* Sends a response on server transaction id (resp borrowed): provisional responses keep it in
 * Proceeding, finals move it on (see the banner). Returns 0, -ENOENT (no such live
 * transaction), -EPROTO (not allowed in this state: a final was already sent, or a 1xx after
 * a 2xx), -EINVAL (not a response, a client transaction). */
int sip_txns_respond(sip_txns *t, sim_time_t now, unsigned id, const sip_msg *resp);
/* Sends m (borrowed) once to dest outside any transaction: an ACK for a 2xx, a 2xx
 * retransmission by a UAS core, a stateless forward. */
void sip_txns_send(sip_txns *t, const sip_msg *m, const sim_ep *dest);
/* One decoded message m (takes ownership) from `from`. Requests get ;received / ;rport
 * stamped on their top Via first (§18.2.1, RFC 3581). Matching messages drive their
 * transaction (retransmissions are absorbed); others start a server transaction or become
 * stray events. Returns 1 when an event was queued, 0 when absorbed. */
int sip_txns_input(sip_txns *t, sim_time_t now, const sim_ep *from, sip_msg *m);
/* Fires every timer due at now: retransmissions, timeouts, terminations. */
void sip_txns_timeout(sip_txns *t, sim_time_t now);
/* The earliest timer, or SIM_TIME_NEVER. */
sim_time_t sip_txns_next_deadline(const sip_txns *t);
/* The transport could not deliver for transaction id (§17.1.4, §17.2.4): it ends, and a
 * client transaction queues a TRANSPORT_ERROR event. Unknown ids are ignored. */
void sip_txns_transport_error(sip_txns *t, unsigned id);
/* Pops the next datagram to send; false when the outbox is empty. */
bool sip_txns_pop(sip_txns *t, sip_out *out);
/* Pops the next event for the TU; false when there is none. */
bool sip_txns_event(sip_txns *t, sip_txn_ev *ev);
/* Frees the message of an event. NULL-safe. */
void sip_txn_ev_clear(sip_txn_ev *ev);
/* Frees the bytes of a datagram. NULL-safe. */
void sip_out_clear(sip_out *out);
/* State and kind of transaction id. Returns 0, or -ENOENT when it is gone (terminated). */
int sip_txns_state(const sip_txns *t, unsigned id, sip_txn_kind *kind, sip_txn_state *state);
/* The request that started client transaction id (borrowed until it ends), or NULL. */
const sip_msg *sip_txns_request_of(const sip_txns *t, unsigned id);
/* The live INVITE server transaction a CANCEL (borrowed) is for (§9.2: same branch and
 * sent-by), or 0. */
unsigned sip_txns_cancel_target(const sip_txns *t, const sip_msg *cancel);
/* Builds the CANCEL for an INVITE (§9.1): same Request-URI, Call-ID, From, To, CSeq number,
 * the INVITE's top Via only, its Route lines. Returns 0 or -EINVAL (not an INVITE, missing
 * headers); *out owned. */
int sip_msg_cancel(const sip_msg *invite, sip_msg **out);
/* "calling", "trying" ... */
const char *sip_txn_state_name(sip_txn_state s);

/* ---------------------------------------------------------------- user agent (sip_ua*.c, sip_dialog.c) */

/* A sans-I/O user agent core on top of a sip_txns layer: registration with refresh, digest
 * authentication, calls with an SDP offer in the INVITE (RFC 3264 via sdp_oa), their dialogs
 * (tags, CSeq, route set from Record-Route, remote target from Contact), ACK, BYE, CANCEL,
 * re-INVITE and OPTIONS. Calls are named by ids (from 1, never reused). Where requests go:
 * out-of-dialog requests to cfg.proxy (REGISTER to cfg.registrar when set), in-dialog ones to
 * the first Route entry or the remote target when its host is an IP literal, else cfg.proxy
 * (the core resolves no names). The INVITE must carry the offer (no offer in a 2xx). */

typedef struct sdp_oa sdp_oa;
typedef struct sdp_oa_ice sdp_oa_ice;

typedef struct sip_ua_cfg {
    const char *aor;         /* address of record "sip:bob@mit.edu" (copied; required) */
    const char *display;     /* display name in From (NULL: none) */
    const char *user;        /* digest user name (NULL: the AOR's user part) */
    const char *password;    /* digest password (NULL: challenges fail the request) */
    sim_ep local;            /* our address: Via sent-by, Contact, SDP c= (required) */
    sim_ep proxy;            /* outbound proxy (port 0: none; then the target must be an IP) */
    sim_ep registrar;        /* where REGISTER goes (port 0: proxy) */
    uint32_t expires;        /* REGISTER Expires asked for (0: 3600) */
    bool rport;              /* add ;rport to our Via (RFC 3581) */
    uint16_t rtp_port;       /* first RTP port of our streams (0: 40000), two per stream */
    bool tcp;                /* RFC 3261 §18: our requests go over TCP (Via SIP/2.0/TCP,
                                Contact ;transport=tcp, reliable transactions) */
    sip_txn_cfg txn;         /* timers */
} sip_ua_cfg;

typedef enum sip_call_state {
    SIP_CALL_CALLING,    /* our INVITE is out, no provisional yet */
    SIP_CALL_EARLY,      /* a provisional arrived (outgoing), or we rang (incoming) */
    SIP_CALL_INCOMING,   /* an INVITE arrived, not answered yet */
    SIP_CALL_CONFIRMED,  /* 2xx sent or received */
    SIP_CALL_ENDED,      /* BYE, CANCEL, failure */
} sip_call_state;

typedef enum sip_ua_ev_kind {
    SIP_UA_EV_REGISTERED,  /* a REGISTER got 2xx: status, expires granted (0: unregistered) */
    SIP_UA_EV_REG_FAILED,  /* a REGISTER failed: status (408 on timeout) */
    SIP_UA_EV_INCOMING,    /* a new call: call */
    SIP_UA_EV_PROGRESS,    /* a 1xx (>100) for our INVITE: call, status */
    SIP_UA_EV_ANSWERED,    /* our INVITE got a 2xx (ACK sent; media negotiated): call */
    SIP_UA_EV_CONFIRMED,   /* the ACK for our 2xx arrived: call */
    SIP_UA_EV_MEDIA,       /* a re-INVITE changed the media: call */
    SIP_UA_EV_ENDED,       /* the call is over: call, status (the final error, 487, or 200 for
                              a BYE) and by_remote */
    SIP_UA_EV_OPTIONS,     /* an OPTIONS we sent was answered: status */
} sip_ua_ev_kind;

typedef struct sip_ua_ev {
    sip_ua_ev_kind kind;
    unsigned call;
    unsigned status;
    uint32_t expires;
    bool by_remote;
} sip_ua_ev;

typedef struct sip_ua_stats {
    uint64_t rx, bad, rejected, auth_retries, registrations;
} sip_ua_stats;

typedef struct sip_ua sip_ua;

/* Creates a UA core (cfg copied; rng borrowed: tags, Call-IDs, branches, SDP ids). Returns
 * owned, or NULL when cfg->aor is not a sip: URI with a user or cfg->local is unset. */
sip_ua *sip_ua_new(const sip_ua_cfg *cfg, sim_rng *rng);
/* Frees the core and its calls. NULL-safe. */
void sip_ua_free(sip_ua *ua);
/* Sends REGISTER for cfg.aor with expires seconds (0 removes our binding); on 2xx the core
 * refreshes before the granted expiry (half of it, at most 32 s before). Returns 0 or -EBUSY
 * (a REGISTER is already in progress). */
int sip_ua_register(sip_ua *ua, sim_time_t now, uint32_t expires);
/* Calls target (a SIP URI, copied) with an audio offer. *call names the call. Returns 0,
 * -EINVAL (not a SIP URI), -EHOSTUNREACH (no proxy and the host is not an IP literal). */
int sip_ua_call(sip_ua *ua, sim_time_t now, const char *target, unsigned *call);
/* sip_ua_call with RFC 8839 ICE in the offer's audio stream (ice copied; NULL: none): the
 * caller gathered the candidates; the answer's are in sdp_oa_remote(sip_ua_call_media()).
 * Returns what sip_ua_call returns. */
int sip_ua_call_ice(sip_ua *ua, sim_time_t now, const char *target, const sdp_oa_ice *ice,
                    unsigned *call);
/* Sets the ICE description (copied; NULL: none) of the call's first stream for its next offer
 * or answer (an incoming call: before sip_ua_answer). Returns 0, -ENOENT or -EINVAL. */
int sip_ua_set_ice(sip_ua *ua, unsigned call, const sdp_oa_ice *ice);
/* Incoming call: sends 180 Ringing. Returns 0, -ENOENT (no such call), -EPROTO (wrong state). */
int sip_ua_ring(sip_ua *ua, sim_time_t now, unsigned call);
/* Incoming call: answers 200 OK with the SDP answer (retransmitted until the ACK, §13.3.1.4).
 * Returns 0, -ENOENT, -EPROTO (wrong state), -EBADMSG (the offer is not usable SDP: a 488 was
 * sent instead). */
int sip_ua_answer(sip_ua *ua, sim_time_t now, unsigned call);
/* Incoming call: rejects it with status 300..699 (486 Busy Here …). 0, -ENOENT, -EPROTO,
 * -EINVAL (bad status). */
int sip_ua_reject(sip_ua *ua, sim_time_t now, unsigned call, unsigned status);
/* Ends a call: BYE when confirmed, CANCEL while ours is ringing (sent once a provisional
 * arrived, §9.1), 480 for an unanswered incoming one. 0, -ENOENT, -EPROTO (already ended). */
int sip_ua_hangup(sip_ua *ua, sim_time_t now, unsigned call);
/* Adds a local media stream ("audio", "video" …) for the next re-INVITE. Returns the stream
 * index, -ENOENT, -ENOSPC. */
int sip_ua_add_stream(sip_ua *ua, unsigned call, const char *media);
/* Removes stream idx from the next re-INVITE (port 0). 0, -ENOENT, -EINVAL. */
int sip_ua_remove_stream(sip_ua *ua, unsigned call, unsigned idx);
/* Sends a re-INVITE with a new offer on a confirmed call. 0, -ENOENT, -EPROTO (not confirmed
 * or a re-INVITE is pending, §14.1). */
int sip_ua_reinvite(sip_ua *ua, sim_time_t now, unsigned call);
/* Sends OPTIONS to target (a SIP URI). 0, -EINVAL, -EHOSTUNREACH. */
int sip_ua_options(sip_ua *ua, sim_time_t now, const char *target);
/* One datagram from `from`. Malformed messages are counted in bad and dropped, except requests
 * whose request line, Via, From, To, Call-ID and CSeq are readable: those get 400 (505, 413)
 * with the reason (sip_msg_reject_bytes); requests that fail validation get a 400 with the
 * reason. Returns 0 or -EBADMSG (did not decode). */
int sip_ua_input(sip_ua *ua, sim_time_t now, const sim_ep *from, const uint8_t *buf, size_t len);
/* Fires what is due: transaction timers, 2xx retransmissions, registration refresh. */
void sip_ua_timeout(sip_ua *ua, sim_time_t now);
/* The earliest deadline, or SIM_TIME_NEVER. */
sim_time_t sip_ua_next_deadline(const sip_ua *ua);
/* Pops the next datagram to send; false when none. */
bool sip_ua_pop(sip_ua *ua, sip_out *out);
/* Pops the next event; false when none. */
bool sip_ua_event(sip_ua *ua, sip_ua_ev *ev);
/* The state of a call. 0 or -ENOENT. */
int sip_ua_call_state(const sip_ua *ua, unsigned call, sip_call_state *state);
/* The call's offer/answer state (streams: remote RTP endpoint, local port, codec), borrowed
 * until the call is forgotten; NULL for an unknown call. */
const sdp_oa *sip_ua_call_media(const sip_ua *ua, unsigned call);
/* The remote party of a call (its From or To value, borrowed), or NULL. */
const char *sip_ua_call_peer(const sip_ua *ua, unsigned call);
/* Frees an ended call. */
void sip_ua_forget(sip_ua *ua, unsigned call);
/* Counters (borrowed). */
const sip_ua_stats *sip_ua_get_stats(const sip_ua *ua);
/* "calling", "early" … */
const char *sip_call_state_name(sip_call_state s);

/* ---------------------------------------------------------------- location service (sip_registrar.c) */

/* Address-of-record -> contact bindings with expiry (RFC 3261 §10). AORs are "user@host" with
 * the host in lower case; contacts are kept in the order they were first registered. */
typedef struct sip_location sip_location;

/* An empty location service. Returns owned. */
sip_location *sip_location_new(void);
/* Frees it. NULL-safe. */
void sip_location_free(sip_location *l);
/* Adds or refreshes contact (a URI, copied) for aor until expires_at; source is the flow the
 * REGISTER came through (borrowed; NULL: none known, requests go to the contact itself). */
void sip_location_bind(sip_location *l, const char *aor, const char *contact,
                       sim_time_t expires_at, const sim_ep *source);
/* The flow recorded for a live binding of contact (RFC 5626-lite: the source address:port of
 * the REGISTER that carried rport) of aor (NULL: any AOR, in sorted AOR order) into *flow.
 * Returns 0, or -ENOENT (no such binding, or it was registered without rport). */
int sip_location_flow(sip_location *l, const char *aor, const char *contact, sim_time_t now,
                      sim_ep *flow);
/* Removes one binding (contact NULL: all of aor). Returns how many were removed. */
size_t sip_location_unbind(sip_location *l, const char *aor, const char *contact);
/* The live contacts of aor at now, appended to out (char *, borrowed until the next change),
 * with their expiry into exp (sim_time_t, may be NULL). Returns how many. */
size_t sip_location_lookup(sip_location *l, const char *aor, sim_time_t now, GPtrArray *out,
                           GArray *exp);
/* Live bindings in total. */
size_t sip_location_count(sip_location *l, sim_time_t now);
/* The AOR of a sip: URI ("user@host", host lower-cased) into out. 0 or -EINVAL (no user, not
 * sip:/sips:, too long). */
int sip_aor_of(const sip_uri *u, char *out, size_t cap);

/* ---------------------------------------------------------------- RFC 3263 server location (sip_locate.c) */

/* Finding the server of a SIP domain: NAPTR (services SIP+D2U or SIP+D2T, flag "s", by order
 * then preference: the transport is the NAPTR's, §4.1) -> SRV (_sip._udp.<domain> when there is
 * no NAPTR; lowest priority, then highest weight, then
 * name: deterministic instead of RFC 2782's weighted draw) -> A of the SRV target; with no SRV
 * either, A of the domain itself on port 5060. Sans-I/O: the caller asks sip_locate_next what
 * to look up, feeds each result, and reads the endpoint when done. */
typedef enum sip_locate_step {
    SIP_LOCATE_NAPTR, SIP_LOCATE_SRV, SIP_LOCATE_A, SIP_LOCATE_DONE, SIP_LOCATE_FAILED,
} sip_locate_step;

typedef struct sip_locate {
    sip_locate_step step;
    dns_name domain;
    dns_name name;     /* what to look up next */
    uint16_t port;     /* from the SRV record, else 5060 */
    bool tcp;          /* the chosen NAPTR was SIP+D2T */
    sim_ep result;
} sip_locate;

/* Starts locating domain (a host name). Returns 0 or -EINVAL (not a valid name). */
int sip_locate_init(sip_locate *l, const char *domain);
/* The next lookup (name, type) to make; false when done or failed. */
bool sip_locate_next(const sip_locate *l, dns_name *name, uint16_t *type);
/* Feeds the result of that lookup (borrowed). */
void sip_locate_feed(sip_locate *l, const dns_result *r);
/* 0 with *ep set when done, -EAGAIN while lookups remain, -EHOSTUNREACH when it failed. */
int sip_locate_result(const sip_locate *l, sim_ep *ep);

/* ---------------------------------------------------------------- server: registrar, proxy, redirect (sip_server.c, sip_fork.c) */

/* A SIP server core for one domain, sans-I/O, combining what cfg asks for: a registrar (REGISTER
 * for the domain fills the location service; digest challenge 401 when users are configured),
 * a stateful proxy (RFC 3261 §16: Max-Forwards, loop detection by a hash in the branch,
 * Record-Route, loose routing, forking to every contact in parallel, first 2xx wins and the
 * other branches are CANCELled, best response §16.7; other domains are located through
 * sip_server_lookup_pop / sip_server_located, which the driver answers by RFC 3263), or a
 * redirect server (302 with the contacts). */
typedef struct sip_server_cfg {
    const char *domain;        /* the domain we serve ("mit.edu"; copied) */
    sim_ep self;               /* our address: Via sent-by, Record-Route */
    bool registrar;            /* accept REGISTER for domain */
    bool redirect;             /* answer 302 instead of proxying to registered contacts */
    bool record_route;         /* proxy: stay on the path of dialogs */
    const char *const *users;  /* digest users (NULL-terminated; NULL: no authentication) */
    const char *const *passwords; /* their passwords, same order */
    sip_location *location;    /* shared location service (borrowed; NULL: the core's own),
                                  e.g. proxy.mit.edu reading what registrar.mit.edu stored */
    uint32_t default_expires;  /* registrar: when the REGISTER names none (0: 3600) */
    uint32_t max_expires;      /* registrar: cap (0: 7200) */
    bool tcp;                  /* §18: requests we send or forward go over TCP (Via
                                  SIP/2.0/TCP, reliable transactions) */
    sip_txn_cfg txn;
} sip_server_cfg;

typedef struct sip_server_stats {
    uint64_t rx, bad, rejected, registers, challenges, forwarded, forks, cancels, loops,
        lookups, redirects, stateless, via_flow;
} sip_server_stats;

typedef struct sip_server sip_server;

/* Creates a server core (cfg and its strings copied; rng borrowed: branches, tags, nonces).
 * Returns owned, or NULL when domain or self is unset or users and passwords do not pair. */
sip_server *sip_server_new(const sip_server_cfg *cfg, sim_rng *rng);
/* Frees it. NULL-safe. */
void sip_server_free(sip_server *s);
/* One datagram from `from`. Returns 0 or -EBADMSG (did not decode: answered 400 with the
 * reason when sip_msg_reject_bytes can, else dropped). */
int sip_server_input(sip_server *s, sim_time_t now, const sim_ep *from, const uint8_t *buf,
                     size_t len);
/* Fires what is due. */
void sip_server_timeout(sip_server *s, sim_time_t now);
/* The earliest deadline, or SIM_TIME_NEVER. */
sim_time_t sip_server_next_deadline(const sip_server *s);
/* Pops the next datagram to send; false when none. */
bool sip_server_pop(sip_server *s, sip_out *out);
/* Pops the next domain to locate (copied into host, cap bytes) with its id; false if none. */
bool sip_server_lookup_pop(sip_server *s, unsigned *id, char *host, size_t cap);
/* The answer for lookup id: err 0 with ep, or a negative code (the branch answers 503). */
void sip_server_located(sip_server *s, sim_time_t now, unsigned id, int err, const sim_ep *ep);
/* The same, with the transport RFC 3263 chose (sip_locate.tcp): true sends the branch over TCP
 * (its Via says SIP/2.0/TCP) unless its next-hop URI names a transport. */
void sip_server_located_over(sip_server *s, sim_time_t now, unsigned id, int err,
                             const sim_ep *ep, bool tcp);
/* The location service (borrowed). */
sip_location *sip_server_location(sip_server *s);
/* Counters (borrowed). */
const sip_server_stats *sip_server_get_stats(const sip_server *s);

/* ---------------------------------------------------------------- driver (sip_sim.c) */

#define SIP_REF_KIND 0x534950 /* "SIP" */
#define SIP_PORT 5060

typedef struct sip_app sip_app;
/* Called after every input, timeout or kick of the app's core. */
typedef void (*sip_app_notify_fn)(sip_app *a, void *ctx);

/* Starts a UA on node n, UDP and TCP port cfg->local.port (RFC 3261 §18: a message goes over
 * the open TCP connection to its destination when there is one, over a new connection when
 * its top Via says TCP, else over UDP; TCP streams are framed by Content-Length). Returns world-owned (freed with the world
 * or sip_app_free), or NULL with err set (bad cfg, port in use). */
sip_app *sip_app_ua(sim_node *n, const sip_ua_cfg *cfg, GError **err);
/* Starts a server (registrar / proxy / redirect) on node n, UDP port cfg->self.port, with a
 * stub resolver asking dns_server for RFC 3263 lookups (NULL or port 0: other domains are
 * unreachable, 503). Returns world-owned, or NULL with err set. */
sip_app *sip_app_server(sim_node *n, const sip_server_cfg *cfg, const sim_ep *dns_server,
                        GError **err);
/* Stops the app (socket, timer, core, resolver); its handle goes stale. NULL-safe. */
void sip_app_free(sip_app *a);
/* Sends what the core queued, starts lookups, re-arms the timer, notifies: call after calling
 * into the core. */
void sip_app_kick(sip_app *a);
/* The cores (NULL when the app is of the other kind or stopped). */
sip_ua *sip_app_ua_core(sip_app *a);
sip_server *sip_app_server_core(sip_app *a);
/* The node and the world handle (kind SIP_REF_KIND). */
sim_node *sip_app_node(sip_app *a);
sim_ref sip_app_ref(sip_app *a);
/* Open SIP-over-TCP connections (accepted or opened by the app). */
size_t sip_app_tcp_conns(sip_app *a);
/* Installs the notify callback. */
void sip_app_on_notify(sip_app *a, sip_app_notify_fn fn, void *ctx);

/* ---------------------------------------------------------------- Lua (sip_lua.c) */

/* Opens module `sip` (sip.registrar, sip.proxy, sip.redirect, sip.ua). */
int sip_lua_open(lua_State *L);

#endif
