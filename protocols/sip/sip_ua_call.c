/* protocols/sip/sip_ua_call.c — the INVITE usage of the user agent core (RFC 3261 §13-15):
 * calling with an SDP offer, ringing, answering (2xx retransmitted until the ACK, §13.3.1.4),
 * rejecting, ACK for a 2xx, BYE, CANCEL (§9) and re-INVITE (§14) with RFC 3264 offer/answer. */
#include "protocols/sip/sip_ua_priv.h"

void sip_call_free(sip_call *c)
{
    if (!c)
        return;
    g_free(c->peer);
    g_free(c->local_tag);
    sip_dialog_free(c->dlg);
    sdp_oa_free(c->oa);
    sip_msg_free(c->invite);
    sip_msg_free(c->ack);
    sip_msg_free(c->ok);
    g_free(c);
}

static sip_call *call_new(sip_ua *ua, bool outgoing)
{
    sip_call *c = g_new0(sip_call, 1);
    c->id = ua->next_call++;
    c->outgoing = outgoing;
    char tag[SIP_TOKEN_MAX];
    sip_random_token(ua->rng, "", tag, sizeof tag);
    c->local_tag = g_strdup(tag);
    /* our streams: two ports (RTP, RTCP) each, 16 streams' worth per call */
    sdp_oa_cfg oc = { .username = "-", .sess_id = sim_rng_u64(ua->rng) >> 12,
                      .addr = ua->cfg.local.ip, .pcmu = true,
                      .port_base = (uint16_t)(ua->cfg.rtp_port + 32 * ((c->id - 1) % 512)) };
    c->oa = sdp_oa_new(&oc);
    g_ptr_array_add(ua->calls, c);
    return c;
}

static void end_call(sip_ua *ua, sip_call *c, unsigned status, bool by_remote)
{
    if (c->reported)
        return;
    c->reported = true;
    c->state = SIP_CALL_ENDED;
    sip_msg_free(c->ok);
    c->ok = NULL;
    sip_ua_ev *e = g_new0(sip_ua_ev, 1);
    e->kind = SIP_UA_EV_ENDED;
    e->call = c->id;
    e->status = status;
    e->by_remote = by_remote;
    g_queue_push_tail(&ua->events, e);
}

static void add_sdp(sip_msg *m, const GString *sdp)
{
    sip_msg_set_body(m, "application/sdp", sdp->str, sdp->len);
}

/* ---------------------------------------------------------------- caller side */

int sip_ua_call(sip_ua *ua, sim_time_t now, const char *target, unsigned *call)
{
    return sip_ua_call_ice(ua, now, target, NULL, call);
}

static int call_start(sip_ua *ua, sim_time_t now, const char *target, const sdp_oa_ice *ice,
                      bool offer, unsigned *call);

int sip_ua_call_ice(sip_ua *ua, sim_time_t now, const char *target, const sdp_oa_ice *ice,
                    unsigned *call)
{
    return call_start(ua, now, target, ice, true, call);
}

int sip_ua_call_offerless(sip_ua *ua, sim_time_t now, const char *target, unsigned *call)
{
    return call_start(ua, now, target, NULL, false, call);
}

static int call_start(sip_ua *ua, sim_time_t now, const char *target, const sdp_oa_ice *ice,
                      bool offer, unsigned *call)
{
    sip_uri u;
    sim_ep dest;
    if (sip_uri_parse(target, strlen(target), &u, NULL) < 0 || u.scheme == SIP_SCHEME_OTHER)
        return -EINVAL;
    if (sip_ua_route(ua, target, &dest) < 0)
        return -EHOSTUNREACH;
    sip_msg *m = NULL;
    if (sip_msg_new_request("INVITE", target, &m) < 0)
        return -EINVAL;
    sip_call *c = call_new(ua, true);
    sdp_oa_add_stream(c->oa, "audio", (uint16_t)(ua->cfg.rtp_port + 32 * ((c->id - 1) % 512)),
                      SDP_SENDRECV);
    if (ice)
        sdp_oa_set_ice(c->oa, 0, ice); /* checked by the caller's sdp_oa_ice builder */
    char ip[SIM_IP_STRLEN], tok[SIP_TOKEN_MAX];
    sip_random_token(ua->rng, "", tok, sizeof tok);
    g_autofree char *cid = g_strdup_printf("%s@%s", tok, sim_ip_fmt(&ua->cfg.local.ip, ip, sizeof ip));
    g_autofree char *from = ua->display
        ? g_strdup_printf("\"%s\" <%s>;tag=%s", ua->display, ua->aor, c->local_tag)
        : g_strdup_printf("<%s>;tag=%s", ua->aor, c->local_tag);
    c->peer = g_strdup_printf("<%s>", target);
    sip_msg_add(m, SIP_HDR_MAX_FORWARDS, NULL, "70");
    sip_msg_add(m, SIP_HDR_TO, NULL, c->peer);
    sip_msg_add(m, SIP_HDR_FROM, NULL, from);
    sip_msg_add(m, SIP_HDR_CALL_ID, NULL, cid);
    sip_msg_add(m, SIP_HDR_CSEQ, NULL, "1 INVITE");
    sip_msg_add(m, SIP_HDR_CONTACT, NULL, ua->contact);
    sip_msg_add(m, SIP_HDR_ALLOW, NULL, "INVITE, ACK, CANCEL, BYE, OPTIONS");
    GString *sdp = g_string_new(NULL);
    if (offer) {
        sdp_oa_offer(c->oa, sdp);
        add_sdp(m, sdp);
    }
    c->late_offer = !offer; /* RFC 3264 §5: the offer comes in the 2xx, the answer in the ACK */
    g_string_free(sdp, TRUE);
    c->dest = dest;
    c->state = SIP_CALL_CALLING;
    c->invite_txn = sip_ua_send_request(ua, now, m, &dest);
    sip_msg_free(m);
    if (call)
        *call = c->id;
    return 0;
}

static void send_cancel(sip_ua *ua, sim_time_t now, sip_call *c)
{
    sip_msg *cancel = NULL;
    const sip_msg *inv = sip_txns_request_of(ua->txns, c->invite_txn);
    /* §9.1: the CANCEL carries the INVITE's top Via, so it goes through sip_txns directly */
    if (inv && sip_msg_cancel(inv, &cancel) == 0)
        sip_txns_request(ua->txns, now, cancel, &c->dest, &c->cancel_txn);
    sip_msg_free(cancel);
    c->cancel_pending = false;
}

/* Where in-dialog requests of c go. */
static sim_ep dialog_dest(const sip_ua *ua, const sip_call *c)
{
    sim_ep d = c->dest;
    if (c->dlg)
        sip_ua_route(ua, sip_dialog_next_hop(c->dlg), &d);
    return d;
}

/* §13.2.2.4: the ACK for a 2xx, built by the UA core inside dialog d, end to end (its own
 * branch, no transaction), sent to d's next hop (else fallback). Returns it (owned) or NULL. */
static sip_msg *ack_2xx(sip_ua *ua, sip_dialog *d, uint32_t cseq, const sim_ep *fallback,
                        const GString *sdp)
{
    sip_msg *ack = sip_dialog_request(d, "ACK", cseq);
    if (!ack || sip_ua_push_via(ua, ack) < 0) {
        sip_msg_free(ack);
        return NULL;
    }
    if (sdp) /* §13.2.2.4: the answer to an offer in the 2xx */
        add_sdp(ack, sdp);
    sim_ep to = *fallback;
    sip_ua_route(ua, sip_dialog_next_hop(d), &to);
    sip_txns_send(ua->txns, ack, &to);
    return ack;
}

/* §13.2.2.4: a 2xx from another fork (another To tag) after ours was accepted: that dialog
 * is confirmed with an ACK and ended at once with a BYE. */
static void other_fork(sip_ua *ua, sim_time_t now, sip_call *c, unsigned txn, const sip_msg *m,
                       uint32_t cseq)
{
    const sip_msg *inv = txn ? sip_txns_request_of(ua->txns, txn) : NULL;
    sip_dialog *d = inv ? sip_dialog_uac(inv, m) : NULL;
    if (!d)
        return;
    sip_msg_free(ack_2xx(ua, d, cseq, &c->dest, NULL));
    sip_msg *bye = sip_dialog_request(d, "BYE", 0);
    sim_ep to = c->dest;
    sip_ua_route(ua, sip_dialog_next_hop(d), &to);
    if (bye)
        sip_ua_send_request(ua, now, bye, &to); /* its answer matches no call: ignored */
    sip_msg_free(bye);
    sip_dialog_free(d);
}

static bool same_dialog(const sip_call *c, const sip_msg *m)
{
    sip_str tag;
    return sip_msg_tag(m, SIP_HDR_TO, &tag) == 0 && tag.len == strlen(c->dlg->remote_tag) &&
           memcmp(tag.p, c->dlg->remote_tag, tag.len) == 0;
}

static void invite_2xx(sip_ua *ua, sim_time_t now, sip_call *c, unsigned txn, sip_msg *m)
{
    sip_cseq cs;
    if (sip_msg_cseq(m, &cs) < 0 || cs.method.len != 6 || memcmp(cs.method.p, "INVITE", 6))
        return; /* a stray 2xx to something else in the dialog: no ACK for it */
    bool reinvite = txn && txn == c->reinvite_txn;
    if (c->dlg && !reinvite && !same_dialog(c, m)) {
        other_fork(ua, now, c, txn, m, cs.seq);
        return;
    }
    if (c->ack && !reinvite) {
        sip_cseq acs;
        sim_ep d = dialog_dest(ua, c); /* a retransmitted 2xx: the same ACK again */
        if (sip_msg_cseq(c->ack, &acs) == 0 && acs.seq == cs.seq)
            sip_txns_send(ua->txns, c->ack, &d);
        return; /* (a 2xx to an INVITE we did not send gets nothing) */
    }
    if (!c->dlg) {
        const sip_msg *inv = sip_txns_request_of(ua->txns, txn);
        c->dlg = inv ? sip_dialog_uac(inv, m) : NULL;
        if (!c->dlg)
            return;
    }
    sip_msg_free(c->ack);
    if (reinvite)
        c->reinvite_txn = 0;
    int rc = -EPROTO;
    GString *sdp = g_string_new(NULL);
    if (m->body_len && !reinvite && c->late_offer) /* the 2xx brings the offer */
        rc = sdp_oa_answer(c->oa, (const char *)m->body, m->body_len, sdp);
    else if (m->body_len)
        rc = sdp_oa_accept_answer(c->oa, (const char *)m->body, m->body_len);
    c->ack = ack_2xx(ua, c->dlg, cs.seq, &c->dest, sdp->len && rc == 0 ? sdp : NULL);
    g_string_free(sdp, TRUE);
    if (!reinvite)
        c->late_offer = false;
    if (c->state == SIP_CALL_ENDED || (!reinvite && (c->cancel_pending || rc < 0))) {
        /* hung up meanwhile, or an unusable answer: confirmed, then BYE at once (§15) */
        c->state = SIP_CALL_CONFIRMED;
        sip_ua_hangup(ua, now, c->id);
        return;
    }
    c->state = SIP_CALL_CONFIRMED;
    sip_ua_emit(ua, reinvite ? SIP_UA_EV_MEDIA : SIP_UA_EV_ANSWERED, c->id, m->status);
}

/* §8.1.3.4: a 3xx sends the INVITE again to its first Contact (same Call-ID and tags, the
 * next CSeq). True when it was sent. */
static bool follow_redirect(sip_ua *ua, sim_time_t now, sip_call *c, unsigned txn,
                            const sip_msg *m)
{
    sip_nameaddr na;
    sim_ep dest;
    sip_cseq cs;
    const sip_msg *req = sip_txns_request_of(ua->txns, txn);
    if (!req || c->state == SIP_CALL_ENDED || sip_msg_nameaddr(m, SIP_HDR_CONTACT, 0, &na) < 0 ||
        na.star)
        return false;
    g_autofree char *target = g_strndup(na.uri.raw.p, na.uri.raw.len);
    sip_msg *retry = sip_ua_route(ua, target, &dest) == 0 ? sip_msg_clone(req, target) : NULL;
    if (!retry || sip_msg_cseq(retry, &cs) < 0) {
        sip_msg_free(retry);
        return false;
    }
    char v[48];
    g_snprintf(v, sizeof v, "%u INVITE", cs.seq + 1);
    sip_msg_set(retry, SIP_HDR_CSEQ, v);
    sip_msg_pop(retry, SIP_HDR_VIA);
    c->dest = dest;
    c->invite_txn = sip_ua_send_request(ua, now, retry, &dest);
    sip_msg_free(retry);
    return c->invite_txn != 0;
}

void sip_call_response(sip_ua *ua, sim_time_t now, sip_call *c, unsigned txn, sip_msg *m)
{
    unsigned st = m->status;
    if (txn && txn == c->cancel_txn) {
        /* the answer to our CANCEL: the INVITE's 487 is what ends the call */
    } else if (txn && txn == c->bye_txn) {
        if (st >= 200)
            end_call(ua, c, st, false);
    } else if (st < 200) {
        c->provisional = true;
        if (c->state == SIP_CALL_CALLING && st > 100)
            c->state = SIP_CALL_EARLY;
        if (st > 100)
            sip_ua_emit(ua, SIP_UA_EV_PROGRESS, c->id, st);
        if (c->cancel_pending)
            send_cancel(ua, now, c);
    } else if (st < 300) {
        invite_2xx(ua, now, c, txn, m);
    } else if (txn && txn == c->reinvite_txn) {
        c->reinvite_txn = 0; /* §14.1: a failed re-INVITE leaves the session as it was */
        if (st == 491 && c->state == SIP_CALL_CONFIRMED)
            sip_call_glare(ua, now, c); /* glare: try again after a random while */
    } else if ((st == 401 || st == 407) && c->auth_tries < UA_AUTH_TRIES && c->state != SIP_CALL_ENDED) {
        sip_msg *retry = sip_ua_authorize(ua, txn, m);
        c->auth_tries++;
        if (retry)
            c->invite_txn = sip_ua_send_request(ua, now, retry, &c->dest);
        else
            end_call(ua, c, st, true);
        sip_msg_free(retry);
    } else if (st < 400 && c->redirects < 3 && follow_redirect(ua, now, c, txn, m)) {
        c->redirects++;
    } else {
        end_call(ua, c, st, true);
    }
    sip_msg_free(m);
}

void sip_call_failed(sip_ua *ua, sim_time_t now, sip_call *c, unsigned txn, unsigned status)
{
    (void)now;
    if (txn == c->reinvite_txn)
        c->reinvite_txn = 0;
    else if (txn == c->invite_txn || txn == c->bye_txn)
        end_call(ua, c, status, false);
}

/* ---------------------------------------------------------------- callee side */

sip_call *sip_call_by_dialog(const sip_ua *ua, const sip_msg *m)
{
    for (guint i = 0; i < ua->calls->len; i++) {
        sip_call *c = ua->calls->pdata[i];
        if (c->dlg && sip_dialog_matches(c->dlg, m))
            return c;
    }
    return NULL;
}

/* Sends ok (a 2xx to INVITE) on txn and arms its retransmission (§13.3.1.4: T1 doubling up to
 * T2, for 64*T1). */
static void send_ok(sip_ua *ua, sim_time_t now, sip_call *c, unsigned txn, sip_msg *ok)
{
    sip_txns_respond(ua->txns, now, txn, ok);
    sip_msg_free(c->ok);
    c->ok = ok;
    c->invite_txn = txn;
    c->acked = false;
    c->ok_iv = ua->cfg.txn.t1 ? ua->cfg.txn.t1 : SIP_T1;
    c->ok_at = now + c->ok_iv;
    c->ok_until = now + 64 * c->ok_iv;
}

/* A 2xx to req with our Contact and an SDP answer to its offer; NULL when the offer is bad. */
static sip_msg *answer_msg(sip_ua *ua, sip_call *c, const sip_msg *req)
{
    GString *sdp = g_string_new(NULL);
    sip_msg *ok = NULL;
    /* §13.3.1.1: an INVITE without an offer gets ours in the 2xx (RFC 3264 §5) */
    int rc = req->body_len ? sdp_oa_answer(c->oa, (const char *)req->body, req->body_len, sdp)
                           : sip_call_late_offer(ua, c, sdp);
    c->late_offer = rc == 0 && !req->body_len;
    if (rc == 0 && sip_msg_response(req, 200, NULL, c->local_tag, &ok) == 0) {
        sip_ua_copy_record_route(ok, req);
        sip_msg_add(ok, SIP_HDR_CONTACT, NULL, ua->contact);
        add_sdp(ok, sdp);
    }
    g_string_free(sdp, TRUE);
    return ok;
}

static void reinvite_in(sip_ua *ua, sim_time_t now, unsigned txn, sip_msg *m)
{
    sip_call *c = sip_call_by_dialog(ua, m);
    if (!c || c->state != SIP_CALL_CONFIRMED) {
        sip_ua_reply(ua, now, txn, m, 481, NULL); /* §12.2.2 */
        return;
    }
    if (sip_call_reinvite_busy(ua, now, txn, c, m))
        return;
    sip_msg *ok = answer_msg(ua, c, m);
    if (!ok) {
        sip_ua_reply(ua, now, txn, m, 488, NULL); /* §14.2: the old session stays */
        return;
    }
    send_ok(ua, now, c, txn, ok);
    c->late_reinvite = c->late_offer; /* then the media changes with the ACK's answer */
    if (!c->late_offer)
        sip_call_emit_media(ua, c, true);
}

static void invite_in(sip_ua *ua, sim_time_t now, unsigned txn, sip_msg *m)
{
    sip_str tag;
    if (sip_msg_tag(m, SIP_HDR_TO, &tag) == 0 && tag.len) {
        reinvite_in(ua, now, txn, m);
        sip_msg_free(m);
        return;
    }
    sip_call *c = call_new(ua, false);
    const sip_hdr *from = sip_msg_hdr(m, SIP_HDR_FROM, 0);
    c->peer = from ? g_strndup(from->value, from->value_len) : g_strdup("");
    c->invite = m;
    c->invite_txn = txn;
    c->state = SIP_CALL_INCOMING;
    sip_ua_emit(ua, SIP_UA_EV_INCOMING, c->id, 0);
}

static void ack_in(sip_ua *ua, sim_time_t now, sip_msg *m)
{
    sip_call *c = sip_call_by_dialog(ua, m);
    sip_cseq ack_cs, ok_cs;
    /* §13.3.1.4: the ACK of our 2xx has its INVITE's CSeq number (a late copy of an older
     * ACK is not it: it would take no answer from its body and stop nothing) */
    if (c && c->ok && sip_msg_cseq(m, &ack_cs) == 0 && sip_msg_cseq(c->ok, &ok_cs) == 0 &&
        ack_cs.seq == ok_cs.seq) {
        sip_msg_free(c->ok); /* §13.3.1.4: the ACK stops the 2xx retransmissions */
        c->ok = NULL;
        if (sip_call_late_answer(ua, now, c, m))
            return;
        if (!c->acked) {
            c->acked = true;
            sip_ua_emit(ua, SIP_UA_EV_CONFIRMED, c->id, 0);
        }
    }
}

static void bye_in(sip_ua *ua, sim_time_t now, unsigned txn, sip_msg *m)
{
    sip_call *c = sip_call_by_dialog(ua, m);
    if (!c) {
        sip_ua_reply(ua, now, txn, m, 481, NULL); /* §15.1.2 */
        return;
    }
    sip_ua_reply(ua, now, txn, m, 200, NULL);
    end_call(ua, c, 200, true);
}

static void cancel_in(sip_ua *ua, sim_time_t now, unsigned txn, sip_msg *m)
{
    unsigned target = sip_txns_cancel_target(ua->txns, m);
    sip_call *c = NULL;
    for (guint i = 0; target && i < ua->calls->len; i++) {
        sip_call *x = ua->calls->pdata[i];
        if (!x->outgoing && x->invite_txn == target)
            c = x;
    }
    /* §9.2: 481 when no transaction matches; otherwise 200, and 487 for a pending INVITE */
    sip_ua_reply(ua, now, txn, m, c ? 200 : 481, c ? c->local_tag : NULL);
    if (c && (c->state == SIP_CALL_INCOMING || c->state == SIP_CALL_EARLY)) {
        sip_ua_reply(ua, now, c->invite_txn, c->invite, 487, c->local_tag);
        end_call(ua, c, 487, true);
    }
}

void sip_call_request(sip_ua *ua, sim_time_t now, unsigned txn, sip_msg *m)
{
    if (!strcmp(m->method, "INVITE")) {
        invite_in(ua, now, txn, m);
        return;
    }
    if (!strcmp(m->method, "ACK"))
        ack_in(ua, now, m);
    else if (!strcmp(m->method, "BYE"))
        bye_in(ua, now, txn, m);
    else
        cancel_in(ua, now, txn, m);
    sip_msg_free(m);
}

/* ---------------------------------------------------------------- the API */

static int incoming(sip_ua *ua, unsigned call, sip_call **out)
{
    sip_call *c = sip_ua_find_call(ua, call);
    if (!c)
        return -ENOENT;
    if (c->outgoing || (c->state != SIP_CALL_INCOMING && c->state != SIP_CALL_EARLY))
        return -EPROTO;
    *out = c;
    return 0;
}

int sip_ua_ring(sip_ua *ua, sim_time_t now, unsigned call)
{
    sip_call *c;
    int rc = incoming(ua, call, &c);
    if (rc < 0)
        return rc;
    c->state = SIP_CALL_EARLY;
    return sip_ua_reply(ua, now, c->invite_txn, c->invite, 180, c->local_tag);
}

int sip_ua_answer(sip_ua *ua, sim_time_t now, unsigned call)
{
    sip_call *c;
    int rc = incoming(ua, call, &c);
    if (rc < 0)
        return rc;
    c->dlg = sip_dialog_uas(c->invite, c->local_tag);
    sip_msg *ok = c->dlg ? answer_msg(ua, c, c->invite) : NULL;
    if (!ok) { /* no Contact or From tag for a dialog (§12.1.1), or an unusable offer */
        unsigned st = c->dlg ? 488 : 400;
        sip_ua_reply(ua, now, c->invite_txn, c->invite, st, c->local_tag);
        end_call(ua, c, st, false);
        return -EBADMSG;
    }
    c->state = SIP_CALL_CONFIRMED;
    send_ok(ua, now, c, c->invite_txn, ok);
    return 0;
}

int sip_ua_set_ice(sip_ua *ua, unsigned call, const sdp_oa_ice *ice)
{
    sip_call *c = sip_ua_find_call(ua, call);
    return c ? sdp_oa_set_ice(c->oa, 0, ice) : -ENOENT;
}

int sip_ua_reject(sip_ua *ua, sim_time_t now, unsigned call, unsigned status)
{
    sip_call *c;
    if (status < 300 || status > 699)
        return -EINVAL;
    int rc = incoming(ua, call, &c);
    if (rc < 0)
        return rc;
    rc = sip_ua_reply(ua, now, c->invite_txn, c->invite, status, c->local_tag);
    end_call(ua, c, status, false);
    return rc;
}

int sip_ua_hangup(sip_ua *ua, sim_time_t now, unsigned call)
{
    sip_call *c = sip_ua_find_call(ua, call);
    if (!c)
        return -ENOENT;
    switch (c->state) {
    case SIP_CALL_CONFIRMED: {
        sip_msg *bye = c->dlg ? sip_dialog_request(c->dlg, "BYE", 0) : NULL;
        sim_ep d = dialog_dest(ua, c);
        if (bye)
            c->bye_txn = sip_ua_send_request(ua, now, bye, &d);
        sip_msg_free(bye);
        sip_msg_free(c->ok);
        c->ok = NULL;
        c->state = SIP_CALL_ENDED; /* ENDED is reported when the BYE is answered */
        if (!c->bye_txn)
            end_call(ua, c, 500, false);
        return 0;
    }
    case SIP_CALL_CALLING:
    case SIP_CALL_EARLY:
        if (!c->outgoing)
            return sip_ua_reject(ua, now, call, 480);
        c->cancel_pending = true;
        if (c->provisional)
            send_cancel(ua, now, c);
        return 0;
    case SIP_CALL_INCOMING:
        return sip_ua_reject(ua, now, call, 480);
    default:
        return -EPROTO;
    }
}

int sip_ua_add_stream(sip_ua *ua, unsigned call, const char *media)
{
    sip_call *c = sip_ua_find_call(ua, call);
    if (!c)
        return -ENOENT;
    unsigned n = (unsigned)sdp_oa_n_streams(c->oa);
    uint16_t port = (uint16_t)(ua->cfg.rtp_port + 32 * ((c->id - 1) % 512) + 2 * n);
    return sdp_oa_add_stream(c->oa, media, port, SDP_SENDRECV);
}

int sip_ua_remove_stream(sip_ua *ua, unsigned call, unsigned idx)
{
    sip_call *c = sip_ua_find_call(ua, call);
    return c ? sdp_oa_remove_stream(c->oa, idx) : -ENOENT;
}

int sip_ua_reinvite(sip_ua *ua, sim_time_t now, unsigned call)
{
    sip_call *c = sip_ua_find_call(ua, call);
    if (!c)
        return -ENOENT;
    if (c->state != SIP_CALL_CONFIRMED || c->reinvite_txn || c->reinvite_retry || !c->dlg)
        return -EPROTO;
    sip_msg *m = sip_dialog_request(c->dlg, "INVITE", 0);
    if (!m)
        return -EPROTO;
    sip_msg_add(m, SIP_HDR_CONTACT, NULL, ua->contact);
    GString *sdp = g_string_new(NULL);
    sdp_oa_offer(c->oa, sdp);
    add_sdp(m, sdp);
    g_string_free(sdp, TRUE);
    sim_ep d = dialog_dest(ua, c);
    c->reinvite_txn = sip_ua_send_request(ua, now, m, &d);
    sip_msg_free(m);
    return c->reinvite_txn ? 0 : -EPROTO;
}

void sip_call_timers(sip_ua *ua, sim_time_t now)
{
    sim_time_t t2 = ua->cfg.txn.t2 ? ua->cfg.txn.t2 : SIP_T2;
    for (guint i = 0; i < ua->calls->len; i++) {
        sip_call *c = ua->calls->pdata[i];
        sip_call_glare_timer(ua, now, c);
        if (!c->ok || c->ok_at > now)
            continue;
        if (now >= c->ok_until) { /* §13.3.1.4: no ACK within 64*T1: end with BYE */
            sip_msg_free(c->ok);
            c->ok = NULL;
            sip_ua_hangup(ua, now, c->id);
            continue;
        }
        sip_txns_respond(ua->txns, now, c->invite_txn, c->ok);
        c->ok_iv = MIN(c->ok_iv * 2, t2);
        c->ok_at = now + c->ok_iv;
    }
}

/* ---------------------------------------------------------------- queries */

int sip_ua_call_state(const sip_ua *ua, unsigned call, sip_call_state *state)
{
    const sip_call *c = sip_ua_find_call(ua, call);
    if (!c)
        return -ENOENT;
    *state = c->state;
    return 0;
}

const sdp_oa *sip_ua_call_media(const sip_ua *ua, unsigned call)
{
    const sip_call *c = sip_ua_find_call(ua, call);
    return c ? c->oa : NULL;
}

const char *sip_ua_call_peer(const sip_ua *ua, unsigned call)
{
    const sip_call *c = sip_ua_find_call(ua, call);
    return c ? c->peer : NULL;
}

void sip_ua_forget(sip_ua *ua, unsigned call)
{
    sip_call *c = sip_ua_find_call(ua, call);
    if (c && c->state == SIP_CALL_ENDED) {
        g_ptr_array_remove(ua->calls, c);
        sip_call_free(c);
    }
}
