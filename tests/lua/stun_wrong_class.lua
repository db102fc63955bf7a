-- expect-exit: 1
-- expect-stderr: stun_wrong_class.lua:5: bad argument #1 to 'discover'
-- The first argument of stun.discover is a host, not a link.
local lan = sim.lan("l")
stun.discover(lan, "10.0.0.1:3478")
