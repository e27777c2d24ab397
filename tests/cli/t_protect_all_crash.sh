#!/bin/sh
# t_protect_all_crash.sh -- crash safety of encrypt --all, lock --all and
# unlock --all over three pairs: a usage-keys name (a signature pair and
# an encryption pair) and a general-purpose key.  Each run is stopped at
# every PKCS#11 call it makes, by failing the call and by killing the
# process right after it (tests/cli/crash.sh).  After each stop every pair
# has its ID and public key and is in its old state or its new one; an
# unlocked signature or general key signs with its public key, an
# unlocked encryption key decrypts what its public key encrypted.  A rerun
# then completes the operation for all three.
. "$top_srcdir/tests/cli/lib.sh"
. "$top_srcdir/tests/cli/crash.sh"

crash_setup
setup_token
passphrase 'crash passphrase'
KDF="--kdf pbkdf2:1000"
"$CK" --quiet generate rsa --label uk --usage-keys --exportable \
    --modulus 1024 &&
    "$CK" --quiet generate rsa --label gk --exportable --modulus 1024 ||
    { echo "Bail out! cannot generate"; exit 1; }
BASE=$(objects)

# pairs: "ID USAGE STATE SPKI" per pair, sorted by ID, where STATE is
# plain, unlocked or locked (tests/cli/crash.sh: probe)
pairs() {
	probe "" test
	while read -r _qt _qk _qid _qu _qst _qh _quse; do
		[ "$_qk" = pair ] && echo "$_qid $_qu $_qst $_qh"
	done <"$T/probe"
}
pairs > "$T/start"
[ "$(wc -l < "$T/start")" -eq 3 ] || { echo "Bail out! not 3 pairs"; exit 1; }
# the public keys, by ID, to check with
"$CK" show --json 2>/dev/null | "$PYTHON" -c '
import json, sys
for k in json.load(sys.stdin):
    open(sys.argv[1] + "/" + k["id"] + ".pem", "w").write(k["public_key"])
' "$T"

# all_in STATE...: every pair of the start is listed with its ID, usage
# and public key, in one of the STATEs, and usable unless locked: an
# encryption key decrypts what its public key encrypted, the others sign
# (the listing read in this shell: a sweep checks thousands of times)
all_in() {
	pairs > "$T/now"
	_lines=0
	while read -r _l; do _lines=$((_lines + 1)); done < "$T/now"
	[ "$_lines" -eq 3 ] || return 1
	while read -r _id _usage _st _sum; do
		_now=
		while read -r _nid _nusage _nst _nsum; do
			[ "$_nid $_nusage $_nsum" = "$_id $_usage $_sum" ] &&
			    _now=$_nst
		done < "$T/now"
		[ -n "$_now" ] || return 1
		_ok=0
		for _want in "$@"; do [ "$_now" = "$_want" ] && _ok=1; done
		[ "$_ok" -eq 1 ] || return 1
		[ "$_now" = locked ] && continue
		if [ "$_usage" = encryption ]; then
			decrypts_with "$_id" "$T/$_id.pem" || return 1
		else
			signs_with "$_id" "$T/$_id.pem" || return 1
		fi
	done < "$T/start"
}

use() { rm -rf "$T/pristine"; cp -a "$T/s-$1" "$T/pristine"; }

# the three states, made once
cp -a "$T/tokens" "$T/s-plain"
"$CK" $P --quiet encrypt rsa --all $KDF &&
    cp -a "$T/tokens" "$T/s-unlocked" &&
    "$CK" $P --quiet lock rsa --all &&
    cp -a "$T/tokens" "$T/s-locked" ||
    { echo "Bail out! cannot make the states"; exit 1; }

use plain
check_encrypt() { all_in plain unlocked; }
final_encrypt() { all_in unlocked && counted test $((BASE + 3)); }
sweep "encrypt --all" check_encrypt final_encrypt $P encrypt rsa --all $KDF

use unlocked
check_lock() { all_in unlocked locked; }
final_lock() { all_in locked && counted test "$BASE"; }
sweep "lock --all" check_lock final_lock $P lock rsa --all

use locked
check_unlock() { all_in locked unlocked; }
final_unlock() { all_in unlocked && counted test $((BASE + 3)); }
sweep "unlock --all" check_unlock final_unlock $P unlock rsa --all

echo "# $CRASH_POINTS fault points covered"
done_testing
