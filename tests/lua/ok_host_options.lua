-- sim.host(name, {on =, ip =, ip6 =, gateway =}) is sim.host + node:attach + node:gateway in
-- one call: the host gets the interface, its addresses and its default route.
local lan1 = sim.lan("lan1", {})
local lan2 = sim.lan("lan2", {})
local R = sim.router("R")
R:attach(lan1, {ip = "10.0.1.1/24"})
R:attach(lan2, {ip = "10.0.2.1/24"})
local A = sim.host("A", {on = lan1, ip = "10.0.1.10/24", gateway = "10.0.1.1"})
local B = sim.host("B", {on = lan2, ip = "10.0.2.20/24", ip6 = "2001:db8::20/64",
                         gateway = "10.0.2.1"})
local C = sim.host("C", {on = lan2, ip = "10.0.2.30/24"}) -- no gateway: on-link only
sim.expect(#A:ifaces() == 1 and #B:ifaces() == 1, "one interface each")
local rx = B:udp {port = 7}
A:udp():sendto("via the router", "10.0.2.20", 7)
sim.expect(rx:recv(1) == "via the router", "A reaches B through R by its default route")
C:udp():sendto("on-link", "10.0.2.20", 7)
sim.expect(rx:recv(1) == "on-link", "C reaches B on its own LAN")
local sent, why = C:udp():sendto("lost", "10.0.1.10", 7)
sim.expect(sent == nil and why == "network unreachable", "C has no route off its LAN")
sim.stop()
