#!/bin/sh
# sign-floor.sh -- what one RSA-2048 signature costs through each layer
# on a SoftHSM2 token (bench/sign_floor.c): the floor (C_SignInit +
# C_Sign on a handle found once), libkeystore's ks_sign, and ikesignd's
# signer process over its socket, in turns (ROUNDS rounds of COUNT
# signatures per layer).  Goal (issue 14): the signer within 1.15 times
# the floor.  Then bench/sign_scale.c: signatures per second through a
# signer with one worker and with one per CPU, and the bare floor in one
# and in as many processes; goal: at least 1.8 times one worker's with 2
# CPUs.  A benchmark, not a test.
#
#	bench/sign-floor.sh [BUILDDIR]
#
# Environment: COUNT (signatures per layer and round, default 200), ROUNDS
# (default 10), SOFTHSM_MODULE, KEEP=1 keeps the temporary directory.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
B=${1:-$here/../build}
COUNT=${COUNT:-200}
ROUNDS=${ROUNDS:-10}
MODULE=${SOFTHSM_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
make -C "$B" bench/sign_floor bench/sign_scale >/dev/null
W=$(mktemp -d "${TMPDIR:-/tmp}/sign-floor.XXXXXX")
[ "${KEEP:-0}" = 1 ] && echo "keeping $W" >&2 || trap 'rm -rf "$W"' EXIT
mkdir -p "$W/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
    "$W" >"$W/softhsm2.conf"
export SOFTHSM2_CONF="$W/softhsm2.conf" CRYPTOKEY_CONF="$W/none" \
    CRYPTOKEY_DIR="$W/none"
printf '1234\n' >"$W/pin"; chmod 600 "$W/pin"
softhsm2-util --init-token --free --label bench --so-pin 12345678 \
    --pin 1234 >/dev/null
"$B/tools/cryptokey/cryptokey" --module "$MODULE" --token bench \
    --pin-source "file:$W/pin" generate rsa --label k --modulus 2048 \
    --quiet >/dev/null
echo "RSA-2048 on SoftHSM2"
"$B/bench/sign_floor" "$MODULE" bench "$W/pin" k "$COUNT" "$ROUNDS"
echo
echo "Scaling with the signer's workers (bench/sign_scale.c)"
"$B/bench/sign_scale" "$MODULE" bench "$W/pin" k "$COUNT" "$ROUNDS"
