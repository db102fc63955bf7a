-- 20-sip-nat.lua — a SIP phone behind a NAT: why responses get lost, and how RFC 3581's
-- "rport" brings them back.
--
-- The picture:
--
--   alice 192.168.1.10 ──home── NA ──uplink── R ──mit-net── registrar.mit.edu 18.7.22.84
--                           (port-restricted cone,
--                            random outside ports, 68.36.210.57)
--
-- A UDP request carries its sender's address in the top Via ("sent-by"); RFC 3261 §18.2.2
-- sends the response to the address the request came from ("received", stamped by the server)
-- but to the *port in sent-by*: 5060. Behind a NAT that picks another outside port, nothing is
-- mapped on 68.36.210.57:5060, so the NAT drops every response ("nat-no-mapping"): the phone
-- retransmits its REGISTER (Timer E) for 32 s and gives up (408). Signalling "works" one way only.
--
-- RFC 3581: the phone adds an empty ";rport" to its Via; the server fills in the source port
-- it saw (";rport=40567;received=68.36.210.57") and answers exactly there — through the
-- mapping the request itself created, which a port-restricted cone NAT lets back in because
-- the answer comes from the address and port the request went to.
--
-- The test suite checks these in the pcaps:
-- trace: uplink sip.Method == "REGISTER" && ip.src == 68.36.210.57 && !(sip.Via contains "rport")
-- trace: uplink sip.Status-Code == 200 && udp.dstport == 5060 && ip.dst == 68.36.210.57
-- trace: uplink sip.Status-Code == 200 && sip.Via.rport && udp.dstport != 5060
-- trace: home sip.Status-Code == 200 && ip.dst == 192.168.1.10 && udp.dstport == 5062
-- trace-none: home sip.Status-Code == 200 && udp.dstport == 5060

local home = sim.lan("home", {delay = "1ms"})
local uplink = sim.link("uplink", {delay = "5ms"})
local mit = sim.lan("mit-net", {delay = "10ms"})
local alice, R, reg = sim.host("alice"), sim.router("R"), sim.host("registrar.mit.edu")
local NA = sim.nat("NA", {preset = "port-restricted-cone", ports = "random"})
alice:attach(home, {ip = "192.168.1.10/24"})
NA:inside(home, {ip = "192.168.1.1/24"})
NA:outside(uplink, {ip = "68.36.210.57/24"})
R:attach(uplink, {ip = "68.36.210.1/24"})
R:attach(mit, {ip = "18.7.22.254/24"})
reg:attach(mit, {ip = "18.7.22.84/24"})
alice:route("default", "192.168.1.1")
NA:route("default", "68.36.210.1")
reg:route("default", "18.7.22.254")

local registrar = sip.registrar(reg, {domain = "mit.edu"})

-- 1. an old phone: no rport
local old = sip.ua(alice, {aor = "sip:alice@mit.edu", registrar = "18.7.22.84", port = 5060})
local ok, status = old:register()
print("without rport: registered =", ok, "status", status, "at t =", sim.now())
print("NA's table:")
NA:print_table()
local drops = NA:drops()["nat-no-mapping"] or 0
print("responses NA dropped (no mapping on port 5060):", drops)
sim.expect(not ok and status == 408, "without rport the REGISTER times out (Timer F, 32 s)")
sim.expect(drops >= 10, "every 200 OK (one per retransmission) died at the NAT")
sim.expect(#registrar:bindings("alice@mit.edu") == 1,
           "yet the registrar did register her: signalling works one way only")

-- 2. the same phone with rport, from port 5062
local new = sip.ua(alice, {aor = "sip:alice@mit.edu", registrar = "18.7.22.84", port = 5062,
                           rport = true})
local t0 = sim.now()
local ok2, status2 = new:register()
print(string.format("with rport: registered = %s, status %d, in %.0f ms", tostring(ok2), status2,
                    (sim.now() - t0) * 1000))
sim.expect(ok2 and status2 == 200, "with rport the 200 OK comes back through the mapping")
sim.expect(sim.now() - t0 < 0.1, "at the first try: one round trip")
sim.stop()
