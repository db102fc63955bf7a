/* fuzz_turn — arbitrary bytes as TURN traffic: the codec (a STUN-format message or ChannelData)
 * must refuse or accept without crashing, and what it accepts must re-encode to the same bytes
 * (padding zeroed); the `decode turn` dump must survive it; and the server and client cores,
 * set up once with an allocation, a permission and a channel, must survive it as a client's
 * datagram, a peer's datagram on the relayed address, a stranger's request, and a datagram from
 * the server to the client. The same bytes as a client's TCP stream (RFC 8656 §3.1): framed by
 * stun_stream (STUN and padded ChannelData), every frame goes to both cores as over TCP. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "protocols/turn/turn.h"
#include "stun_roundtrip.h"

static void check_codec(const uint8_t *data, size_t size)
{
    stun_msg m;
    if (turn_msg_decode(data, size, &m, NULL) == 0) {
        fuzz_stun_roundtrip(&m, data, size);
        size_t len;
        uint16_t ch, code;
        uint32_t u;
        uint8_t b, t;
        bool r;
        const uint8_t *d;
        char s[STUN_TEXT_MAX + 1];
        turn_msg_get_channel(&m, &ch);
        turn_msg_get_lifetime(&m, &u);
        turn_msg_get_transport(&m, &b);
        turn_msg_get_family(&m, TURN_ATTR_REQUESTED_ADDRESS_FAMILY, &b);
        turn_msg_get_family(&m, TURN_ATTR_ADDITIONAL_ADDRESS_FAMILY, &b);
        turn_msg_get_even_port(&m, &r);
        turn_msg_get_data(&m, &d, &len);
        turn_msg_get_address_error(&m, &b, &code, s, sizeof s);
        turn_msg_get_icmp(&m, &b, &t, &u);
    }
    uint16_t ch;
    const uint8_t *d;
    size_t dl;
    if (turn_chandata_decode(data, size, &ch, &d, &dl, NULL) == 0) {
        uint8_t again[0x10000 + 8];
        size_t len;
        bool pad = size != TURN_CHANDATA_HDR + dl;
        if (turn_chandata_encode(ch, d, dl, pad, again, sizeof again, &len) != 0 ||
            len != size || memcmp(again, data, TURN_CHANDATA_HDR + dl) != 0)
            abort();
    }
}

static void check_cli(const uint8_t *data, size_t size)
{
    char *argv[] = { "fuzz" };
    GString *out = g_string_new(NULL);
    GError *err = NULL;
    turn_decode(data, size, 1, argv, out, &err);
    g_clear_error(&err);
    g_string_free(out, TRUE);
}

/* A server and a client wired back to back, with an allocation, a permission for the peer and
 * channel 0x4000 bound to it. Built once: fuzz inputs carry no valid MESSAGE-INTEGRITY, so they
 * cannot change allocations, and nothing they make the cores queue is kept. */
typedef struct fixture {
    sim_rng rng;
    turn_server *s;
    turn_client *c;
    sim_ep listen, client, peer, relay;
} fixture;

static void pump(fixture *f)
{
    turn_out o;
    bool moved = true;
    while (moved) {
        moved = false;
        while (turn_client_pop(f->c, &o)) {
            moved = true;
            turn_server_input(f->s, 0, &f->listen, &f->client, o.data, o.len);
        }
        while (turn_server_pop(f->s, &o)) {
            moved = true;
            if (sim_ep_eq(&o.to, &f->client))
                turn_client_input(f->c, 0, &f->listen, o.data, o.len);
        }
    }
    turn_event ev;
    turn_server_event sev;
    turn_rx rx;
    while (turn_client_pop_event(f->c, &ev) || turn_server_pop_event(f->s, &sev) ||
           turn_client_pop_rx(f->c, &rx))
        ;
}

static fixture *fixture_get(void)
{
    static fixture f;
    if (f.s)
        return &f;
    sim_rng_seed(&f.rng, 5);
    sim_ep_parse("18.181.0.31:3478", &f.listen);
    sim_ep_parse("68.36.210.57:21199", &f.client);
    sim_ep_parse("138.76.29.7:4000", &f.peer);
    f.s = turn_server_new(&(turn_server_cfg){ .listen = f.listen, .software = "fuzz",
                                              .fingerprint = true }, &f.rng);
    turn_server_add_user(f.s, "alice", "secret");
    f.c = turn_client_new(&(turn_client_cfg){ .server = f.listen, .username = "alice",
                                              .password = "secret" }, &f.rng);
    turn_client_allocate(f.c, 0);
    pump(&f);
    turn_client_bind(f.c, 0, &f.peer, NULL);
    pump(&f);
    if (turn_client_relayed(f.c, &f.relay, NULL) != 0)
        abort();
    return &f;
}

static void check_cores(const uint8_t *data, size_t size)
{
    fixture *f = fixture_get();
    sim_ep stranger;
    sim_ep_parse("203.0.113.9:5000", &stranger);
    turn_server_input(f->s, 0, &f->listen, &f->client, data, size);
    turn_server_input(f->s, 0, &f->listen, &stranger, data, size);
    turn_server_input(f->s, 0, &f->relay, &f->peer, data, size);
    turn_client_input(f->c, 0, &f->listen, data, size);
    turn_out o;
    while (turn_server_pop(f->s, &o))
        ;
    pump(f);
}

static void check_stream(const uint8_t *data, size_t size)
{
    fixture *f = fixture_get();
    stun_stream *r = g_new(stun_stream, 1);
    stun_stream_init(r, true);
    size_t off = 0;
    int rc = 0;
    while (off < size && rc >= 0) {
        off += stun_stream_feed(r, data + off, MIN(size - off, 7)); /* odd chunks */
        const uint8_t *fr;
        size_t len;
        while ((rc = stun_stream_next(r, &fr, &len)) == 1) {
            uint16_t ch;
            const uint8_t *d;
            size_t dl;
            if (stun_stream_is_channel(fr, len) &&
                turn_chandata_decode(fr, len, &ch, &d, &dl, NULL) != 0)
                abort(); /* the reader hands out only well-framed ChannelData */
            turn_server_input(f->s, 0, &f->listen, &f->client, fr, len);
            turn_client_input(f->c, 0, &f->listen, fr, len);
        }
    }
    g_free(r);
    turn_out o;
    while (turn_server_pop(f->s, &o))
        ;
    pump(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_codec(data, size);
    check_cli(data, size);
    check_cores(data, size);
    check_stream(data, size);
    return 0;
}
