#!/bin/sh
# t_ike_rekey.sh -- an IKE SA that ikesignd initiated with a 60 s lifetime
# is re-negotiated at nine tenths of it, and the old one is deleted when
# its lifetime ends; strongSwan follows both.  About 70 seconds.
. "$top_srcdir/tests/cli/t_ike_env.sh"

ike_setup
ikesignd_conf <<EOC
crypto isakmp policy 10
 encryption aes 128
 hash sha256
 authentication rsa-sig
 group 14
 lifetime 60
EOC
ikesignd_start
ok '[ $? -eq 0 ]' "ikesignd starts"
charon_start

expect_rc 0 "ikesignd initiates with a 60 s lifetime" ctl initiate "$IPB"
contains "$out" "conn-id 1001" "the first SA is conn-id 1001"
wait_for "$T/ikesignd.log" "rekeying IKE SA conn-id 1001" 60
logged "$T/ikesignd.log" "rekeying IKE SA conn-id 1001" \
    "ikesignd re-negotiates at nine tenths of the lifetime"
wait_for "$T/ikesignd.log" "conn-id 1002 established as initiator" 10
logged "$T/ikesignd.log" "conn-id 1002 established as initiator" \
    "the new SA is established"
ok '! grep -q "destroying duplicate IKE_SA" $T/b/charon.log' \
    "no INITIAL-CONTACT on a rekey: strongSwan keeps the old SA meanwhile"
wait_for "$T/ikesignd.log" "conn-id 1001 lifetime expired" 10
logged "$T/ikesignd.log" "sent Delete for IKE SA conn-id 1001" \
    "the old SA is deleted when its lifetime ends"
wait_for "$T/b/charon.log" "received DELETE for IKE_SA" 3
logged "$T/b/charon.log" "received DELETE for IKE_SA" \
    "strongSwan receives that Delete"
ctl show sa >"$T/sa.txt"
ok '! grep -q " 1001 " $T/sa.txt && grep -q " 1002 ACTIVE" $T/sa.txt' \
    "show sa lists only the new SA"
# charon logs the Delete before it drops the SA
one_swan_sa() {
	swan --list-sas >"$T/sas.txt" 2>&1
	[ "$(grep -c "ESTABLISHED, IKEv1" "$T/sas.txt")" -eq 1 ]
}
eventually one_swan_sa 5
ok one_swan_sa "strongSwan has one IKE SA left"

kill -0 "$IKESIGND_PID" 2>/dev/null
ok '[ $? -eq 0 ]' "ikesignd is still running"
done_testing
