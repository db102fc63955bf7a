/* tests/unit/test_sip_outbound_flows.c — RFC 5626 with several flows per instance, on the
 * cores (no simulator): the registrar keeping one binding per (instance, reg-id) and
 * repeating both in its 200 OK; the home proxy forking one INVITE per instance over its most
 * recent flow, and on 430 removing that binding and trying the next flow, 480 when none is
 * left; the edge adding Flow-Timer; the UA registering one flow per edge, failing and
 * re-registering one alone, and backing off after a failed REGISTER (§4.5). */
#include "tests/unit/sip_ob_fx.h"

#define PATH2 "<sip:0080060421d9b2aaaaaaaaaaaaaaaaaaaa@18.7.22.11:5060;lr;ob>"

/* A REGISTER of flow reg_id of bob's one instance through the edge of path. */
static char *register_flow(unsigned reg_id, unsigned cseq, const char *path, unsigned expires)
{
    return g_strdup_printf(
        "REGISTER sip:mit.edu SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 18.7.22.1%u:5060;branch=z9hG4bKe%u\r\n"
        "Via: SIP/2.0/UDP 10.0.0.20:5060;branch=z9hG4bKb%u;rport=55729;received=128.6.4.33\r\n"
        "Max-Forwards: 69\r\nTo: <sip:bob@mit.edu>\r\nFrom: <sip:bob@mit.edu>;tag=1\r\n"
        "Call-ID: reg%u@10.0.0.20\r\nCSeq: %u REGISTER\r\nSupported: outbound, path\r\n"
        "Path: %s\r\nContact: <sip:bob@10.0.0.20:5060>;" INST ";reg-id=%u\r\n"
        "Expires: %u\r\nContent-Length: 0\r\n\r\n",
        reg_id - 1, cseq, cseq, reg_id, cseq, path, reg_id, expires);
}

static void test_registrar_two_flows(void)
{
    sim_rng rng;
    sim_rng_seed(&rng, 6);
    sip_server *reg = registrar(&rng, 0);
    g_autofree char *r1 = register_flow(1, 1, PATH, 600);
    g_autofree char *r2 = register_flow(2, 2, PATH2, 600);
    feed(reg, 0, EDGE, r1);
    g_ptr_array_free(drain(reg, NULL), TRUE);
    feed(reg, SIM_SEC, "18.7.22.11:5060", r2);
    GPtrArray *out = drain(reg, NULL);
    g_assert_cmpuint(final_status(out), ==, 200);
    /* one binding per (instance, reg-id), though the contact URI is the same; the 200 OK
     * repeats each one's instance and reg-id (§6) */
    const sip_msg *ok = ((sent *)out->pdata[0])->m;
    g_assert_cmpuint(sip_msg_count(ok, SIP_HDR_CONTACT), ==, 2);
    for (unsigned i = 0; i < 2; i++) {
        sip_nameaddr na;
        char id[2] = { (char)('1' + i), 0 };
        g_assert_cmpint(sip_msg_nameaddr(ok, SIP_HDR_CONTACT, i, &na), ==, 0);
        g_assert_true(str_is(sip_params_find(&na.params, "reg-id")->value, id));
        g_assert_true(str_is(sip_params_find(&na.params, "+sip.instance")->value,
                             "\"<urn:uuid:00000000-0000-4000-8000-000000000001>\""));
        g_assert_true(str_is(sip_params_find(&na.params, "expires")->value, i ? "600" : "599"));
    }
    g_ptr_array_free(out, TRUE);
    GArray *bs = g_array_new(FALSE, FALSE, sizeof(sip_location_binding));
    g_assert_cmpuint(sip_location_bindings(sip_server_location(reg), "bob@mit.edu", SIM_SEC, bs),
                     ==, 2);
    g_assert_cmpstr(g_array_index(bs, sip_location_binding, 1).path, ==, PATH2);
    g_array_free(bs, TRUE);
    /* unregistering flow 2 leaves flow 1 */
    g_autofree char *r3 = register_flow(2, 3, PATH2, 0);
    feed(reg, 2 * SIM_SEC, "18.7.22.11:5060", r3);
    out = drain(reg, NULL);
    g_assert_cmpuint(sip_msg_count(((sent *)out->pdata[0])->m, SIP_HDR_CONTACT), ==, 1);
    g_ptr_array_free(out, TRUE);
    g_assert_cmpuint(sip_location_count(sip_server_location(reg), 2 * SIM_SEC), ==, 1);
    sip_server_free(reg);
}

/* The INVITEs among a, and the ACKs, counted. */
static guint count_method(GPtrArray *a, const char *method, const sent **last)
{
    guint n = 0;
    for (guint i = 0; i < a->len; i++) {
        const sent *x = a->pdata[i];
        if (x->m && x->m->request && !strcmp(x->m->method, method)) {
            n++;
            *last = x;
        }
    }
    return n;
}

/* The response of edge (from) to the INVITE inv the home proxy sent. */
static void answer_invite(sip_server *px, sim_time_t now, const sent *inv, unsigned status)
{
    feed_response(px, NULL, now, inv, response_to(inv, status, "e"));
}

static void test_home_proxy_flows(void)
{
    sim_rng rng;
    sim_rng_seed(&rng, 7);
    sip_location *loc = sip_location_new();
    const char *ct = "sip:bob@10.0.0.20:5060", *inst = "\"<urn:uuid:1>\"";
    sip_binding_ob f1 = { .path = PATH, .instance = inst, .reg_id = 1 };
    sip_binding_ob f2 = { .path = PATH2, .instance = inst, .reg_id = 2 };
    sip_location_bind_ob(loc, "bob@mit.edu", ct, 600 * SIM_SEC, NULL, &f2);
    sip_location_bind_ob(loc, "bob@mit.edu", ct, 600 * SIM_SEC, NULL, &f1); /* most recent */
    sip_location_bind(loc, "bob@mit.edu", "sip:bob@18.7.22.50", 600 * SIM_SEC, NULL);
    sip_server *px = home_proxy_invited(&rng, loc);
    /* §7: one INVITE for the instance (over its most recent flow, 1, through edge 1) and
     * one for the plain binding: two, not three */
    GPtrArray *out = drain(px, NULL);
    const sent *inv = NULL, *plain = NULL;
    g_assert_cmpuint(count_method(out, "INVITE", &inv), ==, 2);
    plain = inv;
    inv = ((sent *)out->pdata[0])->m->request ? out->pdata[0] : out->pdata[1];
    g_assert_true(sim_ep_eq(&plain->to, &(sim_ep){ ep("18.7.22.50:5060").ip, 5060 }));
    g_assert_true(sim_ep_eq(&inv->to, &(sim_ep){ ep(EDGE).ip, 5060 }));
    /* edge 1 answers 430: the binding of flow 1 goes, the INVITE goes again over flow 2 */
    answer_invite(px, 10 * SIM_MS, inv, 430);
    GPtrArray *out2 = drain(px, NULL);
    const sent *ack = NULL, *inv2 = NULL;
    g_assert_cmpuint(count_method(out2, "ACK", &ack), ==, 1);
    g_assert_true(sim_ep_eq(&ack->to, &inv->to));
    g_assert_cmpuint(count_method(out2, "INVITE", &inv2), ==, 1);
    g_assert_true(sim_ep_eq(&inv2->to, &(sim_ep){ ep("18.7.22.11:5060").ip, 5060 }));
    sip_via v1, v2;
    g_assert_cmpint(sip_msg_via(inv->m, 0, &v1), ==, 0);
    g_assert_cmpint(sip_msg_via(inv2->m, 0, &v2), ==, 0);
    g_assert_false(v1.branch.len == v2.branch.len &&
                   !memcmp(v1.branch.p, v2.branch.p, v1.branch.len)); /* a new transaction */
    g_assert_cmpuint(final_status(out2), ==, 0); /* the 430 does not go upstream */
    g_assert_cmpuint(sip_server_get_stats(px)->flow_retries, ==, 1);
    g_assert_cmpuint(sip_location_count(loc, 10 * SIM_MS), ==, 2);
    /* the plain contact says 404, edge 2 says 430 too: nothing left, the caller gets 480 */
    answer_invite(px, 20 * SIM_MS, plain, 404);
    g_ptr_array_free(drain(px, NULL), TRUE);
    answer_invite(px, 30 * SIM_MS, inv2, 430);
    GPtrArray *out3 = drain(px, NULL);
    g_assert_cmpuint(final_status(out3), ==, 404); /* §16.7: 4xx best; the 430 became 480 */
    g_assert_cmpuint(sip_location_count(loc, 30 * SIM_MS), ==, 1);
    g_ptr_array_free(out3, TRUE);
    g_ptr_array_free(out2, TRUE);
    g_ptr_array_free(out, TRUE);
    sip_server_free(px);
    sip_location_free(loc);
}

static void test_home_proxy_flow_480(void)
{
    sim_rng rng;
    sim_rng_seed(&rng, 8);
    sip_location *loc = sip_location_new();
    sip_binding_ob f1 = { .path = PATH, .instance = "\"<urn:uuid:1>\"", .reg_id = 1 };
    sip_location_bind_ob(loc, "bob@mit.edu", "sip:bob@10.0.0.20:5060", 600 * SIM_SEC, NULL, &f1);
    sip_server *px = home_proxy_invited(&rng, loc);
    GPtrArray *out = drain(px, NULL);
    const sent *inv = NULL;
    g_assert_cmpuint(count_method(out, "INVITE", &inv), ==, 1);
    answer_invite(px, 10 * SIM_MS, inv, 430);
    GPtrArray *out2 = drain(px, NULL);
    g_assert_cmpuint(final_status(out2), ==, 480); /* the only flow failed: 480, not 430 */
    g_assert_cmpuint(sip_location_count(loc, 10 * SIM_MS), ==, 0);
    g_ptr_array_free(out2, TRUE);
    g_ptr_array_free(out, TRUE);
    sip_server_free(px);
    sip_location_free(loc);
}

static void test_edge_flow_timer(void)
{
    sim_rng rng;
    sim_rng_seed(&rng, 9);
    sip_server_cfg c = { .domain = "edge.mit.edu", .self = ep(EDGE), .outbound = true,
                         .flow_timer = 20 };
    sip_server *edge = sip_server_new(&c, &rng);
    for (unsigned k = 0; k < 2; k++) { /* the registrar gives none, then its own 25 */
        g_autofree char *r = g_strdup_printf(
            "REGISTER sip:mit.edu SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 10.0.0.20:5060;branch=z9hG4bKft%u;rport\r\nMax-Forwards: 70\r\n"
            "To: <sip:bob@mit.edu>\r\nFrom: <sip:bob@mit.edu>;tag=1\r\nCall-ID: r@b\r\n"
            "CSeq: %u REGISTER\r\nSupported: outbound, path\r\n"
            "Contact: <sip:bob@10.0.0.20:5060>;" INST ";reg-id=1\r\nContent-Length: 0\r\n\r\n",
            k, k + 1);
        feed(edge, k * SIM_SEC, NAT, r);
        unsigned id;
        char host[64];
        g_assert_true(sip_server_lookup_pop(edge, &id, host, sizeof host));
        sim_ep regep = ep("18.7.22.84:5060");
        sip_server_located(edge, k * SIM_SEC, id, 0, &regep);
        GPtrArray *out = drain(edge, NULL);
        const sent *reg = find_request(out);
        sip_msg *ok = NULL;
        g_assert_cmpint(sip_msg_response(reg->m, 200, NULL, "r", &ok), ==, 0);
        sip_msg_add(ok, SIP_HDR_REQUIRE, NULL, "outbound");
        if (k)
            sip_msg_add(ok, SIP_HDR_OTHER, "Flow-Timer", "25");
        GString *b = g_string_new(NULL);
        sip_msg_encode(ok, b);
        feed(edge, k * SIM_SEC + SIM_MS, "18.7.22.84:5060", b->str);
        GPtrArray *up = drain(edge, NULL);
        g_assert_cmpuint(final_status(up), ==, 200);
        g_assert_cmpstr(hdr(((sent *)up->pdata[0])->m, "Flow-Timer"), ==, k ? "25" : "20");
        g_string_free(b, TRUE);
        sip_msg_free(ok);
        g_ptr_array_free(up, TRUE);
        g_ptr_array_free(out, TRUE);
    }
    sip_server_free(edge);
}

/* §4.2 with two edges: flow 1 through edge 1, flow 2 through edge 2, one REGISTER each (own
 * Call-ID, one instance, reg-id 1 and 2); keep-alives per flow; flow 2 failing re-registers
 * flow 2 alone. */
static void test_ua_two_edges(void)
{
    sim_rng rng;
    sip_ua_cfg c = { .aor = "sip:bob@mit.edu", .local = ep("10.0.0.20:5060"), .proxy = ep(EDGE),
                     .outbound = true, .keepalive = 30, .n_edges = 2,
                     .edges = { ep(EDGE), ep("18.7.22.11:5060") } };
    GPtrArray *out;
    sip_ua *ua = ob_ua_registering(&c, &rng, 10, 600, &out);
    g_assert_cmpuint(out->len, ==, 2);
    sip_nameaddr na[2];
    for (unsigned i = 0; i < 2; i++) {
        const sent *r = out->pdata[i];
        char id[2] = { (char)('1' + i), 0 };
        g_assert_cmpstr(r->m->method, ==, "REGISTER");
        g_assert_true(sim_ep_eq(&r->to, &c.edges[i]));
        g_assert_cmpint(sip_msg_nameaddr(r->m, SIP_HDR_CONTACT, 0, &na[i]), ==, 0);
        g_assert_true(str_is(sip_params_find(&na[i].params, "reg-id")->value, id));
    }
    const sip_param *i0 = sip_params_find(&na[0].params, "+sip.instance");
    const sip_param *i1 = sip_params_find(&na[1].params, "+sip.instance");
    g_assert_cmpmem(i0->value.p, i0->value.len, i1->value.p, i1->value.len);
    g_assert_cmpstr(hdr(((sent *)out->pdata[0])->m, "Call-ID"), !=,
                    hdr(((sent *)out->pdata[1])->m, "Call-ID"));
    answer_one(ua, SIM_MS, out->pdata[0], NULL);
    answer_one(ua, SIM_MS, out->pdata[1], NULL);
    g_ptr_array_free(out, TRUE);
    g_assert_cmpuint(sip_ua_get_stats(ua)->registrations, ==, 2);
    sip_ua_timeout(ua, 6 * SIM_SEC); /* Timer K of both */
    sim_time_t now;
    out = next_keepalive(ua, &now);
    g_assert_cmpuint(now, ==, SIM_MS + 30 * SIM_SEC);
    g_assert_cmpuint(out->len, ==, 2); /* one STUN request per flow, to its edge */
    g_assert_true(sim_ep_eq(&((sent *)out->pdata[1])->to, &c.edges[1]));
    g_ptr_array_remove_index(out, 1);
    answer_stun(ua, now, out, NAT); /* edge 1 answers, edge 2 does not */
    g_ptr_array_free(out, TRUE);
    sim_time_t t;
    for (unsigned i = 0; i < 4; i++) /* flow 2's request again at +0.5 +1.5 +3.5 +7.5 s */
        g_ptr_array_free(next_keepalive(ua, &t), TRUE);
    g_assert_cmpuint(t, ==, now + 7500 * SIM_MS);
    out = next_keepalive(ua, &t);
    g_assert_cmpuint(t, ==, now + 10 * SIM_SEC);
    g_assert_cmpuint(sip_ua_get_stats(ua)->flow_failures, ==, 1);
    g_assert_cmpuint(out->len, ==, 1); /* flow 2 registers again; flow 1 is left alone */
    const sent *r = out->pdata[0];
    g_assert_cmpstr(r->m->method, ==, "REGISTER");
    g_assert_true(sim_ep_eq(&r->to, &c.edges[1]));
    g_assert_nonnull(strstr(hdr(r->m, "Contact"), "reg-id=2"));
    g_ptr_array_free(out, TRUE);
    sip_ua_free(ua);
}

/* §4.5: a failed registration of the flow is tried again after 30 s * 2^n * 50-100 % (no
 * other flow up), not at once and not never. */
static void test_ua_register_backoff(void)
{
    sim_rng rng;
    GPtrArray *out;
    sip_ua *ua = ob_ua_registering(NULL, &rng, 11, 600, &out);
    sim_time_t at = SIM_MS, t;
    for (unsigned k = 0; k < 3; k++) {
        const sent *reg = out->pdata[0];
        feed_response(NULL, ua, at, reg, response_to(reg, 503, "t"));
        g_ptr_array_free(out, TRUE);
        out = next_keepalive(ua, &t); /* the next thing sent: the REGISTER again */
        g_assert_cmpstr(((sent *)out->pdata[0])->m->method, ==, "REGISTER");
        sim_time_t base = (sim_time_t)30 * SIM_SEC << k;
        g_assert_cmpuint(t - at, >=, base / 2);
        g_assert_cmpuint(t - at, <=, base);
        at = t + SIM_MS;
    }
    answer_register(ua, at, out, NULL); /* success: the back-off starts again from 30 s */
    g_ptr_array_free(out, TRUE);
    sip_ua_free(ua);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sip/outbound/registrar-two-flows", test_registrar_two_flows);
    g_test_add_func("/sip/outbound/home-proxy-one-per-instance-430", test_home_proxy_flows);
    g_test_add_func("/sip/outbound/home-proxy-430-480", test_home_proxy_flow_480);
    g_test_add_func("/sip/outbound/edge-adds-flow-timer", test_edge_flow_timer);
    g_test_add_func("/sip/outbound/ua-two-edges", test_ua_two_edges);
    g_test_add_func("/sip/outbound/ua-register-backoff", test_ua_register_backoff);
    return g_test_run();
}
