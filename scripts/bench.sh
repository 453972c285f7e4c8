#!/bin/sh
# Builds OpenPRL in Release mode into build-bench/ and runs every benchmark,
# printing each command before its figures.  Every figure is printed beside
# its baseline measured in the same run (raw sockets, a private libvirtd on
# libvirt's test driver); targets are judged by reading them, never asserted.
#   scripts/bench.sh [--quick]     (--quick: fewer iterations, shorter windows)
# Runs as root (the private libvirtd runs as "nobody"); takes about 3 minutes.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-"$top/build-bench"}
quick=
[ "${1:-}" = --quick ] && quick=--quick
"$top/scripts/deps.sh"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target bench_core bench_hoststat bench_wire \
	bench_rss bench_subscribers bench_events >/dev/null

b="$build/bench"
window=20
[ -n "$quick" ] && window=5
run() {
	echo
	echo "\$ $*"
	"$@" || echo "(exit status $?)"
}
echo "# $(uname -srm), $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
echo "# libvirt $(dpkg-query -W -f '${Version}' libvirt-daemon 2>/dev/null || echo '?')"
run "$b/bench_core"
run "$b/bench_hoststat"
run "$b/bench_wire" $quick
run "$b/bench_rss"
run "$b/bench_subscribers" --window "$window"
run "$b/bench_events" $quick
