#!/bin/sh
# t_ike_recipes.sh -- the peer recipes of ikesignd.conf(5), run as they are
# printed there: the gateway's lines, strongSwan's swanctl.conf (IKEv2 and
# IKEv1), libreswan's ipsec.conf and OpenIKED's iked.conf, each taken from
# the man page with the test's addresses, names and keys put in, and a
# handshake each way (the gateway initiating only, with OpenIKED, as the
# recipe says).  libreswan gets the gateway's key from
# "cryptokey show --format rfc3110", as the recipe tells.
. "$top_srcdir/tests/cli/t_ike_peers.sh"

peers_setup
MAN="$top_srcdir/man/ikesignd.conf.5"

# recipe NAME: the literal block after the comment ".\" recipe: NAME"
recipe() {
	awk -v n="$1" '
	    $0 == ".\\\" recipe: " n { want = 1; next }
	    want && /^\.Bd/ { inside = 1; next }
	    inside && /^\.Ed/ { exit }
	    inside { gsub(/\\e/, "\\"); gsub(/\\&/, ""); print }' "$MAN"
}
# put PEER-ID and the test's addresses in place of the documentation's
put() {
	sed -e "s/192\.0\.2\.1/$IPA/g" -e "s/192\.0\.2\.2/$IPB/g" \
	    -e "s/peer\.example\.net/$1/g"
}
for r in gateway strongswan libreswan openiked; do
	recipe $r >"$T/recipe.$r"
	ok "[ -s $T/recipe.$r ]" "ikesignd.conf(5) has the $r recipe"
done

# the gateway: its peers' keys in keyring "peers", its lines from the
# recipe, the peer line as the recipe says for each version
{ "$CKR" create peers && "$CKR" add-pubkey peers --hostname b.test \
    --in "$T/b.pub" && "$CKR" add-pubkey peers --hostname pluto.test \
    --in "$T/l.pub" && "$CKR" add-pubkey peers --hostname iked.test \
    --in "$T/i.pub"; } >"$T/kr.out" 2>&1 ||
    { sed "s/^/# /" "$T/kr.out"; echo "Bail out! cannot fill keyring peers"; exit 1; }
gateway() { # PEER-ID VERSION
	if [ "$2" = 1 ]; then
		line="peer $IPB keyring peers"
	else
		line=$(put "$1" <"$T/recipe.gateway" | grep '^peer ')
	fi
	put "$1" <"$T/recipe.gateway" | grep -v '^peer ' |
	    ikesignd_conf "$line"
}

# --- strongSwan ----------------------------------------------------------
gateway b.test 2
ikesignd_start
ok '[ $? -eq 0 ]' "ikesignd starts with the gateway recipe"
put b.test <"$T/recipe.strongswan" |
    sed -e 's/peer\.pem/b.pub/' -e 's/ikesignd\.pem/a.pub/' \
    >"$T/b/swanctl/swanctl.conf"
charon_start
expect_rc 0 "strongSwan recipe: IKEv2 to the gateway" \
    swan --initiate --ike gw-v2 --timeout 10
logged "$T/ikesignd.log" "authentication of 'b.test' with RSASSA-PKCS1-v1_5 with SHA-256 successful (key from keyring 'peers')" \
    "the gateway takes strongSwan's IKEv2 AUTH"
swan --terminate --ike gw-v2 --timeout 5 >/dev/null 2>&1
expect_rc 0 "gateway recipe: IKEv2 to strongSwan" ctl initiate "$IPB"
ctl clear sa >/dev/null
gateway b.test 1
ctl reload >/dev/null
expect_rc 0 "strongSwan recipe: IKEv1 to the gateway" \
    swan --initiate --ike gw-v1 --timeout 10
swan --terminate --ike gw-v1 --timeout 5 >/dev/null 2>&1
expect_rc 0 "gateway recipe: IKEv1 to strongSwan" ctl initiate "$IPB"
ctl clear sa >/dev/null
charon_stop

# --- libreswan: the gateway's key as cryptokey show --format rfc3110 -------
gwkey=$("$CK" show --label ike-a --format rfc3110 2>/dev/null)
ok "[ \"\$(echo '$gwkey' | cut -c1-2)\" = 0s ]" \
    "cryptokey show --format rfc3110 gives the gateway's key as 0s..."
{
	printf 'config setup\n\tuniqueids=no\n\tikev1-policy=drop\n'
	printf '\tdumpdir=%s\n\n' "$T/lsw/run"
	put pluto.test <"$T/recipe.libreswan" |
	    sed -e "s|^\(.leftrsasigkey=\).*|\1$LSW_KEY|" \
	    -e "s|^\(.rightrsasigkey=\).*|\1$gwkey|"
} >"$T/lsw/ipsec.conf"
gateway pluto.test 2
ctl reload >/dev/null
pluto_start
ok '[ $? -eq 0 ]' "pluto starts with the libreswan recipe"
expect_rc 0 "libreswan recipe: IKEv2 to the gateway" \
    whack --name gw --initiate
contains "$out" "initiator established IKE SA" \
    "pluto establishes with the gateway"
whack --name gw --terminate >/dev/null 2>&1
ctl clear sa >/dev/null
expect_rc 0 "gateway recipe: IKEv2 to libreswan" ctl initiate "$IPB"
ctl clear sa >/dev/null
pluto_stop

# --- OpenIKED: passive, the gateway initiates ------------------------------
put iked.test <"$T/recipe.openiked" >"$T/iked/iked.conf"
gateway iked.test 2
ctl reload >/dev/null
iked_start
ok '[ $? -eq 0 ]' "iked starts with the OpenIKED recipe"
expect_rc 0 "gateway recipe: IKEv2 to OpenIKED" ctl initiate "$IPB"
logged "$T/iked/iked.log" "ikev2_msg_authverify: authentication successful" \
    "iked verified the gateway's AUTH"
ctl clear sa >/dev/null
iked_stop
kill -0 "$IKESIGND_PID" 2>/dev/null
ok '[ $? -eq 0 ]' "ikesignd is still running"
done_testing
