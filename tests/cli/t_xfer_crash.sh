#!/bin/sh
# t_xfer_crash.sh -- export and import under faults: stop each at every
# PKCS#11 call it makes, once by failing the call and once by killing the
# process right after the call took effect (tests/cli/crash.sh; export
# only the first way).
#   import: a failed call leaves the token as it was; after a kill the
#           name holds the old key or the new one (each listed pair signs),
#           and a rerun of "import --replace" completes; the same on a
#           token that cannot unwrap (the key goes by C_CreateObject).
#   export: a failed call changes nothing on the token and leaves no file
#           or temporary file behind.
. "$top_srcdir/tests/cli/lib.sh"
. "$top_srcdir/tests/cli/crash.sh"

crash_setup
setup_template
passphrase 'crash-pass-1'
save_pristine

openssl genrsa -traditional -out "$T/new.pem" 1024 2>/dev/null
openssl pkey -in "$T/new.pem" -pubout -out "$T/new.pub" 2>/dev/null
spki_of "$T/new.pub" || { echo "Bail out! no public key"; exit 1; }
NEW=$_spki

# signs_all: every pair the last probe listed signs (that of ids, which
# check_import has just made; crash.sh: probe)
signs_all() {
	_cnt=0
	while read -r _qt _qk _qid _qu _qst _qh _quse; do
		[ "$_qk" = pair ] || continue
		[ "$_quse" = signs ] || return 1
		_cnt=$((_cnt + 1))
	done <"$T/probe"
	[ "$_cnt" -gt 0 ]
}

OLD=$(ids tpl-gen)
N0=$(objects)

# --- import --replace of tpl-gen --------------------------------------------------
# A failed call before the new pair is complete leaves the token as it
# was; one while the old pair is removed leaves the new pair (and parts of
# the old one, which the rerun removes).  Whatever is listed signs.
check_import() {
	_now=$(ids tpl-gen)
	if [ "$CRASH_MODE" = fail ] && [ "$CRASH_RC" -ne 0 ]; then
		case "$_now" in
		*" $NEW"*) ;;
		*) [ "$_now" = "$OLD" ] && counted test "$N0" || return 1 ;;
		esac
	fi
	[ -n "$_now" ] && { [ "$_now" = "$OLD" ] || signs_all; }
}
final_import() {
	_now=$(ids tpl-gen)
	[ "${_now#* }" = "$NEW" ] && signs "${_now%% *}" && counted test "$N0"
}
IMPORT="import rsa --label tpl-gen --in $T/new.pem --replace"
# shellcheck disable=SC2086
sweep "import --replace" check_import final_import $IMPORT
# a token that cannot unwrap gets the key by C_CreateObject
export CRYPTOKEY_FAULT_NO_UNWRAP=1
# shellcheck disable=SC2086
sweep "import --replace (a token without key unwrap)" check_import \
    final_import $IMPORT
unset CRYPTOKEY_FAULT_NO_UNWRAP

# --- export --------------------------------------------------------------------------
# export creates session objects only: a kill changes no more than a
# failure does, so failures are enough here.  The file is checked, then
# removed, so that the next run may write it again.
exported() {
	openssl rsa -in "$T/x.pem" -passin "file:$T/pass" -check -noout \
	    >/dev/null 2>&1 && rm -f "$T/x.pem"
}
check_export() {
	[ "$(objects)" -eq "$N0" ] || return 1
	! ls "$T" | grep -q '^x\.pem\.' || return 1
	if [ "$CRASH_RC" -ne 0 ]; then [ ! -e "$T/x.pem" ]; else exported; fi
}
final_export() { [ "$(objects)" -eq "$N0" ] && exported; }
# every run starts without the file, also the one that counts the calls
restore() { rm -rf "$T/tokens" "$T/x.pem"; cp -a "$T/pristine" "$T/tokens"; }
CRASH_MODES=fail
# shellcheck disable=SC2086
sweep "export" check_export final_export $P export rsa --label tpl-exp \
    --cipher 3des --out "$T/x.pem"
unset CRASH_MODES

echo "# $CRASH_POINTS fault points covered"
done_testing
