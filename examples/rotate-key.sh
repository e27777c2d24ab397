#!/bin/sh
# rotate-key.sh -- give ikesignd a new key pair and retire the old one.
#
#   rotate-key.sh [-c CONF] [-o DIR] [-m BITS] [-k] NEW-LABEL [CRYPTOKEY-OPTION...]
#
#   1. generate the new pair NEW-LABEL on the token (cryptokey generate rsa)
#   2. publish its public key in DIR (default .): NEW-LABEL.pem (PEM
#      SubjectPublicKeyInfo, for strongSwan, OpenSSL, cryptokeyring add-pubkey
#      --in) and NEW-LABEL.key-string (the hex IOS takes in "key-string ...
#      quit", and cryptokeyring add-pubkey --key-string)
#   3. point ikesignd.conf (CONF, default /etc/ikesignd.conf) at it: the
#      "key" line is rewritten in a copy, the copy is checked with
#      "ikesignd -n", and only then it replaces CONF (the old file is kept
#      as CONF.old)
#   4. switch ikesignd with "ikesignctl reload": a signer for the new key
#      starts beside the running one and takes over only once it has
#      logged in and found the key (ikesignctl(8)); then "ikesignctl show
#      sa" must report the signer running.  If the reload is refused,
#      ikesignd keeps signing with the old key, CONF is put back and the
#      old key is left alone.
#   5. zeroize the old pair (unless -k: keep it, e.g. while peers still
#      hold its public key)
#
# Peers must trust the new public key before step 4, or new negotiations
# with them fail until they do; established SAs are not touched by the key
# change.
#
# PINs come from where cryptokey takes them: its configuration file's
# pin-source, or a --pin-source SRC among the CRYPTOKEY-OPTIONs (file:PATH,
# fd:N, env:VAR), never from the command line itself.  CRYPTOKEY-OPTIONs
# (--module, --token, --pin-source, --config, ...) are passed to every
# cryptokey command; ikesignd reads its own token and pin-source lines.
#
# Environment: CRYPTOKEY, IKESIGND, IKESIGNCTL (the programs; default from
# PATH), IKESIGNCTL_SOCKET (the control socket, default ikesignctl's), JQ
# (default jq).
# Exit status: 0 done, 1 failed (the message says at which step; what was
# done before it stays done), 2 usage.
set -eu

CRYPTOKEY=${CRYPTOKEY:-cryptokey}
IKESIGND=${IKESIGND:-ikesignd}
IKESIGNCTL=${IKESIGNCTL:-ikesignctl}
JQ=${JQ:-jq}

conf=/etc/ikesignd.conf
outdir=.
bits=3072
keep=0

usage() {
	echo "usage: rotate-key.sh [-c CONF] [-o DIR] [-m BITS] [-k] NEW-LABEL" \
	    "[CRYPTOKEY-OPTION...]" >&2
	exit 2
}
die() { echo "rotate-key.sh: $*" >&2; exit 1; }

while getopts c:o:m:k opt; do
	case $opt in
	c) conf=$OPTARG ;;
	o) outdir=$OPTARG ;;
	m) bits=$OPTARG ;;
	k) keep=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
new=$1
shift

ck() { "$CRYPTOKEY" "$@" --batch; }
ctl() {
	if [ -n "${IKESIGNCTL_SOCKET:-}" ]; then
		"$IKESIGNCTL" -s "$IKESIGNCTL_SOCKET" "$@"
	else
		"$IKESIGNCTL" "$@"
	fi
}

[ -f "$conf" ] || die "$conf: no such file"
# the key ikesignd uses now: its one "key" line (ikesignd.conf(5))
old=$(sed -n 's/^key[[:space:]][[:space:]]*\([^[:space:]]*\).*/\1/p' "$conf")
[ -n "$old" ] || die "$conf has no 'key' line; add the current one first"
[ "$old" != "$new" ] || die "ikesignd already uses key '$new'"

# 1. the new pair (refused, exit 4, when the name exists)
ck generate rsa --label "$new" --modulus "$bits" --quiet "$@" >/dev/null ||
    die "step 1: cannot generate key '$new'"

# 2. its public key, as PEM and as IOS key-string hex
ck show --label "$new" --json "$@" >"$outdir/$new.json" ||
    die "step 2: cannot read key '$new' back"
"$JQ" -er '.[0].public_key' "$outdir/$new.json" >"$outdir/$new.pem" ||
    die "step 2: no public key for '$new'"
ck show --label "$new" "$@" |
    sed -n '/^ Key Data:/,/^[^ ]/s/^  \([0-9A-F ]*\)$/\1/p' \
    >"$outdir/$new.key-string"
[ -s "$outdir/$new.key-string" ] || die "step 2: no key data for '$new'"
rm -f "$outdir/$new.json"
echo "published $outdir/$new.pem and $outdir/$new.key-string"

# 3. the configuration, checked before it is used
tmp="$conf.rotate.$$"
trap 'rm -f "$tmp"' EXIT
sed "s/^key[[:space:]][[:space:]]*[^[:space:]]*/key $new/" "$conf" >"$tmp"
chmod --reference="$conf" "$tmp" 2>/dev/null || :
"$IKESIGND" -n -f "$tmp" >/dev/null ||
    die "step 3: the edited configuration does not check (ikesignd -n)"
cp -p "$conf" "$conf.old"
mv "$tmp" "$conf"

# 4. the switch; back to the old configuration if it does not come up
running() {
	i=0
	while [ $i -lt 30 ]; do
		if ctl show sa 2>/dev/null | grep -q '^signer: running'; then
			return 0
		fi
		sleep 1
		i=$((i + 1))
	done
	return 1
}
if ! ctl reload >/dev/null || ! running; then
	mv "$conf.old" "$conf"
	die "step 4: ikesignd did not take key '$new' (see its log);" \
	    "$conf is back to key '$old', which ikesignd keeps using"
fi
echo "ikesignd uses key '$new'"

# 5. the old pair
if [ "$keep" -eq 1 ]; then
	echo "kept key '$old' (-k); remove it with:" \
	    "cryptokey zeroize rsa --label $old"
	exit 0
fi
ck zeroize rsa --label "$old" --yes --quiet "$@" >/dev/null ||
    die "step 5: cannot zeroize key '$old'"
echo "zeroized key '$old'"
