-- expect-exit: 1
-- expect-stderr: dns_bad_args.lua:16: bad argument #2 to 'resolve' (type: A, AAAA
-- Misuse of the dns module is a Lua error with file:line, never a crash; each pcall below
-- must fail with a message naming what is wrong.
local h = sim.host("ns")
h:attach(sim.link("l", {}), {ip = "10.0.0.1/24"})
local function fails(f, want)
  local ok, err = pcall(f)
  assert(not ok and err:find(want, 1, true), "expected '" .. want .. "', got " .. tostring(err))
end
fails(function() dns.server(h, {zone = "example", colour = "red"}) end, "unknown option 'colour'")
fails(function() dns.server(h, {}) end, "option 'zone'")
fails(function() dns.server(h, {zone = "x", records = {{type = "A", data = "::1"}}}) end,
      "record 1: 'data' must be an IPv4 address")
local r = dns.resolver(h, {server = "10.0.0.1"})
r:resolve("a.example", "BOGUS")
