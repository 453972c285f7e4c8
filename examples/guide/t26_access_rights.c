/*
 * t26_access_rights.c — guide task T26: a VM's access rights.
 *
 * The rights come with the VM info (PrlVmCfg_GetVmInfo →
 * PrlVmInfo_GetAccessRights → PHT_ACCESS_RIGHTS).  OpenPRL enforces
 * ownership on the dispatcher (a VM belongs to whoever created or
 * registered it) but does not model the ACL object yet, so this prints the
 * VM's state and the answer the library gives for the rights.
 *
 * Usage: t26_access_rights <vm name>
 */
#include "guide.h"

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "Windows XP - 01";
	PRL_HANDLE hServer = guide_login(), hVm, hVmInfo, hAcl;
	if (hServer == PRL_INVALID_HANDLE)
		return 1;
	hVm = guide_find_vm(name, hServer);
	PRL_RESULT ret = PRL_ERR_VM_UUID_NOT_FOUND;
	if (hVm != PRL_INVALID_HANDLE) {
		ret = PrlVmCfg_GetVmInfo(hVm, &hVmInfo);
		if (PRL_SUCCEEDED(ret)) {
			VIRTUAL_MACHINE_STATE s = VMS_UNKNOWN;
			PrlVmInfo_GetState(hVmInfo, &s);
			printf("Virtual machine \"%s\" is %s.\n", name, guide_state_name(s));
			PRL_RESULT r = PrlVmInfo_GetAccessRights(hVmInfo, &hAcl);
			if (PRL_SUCCEEDED(r)) {
				printf("Access rights: available\n");
				PrlHandle_Free(hAcl);
			} else {
				printf("Access rights: %s\n", prl_result_to_string(r));
			}
			PrlHandle_Free(hVmInfo);
		}
		PrlHandle_Free(hVm);
	}
	guide_logoff(hServer);
	return PRL_SUCCEEDED(ret) ? 0 : 1;
}
