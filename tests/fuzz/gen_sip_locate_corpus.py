#!/usr/bin/env python3
"""Writes tests/fuzz/corpus/sip_locate/: inputs for fuzz_sip_locate, each one selector byte (URI
and transport preference, see the target) then DNS responses, each a 16-bit big-endian length
and an RFC 1035 message (uncompressed names) answering the questions RFC 3263 asks in turn."""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "sip_locate")
T = {"A": 1, "AAAA": 28, "SRV": 33, "NAPTR": 35}


def name(n):
    b = b""
    for label in n.strip(".").split("."):
        if label:
            b += bytes([len(label)]) + label.encode()
    return b + b"\0"


def cstr(s):
    return bytes([len(s)]) + s.encode()


def rr(owner, typ, rdata):
    return name(owner) + struct.pack(">HHIH", T[typ], 1, 300, len(rdata)) + rdata


def naptr(owner, order, pref, flags, services, repl):
    return rr(owner, "NAPTR", struct.pack(">HH", order, pref) + cstr(flags) + cstr(services)
              + cstr("") + name(repl))


def srv(owner, prio, weight, port, target):
    return rr(owner, "SRV", struct.pack(">HHH", prio, weight, port) + name(target))


def a(owner, ip):
    return rr(owner, "A", bytes(int(x) for x in ip.split(".")))


def aaaa(owner, last):
    return rr(owner, "AAAA", bytes.fromhex("20010db8" + "00" * 11) + bytes([last]))


def msg(qname, qtype, answers):
    head = struct.pack(">HHHHHH", 0x1234, 0x8180, 1, len(answers), 0, 0)
    body = name(qname) + struct.pack(">HH", T[qtype], 1) + b"".join(answers)
    data = head + body
    return struct.pack(">H", len(data)) + data


CASES = {
    # sip:bob@x.test, UDP preferred: NAPTR (D2T before D2U, a SIPS record skipped) -> two SRV
    "naptr-srv-a": bytes([0]) + b"".join([
        msg("x.test", "NAPTR", [naptr("x.test", 10, 10, "s", "SIP+D2T", "_sip._tcp.x.test"),
                                naptr("x.test", 20, 10, "s", "SIP+D2U", "_sip._udp.x.test"),
                                naptr("x.test", 5, 10, "s", "SIPS+D2T", "_sips._tcp.x.test")]),
        msg("_sip._tcp.x.test", "SRV", [srv("_sip._tcp.x.test", 10, 60, 5060, "t1.x.test"),
                                        srv("_sip._tcp.x.test", 10, 40, 5062, "t2.x.test")]),
        msg("_sip._udp.x.test", "SRV", [srv("_sip._udp.x.test", 0, 0, 5060, "u.x.test")]),
        msg("t1.x.test", "A", [a("t1.x.test", "10.0.0.1")]),
        msg("t1.x.test", "AAAA", [aaaa("t1.x.test", 1)]),
        msg("t2.x.test", "A", [a("t2.x.test", "10.0.0.2")]),
        msg("t2.x.test", "AAAA", []),
        msg("u.x.test", "A", [a("u.x.test", "10.0.0.3"), a("u.x.test", "10.0.0.4")]),
        msg("u.x.test", "AAAA", []),
    ]),
    # sip:bob@x.test, TCP preferred: no NAPTR, _sip._tcp only
    "srv-per-transport": bytes([0x80]) + b"".join([
        msg("x.test", "NAPTR", []),
        msg("_sip._tcp.x.test", "SRV", [srv("_sip._tcp.x.test", 0, 0, 5060, "p.x.test")]),
        msg("_sip._udp.x.test", "SRV", []),
        msg("p.x.test", "A", [a("p.x.test", "10.0.1.1")]),
        msg("p.x.test", "AAAA", [aaaa("p.x.test", 7)]),
    ]),
    # sip:x.test;transport=tcp: SRV priorities and weights, "." skipped
    "srv-weights": bytes([1]) + b"".join([
        msg("_sip._tcp.x.test", "SRV", [srv("_sip._tcp.x.test", 20, 0, 5060, "c.x.test"),
                                        srv("_sip._tcp.x.test", 10, 0, 5060, "a.x.test"),
                                        srv("_sip._tcp.x.test", 10, 50, 5060, "b.x.test"),
                                        srv("_sip._tcp.x.test", 10, 0, 5060, "."),
                                        srv("_sip._tcp.x.test", 30, 65535, 5060, "d.x.test")]),
        msg("a.x.test", "A", [a("a.x.test", "10.0.2.1")]),
        msg("a.x.test", "AAAA", []),
        msg("b.x.test", "A", [a("b.x.test", "10.0.2.2")]),
    ]),
    # sip:bob@x.test:5070: A and AAAA only
    "explicit-port": bytes([2]) + b"".join([
        msg("x.test", "A", [a("x.test", "10.0.3.1")]),
        msg("x.test", "AAAA", [aaaa("x.test", 3)]),
    ]),
}

os.makedirs(OUT, exist_ok=True)
for case, data in CASES.items():
    with open(os.path.join(OUT, case), "wb") as f:
        f.write(data)
