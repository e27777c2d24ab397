#!/bin/sh
# The main job on the embedded default: install what is missing, build,
# create cryptokey's own SoftHSM2 token, generate a key pair, show it.
# Uses the data directory ($CRYPTOKEY_DIR, else /var/lib/cryptokey for
# root); touches nothing else.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh
[ -x configure ] || ./autogen.sh >/dev/null
mkdir -p build
cd build
[ -f Makefile ] || ../configure -q
make -s -j2 >/dev/null
CK=./tools/cryptokey/cryptokey

set -x
$CK init || [ $? -eq 4 ]	# 4: the token exists already
$CK storage
$CK generate rsa --label demo-key --replace
$CK show --label demo-key
$CK show --json --label demo-key
