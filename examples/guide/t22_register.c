/*
 * t22_register.c — guide task T22: register an existing VM, or unregister
 * one (its files stay on disk).
 *
 * PrlSrv_RegisterVm takes a bundle directory and returns the registered VM;
 * PrlVm_Unreg forgets a VM without touching its files.
 *
 * Usage: t22_register register <bundle dir>   (e.g. /vms/Win.pvm)
 *        t22_register unregister <vm name>
 */
#include "guide.h"

static PRL_RESULT do_register(PRL_HANDLE hServer, const char *path)
{
	PRL_HANDLE hResult = PRL_INVALID_HANDLE, hVm;
	PRL_RESULT ret = guide_wait(PrlSrv_RegisterVm(hServer, path, PRL_TRUE), 60000,
				    "PrlSrv_RegisterVm", &hResult);
	if (PRL_SUCCEEDED(ret) && PRL_SUCCEEDED(PrlResult_GetParam(hResult, &hVm))) {
		char name[1024];
		PRL_UINT32 len = sizeof(name);
		PrlVmCfg_GetName(hVm, name, &len);
		printf("Virtual machine \"%s\" was registered.\n", name);
		PrlHandle_Free(hVm);
	}
	if (hResult != PRL_INVALID_HANDLE)
		PrlHandle_Free(hResult);
	return ret;
}

static PRL_RESULT do_unregister(PRL_HANDLE hServer, const char *name)
{
	PRL_HANDLE hVm = guide_find_vm(name, hServer);
	if (hVm == PRL_INVALID_HANDLE)
		return PRL_ERR_VM_UUID_NOT_FOUND;
	PRL_RESULT ret = guide_wait(PrlVm_Unreg(hVm), 60000, "PrlVm_Unreg", NULL);
	if (PRL_SUCCEEDED(ret))
		printf("Virtual machine \"%s\" was unregistered.\n", name);
	PrlHandle_Free(hVm);
	return ret;
}

int main(int argc, char **argv)
{
	int reg = argc == 3 && !strcmp(argv[1], "register");
	if (!reg && !(argc == 3 && !strcmp(argv[1], "unregister"))) {
		fprintf(stderr, "usage: %s register <bundle dir> | unregister <vm name>\n",
			argv[0]);
		return 2;
	}
	PRL_HANDLE hServer = guide_login();
	if (hServer == PRL_INVALID_HANDLE)
		return 1;
	PRL_RESULT ret = reg ? do_register(hServer, argv[2]) : do_unregister(hServer, argv[2]);
	guide_logoff(hServer);
	return PRL_SUCCEEDED(ret) ? 0 : 1;
}
