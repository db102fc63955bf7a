-- expect-exit: 1
-- expect-stderr: stun_bad_option.lua:6: bad argument #2 to 'server' (unknown option 'prot'
-- A typo in stun.server's options names the key.
local S = sim.host("S")
S:attach(sim.lan("l"), { ip = "10.0.0.1/24" })
stun.server(S, { prot = 3478 })
