#!/bin/sh
# show-vs-pkcs11-tool.sh -- how long "cryptokey show --json" takes on a
# token holding 1, 100 and 1000 key pairs, against its floor (bench/
# list_floor.c: one search and one C_GetAttributeValue per object, same
# module, token and login) and against "pkcs11-tool --login --list-objects"
# on the same token.  Goal (issue 14): show within 1.2 times the floor at
# 1000 pairs.  A benchmark, not a test: run it by hand (see bench/README).
#
#	bench/show-vs-pkcs11-tool.sh [path/to/cryptokey]
#
# Environment: SIZES (default "1 100 1000"), RUNS (hyperfine --runs,
# default: hyperfine decides, at least 10), FLOOR_RUNS (show and the floor
# in turns, default 11), SOFTHSM_MODULE, KEEP=1 keeps the temporary
# directory.  Everything happens in one temporary directory; nothing else
# is touched.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
SIZES=${SIZES:-"1 100 1000"}
RUNS=${RUNS:-}
FLOOR_RUNS=${FLOOR_RUNS:-11}
MODULE=${SOFTHSM_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
PIN=1234
SOPIN=12345678

die() { echo "show-vs-pkcs11-tool: $*" >&2; exit 1; }

for tool in hyperfine pkcs11-tool softhsm2-util jq cc pkg-config; do
	command -v "$tool" >/dev/null 2>&1 || die "needs $tool"
done
[ -r "$MODULE" ] || die "no SoftHSM2 module at $MODULE; set SOFTHSM_MODULE"

# The cryptokey to measure: the argument, else a build tree's, else PATH.
ck=${1:-}
if [ -z "$ck" ]; then
	for c in ./tools/cryptokey/cryptokey "$here"/../build*/tools/cryptokey/cryptokey; do
		if [ -x "$c" ]; then ck=$c; break; fi
	done
fi
[ -n "$ck" ] || ck=$(command -v cryptokey) || die "no cryptokey; give its path"
[ -x "$ck" ] || die "$ck is not executable"
ck=$(cd "$(dirname "$ck")" && pwd)/$(basename "$ck")
# An uninstalled build is a libtool wrapper script: measure the program
# itself, not a bash that starts it.
if grep -q 'temporary wrapper script' "$ck" 2>/dev/null; then
	real=$(dirname "$ck")/.libs/$(basename "$ck")
	[ -x "$real" ] || "$ck" --version >/dev/null
	[ -x "$real" ] || die "cannot find the program behind $ck"
	libs=$(cd "$(dirname "$ck")/../../libkeystore/.libs" && pwd) ||
	    die "cannot find libkeystore/.libs beside $ck"
	LD_LIBRARY_PATH=$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
	export LD_LIBRARY_PATH
	ck=$real
fi
# The floor: from the build tree beside an uninstalled cryptokey, else
# compiled here like populate.
lf=""
if [ -n "${libs:-}" ] && make -C "$libs/../.." bench/list_floor >/dev/null; then
	lf=$(cd "$libs/../../bench" && pwd)/list_floor
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ckbench.XXXXXX")
if [ "${KEEP:-0}" = 1 ]; then
	echo "# keeping $tmp"
else
	trap 'rm -rf "$tmp"' EXIT
fi
trap 'exit 1' INT TERM

# cryptokey must not find a configuration or an embedded token of the user
CRYPTOKEY_CONF=$tmp/no-such.conf
CRYPTOKEY_DIR=$tmp/no-embedded
export CRYPTOKEY_CONF CRYPTOKEY_DIR
printf '%s\n' "$PIN" > "$tmp/pin"
chmod 600 "$tmp/pin"

# shellcheck disable=SC2046
cc -std=c11 -O2 -D_POSIX_C_SOURCE=200809L $(pkg-config --cflags p11-kit-1) \
    -o "$tmp/populate" "$here/populate.c" -ldl || die "cannot build populate"
if [ -z "$lf" ]; then
	lf=$tmp/list_floor
	# shellcheck disable=SC2046
	cc -std=c11 -O2 -D_GNU_SOURCE $(pkg-config --cflags p11-kit-1) \
	    -o "$lf" "$here/list_floor.c" "$here/floor.c" \
	    $(pkg-config --libs p11-kit-1) ||
	    die "cannot build list_floor"
fi

softhsm_conf() {	# dir
	mkdir -p "$1/tokens"
	cat > "$1/softhsm2.conf" <<EOC
directories.tokendir = $1/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
EOC
}

# One pair made by cryptokey itself, on a template token.
softhsm_conf "$tmp/tpl"
SOFTHSM2_CONF=$tmp/tpl/softhsm2.conf
export SOFTHSM2_CONF
softhsm2-util --init-token --free --label bench --so-pin "$SOPIN" \
    --pin "$PIN" >/dev/null
"$ck" --module "$MODULE" --token bench --pin-source "file:$tmp/pin" \
    --quiet generate rsa --label bench-00000 ||
    die "cryptokey generate rsa failed"

ckcmd="$ck --module $MODULE --token bench --pin-source file:$tmp/pin show --json"
p11cmd="pkcs11-tool --module $MODULE --token-label bench --login --pin $PIN --list-objects"

printf '%-6s %-8s %-22s %-22s %-6s %-9s %s\n' pairs objects \
    "cryptokey show --json" "pkcs11-tool -O" ratio "cpu ratio" \
    "show / floor: ms wall (floor), ratio; ms cpu (floor), ratio"
for n in $SIZES; do
	d=$tmp/t$n
	softhsm_conf "$d"
	rmdir "$d/tokens"
	cp -a "$tmp/tpl/tokens" "$d/tokens"
	SOFTHSM2_CONF=$d/softhsm2.conf
	export SOFTHSM2_CONF
	"$tmp/populate" "$MODULE" bench "$tmp/pin" bench-00000 $((n - 1)) \
	    bench- || die "cannot fill the token with $n pairs"

	# both tools see what we think is there
	got=$($ckcmd | jq length)
	[ "$got" = "$n" ] || die "cryptokey shows $got pairs, not $n"
	objs=$($p11cmd 2>/dev/null | grep -cE '^(Private Key|Public Key|Data) [Oo]bject')
	[ "$objs" = $((3 * n)) ] || die "pkcs11-tool lists $objs objects, not $((3 * n))"

	if [ -n "$RUNS" ]; then runs="--runs $RUNS"; else runs="--min-runs 10"; fi
	# shellcheck disable=SC2086
	hyperfine --shell=none --warmup 3 --style none $runs \
	    --export-json "$tmp/h$n.json" \
	    -n cryptokey "$ckcmd" -n pkcs11-tool "$p11cmd" >/dev/null 2>&1 ||
	    die "hyperfine failed at $n pairs"
	fl=$("$lf" compare "$FLOOR_RUNS" "$MODULE" bench "$tmp/pin" "$ck") ||
	    die "list_floor failed at $n pairs"
	jq -r --arg n "$n" --arg o "$objs" '
	    def ms: . * 1000 | . * 10 | round / 10;
	    .results as $r |
	    def r2: . * 100 | round / 100;
	    ($r[0].mean / $r[1].mean | r2) as $ratio |
	    (($r[0].user + $r[0].system) / ($r[1].user + $r[1].system) | r2)
	        as $cpu |
	    [$n, $o,
	     "\($r[0].mean | ms) ± \($r[0].stddev | ms) ms",
	     "\($r[1].mean | ms) ± \($r[1].stddev | ms) ms",
	     $ratio, $cpu] | @tsv' "$tmp/h$n.json" |
	while IFS='	' read -r a b c e f g; do
		# shellcheck disable=SC2086
		set -- $fl
		printf '%-6s %-8s %-22s %-22s %-6s %-9s %s (%s), %s; %s (%s), %s\n' \
		    "$a" "$b" "$c" "$e" "$f" "$g" "$1" "$2" "$5" "$3" "$4" "$6"
	done
done
echo "# ratio = mean wall time of cryptokey / mean wall time of" \
    "pkcs11-tool; cpu ratio = the same for user + system time, steadier on"
echo "# a busy machine; show / floor: medians of $FLOOR_RUNS runs in turns" \
    "and of their ratios (goal: <= 1.2 at 1000 pairs)"
