-- expect-exit: 1
-- expect-stderr: not_a_task.lua:5: sim.sleep blocks, so it must be called from a task
-- A coroutine the script makes itself is not a task: it cannot block on simulated time.
local co = coroutine.wrap(function()
    sim.sleep(1)
end)
co()
