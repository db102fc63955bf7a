/* cli/summary.c — what `natsim run` prints when a run ends (DESIGN §6): the time reached,
 * expectations, NAT tables, link counters and the reasons frames were dropped. Everything is
 * listed in creation order, so two runs with one seed print the same text. */
#include "cli/cli.h"

#include "sim/link.h"
#include "sim/nat.h"
#include "sim/node.h"

static void fmt_expectations(simlua *s, GString *out)
{
    unsigned pass = simlua_expect_passed(s), fail = simlua_expect_failed(s);
    g_string_append_printf(out, "expectations: %u passed, %u failed\n", pass, fail);
    if (!fail)
        return;
    GString *f = g_string_new(NULL);
    simlua_fmt_failures(s, f);
    gchar **lines = g_strsplit(f->str, "\n", -1);
    for (gchar **l = lines; *l; l++)
        if (**l)
            g_string_append_printf(out, "  FAILED %s\n", *l);
    g_strfreev(lines);
    g_string_free(f, TRUE);
}

static void fmt_nats(sim_world *w, GString *out)
{
    const GPtrArray *nodes = sim_world_nodes(w);
    for (guint k = 0; k < nodes->len; k++) {
        sim_node *n = g_ptr_array_index(nodes, k);
        if (n->kind != SIM_NODE_NAT || !n->nat)
            continue;
        g_string_append_c(out, '\n');
        nat_gw_fmt_table(n->nat, out);
    }
}

static void fmt_drops(GString *out, const uint64_t drops[SIM_DROP__COUNT])
{
    bool any = false;
    for (int r = 0; r < SIM_DROP__COUNT; r++)
        if (drops[r]) {
            g_string_append_printf(out, "%s%s=%" G_GUINT64_FORMAT, any ? " " : "",
                                   sim_drop_name(r), drops[r]);
            any = true;
        }
    if (!any)
        g_string_append_c(out, '-');
}

static void fmt_links(sim_world *w, GString *out)
{
    const GPtrArray *links = sim_world_links(w);
    if (!links->len)
        return;
    g_string_append_printf(out, "\nlinks:\n  %-16s %-5s %-4s %10s %12s %10s %12s  %s\n", "name",
                           "kind", "up", "tx frames", "tx bytes", "rx frames", "rx bytes",
                           "drops");
    for (guint k = 0; k < links->len; k++) {
        const sim_link *l = g_ptr_array_index(links, k);
        const sim_link_stats *st = sim_link_stats_get(l);
        g_string_append_printf(out, "  %-16s %-5s %-4s %10" G_GUINT64_FORMAT " %12"
                                    G_GUINT64_FORMAT " %10" G_GUINT64_FORMAT " %12"
                                    G_GUINT64_FORMAT "  ",
                               sim_link_name(l),
                               sim_link_get_kind(l) == SIM_LINK_LAN ? "lan" : "p2p",
                               sim_link_is_up(l) ? "yes" : "no", st->tx_frames, st->tx_bytes,
                               st->rx_frames, st->rx_bytes);
        fmt_drops(out, st->drops);
        g_string_append_c(out, '\n');
    }
}

static void fmt_node_drops(sim_world *w, GString *out)
{
    const GPtrArray *nodes = sim_world_nodes(w);
    bool header = false;
    for (guint k = 0; k < nodes->len; k++) {
        const sim_node *n = g_ptr_array_index(nodes, k);
        bool any = false;
        for (int r = 0; r < SIM_DROP__COUNT && !any; r++)
            any = n->drops[r] != 0;
        if (!any)
            continue;
        if (!header)
            g_string_append(out, "\ndrops by node:\n");
        header = true;
        g_string_append_printf(out, "  %-16s ", n->name);
        fmt_drops(out, n->drops);
        g_string_append_c(out, '\n');
    }
}

void natsim_summary_fmt(sim_world *w, simlua *s, const char *scenario, GString *out)
{
    sim_sched *sched = sim_world_sched(w);
    g_string_append_printf(out, "== %s (seed %" G_GUINT64_FORMAT ") ==\n", scenario,
                           sim_world_seed(w));
    g_string_append_printf(out, "simulated time: %.6f s, events run: %" G_GUINT64_FORMAT "\n",
                           sim_time_sec(sim_world_now(w)), sim_sched_executed(sched));
    if (!simlua_main_done(s))
        g_string_append(out, "note: the main chunk had not finished when the run ended\n");
    fmt_expectations(s, out);
    fmt_nats(w, out);
    fmt_links(w, out);
    fmt_node_drops(w, out);
}
