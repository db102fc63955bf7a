/* sim/pkt.h — pooled, fixed-size packet buffers with headroom, so each layer prepends its header
 * without copying (DESIGN §2). A buffer holds one Ethernet frame (at most SIM_PKT_MAX bytes of
 * data). Buffers come from a per-world pool and go back to it; no malloc per frame once warm. */
#ifndef SIM_PKT_H
#define SIM_PKT_H

#include <stddef.h>
#include <stdint.h>

#define SIM_PKT_HEADROOM 128
#define SIM_PKT_MAX 1600 /* >= 14 + 1500 + slack; the MTU is capped at 1500 */

struct sim_iface;

typedef struct sim_pkt {
    struct sim_pkt *next;    /* free list / queue link, owned by whoever holds the packet */
    uint8_t *data;           /* first byte of valid data */
    uint32_t len;            /* valid bytes from data */
    uint16_t l3;             /* offset of the network header from data, when known */
    uint16_t l4;             /* offset of the transport header from data, when known */
    struct sim_iface *in;    /* interface it arrived on (borrowed), NULL if locally made */
    uint8_t buf[SIM_PKT_HEADROOM + SIM_PKT_MAX];
} sim_pkt;

typedef struct sim_pkt_pool sim_pkt_pool;

/* Creates an empty pool. Returns owned. */
sim_pkt_pool *sim_pkt_pool_new(void);
/* Frees the pool and every buffer it ever made; buffers still out become invalid. NULL-safe. */
void sim_pkt_pool_free(sim_pkt_pool *pool);
/* Takes an empty buffer (data at headroom, len 0). Returns owned by the caller; never NULL. */
sim_pkt *sim_pkt_alloc(sim_pkt_pool *pool);
/* Returns a buffer to its pool. NULL-safe. */
void sim_pkt_free(sim_pkt_pool *pool, sim_pkt *p);
/* A copy of p (data, len, offsets, in). Returns owned. */
sim_pkt *sim_pkt_clone(sim_pkt_pool *pool, const sim_pkt *p);
/* Prepends n bytes; returns their start, or NULL if the headroom is too small. */
uint8_t *sim_pkt_push(sim_pkt *p, size_t n);
/* Removes n bytes from the front; returns the new start, or NULL if len < n. */
uint8_t *sim_pkt_pull(sim_pkt *p, size_t n);
/* Appends n bytes; returns their start, or NULL if the tailroom is too small. */
uint8_t *sim_pkt_put(sim_pkt *p, size_t n);
/* Bytes that can still be appended. */
size_t sim_pkt_tailroom(const sim_pkt *p);
/* Buffers currently handed out (for leak checks in tests). */
size_t sim_pkt_pool_outstanding(const sim_pkt_pool *pool);

#endif
