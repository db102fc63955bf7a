/* protocols/stun/stun_priv.h — internals shared by the STUN driver files (stun_sim.c for UDP
 * and the app lifecycle, stun_sim_tcp.c for TCP connections). Not a public header. */
#ifndef PROTOCOLS_STUN_STUN_PRIV_H
#define PROTOCOLS_STUN_STUN_PRIV_H

#include "protocols/stun/stun.h"
#include "sim/socket.h"
#include "sim/timer.h"

typedef struct stun_rx_ctx {
    stun_app *app;
    size_t idx;
} stun_rx_ctx;

/* One TCP connection of an app: a server's accepted one or a client's own. */
typedef struct stun_conn {
    stun_app *app;
    sim_sock *sock;
    sim_ep remote;
    bool up;               /* ESTABLISHED: the client may send */
    stun_stream rd;
} stun_conn;

struct stun_app {
    sim_world *world;
    sim_node *node;
    bool running;          /* false once stopped: sockets closed, cores freed */
    size_t n_socks;
    sim_sock *socks[STUN_SERVER_LOCAL_MAX];
    stun_rx_ctx rx[STUN_SERVER_LOCAL_MAX];
    sim_sock *listener;    /* TCP server: listening on the primary endpoint */
    GPtrArray *conns;      /* of stun_conn *: a server's (accept order) or a TCP client's one */
    bool tcp_client;       /* the client core runs over conns[0] */
    const char *tcp_why;   /* static reason the client's connection ended (NULL: fine) */
    stun_app_tcp_stats tcp;
    sim_timer *timer;
    sim_ref ref;
    stun_server *server;
    stun_client *client;
    stun_discovery *disc;
    bool disc_logged;
    stun_app_done_fn done;
    void *done_ctx;
    stun_app_notify_fn notify;
    void *notify_ctx;
};

/* stun_sim.c: sends what the core queued, reports, re-arms the timer and notifies. */
void stun_app_kick(stun_app *a);

/* stun_sim_tcp.c */
/* Listens on the server core's primary endpoint. Returns 0, or -1 with err set. */
int stun_tcp_listen(stun_app *a, GError **err);
/* Opens the client's connection to server from local port `port`. Returns 0, or -1 with err. */
int stun_tcp_connect(stun_app *a, int family, uint16_t port, const sim_ep *server,
                     GError **err);
/* Sends the client core's queued requests on its connection once it is up. */
void stun_tcp_flush_client(stun_app *a);
/* Closes the listener and every connection. */
void stun_tcp_close_all(stun_app *a);

#endif
