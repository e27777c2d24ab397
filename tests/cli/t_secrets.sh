#!/bin/sh
# t_secrets.sh -- the one PIN policy (every source, their order, the same
# order in ikesignd's signer), pin-value only from a private config file,
# secret files that must be private regular files of the user, files that
# must be regular (--in, --config, -f), init's directory and user.pin,
# --modulus in decimal, and no core dumps while a tool holds a secret.
. "$top_srcdir/tests/cli/lib.sh"

setup_template
n=$(objects)
KR=$(tool cryptokeyring)
IKESIGND=$(tool ikesignd)
GEN="generate rsa --label newkey --modulus 1024"
SHOW="show --label tpl-gen"
sed '/^pin-source/d' "$T/cryptokey.conf" > "$T/nopin.conf"
printf '9999\n' > "$T/badpin"
: > "$T/emptypin"

# no_echo TEXT DESC: TEXT is in neither $out nor $err
no_echo() {
	if grep -qF -- "$1" "$out" "$err"; then fail "$2"; else pass "$2"; fi
}

# gen_rc N DESC ARGS...: cryptokey ARGS... $GEN exits N, token unchanged
gen_rc() {
	_want=$1; _desc=$2; shift 2
	# shellcheck disable=SC2086
	expect_rc "$_want" "$_desc" "$CK" "$@" $GEN
	unchanged "$n" "$_desc"
}

# --- one PIN policy: each source ------------------------------------------
expect_rc 0 "PIN from file:PATH" \
    "$CK" --config "$T/nopin.conf" --pin-source "file:$T/pin" $SHOW
expect_rc 0 "PIN from a bare absolute path (file:PATH)" \
    "$CK" --config "$T/nopin.conf" --pin-source "$T/pin" $SHOW
expect_rc 0 "PIN from fd:N" \
    "$CK" --config "$T/nopin.conf" --pin-source fd:3 $SHOW 3<"$T/pin"
expect_rc 0 "PIN from env:VAR" env CK_T_PIN="$PIN" \
    "$CK" --config "$T/nopin.conf" --pin-source env:CK_T_PIN $SHOW
pty_run "$PIN" "$CK" --config "$T/nopin.conf" $SHOW
ok "[ $? -eq 0 ]" "PIN typed at the prompt when there is no other source"
expect_rc 0 "PIN from the token URI's pin-source" "$CK" --config "$T/nopin.conf" \
    --token "pkcs11:token=test?pin-source=file:$T/pin" $SHOW
expect_rc 0 "PIN from the token URI's pin-source as a bare path" \
    "$CK" --config "$T/nopin.conf" --token "pkcs11:token=test?pin-source=$T/pin" $SHOW
expect_rc 0 "PIN from the config's pin-source" "$CK" $SHOW
printf 'module = %s\ntoken = pkcs11:token=test?pin-value=%s\n' \
    "$SOFTHSM_MODULE" "$PIN" > "$T/value.conf"
chmod 600 "$T/value.conf"
expect_rc 0 "PIN from the pin-value of a private config file" \
    "$CK" --config "$T/value.conf" $SHOW

# --- one PIN policy: the order --------------------------------------------
sed "s|^pin-source.*|pin-source = file:$T/badpin|" "$T/cryptokey.conf" \
    > "$T/badcfg.conf"
expect_rc 6 "--pin-source beats the token URI's pin-source" \
    "$CK" --config "$T/nopin.conf" --pin-source "file:$T/badpin" \
    --token "pkcs11:token=test?pin-source=file:$T/pin" $SHOW
expect_rc 0 "the token URI's pin-source beats the config's" \
    "$CK" --config "$T/badcfg.conf" \
    --token "pkcs11:token=test?pin-source=file:$T/pin" $SHOW
expect_rc 6 "--pin-source beats the config URI's pin-value" \
    "$CK" --config "$T/value.conf" --pin-source "file:$T/badpin" $SHOW
printf 'pin-source = file:%s\n' "$T/badpin" >> "$T/value.conf"
expect_rc 0 "the config URI's pin-value beats the config's pin-source" \
    "$CK" --config "$T/value.conf" $SHOW
expect_rc 6 "the config's pin-source beats the prompt" \
    "$CK" --config "$T/badcfg.conf" $SHOW
gen_rc 7 "an empty PIN is refused" --pin-source "file:$T/emptypin"
contains "$err" "empty PIN" "the message says the PIN is empty"
expect_rc 0 "the token still takes the right PIN" "$CK" $SHOW

# Each login attempt is counted by the fault module (CRYPTOKEY_FAULT_LOGINS
# logs one line per C_Login): a wrong PIN spends one, an empty PIN none.
FM="$top_builddir/tests/faultmod/.libs/faultmod.so"
if [ -f "$FM" ]; then
	logins() { # SOURCE: C_Login calls made by show with that PIN source
		: >"$T/logins"
		CRYPTOKEY_FAULT_TARGET="$SOFTHSM_MODULE" \
		CRYPTOKEY_FAULT_LOGINS="$T/logins" $NOTTY "$CK" --module "$FM" \
		    --pin-source "$1" $SHOW >/dev/null 2>&1 </dev/null
		wc -l <"$T/logins" | tr -d ' '
	}
	wrong=$(logins "file:$T/badpin")
	empty=$(logins "file:$T/emptypin")
	ok "[ $wrong -eq 1 ] && [ $empty -eq 0 ]" \
	    "an empty PIN spends no C_Login ($empty logins, wrong PIN $wrong)"
else
	fail "no fault module at $FM"
fi

# --- pin-value: never on the command line ---------------------------------
gen_rc 2 "--token with a pin-value" --token "pkcs11:token=test?pin-value=$PIN"
contains "$err" "use --pin-source" "the message points at --pin-source"
no_echo "pin-value=$PIN" "the pin-value is not echoed"
gen_rc 2 "--token with a pin-value and other attributes" \
    --token "pkcs11:token=test?module-name=x&pin-value=$PIN"
expect_rc 2 "move --to with a pin-value" "$CK" move rsa --label tpl-exp \
    --to "pkcs11:token=test?pin-value=$PIN"
unchanged "$n" "move --to with a pin-value"
chmod 644 "$T/value.conf"
gen_rc 5 "pin-value in a config file others can read" --config "$T/value.conf"
contains "$err" "chmod 600 $T/value.conf" "the message says how to fix it"
gen_rc 5 "... even when --token overrides its token line" \
    --config "$T/value.conf" --token test
chmod 600 "$T/value.conf"
chown 65534 "$T/value.conf"
gen_rc 5 "pin-value in a config file of another user" --config "$T/value.conf"
chown 0 "$T/value.conf"

# --- a rejected source is never echoed -------------------------------------
gen_rc 2 "a PIN as --pin-source" --pin-source 314159
no_echo 314159 "the PIN given as a source is not echoed"
gen_rc 2 "fd: with a PIN after it" --pin-source fd:s3cr3t
no_echo s3cr3t "the text after fd: is not echoed"
gen_rc 2 "a passphrase as --passphrase-source" --passphrase-source hunter22
no_echo hunter22 "the passphrase given as a source is not echoed"
printf 'pin-source = 271828\n' >> "$T/nopin.conf"
gen_rc 7 "a PIN as the config's pin-source" --config "$T/nopin.conf"
no_echo 271828 "the config's bad pin-source is not echoed"
sed -i '$d' "$T/nopin.conf"

# --- secret files: private, the user's, regular ----------------------------
cp "$T/pin" "$T/pin644"; chmod 644 "$T/pin644"
gen_rc 5 "a PIN file others can read" --pin-source "file:$T/pin644"
contains "$err" "$T/pin644: permissions 0644 are too open" "the message names the mode"
contains "$err" "chmod 600 $T/pin644" "the message says how to fix it"
cp "$T/pin" "$T/pin640"; chmod 640 "$T/pin640"
gen_rc 5 "a PIN file the group can read" --pin-source "$T/pin640"
cp "$T/pin" "$T/pinnobody"; chown 65534 "$T/pinnobody"
gen_rc 5 "a PIN file of another user" --pin-source "file:$T/pinnobody"
contains "$err" "not by you" "the message says whose it is"
mkfifo "$T/pinfifo"
expect_rc 7 "a PIN file that is a FIFO (at once)" \
    timeout 10 "$CK" --pin-source "file:$T/pinfifo" $GEN
unchanged "$n" "a PIN file that is a FIFO"
contains "$err" "a FIFO, not a regular file" "the message says FIFO"
gen_rc 7 "a PIN file that is a directory" --pin-source "file:$T"
gen_rc 7 "a PIN file that is a device" --pin-source "file:/dev/zero"
passphrase secret-pass
chmod 604 "$T/pass"
expect_rc 5 "a passphrase file others can read" "$CK" $P export rsa \
    --label tpl-exp --out "$T/exp.pem"
ok "[ ! -e '$T/exp.pem' ]" "no export written"
contains "$err" "permissions 0604 are too open" "passphrase: the message names the mode"

# --- files that must be regular ---------------------------------------------
mkfifo "$T/fifo"
expect_rc 7 "import --in FIFO (at once)" timeout 10 \
    "$CK" import rsa --label imp --in "$T/fifo"
contains "$err" "a FIFO" "import: the message says FIFO"
unchanged "$n" "import --in FIFO"
expect_rc 7 "import --in a directory" "$CK" import rsa --label imp --in "$T"
expect_rc 7 "import --in a device" "$CK" import rsa --label imp --in /dev/zero
unchanged "$n" "import --in a device"
expect_rc 7 "add-pubkey --in FIFO (at once)" timeout 10 \
    "$KR" add-pubkey ring1 --address 192.0.2.9 --in "$T/fifo"
expect_rc 7 "add-pubkey --key-string FIFO (at once)" timeout 10 \
    "$KR" add-pubkey ring1 --address 192.0.2.9 --key-string "$T/fifo"
unchanged "$n" "add-pubkey from a FIFO"
expect_rc 7 "--config FIFO (at once)" timeout 10 "$CK" --config "$T/fifo" $GEN
unchanged "$n" "--config FIFO"
gen_rc 7 "--config a directory" --config "$T"
contains "$err" "a directory, not a regular file" "--config DIR: the message says so"
expect_rc 7 "ikesignd -f FIFO (at once)" timeout 10 "$IKESIGND" -n -f "$T/fifo"
expect_rc 7 "ikesignd -f a directory" "$IKESIGND" -n -f "$T"
expect_rc 7 "ikesignd -f a device" "$IKESIGND" -n -f /dev/zero

# --- --modulus: decimal only ------------------------------------------------
expect_rc 2 "--modulus 0x800" "$CK" generate rsa --label hexkey --modulus 0x800
contains "$err" "decimal" "the message asks for a decimal number"
expect_rc 2 "--modulus 04096 (octal to popt)" \
    "$CK" generate rsa --label octkey --modulus 04096
expect_rc 2 "--modulus 2048bits" \
    "$CK" generate rsa --label junkkey --modulus 2048bits
unchanged "$n" "bad --modulus values"

# --- ikesignd's signer follows the same policy ------------------------------
# The key is missing on purpose: exit 3 "cannot use key" means the login
# worked.  A PIN that must not be used must not give exit 3, and the reason
# must be on stderr; whether the daemon then exits or waits for a reload, it
# listens on loopback only and is stopped after 3 s.
IKEPORT=$((40000 + $$ % 20000))
ike_conf() { # CONF-LINES...
	printf '%s\n' "module $SOFTHSM_MODULE" "key nosuchkey" \
	    "listen 127.0.0.1 port $IKEPORT" "control $T/ike.sock" "$@" \
	    > "$T/ike.conf"
}
ike_run() {
	$NOTTY timeout -k 2 3 "$IKESIGND" -d -f "$T/ike.conf" \
	    </dev/null >"$out" 2>"$err"
}
ike_login() { # DESC CONF-LINES...: the signer logs in
	_desc=$1; shift
	ike_conf "$@"
	ike_run
	_got=$?
	if [ "$_got" -eq 3 ] && grep -q "cannot use key 'nosuchkey'" "$err"; then
		pass "$_desc (logged in)"
	else
		fail "$_desc: exit $_got, wanted 3 (logged in, no key)"
	fi
}
ike_refused() { # DESC TEXT CONF-LINES...: no login, TEXT on stderr
	_desc=$1; _text=$2; shift 2
	ike_conf "$@"
	ike_run
	_got=$?
	if [ "$_got" -ne 3 ] && [ "$_got" -ne 0 ] && grep -qF -- "$_text" "$err"
	then
		pass "$_desc (exit $_got)"
	else
		fail "$_desc: exit $_got, wanted a refusal saying '$_text'"
	fi
}
ike_login "ikesignd: pin-source file:PATH" "token test" "pin-source file:$T/pin"
ike_login "ikesignd: pin-source as a bare path" "token test" "pin-source $T/pin"
ike_login "ikesignd: the token URI's pin-source beats the config's" \
    "token pkcs11:token=test?pin-source=file:$T/pin" "pin-source file:$T/badpin"
ike_login "ikesignd: the config URI's pin-value beats the config's pin-source" \
    "token pkcs11:token=test?pin-value=$PIN" "pin-source file:$T/badpin"
ike_refused "ikesignd: a wrong PIN" CKR_PIN_INCORRECT \
    "token test" "pin-source file:$T/badpin"
ike_refused "ikesignd: an empty PIN is refused before login" "empty PIN" \
    "token test" "pin-source file:$T/emptypin"
ike_refused "ikesignd: a PIN file others can read" "are too open" \
    "token test" "pin-source file:$T/pin644"
ike_refused "ikesignd: no PIN source at all, and no prompt" "no PIN source" \
    "token test"
ike_conf "token pkcs11:token=test?pin-value=$PIN"
chmod 644 "$T/ike.conf"
expect_rc 5 "ikesignd: pin-value in an ikesignd.conf others can read" \
    "$IKESIGND" -n -f "$T/ike.conf"
contains "$err" "chmod 600" "ikesignd: the message says how to fix it"
no_echo "pin-value=$PIN" "ikesignd: the pin-value is not echoed"
unchanged "$n" "after the ikesignd runs"

# --- init: the directory and user.pin --------------------------------------
INIT="env -u SOFTHSM2_CONF CRYPTOKEY_CONF=$T/no-such.conf $CK init"
mkdir -m 777 "$T/open"; chmod 777 "$T/open"
expect_rc 5 "init into a directory anyone can write" $INIT --dir "$T/open"
contains "$err" "chmod go-w $T/open" "the message says how to fix it"
ok "[ -z \"\$(ls -A '$T/open')\" ]" "nothing written into it"
mkdir -m 700 "$T/theirs"; chown 65534 "$T/theirs"
expect_rc 5 "init into another user's directory" $INIT --dir "$T/theirs"
ok "[ -z \"\$(ls -A '$T/theirs')\" ]" "nothing written into it"
mkdir -m 700 "$T/planted"
printf 'planted-pin' > "$T/planted/user.pin"
printf 'planted-so-pin' > "$T/planted/so.pin"
expect_rc 0 "init where a user.pin is already waiting" $INIT --dir "$T/planted"
ok "[ \"\$(cat '$T/planted/user.pin')\" != planted-pin ]" \
    "the planted user.pin is not the new token's PIN"
ok "[ \"\$(cat '$T/planted/so.pin')\" != planted-so-pin ]" \
    "the planted so.pin is not the new token's SO PIN"
SOFTHSM2_CONF="$T/planted/softhsm2.conf" PIN=planted-pin \
    P11_TOKEN=cryptokey p11 --list-objects >/dev/null 2>&1
ok "[ $? -ne 0 ]" "the planted PIN does not log in"
SOFTHSM2_CONF="$T/planted/softhsm2.conf" PIN=$(cat "$T/planted/user.pin") \
    P11_TOKEN=cryptokey p11 --list-objects >/dev/null 2>&1
ok "[ $? -eq 0 ]" "the new user.pin logs in"
chmod 644 "$T/planted/user.pin"
expect_rc 5 "the embedded user.pin readable by others is refused" \
    env -u SOFTHSM2_CONF CRYPTOKEY_CONF="$T/no-such.conf" \
    CRYPTOKEY_DIR="$T/planted" "$CK" show
contains "$err" "chmod 600 $T/planted/user.pin" "the message says how to fix it"

# --- no core dumps while a tool waits for a secret -------------------------
# As an ordinary user (nobody), init waits for its new PIN on a pipe: the
# process must not be dumpable (its /proc entries turn root's) and its core
# size limit must be 0.  nobody runs a copy of the program and its library
# from a directory it can reach: the build tree may be where it cannot
# (a clone in root's home, 0700).
NB=$(mktemp -d "${TMPDIR:-/tmp}/cknobody.XXXXXX") && chmod 755 "$NB" &&
    cp "$CK" "$top_builddir/libkeystore/.libs/libkeystore.so.0" "$NB/" &&
    chmod 755 "$NB/cryptokey" "$NB/libkeystore.so.0"
ok '[ $? -eq 0 ]' "a copy of cryptokey that nobody can run"
exit_trap 'rm -rf "$T" "$NB"'
mkfifo "$T/hold"
LD_LIBRARY_PATH="$NB" setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$NB/cryptokey" init --dir "$T/nobody" --pin-source fd:3 3<"$T/hold" \
    >/dev/null 2>&1 &
pid=$!
exec 4>"$T/hold"
i=0
while [ $i -lt 50 ]; do
	grep -qE '^Max core file size +0 +0 ' "/proc/$pid/limits" 2>/dev/null &&
	    [ "$(stat -c %u "/proc/$pid/status" 2>/dev/null)" = 0 ] && break
	sleep 0.1
	i=$((i + 1))
done
ok "grep -qE '^Max core file size +0 +0 ' /proc/$pid/limits" \
    "a tool holding a secret has a core size limit of 0"
ok "[ \"\$(stat -c %u /proc/$pid/status)\" = 0 ] && [ \"\$(stat -c %u /proc/$pid/environ)\" = 0 ]" \
    "a tool holding a secret is not dumpable (its /proc files are root's)"
ok "[ \"\$(awk '/^Uid:/ { print \$2 }' /proc/$pid/status)\" = 65534 ]" \
    "(it runs as nobody)"
kill "$pid" 2>/dev/null
exec 4>&-
wait "$pid" 2>/dev/null

done_testing
