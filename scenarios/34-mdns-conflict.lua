-- 34-mdns-conflict.lua — two devices want the same names: how Multicast DNS keeps names
-- unique without any server (RFC 6762 §8 probing, §8.2 tie-breaking, §9 conflict resolution).
--
-- The picture: one LAN, four devices, all factory-fresh with the same default names.
--
--   printerA 10.0.0.10   "myhost", instance "myprinter._printer._tcp"  (switched on first)
--   printerB 10.0.0.20   "myhost", instance "myprinter._printer._tcp"  (switched on 3 s later)
--   twin1    10.0.0.40   "twin"  \  switched on at the very same moment
--   twin2    10.0.0.41   "twin"  /
--   laptop   10.0.0.99   browses at the end
--
-- Case 1, a name already in use. printerA probes, announces and owns "myhost.local" and
-- "myprinter._printer._tcp.local". When printerB probes for them ("myhost.local ANY?" with
-- the QU bit and its A record in the authority section), printerA defends: it answers with
-- its own records, unicast to printerB's port 5353 because it multicast them recently (§5.4).
-- printerB sees a record for the name it probes that is not its own: conflict (§8.1). It
-- picks a new name and probes again: "myhost-2.local" (host names: a number appended, as
-- Apple's and Avahi's responders do) and "myprinter (2)._printer._tcp.local" (instance names
-- are for people: " (2)", the RFC 6763 §D style). Its SRV record now points at
-- myhost-2.local.
--
-- Case 2, a simultaneous probe. twin1 and twin2 probe for "twin.local" at the same time, so
-- neither has announced anything to defend with. Each sees the other's probe and compares
-- the proposed records (§8.2): sorted by class, type and RDATA, the first difference
-- decides, and the lexicographically later set wins. Both have an A record first (type 1);
-- 10.0.0.41 > 10.0.0.40, so twin2 wins. twin1 waits one second and probes again; by then
-- twin2 has announced and defends, and twin1 becomes "twin-2".
--
-- The event log has "mdns" events: probe, conflict, renamed, announce, ready.
--
-- trace: lan mdns && dns.flags.response == 0 && dns.count.auth_rr > 0 && dns.qry.name == "myhost-2.local"
-- trace: lan mdns && dns.flags.response == 0 && dns.count.auth_rr > 0 && dns.qry.name == "myprinter (2)._printer._tcp.local"
-- trace: lan mdns && dns.flags.response == 1 && ip.dst == 10.0.0.20 && udp.dstport == 5353 && dns.a == 10.0.0.10
-- trace: lan mdns && dns.flags.response == 1 && dns.srv.target == "myhost-2.local" && dns.srv.port == 5432
-- trace: lan mdns && dns.flags.response == 1 && dns.a == 10.0.0.40 && dns.resp.name == "twin-2.local"
-- trace-none: lan mdns && dns.flags.response == 1 && dns.a == 10.0.0.20 && dns.resp.name == "myhost.local"

local lan = sim.lan("lan", {delay = "1ms", bandwidth = "100Mbit"})
local function device(name, ip)
  local h = sim.host(name)
  h:attach(lan, {ip = ip .. "/24"})
  return h
end
local printerA, printerB = device("printerA", "10.0.0.10"), device("printerB", "10.0.0.20")
local twin1, twin2 = device("twin1", "10.0.0.40"), device("twin2", "10.0.0.41")
local laptop = device("laptop", "10.0.0.99")

local function printer(host)
  local r = mdns.responder(host, {hostname = "myhost"})
  r:publish{instance = "myprinter", service = "_printer._tcp", port = 5432, txt = {paper = "A4"}}
  return r
end

-- case 1: printerA first, printerB three seconds later
local rA = printer(printerA)
sim.expect(rA:wait{timeout = "5s"}, "printerA owns its names")
sim.sleep(3)
local rB = printer(printerB)
sim.expect(rB:wait{timeout = "10s"}, "printerB ends up with names of its own")
print(rA, rA:services()[1])
print(rB, rB:services()[1])
sim.expect(rA:hostname() == "myhost" and rA:services()[1] == "myprinter._printer._tcp.local",
           "the first device keeps its names")
sim.expect(rB:hostname() == "myhost-2", "the host name conflict: myhost -> myhost-2")
sim.expect(rB:services()[1] == "myprinter (2)._printer._tcp.local",
           "the instance name conflict: myprinter -> myprinter (2)")
local sB = rB:stats()
sim.expect(sB.conflicts == 2 and sB.renames == 2, "printerB: one conflict and rename per name")
sim.expect(rA:stats().unicast >= 1, "printerA defended with a unicast answer to the QU probe")

-- case 2: a simultaneous probe
local r1 = mdns.responder(twin1, {hostname = "twin"})
local r2 = mdns.responder(twin2, {hostname = "twin"})
sim.expect(r1:wait{timeout = "10s"} and r2:wait{timeout = "10s"}, "both twins get a name")
print(r1, "tie-breaks lost:", r1:stats().tiebreak_lost)
print(r2, "tie-breaks won:", r2:stats().tiebreak_won)
sim.expect(r2:hostname() == "twin" and r2:stats().tiebreak_won >= 1,
           "twin2 (A 10.0.0.41, the later RDATA) wins the tie-break")
sim.expect(r1:hostname() == "twin-2" and r1:stats().tiebreak_lost >= 1,
           "twin1 loses, waits a second, then yields: twin-2")

-- the laptop sees both printers and tells them apart
sim.sleep(2)
local found = mdns.browse(laptop, "_printer._tcp", {timeout = "2s"})
for _, name in ipairs(found) do
  local s = mdns.resolve(laptop, name, {timeout = "2s"})
  print(string.format("%-36s -> %s:%d (%s)", name, s.target, s.port, s.addresses[1]))
end
sim.expect(#found == 2, "two printers on the LAN")
local b = mdns.resolve(laptop, "myprinter (2)._printer._tcp.local")
sim.expect(b and b.target == "myhost-2.local" and b.addresses[1] == "10.0.0.20",
           "myprinter (2) is printerB, host myhost-2.local")
local a = mdns.lookup(laptop, "twin-2.local", "A")
sim.expect(a and a[1] == "10.0.0.40", "twin-2.local is twin1")

sim.stop()
