#!/usr/bin/env python3
# t_ike_memscan.py SECRET-FILE PID... -- count the copies of the secret
# (the file's bytes, trailing newline dropped) in the writable memory of
# each process; prints "PID COUNT SKIPPED" per process.  Reads
# /proc/PID/maps and /proc/PID/mem (root) in 16 MiB pieces; regions that
# cannot be read are passed over, and so are reservations over 4 GiB
# (AddressSanitizer's shadow and heap; no other process here has one),
# which SKIPPED counts.
import sys

secret = open(sys.argv[1], "rb").read().rstrip(b"\n")
if len(secret) < 16:
    sys.exit("a secret of 16 octets or more is needed")
PIECE = 16 << 20
HUGE = 4 << 30

def scan(mem, lo, hi):
    n, tail = 0, b""
    for at in range(lo, hi, PIECE):
        try:
            mem.seek(at)
            buf = tail + mem.read(min(PIECE, hi - at))
        except (OSError, OverflowError, ValueError):
            tail = b""
            continue
        n += buf.count(secret)
        # a copy across two pieces is counted once, in the later one
        tail = buf[-(len(secret) - 1):]
        n -= tail.count(secret)
    return n + tail.count(secret)

for pid in sys.argv[2:]:
    n = skipped = 0
    with open("/proc/%s/maps" % pid) as maps, \
            open("/proc/%s/mem" % pid, "rb", 0) as mem:
        for line in maps:
            f = line.split()
            if "w" not in f[1]:
                continue
            lo, hi = (int(x, 16) for x in f[0].split("-"))
            if hi - lo > HUGE:
                skipped += 1
                continue
            n += scan(mem, lo, hi)
    print(pid, n, skipped)
