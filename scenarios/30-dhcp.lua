-- 30-dhcp.lua — DHCP (RFC 2131 / 2132): how a laptop plugged into a home network gets its
-- address, keeps it, gives it back, and what happens when the pool runs dry.
--
-- The picture:
--
--   laptop ─┐
--   phone  ─┼── home (LAN, 192.168.1.0/24) ── R 192.168.1.1 ── wan ── isp 203.0.113.10
--   tablet ─┘   (no addresses at first)      (DHCP server,
--                                              pool .100-.101)
--
-- 1. DORA. The laptop has no address, so it broadcasts a DISCOVER from 0.0.0.0 to
--    255.255.255.255 (RFC 2131 §4.1) with the BROADCAST flag set: it cannot receive unicast
--    yet. R's server OFFERs the lowest free address; the laptop REQUESTs it (naming the
--    server, so other servers withdraw their offers) and R ACKs. Before using the address the
--    laptop sends an ARP probe for it (sender IP 0.0.0.0, RFC 5227 §2.1.1; RFC 2131 §2.2) and
--    waits a second: nobody answers, so it configures 192.168.1.100/24, a default route via
--    the router option, remembers the DNS server, and announces the address with a
--    gratuitous ARP. It can now reach the Internet through R.
-- 2. Renewal. The lease is 2 minutes, so T1 = 60 s (RFC 2131 §4.4.5: half the lease). At T1
--    the laptop, now in RENEWING, unicasts a REQUEST with ciaddr set straight to the server,
--    which ACKs: a new 2-minute lease, no broadcast, no address change.
-- 3. A second client (the phone) gets the other address, .101.
-- 4. Exhaustion. The tablet DISCOVERs, but both addresses are leased: the server stays silent
--    (it has nothing to offer) and the tablet keeps retransmitting, 4, 8, 16 ... s apart.
-- 5. Release. The laptop sends a RELEASE (unicast, ciaddr = its address) and drops the
--    address; at its next retransmission the tablet is offered .100.
--
-- In Wireshark ("home"): the four DORA messages from 0.0.0.0 and to 255.255.255.255, the ARP
-- probe and announcement, the unicast renewal at 60 s, the RELEASE, the tablet's unanswered
-- DISCOVERs.
--
-- The test suite checks these in the pcaps:
-- trace: home dhcp.option.dhcp == 1 && ip.src == 0.0.0.0 && ip.dst == 255.255.255.255 && dhcp.flags.bc == 1
-- trace: home dhcp.option.dhcp == 2 && dhcp.ip.your == 192.168.1.100 && dhcp.option.router == 192.168.1.1
-- trace: home dhcp.option.dhcp == 3 && ip.src == 0.0.0.0 && dhcp.option.requested_ip_address == 192.168.1.100
-- trace: home dhcp.option.dhcp == 5 && dhcp.ip.your == 192.168.1.100 && dhcp.option.ip_address_lease_time == 120
-- trace: home arp.isprobe == 1 && arp.dst.proto_ipv4 == 192.168.1.100 && arp.src.proto_ipv4 == 0.0.0.0
-- trace: home arp.isannouncement == 1 && arp.src.proto_ipv4 == 192.168.1.100
-- trace: home dhcp.option.dhcp == 3 && ip.src == 192.168.1.100 && ip.dst == 192.168.1.1 && dhcp.ip.client == 192.168.1.100
-- trace: home dhcp.option.dhcp == 5 && ip.dst == 192.168.1.100
-- trace: home dhcp.option.dhcp == 5 && dhcp.ip.your == 192.168.1.101
-- trace: home dhcp.option.dhcp == 7 && ip.src == 192.168.1.100
-- trace: wan icmp.type == 0 && ip.src == 203.0.113.10
-- trace-none: home dhcp.option.dhcp == 6

local home = sim.lan("home", {delay = "1ms"})
local wan = sim.link("wan", {delay = "10ms"})
local R = sim.router("R")
local r_home = R:attach(home, {ip = "192.168.1.1/24"})
R:attach(wan, {ip = "203.0.113.1/24"})
local isp = sim.host("isp")
isp:attach(wan, {ip = "203.0.113.10/24"})
isp:route("default", "203.0.113.1")

-- The hosts start with an interface and nothing else: no address, no route.
local laptop, phone, tablet = sim.host("laptop"), sim.host("phone"), sim.host("tablet")
laptop:attach(home)
phone:attach(home)
tablet:attach(home)

-- R serves a two-address pool on its home interface.
local server = dhcp.server(R, {iface = r_home, range = "192.168.1.100-192.168.1.101",
                               router = "192.168.1.1", dns = {"192.168.1.1"}, lease = "2min"})

-- 1. DORA, then the ARP check
local c = dhcp.client(laptop)
local t0 = sim.now()
local addr = c:wait_bound("30s")
print(c, "bound after", sim.now() - t0, "s")
sim.expect(addr == "192.168.1.100", "the laptop got the first address of the pool")
sim.expect(math.abs((sim.now() - t0) - 1.004) < 1e-6,
           "4 messages of 1 ms each, then the 1 s ARP check")
local lease = c:lease()
sim.expect(lease.router == "192.168.1.1" and lease.dns[1] == "192.168.1.1" and
           lease.mask == "255.255.255.0", "router, DNS server and mask learned")
sim.expect(lease.lease == 120 and lease.t1 == 60 and lease.t2 == 105,
           "2 min lease: T1 at half, T2 at 7/8 (RFC 2131 §4.4.5)")
local rtt = laptop:ping("203.0.113.10")
sim.expect(rtt ~= nil, "the default route from the router option reaches the Internet")

-- 2. Renewal at T1
sim.sleep(61 - (sim.now() - t0))
local st = c:stats()
sim.expect(st.acks == 2 and c:state() == "BOUND", "renewed at T1: a second ACK, still BOUND")
sim.expect(c:address() == "192.168.1.100", "same address after the renewal")

-- 3. A second client
local p = dhcp.client(phone)
sim.expect(p:wait_bound("30s") == "192.168.1.101", "the phone got the other address")

-- 4. Pool exhausted
local t = dhcp.client(tablet)
local none, why = t:wait_bound("20s")
sim.expect(none == nil and why == "timeout", "no address for the tablet: the pool is empty")
sim.expect(server:stats().exhausted >= 2, "the server left the tablet's DISCOVERs unanswered")
print(t, server:stats().exhausted, "DISCOVERs unanswered")

-- 5. Release: the address goes back to the pool, the tablet gets it on its next try
sim.expect(c:release() == true, "release")
sim.expect(c:address() == nil and c:state() == "STOPPED", "the laptop dropped its address")
local got = t:wait_bound("70s")
sim.expect(got == "192.168.1.100", "the tablet got the released address")
print(server)
sim.stop()
