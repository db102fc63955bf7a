/* protocols/ice/ice_decode.c — `natsim decode ice FILE`: RFC 8839 candidate lines, one per line
 * (an SDP fragment works too: lines that are not `candidate:` / `a=candidate:` attributes are
 * skipped), each decoded and its priority taken apart into the RFC 8445 §5.1.2.1 fields. ICE
 * connectivity checks themselves are STUN messages: `natsim decode stun` shows them. */
#include "protocols/ice/ice.h"

#include <errno.h>
#include <string.h>

#define ICE_DECODE_ERROR g_quark_from_static_string("ice-decode-error")

static const char *why(int rc)
{
    return rc == -EPROTONOSUPPORT ? "not supported here (TCP, or an FQDN / mDNS address)"
                                  : "malformed candidate attribute";
}

static void fmt_cand(const ice_cand *c, GString *out)
{
    char a[SIM_IP_STRLEN], r[SIM_IP_STRLEN];
    unsigned tp = c->priority >> 24, lp = (c->priority >> 8) & 0xffff, cp = c->priority & 0xff;
    g_string_append_printf(out, "ICE candidate, foundation %s, component %u%s, UDP\n",
                           c->foundation, c->component,
                           c->component == ICE_COMPONENT_RTP    ? " (RTP)"
                           : c->component == ICE_COMPONENT_RTCP ? " (RTCP)" : "");
    g_string_append_printf(out, "  type: %s\n", ice_cand_type_name(c->type));
    g_string_append_printf(out, "  address: %s port %u\n", sim_ip_fmt(&c->addr.ip, a, sizeof a),
                           c->addr.port);
    if (c->base.ip.family != SIM_AF_NONE)
        g_string_append_printf(out, "  related: %s port %u\n",
                               sim_ip_fmt(&c->base.ip, r, sizeof r), c->base.port);
    g_string_append_printf(out, "  priority: %u = %u x 2^24 (type preference) + %u x 2^8 (local "
                           "preference) + %u (256 - component %u)\n",
                           c->priority, tp, lp, cp, 256 - cp);
    if (tp != ice_type_pref(c->type))
        g_string_append_printf(out, "  note: RFC 8445 recommends type preference %u for %s\n",
                               ice_type_pref(c->type), ice_cand_type_name(c->type));
    if (256 - cp != c->component)
        g_string_append(out, "  note: the priority's component part does not match the component\n");
}

int ice_decode(const uint8_t *data, size_t len, int argc, char **argv, GString *out,
               GError **err)
{
    (void)argv;
    if (argc > 1) {
        g_set_error(err, ICE_DECODE_ERROR, EINVAL, "decode ice takes no options");
        return -1;
    }
    const char *s = (const char *)data, *end = s + len;
    unsigned lineno = 0, n = 0;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t l = (size_t)((nl ? nl : end) - s);
        lineno++;
        size_t k = l;
        while (k && (s[k - 1] == '\r' || s[k - 1] == ' '))
            k--;
        bool cand = (k >= 10 && !strncmp(s, "candidate:", 10)) ||
                    (k >= 12 && !strncmp(s, "a=candidate:", 12));
        if (cand) {
            ice_cand c;
            int rc = ice_cand_decode(s, k, &c);
            if (rc) {
                g_set_error(err, ICE_DECODE_ERROR, -rc, "line %u: %s", lineno, why(rc));
                return -1;
            }
            if (n++)
                g_string_append_c(out, '\n');
            fmt_cand(&c, out);
        }
        s += l + (nl ? 1 : 0);
    }
    if (!n) {
        g_set_error(err, ICE_DECODE_ERROR, ENOENT, "no candidate line");
        return -1;
    }
    return 0;
}
