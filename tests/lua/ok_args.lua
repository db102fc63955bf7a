-- args: one --two
-- Script arguments after `--` arrive in `arg` and as the chunk's varargs.
local a, b = ...
sim.expect(a == "one" and b == "--two", "varargs")
sim.expect(arg[1] == "one" and arg[2] == "--two" and arg[0]:match("ok_args.lua$"), "arg table")
