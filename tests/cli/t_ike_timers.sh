#!/bin/sh
# t_ike_timers.sh -- ikesignd's timers against strongSwan: periodic DPD
# (crypto isakmp keepalive) answered by the peer, an SA that reaches the
# end of its lifetime while the peer re-authenticates, and a peer that
# stops answering DPD being declared dead.
. "$top_srcdir/tests/cli/t_ike_env.sh"

ike_setup
ikesignd_conf <<EOC
crypto isakmp policy 10
 encryption aes 128
 hash sha256
 authentication rsa-sig
 group 14
crypto isakmp keepalive 10 2 periodic
EOC
ikesignd_start
ok '[ $? -eq 0 ]' "ikesignd starts"
charon_start

# strongSwan offers a 12 s lifetime (rekey 8 s + over 4 s)
expect_rc 0 "strongSwan initiates with a short lifetime" \
    swan --initiate --ike short --timeout 10
ctl show sa --json >"$T/sa.json"
ok "python3 -c 'import json,sys; a=json.load(open(\"$T/sa.json\")); \
sys.exit(not (len(a)==1 and a[0][\"lifetime\"]==12 and 0<a[0][\"lifetime_left\"]<=12))'" \
    "the negotiated lifetime is the peer's shorter one"

# strongSwan re-authenticates at 8 s; the old SA ends at 12 s
wait_count "$T/ikesignd.log" "established as responder" 2 20
ok '[ $(grep -c "established as responder" $T/ikesignd.log) -ge 2 ]' \
    "strongSwan re-authenticates before the lifetime ends"
wait_for "$T/ikesignd.log" "conn-id 1001 lifetime expired" 12 ||
    wait_for "$T/ikesignd.log" "received Delete for IKE SA conn-id 1001" 1
ok 'grep -q -e "conn-id 1001 lifetime expired" -e "received Delete for IKE SA conn-id 1001" $T/ikesignd.log' \
    "the old SA goes away at the end of its lifetime"
ctl show sa >"$T/sa.txt"
ok '! grep -q " 1001 " $T/sa.txt' "show sa no longer lists the old SA"
ok 'grep -q "QM_IDLE" $T/sa.txt' "the new SA is up"
swan --terminate --ike short --timeout 5 >/dev/null 2>&1

# a peer that does not re-authenticate: ikesignd ends the SA itself
expect_rc 0 "strongSwan initiates without rekeying (12 s lifetime)" \
    swan --initiate --ike expiring --timeout 10
id=$(ctl show sa --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["conn_id"])')
wait_for "$T/ikesignd.log" "conn-id $id lifetime expired" 16
logged "$T/ikesignd.log" "conn-id $id lifetime expired" \
    "ikesignd expires the SA at the end of its lifetime"
logged "$T/ikesignd.log" "sent Delete for IKE SA conn-id $id" \
    "and tells the peer"
wait_for "$T/b/charon.log" "received DELETE for IKE_SA expiring" 3
logged "$T/b/charon.log" "received DELETE for IKE_SA expiring" \
    "strongSwan deletes it too"

# periodic keepalive: ikesignd asks, strongSwan answers
expect_rc 0 "strongSwan initiates (no DPD of its own)" \
    swan --initiate --ike short --timeout 10
ctl reload >/dev/null
wait_for "$T/ikesignd.log" "R-U-THERE-ACK" 14
logged "$T/ikesignd.log" "R-U-THERE-ACK" \
    "ikesignd's R-U-THERE is acknowledged by strongSwan"
swan --terminate --ike short --timeout 5 >/dev/null 2>&1

# a peer that stops answering is declared dead
ikesignd_conf <<EOC
crypto isakmp policy 10
 encryption aes 128
 hash sha256
 authentication rsa-sig
 group 14
crypto isakmp keepalive 10 2 periodic
EOC
ctl reload >/dev/null
expect_rc 0 "ikesignd initiates" ctl initiate "$IPB"
ip netns exec "$NB" ip link set "vb$$" down
wait_for "$T/ikesignd.log" "peer is dead" 30
logged "$T/ikesignd.log" "peer is dead: no answer to 5 liveness checks (DPD)" \
    "a silent peer is declared dead by DPD"
ctl show sa >"$T/sa.txt"
ok '! grep -q QM_IDLE $T/sa.txt' "its SA is gone"

kill -0 "$IKESIGND_PID" 2>/dev/null
ok '[ $? -eq 0 ]' "ikesignd is still running"
done_testing
