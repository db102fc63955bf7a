/* protocols/stun/stun.h — STUN, Session Traversal Utilities for NAT:
 *   RFC 5389 / RFC 8489  message format, attributes, credentials, client transactions over UDP
 *                        and TCP (§6.2.1, §6.2.2), stream framing over TCP (stun_stream.c),
 *   RFC 5780             NAT behaviour discovery (CHANGE-REQUEST, RESPONSE-ORIGIN, OTHER-ADDRESS,
 *                        RESPONSE-PORT, PADDING),
 *   RFC 5769             test vectors (tests/unit/test_stun.c),
 *   RFC 8445             the ICE attributes (PRIORITY, USE-CANDIDATE, ICE-CONTROLLED/-CONTROLLING).
 *
 * Layering (DESIGN §4): stun_msg.c / stun_attr.c are the codec (bytes <-> stun_msg, no I/O),
 * stun_auth.c computes MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT, stun_client.c is the client
 * transaction core and stun_server.c the Binding server core (both sans-I/O: bytes and time in,
 * an outbox of datagrams and a deadline out), stun_discovery.c the RFC 5780 behaviour discovery
 * client core (on top of the client core), stun_sim.c the driver that runs the cores over
 * sim/socket.h and sim/timer.h, stun_lua.c the Lua module `stun`, stun_decode.c is
 * `natsim decode stun`.
 *
 * Message (RFC 8489 §5), network byte order:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |0 0|M M M M M|C|M M M|C|M M M M|         Message Length        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                 Magic Cookie = 0x2112A442                     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                Transaction ID (96 bits)                       |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |   attributes: Type (16) | Length (16) | Value, padded to 4    |
 *
 * The 12-bit method M and 2-bit class C are interleaved in the type (C1 at bit 8, C0 at bit 4).
 * Length counts the bytes after the header and is a multiple of 4.
 */
#ifndef PROTOCOLS_STUN_STUN_H
#define PROTOCOLS_STUN_STUN_H

#include <glib.h>
#include <lua.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/addr.h"
#include "sim/cursor.h"
#include "sim/node.h"
#include "sim/rng.h"
#include "sim/time.h"

/* ---------------------------------------------------------------- constants */

#define STUN_HDR_LEN 20
#define STUN_MAGIC_COOKIE 0x2112A442u
#define STUN_TXID_LEN 12
#define STUN_MSG_MAX 2048       /* largest message this code builds or accepts */
#define STUN_ATTRS_MAX 48       /* attributes kept per decoded message */
#define STUN_UNKNOWN_MAX 16     /* unknown comprehension-required types collected */
#define STUN_USERNAME_MAX 513   /* RFC 8489 §14.3 */
#define STUN_TEXT_MAX 763       /* REALM, NONCE, SOFTWARE, reason phrase: 128 chars (§14) */
#define STUN_FINGERPRINT_XOR 0x5354554eu
#define STUN_HMAC_SHA1_LEN 20
#define STUN_HMAC_SHA256_LEN 32

typedef enum stun_class {
    STUN_REQUEST = 0,
    STUN_INDICATION = 1,
    STUN_SUCCESS = 2,
    STUN_ERROR = 3,
} stun_class;

/* Methods. */
#define STUN_BINDING 0x001

/* Attribute types (RFC 8489 §18.3, RFC 5780 §7, RFC 8445 §16.1). */
#define STUN_ATTR_MAPPED_ADDRESS 0x0001
#define STUN_ATTR_CHANGE_REQUEST 0x0003
#define STUN_ATTR_USERNAME 0x0006
#define STUN_ATTR_MESSAGE_INTEGRITY 0x0008
#define STUN_ATTR_ERROR_CODE 0x0009
#define STUN_ATTR_UNKNOWN_ATTRIBUTES 0x000A
#define STUN_ATTR_REALM 0x0014
#define STUN_ATTR_NONCE 0x0015
#define STUN_ATTR_MESSAGE_INTEGRITY_SHA256 0x001C
#define STUN_ATTR_XOR_MAPPED_ADDRESS 0x0020
#define STUN_ATTR_PADDING 0x0026
#define STUN_ATTR_RESPONSE_PORT 0x0027
#define STUN_ATTR_PRIORITY 0x0024
#define STUN_ATTR_USE_CANDIDATE 0x0025
#define STUN_ATTR_SOFTWARE 0x8022
#define STUN_ATTR_ALTERNATE_SERVER 0x8023
#define STUN_ATTR_FINGERPRINT 0x8028
#define STUN_ATTR_ICE_CONTROLLED 0x8029
#define STUN_ATTR_ICE_CONTROLLING 0x802A
#define STUN_ATTR_RESPONSE_ORIGIN 0x802B
#define STUN_ATTR_OTHER_ADDRESS 0x802C

/* CHANGE-REQUEST flags (RFC 5780 §7.2). */
#define STUN_CHANGE_IP 0x4u
#define STUN_CHANGE_PORT 0x2u

/* Error codes used here (RFC 8489 §14.8). */
#define STUN_ERR_TRY_ALTERNATE 300
#define STUN_ERR_BAD_REQUEST 400
#define STUN_ERR_UNAUTHORIZED 401
#define STUN_ERR_UNKNOWN_ATTRIBUTE 420
#define STUN_ERR_STALE_NONCE 438
#define STUN_ERR_SERVER_ERROR 500

/* ---------------------------------------------------------------- codec (stun_msg.c, stun_attr.c) */

/* One attribute as it is on the wire. value points into the decoded buffer (borrowed). */
typedef struct stun_attr {
    uint16_t type;
    uint16_t len;          /* value length, before padding */
    const uint8_t *value;
    uint16_t off;          /* byte offset of the attribute's type field in the message */
    bool ignored;          /* after MESSAGE-INTEGRITY and not MI-SHA256/FINGERPRINT (§14.5) */
} stun_attr;

/* A decoded message. Everything points into the buffer it was decoded from (borrowed). */
typedef struct stun_msg {
    uint16_t method;
    stun_class cls;
    uint8_t txid[STUN_TXID_LEN];
    const uint8_t *buf;    /* the whole message */
    size_t len;
    size_t n_attrs;
    stun_attr attrs[STUN_ATTRS_MAX];
    size_t n_unknown;      /* comprehension-required types (0x0000-0x7FFF) this codec does not know */
    uint16_t unknown[STUN_UNKNOWN_MAX];
} stun_msg;

/* Why a decode failed, for the CLI: the byte offset of the offending field and a static reason. */
typedef struct stun_err {
    size_t off;
    const char *why;
} stun_err;

/* Message type from method and class (class bits interleaved, RFC 8489 §5). */
uint16_t stun_type(uint16_t method, stun_class cls);
/* True if buf looks like a STUN message header: top bits 00, magic cookie, length a multiple
 * of 4 that matches len. Cheap demultiplexing test (RFC 8489 §7). */
bool stun_is_message(const uint8_t *buf, size_t len);
/* Decodes buf into *m: validates the header, every TLV length and padding boundary, every
 * known attribute's fixed size and contents, and that FINGERPRINT is last. Returns 0, or
 * -EBADMSG with *e (may be NULL) set (also for more than STUN_ATTRS_MAX attributes); on
 * failure *m is untouched. Padding bytes are ignored. */
int stun_msg_decode(const uint8_t *buf, size_t len, stun_msg *m, stun_err *e);
/* Checks one attribute value against the rules of its type: NULL when fine (or when the type
 * is not known here: *known is then false), else a static reason. The decoder uses it. */
const char *stun_attr_check(uint16_t type, const uint8_t *v, size_t len, bool *known);
/* Re-encodes a decoded (or hand-built) message: header then every attribute in order, padding
 * zeroed. Returns 0, -EINVAL (an attribute value too long), or -ENOSPC. The exact inverse of
 * decode (for messages whose padding bytes were zero). */
int stun_msg_encode(const stun_msg *m, uint8_t *buf, size_t cap, size_t *out_len);
/* The first attribute of `type` that is not ignored, or NULL. */
const stun_attr *stun_msg_find(const stun_msg *m, uint16_t type);
/* Name of a method ("Binding") or "0x..." is not known: returns a static string or NULL. */
const char *stun_method_name(uint16_t method);
/* "request", "indication", "success response", "error response". */
const char *stun_class_name(stun_class cls);
/* Name of an attribute type ("XOR-MAPPED-ADDRESS"), or NULL when unknown. */
const char *stun_attr_name(uint16_t type);
/* Reason phrase for a code ("Unknown Attribute"), or "" when none is registered here. */
const char *stun_reason(uint16_t code);

/* Typed getters on a decoded message. Each returns 0, -ENOENT (no such attribute) or -EBADMSG. */
/* Decodes one address attribute (XOR-* types de-XORed with txid). Returns 0 or -EBADMSG. */
int stun_attr_addr(const stun_attr *a, const uint8_t txid[STUN_TXID_LEN], sim_ep *ep);
/* MAPPED-ADDRESS-style (plain) or XOR-*-ADDRESS (by type: the XOR ones are de-XORed). */
int stun_msg_get_addr(const stun_msg *m, uint16_t type, sim_ep *ep);
/* A 32-bit attribute (PRIORITY, CHANGE-REQUEST flags, FINGERPRINT). */
int stun_msg_get_u32(const stun_msg *m, uint16_t type, uint32_t *v);
/* A 64-bit attribute (ICE-CONTROLLED / -CONTROLLING tie-breaker). */
int stun_msg_get_u64(const stun_msg *m, uint16_t type, uint64_t *v);
/* RESPONSE-PORT's port. */
int stun_msg_get_port(const stun_msg *m, uint16_t type, uint16_t *port);
/* ERROR-CODE: code 300..699 and the reason copied NUL-terminated into reason[0..cap). */
int stun_msg_get_error(const stun_msg *m, uint16_t *code, char *reason, size_t cap);
/* A text attribute (USERNAME, REALM, NONCE, SOFTWARE) copied NUL-terminated into s[0..cap);
 * -ENOSPC if it does not fit. */
int stun_msg_get_str(const stun_msg *m, uint16_t type, char *s, size_t cap);
/* UNKNOWN-ATTRIBUTES: up to cap types into types[], count in *n. */
int stun_msg_get_unknown(const stun_msg *m, uint16_t *types, size_t cap, size_t *n);

/* Builder: writes a message attribute by attribute into a caller's buffer, keeping the header
 * length current so integrity and fingerprint can be appended. Errors are sticky: check
 * stun_enc_finish. Attributes must be added in wire order. */
typedef struct stun_enc {
    wr w;
    int err;
    bool sealed;          /* FINGERPRINT written: nothing may follow */
} stun_enc;

/* Starts a message of method/class with transaction id txid in buf[0..cap) (borrowed). */
void stun_enc_init(stun_enc *e, uint8_t *buf, size_t cap, uint16_t method, stun_class cls,
                   const uint8_t txid[STUN_TXID_LEN]);
/* Appends a raw attribute (any type, value copied, zero padding). */
void stun_enc_attr(stun_enc *e, uint16_t type, const void *value, size_t len);
/* Appends an address attribute; XOR-*-ADDRESS types are XORed (RFC 8489 §14.2). */
void stun_enc_addr(stun_enc *e, uint16_t type, const sim_ep *ep);
/* Appends a 32- or 64-bit attribute. */
void stun_enc_u32(stun_enc *e, uint16_t type, uint32_t v);
void stun_enc_u64(stun_enc *e, uint16_t type, uint64_t v);
/* Appends a text attribute (USERNAME, REALM, NONCE, SOFTWARE). */
void stun_enc_str(stun_enc *e, uint16_t type, const char *s);
/* Appends RESPONSE-PORT. */
void stun_enc_port(stun_enc *e, uint16_t type, uint16_t port);
/* Appends ERROR-CODE (code 300..699; reason NULL: the registered phrase). */
void stun_enc_error(stun_enc *e, uint16_t code, const char *reason);
/* Appends UNKNOWN-ATTRIBUTES listing types[0..n). */
void stun_enc_unknown(stun_enc *e, const uint16_t *types, size_t n);
/* Appends MESSAGE-INTEGRITY (HMAC-SHA1 over the message so far, key borrowed). */
void stun_enc_integrity(stun_enc *e, const uint8_t *key, size_t key_len);
/* Appends MESSAGE-INTEGRITY-SHA256 (full 32 bytes). */
void stun_enc_integrity_sha256(stun_enc *e, const uint8_t *key, size_t key_len);
/* Appends FINGERPRINT; nothing may follow it. */
void stun_enc_fingerprint(stun_enc *e);
/* Ends the message: *out_len is its size. Returns 0, -EINVAL (bad value), or -ENOSPC. */
int stun_enc_finish(stun_enc *e, size_t *out_len);

/* ---------------------------------------------------------------- credentials (stun_auth.c) */

/* CRC-32 (ISO-HDLC, as zlib) of buf[0..len). */
uint32_t stun_crc32(const uint8_t *buf, size_t len);
/* Long-term key MD5(username ":" realm ":" password) into key[16] (RFC 8489 §9.2.2; SASLprep
 * / OpaqueString processing is not applied: pass prepared strings). */
void stun_key_long_term(const char *username, const char *realm, const char *password,
                        uint8_t key[16]);
/* HMAC-SHA1 (20 bytes) or HMAC-SHA256 (32 bytes) over the message prefix buf[0..off) with the
 * header length field replaced by `fake_len` (what it would be if the message ended with the
 * attribute at off), into mac. The codec and the checks below use it. */
void stun_hmac(bool sha256, const uint8_t *key, size_t key_len, const uint8_t *buf, size_t off,
               uint16_t fake_len, uint8_t *mac);
/* FINGERPRINT value for an attribute at off: CRC-32 of buf[0..off) with the header length
 * replaced by fake_len, XOR 0x5354554e (RFC 8489 §14.7). */
uint32_t stun_fingerprint(const uint8_t *buf, size_t off, uint16_t fake_len);
/* Verifies MESSAGE-INTEGRITY of a decoded message with key. Returns 0, -EBADMSG (no such
 * attribute), or -EACCES (mismatch). */
int stun_msg_check_integrity(const stun_msg *m, const uint8_t *key, size_t key_len);
/* Verifies MESSAGE-INTEGRITY-SHA256 (possibly truncated to 16..32 bytes). Same returns. */
int stun_msg_check_integrity_sha256(const stun_msg *m, const uint8_t *key, size_t key_len);
/* Verifies FINGERPRINT. Returns 0, -EBADMSG (absent), or -EACCES (mismatch). */
int stun_msg_check_fingerprint(const stun_msg *m);

/* ---------------------------------------------------------------- stream framing (stun_stream.c) */

/* STUN over TCP (RFC 8489 §6.2.2) is a byte stream: each message's length is in its header
 * (20 + Message Length bytes). TURN (RFC 8656 §12.5) also sends ChannelData on the stream:
 *
 *    0 0 | type ...            STUN message, 20-byte header, length at bytes 2-3, cookie 4-7
 *    0 1 | channel (0x4000-0x7FFF) | Length | data, padded to a multiple of 4 on TCP
 *    1 x | anything else: garbage, the connection is closed
 *
 * A reader reassembles frames from arbitrary chunks (split or merged); pure, no I/O. A frame
 * never exceeds STUN_MSG_MAX, so a full buffer always holds a frame or an error. */
typedef struct stun_stream {
    bool channel_data;     /* ChannelData frames allowed (TURN) */
    const char *error;     /* static reason once the stream is broken (sticky) */
    size_t len;            /* bytes held */
    size_t consumed;       /* bytes of the frame last returned, dropped at the next call */
    uint8_t buf[STUN_MSG_MAX];
} stun_stream;

/* Resets r to an empty stream; channel_data allows ChannelData frames. */
void stun_stream_init(stun_stream *r, bool channel_data);
/* Appends up to len bytes (as many as fit) and returns how many it took: 0 once broken, or
 * when the buffer is full (a whole frame is then waiting: take it with stun_stream_next). */
size_t stun_stream_feed(stun_stream *r, const uint8_t *data, size_t len);
/* Takes the next whole frame: *frame (borrowed until the next call on r) and *len (a
 * ChannelData frame without its padding). Returns 1 (a frame), 0 (more bytes needed), or
 * -EBADMSG (garbage: r->error says why; the caller closes the connection). */
int stun_stream_next(stun_stream *r, const uint8_t **frame, size_t *len);
/* Whether a frame from stun_stream_next is ChannelData (first two bits 01). */
bool stun_stream_is_channel(const uint8_t *frame, size_t len);

/* ---------------------------------------------------------------- outbox */

/* A datagram a core wants sent: from `from` (a local endpoint of the core; unset = the
 * driver's only socket) to `to`. */
typedef struct stun_out {
    sim_ep from;
    sim_ep to;
    size_t len;
    uint8_t data[STUN_MSG_MAX];
} stun_out;

/* ---------------------------------------------------------------- client (stun_client.c) */

/* RFC 8489 §6.2.1 defaults. */
#define STUN_RTO_DEFAULT (500 * SIM_MS)
#define STUN_RC_DEFAULT 7
#define STUN_RM_DEFAULT 16
/* RFC 8489 §6.2.2: over a reliable transport a request is sent once and the transaction times
 * out after Ti (default 39.5 s, the UDP give-up time). */
#define STUN_TI_DEFAULT (39500 * SIM_MS)

typedef struct stun_client_cfg {
    sim_time_t rto;       /* initial RTO (0: 500 ms), doubled after each transmission */
    unsigned rc;          /* transmissions (0: 7) */
    unsigned rm;          /* the last wait is rm x RTO (0: 16) */
    const char *software; /* SOFTWARE in requests the core builds (NULL: none; copied) */
    bool fingerprint;     /* add FINGERPRINT to requests the core builds */
    bool reliable;        /* TCP (RFC 8489 §6.2.2): one transmission, timeout after ti */
    sim_time_t ti;        /* transaction timeout over a reliable transport (0: 39.5 s) */
} stun_client_cfg;

typedef enum stun_tx_state {
    STUN_TX_RUNNING,
    STUN_TX_SUCCESS,      /* a success response arrived */
    STUN_TX_ERROR,        /* an error response arrived (code in stun_tx.code) */
    STUN_TX_TIMEOUT,      /* Rc transmissions and Rm x RTO without an answer */
    STUN_TX_CANCELLED,
    STUN_TX_CLOSED,       /* the reliable transport failed under it (RFC 8489 §6.2.2) */
} stun_tx_state;

/* One client transaction (read-only to callers). */
typedef struct stun_tx {
    unsigned id;
    stun_tx_state state;
    uint8_t txid[STUN_TXID_LEN];
    sim_ep dest;
    sim_time_t started, done_at;
    sim_time_t next;      /* next retransmission or give-up time while running */
    sim_time_t rto;       /* current RTO */
    unsigned sent;        /* transmissions so far */
    uint16_t code;        /* error response code */
    sim_ep from;          /* source of the response */
    size_t req_len, resp_len;
    uint8_t req[STUN_MSG_MAX];
    uint8_t resp[STUN_MSG_MAX];
} stun_tx;

typedef struct stun_client_stats {
    uint64_t sent, retransmits, responses, stray, bad, timeouts;
} stun_client_stats;

typedef struct stun_client stun_client;

/* Creates a client core; cfg is copied, rng borrowed (transaction ids). Returns owned. */
stun_client *stun_client_new(const stun_client_cfg *cfg, sim_rng *rng);
/* Frees the core and its transactions. NULL-safe. */
void stun_client_free(stun_client *c);
/* Starts a transaction sending req[0..len) (a STUN request, copied) to dest: the first
 * transmission is queued at once. *id (may be NULL) names it. Returns 0, -EINVAL (not a
 * request), or -EEXIST (a running transaction has that transaction id). */
int stun_client_start(stun_client *c, sim_time_t now, const sim_ep *dest, const uint8_t *req,
                      size_t len, unsigned *id);
/* Starts a Binding request with a fresh random transaction id (SOFTWARE/FINGERPRINT per cfg),
 * with extra CHANGE-REQUEST flags (0: none) for RFC 5780 tests. Returns 0 or -ENOSPC. */
int stun_client_binding(stun_client *c, sim_time_t now, const sim_ep *dest, uint32_t change,
                        unsigned *id);
/* One datagram from `from`. Returns 0 (a response to a running transaction: it is done),
 * -ENOENT (well-formed but not for us: stray, retransmitted answer, request), or -EBADMSG. */
int stun_client_input(stun_client *c, sim_time_t now, const sim_ep *from, const uint8_t *buf,
                      size_t len);
/* Retransmits and gives up what is due at now. */
void stun_client_timeout(stun_client *c, sim_time_t now);
/* The earliest retransmission or give-up time, or SIM_TIME_NEVER. */
sim_time_t stun_client_next_deadline(const stun_client *c);
/* Pops the next datagram to send into *out; false when the outbox is empty. */
bool stun_client_pop(stun_client *c, stun_out *out);
/* Pops the id of the next transaction that finished (success, error, timeout); false if none. */
bool stun_client_pop_done(stun_client *c, unsigned *id);
/* The transaction `id` (borrowed until it is forgotten), or NULL. */
const stun_tx *stun_client_tx(const stun_client *c, unsigned id);
/* The reliable transport carrying the transactions failed (connection refused, reset, closed,
 * garbage on the stream): every running transaction ends as STUN_TX_CLOSED and is reported
 * by stun_client_pop_done (RFC 8489 §6.2.2: the transaction has failed). */
void stun_client_transport_failed(stun_client *c, sim_time_t now);
/* Stops a running transaction (no event). */
void stun_client_cancel(stun_client *c, unsigned id);
/* Frees transaction `id`. */
void stun_client_forget(stun_client *c, unsigned id);
/* Counters (borrowed). */
const stun_client_stats *stun_client_get_stats(const stun_client *c);
/* Name of a state ("running", "success" ...). */
const char *stun_tx_state_name(stun_tx_state s);
/* The mapped address of a Binding success response: XOR-MAPPED-ADDRESS, else MAPPED-ADDRESS.
 * Returns 0, -ENOENT, -EPROTO (not a Binding success response), or -EBADMSG. */
int stun_binding_mapped(const uint8_t *resp, size_t len, sim_ep *mapped);

/* ---------------------------------------------------------------- server (stun_server.c) */

/* Local endpoints of an RFC 5780 server, by index: bit 0 = other port, bit 1 = other address. */
#define STUN_SERVER_LOCAL_MAX 4

typedef struct stun_server_cfg {
    sim_ep primary;       /* A1:P1, where clients send */
    sim_ip alt_ip;        /* A2 (family NONE: no RFC 5780 behaviour discovery) */
    uint16_t alt_port;    /* P2 (0 with alt_ip: no discovery) */
    const char *software; /* SOFTWARE in responses (NULL: none; copied) */
    bool fingerprint;     /* add FINGERPRINT to responses (true is the usual choice) */
} stun_server_cfg;
/* The Binding server does not authenticate (RFC 8489 §6.3: Binding needs no credentials);
 * MESSAGE-INTEGRITY in a request is neither required nor checked. */

typedef struct stun_server_stats {
    uint64_t requests, success, errors, ignored, bad;
} stun_server_stats;

typedef struct stun_server stun_server;

/* Creates a server core (cfg copied). Returns owned, or NULL when cfg->primary has no family
 * or port, or alt_ip's family differs from the primary's. */
stun_server *stun_server_new(const stun_server_cfg *cfg);
/* Frees the core. NULL-safe. */
void stun_server_free(stun_server *s);
/* Number of local endpoints (1, or 4 with RFC 5780) and each one: the driver opens a socket
 * per endpoint and passes its index to stun_server_input. */
size_t stun_server_n_local(const stun_server *s);
sim_ep stun_server_local(const stun_server *s, size_t idx);
/* One datagram that arrived on local endpoint `idx` from `from`. Returns 0 (answered), -ENOENT
 * (ignored: not a request, not Binding-able, garbage), or -EBADMSG (a malformed request,
 * answered 400). */
int stun_server_input(stun_server *s, sim_time_t now, size_t idx, const sim_ep *from,
                      const uint8_t *buf, size_t len);
/* Pops the next response; out->from is the local endpoint to send it from. */
bool stun_server_pop(stun_server *s, stun_out *out);
/* Counters (borrowed). */
const stun_server_stats *stun_server_get_stats(const stun_server *s);

/* ---------------------------------------------------------------- discovery (stun_discovery.c) */

/* A behaviour RFC 4787 names, as RFC 5780 discovers it: endpoint-independent, address-dependent,
 * address-and-port-dependent (mapping: EIM/ADM/APDM, filtering: EIF/ADF/APDF). */
typedef enum stun_behaviour {
    STUN_BEH_UNKNOWN = 0,
    STUN_BEH_EI,
    STUN_BEH_AD,
    STUN_BEH_APD,
} stun_behaviour;

typedef enum stun_disc_state {
    STUN_DISC_IDLE,
    STUN_DISC_RUNNING,
    STUN_DISC_DONE,       /* every test ran: the result is complete */
    STUN_DISC_FAILED,     /* the server did not answer, answered an error, or lacks RFC 5780 */
} stun_disc_state;

typedef struct stun_discovery_cfg {
    sim_ep server;          /* the server's primary A1:P1 */
    sim_ep local;           /* the client's local transport address (what "no NAT" compares) */
    sim_ep local2;          /* a second local socket for the hairpinning test (port 0: none) */
    stun_client_cfg client; /* transaction timers, SOFTWARE, FINGERPRINT */
} stun_discovery_cfg;

/* What discovery found (read-only to callers). */
typedef struct stun_discovery_result {
    stun_disc_state state;
    const char *error;          /* static reason when FAILED */
    uint16_t code;              /* the error response's code, when that was the reason */
    bool nat;                   /* false: the mapped address is the local address (no NAT) */
    stun_behaviour mapping;     /* EI also when there is no NAT */
    stun_behaviour filtering;
    int hairpin;                /* -1 not tested, 0 no, 1 yes (RFC 5780 §4.5) */
    sim_ep mapped;              /* test I: XOR-MAPPED-ADDRESS towards A1:P1 */
    sim_ep mapped2, mapped3;    /* mapping tests II (A2:P1) and III (A2:P2), when run */
    sim_ep other;               /* the server's OTHER-ADDRESS A2:P2 */
    unsigned transactions;      /* Binding transactions run */
    sim_time_t started, done_at;
} stun_discovery_result;

typedef struct stun_discovery stun_discovery;

/* Creates a discovery core (RFC 5780 §4.3 mapping and §4.4 filtering tests, §4.5 hairpinning
 * when cfg->local2 has a port). cfg copied, rng borrowed. Returns owned. */
stun_discovery *stun_discovery_new(const stun_discovery_cfg *cfg, sim_rng *rng);
/* Frees the core. NULL-safe. */
void stun_discovery_free(stun_discovery *d);
/* Starts the tests (test I is queued at once). Returns 0 or -EALREADY (already started). */
int stun_discovery_start(stun_discovery *d, sim_time_t now);
/* A datagram that arrived on local socket idx (0: cfg->local, 1: cfg->local2) from `from`.
 * Returns 0 (consumed: a response or the hairpinned request), -ENOENT (not for us), or
 * -EBADMSG. */
int stun_discovery_input(stun_discovery *d, sim_time_t now, size_t idx, const sim_ep *from,
                         const uint8_t *buf, size_t len);
/* Retransmits and decides timed-out tests at now. */
void stun_discovery_timeout(stun_discovery *d, sim_time_t now);
/* The earliest deadline, or SIM_TIME_NEVER. */
sim_time_t stun_discovery_next_deadline(const stun_discovery *d);
/* Pops the next datagram to send; out->from is cfg->local or cfg->local2. False when empty. */
bool stun_discovery_pop(stun_discovery *d, stun_out *out);
/* The result so far (borrowed). */
const stun_discovery_result *stun_discovery_get_result(const stun_discovery *d);
/* "EIM"/"ADM"/"APDM" and "EIF"/"ADF"/"APDF" ("unknown" for STUN_BEH_UNKNOWN). */
const char *stun_mapping_name(stun_behaviour b);
const char *stun_filtering_name(stun_behaviour b);
/* "idle", "running", "done", "failed". */
const char *stun_disc_state_name(stun_disc_state s);

/* ---------------------------------------------------------------- driver (stun_sim.c) */

/* An app on a simulated host: a server (one socket per local endpoint of the core), a client
 * (one socket) or a discovery client (one socket, two with the hairpinning test). Each app has
 * one timer, re-armed at its core's next deadline after every input and timeout. */
typedef struct stun_app stun_app;
/* A client transaction finished (success, error, timeout); tx is borrowed until return. The
 * callback may forget the transaction (stun_client_forget) or start new ones. */
typedef void (*stun_app_done_fn)(stun_app *a, const stun_tx *tx, void *ctx);
/* Called after every input or timeout of the app's core (the Lua binding wakes waiters). */
typedef void (*stun_app_notify_fn)(stun_app *a, void *ctx);

/* Starts a Binding server on node n; cfg->primary (and alt_ip) must be addresses of n. Returns
 * borrowed (freed with the world or stun_app_free), or NULL with err set (bad config, address
 * not on the node, port in use). */
stun_app *stun_app_server(sim_node *n, const stun_server_cfg *cfg, GError **err);
/* Starts a client on node n bound to local port `port` (0: ephemeral) of the family. Returns
 * borrowed, or NULL with err set. */
stun_app *stun_app_client(sim_node *n, int family, uint16_t port, const stun_client_cfg *cfg,
                          GError **err);
/* Starts a discovery client on node n at local port `port` (0: ephemeral) against `server`,
 * with a second socket for the hairpinning test when `hairpin`; the tests start at once.
 * cfg->server/local/local2 are filled in here. Returns borrowed, or NULL with err set. */
stun_app *stun_app_discovery(sim_node *n, uint16_t port, bool hairpin, stun_discovery_cfg *cfg,
                             GError **err);
/* TCP counters of an app: connections accepted (server) or made (client), open now, closed
 * for garbage on the stream, responses not sent (a CHANGE-REQUEST answer cannot leave a TCP
 * connection from another endpoint). */
typedef struct stun_app_tcp_stats {
    uint64_t accepted, open, garbage, unsent;
} stun_app_tcp_stats;

/* Also serves STUN over TCP on the server app's primary endpoint (RFC 8489 §6.2.2): each
 * accepted connection stays open, carries any number of requests, and gets its responses
 * (XOR-MAPPED-ADDRESS = the connection's remote endpoint) on itself. Returns 0, or -1 with
 * err set (not a server app, port in use). */
int stun_app_server_listen_tcp(stun_app *a, GError **err);
/* Starts a client on node n whose transactions run over one TCP connection from local port
 * `port` (0: ephemeral) to `server` (reliable: no retransmission, Ti timeout; cfg->reliable is
 * set here). Requests wait until the connection is up; if it fails, running transactions end
 * as STUN_TX_CLOSED. Returns borrowed, or NULL with err set. */
stun_app *stun_app_client_tcp(sim_node *n, uint16_t port, const sim_ep *server,
                              const stun_client_cfg *cfg, GError **err);
/* Why a TCP client's connection ended ("connection refused", "garbage: ..."), or NULL. */
const char *stun_app_tcp_error(const stun_app *a);
/* TCP counters (borrowed). */
const stun_app_tcp_stats *stun_app_get_tcp_stats(const stun_app *a);
/* Stops the app: closes its sockets, frees timer and core. NULL-safe. */
void stun_app_free(stun_app *a);
/* Starts a Binding transaction on a client app (CHANGE-REQUEST flags `change`, 0: none) and
 * sends it. Returns 0, -EINVAL (not a client app; a TCP client's dest is not its server), or
 * -ENOSPC. */
int stun_app_binding(stun_app *a, const sim_ep *dest, uint32_t change, unsigned *id);
/* The cores (NULL when the app is of another kind). */
stun_server *stun_app_server_core(stun_app *a);
stun_client *stun_app_client_core(stun_app *a);
stun_discovery *stun_app_discovery_core(stun_app *a);
/* The app's node, first socket's local endpoint (address filled in from the node when the
 * socket is bound to any) and world handle. */
sim_node *stun_app_node(stun_app *a);
sim_ep stun_app_local(stun_app *a);
sim_ref stun_app_ref(stun_app *a);
/* Installs the done callback (client apps) and the notify callback (any app). */
void stun_app_on_done(stun_app *a, stun_app_done_fn fn, void *ctx);
void stun_app_on_notify(stun_app *a, stun_app_notify_fn fn, void *ctx);
/* World ref kind of STUN apps (for sim_world_ref_get). */
#define STUN_REF_KIND 0x53544e /* "STN" */

/* ---------------------------------------------------------------- Lua (stun_lua.c) */

/* Opens module `stun` (stun.server, stun.binding, stun.discover). */
int stun_lua_open(lua_State *L);

/* ---------------------------------------------------------------- CLI (stun_decode.c) */

/* Appends a multi-line dump of a decoded message: header, then every attribute decoded. */
void stun_msg_fmt(const stun_msg *m, GString *out);
/* `natsim decode stun FILE [--key HEX | --password P [--user U --realm R]]` (natsim_decode_fn
 * of cli/cli.h): prints the message, verifies MESSAGE-INTEGRITY(-SHA256) when a key is given
 * and FINGERPRINT always. Returns 0, or -1 with err set (bad option, malformed message with
 * the byte offset of the error, integrity or fingerprint mismatch). */
int stun_decode(const uint8_t *data, size_t len, int argc, char **argv, GString *out,
                GError **err);

#endif
