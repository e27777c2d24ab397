#!/bin/sh
# t_pinflags.sh -- a failed login says what the token reports about its
# user PIN: CKF_USER_PIN_COUNT_LOW, _FINAL_TRY and _LOCKED in words.
# SoftHSM2 never sets the last two (it has no lockout), so the fault
# module ORs them into C_GetTokenInfo (CRYPTOKEY_FAULT_TOKEN_FLAGS).
. "$top_srcdir/tests/cli/lib.sh"

FAULTMOD="$top_builddir/tests/faultmod/.libs/faultmod.so"
[ -f "$FAULTMOD" ] || skip_all "fault module not built"
setup_token
export CRYPTOKEY_FAULT_TARGET="$SOFTHSM_MODULE"
printf '9999\n' > "$T/badpin"
chmod 600 "$T/badpin"
n=$(objects)

# login FLAGS PINFILE: cryptokey show through the fault module
login() {
	CRYPTOKEY_FAULT_TOKEN_FLAGS=$1 "$CK" --module "$FAULTMOD" --token test \
	    --pin-source "file:$2" show
}

expect_rc 6 "wrong PIN, no flags added" login 0 "$T/badpin"
contains "$err" "CKR_PIN_INCORRECT" "wrong PIN: CKR_PIN_INCORRECT"
# SoftHSM2 itself sets CKF_USER_PIN_COUNT_LOW after a wrong PIN
contains "$err" "the token says: few tries left" \
    "SoftHSM2's own CKF_USER_PIN_COUNT_LOW after a wrong PIN, in words"

expect_rc 6 "wrong PIN, CKF_USER_PIN_COUNT_LOW" login 0x10000 "$T/badpin"
contains "$err" "the token says: few tries left (CKF_USER_PIN_COUNT_LOW)" \
    "count low in words"
expect_rc 6 "wrong PIN, CKF_USER_PIN_FINAL_TRY" login 0x30000 "$T/badpin"
contains "$err" "final try before the PIN locks (CKF_USER_PIN_FINAL_TRY)" \
    "final try in words (the stronger flag wins)"
expect_rc 6 "wrong PIN, CKF_USER_PIN_LOCKED" login 0x40000 "$T/badpin"
contains "$err" "the PIN is locked (CKF_USER_PIN_LOCKED)" "locked in words"
ok "[ \$(wc -l < '$err') -eq 1 ]" "one line of error"

expect_rc 0 "right PIN with CKF_USER_PIN_COUNT_LOW set" login 0x10000 "$T/pin"
ok "! grep -q 'the token says' '$err'" "a good login says nothing about tries"
unchanged "$n" "failed logins"

done_testing
