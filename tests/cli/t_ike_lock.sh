#!/bin/sh
# t_ike_lock.sh -- cryptokey lock under a running ikesignd: the IKE SAs
# authenticated with the key are deleted (the peer is told), new
# negotiations are refused both ways, and after cryptokey unlock the same
# key negotiates again; IKEv1 and IKEv2.
. "$top_srcdir/tests/cli/t_ike_env.sh"

ike_setup
printf 'lock test passphrase\n' >"$T/pass"
chmod 600 "$T/pass"
"$CK" generate rsa --label ike-l --exportable --quiet >/dev/null 2>&1 &&
"$CK" export rsa --label ike-l --public --out "$T/l.pub" >/dev/null 2>&1 &&
# a cheap KDF: each lock and unlock below derives the key again, and
# under the sanitizers the default's 600 000 iterations cost a second each
"$CK" encrypt rsa --label ike-l --passphrase-source "file:$T/pass" \
    --kdf pbkdf2:1000 >/dev/null 2>&1 ||
    { echo "Bail out! cannot make the encrypted key"; exit 1; }
IKE_KEY=ike-l
ikesignd_v1_conf
charon_conf "$T/l.pub"
ikesignd_start
ok '[ $? -eq 0 ]' "ikesignd starts with an encrypted (still usable) key"
charon_start

expect_rc 0 "strongSwan negotiates with the encrypted key" \
    swan --initiate --ike v1 --timeout 10
expect_rc 0 "cryptokey lock" \
    "$CK" lock rsa --label ike-l --passphrase-source "file:$T/pass"
wait_for "$T/ikesignd.log" "local key 'ike-l' is unusable" 6
logged "$T/ikesignd.log" "local key 'ike-l' is unusable (key is locked): deleted 1 IKE SAs, refusing new ones" \
    "ikesignd deletes the SA authenticated with the locked key"
wait_for "$T/b/charon.log" "received DELETE for IKE_SA v1" 3
logged "$T/b/charon.log" "received DELETE for IKE_SA v1" \
    "strongSwan is told"
ctl show sa >"$T/sa.txt"
ok '! grep -q QM_IDLE $T/sa.txt' "no SA is left"
expect_rc 5 "ikesignctl initiate is refused while locked" ctl initiate "$IPB"
expect_rc 1 "strongSwan is refused while locked" \
    swan --initiate --ike v1 --timeout 10
logged "$T/ikesignd.log" "refused: the local key 'ike-l' is locked or missing" \
    "ikesignd logs the refusal"

expect_rc 0 "cryptokey unlock" \
    "$CK" unlock rsa --label ike-l --passphrase-source "file:$T/pass"
wait_for "$T/ikesignd.log" "local key 'ike-l' is usable again" 6
logged "$T/ikesignd.log" "local key 'ike-l' is usable again" \
    "ikesignd notices the unlocked key"
expect_rc 0 "the same key negotiates again" ctl initiate "$IPB"

# the same with IKEv2
ikesignd_v2_conf
ctl clear sa >/dev/null
expect_rc 0 "reload for IKEv2" ctl reload
expect_rc 0 "strongSwan negotiates IKEv2 with the encrypted key" \
    swan --initiate --ike v2 --timeout 10
expect_rc 0 "cryptokey lock (IKEv2 SA up)" \
    "$CK" lock rsa --label ike-l --passphrase-source "file:$T/pass"
wait_count "$T/ikesignd.log" "is unusable (key is locked): deleted 1 IKE SAs" 2 6
ok "[ \$(grep -c 'is unusable (key is locked): deleted 1 IKE SAs' $T/ikesignd.log) -eq 2 ]" \
    "ikesignd deletes the IKEv2 SA authenticated with the locked key"
wait_for "$T/b/charon.log" "received DELETE for IKE_SA v2" 3
logged "$T/b/charon.log" "received DELETE for IKE_SA v2" \
    "strongSwan is told (IKEv2)"
expect_rc 5 "ikesignctl initiate over IKEv2 is refused while locked" \
    ctl initiate "$IPB"
expect_rc 1 "strongSwan's IKEv2 is refused while locked" \
    swan --initiate --ike v2 --timeout 10
logged "$T/ikesignd.log" "IKE_SA_INIT from $IPB refused: the local key 'ike-l' is locked or missing" \
    "ikesignd logs the IKEv2 refusal"
expect_rc 0 "cryptokey unlock (IKEv2)" \
    "$CK" unlock rsa --label ike-l --passphrase-source "file:$T/pass"
wait_count "$T/ikesignd.log" "local key 'ike-l' is usable again" 2 6
expect_rc 0 "the same key negotiates IKEv2 again" ctl initiate "$IPB"
contains "$out" "IKEv2 SA with $IPB established" "initiate says IKEv2"

kill -0 "$IKESIGND_PID" 2>/dev/null
ok '[ $? -eq 0 ]' "ikesignd is still running"
done_testing
