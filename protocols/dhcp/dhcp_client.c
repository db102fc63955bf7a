/* protocols/dhcp/dhcp_client.c — sans-I/O DHCP client, the state machine of RFC 2131 §4.4
 * (figure 5):
 *
 *   INIT ──DISCOVER──> SELECTING ──OFFER / REQUEST──> REQUESTING ──ACK──> CHECKING (ARP probe)
 *     ^                                                   │NAK             │ no conflict
 *     │<──────────────────────────────────────────────────┘                v
 *     │<── conflict: DECLINE, wait 10 s ──────────────────────────── CHECKING
 *     │                                           BOUND ──T1──> RENEWING ──T2──> REBINDING
 *     │<── NAK, or lease expired ──────────────────────────────────────────────────┘
 *   INIT-REBOOT ──REQUEST(requested IP)──> REBOOTING ──ACK──> CHECKING
 *
 * One timer at a time (c->next) serves every state: retransmission, the end of the ARP check,
 * the 10 s wait after DECLINE, T1, T2 and the lease end. Retransmissions (§4.1) wait 4, 8, 16,
 * 32, 64, 64 ... s, each plus a uniform -1..+1 s (millisecond steps, one rng draw per wait);
 * DISCOVER is repeated for ever, a REQUEST DHCP_REQUEST_TRIES times before starting over. In
 * RENEWING and REBINDING the wait is half the time left to T2 (resp. lease end), at least 60 s
 * (§4.4.5). The rng is drawn for each new xid (one u64, truncated) and each jittered wait, in
 * that order, nowhere else. */
#include "protocols/dhcp/dhcp.h"

#include <errno.h>
#include <string.h>

struct dhcp_client {
    dhcp_client_cfg cfg;
    uint8_t *client_id;    /* owned copies */
    char *host_name;
    sim_rng *rng;          /* borrowed */
    dhcp_client_state state;
    uint32_t xid;
    sim_time_t exch_start; /* start of this exchange, for secs */
    sim_time_t req_sent;   /* first REQUEST of this exchange: the lease starts here */
    sim_time_t next;       /* the one timer */
    unsigned tries;        /* transmissions in this exchange */
    uint32_t offered, offer_server;
    uint32_t last_addr;    /* previous lease's address, asked for again in DISCOVER */
    bool configured;       /* the driver was told to configure lease.addr */
    dhcp_lease lease;
    GQueue out;            /* of dhcp_action * */
    dhcp_client_stats stats;
};

static const uint8_t param_list[] = { DHCP_OPT_SUBNET_MASK, DHCP_OPT_ROUTER, DHCP_OPT_DNS,
                                      DHCP_OPT_DOMAIN_NAME, DHCP_OPT_BROADCAST_ADDR,
                                      DHCP_OPT_LEASE_TIME, DHCP_OPT_T1, DHCP_OPT_T2 };

dhcp_client *dhcp_client_new(const dhcp_client_cfg *cfg, sim_rng *rng)
{
    dhcp_client *c = g_new0(dhcp_client, 1);
    c->cfg = *cfg;
    if (cfg->client_id && cfg->client_id_len)
        c->client_id = g_memdup2(cfg->client_id, MIN(cfg->client_id_len, (size_t)255));
    c->cfg.client_id_len = c->client_id ? MIN(cfg->client_id_len, (size_t)255) : 0;
    c->cfg.client_id = c->client_id;
    c->host_name = g_strndup(cfg->host_name, cfg->host_name ? 255 : 0);
    c->cfg.host_name = c->host_name;
    if (!c->cfg.check_time)
        c->cfg.check_time = SIM_SEC;
    c->rng = rng;
    c->state = DHCP_STOPPED;
    c->next = SIM_TIME_NEVER;
    g_queue_init(&c->out);
    return c;
}

void dhcp_client_free(dhcp_client *c)
{
    if (!c)
        return;
    g_queue_clear_full(&c->out, g_free);
    g_free(c->client_id);
    g_free(c->host_name);
    g_free(c);
}

/* ---------------------------------------------------------------- outbox */

static dhcp_action *push(dhcp_client *c, dhcp_action_kind kind, uint32_t addr)
{
    dhcp_action *a = g_new0(dhcp_action, 1);
    a->kind = kind;
    a->addr = addr;
    g_queue_push_tail(&c->out, a);
    return a;
}

/* Queues a client message of `type`: ciaddr, requested IP (0: none), server id (0: none), to
 * dst from ciaddr. */
static void send_msg(dhcp_client *c, sim_time_t now, int type, uint32_t ciaddr,
                     uint32_t requested, uint32_t server, uint32_t dst)
{
    dhcp_msg *m = g_new(dhcp_msg, 1);
    dhcp_msg_init(m, DHCP_BOOTREQUEST, c->xid, c->cfg.mac);
    m->ciaddr = ciaddr;
    sim_time_t el = now > c->exch_start ? (now - c->exch_start) / SIM_SEC : 0;
    bool ends = type == DHCPDECLINE || type == DHCPRELEASE;
    m->secs = ends ? 0 : (uint16_t)MIN(el, (sim_time_t)0xFFFF);
    if (!ciaddr && !c->cfg.no_broadcast_flag && !ends)
        m->flags = DHCP_FLAG_BROADCAST;
    dhcp_msg_add_u8(m, DHCP_OPT_MSG_TYPE, (uint8_t)type);
    if (c->client_id)
        dhcp_msg_add(m, DHCP_OPT_CLIENT_ID, c->client_id, c->cfg.client_id_len);
    if (requested)
        dhcp_msg_add_u32(m, DHCP_OPT_REQUESTED_IP, requested);
    if (server)
        dhcp_msg_add_u32(m, DHCP_OPT_SERVER_ID, server);
    if (!ends) {
        if (c->host_name && *c->host_name)
            dhcp_msg_add(m, DHCP_OPT_HOST_NAME, c->host_name, strlen(c->host_name));
        dhcp_msg_add(m, DHCP_OPT_PARAM_REQUEST, param_list, sizeof param_list);
    }
    dhcp_action *a = push(c, DHCP_ACT_SEND, 0);
    a->pkt = (dhcp_out){ .src = ciaddr, .dst = dst, .sport = DHCP_CLIENT_PORT,
                         .dport = DHCP_SERVER_PORT };
    memset(a->pkt.chaddr, 0xff, 6);
    if (dhcp_msg_encode(m, a->pkt.data, sizeof a->pkt.data, &a->pkt.len) != 0) {
        g_queue_remove(&c->out, a); /* cannot happen: the message is small */
        g_free(a);
    } else {
        c->stats.sent++;
    }
    g_free(m);
}

/* The wait after transmission number c->tries (§4.1). */
static sim_time_t backoff(dhcp_client *c)
{
    unsigned k = c->tries ? c->tries - 1 : 0;
    sim_time_t wait = k >= 4 ? DHCP_RTX_MAX : DHCP_RTX_FIRST << k;
    if (!c->cfg.no_jitter)
        wait = wait - SIM_SEC + (sim_time_t)sim_rng_below(c->rng, 2001) * SIM_MS;
    return wait;
}

/* ---------------------------------------------------------------- transitions */

static void new_exchange(dhcp_client *c, sim_time_t now)
{
    c->xid = (uint32_t)sim_rng_u64(c->rng);
    c->exch_start = now;
    c->tries = 0;
}

static void unconfigure(dhcp_client *c)
{
    if (c->configured)
        push(c, DHCP_ACT_UNCONFIGURE, c->lease.addr);
    c->configured = false;
}

static void send_discover(dhcp_client *c, sim_time_t now)
{
    send_msg(c, now, DHCPDISCOVER, 0, c->last_addr, 0, DHCP_BROADCAST);
    c->tries++;
    c->next = now + backoff(c);
}

static void start_discover(dhcp_client *c, sim_time_t now)
{
    unconfigure(c);
    c->state = DHCP_SELECTING;
    new_exchange(c, now);
    send_discover(c, now);
}

/* A REQUEST in REQUESTING / REBOOTING (broadcast, no ciaddr). */
static void send_request(dhcp_client *c, sim_time_t now)
{
    if (c->tries == 0)
        c->req_sent = now;
    bool selecting = c->state == DHCP_REQUESTING;
    send_msg(c, now, DHCPREQUEST, 0, c->offered, selecting ? c->offer_server : 0,
             DHCP_BROADCAST);
    c->tries++;
    c->next = now + backoff(c);
}

static sim_time_t at(const dhcp_lease *l, uint32_t secs)
{
    return secs == 0xFFFFFFFFu ? SIM_TIME_NEVER : l->start + (sim_time_t)secs * SIM_SEC;
}

/* REQUEST in RENEWING (unicast to the server) or REBINDING (broadcast), and the next wait. */
static void send_renewal(dhcp_client *c, sim_time_t now)
{
    if (c->tries == 0)
        c->req_sent = now;
    bool renewing = c->state == DHCP_RENEWING;
    send_msg(c, now, DHCPREQUEST, c->lease.addr, 0, 0,
             renewing ? c->lease.server_id : DHCP_BROADCAST);
    c->tries++;
    sim_time_t limit = at(&c->lease, renewing ? c->lease.t2_secs : c->lease.lease_secs);
    sim_time_t wait = limit > now ? (limit - now) / 2 : 0;
    if (wait < DHCP_RENEW_MIN_WAIT)
        wait = DHCP_RENEW_MIN_WAIT;
    c->next = limit - now < wait ? limit : now + wait;
}

static void go_bound(dhcp_client *c)
{
    c->state = DHCP_BOUND;
    c->configured = true;
    c->last_addr = c->lease.addr;
    push(c, DHCP_ACT_CONFIGURE, c->lease.addr)->lease = c->lease;
    c->next = at(&c->lease, c->lease.t1_secs);
}

/* The lease an ACK grants (RFC 2132 defaults for T1/T2: 1/2 and 7/8 of the lease). */
static void read_lease(dhcp_client *c, const dhcp_msg *m, dhcp_lease *l)
{
    memset(l, 0, sizeof *l);
    l->addr = m->yiaddr;
    l->start = c->req_sent;
    if (dhcp_msg_get_u32(m, DHCP_OPT_SERVER_ID, &l->server_id))
        l->server_id = c->offer_server;
    if (dhcp_msg_get_u32(m, DHCP_OPT_LEASE_TIME, &l->lease_secs))
        l->lease_secs = 0xFFFFFFFFu; /* no lease time: treated as infinite */
    bool infinite = l->lease_secs == 0xFFFFFFFFu;
    if (dhcp_msg_get_u32(m, DHCP_OPT_T1, &l->t1_secs) || l->t1_secs > l->lease_secs)
        l->t1_secs = infinite ? l->lease_secs : l->lease_secs / 2;
    if (dhcp_msg_get_u32(m, DHCP_OPT_T2, &l->t2_secs) || l->t2_secs > l->lease_secs ||
        l->t2_secs < l->t1_secs)
        l->t2_secs = infinite ? l->lease_secs : (uint32_t)((uint64_t)l->lease_secs * 7 / 8);
    dhcp_msg_get_u32(m, DHCP_OPT_SUBNET_MASK, &l->mask);
    dhcp_msg_get_u32(m, DHCP_OPT_BROADCAST_ADDR, &l->broadcast);
    size_t n = 0;
    if (dhcp_msg_get_ips(m, DHCP_OPT_ROUTER, &l->router, 1, &n))
        l->router = 0;
    if (dhcp_msg_get_ips(m, DHCP_OPT_DNS, l->dns, DHCP_DNS_MAX, &l->n_dns))
        l->n_dns = 0;
    const dhcp_opt *d = dhcp_msg_find(m, DHCP_OPT_DOMAIN_NAME);
    if (d)
        memcpy(l->domain, dhcp_opt_value(m, d), MIN((size_t)d->len, sizeof l->domain - 1));
}

static int on_ack(dhcp_client *c, const dhcp_msg *m, sim_time_t now)
{
    if (!m->yiaddr)
        return -ENOENT;
    switch (c->state) {
    case DHCP_REQUESTING:
    case DHCP_REBOOTING:
        read_lease(c, m, &c->lease);
        c->stats.acks++;
        if (c->cfg.no_arp_check) {
            go_bound(c);
            push(c, DHCP_ACT_ANNOUNCE, c->lease.addr);
            return 0;
        }
        c->state = DHCP_CHECKING; /* RFC 2131 §4.4.1: probe before using the address */
        push(c, DHCP_ACT_PROBE, c->lease.addr);
        c->next = now + c->cfg.check_time;
        return 0;
    case DHCP_RENEWING:
    case DHCP_REBINDING:
        if (m->yiaddr != c->lease.addr)
            return -ENOENT;
        read_lease(c, m, &c->lease);
        c->stats.acks++;
        go_bound(c);
        return 0;
    default:
        return -ENOENT;
    }
}

int dhcp_client_input(dhcp_client *c, sim_time_t now, const uint8_t *buf, size_t len)
{
    c->stats.received++;
    dhcp_msg *m = g_new(dhcp_msg, 1);
    int rc = -ENOENT;
    if (dhcp_msg_decode(buf, len, m, NULL) != 0) {
        c->stats.bad++;
        g_free(m);
        return -EBADMSG;
    }
    int type = dhcp_msg_type(m);
    uint32_t sid = 0;
    bool mine = m->op == DHCP_BOOTREPLY && m->xid == c->xid && m->hlen == 6 &&
                memcmp(m->chaddr, c->cfg.mac, 6) == 0;
    if (!mine || c->state == DHCP_STOPPED || c->state == DHCP_INIT) {
        /* not ours, or nothing asked */
    } else if (type == DHCPOFFER && c->state == DHCP_SELECTING && m->yiaddr &&
               dhcp_msg_get_u32(m, DHCP_OPT_SERVER_ID, &sid) == 0) {
        /* The first offer wins (RFC 2131 §4.4.1 lets the client pick any). */
        c->stats.offers++;
        c->offered = m->yiaddr;
        c->offer_server = sid;
        c->state = DHCP_REQUESTING;
        c->tries = 0;
        send_request(c, now);
        rc = 0;
    } else if (type == DHCPACK) {
        rc = on_ack(c, m, now);
    } else if (type == DHCPNAK &&
               (c->state == DHCP_REQUESTING || c->state == DHCP_REBOOTING ||
                c->state == DHCP_RENEWING || c->state == DHCP_REBINDING)) {
        c->stats.naks++; /* §3.1.4 / §3.2: back to INIT, at once */
        start_discover(c, now);
        rc = 0;
    }
    if (rc == -ENOENT)
        c->stats.ignored++;
    g_free(m);
    return rc;
}

int dhcp_client_start(dhcp_client *c, sim_time_t now)
{
    if (c->state != DHCP_STOPPED)
        return -EALREADY;
    if (!c->cfg.remembered) {
        start_discover(c, now);
        return 0;
    }
    c->state = DHCP_REBOOTING; /* INIT-REBOOT sends and moves on at once */
    new_exchange(c, now);
    c->offered = c->cfg.remembered;
    c->offer_server = 0;
    send_request(c, now);
    return 0;
}

int dhcp_client_conflict(dhcp_client *c, sim_time_t now, uint32_t addr)
{
    if (c->state != DHCP_CHECKING || addr != c->lease.addr)
        return -ENOENT;
    /* RFC 2131 §3.1.5: DECLINE, then wait at least 10 s before starting again. */
    c->xid = (uint32_t)sim_rng_u64(c->rng);
    send_msg(c, now, DHCPDECLINE, 0, addr, c->lease.server_id, DHCP_BROADCAST);
    c->stats.declines++;
    c->last_addr = 0;
    c->state = DHCP_INIT;
    c->next = now + DHCP_DECLINE_WAIT;
    return 0;
}

int dhcp_client_release(dhcp_client *c, sim_time_t now)
{
    if (c->state != DHCP_BOUND && c->state != DHCP_RENEWING && c->state != DHCP_REBINDING)
        return -ENOENT;
    c->xid = (uint32_t)sim_rng_u64(c->rng);
    send_msg(c, now, DHCPRELEASE, c->lease.addr, 0, c->lease.server_id, c->lease.server_id);
    c->stats.releases++;
    unconfigure(c);
    c->state = DHCP_STOPPED;
    c->next = SIM_TIME_NEVER;
    return 0;
}

void dhcp_client_timeout(dhcp_client *c, sim_time_t now)
{
    if (now < c->next)
        return;
    switch (c->state) {
    case DHCP_INIT:
        start_discover(c, now);
        break;
    case DHCP_SELECTING:
        c->stats.retransmits++;
        send_discover(c, now);
        break;
    case DHCP_REQUESTING:
    case DHCP_REBOOTING:
        if (c->tries >= DHCP_REQUEST_TRIES) {
            start_discover(c, now);
        } else {
            c->stats.retransmits++;
            send_request(c, now);
        }
        break;
    case DHCP_CHECKING: /* no conflict heard: the address is ours */
        go_bound(c);
        push(c, DHCP_ACT_ANNOUNCE, c->lease.addr);
        break;
    case DHCP_BOUND:
    case DHCP_RENEWING:
    case DHCP_REBINDING:
        if (now >= at(&c->lease, c->lease.lease_secs)) {
            c->stats.expiries++;
            start_discover(c, now);
            break;
        }
        if (c->state == DHCP_BOUND) { /* T1 (or T1 = T2): a new exchange */
            c->state = DHCP_RENEWING;
            new_exchange(c, now);
        } else if (c->state == DHCP_RENEWING && now < at(&c->lease, c->lease.t2_secs)) {
            c->stats.retransmits++;
        } else if (c->state == DHCP_REBINDING) {
            c->stats.retransmits++;
        }
        if (c->state == DHCP_RENEWING && now >= at(&c->lease, c->lease.t2_secs)) {
            c->state = DHCP_REBINDING; /* T2 */
            c->tries = 0;
        }
        send_renewal(c, now);
        break;
    default:
        c->next = SIM_TIME_NEVER;
    }
}

sim_time_t dhcp_client_next_deadline(const dhcp_client *c)
{
    return c->next;
}

bool dhcp_client_pop(dhcp_client *c, dhcp_action *a)
{
    dhcp_action *p = g_queue_pop_head(&c->out);
    if (!p)
        return false;
    *a = *p;
    g_free(p);
    return true;
}

dhcp_client_state dhcp_client_get_state(const dhcp_client *c)
{
    return c->state;
}

const dhcp_lease *dhcp_client_lease(const dhcp_client *c)
{
    return &c->lease;
}

const char *dhcp_client_state_name(dhcp_client_state st)
{
    static const char *const names[] = { "STOPPED",    "INIT",     "SELECTING", "REQUESTING",
                                         "INIT-REBOOT", "REBOOTING", "CHECKING", "BOUND",
                                         "RENEWING",   "REBINDING" };
    return (unsigned)st < G_N_ELEMENTS(names) ? names[st] : "?";
}

const dhcp_client_stats *dhcp_client_get_stats(const dhcp_client *c)
{
    return &c->stats;
}
