/* protocols/sip/sip_ua_ob.c — RFC 5626 ("outbound") for the user agent: the instance
 * identity and reg-id on the registered Contact (§4.1, §4.2), Supported: outbound, path, and
 * the keep-alives that hold the NAT mapping of the flow open: over UDP a STUN Binding request
 * on the SIP socket to the next hop, answered by the edge on its SIP port (§4.4.2), over TCP
 * a CRLFCRLF ping answered by a CRLF pong (§4.4.1). The STUN answer's XOR-MAPPED-ADDRESS
 * tells whether the NAT still maps the flow as before; a changed address, no answer within
 * 10 s or a closed connection fails the flow and the UA registers again (§4.4, §4.5). */
#include "protocols/sip/sip_ua_priv.h"
#include "protocols/stun/stun.h"

#define OB_ANSWER_WAIT (10 * SIM_SEC) /* §4.4.1: the pong (here: any answer) within 10 s */

typedef struct sip_ua_ob {
    char *reg_contact;         /* <sip:...>;+sip.instance="<urn:uuid:...>";reg-id=1 */
    sim_time_t ka_at;          /* next keep-alive, SIM_TIME_NEVER when stopped */
    uint32_t flow_timer;       /* from the registrar's 2xx (0: none) */
    uint8_t txid[STUN_TXID_LEN];
    bool awaiting;             /* the last keep-alive is not answered yet */
    sim_time_t answer_by;      /* ... and fails the flow when still so then */
    bool have_mapped;
    sim_ep mapped;             /* what the edge saw last: the NAT's mapping of our flow */
    GQueue out;                /* sip_out *, keep-alives to send */
} sip_ua_ob;

void sip_ua_ob_init(sip_ua *ua)
{
    if (!ua->cfg.outbound)
        return;
    sip_ua_ob *ob = g_new0(sip_ua_ob, 1);
    ua->cfg.rport = true; /* §4.1: the flow is the NAT binding; responses must use it */
    /* §4.1: a UUID URN (RFC 4122 version 4) from the node's seeded stream */
    uint8_t u[16];
    for (size_t i = 0; i < sizeof u; i++)
        u[i] = (uint8_t)sim_rng_u64(ua->rng);
    u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);
    u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
    GString *id = g_string_new(NULL);
    for (size_t i = 0; i < sizeof u; i++)
        g_string_append_printf(id, "%s%02x", (i == 4 || i == 6 || i == 8 || i == 10) ? "-" : "",
                               u[i]);
    ob->reg_contact = g_strdup_printf("%s;+sip.instance=\"<urn:uuid:%s>\";reg-id=1", ua->contact,
                                      id->str);
    g_string_free(id, TRUE);
    ob->ka_at = SIM_TIME_NEVER;
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
    g_free(ua->ob->reg_contact);
    g_free(ua->ob);
    ua->ob = NULL;
}

const char *sip_ua_ob_contact(const sip_ua *ua)
{
    return ua->ob ? ua->ob->reg_contact : ua->contact;
}

void sip_ua_ob_register(sip_ua *ua, sip_msg *m)
{
    if (ua->ob)
        sip_msg_add(m, SIP_HDR_SUPPORTED, NULL, "outbound, path"); /* §4.2, RFC 3327 §5.1 */
}

/* §4.4.1: the configured interval, else 80-100 % of Flow-Timer, else 95-120 s (UDP). */
static sim_time_t interval(sip_ua *ua)
{
    if (ua->cfg.keepalive)
        return (sim_time_t)ua->cfg.keepalive * SIM_SEC;
    uint32_t ft = ua->ob->flow_timer;
    uint64_t ms = ft ? ft * 800u + sim_rng_below(ua->rng, ft * 200u + 1)
                     : 95000u + sim_rng_below(ua->rng, 25001);
    return (sim_time_t)ms * SIM_MS;
}

void sip_ua_ob_registered(sip_ua *ua, sim_time_t now, const sip_msg *resp, uint32_t expires)
{
    sip_ua_ob *ob = ua->ob;
    if (!ob)
        return;
    const sip_hdr *ft = sip_msg_hdr_named(resp, "Flow-Timer");
    ob->flow_timer = ft ? (uint32_t)MIN(g_ascii_strtoull(ft->value, NULL, 10), 86400u) : 0;
    if (!expires || ua->cfg.no_keepalive) {
        ob->ka_at = SIM_TIME_NEVER; /* unregistered (or keep-alives off: see sip.md) */
        ob->awaiting = false;
        return;
    }
    if (ob->ka_at == SIM_TIME_NEVER)
        ob->ka_at = now + interval(ua);
}

/* Queues one keep-alive to where REGISTER goes: a STUN Binding request without attributes
 * (§4.4.2) over UDP, CRLFCRLF (§4.4.1) over TCP. */
static void send_keepalive(sip_ua *ua, sim_time_t now)
{
    sip_ua_ob *ob = ua->ob;
    uint8_t buf[STUN_HDR_LEN];
    size_t n = 4;
    if (ua->cfg.tcp) {
        memcpy(buf, "\r\n\r\n", 4);
    } else {
        for (size_t i = 0; i < STUN_TXID_LEN; i++)
            ob->txid[i] = (uint8_t)sim_rng_u64(ua->rng);
        stun_enc e;
        stun_enc_init(&e, buf, sizeof buf, STUN_BINDING, STUN_REQUEST, ob->txid);
        if (stun_enc_finish(&e, &n) < 0)
            return;
    }
    sip_out *o = g_new0(sip_out, 1);
    o->to = ua->reg_dest;
    o->data = g_memdup2(buf, n);
    o->len = n;
    g_queue_push_tail(&ob->out, o);
    ob->awaiting = true;
    ob->answer_by = now + OB_ANSWER_WAIT;
    ua->stats.keepalives++;
}

/* §4.4.2 / §4.5: the flow failed: register again at once (a new flow through the NAT). */
static void flow_failed(sip_ua *ua, sim_time_t now)
{
    ua->stats.flow_failures++;
    ua->ob->have_mapped = false;
    if (!ua->reg_txn && ua->reg_expires)
        sip_ua_register(ua, now, ua->reg_expires);
}

void sip_ua_ob_timeout(sip_ua *ua, sim_time_t now)
{
    sip_ua_ob *ob = ua->ob;
    if (!ob)
        return;
    if (ob->awaiting && ob->answer_by <= now) {
        ob->awaiting = false;
        flow_failed(ua, now);
    }
    if (ob->ka_at <= now) {
        ob->ka_at = now + interval(ua);
        send_keepalive(ua, now);
    }
}

sim_time_t sip_ua_ob_deadline(const sip_ua *ua)
{
    if (!ua->ob)
        return SIM_TIME_NEVER;
    return ua->ob->awaiting ? MIN(ua->ob->ka_at, ua->ob->answer_by) : ua->ob->ka_at;
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
    sip_ua_ob *ob = ua->ob;
    if (!ob || !ob->awaiting || m.method != STUN_BINDING || m.cls != STUN_SUCCESS ||
        memcmp(m.txid, ob->txid, STUN_TXID_LEN) != 0 ||
        stun_msg_get_addr(&m, STUN_ATTR_XOR_MAPPED_ADDRESS, &mapped) < 0)
        return -ENOENT;
    ob->awaiting = false;
    ua->stats.keepalive_answers++;
    if (ob->have_mapped && !sim_ep_eq(&mapped, &ob->mapped)) {
        flow_failed(ua, now); /* §4.4.2: the NAT mapped us anew: the old flow is gone */
        return 0;
    }
    ob->have_mapped = true;
    ob->mapped = mapped;
    return 0;
}

void sip_ua_flow_event(sip_ua *ua, sim_time_t now, const sim_ep *peer, bool closed)
{
    sip_ua_ob *ob = ua->ob;
    if (!ob || !ua->cfg.tcp || !sim_ep_eq(peer, &ua->reg_dest))
        return;
    if (!closed && ob->awaiting) { /* §4.4.1: the pong */
        ob->awaiting = false;
        ua->stats.keepalive_answers++;
    } else if (closed && ob->ka_at != SIM_TIME_NEVER) {
        ob->awaiting = false;
        flow_failed(ua, now); /* §4.4: a closed connection is a failed flow */
    }
}

bool sip_ua_ob_holds(const sip_ua *ua, const sim_ep *peer)
{
    return ua->ob && ua->ob->ka_at != SIM_TIME_NEVER && sim_ep_eq(&ua->reg_dest, peer);
}
