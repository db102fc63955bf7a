#!/usr/bin/env python3
# Usage: tests/fuzz/gen_turn_corpus.py tests/fuzz/corpus/turn
# Writes the TURN fuzz corpus, computed independently of natsim's C code: XOR addresses by hand,
# MESSAGE-INTEGRITY with Python's hmac/hashlib (key MD5(alice:example.org:secret)), FINGERPRINT
# with zlib.crc32 ^ 0x5354554e. tests/unit/test_turn.c embeds allocate-success.bin as a vector.
import struct, hmac, hashlib, zlib, os, sys
COOKIE=0x2112A442
out=sys.argv[1]
def typ(method, cls):
    return ((method&0xF80)<<2)|((method&0x70)<<1)|(method&0xF)|((cls&2)<<7)|((cls&1)<<4)
def attr(t, v):
    return struct.pack("!HH", t, len(v)) + v + b"\0"*((4-len(v)%4)%4)
def xaddr(t, ip, port, txid):
    b = bytes(int(x) for x in ip.split("."))
    xb = bytes(a ^ c for a, c in zip(b, struct.pack("!I", COOKIE)))
    return attr(t, struct.pack("!BBH", 0, 1, port ^ (COOKIE >> 16)) + xb)
def msg(method, cls, txid, attrs, key=None, fp=True):
    body = b"".join(attrs)
    def hdr(n): return struct.pack("!HHI", typ(method, cls), n, COOKIE) + txid
    if key:
        m = hdr(len(body) + 24) + body
        mac = hmac.new(key, m, hashlib.sha1).digest()
        body += attr(0x0008, mac)
    if fp:
        m = hdr(len(body) + 8) + body
        crc = (zlib.crc32(m) & 0xffffffff) ^ 0x5354554e
        body += attr(0x8028, struct.pack("!I", crc))
    return hdr(len(body)) + body
def s(t, txt): return attr(t, txt.encode())
tx = bytes(range(1, 13))
key = hashlib.md5(b"alice:example.org:secret").digest()
nonce = "0000000000000000deadbeefdeadbeef"
cred = [s(0x0006, "alice"), s(0x0014, "example.org"), s(0x0015, nonce)]
files = {
 "allocate-request.bin": msg(3, 0, tx, [attr(0x0019, b"\x11\0\0\0"), attr(0x000D, struct.pack("!I", 600))]),
 "allocate-401.bin": msg(3, 3, tx, [attr(0x0009, b"\0\0\x04\x01Unauthorized"), s(0x0014, "example.org"), s(0x0015, nonce)]),
 "allocate-auth.bin": msg(3, 0, tx, [attr(0x0019, b"\x11\0\0\0"), attr(0x0018, b"\x00"), attr(0x001A, b"")] + cred, key),
 "allocate-success.bin": msg(3, 2, tx, [xaddr(0x0016, "18.181.0.31", 50000, tx), attr(0x000D, struct.pack("!I", 600)), xaddr(0x0020, "68.36.210.57", 21199, tx), attr(0x8001, b"\x02\x00\x04\x28Address Family not Supported")], key),
 "refresh-zero.bin": msg(4, 0, tx, [attr(0x000D, b"\0\0\0\0")] + cred, key),
 "error-437.bin": msg(4, 3, tx, [attr(0x0009, b"\0\0\x04\x25Allocation Mismatch")], key),
 "create-permission.bin": msg(8, 0, tx, [xaddr(0x0012, "138.76.29.7", 4000, tx), xaddr(0x0012, "138.76.29.8", 1, tx)] + cred, key),
 "channel-bind.bin": msg(9, 0, tx, [attr(0x000C, b"\x40\x00\0\0"), xaddr(0x0012, "138.76.29.7", 4000, tx)] + cred, key),
 "send-indication.bin": msg(6, 1, tx, [xaddr(0x0012, "138.76.29.7", 4000, tx), attr(0x0013, b"hello peer")]),
 "data-indication.bin": msg(7, 1, tx, [xaddr(0x0012, "138.76.29.7", 4000, tx), attr(0x0013, b"hello client"), attr(0x8004, b"\0\0\x03\x01\0\0\0\0")]),
 "allocate-every-attr.bin": msg(3, 0, tx, [attr(0x0017, b"\x01\0\0\0"), attr(0x8000, b"\x02\0\0\0"), attr(0x0022, b"12345678"), attr(0x0018, b"\x80")], None),
 "chandata.bin": struct.pack("!HH", 0x4000, 5) + b"hello",
 "chandata-padded.bin": struct.pack("!HH", 0x4001, 5) + b"hello\0\0\0",
 "chandata-5766.bin": struct.pack("!HH", 0x7FFF, 0),
}
for n, b in files.items():
    open(os.path.join(out, n), "wb").write(b)
