#!/bin/sh
# The main job: builds OpenPRL (installing what is missing), starts a
# dispatcher on libvirt's embedded test:///default hypervisor in a temporary
# state directory and private socket, runs the SDK documentation's callback
# sample against it (login, VM list to a callback, live host statistics,
# logoff), then stops the dispatcher.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-"$top/build"}
"$top/scripts/build.sh" "$build"

state=$(mktemp -d /tmp/openprl-demo.XXXXXX)
sock="$state/prl_disp_service.socket"
cleanup() {
	[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$state"
}
trap cleanup EXIT INT TERM

"$build/src/disp/prl_disp_service" --foreground --state-dir "$state" \
	--unix-socket "$sock" --listen none --hypervisor test:///default \
	--log-file "$state/dispatcher.log" &
pid=$!
i=0
while [ ! -S "$sock" ]; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "demo: the dispatcher did not start; its log:" >&2
		cat "$state/dispatcher.log" >&2 || true
		exit 1
	fi
	sleep 0.1
done
echo "== dispatcher $pid on $sock (hypervisor test:///default)"
export PRL_DISP_SOCKET="$sock"
g="$build/examples/guide"
echo "== examples/seed_callback: the SDK documentation's callback sample"
"$build/examples/seed_callback" 3
echo "== a VM through the API (Programmer's Guide tasks)"
"$g/t20_create_vm" demo-vm linux 512
"$g/t18_start_stop" demo-vm start
"$g/t27_events" demo-vm pause
"$g/t17_vm_state" demo-vm
echo "== examples/seed_sync: the same session, synchronously"
"$build/examples/seed_sync"
echo "== prlctl list -a"
"$build/src/cli/prlctl" list -a
