/* protocols/sip/sip_outbound.c — phones behind NATs the standard way: RFC 5626 ("outbound")
 * flow tokens and the edge proxy (§5), RFC 3327 Path, the registrar's part (§6: Path vector,
 * instance / reg-id, Require: outbound, Flow-Timer, 439) and the home proxy's (the stored Path
 * becomes the Route set, RFC 3327 §5.3), and the STUN keep-alive answer on the SIP port
 * (§4.4.2, §8). The UA's part is sip_ua_ob.c.
 *
 *   phone ──flow (NAT)── edge proxy ─────────── registrar / home proxy
 *   REGISTER ──────────▶ + Path: <sip:TOKEN@edge;lr;ob> ──▶ stores Path with the binding
 *   INVITE ◀── over the flow ◀── Route: <sip:TOKEN@edge;lr;ob> ◀── Path pushed as Route
 *
 * The token names the flow (transport and the NAT's outside address:port the REGISTER came
 * from) and carries an HMAC under a key only this edge knows, so nobody can make the edge
 * send to an address of their choosing. */
#include "protocols/sip/sip_server_priv.h"
#include "protocols/stun/stun.h"

#define OB_MAC_LEN 10                           /* HMAC-SHA1 truncated (RFC 2104 §5) */
#define OB_PIN_LIFE (2 * 64 * SIP_T1)           /* a pinned branch outlives its transaction */

/* ---------------------------------------------------------------- flow tokens (§5.2) */

/* flags | address | port: the flow identity the HMAC covers. Returns its length or 0. */
static size_t flow_ident(bool tcp, const sim_ep *ep, uint8_t *out)
{
    size_t alen = ep->ip.family == SIM_AF_INET ? 4 : ep->ip.family == SIM_AF_INET6 ? 16 : 0;
    if (!alen)
        return 0;
    out[0] = (uint8_t)((tcp ? 1 : 0) | (alen == 16 ? 2 : 0));
    memcpy(out + 1, ep->ip.b, alen);
    out[1 + alen] = (uint8_t)(ep->port >> 8);
    out[2 + alen] = (uint8_t)ep->port;
    return 3 + alen;
}

static void flow_mac(const uint8_t key[SIP_FLOW_KEY_LEN], const uint8_t *id, size_t len,
                     uint8_t mac[OB_MAC_LEN])
{
    g_autoptr(GHmac) h = g_hmac_new(G_CHECKSUM_SHA1, key, SIP_FLOW_KEY_LEN);
    g_hmac_update(h, id, (gssize)len);
    uint8_t full[20];
    gsize n = sizeof full;
    g_hmac_get_digest(h, full, &n);
    memcpy(mac, full, OB_MAC_LEN);
}

int sip_flow_token_encode(const uint8_t key[SIP_FLOW_KEY_LEN], bool tcp, const sim_ep *ep,
                          char *out, size_t cap)
{
    uint8_t b[19 + OB_MAC_LEN];
    size_t n = flow_ident(tcp, ep, b);
    if (!n)
        return -EINVAL;
    if (cap < 2 * (n + OB_MAC_LEN) + 1)
        return -ENOSPC;
    flow_mac(key, b, n, b + n);
    for (size_t i = 0; i < n + OB_MAC_LEN; i++)
        g_snprintf(out + 2 * i, 3, "%02x", b[i]);
    return 0;
}

int sip_flow_token_decode(const uint8_t key[SIP_FLOW_KEY_LEN], sip_str tok, bool *tcp,
                          sim_ep *ep)
{
    uint8_t b[19 + OB_MAC_LEN], mac[OB_MAC_LEN];
    if (tok.len < 2 || tok.len % 2 || tok.len / 2 > sizeof b)
        return -EBADMSG;
    for (size_t i = 0; i < tok.len / 2; i++) {
        int hi = g_ascii_xdigit_value(tok.p[2 * i]), lo = g_ascii_xdigit_value(tok.p[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -EBADMSG;
        b[i] = (uint8_t)(hi << 4 | lo);
    }
    size_t alen = (b[0] & 2) ? 16 : 4;
    if (tok.len / 2 != 3 + alen + OB_MAC_LEN || (b[0] & ~3u))
        return -EBADMSG;
    flow_mac(key, b, 3 + alen, mac);
    unsigned diff = 0; /* constant time, as a real edge would compare */
    for (size_t i = 0; i < OB_MAC_LEN; i++)
        diff |= mac[i] ^ b[3 + alen + i];
    if (diff)
        return -EACCES;
    *tcp = b[0] & 1;
    memset(ep, 0, sizeof *ep);
    ep->ip.family = alen == 16 ? SIM_AF_INET6 : SIM_AF_INET;
    memcpy(ep->ip.b, b + 1, alen);
    ep->port = (uint16_t)(b[1 + alen] << 8 | b[2 + alen]);
    return 0;
}

/* ---------------------------------------------------------------- STUN keep-alives (§4.4.2) */

bool sip_is_stun(const uint8_t *buf, size_t len)
{
    return len >= STUN_HDR_LEN && buf[0] <= 1 && stun_is_message(buf, len);
}

int sip_stun_keepalive_answer(const uint8_t *req, size_t len, const sim_ep *from,
                              uint8_t *out, size_t cap, size_t *out_len)
{
    stun_msg m;
    if (stun_msg_decode(req, len, &m, NULL) < 0 || m.method != STUN_BINDING ||
        m.cls != STUN_REQUEST)
        return -EBADMSG;
    stun_enc e;
    stun_enc_init(&e, out, cap, STUN_BINDING, STUN_SUCCESS, m.txid);
    stun_enc_addr(&e, STUN_ATTR_XOR_MAPPED_ADDRESS, from);
    return stun_enc_finish(&e, out_len) < 0 ? -ENOSPC : 0;
}

/* ---------------------------------------------------------------- edge proxy state */

typedef struct ob_flow {
    bool tcp;
    sim_ep ep;
    sim_time_t seen;  /* last message or keep-alive from it */
} ob_flow;

typedef struct ob_pin {
    sim_ep ep;
    sim_time_t at;
} ob_pin;

struct srv_ob {
    uint8_t key[SIP_FLOW_KEY_LEN];
    bool record_route;  /* the configured record_route: the edge record-routes itself */
    GHashTable *flows;  /* "U|ep" / "T|ep" -> ob_flow */
    GHashTable *pins;   /* branch of a request sent over a flow -> ob_pin (its CANCEL too) */
    bool pending;       /* the request being handled goes to `pin` */
    sim_ep pin;
};

static char *flow_key(bool tcp, const sim_ep *ep)
{
    char b[SIM_EP_STRLEN];
    return g_strdup_printf("%c|%s", tcp ? 'T' : 'U', sim_ep_fmt(ep, b, sizeof b));
}

void srv_ob_init(sip_server *s)
{
    if (!s->cfg.outbound)
        return;
    srv_ob *ob = g_new0(srv_ob, 1);
    for (size_t i = 0; i < SIP_FLOW_KEY_LEN; i++) /* per-proxy key from the node's stream */
        ob->key[i] = (uint8_t)sim_rng_u64(s->rng);
    ob->record_route = s->cfg.record_route;
    s->cfg.record_route = false; /* done here, with the flow token when a flow is involved */
    ob->flows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    ob->pins = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    s->ob = ob;
}

void srv_ob_free(sip_server *s)
{
    if (!s->ob)
        return;
    g_hash_table_destroy(s->ob->flows);
    g_hash_table_destroy(s->ob->pins);
    g_free(s->ob);
    s->ob = NULL;
}

static void flow_touch(srv_ob *ob, sim_time_t now, bool tcp, const sim_ep *ep, bool create)
{
    g_autofree char *k = flow_key(tcp, ep);
    ob_flow *f = g_hash_table_lookup(ob->flows, k);
    if (!f && create) {
        f = g_new0(ob_flow, 1);
        f->tcp = tcp;
        f->ep = *ep;
        g_hash_table_insert(ob->flows, g_steal_pointer(&k), f);
    }
    if (f)
        f->seen = now;
}

/* §5.3: the flow exists: known, and for UDP heard from within flow_timeout. */
static bool flow_alive(const sip_server *s, sim_time_t now, bool tcp, const sim_ep *ep)
{
    g_autofree char *k = flow_key(tcp, ep);
    const ob_flow *f = g_hash_table_lookup(s->ob->flows, k);
    return f && (tcp || !s->cfg.flow_timeout ||
                 now - f->seen <= (sim_time_t)s->cfg.flow_timeout * SIM_SEC);
}

void srv_ob_seen(sip_server *s, sim_time_t now, const sim_ep *from)
{
    if (!s->ob)
        return;
    flow_touch(s->ob, now, false, from, false);
    flow_touch(s->ob, now, true, from, false);
}

void sip_server_keepalive(sip_server *s, sim_time_t now, const sim_ep *from)
{
    s->stats.keepalives++;
    srv_ob_seen(s, now, from);
}

void sip_server_flow_closed(sip_server *s, const sim_ep *peer)
{
    if (!s->ob)
        return;
    g_autofree char *k = flow_key(true, peer);
    g_hash_table_remove(s->ob->flows, k);
}

/* "<sip:TOKEN@self;lr;ob>" for a flow; NULL when the token cannot be made. */
static char *token_uri(const sip_server *s, bool tcp, const sim_ep *ep)
{
    char tok[SIP_FLOW_TOKEN_MAX];
    if (sip_flow_token_encode(s->ob->key, tcp, ep, tok, sizeof tok) < 0)
        return NULL;
    return g_strdup_printf("<sip:%s@%s;lr;ob>", tok, s->self_hostport);
}

static bool via_tcp(const sip_msg *m)
{
    sip_via v;
    return sip_msg_via(m, 0, &v) == 0 && sip_str_eq(v.transport, "TCP");
}

/* True when the Supported header lists option tag opt. */
static bool supports(const sip_msg *m, const char *opt)
{
    sip_str v;
    for (size_t i = 0; sip_msg_value(m, SIP_HDR_SUPPORTED, i, &v) == 0; i++)
        if (sip_str_eq(v, opt))
            return true;
    return false;
}

/* RFC 3327 §5.1: our Path value on top of any already there (we are nearer the registrar). */
static void add_path(sip_server *s, sip_msg *m, bool tcp, const sim_ep *flow)
{
    g_autofree char *p = token_uri(s, tcp, flow);
    guint first = m->hdrs->len;
    for (guint i = 0; i < m->hdrs->len; i++)
        if (g_ascii_strcasecmp(((sip_hdr *)m->hdrs->pdata[i])->name, "Path") == 0) {
            first = i;
            break;
        }
    if (!p || sip_msg_add(m, SIP_HDR_OTHER, "Path", p) < 0)
        return;
    gpointer h = g_ptr_array_steal_index(m->hdrs, m->hdrs->len - 1);
    g_ptr_array_insert(m->hdrs, (gint)first, h);
}

/* The top Route when it is a flow-token URI of ours (host:port = self, a user part). */
static bool own_token_route(const sip_server *s, const sip_msg *m, sip_nameaddr *na)
{
    char host[SIM_IP_STRLEN];
    sim_ip ip;
    if (sip_msg_nameaddr(m, SIP_HDR_ROUTE, 0, na) < 0 || !na->uri.has_user ||
        na->uri.host.len + 1 > sizeof host)
        return false;
    memcpy(host, na->uri.host.p, na->uri.host.len);
    host[na->uri.host.len] = 0;
    int port = na->uri.port > 0 ? na->uri.port : SIP_PORT;
    return sim_ip_parse(host, &ip) == 0 && sim_ip_eq(&ip, &s->cfg.self.ip) &&
           port == s->cfg.self.port;
}

/* §5.1 / §5.3: an initial INVITE through the edge is record-routed with the token of the flow
 * it came from or goes to (flow NULL: a plain Record-Route), when record-routing is on. */
static void record_route(sip_server *s, sip_msg *m, bool tcp, const sim_ep *flow)
{
    sip_str tag;
    if (!s->ob->record_route || strcmp(m->method, "INVITE") != 0 ||
        (sip_msg_tag(m, SIP_HDR_TO, &tag) == 0 && tag.len))
        return;
    g_autofree char *rr = flow ? token_uri(s, tcp, flow)
                               : g_strdup_printf("<%s;lr>", s->self_uri_str);
    if (rr)
        sip_msg_push(m, SIP_HDR_RECORD_ROUTE, rr);
}

/* A request whose top Route is our flow token: true when it was answered here (403 for a
 * token we did not make, 430 when the flow is gone); otherwise the Route is popped and the
 * request pinned to the flow unless it came over that flow itself. */
static bool token_route(sip_server *s, sim_time_t now, sip_txn_ev *ev, const sip_nameaddr *na)
{
    srv_ob *ob = s->ob;
    sip_msg *m = ev->msg;
    bool tcp;
    sim_ep flow;
    bool ack = strcmp(m->method, "ACK") == 0;
    if (sip_flow_token_decode(ob->key, na->uri.user, &tcp, &flow) < 0) {
        if (ev->id && !ack) /* §5.3: an invalid token is 403 */
            srv_reply(s, now, ev->id, m, 403, "Invalid Flow Token");
        return true;
    }
    sip_msg_pop(m, SIP_HDR_ROUTE);
    if (tcp == via_tcp(m) && sim_ep_eq(&flow, &ev->from)) { /* from the UA on its flow */
        record_route(s, m, tcp, &flow);
        return false;
    }
    if (!flow_alive(s, now, tcp, &flow)) {
        s->stats.flow_failed++;
        if (ev->id && !ack)
            srv_reply(s, now, ev->id, m, 430, "Flow Failed"); /* §5.3, §11.5 */
        return true;
    }
    record_route(s, m, tcp, &flow);
    ob->pending = true;
    ob->pin = flow;
    s->stats.via_token++;
    return false;
}

bool srv_ob_request(sip_server *s, sim_time_t now, sip_txn_ev *ev)
{
    srv_ob *ob = s->ob;
    sip_msg *m = ev->msg;
    ob->pending = false;
    if (!strcmp(m->method, "CANCEL"))
        return false; /* hop by hop: its branches already know their flows */
    bool tcp = via_tcp(m);
    if (!strcmp(m->method, "REGISTER") &&
        !(s->cfg.registrar && sip_str_eq(m->uri.host, s->domain))) {
        flow_touch(ob, now, tcp, &ev->from, true); /* §5.2: the flow this REGISTER is on */
        if (s->cfg.force_path || supports(m, "path"))
            add_path(s, m, tcp, &ev->from);
        return false;
    }
    sip_nameaddr na;
    if (own_token_route(s, m, &na))
        return token_route(s, now, ev, &na);
    g_autofree char *k = flow_key(tcp, &ev->from);
    record_route(s, m, tcp, g_hash_table_contains(ob->flows, k) ? &ev->from : NULL);
    return false;
}

/* True when the Require header lists option tag opt. */
static bool requires(const sip_msg *m, const char *opt)
{
    sip_str v;
    for (size_t i = 0; sip_msg_value(m, SIP_HDR_REQUIRE, i, &v) == 0; i++)
        if (sip_str_eq(v, opt))
            return true;
    return false;
}

void srv_ob_response(sip_server *s, sip_msg *resp)
{
    sip_cseq cs;
    if (!s->ob || !s->cfg.flow_timer || resp->status < 200 || resp->status >= 300 ||
        sip_msg_cseq(resp, &cs) < 0 || !sip_str_eq(cs.method, "REGISTER") ||
        !requires(resp, "outbound") || sip_msg_hdr_named(resp, "Flow-Timer"))
        return;
    char v[16]; /* §5.4: the edge knows how long its NATs keep a flow; the registrar may not */
    g_snprintf(v, sizeof v, "%u", s->cfg.flow_timer);
    sip_msg_add(resp, SIP_HDR_OTHER, "Flow-Timer", v);
}

void srv_ob_done(sip_server *s)
{
    if (s->ob)
        s->ob->pending = false;
}

static gboolean pin_old(gpointer k, gpointer v, gpointer now)
{
    (void)k;
    return ((ob_pin *)v)->at + OB_PIN_LIFE < *(sim_time_t *)now;
}

bool srv_ob_next_hop(sip_server *s, sim_time_t now, const sip_msg *m, sim_ep *to)
{
    sip_via v;
    if (!s->ob || sip_msg_via(m, 0, &v) < 0 || !v.branch.len)
        return false;
    g_autofree char *branch = g_strndup(v.branch.p, v.branch.len);
    ob_pin *p = g_hash_table_lookup(s->ob->pins, branch);
    if (p) { /* a CANCEL for a branch sent over a flow */
        *to = p->ep;
        return true;
    }
    if (!s->ob->pending)
        return false;
    s->ob->pending = false;
    g_hash_table_foreach_remove(s->ob->pins, pin_old, &now);
    p = g_new0(ob_pin, 1);
    p->ep = s->ob->pin;
    p->at = now;
    g_hash_table_insert(s->ob->pins, g_steal_pointer(&branch), p);
    *to = s->ob->pin;
    return true;
}

/* ---------------------------------------------------------------- registrar (§6; RFC 3327) */

int srv_ob_register_read(const sip_msg *m, srv_reg_ob *r)
{
    memset(r, 0, sizeof *r);
    r->sup_path = supports(m, "path");
    r->sup_outbound = supports(m, "outbound");
    GString *path = NULL;
    for (guint i = 0; i < m->hdrs->len; i++) {
        const sip_hdr *h = m->hdrs->pdata[i];
        if (g_ascii_strcasecmp(h->name, "Path") != 0)
            continue;
        cur c = sip_cur(sip_hdr_value(h));
        do {
            sip_str item = sip_list_item(&c);
            sip_nameaddr na;
            if (sip_nameaddr_parse(item, false, true, &na, NULL) < 0) {
                if (path)
                    g_string_free(path, TRUE);
                return -EBADMSG;
            }
            /* the last value is the first hop's: does it do outbound (§6)? */
            r->first_hop_ob = sip_params_find(&na.uri.params, "ob") != NULL;
            path = path ? g_string_append(path, ", ") : g_string_new(NULL);
            g_string_append_len(path, item.p, (gssize)item.len);
        } while (sip_eat(&c, ','));
    }
    r->path = path ? g_string_free(path, FALSE) : NULL;
    return 0;
}

void srv_ob_register_clear(srv_reg_ob *r)
{
    g_free(r->path);
    r->path = NULL;
}

unsigned srv_ob_contact(const srv_reg_ob *r, const sip_nameaddr *na, char **instance,
                        uint32_t *reg_id)
{
    *instance = NULL;
    *reg_id = 0;
    const sip_param *in = sip_params_find(&na->params, "+sip.instance");
    const sip_param *id = sip_params_find(&na->params, "reg-id");
    if (!r->sup_outbound || !in || !in->has_value || !id || !id->has_value)
        return 0; /* §6: without Supported: outbound, reg-id means nothing */
    g_autofree char *v = g_strndup(id->value.p, id->value.len);
    char *end;
    guint64 n = g_ascii_strtoull(v, &end, 10);
    if (*end || n == 0 || n > UINT32_MAX)
        return 400;
    if (r->path && !r->first_hop_ob)
        return 439; /* §6: the edge does not do outbound: a flow could not be kept */
    *instance = g_strndup(in->value.p, in->value.len);
    *reg_id = (uint32_t)n;
    return 0;
}

void srv_ob_register_reply(const sip_server *s, const srv_reg_ob *r, bool outbound,
                           sip_msg *resp)
{
    if (r->path && r->sup_path) /* RFC 3327 §5.3: the stored vector back to the UA */
        sip_msg_add(resp, SIP_HDR_OTHER, "Path", r->path);
    if (!outbound)
        return;
    sip_msg_add(resp, SIP_HDR_REQUIRE, NULL, "outbound"); /* §6 */
    if (s->cfg.flow_timer) {
        char v[16];
        g_snprintf(v, sizeof v, "%u", s->cfg.flow_timer);
        sip_msg_add(resp, SIP_HDR_OTHER, "Flow-Timer", v);
    }
}

/* ---------------------------------------------------------------- home proxy (RFC 3327 §5.3, RFC 5626 §7) */

void srv_path_route(sip_server *s, sip_msg *req, const char *path)
{
    if (!path)
        return;
    /* the Path vector, in order, becomes the Route set (a preloaded route, §16.6 step 6):
     * push the values last first so the first one ends on top */
    GPtrArray *vals = g_ptr_array_new_with_free_func(g_free);
    cur c = sip_cur(sip_s(path));
    do
        g_ptr_array_add(vals, sip_strdup(sip_list_item(&c)));
    while (sip_eat(&c, ','));
    for (guint i = vals->len; i-- > 0;)
        sip_msg_push(req, SIP_HDR_ROUTE, vals->pdata[i]);
    g_ptr_array_free(vals, TRUE);
    s->stats.via_path++;
}

static bool is_flow(const sip_location_binding *b)
{
    return b->instance && b->reg_id;
}

static bool tried(const srv_branch *b, uint32_t reg_id)
{
    for (guint i = 0; b && b->flows_tried && i < b->flows_tried->len; i++)
        if (g_array_index(b->flows_tried, uint32_t, i) == reg_id)
            return true;
    return false;
}

/* The index in a of the most recently registered flow of instance not tried by b, or -1. */
static int newest_flow(const GArray *a, const char *instance, const srv_branch *b)
{
    int best = -1;
    for (guint i = 0; i < a->len; i++) {
        const sip_location_binding *x = &g_array_index(a, sip_location_binding, i);
        if (is_flow(x) && strcmp(x->instance, instance) == 0 && !tried(b, x->reg_id) &&
            (best < 0 || x->seq > g_array_index(a, sip_location_binding, best).seq))
            best = (int)i;
    }
    return best;
}

void srv_ob_targets(sip_server *s, sim_time_t now, const char *aor, GArray *out)
{
    GArray *all = g_array_new(FALSE, FALSE, sizeof(sip_location_binding));
    sip_location_bindings(s->loc, aor, now, all);
    /* §7: "the proxy uses the most recently registered flow" of each instance; the order
     * stays the registration order of the bindings, so forking is deterministic */
    for (guint i = 0; i < all->len; i++) {
        const sip_location_binding *x = &g_array_index(all, sip_location_binding, i);
        if (!is_flow(x) || newest_flow(all, x->instance, NULL) == (int)i)
            g_array_append_vals(out, x, 1);
    }
    g_array_free(all, TRUE);
}

void srv_ob_branch_flow(srv_branch *b, const sip_msg *req, const sip_location_binding *t)
{
    char aor[512];
    if (!t || !is_flow(t) || sip_aor_of(&req->uri, aor, sizeof aor) < 0)
        return;
    b->aor = g_strdup(aor);
    b->instance = g_strdup(t->instance);
    b->reg_id = t->reg_id;
}

void srv_ob_branch_clear(srv_branch *b)
{
    g_free(b->aor);
    g_free(b->instance);
    if (b->flows_tried)
        g_array_free(b->flows_tried, TRUE);
}

bool srv_ob_next_flow(sip_server *s, sim_time_t now, srv_branch *b, unsigned status,
                      sip_location_binding *next)
{
    if (!b->instance)
        return false;
    if (status == 430) { /* §7: "the proxy SHOULD remove the binding" of the failed flow */
        sip_binding_ob ob = { .instance = b->instance, .reg_id = b->reg_id };
        sip_location_unbind_ob(s->loc, b->aor, NULL, &ob);
    } else {
        if (!b->flows_tried)
            b->flows_tried = g_array_new(FALSE, FALSE, sizeof(uint32_t));
        g_array_append_val(b->flows_tried, b->reg_id);
    }
    GArray *all = g_array_new(FALSE, FALSE, sizeof(sip_location_binding));
    sip_location_bindings(s->loc, b->aor, now, all);
    int i = newest_flow(all, b->instance, b);
    if (i >= 0) {
        *next = g_array_index(all, sip_location_binding, i);
        b->reg_id = next->reg_id;
    }
    g_array_free(all, TRUE);
    return i >= 0;
}
