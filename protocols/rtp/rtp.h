/* protocols/rtp/rtp.h — RTP, the Real-time Transport Protocol, and RTCP:
 *   RFC 3550  RTP header, RTCP SR / RR / SDES / BYE and compound packets (§5, §6), receiver
 *             statistics (A.1 sequence numbers, A.3 loss, A.8 jitter), RTCP interval (A.7),
 *   RFC 3551  the audio/video profile (PCMU payload type 0, 8000 Hz clock),
 *   RFC 5761  RTP and RTCP on one port: told apart by the second byte (RTCP types 192..223).
 *
 * Layering (DESIGN §4): rtp_msg.c is the RTP codec, rtcp_msg.c the RTCP codec (bytes <->
 * structs, no I/O), rtp_stats.c the receiver statistics of one source, rtp_session.c the
 * sans-I/O session core (a 20 ms PCMU sender, a receiver, RTCP reports on the RFC's interval),
 * rtp_decode.c is `natsim decode rtp`.
 *
 * RTP header (RFC 3550 §5.1), network byte order:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                           timestamp                           |
 *   |           synchronization source (SSRC) identifier            |
 *   |            contributing source (CSRC) identifiers (CC)        |
 *   |  [extension: profile (16) | length in words (16) | words]     |
 *   |  payload ...                  [padding, last byte = its count]|
 *
 * RTCP packet (§6.4): V=2 | P | count (5) | PT (8) | length in 32-bit words minus one (16),
 * then the sender's SSRC and the type's body. A compound packet is several of them back to
 * back, the first an SR or RR, padding only on the last (§6.1, A.2).
 */
#ifndef PROTOCOLS_RTP_RTP_H
#define PROTOCOLS_RTP_RTP_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <lua.h>
#include "sim/addr.h"
#include "sim/node.h"
#include "sim/rng.h"
#include "sim/time.h"

/* ---------------------------------------------------------------- constants */

#define RTP_VERSION 2
#define RTP_HDR_LEN 12
#define RTP_CSRC_MAX 15
#define RTP_PKT_MAX 1500        /* largest packet built here */

#define RTP_PT_PCMU 0           /* RFC 3551: G.711 mu-law, 8000 Hz */
#define RTP_PT_PCMA 8

#define RTCP_SR 200
#define RTCP_RR 201
#define RTCP_SDES 202
#define RTCP_BYE 203
#define RTCP_APP 204

#define RTCP_SDES_CNAME 1
#define RTCP_PKTS_MAX 8         /* packets kept per compound */
#define RTCP_RB_MAX 31          /* report blocks per SR/RR (5-bit count) */
#define RTCP_SDES_CHUNKS_MAX 31
#define RTCP_SDES_ITEMS_MAX 8   /* items kept per chunk */

/* Why a decode failed: byte offset and a static reason (for the CLI and tests). */
typedef struct rtp_err {
    size_t off;
    const char *why;
} rtp_err;

/* True when a datagram on a shared port is RTCP (RFC 5761 §4: second byte 192..223). */
bool rtp_is_rtcp(const uint8_t *buf, size_t len);

/* ---------------------------------------------------------------- RTP (rtp_msg.c) */

/* An RTP packet. ext and payload point into the decoded buffer (borrowed). */
typedef struct rtp_pkt {
    bool padding;            /* decode: P was set; encode: add pad_len bytes of padding */
    bool extension;
    uint8_t cc;
    bool marker;
    uint8_t pt;
    uint16_t seq;
    uint32_t ts;
    uint32_t ssrc;
    uint32_t csrc[RTP_CSRC_MAX];
    uint16_t ext_profile;    /* header extension "defined by profile" field */
    const uint8_t *ext;      /* extension words (ext_len bytes, a multiple of 4) */
    size_t ext_len;
    const uint8_t *payload;
    size_t payload_len;
    uint8_t pad_len;         /* padding bytes including the count byte */
} rtp_pkt;

/* Decodes buf[0..len): version 2, CSRC list, extension and padding lengths all within the
 * packet, RTCP payload types 72..76 refused (RFC 5761 §4). Returns 0, or -EBADMSG with *e (may
 * be NULL) set and *p untouched. */
int rtp_decode(const uint8_t *buf, size_t len, rtp_pkt *p, rtp_err *e);
/* Encodes p (cc <= 15, pt < 128, ext_len a multiple of 4, pad_len 1..255 when padding) into
 * buf[0..cap). Returns 0 with *out_len, -EINVAL, or -ENOSPC. */
int rtp_encode(const rtp_pkt *p, uint8_t *buf, size_t cap, size_t *out_len);

/* ---------------------------------------------------------------- RTCP (rtcp_msg.c) */

/* One report block (§6.4.1). */
typedef struct rtcp_rb {
    uint32_t ssrc;           /* the source reported on */
    uint8_t fraction;        /* fraction lost since the last report, in 1/256 */
    int32_t lost;            /* cumulative lost, 24-bit signed */
    uint32_t ext_max_seq;    /* cycles << 16 | highest sequence number received */
    uint32_t jitter;         /* interarrival jitter, timestamp units */
    uint32_t lsr;            /* middle 32 bits of the last SR's NTP time */
    uint32_t dlsr;           /* delay since that SR, 1/65536 s */
} rtcp_rb;

typedef struct rtcp_sdes_item {
    uint8_t type;            /* RTCP_SDES_CNAME ... */
    uint8_t len;
    const uint8_t *text;     /* borrowed */
} rtcp_sdes_item;

typedef struct rtcp_sdes_chunk {
    uint32_t ssrc;
    size_t n_items;
    rtcp_sdes_item items[RTCP_SDES_ITEMS_MAX];
} rtcp_sdes_chunk;

/* One RTCP packet of a compound. */
typedef struct rtcp_pkt {
    uint8_t pt;              /* RTCP_SR ... (others are kept raw) */
    uint8_t count;           /* the 5-bit count field */
    bool padding;
    size_t off, len;         /* where it is in the compound, its length in bytes */
    uint32_t ssrc;           /* sender SSRC (SR, RR, APP, others: first word if present) */
    /* SR sender info (§6.4.1) */
    uint32_t ntp_sec, ntp_frac, rtp_ts, pkt_count, octet_count;
    /* SR / RR */
    rtcp_rb rb[RTCP_RB_MAX];
    /* SDES */
    rtcp_sdes_chunk *chunks; /* points into rtcp_compound.chunks (borrowed) */
    /* BYE */
    uint32_t bye_ssrc[RTCP_RB_MAX];
    const uint8_t *reason;   /* borrowed, or NULL */
    uint8_t reason_len;
} rtcp_pkt;

/* A compound packet. Pointers borrow the decoded buffer. */
typedef struct rtcp_compound {
    size_t n;
    rtcp_pkt pkts[RTCP_PKTS_MAX];
    size_t n_chunks;
    rtcp_sdes_chunk chunks[RTCP_SDES_CHUNKS_MAX]; /* all SDES chunks, packet by packet */
} rtcp_compound;

/* Decodes a compound packet: every header and length, the first packet SR or RR, padding only
 * on the last, SR/RR/SDES/BYE bodies (SDES items within their chunk, each chunk ended by a
 * null octet and padded to 32 bits). Returns 0, or -EBADMSG with *e set; *c is then undefined
 * (callers use a fresh one). */
int rtcp_decode(const uint8_t *buf, size_t len, rtcp_compound *c, rtp_err *e);
/* Encodes a compound (SR/RR/SDES/BYE packets as decoded; others refused). Returns 0 with
 * *out_len, -EINVAL (counts over their limits, a first packet not SR/RR), or -ENOSPC. */
int rtcp_encode(const rtcp_compound *c, uint8_t *buf, size_t cap, size_t *out_len);
/* Name of an RTCP packet type ("SR", "RR", "SDES", "BYE", "APP"), or NULL. */
const char *rtcp_type_name(uint8_t pt);

/* ---------------------------------------------------------------- receiver statistics (rtp_stats.c) */

/* RFC 3550 A.1: the state kept per source, plus counters for what A.1 leaves implicit. */
typedef struct rtp_source {
    uint32_t ssrc;
    uint16_t max_seq;        /* highest sequence number seen */
    uint32_t cycles;         /* shifted count of sequence number cycles */
    uint32_t base_seq;
    uint32_t bad_seq;        /* last 'bad' seq + 1 */
    uint32_t probation;      /* packets still needed before the source is valid */
    uint32_t received;       /* packets received (valid) */
    uint32_t expected_prior, received_prior;
    int64_t transit;         /* relative transit time of the last packet */
    uint32_t jitter;         /* estimated jitter, scaled by 16 (A.8) */
    bool have_transit;
    uint64_t seen;           /* bitmap of the 64 extended seqs up to the highest: duplicates */
    uint32_t duplicates, reordered, resyncs;
} rtp_source;

#define RTP_MAX_DROPOUT 3000
#define RTP_MAX_MISORDER 100
#define RTP_MIN_SEQUENTIAL 2

/* Starts a source at its first packet (A.1 init with probation when `probation`, else valid at
 * once: the source is known from signalling). */
void rtp_source_init(rtp_source *s, uint32_t ssrc, uint16_t seq, bool probation);
/* A.1 update_seq plus duplicate/reordering accounting: returns true if the packet counts
 * (valid source, not a duplicate), false while on probation or for a bad/duplicate one. */
bool rtp_source_update(rtp_source *s, uint16_t seq);
/* A.8: feeds one packet's RTP timestamp and arrival time (both in timestamp units). */
void rtp_source_jitter(rtp_source *s, uint32_t rtp_ts, uint32_t arrival);
/* Extended highest sequence number received (cycles + max_seq). */
uint32_t rtp_source_ext_max(const rtp_source *s);
/* A.3: expected and cumulative lost (clamped to 24-bit signed). */
uint32_t rtp_source_expected(const rtp_source *s);
int32_t rtp_source_lost(const rtp_source *s);
/* A.3: fraction lost since the previous call (1/256 units), moving the 'prior' counters. */
uint8_t rtp_source_fraction(rtp_source *s);
/* Jitter in timestamp units (A.8's estimate >> 4). */
uint32_t rtp_source_jitter_ts(const rtp_source *s);
/* A.7 rtcp_interval (without reconsideration): seconds until the next report, drawn from rng
 * (uniform in [0.5, 1.5] x the deterministic interval, divided by e - 3/2). */
double rtp_rtcp_interval(int members, int senders, double rtcp_bw, bool we_sent,
                         double avg_rtcp_size, bool initial, sim_rng *rng);

/* ---------------------------------------------------------------- session core (rtp_session.c) */

typedef struct rtp_session_cfg {
    uint8_t pt;              /* payload type sent (0: PCMU) */
    uint32_t clock;          /* RTP clock rate (0: 8000) */
    sim_time_t ptime;        /* packet interval (0: 20 ms) */
    size_t payload_len;      /* payload bytes per packet (0: clock * ptime, 160 for PCMU) */
    const char *cname;       /* SDES CNAME (NULL: "natsim"; copied) */
    double session_bw;      /* bytes/s for the RTCP share (0: 64 kbit/s + headers = 10000) */
    bool probation;          /* apply A.1's MIN_SEQUENTIAL before counting a new source */
} rtp_session_cfg;

/* Per-call statistics a scenario asserts on. */
typedef struct rtp_stats {
    uint64_t packets_sent, octets_sent;
    uint64_t packets_received, octets_received; /* RTP from the remote source, counted */
    uint64_t expected;
    int64_t lost;            /* cumulative: expected - received (can be negative) */
    uint8_t fraction_lost;   /* in the last report we sent, 1/256 units */
    uint32_t jitter_ts;      /* interarrival jitter, timestamp units */
    double jitter_ms;
    uint32_t duplicates, reordered;
    uint64_t rtcp_sent, rtcp_received, sr_received, rr_received, bye_received;
    uint64_t bad;            /* datagrams that did not decode */
    uint64_t other_ssrc;     /* RTP from a second source (ignored) */
    bool remote_known;
    uint32_t local_ssrc, remote_ssrc;
    uint32_t clock;          /* RTP clock rate, to turn timestamp units into time */
    /* What the remote reported about our stream (last report block on our SSRC). */
    bool have_remote_report;
    uint8_t remote_fraction_lost;
    int32_t remote_lost;
    uint32_t remote_jitter_ts;
    double rtt_ms;           /* from LSR/DLSR (A = arrival), -1 until measured */
} rtp_stats;

/* A datagram the core wants sent: RTP, or RTCP (to the RTCP port). */
typedef struct rtp_out {
    bool rtcp;
    size_t len;
    uint8_t data[RTP_PKT_MAX];
} rtp_out;

typedef struct rtp_session rtp_session;

/* Creates a session (cfg copied, rng borrowed for SSRC, initial sequence number, timestamp and
 * RTCP intervals). The first RTCP report is scheduled from `now`. Returns owned. */
rtp_session *rtp_session_new(const rtp_session_cfg *cfg, sim_rng *rng, sim_time_t now);
/* Frees it. NULL-safe. */
void rtp_session_free(rtp_session *s);
/* Starts sending one packet per ptime from now until `until` (SIM_TIME_NEVER: until stopped). */
void rtp_session_send_start(rtp_session *s, sim_time_t now, sim_time_t until);
/* Stops sending. */
void rtp_session_send_stop(rtp_session *s, sim_time_t now);
/* One datagram (RTP or RTCP, told apart per RFC 5761). Returns 0, -EBADMSG (malformed:
 * counted), or -ENOENT (RTP from another SSRC, ignored). */
int rtp_session_input(rtp_session *s, sim_time_t now, const uint8_t *buf, size_t len);
/* Sends what is due at now: RTP packets, an RTCP report. */
void rtp_session_timeout(rtp_session *s, sim_time_t now);
/* The next packet or report time, or SIM_TIME_NEVER after rtp_session_bye. */
sim_time_t rtp_session_next_deadline(const rtp_session *s);
/* Queues a final compound with BYE (reason may be NULL) and stops all sending. */
void rtp_session_bye(rtp_session *s, sim_time_t now, const char *reason);
/* Pops the next datagram into *out; false when the outbox is empty. */
bool rtp_session_pop(rtp_session *s, rtp_out *out);
/* Statistics (borrowed; refreshed on every call). */
const rtp_stats *rtp_session_stats(rtp_session *s);

/* ---------------------------------------------------------------- driver (rtp_sim.c) */

#define RTP_REF_KIND 0x525450 /* "RTP" */

/* An external transport (e.g. an ICE agent's selected pair): sends one RTP or RTCP datagram
 * (borrowed until return). */
typedef void (*rtp_app_send_fn)(const uint8_t *data, size_t len, bool rtcp, void *ctx);

typedef struct rtp_app_cfg {
    rtp_app_send_fn send;    /* non-NULL: no sockets; every datagram goes to send(send_ctx) and
                              * what arrives is handed in with rtp_app_input (port, to,
                              * rtcp_to, rtcp_mux and latch are then unused) */
    void *send_ctx;
    uint16_t port;           /* local RTP port; RTCP on port + 1 unless rtcp_mux */
    sim_ep to;               /* where RTP goes */
    sim_ep rtcp_to;          /* where RTCP goes (port 0: to.port + 1, or to with rtcp_mux) */
    bool rtcp_mux;           /* RTP and RTCP on one port (RFC 5761) */
    sim_time_t duration;     /* how long to send (0: receive only) */
    bool latch;              /* symmetric RTP (RFC 4961): send where the other side's RTP and
                              * RTCP come from, as a media server does for phones behind NATs */
    rtp_session_cfg session;
} rtp_app_cfg;

typedef struct rtp_app rtp_app;

/* Starts a session on node n at the current time: opens and binds the socket(s), starts
 * sending for cfg->duration. Returns world-owned (freed with the world or rtp_app_free), or
 * NULL with err set (port in use, no IPv4/IPv6 socket). */
rtp_app *rtp_app_new(sim_node *n, const rtp_app_cfg *cfg, GError **err);
/* A datagram that arrived on the external transport (cfg.send set; borrowed). */
void rtp_app_input(rtp_app *a, const uint8_t *data, size_t len);
/* Sends BYE (reason may be NULL) and stops the session's sending and reports. */
void rtp_app_bye(rtp_app *a, const char *reason);
/* Closes the sockets and frees the core; the handle goes stale. NULL-safe. */
void rtp_app_free(rtp_app *a);
/* The core (borrowed), the node, the world handle. */
rtp_session *rtp_app_session(rtp_app *a);
sim_node *rtp_app_node(rtp_app *a);
sim_ref rtp_app_ref(rtp_app *a);
/* The Lua module `rtp` (simlua_module_open, rtp_lua.c). */
int rtp_lua_open(lua_State *L);

/* ---------------------------------------------------------------- CLI (rtp_decode.c) */

/* Appends a dump of an RTP packet / an RTCP compound. */
void rtp_pkt_fmt(const rtp_pkt *p, GString *out);
void rtcp_compound_fmt(const rtcp_compound *c, GString *out);
/* `natsim decode rtp FILE`: RTP or an RTCP compound, told apart by RFC 5761's payload type
 * ranges (natsim_decode_fn). Returns 0, or -1 with err set (option given, malformed). */
int rtp_decode_cli(const uint8_t *data, size_t len, int argc, char **argv, GString *out,
                   GError **err);

#endif
