#!/bin/sh
# Installs the build into a temporary prefix and builds a program the way a
# user would: `pkg-config prl_sdk` (and the `parallels-sdk` alias), the
# installed headers only, the installed SONAME at run time.
#   tests/install_test.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
src=$2
prefix=$(mktemp -d /tmp/openprl-install.XXXXXX)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
pcdir=$(dirname "$(find "$prefix" -name prl_sdk.pc | head -n 1)")
export PKG_CONFIG_PATH="$pcdir"
for mod in prl_sdk parallels-sdk; do
	pkg-config --exists "$mod" || { echo "no pkg-config module $mod" >&2; exit 1; }
done
# The .pc file must point into the prefix it was installed to.
case "$(pkg-config --variable=prefix prl_sdk)" in
	"$prefix") ;;
	*) echo "prl_sdk.pc has prefix $(pkg-config --variable=prefix prl_sdk), want $prefix" >&2; exit 1;;
esac
cat > "$prefix/t.c" <<'C'
#include <stdio.h>
#include "Parallels.h"
#include "SdkWrap.h"
int main(void)
{
	PRL_HANDLE h;
	PRL_HANDLE_TYPE t;
	if (PrlApi_InitEx(PARALLELS_API_VER, PAM_SERVER, 0, 0)) return 1;
	if (PrlSrv_Create(&h) || PrlHandle_GetType(h, &t) || t != PHT_SERVER) return 2;
	printf("%s\n", handle_type_to_string(t));
	PrlHandle_Free(h);
	return PrlApi_Deinit() ? 3 : 0;
}
C
cc "$prefix/t.c" $(pkg-config --cflags --libs parallels-sdk) -o "$prefix/t"
libdir=$(pkg-config --variable=libdir prl_sdk)
[ -e "$libdir/libprl_sdk.so.9" ] || { echo "no libprl_sdk.so.9 in $libdir" >&2; exit 1; }
out=$(LD_LIBRARY_PATH="$libdir" "$prefix/t")
[ "$out" = PHT_SERVER ] || { echo "unexpected output: $out" >&2; exit 1; }
echo "installed, linked with pkg-config and ran: $out"
