# Empty dependencies file for bench_tcp.
# This may be replaced when dependencies are built.
