/* cli/modules.c — the protocol modules natsim knows: each gives a Lua global for scenarios and
 * a decoder for `natsim decode`. sim/ includes nothing from protocols/; this table is the one
 * place that ties them to the program (DESIGN §5).
 *
 * To add a module, include its public header and add a line before the terminator, e.g.
 *     #include "protocols/relay/relay.h"
 *     { "relay", relay_lua_open, relay_decode, "relay / rendezvous messages" },
 * where relay_lua_open is a simlua_module_open and relay_decode a natsim_decode_fn (cli.h).
 * Engine codecs (TCP) have their decoder in cli/ itself (declared in cli.h). */
#include "cli/cli.h"
#include "protocols/dhcp/dhcp.h"
#include "protocols/dns/dns.h"
#include "protocols/ice/ice.h"
#include "protocols/mdns/mdns.h"
#include "protocols/relay/relay.h"
#include "protocols/rtp/rtp.h"
#include "protocols/sdp/sdp.h"
#include "protocols/sip/sip.h"
#include "protocols/stun/stun.h"
#include "protocols/turn/turn.h"
#include "protocols/zeroconf/ipv4ll.h"

const natsim_module natsim_modules[] = {
    { "relay", relay_lua_open, relay_decode, "relay / rendezvous / reversal messages" },
    { "stun", stun_lua_open, stun_decode, "STUN messages (RFC 8489 / 5389 / 5780)" },
    { "turn", turn_lua_open, turn_decode, "TURN messages and ChannelData (RFC 8656 / 5766)" },
    { "dns", dns_lua_open, dns_decode, "DNS / mDNS messages (RFC 1035, 2782, 3403, 6762)" },
    { "sdp", NULL, sdp_decode_cli, "SDP session descriptions (RFC 8866, RFC 8839 ICE attributes)" },
    { "rtp", rtp_lua_open, rtp_decode_cli, "RTP packets and RTCP compounds (RFC 3550, RFC 5761 demux)" },
    { "sip", sip_lua_open, sip_decode, "SIP messages (RFC 3261)" },
    { "tcp", NULL, tcp_decode, "TCP segments (RFC 9293; --src/--dst check the checksum)" },
    { "dhcp", dhcp_lua_open, dhcp_decode, "DHCP messages (RFC 2131 / 2132 / 3396)" },
    { "ipv4ll", ipv4ll_lua_open, NULL, "IPv4 link-local addresses (RFC 3927; no wire format of its own: ARP)" },
    { "mdns", mdns_lua_open, mdns_decode, "mDNS / DNS-SD messages (RFC 6762 / 6763)" },
    { "ice", ice_lua_open, ice_decode, "ICE candidate lines (RFC 8839; checks: decode stun)" },
    { NULL, NULL, NULL, NULL },
};
