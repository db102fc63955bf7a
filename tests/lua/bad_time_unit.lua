-- expect-exit: 1
-- expect-stderr: bad_time_unit.lua:4: bad argument #1 to 'sleep' (bad time '5parsecs'
-- Durations are seconds or a number with a unit: ns, us, ms, s, min, h.
sim.sleep("5parsecs")
