/* sim/addr.c — IP addresses and endpoints: parse, format, compare. Uses inet_pton/inet_ntop
 * (pure conversions; no sockets are opened). */
#include "sim/addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

sim_ip sim_ip4(uint32_t v)
{
    sim_ip ip = { .family = SIM_AF_INET };
    ip.b[0] = (uint8_t)(v >> 24);
    ip.b[1] = (uint8_t)(v >> 16);
    ip.b[2] = (uint8_t)(v >> 8);
    ip.b[3] = (uint8_t)v;
    return ip;
}

uint32_t sim_ip4_u32(const sim_ip *ip)
{
    if (ip->family != SIM_AF_INET)
        return 0;
    return (uint32_t)ip->b[0] << 24 | (uint32_t)ip->b[1] << 16 | (uint32_t)ip->b[2] << 8 | ip->b[3];
}

sim_ip sim_ip4_bytes(const uint8_t b[4])
{
    sim_ip ip = { .family = SIM_AF_INET };
    memcpy(ip.b, b, 4);
    return ip;
}

sim_ip sim_ip6(const uint8_t b[16])
{
    sim_ip ip = { .family = SIM_AF_INET6 };
    memcpy(ip.b, b, 16);
    return ip;
}

int sim_ip_parse(const char *s, sim_ip *out)
{
    sim_ip ip = { 0 };
    if (!s)
        return -EINVAL;
    if (inet_pton(AF_INET, s, ip.b) == 1)
        ip.family = SIM_AF_INET;
    else if (inet_pton(AF_INET6, s, ip.b) == 1)
        ip.family = SIM_AF_INET6;
    else
        return -EINVAL;
    *out = ip;
    return 0;
}

int sim_prefix_parse(const char *s, sim_ip *out, unsigned *plen)
{
    char buf[SIM_IP_STRLEN + 8];
    if (!s || strlen(s) >= sizeof buf)
        return -EINVAL;
    strcpy(buf, s);
    char *slash = strchr(buf, '/');
    long len = -1;
    if (slash) {
        char *end;
        *slash = 0;
        errno = 0;
        len = strtol(slash + 1, &end, 10);
        if (errno || end == slash + 1 || *end || len < 0)
            return -EINVAL;
    }
    sim_ip ip;
    if (sim_ip_parse(buf, &ip))
        return -EINVAL;
    long max = ip.family == SIM_AF_INET ? 32 : 128;
    if (len > max)
        return -EINVAL;
    *out = ip;
    *plen = (unsigned)(len < 0 ? max : len);
    return 0;
}

int sim_ep_parse(const char *s, sim_ep *out)
{
    char buf[SIM_EP_STRLEN + 8];
    if (!s || strlen(s) >= sizeof buf)
        return -EINVAL;
    strcpy(buf, s);
    char *host = buf, *colon;
    if (buf[0] == '[') {
        char *close = strchr(buf, ']');
        if (!close || close[1] != ':')
            return -EINVAL;
        *close = 0;
        host = buf + 1;
        colon = close + 1;
    } else {
        colon = strrchr(buf, ':');
        if (!colon || strchr(buf, ':') != colon) /* bare IPv6 needs brackets */
            return -EINVAL;
        *colon = 0;
    }
    char *end;
    errno = 0;
    long port = strtol(colon + 1, &end, 10);
    if (errno || end == colon + 1 || *end || port < 0 || port > 65535)
        return -EINVAL;
    sim_ep ep = { .port = (uint16_t)port };
    if (sim_ip_parse(host, &ep.ip))
        return -EINVAL;
    *out = ep;
    return 0;
}

char *sim_ip_fmt(const sim_ip *ip, char *buf, size_t n)
{
    if (ip->family == SIM_AF_INET)
        inet_ntop(AF_INET, ip->b, buf, (socklen_t)n);
    else if (ip->family == SIM_AF_INET6)
        inet_ntop(AF_INET6, ip->b, buf, (socklen_t)n);
    else
        snprintf(buf, n, "*");
    return buf;
}

char *sim_ep_fmt(const sim_ep *ep, char *buf, size_t n)
{
    char ip[SIM_IP_STRLEN];
    sim_ip_fmt(&ep->ip, ip, sizeof ip);
    if (ep->ip.family == SIM_AF_INET6)
        snprintf(buf, n, "[%s]:%u", ip, ep->port);
    else
        snprintf(buf, n, "%s:%u", ip, ep->port);
    return buf;
}

bool sim_ip_eq(const sim_ip *a, const sim_ip *b)
{
    if (a->family != b->family)
        return false;
    return memcmp(a->b, b->b, a->family == SIM_AF_INET ? 4 : 16) == 0;
}

bool sim_ep_eq(const sim_ep *a, const sim_ep *b)
{
    return a->port == b->port && sim_ip_eq(&a->ip, &b->ip);
}

bool sim_ip_prefix_match(const sim_ip *a, const sim_ip *b, unsigned plen)
{
    if (a->family != b->family)
        return false;
    unsigned max = a->family == SIM_AF_INET ? 32 : 128;
    if (plen > max)
        plen = max;
    unsigned bytes = plen / 8, bits = plen % 8;
    if (memcmp(a->b, b->b, bytes))
        return false;
    if (!bits)
        return true;
    uint8_t mask = (uint8_t)(0xFF << (8 - bits));
    return (a->b[bytes] & mask) == (b->b[bytes] & mask);
}

bool sim_ip_is_multicast(const sim_ip *ip)
{
    if (ip->family == SIM_AF_INET)
        return (ip->b[0] & 0xF0) == 0xE0;
    return ip->family == SIM_AF_INET6 && ip->b[0] == 0xFF;
}

bool sim_ip_is_any(const sim_ip *ip)
{
    if (ip->family == SIM_AF_NONE)
        return true;
    static const uint8_t zero[16];
    return memcmp(ip->b, zero, ip->family == SIM_AF_INET ? 4 : 16) == 0;
}

bool sim_ip_is_broadcast(const sim_ip *ip)
{
    return ip->family == SIM_AF_INET && sim_ip4_u32(ip) == 0xFFFFFFFFu;
}

bool sim_ip_is_link_local6(const sim_ip *ip)
{
    return ip->family == SIM_AF_INET6 && ip->b[0] == 0xFE && (ip->b[1] & 0xC0) == 0x80;
}

uint32_t sim_ep_hash(const sim_ep *ep)
{
    uint32_t h = 2166136261u;
    size_t n = ep->ip.family == SIM_AF_INET ? 4 : 16;
    for (size_t i = 0; i < n; i++)
        h = (h ^ ep->ip.b[i]) * 16777619u;
    h = (h ^ (ep->port & 0xFF)) * 16777619u;
    h = (h ^ (ep->port >> 8)) * 16777619u;
    return h ^ ep->ip.family;
}
