/* protocols/sip/sip_priv.h — internals shared by the SIP module's files: a text scanner over the
 * project's cursor (sim/cursor.h) and the RFC 3261 §25 character classes. */
#ifndef PROTOCOLS_SIP_SIP_PRIV_H
#define PROTOCOLS_SIP_SIP_PRIV_H

#include <errno.h>
#include <string.h>
#include "protocols/sip/sip.h"
#include "sim/cursor.h"

/* The next byte, or -1 at the end (does not advance). */
static inline int sip_peek(const cur *c)
{
    return cur_left(c) ? cur_ptr(c)[0] : -1;
}

/* Consumes ch if it is next. */
static inline bool sip_eat(cur *c, int ch)
{
    if (sip_peek(c) != ch)
        return false;
    cur_skip(c, 1);
    return true;
}

/* A cursor over a slice. */
static inline cur sip_cur(sip_str s)
{
    cur c;
    cur_init(&c, s.p, s.len);
    return c;
}

/* The slice from position `from` of c's buffer to the current position. */
static inline sip_str sip_since(const cur *c, size_t from)
{
    return (sip_str){ (const char *)c->p + from, c->off - from };
}

static inline bool sip_str_eq(sip_str s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len == n && g_ascii_strncasecmp(s.p, lit, n) == 0;
}

/* RFC 3261 §25.1 classes. */
bool sip_is_token(int ch);   /* token: alphanum - . ! % * _ + ` ' ~ */
bool sip_is_unreserved(int ch);
bool sip_is_word(int ch);    /* Call-ID word */

/* Skips SP / HTAB (folding was already turned into spaces by the framer). */
void sip_skip_ws(cur *c);
/* Reads 1*token; len 0 when none. */
sip_str sip_token(cur *c);
/* Reads a quoted-string (quotes included), checking qdtext and quoted-pair. 0 or -EBADMSG. */
int sip_quoted(cur *c, sip_str *out);
/* Reads a comment (parentheses included, nested, quoted-pair). 0 or -EBADMSG. */
int sip_comment(cur *c, sip_str *out);
/* Reads *( SEMI generic-param ) of a header value: SEMI = SWS ";" SWS, gen-value = token /
 * host (incl. [IPv6]) / quoted-string. Stops before anything else. 0 or -EBADMSG with *why. */
int sip_hparams(cur *c, sip_params *p, const char **why);
/* Parses host [":" port] at c: hostname / IPv4 / "[" IPv6 "]". 0 or -EBADMSG. */
int sip_hostport(cur *c, sip_str *host, bool *ipv6, int *port);
/* The next item of a comma list: the slice up to a comma outside quotes, <> and comments (or
 * the end), trimmed; the comma is not consumed. Loop: do { item } while (sip_eat(c, ',')). */
sip_str sip_list_item(cur *c);
/* Trims SP / HTAB at both ends. */
sip_str sip_trim(sip_str s);
/* Parses 1*DIGIT into *out, clamping at UINT64_MAX/10; false if no digit. */
bool sip_digits(cur *c, uint64_t *out, size_t *ndigits);
/* A NUL-terminated owned copy of a slice that may hold NUL bytes. */
char *sip_strdup(sip_str s);
/* Appends a header line whose value is a slice (sip_msg_add for values that may hold NUL). */
int sip_msg_add_str(sip_msg *m, sip_hdr_id id, const char *name, sip_str value);
/* Replaces the first value of id (the first value of its first line) by v. 0, -ENOENT, -EINVAL. */
int sip_msg_replace_top(sip_msg *m, sip_hdr_id id, sip_str v);
/* A copy of request or response m through the codec, with Request-URI ruri for a request
 * (NULL: the same). Owned, or NULL when the result does not decode (a bad ruri). */
sip_msg *sip_msg_clone(const sip_msg *m, const char *ruri);
/* True when request m goes to its next hop over TCP (RFC 3261 §18.1.1, RFC 3263 §4.1): the
 * transport parameter of the first Route URI, else of the Request-URI; dflt when neither has
 * one (the element's configured transport). */
bool sip_msg_next_hop_tcp(const sip_msg *m, bool dflt);
/* SIP-Version = "SIP/" 1*DIGIT "." 1*DIGIT, any case (§7.1): 0 for 2.0, -EPROTO for another
 * version, -EBADMSG when it is not a SIP-Version. */
int sip_version_parse(sip_str v);
/* The header section of buf (after leading CRLFs, through the CRLF ending the last header
 * line) as an owned copy of *n bytes with folding undone; NULL when no empty line ends it
 * within SIP_MSG_MAX bytes or a CR or LF is not part of a CRLF. */
char *sip_head_unfolded(const uint8_t *buf, size_t len, size_t *n);
/* An empty request or response with no header (owned; fields set by the caller). */
sip_msg *sip_msg_blank(bool request);
/* sip_str of a NUL-terminated string. */
static inline sip_str sip_s(const char *s)
{
    return (sip_str){ s, strlen(s) };
}

#endif
