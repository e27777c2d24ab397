#!/bin/sh
# t_ike_am.sh -- IKEv1 Aggressive Mode with strongSwan, both roles: pre-
# shared keys chosen by the identity the peer sends first (ID_FQDN,
# ID_USER_FQDN, ID_KEY_ID) for a peer known only by a range of addresses,
# and RSA signatures; a wrong PSK and an identity without one are
# refused; "crypto isakmp aggressive-mode disable" leaves Aggressive Mode
# unanswered while Main Mode works; the PSK is in no memory of ikesignd's.
. "$top_srcdir/tests/cli/t_ike_env.sh"

ike_setup
NET=${IPA%.1}.0/24
python3 -c 'import secrets; print(secrets.token_hex(32))' >"$T/psk"
python3 -c 'import secrets; print(secrets.token_hex(32))' >"$T/psk.bad"
chmod 600 "$T/psk" "$T/psk.bad"
addpsk() { # KEYRING FILE OPTION VALUE
	"$CKR" add-psk "$1" "$3" "$4" --passphrase-source "file:$2" \
	    >/dev/null 2>&1
}
"$CKR" create roam >/dev/null 2>&1 && "$CKR" create bad >/dev/null 2>&1 &&
addpsk roam "$T/psk" --hostname b.test &&
addpsk roam "$T/psk" --name road@b.test &&
addpsk roam "$T/psk" --name group-b &&
addpsk default "$T/psk" --address "$IPB" &&
addpsk bad "$T/psk.bad" --hostname b.test ||
    { echo "Bail out! cannot store the PSKs on the token"; exit 1; }
"$CKR" show roam --ios >"$T/roam.ios" 2>&1
contains "$T/roam.ios" " ! pre-shared-key name road@b.test (ikesignd: Aggressive Mode ID_USER_FQDN or ID_KEY_ID)" \
    "show --ios prints a PSK stored by name as a comment"

# strongSwan answers Aggressive Mode with PSKs only when told so
sed -i 's/^charon {$/charon {\n  i_dont_care_about_security_and_use_aggressive_mode_psk = yes/' \
    "$T/b/strongswan.conf"
cat >>"$T/b/swanctl/swanctl.conf" <<EOC
secrets {
  ike-am {
    id-a = $IPA
    id-b = b.test
    id-c = road@b.test
    id-d = "keyid:group-b"
    id-e = gw@a.test
    id-f = nobody.test
    secret = "$(cat "$T/psk")"
  }
}
EOC
am_conn() { # NAME AUTH LOCAL-ID REMOTE-ID [AGGRESSIVE]
	cat <<EOC
  $1 {
    version = 1
    aggressive = ${5:-yes}
    local_addrs = $IPB
    remote_addrs = $IPA
    proposals = aes128-sha256-modp2048
    local {
      auth = $2
      id = $3
$( [ "$2" = pubkey ] && echo "      pubkeys = b.pub" )
    }
    remote {
      auth = $2
      id = $4
$( [ "$2" = pubkey ] && echo "      pubkeys = a.pub" )
    }
  }
EOC
}
{
	echo "connections {"
	am_conn amfqdn psk b.test "$IPA"
	am_conn amufqdn psk road@b.test "$IPA"
	am_conn amkeyid psk "keyid:group-b" "$IPA"
	am_conn amnobody psk nobody.test "$IPA"
	am_conn amresp psk b.test gw@a.test
	am_conn amrsa pubkey b.test "$IPA"
	am_conn amrsar pubkey b.test a.test
	am_conn mm psk "$IPB" "$IPA" no
	echo "}"
} >>"$T/b/swanctl/swanctl.conf"

policies() { # AUTH
	cat <<EOC
crypto isakmp policy 10
 encryption aes 128
 hash sha256
 authentication $1
 group 14
EOC
}
# a responder for every address of the test net (keyring KEYRING)
v1resp() { # KEYRING AUTH [MORE-LINES]
	policies "$2" | ikesignd_conf "peer $NET keyring $1
${3:-}"
}

v1resp roam pre-share
ikesignd_start
ok '[ $? -eq 0 ]' "ikesignd starts with a peer range for Aggressive Mode"
charon_start

# responder: the PSK for the name the peer gives first
for c in "amfqdn|b.test|FQDN" "amufqdn|road@b.test|USER_FQDN" \
    "amkeyid|group-b|KEY_ID"; do
	conn=${c%%|*}; rest=${c#*|}; id=${rest%%|*}; kind=${rest#*|}
	expect_rc 0 "strongSwan initiates Aggressive Mode as ID_$kind $id" \
	    swan --initiate --ike "$conn" --timeout 10
	logged "$T/ikesignd.log" "authentication of '$id' with pre-shared key successful (key from keyring 'roam')" \
	    "ikesignd took the PSK stored for $id"
	swan --terminate --ike "$conn" --timeout 5 >/dev/null 2>&1
done
logged "$T/ikesignd.log" "Aggressive Mode responder for 'b.test', policy 10 chosen" \
    "the responder names the identity and policy"
logged "$T/ikesignd.log" "local key 'ike-a' (Aggressive Mode)" \
    "the SA is established in Aggressive Mode"

# an identity without a PSK gets no answer at all
answers=$(grep -c "parsed AGGRESSIVE response" "$T/b/charon.log")
expect_rc 1 "an identity without a PSK is refused" \
    swan --initiate --ike amnobody --timeout 6
logged "$T/ikesignd.log" "no pre-shared key for nobody.test" \
    "ikesignd says there is no PSK for the identity"
logged "$T/ikesignd.log" "; no answer sent" "and that it sent no answer"
ok '[ $(grep -c "parsed AGGRESSIVE response" $T/b/charon.log) -eq $answers ]' \
    "strongSwan received no answer from ikesignd"

# the PSK is in no memory of ikesignd's after the handshakes
psk_scan_ikesignd "$T/psk" \
    "no copy of the PSK in ikesignd's processes after Aggressive Mode"

# a wrong PSK: strongSwan's check of HASH_R fails, and ikesignd says why
v1resp bad pre-share
ctl reload >/dev/null
expect_rc 1 "a wrong PSK is refused (Aggressive Mode responder)" \
    swan --initiate --ike amfqdn --timeout 8
logged "$T/b/charon.log" "calculated HASH does not match HASH payload" \
    "strongSwan finds ikesignd's HASH_R wrong"
logged "$T/ikesignd.log" "its pre-shared key does not match the one keyring 'bad' holds for 'b.test'" \
    "ikesignd says the peer's key did not match"

# Aggressive Mode off: no answer; Main Mode still works
v1resp roam pre-share "peer $IPB keyring default
crypto isakmp aggressive-mode disable"
ctl reload >/dev/null
expect_rc 1 "aggressive-mode disable: strongSwan's Aggressive Mode fails" \
    swan --initiate --ike amfqdn --timeout 6
logged "$T/ikesignd.log" "Aggressive Mode from $IPB refused without an answer: crypto isakmp aggressive-mode disable" \
    "ikesignd says why it did not answer"
expect_rc 0 "while Main Mode with the PSK works" \
    swan --initiate --ike mm --timeout 10
swan --terminate --ike mm --timeout 5 >/dev/null 2>&1

# RSA signatures in Aggressive Mode, strongSwan initiating
v1resp default rsa-sig
ctl reload >/dev/null
expect_rc 0 "strongSwan initiates Aggressive Mode with RSA signatures" \
    swan --initiate --ike amrsa --timeout 10
logged "$T/ikesignd.log" "authentication of 'b.test' with RSA signature successful" \
    "ikesignd verified SIG_I in Aggressive Mode"
swan --terminate --ike amrsa --timeout 5 >/dev/null 2>&1
ctl clear sa >/dev/null

# initiator: ikesignd as gw@a.test (ID_USER_FQDN), then with signatures
policies pre-share | ikesignd_conf "peer $IPB mode aggressive identity user-fqdn gw@a.test keyring roam"
ctl reload >/dev/null
expect_rc 0 "ikesignd initiates Aggressive Mode with the PSK" \
    ctl initiate "$IPB"
wait_for "$T/b/charon.log" "IKE_SA amresp[" 5
logged "$T/b/charon.log" "established between $IPB[b.test]...$IPA[gw@a.test]" \
    "strongSwan (responder) took ikesignd's identity and HASH_I"
logged "$T/ikesignd.log" "authentication of 'b.test' with pre-shared key successful (key from keyring 'roam')" \
    "ikesignd checked HASH_R with the key for the name the peer gave"
ctl show sa --json >"$T/sa.json"
ok "python3 -c 'import json,sys; a=json.load(open(\"$T/sa.json\")); \
sys.exit(not (len(a)==1 and a[0][\"auth\"]==\"pre-shared key\" and a[0][\"state\"]==\"QM_IDLE\"))'" \
    "show sa --json: one SA, QM_IDLE, pre-shared key"
ctl clear sa >/dev/null
policies pre-share | ikesignd_conf "peer $IPB mode aggressive identity user-fqdn gw@a.test keyring bad"
ctl reload >/dev/null
expect_rc 1 "ikesignd refuses a responder with another PSK" \
    ctl initiate "$IPB"
logged "$T/ikesignd.log" "the HASH of 'b.test' does not match: its pre-shared key is not the one keyring 'bad' holds for it" \
    "and says the peer's key did not match"
policies rsa-sig | ikesignd_conf "peer $IPB mode aggressive identity fqdn keyring default"
ctl reload >/dev/null
expect_rc 0 "ikesignd initiates Aggressive Mode with RSA signatures" \
    ctl initiate "$IPB"
logged "$T/b/charon.log" "established between $IPB[b.test]...$IPA[a.test]" \
    "strongSwan verified ikesignd's SIG_I"
ctl clear sa >/dev/null
# a reload that names a keyring the token does not have is refused
policies rsa-sig | ikesignd_conf "peer $IPB keyring nosuch"
expect_rc 3 "reload refuses a peer line whose keyring is not on the token" \
    ctl reload
logged "$T/ikesignd.log" "reload refused: peer $IPB names keyring 'nosuch'" \
    "and says which line names which keyring"
ok "[ \$(ctl show sa --json | python3 -c 'import json,sys; print(len([a for a in json.load(sys.stdin) if a[\"state\"] == \"QM_IDLE\"]))') -eq 0 ]" \
    "no SA is left"
ok '! grep -qF "$(cat $T/psk)" $T/ikesignd.log' "the log holds no PSK"
done_testing
