/* fuzz_ice — arbitrary bytes as (1) an RFC 8839 `candidate:` line: refused or accepted without
 * crashing, and what is accepted re-encodes to a line that decodes to the same candidate; and
 * (2) a datagram arriving at an ICE agent (ufrag "fuzz", password "fuzzpasswordfuzzpassword",
 * one host candidate, one remote candidate) from the remote candidate's address, followed by
 * the agent's timers: no crash, no leak, and a success response only to a check that carried
 * valid credentials; and (3) `natsim decode ice` on the bytes as a file. Corpus:
 * tests/fuzz/gen_ice_corpus.py. */
#include <stdlib.h>
#include <string.h>
#include "protocols/ice/ice.h"
#include "protocols/stun/stun.h"

static void check_line(const uint8_t *data, size_t size)
{
    ice_cand c, again;
    char line[ICE_CAND_STRLEN];
    if (ice_cand_decode((const char *)data, size, &c) != 0)
        return;
    if (c.type == ICE_CAND_HOST)
        c.base = (sim_ep){ 0 }; /* a host line's raddr is not re-encoded */
    if (ice_cand_encode(&c, line, sizeof line) != 0 || ice_cand_decode(line, strlen(line), &again) != 0)
        abort();
    if (strcmp(c.foundation, again.foundation) != 0 || c.component != again.component ||
        c.priority != again.priority || c.type != again.type || !sim_ep_eq(&c.addr, &again.addr) ||
        !sim_ep_eq(&c.base, &again.base))
        abort();
}

static void check_agent(const uint8_t *data, size_t size)
{
    sim_rng r;
    sim_rng_seed(&r, 1);
    ice_agent_cfg cfg = { .ufrag = "fuzz", .pwd = "fuzzpasswordfuzzpassword" };
    ice_agent *a = ice_agent_new(&cfg, &r);
    sim_ep local, remote;
    sim_ep_parse("10.0.0.1:5000", &local);
    sim_ep_parse("10.9.0.1:7000", &remote);
    ice_cand h = { .type = ICE_CAND_HOST, .component = 1, .addr = local, .base = local, .sock = 1 };
    ice_cand p = { .foundation = "1", .type = ICE_CAND_HOST, .component = 1, .addr = remote,
                   .priority = 2130706431u };
    ice_agent_add_local(a, 0, &h, 65535, NULL);
    ice_agent_set_remote(a, 0, "peer", "peerpasswordpeerpassword");
    ice_agent_add_remote(a, 0, &p);
    int rc = ice_agent_input(a, 0, 1, &remote, data, size);
    ice_out o;
    while (ice_agent_pop(a, &o)) {
        stun_msg m;
        if (stun_msg_decode(o.data, o.len, &m, NULL) == 0 && m.cls == STUN_SUCCESS && rc != 0)
            abort(); /* answered 200 to something it refused */
    }
    for (sim_time_t t = 0; t <= 200 * SIM_MS; t += 50 * SIM_MS) {
        ice_agent_timeout(a, t);
        while (ice_agent_pop(a, &o)) {}
    }
    ice_event ev;
    while (ice_agent_pop_event(a, &ev)) {}
    ice_agent_free(a);
}

static void check_cli(const uint8_t *data, size_t size)
{
    char *argv[] = { "fuzz" };
    GString *out = g_string_new(NULL);
    GError *err = NULL;
    ice_decode(data, size, 1, argv, out, &err);
    g_clear_error(&err);
    g_string_free(out, TRUE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_line(data, size);
    check_cli(data, size);
    check_agent(data, size);
    return 0;
}
