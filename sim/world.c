/* sim/world.c — the world: owns the scheduler, packet pool, log, nodes, links and the handle
 * table; runs the event loop. */
#include "sim/world.h"

#include <errno.h>
#include "sim/link.h"
#include "sim/node.h"
#include "sim/trace.h"

typedef struct ref_slot {
    void *obj;
    uint32_t gen;
    int kind;
    uint32_t next_free; /* index + 1 */
} ref_slot;

typedef struct free_hook {
    void (*fn)(void *);
    void *data;
} free_hook;

struct sim_world {
    sim_world_opts opts;
    char *pcap_dir, *pcap_prefix, *log_path; /* owned copies behind opts */
    sim_sched *sched;
    sim_pkt_pool *pool;
    trace_log *log;
    GPtrArray *nodes, *links;
    GHashTable *node_by_name, *link_by_name;
    GHashTable *macs; /* MACs in use (48-bit integer keys), for unique derived MACs */
    GArray *refs; /* of ref_slot */
    uint32_t ref_free;
    GArray *free_hooks; /* of free_hook */
    bool stop;
    sim_progress_fn progress;
    void *progress_ctx;
    uint64_t progress_every;
};

G_DEFINE_QUARK(natsim-error-quark, sim_error)

sim_world *sim_world_new(const sim_world_opts *opts, GError **err)
{
    sim_world_opts none = { 0 };
    if (!opts)
        opts = &none;
    GError *lerr = NULL;
    trace_log *log = trace_log_open(opts->log_path, &lerr);
    if (!log) {
        g_propagate_error(err, lerr);
        return NULL;
    }
    sim_world *w = g_new0(sim_world, 1);
    w->opts = *opts;
    w->pcap_dir = g_strdup(opts->pcap_dir);
    w->pcap_prefix = g_strdup(opts->pcap_prefix ? opts->pcap_prefix : "");
    w->log_path = g_strdup(opts->log_path);
    w->opts.pcap_dir = w->pcap_dir;
    w->opts.pcap_prefix = w->pcap_prefix;
    w->opts.log_path = w->log_path;
    w->log = log;
    w->sched = sim_sched_new();
    w->pool = sim_pkt_pool_new();
    w->nodes = g_ptr_array_new();
    w->links = g_ptr_array_new();
    w->node_by_name = g_hash_table_new(g_str_hash, g_str_equal);
    w->link_by_name = g_hash_table_new(g_str_hash, g_str_equal);
    w->macs = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    w->refs = g_array_new(FALSE, TRUE, sizeof(ref_slot));
    w->free_hooks = g_array_new(FALSE, FALSE, sizeof(free_hook));
    return w;
}

void sim_world_free(sim_world *w)
{
    if (!w)
        return;
    /* Apps first (they own timers and sockets), then nodes (stack state, sockets), then links;
     * the scheduler and pool go last since everything above may still cancel events or free
     * buffers. */
    for (guint i = w->free_hooks->len; i-- > 0;) {
        free_hook *h = &g_array_index(w->free_hooks, free_hook, i);
        h->fn(h->data);
    }
    for (guint i = w->nodes->len; i-- > 0;)
        sim_node_free(g_ptr_array_index(w->nodes, i));
    for (guint i = w->links->len; i-- > 0;)
        sim_link_free(g_ptr_array_index(w->links, i));
    g_ptr_array_unref(w->nodes);
    g_ptr_array_unref(w->links);
    g_hash_table_unref(w->node_by_name);
    g_hash_table_unref(w->link_by_name);
    g_hash_table_unref(w->macs);
    g_array_unref(w->refs);
    g_array_unref(w->free_hooks);
    sim_sched_free(w->sched);
    sim_pkt_pool_free(w->pool);
    trace_log_close(w->log);
    g_free(w->pcap_dir);
    g_free(w->pcap_prefix);
    g_free(w->log_path);
    g_free(w);
}

sim_time_t sim_world_now(const sim_world *w) { return sim_sched_now(w->sched); }
sim_sched *sim_world_sched(sim_world *w) { return w->sched; }
sim_pkt_pool *sim_world_pool(sim_world *w) { return w->pool; }
trace_log *sim_world_log(sim_world *w) { return w->log; }
uint64_t sim_world_seed(const sim_world *w) { return w->opts.seed; }
const sim_world_opts *sim_world_options(const sim_world *w) { return &w->opts; }

void sim_world_add_node(sim_world *w, sim_node *n)
{
    g_ptr_array_add(w->nodes, n);
    g_hash_table_insert(w->node_by_name, n->name, n);
}

void sim_world_add_link(sim_world *w, sim_link *l)
{
    g_ptr_array_add(w->links, l);
    g_hash_table_insert(w->link_by_name, (gpointer)sim_link_name(l), l);
}

sim_node *sim_world_node(const sim_world *w, const char *name)
{
    return g_hash_table_lookup(w->node_by_name, name);
}

sim_link *sim_world_link(const sim_world *w, const char *name)
{
    return g_hash_table_lookup(w->link_by_name, name);
}

bool sim_world_claim_mac(sim_world *w, const uint8_t mac[6])
{
    gint64 key = 0;
    for (int b = 0; b < 6; b++)
        key = key << 8 | mac[b];
    if (g_hash_table_contains(w->macs, &key))
        return false;
    g_hash_table_add(w->macs, g_memdup2(&key, sizeof key));
    return true;
}

const GPtrArray *sim_world_nodes(const sim_world *w) { return w->nodes; }
const GPtrArray *sim_world_links(const sim_world *w) { return w->links; }

uint64_t sim_world_run(sim_world *w, sim_time_t until)
{
    uint64_t ran = 0;
    w->stop = false;
    while (!w->stop && sim_sched_step(w->sched, until)) {
        ran++;
        if (w->progress && ran % w->progress_every == 0)
            w->progress(w->progress_ctx, sim_sched_now(w->sched), sim_sched_executed(w->sched));
    }
    if (!w->stop && until != SIM_TIME_NEVER)
        sim_sched_advance(w->sched, until);
    return ran;
}

void sim_world_stop(sim_world *w) { w->stop = true; }
bool sim_world_stopped(const sim_world *w) { return w->stop; }

void sim_world_set_progress(sim_world *w, sim_progress_fn fn, void *ctx, uint64_t every)
{
    w->progress = fn;
    w->progress_ctx = ctx;
    w->progress_every = every ? every : 1;
}

sim_ref sim_world_ref_new(sim_world *w, void *obj, int kind)
{
    uint32_t i;
    if (w->ref_free) {
        i = w->ref_free - 1;
        w->ref_free = g_array_index(w->refs, ref_slot, i).next_free;
    } else {
        i = w->refs->len;
        g_array_set_size(w->refs, i + 1);
        g_array_index(w->refs, ref_slot, i).gen = 1;
    }
    ref_slot *s = &g_array_index(w->refs, ref_slot, i);
    s->obj = obj;
    s->kind = kind;
    s->next_free = 0;
    return (sim_ref){ .id = i + 1, .gen = s->gen };
}

void *sim_world_ref_get(const sim_world *w, sim_ref ref, int kind)
{
    if (ref.id == 0 || ref.id > w->refs->len)
        return NULL;
    const ref_slot *s = &g_array_index(w->refs, ref_slot, ref.id - 1);
    if (s->gen != ref.gen || !s->obj || s->kind != kind)
        return NULL;
    return s->obj;
}

void sim_world_ref_drop(sim_world *w, sim_ref ref)
{
    if (ref.id == 0 || ref.id > w->refs->len)
        return;
    ref_slot *s = &g_array_index(w->refs, ref_slot, ref.id - 1);
    if (s->gen != ref.gen || !s->obj)
        return;
    s->obj = NULL;
    s->gen++;
    s->next_free = w->ref_free;
    w->ref_free = ref.id;
}

void sim_world_on_free(sim_world *w, void (*fn)(void *data), void *data)
{
    free_hook h = { fn, data };
    g_array_append_val(w->free_hooks, h);
}
