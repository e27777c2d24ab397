#!/bin/sh
# t_ike_mm.sh -- IKEv1 Main Mode with rsa-sig between ikesignd (key on a
# SoftHSM2 token) and strongSwan's charon, both directions, seven suites
# (MODP 2, 14, 15, 16 and ECP 19, 21; AES-128/192/256, 3DES; MD5 to SHA-512);
# Delete both ways; Quick Mode declined; DPD answered; ikesignctl rekey sa.
. "$top_srcdir/tests/cli/t_ike_env.sh"

ike_setup

policy() { # ENC HASH GROUP
	ikesignd_conf <<EOC
crypto isakmp policy 10
 encryption $1
 hash $2
 authentication rsa-sig
 group $3
EOC
}

policy "aes 128" sha256 14
ikesignd_start
ok '[ $? -eq 0 ]' "ikesignd starts with its key on the token"
charon_start

# privilege separation: only the signer child has the PKCS#11 module
ok '! grep -q libsofthsm2 /proc/$IKESIGND_PID/maps' \
    "the network process has no PKCS#11 module loaded"
signer=$(pgrep -P "$IKESIGND_PID" | head -n 1)
ok '[ -n "$signer" ] && grep -q libsofthsm2 /proc/$signer/maps' \
    "its signer child has"
expect_rc 2 "ikesignctl with a bad request" ctl show everything
expect_rc 1 "ikesignctl without a daemon" \
    "$IKESIGNCTL" -s "$T/nothere.sock" show sa
contains "$err" "cannot reach ikesignd at $T/nothere.sock" \
    "the message names the socket"

n=0
# suite: IOS words | strongSwan proposal | names ikesignd logs
for suite in "aes 128|sha256|14|AES-128/SHA256/rsa-sig/group 14" \
    "aes 256|sha|2|AES-256/SHA1/rsa-sig/group 2" \
    "3des|md5|2|3DES/MD5/rsa-sig/group 2" \
    "aes 256|sha384|19|AES-256/SHA384/rsa-sig/group 19" \
    "aes 192|sha512|21|AES-192/SHA512/rsa-sig/group 21" \
    "aes 128|sha|15|AES-128/SHA1/rsa-sig/group 15" \
    "aes 256|sha256|16|AES-256/SHA256/rsa-sig/group 16"; do
	IFS='|' read -r enc hash group words <<EOS
$suite
EOS
	policy "$enc" "$hash" "$group"
	expect_rc 0 "reload with policy $words" ctl reload

	# strongSwan initiates, ikesignd responds
	n=$((n + 1))
	expect_rc 0 "strongSwan initiates ($words)" \
	    swan --initiate --ike v1 --timeout 10
	ok "[ \$(grep -c \"authentication of '$IPA' with RSA_EMSA_PKCS1_NULL successful\" $T/b/charon.log) -eq $n ]" \
	    "strongSwan verified ikesignd's token signature ($words)"
	ok "[ \$(grep -c \"authentication of 'b.test' with RSA signature successful\" $T/ikesignd.log) -eq $n ]" \
	    "ikesignd verified strongSwan's signature ($words)"
	logged "$T/ikesignd.log" "established as responder: $words" \
	    "ikesignd log names the suite ($words)"
	ctl show sa >"$T/sa.txt"
	ok "grep -q '^$IPA  *$IPB  *QM_IDLE  *[0-9]* ACTIVE  IKEv1   ike-a' $T/sa.txt" \
	    "show sa: QM_IDLE ACTIVE as responder ($words)"
	swan --terminate --ike v1 --timeout 5 >/dev/null 2>&1
	s=$(( (n + 1) / 2 ))
	wait_count "$T/ikesignd.log" "received Delete for IKE SA" $s 5
	ok "[ \$(grep -c 'received Delete for IKE SA' $T/ikesignd.log) -eq $s ]" \
	    "ikesignd honours strongSwan's Delete ($words)"

	# ikesignd initiates, strongSwan responds
	n=$((n + 1))
	expect_rc 0 "ikesignctl initiate $IPB ($words)" ctl initiate "$IPB"
	contains "$out" "established" "initiate reports the result"
	ok "[ \$(grep -c \"authentication of '$IPA' with RSA_EMSA_PKCS1_NULL successful\" $T/b/charon.log) -eq $n ]" \
	    "strongSwan (responder) verified the token signature ($words)"
	logged "$T/ikesignd.log" "established as initiator: $words" \
	    "ikesignd established as initiator ($words)"
	ctl show sa --json >"$T/sa.json"
	ok "python3 -c 'import json,sys; a=json.load(open(\"$T/sa.json\")); \
sys.exit(not (len(a)==1 and a[0][\"state\"]==\"QM_IDLE\" and a[0][\"role\"]==\"initiator\" and a[0][\"peer_id\"]==\"b.test\" and a[0][\"key\"]==\"ike-a\" and a[0][\"lifetime_left\"]>0))'" \
	    "show sa --json: one QM_IDLE initiator SA ($words)"
	swan --list-sas >"$T/b/sas.txt" 2>&1
	contains "$T/b/sas.txt" "ESTABLISHED, IKEv1" "strongSwan lists the IKE SA"
	expect_rc 0 "clear sa" ctl clear sa
	wait_count "$T/b/charon.log" "received DELETE for IKE_SA v1" $s 5
	ok "[ \$(grep -c 'received DELETE for IKE_SA v1' $T/b/charon.log) -eq $s ]" \
	    "strongSwan received ikesignd's Delete ($words)"
done

# vendor IDs and NAT-D, both ways
logged "$T/ikesignd.log" "received vendor ID DPD" "ikesignd recognises DPD"
logged "$T/ikesignd.log" "received vendor ID NAT-T (RFC 3947)" \
    "ikesignd recognises NAT-T"
logged "$T/b/charon.log" "received DPD vendor ID" "strongSwan sees ours"
logged "$T/b/charon.log" "received NAT-T (RFC 3947) vendor ID" \
    "strongSwan sees our NAT-T"
logged "$T/ikesignd.log" "NAT-D: no NAT" "NAT-D payloads agree"
ok '! grep -q "behind NAT" $T/b/charon.log' \
    "strongSwan detects no NAT from our NAT-D"

# crypto isakmp identity hostname: ID_FQDN both ways
ikesignd_conf <<EOC
crypto isakmp policy 10
 encryption aes 128
 hash sha256
 group 14
crypto isakmp identity hostname
EOC
expect_rc 0 "reload with identity hostname" ctl reload
expect_rc 0 "strongSwan initiates to a.test" \
    swan --initiate --ike byname --timeout 10
logged "$T/b/charon.log" \
    "authentication of 'a.test' with RSA_EMSA_PKCS1_NULL successful" \
    "ikesignd authenticated as ID_FQDN a.test"
swan --terminate --ike byname --timeout 5 >/dev/null 2>&1
expect_rc 0 "ikesignd initiates as a.test" ctl initiate "$IPB"
logged "$T/b/charon.log" "selected peer config \"byname\"" \
    "strongSwan chose its config for a.test"
ctl clear sa >/dev/null

# retransmission: the peer comes up while ikesignd repeats message 1
charon_stop
policy "aes 128" sha256 14
ctl reload >/dev/null
ctl initiate "$IPB" >"$T/init.out" 2>&1 &
initpid=$!
sleep 1.5
charon_start
wait $initpid
ok '[ $? -eq 0 ]' "initiate succeeds once the peer answers"
logged "$T/ikesignd.log" "retransmitting to $IPB" \
    "ikesignd retransmitted message 1"

# INITIAL-CONTACT: the peer crashed, restarts and connects again
charon_stop KILL
charon_start
ctl show sa >"$T/sa.txt"
old=$(sed -n 's/.* \([0-9][0-9]*\) ACTIVE .*/\1/p' "$T/sa.txt" | head -n 1)
expect_rc 0 "the restarted peer initiates" swan --initiate --ike v1 --timeout 10
logged "$T/ikesignd.log" "INITIAL-CONTACT: dropping older IKE SA conn-id $old" \
    "ikesignd drops the SA the peer forgot"
ctl show sa >"$T/sa.txt"
ok '[ $(grep -c QM_IDLE $T/sa.txt) -eq 1 ]' "one SA is left"
swan --terminate --ike v1 --timeout 5 >/dev/null 2>&1

# Quick Mode: the IKE SA comes up, the CHILD_SA is declined
policy "aes 128" sha256 14
ctl reload >/dev/null
swan --initiate --child c1 --timeout 10 >"$T/qm.out" 2>&1
ok '[ $? -ne 0 ]' "strongSwan's Quick Mode does not succeed"
logged "$T/ikesignd.log" "Quick Mode declined with NO-PROPOSAL-CHOSEN" \
    "ikesignd declines Quick Mode"
wait_for "$T/b/charon.log" "NO_PROPOSAL_CHOSEN" 5
logged "$T/b/charon.log" "received NO_PROPOSAL_CHOSEN error notify" \
    "strongSwan receives NO-PROPOSAL-CHOSEN"
ctl show sa >"$T/sa.txt"
contains "$T/sa.txt" "QM_IDLE" "the IKE SA stays up after the declined Quick Mode"

# DPD: strongSwan (dpd_delay 2s) asks, ikesignd answers
sleep 3
ok 'grep -q "R-U-THERE" $T/ikesignd.log' "ikesignd answers strongSwan's R-U-THERE"
ctl show sa >"$T/sa.txt"
contains "$T/sa.txt" "QM_IDLE" "the IKE SA survives DPD"
swan --terminate --ike v1 --timeout 5 >/dev/null 2>&1

# ikesignctl rekey sa: a new Main Mode with the peer, the old SA kept
# until it expires; with the peer gone from the configuration the rekey is
# declined, and the log says why
expect_rc 0 "ikesignd initiates (rekey checks)" ctl initiate "$IPB"
old=$(sed -n 's/.*conn-id \([0-9][0-9]*\).*/\1/p' "$out" | head -n 1)
expect_rc 0 "ikesignctl rekey sa (IKEv1)" ctl rekey sa "$IPB"
contains "$out" "rekeying 1 IKE SA" "ikesignctl says one SA is rekeyed"
logged "$T/ikesignd.log" "rekeying IKE SA conn-id $old" \
    "ikesignd logs the rekey of conn-id $old"
two_idle() {
	ctl show sa >"$T/sa.txt"
	[ "$(grep -c QM_IDLE "$T/sa.txt")" -eq 2 ]
}
eventually two_idle 10
ok '[ $? -eq 0 ]' "a second IKE SA is established beside the old one"
ikesignd_v1_conf rsa-sig "# no peer line"
expect_rc 0 "reload without the peer" ctl reload
ctl rekey sa "$IPB" >/dev/null 2>&1
logged "$T/ikesignd.log" \
    "conn-id $old is not rekeyed: the peer is no longer configured" \
    "without its peer line, the rekey is declined and logged"
ctl clear sa >/dev/null
swan --terminate --ike v1 --timeout 5 >/dev/null 2>&1

kill -0 "$IKESIGND_PID" 2>/dev/null
ok '[ $? -eq 0 ]' "ikesignd is still running"
done_testing
