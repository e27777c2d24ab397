#!/bin/sh
# t_man.sh -- the manual pages: clean under mandoc -Tlint, and cryptokey.1
# documents every verb and every option the program's --help lists.
#
# Verbs and options are read from the program, so a verb added later is
# checked without changing this file.
. "$top_srcdir/tests/cli/lib.sh"

MAN="$top_srcdir/man"
PAGE="$MAN/cryptokey.1"

# mandoc -Tlint output that says something about this machine, not about
# the page: Debian ships no mandoc.db, so every .Xr to an installed page
# gives "outdated mandoc.db lacks NAME(SEC) entry"; and our own pages are
# not installed yet when the tests run.  Everything else counts.
lint_filter() {
	while IFS= read -r line; do
		case $line in
		*"outdated mandoc.db lacks "*)
			continue ;;
		*"STYLE: referenced manual not found: Xr "*)
			_xr=${line##*: Xr }
			_xr=${_xr%% (*}
			[ -f "$MAN/${_xr% *}.${_xr#* }" ] && continue ;;
		esac
		printf '%s\n' "$line"
	done
}

# 1. every page lints clean
if command -v mandoc >/dev/null 2>&1; then
	for page in "$MAN"/*.[1-8]; do
		[ -f "$page" ] || continue
		name=${page##*/}
		mandoc -Tlint "$page" >"$T/lint.raw" 2>&1
		lint_filter <"$T/lint.raw" >"$T/lint"
		if [ -s "$T/lint" ]; then
			fail "mandoc -Tlint $name is clean"
			sed 's/^/# /' "$T/lint"
		else
			pass "mandoc -Tlint $name is clean"
		fi
	done
else
	pass "mandoc -Tlint # SKIP mandoc is not installed"
fi

# Section 1 and 8 pages have the sections the house style asks for.
for page in "$MAN"/*.[18]; do
	[ -f "$page" ] || continue
	for sh in SYNOPSIS DESCRIPTION "EXIT STATUS" EXAMPLES "SEE ALSO"; do
		ok "grep -q '^\.Sh $sh\$' '$page'" \
		    "${page##*/} has the $sh section"
	done
done

# 2. every verb that --help lists is documented as a verb (.It Cm VERB)
expect_rc 0 "cryptokey --help" "$CK" --help
# each verb's synopsis is indented two spaces, its summary six
verbs=$(sed -n '/^Verbs:/,/^$/p' "$out" | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p')
ok "[ -n '$verbs' ]" "--help lists verbs"
for v in $verbs; do
	ok "grep -qE '^\.It Cm $v( |\$)' '$PAGE'" \
	    "cryptokey.1 documents the verb '$v'"
done

# 3. every option in the popt --help of the program and of each verb
# appears in cryptokey.1 as a flag (Fl -NAME, Fl X)
check_options() {	# what, help text file
	for o in $(grep -oE -- '(^|[ [])--[a-z0-9][a-z0-9-]*' "$2" |
	    sed 's/^[ [ ]*--//' | sort -u); do
		ok "grep -qE -- 'Fl -$o([^A-Za-z0-9-]|\$)' '$PAGE'" \
		    "cryptokey.1 documents --$o ($1)"
	done
	for o in $(sed -n 's/^  *-\([A-Za-z0-9]\), --.*/\1/p' "$2" | sort -u); do
		ok "grep -qE -- 'Fl $o([^A-Za-z0-9-]|\$)' '$PAGE'" \
		    "cryptokey.1 documents -$o ($1)"
	done
}

cp "$out" "$T/help.top"
check_options "cryptokey --help" "$T/help.top"
for v in $verbs; do
	expect_rc 0 "cryptokey $v --help" "$CK" "$v" --help
	cp "$out" "$T/help.$v"
	check_options "cryptokey $v --help" "$T/help.$v"
done

done_testing
