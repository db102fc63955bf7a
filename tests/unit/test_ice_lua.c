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
        "fails('bad argument #3', a.send, a, 'x', 0)\n"
        "local ok, why = a:send('x')\n"
        "sim.expect(ok == nil and why == 'not connected', 'send before connecting')\n"
        "sim.expect(tostring(a):find('controlling', 1, true) ~= nil, tostring(a))\n"
        "a:close()\n"
        "fails('closed', a.credentials, a)\n"
        "sim.expect(tostring(a) == '<ice agent (closed)>', 'closed agent prints')\n",
        NULL);
    run_ok(src, 14);
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

/* Gathers on a and b in parallel, connects them with components comps; leaves la, lb (lines)
 * and ra, rb (connect results) as globals. */
static const char connect_fn[] =
    "function link_up(a, b)\n"
    "  local t = sim.spawn(function() la = a:gather() end)\n"
    "  lb = b:gather(); t:join()\n"
    "  local ua, pa = a:credentials()\n"
    "  local ub, pb = b:credentials()\n"
    "  t = sim.spawn(function() ra = a:connect(ub, pb, lb, '10s') end)\n"
    "  rb = b:connect(ua, pa, la, '10s'); t:join()\n"
    "end\n"
    "function has(lines, pat)\n"
    "  for _, s in ipairs(lines) do if s:find(pat, 1, true) then return s end end\n"
    "end\n";

/* A dual-stack pair on one LAN whose IPv4 addresses are in different subnets (IPv4 between
 * them is unroutable): a host candidate per address (A has two IPv6 ones), the families
 * interleaved (RFC 8421: local preference 65535 IPv6 #1, 65407 IPv4, 65279 IPv6 #2), no
 * link-local candidate, and the IPv6 host pair is selected; the IPv4 pair never became
 * valid (failed, or cancelled once IPv6 was selected). */
static void test_dual_stack(void)
{
    g_autofree char *src = g_strconcat(
        "local l = sim.lan('l', {})\n"
        "local A, B = sim.host('A'), sim.host('B')\n"
        "A:attach(l, {ip = '10.0.0.1/24', ip6 = {'fd00::1/64', 'fd00::11/64'}})\n"
        "B:attach(l, {ip = '10.9.0.2/24', ip6 = 'fd00::2/64'})\n",
        connect_fn,
        "local a = ice.agent(A, {controlling = true})\n"
        "local b = ice.agent(B, {})\n"
        "link_up(a, b)\n"
        "sim.expect(#la == 3, 'a host candidate per address: ' .. #la)\n"
        "sim.expect(la[1]:find('2130706431 fd00::1 ', 1, true) ~= nil, 'IPv6 first: ' .. la[1])\n"
        "sim.expect(la[2]:find('2130673663 10.0.0.1 ', 1, true) ~= nil, 'IPv4 next: ' .. la[2])\n"
        "sim.expect(la[3]:find('2130640895 fd00::11 ', 1, true) ~= nil, 'then IPv6 #2: ' .. la[3])\n"
        "sim.expect(not has(la, 'fe80:'), 'no link-local candidate')\n"
        "sim.expect(ra and ra.laddr:find('[fd00::1]', 1, true) == 1 and\n"
        "           ra.raddr:find('[fd00::2]', 1, true) == 1, 'A over IPv6: ' ..\n"
        "           tostring(ra and ra.laddr))\n"
        "sim.expect(rb and rb['local'] == 'host' and rb.remote == 'host', 'B host-host')\n"
        "local v4 = 'none'\n"
        "for _, p in ipairs(a:pairs()) do\n"
        "  if p.laddr:find('10.0.0.1', 1, true) then v4 = p.valid and 'valid' or p.state end\n"
        "end\n"
        "sim.expect(v4 == 'failed' or v4 == 'cancelled', 'the IPv4 pair never worked: ' .. v4)\n"
        "sim.expect(a:send('six') == true and b:recv('1s') == 'six', 'data over IPv6')\n"
        "sim.stop()\n",
        NULL);
    run_ok(src, 9);
}

/* The other way round: IPv6 between them is blocked (different prefixes, no route), IPv4 works.
 * The IPv6 host pairs outrank the IPv4 one but fail, and ICE falls back to IPv4: this is what
 * proves both families are checked, not just the best-ranked one. */
static void test_dual_stack_v4_fallback(void)
{
    g_autofree char *src = g_strconcat(
        "local l = sim.lan('l', {})\n"
        "local A, B = sim.host('A'), sim.host('B')\n"
        "A:attach(l, {ip = '10.0.0.1/24', ip6 = 'fd00:1::1/64'})\n"
        "B:attach(l, {ip = '10.0.0.2/24', ip6 = 'fd00:2::2/64'})\n",
        connect_fn,
        "local a = ice.agent(A, {controlling = true})\n"
        "local b = ice.agent(B, {})\n"
        "link_up(a, b)\n"
        "sim.expect(la[1]:find('fd00:1::1', 1, true) ~= nil, 'IPv6 ranked first: ' .. la[1])\n"
        "sim.expect(ra and ra.laddr:find('10.0.0.1:', 1, true) == 1 and\n"
        "           ra.raddr:find('10.0.0.2:', 1, true) == 1, 'A falls back to IPv4: ' ..\n"
        "           tostring(ra and ra.laddr))\n"
        "local v6 = 'none'\n"
        "for _, p in ipairs(a:pairs()) do\n"
        "  if p.laddr:find('fd00:1::1', 1, true) and p.raddr:find('fd00:2::2', 1, true) then\n"
        "    v6 = p.valid and 'valid' or p.state\n"
        "  end\n"
        "end\n"
        "sim.expect(v6 ~= 'valid' and v6 ~= 'none', 'the IPv6 pair was tried and never worked: ' .. v6)\n"
        "sim.expect(a:send('four') == true and b:recv('1s') == 'four', 'data over IPv4')\n"
        "sim.stop()\n",
        NULL);
    run_ok(src, 4);
}

/* Multihomed hosts on two LANs, RTP and RTCP; the first LAN (the preferred interface) is down,
 * so both components are selected over the second interface, and data flows on component 2. */
static void test_multihomed_rtcp(void)
{
    g_autofree char *src = g_strconcat(
        "local x, y = sim.lan('x', {}), sim.lan('y', {})\n"
        "local A, B = sim.host('A'), sim.host('B')\n"
        "A:attach(x, {ip = '10.0.0.1/24'}); A:attach(y, {ip = '10.1.0.1/24'})\n"
        "B:attach(x, {ip = '10.0.0.2/24'}); B:attach(y, {ip = '10.1.0.2/24'})\n",
        connect_fn,
        "x:down()\n"
        "local a = ice.agent(A, {controlling = true, components = 2})\n"
        "local b = ice.agent(B, {components = 2})\n"
        "link_up(a, b)\n"
        "sim.expect(#la == 4, 'host candidates per interface and component: ' .. #la)\n"
        /* rank 0 / rank 1 IPv4 (65407, 65151), component 1 and 2 */
        "sim.expect(has(la, ' 1 UDP 2130673663 10.0.0.1 ') and has(la, ' 1 UDP 2130608127 10.1.0.1 ')\n"
        "           and has(la, ' 2 UDP 2130673662 10.0.0.1 '), 'local preferences')\n"
        "sim.expect(ra and #ra.components == 2, 'both components reported')\n"
        "for k = 1, 2 do\n"
        "  local c = ra.components[k]\n"
        "  sim.expect(c.component == k and c.laddr:find('10.1.0.1:', 1, true) == 1 and\n"
        "             c.raddr:find('10.1.0.2:', 1, true) == 1, 'component ' .. k .. ' via y: ' ..\n"
        "             c.laddr .. ' -> ' .. c.raddr)\n"
        "end\n"
        "sim.expect(ra.laddr == ra.components[1].laddr and rb.components[2].component == 2,\n"
        "           'component 1 at the top')\n"
        "sim.expect(ra.components[1].laddr ~= ra.components[2].laddr, 'one socket per component')\n"
        "sim.expect(a:send('rtcp', 2) == true, 'send on component 2')\n"
        "local d, comp = b:recv('1s')\n"
        "sim.expect(d == 'rtcp' and comp == 2, 'received on component 2')\n"
        "sim.expect(b:send('rtcp back', 2) == true and a:recv('1s') == 'rtcp back', 'and back')\n"
        "sim.stop()\n",
        NULL);
    run_ok(src, 10);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ice/lua/misuse", test_misuse);
    g_test_add_func("/ice/lua/connect", test_connect);
    g_test_add_func("/ice/lua/dual-stack-ipv6", test_dual_stack);
    g_test_add_func("/ice/lua/dual-stack-ipv4-fallback", test_dual_stack_v4_fallback);
    g_test_add_func("/ice/lua/multihomed-rtcp", test_multihomed_rtcp);
    return g_test_run();
}
