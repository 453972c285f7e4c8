#!/bin/sh
# Runs the Programmer's Guide tasks T13-T30 (examples/guide/) in the order a
# user would, against a real dispatcher on test:///default in a private state
# directory, and checks what each prints and its exit status.
#   tests/integration/guide_test.sh DISPATCHER GUIDE_BIN_DIR
set -u
disp=$1
bin=$2
state=$(mktemp -d /tmp/openprl-guide.XXXXXX)
export PRL_DISP_SOCKET="$state/s"
"$disp" --foreground --state-dir "$state" --unix-socket "$state/s" --listen none \
	--hypervisor test:///default --auth file --log-file "$state/log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$state"' EXIT
i=0
while [ ! -S "$state/s" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done

fails=0
# expect "description" "pattern" command args...: the command must exit 0
# and print a line matching pattern (grep -E).
expect() {
	what=$1; pat=$2; shift 2
	out=$(timeout 60 "$bin/$@" 2>&1); rc=$?
	if [ $rc -ne 0 ] || ! printf '%s\n' "$out" | grep -Eq -- "$pat"; then
		echo "FAIL $what: $* (exit $rc), want /$pat/, got:"
		printf '%s\n' "$out" | sed 's/^/    /'
		fails=$((fails + 1))
	else
		echo "ok   $what"
	fi
}
# refuse "description" "pattern" command args...: must exit non-zero and say why.
refuse() {
	what=$1; pat=$2; shift 2
	out=$(timeout 60 "$bin/$@" 2>&1); rc=$?
	if [ $rc -eq 0 ] || ! printf '%s\n' "$out" | grep -Eq -- "$pat"; then
		echo "FAIL $what: $* (exit $rc), want failure /$pat/, got:"
		printf '%s\n' "$out" | sed 's/^/    /'
		fails=$((fails + 1))
	else
		echo "ok   $what"
	fi
}

expect "T14 empty list"        '^$|^VMs: 0|no virtual machines' t14_list_vms
expect "T20 create"            'created successfully'       t20_create_vm web01 linux 512
expect "T14 list"              'VM name: web01'             t14_list_vms
expect "T15 find"              'Found by PrlSrv_GetVmConfig: \{' t15_find_vm web01
expect "T16 info"              'RAM size: 512 MB'           t16_vm_info web01
expect "T17 stopped"           'state: Stopped'             t17_vm_state web01
expect "T18 start"             'started'                    t18_start_stop web01 start
expect "T17 running"           'state: Running'             t17_vm_state web01
refuse "T18 start twice"       'PRL_ERR_VM_ALREADY_RUNNING|already running' t18_start_stop web01 start
expect "T19 pause"             'paused'                     t19_suspend_resume web01 pause
expect "T17 paused"            'state: Paused'              t17_vm_state web01
expect "T19 continue"          'continued'                  t19_suspend_resume web01 continue
expect "T19 suspend"           'suspended'                  t19_suspend_resume web01 suspend
expect "T17 suspended"         'state: Suspended'           t17_vm_state web01
expect "T19 resume"            'resumed'                    t19_suspend_resume web01 resume
expect "T29 VM statistics"     'Statistics of "web01"'      t29_statistics web01
expect "T31 perf counters"     'guest.cpu.usage:'           t31_perfstats -f 'guest.cpu.*' web01
expect "T27 events"            'VM_STATE_CHANGED|state changed|Paused|paused' t27_events web01 pause
expect "T18 reset"             'reset'                      t18_start_stop web01 reset
expect "T18 kill"              'stopped'                    t18_start_stop web01 kill
expect "T25 edit"              'saved'                      t25_edit_config web01 ram 1024 cpus 2 description guide
expect "T16 edited"            'RAM size: 1024 MB'          t16_vm_info web01
expect "T23 clone"             'clon'                       t23_clone web01 web02
expect "T14 both"              'VM name: web02'             t14_list_vms
expect "T26 access rights"     'Access for others: not shared' t26_access_rights web01
expect "T22 unregister"        'nregister'                  t22_register unregister web02
refuse "T15 gone"              'not found'                  t15_find_vm web02
expect "T21 search"            'Config path: .*/vms/web02\.pvm/config\.pvs' t21_search_vms "$state/vms"
expect "T22 register"          'egister'                    t22_register register "$state/vms/web02.pvm"
expect "T24 delete"            'delet'                      t24_delete web02
refuse "T16 deleted"           'not found'                  t16_vm_info web02
expect "T28 questions"         'questions'                  t28_questions 1
expect "T30 subscription"      'CPU|RAM'                    t30_stats_subscribe 2

if [ $fails -ne 0 ]; then
	echo "$fails guide task(s) failed; dispatcher log:"
	tail -n 30 "$state/log"
	exit 1
fi
echo "all guide tasks passed"
