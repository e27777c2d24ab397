#!/usr/bin/env python3
# ike-vici.py SOCKET SECONDS WORKERS -- drive a strongSwan charon over VICI:
# WORKERS threads, thread i looping "initiate ike=p1_i" then "terminate",
# for SECONDS.  Prints "ok N fail M seconds S rate R" (established
# handshakes).
# ike-vici.py SOCKET hold COUNT WORKERS -- the same threads initiate COUNT
# IKE SAs in all and terminate none (bench/ike-hold.sh).  "initiate" names the IKE SA only, no CHILD_SA: an IKEv1
# Main Mode alone, or an IKEv2 IKE_SA_INIT and IKE_AUTH without one
# (childless, RFC 6023).  Used by bench/ike-mm.sh and bench/ike-v2.sh; a
# benchmark helper, not a test.
import socket, struct, sys, threading, time

def enc(d):
    o = b""
    for k, v in d.items():
        kb, vb = k.encode(), str(v).encode()
        o += bytes([3, len(kb)]) + kb + struct.pack(">H", len(vb)) + vb
    return o

def recv_all(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b

def kv(msg):
    """top-level key/values of a VICI message"""
    out, i = {}, 0
    while i < len(msg):
        t = msg[i]; i += 1
        if t in (1, 4):                   # section / list start: name
            n = msg[i]; i += 1 + n
        elif t in (2, 6):                 # section / list end
            pass
        elif t == 3:                      # key = value
            n = msg[i]; k = msg[i + 1:i + 1 + n].decode(); i += 1 + n
            (vl,) = struct.unpack(">H", msg[i:i + 2]); i += 2
            out[k] = msg[i:i + vl].decode(errors="replace"); i += vl
        elif t == 5:                      # list item
            (vl,) = struct.unpack(">H", msg[i:i + 2]); i += 2 + vl
        else:
            break
    return out

def call(s, cmd, args):
    p = bytes([0, len(cmd)]) + cmd.encode() + enc(args)
    s.sendall(struct.pack(">I", len(p)) + p)
    while True:
        (n,) = struct.unpack(">I", recv_all(s, 4))
        r = recv_all(s, n)
        if r[0] == 1:
            return kv(r[1:])
        if r[0] == 2:
            raise RuntimeError("unknown command " + cmd)

def worker(path, i, stop, res):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    ok = fail = 0
    while time.time() < stop:
        r = call(s, "initiate", {"ike": "p1_%d" % i, "timeout": 10000,
                                  "loglevel": -1})
        if r.get("success") == "yes":
            ok += 1
        else:
            fail += 1
        call(s, "terminate", {"ike": "p1_%d" % i, "timeout": 10000,
                              "loglevel": -1})
    res[i] = (ok, fail)

def holder(path, i, count, res):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    ok = fail = 0
    while ok + fail < count:
        r = call(s, "initiate", {"ike": "p1_%d" % i, "timeout": 30000,
                                  "loglevel": -1})
        if r.get("success") == "yes":
            ok += 1
        else:
            fail += 1
    res[i] = (ok, fail)

path = sys.argv[1]
if sys.argv[2] == "hold":
    count, workers = int(sys.argv[3]), int(sys.argv[4])
    res = [(0, 0)] * workers
    ts = [threading.Thread(target=holder, args=(path, i,
          count // workers + (1 if i < count % workers else 0), res))
          for i in range(workers)]
else:
    secs, workers = float(sys.argv[2]), int(sys.argv[3])
    stop = time.time() + secs
    res = [(0, 0)] * workers
    ts = [threading.Thread(target=worker, args=(path, i, stop, res))
          for i in range(workers)]
t0 = time.time()
for t in ts:
    t.start()
for t in ts:
    t.join()
el = time.time() - t0
ok = sum(r[0] for r in res)
fail = sum(r[1] for r in res)
print("ok %d fail %d seconds %.2f rate %.1f" % (ok, fail, el, ok / el))
