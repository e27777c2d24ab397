#!/bin/sh
# The whole test suite: install what is missing, build twice (-Werror, and
# AddressSanitizer + UndefinedBehaviorSanitizer), run every test in both
# trees, build the packages from the tarball and test them, run each fuzz
# target briefly (clang; built and run beside the packages and the
# sanitizer tree), print the ten slowest tests of each tree, and end with
# the line "N passed, N failed[, N skipped]".  Exit status is non-zero on
# any failure.
#
#   FUZZ_SECONDS   seconds per fuzz target (default 10; 0 skips fuzzing)
#   JOBS           parallel make jobs for building (default 2)
#   CHECK_JOBS     tests run at once (default 4: many wait on timers)
#   CRASH_OFFSET   which 16th call the sanitizer sweeps stop at (0 to 15;
#                  default: from the commit, see below)
#
# The crash-safety sweeps fail each operation at every PKCS#11 call in the
# -Werror tree, and kill it after every call that changes the token
# (tests/cli/crash.sh says why those suffice); under the sanitizers they
# fail every 16th call and kill after every 8th of those (CRASH_STRIDE),
# which keeps the run short.  Which 16th (CRASH_OFFSET, 0 to 15) comes
# from the commit: a rerun of one commit stops at the same calls, and
# successive commits at others.
set -u
cd "$(dirname "$0")/.."
TOP=$(pwd)
: "${FUZZ_SECONDS:=10}"
: "${JOBS:=2}"
: "${CHECK_JOBS:=4}"
passed=0 failed=0 skipped=0
START=$(date +%s)
LOGS="$TOP/build-logs"
rm -rf "$LOGS"
mkdir -p "$LOGS"

note() { printf '== %s\n' "$*"; }
count_fail() { failed=$((failed + 1)); printf 'FAILED: %s\n' "$*"; }

scripts/deps.sh || { echo "0 passed, 1 failed"; exit 1; }
./autogen.sh >"$LOGS/autogen.log" 2>&1 ||
    { cat "$LOGS/autogen.log"; echo "0 passed, 1 failed"; exit 1; }

# add the automake summary of one tree to the totals
tally() {
	log="$1/test-suite.log"
	if [ ! -f "$log" ]; then count_fail "$2: no test-suite.log"; return; fi
	p=$(sed -n 's/^# PASS: *//p' "$log" | head -n 1)
	s=$(sed -n 's/^# SKIP: *//p' "$log" | head -n 1)
	x=$(sed -n 's/^# XFAIL: *//p' "$log" | head -n 1)
	f=$(sed -n 's/^# FAIL: *//p' "$log" | head -n 1)
	xp=$(sed -n 's/^# XPASS: *//p' "$log" | head -n 1)
	e=$(sed -n 's/^# ERROR: *//p' "$log" | head -n 1)
	passed=$((passed + ${p:-0} + ${x:-0}))
	skipped=$((skipped + ${s:-0}))
	failed=$((failed + ${f:-0} + ${xp:-0} + ${e:-0}))
	note "$2: ${p:-0} passed, $(( ${f:-0} + ${xp:-0} + ${e:-0} )) failed, ${s:-0} skipped"
	# show what failed, with the diagnostics at the end of its log (the
	# "# " lines: daemons' log tails and the like), three tests at most
	grep -E '^(FAIL|ERROR|XPASS):' "$log" | head -n 40
	sed -n 's/^\(FAIL\|ERROR\|XPASS\): \([^ ]*\)\.sh .*/\2/p' "$log" | sort -u | head -n 3 |
	while read -r t; do
		[ -f "$1/$t.log" ] || continue
		echo "-- diagnostics in $t.log:"
		grep '^#' "$1/$t.log" | grep -v '^# \(SKIP\|PASS\|FAIL\|TOTAL\)' |
		    tail -n 60
	done
}

# add the TAP lines of one script's log to the totals
tally_tap() {
	p=$(grep -E '^ok ' "$1" | grep -vc '# SKIP')
	s=$(grep -E '^ok .*# SKIP' "$1" | grep -c .)
	f=$(grep -cE '^not ok ' "$1")
	passed=$((passed + p)); skipped=$((skipped + s)); failed=$((failed + f))
	note "$2: $p passed, $f failed, $s skipped"
	grep -E '^not ok ' "$1" | head -n 20
	grep -q '^1\.\.[0-9]' "$1" || count_fail "$2: ended early (see $1)"
}

# configure_bg DIR NAME [configure args...]: configure in the background,
# each tree on a core of its own; build_tree waits for it
configure_bg() {
	dir="$1"; name="$2"; shift 2
	rm -rf "$dir"; mkdir -p "$dir"
	(cd "$dir" && "$TOP/configure" "$@" >"$LOGS/$name-configure.log" 2>&1
	    echo $? >"$LOGS/$name-configure.rc") &
	echo $! >"$LOGS/$name-configure.pid"
}

# build_tree DIR NAME: wait for configure_bg of DIR, then build; 0 when
# built
build_tree() {
	dir="$1"; name="$2"
	note "$name: configure and build in $dir"
	wait "$(cat "$LOGS/$name-configure.pid")"
	if [ "$(cat "$LOGS/$name-configure.rc" 2>/dev/null)" != 0 ]; then
		tail -n 20 "$LOGS/$name-configure.log"
		count_fail "$name: configure"; return 1
	fi
	if ! (cd "$dir" && make -j"$JOBS" >"$LOGS/$name-build.log" 2>&1); then
		grep -E 'error|warning' "$LOGS/$name-build.log" | head -n 30
		count_fail "$name: build"; return 1
	fi
	passed=$((passed + 1))	# the build itself
}

# check_tree DIR NAME: make check, the tally and the slowest tests
check_tree() {
	note "$2: make check"
	rm -f "$1/test-times.txt"
	(cd "$1" && make -j"$CHECK_JOBS" check >"$LOGS/$2-check.log" 2>&1)
	tally "$1" "$2"
	slowest "$1" "$2"
}

# the ten slowest tests of a tree (tests/timed.sh notes each one's time)
slowest() {
	[ -f "$1/test-times.txt" ] || return 0
	note "$2: the ten slowest tests (seconds of wall and of CPU time)"
	sort -rn "$1/test-times.txt" | head -n 10 |
	    awk '{ printf "   %6.1f %6.1f  %s\n", $1 / 1000, $3 / 1000, $2 }'
	awk '{ w += $1; c += $3 } END {
	    printf "   all tests: %.0f s of wall time, %.0f s of CPU time\n",
	    w / 1000, c / 1000 }' "$1/test-times.txt"
}

# Both trees are configured now, side by side (configure runs on one
# core): the -Werror tree (1.) and the sanitizer tree (4.).  UBSan's
# runtime linked in, not as libubsan.so: LeakSanitizer scans the data of
# every shared library at each exit, libubsan's 6 MB of it too, which cost
# every sanitized process 13 ms of its 57 (page faults)
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
configure_bg "$TOP/build-ci" werror --enable-werror
configure_bg "$TOP/build-asan" asan+ubsan --enable-werror \
    CFLAGS="-O1 -g $SAN" LDFLAGS="$SAN -static-libubsan"

# 1. the CI build: -Wall -Wextra -Werror
build_tree "$TOP/build-ci" werror &&
    check_tree "$TOP/build-ci" werror

# 2. fuzz targets, a short run each (clang), built and run in the
#    background from here on: beside the packages' builds, which leave a
#    core idle for long stretches (configure, lintian, apt), and the
#    sanitizer tree's tests, many of which wait on timers; TAP in
#    $LOGS/fuzz.tap
FUZZ_DIR="$TOP/build-fuzz"
fuzz_build() {
	[ "$FUZZ_SECONDS" -gt 0 ] && command -v clang >/dev/null 2>&1 ||
	    return 1
	rm -rf "$FUZZ_DIR"; mkdir -p "$FUZZ_DIR"
	# the fuzz targets and what they link, not the whole tree
	targets=$(cd "$TOP" && ls tests/fuzz/fuzz_*.c | sed 's/\.c$//')
	(cd "$FUZZ_DIR" && "$TOP/configure" CC=clang --enable-fuzzing \
	    CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined" \
	    LDFLAGS="-fsanitize=address,undefined" >"$LOGS/fuzz-configure.log" 2>&1 &&
	    make -j"$JOBS" $targets >"$LOGS/fuzz-build.log" 2>&1)
}
fuzz_run() {
	n=0
	for bin in "$FUZZ_DIR"/tests/fuzz/fuzz_*; do
		[ -x "$bin" ] || continue
		case "$bin" in *.o|*.c) continue;; esac
		t=$(basename "$bin"); t=${t#fuzz_}; n=$((n + 1))
		work="$FUZZ_DIR/corpus-$t"; mkdir -p "$work"
		if "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
		    -rss_limit_mb=2048 "$work" "$TOP/tests/fuzz/corpus/$t" \
		    >"$LOGS/fuzz-$t.log" 2>&1; then
			echo "ok $n - fuzz $t: $(grep -o 'Done [0-9]* runs' \
			    "$LOGS/fuzz-$t.log" | tail -n 1)"
		else
			echo "not ok $n - fuzz $t (see build-logs/fuzz-$t.log)"
		fi
	done
	echo "1..$n"
}

fuzz_pid=
if [ "$FUZZ_SECONDS" -gt 0 ] && command -v clang >/dev/null 2>&1; then
	note "fuzz: build with clang and run, $FUZZ_SECONDS s per target, in the background"
	(
		if fuzz_build; then
			fuzz_run
		else
			grep -E 'error' "$LOGS/fuzz-build.log" 2>/dev/null |
			    head -n 20 | sed 's/^/# /'
			echo "not ok 1 - fuzz: build (see build-logs/fuzz-build.log)"
			echo "1..1"
		fi
	) >"$LOGS/fuzz.tap" 2>&1 &
	fuzz_pid=$!
else
	skipped=$((skipped + 1))
	note "fuzz: skipped (FUZZ_SECONDS=0 or no clang)"
fi

# 3. the tarball and the Debian packages, from the -Werror tree
#    (scripts/pkg-test.sh, TAP): make distcheck over a few tests,
#    dpkg-buildpackage, lintian, apt-get install, hardening-check,
#    systemd-analyze security, the installed tools and daemon, the
#    service under systemd in a container, purge
if [ -f "$TOP/build-ci/tools/cryptokey/cryptokey" ]; then
	note "packages: distcheck, .debs, install (scripts/pkg-test.sh)"
	t0=$(date +%s)
	LOGS="$LOGS/pkg" JOBS="$JOBS" sh scripts/pkg-test.sh "$TOP/build-ci" \
	    >"$LOGS/pkg.log" 2>&1
	tally_tap "$LOGS/pkg.log" "packages ($(( $(date +%s) - t0 )) s)"
else
	count_fail "packages: the -Werror tree did not build"
fi

# 4. sanitizers
# A quarantine of 64 MB, not ASan's 256: a command of the tools frees 1 to
# 4 MB in all (measured: show, storage, import), so nothing it frees
# leaves the quarantine under either size.  A PBKDF2 of 600 000
# iterations (export to PKCS#8, encrypt) allocates twice an iteration
# inside OpenSSL: 2.4 million allocations, 258 MB freed, more than either
# size, but every fresh page of the larger one costs a page fault, 1.9 s
# of CPU for such a command where 64 MB cost 0.9 s.  Daemons keep 256 MB
# (tests/cli/lib.sh: DAEMON_ASAN).
ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=64"
LSAN_OPTIONS="suppressions=$TOP/tests/lsan.supp:print_suppressions=0"
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS
CRASH_STRIDE=16
rev=$(git -C "$TOP" rev-parse HEAD 2>/dev/null | cut -c 1-6)
: "${CRASH_OFFSET:=$(( 0x${rev:-0} % CRASH_STRIDE ))}"
export CRASH_STRIDE CRASH_OFFSET
note "sanitizer sweeps: every ${CRASH_STRIDE}th call, CRASH_OFFSET=$CRASH_OFFSET"
build_tree "$TOP/build-asan" asan+ubsan &&
    check_tree "$TOP/build-asan" asan+ubsan
if [ -n "$fuzz_pid" ]; then
	wait "$fuzz_pid"
	grep -E '^(not )?ok|^# ' "$LOGS/fuzz.tap" | sed 's/^/   /'
	tally_tap "$LOGS/fuzz.tap" "fuzz ($FUZZ_SECONDS s per target)"
fi

note "total time $(( $(date +%s) - START )) s"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
