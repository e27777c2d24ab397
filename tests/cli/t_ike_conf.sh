#!/bin/sh
# t_ike_conf.sh -- ikesignd.conf lines that may appear once (token, module,
# key, user, chroot, control-group) are refused the second time with file
# and line; a control path that is not a socket is never removed (each
# start is bounded: the code before this rule took the path and ran).
. "$top_srcdir/tests/cli/lib.sh"

IKESIGND="$top_builddir/tools/ikesignd/ikesignd"
setup_token
"$CK" generate rsa --label ike-c --quiet >/dev/null 2>&1 ||
    { echo "Bail out! cannot make the key"; exit 1; }
base() {
	cat <<EOC
token test
module $SOFTHSM_MODULE
pin-source file:$T/pin
key ike-c
listen 127.0.0.1 port $(( 20000 + $$ % 20000 ))
control $T/ctl
EOC
}

base >"$T/ok.conf"
expect_rc 0 "ikesignd -n accepts one of each" "$IKESIGND" -n -f "$T/ok.conf"
for w in "token other" "module $SOFTHSM_MODULE" "key other" "user nobody" \
    "chroot /var/empty" "control-group root"; do
	word=${w%% *}
	{ base; echo "user nobody"; echo "chroot $T/empty"; \
	    echo "control-group root"; echo "$w"; } >"$T/dup.conf"
	line=$(wc -l <"$T/dup.conf")
	first=$(grep -n "^$word " "$T/dup.conf" | head -n 1 | cut -d: -f1)
	expect_rc 7 "a second '$word' line is refused" \
	    "$IKESIGND" -n -f "$T/dup.conf"
	contains "$err" "$T/dup.conf:$line: a second '$word' line (the first is on line $first)" \
	    "the error names the file, both lines and '$word'"
done

# a control path that is a regular file (or a directory) is left alone
printf 'keep me\n' >"$T/ctl"
cp "$T/ctl" "$T/ctl.orig"
expect_rc 1 "ikesignd refuses a control path that is a file" \
    timeout 10 "$IKESIGND" -d -f "$T/ok.conf"
contains "$err" "$T/ctl exists and is not a socket; not removing it" \
    "the error says why"
ok 'cmp -s "$T/ctl" "$T/ctl.orig"' "the file is untouched"
rm -f "$T/ctl"
mkdir "$T/ctl"
expect_rc 1 "ikesignd refuses a control path that is a directory" \
    timeout 10 "$IKESIGND" -d -f "$T/ok.conf"
ok '[ -d "$T/ctl" ]' "the directory is untouched"
done_testing
