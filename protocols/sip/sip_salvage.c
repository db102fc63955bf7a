/* protocols/sip/sip_salvage.c — answering a request that does not decode (RFC 3261 §8.2.2,
 * §16.3, §21.4.1, §21.5.7; RFC 4475 §3.1.2 and §3.3.8).
 *
 * The decoder returns no message on failure, so the bytes are read again leniently for what
 * a response needs: a request line "Method SP ... SP SIP/x.y" (any version: another one is
 * what a 505 answers), every Via, and the first From, To, Call-ID and CSeq. A response only
 * goes back to where the request came from (the caller sends it to the packet's source or on
 * its connection), so nothing read here decides where it goes: the Vias let the client
 * transaction (and any proxy on the way) match it by branch, the rest lets the client's
 * core read it. Each value is copied as received when it is valid; otherwise it is rebuilt
 * from the parts that are (empty or malformed parameters left out, a display name quoted, an
 * addr-spec put in <>, a CSeq number clamped), and every value added is checked against its
 * grammar by sip_msg_add_str, so the response always decodes. */
#include <inttypes.h>
#include "protocols/sip/sip_priv.h"

#define SALVAGE_VIAS_MAX 64 /* Via values copied into a response */

/* The index of the first ';' at or after i outside quoted strings and [IPv6], or s.len. */
static size_t next_semi(sip_str s, size_t i)
{
    bool quote = false, bracket = false;
    for (; i < s.len; i++) {
        char ch = s.p[i];
        if (quote) {
            if (ch == '\\' && i + 1 < s.len)
                i++;
            else if (ch == '"')
                quote = false;
        } else if (ch == '"') {
            quote = true;
        } else if (ch == '[' || ch == ']') {
            bracket = ch == '[';
        } else if (ch == ';' && !bracket) {
            return i;
        }
    }
    return s.len;
}

static bool valid(sip_hdr_id id, const GString *v)
{
    return sip_hdr_check(id, (sip_str){ v->str, v->len }, NULL) == 0;
}

/* Appends to v, a valid value of id, each ";param" of rest (which starts at a ';' or is
 * empty) that keeps it valid: empty and malformed parameters are left out. */
static void keep_params(GString *v, sip_str rest, sip_hdr_id id)
{
    for (size_t at = 0; at < rest.len;) {
        size_t end = next_semi(rest, at + 1), was = v->len;
        sip_str p = sip_trim((sip_str){ rest.p + at + 1, end - at - 1 });
        if (p.len) {
            g_string_append_c(v, ';');
            g_string_append_len(v, p.p, (gssize)p.len);
            if (!valid(id, v))
                g_string_truncate(v, was);
        }
        at = end;
    }
}

static GString *str_new(sip_str s)
{
    return g_string_new_len(s.p, (gssize)s.len);
}

/* A value whose parts before the first ';' are head (checked) and the rest parameters. */
static GString *with_params(sip_hdr_id id, GString *head, sip_str rest)
{
    if (!valid(id, head)) {
        g_string_free(head, TRUE);
        return NULL;
    }
    size_t semi = next_semi(rest, 0); /* anything before the first ';' is junk */
    keep_params(head, (sip_str){ rest.p + semi, rest.len - semi }, id);
    return head;
}

/* One Via value: "SIP/x.y/transport sent-by" must be valid, parameters are kept when valid
 * (RFC 4475 badinv01's ";;" goes). NULL when the sent-protocol or sent-by is broken. */
static GString *via_value(sip_str v)
{
    size_t semi = next_semi(v, 0);
    return with_params(SIP_HDR_VIA, str_new(sip_trim((sip_str){ v.p, semi })),
                       (sip_str){ v.p + semi, v.len - semi });
}

/* A display name for a rebuilt name-addr: kept when it is a valid quoted-string, otherwise
 * its text (without stray outer quotes or control characters) quoted again: RFC 4475 baddn
 * "Bell, Alexander" and quotbal's unterminated "Mr. J. User. */
static void append_display(GString *out, sip_str dn)
{
    dn = sip_trim(dn);
    if (dn.len == 0)
        return;
    cur c = sip_cur(dn);
    sip_str q;
    if (sip_quoted(&c, &q) == 0 && cur_left(&c) == 0) {
        g_string_append_len(out, dn.p, (gssize)dn.len);
        g_string_append_c(out, ' ');
        return;
    }
    if (dn.p[0] == '"')
        dn = (sip_str){ dn.p + 1, dn.len - 1 };
    if (dn.len && dn.p[dn.len - 1] == '"')
        dn.len--;
    g_string_append_c(out, '"');
    for (size_t i = 0; i < dn.len; i++) {
        uint8_t ch = (uint8_t)dn.p[i];
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
            continue;
        if (ch == '"' || ch == '\\')
            g_string_append_c(out, '\\');
        g_string_append_c(out, (char)ch);
    }
    g_string_append(out, "\" ");
}

/* From / To: [display] <URI> ;params, with the URI as received (spaces inside <> trimmed:
 * RFC 4475 badaspec) and a valid URI required. NULL when no URI can be read. */
static GString *nameaddr_value(sip_hdr_id id, sip_str v)
{
    size_t from = 0;
    cur c = sip_cur(v);
    sip_str q;
    if (v.len && v.p[0] == '"' && sip_quoted(&c, &q) == 0)
        from = c.off; /* a '<' inside a terminated quoted display name is not the URI's */
    const char *lt = memchr(v.p + from, '<', v.len - from);
    const char *gt = lt ? memchr(lt, '>', v.len - (size_t)(lt - v.p)) : NULL;
    if (lt && !gt)
        return NULL;
    GString *g = g_string_new(NULL);
    sip_str uri, rest;
    if (lt) {
        append_display(g, (sip_str){ v.p, (size_t)(lt - v.p) });
        uri = sip_trim((sip_str){ lt + 1, (size_t)(gt - lt - 1) });
        rest = (sip_str){ gt + 1, v.len - (size_t)(gt + 1 - v.p) };
    } else { /* addr-spec: every ';' starts a header parameter (§20.10) */
        size_t semi = next_semi(v, 0);
        uri = sip_trim((sip_str){ v.p, semi });
        rest = (sip_str){ v.p + semi, v.len - semi };
    }
    g_string_append_c(g, '<');
    g_string_append_len(g, uri.p, (gssize)uri.len);
    g_string_append_c(g, '>');
    return with_params(id, g, rest);
}

/* CSeq: 1*DIGIT LWS Method, the number clamped at 2**31-1 (RFC 4475 scalar02's
 * 36893488147419103232): the client transaction matches on the method (§17.1.3). */
static GString *cseq_value(sip_str v)
{
    cur c = sip_cur(v);
    uint64_t n;
    if (!sip_digits(&c, &n, NULL))
        return NULL;
    size_t before = c.off;
    sip_skip_ws(&c);
    sip_str method = sip_token(&c);
    if (c.off == before || method.len == 0 || cur_left(&c))
        return NULL;
    GString *g = g_string_new(NULL);
    g_string_printf(g, "%" PRIu64 " %.*s", MIN(n, (uint64_t)SIP_CSEQ_MAX), (int)method.len,
                    method.p);
    return g;
}

/* The value a response carries for header id, given the request's value v: v itself when
 * valid, else rebuilt; NULL when it cannot be (a Call-ID is never rebuilt: it is an
 * identifier, and a changed one would identify nothing). */
static GString *response_value(sip_hdr_id id, sip_str v)
{
    if (sip_hdr_check(id, v, NULL) == 0)
        return str_new(v);
    switch (id) {
    case SIP_HDR_VIA:
        return via_value(v);
    case SIP_HDR_FROM:
    case SIP_HDR_TO:
        return nameaddr_value(id, v);
    case SIP_HDR_CSEQ:
        return cseq_value(v);
    default:
        return NULL;
    }
}

static int add_value(sip_msg *m, sip_hdr_id id, sip_str v)
{
    GString *g = response_value(id, v);
    int rc = g ? sip_msg_add_str(m, id, NULL, (sip_str){ g->str, g->len }) : -EBADMSG;
    if (g)
        g_string_free(g, TRUE);
    return rc < 0 ? -EBADMSG : 0;
}

/* The request line read leniently: Method (a token), anything, then SIP/x.y after the last
 * SP (extra or trailing SPs, an unparsable Request-URI and another version are what made
 * it fail). A status line is not a request: its first word is not a token. */
static int request_line(sip_str l, sip_msg *m)
{
    while (l.len && l.p[l.len - 1] == ' ')
        l.len--;
    const char *sp1 = memchr(l.p, ' ', l.len);
    const char *sp2 = sp1 ? g_strrstr_len(l.p, (gssize)l.len, " ") : NULL;
    if (!sp1 || sp2 == sp1)
        return -EBADMSG;
    sip_str method = { l.p, (size_t)(sp1 - l.p) };
    cur c = sip_cur(method);
    if (method.len == 0 || sip_token(&c).len != method.len ||
        sip_version_parse((sip_str){ sp2 + 1, l.len - (size_t)(sp2 + 1 - l.p) }) == -EBADMSG)
        return -EBADMSG;
    m->method = g_strndup(method.p, method.len);
    m->ruri = g_strndup(sp1 + 1, (size_t)(sp2 - sp1 - 1));
    return 0;
}

typedef struct salvage {
    sip_msg *m;
    sip_str first[SIP_HDR_COUNT]; /* the first From, To, Call-ID, CSeq */
    bool seen[SIP_HDR_COUNT];
    size_t vias;
    bool via_cut;                 /* a Via value could not be copied: none below it is */
} salvage;

/* One header line: each Via value is copied in order (the top one must be, the first that
 * cannot be ends the list), the first From, To, Call-ID and CSeq are remembered (RFC 4475
 * multi01 repeats them), every other line is skipped unread. */
static int header(salvage *s, sip_str l)
{
    cur c = sip_cur(l);
    sip_str name = sip_token(&c);
    sip_skip_ws(&c);
    if (name.len == 0 || !sip_eat(&c, ':'))
        return 0;
    sip_hdr_id id = sip_hdr_lookup(name.p, name.len);
    sip_str value = sip_trim((sip_str){ (const char *)cur_ptr(&c), cur_left(&c) });
    if (id == SIP_HDR_FROM || id == SIP_HDR_TO || id == SIP_HDR_CALL_ID || id == SIP_HDR_CSEQ) {
        if (!s->seen[id])
            s->first[id] = value;
        s->seen[id] = true;
        return 0;
    }
    if (id != SIP_HDR_VIA)
        return 0;
    cur v = sip_cur(value);
    do {
        sip_str item = sip_list_item(&v);
        if (s->via_cut || s->vias == SALVAGE_VIAS_MAX)
            return 0;
        if (add_value(s->m, SIP_HDR_VIA, item) < 0) {
            s->via_cut = true;
            return s->vias ? 0 : -EBADMSG; /* no top Via: nothing to match the answer */
        }
        s->vias++;
    } while (sip_eat(&v, ','));
    return 0;
}

int sip_msg_salvage(const uint8_t *buf, size_t len, sip_msg **out)
{
    static const sip_hdr_id need[] = { SIP_HDR_FROM, SIP_HDR_TO, SIP_HDR_CALL_ID,
                                       SIP_HDR_CSEQ };
    size_t n;
    char *w = sip_head_unfolded(buf, len, &n);
    if (!w)
        return -EBADMSG;
    salvage s = { .m = sip_msg_blank(true) };
    int rc = 0;
    for (size_t at = 0, line = 0; rc == 0 && at < n; line++) {
        const char *eol = memchr(w + at, '\r', n - at); /* unfolding left only CRLFs */
        sip_str l = { w + at, (size_t)(eol - (w + at)) };
        rc = line == 0 ? request_line(l, s.m) : header(&s, l);
        at += l.len + 2;
    }
    if (rc == 0 && s.vias == 0)
        rc = -EBADMSG;
    for (size_t i = 0; rc == 0 && i < G_N_ELEMENTS(need); i++)
        rc = s.seen[need[i]] ? add_value(s.m, need[i], s.first[need[i]]) : -EBADMSG;
    g_free(w);
    if (rc < 0) {
        sip_msg_free(s.m);
        return -EBADMSG;
    }
    *out = s.m;
    return 0;
}

/* A reason phrase from a decoder's reason: RFC 3261 §25.1 Reason-Phrase allows reserved,
 * unreserved and escaped characters, SP and HTAB; "<>" becomes "angle brackets"
 * ("Request-URI in <>"), other characters (quotes) are left out. */
static char *reason_phrase(const char *why)
{
    GString *s = g_string_new(NULL);
    for (const char *p = why; *p; p++)
        if (p[0] == '<' && p[1] == '>')
            g_string_append(s, "angle brackets"), p++;
        else if (g_ascii_isalnum(*p) || strchr(";/?:@&=+$,-_.!~*'() \t%", *p))
            g_string_append_c(s, *p);
    while (s->len && s->str[s->len - 1] == ' ')
        g_string_truncate(s, s->len - 1);
    return g_string_free(s, FALSE);
}

int sip_msg_reject_bytes(const uint8_t *buf, size_t len, const sip_err *e, sip_msg **out)
{
    sip_msg *req = NULL;
    if (!e->why || e->status < 400 || e->status > 699 || sip_msg_salvage(buf, len, &req) < 0)
        return -EBADMSG;
    int rc = -EBADMSG;
    if (strcmp(req->method, "ACK") != 0) { /* §17.1.1.3: an ACK is never answered */
        /* §21.4.1: a 400 names the problem; 505 (§21.5.7) and 413 keep their phrases */
        g_autofree char *reason = e->status == 400 ? reason_phrase(e->why) : g_strdup("");
        rc = sip_msg_reject(req, e->status, reason[0] ? reason : NULL, out);
    }
    sip_msg_free(req);
    return rc;
}
