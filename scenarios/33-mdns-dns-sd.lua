-- 33-mdns-dns-sd.lua — zero-configuration service discovery on a LAN: Multicast DNS
-- (RFC 6762) and DNS-Based Service Discovery (RFC 6763).
--
-- The picture: one LAN, no DNS server, no configuration beyond each device's address.
--
--   printer  10.0.0.10  (host name "myserver", publishes "myprinter._printer._tcp")
--   laptop   10.0.0.20  (wants to print: browses, then resolves)
--   phone    10.0.0.30  (looks a host name up)
--                 all on "lan" (224.0.0.251 / ff02::fb, UDP port 5353)
--
-- What happens, in the order a Wireshark capture of "lan" shows it:
--   1. The printer claims its names. After a random 0-250 ms it sends three probes 250 ms
--      apart: queries "myserver.local ANY" with the QU bit and the records it proposes in the
--      authority section ("is anybody using this name?", §8.1). Same for the instance name
--      "myprinter._printer._tcp.local" with its SRV and TXT records.
--   2. Nobody objects, so 250 ms after the third probe it announces: two unsolicited
--      responses one second apart (§8.3), the unique records (A, AAAA, SRV, TXT) carrying the
--      cache-flush bit ("forget any older data for this name").
--   3. The laptop browses: it multicasts "PTR _printer._tcp.local?" (§4.1 of RFC 6763). The
--      PTR record is shared (many printers can answer), so the printer waits 20-120 ms before
--      answering, and puts the SRV, TXT and A/AAAA records in the additional section.
--   4. The laptop resolves the instance: everything it needs already came as additional
--      records, so the answer is in its cache: host myserver.local, port 5432, paper=A4,
--      address 10.0.0.10. These are the lecture's records:
--        _printer._tcp.local.            4500 IN PTR myprinter._printer._tcp.local.
--        myprinter._printer._tcp.local.   120 IN SRV 0 0 5432 myserver.local.
--        myprinter._printer._tcp.local.  4500 IN TXT "paper=A4"
--        myserver.local.                  120 IN A   10.0.0.10
--   5. The phone asks "myserver.local A?": the A record is unique, so the answer comes at once.
--   6. The printer is switched off: it says goodbye (the same records with TTL 0, §10.1). A
--      standing browser on the laptop (mdns.browser) reports the instance removed one second
--      after the goodbye arrives, and a new browse finds nothing.
--
-- The test suite checks these in the pcap:
-- trace: lan mdns && dns.flags.response == 0 && dns.count.auth_rr > 0 && dns.qry.name == "myserver.local"
-- trace: lan mdns && dns.flags.response == 0 && dns.count.auth_rr > 0 && dns.qry.name == "myprinter._printer._tcp.local"
-- trace: lan mdns && dns.flags.response == 1 && dns.srv.port == 5432 && dns.srv.target == "myserver.local"
-- trace: lan mdns && dns.flags.response == 1 && dns.ptr.domain_name == "myprinter._printer._tcp.local" && dns.resp.ttl == 4500
-- trace: lan mdns && dns.flags.response == 1 && dns.txt == "paper=A4"
-- trace: lan mdns && dns.flags.response == 1 && dns.a == 10.0.0.10 && dns.resp.cache_flush == 1
-- trace: lan mdns && dns.flags.response == 1 && dns.resp.ttl == 0 && dns.srv.port == 5432
-- trace: lan mdns && ip.dst == 224.0.0.251 && ip.ttl == 255 && udp.srcport == 5353
-- trace: lan mdns && ipv6.dst == ff02::fb && udp.dstport == 5353

local lan = sim.lan("lan", {delay = "1ms", bandwidth = "100Mbit"})
local printer, laptop, phone = sim.host("printer"), sim.host("laptop"), sim.host("phone")
printer:attach(lan, {ip = "10.0.0.10/24"})
laptop:attach(lan, {ip = "10.0.0.20/24"})
phone:attach(lan, {ip = "10.0.0.30/24"})

-- 1-2: the printer's responder probes and announces its host name and its service
local r = mdns.responder(printer, {hostname = "myserver"})
r:publish{instance = "myprinter", service = "_printer._tcp", port = 5432, txt = {paper = "A4"}}
local t0 = sim.now()
sim.expect(r:wait{timeout = "5s"}, "the printer's names are announced")
print(r, string.format("ready after %.3f s", sim.now() - t0))
local st = r:stats()
sim.expect(st.probes == 6, "three probes for each of the two names")
sim.expect(st.conflicts == 0 and r:hostname() == "myserver", "nobody else uses them")
sim.sleep(2) -- the second announcement, one second after the first

-- 3: browsing
local found = mdns.browse(laptop, "_printer._tcp", {timeout = "2s"})
for i, name in ipairs(found) do print("browse:", i, name) end
sim.expect(#found == 1 and found[1] == "myprinter._printer._tcp.local",
           "the laptop finds myprinter._printer._tcp.local")

-- 4: resolving: from the cache (the additional records of the browse answer)
local t1 = sim.now()
local svc = mdns.resolve(laptop, found[1], {timeout = "3s"})
sim.expect(svc ~= nil, "the instance resolves")
print(string.format("resolve: %s port %d paper=%s addresses %s (%.0f ms)", svc.target, svc.port,
                    svc.txt.paper, table.concat(svc.addresses, " "), (sim.now() - t1) * 1000))
sim.expect(svc.target == "myserver.local" and svc.port == 5432, "SRV: myserver.local:5432")
sim.expect(svc.txt.paper == "A4", "TXT: paper=A4")
sim.expect(svc.addresses[1] == "10.0.0.10", "A: 10.0.0.10")
sim.expect(sim.now() == t1, "nothing to ask: it all came with the browse answer")

-- 5: a plain host name lookup from another device
local t2 = sim.now()
local a = mdns.lookup(phone, "myserver.local", "A", {timeout = "2s"})
sim.expect(a and a[1] == "10.0.0.10", "myserver.local is 10.0.0.10")
local took = sim.now() - t2
print(string.format("lookup myserver.local A: %s in %.0f ms", a and a[1], took * 1000))
sim.expect(took >= 0.020 and took <= 0.125, "first query after 20-120 ms, answered at once")

-- 6: goodbye, seen by a standing browser on the laptop (it keeps asking, with back-off)
local watch = mdns.browser(laptop, "_printer._tcp")
local added = watch:wait{timeout = "1s"}
sim.expect(added and added[1] == "myprinter._printer._tcp.local", "the browser starts with the printer")
local t3 = sim.now()
r:close()
local _, removed = watch:wait{timeout = "5s"}
print(string.format("browser: %s removed %.3f s after the goodbye", removed and removed[1],
                    sim.now() - t3))
sim.expect(removed and removed[1] == "myprinter._printer._tcp.local", "the browser sees it go")
local after = sim.now() - t3
sim.expect(after > 1.001 and after < 1.002,
           "removed one second after the goodbye arrives (1 ms + serialisation on the LAN, §10.1)")
watch:close()
local gone = mdns.browse(laptop, "_printer._tcp", {timeout = "1s"})
sim.expect(#gone == 0, "after the goodbye the printer is gone")

sim.stop()
