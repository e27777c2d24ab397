#!/bin/sh
# t_generate.sh -- cryptokey generate rsa: kinds, modulus, names, --on,
# --replace, and the refusals that must leave the token as it was.
. "$top_srcdir/tests/cli/lib.sh"

setup_template
add_token second
J="$T/show.json"

# show_json [LABEL]: cryptokey show --json (of LABEL) into $J
show_json() {
	if [ $# -gt 0 ]; then
		"$CK" show --json --label "$1" >"$J" 2>"$err"
	else
		"$CK" show --json >"$J" 2>"$err"
	fi
}

# generate NAME: count goes up by DELTA and the JSON has EXPR true
gen_ok() {
	_delta=$1; _desc=$2; shift 2
	_before=$(objects)
	expect_rc 0 "$_desc" "$CK" generate rsa "$@"
	_after=$(objects)
	ok "[ $_after -eq $((_before + _delta)) ]" \
	    "$_desc: $_delta objects added ($_before -> $_after)"
}

# --- the kinds -------------------------------------------------------------
# Past the first key, 1024-bit keys keep the run fast; the path is the same.
gen_ok 3 "general (default)" --label gen
show_json gen
ok "[ \"\$(jget '$J' 'len(d)')\" = 1 ]" "general: one pair"
ok "[ \"\$(jget '$J' 'd[0][\"usage\"]')\" = general ]" "general: usage general"
ok "[ \"\$(jget '$J' 'd[0][\"exportable\"]')\" = false ]" \
    "general: not exportable by default"
ok "[ \"\$(jget '$J' 'd[0][\"bits\"]')\" = 2048 ]" "general: 2048 bits by default"

gen_ok 3 "--general-keys" --label gen2 --general-keys --modulus 1024
show_json gen2
ok "[ \"\$(jget '$J' 'd[0][\"usage\"]')\" = general ]" "--general-keys: usage general"

gen_ok 6 "--usage-keys" --label uk --usage-keys --modulus 1024
show_json uk
ok "[ \"\$(jget '$J' 'len(d)')\" = 2 ]" "usage keys: two pairs"
ok "[ \"\$(jget '$J' 'sorted(k[\"usage\"] for k in d)')\" = '[\"encryption\", \"signature\"]' ]" \
    "usage keys: one signature and one encryption pair"
ok "[ \"\$(jget '$J' 'd[0][\"id\"] != d[1][\"id\"]')\" = true ]" \
    "usage keys: different IDs"
ok "[ \"\$(jget '$J' 'd[0][\"label\"] == d[1][\"label\"] == \"uk\"')\" = true ]" \
    "usage keys: same label"
ok "[ \"\$(jget '$J' 'd[0][\"public_key\"] != d[1][\"public_key\"]')\" = true ]" \
    "usage keys: two different key pairs"

gen_ok 3 "--signature" --label sig --signature --modulus 1024
show_json sig
ok "[ \"\$(jget '$J' '[k[\"usage\"] for k in d]')\" = '[\"signature\"]' ]" \
    "--signature: one signature pair"

gen_ok 3 "--encryption" --label enc --encryption --modulus 1024
show_json enc
ok "[ \"\$(jget '$J' '[k[\"usage\"] for k in d]')\" = '[\"encryption\"]' ]" \
    "--encryption: one encryption pair"

gen_ok 3 "--exportable" --label exp --exportable --modulus 1024
show_json exp
ok "[ \"\$(jget '$J' 'd[0][\"exportable\"]')\" = true ]" "--exportable: exportable"

# --- modulus ---------------------------------------------------------------
gen_ok 3 "--modulus 1024" --label m1024 --modulus 1024
contains "$err" "Warning" "--modulus 1024 warns on stderr"
contains "$err" "1024" "the warning names the size"
show_json m1024
ok "[ \"\$(jget '$J' 'd[0][\"bits\"]')\" = 1024 ]" "--modulus 1024: 1024 bits"

gen_ok 3 "--modulus 3072" --label m3072 --modulus 3072
ok "! grep -q Warning '$err'" "--modulus 3072: no warning"
show_json m3072
ok "[ \"\$(jget '$J' 'd[0][\"bits\"]')\" = 3072 ]" "--modulus 3072: 3072 bits"

n=$(objects)
for m in 1023 16385 0 -2048 512; do
	expect_rc 2 "--modulus $m" "$CK" generate rsa --label bad --modulus "$m"
	unchanged "$n" "--modulus $m"
done
contains "$err" "1024" "the modulus message gives the range"

# --- refusals --------------------------------------------------------------
n=$(objects)
expect_rc 4 "existing name without --replace" "$CK" generate rsa --label tpl-gen
contains "$err" "tpl-gen" "the message names the key"
contains "$err" "--replace" "the message says how to replace it"
unchanged "$n" "existing name"
expect_rc 4 "existing usage-keys name without --replace" \
    "$CK" generate rsa --label tpl-usage --signature
unchanged "$n" "existing usage-keys name"

p11 --keypairgen --key-type rsa:1024 --label foreign --id 0a0b >/dev/null 2>&1
n=$(objects)
expect_rc 4 "name of a pair pkcs11-tool made, without --replace" \
    "$CK" generate rsa --label foreign --modulus 1024
unchanged "$n" "name of a foreign pair"

expect_rc 2 "--usage-keys --signature" "$CK" generate rsa --label k2 --usage-keys --signature
unchanged "$n" "two kinds at once"
expect_rc 2 "--general-keys --encryption" "$CK" generate rsa --label k2 --general-keys --encryption
unchanged "$n" "two kinds at once (general + encryption)"

long=$(printf '%0129d' 0)
ctl=$(printf 'a\001b')
tab=$(printf 'a\tb')
expect_rc 2 "empty label" "$CK" generate rsa --label ""
unchanged "$n" "empty label"
expect_rc 2 "label with a space" "$CK" generate rsa --label "a b"
unchanged "$n" "label with a space"
expect_rc 2 "label with a control character" "$CK" generate rsa --label "$ctl"
unchanged "$n" "label with a control character"
expect_rc 2 "label with a tab" "$CK" generate rsa --label "$tab"
unchanged "$n" "label with a tab"
expect_rc 2 "label of 129 bytes" "$CK" generate rsa --label "$long"
contains "$err" "129" "the message gives the length"
unchanged "$n" "label of 129 bytes"
expect_rc 2 "label peer/x (keyring prefix)" "$CK" generate rsa --label peer/x
unchanged "$n" "label peer/x"
expect_rc 2 "label psk/x (keyring prefix)" "$CK" generate rsa --label psk/x
unchanged "$n" "label psk/x"
expect_rc 2 "label with a non-ASCII byte" "$CK" generate rsa --label "$(printf 'caf\303\251')"
unchanged "$n" "label with a non-ASCII byte"

gen_ok 3 "label of 128 bytes" --label "$(printf '%0128d' 0)" --modulus 1024

# --- --on TOKEN ------------------------------------------------------------
n=$(objects)
n2=$(objects second)
expect_rc 0 "--on second" "$CK" generate rsa --label there --on second --modulus 1024
ok "[ \$(objects second) -eq $((n2 + 3)) ]" "--on: the key lands on the other token"
unchanged "$n" "--on: the storage token"
expect_rc 0 "show --token second" "$CK" --token second show --json --label there
ok "[ \"\$(jget '$out' 'd[0][\"token\"]')\" = second ]" "--on: show reports token second"
expect_rc 3 "show on the storage token" "$CK" show --label there
expect_rc 3 "--on an unknown token" "$CK" generate rsa --label there2 --on nosuch
unchanged "$n" "--on an unknown token"

# --- --replace -------------------------------------------------------------
show_json gen
old_id=$(jget "$J" 'd[0]["id"]')
# shellcheck disable=SC2034 # used inside ok's eval
old_pub=$(jget "$J" 'd[0]["public_key"]')
ok "[ -n \"\$(p11_block 'Private Key' '$old_id')\" ]" \
    "before --replace pkcs11-tool sees the old private key"
n=$(objects)
expect_rc 0 "--replace an existing name" "$CK" generate rsa --label gen --replace --modulus 1024
contains "$err" "replaced" "--replace says the keys will be replaced"
unchanged "$n" "--replace"
show_json gen
ok "[ \"\$(jget '$J' 'len(d)')\" = 1 ]" "--replace: one pair of that name"
ok "[ \"\$(jget '$J' 'd[0][\"id\"]')\" != '$old_id' ]" "--replace: a new ID"
ok "[ \"\$(jget '$J' 'd[0][\"public_key\"]')\" != \"\$old_pub\" ]" \
    "--replace: a new public key"
ok "[ -z \"\$(p11_block 'Private Key' '$old_id')\" ]" \
    "--replace: the old private key is gone"
ok "[ -z \"\$(p11_block 'Public Key' '$old_id')\" ]" \
    "--replace: the old public key is gone"

n=$(objects)
expect_rc 0 "--replace usage keys with a general pair" \
    "$CK" generate rsa --label tpl-usage --replace --modulus 1024
ok "[ \$(objects) -eq $((n - 3)) ]" "--replace: both old pairs removed, one added"
show_json tpl-usage
ok "[ \"\$(jget '$J' '[k[\"usage\"] for k in d]')\" = '[\"general\"]' ]" \
    "--replace: the new pair is general"

gen_ok 3 "--replace a name that does not exist" --label fresh --replace --modulus 1024

# --- default label ---------------------------------------------------------
fqdn=$(hostname -f 2>/dev/null || hostname)
host=$(hostname)
show_json
jget "$J" 'sorted(set(k["label"] for k in d))' > "$T/labels.before"
n=$(objects)
expect_rc 0 "no --label" "$CK" generate rsa --modulus 1024
cp "$err" "$T/gen.err"
show_json
label=$("$PYTHON" -c 'import json, sys
old = set(json.load(open(sys.argv[1])))
new = set(k["label"] for k in json.load(open(sys.argv[2]))) - old
print(" ".join(sorted(new)))' "$T/labels.before" "$J")
ok "[ '$label' = '$fqdn' ] || [ '$label' = '$host' ]" \
    "default label is the host name ('$label'; hostname -f '$fqdn')"
contains "$T/gen.err" "$label" "generate says which name it chose"
expect_rc 4 "no --label twice" "$CK" generate rsa --modulus 1024
ok "[ \$(objects) -eq $((n + 3)) ]" "no --label twice: count unchanged"

done_testing
