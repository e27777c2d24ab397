# tests/cli/t_ike_env.sh -- sourced by the t_ike_*.sh tests, never run.
#
# Two network namespaces joined by a veth pair: ikesignd (key on a SoftHSM2
# token made with cryptokey) in "a" at 10.77.x.1, strongSwan's charon in
# "b" at 10.77.x.2 (and .3 for an unknown peer).  Only addresses inside
# those namespaces are used; everything is torn down on exit.
#
#   ike_setup           namespaces, keys, keyring, configs; skips when
#                       network namespaces cannot be created
#   ike_veth NS-A NS-B IP-A IP-B [IP-U]  the veth pair between namespaces
#   ikesignd_conf POLICY-LINES...  write $T/ikesignd.conf
#   ikesignd_v2_conf [PROPOSAL] [PROFILE] [OTHER]  the same for IKEv2
#   ikesignd_start / charon_start / charon_load
#   ctl ARGS...         ikesignctl against the test daemon
#   swan ARGS...        swanctl against the test charon
#   show_while_held ROLE ASKED CMD...  ikesignctl answers while the
#                       token (behind tests/faultmod) holds a read
#   asked_since         ikesignd has logged $_asked since line $_from
#                       of its log (into $T/run.log)
#   wait_for FILE TEXT [SECONDS]
: "${top_builddir:?run through make check}"
. "$top_srcdir/tests/cli/lib.sh"

IKESIGND=$(tool ikesignd)
IKESIGNCTL=$(tool ikesignctl)
FAULTMOD="$top_builddir/tests/faultmod/.libs/faultmod.so"
CKR=$(tool cryptokeyring)
CHARON=/usr/lib/ipsec/charon

# a subnet of our own per test process (10.77.N.0/24)
_net=$(( $$ % 200 + 20 ))
IPA=10.77.$_net.1
IPB=10.77.$_net.2
IPU=10.77.$_net.3
NA=ika$$
NB=ikb$$
IKE_PIDS=""

# ours PID: PID is still a process this test started (a child of its
# shell).  A daemon that ended by itself was reaped at once, and with the
# kernel's 32768 PIDs and thousands of processes a minute in a full run,
# its number soon names another test's process: never signal that one.
ours() {
	_pp=$(sed 's/^.*) [A-Za-z] \([0-9]*\) .*$/\1/' "/proc/$1/stat" \
	    2>/dev/null)
	[ -n "$_pp" ] && { [ "$_pp" = "$$" ] || [ "$_pp" = "${BASHPID:-$$}" ]; }
}

# stop_pid PID: SIGTERM, and SIGKILL after 5 s: charon 5.9 can hang in
# its shutdown when a Delete arrives meanwhile, and a test must not wait
# for it forever.  Nothing when PID is no longer ours.
stop_pid() {
	ours "$1" || return 0
	kill -TERM "$1" 2>/dev/null || return 0
	( sleep 5; ours "$1" && kill -KILL "$1" ) >/dev/null 2>&1 &
	_dog=$!
	wait "$1" 2>/dev/null
	kill "$_dog" 2>/dev/null
	wait "$_dog" 2>/dev/null
}

# ikesignd_stop: stop the test daemon and wait until its network process
# and signer are gone too (they hold the IKE port and the token), so that
# the next ikesignd_start finds both free
ikesignd_stop() {
	# each child by its PID and start time, so that a reused PID is
	# left alone
	_kids=""
	for _k in $(pgrep -P "$IKESIGND_PID" 2>/dev/null); do
		_kids="$_kids $_k:$(started "$_k")"
	done
	stop_pid "$IKESIGND_PID"
	for _k in $_kids; do
		_i=0
		while [ "$(started "${_k%%:*}")" = "${_k#*:}" ] && [ $_i -lt 50 ]; do
			sleep 0.1; _i=$((_i + 1))
		done
		[ "$(started "${_k%%:*}")" = "${_k#*:}" ] &&
		    kill -KILL "${_k%%:*}" 2>/dev/null
	done
	IKE_PIDS=$(echo "$IKE_PIDS" | sed "s/ $IKESIGND_PID\b//")
}

# started PID: its start time (clock ticks since boot), or nothing
started() {
	sed 's/^.*) \(.*\)$/\1/' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20
}

ike_cleanup() {
	# one at a time, in the order they started (ikesignd first): its
	# Deletes reach a charon that is not yet shutting down
	for _p in $IKE_PIDS; do stop_pid "$_p"; done
	IKE_PIDS=""
	ip netns del "$NA" 2>/dev/null
	ip netns del "$NB" 2>/dev/null
	# a failed run shows the ends of both daemons' logs in the test log
	if [ "${_tap_failed:-0}" -ne 0 ]; then
		for _l in "$T/ikesignd.log" "$T/b/charon.log"; do
			[ -f "$_l" ] || continue
			echo "# --- last lines of $(basename "$_l")"
			tail -n 40 "$_l" | sed 's/^/# /'
		done
	fi
	# IKE_KEEP=DIR keeps the logs of a run for a look
	[ -n "${IKE_KEEP:-}" ] && rm -rf "$IKE_KEEP" && cp -a "$T" "$IKE_KEEP"
	rm -rf "$T"
}

# poll_pause: the pause between two polls of wait_for and wait_count,
# counted in _i (tenths of a second): 0.1 s for the first two seconds,
# then 0.3 s.  A poll is a grep and a sleep, 6 ms of CPU on this kind of
# machine, and the long waits are for timers (a lifetime, DPD) that count
# in seconds: a minute's wait polled 600 times.
poll_pause() {
	if [ "$_i" -lt 20 ]; then
		sleep 0.1; _i=$((_i + 1))
	else
		sleep 0.3; _i=$((_i + 3))
	fi
}

wait_for() { # FILE TEXT [SECONDS]: poll for TEXT to appear in FILE
	_i=0; _n=$(( ${3:-10} * 10 ))
	while [ $_i -lt $_n ]; do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		poll_pause
	done
	return 1
}

logged() { # FILE TEXT DESC: TEXT appears in the daemon's log FILE within 5 s
	wait_for "$1" "$2" 5
	contains "$1" "$2" "$3"
}

wait_count() { # FILE TEXT N [SECONDS]: poll for N lines with TEXT
	_i=0; _n=$(( ${4:-10} * 10 ))
	while [ $_i -lt $_n ]; do
		[ "$(grep -cF -- "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
		poll_pause
	done
	return 1
}

# psk_scan_ikesignd PSKFILE DESC: no copy of the key in the memory of
# ikesignd's three processes (tests/cli/t_ike_memscan.py); skipped in the
# sanitizer build, whose reserved terabytes the scan passes over
psk_scan_ikesignd() {
	_pids="$IKESIGND_PID $(pgrep -P "$IKESIGND_PID" | tr '\n' ' ')"
	python3 "$top_srcdir/tests/cli/t_ike_memscan.py" "$1" $_pids \
	    >"$T/scan.out" 2>&1
	if awk '$3 > 0 { f = 1 } END { exit !f }' "$T/scan.out"; then
		_tap_n=$((_tap_n + 1))
		echo "ok $_tap_n - no copy of the PSK in ikesignd's memory # SKIP sanitizer build"
	else
		ok "[ \$(wc -l <$T/scan.out) -eq 3 ] && awk '\$2 != 0 { f = 1 } END { exit f }' $T/scan.out" \
		    "$2"
	fi
	sed 's/^/# ikesignd pid, copies, regions passed over: /' "$T/scan.out"
}

ctl() { "$IKESIGNCTL" -s "$T/ctl.sock" "$@"; }

# show_while_held ROLE ASKED CMD...: with ikesignd's token behind
# tests/faultmod (CRYPTOKEY_FAULT_SIGN_LOG=$T/signs and
# CRYPTOKEY_FAULT_HOLD=$T/hold in its environment), CMD in the
# background; once ikesignd logs ASKED (what it asked of the signer) and
# the token holds a search or read, ikesignctl show sa into $T/mid.txt (2 s
# at most); then the token answers and CMD must succeed.  ROLE starts the
# descriptions; ikesignd's log since CMD started is $T/run.log after.
since() { tail -n "+$_from" "$T/ikesignd.log" >"$T/run.log"; }
asked_since() { since; grep -qF "$_asked" "$T/run.log"; }
show_while_held() {
	_role=$1 _asked=$2
	shift 2
	: >"$T/signs"
	_from=$(( $(wc -l <"$T/ikesignd.log") + 1 ))
	touch "$T/hold"
	"$@" >"$T/bg.out" 2>&1 &
	_bg=$!
	eventually asked_since 10
	contains "$T/run.log" "$_asked" "$_role: ikesignd asks the signer"
	wait_for "$T/signs" held 5
	# a network process that is not waiting answers in milliseconds
	_rc=1
	: >"$T/mid.txt"
	grep -qF "$_asked" "$T/run.log" &&
	    timeout 2 "$IKESIGNCTL" -s "$T/ctl.sock" show sa >"$T/mid.txt" 2>&1 &&
	    _rc=0
	cp "$T/signs" "$T/signs.mid"
	rm -f "$T/hold"
	ok '[ $_rc -eq 0 ]' \
	    "$_role: ikesignctl show sa is answered while the token holds a read"
	ok '[ "$(grep -c "^held" "$T/signs.mid")" -gt "$(grep -c "^released" "$T/signs.mid")" ]' \
	    "$_role: the token still held it when ikesignctl was answered"
	contains "$T/mid.txt" "$IPB" "$_role: the negotiation waiting is listed"
	wait "$_bg"
	ok '[ $? -eq 0 ]' "$_role: the handshake completes once the token answers"
	sleep 0.2
	since
}
swan() {
	STRONGSWAN_CONF="$T/b/strongswan.conf" swanctl "$@" \
	    --uri "unix://$T/b/charon.vici"
}

# ike_veth NS-A NS-B IP-A IP-B [IP-U]: a veth pair joins the two namespaces
# (IP-A in NS-A; IP-B, and IP-U if given, in NS-B), both ends and lo up
ike_veth() {
	ip link add "va$$" netns "$1" type veth peer name "vb$$" netns "$2" &&
	ip -n "$1" addr add "$3/24" dev "va$$" &&
	ip -n "$2" addr add "$4/24" dev "vb$$" &&
	{ [ -z "${5:-}" ] || ip -n "$2" addr add "$5/24" dev "vb$$"; } &&
	ip -n "$1" link set lo up && ip -n "$2" link set lo up &&
	ip -n "$1" link set "va$$" up && ip -n "$2" link set "vb$$" up ||
	    { echo "Bail out! cannot set up veth"; exit 1; }
}

# ike_template: the keys every IKE test starts from, made once per build
# tree under a lock (as lib.sh's template token) and copied by ike_setup:
# in $_ikt, a token "test" holding ikesignd's pair ike-a, its public key
# a.pub, and strongSwan's key b and a wrong one w (pki).  Three RSA key
# generations a test, in each of about twenty tests and both build trees,
# cost more CPU than some of the tests themselves.
ike_template() {
	_ikt="$top_builddir/tests/template-ike"
	mkdir -p "$top_builddir/tests"
	(
		flock 9
		[ -f "$_ikt/ready" ] && exit 0
		template_init "$_ikt" &&
		template_ck "$_ikt" --quiet generate rsa --label ike-a \
		    >/dev/null 2>&1 &&
		template_ck "$_ikt" export rsa --label ike-a --public \
		    --out "$_ikt/a.pub" >/dev/null 2>&1 || exit 1
		for _k in b w; do	# strongSwan's key, and a wrong one
			pki --gen --type rsa --size 2048 --outform pem \
			    >"$_ikt/$_k.key" 2>/dev/null &&
			pki --pub --in "$_ikt/$_k.key" --outform pem \
			    >"$_ikt/$_k.pub" 2>/dev/null || exit 1
		done
		touch "$_ikt/ready"
	) 9>"$top_builddir/tests/template-ike.lock" ||
	    { echo "Bail out! cannot make the IKE keys"; exit 1; }
}

ike_setup() {
	ip netns add "$NA" 2>/dev/null ||
	    skip_all "cannot create network namespaces"
	exit_trap ike_cleanup
	# a missing peer is a failure, not a skip: install it
	for _f in "$CHARON" "$(command -v swanctl)" "$(command -v pki)"; do
		[ -x "$_f" ] || { echo "Bail out! strongSwan is not" \
		    "installed (Debian: strongswan-charon strongswan-swanctl" \
		    "strongswan-pki libstrongswan-standard-plugins)"; exit 1; }
	done
	ip netns add "$NB" || { echo "Bail out! netns $NB"; exit 1; }
	ike_veth "$NA" "$NB" "$IPA" "$IPB" "$IPU"

	ike_template
	cp -a "$_ikt/tokens" "$T/tokens" &&
	cp -p "$_ikt/a.pub" "$_ikt/b.key" "$_ikt/b.pub" "$_ikt/w.key" \
	    "$_ikt/w.pub" "$T/" ||
	    { echo "Bail out! cannot copy the IKE keys"; exit 1; }
	_write_conf test
	"$CKR" add-pubkey default --address "$IPB" --in "$T/b.pub" &&
	"$CKR" add-pubkey default --hostname b.test --in "$T/b.pub" &&
	"$CKR" create wrong >/dev/null &&
	"$CKR" add-pubkey wrong --hostname b.test --in "$T/w.pub" ||
	    { echo "Bail out! cannot fill the keyrings"; exit 1; }
	charon_conf
}

# ikesignd_conf [OWN-LINES] -- policy lines on stdin
ikesignd_conf() {
	{
		cat
		cat <<EOC
token test
module $SOFTHSM_MODULE
pin-source file:$T/pin
key ${IKE_KEY:-ike-a}
hostname a.test
listen $IPA
control $T/ctl.sock
EOC
		printf '%s\n' "${1:-peer $IPB ike-version 1 keyring default}"
	} >"$T/ikesignd.conf"
}

# ikesignd_v1_conf [AUTH] [OWN-LINES]: IKEv1 with strongSwan, policy 10
# (AES-128, SHA-256, group 14) with AUTH (rsa-sig by default); OWN-LINES
# as for ikesignd_conf
ikesignd_v1_conf() {
	ikesignd_conf "${2:-}" <<EOC
crypto isakmp policy 10
 encryption aes 128
 hash sha256
 authentication ${1:-rsa-sig}
 group 14
EOC
}

# ikesignd_v2_conf [PROPOSAL-LINES] [PROFILE-LINES] [OTHER-LINES]: IKEv2
# with strongSwan (b.test at $IPB): proposal p1 (by default AES-CBC-128,
# SHA-256, group 14) in policy pol, profile gw for b.test (PROFILE-LINES:
# its authentication lines and more; rsa-sig both ways by default)
ikesignd_v2_conf() {
	ikesignd_conf "peer $IPB ike-version 2 profile gw
${3:-}" <<EOC
crypto ikev2 proposal p1
${1:- encryption aes-cbc-128
 integrity sha256
 group 14}
crypto ikev2 policy pol
 proposal p1
crypto ikev2 profile gw
 match identity remote fqdn b.test
 match identity remote address $IPB
 identity local address $IPA
${2:- authentication local rsa-sig
 authentication remote rsa-sig}
EOC
}

ikesignd_start() {
	: >"$T/ikesignd.log"
	ip netns exec "$NA" env ${DAEMON_ASAN:+"ASAN_OPTIONS=$DAEMON_ASAN"} \
	    "$IKESIGND" -f "$T/ikesignd.conf" -d -v >>"$T/ikesignd.log" 2>&1 &
	IKESIGND_PID=$!
	IKE_PIDS="$IKE_PIDS $IKESIGND_PID"
	wait_for "$T/ikesignd.log" "ikesignd started" 20 && return 0
	echo "# ikesignd did not start; the end of its log:"
	tail -n 20 "$T/ikesignd.log" | sed 's/^/#   /'
	return 1
}

# charon_conf [A-PUB] [EXTRA]: strongSwan's side, a.pub trusted for ikesignd
charon_conf() {
	_d="$T/b"
	mkdir -p "$_d/run" "$_d/swanctl/private" "$_d/swanctl/pubkey"
	cp "$T/b.key" "$_d/swanctl/private/b.pem"
	cp "$T/b.pub" "$_d/swanctl/pubkey/b.pub"
	cp "${1:-$T/a.pub}" "$_d/swanctl/pubkey/a.pub"
	cat >"$_d/strongswan.conf" <<EOC
charon {
  load = random nonce openssl pem pkcs1 pkcs8 pubkey x509 sha1 sha2 md5 hmac kdf gmp aes vici socket-default kernel-netlink
  plugins {
    vici {
      socket = unix://$_d/charon.vici
    }
  }
  install_routes = no
  retransmit_tries = 2
  retransmit_timeout = 0.5
  retransmit_base = 1.4
  filelog {
    log {
      path = $_d/charon.log
      default = 1
      ike = 2
      flush_line = yes
      append = yes
    }
  }
  syslog {
    daemon {
      default = -1
    }
  }
}
swanctl {
  load = pem pkcs1 pkcs8 x509 pubkey random openssl
  socket = unix://$_d/charon.vici
}
EOC
	_props="aes128-sha256-modp2048, aes256-sha1-modp1024, 3des-md5-modp1024"
	_props="$_props, aes256-sha384-ecp256, aes192-sha512-ecp521"
	_props="$_props, aes128-sha1-modp3072, aes256-sha256-modp4096"
	cat >"$_d/swanctl/swanctl.conf" <<EOC
connections {
  v1 {
    version = 1
    local_addrs = $IPB
    remote_addrs = $IPA
    proposals = $_props
    dpd_delay = 2s
    local {
      auth = pubkey
      id = b.test
      pubkeys = b.pub
    }
    remote {
      auth = pubkey
      id = $IPA
      pubkeys = a.pub
    }
    children {
      c1 {
        local_ts = $IPB/32
        remote_ts = $IPA/32
        esp_proposals = aes128-sha256
      }
    }
  }
  v2 {
    version = 2
    mobike = no
    local_addrs = $IPB
    remote_addrs = $IPA
    proposals = aes128-sha256-modp2048
    local {
      auth = pubkey
      id = b.test
      pubkeys = b.pub
    }
    remote {
      auth = pubkey
      id = $IPA
      pubkeys = a.pub
    }
  }
  unknown {
    version = 1
    local_addrs = $IPU
    remote_addrs = $IPA
    proposals = $_props
    local {
      auth = pubkey
      id = $IPU
      pubkeys = b.pub
    }
    remote {
      auth = pubkey
      id = $IPA
      pubkeys = a.pub
    }
  }
  short {
    version = 1
    local_addrs = $IPB
    remote_addrs = $IPA
    proposals = aes128-sha256-modp2048
    rekey_time = 8s
    over_time = 4s
    rand_time = 0s
    local {
      auth = pubkey
      id = b.test
      pubkeys = b.pub
    }
    remote {
      auth = pubkey
      id = $IPA
      pubkeys = a.pub
    }
  }
  byname {
    version = 1
    local_addrs = $IPB
    remote_addrs = $IPA
    proposals = $_props
    local {
      auth = pubkey
      id = b.test
      pubkeys = b.pub
    }
    remote {
      auth = pubkey
      id = a.test
      pubkeys = a.pub
    }
  }
  expiring {
    version = 1
    local_addrs = $IPB
    remote_addrs = $IPA
    proposals = aes128-sha256-modp2048
    rekey_time = 0s
    reauth_time = 0s
    over_time = 12s
    local {
      auth = pubkey
      id = b.test
      pubkeys = b.pub
    }
    remote {
      auth = pubkey
      id = $IPA
      pubkeys = a.pub
    }
  }
  stranger {
    version = 1
    local_addrs = $IPB
    remote_addrs = $IPA
    proposals = $_props
    local {
      auth = pubkey
      id = c.test
      pubkeys = b.pub
    }
    remote {
      auth = pubkey
      id = $IPA
      pubkeys = a.pub
    }
  }
  iosdef {
    version = 1
    local_addrs = $IPB
    remote_addrs = $IPA
    proposals = aes128-sha1-modp1536
    local {
      auth = pubkey
      id = b.test
      pubkeys = b.pub
    }
    remote {
      auth = pubkey
      id = $IPA
      pubkeys = a.pub
    }
  }
  strange {
    version = 1
    local_addrs = $IPB
    remote_addrs = $IPA
    proposals = aes256-sha512-modp4096
    local {
      auth = pubkey
      id = c.test
      pubkeys = b.pub
    }
    remote {
      auth = pubkey
      id = $IPA
      pubkeys = a.pub
    }
  }
}
EOC
}

charon_start() {
	_d="$T/b"
	rm -f "$_d/charon.vici"
	ip netns exec "$NB" sh -c "mount --bind $_d/run /run && \
STRONGSWAN_CONF=$_d/strongswan.conf exec $CHARON" >"$_d/charon.out" 2>&1 &
	CHARON_PID=$!
	IKE_PIDS="$IKE_PIDS $!"
	_i=0
	while [ ! -S "$_d/charon.vici" ] && [ $_i -lt 250 ]; do
		sleep 0.02; _i=$((_i + 1))
	done
	[ -S "$_d/charon.vici" ] || {
		echo "# charon did not start; its output:"
		tail -n 20 "$_d/charon.out" | sed 's/^/#   /'
	}
	charon_load
}

charon_stop() { # [SIGNAL]
	if [ "${1:-TERM}" = TERM ]; then
		stop_pid "$CHARON_PID"
		return
	fi
	ours "$CHARON_PID" && kill -"$1" "$CHARON_PID" 2>/dev/null
	wait "$CHARON_PID" 2>/dev/null
}

charon_load() {
	STRONGSWAN_CONF="$T/b/strongswan.conf" swanctl --load-all --noprompt \
	    --file "$T/b/swanctl/swanctl.conf" \
	    --uri "unix://$T/b/charon.vici" >"$T/b/load.out" 2>&1
}
