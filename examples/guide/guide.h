/*
 * guide.h — the few lines every guide-task program repeats: initialise the
 * API, log in locally (the dispatcher's socket comes from $PRL_DISP_SOCKET,
 * as for any OpenPRL client), wait for a job the way the guide does, find a
 * VM by name (the guide's GetVmByName helper, task T15), and undo it all.
 *
 * Header-only on purpose: each task stays one self-contained .c file.
 */
#ifndef OPENPRL_EXAMPLES_GUIDE_H
#define OPENPRL_EXAMPLES_GUIDE_H

#include <stdio.h>
#include <string.h>

#include "Parallels.h"
#include "SdkWrap.h"

/* Waits for hJob; prints the guide's messages and returns the job's code.
 * With phResult, the result handle is handed out on success.  Frees the job. */
static inline PRL_RESULT guide_wait(PRL_HANDLE hJob, PRL_UINT32 msecs, const char *what,
				    PRL_HANDLE_PTR phResult)
{
	PRL_RESULT nJobResult = PRL_ERR_UNINITIALIZED;
	PRL_RESULT ret = PrlJob_Wait(hJob, msecs);
	if (PRL_FAILED(ret)) {
		fprintf(stderr, "PrlJob_Wait for %s returned with error: %s\n", what,
			prl_result_to_string(ret));
		PrlHandle_Free(hJob);
		return ret;
	}
	PrlJob_GetRetCode(hJob, &nJobResult);
	if (PRL_FAILED(nJobResult)) {
		char text[1024] = "";
		PRL_UINT32 len = sizeof(text);
		PRL_HANDLE hErr = PRL_INVALID_HANDLE;
		if (PRL_SUCCEEDED(PrlJob_GetError(hJob, &hErr))) {
			PrlEvent_GetErrString(hErr, PRL_FALSE, PRL_FALSE, text, &len);
			PrlHandle_Free(hErr);
		}
		fprintf(stderr, "%s returned with error: %s%s%s\n", what,
			prl_result_to_string(nJobResult), *text ? ": " : "", text);
	} else if (phResult && PRL_FAILED(PrlJob_GetResult(hJob, phResult))) {
		fprintf(stderr, "PrlJob_GetResult returned with error\n");
	}
	PrlHandle_Free(hJob);
	return nJobResult;
}

/* PrlApi_InitEx + PrlSrv_Create + PrlSrv_LoginLocal.  PRL_INVALID_HANDLE on
 * failure (with the API already deinitialised). */
static inline PRL_HANDLE guide_login(void)
{
	PRL_HANDLE hServer = PRL_INVALID_HANDLE;
	PRL_RESULT ret = PrlApi_InitEx(PARALLELS_API_VER, PAM_SERVER, 0, 0);
	if (PRL_FAILED(ret)) {
		fprintf(stderr, "PrlApi_InitEx returned with error: %s.\n",
			prl_result_to_string(ret));
		return PRL_INVALID_HANDLE;
	}
	ret = PrlSrv_Create(&hServer);
	if (PRL_FAILED(ret)) {
		fprintf(stderr, "PrlSvr_Create failed, error: %s\n", prl_result_to_string(ret));
		PrlApi_Deinit();
		return PRL_INVALID_HANDLE;
	}
	ret = guide_wait(PrlSrv_LoginLocal(hServer, NULL, 0, PSL_NORMAL_SECURITY), 10000,
			 "PrlSrv_LoginLocal", NULL);
	if (PRL_FAILED(ret)) {
		PrlHandle_Free(hServer);
		PrlApi_Deinit();
		return PRL_INVALID_HANDLE;
	}
	return hServer;
}

/* Logs off and releases everything guide_login set up. */
static inline void guide_logoff(PRL_HANDLE hServer)
{
	guide_wait(PrlSrv_Logoff(hServer), 10000, "PrlSrv_Logoff", NULL);
	PrlHandle_Free(hServer);
	PrlApi_Deinit();
}

/* The guide's helper: the VM called szVmName (caller frees), or
 * PRL_INVALID_HANDLE. */
static inline PRL_HANDLE GetVmByName(const char *szVmName, PRL_HANDLE hServer)
{
	PRL_HANDLE hResult = PRL_INVALID_HANDLE, hFound = PRL_INVALID_HANDLE;
	if (PRL_FAILED(guide_wait(PrlSrv_GetVmList(hServer), 10000, "PrlSrv_GetVmList",
				  &hResult)))
		return PRL_INVALID_HANDLE;
	PRL_UINT32 n = 0;
	PrlResult_GetParamsCount(hResult, &n);
	for (PRL_UINT32 i = 0; i < n; i++) {
		PRL_HANDLE hVm = PRL_INVALID_HANDLE;
		char name[1024];
		PRL_UINT32 len = sizeof(name);
		PrlResult_GetParamByIndex(hResult, i, &hVm);
		if (hFound == PRL_INVALID_HANDLE &&
		    PRL_SUCCEEDED(PrlVmCfg_GetName(hVm, name, &len)) && !strcmp(name, szVmName)) {
			hFound = hVm;
			continue;
		}
		PrlHandle_Free(hVm);
	}
	PrlHandle_Free(hResult);
	return hFound;
}

/* GetVmByName with the guide's message when there is no such VM. */
static inline PRL_HANDLE guide_find_vm(const char *szVmName, PRL_HANDLE hServer)
{
	PRL_HANDLE hVm = GetVmByName(szVmName, hServer);
	if (hVm == PRL_INVALID_HANDLE)
		printf("Virtual machine \"%s\" was not found.\n", szVmName);
	return hVm;
}

/* A readable word for a VM state (as prlctl prints it). */
static inline const char *guide_state_name(VIRTUAL_MACHINE_STATE s)
{
	switch (s) {
	case VMS_STOPPED: return "stopped";
	case VMS_STARTING: return "starting";
	case VMS_RESTORING: return "restoring";
	case VMS_RUNNING: return "running";
	case VMS_PAUSED: return "paused";
	case VMS_SUSPENDING: return "suspending";
	case VMS_STOPPING: return "stopping";
	case VMS_COMPACTING: return "compacting";
	case VMS_SUSPENDED: return "suspended";
	case VMS_SNAPSHOTING: return "snapshoting";
	case VMS_RESETTING: return "resetting";
	case VMS_PAUSING: return "pausing";
	case VMS_CONTINUING: return "continuing";
	case VMS_MIGRATING: return "migrating";
	case VMS_DELETING_STATE: return "del_snapshot";
	case VMS_RESUMING: return "resuming";
	default: return "unknown";
	}
}

/* The guest OS family of a PVS_GUEST_TYPE_* value. */
static inline const char *guide_os_family(PRL_UINT32 t)
{
	switch (t) {
	case PVS_GUEST_TYPE_WINDOWS: return "Windows";
	case PVS_GUEST_TYPE_LINUX: return "Linux";
	case PVS_GUEST_TYPE_MACOS: return "Mac OS X";
	case PVS_GUEST_TYPE_FREEBSD: return "FreeBSD";
	default: return "Other";
	}
}

#endif
