#!/bin/sh
# t_ike_v2_frag.sh -- IKEv2 over a small path: a 4096-bit token key's
# IKE_AUTH crosses a link of MTU 1280 in RFC 7383 fragments of 576 octets
# (strongSwan's, of a 2048-bit key, in fragments of 320), in both roles;
# then ikesignd's own liveness checks (profile dpd 10 2): answered while
# strongSwan lives, and the SA deleted once five checks go unanswered.
. "$top_srcdir/tests/cli/t_ike_env.sh"

ike_setup
"$CK" generate rsa --label ike-big --modulus 4096 --quiet >/dev/null 2>&1 &&
"$CK" export rsa --label ike-big --public --out "$T/big.pub" \
    >/dev/null 2>&1 || { echo "Bail out! cannot make the 4096-bit key"; exit 1; }
ip -n "$NA" link set "va$$" mtu 1280 && ip -n "$NB" link set "vb$$" mtu 1280 ||
    { echo "Bail out! cannot set the MTU"; exit 1; }

charon_conf "$T/big.pub"
sed -i 's/^charon {/charon {\n  fragment_size = 320/' "$T/b/strongswan.conf"
IKE_KEY=ike-big
ikesignd_v2_conf "" " authentication local rsa-sig
 authentication remote rsa-sig
 dpd 10 2 on-demand" "crypto ikev2 fragmentation mtu 576"
ikesignd_start
ok '[ $? -eq 0 ]' "ikesignd starts with a 4096-bit key and fragmentation mtu 576"
charon_start

expect_rc 0 "strongSwan initiates over the 1280-octet link" \
    swan --initiate --ike v2 --timeout 10
logged "$T/ikesignd.log" "put together from" \
    "ikesignd reassembled strongSwan's fragmented IKE_AUTH"
logged "$T/ikesignd.log" "sent in" "ikesignd sent its IKE_AUTH in fragments"
logged "$T/b/charon.log" "reassembled fragmented IKE message" \
    "strongSwan reassembled ikesignd's fragments"
logged "$T/b/charon.log" "authentication of '$IPA' with RSA_EMSA_PKCS1_SHA2_256 successful" \
    "strongSwan verified the 4096-bit token signature"
swan --terminate --ike v2 --timeout 5 >/dev/null 2>&1
wait_for "$T/ikesignd.log" "deleted by the peer" 5

expect_rc 0 "ikesignd initiates over the 1280-octet link" ctl initiate "$IPB"
contains "$out" "IKEv2 SA with $IPB established" "initiate reports the SA"
ok "[ \$(grep -c 'reassembled fragmented IKE message' $T/b/charon.log) -ge 2 ]" \
    "strongSwan reassembled ikesignd's fragments as responder"
ok "[ \$(grep -c 'put together from' $T/ikesignd.log) -ge 2 ]" \
    "ikesignd reassembled strongSwan's response"

# liveness: 10 s of silence, then an empty INFORMATIONAL that charon answers
wait_for "$T/ikesignd.log" "liveness check sent" 15
logged "$T/ikesignd.log" "liveness check sent" \
    "ikesignd checks liveness after 10 s of silence"
sleep 1
ctl show sa >"$T/sa.txt"
contains "$T/sa.txt" "READY" "the SA stays up while strongSwan answers"
charon_stop KILL
wait_for "$T/ikesignd.log" "peer is dead" 30
logged "$T/ikesignd.log" "peer is dead: no answer to 5 liveness checks (DPD)" \
    "ikesignd deletes the SA when strongSwan stops answering"
ctl show sa >"$T/sa.txt"
ok '! grep -q READY $T/sa.txt' "no SA is left"
done_testing
