/*
 * t17_vm_state.c — guide task T17: determine a VM's state.
 *
 * The guide's GetVMstate: PrlVm_GetState → result → PHT_VM_INFO →
 * PrlVmInfo_GetState, printed as a phrase.  The synchronous alternative,
 * PrlVmCfg_GetVmInfo, gives the state the VM handle was sent with.
 *
 * Usage: t17_vm_state <vm name>
 */
#include "guide.h"

static PRL_RESULT GetVMstate(PRL_HANDLE hVm, VIRTUAL_MACHINE_STATE_PTR vm_state)
{
	PRL_HANDLE hResult = PRL_INVALID_HANDLE, hVmInfo = PRL_INVALID_HANDLE;
	PRL_RESULT ret = guide_wait(PrlVm_GetState(hVm), 10000, "PrlVm_GetState", &hResult);
	if (PRL_FAILED(ret))
		return ret;
	ret = PrlResult_GetParam(hResult, &hVmInfo);
	if (PRL_SUCCEEDED(ret)) {
		ret = PrlVmInfo_GetState(hVmInfo, vm_state);
		PrlHandle_Free(hVmInfo);
	}
	PrlHandle_Free(hResult);
	return ret;
}

static void print_state(VIRTUAL_MACHINE_STATE s)
{
	switch (s) {
	case VMS_RUNNING: printf("Virtual machine state: Running\n"); break;
	case VMS_STOPPED: printf("Virtual machine state: Stopped\n"); break;
	case VMS_PAUSED: printf("Virtual machine state: Paused\n"); break;
	case VMS_SUSPENDED: printf("Virtual machine state: Suspended\n"); break;
	default: printf("Virtual machine state: %s\n", guide_state_name(s)); break;
	}
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "Windows XP - 01";
	PRL_HANDLE hServer = guide_login(), hVm;
	if (hServer == PRL_INVALID_HANDLE)
		return 1;
	hVm = guide_find_vm(name, hServer);
	PRL_RESULT ret = PRL_ERR_VM_UUID_NOT_FOUND;
	if (hVm != PRL_INVALID_HANDLE) {
		VIRTUAL_MACHINE_STATE vm_state = VMS_UNKNOWN;
		ret = GetVMstate(hVm, &vm_state);
		if (PRL_SUCCEEDED(ret))
			print_state(vm_state);
		PRL_HANDLE hVmInfo;
		if (PRL_SUCCEEDED(PrlVmCfg_GetVmInfo(hVm, &hVmInfo))) {
			PrlVmInfo_GetState(hVmInfo, &vm_state);
			printf("State when listed: %s\n", guide_state_name(vm_state));
			PrlHandle_Free(hVmInfo);
		}
		PrlHandle_Free(hVm);
	}
	guide_logoff(hServer);
	return PRL_SUCCEEDED(ret) ? 0 : 1;
}
