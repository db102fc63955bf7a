-- UDP between two hosts on one LAN: an echo server with on_recv, a client with recv, a
-- connected socket, ephemeral ports, and a ping.
local lan = sim.lan("office", { delay = "1ms", bandwidth = "100Mbit" })
local A, B = sim.host("A"), sim.host("B")
local a0 = A:attach(lan, { ip = "10.0.0.1/24", name = "eth0" })
B:attach(lan, { ip = "10.0.0.2/24" })
sim.expect(a0:ip() == "10.0.0.1" and a0.name == "eth0", "interface address and name")
sim.expect(A:iface("eth0") == a0 and A:iface(1) == a0, "interfaces by name and index")

local server = B:udp { port = 7 }
server:on_recv(function(data, ip, port)
    server:sendto(data:upper(), ip, port)
end)

local client = A:udp()                     -- ephemeral port
local ip, port = client:local_addr()
sim.expect(port > 0, "an unbound socket gets an ephemeral port")
sim.expect(client:sendto("hello", "10.0.0.2", 7) == true, "sendto returns true")
local data, from, fport = client:recv(1)
sim.expect(data == "HELLO" and from == "10.0.0.2" and fport == 7, "echo reply from 10.0.0.2:7")

client:connect("10.0.0.2:7")
client:send("again")
sim.expect(client:recv(1) == "AGAIN", "connected socket: send and recv")

-- Several tasks blocked on one socket each get one datagram.
local got = {}
local sink = B:udp { port = 9 }
for k = 1, 2 do
    sim.spawn(function()
        local d = sink:recv(5)
        got[#got + 1] = d
    end)
end
local c2 = A:udp()
c2:sendto("one", "10.0.0.2:9")
c2:sendto("two", "10.0.0.2:9")
sim.sleep(1)
table.sort(got)
sim.expect(#got == 2 and got[1] == "one" and got[2] == "two", "two waiters, two datagrams")

local rtt, ttl = A:ping("10.0.0.2")
sim.expect(rtt and rtt > 0.002 - 1e-9 and rtt < 0.01, "ping RTT " .. tostring(rtt))
local r2, err = A:ping("10.0.0.99", { timeout = 0.5 })
sim.expect(r2 == nil and err ~= nil, "ping to nobody fails: " .. tostring(err))
sim.expect(lan:stats().tx_frames > 0, "the LAN counted frames")
sim.log("echo.done", { frames = lan:stats().tx_frames, ok = true })
