#!/bin/sh
# ike-flood.sh -- the half-open flood of issue 10: COUNT Main Mode first
# messages with random cookies from one address at RATE per second, while
# strongSwan sets up HANDSHAKES fresh IKE SAs with ikesignd, one every few
# seconds.  Prints each handshake's time, ikesignd's RSS before and after
# and its half-open counters.  A benchmark, not a test: run it by hand as
# root (it creates two network namespaces, through tests/cli/t_ike_env.sh).
#
#	bench/ike-flood.sh [BUILDDIR]
#
# Environment: COUNT (default 32000), RATE (800), HANDSHAKES (5), SOURCES
# (flood source addresses, default 1; each a configured peer), SPOOF_PEER=1
# (flood from strongSwan's own address too, as a spoofer would), LIMIT
# (a "crypto call admission limit ike in-negotiation-sa" value; default:
# none, the built-in table), SOFTHSM_MODULE.  Without LIMIT it runs
# against builds from before the half-open table too.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "$here/.." && pwd)
top_builddir=$(cd "${1:-$top_srcdir/build}" && pwd)
COUNT=${COUNT:-32000}
RATE=${RATE:-800}
HANDSHAKES=${HANDSHAKES:-5}
SOURCES=${SOURCES:-1}
LIMIT=${LIMIT:-}
export top_srcdir top_builddir
. "$top_srcdir/tests/cli/t_ike_env.sh"

ike_setup
own="peer $IPB ike-version 1 keyring default"
FLOOD=""
n=0
while [ $n -lt "$SOURCES" ] && [ $n -lt 200 ]; do
	a=${IPB%.*}.$((10 + n))
	ip -n "$NB" addr add "$a/24" dev "vb$$" || exit 1
	own="$own
peer $a keyring default"
	FLOOD="$FLOOD $a"
	n=$((n + 1))
done
[ "${SPOOF_PEER:-0}" = 1 ] && FLOOD="$FLOOD $IPB"
[ -n "$LIMIT" ] &&
    own="$own
crypto call admission limit ike in-negotiation-sa $LIMIT"
ikesignd_conf "$own" <<EOC
crypto isakmp policy 10
 encryption aes 128
 hash sha256
 authentication rsa-sig
 group 14
EOC
ikesignd_start || { echo "ikesignd did not start"; exit 1; }
charon_start

rss() {
	_s=0
	for _p in $IKESIGND_PID $(pgrep -P "$IKESIGND_PID"); do
		_k=$(awk '/^VmRSS:/ { print $2 }' "/proc/$_p/status" \
		    2>/dev/null)
		_s=$((_s + ${_k:-0}))
	done
	echo "$_s"
}

swan --initiate --ike v1 --timeout 10 >/dev/null 2>&1
swan --terminate --ike v1 --timeout 5 >/dev/null 2>&1
rss0=$(rss)
secs=$((COUNT / RATE))
ip netns exec "$NB" python3 "$top_srcdir/tests/cli/t_ike_flood.py" \
    "$IPA" "$COUNT" "$RATE" $((COUNT / 4)) "$T/mark" $FLOOD \
    >"$T/flood.out" 2>&1 &
FLOOD_PID=$!
IKE_PIDS="$IKE_PIDS $FLOOD_PID"
echo "flood: $COUNT first messages from$FLOOD at $RATE/s (~$secs s)"
# the first handshake after a quarter of the flood, the others spread
# over the rest of it
j=0
while [ ! -f "$T/mark" ] && [ $j -lt $((secs * 5 + 100)) ]; do
	sleep 0.2; j=$((j + 1))
done
gap=$((secs * 3 / 4 / HANDSHAKES))
i=0 ok=0
while [ $i -lt "$HANDSHAKES" ]; do
	i=$((i + 1))
	t0=$(date +%s%N)
	swan --initiate --ike v1 --timeout 10 >/dev/null 2>&1
	rc=$?
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ $rc -eq 0 ] && ok=$((ok + 1))
	echo "handshake $i: $([ $rc -eq 0 ] && echo established || echo FAILED) in $ms ms"
	swan --terminate --ike v1 --timeout 5 >/dev/null 2>&1
	[ $i -lt "$HANDSHAKES" ] && sleep "$gap"
done
ctl show half-open >"$T/ho.txt" 2>&1 && sed 's/^/during: /' "$T/ho.txt"
wait "$FLOOD_PID"
echo "flood sent (messages, seconds): $(cat "$T/flood.out")"
rss1=$(rss)
echo "handshakes established: $ok of $HANDSHAKES"
echo "RSS of ikesignd and its signer: $rss0 kB before, $rss1 kB after"
ctl show sa >"$T/sa.txt" 2>&1
echo "IKE SAs in the table after the flood: $(grep -c 'MM_\|QM_' "$T/sa.txt")"
grep -A1 '^Half-open' "$T/sa.txt"
