-- A phone behind a NAT puts its private address in SDP. Sending there fails (one-way audio);
-- a far end that latches onto where the packets really come from (symmetric RTP, RFC 4961)
-- gets the media back through the NAT.
local home = sim.lan("home", {delay = "1ms"})
local wan = sim.link("wan", {delay = "10ms"})
local A, NA, B = sim.host("A"), sim.nat("NA", {preset = "port-restricted-cone", ports = "preserve"}), sim.host("B")
A:attach(home, {ip = "192.168.1.10/24"})
NA:inside(home, {ip = "192.168.1.1/24"})
NA:outside(wan, {ip = "68.36.210.57/24"})
B:attach(wan, {ip = "68.36.210.20/24"})
A:route("default", "192.168.1.1")

local function call(latch, port)
  local a = rtp.session(A, {port = port, to = "68.36.210.20:" .. port, duration = "2s"})
  -- B believes the SDP: A's private address, unreachable from outside.
  local b = rtp.session(B, {port = port, to = "192.168.1.10:" .. port, duration = "2s", latch = latch})
  sim.sleep("8s")
  return a:stats(), b:stats()
end

local a1, b1 = call(false, 4000)
sim.expect(b1.packets_received == 100, "B hears A (A's packets go out through the NAT)")
sim.expect(a1.packets_received == 0, "without latching A hears nothing: one-way audio")
local a2, b2 = call(true, 5000)
sim.expect(b2.packets_received == 100, "B hears A")
sim.expect(a2.packets_received >= 99, "latched: B answers the NAT's mapping, A hears B")
sim.expect(a2.rtcp_received >= 1 and a2.rtt_ms and a2.rtt_ms > 21 and a2.rtt_ms < 23,
           "RTCP latched too: B's report reaches A, RTT 2 x 11 ms")
sim.stop()
