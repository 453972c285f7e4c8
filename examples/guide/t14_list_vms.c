/*
 * t14_list_vms.c — guide task T14: list the virtual machines.
 *
 * PrlSrv_GetVmList → one PHT_VIRTUAL_MACHINE per result parameter; the
 * name comes from PrlVmCfg_GetName (a VM handle is its own configuration).
 * Prints "VM name: <name>." per VM, in the dispatcher's order.
 *
 * Usage: t14_list_vms
 */
#include "guide.h"

int main(void)
{
	PRL_HANDLE hServer = guide_login(), hResult = PRL_INVALID_HANDLE;
	if (hServer == PRL_INVALID_HANDLE)
		return 1;
	PRL_RESULT ret = guide_wait(PrlSrv_GetVmList(hServer), 10000, "PrlSrv_GetVmList",
				    &hResult);
	if (PRL_SUCCEEDED(ret)) {
		PRL_UINT32 nParamsCount = 0;
		PrlResult_GetParamsCount(hResult, &nParamsCount);
		for (PRL_UINT32 i = 0; i < nParamsCount; ++i) {
			PRL_HANDLE hVm = PRL_INVALID_HANDLE;
			char szVmNameReturned[1024];
			PRL_UINT32 nBufSize = sizeof(szVmNameReturned);
			PrlResult_GetParamByIndex(hResult, i, &hVm);
			PRL_RESULT r = PrlVmCfg_GetName(hVm, szVmNameReturned, &nBufSize);
			if (PRL_FAILED(r))
				printf("PrlVmCfg_GetName failed, error: %s. \n",
				       prl_result_to_string(r));
			else
				printf("VM name: %s.\n", szVmNameReturned);
			PrlHandle_Free(hVm);
		}
		PrlHandle_Free(hResult);
	}
	guide_logoff(hServer);
	return PRL_SUCCEEDED(ret) ? 0 : 1;
}
