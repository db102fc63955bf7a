/* sim/link.h — links: point-to-point wires and broadcast LAN segments, with delay, bandwidth
 * (serialisation + drop-tail queue per sending interface), loss, jitter, reordering, duplication,
 * and down/up during a run (DESIGN §2). Each link writes its own pcap when captures are on. */
#ifndef SIM_LINK_H
#define SIM_LINK_H

#include "sim/node.h"
#include "sim/pkt.h"
#include "sim/time.h"

typedef enum sim_link_kind {
    SIM_LINK_P2P, /* exactly two interfaces */
    SIM_LINK_LAN, /* any number; broadcast and subscribed multicast reach every member */
} sim_link_kind;

typedef struct sim_link_props {
    sim_time_t delay;         /* propagation delay */
    uint64_t bandwidth;       /* bits per second; 0 = infinite (no serialisation time) */
    uint32_t queue_bytes;     /* drop-tail limit per sending interface (bytes in flight) */
    double loss;              /* probability a frame is lost, [0, 1] */
    sim_time_t jitter;        /* extra delay uniform in [0, jitter]; order kept unless reorder */
    double reorder;           /* probability a frame is held back by reorder_delay */
    sim_time_t reorder_delay; /* extra delay of a held-back frame (0: 2 * delay + 1 ms) */
    double duplicate;         /* probability a frame is delivered twice */
} sim_link_props;

typedef struct sim_link_stats {
    uint64_t tx_frames, tx_bytes;     /* frames put on the wire */
    uint64_t rx_frames, rx_bytes;     /* frame copies delivered to interfaces */
    uint64_t drops[SIM_DROP__COUNT];  /* loss, link-down, queue-full */
} sim_link_stats;

/* Defaults: 1 ms delay, infinite bandwidth, 256 KiB queue, no faults. */
void sim_link_props_default(sim_link_props *p);
/* Checks a property set; returns 0 or -EINVAL with a message in err. */
int sim_link_props_check(const sim_link_props *p, GError **err);
/* Creates a link owned by the world (opens its pcap when captures are on). Returns borrowed, or
 * NULL with err set (duplicate name, bad props, pcap file error). */
sim_link *sim_link_new(sim_world *w, const char *name, sim_link_kind kind,
                       const sim_link_props *props, GError **err);
/* Frees a link (called by the world). */
void sim_link_free(sim_link *l);
/* Name, kind, world. */
const char *sim_link_name(const sim_link *l);
sim_link_kind sim_link_get_kind(const sim_link *l);
sim_world *sim_link_world(const sim_link *l);
/* Current properties (borrowed). */
const sim_link_props *sim_link_props_get(const sim_link *l);
/* Replaces the properties (takes effect for frames sent from now on). Returns 0 or -EINVAL. */
int sim_link_set_props(sim_link *l, const sim_link_props *p);
/* Takes the link down (frames in flight and new ones are dropped, reason link-down) or up. */
void sim_link_set_up(sim_link *l, bool up);
/* True while the link is up. */
bool sim_link_is_up(const sim_link *l);
/* Counters (borrowed). */
const sim_link_stats *sim_link_stats_get(const sim_link *l);
/* Attached interfaces, in attach order (borrowed array of sim_iface *). */
const GPtrArray *sim_link_ifaces(const sim_link *l);
/* Attaches an interface (called by sim_node_attach). Returns 0 or -ENOSPC (p2p full). */
int sim_link_attach(sim_link *l, sim_iface *i);
/* Sends a complete Ethernet frame from interface `from`: queues it behind earlier frames,
 * serialises it, captures it, and delivers copies after the delay to the interfaces that accept
 * its destination MAC (via net_eth_input). Takes ownership of frame. */
void sim_link_send(sim_iface *from, sim_pkt *frame);

/* An observer of deliveries: called once per frame copy handed to interface `to`, at virtual
 * time t, just before net_eth_input (frame borrowed for the call). Used by tests and by
 * ladder diagrams. */
typedef void (*sim_link_tap_fn)(void *ctx, const sim_link *l, const sim_iface *to,
                                const sim_pkt *frame, sim_time_t t);
/* Installs (or with fn NULL removes) the link's delivery observer. */
void sim_link_set_tap(sim_link *l, sim_link_tap_fn fn, void *ctx);
/* Serialisation time of a len-byte frame at the link's current bandwidth: the frame bytes as
 * captured (no preamble, FCS or inter-frame gap counted), rounded up to whole nanoseconds;
 * 0 for infinite bandwidth. A 1500-byte frame at 1 Mbit/s takes exactly 12 ms. */
sim_time_t sim_link_tx_time(const sim_link *l, uint32_t len);

#endif
