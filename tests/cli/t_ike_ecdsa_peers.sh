#!/bin/sh
# t_ike_ecdsa_peers.sh -- ECDSA authentication against libreswan 4.10
# (pluto, unpacked as for t_ike_v2_peers.sh): IKEv2 with authby=ecdsa, in
# both roles, ikesignd's P-256 key on the token given to pluto as a raw
# rightecdsakey, pluto's P-256 key (made in its NSS database) in
# ikesignd's keyring.  libreswan signs ECDSA as RFC 7427 digital
# signatures; ikesignd answers in kind when pluto lists the hash.
. "$top_srcdir/tests/cli/t_ike_peers.sh"

peers_setup
LSWLOG="$T/lsw/pluto.log"
D="$T/lsw"

# ikesignd's EC key, and the raw point libreswan takes (x || y, no 0x04)
"$CK" generate ec --label ike-ec --keysize 256 --quiet >/dev/null 2>&1 &&
"$CK" export ec --label ike-ec --public --out "$T/a-ec.pub" >/dev/null 2>&1 ||
    { echo "Bail out! cannot make ikesignd's EC key"; exit 1; }
A_EC=$(openssl pkey -pubin -in "$T/a-ec.pub" -outform DER 2>/dev/null |
    "$PYTHON" -c 'import sys, base64; d = sys.stdin.buffer.read(); \
print("0s" + base64.b64encode(d[-64:]).decode())')
[ ${#A_EC} -gt 10 ] || { echo "Bail out! cannot read the EC point"; exit 1; }

# pluto's EC key in its NSS database, and its public key for the keyring
certutil -G -d "sql:$D/nss" -k ec -q nistp256 -z "$T/a-ec.pub" \
    >/dev/null 2>&1 || { echo "Bail out! certutil -G -k ec"; exit 1; }
ckaid=$("$LSWX/showhostkey" --nssdir "$D/nss" --list 2>/dev/null |
    sed -n 's/.*ECDSA.*ckaid: \([0-9a-f]*\).*/\1/p' | head -n 1)
L_EC=$("$LSWX/showhostkey" --nssdir "$D/nss" --left --ckaid "$ckaid" \
    2>/dev/null | sed -n 's/.*leftecdsakey=//p')
"$LSWX/showhostkey" --nssdir "$D/nss" --pem --ckaid "$ckaid" \
    >"$T/l-ec.pub" 2>/dev/null
[ -n "$L_EC" ] && [ -s "$T/l-ec.pub" ] ||
    { echo "Bail out! libreswan showhostkey for its EC key"; exit 1; }
{ "$CKR" create lswec &&
"$CKR" add-pubkey lswec --hostname pluto.test --in "$T/l-ec.pub"; } \
    >/dev/null 2>&1 || { echo "Bail out! cannot fill keyring lswec"; exit 1; }

cat >"$D/ipsec.conf" <<EOC
config setup
	uniqueids=no
	ikev1-policy=drop
	dumpdir=$D/run

conn ikesignd
	ikev2=yes
	authby=ecdsa
	left=$IPB
	leftid=@pluto.test
	leftecdsakey=$L_EC
	right=$IPA
	rightid=$IPA
	rightecdsakey=$A_EC
	ike=aes256-sha2_256;modp2048
	esp=aes256-sha2_256
	type=tunnel
	encapsulation=no
	mobike=no
	fragmentation=no
	rekey=no
	auto=add
	retransmit-timeout=10s
	retransmit-interval=500
EOC

IKE_KEY=ike-ec
ikesignd_conf "peer $IPB ike-version 2 profile lsw" <<EOC
crypto ikev2 proposal p1
 encryption aes-cbc-256
 integrity sha256
 group 14
crypto ikev2 policy pol
 proposal p1
crypto ikev2 profile lsw
 match identity remote fqdn pluto.test
 identity local address $IPA
 authentication local ecdsa-sig
 authentication remote ecdsa-sig
 keyring lswec
EOC
ikesignd_start
ok '[ $? -eq 0 ]' "ikesignd starts with its P-256 key and an ecdsa-sig profile"
pluto_start
ok '[ $? -eq 0 ]' "pluto starts with authby=ecdsa (libreswan $(cat "$LSW/.ready"))"

expect_rc 0 "pluto initiates to ikesignd with ECDSA" \
    whack --name ikesignd --initiate
cp "$out" "$T/whack1.out"
contains "$T/whack1.out" "initiator established IKE SA; authenticated peer" \
    "pluto established the IKE SA"
contains "$T/whack1.out" "P-256 ECDSA with SHA2_256" \
    "pluto verified ikesignd's ECDSA signature made on the token"
# pluto signs P-256 ECDSA over SHA-512 as initiator (RFC 7427 lets it)
logged "$T/ikesignd.log" "authentication of 'pluto.test' with ECDSA with SHA-512 successful (key from keyring 'lswec')" \
    "ikesignd verified pluto's ECDSA signature with the keyring's key"
expect_rc 0 "clear sa" ctl clear sa
expect_rc 0 "ikesignd initiates to pluto with ECDSA" ctl initiate "$IPB"
contains "$out" "IKEv2 SA with $IPB established" "initiate reports the SA"
ok "grep -q 'responder established IKE SA; authenticated peer .P-256 ECDSA with SHA2_256' $LSWLOG" \
    "pluto, as responder, verified ikesignd's ECDSA signature"
logged "$T/ikesignd.log" "authentication of 'pluto.test' with ECDSA with SHA-256 successful (key from keyring 'lswec')" \
    "and ikesignd pluto's, over SHA-256 this time"
expect_rc 0 "clear sa" ctl clear sa
pluto_stop
kill -0 "$IKESIGND_PID" 2>/dev/null
ok '[ $? -eq 0 ]' "ikesignd is still running"
done_testing
