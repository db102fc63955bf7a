/* cli/main.c — the `natsim` program.
 *
 *   natsim run FILE.lua [--seed N] [--pcap-dir DIR] [--until T] [--log FILE.jsonl]
 *                       [--log-frames] [--quiet] [-- script args]
 *   natsim decode PROTO FILE [protocol options]
 *   natsim --help | --version
 *
 * Exit status: 0 when the script ran and every expectation held, 1 on a failed expectation or
 * a script error, 2 on a usage error. This is the only file that reads the wall clock (for the
 * progress line on a terminal); the simulation itself never does. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"

#define EXIT_USAGE 2

static const char usage_text[] =
    "Usage: natsim COMMAND [OPTIONS]\n"
    "\n"
    "Commands:\n"
    "  run FILE.lua [OPTIONS] [-- ARGS]   run a scenario (natsim run --help for options)\n"
    "  decode PROTO FILE [OPTIONS]        decode one protocol message from a file\n"
    "  help [COMMAND]                     show help for a command\n"
    "\n"
    "Options:\n"
    "  -h, --help                         show this help\n"
    "  --version                          print the version\n";

static int usage_error(const char *fmt, const char *arg)
{
    fputs("natsim: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n\n", stderr);
    fputs(usage_text, stderr);
    return EXIT_USAGE;
}

/* ---- progress line ---- */

typedef struct progress {
    sim_time_t until;
    gint64 last_wall;
    uint64_t last_events;
    bool shown;
} progress;

/* Called by the engine every few thousand events; prints at most ~5 times a wall second. */
static void progress_cb(void *ctx, sim_time_t now, uint64_t events)
{
    progress *p = ctx;
    gint64 wall = g_get_monotonic_time();
    if (!p->last_wall) { /* first call: only a baseline for the rate */
        p->last_wall = wall;
        p->last_events = events;
        return;
    }
    if (wall - p->last_wall < 200000)
        return;
    double rate = (double)(events - p->last_events) * 1e6 / (double)(wall - p->last_wall);
    if (p->until != SIM_TIME_NEVER)
        fprintf(stderr, "\r  t = %.3f s / %.0f s   %.0f events/s   ", sim_time_sec(now),
                sim_time_sec(p->until), rate);
    else
        fprintf(stderr, "\r  t = %.3f s   %.0f events/s   ", sim_time_sec(now), rate);
    fflush(stderr);
    p->last_wall = wall;
    p->last_events = events;
    p->shown = true;
}

/* ---- natsim run ---- */

typedef struct run_opts {
    gchar *seed, *pcap_dir, *until, *log;
    gboolean log_frames, quiet;
} run_opts;

static void run_opts_clear(run_opts *o)
{
    g_free(o->seed);
    g_free(o->pcap_dir);
    g_free(o->until);
    g_free(o->log);
}

/* The scenario name: the file's basename without ".lua" (prefix of the pcap files). */
static gchar *scenario_name(const char *path)
{
    gchar *base = g_path_get_basename(path);
    if (g_str_has_suffix(base, ".lua"))
        base[strlen(base) - 4] = 0;
    return base;
}

/* Runs the scenario; returns the exit status. */
static int run_scenario(const char *file, const run_opts *o, uint64_t seed, sim_time_t until,
                        int nargs, char **args)
{
    g_autofree gchar *name = scenario_name(file);
    sim_world_opts wo = {
        .seed = seed,
        .pcap_dir = o->pcap_dir,
        .pcap_prefix = name,
        .log_path = o->log,
        .log_frames = o->log_frames,
    };
    GError *err = NULL;
    sim_world *w = sim_world_new(&wo, &err);
    if (!w) {
        fprintf(stderr, "natsim: %s\n", err->message);
        g_error_free(err);
        return 1;
    }
    simlua *s = simlua_new(w, &err);
    if (!s) {
        fprintf(stderr, "natsim: %s\n", err->message);
        g_error_free(err);
        sim_world_free(w);
        return 1;
    }
    for (const natsim_module *m = natsim_modules; m->name; m++)
        if (m->open)
            simlua_add_module(s, m->name, m->open);
    progress prog = { .until = until };
    if (!o->quiet && isatty(STDERR_FILENO))
        sim_world_set_progress(w, progress_cb, &prog, 4096);
    int rc = simlua_run_file(s, file, nargs, args, until, &err);
    if (prog.shown)
        fputs("\r\033[K", stderr);
    int status = 0;
    if (rc < 0) {
        fprintf(stderr, "natsim: %s\n", err->message);
        g_error_free(err);
        status = 1;
    }
    if (simlua_expect_failed(s)) {
        GString *f = g_string_new(NULL);
        simlua_fmt_failures(s, f);
        gchar **lines = g_strsplit(f->str, "\n", -1);
        for (gchar **l = lines; *l; l++)
            if (**l)
                fprintf(stderr, "natsim: expectation failed: %s\n", *l);
        g_strfreev(lines);
        g_string_free(f, TRUE);
        status = 1;
    }
    if (!o->quiet) {
        GString *sum = g_string_new(NULL);
        natsim_summary_fmt(w, s, name, sum);
        fputs(sum->str, stdout);
        g_string_free(sum, TRUE);
    }
    fflush(stdout);
    simlua_free(s);
    sim_world_free(w);
    return status;
}

static int cmd_run(int argc, char **argv)
{
    /* Everything after "--" belongs to the script; GOption parses what comes before. */
    int split = argc;
    for (int k = 1; k < argc; k++)
        if (!strcmp(argv[k], "--")) {
            split = k;
            break;
        }
    run_opts o = { 0 };
    GOptionEntry entries[] = {
        { "seed", 0, 0, G_OPTION_ARG_STRING, &o.seed, "World seed (default 1)", "N" },
        { "pcap-dir", 0, 0, G_OPTION_ARG_FILENAME, &o.pcap_dir,
          "Write one pcap per link into DIR (created if missing)", "DIR" },
        { "until", 0, 0, G_OPTION_ARG_STRING, &o.until,
          "Stop at simulated time T at the latest (seconds, or with a unit: 90s, 10min)", "T" },
        { "log", 0, 0, G_OPTION_ARG_FILENAME, &o.log, "Write the event log (JSON Lines)",
          "FILE.jsonl" },
        { "log-frames", 0, 0, G_OPTION_ARG_NONE, &o.log_frames,
          "Also log every frame sent and received (large)", NULL },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet, "No summary and no progress line",
          NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *ctx = g_option_context_new("FILE.lua [-- SCRIPT ARGS...]");
    g_option_context_set_summary(ctx, "Runs a scenario. Exit status: 0 when every expectation "
                                      "held, 1 on a failed expectation or script error, 2 on a "
                                      "usage error.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    int pargc = split;
    char **pargv = g_new0(char *, split + 1);
    pargv[0] = "natsim run";
    for (int k = 1; k < split; k++)
        pargv[k] = argv[k];
    char **pargv_owned = pargv; /* g_option_context_parse reorders the array, not the strings */
    GError *err = NULL;
    int status = 0;
    if (!g_option_context_parse(ctx, &pargc, &pargv, &err)) {
        fprintf(stderr, "natsim run: %s\n\n", err->message);
        gchar *help = g_option_context_get_help(ctx, TRUE, NULL);
        fputs(help, stderr);
        g_free(help);
        g_error_free(err);
        status = EXIT_USAGE;
        goto out;
    }
    if (pargc != 2) {
        fprintf(stderr, "natsim run: %s\n\n",
                pargc < 2 ? "no scenario file given" : "more than one scenario file given");
        gchar *help = g_option_context_get_help(ctx, TRUE, NULL);
        fputs(help, stderr);
        g_free(help);
        status = EXIT_USAGE;
        goto out;
    }
    const char *file = pargv[1];
    guint64 seed = 1;
    if (o.seed && !g_ascii_string_to_unsigned(o.seed, 10, 0, G_MAXUINT64, &seed, NULL)) {
        status = usage_error("run: --seed wants a non-negative integer, not '%s'", o.seed);
        goto out;
    }
    sim_time_t until = SIM_TIME_NEVER;
    if (o.until && simlua_parse_time(o.until, &until) < 0) {
        status = usage_error("run: --until wants a time (seconds, or 90s, 10min), not '%s'",
                             o.until);
        goto out;
    }
    if (!g_file_test(file, G_FILE_TEST_IS_REGULAR)) {
        status = usage_error("run: no such scenario file: %s", file);
        goto out;
    }
    if (o.pcap_dir && g_mkdir_with_parents(o.pcap_dir, 0755) < 0) {
        fprintf(stderr, "natsim run: cannot create %s: %s\n", o.pcap_dir, g_strerror(errno));
        status = 1;
        goto out;
    }
    int nargs = split < argc ? argc - split - 1 : 0;
    status = run_scenario(file, &o, seed, until, nargs, argv + split + (split < argc));
out:
    g_free(pargv_owned);
    g_option_context_free(ctx);
    run_opts_clear(&o);
    return status;
}

/* ---- natsim decode ---- */

static void list_decoders(FILE *f)
{
    fputs("Protocols:\n", f);
    bool any = false;
    for (const natsim_module *m = natsim_modules; m->name; m++)
        if (m->decode) {
            fprintf(f, "  %-12s %s\n", m->name, m->summary ? m->summary : "");
            any = true;
        }
    if (!any)
        fputs("  (none registered yet)\n", f);
}

static int cmd_decode(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs("Usage: natsim decode PROTO FILE [OPTIONS]   (FILE - reads stdin)\n\n", stdout);
        list_decoders(stdout);
        return 0;
    }
    const natsim_module *mod = NULL;
    for (const natsim_module *m = natsim_modules; argc >= 2 && m->name; m++)
        if (m->decode && !strcmp(m->name, argv[1]))
            mod = m;
    if (argc < 3 || !mod) {
        if (argc < 2)
            fputs("natsim decode: no protocol given\n", stderr);
        else if (!mod)
            fprintf(stderr, "natsim decode: unknown protocol '%s'\n", argv[1]);
        else
            fputs("natsim decode: no file given\n", stderr);
        fputs("Usage: natsim decode PROTO FILE [OPTIONS]   (FILE - reads stdin)\n\n", stderr);
        list_decoders(stderr);
        return EXIT_USAGE;
    }
    gchar *data = NULL;
    gsize len = 0;
    GError *err = NULL;
    if (!strcmp(argv[2], "-")) {
        GString *in = g_string_new(NULL);
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
            g_string_append_len(in, buf, (gssize)n);
        len = in->len;
        data = g_string_free(in, FALSE);
    } else if (!g_file_get_contents(argv[2], &data, &len, &err)) {
        fprintf(stderr, "natsim decode: %s\n", err->message);
        g_error_free(err);
        return 1;
    }
    GString *out = g_string_new(NULL);
    int rc = mod->decode((const uint8_t *)data, len, argc - 2, argv + 2, out, &err);
    fputs(out->str, stdout);
    g_string_free(out, TRUE);
    g_free(data);
    if (rc < 0) {
        fprintf(stderr, "natsim decode %s: %s\n", mod->name, err ? err->message : "failed");
        g_clear_error(&err);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("%s", "no command given");
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || (!strcmp(cmd, "help") && argc == 2)) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        printf("natsim %s\n", NATSIM_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "help")) { /* help COMMAND: the command's own --help */
        char *sub[] = { argv[2], "--help", NULL };
        if (!strcmp(argv[2], "run"))
            return cmd_run(2, sub);
        if (!strcmp(argv[2], "decode"))
            return cmd_decode(2, sub);
        return usage_error("unknown command '%s'", argv[2]);
    }
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "decode"))
        return cmd_decode(argc - 1, argv + 1);
    return usage_error("unknown command '%s'", cmd);
}
