/*
 * seed_sync.c — "using asynchronous functions synchronously": the same
 * session as seed_callback.c, with every job waited for by PrlJob_Wait.
 * Logs in locally, prints the host configuration, the VM list and one
 * statistics snapshot, logs off.
 */
#include <stdio.h>

#include "Parallels.h"
#include "SdkWrap.h"

/* Waits for hJob and returns its result handle (or INVALID on failure). */
static PRL_HANDLE run(PRL_HANDLE hJob, const char *what)
{
	PRL_HANDLE hResult = PRL_INVALID_HANDLE;
	PRL_RESULT ret = PrlJob_Wait(hJob, 10000), nJobResult = ret;
	if (PRL_FAILED(ret)) {
		fprintf(stderr, "PrlJob_Wait for %s returned with error: %s\n", what,
			prl_result_to_string(ret));
	} else {
		PrlJob_GetRetCode(hJob, &nJobResult);
		if (PRL_FAILED(nJobResult))
			fprintf(stderr, "%s returned with error: %s\n", what,
				prl_result_to_string(nJobResult));
		else
			PrlJob_GetResult(hJob, &hResult);
	}
	PrlHandle_Free(hJob);
	return hResult;
}

static void print_host(PRL_HANDLE hServer)
{
	PRL_HANDLE hResult = run(PrlSrv_GetSrvConfig(hServer), "PrlSrv_GetSrvConfig");
	PRL_HANDLE hCfg;
	if (!hResult || PRL_FAILED(PrlResult_GetParam(hResult, &hCfg)))
		return;
	char model[256], host[256], os[256];
	PRL_UINT32 len, cpus = 0, mhz = 0, ram = 0;
	len = sizeof(model);
	PrlSrvCfg_GetCpuModel(hCfg, model, &len);
	len = sizeof(host);
	PrlSrvCfg_GetHostname(hCfg, host, &len);
	len = sizeof(os);
	PrlSrvCfg_GetHostOsStrPresentation(hCfg, os, &len);
	PrlSrvCfg_GetCpuCount(hCfg, &cpus);
	PrlSrvCfg_GetCpuSpeed(hCfg, &mhz);
	PrlSrvCfg_GetHostRamSize(hCfg, &ram);
	printf("Host: %s\nOS: %s\nCPU model: %s\nCPU count: %u\nCPU speed: %u\nRAM: %u MB\n",
	       host, os, model, cpus, mhz, ram);
	PrlHandle_Free(hCfg);
	PrlHandle_Free(hResult);
}

static void print_vms(PRL_HANDLE hServer)
{
	PRL_HANDLE hResult = run(PrlSrv_GetVmList(hServer), "PrlSrv_GetVmList");
	PRL_UINT32 n = 0;
	if (!hResult)
		return;
	PrlResult_GetParamsCount(hResult, &n);
	printf("VMs: %u\n", n);
	for (PRL_UINT32 i = 0; i < n; i++) {
		PRL_HANDLE hVm, hInfo;
		char name[256], uuid[64];
		PRL_UINT32 len = sizeof(name), ulen = sizeof(uuid);
		VIRTUAL_MACHINE_STATE st = VMS_UNKNOWN;
		PrlResult_GetParamByIndex(hResult, i, &hVm);
		PrlVmCfg_GetName(hVm, name, &len);
		PrlVmCfg_GetUuid(hVm, uuid, &ulen);
		if (PrlVmCfg_GetVmInfo(hVm, &hInfo) == PRL_ERR_SUCCESS) {
			PrlVmInfo_GetState(hInfo, &st);
			PrlHandle_Free(hInfo);
		}
		printf("  %s %s state 0x%08X\n", uuid, name, (unsigned)st);
		PrlHandle_Free(hVm);
	}
	PrlHandle_Free(hResult);
}

static void print_stats(PRL_HANDLE hServer)
{
	PRL_HANDLE hResult = run(PrlSrv_GetStatistics(hServer), "PrlSrv_GetStatistics");
	PRL_HANDLE hStat;
	if (!hResult || PRL_FAILED(PrlResult_GetParam(hResult, &hStat)))
		return;
	PRL_UINT64 total = 0, free_ram = 0;
	PRL_UINT32 procs = 0, ifaces = 0;
	PrlStat_GetTotalRamSize(hStat, &total);
	PrlStat_GetFreeRamSize(hStat, &free_ram);
	PrlStat_GetProcsStatsCount(hStat, &procs);
	PrlStat_GetIfacesStatsCount(hStat, &ifaces);
	printf("RAM: %llu MiB total, %llu MiB free; %u processes, %u interfaces\n",
	       total >> 20, free_ram >> 20, procs, ifaces);
	PrlHandle_Free(hStat);
	PrlHandle_Free(hResult);
}

int main(void)
{
	PRL_HANDLE hServer = PRL_INVALID_HANDLE;
	PRL_RESULT ret = PrlApi_InitEx(PARALLELS_API_VER, PAM_SERVER, 0, 0);
	if (PRL_FAILED(ret)) {
		fprintf(stderr, "PrlApi_InitEx returned with error: %s.\n", PRL_RESULT_TO_STRING(ret));
		return 1;
	}
	PrlSrv_Create(&hServer);
	PRL_HANDLE hJob = PrlSrv_LoginLocal(hServer, NULL, 0, PSL_HIGH_SECURITY);
	ret = PrlJob_Wait(hJob, 10000);
	PRL_RESULT nJobResult = ret;
	if (PRL_SUCCEEDED(ret))
		PrlJob_GetRetCode(hJob, &nJobResult);
	PrlHandle_Free(hJob);
	if (PRL_FAILED(nJobResult)) {
		printf("Login job returned with error: %s\n", prl_result_to_string(nJobResult));
		PrlHandle_Free(hServer);
		PrlApi_Deinit();
		return 1;
	}
	printf("login successfully performed\n");
	print_host(hServer);
	print_vms(hServer);
	print_stats(hServer);
	PRL_HANDLE hRes = run(PrlSrv_Logoff(hServer), "PrlSrv_Logoff");
	if (hRes)
		PrlHandle_Free(hRes);
	PrlHandle_Free(hServer);
	PRL_UINT32 live = 0;
	PrlDbg_GetHandlesNum(&live, PHT_ERROR);
	printf("handles alive before PrlApi_Deinit: %u\n", live);
	PrlApi_Deinit();
	return live == 0 ? 0 : 2;
}
