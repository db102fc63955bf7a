/* sim/nat_config.c — NAT behaviour configuration: defaults, the classic presets, names, parsers
 * and the sanity check (RFC 4787, RFC 5382, RFC 5508). */
#include <errno.h>
#include <string.h>
#include "sim/nat_priv.h"
#include "sim/world.h"

void nat_config_default(nat_config *c)
{
    *c = (nat_config){
        .mapping = NAT_MAP_EIM,           /* RFC 4787 REQ-1 */
        .filtering = NAT_FILTER_APDF,     /* port-restricted cone, the common home NAT */
        .port_alloc = NAT_PORT_PRESERVE,
        .port_min = 1024,
        .port_max = 65535,
        .port_parity = false,
        .udp_timeout = 120 * SIM_SEC,     /* RFC 4787 REQ-5: at least 2 min */
        .inbound_refresh = false,         /* RFC 4787 REQ-6: outbound refresh is the must */
        .tcp_established = 7440 * SIM_SEC, /* RFC 5382 REQ-5: 2 h 4 min */
        .tcp_transitory = 240 * SIM_SEC,  /* RFC 5382 REQ-5: 4 min */
        .icmp_timeout = 60 * SIM_SEC,     /* RFC 5508 REQ-1: ICMP query timeout >= 60 s */
        .hairpin = true,                  /* RFC 4787 REQ-9 */
        .unsolicited = NAT_UNSOLICITED_DROP,
    };
}

typedef struct nat_preset {
    const char *name;
    nat_mapping m;
    nat_filtering f;
} nat_preset;

/* The classic "cone" names (RFC 3489 §5) expressed as RFC 4787 behaviours. */
static const nat_preset nat_presets[] = {
    { "full-cone", NAT_MAP_EIM, NAT_FILTER_EIF },
    { "restricted-cone", NAT_MAP_EIM, NAT_FILTER_ADF },
    { "port-restricted-cone", NAT_MAP_EIM, NAT_FILTER_APDF },
    { "symmetric", NAT_MAP_APDM, NAT_FILTER_APDF },
};

int nat_config_preset(nat_config *c, const char *name)
{
    if (!name)
        return -EINVAL;
    for (size_t i = 0; i < G_N_ELEMENTS(nat_presets); i++) {
        if (g_ascii_strcasecmp(name, nat_presets[i].name) == 0) {
            c->mapping = nat_presets[i].m;
            c->filtering = nat_presets[i].f;
            return 0;
        }
    }
    return -EINVAL;
}

const char *nat_config_preset_name(const nat_config *c)
{
    for (size_t i = 0; i < G_N_ELEMENTS(nat_presets); i++)
        if (c->mapping == nat_presets[i].m && c->filtering == nat_presets[i].f)
            return nat_presets[i].name;
    return NULL;
}

int nat_config_check(const nat_config *c, GError **err)
{
    const char *why = NULL;
    if ((unsigned)c->mapping > NAT_MAP_APDM)
        why = "unknown mapping behaviour";
    else if ((unsigned)c->filtering > NAT_FILTER_APDF)
        why = "unknown filtering behaviour";
    else if ((unsigned)c->port_alloc > NAT_PORT_RANDOM)
        why = "unknown port assignment";
    else if ((unsigned)c->unsolicited > NAT_UNSOLICITED_RST)
        why = "unknown unsolicited-packet behaviour";
    else if (c->port_min == 0 || c->port_min > c->port_max)
        why = "port range must satisfy 1 <= port_min <= port_max";
    else if (c->port_parity && c->port_min == c->port_max)
        why = "port parity needs a range with both even and odd ports";
    else if (c->udp_timeout == 0 || c->tcp_established == 0 || c->tcp_transitory == 0 ||
             c->icmp_timeout == 0)
        why = "mapping timeouts must be positive";
    else if (c->tcp_transitory > c->tcp_established)
        why = "tcp_transitory must not exceed tcp_established"; /* RFC 5382 §5: a short-lived
                                                                 * state cannot outlive an open
                                                                 * connection */
    if (!why)
        return 0;
    g_set_error(err, SIM_ERROR, SIM_ERROR_INVAL, "nat config: %s", why);
    return -EINVAL;
}

static const char *const nat_mapping_names[] = { "EIM", "ADM", "APDM" };
static const char *const nat_filtering_names[] = { "EIF", "ADF", "APDF" };
static const char *const nat_dependency_long[] = {
    "endpoint-independent", "address-dependent", "address-and-port-dependent",
};
static const char *const nat_port_alloc_names[] = { "preserve", "sequential", "random" };
static const char *const nat_unsolicited_names[] = { "drop", "icmp", "rst" };

const char *nat_mapping_name(nat_mapping m)
{
    return (unsigned)m < G_N_ELEMENTS(nat_mapping_names) ? nat_mapping_names[m] : "?";
}

const char *nat_filtering_name(nat_filtering f)
{
    return (unsigned)f < G_N_ELEMENTS(nat_filtering_names) ? nat_filtering_names[f] : "?";
}

const char *nat_port_alloc_name(nat_port_alloc a)
{
    return (unsigned)a < G_N_ELEMENTS(nat_port_alloc_names) ? nat_port_alloc_names[a] : "?";
}

const char *nat_unsolicited_name(nat_unsolicited u)
{
    return (unsigned)u < G_N_ELEMENTS(nat_unsolicited_names) ? nat_unsolicited_names[u] : "?";
}

/* Index of s in names[0..n) or in the long dependency forms (any case), or -1. */
static int nat_lookup_name(const char *s, const char *const *names, size_t n, bool dependency)
{
    if (!s)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (g_ascii_strcasecmp(s, names[i]) == 0)
            return (int)i;
        if (dependency && g_ascii_strcasecmp(s, nat_dependency_long[i]) == 0)
            return (int)i;
    }
    return -1;
}

int nat_mapping_parse(const char *s, nat_mapping *out)
{
    int i = nat_lookup_name(s, nat_mapping_names, G_N_ELEMENTS(nat_mapping_names), true);
    if (i < 0)
        return -EINVAL;
    *out = (nat_mapping)i;
    return 0;
}

int nat_filtering_parse(const char *s, nat_filtering *out)
{
    int i = nat_lookup_name(s, nat_filtering_names, G_N_ELEMENTS(nat_filtering_names), true);
    if (i < 0)
        return -EINVAL;
    *out = (nat_filtering)i;
    return 0;
}

int nat_port_alloc_parse(const char *s, nat_port_alloc *out)
{
    int i = nat_lookup_name(s, nat_port_alloc_names, G_N_ELEMENTS(nat_port_alloc_names), false);
    if (i < 0)
        return -EINVAL;
    *out = (nat_port_alloc)i;
    return 0;
}

int nat_unsolicited_parse(const char *s, nat_unsolicited *out)
{
    int i = nat_lookup_name(s, nat_unsolicited_names, G_N_ELEMENTS(nat_unsolicited_names), false);
    if (i < 0)
        return -EINVAL;
    *out = (nat_unsolicited)i;
    return 0;
}

const char *nat_proto_name(uint8_t proto)
{
    switch (proto) {
    case 17: return "udp";
    case 6: return "tcp";
    case 1: return "icmp";
    default: return "proto";
    }
}

/* Appends a duration as "120s", "2h4m", "90.5s". */
static void nat_fmt_duration(sim_time_t t, GString *out)
{
    if (t % SIM_SEC) {
        g_string_append_printf(out, "%.3gs", sim_time_sec(t));
        return;
    }
    uint64_t s = t / SIM_SEC;
    if (s >= 3600 && s % 60 == 0) {
        g_string_append_printf(out, "%" G_GUINT64_FORMAT "h", s / 3600);
        if (s % 3600)
            g_string_append_printf(out, "%" G_GUINT64_FORMAT "m", s % 3600 / 60);
    } else {
        g_string_append_printf(out, "%" G_GUINT64_FORMAT "s", s);
    }
}

void nat_config_fmt(const nat_config *c, GString *out)
{
    const char *preset = nat_config_preset_name(c);
    if (preset)
        g_string_append_printf(out, "%s: ", preset);
    g_string_append_printf(out, "%s/%s, %s%s %u-%u, udp ", nat_mapping_name(c->mapping),
                           nat_filtering_name(c->filtering), nat_port_alloc_name(c->port_alloc),
                           c->port_parity ? "+parity" : "", c->port_min, c->port_max);
    nat_fmt_duration(c->udp_timeout, out);
    if (c->inbound_refresh)
        g_string_append(out, " (inbound refreshes)");
    g_string_append_printf(out, ", hairpin %s", c->hairpin ? "on" : "off");
    if (c->unsolicited != NAT_UNSOLICITED_DROP)
        g_string_append_printf(out, ", unsolicited %s", nat_unsolicited_name(c->unsolicited));
}
