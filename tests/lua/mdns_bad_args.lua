-- expect-exit: 1
-- expect-stderr: mdns_bad_args.lua:39: bad argument #1 to 'publish' (option 'service': "_name._tcp" or "_name._udp")
-- Misuse of the mdns module is a Lua error with file:line, never a crash; each pcall below
-- must fail with a message naming what is wrong.
local h = sim.host("printer")
h:attach(sim.lan("l"), {ip = "10.0.0.1/24"})
local function fails(f, want)
  local ok, err = pcall(f)
  assert(not ok and err:find(want, 1, true), "expected '" .. want .. "', got " .. tostring(err))
end
fails(function() mdns.responder(h, {hostname = "x", colour = "red"}) end, "unknown option 'colour'")
fails(function() mdns.responder(h, {}) end, "option 'hostname'")
fails(function() mdns.responder(h, {hostname = "a.b"}) end, "option 'hostname'")
fails(function() mdns.responder("h", {hostname = "x"}) end, "bad argument #1 to 'responder'")
local r = mdns.responder(h, {hostname = "myserver"})
fails(function() mdns.responder(h, {hostname = "again"}) end, "already has an mDNS responder")
fails(function() r:publish{instance = "p", service = "_printer._tcp"} end, "option 'port'")
fails(function() r:publish{instance = "p", service = "_printer._tcp", port = 1, prt = 2} end,
      "unknown option 'prt'")
fails(function() r:publish{instance = string.rep("x", 64), service = "_ipp._tcp", port = 1} end,
      "option 'instance'")
fails(function() r:publish{instance = "p", service = "_ipp._tcp", port = 1, txt = {a = {}}} end,
      "option 'txt'")
fails(function() r:publish{instance = "p", service = "_ipp._tcp", port = 1, txt = 3} end,
      "option 'txt'")
fails(function() mdns.browse(h, "printer") end, "bad argument #2 to 'browse'")
fails(function() mdns.browse(h, "_ipp._tcp", {timeout = "1s", wait = 2}) end, "unknown option 'wait'")
fails(function() mdns.resolve(h, "noservice") end, "bad argument #2 to 'resolve'")
fails(function() mdns.lookup(h, "x.local", "BOGUS") end, "bad argument #3 to 'lookup'")
fails(function() mdns.browser(h, "_ipp") end, "bad argument #2 to 'browser'")
local b = mdns.browser(h, "_ipp._tcp")
fails(function() b:wait{timeout = "1s", colour = 1} end, "unknown option 'colour'")
b:close()
fails(function() b:instances() end, "mdns browser is closed")
r:close()
fails(function() r:hostname() end, "gone")
local h2 = sim.host("other")
h2:attach(sim.lan("l2"), {ip = "10.0.1.1/24"})
mdns.responder(h2, {hostname = "other"}):publish{instance = "p", service = "printer", port = 1}
