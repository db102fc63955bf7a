/* fuzz_stun — arbitrary bytes as a STUN message: the decoder must refuse or accept without
 * crashing; whatever it accepts must re-encode to the same bytes once padding is zeroed (the
 * decoder ignores padding, the encoder writes zeros); the dump, the integrity and fingerprint
 * checks and the client, server and discovery cores must survive it as input. The same bytes as
 * a TCP stream (stun_stream.c): read whole and in chunks of sizes the bytes pick, both readings
 * must give the same frames, each with the length its header says and laid end to end exactly
 * as in the input (plus ChannelData padding). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "protocols/stun/stun.h"
#include "stun_roundtrip.h"

static void check_codec(const uint8_t *data, size_t size)
{
    stun_msg m;
    if (stun_msg_decode(data, size, &m, NULL) != 0)
        return;
    fuzz_stun_roundtrip(&m, data, size);
    static const uint8_t key[4] = { 1, 2, 3, 4 };
    stun_msg_check_integrity(&m, key, sizeof key);
    stun_msg_check_integrity_sha256(&m, key, sizeof key);
    stun_msg_check_fingerprint(&m);
    sim_ep ep;
    uint16_t code, types[8];
    size_t len;
    char s[STUN_TEXT_MAX + 1];
    stun_msg_get_addr(&m, STUN_ATTR_XOR_MAPPED_ADDRESS, &ep);
    stun_msg_get_error(&m, &code, s, sizeof s);
    stun_msg_get_unknown(&m, types, 8, &len);
    stun_binding_mapped(data, size, &ep);
}

static void check_cli(const uint8_t *data, size_t size)
{
    char *argv[] = { "fuzz", "--password", "VOkJxbRl1RmTxUk/WvJxBt" };
    GString *out = g_string_new(NULL);
    GError *err = NULL;
    stun_decode(data, size, 3, argv, out, &err);
    g_clear_error(&err);
    g_string_free(out, TRUE);
}

static void check_cores(const uint8_t *data, size_t size)
{
    sim_rng rng;
    sim_rng_seed(&rng, 1);
    stun_server_cfg cfg = { .software = "fuzz", .fingerprint = true, .alt_port = 3479 };
    sim_ep_parse("18.181.0.31:3478", &cfg.primary);
    sim_ip_parse("18.181.0.32", &cfg.alt_ip);
    sim_ep from;
    sim_ep_parse("68.36.210.57:21199", &from);
    stun_server *s = stun_server_new(&cfg);
    for (size_t idx = 0; idx < stun_server_n_local(s); idx++)
        stun_server_input(s, 0, idx, &from, data, size);
    stun_client *c = stun_client_new(&(stun_client_cfg){ .fingerprint = true }, &rng);
    stun_client_binding(c, 0, &cfg.primary, 0, NULL);
    if (size >= STUN_HDR_LEN)
        stun_client_start(c, 0, &cfg.primary, data, size, NULL);
    stun_client_input(c, 0, &cfg.primary, data, size);
    stun_client_timeout(c, stun_client_next_deadline(c));
    stun_out o;
    while (stun_server_pop(s, &o) || stun_client_pop(c, &o))
        ;
    stun_server_free(s);
    stun_client_free(c);
}

/* The RFC 5780 discovery core: the input as it is, and with its transaction id replaced by
 * the pending request's (so it is taken as the answer to test I, then to whatever test that
 * leads to), on both sockets; timeouts in between move the tests on. */
static void check_discovery(const uint8_t *data, size_t size)
{
    sim_rng rng;
    sim_rng_seed(&rng, 2);
    stun_discovery_cfg cfg = { .client = { .fingerprint = true, .rc = 2 } };
    sim_ep_parse("18.181.0.31:3478", &cfg.server);
    sim_ep_parse("10.0.0.1:5000", &cfg.local);
    sim_ep_parse("10.0.0.1:5001", &cfg.local2);
    stun_discovery *d = stun_discovery_new(&cfg, &rng);
    stun_discovery_start(d, 0);
    uint8_t *buf = g_malloc(size + 1);
    memcpy(buf, data, size);
    stun_out o;
    sim_time_t now = 0;
    for (int step = 0; step < 12; step++) {
        while (stun_discovery_pop(d, &o)) {
            if (size >= STUN_HDR_LEN)
                memcpy(buf + 8, o.data + 8, STUN_TXID_LEN);
        }
        stun_discovery_input(d, now, 0, &cfg.server, data, size);
        stun_discovery_input(d, now, 0, &cfg.server, buf, size);
        stun_discovery_input(d, now, 1, &cfg.server, buf, size);
        if (stun_discovery_next_deadline(d) == SIM_TIME_NEVER)
            break;
        now = stun_discovery_next_deadline(d);
        stun_discovery_timeout(d, now);
    }
    const stun_discovery_result *r = stun_discovery_get_result(d);
    if (r->state == STUN_DISC_FAILED && !r->error)
        abort();
    g_free(buf);
    stun_discovery_free(d);
}

/* Reads data as a stream in chunks (chunked: sizes 1..64 picked by the bytes; else whole);
 * appends every frame's offset and length to out. Returns the reader's final state. */
static int read_stream(const uint8_t *data, size_t size, bool channel, bool chunked,
                       GArray *out)
{
    stun_stream *r = g_new(stun_stream, 1);
    stun_stream_init(r, channel);
    size_t off = 0, pos = 0;
    int rc = 0;
    while (off < size && rc >= 0) {
        size_t n = chunked ? MIN(size - off, (size_t)(data[off] % 64) + 1) : size - off;
        size_t took = stun_stream_feed(r, data + off, n);
        off += took;
        const uint8_t *f;
        size_t len;
        while ((rc = stun_stream_next(r, &f, &len)) == 1) {
            if (len < 4 || memcmp(f, data + pos, len) != 0)
                abort(); /* frames are the input's bytes, in order */
            size_t hdr = ((size_t)f[2] << 8 | f[3]);
            bool chan = stun_stream_is_channel(f, len);
            if ((chan && (!channel || len != 4 + hdr)) || (!chan && len != STUN_HDR_LEN + hdr))
                abort();
            size_t item[2] = { pos, len };
            g_array_append_vals(out, item, 2);
            pos += chan ? (len + 3) & ~(size_t)3 : len;
        }
        if (rc == 0 && took == 0)
            abort(); /* a full buffer must hold a frame or an error */
        if (rc < 0 && !r->error)
            abort();
    }
    g_free(r);
    return rc;
}

static void check_stream(const uint8_t *data, size_t size)
{
    for (int channel = 0; channel < 2; channel++) {
        GArray *whole = g_array_new(FALSE, FALSE, sizeof(size_t));
        GArray *chunks = g_array_new(FALSE, FALSE, sizeof(size_t));
        int a = read_stream(data, size, channel, false, whole);
        int b = read_stream(data, size, channel, true, chunks);
        if (a != b || whole->len != chunks->len ||
            memcmp(whole->data, chunks->data, whole->len * sizeof(size_t)) != 0)
            abort();
        g_array_free(whole, TRUE);
        g_array_free(chunks, TRUE);
    }
    /* A reliable client core fed the bytes: one transmission, Ti, nothing else. */
    sim_rng rng;
    sim_rng_seed(&rng, 3);
    stun_client *c = stun_client_new(&(stun_client_cfg){ .reliable = true }, &rng);
    sim_ep srv;
    sim_ep_parse("18.181.0.31:3478", &srv);
    stun_client_binding(c, 0, &srv, 0, NULL);
    stun_client_input(c, 0, &srv, data, size);
    stun_client_timeout(c, STUN_TI_DEFAULT);
    stun_out o;
    if (!stun_client_pop(c, &o) || stun_client_pop(c, &o) ||
        stun_client_next_deadline(c) != SIM_TIME_NEVER)
        abort();
    stun_client_transport_failed(c, STUN_TI_DEFAULT);
    stun_client_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_stream(data, size);
    check_codec(data, size);
    check_cli(data, size);
    check_cores(data, size);
    check_discovery(data, size);
    return 0;
}
