#!/bin/sh
# t_examples.sh -- the scripts in examples/ do what their comments say, on
# real SoftHSM2 tokens:
#   audit.sh          each finding (exportable, unlocked, old) and the exit
#                     status; an old key through -i on a saved listing
#   backup-restore.sh a key backed up to an encrypted PEM comes back on a
#                     second token with the same public keys (usage keys
#                     too); a non-exportable key is refused
#   rotate-key.sh     the new pair is made and published (PEM, key-string
#                     that cryptokeyring takes), ikesignd.conf names it and
#                     passes ikesignd -n, a live ikesignd (own network
#                     namespace, when unshare can make one) switches to it
#                     on reload, the old pair is zeroized; a reload that
#                     is refused puts the configuration back and keeps the
#                     old pair
. "$top_srcdir/tests/cli/lib.sh"

command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"
EX="$top_srcdir/examples"
CKR=$(tool cryptokeyring)
IKESIGND=$(tool ikesignd)
IKESIGNCTL=$(tool ikesignctl)
CRYPTOKEY=$CK
export CRYPTOKEY

setup_template
printf '%s\n' "a backup passphrase" >"$T/pass"
chmod 600 "$T/pass"
PS="--passphrase-source file:$T/pass"

# --- audit.sh ---------------------------------------------------------------
expect_rc 1 "audit.sh finds keys" sh "$EX/audit.sh"
ok "grep -q '^tpl-exp	general	[0-9a-f]*	[0-9TZ:-]*	exportable,unlocked\$' '$out'" \
    "audit.sh: tpl-exp is exportable and unlocked"
ok "[ \$(grep -c 'unlocked' '$out') -eq 4 ]" \
    "audit.sh: all four pairs are unlocked"
ok "! grep -q 'old' '$out'" "audit.sh: no key is a year old"
expect_rc 1 "audit.sh -e" sh "$EX/audit.sh" -e
ok "[ \$(wc -l <'$out') -eq 1 ] && grep -q '^tpl-exp	' '$out'" \
    "audit.sh -e lists tpl-exp alone"
"$CK" encrypt rsa --label tpl-exp $PS --kdf pbkdf2:1000 --quiet >/dev/null 2>&1 &&
    "$CK" lock rsa --label tpl-exp $PS --quiet >/dev/null 2>&1 ||
    fail "lock tpl-exp"
expect_rc 1 "audit.sh -u after a lock" sh "$EX/audit.sh" -u
ok "! grep -q '^tpl-exp	' '$out' && [ \$(wc -l <'$out') -eq 3 ]" \
    "audit.sh -u leaves out the locked key"
expect_rc 1 "audit.sh -d 0" sh "$EX/audit.sh" -d 0
ok "[ \$(grep -c '	old\$' '$out') -eq 4 ]" "audit.sh -d 0: every key is old"
"$CK" show --json >"$T/list.json" 2>/dev/null
jq '(.[] | select(.label == "tpl-usage") | .created) = "2020-01-01T00:00:00Z"' \
    "$T/list.json" >"$T/old.json"
expect_rc 1 "audit.sh -d 30 -i on a saved listing" \
    sh "$EX/audit.sh" -d 30 -i "$T/old.json"
ok "[ \$(wc -l <'$out') -eq 2 ] && [ \$(grep -c '^tpl-usage	.*2020-01-01T00:00:00Z	old\$' '$out') -eq 2 ]" \
    "audit.sh -d 30: the two tpl-usage pairs are old"
jq 'map(select(.label == "tpl-exp"))' "$T/list.json" >"$T/locked.json"
expect_rc 0 "audit.sh -u -d 30: nothing to report on a locked, fresh key" \
    sh "$EX/audit.sh" -u -d 30 -i "$T/locked.json"
expect_rc 1 "audit.sh -i: the locked key is still exportable" \
    sh "$EX/audit.sh" -i "$T/locked.json"
ok "[ \$(wc -l <'$out') -eq 1 ] && grep -q '	exportable\$' '$out'" \
    "audit.sh: exportable is its only finding"
expect_rc 2 "audit.sh -d x is a usage error" sh "$EX/audit.sh" -d x

# --- backup-restore.sh --------------------------------------------------------
add_token second
"$CK" generate rsa --label bk --usage-keys --exportable --modulus 1024 \
    --quiet >/dev/null 2>&1 || fail "generate bk"
expect_rc 0 "backup-restore.sh backup" \
    sh "$EX/backup-restore.sh" backup bk "$T/bk.pem" $PS
ok "grep -q 'BEGIN ENCRYPTED PRIVATE KEY' '$T/bk.pem' && ! grep -q 'BEGIN RSA PRIVATE KEY\|BEGIN PRIVATE KEY' '$T/bk.pem'" \
    "the backup's private keys are encrypted"
ok "[ \$(stat -c %a '$T/bk.pem') = 600 ]" "the backup is mode 0600"
expect_rc 0 "backup-restore.sh restore onto a second token" \
    sh "$EX/backup-restore.sh" restore bk "$T/bk.pem" $PS --token second
contains "$out" "matches" "restore checks the public keys"
"$CK" show --label bk --json >"$T/a.json" 2>/dev/null
"$CK" show --label bk --json --token second >"$T/b.json" 2>/dev/null
ok "[ \"\$(jq -c 'map([.usage, .public_key]) | sort' '$T/a.json')\" = \"\$(jq -c 'map([.usage, .public_key]) | sort' '$T/b.json')\" ]" \
    "both pairs are on the second token with their usages and public keys"
ok "[ \"\$(jq -c 'map(.exportable)' '$T/b.json')\" = '[false,false]' ]" \
    "restored keys are non-exportable by default"
expect_rc 1 "verify against another key's backup" \
    sh "$EX/backup-restore.sh" verify tpl-exp "$T/bk.pem"
expect_rc 5 "backup of a non-exportable key is refused" \
    sh "$EX/backup-restore.sh" backup tpl-usage "$T/no.pem" $PS
ok "[ ! -e '$T/no.pem' ]" "and leaves no file"

# --- rotate-key.sh ------------------------------------------------------------
mkdir -p "$T/pub"
cat >"$T/ikesignd.conf" <<EOC
token test
module $SOFTHSM_MODULE
pin-source file:$T/pin
key tpl-gen
hostname a.test
control $T/ctl.sock
user nobody
peer 127.0.0.2 ike-version 2 keyring default
EOC
chmod 600 "$T/ikesignd.conf"

# A live daemon in a network namespace of its own, when one can be made
# (root); otherwise a stand-in ikesignctl answers reload and show sa.
live=0
if [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then live=1; fi
cat >"$T/start.sh" <<EOC
#!/bin/sh
unshare -n sh -c 'ip link set lo up 2>/dev/null; exec "\$0" -d -f "\$1"' \
    "$IKESIGND" "$T/ikesignd.conf" >>"$T/ikesignd.log" 2>&1 &
echo \$! >"$T/ikesignd.pid"
EOC
# $T/fail-reload: the reload is refused as ikesignd refuses one whose key
# cannot be used (the real refusal: t_ike_ecdsa.sh)
cat >"$T/ctl.sh" <<EOC
#!/bin/sh
case " \$* " in *" reload "*) reload=1 ;; *) reload=0 ;; esac
if [ \$reload -eq 1 ] && [ -f "$T/fail-reload" ]; then
	echo "reload failed: key 'x' on token 'test' cannot be used" >&2
	exit 3
fi
if [ $live -eq 1 ]; then exec "$IKESIGNCTL" "\$@"; fi
[ \$reload -eq 1 ] && exec "$IKESIGND" -n -f "$T/ikesignd.conf"
echo "signer: running"
EOC
chmod 700 "$T/ctl.sh"
IKESIGNCTL="$T/ctl.sh"
IKESIGNCTL_SOCKET="$T/ctl.sock"
IKESIGND_BIN=$IKESIGND
export IKESIGNCTL IKESIGNCTL_SOCKET
stop_daemon() {
	if [ -s "$T/ikesignd.pid" ]; then
		kill "$(cat "$T/ikesignd.pid")" 2>/dev/null
		wait 2>/dev/null
	fi
}
exit_trap 'stop_daemon; rm -rf "$T"'

if [ $live -eq 1 ]; then
	sh "$T/start.sh"
	ok "for i in \$(seq 50); do $IKESIGNCTL -s $T/ctl.sock show sa 2>/dev/null | grep -q '^signer: running' && break; sleep 0.2; done; [ \$i -lt 50 ]" \
	    "ikesignd runs with key tpl-gen"
	grep -q "key 'tpl-gen'" "$T/ikesignd.log" ||
	    fail "ikesignd's log names key tpl-gen"
fi

IKESIGND=$IKESIGND_BIN expect_rc 0 "rotate-key.sh" sh "$EX/rotate-key.sh" \
    -c "$T/ikesignd.conf" -o "$T/pub" -m 1024 gw-2027
cat "$out" | sed 's/^/# /'
ok "grep -qx 'key gw-2027' '$T/ikesignd.conf'" "ikesignd.conf names the new key"
expect_rc 0 "the new configuration passes ikesignd -n" \
    "$IKESIGND_BIN" -n -f "$T/ikesignd.conf"
expect_rc 3 "the old pair is gone" "$CK" show --label tpl-gen
"$CK" show --label gw-2027 --json >"$T/new.json" 2>/dev/null
ok "[ \"\$(jq -r '.[0].public_key' '$T/new.json')\" = \"\$(cat '$T/pub/gw-2027.pem')\" ]" \
    "gw-2027.pem is the new public key"
expect_rc 0 "the published key-string goes into a keyring" \
    "$CKR" add-pubkey default --address 192.0.2.9 \
    --key-string "$T/pub/gw-2027.key-string"
"$CKR" show default --json >"$T/ring.json" 2>/dev/null
ok "grep -q '192.0.2.9' '$T/ring.json'" "cryptokeyring lists the published key"
if [ $live -eq 1 ]; then
	ok "grep -q \"the signer for key 'gw-2027'\" '$T/ikesignd.log'" \
	    "the reload switched ikesignd to key gw-2027"
	ok "$IKESIGNCTL -s $T/ctl.sock show sa | grep -q '^signer: running'" \
	    "its signer is running"
fi

# a reload that is refused: the configuration comes back, the old key stays
touch "$T/fail-reload"
IKESIGND=$IKESIGND_BIN expect_rc 1 "rotate-key.sh with a refused reload" \
    sh "$EX/rotate-key.sh" -c "$T/ikesignd.conf" -o "$T/pub" -m 1024 gw-2028
ok "grep -qx 'key gw-2027' '$T/ikesignd.conf'" "ikesignd.conf is back to gw-2027"
expect_rc 0 "the old key is kept" "$CK" show --label gw-2027
rm -f "$T/fail-reload"
expect_rc 1 "rotate-key.sh refuses the key in use" \
    sh "$EX/rotate-key.sh" -c "$T/ikesignd.conf" gw-2027
stop_daemon

done_testing
