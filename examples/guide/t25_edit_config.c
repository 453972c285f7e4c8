/*
 * t25_edit_config.c — guide task T25: change a VM's configuration.
 *
 * PrlVm_BeginEdit reloads the configuration (local changes made before it
 * are lost); the setters change the local copy; PrlVm_Commit saves it, and
 * fails if another client committed in between — then PrlVm_RefreshConfig,
 * PrlVm_BeginEdit and the same changes again.  The changes are given as
 * arguments, applied in order:
 *
 *   name <text>  description <text>  cpus <n>  ram <MB>
 *   add-disk <MB>      a new expanding disk image, created before the commit
 *   add-net            a new shared-network adapter with a fresh MAC
 *   remove-net         removes the last network adapter
 *   boot-cd-first      puts the CD/DVD drive first in the boot order
 *
 * Usage: t25_edit_config <vm name> <change> ...
 */
#include <stdlib.h>

#include "guide.h"

static PRL_RESULT add_disk(PRL_HANDLE hVmCfg, PRL_UINT32 mb)
{
	PRL_HANDLE hHdd;
	PRL_UINT32 n = 0;
	char file[64];
	PrlVmCfg_GetHardDisksCount(hVmCfg, &n);
	snprintf(file, sizeof(file), "disk%u.hdd", n);
	PRL_RESULT ret = PrlVmCfg_CreateVmDev(hVmCfg, PDE_HARD_DISK, &hHdd);
	if (PRL_FAILED(ret))
		return ret;
	PrlVmDevHd_SetDiskType(hHdd, PHD_EXPANDING_HARD_DISK);
	PrlVmDevHd_SetDiskSize(hHdd, mb);
	PrlVmDev_SetEmulatedType(hHdd, PDT_USE_IMAGE_FILE);
	PrlVmDev_SetSysName(hHdd, file);
	PrlVmDev_SetFriendlyName(hHdd, file);
	PrlVmDev_SetIfaceType(hHdd, PMS_SATA_DEVICE);
	PrlVmDev_SetStackIndex(hHdd, n + 2);
	PrlVmDev_SetEnabled(hHdd, PRL_TRUE);
	ret = guide_wait(PrlVmDev_CreateImage(hHdd, PRL_TRUE, PRL_TRUE), 60000,
			 "PrlVmDev_CreateImage", NULL);
	if (PRL_SUCCEEDED(ret))
		printf("Added hard disk %s (%u MB).\n", file, mb);
	PrlHandle_Free(hHdd);
	return ret;
}

static PRL_RESULT add_net(PRL_HANDLE hVmCfg)
{
	PRL_HANDLE hNet;
	PRL_RESULT ret = PrlVmCfg_CreateVmDev(hVmCfg, PDE_GENERIC_NETWORK_ADAPTER, &hNet);
	if (PRL_FAILED(ret))
		return ret;
	PrlVmDev_SetEmulatedType(hNet, (PRL_VM_DEV_EMULATION_TYPE)PNA_SHARED);
	PrlVmDevNet_GenerateMacAddr(hNet);
	PrlVmDev_SetEnabled(hNet, PRL_TRUE);
	char mac[32];
	PRL_UINT32 len = sizeof(mac);
	PrlVmDevNet_GetMacAddress(hNet, mac, &len);
	printf("Added network adapter with MAC %s.\n", mac);
	PrlHandle_Free(hNet);
	return PRL_ERR_SUCCESS;
}

static PRL_RESULT remove_net(PRL_HANDLE hVmCfg)
{
	PRL_UINT32 n = 0;
	PRL_HANDLE hNet;
	PrlVmCfg_GetNetAdaptersCount(hVmCfg, &n);
	if (!n)
		return PRL_ERR_NO_DATA;
	PRL_RESULT ret = PrlVmCfg_GetNetAdapter(hVmCfg, n - 1, &hNet);
	if (PRL_SUCCEEDED(ret)) {
		ret = PrlVmDev_Remove(hNet);
		PrlHandle_Free(hNet);
	}
	return ret;
}

/* CD/DVD entries get sequence 0, the others move one place down. */
static PRL_RESULT boot_cd_first(PRL_HANDLE hVmCfg)
{
	PRL_UINT32 n = 0;
	PrlVmCfg_GetBootDevCount(hVmCfg, &n);
	for (PRL_UINT32 i = 0; i < n; i++) {
		PRL_HANDLE hBoot;
		PRL_DEVICE_TYPE t;
		PRL_UINT32 seq = 0;
		PrlVmCfg_GetBootDev(hVmCfg, i, &hBoot);
		PrlBootDev_GetType(hBoot, &t);
		PrlBootDev_GetSequenceIndex(hBoot, &seq);
		PrlBootDev_SetSequenceIndex(hBoot, t == PDE_OPTICAL_DISK ? 0 : seq + 1);
		PrlHandle_Free(hBoot);
	}
	return PRL_ERR_SUCCESS;
}

static int takes_value(const char *c)
{
	static const char *const with_value[] = { "name", "description", "cpus", "ram",
						  "add-disk" };
	for (size_t i = 0; i < sizeof(with_value) / sizeof(with_value[0]); i++)
		if (!strcmp(c, with_value[i]))
			return 1;
	return 0;
}

static PRL_RESULT apply_one(PRL_HANDLE hVmCfg, const char *c, const char *v)
{
	if (!strcmp(c, "name"))
		return PrlVmCfg_SetName(hVmCfg, v);
	if (!strcmp(c, "description"))
		return PrlVmCfg_SetDescription(hVmCfg, v);
	if (!strcmp(c, "cpus"))
		return PrlVmCfg_SetCpuCount(hVmCfg, (PRL_UINT32)atoi(v));
	if (!strcmp(c, "ram"))
		return PrlVmCfg_SetRamSize(hVmCfg, (PRL_UINT32)atoi(v));
	if (!strcmp(c, "add-disk"))
		return add_disk(hVmCfg, (PRL_UINT32)atoi(v));
	if (!strcmp(c, "add-net"))
		return add_net(hVmCfg);
	if (!strcmp(c, "remove-net"))
		return remove_net(hVmCfg);
	if (!strcmp(c, "boot-cd-first"))
		return boot_cd_first(hVmCfg);
	fprintf(stderr, "unknown change '%s'\n", c);
	return PRL_ERR_INVALID_ARG;
}

static PRL_RESULT apply(PRL_HANDLE hVmCfg, int argc, char **argv)
{
	PRL_RESULT ret = PRL_ERR_SUCCESS;
	for (int i = 0; i < argc && PRL_SUCCEEDED(ret); i++) {
		const char *v = NULL;
		if (takes_value(argv[i]) && (v = i + 1 < argc ? argv[i + 1] : NULL) == NULL) {
			fprintf(stderr, "'%s' needs a value\n", argv[i]);
			return PRL_ERR_INVALID_ARG;
		}
		ret = apply_one(hVmCfg, argv[i], v);
		i += v != NULL;
	}
	return ret;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s <vm name> <change> ...\n", argv[0]);
		return 2;
	}
	PRL_HANDLE hServer = guide_login(), hVm, hVmCfg;
	if (hServer == PRL_INVALID_HANDLE)
		return 1;
	hVm = guide_find_vm(argv[1], hServer);
	PRL_RESULT ret = PRL_ERR_VM_UUID_NOT_FOUND;
	if (hVm != PRL_INVALID_HANDLE) {
		ret = guide_wait(PrlVm_BeginEdit(hVm), 10000, "PrlVm_BeginEdit", NULL);
		if (PRL_FAILED(ret)) {
			printf("Error: %s\n", prl_result_to_string(ret));
		} else {
			PrlVm_GetConfig(hVm, &hVmCfg);
			ret = apply(hVmCfg, argc - 2, argv + 2);
			PrlHandle_Free(hVmCfg);
			if (PRL_SUCCEEDED(ret))
				ret = guide_wait(PrlVm_Commit(hVm), 10000, "PrlVm_Commit", NULL);
			if (PRL_FAILED(ret))
				printf("Commit error: %s\n", prl_result_to_string(ret));
			else
				printf("The configuration was saved.\n");
		}
		PrlHandle_Free(hVm);
	}
	guide_logoff(hServer);
	return PRL_SUCCEEDED(ret) ? 0 : 1;
}
