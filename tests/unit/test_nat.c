/* tests/unit/test_nat.c — NAT behaviours (RFC 4787, RFC 5508): the pure table for every
 * mapping x filtering pair, port assignment, lifetimes; then the gateway rewriting real IPv4
 * packets (addresses, ports, checksums), hairpinning, unsolicited packets, ICMP. */
#include <errno.h>
#include <glib/gstdio.h>
#include <malloc.h>
#include <string.h>
#include "sim/link.h"
#include "sim/nat.h"
#include "sim/socket.h"
#include "sim/stack/net.h"
#include "sim/stack/tcp.h"
#include "sim/trace.h"
#include "sim/world.h"
#include "nat_gfx.h"

/* A table with its own rng and event counters. */
typedef struct tfx {
    nat_config cfg;
    sim_rng rng;
    nat_table *t;
    unsigned ev[3];
} tfx;

static void tfx_event(void *ctx, nat_event ev, const nat_entry *e, sim_time_t now)
{
    ((tfx *)ctx)->ev[ev]++;
}

static void tfx_open(tfx *f)
{
    sim_rng_seed(&f->rng, 42);
    sim_ip out = ip4(OUT_IP);
    f->t = nat_table_new(&f->cfg, &out, &f->rng);
    memset(f->ev, 0, sizeof f->ev);
    nat_table_on_event(f->t, tfx_event, f);
}

static uint16_t out_port(tfx *f, sim_time_t now, const char *inside, const char *remote)
{
    sim_ep i = ep(inside), r = ep(remote);
    nat_entry *e = NULL;
    g_assert_cmpint(nat_table_outbound(f->t, now, 17, &i, &r, &e), ==, 0);
    g_assert_nonnull(e);
    g_assert_true(sim_ep_eq(&e->inside, &i));
    g_assert_true(sim_ip_eq(&e->outside.ip, &(sim_ip){ 0 }) == false);
    return e->outside.port;
}

static nat_inbound_result in_res(tfx *f, sim_time_t now, const char *remote, uint16_t port)
{
    sim_ep r = ep(remote), o = { .ip = ip4(OUT_IP), .port = port };
    nat_entry *e = NULL;
    return nat_table_inbound(f->t, now, 17, &r, &o, &e);
}

/* ---- the nine behaviour pairs ---- */

typedef struct pair {
    nat_mapping m;
    nat_filtering f;
} pair;

static void test_pair(gconstpointer data)
{
    const pair *p = data;
    tfx f;
    nat_config_default(&f.cfg);
    f.cfg.mapping = p->m;
    f.cfg.filtering = p->f;
    tfx_open(&f);
    uint16_t p1 = out_port(&f, 0, IN, "1.1.1.1:1000");
    g_assert_cmpuint(p1, ==, 1211); /* preserved */
    /* RFC 4787 §5: who gets through to the mapping made by sending to R1 */
    g_assert_cmpint(in_res(&f, 1, "1.1.1.1:1000", p1), ==, NAT_IN_OK);
    g_assert_cmpint(in_res(&f, 1, "1.1.1.1:2000", p1), ==,
                    p->f == NAT_FILTER_APDF ? NAT_IN_FILTERED : NAT_IN_OK);
    g_assert_cmpint(in_res(&f, 1, "2.2.2.2:1000", p1), ==,
                    p->f == NAT_FILTER_EIF ? NAT_IN_OK : NAT_IN_FILTERED);
    g_assert_cmpint(in_res(&f, 1, "1.1.1.1:1000", p1 + 1), ==, NAT_IN_NO_MAPPING);
    /* RFC 4787 §4.1: which sends reuse the mapping */
    uint16_t p1b = out_port(&f, 2, IN, "1.1.1.1:2000");
    uint16_t p2 = out_port(&f, 3, IN, "2.2.2.2:1000");
    if (p->m == NAT_MAP_APDM)
        g_assert_cmpuint(p1b, !=, p1);
    else
        g_assert_cmpuint(p1b, ==, p1);
    if (p->m == NAT_MAP_EIM)
        g_assert_cmpuint(p2, ==, p1);
    else
        g_assert_cmpuint(p2, !=, p1);
    if (p->m == NAT_MAP_APDM)
        g_assert_cmpuint(p2, !=, p1b);
    size_t want = p->m == NAT_MAP_EIM ? 1 : p->m == NAT_MAP_ADM ? 2 : 3;
    g_assert_cmpuint(nat_table_size(f.t), ==, want);
    g_assert_cmpuint(f.ev[NAT_EV_CREATE], ==, want);
    /* Under EIM the permits are the union over every remote contacted (now R2 too) */
    if (p->m == NAT_MAP_EIM)
        g_assert_cmpint(in_res(&f, 4, "2.2.2.2:1000", p1), ==, NAT_IN_OK);
    nat_table_free(f.t);
}

/* ---- port assignment ---- */

static void test_port_preserve_fallback(void)
{
    tfx f;
    nat_config_default(&f.cfg);
    tfx_open(&f);
    g_assert_cmpuint(out_port(&f, 0, IN, "1.1.1.1:1000"), ==, 1211);
    /* another inside host with the same port: taken, fall back to sequential from the bottom */
    g_assert_cmpuint(out_port(&f, 0, "192.168.60.154:1211", "1.1.1.1:1000"), ==, 1024);
    g_assert_cmpuint(out_port(&f, 0, "192.168.60.155:1211", "1.1.1.1:1000"), ==, 1025);
    /* a port below the range is not preserved (RFC 4787 REQ-3) */
    g_assert_cmpuint(out_port(&f, 0, "192.168.60.153:53", "1.1.1.1:1000"), ==, 1026);
    /* ICMP identifiers are a separate space: id 1211 is free for ICMP */
    sim_ep i = ep("192.168.60.154:1211"), r = ep("1.1.1.1:0");
    nat_entry *e;
    g_assert_cmpint(nat_table_outbound(f.t, 0, 1, &i, &r, &e), ==, 0);
    g_assert_cmpuint(e->outside.port, ==, 1211);
    nat_table_free(f.t);
}

static void test_port_sequential(void)
{
    tfx f;
    nat_config_default(&f.cfg);
    f.cfg.port_alloc = NAT_PORT_SEQUENTIAL;
    f.cfg.port_min = 20000;
    f.cfg.port_max = 20010;
    tfx_open(&f);
    g_assert_cmpuint(out_port(&f, 0, IN, "1.1.1.1:1000"), ==, 20000);
    g_assert_cmpuint(out_port(&f, 0, "192.168.60.154:20001", "1.1.1.1:1000"), ==, 20001);
    g_assert_cmpuint(out_port(&f, 0, "192.168.60.155:7", "1.1.1.1:1000"), ==, 20002);
    nat_table_free(f.t);
}

static void test_port_random(void)
{
    uint16_t a[8], b[8];
    for (int run = 0; run < 2; run++) {
        tfx f;
        nat_config_default(&f.cfg);
        f.cfg.port_alloc = NAT_PORT_RANDOM;
        tfx_open(&f);
        for (int k = 0; k < 8; k++) {
            char in[32];
            g_snprintf(in, sizeof in, "192.168.60.%d:1211", 10 + k);
            uint16_t p = out_port(&f, 0, in, "1.1.1.1:1000");
            g_assert_cmpuint(p, >=, 1024);
            (run ? b : a)[k] = p;
        }
        nat_table_free(f.t);
    }
    g_assert_cmpmem(a, sizeof a, b, sizeof b); /* same seed, same ports */
    bool all_sequential = true, all_same = true;
    for (int k = 1; k < 8; k++) {
        all_sequential &= a[k] == a[k - 1] + 1;
        all_same &= a[k] == a[0];
    }
    g_assert_false(all_sequential);
    g_assert_false(all_same);
}

static void test_port_range_parity(void)
{
    tfx f;
    nat_config_default(&f.cfg);
    f.cfg.port_min = 5000;
    f.cfg.port_max = 5009;
    f.cfg.port_parity = true;
    tfx_open(&f);
    g_assert_cmpuint(out_port(&f, 0, "192.168.60.1:1211", "1.1.1.1:1"), ==, 5001); /* odd */
    g_assert_cmpuint(out_port(&f, 0, "192.168.60.2:1212", "1.1.1.1:1"), ==, 5002); /* even */
    g_assert_cmpuint(out_port(&f, 0, "192.168.60.3:1213", "1.1.1.1:1"), ==, 5003);
    g_assert_cmpuint(out_port(&f, 0, "192.168.60.4:5004", "1.1.1.1:1"), ==, 5004); /* kept */
    g_assert_cmpuint(out_port(&f, 0, "192.168.60.5:1000", "1.1.1.1:1"), ==, 5006);
    nat_table_free(f.t);
    /* random with parity stays in range and keeps parity */
    nat_config_default(&f.cfg);
    f.cfg.port_alloc = NAT_PORT_RANDOM;
    f.cfg.port_min = 6000;
    f.cfg.port_max = 6099;
    f.cfg.port_parity = true;
    tfx_open(&f);
    for (int k = 0; k < 40; k++) {
        char in[32];
        g_snprintf(in, sizeof in, "192.168.60.%d:%d", 10 + k, 3000 + k);
        uint16_t p = out_port(&f, 0, in, "1.1.1.1:1");
        g_assert_cmpuint(p, >=, 6000);
        g_assert_cmpuint(p, <=, 6099);
        g_assert_cmpuint(p & 1, ==, (unsigned)k & 1);
    }
    nat_table_free(f.t);
}

static void test_exhaustion(void)
{
    tfx f;
    nat_config_default(&f.cfg);
    f.cfg.mapping = NAT_MAP_APDM;
    f.cfg.port_min = 7000;
    f.cfg.port_max = 7001;
    tfx_open(&f);
    uint16_t a = out_port(&f, 0, IN, "1.1.1.1:1000");
    uint16_t b = out_port(&f, 0, IN, "1.1.1.1:2000");
    g_assert_cmpuint(a, !=, b);
    sim_ep i = ep(IN), r = ep("2.2.2.2:1000");
    nat_entry *e = NULL;
    g_assert_cmpint(nat_table_outbound(f.t, 1, 17, &i, &r, &e), ==, -ENOSPC);
    g_assert_cmpuint(nat_table_size(f.t), ==, 2);
    /* earlier mappings keep working both ways */
    g_assert_cmpuint(out_port(&f, 2, IN, "1.1.1.1:1000"), ==, a);
    g_assert_cmpint(in_res(&f, 2, "1.1.1.1:2000", b), ==, NAT_IN_OK);
    /* TCP has its own ports (and only a SYN makes a TCP mapping) */
    g_assert_cmpint(nat_table_outbound(f.t, 1, 6, &i, &r, &e), ==, -EINVAL);
    g_assert_cmpint(nat_table_tcp_out(f.t, 1, &i, &r, TCP_ACK, &e), ==, -ENOENT);
    g_assert_cmpint(nat_table_tcp_out(f.t, 1, &i, &r, TCP_SYN, &e), ==, 0);
    /* once one expires its port is free again */
    g_assert_cmpuint(nat_table_expire(f.t, 2 + 120 * SIM_SEC), ==, 2);
    g_assert_cmpint(nat_table_outbound(f.t, 2 + 120 * SIM_SEC, 17, &i, &r, &e), ==, 0);
    nat_table_free(f.t);
}

/* ---- lifetimes ---- */

static void test_expiry_refresh(void)
{
    tfx f;
    nat_config_default(&f.cfg);
    tfx_open(&f);
    sim_time_t t0 = 10 * SIM_SEC;
    uint16_t p = out_port(&f, t0, IN, "1.1.1.1:1000");
    g_assert_cmpuint(nat_table_next_expiry(f.t), ==, t0 + 120 * SIM_SEC);
    g_assert_cmpuint(nat_table_expire(f.t, t0 + 120 * SIM_SEC - 1), ==, 0);
    /* outbound refreshes (RFC 4787 REQ-6) */
    g_assert_cmpuint(out_port(&f, t0 + 60 * SIM_SEC, IN, "1.1.1.1:1000"), ==, p);
    g_assert_cmpuint(f.ev[NAT_EV_REFRESH], ==, 1);
    g_assert_cmpuint(nat_table_next_expiry(f.t), ==, t0 + 180 * SIM_SEC);
    /* inbound does not (inbound_refresh off) */
    g_assert_cmpint(in_res(&f, t0 + 100 * SIM_SEC, "1.1.1.1:1000", p), ==, NAT_IN_OK);
    g_assert_cmpuint(nat_table_next_expiry(f.t), ==, t0 + 180 * SIM_SEC);
    g_assert_cmpuint(nat_table_expire(f.t, t0 + 180 * SIM_SEC - 1), ==, 0);
    g_assert_cmpuint(nat_table_expire(f.t, t0 + 180 * SIM_SEC), ==, 1);
    g_assert_cmpuint(f.ev[NAT_EV_EXPIRE], ==, 1);
    g_assert_cmpuint(nat_table_size(f.t), ==, 0);
    g_assert_cmpuint(nat_table_next_expiry(f.t), ==, SIM_TIME_NEVER);
    g_assert_cmpint(in_res(&f, t0 + 180 * SIM_SEC, "1.1.1.1:1000", p), ==, NAT_IN_NO_MAPPING);
    nat_table_free(f.t);

    /* inbound_refresh on */
    nat_config_default(&f.cfg);
    f.cfg.inbound_refresh = true;
    f.cfg.udp_timeout = 30 * SIM_SEC;
    tfx_open(&f);
    p = out_port(&f, 0, IN, "1.1.1.1:1000");
    g_assert_cmpint(in_res(&f, 20 * SIM_SEC, "1.1.1.1:1000", p), ==, NAT_IN_OK);
    g_assert_cmpuint(nat_table_next_expiry(f.t), ==, 50 * SIM_SEC);
    /* a filtered packet does not refresh */
    g_assert_cmpint(in_res(&f, 40 * SIM_SEC, "9.9.9.9:1", p), ==, NAT_IN_FILTERED);
    g_assert_cmpuint(nat_table_next_expiry(f.t), ==, 50 * SIM_SEC);
    /* a lookup at exactly the expiry finds nothing */
    g_assert_cmpint(in_res(&f, 50 * SIM_SEC, "1.1.1.1:1000", p), ==, NAT_IN_NO_MAPPING);
    g_assert_cmpuint(f.ev[NAT_EV_EXPIRE], ==, 1);
    nat_table_free(f.t);
}

static void test_expiry_classes(void)
{
    tfx f;
    nat_config_default(&f.cfg);
    f.cfg.icmp_timeout = 60 * SIM_SEC;
    tfx_open(&f);
    sim_ep i = ep(IN), r = ep("1.1.1.1:1000"), ri = ep("1.1.1.1:0");
    nat_entry *e;
    g_assert_cmpint(nat_table_outbound(f.t, 0, 17, &i, &r, &e), ==, 0);
    g_assert_cmpint(nat_table_tcp_out(f.t, SIM_SEC, &i, &r, TCP_SYN, &e), ==, 0);
    g_assert_cmpuint(e->expires, ==, SIM_SEC + f.cfg.tcp_transitory); /* SYN only */
    g_assert_cmpint(nat_table_outbound(f.t, 2 * SIM_SEC, 1, &i, &ri, &e), ==, 0);
    g_assert_cmpuint(nat_table_next_expiry(f.t), ==, 62 * SIM_SEC); /* ICMP first */
    g_assert_cmpuint(nat_table_expire(f.t, 62 * SIM_SEC), ==, 1);
    g_assert_cmpuint(nat_table_next_expiry(f.t), ==, 120 * SIM_SEC);
    GPtrArray *es = nat_table_entries(f.t);
    g_assert_cmpuint(es->len, ==, 2);
    g_assert_cmpuint(((nat_entry *)es->pdata[0])->proto, ==, 17); /* creation order */
    g_assert_cmpuint(((nat_entry *)es->pdata[1])->proto, ==, 6);
    g_ptr_array_unref(es);
    nat_table_free(f.t);
}

static void test_entry_fmt(void)
{
    tfx f;
    nat_config_default(&f.cfg);
    tfx_open(&f);
    out_port(&f, 0, IN, "138.76.29.7:31000");
    GPtrArray *es = nat_table_entries(f.t);
    GString *s = g_string_new(NULL);
    nat_entry_fmt(es->pdata[0], 2 * SIM_SEC, s);
    g_assert_cmpstr(s->str, ==, "udp 192.168.60.153:1211->68.36.210.57:1211 permits "
                                "138.76.29.7:31000 expires +118.0s");
    g_string_free(s, TRUE);
    g_ptr_array_unref(es);
    nat_table_free(f.t);
}

/* ---- config ---- */

static void test_config(void)
{
    static const struct { const char *name; nat_mapping m; nat_filtering f; } presets[] = {
        { "full-cone", NAT_MAP_EIM, NAT_FILTER_EIF },
        { "restricted-cone", NAT_MAP_EIM, NAT_FILTER_ADF },
        { "port-restricted-cone", NAT_MAP_EIM, NAT_FILTER_APDF },
        { "symmetric", NAT_MAP_APDM, NAT_FILTER_APDF },
    };
    nat_config c;
    nat_config_default(&c);
    g_assert_cmpint(c.mapping, ==, NAT_MAP_EIM);
    g_assert_cmpint(c.filtering, ==, NAT_FILTER_APDF);
    g_assert_cmpuint(c.udp_timeout, ==, 120 * SIM_SEC);
    g_assert_true(c.hairpin);
    g_assert_cmpint(nat_config_check(&c, NULL), ==, 0);
    for (size_t k = 0; k < G_N_ELEMENTS(presets); k++) {
        nat_config_default(&c);
        c.mapping = NAT_MAP_ADM;
        c.filtering = NAT_FILTER_EIF;
        g_assert_null(nat_config_preset_name(&c));
        g_assert_cmpint(nat_config_preset(&c, presets[k].name), ==, 0);
        g_assert_cmpint(c.mapping, ==, presets[k].m);
        g_assert_cmpint(c.filtering, ==, presets[k].f);
        g_assert_cmpstr(nat_config_preset_name(&c), ==, presets[k].name);
    }
    g_assert_cmpint(nat_config_preset(&c, "cone"), ==, -EINVAL);

    nat_mapping m;
    nat_filtering f;
    nat_port_alloc a;
    nat_unsolicited u;
    g_assert_cmpint(nat_mapping_parse("apdm", &m), ==, 0);
    g_assert_cmpint(m, ==, NAT_MAP_APDM);
    g_assert_cmpint(nat_mapping_parse("Address-Dependent", &m), ==, 0);
    g_assert_cmpint(m, ==, NAT_MAP_ADM);
    g_assert_cmpint(nat_mapping_parse("endpoint-independent", &m), ==, 0);
    g_assert_cmpint(m, ==, NAT_MAP_EIM);
    g_assert_cmpint(nat_mapping_parse("EIF", &m), ==, -EINVAL);
    g_assert_cmpint(nat_filtering_parse("ADF", &f), ==, 0);
    g_assert_cmpint(f, ==, NAT_FILTER_ADF);
    g_assert_cmpint(nat_filtering_parse("address-and-port-dependent", &f), ==, 0);
    g_assert_cmpint(f, ==, NAT_FILTER_APDF);
    g_assert_cmpint(nat_port_alloc_parse("Random", &a), ==, 0);
    g_assert_cmpint(a, ==, NAT_PORT_RANDOM);
    g_assert_cmpint(nat_port_alloc_parse("lottery", &a), ==, -EINVAL);
    g_assert_cmpint(nat_unsolicited_parse("icmp", &u), ==, 0);
    g_assert_cmpint(u, ==, NAT_UNSOLICITED_ICMP);
    g_assert_cmpstr(nat_mapping_name(NAT_MAP_ADM), ==, "ADM");
    g_assert_cmpstr(nat_filtering_name(NAT_FILTER_APDF), ==, "APDF");
    g_assert_cmpstr(nat_port_alloc_name(NAT_PORT_SEQUENTIAL), ==, "sequential");
    g_assert_cmpstr(nat_unsolicited_name(NAT_UNSOLICITED_RST), ==, "rst");

    GError *err = NULL;
    nat_config_default(&c);
    c.port_min = 2000;
    c.port_max = 1000;
    g_assert_cmpint(nat_config_check(&c, &err), ==, -EINVAL);
    g_assert_nonnull(err);
    g_clear_error(&err);
    nat_config_default(&c);
    c.udp_timeout = 0;
    g_assert_cmpint(nat_config_check(&c, &err), ==, -EINVAL);
    g_clear_error(&err);
}

/* Heap bytes per mapping over n mappings under filtering f (hash sets included). */
static size_t bytes_per_mapping(nat_filtering f, uint32_t n)
{
    tfx x;
    nat_config_default(&x.cfg);
    x.cfg.filtering = f;
    struct mallinfo2 m0 = mallinfo2(); /* big hash arrays are mmapped: count hblkhd too */
    tfx_open(&x);
    sim_ep r = ep("1.1.1.1:1000");
    for (uint32_t k = 0; k < n; k++) {
        sim_ep i = { .ip = sim_ip4(0x0A000000u + k), .port = 40000 };
        nat_entry *e;
        g_assert_cmpint(nat_table_outbound(x.t, 0, 17, &i, &r, &e), ==, 0);
    }
    struct mallinfo2 m1 = mallinfo2();
    size_t per = (m1.uordblks + m1.hblkhd - m0.uordblks - m0.hblkhd) / n;
    /* hits allocate nothing: refresh every mapping both ways */
    for (uint32_t k = 0; k < n; k++) {
        sim_ep i = { .ip = sim_ip4(0x0A000000u + k), .port = 40000 };
        nat_entry *e;
        g_assert_cmpint(nat_table_outbound(x.t, SIM_SEC, 17, &i, &r, &e), ==, 0);
        g_assert_cmpint(nat_table_inbound(x.t, SIM_SEC, 17, &r, &e->outside, &e), ==, NAT_IN_OK);
    }
    struct mallinfo2 m2 = mallinfo2();
    g_assert_cmpuint(m2.uordblks + m2.hblkhd, ==, m1.uordblks + m1.hblkhd);
    nat_table_free(x.t);
    return per;
}

/* Bytes per mapping, for the memory budget of large worlds (DESIGN §9). */
static void test_memory(void)
{
    size_t apdf = bytes_per_mapping(NAT_FILTER_APDF, 50000);
    size_t eif = bytes_per_mapping(NAT_FILTER_EIF, 50000);
    g_test_message("nat mapping: sizeof(nat_entry) %zu; heap per mapping %zu bytes with one "
                   "permit (APDF), %zu without (EIF)", sizeof(nat_entry), apdf, eif);
    g_assert_cmpuint(apdf, <, 400);
    g_assert_cmpuint(eif, <=, apdf);
}

/* ---- the gateway on real packets ---- */



/* A UDP datagram s -> d with n payload bytes, data at the IPv4 header. */
static sim_pkt *mk_udp(gfx *x, const char *s, const char *d, size_t n)
{
    sim_ep a = ep(s), b = ep(d);
    sim_pkt *p = sim_pkt_alloc(sim_world_pool(x->w));
    uint8_t *ip = sim_pkt_put(p, 20 + 8 + n), *u = ip + 20;
    wr16(u, a.port);
    wr16(u + 2, b.port);
    wr16(u + 4, (uint16_t)(8 + n));
    wr16(u + 6, 0);
    for (size_t k = 0; k < n; k++)
        u[8 + k] = (uint8_t)(k * 7 + 1);
    uint32_t sum = net_csum_pseudo4(a.ip.b, b.ip.b, 17, (uint32_t)(8 + n));
    uint16_t c = net_csum_fold(net_csum_add(sum, u, 8 + n));
    wr16(u + 6, c ? c : 0xFFFF);
    put_ip(ip, &a.ip, &b.ip, 17, 8 + n);
    return p;
}

/* An ICMP echo request (type 8) or reply (0) s -> d with identifier id. */
static sim_pkt *mk_echo(gfx *x, const char *s, const char *d, uint8_t type, uint16_t id)
{
    sim_ip a = ip4(s), b = ip4(d);
    sim_pkt *p = sim_pkt_alloc(sim_world_pool(x->w));
    uint8_t *ip = sim_pkt_put(p, 20 + 16), *m = ip + 20;
    memset(m, 0, 16);
    m[0] = type;
    wr16(m + 4, id);
    wr16(m + 6, 3);
    memcpy(m + 8, "pingpong", 8);
    wr16(m + 2, net_csum_fold(net_csum_add(0, m, 16)));
    put_ip(ip, &a, &b, 1, 16);
    return p;
}

/* An ICMP error (type, code) from s to d quoting the first `quote` bytes of pkt q. */
static sim_pkt *mk_icmp_err(gfx *x, const char *s, const char *d, uint8_t type, uint8_t code,
                            const sim_pkt *q, size_t quote)
{
    sim_ip a = ip4(s), b = ip4(d);
    quote = MIN(quote, q->len);
    sim_pkt *p = sim_pkt_alloc(sim_world_pool(x->w));
    uint8_t *ip = sim_pkt_put(p, 20 + 8 + quote), *m = ip + 20;
    memset(m, 0, 8);
    m[0] = type;
    m[1] = code;
    memcpy(m + 8, q->data, quote);
    wr16(m + 2, net_csum_fold(net_csum_add(0, m, 8 + quote)));
    put_ip(ip, &a, &b, 1, 8 + quote);
    return p;
}


/* Verifies the UDP checksum of the datagram whose IPv4 header is at ip. */
static bool udp_csum_ok(const uint8_t *ip)
{
    size_t n = rd16(ip + 2) - 20;
    const uint8_t *u = ip + 20;
    if (rd16(u + 6) == 0)
        return true;
    return net_csum_fold(net_csum_add(net_csum_pseudo4(ip + 12, ip + 16, 17, (uint32_t)n), u, n)) == 0;
}

static bool icmp_csum_ok(const uint8_t *ip)
{
    return net_csum_fold(net_csum_add(0, ip + 20, rd16(ip + 2) - 20u)) == 0;
}


/* Sends s -> d from inside; asserts it is translated and returns the packet (owned). */
static sim_pkt *send_out(gfx *x, const char *s, const char *d)
{
    sim_pkt *p = mk_udp(x, s, d, 33);
    g_assert_cmpint(nat_gw_input(x->g, x->lan, p), ==, NAT_VERDICT_FORWARD);
    g_assert_true(ip_csum_ok(p->data));
    g_assert_true(udp_csum_ok(p->data));
    return p;
}

static void test_gw_udp(void)
{
    gfx x;
    nat_config c;
    nat_config_default(&c);
    gfx_open(&x, &c, false);
    sim_pkt *p = send_out(&x, IN, "138.76.29.7:31000");
    sim_ep s = pkt_src(p), d = pkt_dst(p);
    assert_ep(&s, OUT_IP ":1211");
    assert_ep(&d, "138.76.29.7:31000");
    g_assert_cmpuint(p->data[8], ==, 64); /* TTL is the stack's business */
    sim_pkt_free(sim_world_pool(x.w), p);

    /* the answer comes back in */
    p = mk_udp(&x, "138.76.29.7:31000", OUT_IP ":1211", 100);
    g_assert_cmpint(nat_gw_input(x.g, x.wan, p), ==, NAT_VERDICT_FORWARD);
    d = pkt_dst(p);
    assert_ep(&d, IN);
    g_assert_true(ip_csum_ok(p->data));
    g_assert_true(udp_csum_ok(p->data));
    sim_pkt_free(sim_world_pool(x.w), p);

    /* a UDP checksum of zero ("none") stays zero */
    p = mk_udp(&x, IN, "138.76.29.7:31000", 4);
    wr16(p->data + 26, 0);
    g_assert_cmpint(nat_gw_input(x.g, x.lan, p), ==, NAT_VERDICT_FORWARD);
    g_assert_cmpuint(rd16(p->data + 26), ==, 0);
    g_assert_true(ip_csum_ok(p->data));
    sim_pkt_free(sim_world_pool(x.w), p);

    /* unsolicited: another port of the same remote is filtered (APDF), unknown port unmapped */
    p = mk_udp(&x, "138.76.29.7:31001", OUT_IP ":1211", 4);
    g_assert_cmpint(nat_gw_input(x.g, x.wan, p), ==, NAT_VERDICT_CONSUMED);
    g_assert_cmpuint(x.n->drops[SIM_DROP_NAT_FILTERED], ==, 1);
    p = mk_udp(&x, "138.76.29.7:31000", OUT_IP ":4000", 4);
    g_assert_cmpint(nat_gw_input(x.g, x.wan, p), ==, NAT_VERDICT_CONSUMED);
    g_assert_cmpuint(x.n->drops[SIM_DROP_NAT_NO_MAPPING], ==, 1);

    /* inside to inside and to the NAT itself: not translated */
    p = mk_udp(&x, IN, "192.168.60.9:53", 4);
    g_assert_cmpint(nat_gw_input(x.g, x.lan, p), ==, NAT_VERDICT_LOCAL);
    s = pkt_src(p);
    assert_ep(&s, IN);
    sim_pkt_free(sim_world_pool(x.w), p);
    p = mk_udp(&x, IN, "192.168.60.1:53", 4);
    g_assert_cmpint(nat_gw_input(x.g, x.lan, p), ==, NAT_VERDICT_LOCAL);
    sim_pkt_free(sim_world_pool(x.w), p);

    /* non-first fragments are not translated */
    p = mk_udp(&x, IN, "138.76.29.7:31000", 4);
    wr16(p->data + 6, 0x0010);
    wr16(p->data + 10, 0);
    wr16(p->data + 10, net_csum_fold(net_csum_add(0, p->data, 20)));
    g_assert_cmpint(nat_gw_input(x.g, x.lan, p), ==, NAT_VERDICT_CONSUMED);
    g_assert_cmpuint(x.n->drops[SIM_DROP_UNSUPPORTED], ==, 1);

    GString *t = g_string_new(NULL);
    nat_gw_fmt_table(x.g, t);
    g_test_message("%s", t->str);
    g_assert_nonnull(strstr(t->str, "NAT NA " OUT_IP " (port-restricted-cone: EIM/APDF"));
    g_assert_nonnull(strstr(t->str, "138.76.29.7:31000"));
    g_string_free(t, TRUE);
    gfx_close(&x);
}

/* A TCP segment (bare 20-byte header, SYN) s -> d. */
static sim_pkt *mk_tcp(gfx *x, const char *s, const char *d)
{
    sim_ep a = ep(s), b = ep(d);
    sim_pkt *p = sim_pkt_alloc(sim_world_pool(x->w));
    uint8_t *ip = sim_pkt_put(p, 40), *t = ip + 20;
    memset(t, 0, 20);
    wr16(t, a.port);
    wr16(t + 2, b.port);
    t[12] = 5 << 4;
    t[13] = 0x02;
    wr16(t + 14, 65535);
    uint32_t sum = net_csum_pseudo4(a.ip.b, b.ip.b, 6, 20);
    wr16(t + 16, net_csum_fold(net_csum_add(sum, t, 20)));
    put_ip(ip, &a.ip, &b.ip, 6, 20);
    return p;
}


static void test_gw_tcp_bcast(void)
{
    gfx x;
    nat_config c;
    nat_config_default(&c);
    gfx_open(&x, &c, false);
    sim_pkt_pool *pool = sim_world_pool(x.w);
    sim_pkt *p = mk_tcp(&x, IN, "138.76.29.7:80");
    g_assert_cmpint(nat_gw_input(x.g, x.lan, p), ==, NAT_VERDICT_FORWARD);
    sim_ep s = pkt_src(p);
    assert_ep(&s, OUT_IP ":1211");
    g_assert_true(ip_csum_ok(p->data));
    g_assert_true(tcp_csum_ok(p->data));
    sim_pkt_free(pool, p);
    p = mk_tcp(&x, "138.76.29.7:80", OUT_IP ":1211");
    g_assert_cmpint(nat_gw_input(x.g, x.wan, p), ==, NAT_VERDICT_FORWARD);
    sim_ep d = pkt_dst(p);
    assert_ep(&d, IN);
    g_assert_true(tcp_csum_ok(p->data));
    sim_pkt_free(pool, p);
    GPtrArray *es = nat_table_entries(nat_gw_table(x.g));
    g_assert_cmpuint(es->len, ==, 1);
    const nat_entry *e = es->pdata[0];
    g_assert_cmpuint(e->proto, ==, 6);
    g_assert_cmpuint(e->expires, ==, c.tcp_established);
    g_ptr_array_unref(es);
    /* broadcasts from inside are never translated */
    p = mk_udp(&x, "192.168.60.153:68", "255.255.255.255:67", 8);
    g_assert_cmpint(nat_gw_input(x.g, x.lan, p), ==, NAT_VERDICT_LOCAL);
    sim_pkt_free(pool, p);
    gfx_close(&x);
}

static void test_gw_hairpin(void)
{
    gfx x;
    nat_config c;
    nat_config_default(&c); /* EIM/APDF, hairpin on */
    gfx_open(&x, &c, false);
    sim_pkt_pool *pool = sim_world_pool(x.w);
    sim_pkt_free(pool, send_out(&x, IN, "138.76.29.7:31000"));
    /* B -> A's outside endpoint: B's own mapping is made; A's APDF filter refuses B's outside
     * endpoint (A never sent to it) */
    sim_pkt *p = mk_udp(&x, "192.168.60.154:5000", OUT_IP ":1211", 10);
    g_assert_cmpint(nat_gw_input(x.g, x.lan, p), ==, NAT_VERDICT_CONSUMED);
    g_assert_cmpuint(x.n->drops[SIM_DROP_NAT_FILTERED], ==, 1);
    /* A -> B's outside endpoint: B sent to A's outside endpoint, so B's filter admits it;
     * the source is A's external endpoint (REQ-9) */
    p = mk_udp(&x, IN, OUT_IP ":5000", 10);
    g_assert_cmpint(nat_gw_input(x.g, x.lan, p), ==, NAT_VERDICT_FORWARD);
    sim_ep s = pkt_src(p), d = pkt_dst(p);
    assert_ep(&s, OUT_IP ":1211");
    assert_ep(&d, "192.168.60.154:5000");
    g_assert_true(ip_csum_ok(p->data));
    g_assert_true(udp_csum_ok(p->data));
    sim_pkt_free(pool, p);
    /* to a port no mapping owns: for the NAT itself */
    p = mk_udp(&x, IN, OUT_IP ":9", 10);
    g_assert_cmpint(nat_gw_input(x.g, x.lan, p), ==, NAT_VERDICT_LOCAL);
    sim_pkt_free(pool, p);
    gfx_close(&x);

    /* full cone: B reaches A directly */
    nat_config_preset(&c, "full-cone");
    gfx_open(&x, &c, false);
    pool = sim_world_pool(x.w);
    sim_pkt_free(pool, send_out(&x, IN, "138.76.29.7:31000"));
    p = mk_udp(&x, "192.168.60.154:5000", OUT_IP ":1211", 10);
    g_assert_cmpint(nat_gw_input(x.g, x.lan, p), ==, NAT_VERDICT_FORWARD);
    s = pkt_src(p);
    d = pkt_dst(p);
    assert_ep(&s, OUT_IP ":5000");
    assert_ep(&d, IN);
    g_assert_true(ip_csum_ok(p->data));
    g_assert_true(udp_csum_ok(p->data));
    sim_pkt_free(pool, p);
    gfx_close(&x);

    /* hairpinning off */
    c.hairpin = false;
    gfx_open(&x, &c, false);
    pool = sim_world_pool(x.w);
    sim_pkt_free(pool, send_out(&x, IN, "138.76.29.7:31000"));
    p = mk_udp(&x, "192.168.60.154:5000", OUT_IP ":1211", 10);
    g_assert_cmpint(nat_gw_input(x.g, x.lan, p), ==, NAT_VERDICT_CONSUMED);
    g_assert_cmpuint(x.n->drops[SIM_DROP_NAT_HAIRPIN], ==, 1);
    g_assert_cmpuint(nat_table_size(nat_gw_table(x.g)), ==, 1);
    gfx_close(&x);
}

static void test_gw_icmp_error_in(void)
{
    gfx x;
    nat_config c;
    nat_config_default(&c);
    gfx_open(&x, &c, false);
    sim_pkt_pool *pool = sim_world_pool(x.w);
    for (int full = 0; full < 2; full++) {
        sim_pkt *q = send_out(&x, IN, "138.76.29.7:31000"); /* as it left the NAT */
        sim_pkt *p = mk_icmp_err(&x, "138.76.29.7", OUT_IP, 3, 3, q, full ? q->len : 28);
        sim_pkt_free(pool, q);
        g_assert_cmpint(nat_gw_input(x.g, x.wan, p), ==, NAT_VERDICT_FORWARD);
        const uint8_t *ip = p->data, *inner = ip + 28;
        g_assert_true(ip_csum_ok(ip));
        g_assert_true(icmp_csum_ok(ip));
        g_assert_true(ip_csum_ok(inner));
        sim_ep d = pkt_dst(p);
        d.port = 0;
        assert_ep(&d, "192.168.60.153:0");
        sim_ep is = { .ip = { .family = SIM_AF_INET } };
        memcpy(is.ip.b, inner + 12, 4);
        is.port = rd16(inner + 20);
        assert_ep(&is, IN);
        if (full)
            g_assert_true(udp_csum_ok(inner)); /* the whole datagram is there: verify it */
        sim_pkt_free(pool, p);
    }
    /* an error claiming to be about a packet to a remote the mapping never sent to (APDF):
     * refused, so errors cannot be forged from anywhere */
    sim_pkt *f = mk_udp(&x, OUT_IP ":1211", "9.9.9.9:53", 4);
    sim_pkt *e = mk_icmp_err(&x, "9.9.9.9", OUT_IP, 3, 3, f, f->len);
    sim_pkt_free(pool, f);
    g_assert_cmpint(nat_gw_input(x.g, x.wan, e), ==, NAT_VERDICT_CONSUMED);
    g_assert_cmpuint(x.n->drops[SIM_DROP_NAT_FILTERED], ==, 1);
    /* an error about a packet we never sent: left to the NAT host */
    sim_pkt *q = mk_udp(&x, OUT_IP ":4444", "138.76.29.7:31000", 4);
    sim_pkt *p = mk_icmp_err(&x, "138.76.29.7", OUT_IP, 3, 3, q, q->len);
    sim_pkt_free(pool, q);
    g_assert_cmpint(nat_gw_input(x.g, x.wan, p), ==, NAT_VERDICT_LOCAL);
    sim_pkt_free(pool, p);
    gfx_close(&x);
}

static void test_gw_icmp_error_out(void)
{
    gfx x;
    nat_config c;
    nat_config_default(&c);
    gfx_open(&x, &c, false);
    sim_pkt_pool *pool = sim_world_pool(x.w);
    sim_pkt_free(pool, send_out(&x, IN, "138.76.29.7:31000"));
    /* the remote's datagram, as delivered inside */
    sim_pkt *q = mk_udp(&x, "138.76.29.7:31000", OUT_IP ":1211", 20);
    g_assert_cmpint(nat_gw_input(x.g, x.wan, q), ==, NAT_VERDICT_FORWARD);
    /* the inside host's port unreachable about it goes out as if from the NAT */
    sim_pkt *p = mk_icmp_err(&x, "192.168.60.153", "138.76.29.7", 3, 3, q, q->len);
    sim_pkt_free(pool, q);
    g_assert_cmpint(nat_gw_input(x.g, x.lan, p), ==, NAT_VERDICT_FORWARD);
    const uint8_t *ip = p->data, *inner = ip + 28;
    sim_ep s = pkt_src(p);
    s.port = 0;
    assert_ep(&s, OUT_IP ":0");
    g_assert_true(ip_csum_ok(ip));
    g_assert_true(icmp_csum_ok(ip));
    g_assert_true(ip_csum_ok(inner));
    g_assert_true(udp_csum_ok(inner));
    sim_ep id = { .ip = { .family = SIM_AF_INET } };
    memcpy(id.ip.b, inner + 16, 4);
    id.port = rd16(inner + 22);
    assert_ep(&id, OUT_IP ":1211");
    sim_pkt_free(pool, p);
    gfx_close(&x);
}

static void test_gw_echo(void)
{
    gfx x;
    nat_config c;
    nat_config_default(&c);
    gfx_open(&x, &c, false);
    sim_pkt_pool *pool = sim_world_pool(x.w);
    sim_pkt *p = mk_echo(&x, "192.168.60.153", "8.8.8.8", 8, 77);
    g_assert_cmpint(nat_gw_input(x.g, x.lan, p), ==, NAT_VERDICT_FORWARD);
    g_assert_cmpuint(rd16(p->data + 24), ==, 77); /* id preserved */
    sim_ep s = pkt_src(p);
    s.port = 0;
    assert_ep(&s, OUT_IP ":0");
    g_assert_true(ip_csum_ok(p->data));
    g_assert_true(icmp_csum_ok(p->data));
    sim_pkt_free(pool, p);
    /* a second host with the same id gets another */
    p = mk_echo(&x, "192.168.60.154", "8.8.8.8", 8, 77);
    g_assert_cmpint(nat_gw_input(x.g, x.lan, p), ==, NAT_VERDICT_FORWARD);
    uint16_t id2 = rd16(p->data + 24);
    g_assert_cmpuint(id2, !=, 77);
    g_assert_true(icmp_csum_ok(p->data));
    sim_pkt_free(pool, p);
    /* replies go back to the right host with the right id */
    p = mk_echo(&x, "8.8.8.8", OUT_IP, 0, id2);
    g_assert_cmpint(nat_gw_input(x.g, x.wan, p), ==, NAT_VERDICT_FORWARD);
    sim_ep d = pkt_dst(p);
    d.port = 0;
    assert_ep(&d, "192.168.60.154:0");
    g_assert_cmpuint(rd16(p->data + 24), ==, 77);
    g_assert_true(ip_csum_ok(p->data));
    g_assert_true(icmp_csum_ok(p->data));
    sim_pkt_free(pool, p);
    /* a reply from someone not pinged is filtered; a ping to the NAT is the NAT's */
    p = mk_echo(&x, "9.9.9.9", OUT_IP, 0, 77);
    g_assert_cmpint(nat_gw_input(x.g, x.wan, p), ==, NAT_VERDICT_CONSUMED);
    g_assert_cmpuint(x.n->drops[SIM_DROP_NAT_FILTERED], ==, 1);
    p = mk_echo(&x, "9.9.9.9", OUT_IP, 8, 77);
    g_assert_cmpint(nat_gw_input(x.g, x.wan, p), ==, NAT_VERDICT_LOCAL);
    sim_pkt_free(pool, p);
    /* TTL exceeded about our translated echo comes back translated */
    sim_pkt *q = mk_echo(&x, "192.168.60.154", "8.8.8.8", 8, 77);
    g_assert_cmpint(nat_gw_input(x.g, x.lan, q), ==, NAT_VERDICT_FORWARD);
    g_assert_cmpuint(rd16(q->data + 24), ==, id2);
    p = mk_icmp_err(&x, "10.0.0.1", OUT_IP, 11, 0, q, q->len);
    sim_pkt_free(pool, q);
    g_assert_cmpint(nat_gw_input(x.g, x.wan, p), ==, NAT_VERDICT_FORWARD);
    d = pkt_dst(p);
    d.port = 0;
    assert_ep(&d, "192.168.60.154:0");
    g_assert_true(icmp_csum_ok(p->data));
    g_assert_true(ip_csum_ok(p->data + 28));
    g_assert_true(icmp_csum_ok(p->data + 28)); /* the embedded echo, id restored */
    g_assert_cmpuint(rd16(p->data + 28 + 24), ==, 77);
    sim_pkt_free(pool, p);
    gfx_close(&x);
}

static void test_gw_exhausted(void)
{
    gfx x;
    nat_config c;
    nat_config_default(&c);
    c.port_min = c.port_max = 3000;
    gfx_open(&x, &c, true);
    sim_pkt_free(sim_world_pool(x.w), send_out(&x, IN, "138.76.29.7:31000"));
    sim_pkt *p = mk_udp(&x, "192.168.60.154:1211", "138.76.29.7:31000", 4);
    g_assert_cmpint(nat_gw_input(x.g, x.lan, p), ==, NAT_VERDICT_CONSUMED);
    g_assert_cmpuint(x.n->drops[SIM_DROP_NAT_EXHAUSTED], ==, 1);
    sim_pkt_free(sim_world_pool(x.w), send_out(&x, IN, "138.76.29.7:31000"));
    gfx_close(&x);
}

/* Mappings expire on the timer at exactly the last refresh + timeout, logged. */
static void test_gw_expiry_log(void)
{
    gfx x;
    nat_config c;
    nat_config_default(&c);
    c.udp_timeout = 30 * SIM_SEC;
    gfx_open(&x, &c, true);
    sim_pkt_free(sim_world_pool(x.w), send_out(&x, IN, "138.76.29.7:31000"));
    sim_world_run(x.w, 10 * SIM_SEC);
    sim_pkt_free(sim_world_pool(x.w), send_out(&x, IN, "138.76.29.7:31000")); /* refresh */
    sim_world_run(x.w, 40 * SIM_SEC - 1);
    g_assert_cmpuint(nat_table_size(nat_gw_table(x.g)), ==, 1);
    sim_world_run(x.w, 40 * SIM_SEC);
    g_assert_cmpuint(nat_table_size(nat_gw_table(x.g)), ==, 0);
    char *text = gfx_read_log(&x);
    g_assert_nonnull(strstr(text, "\"nat.create\""));
    g_assert_nonnull(strstr(text, "\"nat.refresh\""));
    const char *ex = strstr(text, "\"nat.expire\"");
    g_assert_nonnull(ex);
    g_assert_nonnull(strstr(text, "\"remote\":\"138.76.29.7:31000\""));
    g_free(text);
    gfx_close(&x);
}

/* ---- end to end: real hosts, sockets and links through the stack ---- */

typedef struct e2e_rx {
    unsigned n;
    sim_ep from;
    sim_sock *echo; /* when set, answers every datagram to its sender */
} e2e_rx;

static void e2e_recv(sim_sock *s, const uint8_t *data, size_t len, const sim_ep *from,
                     const sim_ep *to, void *ctx)
{
    e2e_rx *rx = ctx;
    rx->n++;
    rx->from = *from;
    if (rx->echo)
        sim_sock_sendto(rx->echo, data, len, from);
}

static void test_e2e_udp(void)
{
    gfx x;
    nat_config c;
    nat_config_default(&c);
    gfx_open(&x, &c, false);
    GError *err = NULL;
    sim_node *a = sim_node_new(x.w, "A", SIM_NODE_HOST, &err);
    sim_node *r = sim_node_new(x.w, "R", SIM_NODE_HOST, &err);
    g_assert_no_error(err);
    sim_iface *ai = sim_node_attach(a, sim_world_link(x.w, "lan"), NULL, &err);
    sim_iface *ri = sim_node_attach(r, sim_world_link(x.w, "wan"), NULL, &err);
    g_assert_no_error(err);
    sim_ip aip = ip4("192.168.60.153"), rip = ip4("68.36.210.1"), any = ip4("0.0.0.0");
    sim_ip agw = ip4("192.168.60.1");
    g_assert_cmpint(sim_iface_add_addr(ai, &aip, 24), ==, 0);
    g_assert_cmpint(sim_iface_add_addr(ri, &rip, 24), ==, 0);
    g_assert_cmpint(sim_node_add_route(a, &any, 0, &agw, NULL), ==, 0);

    sim_sock *as = sim_udp_open(a, SIM_AF_INET), *rs = sim_udp_open(r, SIM_AF_INET);
    sim_ep al = ep("0.0.0.0:1211"), rl = ep("0.0.0.0:31000");
    g_assert_cmpint(sim_sock_bind(as, &al), ==, 0);
    g_assert_cmpint(sim_sock_bind(rs, &rl), ==, 0);
    e2e_rx arx = { 0 }, rrx = { .echo = rs };
    sim_sock_on_recv(as, e2e_recv, &arx);
    sim_sock_on_recv(rs, e2e_recv, &rrx);
    sim_ep to = ep("68.36.210.1:31000");
    g_assert_cmpint(sim_sock_sendto(as, "hello", 5, &to), ==, 0);
    sim_world_run(x.w, SIM_SEC);
    g_assert_cmpuint(rrx.n, ==, 1);
    assert_ep(&rrx.from, OUT_IP ":1211"); /* the remote sees the outside endpoint */
    g_assert_cmpuint(arx.n, ==, 1);       /* and the answer made it back in */
    assert_ep(&arx.from, "68.36.210.1:31000");

    /* unsolicited from another port of R: filtered (APDF) */
    sim_sock *rs2 = sim_udp_open(r, SIM_AF_INET);
    sim_ep o = ep(OUT_IP ":1211");
    g_assert_cmpint(sim_sock_sendto(rs2, "knock", 5, &o), ==, 0);
    sim_world_run(x.w, 2 * SIM_SEC);
    g_assert_cmpuint(arx.n, ==, 1);
    g_assert_cmpuint(x.n->drops[SIM_DROP_NAT_FILTERED], ==, 1);

    /* the mapping expires on its own with no traffic */
    g_assert_cmpuint(nat_table_size(nat_gw_table(x.g)), ==, 1);
    sim_world_run(x.w, 200 * SIM_SEC);
    g_assert_cmpuint(nat_table_size(nat_gw_table(x.g)), ==, 0);
    gfx_close(&x);
}

static void e2e_error(sim_sock *s, int err, const sim_ep *remote, void *ctx)
{
    *(int *)ctx = err;
}

/* unsolicited = icmp: the sender hears "port unreachable" from the NAT */
static void test_e2e_unsolicited_icmp(void)
{
    gfx x;
    nat_config c;
    nat_config_default(&c);
    c.unsolicited = NAT_UNSOLICITED_ICMP;
    gfx_open(&x, &c, false);
    GError *err = NULL;
    sim_node *r = sim_node_new(x.w, "R", SIM_NODE_HOST, &err);
    sim_iface *ri = sim_node_attach(r, sim_world_link(x.w, "wan"), NULL, &err);
    g_assert_no_error(err);
    sim_ip rip = ip4("68.36.210.1");
    g_assert_cmpint(sim_iface_add_addr(ri, &rip, 24), ==, 0);
    sim_sock *rs = sim_udp_open(r, SIM_AF_INET);
    int got = 0;
    sim_sock_on_error(rs, e2e_error, &got);
    sim_ep o = ep(OUT_IP ":4000");
    g_assert_cmpint(sim_sock_sendto(rs, "knock", 5, &o), ==, 0);
    sim_world_run(x.w, SIM_SEC);
    g_assert_cmpuint(x.n->drops[SIM_DROP_NAT_NO_MAPPING], ==, 1);
    g_assert_cmpint(got, ==, -ECONNREFUSED);
    gfx_close(&x);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    static pair pairs[9];
    static char names[9][40];
    for (int m = 0; m < 3; m++) {
        for (int f = 0; f < 3; f++) {
            pair *p = &pairs[m * 3 + f];
            p->m = (nat_mapping)m;
            p->f = (nat_filtering)f;
            char *lm = g_ascii_strdown(nat_mapping_name(p->m), -1);
            char *lf = g_ascii_strdown(nat_filtering_name(p->f), -1);
            g_snprintf(names[m * 3 + f], sizeof names[0], "/nat/table/%s/%s", lm, lf);
            g_free(lm);
            g_free(lf);
            g_test_add_data_func(names[m * 3 + f], p, test_pair);
        }
    }
    g_test_add_func("/nat/table/port/preserve-fallback", test_port_preserve_fallback);
    g_test_add_func("/nat/table/port/sequential", test_port_sequential);
    g_test_add_func("/nat/table/port/random-deterministic", test_port_random);
    g_test_add_func("/nat/table/port/range-parity", test_port_range_parity);
    g_test_add_func("/nat/table/port/exhaustion", test_exhaustion);
    g_test_add_func("/nat/table/lifetime/expiry-refresh", test_expiry_refresh);
    g_test_add_func("/nat/table/lifetime/classes", test_expiry_classes);
    g_test_add_func("/nat/table/fmt", test_entry_fmt);
    g_test_add_func("/nat/table/memory", test_memory);
    g_test_add_func("/nat/config", test_config);
    g_test_add_func("/nat/gw/udp", test_gw_udp);
    g_test_add_func("/nat/gw/tcp-bcast", test_gw_tcp_bcast);
    g_test_add_func("/nat/gw/hairpin", test_gw_hairpin);
    g_test_add_func("/nat/gw/icmp-error-in", test_gw_icmp_error_in);
    g_test_add_func("/nat/gw/icmp-error-out", test_gw_icmp_error_out);
    g_test_add_func("/nat/gw/echo", test_gw_echo);
    g_test_add_func("/nat/gw/exhausted", test_gw_exhausted);
    g_test_add_func("/nat/gw/expiry-log", test_gw_expiry_log);
    g_test_add_func("/nat/e2e/udp", test_e2e_udp);
    g_test_add_func("/nat/e2e/unsolicited-icmp", test_e2e_unsolicited_icmp);
    return g_test_run();
}
