#!/usr/bin/env python3
# t_ike_pcap.py PCAP SRC XCHG OUT [flip] -- write the first IKE request of
# exchange type XCHG sent by SRC in a tcpdump capture (Linux cooked or
# Ethernet link type) to OUT as the bare UDP payload; with "flip", one
# octet near its end (in the ICV) is changed.  Used by t_ike_v2.sh to replay
# a request; reads only the file it is given.
import struct, sys

path, src, xchg, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
flip = len(sys.argv) > 5 and sys.argv[5] == "flip"
want = bytes(int(x) for x in src.split("."))
d = open(path, "rb").read()
if len(d) < 24:
    sys.exit("short capture")
link = struct.unpack("<I", d[20:24])[0]
l2 = {113: 16, 276: 20, 1: 14}.get(link)
if l2 is None:
    sys.exit("link type %d not known" % link)
off = 24
while off + 16 <= len(d):
    incl = struct.unpack("<I", d[off + 8:off + 12])[0]
    pkt = d[off + 16:off + 16 + incl]
    off += 16 + incl
    ip = pkt[l2:]
    if len(ip) < 20 or ip[12:16] != want:
        continue
    ike = ip[(ip[0] & 15) * 4 + 8:]
    if len(ike) >= 28 and ike[18] == xchg and not ike[19] & 0x20:
        if flip:
            ike = ike[:-2] + bytes([ike[-2] ^ 0x01]) + ike[-1:]
        open(out, "wb").write(ike)
        sys.exit(0)
sys.exit("no such request in the capture")
