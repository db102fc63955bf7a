/* sim/trace_log.c — the JSON Lines event log (DESIGN §6).
 *
 * One record per line: {"t":12.000000001,"node":"NA","kind":"nat.create",...}. Times are
 * printed from the integer nanoseconds (never through a double) and numbers through a fixed,
 * locale-independent format, so two runs with one seed give byte-identical logs. A disabled log
 * (no path) makes trace_log_begin return NULL, and every other call is then a no-op: callers
 * build a record only when it will be written. */
#include "sim/trace.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "sim/world.h"

#define LOG_BUF_BYTES (1 << 16) /* stdio buffer: one write(2) per ~64 KiB of records */

struct trace_log {
    FILE *fp;      /* NULL: disabled */
    GString *idle; /* a record buffer kept for reuse, so a warm log does not malloc */
};

trace_log *trace_log_open(const char *path, GError **err)
{
    trace_log *l = g_new0(trace_log, 1);
    if (!path)
        return l;
    l->fp = fopen(path, "w");
    if (!l->fp) {
        int e = errno;
        g_set_error(err, SIM_ERROR, SIM_ERROR_IO, "cannot create event log %s: %s", path,
                    g_strerror(e));
        g_free(l);
        return NULL;
    }
    setvbuf(l->fp, NULL, _IOFBF, LOG_BUF_BYTES);
    return l;
}

void trace_log_close(trace_log *l)
{
    if (!l)
        return;
    if (l->fp)
        fclose(l->fp);
    if (l->idle)
        g_string_free(l->idle, TRUE);
    g_free(l);
}

bool trace_log_on(const trace_log *l) { return l && l->fp; }

/* Appends s as a JSON string body: quote and backslash escaped, control characters and bytes
 * that are not UTF-8 as \u00XX (so the line is always valid JSON). */
static void json_escape(GString *out, const char *s)
{
    const char *end = s + strlen(s);
    while (s < end) {
        const char *valid_end;
        g_utf8_validate(s, end - s, &valid_end);
        for (; s < valid_end; s++) {
            unsigned char c = (unsigned char)*s;
            if (c == '"' || c == '\\') {
                g_string_append_c(out, '\\');
                g_string_append_c(out, (char)c);
            } else if (c < 0x20) {
                g_string_append_printf(out, "\\u%04x", c);
            } else {
                g_string_append_c(out, (char)c);
            }
        }
        if (s < end) /* one byte that does not start valid UTF-8 */
            g_string_append_printf(out, "\\u%04x", (unsigned char)*s++);
    }
}

static void add_key(GString *rec, const char *key)
{
    g_string_append(rec, ",\"");
    json_escape(rec, key);
    g_string_append(rec, "\":");
}

GString *trace_log_begin(trace_log *l, sim_time_t t, const char *node, const char *kind)
{
    if (!trace_log_on(l))
        return NULL;
    GString *rec = l->idle ? l->idle : g_string_sized_new(256);
    l->idle = NULL;
    g_string_printf(rec, "{\"t\":%" PRIu64 ".%09" PRIu64, t / SIM_SEC, t % SIM_SEC);
    if (node) {
        g_string_append(rec, ",\"node\":\"");
        json_escape(rec, node);
        g_string_append_c(rec, '"');
    }
    g_string_append(rec, ",\"kind\":\"");
    json_escape(rec, kind ? kind : "");
    g_string_append_c(rec, '"');
    return rec;
}

void trace_log_str(GString *rec, const char *key, const char *val)
{
    if (!rec)
        return;
    add_key(rec, key);
    if (!val) {
        g_string_append(rec, "null");
        return;
    }
    g_string_append_c(rec, '"');
    json_escape(rec, val);
    g_string_append_c(rec, '"');
}

void trace_log_int(GString *rec, const char *key, int64_t v)
{
    if (!rec)
        return;
    add_key(rec, key);
    g_string_append_printf(rec, "%" PRId64, v);
}

void trace_log_num(GString *rec, const char *key, double v)
{
    if (!rec)
        return;
    add_key(rec, key);
    if (v != v || v - v != 0) { /* NaN or infinite: JSON has no spelling for them */
        g_string_append(rec, "null");
        return;
    }
    /* Up to 9 decimals (nanoseconds, for times in seconds), trailing zeros trimmed; huge
     * magnitudes in exponent form. g_ascii_formatd ignores the locale. */
    char buf[64];
    if (v > -1e15 && v < 1e15) {
        g_ascii_formatd(buf, sizeof buf, "%.9f", v);
        char *e = buf + strlen(buf);
        while (e[-1] == '0')
            *--e = '\0';
        if (e[-1] == '.')
            *--e = '\0';
        if (!strcmp(buf, "-0"))
            strcpy(buf, "0");
    } else {
        g_ascii_formatd(buf, sizeof buf, "%.17g", v);
    }
    g_string_append(rec, buf);
}

void trace_log_bool(GString *rec, const char *key, bool v)
{
    if (!rec)
        return;
    add_key(rec, key);
    g_string_append(rec, v ? "true" : "false");
}

void trace_log_end(trace_log *l, GString *rec)
{
    if (!rec)
        return;
    if (trace_log_on(l)) {
        g_string_append(rec, "}\n");
        fwrite(rec->str, 1, rec->len, l->fp);
    }
    if (l && !l->idle && rec->allocated_len <= 4096) {
        g_string_truncate(rec, 0);
        l->idle = rec;
    } else {
        g_string_free(rec, TRUE);
    }
}
