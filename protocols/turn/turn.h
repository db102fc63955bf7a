/* protocols/turn/turn.h — TURN, Traversal Using Relays around NAT:
 *   RFC 8656  TURN (methods, attributes, ChannelData, server and client behaviour), UDP relaying,
 *             client-to-server transport UDP or TCP (§3.1; ChannelData padded on TCP, §12.5),
 *   RFC 5766  the first TURN RFC: same wire format; the server accepts its wider channel range
 *             0x4000-0x7FFF (RFC 5766 clients such as coturn's pick from all of it), the client
 *             binds only RFC 8656's 0x4000-0x4FFF,
 *   RFC 8489  STUN underneath (protocols/stun/stun.h: codec, long-term credentials, client
 *             transactions with RFC timers).
 *
 * Layering (DESIGN §4): turn_msg.c is the codec (TURN attributes on top of the STUN codec,
 * ChannelData framing), turn_server.c / turn_alloc.c the sans-I/O server core, turn_client.c the
 * sans-I/O client core, turn_decode.c `natsim decode turn`, turn_sim.c the driver on simulated
 * sockets and turn_lua.c the `turn` module for scenarios.
 *
 * ChannelData (RFC 8656 §12.4), sent in place of a Send/Data indication once a channel is bound:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |         Channel Number        |            Length             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                 Application Data (Length bytes), padded to 4  |
 *
 * The first two bits 01 tell ChannelData from STUN (00) on the same socket.
 */
#ifndef PROTOCOLS_TURN_TURN_H
#define PROTOCOLS_TURN_TURN_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <lua.h>
#include "protocols/stun/stun.h"
#include "sim/addr.h"
#include "sim/node.h"
#include "sim/rng.h"
#include "sim/time.h"
#include "sim/world.h"

/* ---------------------------------------------------------------- constants */

/* Methods (RFC 8656 §17). */
#define TURN_ALLOCATE 0x003
#define TURN_REFRESH 0x004
#define TURN_SEND 0x006
#define TURN_DATA 0x007
#define TURN_CREATE_PERMISSION 0x008
#define TURN_CHANNEL_BIND 0x009

/* Attributes (RFC 8656 §18, RFC 5766 §14). */
#define TURN_ATTR_CHANNEL_NUMBER 0x000C
#define TURN_ATTR_LIFETIME 0x000D
#define TURN_ATTR_XOR_PEER_ADDRESS 0x0012
#define TURN_ATTR_DATA 0x0013
#define TURN_ATTR_XOR_RELAYED_ADDRESS 0x0016
#define TURN_ATTR_REQUESTED_ADDRESS_FAMILY 0x0017
#define TURN_ATTR_EVEN_PORT 0x0018
#define TURN_ATTR_REQUESTED_TRANSPORT 0x0019
#define TURN_ATTR_DONT_FRAGMENT 0x001A
#define TURN_ATTR_RESERVATION_TOKEN 0x0022
#define TURN_ATTR_ADDITIONAL_ADDRESS_FAMILY 0x8000
#define TURN_ATTR_ADDRESS_ERROR_CODE 0x8001
#define TURN_ATTR_ICMP 0x8004

/* Error codes (RFC 8656 §19) besides STUN's. */
#define TURN_ERR_FORBIDDEN 403
#define TURN_ERR_ALLOCATION_MISMATCH 437
#define TURN_ERR_ADDRESS_FAMILY 440
#define TURN_ERR_WRONG_CREDENTIALS 441
#define TURN_ERR_UNSUPPORTED_TRANSPORT 442
#define TURN_ERR_PEER_FAMILY_MISMATCH 443
#define TURN_ERR_QUOTA 486
#define TURN_ERR_INSUFFICIENT_CAPACITY 508

/* Address families of REQUESTED-/ADDITIONAL-ADDRESS-FAMILY (RFC 8656 §18.8). */
#define TURN_FAMILY_IPV4 0x01
#define TURN_FAMILY_IPV6 0x02

#define TURN_TRANSPORT_UDP 17
/* Channel numbers the client binds (RFC 8656 §12); the server and the ChannelData framing accept
 * the RFC 5766 range up to TURN_CHANNEL_FRAME_MAX (be liberal in what you accept: RFC 5766
 * clients are still common). */
#define TURN_CHANNEL_MIN 0x4000
#define TURN_CHANNEL_MAX 0x4FFF
#define TURN_CHANNEL_FRAME_MAX 0x7FFF
#define TURN_CHANDATA_HDR 4

/* Timers (RFC 8656 §3.2, §9, §12). */
#define TURN_LIFETIME_DEFAULT (600 * SIM_SEC)
#define TURN_LIFETIME_MAX (3600 * SIM_SEC)
#define TURN_PERMISSION_LIFETIME (300 * SIM_SEC)
#define TURN_CHANNEL_LIFETIME (600 * SIM_SEC)
/* A channel stays reserved for its peer this long after it expired (RFC 8656 §12). */
#define TURN_CHANNEL_COOLDOWN (300 * SIM_SEC)

/* Largest application datagram relayed (leaves room for the STUN header and attributes). */
#define TURN_DATA_MAX 1900

/* ---------------------------------------------------------------- codec (turn_msg.c) */

/* Checks one attribute value: TURN attributes by RFC 8656 §18, anything else by the STUN rules.
 * Returns NULL when fine (*known false for a type neither knows), else a static reason. */
const char *turn_attr_check(uint16_t type, const uint8_t *v, size_t len, bool *known);
/* Decodes a STUN-format TURN message: stun_msg_decode, then every TURN attribute checked and
 * taken off m->unknown. Returns 0, or -EBADMSG with *e (may be NULL) set; *m untouched on error. */
int turn_msg_decode(const uint8_t *buf, size_t len, stun_msg *m, stun_err *e);
/* Name of a TURN or STUN method ("Allocate", "Binding"), or NULL when unknown. */
const char *turn_method_name(uint16_t method);
/* Name of a TURN or STUN attribute ("XOR-PEER-ADDRESS"), or NULL when unknown. */
const char *turn_attr_name(uint16_t type);
/* Reason phrase of a TURN or STUN error code ("Allocation Mismatch"), or "" when unknown. */
const char *turn_reason(uint16_t code);

/* Typed getters on a message decoded by turn_msg_decode: 0, -ENOENT (absent) or -EBADMSG. */
/* CHANNEL-NUMBER's number (any value; ranges are the caller's rule). */
int turn_msg_get_channel(const stun_msg *m, uint16_t *ch);
/* LIFETIME in seconds. */
int turn_msg_get_lifetime(const stun_msg *m, uint32_t *secs);
/* REQUESTED-TRANSPORT's protocol number. */
int turn_msg_get_transport(const stun_msg *m, uint8_t *proto);
/* REQUESTED-ADDRESS-FAMILY or ADDITIONAL-ADDRESS-FAMILY (type) family byte. */
int turn_msg_get_family(const stun_msg *m, uint16_t type, uint8_t *family);
/* EVEN-PORT's R bit (reserve the next port). */
int turn_msg_get_even_port(const stun_msg *m, bool *reserve);
/* DATA: a pointer into the message (borrowed) and its length. */
int turn_msg_get_data(const stun_msg *m, const uint8_t **data, size_t *len);
/* ADDRESS-ERROR-CODE: family, code and the reason copied NUL-terminated into reason[0..cap). */
int turn_msg_get_address_error(const stun_msg *m, uint8_t *family, uint16_t *code, char *reason,
                               size_t cap);
/* ICMP: type and code of the ICMP error a peer sent, and its error data. */
int turn_msg_get_icmp(const stun_msg *m, uint8_t *type, uint8_t *code, uint32_t *data);

/* Typed appenders (errors sticky in e, as stun_enc_*). */
void turn_enc_channel(stun_enc *e, uint16_t ch);
void turn_enc_lifetime(stun_enc *e, uint32_t secs);
void turn_enc_transport(stun_enc *e, uint8_t proto);
/* REQUESTED-ADDRESS-FAMILY or ADDITIONAL-ADDRESS-FAMILY (type). */
void turn_enc_family(stun_enc *e, uint16_t type, uint8_t family);
void turn_enc_even_port(stun_enc *e, bool reserve);
void turn_enc_address_error(stun_enc *e, uint8_t family, uint16_t code, const char *reason);
void turn_enc_icmp(stun_enc *e, uint8_t type, uint8_t code, uint32_t data);

/* True when buf starts like ChannelData (first two bits 01): the demultiplexing test. */
bool turn_is_chandata(const uint8_t *buf, size_t len);
/* Frames data[0..len) on channel ch into buf[0..cap), padded to 4 bytes when pad (over UDP the
 * padding is optional, RFC 8656 §12.5). Returns 0, -EINVAL (channel outside 0x4000-0x7FFF,
 * len > 65535), or -ENOSPC. */
int turn_chandata_encode(uint16_t ch, const uint8_t *data, size_t len, bool pad, uint8_t *buf,
                         size_t cap, size_t *out_len);
/* Parses one ChannelData datagram: channel, and the data (a pointer into buf, borrowed).
 * Accepts channels 0x4000-0x7FFF (RFC 5766 framing) and 0..3 padding bytes after the data.
 * Returns 0 or -EBADMSG with *why (may be NULL) set to a static reason. */
int turn_chandata_decode(const uint8_t *buf, size_t len, uint16_t *ch, const uint8_t **data,
                         size_t *dlen, const char **why);

/* ---------------------------------------------------------------- outbox */

/* A datagram a core wants sent: from `from` (server: the listening endpoint or one relayed
 * address, so the driver picks the socket; client: unset) to `to`. */
typedef struct turn_out {
    sim_ep from;
    sim_ep to;
    size_t len;
    uint8_t data[STUN_MSG_MAX];
} turn_out;

/* ---------------------------------------------------------------- server (turn_server.c) */

typedef struct turn_server_cfg {
    sim_ep listen;          /* where clients send (required) */
    sim_ip relay_ip;        /* the relayed addresses' IP (unset: listen's) */
    uint16_t port_min;      /* relay port range (0: 49152..65535) */
    uint16_t port_max;
    const char *realm;      /* REALM (NULL: "natsim"; copied) */
    unsigned quota;         /* allocations per user (0: 10) */
    sim_time_t nonce_lifetime;   /* a NONCE is stale after this (0: 1 hour) */
    sim_time_t default_lifetime; /* 0: 600 s */
    sim_time_t max_lifetime;     /* 0: 3600 s */
    const char *software;   /* SOFTWARE in responses (NULL: none; copied) */
    bool fingerprint;       /* add FINGERPRINT to responses */
} turn_server_cfg;

/* What the driver must do to its sockets. */
typedef enum turn_server_event_kind {
    TURN_SEV_RELAY_OPEN,    /* open a UDP socket on ev.relay (an allocation was made) */
    TURN_SEV_RELAY_CLOSE,   /* close it (deleted, expired) */
} turn_server_event_kind;

typedef struct turn_server_event {
    turn_server_event_kind kind;
    sim_ep relay;
    sim_ep client;
} turn_server_event;

typedef struct turn_server_stats {
    uint64_t requests, success, errors, bad, ignored;
    uint64_t allocations, expired;
    uint64_t relayed_to_peer, relayed_to_client;   /* datagrams */
    uint64_t no_permission;  /* peer datagrams (or Sends) dropped for want of a permission */
    uint64_t no_channel;     /* ChannelData on a channel that is not bound */
} turn_server_stats;

typedef struct turn_server turn_server;

/* Creates a server core; cfg copied, rng borrowed (nonce secret, relay ports). Returns owned, or
 * NULL when cfg->listen is unset or the port range is empty. */
turn_server *turn_server_new(const turn_server_cfg *cfg, sim_rng *rng);
/* Frees the core. NULL-safe. */
void turn_server_free(turn_server *s);
/* Adds (or replaces) a long-term credential; the key MD5(user:realm:password) is stored.
 * Returns 0 or -EINVAL (empty or too long user). */
int turn_server_add_user(turn_server *s, const char *user, const char *password);
/* The listening endpoint. */
sim_ep turn_server_listen(const turn_server *s);
/* One datagram that arrived on local endpoint `local` (the listening endpoint or a relayed
 * address) from `from`. Returns 0 (handled), -ENOENT (dropped: no allocation, permission or
 * channel, not a request), -EBADMSG (malformed; a request gets 400), -EINVAL (local is none of
 * ours). */
int turn_server_input(turn_server *s, sim_time_t now, const sim_ep *local, const sim_ep *from,
                      const uint8_t *buf, size_t len);
/* Expires allocations, permissions and channels due at now. */
void turn_server_timeout(turn_server *s, sim_time_t now);
/* The earliest expiry, or SIM_TIME_NEVER. */
sim_time_t turn_server_next_deadline(const turn_server *s);
/* Pops the next datagram into *out; false when empty. */
bool turn_server_pop(turn_server *s, turn_out *out);
/* Pops the next socket event; false when none. */
bool turn_server_pop_event(turn_server *s, turn_server_event *ev);
/* Deletes the allocation on relayed address `relay` (the driver could not open its socket).
 * Returns 0 or -ENOENT. */
int turn_server_drop(turn_server *s, const sim_ep *relay);
/* The client's TCP connection from `client` closed: its allocation is deleted (RFC 8656 §3.1:
 * an allocation over TCP lives as long as its connection; event RELAY_CLOSE). Returns 0 or
 * -ENOENT. */
int turn_server_close_client(turn_server *s, const sim_ep *client);
/* Number of live allocations. */
size_t turn_server_n_allocations(const turn_server *s);
/* Appends one line per allocation (client, relayed address, user, expiry, permissions,
 * channels) in creation order. */
void turn_server_fmt(const turn_server *s, sim_time_t now, GString *out);
/* Counters (borrowed). */
const turn_server_stats *turn_server_get_stats(const turn_server *s);

/* ---------------------------------------------------------------- client (turn_client.c) */

typedef struct turn_client_cfg {
    sim_ep server;          /* the TURN server's listening endpoint (required) */
    const char *username;   /* long-term credential (copied) */
    const char *password;
    sim_time_t lifetime;    /* requested allocation lifetime (0: 600 s) */
    bool pad_chandata;      /* pad ChannelData to 4 bytes (default false over UDP) */
    stun_client_cfg stun;   /* retransmission timers of the requests */
} turn_client_cfg;

typedef enum turn_client_state {
    TURN_CLIENT_IDLE,
    TURN_CLIENT_ALLOCATING,
    TURN_CLIENT_ALLOCATED,
    TURN_CLIENT_FAILED,     /* allocation refused, timed out, or its refresh failed */
    TURN_CLIENT_CLOSED,     /* deleted with a zero-lifetime Refresh */
} turn_client_state;

typedef enum turn_event_kind {
    TURN_EV_ALLOCATED,      /* ep: relayed address, mapped: server-reflexive address */
    TURN_EV_ALLOCATE_FAILED,/* code: error code, 0 on timeout */
    TURN_EV_REFRESHED,
    TURN_EV_REFRESH_FAILED,
    TURN_EV_PERMITTED,      /* ep.ip: the peer IP */
    TURN_EV_PERMIT_FAILED,
    TURN_EV_BOUND,          /* ep: the peer, channel */
    TURN_EV_BIND_FAILED,
    TURN_EV_CLOSED,
} turn_event_kind;

typedef struct turn_event {
    turn_event_kind kind;
    sim_ep ep;
    sim_ep mapped;
    uint16_t channel;
    uint16_t code;          /* STUN error code, 0 for a timeout */
} turn_event;

/* A datagram a peer sent through the relay. */
typedef struct turn_rx {
    sim_ep peer;
    uint16_t channel;       /* 0: came in a Data indication */
    size_t len;
    uint8_t data[TURN_DATA_MAX];
} turn_rx;

typedef struct turn_client_stats {
    uint64_t requests, auth_retries, stale_nonces, errors, bad, stray;
    uint64_t sends, chandata_sent, data_rcvd, chandata_rcvd;
} turn_client_stats;

typedef struct turn_client turn_client;

/* Creates a client core; cfg copied, rng borrowed. Returns owned, or NULL without server or
 * username/password. */
turn_client *turn_client_new(const turn_client_cfg *cfg, sim_rng *rng);
/* Frees the core. NULL-safe. */
void turn_client_free(turn_client *c);
/* Sends an Allocate (401 and 438 are answered by retrying with credentials / the new nonce).
 * Returns 0 or -EALREADY (not idle). */
int turn_client_allocate(turn_client *c, sim_time_t now);
/* Installs a permission for peer IP (CreatePermission), refreshed every 240 s from then on.
 * Returns 0, -ENOTCONN (not allocated) or -EAFNOSUPPORT (family differs from the relay's). */
int turn_client_permit(turn_client *c, sim_time_t now, const sim_ip *peer);
/* Binds a channel to peer (ChannelBind, which also installs the permission), refreshed every
 * 540 s. *ch (may be NULL) gets the number. Returns 0, -ENOTCONN, -EAFNOSUPPORT, or -ENOSPC
 * (every channel used). Binding a peer already bound re-sends the request (a refresh). */
int turn_client_bind(turn_client *c, sim_time_t now, const sim_ep *peer, uint16_t *ch);
/* Sends data to peer through the relay: ChannelData if a channel is bound, else a Send
 * indication. Returns 0, -ENOTCONN, -EMSGSIZE (len > TURN_DATA_MAX). */
int turn_client_send(turn_client *c, sim_time_t now, const sim_ep *peer, const uint8_t *data,
                     size_t len);
/* Refreshes the allocation now (the core also does it 60 s before expiry). Returns 0 or
 * -ENOTCONN. */
int turn_client_refresh(turn_client *c, sim_time_t now);
/* Deletes the allocation (Refresh with LIFETIME 0). Returns 0 or -ENOTCONN. */
int turn_client_close(turn_client *c, sim_time_t now);
/* One datagram from `from`. Returns 0 (used), -ENOENT (not from the server / stray), -EBADMSG. */
int turn_client_input(turn_client *c, sim_time_t now, const sim_ep *from, const uint8_t *buf,
                      size_t len);
/* The TCP connection to the server failed or closed: running requests fail (as on a timeout,
 * code 0), an allocation is gone (state FAILED, event CLOSED), queued datagrams are dropped. */
void turn_client_transport_failed(turn_client *c, sim_time_t now);
/* Retransmits and refreshes what is due at now. */
void turn_client_timeout(turn_client *c, sim_time_t now);
/* The earliest retransmission or refresh time, or SIM_TIME_NEVER. */
sim_time_t turn_client_next_deadline(const turn_client *c);
/* Pops the next datagram to send; false when empty. */
bool turn_client_pop(turn_client *c, turn_out *out);
/* Pops the next event; false when none. */
bool turn_client_pop_event(turn_client *c, turn_event *ev);
/* Pops the next datagram received from a peer; false when none. */
bool turn_client_pop_rx(turn_client *c, turn_rx *rx);
/* State, and the relayed / server-reflexive addresses once allocated. */
turn_client_state turn_client_get_state(const turn_client *c);
int turn_client_relayed(const turn_client *c, sim_ep *relayed, sim_ep *mapped);
/* True when a permission for ip is installed (the server confirmed it). */
bool turn_client_has_permission(const turn_client *c, const sim_ip *ip);
/* The last error code the server sent (0: none). */
uint16_t turn_client_last_error(const turn_client *c);
/* Counters (borrowed). */
const turn_client_stats *turn_client_get_stats(const turn_client *c);
/* "idle", "allocating" ... */
const char *turn_client_state_name(turn_client_state s);
/* "allocated", "permitted" ... */
const char *turn_event_name(turn_event_kind k);

/* ---------------------------------------------------------------- CLI (turn_decode.c) */

/* `natsim decode turn FILE [stun options]` (natsim_decode_fn of cli/cli.h): ChannelData framing,
 * or a STUN-format message with TURN attribute names. Returns 0, or -1 with err set. */
int turn_decode(const uint8_t *data, size_t len, int argc, char **argv, GString *out,
                GError **err);

/* ---------------------------------------------------------------- driver (turn_sim.c) */

/* World ref kind of TURN apps. */
#define TURN_REF_KIND 0x54524e /* "TRN" */

typedef struct turn_app turn_app;
typedef void (*turn_app_notify_fn)(turn_app *a, void *ctx);

/* Starts a server on node n: a socket on cfg->listen's port, one per allocation on the relay
 * address. cfg->listen.ip unset: the node's first IPv4 address. Returns world-owned, or NULL
 * with err set. */
turn_app *turn_app_server(sim_node *n, const turn_server_cfg *cfg, GError **err);
/* Starts a client on node n (ephemeral port). Returns world-owned, or NULL with err set. */
turn_app *turn_app_client(sim_node *n, const turn_client_cfg *cfg, GError **err);
/* Also accepts TCP connections on the server's listening endpoint (RFC 8656 §3.1): STUN and
 * ChannelData framed on each stream (stun_stream), the allocation keyed by the connection's
 * remote endpoint and deleted when it closes; relaying to peers stays UDP. Returns 0, or -1
 * with err set (not a server, port in use). */
int turn_app_server_listen_tcp(turn_app *a, GError **err);
/* Starts a client on node n that talks to its server over one TCP connection (ephemeral
 * port): reliable STUN transactions (Ti), ChannelData padded to 4 bytes (cfg's stun.reliable
 * and pad_chandata are set here). Requests wait until the connection is up; its failure or
 * close ends the allocation (turn_client_transport_failed). Returns world-owned, or NULL with
 * err set. */
turn_app *turn_app_client_tcp(sim_node *n, const turn_client_cfg *cfg, GError **err);
/* Why a TCP client's connection ended (a static string, e.g. "Connection refused"), or NULL. */
const char *turn_app_tcp_error(const turn_app *a);
/* Number of open TCP connections of the app (server: accepted; client: 0 or 1). */
size_t turn_app_tcp_open(const turn_app *a);
/* Closes sockets and frees the core; the handle goes stale. NULL-safe. */
void turn_app_free(turn_app *a);
/* After calling into the core from outside: drains outboxes, re-arms the timer, notifies. */
void turn_app_kick(turn_app *a);
turn_server *turn_app_server_core(turn_app *a);
turn_client *turn_app_client_core(turn_app *a);
sim_node *turn_app_node(turn_app *a);
sim_ref turn_app_ref(turn_app *a);
/* Every client event so far, in order (borrowed until the next kick): *n of them. */
const turn_event *turn_app_events(turn_app *a, size_t *n);
/* Called after every input or timeout (the Lua binding wakes its tasks). */
void turn_app_on_notify(turn_app *a, turn_app_notify_fn fn, void *ctx);

/* ---------------------------------------------------------------- Lua (turn_lua.c) */

/* Opens module `turn` (simlua_module_open). */
int turn_lua_open(lua_State *L);

#endif
