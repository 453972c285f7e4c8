/*
 * t26_access_rights.c — guide task T26: a VM's access rights.
 *
 * The rights come with the VM info (PrlVmCfg_GetVmInfo →
 * PrlVmInfo_GetAccessRights → PHT_ACCESS_RIGHTS): the owner, whether this
 * session's user is the owner, what other users may do.  OpenPRL never
 * shares a VM with other users (only its owner and root see it), so
 * "others" reads "not shared" and PrlVm_UpdateSecurity accepts only that.
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
				char owner[256];
				PRL_UINT32 len = sizeof(owner);
				PRL_BOOL mine = PRL_FALSE, start = PRL_FALSE;
				PRL_VM_ACCESS_FOR_OTHERS others = PAO_VM_NOT_SHARED;
				PrlAcl_GetOwnerName(hAcl, owner, &len);
				PrlAcl_IsCurrentSessionOwner(hAcl, &mine);
				PrlAcl_GetAccessForOthers(hAcl, &others);
				PrlAcl_IsAllowed(hAcl, PAR_VM_START_ACCESS, &start);
				printf("Owner: %s%s\n", owner, mine ? " (you)" : "");
				printf("Access for others: %s\n",
				       others == PAO_VM_NOT_SHARED ? "not shared" :
				       others == PAO_VM_SHARED_ON_VIEW ? "view" :
				       others == PAO_VM_SHARED_ON_VIEW_AND_RUN ? "view and run"
									  : "full access");
				printf("You may start it: %s\n", start ? "yes" : "no");
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
