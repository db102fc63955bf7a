-- expect-exit: 1
-- expect-stderr: slaac_bad_iid.lua:5: bad argument #2 to 'attach' (option 'iid': 'mac48' is not "eui64", "stable" or an interface ID
-- An interface ID that is neither a kind nor an address names the option.
local A = sim.host("A")
A:attach(sim.lan("l"), { slaac = true, iid = "mac48" })
