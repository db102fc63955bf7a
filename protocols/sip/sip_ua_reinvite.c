/* protocols/sip/sip_ua_reinvite.c — the rules of requests inside a dialog that the INVITE
 * usage needs beyond sending them: CSeq ordering (RFC 3261 §12.2.2), re-INVITE glare (§14.1
 * 491 and its randomized retry, §14.2 500 with Retry-After) and the offer a UAS puts in its
 * 2xx when the INVITE had none (§13.2.1, RFC 3264 §5). */
#include "protocols/sip/sip_ua_priv.h"

bool sip_ua_cseq_check(sip_ua *ua, sim_time_t now, unsigned txn, const sip_msg *m)
{
    sip_cseq cs;
    /* ACK and CANCEL carry the CSeq number of the request they belong to (§12.2.2 note) */
    if (!txn || !strcmp(m->method, "ACK") || !strcmp(m->method, "CANCEL") ||
        sip_msg_cseq(m, &cs) < 0)
        return false;
    sip_call *c = sip_call_by_dialog(ua, m);
    if (!c)
        return false;
    /* §12.2.2: an empty remote sequence number (ours: 0, a UAC that never got a request) is
     * set from the request; a lower number is out of order: 500, and nothing else happens */
    if (c->dlg->remote_cseq && cs.seq < c->dlg->remote_cseq) {
        ua->stats.out_of_order++;
        sip_ua_reply(ua, now, txn, m, 500, NULL);
        return true;
    }
    c->dlg->remote_cseq = cs.seq;
    return false;
}

/* Answers req with status and a Retry-After of retry_after s. */
static void reply_retry(sip_ua *ua, sim_time_t now, unsigned txn, const sip_msg *req,
                        unsigned status, int retry_after)
{
    sip_msg *r = NULL;
    if (sip_msg_response(req, status, NULL, NULL, &r) < 0)
        return;
    if (retry_after >= 0) {
        char v[16];
        g_snprintf(v, sizeof v, "%d", retry_after);
        sip_msg_add(r, SIP_HDR_RETRY_AFTER, NULL, v);
    }
    sip_txns_respond(ua->txns, now, txn, r);
    sip_msg_free(r);
}

bool sip_call_reinvite_busy(sip_ua *ua, sim_time_t now, unsigned txn, sip_call *c,
                            const sip_msg *m)
{
    if (c->reinvite_txn) { /* §14.2: our own re-INVITE is in progress on this dialog */
        ua->stats.glare++;
        reply_retry(ua, now, txn, m, 491, -1);
        return true;
    }
    if (c->ok) {
        /* §14.2: the previous INVITE we answered is not over (our 2xx waits for its ACK,
         * which carries the answer when the 2xx held the offer): 500, Retry-After 0-10 s */
        reply_retry(ua, now, txn, m, 500, (int)sim_rng_below(ua->rng, 11));
        return true;
    }
    return false;
}

void sip_call_glare(sip_ua *ua, sim_time_t now, sip_call *c)
{
    /* §14.1: the owner of the Call-ID (the UA that generated it: the caller) waits 2.1-4 s,
     * the other 0-2 s, in units of 10 ms */
    uint32_t ticks = c->outgoing ? 210 + sim_rng_below(ua->rng, 191) : sim_rng_below(ua->rng, 201);
    c->reinvite_retry = true;
    c->reinvite_at = now + (sim_time_t)ticks * 10 * SIM_MS;
}

void sip_call_glare_timer(sip_ua *ua, sim_time_t now, sip_call *c)
{
    if (!c->reinvite_retry || c->reinvite_at > now)
        return;
    c->reinvite_retry = false;
    if (c->state == SIP_CALL_CONFIRMED)
        sip_ua_reinvite(ua, now, c->id); /* a fresh offer from the current streams */
}

int sip_call_late_offer(sip_ua *ua, sip_call *c, GString *sdp)
{
    /* RFC 3264 §5: the INVITE had no offer, so the 2xx makes one: our streams, or one audio
     * stream for a new call */
    if (!sdp_oa_n_streams(c->oa))
        sdp_oa_add_stream(c->oa, "audio",
                          (uint16_t)(ua->cfg.rtp_port + 32 * ((c->id - 1) % 512)), SDP_SENDRECV);
    return sdp_oa_offer(c->oa, sdp);
}

bool sip_call_late_answer(sip_ua *ua, sim_time_t now, sip_call *c, const sip_msg *ack)
{
    if (!c->late_offer)
        return false;
    c->late_offer = false;
    int rc = ack->body_len ? sdp_oa_accept_answer(c->oa, (const char *)ack->body, ack->body_len)
                           : -EPROTO;
    if (rc < 0) { /* §13.3.1.4 / RFC 3264 §5: no usable answer, no session: BYE */
        c->late_reinvite = false;
        sip_ua_hangup(ua, now, c->id);
        return true;
    }
    if (c->late_reinvite) {
        c->late_reinvite = false;
        sip_call_emit_media(ua, c, true);
    }
    return false;
}

void sip_call_emit_media(sip_ua *ua, sip_call *c, bool by_remote)
{
    sip_ua_emit(ua, SIP_UA_EV_MEDIA, c->id, 200);
    ((sip_ua_ev *)g_queue_peek_tail(&ua->events))->by_remote = by_remote;
}
