/* protocols/sip/sip_timer_c.c — Timer C of the stateful proxy (RFC 3261 §16.6 step 11,
 * §16.7 step 2, §16.8): one deadline per INVITE branch, armed when the branch's client
 * transaction starts, reset by each provisional 101-199, stopped by the branch's final
 * response. The armed branches sit in a tree ordered by (deadline, arming order), so the
 * server core's next deadline costs O(log n) however many calls are ringing, and branches
 * due at one instant fire in the order they were armed. What firing does is §16.8, in
 * sip_fork.c (srv_fork_timer_c). */
#include "protocols/sip/sip_server_priv.h"

static gint by_deadline(gconstpointer a, gconstpointer b)
{
    const srv_branch *x = a, *y = b;
    if (x->timer_c_at != y->timer_c_at)
        return x->timer_c_at < y->timer_c_at ? -1 : 1;
    return x->timer_c_seq < y->timer_c_seq ? -1 : x->timer_c_seq > y->timer_c_seq;
}

void srv_timer_c_set(sip_server *s, srv_branch *b, sim_time_t at)
{
    if (!s->timer_c)
        s->timer_c = g_tree_new(by_deadline);
    if (b->timer_c_queued)
        g_tree_remove(s->timer_c, b);
    b->timer_c_queued = false;
    b->timer_c_at = at;
    if (at == SIM_TIME_NEVER)
        return;
    b->timer_c_seq = ++s->timer_c_seq;
    g_tree_insert(s->timer_c, b, b);
    b->timer_c_queued = true;
}

sim_time_t srv_timer_c_next(const sip_server *s)
{
    GTreeNode *n = s->timer_c ? g_tree_node_first(s->timer_c) : NULL;
    return n ? ((const srv_branch *)g_tree_node_key(n))->timer_c_at : SIM_TIME_NEVER;
}

srv_branch *srv_timer_c_due(sip_server *s, sim_time_t now)
{
    GTreeNode *n = s->timer_c ? g_tree_node_first(s->timer_c) : NULL;
    srv_branch *b = n ? g_tree_node_key(n) : NULL;
    if (!b || b->timer_c_at > now)
        return NULL;
    srv_timer_c_set(s, b, SIM_TIME_NEVER);
    return b;
}
