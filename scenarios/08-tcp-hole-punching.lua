-- 08-tcp-hole-punching.lua — TCP hole punching through two NATs with a rendezvous server
-- (RFC 5128 §3.4; RFC 5382 REQ-4; Ford, Srisuresh, Kegel, "Peer-to-Peer Communication Across
-- Network Address Translators", 2005, §4). The UDP version is scenario 04.
--
-- The picture, drawn once and built eight times (one pair of sites per case, all on one
-- Internet router R, run one after the other):
--
--                         S 18.181.0.31:5000  (rendezvous, a few lines of Lua below)
--                                 │
--               ┌──────────────── R (the Internet) ───────────────┐
--               │ 10 ms                                     10 ms │
--      NA 155.99.25.11                                   NB 138.76.29.7
--               │ 1 ms                                       1 ms │
--      A 10.0.0.1:4321                                   B 10.1.1.3:4321
--
-- The recipe, for both clients, with one local port P = 4321:
-- 1. Connect to S from P (reuse = true) and keep that connection open. S accepts it and reads
--    the client's *public* endpoint from the accepted socket's remote address: the NAT's
--    outside address and port. That is all S knows, and all it needs.
-- 2. S pairs the two clients and sends each the other's public endpoint ("PEER ip:port").
-- 3. Each client connects to that endpoint from the same P (reuse = true: the connection to S
--    still holds P). Neither listens. B starts 100 ms after A: in real life the two never start
--    at the same instant (scheduling, a slow Wi-Fi behind one NAT, S answering one first), and
--    the lateness is what makes the NATs' behaviour visible: A's SYN reaches NB before B's
--    own SYN has left it. The rest is TCP: if one SYN gets through, it finds the other side
--    in SYN-SENT, the connection is made by a simultaneous open (RFC 9293 §3.5), and data
--    flows both ways without S.
--
-- Case 1, two port-restricted cones (EIM + APDF) that drop unsolicited SYNs: success.
--   A's SYN to 138.76.29.7:4321 leaves NA from 155.99.25.11:4321: EIM reuses the mapping of
--   A's connection to S, so it comes from exactly the endpoint S told B about, and NA's filter
--   now admits B. At NB it is early: B has not sent anything to A yet, NB's filter (APDF) only
--   admits S, the SYN is dropped silently ("nat-filtered"). 100 ms later B's SYN leaves NB the
--   same way (and opens NB's filter to A); at NA it meets a filter that admits it and reaches
--   A, still in SYN-SENT: A answers SYN-ACK (SYN-SENT → SYN-RECEIVED, the simultaneous open),
--   B takes that SYN-ACK as the answer to its own SYN, and the connection is there. One
--   mapping per NAT, with two established sessions (S and the peer).
-- Case 2, the same cones with unsolicited = "icmp" (RFC 5382 REQ-4): success.
--   C's early SYN is not dropped at ND but *held* (up to 6 s, no answer). D's own SYN to C is
--   an outbound SYN of the same connection: ND drops the held SYN silently ("held_crossed")
--   and lets D's SYN out; the rest is case 1. Had D never sent its SYN, ND would have sent
--   ICMP port unreachable after 6 s; it never does here (checked in the pcap).
-- Case 3, a symmetric NAT (APDM) for E, a port-restricted cone for F: failure.
--   S saw E at 155.99.27.11:4321. But NE maps by destination: E's SYN to F gets a *new*
--   outside port (155.99.27.11:1024). NF's filter admits only what F sent to:
--   155.99.27.11:4321, so E's SYNs from :1024 are dropped there; F's SYNs to :4321 hit a
--   mapping that admits only S and are dropped at NE. Both connects time out. NE's table shows
--   the two mappings of E's one port.
-- Case 4, two cones that answer unsolicited SYNs with RST: failure.
--   G's early SYN reaches NH, which answers at once with a RST from 138.76.32.7:4321 as if H
--   had refused: G's connect fails with "connection refused" and G's socket for H is gone.
--   100 ms later H's SYN leaves NH and reaches NG, whose filter still admits H (G's SYN opened
--   it; the RST only closed the session), and so reaches G. G has nothing on port 4321 that
--   takes it: the connection to S has another 4-tuple, and there is no listener. G's own TCP
--   answers RST ("no-listener" at G) and H is refused too, by G this time, not by a NAT.
-- Case 4b, the same NATs, but both clients also listen on P (reuse = true), as Ford et al.
--   recommend: I is refused exactly as G, but J's SYN now finds I's listener. I's connect has
--   failed, I's accept() returns the connection, and J's connect succeeds: a plain three-way
--   handshake through two holes. (The paper also retries a refused connect after a short
--   delay. Without a listener that is a race of its own: the peer's SYN must arrive while a
--   retry is in SYN-SENT, and its refusal may in turn make the peer retry.)
-- Case 4c, the same NATs, no listeners, but L only 10 ms late: success. Punching through RST
--   NATs is a race. A SYN is only unsolicited if it reaches the other NAT before that NAT's
--   own SYN has left; NAT to NAT is 20 ms here, so a start 10 ms apart lets both SYNs out
--   before either arrives. Both meet open filters and find their host in SYN-SENT: both
--   sides answer SYN-ACK, the textbook simultaneous open. (19 ms late still works, 21 ms
--   is case 4.)
-- Case 5, two full cones (EIM + EIF), no listeners: failure, and the NATs did nothing wrong.
--   An endpoint-independent filter admits anyone, so M's early SYN goes all the way to N,
--   which has not connected yet and has no listener: N's own TCP answers RST, M is refused;
--   N's later SYN reaches M, which now has nothing on P either, and N is refused by M. The
--   same race as case 4, lost at the hosts instead of the NATs: the most open NAT is no help
--   to a client that does not listen.
-- Case 5b, full cones, both clients listening on P: success. U's early SYN finds V's
--   listener (V has not connected yet), V answers SYN-ACK, U's connect succeeds. When V
--   connects 100 ms later the 4-tuple is already the listener's connection: "address in use",
--   and V's accept() returns it (the rule tests/lua/ok_tcp_punch.lua shows without NATs).
--
-- In Wireshark: nb-up / NB-lan show A's SYN arriving at NB and going no further; na-up shows
-- A's SYN going out, B's SYN coming in 110 ms later and A's SYN-ACK (Wireshark calls it a
-- retransmission: it repeats the sequence number of A's lost SYN). ne-up shows E's SYNs
-- leaving from port 1024; nh-up the RST NH made up; nk-up the two SYN-ACKs of a full
-- simultaneous open; NN-lan M's SYN reaching N and N's RST. The test suite checks these in
-- the pcaps:
-- trace: na-up ip.src == 155.99.25.11 && ip.dst == 138.76.29.7 && tcp.flags.syn == 1 && tcp.flags.ack == 0
-- trace: nb-up ip.src == 138.76.29.7 && ip.dst == 155.99.25.11 && tcp.flags.syn == 1 && tcp.flags.ack == 0
-- trace: na-up ip.src == 155.99.25.11 && ip.dst == 138.76.29.7 && tcp.flags.syn == 1 && tcp.flags.ack == 1
-- trace: NA-lan ip.src == 138.76.29.7 && ip.dst == 10.0.0.1 && tcp.flags.syn == 1 && tcp.flags.ack == 0
-- trace-none: NB-lan ip.src == 155.99.25.11 && tcp.flags.syn == 1 && tcp.flags.ack == 0
-- trace: nd-up ip.src == 155.99.26.11 && ip.dst == 138.76.30.7 && tcp.flags.syn == 1 && tcp.flags.ack == 0
-- trace-none: ND-lan ip.src == 155.99.26.11 && tcp.flags.syn == 1 && tcp.flags.ack == 0
-- trace-none: nd-up icmp
-- trace-none: nc-up icmp
-- trace: ne-up ip.src == 155.99.27.11 && ip.dst == 138.76.31.7 && tcp.srcport == 1024 && tcp.flags.syn == 1
-- trace-none: NE-lan ip.src == 138.76.31.7 && tcp.flags.syn == 1
-- trace-none: NF-lan ip.src == 155.99.27.11 && tcp.flags.syn == 1
-- trace: nh-up ip.src == 138.76.32.7 && ip.dst == 155.99.28.11 && tcp.flags.reset == 1
-- trace: NG-lan ip.src == 10.0.0.1 && ip.dst == 138.76.32.7 && tcp.flags.reset == 1
-- trace: NI-lan ip.src == 10.0.0.1 && ip.dst == 138.76.33.7 && tcp.flags.syn == 1 && tcp.flags.ack == 1
-- trace: nk-up ip.src == 155.99.30.11 && tcp.flags.syn == 1 && tcp.flags.ack == 1
-- trace: nk-up ip.src == 138.76.34.7 && tcp.flags.syn == 1 && tcp.flags.ack == 1
-- trace-none: nk-up tcp.flags.reset == 1
-- trace: NN-lan ip.src == 155.99.31.11 && ip.dst == 10.1.1.3 && tcp.flags.syn == 1 && tcp.flags.ack == 0
-- trace: NN-lan ip.src == 10.1.1.3 && tcp.flags.reset == 1
-- trace: NV-lan ip.src == 10.1.1.3 && ip.dst == 155.99.32.11 && tcp.flags.syn == 1 && tcp.flags.ack == 1

local P = 4321                        -- the one local port each client uses for everything
local S_EP = "18.181.0.31:5000"
local LATE = 0.1                      -- the second client starts its connect 100 ms later

local R = sim.router("R")
local s_link = sim.link("s-link", {delay = "5ms"})
local S = sim.host("S")
S:attach(s_link, {ip = "18.181.0.31/24"})
R:attach(s_link, {ip = "18.181.0.1/24"})
S:route("default", "18.181.0.1")

-- One site: a host on a LAN behind a NAT whose outside link goes to R.
local function site(name, nat_opts, public_ip, private_ip, host_name)
  local lan = sim.lan(name .. "-lan", {delay = "1ms", bandwidth = "100Mbit"})
  local up = sim.link(string.lower(name) .. "-up", {delay = "10ms"})
  local nat = sim.nat(name, nat_opts)
  local host = sim.host(host_name)
  local private_gw = private_ip:gsub("%.%d+$", ".254")
  local public_gw = public_ip:gsub("%.%d+$", ".1")
  host:attach(lan, {ip = private_ip .. "/24"})
  host:route("default", private_gw)
  nat:inside(lan, {ip = private_gw .. "/24"})
  nat:outside(up, {ip = public_ip .. "/24"})
  nat:route("default", public_gw)
  R:attach(up, {ip = public_gw .. "/24"})
  return nat, host
end

-- TCP is a byte stream: read until a whole line has arrived.
local function read_line(c)
  local buf = ""
  while not buf:find("\n", 1, true) do
    local d, err = c:recv("5s")
    if not d then return nil, err end
    buf = buf .. d
  end
  return buf:match("^(.-)\n")
end

-- The rendezvous server. A client sends "HELLO <pair name>"; S notes where the connection
-- comes from; when the second client of a pair has said hello, each gets "PEER <the other>".
local waiting = {}
local rendezvous = S:tcp_listen{port = 5000}
sim.spawn(function()
  while true do
    local c = rendezvous:accept()
    sim.spawn(function()
      local pair = (read_line(c) or ""):match("^HELLO (%S+)$")
      local ip, port = c:remote_addr()              -- the client's public endpoint
      local me = {conn = c, ep = ip .. ":" .. port}
      local other = waiting[pair]
      if not other then waiting[pair] = me; return end
      waiting[pair] = nil
      other.conn:send("PEER " .. me.ep .. "\n")
      c:send("PEER " .. other.ep .. "\n")
    end)
  end
end)

-- A client: rendezvous from P, then connect to the peer from P; with `listen`, also listen
-- on P and take the peer's connection from accept() if the connect was refused.
local function client(host, pair, late, listen)
  local r = assert(host:tcp_connect{to = S_EP, port = P, reuse = true, timeout = "2s"})
  r:send("HELLO " .. pair .. "\n")
  local peer = assert(read_line(r), "no answer from S"):match("^PEER (%S+)$")
  local l = listen and host:tcp_listen{port = P, reuse = true}
  if late then sim.sleep(late) end
  local res = {peer = peer, via = "connect"}
  res.conn, res.err = host:tcp_connect{to = peer, port = P, reuse = true, timeout = "5s"}
  print(string.format("  %.3f s  %s connect to %s: %s", sim.now(), host.name, peer,
                      res.conn and "established" or res.err))
  if not res.conn and l then
    res.conn, res.accept_err = l:accept("2s")
    res.via = "accept"
    print(string.format("  %.3f s  %s accept: %s", sim.now(), host.name,
                        res.conn and "established" or res.accept_err))
  end
  if res.conn then                                 -- the proof: a line each way
    res.conn:send("hello from " .. host.name .. "\n")
    res.got = read_line(res.conn)
  end
  return res
end

-- Runs one case: h1 starts at once, h2 `late` seconds after learning h1's endpoint.
local function punch(pair, h1, h2, late, listen)
  print(string.format("\n=== %s: %s and %s punch, %s %.0f ms later ===", pair, h1.name,
                      h2.name, h2.name, late * 1000))
  local r2
  local t = sim.spawn(function() r2 = client(h2, pair, late, listen) end)
  local r1 = client(h1, pair, nil, listen)
  t:join()
  return r1, r2
end

local function show(nat)
  nat:print_table()
  local st, dr = nat:tcp_stats(), nat:drops()
  print(string.format("  %s: rst_sent=%d syn_held=%d held_crossed=%d held_icmp=%d; drops: "
                      .. "nat-filtered=%d nat-no-mapping=%d", nat.name, st.rst_sent,
                      st.syn_held, st.held_crossed, st.held_icmp, dr["nat-filtered"] or 0,
                      dr["nat-no-mapping"] or 0))
end

-- The TCP mappings of one inside endpoint, and the state of its session with `remote`.
local function mappings(nat, inside)
  local out = {}
  for _, m in ipairs(nat:table()) do
    if m.proto == "tcp" and m.inside == inside then out[#out + 1] = m end
  end
  return out
end
local function session_state(m, remote)
  for _, s in ipairs(m.sessions) do
    if s.remote == remote then return s.state end
  end
end

local function exchanged(r1, h1, r2, h2)
  return r1.conn ~= nil and r2.conn ~= nil and r1.got == "hello from " .. h2.name
         and r2.got == "hello from " .. h1.name
end

local results = {}
local function result(case, nats, r1, r2, ok)
  local function how(r) return r.conn and ("ok via " .. r.via) or r.err end
  results[#results + 1] = {case, nats, how(r1), how(r2), ok and "punched" or "FAILED"}
end

local prc_drop = {preset = "port-restricted-cone", unsolicited = "drop"}
local prc_icmp = {preset = "port-restricted-cone", unsolicited = "icmp"}
local prc_rst = {preset = "port-restricted-cone", unsolicited = "rst"}
local NA, A = site("NA", prc_drop, "155.99.25.11", "10.0.0.1", "A")
local NB, B = site("NB", prc_drop, "138.76.29.7", "10.1.1.3", "B")
local NC, C = site("NC", prc_icmp, "155.99.26.11", "10.0.0.1", "C")
local ND, D = site("ND", prc_icmp, "138.76.30.7", "10.1.1.3", "D")
local NE, E = site("NE", {preset = "symmetric"}, "155.99.27.11", "10.0.0.1", "E")
local NF, F = site("NF", prc_drop, "138.76.31.7", "10.1.1.3", "F")
local NG, G = site("NG", prc_rst, "155.99.28.11", "10.0.0.1", "G")
local NH, H = site("NH", prc_rst, "138.76.32.7", "10.1.1.3", "H")
local NI, I = site("NI", prc_rst, "155.99.29.11", "10.0.0.1", "I")
local NJ, J = site("NJ", prc_rst, "138.76.33.7", "10.1.1.3", "J")
local NK, K = site("NK", prc_rst, "155.99.30.11", "10.0.0.1", "K")
local NL, L = site("NL", prc_rst, "138.76.34.7", "10.1.1.3", "L")
local full_cone = {preset = "full-cone"}
local NM, M = site("NM", full_cone, "155.99.31.11", "10.0.0.1", "M")
local NN, N = site("NN", full_cone, "138.76.35.7", "10.1.1.3", "N")
local NU, U = site("NU", full_cone, "155.99.32.11", "10.0.0.1", "U")
local NV, V = site("NV", full_cone, "138.76.36.7", "10.1.1.3", "V")

-- Case 1: port-restricted cones, unsolicited SYNs dropped.
local a, b = punch("1", A, B, LATE)
show(NA)
show(NB)
sim.expect(a.peer == "138.76.29.7:4321" and b.peer == "155.99.25.11:4321",
           "S told each client the other's public endpoint (ports preserved)")
sim.expect(exchanged(a, A, b, B), "case 1: A and B connected and exchanged a line each way")
local na = mappings(NA, "10.0.0.1:4321")
local nb = mappings(NB, "10.1.1.3:4321")
sim.expect(#na == 1 and na[1].outside == b.peer,
           "EIM: A's one mapping is the endpoint S saw and told B about")
sim.expect(session_state(na[1], S_EP) == "established"
           and session_state(na[1], a.peer) == "established",
           "NA: the sessions to S and to B are established on that one mapping")
sim.expect(#nb == 1 and session_state(nb[1], b.peer) == "established",
           "NB: one mapping, B's session with A established")
sim.expect((NB:drops()["nat-filtered"] or 0) == 1, "NB silently dropped A's early SYN")
sim.expect((NA:drops()["nat-filtered"] or 0) == 0, "B's later SYN passed NA's filter")
result("1", "PRC/PRC, drop", a, b, exchanged(a, A, b, B))

-- Case 2: port-restricted cones, unsolicited SYNs held (RFC 5382 REQ-4).
local c, d = punch("2", C, D, LATE)
show(NC)
show(ND)
local held_at = sim.now()
sim.expect(exchanged(c, C, d, D), "case 2: C and D connected and exchanged a line each way")
sim.expect(ND:tcp_stats().syn_held == 1 and ND:tcp_stats().held_crossed == 1,
           "ND held C's early SYN and dropped it when D's own SYN crossed it")
sim.expect(NC:tcp_stats().syn_held == 0, "D's SYN found NC's filter open: nothing held")
result("2", "PRC/PRC, icmp", c, d, exchanged(c, C, d, D))

-- Case 3: symmetric NAT against a port-restricted cone.
local e, f = punch("3", E, F, LATE)
show(NE)
show(NF)
local ne = mappings(NE, "10.0.0.1:4321")
sim.expect(not e.conn and not f.conn and e.err == "timeout" and f.err == "timeout",
           "case 3: both connects time out")
sim.expect(#ne == 2 and ne[1].outside == f.peer and ne[1].permits[1] == S_EP,
           "NE: the mapping S saw (and told F about) admits only S")
sim.expect(#ne == 2 and ne[2].outside ~= f.peer and ne[2].remote == e.peer,
           "NE: E's SYNs to F got a second mapping, on another outside port")
sim.expect((NE:drops()["nat-filtered"] or 0) > 0, "NE filtered F's SYNs (sent to :4321)")
sim.expect((NF:drops()["nat-filtered"] or 0) > 0, "NF filtered E's SYNs (from the new port)")
result("3", "symmetric/PRC", e, f, false)

-- Case 4: cones that answer unsolicited SYNs with RST.
local g, h = punch("4", G, H, LATE)
show(NG)
show(NH)
local ng = mappings(NG, "10.0.0.1:4321")
sim.expect(g.err == "connection refused", "case 4: G's early SYN was refused (by NH)")
sim.expect(NH:tcp_stats().rst_sent == 1, "NH answered G's SYN with a RST")
sim.expect(h.err == "connection refused", "H's later SYN was refused too (by G itself)")
sim.expect(G:drops()["no-listener"] == 1, "G's stack had no socket for H's SYN and sent RST")
sim.expect(NG:tcp_stats().rst_sent == 0, "NG made up no RST: H's SYN passed its filter")
sim.expect(#ng == 1 and session_state(ng[1], g.peer) == "closed",
           "NG: G's session with H ended closed (by the RSTs)")
result("4", "PRC/PRC, rst", g, h, false)

-- Case 4b: the same NATs, both clients listening on P too.
local i, j = punch("4b", I, J, LATE, true)
show(NI)
show(NJ)
sim.expect(i.err == "connection refused" and i.via == "accept",
           "case 4b: I's connect is refused, exactly as G's")
sim.expect(exchanged(i, I, j, J), "case 4b: J's SYN reached I's listener; a line each way")
sim.expect(NJ:tcp_stats().rst_sent == 1, "NJ did send its RST")
result("4b", "PRC/PRC, rst + listen", i, j, exchanged(i, I, j, J))

-- Case 4c: the same NATs without listeners, but L only 10 ms late: inside the window.
local k, l = punch("4c", K, L, 0.01)
show(NK)
show(NL)
sim.expect(exchanged(k, K, l, L), "case 4c: K and L connected and exchanged a line each way")
sim.expect(NK:tcp_stats().rst_sent == 0 and NL:tcp_stats().rst_sent == 0,
           "both SYNs were in flight at once: neither NAT saw an unsolicited SYN")
result("4c", "PRC/PRC, rst, 10 ms late", k, l, exchanged(k, K, l, L))

-- Case 5: full cones (EIM + EIF), the most open NATs there are, no listeners.
local m, n = punch("5", M, N, LATE)
show(NM)
show(NN)
sim.expect(m.err == "connection refused" and n.err == "connection refused",
           "case 5: both refused, although neither NAT filters anything")
sim.expect(N:drops()["no-listener"] == 1 and M:drops()["no-listener"] == 1,
           "each refusal came from the other host's own TCP (no socket for that SYN)")
sim.expect(NM:tcp_stats().rst_sent == 0 and NN:tcp_stats().rst_sent == 0,
           "the NATs sent no RST themselves")
result("5", "full/full cone", m, n, false)

-- Case 5b: full cones, both clients listening on P.
local u, v = punch("5b", U, V, LATE, true)
show(NU)
show(NV)
sim.expect(u.conn and u.via == "connect", "case 5b: U's early SYN reached V's listener")
sim.expect(v.err == "address in use" and v.via == "accept",
           "V's late connect found the 4-tuple taken; V's accept returned the connection")
sim.expect(exchanged(u, U, v, V), "case 5b: a line each way")
result("5b", "full/full cone + listen", u, v, exchanged(u, U, v, V))

-- Nothing held in case 2 is answered later: wait out the 6 s of RFC 5382 REQ-4.
if sim.now() < held_at + 6.5 then sim.sleep(held_at + 6.5 - sim.now()) end
sim.expect(ND:tcp_stats().held_icmp == 0, "ND never sent ICMP for the held SYN")

print("\nPRC: port-restricted cone (EIM + APDF); drop / icmp / rst: its `unsolicited`")
print("case  NATs                      first client        late client         result")
for _, r in ipairs(results) do
  print(string.format("%-5s %-25s %-19s %-19s %s", table.unpack(r)))
end

sim.stop() -- S still waits for clients, and the rendezvous connections stay open
