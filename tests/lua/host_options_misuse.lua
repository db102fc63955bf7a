-- expect-exit: 1
-- expect-stderr: host_options_misuse.lua:6: bad argument #2 to 'host' (options 'ip', 'ip6' and 'gateway' need 'on' (a link))
-- sim.host's shorthand options need the link to attach to; unknown keys are errors too.
local ok, err = pcall(sim.host, "X", {on = sim.lan("l", {}), ipv4 = "10.0.0.1/24"})
assert(not ok and err:find("unknown option 'ipv4'"), err)
local A = sim.host("A", {ip = "10.0.0.1/24"})
