#!/bin/sh
# t_keyring_crash.sh -- crash safety of cryptokeyring: stop add-pubkey,
# add-psk and delete at every PKCS#11 call they make (failing the call, or
# killing the process right after it took effect) through tests/faultmod,
# check the token holds the old state or the new one (or, for delete, a
# part a rerun finishes), then that a rerun completes.
. "$top_srcdir/tests/cli/lib.sh"

. "$top_srcdir/tests/cli/crash.sh"

KR=$(tool cryptokeyring)
CRASH_TOOL="$KR"
setup_token
crash_setup
printf 'Crash-test-PSK\n' > "$T/psk"
chmod 600 "$T/psk"
export PSKSRC="file:$T/psk"

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 \
    -out "$T/peer.key" 2>/dev/null
openssl pkey -in "$T/peer.key" -pubout -out "$T/peer.pem" 2>/dev/null
openssl pkey -in "$T/peer.key" -pubout -outform DER -out "$T/peer.der" \
    2>/dev/null
WANT=$(od -An -v -tx1 "$T/peer.der" | tr -d ' \n' | tr a-f A-F)

"$KR" create ring1 >/dev/null 2>&1 &&
"$KR" add-pubkey ring1 --address 192.0.2.1 --in "$T/peer.pem" >/dev/null 2>&1 &&
"$KR" add-pubkey ring1 --name other --in "$T/peer.pem" >/dev/null 2>&1 &&
"$KR" --passphrase-source "$PSKSRC" add-psk ring1 --address 10.0.0.0/8 \
    >/dev/null 2>&1 || { echo "Bail out! cannot set up keyring"; exit 1; }
save_pristine

# json EXPR: python EXPR over "show --json" (as d)
json() {
	"$KR" show --json >"$T/show.json" 2>/dev/null || return 1
	jget "$T/show.json" "$1"
}
# labels on the token as pkcs11-tool sees them (whatever show thinks)
token_labels() {
	p11 --list-objects 2>/dev/null | sed -n "s/^ *label: *'*\([^']*\)'*\$/\1/p" |
	    sort
}

# add-pubkey: the new key is there whole, or not at all.  new_key_hex:
# the DER of the key show lists for 192.0.2.9 in hex, or "none" (one
# python for what jget, openssl and od took a process each to do: a sweep
# asks thousands of times)
new_key_hex() {
	"$KR" show --json >"$T/show.json" 2>/dev/null || return 1
	"$PYTHON" - "$T/show.json" <<'EOPY'
import base64, json, sys
d = json.load(open(sys.argv[1]))
k = [e['public_key'] for r in d for e in r['entries']
     if e['peer'] == '192.0.2.9']
if not k:
    print('none')
else:
    b64 = ''.join(l for l in k[0].splitlines() if not l.startswith('-----'))
    print(base64.b64decode(b64).hex().upper())
EOPY
}
check_addkey() {
	_k=$(new_key_hex) || return 1
	[ "$_k" = none ] || [ "$_k" = "$WANT" ]
}
final_addkey() { [ "$(new_key_hex)" = "$WANT" ]; }
sweep "add-pubkey" check_addkey final_addkey \
    add-pubkey ring1 --address 192.0.2.9 --in "$T/peer.pem"

# add-psk: no PSK, or one that is sensitive and not extractable
psk_state() {
	json "[(e['sensitive'], e['extractable']) for r in d for e in r['entries'] if e['peer'] == 'psk.example.com']"
}
check_addpsk() {
	_s=$(psk_state) || return 1
	[ "$_s" = "[]" ] || [ "$_s" = "[[true, false]]" ]
}
final_addpsk() { [ "$(psk_state)" = "[[true, false]]" ]; }
sweep "add-psk" check_addpsk final_addpsk \
    --passphrase-source "$PSKSRC" add-psk ring1 --hostname psk.example.com

# delete: entries first, the record last.  After any stop, show lists
# every entry still on the token, and a keyring without its record has no
# entries left; a rerun removes everything.
ring_entries() {
	json "len([e for r in d if r['name'] == 'ring1' for e in r['entries']])"
}
# (of the labels token_labels put in $T/labels)
token_entries() { grep -c '^\(peer\|psk\)/ring1/' "$T/labels"; }
has_record() { grep -qx 'keyring/ring1' "$T/labels"; }
check_delete() {
	_listed=$(ring_entries) || return 1
	token_labels >"$T/labels"
	_there=$(token_entries)
	[ "$_listed" -eq "$_there" ] || return 1
	has_record || [ "$_there" -eq 0 ]
}
final_delete() {
	token_labels >"$T/labels"
	! has_record && [ "$(token_entries)" -eq 0 ]
}
sweep "delete" check_delete final_delete delete ring1 --yes

done_testing
