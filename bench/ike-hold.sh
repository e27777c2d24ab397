#!/bin/sh
# ike-hold.sh -- what COUNT established IKE SAs cost the responder: its
# resident memory (VmRSS of each process, before and after) and how long
# "ikesignctl show sa --json" takes over them, with ikesignd as the
# responder and, for comparison, strongSwan's charon, on the same key and
# suite as bench/ike-mm.sh and bench/ike-v2.sh (whose setup it shares,
# bench/ike-common.sh).  The initiator, a charon driven over VICI by
# bench/ike-vici.py, sets up COUNT IKE SAs (no CHILD_SA) with WORKERS
# threads and deletes none until the responder is measured.  A benchmark,
# not a test: run it by hand as root.
#
#	bench/ike-hold.sh [BUILDDIR]
#
# IKEv2 only: strongSwan always reuses an established IKEv1 SA for the
# same connection, so IKEv1 would need COUNT connections.
#
# Environment: COUNT (10000), WORKERS (8), SOFTHSM_MODULE, KEEP=1.  Goal (issue 14): 10 000 IKE SAs in at most
# 40 MiB of the network process.  It exits 1 when a responder does not
# establish all of them.
BENCH=ike-hold
IKEV=2
COUNT=${COUNT:-10000}
WORKERS=${WORKERS:-8}
TITLE="$COUNT IKEv$IKEV SAs held, RSA-2048 key on SoftHSM2"
. "$(dirname "$0")/ike-common.sh"

ikesignd_policy "$V2_POLICY"

kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# hold RESPONDER PROCS-FUNCTION: COUNT SAs from a fresh initiator
hold() {
	start_charon $NB init
	IPIDC=$CPID
	$2 >"$W/procs.$1"
	while read -r l p; do echo "$l $p $(kib "$p")"; done \
	    <"$W/procs.$1" >"$W/rss0.$1"
	res=$(python3 "$here/ike-vici.py" "$W/init/charon.vici" hold \
	    "$COUNT" "$WORKERS") || fail_bench "ike-vici.py failed ($1)"
	echo "$1: $res" >>"$W/runs.txt"
	set -- "$1" "$2" $res
	[ "$4" -eq "$COUNT" ] ||
	    fail_bench "FAILED: $1 established $4 of $COUNT ($res)"
	sleep 1
	while read -r l p; do echo "$l $p $(kib "$p")"; done \
	    <"$W/procs.$1" >"$W/rss1.$1"
	printf '%-11s %6s SAs in %6.1f s' "$1" "$4" "$8"
	awk 'NR == FNR { b[$1] = $3; next }
	    { d = $3 - b[$1]; printf "; %s %d -> %d KiB (+%d, %.0f B/SA)",
	      $1, b[$1], $3, d, d * 1024 / n }' n="$4" \
	    "$W/rss0.$1" "$W/rss1.$1"
	echo
	[ "$1" = ikesignd ] && show_time
	stop_pid "$IPIDC"
}

# how long ikesignctl show sa --json takes over the held SAs
show_time() {
	t0=$(date +%s%N)
	"$B/tools/ikesignctl/ikesignctl" -s "$W/ctl.sock" show sa --json \
	    >"$W/show.json"
	t1=$(date +%s%N)
	n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' \
	    "$W/show.json")
	echo "ikesignctl show sa --json: $n SAs in $(( (t1 - t0) / 1000000 )) ms"
}

echo "$TITLE; $WORKERS initiating threads"
start_ikesignd 1
hold ikesignd procs_ikesignd
stop_pid "$IPID"
start_charon $NA resp
RPID=$CPID
hold strongSwan procs_strongswan
stop_pid "$RPID"
