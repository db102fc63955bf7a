-- expect-exit: 1
-- expect-stderr: a task yielded without waiting for anything
-- A bare coroutine.yield() in a task would hang it forever; it is an error instead.
coroutine.yield()
