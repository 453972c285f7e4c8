#!/bin/sh
# Configures and builds OpenPRL into a build directory.
#   scripts/build.sh [BUILD_DIR] [extra cmake args...]
# BUILD_DIR defaults to ./build.  Installs missing Debian packages first.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
dir=${1:-"$top/build"}
[ $# -gt 0 ] && shift
werror=OFF
[ "${CI:-}" = true ] && werror=ON
cmake -S "$top" -B "$dir" -DPRL_WERROR=$werror "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)"
