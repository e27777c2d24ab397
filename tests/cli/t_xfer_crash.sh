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
		signs_with "$_id" "$T/pub.pem" || return 1
	done
}

OLD=$(pubs tpl-gen)
N0=$(objects)

# --- import --replace of tpl-gen --------------------------------------------------
# A failed call before the new pair is complete leaves the token as it
# was; one while the old pair is removed leaves the new pair (and parts of
# the old one, which the rerun removes).  Whatever is listed signs.
check_import() {
	_now=$(pubs tpl-gen)
	if [ "$CRASH_MODE" = fail ] && [ "$CRASH_RC" -ne 0 ] &&
	    ! echo "$_now" | grep -q "$(echo "$NEW_PUB" | sed -n 2p)"; then
		[ "$_now" = "$OLD" ] && [ "$(objects)" -eq "$N0" ] || return 1
	fi
	[ -n "$_now" ] && { [ "$_now" = "$OLD" ] || signs_all tpl-gen; }
}
final_import() {
	_now=$(pubs tpl-gen)
	[ "$(echo "$_now" | grep -c BEGIN)" -eq 1 ] &&
	    [ "$(echo "$_now" | sed 1d)" = "$NEW_PUB" ] &&
	    [ "$(objects)" -eq "$N0" ]
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
