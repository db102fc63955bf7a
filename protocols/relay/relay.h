/* protocols/relay/relay.h — the lecture's first NAT-traversal apps, over UDP:
 *   - a rendezvous server S for UDP hole punching (RFC 5128 §3.3, "Peer-to-Peer Communication
 *     Across Network Address Translators", Ford/Srisuresh/Kegel 2005 §3),
 *   - a relay server P that forwards datagrams between registered clients (RFC 5128 §2.1;
 *     the idea TURN, RFC 8656, standardises),
 *   - a connection-reversal server (RFC 5128 §2.2): a public peer asks, through the server,
 *     a client behind a NAT to open the connection itself,
 *   - the client that registers with any of them, keeps its NAT mapping alive, punches, relays
 *     and answers reversal requests.
 *
 * Layering (DESIGN §4): relay_msg.c is the codec (bytes <-> relay_msg, no I/O);
 * relay_server.c / relay_client.c are sans-I/O cores (input bytes and time, output an outbox of
 * datagrams and a deadline; randomness handed in); relay_sim.c drives the cores over
 * sim/socket.h and sim/timer.h; relay_lua.c binds the apps to Lua as module `relay`.
 *
 * Wire format (one UDP datagram = one message, network byte order):
 *
 *    0       1       2       3
 *   +-------+-------+-------+-------+
 *   |  'R'  |  'L'  |  'Y'  |  ver  |  magic "RLY", version 1 (shows as "RLY." in Wireshark)
 *   +-------+-------+-------+-------+
 *   | type  | flags |  body length  |  flags must be 0; body length = bytes after the header
 *   +-------+-------+-------+-------+
 *   |        transaction id         |  chosen by the requester, echoed in replies
 *   +-------+-------+-------+-------+
 *   |  body: the fields of `type`, in the order of the table below, nothing after them
 *   +-------
 *
 *   field   encoding                                 message types carrying it
 *   NAME    u8 len (1..32), then len printable       every type but ERROR
 *           ASCII bytes, no space (0x21..0x7e)
 *   FROM    like NAME                                REVERSE (requester)
 *   PUB     endpoint (see below)                     REGISTERED, PEER, REVERSE
 *   PRIV    endpoint                                 REGISTER, PEER
 *   NONCE   u64                                      PEER, PUNCH, PUNCH-ACK, REVERSE
 *   PAYLOAD u16 len (<= RELAY_PAYLOAD_MAX), bytes    RELAY, RELAYED, DATA
 *   CODE    u16                                      ERROR
 *   TEXT    u8 len (<= 127), printable ASCII         ERROR
 *
 *   endpoint: u8 family (4 or 6), u16 port, then 4 or 16 address bytes.
 *
 *   type          fields                         meaning
 *   1 REGISTER    NAME PRIV                      client -> server: "I am NAME, my private ep"
 *   2 REGISTERED  NAME PUB                       server -> client: "I see you at PUB"
 *   3 CONNECT     NAME                           client -> S: "I want to talk to NAME"
 *   4 PEER        NAME PUB PRIV NONCE            S -> both sides: the other side's endpoints
 *   5 PUNCH       NAME NONCE                     peer -> peer: NAME is the sender
 *   6 PUNCH-ACK   NAME NONCE                     answer to a PUNCH (proves the round trip)
 *   7 RELAY       NAME PAYLOAD                   client -> P: deliver PAYLOAD to NAME
 *   8 RELAYED     NAME PAYLOAD                   P -> client: PAYLOAD from NAME
 *   9 REVERSE     NAME FROM PUB NONCE            B -> server -> A: "FROM asks NAME to contact
 *                                                it at PUB"; the server fills PUB with the
 *                                                requester's endpoint as it sees it
 *  10 KEEPALIVE   NAME                           client -> server: refresh registration+mapping
 *  11 ERROR       CODE TEXT                      server -> client (codes RELAY_ERR_*)
 *  12 DATA        NAME PAYLOAD                   peer -> peer over a punched / reversed path
 */
#ifndef PROTOCOLS_RELAY_RELAY_H
#define PROTOCOLS_RELAY_RELAY_H

#include <glib.h>
#include <lua.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/addr.h"
#include "sim/node.h"
#include "sim/rng.h"
#include "sim/time.h"

/* ---------------------------------------------------------------- codec (relay_msg.c) */

#define RELAY_VERSION 1
#define RELAY_HDR_LEN 12
#define RELAY_NAME_MAX 32
#define RELAY_TEXT_MAX 127
#define RELAY_PAYLOAD_MAX 1200
/* Largest encoded message: header + two names + two IPv6 endpoints + nonce + payload. */
#define RELAY_MSG_MAX 1400

typedef enum relay_type {
    RELAY_REGISTER = 1,
    RELAY_REGISTERED = 2,
    RELAY_CONNECT = 3,
    RELAY_PEER = 4,
    RELAY_PUNCH = 5,
    RELAY_PUNCH_ACK = 6,
    RELAY_RELAY = 7,
    RELAY_RELAYED = 8,
    RELAY_REVERSE = 9,
    RELAY_KEEPALIVE = 10,
    RELAY_ERROR = 11,
    RELAY_DATA = 12,
} relay_type;

/* ERROR codes (HTTP-like so they read well). */
#define RELAY_ERR_BAD_REQUEST 400    /* message type this server does not serve */
#define RELAY_ERR_NOT_REGISTERED 403 /* the sender has no registration */
#define RELAY_ERR_UNKNOWN_PEER 404   /* the named peer is not registered */

/* A decoded message. Fields a type does not carry are zero. payload points into the decoded
 * buffer (borrowed: valid as long as that buffer). */
typedef struct relay_msg {
    relay_type type;
    uint32_t txid;
    char name[RELAY_NAME_MAX + 1];
    char from[RELAY_NAME_MAX + 1];
    sim_ep pub;
    sim_ep priv;
    uint64_t nonce;
    uint16_t code;
    char text[RELAY_TEXT_MAX + 1];
    const uint8_t *payload;
    size_t payload_len;
} relay_msg;

/* Decodes one datagram into *m (no partial output on failure). Returns 0, or -EBADMSG for
 * anything malformed: bad magic/version/flags/type, a length that does not match, a bad name,
 * endpoint or text, trailing bytes. */
int relay_msg_decode(const uint8_t *buf, size_t len, relay_msg *m);
/* Encodes m into buf[0..cap) and sets *out_len. Returns 0, -EINVAL (bad type, empty or invalid
 * name, payload too long, endpoint without family), or -ENOSPC. Exact inverse of decode. */
int relay_msg_encode(const relay_msg *m, uint8_t *buf, size_t cap, size_t *out_len);
/* Name of a type ("REGISTER", "PUNCH-ACK" ...), or "?". */
const char *relay_type_name(relay_type t);
/* True if s is a valid NAME: 1..RELAY_NAME_MAX printable ASCII characters, no spaces. */
bool relay_name_valid(const char *s);
/* Appends a one-line human-readable dump of m ("PEER tx=7 name=B pub=... "). */
void relay_msg_fmt(const relay_msg *m, GString *out);
/* `natsim decode relay FILE`: decodes buf and appends its dump to out. Returns 0, or -1 with
 * err set when buf does not decode. */
int relay_decode_fmt(const uint8_t *buf, size_t len, GString *out, GError **err);
/* The same with the signature of the CLI's decoder table (natsim_decode_fn in cli/cli.h):
 * argv[0] is the file name; relay has no options, so any further argument is an error. */
int relay_decode(const uint8_t *data, size_t len, int argc, char **argv, GString *out,
                 GError **err);

/* A datagram a core wants sent: the driver drains them in order. */
typedef struct relay_out {
    sim_ep to;
    size_t len;
    uint8_t data[RELAY_MSG_MAX];
} relay_out;

/* Encodes m and queues it (as a g_new relay_out) on q for `to`. Returns 0 or the encoder's
 * error (nothing queued). The cores' outboxes use it. */
int relay_outbox_push(GQueue *q, const sim_ep *to, const relay_msg *m);
/* Moves the oldest queued datagram to *out; false when q is empty. */
bool relay_outbox_pop(GQueue *q, relay_out *out);
/* Frees everything queued on q. */
void relay_outbox_clear(GQueue *q);

/* ---------------------------------------------------------------- servers (relay_server.c) */

/* What a server serves besides registration (bit set). */
#define RELAY_ROLE_RENDEZVOUS 1u /* CONNECT -> PEER to both sides (hole punching) */
#define RELAY_ROLE_RELAY 2u      /* RELAY -> RELAYED */
#define RELAY_ROLE_REVERSAL 4u   /* REVERSE forwarded to the registered target */

typedef struct relay_server_cfg {
    unsigned roles;          /* RELAY_ROLE_* */
    sim_time_t lifetime;     /* a registration lives this long after the last message (0: 180 s) */
} relay_server_cfg;

typedef struct relay_server_stats {
    uint64_t msgs_in, msgs_out, bad;   /* datagrams; `bad` did not decode */
    uint64_t registers, connects, reverses, errors;
    uint64_t relayed_msgs, relayed_bytes; /* RELAY messages forwarded and their payload bytes */
    uint64_t bytes_in, bytes_out;         /* UDP payload bytes through the server */
} relay_server_stats;

typedef struct relay_server relay_server;

/* Creates a server core. rng is borrowed (nonces). Returns owned. */
relay_server *relay_server_new(const relay_server_cfg *cfg, sim_rng *rng);
/* Frees the core. NULL-safe. */
void relay_server_free(relay_server *s);
/* One datagram from `from` (borrowed until return). Returns 0, or -EBADMSG (counted, dropped). */
int relay_server_input(relay_server *s, sim_time_t now, const sim_ep *from, const uint8_t *buf,
                       size_t len);
/* Expires registrations whose lifetime has passed. */
void relay_server_timeout(relay_server *s, sim_time_t now);
/* The next time relay_server_timeout has work, or SIM_TIME_NEVER. */
sim_time_t relay_server_next_deadline(const relay_server *s);
/* Pops the next datagram to send into *out; false when the outbox is empty. */
bool relay_server_pop(relay_server *s, relay_out *out);
/* Counters (borrowed). */
const relay_server_stats *relay_server_get_stats(const relay_server *s);
/* Number of live registrations. */
size_t relay_server_count(const relay_server *s);
/* Public endpoint of registered `name`; false if unknown. */
bool relay_server_lookup(const relay_server *s, const char *name, sim_ep *pub, sim_ep *priv);
/* Appends "name pub priv" lines sorted by name. */
void relay_server_fmt(const relay_server *s, sim_time_t now, GString *out);

/* ---------------------------------------------------------------- client (relay_client.c) */

typedef struct relay_client_cfg {
    const char *name;        /* this client's name (copied) */
    sim_ep server;           /* the server it registers with / asks */
    sim_ep local;            /* its own (private) endpoint, sent in REGISTER */
    sim_time_t keepalive;    /* KEEPALIVE interval once registered (0: 15 s) */
    sim_time_t rto;          /* first REGISTER / REVERSE retransmission timeout (0: 500 ms) */
    unsigned max_tries;      /* REGISTER attempts before giving up (0: 6) */
    sim_time_t punch_interval; /* PUNCH period (0: 200 ms) */
    sim_time_t punch_timeout;  /* give up punching after this (0: 5 s) */
    bool accept;             /* punch back when S announces a peer / answer REVERSE (true) */
} relay_client_cfg;

typedef enum relay_reg_state {
    RELAY_REG_NONE,
    RELAY_REG_PENDING,
    RELAY_REG_OK,
    RELAY_REG_FAILED,
} relay_reg_state;

typedef enum relay_punch_state {
    RELAY_PUNCH_WAIT_PEER, /* CONNECT sent, no PEER yet (or reversal: waiting for the contact) */
    RELAY_PUNCH_TRYING,
    RELAY_PUNCH_OK,
    RELAY_PUNCH_FAILED,
} relay_punch_state;

/* Which of the peer's endpoints answered. */
typedef enum relay_via {
    RELAY_VIA_NONE,
    RELAY_VIA_PUBLIC,   /* the public endpoint the server reported */
    RELAY_VIA_PRIVATE,  /* the private endpoint (same LAN) */
    RELAY_VIA_PEER_REFLEXIVE, /* an endpoint learned from the peer's own PUNCH (symmetric NAT) */
} relay_via;

/* One punching (or reversal) session with a named peer. */
typedef struct relay_session {
    char peer[RELAY_NAME_MAX + 1];
    relay_punch_state state;
    bool reversal;          /* made by reverse() (passive) or by a REVERSE request */
    uint64_t nonce;
    sim_ep pub, priv;       /* as reported by the server (reversal: pub only) */
    GArray *targets;        /* of sim_ep: where PUNCHes go (pub, priv, learned) */
    sim_ep path;            /* the endpoint that answered, once OK */
    relay_via via;
    sim_time_t timeout;     /* how long punching may take once the peer is known */
    sim_time_t started, deadline, next_punch, done_at;
    sim_time_t next_retx, rto; /* CONNECT / REVERSE retransmission */
    uint32_t txid;
    unsigned punches_sent, punches_rcvd, acks_rcvd;
} relay_session;

/* What happened, for the driver's log and Lua (drained with relay_client_pop_event). */
typedef enum relay_event_kind {
    RELAY_EV_REGISTERED,
    RELAY_EV_REGISTER_FAILED,
    RELAY_EV_PUNCH_OK,
    RELAY_EV_PUNCH_FAILED,
    RELAY_EV_DATA,      /* a DATA message arrived (queued for relay_client_pop_rx) */
    RELAY_EV_RELAYED,   /* a RELAYED message arrived (queued) */
    RELAY_EV_ERROR,     /* the server answered ERROR */
    RELAY_EV_REVERSE,   /* a REVERSE request arrived; we contact the requester */
} relay_event_kind;

typedef struct relay_event {
    relay_event_kind kind;
    char peer[RELAY_NAME_MAX + 1];
    sim_ep ep;          /* registered: public ep; punch ok: path; data: sender */
    uint16_t code;      /* ERROR code */
} relay_event;

/* A received DATA or RELAYED payload. */
typedef struct relay_rx {
    bool relayed;
    char from[RELAY_NAME_MAX + 1];
    sim_ep ep;          /* the datagram's source (the relay for RELAYED) */
    sim_time_t at;
    size_t len;
    uint8_t data[RELAY_PAYLOAD_MAX];
} relay_rx;

typedef struct relay_client_stats {
    uint64_t msgs_in, msgs_out, bad;
    uint64_t registers_sent, keepalives_sent;
    uint64_t punches_sent, punches_rcvd, acks_sent, acks_rcvd;
    uint64_t data_sent, data_rcvd, relay_sent, relayed_rcvd;
    uint64_t bytes_in, bytes_out;
} relay_client_stats;

typedef struct relay_client relay_client;

/* Creates a client core. rng is borrowed (transaction ids, reversal nonces). Returns owned, or
 * NULL when cfg->name is not a valid NAME. */
relay_client *relay_client_new(const relay_client_cfg *cfg, sim_rng *rng);
/* Frees the core. NULL-safe. */
void relay_client_free(relay_client *c);
/* One datagram from `from`. Returns 0 or -EBADMSG (counted, dropped). */
int relay_client_input(relay_client *c, sim_time_t now, const sim_ep *from, const uint8_t *buf,
                       size_t len);
/* Runs retransmissions, keepalives, punches and give-ups due at `now`. */
void relay_client_timeout(relay_client *c, sim_time_t now);
/* The next time relay_client_timeout has work, or SIM_TIME_NEVER. */
sim_time_t relay_client_next_deadline(const relay_client *c);
/* Pops the next datagram to send. */
bool relay_client_pop(relay_client *c, relay_out *out);
/* Pops the next event. */
bool relay_client_pop_event(relay_client *c, relay_event *ev);
/* Pops the oldest received payload of the kind asked for (relayed or direct) into *rx. */
bool relay_client_pop_rx(relay_client *c, bool relayed, relay_rx *rx);

/* Starts (or restarts) registration: sends REGISTER. Returns 0. */
int relay_client_register(relay_client *c, sim_time_t now);
/* Registration state and, when OK, the public endpoint the server saw. */
relay_reg_state relay_client_reg_state(const relay_client *c, sim_ep *pub);
/* Asks S for `peer` (CONNECT) and punches once the PEER answer arrives, giving up `timeout`
 * after the answer (0: cfg->punch_timeout). Returns 0 or -EINVAL (bad name). A session that is
 * still running is kept. */
int relay_client_punch(relay_client *c, sim_time_t now, const char *peer, sim_time_t timeout);
/* Connection reversal, public side: asks the server (REVERSE, retransmitted) to make `peer`
 * contact us, giving up after `timeout` (0: cfg->punch_timeout). Returns 0 or -EINVAL. */
int relay_client_reverse(relay_client *c, sim_time_t now, const char *peer, sim_time_t timeout);
/* The session with `peer` (borrowed, valid until the next call into the core), or NULL. */
const relay_session *relay_client_session(const relay_client *c, const char *peer);
/* The most recently successful session, or NULL. */
const relay_session *relay_client_last_ok(const relay_client *c);
/* Sends DATA to `peer` over its punched path. Returns 0, -ENOTCONN (no OK session), -EMSGSIZE. */
int relay_client_send_peer(relay_client *c, sim_time_t now, const char *peer, const void *data,
                           size_t len);
/* Sends RELAY(peer, data) to the server. Returns 0, -EINVAL, -EMSGSIZE. */
int relay_client_relay_send(relay_client *c, sim_time_t now, const char *peer, const void *data,
                            size_t len);
/* The last ERROR code the server sent (0: none). */
uint16_t relay_client_last_error(const relay_client *c);
/* The client's name and counters (borrowed). */
const char *relay_client_name(const relay_client *c);
const relay_client_stats *relay_client_get_stats(const relay_client *c);
/* Human names of states ("ok", "trying" ...) and via ("public", "private", "peer-reflexive"). */
const char *relay_punch_state_name(relay_punch_state s);
const char *relay_via_name(relay_via v);

/* ---------------------------------------------------------------- driver (relay_sim.c) */

typedef struct relay_app relay_app;
/* Called after every input or timeout of the app's core (the Lua binding signals waiters). */
typedef void (*relay_app_notify_fn)(relay_app *a, void *ctx);

/* Starts a server on node n at local port `port` (0: ephemeral). Returns borrowed (freed with
 * the world or relay_app_free), or NULL with err set. */
relay_app *relay_app_server(sim_node *n, uint16_t port, const relay_server_cfg *cfg, GError **err);
/* Starts a client on node n at local port `port`; cfg->local is filled from the socket.
 * Returns borrowed, or NULL with err set. */
relay_app *relay_app_client(sim_node *n, uint16_t port, relay_client_cfg *cfg, GError **err);
/* Stops the app and frees it (its socket and timer). NULL-safe. */
void relay_app_free(relay_app *a);
/* The cores (NULL when the app is of the other kind). */
relay_server *relay_app_server_core(relay_app *a);
relay_client *relay_app_client_core(relay_app *a);
/* The app's node, socket endpoint and world handle. */
sim_node *relay_app_node(relay_app *a);
sim_ep relay_app_local(relay_app *a);
sim_ref relay_app_ref(relay_app *a);
/* Installs the notify callback. */
void relay_app_on_notify(relay_app *a, relay_app_notify_fn fn, void *ctx);
/* Sends what the core queued and re-arms the timer; call after calling into the core. */
void relay_app_kick(relay_app *a);
/* World ref kind of relay apps (for sim_world_ref_get). */
#define RELAY_REF_KIND 0x52454c /* "REL" */

/* ---------------------------------------------------------------- Lua (relay_lua.c) */

/* Opens module `relay` (relay.rendezvous, relay.relay, relay.reversal, relay.client). */
int relay_lua_open(lua_State *L);

#endif
