#!/bin/sh
# t_errors.sh -- the exit codes of cryptokey(1) (EXIT STATUS) that the
# foundation can produce, each on a command that would change the token
# (generate), each checking the token is unchanged; then the PIN sources
# that must work.
#
# Elsewhere: 1 (zeroize answered "no") in t_zeroize.sh, 4 (existing name,
# second init) in t_generate.sh and t_init.sh.
. "$top_srcdir/tests/cli/lib.sh"

setup_template
n=$(objects)
GEN="generate rsa --label newkey --modulus 1024"

# gen_rc N DESC ARGS...: cryptokey ARGS... $GEN exits N, token unchanged
gen_rc() {
	_want=$1; _desc=$2; shift 2
	# shellcheck disable=SC2086
	expect_rc "$_want" "$_desc" "$CK" "$@" $GEN
	unchanged "$n" "$_desc"
}

# --- 6: authentication -----------------------------------------------------
printf '9999\n' > "$T/badpin"
gen_rc 6 "wrong PIN" --pin-source "file:$T/badpin"
contains "$err" "CKR_PIN_INCORRECT" "wrong PIN: the message has CKR_PIN_INCORRECT"
contains "$err" "'test'" "wrong PIN: the message names the token"
printf 'module = %s\ntoken = pkcs11:token=test?pin-value=9999\n' \
    "$SOFTHSM_MODULE" > "$T/badvalue.conf"
chmod 600 "$T/badvalue.conf"
gen_rc 6 "wrong pin-value in the config's token URI" --config "$T/badvalue.conf"
contains "$err" "CKR_PIN_INCORRECT" "wrong URI PIN: CKR_PIN_INCORRECT"

# --- 2: usage --------------------------------------------------------------
sed '/^pin-source/d' "$T/cryptokey.conf" > "$T/nopin.conf"
gen_rc 2 "--batch with no PIN source" --config "$T/nopin.conf" --batch
contains "$err" "--pin-source" "--batch: the message says how to give the PIN"
gen_rc 2 "no PIN source and no terminal" --config "$T/nopin.conf"
gen_rc 2 "bad --pin-source syntax" --pin-source "bogus:x"
ok "! grep -q 'bogus:x' '$err'" "bad source: the message does not echo it"
gen_rc 2 "a PIN as --pin-source (plain secrets refused)" --pin-source 1234
gen_rc 2 "--pin-source file: with no path" --pin-source "file:"
gen_rc 2 "--pin-source fd: not a number" --pin-source "fd:x"
gen_rc 2 "--pin-source env: with no name" --pin-source "env:"
gen_rc 2 "bad --passphrase-source syntax" --passphrase-source "nope"
gen_rc 2 "--token URI with an unknown attribute" --token "pkcs11:foo=bar"
gen_rc 2 "--token URI naming an object" --token "pkcs11:token=test;object=x"

# --- 3: not found ----------------------------------------------------------
gen_rc 3 "PIN file missing" --pin-source "file:$T/no-such-pin"
contains "$err" "$T/no-such-pin" "missing PIN file: the message names the file"
gen_rc 3 "--pin-source env:VAR with VAR unset" --pin-source "env:CK_NO_SUCH_VAR"
contains "$err" "CK_NO_SUCH_VAR" "unset variable: the message names it"
gen_rc 3 "unknown token by label" --token nosuch
contains "$err" "nosuch" "unknown token: the message names it"
gen_rc 3 "unknown token by URI" --token "pkcs11:token=nosuch"
gen_rc 3 "--config FILE missing" --config "$T/no-such.conf"
contains "$err" "$T/no-such.conf" "missing config: the message names the file"
expect_rc 3 "unknown key name (show)" "$CK" show --label nosuch

# --- 7: bad input data -----------------------------------------------------
printf 'module = %s\n# fine\n\ncolour = blue\n' "$SOFTHSM_MODULE" > "$T/badkey.conf"
gen_rc 7 "config file with an unknown key" --config "$T/badkey.conf"
contains "$err" "$T/badkey.conf:4:" "unknown key: the message has file:line"
contains "$err" "colour" "unknown key: the message names the key"
printf 'token = test\nthis line has no equals sign\n' > "$T/noeq.conf"
gen_rc 7 "config line without '='" --config "$T/noeq.conf"
contains "$err" "$T/noeq.conf:2:" "line without '=': the message has file:line"
printf 'token = test\npin-source = 1234\n' > "$T/plainpin.conf"
gen_rc 7 "config pin-source holding a plain PIN" --config "$T/plainpin.conf"
contains "$err" "$T/plainpin.conf:2:" "plain PIN in config: file:line"

# --- 8: token or module failure --------------------------------------------
gen_rc 8 "module path that does not exist" --module "$T/no-such-module.so"
contains "$err" "$T/no-such-module.so" "missing module: the message names the path"
printf 'not a shared object\n' > "$T/fake.so"
gen_rc 8 "module that is not a shared object" --module "$T/fake.so"
contains "$err" "$T/fake.so" "bad module: the message names the path"
SOFTHSM2_CONF="$T/no-such-softhsm2.conf" "$CK" $GEN </dev/null >"$out" 2>"$err"
ok "[ $? -eq 8 ]" "SOFTHSM2_CONF pointing to a missing file (exit 8)"
contains "$err" "$SOFTHSM_MODULE" "SoftHSM failure: the message names the module"
contains "$err" "SOFTHSM2_CONF" "SoftHSM failure: the message points at SOFTHSM2_CONF"
unchanged "$n" "SOFTHSM2_CONF missing"

# --- PIN sources that work -------------------------------------------------
expect_rc 0 "env:VAR with VAR set" \
    env CK_TEST_PIN="$PIN" "$CK" --pin-source env:CK_TEST_PIN show --label tpl-gen
contains "$out" "Key name: tpl-gen" "env:VAR: show logged in"
"$CK" --pin-source fd:3 show --label tpl-gen 3<"$T/pin" </dev/null >"$out" 2>"$err"
ok "[ $? -eq 0 ]" "fd:3 with the PIN on descriptor 3 (exit 0)"
contains "$out" "Key name: tpl-gen" "fd:N: show logged in"
printf '%s' "$PIN" | "$CK" --pin-source fd:0 show --label tpl-gen >"$out" 2>"$err"
ok "[ $? -eq 0 ]" "fd:0 with the PIN piped in, no newline (exit 0)"
# prompt: on a terminal, without echo.
pty_run "$PIN" "$CK" --pin-source prompt show --label tpl-gen
ok "[ $? -eq 0 ]" "prompt: the PIN typed on the terminal logs in (exit 0)"
contains "$out" "PIN for token 'test': " "prompt: the prompt names the token"
contains "$out" "Key name: tpl-gen" "prompt: show logged in"
ok "! grep -q '$PIN' '$out'" "prompt: the PIN is not echoed"
pty_run "$PIN" "$CK" --config "$T/nopin.conf" show --label tpl-gen
ok "[ $? -eq 0 ]" "no PIN source configured: prompts on a terminal (exit 0)"
pty_run 9999 "$CK" --pin-source prompt $GEN
ok "[ $? -eq 6 ]" "prompt: a wrong PIN typed (exit 6)"
unchanged "$n" "wrong PIN typed"
pty_run "" "$CK" --config "$T/nopin.conf" --batch $GEN
ok "[ $? -eq 2 ]" "--batch on a terminal: no prompt (exit 2)"
contains "$out" "--batch forbids prompting" "--batch: the message says why"
unchanged "$n" "--batch on a terminal"

sed "s|^token.*|token = pkcs11:token=test?pin-value=$PIN|" "$T/nopin.conf" \
    > "$T/value.conf"
chmod 600 "$T/value.conf"
expect_rc 0 "pin-value in the token URI of a private config file" \
    "$CK" --config "$T/value.conf" show --label tpl-gen
expect_rc 0 "pin-source in the token URI" \
    "$CK" --config "$T/nopin.conf" --token "pkcs11:token=test?pin-source=file:$T/pin" \
    show --label tpl-gen
# cryptokey(1), PIN SOURCES: --pin-source beats the URI's pin-value.
expect_rc 6 "--pin-source beats the config URI's pin-value" \
    "$CK" --config "$T/value.conf" --pin-source "file:$T/badpin" \
    show --label tpl-gen
sed "s|^pin-source.*|pin-source = file:$T/badpin|" "$T/cryptokey.conf" > "$T/badpin.conf"
expect_rc 6 "the config file's pin-source is used" \
    "$CK" --config "$T/badpin.conf" show --label tpl-gen
expect_rc 0 "--pin-source beats the config file's" \
    "$CK" --config "$T/badpin.conf" --pin-source "file:$T/pin" \
    show --label tpl-gen
unchanged "$n" "after every error"

done_testing
