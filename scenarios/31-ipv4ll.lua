-- 31-ipv4ll.lua — IPv4 link-local addresses (RFC 3927): a printer and a laptop on a network
-- with no DHCP server still get addresses and can talk; when a DHCP server appears they move
-- to routable addresses.
--
-- The picture:
--
--   printer ─┐
--   laptop  ─┼── office (LAN) ── R 10.0.0.1 (its DHCP server starts at t = 40 s)
--
-- 1. No server. Both hosts run a DHCP client with the link-local fallback: they DISCOVER at
--    0, ~4, ~12 s ... (RFC 2131 §4.1 backoff) and nobody answers. After 10 s without a lease
--    each starts RFC 3927 address selection (the "fallback" event in the log):
--      - pick a candidate in 169.254.1.0 - 169.254.254.255 from a random stream seeded by
--        something unique to the host (§2.1),
--      - wait U(0, 1 s) (PROBE_WAIT), then send 3 ARP probes U(1 s, 2 s) apart: ARP requests
--        with sender IP 0.0.0.0 and target IP the candidate (§2.2.1), so that nobody's ARP
--        cache learns an address that may not be ours yet,
--      - if nothing answered within 2 s (ANNOUNCE_WAIT) after the last probe, claim it:
--        configure 169.254.x.y/16 and send 2 ARP announcements 2 s apart (sender IP = target
--        IP = the address, §2.4) so others update their caches.
--    Claiming takes 4 to 7 s after the start (0..1 + 1..2 + 1..2 + 2). The two hosts can
--    now reach each other directly on 169.254.0.0/16, no router involved.
-- 2. The DHCP server starts. Each client keeps DISCOVERing in the background, always from
--    0.0.0.0 (the link-local address is not a DHCP address). At the next retransmission the
--    server answers; the host configures the routable address and gives the link-local one
--    up (RFC 3927 §1.9: a host with a routable address should not keep using link-local for
--    new communication; this one removes it).
--
-- In Wireshark ("office"): the unanswered DISCOVERs, each host's three probes ("ARP Probe")
-- and two announcements, the ping between link-local addresses, then DORA.
--
-- The test suite checks these in the pcaps:
-- trace: office arp.isprobe == 1 && arp.src.proto_ipv4 == 0.0.0.0 && arp.dst.proto_ipv4 == 169.254.0.0/16
-- trace: office arp.isannouncement == 1 && arp.src.proto_ipv4 == 169.254.0.0/16
-- trace: office icmp.type == 0 && ip.src == 169.254.0.0/16 && ip.dst == 169.254.0.0/16
-- trace: office dhcp.option.dhcp == 5 && dhcp.ip.your == 10.0.0.100
-- trace-none: office dhcp && ip.src == 169.254.0.0/16

local office = sim.lan("office", {delay = "1ms"})
local R = sim.router("R")
local r0 = R:attach(office, {ip = "10.0.0.1/24"})
local printer, laptop = sim.host("printer"), sim.host("laptop")
printer:attach(office)
laptop:attach(office)

local pc = dhcp.client(printer, {fallback_linklocal = "10s"})
local lc = dhcp.client(laptop, {fallback_linklocal = "10s"})

-- 1. No DHCP server: link-local after 10 s
local pa = pc:wait_address("30s")
local t_claim = sim.now()
print("printer:", pa, "at", t_claim, "s")
sim.expect(pa and pa:match("^169%.254%.") ~= nil, "the printer claimed a link-local address")
sim.expect(t_claim >= 10 + 4 and t_claim <= 10 + 7,
           "claimed 4 to 7 s after the fallback started (RFC 3927 §2.2)")
sim.expect(pc:state() == "SELECTING", "the DHCP client keeps looking for a server")
local la = lc:wait_address("30s")
print("laptop:", la)
sim.expect(la and la:match("^169%.254%.") ~= nil and la ~= pa,
           "the laptop claimed another link-local address")
sim.expect(laptop:ping(pa) ~= nil, "laptop and printer talk over link-local addresses")

-- 2. A DHCP server appears
sim.sleep(40 - sim.now())
dhcp.server(R, {iface = r0, range = "10.0.0.100-10.0.0.150", router = "10.0.0.1"})
local pd = pc:wait_bound("120s")
print("printer moved to", pd, "at", sim.now(), "s")
sim.expect(pd ~= nil and pd:match("^10%.0%.0%.") ~= nil, "the printer got a DHCP address")
sim.expect(pc:address() == pd, "and gave its link-local address up")
local ld = lc:wait_bound("120s")
sim.expect(ld ~= nil and lc:address() == ld, "the laptop moved too")
sim.expect(laptop:ping(pd) ~= nil, "they talk over the DHCP addresses now")
sim.expect(laptop:ping("10.0.0.1") ~= nil, "and reach the router")
sim.stop()
