file(REMOVE_RECURSE
  "CMakeFiles/stun_vectors.dir/stun_vectors.c.o"
  "CMakeFiles/stun_vectors.dir/stun_vectors.c.o.d"
  "stun_vectors"
  "stun_vectors.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/stun_vectors.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
