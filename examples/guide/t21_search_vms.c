/*
 * t21_search_vms.c — guide task T21: find unregistered VMs on disk.
 *
 * The paths to search go into a strings list for PrlSrv_StartSearchVms.
 * Each VM found is one PHT_FOUND_VM_INFO in the job's result (the real
 * dispatcher also sends a PET_DSP_EVT_FOUND_LOST_VM_CONFIG event for each;
 * OpenPRL's does not yet).
 *
 * Usage: t21_search_vms <dir> [<dir> ...]
 */
#include "guide.h"

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s <dir> [<dir> ...]\n", argv[0]);
		return 2;
	}
	PRL_HANDLE hServer = guide_login(), hStringList = PRL_INVALID_HANDLE;
	PRL_HANDLE hResult = PRL_INVALID_HANDLE;
	if (hServer == PRL_INVALID_HANDLE)
		return 1;
	PrlApi_CreateStringsList(&hStringList);
	for (int i = 1; i < argc; i++)
		PrlStrList_AddItem(hStringList, argv[i]);
	PRL_RESULT ret = guide_wait(PrlSrv_StartSearchVms(hServer, hStringList), 10000,
				    "PrlSrv_StartSearchVms", &hResult);
	PrlHandle_Free(hStringList);
	if (PRL_SUCCEEDED(ret)) {
		PRL_UINT32 n = 0;
		PrlResult_GetParamsCount(hResult, &n);
		for (PRL_UINT32 i = 0; i < n; i++) {
			PRL_HANDLE hFound;
			PRL_HANDLE_TYPE t;
			char name[1024], path[4096];
			PRL_UINT32 len = sizeof(name), plen = sizeof(path);
			PrlResult_GetParamByIndex(hResult, i, &hFound);
			PrlHandle_GetType(hFound, &t);
			printf("Handle Type: %s\n", handle_type_to_string(t));
			PrlFoundVmInfo_GetName(hFound, name, &len);
			PrlFoundVmInfo_GetConfigPath(hFound, path, &plen);
			printf("VM name: %s\n", name);
			printf("Config path: %s\n", path);
			PrlHandle_Free(hFound);
		}
		PrlHandle_Free(hResult);
	}
	guide_logoff(hServer);
	return PRL_SUCCEEDED(ret) ? 0 : 1;
}
