/*
 * t20_create_vm.c — guide task T20: create a new virtual machine.
 *
 * PrlSrv_CreateVm gives a local VM object; PrlSrv_GetSrvConfig describes the
 * host, from which PrlVmCfg_SetDefaultConfig picks resources for the guest
 * OS and adds a hard disk, a CD/DVD drive and a network adapter.  After a
 * name and a RAM size, PrlVm_Reg creates the VM on the dispatcher (in its
 * default VM home).
 *
 * Usage: t20_create_vm <new vm name> [windows|linux] [ram MB]
 */
#include <stdlib.h>

#include "guide.h"

static PRL_HANDLE host_config(PRL_HANDLE hServer)
{
	PRL_HANDLE hResult = PRL_INVALID_HANDLE, hSrvCfg = PRL_INVALID_HANDLE;
	PRL_RESULT ret = guide_wait(PrlSrv_GetSrvConfig(hServer), 10000, "PrlSrv_GetSrvConfig",
				    &hResult);
	if (PRL_FAILED(ret)) {
		printf("Error: %s\n", prl_result_to_string(ret));
		return PRL_INVALID_HANDLE;
	}
	PrlResult_GetParam(hResult, &hSrvCfg);
	PrlHandle_Free(hResult);
	return hSrvCfg;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s <new vm name> [windows|linux] [ram MB]\n", argv[0]);
		return 2;
	}
	int linux_guest = argc > 2 && !strcmp(argv[2], "linux");
	PRL_UINT32 os = linux_guest ? PVS_GUEST_VER_LIN_OTHER : PVS_GUEST_VER_WIN_2003;
	PRL_UINT32 ram = argc > 3 ? (PRL_UINT32)strtoul(argv[3], NULL, 10) : 0;
	PRL_HANDLE hServer = guide_login(), hVm = PRL_INVALID_HANDLE, hVmCfg, hSrvCfg;
	if (hServer == PRL_INVALID_HANDLE)
		return 1;
	PRL_RESULT ret = PrlSrv_CreateVm(hServer, &hVm);
	hSrvCfg = PRL_SUCCEEDED(ret) ? host_config(hServer) : PRL_INVALID_HANDLE;
	if (hSrvCfg != PRL_INVALID_HANDLE) {
		PrlVm_GetConfig(hVm, &hVmCfg);
		ret = PrlVmCfg_SetDefaultConfig(hVmCfg, hSrvCfg, os, PRL_TRUE);
		if (PRL_SUCCEEDED(ret))
			ret = PrlVmCfg_SetName(hVmCfg, argv[1]);
		if (PRL_SUCCEEDED(ret) && ram)
			ret = PrlVmCfg_SetRamSize(hVmCfg, ram);
		if (PRL_FAILED(ret))
			printf("Error: %s\n", prl_result_to_string(ret));
		else
			ret = guide_wait(PrlVm_Reg(hVm, "", PRL_TRUE), 120000, "PrlVm_Reg", NULL);
		if (PRL_SUCCEEDED(ret))
			printf("Virtual machine was created successfully.\n");
		PrlHandle_Free(hVmCfg);
		PrlHandle_Free(hSrvCfg);
	} else if (PRL_SUCCEEDED(ret)) {
		ret = PRL_ERR_FAILURE;
	}
	if (hVm != PRL_INVALID_HANDLE)
		PrlHandle_Free(hVm);
	guide_logoff(hServer);
	return PRL_SUCCEEDED(ret) ? 0 : 1;
}
