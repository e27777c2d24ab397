#!/bin/sh
# t_ec_keyring.sh -- cryptokeyring add-pubkey with EC peer keys (P-256,
# P-384, P-521, Ed25519) from PEM and from the IOS key-string hex that
# "cryptokey show ec" prints: the objects pkcs11-tool sees, show (text,
# --json with type and curve, --ios, where IOS has no EC statement and the
# entry is a comment), del-pubkey, and the refusals.
. "$top_srcdir/tests/cli/lib.sh"

KR=$(tool cryptokeyring)
setup_token
J="$T/j"

# bad RC DESC CMD...: exit RC, one line, no object added or removed
bad() {
	_rc=$1; _d=$2; shift 2
	_n=$(objects)
	expect_rc "$_rc" "$_d" "$@"
	ok "[ -s '$err' ] && [ \$(wc -l < '$err') -eq 1 ]" "$_d: one line on stderr"
	unchanged "$_n" "$_d"
}

expect_rc 0 "create ring1" "$KR" create ring1

# --- PEM, each curve --------------------------------------------------------------
n=0
for c in P-256 P-384 P-521; do
	n=$((n + 1))
	openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:$c" \
	    -out "$T/$c.key" 2>/dev/null
	openssl pkey -in "$T/$c.key" -pubout -out "$T/$c.pem" 2>/dev/null
	_n=$(objects)
	expect_rc 0 "add-pubkey $c PEM" "$KR" add-pubkey ring1 \
	    --address "192.0.2.$n" --in "$T/$c.pem"
	ok "[ \$(objects) -eq $((_n + 1)) ]" "$c: one object added"
done
openssl genpkey -algorithm ED25519 -out "$T/ed.key" 2>/dev/null
openssl pkey -in "$T/ed.key" -pubout -out "$T/ed.pem" 2>/dev/null
expect_rc 0 "add-pubkey Ed25519 PEM" "$KR" add-pubkey ring1 \
    --hostname ed.example.net --in "$T/ed.pem" --usage signature

expect_rc 0 "show ring1 --json" "$KR" show ring1 --json
cp "$out" "$J"
ok "[ \"\$(jget '$J' 'sorted(e[\"curve\"] for r in d for e in r[\"entries\"] if e.get(\"type\") == \"ec\")')\" = '[\"Ed25519\", \"P-256\", \"P-384\", \"P-521\"]' ]" \
    "JSON: four EC entries with their curves"
ok "[ \"\$(jget '$J' 'sorted(set(e[\"kind\"] for r in d for e in r[\"entries\"]))')\" = '[\"ec-pubkey\"]' ]" \
    "JSON: their kind is ec-pubkey"
ok "[ \"\$(jget '$J' '[e[\"bits\"] for r in d for e in r[\"entries\"] if e.get(\"curve\") == \"P-521\"][0]')\" = 521 ]" \
    "JSON: P-521 has 521 bits"
ok "[ \"\$(jget '$J' '[e[\"public_key\"] for r in d for e in r[\"entries\"] if e.get(\"curve\") == \"P-384\"][0]')\" = \"\$(cat '$T/P-384.pem')\" ]" \
    "JSON: the P-384 public key is the one added"
expect_rc 0 "show ring1" "$KR" show ring1
contains "$out" "Key type: EC, curve P-256" "text: type and curve"

P11_LABEL="peer/ring1/address:192.0.2.2"
ok "p11 --list-objects 2>/dev/null | grep -B4 \"label: *$P11_LABEL\$\" | grep -q 'Public Key Object; EC'" \
    "pkcs11-tool sees an EC public key object for the P-384 entry"

# --- the IOS key-string of a cryptokey EC key, pasted back --------------------------
expect_rc 0 "generate ec P-384 (ours)" "$CK" \
    generate ec --label own --keysize 384
"$CK" show ec --label own > "$T/own.txt"
sed -n '/^ Key Data:$/,$p' "$T/own.txt" | sed 1d > "$T/own.ks"
echo quit >> "$T/own.ks"
expect_rc 0 "add-pubkey --key-string of show ec" "$KR" add-pubkey ring1 \
    --name own.example.net --key-string "$T/own.ks"
expect_rc 0 "show ring1 --json" "$KR" show ring1 --json
cp "$out" "$J"
"$CK" show ec --json --label own > "$T/ownj"
ok "[ \"\$(jget '$J' '[e[\"public_key\"] for r in d for e in r[\"entries\"] if e[\"peer\"] == \"own.example.net\"][0]')\" = \"\$(jget '$T/ownj' 'd[0][\"public_key\"]')\" ]" \
    "key-string round trip: the same public key"

# --- show --ios -------------------------------------------------------------------------
expect_rc 0 "show ring1 --ios" "$KR" show ring1 --ios
cp "$out" "$T/ios"
ok "grep -q '^ ! ec-pubkey address 192.0.2.1 (P-256): IOS keyrings hold RSA keys only;' '$T/ios'" \
    "--ios: an EC entry is a comment naming it and its curve"
ok "! grep -q '^ rsa-pubkey' '$T/ios'" "--ios: no rsa-pubkey line for EC keys"
ok "! grep -v '^ *!' '$T/ios' | grep -q '[0-9A-F]\\{8\\} [0-9A-F]\\{8\\}'" \
    "--ios: EC key data only inside comments"
sed -n '/ec-pubkey address 192.0.2.2 /,/!  quit/p' "$T/ios" |
    sed -n '/!  key-string/,/!  quit/p' | sed '1d;$d' | sed 's/^ !//' |
    tr -d ' \n' > "$T/ios.hex"
openssl pkey -pubin -in "$T/P-384.pem" -outform DER 2>/dev/null |
    od -An -tx1 -v | tr -d ' \n' | tr 'a-f' 'A-F' > "$T/p384.hex"
ok "[ -s '$T/ios.hex' ] && cmp -s '$T/ios.hex' '$T/p384.hex'" \
    "--ios: the commented key-string is the DER SubjectPublicKeyInfo"
expect_rc 0 "add-pubkey P-256 to the default chain" "$KR" add-pubkey default \
    --address 198.51.100.7 --in "$T/P-256.pem"
expect_rc 0 "show default --ios" "$KR" show default --ios
ok "grep -q '^ ! ec-pubkey address 198.51.100.7 (P-256)' '$out'" \
    "--ios: an EC key in the pubkey chain is a comment too"

# --- refusals and removal ---------------------------------------------------------------
bad 4 "the same peer again" "$KR" add-pubkey ring1 --address 192.0.2.1 \
    --in "$T/P-256.pem"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp384r1 \
    -pkeyopt ec_param_enc:explicit -out "$T/explicit.key" 2>/dev/null
openssl pkey -in "$T/explicit.key" -pubout -out "$T/explicit.pem" 2>/dev/null
bad 7 "explicit curve parameters" "$KR" add-pubkey ring1 --address 192.0.2.9 \
    --in "$T/explicit.pem"
openssl pkey -in "$T/P-256.pem" -pubin -pubout -outform DER \
    -out "$T/p256.der" 2>/dev/null
head -c 40 "$T/p256.der" | od -An -v -tx1 > "$T/cut.ks"
bad 7 "a cut EC key-string" "$KR" add-pubkey ring1 --address 192.0.2.9 \
    --key-string "$T/cut.ks"
# a point not on the curve: the last byte of Y changed
od -An -v -tx1 "$T/p256.der" | tr -s ' \n' ' ' | awk '{ $NF = ($NF == "00" ? "01" : "00"); print }' > "$T/offcurve.ks"
bad 7 "a point not on the curve" "$KR" add-pubkey ring1 --address 192.0.2.9 \
    --key-string "$T/offcurve.ks"
_n=$(objects)
expect_rc 0 "del-pubkey of an EC key" "$KR" del-pubkey ring1 --address 192.0.2.3
ok "[ \$(objects) -eq $((_n - 1)) ]" "del-pubkey: one object removed"

done_testing
