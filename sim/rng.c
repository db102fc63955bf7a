/* sim/rng.c — xoshiro256** (Blackman & Vigna) seeded through splitmix64. */
#include "sim/rng.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void sim_rng_seed(sim_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    /* An all-zero state would stick at zero; splitmix64 cannot produce four zeros, but be sure. */
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
        r->s[0] = 1;
}

uint64_t sim_hash_str(const char *s)
{
    uint64_t h = 0xCBF29CE484222325ULL; /* FNV-1a offset basis */
    for (; *s; s++) {
        h ^= (uint8_t)*s;
        h *= 0x100000001B3ULL;
    }
    return h;
}

void sim_rng_derive(sim_rng *r, uint64_t seed, const char *name)
{
    /* Mix the name's hash through splitmix so nearby seeds and similar names give unrelated
     * streams. */
    uint64_t x = seed ^ 0x6E617473696D0000ULL; /* "natsim" */
    uint64_t a = splitmix64(&x);
    sim_rng_seed(r, a ^ sim_hash_str(name));
}

uint64_t sim_rng_u64(sim_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint32_t sim_rng_below(sim_rng *r, uint32_t n)
{
    if (n == 0)
        return 0;
    /* Lemire's multiply-shift with rejection: unbiased and usually one draw. */
    uint64_t m = (uint64_t)(uint32_t)(sim_rng_u64(r) >> 32) * n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        uint32_t threshold = (uint32_t)(-n) % n;
        while (low < threshold) {
            m = (uint64_t)(uint32_t)(sim_rng_u64(r) >> 32) * n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

double sim_rng_double(sim_rng *r)
{
    return (double)(sim_rng_u64(r) >> 11) * 0x1.0p-53;
}

int sim_rng_chance(sim_rng *r, double p)
{
    if (!(p > 0))
        return 0;
    if (p >= 1)
        return 1;
    return sim_rng_double(r) < p;
}
