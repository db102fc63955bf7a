/* sim/link.c — point-to-point wires and LAN segments (DESIGN §2).
 *
 * The model of one transmission, from sim_link_send to delivery:
 *
 *   now      start = max(now, busy_until)   tx_end = start + len*8/bw     arrival
 *    |-- queued --|====== serialising ======|---- delay + jitter (+ reorder) ----|
 *                 ^ captured, "frame.tx"                                       ^ delivered
 *
 * - Each sending interface serialises its frames one after the other (from->tx_busy_until) and
 *   holds at most props.queue_bytes of them (drop-tail, from->tx_queued). Serialisation counts
 *   the frame bytes as captured; no preamble, FCS or inter-frame gap.
 * - Faults are drawn per transmission from the link's own random stream ("link:<name>"), in a
 *   fixed order (loss, jitter, reorder, duplicate), so one seed gives one run.
 * - One scheduler event per transmission delivers it at its arrival time. Its record (link_tx)
 *   comes from a per-link free list, so a warm link never mallocs. A second event exists only
 *   for a frame that has to wait in the queue while a capture or the frame log is on: it
 *   captures the frame when it actually goes on the wire, which keeps the pcap in time order.
 * - The transmit queue is drained lazily: each port keeps its frames in serialisation order
 *   and forgets those whose tx_end has passed whenever it sends or one of its frames arrives.
 * - Taking the link down bumps an epoch: frames sent before are dropped when they arrive (even
 *   if the link came back up meanwhile), and the transmit queues are flushed.
 * - Accounting: drops at the sender (link down, queue full) go to the sending node; drops on the
 *   way (loss, link went down) are decided per transmission, the frame is still captured (it
 *   was on the sender's wire), and the drop is counted once, at arrival, on the receiving node
 *   (on a LAN: the first member that would have taken the frame). Every drop also counts in
 *   the link's stats. A duplicated frame is captured once and delivered twice at the same
 *   instant, the copy just before the original. */
#include "sim/link.h"

#include <errno.h>
#include <string.h>
#include "sim/stack/net.h"
#include "sim/trace.h"

#define TX_SLAB 64
#define LINK_TIME_MAX (1000000 * SIM_SEC) /* cap on delays, so sums never overflow */

typedef struct link_tx link_tx;
struct link_tx {
    link_tx *next;     /* sender port's serialisation FIFO, or the free list */
    sim_pkt *frame;    /* owned until delivery */
    sim_iface *from;
    sim_time_t tx_end;
    uint32_t len;
    uint32_t epoch;    /* l->epoch when sent */
    bool lost, dup;
};

typedef struct link_port {
    link_tx *head, *tail; /* frames of this interface not yet fully serialised, by tx_end */
} link_port;

struct sim_link {
    sim_world *world;
    sim_sched *sched;   /* cached from the world */
    sim_pkt_pool *pool; /* cached from the world */
    trace_log *log;     /* cached from the world */
    char *name;
    sim_link_kind kind;
    sim_link_props props;
    sim_ref ref;
    bool up;
    bool log_frames;    /* world option: log frame.tx / frame.rx */
    uint32_t epoch;     /* bumped on every down */
    sim_rng rng;
    GPtrArray *ifaces;  /* of sim_iface *, borrowed, in attach order */
    GHashTable *by_mac; /* LAN: unicast MAC (as 48-bit int) -> sim_iface *, so unicast
                         * delivery is one lookup, not a scan of every member */
    GArray *ports;      /* of link_port, parallel to ifaces */
    sim_link_stats stats;
    trace_pcap *pcap;   /* NULL: captures off */
    sim_link_tap_fn tap;
    void *tap_ctx;
    link_tx *free_tx;
    GPtrArray *tx_slabs;
};

/* ---- properties ---- */

void sim_link_props_default(sim_link_props *p)
{
    memset(p, 0, sizeof *p);
    p->delay = 1 * SIM_MS;
    p->queue_bytes = 256 * 1024;
}

static bool prob_ok(double p) { return p >= 0 && p <= 1; } /* false for NaN */

int sim_link_props_check(const sim_link_props *p, GError **err)
{
    const char *bad = NULL;
    if (!prob_ok(p->loss))
        bad = "loss must be a probability in [0, 1]";
    else if (!prob_ok(p->reorder))
        bad = "reorder must be a probability in [0, 1]";
    else if (!prob_ok(p->duplicate))
        bad = "duplicate must be a probability in [0, 1]";
    else if (p->delay > LINK_TIME_MAX || p->jitter > LINK_TIME_MAX ||
             p->reorder_delay > LINK_TIME_MAX)
        bad = "delay, jitter and reorder_delay must be at most 1e6 s";
    if (bad) {
        g_set_error_literal(err, SIM_ERROR, SIM_ERROR_INVAL, bad);
        return -EINVAL;
    }
    return 0;
}

/* ---- lifecycle ---- */

/* Opens <dir>/<prefix>-<name>.pcap (or <dir>/<name>.pcap without prefix) when captures are on. */
static bool open_capture(sim_link *l, const sim_world_opts *o, GError **err)
{
    if (!o->pcap_dir || !*o->pcap_dir)
        return true;
    g_autofree char *file = o->pcap_prefix && *o->pcap_prefix
                                ? g_strdup_printf("%s-%s.pcap", o->pcap_prefix, l->name)
                                : g_strdup_printf("%s.pcap", l->name);
    g_autofree char *path = g_build_filename(o->pcap_dir, file, NULL);
    l->pcap = trace_pcap_open(path, err);
    return l->pcap != NULL;
}

sim_link *sim_link_new(sim_world *w, const char *name, sim_link_kind kind,
                       const sim_link_props *props, GError **err)
{
    if (!name || !*name || strlen(name) > 63 || strchr(name, '/')) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INVAL,
                    "link name must be 1 to 63 characters without '/'");
        return NULL;
    }
    if (kind != SIM_LINK_P2P && kind != SIM_LINK_LAN) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INVAL, "link '%s': unknown kind %d", name, kind);
        return NULL;
    }
    if (sim_world_link(w, name)) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_EXISTS, "a link named '%s' already exists", name);
        return NULL;
    }
    sim_link_props def;
    if (!props) {
        sim_link_props_default(&def);
        props = &def;
    }
    GError *perr = NULL;
    if (sim_link_props_check(props, &perr) < 0) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INVAL, "link '%s': %s", name, perr->message);
        g_error_free(perr);
        return NULL;
    }
    sim_link *l = g_new0(sim_link, 1);
    l->name = g_strdup(name);
    if (!open_capture(l, sim_world_options(w), err)) {
        g_free(l->name);
        g_free(l);
        return NULL;
    }
    l->world = w;
    l->sched = sim_world_sched(w);
    l->pool = sim_world_pool(w);
    l->log = sim_world_log(w);
    l->log_frames = sim_world_options(w)->log_frames;
    l->kind = kind;
    l->props = *props;
    l->up = true;
    g_autofree char *stream = g_strconcat("link:", name, NULL);
    sim_rng_derive(&l->rng, sim_world_seed(w), stream);
    l->ifaces = g_ptr_array_new();
    l->by_mac = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    l->ports = g_array_new(FALSE, TRUE, sizeof(link_port));
    l->tx_slabs = g_ptr_array_new_with_free_func(g_free);
    l->ref = sim_world_ref_new(w, l, SIM_REF_LINK);
    sim_world_add_link(w, l);
    return l;
}

void sim_link_free(sim_link *l)
{
    if (!l)
        return;
    /* Frames still in flight belong to the world's pool, which reclaims them; the scheduler
     * events that would deliver them are freed with the scheduler without running. */
    trace_pcap_close(l->pcap);
    sim_world_ref_drop(l->world, l->ref);
    g_ptr_array_unref(l->ifaces);
    g_hash_table_unref(l->by_mac);
    g_array_unref(l->ports);
    g_ptr_array_unref(l->tx_slabs);
    g_free(l->name);
    g_free(l);
}

const char *sim_link_name(const sim_link *l) { return l->name; }
sim_link_kind sim_link_get_kind(const sim_link *l) { return l->kind; }
sim_world *sim_link_world(const sim_link *l) { return l->world; }
const sim_link_props *sim_link_props_get(const sim_link *l) { return &l->props; }
bool sim_link_is_up(const sim_link *l) { return l->up; }
const sim_link_stats *sim_link_stats_get(const sim_link *l) { return &l->stats; }
const GPtrArray *sim_link_ifaces(const sim_link *l) { return l->ifaces; }

void sim_link_set_tap(sim_link *l, sim_link_tap_fn fn, void *ctx)
{
    l->tap = fn;
    l->tap_ctx = fn ? ctx : NULL;
}

int sim_link_set_props(sim_link *l, const sim_link_props *p)
{
    if (!p || sim_link_props_check(p, NULL) < 0)
        return -EINVAL;
    l->props = *p;
    return 0;
}

/* A MAC as a 48-bit integer key. */
static gint64 mac_key(const uint8_t *mac)
{
    gint64 k = 0;
    for (int b = 0; b < 6; b++)
        k = k << 8 | mac[b];
    return k;
}

int sim_link_attach(sim_link *l, sim_iface *i)
{
    if (i->link && i->link != l)
        return -EINVAL;
    if (l->kind == SIM_LINK_P2P && l->ifaces->len >= 2)
        return -ENOSPC;
    i->port = l->ifaces->len;
    i->tx_busy_until = 0;
    i->tx_queued = 0;
    i->last_arrival = 0;
    g_ptr_array_add(l->ifaces, i);
    gint64 *key = g_new(gint64, 1);
    *key = mac_key(i->mac);
    g_hash_table_insert(l->by_mac, key, i);
    link_port none = { 0 };
    g_array_append_val(l->ports, none);
    return 0;
}

/* ---- transmit records ---- */

static link_tx *tx_take(sim_link *l)
{
    if (!l->free_tx) {
        link_tx *slab = g_new0(link_tx, TX_SLAB);
        g_ptr_array_add(l->tx_slabs, slab);
        for (int k = TX_SLAB - 1; k >= 0; k--) {
            slab[k].next = l->free_tx;
            l->free_tx = &slab[k];
        }
    }
    link_tx *tx = l->free_tx;
    l->free_tx = tx->next;
    tx->next = NULL;
    return tx;
}

static void tx_put(sim_link *l, link_tx *tx)
{
    tx->frame = NULL;
    tx->from = NULL;
    tx->next = l->free_tx;
    l->free_tx = tx;
}

static link_port *port_of(sim_link *l, const sim_iface *i)
{
    return &g_array_index(l->ports, link_port, i->port);
}

/* Forgets the frames of interface i that finished serialising by now (lazy queue drain). */
static void port_drain(sim_link *l, sim_iface *i, sim_time_t now)
{
    link_port *p = port_of(l, i);
    while (p->head && p->head->tx_end <= now) {
        i->tx_queued -= p->head->len;
        p->head = p->head->next;
    }
    if (!p->head)
        p->tail = NULL;
}

sim_time_t sim_link_tx_time(const sim_link *l, uint32_t len)
{
    uint64_t bw = l->props.bandwidth;
    if (!bw)
        return 0;
    uint64_t bit_ns = (uint64_t)len * 8 * SIM_SEC; /* len <= a few KB: no overflow */
    return bit_ns / bw + (bit_ns % bw != 0);
}

/* ---- up / down ---- */

static void log_link_event(sim_link *l, const char *kind)
{
    GString *rec = trace_log_begin(l->log, sim_sched_now(l->sched), NULL, kind);
    if (!rec)
        return;
    trace_log_str(rec, "link", l->name);
    trace_log_end(l->log, rec);
}

void sim_link_set_up(sim_link *l, bool up)
{
    if (l->up == up)
        return;
    l->up = up;
    if (!up) {
        /* Everything sent so far is lost at arrival (epoch); the transmit queues empty. */
        l->epoch++;
        sim_time_t now = sim_sched_now(l->sched);
        for (guint k = 0; k < l->ifaces->len; k++) {
            sim_iface *i = g_ptr_array_index(l->ifaces, k);
            link_port *p = port_of(l, i);
            p->head = p->tail = NULL;
            i->tx_queued = 0;
            if (i->tx_busy_until > now)
                i->tx_busy_until = now;
        }
    }
    log_link_event(l, up ? "link.up" : "link.down");
}

/* ---- delivery ---- */

static bool frame_log_on(const sim_link *l) { return l->log_frames && trace_log_on(l->log); }

static void log_frame(sim_link *l, const char *kind, const sim_iface *i, const sim_pkt *frame,
                      sim_time_t t)
{
    GString *rec = trace_log_begin(l->log, t, i->node->name, kind);
    trace_log_str(rec, "link", l->name);
    trace_log_str(rec, "iface", i->name);
    trace_log_int(rec, "len", frame->len);
    trace_log_int(rec, "ethertype", frame->data[12] << 8 | frame->data[13]);
    trace_log_end(l->log, rec);
}

/* The frame goes on the wire at t: capture it and log frame.tx. */
static void on_wire(sim_link *l, const link_tx *tx, sim_time_t t)
{
    if (l->pcap)
        trace_pcap_write(l->pcap, t, tx->frame->data, tx->frame->len);
    if (frame_log_on(l))
        log_frame(l, "frame.tx", tx->from, tx->frame, t);
}

/* Event: a queued frame starts serialising (only scheduled when capture or logging is on). */
static void on_wire_event(void *ctx, void *arg)
{
    sim_link *l = ctx;
    const link_tx *tx = arg;
    if (l->up && tx->epoch == l->epoch) /* a flushed queue never reached the wire */
        on_wire(l, tx, sim_sched_now(l->sched));
}

static void deliver(sim_link *l, sim_iface *to, sim_pkt *frame, sim_time_t now)
{
    frame->in = to;
    l->stats.rx_frames++;
    l->stats.rx_bytes += frame->len;
    to->rx_frames++;
    to->rx_bytes += frame->len;
    if (l->tap)
        l->tap(l->tap_ctx, l, to, frame, now);
    if (frame_log_on(l))
        log_frame(l, "frame.rx", to, frame, now);
    net_eth_input(to, frame);
}

/* The other end of a point-to-point link, or NULL while it is not attached. */
static sim_iface *p2p_peer(const sim_link *l, const sim_iface *from)
{
    if (l->ifaces->len < 2)
        return NULL;
    return g_ptr_array_index(l->ifaces, from->port == 0 ? 1 : 0);
}

/* On a LAN, the member owning unicast MAC dst if it is not the sender and accepts the frame. */
static sim_iface *lan_unicast_owner(const sim_link *l, const sim_iface *from, const uint8_t *dst)
{
    gint64 key = mac_key(dst);
    sim_iface *i = g_hash_table_lookup(l->by_mac, &key);
    return i && i != from && net_eth_accepts(i, dst) ? i : NULL;
}

/* True for a unicast destination MAC (I/G bit clear). */
static inline bool mac_is_unicast(const uint8_t *dst) { return !(dst[0] & 1); }

/* Position of the last member other than the sender that accepts dst, or -1. */
static int lan_last_taker(const sim_link *l, const sim_iface *from, const uint8_t *dst)
{
    if (mac_is_unicast(dst)) {
        sim_iface *i = lan_unicast_owner(l, from, dst);
        return i ? (int)i->port : -1;
    }
    for (int k = (int)l->ifaces->len - 1; k >= 0; k--) {
        const sim_iface *i = g_ptr_array_index(l->ifaces, k);
        if (i != from && net_eth_accepts(i, dst))
            return k;
    }
    return -1;
}

/* Hands the frame to every interface that accepts its destination MAC (copies for all but the
 * last); frees it when none does (ordinary NIC filtering, not a drop). Takes ownership. */
static void fanout(sim_link *l, sim_iface *from, sim_pkt *frame, sim_time_t now)
{
    const uint8_t *dst = frame->data;
    if (l->kind == SIM_LINK_P2P) {
        sim_iface *peer = p2p_peer(l, from);
        if (peer && net_eth_accepts(peer, dst))
            deliver(l, peer, frame, now);
        else
            sim_pkt_free(l->pool, frame);
        return;
    }
    int last = lan_last_taker(l, from, dst);
    if (last < 0) {
        sim_pkt_free(l->pool, frame);
        return;
    }
    for (int k = mac_is_unicast(dst) ? last : 0; k < last; k++) {
        sim_iface *i = g_ptr_array_index(l->ifaces, k);
        if (i != from && net_eth_accepts(i, dst))
            deliver(l, i, sim_pkt_clone(l->pool, frame), now);
    }
    deliver(l, g_ptr_array_index(l->ifaces, last), frame, now);
}

/* Accounts a frame lost on the way (loss, link down) at the receiving side: the other end of a
 * wire, or on a LAN the first member that would have taken it. Takes ownership. */
static void drop_in_flight(sim_link *l, sim_iface *from, sim_pkt *frame, sim_drop_reason r)
{
    l->stats.drops[r]++;
    sim_iface *to = NULL;
    if (l->kind == SIM_LINK_P2P) {
        to = p2p_peer(l, from);
    } else if (mac_is_unicast(frame->data)) {
        to = lan_unicast_owner(l, from, frame->data);
    } else {
        for (guint k = 0; k < l->ifaces->len && !to; k++) {
            sim_iface *i = g_ptr_array_index(l->ifaces, k);
            if (i != from && net_eth_accepts(i, frame->data))
                to = i;
        }
    }
    if (to)
        sim_node_drop(to->node, to, frame, r, l->name);
    else
        sim_pkt_free(l->pool, frame);
}

/* Event: a transmission reaches the far end. */
static void arrive_event(void *ctx, void *arg)
{
    sim_link *l = ctx;
    link_tx *tx = arg;
    sim_time_t now = sim_sched_now(l->sched);
    sim_iface *from = tx->from;
    sim_pkt *frame = tx->frame;
    bool flushed = !l->up || tx->epoch != l->epoch;
    bool lost = tx->lost, dup = tx->dup;
    if (!flushed)
        port_drain(l, from, now); /* after a down the record is no longer queued */
    tx_put(l, tx);
    if (flushed) {
        drop_in_flight(l, from, frame, SIM_DROP_LINK_DOWN);
        return;
    }
    if (lost) {
        drop_in_flight(l, from, frame, SIM_DROP_LOSS);
        return;
    }
    if (dup) /* the copy arrives at the same instant, right before the original */
        fanout(l, from, sim_pkt_clone(l->pool, frame), now);
    fanout(l, from, frame, now);
}

/* ---- transmit ---- */

/* Draws this transmission's faults and returns its arrival time. */
static sim_time_t draw_arrival(sim_link *l, sim_iface *from, link_tx *tx)
{
    const sim_link_props *p = &l->props;
    tx->lost = sim_rng_chance(&l->rng, p->loss);
    sim_time_t arrival = tx->tx_end + p->delay;
    if (p->jitter)
        arrival += p->jitter < UINT32_MAX ? sim_rng_below(&l->rng, (uint32_t)p->jitter + 1)
                                          : (sim_time_t)(sim_rng_double(&l->rng) * p->jitter);
    if (sim_rng_chance(&l->rng, p->reorder)) {
        /* Held back: may be overtaken by later frames; does not hold them back in turn. */
        arrival += p->reorder_delay ? p->reorder_delay : 2 * p->delay + SIM_MS;
    } else {
        if (arrival < from->last_arrival) /* jitter never reorders on its own */
            arrival = from->last_arrival;
        from->last_arrival = arrival;
    }
    tx->dup = sim_rng_chance(&l->rng, p->duplicate);
    return arrival;
}

void sim_link_send(sim_iface *from, sim_pkt *frame)
{
    sim_link *l = from->link;
    if (!l || frame->len < NET_ETH_HLEN) {
        sim_node_drop(from->node, from, frame, l ? SIM_DROP_MALFORMED : SIM_DROP_LINK_DOWN,
                      l ? l->name : "not attached");
        return;
    }
    if (!l->up) {
        l->stats.drops[SIM_DROP_LINK_DOWN]++;
        sim_node_drop(from->node, from, frame, SIM_DROP_LINK_DOWN, l->name);
        return;
    }
    sim_time_t now = sim_sched_now(l->sched);
    port_drain(l, from, now);
    uint32_t len = frame->len;
    /* Drop-tail; an idle interface always takes one frame, whatever the limit. */
    if (from->tx_queued && (uint64_t)from->tx_queued + len > l->props.queue_bytes) {
        l->stats.drops[SIM_DROP_QUEUE_FULL]++;
        sim_node_drop(from->node, from, frame, SIM_DROP_QUEUE_FULL, l->name);
        return;
    }
    sim_time_t start = from->tx_busy_until > now ? from->tx_busy_until : now;
    link_tx *tx = tx_take(l);
    tx->frame = frame;
    tx->from = from;
    tx->len = len;
    tx->epoch = l->epoch;
    tx->tx_end = start + sim_link_tx_time(l, len);
    from->tx_busy_until = tx->tx_end;
    from->tx_queued += len;
    link_port *p = port_of(l, from);
    if (p->tail)
        p->tail->next = tx;
    else
        p->head = tx;
    p->tail = tx;
    l->stats.tx_frames++;
    l->stats.tx_bytes += len;
    from->tx_frames++;
    from->tx_bytes += len;

    sim_time_t arrival = draw_arrival(l, from, tx);
    if (start == now)
        on_wire(l, tx, now);
    else if (l->pcap || frame_log_on(l))
        sim_sched_at(l->sched, start, on_wire_event, l, tx);
    sim_sched_at(l->sched, arrival, arrive_event, l, tx);
}
