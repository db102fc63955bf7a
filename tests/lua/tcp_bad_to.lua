-- expect-exit: 1
-- expect-stderr: tcp_bad_to.lua:7: bad argument #1 to 'tcp_connect' (option 'to': "ip:port" expected)
-- A connect without a usable destination names the option.
local link = sim.link("ab")
local A = sim.host("A")
A:attach(link, { ip = "10.0.0.1/24" })
A:tcp_connect { to = "10.0.0.2" }
