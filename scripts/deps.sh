#!/bin/sh
# Installs the Debian packages OpenPRL builds, tests and runs with.
# Idempotent: does nothing when every package is already present.
set -eu
PKGS="build-essential cmake pkg-config clang libclang-rt-dev
protobuf-c-compiler libprotobuf-c-dev libevent-dev libssl-dev
libvirt-dev libvirt-daemon libvirt-clients libvirt-daemon-driver-qemu
libpam0g-dev libcmocka-dev libxml2-dev libcrypt-dev
qemu-system-x86 qemu-utils pamtester python3"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing — run as root (apt-get install)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null || true
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
