#!/bin/sh
# t_completion.sh -- the bash completions in completions/: verbs, key kinds
# and options from the programs' --help, key names from the token when a
# PIN source is configured and none when the PIN would be prompted for,
# keyring names for cryptokeyring, the requests of ikesignctl.  Each case
# runs the completion function in bash with COMP_WORDS and COMP_CWORD set
# as readline sets them.
. "$top_srcdir/tests/cli/lib.sh"

command -v bash >/dev/null 2>&1 || skip_all "bash is not installed"
setup_template
CKR="$top_builddir/tools/cryptokeyring/cryptokeyring"
"$CKR" create branch --quiet >/dev/null 2>&1 || fail "create keyring branch"
PATH="$top_builddir/tools/cryptokey:$top_builddir/tools/cryptokeyring:$top_builddir/tools/ikesignctl:$PATH"
export PATH

# comp FUNCTION WORD...: the completions of the last word, one line, sorted
comp() {
	bash -c '
	. "$0/completions/cryptokey"
	. "$0/completions/cryptokeyring"
	. "$0/completions/ikesignctl"
	f=$1; shift
	COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	"$f"
	printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
	    "$top_srcdir" "$@" 2>"$err" | sed 's/ $//'
}

# is DESC WANT FUNCTION WORD...
is() {
	_d=$1 _w=$2; shift 2
	_g=$(comp "$@")
	if [ "$_g" = "$_w" ]; then pass "$_d"; else
		fail "$_d: got '$_g', wanted '$_w'"; fi
}

is "cryptokey: verbs" \
    "decrypt encrypt export generate import init lock move show storage unlock zeroize" \
    _cryptokey cryptokey ""
is "cryptokey: a verb from its first letters" "zeroize" _cryptokey cryptokey ze
is "cryptokey: the key kinds after a verb" "ec rsa" _cryptokey cryptokey generate ""
is "cryptokey: a verb's options" "--label" _cryptokey cryptokey zeroize rsa --la
is "cryptokey: global options before the verb" "--pin-source" \
    _cryptokey cryptokey --pin
is "cryptokey: --cipher values" "3des aes256 des" \
    _cryptokey cryptokey export rsa --label x --cipher ""
is "cryptokey: key names from the token (pin-source in the configuration)" \
    "tpl-exp tpl-gen tpl-usage" _cryptokey cryptokey zeroize rsa --label ""
is "cryptokey: key names by their first letters" "tpl-exp" \
    _cryptokey cryptokey show --label tpl-e
is "cryptokey: key names with --pin-source on the line" \
    "tpl-exp tpl-gen tpl-usage" _cryptokey cryptokey --pin-source \
    "file:$T/pin" show --label ""
is "cryptokey: no key names when the PIN would be prompted for" "" \
    _cryptokey cryptokey --pin-source prompt show --label ""
sed 's/^pin-source.*/pin-source = prompt/' "$CRYPTOKEY_CONF" >"$T/prompt.conf"
is "cryptokey: nor when the configuration says prompt" "" \
    _cryptokey cryptokey --config "$T/prompt.conf" show --label ""
is "cryptokeyring: verbs" \
    "add-psk add-pubkey create del-psk del-pubkey delete show" \
    _cryptokeyring cryptokeyring ""
is "cryptokeyring: keyring names from the token" "branch default" \
    _cryptokeyring cryptokeyring add-pubkey ""
is "cryptokeyring: a verb's options" "--address" \
    _cryptokeyring cryptokeyring add-psk branch --addr
is "ikesignctl: requests" "clear initiate rekey reload show" \
    _ikesignctl ikesignctl ""
is "ikesignctl: what show shows" "half-open sa" _ikesignctl ikesignctl show ""
is "ikesignctl: --json after show sa" "--json" \
    _ikesignctl ikesignctl -s "$T/none" show sa --j

done_testing
