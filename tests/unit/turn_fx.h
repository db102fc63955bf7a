/* tests/unit/turn_fx.h — helpers shared by the TURN unit tests: a request builder with every
 * TURN attribute as an option (endpoints: ep_util.h). */
#ifndef TESTS_UNIT_TURN_FX_H
#define TESTS_UNIT_TURN_FX_H

#include <glib.h>
#include <string.h>
#include "protocols/turn/turn.h"
#include "ep_util.h"

/* Options of a request: -1 / NULL / false leave the attribute out. */
typedef struct fx_req {
    uint16_t method;
    stun_class cls;        /* 0: request */
    uint8_t txid_byte;     /* transaction id = 12 x this byte (0: 0x11) */
    int transport, lifetime, channel, req_family, add_family;
    bool even, reserve, token, dont_fragment;
    const char *peer, *peer2, *data;
    uint16_t unknown_type; /* an extra comprehension-required attribute */
    const char *user, *realm, *nonce, *pass; /* credentials (user NULL: none) */
} fx_req;

#define FX_REQ(m) (fx_req){ .method = (m), .transport = -1, .lifetime = -1, .channel = -1, \
                            .req_family = -1, .add_family = -1 }

/* Builds r into buf (STUN_MSG_MAX). Returns the length. */
static inline size_t fx_build(const fx_req *r, uint8_t *buf)
{
    uint8_t txid[STUN_TXID_LEN];
    memset(txid, r->txid_byte ? r->txid_byte : 0x11, sizeof txid);
    stun_enc e;
    stun_enc_init(&e, buf, STUN_MSG_MAX, r->method, r->cls, txid);
    if (r->channel >= 0)
        turn_enc_channel(&e, (uint16_t)r->channel);
    if (r->lifetime >= 0)
        turn_enc_lifetime(&e, (uint32_t)r->lifetime);
    if (r->peer) {
        sim_ep p = ep(r->peer);
        stun_enc_addr(&e, TURN_ATTR_XOR_PEER_ADDRESS, &p);
    }
    if (r->peer2) {
        sim_ep p = ep(r->peer2);
        stun_enc_addr(&e, TURN_ATTR_XOR_PEER_ADDRESS, &p);
    }
    if (r->data)
        stun_enc_attr(&e, TURN_ATTR_DATA, r->data, strlen(r->data));
    if (r->req_family >= 0)
        turn_enc_family(&e, TURN_ATTR_REQUESTED_ADDRESS_FAMILY, (uint8_t)r->req_family);
    if (r->even)
        turn_enc_even_port(&e, r->reserve);
    if (r->transport >= 0)
        turn_enc_transport(&e, (uint8_t)r->transport);
    if (r->dont_fragment)
        stun_enc_attr(&e, TURN_ATTR_DONT_FRAGMENT, NULL, 0);
    if (r->token)
        stun_enc_u64(&e, TURN_ATTR_RESERVATION_TOKEN, 0x0102030405060708ull);
    if (r->add_family >= 0)
        turn_enc_family(&e, TURN_ATTR_ADDITIONAL_ADDRESS_FAMILY, (uint8_t)r->add_family);
    if (r->unknown_type)
        stun_enc_u32(&e, r->unknown_type, 0);
    if (r->user) {
        stun_enc_str(&e, STUN_ATTR_USERNAME, r->user);
        stun_enc_str(&e, STUN_ATTR_REALM, r->realm);
        stun_enc_str(&e, STUN_ATTR_NONCE, r->nonce);
        uint8_t key[16];
        stun_key_long_term(r->user, r->realm, r->pass, key);
        stun_enc_integrity(&e, key, sizeof key);
    }
    stun_enc_fingerprint(&e);
    size_t n;
    g_assert_cmpint(stun_enc_finish(&e, &n), ==, 0);
    return n;
}

#endif
