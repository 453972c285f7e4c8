/*
 * t18_start_stop.c — guide task T18: start, stop, reset and restart a VM.
 *
 * One lifecycle call per run: PrlVm_Start, PrlVm_Stop (graceful or power
 * off), PrlVm_StopEx with PSM_KILL, PrlVm_Reset or PrlVm_Restart.  Real VMs
 * take a while, so the wait is generous.
 *
 * Usage: t18_start_stop <vm name> start|stop|poweroff|kill|reset|restart
 */
#include "guide.h"

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s <vm name> start|stop|poweroff|kill|reset|restart\n",
			argv[0]);
		return 2;
	}
	const char *action = argv[2];
	PRL_HANDLE hServer = guide_login(), hVm, hJob = PRL_INVALID_HANDLE;
	const char *what = NULL, *done = NULL;
	if (hServer == PRL_INVALID_HANDLE)
		return 1;
	hVm = guide_find_vm(argv[1], hServer);
	PRL_RESULT ret = PRL_ERR_VM_UUID_NOT_FOUND;
	if (hVm != PRL_INVALID_HANDLE) {
		if (!strcmp(action, "start")) {
			hJob = PrlVm_Start(hVm), what = "PrlVm_Start", done = "started";
		} else if (!strcmp(action, "stop")) {
			hJob = PrlVm_Stop(hVm, PRL_TRUE), what = "PrlVm_Stop", done = "stopped";
		} else if (!strcmp(action, "poweroff")) {
			hJob = PrlVm_Stop(hVm, PRL_FALSE), what = "PrlVm_Stop", done = "stopped";
		} else if (!strcmp(action, "kill")) {
			hJob = PrlVm_StopEx(hVm, PSM_KILL, 0), what = "PrlVm_StopEx", done = "stopped";
		} else if (!strcmp(action, "reset")) {
			hJob = PrlVm_Reset(hVm), what = "PrlVm_Reset", done = "reset";
		} else if (!strcmp(action, "restart")) {
			hJob = PrlVm_Restart(hVm), what = "PrlVm_Restart", done = "restarted";
		} else {
			fprintf(stderr, "unknown action '%s': use start, stop, poweroff, kill, "
				"reset or restart\n", action);
		}
		if (what) {
			ret = guide_wait(hJob, 60000, what, NULL);
			if (PRL_SUCCEEDED(ret))
				printf("Virtual machine %s.\n", done);
		}
		PrlHandle_Free(hVm);
	}
	guide_logoff(hServer);
	return PRL_SUCCEEDED(ret) ? 0 : 1;
}
