/*
 * test_vm_events.c — VM state changes made by another session reach this
 * one: the server handler gets PET_DSP_EVT_VM_STATE_CHANGED with
 * vminfo_vm_state, PrlEvent_GetVm gives the VM object this client holds,
 * and that object's cached state (PrlVmCfg_GetVmInfo) is already updated
 * when the handler runs and afterwards — without any refresh.
 *
 * Also: the dispatcher on the embedded test driver loads libvirt only at
 * its first VM operation (src/disp/lvsym.h) — logins, lists and a
 * registration leave it out of the process — and follows states from then.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "Parallels.h"
#include "dispatcher.h"
#include "jobs.h"

static test_disp disp;

typedef struct seen {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int events;
	VIRTUAL_MACHINE_STATE last;      /* from the event parameter */
	VIRTUAL_MACHINE_STATE cached;    /* the event's VM object, in the handler */
	char uuid[64];                   /* of the event's VM object */
} seen;

static VIRTUAL_MACHINE_STATE cached_state(PRL_HANDLE vm)
{
	PRL_HANDLE info;
	VIRTUAL_MACHINE_STATE st = VMS_UNKNOWN;
	if (PrlVmCfg_GetVmInfo(vm, &info) == PRL_ERR_SUCCESS) {
		PrlVmInfo_GetState(info, &st);
		PrlHandle_Free(info);
	}
	return st;
}

static PRL_RESULT on_event(PRL_HANDLE h, PRL_VOID_PTR data)
{
	seen *s = data;
	PRL_HANDLE_TYPE t;
	PRL_EVENT_TYPE et = 0;
	PrlHandle_GetType(h, &t);
	if (t == PHT_EVENT)
		PrlEvent_GetType(h, &et);
	if (et == PET_DSP_EVT_VM_STATE_CHANGED) {
		PRL_HANDLE p, vm;
		PRL_UINT32 st = 0;
		if (PrlEvent_GetParamByName(h, "vminfo_vm_state", &p) == PRL_ERR_SUCCESS) {
			PrlEvtPrm_ToUint32(p, &st);
			PrlHandle_Free(p);
		}
		pthread_mutex_lock(&s->mu);
		s->last = st;
		if (PrlEvent_GetVm(h, &vm) == PRL_ERR_SUCCESS) {
			PRL_UINT32 len = sizeof(s->uuid);
			PrlVmCfg_GetUuid(vm, s->uuid, &len);
			s->cached = cached_state(vm);
			PrlHandle_Free(vm);
		}
		s->events++;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
	}
	PrlHandle_Free(h);
	return PRL_ERR_SUCCESS;
}

/* Waits for a state event carrying `want`. */
static int wait_state(seen *s, VIRTUAL_MACHINE_STATE want)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	pthread_mutex_lock(&s->mu);
	while (s->last != want)
		if (pthread_cond_timedwait(&s->cv, &s->mu, &ts))
			break;
	int ok = s->last == want;
	pthread_mutex_unlock(&s->mu);
	return ok;
}

/* Is libvirt mapped into process pid? */
static int libvirt_mapped(pid_t pid)
{
	char path[64], line[512];
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	int found = 0;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, "/libvirt.so") != NULL;
	fclose(f);
	return found;
}

static PRL_HANDLE vm_by_name(PRL_HANDLE s, const char *name)
{
	PRL_HANDLE res, vm = PRL_INVALID_HANDLE;
	assert_int_equal(test_job(PrlSrv_GetVmConfig(s, name, 0), &res), PRL_ERR_SUCCESS);
	PrlResult_GetParam(res, &vm);
	PrlHandle_Free(res);
	return vm;
}

IT_DISPATCHER_FIXTURES(disp, 1)

static void test_state_from_another_session(void **state)
{
	(void)state;
	PRL_HANDLE a = it_login_local(), b = it_login_local(), vm;
	assert_int_equal(PrlSrv_CreateVm(a, &vm), PRL_ERR_SUCCESS);
	PrlVmCfg_SetName(vm, "ev-vm");
	PrlVmCfg_SetRamSize(vm, 128);
	assert_int_equal(test_job(PrlVm_Reg(vm, "", PRL_TRUE), NULL), PRL_ERR_SUCCESS);
	char uuid[64];
	PRL_UINT32 len = sizeof(uuid);
	PrlVmCfg_GetUuid(vm, uuid, &len);
	assert_int_equal(cached_state(vm), VMS_STOPPED);
	PRL_HANDLE res;
	assert_int_equal(test_job(PrlSrv_GetVmList(b), &res), PRL_ERR_SUCCESS);
	PrlHandle_Free(res);
	assert_false(libvirt_mapped(disp.pid));     /* nothing needed it yet */

	seen s = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, "" };
	assert_int_equal(PrlSrv_RegEventHandler(a, on_event, &s), PRL_ERR_SUCCESS);
	PRL_HANDLE other = vm_by_name(b, "ev-vm");
	assert_int_equal(test_job(PrlVm_Start(other), NULL), PRL_ERR_SUCCESS);
	assert_true(libvirt_mapped(disp.pid));
	assert_true(wait_state(&s, VMS_RUNNING));
	pthread_mutex_lock(&s.mu);
	assert_string_equal(s.uuid, uuid);          /* PrlEvent_GetVm: our object */
	assert_int_equal(s.cached, VMS_RUNNING);    /* updated before delivery */
	pthread_mutex_unlock(&s.mu);
	assert_int_equal(cached_state(vm), VMS_RUNNING);   /* no refresh needed */

	assert_int_equal(test_job(PrlVm_Pause(other, PRL_FALSE), NULL), PRL_ERR_SUCCESS);
	assert_true(wait_state(&s, VMS_PAUSED));
	assert_int_equal(cached_state(vm), VMS_PAUSED);
	assert_int_equal(test_job(PrlVm_StopEx(other, PSM_KILL, 0), NULL), PRL_ERR_SUCCESS);
	assert_true(wait_state(&s, VMS_STOPPED));
	assert_int_equal(cached_state(vm), VMS_STOPPED);

	PrlSrv_UnregEventHandler(a, on_event, &s);
	PrlHandle_Free(other);
	PrlHandle_Free(vm);
	PRL_HANDLE j = PrlSrv_Logoff(a);
	PrlJob_Wait(j, 10000);
	PrlHandle_Free(j);
	j = PrlSrv_Logoff(b);
	PrlJob_Wait(j, 10000);
	PrlHandle_Free(j);
	PrlHandle_Free(a);
	PrlHandle_Free(b);
}

static PRL_HANDLE registered_vm(PRL_HANDLE s, const char *name, PRL_VM_AUTOSTART_OPTION as)
{
	PRL_HANDLE vm;
	assert_int_equal(PrlSrv_CreateVm(s, &vm), PRL_ERR_SUCCESS);
	PrlVmCfg_SetName(vm, name);
	PrlVmCfg_SetRamSize(vm, 128);
	assert_int_equal(PrlVmCfg_SetAutoStart(vm, as), PRL_ERR_SUCCESS);
	assert_int_equal(test_job(PrlVm_Reg(vm, "", PRL_TRUE), NULL), PRL_ERR_SUCCESS);
	return vm;
}

/* Waits (bounded) until the VM named name shows state want in a fresh
 * lookup; returns the last state seen. */
static VIRTUAL_MACHINE_STATE await_state(PRL_HANDLE s, const char *name,
					 VIRTUAL_MACHINE_STATE want)
{
	VIRTUAL_MACHINE_STATE st = VMS_UNKNOWN;
	for (int i = 0; i < 100 && st != want; i++) {
		if (i)
			usleep(100000);
		PRL_HANDLE vm = vm_by_name(s, name);
		st = cached_state(vm);
		PrlHandle_Free(vm);
	}
	return st;
}

/* The dispatcher stopped by sig and started again; a new session on it. */
static PRL_HANDLE restarted(int sig)
{
	test_disp_stop(&disp, sig);
	assert_int_equal(test_disp_restart(&disp), 0);
	return it_login_local();
}

/* prlctl set --autostart on: the dispatcher starts the VM when it starts;
 * "auto": only if it was running when the dispatcher stopped; a VM left at
 * "off" stays stopped. */
static void test_autostart(void **state)
{
	(void)state;
	PRL_HANDLE s = it_login_local();
	PRL_HANDLE on = registered_vm(s, "auto-on", PAO_VM_START_ON_LOAD);
	PRL_HANDLE off = registered_vm(s, "auto-off", PAO_VM_START_MANUAL);
	PRL_HANDLE ran = registered_vm(s, "auto-ran", PAO_VM_START_ON_RELOAD);
	PRL_HANDLE idle = registered_vm(s, "auto-idle", PAO_VM_START_ON_RELOAD);
	assert_int_equal(test_job(PrlVm_Start(ran), NULL), PRL_ERR_SUCCESS);
	assert_int_equal(test_job(PrlVm_Start(off), NULL), PRL_ERR_SUCCESS);
	PrlHandle_Free(on);
	PrlHandle_Free(off);
	PrlHandle_Free(ran);
	PrlHandle_Free(idle);
	it_logoff(s);
	/* A clean stop; the embedded test driver's domains end with it. */
	s = restarted(SIGTERM);
	assert_int_equal(await_state(s, "auto-on", VMS_RUNNING), VMS_RUNNING);
	assert_int_equal(await_state(s, "auto-ran", VMS_RUNNING), VMS_RUNNING);
	assert_int_equal(await_state(s, "auto-off", VMS_STOPPED), VMS_STOPPED);
	assert_int_equal(await_state(s, "auto-idle", VMS_STOPPED), VMS_STOPPED);
	const char *running[] = { "auto-on", "auto-ran" };
	for (int i = 0; i < 2; i++) {
		PRL_HANDLE vm = vm_by_name(s, running[i]);
		assert_int_equal(test_job(PrlVm_StopEx(vm, PSM_KILL, 0), NULL), PRL_ERR_SUCCESS);
		PrlHandle_Free(vm);
	}
	it_logoff(s);
}

/* "auto" after a crash: the dispatcher killed (no clean stop, so no
 * chance to write down what ran) still starts again the VM that ran, and
 * not the one that had been stopped before the crash. */
static void test_autostart_after_crash(void **state)
{
	(void)state;
	PRL_HANDLE s = it_login_local();
	PRL_HANDLE ran = registered_vm(s, "crash-ran", PAO_VM_START_ON_RELOAD);
	PRL_HANDLE was = registered_vm(s, "crash-stopped", PAO_VM_START_ON_RELOAD);
	assert_int_equal(test_job(PrlVm_Start(was), NULL), PRL_ERR_SUCCESS);
	assert_int_equal(test_job(PrlVm_Start(ran), NULL), PRL_ERR_SUCCESS);
	assert_int_equal(test_job(PrlVm_StopEx(was, PSM_KILL, 0), NULL), PRL_ERR_SUCCESS);
	PrlHandle_Free(ran);
	PrlHandle_Free(was);
	it_logoff(s);
	s = restarted(SIGKILL);
	assert_int_equal(await_state(s, "crash-ran", VMS_RUNNING), VMS_RUNNING);
	assert_int_equal(await_state(s, "crash-stopped", VMS_STOPPED), VMS_STOPPED);
	/* And once more: what the restarted dispatcher started is followed
	 * too (a second crash starts it again). */
	it_logoff(s);
	s = restarted(SIGKILL);
	assert_int_equal(await_state(s, "crash-ran", VMS_RUNNING), VMS_RUNNING);
	assert_int_equal(await_state(s, "crash-stopped", VMS_STOPPED), VMS_STOPPED);
	PRL_HANDLE vm = vm_by_name(s, "crash-ran");
	assert_int_equal(test_job(PrlVm_StopEx(vm, PSM_KILL, 0), NULL), PRL_ERR_SUCCESS);
	PrlHandle_Free(vm);
	it_logoff(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_state_from_another_session),
					    cmocka_unit_test(test_autostart),
					    cmocka_unit_test(test_autostart_after_crash) };
	return cmocka_run_group_tests_name("vm events", tests, setup, teardown);
}
