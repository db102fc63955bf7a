/* fuzz_relay — arbitrary bytes as a relay/rendezvous datagram: the decoder must refuse or accept
 * without crashing, whatever it accepts must re-encode to the very same bytes (one encoding per
 * message), and the server and client cores must survive the datagram as input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "protocols/relay/relay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    relay_msg m;
    if (relay_msg_decode(data, size, &m) == 0) {
        uint8_t again[RELAY_MSG_MAX];
        size_t len;
        if (relay_msg_encode(&m, again, sizeof again, &len) != 0 || len != size ||
            memcmp(again, data, size) != 0)
            abort();
        GString *s = g_string_new(NULL);
        relay_msg_fmt(&m, s);
        g_string_free(s, TRUE);
    }

    sim_rng rng;
    sim_rng_seed(&rng, 1);
    sim_ep from, server;
    sim_ep_parse("155.99.25.11:62000", &from);
    sim_ep_parse("18.181.0.31:5000", &server);
    relay_server *srv = relay_server_new(&(relay_server_cfg){ .roles = 7 }, &rng);
    relay_client_cfg cfg = { .name = "A", .server = server, .local = from, .accept = true };
    relay_client *c = relay_client_new(&cfg, &rng);
    relay_client_register(c, 0);
    relay_server_input(srv, 0, &from, data, size);
    relay_client_input(c, 0, &server, data, size);
    relay_client_input(c, 0, &from, data, size);
    relay_client_timeout(c, relay_client_next_deadline(c));
    relay_out o;
    while (relay_server_pop(srv, &o) || relay_client_pop(c, &o))
        ;
    relay_server_free(srv);
    relay_client_free(c);
    return 0;
}
