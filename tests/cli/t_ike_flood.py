#!/usr/bin/env python3
# t_ike_flood.py DST COUNT RATE AFTER MARK SRC[:WEIGHT]... -- send COUNT
# valid Main Mode first messages (random CKY-I, one AES-128/SHA-256/
# rsa-sig/group 14 transform) to DST:500 at about RATE per second, spread
# over the source addresses by weight; touch the file MARK once AFTER of
# them are sent.  Bounded in count and time (COUNT / RATE + 10 s at most).
# Used by t_ike_flood.sh inside its own namespace, and by bench/ike-flood.sh.
import os, socket, struct, sys, time

dst, count, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
after, mark = int(sys.argv[4]), sys.argv[5]
srcs = []
for a in sys.argv[6:]:
    addr, _, w = a.partition(":")
    srcs.append((addr, int(w or "1")))

def attr(t, v):
    return struct.pack(">HH", 0x8000 | t, v)

def msg1():
    a = attr(1, 7) + attr(14, 128) + attr(2, 4) + attr(3, 3) + \
        attr(4, 14) + attr(11, 1) + struct.pack(">HHI", 12, 4, 28800)
    xf = struct.pack(">BBH", 1, 1, 0) + a
    xf = struct.pack(">BBH", 0, 0, 4 + len(xf)) + xf
    prop = struct.pack(">BBBB", 1, 1, 0, 1) + xf
    prop = struct.pack(">BBH", 0, 0, 4 + len(prop)) + prop
    sa = struct.pack(">II", 1, 1) + prop
    vid = bytes.fromhex("afcad71368a1f1c96b8696fc77570100")
    body = struct.pack(">BBH", 13, 0, 4 + len(sa)) + sa + \
        struct.pack(">BBH", 0, 0, 4 + len(vid)) + vid
    return os.urandom(8) + b"\0" * 8 + \
        struct.pack(">BBBBII", 1, 0x10, 2, 0, 0, 28 + len(body)) + body

socks = []
for addr, w in srcs:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 0))
    socks += [s] * w
start = time.monotonic()
deadline = start + count / rate + 10
sent = 0
while sent < count and time.monotonic() < deadline:
    try:
        socks[sent % len(socks)].sendto(msg1(), (dst, 500))
    except OSError:
        pass                            # a full queue: the flood goes on
    sent += 1
    if sent == after:
        open(mark, "w").close()
    ahead = start + sent / rate - time.monotonic()
    if ahead > 0.005:
        time.sleep(ahead)
open(mark, "w").close()
print(sent, "%.1f" % (time.monotonic() - start))
