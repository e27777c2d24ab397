#!/bin/sh
# t_ike_shared.sh -- several gateways on one HSM: one SoftHSM2 token
# exported by `p11-kit server`, two ikesignd gateways (each in its own
# namespace pair with its own strongSwan peer) signing with the same key
# through p11-kit-client.so at the same time, IKEv1 Main Mode and IKEv2.
# Then the server goes away (the listener and the p11-kit-remote process
# of each connection, as when its unit stops): each signer's next token
# call fails, it ends with "lost the token", the negotiation that needed
# it fails and the network process stays up; the parent starts new
# signers by the back-off of restart.c (1, 2, 4 ... s), which fail while
# the server is down and are not taken for a wrong PIN; once the server
# is back on the same socket both gateways sign again (bounded at 15 s).
# About 30 s.
. "$top_srcdir/tests/cli/t_ike_env.sh"
. "$top_srcdir/tests/cli/modules.sh"

module_check p11kit || skip_all "$why"
ike_setup
TOP=$T
SOCK="$TOP/p11.sock"

# gateway 2: its own namespace pair and addresses, its files in $TOP/g2
N2A=ikc$$
N2B=ikd$$
I2A=10.79.$_net.1
I2B=10.79.$_net.2
G1_NA=$NA G1_NB=$NB G1_IPA=$IPA G1_IPB=$IPB

shared_cleanup() {
	T=$TOP
	for _p in $IKE_PIDS; do stop_pid "$_p"; done
	IKE_PIDS=""
	server_stop
	for _n in "$NA" "$NB" "$N2A" "$N2B" "$G1_NA" "$G1_NB"; do
		ip netns del "$_n" 2>/dev/null
	done
	if [ "${_tap_failed:-0}" -ne 0 ]; then
		for _l in "$TOP/ikesignd.log" "$TOP/b/charon.log" \
		    "$TOP/g2/ikesignd.log" "$TOP/g2/b/charon.log" \
		    "$TOP/server.log"; do
			[ -f "$_l" ] || continue
			echo "# --- last lines of $_l"
			tail -n 30 "$_l" | sed 's/^/# /'
		done
	fi
	[ -n "${IKE_KEEP:-}" ] && rm -rf "$IKE_KEEP" && cp -a "$TOP" "$IKE_KEEP"
	rm -rf "$TOP"
}
exit_trap shared_cleanup

# gw N: the functions of t_ike_env.sh act on gateway N from now on
gw() {
	if [ "$1" -eq 1 ]; then
		T=$TOP NA=$G1_NA NB=$G1_NB IPA=$G1_IPA IPB=$G1_IPB
		IKESIGND_PID=${G1_PID:-} CHARON_PID=${G1_CHARON:-}
	else
		T=$TOP/g2 NA=$N2A NB=$N2B IPA=$I2A IPB=$I2B
		IKESIGND_PID=${G2_PID:-} CHARON_PID=${G2_CHARON:-}
	fi
}

# the server: its listener, and one p11-kit-remote per connection
server_start() {
	p11-kit server -f -n "$SOCK" --provider "$SOFTHSM_MODULE" \
	    "pkcs11:token=test" >>"$TOP/server.log" 2>&1 &
	SERVER_PID=$!
	_wait_for "[ -S '$SOCK' ]"
}
server_stop() {
	[ -n "${SERVER_PID:-}" ] || return 0
	_kids=$(pgrep -P "$SERVER_PID" | tr '\n' ' ')
	kill -KILL "$SERVER_PID" $_kids 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=
}

# the signer's pid, from the last "signer running" line of gateway N
signer_of() {
	sed -n 's/.*signer running (pid \([0-9]*\)).*/\1/p' \
	    "$(gwdir "$1")/ikesignd.log" | tail -n 1
}
gwdir() { if [ "$1" -eq 1 ]; then echo "$TOP"; else echo "$TOP/g2"; fi; }

# both N: run "swan --initiate --ike CONN" on both peers at once, ROUNDS
# times each (terminating in between); $TOP/rc.N: the failures of each
both() { # CONN ROUNDS
	for _g in 1 2; do
		(
			gw "$_g"
			_f=0
			_r=0
			while [ $_r -lt "$2" ]; do
				swan --initiate --ike "$1" --timeout 10 \
				    >"$T/init.out" 2>&1 || _f=$((_f + 1))
				swan --terminate --ike "$1" --timeout 5 \
				    >/dev/null 2>&1
				_r=$((_r + 1))
			done
			echo "$_f" >"$TOP/rc.$_g"
		) &
		eval "_bg$_g=\$!"
	done
	wait "$_bg1" "$_bg2"
}

# the second gateway's keyring entry and files, before the token is shared
"$CKR" add-pubkey default --address "$I2B" --in "$T/b.pub" >/dev/null ||
    { echo "Bail out! keyring"; exit 1; }
mkdir -p "$TOP/g2"
cp "$TOP/pin" "$TOP/a.pub" "$TOP/b.key" "$TOP/b.pub" "$TOP/g2/"
ip netns add "$N2A" && ip netns add "$N2B" ||
    { echo "Bail out! netns"; exit 1; }
ike_veth "$N2A" "$N2B" "$I2A" "$I2B"

server_start
ok '[ -S "$SOCK" ]' "p11-kit server exports the token on $SOCK"
P11_KIT_SERVER_ADDRESS="unix:path=$SOCK"
export P11_KIT_SERVER_ADDRESS

for g in 1 2; do
	gw "$g"
	charon_conf
	ikesignd_v1_conf
	sed -i "s|^module .*|module $CLIENT_MODULE|" "$T/ikesignd.conf"
	ikesignd_start
	ok '[ $? -eq 0 ]' "gateway $g: ikesignd starts with p11-kit-client.so"
	charon_start
	eval "G${g}_PID=\$IKESIGND_PID G${g}_CHARON=\$CHARON_PID"
	s=$(signer_of "$g")
	ok '[ -n "$s" ] && grep -q p11-kit-client /proc/$s/maps &&
	    ! grep -q libsofthsm2 /proc/$s/maps' \
	    "gateway $g: its signer has p11-kit-client.so, not SoftHSM2"
done
ok '[ "$(pgrep -c -P "$SERVER_PID")" -eq 2 ]' \
    "the server serves two connections, one per signer"

# both gateways sign with the one key at the same time
both v1 3
ok '[ "$(cat $TOP/rc.1)" -eq 0 ] && [ "$(cat $TOP/rc.2)" -eq 0 ]' \
    "IKEv1 Main Mode rsa-sig: 3 handshakes on each gateway at once"
for g in 1 2; do
	gw "$g"
	ok "[ \$(grep -c \"authentication of '$IPA' with RSA_EMSA_PKCS1_NULL successful\" $T/b/charon.log) -eq 3 ]" \
	    "gateway $g: its peer verified 3 signatures of the shared key"
done

# the server goes away
sig1=$(signer_of 1)
sig2=$(signer_of 2)
server_stop
ok '! [ -S "$SOCK" ] || ! kill -0 "$SERVER_PID" 2>/dev/null' \
    "the server and its connections are gone"
# gateway 1 responds (it looks the peer's key up on the token first),
# gateway 2 initiates (it signs message 5 first)
gw 1
swan --initiate --ike v1 --timeout 10 >"$T/init.out" 2>&1 &
bg=$!
gw 2
ctl initiate "$IPB" >"$T/init.out" 2>&1
rc=$?
ok '[ $rc -ne 0 ]' "gateway 2: ikesignctl initiate fails while the server is down (exit $rc)"
sed 's/^/# /' "$T/init.out"
wait "$bg"
ok '[ $? -ne 0 ]' "gateway 1: strongSwan's handshake fails while the server is down"
for g in 1 2; do
	gw "$g"
	grep -m 1 "CKR_" "$T/ikesignd.log" | sed 's/^[^ ]* ikesignd: /# /'
done
for g in 1 2; do
	gw "$g"
	wait_for "$T/ikesignd.log" "lost the token" 5
	ok "[ \$(grep -c 'signer: lost the token' $T/ikesignd.log) -eq 1 ]" \
	    "gateway $g: its signer lost the token, logged once"
	contains "$T/ikesignd.log" "starting a new one in 1 s" \
	    "gateway $g: a new signer in 1 s"
	ok 'kill -0 "$IKESIGND_PID" 2>/dev/null' \
	    "gateway $g: ikesignd keeps running"
done
ok '! kill -0 "$sig1" 2>/dev/null && ! kill -0 "$sig2" 2>/dev/null' \
    "both old signers are gone"
sleep 2
for g in 1 2; do
	gw "$g"
	wait_for "$T/ikesignd.log" "next try in" 5
	contains "$T/ikesignd.log" "signer: cannot start" \
	    "gateway $g: a new signer cannot start while the server is down"
	ok '! grep -q "PIN refused" $T/ikesignd.log' \
	    "gateway $g: a lost server is not a wrong PIN"
	ctl show sa >"$T/sa.txt" 2>&1
	contains "$T/sa.txt" "signer: cannot start" \
	    "gateway $g: ikesignctl show sa says the signer cannot start"
done

# the server comes back on the same socket
server_start
t0=$(date +%s)
for g in 1 2; do
	gw "$g"
	wait_for "$T/ikesignd.log" "signer restarted" 15
	ok '[ $? -eq 0 ]' \
	    "gateway $g: a new signer within 15 s ($(( $(date +%s) - t0 )) s)"
done
both v1 1
ok '[ "$(cat $TOP/rc.1)" -eq 0 ] && [ "$(cat $TOP/rc.2)" -eq 0 ]' \
    "IKEv1 handshakes resume on both gateways"

# IKEv2 on both gateways at once, through the restarted server
for g in 1 2; do
	gw "$g"
	ikesignd_v2_conf
	sed -i "s|^module .*|module $CLIENT_MODULE|" "$T/ikesignd.conf"
	expect_rc 0 "gateway $g: reload for IKEv2" ctl reload
done
both v2 2
ok '[ "$(cat $TOP/rc.1)" -eq 0 ] && [ "$(cat $TOP/rc.2)" -eq 0 ]' \
    "IKEv2 rsa-sig: 2 handshakes on each gateway at once"
for g in 1 2; do
	gw "$g"
	ok "grep -q \"authentication of '$IPA' with RSA_EMSA_PKCS1_SHA2_256 successful\" $T/b/charon.log" \
	    "gateway $g: its peer verified the IKEv2 signature"
	ok 'kill -0 "$IKESIGND_PID" 2>/dev/null' "gateway $g: still running"
done
done_testing
