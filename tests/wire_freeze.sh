#!/bin/sh
# Fails when proto/prl.proto or the protocol version changed without
# proto/wire.lock being updated with them (so the wire never changes by
# accident).
set -eu
src=$1
lock="$src/proto/wire.lock"
want_hash=$(awk '$1 == "sha256" { print $2 }' "$lock")
want_ver=$(awk '$1 == "version" { print $2 }' "$lock")
have_hash=$(sha256sum "$src/proto/prl.proto" | cut -d' ' -f1)
have_ver=$(sed -n 's/^#define PRLC_PROTOCOL_VERSION \([0-9]*\)u.*/\1/p' "$src/src/common/frame.h")
if [ "$want_hash" != "$have_hash" ]; then
	echo "proto/prl.proto changed (sha256 $have_hash, wire.lock has $want_hash):" >&2
	echo "update proto/wire.lock, and bump the version if the change is not additive" >&2
	exit 1
fi
if [ "$want_ver" != "$have_ver" ]; then
	echo "PRLC_PROTOCOL_VERSION is $have_ver but wire.lock says $want_ver" >&2
	exit 1
fi
echo "wire: version $have_ver, schema $have_hash"
