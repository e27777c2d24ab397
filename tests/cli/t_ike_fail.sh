#!/bin/sh
# t_ike_fail.sh -- ikesignd's configuration check, and failures against
# strongSwan that must end cleanly on both sides: proposal mismatch, unknown
# peer, unknown identity, IKEv1 with a peer configured for IKEv2, wrong peer
# key (either side), a burst of malformed packets, and the local key
# disappearing from the token.
. "$top_srcdir/tests/cli/t_ike_env.sh"

ike_setup

good() {
	ikesignd_conf "${1:-peer $IPB ike-version 1 keyring default}" <<EOC
crypto isakmp policy 10
 encryption aes 128
 hash sha256
 authentication rsa-sig
 group 14
 lifetime 86400
crypto isakmp identity address
crypto isakmp keepalive 10 2 periodic
EOC
}

# -n: configuration check ------------------------------------------------
good
expect_rc 0 "ikesignd -n accepts a good configuration" \
    "$IKESIGND" -n -f "$T/ikesignd.conf"
contains "$out" "configuration OK: 1 policy, 1 peer, key 'ike-a'" \
    "ikesignd -n summarises"
printf 'crypto isakmp policy 20\n encryption des\n hash md5\n group 1\n' \
    >"$T/weak.conf"
cat "$T/ikesignd.conf" >>"$T/weak.conf"
expect_rc 0 "weak choices are accepted" "$IKESIGND" -n -f "$T/weak.conf"
contains "$err" "weak.conf:2: encryption des is weak; accepted" \
    "a warning names DES and its line"
contains "$err" "weak.conf:3: hash md5 is weak" "a warning names MD5"
contains "$err" "weak.conf:4: a Diffie-Hellman group below 14 is weak" \
    "a warning names group 1"
printf 'crypto isakmp policy 10\n encryption aes 128\n hash sha999\n' \
    >"$T/bad.conf"
expect_rc 7 "a bad hash is refused" "$IKESIGND" -n -f "$T/bad.conf"
contains "$err" "bad.conf:3: usage: hash md5|sha|sha256|sha384|sha512" \
    "the error names file and line"
printf 'listen 10.0.0.1\npeer 10.0.0.2 ike-version 3\n' >"$T/bad2.conf"
expect_rc 7 "a bad peer line is refused" "$IKESIGND" -n -f "$T/bad2.conf"
contains "$err" "bad2.conf:2: ike-version must be 1 or 2" "peer error line"
printf 'crypto isakmp policy 10\n authentication rsa-encr\n' >"$T/bad3.conf"
expect_rc 7 "rsa-encr is refused" "$IKESIGND" -n -f "$T/bad3.conf"
contains "$err" "bad3.conf:2: authentication rsa-encr is not supported" \
    "rsa-encr error"
printf ' hash sha\n' >"$T/bad4.conf"
expect_rc 7 "a policy line outside a policy is refused" \
    "$IKESIGND" -n -f "$T/bad4.conf"
printf 'key k\n' >"$T/nopol.conf"
expect_rc 0 "no policy: the IOS default policies" \
    "$IKESIGND" -n -f "$T/nopol.conf"
contains "$err" "using the IOS default policies" "-n says the defaults apply"
printf 'key k\nno crypto isakmp default policy\n' >"$T/nodef.conf"
expect_rc 0 "no policy and no default policy" \
    "$IKESIGND" -n -f "$T/nodef.conf"
contains "$err" "every negotiation fails" "-n warns nothing can match"
expect_rc 3 "a missing file" "$IKESIGND" -n -f "$T/none.conf"
expect_rc 2 "no -f" "$IKESIGND" -n
before=$(objects)
printf 'token test\nmodule %s\npin-source file:%s/pin\nkey nosuchkey\n' \
    "$SOFTHSM_MODULE" "$T" >"$T/nokey.conf"
expect_rc 3 "a key that is not on the token" \
    "$IKESIGND" -d -f "$T/nokey.conf"
contains "$err" "cannot use key 'nosuchkey'" "the error names the key"
ok '[ "$(objects)" -eq "$before" ]' "the token is unchanged"

good
ikesignd_start
ok '[ $? -eq 0 ]' "ikesignd starts"
charon_start

# a reload with an error keeps the running configuration
cp "$T/ikesignd.conf" "$T/good.conf"
printf 'crypto isakmp policy 10\n group 7\n' >"$T/ikesignd.conf"
expect_rc 7 "reload of a broken configuration is refused" ctl reload
contains "$err" "ikesignd.conf:2: usage: group" "the refusal names the line"
cp "$T/good.conf" "$T/ikesignd.conf"
expect_rc 0 "the daemon still negotiates with the old one" \
    swan --initiate --ike v1 --timeout 10
swan --terminate --ike v1 --timeout 5 >/dev/null 2>&1

# the IOS default policy table, when no policy is configured ------------
ikesignd_conf <<EOC
EOC
expect_rc 0 "reload without policies" ctl reload
expect_rc 0 "strongSwan AES-128/SHA-1/group 5 meets IOS default policy 65507" \
    swan --initiate --ike iosdef --timeout 10
logged "$T/ikesignd.log" "policy 65507 chosen: AES-128/SHA1/rsa-sig/group 5" \
    "ikesignd chose default policy 65507"
swan --terminate --ike iosdef --timeout 5 >/dev/null 2>&1
good
ctl reload >/dev/null

# proposal mismatch, both directions --------------------------------------
expect_rc 1 "strongSwan offering what no policy allows fails" \
    swan --initiate --ike strange --timeout 10
logged "$T/ikesignd.log" "proposal mismatch" "ikesignd logs the mismatch"
wait_for "$T/b/charon.log" "NO_PROPOSAL_CHOSEN" 3
logged "$T/b/charon.log" "received NO_PROPOSAL_CHOSEN error notify" \
    "strongSwan is told NO-PROPOSAL-CHOSEN"
ikesignd_conf <<EOC
crypto isakmp policy 5
 encryption aes 192
 hash sha384
 group 20
EOC
ctl reload >/dev/null
expect_rc 1 "ikesignd offering what strongSwan does not accept fails" \
    ctl initiate "$IPB"
contains "$err" "refused" "ikesignctl says the peer refused"
logged "$T/b/charon.log" "no proposal found" "strongSwan found no proposal"
good
ctl reload >/dev/null
ctl show sa >"$T/sa.txt"
ok '! grep -q QM_IDLE "$T/sa.txt"' "no SA is left after the mismatches"

# unknown peer (address) and unknown identity -----------------------------
expect_rc 1 "a peer with no 'peer' line gets no answer" \
    swan --initiate --ike unknown --timeout 10
logged "$T/ikesignd.log" "Main Mode from unknown peer $IPU ignored" \
    "ikesignd logs the unknown peer"
expect_rc 3 "ikesignctl initiate to an unconfigured peer" \
    ctl initiate 10.77.0.99
contains "$err" "no peer 10.77.0.99" "the message names the peer"
expect_rc 1 "an identity without a key in the keyring fails" \
    swan --initiate --ike stranger --timeout 10
logged "$T/ikesignd.log" "no public key for 'c.test' in keyring 'default'" \
    "ikesignd names the identity and keyring"
wait_for "$T/b/charon.log" "INVALID_ID_INFORMATION" 3
logged "$T/b/charon.log" "received INVALID_ID_INFORMATION error notify" \
    "strongSwan is told INVALID-ID-INFORMATION"

# a peer whose line says ike-version 2 is not negotiated with in IKEv1 ---
good "peer $IPB ike-version 2"
ctl reload >/dev/null
expect_rc 1 "IKEv1 from a peer configured for IKEv2 gets no answer" \
    swan --initiate --ike v1 --timeout 10
logged "$T/ikesignd.log" "Main Mode from $IPB ignored: its peer line says ike-version 2" \
    "ikesignd logs why"
expect_rc 1 "ikesignctl initiate speaks IKEv2 with it (IOS's default proposal: no match)" \
    ctl initiate "$IPB"
contains "$err" "the peer refused IKE_SA_INIT: NO_PROPOSAL_CHOSEN" \
    "ikesignctl says why"

# wrong peer keys ---------------------------------------------------------
good "peer $IPB ike-version 1 keyring wrong"
ctl reload >/dev/null
expect_rc 1 "strongSwan's signature against the wrong key fails" \
    swan --initiate --ike v1 --timeout 10
logged "$T/ikesignd.log" "signature of 'b.test' does not verify with its key in keyring 'wrong'" \
    "ikesignd logs the bad signature"
wait_for "$T/b/charon.log" "AUTHENTICATION_FAILED" 3
logged "$T/b/charon.log" "received AUTHENTICATION_FAILED error notify" \
    "strongSwan is told AUTHENTICATION-FAILED"
expect_rc 1 "ikesignd initiating with the wrong key for strongSwan fails" \
    ctl initiate "$IPB"
contains "$err" "does not verify" "ikesignctl says why"
wait_for "$T/b/charon.log" "received DELETE for IKE_SA v1" 3
logged "$T/b/charon.log" "received DELETE for IKE_SA v1" \
    "strongSwan, which thought the SA was up, gets a Delete"
good
ctl reload >/dev/null
charon_conf "$T/w.pub"		# strongSwan now has a wrong key for us
charon_load
expect_rc 1 "strongSwan holding a wrong key for ikesignd fails" \
    ctl initiate "$IPB"
logged "$T/b/charon.log" "signature validation failed" \
    "strongSwan could not verify ikesignd"
logged "$T/ikesignd.log" "refused: AUTHENTICATION-FAILED" \
    "ikesignd logs the refusal"
charon_conf
charon_load
ctl show sa >"$T/sa.txt"
ok '! grep -q QM_IDLE "$T/sa.txt"' "no SA is left after the failures"

# malformed and truncated packets -----------------------------------------
ip netns exec "$NB" python3 "$top_srcdir/tests/cli/t_ike_burst.py" "$IPA" \
    3000 >"$T/burst.out" 2>&1
contains "$T/burst.out" "3000" "3000 malformed packets sent"
sleep 0.5
kill -0 "$IKESIGND_PID" 2>/dev/null
ok '[ $? -eq 0 ]' "ikesignd survives the burst"
expect_rc 0 "and still negotiates" swan --initiate --ike v1 --timeout 10
ctl show sa >"$T/sa.txt"
contains "$T/sa.txt" "QM_IDLE" "show sa still answers"

# an IKEv2 header (version 0x20, IKE_SA_INIT) goes to the IKEv2 side of
# dispatch.c, whose parser drops it: an SA payload announced, none there
ip netns exec "$NB" python3 -c 'import socket, sys
h = bytes(range(1, 9)) + bytes(8) + bytes([33, 0x20, 34, 8]) + bytes(4)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(h + (28).to_bytes(4, "big"), (sys.argv[1], 500))' "$IPA"
logged "$T/ikesignd.log" "malformed IKE_SA_INIT dropped" \
    "an IKEv2 message is told from IKEv1, and a malformed one dropped"

# the signer dies: a new one takes over, the SA stays -----------------------
signer=$(pgrep -P "$IKESIGND_PID" | head -n 1)
kill -KILL "$signer"
wait_for "$T/ikesignd.log" "signer restarted" 6
logged "$T/ikesignd.log" "signer restarted" "a killed signer is replaced"
ctl show sa >"$T/sa.txt"
contains "$T/sa.txt" "QM_IDLE" "the SA survives the signer's death"
signer2=$(pgrep -P "$IKESIGND_PID" | head -n 1)
ok '[ -n "$signer2" ] && [ "$signer2" != "$signer" ] && ! grep -q libsofthsm2 /proc/$IKESIGND_PID/maps' \
    "the new signer is a fresh child; the network process still has no module"
swan --terminate --ike v1 --timeout 5 >/dev/null 2>&1
expect_rc 0 "negotiation works with the new signer" \
    swan --initiate --ike v1 --timeout 10

# the local key goes away ---------------------------------------------------
"$CK" zeroize rsa --label ike-a --yes >/dev/null 2>&1
ok '[ $? -eq 0 ]' "zeroize the ikesignd key while an SA is up"
wait_for "$T/ikesignd.log" "local key 'ike-a' is unusable" 6
logged "$T/ikesignd.log" "deleted 1 IKE SAs, refusing new ones" \
    "ikesignd deletes the SA authenticated with the key"
wait_for "$T/b/charon.log" "received DELETE for IKE_SA v1" 3
logged "$T/b/charon.log" "received DELETE for IKE_SA v1" \
    "strongSwan receives the Delete"
expect_rc 5 "ikesignctl initiate is refused without the key" \
    ctl initiate "$IPB"
contains "$err" "locked or missing" "the refusal says why"
expect_rc 1 "strongSwan is refused without the key" \
    swan --initiate --ike v1 --timeout 10
"$CK" generate rsa --label ike-a --quiet >/dev/null 2>&1 &&
"$CK" export rsa --label ike-a --public --out "$T/a2.pub" --force \
    >/dev/null 2>&1
wait_for "$T/ikesignd.log" "usable again" 6
logged "$T/ikesignd.log" "local key 'ike-a' is usable again" \
    "ikesignd notices the new key"
charon_conf "$T/a2.pub"
charon_load
expect_rc 0 "negotiation works again with the new key" \
    swan --initiate --ike v1 --timeout 10

kill -0 "$IKESIGND_PID" 2>/dev/null
ok '[ $? -eq 0 ]' "ikesignd is still running"
done_testing
