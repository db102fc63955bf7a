-- expect-exit: 1
-- expect-stderr: past_time.lua:5: bad argument #1 to 'at' (time 1.0 s is in the past
-- sim.at takes an absolute time; one in the past is a mistake.
sim.sleep(2)
sim.at(1, function() end)
