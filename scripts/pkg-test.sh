#!/bin/sh
# The tarball and the Debian packages, as TAP (scripts/test.sh counts the
# lines).  BUILDDIR is a configured build tree.
#
#   1. make distcheck, with make check over DISTCHECK_TESTS (the unit tests
#      that need no token, and the man-page lint; see Makefile.am): the
#      tarball builds, installs and uninstalls in a VPATH tree
#   2. dpkg-buildpackage -us -uc -b from that tarball with debian/ added
#      (test suite skipped: nocheck), beside 1., then lintian: no errors
#   3. as root: the packages installed into this system with apt-get;
#      hardening-check on every ELF file they installed;
#      systemd-analyze security --offline=yes on the installed
#      ikesignd.service, at most EXPOSURE_MAX; cryptokey init, generate,
#      show, ikesignd -n, and ikesignd run the way ExecStart runs it (in a
#      network namespace of its own on UDP port 500, with the unit's
#      capability bounding set and no new privileges) answering
#      ikesignctl, reloading on SIGHUP and on ikesignctl reload, and
#      stopping on SIGTERM, its system calls within the unit's filter;
#      ikesignd.service started, reloaded and stopped by systemd in a
#      container booted from this machine's /usr (systemd-nspawn);
#      then the packages purged again, and the user ikesignd removed when
#      the package made it
#
#	scripts/pkg-test.sh BUILDDIR
#
# Everything goes to temporary directories (CRYPTOKEY_DIR, SOFTHSM2_CONF,
# XDG_RUNTIME_DIR) and BUILDDIR/pkg; logs in $LOGS (default BUILDDIR/pkg).
set -u
[ $# -eq 1 ] || { echo "usage: $0 BUILDDIR" >&2; exit 2; }
cd "$(dirname "$0")/.."
TOP=$(pwd)
B=$(cd "$1" && pwd) || exit 2
: "${JOBS:=2}"
# systemd-analyze's exposure of ikesignd.service: 2.0, the weighted mean
# of its items rounded up (the per-item figures it prints are rounded up
# each, and add up to more).  What is left is what the daemon is for: it
# starts as root (0.4), uses the network (0.5 + 0.3, and 0.1 for an IP
# allow list of all IPv4) and changes user (0.3 for CAP_SETUID, 0.2 for
# setresuid in @privileged, 0.2 for no PrivateUsers=).  The network
# process no longer chroots by default: no chroot in @mount, no
# CAP_SYS_CHROOT.
: "${EXPOSURE_MAX:=2.0}"
PKGDIR="$B/pkg"
: "${LOGS:=$PKGDIR}"
PKGS="cryptokey ikesignd libkeystore0 libkeystore-dev"
export DEBIAN_FRONTEND=noninteractive

n=0 nfail=0
pass() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); nfail=$((nfail + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# the end of a log, as TAP comments
show() { tail -n "${2:-15}" "$1" | sed 's/^/# /'; }
# distcheck_done: wait for make distcheck (started in the background) and
# give its line; every way out goes through it
dc=
distcheck_done() {
	[ -n "$dc" ] || return 0
	wait "$dc"
	dc=
	if [ "$(cat "$PKGDIR/distcheck.rc" 2>/dev/null)" = 0 ]; then
		pass "make distcheck ($(echo "$tests" | wc -w) tests in the tarball's tree, $(( $(cat "$PKGDIR/distcheck.end") - t_dist )) s)"
	else
		show "$LOGS/distcheck.log" 30
		fail "make distcheck"
	fi
}
finish() { distcheck_done; echo "1..$n"; [ "$nfail" -eq 0 ]; exit $?; }
now() { date +%s; }

rm -rf "$PKGDIR"
mkdir -p "$PKGDIR" "$LOGS"

# 1. and 2. the tarball, then make distcheck of it and the packages from
# it side by side: each has stretches on one core (configure, the
# tarball's install and uninstall, debhelper) that the other fills.  The
# packages' checks (2. and 3.) go on beside the rest of distcheck, whose
# line comes last (finish).
t0=$(now)
t_dist=$t0
if ! make -C "$B" dist >"$LOGS/dist.log" 2>&1; then
	show "$LOGS/dist.log" 30
	fail "make dist"
	finish
fi
tarball=$(ls -t "$B"/cryptokey-*.tar.gz | head -n 1)
tar -xzf "$tarball" -C "$PKGDIR"
src=$(ls -d "$PKGDIR"/cryptokey-*/ | head -n 1)
cp -R "$TOP/debian" "$src"
tests=$(make -s -C "$B" print-distcheck-tests)
(
	make -C "$B" -j"$JOBS" distcheck TESTS="$tests" \
	    DISTCHECK_CONFIGURE_FLAGS=--enable-werror >"$LOGS/distcheck.log" 2>&1
	echo $? >"$PKGDIR/distcheck.rc"
	now >"$PKGDIR/distcheck.end"
) &
dc=$!
if (cd "$src" && DEB_BUILD_OPTIONS="nocheck noddebs parallel=$JOBS" \
    dpkg-buildpackage -us -uc -b) >"$LOGS/dpkg-buildpackage.log" 2>&1; then
	pass "dpkg-buildpackage -us -uc -b ($(( $(now) - t0 )) s)"
	built=yes
else
	show "$LOGS/dpkg-buildpackage.log" 30
	fail "dpkg-buildpackage -us -uc -b"
	built=no
fi
[ "$built" = yes ] || finish
for p in $PKGS; do
	if ls "$PKGDIR/${p}_"*.deb >/dev/null 2>&1; then
		pass "package $p built"
	else
		fail "package $p built"
	fi
done
if command -v lintian >/dev/null 2>&1; then
	lintian --pedantic --info "$PKGDIR"/cryptokey_*.changes \
	    >"$LOGS/lintian.log" 2>&1
	errs=$(grep -c '^E: ' "$LOGS/lintian.log")
	warns=$(grep -c '^W: ' "$LOGS/lintian.log")
	grep -E '^(E|W): ' "$LOGS/lintian.log" | sed 's/^/# /'
	if [ "$errs" -eq 0 ]; then
		pass "lintian: no errors ($warns warnings)"
	else
		fail "lintian: $errs errors"
	fi
else
	skip "lintian" "lintian is not installed"
fi

# 3. installed into this system
if [ "$(id -u)" -ne 0 ]; then
	skip "install the packages" "not root"
	finish
fi
# the user the package makes is removed again at the end when it was not
# there before: tests of the build trees expect the machine as it was
had_user=no
getent passwd ikesignd >/dev/null && had_user=yes
# an earlier run's packages of the same version would not be replaced
installed=$(dpkg-query -W -f='${Package} ${Status}\n' $PKGS 2>/dev/null |
    awk '/ installed$/ { print $1 }')
[ -z "$installed" ] || apt-get purge -y -q -o DPkg::Lock::Timeout=300 \
    $installed >"$LOGS/apt-purge-before.log" 2>&1
t0=$(now)
if apt-get install -y -q -o DPkg::Lock::Timeout=300 \
    $(for p in $PKGS; do ls "$PKGDIR/${p}_"*.deb; done) \
    >"$LOGS/apt-install.log" 2>&1; then
	pass "apt-get install ./*.deb ($(( $(now) - t0 )) s)"
else
	show "$LOGS/apt-install.log"
	fail "apt-get install ./*.deb"
	finish
fi

# hardening-check on every ELF file the packages installed, and on the
# programs and library of BUILDDIR (configure's flags alone, without
# dpkg-buildflags).  Control-flow protection (IBT, SHSTK) is required
# only when the C runtime's start files carry it: on Debian 12 they do
# not, so no program linked there has it (not /usr/bin/ls either), though
# -fcf-protection is on.
is_elf() { [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]; }
hcheck() {	# FILE...
	for f; do
		if hardening-check $hc_opts "$f" >"$LOGS/hardening.log" 2>&1; then
			pass "hardening-check $f"
		else
			show "$LOGS/hardening.log"
			fail "hardening-check $f"
		fi
	done
}
if command -v hardening-check >/dev/null 2>&1; then
	hc_opts=
	readelf -n "$(${CC:-cc} -print-file-name=crt1.o)" 2>/dev/null |
	    grep -q 'x86 feature: IBT' || hc_opts=--nocfprotection
	files=
	for f in $(dpkg -L $PKGS | sort -u); do
		[ -f "$f" ] && [ ! -L "$f" ] && is_elf "$f" && files="$files $f"
	done
	hcheck $files
	files=
	for f in "$B"/tools/*/.libs/* "$B"/tools/*/* \
	    "$B"/libkeystore/.libs/libkeystore.so.*; do
		[ -f "$f" ] && [ -x "$f" ] && [ ! -L "$f" ] && is_elf "$f" ||
		    continue
		case $f in *.so*|*/.libs/*) ;; *)
			# a libtool wrapper's program is under .libs
			[ -f "${f%/*}/.libs/${f##*/}" ] && continue ;;
		esac
		files="$files $f"
	done
	hcheck $files
else
	skip "hardening-check" "devscripts is not installed"
fi

UNIT=/lib/systemd/system/ikesignd.service
[ -f "$UNIT" ] || UNIT=/usr/lib/systemd/system/ikesignd.service
if ! command -v systemd-analyze >/dev/null 2>&1 ||
    ! systemd-analyze security --help 2>/dev/null | grep -q -- --offline; then
	skip "systemd-analyze security" "no systemd-analyze with --offline"
else
	systemd-analyze security --offline=yes "$UNIT" >"$LOGS/security.log" 2>&1
	grep -E '^✗' "$LOGS/security.log" | sed 's/^/# /'
	score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' \
	    "$LOGS/security.log")
	if [ -n "$score" ] && awk -v s="$score" -v m="$EXPOSURE_MAX" \
	    'BEGIN { exit !(s <= m) }'; then
		pass "systemd-analyze security: ikesignd.service exposure $score (at most $EXPOSURE_MAX)"
	else
		show "$LOGS/security.log" 3
		fail "systemd-analyze security: exposure ${score:-unknown}, over $EXPOSURE_MAX"
	fi
fi
if [ -f "$UNIT" ] && grep -q '^ExecReload=/bin/kill -HUP \$MAINPID' "$UNIT" &&
    grep -q '^ExecStart=/usr/sbin/ikesignd -d -f /etc/ikesignd.conf' "$UNIT"; then
	pass "ikesignd.service runs ikesignd -d and reloads with SIGHUP"
else
	fail "ikesignd.service runs ikesignd -d and reloads with SIGHUP"
fi
if getent passwd ikesignd >/dev/null; then
	pass "the package made the user ikesignd"
else
	fail "the package made the user ikesignd"
fi

# the installed tools on a token of their own
W=$(mktemp -d "${TMPDIR:-/tmp}/ckpkg.XXXXXX")
trap 'rm -rf "$W"' EXIT
mkdir -m 700 "$W/run" "$W/token"
CRYPTOKEY_DIR="$W/token"
SOFTHSM2_CONF="$W/token/softhsm2.conf"
XDG_RUNTIME_DIR="$W/run"
CRYPTOKEY_CONF="$W/none.conf"
export CRYPTOKEY_DIR SOFTHSM2_CONF XDG_RUNTIME_DIR CRYPTOKEY_CONF
run() {	# DESC CMD...: pass when CMD exits 0
	_d=$1; shift
	if "$@" </dev/null >"$W/out" 2>"$W/err"; then
		pass "$_d"
	else
		fail "$_d (exit $?)"
		sed 's/^/# /' "$W/err" | head -n 5
	fi
}
run "/usr/bin/cryptokey init" /usr/bin/cryptokey init
run "/usr/bin/cryptokey generate rsa" /usr/bin/cryptokey generate rsa \
    --label pkg-test --quiet
run "/usr/bin/cryptokey show" /usr/bin/cryptokey show --label pkg-test
if grep -q 'Key name: pkg-test' "$W/out"; then
	pass "cryptokey show lists the key"
else
	fail "cryptokey show lists the key"
fi

cat >"$W/ikesignd.conf" <<EOF
token cryptokey
module ${SOFTHSM_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
pin-source file:$W/token/user.pin
key pkg-test
listen 127.0.0.1 port 500
control $W/run/ikesignd/ikesignd.sock
EOF
chmod 600 "$W/ikesignd.conf"
run "/usr/sbin/ikesignd -n -f CONF" /usr/sbin/ikesignd -n -f "$W/ikesignd.conf"

# ikesignd the way ExecStart runs it, fenced as far as this machine allows
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT" | tr 'A-Z ' 'a-z,' |
    sed 's/cap_/+/g')
fence=
how="as root"
if command -v setpriv >/dev/null 2>&1 && [ -n "$caps" ] &&
    setpriv --bounding-set "-all,$caps" --no-new-privs true 2>/dev/null; then
	fence="setpriv --bounding-set -all,$caps --inh-caps -all --no-new-privs"
	how="capabilities $(echo "$caps" | tr -d +), no new privileges"
fi
if unshare --net true 2>/dev/null; then
	netns="unshare --net"
	how="$how, own network namespace"
else
	netns=
	sed -i "s/ port 500$/ port $(( 20000 + $$ % 20000 ))/" "$W/ikesignd.conf"
fi
# strace, when there, records every system call of the three processes,
# to hold against the unit's SystemCallFilter= (systemd is not PID 1 here)
tracer=
if command -v strace >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1
then
	tracer="strace -f -qq -o $W/trace"
fi
uid=$(id -u ikesignd 2>/dev/null)
sock="$W/run/ikesignd/ikesignd.sock"
cat >"$W/daemon.sh" <<EOF
[ -z "$netns" ] || ip link set lo up
$tracer $fence /usr/sbin/ikesignd -d -f "$W/ikesignd.conf" 2>"$W/daemon.log" &
bg=\$!
i=0
until [ -S "$sock" ] || [ \$i -ge 100 ]; do sleep 0.1; i=\$((i + 1)); done
/usr/bin/ikesignctl -s "$sock" show sa >"$W/show.out" 2>&1; echo "show \$?"
pid=\$(sed -n 's/^processes: parent \([0-9]*\),.*/\1/p' "$W/show.out")
net=\$(sed -n 's/^processes: .* network \([0-9]*\) .*/\1/p' "$W/show.out")
echo "net \$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/\$net/status)"
kill -HUP \$pid; sleep 1
/usr/bin/ikesignctl -s "$sock" reload >"$W/reload.out" 2>&1; echo "reload \$?"
sleep 0.5
kill -TERM \$pid; wait \$bg; echo "exit \$?"
EOF
$netns sh "$W/daemon.sh" >"$W/daemon.out" 2>&1
d="ikesignd -d -f CONF ($how)"
if grep -q '^show 0' "$W/daemon.out" &&
    grep -q 'processes: parent' "$W/show.out"; then
	pass "$d answers ikesignctl show sa"
else
	sed 's/^/# /' "$W/daemon.out" "$W/daemon.log" "$W/show.out" | tail -n 8
	fail "$d answers ikesignctl show sa"
fi
if [ -n "$uid" ] && grep -q "listening on UDP port .* as uid $uid\$" \
    "$W/daemon.log"; then
	pass "its network process runs as the user ikesignd (uid $uid)"
else
	fail "its network process runs as the user ikesignd (uid ${uid:-none})"
fi
if [ -z "$fence" ]; then
	skip "the network process's capability bounding set is empty" \
	    "no setpriv"
elif grep -q '^net 0000000000000000$' "$W/daemon.out"; then
	pass "the network process's capability bounding set is empty"
else
	fail "the network process's capability bounding set is empty ($(grep '^net' "$W/daemon.out"))"
fi
if [ "$(grep -c 'configuration reloaded' "$W/daemon.log")" -eq 2 ] &&
    grep -q '^reload 0' "$W/daemon.out"; then
	pass "it reloads on SIGHUP (ExecReload) and on ikesignctl reload"
else
	fail "it reloads on SIGHUP (ExecReload) and on ikesignctl reload"
fi
if grep -q '^exit 0' "$W/daemon.out" && [ ! -e "$sock" ]; then
	pass "it stops on SIGTERM: exit 0, control socket removed"
else
	sed 's/^/# /' "$W/daemon.out" | tail -n 3
	fail "it stops on SIGTERM: exit 0, control socket removed"
fi
# every system call it made is one the unit's SystemCallFilter= lets
# through: its lines applied in order (an allow list, then ~ removes and
# plain adds) over the groups this systemd knows
cat >"$W/filter.py" <<'PY'
import re, sys
groups, cur = {}, None
for line in open(sys.argv[2]):
    if line.startswith('@'):
        cur = line.split()[0]
        groups[cur] = []
    elif cur and line.strip() and not line.strip().startswith('#'):
        groups[cur].append(line.strip())
def expand(names):
    out = set()
    for n in names:
        out |= expand(groups.get(n, [])) if n.startswith('@') else {n}
    return out
allowed = None
for line in open(sys.argv[1]):
    m = re.match(r'SystemCallFilter=(~?)(.*)', line.strip())
    if not m:
        continue
    names = expand(m.group(2).split())
    if allowed is None:
        if m.group(1):
            sys.exit('the first SystemCallFilter= is not an allow list')
        allowed = names
    elif m.group(1):
        allowed -= names
    else:
        allowed |= names
used = set()
for line in open(sys.argv[3]):
    m = re.match(r'\d+\s+([a-z0-9_]+)\(', line)
    if m:
        used.add(m.group(1))
# setpriv's own calls before it runs ikesignd: execve, capset, capget
bad = sorted(used - (allowed or set()) - {'execve', 'capset', 'capget'})
print('%d system calls, outside the filter: %s' %
      (len(used), ' '.join(bad) or 'none'))
sys.exit(1 if bad else 0)
PY
if [ -z "$tracer" ]; then
	skip "its system calls pass the unit's SystemCallFilter=" "no strace"
elif systemd-analyze syscall-filter >"$W/groups" 2>/dev/null &&
    python3 "$W/filter.py" "$UNIT" "$W/groups" "$W/trace" >"$W/calls.out" 2>&1
then
	pass "its system calls pass the unit's SystemCallFilter= ($(cat "$W/calls.out"))"
else
	sed 's/^/# /' "$W/calls.out"
	fail "its system calls pass the unit's SystemCallFilter="
fi

# ikesignd.service under systemd itself: a container booted from this
# machine's /usr, where the packages' files now are (systemd-nspawn
# --volatile=yes: an empty root on tmpfs, its own network), whose
# systemd-sysusers makes the user ikesignd from the package's file; it
# boots to basic.target, and network-online.target does not wait for
# links the container does not have.  In it: an embedded token, a key,
# /etc/ikesignd.conf and the drop-in ikesignd(8) gives for the embedded
# token; then systemctl start, ikesignctl, systemctl reload, ikesignctl
# reload, systemd-analyze security on the loaded unit, systemctl stop.
# Skipped where systemd-nspawn is not installed or cannot boot here.
leader=
if command -v systemd-nspawn >/dev/null 2>&1 && [ -x /usr/lib/systemd/systemd ]
then
	timeout 300 systemd-nspawn --quiet --register=no --keep-unit \
	    --volatile=yes -D / --private-network -M "ckpkg$$" \
	    -b systemd.firstboot=off systemd.unit=basic.target \
	    systemd.mask=systemd-networkd-wait-online.service \
	    >"$LOGS/nspawn.log" 2>&1 &
	nsp=$!
	# its init: the process named systemd below timeout and nspawn
	below() { for _c in $(pgrep -P "$1"); do echo "$_c"; below "$_c"; done; }
	i=0
	while [ -z "$leader" ] && [ $i -lt 100 ] && kill -0 "$nsp" 2>/dev/null
	do
		sleep 0.2; i=$((i + 1))
		for c in $(below "$nsp"); do
			[ "$(cat /proc/"$c"/comm 2>/dev/null)" = systemd ] &&
			    leader=$c && break
		done
	done
	# in the container, with none of this script's environment
	IN() {
		nsenter -t "$leader" -a env -i \
		    PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
	}
	st=
	i=0
	while [ -n "$leader" ] && [ $i -lt 120 ]; do
		st=$(IN systemctl is-system-running 2>/dev/null)
		case $st in running|degraded) break ;; esac
		sleep 0.5; i=$((i + 1))
	done
	case $st in running|degraded) ;; *) leader= ;; esac
fi
if [ -z "$leader" ]; then
	skip "ikesignd.service under systemd (a container)" \
	    "systemd-nspawn is missing or did not boot ($(tail -n 1 "$LOGS/nspawn.log" 2>/dev/null))"
	[ -z "${nsp:-}" ] || { kill "$nsp" 2>/dev/null; wait "$nsp" 2>/dev/null; }
else
	IN sh -c 'cryptokey init && cryptokey generate rsa --label gw --quiet &&
	    umask 077 && printf "%s\n" "token cryptokey" \
	    "module '"${SOFTHSM_MODULE:-/usr/lib/softhsm/libsofthsm2.so}"'" \
	    "pin-source file:/var/lib/cryptokey/user.pin" "key gw" \
	    >/etc/ikesignd.conf &&
	    mkdir -p /etc/systemd/system/ikesignd.service.d &&
	    printf "[Service]\nEnvironment=SOFTHSM2_CONF=%s\n" \
	    /var/lib/cryptokey/softhsm2.conf \
	    >/etc/systemd/system/ikesignd.service.d/token.conf &&
	    systemctl daemon-reload' >"$LOGS/nspawn-setup.log" 2>&1
	IN systemctl start ikesignd >"$LOGS/nspawn-start.log" 2>&1
	sleep 1
	if [ "$(IN systemctl is-active ikesignd)" = active ] &&
	    IN ikesignctl show sa >"$W/nshow.out" 2>&1 &&
	    grep -q "network [0-9]* (uid $(IN id -u ikesignd))" "$W/nshow.out"
	then
		pass "systemctl start ikesignd: active, ikesignctl answers on the default socket, network process as the user ikesignd"
	else
		show "$LOGS/nspawn-setup.log" 5
		IN journalctl -u ikesignd --no-pager 2>&1 | tail -n 10 | sed 's/^/# /'
		fail "systemctl start ikesignd"
	fi
	IN systemctl reload ikesignd >/dev/null 2>&1
	sleep 1
	IN ikesignctl reload >/dev/null 2>&1
	sleep 1
	if [ "$(IN journalctl -u ikesignd --no-pager 2>/dev/null |
	    grep -c 'configuration reloaded from')" -eq 2 ]; then
		pass "systemctl reload and ikesignctl reload reload it"
	else
		fail "systemctl reload and ikesignctl reload reload it"
	fi
	online=$(IN systemd-analyze security ikesignd --no-pager 2>/dev/null |
	    sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	if [ -n "$online" ] && awk -v s="$online" -v m="$EXPOSURE_MAX" \
	    'BEGIN { exit !(s <= m) }'; then
		pass "systemd-analyze security on the running unit: $online"
	else
		fail "systemd-analyze security on the running unit: ${online:-unknown}"
	fi
	IN systemctl stop ikesignd >/dev/null 2>&1
	if [ "$(IN systemctl is-active ikesignd)" = inactive ] &&
	    IN journalctl -u ikesignd --no-pager 2>/dev/null |
	    grep -q 'Deactivated successfully'; then
		pass "systemctl stop ikesignd: stopped cleanly"
	else
		IN journalctl -u ikesignd --no-pager 2>&1 | tail -n 5 | sed 's/^/# /'
		fail "systemctl stop ikesignd: stopped cleanly"
	fi
	IN systemctl poweroff >/dev/null 2>&1
	i=0
	while kill -0 "$nsp" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.2; i=$((i + 1))
	done
	kill "$nsp" 2>/dev/null
	wait "$nsp" 2>/dev/null
fi

t0=$(now)
if apt-get purge -y -q -o DPkg::Lock::Timeout=300 $PKGS \
    >"$LOGS/apt-purge.log" 2>&1; then
	pass "apt-get purge ($(( $(now) - t0 )) s)"
else
	show "$LOGS/apt-purge.log"
	fail "apt-get purge"
fi
if [ "$had_user" = no ] && getent passwd ikesignd >/dev/null; then
	deluser --system ikesignd >/dev/null 2>&1
	! getent group ikesignd >/dev/null ||
	    delgroup --system ikesignd >/dev/null 2>&1
fi
if [ "$had_user" = yes ] || ! getent passwd ikesignd >/dev/null; then
	pass "the machine is left as it was (user ikesignd: $had_user before, as after)"
else
	fail "the user ikesignd could not be removed"
fi
finish
