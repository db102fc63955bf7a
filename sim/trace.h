/* sim/trace.h — what a run leaves behind: pcap files (libpcap, DLT_EN10MB, nanosecond
 * timestamps) and the JSON Lines event log (DESIGN §6). Prefix trace_ (libpcap owns pcap_). */
#ifndef SIM_TRACE_H
#define SIM_TRACE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/time.h"

typedef struct trace_pcap trace_pcap;
typedef struct trace_log trace_log;

/* Opens (truncates) a pcap file for Ethernet frames with nanosecond timestamps. Returns owned,
 * or NULL with err set. */
trace_pcap *trace_pcap_open(const char *path, GError **err);
/* Writes one frame captured at virtual time t. */
void trace_pcap_write(trace_pcap *p, sim_time_t t, const uint8_t *frame, size_t len);
/* Flushes and closes. NULL-safe. */
void trace_pcap_close(trace_pcap *p);

/* Opens the event log at path (truncates), or a disabled log when path is NULL. Returns owned,
 * or NULL with err set. */
trace_log *trace_log_open(const char *path, GError **err);
/* Flushes and closes. NULL-safe. */
void trace_log_close(trace_log *l);
/* True when records are written (callers skip formatting otherwise). */
bool trace_log_on(const trace_log *l);
/* Starts a record {"t":..., "node":..., "kind":...}. Returns NULL when the log is off; every
 * other call accepts NULL and does nothing. */
GString *trace_log_begin(trace_log *l, sim_time_t t, const char *node, const char *kind);
/* Adds "key":"val" (JSON-escaped). */
void trace_log_str(GString *rec, const char *key, const char *val);
/* Adds "key":v. */
void trace_log_int(GString *rec, const char *key, int64_t v);
/* Adds "key":v with up to 9 decimals (times in seconds). */
void trace_log_num(GString *rec, const char *key, double v);
/* Adds "key":true/false. */
void trace_log_bool(GString *rec, const char *key, bool v);
/* Ends the record, writes it as one line and frees rec. */
void trace_log_end(trace_log *l, GString *rec);

#endif
