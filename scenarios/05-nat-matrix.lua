-- 05-nat-matrix.lua — hole punching for every pair of classic NAT types.
--
-- For each ordered pair (left, right) of presets a fresh pair of sites is built: host L behind
-- a NAT of type `left`, host Rt behind a NAT of type `right`, both registered with one
-- rendezvous server S; L punches to Rt exactly as in scenario 04 (PUNCH every 200 ms to the
-- peer's public and private endpoints, a PUNCH-ACK proves the round trip, an endpoint learned
-- from the peer's own PUNCH becomes a target too). All 16 pairs run at the same time; they
-- share only S and the Internet router, so they cannot influence each other.
--
-- What to expect, from RFC 4787's behaviours (not from running it):
--   full-cone            = EIM + EIF       restricted-cone = EIM + ADF
--   port-restricted-cone = EIM + APDF      symmetric       = APDM + APDF
-- Write X's public endpoint as S saw it X:x (the mapping X's socket uses towards S).
--
--  * Both EIM (any two cones): each side's punches leave from exactly X:x, the endpoint S
--    reported to the other side. After each side has sent one PUNCH, each NAT's filter admits
--    the other's X:x (whatever the filtering: EIF admits all, ADF the address, APDF the
--    address and port, all of which match). Later punches get through both ways: success.
--
--  * Symmetric L (APDM) against a cone Rt: L's punches towards Rt:r leave from a new port
--    L:x' (not L:x). Rt's punches go to L:x, whose mapping was made for S and filters APDF:
--    always dropped. So everything depends on whether Rt's NAT admits L:x':
--      - full-cone (EIF): admits anything on Rt:r. Rt gets L's PUNCH from L:x', answers there
--        (L's mapping x' admits Rt:r, it was made for it), L has its PUNCH-ACK. Rt adds L:x'
--        as a target (peer-reflexive), punches it, L answers: both succeed.
--      - restricted-cone (ADF): admits any port of an address Rt has sent to. Rt has been
--        punching L's address (to port x), so L:x' is admitted by address. Then as above:
--        success both ways.
--      - port-restricted-cone (APDF): admits only L:x (the port Rt punched), never L:x'.
--        Nothing arrives either way: failure.
--  * Symmetric against symmetric: each side's punches leave from a new port the other
--    side's APDF filter never admitted, and each side aims at the other's S-mapping, which
--    admits only S: failure.
--  The relation is symmetric (who calls CONNECT does not matter: both sides punch), so the
--  expected table has a failure exactly where one side is symmetric and the other is
--  symmetric or port-restricted-cone.

local presets = {"full-cone", "restricted-cone", "port-restricted-cone", "symmetric"}
local short = {["full-cone"] = "FC", ["restricted-cone"] = "RC",
               ["port-restricted-cone"] = "PRC", ["symmetric"] = "SYM"}

local function expected(left, right)
  local function blocks(x, y) return x == "symmetric" and (y == "symmetric" or y == "port-restricted-cone") end
  return not (blocks(left, right) or blocks(right, left))
end

-- the Internet: one router, S on its own link
local R = sim.router("R")
local s_link = sim.link("s-link", {delay = "5ms"})
local S = sim.host("S")
S:attach(s_link, {ip = "18.181.0.31/24"})
R:attach(s_link, {ip = "18.181.0.1/24"})
S:route("default", "18.181.0.1")
relay.rendezvous(S, {port = 5000})

-- One site: host `hname` at private_ip behind NAT `nname` with public address 100.64.<k>.2,
-- its uplink to R on 100.64.<k>.0/24.
local function site(k, nname, hname, preset, private_ip)
  local lan = sim.lan(nname .. "-lan", {delay = "1ms"})
  local up = sim.link(nname .. "-up", {delay = "10ms"})
  local nat = sim.nat(nname, {preset = preset, ports = "preserve"})
  local host = sim.host(hname)
  local gw = private_ip:gsub("%.%d+$", ".254")
  host:attach(lan, {ip = private_ip .. "/24"})
  host:route("default", gw)
  nat:inside(lan, {ip = gw .. "/24"})
  nat:outside(up, {ip = string.format("100.64.%d.2/24", k)})
  nat:route("default", string.format("100.64.%d.1", k))
  R:attach(up, {ip = string.format("100.64.%d.1/24", k)})
  return relay.client(host, {server = "18.181.0.31:5000", name = hname, port = 4321,
                             punch_timeout = "3s"})
end

local results, tasks = {}, {}
local k = 0
for i, left in ipairs(presets) do
  results[i] = {}
  for j, right in ipairs(presets) do
    k = k + 1
    local ln, rn = string.format("L%d%d", i, j), string.format("Rt%d%d", i, j)
    local lc = site(2 * k, "N" .. ln, ln, left, "10.0.0.1")
    local rc = site(2 * k + 1, "N" .. rn, rn, right, "10.1.1.3")
    tasks[#tasks + 1] = sim.spawn(function()
      sim.expect(lc:register("2s") ~= nil and rc:register("2s") ~= nil, ln .. " and " .. rn .. " registered")
      local ok, info = lc:punch(rn)
      local rok, rinfo = rc:wait_punch(ln, "5s")
      local prflx = info.via == "peer-reflexive" or (rinfo and rinfo.via == "peer-reflexive")
      results[i][j] = {ok = ok and rok, prflx = prflx}
    end)
  end
end
for _, t in ipairs(tasks) do t:join() end

print("\nHole punching, left NAT (rows) x right NAT (columns): ok / FAIL")
local line = string.format("%-6s", "")
for _, p in ipairs(presets) do line = line .. string.format("%-8s", short[p]) end
print(line)
for i, left in ipairs(presets) do
  line = string.format("%-6s", short[left])
  for j, right in ipairs(presets) do
    local r = results[i][j]
    local cell = r and (r.ok and (r.prflx and "ok*" or "ok") or "FAIL") or "?"
    line = line .. string.format("%-8s", cell)
  end
  print(line)
end
print("ok: both sides got a PUNCH-ACK.  ok*: one side's working path is a peer-reflexive")
print("endpoint, the new port a symmetric NAT chose, learned from the peer's own PUNCH.")

for i, left in ipairs(presets) do
  for j, right in ipairs(presets) do
    local r = results[i][j]
    local want = expected(left, right)
    sim.expect(r ~= nil and r.ok == want,
               string.format("%s -> %s should %s", left, right, want and "succeed" or "fail"))
  end
end

sim.stop() -- keepalives would tick forever
