-- expect-exit: 1
-- expect-stderr: sip_outbound_misuse.lua:40: bad argument #2 to 'proxy' (option 'flow_timeout': 0..86400 seconds)
-- Misuse of the RFC 5626 / RFC 3327 options of the sip module is a Lua error with file:line
-- naming the option, never a crash; each pcall below must fail with the message given.
local lan = sim.lan("l", {})
local h = sim.host("phone")
h:attach(lan, {ip = "10.0.0.1/24"})
local s = sim.host("server")
s:attach(lan, {ip = "10.0.0.2/24"})
local function fails(f, want)
  local ok, err = pcall(f)
  assert(not ok and err:find(want, 1, true), "expected '" .. want .. "', got " .. tostring(err))
  assert(err:find("sip_outbound_misuse.lua:", 1, true), "no file:line in " .. err)
end
fails(function() sip.proxy(s, {domain = "x", force_path = true}) end, "need outbound = true")
fails(function() sip.proxy(s, {domain = "x", flow_timeout = 30}) end, "need outbound = true")
fails(function() sip.proxy(s, {domain = "x", outbound = "yes"}) end, "outbound")
fails(function() sip.registrar(s, {domain = "x", flow_timer = 99999}) end, "option 'flow_timer'")
fails(function() sip.ua(h, {aor = "sip:bob@x", keepalive = 30}) end, "needs outbound = true")
fails(function() sip.ua(h, {aor = "sip:bob@x", outbound = true, keepalive = 0}) end,
      "option 'keepalive': 1..86400 seconds, or false")
fails(function() sip.ua(h, {aor = "sip:bob@x", outbound = true, keepalive = "often"}) end,
      "keepalive")
fails(function() sip.ua(h, {aor = "sip:bob@x", outbound = {edge = {"10.0.0.2"}}}) end,
      "edge")
fails(function() sip.ua(h, {aor = "sip:bob@x", outbound = {edges = {}}}) end,
      "option 'outbound.edges': a list of 1..4")
fails(function() sip.ua(h, {aor = "sip:bob@x", outbound = {edges = "10.0.0.2"}}) end,
      "option 'outbound.edges': a list of 1..4")
fails(function() sip.ua(h, {aor = "sip:bob@x", outbound = {edges = {"10.0.0.2", "nope"}}}) end,
      "option 'outbound.edges'[2]")
fails(function() sip.ua(h, {aor = "sip:bob@x", registrar = "10.0.0.2",
                            outbound = {edges = {"10.0.0.2"}}}) end, "REGISTERs go to the edges")
fails(function() sip.ua(h, {aor = "sip:bob@x", outbound = {rto = "soon"}}) end, "rto")
local two = sip.ua(h, {aor = "sip:bob@x", port = 5070, outbound = {edges = {"10.0.0.2",
                       "10.0.0.3:5080"}, rto = 0.25}})
assert(two:stats().keepalive_rtx == 0)
local ok = sip.ua(h, {aor = "sip:bob@x", outbound = true, keepalive = false})
assert(ok:stats().keepalives == 0)
sip.proxy(s, {domain = "x", outbound = true, flow_timeout = -1})
