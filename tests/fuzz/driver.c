/* A standalone driver for fuzz targets: replays every file named on the command line (or every
 * file in the directories named) through LLVMFuzzerTestOneInput, so ctest exercises each target
 * on its corpus without libFuzzer. Built with clang and -DNATSIM_LIBFUZZER=ON, the targets link
 * libFuzzer instead and this file is not used. */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
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
    g_free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    unsigned n = 0;
    for (int i = 1; i < argc; i++) {
        if (!g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
            if (run_file(argv[i]))
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
        for (guint k = 0; k < names->len; k++, n++)
            if (run_file(g_ptr_array_index(names, k)))
                return 1;
        g_ptr_array_unref(names);
    }
    printf("replayed %u inputs without a crash\n", n);
    return n ? 0 : 1;
}
