-- 13-ice-matrix.lua — the NAT traversal matrix, solved by ICE (RFC 8445) and explained by
-- RFC 4787: which pairs of NATs let two agents talk directly, which need the TURN relay.
--
-- Every cell is one call: agent A (controlling) behind its NAT, agent B behind its own, a STUN
-- server S and a TURN server T on the Internet. Both gather host, srflx (from S, and from T's
-- Allocate response) and relay (from T) candidates, exchange them, run their checks and report
-- the selected pair. All cells run at the same time, each with its own hosts and NATs.
--
--   S 203.0.113.10:3478 (STUN)   T 203.0.113.20:3478 (TURN)
--      │                            │
--   ═══╪════════════╤═══════════════╪═══╤══════ … ════  internet (one LAN, 5 ms)
--                   │                   │
--         NAT A_k 203.0.113.x    NAT B_k 203.0.113.y         (NAT444: CGN_k, then on
--                   │                   │                      "carrier" the home NAT)
--   ════════════════╪═══════════════════╪══════ … ════  homes (one LAN, 1 ms, a /24 per site)
--                 A_k 10.k.1.2        B_k 10.k.2.2
--
-- (The homes share one Ethernet segment, each site in its own subnet, and the NATs' outsides
-- share the Internet LAN: three pcaps instead of two per cell, for tshark's sake.)
--
-- RFC 4787 in two questions (see scenarios 05 and 10):
--   mapping   — does the NAT keep one public address:port for a socket whatever it sends to
--               (EIM, endpoint-independent), or make a new one per destination address (ADM)
--               or per destination address and port (APDM, "symmetric")?
--   filtering — whom does it let in through a mapping: anyone (EIF), any port of an address
--               the inside has sent to (ADF), or exactly the address:port sent to (APDF)?
-- The presets: full cone EIM+EIF, restricted cone EIM+ADF, port-restricted cone EIM+APDF,
-- symmetric APDM+APDF.
--
-- The reasoning that predicts every cell (the `expect` function below is exactly this):
--   1. Candidates: A's srflx is the mapping its NAT made toward S. A peer sending to it from its
--      own socket reaches A only if A's filter admits the peer, and its answers reach A only
--      if they leave the peer's NAT by the mapping A sent to.
--   2. Both EIM: the mapping S saw is the one the peer uses. Each side's first check opens its
--      own filter toward the other's srflx (hole punching), and srflx <-> srflx works whatever
--      the filtering: "cone <-> cone gets server-reflexive".
--   3. A NAT filters per mapping. If X maps per destination (ADM or APDM), its srflx is a
--      mapping that has only ever sent to S and T: an ADF or APDF filter keeps it closed to the
--      peer, only EIF lets the peer's checks in. If X maps EIM, its srflx is also the mapping
--      toward the peer, opened by X's own first check: ADF then admits any port of the peer's
--      address, APDF only the peer's srflx — not a new mapping a per-destination peer sends from.
--      So a check from Y lands on X's srflx iff fX = EIF, or mX = EIM and (fX = ADF or mY = EIM).
--   4. Once a check has landed, the receiver learns the sender's mapping as a peer-reflexive
--      candidate and checks back. If the receiver X maps per destination, its answer and its
--      own check leave by a new mapping X' (the answer then fails: it comes from an address the
--      check was not sent to, RFC 8445 §7.2.5.2.1), and Y's filter must admit X': not APDF.
--      If both map APDM, every answer leaves by yet another mapping and the two chase each
--      other's new ports for ever, whatever the filters: "symmetric <-> symmetric needs the
--      relay". (The agent sends an ordinary check after every two triggered ones, so the chase
--      cannot starve the relayed pairs.)
--   5. Relay: T's relayed address filters by permission (CreatePermission for the peer's IP),
--      which ICE installs before it checks; it works behind every NAT here.
--   6. Same NAT, both hosts on one LAN: host <-> host wins (type preference 126) whatever
--      the NAT. If the hosts hide their private addresses (a privacy-minded browser), the
--      srflx pair needs the NAT to hairpin (RFC 4787 REQ-9): with it srflx <-> srflx, without
--      it the relay.
--   7. NAT444: a home NAT behind a carrier-grade NAT. Two EIM NATs in a row are one EIM NAT,
--      whose address is the CGN's: srflx <-> srflx. A symmetric CGN makes the chain
--      symmetric, and against a port-restricted peer that means the relay (rule 3).
--
-- The table printed: A's and B's selected pairs (local-remote candidate types) and the time
-- from the exchange of credentials to selection, in simulated milliseconds.
--
-- The test suite checks these in the pcaps: connectivity checks with PRIORITY and the role
-- attributes with their tie-breakers, a nominating check (USE-CANDIDATE), the TURN relay used,
-- and on the homes LAN the host <-> host checks of the same-NAT calls.
-- trace: internet stun.type == 0x0001 && stun.att.priority && stun.att.tie-breaker && stun.attribute == 0x802a
-- trace: internet stun.type == 0x0001 && stun.att.priority && stun.att.tie-breaker && stun.attribute == 0x8029
-- trace: internet stun.type == 0x0001 && stun.attribute == 0x0025 && stun.attribute == 0x802a
-- trace: internet stun.type == 0x0101 && stun.attribute == 0x0020
-- trace: internet ip.dst == 203.0.113.20 && stun.type == 0x0016
-- trace: homes stun.type == 0x0001 && ip.src == 10.52.1.3 && ip.dst == 10.52.1.2 && stun.att.priority
-- trace: carrier stun.type == 0x0001 && ip.src == 100.64.0.0/16 && stun.att.priority
-- trace-none: carrier ip.src == 10.0.0.0/8

local internet = sim.lan("internet", {delay = "5ms"})
local homes = sim.lan("homes", {delay = "1ms"})
local carrier = sim.lan("carrier", {delay = "2ms"})

local S = sim.host("S")
S:attach(internet, {ip = "203.0.113.10/24"})
stun.server(S, {ip = "203.0.113.10", port = 3478})
local T = sim.host("T")
T:attach(internet, {ip = "203.0.113.20/24"})
local relay = turn.server(T, {users = {alice = "pw"}, quota = 200})
local AGENT = {stun = "203.0.113.10:3478", turn = "203.0.113.20:3478", user = "alice",
               password = "pw"}

-- NAT behaviours by name: the presets, and mapping x filtering combinations.
local B4787 = {
  ["full-cone"] = {"EIM", "EIF"}, ["restricted-cone"] = {"EIM", "ADF"},
  ["port-restricted-cone"] = {"EIM", "APDF"}, ["symmetric"] = {"APDM", "APDF"},
}
local SHORT = {["full-cone"] = "FC", ["restricted-cone"] = "RC",
               ["port-restricted-cone"] = "PRC", ["symmetric"] = "SYM"}
local function behaviour(kind)
  if B4787[kind] then return B4787[kind][1], B4787[kind][2] end
  return kind:match("^(%u+)%+(%u+)$")
end
local function nat_opts(kind, hairpin)
  local o = {hairpin = hairpin ~= false}
  if B4787[kind] then o.preset = kind
  else o.mapping, o.filtering = behaviour(kind) end
  return o
end

-- The prediction (rules 2-4 above) for A behind `ka`, B behind `kb`: "srflx", "prflx" (direct,
-- some side learned a peer-reflexive candidate) or "relay".
local function lands(mx, fx, my)          -- rule 3: Y's check reaches X's srflx
  return fx == "EIF" or (mx == "EIM" and (fx == "ADF" or my == "EIM"))
end
local function predict(ka, kb)
  local ma, fa = behaviour(ka)
  local mb, fb = behaviour(kb)
  if ma == "EIM" and mb == "EIM" then return "srflx" end                     -- rule 2
  if ma == "APDM" and mb == "APDM" then return "relay" end                   -- rule 4
  local function via(mx, fx, my, fy)      -- rules 3 and 4: Y -> X lands and X's answer gets in
    return lands(mx, fx, my) and (mx == "EIM" or fy ~= "APDF")
  end
  if via(ma, fa, mb, fb) or via(mb, fb, ma, fa) then return "prflx" end
  return "relay"
end

local cells, k = {}, 0
local function cell(label, want) k = k + 1; cells[k] = {label = label, want = want, k = k}
  return cells[k] end

-- Site s of cell k: a NAT with its inside on `lan` (default: homes, 10.k.s.1) and its outside
-- on the Internet (203.0.113.98+2k+s).
local function nat_site(c, s, kind, hairpin, lan, ip)
  local nat = sim.nat(string.format("N%d%s", c.k, s == 1 and "a" or "b"), nat_opts(kind, hairpin))
  nat:inside(lan or homes, {ip = ip or string.format("10.%d.%d.1/24", c.k, s)})
  nat:outside(internet, {ip = string.format("203.0.113.%d/24", 98 + 2 * c.k + s)})
  return nat
end
local function host(c, s, h)
  local x = sim.host(string.format("H%d-%d-%d", c.k, s, h))
  x:attach(homes, {ip = string.format("10.%d.%d.%d/24", c.k, s, h)})
  x:gateway(string.format("10.%d.%d.1", c.k, s))
  return x
end

-- 1. Every pair of presets (both orders: A is the controlling agent), then every other pair of
-- the nine mapping x filtering combinations (one order), so each behaviour pair the engine can
-- be configured with is a cell.
local presets = {"full-cone", "restricted-cone", "port-restricted-cone", "symmetric"}
local PRESET_OF = {["EIM+EIF"] = true, ["EIM+ADF"] = true, ["EIM+APDF"] = true, ["APDM+APDF"] = true}
local combos = {}
for _, m in ipairs({"EIM", "ADM", "APDM"}) do
  for _, f in ipairs({"EIF", "ADF", "APDF"}) do combos[#combos + 1] = m .. "+" .. f end
end
local pairs_ = {}
for _, a in ipairs(presets) do for _, b in ipairs(presets) do pairs_[#pairs_ + 1] = {a, b} end end
for i = 1, #combos do
  for j = i, #combos do
    local a, b = combos[i], combos[j]
    if not (PRESET_OF[a] and PRESET_OF[b]) then pairs_[#pairs_ + 1] = {a, b} end
  end
end
for _, p in ipairs(pairs_) do
  local c = cell((SHORT[p[1]] or p[1]) .. " <-> " .. (SHORT[p[2]] or p[2]), predict(p[1], p[2]))
  nat_site(c, 1, p[1]); nat_site(c, 2, p[2])
  c.a, c.b = host(c, 1, 2), host(c, 2, 2)
end

-- 2. Same NAT (port-restricted cone), rule 6.
for _, v in ipairs({{"host", true, false}, {"srflx", true, true}, {"relay", false, true}}) do
  local c = cell(string.format("same NAT, hairpin %s%s", v[2] and "on" or "off",
                               v[3] and ", no host cands" or ""), v[1])
  nat_site(c, 1, "port-restricted-cone", v[2])
  c.a, c.b, c.hide = host(c, 1, 2), host(c, 1, 3), v[3]
end

-- 3. NAT444, rule 7: A behind home NAT (PRC) behind a CGN of the given kind; B behind a PRC.
for _, cgn in ipairs({"port-restricted-cone", "symmetric"}) do
  local c = cell("NAT444 (" .. SHORT[cgn] .. " CGN) <-> PRC", cgn == "symmetric" and "relay"
                 or "srflx")
  nat_site(c, 1, cgn, true, carrier, string.format("100.64.%d.1/24", c.k))
  local home = sim.nat(string.format("N%dh", c.k), nat_opts("port-restricted-cone"))
  home:inside(homes, {ip = string.format("10.%d.3.1/24", c.k)})
  home:outside(carrier, {ip = string.format("100.64.%d.2/24", c.k)})
  home:route("default", string.format("100.64.%d.1", c.k))
  nat_site(c, 2, "port-restricted-cone")
  c.a, c.b = host(c, 3, 2), host(c, 2, 2)
end

-- Run every call at once: gather, exchange (the script is the signalling channel), connect.
local function no_host(lines)
  local out = {}
  for _, l in ipairs(lines) do if not l:find(" typ host") then out[#out + 1] = l end end
  return out
end
local function call(c)
  local ao = {controlling = true}
  for key, v in pairs(AGENT) do ao[key] = v end
  local a, b = ice.agent(c.a, ao), ice.agent(c.b, AGENT)
  local la, lb
  local g = sim.spawn(function() la = a:gather() end)
  lb = b:gather()
  g:join()
  if c.hide then la, lb = no_host(la), no_host(lb) end
  local ua, pa = a:credentials()
  local ub, pb = b:credentials()
  local t = sim.spawn(function() c.ra, c.erra = a:connect(ub, pb, lb, "20s") end)
  c.rb, c.errb = b:connect(ua, pa, la, "20s")
  t:join()
  if c.ra and c.rb then
    a:send("ping " .. c.k)
    c.media = b:recv("2s") == "ping " .. c.k
  end
end
local tasks = {}
for _, c in ipairs(cells) do tasks[#tasks + 1] = sim.spawn(function() call(c) end) end
for _, t in ipairs(tasks) do t:join() end

-- The table, and each cell against its prediction.
local function got(c)
  local r = c.ra
  if not r then return "failed" end
  if r["local"] == "relay" or r.remote == "relay" then return "relay" end
  if r["local"] == "host" and r.remote == "host" then return "host" end
  if r["local"] == "prflx" or r.remote == "prflx" or c.rb["local"] == "prflx"
     or c.rb.remote == "prflx" then return "prflx" end
  return r["local"] == "srflx" and r.remote == "srflx" and "srflx" or "other"
end
local function side(r)
  return r and string.format("%s-%s %5.0f", r["local"], r.remote, r.ms) or "failed"
end
print("\nICE across NATs: A (controlling) <-> B; each side's selected pair (local-remote) and"
      .. " ms to select")
print(string.format("%-36s %-18s %-18s %-8s %s", "A's NAT <-> B's NAT", "A", "B", "expected",
                    "ok"))
for _, c in ipairs(cells) do
  local g = got(c)
  print(string.format("%-36s %-18s %-18s %-8s %s", c.label, side(c.ra), side(c.rb), c.want,
                      g == c.want and "ok" or "WRONG (" .. g .. ")"))
end
for _, c in ipairs(cells) do
  sim.expect(c.ra ~= nil and c.rb ~= nil, c.label .. ": both connected (" ..
             tostring(c.erra or c.errb) .. ")")
  sim.expect(got(c) == c.want, c.label .. ": " .. got(c) .. ", RFC 4787 says " .. c.want)
  sim.expect(c.media == true, c.label .. ": media arrives on the selected pair")
end
sim.expect(relay:stats().relayed_to_peer > 0, "T relayed the calls that needed it")
sim.stop()
