-- TCP sockets in coroutines: listen / accept / connect / send / recv with timeouts, EOF,
-- half-close, connection refused, abort, and tostring.
local link = sim.link("ab", { delay = "5ms", bandwidth = "10Mbit" })
local A, B = sim.host("A"), sim.host("B")
A:attach(link, { ip = "10.0.0.1/24" })
B:attach(link, { ip = "10.0.0.2/24" })

local l = B:tcp_listen { port = 80, backlog = 4 }
sim.expect(tostring(l) == "<tcp B 0.0.0.0:80 LISTEN>", "listener tostring: " .. tostring(l))
sim.spawn(function()
    local c = l:accept()
    while true do                            -- echo upper-cased until EOF
        local d, err = c:recv()
        if not d then
            sim.expect(err == "eof", "server sees eof, got " .. tostring(err))
            break
        end
        c:send(d:upper())
    end
    c:close()
end)

local c, err = A:tcp_connect { to = "10.0.0.2:80", port = 1234, timeout = "1s" }
sim.expect(c ~= nil, "connected: " .. tostring(err))
sim.expect(c:state() == "ESTABLISHED", "state ESTABLISHED")
sim.expect(tostring(c) == "<tcp A 10.0.0.1:1234 -> 10.0.0.2:80 ESTABLISHED>", tostring(c))
local ip, port = c:remote_addr()
sim.expect(ip == "10.0.0.2" and port == 80, "remote_addr")
sim.expect(c:send("hello") == true, "send returns true")
sim.expect(c:recv(1) == "HELLO", "echo")
local big = string.rep("0123456789abcdef", 20000)  -- 320 kB: more than the send buffer
local got = {}
local reader = sim.spawn(function()                -- reads while the main task sends
    while true do
        local d, e = c:recv(5)
        if not d then
            sim.expect(e == "eof", "client eof, got " .. tostring(e))
            break
        end
        got[#got + 1] = d
    end
end)
sim.expect(c:send(big) == true, "big send blocks until queued")
c:shutdown()                                       -- half-close: replies still arrive
reader:join()
sim.expect(table.concat(got) == big:upper(), "all 320 kB echoed in order")
local d, e = c:recv(0.1)
sim.expect(d == nil and e == "eof", "eof again")
c:close()

local r, rerr = A:tcp_connect { to = "10.0.0.2:81" }
sim.expect(r == nil and rerr == "connection refused", "refused: " .. tostring(rerr))
local none, terr = l:accept(0.5)
sim.expect(none == nil and terr == "timeout", "accept timeout")

-- abort: the peer sees a reset
sim.spawn(function()
    local s = l:accept()
    local x, why = s:recv()
    sim.expect(x == nil and why == "connection reset", "reset seen: " .. tostring(why))
    sim.expect(s:state() == "CLOSED" and s:error() == "connection reset", "state after RST")
end)
local c2 = A:tcp_connect { to = "10.0.0.2:80" }
sim.sleep(0.1)
c2:abort()
sim.expect(c2:state() == "CLOSED", "aborted socket is CLOSED")
sim.sleep(0.1)
c2:close()
l:close()
sim.stop()
