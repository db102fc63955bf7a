-- expect-exit: 1
-- expect-stderr: rtp_misuse.lua:22: done
-- expect-stderr: rtp_misuse.lua:13: bad argument #2 to 'session' (unknown option 'durration'
-- expect-stderr: rtp_misuse.lua:15: option 'to': an endpoint "ip:port" with a port
-- expect-stderr: rtp_misuse.lua:17: bad argument #2 to 'session' (option 'port'
-- expect-stderr: rtp_misuse.lua:20: natsim.RtpSession is gone
-- Misusing rtp.session is a Lua error naming the argument; a closed session's handle is stale.
local lan = sim.lan("l", {})
local a = sim.host("a")
a:attach(lan, {ip = "10.0.0.1/24"})
local function try(f) local ok, err = pcall(f); io.stderr:write(tostring(err), "\n") end

try(function() rtp.session(a, {port = 4000, to = "10.0.0.2:4000", durration = "1s"}) end)

try(function() rtp.session(a, {port = 4000, to = "10.0.0.2"}) end)

try(function() rtp.session(a, {port = 65535, to = "10.0.0.2:4000"}) end)
local s = rtp.session(a, {port = 4000, to = "10.0.0.2:4000"})
s:close()
try(function() s:stats() end)
print(tostring(s))
error("done")
