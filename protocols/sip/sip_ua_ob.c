/* protocols/sip/sip_ua_ob.c — RFC 5626 ("outbound") for the user agent: the instance
 * identity and reg-id on the registered Contact (§4.1, §4.2), Supported: outbound, path, and
 * the keep-alives that hold the NAT mapping of the flow open: over UDP a STUN Binding request
 * on the SIP socket to the next hop, answered by the edge on its SIP port (§4.4.2), over TCP
 * a CRLFCRLF ping answered by a CRLF pong (§4.4.1). The STUN answer's XOR-MAPPED-ADDRESS
 * tells whether the NAT still maps the flow as before; a changed address, no answer within
 * 10 s or a closed connection fails the flow and the UA registers again (§4.4, §4.5). A
 * STUN keep-alive is a STUN transaction: resent after RTO, 2 RTO, 4 RTO ... (RFC 5389
 * §7.2.1) while the 10 s last.
 *
 * With several edges (§4.2, §5) the UA keeps one flow per edge, reg-id 1, 2 ...: flow 1 is
 * the UA's own registration (sip_ua.c), the others register here with a Call-ID of their
 * own; each flow has its own keep-alives and fails and re-registers alone. */
#include "protocols/sip/sip_ua_priv.h"
#include "protocols/stun/stun.h"

#define OB_ANSWER_WAIT (10 * SIM_SEC) /* §4.4.1: the pong (here: any answer) within 10 s */
#define OB_RTO (500 * SIM_MS)         /* RFC 5389 §7.2.1: the initial RTO */
#define OB_RC 7                       /* RFC 5389 §7.2.1: Rc, requests at most */
#define OB_AUTH_TRIES 2

/* One flow (§3.2): the NAT binding from our SIP socket to one edge. */
typedef struct ob_flow {
    uint32_t reg_id;
    char *contact;             /* <sip:...>;+sip.instance="<urn:uuid:...>";reg-id=N */
    sim_ep dest;               /* its edge: REGISTERs and keep-alives go there */
    /* registration, flows 2.. only (flow 1 is the UA's own, sip_ua.c) */
    char *call_id;
    uint32_t cseq, expires;    /* expires: asked for by the pending or last REGISTER */
    unsigned txn, auth_tries;
    unsigned fails;            /* registrations failed in a row (§4.5 back-off) */
    sim_time_t refresh;        /* next REGISTER (refresh or retry), SIM_TIME_NEVER: none */
    bool registered;
    /* keep-alives */
    sim_time_t ka_at;          /* next keep-alive, SIM_TIME_NEVER when stopped */
    uint32_t flow_timer;       /* from the registrar's 2xx (0: none) */
    uint8_t txid[STUN_TXID_LEN];
    uint8_t stun[STUN_HDR_LEN];/* the request, resent as is */
    bool awaiting;             /* the last keep-alive is not answered yet */
    sim_time_t answer_by;      /* ... and fails the flow when still so then */
    sim_time_t rtx_at;         /* next STUN retransmission (SIM_TIME_NEVER: none) */
    sim_time_t rto;            /* the RTO of the next one (doubles) */
    unsigned sends;
    bool have_mapped;
    sim_ep mapped;             /* what the edge saw last: the NAT's mapping of our flow */
} ob_flow;

typedef struct sip_ua_ob {
    ob_flow flows[SIP_UA_EDGES_MAX];
    size_t n;
    GQueue out;                /* sip_out *, keep-alives to send */
} sip_ua_ob;

/* §4.1: a UUID URN (RFC 4122 version 4) from the node's seeded stream. Returns owned. */
static char *instance_urn(sip_ua *ua)
{
    uint8_t u[16];
    for (size_t i = 0; i < sizeof u; i++)
        u[i] = (uint8_t)sim_rng_u64(ua->rng);
    u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);
    u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
    GString *id = g_string_new("<urn:uuid:");
    for (size_t i = 0; i < sizeof u; i++)
        g_string_append_printf(id, "%s%02x", (i == 4 || i == 6 || i == 8 || i == 10) ? "-" : "",
                               u[i]);
    g_string_append_c(id, '>');
    return g_string_free(id, FALSE);
}

void sip_ua_ob_init(sip_ua *ua)
{
    if (!ua->cfg.outbound)
        return;
    sip_ua_ob *ob = g_new0(sip_ua_ob, 1);
    ua->cfg.rport = true; /* §4.1: the flow is the NAT binding; responses must use it */
    if (ua->cfg.n_edges && !ua->cfg.registrar.port)
        ua->cfg.registrar = ua->cfg.edges[0]; /* flow 1 is the UA's own registration */
    g_autofree char *urn = instance_urn(ua);
    ob->n = MAX(MIN(ua->cfg.n_edges, (size_t)SIP_UA_EDGES_MAX), 1);
    for (size_t i = 0; i < ob->n; i++) {
        ob_flow *f = &ob->flows[i];
        f->reg_id = (uint32_t)i + 1;
        f->contact = g_strdup_printf("%s;+sip.instance=\"%s\";reg-id=%u", ua->contact, urn,
                                     f->reg_id);
        f->dest = ua->cfg.n_edges ? ua->cfg.edges[i] : ua->cfg.registrar;
        f->call_id = i ? g_strdup_printf("%u-%s", f->reg_id, ua->reg_call_id) : NULL;
        f->refresh = f->ka_at = f->rtx_at = SIM_TIME_NEVER;
    }
    g_queue_init(&ob->out);
    ua->ob = ob;
}

static void out_free(gpointer p)
{
    sip_out_clear(p);
    g_free(p);
}

void sip_ua_ob_free(sip_ua *ua)
{
    if (!ua->ob)
        return;
    g_queue_clear_full(&ua->ob->out, out_free);
    for (size_t i = 0; i < ua->ob->n; i++) {
        g_free(ua->ob->flows[i].contact);
        g_free(ua->ob->flows[i].call_id);
    }
    g_free(ua->ob);
    ua->ob = NULL;
}

const char *sip_ua_ob_contact(const sip_ua *ua)
{
    return ua->ob ? ua->ob->flows[0].contact : ua->contact;
}

void sip_ua_ob_register(sip_ua *ua, sip_msg *m)
{
    if (ua->ob)
        sip_msg_add(m, SIP_HDR_SUPPORTED, NULL, "outbound, path"); /* §4.2, RFC 3327 §5.1 */
}

/* §4.4.1: the configured interval, else 80-100 % of Flow-Timer, else 95-120 s (UDP). */
static sim_time_t interval(sip_ua *ua, const ob_flow *f)
{
    if (ua->cfg.keepalive)
        return (sim_time_t)ua->cfg.keepalive * SIM_SEC;
    uint32_t ft = f->flow_timer;
    uint64_t ms = ft ? ft * 800u + sim_rng_below(ua->rng, ft * 200u + 1)
                     : 95000u + sim_rng_below(ua->rng, 25001);
    return (sim_time_t)ms * SIM_MS;
}

/* True when Contact na names flow reg_id of our instance (RFC 5626 §6: the registrar repeats
 * +sip.instance and reg-id), or, from a registrar that does not repeat them, our URI. */
static bool our_contact(const sip_ua *ua, const sip_nameaddr *na, uint32_t reg_id)
{
    sip_nameaddr mine;
    if (sip_nameaddr_parse(sip_s(ua->ob->flows[0].contact), false, false, &mine, NULL) < 0)
        return false;
    const sip_param *in = sip_params_find(&na->params, "+sip.instance");
    const sip_param *id = sip_params_find(&na->params, "reg-id");
    if (!in)
        return sip_uri_equal(&na->uri, &mine.uri);
    const sip_param *inst = sip_params_find(&mine.params, "+sip.instance");
    char want[16];
    g_snprintf(want, sizeof want, "%u", reg_id);
    return in->has_value && id && id->has_value && sip_str_eq(id->value, want) &&
           in->value.len == inst->value.len &&
           memcmp(in->value.p, inst->value.p, in->value.len) == 0;
}

uint32_t sip_ua_ob_granted(const sip_ua *ua, const sip_msg *m, uint32_t reg_id, uint32_t asked)
{
    sip_nameaddr na;
    for (size_t i = 0; sip_msg_nameaddr(m, SIP_HDR_CONTACT, i, &na) == 0; i++) {
        const sip_param *e = sip_params_find(&na.params, "expires");
        if (e && e->has_value && our_contact(ua, &na, reg_id)) {
            g_autofree char *v = g_strndup(e->value.p, e->value.len);
            return (uint32_t)MIN(g_ascii_strtoull(v, NULL, 10), UINT32_MAX);
        }
    }
    uint32_t e;
    return sip_msg_uint(m, SIP_HDR_EXPIRES, &e) == 0 ? e : asked;
}

/* A 2xx granted flow f expires s (0: unregistered): starts or stops its keep-alives. */
static void flow_registered(sip_ua *ua, ob_flow *f, sim_time_t now, const sip_msg *resp,
                            uint32_t expires)
{
    const sip_hdr *ft = sip_msg_hdr_named(resp, "Flow-Timer");
    f->flow_timer = ft ? (uint32_t)MIN(g_ascii_strtoull(ft->value, NULL, 10), 86400u) : 0;
    f->registered = expires != 0;
    if (!expires || ua->cfg.no_keepalive) {
        f->ka_at = SIM_TIME_NEVER; /* unregistered (or keep-alives off: see sip.md) */
        f->awaiting = false;
        f->rtx_at = SIM_TIME_NEVER;
        return;
    }
    if (f->ka_at == SIM_TIME_NEVER)
        f->ka_at = now + interval(ua, f);
}

void sip_ua_ob_registered(sip_ua *ua, sim_time_t now, const sip_msg *resp, uint32_t expires)
{
    if (!ua->ob)
        return;
    ua->ob->flows[0].fails = 0;
    ua->ob->flows[0].refresh = SIM_TIME_NEVER; /* sip_ua.c refreshes flow 1 */
    flow_registered(ua, &ua->ob->flows[0], now, resp, expires);
}

/* ---------------------------------------------------------------- flows 2.. (§4.2) */

static void flow_register(sip_ua *ua, sim_time_t now, ob_flow *f, uint32_t expires)
{
    if (f->txn)
        return;
    sip_msg *m = sip_ua_register_msg(ua, f->call_id, ++f->cseq, f->contact, expires);
    if (!m)
        return;
    f->expires = expires;
    f->refresh = SIM_TIME_NEVER;
    f->auth_tries = 0;
    f->txn = sip_ua_send_request(ua, now, m, &f->dest);
    sip_msg_free(m);
}

void sip_ua_ob_register_flows(sip_ua *ua, sim_time_t now, uint32_t expires)
{
    if (ua->ob)
        ua->ob->flows[0].refresh = SIM_TIME_NEVER; /* flow 1 is being registered now */
    for (size_t i = 1; ua->ob && i < ua->ob->n; i++) {
        ob_flow *f = &ua->ob->flows[i];
        if (!expires || !f->registered)
            flow_register(ua, now, f, expires);
    }
}

/* §4.5: a flow's REGISTER failed: no keep-alives on it, and the next try after
 * min(1800 s, base * 2^fails) * 50-100 %, base 90 s while another flow is registered, else
 * 30 s. */
static void reg_failed(sip_ua *ua, ob_flow *f, sim_time_t now)
{
    bool other = false;
    for (size_t i = 0; i < ua->ob->n; i++)
        other = other || (&ua->ob->flows[i] != f && ua->ob->flows[i].registered);
    f->registered = false;
    f->ka_at = f->rtx_at = SIM_TIME_NEVER;
    f->awaiting = false;
    if (!(f->reg_id == 1 ? ua->reg_expires : f->expires))
        return;
    uint64_t wait_ms = MIN(1800000u, (other ? 90000u : 30000u) << MIN(f->fails, 6u));
    f->fails++;
    f->refresh = now + (sim_time_t)(wait_ms / 2 + sim_rng_below(ua->rng, wait_ms / 2 + 1)) * SIM_MS;
}

void sip_ua_ob_reg_failed(sip_ua *ua, sim_time_t now)
{
    if (ua->ob)
        reg_failed(ua, &ua->ob->flows[0], now);
}

static ob_flow *flow_of_txn(sip_ua *ua, unsigned txn)
{
    for (size_t i = 1; ua->ob && txn && i < ua->ob->n; i++)
        if (ua->ob->flows[i].txn == txn)
            return &ua->ob->flows[i];
    return NULL;
}

bool sip_ua_ob_response(sip_ua *ua, sim_time_t now, unsigned txn, const sip_msg *m)
{
    ob_flow *f = flow_of_txn(ua, txn);
    if (!f || m->status < 200)
        return f != NULL;
    f->txn = 0;
    if ((m->status == 401 || m->status == 407) && f->auth_tries < OB_AUTH_TRIES) {
        sip_msg *retry = sip_ua_authorize(ua, txn, m);
        if (retry) {
            sip_cseq cs;
            sip_msg_cseq(retry, &cs);
            f->cseq = cs.seq;
            f->txn = sip_ua_send_request(ua, now, retry, &f->dest);
            f->auth_tries++;
            sip_msg_free(retry);
            return true;
        }
    }
    if (m->status >= 300) {
        reg_failed(ua, f, now);
        return true;
    }
    uint32_t e = f->expires ? sip_ua_ob_granted(ua, m, f->reg_id, f->expires) : 0;
    ua->stats.registrations++;
    f->fails = 0;
    flow_registered(ua, f, now, m, e);
    if (e) /* as sip_ua.c: at half the expiry, or 32 s before it if that is later */
        f->refresh = now + MAX((sim_time_t)e * SIM_SEC / 2,
                               e > 32 ? (sim_time_t)(e - 32) * SIM_SEC : 0);
    return true;
}

bool sip_ua_ob_failed(sip_ua *ua, sim_time_t now, unsigned txn)
{
    ob_flow *f = flow_of_txn(ua, txn);
    if (!f)
        return false;
    f->txn = 0;
    reg_failed(ua, f, now);
    return true;
}

/* ---------------------------------------------------------------- keep-alives (§4.4) */

static void queue_out(sip_ua *ua, const ob_flow *f, const uint8_t *buf, size_t n)
{
    sip_out *o = g_new0(sip_out, 1);
    o->to = f->dest;
    o->data = g_memdup2(buf, n);
    o->len = n;
    g_queue_push_tail(&ua->ob->out, o);
}

/* Queues one keep-alive to flow f's edge: a STUN Binding request without attributes (§4.4.2)
 * over UDP, CRLFCRLF (§4.4.1) over TCP. */
static void send_keepalive(sip_ua *ua, ob_flow *f, sim_time_t now)
{
    if (ua->cfg.tcp) {
        queue_out(ua, f, (const uint8_t *)"\r\n\r\n", 4);
        f->rtx_at = SIM_TIME_NEVER; /* TCP is reliable: no retransmission */
    } else {
        for (size_t i = 0; i < STUN_TXID_LEN; i++)
            f->txid[i] = (uint8_t)sim_rng_u64(ua->rng);
        stun_enc e;
        size_t n;
        stun_enc_init(&e, f->stun, sizeof f->stun, STUN_BINDING, STUN_REQUEST, f->txid);
        if (stun_enc_finish(&e, &n) < 0)
            return;
        queue_out(ua, f, f->stun, n);
        f->rto = ua->cfg.keepalive_rto ? ua->cfg.keepalive_rto : OB_RTO;
        f->rtx_at = now + f->rto;
        f->sends = 1;
    }
    f->awaiting = true;
    f->answer_by = now + OB_ANSWER_WAIT;
    ua->stats.keepalives++;
}

/* RFC 5389 §7.2.1: the same request again after RTO, then 2 RTO, 4 RTO ...; Rc at most. */
static void resend_keepalive(sip_ua *ua, ob_flow *f, sim_time_t now)
{
    queue_out(ua, f, f->stun, STUN_HDR_LEN);
    ua->stats.keepalive_rtx++;
    f->sends++;
    f->rto *= 2;
    f->rtx_at = f->sends < OB_RC && now + f->rto < f->answer_by ? now + f->rto : SIM_TIME_NEVER;
}

/* §4.4.2 / §4.5: flow f failed: register it again at once (a new flow through the NAT). */
static void flow_failed(sip_ua *ua, ob_flow *f, sim_time_t now)
{
    ua->stats.flow_failures++;
    f->have_mapped = false;
    f->awaiting = false;
    f->rtx_at = SIM_TIME_NEVER;
    f->ka_at = SIM_TIME_NEVER; /* until the flow is registered again */
    if (f->reg_id == 1) {
        if (!ua->reg_txn && ua->reg_expires)
            sip_ua_register(ua, now, ua->reg_expires);
    } else if (f->expires) {
        f->registered = false;
        flow_register(ua, now, f, f->expires);
    }
}

static void flow_timeout(sip_ua *ua, ob_flow *f, sim_time_t now)
{
    if (f->awaiting && f->answer_by <= now)
        flow_failed(ua, f, now);
    if (f->awaiting && f->rtx_at <= now)
        resend_keepalive(ua, f, now);
    if (f->ka_at <= now) {
        f->ka_at = now + interval(ua, f);
        send_keepalive(ua, f, now);
    }
    if (f->refresh <= now) {
        f->refresh = SIM_TIME_NEVER;
        if (f->reg_id > 1)
            flow_register(ua, now, f, f->expires);
        else if (!ua->reg_txn && ua->reg_expires) /* flow 1's §4.5 retry */
            sip_ua_register(ua, now, ua->reg_expires);
    }
}

void sip_ua_ob_timeout(sip_ua *ua, sim_time_t now)
{
    for (size_t i = 0; ua->ob && i < ua->ob->n; i++)
        flow_timeout(ua, &ua->ob->flows[i], now);
}

sim_time_t sip_ua_ob_deadline(const sip_ua *ua)
{
    sim_time_t d = SIM_TIME_NEVER;
    for (size_t i = 0; ua->ob && i < ua->ob->n; i++) {
        const ob_flow *f = &ua->ob->flows[i];
        d = MIN(MIN(d, f->ka_at), f->refresh);
        if (f->awaiting)
            d = MIN(MIN(d, f->answer_by), f->rtx_at);
    }
    return d;
}

bool sip_ua_ob_pop(sip_ua *ua, sip_out *out)
{
    sip_out *o = ua->ob ? g_queue_pop_head(&ua->ob->out) : NULL;
    if (!o)
        return false;
    *out = *o;
    g_free(o);
    return true;
}

int sip_ua_keepalive_input(sip_ua *ua, sim_time_t now, const sim_ep *from, const uint8_t *buf,
                           size_t len)
{
    (void)from;
    stun_msg m;
    sim_ep mapped;
    if (stun_msg_decode(buf, len, &m, NULL) < 0)
        return -EBADMSG;
    ob_flow *f = NULL;
    for (size_t i = 0; ua->ob && i < ua->ob->n && !f; i++)
        if (ua->ob->flows[i].awaiting && memcmp(m.txid, ua->ob->flows[i].txid, STUN_TXID_LEN) == 0)
            f = &ua->ob->flows[i];
    if (!f || m.method != STUN_BINDING || m.cls != STUN_SUCCESS ||
        stun_msg_get_addr(&m, STUN_ATTR_XOR_MAPPED_ADDRESS, &mapped) < 0)
        return -ENOENT;
    f->awaiting = false;
    f->rtx_at = SIM_TIME_NEVER;
    ua->stats.keepalive_answers++;
    if (f->have_mapped && !sim_ep_eq(&mapped, &f->mapped)) {
        flow_failed(ua, f, now); /* §4.4.2: the NAT mapped us anew: the old flow is gone */
        return 0;
    }
    f->have_mapped = true;
    f->mapped = mapped;
    return 0;
}

static ob_flow *flow_to(sip_ua *ua, const sim_ep *peer)
{
    for (size_t i = 0; ua->ob && i < ua->ob->n; i++)
        if (sim_ep_eq(peer, &ua->ob->flows[i].dest))
            return &ua->ob->flows[i];
    return NULL;
}

void sip_ua_flow_event(sip_ua *ua, sim_time_t now, const sim_ep *peer, bool closed)
{
    ob_flow *f = flow_to(ua, peer);
    if (!f || !ua->cfg.tcp)
        return;
    if (!closed && f->awaiting) { /* §4.4.1: the pong */
        f->awaiting = false;
        ua->stats.keepalive_answers++;
    } else if (closed && f->ka_at != SIM_TIME_NEVER) {
        flow_failed(ua, f, now); /* §4.4: a closed connection is a failed flow */
    }
}

bool sip_ua_ob_holds(const sip_ua *ua, const sim_ep *peer)
{
    for (size_t i = 0; ua->ob && i < ua->ob->n; i++)
        if (ua->ob->flows[i].ka_at != SIM_TIME_NEVER && sim_ep_eq(&ua->ob->flows[i].dest, peer))
            return true;
    return false;
}
