/* protocols/dhcp/dhcp.h — DHCP, the Dynamic Host Configuration Protocol:
 *   RFC 2131  message format (BOOTP header + magic cookie + options), server and client state
 *             machines, retransmission (§4.1), the ARP check after DHCPACK (§2.2, §4.4.1),
 *   RFC 2132  options (subnet mask, router, DNS, lease time, T1/T2, overload, message type ...),
 *   RFC 3396  long options: an option longer than 255 bytes is split into several instances,
 *             and instances of one code are concatenated on decode,
 *   RFC 1542  the 300-byte minimum BOOTP message (§2.1), honoured on encode.
 *
 * Layering (DESIGN §4): dhcp_msg.c is the codec (bytes <-> dhcp_msg, no I/O), dhcp_server.c and
 * dhcp_client.c are sans-I/O cores (decoded-or-raw packets and time in, an outbox of actions and a
 * deadline out), dhcp_decode.c is `natsim decode dhcp`. IPv4 addresses are host-order uint32_t
 * everywhere in this module (sim_ip4() turns one into a sim_ip).
 *
 * Message (RFC 2131 §2, figure 1), network byte order:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------+---------------+---------------+---------------+
 *   |     op (1)    |   htype (1)   |   hlen (1)    |   hops (1)    |
 *   +---------------+---------------+---------------+---------------+
 *   |                            xid (4)                            |
 *   +-------------------------------+-------------------------------+
 *   |           secs (2)            |B|         flags (2)           |
 *   +-------------------------------+-------------------------------+
 *   |    ciaddr (4)  |  yiaddr (4)  |  siaddr (4)  |  giaddr (4)    |
 *   +---------------------------------------------------------------+
 *   |  chaddr (16)  |  sname (64)  |  file (128)                    |  = 236 bytes
 *   +---------------------------------------------------------------+
 *   |  magic cookie 99.130.83.99 (4)  |  options (variable): code,  |
 *   |  length, value ... end (255); pad (0) may appear anywhere      |
 *   +---------------------------------------------------------------+
 */
#ifndef PROTOCOLS_DHCP_DHCP_H
#define PROTOCOLS_DHCP_DHCP_H

#include <glib.h>
#include <lua.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/cursor.h"
#include "sim/rng.h"
#include "sim/time.h"
#include "sim/world.h"

/* ---------------------------------------------------------------- constants */

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define DHCP_HDR_LEN 236           /* fixed BOOTP header, before the cookie */
#define DHCP_MAGIC_COOKIE 0x63825363u
#define DHCP_MIN_LEN 300           /* RFC 1542 §2.1: encoded messages are padded to this */
#define DHCP_MSG_MAX 1500          /* largest message this code builds or accepts */
#define DHCP_OPTS_MAX 64           /* distinct option codes kept per message */
#define DHCP_CHADDR_LEN 16
#define DHCP_SNAME_LEN 64
#define DHCP_FILE_LEN 128
#define DHCP_FLAG_BROADCAST 0x8000u
#define DHCP_BROADCAST 0xFFFFFFFFu /* 255.255.255.255 */

/* op */
#define DHCP_BOOTREQUEST 1
#define DHCP_BOOTREPLY 2

/* Message types, option 53 (RFC 2132 §9.6). */
#define DHCPDISCOVER 1
#define DHCPOFFER 2
#define DHCPREQUEST 3
#define DHCPDECLINE 4
#define DHCPACK 5
#define DHCPNAK 6
#define DHCPRELEASE 7
#define DHCPINFORM 8

/* Option codes (RFC 2132). */
#define DHCP_OPT_PAD 0
#define DHCP_OPT_SUBNET_MASK 1
#define DHCP_OPT_ROUTER 3
#define DHCP_OPT_DNS 6
#define DHCP_OPT_HOST_NAME 12
#define DHCP_OPT_DOMAIN_NAME 15
#define DHCP_OPT_BROADCAST_ADDR 28
#define DHCP_OPT_REQUESTED_IP 50
#define DHCP_OPT_LEASE_TIME 51
#define DHCP_OPT_OVERLOAD 52
#define DHCP_OPT_MSG_TYPE 53
#define DHCP_OPT_SERVER_ID 54
#define DHCP_OPT_PARAM_REQUEST 55
#define DHCP_OPT_MESSAGE 56
#define DHCP_OPT_MAX_MSG_SIZE 57
#define DHCP_OPT_T1 58
#define DHCP_OPT_T2 59
#define DHCP_OPT_VENDOR_CLASS 60
#define DHCP_OPT_CLIENT_ID 61
#define DHCP_OPT_END 255

/* ---------------------------------------------------------------- codec (dhcp_msg.c) */

/* One option after RFC 3396 concatenation: its value is m->data[off .. off+len). */
typedef struct dhcp_opt {
    uint8_t code;
    uint16_t len;
    uint16_t off;
} dhcp_opt;

/* A decoded (or hand-built) message. It owns its option data, so it outlives the buffer it was
 * decoded from. Options keep the order of their first appearance. Overload (option 52) is not
 * kept as an option: decode folds the options found in sname/file into the list, sets
 * `overload` to say where they were, and zeroes those fields; encode never overloads. */
typedef struct dhcp_msg {
    uint8_t op, htype, hlen, hops;
    uint32_t xid;
    uint16_t secs, flags;
    uint32_t ciaddr, yiaddr, siaddr, giaddr;
    uint8_t chaddr[DHCP_CHADDR_LEN];
    uint8_t sname[DHCP_SNAME_LEN];
    uint8_t file[DHCP_FILE_LEN];
    uint8_t overload;      /* decode only: 0, 1 (file), 2 (sname), 3 (both) held options */
    size_t n_opts;
    dhcp_opt opts[DHCP_OPTS_MAX];
    size_t data_len;
    uint8_t data[DHCP_MSG_MAX];
} dhcp_msg;

/* Why a decode failed: byte offset of the offending field and a static reason. */
typedef struct dhcp_err {
    size_t off;
    const char *why;
} dhcp_err;

/* Decodes buf[0..len): header, cookie, options (then file and sname when overloaded), each
 * option's length against its area and the rules of its code (checked after concatenation).
 * Rules: at least 240 bytes (header + cookie; the 300-byte minimum binds senders only), op 1 or
 * 2, hlen <= 16, the magic cookie, no option running past its area, an end option closing every
 * area that holds options (RFC 2131 §4.1: "the last option must always be the end option"; a
 * truncated message would otherwise pass as whole), overload only in the options field.
 * Returns 0, or -EBADMSG with *e (may be NULL) set; on failure *m is untouched. */
int dhcp_msg_decode(const uint8_t *buf, size_t len, dhcp_msg *m, dhcp_err *e);
/* Encodes m: header, cookie, every option in order (values over 255 bytes split into several
 * instances, RFC 3396), end, then zero padding up to DHCP_MIN_LEN. Returns 0, -EINVAL (an
 * option code 0, 52 or 255 in the list) or -ENOSPC. */
int dhcp_msg_encode(const dhcp_msg *m, uint8_t *buf, size_t cap, size_t *out_len);
/* Starts a message: zeroes *m, sets op, xid, htype 1 / hlen 6 and chaddr from mac[6]. */
void dhcp_msg_init(dhcp_msg *m, uint8_t op, uint32_t xid, const uint8_t mac[6]);
/* Appends (or, for a code already present, extends: RFC 3396) an option with value v[0..len)
 * (copied). Returns 0, -EINVAL (code 0, 52 or 255) or -ENOSPC. */
int dhcp_msg_add(dhcp_msg *m, uint8_t code, const void *v, size_t len);
/* Appends a 1-, 2- or 4-byte option, or a list of n IPv4 addresses. Same returns. */
int dhcp_msg_add_u8(dhcp_msg *m, uint8_t code, uint8_t v);
int dhcp_msg_add_u16(dhcp_msg *m, uint8_t code, uint16_t v);
int dhcp_msg_add_u32(dhcp_msg *m, uint8_t code, uint32_t v);
int dhcp_msg_add_ips(dhcp_msg *m, uint8_t code, const uint32_t *ips, size_t n);
/* The option `code`, or NULL. */
const dhcp_opt *dhcp_msg_find(const dhcp_msg *m, uint8_t code);
/* A pointer to an option's value (inside m, borrowed). */
const uint8_t *dhcp_opt_value(const dhcp_msg *m, const dhcp_opt *o);
/* A 4-byte option (address or seconds). Returns 0, -ENOENT or -EBADMSG (wrong size). */
int dhcp_msg_get_u32(const dhcp_msg *m, uint8_t code, uint32_t *v);
/* Up to cap addresses of an address-list option into ips[], count in *n. Returns 0, -ENOENT or
 * -EBADMSG. */
int dhcp_msg_get_ips(const dhcp_msg *m, uint8_t code, uint32_t *ips, size_t cap, size_t *n);
/* The message type (option 53), or -ENOENT when absent. */
int dhcp_msg_type(const dhcp_msg *m);
/* Name of a message type ("DHCPDISCOVER"), or NULL. */
const char *dhcp_type_name(int type);
/* Name of an option code ("Router"), or NULL when not known here. */
const char *dhcp_opt_name(uint8_t code);
/* Checks an option value against its code's rules (fixed sizes, multiples of 4, minimums):
 * NULL when fine or not known, else a static reason. The decoder uses it. */
const char *dhcp_opt_check(uint8_t code, const uint8_t *v, size_t len);

/* ---------------------------------------------------------------- outbox */

/* A DHCP message to send over UDP: from src:sport to dst:dport (dst DHCP_BROADCAST: the
 * limited broadcast on the interface, link-layer broadcast; src 0: 0.0.0.0). A unicast to an
 * address the sender cannot ARP for yet (a reply to yiaddr) goes to link-layer address chaddr. */
typedef struct dhcp_out {
    uint32_t src, dst;
    uint16_t sport, dport;
    uint8_t chaddr[6];
    size_t len;
    uint8_t data[DHCP_MSG_MAX];
} dhcp_out;

/* What a client learned: the interface configuration the driver applies. */
#define DHCP_DNS_MAX 4
typedef struct dhcp_lease {
    uint32_t addr, mask, router, server_id, broadcast;
    uint32_t dns[DHCP_DNS_MAX];
    size_t n_dns;
    uint32_t lease_secs, t1_secs, t2_secs;
    sim_time_t start;      /* when the REQUEST that got it was sent (RFC 2131 §4.4.1) */
    char domain[64];
} dhcp_lease;

/* ---------------------------------------------------------------- server (dhcp_server.c) */

/* One address pool. */
typedef struct dhcp_pool_cfg {
    uint32_t start, end;   /* first and last address handed out (inclusive) */
    uint32_t mask;         /* subnet mask sent to clients (option 1) */
    uint32_t router;       /* option 3 (0: none) */
    uint32_t dns[DHCP_DNS_MAX];
    size_t n_dns;
    uint32_t lease_secs;   /* option 51 (0: 3600) */
    const char *domain;    /* option 15 (NULL: none; copied) */
} dhcp_pool_cfg;

#define DHCP_POOLS_MAX 8
#define DHCP_POOL_SIZE_MAX 65536
typedef struct dhcp_server_cfg {
    uint32_t server_id;    /* the server's address: option 54 and the source of replies */
    size_t n_pools;
    dhcp_pool_cfg pools[DHCP_POOLS_MAX];
    sim_time_t offer_hold;   /* how long an offered address stays reserved (0: 60 s) */
    sim_time_t decline_hold; /* how long a declined address is unusable (0: 600 s) */
} dhcp_server_cfg;

typedef struct dhcp_server_stats {
    uint64_t received, bad, ignored;
    uint64_t offers, acks, naks, declines, releases, informs, expired;
    uint64_t exhausted;    /* DISCOVERs left unanswered: no free address */
} dhcp_server_stats;

typedef struct dhcp_server dhcp_server;

/* Creates a server core (cfg and its strings copied). Returns owned, or NULL when cfg has no
 * server_id, no pool, a pool with start > end, more than DHCP_POOL_SIZE_MAX addresses, or a
 * pool whose range leaves its subnet. */
dhcp_server *dhcp_server_new(const dhcp_server_cfg *cfg);
/* Frees the core. NULL-safe. */
void dhcp_server_free(dhcp_server *s);
/* One datagram that arrived on port 67. Returns 0 (handled: answered or acted upon), -ENOENT
 * (ignored: not a request, for another server, nothing to say), or -EBADMSG (malformed). */
int dhcp_server_input(dhcp_server *s, sim_time_t now, const uint8_t *buf, size_t len);
/* Expires offers and leases due at now. */
void dhcp_server_timeout(dhcp_server *s, sim_time_t now);
/* The earliest offer or lease expiry, or SIM_TIME_NEVER. */
sim_time_t dhcp_server_next_deadline(const dhcp_server *s);
/* Pops the next reply into *out; false when the outbox is empty. */
bool dhcp_server_pop(dhcp_server *s, dhcp_out *out);
/* The client bound to addr at now: its chaddr into mac[6] (may be NULL) and the lease end.
 * Returns 0 or -ENOENT. */
int dhcp_server_lookup(const dhcp_server *s, sim_time_t now, uint32_t addr, uint8_t mac[6],
                       sim_time_t *expires);
/* Counters (borrowed). */
const dhcp_server_stats *dhcp_server_get_stats(const dhcp_server *s);

/* ---------------------------------------------------------------- client (dhcp_client.c) */

typedef enum dhcp_client_state {
    DHCP_STOPPED,          /* not started, or released */
    DHCP_INIT,             /* waiting to (re)start: after DECLINE, 10 s */
    DHCP_SELECTING,        /* DISCOVER sent, waiting for an OFFER */
    DHCP_REQUESTING,       /* REQUEST for an offer sent */
    DHCP_INIT_REBOOT,      /* (transient) a remembered address */
    DHCP_REBOOTING,        /* REQUEST for the remembered address sent */
    DHCP_CHECKING,         /* ACK received, ARP probe for the address under way */
    DHCP_BOUND,
    DHCP_RENEWING,         /* past T1: unicast REQUEST to the server */
    DHCP_REBINDING,        /* past T2: broadcast REQUEST */
} dhcp_client_state;

typedef enum dhcp_action_kind {
    DHCP_ACT_SEND,         /* send .pkt */
    DHCP_ACT_PROBE,        /* ARP probe for .addr (sender IP 0); report a conflict with
                            * dhcp_client_conflict before the check time ends */
    DHCP_ACT_ANNOUNCE,     /* ARP announcement of .addr (sender = target = .addr) */
    DHCP_ACT_CONFIGURE,    /* configure .lease on the interface (address, mask, router, DNS);
                            * repeated with new times after each renewal */
    DHCP_ACT_UNCONFIGURE,  /* remove .addr from the interface */
} dhcp_action_kind;

typedef struct dhcp_action {
    dhcp_action_kind kind;
    uint32_t addr;
    dhcp_lease lease;
    dhcp_out pkt;
} dhcp_action;

typedef struct dhcp_client_cfg {
    uint8_t mac[6];
    const uint8_t *client_id;  /* option 61 value (NULL: none, chaddr identifies); copied */
    size_t client_id_len;
    const char *host_name;     /* option 12 (NULL: none); copied */
    uint32_t remembered;       /* an address from a previous lease: start in INIT-REBOOT */
    bool no_broadcast_flag;    /* leave the BROADCAST flag clear (default: set, so replies come
                                * to the link-layer broadcast before an address is configured) */
    bool no_arp_check;         /* skip the ARP probe after ACK */
    bool no_jitter;            /* retransmit at exactly 4, 8, 16, 32, 64 s (tests) */
    sim_time_t check_time;     /* how long to wait for a conflict after the probe (0: 1 s) */
} dhcp_client_cfg;

typedef struct dhcp_client_stats {
    uint64_t sent, retransmits, received, bad, ignored;
    uint64_t offers, acks, naks, declines, releases, expiries;
} dhcp_client_stats;

/* Retransmission (RFC 2131 §4.1): 4 s doubled to 64 s, each ±1 s; a REQUEST is sent this many
 * times before falling back to INIT. */
#define DHCP_RTX_FIRST (4 * SIM_SEC)
#define DHCP_RTX_MAX (64 * SIM_SEC)
#define DHCP_REQUEST_TRIES 5
#define DHCP_DECLINE_WAIT (10 * SIM_SEC)   /* RFC 2131 §3.1.5 */
#define DHCP_RENEW_MIN_WAIT (60 * SIM_SEC) /* RFC 2131 §4.4.5 */

typedef struct dhcp_client dhcp_client;

/* Creates a client core (cfg copied, rng borrowed: xids and jitter). Stopped until started.
 * Returns owned. */
dhcp_client *dhcp_client_new(const dhcp_client_cfg *cfg, sim_rng *rng);
/* Frees the core. NULL-safe. */
void dhcp_client_free(dhcp_client *c);
/* Starts: INIT-REBOOT with cfg.remembered, else DISCOVER. Returns 0, or -EALREADY when not
 * stopped. */
int dhcp_client_start(dhcp_client *c, sim_time_t now);
/* One datagram that arrived on port 68. Returns 0 (acted upon), -ENOENT (not for us, or not
 * expected in this state), or -EBADMSG. */
int dhcp_client_input(dhcp_client *c, sim_time_t now, const uint8_t *buf, size_t len);
/* An ARP packet from another host claimed the address being checked (DHCP_ACT_PROBE): the
 * client DECLINEs it and restarts after 10 s. Returns 0, or -ENOENT when nothing is being
 * checked or addr is not the probed address. */
int dhcp_client_conflict(dhcp_client *c, sim_time_t now, uint32_t addr);
/* Gives the lease back: RELEASE to the server, the address unconfigured, STOPPED. Returns 0 or
 * -ENOENT (no lease). */
int dhcp_client_release(dhcp_client *c, sim_time_t now);
/* Retransmits, renews, rebinds, expires, ends the ARP check: whatever is due at now. */
void dhcp_client_timeout(dhcp_client *c, sim_time_t now);
/* The next time dhcp_client_timeout has work, or SIM_TIME_NEVER. */
sim_time_t dhcp_client_next_deadline(const dhcp_client *c);
/* Pops the next action into *a; false when none. */
bool dhcp_client_pop(dhcp_client *c, dhcp_action *a);
/* Current state, and the lease (borrowed; meaningful from CHECKING on). */
dhcp_client_state dhcp_client_get_state(const dhcp_client *c);
const dhcp_lease *dhcp_client_lease(const dhcp_client *c);
/* "SELECTING", "BOUND" ... */
const char *dhcp_client_state_name(dhcp_client_state st);
/* Counters (borrowed). */
const dhcp_client_stats *dhcp_client_get_stats(const dhcp_client *c);

/* ---------------------------------------------------------------- CLI (dhcp_decode.c) */

/* Appends a multi-line dump of a message, like tcpdump -v: header fields, then every option
 * with its name and decoded value. */
void dhcp_msg_fmt(const dhcp_msg *m, GString *out);
/* `natsim decode dhcp FILE` (natsim_decode_fn of cli/cli.h): takes no options. Returns 0, or -1
 * with err set (an option given, malformed message with the byte offset of the error). */
int dhcp_decode(const uint8_t *data, size_t len, int argc, char **argv, GString *out,
                GError **err);

/* ---------------------------------------------------------------- simulator driver (dhcp_sim.c)
 * Runs a core on one interface of a simulated node, as dhcpd / dhclient would with a socket
 * tied to the interface (sim_sock_bind_iface). Server: port 67 on the interface, replies sent
 * where the core says; a unicast reply to a client's new address (BROADCAST flag clear) first
 * records yiaddr -> chaddr in the neighbour cache (sim_iface_neigh_set, what ISC dhcpd does with
 * SIOCSARP), so no ARP is needed (RFC 2131 4.1). Client: port 68 on the interface, sending from
 * 0.0.0.0 until it has an address; its ARP check (PROBE) goes out through sim_arp_probe and any
 * ARP on the interface whose sender IP is the probed address, from another MAC, is a conflict;
 * CONFIGURE adds address/prefix and a default route via the first router, UNCONFIGURE removes
 * them (sim_iface_del_addr takes the route with it). Log records (kind "dhcp"): bound, renewed,
 * unbound, declined, fallback. With `fallback` set the client also runs an IPv4 link-local app
 * on the interface (protocols/zeroconf/ipv4ll.h): it starts when no lease was bound `fallback`
 * after the client started (or lost its lease), and gives its address up when a lease binds. */

typedef struct sim_iface sim_iface;
typedef struct dhcp_app dhcp_app;
/* Called after every step of the app (datagram, ARP, timer, start, release). */
typedef void (*dhcp_app_notify_fn)(dhcp_app *a, void *ctx);

#define DHCP_REF_KIND 0x444850 /* "DHP" */

/* Starts a server on iface; cfg->server_id 0 takes the interface's first IPv4 address. The
 * world owns the app. Returns borrowed, or NULL with err set (no address, bad pools, port 67
 * taken on the interface). */
dhcp_app *dhcp_app_server(sim_iface *iface, const dhcp_server_cfg *cfg, GError **err);
/* Starts a client on iface (cfg->mac is taken from the interface; fallback 0: no link-local).
 * Returns borrowed, or NULL with err set. */
dhcp_app *dhcp_app_client(sim_iface *iface, const dhcp_client_cfg *cfg, sim_time_t fallback,
                          GError **err);
/* Client: gives the lease back (DHCPRELEASE, address removed). Returns 0 or -ENOENT. */
int dhcp_app_release(dhcp_app *a);
/* Stops the app (socket, timer, watch; a client's configured address stays, as when a daemon
 * is killed); the handle goes stale. NULL-safe. */
void dhcp_app_free(dhcp_app *a);
/* The cores (borrowed; NULL for the other role or after free), the interface, the handle,
 * the link-local app (client with fallback, else NULL). The lease, with its DNS servers, is
 * dhcp_client_lease(dhcp_app_client_core(a)). */
dhcp_server *dhcp_app_server_core(dhcp_app *a);
dhcp_client *dhcp_app_client_core(dhcp_app *a);
sim_iface *dhcp_app_iface(dhcp_app *a);
sim_ref dhcp_app_ref(dhcp_app *a);
struct ipv4ll_app *dhcp_app_ipv4ll(dhcp_app *a);
/* Opens module `dhcp` for scenarios (dhcp_lua.c; a simlua_module_open). */
int dhcp_lua_open(lua_State *L);
/* Sets the notify callback (NULL clears). */
void dhcp_app_on_notify(dhcp_app *a, dhcp_app_notify_fn fn, void *ctx);

#endif
