/* tests/unit/test_turn_lua.c — module `turn` for scenarios: misuse is a Lua error naming the
 * argument or option (never a crash), a closed allocation is a stale handle, and refusals come
 * back as (nil, "code reason") or (nil, "timeout"). */
#include <glib.h>
#include "protocols/turn/turn.h"
#include "world_fx.h"

static const char topology[] =
    "local l = sim.lan('l', {})\n"
    "local S, A = sim.host('S'), sim.host('A')\n"
    "S:attach(l, {ip = '10.0.0.1/24'}); A:attach(l, {ip = '10.0.0.2/24'})\n"
    "local function fails(pat, f, ...)\n"
    "  local ok, e = pcall(f, ...)\n"
    "  return sim.expect(not ok and tostring(e):find(pat, 1, true) ~= nil,\n"
    "                    'error mentions ' .. pat .. ': ' .. tostring(e))\n"
    "end\n";

/* Runs topology + body in a fresh world with module `turn`; asserts it ran, every expectation
 * held and expect_passed of them ran. */
static void run_ok(const char *body, unsigned expect_passed)
{
    fx f;
    fx_init(&f, topology, body, "turn", turn_lua_open);
    g_assert_cmpuint(simlua_expect_passed(f.lua), ==, expect_passed);
    fx_clear(&f);
}

static void test_misuse(void)
{
    const char *src =
        "fails('bogus', turn.server, S, {bogus = 1})\n"
        "fails('port', turn.server, S, {port = 70000})\n"
        "fails('relay_ip', turn.server, S, {relay_ip = 'nope'})\n"
        "fails('users', turn.server, S, {users = {alice = 5}})\n"
        "fails('ports', turn.server, S, {ports = {9, 3}})\n"
        "fails('bad argument #1', turn.server, 'S')\n"
        "local srv = turn.server(S, {users = {alice = 'pw'}})\n"
        "fails('user', turn.allocate, A, '10.0.0.1:3478', {password = 'pw'})\n"
        "fails('extra', turn.allocate, A, '10.0.0.1:3478', {user = 'a', password = 'p', extra = 1})\n"
        "fails('bad argument #2', turn.allocate, A, 'not an endpoint', {})\n"
        "local a = turn.allocate(A, '10.0.0.1:3478', {user = 'alice', password = 'pw'})\n"
        "sim.expect(tostring(a):find('turn allocation 10.0.0.1:', 1, true) ~= nil, tostring(a))\n"
        "fails('bad argument #2', a.permit, a, 'x.y')\n"
        "fails('bad argument #3', a.send, a, '10.0.0.9:1', {})\n"
        "fails('natsim.TurnAllocation', a.send, srv, '10.0.0.9:1', 'x')\n"
        "sim.expect(a:close() == true, 'closed')\n"
        "fails('is gone', a.relayed, a)\n"
        "sim.expect(srv:allocations() == 0, 'no allocation left')\n";
    run_ok(src, 16);
}

static void test_refusals(void)
{
    const char *src =
        "local srv = turn.server(S, {users = {alice = 'pw'}, quota = 1})\n"
        "local a, e = turn.allocate(A, '10.0.0.1:3478', {user = 'alice', password = 'no'})\n"
        "sim.expect(a == nil and e == '401 Unauthorized', tostring(e))\n"
        "a = turn.allocate(A, '10.0.0.1:3478', {user = 'alice', password = 'pw'})\n"
        "local b, e2 = turn.allocate(A, '10.0.0.1:3478', {user = 'alice', password = 'pw'})\n"
        "sim.expect(b == nil and e2 == '486 Allocation Quota Reached', tostring(e2))\n"
        "local c, e3 = turn.allocate(A, '10.0.0.1:9', {user = 'alice', password = 'pw',\n"
        "                                           timeout = '2s'})\n"
        "sim.expect(c == nil and e3 == 'timeout', tostring(e3))\n"
        "sim.expect(a:permit('10.0.0.7') == true, 'permit')\n"
        "sim.expect(a:refresh() == true, 'refresh')\n"
        "sim.expect(srv:stats().allocations == 1, 'one allocation made')\n";
    run_ok(src, 6);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/turn/lua/misuse", test_misuse);
    g_test_add_func("/turn/lua/refusals", test_refusals);
    return g_test_run();
}
