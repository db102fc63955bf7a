/* cli/modules.c — the protocol modules natsim knows: each gives a Lua global for scenarios and
 * a decoder for `natsim decode`. sim/ includes nothing from protocols/; this table is the one
 * place that ties them to the program (DESIGN §5).
 *
 * To add a module, include its public header and add a line before the terminator, e.g.
 *     #include "protocols/relay/relay.h"
#include "protocols/stun/stun.h"
 *     { "relay", relay_lua_open, relay_decode, "relay / rendezvous messages" },
 * where relay_lua_open is a simlua_module_open and relay_decode a natsim_decode_fn (cli.h). */
#include "cli/cli.h"
#include "protocols/ice/ice.h"
#include "protocols/relay/relay.h"
#include "protocols/stun/stun.h"
#include "protocols/turn/turn.h"

const natsim_module natsim_modules[] = {
    { "relay", relay_lua_open, relay_decode, "relay / rendezvous / reversal messages" },
    { "stun", NULL, stun_decode, "STUN messages (RFC 8489 / 5389 / 5780)" },
    { "turn", turn_lua_open, turn_decode, "TURN messages and ChannelData (RFC 8656 / 5766)" },
    { "ice", ice_lua_open, ice_decode, "ICE candidate lines (RFC 8839; checks: decode stun)" },
    { NULL, NULL, NULL, NULL },
};
