#!/bin/sh
# Builds the libFuzzer targets with clang (ASan + UBSan, everything
# instrumented) in a build directory of its own, then runs each target for
# SECONDS (default 60).  Exit status: non-zero when a target crashed, leaked
# or failed to build; the crashing input is kept in the build directory.
#   scripts/fuzz.sh [SECONDS]
#   PRL_FUZZ_BUILD=/tmp/dir   where to build (default /tmp/openprl-fuzz)
set -eu
secs=${1:-60}
src=$(cd "$(dirname "$0")/.." && pwd)
build=${PRL_FUZZ_BUILD:-"$src/build-fuzz"}
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -g"

CC=clang cmake -S "$src" -B "$build" -DPRL_FUZZ=ON \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS="$flags" >/dev/null
cmake --build "$build" -j2 --target fuzz_frame fuzz_request

# Seeds: one login-local request (after the automatic Hello, on the unix
# socket), one TCP login with arguments, a bare frame stream.
seed_dir() {
	d="$build/corpus/$1"
	mkdir -p "$d"
	echo "$d"
}
fr=$(seed_dir fuzz_frame)
printf '\000\000\000\006\032\004\010\001\020\004' >"$fr/request"
printf '\000\000\000\002\062\000' >"$fr/ping"
# Bodies alone (the target also decodes its whole input as one body): a
# plain request and a plain response with an error text and one VM.
printf '\032\011\010\007\020\017\042\001a\050\001' >"$fr/body_request"
printf '\042\014\010\007\020\000\032\002no\052\002ab' >"$fr/body_response"
rq=$(seed_dir fuzz_request)
printf '\003\000\000\000\000\006\032\004\010\001\020\004' >"$rq/login_local"
printf '\001\004\000\000\000\006\032\004\010\002\020\017' >"$rq/vm_list"
printf '\003\000\000\000\000\006\032\004\010\001\020\004\000\000\000\006\032\004\010\002\020\020' \
	>"$rq/login_subscribe"

status=0
for t in fuzz_frame fuzz_request; do
	bin=$(find "$build" -name "$t" -type f -perm -u+x | head -n 1)
	echo "== $t: $secs s"
	mkdir -p "$build/artifacts/$t"
	if ! "$bin" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 \
		-timeout=10 -print_final_stats=1 \
		-artifact_prefix="$build/artifacts/$t/" \
		"$build/corpus/$t" 2>"$build/$t.log"; then
		echo "!! $t failed: see $build/$t.log and $build/artifacts/$t/"
		tail -n 40 "$build/$t.log"
		status=1
	fi
	grep -E '^stat::(number_of_executed_units|peak_rss_mb|new_units_added)' \
		"$build/$t.log" || true
done
exit $status
