-- IPv6 autoconfiguration from Lua: a router advertises, a host configures a link-local and a
-- global address after DAD, a host with a forced duplicate interface ID loses, addresses()
-- reports states and origins, static addresses on a DAD interface wait for DAD too.
local lan = sim.lan("lan", { delay = "1ms" })
local R = sim.router("R")
R:attach(lan, {})
R:advertise(lan, { prefix = "2001:db8:5::/64", interval = "20s", valid = "1h", preferred = "30min" })
local A = sim.host("A")
local a0 = A:attach(lan, { slaac = true, iid = "::1:2:3:4", ip6 = "2001:db8:9::1/64", ip = "10.0.0.5/24" })
assert(a0:ip() == "10.0.0.5") -- IPv4 needs no DAD here
local t = a0:addresses()
assert(#t == 2 and t[1].state == "tentative" and t[1].origin == "link-local", t[1].state)
assert(t[1].ip == "fe80::1:2:3:4" and t[2].origin == "static" and t[2].state == "tentative")
local ll = assert(a0:wait_address { scope = "link-local", timeout = "2s" })
assert(ll == "fe80::1:2:3:4")
local g = assert(a0:wait_address { timeout = "20s" })
sim.expect(g == "2001:db8:9::1" or g == "2001:db8:5:0:1:2:3:4", "a global address " .. g)
local seen = {}
sim.expect(a0:wait_address { timeout = "20s" } ~= nil, "still there")
sim.sleep(5)
for _, a in ipairs(a0:addresses()) do seen[a.ip] = a end
local s = seen["2001:db8:5:0:1:2:3:4"]
assert(s and s.origin == "slaac" and s.state == "preferred" and s.valid <= 3600 and s.preferred <= 1800)
assert(seen["2001:db8:9::1"].state == "preferred" and seen["2001:db8:9::1"].valid == math.huge)
-- A latecomer with the same interface ID: A defends its link-local, B gives up on IPv6.
local B = sim.host("B")
local b0 = B:attach(lan, { slaac = true, iid = "::1:2:3:4" })
local ip, err = b0:wait_address { scope = "link-local", timeout = "3s" }
assert(ip == nil and err:find("admin intervention required"), err)
local st = b0:slaac_stats()
assert(st.disabled and st.dad_failed == 1 and st.rs_sent == 0)
assert(b0:addresses()[1].state == "duplicate")
-- A stable interface ID differs from the MAC-based one and is reproducible.
local C = sim.host("C")
local c0 = C:attach(lan, { slaac = true, iid = "stable" })
local cg = assert(c0:wait_address { timeout = "30s" })
assert(cg:find("^2001:db8:5:") and not cg:find("ff:fe"), cg)
sim.expect(A:ping(cg) ~= nil, "A reaches C's SLAAC address")
assert(R:iface(1):slaac_stats().ra_sent >= 2)
sim.stop()
