# tests/cli/t_ike_peers.sh -- sourced by the tests that talk to libreswan's
# pluto and OpenIKED's iked, never run.  Builds on t_ike_env.sh (ikesignd in
# $NA at $IPA, the peers in $NB).
#
# Neither peer is installed: libreswan conflicts with strongSwan, and the
# openiked package starts a service.  Both .debs are fetched once per build
# tree with `apt-get download` and unpacked with `dpkg -x` into
# $PEERS_CACHE; scripts/deps.sh installs the libraries they need.
#
#   peers_setup         ike_setup, the unpacked peers (a missing one is a
#                       failure), keys, and a third namespace $NC with a
#                       charon at $IPC for the peer-to-peer self-checks
#   rfc3110 PEM         an RSA public key as libreswan's "0s..." (RFC 3110)
#   pluto_start / pluto_stop / whack ARGS...
#                       pluto in $NB at $IPB, identity pluto.test, its own
#                       NSS db and RSA key; conns "ikesignd" (to $IPA) and
#                       "selftest" (to $IPC); log $T/lsw/pluto.log
#   iked_start / iked_stop
#                       iked in $NB at $IPB, identity iked.test, under
#                       tests/peers/pfkey_shim.c; policies "ikesignd" and
#                       "selftest"; log $T/iked/iked.log
#   selfcheck_start / selfcheck_stop / sc ARGS...
#                       the self-check charon in $NC (swanctl against it)
: "${top_builddir:?run through make check}"
. "$top_srcdir/tests/cli/t_ike_env.sh"

PEERS_CACHE=${PEERS_CACHE:-$top_builddir/tests/peers-cache}
LSW="$PEERS_CACHE/libreswan"
LSWX="$LSW/usr/libexec/ipsec"
IKEDR="$PEERS_CACHE/openiked"
PFKEY_SHIM="$top_builddir/tests/peers/pfkey_shim.so"

# the self-check link: $NC (charon, $IPC) -- $NB ($IPD)
IPC=10.78.$_net.1
IPD=10.78.$_net.2
NC=ikc$$

# peers_fetch: both packages unpacked into $PEERS_CACHE, once per build
# tree (under a lock: tests may run side by side)
peers_fetch() {
	mkdir -p "$PEERS_CACHE" || return 1
	(
		flock 9
		for _pkg in libreswan openiked; do
			[ -f "$PEERS_CACHE/$_pkg/.ready" ] && continue
			rm -rf "$PEERS_CACHE/$_pkg" "$PEERS_CACHE/dl"
			mkdir -p "$PEERS_CACHE/dl" || exit 1
			( cd "$PEERS_CACHE/dl" && apt-get download -q "$_pkg" ||
			    { [ "$(id -u)" -eq 0 ] && apt-get update -q &&
			    apt-get download -q "$_pkg"; } ) >"$PEERS_CACHE/dl.log" 2>&1 ||
			    { cat "$PEERS_CACHE/dl.log"; exit 1; }
			dpkg -x "$PEERS_CACHE"/dl/"$_pkg"_*.deb \
			    "$PEERS_CACHE/$_pkg" || exit 1
			dpkg-deb -f "$PEERS_CACHE"/dl/"$_pkg"_*.deb Version \
			    >"$PEERS_CACHE/$_pkg/.ready" || exit 1
			rm -rf "$PEERS_CACHE/dl"
		done
	) 9>"$PEERS_CACHE.lock"
}

# rfc3110 PEM: the RSA public key in PEM (SubjectPublicKeyInfo) as "0s"
# and the base64 of RFC 3110's exponent length, exponent, modulus
rfc3110() {
	_m=$(openssl rsa -pubin -in "$1" -noout -modulus 2>/dev/null) ||
	    return 1
	_e=$(openssl rsa -pubin -in "$1" -noout -text 2>/dev/null |
	    sed -n 's/^Exponent: \([0-9]*\) .*/\1/p')
	_e=$(printf '%x' "$_e")
	[ $(( ${#_e} % 2 )) -eq 1 ] && _e="0$_e"
	printf '0s'
	printf '%02x%s%s' $(( ${#_e} / 2 )) "$_e" "${_m#Modulus=}" |
	    xxd -r -p | base64 -w 0
	echo
}

peers_setup() {
	ike_setup
	exit_trap peers_cleanup
	peers_fetch || { echo "Bail out! cannot fetch libreswan and" \
	    "openiked with apt-get download"; exit 1; }
	for _f in "$LSWX/pluto" "$LSWX/whack" "$LSWX/addconn" \
	    "$LSWX/rsasigkey" "$LSWX/showhostkey" "$IKEDR/usr/sbin/iked"; do
		[ -x "$_f" ] || { echo "Bail out! $_f is missing"; exit 1; }
	done
	for _f in "$LSWX/pluto" "$IKEDR/usr/sbin/iked"; do
		if ldd "$_f" | grep -q 'not found'; then
			echo "Bail out! $_f lacks libraries (scripts/deps.sh):"
			ldd "$_f" | grep 'not found' | sed 's/^/# /'
			exit 1
		fi
	done
	command -v certutil >/dev/null ||
	    { echo "Bail out! certutil missing (libnss3-tools)"; exit 1; }
	[ -f "$PFKEY_SHIM" ] ||
	    { echo "Bail out! $PFKEY_SHIM not built"; exit 1; }
	echo "# libreswan $(cat "$LSW/.ready"), openiked $(cat "$IKEDR/.ready")"

	ip netns add "$NC" &&
	ip link add "vc$$" netns "$NC" type veth peer name "vd$$" \
	    netns "$NB" &&
	ip -n "$NC" addr add "$IPC/24" dev "vc$$" &&
	ip -n "$NB" addr add "$IPD/24" dev "vd$$" &&
	ip -n "$NC" link set lo up && ip -n "$NC" link set "vc$$" up &&
	ip -n "$NB" link set "vd$$" up ||
	    { echo "Bail out! cannot set up the self-check link"; exit 1; }

	# keys: the self-check charon's (software), iked's (software), and
	# pluto's (made by libreswan in its NSS db)
	for _k in c i; do
		pki --gen --type rsa --size 2048 --outform pem \
		    >"$T/$_k.key" 2>/dev/null &&
		pki --pub --in "$T/$_k.key" --outform pem >"$T/$_k.pub" \
		    2>/dev/null || { echo "Bail out! pki"; exit 1; }
	done
	pluto_keys
	{ "$CKR" create lsw &&
	"$CKR" add-pubkey lsw --hostname pluto.test --in "$T/l.pub" &&
	"$CKR" add-pubkey lsw --address "$IPB" --in "$T/l.pub" &&
	"$CKR" create iked &&
	"$CKR" add-pubkey iked --hostname iked.test --in "$T/i.pub" &&
	"$CKR" add-pubkey iked --address "$IPB" --in "$T/i.pub"; } >/dev/null ||
	    { echo "Bail out! cannot fill the peers' keyrings"; exit 1; }
	pluto_conf
	iked_conf
	selfcheck_conf
}

# the peers' logs on failure, then ike_cleanup (stops every process in
# $IKE_PIDS, deletes $NA and $NB and $T), then $NC
peers_cleanup() {
	if [ "${_tap_failed:-0}" -ne 0 ]; then
		for _l in "$T/lsw/pluto.log" "$T/iked/iked.log" \
		    "$T/c/charon.log"; do
			[ -f "$_l" ] || continue
			echo "# --- last lines of $_l"
			tail -n 40 "$_l" | sed 's/^/# /'
		done
	fi
	ike_cleanup
	ip netns del "$NC" 2>/dev/null
}

# peer_wait PID FILE TEXT SECONDS: TEXT appears in FILE; fails at once when
# PID is gone
peer_wait() {
	_i=0; _n=$(( $4 * 10 ))
	while [ $_i -lt $_n ]; do
		grep -qF -- "$3" "$2" 2>/dev/null && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1; _i=$((_i + 1))
	done
	return 1
}

# --- libreswan ---------------------------------------------------------------

pluto_keys() {
	_d="$T/lsw"
	mkdir -p "$_d/nss" "$_d/run" "$_d/ipsec.d" &&
	: >"$_d/ipsec.secrets" &&
	certutil -N -d "sql:$_d/nss" --empty-password &&
	"$LSWX/rsasigkey" --nssdir "$_d/nss" --seeddev /dev/urandom 3072 \
	    >"$_d/rsasigkey.out" 2>&1 ||
	    { echo "Bail out! libreswan rsasigkey"; exit 1; }
	_ckaid=$("$LSWX/showhostkey" --nssdir "$_d/nss" --list 2>/dev/null |
	    sed -n 's/.*ckaid: \([0-9a-f]*\).*/\1/p' | head -n 1)
	LSW_KEY=$("$LSWX/showhostkey" --nssdir "$_d/nss" --left \
	    --ckaid "$_ckaid" 2>/dev/null | sed -n 's/.*leftrsasigkey=//p')
	"$LSWX/showhostkey" --nssdir "$_d/nss" --pem --ckaid "$_ckaid" \
	    >"$T/l.pub" 2>/dev/null
	[ -n "$LSW_KEY" ] && [ -s "$T/l.pub" ] ||
	    { echo "Bail out! libreswan showhostkey"; exit 1; }
}

# pluto_conf: conn "ikesignd" ($IPB <-> $IPA) and conn "selftest" ($IPD <->
# $IPC).  IKEv2 with RSA signatures and raw keys, no NAT-T encapsulation and
# no MOBIKE (ikesignd stays on port 500).
pluto_conf() {
	_d="$T/lsw"
	cat >"$_d/ipsec.conf" <<EOC
config setup
	uniqueids=no
	ikev1-policy=drop
	dumpdir=$_d/run

conn common
	ikev2=yes
	authby=rsasig
	leftid=@pluto.test
	leftrsasigkey=$LSW_KEY
	ike=aes256-sha2_256;modp2048
	esp=aes256-sha2_256
	type=tunnel
	encapsulation=no
	mobike=no
	fragmentation=no
	# no revival: a Delete from ikesignd ends the SA (an "up" conn
	# would initiate again at once)
	rekey=no
	retransmit-timeout=10s
	retransmit-interval=500

conn ikesignd
	also=common
	auto=add
	left=$IPB
	right=$IPA
	rightid=$IPA
	rightrsasigkey=$(rfc3110 "$T/a.pub")

conn selftest
	also=common
	auto=add
	left=$IPD
	right=$IPC
	rightid=@c.test
	rightrsasigkey=$(rfc3110 "$T/c.pub")
EOC
}

# pluto reads /usr/libexec/ipsec/addconn and friends at fixed paths: its
# mount namespace gets libreswan's tree there
pluto_start() {
	_d="$T/lsw"
	rm -f "$_d/run/pluto.ctl"
	ip netns exec "$NB" sh -c "mount --bind $LSW/usr/libexec /usr/libexec \
&& exec $LSWX/pluto --nofork --stderrlog --config $_d/ipsec.conf \
--rundir $_d/run --nssdir $_d/nss --secretsfile $_d/ipsec.secrets \
--ipsecdir $_d/ipsec.d" >>"$_d/pluto.log" 2>&1 &
	PLUTO_PID=$!
	IKE_PIDS="$IKE_PIDS $PLUTO_PID"
	# the last line of its start-up, after the conns and the sockets
	peer_wait "$PLUTO_PID" "$_d/pluto.log" "loading secrets from" 20
}

pluto_stop() {
	stop_pid "$PLUTO_PID"
}

whack() {
	ip netns exec "$NB" "$LSWX/whack" --ctlsocket "$T/lsw/run/pluto.ctl" \
	    "$@"
}

# --- OpenIKED -------------------------------------------------------------------

# iked_conf [MODE [MODE]]: policies "ikesignd" ($IPB <-> $IPA) and
# "selftest" ($IPD <-> $IPC), active or passive (default active, passive),
# RSA signatures with raw keys from /etc/iked/pubkeys, no MOBIKE.  An
# active policy is initiated 2 s after the start, then every 60 s while it
# has no SA.  iked sends from the interface's first address whatever its
# policy's "local" says, so it gets $IPB, not $IPU.
iked_conf() {
	_d="$T/iked"
	mkdir -p "$_d/etc/private" "$_d/etc/pubkeys/ipv4" \
	    "$_d/etc/pubkeys/fqdn" "$_d/etc/ca" "$_d/etc/certs" \
	    "$_d/etc/crls" "$_d/empty"
	cp "$T/i.key" "$_d/etc/private/local.key"
	cp "$T/i.pub" "$_d/etc/local.pub"
	cp "$T/a.pub" "$_d/etc/pubkeys/ipv4/$IPA"
	cp "$T/c.pub" "$_d/etc/pubkeys/fqdn/c.test"
	# iked's CA process reads them as _iked (the private key is read
	# by its parent, as root)
	chmod 755 "$_d/empty" "$_d/etc" "$_d/etc/pubkeys" \
	    "$_d/etc/pubkeys/ipv4" "$_d/etc/pubkeys/fqdn" "$_d/etc/ca" \
	    "$_d/etc/certs" "$_d/etc/crls"
	chmod 644 "$_d/etc/local.pub" "$_d/etc/pubkeys/ipv4/$IPA" \
	    "$_d/etc/pubkeys/fqdn/c.test"
	cat >"$_d/iked.conf" <<EOC
set nomobike
set nofragmentation
set novendorid
ikev2 "ikesignd" ${1:-active} esp from $IPB to $IPA local $IPB peer $IPA \\
	ikesa enc aes-128 prf hmac-sha2-256 auth hmac-sha2-256 \\
	group curve25519 \\
	childsa enc aes-128 auth hmac-sha2-256 \\
	srcid iked.test dstid $IPA rsa
ikev2 "selftest" ${2:-passive} esp from $IPD to $IPC local $IPD peer $IPC \\
	ikesa enc aes-128 prf hmac-sha2-256 auth hmac-sha2-256 \\
	group curve25519 \\
	childsa enc aes-128 auth hmac-sha2-256 \\
	srcid iked.test dstid c.test rsa
EOC
}

# iked needs /etc/iked (its CA process chroots there) and the user _iked:
# its mount namespace gets /etc as an overlay on a tmpfs, with our
# /etc/iked bound in and _iked added to /etc/passwd.  There is no PF_KEY on
# the test kernels: the shim answers iked's PF_KEY messages.
iked_start() {
	_d="$T/iked"
	rm -f "$_d/iked.sock"
	ip netns exec "$NB" sh -c "mkdir -p $_d/ovl && \
mount -t tmpfs none $_d/ovl && mkdir $_d/ovl/up $_d/ovl/work && \
mount -t overlay overlay -o lowerdir=/etc,upperdir=$_d/ovl/up,workdir=$_d/ovl/work /etc && \
mkdir -p /etc/iked && mount --bind $_d/etc /etc/iked && \
echo '_iked:x:65534:65534:iked:$_d/empty:/usr/sbin/nologin' >>/etc/passwd && \
exec env LD_PRELOAD=$PFKEY_SHIM $IKEDR/usr/sbin/iked -d -vv \
-f $_d/iked.conf -s $_d/iked.sock" >>"$_d/iked.log" 2>&1 &
	IKED_PID=$!
	IKE_PIDS="$IKE_PIDS $IKED_PID"
	# its IKEv2 process has its sockets (iked -vv)
	peer_wait "$IKED_PID" "$_d/iked.log" \
	    "config_getsocket: received socket" 20
}

iked_stop() {
	stop_pid "$IKED_PID"
}

# --- the self-check charon in $NC -------------------------------------------

selfcheck_conf() {
	_d="$T/c"
	mkdir -p "$_d/run" "$_d/swanctl/private" "$_d/swanctl/pubkey"
	cp "$T/c.key" "$_d/swanctl/private/c.pem"
	cp "$T/c.pub" "$_d/swanctl/pubkey/c.pub"
	cp "$T/l.pub" "$_d/swanctl/pubkey/l.pub"
	cp "$T/i.pub" "$_d/swanctl/pubkey/i.pub"
	sed "s|$T/b/|$_d/|g" "$T/b/strongswan.conf" >"$_d/strongswan.conf"
	cat >"$_d/swanctl/swanctl.conf" <<EOC
connections {
  lsw {
    version = 2
    mobike = no
    fragmentation = no
    local_addrs = $IPC
    remote_addrs = $IPD
    proposals = aes256-sha256-modp2048
    # declines the peer's CHILD_SA, as ikesignd does
    children {
      c {
        local_ts = $IPC/32
        remote_ts = $IPD/32
        esp_proposals = aes256gcm16
      }
    }
    local {
      auth = pubkey
      id = c.test
      pubkeys = c.pub
    }
    remote {
      auth = pubkey
      id = pluto.test
      pubkeys = l.pub
    }
  }
  iked {
    version = 2
    mobike = no
    fragmentation = no
    local_addrs = $IPC
    remote_addrs = $IPD
    proposals = aes128-sha256-x25519
    children {
      c {
        local_ts = $IPC/32
        remote_ts = $IPD/32
        esp_proposals = aes256gcm16
      }
    }
    local {
      auth = pubkey
      id = c.test
      pubkeys = c.pub
    }
    remote {
      auth = pubkey
      id = iked.test
      pubkeys = i.pub
    }
  }
}
EOC
}

selfcheck_start() {
	_d="$T/c"
	rm -f "$_d/charon.vici"
	ip netns exec "$NC" sh -c "mount --bind $_d/run /run && \
STRONGSWAN_CONF=$_d/strongswan.conf exec $CHARON" >"$_d/charon.out" 2>&1 &
	SELFCHECK_PID=$!
	IKE_PIDS="$IKE_PIDS $SELFCHECK_PID"
	_i=0
	while [ ! -S "$_d/charon.vici" ] && [ $_i -lt 250 ]; do
		sleep 0.02; _i=$((_i + 1))
	done
	sc --load-all --noprompt --file "$_d/swanctl/swanctl.conf" \
	    >"$_d/load.out" 2>&1
}

selfcheck_stop() {
	stop_pid "$SELFCHECK_PID"
}

sc() {
	STRONGSWAN_CONF="$T/c/strongswan.conf" swanctl "$@" \
	    --uri "unix://$T/c/charon.vici"
}
