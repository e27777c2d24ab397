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
#   crash_setup             skip unless the fault module and keyprobe
#                           are built; export the module's target
#   save_pristine           remember the token directory as it is now
#   restore                 put it back
#   probe LABEL TOKEN...    tests/cli/keyprobe's lines for the pairs named
#                           LABEL (empty: all) on the TOKENs, in $T/probe:
#                           the object count, and per pair "ID USAGE STATE
#                           SPKI USE"
#   objects [TOKEN]         the objects on the token (keyprobe's count)
#   ids LABEL [TOKEN]       "ID SPKI" per listed pair, sorted by ID
#   signs ID [TOKEN]        in the last probe of TOKEN every pair listed
#                           with that CKA_ID signs: the first private key
#                           with the ID signed, and the pair's listed
#                           public key verified the signature
#   signs_with ID PEM [TOKEN]
#                           the same, and that public key is the one in
#                           PEM; decrypts_with ID PEM for encryption pairs
#   snap [TOKEN]            "ID SPKI STATE" of the key ck, as listed
#   probe_ck TOKEN...       probe ck (of type SNAP_TYPE) on the TOKENs;
#                           snap_of TOKEN then puts its snap in _snap, and
#                           counted TOKEN N says whether it counted N
#                           objects there
#   is STATE...             ck is as OLD says, in one of the STATEs, and
#                           signs unless locked
#   check_move, final_move  the checks of a move of ck from test to other
#                           (below)
#   faulted N MODE CMD...   cryptokey CMD through the fault module
#                           (CRASH_TOOL names another tool, e.g. cryptokeyring);
#                           its exit status in CRASH_RC
#   calls CMD...            module calls CMD makes when nothing goes wrong
#   sweep NAME CHECK FINAL CMD...
#                           every call N: fault, CHECK, rerun CMD, FINAL
#                           (the rerun and FINAL once for the stops that
#                           left the token as it was, below);
#                           one TAP line; adds to CRASH_POINTS.  Every
#                           call fails once; the process is killed after
#                           the calls that matter (below).  CRASH_STRIDE=K
#                           fails every Kth call only, and kills after
#                           every (K/2)th of those calls (scripts/test.sh,
#                           for the slow sanitizer tree, where the -Werror
#                           tree has stopped at every point already);
#                           CRASH_OFFSET=O (0 to K-1) shifts which ones,
#                           so that runs with different offsets cover
#                           different calls; CRASH_MODES="fail" fails
#                           calls only.  CHECK sees the stop in CRASH_MODE
#                           and CRASH_RC
#
# The checks ask one process (keyprobe, built with the tests) for what
# "cryptokey show", pkcs11-tool and OpenSSL's pkcs11 engine each took a
# process of their own to tell: it lists the pairs through the library as
# "show" does, counts objects as pkcs11-tool does, and signs with the
# private key that has the pair's CKA_ID, as the engine takes it, then
# verifies with OpenSSL.  A sweep runs the checks thousands of times, and
# on some machines every process costs milliseconds of CPU.
#
# CHECK and FINAL are commands (shell functions) that succeed when the
# state is right.  CMD runs from a pristine token each time.  sh has no
# local variables: CHECK and FINAL must leave the sweep's own (_i, _j, _n,
# _ks, _total, _bad, _points, _kills, _same, _at, _nm, _ck, _fin, _smp)
# alone, and the helpers here keep to names of their own (_q*, _spki and
# the like).
#
# Which kills are needed: a kill leaves the token as its calls so far made
# it, and only a call in STATEFUL changes what a token holds; the tools
# write a file whole or not at all.  So a kill after any other call leaves
# what the kill after the closest stateful call before it (or the first
# call) leaves, and the rerun starts from the same state: the sweep kills
# after the first call, after every stateful call, and after the last.
# A failure, unlike a kill, takes a different path through the code at
# every call, so every call fails once.
#
# Which reruns are needed: a stop whose run made no STATEFUL call that
# reached the token (a failure before the first such call, and no undo
# after it; the kill after the first call) leaves the token's objects as
# they were before it, so its rerun starts where the rerun of the first
# such stop of the sweep started.  The sweep checks the state after every
# stop, but reruns (and checks the end) only after the first of these
# stops and after every stop that may have changed the token: two stops
# in five are before any change.

FAULTMOD="$top_builddir/tests/faultmod/.libs/faultmod.so"
CRASH_POINTS=0

crash_setup() {
	[ -f "$FAULTMOD" ] || skip_all "fault module not built"
	[ -x "$KEYPROBE" ] || skip_all "tests/cli/keyprobe not built"
	export CRYPTOKEY_FAULT_TARGET="$SOFTHSM_MODULE"
}

save_pristine() { rm -rf "$T/pristine"; cp -a "$T/tokens" "$T/pristine"; }
restore() { rm -rf "$T/tokens"; cp -a "$T/pristine" "$T/tokens"; }

KEYPROBE="$top_builddir/tests/cli/keyprobe"

# keyprobe is a test's helper: under the sanitizers its leaks are not
# looked for at every exit, which costs more than the probe itself
KEYPROBE_ASAN="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
keyprobe() { ASAN_OPTIONS=$KEYPROBE_ASAN "$KEYPROBE" "$@" 2>/dev/null; }

probe() {
	_lbl=$1; shift
	keyprobe "$SOFTHSM_MODULE" "$T/pin" ${_lbl:+-l "$_lbl"} "$@" >"$T/probe"
}

# count_of TOKEN FILE: in _qc, the object count keyprobe wrote for TOKEN
# into FILE; empty when it has none
count_of() {
	_qc=
	while read -r _qt _qk _qn _qrest; do
		[ "$_qt $_qk" = "$1 count" ] && _qc=$_qn
	done <"$2"
}

# objects [TOKEN]: replaces lib.sh's pkcs11-tool count in the sweeps; its
# own file, so that it leaves the last probe alone
objects() {
	keyprobe "$SOFTHSM_MODULE" "$T/pin" -c "${1:-test}" >"$T/count"
	count_of "${1:-test}" "$T/count"
	echo "${_qc:--1}"
}

ids() {
	probe "$1" "${2:-test}"
	while read -r _qt _qk _qid _qu _qst _qh _quse; do
		[ "$_qk" = pair ] && echo "$_qid $_qh"
	done <"$T/probe"
}

# spki_of PEM: keyprobe's SPKI of the public key in PEM in _spki, kept
# beside it (PEM.spki) while the file is unchanged
spki_of() {
	_spki=
	if [ ! -s "$1.spki" ] || [ "$1" -nt "$1.spki" ]; then
		keyprobe -p "$1" >"$1.spki" || return 1
	fi
	read -r _spki <"$1.spki"
	[ -n "$_spki" ]
}

# uses ID TOKEN USE [SPKI]: the last probe lists the pair ID on TOKEN (with
# that public key), and every pair it lists so did USE
uses() {
	_qn=0
	while read -r _qt _qk _qid _qu _qst _qh _quse; do
		[ "$_qt $_qk $_qid" = "$2 pair $1" ] || continue
		[ -z "${4:-}" ] || [ "$_qh" = "$4" ] || continue
		[ "$_quse" = "$3" ] || return 1
		_qn=$((_qn + 1))
	done <"$T/probe"
	[ "$_qn" -gt 0 ]
}

signs() { uses "$1" "${2:-test}" signs; }
signs_with() { spki_of "$2" && uses "$1" "${3:-test}" signs "$_spki"; }
decrypts_with() { spki_of "$2" && uses "$1" "${3:-test}" decrypts "$_spki"; }

# snap_of TOKEN: in _snap, "ID SPKI STATE" of the key ck on TOKEN as the
# last probe lists it, where ID and SPKI join those of every pair listed
# and STATE is plain, unlocked or locked; "none" when ck is not listed
snap_of() {
	_ids= _sp= _s=plain _l=
	while read -r _qt _qk _qid _qu _qst _qh _quse; do
		[ "$_qt $_qk" = "$1 pair" ] || continue
		_ids="$_ids${_ids:+,}$_qid"; _sp="$_sp$_qh"
		[ "$_qst" = locked ] && _l=1
		[ "$_qst" = unlocked ] && _s=unlocked
	done <"$T/probe"
	[ -z "$_l" ] || _s=locked
	_snap="$_ids $_sp $_s"
	[ -n "$_ids" ] || _snap=none
}

# probe_ck TOKEN...: probe ck on the TOKENs, of type SNAP_TYPE when set
probe_ck() { probe ck ${SNAP_TYPE:+-t "$SNAP_TYPE"} "$@"; }

# snap [TOKEN]: probe ck on TOKEN and print its snap_of
snap() { probe_ck "${1:-test}"; snap_of "${1:-test}"; echo "$_snap"; }

# counted TOKEN N: the last probe counted N objects on TOKEN
counted() { count_of "$1" "$T/probe"; [ -n "$_qc" ] && [ "$_qc" = "$2" ]; }

# The move sweeps (t_move_crash.sh, t_ec_crash.sh), from one probe of
# both tokens each: ck is usable on the source or the destination (the
# test's "on TOKEN" says what usable is), and never listed on the
# destination unless it is usable there (a partial copy stays out of the
# listing); at the end it is on the destination only, which holds BASE
# objects, and the source holds none.
listed() { snap_of "$1"; [ "$_snap" != none ]; }
check_move() {
	probe_ck test other
	{ on test || on other; } && { ! listed other || on other; }
}
final_move() {
	probe_ck test other
	on other && counted test 0 && counted other "$BASE"
}

# is STATE...: ck has the ID and public key OLD ("ID SPKI" from snap) says,
# is in one of the STATEs, and signs unless it is locked
is() {
	probe_ck test
	snap_of test
	_now=$_snap
	[ "${_now% *}" = "$OLD" ] || return 1
	for _want in "$@"; do
		[ "${_now##* }" = "$_want" ] || continue
		[ "$_want" = locked ] && return 0
		signs "$ID"
		return
	done
	return 1
}

faulted() {
	_n=$1; _mode=$2; shift 2
	: >"$T/ftrace"
	CRYPTOKEY_FAULT_AT=$_n CRYPTOKEY_FAULT_MODE=$_mode \
	    CRYPTOKEY_FAULT_TRACE="$T/ftrace" \
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

# untouched: the stopped run (faulted, with the stop at _at in CRASH_MODE)
# made no call in STATEFUL that reached the token: a failed call never
# does, a killed one did.  Its trace is complete: faultmod writes each
# line before the call.  Without a trace (the module never loaded) it
# counts as touched.
untouched() {
	awk -v st="$STATEFUL" -v at="$_at" -v mode="$CRASH_MODE" '
	    BEGIN { split(st, a); for (i in a) s[a[i]] = 1 }
	    ($2 in s) && !(mode == "fail" && $1 == at) { exit 1 }' \
	    "$T/ftrace" 2>/dev/null
}


# sweep_point N MODE NAME CHECK FINAL CMD...: one stop and its checks;
# adds to _bad
sweep_point() {
	_at=$1; CRASH_MODE=$2; _nm=$3; _ck=$4; _fin=$5; shift 5
	restore
	faulted "$_at" "$CRASH_MODE" "$@"
	: >"$T/probe"	# no check reads what was probed before the stop
	if ! $_ck; then
		_bad=$((_bad + 1))
		echo "# $_nm: bad state after $CRASH_MODE at call $_at"
	fi
	# a stop before any change to the token: the rerun would start from
	# the objects the first such rerun of this sweep started from
	if untouched; then
		_same=$((_same + 1))
		[ "$_same" -eq 1 ] || return 0
	fi
	"${CRASH_TOOL:-$CK}" "$@" </dev/null >/dev/null 2>&1
	: >"$T/probe"
	if ! $_fin; then
		_bad=$((_bad + 1))
		echo "# $_nm: rerun after $CRASH_MODE at call $_at did not complete"
	fi
}

sweep() {
	_name=$1; _check=$2; _final=$3; shift 3
	_total=$(calls "$@")
	_bad=0; _points=0; _kills=0; _same=0
	case " ${CRASH_MODES:-fail crash} " in
	*" fail "*)
		_i=$(( ${CRASH_OFFSET:-0} % ${CRASH_STRIDE:-1} + 1 ))
		while [ "$_i" -le "$_total" ]; do
			sweep_point "$_i" fail "$_name" "$_check" "$_final" "$@"
			_points=$((_points + 1))
			_i=$((_i + ${CRASH_STRIDE:-1}))
		done ;;
	esac
	case " ${CRASH_MODES:-fail crash} " in
	*" crash "*)
		_ks=$(( ${CRASH_STRIDE:-1} / 2 )); [ "$_ks" -ge 1 ] || _ks=1
		_j=$(( ${CRASH_OFFSET:-0} % _ks ))
		for _i in $(cat "$T/kills"); do
			_j=$((_j + 1))
			[ $((_j % _ks)) -eq 0 ] || continue
			sweep_point "$_i" crash "$_name" "$_check" "$_final" "$@"
			_points=$((_points + 1)); _kills=$((_kills + 1))
		done ;;
	esac
	CRASH_POINTS=$((CRASH_POINTS + _points))
	_smp=
	[ "${CRASH_STRIDE:-1}" -le 1 ] ||
	    _smp=", CRASH_STRIDE=$CRASH_STRIDE CRASH_OFFSET=${CRASH_OFFSET:-0}"
	ok "[ $_total -gt 5 ] && [ $_bad -eq 0 ]" \
	    "$_name: $_points fault points over $_total calls ($_kills of them kills, $_same before any change$_smp), no key lost, reruns complete"
}
