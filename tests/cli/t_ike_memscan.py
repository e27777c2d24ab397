#!/usr/bin/env python3
# t_ike_memscan.py SECRET-FILE PID... -- count the copies of the secret
# (the file's bytes, trailing newline dropped) in the writable memory of
# each process; prints "PID COUNT" per process.  Reads /proc/PID/maps and
# /proc/PID/mem (root); regions that cannot be read are skipped.
import sys

secret = open(sys.argv[1], "rb").read().rstrip(b"\n")
if len(secret) < 16:
    sys.exit("a secret of 16 octets or more is needed")
for pid in sys.argv[2:]:
    n = 0
    with open("/proc/%s/maps" % pid) as maps, \
            open("/proc/%s/mem" % pid, "rb", 0) as mem:
        for line in maps:
            f = line.split()
            if "w" not in f[1]:
                continue
            lo, hi = (int(x, 16) for x in f[0].split("-"))
            try:
                mem.seek(lo)
                n += mem.read(hi - lo).count(secret)
            except (OSError, OverflowError, ValueError):
                pass
    print(pid, n)
