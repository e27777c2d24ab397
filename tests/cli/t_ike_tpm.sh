#!/bin/sh
# t_ike_tpm.sh -- ikesignd signs with keys held by a TPM: tpm2-pkcs11 on a
# swtpm (tests/cli/modules.sh), an RSA-2048 and an EC P-256 key made on
# it by cryptokey, strongSwan's public key in the TPM token's default
# keyring; IKEv1 Main Mode and IKEv2 with rsa-sig, and IKEv2 signing with
# the P-256 key (ecdsa-sig, the peer rsa-sig), strongSwan in both roles.
# IKEv1 ecdsa-sig authenticates both ways with ECDSA, and the peer's EC
# public key cannot be kept on this token: tpm2-pkcs11 1.9 creates RSA
# public keys and data objects only (C_CreateObject of a CKK_EC public
# key: CKR_ATTRIBUTE_VALUE_INVALID; cryptokeyring exits 8), checked here
# too.  Skipped when swtpm or tpm2-pkcs11 is missing.  About 5 s.
. "$top_srcdir/tests/cli/t_ike_env.sh"
. "$top_srcdir/tests/cli/modules.sh"

module_check tpm || skip_all "$why"
ike_setup
exit_trap 'module_teardown tpm; ike_cleanup'
module_setup tpm || { echo "Bail out! cannot make a token on the TPM"; exit 1; }

# the keys on the TPM; strongSwan's RSA key (b) and an EC one (e)
"$CK" generate rsa --label tpm-rsa --modulus 2048 --quiet >"$out" 2>"$err"
ok '[ $? -eq 0 ]' "an RSA-2048 key generated on the TPM"
"$CK" generate ec --label tpm-ec --quiet >"$out" 2>"$err"
ok '[ $? -eq 0 ]' "an EC P-256 key generated on the TPM"
"$CK" export rsa --label tpm-rsa --public --force --out "$T/a.pub" >/dev/null &&
"$CK" export ec --label tpm-ec --public --out "$T/a-ec.pub" \
    >/dev/null &&
pki --gen --type ecdsa --size 256 --outform pem >"$T/e.key" 2>/dev/null &&
pki --pub --in "$T/e.key" --outform pem >"$T/e.pub" 2>/dev/null &&
"$CKR" add-pubkey default --address "$IPB" --in "$T/b.pub" >/dev/null &&
"$CKR" add-pubkey default --hostname b.test --in "$T/b.pub" >/dev/null ||
    { echo "Bail out! cannot export the TPM's public keys or fill its" \
    "keyring"; exit 1; }
n=$(mobjects)
expect_rc 8 "an EC peer key is refused by the TPM token" \
    "$CKR" add-pubkey default --hostname e.test --in "$T/e.pub"
contains "$err" "refuses an EC public key (CKR_ATTRIBUTE_VALUE_INVALID): it keeps only RSA ones" \
    "the refusal says why"
ok '[ "$(mobjects)" = "$n" ]' "the token keeps its objects ($n)"
"$CK" show --json >"$T/keys.json" 2>&1
ok "python3 -c 'import json,sys; k={x[\"label\"]: x for x in json.load(open(\"$T/keys.json\"))}; \
sys.exit(not (k[\"tpm-rsa\"][\"exportable\"] is False and k[\"tpm-ec\"][\"curve\"] == \"P-256\"))'" \
    "the TPM token holds both keys, not exportable"

# strongSwan: the TPM's public keys; only the connections of one case
charon_conf
cp "$T/a-ec.pub" "$T/b/swanctl/pubkey/"
swan_conns() { # KEY: the connections v1 and v2; strongSwan b.test signs
	# with its RSA key and checks the TPM's rsa (a.pub) or ec (a-ec.pub)
	_id=b.test _mine=b.pub _theirs=a.pub
	[ "$1" = ec ] && _theirs=a-ec.pub
	{
		echo "connections {"
		for _v in 1 2; do
			cat <<EOC
  v$_v {
    version = $_v
    mobike = no
    local_addrs = $IPB
    remote_addrs = $IPA
    proposals = aes128-sha256-modp2048
    local {
      auth = pubkey
      id = $_id
      pubkeys = $_mine
    }
    remote {
      auth = pubkey
      id = $IPA
      pubkeys = $_theirs
    }
  }
EOC
		done
		echo "}"
	} >"$T/b/swanctl/swanctl.conf"
	charon_load
}

# ikesignd_tpm KEY METHOD VERSION: the TPM's key KEY, an IKEv1 policy
# (both ways METHOD) or an IKEv2 profile (local METHOD, remote rsa-sig)
ikesignd_tpm() {
	IKE_KEY=$1
	if [ "$3" = 1 ]; then
		ikesignd_v1_conf "$2"
	else
		ikesignd_v2_conf "" " authentication local $2
 authentication remote rsa-sig"
	fi
	sed -i -e "s|^module .*|module $TPM_MODULE|" \
	    -e "s|^token .*|token $MOD_TOKEN|" "$T/ikesignd.conf"
}

# both_roles VERSION WHAT CHARON-LOG-TEXT: strongSwan initiates, then
# ikesignd; strongSwan must have verified ikesignd's signature each time
both_roles() {
	_seen=$(grep -c "authentication of '$IPA' with $3 successful" \
	    "$T/b/charon.log")
	expect_rc 0 "IKEv$1 $2: strongSwan initiates" \
	    swan --initiate --ike "v$1" --timeout 10
	swan --terminate --ike "v$1" --timeout 5 >/dev/null 2>&1
	expect_rc 0 "IKEv$1 $2: ikesignd initiates" ctl initiate "$IPB"
	ctl clear sa >/dev/null 2>&1
	wait_count "$T/b/charon.log" \
	    "authentication of '$IPA' with $3 successful" $((_seen + 2)) 5
	ok "[ \$(grep -c \"authentication of '$IPA' with $3 successful\" $T/b/charon.log) -eq $((_seen + 2)) ]" \
	    "IKEv$1 $2: strongSwan verified the TPM's signature in both roles"
}

ikesignd_tpm tpm-rsa rsa-sig 1
ikesignd_start
ok '[ $? -eq 0 ]' "ikesignd starts with its key on the TPM"
charon_start
swan_conns rsa
s=$(sed -n 's/.*signer running (pid \([0-9]*\)).*/\1/p' "$T/ikesignd.log" |
    tail -n 1)
ok '[ -n "$s" ] && grep -q libtpm2_pkcs11 /proc/$s/maps' \
    "the signer has tpm2-pkcs11 loaded"
both_roles 1 rsa-sig RSA_EMSA_PKCS1_NULL

ikesignd_tpm tpm-rsa rsa-sig 2
expect_rc 0 "reload: IKEv2 rsa-sig" ctl reload
both_roles 2 rsa-sig RSA_EMSA_PKCS1_SHA2_256

# another key needs a new signer: restart ikesignd
ikesignd_stop
swan_conns ec
ikesignd_tpm tpm-ec ecdsa-sig 2
ikesignd_start
ok '[ $? -eq 0 ]' "ikesignd starts with the TPM's EC key"
both_roles 2 ecdsa-sig ECDSA_WITH_SHA256_DER

ok '! grep -qi "tss2\|esys\|ERROR:" $T/ikesignd.log' \
    "no TSS messages in ikesignd's log"
ok 'kill -0 "$IKESIGND_PID" 2>/dev/null' "ikesignd is still running"
done_testing
