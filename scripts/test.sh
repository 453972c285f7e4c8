#!/bin/sh
# Runs every test: builds (installing what is missing), then CTest.
#   scripts/test.sh               the normal build
#   scripts/test.sh --sanitizers  also an ASan+UBSan build and a TSan build
# With CI=true the sanitizer builds are included and warnings are errors.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
san=0
[ "${1:-}" = --sanitizers ] && san=1
[ "${CI:-}" = true ] && san=1
status=0
run() { # name build-dir cmake-args...
	name=$1; dir=$2; shift 2
	echo "== $name build: $dir"
	"$top/scripts/build.sh" "$dir" "$@"
	if ! (cd "$dir" && ctest --output-on-failure -j2 --timeout 600); then
		status=1
	fi
}
run normal "$top/build"
if [ $san = 1 ]; then
	run asan "$top/build-asan" -DPRL_SANITIZE=address -DCMAKE_BUILD_TYPE=Debug
	run tsan "$top/build-tsan" -DPRL_SANITIZE=thread -DCMAKE_BUILD_TYPE=Debug
fi
exit $status
