// ns3_forward — the bench_forward topology in ns-3, for a side-by-side comparison
// (tests/bench/run.sh builds and runs both). H hosts per side on a CSMA LAN (1 Gbit/s, 100 us)
// behind a router; routers joined by a point-to-point 1 Gbit/s 5 ms link; every left host sends
// a 160-byte UDP datagram every 20 ms to its right peer for S simulated seconds.
// Usage: ns3_forward H S [pcap-prefix]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sys/resource.h>

#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/csma-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"

using namespace ns3;

int main(int argc, char **argv)
{
    if (argc < 3) {
        std::fprintf(stderr, "usage: ns3_forward H SECONDS [pcap-prefix]\n");
        return 2;
    }
    uint32_t h = std::atoi(argv[1]);
    double secs = std::atof(argv[2]);
    const char *pcap = argc > 3 ? argv[3] : nullptr;

    NodeContainer left, right, routers;
    left.Create(h);
    right.Create(h);
    routers.Create(2);
    NodeContainer lan_l(routers.Get(0)), lan_r(routers.Get(1));
    lan_l.Add(left);
    lan_r.Add(right);

    CsmaHelper csma;
    csma.SetChannelAttribute("DataRate", StringValue("1Gbps"));
    csma.SetChannelAttribute("Delay", TimeValue(MicroSeconds(100)));
    PointToPointHelper p2p;
    p2p.SetDeviceAttribute("DataRate", StringValue("1Gbps"));
    p2p.SetChannelAttribute("Delay", StringValue("5ms"));

    NetDeviceContainer dl = csma.Install(lan_l), dr = csma.Install(lan_r);
    NetDeviceContainer dc = p2p.Install(routers);

    InternetStackHelper stack;
    stack.InstallAll();
    Ipv4AddressHelper addr;
    addr.SetBase("10.1.0.0", "255.255.0.0");
    addr.Assign(dl);
    addr.SetBase("10.2.0.0", "255.255.0.0");
    Ipv4InterfaceContainer ir = addr.Assign(dr);
    addr.SetBase("198.51.100.0", "255.255.255.252");
    addr.Assign(dc);
    Ipv4GlobalRoutingHelper::PopulateRoutingTables();

    uint32_t count = static_cast<uint32_t>(secs / 0.020);
    ApplicationContainer servers;
    for (uint32_t i = 0; i < h; i++) {
        UdpServerHelper server(9000);
        ApplicationContainer s = server.Install(right.Get(i));
        s.Start(Seconds(0));
        servers.Add(s);
        UdpClientHelper client(ir.GetAddress(i + 1), 9000); // index 0 is the router
        client.SetAttribute("MaxPackets", UintegerValue(count));
        client.SetAttribute("Interval", TimeValue(MilliSeconds(20)));
        client.SetAttribute("PacketSize", UintegerValue(160));
        ApplicationContainer c = client.Install(left.Get(i));
        c.Start(Seconds(1.0 + 0.020 * i / h)); // ARP and routing settle, starts spread
    }
    if (pcap) {
        csma.EnablePcapAll(pcap, false);
        p2p.EnablePcapAll(pcap, false);
    }
    Simulator::Stop(Seconds(secs + 2));
    auto t0 = std::chrono::steady_clock::now();
    Simulator::Run();
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    uint64_t got = 0;
    for (uint32_t i = 0; i < servers.GetN(); i++)
        got += DynamicCast<UdpServer>(servers.Get(i))->GetReceived();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    std::printf("ns-3 forward: H=%u S=%.0f routed pcap=%s: %llu/%llu datagrams delivered in %.3f s "
                "wall = %.0f datagrams/s, peak RSS %ld KiB\n",
                h, secs, pcap ? "on" : "off", (unsigned long long)got,
                (unsigned long long)count * h, wall, got / wall, ru.ru_maxrss);
    Simulator::Destroy();
    return 0;
}
