#!/bin/sh
# t_show.sh -- cryptokey show: the IOS text layout, --json, --label, and
# which objects count as key pairs.
. "$top_srcdir/tests/cli/lib.sh"

setup_template
J="$T/show.json"
n=$(objects)

# --- IOS text --------------------------------------------------------------
expect_rc 0 "show --label tpl-gen" "$CK" show --label tpl-gen
cp "$out" "$T/gen.txt"
ok "[ \"\$(sed -n 1p '$out' | cut -c1-29)\" = '% Key pair was generated at: ' ]" \
    "line 1: '% Key pair was generated at:'"
ok "grep -qE '^% Key pair was generated at: [0-9]{2}:[0-9]{2}:[0-9]{2} UTC [A-Z][a-z]{2} [0-9]{2} [0-9]{4}\$' '$out'" \
    "generation time as IOS prints it (hh:mm:ss UTC Mon dd yyyy)"
ok "[ \"\$(sed -n 2p '$out')\" = 'Key name: tpl-gen' ]" "line 2: 'Key name: tpl-gen'"
ok "[ \"\$(sed -n 3p '$out')\" = 'Key type: RSA KEYS' ]" "line 3: 'Key type: RSA KEYS'"
ok "[ \"\$(sed -n 4p '$out')\" = ' Storage Device: test' ]" "line 4: ' Storage Device: test'"
ok "[ \"\$(sed -n 5p '$out')\" = ' Usage: General Purpose Key' ]" \
    "line 5: ' Usage: General Purpose Key'"
ok "grep -qx ' Key is not exportable.' '$out'" "' Key is not exportable.'"
ok "grep -qE '^ URI: pkcs11:.*token=test.*object=tpl-gen' '$out'" \
    "' URI: pkcs11:' with token and object"
ok "grep -qx ' Key Data:' '$out'" "' Key Data:'"
ok "[ \$(grep -c '^Key name:' '$out') -eq 1 ]" "--label shows one pair"

# Key Data: 8 groups of 8 uppercase hex digits a line, the last line shorter,
# and together the DER SubjectPublicKeyInfo.
sed -n '/^ Key Data:$/,$p' "$out" | sed 1d > "$T/kd"
ok "[ -s '$T/kd' ]" "Key Data has lines"
ok "! sed '\$d' '$T/kd' | grep -vqE '^ +([0-9A-F]{8} ){7}[0-9A-F]{8}\$'" \
    "every full Key Data line has 8 groups of 8 uppercase hex digits"
ok "tail -n 1 '$T/kd' | grep -qE '^ +([0-9A-F]{8} ){0,7}[0-9A-F]{2,8}\$'" \
    "the last Key Data line has at most 8 groups"
tr -d ' \n' < "$T/kd" > "$T/kd.hex"

expect_rc 0 "show --json --label tpl-gen" "$CK" show --json --label tpl-gen
jget "$out" 'd[0]["public_key"]' > "$T/gen.pem"
openssl pkey -pubin -in "$T/gen.pem" -outform DER -out "$T/gen.der" 2>"$err"
ok "[ $? -eq 0 ]" "openssl reads the JSON public_key"
od -An -v -tx1 "$T/gen.der" | tr -d ' \n' | tr a-f A-F > "$T/der.hex"
ok "cmp -s '$T/kd.hex' '$T/der.hex'" "Key Data hex == DER SPKI of the JSON public_key"
id=$(jget "$out" 'd[0]["id"]')
ok "grep -qx ' Key ID: $id' '$T/gen.txt'" "the text Key ID is the JSON id"

# Usages and exportable in the text.
expect_rc 0 "show --label tpl-usage" "$CK" show --label tpl-usage
ok "[ \$(grep -c '^Key name: tpl-usage\$' '$out') -eq 2 ]" \
    "usage keys: two entries of the same name"
ok "grep -qx ' Usage: Signature Key' '$out'" "' Usage: Signature Key'"
ok "grep -qx ' Usage: Encryption Key' '$out'" "' Usage: Encryption Key'"
expect_rc 0 "show --label tpl-exp" "$CK" show --label tpl-exp
ok "grep -qx ' Key is exportable.' '$out'" "' Key is exportable.'"
expect_rc 0 "show everything" "$CK" show
ok "[ \$(grep -c '^Key name:' '$out') -eq 4 ]" "show lists the 4 template pairs"
ok "[ \$(grep -c '^ URI: pkcs11:' '$out') -eq 4 ]" "every pair has a URI"

# --- JSON ------------------------------------------------------------------
expect_rc 0 "show --json" "$CK" show --json
cp "$out" "$J"
"$PYTHON" -m json.tool "$J" >/dev/null 2>"$err"
ok "[ $? -eq 0 ]" "--json is valid JSON (python3 -m json.tool)"
ok "[ \"\$(jget '$J' 'type(d).__name__')\" = list ]" "--json is an array"
ok "[ \"\$(jget '$J' 'len(d)')\" = 4 ]" "--json has the 4 template pairs"
ok "[ \"\$(jget '$J' 'sorted(set(tuple(sorted(k)) for k in d))')\" = \
'[[\"bits\", \"created\", \"encrypted\", \"exportable\", \"id\", \"label\", \"locked\", \"public_key\", \"token\", \"type\", \"uri\", \"usage\"]]' ]" \
    "every entry has exactly the fields cryptokey(1) documents"
ok "[ \"\$(jget '$J' 'all(k[\"type\"] == \"rsa\" and k[\"bits\"] == 2048 and k[\"token\"] == \"test\" and k[\"encrypted\"] is False and k[\"locked\"] is False for k in d)')\" = true ]" \
    "type rsa, bits 2048, token test, not encrypted, not locked"
ok "[ \"\$(jget '$J' 'sorted((k[\"label\"], k[\"usage\"], k[\"exportable\"]) for k in d)')\" = \
'[[\"tpl-exp\", \"general\", true], [\"tpl-gen\", \"general\", false], [\"tpl-usage\", \"encryption\", false], [\"tpl-usage\", \"signature\", false]]' ]" \
    "labels, usages and exportable as generated"
ok "[ \"\$(jget '$J' 'all(__import__(\"re\").fullmatch(r\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\", k[\"created\"]) is not None for k in d)')\" = true ]" \
    "created is ISO 8601 UTC"
ok "[ \"\$(jget '$J' 'all(__import__(\"re\").fullmatch(r\"[0-9a-f]+\", k[\"id\"]) is not None for k in d)')\" = true ]" \
    "id is lowercase hex"
ok "[ \"\$(jget '$J' 'all(k[\"uri\"].startswith(\"pkcs11:\") and \"token=test\" in k[\"uri\"] for k in d)')\" = true ]" \
    "uri is a pkcs11: URI naming the token"
ok "[ \"\$(jget '$J' 'all(k[\"public_key\"].startswith(\"-----BEGIN PUBLIC KEY-----\\n\") and k[\"public_key\"].endswith(\"-----END PUBLIC KEY-----\\n\") for k in d)')\" = true ]" \
    "public_key is PEM"
now=$(date -u +%s)
created=$(jget "$J" '[k["created"] for k in d if k["label"] == "tpl-gen"][0]')
ctime=$(date -u -d "$created" +%s)
ok "[ $ctime -le $now ] && [ $ctime -gt 1700000000 ]" "created is a plausible time ($created)"

# --label filter and not found.
expect_rc 0 "show --json --label tpl-usage" "$CK" show --json --label tpl-usage
ok "[ \"\$(jget '$out' '[k[\"label\"] for k in d]')\" = '[\"tpl-usage\", \"tpl-usage\"]' ]" \
    "--label filters the JSON"
expect_rc 3 "show --label of an unknown name" "$CK" show --label nosuch
contains "$err" "nosuch" "the message names the key"
expect_rc 3 "show --json --label of an unknown name" "$CK" show --json --label nosuch
expect_rc 2 "show --label with a bad name" "$CK" show --label "a b"

# --- foreign objects -------------------------------------------------------
# A pair made by pkcs11-tool (no cryptokey record) is listed, created null.
p11 --keypairgen --key-type rsa:1024 --label foreign --id 0a0b0c >/dev/null 2>&1
ok "[ $? -eq 0 ]" "pkcs11-tool --keypairgen made a foreign pair"
# A lone public key (a peer's) is not a key pair of ours.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$T/peer.key" 2>/dev/null
openssl pkey -in "$T/peer.key" -pubout -outform DER -out "$T/peer.der"
p11 --write-object "$T/peer.der" --type pubkey --label peerpub --id 0d0e >/dev/null 2>&1
ok "[ $? -eq 0 ]" "pkcs11-tool --write-object stored a lone public key"
n=$(objects)

expect_rc 0 "show --json with foreign objects" "$CK" show --json
cp "$out" "$J"
ok "[ \"\$(jget '$J' 'len(d)')\" = 5 ]" "the pkcs11-tool pair is listed too"
ok "[ \"\$(jget '$J' '[(k[\"id\"], k[\"usage\"], k[\"bits\"], k[\"created\"]) for k in d if k[\"label\"] == \"foreign\"]')\" = \
'[[\"0a0b0c\", \"general\", 1024, null]]' ]" \
    "foreign pair: its ID, general, 1024 bits, created null"
ok "[ \"\$(jget '$J' '[k for k in d if k[\"label\"] == \"peerpub\"]')\" = '[]' ]" \
    "a lone public key is not listed"
expect_rc 3 "show --label peerpub" "$CK" show --label peerpub
expect_rc 0 "show text with a foreign pair" "$CK" show --label foreign
ok "grep -q '^% Key pair was generated at: ' '$out'" \
    "foreign pair: the text still has its first line"
unchanged "$n" "show changes nothing"

# --- a name with characters JSON and URIs must escape ----------------------
L='q"u\o;t?e%d&x=y'
"$CK" -q generate rsa --label "$L" --modulus 1024 </dev/null >"$out" 2>"$err"
ok "[ $? -eq 0 ]" "generate a key named $L"
expect_rc 0 "show --json --label with quotes, backslash, ; ? % & =" \
    "$CK" show --json --label "$L"
"$PYTHON" -m json.tool "$out" >/dev/null 2>"$err"
ok "[ $? -eq 0 ]" "the JSON is still valid"
ok "[ \"\$(jget '$out' 'd[0][\"label\"]')\" = '$L' ]" "the label survives JSON escaping"
uri=$(jget "$out" 'd[0]["uri"]')
ok "echo '$uri' | grep -q ';object=q%22u%5Co%3Bt%3Fe%25d%26x%3Dy\$'" \
    "the URI percent-encodes the name"
GNUTLS_PIN=$PIN p11tool --provider "$SOFTHSM_MODULE" --login --list-privkeys \
    "$uri" >"$out" 2>"$err"
ok "grep -qF 'Label: $L' '$out'" "p11tool finds the key by show's URI"
expect_rc 0 "show text of that name" "$CK" show --label "$L"
ok "grep -qxF 'Key name: $L' '$out'" "the text shows the name as it is"

# Labels on a token are bytes: JSON stays valid for any of them.
p11 --keypairgen --key-type rsa:1024 --label "$(printf 'ctl\001\033[31m')" \
    --id 0c01 >/dev/null 2>&1
p11 --keypairgen --key-type rsa:1024 --label "$(printf 'bad\377utf8')" \
    --id 0c02 >/dev/null 2>&1
p11 --keypairgen --key-type rsa:1024 --label "$(printf 'caf\303\251')" \
    --id 0c03 >/dev/null 2>&1
expect_rc 0 "show --json with foreign labels of any bytes" "$CK" show --json
"$PYTHON" -m json.tool "$out" >/dev/null 2>"$err"
ok "[ $? -eq 0 ]" "JSON valid with control characters and bad UTF-8 in labels"
ok "[ \"\$(jget '$out' '[k[\"label\"] for k in d if k[\"id\"] == \"0c03\"]')\" = '[\"caf\\u00e9\"]' ]" \
    "UTF-8 labels pass through"
ok "[ \"\$(jget '$out' '[k[\"label\"] for k in d if k[\"id\"] == \"0c02\"]')\" = '[\"bad\\ufffdutf8\"]' ]" \
    "a byte that is not UTF-8 becomes U+FFFD"
ok "[ \"\$(jget '$out' '[k[\"label\"] for k in d if k[\"id\"] == \"0c01\"]')\" = '[\"ctl\\u0001\\u001b[31m\"]' ]" \
    "control characters are escaped"
expect_rc 0 "show text with a label holding ESC" "$CK" show
ok "! grep -q \"\$(printf '\\033')\" '$out'" "no raw ESC reaches the terminal"
ok "grep -qxF 'Key name: ctl\\001\\033[31m' '$out'" \
    "control characters in a label print as \\ooo"

# --- an empty token --------------------------------------------------------
add_token empty
expect_rc 0 "show --json on an empty token" "$CK" --token empty show --json
ok "[ \"\$(tr -d ' \n' < '$out')\" = '[]' ]" "an empty token gives []"
expect_rc 0 "show on an empty token" "$CK" --token empty show
ok "[ ! -s '$out' ]" "text show on an empty token prints nothing"

done_testing
