#!/bin/sh
# t_parallel.sh -- read-only commands run in parallel on one SoftHSM2 token
# (made with "cryptokey init --dir") and never fail because of each other:
# 20 and 50 "cryptokey show", 50 "cryptokeyring show", 50 "storage" and a
# mix of them.  SoftHSM2 rewrites token.object on every C_Login; before the
# module lock, a third to most of 50 shows failed with "no initialised
# token" (exit 3) or CKR_USER_PIN_NOT_INITIALIZED (exit 6).  Also: a module
# that fails while tokens are looked up is exit 8 with the CKR_* name,
# never "not found".
. "$top_srcdir/tests/cli/lib.sh"

KR=$(tool cryptokeyring)
FAULTMOD="$top_builddir/tests/faultmod/.libs/faultmod.so"
unset SOFTHSM2_CONF
export CRYPTOKEY_CONF="$T/none.conf"
export CRYPTOKEY_DIR="$T/emb"

expect_rc 0 "init --dir" "$CK" init --dir "$T/emb"
export SOFTHSM2_CONF="$T/emb/softhsm2.conf"
PIN=$(cat "$T/emb/user.pin")
expect_rc 0 "a key to show" "$CK" -q generate rsa --label par --modulus 1024
expect_rc 0 "a keyring to show" "$KR" create ring1
n0=$(objects cryptokey)

# many N WHAT CMD...: start CMD N times at once; pass when all exit 0
many() {
	_n=$1; _what=$2; shift 2
	rm -f "$T"/rc.* "$T"/err.*
	_i=0
	while [ "$_i" -lt "$_n" ]; do
		_i=$((_i + 1))
		( "$@" </dev/null >/dev/null 2>"$T/err.$_i"; echo $? >"$T/rc.$_i" ) &
	done
	wait
	_bad=$(cat "$T"/rc.* | grep -cv '^0$')
	if [ "$(ls "$T"/rc.* | wc -l)" -eq "$_n" ] && [ "$_bad" -eq 0 ]; then
		pass "$_n parallel $_what: all exit 0"
	else
		fail "$_n parallel $_what: $_bad of $_n failed"
		cat "$T"/err.* | sort | uniq -c | head -n 3 | sed 's/^/# /'
	fi
}

many 20 "cryptokey show" "$CK" show
many 50 "cryptokey show" "$CK" show
many 50 "cryptokey show (second round)" "$CK" show
many 50 "cryptokeyring show" "$KR" show
many 50 "cryptokey storage" "$CK" storage

# a mix: 20 of each at once
rm -f "$T"/rc.* "$T"/err.*
i=0
while [ $i -lt 20 ]; do
	i=$((i + 1))
	( "$CK" show >/dev/null 2>"$T/err.a$i"; echo $? >"$T/rc.a$i" ) &
	( "$KR" show >/dev/null 2>"$T/err.b$i"; echo $? >"$T/rc.b$i" ) &
	( "$CK" storage >/dev/null 2>"$T/err.c$i"; echo $? >"$T/rc.c$i" ) &
done
wait
bad=$(cat "$T"/rc.* | grep -cv '^0$')
ok "[ $bad -eq 0 ] && [ \$(ls '$T'/rc.* | wc -l) -eq 60 ]" \
    "60 mixed show, cryptokeyring show and storage: all exit 0 ($bad failed)"
ok "[ -z \"\$(cat '$T'/err.*)\" ]" "no messages from the parallel readers"

unchanged "$n0" "parallel readers" cryptokey

# A module that fails while the tokens are looked up (C_GetSlotList,
# C_GetTokenInfo) is a module failure, not a missing token.
if [ -f "$FAULTMOD" ]; then
	export CRYPTOKEY_FAULT_TARGET="$SOFTHSM_MODULE"
	worst=0
	for at in 1 2 3 4 5 6; do
		CRYPTOKEY_FAULT_AT=$at "$CK" --module "$FAULTMOD" \
		    --token cryptokey --pin-source "file:$T/emb/user.pin" \
		    show </dev/null >/dev/null 2>"$T/ferr.$at"
		rc=$?
		if [ $rc -eq 3 ]; then worst=3; fi
		if [ $rc -ne 0 ] && ! grep -q 'CKR_DEVICE_ERROR' "$T/ferr.$at"; then
			worst=$rc
		fi
	done
	ok "[ $worst -eq 0 ]" "a module failing at each of its first 6 calls: never exit 3, always the CKR_* name"
	export CRYPTOKEY_FAULT_AT=3
	expect_rc 8 "the module failing during token lookup" \
	    "$CK" --module "$FAULTMOD" --token cryptokey \
	    --pin-source "file:$T/emb/user.pin" show
	contains "$err" "CKR_DEVICE_ERROR" "the message names CKR_DEVICE_ERROR"
	unset CRYPTOKEY_FAULT_TARGET CRYPTOKEY_FAULT_AT
else
	fail "fault module not built"
fi

done_testing
