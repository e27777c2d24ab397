#!/bin/sh
# timed.sh INTERPRETER TEST [ARGS...] -- the LOG_COMPILER of "make
# check": runs one test (through INTERPRETER, the shell make uses, or as
# it is when INTERPRETER is empty) and adds a line "MILLISECONDS TEST" to
# test-times.txt in the build directory, from which scripts/test.sh prints
# the slowest tests.  The test's exit status is this script's.
interp=$1
shift
t0=$(date +%s%N)
if [ -n "$interp" ]; then
	"$interp" "$@"
else
	"$@"
fi
rc=$?
echo "$(( ($(date +%s%N) - t0) / 1000000 )) $1" >>test-times.txt
exit $rc
