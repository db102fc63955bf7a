/* sim/lua/lua_tcp.c — TCP sockets from Lua, over sim/socket.h (RFC 9293 in the stack).
 *
 *   local l = B:tcp_listen{port=80, backlog=8, reuse=true}
 *   local c = l:accept(5)                               -- nil, "timeout" after 5 s
 *   local c, err = A:tcp_connect{to="10.0.0.2:80", port=1234, reuse=true, timeout="5s"}
 *   c:send(data)          -- blocks until all of data is queued; true or nil, err
 *   local d, err = c:recv(2)                            -- data, or nil and "eof" / "timeout"
 *   c:shutdown()  c:close()  c:abort()  c:state()  c:local_addr()  c:remote_addr()
 *
 * Every engine callback of a socket only signals its condition; the blocked calls (connect,
 * accept, send, recv) wake up in a scheduler event and look again, so no Lua ever runs inside
 * the stack. Sockets are owned by the script's state and closed when the run ends. */
#include "sim/lua/simlua_priv.h"

#include <errno.h>
#include <string.h>
#include "sim/socket.h"

#define RECV_MAX (64 * 1024) /* bytes one recv() returns at most */

typedef struct simlua_tcp {
    simlua *s;
    sim_sock *sock;
    sim_ref ref;
    simlua_cond *cond;   /* signalled on every event of the socket */
    bool listener;
    bool connecting;     /* tcp_connect waits for `connected` */
    int conn_err;
} simlua_tcp;

static simlua_tcp *check_tcp(lua_State *L, int idx)
{
    return simlua_check_handle(L, idx, SIMLUA_TCP, SIMLUA_REF_TCP);
}

/* The handle of argument 1 after a wait, or NULL when the socket was closed meanwhile. */
static simlua_tcp *tcp_after_wait(lua_State *L)
{
    return simlua_handle_get(L, 1, SIMLUA_TCP, SIMLUA_REF_TCP);
}

static const char *tcp_strerror(int err)
{
    switch (-err) {
    case ETIMEDOUT: return "timed out";
    case ECONNRESET: return "connection reset";
    case ECONNABORTED: return "connection aborted";
    case EPIPE: return "shut down for sending";
    case ENOTCONN: return "not connected";
    case EISCONN: return "already connected";
    }
    return simlua_strerror(err);
}

static int push_fail(lua_State *L, const char *why)
{
    luaL_pushfail(L);
    lua_pushstring(L, why);
    return 2;
}

static void tcp_free(simlua_tcp *t)
{
    simlua *s = t->s;
    sim_sock_close(t->sock);
    sim_world_ref_drop(s->w, t->ref);
    simlua_cond_free(t->cond); /* waiters wake with false and see "closed" */
    g_hash_table_remove(s->tcps, t);
    g_free(t);
}

void simlua_close_tcp(simlua *s)
{
    GHashTableIter it;
    gpointer t;
    for (;;) {
        g_hash_table_iter_init(&it, s->tcps);
        if (!g_hash_table_iter_next(&it, &t, NULL))
            break;
        tcp_free(t);
    }
}

/* ---- from the engine: wake whoever waits ---- */

static void on_connected(sim_sock *sock, int err, void *ctx)
{
    simlua_tcp *t = ctx;
    t->connecting = false;
    t->conn_err = err;
    simlua_cond_signal(t->cond);
}

static void on_event(sim_sock *sock, void *ctx) { simlua_cond_signal(((simlua_tcp *)ctx)->cond); }

static void on_closed(sim_sock *sock, int err, void *ctx) { on_event(sock, ctx); }

static simlua_tcp *tcp_wrap(lua_State *L, sim_sock *sock, bool listener)
{
    simlua *s = simlua_from(L);
    simlua_tcp *t = g_new0(simlua_tcp, 1);
    t->s = s;
    t->sock = sock;
    t->listener = listener;
    t->ref = sim_world_ref_new(s->w, t, SIMLUA_REF_TCP);
    t->cond = simlua_cond_new(L);
    g_hash_table_add(s->tcps, t);
    sim_tcp_cbs cbs = { on_connected, on_event, on_event, on_event, on_closed, t };
    sim_tcp_set_callbacks(sock, &cbs);
    return t;
}

/* Waits on t's condition until deadline; k continues with the wake-up value on top. */
static int tcp_wait(lua_State *L, simlua_tcp *t, sim_time_t deadline, lua_KContext ctx,
                    lua_KFunction k)
{
    sim_time_t now = sim_world_now(t->s->w);
    sim_time_t timeout = deadline == SIM_TIME_NEVER ? SIM_TIME_NEVER
                         : deadline > now          ? deadline - now
                                                   : 0;
    return simlua_cond_wait(L, t->cond, timeout, ctx, k);
}

/* The deadline for an optional timeout argument idx (nil: none). */
static sim_time_t deadline_of(lua_State *L, int idx, sim_time_t timeout_or_never)
{
    sim_time_t now = sim_world_now(simlua_world(L));
    sim_time_t to = timeout_or_never;
    if (!lua_isnoneornil(L, idx))
        to = simlua_check_time(L, idx);
    if (to == SIM_TIME_NEVER)
        return SIM_TIME_NEVER;
    return to >= SIM_TIME_NEVER - now ? SIM_TIME_NEVER - 1 : now + to;
}

/* ---- option tables ---- */

static const char *const listen_keys[] = { "port", "ip", "family", "reuse", "mss", "sndbuf",
                                           "rcvbuf", "rto_min", "msl", "backlog", NULL };
static const char *const connect_keys[] = { "to", "port", "ip", "reuse", "timeout", "mss",
                                            "sndbuf", "rcvbuf", "rto_min", "msl", NULL };

/* Opens and binds a TCP socket from option table 2 (keys above; `to` decides the family;
 * "family" is read only for listeners, connect_keys rejects it). */
static sim_sock *open_from_opts(lua_State *L, sim_node *n, const sim_ep *to)
{
    lua_Integer port = simlua_opt_int(L, 2, "port", 0);
    lua_Integer family = to ? to->ip.family : simlua_opt_int(L, 2, "family", 4);
    sim_ip ip = { 0 };
    const char *ips = simlua_opt_str(L, 2, "ip", NULL);
    if (ips && sim_ip_parse(ips, &ip) < 0)
        return luaL_argerror(L, 2, "option 'ip': not an IP address"), NULL;
    if (ips)
        family = ip.family;
    if (port < 0 || port > 65535)
        return luaL_argerror(L, 2, "option 'port': 0..65535 expected"), NULL;
    if (family != 4 && family != 6)
        return luaL_argerror(L, 2, "option 'family': 4 or 6 expected"), NULL;
    if (to && ips && to->ip.family != ip.family)
        return luaL_argerror(L, 2, "options 'ip' and 'to' of different families"), NULL;
    lua_Integer mss = simlua_opt_int(L, 2, "mss", 0);
    if (mss < 0 || mss > 1460)
        return luaL_argerror(L, 2, "option 'mss': 0..1460 expected"), NULL;
    sim_tcp_opts o = {
        .mss = (uint16_t)mss,
        .sndbuf = (uint32_t)MIN(simlua_opt_size(L, 2, "sndbuf", 0), 1u << 24),
        .rcvbuf = (uint32_t)MIN(simlua_opt_size(L, 2, "rcvbuf", 0), 65535u),
        .rto_min = simlua_opt_time(L, 2, "rto_min", 0),
        .msl = simlua_opt_time(L, 2, "msl", 0),
    };
    o.rto_initial = o.rto_min; /* a test's lower RTO applies from the first SYN */
    sim_sock *sock = sim_tcp_open(n, (int)family);
    sim_tcp_set_opts(sock, &o);
    sim_sock_set_reuseaddr(sock, simlua_opt_bool(L, 2, "reuse", false));
    if (!ip.family)
        ip.family = (uint8_t)family;
    sim_ep local = { ip, (uint16_t)port };
    int rc = port || ips ? sim_sock_bind(sock, &local) : 0;
    if (rc < 0) {
        sim_sock_close(sock);
        char buf[SIM_EP_STRLEN];
        luaL_error(L, "%s: cannot bind TCP %s (%s)", n->name, sim_ep_fmt(&local, buf, sizeof buf),
                   simlua_strerror(rc));
    }
    return sock;
}

/* node:tcp_listen{port=, ip=, family=, backlog=8, reuse=, mss=, ...}: a listening socket. */
int simlua_node_tcp_listen(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    simlua_check_options(L, 2, listen_keys);
    lua_Integer backlog = simlua_opt_int(L, 2, "backlog", 8);
    if (backlog < 1 || backlog > 4096)
        return luaL_argerror(L, 2, "option 'backlog': 1..4096 expected");
    sim_sock *sock = open_from_opts(L, n, NULL);
    int rc = sim_tcp_listen(sock, (unsigned)backlog);
    if (rc < 0) {
        sim_sock_close(sock);
        return luaL_error(L, "%s: cannot listen (%s)", n->name, simlua_strerror(rc));
    }
    simlua_push_handle(L, SIMLUA_TCP, tcp_wrap(L, sock, true)->ref);
    return 1;
}

static int connect_k(lua_State *L, int status, lua_KContext ctx)
{
    sim_time_t deadline = (sim_time_t)(uintptr_t)ctx;
    lua_pop(L, 1);
    simlua_tcp *t = tcp_after_wait(L);
    if (!t)
        return push_fail(L, "closed");
    if (!t->connecting) {
        if (t->conn_err == 0) {
            lua_pushvalue(L, 1);
            return 1;
        }
        int err = t->conn_err;
        tcp_free(t);
        return push_fail(L, tcp_strerror(err));
    }
    if (sim_world_now(t->s->w) >= deadline) {
        tcp_free(t); /* SYN-SENT: closing just forgets the connection */
        return push_fail(L, "timeout");
    }
    return tcp_wait(L, t, deadline, ctx, connect_k);
}

/* node:tcp_connect{to="ip:port", port=, ip=, reuse=, timeout=, mss=, ...}: blocks until the
 * connection is established; returns the socket, or nil and "connection refused" / "timed out"
 * / "timeout" / "network unreachable" ... */
int simlua_node_tcp_connect(lua_State *L)
{
    sim_node *n = simlua_check_node(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    simlua_check_options(L, 2, connect_keys);
    const char *tos = simlua_opt_str(L, 2, "to", NULL);
    sim_ep to;
    if (!tos || sim_ep_parse(tos, &to) < 0 || !to.port)
        return luaL_argerror(L, 2, "option 'to': \"ip:port\" expected");
    sim_time_t timeout = simlua_opt_time(L, 2, "timeout", SIM_TIME_NEVER);
    simlua_check_task(L, "node:tcp_connect");
    sim_sock *sock = open_from_opts(L, n, &to);
    simlua_tcp *t = tcp_wrap(L, sock, false);
    t->connecting = true;
    int rc = sim_tcp_connect(sock, &to);
    if (rc < 0) {
        tcp_free(t);
        return push_fail(L, tcp_strerror(rc));
    }
    lua_settop(L, 0);
    simlua_push_handle(L, SIMLUA_TCP, t->ref);
    lua_pushnil(L);
    sim_time_t now = sim_world_now(t->s->w);
    sim_time_t deadline = timeout == SIM_TIME_NEVER ? SIM_TIME_NEVER
                          : timeout >= SIM_TIME_NEVER - now ? SIM_TIME_NEVER - 1
                                                            : now + timeout;
    lua_pushboolean(L, 1);
    return connect_k(L, LUA_OK, (lua_KContext)(uintptr_t)deadline);
}

/* ---- natsim.TcpSocket ---- */

static simlua_tcp *check_conn(lua_State *L, const char *what)
{
    simlua_tcp *t = check_tcp(L, 1);
    if (t->listener)
        luaL_error(L, "%s: a listening socket has no connection (use accept)", what);
    return t;
}

static int accept_k(lua_State *L, int status, lua_KContext ctx)
{
    sim_time_t deadline = (sim_time_t)(uintptr_t)ctx;
    lua_pop(L, 1);
    simlua_tcp *t = tcp_after_wait(L);
    if (!t)
        return push_fail(L, "closed");
    sim_sock *c = sim_tcp_accept(t->sock);
    if (c) {
        simlua_push_handle(L, SIMLUA_TCP, tcp_wrap(L, c, false)->ref);
        return 1;
    }
    if (sim_world_now(t->s->w) >= deadline)
        return push_fail(L, "timeout");
    return tcp_wait(L, t, deadline, ctx, accept_k);
}

/* l:accept([timeout]): the next established connection, or nil and "timeout" / "closed". */
static int tcp_accept(lua_State *L)
{
    simlua_tcp *t = check_tcp(L, 1);
    if (!t->listener)
        return luaL_error(L, "accept: not a listening socket (made by node:tcp_listen)");
    sim_time_t deadline = deadline_of(L, 2, SIM_TIME_NEVER);
    simlua_check_task(L, "l:accept");
    lua_settop(L, 1);
    lua_pushboolean(L, 1);
    return accept_k(L, LUA_OK, (lua_KContext)(uintptr_t)deadline);
}

static int send_k(lua_State *L, int status, lua_KContext ctx)
{
    size_t off = (size_t)ctx, len;
    lua_pop(L, 1);
    simlua_tcp *t = tcp_after_wait(L);
    if (!t)
        return push_fail(L, "closed");
    const char *data = lua_tolstring(L, 2, &len);
    while (off < len) {
        ssize_t r = sim_tcp_send(t->sock, data + off, len - off);
        if (r < 0)
            return push_fail(L, tcp_strerror((int)r));
        if (r == 0)
            return tcp_wait(L, t, SIM_TIME_NEVER, (lua_KContext)off, send_k);
        off += (size_t)r;
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* c:send(data): queues all of data, blocking while the send buffer is full; true, or nil and
 * the connection's error. */
static int tcp_send(lua_State *L)
{
    simlua_tcp *t = check_conn(L, "send");
    luaL_checkstring(L, 2);
    lua_settop(L, 2);
    size_t len = lua_rawlen(L, 2);
    if (len > sim_tcp_writable(t->sock))
        simlua_check_task(L, "c:send (of more than the free send buffer)");
    lua_pushboolean(L, 1);
    return send_k(L, LUA_OK, 0);
}

static int recv_k(lua_State *L, int status, lua_KContext ctx)
{
    sim_time_t deadline = (sim_time_t)(uintptr_t)ctx;
    lua_pop(L, 1);
    simlua_tcp *t = tcp_after_wait(L);
    if (!t)
        return push_fail(L, "closed");
    size_t avail = sim_tcp_readable(t->sock);
    if (avail) {
        size_t n = avail < RECV_MAX ? avail : RECV_MAX;
        luaL_Buffer b;
        char *p = luaL_buffinitsize(L, &b, n);
        ssize_t r = sim_tcp_recv(t->sock, p, n);
        luaL_pushresultsize(&b, r > 0 ? (size_t)r : 0);
        return 1;
    }
    char one;
    ssize_t r = sim_tcp_recv(t->sock, &one, 1); /* nothing readable: EOF, error or EAGAIN */
    if (r == 0)
        return push_fail(L, "eof");
    if (r != -EAGAIN)
        return push_fail(L, tcp_strerror((int)r));
    if (sim_world_now(t->s->w) >= deadline)
        return push_fail(L, "timeout");
    return tcp_wait(L, t, deadline, ctx, recv_k);
}

/* c:recv([timeout]): the bytes that have arrived (up to 64 KiB, at least one), blocking until
 * some do; nil and "eof" after the peer's FIN, "timeout", "closed", or the error. */
static int tcp_recv(lua_State *L)
{
    check_conn(L, "recv");
    sim_time_t deadline = deadline_of(L, 2, SIM_TIME_NEVER);
    lua_settop(L, 1);
    if (!sim_tcp_readable(check_tcp(L, 1)->sock))
        simlua_check_task(L, "c:recv");
    lua_pushboolean(L, 1);
    return recv_k(L, LUA_OK, (lua_KContext)(uintptr_t)deadline);
}

/* c:shutdown(): no more sending (FIN after the queued data); receiving goes on. */
static int tcp_shutdown(lua_State *L)
{
    simlua_tcp *t = check_conn(L, "shutdown");
    int rc = sim_tcp_shutdown(t->sock);
    if (rc < 0)
        return push_fail(L, tcp_strerror(rc));
    lua_pushboolean(L, 1);
    return 1;
}

/* c:abort(): RST now; the socket stays (state CLOSED) until close(). */
static int tcp_abort(lua_State *L)
{
    sim_tcp_abort(check_tcp(L, 1)->sock);
    return 0;
}

/* c:close(): graceful close; the handle is stale from now on (the connection finishes). */
static int tcp_close(lua_State *L)
{
    tcp_free(check_tcp(L, 1));
    return 0;
}

/* c:state(): "ESTABLISHED", "LISTEN", "TIME-WAIT" ... */
static int tcp_state(lua_State *L)
{
    lua_pushstring(L, sim_tcp_state(check_tcp(L, 1)->sock));
    return 1;
}

/* c:error(): nil, or the error that ended the connection ("connection reset" ...). */
static int tcp_error(lua_State *L)
{
    int err = sim_tcp_error(check_tcp(L, 1)->sock);
    if (!err)
        return 0;
    lua_pushstring(L, tcp_strerror(err));
    return 1;
}

static int push_ep(lua_State *L, sim_ep ep, int family)
{
    if (!ep.ip.family)
        ep.ip.family = (uint8_t)family;
    simlua_push_ip(L, &ep.ip);
    lua_pushinteger(L, ep.port);
    return 2;
}

/* c:local_addr() / c:remote_addr(): ip, port. */
static int tcp_local_addr(lua_State *L)
{
    simlua_tcp *t = check_tcp(L, 1);
    sim_ep l = sim_sock_local(t->sock);
    return push_ep(L, l, SIM_AF_INET);
}

static int tcp_remote_addr(lua_State *L)
{
    simlua_tcp *t = check_conn(L, "remote_addr");
    return push_ep(L, sim_sock_remote(t->sock), SIM_AF_INET);
}

/* c:node(): the node the socket belongs to. */
static int tcp_node(lua_State *L)
{
    simlua_push_node(L, sim_sock_node(check_tcp(L, 1)->sock));
    return 1;
}

/* "<tcp A 10.0.0.1:49152 -> 10.0.0.2:80 ESTABLISHED>", "<tcp B 0.0.0.0:80 LISTEN>",
 * "<tcp closed>" */
static int tcp_tostring(lua_State *L)
{
    simlua_tcp *t = tcp_after_wait(L);
    if (!t) {
        lua_pushliteral(L, "<tcp closed>");
        return 1;
    }
    char a[SIM_EP_STRLEN], b[SIM_EP_STRLEN];
    sim_ep l = sim_sock_local(t->sock), r = sim_sock_remote(t->sock);
    if (!l.ip.family)
        l.ip.family = SIM_AF_INET;
    const char *node = sim_sock_node(t->sock)->name;
    if (r.ip.family)
        lua_pushfstring(L, "<tcp %s %s -> %s %s>", node, sim_ep_fmt(&l, a, sizeof a),
                        sim_ep_fmt(&r, b, sizeof b), sim_tcp_state(t->sock));
    else
        lua_pushfstring(L, "<tcp %s %s %s>", node, sim_ep_fmt(&l, a, sizeof a),
                        sim_tcp_state(t->sock));
    return 1;
}

void simlua_open_tcp(lua_State *L)
{
    static const luaL_Reg methods[] = {
        { "accept", tcp_accept }, { "send", tcp_send }, { "recv", tcp_recv },
        { "shutdown", tcp_shutdown }, { "abort", tcp_abort }, { "close", tcp_close },
        { "state", tcp_state }, { "error", tcp_error }, { "local_addr", tcp_local_addr },
        { "remote_addr", tcp_remote_addr }, { "node", tcp_node }, { NULL, NULL },
    };
    static const luaL_Reg meta[] = { { "__tostring", tcp_tostring }, { NULL, NULL } };
    simlua_new_class(L, SIMLUA_TCP, methods, meta);
}
