/* tests/unit/test_sip_outbound.c — RFC 5626 outbound and RFC 3327 Path, on the cores with
 * hand-written messages (no simulator): flow tokens (python3 hmac vectors, tampering), the
 * registrar storing and echoing Path, instance / reg-id replacement, 439, the home proxy
 * turning the stored Path into Route, the edge proxy adding Path, forwarding over a flow,
 * answering 430 when the flow is gone and 403 for a forged token, and the UA's contact and
 * STUN keep-alives (answered, unanswered and retransmitted at RFC 5389 RTO times, a changed
 * mapping). Helpers: sip_ob_fx.h; several flows: test_sip_outbound_flows.c. */
#include "tests/unit/sip_ob_fx.h"

static const uint8_t key[SIP_FLOW_KEY_LEN] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
                                               15, 16, 17, 18, 19 };

/* ---------------------------------------------------------------- flow tokens */

static void test_token_vectors(void)
{
    char tok[SIP_FLOW_TOKEN_MAX];
    sim_ep e = ep(NAT), back;
    bool tcp = true;
    /* python3: hmac.new(key, ident, hashlib.sha1).digest()[:10] after the identity */
    g_assert_cmpint(sip_flow_token_encode(key, false, &e, tok, sizeof tok), ==, 0);
    g_assert_cmpstr(tok, ==, "0080060421d9b1d679a674f5793a97440f");
    g_assert_cmpint(sip_flow_token_decode(key, sip_s(tok), &tcp, &back), ==, 0);
    g_assert_false(tcp);
    g_assert_true(sim_ep_eq(&back, &e));
    sim_ep e6 = ep("[2001:db8::1]:5060");
    g_assert_cmpint(sip_flow_token_encode(key, true, &e6, tok, sizeof tok), ==, 0);
    g_assert_cmpstr(tok, ==, "0320010db800000000000000000000000113c4dd1a1fbe5e5241ca5726");
    g_assert_cmpint(sip_flow_token_decode(key, sip_s(tok), &tcp, &back), ==, 0);
    g_assert_true(tcp);
    g_assert_true(sim_ep_eq(&back, &e6));
    g_assert_cmpint(sip_flow_token_encode(key, false, &e, tok, 10), ==, -ENOSPC);
}

static void test_token_tamper(void)
{
    char tok[SIP_FLOW_TOKEN_MAX];
    sim_ep e = ep(NAT), back;
    bool tcp;
    g_assert_cmpint(sip_flow_token_encode(key, false, &e, tok, sizeof tok), ==, 0);
    /* every single changed digit is caught: in the flags, the address, the port, the MAC */
    for (size_t i = 0; tok[i]; i++) {
        char t[SIP_FLOW_TOKEN_MAX];
        strcpy(t, tok);
        t[i] = t[i] == '0' ? '1' : '0';
        int rc = sip_flow_token_decode(key, sip_s(t), &tcp, &back);
        g_assert_true(rc == -EACCES || rc == -EBADMSG);
    }
    uint8_t other[SIP_FLOW_KEY_LEN] = { 1 };
    g_assert_cmpint(sip_flow_token_decode(other, sip_s(tok), &tcp, &back), ==, -EACCES);
    g_assert_cmpint(sip_flow_token_decode(key, sip_s("0080"), &tcp, &back), ==, -EBADMSG);
    g_assert_cmpint(sip_flow_token_decode(key, sip_s("008"), &tcp, &back), ==, -EBADMSG);
    g_assert_cmpint(sip_flow_token_decode(key, sip_s("zz80060421d9b1d679a674f5793a97440f"), &tcp,
                                          &back), ==, -EBADMSG);
    g_assert_cmpint(sip_flow_token_decode(key, sip_s("0480060421d9b1d679a674f5793a97440f"), &tcp,
                                          &back), ==, -EBADMSG); /* unknown flag bit */
    g_assert_cmpint(sip_flow_token_decode(key, sip_s(""), &tcp, &back), ==, -EBADMSG);
}

static void test_stun_demux(void)
{
    uint8_t req[STUN_HDR_LEN], out[64];
    const uint8_t txid[STUN_TXID_LEN] = { 9 };
    stun_enc e;
    size_t n, m;
    stun_enc_init(&e, req, sizeof req, STUN_BINDING, STUN_REQUEST, txid);
    g_assert_cmpint(stun_enc_finish(&e, &n), ==, 0);
    g_assert_true(sip_is_stun(req, n));
    g_assert_false(sip_is_stun((const uint8_t *)"REGISTER sip:mit.edu SIP/2.0\r\n", 30));
    g_assert_false(sip_is_stun((const uint8_t *)"\r\n\r\n", 4));
    sim_ep from = ep(NAT), mapped;
    g_assert_cmpint(sip_stun_keepalive_answer(req, n, &from, out, sizeof out, &m), ==, 0);
    g_assert_cmpint(stun_binding_mapped(out, m, &mapped), ==, 0);
    g_assert_true(sim_ep_eq(&mapped, &from));
    /* a response is not a keep-alive to answer */
    g_assert_cmpint(sip_stun_keepalive_answer(out, m, &from, out, sizeof out, &m), ==, -EBADMSG);
}

static char *register_msg(const char *contact_host, unsigned cseq, const char *extra)
{
    return g_strdup_printf(
        "REGISTER sip:mit.edu SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 18.7.22.10:5060;branch=z9hG4bKedge%u\r\n"
        "Via: SIP/2.0/UDP 10.0.0.20:5060;branch=z9hG4bKbob%u;rport=55729;received=128.6.4.33\r\n"
        "Max-Forwards: 69\r\nTo: <sip:bob@mit.edu>\r\nFrom: <sip:bob@mit.edu>;tag=1\r\n"
        "Call-ID: reg1@10.0.0.20\r\nCSeq: %u REGISTER\r\n"
        "Contact: <sip:bob@%s:5060>;" INST ";reg-id=1\r\n"
        "%sContent-Length: 0\r\n\r\n", cseq, cseq, cseq, contact_host, extra);
}

static void test_registrar_path(void)
{
    sim_rng rng;
    sim_rng_seed(&rng, 1);
    sip_server *reg = registrar(&rng, 25);
    g_autofree char *r1 = register_msg("10.0.0.20", 1,
                                       "Supported: outbound, path\r\nPath: " PATH "\r\n");
    feed(reg, 0, EDGE, r1);
    GPtrArray *out = drain(reg, NULL);
    g_assert_cmpuint(final_status(out), ==, 200);
    const sip_msg *ok = ((sent *)out->pdata[0])->m;
    g_assert_cmpstr(hdr(ok, "Path"), ==, PATH);          /* RFC 3327 §5.3: echoed */
    g_assert_cmpstr(hdr(ok, "Require"), ==, "outbound"); /* RFC 5626 §6 */
    g_assert_cmpstr(hdr(ok, "Flow-Timer"), ==, "25");
    g_assert_true(sim_ep_eq(&((sent *)out->pdata[0])->to, &(sim_ep){ ep(EDGE).ip, 5060 }));
    sip_location *loc = sip_server_location(reg);
    g_assert_cmpstr(sip_location_path(loc, "bob@mit.edu", "sip:bob@10.0.0.20:5060", 0), ==, PATH);
    sim_ep flow;
    g_assert_cmpint(sip_location_flow(loc, NULL, "sip:bob@10.0.0.20:5060", 0, &flow), ==,
                    -ENOENT); /* with a Path the source is the edge, not the UA's flow */
    g_ptr_array_free(out, TRUE);
    /* without Supported: path the Path is stored but not echoed */
    g_autofree char *r2 = register_msg("10.0.0.20", 2, "Path: " PATH "\r\n");
    feed(reg, SIM_SEC, EDGE, r2);
    out = drain(reg, NULL);
    g_assert_cmpuint(final_status(out), ==, 200);
    g_assert_null(hdr(((sent *)out->pdata[0])->m, "Path"));
    g_assert_null(hdr(((sent *)out->pdata[0])->m, "Require")); /* no Supported: outbound */
    g_assert_cmpstr(sip_location_path(loc, "bob@mit.edu", "sip:bob@10.0.0.20:5060", SIM_SEC), ==,
                    PATH);
    g_ptr_array_free(out, TRUE);
    /* a Path that does not parse */
    g_autofree char *r3 = register_msg("10.0.0.20", 3, "Path: sip:no-angle@x\r\n");
    feed(reg, 2 * SIM_SEC, EDGE, r3);
    out = drain(reg, NULL);
    g_assert_cmpuint(final_status(out), ==, 400);
    g_ptr_array_free(out, TRUE);
    sip_server_free(reg);
}

static void test_reg_id_replace(void)
{
    sim_rng rng;
    sim_rng_seed(&rng, 2);
    sip_server *reg = registrar(&rng, 0);
    sip_location *loc = sip_server_location(reg);
    GPtrArray *c = g_ptr_array_new();
    /* the same instance and reg-id from a new address: the new flow replaces the old one */
#define OB_HDRS "Supported: outbound, path\r\nPath: " PATH "\r\n"
    g_autofree char *r1 = register_msg("10.0.0.20", 1, OB_HDRS);
    g_autofree char *r2 = register_msg("10.0.0.99", 2, OB_HDRS);
    feed(reg, 0, EDGE, r1);
    g_ptr_array_free(drain(reg, NULL), TRUE);
    feed(reg, SIM_SEC, EDGE, r2);
    GPtrArray *out = drain(reg, NULL);
    g_assert_cmpuint(final_status(out), ==, 200);
    g_assert_cmpuint(sip_msg_count(((sent *)out->pdata[0])->m, SIP_HDR_CONTACT), ==, 1);
    g_ptr_array_free(out, TRUE);
    g_assert_cmpuint(sip_location_lookup(loc, "bob@mit.edu", SIM_SEC, c, NULL), ==, 1);
    g_assert_cmpstr(c->pdata[0], ==, "sip:bob@10.0.0.99:5060");
    /* without Supported: outbound reg-id means nothing: two bindings */
    g_autofree char *r3 = register_msg("10.0.0.20", 3, "");
    feed(reg, 2 * SIM_SEC, EDGE, r3);
    g_ptr_array_free(drain(reg, NULL), TRUE);
    g_ptr_array_set_size(c, 0);
    g_assert_cmpuint(sip_location_lookup(loc, "bob@mit.edu", 2 * SIM_SEC, c, NULL), ==, 2);
    /* §6: reg-id through a first hop without ;ob: 439 */
    g_autofree char *r4 = register_msg("10.0.0.20", 4,
                                       "Supported: outbound\r\nPath: <sip:18.7.22.10;lr>\r\n");
    feed(reg, 3 * SIM_SEC, EDGE, r4);
    out = drain(reg, NULL);
    g_assert_cmpuint(final_status(out), ==, 439);
    g_ptr_array_free(out, TRUE);
    g_ptr_array_free(c, TRUE);
    sip_server_free(reg);
}

static void test_home_proxy_path(void)
{
    sim_rng rng;
    sim_rng_seed(&rng, 3);
    sip_location *loc = sip_location_new();
    sip_binding_ob ob = { .path = PATH ", <sip:18.7.22.11;lr>" };
    sip_location_bind_ob(loc, "bob@mit.edu", "sip:bob@10.0.0.20:5060", 600 * SIM_SEC, NULL, &ob);
    sip_server *px = home_proxy_invited(&rng, loc);
    GPtrArray *out = drain(px, NULL);
    const sent *inv = NULL;
    for (guint i = 0; i < out->len; i++)
        if (((sent *)out->pdata[i])->m->request)
            inv = out->pdata[i];
    g_assert_nonnull(inv);
    g_assert_true(sim_ep_eq(&inv->to, &(sim_ep){ ep(EDGE).ip, 5060 })); /* to the edge */
    g_assert_cmpstr(inv->m->ruri, ==, "sip:bob@10.0.0.20:5060");
    sip_nameaddr na;
    g_assert_cmpint(sip_msg_nameaddr(inv->m, SIP_HDR_ROUTE, 0, &na), ==, 0);
    g_assert_cmpint((int)na.uri.user.len, ==, 34);
    g_assert_cmpint(sip_msg_nameaddr(inv->m, SIP_HDR_ROUTE, 1, &na), ==, 0); /* order kept */
    g_assert_true(str_is(na.uri.host, "18.7.22.11"));
    g_assert_cmpuint(sip_server_get_stats(px)->via_path, ==, 1);
    g_ptr_array_free(out, TRUE);
    sip_server_free(px);
    sip_location_free(loc);
}

/* ---------------------------------------------------------------- edge proxy */

static char *invite_via_edge(const char *route, unsigned n)
{
    return g_strdup_printf(
        "INVITE sip:bob@10.0.0.20:5060 SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 18.7.22.83:5060;branch=z9hG4bKhome%u\r\n"
        "Via: SIP/2.0/UDP 128.6.5.10:5060;branch=z9hG4bKa%u\r\nMax-Forwards: 69\r\n"
        "Route: %s\r\nRecord-Route: <sip:18.7.22.83:5060;lr>\r\n"
        "To: <sip:bob@mit.edu>\r\nFrom: <sip:alice@rutgers.edu>;tag=a\r\nCall-ID: c%u@a\r\n"
        "CSeq: 1 INVITE\r\nContact: <sip:alice@128.6.5.10>\r\nContent-Length: 0\r\n\r\n",
        n, n, route, n);
}

static void test_edge(void)
{
    sim_rng rng;
    sim_rng_seed(&rng, 4);
    sip_server_cfg c = { .domain = "edge.mit.edu", .self = ep(EDGE), .outbound = true,
                         .flow_timeout = 60, .record_route = true };
    sip_server *edge = sip_server_new(&c, &rng);
    /* the REGISTER from bob's NAT mapping goes on to the registrar with our Path */
    feed(edge, 0, NAT,
         "REGISTER sip:mit.edu SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 10.0.0.20:5060;branch=z9hG4bKbob1;rport\r\nMax-Forwards: 70\r\n"
         "To: <sip:bob@mit.edu>\r\nFrom: <sip:bob@mit.edu>;tag=1\r\nCall-ID: r@b\r\n"
         "CSeq: 1 REGISTER\r\nSupported: outbound, path\r\n"
         "Contact: <sip:bob@10.0.0.20:5060>;" INST ";reg-id=1\r\nContent-Length: 0\r\n\r\n");
    unsigned id;
    char host[64];
    g_assert_true(sip_server_lookup_pop(edge, &id, host, sizeof host));
    g_assert_cmpstr(host, ==, "mit.edu");
    sim_ep regep = ep("18.7.22.84:5060");
    sip_server_located(edge, 0, id, 0, &regep);
    GPtrArray *out = drain(edge, NULL);
    const sent *reg = find_request(out);
    g_assert_nonnull(reg);
    g_autofree char *path = g_strdup(hdr(reg->m, "Path"));
    g_assert_nonnull(path);
    g_assert_true(g_str_has_suffix(path, "@18.7.22.10:5060;lr;ob>"));
    g_ptr_array_free(out, TRUE);

    /* the home proxy's INVITE with that Path as Route goes over the flow */
    g_autofree char *i1 = invite_via_edge(path, 1);
    feed(edge, 10 * SIM_SEC, "18.7.22.83:5060", i1);
    out = drain(edge, NULL);
    const sent *inv = find_request(out);
    g_assert_nonnull(inv);
    g_assert_true(sim_ep_eq(&inv->to, &(sim_ep){ ep(NAT).ip, 55729 }));
    g_assert_null(sip_msg_hdr(inv->m, SIP_HDR_ROUTE, 0)); /* our Route popped */
    sip_nameaddr rr;
    g_assert_cmpint(sip_msg_nameaddr(inv->m, SIP_HDR_RECORD_ROUTE, 0, &rr), ==, 0);
    g_assert_cmpint((int)rr.uri.user.len, ==, 34); /* record-routed with the flow token */
    g_assert_cmpuint(sip_server_get_stats(edge)->via_token, ==, 1);
    g_ptr_array_free(out, TRUE);

    /* 70 s of silence on the flow (flow_timeout 60): 430 Flow Failed */
    g_autofree char *i2 = invite_via_edge(path, 2);
    feed(edge, 80 * SIM_SEC, "18.7.22.83:5060", i2);
    out = drain(edge, NULL);
    g_assert_null(find_request(out));
    g_assert_cmpuint(final_status(out), ==, 430);
    g_assert_cmpuint(sip_server_get_stats(edge)->flow_failed, ==, 1);
    g_ptr_array_free(out, TRUE);

    /* a keep-alive revives it */
    sim_ep nat = ep(NAT);
    sip_server_keepalive(edge, 85 * SIM_SEC, &nat);
    g_autofree char *i3 = invite_via_edge(path, 3);
    feed(edge, 90 * SIM_SEC, "18.7.22.83:5060", i3);
    out = drain(edge, NULL);
    g_assert_nonnull(find_request(out));
    g_ptr_array_free(out, TRUE);

    /* a forged token (one digit of the port changed): 403 */
    char *at = strstr(path, "d9b1");
    if (!at)
        at = path + 14;
    at[0] = at[0] == '0' ? '1' : '0';
    g_autofree char *i4 = invite_via_edge(path, 4);
    feed(edge, 91 * SIM_SEC, "18.7.22.83:5060", i4);
    out = drain(edge, NULL);
    g_assert_null(find_request(out));
    g_assert_cmpuint(final_status(out), ==, 403);
    g_ptr_array_free(out, TRUE);
    sip_server_free(edge);
}

/* ---------------------------------------------------------------- UA */

/* §4.4.1 keep-alives over UDP: STUN at 80-100 % of Flow-Timer, retransmitted, and a flow
 * failing (no answer, a changed mapping) re-registering; none after unregistering. */
static void test_ua_keepalive(void)
{
    sim_rng rng;
    GPtrArray *out;
    sip_ua *ua = ob_ua_registering(NULL, &rng, 5, 3600, &out);
    const sip_msg *reg = ((sent *)out->pdata[0])->m;
    sip_nameaddr na;
    sip_via v;
    g_assert_cmpint(sip_msg_nameaddr(reg, SIP_HDR_CONTACT, 0, &na), ==, 0);
    const sip_param *inst = sip_params_find(&na.params, "+sip.instance");
    g_assert_nonnull(inst);
    g_assert_true(g_str_has_prefix(inst->value.p, "\"<urn:uuid:"));
    g_assert_cmpint(inst->value.p[11 + 14], ==, '4'); /* RFC 4122 version 4 */
    g_assert_true(str_is(sip_params_find(&na.params, "reg-id")->value, "1"));
    g_assert_cmpstr(hdr(reg, "Supported"), ==, "outbound, path");
    g_assert_cmpint(sip_msg_via(reg, 0, &v), ==, 0);
    g_assert_true(v.rport); /* outbound implies rport */
    answer_register(ua, SIM_MS, out, "30");
    g_ptr_array_free(out, TRUE);
    /* §4.4.1: 80-100 % of Flow-Timer */
    sip_ua_timeout(ua, 6 * SIM_SEC); /* Timer K of the REGISTER */
    sim_time_t now, first = sip_ua_next_deadline(ua);
    g_assert_cmpuint(first, >=, SIM_MS + 24 * SIM_SEC);
    g_assert_cmpuint(first, <=, SIM_MS + 30 * SIM_SEC);
    out = next_keepalive(ua, &now);
    g_assert_cmpuint(out->len, ==, 1);
    g_assert_null(((sent *)out->pdata[0])->m);
    g_assert_true(sim_ep_eq(&((sent *)out->pdata[0])->to, &(sim_ep){ ep(EDGE).ip, 5060 }));
    answer_stun(ua, now, out, NAT);
    g_ptr_array_free(out, TRUE);
    g_assert_cmpuint(sip_ua_get_stats(ua)->keepalive_answers, ==, 1);
    /* the next one is not answered: it is a STUN transaction (RFC 5389 §7.2.1, RTO 500 ms):
     * the same 20 bytes again at +0.5, +1.5, +3.5, +7.5 s; at +10 s the flow failed and bob
     * re-registers */
    sim_time_t sent_at;
    GPtrArray *first_ka = next_keepalive(ua, &sent_at);
    GBytes *req0 = ((sent *)first_ka->pdata[0])->raw;
    static const sim_time_t rtx_ms[] = { 500, 1500, 3500, 7500 };
    for (size_t i = 0; i < G_N_ELEMENTS(rtx_ms); i++) {
        out = next_keepalive(ua, &now);
        g_assert_cmpuint(now, ==, sent_at + rtx_ms[i] * SIM_MS);
        g_assert_cmpuint(out->len, ==, 1);
        g_assert_true(g_bytes_equal(((sent *)out->pdata[0])->raw, req0));
        g_ptr_array_free(out, TRUE);
    }
    g_ptr_array_free(first_ka, TRUE);
    g_assert_cmpuint(sip_ua_get_stats(ua)->keepalive_rtx, ==, 4);
    out = next_keepalive(ua, &now);
    g_assert_cmpuint(now, ==, sent_at + 10 * SIM_SEC);
    g_assert_cmpuint(sip_ua_get_stats(ua)->flow_failures, ==, 1);
    g_assert_cmpuint(out->len, ==, 1);
    g_assert_cmpstr(((sent *)out->pdata[0])->m->method, ==, "REGISTER");
    answer_register(ua, now + SIM_MS, out, "30");
    g_ptr_array_free(out, TRUE);
    out = next_keepalive(ua, &now);
    answer_stun(ua, now, out, NAT);
    g_ptr_array_free(out, TRUE);
    /* a changed mapping (the NAT rebooted) fails the flow too */
    out = next_keepalive(ua, &now);
    answer_stun(ua, now, out, "128.6.4.33:40000");
    g_ptr_array_free(out, TRUE);
    g_assert_cmpuint(sip_ua_get_stats(ua)->flow_failures, ==, 2);
    out = drain(NULL, ua);
    g_assert_cmpuint(out->len, ==, 1);
    g_assert_cmpstr(((sent *)out->pdata[0])->m->method, ==, "REGISTER");
    answer_register(ua, now + SIM_MS, out, "30");
    g_ptr_array_free(out, TRUE);
    /* unregistering stops the keep-alives: only the REGISTER's Timer K is left */
    g_assert_cmpint(sip_ua_register(ua, now + SIM_SEC, 0), ==, 0);
    out = drain(NULL, ua);
    answer_register(ua, now + 2 * SIM_SEC, out, NULL);
    g_ptr_array_free(out, TRUE);
    sip_ua_timeout(ua, now + 8 * SIM_SEC);
    g_assert_cmpuint(sip_ua_next_deadline(ua), ==, SIM_TIME_NEVER);
    sip_ua_free(ua);
}

/* Over TCP: CRLFCRLF pings, the pong, and a closed connection failing the flow. */
static void test_ua_keepalive_tcp(void)
{
    sim_rng rng;
    sip_ua_cfg c = { .aor = "sip:bob@mit.edu", .local = ep("10.0.0.20:5060"),
                     .registrar = ep(EDGE), .outbound = true, .tcp = true, .keepalive = 30 };
    GPtrArray *out;
    sip_ua *ua = ob_ua_registering(&c, &rng, 6, 3600, &out);
    answer_register(ua, SIM_MS, out, NULL);
    g_ptr_array_free(out, TRUE);
    sim_time_t now;
    out = next_keepalive(ua, &now);
    g_assert_cmpuint(now, ==, SIM_MS + 30 * SIM_SEC); /* keepalive = 30 */
    gsize len;
    const uint8_t *ping = g_bytes_get_data(((sent *)out->pdata[0])->raw, &len);
    g_assert_cmpmem(ping, len, "\r\n\r\n", 4);
    g_ptr_array_free(out, TRUE);
    sim_ep edge = ep(EDGE), other = ep("18.7.22.99:5060");
    sip_ua_flow_event(ua, now, &other, false); /* a pong from elsewhere is not ours */
    g_assert_cmpuint(sip_ua_get_stats(ua)->keepalive_answers, ==, 0);
    sip_ua_flow_event(ua, now + SIM_MS, &edge, false);
    g_assert_cmpuint(sip_ua_get_stats(ua)->keepalive_answers, ==, 1);
    sip_ua_flow_event(ua, now + 2 * SIM_SEC, &edge, true); /* the connection closed */
    g_assert_cmpuint(sip_ua_get_stats(ua)->flow_failures, ==, 1);
    out = drain(NULL, ua);
    g_assert_cmpuint(out->len, ==, 1);
    g_assert_cmpstr(((sent *)out->pdata[0])->m->method, ==, "REGISTER");
    g_ptr_array_free(out, TRUE);
    sip_ua_free(ua);
}


int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sip/outbound/token-vectors", test_token_vectors);
    g_test_add_func("/sip/outbound/token-tamper", test_token_tamper);
    g_test_add_func("/sip/outbound/stun-demux", test_stun_demux);
    g_test_add_func("/sip/outbound/registrar-path", test_registrar_path);
    g_test_add_func("/sip/outbound/reg-id-replace", test_reg_id_replace);
    g_test_add_func("/sip/outbound/home-proxy-path", test_home_proxy_path);
    g_test_add_func("/sip/outbound/edge-flow-430-403", test_edge);
    g_test_add_func("/sip/outbound/ua-keepalive", test_ua_keepalive);
    g_test_add_func("/sip/outbound/ua-keepalive-tcp", test_ua_keepalive_tcp);
    return g_test_run();
}
