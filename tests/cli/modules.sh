# tests/cli/modules.sh -- a fresh token on each PKCS#11 module, for the
# module matrix (t_modules.sh); sourced after lib.sh, never run.
#
#   MODULES                 the modules, in this order:
#                             softhsm  SoftHSM2, as lib.sh sets it up
#                             nss      NSS's softoken, database made by
#                                      certutil -N, its init string given
#                                      by cryptokey.conf's module-init-args
#                             p11kit   SoftHSM2 behind `p11-kit server`,
#                                      reached through p11-kit-client.so
#                             tpm      tpm2-pkcs11 on a swtpm started here
#   module_check NAME       0 when NAME can run here; else $why says why not
#   module_setup NAME       a fresh token on NAME in $T/m-NAME, PIN $PIN; its
#                           cryptokey.conf exported as CRYPTOKEY_CONF and the
#                           module's environment exported; sets MOD_PATH,
#                           MOD_TOKEN (label) and MOD_INIT (init string)
#   module_teardown NAME    stops what module_setup started
#   mobjects                objects on the current token (tests/cli/p11count,
#                           which can pass NSS its init string)
#
# Installing tpm2-pkcs11 registers it with p11-kit for the whole machine;
# without a TPM its C_Initialize fails and the TSS libraries print errors.
# TSS2_LOG keeps them quiet here; p11-kit skips the failing module.

MODULES="softhsm nss p11kit tpm"
P11COUNT="$top_builddir/tests/cli/p11count"
TSS2_LOG=all+none
export TSS2_LOG

_libdir() {
	for _d in /usr/lib/x86_64-linux-gnu /usr/lib/*-linux-gnu /usr/lib64 \
	    /usr/lib; do
		[ -e "$_d/$1" ] && { echo "$_d/$1"; return 0; }
	done
	return 1
}

NSS_MODULE=$(_libdir libsoftokn3.so || true)
CLIENT_MODULE=$(_libdir pkcs11/p11-kit-client.so || true)
TPM_MODULE=$(_libdir pkcs11/libtpm2_pkcs11.so || true)

module_check() {
	why=
	case $1 in
	softhsm) [ -e "$SOFTHSM_MODULE" ] || why="no SoftHSM2 module" ;;
	nss)	if [ -z "$NSS_MODULE" ]; then why="no libsoftokn3.so (libnss3)"
		elif ! command -v certutil >/dev/null 2>&1; then
			why="no certutil (libnss3-tools)"; fi ;;
	p11kit)	if [ -z "$CLIENT_MODULE" ]; then why="no p11-kit-client.so"
		elif ! command -v p11-kit >/dev/null 2>&1; then
			why="no p11-kit"; fi ;;
	tpm)	if [ -z "$TPM_MODULE" ]; then why="no tpm2-pkcs11 (libtpm2-pkcs11-1)"
		elif ! command -v swtpm >/dev/null 2>&1; then why="no swtpm"
		elif [ -z "$(_libdir libtss2-tcti-swtpm.so.0 || true)" ]; then
			why="no swtpm TCTI (libtss2-tcti-swtpm0)"; fi ;;
	*)	why="unknown module $1" ;;
	esac
	[ -z "$why" ]
}

# _conf DIR MODULE TOKEN [INIT]: DIR/cryptokey.conf, exported
_conf() {
	printf '%s\n' "$PIN" > "$1/pin"
	{
		echo "module = $2"
		[ -n "${4:-}" ] && echo "module-init-args = $4"
		echo "token = $3"
		echo "pin-source = file:$1/pin"
	} > "$1/cryptokey.conf"
	CRYPTOKEY_CONF="$1/cryptokey.conf"
	CRYPTOKEY_DIR="$T/no-embedded"
	MOD_PATH=$2; MOD_TOKEN=$3; MOD_INIT=${4:-}
	export CRYPTOKEY_CONF CRYPTOKEY_DIR
}

# _wait_for TEST: up to 5 s
_wait_for() {
	_i=0
	while ! eval "$1" && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
	eval "$1"
}

_setup_softhsm() {
	softhsm_token "$1" mtest && _conf "$1" "$SOFTHSM_MODULE" mtest
}

_setup_nss() {
	mkdir -p "$1/db"
	printf '%s\n' "$PIN" > "$1/pin"
	certutil -N -d "sql:$1/db" -f "$1/pin" >/dev/null 2>&1 || return 1
	_conf "$1" "$NSS_MODULE" "NSS Certificate DB" \
	    "configdir='sql:$1/db' certPrefix='' keyPrefix='' secmod='secmod.db' flags="
}

_setup_p11kit() {
	softhsm_token "$1" mtest || return 1
	p11-kit server -f -n "$1/sock" --provider "$SOFTHSM_MODULE" \
	    "pkcs11:token=mtest" >/dev/null 2>&1 &
	echo $! > "$1/server.pid"
	_wait_for "[ -S '$1/sock' ]" || return 1
	P11_KIT_SERVER_ADDRESS="unix:path=$1/sock"
	export P11_KIT_SERVER_ADDRESS
	_conf "$1" "$CLIENT_MODULE" mtest
}

# swtpm on a UNIX socket (the swtpm TCTI's path=, tpm2-tss 3.2 and later):
# no port to find, and reachable from every network namespace (t_ike_tpm.sh
# runs ikesignd in one)
_setup_tpm() {
	mkdir -p "$1/state" "$1/store"
	swtpm socket --tpmstate "dir=$1/state" --tpm2 \
	    --server "type=unixio,path=$1/tpm.sock" \
	    --ctrl "type=unixio,path=$1/tpm.sock.ctrl" \
	    --flags not-need-init,startup-clear --daemon \
	    --pid "file=$1/swtpm.pid" >/dev/null 2>&1 || return 1
	_wait_for "[ -s '$1/swtpm.pid' ]" || return 1
	TPM2_PKCS11_TCTI="swtpm:path=$1/tpm.sock"
	TPM2_PKCS11_STORE="$1/store"
	TPM2_PKCS11_LOG_LEVEL=0
	export TPM2_PKCS11_TCTI TPM2_PKCS11_STORE TPM2_PKCS11_LOG_LEVEL
	# the token is made through PKCS#11 itself (tokens.md: tpm2_ptool
	# needs a resource manager)
	pkcs11-tool --module "$TPM_MODULE" --slot-index 0 --init-token \
	    --label mtest --so-pin "$SOPIN" >/dev/null 2>&1 &&
	pkcs11-tool --module "$TPM_MODULE" --token-label mtest --login \
	    --login-type so --so-pin "$SOPIN" --init-pin --pin "$PIN" \
	    >/dev/null 2>&1 &&
	_conf "$1" "$TPM_MODULE" mtest
}

module_setup() {
	rm -rf "$T/m-$1"
	mkdir -p "$T/m-$1"
	"_setup_$1" "$T/m-$1"
}

module_teardown() {
	for _p in "$T/m-$1/server.pid" "$T/m-$1/swtpm.pid"; do
		[ -s "$_p" ] && kill "$(cat "$_p")" 2>/dev/null
		rm -f "$_p"
	done
	unset P11_KIT_SERVER_ADDRESS TPM2_PKCS11_TCTI TPM2_PKCS11_STORE \
	    SOFTHSM2_CONF
	return 0
}

# a test that stops early stops the servers too
exit_trap 'for _m in $MODULES; do module_teardown "$_m"; done; rm -rf "$T"'

mobjects() {
	if [ -n "$MOD_INIT" ]; then
		"$P11COUNT" "$MOD_PATH" "$MOD_TOKEN" "$PIN" "$MOD_INIT"
	else
		"$P11COUNT" "$MOD_PATH" "$MOD_TOKEN" "$PIN"
	fi
}
