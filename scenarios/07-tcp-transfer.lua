-- 07-tcp-transfer.lua — TCP makes a reliable byte stream out of an unreliable path.
--
-- Two transfers of 1 MB run side by side, each between its own pair of hosts:
--
--     C1 10.0.1.1 ──lossy── S1 10.0.1.2     10 Mbit/s, 10 ms, 2 % loss, 2 % reordering,
--                                            1 % duplication
--     C2 10.0.2.1 ──clean── S2 10.0.2.2     10 Mbit/s, 10 ms, no faults
--
-- The bytes are pseudo-random from the run's seed (math.random is seeded from --seed), so a
-- different seed sends different data, and the receiver compares every byte.
--
-- On the lossy link TCP has work to do (RFC 9293, RFC 6298, RFC 5681): a lost segment leaves a
-- hole that the receiver signals with duplicate ACKs; after three the sender retransmits at
-- once (fast retransmit), otherwise its retransmission timer fires (RTO, doubled at each
-- expiry). Reordered segments are held in the receiver's buffer until the hole before them is
-- filled; duplicated ones are recognised by their sequence numbers and dropped. The
-- application sees none of it: recv() returns the bytes complete and in order.
--
-- In Wireshark open 07-tcp-transfer-lossy.pcap and use Statistics > TCP Stream Graphs >
-- Stream Graph (tcptrace): the retransmissions are the marks below the line, the duplicate
-- ACKs the flat stretches. Expert Info lists them ("Fast Retransmission", "Retransmission",
-- "Dup ACK"). A link's pcap records each frame as it enters the wire, so reordering and
-- duplication are not seen as such there: they show as the receiver's duplicate ACKs.
-- On the clean link there is nothing to repair, and Expert Info has no TCP analysis entry at
-- all: only the handshake and FIN "chats". (Not even "TCP Window Update": the stack sends its
-- ACK at the end of the instant the data arrived, after the application has read it, so the
-- ACK already carries the reopened window instead of a second segment announcing it.)
-- The test suite checks with tshark that the lossy trace has timer-driven and fast
-- retransmissions and duplicate ACKs, and that the clean trace has no TCP analysis warning:
-- trace: lossy tcp.analysis.retransmission
-- trace: lossy tcp.analysis.fast_retransmission
-- trace: lossy tcp.analysis.duplicate_ack
-- trace: lossy tcp.flags.syn == 1 && tcp.options.mss_val == 1460
-- trace: clean tcp.flags.fin == 1
-- trace-none: clean tcp.analysis.flags
-- trace-none: clean tcp.flags.reset == 1

local SIZE = 1024 * 1024

local lossy = sim.link("lossy", {delay = "10ms", bandwidth = "10Mbit", loss = 0.02,
                                 reorder = 0.02, duplicate = 0.01})
local clean = sim.link("clean", {delay = "10ms", bandwidth = "10Mbit"})
local C1, S1 = sim.host("C1"), sim.host("S1")
local C2, S2 = sim.host("C2"), sim.host("S2")
C1:attach(lossy, {ip = "10.0.1.1/24"})
S1:attach(lossy, {ip = "10.0.1.2/24"})
C2:attach(clean, {ip = "10.0.2.1/24"})
S2:attach(clean, {ip = "10.0.2.2/24"})

-- 1 MB of pseudo-random bytes, 4 KiB at a time.
local parts = {}
for k = 1, SIZE // 4096 do
  local b = {}
  for i = 1, 4096 do b[i] = math.random(0, 255) end
  parts[k] = string.char(table.unpack(b))
end
local data = table.concat(parts)

-- A server that reads until EOF and reports what it got.
local function sink(server, name)
  local l = server:tcp_listen{port = 5001}
  return sim.spawn(function()
    local c = l:accept()
    local got, n = {}, 0
    while true do
      local d, err = c:recv()
      if not d then
        sim.expect(err == "eof", name .. ": the stream ends with the sender's FIN, not " .. err)
        break
      end
      got[#got + 1] = d
      n = n + #d
    end
    c:close()
    l:close()
    local all = table.concat(got)
    print(string.format("%s: received %d bytes at t=%.3f s", name, n, sim.now()))
    sim.expect(n == SIZE, name .. ": all 1048576 bytes arrived")
    sim.expect(all == data, name .. ": every byte is right and in order")
  end)
end

local function source(client, to, name)
  return sim.spawn(function()
    local c, err = client:tcp_connect{to = to, timeout = "10s"}
    sim.expect(c ~= nil, name .. ": connected (" .. tostring(err) .. ")")
    if not c then return end
    local t0 = sim.now()
    c:send(data)          -- returns once the last byte is queued
    c:close()             -- graceful: the FIN follows the data, the stack finishes the job
    print(string.format("%s: 1 MB queued after %.3f s", name, sim.now() - t0))
  end)
end

local r1, r2 = sink(S1, "lossy"), sink(S2, "clean")
source(C1, "10.0.1.2:5001", "lossy")
source(C2, "10.0.2.2:5001", "clean")
r1:join()
r2:join()

local ls, cs = lossy:stats(), clean:stats()
print(string.format("lossy link: %d frames sent, %d lost", ls.tx_frames, ls.drops.loss or 0))
print(string.format("clean link: %d frames sent", cs.tx_frames))
sim.expect((ls.drops.loss or 0) > 0, "the lossy link really lost frames")
sim.expect(ls.tx_bytes > SIZE and cs.tx_bytes > SIZE, "headers and repairs cost bytes")
sim.sleep(70)             -- let TIME-WAIT (2 x 30 s) end, so every FIN/ACK is in the traces
sim.stop()
