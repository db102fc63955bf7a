/* protocols/sdp/sdp_msg.c — the SDP decoder (RFC 8866 §5, §9): lines read through the cursor,
 * each field parsed into sdp_session with its syntax and the field order checked; and the
 * constructors. The canonical encoder is in sdp_enc.c, typed views of attributes in
 * sdp_attr.c. */
#include "protocols/sdp/sdp.h"

#include <errno.h>
#include <string.h>
#include "sim/cursor.h"

/* ---------------------------------------------------------------- construction */

static void conn_clear(gpointer p) { g_free(((sdp_conn *)p)->addr.host); }
static void bw_clear(gpointer p) { g_free(((sdp_bw *)p)->type); }
static void attr_clear(gpointer p)
{
    sdp_attr *a = p;
    g_free(a->name);
    g_free(a->value);
}
static void time_clear(gpointer p) { g_ptr_array_free(((sdp_time *)p)->repeats, TRUE); }

static GArray *array_new(size_t size, GDestroyNotify clear)
{
    GArray *a = g_array_new(FALSE, TRUE, (guint)size);
    g_array_set_clear_func(a, clear);
    return a;
}

static void media_free(gpointer p)
{
    sdp_media *m = p;
    g_free(m->media);
    g_free(m->proto);
    g_ptr_array_free(m->fmts, TRUE);
    g_free(m->info);
    g_array_free(m->conns, TRUE);
    g_array_free(m->bws, TRUE);
    g_free(m->key);
    g_array_free(m->attrs, TRUE);
    g_free(m);
}

static sdp_media *media_new(void)
{
    sdp_media *m = g_new0(sdp_media, 1);
    m->fmts = g_ptr_array_new_with_free_func(g_free);
    m->conns = array_new(sizeof(sdp_conn), conn_clear);
    m->bws = array_new(sizeof(sdp_bw), bw_clear);
    m->attrs = array_new(sizeof(sdp_attr), attr_clear);
    return m;
}

static sdp_session *session_alloc(void)
{
    sdp_session *s = g_new0(sdp_session, 1);
    s->emails = g_ptr_array_new_with_free_func(g_free);
    s->phones = g_ptr_array_new_with_free_func(g_free);
    s->bws = array_new(sizeof(sdp_bw), bw_clear);
    s->times = array_new(sizeof(sdp_time), time_clear);
    s->attrs = array_new(sizeof(sdp_attr), attr_clear);
    s->media = g_ptr_array_new_with_free_func(media_free);
    return s;
}

static void time_add(sdp_session *s, uint64_t start, uint64_t stop)
{
    sdp_time t = { start, stop, g_ptr_array_new_with_free_func(g_free) };
    g_array_append_val(s->times, t);
}

sdp_session *sdp_session_new(void)
{
    sdp_session *s = session_alloc();
    time_add(s, 0, 0);
    return s;
}

void sdp_session_free(sdp_session *s)
{
    if (!s)
        return;
    g_free(s->origin.username);
    g_free(s->origin.sess_id);
    g_free(s->origin.addr.host);
    g_free(s->name);
    g_free(s->info);
    g_free(s->uri);
    g_ptr_array_free(s->emails, TRUE);
    g_ptr_array_free(s->phones, TRUE);
    g_free(s->conn.addr.host);
    g_array_free(s->bws, TRUE);
    g_array_free(s->times, TRUE);
    g_free(s->zone);
    g_free(s->key);
    g_array_free(s->attrs, TRUE);
    g_ptr_array_free(s->media, TRUE);
    g_free(s);
}

void sdp_attr_add(GArray *attrs, const char *name, const char *value)
{
    sdp_attr a = { g_strdup(name), g_strdup(value) };
    g_array_append_val(attrs, a);
}

void sdp_attr_addf(GArray *attrs, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sdp_attr a = { g_strdup(name), g_strdup_vprintf(fmt, ap) };
    va_end(ap);
    g_array_append_val(attrs, a);
}

sdp_media *sdp_media_add(sdp_session *s, const char *media, uint16_t port, const char *proto,
                         const char *fmts)
{
    sdp_media *m = media_new();
    m->media = g_strdup(media);
    m->port = port;
    m->proto = g_strdup(proto);
    gchar **v = g_strsplit(fmts ? fmts : "", " ", -1);
    for (gchar **f = v; *f; f++)
        if (**f)
            g_ptr_array_add(m->fmts, g_strdup(*f));
    g_strfreev(v);
    g_ptr_array_add(s->media, m);
    return m;
}

/* A domain name as RFC 8866 §9 allows it loosely: letters, digits, '-', '.'; not empty. */
static bool is_hostname(const char *h)
{
    if (!*h)
        return false;
    for (const char *p = h; *p; p++)
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '.')
            return false;
    return true;
}

int sdp_addr_set(sdp_addr *a, uint8_t family, const char *host)
{
    sim_ip ip = { 0 };
    if (sim_ip_parse(host, &ip) == 0) {
        if (ip.family != family)
            return -EINVAL;
    } else if (!is_hostname(host) || strchr(host, ':')) {
        return -EINVAL;
    }
    g_free(a->host);
    a->family = family;
    a->host = g_strdup(host);
    a->ip = ip;
    return 0;
}

static void conn_from_ip(sdp_conn *c, const sim_ip *ip)
{
    char b[SIM_IP_STRLEN];
    sim_ip_fmt(ip, b, sizeof b);
    g_free(c->addr.host);
    *c = (sdp_conn){ .addr = { ip->family, g_strdup(b), *ip } };
}

void sdp_media_set_conn(sdp_media *m, const sim_ip *ip)
{
    g_array_set_size(m->conns, 0);
    sdp_conn c = { 0 };
    conn_from_ip(&c, ip);
    g_array_append_val(m->conns, c);
}

void sdp_session_set_conn(sdp_session *s, const sim_ip *ip)
{
    conn_from_ip(&s->conn, ip);
    s->has_conn = true;
}

/* ---------------------------------------------------------------- field parsers */

/* Each parser takes the value (after "x="), owned by the caller, and returns NULL or a static
 * reason. Tokens are split on single spaces: RFC 8866 §9 separates fields by exactly one SP. */

static bool parse_u64(const char *t, uint64_t *v)
{
    if (!*t || strlen(t) > 20)
        return false;
    guint64 x;
    for (const char *p = t; *p; p++)
        if (!g_ascii_isdigit(*p))
            return false;
    if (!g_ascii_string_to_unsigned(t, 10, 0, G_MAXUINT64, &x, NULL))
        return false;
    *v = x;
    return true;
}

static bool parse_uint(const char *t, uint64_t max, uint64_t *v)
{
    return parse_u64(t, v) && *v <= max;
}

/* A token: any visible ASCII except the few RFC 8866 §9 token-char excludes. */
static bool is_token(const char *t)
{
    if (!*t || strlen(t) >= SDP_TOKEN_MAX)
        return false;
    for (const char *p = t; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || strchr("\"(),/:;<=>?@[\\]{}", *p))
            return false;
    return true;
}

/* Visible ASCII without spaces (addresses, formats, usernames, proto pieces). */
static bool is_visible(const char *t)
{
    if (!*t || strlen(t) >= SDP_TOKEN_MAX)
        return false;
    for (const char *p = t; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f)
            return false;
    return true;
}

static gchar **split(const char *v, unsigned *n)
{
    gchar **f = g_strsplit(v, " ", -1);
    *n = g_strv_length(f);
    return f;
}

static const char *parse_addrtype(const char *nettype, const char *addrtype, uint8_t *family)
{
    if (strcmp(nettype, "IN"))
        return "network type is not IN";
    if (!strcmp(addrtype, "IP4"))
        *family = SIM_AF_INET;
    else if (!strcmp(addrtype, "IP6"))
        *family = SIM_AF_INET6;
    else
        return "address type is not IP4 or IP6";
    return NULL;
}

static const char *parse_origin(const char *v, sdp_session *s)
{
    unsigned n;
    g_auto(GStrv) f = split(v, &n);
    uint8_t fam;
    uint64_t ver;
    const char *why;
    if (n != 6)
        return "o= needs 6 fields: username sess-id sess-version nettype addrtype address";
    if (!is_visible(f[0]))
        return "o= username is empty or has non-visible characters";
    if (!*f[1] || strlen(f[1]) >= 64 || strspn(f[1], "0123456789") != strlen(f[1]))
        return "o= sess-id is not a number";
    if (!parse_u64(f[2], &ver))
        return "o= sess-version is not a 64-bit number";
    if ((why = parse_addrtype(f[3], f[4], &fam)))
        return why;
    if (sdp_addr_set(&s->origin.addr, fam, f[5]))
        return "o= address is neither a literal of its type nor a host name";
    s->origin.username = g_strdup(f[0]);
    s->origin.sess_id = g_strdup(f[1]);
    s->origin.sess_version = ver;
    return NULL;
}

/* c=IN IP4 224.2.1.1/127/3 — multicast IP4 needs a TTL; IP6 takes only a count (§5.7). */
static const char *parse_conn(const char *v, sdp_conn *c)
{
    unsigned n;
    g_auto(GStrv) f = split(v, &n);
    uint8_t fam;
    const char *why;
    if (n != 3)
        return "c= needs 3 fields: nettype addrtype connection-address";
    if ((why = parse_addrtype(f[0], f[1], &fam)))
        return why;
    g_auto(GStrv) parts = g_strsplit(f[2], "/", -1);
    unsigned np = g_strv_length(parts);
    sdp_conn t = { 0 };
    uint64_t x;
    if (np > 3 || sdp_addr_set(&t.addr, fam, parts[0]))
        return "c= address is neither a literal of its type nor a host name";
    why = NULL;
    bool mc = sim_ip_is_multicast(&t.addr.ip);
    if (np > 1 && !mc)
        why = "c= TTL or count on a unicast address";
    else if (fam == SIM_AF_INET && mc && np < 2)
        why = "c= IP4 multicast address without a TTL";
    else if (fam == SIM_AF_INET && np > 1 && !(parse_uint(parts[1], 255, &x) && (t.ttl = (unsigned)x, 1)))
        why = "c= TTL is not 0..255";
    else if (fam == SIM_AF_INET6 && np > 2)
        why = "c= IP6 takes no TTL";
    else if (np == (fam == SIM_AF_INET ? 3u : 2u) &&
             !(parse_uint(parts[np - 1], 65535, &x) && x > 0 && (t.count = (unsigned)x, 1)))
        why = "c= address count is not 1..65535";
    if (why) {
        g_free(t.addr.host);
        return why;
    }
    *c = t;
    return NULL;
}

static const char *parse_bw(const char *v, GArray *bws)
{
    const char *colon = strchr(v, ':');
    uint64_t x;
    if (!colon)
        return "b= is not <bwtype>:<bandwidth>";
    g_autofree char *type = g_strndup(v, (gsize)(colon - v));
    if (!is_token(type))
        return "b= type is not a token";
    if (!parse_u64(colon + 1, &x))
        return "b= bandwidth is not a number";
    sdp_bw b = { g_steal_pointer(&type), x };
    g_array_append_val(bws, b);
    return NULL;
}

static const char *parse_time(const char *v, sdp_session *s)
{
    unsigned n;
    g_auto(GStrv) f = split(v, &n);
    uint64_t start, stop;
    if (n != 2 || !parse_u64(f[0], &start) || !parse_u64(f[1], &stop))
        return "t= is not <start-time> <stop-time>";
    time_add(s, start, stop);
    return NULL;
}

/* typed-time: digits with an optional d/h/m/s unit; signed allows a leading '-' (z=). */
static bool is_typed_time(const char *t, bool sign)
{
    if (sign && *t == '-')
        t++;
    size_t d = strspn(t, "0123456789");
    return d > 0 && d < 20 && (t[d] == 0 || (strchr("dhms", t[d]) && t[d + 1] == 0));
}

static const char *parse_repeat(const char *v, sdp_session *s)
{
    unsigned n;
    g_auto(GStrv) f = split(v, &n);
    if (n < 3)
        return "r= needs an interval, a duration and at least one offset";
    for (unsigned i = 0; i < n; i++)
        if (!is_typed_time(f[i], false) || (i == 0 && f[i][0] == '0' && f[i][1] == 0))
            return "r= field is not a typed time (digits with d/h/m/s), or the interval is 0";
    sdp_time *t = &g_array_index(s->times, sdp_time, s->times->len - 1);
    g_ptr_array_add(t->repeats, g_strdup(v));
    return NULL;
}

static const char *parse_zone(const char *v)
{
    unsigned n;
    g_auto(GStrv) f = split(v, &n);
    uint64_t x;
    if (n < 2 || n % 2)
        return "z= is not pairs of <adjustment-time> <offset>";
    for (unsigned i = 0; i < n; i += 2)
        if (!parse_u64(f[i], &x) || !is_typed_time(f[i + 1], true))
            return "z= is not pairs of <adjustment-time> <offset>";
    return NULL;
}

/* k=prompt | k=clear:.. | k=base64:.. | k=uri:.. (§5.12, obsolete but parsed). */
static const char *parse_key(const char *v)
{
    const char *colon = strchr(v, ':');
    g_autofree char *method = colon ? g_strndup(v, (gsize)(colon - v)) : g_strdup(v);
    if (!is_token(method))
        return "k= method is not a token";
    return NULL;
}

static const char *parse_attr(const char *v, GArray *attrs)
{
    if (attrs->len >= SDP_MAX_ATTRS)
        return "too many a= lines";
    const char *colon = strchr(v, ':');
    g_autofree char *name = colon ? g_strndup(v, (gsize)(colon - v)) : g_strdup(v);
    if (!is_token(name))
        return "a= name is not a token";
    sdp_attr_add(attrs, name, colon ? colon + 1 : NULL);
    return NULL;
}

/* m=<media> <port>[/<count>] <proto> <fmt> ... (§5.14). */
static const char *parse_media(const char *v, sdp_session *s)
{
    unsigned n;
    g_auto(GStrv) f = split(v, &n);
    uint64_t port, count = 0;
    if (s->media->len >= SDP_MAX_MEDIA)
        return "too many m= lines";
    if (n < 4)
        return "m= needs <media> <port> <proto> and at least one format";
    if (n - 3 > SDP_MAX_FMTS)
        return "too many formats on an m= line";
    if (!is_token(f[0]))
        return "m= media is not a token";
    char *slash = strchr(f[1], '/');
    if (slash) {
        *slash = 0;
        if (!parse_uint(slash + 1, 65535, &count) || count == 0)
            return "m= port count is not 1..65535";
    }
    if (!parse_uint(f[1], 65535, &port))
        return "m= port is not 0..65535";
    g_auto(GStrv) pp = g_strsplit(f[2], "/", -1);
    for (gchar **p = pp; *p; p++)
        if (!is_token(*p))
            return "m= proto is not tokens separated by '/'";
    bool rtp = strstr(f[2], "RTP/") != NULL;
    for (unsigned i = 3; i < n; i++) {
        uint64_t pt;
        if (!is_visible(f[i]))
            return "m= format is empty or not visible characters";
        if (rtp && !parse_uint(f[i], 127, &pt))
            return "m= RTP format is not a payload type 0..127";
    }
    sdp_media *m = media_new();
    m->media = g_strdup(f[0]);
    m->port = (uint16_t)port;
    m->nports = (unsigned)count;
    m->proto = g_strdup(f[2]);
    for (unsigned i = 3; i < n; i++)
        g_ptr_array_add(m->fmts, g_strdup(f[i]));
    g_ptr_array_add(s->media, m);
    return NULL;
}

/* ---------------------------------------------------------------- order and dispatch */

/* Rank of each type letter in a section (RFC 8866 §5): lines go in non-decreasing rank, with
 * the t= r= group repeating; z= may close a time description (RFC 8866) or follow them all
 * (RFC 4566), and appears at most once (sdp_session keeps one). Letters marked once appear at
 * most once per section. */
static const char SESSION_ORDER[] = "vosiuepcbtrzka";
static const char SESSION_ONCE[] = "vosiuczk";
static const char MEDIA_ORDER[] = "mickba";
static const char MEDIA_ONCE[] = "mik";

typedef struct parser {
    sdp_session *s;
    sdp_media *m;          /* current media, NULL in the session section */
    int rank;              /* rank of the last line in its section */
    char seen[128];        /* letters seen in the current section */
} parser;

static const char *check_order(parser *p, char type)
{
    if (type == 'm') {
        memset(p->seen, 0, sizeof p->seen);
        p->rank = 0;
        return p->s->times->len > 0 ? NULL : "m= before t=";
    }
    const char *order = p->m ? MEDIA_ORDER : SESSION_ORDER;
    const char *once = p->m ? MEDIA_ONCE : SESSION_ONCE;
    const char *at = strchr(order, type);
    if (!at)
        return p->m ? "type letter not allowed in a media description"
                    : "unknown type letter (RFC 8866 §5: the description must be rejected)";
    int rank = (int)(at - order);
    bool regroup = !p->m && type == 't' && (p->rank == rank + 1 || p->rank == rank + 2);
    if (rank < p->rank && !regroup)
        return "line out of the order of RFC 8866 §5";
    if (type == 'r' && p->rank != rank && p->rank != rank - 1)
        return "r= not after a t= line";
    if (strchr(once, type) && p->seen[(int)type])
        return "field repeated that may appear once";
    p->seen[(int)type] = 1;
    p->rank = rank;
    return NULL;
}

static const char *set_once(char **slot, const char *v)
{
    *slot = g_strdup(v);
    return NULL;
}

static const char *parse_session_line(parser *p, char type, const char *v)
{
    sdp_session *s = p->s;
    uint64_t x;
    switch (type) {
    case 'v':
        return parse_u64(v, &x) && x == 0 ? NULL : "v= is not 0";
    case 'o':
        return parse_origin(v, s);
    case 's':
        return *v ? set_once(&s->name, v) : "s= is empty (use a single space)";
    case 'i':
        return set_once(&s->info, v);
    case 'u':
        return set_once(&s->uri, v);
    case 'e':
        return *v ? (g_ptr_array_add(s->emails, g_strdup(v)), NULL) : "e= is empty";
    case 'p':
        return *v ? (g_ptr_array_add(s->phones, g_strdup(v)), NULL) : "p= is empty";
    case 'c':
        s->has_conn = true;
        return parse_conn(v, &s->conn);
    case 'b':
        return parse_bw(v, s->bws);
    case 't':
        return parse_time(v, s);
    case 'r':
        return parse_repeat(v, s);
    case 'z':
        if (s->times->len == 0)
            return "z= before any t=";
        return parse_zone(v) ? parse_zone(v) : set_once(&s->zone, v);
    case 'k':
        return parse_key(v) ? parse_key(v) : set_once(&s->key, v);
    default:
        return parse_attr(v, s->attrs);
    }
}

static const char *parse_media_line(parser *p, char type, const char *v)
{
    sdp_media *m = p->m;
    switch (type) {
    case 'i':
        return set_once(&m->info, v);
    case 'c': {
        sdp_conn c = { 0 };
        const char *why = parse_conn(v, &c);
        if (!why)
            g_array_append_val(m->conns, c);
        return why;
    }
    case 'b':
        return parse_bw(v, m->bws);
    case 'k':
        return parse_key(v) ? parse_key(v) : set_once(&m->key, v);
    default:
        return parse_attr(v, m->attrs);
    }
}

static const char *parse_line(parser *p, const char *line, size_t len)
{
    if (len < 2 || line[1] != '=')
        return "not a <type>=<value> line";
    if (!g_ascii_islower(line[0]))
        return "type is not a lower-case letter";
    const char *v = line + 2;
    if (*v == ' ' && line[0] != 's')
        return "space after '='";
    const char *why = check_order(p, line[0]);
    if (why)
        return why;
    if (p->s->origin.username == NULL && line[0] != 'v' && line[0] != 'o')
        return "o= must follow v=";
    if (line[0] == 'm') {
        if ((why = parse_media(v, p->s)))
            return why;
        p->m = g_ptr_array_index(p->s->media, p->s->media->len - 1);
        memset(p->seen, 0, sizeof p->seen);
        p->seen['m'] = 1;
        return NULL;
    }
    return p->m ? parse_media_line(p, line[0], v) : parse_session_line(p, line[0], v);
}

/* Reads one line through the cursor: its bytes (no CR/LF, no NUL) into buf. Returns NULL or a
 * reason. RFC 8866 §5: CRLF ends a line; a parser should also accept a bare LF. */
static const char *read_line(cur *c, GString *buf)
{
    g_string_truncate(buf, 0);
    for (;;) {
        if (cur_left(c) == 0)
            return "last line does not end in CRLF";
        uint8_t ch = cur_u8(c);
        if (ch == '\n')
            return NULL;
        if (ch == '\r') {
            if (cur_left(c) > 0 && cur_u8(c) == '\n')
                return NULL;
            return "CR not followed by LF";
        }
        if (ch == 0)
            return "NUL byte in a line";
        g_string_append_c(buf, (char)ch);
    }
}

static const char *check_complete(const sdp_session *s)
{
    if (!s->origin.username)
        return "no o= line";
    if (!s->name)
        return "no s= line";
    if (s->times->len == 0)
        return "no t= line";
    for (guint i = 0; i < s->media->len; i++) {
        const sdp_media *m = g_ptr_array_index(s->media, i);
        if (!s->has_conn && m->conns->len == 0)
            return "a media description has no c= and there is none at session level";
    }
    return NULL;
}

int sdp_decode(const char *text, size_t len, sdp_session **out, sdp_err *e)
{
    cur c;
    cur_init(&c, text, len);
    parser p = { session_alloc(), NULL, 0, { 0 } };
    GString *line = g_string_new(NULL);
    const char *why = len > SDP_MAX_LEN ? "longer than SDP_MAX_LEN" : NULL;
    unsigned no = 0;
    if (!why && len == 0)
        why = "empty";
    while (!why && cur_left(&c) > 0) {
        no++;
        why = read_line(&c, line);
        if (!why && no == 1 && (line->len < 2 || line->str[0] != 'v'))
            why = "first line is not v=";
        if (!why)
            why = parse_line(&p, line->str, line->len);
    }
    if (!why) {
        no++;
        why = check_complete(p.s);
    }
    g_string_free(line, TRUE);
    if (why) {
        if (e)
            *e = (sdp_err){ no, why };
        sdp_session_free(p.s);
        return -EBADMSG;
    }
    *out = p.s;
    return 0;
}
