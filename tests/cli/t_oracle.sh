#!/bin/sh
# t_oracle.sh -- standard tools confirm what cryptokey claims: pkcs11-tool
# and p11tool see the labels, IDs and attributes, OpenSSL's pkcs11 engine
# signs with the keys, and the signatures verify with the shown public key.
. "$top_srcdir/tests/cli/lib.sh"

setup_template
J="$T/show.json"
"$CK" show --json >"$J" 2>"$err" || { echo "Bail out! show --json failed"; exit 1; }

# key_field LABEL USAGE FIELD: a field of one pair in show --json
key_field() {
	jget "$J" "[k['$3'] for k in d if k['label'] == '$1' and k['usage'] == '$2'][0]"
}
gen_id=$(key_field tpl-gen general id)
exp_id=$(key_field tpl-exp general id)
sig_id=$(key_field tpl-usage signature id)
enc_id=$(key_field tpl-usage encryption id)
ok "[ -n '$gen_id' ] && [ -n '$exp_id' ] && [ -n '$sig_id' ] && [ -n '$enc_id' ]" \
    "show --json gives the IDs"

# field BLOCKFILE NAME: the value of "NAME:" in a pkcs11-tool block
field() { sed -n "s/^ *$2: *//p" "$1" | head -n 1; }

# --- pkcs11-tool: label, ID, sensitive, extractable, usage -----------------
# check_pair LABEL ID never|yes PRIV_USAGE KIND PUB_USAGE
check_pair() {
	p11_block "Private Key" "$2" > "$T/priv"
	p11_block "Public Key" "$2" > "$T/pub"
	ok "[ \"\$(field '$T/priv' label)\" = '$1' ]" "$1 ($5): private key has the label"
	ok "[ \"\$(field '$T/priv' ID)\" = '$2' ]" "$1 ($5): private key has show's ID"
	ok "[ \"\$(field '$T/pub' label)\" = '$1' ]" "$1 ($5): public key has the label"
	ok "[ \"\$(field '$T/pub' ID)\" = '$2' ]" "$1 ($5): public key has show's ID"
	_acc=$(field "$T/priv" Access)
	ok "echo '$_acc' | grep -q '^sensitive, always sensitive'" \
	    "$1 ($5): private key sensitive, always sensitive ($_acc)"
	if [ "$3" = never ]; then
		ok "echo '$_acc' | grep -q 'never extractable'" \
		    "$1 ($5): private key never extractable"
	else
		ok "echo '$_acc' | grep -q ', extractable' && ! echo '$_acc' | grep -q never" \
		    "$1 ($5): private key extractable"
	fi
	ok "[ \"\$(field '$T/priv' Usage)\" = '$4' ]" \
	    "$1 ($5): private key usage is '$4'"
	ok "[ \"\$(field '$T/pub' Usage)\" = '$6' ]" \
	    "$1 ($5): public key usage is '$6'"
}
check_pair tpl-gen "$gen_id" never "decrypt, sign" general "encrypt, verify"
check_pair tpl-exp "$exp_id" yes "decrypt, sign" general "encrypt, verify"
check_pair tpl-usage "$sig_id" never "sign" signature "verify"
check_pair tpl-usage "$enc_id" never "decrypt" encryption "encrypt"

# The public key pkcs11-tool reads is the one show prints.
for k in "tpl-gen general $gen_id" "tpl-usage signature $sig_id" \
    "tpl-usage encryption $enc_id"; do
	set -- $k
	p11 --read-object --type pubkey --id "$3" -o "$T/p11pub.der" >/dev/null 2>&1
	key_field "$1" "$2" public_key > "$T/show.pem"
	openssl pkey -pubin -in "$T/show.pem" -outform DER -out "$T/show.der" 2>/dev/null
	ok "cmp -s '$T/p11pub.der' '$T/show.der'" \
	    "$1 ($2): pkcs11-tool --read-object gives show's public key"
done
# The cryptokey-meta record: a private data object of the same label.
p11 --list-objects 2>/dev/null > "$T/all"
ok "[ \$(grep -c \"application: *'cryptokey-meta'\" '$T/all') -eq 4 ]" \
    "one cryptokey-meta data object per pair"

# --- OpenSSL's pkcs11 engine signs; the shown public key verifies ----------
PKCS11_MODULE_PATH="$SOFTHSM_MODULE"
export PKCS11_MODULE_PATH
printf 'cryptokey oracle test\n' > "$T/msg"
openssl dgst -sha256 -binary "$T/msg" > "$T/msg.sha256"

# engine_sign URI SIGFILE: PKCS#1 v1.5 over the SHA-256 of $T/msg
engine_sign() {
	openssl pkeyutl -sign -engine pkcs11 -keyform engine \
	    -inkey "$1;type=private?pin-value=$PIN" -in "$T/msg.sha256" \
	    -pkeyopt digest:sha256 -out "$2" >"$out" 2>"$err" && [ -s "$2" ]
}
# show_verify LABEL USAGE SIGFILE
show_verify() {
	key_field "$1" "$2" public_key > "$T/verify.pem"
	openssl pkeyutl -verify -pubin -inkey "$T/verify.pem" \
	    -in "$T/msg.sha256" -sigfile "$3" -pkeyopt digest:sha256 \
	    >"$out" 2>"$err"
}

engine_sign "pkcs11:token=test;object=tpl-gen" "$T/gen.sig"
ok "[ $? -eq 0 ]" "engine signs with tpl-gen (pkcs11:token=test;object=tpl-gen)"
show_verify tpl-gen general "$T/gen.sig"
ok "[ $? -eq 0 ] && grep -q 'Signature Verified Successfully' '$out'" \
    "the signature verifies with show's public key"
openssl dgst -sha256 -engine pkcs11 -keyform engine \
    -sign "pkcs11:token=test;object=tpl-gen;type=private?pin-value=$PIN" \
    -out "$T/gen2.sig" "$T/msg" >/dev/null 2>&1
key_field tpl-gen general public_key > "$T/gen.pem"
openssl dgst -sha256 -verify "$T/gen.pem" -signature "$T/gen2.sig" "$T/msg" \
    >"$out" 2>"$err"
ok "[ $? -eq 0 ]" "openssl dgst -sign through the engine verifies too"
show_verify tpl-exp general "$T/gen.sig"
ok "[ $? -ne 0 ]" "another key's public key does not verify it"

sig_uri=$(key_field tpl-usage signature uri)
engine_sign "$sig_uri" "$T/sig.sig"
ok "[ $? -eq 0 ]" "engine signs with the signature key through show's URI"
show_verify tpl-usage signature "$T/sig.sig"
ok "[ $? -eq 0 ]" "the signature key's signature verifies"
enc_uri=$(key_field tpl-usage encryption uri)
engine_sign "$enc_uri" "$T/enc.sig"
ok "[ $? -ne 0 ]" "the encryption key refuses to sign"
contains "$err" "not permitted" "the token's refusal: key function not permitted"

# --- decrypt: the token decrypts for general and encryption keys only -----
printf 'secret for the token\n' > "$T/pt"
# token_decrypt LABEL USAGE ID
token_decrypt() {
	key_field "$1" "$2" public_key > "$T/enc.pem"
	openssl pkeyutl -encrypt -pubin -inkey "$T/enc.pem" -in "$T/pt" \
	    -out "$T/ct" 2>/dev/null || return 1
	rm -f "$T/pt2"
	p11 --decrypt --id "$3" -m RSA-PKCS --input-file "$T/ct" \
	    --output-file "$T/pt2" >"$out" 2>"$err" && cmp -s "$T/pt" "$T/pt2"
}
token_decrypt tpl-gen general "$gen_id"
ok "[ $? -eq 0 ]" "the general key decrypts (pkcs11-tool --decrypt)"
token_decrypt tpl-usage encryption "$enc_id"
ok "[ $? -eq 0 ]" "the encryption key decrypts"
token_decrypt tpl-usage signature "$sig_id"
ok "[ $? -ne 0 ]" "the signature key refuses to decrypt"
contains "$err" "CKR_KEY_FUNCTION_NOT_PERMITTED" "the token's refusal: CKR_KEY_FUNCTION_NOT_PERMITTED"
p11 --sign --id "$enc_id" -m SHA256-RSA-PKCS --input-file "$T/msg" \
    --output-file "$T/p11.sig" >/dev/null 2>&1
ok "[ $? -ne 0 ]" "pkcs11-tool cannot sign with the encryption key either"

# --- p11tool (GnuTLS) sees the objects by label ----------------------------
GNUTLS_PIN=$PIN p11tool --provider "$SOFTHSM_MODULE" --login --list-all \
    "pkcs11:token=test" >"$T/p11tool" 2>"$err"
ok "[ $? -eq 0 ]" "p11tool --provider --list-all"
for l in tpl-gen tpl-exp tpl-usage; do
	ok "grep -q '^[[:space:]]*Label: $l\$' '$T/p11tool'" "p11tool lists $l"
done
ok "[ \$(grep -c 'Type: Private key' '$T/p11tool') -eq 4 ]" \
    "p11tool sees 4 private keys"
GNUTLS_PIN=$PIN p11tool --provider "$SOFTHSM_MODULE" --login --list-privkeys \
    "pkcs11:token=test;object=tpl-gen" >"$T/p11tool" 2>"$err"
ok "grep -q 'CKA_NEVER_EXTRACTABLE' '$T/p11tool' && grep -q 'CKA_SENSITIVE' '$T/p11tool'" \
    "p11tool: tpl-gen is sensitive and never extractable"
GNUTLS_PIN=$PIN p11tool --provider "$SOFTHSM_MODULE" --login --list-privkeys \
    "pkcs11:token=test;object=tpl-exp" >"$T/p11tool" 2>"$err"
ok "grep -q 'CKA_EXTRACTABLE' '$T/p11tool' && ! grep -q 'CKA_NEVER_EXTRACTABLE' '$T/p11tool'" \
    "p11tool: tpl-exp is extractable"

done_testing
