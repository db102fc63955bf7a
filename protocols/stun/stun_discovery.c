/* protocols/stun/stun_discovery.c — sans-I/O RFC 5780 NAT behaviour discovery client.
 *
 * The server has two addresses A1, A2 and two ports P1, P2 (OTHER-ADDRESS names A2:P2). Every
 * test is one Binding transaction with the client core's RFC timers; a test that times out
 * (Rc transmissions, then Rm x RTO) is an answer too. The tests run in this order:
 *
 *   test I     to A1:P1                          -> X1 = XOR-MAPPED-ADDRESS, OTHER-ADDRESS
 *              X1 == local address: no NAT (RFC 5780 §4.3 "not behind a NAT")
 *   filter II  to A1:P1, CHANGE-REQUEST ip+port  (answer leaves A2:P2)
 *              answered: EIF, done with filtering                          (§4.4)
 *   filter III to A1:P1, CHANGE-REQUEST port     (answer leaves A1:P2)
 *              answered: ADF, timed out: APDF
 *   mapping II  to A2:P1 -> X2;  X2 == X1: EIM                             (§4.3)
 *   mapping III to A2:P2 -> X3;  X3 == X2: ADM, else APDM
 *   hairpin    from the second socket to X1: the request arrives at the first socket or not
 *
 * Why filtering before mapping II/III: mapping II sends to A2, and a NAT's filter then admits
 * A2 on the mapping (EIM: the one mapping there is). Filter II run afterwards would be answered
 * from A2:P2 through an address-dependent filter and look endpoint-independent. Run first, the
 * filter has seen only A1:P1.
 *
 * Endpoints are compared whole (address and port): a NAT that preserves ports gives X1 and the
 * local endpoint the same port, and a NAT's second mapping never shares the first's outside
 * port, so neither the port alone nor the address alone decides anything. */
#include "protocols/stun/stun.h"

#include <errno.h>
#include <string.h>

typedef enum step {
    STEP_NONE,
    STEP_MAP1,
    STEP_FILTER2,
    STEP_FILTER3,
    STEP_MAP2,
    STEP_MAP3,
    STEP_HAIRPIN,
} step;

struct stun_discovery {
    stun_discovery_cfg cfg;
    stun_client *c0;       /* socket 0: every test */
    stun_client *c1;       /* socket 1: the hairpinning request (NULL without) */
    step step;
    unsigned tx;           /* the running transaction (on c0, or c1 for the hairpin step) */
    stun_discovery_result res;
};

stun_discovery *stun_discovery_new(const stun_discovery_cfg *cfg, sim_rng *rng)
{
    stun_discovery *d = g_new0(stun_discovery, 1);
    d->cfg = *cfg;
    d->c0 = stun_client_new(&cfg->client, rng);
    if (cfg->local2.port)
        d->c1 = stun_client_new(&cfg->client, rng);
    d->cfg.client.software = NULL; /* the cores hold their own copies */
    d->res.hairpin = -1;
    return d;
}

void stun_discovery_free(stun_discovery *d)
{
    if (!d)
        return;
    stun_client_free(d->c0);
    stun_client_free(d->c1);
    g_free(d);
}

static void fail(stun_discovery *d, sim_time_t now, const char *why, uint16_t code)
{
    d->res.state = STUN_DISC_FAILED;
    d->res.error = why;
    d->res.code = code;
    d->res.done_at = now;
    d->step = STEP_NONE;
}

static void done(stun_discovery *d, sim_time_t now)
{
    d->res.state = STUN_DISC_DONE;
    d->res.done_at = now;
    d->step = STEP_NONE;
}

/* Starts the Binding transaction of step s to dest. */
static void run(stun_discovery *d, sim_time_t now, step s, const sim_ep *dest, uint32_t change)
{
    stun_client *c = s == STEP_HAIRPIN ? d->c1 : d->c0;
    d->step = s;
    d->res.transactions++;
    if (stun_client_binding(c, now, dest, change, &d->tx) != 0)
        fail(d, now, "cannot build a Binding request", 0);
}

int stun_discovery_start(stun_discovery *d, sim_time_t now)
{
    if (d->res.state != STUN_DISC_IDLE)
        return -EALREADY;
    d->res.state = STUN_DISC_RUNNING;
    d->res.started = now;
    run(d, now, STEP_MAP1, &d->cfg.server, 0);
    return 0;
}

static void start_mapping(stun_discovery *d, sim_time_t now)
{
    if (!d->res.nat) {
        d->res.mapping = STUN_BEH_EI; /* no translation at all */
        done(d, now);
        return;
    }
    sim_ep a2p1 = { .ip = d->res.other.ip, .port = d->cfg.server.port };
    run(d, now, STEP_MAP2, &a2p1, 0);
}

static void start_hairpin_or_finish(stun_discovery *d, sim_time_t now)
{
    if (d->c1 && d->res.nat)
        run(d, now, STEP_HAIRPIN, &d->res.mapped, 0);
    else
        done(d, now);
}

/* Test I answered: X1, OTHER-ADDRESS, NAT or not. */
static void map1_done(stun_discovery *d, sim_time_t now, const stun_tx *t)
{
    stun_msg m;
    if (stun_msg_decode(t->resp, t->resp_len, &m, NULL) != 0 ||
        stun_binding_mapped(t->resp, t->resp_len, &d->res.mapped) != 0) {
        fail(d, now, "test I: no mapped address in the response", 0);
        return;
    }
    if (stun_msg_get_addr(&m, STUN_ATTR_OTHER_ADDRESS, &d->res.other) != 0) {
        fail(d, now, "server does not support RFC 5780 (no OTHER-ADDRESS)", 0);
        return;
    }
    if (sim_ip_eq(&d->res.other.ip, &d->cfg.server.ip) || d->res.other.port == d->cfg.server.port) {
        fail(d, now, "OTHER-ADDRESS must differ from the server in address and port", 0);
        return;
    }
    d->res.nat = !sim_ep_eq(&d->res.mapped, &d->cfg.local);
    run(d, now, STEP_FILTER2, &d->cfg.server, STUN_CHANGE_IP | STUN_CHANGE_PORT);
}

/* Mapping test II or III answered with a mapped address. */
static void map_done(stun_discovery *d, sim_time_t now, const stun_tx *t)
{
    sim_ep x;
    if (stun_binding_mapped(t->resp, t->resp_len, &x) != 0) {
        fail(d, now, "mapping test: no mapped address in the response", 0);
        return;
    }
    if (d->step == STEP_MAP2) {
        d->res.mapped2 = x;
        if (sim_ep_eq(&x, &d->res.mapped)) {
            d->res.mapping = STUN_BEH_EI;
            start_hairpin_or_finish(d, now);
        } else {
            run(d, now, STEP_MAP3, &d->res.other, 0);
        }
        return;
    }
    d->res.mapped3 = x;
    d->res.mapping = sim_ep_eq(&x, &d->res.mapped2) ? STUN_BEH_AD : STUN_BEH_APD;
    start_hairpin_or_finish(d, now);
}

/* The transaction of the current step finished: decide and go on. */
static void advance(stun_discovery *d, sim_time_t now, const stun_tx *t)
{
    if (d->step == STEP_HAIRPIN) { /* nobody answers a hairpinned request: timeout = not seen */
        d->res.hairpin = 0;
        done(d, now);
        return;
    }
    if (t->state == STUN_TX_ERROR) {
        fail(d, now, "the server answered an error", t->code);
        return;
    }
    bool ok = t->state == STUN_TX_SUCCESS;
    switch (d->step) {
    case STEP_MAP1:
        if (ok)
            map1_done(d, now, t);
        else
            fail(d, now, "test I: no response (server down or UDP blocked)", 0);
        break;
    case STEP_FILTER2:
        if (ok) {
            d->res.filtering = STUN_BEH_EI;
            start_mapping(d, now);
        } else {
            run(d, now, STEP_FILTER3, &d->cfg.server, STUN_CHANGE_PORT);
        }
        break;
    case STEP_FILTER3:
        d->res.filtering = ok ? STUN_BEH_AD : STUN_BEH_APD; /* §4.4: a timeout is the answer */
        start_mapping(d, now);
        break;
    case STEP_MAP2:
    case STEP_MAP3:
        if (ok)
            map_done(d, now, t);
        else
            fail(d, now, "mapping test: no response from the alternate address", 0);
        break;
    default: break;
    }
}

/* Finishes whatever transactions completed on client c. */
static void collect(stun_discovery *d, stun_client *c, sim_time_t now)
{
    unsigned id;
    while (stun_client_pop_done(c, &id)) {
        const stun_tx *t = stun_client_tx(c, id);
        bool current = t && id == d->tx && d->step != STEP_NONE &&
                       (c == d->c1) == (d->step == STEP_HAIRPIN);
        if (current)
            advance(d, now, t);
        stun_client_forget(c, id);
    }
}

/* The hairpinning request came back in on socket 0: the NAT hairpins (§4.5). */
static bool hairpin_arrived(stun_discovery *d, sim_time_t now, const uint8_t *buf, size_t len)
{
    if (d->step != STEP_HAIRPIN || len < STUN_HDR_LEN || !stun_is_message(buf, len))
        return false;
    const stun_tx *t = stun_client_tx(d->c1, d->tx);
    stun_msg m;
    if (!t || stun_msg_decode(buf, len, &m, NULL) != 0 || m.cls != STUN_REQUEST ||
        memcmp(m.txid, t->txid, STUN_TXID_LEN) != 0)
        return false;
    stun_client_cancel(d->c1, d->tx);
    stun_client_forget(d->c1, d->tx);
    d->res.hairpin = 1;
    done(d, now);
    return true;
}

int stun_discovery_input(stun_discovery *d, sim_time_t now, size_t idx, const sim_ep *from,
                         const uint8_t *buf, size_t len)
{
    if (idx == 0 && hairpin_arrived(d, now, buf, len))
        return 0;
    stun_client *c = idx == 0 ? d->c0 : d->c1;
    if (!c)
        return -ENOENT;
    int rc = stun_client_input(c, now, from, buf, len);
    collect(d, c, now);
    return rc;
}

void stun_discovery_timeout(stun_discovery *d, sim_time_t now)
{
    stun_client_timeout(d->c0, now);
    collect(d, d->c0, now);
    if (d->c1) {
        stun_client_timeout(d->c1, now);
        collect(d, d->c1, now);
    }
}

sim_time_t stun_discovery_next_deadline(const stun_discovery *d)
{
    sim_time_t a = stun_client_next_deadline(d->c0);
    sim_time_t b = d->c1 ? stun_client_next_deadline(d->c1) : SIM_TIME_NEVER;
    return MIN(a, b);
}

bool stun_discovery_pop(stun_discovery *d, stun_out *out)
{
    if (stun_client_pop(d->c0, out)) {
        out->from = d->cfg.local;
        return true;
    }
    if (d->c1 && stun_client_pop(d->c1, out)) {
        out->from = d->cfg.local2;
        return true;
    }
    return false;
}

const stun_discovery_result *stun_discovery_get_result(const stun_discovery *d)
{
    return &d->res;
}

static const char *beh_name(stun_behaviour b, const char *names[3])
{
    return b >= STUN_BEH_EI && b <= STUN_BEH_APD ? names[b - 1] : "unknown";
}

const char *stun_mapping_name(stun_behaviour b)
{
    return beh_name(b, (const char *[3]){ "EIM", "ADM", "APDM" });
}

const char *stun_filtering_name(stun_behaviour b)
{
    return beh_name(b, (const char *[3]){ "EIF", "ADF", "APDF" });
}

const char *stun_disc_state_name(stun_disc_state s)
{
    switch (s) {
    case STUN_DISC_IDLE: return "idle";
    case STUN_DISC_RUNNING: return "running";
    case STUN_DISC_DONE: return "done";
    case STUN_DISC_FAILED: return "failed";
    }
    return "?";
}
