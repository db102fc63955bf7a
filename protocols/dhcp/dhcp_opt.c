/* protocols/dhcp/dhcp_opt.c — what DHCP option codes and message types are called and what
 * their values must look like (RFC 2132, RFC 2131 §3). The codec checks every option it knows
 * after RFC 3396 concatenation; unknown options are kept raw. */
#include "protocols/dhcp/dhcp.h"

/* Value shapes. */
enum shape {
    ANY,      /* any length, possibly 0 */
    NONEMPTY, /* 1 or more bytes (text, lists of codes) */
    IP,       /* exactly 4 bytes */
    IPS,      /* a non-empty multiple of 4 */
    U32,      /* exactly 4 bytes */
    U16,      /* exactly 2 bytes */
    U8,       /* exactly 1 byte */
    MIN2,     /* 2 or more bytes (client identifier, RFC 2132 §9.14) */
};

typedef struct opt_info {
    uint8_t code;
    enum shape shape;
    const char *name;
} opt_info;

/* Sorted by code. The options this module acts on are those of dhcp.h; the others are named
 * so the dump reads well. */
static const opt_info opts[] = {
    { 1, IP, "Subnet-Mask" },
    { 2, U32, "Time-Offset" },
    { 3, IPS, "Router" },
    { 4, IPS, "Time-Server" },
    { 6, IPS, "Domain-Name-Server" },
    { 7, IPS, "Log-Server" },
    { 12, NONEMPTY, "Hostname" },
    { 15, NONEMPTY, "Domain-Name" },
    { 26, U16, "Interface-MTU" },
    { 28, IP, "Broadcast-Address" },
    { 42, IPS, "NTP-Server" },
    { 43, NONEMPTY, "Vendor-Specific" },
    { 44, IPS, "NetBIOS-Name-Server" },
    { 50, IP, "Requested-IP" },
    { 51, U32, "Lease-Time" },
    { 52, U8, "Option-Overload" },
    { 53, U8, "DHCP-Message-Type" },
    { 54, IP, "Server-ID" },
    { 55, NONEMPTY, "Parameter-Request" },
    { 56, NONEMPTY, "Message" },
    { 57, U16, "Maximum-Message-Size" },
    { 58, U32, "Renewal-Time (T1)" },
    { 59, U32, "Rebinding-Time (T2)" },
    { 60, NONEMPTY, "Vendor-Class" },
    { 61, MIN2, "Client-ID" },
    { 66, NONEMPTY, "TFTP-Server-Name" },
    { 67, NONEMPTY, "Bootfile-Name" },
    { 80, ANY, "Rapid-Commit" },
    { 81, NONEMPTY, "Client-FQDN" },
    { 119, NONEMPTY, "Domain-Search" },
    { 121, NONEMPTY, "Classless-Static-Route" },
};

static const opt_info *info(uint8_t code)
{
    size_t lo = 0, hi = G_N_ELEMENTS(opts);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (opts[mid].code == code)
            return &opts[mid];
        if (opts[mid].code < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *dhcp_opt_name(uint8_t code)
{
    if (code == DHCP_OPT_PAD)
        return "Pad";
    if (code == DHCP_OPT_END)
        return "End";
    const opt_info *i = info(code);
    return i ? i->name : NULL;
}

const char *dhcp_opt_check(uint8_t code, const uint8_t *v, size_t len)
{
    const opt_info *i = info(code);
    if (!i)
        return NULL;
    switch (i->shape) {
    case ANY:
        break;
    case NONEMPTY:
        if (len == 0)
            return "empty option";
        break;
    case IP:
    case U32:
        if (len != 4)
            return "option must be 4 bytes";
        break;
    case IPS:
        if (len == 0 || len % 4)
            return "address list must be a non-empty multiple of 4 bytes";
        break;
    case U16:
        if (len != 2)
            return "option must be 2 bytes";
        break;
    case U8:
        if (len != 1)
            return "option must be 1 byte";
        break;
    case MIN2:
        if (len < 2)
            return "client identifier shorter than 2 bytes";
        break;
    }
    /* RFC 2132 §9.10: the minimum legal value is 576. */
    if (code == DHCP_OPT_MAX_MSG_SIZE && ((v[0] << 8) | v[1]) < 576)
        return "maximum message size below 576";
    if (code == DHCP_OPT_OVERLOAD && (v[0] < 1 || v[0] > 3))
        return "overload value not 1, 2 or 3";
    return NULL;
}

const char *dhcp_type_name(int type)
{
    static const char *const names[] = { NULL,        "DHCPDISCOVER", "DHCPOFFER",
                                          "DHCPREQUEST", "DHCPDECLINE",  "DHCPACK",
                                          "DHCPNAK",     "DHCPRELEASE",  "DHCPINFORM" };
    return type > 0 && type < (int)G_N_ELEMENTS(names) ? names[type] : NULL;
}
