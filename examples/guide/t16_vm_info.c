/*
 * t16_vm_info.c — guide task T16: read a VM's configuration.
 *
 * Every value comes from a PrlVmCfg_* getter on the VM handle: identity,
 * guest OS, resources, home, and the device counts with each hard disk's
 * image and size and each network adapter's MAC.
 *
 * Usage: t16_vm_info <vm name>
 */
#include "guide.h"

#define STR(fn, h, buf) (len = sizeof(buf), fn(h, buf, &len), buf)

static void print_devices(PRL_HANDLE hVm)
{
	PRL_UINT32 n = 0, len;
	char s[1024];
	PrlVmCfg_GetDevsCount(hVm, &n);
	printf("Devices: %u\n", n);
	PrlVmCfg_GetHardDisksCount(hVm, &n);
	for (PRL_UINT32 i = 0; i < n; i++) {
		PRL_HANDLE hHdd;
		PRL_UINT32 size = 0;
		PrlVmCfg_GetHardDisk(hVm, i, &hHdd);
		PrlVmDevHd_GetDiskSize(hHdd, &size);
		printf("Hard disk %u: %s, %u MB\n", i, STR(PrlVmDev_GetImagePath, hHdd, s), size);
		PrlHandle_Free(hHdd);
	}
	PrlVmCfg_GetNetAdaptersCount(hVm, &n);
	for (PRL_UINT32 i = 0; i < n; i++) {
		PRL_HANDLE hNet;
		PrlVmCfg_GetNetAdapter(hVm, i, &hNet);
		printf("Network adapter %u: MAC %s\n", i, STR(PrlVmDevNet_GetMacAddress, hNet, s));
		PrlHandle_Free(hNet);
	}
	PrlVmCfg_GetOpticalDisksCount(hVm, &n);
	printf("CD/DVD drives: %u\n", n);
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "Windows XP - 01";
	PRL_HANDLE hServer = guide_login(), hVm;
	if (hServer == PRL_INVALID_HANDLE)
		return 1;
	hVm = guide_find_vm(name, hServer);
	if (hVm != PRL_INVALID_HANDLE) {
		char s[1024];
		PRL_UINT32 len, type = 0, ver = 0, ram = 0, cpus = 0, vram = 0;
		PrlVmCfg_GetOsType(hVm, &type);
		PrlVmCfg_GetOsVersion(hVm, &ver);
		PrlVmCfg_GetRamSize(hVm, &ram);
		PrlVmCfg_GetCpuCount(hVm, &cpus);
		PrlVmCfg_GetVideoRamSize(hVm, &vram);
		printf("Name: %s\n", STR(PrlVmCfg_GetName, hVm, s));
		printf("UUID: %s\n", STR(PrlVmCfg_GetUuid, hVm, s));
		printf("Description: %s\n", STR(PrlVmCfg_GetDescription, hVm, s));
		printf("OS type: %s\n", guide_os_family(type));
		printf("OS version: 0x%04X\n", ver);
		printf("RAM size: %u MB\n", ram);
		printf("CPU count: %u\n", cpus);
		printf("Video RAM size: %u MB\n", vram);
		printf("Home path: %s\n", STR(PrlVmCfg_GetHomePath, hVm, s));
		print_devices(hVm);
		PrlHandle_Free(hVm);
	}
	guide_logoff(hServer);
	return hVm != PRL_INVALID_HANDLE ? 0 : 1;
}
