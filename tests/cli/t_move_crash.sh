#!/bin/sh
# t_move_crash.sh -- crash safety of move --to: stopped at every PKCS#11
# call it makes, by failing the call and by killing the process right after
# it (tests/cli/crash.sh), the key is on the source token or on the
# destination (or both), with its ID and public key, and signs there with
# that public key; the destination lists it only once it signs there; a
# rerun then finishes the move, leaving the source empty.  The same for a
# destination that cannot unwrap, and for a locked key, which must unlock
# on the destination afterwards.  One 1024-bit key, so that the sweep
# stays short.
. "$top_srcdir/tests/cli/lib.sh"
. "$top_srcdir/tests/cli/crash.sh"

crash_setup
setup_token
add_token other
"$CK" --quiet generate rsa --label ck --exportable --modulus 1024 ||
    { echo "Bail out! cannot generate"; exit 1; }
"$CK" show --json --label ck > "$T/ck.json" 2>/dev/null
jget "$T/ck.json" 'd[0]["public_key"]' > "$T/old.pem"
ID=$(jget "$T/ck.json" 'd[0]["id"]')
BASE=$(objects)
save_pristine

OLD=$(snap)
OLD=${OLD% *}

# on TOKEN: ck is there with its ID and public key, and signs with it
# (of the last probe: one of both tokens per check, crash.sh: probe_ck)
on() {
	snap_of "$1"
	[ "${_snap% *}" = "$OLD" ] && signs_with "$ID" "$T/old.pem" "$1"
}
# check_move, final_move: crash.sh
sweep "move --to" check_move final_move move rsa --label ck --to other

# a destination that cannot unwrap (as one behind p11-kit's RPC) gets the
# private key by C_CreateObject: the same states, the same rerun
restore
export CRYPTOKEY_FAULT_NO_UNWRAP=1
sweep "move --to (a destination without key unwrap)" check_move final_move \
    move rsa --label ck --to other
unset CRYPTOKEY_FAULT_NO_UNWRAP

# a locked key moves as its public key, record and encrypted copy: it is
# locked on one token or the other, and after the rerun it unlocks there
passphrase 'crash passphrase'
restore
"$CK" $P --quiet encrypt rsa --label ck --kdf pbkdf2:1000 &&
    "$CK" $P --quiet lock rsa --label ck ||
    { echo "Bail out! cannot lock"; exit 1; }
save_pristine
locked_on() { snap_of "$1"; [ "$_snap" = "$OLD locked" ]; }
check_move_locked() {
	probe_ck test other
	{ locked_on test || locked_on other; } &&
	    { ! listed other || locked_on other; }
}
final_move_locked() {
	probe_ck test other
	locked_on other && counted test 0 &&
	    "$CK" --token other $P unlock rsa --label ck >/dev/null 2>&1 &&
	    probe_ck other && on other
}
sweep "move --to (a locked key)" check_move_locked final_move_locked \
    move rsa --label ck --to other

echo "# $CRASH_POINTS fault points covered"
done_testing
