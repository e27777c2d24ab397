#!/usr/bin/env python3
# t_ike_burst.py HOST [COUNT] -- send malformed and truncated ISAKMP
# messages to HOST:500 (used by t_ike_fail.sh inside its own namespace).
import os, random, socket, struct, sys

host = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
rnd = random.Random(6)

def attr(t, v):
    return struct.pack(">HH", 0x8000 | t, v)

def transform(num, last):
    a = attr(1, 7) + attr(14, 128) + attr(2, 4) + attr(3, 3) + attr(4, 14) \
        + attr(11, 1) + struct.pack(">HHI", 12, 4, 28800)
    body = struct.pack(">BBH", num, 1, 0) + a
    return struct.pack(">BBH", 0 if last else 3, 0, 4 + len(body)) + body

def sa_payload(nx=2):
    ts = b"".join(transform(i + 1, i == nx - 1) for i in range(nx))
    prop = struct.pack(">BBBB", 1, 1, 0, nx) + ts
    prop = struct.pack(">BBH", 0, 0, 4 + len(prop)) + prop
    body = struct.pack(">II", 1, 1) + prop
    return body

def message(next_pl, payloads, xchg=2, flags=0, mid=0, rcky=b"\0" * 8):
    icky = os.urandom(8)
    data = payloads
    hdr = icky + rcky + struct.pack(">BBBBII", next_pl, 0x10, xchg, flags,
                                    mid, 28 + len(data))
    return hdr + data

def msg1():
    sa = sa_payload(rnd.randint(1, 3))
    vid = bytes.fromhex("afcad71368a1f1c96b8696fc77570100")
    return message(1, struct.pack(">BBH", 13, 0, 4 + len(sa)) + sa +
                   struct.pack(">BBH", 0, 0, 4 + len(vid)) + vid)

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sent = 0
while sent < count:
    kind = rnd.randrange(8)
    m = bytearray(msg1())
    if kind == 0:                       # truncated anywhere
        m = m[:rnd.randrange(len(m))]
    elif kind == 1:                     # bit flips
        for _ in range(rnd.randint(1, 8)):
            m[rnd.randrange(len(m))] ^= 1 << rnd.randrange(8)
    elif kind == 2:                     # random garbage
        m = bytearray(os.urandom(rnd.randrange(0, 700)))
    elif kind == 3:                     # lengths lie
        off = rnd.choice([24, 30, 36, 50])
        if off + 2 <= len(m):
            m[off:off + 2] = struct.pack(">H", rnd.choice([0, 1, 3, 0xffff]))
    elif kind == 4:                     # encrypted flag, unknown SA
        m = bytearray(message(5, os.urandom(rnd.randrange(0, 64)), xchg=5,
                              flags=1, mid=rnd.randrange(1 << 32),
                              rcky=os.urandom(8)))
    elif kind == 5:                     # unknown exchange, payload types
        m[18] = rnd.randrange(256)
        m[16] = rnd.randrange(256)
    elif kind == 6:                     # payload chain loops/overflows
        m += bytes([1, 0, 0, 4]) * rnd.randint(1, 64)
        m[24:28] = struct.pack(">I", len(m))
    else:                               # header only, odd version
        m = m[:28]
        m[17] = rnd.randrange(256)
    s.sendto(bytes(m), (host, 500))
    sent += 1
print(sent)
