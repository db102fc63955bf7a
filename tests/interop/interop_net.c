/* tests/interop/interop_net.c — UDP sockets (and TCP listeners and streams) on loopback, a
 * poll() loop and CLOCK_MONOTONIC for the interop programs (see interop_net.h). */
#include "tests/interop/interop_net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

sim_time_t inet_now(void)
{
    static sim_time_t start;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    sim_time_t t = (sim_time_t)ts.tv_sec * SIM_SEC + (sim_time_t)ts.tv_nsec;
    if (!start)
        start = t - 1; /* "now" is never 0, which some cores treat as unset */
    return t - start;
}

uint64_t inet_seed(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ((uint64_t)ts.tv_sec * SIM_SEC + (uint64_t)ts.tv_nsec) ^ ((uint64_t)getpid() << 40);
}

static bool is_loopback(const sim_ep *ep)
{
    return ep->ip.family == SIM_AF_INET && ep->ip.b[0] == 127;
}

static void to_sockaddr(const sim_ep *ep, struct sockaddr_in *sa)
{
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons(ep->port);
    memcpy(&sa->sin_addr, ep->ip.b, 4);
}

static sim_ep from_sockaddr(const struct sockaddr_in *sa)
{
    sim_ep ep = { .ip = sim_ip4_bytes((const uint8_t *)&sa->sin_addr), .port = ntohs(sa->sin_port) };
    return ep;
}

/* Adds fd (bound to local; a stream's peer) to the set. */
static void add(inet_set *s, int fd, const struct sockaddr_in *local, inet_kind kind,
                const sim_ep *peer, size_t *idx)
{
    if (kind == INET_STREAM) { /* messages, not bytes: no Nagle delay behind delayed ACKs */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    s->fd[s->n] = fd;
    s->ep[s->n] = from_sockaddr(local);
    s->kind[s->n] = (uint8_t)kind;
    s->peer[s->n] = peer ? *peer : (sim_ep){ 0 };
    if (idx)
        *idx = s->n;
    s->n++;
}

/* Closes fd after a call on it failed; returns that call's -errno. */
static int close_err(int fd)
{
    int err = -errno;
    close(fd);
    return err;
}

int inet_open(inet_set *s, const sim_ep *ep, size_t *idx)
{
    if (!is_loopback(ep) || s->n == INET_SOCKS_MAX)
        return -EINVAL;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -errno;
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    to_sockaddr(ep, &sa);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) != 0)
        return close_err(fd);
    add(s, fd, &sa, INET_UDP, NULL, idx);
    return 0;
}

int inet_listen(inet_set *s, const sim_ep *ep, size_t *idx)
{
    if (!is_loopback(ep) || s->n == INET_SOCKS_MAX)
        return -EINVAL;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), one = 1;
    if (fd < 0)
        return -errno;
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    to_sockaddr(ep, &sa);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) != 0)
        return close_err(fd);
    add(s, fd, &sa, INET_LISTEN, NULL, idx);
    return 0;
}

int inet_connect(inet_set *s, const sim_ep *local, const sim_ep *to, size_t *idx)
{
    if (!is_loopback(local) || !is_loopback(to) || s->n == INET_SOCKS_MAX)
        return -EINVAL;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    struct sockaddr_in sa, da;
    socklen_t sl = sizeof sa;
    to_sockaddr(local, &sa);
    sa.sin_port = 0;
    to_sockaddr(to, &da);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        connect(fd, (struct sockaddr *)&da, sizeof da) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) != 0)
        return close_err(fd);
    add(s, fd, &sa, INET_STREAM, to, idx);
    return 0;
}

int inet_find_stream(const inet_set *s, const sim_ep *peer)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->kind[i] == INET_STREAM && sim_ep_eq(&s->peer[i], peer))
            return (int)i;
    return -1;
}

void inet_close(inet_set *s, size_t idx)
{
    if (idx >= s->n)
        return;
    close(s->fd[idx]);
    s->n--;
    s->fd[idx] = s->fd[s->n];
    s->ep[idx] = s->ep[s->n];
    s->kind[idx] = s->kind[s->n];
    s->peer[idx] = s->peer[s->n];
}

void inet_close_all(inet_set *s)
{
    while (s->n)
        inet_close(s, s->n - 1);
}

int inet_find(const inet_set *s, const sim_ep *ep)
{
    for (size_t i = 0; i < s->n; i++)
        if (sim_ep_eq(&s->ep[i], ep))
            return (int)i;
    return -1;
}

int inet_send(inet_set *s, size_t idx, const sim_ep *to, const void *buf, size_t len)
{
    if (idx < s->n && s->kind[idx] == INET_STREAM) {
        for (size_t off = 0; off < len;) { /* a blocking socket: send() takes it all */
            ssize_t k = send(s->fd[idx], (const uint8_t *)buf + off, len - off, MSG_NOSIGNAL);
            if (k < 0)
                return -errno;
            off += (size_t)k;
        }
        return 0;
    }
    if (idx >= s->n || s->kind[idx] != INET_UDP || !is_loopback(to))
        return -EINVAL;
    struct sockaddr_in sa;
    to_sockaddr(to, &sa);
    if (sendto(s->fd[idx], buf, len, 0, (struct sockaddr *)&sa, sizeof sa) < 0)
        return -errno;
    return 0;
}

/* One non-blocking read from any readable socket, starting after the last one served so a busy
 * socket cannot starve the others. */
static int read_any(inet_set *s, const struct pollfd *pf, size_t *idx, sim_ep *from,
                    uint8_t *buf, size_t cap, size_t *len)
{
    for (size_t k = 0; k < s->n; k++) {
        size_t i = (s->next + k) % s->n;
        if (!(pf[i].revents & (POLLIN | POLLERR | POLLHUP)))
            continue;
        struct sockaddr_in sa;
        socklen_t sl = sizeof sa;
        if (s->kind[i] == INET_LISTEN) { /* a new connection: a blocking stream socket */
            int fd = accept4(s->fd[i], (struct sockaddr *)&sa, &sl, SOCK_CLOEXEC);
            sim_ep peer = from_sockaddr(&sa);
            if (fd >= 0 && s->n < INET_SOCKS_MAX &&
                getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
                add(s, fd, &sa, INET_STREAM, &peer, NULL);
            else if (fd >= 0)
                close(fd);
            continue;
        }
        if (s->kind[i] == INET_STREAM) { /* 0 bytes: closed or failed, the caller closes it */
            ssize_t n = recv(s->fd[i], buf, cap, 0);
            s->next = i + 1;
            *idx = i;
            *from = s->peer[i];
            *len = n > 0 ? (size_t)n : 0;
            return 1;
        }
        ssize_t n = recvfrom(s->fd[i], buf, cap, 0, (struct sockaddr *)&sa, &sl);
        if (n < 0)
            continue; /* ECONNREFUSED from an earlier send, EAGAIN: nothing to deliver */
        s->next = i + 1;
        *idx = i;
        *from = from_sockaddr(&sa);
        *len = (size_t)n;
        return 1;
    }
    return 0;
}

int inet_recv(inet_set *s, sim_time_t deadline, size_t *idx, sim_ep *from, uint8_t *buf,
              size_t cap, size_t *len)
{
    struct pollfd pf[INET_SOCKS_MAX];
    for (;;) {
        for (size_t i = 0; i < s->n; i++)
            pf[i] = (struct pollfd){ .fd = s->fd[i], .events = POLLIN };
        sim_time_t now = inet_now();
        int ms = -1;
        if (deadline != SIM_TIME_NEVER)
            ms = deadline <= now ? 0 : (int)((deadline - now + SIM_MS - 1) / SIM_MS);
        int r = poll(pf, s->n, ms);
        if (r < 0)
            return errno == EINTR ? 0 : -errno;
        if (r > 0 && read_any(s, pf, idx, from, buf, cap, len))
            return 1;
        if (r == 0 && inet_now() >= deadline)
            return 0;
    }
}

sim_ep inet_ep_arg(const char *s)
{
    sim_ep ep;
    if (sim_ep_parse(s, &ep) != 0 || !is_loopback(&ep)) {
        fprintf(stderr, "not a loopback IPv4 endpoint: %s\n", s);
        exit(2);
    }
    return ep;
}

const char *inet_ep_str(const sim_ep *ep)
{
    static char b[4][SIM_EP_STRLEN];
    static unsigned k;
    char *p = b[k++ % 4];
    return sim_ep_fmt(ep, p, SIM_EP_STRLEN);
}
