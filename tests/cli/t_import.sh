#!/bin/sh
# t_import.sh -- cryptokey import rsa: files written by OpenSSL in every
# format the issue names, round trips through cryptokey export onto a
# second token (same key, the imported key signs through OpenSSL's pkcs11
# engine and the original public key verifies), --exportable, --usage,
# --replace, --in -, and bad input: each refused with its exit code and a
# one-line message, with the token's object count unchanged.
. "$top_srcdir/tests/cli/lib.sh"

command -v unchanged >/dev/null 2>&1 || unchanged() {
	_now=$(objects "${3:-test}")
	if [ "$_now" -eq "$1" ]; then pass "$2: object count unchanged ($1)"
	else fail "$2: object count $_now, was $1"; fi
}

setup_template
add_token second
printf '%s\n' 'import-pass-1' > "$T/pass"
printf '%s\n' 'not-the-pass' > "$T/wrong"
chmod 600 "$T/pass" "$T/wrong"
P="--passphrase-source file:$T/pass"
W="--passphrase-source file:$T/wrong"
S="--token second"
F="$T/f"
mkdir "$F"

ossl() { openssl "$@" 2>>"$T/openssl.log"; }
# file_pub FILE [PASSFILE]: the public key of a key file
file_pub() {
	openssl pkey -provider legacy -provider default -in "$1" \
	    -passin "file:${2:-$T/pass}" -pubout 2>/dev/null
}
# token_pub LABEL [TOKEN]: the public key(s) cryptokey holds under LABEL
token_pub() {
	"$CK" --token "${2:-second}" export rsa --public --label "$1" \
	    2>/dev/null | sed -n '/-----BEGIN PUBLIC KEY-----/,/-----END/p'
}
json_field() {
	"$CK" --token second show --json --label "$1" >"$T/j" 2>/dev/null
	jget "$T/j" "$2"
}

# imports_ok DESC LABEL FILE [ARGS]: exit 0, 3 objects more, same public key
# as FILE (or as $REF when OpenSSL cannot read FILE)
imports_ok() {
	_d=$1; _l=$2; _f=$3; shift 3
	_n=$(objects second)
	expect_rc 0 "$_d" "$CK" $S $P import rsa --label "$_l" --in "$_f" "$@"
	ok "[ \$(objects second) -eq $((_n + 3)) ]" "$_d: 3 objects added"
	ok "[ -n \"\$(token_pub '$_l')\" ] && \
	    [ \"\$(token_pub '$_l')\" = \"\$(file_pub '${REF:-$_f}')\" ]" \
	    "$_d: the token holds the file's key (same modulus)"
}

# refused RC DESC FILE [ARGS]: exit RC, one line, nothing added; the
# passphrase source is $PS (default: the right passphrase)
refused() {
	_rc=$1; _d=$2; _f=$3; shift 3
	_n=$(objects second)
	expect_rc "$_rc" "$_d" "$CK" $S ${PS:-$P} import rsa --label bad \
	    --in "$_f" "$@"
	ok "[ \$(wc -l < '$err') -eq 1 ]" "$_d: one line of error"
	unchanged "$_n" "$_d" second
}

# --- files from OpenSSL --------------------------------------------------------
ossl genrsa -out "$F/k.pem" 2048
ossl rsa -in "$F/k.pem" -traditional -out "$F/pkcs1.pem"
ossl rsa -in "$F/k.pem" -des3 -traditional -passout "file:$T/pass" \
    -out "$F/des3.pem"
ossl rsa -in "$F/k.pem" -aes256 -traditional -passout "file:$T/pass" \
    -out "$F/aes-trad.pem"
ossl rsa -provider legacy -provider default -in "$F/k.pem" -des \
    -traditional -passout "file:$T/pass" -out "$F/des.pem"
ossl genrsa -des3 -passout "file:$T/pass" -out "$F/genrsa-des3.pem" 2048
ossl genrsa -aes256 -passout "file:$T/pass" -out "$F/genrsa-aes256.pem" 2048
ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$F/gp.pem"
ossl pkcs8 -topk8 -v2 aes-256-cbc -in "$F/gp.pem" -passout "file:$T/pass" \
    -out "$F/p8-aes.pem"
ossl pkcs8 -topk8 -v2 des-cbc -provider legacy -provider default \
    -in "$F/gp.pem" -passout "file:$T/pass" -out "$F/p8-des.pem"
ossl pkcs8 -topk8 -scrypt -in "$F/gp.pem" -passout "file:$T/pass" \
    -out "$F/p8-scrypt.pem"
ok "head -1 '$F/k.pem' | grep -q 'BEGIN PRIVATE KEY'" "fixture: plain PKCS#8"
ok "head -1 '$F/pkcs1.pem' | grep -q 'BEGIN RSA PRIVATE KEY' && \
    ! grep -q Proc-Type '$F/pkcs1.pem'" "fixture: plain PKCS#1"
for f in des3 aes-trad des; do
	ok "grep -q 'Proc-Type: 4,ENCRYPTED' '$F/$f.pem'" \
	    "fixture $f.pem is encrypted (no legacy-provider trap)"
done
ok "grep -q 'DEK-Info: DES-CBC,' '$F/des.pem'" "fixture des.pem is DES-CBC"

imports_ok "unencrypted PKCS#8 (openssl genrsa)" o-p8 "$F/k.pem"
imports_ok "unencrypted PKCS#1 (traditional)" o-pkcs1 "$F/pkcs1.pem"
imports_ok "traditional 3DES (openssl rsa -des3)" o-des3 "$F/des3.pem"
imports_ok "traditional AES-256 (openssl rsa -aes256)" o-aestrad \
    "$F/aes-trad.pem"
imports_ok "traditional DES (legacy provider)" o-des "$F/des.pem"
imports_ok "openssl genrsa -des3" o-gdes3 "$F/genrsa-des3.pem"
imports_ok "openssl genrsa -aes256" o-gaes "$F/genrsa-aes256.pem"
imports_ok "openssl genpkey + pkcs8 -topk8 -v2 aes-256-cbc" o-p8aes \
    "$F/p8-aes.pem"
imports_ok "PKCS#8 with DES-CBC (legacy provider)" o-p8des "$F/p8-des.pem"
imports_ok "PKCS#8 with scrypt" o-p8scrypt "$F/p8-scrypt.pem"

ok "[ \"\$(json_field o-des3 'd[0][\"exportable\"]')\" = false ]" \
    "imported keys are not exportable by default"
ok "[ \"\$(json_field o-des3 'd[0][\"usage\"]')\" = general ]" \
    "imported keys are general purpose by default"
id=$(json_field o-des3 'd[0]["id"]')
P11_TOKEN=second p11_block "Private Key" "$id" > "$T/blk" 2>/dev/null
contains "$T/blk" "sensitive" "pkcs11-tool: the imported key is sensitive"
ok "! grep -q ', extractable' '$T/blk'" \
    "pkcs11-tool: the imported key is not extractable"
expect_rc 5 "an imported key is not exportable" "$CK" $S $P export rsa \
    --label o-des3
contains "$err" "'o-des3'" "refusal names the imported key"

# --- signing with the imported key (OpenSSL's pkcs11 engine) -----------------
printf 'message to sign\n' > "$T/msg"
openssl dgst -sha256 -binary "$T/msg" > "$T/msg.sha256"
engine_ok=0
openssl engine pkcs11 -t >/dev/null 2>&1 && engine_ok=1
# signs LABEL PUBFILE DESC: sign on token "second", verify with PUBFILE
signs() {
	if [ "$engine_ok" -ne 1 ]; then
		pass "$3 # SKIP no OpenSSL pkcs11 engine"
		return
	fi
	rm -f "$T/sig"
	PKCS11_MODULE_PATH="$SOFTHSM_MODULE" openssl pkeyutl -sign \
	    -engine pkcs11 -keyform engine \
	    -inkey "pkcs11:token=second;object=$1;type=private?pin-value=$PIN" \
	    -in "$T/msg.sha256" -pkeyopt digest:sha256 -out "$T/sig" \
	    >/dev/null 2>&1
	ok "openssl pkeyutl -verify -pubin -inkey '$2' -in '$T/msg.sha256' \
	    -sigfile '$T/sig' -pkeyopt digest:sha256 2>/dev/null |
	    grep -q 'Verified Successfully'" "$3"
}
file_pub "$F/des3.pem" > "$T/k.pub"
signs o-des3 "$T/k.pub" "openssl genrsa key: imported key signs, file's public key verifies"

# --- round trips: cryptokey export -> import on another token ----------------
token_pub tpl-exp test > "$T/orig.pub"
for c in aes256 3des des; do
	expect_rc 0 "export tpl-exp --cipher $c" "$CK" $P export rsa \
	    --label tpl-exp --cipher $c --out "$T/rt-$c.pem"
	imports_ok "round trip $c" "rt-$c" "$T/rt-$c.pem"
	ok "[ \"\$(token_pub rt-$c)\" = \"\$(cat '$T/orig.pub')\" ]" \
	    "round trip $c: same modulus as the original"
	signs "rt-$c" "$T/orig.pub" \
	    "round trip $c: imported key signs, original public key verifies"
done

# --exportable: the imported key can go on
imports_ok "--exportable" rt-exp "$T/rt-3des.pem" --exportable
ok "[ \"\$(json_field rt-exp 'd[0][\"exportable\"]')\" = true ]" \
    "--exportable: show says exportable"
expect_rc 0 "--exportable: export again" "$CK" $S $P export rsa \
    --label rt-exp --out "$T/again.pem"
ok "[ \"\$(file_pub '$T/again.pem')\" = \"\$(cat '$T/orig.pub')\" ]" \
    "--exportable: exported again, same key"

# --usage signature / encryption
imports_ok "--usage signature" u-sig "$F/k.pem" --usage signature
ok "[ \"\$(json_field u-sig 'd[0][\"usage\"]')\" = signature ]" \
    "--usage signature: a signature pair"
imports_ok "--usage encryption" u-enc "$F/k.pem" --usage encryption
ok "[ \"\$(json_field u-enc 'd[0][\"usage\"]')\" = encryption ]" \
    "--usage encryption: an encryption pair"
imports_ok "--usage general" u-gen "$F/k.pem" --usage general

# usage keys: both pairs, as export writes them
"$CK" --quiet generate rsa --label ukx --usage-keys --exportable \
    --modulus 1024 2>"$err" || fail "generate exportable usage keys"
expect_rc 0 "export usage keys" "$CK" $P export rsa --label ukx \
    --cipher 3des --out "$T/uk.pem"
n=$(objects second)
expect_rc 0 "import --usage usage-keys" "$CK" $S $P import rsa --label ukx \
    --in "$T/uk.pem" --usage usage-keys
ok "[ \$(objects second) -eq $((n + 6)) ]" "usage keys: 6 objects added"
"$CK" --token second show --json --label ukx > "$T/uk.json" 2>/dev/null
"$CK" show --json --label ukx > "$T/uk-orig.json" 2>/dev/null
ok "[ \"\$(jget '$T/uk.json' '[k[\"usage\"] for k in d]')\" = \
    '[\"signature\", \"encryption\"]' ]" "usage keys: a signature and an encryption pair"
ok "[ \"\$(jget '$T/uk.json' '[k[\"public_key\"] for k in d]')\" = \
    \"\$(jget '$T/uk-orig.json' '[k[\"public_key\"] for k in d]')\" ]" \
    "usage keys: each pair has its original key"
refused 7 "usage keys without --usage usage-keys" "$T/uk.pem"
contains "$err" "usage-keys" "the message suggests --usage usage-keys"
refused 7 "--usage usage-keys with one key" "$F/k.pem" --usage usage-keys

# --- --replace and --in - ---------------------------------------------------------
n=$(objects second)
expect_rc 4 "an existing name is refused" "$CK" $S $P import rsa \
    --label o-p8 --in "$F/gp.pem"
unchanged "$n" "existing name" second
expect_rc 0 "--replace" "$CK" $S $P import rsa --label o-p8 \
    --in "$F/gp.pem" --replace
ok "[ \$(objects second) -eq $n ]" "--replace: old pair removed, new one added"
ok "[ \"\$(token_pub o-p8)\" = \"\$(file_pub '$F/gp.pem')\" ]" \
    "--replace: the name holds the new key"
n=$(objects second)
n1=$(objects test)
expect_rc 0 "--on second (storage token is test)" "$CK" $P import rsa \
    --label on-second --in "$F/k.pem" --on second
ok "[ \$(objects second) -eq $((n + 3)) ] && [ \$(objects test) -eq $n1 ]" \
    "--on: the pair went to the token named, not to the storage token"
"$CK" $S $P import rsa --label stdin --in - < "$F/des3.pem" >"$out" 2>"$err"
ok "[ \$? -eq 0 ]" "--in - reads standard input"
ok "[ \"\$(token_pub stdin)\" = \"\$(cat '$T/k.pub')\" ]" \
    "--in -: the key from standard input"

# --- what people paste: IOS transcripts, CRLF, certificates -------------------------
# An IOS terminal export, with its debug text glued to a BEGIN line and
# "quit" lines, as seen in transcripts.
{
	printf '%% Key name: vpn\n   Usage: General Purpose Key\n   Key data:\n'
	file_pub "$F/des3.pem"
	printf 'quit\nbase64 len 3248'
	cat "$F/des3.pem"
	printf 'quit\n'
} > "$F/ios.txt"
REF="$F/des3.pem"
imports_ok "an IOS terminal transcript" ios "$F/ios.txt"
REF=
sed 's/$/\r/' "$F/des3.pem" > "$F/crlf.pem"
imports_ok "CRLF line ends" crlf "$F/crlf.pem"
ossl req -new -x509 -key "$F/k.pem" -subj /CN=gw -days 30 -out "$F/cert.pem"
cat "$F/cert.pem" "$F/k.pem" > "$F/cert-key.pem"
imports_ok "a certificate with its key" certkey "$F/cert-key.pem"

# --- bad input ---------------------------------------------------------------------
PS=$W
refused 6 "wrong passphrase (PKCS#8 AES)" "$F/p8-aes.pem"
refused 6 "wrong passphrase (traditional 3DES)" "$F/des3.pem"
refused 6 "wrong passphrase (cryptokey export aes256)" "$T/rt-aes256.pem"
PS=
contains "$err" "passphrase" "wrong passphrase: said so"
head -c 900 "$F/des3.pem" > "$F/trunc.pem"
refused 7 "truncated PEM" "$F/trunc.pem"
contains "$err" "truncated" "truncated: said so"
awk 'NR == 6 { gsub(/[A-Za-z]/, "*") } { print }' "$F/pkcs1.pem" \
    > "$F/garbage.pem"
refused 7 "garbage base64" "$F/garbage.pem"
contains "$err" "base64" "garbage base64: said so"
awk 'NR == 3 { $0 = substr($0, 1, 20) substr($0, 30) } { print }' \
    "$F/pkcs1.pem" > "$F/short-line.pem"
refused 7 "base64 with characters missing" "$F/short-line.pem"
file_pub "$F/k.pem" > "$F/pub.pem"
refused 7 "a public key only" "$F/pub.pem"
contains "$err" "public key" "public key only: said so"
ossl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:1024 \
    -out "$F/dsap.pem"
ossl genpkey -paramfile "$F/dsap.pem" -out "$F/dsa.pem"
ossl pkey -in "$F/dsa.pem" -traditional -out "$F/dsa-trad.pem"
refused 7 "a DSA key (PKCS#8)" "$F/dsa.pem"
contains "$err" "DSA" "DSA: named"
refused 7 "a DSA key (traditional)" "$F/dsa-trad.pem"
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$F/ec.pem"
ossl ec -in "$F/ec.pem" -out "$F/ec-trad.pem"
refused 7 "an EC key (PKCS#8)" "$F/ec.pem"
contains "$err" "EC" "EC: named"
refused 7 "an EC key (traditional)" "$F/ec-trad.pem"
: > "$F/empty.pem"
refused 7 "an empty file" "$F/empty.pem"
yes 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj' |
    head -c 10485760 > "$F/big.pem"
refused 7 "a 10 MB file" "$F/big.pem"
refused 7 "a directory" "$F"
ossl rsa -in "$F/k.pem" -outform DER -out "$F/k.der"
refused 7 "DER instead of PEM" "$F/k.der"
printf 'hello\nthis is not a key\n' > "$F/text.pem"
refused 7 "text without a PEM block" "$F/text.pem"
ossl genrsa -out "$F/small.pem" 512
refused 7 "a 512-bit RSA key" "$F/small.pem"
cat "$F/pub.pem" "$F/gp.pem" > "$F/mismatch.pem"
refused 7 "a public key that is not the private key's" "$F/mismatch.pem"
cat "$F/cert.pem" "$F/gp.pem" > "$F/cert-other.pem"
refused 7 "a certificate of another key" "$F/cert-other.pem"
cat "$F/k.pem" "$F/gp.pem" > "$F/two.pem"
refused 7 "two keys for a general pair" "$F/two.pem"
sed 's/END PRIVATE KEY/END RSA PRIVATE KEY/' "$F/k.pem" > "$F/badend.pem"
refused 7 "END line of another type" "$F/badend.pem"
sed 's/DEK-Info: DES-EDE3-CBC/DEK-Info: CAMELLIA-9-CBC/' "$F/des3.pem" \
    > "$F/unknown-cipher.pem"
refused 7 "unknown DEK-Info cipher" "$F/unknown-cipher.pem"
n=$(objects second)
expect_rc 3 "a missing file" "$CK" $S $P import rsa --label bad \
    --in "$F/no-such.pem"
unchanged "$n" "a missing file" second
expect_rc 2 "no --in" "$CK" $S $P import rsa --label bad
expect_rc 2 "no --label" "$CK" $S $P import rsa --in "$F/k.pem"
expect_rc 2 "unknown --usage" "$CK" $S $P import rsa --label bad \
    --in "$F/k.pem" --usage both
unchanged "$n" "usage errors" second

done_testing
