/* fuzz_sip_outbound — arbitrary bytes at the RFC 5626 / RFC 3327 code: as a datagram from a
 * NAT at an edge proxy (outbound, flow_timeout) that has registered one flow, at a registrar
 * giving Flow-Timer, at an outbound UA waiting for its STUN keep-alive answer, and as a flow
 * token; then every timer to its end. "TOKEN" in the input is replaced by the edge's real
 * token for its flow, so mutations reach the forwarding code behind the HMAC check. Nothing
 * may crash, leak or loop; every SIP message sent must decode. The servers' transactions are
 * reliable (no retransmissions) to keep each run short. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "protocols/sip/sip.h"

static const char reg[] =
    "REGISTER sip:mit.edu SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.20:5060;branch=z9hG4bKf;rport\r\n"
    "Max-Forwards: 70\r\nTo: <sip:bob@mit.edu>\r\nFrom: <sip:bob@mit.edu>;tag=1\r\n"
    "Call-ID: f@b\r\nCSeq: 1 REGISTER\r\nSupported: outbound, path\r\n"
    "Contact: <sip:bob@10.0.0.20:5060>;+sip.instance=\"<urn:uuid:1>\";reg-id=1\r\n"
    "Content-Length: 0\r\n\r\n";

/* Sends what s queued (lookups fail, or go to the registrar); copies the first Path token seen
 * into tok. */
static void drain(sip_server *s, bool check, char *tok, size_t cap)
{
    sip_out o;
    unsigned id;
    char host[256];
    sim_ep r;
    sim_ep_parse("18.7.22.84:5060", &r);
    while (sip_server_lookup_pop(s, &id, host, sizeof host))
        sip_server_located(s, 0, id, strcmp(host, "mit.edu") ? -EHOSTUNREACH : 0, &r);
    while (sip_server_pop(s, &o)) {
        sip_msg *m = NULL;
        if (!sip_is_stun(o.data, o.len) && check && sip_msg_decode(o.data, o.len, &m, NULL) != 0)
            abort(); /* what we send must decode */
        const sip_hdr *p = m ? sip_msg_hdr_named(m, "Path") : NULL;
        const char *at = p ? strchr(p->value, '@') : NULL;
        if (tok && at && !tok[0] && (size_t)(at - p->value) < cap + 5)
            g_strlcpy(tok, p->value + 5, (size_t)(at - p->value) - 4);
        sip_msg_free(m);
        sip_out_clear(&o);
    }
}

static void drain_ua(sip_ua *u)
{
    sip_out o;
    sip_ua_ev ev;
    while (sip_ua_pop(u, &o))
        sip_out_clear(&o);
    while (sip_ua_event(u, &ev))
        ;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sim_rng rng;
    sim_rng_seed(&rng, 1);
    sim_ep edge_ep, reg_ep, nat, home, ua_ep;
    sim_ep_parse("18.7.22.10:5060", &edge_ep);
    sim_ep_parse("18.7.22.84:5060", &reg_ep);
    sim_ep_parse("128.6.4.33:55729", &nat);
    sim_ep_parse("18.7.22.83:5060", &home);
    sim_ep_parse("10.0.0.20:5060", &ua_ep);
    sip_server *edge = sip_server_new(&(sip_server_cfg){ .domain = "edge.mit.edu",
                                                         .self = edge_ep, .outbound = true,
                                                         .record_route = true,
                                                         .flow_timeout = 60,
                                                         .txn.reliable = true }, &rng);
    sip_server *regs = sip_server_new(&(sip_server_cfg){ .domain = "mit.edu", .self = reg_ep,
                                                         .registrar = true, .flow_timer = 25,
                                                         .txn.reliable = true },
                                      &rng);
    sip_ua *u = sip_ua_new(&(sip_ua_cfg){ .aor = "sip:bob@mit.edu", .local = ua_ep,
                                          .registrar = edge_ep, .outbound = true,
                                          .keepalive = 20 }, &rng);
    char tok[SIP_FLOW_TOKEN_MAX] = "";
    GString *in = g_string_new_len((const char *)data, (gssize)size);
    if (strstr(in->str, "TOKEN")) { /* the flow exists only for inputs that use it */
        sip_server_input(edge, 0, &nat, (const uint8_t *)reg, sizeof reg - 1);
        drain(edge, true, tok, sizeof tok);
        g_string_replace(in, "TOKEN", tok, 0);
    }
    const uint8_t *b = (const uint8_t *)in->str;
    /* from the home proxy, or (odd lengths) from the flow itself: the UA's own requests */
    sip_server_input(edge, SIM_SEC, in->len % 2 ? &nat : &home, b, in->len);
    if (in->len && in->str[0] == 'R') /* the registrar's other requests: fuzz_sip_core */
        sip_server_input(regs, SIM_SEC, &edge_ep, b, in->len);
    sip_ua_register(u, 0, 3600);
    sip_ua_keepalive_input(u, SIM_SEC, &edge_ep, b, in->len);
    uint8_t key[SIP_FLOW_KEY_LEN] = { 0 };
    bool tcp;
    sim_ep fl;
    sip_flow_token_decode(key, (sip_str){ in->str, in->len }, &tcp, &fl);
    drain(edge, true, NULL, 0);
    drain(regs, true, NULL, 0);
    drain_ua(u);
    for (int i = 0; i < 400; i++) {
        /* the servers' timers decide; the UA's (keep-alives never end) run along */
        sim_time_t t = MIN(sip_server_next_deadline(edge), sip_server_next_deadline(regs));
        if (t == SIM_TIME_NEVER || t > 300 * SIM_SEC)
            break;
        sip_server_timeout(edge, t);
        sip_server_timeout(regs, t);
        sip_ua_timeout(u, t);
        drain(edge, false, NULL, 0);
        drain(regs, false, NULL, 0);
        drain_ua(u);
    }
    if (sip_server_next_deadline(edge) != SIM_TIME_NEVER ||
        sip_server_next_deadline(regs) != SIM_TIME_NEVER)
        abort(); /* a transaction that never ends */
    g_string_free(in, TRUE);
    sip_ua_free(u);
    sip_server_free(regs);
    sip_server_free(edge);
    return 0;
}
