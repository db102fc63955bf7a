/* A standalone driver for fuzz targets: replays every file named on the command line (or every
 * file in the directories named) through LLVMFuzzerTestOneInput, so ctest exercises each target
 * on its corpus without libFuzzer. With NATSIM_FUZZ_MUTATIONS=N in the environment it also runs
 * N mutants of each input (bit flips, byte changes, truncation, extension), drawn from a fixed
 * seed so a failure reproduces. Built with clang and -DNATSIM_LIBFUZZER=ON, the targets link
 * libFuzzer instead and this file is not used. */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/rng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One mutant of in[0..len) into out (capacity cap); returns its length. */
static size_t mutate(sim_rng *r, const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
    size_t n = len < cap ? len : cap;
    memcpy(out, in, n);
    unsigned edits = 1 + sim_rng_below(r, 4);
    for (unsigned e = 0; e < edits; e++) {
        switch (sim_rng_below(r, 4)) {
        case 0: /* flip a bit */
            if (n)
                out[sim_rng_below(r, (uint32_t)n)] ^= (uint8_t)(1u << sim_rng_below(r, 8));
            break;
        case 1: /* an interesting byte */
            if (n) {
                static const uint8_t vals[] = { 0x00, 0x01, 0x7f, 0x80, 0xff, 0x40, 0x11, 0x06 };
                out[sim_rng_below(r, (uint32_t)n)] = vals[sim_rng_below(r, sizeof vals)];
            }
            break;
        case 2: /* truncate */
            n = sim_rng_below(r, (uint32_t)n + 1);
            break;
        default: /* extend with random bytes */
            while (n < cap && sim_rng_chance(r, 0.9))
                out[n++] = (uint8_t)sim_rng_u64(r);
            break;
        }
    }
    return n;
}

static gint by_name(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_file(const char *path, unsigned mutations, sim_rng *r)
{
    gchar *buf;
    gsize len;
    GError *err = NULL;
    if (!g_file_get_contents(path, &buf, &len, &err)) {
        fprintf(stderr, "%s\n", err->message);
        g_error_free(err);
        return 1;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
    uint8_t mutant[4096];
    for (unsigned m = 0; m < mutations; m++)
        LLVMFuzzerTestOneInput(mutant, mutate(r, (const uint8_t *)buf, len, mutant, sizeof mutant));
    g_free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    unsigned n = 0;
    const char *env = getenv("NATSIM_FUZZ_MUTATIONS");
    unsigned mutations = env ? (unsigned)strtoul(env, NULL, 10) : 0;
    sim_rng r;
    sim_rng_seed(&r, 20261124);
    for (int i = 1; i < argc; i++) {
        if (!g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
            if (run_file(argv[i], mutations, &r))
                return 1;
            n++;
            continue;
        }
        GDir *d = g_dir_open(argv[i], 0, NULL);
        GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
        const char *name;
        while (d && (name = g_dir_read_name(d)))
            g_ptr_array_add(names, g_build_filename(argv[i], name, NULL));
        if (d)
            g_dir_close(d);
        g_ptr_array_sort(names, by_name); /* the mutants share one stream: fix the order */
        for (guint k = 0; k < names->len; k++, n++)
            if (run_file(g_ptr_array_index(names, k), mutations, &r))
                return 1;
        g_ptr_array_unref(names);
    }
    printf("replayed %u inputs and %u mutants of each without a crash\n", n, mutations);
    return n ? 0 : 1;
}
