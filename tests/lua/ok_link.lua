-- Links: properties with units, faults during a run (down/up, loss) and counters.
local wire = sim.link("wire", { delay = "5ms", bandwidth = "1Mbit" })
local A, B = sim.host("A"), sim.host("B")
A:attach(wire, { ip = "10.1.0.1/30" })
B:attach(wire, { ip = "10.1.0.2/30" })
sim.expect(wire.name == "wire" and wire.kind == "link" and wire:is_up(), "link fields")
local p = wire:props()
sim.expect(p.delay == 0.005 and p.bandwidth == 1000000, "props with units")

local rx = B:udp { port = 5000 }
local tx = A:udp()
tx:sendto(string.rep("x", 100), "10.1.0.2", 5000)
sim.expect(rx:recv(1) ~= nil, "datagram crosses the wire")

wire:down()
tx:sendto("lost", "10.1.0.2", 5000)
local d, err = rx:recv(1)
sim.expect(d == nil and err == "timeout", "nothing crosses a link that is down")
sim.expect((wire:stats().drops["link-down"] or 0) >= 1, "link-down drop counted")
wire:up()

wire:set { loss = 1 }
tx:sendto("lost too", "10.1.0.2", 5000)
sim.expect(rx:recv(1) == nil, "loss = 1 loses everything")
sim.expect((wire:stats().drops.loss or 0) >= 1, "loss drop counted")
wire:set { loss = 0 }
tx:sendto("back", "10.1.0.2", 5000)
sim.expect(rx:recv(1) == "back", "loss = 0 again")
