# tests/cli/crash.sh -- the fault sweep shared by the crash-safety tests;
# sourced after lib.sh, never run.
#
# An operation is stopped at every PKCS#11 call it makes -- once by failing
# the call, once by killing the process right after the call took effect --
# through tests/faultmod (a module that forwards to SoftHSM2 and injects
# the fault).  After each stop a check says whether the token holds the old
# state or the new one, then the operation is run again and a final check
# says whether it completed.
#
#   crash_setup             skip unless the fault module is built and
#                           OpenSSL's pkcs11 engine (signs) works; export
#                           the module's target
#   save_pristine           remember the token directory as it is now
#   restore                 put it back
#   ids LABEL [TOKEN]       "id spki-sha256" per listed pair, sorted
#   signs ID [TOKEN]        the private key with that CKA_ID signs through
#                           OpenSSL's pkcs11 engine and the signature
#                           verifies with the public key cryptokey lists
#   signs_with ID PEM [TOKEN]
#                           the same with a public key file (no listing)
#   snap [TOKEN]            "ID KEYDATA STATE" of the key ck, as listed
#   is STATE...             ck is as OLD says, in one of the STATEs, and
#                           signs unless locked
#   faulted N MODE CMD...   cryptokey CMD through the fault module
#                           (CRASH_TOOL names another tool, e.g. cryptokeyring);
#                           its exit status in CRASH_RC
#   calls CMD...            module calls CMD makes when nothing goes wrong
#   sweep NAME CHECK FINAL CMD...
#                           every call N: fault, CHECK, rerun CMD, FINAL;
#                           one TAP line; adds to CRASH_POINTS.  Every
#                           call fails once; the process is killed after
#                           the calls that matter (below).  CRASH_STRIDE=K
#                           fails every Kth call only (scripts/test.sh, for
#                           the slow sanitizer tree); CRASH_MODES="fail"
#                           fails calls only.  CHECK sees the stop in
#                           CRASH_MODE and CRASH_RC
#
# CHECK and FINAL are commands (shell functions) that succeed when the
# state is right.  CMD runs from a pristine token each time.  sh has no
# local variables: CHECK and FINAL must leave the sweep's own (_i, _n,
# _total, _bad, _points, _kills, _at, _nm, _ck, _fin) alone.
#
# Which kills are needed: a kill leaves the token as its calls so far made
# it, and only a call in STATEFUL changes what a token holds; the tools
# write a file whole or not at all.  So a kill after any other call leaves
# what the kill after the closest stateful call before it (or the first
# call) leaves, and the rerun starts from the same state: the sweep kills
# after the first call, after every stateful call, and after the last.
# A failure, unlike a kill, takes a different path through the code at
# every call, so every call fails once.

FAULTMOD="$top_builddir/tests/faultmod/.libs/faultmod.so"
CRASH_POINTS=0

# A sweep runs cryptokey thousands of times, and libtool's wrapper script
# costs a shell each time: run the program it wraps directly.
if [ -x "$top_builddir/tools/cryptokey/.libs/cryptokey" ] &&
    [ -d "$top_builddir/libkeystore/.libs" ]; then
	CK="$top_builddir/tools/cryptokey/.libs/cryptokey"
	LD_LIBRARY_PATH="$top_builddir/libkeystore/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
	export LD_LIBRARY_PATH
fi

crash_setup() {
	[ -f "$FAULTMOD" ] || skip_all "fault module not built"
	openssl engine pkcs11 -t >/dev/null 2>&1 ||
	    skip_all "no OpenSSL pkcs11 engine"
	export CRYPTOKEY_FAULT_TARGET="$SOFTHSM_MODULE"
}

save_pristine() { rm -rf "$T/pristine"; cp -a "$T/tokens" "$T/pristine"; }
restore() { rm -rf "$T/tokens"; cp -a "$T/pristine" "$T/tokens"; }

ids() {
	"$CK" ${2:+--token "$2"} show --json --label "$1" 2>/dev/null |
	    "$PYTHON" -c '
import hashlib, json, sys
for k in json.load(sys.stdin):
    print(k["id"], hashlib.sha256(k["public_key"].encode()).hexdigest()[:16])
' | sort
}

# key_uri ID [TOKEN]: the RFC 7512 URI of the private key with that CKA_ID
# (hex) in _uri, made in this shell: a sweep asks for it thousands of times
key_uri() {
	_uri= _hex=$1
	while [ -n "$_hex" ]; do
		_uri="$_uri%${_hex%"${_hex#??}"}"
		_hex=${_hex#??}
	done
	_uri="pkcs11:token=${2:-test};id=$_uri;type=private"
}

signs() {
	_tok=${2:-test}
	key_uri "$1" "$_tok"
	echo hello > "$T/msg"
	"$CK" --token "$_tok" show --json 2>/dev/null | "$PYTHON" -c '
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

signs_with() {
	key_uri "$1" "${3:-test}"
	echo hello > "$T/msg"
	PKCS11_MODULE_PATH="$SOFTHSM_MODULE" openssl pkeyutl -sign \
	    -engine pkcs11 -keyform engine -inkey "$_uri?pin-value=$PIN" \
	    -in "$T/msg" -out "$T/sig" >/dev/null 2>&1 &&
	openssl pkeyutl -verify -pubin -inkey "$2" -in "$T/msg" \
	    -sigfile "$T/sig" >/dev/null 2>&1
}

# snap [TOKEN]: "ID KEYDATA STATE" of the key ck as "cryptokey show
# $SNAP_TYPE --label ck" prints it on TOKEN (SNAP_TYPE: a key type, or
# empty for any), where KEYDATA is its Key Data lines run together and
# STATE is plain, unlocked or locked; "none" when ck is not listed.  One
# awk rather than a pipeline: a sweep calls it thousands of times.
snap() {
	"$CK" ${1:+--token "$1"} show ${SNAP_TYPE:-} --label ck >"$T/snap" \
	    2>/dev/null || { echo none; return; }
	awk '/protected and UNLOCKED/ { u = 1 }
	    /protected and LOCKED/ { l = 1 }
	    /^ Key ID: / { id = id (id == "" ? "" : ",") substr($0, 10) }
	    /Key Data:/ { data = 1; next }
	    data { gsub(/[ \t]/, ""); kd = kd $0 }
	    END { print id, kd, (l ? "locked" : u ? "unlocked" : "plain") }' \
	    "$T/snap"
}

# is STATE...: ck has the ID and public key OLD ("ID KEYDATA" from snap)
# says, is in one of the STATEs, and signs with the public key in
# $T/old.pem (CKA_ID $ID) unless it is locked
is() {
	_now=$(snap)
	[ "${_now% *}" = "$OLD" ] || return 1
	for _want in "$@"; do
		[ "${_now##* }" = "$_want" ] || continue
		[ "$_want" = locked ] && return 0
		signs_with "$ID" "$T/old.pem"
		return
	done
	return 1
}

faulted() {
	_n=$1; _mode=$2; shift 2
	CRYPTOKEY_FAULT_AT=$_n CRYPTOKEY_FAULT_MODE=$_mode \
	    "${CRASH_TOOL:-$CK}" --module "$FAULTMOD" "$@" </dev/null >/dev/null 2>&1
	CRASH_RC=$?
}

STATEFUL="C_CreateObject C_CopyObject C_DestroyObject C_SetAttributeValue
C_GenerateKey C_GenerateKeyPair C_UnwrapKey C_DeriveKey C_InitToken
C_InitPIN C_SetPIN"

# calls CMD...: the number of calls; $T/kills gets the calls to kill after
calls() {
	restore
	rm -f "$T/count" "$T/trace"
	CRYPTOKEY_FAULT_AT=0 CRYPTOKEY_FAULT_COUNT="$T/count" \
	    CRYPTOKEY_FAULT_TRACE="$T/trace" \
	    "${CRASH_TOOL:-$CK}" --module "$FAULTMOD" "$@" </dev/null >/dev/null 2>&1
	_n=$(cat "$T/count" 2>/dev/null || echo 0)
	awk -v n="$_n" -v st="$STATEFUL" '
	    BEGIN { split(st, a); for (i in a) s[a[i]] = 1 }
	    $1 == 1 || $1 == n || ($2 in s) { print $1 }' \
	    "$T/trace" 2>/dev/null >"$T/kills"
	echo "$_n"
}


# sweep_point N MODE NAME CHECK FINAL CMD...: one stop and its checks;
# adds to _bad
sweep_point() {
	_at=$1; CRASH_MODE=$2; _nm=$3; _ck=$4; _fin=$5; shift 5
	restore
	faulted "$_at" "$CRASH_MODE" "$@"
	if ! $_ck; then
		_bad=$((_bad + 1))
		echo "# $_nm: bad state after $CRASH_MODE at call $_at"
	fi
	"${CRASH_TOOL:-$CK}" "$@" </dev/null >/dev/null 2>&1
	if ! $_fin; then
		_bad=$((_bad + 1))
		echo "# $_nm: rerun after $CRASH_MODE at call $_at did not complete"
	fi
}

sweep() {
	_name=$1; _check=$2; _final=$3; shift 3
	_total=$(calls "$@")
	_bad=0; _points=0; _kills=0
	case " ${CRASH_MODES:-fail crash} " in
	*" fail "*)
		_i=1
		while [ "$_i" -le "$_total" ]; do
			sweep_point "$_i" fail "$_name" "$_check" "$_final" "$@"
			_points=$((_points + 1))
			_i=$((_i + ${CRASH_STRIDE:-1}))
		done ;;
	esac
	case " ${CRASH_MODES:-fail crash} " in
	*" crash "*)
		for _i in $(cat "$T/kills"); do
			sweep_point "$_i" crash "$_name" "$_check" "$_final" "$@"
			_points=$((_points + 1)); _kills=$((_kills + 1))
		done ;;
	esac
	CRASH_POINTS=$((CRASH_POINTS + _points))
	ok "[ $_total -gt 5 ] && [ $_bad -eq 0 ]" \
	    "$_name: $_points fault points over $_total calls ($_kills of them kills), no key lost, reruns complete"
}
