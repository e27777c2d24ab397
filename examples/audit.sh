#!/bin/sh
# audit.sh -- list the key pairs on a token that deserve a look.
#
#   audit.sh [-e] [-u] [-d DAYS] [-i FILE] [CRYPTOKEY-OPTION...]
#
# Findings, per pair (cryptokey show --json, read with jq):
#   -e  exportable     the private key may leave the token (export, move)
#   -u  unlocked       the private key is usable on the token now: a plain
#                      key, or an encrypted one that is not locked
#   -d DAYS  old       created DAYS days ago or earlier
# With none of -e, -u, -d: all three, with DAYS 365.
#
# Output: one line per pair with a finding, tab-separated: label, usage,
# key ID (hex), creation time (UTC), the findings (comma-separated), e.g.
#   vpn-gw	general	3f5a...	2025-01-07T09:12:44Z	exportable,unlocked,old
# Exit status: 0 no finding, 1 at least one, 2 usage or cryptokey failed.
#
# -i FILE reads the output of an earlier "cryptokey show --json" instead of
# asking the token ("-" for standard input).  Otherwise CRYPTOKEY-OPTIONs
# (--token, --module, --pin-source SRC, --config, ...) go to cryptokey show;
# the PIN comes from the pin-source, never from the command line.
#
# Environment: CRYPTOKEY, JQ (the programs; default from PATH).
set -eu

CRYPTOKEY=${CRYPTOKEY:-cryptokey}
JQ=${JQ:-jq}

exp=false unl=false days=-1 input=
usage() {
	echo "usage: audit.sh [-e] [-u] [-d DAYS] [-i FILE]" \
	    "[CRYPTOKEY-OPTION...]" >&2
	exit 2
}
while getopts eud:i: opt; do
	case $opt in
	e) exp=true ;;
	u) unl=true ;;
	d) case $OPTARG in
	   ''|*[!0-9]*) usage ;;
	   esac
	   days=$OPTARG ;;
	i) input=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
if [ "$exp" = false ] && [ "$unl" = false ] && [ "$days" -lt 0 ]; then
	exp=true unl=true days=365
fi

json=$(mktemp)
trap 'rm -f "$json"' EXIT
if [ -n "$input" ]; then
	cat -- "$input" >"$json" || exit 2
else
	"$CRYPTOKEY" show --json --batch "$@" >"$json" || exit 2
fi

# shellcheck disable=SC2016  # $now, $f ... are jq's, not the shell's
"$JQ" -r --argjson exp "$exp" --argjson unl "$unl" --argjson days "$days" '
	(now | floor) as $now
	| .[]
	| [ (if $exp and .exportable then "exportable" else empty end),
	    (if $unl and (.locked | not) then "unlocked" else empty end),
	    (if $days >= 0 and
	        ($now - (.created | fromdateiso8601)) >= $days * 86400
	     then "old" else empty end) ] as $f
	| select($f | length > 0)
	| [.label, .usage, .id, .created, ($f | join(","))]
	| @tsv' "$json" >"$json.out" || { rm -f "$json.out"; exit 2; }
cat "$json.out"
if [ -s "$json.out" ]; then rm -f "$json.out"; exit 1; fi
rm -f "$json.out"
exit 0
