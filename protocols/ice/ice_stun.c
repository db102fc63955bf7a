/* protocols/ice/ice_stun.c — incoming connectivity checks (RFC 8445 §7.3, RFC 8489 §9.1.3):
 * short-term credentials (USERNAME "local-ufrag:remote-ufrag", MESSAGE-INTEGRITY keyed with the
 * local password), role conflicts (§7.3.1.1), peer-reflexive remote candidates (§7.3.1.3),
 * triggered checks (§7.3.1.4), USE-CANDIDATE on the controlled side (§7.3.1.5), and the
 * responses: success with XOR-MAPPED-ADDRESS, or 400 / 401 / 420 / 487.
 *
 *   no USERNAME or no MESSAGE-INTEGRITY        400 Bad Request   (unauthenticated)
 *   USERNAME's first part is not our ufrag     401 Unauthenticated
 *   MESSAGE-INTEGRITY does not verify          401 Unauthenticated
 *   unknown comprehension-required attribute   420 Unknown Attribute
 *   no PRIORITY, or no ICE-CONTROLLING/-ED     400 Bad Request   (authenticated)
 *   role conflict we win                       487 Role Conflict (authenticated)
 *   a FINGERPRINT that does not verify         dropped silently
 */
#include "protocols/ice/ice_priv.h"

#include <errno.h>
#include <string.h>

/* Answers m with an error; integrity with our password only when the request passed it. */
static void respond_error(ice_agent *a, unsigned sock, const sim_ep *from, const stun_msg *m,
                          uint16_t code, bool auth)
{
    uint8_t buf[STUN_MSG_MAX];
    stun_enc e;
    stun_enc_init(&e, buf, sizeof buf, m->method, STUN_ERROR, m->txid);
    stun_enc_error(&e, code, code == ICE_ERR_ROLE_CONFLICT ? "Role Conflict" : NULL);
    if (code == STUN_ERR_UNKNOWN_ATTRIBUTE)
        stun_enc_unknown(&e, m->unknown, m->n_unknown);
    if (auth)
        stun_enc_integrity(&e, (const uint8_t *)a->pwd, strlen(a->pwd));
    stun_enc_fingerprint(&e);
    size_t len;
    if (stun_enc_finish(&e, &len) == 0) {
        ice_push_out(a, sock, from, buf, len);
        a->stats.errors_sent++;
    }
}

static void respond_success(ice_agent *a, unsigned sock, const sim_ep *from, const stun_msg *m)
{
    uint8_t buf[STUN_MSG_MAX];
    stun_enc e;
    stun_enc_init(&e, buf, sizeof buf, STUN_BINDING, STUN_SUCCESS, m->txid);
    stun_enc_addr(&e, STUN_ATTR_XOR_MAPPED_ADDRESS, from);
    stun_enc_integrity(&e, (const uint8_t *)a->pwd, strlen(a->pwd));
    stun_enc_fingerprint(&e);
    size_t len;
    if (stun_enc_finish(&e, &len) == 0) {
        ice_push_out(a, sock, from, buf, len);
        a->stats.responses_sent++;
    }
}

/* RFC 8489 §9.1.3 and RFC 8445 §7.3: 0 when authenticated, else the error code to send. */
static uint16_t authenticate(const ice_agent *a, const stun_msg *m)
{
    char user[STUN_USERNAME_MAX + 1];
    if (!stun_msg_find(m, STUN_ATTR_USERNAME) || !stun_msg_find(m, STUN_ATTR_MESSAGE_INTEGRITY))
        return STUN_ERR_BAD_REQUEST;
    if (stun_msg_get_str(m, STUN_ATTR_USERNAME, user, sizeof user) != 0)
        return STUN_ERR_BAD_REQUEST;
    const char *colon = strchr(user, ':');
    size_t n = colon ? (size_t)(colon - user) : 0;
    if (!colon || n != strlen(a->ufrag) || memcmp(user, a->ufrag, n) != 0)
        return STUN_ERR_UNAUTHORIZED;
    if (stun_msg_check_integrity(m, (const uint8_t *)a->pwd, strlen(a->pwd)) != 0)
        return STUN_ERR_UNAUTHORIZED;
    return 0;
}

/* §7.3.1.1. Returns true when the request must be answered 487. */
static bool role_conflict(ice_agent *a, sim_time_t now, const stun_msg *m)
{
    uint64_t theirs;
    if (a->controlling && stun_msg_get_u64(m, STUN_ATTR_ICE_CONTROLLING, &theirs) == 0) {
        if (a->tiebreaker >= theirs)
            return true;
        ice_set_role(a, now, false);
    } else if (!a->controlling && stun_msg_get_u64(m, STUN_ATTR_ICE_CONTROLLED, &theirs) == 0) {
        if (a->tiebreaker >= theirs)
            ice_set_role(a, now, true);
        else
            return true;
    }
    return false;
}

/* The remote candidate at `from` for comp, or a new peer-reflexive one (§7.3.1.3). */
static unsigned remote_for(ice_agent *a, sim_time_t now, unsigned comp, const sim_ep *from,
                           uint32_t prio)
{
    for (guint i = 0; i < a->remote->len; i++) {
        const ice_cand *r = ice_rcand(a, i);
        if (r->component == comp && sim_ep_eq(&r->addr, from))
            return i;
    }
    ice_cand r = { .component = comp, .priority = prio, .type = ICE_CAND_PRFLX, .addr = *from };
    g_snprintf(r.foundation, sizeof r.foundation, "prflx%u", ++a->next_prflx);
    g_array_append_val(a->remote, r);
    unsigned ri = a->remote->len - 1;
    ice_event *e = ice_push_event(a, now, ICE_EV_REMOTE_PRFLX);
    e->component = comp;
    e->cand = r;
    e->cand_idx = ri;
    ice_pair_candidate(a, now, ri, false);
    return ri;
}

/* §7.3.1.4 triggered check and §7.3.1.5 nomination on the pair (li, ri). */
static void triggered(ice_agent *a, sim_time_t now, unsigned li, unsigned ri, bool use_cand)
{
    ice_pair *p = ice_pair_find(a, li, ri);
    if (!p)
        p = ice_pair_add(a, li, ri);
    if (use_cand && !a->controlling)
        p->remote_nominated = true;
    if (p->state == ICE_PAIR_SUCCEEDED) {
        ice_pair *v = ice_pair_by_id(a, p->valid_id);
        if (p->remote_nominated && !a->controlling && v && v->valid && !v->nominated) {
            v->nominated = true;
            ice_comp_nominated(a, now, v);
        }
        return;
    }
    if (ice_pair_pruned(a, p))
        return; /* answered, but no check after selection (§8.1.2) */
    if (p->state != ICE_PAIR_IN_PROGRESS)
        ice_pair_set_state(a, now, p, ICE_PAIR_WAITING);
    ice_trigger(a, p);
}

int ice_stun_request(ice_agent *a, sim_time_t now, unsigned sock, const sim_ep *from,
                     const uint8_t *buf, size_t len, const stun_msg *m)
{
    (void)buf;
    (void)len;
    a->stats.checks_recv++;
    if (stun_msg_find(m, STUN_ATTR_FINGERPRINT) && stun_msg_check_fingerprint(m) != 0) {
        a->stats.dropped++;
        return -EBADMSG;
    }
    int li = ice_local_for_sock(a, sock, 0);
    if (li < 0) {
        a->stats.dropped++;
        return -ENOENT;
    }
    uint16_t code = m->method == STUN_BINDING ? authenticate(a, m) : STUN_ERR_BAD_REQUEST;
    if (code) {
        respond_error(a, sock, from, m, code, false);
        return -EACCES;
    }
    if (m->n_unknown) {
        respond_error(a, sock, from, m, STUN_ERR_UNKNOWN_ATTRIBUTE, true);
        return -EPROTO;
    }
    uint32_t prio;
    bool role = stun_msg_find(m, STUN_ATTR_ICE_CONTROLLING) || stun_msg_find(m, STUN_ATTR_ICE_CONTROLLED);
    if (stun_msg_get_u32(m, STUN_ATTR_PRIORITY, &prio) != 0 || !role) {
        respond_error(a, sock, from, m, STUN_ERR_BAD_REQUEST, true);
        return -EPROTO;
    }
    if (role_conflict(a, now, m)) {
        respond_error(a, sock, from, m, ICE_ERR_ROLE_CONFLICT, true);
        return -EPROTO;
    }
    respond_success(a, sock, from, m);
    unsigned comp = ice_lcand(a, (unsigned)li)->component;
    unsigned ri = remote_for(a, now, comp, from, prio);
    triggered(a, now, (unsigned)li, ri, stun_msg_find(m, STUN_ATTR_USE_CANDIDATE) != NULL);
    return 0;
}
