#!/usr/bin/env python3
# t_ike_flood.py [--v2] DST COUNT RATE AFTER MARK SRC[:WEIGHT]... -- send
# COUNT valid first messages to DST:500 at about RATE per second, spread
# over the source addresses by weight; touch the file MARK once AFTER of
# them are sent.  Bounded in count and time (COUNT / RATE + 10 s at most).
#
# IKEv1 (the default): Main Mode first messages, random CKY-I, one
# AES-128/SHA-256/rsa-sig/group 14 transform.  Prints "SENT SECONDS".
#
# --v2: IKEv2 IKE_SA_INIT requests, random SPIi and zero SPIr, one IKE
# proposal AES-CBC-128/HMAC-SHA2-256-128/PRF-HMAC-SHA2-256/group 14, a KE
# payload of 256 random octets below the group 14 prime (top bit clear,
# low bit set) and a 32-octet nonce.  It never echoes a COOKIE: it stands
# for a flooder that spoofs its source addresses and so never sees the
# answers.  Its answers are counted, though, and matched to the requests
# by SPIi; after the last request it listens one second more.  Prints
# "SENT SECONDS answered A cookie C other O last L": A IKE_SA_INIT
# responses (an SA payload: state was made), C COOKIE notifies, O other
# answers, L the number of the last request (1-based) that got an
# IKE_SA_INIT response, 0 for none.
#
# Used by t_ike_flood.sh and t_ike_v2_flood.sh inside their namespace,
# and by bench/ike-flood.sh.
import os, select, socket, struct, sys, time

args = sys.argv[1:]
v2 = bool(args) and args[0] == "--v2"
if v2:
    args = args[1:]
dst, count, rate = args[0], int(args[1]), float(args[2])
after, mark = int(args[3]), args[4]
srcs = []
for a in args[5:]:
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

# IKEv2 (RFC 7296 3.1-3.9): payload types, transform types and ids
PLD_SA, PLD_KE, PLD_N, PLD_NONCE = 33, 34, 41, 40
N_COOKIE = 16390

def v2_xform(last, ttype, tid, attrs=b""):
    return struct.pack(">BBHBBH", 0 if last else 3, 0, 8 + len(attrs),
                       ttype, 0, tid) + attrs

def v2_init(spii):
    xf = v2_xform(0, 1, 12, attr(14, 128)) + \
        v2_xform(0, 2, 5) + v2_xform(0, 3, 12) + v2_xform(1, 4, 14)
    prop = struct.pack(">BBHBBBB", 0, 0, 8 + len(xf), 1, 1, 0, 4) + xf
    sa = struct.pack(">BBH", PLD_KE, 0, 4 + len(prop)) + prop
    ke = bytearray(os.urandom(256))
    ke[0] &= 0x7f                   # below p (whose top octets are all 1)
    ke[-1] |= 1                     # and not 0 or 1: within 2..p-2
    ke = struct.pack(">BBHHH", PLD_NONCE, 0, 8 + 256, 14, 0) + bytes(ke)
    nonce = struct.pack(">BBH", 0, 0, 4 + 32) + os.urandom(32)
    body = sa + ke + nonce
    return spii + b"\0" * 8 + \
        struct.pack(">BBBBII", PLD_SA, 0x20, 34, 0x08, 0, 28 + len(body)) + \
        body

socks = []
for addr, w in srcs:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 0))
    socks += [s] * w
uniq = list(dict.fromkeys(socks))
spis = {}                               # SPIi -> request number
answered = cookie = other = last = 0

def drain(wait):
    global answered, cookie, other, last
    end = time.monotonic() + wait
    while True:
        left = end - time.monotonic()
        r, _, _ = select.select(uniq, [], [], max(left, 0))
        if not r:
            return
        for s in r:
            while True:
                try:
                    d = s.recv(65535, socket.MSG_DONTWAIT)
                except OSError:
                    break
                if len(d) < 28 or d[18] != 34 or not d[19] & 0x20:
                    other += 1
                elif d[16] == PLD_SA:
                    answered += 1
                    last = max(last, spis.get(d[:8], 0))
                elif d[16] == PLD_N and len(d) >= 36 and \
                        struct.unpack(">H", d[34:36])[0] == N_COOKIE:
                    cookie += 1
                else:
                    other += 1

start = time.monotonic()
deadline = start + count / rate + 10
sent = 0
while sent < count and time.monotonic() < deadline:
    try:
        if v2:
            spii = os.urandom(8)
            spis[spii] = sent + 1
            socks[sent % len(socks)].sendto(v2_init(spii), (dst, 500))
        else:
            socks[sent % len(socks)].sendto(msg1(), (dst, 500))
    except OSError:
        pass                            # a full queue: the flood goes on
    sent += 1
    if sent == after:
        open(mark, "w").close()
    if v2:
        drain(0)
    ahead = start + sent / rate - time.monotonic()
    if ahead > 0.005:
        time.sleep(ahead)
open(mark, "w").close()
secs = time.monotonic() - start
if v2:
    drain(1.0)
    print(sent, "%.1f" % secs, "answered", answered, "cookie", cookie,
          "other", other, "last", last)
else:
    print(sent, "%.1f" % secs)
