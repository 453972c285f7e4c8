/*
 * t27_events.c — guide task T27: receive and handle events.
 *
 * A per-VM handler (PrlVm_RegEventHandler) gets that VM's events on the
 * library's notification thread.  For PET_DSP_EVT_VM_STATE_CHANGED it reads
 * the "vminfo_vm_state" parameter and prints the new state.  The program
 * then runs one lifecycle operation and waits (at most 60 s) until the
 * handler has seen the state that operation leads to.  Every handle the
 * handler receives is freed by it.
 *
 * Usage: t27_events <vm name> start|stop|pause|suspend|resume
 */
#include <pthread.h>
#include <time.h>

#include "guide.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static VIRTUAL_MACHINE_STATE last_state = VMS_UNKNOWN;

static PRL_RESULT on_vm_event(PRL_HANDLE hEvent, PRL_VOID_PTR pUserData)
{
	PRL_HANDLE_TYPE type;
	PRL_EVENT_TYPE evt;
	PRL_HANDLE hParam;
	PRL_INT32 state;
	(void)pUserData;
	if (PRL_SUCCEEDED(PrlHandle_GetType(hEvent, &type)) && type == PHT_EVENT &&
	    PRL_SUCCEEDED(PrlEvent_GetType(hEvent, &evt)) && evt == PET_DSP_EVT_VM_STATE_CHANGED &&
	    PRL_SUCCEEDED(PrlEvent_GetParamByName(hEvent, "vminfo_vm_state", &hParam))) {
		if (PRL_SUCCEEDED(PrlEvtPrm_ToInt32(hParam, &state))) {
			printf("VM state changed to: %s\n",
			       guide_state_name((VIRTUAL_MACHINE_STATE)state));
			fflush(stdout);
			pthread_mutex_lock(&mu);
			last_state = (VIRTUAL_MACHINE_STATE)state;
			pthread_cond_broadcast(&cv);
			pthread_mutex_unlock(&mu);
		}
		PrlHandle_Free(hParam);
	}
	PrlHandle_Free(hEvent);
	return PRL_ERR_SUCCESS;
}

/* Waits until the handler saw `want`; 0 on success, -1 after 60 s. */
static int wait_for_state(VIRTUAL_MACHINE_STATE want)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 60;
	int rc = 0;
	pthread_mutex_lock(&mu);
	while (last_state != want && rc == 0)
		rc = pthread_cond_timedwait(&cv, &mu, &ts);
	int ok = last_state == want;
	pthread_mutex_unlock(&mu);
	return ok ? 0 : -1;
}

static PRL_HANDLE start_action(PRL_HANDLE hVm, const char *a, VIRTUAL_MACHINE_STATE *want)
{
	if (!strcmp(a, "start"))
		return *want = VMS_RUNNING, PrlVm_Start(hVm);
	if (!strcmp(a, "stop"))
		return *want = VMS_STOPPED, PrlVm_StopEx(hVm, PSM_KILL, 0);
	if (!strcmp(a, "pause"))
		return *want = VMS_PAUSED, PrlVm_Pause(hVm, PRL_FALSE);
	if (!strcmp(a, "suspend"))
		return *want = VMS_SUSPENDED, PrlVm_Suspend(hVm);
	if (!strcmp(a, "resume"))
		return *want = VMS_RUNNING, PrlVm_Resume(hVm);
	return PRL_INVALID_HANDLE;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s <vm name> start|stop|pause|suspend|resume\n", argv[0]);
		return 2;
	}
	PRL_HANDLE hServer = guide_login(), hVm, hJob;
	if (hServer == PRL_INVALID_HANDLE)
		return 1;
	hVm = guide_find_vm(argv[1], hServer);
	PRL_RESULT ret = PRL_ERR_VM_UUID_NOT_FOUND;
	if (hVm != PRL_INVALID_HANDLE) {
		VIRTUAL_MACHINE_STATE want = VMS_UNKNOWN;
		PrlVm_RegEventHandler(hVm, on_vm_event, NULL);
		hJob = start_action(hVm, argv[2], &want);
		if (hJob == PRL_INVALID_HANDLE) {
			fprintf(stderr, "unknown action '%s'\n", argv[2]);
			ret = PRL_ERR_INVALID_ARG;
		} else {
			ret = guide_wait(hJob, 60000, argv[2], NULL);
			if (PRL_SUCCEEDED(ret) && wait_for_state(want)) {
				printf("No state-change event for \"%s\" within 60 s.\n", argv[2]);
				ret = PRL_ERR_TIMEOUT;
			}
		}
		PrlVm_UnregEventHandler(hVm, on_vm_event, NULL);
		PrlHandle_Free(hVm);
	}
	guide_logoff(hServer);
	return PRL_SUCCEEDED(ret) ? 0 : 1;
}
