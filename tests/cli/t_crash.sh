#!/bin/sh
# Crash safety: stop an operation at every PKCS#11 call it makes -- once by
# failing the call, once by killing the process right after the call took
# effect -- and check after each stop that no key was lost, then that a
# rerun completes the operation.  Uses tests/faultmod, a module that
# forwards to SoftHSM2 and injects the fault.
. "$top_srcdir/tests/cli/lib.sh"

FAULTMOD="$top_builddir/tests/faultmod/.libs/faultmod.so"
[ -f "$FAULTMOD" ] || skip_all "fault module not built"
setup_template
cp -a "$T/tokens" "$T/pristine"
export CRYPTOKEY_FAULT_TARGET="$SOFTHSM_MODULE"

restore() { rm -rf "$T/tokens"; cp -a "$T/pristine" "$T/tokens"; }

# ids LABEL: "id spki-sha256" per listed pair, sorted
ids() {
	"$CK" show --json --label "$1" 2>/dev/null | python3 -c '
import hashlib, json, sys
for k in json.load(sys.stdin):
    print(k["id"], hashlib.sha256(k["public_key"].encode()).hexdigest()[:16])
' | sort
}

# signs ID: the private key with that CKA_ID signs through OpenSSL's engine
# and the signature verifies with the public key cryptokey lists
signs() {
	_uri="pkcs11:token=test;id=$(echo "$1" | sed 's/../%&/g');type=private"
	echo hello > "$T/msg"
	"$CK" show --json 2>/dev/null | python3 -c '
import json, sys
for k in json.load(sys.stdin):
    if k["id"] == sys.argv[1]: sys.stdout.write(k["public_key"])
' "$1" > "$T/pub.pem"
	PKCS11_MODULE_PATH="$SOFTHSM_MODULE" openssl pkeyutl -sign \
	    -engine pkcs11 -keyform engine -inkey "$_uri?pin-value=$PIN" \
	    -in "$T/msg" -out "$T/sig" >/dev/null 2>&1 &&
	openssl pkeyutl -verify -pubin -inkey "$T/pub.pem" -in "$T/msg" \
	    -sigfile "$T/sig" >/dev/null 2>&1
}

# faulted N MODE CMD...: run CMD through the fault module
faulted() {
	_n=$1; _mode=$2; shift 2
	CRYPTOKEY_FAULT_AT=$_n CRYPTOKEY_FAULT_MODE=$_mode \
	    "$CK" --module "$FAULTMOD" "$@" </dev/null >/dev/null 2>&1
}

# calls CMD...: how many module calls CMD makes when nothing goes wrong
calls() {
	restore
	rm -f "$T/count"
	CRYPTOKEY_FAULT_AT=0 CRYPTOKEY_FAULT_COUNT="$T/count" \
	    "$CK" --module "$FAULTMOD" "$@" </dev/null >/dev/null 2>&1
	cat "$T/count" 2>/dev/null || echo 0
}

# sweep NAME CHECK FINAL CMD...: for every call N and both modes, fault,
# run CHECK (state is old or new), rerun CMD, run FINAL (state is new)
sweep() {
	_name=$1; _check=$2; _final=$3; shift 3
	_total=$(calls "$@")
	_bad=0; _points=0
	_i=1
	while [ "$_i" -le "$_total" ]; do
		for _mode in fail crash; do
			restore
			faulted "$_i" "$_mode" "$@"
			_points=$((_points + 1))
			if ! $_check; then
				_bad=$((_bad + 1))
				echo "# $_name: bad state after $_mode at call $_i"
			fi
			"$CK" "$@" </dev/null >/dev/null 2>&1
			if ! $_final; then
				_bad=$((_bad + 1))
				echo "# $_name: rerun after $_mode at call $_i did not complete"
			fi
		done
		_i=$((_i + 1))
	done
	ok "[ $_total -gt 5 ] && [ $_bad -eq 0 ]" \
	    "$_name: $_points fault points over $_total calls, no key lost, reruns complete"
}

# generate --replace: old pair, new pair, or both; each listed pair signs
OLD_GEN=$(ids tpl-gen)
OLD_ID=${OLD_GEN%% *}
check_replace() {
	_now=$(ids tpl-gen)
	[ -n "$_now" ] || return 1
	echo "$_now" | while read -r _id _pk; do
		if [ "$_id" = "$OLD_ID" ]; then
			[ "$_id $_pk" = "$OLD_GEN" ] || exit 1
		fi
		signs "$_id" || exit 1
	done
}
final_replace() {
	_now=$(ids tpl-gen)
	[ "$(echo "$_now" | wc -l)" -eq 1 ] && [ "$_now" != "$OLD_GEN" ] &&
	    signs "${_now%% *}"
}
sweep "generate --replace" check_replace final_replace \
    generate rsa --label tpl-gen --replace --modulus 1024

# zeroize --label: the pair is listed unchanged and signs, or it is not
# listed at all; a rerun removes everything of the name
check_zeroize() {
	_now=$(ids tpl-gen)
	[ -z "$_now" ] && return 0
	[ "$_now" = "$OLD_GEN" ] && signs "$OLD_ID"
}
final_zeroize() {
	[ -z "$(ids tpl-gen)" ] &&
	    ! pkcs11-tool --module "$SOFTHSM_MODULE" --token-label test \
	    --login --pin "$PIN" --list-objects 2>/dev/null |
	    grep -q "label: *'*tpl-gen'*$"
}
sweep "zeroize --label" check_zeroize final_zeroize \
    zeroize rsa --label tpl-gen --yes

done_testing
