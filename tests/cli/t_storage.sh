#!/bin/sh
# t_storage.sh -- cryptokey storage: show and set the token new keys go to.
. "$top_srcdir/tests/cli/lib.sh"

setup_token test
add_token second
C="$T/cryptokey.conf"
printf '# kept comment\n' >> "$C"
n1=$(objects test)
n2=$(objects second)

expect_rc 0 "storage shows the configured token" "$CK" storage
contains "$out" "Storage Device: test" "storage names the token"
contains "$out" " URI: pkcs11:" "storage shows the token URI"
contains "$out" ";token=test" "the URI names the token"
contains "$out" " Module: $SOFTHSM_MODULE" "storage names the module"
contains "$out" " Configuration: $C" "storage names the configuration file"

# Capabilities, as SoftHSM2 reports them; data objects and extractable
# keys only with --probe, which leaves no object behind.
contains "$out" " Capabilities:" "storage shows the capabilities"
contains "$out" "  Login required: yes" "SoftHSM2 needs a login"
contains "$out" "  RSA key generation: yes, " "RSA keygen with the token's range"
contains "$out" "  Key wrap (AES-KWP): yes" "SoftHSM2 wraps"
contains "$out" "  Token data objects: unknown" "data objects unknown unprobed"
expect_rc 0 "storage --json" "$CK" storage --json
ok "[ \"\$(jget '$out' 'd[\"token\"]')\" = test ]" "--json: the token"
ok "[ \"\$(jget '$out' 'd[\"capabilities\"][\"unwrap\"]')\" = true ]" \
    "--json: unwrap"
ok "[ \"\$(jget '$out' 'd[\"capabilities\"][\"rsa_max_bits\"] >= 4096')\" = true ]" \
    "--json: the RSA range"
ok "[ \"\$(jget '$out' 'd[\"capabilities\"][\"extractable\"]')\" = null ]" \
    "--json: extractable unknown unprobed"
expect_rc 0 "storage --probe --json" "$CK" storage --probe --json
ok "[ \"\$(jget '$out' 'd[\"capabilities\"][\"data_objects\"]')\" = true ]" \
    "--probe: SoftHSM2 keeps data objects"
ok "[ \"\$(jget '$out' 'd[\"capabilities\"][\"extractable\"]')\" = true ]" \
    "--probe: SoftHSM2 allows extractable keys"
unchanged "$n1" "--probe leaves nothing on the token" test
# a probe object a killed run left behind goes with the next probe
printf 'probe' > "$T/probe.dat"
p11 --write-object "$T/probe.dat" --type data --label cryptokey-probe \
    --application-label cryptokey-probe --private >/dev/null 2>&1
ok "[ \$(objects test) -eq $((n1 + 1)) ]" "a left-over probe object"
expect_rc 0 "storage --probe with a left-over probe object" \
    "$CK" storage --probe
unchanged "$n1" "--probe removes the left-over probe object" test
expect_rc 2 "storage TOKEN --json" "$CK" storage second --json
ok "grep -qx 'token = test' '$C'" "a refused storage --json TOKEN writes nothing"

# By label.
expect_rc 0 "storage second (by label)" "$CK" storage second
ok "grep -qx 'token = second' '$C'" "config file now says token = second"
ok "[ \$(grep -c '^token' '$C') -eq 1 ]" "only one token line"
ok "grep -qx '# kept comment' '$C'" "config file keeps the comment"
ok "grep -qx 'module = $SOFTHSM_MODULE' '$C'" "config file keeps the module"
ok "grep -qx 'pin-source = file:$T/pin' '$C'" "config file keeps pin-source"
expect_rc 0 "storage after setting it" "$CK" storage
contains "$out" "Storage Device: second" "storage now shows the second token"
expect_rc 0 "show on the new storage" "$CK" show --json
ok "[ \"\$(cat '$out')\" = '[]' ]" "show reads the (empty) second token"

# By RFC 7512 URI.
expect_rc 0 "storage pkcs11:token=test (by URI)" "$CK" storage "pkcs11:token=test"
ok "grep -qx 'token = pkcs11:token=test' '$C'" "config file now holds the URI"
ok "grep -qx '# kept comment' '$C'" "config file still keeps the comment"
expect_rc 0 "storage after setting a URI" "$CK" storage
contains "$out" "Storage Device: test" "storage shows the token the URI names"

# The full URI storage prints is accepted back.
"$CK" --token second storage </dev/null >"$out" 2>"$err"
uri=$(sed -n 's/^ URI: //p' "$out")
ok "echo '$uri' | grep -q '^pkcs11:.*serial=.*token=second'" \
    "storage prints a URI with serial and token"
expect_rc 0 "storage with the full URI it printed" "$CK" storage "$uri"
ok "grep -qxF 'token = $uri' '$C'" "config file holds the full URI"
expect_rc 0 "storage after setting the full URI" "$CK" storage
contains "$out" "Storage Device: second" "the full URI names the second token"
expect_rc 0 "storage pkcs11:token=test again" "$CK" storage "pkcs11:token=test"

# Refusals leave the file as it was.
cp "$C" "$T/conf.before"
expect_rc 3 "storage of an unknown token" "$CK" storage nosuch
contains "$err" "nosuch" "the message names the token"
ok "cmp -s '$C' '$T/conf.before'" "unknown token: config file unchanged"
expect_rc 3 "storage of an unknown token by URI" "$CK" storage "pkcs11:token=nosuch"
ok "cmp -s '$C' '$T/conf.before'" "unknown URI token: config file unchanged"
expect_rc 2 "storage URI with an unknown attribute" "$CK" storage "pkcs11:foo=bar"
contains "$err" "pkcs11:foo=bar" "the message names the URI"
ok "cmp -s '$C' '$T/conf.before'" "unknown attribute: config file unchanged"
expect_rc 2 "storage URI naming an object" "$CK" storage "pkcs11:object=x"
ok "cmp -s '$C' '$T/conf.before'" "object URI: config file unchanged"
expect_rc 2 "storage URI naming a key type" "$CK" storage "pkcs11:token=test;type=private"
ok "cmp -s '$C' '$T/conf.before'" "type URI: config file unchanged"
expect_rc 2 "storage of a malformed URI" "$CK" storage "pkcs11:token=%zz"
ok "cmp -s '$C' '$T/conf.before'" "malformed URI: config file unchanged"
expect_rc 0 "storage --token URI shows that token" \
    "$CK" --token "pkcs11:token=second" storage
contains "$out" "Storage Device: second" "--token beats the config file"
ok "cmp -s '$C' '$T/conf.before'" "showing never writes the file"

# With no configuration file yet, storage TOKEN creates one.
C2="$T/new/cryptokey.conf"
mkdir -p "$T/new"
expect_rc 0 "storage with no configuration file yet" \
    env CRYPTOKEY_CONF="$C2" "$CK" --module "$SOFTHSM_MODULE" storage second
ok "grep -qx 'token = second' '$C2'" "new config file names the token"
ok "grep -qx 'module = $SOFTHSM_MODULE' '$C2'" "new config file names the module"
expect_rc 0 "the new config file is used" \
    env CRYPTOKEY_CONF="$C2" "$CK" storage
contains "$out" "Storage Device: second" "storage reads the new file"

# Rewriting keeps the file's mode and writes through a symlink.
cp "$C" "$T/modes.conf"
chmod 640 "$T/modes.conf"
expect_rc 0 "storage on a mode 0640 config file" \
    "$CK" --config "$T/modes.conf" storage second
ok "[ \"\$(stat -c %a '$T/modes.conf')\" = 640 ]" "the config file keeps mode 0640"
ln -s "$T/modes.conf" "$T/link.conf"
expect_rc 0 "storage through a symlinked config file" \
    "$CK" --config "$T/link.conf" storage test
ok "[ -L '$T/link.conf' ]" "the symlink is still a symlink"
ok "grep -qx 'token = test' '$T/modes.conf'" "its target was rewritten"
ok "[ ! -e '$T/modes.conf.tmp' ] && [ ! -e '$T/link.conf.tmp' ]" \
    "no temporary file is left"

# A first storage creates the missing directories above the file.
C3="$T/deep/er/cryptokey.conf"
expect_rc 0 "storage with two missing directories above the config file" \
    env CRYPTOKEY_CONF="$C3" "$CK" --module "$SOFTHSM_MODULE" storage second
ok "grep -qx 'token = second' '$C3'" "the config file was created"
ok "[ \"\$(stat -c %a '$T/deep')\" = 700 ]" "new directories are mode 0700"
if [ "$(id -u)" -ne 0 ]; then
	mkdir "$T/freshhome"
	expect_rc 0 "storage for a user with no ~/.config" \
	    env -u CRYPTOKEY_CONF -u XDG_CONFIG_HOME HOME="$T/freshhome" \
	    "$CK" --module "$SOFTHSM_MODULE" storage second
	ok "grep -qx 'token = second' '$T/freshhome/.config/cryptokey/cryptokey.conf'" \
	    "~/.config/cryptokey/cryptokey.conf created"
else
	pass "# SKIP root's configuration is /etc/cryptokey.conf"
	pass "# SKIP root's configuration is /etc/cryptokey.conf"
fi

# No token configured: the only token there is, else a clear refusal.
grep -v '^token' "$C" > "$T/notoken.conf"
expect_rc 2 "two tokens and none configured" "$CK" --config "$T/notoken.conf" show
contains "$err" "'second'" "the message lists the tokens present"
contains "$err" "--token" "the message says how to choose"
expect_rc 2 "storage with two tokens and none configured" \
    "$CK" --config "$T/notoken.conf" storage

# No module configured: p11-kit's registered modules (SoftHSM2 registers one).
grep -v -e '^token' -e '^module' "$C" > "$T/nomodule.conf"
if p11-kit list-modules 2>/dev/null | grep -q softhsm; then
	# every registered module is loaded: tpm2-pkcs11 (scripts/deps.sh
	# installs it) fails its C_Initialize without a TPM and leaks in a
	# library p11-kit then unloads, which LeakSanitizer cannot name
	expect_rc 0 "no module configured: p11-kit finds the token" \
	    env ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
	    "$CK" --config "$T/nomodule.conf" --token second storage
	contains "$out" "Storage Device: second" "p11-kit: the token is found"
	contains "$out" "softhsm2.so" "p11-kit: storage names SoftHSM2's module"
else
	pass "# SKIP SoftHSM2 is not registered with p11-kit"
	pass "# SKIP SoftHSM2 is not registered with p11-kit"
	pass "# SKIP SoftHSM2 is not registered with p11-kit"
fi

unchanged "$n1" "storage never touches token objects" test
unchanged "$n2" "storage never touches the second token's objects" second

done_testing
