-- 21-sip-nat-ice.lua — a call between two phones, each behind its own NAT: what breaks
-- without rport and ICE, and what each of them repairs.
--
--   alice 192.168.1.10 ─homeA─ NA 68.36.210.57 ─upA─┐
--                                                    R ─net─ proxy.example.com 18.7.22.84
--   bob   10.0.0.20    ─homeB─ NB 128.6.4.33   ─upB─┤        (registrar + proxy, one socket;
--   carol 192.168.7.10 ─homeC─ NC 77.12.4.9    ─upC─┤         STUN/TURN server on 3478)
--   dave  172.16.3.10  ─homeD─ ND 138.76.29.7  ─upD─┘
--   NA, NB port-restricted cones; NC, ND symmetric; all forget idle UDP mappings after 60 s
--
-- (a) no rport: the REGISTERs reach the registrar, but every 200 OK goes to the NAT's
--     outside address on port 5060, where nothing is mapped: the phones never learn they
--     are registered, and the binding holds a private contact nobody on the Internet can
--     reach. An INVITE for bob goes to 10.0.0.20: R has no route to it.
-- (b) rport: the registrar stores the REGISTER's source (received:rport, the NAT binding)
--     as the flow to the contact (RFC 5626-lite) and the proxy sends INVITE, ACK and BYE
--     through it. Signalling works end to end. But the SDP still says c=192.168.1.10 and
--     c=10.0.0.20: each phone sends RTP to the other's private address, which R cannot
--     route — media in neither direction.
--
-- trace: upA sip.Method == "REGISTER" && !(sip.Via contains "rport")
-- trace: upA sip.Status-Code == 200 && sip.CSeq.method == "REGISTER" && udp.dstport == 5060
-- trace: upB sip.Method == "INVITE" && ip.dst == 128.6.4.33 && udp.dstport != 5060
-- (c) rport + ICE (RFC 8839): each phone gathers host, server-reflexive and relayed
--     candidates (STUN/TURN on proxy.example.com) before its offer or answer, checks the
--     pairs (caller controlling) and sends RTP on the selected pair: srflx <-> srflx through
--     the two port-restricted cones, since each side's checks open its own NAT for the other.
-- (d) the same with symmetric NATs (carol, dave): a srflx address is only good for the
--     STUN server it was learned from, so the pair that works uses dave's TURN relay.
--
-- Ports below (55519, 52087) are the ICE ports of seed 1.
-- decode-as: udp.port==40560,rtp
-- decode-as: udp.port==55519,rtp
-- decode-as: udp.port==52087,rtp
-- trace: upA sip.Method == "INVITE" && sdp.ice_candidate.type == "srflx"
-- trace: upA sip.Status-Code == 200 && sdp.media_attribute.field == "ice-ufrag"
-- trace: upA stun.type == 0x0001 && stun.att.type == 0x0024 && stun.att.type == 0x0025 && ip.dst == 128.6.4.33
-- trace: upA rtp && ip.src == 68.36.210.57 && ip.dst == 128.6.4.33
-- trace: upA rtp && ip.src == 128.6.4.33 && ip.dst == 68.36.210.57
-- trace: upC rtp && ip.src == 77.12.4.9 && ip.dst == 18.7.22.84
-- trace: upD stun.channel || stun.type == 0x0016 || stun.type == 0x0017
-- trace: upA rtp && ip.src == 68.36.210.57 && ip.dst == 10.0.0.20
-- trace-none: upA rtp && ip.src == 128.6.4.33 && ip.dst == 68.36.210.57 && udp.dstport == 47172

local homeA = sim.lan("homeA", {delay = "1ms"})
local homeB = sim.lan("homeB", {delay = "1ms"})
local upA = sim.link("upA", {delay = "5ms"})
local upB = sim.link("upB", {delay = "5ms"})
local net = sim.lan("net", {delay = "10ms"})
local alice, bob = sim.host("alice"), sim.host("bob")
local R, px = sim.router("R"), sim.host("proxy.example.com")
local NA = sim.nat("NA", {preset = "port-restricted-cone", ports = "random", timeout = "60s"})
local NB = sim.nat("NB", {preset = "port-restricted-cone", ports = "random", timeout = "60s"})
alice:attach(homeA, {ip = "192.168.1.10/24"})
NA:inside(homeA, {ip = "192.168.1.1/24"})
NA:outside(upA, {ip = "68.36.210.57/24"})
bob:attach(homeB, {ip = "10.0.0.20/24"})
NB:inside(homeB, {ip = "10.0.0.1/24"})
NB:outside(upB, {ip = "128.6.4.33/24"})
R:attach(upA, {ip = "68.36.210.1/24"})
R:attach(upB, {ip = "128.6.4.1/24"})
R:attach(net, {ip = "18.7.22.254/24"})
px:attach(net, {ip = "18.7.22.84/24"})
alice:route("default", "192.168.1.1")
bob:route("default", "10.0.0.1")
NA:route("default", "68.36.210.1")
NB:route("default", "128.6.4.1")
px:route("default", "18.7.22.254")

local proxy = sip.proxy(px, {domain = "example.com", registrar = true})

local function phone(host, user, port, rport)
  return sip.ua(host, {aor = "sip:" .. user .. "@example.com", registrar = "18.7.22.84",
                       proxy = "18.7.22.84", port = port, rtp_port = port * 8, rport = rport,
                       expires = 50})
end

-- (a) ---------------------------------------------------------------- no rport
print("== (a) no rport, no ICE")
local a1, b1 = phone(alice, "alice", 5060, false), phone(bob, "bob", 5060, false)
local oka, sta = a1:register()
local okb, stb = b1:register()
print("alice registered:", oka, sta, " bob registered:", okb, stb)
print("bindings:", proxy:bindings("bob@example.com")[1])
sim.expect(not oka and sta == 408 and not okb and stb == 408,
           "without rport neither phone sees its 200 OK (Timer F, 408)")
sim.expect((NA:drops()["nat-no-mapping"] or 0) >= 10 and (NB:drops()["nat-no-mapping"] or 0) >= 10,
           "every 200 OK died at the NATs on port 5060 (nat-no-mapping)")
local call = a1:call("sip:bob@example.com")
local answered, why = call:wait_answer(40)
print("INVITE alice -> bob:", answered, why, "R drops:", R:drops()["no-route"])
sim.expect(not answered, "the INVITE cannot reach bob: the binding is his private contact")
sim.expect((R:drops()["no-route"] or 0) > 0, "R has no route to 10.0.0.20")

sim.sleep(40) -- let the transactions and the NAT mappings (60 s) die

-- (b) ---------------------------------------------------------------- rport, no ICE
print("== (b) rport, no ICE")
local a2, b2 = phone(alice, "alice", 5070, true), phone(bob, "bob", 5070, true)
sim.expect(a2:register() and b2:register(), "with rport both register at once")
-- Keep-alive: the NATs forget an idle UDP mapping after 60 s; the phones ask for 50 s and
-- re-REGISTER at half of it (25 s), so the binding - and the flow - never lapses.
sim.sleep(70)
print("after 70 s idle: NB still maps bob's SIP port:") NB:print_table()
local incoming
b2:on_invite(function(c) incoming = c c:ring() c:answer() end)
local r0 = R:drops()["no-route"] or 0
local c2 = a2:call("sip:bob@example.com")
local ok2 = c2:wait_answer(5)
sim.sleep(2)
print("call answered:", ok2, " proxy sent", proxy:stats().via_flow, "requests through flows")
print("alice's stream:", c2:media().remote, " bob's:", incoming:media().remote)
print("NA's table:") NA:print_table()
print("NB's table:") NB:print_table()
local sa, sb = c2:stats(), incoming:stats()
print(string.format("RTP alice sent %d received %d; bob sent %d received %d; R dropped %d (no route)",
                    sa.packets_sent, sa.packets_received, sb.packets_sent, sb.packets_received,
                    (R:drops()["no-route"] or 0) - r0))
sim.expect(ok2, "signalling works: the INVITE reached bob through NB's binding")
sim.expect(proxy:stats().via_flow >= 2, "the proxy routed through the registered flows")
sim.expect(sa.packets_sent > 50 and sa.packets_received == 0 and sb.packets_received == 0,
           "but no media in either direction: both send to private addresses")
c2:bye()
c2:wait_end(5)
a2:register(0) -- unregister: the next phones take over these AORs
b2:register(0)

-- (c) ---------------------------------------------------------------- rport + ICE
print("== (c) rport + ICE, port-restricted cones")
local turn_server = turn.server(px, {users = {alice = "pw", bob = "pw", carol = "pw", dave = "pw"}})
local function ice_phone(host, user, port)
  return sip.ua(host, {aor = "sip:" .. user .. "@example.com", registrar = "18.7.22.84",
                       proxy = "18.7.22.84", port = port, rport = true, expires = 50,
                       ice = {stun = "18.7.22.84:3478", turn = "18.7.22.84:3478", user = user,
                              password = "pw"}})
end
local function ice_call(caller, callee, target, label)
  sim.expect(caller:register() and callee:register(), label .. ": both registered")
  local answered
  callee:on_invite(function(c) answered = c c:ring() c:answer() end)
  local t0 = sim.now()
  local call = caller:call(target)
  print(string.format("%s: gathered in %.0f ms, offer sent", label, (sim.now() - t0) * 1000))
  sim.expect(call:wait_answer(5), label .. ": the call is answered")
  sim.sleep(3)
  local ia, ib = call:ice(), answered:ice()
  print(string.format("%s: caller selected %s %s -> %s %s (%s)", label, ia["local"],
                      ia.local_addr, ia.remote, ia.remote_addr, ia.state))
  print(string.format("%s: callee selected %s %s -> %s %s (%s)", label, ib["local"],
                      ib.local_addr, ib.remote, ib.remote_addr, ib.state))
  local sa, sb = call:stats(), answered:stats()
  print(string.format("%s: RTP caller sent %d received %d; callee sent %d received %d", label,
                      sa.packets_sent, sa.packets_received, sb.packets_sent, sb.packets_received))
  sim.expect(sa.packets_received > 50 and sb.packets_received > 50,
             label .. ": media flows both ways")
  call:bye()
  call:wait_end(5)
  sim.expect(call:ice().state == "closed", label .. ": the agent stops with the call")
  caller:register(0)
  callee:register(0)
  return ia, ib
end
local ia, ib = ice_call(ice_phone(alice, "alice", 5080), ice_phone(bob, "bob", 5080),
                       "sip:bob@example.com", "cones")
sim.expect(ia["local"] ~= "relay" and ia.remote ~= "relay",
           "cones: a direct pair (srflx/prflx), no relay needed")
print("NA's table:") NA:print_table()

-- (d) ---------------------------------------------------------------- symmetric NATs: TURN
print("== (d) rport + ICE, symmetric NATs")
-- carol and dave each behind a symmetric NAT (a new mapping, new port, per destination):
-- the srflx address the STUN server saw is useless to the peer, so only a pair with a
-- relayed candidate (a TURN allocation on proxy.example.com) can work.
local function sym_home(name, lan, nat_ip, net)
  local l = sim.lan("home" .. name, {delay = "1ms"})
  local up = sim.link("up" .. name, {delay = "5ms"})
  local h = sim.host(name == "C" and "carol" or "dave")
  local N = sim.nat("N" .. name, {preset = "symmetric", ports = "random", timeout = "60s"})
  h:attach(l, {ip = lan .. ".10/24"})
  h:route("default", lan .. ".1")
  N:inside(l, {ip = lan .. ".1/24"})
  N:outside(up, {ip = nat_ip .. "/24"})
  N:route("default", net .. ".1")
  R:attach(up, {ip = net .. ".1/24"})
  return h, N
end
local carol, NC = sym_home("C", "192.168.7", "77.12.4.9", "77.12.4")
local dave, ND = sym_home("D", "172.16.3", "138.76.29.7", "138.76.29")
local ic, id = ice_call(ice_phone(carol, "carol", 5090), ice_phone(dave, "dave", 5090),
                       "sip:dave@example.com", "symmetric")
sim.expect(ic["local"] == "relay" or ic.remote == "relay",
           "symmetric: the selected pair uses a TURN relay")
print("NC's table (one mapping per destination):") NC:print_table()
sim.stop()
