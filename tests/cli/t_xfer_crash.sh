#!/bin/sh
# t_xfer_crash.sh -- export and import under faults: stop each at every
# PKCS#11 call it makes, once by failing the call and once by killing the
# process right after the call took effect (tests/faultmod; export only
# the first way).
#   import: a failed call leaves the token as it was; after a kill the
#           name holds the old key or the new one (each listed pair signs),
#           and a rerun of "import --replace" completes; the same on a
#           token that cannot unwrap (the key goes by C_CreateObject).
#   export: a failed call changes nothing on the token and leaves no file
#           or temporary file behind.
. "$top_srcdir/tests/cli/lib.sh"

FAULTMOD="$top_builddir/tests/faultmod/.libs/faultmod.so"
[ -f "$FAULTMOD" ] || skip_all "fault module not built"
openssl engine pkcs11 -t >/dev/null 2>&1 || skip_all "no OpenSSL pkcs11 engine"
setup_template
printf '%s\n' 'crash-pass-1' > "$T/pass"
chmod 600 "$T/pass"
export CRYPTOKEY_FAULT_TARGET="$SOFTHSM_MODULE"
cp -a "$T/tokens" "$T/pristine"
restore() { rm -rf "$T/tokens"; cp -a "$T/pristine" "$T/tokens"; }

openssl genrsa -traditional -out "$T/new.pem" 1024 2>/dev/null
NEW_PUB=$(openssl pkey -in "$T/new.pem" -pubout 2>/dev/null)

# pubs LABEL: the public keys listed under LABEL, one PEM after the other
pubs() {
	"$CK" show --json --label "$1" 2>/dev/null | "$PYTHON" -c '
import json, sys
for k in json.load(sys.stdin):
    sys.stdout.write(k["id"] + "\n" + k["public_key"])
'
}

# signs_all LABEL: every listed pair of LABEL signs (engine) and verifies
signs_all() {
	"$CK" show --json --label "$1" 2>/dev/null > "$T/sj" || return 1
	for _id in $(jget "$T/sj" '" ".join(k["id"] for k in d)'); do
		jget "$T/sj" "[k['public_key'] for k in d if k['id'] == '$_id'][0]" \
		    > "$T/pub.pem"
		_uri="pkcs11:token=test;id=$(echo "$_id" | sed 's/../%&/g');type=private"
		echo hello > "$T/msg"
		PKCS11_MODULE_PATH="$SOFTHSM_MODULE" openssl pkeyutl -sign \
		    -engine pkcs11 -keyform engine -inkey "$_uri?pin-value=$PIN" \
		    -in "$T/msg" -out "$T/sig" >/dev/null 2>&1 &&
		openssl pkeyutl -verify -pubin -inkey "$T/pub.pem" \
		    -in "$T/msg" -sigfile "$T/sig" >/dev/null 2>&1 || return 1
	done
}

faulted() {
	_n=$1; _mode=$2; shift 2
	CRYPTOKEY_FAULT_AT=$_n CRYPTOKEY_FAULT_MODE=$_mode \
	    "$CK" --module "$FAULTMOD" "$@" </dev/null >"$out" 2>"$err"
}

calls() {
	restore
	rm -f "$T/count"
	CRYPTOKEY_FAULT_AT=0 CRYPTOKEY_FAULT_COUNT="$T/count" \
	    "$CK" --module "$FAULTMOD" "$@" </dev/null >/dev/null 2>&1
	cat "$T/count" 2>/dev/null || echo 0
}

OLD=$(pubs tpl-gen)
N0=$(objects)

# --- import --replace of tpl-gen --------------------------------------------------
IMPORT="import rsa --label tpl-gen --in $T/new.pem --replace"

# import_sweep NAME: the sweep, one TAP line named NAME
import_sweep() {
	total=$(calls $IMPORT)
	bad=0; points=0; i=1
	while [ "$i" -le "$total" ]; do
		for mode in fail crash; do
			restore
			# shellcheck disable=SC2086
			faulted "$i" "$mode" $IMPORT
			rc=$?
			points=$((points + 1))
			now=$(pubs tpl-gen)
			# A failure before the new pair is complete leaves the
			# token as it was; one while the old pair is removed
			# leaves the new pair (and parts of the old one, which
			# the rerun removes).
			if [ "$mode" = fail ] && [ "$rc" -ne 0 ] &&
			    ! echo "$now" | grep -q "$(echo "$NEW_PUB" | sed -n 2p)" &&
			    { [ "$now" != "$OLD" ] || [ "$(objects)" -ne "$N0" ]; }; then
				echo "# $1: failed call $i (exit $rc) changed the token"
				bad=$((bad + 1))
			fi
			if [ -z "$now" ] ||
			    { [ "$now" != "$OLD" ] && ! signs_all tpl-gen; }; then
				echo "# $1: $mode at call $i left tpl-gen unusable"
				bad=$((bad + 1))
			fi
			# shellcheck disable=SC2086
			"$CK" --passphrase-source "file:$T/pass" $IMPORT \
			    </dev/null >/dev/null 2>&1
			now=$(pubs tpl-gen)
			if [ "$(echo "$now" | grep -c BEGIN)" -ne 1 ] ||
			    [ "$(echo "$now" | sed 1d)" != "$NEW_PUB" ] ||
			    [ "$(objects)" -ne "$N0" ]; then
				echo "# $1: rerun after $mode at call $i did not complete"
				bad=$((bad + 1))
			fi
		done
		i=$((i + ${CRASH_STRIDE:-1}))
	done
	ok "[ $total -gt 5 ] && [ $bad -eq 0 ]" \
	    "$1: $points fault points over $total calls, no key lost, reruns complete"
}
import_sweep "import --replace"
# a token that cannot unwrap gets the key by C_CreateObject
export CRYPTOKEY_FAULT_NO_UNWRAP=1
import_sweep "import --replace (a token without key unwrap)"
unset CRYPTOKEY_FAULT_NO_UNWRAP

# --- export --------------------------------------------------------------------------
EXPORT="--passphrase-source file:$T/pass export rsa --label tpl-exp --cipher 3des --out $T/x.pem"
restore
rm -f "$T/x.pem"
total=$(calls $EXPORT)
rm -f "$T/x.pem"
bad=0; points=0; i=1
while [ "$i" -le "$total" ]; do
	# export creates session objects only: a kill changes no more than a
	# failure does, so failures are enough here
	for mode in fail; do
		restore
		rm -f "$T/x.pem"
		# shellcheck disable=SC2086
		faulted "$i" "$mode" $EXPORT
		rc=$?
		points=$((points + 1))
		if [ "$(objects)" -ne "$N0" ]; then
			echo "# export: $mode at call $i changed the token"
			bad=$((bad + 1))
		fi
		if [ "$rc" -ne 0 ] && [ -e "$T/x.pem" ]; then
			echo "# export: $mode at call $i (exit $rc) left a file"
			bad=$((bad + 1))
		fi
		if [ "$rc" -eq 0 ] && ! openssl rsa -in "$T/x.pem" \
		    -passin "file:$T/pass" -check -noout >/dev/null 2>&1; then
			echo "# export: $mode at call $i: exit 0 but no usable file"
			bad=$((bad + 1))
		fi
		if ls "$T" | grep -q '^x\.pem\.'; then
			echo "# export: $mode at call $i left a temporary file"
			bad=$((bad + 1))
		fi
	done
	i=$((i + ${CRASH_STRIDE:-1}))
done
ok "[ $total -gt 5 ] && [ $bad -eq 0 ]" \
    "export: $points fault points over $total calls, token unchanged, no partial file"

done_testing
