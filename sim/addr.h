/* sim/addr.h — IPv4/IPv6 addresses and transport endpoints, parsing and formatting. */
#ifndef SIM_ADDR_H
#define SIM_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_AF_NONE 0
#define SIM_AF_INET 4
#define SIM_AF_INET6 6

/* An IP address. IPv4 uses b[0..3] (network order); the rest is zero so memcmp works. */
typedef struct sim_ip {
    uint8_t family; /* SIM_AF_INET, SIM_AF_INET6, or SIM_AF_NONE for "unset / any" */
    uint8_t b[16];
} sim_ip;

/* An address and a transport port. */
typedef struct sim_ep {
    sim_ip ip;
    uint16_t port;
} sim_ep;

#define SIM_IP_STRLEN 48  /* enough for any formatted address and its NUL */
#define SIM_EP_STRLEN 56  /* "[v6]:port" */

/* IPv4 address from a host-order 32-bit value. */
sim_ip sim_ip4(uint32_t host_order);
/* IPv4 address as host-order 32 bits (0 if not IPv4). */
uint32_t sim_ip4_u32(const sim_ip *ip);
/* IPv4 address from 4 network-order bytes (e.g. straight from a header). */
sim_ip sim_ip4_bytes(const uint8_t b[4]);
/* IPv6 address from 16 network-order bytes. */
sim_ip sim_ip6(const uint8_t b[16]);
/* Parses "a.b.c.d" or an IPv6 literal; returns 0 or -EINVAL. */
int sim_ip_parse(const char *s, sim_ip *out);
/* Parses "addr/len"; a missing /len means a host prefix. Returns 0 or -EINVAL. */
int sim_prefix_parse(const char *s, sim_ip *out, unsigned *plen);
/* Parses "a.b.c.d:port" or "[v6]:port"; returns 0 or -EINVAL. */
int sim_ep_parse(const char *s, sim_ep *out);
/* Formats an address into buf (at least SIM_IP_STRLEN); returns buf. */
char *sim_ip_fmt(const sim_ip *ip, char *buf, size_t n);
/* Formats an endpoint ("1.2.3.4:5", "[::1]:5") into buf (SIM_EP_STRLEN); returns buf. */
char *sim_ep_fmt(const sim_ep *ep, char *buf, size_t n);
/* True if the addresses are equal (family and bytes). */
bool sim_ip_eq(const sim_ip *a, const sim_ip *b);
/* True if the endpoints are equal. */
bool sim_ep_eq(const sim_ep *a, const sim_ep *b);
/* True if a and b share the first plen bits (and the family). */
bool sim_ip_prefix_match(const sim_ip *a, const sim_ip *b, unsigned plen);
/* True for 224/4 and ff00::/8. */
bool sim_ip_is_multicast(const sim_ip *ip);
/* True for the unset address or 0.0.0.0 / ::. */
bool sim_ip_is_any(const sim_ip *ip);
/* True for 255.255.255.255. */
bool sim_ip_is_broadcast(const sim_ip *ip);
/* True for fe80::/10. */
bool sim_ip_is_link_local6(const sim_ip *ip);
/* Hash of an endpoint, for hash tables. */
uint32_t sim_ep_hash(const sim_ep *ep);

#endif
