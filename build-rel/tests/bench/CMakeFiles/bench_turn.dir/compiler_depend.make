# Empty compiler generated dependencies file for bench_turn.
# This may be replaced when dependencies are built.
