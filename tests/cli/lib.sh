# tests/cli/lib.sh -- shared by the shell tests; sourced, never run.
#
# Every test gets its own SoftHSM2 token in a temp directory ($T), its own
# softhsm2.conf and cryptokey.conf, and prints TAP.  Key pairs are
# generated once per build tree (see template_token) and copied: keygen is
# slow under sanitizers and valgrind.
#
#   setup_token [LABEL]     fresh empty token LABEL (default "test"), PIN 1234
#   setup_template          a copy of the template token (label "test") holding
#                           tpl-gen (general), tpl-exp (general, exportable),
#                           tpl-usage (usage keys)
#   add_token LABEL         a second token beside the first one
#   objects [LABEL]         number of objects on the token (pkcs11-tool)
#   expect_rc N DESC CMD... run CMD without a terminal, pass when it exits N;
#                           keeps $out, $err
#   unchanged N DESC [LABEL] pass when the token still holds N objects
#   p11 ARGS...             pkcs11-tool logged in to token $P11_TOKEN ("test")
#   p11_block KIND ID       the --list-objects block of the KIND object
#                           ("Private Key", "Public Key") with CKA_ID ID (hex)
#   jget FILE EXPR          evaluate python EXPR on the JSON in FILE (as d);
#                           strings print bare, the rest as JSON
#   pty_run ANSWERS CMD...  CMD on a terminal, typing ANSWERS at its prompts
#   ok COND DESC / pass DESC / fail DESC / skip_all REASON / done_testing
set -u

: "${top_builddir:?run through make check}"
: "${top_srcdir:?run through make check}"
: "${SOFTHSM_MODULE:=/usr/lib/softhsm/libsofthsm2.so}"
# tool NAME: the program tools/NAME/NAME itself, not libtool's wrapper
# script, which costs a bash each run: tens of milliseconds of CPU where
# processes are dear, and the tests run the tools thousands of times.  The
# library path the wrapper would set is exported here, once.
tool() {
	if [ -x "$top_builddir/tools/$1/.libs/$1" ]; then
		echo "$top_builddir/tools/$1/.libs/$1"
	else
		echo "$top_builddir/tools/$1/$1"
	fi
}
if [ -d "$top_builddir/libkeystore/.libs" ]; then
	LD_LIBRARY_PATH="$top_builddir/libkeystore/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
	export LD_LIBRARY_PATH
fi
CK=$(tool cryptokey)
# ASAN_OPTIONS for a daemon under test (ikesignd_start): ASan's default
# quarantine of 256 MB, where scripts/test.sh gives the tools 64 MB; a
# daemon's use after free can come long after the free.  Empty outside
# the sanitizer run.
DAEMON_ASAN=${ASAN_OPTIONS:+$ASAN_OPTIONS:quarantine_size_mb=256}
PIN=1234
SOPIN=12345678
export SOFTHSM_MODULE

_tap_n=0
_tap_failed=0

# Secret files (PIN, passphrase, PSK) must be private: create all files so.
umask 077
T=$(mktemp -d "${TMPDIR:-/tmp}/cktest.XXXXXX")

# in_main_shell: this is the test's own shell, not a subshell of it.  The
# EXIT traps tear the test down (daemons, namespaces, $T); full runs have
# seen that teardown happen in the middle of a test that then went on, so
# a trap outside the main shell says so and does nothing.
in_main_shell() {
	[ "${BASHPID:-$$}" = "$$" ] && return 0
	echo "# an EXIT trap ran in subshell ${BASHPID:-?} of $$; not tearing down" >&2
	ps -o pid,ppid,args -g "$(ps -o pgid= -p $$ | tr -d ' ')" 2>/dev/null |
	    sed 's/^/#   /' >&2
	return 1
}
# exit_trap CMD: CMD on the exit of the test's own shell only
exit_trap() {
	# shellcheck disable=SC2064
	trap "in_main_shell && { $1; }" EXIT
}
exit_trap 'rm -rf "$T"'
# token locks of this test only: copies of the template token share one
# serial, and tests running side by side must not wait for each other
mkdir -m 700 "$T/run"
export XDG_RUNTIME_DIR="$T/run"
out="$T/out"
err="$T/err"

pass() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
fail() {
	_tap_n=$((_tap_n + 1)); _tap_failed=$((_tap_failed + 1))
	echo "not ok $_tap_n - $*"
	# awk ends every line, the last one too: a message without a
	# newline must not swallow the next TAP line
	if [ -s "$err" ]; then awk '{ print "# stderr: " $0 }' "$err" |
	    head -n 5; fi
}
ok() { if eval "$1"; then pass "$2"; else fail "$2"; fi; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
done_testing() { echo "1..$_tap_n"; [ "$_tap_failed" -eq 0 ]; exit $?; }

# Commands under test get no terminal at all, not even /dev/tty when make
# check runs from one: a prompt must fail, never wait for a keyboard.
if setsid -w true </dev/null >/dev/null 2>&1; then NOTTY="setsid -w"; else NOTTY=; fi

# expect_rc N DESC CMD...: run CMD with stdin from /dev/null, no terminal
expect_rc() {
	_want=$1; _desc=$2; shift 2
	case $(type "$1" 2>/dev/null) in
	*function*)	# setsid cannot run a shell function
		"$@" </dev/null >"$out" 2>"$err" ;;
	*)
		$NOTTY "$@" </dev/null >"$out" 2>"$err" ;;
	esac
	_got=$?
	if [ "$_got" -eq "$_want" ]; then
		pass "$_desc (exit $_want)"
	else
		fail "$_desc: exit $_got, wanted $_want"
	fi
}

# eventually CMD SECONDS: poll CMD (a command or function, no arguments)
# every 0.2 s until it succeeds, SECONDS at most.  Its counters are its
# own: crash.sh's sweeps keep _i and _n.
eventually() {
	_ev_i=0; _ev_n=$(( $2 * 5 ))
	while [ $_ev_i -lt $_ev_n ]; do
		$1 && return 0
		sleep 0.2; _ev_i=$((_ev_i + 1))
	done
	return 1
}

# contains FILE TEXT DESC
contains() {
	if grep -qF -- "$2" "$1"; then pass "$3"; else
		fail "$3: '$2' not in $(basename "$1")"
		sed 's/^/# /' "$1" | head -n 5
	fi
}

# softhsm_conf DIR: DIR/softhsm2.conf for the token directory DIR/tokens,
# exported as SOFTHSM2_CONF
softhsm_conf() {
	cat > "$1/softhsm2.conf" <<EOC
directories.tokendir = $1/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
EOC
	SOFTHSM2_CONF="$1/softhsm2.conf"; export SOFTHSM2_CONF
}

# softhsm_init LABEL: a new token LABEL (SO PIN $SOPIN, PIN $PIN) in a free
# slot of SOFTHSM2_CONF's token directory
softhsm_init() {
	softhsm2-util --init-token --free --label "$1" --so-pin "$SOPIN" \
	    --pin "$PIN" >/dev/null
}

# softhsm_token DIR LABEL: a new token LABEL in DIR/tokens, with
# DIR/softhsm2.conf exported as SOFTHSM2_CONF
softhsm_token() {
	mkdir -p "$1/tokens" && softhsm_conf "$1" && softhsm_init "$2"
}

_write_conf() {
	softhsm_conf "$T"
	printf '%s\n' "$PIN" > "$T/pin"
	chmod 600 "$T/pin"
	cat > "$T/cryptokey.conf" <<EOC
module = $SOFTHSM_MODULE
token = ${1:-test}
pin-source = file:$T/pin
EOC
	export CRYPTOKEY_CONF="$T/cryptokey.conf"
	export CRYPTOKEY_DIR="$T/no-embedded"
}

add_token() {
	softhsm_init "$1" || { echo "Bail out! cannot init $1"; exit 1; }
}

setup_token() {
	mkdir -p "$T/tokens"
	_write_conf "${1:-test}"
	add_token "${1:-test}"
}

# template_init DIR: DIR made afresh with an empty token "test" in
# DIR/tokens, its softhsm2.conf (exported as SOFTHSM2_CONF: call it in a
# subshell) and the PIN in DIR/pin; for the templates built once per
# build tree under a lock, then copied (template_token here, ike_template
# in t_ike_env.sh)
template_init() {
	rm -rf "$1"
	softhsm_token "$1" test &&
	printf '%s\n' "$PIN" > "$1/pin" &&
	chmod 600 "$1/pin"
}

# template_ck DIR ARGS...: cryptokey on the token of template DIR
template_ck() {
	_tck=$1; shift
	"$CK" --module "$SOFTHSM_MODULE" --token test \
	    --pin-source "file:$_tck/pin" "$@"
}

# The template is built once per build tree under a lock, then copied.
template_token() {
	_tpl="$top_builddir/tests/template"
	mkdir -p "$top_builddir/tests"
	(
		flock 9
		if [ ! -f "$_tpl/ready" ]; then
			template_init "$_tpl" &&
			for args in "--label tpl-gen" \
			    "--label tpl-exp --exportable" \
			    "--label tpl-usage --usage-keys"; do
				# shellcheck disable=SC2086
				template_ck "$_tpl" --quiet generate rsa $args ||
				    exit 1
			done && touch "$_tpl/ready"
		fi
	) 9>"$top_builddir/tests/template.lock" ||
	    { echo "Bail out! cannot build the template token"; exit 1; }
}

setup_template() {
	template_token
	cp -a "$top_builddir/tests/template/tokens" "$T/tokens"
	_write_conf test
}

# passphrase TEXT: $T/pass (mode 0600) holds TEXT, and $P names it
passphrase() {
	printf '%s\n' "$1" > "$T/pass" && chmod 600 "$T/pass"
	P="--passphrase-source file:$T/pass"
}

# objects [LABEL]: every object on the token, as pkcs11-tool counts them
objects() {
	pkcs11-tool --module "$SOFTHSM_MODULE" --token-label "${1:-test}" \
	    --login --pin "$PIN" --list-objects 2>/dev/null |
	    grep -cE '^(Private Key|Public Key|Secret Key|Data|Certificate) [Oo]bject'
}

# unchanged N DESC [LABEL]: the bad-input rule, the token holds N objects still
unchanged() {
	_now=$(objects "${3:-test}")
	if [ "$_now" -eq "$1" ]; then
		pass "$2: object count unchanged ($1)"
	else
		fail "$2: object count $_now, was $1"
	fi
}

p11() {
	pkcs11-tool --module "$SOFTHSM_MODULE" --token-label "${P11_TOKEN:-test}" \
	    --login --pin "$PIN" "$@"
}

p11_block() {
	p11 --list-objects 2>/dev/null | awk -v kind="$1" -v id="$2" '
	    function flush() { if (hit) printf "%s", buf; buf = ""; hit = 0 }
	    /^[A-Za-z]/ { flush(); inb = index($0, kind " Object") == 1 }
	    inb { buf = buf $0 "\n"; if ($1 == "ID:" && $2 == id) hit = 1 }
	    END { flush() }'
}

# Debian's own python3, first in PATH for the test and everything it
# starts (ip netns exec, "#!/usr/bin/env python3"): a version manager's
# shim earlier in PATH (pyenv's: a bash script and half a dozen processes)
# costs 0.4 s of CPU a run where the interpreter costs 0.03 s, and the IKE
# tests run python3 dozens of times.
# The link is made once per build tree (tests/bin), not in $T, where
# t_init.sh looks for anything a command left behind.
PYTHON=python3
if [ -x /usr/bin/python3 ]; then
	PYTHON=/usr/bin/python3
	_pybin="$top_builddir/tests/bin"
	[ -x "$_pybin/python3" ] || { mkdir -p "$_pybin" &&
	    ln -s "$PYTHON" "$_pybin/python3"; } 2>/dev/null
	if [ -x "$_pybin/python3" ]; then
		PATH="$_pybin:$PATH"; export PATH
	fi
fi
jget() {
	"$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
r = eval(sys.argv[2])
print(r if isinstance(r, str) else json.dumps(r))' "$1" "$2"
}

# pty_run ANSWERS CMD...: run CMD on a pseudo-terminal; each time it waits
# at a prompt ending in ": ", type the next of the comma-separated ANSWERS.
# Everything the terminal shows lands in $out; returns CMD's exit status.
pty_run() {
	"$PYTHON" - "$@" >"$out" 2>"$err" <<'EOPY'
import os, pty, select, sys
answers = [a for a in sys.argv[1].split(",") if a != ""]
pid, fd = pty.fork()
if pid == 0:
	os.execvp(sys.argv[2], sys.argv[2:])
seen, pending = b"", b""
while True:
	r, _, _ = select.select([fd], [], [], 30)
	if not r:
		os.kill(pid, 9)
		break
	try:
		data = os.read(fd, 4096)
	except OSError:
		break
	if not data:
		break
	seen += data
	pending += data
	if answers and pending.endswith(b": "):
		os.write(fd, answers.pop(0).encode() + b"\n")
		pending = b""
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(seen)
sys.exit(os.waitstatus_to_exitcode(status))
EOPY
}
