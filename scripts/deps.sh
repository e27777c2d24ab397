#!/bin/sh
# Install what cryptokey needs to build, test and demo on Debian 12.
# Idempotent: asks apt only when a package is missing.
set -eu

PKGS="autoconf automake libtool pkgconf make gcc clang libclang-rt-14-dev
libssl-dev openssl libp11-kit-dev p11-kit libpopt-dev libseccomp-dev
softhsm2 opensc gnutls-bin libengine-pkcs11-openssl
mandoc manpages-dev openssh-client python3 util-linux iproute2 xxd tcpdump jq
strongswan-charon strongswan-swanctl strongswan-pki libstrongswan-standard-plugins
libstrongswan-extra-plugins hyperfine
libtpm2-pkcs11-1 swtpm swtpm-tools libtss2-tcti-swtpm0
libnss3-tools libaudit1 libcap-ng0 libcrypt1 libcurl3-nss libevent-core-2.1-7
libevent-pthreads-2.1-7 libldap-2.5-0 libldns3 libnspr4 libnss3 libpam0g
libselinux1 libsystemd0 libunbound8 libevent-2.1-7 libssl3
build-essential debhelper devscripts lintian fakeroot strace systemd-container"
# libstrongswan-extra-plugins: charon's pkcs11 plugin, with which
# bench/ike-mm.sh and bench/ike-v2.sh give strongSwan the token's key.
# hyperfine: bench/show-vs-pkcs11-tool.sh times show and pkcs11-tool with it.
# libtpm2-pkcs11-1, swtpm, swtpm-tools, libtss2-tcti-swtpm0: the TPM column
# of the module matrix (tests/cli/t_modules.sh, tests/cli/modules.sh); the
# matrix's NSS column uses libnss3 and certutil (libnss3-tools).
# tpm2-pkcs11 registers itself with p11-kit for the whole machine; without
# a TPM its C_Initialize fails and p11-kit leaves it out.
# manpages-dev, openssh-client: the pages our manuals refer to (open(2),
# syslog(3), ssh(1) and the like); mandoc -Tlint (tests/cli/t_man.sh)
# checks that each .Xr names an installed page, and a fresh Debian 12
# has neither package.
# jq: examples/audit.sh and the other examples read JSON with it (t_examples.sh).
# The last group is for tests/cli/t_ike_v2_peers.sh: the libraries of
# libreswan (pluto) and openiked (iked), plus certutil for pluto's NSS
# database.  Those two are not installed: the test fetches them with
# `apt-get download` and unpacks them in the build tree (libreswan
# conflicts with strongSwan, and openiked would start a service).
# build-essential, debhelper, devscripts (hardening-check), lintian and
# fakeroot: scripts/pkg-test.sh builds and checks the Debian packages;
# strace: it holds the system calls ikesignd makes against the service's
# SystemCallFilter=; systemd-container: it boots a container from this
# machine's /usr (systemd-nspawn) to run ikesignd.service under systemd.

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages:$missing (run as root to install)" >&2
	exit 1
fi
echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
