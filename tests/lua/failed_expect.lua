-- expect-exit: 1
-- expect-stderr: failed_expect.lua:6: one is not two
-- A failed expectation makes natsim exit 1 and is listed with file:line; the script goes on.
sim.expect(1 == 1, "one is one")
sim.sleep(1)
sim.expect(1 == 2, "one is not two")
sim.expect(sim.now() == 1, "the script went on after the failure")
