/* tests/unit/test_ice_lua.c — module `ice` for scenarios: misuse is a Lua error naming the
 * argument or option (never a crash), a closed agent raises an error, and two agents on one
 * LAN connect host <-> host and exchange data through the Lua API. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>
#include "protocols/ice/ice.h"
#include "sim/lua/simlua.h"

/* Runs src in a fresh world with module `ice`; asserts it ran and every expectation held. */
static void run_ok(const char *src, unsigned expect_passed)
{
    sim_world_opts o = { .seed = 3 };
    sim_world *w = sim_world_new(&o, NULL);
    simlua *s = simlua_new(w, NULL);
    simlua_add_module(s, "ice", ice_lua_open);
    char *path;
    int fd = g_file_open_tmp("icelua-XXXXXX.lua", &path, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    g_assert_true(g_file_set_contents(path, src, -1, NULL));
    GError *err = NULL;
    int rc = simlua_run_file(s, path, 0, NULL, SIM_TIME_NEVER, &err);
    if (rc < 0)
        g_test_message("script error: %s", err->message);
    g_assert_cmpint(rc, ==, 0);
    GString *fails = g_string_new(NULL);
    simlua_fmt_failures(s, fails);
    if (fails->len)
        g_test_message("failed: %s", fails->str);
    g_assert_cmpuint(simlua_expect_failed(s), ==, 0);
    g_assert_cmpuint(simlua_expect_passed(s), ==, expect_passed);
    g_string_free(fails, TRUE);
    simlua_free(s);
    sim_world_free(w);
    g_unlink(path);
    g_free(path);
}

static const char topology[] =
    "local l = sim.lan('l', {})\n"
    "local A, B = sim.host('A'), sim.host('B')\n"
    "A:attach(l, {ip = '10.0.0.1/24'}); B:attach(l, {ip = '10.0.0.2/24'})\n"
    "local function fails(pat, f, ...)\n"
    "  local ok, e = pcall(f, ...)\n"
    "  return sim.expect(not ok and tostring(e):find(pat, 1, true) ~= nil,\n"
    "                    'error mentions ' .. pat .. ': ' .. tostring(e))\n"
    "end\n";

static void test_misuse(void)
{
    g_autofree char *src = g_strconcat(topology,
        "fails('bogus', ice.agent, A, {bogus = 1})\n"
        "fails('components', ice.agent, A, {components = 9})\n"
        "fails('stun', ice.agent, A, {stun = 'nowhere'})\n"
        "fails('user', ice.agent, A, {turn = '10.0.0.9:3478'})\n"
        "fails('bad argument #1', ice.agent, 'A')\n"
        "fails('ta', ice.agent, A, {ta = 'soon'})\n"
        "local a = ice.agent(A, {controlling = true})\n"
        "fails('bad argument #4', a.connect, a, 'u', 'p', {'candidate:nonsense'})\n"
        "fails('bad argument #4', a.connect, a, 'u', 'p', 'not a table')\n"
        "fails('bad argument #3', a.send, a, 'x', 2)\n"
        "local ok, why = a:send('x')\n"
        "sim.expect(ok == nil and why == 'not connected', 'send before connecting')\n"
        "sim.expect(tostring(a):find('controlling', 1, true) ~= nil, tostring(a))\n"
        "a:close()\n"
        "fails('closed', a.credentials, a)\n"
        "sim.expect(tostring(a) == '<ice agent (closed)>', 'closed agent prints')\n",
        NULL);
    run_ok(src, 13);
}

static void test_connect(void)
{
    g_autofree char *src = g_strconcat(topology,
        "local a = ice.agent(A, {controlling = true})\n"
        "local b = ice.agent(B, {})\n"
        "local la, lb\n"
        "local t = sim.spawn(function() la = a:gather() end)\n"
        "lb = b:gather(); t:join()\n"
        "sim.expect(#la == 1 and la[1]:find('typ host', 1, true) ~= nil, la[1])\n"
        "local ua, pa = a:credentials()\n"
        "local ub, pb = b:credentials()\n"
        "sim.expect(#ua >= 4 and #pa >= 22, 'credentials')\n"
        "local ra, rb\n"
        "t = sim.spawn(function() ra = a:connect(ub, pb, lb) end)\n"
        "rb = b:connect(ua, pa, la); t:join()\n"
        "sim.expect(ra['local'] == 'host' and ra.remote == 'host', 'A host-host')\n"
        "sim.expect(rb['local'] == 'host' and rb.remote == 'host', 'B host-host')\n"
        "sim.expect(ra.ms > 0 and ra.ms < 200, 'connected in ' .. ra.ms .. ' ms')\n"
        "sim.expect(a:send('ping') == true, 'send')\n"
        "local d, comp = b:recv('1s')\n"
        "sim.expect(d == 'ping' and comp == 1, 'received on component 1')\n"
        "sim.expect(b:recv('100ms') == nil, 'nothing more')\n"
        "sim.expect(a:stats().checks_sent >= 1, 'stats')\n"
        /* the checklist: one host pair, checked, valid, nominated and selected; its priority
         * from the two candidates' (RFC 8445 6.1.2.3, controlling G = A's) */
        "local ps = a:pairs()\n"
        "local p = ps[1]\n"
        "sim.expect(#ps == 1 and p['local'] == 'host' and p.remote == 'host' and\n"
        "           p.state == 'succeeded' and p.valid and p.nominated and p.selected and\n"
        "           p.component == 1, 'one selected host pair')\n"
        "local g = tonumber(la[1]:match('UDP (%d+)'))\n"
        "local d = tonumber(lb[1]:match('UDP (%d+)'))\n"
        "local lo, hi = math.min(g, d), math.max(g, d)\n"
        "sim.expect(p.priority == (lo << 32) + 2 * hi + (g > d and 1 or 0), 'pair priority')\n"
        "sim.expect(la[1]:find(p.laddr:gsub(':', ' '), 1, true) ~= nil, 'laddr ' .. p.laddr)\n"
        "sim.expect(b:pairs()[1].remote == 'host' and b:pairs()[1].nominated,\n"
        "           'B nominated the pair too')\n"
        "sim.expect(a:wait_consent_lost('10s') == nil, 'consent kept while the LAN is up')\n"
        "sim.stop()\n",
        NULL);
    run_ok(src, 14);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ice/lua/misuse", test_misuse);
    g_test_add_func("/ice/lua/connect", test_connect);
    return g_test_run();
}
