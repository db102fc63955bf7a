# Empty dependencies file for stun_vectors.
# This may be replaced when dependencies are built.
