-- 14-dns.lua — DNS for SIP: how proxy.rutgers.edu finds the SIP server of mit.edu
-- (RFC 3263 server location: NAPTR -> SRV -> A), and what the resolver's cache saves.
--
-- The picture:
--
--   proxy.rutgers.edu 128.6.4.2 ── rutgers-net ── R ── mit-net ── ns.mit.edu 18.7.22.1
--        (stub resolver)              10 ms           10 ms      (authoritative for mit.edu)
--
-- Alice's INVITE is for sip:bob@mit.edu. Her proxy knows only the domain "mit.edu", so it
-- asks DNS, in the order RFC 3263 §4 gives:
--   1. NAPTR mit.edu  -> "use SIP over UDP, look up _sip._udp.mit.edu" (RFC 3403; flag "s"
--      means: the next step is an SRV lookup),
--   2. SRV _sip._udp.mit.edu -> "priority 0, weight 0, port 5060, host proxy.mit.edu"
--      (RFC 2782),
--   3. A proxy.mit.edu -> 18.7.22.83.
-- The authoritative server helps: with a NAPTR answer it puts the SRV record and the target's
-- address in the additional section (RFC 3403 §4.2, RFC 2782), so steps 2 and 3 come out of
-- the resolver's cache: one query, one answer, three records.
--
-- Then: the same lookup a minute later is answered from the cache (no packet: the TTL is
-- 300 s, counted in simulated time); a name that does not exist gets NXDOMAIN with mit.edu's
-- SOA, whose MINIMUM field (60 s) says how long to remember that (negative caching, RFC 2308);
-- and a query for a zone this server does not serve is REFUSED.
--
-- In Wireshark ("mit-net"): the NAPTR query and the answer with its additional section, the
-- NXDOMAIN with the SOA in the authority section, and nothing for the cached lookups.
--
-- The test suite checks these in the pcaps:
-- trace: mit-net dns.flags.response == 1 && dns.naptr.service == "SIP+D2U" && dns.naptr.replacement == "_sip._udp.mit.edu"
-- trace: mit-net dns.flags.response == 1 && dns.srv.port == 5060 && dns.srv.target == "proxy.mit.edu" && dns.a == 18.7.22.83
-- trace: mit-net dns.flags.authoritative == 1 && dns.count.add_rr == 2
-- trace: mit-net dns.flags.rcode == 3 && dns.soa.minimum_ttl == 60 && dns.qry.name == "nobody.mit.edu"
-- trace: mit-net dns.flags.rcode == 5 && dns.qry.name == "rutgers.edu"
-- trace-none: mit-net dns.flags.response == 0 && dns.qry.type == 33

local rutgers = sim.link("rutgers-net", {delay = "10ms"})
local mit = sim.link("mit-net", {delay = "10ms"})
local R = sim.router("R")
local proxy = sim.host("proxy.rutgers.edu")
local ns = sim.host("ns.mit.edu")
proxy:attach(rutgers, {ip = "128.6.4.2/24"})
R:attach(rutgers, {ip = "128.6.4.1/24"})
R:attach(mit, {ip = "18.7.22.254/24"})
ns:attach(mit, {ip = "18.7.22.1/24"})
proxy:route("default", "128.6.4.1")
ns:route("default", "18.7.22.254")

-- mit.edu's zone, as its administrator would write it
local server = dns.server(ns, {
  zone = "mit.edu", ttl = 300, negative_ttl = 60,
  records = {
    {name = "mit.edu", type = "NAPTR", order = 50, preference = 50, flags = "s",
     services = "SIP+D2U", regexp = "", replacement = "_sip._udp.mit.edu"},
    {name = "_sip._udp.mit.edu", type = "SRV", priority = 0, weight = 0, port = 5060,
     target = "proxy.mit.edu"},
    {name = "proxy.mit.edu", type = "A", data = "18.7.22.83"},
    {name = "registrar.mit.edu", type = "A", data = "18.7.22.84"},
    {name = "sip.mit.edu", type = "CNAME", target = "proxy.mit.edu"},
  },
})
print(server)

local resolver = dns.resolver(proxy, {server = "18.7.22.1"})

-- RFC 3263 §4.1-4.2: NAPTR, then SRV for the replacement, then A for the target
local function locate(domain)
  local naptrs, err = resolver:resolve(domain, "NAPTR")
  if not naptrs then return nil, "NAPTR: " .. err end
  table.sort(naptrs, function(a, b) return a.order < b.order or
                                          (a.order == b.order and a.preference < b.preference) end)
  local n = naptrs[1]
  local srvs, err2 = resolver:resolve(n.replacement, "SRV")
  if not srvs then return nil, "SRV: " .. err2 end
  local s = srvs[1]
  local addrs, info = resolver:resolve(s.target, "A") -- on success: records, info
  if not addrs then return nil, "A: " .. info end
  return {service = n.services, srv = n.replacement, host = s.target, port = s.port,
          ip = addrs[1].data, a_cached = info.cached}
end

proxy:ping("18.7.22.1") -- fills the ARP caches on the way, so what follows is DNS alone

local t0 = sim.now()
local before = mit:stats()
local where = assert(locate("mit.edu"))
local took = sim.now() - t0
local first_frames = mit:stats().tx_frames - before.tx_frames
print(string.format("mit.edu: %s via %s -> %s:%d = %s:%d, in %.0f ms, %d frames on mit-net",
                    where.service, where.srv, where.host, where.port, where.ip, where.port,
                    took * 1000, first_frames))
sim.expect(where.ip == "18.7.22.83" and where.port == 5060, "proxy.mit.edu:5060 found")
sim.expect(where.a_cached, "the A record came from the NAPTR answer's additional section")
sim.expect(first_frames == 2, "one query and one answer for all three steps")
sim.expect(math.abs(took - 0.040) < 1e-6, "one round trip: 2 x 2 x 10 ms")

-- a minute later: everything is still in the cache (TTL 300 s)
sim.sleep(60)
before = mit:stats()
local again = assert(locate("mit.edu"))
sim.expect(again.ip == where.ip, "the same answer a minute later")
sim.expect(mit:stats().tx_frames == before.tx_frames, "from the cache: not one packet")

-- the CNAME sip.mit.edu -> proxy.mit.edu: the server follows it inside its zone
local via_cname = resolver:resolve("sip.mit.edu", "A")
sim.expect(via_cname and via_cname[1].data == "18.7.22.83", "sip.mit.edu is proxy.mit.edu")

-- a name that does not exist: NXDOMAIN, remembered for the SOA's MINIMUM (60 s)
local none, err, info = resolver:resolve("nobody.mit.edu", "A")
print("nobody.mit.edu:", none, err, "from cache:", info.cached)
sim.expect(none == nil and err == "NXDOMAIN", "nobody.mit.edu does not exist")
local _, err2, info2 = resolver:resolve("nobody.mit.edu", "A")
sim.expect(err2 == "NXDOMAIN" and info2.cached, "the NXDOMAIN is cached (RFC 2308)")
sim.sleep(61)
local _, err3, info3 = resolver:resolve("nobody.mit.edu", "A")
sim.expect(err3 == "NXDOMAIN" and not info3.cached, "61 s later the server is asked again")

-- the server is authoritative for mit.edu only
local _, err4 = resolver:resolve("rutgers.edu", "A")
sim.expect(err4 == "REFUSED", "rutgers.edu is not ns.mit.edu's business: REFUSED")

-- after the TTL (300 s since the first lookup) the cache asks again
sim.sleep(240)
local fresh, info5 = resolver:resolve("proxy.mit.edu", "A")
sim.expect(fresh and not info5.cached, "after 300 s the A record has expired and is fetched again")

local st, sv = resolver:stats(), server:stats()
print(string.format("resolver: %d lookups, %d queries sent, %d cache hits, %d negative hits",
                    st.lookups, st.sent, st.cache_hits, st.negative_hits))
print(string.format("server: %d queries, %d answers, %d NXDOMAIN, %d REFUSED",
                    sv.queries, sv.answers, sv.nxdomain, sv.refused))
sim.expect(st.sent == sv.queries and st.retransmits == 0, "every query answered at once")

sim.stop()
