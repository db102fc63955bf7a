/* protocols/dns/dns_priv.h — internals shared by the DNS codec's files: reading names with
 * compression pointers and writing them with a compression table. */
#ifndef PROTOCOLS_DNS_DNS_PRIV_H
#define PROTOCOLS_DNS_DNS_PRIV_H

#include "protocols/dns/dns.h"
#include "sim/cursor.h"
#include "sim/lua/simlua.h"

/* Names already written to a message, by the offset of each suffix (RFC 1035 §4.1.4). */
#define DNS_CTAB_MAX 128
typedef struct dns_ctab {
    size_t n;
    struct {
        uint16_t off;
        uint8_t len;
        uint8_t b[DNS_NAME_MAX];
    } e[DNS_CTAB_MAX];
} dns_ctab;

/* Sets *e (if non-NULL and still empty) to off / why and returns -EBADMSG. */
int dns_fail(dns_err *e, size_t off, const char *why);
/* Absolute offset of cursor c inside the message msg. */
static inline size_t dns_off(const uint8_t *msg, const cur *c)
{
    return (size_t)(c->p - msg) + c->off;
}
/* Reads a possibly compressed name at c; c must point into msg[0..msg_len) (the whole message,
 * where pointers lead). c advances past the name's in-line bytes. Returns 0 or -EBADMSG (*e). */
int dns_name_read(const uint8_t *msg, size_t msg_len, cur *c, dns_name *out, dns_err *e);
/* Writes n at the end of w. With t non-NULL the name's suffixes are recorded as pointer targets,
 * and with `compress` the longest suffix already in t is replaced by a pointer. */
void dns_name_write(wr *w, const dns_name *n, dns_ctab *t, bool compress);
/* Decodes the RDATA of rr (type already set) from rd (a sub-cursor over exactly RDLENGTH bytes
 * of msg). Returns 0 or -EBADMSG (*e); on failure rr->data is NULL. */
int dns_rdata_read(const uint8_t *msg, size_t msg_len, cur *rd, dns_rr *rr, dns_err *e);
/* Writes rr's RDATA (without RDLENGTH). Returns 0 or -EINVAL (malformed RDATA in rr). */
int dns_rdata_write(wr *w, const dns_rr *rr, dns_ctab *t, unsigned flags);
/* True if p[0..n) is a well-formed sequence of <character-string>s. */
bool dns_cstrs_valid(const uint8_t *p, size_t n);
/* True if p[0..n) is a well-formed NSEC type-bitmap field (RFC 4034 §4.1.2). */
bool dns_nsec_bitmap_valid(const uint8_t *p, size_t n);

/* Lua (dns_lua_rr.c): the record table at idx as *out, its name defaulting to origin and its
 * TTL to def_ttl; raises a Lua error starting with `what` ("record 3") on any bad field. */
void dnslua_check_record(lua_State *L, int idx, const char *what, const dns_name *origin,
                         uint32_t def_ttl, dns_rr *out);
/* Pushes rr as a record table (the same fields dnslua_check_record reads). */
void dnslua_push_rr(lua_State *L, const dns_rr *rr);

#endif
