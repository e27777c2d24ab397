#!/bin/sh
# t_ike_privsep.sh -- ikesignd's processes: the network process (the one
# that parses packets) runs as an unprivileged user with no capabilities,
# no new privileges and a seccomp filter, in the host's root unless a
# chroot is configured, and loads no PKCS#11 module; no process may dump
# core; the control socket admits root or the control-group by
# SO_PEERCRED even when its mode would let anyone in; the opt-in chroot
# is entered, made root-owned 0755 when missing, and refused when others
# can write to it; handshakes with strongSwan still work, chrooted or
# not; stopping the parent stops everything.  What the filter refuses is
# tests/unit/t_sandbox.c's.
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
ok '[ "$(readlink /proc/$net/root)" = / ] && [ ! -e "$T/empty" ]' \
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
ok '[ -n "$net" ] && [ "$(readlink /proc/$net/root)" = "$T/empty" ]' \
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
done_testing
