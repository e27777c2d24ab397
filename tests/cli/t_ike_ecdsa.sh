#!/bin/sh
# t_ike_ecdsa.sh -- ECDSA and Ed25519 authentication with keys on the
# token, with strongSwan in both roles: IKEv1 (RFC 4754 methods 9, 10, 11)
# and IKEv2 (RFC 7427 method 14 with ecdsa-with-SHA256 on P-256, method 10
# on P-384 when the peer does not announce SIGNATURE_HASH_ALGORITHMS,
# ecdsa-with-SHA512 on P-521, Ed25519 per RFC 8420); a peer whose ECDSA
# key is not the keyring's is refused.  ikesignd switches keys by reload,
# and refuses a reload to a key the token does not have.
. "$top_srcdir/tests/cli/t_ike_env.sh"

ike_setup
for c in 256 384 521 ed; do
	case $c in
	ed)	gen="--curve ed25519"; pgen="--type ed25519" ;;
	*)	gen="--keysize $c"; pgen="--type ecdsa --size $c" ;;
	esac
	"$CK" generate ec --label "ike-ec$c" $gen --quiet >/dev/null 2>&1 &&
	"$CK" export ec --label "ike-ec$c" --public --out "$T/a-ec$c.pub" \
	    >/dev/null 2>&1 &&
	pki --gen $pgen --outform pem >"$T/b-ec$c.key" 2>/dev/null &&
	pki --pub --in "$T/b-ec$c.key" --outform pem >"$T/b-ec$c.pub" \
	    2>/dev/null &&
	pki --gen $pgen --outform pem >"$T/w-ec$c.key" 2>/dev/null &&
	pki --pub --in "$T/w-ec$c.key" --outform pem >"$T/w-ec$c.pub" \
	    2>/dev/null &&
	"$CKR" create "ec$c" >/dev/null 2>&1 &&
	"$CKR" add-pubkey "ec$c" --address "$IPB" --in "$T/b-ec$c.pub" \
	    >/dev/null 2>&1 &&
	"$CKR" add-pubkey "ec$c" --hostname b.test --in "$T/b-ec$c.pub" \
	    >/dev/null 2>&1 &&
	"$CKR" create "wrong$c" >/dev/null 2>&1 &&
	"$CKR" add-pubkey "wrong$c" --hostname b.test --in "$T/w-ec$c.pub" \
	    >/dev/null 2>&1 ||
	    { echo "Bail out! cannot make the P-$c keys"; exit 1; }
done
"$CK" show ec --json >"$T/ec.json" 2>&1
ok "python3 -c 'import json,sys; k={x[\"label\"]: x for x in json.load(open(\"$T/ec.json\"))}; \
sys.exit(not (k[\"ike-ec256\"][\"curve\"] == \"P-256\" and k[\"ike-ec384\"][\"curve\"] == \"P-384\" and \
k[\"ike-ec521\"][\"curve\"] == \"P-521\" and k[\"ike-eced\"][\"curve\"] == \"Ed25519\"))'" \
    "the token holds ikesignd's P-256, P-384, P-521 and Ed25519 keys"

# strongSwan: its EC key, ikesignd's EC public key; one connection each
mkdir -p "$T/b/swanctl/ecdsa"
ec_conns() { # CURVE
	for v in 1 2; do
		cat <<EOC
  e$v-$1 {
    version = $v
    mobike = no
    local_addrs = $IPB
    remote_addrs = $IPA
    proposals = aes128-sha256-modp2048
    local {
      auth = pubkey
      id = b.test
      pubkeys = b-ec$1.pub
    }
    remote {
      auth = pubkey
      id = $IPA
      pubkeys = a-ec$1.pub
    }
  }
EOC
	done
}
swan_ec() { # CURVE: strongSwan with that curve's key only
	rm -f "$T/b/swanctl/ecdsa/"* "$T/b/swanctl/private/"* \
	    "$T/b/swanctl/pkcs8/"*
	mkdir -p "$T/b/swanctl/pkcs8"
	case $1 in
	ed)	cp "$T/b-ec$1.key" "$T/b/swanctl/pkcs8/b.pem" ;;
	*)	cp "$T/b-ec$1.key" "$T/b/swanctl/ecdsa/b.pem" ;;
	esac
	cp "$T/b-ec$1.pub" "$T/b/swanctl/pubkey/b-ec$1.pub"
	cp "$T/a-ec$1.pub" "$T/b/swanctl/pubkey/a-ec$1.pub"
	{ echo "connections {"; ec_conns "$1"; echo "}"; } \
	    >"$T/b/swanctl/swanctl.conf"
}

# ikesignd_ec CURVE KEYRING: key ike-ecCURVE, an IKEv1 ecdsa-sig policy
# for the peer, and an IKEv2 profile that signs and checks with ECDSA
ikesignd_ec() {
	IKE_KEY="ike-ec$1"
	ikesignd_conf "peer $IPB ike-version 1 keyring $2" <<EOC
crypto isakmp policy 10
 encryption aes 128
 hash sha256
 authentication ecdsa-sig
 group 14
crypto ikev2 proposal p1
 encryption aes-cbc-128
 integrity sha256
 group 14
crypto ikev2 policy pol
 proposal p1
crypto ikev2 profile gw
 match identity remote fqdn b.test
 identity local address $IPA
 authentication local ecdsa-sig
 authentication remote ecdsa-sig
 keyring $2
EOC
}

round() { # CURVE N: N signatures of ikesignd strongSwan has checked by then
	# (one per IKEv1 handshake, as responder and as initiator)
	expect_rc 0 "strongSwan initiates IKEv1 with ECDSA P-$1" \
	    swan --initiate --ike "e1-$1" --timeout 10
	logged "$T/ikesignd.log" "authentication of 'b.test' with ECDSA signature (P-$1" \
	    "ikesignd verified strongSwan's P-$1 SIG_I"
	swan --terminate --ike "e1-$1" --timeout 5 >/dev/null 2>&1
	expect_rc 0 "ikesignd initiates IKEv1 with ECDSA P-$1" \
	    ctl initiate "$IPB"
	wait_count "$T/b/charon.log" "IKE_SA e1-$1[" 1 5
	wait_count "$T/b/charon.log" "authentication of '$IPA' with ECDSA_WITH_NULL successful" "$2" 5
	ok "[ \$(grep -c \"authentication of '$IPA' with ECDSA_WITH_NULL successful\" $T/b/charon.log) -ge $2 ]" \
	    "strongSwan verified ikesignd's P-$1 SIG_I (IKEv1 method $(( $1 == 256 ? 9 : $1 == 384 ? 10 : 11 )), r || s over HASH_I)"
	ctl clear sa >/dev/null
}

# P-256: IKEv1 method 9, IKEv2 RFC 7427 (strongSwan announces its hashes)
swan_ec 256
ikesignd_ec 256 ec256
ikesignd_start
ok '[ $? -eq 0 ]' "ikesignd starts with an EC key and an ecdsa-sig policy"
charon_start
round 256 2
sed -i "s/^peer $IPB ike-version 1/peer $IPB ike-version 2 profile gw/" \
    "$T/ikesignd.conf"
ctl reload >/dev/null
expect_rc 0 "strongSwan initiates IKEv2 with ECDSA P-256" \
    swan --initiate --ike e2-256 --timeout 10
logged "$T/ikesignd.log" "authentication of 'b.test' with ECDSA with SHA-256" \
    "ikesignd verified strongSwan's RFC 7427 ECDSA AUTH"
swan --terminate --ike e2-256 --timeout 5 >/dev/null 2>&1
expect_rc 0 "ikesignd initiates IKEv2 with ECDSA P-256" ctl initiate "$IPB"
logged "$T/b/charon.log" "authentication of '$IPA' with ECDSA_WITH_SHA256_DER successful" \
    "strongSwan verified ikesignd's RFC 7427 ECDSA AUTH (ecdsa-with-SHA256, DER)"
ctl clear sa >/dev/null
# the keyring's key for b.test is another one: refused
sed -i "s/^ keyring ec256$/ keyring wrong256/" "$T/ikesignd.conf"
ctl reload >/dev/null
expect_rc 1 "a peer whose ECDSA key is not the keyring's is refused" \
    swan --initiate --ike e2-256 --timeout 8
logged "$T/ikesignd.log" "does not verify with its key in keyring 'wrong256'" \
    "ikesignd says the signature does not verify"

# P-384 with a peer that does not announce RFC 7427 hashes: method 10
charon_stop
sed -i 's/^charon {$/charon {\n  signature_authentication = no/' \
    "$T/b/strongswan.conf"
swan_ec 384
ikesignd_ec 384 ec384
expect_rc 0 "a reload switches ikesignd to the P-384 key" ctl reload
logged "$T/ikesignd.log" "the signer for key 'ike-ec384'" \
    "a signer for the new key replaces the old one"
charon_start
round 384 4
sed -i "s/^peer $IPB ike-version 1/peer $IPB ike-version 2 profile gw/" \
    "$T/ikesignd.conf"
ctl reload >/dev/null
expect_rc 0 "strongSwan initiates IKEv2 with ECDSA P-384 (method 10)" \
    swan --initiate --ike e2-384 --timeout 10
logged "$T/ikesignd.log" "authentication of 'b.test' with ECDSA with SHA-384" \
    "ikesignd verified strongSwan's method 10 AUTH"
swan --terminate --ike e2-384 --timeout 5 >/dev/null 2>&1
expect_rc 0 "ikesignd initiates IKEv2 with ECDSA P-384 (method 10)" \
    ctl initiate "$IPB"
logged "$T/b/charon.log" "authentication of '$IPA' with ECDSA-384 signature successful" \
    "strongSwan verified ikesignd's method 10 AUTH"
ctl show sa --json >"$T/sa.json"
ok "python3 -c 'import json,sys; a=json.load(open(\"$T/sa.json\")); \
sys.exit(not (len(a)==1 and \"ECDSA\" in a[0][\"auth\"]))'" \
    "show sa --json names ECDSA"
ctl clear sa >/dev/null

# P-521 and Ed25519 (RFC 8420) in IKEv2, with a peer that announces its
# hashes (Ed25519 needs the Identity one)
for c in 521 ed; do
	charon_stop
	sed -i '/^  signature_authentication = no$/d' "$T/b/strongswan.conf"
	swan_ec $c
	ikesignd_ec $c "ec$c"
	ctl reload >/dev/null
	charon_start
	[ $c = 521 ] && round 521 6	# IKEv1 method 11 (no Ed25519 in IKEv1)
	sed -i "s/^peer $IPB ike-version 1.*/peer $IPB ike-version 2 profile gw/" \
	    "$T/ikesignd.conf"
	ctl reload >/dev/null
	name=$([ $c = ed ] && echo Ed25519 || echo "ECDSA with SHA-512")
	expect_rc 0 "strongSwan initiates IKEv2 with $name" \
	    swan --initiate --ike "e2-$c" --timeout 10
	logged "$T/ikesignd.log" "authentication of 'b.test' with $name" \
	    "ikesignd verified strongSwan's $name AUTH"
	swan --terminate --ike "e2-$c" --timeout 5 >/dev/null 2>&1
	expect_rc 0 "ikesignd initiates IKEv2 with $name" ctl initiate "$IPB"
	logged "$T/b/charon.log" "authentication of '$IPA' with $([ $c = ed ] && echo ED25519 || echo ECDSA_WITH_SHA512_DER) successful" \
	    "strongSwan verified ikesignd's $name AUTH"
	ctl clear sa >/dev/null
done

# a reload to a key the token does not have is refused: the signer keeps
# the Ed25519 key, and signs with it
n=$(grep -c "authentication of '$IPA' with ED25519 successful" "$T/b/charon.log")
sed -i 's/^key .*/key ike-nosuch/' "$T/ikesignd.conf"
expect_rc 3 "a reload to a key that is not on the token is refused" ctl reload
contains "$err" "key 'ike-nosuch' on token 'test' cannot be used" \
    "ikesignctl says which key cannot be used"
expect_rc 0 "ikesignd still initiates with the Ed25519 key" ctl initiate "$IPB"
ok "wait_count '$T/b/charon.log' \"authentication of '$IPA' with ED25519 successful\" $((n + 1)) 5" \
    "strongSwan verified it"
done_testing
