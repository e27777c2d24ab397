#!/bin/sh
# timed.sh INTERPRETER TEST [ARGS...] -- the LOG_COMPILER of "make
# check": runs one test (through INTERPRETER, the shell the tests run
# under, or as it is when INTERPRETER is empty) and adds a line
# "MILLISECONDS TEST CPU-MILLISECONDS" to test-times.txt in the build
# directory: the wall time, and the user and system time of the test and
# everything it waited for.  scripts/test.sh prints the slowest tests from it.  The
# test's exit status is this script's.
interp=$1
shift
t0=$(date +%s%N)
if [ -n "$interp" ]; then
	"$interp" "$@"
else
	"$@"
fi
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
# the second line of "times" is the children's user and system time,
# as "0m1.230000s 0m0.450000s"; "times" is a builtin, and writes to a
# file rather than a pipe so that it runs in this shell
tf="${TMPDIR:-/tmp}/timed.$$"
times >"$tf"
cpu=$(awk 'NR == 2 { split($0, f, /[ms ]+/)
    printf "%d", (f[1] * 60 + f[2] + f[3] * 60 + f[4]) * 1000 }' "$tf")
rm -f "$tf"
echo "$ms $1 ${cpu:-0}" >>test-times.txt
exit $rc
