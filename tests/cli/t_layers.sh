#!/bin/sh
# t_layers.sh -- the layers depend only downward: tools/ -> libkeystore/ ->
# pkcs11/.  tools/ knows nothing of PKCS#11 (no pkcs11/ header, no
# <p11-kit/pkcs11.h>, no CK_/CKR_/CKM_... identifier outside comments and
# strings); libkeystore/ reaches the token only through pkcs11/ (no ->C_
# call of its own) and includes nothing from tools/; pkcs11/ includes
# nothing from the layers above it.  Source text only: no token, no build.
. "$top_srcdir/tests/cli/lib.sh"

cd "$top_srcdir" || { echo "Bail out! no source tree"; exit 1; }

# the C sources of a directory
sources() {
	find "$1" -type f \( -name '*.c' -o -name '*.h' \) | sort
}

# FILE without its comments and with its string and character literals
# emptied, so that only code remains
code_of() {
	perl -0777 -pe 's{(/\*.*?\*/)|(//[^\n]*)|("(?:\\.|[^"\\\n])*")|('"'"'(?:\\.|[^'"'"'\\\n])*'"'"')}{defined $1 ? join("", $1 =~ /\n/g) : defined $2 ? "" : defined $3 ? q("") : q('"''"')}gse' "$1"
}

# PASS-description and the offending lines (FILE:LINE: ...) of a check
check() {
	if [ -s "$T/hits" ]; then
		fail "$1: $(head -n 5 "$T/hits" | tr '\n' ' ')"
	else
		pass "$1"
	fi
}

# an #include line of FILE that names something in one of the directories
includes_of() {
	grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' "$1" |
	    sed "s|^|$1:|"
}

[ -d tools ] && [ -d libkeystore ] && [ -d pkcs11 ] ||
    { echo "Bail out! no tools/, libkeystore/ or pkcs11/"; exit 1; }
command -v perl >/dev/null 2>&1 || skip_all "no perl"

: >"$T/hits"
for f in $(sources tools); do
	includes_of "$f" | grep -E '[<"](\.\./)*pkcs11/|[<"]p11\.h"|p11-kit/' \
	    >>"$T/hits"
done
check "tools/ includes no pkcs11/ header and no <p11-kit/...>"

: >"$T/hits"
for f in $(sources tools); do
	# CK_, CKR_, CKM_, CKA_, CKO_, CKK_, CKF_, ... ; the tools' own include
	# guards (CK_..._H) are not PKCS#11
	code_of "$f" | grep -nE '\bCK[A-Z]?_[A-Za-z0-9_]+' |
	    grep -vE '^[0-9]+:[[:space:]]*#[[:space:]]*(ifndef|define|endif)[[:space:]]+CK_[A-Z0-9_]*_H\b' |
	    sed "s|^|$f:|" >>"$T/hits"
done
check "tools/ code uses no PKCS#11 identifier (CK_, CKR_, CKM_, ...)"

: >"$T/hits"
for f in $(sources libkeystore); do
	code_of "$f" | grep -n -- '->C_' | sed "s|^|$f:|" >>"$T/hits"
done
check "libkeystore/ calls no CK_FUNCTION_LIST entry itself (->C_)"

: >"$T/hits"
for f in $(sources libkeystore); do
	includes_of "$f" | grep -E '[<"](\.\./)*tools/|"common/|"ike[a-z0-9_]*\.h"|"cryptokey(ring)?\.h"' \
	    >>"$T/hits"
done
check "libkeystore/ includes nothing from tools/"

: >"$T/hits"
for f in $(sources pkcs11); do
	includes_of "$f" | grep -E '[<"](\.\./)*(libkeystore|tools)/|"k[sr]_[a-z]*\.h"|"keystore\.h"|"common/' \
	    >>"$T/hits"
done
check "pkcs11/ includes nothing from libkeystore/ or tools/"

done_testing
