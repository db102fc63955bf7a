-- 32-ipv4ll-conflict.lua — two devices want the same IPv4 link-local address (RFC 3927 §2.2,
-- §2.5; RFC 5227): how probing finds out, and what each side does.
--
-- The picture:
--
--   camera ─┐
--   nas    ─┼── lab (LAN, no DHCP server)
--   tv     ─┤
--   radio  ─┘
--
-- Normally each host draws its candidate from a random stream seeded by something unique to
-- it, so collisions are rare (65,024 addresses). To show one, the scenario forces the first
-- candidate with first_addr.
--
-- 1. A late prober. The camera claims 169.254.7.7 (3 probes, 2 announcements). Twenty
--    seconds later the nas wants the same address: its first ARP probe ("who has
--    169.254.7.7? tell 0.0.0.0") reaches the camera, whose stack answers with an ARP reply
--    (sender IP 169.254.7.7, the camera's MAC). To the nas any ARP whose sender IP is its
--    candidate, from another MAC, means "in use" (§2.2.1): it drops the candidate, draws a
--    new one from its own stream and probes again. The camera keeps its address: a probe is
--    not a conflict for the owner (its sender IP is 0.0.0.0), it simply answers.
-- 2. Simultaneous probing. The tv and the radio start at the same moment with the same
--    candidate, each waiting its own random PROBE_WAIT (0..1 s) before the first probe. The
--    first probe on the wire decides: the other host sees an ARP probe (sender IP 0.0.0.0)
--    from another MAC whose target is its own candidate (§2.2.1: "another host is probing
--    for it too") and gives the candidate up before it ever sent a probe of its own. The
--    first prober sees nothing and claims. (Had both probed within a frame time of each
--    other, both would have backed off: the RFC's rule is symmetric.)
--
-- In Wireshark ("lab"): the camera's probes and announcements, the nas's probe and the
-- camera's ARP reply to it, then the nas probing another address; three probes for
-- 169.254.9.9, all from the winner, and its announcements.
--
-- The test suite checks these in the pcaps:
-- trace: lab arp.isannouncement == 1 && arp.src.proto_ipv4 == 169.254.7.7
-- trace: lab arp.opcode == 2 && arp.src.proto_ipv4 == 169.254.7.7
-- trace: lab arp.isprobe == 1 && arp.dst.proto_ipv4 == 169.254.9.9
-- trace: lab arp.isannouncement == 1 && arp.src.proto_ipv4 == 169.254.9.9

local lab = sim.lan("lab", {delay = "1ms"})
local camera, nas = sim.host("camera"), sim.host("nas")
local tv, radio = sim.host("tv"), sim.host("radio")
for _, h in ipairs({camera, nas, tv, radio}) do h:attach(lab) end

-- 1. A late prober
local cam = ipv4ll.start(camera, {first_addr = "169.254.7.7"})
sim.expect(cam:wait_address("10s") == "169.254.7.7", "the camera claimed 169.254.7.7")
sim.sleep("20s")
local n = ipv4ll.start(nas, {first_addr = "169.254.7.7"})
local na = n:wait_address("20s")
print(cam, n)
sim.expect(n:conflicts() == 1, "the nas saw one conflict: the camera's ARP reply")
sim.expect(na ~= nil and na ~= "169.254.7.7", "and claimed another address: " .. tostring(na))
sim.expect(cam:address() == "169.254.7.7" and cam:conflicts() == 0,
           "the camera kept its address: answering a probe is no conflict")
sim.expect(nas:ping("169.254.7.7") ~= nil, "nas and camera reach each other")

-- 2. Two probers at once
local a = ipv4ll.start(tv, {first_addr = "169.254.9.9"})
local b = ipv4ll.start(radio, {first_addr = "169.254.9.9"})
local ta, rb = a:wait_address("30s"), b:wait_address("30s")
print(a, b)
local winner, loser = a, b
if ta ~= "169.254.9.9" then winner, loser = b, a end
sim.expect(winner:address() == "169.254.9.9" and winner:conflicts() == 0,
           "the first to probe claimed 169.254.9.9")
sim.expect(loser:conflicts() == 1 and loser:address() ~= "169.254.9.9" and
           loser:stats().probes >= 3, "the other saw that probe, gave up and claimed another")
sim.stop()
