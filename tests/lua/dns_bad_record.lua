-- expect-exit: 1
-- expect-stderr: dns_bad_record.lua:7: record 2: unknown key 'prio' for SRV (known: name, type, ttl, priority, weight, port, target)
-- A typo inside a zone's record table names the record and the key.
local h = sim.host("ns")
h:attach(sim.link("l", {}), {ip = "10.0.0.1/24"})
local ok = {name = "a.example", type = "A", data = "10.0.0.9"}
dns.server(h, {zone = "example", records = {ok,
  {name = "_sip._udp.example", type = "SRV", prio = 1, port = 5060, target = "a.example"}}})
