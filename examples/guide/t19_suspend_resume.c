/*
 * t19_suspend_resume.c — guide task T19: suspend, resume, pause, continue.
 *
 * PrlVm_Suspend saves the VM's state to disk; PrlVm_Resume brings it back
 * (its job reports PJOC_VM_START); PrlVm_DropSuspendedState throws the saved
 * state away.  PrlVm_Pause freezes a running VM and PrlVm_Start continues it,
 * as the guide teaches.
 *
 * Usage: t19_suspend_resume <vm name> suspend|resume|drop|pause|continue
 */
#include "guide.h"

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s <vm name> suspend|resume|drop|pause|continue\n",
			argv[0]);
		return 2;
	}
	const char *action = argv[2], *what = NULL, *done = NULL;
	PRL_HANDLE hServer = guide_login(), hVm, hJob = PRL_INVALID_HANDLE;
	if (hServer == PRL_INVALID_HANDLE)
		return 1;
	hVm = guide_find_vm(argv[1], hServer);
	PRL_RESULT ret = PRL_ERR_VM_UUID_NOT_FOUND;
	if (hVm != PRL_INVALID_HANDLE) {
		if (!strcmp(action, "suspend")) {
			hJob = PrlVm_Suspend(hVm), what = "PrlVm_Suspend", done = "suspended";
		} else if (!strcmp(action, "resume")) {
			hJob = PrlVm_Resume(hVm), what = "PrlVm_Resume", done = "resumed";
		} else if (!strcmp(action, "drop")) {
			hJob = PrlVm_DropSuspendedState(hVm), what = "PrlVm_DropSuspendedState";
			done = "stopped; its suspended state was dropped";
		} else if (!strcmp(action, "pause")) {
			hJob = PrlVm_Pause(hVm, PRL_FALSE), what = "PrlVm_Pause", done = "paused";
		} else if (!strcmp(action, "continue")) {
			hJob = PrlVm_Start(hVm), what = "PrlVm_Start", done = "continued";
		} else {
			fprintf(stderr, "unknown action '%s': use suspend, resume, drop, pause or "
				"continue\n", action);
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
