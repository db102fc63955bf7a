/* protocols/sip/sip_registrar.c — the location service (address of record -> contacts with
 * expiry) and REGISTER processing (RFC 3261 §10.3): Expires header and expires parameter,
 * Contact "*" removal, digest challenge (401) when users are configured. */
#include "protocols/sip/sip_server_priv.h"

typedef struct binding {
    char *contact;
    sim_time_t expires_at;
    sim_ep source;
    bool flow;          /* source is the flow to reach contact (RFC 5626-lite, see sip.md) */
    char *path;         /* RFC 3327 Path vector (comma list), or NULL */
    char *instance;     /* RFC 5626 +sip.instance, or NULL */
    uint32_t reg_id;
    uint64_t seq;       /* when last (re)registered: larger is more recent (RFC 5626 §7) */
} binding;

static void binding_clear(binding *b)
{
    g_free(b->contact);
    g_free(b->path);
    g_free(b->instance);
}

struct sip_location {
    GHashTable *aors;       /* aor -> GArray of binding (registration order) */
    GHashTable *by_contact; /* contact -> GPtrArray of the aors binding it with a flow or a
                               Path (owned, sorted) */
    uint64_t seq;           /* registrations so far (binding.seq) */
};

static void bindings_free(gpointer p)
{
    GArray *a = p;
    for (guint i = 0; i < a->len; i++)
        binding_clear(&g_array_index(a, binding, i));
    g_array_free(a, TRUE);
}

sip_location *sip_location_new(void)
{
    sip_location *l = g_new0(sip_location, 1);
    l->aors = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, bindings_free);
    l->by_contact = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify)g_ptr_array_unref);
    return l;
}

/* The contact index: which AORs bind a contact with a flow or a Path, in sorted order, so that
 * a lookup by contact alone (a proxy routing an in-dialog request) costs one hash lookup, not a
 * scan of every AOR, and its answer never depends on hash order. */
static void index_add(sip_location *l, const char *contact, const char *aor)
{
    GPtrArray *v = g_hash_table_lookup(l->by_contact, contact);
    if (!v) {
        v = g_ptr_array_new_with_free_func(g_free);
        g_hash_table_insert(l->by_contact, g_strdup(contact), v);
    }
    guint i = 0;
    while (i < v->len && strcmp(v->pdata[i], aor) < 0)
        i++;
    if (i == v->len || strcmp(v->pdata[i], aor) != 0)
        g_ptr_array_insert(v, (gint)i, g_strdup(aor));
}

static void index_del(sip_location *l, const char *contact, const char *aor)
{
    GPtrArray *v = g_hash_table_lookup(l->by_contact, contact);
    for (guint i = 0; v && i < v->len; i++)
        if (strcmp(v->pdata[i], aor) == 0) {
            g_ptr_array_remove_index(v, i);
            break;
        }
    if (v && !v->len)
        g_hash_table_remove(l->by_contact, contact);
}

/* Brings the index entry (contact, aor) in line with aor's bindings a: present when one of
 * them binds contact with a flow or a Path (RFC 5626: two flows of one instance may register
 * the same contact URI). */
static void index_sync(sip_location *l, GArray *a, const char *contact, const char *aor)
{
    for (guint i = 0; a && i < a->len; i++) {
        const binding *b = &g_array_index(a, binding, i);
        if ((b->flow || b->path) && strcmp(b->contact, contact) == 0) {
            index_add(l, contact, aor);
            return;
        }
    }
    index_del(l, contact, aor);
}

/* Removes binding i of aor's array a. */
static void drop_binding(sip_location *l, const char *aor, GArray *a, guint i)
{
    binding *b = &g_array_index(a, binding, i);
    char *contact = b->contact;
    b->contact = NULL;
    binding_clear(b);
    g_array_remove_index(a, i);
    index_sync(l, a, contact, aor);
    g_free(contact);
}

void sip_location_free(sip_location *l)
{
    if (!l)
        return;
    g_hash_table_destroy(l->aors);
    g_hash_table_destroy(l->by_contact);
    g_free(l);
}

void sip_location_bind(sip_location *l, const char *aor, const char *contact,
                       sim_time_t expires_at, const sim_ep *source)
{
    sip_location_bind_ob(l, aor, contact, expires_at, source, NULL);
}

/* The binding of a that a registration of contact with identity ob updates: for an outbound
 * one (RFC 5626 §6) the one with the same instance and reg-id, whatever its contact (the new
 * flow replaces the old); else the one of contact that has no reg-id. -1 when none. */
static int find_binding(GArray *a, const char *contact, const sip_binding_ob *ob)
{
    bool flow = ob && ob->instance && ob->reg_id;
    for (guint i = 0; i < a->len; i++) {
        const binding *b = &g_array_index(a, binding, i);
        if (flow ? b->instance && b->reg_id == ob->reg_id && strcmp(b->instance, ob->instance) == 0
                 : !b->reg_id && strcmp(b->contact, contact) == 0)
            return (int)i;
    }
    return -1;
}

void sip_location_bind_ob(sip_location *l, const char *aor, const char *contact,
                          sim_time_t expires_at, const sim_ep *source, const sip_binding_ob *ob)
{
    GArray *a = g_hash_table_lookup(l->aors, aor);
    if (!a) {
        a = g_array_new(FALSE, TRUE, sizeof(binding));
        g_hash_table_insert(l->aors, g_strdup(aor), a);
    }
    int i = find_binding(a, contact, ob);
    binding *b = i >= 0 ? &g_array_index(a, binding, i) : NULL;
    g_autofree char *old = NULL;
    if (b && strcmp(b->contact, contact) != 0) { /* the flow's new contact */
        old = b->contact;
        b->contact = g_strdup(contact);
    }
    if (!b) {
        binding nb = { .contact = g_strdup(contact) };
        g_array_append_val(a, nb);
        b = &g_array_index(a, binding, a->len - 1);
    }
    b->expires_at = expires_at;
    b->seq = ++l->seq;
    b->flow = source != NULL;
    if (source)
        b->source = *source;
    g_free(b->path); /* each REGISTER brings its own Path (RFC 3327 §5.3) */
    g_free(b->instance);
    b->path = ob && ob->path ? g_strdup(ob->path) : NULL;
    b->instance = ob && ob->instance ? g_strdup(ob->instance) : NULL;
    b->reg_id = ob ? ob->reg_id : 0;
    index_sync(l, a, contact, aor);
    if (old)
        index_sync(l, a, old, aor);
}

size_t sip_location_unbind_ob(sip_location *l, const char *aor, const char *contact,
                              const sip_binding_ob *ob)
{
    if (!ob || !ob->instance || !ob->reg_id)
        return sip_location_unbind(l, aor, contact);
    GArray *a = g_hash_table_lookup(l->aors, aor);
    int i = a ? find_binding(a, contact, ob) : -1;
    if (i < 0)
        return 0;
    drop_binding(l, aor, a, (guint)i);
    if (!a->len)
        g_hash_table_remove(l->aors, aor);
    return 1;
}

static const binding *live_binding(GArray *a, const char *contact, sim_time_t now)
{
    for (guint i = 0; a && i < a->len; i++) {
        const binding *b = &g_array_index(a, binding, i);
        if (b->expires_at > now && strcmp(b->contact, contact) == 0)
            return b;
    }
    return NULL;
}

/* The flow of contact in one AOR's live bindings: 0 with *flow, or -ENOENT. */
static int flow_in(GArray *a, const char *contact, sim_time_t now, sim_ep *flow)
{
    for (guint i = 0; i < a->len; i++) {
        const binding *b = &g_array_index(a, binding, i);
        if (b->flow && b->expires_at > now && strcmp(b->contact, contact) == 0) {
            *flow = b->source;
            return 0;
        }
    }
    return -ENOENT;
}

int sip_location_flow(sip_location *l, const char *aor, const char *contact, sim_time_t now,
                      sim_ep *flow)
{
    if (aor) {
        GArray *a = g_hash_table_lookup(l->aors, aor);
        return a ? flow_in(a, contact, now, flow) : -ENOENT;
    }
    /* any AOR binding contact, in sorted order (the contact index) */
    GPtrArray *v = g_hash_table_lookup(l->by_contact, contact);
    for (guint i = 0; v && i < v->len; i++)
        if (flow_in(g_hash_table_lookup(l->aors, v->pdata[i]), contact, now, flow) == 0)
            return 0;
    return -ENOENT;
}

const char *sip_location_path(sip_location *l, const char *aor, const char *contact,
                              sim_time_t now)
{
    if (aor) {
        const binding *b = live_binding(g_hash_table_lookup(l->aors, aor), contact, now);
        return b ? b->path : NULL;
    }
    GPtrArray *v = g_hash_table_lookup(l->by_contact, contact);
    for (guint i = 0; v && i < v->len; i++) {
        const binding *b = live_binding(g_hash_table_lookup(l->aors, v->pdata[i]), contact, now);
        if (b && b->path)
            return b->path;
    }
    return NULL;
}

size_t sip_location_unbind(sip_location *l, const char *aor, const char *contact)
{
    GArray *a = g_hash_table_lookup(l->aors, aor);
    size_t n = 0;
    for (guint i = 0; a && i < a->len;) {
        binding *b = &g_array_index(a, binding, i);
        if (!contact || strcmp(b->contact, contact) == 0) {
            drop_binding(l, aor, a, i);
            n++;
        } else {
            i++;
        }
    }
    if (a && !a->len)
        g_hash_table_remove(l->aors, aor);
    return n;
}

/* Drops the expired bindings of one AOR's array. */
static void purge(sip_location *l, const char *aor, GArray *a, sim_time_t now)
{
    for (guint i = 0; i < a->len;) {
        binding *b = &g_array_index(a, binding, i);
        if (b->expires_at <= now) {
            drop_binding(l, aor, a, i);
        } else {
            i++;
        }
    }
}

size_t sip_location_lookup(sip_location *l, const char *aor, sim_time_t now, GPtrArray *out,
                           GArray *exp)
{
    GArray *a = g_hash_table_lookup(l->aors, aor);
    if (!a)
        return 0;
    purge(l, aor, a, now);
    for (guint i = 0; i < a->len; i++) {
        binding *b = &g_array_index(a, binding, i);
        g_ptr_array_add(out, b->contact);
        if (exp)
            g_array_append_val(exp, b->expires_at);
    }
    return a->len;
}

size_t sip_location_bindings(sip_location *l, const char *aor, sim_time_t now, GArray *out)
{
    GArray *a = g_hash_table_lookup(l->aors, aor);
    if (!a)
        return 0;
    purge(l, aor, a, now);
    for (guint i = 0; i < a->len; i++) {
        const binding *b = &g_array_index(a, binding, i);
        sip_location_binding e = { .contact = b->contact, .path = b->path,
                                   .instance = b->instance, .reg_id = b->reg_id,
                                   .expires_at = b->expires_at, .seq = b->seq };
        g_array_append_val(out, e);
    }
    return a->len;
}

size_t sip_location_count(sip_location *l, sim_time_t now)
{
    size_t n = 0;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, l->aors);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        purge(l, k, v, now);
        n += ((GArray *)v)->len;
    }
    return n;
}

int sip_aor_of(const sip_uri *u, char *out, size_t cap)
{
    if ((u->scheme != SIP_SCHEME_SIP && u->scheme != SIP_SCHEME_SIPS) || !u->has_user ||
        u->user.len + u->host.len + 2 > cap)
        return -EINVAL;
    g_autofree char *host = g_ascii_strdown(u->host.p, (gssize)u->host.len);
    g_snprintf(out, cap, "%.*s@%s", (int)u->user.len, u->user.p, host);
    return 0;
}

/* ---------------------------------------------------------------- REGISTER */

/* Expiry of one Contact (§10.3 step 7): its expires parameter, else Expires, else default;
 * capped at max_expires. */
static uint32_t contact_expires(const sip_server *s, const sip_msg *m, const sip_nameaddr *na)
{
    const sip_param *p = sip_params_find(&na->params, "expires");
    uint64_t e = s->cfg.default_expires;
    uint32_t hv;
    if (p && p->has_value) {
        g_autofree char *v = g_strndup(p->value.p, p->value.len);
        e = g_ascii_strtoull(v, NULL, 10);
    } else if (sip_msg_uint(m, SIP_HDR_EXPIRES, &hv) == 0) {
        e = hv;
    }
    return (uint32_t)MIN(e, (uint64_t)s->cfg.max_expires);
}

/* Applies the Contacts of m to aor with the Path and outbound identity of ob (*outbound: a
 * contact registered a flow, RFC 5626 §6). Returns 0, or the status to answer (400, 439). */
static unsigned apply(sip_server *s, sim_time_t now, const sip_msg *m, const char *aor,
                      const sim_ep *src, const srv_reg_ob *ob, bool *outbound)
{
    sip_nameaddr na;
    size_t n = sip_msg_count(m, SIP_HDR_CONTACT);
    for (size_t i = 0; i < n; i++) {
        if (sip_msg_nameaddr(m, SIP_HDR_CONTACT, i, &na) < 0)
            return 400;
        uint32_t hv;
        if (na.star) { /* §10.3 step 6: "*" only alone and with Expires: 0 */
            if (n != 1 || sip_msg_uint(m, SIP_HDR_EXPIRES, &hv) < 0 || hv != 0)
                return 400;
            sip_location_unbind(s->loc, aor, NULL);
            return 0;
        }
        g_autofree char *uri = g_strndup(na.uri.raw.p, na.uri.raw.len);
        g_autofree char *instance = NULL;
        sip_binding_ob bo = { .path = ob->path };
        unsigned st = srv_ob_contact(ob, &na, &instance, &bo.reg_id);
        if (st)
            return st;
        bo.instance = instance;
        *outbound = *outbound || instance;
        uint32_t e = contact_expires(s, m, &na);
        if (e == 0)
            sip_location_unbind_ob(s->loc, aor, uri, &bo);
        else /* with a Path the source is the last proxy, not the UA's flow */
            sip_location_bind_ob(s->loc, aor, uri, now + (sim_time_t)e * SIM_SEC,
                                 ob->path ? NULL : src, &bo);
    }
    return 0;
}

void srv_register(sip_server *s, sim_time_t now, unsigned txn, const sip_msg *m)
{
    sip_nameaddr to;
    char aor[512];
    s->stats.registers++;
    if (sip_msg_nameaddr(m, SIP_HDR_TO, 0, &to) < 0 || sip_aor_of(&to.uri, aor, sizeof aor) < 0) {
        srv_reply(s, now, txn, m, 400, "Bad To");
        return;
    }
    const char *at = strchr(aor, '@');
    if (g_ascii_strcasecmp(at + 1, s->domain) != 0) { /* §10.3 step 3 */
        srv_reply(s, now, txn, m, 404, "Not Our Domain");
        return;
    }
    char user[256];
    srv_auth_verdict av = g_hash_table_size(s->users)
                              ? srv_auth_check(s, now, m, SIP_HDR_AUTHORIZATION, user, sizeof user)
                              : SRV_AUTH_OK;
    if (av != SRV_AUTH_OK) {
        srv_auth_refuse(s, now, txn, m, false, av); /* §22.4 */
        return;
    }
    if (g_hash_table_size(s->users) && !srv_auth_identity(m, SIP_HDR_TO, user)) {
        srv_reply(s, now, txn, m, 403, "Not Your AOR"); /* §10.3 step 3 */
        return;
    }
    sip_msg *r = NULL;
    sip_via v;
    sim_ep src = { 0 };
    bool flow = false;
    if (sip_msg_via(m, 0, &v) == 0) {
        char host[SIM_IP_STRLEN];
        uint16_t port;
        /* RFC 3581 §4 + RFC 5626 §6 (lite): with rport, received:rport is the address and
         * port the REGISTER really came from, i.e. the NAT binding it opened: remember it as
         * the flow that reaches this contact. Without rport the port is a guess: no flow. */
        if (sip_via_reply_to(&v, host, sizeof host, &port) == 0 && sim_ip_parse(host, &src.ip) == 0) {
            src.port = port;
            flow = v.rport;
        }
    }
    srv_reg_ob ob;
    if (srv_ob_register_read(m, &ob) < 0) {
        srv_reply(s, now, txn, m, 400, "Bad Path");
        return;
    }
    bool outbound = false;
    unsigned st = apply(s, now, m, aor, flow ? &src : NULL, &ob, &outbound);
    if (st) {
        srv_reply(s, now, txn, m, st,
                  st == 439 ? "First Hop Lacks Outbound Support" : "Bad Contact");
        srv_ob_register_clear(&ob);
        return;
    }
    char tag[SIP_TOKEN_MAX];
    sip_random_token(s->rng, "", tag, sizeof tag);
    if (sip_msg_response(m, 200, NULL, tag, &r) < 0) {
        srv_ob_register_clear(&ob);
        return;
    }
    srv_ob_register_reply(s, &ob, outbound, r);
    srv_ob_register_clear(&ob);
    /* §10.3 step 8: the current bindings, each with its remaining expiry; an outbound one
     * with its instance and reg-id (RFC 5626 §6), so each flow reads as its own binding */
    GArray *bs = g_array_new(FALSE, FALSE, sizeof(sip_location_binding));
    sip_location_bindings(s->loc, aor, now, bs);
    for (guint i = 0; i < bs->len; i++) {
        const sip_location_binding *b = &g_array_index(bs, sip_location_binding, i);
        GString *v = g_string_new(NULL);
        g_string_printf(v, "<%s>;expires=%" G_GUINT64_FORMAT, b->contact,
                        (b->expires_at - now + SIM_SEC - 1) / SIM_SEC);
        if (b->instance && b->reg_id)
            g_string_append_printf(v, ";+sip.instance=%s;reg-id=%u", b->instance, b->reg_id);
        sip_msg_add(r, SIP_HDR_CONTACT, NULL, v->str);
        g_string_free(v, TRUE);
    }
    g_array_free(bs, TRUE);
    sip_txns_respond(s->txns, now, txn, r);
    sip_msg_free(r);
}
