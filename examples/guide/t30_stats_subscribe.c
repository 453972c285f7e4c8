/*
 * t30_stats_subscribe.c — guide task T30: statistics by subscription.
 *
 * The handler ignores everything but statistics events, prints a header on
 * its first call, then one row per event: CPU usage, RAM used/total and the
 * first disk's usage, from the "statistics" parameter turned into a
 * PHT_SYSTEM_STATISTICS handle with PrlEvtPrm_ToHandle.  The host is
 * watched with PrlSrv_SubscribeToHostStatistics; with a VM name, that VM
 * with PrlVm_SubscribeToGuestStatistics and a per-VM handler.  The program
 * waits (bounded) for the given number of rows, then unsubscribes.
 *
 * Usage: t30_stats_subscribe [rows] [<vm name>]
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "guide.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int rows;
static PRL_EVENT_TYPE wanted = PET_DSP_EVT_HOST_STATISTICS_UPDATED;

static void print_row(PRL_HANDLE hStats, int first)
{
	PRL_UINT32 cpus = 0, usage = 0, disks = 0;
	PRL_UINT64 ram_used = 0, ram_total = 0, disk_used = 0, disk_free = 0;
	PRL_HANDLE h;
	PrlStat_GetCpusStatsCount(hStats, &cpus);
	if (cpus && PRL_SUCCEEDED(PrlStat_GetCpuStat(hStats, 0, &h))) {
		PrlStatCpu_GetCpuUsage(h, &usage);
		PrlHandle_Free(h);
	}
	PrlStat_GetUsageRamSize(hStats, &ram_used);
	PrlStat_GetTotalRamSize(hStats, &ram_total);
	PrlStat_GetDisksStatsCount(hStats, &disks);
	if (disks && PRL_SUCCEEDED(PrlStat_GetDiskStat(hStats, 0, &h))) {
		PrlStatDisk_GetUsageDiskSpace(h, &disk_used);
		PrlStatDisk_GetFreeDiskSpace(h, &disk_free);
		PrlHandle_Free(h);
	}
	if (first)
		printf("%8s %12s %12s %12s %12s\n", "CPU %", "RAM used MB", "RAM total MB",
		       "Disk used MB", "Disk free MB");
	printf("%8u %12llu %12llu %12llu %12llu\n", usage, ram_used >> 20, ram_total >> 20,
	       disk_used >> 20, disk_free >> 20);
	fflush(stdout);
}

static PRL_RESULT OnStatisticsUpdated(PRL_HANDLE hEvent, PRL_VOID_PTR pUserData)
{
	PRL_HANDLE_TYPE type;
	PRL_EVENT_TYPE evt;
	PRL_HANDLE hParam, hStats;
	(void)pUserData;
	if (PRL_SUCCEEDED(PrlHandle_GetType(hEvent, &type)) && type == PHT_EVENT &&
	    PRL_SUCCEEDED(PrlEvent_GetType(hEvent, &evt)) && evt == wanted &&
	    PRL_SUCCEEDED(PrlEvent_GetParam(hEvent, 0, &hParam))) {
		if (PRL_SUCCEEDED(PrlEvtPrm_ToHandle(hParam, &hStats))) {
			pthread_mutex_lock(&mu);
			print_row(hStats, rows == 0);
			rows++;
			pthread_cond_broadcast(&cv);
			pthread_mutex_unlock(&mu);
			PrlHandle_Free(hStats);
		}
		PrlHandle_Free(hParam);
	}
	PrlHandle_Free(hEvent);
	return PRL_ERR_SUCCESS;
}

/* Waits for `want` rows, at most 5 s per row. */
static int wait_rows(int want)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 5 * want;
	int rc = 0;
	pthread_mutex_lock(&mu);
	while (rows < want && rc == 0)
		rc = pthread_cond_timedwait(&cv, &mu, &ts);
	int got = rows;
	pthread_mutex_unlock(&mu);
	return got;
}

int main(int argc, char **argv)
{
	int want = argc > 1 ? atoi(argv[1]) : 3;
	PRL_HANDLE hServer = guide_login(), hVm = PRL_INVALID_HANDLE;
	if (hServer == PRL_INVALID_HANDLE)
		return 1;
	PRL_RESULT ret;
	if (argc > 2) {
		hVm = guide_find_vm(argv[2], hServer);
		if (hVm == PRL_INVALID_HANDLE) {
			guide_logoff(hServer);
			return 1;
		}
		wanted = PET_DSP_EVT_VM_STATISTICS_UPDATED;
		PrlVm_RegEventHandler(hVm, OnStatisticsUpdated, NULL);
		ret = guide_wait(PrlVm_SubscribeToGuestStatistics(hVm), 10000,
				 "PrlVm_SubscribeToGuestStatistics", NULL);
	} else {
		PrlSrv_RegEventHandler(hServer, OnStatisticsUpdated, NULL);
		ret = guide_wait(PrlSrv_SubscribeToHostStatistics(hServer), 10000,
				 "PrlSrv_SubscribeToHostStatistics", NULL);
	}
	int got = PRL_SUCCEEDED(ret) ? wait_rows(want) : 0;
	if (PRL_SUCCEEDED(ret) && got < want) {
		printf("Only %d of %d statistics events arrived.\n", got, want);
		ret = PRL_ERR_TIMEOUT;
	}
	if (hVm != PRL_INVALID_HANDLE) {
		guide_wait(PrlVm_UnsubscribeFromGuestStatistics(hVm), 10000,
			   "PrlVm_UnsubscribeFromGuestStatistics", NULL);
		PrlVm_UnregEventHandler(hVm, OnStatisticsUpdated, NULL);
		PrlHandle_Free(hVm);
	} else {
		guide_wait(PrlSrv_UnsubscribeFromHostStatistics(hServer), 10000,
			   "PrlSrv_UnsubscribeFromHostStatistics", NULL);
		PrlSrv_UnregEventHandler(hServer, OnStatisticsUpdated, NULL);
	}
	guide_logoff(hServer);
	return PRL_SUCCEEDED(ret) ? 0 : 1;
}
