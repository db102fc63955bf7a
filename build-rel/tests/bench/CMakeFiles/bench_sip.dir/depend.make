# Empty dependencies file for bench_sip.
# This may be replaced when dependencies are built.
