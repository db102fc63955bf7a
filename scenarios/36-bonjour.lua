-- 36-bonjour.lua — the Bonjour start-up: a new printer joins a LAN with no DHCP server, no
-- DNS server and nobody to configure it, and a laptop finds it, resolves it and prints to it.
-- Zero-configuration networking is three steps, each one a protocol of its own:
--   addressing   DHCP (RFC 2131), else an IPv4 link-local address (RFC 3927)
--   naming       Multicast DNS (RFC 6762): claim "myserver.local" without a DNS server
--   discovery    DNS-SD (RFC 6763): publish "myprinter._printer._tcp.local", browse, resolve
--
-- The picture:
--
--   printer ─┐   (host name "myserver", prints on TCP port 5432)
--            ├── lan (no router, no DHCP server, no DNS server)
--   laptop  ─┘   (wants to print)
--
-- What happens, in the order a Wireshark capture of "lan" shows it:
--   1. Both devices power up at t = 0 and ask for DHCP: DHCPDISCOVER from 0.0.0.0 to
--      255.255.255.255, again after ~4 s, ~12 s ... (RFC 2131 §4.1 backoff). Nobody answers.
--   2. Ten seconds without a lease: each falls back to RFC 3927. It draws a candidate in
--      169.254.1.0-169.254.254.255 from its own seeded stream, waits PROBE_WAIT (0-1 s),
--      sends three ARP probes PROBE_MIN..PROBE_MAX (1-2 s) apart, "who has 169.254.x.y? tell
--      0.0.0.0" (sender IP 0.0.0.0 so that no ARP cache learns an address that may not be
--      ours), waits ANNOUNCE_WAIT (2 s) and, with no answer, claims it: two ARP announcements
--      ANNOUNCE_INTERVAL (2 s) apart, sender IP = target IP = the address. 4 to 7 s in all.
--   3. The printer starts its multicast responder (UDP 5353, group 224.0.0.251) and claims its
--      host name: after a random 0-250 ms, three probes exactly 250 ms apart, queries
--      "myserver.local ANY?" carrying the proposed A record in the authority section ("is
--      anybody using this name?", §8.1). Nobody objects: 250 ms after the third probe it
--      announces, twice, 1 s apart (§8.3): a response with "myserver.local A 169.254.x.y",
--      cache-flush bit set ("this is the one and only data for this name").
--   4. The print service starts (TCP port 5432) and is published: the instance name
--      "myprinter._printer._tcp.local" is probed and announced the same way, with the
--      lecture's records:
--        _printer._tcp.local.            4500 IN PTR myprinter._printer._tcp.local.
--        myprinter._printer._tcp.local.   120 IN SRV 0 0 5432 myserver.local.
--        myprinter._printer._tcp.local.  4500 IN TXT "paper=A4" "rp=queue1"
--   5. The laptop browses: "_printer._tcp.local PTR?" (QM, multicast). The PTR is a shared
--      record, so the printer answers after a random 20-120 ms, with SRV, TXT and A as
--      additional records (RFC 6763 §12).
--   6. The laptop resolves the instance from its cache (no further packet): myserver.local,
--      port 5432, 169.254.x.y; and opens a TCP connection there: the resolved address works.
--   7. A router with a DHCP server is plugged in. Both devices move to DHCP addresses and drop
--      the link-local ones; the printer's responder announces its new A record at once, twice,
--      with the cache-flush bit (RFC 6762 §8.4, §10.2), and the laptop resolves and reaches
--      the printer at its new address.
--
-- Each device also listens on the mDNS group with a second socket (SO_REUSEADDR, as a packet
-- sniffer would), so the script can time every mDNS packet on the wire and print the timeline.
--
-- The test suite checks these in the pcap of "lan":
-- trace: lan dhcp.option.dhcp == 1 && ip.src == 0.0.0.0 && frame.time_relative < 10
-- trace-none: lan dhcp.option.dhcp == 2 && frame.time_relative < 20
-- trace-none: lan dhcp && ip.src == 169.254.0.0/16
-- trace: lan dhcp.option.dhcp == 5 && dhcp.ip.your == 10.0.0.0/24
-- trace: lan arp.isprobe == 1 && arp.src.proto_ipv4 == 0.0.0.0 && arp.dst.proto_ipv4 == 169.254.0.0/16
-- trace: lan arp.isannouncement == 1 && arp.src.proto_ipv4 == 169.254.0.0/16
-- trace: lan mdns && dns.flags.response == 0 && dns.count.auth_rr > 0 && dns.qry.name == "myserver.local"
-- trace: lan mdns && dns.flags.response == 0 && dns.count.auth_rr > 0 && dns.qry.name == "myprinter._printer._tcp.local"
-- trace: lan mdns && dns.flags.response == 1 && dns.resp.cache_flush == 1 && dns.a == 169.254.0.0/16 && ip.src == 169.254.0.0/16
-- trace: lan mdns && dns.flags.response == 0 && dns.qry.name == "_printer._tcp.local" && dns.qry.type == 12
-- trace: lan mdns && dns.flags.response == 1 && dns.ptr.domain_name == "myprinter._printer._tcp.local" && dns.srv.port == 5432 && dns.srv.target == "myserver.local"
-- trace: lan mdns && dns.flags.response == 1 && dns.resp.cache_flush == 1 && dns.a == 10.0.0.0/24 && ip.src == 10.0.0.0/24
-- trace: lan tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == 5432 && ip.dst == 169.254.0.0/16

local lan = sim.lan("lan", {delay = "1ms"}) -- no bandwidth limit: RFC intervals show exactly
local printer, laptop = sim.host("printer"), sim.host("laptop")
printer:attach(lan)
laptop:attach(lan)

local timeline = {}
local function step(what)
    timeline[#timeline + 1] = {sim.now(), what, #timeline}
end

-- A tiny mDNS sniffer on the laptop: the first question's name, response bit, section counts.
local mdns_seen = {}
local function qname(p)
    local labels, i = {}, 13
    while i <= #p do
        local n = p:byte(i)
        if n == 0 or n >= 0xc0 then break end
        labels[#labels + 1] = p:sub(i + 1, i + n)
        i = i + n + 1
    end
    return table.concat(labels, ".")
end
local function sniff(host)
    local s = host:udp{port = 5353, reuse = true}
    s:join("224.0.0.251")
    s:on_recv(function(p, ip)
        if #p < 12 then return end
        local an, ns = p:byte(7) * 256 + p:byte(8), p:byte(9) * 256 + p:byte(10)
        mdns_seen[#mdns_seen + 1] = {t = sim.now(), src = ip, response = p:byte(3) >= 0x80,
                                     qd = p:byte(5) * 256 + p:byte(6), an = an, ns = ns,
                                     name = qname(p), len = #p}
    end)
end

-- The printer's DHCPDISCOVERs as the laptop hears them: a socket on port 67 receives
-- broadcasts even before the laptop has an address (option 53 = 1 is DISCOVER).
local discovers = {}
local pmac = printer:iface(1):mac():gsub(":", ""):gsub("..", function(h)
    return string.char(tonumber(h, 16))
end)
local d67 = laptop:udp{port = 67, reuse = true}
d67:on_recv(function(p)
    if #p < 243 or p:sub(29, 34) ~= pmac then return end
    local i = 241 -- options after the magic cookie
    while i + 1 <= #p and p:byte(i) ~= 255 do
        if p:byte(i) == 0 then i = i + 1 else
            if p:byte(i) == 53 and p:byte(i + 2) == 1 then
                discovers[#discovers + 1] = sim.now()
                step(string.format("  wire: printer DHCPDISCOVER %d (unanswered)", #discovers))
            end
            i = i + 2 + p:byte(i + 1)
        end
    end
end)

-- 1-2. Power on: DHCP first, link-local after 10 s without a lease
step("printer and laptop power on: DHCPDISCOVER")
local pc = dhcp.client(printer, {fallback_linklocal = "10s"})
local lc = dhcp.client(laptop, {fallback_linklocal = "10s"})
sim.at(10, function() step("10 s without a lease: both fall back to RFC 3927 link-local") end)
local pa = pc:wait_address("30s")
local t_claim = sim.now()
step("printer claims " .. tostring(pa) .. " (3 ARP probes done, 1st announcement)")
sim.expect(pa and pa:match("^169%.254%.") ~= nil, "the printer picked a link-local address")
sim.expect(t_claim >= 10 + 4 and t_claim <= 10 + 7,
           "claimed 4-7 s after the fallback at 10 s: PROBE_WAIT + 2 x PROBE gap + ANNOUNCE_WAIT")
sim.expect(pc:state() == "SELECTING" and pc:lease() == nil,
           "no DHCP server answered; the client keeps DISCOVERing from 0.0.0.0")
local dst = pc:stats()
print(string.format("printer DHCP: %d DISCOVERs sent, %d OFFERs", dst.sent, dst.offers))
sim.expect(dst.sent >= 3 and dst.offers == 0, "several DISCOVERs (0, ~4, ~12 s), no OFFER")
sim.expect(#discovers >= 3 and discovers[2] - discovers[1] >= 3 and discovers[2] - discovers[1] <= 5
           and discovers[3] - discovers[2] >= 7 and discovers[3] - discovers[2] <= 9,
           "retransmitted after 4 s then 8 s, each +-1 s (RFC 2131 §4.1)")
d67:close()
local la = lc:wait_address("30s")
step("laptop claims " .. tostring(la))
sim.expect(la and la:match("^169%.254%.") ~= nil and la ~= pa, "the laptop has another one")
sniff(laptop) -- hears what the printer sends
sniff(printer) -- hears what the laptop sends (no host hears its own multicast)

-- 3. The printer's responder claims its host name
local t_resp = sim.now()
step("printer starts its mDNS responder: probing myserver.local")
local r = mdns.responder(printer, {hostname = "myserver"})
sim.expect(r:wait{timeout = "5s"}, "the host name is claimed")
step("myserver.local is ours (announcing)")
sim.expect(r:hostname() == "myserver", "nobody else uses myserver.local")

-- 4. The print service: a TCP listener on 5432, then the DNS-SD records
local listener = printer:tcp_listen{port = 5432}
sim.spawn(function()
    while true do
        local c = listener:accept()
        if not c then return end
        local job = c:recv("5s")
        step("printer receives a job: " .. tostring(job))
        c:send("OK")
        c:close()
    end
end)
step("printer publishes myprinter._printer._tcp.local (SRV 5432)")
local t_pub = sim.now()
r:publish{instance = "myprinter", service = "_printer._tcp", port = 5432,
          txt = {paper = "A4", rp = "queue1"}}
sim.expect(r:wait{timeout = "5s"}, "the service instance is claimed")
step("myprinter._printer._tcp.local is ours (announcing)")
sim.sleep(2) -- both announcements of the instance are out

-- 5. The laptop browses
step("laptop browses _printer._tcp")
local found = mdns.browse(laptop, "_printer._tcp", {timeout = "1s", count = 1})
step("laptop found " .. tostring(found[1]))
sim.expect(#found == 1 and found[1] == "myprinter._printer._tcp.local",
           "the laptop finds myprinter._printer._tcp.local")

-- 6. ... resolves (from the additional records of the browse answer) and prints
local t_res = sim.now()
local svc = mdns.resolve(laptop, found[1], {timeout = "3s"})
sim.expect(svc ~= nil, "the instance resolves")
step(string.format("laptop resolves it: %s port %d -> %s", svc.target, svc.port,
                   table.concat(svc.addresses, " ")))
sim.expect(sim.now() == t_res, "resolved from the cache: SRV, TXT and A came with the browse answer")
sim.expect(svc.target == "myserver.local" and svc.port == 5432, "SRV 0 0 5432 myserver.local.")
sim.expect(svc.txt.paper == "A4" and svc.txt.rp == "queue1", "TXT paper=A4 rp=queue1")
sim.expect(svc.addresses[1] == pa, "A: the printer's link-local address")
local c, err = laptop:tcp_connect{to = svc.addresses[1] .. ":" .. svc.port, timeout = "5s"}
sim.expect(c ~= nil, "TCP connection to the resolved address and port: " .. tostring(err))
step("laptop connected to " .. svc.addresses[1] .. ":" .. svc.port)
c:send("print hello.txt")
local reply = c:recv("5s")
sim.expect(reply == "OK", "the printer accepted the job")
c:close()
local a = mdns.lookup(laptop, "myserver.local", "A", {timeout = "2s"})
sim.expect(a and a[1] == pa, "myserver.local is the link-local address " .. tostring(pa))
sim.sleep(1)

-- 7. Someone plugs a router with a DHCP server in. The clients, still DISCOVERing in the
--    background, get leases and give their link-local addresses up (RFC 3927 §1.9). The
--    printer's responder sees its address change and announces myserver.local again at once,
--    twice 1 s apart, with the new A record and the cache-flush bit (RFC 6762 §8.4): one
--    second later the old 169.254 record is gone from the laptop's cache (§10.2).
local R = sim.router("R")
local r0 = R:attach(lan, {ip = "10.0.0.1/24"})
dhcp.server(R, {iface = r0, range = "10.0.0.100-10.0.0.150", router = "10.0.0.1"})
local before = r:stats()
local pd = pc:wait_bound("120s")
local t_move = sim.now()
step("printer is bound to " .. tostring(pd) .. " by DHCP and gives " .. pa .. " up")
sim.expect(pd and pd:match("^10%.0%.0%.") and pc:address() == pd, "the printer moved to DHCP")
sim.expect(lc:wait_bound("120s") ~= nil, "so did the laptop")
sim.sleep(3)
local after = r:stats()
sim.expect(after.address_changes == before.address_changes + 1,
           "the responder saw one address change (link-local out, DHCP in)")
sim.expect(after.announcements == before.announcements + 2, "and announced twice (§8.4)")
local svc2 = mdns.resolve(laptop, found[1], {timeout = "3s"})
sim.expect(svc2 and svc2.addresses[1] == pd, "the instance now resolves to " .. tostring(pd))
for _, addr in ipairs(svc2 and svc2.addresses or {}) do
    sim.expect(addr ~= pa, "the old link-local A record was flushed from the laptop's cache")
end
local c2 = laptop:tcp_connect{to = pd .. ":5432", timeout = "5s"}
sim.expect(c2 ~= nil, "TCP to the new address works")
if c2 then
    step("laptop connected to " .. pd .. ":5432")
    c2:send("print again.txt")
    sim.expect(c2:recv("5s") == "OK", "the second job is accepted")
    c2:close()
end
sim.sleep(1)

-- The mDNS packets on the wire, and the RFC 6762 timings they must show exactly
local function packets(name, response, auth)
    local out = {}
    for _, p in ipairs(mdns_seen) do
        if p.name == name and p.response == response and (auth == nil or (p.ns > 0) == auth) then
            out[#out + 1] = p
        end
    end
    return out
end
for _, name in ipairs({"myserver.local", "myprinter._printer._tcp.local"}) do
    local probes, ann = packets(name, false, true), packets(name, true)
    sim.expect(#probes == 3, name .. ": three probes")
    sim.expect(#ann >= 2, name .. ": two announcements")
    if #probes == 3 and #ann >= 2 then
        local t0 = name == "myserver.local" and t_resp or t_pub
        local wait = probes[1].t - t0 - 0.001 -- 1 ms on the LAN
        sim.expect(wait >= 0 and wait <= 0.250, name .. ": first probe after 0-250 ms")
        local eq = function(x, y) return math.abs(x - y) < 1e-9 end
        sim.expect(eq(probes[2].t - probes[1].t, 0.250) and eq(probes[3].t - probes[2].t, 0.250),
                   name .. ": probes exactly 250 ms apart (§8.1)")
        sim.expect(eq(ann[1].t - probes[3].t, 0.250),
                   name .. ": first announcement 250 ms after the third probe (§8.1, §8.3)")
        sim.expect(eq(ann[2].t - ann[1].t, 1.0), name .. ": second announcement 1 s later (§8.3)")
        for i, p in ipairs(probes) do
            step(string.format("  wire: probe %d for %s", i, name))
            timeline[#timeline][1] = p.t
        end
        for i = 1, 2 do
            step(string.format("  wire: announcement %d for %s", i, name))
            timeline[#timeline][1] = ann[i].t
        end
    end
end
local browse_q = packets("_printer._tcp.local", false)
local browse_a = packets("_printer._tcp.local", true)
local last_a
for _, p in ipairs(browse_a) do
    if browse_q[1] and p.t > browse_q[1].t and not last_a then last_a = p end
end
sim.expect(browse_q[1] ~= nil and last_a ~= nil, "the browse query and its answer are on the wire")
if browse_q[1] and last_a then
    local delay = last_a.t - browse_q[1].t - 0.001
    sim.expect(delay >= 0.020 and delay <= 0.120,
               "the shared PTR answered after 20-120 ms (§6): " .. string.format("%.3f", delay))
    step("  wire: browse query")
    timeline[#timeline][1] = browse_q[1].t
    step(string.format("  wire: browse answer (PTR + SRV, TXT, A), %d answer records", last_a.an))
    timeline[#timeline][1] = last_a.t
end
local re = {}
for _, p in ipairs(packets("myserver.local", true)) do
    if p.t >= t_move then re[#re + 1] = p end
end
sim.expect(#re >= 2 and re[1].src == pd, "re-announced from the new address")
if #re >= 2 then
    sim.expect(math.abs(re[1].t - t_move - 0.001) < 1e-9 and math.abs(re[2].t - re[1].t - 1) < 1e-9,
               "re-announced at once on the address change, then 1 s later (§8.3, §8.4)")
    for i = 1, 2 do
        step(string.format("  wire: re-announcement %d for myserver.local (new A)", i))
        timeline[#timeline][1] = re[i].t
    end
end
local st = r:stats()
sim.expect(st.probes == 6 and st.conflicts == 0, "6 probes, no conflict (none for the move)")

table.sort(timeline, function(x, y) return x[1] < y[1] or (x[1] == y[1] and x[3] < y[3]) end)
print("timeline (virtual time):")
for _, e in ipairs(timeline) do print(string.format("  %9.6f s  %s", e[1], e[2])) end
sim.stop()
