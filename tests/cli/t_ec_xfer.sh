#!/bin/sh
# t_ec_xfer.sh -- export ec / import ec: PKCS#8 with AES-256 (default) and
# the traditional "EC PRIVATE KEY" with 3DES/DES that IOS writes, --public,
# round trips through OpenSSL and onto a second token (the imported key
# signs and the original public key verifies), files written by OpenSSL,
# the C_CreateObject path of a token that cannot unwrap, and bad input:
# each refused with its exit code, one line, the token unchanged.
. "$top_srcdir/tests/cli/lib.sh"

setup_token
add_token second
printf '%s\n' 'ec-pass-1' > "$T/pass"
printf '%s\n' 'not-the-pass' > "$T/wrong"
chmod 600 "$T/pass" "$T/wrong"
P="--passphrase-source file:$T/pass"
W="--passphrase-source file:$T/wrong"
S="--token second"
F="$T/f"
mkdir "$F"

ossl() { openssl "$@" 2>>"$T/openssl.log"; }
# file_pub FILE: the public key of a key file (encrypted under $T/pass)
file_pub() {
	openssl pkey -provider legacy -provider default -in "$1" \
	    -passin "file:$T/pass" -pubout 2>/dev/null
}
# token_pub LABEL [TOKEN]: the public key(s) cryptokey holds under LABEL
token_pub() {
	"$CK" --token "${2:-second}" export ec --public --label "$1" \
	    2>/dev/null | sed -n '/-----BEGIN PUBLIC KEY-----/,/-----END/p'
}
# ecdsa_ok LABEL PUBFILE [TOKEN]: the token's key of LABEL signs a hash
# (CKM_ECDSA, the only ECDSA SoftHSM2 has) that PUBFILE verifies
ecdsa_ok() {
	_id=$("$CK" --token "${3:-second}" show --json --label "$1" |
	    "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
	printf 'to be signed' | openssl dgst -sha256 -binary > "$T/h"
	P11_TOKEN=${3:-second} p11 --sign --mechanism ECDSA --id "$_id" \
	    --signature-format openssl --input-file "$T/h" \
	    --output-file "$T/sig" >/dev/null 2>&1 &&
	openssl pkeyutl -verify -pubin -inkey "$2" -in "$T/h" \
	    -sigfile "$T/sig" >/dev/null 2>&1
}

# imports_ok DESC LABEL FILE [ARGS]: exit 0, 3 objects on the second token,
# the file's public key
imports_ok() {
	_d=$1; _l=$2; _f=$3; shift 3
	_n=$(objects second)
	expect_rc 0 "$_d" "$CK" $S $P import ec --label "$_l" --in "$_f" "$@"
	ok "[ \$(objects second) -eq $((_n + 3)) ]" "$_d: 3 objects added"
	ok "[ -n \"\$(token_pub '$_l')\" ] && \
	    [ \"\$(token_pub '$_l')\" = \"\$(file_pub '$_f')\" ]" \
	    "$_d: the token holds the file's key"
}

# refused RC DESC FILE [ARGS]: exit RC, one line, nothing added
refused() {
	_rc=$1; _d=$2; _f=$3; shift 3
	_n=$(objects second)
	expect_rc "$_rc" "$_d" "$CK" $S ${PS:-$P} import ec --label bad \
	    --in "$_f" "$@"
	ok "[ \$(wc -l < '$err') -eq 1 ]" "$_d: one line on stderr"
	unchanged "$_n" "$_d" second
}

# --- export from the first token, each curve and cipher ----------------------
for c in 256 384 521; do
	expect_rc 0 "generate ec P-$c exportable" "$CK" generate ec \
	    --label "e$c" --keysize "$c" --exportable
	"$CK" export ec --public --label "e$c" > "$F/e$c.pub" 2>"$err"
	for ci in aes256 3des des; do
		expect_rc 0 "export ec P-$c --cipher $ci" "$CK" $P export ec \
		    --label "e$c" --cipher "$ci" --out "$F/e$c.$ci.pem"
		ok "[ \"\$(stat -c %a '$F/e$c.$ci.pem')\" = 600 ]" \
		    "P-$c $ci: file mode 0600"
		ok "[ \"\$(file_pub '$F/e$c.$ci.pem')\" = \"\$(sed -n '/BEGIN PUBLIC/,/END PUBLIC/p' '$F/e$c.pub')\" ]" \
		    "P-$c $ci: OpenSSL reads the private key, and it is the pair's"
	done
	contains "$F/e$c.aes256.pem" "-----BEGIN ENCRYPTED PRIVATE KEY-----" \
	    "P-$c aes256: PKCS#8 ENCRYPTED PRIVATE KEY"
	contains "$F/e$c.3des.pem" "-----BEGIN EC PRIVATE KEY-----" \
	    "P-$c 3des: traditional EC PRIVATE KEY"
	contains "$F/e$c.3des.pem" "DEK-Info: DES-EDE3-CBC," \
	    "P-$c 3des: DES-EDE3-CBC"
	ok "openssl ec -in '$F/e$c.3des.pem' -passin 'file:$T/pass' -text \
	    -noout 2>/dev/null | grep -q '^pub:'" \
	    "P-$c 3des: the SEC 1 key carries its public point"
	ok "! grep -q 'BEGIN PRIVATE KEY' '$F/e$c.aes256.pem'" \
	    "P-$c: never a clear private key"
done

# --- round trips onto the second token ---------------------------------------
for c in 256 384 521; do
	for ci in aes256 3des; do
		imports_ok "import ec P-$c $ci" "i$c$ci" "$F/e$c.$ci.pem"
	done
	sed -n '/BEGIN PUBLIC/,/END PUBLIC/p' "$F/e$c.pub" > "$F/e$c.spki"
	ok "ecdsa_ok i${c}3des '$F/e$c.spki'" \
	    "P-$c: the imported key signs what the original public key verifies"
done
"$CK" $S show --json --label i384aes256 > "$T/j" 2>"$err"
ok "[ \"\$(jget '$T/j' 'd[0][\"curve\"]')\" = P-384 ]" "imported: curve P-384"
ok "[ \"\$(jget '$T/j' 'd[0][\"exportable\"]')\" = false ]" \
    "imported: not exportable by default"
n=$(objects second)
expect_rc 5 "export of the imported non-exportable key" "$CK" $S $P export ec \
    --label i384aes256 --out "$F/no.pem"
contains "$err" "not exportable" "refusal says why"
ok "[ ! -e '$F/no.pem' ]" "no file written"
expect_rc 0 "--public of a non-exportable key" "$CK" $S export ec --public \
    --label i384aes256
unchanged "$n" "exports change nothing" second

# --- files OpenSSL writes ---------------------------------------------------------
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -pkeyopt ec_param_enc:named_curve -out "$F/o-p8.pem"
imports_ok "OpenSSL PKCS#8, clear" o-p8 "$F/o-p8.pem"
ossl ec -in "$F/o-p8.pem" -out "$F/o-trad.pem"
imports_ok "OpenSSL EC PRIVATE KEY, clear" o-trad "$F/o-trad.pem"
ossl ec -in "$F/o-p8.pem" -aes256 -passout "file:$T/pass" -out "$F/o-aes.pem"
imports_ok "OpenSSL EC PRIVATE KEY, AES-256-CBC" o-aes "$F/o-aes.pem"
ossl pkcs8 -topk8 -in "$F/o-p8.pem" -v2 aes-256-cbc -passout "file:$T/pass" \
    -out "$F/o-p8enc.pem"
imports_ok "OpenSSL PKCS#8 encrypted" o-p8enc "$F/o-p8enc.pem" --exportable
"$CK" $S show --json --label o-p8enc > "$T/j" 2>"$err"
ok "[ \"\$(jget '$T/j' 'd[0][\"exportable\"]')\" = true ]" "--exportable honoured"
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$F/o384.pem"
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$F/o384b.pem"
cat "$F/o384.pem" "$F/o384b.pem" > "$F/o-two.pem"
_n=$(objects second)
expect_rc 0 "usage keys from two EC keys" "$CK" $S $P import ec --label o-uk \
    --in "$F/o-two.pem" --usage usage-keys
ok "[ \$(objects second) -eq $((_n + 6)) ]" "usage keys: 6 objects added"

# --- a token that cannot unwrap: C_CreateObject -------------------------------------
FM="$top_builddir/tests/faultmod/.libs/faultmod.so"
if [ -f "$FM" ]; then
	_n=$(objects second)
	expect_rc 0 "import ec through a token that cannot unwrap" env \
	    CRYPTOKEY_FAULT_TARGET="$SOFTHSM_MODULE" CRYPTOKEY_FAULT_NO_UNWRAP=1 \
	    "$CK" --module "$FM" $S $P import ec --label nounwrap \
	    --in "$F/e521.3des.pem"
	ok "[ \$(objects second) -eq $((_n + 3)) ]" "no unwrap: 3 objects added"
	ok "ecdsa_ok nounwrap '$F/e521.spki'" "no unwrap: the key signs"
else
	pass "# SKIP no fault module"
fi

# --- refusals ------------------------------------------------------------------------
PS=$W refused 6 "wrong passphrase (PKCS#8)" "$F/e256.aes256.pem"
PS=$W refused 6 "wrong passphrase (traditional 3DES)" "$F/e256.3des.pem"
head -c 300 "$F/e384.3des.pem" > "$F/trunc.pem"
refused 7 "truncated EC PEM" "$F/trunc.pem"
awk 'NR == 2 { gsub(/[A-Za-z]/, "*") } { print }' "$F/o-trad.pem" \
    > "$F/garbage.pem"
refused 7 "garbage base64 in an EC key" "$F/garbage.pem"
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1 \
    -out "$F/k1.pem"
refused 7 "a secp256k1 key" "$F/k1.pem"
contains "$err" "curve" "secp256k1: the curve is named as the reason"
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -pkeyopt ec_param_enc:explicit -out "$F/explicit.pem"
refused 7 "explicit curve parameters" "$F/explicit.pem"
ossl genrsa -out "$F/rsa.pem" 1024
refused 7 "an RSA key for import ec" "$F/rsa.pem"
contains "$err" "EC keys" "RSA for ec: says EC keys are wanted"
_n=$(objects second)
expect_rc 7 "an EC key for import rsa" "$CK" $S $P import rsa --label bad \
    --in "$F/o-p8.pem"
unchanged "$_n" "EC for rsa" second
cat "$F/e256.pub" "$F/o-trad.pem" > "$F/mismatch.pem"
refused 7 "an EC public key that is not the private key's" "$F/mismatch.pem"
ossl pkey -in "$F/o-p8.pem" -pubout -out "$F/pubonly.pem"
refused 7 "an EC public key only" "$F/pubonly.pem"
refused 4 "an existing name" "$F/o-p8.pem" --label o-p8
ossl genpkey -algorithm ED25519 -out "$F/ed.pem"
refused 2 "Ed25519 as an encryption key" "$F/ed.pem" --usage encryption
_n=$(objects second)
if "$CK" $S $P import ec --label ed --in "$F/ed.pem" >/dev/null 2>"$err"; then
	pass "Ed25519 import (the token unwraps Ed25519)"
else
	# SoftHSM 2.6 neither wraps nor unwraps CKK_EC_EDWARDS keys
	rc=$?
	ok "[ $rc -eq 8 ] && [ \$(wc -l < '$err') -eq 1 ]" \
	    "Ed25519 import: a token failure (exit 8), said once"
	unchanged "$_n" "Ed25519 import refused by the token" second
fi

# --- Ed25519 export ---------------------------------------------------------------------
expect_rc 0 "generate ec --curve ed25519 --exportable" "$CK" generate ec \
    --label ed --curve ed25519 --exportable
expect_rc 2 "Ed25519 export --cipher 3des" "$CK" $P export ec --label ed \
    --cipher 3des --out "$F/ed3.pem"
contains "$err" "aes256" "the refusal names the way that works"
expect_rc 0 "Ed25519 export --public" "$CK" export ec --public --label ed
contains "$out" "BEGIN PUBLIC KEY" "Ed25519 public key exported"
"$CK" $P export ec --label ed --out "$F/ed-aes.pem" >/dev/null 2>"$err"
rc=$?
ok "[ $rc -eq 0 ] || [ $rc -eq 5 ] || [ $rc -eq 8 ]" \
    "Ed25519 private export: done or refused by the token (exit $rc)"

# --- type filters -------------------------------------------------------------------------
expect_rc 3 "export rsa of an EC key" "$CK" export rsa --public --label e256
expect_rc 0 "generate rsa" "$CK" generate rsa --label r1 --modulus 1024
expect_rc 3 "export ec of an RSA key" "$CK" export ec --public --label r1

done_testing
