/* sim/pkt.c — packet buffer pool: buffers are allocated in slabs and recycled through a free
 * list, never returned to malloc until the pool goes. */
#include "sim/pkt.h"

#include <glib.h>
#include <string.h>

#define SLAB_PKTS 64

struct sim_pkt_pool {
    sim_pkt *free_list;
    GPtrArray *slabs;
    size_t outstanding;
};

sim_pkt_pool *sim_pkt_pool_new(void)
{
    sim_pkt_pool *pool = g_new0(sim_pkt_pool, 1);
    pool->slabs = g_ptr_array_new_with_free_func(g_free);
    return pool;
}

void sim_pkt_pool_free(sim_pkt_pool *pool)
{
    if (!pool)
        return;
    g_ptr_array_unref(pool->slabs);
    g_free(pool);
}

static void grow(sim_pkt_pool *pool)
{
    sim_pkt *slab = g_new(sim_pkt, SLAB_PKTS);
    g_ptr_array_add(pool->slabs, slab);
    for (int i = SLAB_PKTS - 1; i >= 0; i--) {
        slab[i].next = pool->free_list;
        pool->free_list = &slab[i];
    }
}

sim_pkt *sim_pkt_alloc(sim_pkt_pool *pool)
{
    if (!pool->free_list)
        grow(pool);
    sim_pkt *p = pool->free_list;
    pool->free_list = p->next;
    p->next = NULL;
    p->data = p->buf + SIM_PKT_HEADROOM;
    p->len = 0;
    p->l3 = p->l4 = 0;
    p->in = NULL;
    pool->outstanding++;
    return p;
}

void sim_pkt_free(sim_pkt_pool *pool, sim_pkt *p)
{
    if (!p)
        return;
    p->next = pool->free_list;
    pool->free_list = p;
    pool->outstanding--;
}

sim_pkt *sim_pkt_clone(sim_pkt_pool *pool, const sim_pkt *p)
{
    sim_pkt *c = sim_pkt_alloc(pool);
    c->data = c->buf + (p->data - p->buf);
    memcpy(c->data, p->data, p->len);
    c->len = p->len;
    c->l3 = p->l3;
    c->l4 = p->l4;
    c->in = p->in;
    return c;
}

uint8_t *sim_pkt_push(sim_pkt *p, size_t n)
{
    if ((size_t)(p->data - p->buf) < n)
        return NULL;
    p->data -= n;
    p->len += (uint32_t)n;
    return p->data;
}

uint8_t *sim_pkt_pull(sim_pkt *p, size_t n)
{
    if (p->len < n)
        return NULL;
    p->data += n;
    p->len -= (uint32_t)n;
    return p->data;
}

size_t sim_pkt_tailroom(const sim_pkt *p)
{
    return sizeof p->buf - (size_t)(p->data - p->buf) - p->len;
}

uint8_t *sim_pkt_put(sim_pkt *p, size_t n)
{
    if (sim_pkt_tailroom(p) < n)
        return NULL;
    uint8_t *t = p->data + p->len;
    p->len += (uint32_t)n;
    return t;
}

size_t sim_pkt_pool_outstanding(const sim_pkt_pool *pool) { return pool->outstanding; }
