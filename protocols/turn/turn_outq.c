/* protocols/turn/turn_outq.c — the outbox of a TURN core (server or client): datagrams in
 * sending order, in buffers kept for reuse so that relaying does not allocate per datagram;
 * and the spare-buffer pool it uses (the client's received-data queue uses it too). */
#include "protocols/turn/turn_priv.h"

#include <string.h>

#define SPARE_MAX 64

void turn_outq_init(turn_outq *q)
{
    g_queue_init(&q->q);
    q->spare = g_ptr_array_new_with_free_func(g_free);
}

void turn_outq_clear(turn_outq *q)
{
    g_queue_clear_full(&q->q, g_free);
    if (q->spare)
        g_ptr_array_free(q->spare, TRUE);
    q->spare = NULL;
}

void turn_outq_drop(turn_outq *q)
{
    turn_out *o;
    while ((o = g_queue_pop_head(&q->q)))
        turn_outq_give(q, o);
}

void *turn_spare_take(GPtrArray *spare, size_t size)
{
    return spare->len ? g_ptr_array_steal_index_fast(spare, spare->len - 1) : g_malloc(size);
}

void turn_spare_give(GPtrArray *spare, void *p)
{
    if (spare->len < SPARE_MAX)
        g_ptr_array_add(spare, p);
    else
        g_free(p);
}

turn_out *turn_outq_take(turn_outq *q) { return turn_spare_take(q->spare, sizeof(turn_out)); }

void turn_outq_give(turn_outq *q, turn_out *o) { turn_spare_give(q->spare, o); }

void turn_outq_push(turn_outq *q, turn_out *o) { g_queue_push_tail(&q->q, o); }

bool turn_outq_pop(turn_outq *q, turn_out *out)
{
    turn_out *o = g_queue_pop_head(&q->q);
    if (!o)
        return false;
    out->from = o->from;
    out->to = o->to;
    out->len = o->len;
    memcpy(out->data, o->data, o->len);
    turn_outq_give(q, o);
    return true;
}
