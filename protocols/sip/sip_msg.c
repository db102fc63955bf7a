/* protocols/sip/sip_msg.c — message framing (RFC 3261 §7, §18.3): start line, header lines with
 * folding undone, Content-Length and the body; header lookup and the typed getters.
 *
 * Folding: "LWS = [*WSP CRLF] 1*WSP" (§25.1), so a CRLF followed by SP or HTAB continues the
 * previous line. The framer overwrites each such CRLF with two spaces in its working copy,
 * which keeps offsets equal to the input's for error reports. */
#include "protocols/sip/sip_priv.h"

/* Headers that may appear only once (RFC 3261 §7.3.1; RFC 4475 §3.1.2.19 / .20). */
static bool singleton(sip_hdr_id id)
{
    switch (id) {
    case SIP_HDR_CALL_ID: case SIP_HDR_CSEQ: case SIP_HDR_FROM: case SIP_HDR_TO:
    case SIP_HDR_MAX_FORWARDS: case SIP_HDR_CONTENT_LENGTH: case SIP_HDR_CONTENT_TYPE:
    case SIP_HDR_EXPIRES: case SIP_HDR_DATE:
        return true;
    default:
        return false;
    }
}

typedef struct frame {
    const uint8_t *buf;
    size_t len;
    size_t start;    /* after leading CRLFs */
    size_t hdr_end;  /* offset of the CRLFCRLF */
} frame;

static int fail(sip_err *e, int rc, unsigned status, size_t off, const char *why)
{
    if (e)
        *e = (sip_err){ why, status, off };
    return rc;
}

/* Finds the empty line ending the header section. */
static int find_head(const uint8_t *buf, size_t len, frame *f)
{
    cur c;
    cur_init(&c, buf, len);
    while (cur_left(&c) >= 2 && cur_ptr(&c)[0] == '\r' && cur_ptr(&c)[1] == '\n')
        cur_skip(&c, 2); /* §7.5: CRLFs before the start line are ignored */
    *f = (frame){ buf, len, c.off, 0 };
    const uint8_t *end = memmem(cur_ptr(&c), cur_left(&c), "\r\n\r\n", 4);
    if (!end)
        return -EAGAIN;
    f->hdr_end = (size_t)(end - buf);
    return 0;
}

/* SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT (case-insensitive, §7.1). */
int sip_version_parse(sip_str v)
{
    cur c = sip_cur(v);
    uint64_t major, minor;
    if (cur_left(&c) < 4 || g_ascii_strncasecmp((const char *)cur_ptr(&c), "SIP/", 4) != 0)
        return -EBADMSG;
    cur_skip(&c, 4);
    if (!sip_digits(&c, &major, NULL) || !sip_eat(&c, '.') || !sip_digits(&c, &minor, NULL) ||
        cur_left(&c))
        return -EBADMSG;
    return major == 2 && minor == 0 ? 0 : -EPROTO;
}

static int text_ok(sip_str s)
{
    for (size_t i = 0; i < s.len; i++)
        if (((uint8_t)s.p[i] < 0x20 && s.p[i] != '\t') || s.p[i] == 0x7f)
            return -EBADMSG;
    return 0;
}

static int version_fail(sip_err *e, int rc, size_t off)
{
    return rc == -EPROTO ? fail(e, -EPROTO, 505, off, "SIP version not supported")
                         : fail(e, -EBADMSG, 400, off, "bad SIP version");
}

/* Status-Line = SIP-Version SP Status-Code SP Reason-Phrase */
static int status_line(sip_str l, size_t off, sip_msg *m, sip_err *e)
{
    const char *sp = memchr(l.p, ' ', l.len);
    if (!sp)
        return fail(e, -EBADMSG, 400, off, "bad status line");
    int rc = sip_version_parse((sip_str){ l.p, (size_t)(sp - l.p) });
    if (rc < 0)
        return version_fail(e, rc, off);
    sip_str rest = { sp + 1, l.len - (size_t)(sp + 1 - l.p) };
    /* Status-Code = 3DIGIT, then SP (an absent reason with no SP is tolerated) */
    if (rest.len < 3 || !g_ascii_isdigit(rest.p[0]) || !g_ascii_isdigit(rest.p[1]) ||
        !g_ascii_isdigit(rest.p[2]) || (rest.len > 3 && rest.p[3] != ' '))
        return fail(e, -EBADMSG, 400, off, "bad status code");
    m->status = (unsigned)((rest.p[0] - '0') * 100 + (rest.p[1] - '0') * 10 + rest.p[2] - '0');
    if (m->status < 100)
        return fail(e, -EBADMSG, 400, off, "bad status code");
    sip_str reason = rest.len > 4 ? (sip_str){ rest.p + 4, rest.len - 4 } : (sip_str){ "", 0 };
    if (text_ok(reason) < 0)
        return fail(e, -EBADMSG, 400, off, "control character in reason phrase");
    m->reason = g_strndup(reason.p, reason.len);
    return 0;
}

/* Request-Line = Method SP Request-URI SP SIP-Version: exactly one SP each (§7.1). */
static int request_line(sip_str l, size_t off, sip_msg *m, sip_err *e)
{
    const char *sp1 = memchr(l.p, ' ', l.len);
    const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', l.len - (size_t)(sp1 + 1 - l.p)) : NULL;
    if (!sp2 || memchr(sp2 + 1, ' ', l.len - (size_t)(sp2 + 1 - l.p)) || sp2 == sp1 + 1)
        return fail(e, -EBADMSG, 400, off,
                    "request line must be Method SP Request-URI SP SIP-Version");
    sip_str method = { l.p, (size_t)(sp1 - l.p) };
    sip_str uri = { sp1 + 1, (size_t)(sp2 - sp1 - 1) };
    sip_str ver = { sp2 + 1, l.len - (size_t)(sp2 + 1 - l.p) };
    cur c = sip_cur(method);
    if (method.len == 0 || sip_token(&c).len != method.len)
        return fail(e, -EBADMSG, 400, off, "bad method");
    int rc = sip_version_parse(ver);
    if (rc < 0)
        return version_fail(e, rc, off + (size_t)(ver.p - l.p));
    size_t uoff = off + method.len + 1;
    if (uri.p[0] == '<')
        return fail(e, -EBADMSG, 400, uoff, "Request-URI in <>");
    m->request = true;
    m->method = g_strndup(method.p, method.len);
    m->ruri = g_strndup(uri.p, uri.len);
    const char *why = "bad Request-URI";
    if (sip_uri_parse(m->ruri, uri.len, &m->uri, &why) < 0)
        return fail(e, -EBADMSG, 400, uoff, why);
    /* §19.1.1 table: headers are not allowed in a Request-URI (RFC 4475 §3.1.2.10) */
    if (m->uri.scheme <= SIP_SCHEME_SIPS && m->uri.headers.len)
        return fail(e, -EBADMSG, 400, uoff, "Request-URI with headers");
    return 0;
}

/* header = name HCOLON value; HCOLON = *( SP / HTAB ) ":" SWS */
static int header_line(sip_str l, size_t off, sip_msg *m, unsigned *seen, bool full, sip_err *e)
{
    cur c = sip_cur(l);
    sip_str name = sip_token(&c);
    sip_skip_ws(&c);
    if (name.len == 0 || !sip_eat(&c, ':'))
        return fail(e, -EBADMSG, 400, off, "bad header line");
    sip_str value = sip_trim((sip_str){ (const char *)cur_ptr(&c), cur_left(&c) });
    sip_hdr_id id = sip_hdr_lookup(name.p, name.len);
    if (!full && id != SIP_HDR_CONTENT_LENGTH)
        return 0; /* framing only needs Content-Length */
    const char *why = "bad header value";
    if (sip_hdr_check(id, value, &why) < 0)
        return fail(e, -EBADMSG, 400, off, why);
    if (singleton(id) && seen[id]++)
        return fail(e, -EBADMSG, 400, off, "header may appear only once");
    if (m->hdrs->len == SIP_HDRS_MAX)
        return fail(e, -EBADMSG, 400, off, "too many header lines");
    sip_hdr *h = g_new(sip_hdr, 1);
    *h = (sip_hdr){ id, g_strndup(name.p, name.len), sip_strdup(value), value.len };
    g_ptr_array_add(m->hdrs, h);
    return 0;
}

/* Unfolds in place and rejects a CR or LF that is not part of a CRLF. */
static int unfold(char *w, size_t n, size_t base, sip_err *e)
{
    for (size_t i = 0; i < n; i++) {
        if (w[i] == '\r' && (i + 1 >= n || w[i + 1] != '\n'))
            return fail(e, -EBADMSG, 400, base + i, "bare CR");
        if (w[i] == '\n' && (i == 0 || w[i - 1] != '\r'))
            return fail(e, -EBADMSG, 400, base + i, "bare LF");
        if (w[i] == '\r' && i + 2 < n && (w[i + 2] == ' ' || w[i + 2] == '\t'))
            w[i] = w[i + 1] = ' ';
    }
    return 0;
}

/* Parses the header section (start line and header lines) of f into m; with full false only
 * Content-Length is checked and kept (stream framing: a request with a malformed start line
 * still frames, so the decoder can give the reason and the TU a 400). */
static int parse_head(const frame *f, sip_msg *m, bool full, sip_err *e)
{
    size_t n = f->hdr_end + 2 - f->start; /* through the last header's CRLF */
    char *w = g_memdup2(f->buf + f->start, n);
    int rc = unfold(w, n, f->start, e);
    unsigned seen[SIP_HDR_COUNT] = { 0 };
    for (size_t at = 0, line = 0; rc == 0 && at < n; line++) {
        const char *eol = memchr(w + at, '\r', n - at); /* unfold left only CRLFs */
        sip_str l = { w + at, (size_t)(eol - (w + at)) };
        size_t off = f->start + at;
        if (line == 0 && !full)
            rc = 0;
        else if (line == 0)
            rc = l.len >= 4 && g_ascii_strncasecmp(l.p, "SIP/", 4) == 0
                     ? status_line(l, off, m, e)
                     : request_line(l, off, m, e);
        else
            rc = header_line(l, off, m, seen, full, e);
        at += l.len + 2;
    }
    g_free(w);
    return rc;
}

char *sip_head_unfolded(const uint8_t *buf, size_t len, size_t *n)
{
    frame f;
    if (find_head(buf, MIN(len, (size_t)SIP_MSG_MAX), &f) < 0)
        return NULL;
    *n = f.hdr_end + 2 - f.start;
    char *w = g_memdup2(f.buf + f.start, *n);
    if (unfold(w, *n, f.start, NULL) < 0) {
        g_free(w);
        return NULL;
    }
    return w;
}

char *sip_strdup(sip_str s)
{
    char *p = g_malloc(s.len + 1);
    memcpy(p, s.p, s.len);
    p[s.len] = 0;
    return p;
}

static sip_msg *msg_new(void)
{
    sip_msg *m = g_new0(sip_msg, 1);
    m->hdrs = g_ptr_array_new();
    return m;
}

/* The Content-Length of a parsed head, or -1 when absent. */
static int64_t content_length(const sip_msg *m)
{
    uint32_t v;
    if (sip_msg_uint(m, SIP_HDR_CONTENT_LENGTH, &v) < 0)
        return -1;
    return v;
}

int sip_msg_decode(const uint8_t *buf, size_t len, sip_msg **out, sip_err *e)
{
    frame f;
    if (len > SIP_MSG_MAX)
        return fail(e, -EBADMSG, 413, 0, "message too large");
    if (find_head(buf, len, &f) < 0)
        return fail(e, -EBADMSG, 400, len, "no empty line after the header");
    sip_msg *m = msg_new();
    int rc = parse_head(&f, m, true, e);
    size_t body_off = f.hdr_end + 4, avail = len - body_off;
    int64_t cl = rc == 0 ? content_length(m) : -1;
    if (rc == 0 && cl > (int64_t)avail) /* §18.3: shorter than Content-Length is an error */
        rc = fail(e, -EBADMSG, 400, len, "body shorter than Content-Length");
    if (rc < 0) {
        sip_msg_free(m);
        return rc;
    }
    /* §18.3: over UDP a longer body is truncated; without Content-Length it runs to the end */
    m->body_len = cl >= 0 ? (size_t)cl : avail;
    if (m->body_len)
        m->body = g_memdup2(buf + body_off, m->body_len);
    *out = m;
    return 0;
}

int sip_msg_frame(const uint8_t *buf, size_t len, size_t *msg_len)
{
    frame f;
    if (find_head(buf, MIN(len, (size_t)SIP_MSG_MAX), &f) < 0)
        return len >= SIP_MSG_MAX ? -EBADMSG : -EAGAIN;
    sip_msg *m = msg_new();
    int rc = parse_head(&f, m, false, NULL);
    int64_t cl = rc == 0 ? content_length(m) : -1;
    sip_msg_free(m);
    if (rc < 0 || cl < 0 || f.hdr_end + 4 + (uint64_t)cl > SIP_MSG_MAX)
        return -EBADMSG; /* §18.3: Content-Length is mandatory on streams */
    if (f.hdr_end + 4 + (size_t)cl > len)
        return -EAGAIN;
    *msg_len = f.hdr_end + 4 + (size_t)cl;
    return 0;
}

void sip_msg_free(sip_msg *m)
{
    if (!m)
        return;
    for (guint i = 0; i < m->hdrs->len; i++) {
        sip_hdr *h = m->hdrs->pdata[i];
        g_free(h->name);
        g_free(h->value);
        g_free(h);
    }
    g_ptr_array_free(m->hdrs, TRUE);
    g_free(m->method);
    g_free(m->ruri);
    g_free(m->reason);
    g_free(m->body);
    g_free(m);
}

/* ---------------------------------------------------------------- lookup and typed getters */

const sip_hdr *sip_msg_hdr(const sip_msg *m, sip_hdr_id id, size_t nth)
{
    for (guint i = 0; i < m->hdrs->len; i++) {
        const sip_hdr *h = m->hdrs->pdata[i];
        if (h->id == id && nth-- == 0)
            return h;
    }
    return NULL;
}

const sip_hdr *sip_msg_hdr_named(const sip_msg *m, const char *name)
{
    for (guint i = 0; i < m->hdrs->len; i++) {
        const sip_hdr *h = m->hdrs->pdata[i];
        if (g_ascii_strcasecmp(h->name, name) == 0)
            return h;
    }
    return NULL;
}

/* Walks the values of id; stops at index idx (returns true with *v) or counts them all. */
static bool walk(const sip_msg *m, sip_hdr_id id, size_t idx, sip_str *v, size_t *count)
{
    size_t n = 0;
    for (guint i = 0; i < m->hdrs->len; i++) {
        const sip_hdr *h = m->hdrs->pdata[i];
        if (h->id != id)
            continue;
        cur c = sip_cur(sip_hdr_value(h));
        do {
            sip_str item = sip_hdr_is_list(id) ? sip_list_item(&c) : sip_hdr_value(h);
            if (n++ == idx && v) {
                *v = item;
                return true;
            }
        } while (sip_hdr_is_list(id) && sip_eat(&c, ','));
    }
    if (count)
        *count = n;
    return false;
}

size_t sip_msg_count(const sip_msg *m, sip_hdr_id id)
{
    size_t n = 0;
    walk(m, id, SIZE_MAX, NULL, &n);
    return n;
}

int sip_msg_value(const sip_msg *m, sip_hdr_id id, size_t idx, sip_str *v)
{
    return walk(m, id, idx, v, NULL) ? 0 : -ENOENT;
}

int sip_msg_via(const sip_msg *m, size_t idx, sip_via *out)
{
    sip_str v;
    const char *why;
    if (sip_msg_value(m, SIP_HDR_VIA, idx, &v) < 0)
        return -ENOENT;
    return sip_via_parse(v, out, &why);
}

int sip_msg_nameaddr(const sip_msg *m, sip_hdr_id id, size_t idx, sip_nameaddr *out)
{
    sip_str v;
    const char *why;
    if (sip_msg_value(m, id, idx, &v) < 0)
        return -ENOENT;
    return sip_nameaddr_parse(v, id == SIP_HDR_CONTACT,
                              id == SIP_HDR_ROUTE || id == SIP_HDR_RECORD_ROUTE, out, &why);
}

int sip_msg_cseq(const sip_msg *m, sip_cseq *out)
{
    sip_str v;
    const char *why;
    if (sip_msg_value(m, SIP_HDR_CSEQ, 0, &v) < 0)
        return -ENOENT;
    return sip_cseq_parse(v, out, &why);
}

int sip_msg_call_id(const sip_msg *m, sip_str *out)
{
    return sip_msg_value(m, SIP_HDR_CALL_ID, 0, out);
}

int sip_msg_uint(const sip_msg *m, sip_hdr_id id, uint32_t *out)
{
    sip_str v;
    if (sip_msg_value(m, id, 0, &v) < 0)
        return -ENOENT;
    cur c = sip_cur(v);
    uint64_t n;
    if (!sip_digits(&c, &n, NULL) || cur_left(&c))
        return -EBADMSG;
    *out = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
    return 0;
}

int sip_msg_tag(const sip_msg *m, sip_hdr_id id, sip_str *tag)
{
    sip_nameaddr na;
    int rc = sip_msg_nameaddr(m, id, 0, &na);
    if (rc < 0)
        return rc;
    const sip_param *p = sip_params_find(&na.params, "tag");
    *tag = p ? p->value : (sip_str){ "", 0 };
    return 0;
}
