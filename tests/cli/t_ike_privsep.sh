#!/bin/sh
# t_ike_privsep.sh -- ikesignd's processes: the network process (the one
# that parses packets) runs as an unprivileged user with no capabilities,
# no new privileges and a seccomp filter, in the host's root unless a
# chroot is configured, and loads no PKCS#11 module; no process may dump
# core; the control socket admits root or the control-group by
# SO_PEERCRED even when its mode would let anyone in; the opt-in chroot
# is entered, made root-owned 0755 when missing, and refused when others
# can write to it; handshakes with strongSwan still work, chrooted or
# not; stopping the parent stops everything; without -d the network
# process holds no syslog socket, its lines going to syslog through the
# parent.  What the filter refuses is tests/unit/t_sandbox.c's.
. "$top_srcdir/tests/cli/t_ike_env.sh"

ike_setup
command -v setpriv >/dev/null || skip_all "setpriv is not installed"
getent group daemon >/dev/null || skip_all "no group 'daemon'"
# nobody must reach the socket for the SO_PEERCRED check to matter
chmod 711 "$T"
ikesignd_v1_conf
cp "$T/ikesignd.conf" "$T/base.conf"
echo "control-group daemon" >>"$T/ikesignd.conf"
ikesignd_start
ok '[ $? -eq 0 ]' "ikesignd starts"
charon_start

# root_of PID: the device and inode of PID's root directory, compared as
# a file and not as the path readlink gives: the daemon runs in a mount
# namespace of its own (ip netns exec), and where the tests themselves run
# in a chroot, readlink names that root by its path outside the chroot.
root_of() { stat -L -c %d:%i "/proc/$1/root"; }

# the pids, from show
ctl show sa >"$T/sa.txt"
net=$(sed -n 's/^processes: .*network \([0-9]*\).*/\1/p' "$T/sa.txt")
signer=$(sed -n 's/^processes: .*signer \([0-9]*\).*/\1/p' "$T/sa.txt")
parent=$(sed -n 's/^processes: parent \([0-9]*\).*/\1/p' "$T/sa.txt")
ok '[ "$parent" = "$IKESIGND_PID" ] && [ -n "$net" ] && [ -n "$signer" ]' \
    "show names the parent ($parent), network ($net) and signer ($signer)"
st=/proc/$net/status
ok '[ "$(awk "/^Uid:/ {print \$2}" "$st")" -ne 0 ] &&
    [ "$(awk "/^Uid:/ {print \$3}" "$st")" -ne 0 ] &&
    [ "$(awk "/^Uid:/ {print \$4}" "$st")" -ne 0 ]' \
    "the network process runs as a non-zero uid (real, effective, saved)"
# the ikesignd package makes the user (scripts/pkg-test.sh installs it)
if getent passwd ikesignd >/dev/null; then
	ok '[ "$(awk "/^Uid:/ {print \$2}" "$st")" -eq "$(id -u ikesignd)" ]' \
	    "the user ikesignd exists: the network process runs as it"
else
	logged "$T/ikesignd.log" "user ikesignd does not exist; the network process runs as nobody" \
	    "the fallback to nobody is logged"
fi
ok 'grep -q "^CapEff:	0000000000000000" "$st" &&
    grep -q "^CapPrm:	0000000000000000" "$st"' \
    "it has no capabilities (CapEff and CapPrm 0)"
ok 'grep -q "^NoNewPrivs:	1" "$st"' "NoNewPrivs: 1"
ok 'grep -q "^Seccomp:	2" "$st"' "Seccomp: 2 (a filter)"
ok '[ "$(awk "/^Groups:/ {print NF}" "$st")" -le 2 ]' \
    "at most its own group as a supplementary group"
ok '[ "$(root_of "$net")" = "$(stat -c %d:%i /)" ] && [ ! -e "$T/empty" ]' \
    "no chroot by default: its root is /, and no directory was made"
ok '! grep -q libsofthsm2 /proc/$net/maps && grep -q libsofthsm2 /proc/$signer/maps' \
    "only the signer has the PKCS#11 module"
# no core dumps: RLIMIT_CORE 0 everywhere; not dumpable makes the network
# process's /proc files root's
for p in "$parent" "$signer" "$net"; do
	ok 'grep -q "^Max core file size *0 *0 " /proc/$p/limits' \
	    "no core file for pid $p (RLIMIT_CORE 0)"
done
ok '[ "$(stat -c %u /proc/$net/status)" -eq 0 ]' \
    "the network process is not dumpable (its /proc entries are root's)"
ok '[ "$(stat -c %G:%a "$T/ctl.sock")" = "daemon:660" ]' \
    "the control socket is root:daemon 0660"

expect_rc 0 "strongSwan negotiates with the sandboxed daemon" \
    swan --initiate --ike v1 --timeout 10
expect_rc 0 "ikesignctl initiate" ctl initiate "$IPB"

# SO_PEERCRED, not the file mode
chmod 0666 "$T/ctl.sock"
expect_rc 5 "nobody is refused although the socket is 0666" \
    setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$IKESIGNCTL" -s "$T/ctl.sock" show sa
contains "$err" "ikesignctl: permission denied: uid 65534 is neither root nor in the control-group daemon" \
    "with a one-line reason"
ok '[ "$(wc -l <"$err")" -eq 1 ]' "one line"
logged "$T/ikesignd.log" "control: connection refused: uid 65534" \
    "the refusal is logged"
expect_rc 0 "root is admitted" ctl show sa

# SIGHUP to the parent reloads
kill -HUP "$IKESIGND_PID"
logged "$T/ikesignd.log" "configuration reloaded from" "SIGHUP reloads"

stop_pid "$IKESIGND_PID"
IKE_PIDS=$(echo "$IKE_PIDS" | sed "s/ $IKESIGND_PID//")
ok '! kill -0 "$net" 2>/dev/null && ! kill -0 "$signer" 2>/dev/null' \
    "stopping the parent stops the network process and the signer"
ok '[ ! -e "$T/ctl.sock" ]' "and removes the control socket"
logged "$T/ikesignd.log" "shutting down: deleting 1 IKE SAs" \
    "the network process deleted its SAs on the way out"

# members of the control-group are admitted
cp "$T/base.conf" "$T/ikesignd.conf"
echo "control-group nogroup" >>"$T/ikesignd.conf"
ikesignd_start
ok '[ $? -eq 0 ]' "ikesignd starts with control-group nogroup"
expect_rc 0 "nobody (group nogroup) is admitted" \
    setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$IKESIGNCTL" -s "$T/ctl.sock" show sa
# a network process that dies takes the daemon down
net=$(ctl show sa | sed -n 's/^processes: .*network \([0-9]*\).*/\1/p')
kill -KILL "$net"
wait_for "$T/ikesignd.log" "the network process (pid $net) killed by signal 9; stopping" 5
logged "$T/ikesignd.log" "the network process (pid $net) killed by signal 9; stopping" \
    "the parent notices a dead network process"
i=0; while kill -0 "$IKESIGND_PID" 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1)); done
ok '! kill -0 "$IKESIGND_PID" 2>/dev/null' "and stops"
IKE_PIDS=$(echo "$IKE_PIDS" | sed "s/ $IKESIGND_PID//")

# the opt-in chroot: made root-owned 0755 and entered, the rest as before
cp "$T/base.conf" "$T/ikesignd.conf"
echo "chroot $T/empty" >>"$T/ikesignd.conf"
ikesignd_start
ok '[ $? -eq 0 ]' "ikesignd starts with a chroot set"
net=$(ctl show sa | sed -n 's/^processes: .*network \([0-9]*\).*/\1/p')
st=/proc/$net/status
ok '[ -n "$net" ] && [ "$(root_of "$net")" = "$(stat -c %d:%i "$T/empty")" ]' \
    "the network process's root is the chroot directory"
ok '[ -d "$T/empty" ] && [ -z "$(ls -A "$T/empty")" ] &&
    [ "$(stat -c %u:%a "$T/empty")" = "0:755" ]' \
    "which ikesignd made, root-owned 0755 and empty"
ok 'grep -q "^Seccomp:	2" "$st" && grep -q "^NoNewPrivs:	1" "$st" &&
    grep -q "^CapEff:	0000000000000000" "$st" &&
    [ "$(awk "/^Uid:/ {print \$2}" "$st")" -ne 0 ]' \
    "and it is as fenced as without: seccomp, no new privileges, no capabilities, not root"
expect_rc 0 "ikesignctl initiate from the chrooted network process" \
    ctl initiate "$IPB"
kill -HUP "$IKESIGND_PID"
logged "$T/ikesignd.log" "configuration reloaded from" "SIGHUP reloads it"
ikesignd_stop

# a chroot others may write to is refused
chmod 0777 "$T/empty"
: >"$T/ikesignd.log"
expect_rc 1 "ikesignd refuses a world-writable chroot" \
    timeout 10 ip netns exec "$NA" "$IKESIGND" -d -f "$T/ikesignd.conf"
contains "$err" "chroot $T/empty must be owned by root and writable by nobody else" \
    "the error says how to fix it"
ok '[ ! -e "$T/ctl.sock" ]' "no control socket is left"
# without -d: syslog, and the network process's lines through the parent.
# A /dev of the test's own, in a mount namespace of the daemon's, has a
# /dev/log that a datagram socket of the test answers.
cp "$T/base.conf" "$T/ikesignd.conf"
mkdir -p "$T/dev"
for n in null zero random urandom; do : >"$T/dev/$n"; done
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(4096) + b"\n")
' "$T/dev/log" "$T/syslog.txt" &
IKE_PIDS="$IKE_PIDS $!"
i=0; while [ ! -S "$T/dev/log" ] && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1)); done
expect_rc 0 "ikesignd starts in the background (without -d)" \
    ip netns exec "$NA" unshare -m sh -c "
	for n in null zero random urandom; do
		mount --bind /dev/\$n '$T/dev/'\$n || exit 1
	done
	mount --bind '$T/dev' /dev && exec '$IKESIGND' -v -f '$T/ikesignd.conf'"
ctl show sa >"$T/sa.txt"
net=$(sed -n 's/^processes: .*network \([0-9]*\).*/\1/p' "$T/sa.txt")
parent=$(sed -n 's/^processes: parent \([0-9]*\).*/\1/p' "$T/sa.txt")
ok '[ -n "$net" ] && [ -n "$parent" ]' "show names its processes"
# the Unix datagram sockets (type 0002) among a process's descriptors
dgram() {
	for f in /proc/$1/fd/*; do
		readlink "$f"
	done | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p' | while read -r i; do
		awk -v i="$i" '$5 == "0002" && $7 == i' "/proc/$1/net/unix"
	done | wc -l
}
ok '[ "$(dgram "$parent")" -ge 1 ]' \
    "the parent holds the syslog socket"
ok '[ "$(dgram "$net")" -eq 0 ]' \
    "the network process holds no Unix datagram socket"
expect_rc 0 "strongSwan negotiates with the daemon in the background" \
    swan --initiate --ike v1 --timeout 10
wait_for "$T/syslog.txt" "IKE SA conn-id" 5
ok 'grep -q "^<30>.* ikesignd\[$parent\]: ikesignd started: key .*network process pid $net " "$T/syslog.txt"' \
    "the network process's first line reaches syslog through the parent, as information"
ok 'grep -q "^<30>.* ikesignd\[$parent\]: .*: IKE SA conn-id [0-9]* established" "$T/syslog.txt"' \
    "so does the handshake's"
ok 'grep -q "^<31>.* ikesignd\[$parent\]: " "$T/syslog.txt"' \
    "and its debugging lines (-v), as debugging"
ok '! grep -q "ikesignd\[$net\]" "$T/syslog.txt"' \
    "no line comes from the network process itself"
kill -TERM "$parent"
i=0; while kill -0 "$parent" 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1)); done
ok '! kill -0 "$parent" 2>/dev/null' "SIGTERM stops it"
# not the test's child: stopped here by its command line if it is still up
pkill -TERM -f "$IKESIGND -v -f $T/ikesignd.conf" 2>/dev/null
wait_for "$T/syslog.txt" "shutting down: deleting 1 IKE SAs" 5
ok 'grep -q "ikesignd\[$parent\]: shutting down: deleting 1 IKE SAs" "$T/syslog.txt"' \
    "the network process's last line is passed on too"
done_testing
