/* tests/unit/test_trace.c — the JSON Lines event log and pcap capture files. */
#include <glib.h>
#include <glib/gstdio.h>
#include <pcap/pcap.h>
#include <string.h>
#include "sim/trace.h"
#include "sim/world.h"

/* A fresh temporary directory, removed with its files by tmpdir_remove. */
static char *tmpdir_new(void)
{
    GError *err = NULL;
    char *d = g_dir_make_tmp("natsim-trace-XXXXXX", &err);
    g_assert_no_error(err);
    return d;
}

static void tmpdir_remove(char *d)
{
    GDir *dir = g_dir_open(d, 0, NULL);
    const char *name;
    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *p = g_build_filename(d, name, NULL);
        g_unlink(p);
    }
    if (dir)
        g_dir_close(dir);
    g_rmdir(d);
    g_free(d);
}

static char *slurp(const char *path, gsize *len)
{
    char *s = NULL;
    GError *err = NULL;
    g_file_get_contents(path, &s, len, &err);
    g_assert_no_error(err);
    return s;
}

/* ---- event log ---- */

static void test_log_format(void)
{
    char *d = tmpdir_new();
    g_autofree char *path = g_build_filename(d, "log.jsonl", NULL);
    GError *err = NULL;
    trace_log *l = trace_log_open(path, &err);
    g_assert_no_error(err);
    g_assert_true(trace_log_on(l));

    GString *r = trace_log_begin(l, 12 * SIM_SEC + 1, "NA", "nat.create");
    g_assert_nonnull(r);
    trace_log_str(r, "inside", "192.168.60.153:1211");
    trace_log_int(r, "port", 21199);
    trace_log_int(r, "neg", -5);
    trace_log_num(r, "lifetime", 120.5);
    trace_log_bool(r, "hairpin", false);
    trace_log_end(l, r);
    r = trace_log_begin(l, 0, NULL, "link.down");
    trace_log_str(r, "link", "wan");
    trace_log_bool(r, "up", true);
    trace_log_end(l, r);
    r = trace_log_begin(l, 3 * SIM_SEC + 450 * SIM_MS, "B", "x");
    trace_log_end(l, r);
    trace_log_close(l);

    g_autofree char *got = slurp(path, NULL);
    g_assert_cmpstr(got, ==,
                    "{\"t\":12.000000001,\"node\":\"NA\",\"kind\":\"nat.create\","
                    "\"inside\":\"192.168.60.153:1211\",\"port\":21199,\"neg\":-5,"
                    "\"lifetime\":120.5,\"hairpin\":false}\n"
                    "{\"t\":0.000000000,\"kind\":\"link.down\",\"link\":\"wan\",\"up\":true}\n"
                    "{\"t\":3.450000000,\"node\":\"B\",\"kind\":\"x\"}\n");
    tmpdir_remove(d);
}

static void test_log_escape(void)
{
    char *d = tmpdir_new();
    g_autofree char *path = g_build_filename(d, "log.jsonl", NULL);
    trace_log *l = trace_log_open(path, NULL);
    GString *r = trace_log_begin(l, 1, "n\"1", "k\\");
    trace_log_str(r, "msg", "a\"b\\c\nd\te\x01" "f\x1f");
    trace_log_str(r, "utf8", "caf\xc3\xa9");
    trace_log_str(r, "bad", "x\xffy");
    trace_log_str(r, "k\"ey", NULL);
    trace_log_end(l, r);
    trace_log_close(l);

    g_autofree char *got = slurp(path, NULL);
    g_assert_cmpstr(got, ==,
                    "{\"t\":0.000000001,\"node\":\"n\\\"1\",\"kind\":\"k\\\\\","
                    "\"msg\":\"a\\\"b\\\\c\\u000ad\\u0009e\\u0001f\\u001f\","
                    "\"utf8\":\"caf\xc3\xa9\",\"bad\":\"x\\u00ffy\",\"k\\\"ey\":null}\n");
    tmpdir_remove(d);
}

static void test_log_numbers(void)
{
    char *d = tmpdir_new();
    g_autofree char *path = g_build_filename(d, "log.jsonl", NULL);
    trace_log *l = trace_log_open(path, NULL);
    GString *r = trace_log_begin(l, 0, "n", "k");
    trace_log_num(r, "a", 0.1);
    trace_log_num(r, "b", 12.000000001);
    trace_log_num(r, "c", -3);
    trace_log_num(r, "d", 0.0000000001);
    trace_log_num(r, "e", 1e300);
    trace_log_num(r, "f", 0.0 / 0.0);
    trace_log_num(r, "g", 2.5e-9);
    trace_log_end(l, r);
    trace_log_close(l);
    g_autofree char *got = slurp(path, NULL);
    g_assert_cmpstr(got, ==,
                    "{\"t\":0.000000000,\"node\":\"n\",\"kind\":\"k\",\"a\":0.1,"
                    "\"b\":12.000000001,\"c\":-3,\"d\":0,\"e\":1.0000000000000001e+300,"
                    "\"f\":null,\"g\":0.000000003}\n");
    tmpdir_remove(d);
}

static void test_log_disabled(void)
{
    GError *err = NULL;
    trace_log *l = trace_log_open(NULL, &err);
    g_assert_no_error(err);
    g_assert_nonnull(l);
    g_assert_false(trace_log_on(l));
    g_assert_false(trace_log_on(NULL));
    GString *r = trace_log_begin(l, 5, "n", "k");
    g_assert_null(r);
    trace_log_str(r, "a", "b");
    trace_log_int(r, "a", 1);
    trace_log_num(r, "a", 1);
    trace_log_bool(r, "a", true);
    trace_log_end(l, r);
    g_assert_null(trace_log_begin(NULL, 5, "n", "k"));
    trace_log_close(l);
    trace_log_close(NULL);
}

static void test_log_open_error(void)
{
    GError *err = NULL;
    trace_log *l = trace_log_open("/nonexistent-natsim-dir/x/log.jsonl", &err);
    g_assert_null(l);
    g_assert_error(err, SIM_ERROR, SIM_ERROR_IO);
    g_assert_nonnull(strstr(err->message, "/nonexistent-natsim-dir/x/log.jsonl"));
    g_error_free(err);
}

/* ---- pcap ---- */

static const uint8_t frame_a[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1,
                                   0x88, 0xb5, 'h', 'e', 'l', 'l', 'o' };

static void write_pcap(const char *path)
{
    GError *err = NULL;
    trace_pcap *p = trace_pcap_open(path, &err);
    g_assert_no_error(err);
    uint8_t big[1514];
    for (size_t k = 0; k < sizeof big; k++)
        big[k] = (uint8_t)(k * 7);
    trace_pcap_write(p, 0, frame_a, sizeof frame_a);
    trace_pcap_write(p, 1 * SIM_SEC + 999999999, big, sizeof big);
    trace_pcap_write(p, 7200 * SIM_SEC + 123, frame_a, 14);
    trace_pcap_close(p);
}

static void test_pcap_readback(void)
{
    char *d = tmpdir_new();
    g_autofree char *path = g_build_filename(d, "a.pcap", NULL);
    write_pcap(path);

    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *pd = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    g_assert_nonnull(pd);
    g_assert_cmpint(pcap_datalink(pd), ==, DLT_EN10MB);
    g_assert_cmpint(pcap_get_tstamp_precision(pd), ==, PCAP_TSTAMP_PRECISION_NANO);
    struct pcap_pkthdr *h;
    const u_char *data;

    g_assert_cmpint(pcap_next_ex(pd, &h, &data), ==, 1);
    g_assert_cmpint(h->ts.tv_sec, ==, 0);
    g_assert_cmpint(h->ts.tv_usec, ==, 0);
    g_assert_cmpuint(h->caplen, ==, sizeof frame_a);
    g_assert_cmpmem(data, h->caplen, frame_a, sizeof frame_a);

    g_assert_cmpint(pcap_next_ex(pd, &h, &data), ==, 1);
    g_assert_cmpint(h->ts.tv_sec, ==, 1);
    g_assert_cmpint(h->ts.tv_usec, ==, 999999999);
    g_assert_cmpuint(h->caplen, ==, 1514);
    g_assert_cmpuint(h->len, ==, 1514);
    for (size_t k = 0; k < 1514; k++)
        g_assert_cmpuint(data[k], ==, (uint8_t)(k * 7));

    g_assert_cmpint(pcap_next_ex(pd, &h, &data), ==, 1);
    g_assert_cmpint(h->ts.tv_sec, ==, 7200);
    g_assert_cmpint(h->ts.tv_usec, ==, 123);
    g_assert_cmpuint(h->caplen, ==, 14);
    g_assert_cmpmem(data, 14, frame_a, 14);

    g_assert_cmpint(pcap_next_ex(pd, &h, &data), ==, PCAP_ERROR_BREAK);
    pcap_close(pd);
    tmpdir_remove(d);
}

static void test_pcap_deterministic(void)
{
    char *d = tmpdir_new();
    g_autofree char *p1 = g_build_filename(d, "1.pcap", NULL);
    g_autofree char *p2 = g_build_filename(d, "2.pcap", NULL);
    write_pcap(p1);
    write_pcap(p2);
    gsize n1, n2;
    g_autofree char *a = slurp(p1, &n1);
    g_autofree char *b = slurp(p2, &n2);
    g_assert_cmpmem(a, n1, b, n2);
    /* Nanosecond magic 0xa1b23c4d in host order, then version 2.4. */
    g_assert_cmpuint(n1, >, 24);
    uint32_t magic;
    memcpy(&magic, a, 4);
    g_assert_cmphex(magic, ==, 0xa1b23c4d);
    tmpdir_remove(d);
}

static void test_pcap_open_error(void)
{
    GError *err = NULL;
    trace_pcap *p = trace_pcap_open("/nonexistent-natsim-dir/a.pcap", &err);
    g_assert_null(p);
    g_assert_error(err, SIM_ERROR, SIM_ERROR_IO);
    g_assert_nonnull(strstr(err->message, "/nonexistent-natsim-dir/a.pcap"));
    g_error_free(err);
    trace_pcap_close(NULL);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/trace/log/format", test_log_format);
    g_test_add_func("/trace/log/escape", test_log_escape);
    g_test_add_func("/trace/log/numbers", test_log_numbers);
    g_test_add_func("/trace/log/disabled", test_log_disabled);
    g_test_add_func("/trace/log/open-error", test_log_open_error);
    g_test_add_func("/trace/pcap/readback-nano", test_pcap_readback);
    g_test_add_func("/trace/pcap/deterministic", test_pcap_deterministic);
    g_test_add_func("/trace/pcap/open-error", test_pcap_open_error);
    return g_test_run();
}
