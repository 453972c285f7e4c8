#!/bin/sh
# Runs every test: builds (installing what is missing), then CTest.
#   scripts/test.sh               the normal build
#   scripts/test.sh --sanitizers  also an ASan+UBSan build and a TSan build
# With CI=true the sanitizer builds are included and warnings are errors.
# The last line is the total over every build: "N passed, M failed".
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
san=0
[ "${1:-}" = --sanitizers ] && san=1
[ "${CI:-}" = true ] && san=1
passed=0
failed=0
status=0
run() { # name build-dir cmake-args...
	name=$1; dir=$2; shift 2
	echo "== $name build: $dir"
	if ! "$top/scripts/build.sh" "$dir" "$@"; then
		echo "== $name build FAILED"
		failed=$((failed + 1)); status=1
		return
	fi
	log=$(mktemp)
	export TSAN_OPTIONS="suppressions=$top/tests/tsan.supp halt_on_error=1 ${TSAN_OPTIONS:-}"
	export UBSAN_OPTIONS="print_stacktrace=1 halt_on_error=1 ${UBSAN_OPTIONS:-}"
	(cd "$dir" && ctest --output-on-failure -j2 --timeout 900) 2>&1 | tee "$log" || true
	# "NN% tests passed, F tests failed out of T"
	line=$(grep -E "tests passed, [0-9]+ tests? failed out of [0-9]+" "$log" | tail -n 1)
	rm -f "$log"
	if [ -z "$line" ]; then
		echo "== $name: CTest printed no summary"
		failed=$((failed + 1)); status=1
		return
	fi
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/')
	t=$(echo "$line" | sed -E 's/.* failed out of ([0-9]+).*/\1/')
	passed=$((passed + t - f))
	failed=$((failed + f))
	[ "$f" -eq 0 ] || status=1
}
run normal "$top/build"
if [ $san = 1 ]; then
	run asan "$top/build-asan" -DPRL_SANITIZE=address -DCMAKE_BUILD_TYPE=Debug
	run tsan "$top/build-tsan" -DPRL_SANITIZE=thread -DCMAKE_BUILD_TYPE=Debug
fi
echo "$passed passed, $failed failed"
exit $status
