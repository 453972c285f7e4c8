/*
 * t23_clone.c — guide task T23: clone a VM.
 *
 * PrlVm_Clone copies a stopped VM under a new name (new UUID and MACs,
 * disks copied) into the default VM home; PRL_TRUE as the last argument
 * would make the copy a template.  Copying disks takes time: the wait is long.
 *
 * Usage: t23_clone <vm name> <new name>
 */
#include "guide.h"

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s <vm name> <new name>\n", argv[0]);
		return 2;
	}
	PRL_HANDLE hServer = guide_login(), hVm;
	if (hServer == PRL_INVALID_HANDLE)
		return 1;
	hVm = guide_find_vm(argv[1], hServer);
	PRL_RESULT ret = PRL_ERR_VM_UUID_NOT_FOUND;
	if (hVm != PRL_INVALID_HANDLE) {
		ret = guide_wait(PrlVm_Clone(hVm, argv[2], "", PRL_FALSE), 600000, "PrlVm_Clone",
				 NULL);
		if (PRL_SUCCEEDED(ret))
			printf("Virtual machine \"%s\" was cloned to \"%s\".\n", argv[1], argv[2]);
		PrlHandle_Free(hVm);
	}
	guide_logoff(hServer);
	return PRL_SUCCEEDED(ret) ? 0 : 1;
}
