-- expect-exit: 1
-- expect-stderr: task_error.lua:7: boom in a task
-- expect-stderr: stack traceback:
-- An error inside a task stops the run with file:line and a traceback.
sim.spawn(function()
    sim.sleep(1)
    error("boom in a task")
end)
sim.run(10)
