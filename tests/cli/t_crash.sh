#!/bin/sh
# Crash safety: stop an operation at every PKCS#11 call it makes -- once by
# failing the call, once by killing the process right after the call took
# effect -- and check after each stop that no key was lost, then that a
# rerun completes the operation.  Uses tests/faultmod, a module that
# forwards to SoftHSM2 and injects the fault, through tests/cli/crash.sh.
. "$top_srcdir/tests/cli/lib.sh"

. "$top_srcdir/tests/cli/crash.sh"
crash_setup
setup_template
save_pristine

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
