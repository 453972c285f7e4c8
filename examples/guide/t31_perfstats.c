/*
 * t31_perfstats.c — guide task T31: performance counters, printed the way
 * `prlctl statistics` prints them: the VM's UUID on a line, then one
 * "\t<name>:\t<value>" line per counter.
 *
 * On demand (the default): PrlVm_GetPerfStats → the job's result holds one
 * PHT_EVENT whose parameters are the counters.  With -s: a per-VM handler
 * and PrlVm_SubscribeToPerfStats, waiting (up to 10 s, as prlctl does) for
 * one PET_DSP_EVT_VM_PERFSTATS event, then PrlVm_UnsubscribeFromPerfStats.
 * Each counter is read with PrlEvtPrm_GetName and PrlEvtPrm_ToString;
 * binary counters (classful traffic) are skipped.  The filter is a counter
 * name or pattern ("guest.cpu.*", PRL_SATA_READ_TOTAL_PTRN…); none means
 * every counter.  Without a VM name every running VM is shown.
 *
 * Usage: t31_perfstats [-s] [-f <filter>] [<vm name>]
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "guide.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int printed;

/* The VM's UUID line, then its counters. */
static void print_perfstats(PRL_HANDLE hEvent, PRL_HANDLE hVm)
{
	char uuid[64] = "";
	PRL_UINT32 len = sizeof(uuid), count = 0;
	PrlVmCfg_GetUuid(hVm, uuid, &len);
	PrlEvent_GetParamsCount(hEvent, &count);
	printf("%s\n", uuid);
	for (PRL_UINT32 i = 0; i < count; i++) {
		PRL_HANDLE hPrm;
		char name[1024], value[1024];
		PRL_PARAM_FIELD_DATA_TYPE type = PFD_UNKNOWN;
		if (PRL_FAILED(PrlEvent_GetParam(hEvent, i, &hPrm)))
			continue;
		len = sizeof(name);
		PrlEvtPrm_GetName(hPrm, name, &len);
		PrlEvtPrm_GetType(hPrm, &type);
		len = sizeof(value);
		if (type != PFD_BINARY && PRL_SUCCEEDED(PrlEvtPrm_ToString(hPrm, value, &len)))
			printf("\t%s:\t%s\n", name, value);
		PrlHandle_Free(hPrm);
	}
	fflush(stdout);
}

/* On demand: the job's result parameter is the counters' event. */
static PRL_RESULT show_once(PRL_HANDLE hVm, const char *filter)
{
	PRL_HANDLE hResult = PRL_INVALID_HANDLE, hEvent;
	PRL_RESULT ret = guide_wait(PrlVm_GetPerfStats(hVm, filter), 20000,
				    "PrlVm_GetPerfStats", &hResult);
	if (PRL_FAILED(ret))
		return ret;
	ret = PrlResult_GetParam(hResult, &hEvent);
	if (PRL_SUCCEEDED(ret)) {
		print_perfstats(hEvent, hVm);
		PrlHandle_Free(hEvent);
	}
	PrlHandle_Free(hResult);
	return ret;
}

static PRL_RESULT OnVmPerfStats(PRL_HANDLE hEvent, PRL_VOID_PTR pUserData)
{
	PRL_EVENT_TYPE type;
	if (PRL_SUCCEEDED(PrlEvent_GetType(hEvent, &type)) &&
	    type == PET_DSP_EVT_VM_PERFSTATS) {
		pthread_mutex_lock(&mu);
		if (!printed++)
			print_perfstats(hEvent, (PRL_HANDLE)pUserData);
		pthread_cond_broadcast(&cv);
		pthread_mutex_unlock(&mu);
	}
	PrlHandle_Free(hEvent);
	return PRL_ERR_SUCCESS;
}

/* Waits up to 10 s for the handler's first event. */
static int wait_printed(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	pthread_mutex_lock(&mu);
	while (!printed && pthread_cond_timedwait(&cv, &mu, &ts) == 0)
		;
	int got = printed;
	pthread_mutex_unlock(&mu);
	return got;
}

/* By subscription: one sample through a per-VM handler. */
static PRL_RESULT show_subscribed(PRL_HANDLE hVm, const char *filter)
{
	printed = 0;
	PrlVm_RegEventHandler(hVm, OnVmPerfStats, hVm);
	PRL_RESULT ret = guide_wait(PrlVm_SubscribeToPerfStats(hVm, filter), 10000,
				    "PrlVm_SubscribeToPerfStats", NULL);
	if (PRL_SUCCEEDED(ret) && !wait_printed()) {
		printf("No performance counters arrived within 10 s.\n");
		ret = PRL_ERR_TIMEOUT;
	}
	guide_wait(PrlVm_UnsubscribeFromPerfStats(hVm), 10000,
		   "PrlVm_UnsubscribeFromPerfStats", NULL);
	PrlVm_UnregEventHandler(hVm, OnVmPerfStats, hVm);
	return ret;
}

static int is_running(PRL_HANDLE hVm)
{
	PRL_HANDLE hInfo;
	VIRTUAL_MACHINE_STATE state = VMS_UNKNOWN;
	if (PRL_SUCCEEDED(PrlVmCfg_GetVmInfo(hVm, &hInfo))) {
		PrlVmInfo_GetState(hInfo, &state);
		PrlHandle_Free(hInfo);
	}
	return state == VMS_RUNNING || state == VMS_PAUSED;
}

/* Every running VM, as `prlctl statistics --all` lists them. */
static PRL_RESULT show_all(PRL_HANDLE hServer, const char *filter, int subscribe)
{
	PRL_HANDLE hResult = PRL_INVALID_HANDLE;
	PRL_RESULT ret = guide_wait(PrlSrv_GetVmList(hServer), 10000, "PrlSrv_GetVmList",
				    &hResult);
	PRL_UINT32 n = 0;
	PrlResult_GetParamsCount(hResult, &n);
	for (PRL_UINT32 i = 0; i < n && PRL_SUCCEEDED(ret); i++) {
		PRL_HANDLE hVm;
		PrlResult_GetParamByIndex(hResult, i, &hVm);
		if (is_running(hVm))
			ret = subscribe ? show_subscribed(hVm, filter) : show_once(hVm, filter);
		PrlHandle_Free(hVm);
	}
	if (hResult != PRL_INVALID_HANDLE)
		PrlHandle_Free(hResult);
	return ret;
}

int main(int argc, char **argv)
{
	int subscribe = 0, opt;
	const char *filter = "";
	while ((opt = getopt(argc, argv, "sf:")) != -1) {
		if (opt == 's')
			subscribe = 1;
		else if (opt == 'f')
			filter = optarg;
		else {
			fprintf(stderr, "usage: %s [-s] [-f <filter>] [<vm name>]\n", argv[0]);
			return 2;
		}
	}
	PRL_HANDLE hServer = guide_login();
	if (hServer == PRL_INVALID_HANDLE)
		return 1;
	PRL_RESULT ret;
	if (optind < argc) {
		PRL_HANDLE hVm = guide_find_vm(argv[optind], hServer);
		if (hVm == PRL_INVALID_HANDLE) {
			guide_logoff(hServer);
			return 1;
		}
		ret = subscribe ? show_subscribed(hVm, filter) : show_once(hVm, filter);
		PrlHandle_Free(hVm);
	} else {
		ret = show_all(hServer, filter, subscribe);
	}
	guide_logoff(hServer);
	return PRL_SUCCEEDED(ret) ? 0 : 1;
}
