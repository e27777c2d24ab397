#!/bin/sh
# t_move.sh -- cryptokey move rsa: to another token (two SoftHSM2 tokens in
# one token directory, and a token in another directory reached through
# p11-kit's RPC, which cannot wrap or unwrap: the key is created there),
# with --non-exportable, and --non-exportable alone (in place,
# irreversible).  The copy must sign (the engine) and verify with the
# public key it had; encrypted and locked keys move with their copy;
# refusals change nothing on either token.
. "$top_srcdir/tests/cli/lib.sh"

openssl engine pkcs11 -t >/dev/null 2>&1 || skip_all "no OpenSSL pkcs11 engine"
setup_template
add_token other
passphrase 'move passphrase'
FAST="--kdf pbkdf2:1000"

# json LABEL EXPR [TOKEN]: python EXPR over the first pair of LABEL (as k)
json() {
	"$CK" --token "${3:-test}" show --json --label "$1" > "$T/j" \
	    2>/dev/null || return 1
	jget "$T/j" "(lambda k: $2)(d[0])"
}

# signs LABEL TOKEN PUB: the engine signs with LABEL's private key on TOKEN
# and the signature verifies with the public key in file PUB
signs() {
	echo "message for $1" > "$T/msg"
	rm -f "$T/sig"
	PKCS11_MODULE_PATH="$SOFTHSM_MODULE" openssl pkeyutl -sign \
	    -engine pkcs11 -keyform engine \
	    -inkey "pkcs11:token=$2;object=$1;type=private?pin-value=$PIN" \
	    -in "$T/msg" -out "$T/sig" >/dev/null 2>&1 &&
	openssl pkeyutl -verify -pubin -inkey "$3" -in "$T/msg" \
	    -sigfile "$T/sig" >/dev/null 2>&1
}

both() { echo "$(objects test)+$(objects other)"; }
same() {
	if [ "$(both)" = "$1" ]; then pass "$2: objects unchanged ($1)"
	else fail "$2: objects $(both), was $1"; fi
}

json tpl-exp 'k["public_key"]' > "$T/exp.pem"
ID_EXP=$(json tpl-exp 'k["id"]')

expect_rc 0 "move --help" "$CK" move rsa --help
for o in --label --to --to-module --to-pin-source --non-exportable; do
	contains "$out" "$o" "move --help lists $o"
done

# --- refusals ---------------------------------------------------------------------
b=$(both)
expect_rc 5 "move a non-exportable key" "$CK" move rsa --label tpl-gen --to other
contains "$err" "not exportable" "the refusal says why"
same "$b" "non-exportable key"
expect_rc 3 "move an unknown key" "$CK" move rsa --label nosuch --to other
expect_rc 3 "move to a token that does not exist" \
    "$CK" move rsa --label tpl-exp --to nowhere
expect_rc 2 "move to the token it is on" "$CK" move rsa --label tpl-exp --to test
expect_rc 2 "move without --to or --non-exportable" "$CK" move rsa --label tpl-exp
expect_rc 2 "move without --label" "$CK" move rsa --to other
expect_rc 2 "a bad --to-pin-source" \
    "$CK" move rsa --label tpl-exp --to other --to-pin-source "bogus:x"
expect_rc 2 "--to-module without --to" \
    "$CK" move rsa --label tpl-exp --non-exportable --to-module "$SOFTHSM_MODULE"
: > "$T/emptypin"
chmod 600 "$T/emptypin"
expect_rc 7 "an empty destination PIN is refused, not tried" \
    "$CK" move rsa --label tpl-exp --to other --to-pin-source "file:$T/emptypin"
contains "$err" "empty PIN" "the message says so"
same "$b" "bad arguments"

# --- a plain exportable key --------------------------------------------------------
expect_rc 0 "move tpl-exp to token other" "$CK" move rsa --label tpl-exp --to other
contains "$err" "moved from token 'test' to token 'other'" "move says where"
ok '[ "$(both)" = "$(( ${b%+*} - 3 ))+3" ]' "private key, public key and record moved ($(both))"
ok '! "$CK" show --label tpl-exp >/dev/null 2>&1' "the source no longer lists it"
ok '[ "$(json tpl-exp "[k[\"id\"], k[\"exportable\"], k[\"token\"]]" other)" = "[\"$ID_EXP\", true, \"other\"]" ]' \
    "same ID, still exportable, on token other"
ok '[ "$(json tpl-exp "k[\"public_key\"]" other)" = "$(cat "$T/exp.pem")" ]' "same public key"
ok 'signs tpl-exp other "$T/exp.pem"' "it signs on token other with the same public key"

# a name that exists on the destination is refused
"$CK" --quiet generate rsa --label tpl-exp --exportable --modulus 1024 ||
    fail "cannot generate"
b=$(both)
expect_rc 4 "move onto a name that exists there" \
    "$CK" move rsa --label tpl-exp --to other
same "$b" "name exists on the destination"
"$CK" --quiet zeroize rsa --label tpl-exp --yes

# --- back with --non-exportable ------------------------------------------------------
b=$(both)
expect_rc 0 "move it back --non-exportable" \
    "$CK" --token other move rsa --label tpl-exp --to test --non-exportable
ok '[ "$(both)" = "$(( ${b%+*} + 3 ))+$(( ${b#*+} - 3 ))" ]' "moved back ($(both))"
ok '[ "$(json tpl-exp "[k[\"id\"], k[\"exportable\"]]")" = "[\"$ID_EXP\", false]" ]' \
    "same ID, now non-exportable"
ok 'signs tpl-exp test "$T/exp.pem"' "it signs with the same public key"
expect_rc 5 "export refuses it now" "$CK" --passphrase-source "file:$T/pass" \
    export rsa --label tpl-exp
expect_rc 5 "and move refuses it now" "$CK" move rsa --label tpl-exp --to other

# --- --non-exportable in place -------------------------------------------------------
"$CK" --quiet generate rsa --label inplace --exportable --modulus 1024 ||
    fail "cannot generate"
json inplace 'k["public_key"]' > "$T/inplace.pem"
b=$(both)
expect_rc 0 "move --non-exportable in place" \
    "$CK" move rsa --label inplace --non-exportable
contains "$err" "cannot be undone" "it says it is irreversible"
same "$b" "in place"
ok '[ "$(json inplace "k[\"exportable\"]")" = false ]' "show: not exportable"
ID_IN=$(json inplace 'k["id"]')
p11_block "Private Key" "$ID_IN" > "$T/priv"
ok '! grep -q "extractable" "$T/priv" || grep -q "never extractable\|Access:.*sensitive" "$T/priv"' \
    "pkcs11-tool does not show it extractable"
ok 'signs inplace test "$T/inplace.pem"' "it still signs"
expect_rc 0 "again: nothing to do" "$CK" move rsa --label inplace --non-exportable
contains "$err" "already" "it says so"
expect_rc 5 "encrypt refuses it now" "$CK" $P encrypt rsa --label inplace $FAST
same "$b" "in place, second time"

# --- encrypted and locked keys move with their copy ------------------------------------
"$CK" --quiet generate rsa --label enc --exportable --modulus 1024 &&
"$CK" $P --quiet encrypt rsa --label enc $FAST || fail "cannot make enc"
json enc 'k["public_key"]' > "$T/enc.pem"
b=$(both)
expect_rc 5 "--non-exportable refuses an encrypted key" \
    "$CK" move rsa --label enc --to other --non-exportable
contains "$err" "encrypted" "the refusal says why"
expect_rc 5 "--non-exportable in place refuses an encrypted key" \
    "$CK" move rsa --label enc --non-exportable
same "$b" "encrypted key refusals"
expect_rc 0 "move an encrypted key" "$CK" move rsa --label enc --to other
ok '[ "$(both)" = "$(( ${b%+*} - 4 ))+$(( ${b#*+} + 4 ))" ]' "key, public key, record and copy moved ($(both))"
ok '[ "$(json enc "[k[\"encrypted\"], k[\"locked\"]]" other)" = "[true, false]" ]' \
    "encrypted and unlocked on token other"
ok 'signs enc other "$T/enc.pem"' "it signs on token other"
expect_rc 0 "lock it there" "$CK" --token other $P lock rsa --label enc
b=$(both)
expect_rc 0 "move the locked key back" "$CK" --token other move rsa --label enc --to test
ok '[ "$(both)" = "$(( ${b%+*} + 3 ))+$(( ${b#*+} - 3 ))" ]' "public key, record and copy moved ($(both))"
ok '[ "$(json enc "[k[\"encrypted\"], k[\"locked\"]]")" = "[true, true]" ]' \
    "locked on token test"
expect_rc 0 "unlock it after the move" "$CK" $P unlock rsa --label enc
ok 'signs enc test "$T/enc.pem"' "it signs with the same public key"

# --- usage keys: two pairs, the encryption key checked by decryption -----------------
"$CK" --quiet generate rsa --label uk --usage-keys --exportable --modulus 1024 ||
    fail "cannot generate"
b=$(both)
expect_rc 0 "move usage keys" "$CK" move rsa --label uk --to other
ok '[ "$(both)" = "$(( ${b%+*} - 6 ))+$(( ${b#*+} + 6 ))" ]' "both pairs moved ($(both))"
ok '[ "$("$CK" --token other show --json --label uk 2>/dev/null > "$T/uk" && jget "$T/uk" "[k[\"usage\"] for k in d]")" = "[\"signature\", \"encryption\"]" ]' \
    "signature and encryption pair on token other"

# --- a token in another token directory, through p11-kit's RPC -----------------------
CLIENT=
for c in /usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so \
    /usr/lib/*/pkcs11/p11-kit-client.so; do
	[ -f "$c" ] && { CLIENT=$c; break; }
done
if [ -n "$CLIENT" ] && command -v p11-kit >/dev/null 2>&1; then
	# in a subshell: the test's own SOFTHSM2_CONF stays exported
	( softhsm_token "$T/far" far )
	SOFTHSM2_CONF="$T/far/softhsm2.conf" p11-kit server -f -n "$T/far/sock" \
	    --provider "$SOFTHSM_MODULE" "pkcs11:token=far" >/dev/null 2>&1 &
	FARPID=$!
	exit_trap 'kill $FARPID 2>/dev/null; rm -rf "$T"'
	i=0; while [ ! -S "$T/far/sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	export P11_KIT_SERVER_ADDRESS="unix:path=$T/far/sock"
	far() { SOFTHSM2_CONF="$T/far/softhsm2.conf" objects far; }
	FAR="--to far --to-module $CLIENT"

	FARCK="$CK --module $CLIENT --token far"
	farsign() {
		SOFTHSM2_CONF="$T/far/softhsm2.conf" sh -c '
		    echo far > "$1/msg"; rm -f "$1/sig"
		    PKCS11_MODULE_PATH="$2" openssl pkeyutl -sign -engine pkcs11 \
		        -keyform engine -inkey "pkcs11:token=far;object=$4;type=private?pin-value=$3" \
		        -in "$1/msg" -out "$1/sig" >/dev/null 2>&1' \
		    sh "$T" "$SOFTHSM_MODULE" "$PIN" "$1" &&
		openssl pkeyutl -verify -pubin -inkey "$2" -in "$T/msg" \
		    -sigfile "$T/sig" >/dev/null 2>&1
	}
	# farshow LABEL EXPR: python EXPR over LABEL's first pair, listed
	# through the RPC
	farshow() {
		$FARCK show --json --label "$1" > "$T/j" 2>/dev/null &&
		    jget "$T/j" "(lambda k: $2)(d[0])"
	}

	# newkey LABEL: an exportable 1024-bit pair, its public key in LABEL.pem
	newkey() {
		"$CK" --quiet generate rsa --label "$1" --exportable \
		    --modulus 1024 &&
		"$CK" export rsa --label "$1" --public --out "$T/$1.pem" \
		    >/dev/null 2>&1
	}

	# a locked key is data and a public key: it crosses the RPC
	"$CK" $P --quiet lock rsa --label enc
	n=$(objects)
	expect_rc 0 "move a locked key to a token in another directory" \
	    "$CK" move rsa --label enc $FAR
	ok '[ "$(objects)" -eq $((n - 3)) ] && [ "$(far)" -eq 3 ]' \
	    "public key, record and copy are in the other directory"
	expect_rc 0 "unlock it there through the RPC" $FARCK $P unlock rsa \
	    --label enc
	ok 'farsign enc "$T/enc.pem"' "it signs there with the same public key"
	expect_rc 0 "lock it again through the RPC" $FARCK $P lock rsa \
	    --label enc
	ok '[ "$(far)" -eq 3 ] && ! farsign enc "$T/enc.pem"' \
	    "locked there: no private key, no signature"

	# p11-kit 0.24's RPC does not carry CKM_AES_KEY_WRAP_PAD, and its
	# client leaves the mechanism out of its list: an unlocked key goes
	# by C_CreateObject after a software unwrap, and still signs as before
	newkey near
	n=$(objects); f=$(far)
	expect_rc 0 "move an unlocked key through the RPC (no key unwrap there)" \
	    "$CK" move rsa --label near $FAR
	ok '[ "$(objects)" -eq $((n - 3)) ] && [ "$(far)" -eq $((f + 3)) ]' \
	    "private and public key and record are in the other directory"
	ok 'farsign near "$T/near.pem"' "it signs there with the same public key"
	ok '[ "$(farshow near "k[\"exportable\"]")" = true ]' \
	    "listed there through the RPC, still exportable"
	# the key cannot leave that token again: the RPC cannot wrap
	expect_rc 8 "move it back through the RPC (no key wrap there)" \
	    $FARCK move rsa --label near --to test --to-module "$SOFTHSM_MODULE"
	contains "$err" "cannot wrap key 'near'" "the message says why"
	ok '[ "$(objects)" -eq $((n - 3)) ] && [ "$(far)" -eq $((f + 3)) ]' \
	    "nothing changed on either token"

	# and with --non-exportable: created sensitive and not extractable
	newkey nx
	expect_rc 0 "move --non-exportable through the RPC" \
	    "$CK" move rsa --label nx $FAR --non-exportable
	ok '[ "$(farshow nx "k[\"exportable\"]")" = false ]' \
	    "it is not exportable there"
	ok 'farsign nx "$T/nx.pem"' "it signs there with the same public key"

	# an encrypted, unlocked key: its copy goes as data, its private key
	# by C_CreateObject; it signs there, and locks and unlocks there
	newkey encu
	"$CK" $P --quiet encrypt rsa --label encu $FAST
	n=$(objects); f=$(far)
	expect_rc 0 "move an encrypted, unlocked key through the RPC" \
	    "$CK" move rsa --label encu $FAR
	ok '[ "$(objects)" -eq $((n - 4)) ] && [ "$(far)" -eq $((f + 4)) ]' \
	    "its four objects are in the other directory"
	ok '[ "$(farshow encu "[k[\"encrypted\"], k[\"locked\"]]")" = "[true, false]" ] &&
	    farsign encu "$T/encu.pem"' "encrypted and unlocked there, it signs"
	ok '$FARCK $P --quiet lock rsa --label encu >/dev/null 2>&1 &&
	    ! farsign encu "$T/encu.pem" &&
	    $FARCK $P --quiet unlock rsa --label encu >/dev/null 2>&1 &&
	    farsign encu "$T/encu.pem"' "it locks and unlocks there"

	# import takes the same C_CreateObject path through the RPC
	openssl genrsa -out "$T/imp.pem" 1024 2>/dev/null
	openssl pkey -in "$T/imp.pem" -pubout -out "$T/imp.pub" 2>/dev/null
	n=$(far)
	expect_rc 0 "import through the RPC" $FARCK import rsa --label imp \
	    --in "$T/imp.pem"
	ok '[ "$(far)" -eq $((n + 3)) ] && farsign imp "$T/imp.pub"' \
	    "the imported pair is there, and signs as the file's key"
	kill "$FARPID" 2>/dev/null
else
	pass "# SKIP no p11-kit client module for a second token directory"
fi

done_testing
