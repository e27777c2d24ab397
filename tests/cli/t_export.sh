#!/bin/sh
# t_export.sh -- cryptokey export rsa: the formats (PKCS#8 AES-256 with
# PBKDF2-HMAC-SHA256, IOS traditional 3DES and DES), files of mode 0600
# never overwritten without --force, --public, usage keys, and the
# refusals (non-exportable, unknown key, bad options), none of which may
# change the token or leave a file behind.
. "$top_srcdir/tests/cli/lib.sh"

command -v unchanged >/dev/null 2>&1 || unchanged() {
	_now=$(objects "${3:-test}")
	if [ "$_now" -eq "$1" ]; then pass "$2: object count unchanged ($1)"
	else fail "$2: object count $_now, was $1"; fi
}

setup_template
passphrase 'export-pass-1'

# blk FILE BEGIN-TYPE: the PEM blocks of that type in FILE
blk() { sed -n "/-----BEGIN $2-----/,/-----END $2-----/p" "$1"; }
# pubs FILE: the public key(s) of a file, as OpenSSL writes them
file_pub() {
	openssl pkey -in "$1" -passin "file:$T/pass" -pubout 2>/dev/null
}
mode() { stat -c %a "$1"; }

n=$(objects)

# --- PKCS#8, AES-256 (default) ---------------------------------------------
expect_rc 0 "export tpl-exp (default aes256) to stdout" \
    "$CK" $P export rsa --label tpl-exp
cp "$out" "$T/aes.pem"
contains "$T/aes.pem" "% Key name: tpl-exp" "IOS key name line"
contains "$T/aes.pem" "   Usage: General Purpose Key" "IOS usage line"
contains "$T/aes.pem" "-----BEGIN PUBLIC KEY-----" "public key as SPKI"
contains "$T/aes.pem" "-----BEGIN ENCRYPTED PRIVATE KEY-----" \
    "private key as encrypted PKCS#8"
ok "! grep -q 'BEGIN PRIVATE KEY\\|BEGIN RSA PRIVATE KEY' '$T/aes.pem'" \
    "no private key in clear"
blk "$T/aes.pem" "ENCRYPTED PRIVATE KEY" |
    openssl asn1parse > "$T/asn1" 2>&1
contains "$T/asn1" ":PBES2" "PKCS#8 uses PBES2"
contains "$T/asn1" ":PBKDF2" "PBES2 with PBKDF2"
contains "$T/asn1" ":hmacWithSHA256" "PBKDF2 with HMAC-SHA256"
contains "$T/asn1" ":aes-256-cbc" "PBES2 with AES-256-CBC"
contains "$T/asn1" "INTEGER           :0927C0" "600000 PBKDF2 iterations"
ok "openssl pkey -in '$T/aes.pem' -passin 'file:$T/pass' -check -noout \
    >/dev/null 2>&1" "OpenSSL decrypts it with the passphrase (key ok)"
ok "! openssl pkey -in '$T/aes.pem' -passin pass:wrong-pass -noout \
    >/dev/null 2>&1" "OpenSSL refuses another passphrase"
ok "[ \"\$(file_pub '$T/aes.pem')\" = \"\$(blk '$T/aes.pem' 'PUBLIC KEY')\" ]" \
    "the private key belongs to the exported public key"
"$CK" show --json --label tpl-exp > "$T/show.json" 2>"$err"
ok "[ \"\$(jget '$T/show.json' 'd[0][\"public_key\"]' | sed '/^\$/d')\" = \
    \"\$(blk '$T/aes.pem' 'PUBLIC KEY')\" ]" \
    "the public key is the one show reports"
expect_rc 0 "--cipher aes is aes256" "$CK" $P export rsa --label tpl-exp \
    --cipher aes
contains "$out" "-----BEGIN ENCRYPTED PRIVATE KEY-----" "aes: PKCS#8"

# --- traditional 3DES and DES (IOS) -----------------------------------------
expect_rc 0 "export --cipher 3des" "$CK" $P export rsa --label tpl-exp \
    --cipher 3des --out "$T/3des.pem"
contains "$T/3des.pem" "-----BEGIN RSA PRIVATE KEY-----" "3des: traditional"
contains "$T/3des.pem" "Proc-Type: 4,ENCRYPTED" "3des: Proc-Type"
ok "grep -qE '^DEK-Info: DES-EDE3-CBC,[0-9A-F]{16}\$' '$T/3des.pem'" \
    "3des: DEK-Info DES-EDE3-CBC with an 8-byte IV"
ok "openssl rsa -in '$T/3des.pem' -passin 'file:$T/pass' -check -noout \
    2>/dev/null | grep -q 'RSA key ok'" "3des: OpenSSL reads it (RSA key ok)"
ok "[ \"\$(file_pub '$T/3des.pem')\" = \"\$(blk '$T/aes.pem' 'PUBLIC KEY')\" ]" \
    "3des: same key as the aes256 export"

# Decrypted by hand, as IOS does it: key = MD5 chain over passphrase and
# IV[0..7] (EVP_BytesToKey, one round), 3DES-CBC; inside is PKCS#1.
iv=$(sed -n 's/^DEK-Info: DES-EDE3-CBC,//p' "$T/3des.pem")
key=$("$PYTHON" -c 'import hashlib, sys
p = open(sys.argv[1]).read().strip().encode()
s = bytes.fromhex(sys.argv[2])[:8]
d = k = b""
while len(k) < 24:
    d = hashlib.md5(d + p + s).digest(); k += d
print(k[:24].hex())' "$T/pass" "$iv")
sed -n '/BEGIN RSA PRIVATE/,/END RSA PRIVATE/p' "$T/3des.pem" | sed '1,3d;$d' |
    openssl base64 -d | openssl enc -d -des-ede3-cbc -K "$key" -iv "$iv" \
    2>/dev/null | openssl asn1parse -inform DER 2>/dev/null > "$T/p1"
ok "sed -n 2p '$T/p1' | grep -q 'INTEGER *:00\$' && \
    sed -n 4p '$T/p1' | grep -q 'INTEGER *:010001\$'" \
    "3des: MD5 key derivation, 3DES-CBC, PKCS#1 RSAPrivateKey inside (as IOS reads it)"

expect_rc 0 "export --cipher des" "$CK" $P export rsa --label tpl-exp \
    --cipher des --out "$T/des.pem"
contains "$T/des.pem" "Proc-Type: 4,ENCRYPTED" "des: Proc-Type"
ok "grep -qE '^DEK-Info: DES-CBC,[0-9A-F]{16}\$' '$T/des.pem'" \
    "des: DEK-Info DES-CBC"
ok "openssl rsa -provider legacy -provider default -in '$T/des.pem' \
    -passin 'file:$T/pass' -check -noout 2>/dev/null | grep -q 'RSA key ok'" \
    "des: OpenSSL with the legacy provider reads it"

# Without the legacy provider single DES must fail, loudly, with no file.
mkdir "$T/no-modules"
OPENSSL_MODULES="$T/no-modules" expect_rc 1 "des without the legacy provider" \
    "$CK" $P export rsa --label tpl-exp --cipher des --out "$T/nodes.pem"
contains "$err" "legacy provider" "the message names the legacy provider"
ok "[ ! -e '$T/nodes.pem' ]" "no file written without the legacy provider"
ok "[ ! -s '$out' ]" "nothing written to stdout either"

# --- files -------------------------------------------------------------------
ok "[ \"\$(mode '$T/3des.pem')\" = 600 ]" "--out creates the file mode 0600"
cksum "$T/3des.pem" > "$T/sum"
expect_rc 4 "an existing file is not overwritten" \
    "$CK" $P export rsa --label tpl-exp --out "$T/3des.pem"
contains "$err" "--force" "the message suggests --force"
ok "cksum '$T/3des.pem' | cmp -s - '$T/sum'" "the existing file is unchanged"
printf 'old\n' > "$T/old.pem"
chmod 644 "$T/old.pem"
expect_rc 0 "--force overwrites" "$CK" $P export rsa --label tpl-exp \
    --out "$T/old.pem" --force
contains "$T/old.pem" "ENCRYPTED PRIVATE KEY" "--force: new content"
ok "[ \"\$(mode '$T/old.pem')\" = 600 ]" "--force: the new file is mode 0600"
ok "[ \$(ls '$T' | grep -c 'old.pem.') -eq 0 ]" "no temporary file left"
expect_rc 2 "--out a directory" "$CK" $P export rsa --label tpl-exp \
    --out "$T/no-modules"
expect_rc 0 "--out - is standard output" "$CK" $P export rsa --public \
    --label tpl-exp --out -
contains "$out" "BEGIN PUBLIC KEY" "--out -: the key on stdout"

# --- --public ----------------------------------------------------------------
expect_rc 0 "--public of a non-exportable key, no passphrase source" \
    "$CK" --passphrase-source "file:$T/missing" export rsa --label tpl-gen \
    --public
contains "$out" "-----BEGIN PUBLIC KEY-----" "--public: the public key"
ok "! grep -q PRIVATE '$out'" "--public: no private key"
ok "[ \$(grep -c BEGIN '$out') -eq 1 ]" "--public: one block"

# --- refusals: non-exportable ------------------------------------------------
id=$("$CK" show --json --label tpl-gen 2>/dev/null | "$PYTHON" -c \
    'import json,sys; print(json.load(sys.stdin)[0]["id"])')
expect_rc 5 "non-exportable key refused" "$CK" $P export rsa --label tpl-gen \
    --out "$T/ne.pem"
contains "$err" "'tpl-gen'" "the message names the key"
contains "$err" "not exportable" "the message says why"
ok "[ \$(wc -l < '$err') -eq 1 ]" "one line of error"
ok "[ ! -e '$T/ne.pem' ]" "no file written"
unchanged "$n" "refused export"
p11_block "Private Key" "$id" > "$T/blk" 2>/dev/null ||
    pkcs11-tool --module "$SOFTHSM_MODULE" --token-label test --login \
    --pin "$PIN" --list-objects --type privkey --label tpl-gen > "$T/blk" 2>/dev/null
contains "$T/blk" "never extractable" \
    "pkcs11-tool: tpl-gen still never extractable"
ok "! grep -q ', extractable' '$T/blk'" "pkcs11-tool: tpl-gen not extractable"
contains "$T/blk" "sensitive" "pkcs11-tool: tpl-gen still sensitive"
expect_rc 5 "non-exportable usage keys refused" "$CK" $P export rsa \
    --label tpl-usage --cipher 3des
contains "$err" "'tpl-usage'" "usage keys: the message names the key"
ok "[ ! -s '$out' ]" "usage keys: nothing on stdout"

# --- usage keys ----------------------------------------------------------------
"$CK" --quiet generate rsa --label ukx --usage-keys --exportable \
    --modulus 1024 2>"$err" || fail "generate exportable usage keys"
n=$(objects)
expect_rc 0 "export exportable usage keys" "$CK" $P export rsa --label ukx \
    --cipher 3des --out "$T/uk.pem"
ok "[ \$(grep -c '^% Key name: ukx\$' '$T/uk.pem') -eq 2 ]" \
    "usage keys: two key name lines"
ok "[ \"\$(grep 'Usage:' '$T/uk.pem' | tr -s ' ')\" = \
    \"\$(printf ' Usage: Signature Key\n Usage: Encryption Key')\" ]" \
    "usage keys: Signature Key, then Encryption Key"
ok "[ \$(grep -c 'BEGIN PUBLIC KEY' '$T/uk.pem') -eq 2 ]" \
    "usage keys: two public keys"
ok "[ \$(grep -c 'Proc-Type: 4,ENCRYPTED' '$T/uk.pem') -eq 2 ]" \
    "usage keys: two encrypted private keys"
unchanged "$n" "export changes nothing"

# --- locked keys (when the lock verb exists) -------------------------------------
if "$CK" lock rsa --help >/dev/null 2>&1; then
	"$CK" --quiet generate rsa --label lk --exportable --modulus 1024 \
	    2>"$err" &&
	"$CK" $P --quiet encrypt rsa --label lk 2>"$err" &&
	"$CK" $P --quiet lock rsa --label lk 2>"$err" ||
	    fail "generate, encrypt and lock a key"
	n=$(objects)
	expect_rc 5 "a locked key is refused" "$CK" $P export rsa --label lk
	contains "$err" "'lk' is locked" "locked: the message says so"
	unchanged "$n" "locked key"
	expect_rc 0 "--public of a locked key" "$CK" export rsa --label lk \
	    --public
	contains "$out" "BEGIN PUBLIC KEY" "locked: the public key"
else
	pass "locked keys # SKIP no lock verb"
fi

# --- other refusals --------------------------------------------------------------
n=$(objects)
expect_rc 3 "unknown key" "$CK" $P export rsa --label no-such-key
contains "$err" "no-such-key" "unknown key: named"
expect_rc 2 "no --label" "$CK" $P export rsa
expect_rc 2 "unknown cipher" "$CK" $P export rsa --label tpl-exp --cipher rc4
printf 'abc\n' > "$T/short"
chmod 600 "$T/short"
expect_rc 2 "passphrase shorter than 4" "$CK" --passphrase-source \
    "file:$T/short" export rsa --label tpl-exp --out "$T/short.pem"
ok "[ ! -e '$T/short.pem' ]" "short passphrase: no file"
expect_rc 2 "no passphrase in batch mode" "$CK" --batch \
    --passphrase-source prompt export rsa --label tpl-exp --out "$T/b.pem"
ok "[ ! -e '$T/b.pem' ]" "batch: no file"
unchanged "$n" "refused exports"

done_testing
