#!/bin/sh
# t_modules.sh -- the CLI contract on every PKCS#11 module: SoftHSM2, NSS's
# softoken, SoftHSM2 behind p11-kit's RPC, tpm2-pkcs11 on a swtpm
# (tests/cli/modules.sh makes a fresh token on each).  What each step must
# answer on each module is written in tests/cli/modules.tab: exit 0, or a
# refusal with its exit status and a fragment of its message, after which
# the token holds as many objects as before.  A module that cannot run
# here is skipped, saying why.  About 10 s, 25 s under ASan (it passes
# there too: no module leaks into cryptokey's leak report).
. "$top_srcdir/tests/cli/lib.sh"
. "$top_srcdir/tests/cli/modules.sh"

TAB="$top_srcdir/tests/cli/modules.tab"
KR=$(tool cryptokeyring)

# cryptokey(1)'s TOKEN COMPATIBILITY table is this table
awk -f "$top_srcdir/tests/cli/modules-man.awk" "$TAB" > "$T/table.want"
sed -n '/^\.\\" BEGIN modules.tab$/,/^\.\\" END modules.tab$/p' \
    "$top_srcdir/man/cryptokey.1" | sed '1d;$d' > "$T/table.man"
if cmp -s "$T/table.want" "$T/table.man"; then
	man_ok=1
else
	man_ok=0
	diff "$T/table.want" "$T/table.man" | sed 's/^/# /' | head -n 10
fi

[ -x "$P11COUNT" ] || skip_all "no $P11COUNT"

passphrase 'pass phrase one'
printf 'Sup3r-s3cret-PSK-value\n' > "$T/psk"
# a key to import, and its public key as an IOS key-string
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 \
    -out "$T/imp.key" 2>/dev/null &&
openssl pkcs8 -topk8 -in "$T/imp.key" -passout "file:$T/pass" \
    -v2 aes-256-cbc -out "$T/imp.p8" 2>/dev/null &&
openssl rsa -in "$T/imp.key" -pubout -outform DER 2>/dev/null |
    xxd -p > "$T/imp.ks" || { echo "Bail out! openssl"; exit 1; }
echo quit >> "$T/imp.ks"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null |
    openssl pkey -pubout -out "$T/ec.pub" 2>/dev/null ||
    { echo "Bail out! openssl"; exit 1; }

# step NAME: run the verb the table names NAME
step() {
	case $1 in
	gen)	"$CK" generate rsa --label g1 --modulus 2048 ;;
	gen-exp) "$CK" generate rsa --label g2 --modulus 2048 --exportable ;;
	gen-ec)	"$CK" generate ec --label e1 ;;
	gen-ed)	"$CK" generate ec --label e2 --curve ed25519 ;;
	show)	"$CK" show --label g1 ;;
	export-pub) "$CK" export rsa --label g1 --public ;;
	export)	"$CK" $P export rsa --label g2 ;;
	export-nonexp) "$CK" $P export rsa --label g1 ;;
	import)	"$CK" $P import rsa --label i1 --in "$T/imp.p8" ;;
	encrypt) "$CK" $P encrypt rsa --label g2 --kdf pbkdf2:1000 ;;
	lock)	"$CK" $P lock rsa --label g2 ;;
	unlock)	"$CK" $P unlock rsa --label g2 ;;
	zeroize) "$CK" zeroize rsa --label g1 --yes ;;
	move-in) "$CK" $SRC -q generate rsa --label mvin --modulus 1024 \
	    --exportable && "$CK" $SRC move rsa --label mvin --to "$MOD_TOKEN" \
	    --to-module "$MOD_PATH" ${MOD_INIT:+--to-module-init-args} \
	    ${MOD_INIT:+"$MOD_INIT"} ;;
	move-out) "$CK" move rsa --label g2 --to src \
	    --to-module "$SOFTHSM_MODULE" ;;
	kr-create) "$KR" create r1 ;;
	kr-pubkey) "$KR" add-pubkey default --address 192.0.2.1 \
	    --key-string "$T/imp.ks" ;;
	kr-pubkey-ec) "$KR" add-pubkey default --address 192.0.2.2 \
	    --in "$T/ec.pub" ;;
	kr-psk)	"$KR" --passphrase-source "file:$T/psk" add-psk default \
	    --address 10.0.0.0/24 ;;
	*)	echo "no step $1" >&2; return 99 ;;
	esac
}

# caps MODULE: each cap.* row of the table against storage --probe --json
caps() {
	expect_rc 0 "$1: storage --probe --json" "$CK" storage --probe --json
	cp "$out" "$T/caps.json"
	awk -v m="$1" '$1 ~ /^cap\./ && $2 == m { print substr($1, 5), $3 }' \
	    "$TAB" > "$T/rows"
	# fd 3, not a pipe: the TAP counters live in this shell
	while read -r _c _want <&3; do
		_got=$(jget "$T/caps.json" "d['capabilities']['$_c']")
		case $_want in yes) _want=true ;; no) _want=false ;; esac
		ok "[ '$_got' = '$_want' ]" "$1: capability $_c is $_want"
	done 3< "$T/rows"
}

# steps MODULE: every step row of the table for MODULE, in order
steps() {
	awk -v m="$1" '$1 !~ /^(#|cap\.)/ && NF >= 3 && $2 == m' "$TAB" \
	    > "$T/rows"
	while read -r _s _m _rc _frag <&3; do
		if [ "$_rc" = - ]; then
			pass "$1: $_s # SKIP $_frag"
			continue
		fi
		_n=$(mobjects)
		expect_rc "$_rc" "$1: $_s" step "$_s"
		[ "$_rc" -eq 0 ] && continue
		contains "$err" "$_frag" "$1: $_s says '$_frag'"
		unchanged_m "$_n" "$1: $_s"
	done 3< "$T/rows"
}

unchanged_m() {
	_now=$(mobjects)
	if [ "$_now" = "$1" ]; then
		pass "$2: object count unchanged ($1)"
	else
		fail "$2: object count $_now, was $1"
	fi
}

ok "[ $man_ok -eq 1 ]" "cryptokey(1)'s table is modules.tab (regenerate: awk -f tests/cli/modules-man.awk tests/cli/modules.tab)"

start=$(date +%s)
for m in $MODULES; do
	if ! module_check "$m"; then
		pass "$m # SKIP $why"
		continue
	fi
	if ! module_setup "$m"; then
		fail "$m: cannot set up a token"
		module_teardown "$m"
		continue
	fi
	# the other end of a move: a SoftHSM2 token "src" (beside the
	# module's own SoftHSM2 tokens, or in a directory of its own)
	case $m in
	softhsm|p11kit) add_token src ;;
	*) softhsm_token "$T/m-$m/src" src ;;
	esac
	SRC="--module $SOFTHSM_MODULE --token src"
	caps "$m"
	steps "$m"
	module_teardown "$m"
done
echo "# matrix: $(( $(date +%s) - start )) s"
done_testing
