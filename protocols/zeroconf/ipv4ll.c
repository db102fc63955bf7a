/* protocols/zeroconf/ipv4ll.c — the RFC 3927 state machine (see ipv4ll.h for the timeline and
 * the rng draws). Conflicts:
 *   - before the address is claimed (WAITING, PROBING, the ANNOUNCE_WAIT after the last probe):
 *     any ARP from another MAC whose sender IP is the candidate, or an ARP probe from another MAC
 *     (sender IP 0) for the candidate (§2.2.1: another host probing for it at the same time).
 *     The candidate is dropped and a new one chosen; once MAX_CONFLICTS conflicts have happened
 *     since the last claim, probing a new candidate starts RATE_LIMIT_INTERVAL after the
 *     conflict instead of after PROBE_WAIT (§2.2.1);
 *   - once claimed (ANNOUNCING, BOUND): an ARP from another MAC whose sender IP is our address
 *     (§2.5). Option (b): the first is answered with one announcement; a second within
 *     DEFEND_INTERVAL of the defended one makes the host give the address up and start over.
 * A probe for our claimed address (sender IP 0) is no conflict: the stack's ARP answers it. */
#include "protocols/zeroconf/ipv4ll.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

struct ipv4ll {
    ipv4ll_cfg cfg;
    sim_rng *rng;          /* borrowed */
    ipv4ll_state state;
    uint32_t addr;         /* candidate or claimed address */
    unsigned sent;         /* probes or announcements sent for it */
    unsigned conflicts;    /* since the last claim */
    bool tried_first;      /* cfg.first_addr used */
    bool defended;
    sim_time_t defended_at;
    sim_time_t next;
    GQueue out;            /* of ipv4ll_action * */
    ipv4ll_stats stats;
};

ipv4ll *ipv4ll_new(const ipv4ll_cfg *cfg, sim_rng *rng)
{
    ipv4ll *c = g_new0(ipv4ll, 1);
    c->cfg = *cfg;
    c->rng = rng;
    c->state = IPV4LL_STOPPED;
    c->next = SIM_TIME_NEVER;
    g_queue_init(&c->out);
    return c;
}

void ipv4ll_free(ipv4ll *c)
{
    if (!c)
        return;
    g_queue_clear_full(&c->out, g_free);
    g_free(c);
}

static void push(ipv4ll *c, ipv4ll_action_kind kind, uint32_t addr)
{
    ipv4ll_action *a = g_new(ipv4ll_action, 1);
    *a = (ipv4ll_action){ .kind = kind, .addr = addr };
    g_queue_push_tail(&c->out, a);
    if (kind == IPV4LL_ACT_PROBE)
        c->stats.probes++;
    else if (kind == IPV4LL_ACT_ANNOUNCE)
        c->stats.announcements++;
}

/* A uniform wait in [lo, hi] with nanosecond steps (one draw). */
static sim_time_t uniform(ipv4ll *c, sim_time_t lo, sim_time_t hi)
{
    return lo + sim_rng_below(c->rng, (uint32_t)(hi - lo + 1));
}

/* §2.1: a candidate, then the wait before its first probe. */
static void pick(ipv4ll *c, sim_time_t now)
{
    uint32_t f = c->cfg.first_addr;
    if (!c->tried_first && f >= IPV4LL_FIRST && f <= IPV4LL_LAST)
        c->addr = f;
    else
        c->addr = IPV4LL_FIRST + sim_rng_below(c->rng, IPV4LL_LAST - IPV4LL_FIRST + 1);
    c->tried_first = true;
    c->state = IPV4LL_WAITING;
    c->sent = 0;
    c->defended = false;
    if (c->conflicts >= IPV4LL_MAX_CONFLICTS) {
        c->stats.rate_limited++;
        c->next = now + IPV4LL_RATE_LIMIT_INTERVAL;
    } else {
        c->next = now + uniform(c, 0, IPV4LL_PROBE_WAIT);
    }
}

int ipv4ll_start(ipv4ll *c, sim_time_t now)
{
    if (c->state != IPV4LL_STOPPED)
        return -EALREADY;
    pick(c, now);
    return 0;
}

void ipv4ll_dhcp_bound(ipv4ll *c, sim_time_t now)
{
    (void)now;
    if (!c || c->state == IPV4LL_STOPPED)
        return;
    if (c->state == IPV4LL_ANNOUNCING || c->state == IPV4LL_BOUND)
        push(c, IPV4LL_ACT_UNCONFIGURE, c->addr);
    c->state = IPV4LL_STOPPED;
    c->addr = 0;
    c->next = SIM_TIME_NEVER;
}

/* The candidate or address is someone else's: choose again. */
static void conflict(ipv4ll *c, sim_time_t now)
{
    bool claimed = c->state == IPV4LL_ANNOUNCING || c->state == IPV4LL_BOUND;
    push(c, IPV4LL_ACT_CONFLICT, c->addr);
    if (claimed)
        push(c, IPV4LL_ACT_UNCONFIGURE, c->addr);
    c->conflicts++;
    c->stats.conflicts++;
    pick(c, now);
}

int ipv4ll_input(ipv4ll *c, sim_time_t now, const ipv4ll_arp *arp)
{
    bool other = memcmp(arp->sender_mac, c->cfg.mac, 6) != 0;
    if (c->state == IPV4LL_STOPPED || !other) {
        c->stats.ignored++;
        return -ENOENT;
    }
    if (c->state == IPV4LL_WAITING || c->state == IPV4LL_PROBING) {
        bool probe_for_it = arp->op == IPV4LL_ARP_REQUEST && arp->sender_ip == 0 &&
                            arp->target_ip == c->addr;
        if (arp->sender_ip == c->addr || probe_for_it) { /* §2.2.1 */
            conflict(c, now);
            return 0;
        }
        return -ENOENT;
    }
    if (arp->sender_ip != c->addr) /* ANNOUNCING, BOUND: §2.5 */
        return -ENOENT;
    if (c->defended && now - c->defended_at < IPV4LL_DEFEND_INTERVAL) {
        conflict(c, now);
        return 0;
    }
    c->defended = true;
    c->defended_at = now;
    c->stats.defences++;
    push(c, IPV4LL_ACT_ANNOUNCE, c->addr);
    return 0;
}

void ipv4ll_timeout(ipv4ll *c, sim_time_t now)
{
    if (now < c->next)
        return;
    switch (c->state) {
    case IPV4LL_WAITING:
        c->state = IPV4LL_PROBING; /* the first probe is due */
        /* fall through */
    case IPV4LL_PROBING:
        if (c->sent < IPV4LL_PROBE_NUM) {
            push(c, IPV4LL_ACT_PROBE, c->addr);
            c->sent++;
            c->next = now + (c->sent < IPV4LL_PROBE_NUM
                                 ? uniform(c, IPV4LL_PROBE_MIN, IPV4LL_PROBE_MAX)
                                 : IPV4LL_ANNOUNCE_WAIT);
            break;
        }
        /* §2.4: ANNOUNCE_WAIT after the last probe without conflict: claimed. */
        c->state = IPV4LL_ANNOUNCING;
        c->conflicts = 0;
        c->stats.claims++;
        push(c, IPV4LL_ACT_CONFIGURE, c->addr);
        push(c, IPV4LL_ACT_ANNOUNCE, c->addr);
        c->sent = 1;
        c->next = now + IPV4LL_ANNOUNCE_INTERVAL;
        break;
    case IPV4LL_ANNOUNCING:
        push(c, IPV4LL_ACT_ANNOUNCE, c->addr);
        if (++c->sent >= IPV4LL_ANNOUNCE_NUM) {
            c->state = IPV4LL_BOUND;
            c->next = SIM_TIME_NEVER;
        } else {
            c->next = now + IPV4LL_ANNOUNCE_INTERVAL;
        }
        break;
    default:
        c->next = SIM_TIME_NEVER;
    }
}

sim_time_t ipv4ll_next_deadline(const ipv4ll *c)
{
    return c->next;
}

bool ipv4ll_pop(ipv4ll *c, ipv4ll_action *a)
{
    ipv4ll_action *p = g_queue_pop_head(&c->out);
    if (!p)
        return false;
    *a = *p;
    g_free(p);
    return true;
}

ipv4ll_state ipv4ll_get_state(const ipv4ll *c)
{
    return c->state;
}

uint32_t ipv4ll_addr(const ipv4ll *c)
{
    return c->addr;
}

unsigned ipv4ll_conflicts(const ipv4ll *c)
{
    return c->conflicts;
}

const char *ipv4ll_state_name(ipv4ll_state st)
{
    static const char *const names[] = { "STOPPED", "WAITING", "PROBING", "ANNOUNCING",
                                         "BOUND" };
    return (unsigned)st < G_N_ELEMENTS(names) ? names[st] : "?";
}

const ipv4ll_stats *ipv4ll_get_stats(const ipv4ll *c)
{
    return &c->stats;
}
