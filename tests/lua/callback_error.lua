-- expect-exit: 1
-- expect-stderr: callback_error.lua:11: attempt to call a nil value (global 'no_such_function')
-- expect-stderr: stack traceback:
-- An error inside a socket callback stops the run the same way.
local lan = sim.lan("lan")
local A, B = sim.host("A"), sim.host("B")
A:attach(lan, { ip = "10.0.0.1/24" })
B:attach(lan, { ip = "10.0.0.2/24" })
local server = B:udp { port = 7 }
server:on_recv(function(data, ip, port)
    no_such_function(data)
end)
A:udp():sendto("hello", "10.0.0.2", 7)
sim.run(1)
