#!/bin/sh
# t_ike_async.sh -- signatures do not stop ikesignd: the signer signs
# with "signer-workers" threads, each on a session of its own, beside its
# main thread, which answers the other requests; and the
# network process goes on with other work while one is made.  The token
# is SoftHSM2 behind tests/faultmod, whose C_Sign takes 800 ms more and
# logs "begin" and "end": while ikesignd's signature for message 6 is
# being made, ikesignctl is answered and strongSwan's retransmissions are
# dropped, and the handshake then completes (and the same with ikesignd
# initiating); two handshakes at once get
# their signatures made at the same time by two workers; a reload to one
# worker while a signature is being made lets that signature finish, then
# starts a signer with one signing thread; out-of-range values are
# refused.  A token that is slow to search and read (the fault module
# holds C_FindObjectsInit and C_GetAttributeValue while a file exists)
# stops neither: while the signer waits to read the initiator's key,
# ikesignctl is answered, and the handshake completes once the token
# answers; an SA cleared meanwhile leaves the late answer nobody to go
# to; a key check left unanswered for 15 s makes the key unusable until
# the token answers again.  (As initiator, the token's signature for message 5 is held
# first, at its key's periodic check, so the key's turn cannot be
# isolated this way; t_ike_mm covers that path.)
. "$top_srcdir/tests/cli/t_ike_env.sh"

[ -f "$FAULTMOD" ] || skip_all "fault module not built"
ike_setup
export CRYPTOKEY_FAULT_TARGET="$SOFTHSM_MODULE"
export CRYPTOKEY_FAULT_SIGN_DELAY_MS=800
export CRYPTOKEY_FAULT_SIGN_LOG="$T/signs"
export CRYPTOKEY_FAULT_HOLD="$T/hold"

# the configuration: the policy, through the fault module, with N workers
conf() { # N
	ikesignd_v1_conf
	sed -i "s|^module .*|module $FAULTMOD|" "$T/ikesignd.conf"
	echo "signer-workers $1" >>"$T/ikesignd.conf"
}
# the pid of the running signer, from its last "signer running" line
signer_pid() {
	sed -n 's/.*signer running (pid \([0-9]*\)).*/\1/p' \
	    "$T/ikesignd.log" | tail -n 1
}
threads() { ls "/proc/$1/task" | wc -l; }
shows_2() { ctl show sa | grep -q '^signer: running, 2 workers$'; }
shows_1() { ctl show sa | grep -q '^signer: running, 1 worker$'; }
signing() { grep -q begin "$T/signs" 2>/dev/null; }

# values out of range
for n in 0 17 many; do
	conf "$n"
	expect_rc 7 "signer-workers $n is refused" \
	    "$IKESIGND" -n -f "$T/ikesignd.conf"
done
contains "$err" "signer-workers takes 1 to 16" "and the message says the range"

conf 2
ikesignd_start
ok '[ $? -eq 0 ]' "ikesignd starts with signer-workers 2"
charon_start
eventually shows_2 5
ok '[ $? -eq 0 ]' "show: the signer runs with 2 workers"
s=$(signer_pid)
ok '[ -n "$s" ] && [ "$(threads "$s")" -eq 3 ]' \
    "the signer (pid $s) has 3 threads: 2 workers and its main thread"

# CMD... in the background; once the token has begun its signature,
# ikesignctl show sa into $T/mid.txt; DESC: it was answered before the
# signature ended.  The background job's pid in $bg.
show_while_signing() { # DESC CMD...
	_d=$1
	shift
	: >"$T/signs"
	"$@" >"$T/bg.out" 2>&1 &
	bg=$!
	eventually signing 10
	ctl show sa >"$T/mid.txt" 2>&1
	_rc=$?
	cp "$T/signs" "$T/signs.mid"
	ok '[ $_rc -eq 0 ] && ! grep -q end "$T/signs.mid"' "$_d"
}

# one handshake: the network process answers while the token signs
show_while_signing \
    "ikesignctl show sa is answered while the token makes the signature" \
    swan --initiate --ike v1 --timeout 10
contains "$T/mid.txt" "$IPB" "and lists the negotiation waiting for it"
contains "$T/mid.txt" "signatures: 1 being made, 0 waiting" \
    "and the signature being made"
wait "$bg"
ok '[ $? -eq 0 ]' "the handshake completes once the signature is made"
logged "$T/ikesignd.log" "waiting for the token's signature; datagram dropped" \
    "strongSwan's retransmission meanwhile was dropped"
logged "$T/ikesignd.log" "established as responder" "ikesignd established it"
swan --terminate --ike v1 --timeout 5 >/dev/null 2>&1

# ikesignd initiating: the same while it signs its message 5
show_while_signing \
    "as initiator too, show is answered while the token signs message 5" \
    ctl initiate "$IPB"
wait "$bg"
ok '[ $? -eq 0 ]' "and ikesignctl initiate then completes"
ctl clear sa "$IPB" >/dev/null 2>&1

# two handshakes at once: two workers sign at the same time
: >"$T/signs"
swan --initiate --ike v1 --timeout 10 >"$T/i1.out" 2>&1 &
bg1=$!
swan --initiate --ike short --timeout 10 >"$T/i2.out" 2>&1 &
bg2=$!
wait "$bg1"
rc1=$?
wait "$bg2"
rc2=$?
ok '[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ]' "two handshakes at once both complete"
ok '[ "$(sed -n 2p "$T/signs" | cut -d" " -f1)" = begin ]' \
    "the second signature began before the first ended"
ok '[ "$(cut -d" " -f2 "$T/signs" | sort -u | wc -l)" -eq 2 ]' \
    "made by two threads"
swan --terminate --ike v1 --timeout 5 >/dev/null 2>&1
swan --terminate --ike short --timeout 5 >/dev/null 2>&1

# a reload to one worker while the token signs: the old signer finishes
# the signature asked of it, then a signer with one worker takes over
old=$s
conf 1
: >"$T/signs"
swan --initiate --ike v1 --timeout 10 >"$T/bg.out" 2>&1 &
bg=$!
eventually signing 10
expect_rc 0 "reload with signer-workers 1 while the token signs" ctl reload
wait "$bg"
ok '[ $? -eq 0 ]' "the handshake whose signature was being made completes"
ok '[ "$(grep -c end "$T/signs")" -eq 1 ]' "with that one signature"
# (the old signer's answer is either taken before the new signer is handed
# over, or waited for by the handover: both keep the handshake; the log
# says which)
swan --terminate --ike v1 --timeout 5 >/dev/null 2>&1
eventually shows_1 10
ok '[ $? -eq 0 ]' "show: the signer runs with 1 worker"
s=$(signer_pid)
ok '[ -n "$s" ] && [ "$s" != "$old" ] && [ "$(threads "$s")" -eq 2 ]' \
    "a new signer (pid $s) with 2 threads: 1 worker and its main thread"
expect_rc 0 "a handshake with it" swan --initiate --ike v1 --timeout 10
swan --terminate --ike v1 --timeout 5 >/dev/null 2>&1

# the initiator's key from a token that holds its searches and reads
show_while_held "responder" "the peer's key asked of the signer" \
    swan --initiate --ike v1 --timeout 10
contains "$T/run.log" "established as responder" \
    "responder: ikesignd established it with the key it waited for"
swan --terminate --ike v1 --timeout 5 >/dev/null 2>&1

# an SA cleared while its key is asked for: the answer that comes later
# is dropped by its ID, and the next handshake works
_asked="the peer's key asked of the signer"
_from=$(( $(wc -l <"$T/ikesignd.log") + 1 ))
touch "$T/hold"
swan --initiate --ike v1 --timeout 10 >"$T/bg.out" 2>&1 &
bg=$!
eventually asked_since 10
expect_rc 0 "an SA whose key is being asked for is cleared" \
    ctl clear sa "$IPB"
rm -f "$T/hold"
wait "$bg"
logged "$T/ikesignd.log" "for no waiting SA dropped" \
    "the key that came after is dropped"
ok 'kill -0 "$IKESIGND_PID"' "ikesignd is still running"
expect_rc 0 "a handshake after it" swan --initiate --ike v1 --timeout 10
swan --terminate --ike v1 --timeout 5 >/dev/null 2>&1

# the key check (every 2 s) that the token leaves unanswered for 15 s
# counts as failed, as one waited for did: the key is unusable until a
# check is answered again
_from=$(( $(wc -l <"$T/ikesignd.log") + 1 ))
touch "$T/hold"
wait_for "$T/ikesignd.log" "did not answer the key check in 15 s" 25
since
contains "$T/run.log" "is unusable (the signer did not answer the key check in 15 s)" \
    "a key check unanswered for 15 s makes the local key unusable"
expect_rc 0 "ikesignctl is answered while the check is held" \
    timeout 2 "$IKESIGNCTL" -s "$T/ctl.sock" show sa
rm -f "$T/hold"
wait_for "$T/ikesignd.log" "is usable again" 10
since
contains "$T/run.log" "is usable again" \
    "the key is usable again once the token answers a check"
ok 'kill -0 "$IKESIGND_PID"' "ikesignd is still running"
expect_rc 0 "a handshake after it" swan --initiate --ike v1 --timeout 10
swan --terminate --ike v1 --timeout 5 >/dev/null 2>&1

done_testing
