/* sim/lua/lua_socket.c — UDP sockets and ping from Lua, over sim/socket.h.
 *
 *   local s = A:udp{port=1211}
 *   s:sendto("hello", "68.36.210.57", 21199)        s:sendto("hello", "68.36.210.57:21199")
 *   local data, ip, port = s:recv(2)                 -- nil, "timeout" after 2 s
 *   s:on_recv(function(data, ip, port) ... end)      s:close()
 *   local rtt, err = A:ping("68.36.210.57", {timeout=1})
 *
 * Datagrams arriving from the engine are copied into a queue and handed to Lua from a
 * scheduler event at the same virtual time (a woken recv() or one on_recv task per datagram),
 * so no Lua runs inside the stack's receive path. */
#include "sim/lua/simlua_priv.h"

#include <errno.h>
#include <string.h>
#include "sim/socket.h"

#define SOCK_QUEUE_BYTES (256 * 1024) /* like a default SO_RCVBUF */

typedef struct dgram {
    sim_ep from;
    int err;        /* an ICMP error (on_error) instead of data */
    size_t len;
    uint8_t data[];
} dgram;

typedef struct simlua_sock {
    simlua *s;
    sim_sock *sock;
    sim_ref ref;
    GQueue queue;           /* of dgram *: data for recv() / on_recv */
    GQueue errors;          /* of dgram *: errors for on_error */
    size_t queued;          /* bytes in queue */
    simlua_cond *readable;  /* recv() waiters */
    sim_event_id drain;     /* pending hand-over to callbacks */
    int on_recv, on_error;  /* registry references or LUA_NOREF */
} simlua_sock;

static simlua_sock *check_sock(lua_State *L, int idx)
{
    return simlua_check_handle(L, idx, SIMLUA_SOCKET, SIMLUA_REF_SOCKET);
}

static void sock_free(simlua_sock *sk)
{
    simlua *s = sk->s;
    sim_sock_close(sk->sock);
    sim_world_ref_drop(s->w, sk->ref);
    sim_sched_cancel(sim_world_sched(s->w), sk->drain);
    g_queue_clear_full(&sk->queue, g_free);
    g_queue_clear_full(&sk->errors, g_free);
    simlua_cond_free(sk->readable); /* recv() waiters wake with false and see "closed" */
    luaL_unref(s->L, LUA_REGISTRYINDEX, sk->on_recv);
    luaL_unref(s->L, LUA_REGISTRYINDEX, sk->on_error);
    g_hash_table_remove(s->socks, sk);
    g_free(sk);
}

void simlua_close_sockets(simlua *s)
{
    GHashTableIter it;
    gpointer sk;
    for (;;) {
        g_hash_table_iter_init(&it, s->socks);
        if (!g_hash_table_iter_next(&it, &sk, NULL))
            break;
        sock_free(sk);
    }
}

/* ---- from the engine ---- */

/* Starts one callback task per queued item, in arrival order. */
static void drain_cb(void *ctx, void *arg)
{
    simlua_sock *sk = arg;
    simlua *s = sk->s;
    lua_State *L = s->L;
    sk->drain = (sim_event_id){ 0, 0 };
    sim_time_t now = sim_world_now(s->w);
    dgram *d;
    while (sk->on_recv != LUA_NOREF && (d = g_queue_pop_head(&sk->queue))) {
        sk->queued -= d->len;
        lua_rawgeti(L, LUA_REGISTRYINDEX, sk->on_recv);
        lua_pushlstring(L, (const char *)d->data, d->len);
        simlua_push_ip(L, &d->from.ip);
        lua_pushinteger(L, d->from.port);
        simlua_task_new(L, 3, now);
        g_free(d);
    }
    while ((d = g_queue_pop_head(&sk->errors))) {
        if (sk->on_error != LUA_NOREF) {
            lua_rawgeti(L, LUA_REGISTRYINDEX, sk->on_error);
            lua_pushstring(L, simlua_strerror(d->err));
            simlua_push_ip(L, &d->from.ip);
            lua_pushinteger(L, d->from.port);
            simlua_task_new(L, 3, now);
        }
        g_free(d);
    }
}

static void schedule_drain(simlua_sock *sk)
{
    sim_sched *sched = sim_world_sched(sk->s->w);
    if (!sim_sched_pending(sched, sk->drain))
        sk->drain = sim_sched_at(sched, sim_world_now(sk->s->w), drain_cb, sk->s, sk);
}

static void recv_cb(sim_sock *sock, const uint8_t *data, size_t len, const sim_ep *from,
                    const sim_ep *to, void *ctx)
{
    simlua_sock *sk = ctx;
    if (sk->queued + len > SOCK_QUEUE_BYTES) {
        sim_node_drop(sim_sock_node(sock), NULL, NULL, SIM_DROP_QUEUE_FULL,
                      "socket receive queue full (nobody calls recv?)");
        return;
    }
    dgram *d = g_malloc(sizeof *d + len);
    d->from = *from;
    d->err = 0;
    d->len = len;
    memcpy(d->data, data, len);
    g_queue_push_tail(&sk->queue, d);
    sk->queued += len;
    if (sk->on_recv != LUA_NOREF)
        schedule_drain(sk);
    else
        simlua_cond_signal(sk->readable);
}

static void error_cb(sim_sock *sock, int err, const sim_ep *remote, void *ctx)
{
    simlua_sock *sk = ctx;
    if (sk->on_error == LUA_NOREF)
        return;
    dgram *d = g_malloc0(sizeof *d);
    d->from = *remote;
    d->err = err;
    g_queue_push_tail(&sk->errors, d);
    schedule_drain(sk);
}

/* ---- Node:udp ---- */

static void push_sock(lua_State *L, simlua_sock *sk)
{
    simlua_push_handle(L, SIMLUA_SOCKET, sk->ref);
}

/* node:udp{port=, ip=, reuse=, family=} or node:udp(port): a bound UDP socket (port 0 or nil:
 * an ephemeral port). */
int simlua_node_udp(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    static const char *const keys[] = { "port", "ip", "reuse", "family", NULL };
    lua_Integer port = 0, family = 4;
    sim_ip ip = { 0 };
    bool reuse = false;
    if (lua_type(L, 2) == LUA_TNUMBER) {
        port = luaL_checkinteger(L, 2);
    } else {
        simlua_check_options(L, 2, keys);
        port = simlua_opt_int(L, 2, "port", 0);
        reuse = simlua_opt_bool(L, 2, "reuse", false);
        family = simlua_opt_int(L, 2, "family", 4);
        const char *ips = simlua_opt_str(L, 2, "ip", NULL);
        if (ips && sim_ip_parse(ips, &ip) < 0)
            return luaL_argerror(L, 2, lua_pushfstring(L, "option 'ip': '%s' is not an IP "
                                                          "address", ips));
        if (ips)
            family = ip.family;
    }
    if (port < 0 || port > 65535)
        return luaL_argerror(L, 2, "port in 0..65535 expected");
    if (family != 4 && family != 6)
        return luaL_argerror(L, 2, "option 'family': 4 or 6 expected");
    if (!ip.family)
        ip.family = (uint8_t)family;
    sim_sock *sock = sim_udp_open(n, (int)family);
    if (!sock)
        return luaL_error(L, "%s: cannot open a UDP socket", n->name);
    sim_sock_set_reuseaddr(sock, reuse);
    sim_ep local = { ip, (uint16_t)port };
    int rc = sim_sock_bind(sock, &local);
    if (rc < 0) {
        sim_sock_close(sock);
        char buf[SIM_EP_STRLEN];
        return luaL_error(L, "%s: cannot bind UDP %s (%s)", n->name,
                          sim_ep_fmt(&local, buf, sizeof buf), simlua_strerror(rc));
    }
    simlua *s = simlua_from(L);
    simlua_sock *sk = g_new0(simlua_sock, 1);
    sk->s = s;
    sk->sock = sock;
    sk->ref = sim_world_ref_new(s->w, sk, SIMLUA_REF_SOCKET);
    g_queue_init(&sk->queue);
    g_queue_init(&sk->errors);
    sk->readable = simlua_cond_new(L);
    sk->on_recv = sk->on_error = LUA_NOREF;
    g_hash_table_add(s->socks, sk);
    sim_sock_on_recv(sock, recv_cb, sk);
    sim_sock_on_error(sock, error_cb, sk);
    push_sock(L, sk);
    return 1;
}

/* ---- natsim.Socket ---- */

/* What s:sendto / s:send return: true, or nil and the reason. */
static int push_send_result(lua_State *L, int rc)
{
    if (rc == 0) {
        lua_pushboolean(L, 1);
        return 1;
    }
    luaL_pushfail(L);
    lua_pushstring(L, rc == -EDESTADDRREQ ? "not connected (use s:connect or s:sendto)"
                                          : simlua_strerror(rc));
    return 2;
}

/* s:sendto(data, ip, port) or s:sendto(data, "ip:port"): true, or nil and an error. */
static int sock_sendto(lua_State *L)
{
    simlua_sock *sk = check_sock(L, 1);
    size_t len;
    const char *data = luaL_checklstring(L, 2, &len);
    sim_ep to;
    simlua_check_ep(L, 3, &to);
    return push_send_result(L, sim_sock_sendto(sk->sock, data, len, &to));
}

/* s:send(data): to the connected peer. */
static int sock_send(lua_State *L)
{
    simlua_sock *sk = check_sock(L, 1);
    size_t len;
    const char *data = luaL_checklstring(L, 2, &len);
    return push_send_result(L, sim_sock_sendto(sk->sock, data, len, NULL));
}

/* s:connect(ip, port) or s:connect("ip:port"): default peer; only its datagrams arrive. */
static int sock_connect(lua_State *L)
{
    simlua_sock *sk = check_sock(L, 1);
    sim_ep to;
    simlua_check_ep(L, 2, &to);
    int rc = sim_sock_connect(sk->sock, &to);
    if (rc < 0)
        return luaL_error(L, "connect: %s", simlua_strerror(rc));
    return 0;
}

/* Pops the first datagram and pushes data, ip, port. */
static int push_dgram(lua_State *L, simlua_sock *sk)
{
    dgram *d = g_queue_pop_head(&sk->queue);
    sk->queued -= d->len;
    lua_pushlstring(L, (const char *)d->data, d->len);
    simlua_push_ip(L, &d->from.ip);
    lua_pushinteger(L, d->from.port);
    g_free(d);
    return 3;
}

static int recv_wait(lua_State *L, simlua_sock *sk, sim_time_t deadline);

/* Continuation of recv(): the wake-up value (true: data may be there) is on top. */
static int recv_k(lua_State *L, int status, lua_KContext ctx)
{
    sim_time_t deadline = (sim_time_t)(uintptr_t)ctx;
    bool signalled = lua_toboolean(L, -1);
    lua_pop(L, 1);
    simlua_sock *sk = simlua_handle_get(L, 1, SIMLUA_SOCKET, SIMLUA_REF_SOCKET);
    if (!sk) {
        luaL_pushfail(L);
        lua_pushliteral(L, "closed");
        return 2;
    }
    if (sk->queue.length && sk->on_recv == LUA_NOREF)
        return push_dgram(L, sk);
    if (!signalled || sim_world_now(sk->s->w) >= deadline) {
        luaL_pushfail(L);
        lua_pushliteral(L, "timeout");
        return 2;
    }
    return recv_wait(L, sk, deadline); /* another task took it: wait on */
}

static int recv_wait(lua_State *L, simlua_sock *sk, sim_time_t deadline)
{
    sim_time_t now = sim_world_now(sk->s->w);
    sim_time_t timeout = deadline == SIM_TIME_NEVER ? SIM_TIME_NEVER : deadline - now;
    return simlua_cond_wait(L, sk->readable, timeout, (lua_KContext)(uintptr_t)deadline, recv_k);
}

/* s:recv([timeout]): blocks until a datagram arrives; returns data, ip, port, or nil and
 * "timeout" / "closed". */
static int sock_recv(lua_State *L)
{
    simlua_sock *sk = check_sock(L, 1);
    sim_time_t timeout = lua_isnoneornil(L, 2) ? SIM_TIME_NEVER : simlua_check_time(L, 2);
    lua_settop(L, 1);
    if (sk->on_recv != LUA_NOREF)
        return luaL_error(L, "recv: this socket has an on_recv callback, which gets every "
                             "datagram");
    if (sk->queue.length)
        return push_dgram(L, sk);
    simlua_check_task(L, "s:recv");
    sim_time_t now = sim_world_now(sk->s->w);
    sim_time_t deadline = timeout == SIM_TIME_NEVER ? SIM_TIME_NEVER
                          : timeout >= SIM_TIME_NEVER - now ? SIM_TIME_NEVER - 1
                                                            : now + timeout;
    return recv_wait(L, sk, deadline);
}

/* Replaces callback reference *slot with argument 2 (a function, or nil to remove). */
static void set_callback(lua_State *L, int *slot)
{
    if (!lua_isnil(L, 2))
        luaL_checktype(L, 2, LUA_TFUNCTION);
    luaL_unref(L, LUA_REGISTRYINDEX, *slot);
    lua_settop(L, 2);
    *slot = lua_isnil(L, 2) ? LUA_NOREF : luaL_ref(L, LUA_REGISTRYINDEX);
}

/* s:on_recv(function(data, ip, port) ... end): each datagram starts the function as a task. */
static int sock_on_recv(lua_State *L)
{
    simlua_sock *sk = check_sock(L, 1);
    set_callback(L, &sk->on_recv);
    if (sk->on_recv != LUA_NOREF && sk->queue.length)
        schedule_drain(sk);
    return 0;
}

/* s:on_error(function(err, ip, port) ... end): ICMP errors for what the socket sent. */
static int sock_on_error(lua_State *L)
{
    set_callback(L, &check_sock(L, 1)->on_error);
    return 0;
}

static int group_call(lua_State *L, bool join)
{
    simlua_sock *sk = check_sock(L, 1);
    sim_ip group = simlua_check_ip(L, 2);
    if (!sim_ip_is_multicast(&group))
        return luaL_argerror(L, 2, "multicast group expected");
    sim_iface *i = lua_isnoneornil(L, 3) ? NULL : simlua_check_iface(L, 3);
    int rc = join ? sim_sock_join(sk->sock, &group, i) : sim_sock_leave(sk->sock, &group, i);
    if (rc < 0)
        return luaL_error(L, "%s %s: %s", join ? "join" : "leave", lua_tostring(L, 2),
                          simlua_strerror(rc));
    return 0;
}

/* s:join(group [, iface]) / s:leave(group [, iface]): multicast membership. */
static int sock_join(lua_State *L) { return group_call(L, true); }
static int sock_leave(lua_State *L) { return group_call(L, false); }

/* s:local_addr(): ip, port the socket is bound to. */
static int sock_local_addr(lua_State *L)
{
    sim_ep ep = sim_sock_local(check_sock(L, 1)->sock);
    if (!ep.ip.family)
        ep.ip.family = SIM_AF_INET;
    simlua_push_ip(L, &ep.ip);
    lua_pushinteger(L, ep.port);
    return 2;
}

static int ttl_call(lua_State *L, int (*set)(sim_sock *, unsigned))
{
    simlua_sock *sk = check_sock(L, 1);
    lua_Integer ttl = luaL_checkinteger(L, 2);
    if (ttl < 1 || ttl > 255 || set(sk->sock, (unsigned)ttl) < 0)
        return luaL_argerror(L, 2, "TTL in 1..255 expected");
    return 0;
}

/* s:set_ttl(n): TTL / hop limit of unicast datagrams. */
static int sock_set_ttl(lua_State *L) { return ttl_call(L, sim_sock_set_ttl); }
/* s:set_mcast_ttl(n): TTL of multicast datagrams (default 1). */
static int sock_set_mcast_ttl(lua_State *L) { return ttl_call(L, sim_sock_set_mcast_ttl); }

/* s:close(): closes the socket; the handle is stale from now on. Closing twice is an error. */
static int sock_close(lua_State *L)
{
    sock_free(check_sock(L, 1));
    return 0;
}

/* s:node(): the node the socket belongs to. */
static int sock_node(lua_State *L)
{
    simlua_push_node(L, sim_sock_node(check_sock(L, 1)->sock));
    return 1;
}

/* "<udp A 0.0.0.0:1211>" or "<udp closed>" */
static int sock_tostring(lua_State *L)
{
    simlua_sock *sk = simlua_handle_get(L, 1, SIMLUA_SOCKET, SIMLUA_REF_SOCKET);
    if (!sk) {
        lua_pushliteral(L, "<udp closed>");
        return 1;
    }
    sim_ep ep = sim_sock_local(sk->sock);
    if (!ep.ip.family)
        ep.ip.family = SIM_AF_INET;
    char buf[SIM_EP_STRLEN];
    lua_pushfstring(L, "<udp %s %s>", sim_sock_node(sk->sock)->name,
                    sim_ep_fmt(&ep, buf, sizeof buf));
    return 1;
}

/* ---- ping ---- */

typedef struct ping_wait {
    simlua *s;
    sim_ref task;   /* the waiting task (stale if it was cancelled meanwhile) */
} ping_wait;

static void ping_done(void *ctx, int err, sim_time_t rtt, unsigned ttl)
{
    ping_wait *pw = ctx;
    simlua_task *t = sim_world_ref_get(pw->s->w, pw->task, SIMLUA_REF_TASK);
    if (t) {
        if (err == 0) {
            lua_pushnumber(t->co, sim_time_sec(rtt));
            lua_pushinteger(t->co, ttl);
        } else {
            luaL_pushfail(t->co);
            lua_pushstring(t->co, err == -ETIMEDOUT ? "timeout" : simlua_strerror(err));
        }
        simlua_task_wake(t, 2);
    }
    g_hash_table_remove(pw->s->pings, pw);
}

/* node:ping(ip, {timeout=1, size=56}): blocks until the echo reply; returns the round-trip
 * time in seconds and the reply's TTL, or nil and "timeout" / an ICMP error. */
int simlua_node_ping(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    sim_ip dst = simlua_check_ip(L, 2);
    static const char *const keys[] = { "timeout", "size", NULL };
    simlua_check_options(L, 3, keys);
    sim_time_t timeout = simlua_opt_time(L, 3, "timeout", 1 * SIM_SEC);
    lua_Integer size = simlua_opt_int(L, 3, "size", 56);
    if (size < 0 || size > 65000)
        return luaL_argerror(L, 3, "option 'size': 0..65000 bytes expected");
    simlua_task *t = simlua_check_task(L, "node:ping");
    ping_wait *pw = g_new(ping_wait, 1);
    pw->s = t->th.s;
    pw->task = simlua_task_ref(t);
    int rc = sim_ping(n, &dst, (size_t)size, timeout, ping_done, pw);
    if (rc == 0)
        g_hash_table_add(pw->s->pings, pw);
    if (rc < 0) {
        g_free(pw);
        luaL_pushfail(L);
        lua_pushstring(L, simlua_strerror(rc));
        return 2;
    }
    return simlua_task_block(L, t);
}

void simlua_open_sockets(lua_State *L)
{
    static const luaL_Reg methods[] = {
        { "sendto", sock_sendto }, { "send", sock_send }, { "connect", sock_connect },
        { "recv", sock_recv }, { "on_recv", sock_on_recv }, { "on_error", sock_on_error },
        { "join", sock_join }, { "leave", sock_leave }, { "local_addr", sock_local_addr },
        { "set_ttl", sock_set_ttl }, { "set_mcast_ttl", sock_set_mcast_ttl },
        { "close", sock_close }, { "node", sock_node }, { NULL, NULL },
    };
    static const luaL_Reg meta[] = { { "__tostring", sock_tostring }, { NULL, NULL } };
    simlua_new_class(L, SIMLUA_SOCKET, methods, meta);
}
