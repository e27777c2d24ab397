#!/bin/sh
# t_ike_v2.sh -- IKEv2 between ikesignd (key on a SoftHSM2 token) and
# strongSwan's charon, both roles: IKE_SA_INIT and IKE_AUTH with RFC 7427
# signatures (PKCS#1 v1.5 and PSS) and AUTH method 1, three suites
# (AES-CBC-128/SHA-256/group 14, AES-GCM-256/SHA-384/group 20,
# AES-CBC-256/SHA-512/group 31), INVALID_KE both ways, a CHILD_SA declined
# with the IKE SA kept, Delete both ways, liveness checks, IKE SA rekey by
# CREATE_CHILD_SA each way and both at once, a repeated request answered
# from the cache (a forged one not), retransmission, and refusals
# (wrong key, no proposal, unknown identity; a locked key: t_ike_lock.sh).
. "$top_srcdir/tests/cli/t_ike_env.sh"

ike_setup

# strongSwan's IKEv2 side: one connection per case; no MOBIKE (ikesignd
# stays on port 500)
v2conn() { # NAME PROPOSALS [LOCAL-ID] [EXTRA] [CHILD]
	cat <<EOC
  $1 {
    version = 2
    mobike = no
    local_addrs = $IPB
    remote_addrs = $IPA
    proposals = $2
    ${4:-}
    local {
      auth = pubkey
      id = ${3:-b.test}
      pubkeys = b.pub
    }
    remote {
      auth = pubkey
      id = $IPA
      pubkeys = a.pub
    }
${5:-}
  }
EOC
}
child='    children { c { local_ts = '$IPB'/32
      remote_ts = '$IPA'/32
      esp_proposals = aes128-sha256 } }'
{
	echo "connections {"
	v2conn s14 aes128-sha256-modp2048
	v2conn s20 aes256gcm16-prfsha384-ecp384
	v2conn s31 aes256-sha512-curve25519
	v2conn ke aes128-sha256-modp2048-ecp256
	v2conn child aes128-sha256-modp2048 b.test "" "$child"
	v2conn nomatch aes128-md5-modp1024
	v2conn stranger aes128-sha256-modp2048 c.test
	v2conn dpd aes128-sha256-modp2048 b.test "dpd_delay = 1s"
	v2conn short aes128-sha256-modp2048 b.test \
	    "rekey_time = 5s
    reauth_time = 0s
    rand_time = 0s
    over_time = 30s"
	echo "}"
} >"$T/b/swanctl/swanctl.conf"
sed -i 's/ kernel-netlink/ kernel-netlink curve25519/' "$T/b/strongswan.conf"

v2() { # PROPOSAL-LINES [pss]
	ikesignd_v2_conf "$1" " authentication local rsa-sig${2:-}
 authentication remote rsa-sig
 keyring default
 dpd 10 2 on-demand"
}

v2 " encryption aes-cbc-128
 integrity sha256
 group 14"
ikesignd_start
ok '[ $? -eq 0 ]' "ikesignd starts with an IKEv2 configuration"
charon_start

n=0
# suite: ikesignd proposal | strongSwan connection | what ikesignd logs
for suite in "aes-cbc-128|sha256|14|s14|aes-cbc-128/integ-sha256/prf-sha256/group 14" \
    "aes-gcm-256||20|s20|aes-gcm-256/aead/prf-sha384/group 20" \
    "aes-cbc-256|sha512|31|s31|aes-cbc-256/integ-sha512/prf-sha512/group 31"; do
	IFS='|' read -r enc integ group conn words <<EOS
$suite
EOS
	if [ -n "$integ" ]; then
		lines=" encryption $enc
 integrity $integ
 group $group"
	else
		lines=" encryption $enc
 prf sha384
 group $group"
	fi
	v2 "$lines"
	expect_rc 0 "reload with $words" ctl reload

	n=$((n + 1))
	expect_rc 0 "strongSwan initiates IKEv2 ($words)" \
	    swan --initiate --ike "$conn" --timeout 10
	logged "$T/ikesignd.log" "established as responder: $words" \
	    "ikesignd responds with $words"
	ok "[ \$(grep -c \"authentication of '$IPA' with RSA_EMSA_PKCS1_SHA2_256 successful\" $T/b/charon.log) -ge $n ]" \
	    "strongSwan verified the token's RFC 7427 signature ($words)"
	logged "$T/ikesignd.log" "authentication of 'b.test' with" \
	    "ikesignd verified strongSwan's signature ($words)"
	ctl show sa --json >"$T/sa.json"
	ok "python3 -c 'import json,sys; a=json.load(open(\"$T/sa.json\")); \
sys.exit(not (len(a)==1 and a[0][\"version\"]==2 and a[0][\"state\"]==\"READY\" and a[0][\"role\"]==\"responder\" and a[0][\"peer_id\"]==\"b.test\" and a[0][\"encryption\"]==\"$enc\" and a[0][\"group\"]==$group and len(a[0][\"spi_i\"])==16))'" \
	    "show sa --json: one READY IKEv2 responder SA ($words)"
	swan --terminate --ike "$conn" --timeout 5 >/dev/null 2>&1
	d=$(( (n + 1) / 2 ))
	wait_count "$T/ikesignd.log" "deleted by the peer" $d 5
	ok "[ \$(grep -c 'deleted by the peer' $T/ikesignd.log) -eq $d ]" \
	    "ikesignd honours strongSwan's Delete ($words)"

	n=$((n + 1))
	expect_rc 0 "ikesignctl initiate over IKEv2 ($words)" \
	    ctl initiate "$IPB"
	contains "$out" "IKEv2 SA with $IPB established" \
	    "initiate reports the result ($words)"
	logged "$T/ikesignd.log" "established as initiator: $words" \
	    "ikesignd initiates with $words"
	ok "[ \$(grep -c \"authentication of '$IPA' with RSA_EMSA_PKCS1_SHA2_256 successful\" $T/b/charon.log) -ge $n ]" \
	    "strongSwan (responder) verified the token signature ($words)"
	swan --list-sas >"$T/b/sas.txt" 2>&1
	contains "$T/b/sas.txt" "ESTABLISHED, IKEv2" "strongSwan lists the IKEv2 SA"
	expect_rc 0 "clear sa" ctl clear sa
	wait_count "$T/b/charon.log" "received DELETE for IKE_SA" \
	    $((n / 2)) 5
	ok "[ \$(grep -c 'received DELETE for IKE_SA' $T/b/charon.log) -ge $((n / 2)) ]" \
	    "strongSwan received ikesignd's Delete ($words)"
done

v2 " encryption aes-cbc-128
 integrity sha256
 group 14"
ctl reload >/dev/null

# AUTH method 1 when the peer does not announce RFC 7427
sed -i 's/^charon {/charon {\n  signature_authentication = no/' \
    "$T/b/strongswan.conf"
swan --reload-settings >/dev/null 2>&1
expect_rc 0 "strongSwan without RFC 7427 initiates" \
    swan --initiate --ike s14 --timeout 10
logged "$T/ikesignd.log" "with RSA signature (method 1, SHA-1) successful" \
    "ikesignd verified AUTH method 1"
logged "$T/b/charon.log" "authentication of '$IPA' with RSA signature successful" \
    "strongSwan verified ikesignd's AUTH method 1"
swan --terminate --ike s14 --timeout 5 >/dev/null 2>&1
sed -i '/signature_authentication = no/d' "$T/b/strongswan.conf"

# RSASSA-PSS both ways (RFC 7427)
sed -i 's/^charon {/charon {\n  rsa_pss = yes/' "$T/b/strongswan.conf"
swan --reload-settings >/dev/null 2>&1
v2 " encryption aes-cbc-128
 integrity sha256
 group 14" " pss"
ctl reload >/dev/null
expect_rc 0 "ikesignd initiates signing with RSA-PSS" ctl initiate "$IPB"
logged "$T/b/charon.log" "authentication of '$IPA' with RSA_EMSA_PSS" \
    "strongSwan verified the token's RSASSA-PSS signature"
logged "$T/ikesignd.log" "RSASSA-PSS" "ikesignd verified strongSwan's PSS"
ctl clear sa >/dev/null
sed -i '/rsa_pss = yes/d' "$T/b/strongswan.conf"
swan --reload-settings >/dev/null 2>&1

# INVALID_KE_PAYLOAD, both ways
v2 " encryption aes-cbc-128
 integrity sha256
 group 19 14"
ctl reload >/dev/null
expect_rc 0 "strongSwan's KE for group 14 gets INVALID_KE (ikesignd wants 19)" \
    swan --initiate --ike ke --timeout 10
logged "$T/ikesignd.log" "INVALID_KE_PAYLOAD" "ikesignd asked for group 19"
logged "$T/ikesignd.log" "established as responder: aes-cbc-128/integ-sha256/prf-sha256/group 19" \
    "strongSwan retried with group 19"
swan --terminate --ike ke --timeout 5 >/dev/null 2>&1
v2 " encryption aes-cbc-128
 integrity sha256
 group 31 14"
ctl reload >/dev/null
expect_rc 0 "ikesignd follows INVALID_KE to group 14" ctl initiate "$IPB"
logged "$T/ikesignd.log" "the peer wants DH group 14" \
    "ikesignd resent its KE for group 14"
ctl clear sa >/dev/null

# a CHILD_SA is declined; the IKE SA stays
v2 " encryption aes-cbc-128
 integrity sha256
 group 14"
ctl reload >/dev/null
swan --initiate --child c --timeout 10 >"$T/child.out" 2>&1
logged "$T/ikesignd.log" "CHILD_SA declined (NO_PROPOSAL_CHOSEN)" \
    "ikesignd declines the CHILD_SA"
logged "$T/b/charon.log" "received NO_PROPOSAL_CHOSEN notify" \
    "strongSwan got NO_PROPOSAL_CHOSEN"
swan --list-sas >"$T/b/sas.txt" 2>&1
contains "$T/b/sas.txt" "child: #" "strongSwan keeps the IKE SA" 2>/dev/null ||
    contains "$T/b/sas.txt" "ESTABLISHED, IKEv2" "strongSwan keeps the IKE SA"
swan --terminate --ike child --timeout 5 >/dev/null 2>&1

# liveness: strongSwan checks every second and ikesignd answers
expect_rc 0 "strongSwan initiates with DPD every second" \
    swan --initiate --ike dpd --timeout 10
sleep 3
ok "[ \$(grep -c 'liveness check answered' $T/ikesignd.log) -ge 1 ]" \
    "ikesignd answered strongSwan's liveness checks"
swan --terminate --ike dpd --timeout 5 >/dev/null 2>&1

# IKE SA rekey by CREATE_CHILD_SA: strongSwan rekeys after 5 s, then
# ikesignd rekeys on request, then both at once
spis() { # both sides list the same one SPI pair
	ctl show sa --json | python3 -c 'import json,sys
for a in json.load(sys.stdin):
    if a["state"] == "READY": print(a["spi_i"] + "_" + a["spi_r"])' |
	    sort >"$T/spis.a"
	swan --list-sas --ike short 2>/dev/null |
	    sed -n 's/.*ESTABLISHED, IKEv2, \([0-9a-f]*\)_i[*]* \([0-9a-f]*\)_r.*/\1_\2/p' |
	    sort >"$T/spis.b"
	[ "$(wc -l <"$T/spis.a")" -eq 1 ] && cmp -s "$T/spis.a" "$T/spis.b"
}
expect_rc 0 "strongSwan initiates a connection it rekeys after 5 s" \
    swan --initiate --ike short --timeout 10
wait_for "$T/ikesignd.log" "(the peer rekeyed)" 10
logged "$T/ikesignd.log" "(the peer rekeyed)" \
    "ikesignd answered strongSwan's CREATE_CHILD_SA rekey"
wait_for "$T/ikesignd.log" "deleted by the peer" 5
eventually spis 10
ok '[ $? -eq 0 ]' "one IKE SA with the same SPIs on both sides after the peer's rekey"
expect_rc 0 "ikesignctl rekey sa" ctl rekey sa "$IPB"
wait_for "$T/ikesignd.log" "(we rekeyed)" 10
logged "$T/ikesignd.log" "(we rekeyed)" "ikesignd rekeyed the IKE SA"
eventually spis 10
ok '[ $? -eq 0 ]' "one IKE SA with the same SPIs on both sides after our rekey"
# Our rekey ends in "(we rekeyed)" or a refusal.  When strongSwan's
# rekey finishes first, ours goes to its new SA, which strongSwan takes
# requests on only after the old one's Delete: our request is dropped
# once and retransmitted a second later.  Until then both sides list
# the one SA strongSwan made, so the SPIs are compared after our rekey
# has ended, and the comparison that passed is the one reported (the
# connection also rekeys every 5 s by itself; a second look could fall
# into one of those).
ours() { grep -c -e "(we rekeyed)" -e "refused to rekey" "$T/ikesignd.log"; }
ours_ended() { [ "$(ours)" -gt "$ours_before" ]; }
ours_before=$(ours)
ctl rekey sa "$IPB" >/dev/null &
rk=$!
swan --rekey --ike short >/dev/null 2>&1
wait $rk
eventually ours_ended 15
ok '[ $? -eq 0 ]' "ikesignd's rekey ended while strongSwan rekeyed"
# the crossed rekeys end when the loser's SA is deleted: slow under ASan
eventually spis 15
ok '[ $? -eq 0 ]' "one IKE SA with the same SPIs after both rekeyed at once"
grep -q "simultaneous rekey" "$T/ikesignd.log" &&
    echo "# the rekeys crossed (RFC 7296 2.8.1 resolved)"
swan --terminate --ike short --timeout 5 >/dev/null 2>&1

# a repeated request gets the cached response; a forged one gets nothing
ip netns exec "$NA" tcpdump -i any -U -w "$T/v2.pcap" udp port 500 \
    >"$T/tcpdump.out" 2>&1 &
tcpd=$!
wait_for "$T/tcpdump.out" "listening on" 10
expect_rc 0 "strongSwan initiates (captured)" \
    swan --initiate --ike s14 --timeout 10
sleep 1
kill "$tcpd"; wait "$tcpd" 2>/dev/null
send() { # FILE: the datagram from strongSwan's address
	ip netns exec "$NB" python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[2], 0))
s.sendto(open(sys.argv[1], "rb").read(), (sys.argv[3], 500))' "$1" "$IPB" "$IPA"
}
python3 "$top_srcdir/tests/cli/t_ike_pcap.py" "$T/v2.pcap" "$IPB" 35 \
    "$T/auth.req" && python3 "$top_srcdir/tests/cli/t_ike_pcap.py" \
    "$T/v2.pcap" "$IPB" 35 "$T/auth.bad" flip
ok '[ -s "$T/auth.req" ] && [ -s "$T/auth.bad" ]' \
    "strongSwan's IKE_AUTH request is in the capture"
send "$T/auth.bad"
sleep 0.5
ok '! grep -q "repeated request 1; answering again" $T/ikesignd.log' \
    "a forged copy of the IKE_AUTH request gets no answer"
send "$T/auth.req"
logged "$T/ikesignd.log" "repeated request 1; answering again" \
    "the repeated IKE_AUTH request gets the cached response"
ctl show sa --json >"$T/sa.json"
ok "python3 -c 'import json,sys; a=json.load(open(\"$T/sa.json\")); \
sys.exit(not (len(a)==1 and a[0][\"state\"]==\"READY\"))'" \
    "and the SA is still the one SA"
swan --terminate --ike s14 --timeout 5 >/dev/null 2>&1

# retransmission: the peer comes up while ikesignd repeats IKE_SA_INIT
charon_stop
ctl initiate "$IPB" >"$T/init.out" 2>&1 &
initpid=$!
sleep 1.5
charon_start
wait "$initpid"
ok '[ $? -eq 0 ]' "initiate succeeds once the peer answers"
logged "$T/ikesignd.log" "retransmitting to $IPB" \
    "ikesignd retransmitted IKE_SA_INIT"
ctl clear sa >/dev/null

# refusals: no proposal, unknown identity, wrong key, locked key
expect_rc 1 "a proposal ikesignd does not have is refused" \
    swan --initiate --ike nomatch --timeout 10
logged "$T/ikesignd.log" "proposal mismatch" "ikesignd logs the mismatch"
logged "$T/b/charon.log" "received NO_PROPOSAL_CHOSEN notify error" \
    "strongSwan got NO_PROPOSAL_CHOSEN"
expect_rc 1 "an identity no profile matches is refused" \
    swan --initiate --ike stranger --timeout 10
logged "$T/ikesignd.log" "IKE_AUTH refused (AUTHENTICATION_FAILED)" \
    "ikesignd logs why"
logged "$T/ikesignd.log" "'c.test' is not an identity profile 'gw' matches" \
    "the peer line's profile does not cover c.test"
logged "$T/b/charon.log" "received AUTHENTICATION_FAILED notify error" \
    "strongSwan got AUTHENTICATION_FAILED"
ikesignd_v2_conf "" " authentication local rsa-sig
 authentication remote rsa-sig
 keyring wrong"
ctl reload >/dev/null
expect_rc 1 "a peer whose key is not the keyring's is refused" \
    swan --initiate --ike s14 --timeout 10
logged "$T/ikesignd.log" "does not verify with its key in keyring 'wrong'" \
    "ikesignd names the keyring"
ok "[ \$(ctl show sa --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))') -eq 0 ]" \
    "no SA is left after the refusals"
done_testing
