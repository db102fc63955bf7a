/* sim/rng.h — seeded random streams: xoshiro256** seeded through splitmix64 (DESIGN §1).
 * Each node draws from a stream derived from (world seed, node name), so adding a node does not
 * change what the others draw. Never use rand() or g_random_*. */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stdint.h>

typedef struct sim_rng {
    uint64_t s[4];
} sim_rng;

/* Seeds a stream from one 64-bit seed. */
void sim_rng_seed(sim_rng *r, uint64_t seed);
/* Seeds a stream from (seed, name): the same pair always gives the same stream. */
void sim_rng_derive(sim_rng *r, uint64_t seed, const char *name);
/* Next 64 random bits. */
uint64_t sim_rng_u64(sim_rng *r);
/* Uniform integer in [0, n); n == 0 returns 0. Unbiased. */
uint32_t sim_rng_below(sim_rng *r, uint32_t n);
/* Uniform double in [0, 1). */
double sim_rng_double(sim_rng *r);
/* True with probability p (p <= 0 never draws, so a lossless link consumes no randomness). */
int sim_rng_chance(sim_rng *r, double p);
/* Stable 64-bit hash of a string (FNV-1a), for deriving names into seeds and MACs. */
uint64_t sim_hash_str(const char *s);

#endif
