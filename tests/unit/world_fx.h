/* tests/unit/world_fx.h — a simulated world for driver tests: a Lua script builds the topology
 * (and may run expectations, which must all hold), then the test drives protocol apps through
 * their C API on the named nodes and runs the world with sim_world_run. */
#ifndef TESTS_UNIT_WORLD_FX_H
#define TESTS_UNIT_WORLD_FX_H

#include <glib.h>
#include <glib/gstdio.h>
#include <unistd.h>
#include "sim/lua/simlua.h"

typedef struct fx {
    sim_world *w;
    simlua *lua;
    sim_node *a, *s;       /* nodes "A" and "S" */
    char *path;
} fx;

/* Runs topo + extra (then sim.stop()) in a new world with module `name` (opened by open). */
static inline void fx_init(fx *f, const char *topo, const char *extra, const char *name,
                           simlua_module_open open)
{
    sim_world_opts o = { .seed = 5 };
    f->w = sim_world_new(&o, NULL);
    f->lua = simlua_new(f->w, NULL);
    simlua_add_module(f->lua, name, open);
    int fd = g_file_open_tmp("worldfx-XXXXXX.lua", &f->path, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    g_autofree char *src = g_strconcat(topo, extra ? extra : "", "sim.stop()\n", NULL);
    g_assert_true(g_file_set_contents(f->path, src, -1, NULL));
    GError *err = NULL;
    int rc = simlua_run_file(f->lua, f->path, 0, NULL, SIM_TIME_NEVER, &err);
    if (rc < 0)
        g_test_message("script error: %s", err->message);
    g_assert_cmpint(rc, ==, 0);
    GString *fails = g_string_new(NULL);
    simlua_fmt_failures(f->lua, fails);
    if (fails->len)
        g_test_message("failed: %s", fails->str);
    g_assert_cmpuint(simlua_expect_failed(f->lua), ==, 0);
    g_string_free(fails, TRUE);
    f->a = sim_world_node(f->w, "A");
    f->s = sim_world_node(f->w, "S");
}

static inline void fx_clear(fx *f)
{
    simlua_free(f->lua);
    sim_world_free(f->w);
    g_unlink(f->path);
    g_free(f->path);
}

#endif
