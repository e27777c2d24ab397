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

# pass DESC, or fail it with the first offending lines in $T/hits
check() {
	if [ -s "$T/hits" ]; then
		fail "$1: $(head -n 5 "$T/hits" | tr '\n' ' ')"
	else
		pass "$1"
	fi
}

# the #include lines of the sources under DIR that name what ERE matches
# (tried on FILE:LINE:TEXT), into $T/hits
includes_matching() {
	# shellcheck disable=SC2046
	grep -HnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' \
	    $(sources "$1") | grep -E -- "$2" >"$T/hits"
}

# the code lines (FILE:LINE:TEXT) of the sources under DIR that match the
# regular expression RE and not the optional EXCEPT (tried on LINE:TEXT),
# into $T/hits.  Code is what is left of a file without its comments and
# with its string and character literals emptied; one perl for all files.
code_matching() {
	# shellcheck disable=SC2046
	perl -e '
	    my ($re, $except) = (shift, shift);
	    for my $f (@ARGV) {
		open(my $fh, "<", $f) or die "$f: $!\n";
		my $s = do { local $/; <$fh> };
		close($fh);
		$s =~ s{(/\*.*?\*/)|(//[^\n]*)|("(?:\\.|[^"\\\n])*")|(\x27(?:\\.|[^\x27\\\n])*\x27)}
		    {defined $1 ? join("", $1 =~ /\n/g) :
		     defined $2 ? "" : defined $3 ? q("") : "\x27\x27"}gse;
		my $n = 0;
		for my $l (split(/\n/, $s)) {
			$n++;
			next unless $l =~ /$re/;
			next if $except ne "" && "$n:$l" =~ /$except/;
			print "$f:$n:$l\n";
		}
	    }' -- "$2" "${3:-}" $(sources "$1") >"$T/hits"
}

[ -d tools ] && [ -d libkeystore ] && [ -d pkcs11 ] ||
    { echo "Bail out! no tools/, libkeystore/ or pkcs11/"; exit 1; }
command -v perl >/dev/null 2>&1 || skip_all "no perl"

includes_matching tools '[<"](\.\./)*pkcs11/|[<"]p11\.h"|p11-kit/'
check "tools/ includes no pkcs11/ header and no <p11-kit/...>"

# CK_, CKR_, CKM_, CKA_, CKO_, CKK_, CKF_, ... ; the tools' own include
# guards (CK_..._H) are not PKCS#11
code_matching tools '\bCK[A-Z]?_[A-Za-z0-9_]+' \
    '^[0-9]+:[[:space:]]*#[[:space:]]*(ifndef|define|endif)[[:space:]]+CK_[A-Z0-9_]*_H\b'
check "tools/ code uses no PKCS#11 identifier (CK_, CKR_, CKM_, ...)"

code_matching libkeystore '->C_'
check "libkeystore/ calls no CK_FUNCTION_LIST entry itself (->C_)"

includes_matching libkeystore \
    '[<"](\.\./)*tools/|"common/|"ike[a-z0-9_]*\.h"|"cryptokey(ring)?\.h"'
check "libkeystore/ includes nothing from tools/"

includes_matching pkcs11 \
    '[<"](\.\./)*(libkeystore|tools)/|"k[sr]_[a-z]*\.h"|"keystore\.h"|"common/'
check "pkcs11/ includes nothing from libkeystore/ or tools/"

done_testing
