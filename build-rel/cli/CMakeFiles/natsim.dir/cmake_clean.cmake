file(REMOVE_RECURSE
  "../natsim"
  "../natsim.pdb"
  "CMakeFiles/natsim.dir/decode_tcp.c.o"
  "CMakeFiles/natsim.dir/decode_tcp.c.o.d"
  "CMakeFiles/natsim.dir/main.c.o"
  "CMakeFiles/natsim.dir/main.c.o.d"
  "CMakeFiles/natsim.dir/modules.c.o"
  "CMakeFiles/natsim.dir/modules.c.o.d"
  "CMakeFiles/natsim.dir/summary.c.o"
  "CMakeFiles/natsim.dir/summary.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/natsim.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
