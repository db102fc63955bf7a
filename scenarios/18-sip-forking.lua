-- 18-sip-forking.lua — Bob on two phones: the proxy forks (RFC 3261 §16.6), both ring, the
-- first to answer wins and the other is CANCELled (§16.7 step 10, §9).
--
-- The picture:
--
--   alice 128.6.4.10 ── rutgers-net ── R ── mit-net ─┬─ proxy.mit.edu 18.7.22.83 (registrar too)
--                          5 ms             10 ms    ├─ bob-desk   18.7.22.50
--                                                    └─ bob-mobile 18.7.22.51
--
-- Both of Bob's phones register sip:bob@mit.edu, so the location service holds two contacts
-- for one address of record. Alice's INVITE reaches proxy.mit.edu, which sends a copy to each
-- contact at once (parallel forking), each with its own Via branch: two client transactions.
-- Both phones answer 180 Ringing; the proxy passes the provisional responses up. Bob picks up
-- the mobile after 1.5 s: its 200 OK goes straight to Alice, and the proxy sends CANCEL to the
-- desk phone, which stops ringing: 200 OK for the CANCEL, 487 Request Terminated for the
-- INVITE (that 487 stays at the proxy: Alice already has her answer). The media then flows
-- between Alice and the mobile only.
--
-- In Wireshark (mit-net): two INVITEs leaving the proxy, two 180s, the mobile's 200, the CANCEL
-- to the desk phone, its 200 and 487, the ACK for the 487 from the proxy.
--
-- The test suite checks these in the pcaps:
-- decode-as: udp.port==40000,rtp
-- trace: mit-net sip.Method == "INVITE" && ip.src == 18.7.22.83 && ip.dst == 18.7.22.50
-- trace: mit-net sip.Method == "INVITE" && ip.src == 18.7.22.83 && ip.dst == 18.7.22.51
-- trace: mit-net sip.Status-Code == 180 && ip.src == 18.7.22.50
-- trace: mit-net sip.Status-Code == 200 && sip.CSeq.method == "INVITE" && ip.src == 18.7.22.51
-- trace: mit-net sip.Method == "CANCEL" && ip.src == 18.7.22.83 && ip.dst == 18.7.22.50
-- trace: mit-net sip.Status-Code == 487 && ip.src == 18.7.22.50
-- trace: mit-net sip.Method == "ACK" && ip.src == 18.7.22.83 && ip.dst == 18.7.22.50 && sip.CSeq.method == "ACK"
-- trace: mit-net rtp.p_type == 0 && ip.src == 18.7.22.51 && ip.dst == 128.6.4.10
-- trace-none: rutgers-net sip.Status-Code == 487
-- trace-none: mit-net rtp && ip.addr == 18.7.22.50
-- The losing phone's ladder in order: it rings, the proxy CANCELs it (200 to the CANCEL,
-- 487 to the INVITE) and ACKs the 487:
-- trace-seq: mit-net sip.Method,sip.Status-Code ip.addr == 18.7.22.50 && sip -> REGISTER 200 INVITE 100 180 CANCEL 200 487 ACK

local rutgers = sim.lan("rutgers-net", {delay = "5ms"})
local mit = sim.lan("mit-net", {delay = "10ms"})
local R = sim.router("R")
R:attach(rutgers, {ip = "128.6.4.1/24"})
R:attach(mit, {ip = "18.7.22.254/24"})
local alice = sim.host("alice", {on = rutgers, ip = "128.6.4.10/24", gateway = "128.6.4.1"})
local desk = sim.host("bob-desk", {on = mit, ip = "18.7.22.50/24", gateway = "18.7.22.254"})
local mobile = sim.host("bob-mobile", {on = mit, ip = "18.7.22.51/24", gateway = "18.7.22.254"})
local pmit = sim.host("proxy.mit.edu", {on = mit, ip = "18.7.22.83/24", gateway = "18.7.22.254"})

local proxy = sip.proxy(pmit, {domain = "mit.edu", registrar = true})
local phones = {
  sip.ua(desk, {aor = "sip:bob@mit.edu", registrar = "18.7.22.83"}),
  sip.ua(mobile, {aor = "sip:bob@mit.edu", registrar = "18.7.22.83"}),
}
local alice_phone = sip.ua(alice, {aor = "sip:alice@rutgers.edu", proxy = "18.7.22.83"})

local calls = {}
for i, phone in ipairs(phones) do
  phone:on_invite(function(call)
    calls[i] = call
    call:ring()
    if i == 2 then -- Bob picks up the mobile
      sim.spawn(function() sim.sleep(1.5) call:answer() end)
    end
  end)
  sim.expect(phone:register(), "phone " .. i .. " registered")
end
print("bob@mit.edu -> " .. table.concat(proxy:bindings("bob@mit.edu"), ", "))
sim.expect(#proxy:bindings("bob@mit.edu") == 2, "two contacts for one address of record")

local call = alice_phone:call("sip:bob@mit.edu")
sim.expect(call:wait_answer(10), "Alice's call was answered")
local ended, code = calls[1]:wait_end(5)
print("desk phone:", calls[1]:state(), code, "mobile:", calls[2]:state())
sim.expect(ended and code == 487, "the desk phone stopped ringing: 487 Request Terminated")
sim.expect(calls[2]:state() == "confirmed", "the mobile has the call")
sim.expect(proxy:stats().forks == 1 and proxy:stats().cancels == 1, "one fork, one CANCEL")

sim.sleep(3)
call:bye()
sim.expect(call:wait_end(5), "Alice hung up")
sim.sleep(0.5)
local s = call:stats()
print(string.format("alice received %d packets from the mobile", s.packets_received))
sim.expect(s.packets_received >= 145, "~150 packets in 3 s from the mobile")
sim.stop()
