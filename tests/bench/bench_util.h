/* tests/bench/bench_util.h — topology helpers the benchmarks share: each builds a node, link,
 * address or route and stops the benchmark with the reason when the engine refuses. */
#ifndef TESTS_BENCH_BENCH_UTIL_H
#define TESTS_BENCH_BENCH_UTIL_H

#include <glib.h>
#include <stdio.h>
#include <unistd.h>
#include "sim/link.h"
#include "sim/node.h"
#include "sim/world.h"

G_GNUC_UNUSED static sim_node *bench_node(sim_world *w, const char *name, sim_node_kind k)
{
    GError *err = NULL;
    sim_node *n = sim_node_new(w, name, k, &err);
    if (!n)
        g_error("%s", err->message);
    return n;
}

G_GNUC_UNUSED static sim_link *bench_link(sim_world *w, const char *name, sim_link_kind k,
                                          const sim_link_props *p)
{
    GError *err = NULL;
    sim_link *l = sim_link_new(w, name, k, p, &err);
    if (!l)
        g_error("%s", err->message);
    return l;
}

/* Attaches n to l with IPv4 address ip/plen (ip in host byte order). */
G_GNUC_UNUSED static sim_iface *bench_attach(sim_node *n, sim_link *l, uint32_t ip,
                                             unsigned plen)
{
    GError *err = NULL;
    sim_iface *i = sim_node_attach(n, l, NULL, &err);
    if (!i)
        g_error("%s", err->message);
    sim_ip a = sim_ip4(ip);
    if (sim_iface_add_addr(i, &a, plen))
        g_error("address");
    return i;
}

G_GNUC_UNUSED static void bench_route(sim_node *n, uint32_t dst, unsigned plen, uint32_t gw)
{
    sim_ip d = sim_ip4(dst), g = sim_ip4(gw);
    if (sim_node_add_route(n, &d, plen, &g, NULL))
        g_error("route");
}

/* The process's resident set now, in bytes (from /proc/self/statm; 0 if unreadable). */
G_GNUC_UNUSED static long bench_rss_bytes(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * sysconf(_SC_PAGESIZE);
}

#endif
