#!/bin/sh
# backup-restore.sh -- back a key pair up to an encrypted PEM file, and
# restore it from one onto a token (the same one, or a second one).
#
#   backup-restore.sh backup  LABEL FILE [CRYPTOKEY-OPTION...]
#   backup-restore.sh restore LABEL FILE [CRYPTOKEY-OPTION...]
#   backup-restore.sh verify  LABEL FILE [CRYPTOKEY-OPTION...]
#
# backup   cryptokey export rsa --label LABEL --out FILE: every pair of the
#          name (both of usage keys) with its private key in PKCS#8,
#          AES-256-CBC under a passphrase (PBKDF2-HMAC-SHA256).  The key
#          must have been made --exportable.  FILE is new, mode 0600; the
#          backup is read back at once (verify).
# restore  cryptokey import rsa --label LABEL --in FILE: the pairs come back
#          with their usages (read from the file's "Usage:" lines and given
#          as --usage, unless the options hold one); they are
#          non-exportable unless --exportable is among the options.  Then
#          verify.
# verify   the public keys of LABEL on the token are the ones in FILE.
#
# CRYPTOKEY-OPTIONs go to cryptokey as they are: --token and --module pick
# the token (for a restore onto a second token: --token LABEL-OR-URI, and
# its --pin-source), --passphrase-source SRC says where the backup's
# passphrase comes from (prompt, file:PATH, fd:N, env:VAR).  PINs and
# passphrases never appear on the command line.
#
# Environment: CRYPTOKEY, JQ, OPENSSL (the programs; default from PATH).
# Exit status: 0 done; otherwise cryptokey's exit status (cryptokey(1),
# EXIT STATUS), or 1 when verify finds other keys, 2 usage.
set -eu

CRYPTOKEY=${CRYPTOKEY:-cryptokey}
JQ=${JQ:-jq}

usage() {
	echo "usage: backup-restore.sh backup|restore|verify LABEL FILE" \
	    "[CRYPTOKEY-OPTION...]" >&2
	exit 2
}
die() { echo "backup-restore.sh: $*" >&2; exit 1; }

[ $# -ge 3 ] || usage
op=$1 label=$2 file=$3
shift 3

# the public keys of LABEL on the token, one PEM after the other, sorted
token_pubs() {
	"$CRYPTOKEY" show --label "$label" --json --batch "$@" |
	    "$JQ" -r 'map(.public_key) | sort | .[]'
}

# the public keys in FILE (the export writes one per pair)
file_pubs() {
	awk '/^-----BEGIN PUBLIC KEY-----$/ { p = 1; k = "" }
	    p { k = k $0 "\n" }
	    /^-----END PUBLIC KEY-----$/ { p = 0; print k }' "$file" |
	    "$JQ" -Rrs 'split("\n\n") | map(select(length > 0) |
	    sub("\n*$"; "\n")) | sort | .[]'
}

verify() {
	# show takes the global options only; import's --on is its --token
	n=$# i=0
	while [ "$i" -lt "$n" ]; do
		o=$1; shift; i=$((i + 1))
		case $o in
		--module|--token|--pin-source|--passphrase-source|--config|--on)
			[ "$i" -lt "$n" ] || break
			[ "$o" = --on ] && o=--token
			set -- "$@" "$o" "$1"; shift; i=$((i + 1)) ;;
		--on=*)
			set -- "$@" "--token=${o#--on=}" ;;
		--module=*|--token=*|--pin-source=*|--passphrase-source=*|\
		--config=*|-v|--verbose|-q|--quiet)
			set -- "$@" "$o" ;;
		esac
	done
	[ -f "$file" ] || die "$file: no such file"
	a=$(token_pubs "$@") || die "cannot list key '$label'"
	b=$(file_pubs)
	[ -n "$b" ] || die "$file holds no public key"
	if [ "$a" != "$b" ]; then
		die "the keys of '$label' on the token are not the ones in $file"
	fi
	echo "key '$label' on the token matches $file"
}

case $op in
backup)
	"$CRYPTOKEY" export rsa --label "$label" --out "$file" --batch "$@"
	verify "$@"
	;;
restore)
	[ -f "$file" ] || die "$file: no such file"
	# the usage of the pairs, from the file's "Usage:" lines, unless given
	case " $* " in
	*" --usage "*|*" --usage="*) use= ;;
	*)	sig=$(grep -c 'Usage: Signature Key' "$file") || :
		enc=$(grep -c 'Usage: Encryption Key' "$file") || :
		if [ "$sig" -gt 0 ] && [ "$enc" -gt 0 ]; then use=usage-keys
		elif [ "$sig" -gt 0 ]; then use=signature
		elif [ "$enc" -gt 0 ]; then use=encryption
		else use=
		fi ;;
	esac
	"$CRYPTOKEY" import rsa --label "$label" --in "$file" \
	    ${use:+--usage "$use"} --batch "$@"
	verify "$@"
	;;
verify)
	verify "$@"
	;;
*)
	usage
	;;
esac
