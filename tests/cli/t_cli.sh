#!/bin/sh
# t_cli.sh -- the command line itself: help, usage, version, verbs, words.
. "$top_srcdir/tests/cli/lib.sh"

setup_template
n=$(objects)

expect_rc 0 "--help" "$CK" --help
contains "$out" "Usage: cryptokey" "--help prints the usage line"
for v in init storage generate show zeroize; do
	contains "$out" "$v" "--help lists the verb $v"
done
contains "$out" "--pin-source" "--help lists the global options"

expect_rc 0 "--usage" "$CK" --usage
contains "$out" "cryptokey" "--usage names the program"
expect_rc 0 "-?" "$CK" -?

expect_rc 0 "--version" "$CK" --version
ok "grep -qE '^cryptokey [0-9]+\.[0-9]+' '$out'" "--version prints 'cryptokey N.N'"

expect_rc 2 "no verb at all" "$CK"
contains "$err" "Usage:" "no verb: the usage goes to stderr"
ok "[ ! -s '$out' ]" "no verb: nothing on stdout"

expect_rc 2 "unknown verb" "$CK" frobnicate
contains "$err" "frobnicate" "unknown verb: the message names it"

expect_rc 2 "unknown global option, no verb" "$CK" --frobnicate
contains "$err" "frobnicate" "unknown global option: the message names it"
expect_rc 2 "unknown option after a verb" "$CK" show --frobnicate
contains "$err" "--frobnicate" "unknown option: the message names it"
expect_rc 2 "unknown option to generate" "$CK" generate rsa --label x --bits 2048

expect_rc 2 "generate without rsa" "$CK" generate
contains "$err" "rsa" "generate without rsa: the message asks for rsa"
expect_rc 2 "generate with another key type" "$CK" generate dsa --label x
expect_rc 2 "zeroize without rsa" "$CK" zeroize --yes
expect_rc 2 "zeroize with another key type" "$CK" zeroize dsa --yes

expect_rc 2 "show with an extra argument" "$CK" show extra
contains "$err" "extra" "extra argument: the message names it"
expect_rc 2 "generate with an extra argument" "$CK" generate rsa extra
expect_rc 2 "zeroize with an extra argument" "$CK" zeroize rsa extra --yes
expect_rc 2 "storage with two tokens" "$CK" storage test test
expect_rc 2 "init with an argument" "$CK" init "$T/x"
ok "[ ! -e '$T/x' ]" "init with an argument creates nothing"

expect_rc 2 "--modulus not a number" "$CK" generate rsa --label x --modulus big
expect_rc 2 "global option missing its value" "$CK" show --token

# Global options go before or after the verb.
expect_rc 0 "global option before the verb" "$CK" --token test show --label tpl-gen
expect_rc 0 "global option after the verb" "$CK" show --label tpl-gen --token test
expect_rc 0 "--opt=value form" "$CK" show --label=tpl-gen --token=test

for v in "init" "storage" "generate rsa" "show" "zeroize rsa"; do
	# shellcheck disable=SC2086
	expect_rc 0 "$v --help" "$CK" $v --help
	contains "$out" "--module" "$v --help lists the global options"
	contains "$out" "Usage: cryptokey" "$v --help prints the verb's usage"
done
expect_rc 0 "generate --help without rsa" "$CK" generate --help
for o in --label --modulus --general-keys --usage-keys --signature \
    --encryption --exportable --on --replace; do
	contains "$out" "$o" "generate --help lists $o"
done
expect_rc 0 "show --help" "$CK" show --help
contains "$out" "--json" "show --help lists --json"
contains "$out" "--label" "show --help lists --label"
expect_rc 0 "zeroize --help" "$CK" zeroize rsa --help
contains "$out" "--yes" "zeroize --help lists --yes"
expect_rc 0 "init --help" "$CK" init --help
contains "$out" "--dir" "init --help lists --dir"
contains "$out" "--token-label" "init --help lists --token-label"

unchanged "$n" "after every command-line error"

# --quiet and --verbose.
expect_rc 0 "--verbose show" "$CK" --verbose show --label tpl-gen
contains "$err" "$SOFTHSM_MODULE" "--verbose names the module"
contains "$err" "'test'" "--verbose names the token"
contains "$err" "$T/cryptokey.conf" "--verbose names the configuration file"
expect_rc 0 "show without --verbose" "$CK" show --label tpl-gen
ok "[ ! -s '$err' ]" "show says nothing on stderr by default"
expect_rc 0 "-q generate" "$CK" -q generate rsa --label quiet --modulus 1024
ok "! grep -q -e Generating -e OK '$err'" "-q: generate prints no progress notes"
expect_rc 0 "--quiet zeroize" "$CK" --quiet zeroize rsa --label quiet --yes
ok "[ ! -s '$err' ] && [ ! -s '$out' ]" "--quiet: zeroize prints nothing"
unchanged "$n" "after generate and zeroize of the same key"

done_testing
