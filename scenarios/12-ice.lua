-- 12-ice.lua — ICE (RFC 8445): "ICE coordinates whether to use STUN or TURN", as a worked
-- example, and consent freshness (RFC 7675) noticing a path that died.
--
-- The picture:
--
--   A 192.168.1.2 ── NA 68.36.210.57 (port-restricted cone) ─┐
--   C 192.168.3.2 ── NC 77.12.4.9    (port-restricted cone) ─┼── R ── S 18.181.0.31:3478 (TURN)
--   B 10.0.2.2    ── NB 138.76.29.7  (symmetric)            ─┘
--
-- Every agent gathers three kinds of candidates from one socket: its host address, the
-- server-reflexive address (the NAT mapping S saw: XOR-MAPPED-ADDRESS of the Allocate
-- response) and a relayed address on S (TURN). Each side signals them (here: the script passes
-- the `candidate:` lines), pairs them with the other side's, and checks the pairs with STUN
-- Binding requests (USERNAME, MESSAGE-INTEGRITY, PRIORITY, ICE-CONTROLLING/-CONTROLLED) in
-- priority order, one every Ta = 50 ms. The controlling agent then nominates the best pair
-- that worked (USE-CANDIDATE). Nobody decides in advance between STUN and TURN: the checks do.
--
-- 1. A calls C. Both NATs map endpoint-independently, so the mapping S saw is the one the peer
--    reaches; once both have sent a check (hole punching), srflx <-> srflx works and beats the
--    relay (type preference 100 against 0). Host pairs fail: private addresses.
-- 2. A calls B. NB is symmetric (RFC 4787 address-and-port-dependent mapping): B's checks to
--    A leave by a new mapping, not the one S saw, and NA (port-restricted) only admits a source
--    A has sent to; A's checks to B's srflx hit a mapping that admits only S. Every direct pair
--    fails; a pair with a relayed candidate works, so ICE uses TURN.
--    In the pcaps: nothing from B's NAT ever reaches A's LAN; A's NAT filtered B's checks.
-- 3. The A-C call is up; the link to NC goes down. Consent checks (every 5 s +-20 %) go
--    unanswered and 30 s after the last answer both agents declare consent lost and stop.
--
-- The test suite checks these in the pcaps:
-- trace: nc-link stun.type == 0x0001 && stun.att.type == 0x0024 && stun.att.type == 0x802a
-- trace: nc-link stun.type == 0x0001 && stun.att.type == 0x0025
-- trace: nc-link stun.type == 0x0001 && stun.att.type == 0x8029
-- trace: nc-link stun.type == 0x0101 && stun.att.type == 0x0020
-- trace: s-link stun.type == 0x0016
-- trace: s-link stun.type == 0x0009
-- trace: s-link stun.channel == 0x4000 && ip.src == 68.36.210.57
-- trace-none: a-lan ip.src == 138.76.29.7

local R = sim.router("R")
local S = sim.host("S")
local s_link = sim.link("s-link", {delay = "10ms"})
S:attach(s_link, {ip = "18.181.0.31/24"})
S:route("default", "18.181.0.1")
R:attach(s_link, {ip = "18.181.0.1/24"})
local server = turn.server(S, {users = {alice = "pw"}, quota = 20})

-- One home: host on a LAN behind a NAT of the given preset, the NAT's uplink to R.
local function home(name, lan_ip, nat_ip, net, preset)
  local lan = sim.lan(name:lower() .. "-lan", {delay = "1ms"})
  local up = sim.link("n" .. name:lower() .. "-link", {delay = "5ms"})
  local h = sim.host(name)
  h:attach(lan, {ip = lan_ip .. ".2/24"})
  h:route("default", lan_ip .. ".1")
  local nat = sim.nat("N" .. name, {preset = preset})
  nat:inside(lan, {ip = lan_ip .. ".1/24"})
  nat:outside(up, {ip = nat_ip .. "/24"})
  nat:route("default", net .. ".1")
  R:attach(up, {ip = net .. ".1/24"})
  return h, up
end
local A = home("A", "192.168.1", "68.36.210.57", "68.36.210", "port-restricted-cone")
local C, nc_link = home("C", "192.168.3", "77.12.4.9", "77.12.4", "port-restricted-cone")
local B = home("B", "10.0.2", "138.76.29.7", "138.76.29", "symmetric")

local turn_opts = {turn = "18.181.0.31:3478", user = "alice", password = "pw"}

-- A call between caller x (controlling) and callee y; returns both agents and what each chose.
local function call(x, y)
  local ax = ice.agent(x, {controlling = true, turn = turn_opts.turn, user = "alice",
                           password = "pw"})
  local ay = ice.agent(y, turn_opts)
  local lx, ly
  local g = sim.spawn(function() lx = ax:gather() end)
  ly = ay:gather()
  g:join()
  print(string.format("%s gathered %d candidates, %s %d:", x, #lx, y, #ly))
  for _, l in ipairs(lx) do print("  " .. l) end
  local ux, px = ax:credentials()
  local uy, py = ay:credentials()
  local rx, ry, errx
  local t = sim.spawn(function() rx, errx = ax:connect(uy, py, ly, "20s") end)
  ry = ay:connect(ux, px, lx, "20s")
  t:join()
  return ax, ay, rx, ry, errx
end

local function show(what, r)
  print(string.format("%s: %s <-> %s after %.0f ms", what, r["local"], r.remote, r.ms))
end

-- The worked example, pair by pair: the caller's checklist as ICE left it (a:pairs(), in
-- priority order). This table IS the answer to "STUN or TURN?". A check that got an answer
-- "succeeded"; the answer's XOR-MAPPED-ADDRESS says which address the peer saw, and the pair
-- made of THAT local candidate and the remote one is "valid": a check from the host socket to
-- C's srflx comes back saying "you are 68.36.210.57", so srflx -> srflx is the valid pair (the
-- checks from a host candidate are the checks of the srflx and relay candidates sharing its
-- socket). The controlling agent nominates the best valid pair. Returns the pairs.
local function checklist(what, agent)
  local ps = agent:pairs()
  print(string.format("%s's checklist (%d pairs), best first:", what, #ps))
  for _, p in ipairs(ps) do
    print(string.format("  %-5s %-21s -> %-5s %-21s %-11s%s%s", p["local"], p.laddr, p.remote,
                        p.raddr, p.state, p.valid and " valid" or "",
                        p.selected and " SELECTED" or p.nominated and " nominated" or ""))
  end
  return ps
end
local function uses_relay(p) return p["local"] == "relay" or p.remote == "relay" end

-- 1. A <-> C: STUN suffices.
local a1, c1, ra, rc = call(A, C)
sim.expect(ra ~= nil and rc ~= nil, "A and C connected")
show("A-C, A", ra)
show("A-C, C", rc)
sim.expect(ra["local"] == "srflx" and ra.remote == "srflx", "A-C: server-reflexive on both sides")
-- Host pairs (private addresses) never get an answer; srflx <-> srflx does, and being of higher
-- priority than any pair with the relay (type preference 100 against 0), it is chosen: STUN.
local ac = checklist("A (calling C)", a1)
for _, p in ipairs(ac) do
  sim.expect(not (p.valid and p["local"] == "host" and p.remote == "host"),
             "A-C: no host <-> host pair worked (private addresses)")
  if p.selected then sim.expect(not uses_relay(p), "A-C: the selected pair avoids TURN") end
end
a1:send("hello C")
sim.expect(c1:recv("1s") == "hello C", "media A -> C on the selected pair")

-- 2. A <-> B: B's NAT is symmetric, only TURN works.
local a2, b2, rab, rb, err = call(A, B)
sim.expect(rab ~= nil, "A and B connected (" .. tostring(err) .. ")")
show("A-B, A", rab)
show("A-B, B", rb)
sim.expect(rab["local"] == "relay" or rab.remote == "relay", "A-B goes through the relay")
-- Against the symmetric NAT every pair without the relay stays unanswered (or answered from
-- the wrong address: failed); only pairs with a relayed candidate become valid: TURN.
local ab = checklist("A (calling B)", a2)
local n_valid = 0
for _, p in ipairs(ab) do
  if p.valid then
    n_valid = n_valid + 1
    sim.expect(uses_relay(p), "A-B: every valid pair goes through the relay (" .. p["local"]
               .. "-" .. p.remote .. ")")
  end
end
sim.expect(n_valid > 0, "A-B: some relayed pair worked")
b2:send("hello A via S")
sim.expect(a2:recv("2s") == "hello A via S", "media B -> A through TURN")
sim.expect(server:stats().relayed_to_peer > 0, "S relayed the call")

-- 3. The A-C path dies: consent freshness notices within 30 s of the last answer.
-- RFC 7675: consent expires 30 s after the last authenticated answer, and an answer came at
-- most one consent interval (5 s +-20 %, so <= 6 s) before the cut: each side must notice
-- between 24 and 30 s after it, and its CONSENT_LOST event is what wait_consent_lost waits for.
local cut = sim.now()
nc_link:down()
local lost = {}
local w = sim.spawn(function()
  sim.expect(c1:wait_consent_lost("40s") == true, "C noticed the dead path")
  lost.C = sim.now() - cut
end)
sim.expect(a1:wait_consent_lost("40s") == true, "A noticed the dead path")
lost.A = sim.now() - cut
w:join()
for _, who in ipairs({"A", "C"}) do
  print(string.format("%s: consent lost %.1f s after the link went down", who, lost[who]))
  sim.expect(lost[who] >= 24 and lost[who] <= 30, who .. ": within 30 s of the last answer")
end
local ok, why = a1:send("anyone?")
sim.expect(ok == nil and why == "consent lost", "A stops sending on the dead pair")
print(a1, a2)
sim.stop()
