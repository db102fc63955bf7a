-- expect-exit: 1
-- expect-stderr: stun_not_a_task.lua:7: waiting blocks, so it must be called from a task
-- A coroutine the script makes itself is not a task: stun.binding cannot block in it.
local A = sim.host("A")
A:attach(sim.lan("l"), { ip = "10.0.0.2/24" })
local co = coroutine.wrap(function()
    stun.binding(A, "10.0.0.1:3478")
end)
co()
