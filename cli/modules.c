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
#include "protocols/dns/dns.h"
#include "protocols/relay/relay.h"
#include "protocols/rtp/rtp.h"
#include "protocols/sdp/sdp.h"
#include "protocols/sip/sip.h"
#include "protocols/stun/stun.h"
#include "protocols/turn/turn.h"

const natsim_module natsim_modules[] = {
    { "relay", relay_lua_open, relay_decode, "relay / rendezvous / reversal messages" },
    { "stun", stun_lua_open, stun_decode, "STUN messages (RFC 8489 / 5389 / 5780)" },
    { "turn", turn_lua_open, turn_decode, "TURN messages and ChannelData (RFC 8656 / 5766)" },
    { "dns", dns_lua_open, dns_decode, "DNS / mDNS messages (RFC 1035, 2782, 3403, 6762)" },
    { "sdp", NULL, sdp_decode_cli, "SDP session descriptions (RFC 8866, RFC 8839 ICE attributes)" },
    { "rtp", rtp_lua_open, rtp_decode_cli, "RTP packets and RTCP compounds (RFC 3550, RFC 5761 demux)" },
    { "sip", sip_lua_open, sip_decode, "SIP messages (RFC 3261)" },
    { NULL, NULL, NULL, NULL },
};
