/* tests/unit/csum_ref.h — the Internet checksum (RFC 1071) written independently of
 * sim/stack/csum.c, for frame taps that check every checksum the stack writes. */
#ifndef TESTS_UNIT_CSUM_REF_H
#define TESTS_UNIT_CSUM_REF_H

#include <stddef.h>
#include <stdint.h>

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* Adds the 16-bit big-endian words of p[0..n) to s (an odd last byte padded with zero). */
static inline uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
    for (size_t k = 0; k + 1 < n; k += 2)
        s += rd16(p + k);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}

/* Folds the carries of a sum into 16 bits (0xffff over data that includes a right checksum). */
static inline uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

#endif
