#!/bin/sh
# t_ike_psk_peers.sh -- pre-shared keys kept on the token (cryptokeyring
# add-psk) against libreswan 4.10 (pluto) and OpenIKED 7.2 (iked), unpacked
# as for t_ike_v2_peers.sh (tests/cli/t_ike_peers.sh):
#
#   pluto   IKEv1 Main Mode (authby=secret, ikev2=no) and IKEv2 (authby=
#           secret), each in both roles; pluto's key is in its secrets file
#   iked    IKEv2 (psk "..." in the policy), both roles
#
# ikesignd finds the key in its keyring by the peer's address, the longest
# mask: the keyring holds the right key for the peer's /32 and wrong ones
# for its /24 and for 10.0.0.0/8, so a handshake succeeds only with the
# host entry.  pluto's Quick Mode after IKEv1 Main Mode and the CHILD_SAs of
# IKEv2 are declined by ikesignd (it makes no IPsec SAs).  iked 7.2 closes
# its own IKE SA when its CHILD_SA is declined, before it looks at the
# responder's AUTH (see t_ike_v2_peers.sh): when iked initiates only
# ikesignd's side establishes; iked checks ikesignd's AUTH when ikesignd
# initiates.
. "$top_srcdir/tests/cli/t_ike_peers.sh"

peers_setup
LSWLOG="$T/lsw/pluto.log"
IKEDLOG="$T/iked/iked.log"

# a long random PSK (hex, as t_ike_psk.sh), and two wrong ones for the
# shorter masks
for _f in psk psk24 psk8; do
	"$PYTHON" -c 'import secrets; print(secrets.token_hex(32))' \
	    >"$T/$_f"
done
chmod 600 "$T/psk" "$T/psk24" "$T/psk8"
PSK=$(cat "$T/psk")
{ "$CKR" create psk &&
"$CKR" add-psk psk --address 10.0.0.0/8 --passphrase-source "file:$T/psk8" &&
"$CKR" add-psk psk --address "${IPB%.*}.0/24" \
    --passphrase-source "file:$T/psk24" &&
"$CKR" add-psk psk --address "$IPB" --passphrase-source "file:$T/psk"; } \
    >/dev/null 2>&1 ||
    { echo "Bail out! cannot store the PSKs on the token"; exit 1; }

# pluto: conn "v1" (IKEv1 Main Mode) and conn "v2" (IKEv2), both with the
# PSK; the IKEv1 identities are the addresses, pluto's IKEv2 one its FQDN
cat >"$T/lsw/ipsec.conf" <<EOC
config setup
	uniqueids=no
	ikev1-policy=accept
	dumpdir=$T/lsw/run

conn common
	authby=secret
	left=$IPB
	right=$IPA
	rightid=$IPA
	type=tunnel
	encapsulation=no
	fragmentation=no
	rekey=no
	retransmit-timeout=10s
	retransmit-interval=500

conn v1
	also=common
	auto=add
	ikev2=no
	leftid=$IPB
	ike=aes128-sha2_256;modp2048
	esp=aes128-sha2_256

conn v2
	also=common
	auto=add
	ikev2=yes
	mobike=no
	leftid=@pluto.test
	ike=aes256-sha2_256;modp2048
	esp=aes256-sha2_256
EOC
cat >"$T/lsw/ipsec.secrets" <<EOC
$IPB $IPA : PSK "$PSK"
@pluto.test $IPA : PSK "$PSK"
EOC

# iked: policy "ikesignd" with the PSK, active (iked initiates 2 s after
# its start)
cat >"$T/iked/iked.conf" <<EOC
set nomobike
set nofragmentation
set novendorid
ikev2 "ikesignd" active esp from $IPB to $IPA local $IPB peer $IPA \\
	ikesa enc aes-128 prf hmac-sha2-256 auth hmac-sha2-256 \\
	group curve25519 \\
	childsa enc aes-128 auth hmac-sha2-256 \\
	srcid iked.test dstid $IPA psk "$PSK"
EOC

# ikesignd: IKEv1 with a pre-share policy, or IKEv2 with profile PROFILE
# (pre-share both ways, keyring psk) and one proposal ENC GROUP
v1conf() {
	ikesignd_v1_conf "pre-share" "peer $IPB ike-version 1 keyring psk"
}
v2conf() { # PROFILE ENC GROUP
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
 authentication local pre-share
 authentication remote pre-share
 keyring psk
crypto ikev2 profile iked
 match identity remote fqdn iked.test
 identity local address $IPA
 authentication local pre-share
 authentication remote pre-share
 keyring psk
EOC
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
# sa_ok VERSION ROLE PEER-ID: show sa --json lists exactly one such SA,
# established, with a pre-shared key
sa_ok() {
	ctl show sa --json >"$T/sa.json" 2>"$err"
	"$PYTHON" -c 'import json, sys
a = json.load(open(sys.argv[1]))
sys.exit(not (len(a) == 1 and a[0]["version"] == int(sys.argv[2]) and
    a[0]["state"] in ("QM_IDLE", "READY") and a[0]["role"] == sys.argv[3] and
    a[0]["peer_id"] == sys.argv[4] and a[0]["auth"] == "pre-shared key"))' \
	    "$T/sa.json" "$@"
}
authok() { # PEER-ID: ikesignd's lines for the peer's PSK AUTH
	count "$T/ikesignd.log" \
	    "authentication of '$1' with pre-shared key successful"
}

v1conf
ikesignd_start
ok '[ $? -eq 0 ]' "ikesignd starts with an IKEv1 pre-share policy"

# --- libreswan, IKEv1 Main Mode ---------------------------------------------
pluto_start
ok '[ $? -eq 0 ]' "pluto starts (libreswan $(cat "$LSW/.ready"))"
words="AES-128/SHA256/pre-share/group 14"
v1est='"v1" #[0-9]+: IKE SA established \{auth=PRESHARED_KEY cipher=AES_CBC_128 integ=HMAC_SHA2_256 group=MODP2048\}'

# pluto initiates; it goes on to Quick Mode, which ikesignd declines
whack --name v1 --initiate --asynchronous >/dev/null 2>&1
logged "$T/ikesignd.log" "established as responder: $words" \
    "IKEv1: ikesignd establishes as responder to pluto ($words)"
ok '[ "$(authok "$IPB")" -eq 1 ]' \
    "IKEv1: ikesignd checked pluto's HASH_I with the token's PSK"
logged_re "$LSWLOG" "$v1est" \
    "IKEv1: pluto, initiator, establishes the ISAKMP SA (took ikesignd's HASH_R)"
logged "$T/ikesignd.log" "Quick Mode declined with NO-PROPOSAL-CHOSEN" \
    "IKEv1: ikesignd declines pluto's Quick Mode"
ok 'sa_ok 1 responder "$IPB"' \
    "IKEv1: show sa --json: one responder SA with $IPB, pre-shared key"
expect_rc 0 "clear sa" ctl clear sa
whack --name v1 --terminate >/dev/null 2>&1

# ikesignd initiates (Main Mode only), pluto responds
expect_rc 0 "IKEv1: ikesignctl initiate $IPB (pluto)" ctl initiate "$IPB"
logged "$T/ikesignd.log" "established as initiator: $words" \
    "IKEv1: ikesignd establishes as initiator with pluto ($words)"
ok '[ "$(authok "$IPB")" -eq 2 ]' \
    "IKEv1: ikesignd checked pluto's HASH_R with the token's PSK"
wait_count "$LSWLOG" "IKE SA established {auth=PRESHARED_KEY" 2 5
ok '[ "$(grep -cE "$v1est" "$LSWLOG")" -eq 2 ]' \
    "IKEv1: pluto, responder, establishes the ISAKMP SA (took ikesignd's HASH_I)"
ok 'sa_ok 1 initiator "$IPB"' \
    "IKEv1: show sa --json: one initiator SA with $IPB, pre-shared key"
expect_rc 0 "clear sa" ctl clear sa
whack --name v1 --terminate >/dev/null 2>&1

# --- libreswan, IKEv2 ------------------------------------------------------------
v2conf lsw aes-cbc-256 14
expect_rc 0 "reload for IKEv2 pre-share with pluto" ctl reload
words="aes-cbc-256/integ-sha256/prf-sha256/group 14"

expect_rc 0 "IKEv2: pluto initiates to ikesignd" whack --name v2 --initiate
cp "$out" "$T/whack2.out"
contains "$T/whack2.out" "initiator established IKE SA" \
    "IKEv2: pluto establishes as initiator"
contains "$T/whack2.out" "authenticated peer using authby=secret" \
    "IKEv2: pluto checked ikesignd's PSK AUTH"
logged "$T/ikesignd.log" "established as responder: $words" \
    "IKEv2: ikesignd establishes as responder to pluto ($words)"
ok '[ "$(authok pluto.test)" -eq 1 ]' \
    "IKEv2: ikesignd checked pluto's AUTH with the token's PSK"
ok 'sa_ok 2 responder pluto.test' \
    "IKEv2: show sa --json: one responder SA with pluto.test, pre-shared key"
expect_rc 0 "clear sa" ctl clear sa
logged_re "$LSWLOG" '"v2" #[0-9]+: deleting state \(STATE_V2_ESTABLISHED_IKE_SA\)' \
    "IKEv2: pluto deletes the IKE SA on ikesignd's Delete"

expect_rc 0 "IKEv2: ikesignctl initiate $IPB (pluto)" ctl initiate "$IPB"
contains "$out" "IKEv2 SA with $IPB established" "initiate reports the SA"
logged "$T/ikesignd.log" "established as initiator: $words" \
    "IKEv2: ikesignd establishes as initiator with pluto ($words)"
ok '[ "$(authok pluto.test)" -eq 2 ]' \
    "IKEv2: ikesignd checked pluto's AUTH as initiator"
logged_re "$LSWLOG" '"v2" #[0-9]+: responder established IKE SA; authenticated peer using authby=secret' \
    "IKEv2: pluto, responder, establishes with ikesignd's PSK AUTH"
ok 'sa_ok 2 initiator pluto.test' \
    "IKEv2: show sa --json: one initiator SA with pluto.test, pre-shared key"
whack --name v2 --terminate >/dev/null 2>&1
logged "$T/ikesignd.log" "deleted by the peer" "ikesignd honours pluto's Delete"
pluto_stop

# --- OpenIKED, IKEv2 -------------------------------------------------------------
v2conf iked aes-cbc-128 31
expect_rc 0 "reload for IKEv2 pre-share with iked" ctl reload
words="aes-cbc-128/integ-sha256/prf-sha256/group 31"
iked_start
ok '[ $? -eq 0 ]' "iked starts (openiked $(cat "$IKEDR/.ready"))"

# iked initiates two seconds after its start
wait_for "$T/ikesignd.log" "established as responder: $words" 10
logged "$T/ikesignd.log" "established as responder: $words" \
    "iked: ikesignd establishes as responder ($words)"
ok '[ "$(authok iked.test)" -eq 1 ]' \
    "iked: ikesignd checked iked's AUTH with the token's PSK"
logged "$IKEDLOG" "recv IKE_AUTH res 1 peer $IPA:500 local $IPB:500" \
    "iked receives ikesignd's IKE_AUTH response"
logged "$IKEDLOG" "-> CLOSED from $IPA:500 to $IPB:500 policy 'ikesignd'" \
    "iked, initiator, drops its IKE SA on the declined CHILD_SA (iked 7.2)"
ok 'sa_ok 2 responder iked.test' \
    "iked: show sa --json: one responder SA with iked.test, pre-shared key"
expect_rc 0 "clear sa" ctl clear sa

expect_rc 0 "iked: ikesignctl initiate $IPB (iked)" ctl initiate "$IPB"
contains "$out" "IKEv2 SA with $IPB established" "initiate reports the SA"
logged "$IKEDLOG" "established peer $IPA:500[IPV4/$IPA] local $IPB:500[FQDN/iked.test] policy 'ikesignd' as responder" \
    "iked, responder, establishes with ikesignd's PSK AUTH"
ok "grep -qF 'ikev2_msg_authverify: method SHARED_KEY_MIC' $IKEDLOG &&
    grep -qF 'ikev2_msg_authverify: authentication successful' $IKEDLOG" \
    "iked verified ikesignd's AUTH as a shared key MIC"
logged "$T/ikesignd.log" "established as initiator: $words" \
    "iked: ikesignd establishes as initiator ($words)"
ok '[ "$(authok iked.test)" -eq 2 ]' \
    "iked: ikesignd checked iked's AUTH as initiator"
ok 'sa_ok 2 initiator iked.test' \
    "iked: show sa --json: one initiator SA with iked.test, pre-shared key"
expect_rc 0 "clear sa" ctl clear sa
wait_for "$IKEDLOG" "ikev2_ikesa_recv_delete: received delete" 3
ok "grep -qF 'ikev2_ikesa_recv_delete: received delete' $IKEDLOG" \
    "iked deletes the IKE SA on ikesignd's Delete"
iked_stop

ok '! grep -q "does not match\|no pre-shared key for" $T/ikesignd.log' \
    "no key mismatch anywhere: the /32 entry was used, not the /24 or /8"
ok '! grep -qF "$PSK" $T/ikesignd.log' "ikesignd's log holds no PSK"
kill -0 "$IKESIGND_PID" 2>/dev/null
ok '[ $? -eq 0 ]' "ikesignd is still running"
done_testing
