#!/bin/sh
# t_modules_move.sh -- cryptokey move between tokens of different modules
# (--to-module): SoftHSM2 -> tpm2-pkcs11 is refused before anything is
# made on either token (the TPM neither unwraps nor creates a private key
# from outside), TPM -> SoftHSM2 is refused as not exportable, SoftHSM2 ->
# NSS's softoken is refused (no data objects for the record), and NSS ->
# SoftHSM2 finds no key (none can be made there).  After each refusal both
# tokens hold what they held, and the key is where it was.  A module that
# cannot run here is skipped.  About 10 s.
. "$top_srcdir/tests/cli/lib.sh"
. "$top_srcdir/tests/cli/modules.sh"

[ -x "$P11COUNT" ] || skip_all "no $P11COUNT"
SRC="--module $SOFTHSM_MODULE --token src"

# refused RC FRAGMENT DESC CMD...: CMD exits RC saying FRAGMENT, and both
# tokens (the module's, and the SoftHSM2 token src) keep their objects
refused() {
	_rc=$1 _frag=$2 _desc=$3
	shift 3
	_m=$(mobjects)
	_s=$(objects src)
	expect_rc "$_rc" "$_desc" "$@"
	contains "$err" "$_frag" "$_desc: says '$_frag'"
	sed 's/^/# /' "$err" | head -n 3
	ok "[ \"\$(mobjects)\" = '$_m' ] && [ \"\$(objects src)\" = '$_s' ]" \
	    "$_desc: both tokens keep their objects ($_m, $_s)"
}

# SoftHSM2 <-> TPM
if module_check tpm; then
	module_setup tpm || { echo "Bail out! cannot set up the TPM token"; exit 1; }
	softhsm_token "$T/m-tpm/src" src
	for k in "rsa --modulus 2048" "ec"; do
		type=${k%% *}
		expect_rc 0 "an exportable $type key on the SoftHSM2 token" \
		    "$CK" $SRC generate $k --label "mv-$type" --exportable --quiet
		refused 8 "takes none from outside" \
		    "move $type SoftHSM2 -> TPM is refused" \
		    "$CK" $SRC move "$type" --label "mv-$type" --to "$MOD_TOKEN" \
		    --to-module "$TPM_MODULE"
		contains "$err" "generate the key on the token instead" \
		    "move $type SoftHSM2 -> TPM: says what to do instead"
		expect_rc 0 "the $type key is still on the SoftHSM2 token" \
		    "$CK" $SRC show "$type" --label "mv-$type"
	done
	expect_rc 0 "a key generated on the TPM" \
	    "$CK" generate rsa --label tk --modulus 2048 --quiet
	refused 5 "is not exportable" "move TPM -> SoftHSM2 is refused" \
	    "$CK" move rsa --label tk --to src --to-module "$SOFTHSM_MODULE"
	expect_rc 0 "the key is still on the TPM" "$CK" show rsa --label tk
	refused 5 "is not exportable" \
	    "move TPM -> SoftHSM2 --non-exportable is refused too" \
	    "$CK" move rsa --label tk --to src --to-module "$SOFTHSM_MODULE" \
	    --non-exportable
	module_teardown tpm
else
	pass "SoftHSM2 <-> TPM # SKIP $why"
fi

# SoftHSM2 <-> NSS
if module_check nss; then
	module_setup nss || { echo "Bail out! cannot set up the NSS token"; exit 1; }
	softhsm_token "$T/m-nss/src" src
	expect_rc 0 "an exportable key on the SoftHSM2 token" \
	    "$CK" $SRC generate rsa --label mv --modulus 2048 --exportable \
	    --quiet
	refused 8 "keeps no data objects" "move SoftHSM2 -> NSS is refused" \
	    "$CK" $SRC move rsa --label mv --to "$MOD_TOKEN" \
	    --to-module "$NSS_MODULE" --to-module-init-args "$MOD_INIT"
	expect_rc 0 "the key is still on the SoftHSM2 token" \
	    "$CK" $SRC show rsa --label mv
	refused 3 "mv" "move NSS -> SoftHSM2 finds no key on NSS" \
	    "$CK" move rsa --label mv --to src --to-module "$SOFTHSM_MODULE"
	module_teardown nss
else
	pass "SoftHSM2 <-> NSS # SKIP $why"
fi
done_testing
