#!/bin/sh
# t_ike_pin.sh -- a signer whose PIN the token refuses is not started again
# until an operator asks (tokens lock after a few wrong PINs): the PIN
# file goes wrong under a running ikesignd and its signer dies; over 10 s
# the token sees exactly one login, show says why, handshakes are
# refused; after the fix and ikesignctl reload, exactly one more login
# and the key signs again.  Any other signer failure is retried after 1,
# 2, 4 ... s.  Logins are counted by tests/faultmod.
. "$top_srcdir/tests/cli/t_ike_env.sh"

FAULTMOD="$top_builddir/tests/faultmod/.libs/faultmod.so"
[ -f "$FAULTMOD" ] || skip_all "fault module not built"
ike_setup
export CRYPTOKEY_FAULT_TARGET="$SOFTHSM_MODULE"
export CRYPTOKEY_FAULT_LOGINS="$T/logins"
export CRYPTOKEY_FAULT_BROKEN="$T/broken"
printf '%s\n' "$PIN" >"$T/dpin"
chmod 600 "$T/dpin"
ikesignd_v1_conf
sed -i -e "s|^module .*|module $FAULTMOD|" \
    -e "s|^pin-source .*|pin-source file:$T/dpin|" "$T/ikesignd.conf"

logins() { [ -f "$T/logins" ] && wc -l <"$T/logins" || echo 0; }
# the pid of the running signer, from its last "signer running" line
signer_pid() {
	sed -n 's/.*signer running (pid \([0-9]*\)).*/\1/p' \
	    "$T/ikesignd.log" | tail -n 1
}

ikesignd_start
ok '[ $? -eq 0 ]' "ikesignd starts through the fault module"
charon_start
expect_rc 0 "a handshake with the right PIN" \
    swan --initiate --ike v1 --timeout 10
ok '[ "$(logins)" -eq 1 ]' "one login so far ($(logins))"

# the PIN file goes wrong, then the signer dies
printf '9999\n' >"$T/dpin"
spid=$(signer_pid)
ok '[ -n "$spid" ] && kill -KILL "$spid"' "the signer (pid $spid) is killed"
start=$(date +%s)
wait_for "$T/ikesignd.log" "PIN refused by the token" 10
logged "$T/ikesignd.log" "signer: PIN refused by the token (CKR_PIN_INCORRECT); not logging in again" \
    "the refused PIN is logged with its CKR name"
left=$(( start + 10 - $(date +%s) ))
[ "$left" -gt 0 ] && sleep "$left"
n=$(( $(logins) - 1 ))
ok '[ "$n" -eq 1 ]' "exactly one login with the wrong PIN in 10 s ($n)"
ok '[ "$(grep -c "signer: PIN refused by the token" "$T/ikesignd.log")" -eq 1 ]' \
    "the refusal is logged once"
ok '[ "$(grep -c "refusing new IKE SAs: the signer PIN refused" "$T/ikesignd.log")" -eq 1 ]' \
    "refusing new SAs is logged once"
ctl show sa >"$T/sa.txt"
contains "$T/sa.txt" \
    "signer: PIN refused by the token (CKR_PIN_INCORRECT); fix pin-source and run ikesignctl reload" \
    "ikesignctl show says why"
contains "$T/sa.txt" "QM_IDLE" "the established SA needs no signer and stays up"
swan --terminate --ike v1 --timeout 5 >/dev/null 2>&1
expect_rc 1 "strongSwan is refused while the PIN is wrong" \
    swan --initiate --ike v1 --timeout 10
expect_rc 5 "ikesignctl initiate is refused while the PIN is wrong" \
    ctl initiate "$IPB"
ok '[ "$(logins)" -eq 2 ]' "the refusals make no login ($(logins))"

printf '%s\n' "$PIN" >"$T/dpin"
expect_rc 0 "ikesignctl reload after fixing the PIN" ctl reload
contains "$out" "starting the signer again" "reload says it starts the signer"
wait_for "$T/ikesignd.log" "is usable again" 10
logged "$T/ikesignd.log" "local key 'ike-a' is usable again" \
    "the key is usable after the reload"
ok '[ "$(logins)" -eq 3 ]' "exactly one more login ($(logins))"
expect_rc 0 "a handshake after the reload" ctl initiate "$IPB"
ctl show sa >"$T/sa.txt"
contains "$T/sa.txt" "signer: running" "show says the signer runs"

# a failure that is not the PIN: started again after 1, 2, 4 s
: >"$T/broken"
spid=$(signer_pid)
ok '[ -n "$spid" ] && kill -KILL "$spid"' "the signer is killed again"
wait_for "$T/ikesignd.log" "next try in 4 s" 12
logged "$T/ikesignd.log" "starting a new one in 1 s" "first start after 1 s"
logged "$T/ikesignd.log" "next try in 2 s" "then after 2 s"
logged "$T/ikesignd.log" "next try in 4 s" "then after 4 s"
n=$(grep -c "signer: cannot start" "$T/ikesignd.log")
sleep 2
m=$(grep -c "signer: cannot start" "$T/ikesignd.log")
ok '[ "$n" -eq 2 ] && [ "$m" -eq 2 ]' "no start in the 4 s wait ($n, $m)"
ctl show sa >"$T/sa.txt"
contains "$T/sa.txt" "signer: cannot start" "show says the signer cannot start"
rm -f "$T/broken"
wait_count "$T/ikesignd.log" "signer restarted" 2 6
ok '[ "$(grep -c "signer restarted" "$T/ikesignd.log")" -eq 2 ]' \
    "the signer comes back when the module works again"
ok '[ "$(logins)" -eq 4 ]' "with one login ($(logins))"

kill -0 "$IKESIGND_PID" 2>/dev/null
ok '[ $? -eq 0 ]' "ikesignd is still running"
done_testing
