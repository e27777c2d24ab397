#!/bin/sh
# t_zeroize.sh -- cryptokey zeroize rsa: confirmation, --label, everything.
. "$top_srcdir/tests/cli/lib.sh"

setup_template
# A pair made by pkcs11-tool: not cryptokey's, zeroize without --label keeps it.
p11 --keypairgen --key-type rsa:1024 --label foreign --id 0f0f >/dev/null 2>&1 ||
    { echo "Bail out! pkcs11-tool --keypairgen failed"; exit 1; }

# labels_left: the labels of every object on the token, sorted, one line
labels_left() {
	p11 --list-objects 2>/dev/null |
	    sed -n "s/^ *label: *'\{0,1\}\([^']*\)'\{0,1\} *\$/\1/p" |
	    sort | tr '\n' ' '
}
# on_tty ANSWER CMD...: run CMD on a terminal (script(1)), typing ANSWER
on_tty() {
	_answer=$1; shift
	printf '%s\n' "$_answer" |
	    script -qec "$*" /dev/null >"$out" 2>"$err"
}

n=$(objects)
expect_rc 2 "no terminal and no --yes" "$CK" zeroize rsa
contains "$err" "--yes" "the message asks for --yes"
unchanged "$n" "no terminal and no --yes"
expect_rc 2 "no terminal, --label, no --yes" "$CK" zeroize rsa --label tpl-gen
unchanged "$n" "no terminal, --label, no --yes"
expect_rc 2 "--batch without --yes" "$CK" --batch zeroize rsa --label tpl-gen
unchanged "$n" "--batch without --yes"
expect_rc 3 "--label of an unknown name" "$CK" zeroize rsa --label nosuch --yes
contains "$err" "nosuch" "the message names the key"
unchanged "$n" "unknown name"
expect_rc 2 "--label with a bad name" "$CK" zeroize rsa --label "a b" --yes
unchanged "$n" "bad name"

# On a terminal: only "yes" removes.
if command -v script >/dev/null 2>&1; then
	on_tty no "$CK" zeroize rsa --label tpl-gen
	ok "[ $? -eq 1 ]" "terminal, answer 'no': exit 1"
	contains "$out" "Do you really want to remove these keys? [yes/no]:" \
	    "the terminal gets the IOS question"
	unchanged "$n" "answer 'no'"
	on_tty y "$CK" zeroize rsa --label tpl-gen
	ok "[ $? -eq 1 ]" "terminal, answer 'y': exit 1 (only 'yes' counts)"
	unchanged "$n" "answer 'y'"
	on_tty yes "$CK" zeroize rsa --label tpl-gen
	ok "[ $? -eq 0 ]" "terminal, answer 'yes': exit 0"
	ok "[ \$(objects) -eq $((n - 3)) ]" "answer 'yes' removed tpl-gen's 3 objects"
	n=$(objects)
else
	pass "# SKIP no script(1)"
fi

expect_rc 0 "--label tpl-exp --yes" "$CK" zeroize rsa --label tpl-exp --yes
ok "[ \$(objects) -eq $((n - 3)) ]" "removed private, public and meta objects"
ok "! labels_left | grep -qw tpl-exp" "no object labelled tpl-exp is left"
ok "labels_left | grep -qw tpl-usage" "tpl-usage is still there"
ok "labels_left | grep -qw foreign" "the foreign pair is still there"
expect_rc 3 "the same --label again" "$CK" zeroize rsa --label tpl-exp --yes

# Usage keys go together.
n=$(objects)
expect_rc 0 "--label tpl-usage --yes" "$CK" zeroize rsa --label tpl-usage --yes
ok "[ \$(objects) -eq $((n - 6)) ]" "both usage pairs and their records removed"
ok "! labels_left | grep -qw tpl-usage" "no object labelled tpl-usage is left"

# Without --label: every cryptokey pair, never a pair cryptokey did not make.
"$CK" -q generate rsa --label a --modulus 1024 &&
    "$CK" -q generate rsa --label b --modulus 1024 --usage-keys ||
    { echo "Bail out! generate failed"; exit 1; }
expect_rc 0 "zeroize rsa --yes" "$CK" zeroize rsa --yes
ok "[ \$(objects) -eq 2 ]" "only the foreign pair's 2 objects are left"
ok "[ \"\$(labels_left)\" = 'foreign foreign ' ]" "what is left is the foreign pair"
expect_rc 0 "show after zeroize" "$CK" show --json
ok "[ \"\$(jget '$out' '[k[\"label\"] for k in d]')\" = '[\"foreign\"]' ]" \
    "show lists only the foreign pair"
expect_rc 0 "zeroize rsa --yes with nothing of ours left" "$CK" zeroize rsa --yes
unchanged 2 "nothing of ours left"

# A foreign pair can still be removed by name.
expect_rc 0 "--label foreign --yes" "$CK" zeroize rsa --label foreign --yes
ok "[ \$(objects) -eq 0 ]" "the token is empty"

done_testing
