/* tests/unit/test_simlua.c — the Lua scenario API: units, option checking, tasks over the
 * scheduler, expectations, script errors with file:line, stale handles, conditions for
 * protocol bindings, and seeding. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>
#include "sim/lua/simlua_priv.h"

/* A world plus its Lua side, running one script written to a temporary file. */
typedef struct fixture {
    sim_world *w;
    simlua *s;
    char *path;
    GError *err;
    int rc;
} fixture;

static void fixture_run(fixture *f, const char *src, uint64_t seed, sim_time_t until,
                        const char *module, simlua_module_open open)
{
    memset(f, 0, sizeof *f);
    sim_world_opts o = { .seed = seed };
    f->w = sim_world_new(&o, NULL);
    g_assert_nonnull(f->w);
    f->s = simlua_new(f->w, NULL);
    g_assert_nonnull(f->s);
    if (module)
        simlua_add_module(f->s, module, open);
    int fd = g_file_open_tmp("simlua-XXXXXX.lua", &f->path, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    g_assert_true(g_file_set_contents(f->path, src, -1, NULL));
    f->rc = simlua_run_file(f->s, f->path, 0, NULL, until, &f->err);
}

static void fixture_clear(fixture *f)
{
    simlua_free(f->s);
    sim_world_free(f->w);
    g_unlink(f->path);
    g_free(f->path);
    g_clear_error(&f->err);
}

/* Runs src and asserts it ran cleanly with every expectation passing. */
static void run_ok(const char *src, unsigned expect_passed)
{
    fixture f;
    fixture_run(&f, src, 1, SIM_TIME_NEVER, NULL, NULL);
    if (f.rc < 0)
        g_test_message("script error: %s", f.err->message);
    g_assert_cmpint(f.rc, ==, 0);
    GString *fails = g_string_new(NULL);
    simlua_fmt_failures(f.s, fails);
    if (fails->len)
        g_test_message("failed: %s", fails->str);
    g_assert_cmpuint(simlua_expect_failed(f.s), ==, 0);
    g_assert_cmpuint(simlua_expect_passed(f.s), ==, expect_passed);
    g_string_free(fails, TRUE);
    fixture_clear(&f);
}

/* ---- units ---- */

static void test_units_time(void)
{
    static const struct { const char *s; sim_time_t t; } good[] = {
        { "20ms", 20 * SIM_MS }, { "1.5s", 1500 * SIM_MS }, { "100us", 100 * SIM_US },
        { "2min", 120 * SIM_SEC }, { "1h", 3600 * SIM_SEC }, { "5", 5 * SIM_SEC },
        { "7 ns", 7 }, { "0", 0 },
    };
    for (size_t k = 0; k < G_N_ELEMENTS(good); k++) {
        sim_time_t t = 1;
        g_assert_cmpint(simlua_parse_time(good[k].s, &t), ==, 0);
        g_assert_cmpuint(t, ==, good[k].t);
    }
    static const char *const bad[] = { "5parsecs", "-1s", "", "ms", "1e999s", "5MS", NULL };
    for (const char *const *b = bad; *b; b++) {
        sim_time_t t;
        g_assert_cmpint(simlua_parse_time(*b, &t), <, 0);
    }
}

static void test_units_rate_size(void)
{
    uint64_t v;
    g_assert_cmpint(simlua_parse_rate("100Mbit", &v), ==, 0);
    g_assert_cmpuint(v, ==, 100000000);
    g_assert_cmpint(simlua_parse_rate("64kbit", &v), ==, 0);
    g_assert_cmpuint(v, ==, 64000);
    g_assert_cmpint(simlua_parse_rate("1Gbps", &v), ==, 0);
    g_assert_cmpuint(v, ==, 1000000000);
    g_assert_cmpint(simlua_parse_rate("fast", &v), <, 0);
    g_assert_cmpint(simlua_parse_size("256KiB", &v), ==, 0);
    g_assert_cmpuint(v, ==, 262144);
    g_assert_cmpint(simlua_parse_size("64KB", &v), ==, 0);
    g_assert_cmpuint(v, ==, 64000);
    g_assert_cmpint(simlua_parse_size("3 apples", &v), <, 0);
}

/* ---- tasks and time ---- */

static void test_tasks_sleep(void)
{
    run_ok("sim.sleep(1.5)\n"
           "sim.expect(sim.now() == 1.5)\n"
           "sim.sleep('500ms')\n"
           "sim.expect(sim.now() == 2)\n",
           2);
}

static void test_tasks_order(void)
{
    run_ok("local o = {}\n"
           "sim.at(2, function() o[#o+1] = 'b' end)\n"
           "sim.at(1, function() o[#o+1] = 'a1' end)\n"
           "sim.at(1, function() o[#o+1] = 'a2' end)\n"
           "sim.spawn(function() o[#o+1] = 's' end)\n"
           "sim.after(3, function() o[#o+1] = 'c' end)\n"
           "sim.sleep(5)\n"
           "sim.expect(table.concat(o, ',') == 's,a1,a2,b,c', table.concat(o, ','))\n",
           1);
}

/* The main chunk returning after sim.run ends the run there; without sim.run the world
 * keeps going until nothing is pending (at most the horizon). */
static void test_run_end(void)
{
    fixture f;
    fixture_run(&f, "sim.after(50, function() end)\nsim.run(10)\n", 1, SIM_TIME_NEVER, NULL,
                NULL);
    g_assert_cmpint(f.rc, ==, 0);
    g_assert_cmpuint(sim_world_now(f.w), ==, 10 * SIM_SEC);
    g_assert_true(simlua_main_done(f.s));
    fixture_clear(&f);

    fixture_run(&f, "sim.after(50, function() end)\n", 1, 20 * SIM_SEC, NULL, NULL);
    g_assert_cmpint(f.rc, ==, 0);
    g_assert_cmpuint(sim_world_now(f.w), ==, 20 * SIM_SEC); /* --until caps it */
    fixture_clear(&f);

    fixture_run(&f, "sim.run(7200)\nsim.expect(sim.now() == 7200)\n", 1, SIM_TIME_NEVER, NULL,
                NULL);
    g_assert_cmpint(f.rc, ==, 0);
    g_assert_cmpuint(simlua_expect_passed(f.s), ==, 1); /* sim.run extends the horizon */
    fixture_clear(&f);
}

static void test_stop(void)
{
    fixture f;
    fixture_run(&f, "sim.after(2, function() sim.stop(); error('not reached') end)\n"
                    "sim.sleep(100)\n",
                1, SIM_TIME_NEVER, NULL, NULL);
    g_assert_cmpint(f.rc, ==, 0);
    g_assert_cmpuint(sim_world_now(f.w), ==, 2 * SIM_SEC);
    g_assert_true(simlua_main_done(f.s)); /* stopping counts as finishing */
    fixture_clear(&f);
    /* A main chunk still waiting when nothing can happen any more is reported. */
    fixture_run(&f, "local l = sim.lan('l')\nlocal A = sim.host('A')\n"
                    "A:attach(l, {ip='10.0.0.1/24'})\nA:udp{port=1}:recv()\n",
                1, SIM_TIME_NEVER, NULL, NULL);
    g_assert_cmpint(f.rc, ==, 0);
    g_assert_false(simlua_main_done(f.s));
    fixture_clear(&f);
}

/* ---- expectations and errors ---- */

static void test_expect_failures(void)
{
    fixture f;
    fixture_run(&f, "sim.expect(true, 'fine')\n"
                    "sim.expect(false, 'broken')\n"
                    "sim.expect(nil)\n",
                1, SIM_TIME_NEVER, NULL, NULL);
    g_assert_cmpint(f.rc, ==, 0);
    g_assert_cmpuint(simlua_expect_passed(f.s), ==, 1);
    g_assert_cmpuint(simlua_expect_failed(f.s), ==, 2);
    GString *out = g_string_new(NULL);
    simlua_fmt_failures(f.s, out);
    char *base = g_path_get_basename(f.path);
    char *want1 = g_strdup_printf("%s:2: broken\n", base);
    char *want2 = g_strdup_printf("%s:3: expectation failed\n", base);
    g_assert_nonnull(strstr(out->str, want1));
    g_assert_nonnull(strstr(out->str, want2));
    g_free(want1);
    g_free(want2);
    g_free(base);
    g_string_free(out, TRUE);
    fixture_clear(&f);
}

static void assert_error(const char *src, const char *line_msg)
{
    fixture f;
    fixture_run(&f, src, 1, SIM_TIME_NEVER, NULL, NULL);
    g_assert_cmpint(f.rc, <, 0);
    g_assert_nonnull(f.err);
    char *base = g_path_get_basename(f.path);
    char *want = g_strdup_printf("%s:%s", base, line_msg);
    if (!strstr(f.err->message, want))
        g_test_message("got: %s\nwant: %s", f.err->message, want);
    g_assert_nonnull(strstr(f.err->message, want));
    g_free(want);
    g_free(base);
    fixture_clear(&f);
}

static void test_errors(void)
{
    assert_error("local x = = 1\n", "1: unexpected symbol");
    assert_error("sim.spawn(function()\n  sim.sleep(1)\n  error('boom')\nend)\nsim.run(5)\n",
                 "3: boom");
    assert_error("sim.lan('x', {dely = 1})\n", "1: bad argument #2 to 'lan' (unknown option "
                                               "'dely'");
    assert_error("sim.sleep('3 fortnights')\n", "1: bad argument #1 to 'sleep' (bad time");
    /* A traceback comes with the message. */
    fixture f;
    fixture_run(&f, "error('x')\n", 1, SIM_TIME_NEVER, NULL, NULL);
    g_assert_nonnull(strstr(f.err->message, "stack traceback:"));
    fixture_clear(&f);
}

static void test_stale_socket(void)
{
    assert_error("local l = sim.lan('l')\nlocal A = sim.host('A')\n"
                 "A:attach(l, {ip='10.0.0.1/24'})\nlocal s = A:udp{port=1}\ns:close()\n"
                 "s:local_addr()\n",
                 "6: natsim.Socket is gone (closed or freed)");
}

/* ---- conditions, as protocol bindings use them ---- */

typedef struct cond_mod {
    simlua_cond *c;
} cond_mod;
static cond_mod the_mod;

/* Continuation: the wake value (true: signalled, false: timeout) is on top; return it and
 * the time. */
static int wait_k(lua_State *L, int status, lua_KContext ctx)
{
    g_assert_cmpint(status, ==, LUA_YIELD);
    g_assert_cmpint((int)ctx, ==, 42);
    lua_pushnumber(L, sim_time_sec(sim_world_now(simlua_world(L))));
    return 2;
}

/* m.wait([timeout]) */
static int mod_wait(lua_State *L)
{
    sim_time_t t = lua_isnoneornil(L, 1) ? SIM_TIME_NEVER : simlua_check_time(L, 1);
    lua_settop(L, 0);
    return simlua_cond_wait(L, the_mod.c, t, 42, wait_k);
}

/* m.signal() */
static int mod_signal(lua_State *L)
{
    simlua_cond_signal(the_mod.c);
    return 0;
}

static int mod_open(lua_State *L)
{
    the_mod.c = simlua_cond_new(L);
    static const luaL_Reg f[] = { { "wait", mod_wait }, { "signal", mod_signal }, { NULL, NULL } };
    luaL_newlib(L, f);
    return 1;
}

static void test_cond(void)
{
    fixture f;
    fixture_run(&f,
                "local got = {}\n"
                "sim.spawn(function() local r = {m.wait()}; got[#got+1] = r end)\n"
                "sim.spawn(function() local r = {m.wait(1)}; got[#got+1] = r end)\n"
                "sim.at(3, function() m.signal() end)\n"
                "sim.sleep(4)\n"
                "sim.expect(#got == 2)\n"
                "sim.expect(got[1][1] == false and got[1][2] == 1, 'timeout first')\n"
                "sim.expect(got[2][1] == true and got[2][2] == 3, 'signal at 3')\n",
                1, SIM_TIME_NEVER, "m", mod_open);
    if (f.rc < 0)
        g_test_message("script error: %s", f.err->message);
    g_assert_cmpint(f.rc, ==, 0);
    g_assert_cmpuint(simlua_expect_failed(f.s), ==, 0);
    g_assert_cmpuint(simlua_expect_passed(f.s), ==, 3);
    simlua_cond_free(the_mod.c);
    fixture_clear(&f);
}

/* ---- determinism ---- */

static char *random_draws(uint64_t seed)
{
    fixture f;
    fixture_run(&f, "local t = {}\nfor k = 1, 5 do t[k] = math.random(1000000) end\n"
                    "draws = table.concat(t, ',')\n",
                seed, SIM_TIME_NEVER, NULL, NULL);
    g_assert_cmpint(f.rc, ==, 0);
    lua_getglobal(simlua_state(f.s), "draws");
    char *out = g_strdup(lua_tostring(simlua_state(f.s), -1));
    lua_pop(simlua_state(f.s), 1);
    fixture_clear(&f);
    return out;
}

static void test_random_seeded(void)
{
    char *a = random_draws(5), *b = random_draws(5), *c = random_draws(6);
    g_assert_cmpstr(a, ==, b);
    g_assert_cmpstr(a, !=, c);
    g_free(a);
    g_free(b);
    g_free(c);
}

static void test_no_wall_clock(void)
{
    assert_error("local t = os.time()\n", "1: the wall clock is not available");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/simlua/units/time", test_units_time);
    g_test_add_func("/simlua/units/rate-size", test_units_rate_size);
    g_test_add_func("/simlua/tasks/sleep-exact", test_tasks_sleep);
    g_test_add_func("/simlua/tasks/order", test_tasks_order);
    g_test_add_func("/simlua/run/end", test_run_end);
    g_test_add_func("/simlua/run/stop", test_stop);
    g_test_add_func("/simlua/expect/failures-with-file-line", test_expect_failures);
    g_test_add_func("/simlua/errors/file-line-traceback", test_errors);
    g_test_add_func("/simlua/handles/stale-socket", test_stale_socket);
    g_test_add_func("/simlua/cond/signal-and-timeout", test_cond);
    g_test_add_func("/simlua/determinism/math-random-seeded", test_random_seeded);
    g_test_add_func("/simlua/determinism/no-wall-clock", test_no_wall_clock);
    return g_test_run();
}
