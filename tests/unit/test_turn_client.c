/* tests/unit/test_turn_client.c — the TURN client core against the real server core, wired back
 * to back with fake time (no simulator): the 401 dance, 438 on a stale nonce, refreshes of the
 * allocation, permissions and channels over an hour, Send/Data and ChannelData both ways,
 * deletion, and errors and timeouts reported as events. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "tests/unit/turn_fx.h"

typedef struct b2b {
    sim_rng rng;
    turn_server *s;
    turn_client *c;
    sim_ep listen, client_ep, peer;
    sim_time_t now;
    bool server_down;            /* drop everything the client sends */
    GArray *events;              /* of turn_event */
    GPtrArray *peer_rx;          /* of GBytes: what the peer received */
    sim_ep relay_from;           /* where the peer's datagrams came from */
} b2b;

static void b2b_init(b2b *t, const turn_server_cfg *scfg, const char *pass)
{
    memset(t, 0, sizeof *t);
    sim_rng_seed(&t->rng, 11);
    turn_server_cfg cfg = scfg ? *scfg : (turn_server_cfg){ 0 };
    cfg.listen = t->listen = ep("18.181.0.31:3478");
    cfg.realm = "example.org";
    t->s = turn_server_new(&cfg, &t->rng);
    turn_server_add_user(t->s, "alice", "secret");
    t->client_ep = ep("68.36.210.57:21199");
    t->peer = ep("138.76.29.7:4000");
    turn_client_cfg cc = { .server = t->listen, .username = "alice", .password = pass,
                           .stun = { .fingerprint = true } };
    t->c = turn_client_new(&cc, &t->rng);
    g_assert_nonnull(t->c);
    t->events = g_array_new(FALSE, FALSE, sizeof(turn_event));
    t->peer_rx = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
}

static void b2b_clear(b2b *t)
{
    turn_client_free(t->c);
    turn_server_free(t->s);
    g_array_free(t->events, TRUE);
    g_ptr_array_free(t->peer_rx, TRUE);
}

/* Moves datagrams until both outboxes are empty. */
static void pump(b2b *t)
{
    turn_out o;
    bool moved = true;
    while (moved) {
        moved = false;
        while (turn_client_pop(t->c, &o)) {
            moved = true;
            g_assert_true(sim_ep_eq(&o.to, &t->listen));
            if (!t->server_down)
                turn_server_input(t->s, t->now, &t->listen, &t->client_ep, o.data, o.len);
        }
        while (turn_server_pop(t->s, &o)) {
            moved = true;
            if (sim_ep_eq(&o.to, &t->client_ep)) {
                turn_client_input(t->c, t->now, &t->listen, o.data, o.len);
            } else {
                g_assert_true(sim_ep_eq(&o.to, &t->peer));
                t->relay_from = o.from;
                g_ptr_array_add(t->peer_rx, g_bytes_new(o.data, o.len));
            }
        }
    }
    turn_event ev;
    while (turn_client_pop_event(t->c, &ev))
        g_array_append_val(t->events, ev);
    turn_server_event sev;
    while (turn_server_pop_event(t->s, &sev))
        ;
}

/* Runs both cores' timers up to `until`. */
static void run_until(b2b *t, sim_time_t until)
{
    for (;;) {
        sim_time_t next = MIN(turn_client_next_deadline(t->c), turn_server_next_deadline(t->s));
        if (next > until)
            break;
        t->now = MAX(t->now, next);
        turn_client_timeout(t->c, t->now);
        turn_server_timeout(t->s, t->now);
        pump(t);
    }
    t->now = until;
}

static int count_events(const b2b *t, turn_event_kind k)
{
    int n = 0;
    for (guint i = 0; i < t->events->len; i++)
        n += g_array_index(t->events, turn_event, i).kind == k;
    return n;
}

static const turn_event *last_event(const b2b *t)
{
    g_assert_cmpuint(t->events->len, >, 0);
    return &g_array_index(t->events, turn_event, t->events->len - 1);
}

/* The peer sends to the relayed address. */
static void peer_send(b2b *t, const char *data)
{
    sim_ep relay;
    g_assert_cmpint(turn_client_relayed(t->c, &relay, NULL), ==, 0);
    turn_server_input(t->s, t->now, &relay, &t->peer, (const uint8_t *)data, strlen(data));
    pump(t);
}

static void allocate(b2b *t)
{
    g_assert_cmpint(turn_client_allocate(t->c, t->now), ==, 0);
    pump(t);
    g_assert_cmpint(turn_client_get_state(t->c), ==, TURN_CLIENT_ALLOCATED);
}

static void test_allocate(void)
{
    b2b t;
    b2b_init(&t, NULL, "secret");
    allocate(&t);
    const turn_event *ev = last_event(&t);
    g_assert_cmpint(ev->kind, ==, TURN_EV_ALLOCATED);
    assert_ep(&ev->mapped, "68.36.210.57:21199");
    g_assert_cmpuint(turn_client_get_stats(t.c)->auth_retries, ==, 1); /* 401, then in */
    g_assert_cmpuint(turn_client_last_error(t.c), ==, 401);
    g_assert_cmpuint(turn_server_n_allocations(t.s), ==, 1);
    g_assert_cmpint(turn_client_allocate(t.c, t.now), ==, -EALREADY);
    /* Close: Refresh with LIFETIME 0. */
    g_assert_cmpint(turn_client_close(t.c, t.now), ==, 0);
    pump(&t);
    g_assert_cmpint(turn_client_get_state(t.c), ==, TURN_CLIENT_CLOSED);
    g_assert_cmpint(last_event(&t)->kind, ==, TURN_EV_CLOSED);
    g_assert_cmpuint(turn_server_n_allocations(t.s), ==, 0);
    g_assert_cmpint(turn_client_permit(t.c, t.now, &t.peer.ip), ==, -ENOTCONN);
    b2b_clear(&t);
}

static void test_wrong_password(void)
{
    b2b t;
    b2b_init(&t, NULL, "guess");
    turn_client_allocate(t.c, 0);
    pump(&t);
    g_assert_cmpint(turn_client_get_state(t.c), ==, TURN_CLIENT_FAILED);
    const turn_event *ev = last_event(&t);
    g_assert_cmpint(ev->kind, ==, TURN_EV_ALLOCATE_FAILED);
    g_assert_cmpuint(ev->code, ==, 401);
    g_assert_cmpuint(turn_server_n_allocations(t.s), ==, 0);
    b2b_clear(&t);
}

static void test_quota_and_timeout(void)
{
    b2b t;
    b2b_init(&t, &(turn_server_cfg){ .quota = 1 }, "secret");
    allocate(&t);
    /* A second client of alice's behind another port: 486 reported. */
    turn_client *first = t.c;
    turn_client_cfg cc = { .server = t.listen, .username = "alice", .password = "secret" };
    t.c = turn_client_new(&cc, &t.rng);
    t.client_ep.port++;
    turn_client_allocate(t.c, t.now);
    pump(&t);
    g_assert_cmpint(last_event(&t)->kind, ==, TURN_EV_ALLOCATE_FAILED);
    g_assert_cmpuint(last_event(&t)->code, ==, 486);
    turn_client_free(t.c);
    /* No server: the STUN transaction gives up (RFC 8489 Rc/Rm, 39.5 s), code 0. */
    t.c = turn_client_new(&cc, &t.rng);
    t.server_down = true;
    turn_client_allocate(t.c, t.now);
    pump(&t);
    run_until(&t, t.now + 60 * SIM_SEC);
    g_assert_cmpint(last_event(&t)->kind, ==, TURN_EV_ALLOCATE_FAILED);
    g_assert_cmpuint(last_event(&t)->code, ==, 0);
    turn_client_free(t.c);
    t.c = first;
    b2b_clear(&t);
}

static void test_send_data(void)
{
    b2b t;
    b2b_init(&t, NULL, "secret");
    allocate(&t);
    sim_ep relay;
    turn_client_relayed(t.c, &relay, NULL);
    /* Before the permission the peer is not heard, and the client's Send is dropped. */
    peer_send(&t, "early");
    turn_rx rx;
    g_assert_false(turn_client_pop_rx(t.c, &rx));
    turn_client_send(t.c, t.now, &t.peer, (const uint8_t *)"lost", 4);
    pump(&t);
    g_assert_cmpuint(t.peer_rx->len, ==, 0);
    g_assert_cmpuint(turn_server_get_stats(t.s)->no_permission, ==, 2);
    /* Permission, then both ways through Send / Data indications. */
    g_assert_cmpint(turn_client_permit(t.c, t.now, &t.peer.ip), ==, 0);
    pump(&t);
    g_assert_cmpint(last_event(&t)->kind, ==, TURN_EV_PERMITTED);
    g_assert_true(turn_client_has_permission(t.c, &t.peer.ip));
    g_assert_cmpint(turn_client_send(t.c, t.now, &t.peer, (const uint8_t *)"hello", 5), ==, 0);
    pump(&t);
    g_assert_cmpuint(t.peer_rx->len, ==, 1);
    g_assert_true(sim_ep_eq(&t.relay_from, &relay));
    peer_send(&t, "world");
    g_assert_true(turn_client_pop_rx(t.c, &rx));
    g_assert_cmpmem(rx.data, rx.len, "world", 5);
    g_assert_true(sim_ep_eq(&rx.peer, &t.peer));
    g_assert_cmpuint(rx.channel, ==, 0);
    g_assert_cmpuint(turn_client_get_stats(t.c)->data_rcvd, ==, 1);
    /* An hour later the allocation and the permission are still there (refreshed). */
    run_until(&t, 3600 * SIM_SEC);
    g_assert_cmpint(turn_client_get_state(t.c), ==, TURN_CLIENT_ALLOCATED);
    g_assert_cmpint(count_events(&t, TURN_EV_REFRESHED), >=, 6);
    g_assert_cmpint(count_events(&t, TURN_EV_PERMITTED), >=, 15);
    peer_send(&t, "still");
    g_assert_true(turn_client_pop_rx(t.c, &rx));
    g_assert_cmpmem(rx.data, rx.len, "still", 5);
    g_assert_cmpuint(turn_server_n_allocations(t.s), ==, 1);
    g_assert_cmpint(turn_client_send(t.c, t.now, &t.peer, rx.data, TURN_DATA_MAX + 1), ==,
                    -EMSGSIZE);
    b2b_clear(&t);
}

static void test_stale_nonce(void)
{
    b2b t;
    b2b_init(&t, &(turn_server_cfg){ .nonce_lifetime = 100 * SIM_SEC }, "secret");
    allocate(&t);
    t.now = 150 * SIM_SEC;
    turn_client_permit(t.c, t.now, &t.peer.ip);
    pump(&t);
    g_assert_cmpint(last_event(&t)->kind, ==, TURN_EV_PERMITTED);
    g_assert_cmpuint(turn_client_get_stats(t.c)->stale_nonces, ==, 1);
    g_assert_cmpuint(turn_client_last_error(t.c), ==, 438);
    b2b_clear(&t);
}

static void test_channel(void)
{
    b2b t;
    b2b_init(&t, NULL, "secret");
    allocate(&t);
    uint16_t ch = 0;
    g_assert_cmpint(turn_client_bind(t.c, t.now, &t.peer, &ch), ==, 0);
    g_assert_cmphex(ch, ==, 0x4000);
    pump(&t);
    const turn_event *ev = last_event(&t);
    g_assert_cmpint(ev->kind, ==, TURN_EV_BOUND);
    g_assert_cmphex(ev->channel, ==, 0x4000);
    g_assert_true(turn_client_has_permission(t.c, &t.peer.ip));
    /* Data now travels as ChannelData both ways. */
    turn_client_send(t.c, t.now, &t.peer, (const uint8_t *)"via channel", 11);
    pump(&t);
    g_assert_cmpuint(turn_client_get_stats(t.c)->chandata_sent, ==, 1);
    g_assert_cmpuint(t.peer_rx->len, ==, 1);
    g_assert_cmpmem(g_bytes_get_data(t.peer_rx->pdata[0], NULL),
                    g_bytes_get_size(t.peer_rx->pdata[0]), "via channel", 11);
    peer_send(&t, "back");
    turn_rx rx;
    g_assert_true(turn_client_pop_rx(t.c, &rx));
    g_assert_cmphex(rx.channel, ==, 0x4000);
    g_assert_cmpmem(rx.data, rx.len, "back", 4);
    /* Refreshed: after 30 minutes still ChannelData. */
    run_until(&t, 1800 * SIM_SEC);
    g_assert_cmpint(count_events(&t, TURN_EV_BOUND), >=, 4);
    peer_send(&t, "later");
    g_assert_true(turn_client_pop_rx(t.c, &rx));
    g_assert_cmphex(rx.channel, ==, 0x4000);
    g_assert_cmpuint(turn_server_get_stats(t.s)->no_permission, ==, 0);
    b2b_clear(&t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/turn/client/allocate-401-close", test_allocate);
    g_test_add_func("/turn/client/wrong-password", test_wrong_password);
    g_test_add_func("/turn/client/quota-and-timeout", test_quota_and_timeout);
    g_test_add_func("/turn/client/send-data-refresh", test_send_data);
    g_test_add_func("/turn/client/stale-nonce-438", test_stale_nonce);
    g_test_add_func("/turn/client/channel", test_channel);
    return g_test_run();
}
