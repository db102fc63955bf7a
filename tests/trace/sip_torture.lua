-- sip_torture.lua — the RFC 4475 torture messages sent as they are to a proxy/registrar and
-- to a UA (RFC 3261 §8.2.2, §16.3, §21): each request the RFC names a status for is answered
-- with it (505 for SIP/7.0, 400 naming the problem, 416, 501), straight back to the sender,
-- over UDP and on a TCP connection; responses are dropped and counted. A test, not a teaching
-- scenario: tests/scenarios/CMakeLists.txt runs it and has tests/trace/check.sh check with
-- tshark that nothing on the wire is malformed, so the answers are well-formed SIP for
-- Wireshark too. Two torture inputs are left out here (they are in the unit tests) because
-- Wireshark rightly marks the inputs themselves: ncl (negative Content-Length, malformed) and
-- scalarlg (Retry-After out of range, an expert error).
--
--   tester 10.0.0.10 ──┐
--   bob    10.0.0.20 ──┼── lan ── proxy.example.com 10.0.0.2 (registrar + proxy)
--
-- trace: lan udp && sip.Status-Code == 505 && ip.src == 10.0.0.2 && sip.Via contains "SIP/7.0/UDP"
-- trace: lan udp && sip.Status-Code == 505 && ip.src == 10.0.0.20
-- trace: lan tcp && sip.Status-Code == 505 && tcp.srcport == 5060
-- trace: lan udp && sip.Status-Code == 400 && sip.Call-ID == "multi01.98asdh@192.0.2.1" && sip.CSeq.seq == 5
-- trace: lan udp && sip.Status-Code == 400 && sip.Via.branch == "z9hG4bKkdjuw39234" && sip.to.display.info contains "Mr. J. User"
-- trace: lan udp && sip.Status-Code == 400 && sip.Via.sent-by.address == "192.0.2.15"
-- trace: lan tcp && sip.Status-Code == 400 && sip.CSeq.method == "REGISTER"
-- trace: lan tcp && sip.Status-Code == 416
-- the same two sent as datagrams: answered over UDP although their Via says TCP
-- trace: lan udp && sip.Status-Code == 400 && sip.CSeq.method == "REGISTER" && ip.dst == 10.0.0.10
-- trace: lan udp && sip.Status-Code == 416 && ip.dst == 10.0.0.10
-- trace-none: lan tcp && tcp.flags.syn == 1 && tcp.flags.ack == 0 && (ip.src == 10.0.0.2 || ip.src == 10.0.0.20)
-- trace: lan udp && sip.Status-Code == 501 && sip.CSeq.method == "INVITE"
-- trace-none: lan sip && ip.src == 10.0.0.2 && ip.dst == 10.0.0.20
local data = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") .. "/../unit/data/sip/"

local lan = sim.lan("lan", { delay = "1ms" })
local T, P, B = sim.host("tester"), sim.host("proxy"), sim.host("bob")
T:attach(lan, { ip = "10.0.0.10/24" })
P:attach(lan, { ip = "10.0.0.2/24" })
B:attach(lan, { ip = "10.0.0.20/24" })
local px = sip.proxy(P, { domain = "example.com", registrar = true })
local ua = sip.ua(B, { aor = "sip:bob@example.com", registrar = "10.0.0.2" })

-- RFC 4475 message, the status line it must get (nil: a response, not answered) and, for the
-- two requests whose Via says TCP, "tcp": they are also sent on a connection. Sent as
-- datagrams they are answered as datagrams (the driver answers on the transport a request
-- came in on, not the one its Via names, so this UDP-only tester gets them).
local cases = {
    { "badvers", "SIP/2.0 505 Version Not Supported" },
    { "multi01", "SIP/2.0 400 header may appear only once" },
    { "badinv01", "SIP/2.0 400 empty parameter" },
    { "scalar02", "SIP/2.0 400 CSeq number too large", "tcp" },
    { "quotbal", "SIP/2.0 400 unterminated quoted display name" },
    { "badaspec", "SIP/2.0 400 URI without a scheme" },
    { "baddn", "SIP/2.0 400 display name must be tokens or a quoted string" },
    { "ltgtruri", "SIP/2.0 400 Request-URI in angle brackets" },
    { "lwsstart", "SIP/2.0 400 request line must be Method SP Request-URI SP SIP-Version" },
    { "escruri", "SIP/2.0 400 Request-URI with headers" },
    { "regbadct", "SIP/2.0 400 URI with ? or , outside angle brackets" },
    { "unkscm", "SIP/2.0 416 Unsupported URI Scheme", "tcp" },
    { "mismatch01", "SIP/2.0 400 CSeq method does not match the request method" },
    { "mismatch02", "SIP/2.0 501 Not Implemented" },
    { "bigcode", nil },
}

local function load(name)
    local f = assert(io.open(data .. "rfc4475-" .. name .. ".sip", "rb"))
    local s = f:read("a")
    f:close()
    return s
end

local function first_line(s)
    return s and s:match("^([^\r]*)\r\n")
end

-- Over UDP, to the proxy and to the UA: one answer each (or none), from port 5060.
local sock = T:udp { port = 5070 }
local answered = 0
for _, to in ipairs({ "10.0.0.2", "10.0.0.20" }) do
    for _, c in ipairs(cases) do
        sock:sendto(load(c[1]), to, 5060)
        local d, ip, port = sock:recv(0.2)
        sim.expect(first_line(d) == c[2], string.format("UDP %s %s: %s", to, c[1],
                   tostring(first_line(d))))
        if d then
            answered = answered + 1
            sim.expect(ip == to and port == 5060, "answer from " .. tostring(ip))
        end
    end
end
sim.expect(answered == 2 * 14, "28 answers over UDP, got " .. answered)

-- Over TCP, to the proxy: each answer on the connection the request came in on, in order.
local conn = assert(T:tcp_connect { to = "10.0.0.2:5060", timeout = "1s" })
local want = {}
for _, c in ipairs(cases) do
    if c[3] == "tcp" or c[1] == "badvers" or c[1] == "multi01" or c[1] == "bigcode" then
        conn:send(load(c[1]))
        want[#want + 1] = c[2]
    end
end
local got = ""
while true do
    local d = conn:recv(0.5)
    if not d then break end
    got = got .. d
end
local lines = {}
for l in got:gmatch("(SIP/2.0 %d%d%d [^\r]*)\r\n") do lines[#lines + 1] = l end
sim.expect(table.concat(lines, "|") == table.concat(want, "|"),
           "TCP answers: " .. table.concat(lines, "|"))
conn:close()

local ps, us = px:stats(), ua:stats()
sim.expect(ps.bad == 12 + 4 and ps.rejected == 3 + 1 and ps.dropped == 1 + 1,
           string.format("proxy: bad %d rejected %d dropped %d", ps.bad, ps.rejected, ps.dropped))
sim.expect(us.bad == 12 and us.rejected == 3 and us.dropped == 1,
           string.format("ua: bad %d rejected %d dropped %d", us.bad, us.rejected, us.dropped))
sim.stop()
