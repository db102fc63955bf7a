-- expect-exit: 1
-- expect-stderr: syntax_error.lua:4: unexpected symbol near '='
-- A script that does not parse never starts.
local x = = 1
