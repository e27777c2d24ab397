#!/bin/sh
# t_init.sh -- the embedded default: no configuration at all, then init.
. "$top_srcdir/tests/cli/lib.sh"

# No configuration anywhere: no cryptokey.conf, no SOFTHSM2_CONF, an empty
# home and working directory; the data directory does not exist yet.
unset SOFTHSM2_CONF XDG_CONFIG_HOME XDG_DATA_HOME
mkdir -p "$T/home" "$T/cwd"
HOME="$T/home"
CRYPTOKEY_DIR="$T/data"
CRYPTOKEY_CONF="$T/no-such.conf"
export HOME CRYPTOKEY_DIR CRYPTOKEY_CONF
cd "$T/cwd" || exit 1
D="$T/data"
sysdir=/var/lib/softhsm/tokens
sys_before=$(ls -A "$sysdir" 2>/dev/null | sort | tr '\n' ' ')

mode() { stat -c %a "$1"; }

expect_rc 0 "init with no configuration at all" "$CK" init
contains "$err" "$D" "init says where the token is"
ok "[ -d '$D' ] && [ \"\$(mode '$D')\" = 700 ]" "data directory is mode 0700"
ok "[ -f '$D/user.pin' ] && [ \"\$(mode '$D/user.pin')\" = 600 ]" \
    "user.pin is mode 0600"
ok "[ -f '$D/so.pin' ] && [ \"\$(mode '$D/so.pin')\" = 600 ]" \
    "so.pin is mode 0600"
ok "[ -f '$D/softhsm2.conf' ]" "softhsm2.conf written"
ok "grep -q '^directories.tokendir = $D/tokens\$' '$D/softhsm2.conf'" \
    "softhsm2.conf keeps the tokens inside the directory"
ok "[ -n \"\$(ls -A '$D/tokens')\" ]" "the token is inside the directory"
ok "grep -qE '^[0-9a-f]{16,}\$' '$D/user.pin'" "user.pin holds a generated PIN"
ok "[ \"\$(cat '$D/user.pin')\" != \"\$(cat '$D/so.pin')\" ]" \
    "user and SO PINs differ"

expect_rc 0 "generate with no option but the label" "$CK" generate rsa --label x
expect_rc 0 "show with no option" "$CK" show
contains "$out" "Key name: x" "show lists the new key"
contains "$out" " Storage Device: cryptokey" "the embedded token is 'cryptokey'"
expect_rc 0 "storage with no option" "$CK" storage
contains "$out" "Embedded token directory: $D" "storage names the directory"
contains "$out" "Configuration: (none)" "storage says there is no configuration"

# The only place anything was written is the data directory (and the
# runtime directory lib.sh gives each test, where the token's lock lives).
ok "[ -z \"\$(ls -A '$T/home')\" ]" "nothing created in HOME"
ok "[ -z \"\$(ls -A '$T/cwd')\" ]" "nothing created in the working directory"
ok "[ ! -e '$T/no-such.conf' ]" "no configuration file created"
ok "[ \"\$(ls -A '$T' | sort | tr '\n' ' ')\" = 'cwd data err home out run ' ]" \
    "nothing else created beside the directory"
ok "[ \"\$(ls -A '$sysdir' 2>/dev/null | sort | tr '\n' ' ')\" = '$sys_before' ]" \
    "the system SoftHSM token directory is untouched"
ok "[ -z \"\${SOFTHSM2_CONF:-}\" ]" "the test environment has no SOFTHSM2_CONF"

# A second init refuses and changes nothing.
PIN=$(cat "$D/user.pin")
SOFTHSM2_CONF="$D/softhsm2.conf"
export SOFTHSM2_CONF
n=$(objects cryptokey)
expect_rc 4 "second init" "$CK" init
contains "$err" "already exists" "second init says the token exists"
ok "[ \"\$(cat '$D/user.pin')\" = '$PIN' ]" "second init keeps user.pin"
unchanged "$n" "second init" cryptokey
P11_TOKEN=cryptokey p11 --list-objects >/dev/null 2>&1
ok "[ $? -eq 0 ]" "user.pin logs in with pkcs11-tool"
# ... even when the PIN files are gone: no new PIN that fits no token.
mv "$D/user.pin" "$T/user.pin.saved"
mv "$D/so.pin" "$T/so.pin.saved"
expect_rc 4 "init again after the PIN files were lost" "$CK" init
ok "[ ! -e '$D/user.pin' ] && [ ! -e '$D/so.pin' ]" \
    "a refused init writes no PIN file"
mv "$T/user.pin.saved" "$D/user.pin"
mv "$T/so.pin.saved" "$D/so.pin"
unset SOFTHSM2_CONF

# --dir must be absolute.
expect_rc 2 "init --dir with a relative path" "$CK" init --dir rel/dir
ok "[ ! -e rel ] && [ -z \"\$(ls -A '$T/cwd')\" ]" \
    "init --dir relative creates nothing"

# --dir DIR --pin-source file:P: that PIN, no user.pin.
printf '4321\n' > "$T/newpin"
D2="$T/other"
expect_rc 0 "init --dir DIR --pin-source file:" \
    "$CK" init --dir "$D2" --token-label mine --pin-source "file:$T/newpin"
ok "[ ! -e '$D2/user.pin' ]" "no user.pin when the PIN came from a source"
ok "[ -f '$D2/so.pin' ] && [ \"\$(mode '$D2/so.pin')\" = 600 ]" \
    "so.pin still written, mode 0600"
ok "[ \"\$(mode '$D2')\" = 700 ]" "--dir directory is mode 0700"
SOFTHSM2_CONF="$D2/softhsm2.conf" PIN=4321 P11_TOKEN=mine \
    p11 --list-objects >"$out" 2>"$err"
ok "[ $? -eq 0 ]" "pkcs11-tool logs in with the PIN from the source"
SOFTHSM2_CONF="$D2/softhsm2.conf" PIN=0000 P11_TOKEN=mine \
    p11 --list-objects >"$out" 2>"$err"
ok "[ $? -ne 0 ]" "pkcs11-tool refuses another PIN"
expect_rc 0 "show on the --dir token with the PIN source" \
    env CRYPTOKEY_DIR="$D2" "$CK" --pin-source "file:$T/newpin" show --json
ok "[ \"\$(cat '$out')\" = '[]' ]" "the new token is empty"
expect_rc 2 "show without a PIN and without a terminal" \
    env CRYPTOKEY_DIR="$D2" "$CK" show
contains "$err" "--pin-source" "the message says how to give the PIN"

# --pin-source prompt: the new PIN twice, on a terminal.
pty_run "5678,5678" "$CK" init --dir "$T/prompted" --pin-source prompt
ok "[ $? -eq 0 ]" "init --pin-source prompt: PIN typed twice (exit 0)"
contains "$out" "Again: " "init asks for the new PIN again"
ok "! grep -q 5678 '$out'" "the new PIN is not echoed"
ok "[ ! -e '$T/prompted/user.pin' ]" "no user.pin for a typed PIN"
SOFTHSM2_CONF="$T/prompted/softhsm2.conf" PIN=5678 P11_TOKEN=cryptokey \
    p11 --list-objects >/dev/null 2>&1
ok "[ $? -eq 0 ]" "pkcs11-tool logs in with the typed PIN"
pty_run "5678,8765" "$CK" init --dir "$T/mismatch" --pin-source prompt
ok "[ $? -eq 6 ]" "init: two different PINs typed (exit 6)"
contains "$out" "differ" "init says the two entries differ"
ok "[ ! -e '$T/mismatch/tokens' ] || [ -z \"\$(ls -A '$T/mismatch/tokens')\" ]" \
    "no token made when the PINs differ"

# A bad token label is refused before anything is written.
expect_rc 2 "init --token-label of 33 bytes" \
    "$CK" init --dir "$T/long" --token-label 123456789012345678901234567890123
ok "[ ! -e '$T/long' ]" "nothing created for a bad token label"

done_testing
