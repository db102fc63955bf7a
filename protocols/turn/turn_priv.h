/* protocols/turn/turn_priv.h — internals shared by the TURN server files: turn_server.c
 * (authentication, dispatch, responses, nonces) and turn_alloc.c (allocations, permissions,
 * channels, relaying, expiry); and the outbox both cores use (turn_outq.c). */
#ifndef PROTOCOLS_TURN_TURN_PRIV_H
#define PROTOCOLS_TURN_TURN_PRIV_H

#include "protocols/turn/turn.h"

#define TURN_KEY_LEN 16

/* ---- turn_outq.c: an outbox of datagrams whose buffers are recycled (no malloc per
 * datagram once warm); the server and the client core each have one ---- */
typedef struct turn_outq {
    GQueue q;          /* of turn_out *, in sending order */
    GPtrArray *spare;  /* recycled buffers */
} turn_outq;
void turn_outq_init(turn_outq *q);
/* Frees queued and spare buffers. */
void turn_outq_clear(turn_outq *q);
/* A buffer to fill (contents undefined), owned by the caller until pushed or given back. */
turn_out *turn_outq_take(turn_outq *q);
/* Returns an unused buffer from turn_outq_take. */
void turn_outq_give(turn_outq *q, turn_out *o);
/* Queues a filled buffer (takes ownership). */
void turn_outq_push(turn_outq *q, turn_out *o);
/* Drops every queued datagram (buffers recycled; the queue stays usable). */
void turn_outq_drop(turn_outq *q);
/* Copies the oldest datagram into out and recycles its buffer; false when empty. */
bool turn_outq_pop(turn_outq *q, turn_out *out);
/* A recycled buffer from spare (a GPtrArray freeing with g_free), or a new one of `size`
 * bytes; and its return to spare after use (freed when spare is full). */
void *turn_spare_take(GPtrArray *spare, size_t size);
void turn_spare_give(GPtrArray *spare, void *p);
#define TURN_NONCE_LEN 32

/* A permission: datagrams from / to this peer IP are relayed until `expires` (RFC 8656 §9). */
typedef struct turn_perm {
    sim_ip ip;
    sim_time_t expires;
} turn_perm;

/* A channel binding: active until `expires`, then reserved for its peer until
 * expires + TURN_CHANNEL_COOLDOWN (RFC 8656 §12). */
typedef struct turn_chan {
    uint16_t ch;
    sim_ep peer;
    sim_time_t expires;
} turn_chan;

/* One allocation, named by its 5-tuple (client endpoint; the server side is the one listening
 * endpoint and the transport is UDP). */
typedef struct turn_alloc {
    sim_ep client;
    sim_ep relay;
    char *user;                    /* owned */
    uint8_t key[TURN_KEY_LEN];     /* the user's long-term key, to sign responses */
    uint8_t txid[STUN_TXID_LEN];   /* of the Allocate that made it (retransmissions) */
    sim_time_t expires;
    GArray *perms;                 /* of turn_perm, installation order */
    GArray *chans;                 /* of turn_chan, binding order */
} turn_alloc;

struct turn_server {
    turn_server_cfg cfg;
    char *realm, *software;        /* owned copies */
    sim_rng *rng;                  /* borrowed */
    uint8_t secret[16];            /* nonce MAC key */
    GHashTable *users;             /* user (owned) -> key[16] (owned) */
    GPtrArray *allocs;             /* of turn_alloc *, creation order (owned) */
    GHashTable *by_client;         /* sim_ep * -> turn_alloc * (borrowed) */
    GHashTable *by_relay;
    turn_outq out;
    GQueue events;                 /* of turn_server_event * */
    turn_server_stats stats;
};

/* ---- turn_server.c: responses ---- */

/* Starts a response to request m into a new outbox entry. */
turn_out *turn_srv_begin(turn_server *s, stun_enc *e, const stun_msg *m, stun_class cls);
/* Adds SOFTWARE, MESSAGE-INTEGRITY (key non-NULL) and FINGERPRINT, and queues o from the
 * listening endpoint to `to`; an encoding failure drops it. */
void turn_srv_finish(turn_server *s, stun_enc *e, turn_out *o, const uint8_t *key,
                     const sim_ep *to);
/* Queues an error response `code` to request m, signed with key when non-NULL. */
void turn_srv_error(turn_server *s, const sim_ep *to, const stun_msg *m, uint16_t code,
                    const uint8_t *key);
/* Queues a raw datagram from `from` to `to`. */
void turn_srv_queue(turn_server *s, const sim_ep *from, const sim_ep *to, const uint8_t *data,
                    size_t len);

/* ---- turn_alloc.c: requests on allocations, data, expiry ---- */

turn_alloc *turn_alloc_find(const turn_server *s, const sim_ep *client);
/* The authenticated requests (user and key borrowed). */
void turn_alloc_allocate(turn_server *s, sim_time_t now, const sim_ep *from, const stun_msg *m,
                         const char *user, const uint8_t *key);
void turn_alloc_refresh(turn_server *s, sim_time_t now, turn_alloc *a, const stun_msg *m);
void turn_alloc_permission(turn_server *s, sim_time_t now, turn_alloc *a, const stun_msg *m);
void turn_alloc_bind(turn_server *s, sim_time_t now, turn_alloc *a, const stun_msg *m);
/* Data: a Send indication or ChannelData from the client, a datagram from a peer. Return 0 or
 * -ENOENT (dropped). */
int turn_alloc_send(turn_server *s, sim_time_t now, const sim_ep *from, const stun_msg *m);
int turn_alloc_chandata(turn_server *s, sim_time_t now, const sim_ep *from, const uint8_t *buf,
                        size_t len);
int turn_alloc_from_peer(turn_server *s, sim_time_t now, turn_alloc *a, const sim_ep *peer,
                         const uint8_t *buf, size_t len);
/* Deletes allocation a (event RELAY_CLOSE). */
void turn_alloc_delete(turn_server *s, turn_alloc *a);
void turn_alloc_expire(turn_server *s, sim_time_t now);
sim_time_t turn_alloc_next_deadline(const turn_server *s);
void turn_alloc_free(void *a);

#endif
