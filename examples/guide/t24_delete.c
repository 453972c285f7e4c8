/*
 * t24_delete.c — guide task T24: delete a VM.
 *
 * PrlVm_Delete with PRL_INVALID_HANDLE removes the VM and all its files;
 * with a strings list of paths only those files go (the VM stays).  A
 * running VM cannot be deleted.
 *
 * Usage: t24_delete <vm name> [<file to delete> ...]
 */
#include "guide.h"

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s <vm name> [<file to delete> ...]\n", argv[0]);
		return 2;
	}
	PRL_HANDLE hServer = guide_login(), hVm, hList = PRL_INVALID_HANDLE;
	if (hServer == PRL_INVALID_HANDLE)
		return 1;
	hVm = guide_find_vm(argv[1], hServer);
	PRL_RESULT ret = PRL_ERR_VM_UUID_NOT_FOUND;
	if (hVm != PRL_INVALID_HANDLE) {
		if (argc > 2) {
			PrlApi_CreateStringsList(&hList);
			for (int i = 2; i < argc; i++)
				PrlStrList_AddItem(hList, argv[i]);
		}
		ret = guide_wait(PrlVm_Delete(hVm, hList), 60000, "PrlVm_Delete", NULL);
		if (PRL_SUCCEEDED(ret) && argc > 2)
			printf("The files were deleted.\n");
		else if (PRL_SUCCEEDED(ret))
			printf("Virtual machine \"%s\" was deleted.\n", argv[1]);
		if (hList != PRL_INVALID_HANDLE)
			PrlHandle_Free(hList);
		PrlHandle_Free(hVm);
	}
	guide_logoff(hServer);
	return PRL_SUCCEEDED(ret) ? 0 : 1;
}
