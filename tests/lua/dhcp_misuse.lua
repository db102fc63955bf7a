-- expect-exit: 1
-- expect-stderr: dhcp_misuse.lua:39: bad argument #2 to 'client' (option 'iface': laptop has no interface "wlan0")
-- Misuse of the dhcp and ipv4ll modules is a Lua error naming the argument, never a crash;
-- each pcall below must fail with a message naming what is wrong.
local lan = sim.lan("lan", {})
local R = sim.router("R")
local r0 = R:attach(lan, {ip = "192.168.1.1/24"})
local laptop = sim.host("laptop")
local l0 = laptop:attach(lan)
local function fails(f, want)
  local ok, err = pcall(f)
  assert(not ok and err:find(want, 1, true), "expected '" .. want .. "', got " .. tostring(err))
end
fails(function() dhcp.server(R, {iface = r0, range = "192.168.1.10-192.168.1.20", colour = 1}) end,
      "unknown option 'colour'")
fails(function() dhcp.server(R, {iface = r0}) end, "option 'range'")
fails(function() dhcp.server(R, {iface = r0, range = "192.168.1.20-192.168.1.10"}) end,
      "the first not above the last")
fails(function() dhcp.server(R, {iface = r0, range = "10.0.0.1-10.0.0.5"}) end,
      "outside the subnet of eth0 on R")
fails(function() dhcp.server(R, {iface = r0, range = "192.168.1.10-192.168.1.20", dns = {1, 2}}) end,
      "option 'dns'")
fails(function() dhcp.server(laptop, {iface = l0, range = "192.168.1.10-192.168.1.20"}) end,
      "has no IPv4 address")
fails(function() dhcp.server(R, {iface = l0, range = "192.168.1.10-192.168.1.20"}) end,
      "belongs to laptop, not R")
fails(function() dhcp.server(R, {iface = 42, range = "192.168.1.10-192.168.1.20"}) end,
      "option 'iface'")
fails(function() dhcp.client(laptop, {fallback_linklocal = "soon"}) end, "fallback_linklocal")
fails(function() dhcp.client("laptop") end, "bad argument #1 to 'client'")
fails(function() ipv4ll.start(laptop, {first_addr = "10.1.2.3"}) end, "option 'first_addr'")
fails(function() ipv4ll.start(laptop, {bogus = true}) end, "unknown option 'bogus'")
fails(function() dhcp.client(laptop, {iface = sim.lan("other", {})}) end,
      "option 'iface': laptop is not attached to other")
local c = dhcp.client(laptop, {iface = lan})
fails(function() c:wait_bound("forever") end, "bad argument #1 to 'wait_bound'")
c:close()
fails(function() c:state() end, "is gone")
dhcp.client(laptop, {iface = "wlan0"})
