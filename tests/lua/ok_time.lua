-- Time and tasks: sleeps advance the clock exactly, sim.at / sim.after / sim.spawn run in
-- time order (equal times in scheduling order), units parse, and a recv timeout returns
-- nil, "timeout" exactly when it should.
sim.expect(sim.now() == 0, "a run starts at time 0")
sim.sleep(1.5)
sim.expect(sim.now() == 1.5, "sleep(1.5) advances the clock by exactly 1.5 s")
sim.sleep("250ms")
sim.expect(sim.now() == 1.75, "sleep('250ms')")
sim.sleep("100us")
sim.expect(math.abs(sim.now() - 1.7501) < 1e-12, "sleep('100us')")

local order = {}
local function note(tag) order[#order + 1] = tag .. "@" .. sim.now() end
local base = 10
sim.at(base + 3, note, "at")
sim.at(base + 1, note, "first")
sim.at(base + 1, note, "second")   -- same time: scheduling order
sim.at(base, function()
    sim.after("2s", note, "after")
    sim.spawn(note, "spawn")
end)
sim.sleep(base + 5 - sim.now())
sim.expect(table.concat(order, " ") == "spawn@10.0 first@11.0 second@11.0 after@12.0 at@13.0",
           "task order: " .. table.concat(order, " "))

-- A task can be joined and cancelled.
local worker = sim.spawn(function() sim.sleep(3) end)
sim.expect(not worker:done(), "a fresh task is not done")
sim.expect(worker:join(1) == false, "join times out while the task sleeps")
sim.expect(worker:join() == true and worker:done(), "join returns once the task ends")
local victim = sim.spawn(function() sim.sleep(100); note("never") end)
sim.sleep(1)
sim.expect(victim:cancel() == true and victim:done(), "cancel stops a waiting task")

-- recv with a timeout on a socket nobody talks to.
local lan = sim.lan("lan")
local A = sim.host("A")
A:attach(lan, { ip = "10.0.0.1/24" })
local s = A:udp { port = 4000 }
local t0 = sim.now()
local data, err = s:recv("2min")
sim.expect(data == nil and err == "timeout", "recv returns nil, 'timeout'")
sim.expect(sim.now() - t0 == 120, "recv gave up after exactly 2 min")

-- sim.run takes absolute times, in several spellings.
sim.run(t0 + 200)
sim.expect(sim.now() == t0 + 200, "sim.run(t)")
sim.run { time = t0 + 201 }
sim.run { ["until"] = t0 + 202 }
sim.expect(sim.now() == t0 + 202, "sim.run{time=} and sim.run{['until']=}")
