-- A DNS server and a resolver on one LAN, over IPv4 and IPv6: answers, NODATA, records as tables, the default
-- resolver of dns.resolve and its cache, a timeout against a host that runs no server, and a
-- resolver closed under a waiting task.
local lan = sim.lan("lan", {delay = "1ms"})
local ns, c, mute = sim.host("ns"), sim.host("c"), sim.host("mute")
ns:attach(lan, {ip = "10.0.0.1/24", ip6 = "2001:db8::53/64"})
c:attach(lan, {ip = "10.0.0.2/24", ip6 = "2001:db8::2/64"})
mute:attach(lan, {ip = "10.0.0.3/24"})
local S = dns.server(ns, {zone = "example", records = {
  {type = "TXT", strings = {"txtvers=1", "path=/x"}},
  {name = "www.example", type = "AAAA", data = "2001:db8::1", ttl = 5},
  {name = "h.example", type = "TYPE731", data = "\1\2"},
}})
S:add{name = "ptr.example", type = "PTR", target = "www.example"}
local txt = assert(dns.resolve(c, "10.0.0.1", "example", "TXT"))
assert(txt[1].strings[2] == "path=/x", "TXT strings")
local aaaa, info = dns.resolve(c, "10.0.0.1:53", "www.example", "AAAA")
assert(aaaa[1].data == "2001:db8::1" and aaaa[1].ttl == 5 and not info.cached)
local v6 = assert(dns.resolve(c, "[2001:db8::53]:53", "www.example", "AAAA")) -- over IPv6
assert(v6[1].data == "2001:db8::1")
local again, info2 = dns.resolve(c, "10.0.0.1", "www.example", "AAAA")
assert(again[1].data == "2001:db8::1" and info2.cached and info2.sent == 0, "the host's cache")
local raw = assert(dns.resolve(c, "10.0.0.1", "h.example", "TYPE731"))
assert(raw[1].type == "TYPE731" and raw[1].data == "\1\2")
local none, err = dns.resolve(c, "10.0.0.1", "www.example", "A")
assert(none == nil and err == "NODATA", tostring(err))
local p = assert(dns.resolve(c, "10.0.0.1", "ptr.example", "PTR"))
assert(p[1].target == "www.example")
local t0 = sim.now()
local r = dns.resolver(c, {server = "10.0.0.3", rto = "0.5s", tries = 2})
local x, e, i = r:resolve("www.example", "A")
assert(x == nil and e == "timeout" and i.sent == 2, tostring(e))
assert(math.abs(sim.now() - t0 - 1.5) < 0.01, "0.5 s + 1 s, then give up")
local y, e2 = r:resolve("www.example", "A", {timeout = "0.2s"})
assert(y == nil and e2 == "timeout" and sim.now() - t0 < 1.8)
-- closing a resolver wakes the task waiting on it
local r2 = dns.resolver(c, {server = "10.0.0.3"})
sim.after(0.5, function() r2:close() end)
local z, e3 = r2:resolve("www.example", "A")
assert(z == nil and e3 == "closed", tostring(e3))
assert(tostring(r2) == "<dns resolver (closed)>")
assert(tostring(S):find("dns server on ns port 53, 1 zones, 5 records", 1, true), tostring(S))
assert(S:stats().queries == 6, S:stats().queries)
sim.stop()
