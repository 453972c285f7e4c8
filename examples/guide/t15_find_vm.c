/*
 * t15_find_vm.c — guide task T15: find a VM by name.
 *
 * Two ways: the guide's GetVmByName helper (list and compare names, see
 * guide.h) and the direct PrlSrv_GetVmConfig, which takes a name or a UUID.
 * Prints the VM's UUID as each way found it.
 *
 * Usage: t15_find_vm <vm name>
 */
#include "guide.h"

static void print_uuid(const char *how, PRL_HANDLE hVm)
{
	char uuid[64];
	PRL_UINT32 len = sizeof(uuid);
	PrlVmCfg_GetUuid(hVm, uuid, &len);
	printf("%s: %s\n", how, uuid);
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "Windows XP - 01";
	PRL_HANDLE hServer = guide_login(), hResult = PRL_INVALID_HANDLE, hVm;
	if (hServer == PRL_INVALID_HANDLE)
		return 1;
	hVm = guide_find_vm(name, hServer);
	int found = hVm != PRL_INVALID_HANDLE;
	if (found) {
		print_uuid("Found by GetVmByName", hVm);
		PrlHandle_Free(hVm);
		if (PRL_SUCCEEDED(guide_wait(PrlSrv_GetVmConfig(hServer, name, 0), 10000,
					     "PrlSrv_GetVmConfig", &hResult)) &&
		    PRL_SUCCEEDED(PrlResult_GetParam(hResult, &hVm))) {
			print_uuid("Found by PrlSrv_GetVmConfig", hVm);
			PrlHandle_Free(hVm);
		}
		if (hResult != PRL_INVALID_HANDLE)
			PrlHandle_Free(hResult);
	}
	guide_logoff(hServer);
	return found ? 0 : 1;
}
