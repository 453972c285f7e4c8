/*
 * t29_statistics.c — guide task T29: statistics on demand.
 *
 * PrlSrv_GetStatistics gives one PHT_SYSTEM_STATISTICS snapshot of the host;
 * PrlVm_GetStatistics the same for a running VM.  Prints CPU usage per CPU,
 * RAM and swap, uptime, and disk usage.
 *
 * Usage: t29_statistics [<vm name>]
 */
#include "guide.h"

static void print_stats(PRL_HANDLE hStat)
{
	PRL_UINT32 n = 0;
	PrlStat_GetCpusStatsCount(hStat, &n);
	for (PRL_UINT32 i = 0; i < n; i++) {
		PRL_HANDLE hCpu;
		PRL_UINT32 usage = 0;
		PrlStat_GetCpuStat(hStat, i, &hCpu);
		PrlStatCpu_GetCpuUsage(hCpu, &usage);
		printf("CPU %u usage: %u%%\n", i, usage);
		PrlHandle_Free(hCpu);
	}
	PRL_UINT64 total = 0, used = 0, free_ram = 0, swap = 0, uptime = 0;
	PrlStat_GetTotalRamSize(hStat, &total);
	PrlStat_GetUsageRamSize(hStat, &used);
	PrlStat_GetFreeRamSize(hStat, &free_ram);
	PrlStat_GetTotalSwapSize(hStat, &swap);
	PrlStat_GetOsUptime(hStat, &uptime);
	printf("RAM total: %llu MB\nRAM used: %llu MB\nRAM free: %llu MB\n", total >> 20,
	       used >> 20, free_ram >> 20);
	printf("Swap total: %llu MB\nUptime: %llu s\n", swap >> 20, uptime);
	PrlStat_GetDisksStatsCount(hStat, &n);
	for (PRL_UINT32 i = 0; i < n; i++) {
		PRL_HANDLE hDisk;
		PRL_UINT64 dused = 0, dfree = 0;
		PrlStat_GetDiskStat(hStat, i, &hDisk);
		PrlStatDisk_GetUsageDiskSpace(hDisk, &dused);
		PrlStatDisk_GetFreeDiskSpace(hDisk, &dfree);
		printf("Disk %u: %llu MB used, %llu MB free\n", i, dused >> 20, dfree >> 20);
		PrlHandle_Free(hDisk);
	}
}

/* Runs a statistics job and prints its snapshot. */
static PRL_RESULT show(PRL_HANDLE hJob, const char *what)
{
	PRL_HANDLE hResult = PRL_INVALID_HANDLE, hStat;
	PRL_RESULT ret = guide_wait(hJob, 10000, what, &hResult);
	if (PRL_FAILED(ret))
		return ret;
	ret = PrlResult_GetParam(hResult, &hStat);
	if (PRL_SUCCEEDED(ret)) {
		print_stats(hStat);
		PrlHandle_Free(hStat);
	}
	PrlHandle_Free(hResult);
	return ret;
}

int main(int argc, char **argv)
{
	PRL_HANDLE hServer = guide_login(), hVm;
	if (hServer == PRL_INVALID_HANDLE)
		return 1;
	printf("Host statistics:\n");
	PRL_RESULT ret = show(PrlSrv_GetStatistics(hServer), "PrlSrv_GetStatistics");
	if (PRL_SUCCEEDED(ret) && argc > 1) {
		hVm = guide_find_vm(argv[1], hServer);
		ret = PRL_ERR_VM_UUID_NOT_FOUND;
		if (hVm != PRL_INVALID_HANDLE) {
			printf("Statistics of \"%s\":\n", argv[1]);
			ret = show(PrlVm_GetStatistics(hVm), "PrlVm_GetStatistics");
			PrlHandle_Free(hVm);
		}
	}
	guide_logoff(hServer);
	return PRL_SUCCEEDED(ret) ? 0 : 1;
}
