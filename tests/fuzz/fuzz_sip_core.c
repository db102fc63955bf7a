/* fuzz_sip_core — arbitrary bytes as a datagram arriving at a SIP server (registrar with a
 * digest user, forking proxy with two bindings for bob@mit.edu that authenticates mit.edu's
 * users (407) and runs Timer C at 10 s) and at a user agent, then every
 * timer run to the end: neither may crash, leak or loop, whatever the bytes; whatever they send
 * must decode again. The corpus holds one message of each kind the cores act on. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "protocols/sip/sip.h"

static void drain_server(sip_server *s, bool check)
{
    sip_out o;
    unsigned id;
    char host[256];
    while (sip_server_lookup_pop(s, &id, host, sizeof host))
        sip_server_located(s, 0, id, -EHOSTUNREACH, NULL);
    while (sip_server_pop(s, &o)) {
        sip_msg *m = NULL;
        if (check && sip_msg_decode(o.data, o.len, &m, NULL) != 0)
            abort(); /* what we send must decode */
        sip_msg_free(m);
        sip_out_clear(&o);
    }
}

static void drain_ua(sip_ua *u, bool check)
{
    sip_out o;
    sip_ua_ev ev;
    while (sip_ua_pop(u, &o)) {
        sip_msg *m = NULL;
        if (check && sip_msg_decode(o.data, o.len, &m, NULL) != 0)
            abort();
        sip_msg_free(m);
        sip_out_clear(&o);
    }
    while (sip_ua_event(u, &ev))
        if (ev.kind == SIP_UA_EV_INCOMING) { /* answer every call: exercises SDP and dialogs */
            sip_ua_ring(u, 0, ev.call);
            sip_ua_answer(u, 0, ev.call);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const users[] = { "bob", NULL }, *const pws[] = { "pw", NULL };
    sim_rng rng;
    sim_rng_seed(&rng, 1);
    sim_ep self, from, c1;
    sim_ep_parse("18.7.22.83:5060", &self);
    sim_ep_parse("128.6.4.10:5060", &from);
    sim_ep_parse("18.7.22.50:5060", &c1);
    sim_ip self6, c6; /* dual stack: Via / Record-Route per family (RFC 6157, RFC 5658) */
    sim_ip_parse("2001:db8::83", &self6);
    sim_ip_parse("2001:db8::50", &c6);
    sip_server *s = sip_server_new(&(sip_server_cfg){ .domain = "mit.edu", .self = self,
                                                      .registrar = true, .record_route = true,
                                                      .users = users, .passwords = pws,
                                                      .authenticate = true,
                                                      .timer_c = 10 * SIM_SEC,
                                                      .self6 = self6 },
                                   &rng);
    sip_location *l = sip_server_location(s);
    sip_location_bind(l, "bob@mit.edu", "sip:bob@18.7.22.50:5060", 3600 * SIM_SEC, NULL);
    sip_location_bind(l, "bob@mit.edu", "sip:bob@18.7.22.51", 3600 * SIM_SEC, NULL);
    sip_location_bind(l, "bob@mit.edu", "sip:bob@[2001:db8::52];transport=tcp", 3600 * SIM_SEC,
                      NULL);
    sip_ua *u = sip_ua_new(&(sip_ua_cfg){ .aor = "sip:bob@mit.edu", .password = "pw",
                                          .local = c1, .proxy = self, .rport = true,
                                          .local6 = c6 },
                           &rng);
    sip_server_input(s, 0, &from, data, size);
    sip_ua_input(u, 0, &from, data, size);
    drain_server(s, true);
    drain_ua(u, true);
    /* every timer to its end: transactions time out in 64*T1, the UA's 2xx gives up */
    for (int i = 0; i < 200; i++) {
        sim_time_t t = MIN(sip_server_next_deadline(s), sip_ua_next_deadline(u));
        if (t == SIM_TIME_NEVER || t > 3000 * SIM_SEC)
            break;
        sip_server_timeout(s, t);
        sip_ua_timeout(u, t);
        drain_server(s, false); /* retransmissions: copies of what was checked */
        drain_ua(u, false);
    }
    if (sip_server_next_deadline(s) != SIM_TIME_NEVER)
        abort(); /* a transaction that never ends */
    sip_ua_free(u);
    sip_server_free(s);
    return 0;
}
