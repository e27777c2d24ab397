#!/bin/sh
# t_ec.sh -- EC keys in cryptokey: generate ec (P-256, P-384, P-521,
# Ed25519), the attributes pkcs11-tool sees, show ec / show rsa filtering,
# the IOS text and JSON, a signature made with the token key through
# pkcs11-tool verified by OpenSSL with the shown public key, refusals that
# leave the token as it was, zeroize ec.
. "$top_srcdir/tests/cli/lib.sh"

setup_token
J="$T/show.json"

# gen_ok DELTA DESC ARGS...: generate ec ARGS, the count goes up by DELTA
gen_ok() {
	_delta=$1; _desc=$2; shift 2
	_before=$(objects)
	expect_rc 0 "$_desc" "$CK" generate ec "$@"
	_after=$(objects)
	ok "[ $_after -eq $((_before + _delta)) ]" \
	    "$_desc: $_delta objects added ($_before -> $_after)"
}

# --- the curves --------------------------------------------------------------
gen_ok 3 "generate ec (default P-256)" --label p256
contains "$err" "256 bit EC keys" "IOS-style progress names 256-bit EC keys"
gen_ok 3 "--keysize 384" --label p384 --keysize 384
gen_ok 3 "--keysize 521 --exportable" --label p521 --keysize 521 --exportable
gen_ok 3 "--curve ed25519" --label ed --curve ed25519
gen_ok 6 "--usage-keys" --label uk --usage-keys
expect_rc 0 "an RSA key beside them" "$CK" generate rsa --label rsa1 \
    --modulus 1024

for c in p256:P-256:256:false p384:P-384:384:false p521:P-521:521:true \
    ed:Ed25519:256:false; do
	IFS=: read -r l curve bits exp <<EOF
$c
EOF
	"$CK" show --json --label "$l" >"$J" 2>"$err"
	ok "[ \"\$(jget '$J' 'd[0][\"type\"]')\" = ec ]" "$l: JSON type ec"
	ok "[ \"\$(jget '$J' 'd[0][\"curve\"]')\" = $curve ]" "$l: JSON curve $curve"
	ok "[ \"\$(jget '$J' 'd[0][\"bits\"]')\" = $bits ]" "$l: JSON bits $bits"
	ok "[ \"\$(jget '$J' 'd[0][\"exportable\"]')\" = $exp ]" \
	    "$l: exportable $exp"
	jget "$J" 'd[0]["public_key"]' > "$T/$l.pem"
	ok "openssl pkey -pubin -in '$T/$l.pem' -noout 2>/dev/null" \
	    "$l: OpenSSL reads the public key"
	id=$(jget "$J" 'd[0]["id"]')
	p11_block "Private Key" "$id" > "$T/blk"
	ok "grep -q 'sensitive' '$T/blk' && grep -q 'sign' '$T/blk'" \
	    "$l: pkcs11-tool sees a sensitive signing private key"
	if [ "$exp" = true ]; then
		ok "grep -q 'extractable' '$T/blk' && ! grep -q 'never extractable' '$T/blk'" \
		    "$l: extractable as asked"
	else
		ok "grep -q 'never extractable' '$T/blk'" "$l: never extractable"
	fi
done

# --- a token signature, verified with the shown key --------------------------
# SoftHSM2 has CKM_ECDSA only: the hash is made here, the token signs it.
printf 'data to sign' > "$T/msg"
for c in p256:sha256 p384:sha384 p521:sha512; do
	l=${c%%:*}; md=${c#*:}
	id=$("$CK" show --json --label "$l" | "$PYTHON" -c \
	    'import json,sys; print(json.load(sys.stdin)[0]["id"])')
	openssl dgst "-$md" -binary -out "$T/$l.hash" "$T/msg"
	p11 --sign --mechanism ECDSA --id "$id" --signature-format openssl \
	    --input-file "$T/$l.hash" --output-file "$T/$l.sig" >/dev/null 2>"$err"
	ok "openssl pkeyutl -verify -pubin -inkey '$T/$l.pem' \
	    -in '$T/$l.hash' -sigfile '$T/$l.sig' >/dev/null 2>&1" \
	    "$l: a token ECDSA signature over $md verifies with the shown key"
done

# --- IOS text and the filters --------------------------------------------------
expect_rc 0 "show ec --label p384" "$CK" show ec --label p384
ok "[ \"\$(sed -n 3p '$out')\" = 'Key type: EC KEYS' ]" "line 3: 'Key type: EC KEYS'"
ok "grep -qx ' Curve: P-384' '$out'" "' Curve: P-384'"
sed -n '/^ Key Data:$/,$p' "$out" | sed 1d | tr -d ' \n' > "$T/kd.hex"
openssl pkey -pubin -in "$T/p384.pem" -outform DER 2>/dev/null |
    od -An -tx1 -v | tr -d ' \n' | tr 'a-f' 'A-F' > "$T/der.hex"
ok "[ -s '$T/kd.hex' ] && cmp -s '$T/kd.hex' '$T/der.hex'" \
    "Key Data is the hex of the DER SubjectPublicKeyInfo"
expect_rc 0 "show ec" "$CK" show ec
ok "[ \$(grep -c '^Key name:' '$out') -eq 6 ]" "show ec: the six EC pairs"
ok "! grep -q 'RSA KEYS' '$out'" "show ec: no RSA key"
expect_rc 0 "show rsa" "$CK" show rsa
ok "[ \$(grep -c '^Key name:' '$out') -eq 1 ] && grep -q 'Key name: rsa1' '$out'" \
    "show rsa: the RSA pair only"
expect_rc 0 "show (all)" "$CK" show --json
ok "[ \"\$(jget '$out' 'len(d)')\" = 7 ]" "show: every pair"
ok "[ \"\$(jget '$out' '[k.get(\"curve\") for k in d if k[\"type\"] == \"rsa\"]')\" = '[null]' ]" \
    "JSON: no curve field for RSA"
expect_rc 3 "show rsa --label p256" "$CK" show rsa --label p256
expect_rc 2 "show dsa" "$CK" show dsa

# --- show --format -------------------------------------------------------------
if command -v ssh-keygen >/dev/null 2>&1; then
	for l in p256 p384 p521 rsa1; do
		"$CK" show --label "$l" --format pem > "$T/$l.fpem" 2>"$err"
		expect_rc 0 "show --format openssh --label $l" "$CK" show \
		    --label "$l" --format openssh
		ok "[ \"\$(cut -d' ' -f1,2 '$out')\" = \"\$(ssh-keygen -i -m PKCS8 -f '$T/$l.fpem' 2>/dev/null)\" ]" \
		    "$l: the OpenSSH line is what ssh-keygen makes of the PEM"
		ok "[ \"\$(cut -d' ' -f3 '$out')\" = $l ]" \
		    "$l: the OpenSSH comment is the key name"
	done
	expect_rc 0 "show --format openssh --label ed" "$CK" show --label ed \
	    --format openssh
	cp "$out" "$T/ed.ssh"
	ok "ssh-keygen -l -f '$T/ed.ssh' 2>/dev/null | grep -q '(ED25519)\$'" \
	    "ed: ssh-keygen reads the ssh-ed25519 line"
else
	pass "# SKIP no ssh-keygen"
fi
expect_rc 0 "show --format pem --label p384" "$CK" show --label p384 \
    --format pem
ok "[ \"\$(cat '$out')\" = \"\$(cat '$T/p384.pem')\" ]" \
    "--format pem: the JSON public_key, alone"
expect_rc 0 "show --format rfc3110 --label rsa1" "$CK" show --label rsa1 \
    --format rfc3110
"$CK" show --label rsa1 --format pem > "$T/rsa1.pem" 2>/dev/null
ok "\"$PYTHON\" -c '
import base64, subprocess, sys
s = open(sys.argv[1]).read().strip()
assert s.startswith(\"0s\")
b = base64.b64decode(s[2:])
el = b[0]
e, n = b[1:1 + el], b[1 + el:]
m = subprocess.run([\"openssl\", \"rsa\", \"-pubin\", \"-in\", sys.argv[2], \"-noout\",
    \"-modulus\"], capture_output=True, text=True).stdout.strip().split(\"=\")[1]
assert int.from_bytes(e, \"big\") == 65537 and n.hex().upper() == m
' '$out' '$T/rsa1.pem'" "--format rfc3110: 0s, exponent length, 65537, the modulus"
expect_rc 2 "--format rfc3110 of an EC key" "$CK" show --label p256 \
    --format rfc3110
ok "[ ! -s '$out' ]" "rfc3110 of an EC key: nothing printed"
expect_rc 0 "show rsa --format rfc3110 (all RSA keys)" "$CK" show rsa \
    --format rfc3110
expect_rc 0 "show --format ios --label p521" "$CK" show --label p521 \
    --format ios
ok "[ \"\$(tail -n 1 '$out')\" = '  quit' ]" "--format ios ends with quit"
"$CK" show --label p521 | sed -n '/^ Key Data:$/,$p' | sed 1d > "$T/kd521"
ok "[ \"\$(sed '\$d' '$out')\" = \"\$(cat '$T/kd521')\" ]" \
    "--format ios: the Key Data lines"
expect_rc 2 "--format der" "$CK" show --format der
expect_rc 2 "--format with --json" "$CK" show --format pem --json

# --- refusals ---------------------------------------------------------------
n=$(objects)
expect_rc 4 "existing name without --replace" "$CK" generate ec --label p256
unchanged "$n" "existing name"
expect_rc 4 "an RSA key's name for an EC key" "$CK" generate ec --label rsa1
unchanged "$n" "an RSA key's name"
for a in "--keysize 255" "--keysize 0x100" "--keysize 1024" "--curve p-224" \
    "--modulus 2048" "--keysize 256 --curve ed25519" \
    "--curve ed25519 --usage-keys" "--curve ed25519 --encryption"; do
	# shellcheck disable=SC2086
	expect_rc 2 "generate ec $a" "$CK" generate ec --label bad $a
	unchanged "$n" "generate ec $a"
done
# a token without the mechanism: refused before anything changes (exit 8)
FM="$top_builddir/tests/faultmod/.libs/faultmod.so"
if [ -f "$FM" ]; then
	expect_rc 8 "generate ec --curve ed25519 on a token without EdDSA keygen" \
	    env CRYPTOKEY_FAULT_TARGET="$SOFTHSM_MODULE" \
	    CRYPTOKEY_FAULT_NO_MECH=0x1055 "$CK" --module "$FM" generate ec \
	    --label bad --curve ed25519
	contains "$err" "CKM_EC_EDWARDS_KEY_PAIR_GEN" "the message names the mechanism"
	expect_rc 8 "generate ec on a token without CKM_ECDSA" \
	    env CRYPTOKEY_FAULT_TARGET="$SOFTHSM_MODULE" \
	    CRYPTOKEY_FAULT_NO_MECH=0x1041 "$CK" --module "$FM" generate ec \
	    --label bad --keysize 384
	contains "$err" "CKM_ECDSA" "the message names CKM_ECDSA"
	unchanged "$n" "mechanisms missing"
else
	pass "# SKIP no fault module"
fi
expect_rc 2 "generate rsa --keysize 256" "$CK" generate rsa --label bad \
    --keysize 256
expect_rc 2 "generate dsa" "$CK" generate dsa --label bad
unchanged "$n" "bad key types"

# --- replace across types -------------------------------------------------------
expect_rc 0 "generate ec --replace over an RSA key" "$CK" generate ec \
    --label rsa1 --replace
contains "$err" "You already have RSA keys defined named rsa1" \
    "IOS says which keys are replaced"
"$CK" show --json --label rsa1 >"$J" 2>"$err"
ok "[ \"\$(jget '$J' '[k[\"type\"] for k in d]')\" = '[\"ec\"]' ]" \
    "the name now holds one EC pair"
unchanged "$n" "replace keeps the object count"

# --- zeroize ec ----------------------------------------------------------------
expect_rc 0 "generate rsa keep" "$CK" generate rsa --label keep --modulus 1024
expect_rc 0 "zeroize ec --label p384 --yes" "$CK" zeroize ec --label p384 --yes
expect_rc 3 "p384 is gone" "$CK" show --label p384
expect_rc 0 "zeroize rsa --yes" "$CK" zeroize rsa --yes
expect_rc 0 "show" "$CK" show --json
ok "[ \"\$(jget '$out' 'sorted(set(k[\"type\"] for k in d))')\" = '[\"ec\"]' ]" \
    "zeroize rsa leaves the EC keys"
expect_rc 0 "zeroize ec --yes" "$CK" zeroize ec --yes
expect_rc 0 "show" "$CK" show --json
ok "[ \"\$(jget '$out' 'len(d)')\" = 0 ]" "zeroize ec removes the rest"
ok "[ \$(objects) -eq 0 ]" "nothing is left on the token"

done_testing
