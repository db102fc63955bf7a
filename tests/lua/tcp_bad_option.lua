-- expect-exit: 1
-- expect-stderr: tcp_bad_option.lua:7: bad argument #1 to 'tcp_listen' (unknown option 'bakclog'
-- A misspelt TCP option is a Lua error naming it.
local link = sim.link("ab")
local B = sim.host("B")
B:attach(link, { ip = "10.0.0.2/24" })
B:tcp_listen { port = 80, bakclog = 4 }
