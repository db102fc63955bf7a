/* protocols/mdns/mdns_msg.c — what both mDNS cores share: encoding a message into an outbox
 * entry with the mDNS compression rule, and the RFC 6762 §8.2 record order used to break ties
 * between hosts probing for the same name at the same time. */
#include "protocols/mdns/mdns_priv.h"

#include <errno.h>
#include <string.h>

int mdns_out_set(mdns_out *o, const dns_msg *m, const sim_ep *to)
{
    int rc = dns_msg_encode(m, DNS_ENC_MDNS, o->data, sizeof o->data, &o->len);
    if (rc)
        return rc;
    if (to)
        o->to = *to;
    else
        memset(&o->to, 0, sizeof o->to);
    return 0;
}

/* The uncompressed RDATA of rr: the record is encoded alone, uncompressed, and the RDATA is
 * what follows NAME TYPE CLASS TTL RDLENGTH. Returns its length (0 for an unencodable one). */
static size_t rdata_bytes(const dns_rr *rr, uint8_t *buf, size_t cap, const uint8_t **rd)
{
    dns_msg m;
    dns_msg_init(&m);
    dns_msg_add_copy(&m, DNS_AN, rr);
    size_t len = 0;
    int rc = dns_msg_encode(&m, DNS_ENC_NO_COMPRESS, buf, cap, &len);
    dns_msg_clear(&m);
    size_t off = DNS_HDR_LEN + rr->name.len + 10;
    if (rc || len < off) {
        *rd = buf;
        return 0;
    }
    *rd = buf + off;
    return len - off;
}

int mdns_rr_cmp(const dns_rr *a, const dns_rr *b)
{
    if (a->rclass != b->rclass)
        return a->rclass < b->rclass ? -1 : 1;
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    /* 64 KiB each: a received record's RDATA may be that long */
    uint8_t *ba = g_malloc(DNS_MSG_MAX), *bb = g_malloc(DNS_MSG_MAX);
    const uint8_t *ra, *rb;
    size_t la = rdata_bytes(a, ba, DNS_MSG_MAX, &ra), lb = rdata_bytes(b, bb, DNS_MSG_MAX, &rb);
    int c = memcmp(ra, rb, la < lb ? la : lb);
    g_free(ba);
    g_free(bb);
    if (c)
        return c < 0 ? -1 : 1;
    return la == lb ? 0 : la < lb ? -1 : 1;
}

static gint cmp_rr_p(gconstpointer a, gconstpointer b) { return mdns_rr_cmp(a, b); }

int mdns_tiebreak(GArray *ours, GArray *theirs)
{
    g_array_sort(ours, cmp_rr_p);
    g_array_sort(theirs, cmp_rr_p);
    for (guint i = 0; i < ours->len && i < theirs->len; i++) {
        int c = mdns_rr_cmp(&g_array_index(ours, dns_rr, i), &g_array_index(theirs, dns_rr, i));
        if (c)
            return c;
    }
    return ours->len == theirs->len ? 0 : ours->len < theirs->len ? -1 : 1;
}

void mdns_put_rr(dns_msg *m, dns_section s, const dns_rr *rr, uint32_t ttl, bool flush)
{
    dns_msg_add_copy(m, s, rr);
    dns_rr *c = &g_array_index(m->rr[s], dns_rr, m->rr[s]->len - 1);
    c->ttl = ttl;
    c->cache_flush = flush;
}

bool mdns_rr_in(const GArray *rrs, const dns_rr *rr)
{
    for (guint i = 0; i < rrs->len; i++)
        if (dns_rr_same_data(&g_array_index(rrs, dns_rr, i), rr))
            return true;
    return false;
}

void mdns_rrs_free(GArray *rrs)
{
    if (!rrs)
        return;
    for (guint i = 0; i < rrs->len; i++)
        dns_rr_clear(&g_array_index(rrs, dns_rr, i));
    g_array_free(rrs, TRUE);
}

GArray *mdns_rrs_new(void) { return g_array_new(FALSE, TRUE, sizeof(dns_rr)); }

void mdns_queue_msg(GQueue *outbox, const dns_msg *m, const sim_ep *to)
{
    mdns_out *o = g_new(mdns_out, 1);
    if (mdns_out_set(o, m, to) != 0) { /* over 4 KiB: records of our own making never are */
        g_free(o);
        return;
    }
    g_queue_push_tail(outbox, o);
}

bool mdns_pop_out(GQueue *outbox, mdns_out *out)
{
    mdns_out *o = g_queue_pop_head(outbox);
    if (!o)
        return false;
    out->to = o->to;
    out->len = o->len;
    memcpy(out->data, o->data, o->len);
    g_free(o);
    return true;
}
