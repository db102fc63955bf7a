/* sim/trace_pcap.c — pcap capture files through libpcap: link type DLT_EN10MB, nanosecond
 * timestamps (magic 0xa1b23c4d), snap length 65535 (DESIGN §6).
 *
 * Timestamps are the virtual time the frame went on the wire. Nothing in the file depends on
 * the wall clock (the file header has thiszone = sigfigs = 0), so two runs with one seed write
 * byte-identical captures. */
#include "sim/trace.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include "sim/world.h"

#define PCAP_SNAPLEN 65535
#define PCAP_BUF_BYTES (1 << 16)

struct trace_pcap {
    pcap_t *pd;        /* a "dead" handle: only carries link type, snap length, precision */
    pcap_dumper_t *dumper;
};

trace_pcap *trace_pcap_open(const char *path, GError **err)
{
    /* Open the file ourselves so a failure reports errno and the path, not libpcap's text. */
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        int e = errno;
        g_set_error(err, SIM_ERROR, SIM_ERROR_IO, "cannot create pcap file %s: %s", path,
                    g_strerror(e));
        return NULL;
    }
    setvbuf(fp, NULL, _IOFBF, PCAP_BUF_BYTES);
    pcap_t *pd = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, PCAP_SNAPLEN,
                                                      PCAP_TSTAMP_PRECISION_NANO);
    if (!pd) {
        fclose(fp);
        g_set_error(err, SIM_ERROR, SIM_ERROR_IO, "cannot create pcap file %s: libpcap failed",
                    path);
        return NULL;
    }
    pcap_dumper_t *d = pcap_dump_fopen(pd, fp); /* writes the file header; owns fp from now */
    if (!d) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_IO, "cannot create pcap file %s: %s", path,
                    pcap_geterr(pd));
        fclose(fp);
        pcap_close(pd);
        return NULL;
    }
    trace_pcap *p = g_new0(trace_pcap, 1);
    p->pd = pd;
    p->dumper = d;
    return p;
}

void trace_pcap_write(trace_pcap *p, sim_time_t t, const uint8_t *frame, size_t len)
{
    if (!p)
        return;
    struct pcap_pkthdr h;
    h.ts.tv_sec = (time_t)(t / SIM_SEC);
    h.ts.tv_usec = (suseconds_t)(t % SIM_SEC); /* nanoseconds: the handle is nano precision */
    h.len = (bpf_u_int32)len;
    h.caplen = (bpf_u_int32)(len < PCAP_SNAPLEN ? len : PCAP_SNAPLEN);
    pcap_dump((u_char *)p->dumper, &h, frame);
}

void trace_pcap_close(trace_pcap *p)
{
    if (!p)
        return;
    pcap_dump_close(p->dumper); /* flushes and closes the file */
    pcap_close(p->pd);
    g_free(p);
}
