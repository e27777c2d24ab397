#!/bin/sh
# t_protect.sh -- cryptokey encrypt, decrypt, lock and unlock rsa: the
# state machine plain -> encrypted+unlocked <-> encrypted+locked -> plain,
# what show says in each state, refusals that change nothing, and that a
# locked key cannot sign while an unlocked one signs with the same public
# key.  Passphrases come from files (--passphrase-source file:...).
. "$top_srcdir/tests/cli/lib.sh"

openssl engine pkcs11 -t >/dev/null 2>&1 || skip_all "no OpenSSL pkcs11 engine"
setup_template
printf '%s\n' 'good passphrase' > "$T/pass"
printf '%s\n' 'other passphrase' > "$T/wrong"
printf '%s\n' 'abc' > "$T/short"
chmod 600 "$T/pass" "$T/wrong" "$T/short"
P="--passphrase-source file:$T/pass"
W="--passphrase-source file:$T/wrong"
FAST="--kdf pbkdf2:1000"

# json LABEL EXPR: python EXPR over the first listed pair of LABEL (as k)
json() {
	"$CK" show --json --label "$1" > "$T/j" 2>/dev/null || return 1
	jget "$T/j" "(lambda k: $2)(d[0])"
}

# signs LABEL: OpenSSL's pkcs11 engine signs with the private key of that
# name and the signature verifies with the public key cryptokey lists
signs() {
	json "$1" 'k["public_key"]' > "$T/pub.pem"
	echo "message for $1" > "$T/msg"
	rm -f "$T/sig"
	PKCS11_MODULE_PATH="$SOFTHSM_MODULE" openssl pkeyutl -sign \
	    -engine pkcs11 -keyform engine \
	    -inkey "pkcs11:token=test;object=$1;type=private?pin-value=$PIN" \
	    -in "$T/msg" -out "$T/sig" >/dev/null 2>"$T/engine.err" &&
	openssl pkeyutl -verify -pubin -inkey "$T/pub.pem" -in "$T/msg" \
	    -sigfile "$T/sig" >/dev/null 2>&1
}

for v in "encrypt rsa:--label --all --kdf" "decrypt rsa:--label" \
    "lock rsa:--label --all --no-passphrase" "unlock rsa:--label --all"; do
	# shellcheck disable=SC2086
	expect_rc 0 "${v%%:*} --help" "$CK" ${v%%:*} --help
	for o in ${v#*:}; do
		contains "$out" "$o" "${v%%:*} --help lists $o"
	done
done
expect_rc 0 "--help lists the verbs" "$CK" --help
for v in encrypt decrypt lock unlock move; do
	contains "$out" "  $v rsa" "--help lists $v"
done
expect_rc 2 "lock with --label and --all" "$CK" lock rsa --label tpl-exp --all
expect_rc 2 "unlock without a key" "$CK" unlock rsa
expect_rc 2 "encrypt without rsa" "$CK" encrypt --label tpl-exp

PUB_EXP=$(json tpl-exp 'k["public_key"]')
ID_EXP=$(json tpl-exp 'k["id"]')
ok 'signs tpl-exp' "plain exportable key signs"

# --- refusals ----------------------------------------------------------------
n=$(objects)
expect_rc 5 "encrypt a non-exportable key" "$CK" $P encrypt rsa --label tpl-gen $FAST
contains "$err" "not exportable" "the refusal says why"
contains "$err" "tpl-gen" "the refusal names the key"
unchanged "$n" "non-exportable"
expect_rc 5 "encrypt --all with a non-exportable key among them" \
    "$CK" $P encrypt rsa --all $FAST
unchanged "$n" "encrypt --all refused"
expect_rc 3 "encrypt an unknown key" "$CK" $P encrypt rsa --label nosuch $FAST
unchanged "$n" "unknown key"
expect_rc 2 "encrypt with neither --label nor --all" "$CK" $P encrypt rsa
expect_rc 2 "encrypt with --label and --all" \
    "$CK" $P encrypt rsa --label tpl-exp --all
expect_rc 2 "encrypt with a bad --kdf" \
    "$CK" $P encrypt rsa --label tpl-exp --kdf md5:1
expect_rc 2 "encrypt with too few PBKDF2 iterations" \
    "$CK" $P encrypt rsa --label tpl-exp --kdf pbkdf2:10
expect_rc 2 "encrypt with scrypt N not a power of 2" \
    "$CK" $P encrypt rsa --label tpl-exp --kdf scrypt:1000:8:1
expect_rc 2 "encrypt with a passphrase shorter than 4" \
    "$CK" --passphrase-source "file:$T/short" encrypt rsa --label tpl-exp $FAST
expect_rc 2 "encrypt without a passphrase source in batch mode" \
    "$CK" --batch encrypt rsa --label tpl-exp $FAST
unchanged "$n" "bad arguments"
expect_rc 5 "lock a key that is not encrypted" "$CK" $P lock rsa --label tpl-exp
contains "$err" "not encrypted" "lock says the key is not encrypted"
expect_rc 5 "unlock a key that is not encrypted" "$CK" $P unlock rsa --label tpl-exp
expect_rc 5 "decrypt a key that is not encrypted" "$CK" $P decrypt rsa --label tpl-exp
expect_rc 2 "decrypt --all is not a thing" "$CK" $P decrypt rsa --all
unchanged "$n" "plain key refusals"

# --- plain -> encrypted+unlocked ------------------------------------------------
expect_rc 0 "encrypt tpl-exp" "$CK" $P encrypt rsa --label tpl-exp $FAST
unchanged $((n + 1)) "encrypt adds exactly the encrypted copy"
p11 --list-objects --type data 2>/dev/null > "$T/data"
contains "$T/data" "cryptokey-encrypted" "the copy is a data object of application cryptokey-encrypted"
p11 --read-object --type data --application-label cryptokey-encrypted \
    --label tpl-exp 2>/dev/null | head -c 6 > "$T/magic"
ok '[ "$(cat "$T/magic")" = CKYENC ]' "the copy starts with its versioned header"
"$CK" show --label tpl-exp > "$T/show" 2>&1
contains "$T/show" "*** The key is protected and UNLOCKED. ***" "show: protected and UNLOCKED"
ok '[ "$(json tpl-exp "[k[\"encrypted\"], k[\"locked\"]]")" = "[true, false]" ]' \
    "show --json: encrypted true, locked false"
ok 'signs tpl-exp' "an encrypted, unlocked key still signs"
expect_rc 4 "encrypt it again" "$CK" $P encrypt rsa --label tpl-exp $FAST
unchanged $((n + 1)) "second encrypt"

# --- encrypted+unlocked -> encrypted+locked ---------------------------------------
expect_rc 6 "lock with the wrong passphrase" "$CK" $W lock rsa --label tpl-exp
contains "$err" "wrong passphrase" "lock says the passphrase is wrong"
unchanged $((n + 1)) "wrong passphrase on lock"
expect_rc 0 "lock tpl-exp" "$CK" $P lock rsa --label tpl-exp
unchanged "$n" "lock removes exactly the private key"
ok '[ -z "$(p11_block "Private Key" "$ID_EXP")" ]' "no private key object with its ID is left"
"$CK" show --label tpl-exp > "$T/show" 2>&1
contains "$T/show" "*** The key is protected and LOCKED. ***" "show: protected and LOCKED"
ok '[ "$(json tpl-exp "[k[\"encrypted\"], k[\"locked\"]]")" = "[true, true]" ]' \
    "show --json: encrypted true, locked true"
ok '[ "$(json tpl-exp "k[\"public_key\"]")" = "$PUB_EXP" ]' \
    "a locked key is still listed with its public key"
ok '[ "$(json tpl-exp "k[\"exportable\"]")" = true ]' \
    "a locked key shows the exportability unlock restores"
ok '! signs tpl-exp' "a locked key cannot sign"
ok 'grep -qi "private key\|not found\|cannot\|failed" "$T/engine.err"' \
    "OpenSSL's pkcs11 engine finds no private key"
expect_rc 0 "lock it again (nothing to do)" "$CK" $P lock rsa --label tpl-exp
contains "$err" "already LOCKED" "lock says it was locked already"
expect_rc 5 "export a locked key" "$CK" $P export rsa --label tpl-exp
unchanged "$n" "locked key refusals"

# --- encrypted+locked -> encrypted+unlocked --------------------------------------
expect_rc 6 "unlock with the wrong passphrase" "$CK" $W unlock rsa --label tpl-exp
unchanged "$n" "wrong passphrase on unlock"
ok '[ "$(json tpl-exp "k[\"locked\"]")" = true ]' "still locked after a wrong passphrase"
expect_rc 2 "unlock without a passphrase in batch mode" \
    "$CK" --batch unlock rsa --label tpl-exp
unchanged "$n" "no passphrase on unlock"
expect_rc 0 "unlock tpl-exp" "$CK" $P unlock rsa --label tpl-exp
unchanged $((n + 1)) "unlock adds exactly the private key"
ok '[ "$(json tpl-exp "[k[\"label\"], k[\"id\"], k[\"locked\"], k[\"exportable\"]]")" = "[\"tpl-exp\", \"$ID_EXP\", false, true]" ]' \
    "same label and ID, unlocked, exportable as before"
p11_block "Private Key" "$ID_EXP" > "$T/priv"
contains "$T/priv" "sign" "the restored private key may sign"
ok 'grep -q "Access: *sensitive" "$T/priv" || grep -q "sensitive" "$T/priv"' \
    "the restored private key is sensitive"
ok 'signs tpl-exp' "it signs again and the same public key verifies"
ok '[ "$(json tpl-exp "k[\"public_key\"]")" = "$PUB_EXP" ]' "the public key did not change"

# --- lock --all, unlock --all, usage keys, scrypt, boot lock ---------------------
"$CK" --quiet generate rsa --label two --usage-keys --exportable --modulus 1024 ||
    fail "cannot generate usage keys"
n=$(objects)
expect_rc 0 "encrypt usage keys with scrypt" \
    "$CK" $P encrypt rsa --label two --kdf scrypt:1024:8:1
unchanged $((n + 2)) "one encrypted copy per pair"
expect_rc 0 "lock --all" "$CK" $P lock rsa --all
contains "$err" "Locked 3 key pairs" "lock --all locks every encrypted pair"
unchanged $((n - 1)) "lock --all"
ok '[ "$("$CK" show --json 2>/dev/null > "$T/all" && jget "$T/all" "sorted(k[\"label\"] for k in d if k[\"locked\"])")" = "[\"tpl-exp\", \"two\", \"two\"]" ]' \
    "exactly the encrypted keys are locked"
ok 'signs tpl-gen' "a plain key is not touched by lock --all"
expect_rc 6 "unlock --all with the wrong passphrase" "$CK" $W unlock rsa --all
unchanged $((n - 1)) "unlock --all with a wrong passphrase changes nothing"
expect_rc 0 "unlock --all" "$CK" $P unlock rsa --all
unchanged $((n + 2)) "unlock --all"
ok 'signs tpl-exp' "tpl-exp signs after unlock --all"
expect_rc 0 "lock --all --no-passphrase (as at boot)" \
    "$CK" --batch lock rsa --all --no-passphrase
unchanged $((n - 1)) "boot lock"
ok '! signs tpl-exp' "locked at boot: no signature"
expect_rc 0 "unlock the usage keys" "$CK" $P unlock rsa --label two
ok '[ "$(json two "k[\"locked\"]")" = false ]' "usage keys unlocked"

# --- decrypt: locked and unlocked keys end plain ---------------------------------
n=$(objects)
expect_rc 6 "decrypt with the wrong passphrase" "$CK" $W decrypt rsa --label tpl-exp
unchanged "$n" "wrong passphrase on decrypt"
expect_rc 0 "decrypt a locked key" "$CK" $P decrypt rsa --label tpl-exp
unchanged "$n" "decrypt of a locked key: private key back, copy gone"
"$CK" show --label tpl-exp > "$T/show" 2>&1
ok '! grep -q "protected" "$T/show"' "show: no protection line"
ok '[ "$(json tpl-exp "[k[\"encrypted\"], k[\"locked\"], k[\"id\"]]")" = "[false, false, \"$ID_EXP\"]" ]' \
    "show --json: plain, same ID"
ok 'signs tpl-exp' "the decrypted key signs with the same public key"
expect_rc 0 "decrypt unlocked usage keys" "$CK" $P decrypt rsa --label two
unchanged $((n - 2)) "decrypt removes both copies"

# --- the copy goes with its key ----------------------------------------------------
"$CK" $P --quiet encrypt rsa --label tpl-exp $FAST
n=$(objects)
expect_rc 0 "zeroize an encrypted key" "$CK" zeroize rsa --label tpl-exp --yes
unchanged $((n - 4)) "zeroize removes key, public key, copy and record"
"$CK" --quiet generate rsa --label gone --exportable --modulus 1024
"$CK" $P --quiet encrypt rsa --label gone $FAST
"$CK" $P --quiet lock rsa --label gone
n=$(objects)
expect_rc 0 "generate --replace over a locked key" \
    "$CK" generate rsa --label gone --replace --modulus 1024
unchanged $((n - 3 + 3)) "the old public key, copy and record went, the new pair came"
ok '[ "$(json gone "[k[\"encrypted\"], k[\"locked\"]]")" = "[false, false]" ]' \
    "the new key is plain"

# --- on a terminal: asked twice when made, once when used --------------------------
"$CK" --quiet generate rsa --label tty --exportable --modulus 1024
pty_run "typed pass,typed pass" "$CK" encrypt rsa --label tty $FAST
ok '[ $? -eq 0 ]' "encrypt with the passphrase typed on a terminal"
contains "$out" "Passphrase for the encrypted copy: " "it asks for the passphrase"
contains "$out" "Again: " "and asks again"
ok '! grep -q "typed pass" "$out"' "the passphrase is not echoed"
pty_run "typed pass" "$CK" lock rsa --label tty
ok '[ $? -eq 0 ]' "lock with the passphrase typed on a terminal"
pty_run "mistyped" "$CK" unlock rsa --label tty
ok '[ $? -eq 6 ]' "unlock with a mistyped passphrase: exit 6"
pty_run "typed pass" "$CK" unlock rsa --label tty
ok '[ $? -eq 0 ] && [ "$(json tty "k[\"locked\"]")" = false ]' \
    "unlock with the passphrase typed on a terminal"

done_testing
