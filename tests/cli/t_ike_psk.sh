#!/bin/sh
# t_ike_psk.sh -- pre-shared keys kept on the token (cryptokeyring add-psk):
# IKEv1 Main Mode (SKEYID = prf(PSK, Ni | Nr) made on the token) and IKEv2
# (AUTH = prf(prf(PSK, "Key Pad for IKEv2"), octets): inner prf on the
# token, outer in the signer) with strongSwan, both roles; a peer named by
# host name gets the key for its name before its address's, and its
# address's when its name has none; a wrong PSK and an address without
# one are refused; after the handshakes no copy of the PSK is in the
# memory of ikesignd's processes, while the same scan finds it in
# strongSwan's; and with a token that holds its searches and reads
# (tests/faultmod), ikesignctl is answered while the prf waits, and the
# handshakes then complete (IKEv1 and IKEv2, ikesignd responding).
. "$top_srcdir/tests/cli/t_ike_env.sh"

ike_setup
# a long random PSK, and a wrong one
python3 -c 'import secrets; print(secrets.token_hex(32))' >"$T/psk"
python3 -c 'import secrets; print(secrets.token_hex(32))' >"$T/psk.bad"
chmod 600 "$T/psk" "$T/psk.bad"
"$CKR" add-psk default --address "$IPB" --passphrase-source "file:$T/psk" \
    >/dev/null 2>&1 ||
    { echo "Bail out! cannot store the PSK on the token"; exit 1; }
"$CKR" create byname >/dev/null 2>&1 &&
"$CKR" add-psk byname --hostname b.test --passphrase-source "file:$T/psk" \
    >/dev/null 2>&1 &&
"$CKR" add-psk byname --address "$IPB" --passphrase-source "file:$T/psk.bad" \
    >/dev/null 2>&1 &&
"$CKR" create other >/dev/null 2>&1 &&
"$CKR" add-psk other --address "$IPB" --passphrase-source "file:$T/psk.bad" \
    >/dev/null 2>&1 ||
    { echo "Bail out! cannot store the wrong PSK"; exit 1; }

# strongSwan: the same PSK in its secrets, connections by version
cat >>"$T/b/swanctl/swanctl.conf" <<EOC
secrets {
  ike-a {
    id-a = $IPA
    id-b = $IPB
    id-c = b.test
    secret = "$(cat "$T/psk")"
  }
}
EOC
psk_conn() { # NAME VERSION [LOCAL-ID]
	cat <<EOC
  $1 {
    version = $2
    mobike = no
    local_addrs = $IPB
    remote_addrs = $IPA
    proposals = aes128-sha256-modp2048
    local {
      auth = psk
      id = ${3:-$IPB}
    }
    remote {
      auth = psk
      id = $IPA
    }
  }
EOC
}
{
	echo "connections {"
	psk_conn p1 1
	psk_conn p2 2
	psk_conn p2h 2 b.test
	echo "}"
} >>"$T/b/swanctl/swanctl.conf"

v1psk() { # KEYRING
	ikesignd_v1_conf "pre-share" "peer $IPB ike-version 1 keyring $1"
}
v2psk() { # KEYRING
	ikesignd_v2_conf "" " authentication local pre-share
 authentication remote pre-share
 keyring $1"
}

v1psk default
ikesignd_start
ok '[ $? -eq 0 ]' "ikesignd starts with an IKEv1 pre-share policy"
charon_start

# IKEv1 Main Mode
expect_rc 0 "strongSwan initiates IKEv1 Main Mode with the PSK" \
    swan --initiate --ike p1 --timeout 10
logged "$T/ikesignd.log" "authentication of '$IPB' with pre-shared key successful" \
    "ikesignd checked strongSwan's HASH_I with the token's PSK"
logged "$T/ikesignd.log" "established as responder: AES-128/SHA256/pre-share/group 14" \
    "ikesignd responds with pre-share"
swan --terminate --ike p1 --timeout 5 >/dev/null 2>&1
expect_rc 0 "ikesignd initiates IKEv1 Main Mode with the PSK" \
    ctl initiate "$IPB"
wait_count "$T/b/charon.log" "established between $IPB[$IPB]...$IPA[$IPA]" 2 5
ok "[ \$(grep -cF 'established between $IPB[$IPB]...$IPA[$IPA]' $T/b/charon.log) -eq 2 ]" \
    "strongSwan (responder) took ikesignd's HASH_I and established"
ctl clear sa >/dev/null

# IKEv2
v2psk default
expect_rc 0 "reload for IKEv2 pre-share" ctl reload
expect_rc 0 "strongSwan initiates IKEv2 with the PSK" \
    swan --initiate --ike p2 --timeout 10
wait_count "$T/ikesignd.log" "authentication of '$IPB' with pre-shared key successful" 3 5
ok "[ \$(grep -c \"authentication of '$IPB' with pre-shared key successful\" $T/ikesignd.log) -eq 3 ]" \
    "ikesignd checked strongSwan's IKEv2 AUTH with the token's PSK"
swan --terminate --ike p2 --timeout 5 >/dev/null 2>&1
expect_rc 0 "ikesignd initiates IKEv2 with the PSK" ctl initiate "$IPB"
contains "$out" "IKEv2 SA with $IPB established" "initiate reports the SA"
ok "[ \$(grep -c \"authentication of '$IPA' with pre-shared key successful\" $T/b/charon.log) -ge 2 ]" \
    "strongSwan checked ikesignd's IKEv2 AUTH"
ctl show sa --json >"$T/sa.json"
ok "python3 -c 'import json,sys; a=json.load(open(\"$T/sa.json\")); \
sys.exit(not (len(a)==1 and a[0][\"auth\"]==\"pre-shared key\"))'" \
    "show sa --json says pre-shared key"

# the PSK is in no memory of ikesignd's; the scan finds strongSwan's copy
psk_scan_ikesignd "$T/psk" \
    "no copy of the PSK in ikesignd's parent, network process or signer"
python3 "$top_srcdir/tests/cli/t_ike_memscan.py" "$T/psk" "$CHARON_PID" \
    >"$T/scan.swan" 2>&1
ok "awk '{ exit !(\$2 > 0 && \$3 == 0) }' $T/scan.swan" \
    "the same scan finds the PSK in strongSwan's charon"
sed 's/^/# charon pid, copies: /' "$T/scan.swan"
ctl clear sa >/dev/null

# IKEv2 with a peer named by host name: its key wins over its address's
v2psk byname
ctl reload >/dev/null
expect_rc 0 "strongSwan as b.test: the key for the name is used" \
    swan --initiate --ike p2h --timeout 10
logged "$T/ikesignd.log" "authentication of 'b.test' with pre-shared key successful (key from keyring 'byname')" \
    "ikesignd took the PSK stored for hostname b.test"
swan --terminate --ike p2h --timeout 5 >/dev/null 2>&1
# ... and with no key for the name, its address's (the signer asked twice)
v2psk default
ctl reload >/dev/null
expect_rc 0 "strongSwan as b.test, no key for the name: the address's" \
    swan --initiate --ike p2h --timeout 10
logged "$T/ikesignd.log" "authentication of 'b.test' with pre-shared key successful (key from keyring 'default')" \
    "ikesignd took the PSK stored for address $IPB"
swan --terminate --ike p2h --timeout 5 >/dev/null 2>&1

# refusals: the wrong PSK (keyring other), no PSK for the address
v2psk other
ctl reload >/dev/null
expect_rc 1 "a wrong PSK is refused (IKEv2)" \
    swan --initiate --ike p2 --timeout 10
logged "$T/ikesignd.log" "does not match: its pre-shared key is not the one keyring 'other' holds" \
    "ikesignd says the peer's key did not match"
v1psk other
ctl reload >/dev/null
expect_rc 1 "a wrong PSK is refused (IKEv1)" \
    swan --initiate --ike p1 --timeout 10
logged "$T/ikesignd.log" "pre-shared key does not match the one keyring 'other' holds for $IPB" \
    "ikesignd says the IKEv1 pre-shared key did not match"
"$CKR" create empty >/dev/null 2>&1
v1psk empty
ctl reload >/dev/null
expect_rc 1 "an address without a PSK is refused" \
    swan --initiate --ike p1 --timeout 10
logged "$T/ikesignd.log" "no pre-shared key for $IPB" \
    "ikesignd says there is no PSK for the address"
ok "[ \$(ctl show sa --json | python3 -c 'import json,sys; print(len([a for a in json.load(sys.stdin) if a[\"state\"] in (\"QM_IDLE\", \"READY\")]))') -eq 0 ]" \
    "no SA is left after the refusals"
ok '! grep -qF "$(cat $T/psk)" $T/ikesignd.log' "the log holds no PSK"

# a token that holds its searches and reads: the prf is waited for
# without stopping the network process
if [ -f "$FAULTMOD" ]; then
	ikesignd_stop
	export CRYPTOKEY_FAULT_TARGET="$SOFTHSM_MODULE"
	export CRYPTOKEY_FAULT_SIGN_LOG="$T/signs"
	export CRYPTOKEY_FAULT_HOLD="$T/hold"
	v1psk default
	sed -i "s|^module .*|module $FAULTMOD|" "$T/ikesignd.conf"
	ikesignd_start
	ok '[ $? -eq 0 ]' "ikesignd starts on the token behind the fault module"
	show_while_held "IKEv1 pre-share" "a pre-shared key's prf asked of" \
	    swan --initiate --ike p1 --timeout 10
	contains "$T/run.log" "established as responder" \
	    "IKEv1 pre-share: ikesignd established it with the prf it waited for"
	swan --terminate --ike p1 --timeout 5 >/dev/null 2>&1
	v2psk default
	sed -i "s|^module .*|module $FAULTMOD|" "$T/ikesignd.conf"
	ctl reload >/dev/null
	show_while_held "IKEv2 pre-share" "a pre-shared key's prf asked of" \
	    swan --initiate --ike p2 --timeout 10
	contains "$T/run.log" "established as responder" \
	    "IKEv2 pre-share: ikesignd established it with the prfs it waited for"
	swan --terminate --ike p2 --timeout 5 >/dev/null 2>&1
fi

done_testing
