/* sim/stack/csum.c — the Internet checksum (RFC 1071) and its incremental update (RFC 1624). */
#include "sim/stack/net.h"

uint32_t net_csum_add(uint32_t sum, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t s = sum;
    while (len >= 2) {
        s += (uint32_t)(p[0] << 8 | p[1]);
        p += 2;
        len -= 2;
    }
    if (len)
        s += (uint32_t)p[0] << 8; /* odd byte padded with zero */
    while (s >> 32)
        s = (s & 0xFFFFFFFFu) + (s >> 32);
    return (uint32_t)s;
}

uint16_t net_csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}

uint32_t net_csum_pseudo4(const uint8_t src[4], const uint8_t dst[4], uint8_t proto, uint32_t len)
{
    uint32_t s = net_csum_add(0, src, 4);
    s = net_csum_add(s, dst, 4);
    return s + proto + (len & 0xFFFF);
}

uint32_t net_csum_pseudo6(const uint8_t src[16], const uint8_t dst[16], uint8_t nh, uint32_t len)
{
    uint32_t s = net_csum_add(0, src, 16);
    s = net_csum_add(s, dst, 16);
    s += (len >> 16) + (len & 0xFFFF);
    return s + nh;
}

uint16_t net_csum_replace(uint16_t csum, const void *old_words, const void *new_words, size_t n)
{
    /* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') */
    const uint8_t *o = old_words, *w = new_words;
    uint32_t s = (uint16_t)~csum;
    for (size_t i = 0; i < n; i++) {
        s += (uint16_t)~(uint16_t)(o[2 * i] << 8 | o[2 * i + 1]);
        s += (uint16_t)(w[2 * i] << 8 | w[2 * i + 1]);
    }
    while (s >> 16)
        s = (s & 0xFFFF) + (s >> 16);
    return (uint16_t)~s;
}
