/*
 * seed_callback.c — the SDK documentation's callback skeleton
 * ("Asynchronous functions"), completed into a program.
 *
 * It logs in locally, registers OurCallbackFunction, asks for the VM list and
 * frees that job at once (the callback receives it), subscribes to host
 * statistics and prints a few updates as they arrive, then unsubscribes,
 * unregisters, logs off and deinitialises — leaving no handle behind.
 *
 *   usage: seed_callback [updates]       (default 3)
 * The dispatcher is found at $PRL_DISP_SOCKET or the default local socket.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "Parallels.h"
#include "SdkWrap.h"

typedef struct ReturnDataClass {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int vm_list_done;
	int vm_count;
	int stats_seen;
} ReturnDataClass;

static void print_statistics(PRL_HANDLE hStat, int n)
{
	PRL_UINT64 total = 0, used = 0, uptime = 0;
	PRL_UINT32 cpus = 0, usage = 0;
	PrlStat_GetTotalRamSize(hStat, &total);
	PrlStat_GetUsageRamSize(hStat, &used);
	PrlStat_GetOsUptime(hStat, &uptime);
	PrlStat_GetCpusStatsCount(hStat, &cpus);
	if (cpus > 0) {
		PRL_HANDLE hCpu;
		if (PrlStat_GetCpuStat(hStat, 0, &hCpu) == PRL_ERR_SUCCESS) {
			PrlStatCpu_GetCpuUsage(hCpu, &usage);
			PrlHandle_Free(hCpu);
		}
	}
	printf("host statistics #%d: %u CPU(s), cpu0 %u%%, RAM %llu/%llu MiB used, up %llu s\n",
	       n, cpus, usage, used >> 20, total >> 20, uptime);
}

/* The skeleton from the documentation, with the blanks filled in. */
static PRL_RESULT OurCallbackFunction(PRL_HANDLE hHandle, PRL_VOID_PTR pUserData)
{
	ReturnDataClass *rd = pUserData;
	PRL_JOB_OPERATION_CODE nJobType = PJOC_UNKNOWN;
	PRL_HANDLE_TYPE nHandleType = PHT_ERROR;
	PRL_HANDLE hVm = PRL_INVALID_HANDLE;
	PRL_HANDLE hJobResult = PRL_INVALID_HANDLE;
	PRL_UINT32 nParamsCount = 0;
	PRL_UINT32 nParamIndex = 0;

	PrlHandle_GetType(hHandle, &nHandleType);
	if (nHandleType == PHT_EVENT) {
		PRL_EVENT_TYPE EventType;
		PrlEvent_GetType(hHandle, &EventType);
		if (EventType == PET_DSP_EVT_HOST_STATISTICS_UPDATED) {
			PRL_HANDLE hEventParameters;
			PRL_HANDLE hServerStatistics;
			PrlEvent_GetParam(hHandle, 0, &hEventParameters);
			if (PrlEvtPrm_ToHandle(hEventParameters, &hServerStatistics) == PRL_ERR_SUCCESS) {
				pthread_mutex_lock(&rd->mu);
				int n = ++rd->stats_seen;
				pthread_mutex_unlock(&rd->mu);
				print_statistics(hServerStatistics, n);
				PrlHandle_Free(hServerStatistics);
				pthread_cond_broadcast(&rd->cv);
			}
			PrlHandle_Free(hEventParameters);
		}
	} else if (nHandleType == PHT_JOB) {
		PrlJob_GetOpCode(hHandle, &nJobType);
		if (nJobType == PJOC_SRV_GET_VM_LIST) {
			PRL_RESULT nJobRetCode;
			PrlJob_GetRetCode(hHandle, &nJobRetCode);
			if (PRL_FAILED(nJobRetCode)) {
				fprintf(stderr, "[B]%.8X: %s\n", nJobRetCode,
					prl_result_to_string(nJobRetCode));
				PrlHandle_Free(hHandle);
				return nJobRetCode;
			}
			PrlJob_GetResult(hHandle, &hJobResult);
			PrlResult_GetParamsCount(hJobResult, &nParamsCount);
			for (nParamIndex = 0; nParamIndex < nParamsCount; nParamIndex++) {
				char name[256];
				PRL_UINT32 len = sizeof(name);
				PrlResult_GetParamByIndex(hJobResult, nParamIndex, &hVm);
				if (PrlVmCfg_GetName(hVm, name, &len) == PRL_ERR_SUCCESS)
					printf("VM: %s\n", name);
				PrlHandle_Free(hVm);
			}
			PrlHandle_Free(hJobResult);
			pthread_mutex_lock(&rd->mu);
			rd->vm_count = (int)nParamsCount;
			rd->vm_list_done = 1;
			pthread_cond_broadcast(&rd->cv);
			pthread_mutex_unlock(&rd->mu);
		}
	}
	PrlHandle_Free(hHandle);
	return PRL_ERR_SUCCESS;
}

/* Runs an async call synchronously; prints and returns its failure. */
static PRL_RESULT wait_job(PRL_HANDLE hJob, const char *what)
{
	PRL_RESULT ret = PrlJob_Wait(hJob, 10000), rc = ret;
	if (PRL_SUCCEEDED(ret))
		PrlJob_GetRetCode(hJob, &rc);
	if (PRL_FAILED(rc))
		fprintf(stderr, "%s failed: %s\n", what, prl_result_to_string(rc));
	PrlHandle_Free(hJob);
	return rc;
}

static int wait_for(ReturnDataClass *rd, int *field, int want, int seconds)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += seconds;
	pthread_mutex_lock(&rd->mu);
	while (*field < want)
		if (pthread_cond_timedwait(&rd->cv, &rd->mu, &ts))
			break;
	int ok = *field >= want;
	pthread_mutex_unlock(&rd->mu);
	return ok;
}

int main(int argc, char **argv)
{
	int updates = argc > 1 ? atoi(argv[1]) : 3;
	PRL_HANDLE hServer = PRL_INVALID_HANDLE, hJob;
	ReturnDataClass rd = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0 };
	int status = 1;

	PRL_RESULT ret = PrlApi_InitEx(PARALLELS_API_VER, PAM_SERVER, 0, 0);
	if (PRL_FAILED(ret)) {
		fprintf(stderr, "PrlApi_InitEx returned with error: %s.\n", PRL_RESULT_TO_STRING(ret));
		return 1;
	}
	PrlSrv_Create(&hServer);
	if (PRL_FAILED(wait_job(PrlSrv_LoginLocal(hServer, NULL, 0, PSL_HIGH_SECURITY), "login")))
		goto out;
	printf("login successfully performed\n");

	PrlSrv_RegEventHandler(hServer, OurCallbackFunction, &rd);
	hJob = PrlSrv_GetVmList(hServer);
	PrlHandle_Free(hJob);
	if (!wait_for(&rd, &rd.vm_list_done, 1, 10)) {
		fprintf(stderr, "the VM list never reached the callback\n");
		goto unreg;
	}
	printf("%d virtual machine(s) registered\n", rd.vm_count);

	if (PRL_FAILED(wait_job(PrlSrv_SubscribeToHostStatistics(hServer), "subscribe")))
		goto unreg;
	int got = wait_for(&rd, &rd.stats_seen, updates, updates * 2 + 5);
	wait_job(PrlSrv_UnsubscribeFromHostStatistics(hServer), "unsubscribe");
	if (!got) {
		fprintf(stderr, "fewer than %d statistics updates arrived\n", updates);
		goto unreg;
	}
	status = 0;
unreg:
	PrlSrv_UnregEventHandler(hServer, OurCallbackFunction, &rd);
	wait_job(PrlSrv_Logoff(hServer), "logoff");
out:
	PrlHandle_Free(hServer);
	PRL_UINT32 live = 0;
	PrlDbg_GetHandlesNum(&live, PHT_ERROR);
	printf("handles alive before PrlApi_Deinit: %u\n", live);
	PrlApi_Deinit();
	return status;
}
