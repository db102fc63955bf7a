-- 10-nat-discovery.lua — NAT behaviour discovery with STUN (RFC 5780).
--
-- Scenario 09 learnt *where* a host is on the Internet. Whether that address is any use to a
-- peer depends on *how* the NAT behaves (RFC 4787): does the mapping stay the same whatever
-- the destination (mapping EIM / ADM / APDM), and whom does the NAT let in through it
-- (filtering EIF / ADF / APDF)? RFC 5780 finds out from the inside, with a server that has two
-- IP addresses A1, A2 and two ports P1, P2 and can answer from any of the four combinations.
--
--         S  A1 = 203.0.113.10, A2 = 203.0.113.11, P1 = 3478, P2 = 3479
--         │
--   ══════╪═══════════╤══════ … ═════╤═══════════  internet (one LAN, 5 ms)
--         │           │              │
--   P 203.0.113.50   N-fc 203.0.113.101 … N-apdm-apdf 203.0.113.113  (one NAT per table row)
--   (public)          │ fc-lan
--                   H-fc 10.0.1.10    …  (one host behind each NAT, 10.0.k.10)
--
-- The tests, each one Binding transaction (retransmitted 7 times over 39.5 s if unanswered):
--   test I      to A1:P1. Answer: XOR-MAPPED-ADDRESS X1, and OTHER-ADDRESS = A2:P2.
--               X1 == the host's own address:port  ->  no NAT at all (P's row).
--   filtering:  (§4.4) the request goes to A1:P1, so the NAT has admitted exactly A1:P1.
--     II        CHANGE-REQUEST "change IP and port": S answers from A2:P2, an address the
--               host never sent to. Arrives: the filter is endpoint-independent (EIF).
--     III       CHANGE-REQUEST "change port": S answers from A1:P2. Arrives: the filter looks
--               at the address only (ADF). Times out: address and port (APDF).
--               A timeout is an answer here: "the NAT dropped it".
--   mapping:    (§4.3)
--     II        to A2:P1 -> X2. X2 == X1: the NAT reused the mapping for a new address (EIM).
--     III       to A2:P2 -> X3. X3 == X2: same address, other port, same mapping (ADM);
--               otherwise a new mapping per address and port (APDM).
--   Filtering runs first on purpose: mapping test II sends to A2, and afterwards an
--   address-dependent filter would admit A2 and filtering test II would wrongly say EIF.
--   Endpoints are compared whole: with port preservation X1 has the host's own port, and only
--   the address tells "NAT" from "no NAT"; a NAT never gives two mappings one outside port, so
--   ADM vs APDM is not fooled by sequential or random port choice either.
--   hairpinning (§4.5, preset rows): a second socket sends a request to X1. It comes back in only
--   if the NAT hairpins AND its filter admits the NAT's own outside address as a source, which
--   only an endpoint-independent filter does (the engine filters hairpinned packets like
--   outside ones, RFC 4787 REQ-9).
--
-- All 13 NATs (4 presets, then every mapping x filtering pair with port allocation cycling
-- through preserve, sequential, random) and P run at the same time; each row asserts that the
-- discovered behaviour is exactly the configured one.
--
-- The test suite checks these in the pcaps: CHANGE-REQUEST on the wire, answers carrying
-- RESPONSE-ORIGIN (0x802b) and OTHER-ADDRESS (0x802c), and the port-restricted cone's
-- filtering: the answer from A2:P2 reaches its outside address but never its LAN.
-- trace: internet stun.type == 0x0001 && stun.att.change-ip == 1 && stun.att.change-port == 1
-- trace: internet stun.type == 0x0001 && stun.att.change-ip == 0 && stun.att.change-port == 1
-- trace: internet stun.type == 0x0101 && ip.src == 203.0.113.11 && udp.srcport == 3479 && stun.attribute == 0x802b
-- trace: internet stun.type == 0x0101 && stun.attribute == 0x802c && stun.att.ipv4 == 203.0.113.11 && stun.att.port == 3479
-- trace: internet stun.type == 0x0101 && ip.src == 203.0.113.10 && udp.srcport == 3479
-- trace: internet stun.type == 0x0101 && ip.src == 203.0.113.11 && udp.srcport == 3478
-- trace: internet stun.type == 0x0101 && ip.src == 203.0.113.11 && udp.srcport == 3479 && ip.dst == 203.0.113.103
-- trace-none: prc-lan stun.type == 0x0101 && ip.src == 203.0.113.11 && udp.srcport == 3479
-- trace: fc-lan stun.type == 0x0101 && ip.src == 203.0.113.11 && udp.srcport == 3479

-- One LAN stands for the Internet: the server, the public host P and every NAT's outside.
-- (Fewer links than a router with an uplink per NAT, so fewer pcaps for tshark to check.)
local internet = sim.lan("internet", {delay = "5ms"})
local S = sim.host("S")
local s0 = S:attach(internet, {ip = "203.0.113.10/24"})
s0:add_ip("203.0.113.11/24")
local server = stun.server(S, {ip = "203.0.113.10", alt_ip = "203.0.113.11",
                               port = 3478, alt_port = 3479, software = "natsim RFC 5780"})
local SERVER = "203.0.113.10:3478"

-- The rows: name, NAT options, what the configuration says (the expected answer).
local rows = {
  {name = "fc",  preset = "full-cone",            mapping = "EIM",  filtering = "EIF"},
  {name = "rc",  preset = "restricted-cone",      mapping = "EIM",  filtering = "ADF"},
  {name = "prc", preset = "port-restricted-cone", mapping = "EIM",  filtering = "APDF"},
  {name = "sym", preset = "symmetric",            mapping = "APDM", filtering = "APDF"},
}
local ports = {"preserve", "sequential", "random"}
for i, m in ipairs({"EIM", "ADM", "APDM"}) do
  for j, f in ipairs({"EIF", "ADF", "APDF"}) do
    rows[#rows + 1] = {name = (m .. "-" .. f):lower(), mapping = m, filtering = f,
                       ports = ports[(i + j) % 3 + 1]}
  end
end

-- One site per row: host H behind its NAT, the NAT's outside on the Internet LAN.
local function site(k, row)
  local lan = sim.lan(row.name .. "-lan", {delay = "1ms"})
  local opts = {ports = row.ports or "preserve"}
  if row.preset then opts.preset = row.preset
  else opts.mapping, opts.filtering = row.mapping, row.filtering end
  local nat = sim.nat("N-" .. row.name, opts)
  local h = sim.host("H-" .. row.name)
  h:attach(lan, {ip = string.format("10.0.%d.10/24", k)})
  h:gateway(string.format("10.0.%d.1", k))
  nat:inside(lan, {ip = string.format("10.0.%d.1/24", k)})
  nat:outside(internet, {ip = string.format("203.0.113.%d/24", 100 + k)})
  return h
end

local tasks = {}
for k, row in ipairs(rows) do
  local h = site(k, row)
  tasks[#tasks + 1] = sim.spawn(function()
    row.result, row.err = stun.discover(h, SERVER, {port = 4000, hairpin = row.preset ~= nil})
  end)
end

-- P: a public host, no NAT.
local P = sim.host("P")
P:attach(internet, {ip = "203.0.113.50/24"})
local public
tasks[#tasks + 1] = sim.spawn(function() public = stun.discover(P, SERVER, {port = 4000}) end)

for _, t in ipairs(tasks) do t:join() end

print("\nRFC 5780 discovery: configured vs discovered")
print(string.format("%-22s %-10s %-10s | %-5s %-5s %-8s %-22s %s", "NAT", "ports", "config",
                    "map", "filt", "hairpin", "mapped (X1)", "ok"))
for _, row in ipairs(rows) do
  local r = row.result
  local cfg = row.mapping .. "+" .. row.filtering
  local ok = r ~= nil and r.nat and r.mapping == row.mapping and r.filtering == row.filtering
  local hp = "-"
  if r and r.hairpin ~= nil then hp = r.hairpin and "yes" or "no" end
  print(string.format("%-22s %-10s %-10s | %-5s %-5s %-8s %-22s %s", row.preset or row.name,
                      row.ports or "preserve", cfg, r and r.mapping or "?",
                      r and r.filtering or "?", hp, r and r.mapped or tostring(row.err),
                      ok and "ok" or "WRONG"))
  sim.expect(ok, string.format("%s: discovered %s+%s, configured %s", row.name,
                               r and r.mapping or "?", r and r.filtering or "?", cfg))
  if row.preset then
    sim.expect(r ~= nil and r.hairpin == (row.filtering == "EIF"),
               row.name .. ": hairpinned request seen only through an EIF filter")
  end
end
print(string.format("%-22s %-10s %-10s | %-5s %-5s %-8s %-22s %s", "(none: public P)", "-",
                    "-", public.mapping, public.filtering, "-", public.mapped,
                    public.nat and "WRONG" or "ok, no NAT"))
sim.expect(public.nat == false and public.mapped == "203.0.113.50:4000",
           "P is not behind a NAT")
sim.expect(public.filtering == "EIF", "and nothing filters what reaches it")

local st = server:stats()
print(string.format("\n%s: %d requests, %d answers", tostring(server), st.requests, st.success))
sim.expect(st.errors == 0 and st.requests == st.success, "every request answered")
sim.stop()
