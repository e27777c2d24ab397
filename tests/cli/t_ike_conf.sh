#!/bin/sh
# t_ike_conf.sh -- ikesignd.conf lines that may appear once (token, module,
# key, user, chroot, control-group) are refused the second time with file
# and line; a FlexVPN (IKEv2) configuration passes -n, and its errors give
# file and line; pre-share passes, a pre-shared key written in the file
# does not, and a missing keyring fails -n and stops the start; peer
# ranges, modes and identities; a control path that is not a socket is never removed (each
# start is bounded: the code before this rule took the path and ran).
. "$top_srcdir/tests/cli/lib.sh"

IKESIGND=$(tool ikesignd)
setup_token
"$CK" generate rsa --label ike-c --quiet >/dev/null 2>&1 ||
    { echo "Bail out! cannot make the key"; exit 1; }
base() {
	cat <<EOC
token test
module $SOFTHSM_MODULE
pin-source file:$T/pin
key ike-c
listen 127.0.0.1 port $(( 20000 + $$ % 20000 ))
control $T/ctl
EOC
}

base >"$T/ok.conf"
expect_rc 0 "ikesignd -n accepts one of each" "$IKESIGND" -n -f "$T/ok.conf"
for w in "token other" "module $SOFTHSM_MODULE" "key other" "user nobody" \
    "chroot /var/empty" "control-group root"; do
	word=${w%% *}
	{ base; echo "user nobody"; echo "chroot $T/empty"; \
	    echo "control-group root"; echo "$w"; } >"$T/dup.conf"
	line=$(wc -l <"$T/dup.conf")
	first=$(grep -n "^$word " "$T/dup.conf" | head -n 1 | cut -d: -f1)
	expect_rc 7 "a second '$word' line is refused" \
	    "$IKESIGND" -n -f "$T/dup.conf"
	contains "$err" "$T/dup.conf:$line: a second '$word' line (the first is on line $first)" \
	    "the error names the file, both lines and '$word'"
done

# IKEv2 (FlexVPN): a whole configuration passes -n; the names it uses are
# checked at the end, and the errors give the line that uses them
flex() {
	base
	cat <<EOC
crypto ikev2 proposal AES-GCM
 encryption aes-gcm-256
 prf sha384
 group 20 19
crypto ikev2 proposal AES-CBC
 encryption aes-cbc-256 aes-cbc-128
 integrity sha256
 group 14
crypto ikev2 policy GW
 match fvrf any
 match address local 127.0.0.1
 proposal AES-GCM
 proposal AES-CBC
crypto ikev2 profile BRANCH
 match identity remote address 127.0.0.2 255.255.255.255
 match identity remote fqdn domain branch.example.net
 identity local fqdn gw1.example.net
 authentication local rsa-sig pss
 authentication remote rsa-sig
 keyring local default
 lifetime 28800
 dpd 30 3 on-demand
 exit
crypto ikev2 cookie-challenge 200
crypto ikev2 limit max-in-negotiation-sa 512
crypto ikev2 fragmentation mtu 1280
peer 127.0.0.2 ike-version 2 profile ${1:-BRANCH}
peer 127.0.0.3 ike-version 2
peer 127.0.0.4 ike-version 1
EOC
}
flex >"$T/v2.conf"
expect_rc 0 "ikesignd -n accepts a FlexVPN configuration" \
    "$IKESIGND" -n -f "$T/v2.conf"
contains "$out" "$T/v2.conf: configuration OK" "-n says it is OK"
ok '! grep -q warning "$err"' "with no warning"
flex NOSUCH >"$T/v2prof.conf"
line=$(grep -n "^peer 127.0.0.2 " "$T/v2prof.conf" | cut -d: -f1)
expect_rc 7 "a peer naming no profile of the file is refused" \
    "$IKESIGND" -n -f "$T/v2prof.conf"
contains "$err" "$T/v2prof.conf:$line: profile 'NOSUCH' is not defined" \
    "the error names the peer line"
{ flex; printf 'crypto ikev2 proposal MIX\n encryption aes-gcm-128\n'; \
    printf ' integrity sha256\n group 19\n'; } >"$T/v2aead.conf"
line=$(grep -n "^crypto ikev2 proposal MIX" "$T/v2aead.conf" | cut -d: -f1)
expect_rc 7 "an aes-gcm proposal with an integrity is refused" \
    "$IKESIGND" -n -f "$T/v2aead.conf"
contains "$err" "$T/v2aead.conf:$line: proposal 'MIX': aes-gcm takes no integrity" \
    "the error names the proposal and its line"
{ flex; printf 'crypto ikev2 policy GW\n proposal NONE\n'; } >"$T/v2pol.conf"
line=$(wc -l <"$T/v2pol.conf")
expect_rc 7 "a policy naming no proposal of the file is refused" \
    "$IKESIGND" -n -f "$T/v2pol.conf"
contains "$err" "$T/v2pol.conf:$line: proposal 'NONE' is not defined (policy 'GW')" \
    "the error names the proposal line"
{ flex; echo "crypto ikev2 nat keepalive 10"; } >"$T/v2nat.conf"
line=$(wc -l <"$T/v2nat.conf")
expect_rc 7 "an IKEv2 statement ikesignd does not know is refused" \
    "$IKESIGND" -n -f "$T/v2nat.conf"
contains "$err" "$T/v2nat.conf:$line: unknown statement 'crypto ikev2 nat'" \
    "the error names the statement"
{ flex; printf 'crypto ikev2 profile P2\n authentication local pre-share\n'; \
    printf ' authentication remote pre-share\n keyring branch\n'; } \
    >"$T/v2psk.conf"
expect_rc 3 "-n checks on the token that the profile's keyring exists" \
    "$IKESIGND" -n -f "$T/v2psk.conf"
contains "$err" "crypto ikev2 profile P2 names keyring 'branch': no keyring 'branch' on token 'test'" \
    "the error names profile and keyring"
"$(tool cryptokeyring)" --module "$SOFTHSM_MODULE" \
    --token test --pin-source "file:$T/pin" create branch >/dev/null 2>&1
expect_rc 0 "an IKEv2 profile with pre-share passes -n once it does" \
    "$IKESIGND" -n -f "$T/v2psk.conf"
{ base; echo "module /nonexistent/module.so"; } | grep -v "^module $SOFTHSM_MODULE" \
    >"$T/nomod.conf"
echo "peer 127.0.0.2 keyring nosuch" >>"$T/nomod.conf"
expect_rc 0 "-n passes with a warning when the token cannot be reached" \
    "$IKESIGND" -n -f "$T/nomod.conf"
contains "$err" "warning: the keyrings were not checked" \
    "and says the keyrings were not checked"

# peers by range (responder only), Aggressive Mode initiation, identities
for l in "peer 10.0.0.0/8" "peer 0.0.0.0/0 keyring branch" \
    "peer 192.0.2.1 mode aggressive identity user-fqdn gw@example.net" \
    "peer 192.0.2.2 mode aggressive identity key-id group1" \
    "peer 192.0.2.3 identity fqdn mode main"; do
	{ base; echo "$l"; } >"$T/peer.conf"
	expect_rc 0 "accepted: $l" "$IKESIGND" -n -f "$T/peer.conf"
done
for l in "peer 10.0.0.1/8|has bits set after the first 8" \
    "peer 10.0.0.0/33|the prefix length is 0 to 32" \
    "peer 10.0.0.0/8 mode aggressive|does not initiate to a range" \
    "peer 192.0.2.1 mode quick|mode must be main or aggressive" \
    "peer 192.0.2.1 identity user-fqdn|identity user-fqdn needs an identity" \
    "peer 192.0.2.1 identity dn x|usage: identity address" \
    "peer 192.0.2.1 ike-version 2 mode aggressive|mode and identity are IKEv1 settings"; do
	{ base; echo "${l%%|*}"; } >"$T/peer.conf"
	expect_rc 7 "refused: ${l%%|*}" "$IKESIGND" -n -f "$T/peer.conf"
	contains "$err" "${l#*|}" "with the reason"
done
{ base; echo "peer 10.0.0.0/8"; echo "peer 10.0.0.0/8 keyring branch"; } \
    >"$T/peer.conf"
expect_rc 7 "the same range twice is refused" "$IKESIGND" -n -f "$T/peer.conf"

# pre-shared keys (issue 16): pre-share accepted, a key in the file never
PSK=Sup3rS3cretPSKvalue
{ base; printf 'crypto isakmp policy 10\n authentication pre-share\n'; } \
    >"$T/v1psk.conf"
expect_rc 0 "an isakmp policy with pre-share passes -n" \
    "$IKESIGND" -n -f "$T/v1psk.conf"
contains "$err" "warning: pre-shared keys with Aggressive Mode on: policy 10" \
    "with a warning that Aggressive Mode is on"
echo "crypto isakmp aggressive-mode disable" >>"$T/v1psk.conf"
expect_rc 0 "and with aggressive-mode disable" \
    "$IKESIGND" -n -f "$T/v1psk.conf"
ok '! grep -q "Aggressive Mode on" "$err"' "no warning then"
for l in "crypto isakmp key $PSK address 10.0.0.1" \
    "crypto isakmp key $PSK address 10.0.0.0 255.0.0.0" \
    " pre-shared-key address 10.0.0.1 key $PSK" \
    " pre-shared-key hostname gw.example key $PSK"; do
	{ base; echo "$l"; } >"$T/key.conf"
	line=$(wc -l <"$T/key.conf")
	expect_rc 7 "a key in the file is refused: ${l%% $PSK*}" \
	    "$IKESIGND" -n -f "$T/key.conf"
	contains "$err" "$T/key.conf:$line: pre-shared keys are not written in ikesignd.conf: store them on the token with 'cryptokeyring add-psk" \
	    "the error points at cryptokeyring add-psk"
	ok '! grep -q "$PSK" "$err" "$out"' "the key is not printed"
done
{ flex; printf 'crypto ikev2 proposal SPARE\n encryption 3des\n'; \
    printf ' integrity sha1\n group 14\n'; } >"$T/v2spare.conf"
line=$(grep -n "^crypto ikev2 proposal SPARE" "$T/v2spare.conf" | cut -d: -f1)
expect_rc 0 "a proposal no policy names is accepted" \
    "$IKESIGND" -n -f "$T/v2spare.conf"
contains "$err" "$T/v2spare.conf:$line: proposal 'SPARE' is named by no crypto ikev2 policy, so it is not used" \
    "with a warning that it is not used"
contains "$err" "$T/v2spare.conf:$((line + 1)): encryption 3des is weak" \
    "and one that 3des is weak"

# the start checks the keyrings that peers and profiles name too
{ base; echo "peer 127.0.0.2 keyring nosuch"; } >"$T/ring.conf"
expect_rc 3 "ikesignd does not start when a peer's keyring is missing" \
    timeout 20 "$IKESIGND" -d -f "$T/ring.conf"
contains "$err" "peer 127.0.0.2 names keyring 'nosuch': no keyring 'nosuch' on token 'test'; create it first" \
    "the error names peer and keyring"

# a control path that is a regular file (or a directory) is left alone
printf 'keep me\n' >"$T/ctl"
cp "$T/ctl" "$T/ctl.orig"
expect_rc 1 "ikesignd refuses a control path that is a file" \
    timeout 10 "$IKESIGND" -d -f "$T/ok.conf"
contains "$err" "$T/ctl exists and is not a socket; not removing it" \
    "the error says why"
ok 'cmp -s "$T/ctl" "$T/ctl.orig"' "the file is untouched"
rm -f "$T/ctl"
mkdir "$T/ctl"
expect_rc 1 "ikesignd refuses a control path that is a directory" \
    timeout 10 "$IKESIGND" -d -f "$T/ok.conf"
ok '[ -d "$T/ctl" ]' "the directory is untouched"
done_testing
