#!/usr/bin/env python3
"""tests/vectors/stun_vectors.py -- independent STUN test vectors (RFC 8489, RFC 5780).

Usage: stun_vectors.py STUN_VECTORS_BIN NATSIM_BIN

1. Runs STUN_VECTORS_BIN, which prints messages natsim's own code built ("name hex" lines), and
   recomputes here, with python3's hmac / hashlib / zlib only, every MESSAGE-INTEGRITY
   (HMAC-SHA1), MESSAGE-INTEGRITY-SHA256, FINGERPRINT (CRC-32 xor 0x5354554e), the long-term key
   MD5(user:realm:password), and the de-XORed XOR-MAPPED-ADDRESS of the server's answers.
2. Builds messages itself and has `natsim decode stun` verify them with --password / --user
   --realm --password / --key; then corrupts a MAC byte, the fingerprint and the length, and
   requires natsim to refuse each one.
Exits non-zero on the first mismatch.
"""
import hashlib
import hmac
import ipaddress
import os
import struct
import subprocess
import sys
import tempfile
import zlib

COOKIE = 0x2112A442
FP_XOR = 0x5354554E
PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt"
failures = 0


def check(cond, what):
    global failures
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures += 1


def attrs(msg):
    """Yields (type, value, offset) of every attribute; checks the header on the way."""
    mtype, mlen, cookie = struct.unpack(">HHI", msg[:8])
    assert cookie == COOKIE and mlen == len(msg) - 20 and mlen % 4 == 0, "bad header"
    off = 20
    while off < len(msg):
        t, n = struct.unpack(">HH", msg[off:off + 4])
        yield t, msg[off + 4:off + 4 + n], off
        off += 4 + (n + 3) // 4 * 4


def prefix(msg, off, attr_len):
    """The message up to the attribute at off, length field as if it ended with that attribute."""
    return msg[:2] + struct.pack(">H", off - 20 + 4 + attr_len) + msg[4:off]


def verify(name, msg, key=None):
    """Recomputes every integrity / fingerprint attribute of msg; returns the attribute dict."""
    found = {}
    for t, v, off in attrs(msg):
        found.setdefault(t, v)
        if t == 0x0008:
            mac = hmac.new(key, prefix(msg, off, 20), hashlib.sha1).digest()
            check(mac == v, f"{name}: MESSAGE-INTEGRITY = HMAC-SHA1 {mac.hex()[:16]}...")
        elif t == 0x001C:
            mac = hmac.new(key, prefix(msg, off, 32), hashlib.sha256).digest()
            check(mac == v, f"{name}: MESSAGE-INTEGRITY-SHA256 = HMAC-SHA256 {mac.hex()[:16]}...")
        elif t == 0x8028:
            crc = (zlib.crc32(prefix(msg, off, 4)) ^ FP_XOR) & 0xFFFFFFFF
            check(struct.pack(">I", crc) == v, f"{name}: FINGERPRINT = CRC-32 ^ 0x5354554e = {crc:08x}")
    return found


def xor_address(v, txid):
    family, xport = struct.unpack(">xBH", v[:4])
    port = xport ^ (COOKIE >> 16)
    mask = struct.pack(">I", COOKIE) + txid
    raw = bytes(a ^ b for a, b in zip(v[4:], mask))
    ip = ipaddress.ip_address(raw)
    return f"{ip}:{port}" if family == 1 else f"[{ip}]:{port}"


def plain_address(v):
    family, port = struct.unpack(">xBH", v[:4])
    ip = ipaddress.ip_address(v[4:])
    return f"{ip}:{port}" if family == 1 else f"[{ip}]:{port}"


def natsim_vectors(gen):
    out = subprocess.run([gen], check=True, capture_output=True, text=True).stdout
    vec = dict(line.split(" ", 1) for line in out.splitlines())
    vec = {k: bytes.fromhex(v) for k, v in vec.items()}
    check(len(vec) == 9, f"{len(vec)} vectors from {os.path.basename(gen)}")
    short = PASSWORD.encode()
    for name in ("short-term-sha1", "short-term-sha256", "short-term-both"):
        found = verify(name, vec[name], short)
        check(0x8028 in found and (0x0008 in found or 0x001C in found), f"{name}: has MAC and FINGERPRINT")
    key = hashlib.md5(b"natsim-user:realm.example:s3cr3t pass").digest()
    check(vec["long-term-key"] == key, f"long-term key = MD5(user:realm:password) = {key.hex()}")
    for name, mac in (("long-term-sha1", 0x0008), ("long-term-sha256", 0x001C)):
        check(mac in verify(name, vec[name], key), f"{name}: has its MAC")
    for name, msg in sorted(vec.items()):
        if not name.startswith("server-"):
            continue
        want = name.split("@", 1)[1]
        found = verify(name, msg)
        check(msg[:2] == b"\x01\x01", f"{name}: Binding success response (0x0101)")
        got = xor_address(found[0x0020], msg[8:20])
        check(got == want, f"{name}: XOR-MAPPED-ADDRESS de-XORed = {got}")
        if name.startswith("server-rfc5780"):
            check(plain_address(found[0x802B]) == "203.0.113.11:3479",
                  f"{name}: RESPONSE-ORIGIN {plain_address(found[0x802B])} (change IP and port)")
            check(plain_address(found[0x802C]) == "203.0.113.11:3479",
                  f"{name}: OTHER-ADDRESS {plain_address(found[0x802C])}")


def build(attrs_list, key=None, sha256=False):
    """A Binding request built here: attributes, then MI or MI-SHA256 with key, FINGERPRINT."""
    txid = bytes(range(1, 13))
    body = b""
    for t, v in attrs_list:
        body += struct.pack(">HH", t, len(v)) + v + b"\0" * (-len(v) % 4)
    msg = struct.pack(">HHI", 0x0001, len(body), COOKIE) + txid + body
    if key is not None:
        t, n, algo = (0x001C, 32, hashlib.sha256) if sha256 else (0x0008, 20, hashlib.sha1)
        mac = hmac.new(key, prefix(msg + b"\0" * 4, len(msg), n), algo).digest()
        msg = msg[:2] + struct.pack(">H", len(msg) - 20 + 4 + n) + msg[4:] + struct.pack(">HH", t, n) + mac
    fp = (zlib.crc32(prefix(msg, len(msg), 4)) ^ FP_XOR) & 0xFFFFFFFF
    msg = msg[:2] + struct.pack(">H", len(msg) - 20 + 8) + msg[4:] + struct.pack(">HHI", 0x8028, 4, fp)
    return msg


def decode(natsim, msg, *args):
    with tempfile.NamedTemporaryFile(suffix=".stun", delete=False) as f:
        f.write(msg)
    try:
        r = subprocess.run([natsim, "decode", "stun", f.name, *args], capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    return r.returncode, r.stdout + r.stderr


def python_vectors(natsim):
    user, realm, pw = "natsim-user", "realm.example", "s3cr3t pass"
    lt_key = hashlib.md5(f"{user}:{realm}:{pw}".encode()).digest()
    cases = [
        ("short-term SHA1", build([(0x0006, b"evtj:h6vY")], PASSWORD.encode()), ["--password", PASSWORD]),
        ("short-term SHA256", build([(0x0006, b"evtj:h6vY")], PASSWORD.encode(), True), ["--password", PASSWORD]),
        ("long-term SHA1", build([(0x0006, user.encode()), (0x0014, realm.encode()), (0x0015, b"abcd")], lt_key),
         ["--user", user, "--realm", realm, "--password", pw]),
        ("long-term --key", build([(0x0006, user.encode()), (0x0014, realm.encode())], lt_key),
         ["--key", lt_key.hex()]),
    ]
    for name, msg, args in cases:
        rc, out = decode(natsim, msg, *args)
        check(rc == 0, f"natsim decode stun verifies python's {name} message")
        bad_mac = bytearray(msg)
        bad_mac[-12] ^= 0x01  # inside the MAC (the 8-byte FINGERPRINT attribute is last)
        fp = (zlib.crc32(prefix(bytes(bad_mac), len(msg) - 8, 4)) ^ FP_XOR) & 0xFFFFFFFF
        bad_mac[-4:] = struct.pack(">I", fp)  # a valid fingerprint over the corrupted MAC
        rc, out = decode(natsim, bytes(bad_mac), *args)
        check(rc != 0 and "MISMATCH" in out, f"natsim rejects {name} with one MAC bit flipped")
    msg = build([(0x8022, b"python")])
    check(decode(natsim, msg)[0] == 0, "natsim accepts python's FINGERPRINT")
    bad = msg[:-1] + bytes([msg[-1] ^ 0x80])
    check(decode(natsim, bad)[0] != 0, "natsim rejects a wrong FINGERPRINT")
    rc, out = decode(natsim, msg[:2] + b"\x00\x10" + msg[4:])
    check(rc != 0 and "byte" in out, "natsim rejects a wrong length, naming the byte offset")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    natsim_vectors(sys.argv[1])
    python_vectors(sys.argv[2])
    print(f"{'FAILED' if failures else 'all passed'} ({failures} failures)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
