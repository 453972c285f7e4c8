#!/bin/sh
# Fills the status column of docs/compat.md from the built library: an export
# still served by a weak stub (src/lib/stubs.c) is "stub: PRL_ERR_UNIMPLEMENTED",
# every other one "implemented"; the summary counts are recomputed.
#   scripts/compat.sh LIBPRL_SDK.so [--check]
# --check only compares and fails when the document is out of date (a CTest
# test runs it so the document cannot drift from the library).
set -eu
lib=$1
doc=$(cd "$(dirname "$0")/.." && pwd)/docs/compat.md
weak=$(mktemp)
out=$(mktemp)
trap 'rm -f "$weak" "$out"' EXIT
nm -D --defined-only "$lib" | awk '$2 == "W" { sub(/@.*/, "", $3); print $3 }' | sort > "$weak"
awk -v weakfile="$weak" '
BEGIN { while ((getline w < weakfile) > 0) stub[w] = 1 }
/^\| `Prl[A-Za-z0-9_]+` \| / {
	name = $2; gsub(/`/, "", name)
	n = split($0, f, "|")
	if (n != 8) { print; next }       # the per-family summary table
	status = (name in stub) ? "stub: PRL_ERR_UNIMPLEMENTED" : "implemented"
	if (status == "implemented") { impl++; if (f[6] ~ /yes/) core_impl++ }
	if (f[6] ~ /yes/) core++
	line = "|"
	for (i = 2; i < n - 1; i++) line = line f[i] "|"
	print line " " status " |"
	next
}
/^\| implemented \|/ { print "| implemented |  @IMPL@ |"; next }
{ print }
END { printf "%d %d %d\n", impl, core_impl, core > "/dev/stderr" }
' "$doc" > "$out" 2> "$out.counts"
read -r impl core_impl core < "$out.counts"
rm -f "$out.counts"
sed -i "s/@IMPL@/**$impl** ($core_impl of the $core core functions)/" "$out"
if [ "${2:-}" = --check ]; then
	if ! diff -u "$doc" "$out"; then
		echo "docs/compat.md is out of date: run scripts/compat.sh $lib" >&2
		exit 1
	fi
	exit 0
fi
cp "$out" "$doc"
echo "compat: $impl implemented ($core_impl of $core core)"
