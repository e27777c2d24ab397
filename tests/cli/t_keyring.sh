#!/bin/sh
# t_keyring.sh -- cryptokeyring: keyrings on the token, peer public keys
# pasted both ways in the IOS key-string form, PEM, pre-shared keys that
# never leave the token, show (text, --json, --ios), and bad input.
. "$top_srcdir/tests/cli/lib.sh"

KR=$(tool cryptokeyring)
setup_template
PSKSRC="file:$T/psk"
PSK='Sup3r-s3cret-PSK-value'
printf '%s\n' "$PSK" > "$T/psk"
chmod 600 "$T/psk"

# hex of a DER file, uppercase, no spaces
hexof() { od -An -v -tx1 "$1" | tr -d ' \n' | tr a-f A-F; }
# the Key Data hex printed under a line matching $2 in file $1
keydata_after() {
	awk -v pat="$2" 'index($0, pat) == 1 { on = 1; next }
	    on && /Key Data:/ { kd = 1; next }
	    kd && /^ +[0-9A-F]+( [0-9A-F]+)*$/ { printf "%s", $0; next }
	    kd { exit }' "$1" | tr -d ' '
}
# the pkcs11-tool --list-objects block of the object labelled $1
p11_label_block() {
	p11 --list-objects 2>/dev/null | awk -v lab="$1" '
	    function flush() { if (hit) printf "%s", buf; buf = ""; hit = 0 }
	    /^[A-Za-z]/ { flush() }
	    { buf = buf $0 "\n" }
	    $1 == "label:" { l = $0; sub(/^ *label: */, "", l);
		gsub(/\047/, "", l); if (l == lab) hit = 1 }
	    END { flush() }'
}
# bad RC DESC CMD...: exit RC and no object added or removed
bad() {
	_rc=$1; _d=$2; shift 2
	_n=$(objects)
	expect_rc "$_rc" "$_d" "$@"
	ok "[ -s '$err' ] && [ \$(wc -l < '$err') -eq 1 ]" "$_d: one line on stderr"
	unchanged "$_n" "$_d"
}

# --- the manual documents every verb and option --help lists ----------------
PAGE="$top_srcdir/man/cryptokeyring.1"
expect_rc 0 "cryptokeyring --help" "$KR" --help
cp "$out" "$T/help.top"
verbs=$(sed -n '/^Verbs:/,/^$/p' "$T/help.top" | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p')
ok "[ \$(echo \$verbs | wc -w) -eq 7 ]" "--help lists the 7 verbs"
for v in $verbs; do
	ok "grep -qE '^\.It Cm $v( |\$)' '$PAGE'" "cryptokeyring.1 documents '$v'"
	"$KR" "$v" --help > "$T/help.$v" 2>&1
	for o in $(grep -oE -- '(^|[ [])--[a-z0-9][a-z0-9-]*' "$T/help.$v" |
	    sed 's/^[ []*--//' | sort -u); do
		ok "grep -qE -- 'Fl -$o([^A-Za-z0-9-]|\$)' '$PAGE'" \
		    "cryptokeyring.1 documents --$o ($v)"
	done
done

n0=$(objects)

# --- keyrings ----------------------------------------------------------------
expect_rc 0 "create ring1 with description and local address" \
    "$KR" create ring1 --description "Branch offices" --local-address 192.0.2.1
ok "[ $(objects) -eq $((n0 + 1)) ]" "a keyring is one object on the token"
ok "p11_label_block keyring/ring1 | grep -q \"application: *'cryptokey-keyring'\"" \
    "pkcs11-tool sees a data object 'keyring/ring1' of cryptokey-keyring"
expect_rc 0 "create ring2 with a local interface" \
    "$KR" create ring2 --local-address GigabitEthernet0/1
expect_rc 0 "show --json" "$KR" show --json
cp "$out" "$T/rings.json"
ok "[ \"\$(jget '$T/rings.json' '[r[\"name\"] for r in d]')\" = '[\"default\", \"ring1\", \"ring2\"]' ]" \
    "show --json lists default first, then the keyrings by name"
ok "[ \"\$(jget '$T/rings.json' 'd[1][\"description\"]')\" = 'Branch offices' ]" \
    "description kept on the token"
ok "[ \"\$(jget '$T/rings.json' 'd[1][\"local_address\"]')\" = '192.0.2.1' ]" \
    "local address kept on the token"
ok "[ \"\$(jget '$T/rings.json' 'd[2][\"local_address\"]')\" = 'GigabitEthernet0/1' ]" \
    "an interface name as local address"
n=$(objects)

bad 4 "create an existing keyring" "$KR" create ring1
bad 4 "create 'default' (it always exists)" "$KR" create default
bad 2 "create a keyring with a bad name" "$KR" create 'bad/name'
bad 7 "create with a bad local address" "$KR" create ring3 --local-address '1.2.3.4.5!'
bad 7 "create with a description over 80 characters" "$KR" create ring3 \
    --description "$(printf '%090d' 0)"
bad 3 "show an unknown keyring" "$KR" show nosuch
bad 2 "show --json --ios together" "$KR" show --json --ios

# --- our own key, pasted back as a key-string ---------------------------------
"$CK" show --label tpl-gen > "$T/own.txt"
sed -n '/^ Key Data:$/,$p' "$T/own.txt" | sed 1d > "$T/own.ks"
tr -d ' \n' < "$T/own.ks" > "$T/own.hex"
printf 'quit\n' >> "$T/own.ks"
expect_rc 0 "add-pubkey --key-string: the hex 'cryptokey show' prints" \
    "$KR" add-pubkey ring1 --address 192.0.2.10 --key-string "$T/own.ks"
ok "[ $(objects) -eq $((n + 1)) ]" "a peer key is one object"
expect_rc 0 "show ring1" "$KR" show ring1
cp "$out" "$T/ring1.txt"
ok "[ \"\$(keydata_after '$T/ring1.txt' ' Peer key: address 192.0.2.10')\" = \"\$(cat '$T/own.hex')\" ]" \
    "the peer key's Key Data is our key's SubjectPublicKeyInfo, byte for byte"
ok "grep -qx '  Usage: General Purpose Key' '$T/ring1.txt'" \
    "no --usage: a general purpose key"
ok "grep -qx ' Description: Branch offices' '$T/ring1.txt'" "text shows the description"
ok "grep -qx ' Local address: 192.0.2.1' '$T/ring1.txt'" "text shows the local address"
ok "grep -qE '^  URI: pkcs11:.*object=peer%2Fring1%2Faddress%3A192.0.2.10' '$T/ring1.txt'" \
    "every peer key shows its pkcs11: URI"
blk=$(p11_label_block peer/ring1/address:192.0.2.10)
ok "echo \"\$blk\" | grep -q '^Public Key Object; RSA 2048 bits'" \
    "pkcs11-tool sees an RSA public key labelled peer/ring1/address:192.0.2.10"
ok "echo \"\$blk\" | grep -qE 'Usage: +encrypt, verify'" \
    "general purpose peer key: CKA_ENCRYPT and CKA_VERIFY"
p11 --read-object --type pubkey --label peer/ring1/address:192.0.2.10 \
    -o "$T/peer.der" >/dev/null 2>&1
ok "[ \"\$(hexof '$T/peer.der')\" = \"\$(cat '$T/own.hex')\" ]" \
    "pkcs11-tool reads the peer key back as the same SubjectPublicKeyInfo"

# key-string on standard input, lower case, ragged whitespace, no 'quit'
tr 'A-F' 'a-f' < "$T/own.hex" | fold -w 7 | sed 's/^/\t  /' > "$T/ragged.ks"
expect_rc 0 "add-pubkey --key-string - (lower case, ragged lines, no quit)" \
    sh -c "'$KR' add-pubkey default --name peer.example.com --usage signature \
    --key-string - < '$T/ragged.ks'"
expect_rc 0 "show default" "$KR" show default
ok "[ \"\$(keydata_after '$out' ' Peer key: name peer.example.com')\" = \"\$(cat '$T/own.hex')\" ]" \
    "ragged lower-case hex gives the same key"
ok "p11_label_block peer/default/name:peer.example.com | grep -qE 'Usage: +verify\$'" \
    "--usage signature: CKA_VERIFY only"

# --- a key made by openssl, as hex (xxd -p / od) and as PEM -------------------
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/peer.key" \
    2>/dev/null
openssl rsa -in "$T/peer.key" -pubout -outform DER -out "$T/ossl.der" 2>/dev/null
if command -v xxd >/dev/null 2>&1; then
	xxd -p "$T/ossl.der" > "$T/ossl.ks"
else
	od -An -v -tx1 "$T/ossl.der" > "$T/ossl.ks"
fi
expect_rc 0 "add-pubkey --key-string: hex of 'openssl rsa -pubout -outform DER'" \
    "$KR" add-pubkey ring1 --hostname Peer2.Example.NET. --usage encryption \
    --key-string "$T/ossl.ks"
expect_rc 0 "show ring1" "$KR" show ring1
ok "[ \"\$(keydata_after '$out' ' Peer key: hostname peer2.example.net')\" = \"\$(hexof '$T/ossl.der')\" ]" \
    "openssl's SubjectPublicKeyInfo comes back byte for byte (host name normalised)"
ok "p11_label_block peer/ring1/hostname:peer2.example.net | grep -qE 'Usage: +encrypt\$'" \
    "--usage encryption: CKA_ENCRYPT only"
openssl rsa -in "$T/peer.key" -pubout -out "$T/peer.pem" 2>/dev/null
expect_rc 0 "add-pubkey --in PEM" \
    "$KR" add-pubkey ring2 --address 2001:DB8:0:0::7 --in "$T/peer.pem"
expect_rc 0 "show ring2 --json" "$KR" show ring2 --json
cp "$out" "$T/ring2.json"
ok "[ \"\$(jget '$T/ring2.json' 'd[0][\"entries\"][0][\"peer\"]')\" = '2001:db8::7' ]" \
    "IPv6 address normalised"
jget "$T/ring2.json" 'd[0]["entries"][0]["public_key"]' > "$T/back.pem"
openssl pkey -pubin -in "$T/back.pem" -outform DER -out "$T/back.der" 2>/dev/null
ok "cmp -s '$T/back.der' '$T/ossl.der'" "PEM in, the same key out (--json public_key)"
uri=$(jget "$T/ring2.json" 'd[0]["entries"][0]["uri"]')
echo "signed by the peer" > "$T/signed"
openssl dgst -sha256 -sign "$T/peer.key" -out "$T/signed.sig" "$T/signed"
PKCS11_MODULE_PATH="$SOFTHSM_MODULE" openssl dgst -sha256 -engine pkcs11 \
    -keyform engine -verify "$uri;type=public" -signature "$T/signed.sig" \
    "$T/signed" >"$T/verify.out" 2>&1
ok "grep -q 'Verified OK' '$T/verify.out'" \
    "OpenSSL's pkcs11 engine verifies the peer's signature with the key's URI"
openssl rsa -in "$T/peer.key" -RSAPublicKey_out -out "$T/pkcs1.pem" 2>/dev/null
expect_rc 0 "add-pubkey --in a PKCS#1 'RSA PUBLIC KEY'" \
    "$KR" add-pubkey ring2 --name pkcs1-peer --in "$T/pkcs1.pem"
openssl req -new -x509 -key "$T/peer.key" -subj /CN=peer -days 2 \
    -out "$T/peer.crt" 2>/dev/null
expect_rc 0 "add-pubkey --in a certificate" \
    "$KR" add-pubkey ring2 --name cert-peer --in "$T/peer.crt"

# --- pre-shared keys ----------------------------------------------------------
n=$(objects)
expect_rc 0 "add-psk by subnet with a dotted mask" \
    "$KR" --passphrase-source "$PSKSRC" add-psk ring1 --address 10.0.0.0/255.255.255.0
ok "[ $(objects) -eq $((n + 1)) ]" "a PSK is one object"
expect_rc 0 "add-psk by host name to the default keyring" \
    "$KR" --passphrase-source "$PSKSRC" add-psk default --hostname vpn.example.org
blk=$(p11_label_block psk/ring1/address:10.0.0.0/24)
ok "echo \"\$blk\" | grep -q '^Secret Key Object; Generic secret'" \
    "pkcs11-tool sees a generic secret labelled psk/ring1/address:10.0.0.0/24"
ok "echo \"\$blk\" | grep -qE 'Access: +sensitive'" "the PSK is sensitive"
ok "! echo \"\$blk\" | grep -E 'Access:' | sed 's/never extractable//' | grep -q extractable" \
    "the PSK is not extractable"
p11 --read-object --type secrkey --label psk/ring1/address:10.0.0.0/24 \
    -o "$T/leak" >/dev/null 2>&1
ok "[ $? -ne 0 ]" "pkcs11-tool cannot read the PSK value"
ok "! grep -qF -- '$PSK' '$T/leak' 2>/dev/null" "no PSK bytes came out"
printf 'IKE prf input' > "$T/msg"
"$KR" show ring1 --json > "$T/r1.json"
pskid=$(jget "$T/r1.json" \
    '[e["id"] for e in d[0]["entries"] if e["kind"] == "pre-shared-key"][0]')
p11 --sign -m SHA256-HMAC --id "$pskid" --input-file "$T/msg" \
    --output-file "$T/mac" >/dev/null 2>&1
openssl dgst -sha256 -mac HMAC -macopt "key:$PSK" -binary -out "$T/mac.ossl" "$T/msg"
ok "cmp -s '$T/mac' '$T/mac.ossl'" \
    "HMAC-SHA256 on the token under the PSK equals HMAC under the typed key"
for fmt in "" --json --ios; do
	"$KR" show $fmt > "$T/show$fmt.out" 2>&1
	ok "! grep -qF -- '$PSK' '$T/show$fmt.out'" "show $fmt never prints the PSK"
done
ok "grep -qx '  Key: \\*\\*\\*\\*\\*\\*\\*\\* (sensitive, not extractable)' '$T/show.out'" \
    "show masks the PSK"
ok "grep -q '\"sensitive\": true, \"extractable\": false' '$T/show--json.out'" \
    "show --json: sensitive, not extractable, no value"

# --- show --ios, and pasting it back ------------------------------------------
expect_rc 0 "show --ios" "$KR" show --ios
cp "$out" "$T/ios.txt"
for line in 'crypto keyring ring1' ' description Branch offices' \
    ' local-address 192.0.2.1' \
    ' pre-shared-key address 10.0.0.0 255.255.255.0 key ******' \
    ' rsa-pubkey address 192.0.2.10' '  address 192.0.2.10' \
    ' rsa-pubkey name peer2.example.net encryption' '  key-string' '  quit' \
    'crypto key pubkey-chain rsa' ' named-key peer.example.com signature' \
    'crypto isakmp key ****** hostname vpn.example.org' \
    'crypto keyring ring2' ' local-address GigabitEthernet0/1'; do
	ok "grep -qxF -- '$line' '$T/ios.txt'" "--ios: '$line'"
done
awk '/^ rsa-pubkey address 192.0.2.10$/ { on = 1 }
    on && /^  key-string$/ { ks = 1; next }
    ks { print } ks && /^  quit$/ { exit }' "$T/ios.txt" > "$T/ios.ks"
expect_rc 0 "the key-string block of --ios pastes back into add-pubkey" \
    "$KR" add-pubkey ring2 --address 192.0.2.10 --key-string "$T/ios.ks"
expect_rc 0 "show ring2" "$KR" show ring2
ok "[ \"\$(keydata_after '$out' ' Peer key: address 192.0.2.10')\" = \"\$(cat '$T/own.hex')\" ]" \
    "--ios output round-trips to the same key"

# --- bad input: exit code, one line, nothing changed --------------------------
printf '30820122 300D060\nquit\n' > "$T/odd.ks"
bad 7 "odd number of hex digits" "$KR" add-pubkey ring1 --address 192.0.2.99 --key-string "$T/odd.ks"
ok "grep -q 'odd number of hex digits' '$err'" "the message says 'odd number of hex digits'"
printf '30820122 300D0G09\n' > "$T/nonhex.ks"
bad 7 "a non-hex character" "$KR" add-pubkey ring1 --address 192.0.2.99 --key-string "$T/nonhex.ks"
ok "grep -q \"line 1, column 15: 'G' is not a hexadecimal digit\" '$err'" \
    "the message names line, column and character"
printf 'DEADBEEF 00112233\n' > "$T/notspki.ks"
bad 7 "hex that is not a SubjectPublicKeyInfo" "$KR" add-pubkey ring1 --address 192.0.2.99 --key-string "$T/notspki.ks"
ok "grep -q 'not a DER SubjectPublicKeyInfo' '$err'" "the message says it is not an SPKI"
openssl rsa -in "$T/peer.key" -RSAPublicKey_out -outform DER -out "$T/pkcs1.der" 2>/dev/null
od -An -v -tx1 "$T/pkcs1.der" > "$T/pkcs1.ks"
bad 7 "hex of a PKCS#1 RSAPublicKey" "$KR" add-pubkey ring1 --address 192.0.2.99 --key-string "$T/pkcs1.ks"
ok "grep -q 'PKCS#1 RSAPublicKey' '$err'" "the message says PKCS#1, not SPKI"
# EC keys on the curves cryptokey takes are accepted (t_ec_keyring.sh);
# other curves are not
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1 -out "$T/ec.key" 2>/dev/null
openssl pkey -in "$T/ec.key" -pubout -outform DER -out "$T/ec.der" 2>/dev/null
od -An -v -tx1 "$T/ec.der" > "$T/ec.ks"
bad 7 "hex of a secp256k1 key" "$KR" add-pubkey ring1 --address 192.0.2.99 --key-string "$T/ec.ks"
ok "grep -q 'EC key on a curve' '$err'" "the message names the curve as the reason"
openssl pkey -in "$T/ec.key" -pubout -out "$T/ec.pem" 2>/dev/null
bad 7 "PEM of a secp256k1 key" "$KR" add-pubkey ring1 --address 192.0.2.99 --in "$T/ec.pem"
bad 7 "a private key as --in" "$KR" add-pubkey ring1 --address 192.0.2.99 --in "$T/peer.key"
bad 7 "--in without PEM" "$KR" add-pubkey ring1 --address 192.0.2.99 --in "$T/own.ks"
{ cat "$T/own.ks"; echo 00; } > "$T/afterquit.ks"
bad 7 "hex after 'quit'" "$KR" add-pubkey ring1 --address 192.0.2.99 --key-string "$T/afterquit.ks"
bad 7 "a directory as the key file" "$KR" add-pubkey ring1 --address 192.0.2.99 --key-string "$T"
bad 3 "a key file that does not exist" "$KR" add-pubkey ring1 --address 192.0.2.99 --key-string "$T/nosuch"
bad 7 "an address that does not parse" "$KR" add-pubkey ring1 --address 192.0.2.300 --key-string "$T/own.ks"
bad 7 "a subnet for a peer key" "$KR" add-pubkey ring1 --address 192.0.2.0/24 --key-string "$T/own.ks"
bad 7 "a bad host name" "$KR" add-pubkey ring1 --hostname 'bad_host!' --key-string "$T/own.ks"
bad 7 "PSK: a mask that is not contiguous" "$KR" --passphrase-source "$PSKSRC" add-psk ring1 --address 10.0.0.0/255.0.255.0
bad 7 "PSK: host bits after the mask" "$KR" --passphrase-source "$PSKSRC" add-psk ring1 --address 10.0.0.1/24
bad 7 "PSK: a prefix over 32" "$KR" --passphrase-source "$PSKSRC" add-psk ring1 --address 10.0.0.0/33
bad 4 "a duplicate peer key" "$KR" add-pubkey ring1 --address 192.0.2.10 --key-string "$T/own.ks"
bad 4 "a signature key beside a general one" "$KR" add-pubkey ring1 --address 192.0.2.10 --usage signature --key-string "$T/own.ks"
bad 4 "a duplicate PSK (same subnet, other spelling)" "$KR" --passphrase-source "$PSKSRC" add-psk ring1 --address 10.0.0.0/24
bad 3 "add-pubkey to an unknown keyring" "$KR" add-pubkey nosuch --address 192.0.2.99 --key-string "$T/own.ks"
bad 3 "add-psk to an unknown keyring" "$KR" --passphrase-source "$PSKSRC" add-psk nosuch --address 192.0.2.99
bad 3 "del-pubkey of an unknown peer" "$KR" del-pubkey ring1 --address 192.0.2.99
bad 3 "del-psk of an unknown peer" "$KR" del-psk ring1 --hostname nosuch.example.com
bad 2 "add-pubkey without a key" "$KR" add-pubkey ring1 --address 192.0.2.99
bad 2 "add-pubkey with --in and --key-string" "$KR" add-pubkey ring1 --address 192.0.2.99 --in "$T/peer.pem" --key-string "$T/own.ks"
bad 2 "two peer identities" "$KR" add-pubkey ring1 --address 192.0.2.99 --name x --key-string "$T/own.ks"
bad 2 "--usage of a wrong word" "$KR" add-pubkey ring1 --address 192.0.2.99 --usage both --key-string "$T/own.ks"
bad 7 "add-psk by a --name with a space" "$KR" --passphrase-source "$PSKSRC" add-psk ring1 --name "x y"
bad 2 "an unknown verb" "$KR" frobnicate
: > "$T/empty"
bad 7 "an empty PSK" "$KR" --passphrase-source "file:$T/empty" add-psk ring1 --address 10.9.0.0/16
bad 2 "add-psk with --batch and no passphrase source" "$KR" --batch add-psk ring1 --address 10.9.0.0/16

# --- our own keys and the keyrings do not touch each other --------------------
expect_rc 0 "cryptokey zeroize rsa --yes" "$CK" zeroize rsa --yes
nz=$(objects)
expect_rc 0 "show after zeroize" "$KR" show --json
ok "[ \"\$(jget '$out' 'sum(len(r[\"entries\"]) for r in d)')\" = 9 ]" \
    "zeroize leaves every peer key and PSK in place"
expect_rc 0 "cryptokey show" "$CK" show
ok "! grep -q '^Key name: peer/' '$out'" "cryptokey show does not list peer keys"

# --- on a terminal: pasting, prompting, confirming ---------------------------
n=$(objects)
paste=$(cat "$T/own.ks")
pty_run "$paste" "$KR" add-pubkey ring1 --name pasted --key-string -
ok "[ $? -eq 0 ]" "a key-string pasted at the terminal, ended by 'quit'"
contains "$out" 'end with a line "quit"' "the terminal is told how to end the paste"
expect_rc 0 "show ring1" "$KR" show ring1
ok "[ \"\$(keydata_after '$out' ' Peer key: name pasted')\" = \"\$(cat '$T/own.hex')\" ]" \
    "the pasted key is our key"
pty_run "Typed-PSK-1,Typed-PSK-1" "$KR" add-psk ring1 --hostname typed.example.com
ok "[ $? -eq 0 ]" "add-psk asks for the key twice on the terminal"
ok "! grep -qF Typed-PSK-1 '$out'" "the typed PSK is not echoed"
ok "[ $(objects) -eq $((n + 2)) ]" "two objects added"
n=$(objects)
pty_run "Typed-PSK-2,Typed-PSK-3" "$KR" add-psk ring1 --hostname typo.example.com
ok "[ $? -eq 6 ]" "add-psk: two different entries fail (exit 6)"
unchanged "$n" "add-psk with a typo"
pty_run "no" "$KR" delete ring1
ok "[ $? -eq 1 ]" "delete answered 'no' exits 1"
contains "$out" "Do you really want to remove keyring 'ring1' and its 5 entries? [yes/no]: " \
    "delete asks on the terminal, counting the entries"
unchanged "$n" "delete answered 'no'"
expect_rc 0 "del-pubkey the pasted key" "$KR" del-pubkey ring1 --name pasted
expect_rc 0 "del-psk the typed key" "$KR" del-psk ring1 --hostname typed.example.com

# --- a keyring whose record is gone (a delete cut short) ----------------------
p11 --delete-object --type data --label keyring/ring2 >/dev/null 2>&1
expect_rc 0 "show ring2 without its record" "$KR" show ring2 --json
ok "[ \"\$(jget '$out' 'd[0][\"orphaned\"]')\" = true ]" \
    "entries without a record show as an orphaned keyring"
expect_rc 3 "adding to it is refused: the keyring does not exist" \
    "$KR" add-pubkey ring2 --name again --in "$T/peer.pem"
expect_rc 0 "show ring2 as text" "$KR" show ring2
contains "$out" "record is missing" "the text says the record is missing"
n=$(objects)
expect_rc 0 "delete completes the cut-short delete" "$KR" delete ring2 --yes
ok "[ $(objects) -eq $((n - 4)) ]" "its four entries are gone"
expect_rc 3 "show ring2 after that" "$KR" show ring2

# --- removing -----------------------------------------------------------------
n=$(objects)
expect_rc 0 "del-pubkey by the address" "$KR" del-pubkey ring1 --address 192.0.2.10
ok "[ $(objects) -eq $((n - 1)) ]" "one object less"
expect_rc 0 "del-psk by subnet, dotted mask spelling" \
    "$KR" del-psk ring1 --address 10.0.0.0/255.255.255.0
ok "[ $(objects) -eq $((n - 2)) ]" "one object less again"
n=$(objects)
bad 2 "delete without --yes and no terminal" "$KR" delete ring1
bad 5 "delete the default keyring" "$KR" delete default --yes
bad 3 "delete an unknown keyring" "$KR" delete nosuch --yes
expect_rc 0 "delete ring1 --yes" "$KR" delete ring1 --yes
ok "[ $(objects) -eq $((n - 2)) ]" "the keyring and its last key are gone"
expect_rc 3 "show ring1 after delete" "$KR" show ring1
expect_rc 0 "del-pubkey from default" "$KR" del-pubkey default --name peer.example.com
expect_rc 0 "del-psk from default" "$KR" del-psk default --hostname VPN.example.org.
ok "[ $(objects) -eq $((nz - 11)) ]" "every keyring object is gone (9 entries, 2 records)"

done_testing
