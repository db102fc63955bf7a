/* cli/cli.h — internals of the `natsim` command line: the table of protocol modules (Lua
 * bindings and wire decoders) and the end-of-run summary. */
#ifndef NATSIM_CLI_H
#define NATSIM_CLI_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/lua/simlua.h"
#include "sim/world.h"

/* Decodes one message of a protocol for `natsim decode PROTO FILE [options]`: data is the whole
 * file (borrowed), argc/argv the protocol's own options after FILE (argv[0] is FILE). Appends a
 * human-readable dump to out. Returns 0, or -1 with err set (malformed input, bad option). */
typedef int (*natsim_decode_fn)(const uint8_t *data, size_t len, int argc, char **argv,
                                GString *out, GError **err);

/* One protocol module: its Lua global (opened by `open`, may be NULL) and its decoder (may be
 * NULL). `name` is both the Lua global and the `natsim decode` protocol name. */
typedef struct natsim_module {
    const char *name;
    simlua_module_open open;
    natsim_decode_fn decode;
    const char *summary; /* one line for `natsim decode` with no protocol */
} natsim_module;

/* `natsim decode tcp FILE [--src IP --dst IP]` (cli/decode_tcp.c): one TCP segment, starting
 * at its header; the checksum is verified when both addresses are given. */
int tcp_decode(const uint8_t *data, size_t len, int argc, char **argv, GString *out,
               GError **err);

/* The registered modules, terminated by an entry with name NULL (cli/modules.c). */
extern const natsim_module natsim_modules[];

/* Appends the end-of-run summary: time reached and events run, expectations (with the failed
 * ones' file:line: message), each NAT's translation table, per-link counters and per-node drop
 * reasons (non-zero only). Output order follows creation order only. */
void natsim_summary_fmt(sim_world *w, simlua *s, const char *scenario, GString *out);

#endif
