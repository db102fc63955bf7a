#!/usr/bin/env python3
# Usage: tests/fuzz/gen_ice_corpus.py tests/fuzz/corpus/ice
# Writes the ICE fuzz corpus, computed independently of natsim's C code: connectivity checks
# (RFC 8445 §7.1) to an agent with ufrag "fuzz" and password "fuzzpasswordfuzzpassword",
# MESSAGE-INTEGRITY with Python's hmac/hashlib (short-term key = the password), FINGERPRINT with
# zlib.crc32 ^ 0x5354554e; and RFC 8839 candidate lines. tests/unit/test_ice.c embeds
# check-controlling-use-candidate.bin as a vector.
import struct, hmac, hashlib, zlib, os, sys
COOKIE = 0x2112A442
out = sys.argv[1]
PWD = b"fuzzpasswordfuzzpassword"
def typ(method, cls):
    return ((method&0xF80)<<2)|((method&0x70)<<1)|(method&0xF)|((cls&2)<<7)|((cls&1)<<4)
def attr(t, v):
    return struct.pack("!HH", t, len(v)) + v + b"\0"*((4-len(v)%4)%4)
def msg(cls, txid, attrs, key=None, fp=True):
    body = b"".join(attrs)
    def hdr(n): return struct.pack("!HHI", typ(1, cls), n, COOKIE) + txid
    if key:
        m = hdr(len(body) + 24) + body
        body += attr(0x0008, hmac.new(key, m, hashlib.sha1).digest())
    if fp:
        m = hdr(len(body) + 8) + body
        body += attr(0x8028, struct.pack("!I", (zlib.crc32(m) & 0xffffffff) ^ 0x5354554e))
    return hdr(len(body)) + body
tx = bytes(range(0x31, 0x3d))
user = attr(0x0006, b"fuzz:peer")
prio = attr(0x0024, struct.pack("!I", 1862270975))
ctlg = attr(0x802A, struct.pack("!Q", 0x0102030405060708))
ctld = attr(0x8029, struct.pack("!Q", 0xfffffffffffffff0))
usec = attr(0x0025, b"")
files = {
    "check-controlling-use-candidate.bin": msg(0, tx, [user, prio, ctlg, usec], PWD),
    "check-controlled.bin": msg(0, tx, [user, prio, ctld], PWD),
    "check-wrong-password.bin": msg(0, tx, [user, prio, ctlg], b"not-the-password-at-all"),
    "check-unknown-ufrag.bin": msg(0, tx, [attr(0x0006, b"nope:peer"), prio, ctlg], PWD),
    "check-no-integrity.bin": msg(0, tx, [user, prio, ctlg]),
    "check-no-priority.bin": msg(0, tx, [user, ctlg], PWD),
    "keepalive-indication.bin": msg(1, tx, []),
    "data-rtp.bin": bytes([0x80, 0x60, 0, 1]) + bytes(16),
    "cand-host.txt": b"candidate:1 1 UDP 2130706431 10.0.1.1 8998 typ host",
    "cand-srflx.txt": b"candidate:2 1 UDP 1694498815 192.0.2.3 45664 typ srflx raddr 10.0.1.1 rport 8998",
    "cand-relay-v6.txt": b"a=candidate:3 2 udp 16777214 2001:db8::5 50000 typ relay raddr 2001:db8::1 rport 5000 generation 0",
    "cand-tcp.txt": b"candidate:4 1 TCP 2105524479 10.0.1.1 9 typ host tcptype active",
}
os.makedirs(out, exist_ok=True)
for name, data in files.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
print(files["check-controlling-use-candidate.bin"].hex())
