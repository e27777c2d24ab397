#!/bin/sh
# t_ike_v2_peers.sh -- IKEv2 between ikesignd (key on a SoftHSM2 token) and
# two more implementations, libreswan 4.10 (pluto) and OpenIKED 7.2 (iked),
# each in both roles: IKE_SA_INIT and IKE_AUTH with RSA signatures and raw
# public keys, the peer's CHILD_SA declined, Delete both ways, UDP 500 only.
# A strongSwan charon in a third namespace checks each peer first with the
# same exchanges (tests/cli/t_ike_peers.sh), so that a failure here tells
# a broken peer set-up from a problem in ikesignd.
#
# What the peers do with a declined CHILD_SA (RFC 7296 1.2: the IKE SA
# stays): pluto keeps its IKE SA ("IKE_AUTH response rejected Child SA").
# iked 7.2 does not: on N(NO_PROPOSAL_CHOSEN) in the IKE_AUTH response it
# closes its IKE SA before it checks the responder's AUTH ("failed to
# negotiate IKE SA", ikev2.c ikev2_init_recv), with strongSwan as much as
# with ikesignd; no iked option changes that, and iked always asks for a
# CHILD_SA.  So when iked initiates, only ikesignd's side can establish;
# iked verifies ikesignd's signature when ikesignd initiates.
. "$top_srcdir/tests/cli/t_ike_peers.sh"

peers_setup

# v2conf PROFILE ENC GROUP: the peer at $IPB (pluto, later iked) with
# PROFILE, one proposal
v2conf() {
	ikesignd_conf "peer $IPB ike-version 2 profile $1" <<EOC
crypto ikev2 proposal p1
 encryption $2
 integrity sha256
 group $3
crypto ikev2 policy pol
 proposal p1
crypto ikev2 profile lsw
 match identity remote fqdn pluto.test
 identity local address $IPA
 authentication local rsa-sig
 authentication remote rsa-sig
 keyring lsw
crypto ikev2 profile iked
 match identity remote fqdn iked.test
 identity local address $IPA
 authentication local rsa-sig
 authentication remote rsa-sig
 keyring iked
EOC
}

# sa_json ROLE PEER-ID ENC GROUP: show sa --json lists exactly that SA
sa_json() {
	ctl show sa --json >"$T/sa.json" 2>"$err"
	"$PYTHON" -c 'import json, sys
a = json.load(open(sys.argv[1]))
sys.exit(not (len(a) == 1 and a[0]["version"] == 2 and
    a[0]["state"] == "READY" and a[0]["role"] == sys.argv[2] and
    a[0]["peer_id"] == sys.argv[3] and a[0]["encryption"] == sys.argv[4] and
    a[0]["group"] == int(sys.argv[5])))' "$T/sa.json" "$@"
}

count() { grep -cF -- "$2" "$1" 2>/dev/null; }

# logged_re FILE ERE DESC: a line matching ERE appears in FILE within 5 s
logged_re() {
	_i=0
	while [ $_i -lt 50 ] && ! grep -qE -- "$2" "$1" 2>/dev/null; do
		sleep 0.1; _i=$((_i + 1))
	done
	if grep -qE -- "$2" "$1"; then pass "$3"; else
		fail "$3: /$2/ not in $(basename "$1")"
	fi
}

v2conf lsw aes-cbc-256 14
ikesignd_start
ok '[ $? -eq 0 ]' "ikesignd starts with an IKEv2 profile for pluto"
selfcheck_start
ok '[ $? -eq 0 ]' "the self-check charon is up"

# --- libreswan ---------------------------------------------------------------
LSWLOG="$T/lsw/pluto.log"
pluto_start
ok '[ $? -eq 0 ]' "pluto starts (libreswan $(cat "$LSW/.ready"))"

# self-check: pluto against strongSwan, both roles
expect_rc 0 "self-check: strongSwan initiates to pluto (childless)" \
    sc --initiate --ike lsw --timeout 10
logged_re "$LSWLOG" '"selftest" #[0-9]+: responder established IKE SA' \
    "self-check: pluto establishes as responder"
logged "$LSWLOG" "IKE_AUTH request does not propose a Child SA; creating childless SA" \
    "self-check: pluto accepts a childless IKE_AUTH"
sc --terminate --ike lsw --timeout 5 >/dev/null 2>&1
expect_rc 0 "self-check: pluto initiates to strongSwan" \
    whack --name selftest --initiate
contains "$out" "initiator established IKE SA" \
    "self-check: pluto establishes as initiator"
contains "$out" "IKE_AUTH response rejected Child SA with NO_PROPOSAL_CHOSEN" \
    "self-check: pluto keeps the IKE SA when the CHILD_SA is declined"
whack --name selftest --terminate >/dev/null 2>&1

# pluto initiates, ikesignd responds and declines the CHILD_SA
words="aes-cbc-256/integ-sha256/prf-sha256/group 14"
expect_rc 0 "pluto initiates to ikesignd" whack --name ikesignd --initiate
cp "$out" "$T/whack1.out"
contains "$T/whack1.out" "initiator established IKE SA; authenticated peer" \
    "pluto established the IKE SA with ikesignd"
contains "$T/whack1.out" "authenticated peer '2048-bit PKCS#1 1.5 RSA with SHA2_256' digital signature using preloaded certificate '$IPA'" \
    "pluto verified ikesignd's token signature with its raw key"
contains "$T/whack1.out" "IKE_AUTH response rejected Child SA with NO_PROPOSAL_CHOSEN" \
    "pluto sees the CHILD_SA declined"
logged "$T/ikesignd.log" "established as responder: $words" \
    "ikesignd establishes as responder ($words)"
logged "$T/ikesignd.log" "authentication of 'pluto.test' with RSASSA-PSS with SHA-512 successful" \
    "ikesignd verified pluto's RFC 7427 RSASSA-PSS signature"
logged "$T/ikesignd.log" "CHILD_SA declined (NO_PROPOSAL_CHOSEN)" \
    "ikesignd declines pluto's CHILD_SA"
sa_json responder pluto.test aes-cbc-256 14
ok '[ $? -eq 0 ]' "show sa --json: one READY IKEv2 responder SA with pluto.test"
whack --showstates >"$T/states.txt" 2>&1
ok "grep -q '\"ikesignd\".*STATE_V2_ESTABLISHED_IKE_SA' $T/states.txt" \
    "pluto lists the IKE SA as established"
expect_rc 0 "clear sa" ctl clear sa
logged_re "$LSWLOG" '"ikesignd" #[0-9]+: deleting state \(STATE_V2_ESTABLISHED_IKE_SA\)' \
    "pluto deletes the IKE SA on ikesignd's Delete"

# ikesignd initiates (childless), pluto responds
expect_rc 0 "ikesignctl initiate $IPB (pluto)" ctl initiate "$IPB"
contains "$out" "IKEv2 SA with $IPB established" "initiate reports the result"
logged "$T/ikesignd.log" "established as initiator: $words" \
    "ikesignd establishes as initiator ($words)"
logged_re "$LSWLOG" '"ikesignd" #[0-9]+: responder established IKE SA; authenticated peer' \
    "pluto establishes as responder"
ok "[ \$(count $LSWLOG \"using preloaded certificate '$IPA'\") -ge 2 ]" \
    "pluto verified ikesignd's signature as responder"
ok "[ \$(count $LSWLOG 'creating childless SA') -ge 2 ]" \
    "pluto takes ikesignd's childless IKE_AUTH"
sa_json initiator pluto.test aes-cbc-256 14
ok '[ $? -eq 0 ]' "show sa --json: one READY IKEv2 initiator SA with pluto.test"
# now pluto deletes
whack --name ikesignd --terminate >/dev/null 2>&1
logged "$T/ikesignd.log" "deleted by the peer" "ikesignd honours pluto's Delete"
ok '! grep -q "$IPA:4500" $LSWLOG' "pluto stayed on port 500"
pluto_stop

# --- OpenIKED -------------------------------------------------------------------
IKEDLOG="$T/iked/iked.log"
v2conf iked aes-cbc-128 31
expect_rc 0 "reload for iked" ctl reload
words="aes-cbc-128/integ-sha256/prf-sha256/group 31"
# both policies active: two seconds after its start iked initiates to
# ikesignd and to the self-check charon
iked_conf active active
iked_start
ok '[ $? -eq 0 ]' "iked starts (openiked $(cat "$IKEDR/.ready"))"

# self-check: iked initiates to strongSwan, which declines the CHILD_SA
wait_for "$T/c/charon.log" "authentication of 'iked.test'" 10
wait_for "$T/ikesignd.log" "established as responder: $words" 10
logged "$T/c/charon.log" "authentication of 'iked.test' with RSA_EMSA_PKCS1_SHA2_256 successful" \
    "self-check: strongSwan verifies iked's signature"
logged "$IKEDLOG" "-> CLOSED from $IPC:500 to $IPD:500 policy 'selftest'" \
    "self-check: iked, initiator, drops its IKE SA when strongSwan declines the CHILD_SA"

# iked initiates, ikesignd responds
logged "$T/ikesignd.log" "established as responder: $words" \
    "ikesignd establishes as responder to iked ($words)"
logged "$T/ikesignd.log" "authentication of 'iked.test' with RSASSA-PKCS1-v1_5 with SHA-256 successful" \
    "ikesignd verified iked's RFC 7427 PKCS#1 v1.5 signature"
ok "[ \$(count $T/ikesignd.log 'CHILD_SA declined (NO_PROPOSAL_CHOSEN)') -ge 2 ]" \
    "ikesignd declines iked's CHILD_SA"
logged "$IKEDLOG" "recv IKE_AUTH res 1 peer $IPA:500 local $IPB:500" \
    "iked receives ikesignd's IKE_AUTH response"
logged "$IKEDLOG" "-> CLOSED from $IPA:500 to $IPB:500 policy 'ikesignd'" \
    "iked, initiator, drops its IKE SA on the declined CHILD_SA (as with strongSwan)"
# what iked did with the response before it gave up: ICV, decryption, the
# payloads (it never gets to the AUTH)
awk -v r="recv IKE_AUTH res 1 peer $IPA:500" \
    -v c="CLOSED from $IPA:500 to $IPB:500" \
    'index($0, r) { on = 1 } on { print } on && index($0, c) { exit }' \
    "$IKEDLOG" >"$T/iked_auth_res.txt"
contains "$T/iked_auth_res.txt" "ikev2_msg_decrypt: integrity check succeeded" \
    "iked checks the ICV of ikesignd's IKE_AUTH response"
ok "grep -q 'decrypted payload IDr' $T/iked_auth_res.txt &&
    grep -q 'ikev2_pld_id: id IPV4/$IPA' $T/iked_auth_res.txt &&
    grep -q 'decrypted payload AUTH' $T/iked_auth_res.txt &&
    grep -q 'type NO_PROPOSAL_CHOSEN' $T/iked_auth_res.txt" \
    "iked decrypts it: IDr $IPA, AUTH, N(NO_PROPOSAL_CHOSEN)"
ok "[ \$(count $IKEDLOG 'sa_free: no proposal chosen (IKE SA)') -eq 2 ]" \
    "iked says why, both times"
sa_json responder iked.test aes-cbc-128 31
ok '[ $? -eq 0 ]' "show sa --json: one READY IKEv2 responder SA with iked.test"
# iked forgot it: its Delete goes unanswered
expect_rc 0 "clear sa" ctl clear sa

# self-check: strongSwan initiates to iked (its own SA from above is
# stale: iked dropped it)
sc --terminate --ike iked --force --timeout 5 >/dev/null 2>&1
expect_rc 0 "self-check: strongSwan initiates to iked (no CHILD_SA)" \
    sc --initiate --ike iked --timeout 10
logged "$IKEDLOG" "policy 'selftest' as responder" \
    "self-check: iked establishes as responder"

# ikesignd initiates (childless), iked responds.  iked 7.2 answers with
# IDr CERT AUTH SA TSi TSr, the SA payload empty (4 octets, no proposal);
# ikesignd ignores the SA and TS payloads it did not ask for.
expect_rc 0 "ikesignctl initiate $IPB (iked)" ctl initiate "$IPB"
contains "$out" "IKEv2 SA with $IPB established" "initiate reports the SA"
logged "$IKEDLOG" "established peer $IPA:500[IPV4/$IPA] local $IPB:500[FQDN/iked.test] policy 'ikesignd' as responder" \
    "iked establishes as responder"
logged "$IKEDLOG" "valid public key in file pubkeys/ipv4/$IPA" \
    "iked verified ikesignd's token signature with its raw key"
wait_for "$T/ikesignd.log" "established as initiator: $words" 3
ok "grep -qF 'established as initiator: $words' $T/ikesignd.log" \
    "ikesignd establishes as initiator with iked ($words)"
ok "[ \$(count $T/ikesignd.log \"authentication of 'iked.test' with\") -eq 2 ]" \
    "ikesignd verified iked's signature as initiator"
ok "sa_json initiator iked.test aes-cbc-128 31" \
    "show sa --json: one READY IKEv2 initiator SA with iked.test"
expect_rc 0 "clear sa" ctl clear sa
wait_for "$IKEDLOG" "ikev2_ikesa_recv_delete: received delete" 3
ok "grep -qF 'ikev2_ikesa_recv_delete: received delete' $IKEDLOG" \
    "iked deletes the IKE SA on ikesignd's Delete"
ok '! grep -q "peer $IPA:4500" $IKEDLOG' "iked stayed on port 500"
ok '! grep -q "NAT is in the path" $T/ikesignd.log' "ikesignd saw no NAT"
iked_stop

kill -0 "$IKESIGND_PID" 2>/dev/null
ok '[ $? -eq 0 ]' "ikesignd is still running"
done_testing
