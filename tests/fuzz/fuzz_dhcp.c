/* fuzz_dhcp — arbitrary bytes as a DHCP message: the decoder must refuse or accept without
 * crashing; whatever it accepts must encode, and the encoding must decode to the same header
 * and the same options (overload folded in, long options re-split); the dump and both cores
 * must survive it as input. The client is also fed the bytes with its own xid and MAC patched
 * in (a twin rng predicts the xid), so the fuzzer reaches its OFFER / ACK / NAK paths. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "protocols/dhcp/dhcp.h"

static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };

static bool same_msg(const dhcp_msg *a, const dhcp_msg *b)
{
    if (a->op != b->op || a->htype != b->htype || a->hlen != b->hlen || a->hops != b->hops ||
        a->xid != b->xid || a->secs != b->secs || a->flags != b->flags ||
        a->ciaddr != b->ciaddr || a->yiaddr != b->yiaddr || a->siaddr != b->siaddr ||
        a->giaddr != b->giaddr || memcmp(a->chaddr, b->chaddr, DHCP_CHADDR_LEN) ||
        memcmp(a->sname, b->sname, DHCP_SNAME_LEN) || memcmp(a->file, b->file, DHCP_FILE_LEN) ||
        a->n_opts != b->n_opts)
        return false;
    for (size_t i = 0; i < a->n_opts; i++)
        if (a->opts[i].code != b->opts[i].code || a->opts[i].len != b->opts[i].len ||
            memcmp(dhcp_opt_value(a, &a->opts[i]), dhcp_opt_value(b, &b->opts[i]),
                   a->opts[i].len))
            return false;
    return true;
}

static void check_codec(const uint8_t *data, size_t size)
{
    dhcp_msg *m = g_new(dhcp_msg, 2);
    if (dhcp_msg_decode(data, size, &m[0], NULL) == 0) {
        uint8_t *buf = g_malloc(DHCP_MSG_MAX + 1024);
        size_t len;
        /* Re-splitting adds 2 bytes per 255 of option data, so a message near the cap may
         * not fit back into DHCP_MSG_MAX: only then may the round trip stop early. */
        if (dhcp_msg_encode(&m[0], buf, DHCP_MSG_MAX + 1024, &len) != 0)
            abort();
        if (len <= DHCP_MSG_MAX &&
            (dhcp_msg_decode(buf, len, &m[1], NULL) != 0 || !same_msg(&m[0], &m[1])))
            abort();
        uint32_t v, ips[4];
        size_t n;
        dhcp_msg_get_u32(&m[0], DHCP_OPT_LEASE_TIME, &v);
        dhcp_msg_get_ips(&m[0], DHCP_OPT_DNS, ips, 4, &n);
        g_free(buf);
    }
    g_free(m);
    GString *out = g_string_new(NULL);
    GError *err = NULL;
    char *argv[] = { "fuzz" };
    dhcp_decode(data, size, 1, argv, out, &err);
    g_clear_error(&err);
    g_string_free(out, TRUE);
}

static void drain(dhcp_client *c, dhcp_server *s)
{
    dhcp_action a;
    dhcp_out o;
    while (dhcp_client_pop(c, &a))
        ;
    while (dhcp_server_pop(s, &o))
        ;
}

static void check_cores(const uint8_t *data, size_t size)
{
    dhcp_server_cfg cfg = { .server_id = 0xc0a80101, .n_pools = 1 };
    cfg.pools[0] = (dhcp_pool_cfg){ .start = 0xc0a80164, .end = 0xc0a80167, .mask = 0xffffff00,
                                    .router = 0xc0a80101, .domain = "lan" };
    dhcp_server *s = dhcp_server_new(&cfg);
    dhcp_server_input(s, 0, data, size);
    dhcp_server_timeout(s, dhcp_server_next_deadline(s));

    sim_rng rng, twin;
    sim_rng_seed(&rng, 7);
    sim_rng_seed(&twin, 7);
    dhcp_client *c = dhcp_client_new(&(dhcp_client_cfg){ .mac = { 2, 0, 0x5e, 0x10, 0, 1 } }, &rng);
    dhcp_client_start(c, 0);
    uint32_t xid = (uint32_t)sim_rng_u64(&twin);
    uint8_t *p = g_memdup2(data, size ? size : 1);
    if (size >= 34) {
        p[4] = (uint8_t)(xid >> 24);
        p[5] = (uint8_t)(xid >> 16);
        p[6] = (uint8_t)(xid >> 8);
        p[7] = (uint8_t)xid;
        memcpy(p + 28, mac, 6);
    }
    /* The same bytes in every state they can move the client through. */
    for (int round = 0; round < 3; round++) {
        dhcp_client_input(c, 0, p, size);
        dhcp_client_conflict(c, 0, dhcp_client_lease(c)->addr);
        dhcp_client_timeout(c, dhcp_client_next_deadline(c));
        drain(c, s);
    }
    dhcp_client_release(c, 0);
    drain(c, s);
    g_free(p);
    dhcp_client_free(c);
    dhcp_server_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_codec(data, size);
    check_cores(data, size);
    return 0;
}
