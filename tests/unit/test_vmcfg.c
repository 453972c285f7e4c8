/*
 * Unit tests of the VM family without a dispatcher: src/lib/vm.c (object,
 * early job errors), vmcfg.c (PrlVmCfg_*), vmdev.c (devices, boot order,
 * MACs), vmdefaults.c (PrlVmCfg_SetDefaultConfig) and vminfo.c.
 *
 * A VM is made with PrlSrv_CreateVm on a server that never logs in, or from
 * a hand-made wire configuration.  Every setter is read back through its
 * getter; the string convention (size query, exact fit, overrun), NULL
 * pointers, wrong-typed and removed handles are checked; device handles are
 * followed across a configuration refresh; asynchronous calls that cannot be
 * sent finish at once with the right code; and each test ends with as many
 * live handles as it started with.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "stat.h"
#include "vm.h"
#include "PrlApi.h"
#include "PrlOses.h"

/* ---- fixtures ------------------------------------------------------------- */

static uint32_t handles_now(void)
{
	PRL_UINT32 n = 0;
	assert_int_equal(PrlDbg_GetHandlesNum(&n, PHT_ERROR), PRL_ERR_SUCCESS);
	return n;
}

static uint32_t start_handles;
static PRL_HANDLE srv, vm;

static int group_setup(void **state)
{
	return PRL_FAILED(PrlApi_InitEx(PARALLELS_API_VER_1, PAM_SERVER, 0, 0));
}

static int group_teardown(void **state)
{
	PrlApi_Deinit();
	return 0;
}

/* Each test starts with a fresh local VM of a server that is not logged in. */
static int test_setup(void **state)
{
	start_handles = handles_now();
	if (PRL_FAILED(PrlSrv_Create(&srv)) || PRL_FAILED(PrlSrv_CreateVm(srv, &vm)))
		return -1;
	return 0;
}

static int test_teardown(void **state)
{
	assert_int_equal(PrlHandle_Free(vm), PRL_ERR_SUCCESS);
	assert_int_equal(PrlHandle_Free(srv), PRL_ERR_SUCCESS);
	assert_int_equal(handles_now(), start_handles);
	return 0;
}

/* A PHT_SERVER_CONFIG describing a host with ram_mb and cpus. */
static PRL_HANDLE host_config(uint32_t ram_mb, uint32_t cpus)
{
	Prl__ServerConfig c = PRL__SERVER_CONFIG__INIT;
	c.has_ram_mb = c.has_cpu_count = 1;
	c.ram_mb = ram_mb;
	c.cpu_count = cpus;
	prl__obj *o = prl__srvcfg_new(&c);
	assert_non_null(o);
	return prl__handle(o);
}

static char *get_str(PRL_RESULT (*fn)(PRL_HANDLE, PRL_STR, PRL_UINT32_PTR), PRL_HANDLE h)
{
	static char buf[256];
	PRL_UINT32 len = sizeof(buf);
	assert_int_equal(fn(h, buf, &len), PRL_ERR_SUCCESS);
	assert_int_equal(len, strlen(buf) + 1);
	return buf;
}

static uint32_t u32_of(PRL_RESULT (*fn)(PRL_HANDLE, PRL_UINT32_PTR), PRL_HANDLE h)
{
	PRL_UINT32 v = 0xdeadbeef;
	assert_int_equal(fn(h, &v), PRL_ERR_SUCCESS);
	return v;
}

/* Waits (bounded) for a job and returns its code; frees the job. */
static PRL_RESULT job_rc(PRL_HANDLE j)
{
	assert_true(j != PRL_INVALID_HANDLE);
	assert_int_equal(PrlJob_Wait(j, 5000), PRL_ERR_SUCCESS);
	PRL_RESULT rc = PRL_ERR_UNINITIALIZED;
	assert_int_equal(PrlJob_GetRetCode(j, &rc), PRL_ERR_SUCCESS);
	assert_int_equal(PrlHandle_Free(j), PRL_ERR_SUCCESS);
	return rc;
}

/* ---- the object ------------------------------------------------------------- */

static void test_create_vm(void **state)
{
	PRL_HANDLE_TYPE t;
	assert_int_equal(PrlHandle_GetType(vm, &t), PRL_ERR_SUCCESS);
	assert_int_equal(t, PHT_VIRTUAL_MACHINE);
	assert_int_equal(PHT_VM_CONFIGURATION, PHT_VIRTUAL_MACHINE);

	char *uuid = get_str(PrlVmCfg_GetUuid, vm);
	assert_int_equal(strlen(uuid), 38);
	assert_int_equal(uuid[0], '{');
	assert_int_equal(uuid[37], '}');
	assert_string_equal(get_str(PrlVmCfg_GetName, vm), "");

	PRL_VM_TYPE type = 99;
	assert_int_equal(PrlVmCfg_GetVmType(vm, &type), PRL_ERR_SUCCESS);
	assert_int_equal(type, PVT_VM);
	assert_int_equal(u32_of(PrlVmCfg_GetDevsCount, vm), 0);
	assert_int_equal(u32_of(PrlVmCfg_GetBootDevCount, vm), 0);

	/* Two VMs never share a UUID. */
	PRL_HANDLE other;
	assert_int_equal(PrlSrv_CreateVm(srv, &other), PRL_ERR_SUCCESS);
	char first[64];
	strcpy(first, get_str(PrlVmCfg_GetUuid, vm));
	assert_string_not_equal(first, get_str(PrlVmCfg_GetUuid, other));
	PrlHandle_Free(other);

	assert_int_equal(PrlSrv_CreateVm(srv, NULL), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlSrv_CreateVm(vm, &other), PRL_ERR_INVALID_ARG);
}

/* The configuration is the VM object itself, with one more reference. */
static void test_get_config_same_handle(void **state)
{
	PRL_HANDLE cfg = PRL_INVALID_HANDLE;
	assert_int_equal(PrlVm_GetConfig(vm, &cfg), PRL_ERR_SUCCESS);
	assert_true(cfg == vm);
	assert_int_equal(PrlVmCfg_SetName(cfg, "via config"), PRL_ERR_SUCCESS);
	assert_int_equal(PrlHandle_Free(cfg), PRL_ERR_SUCCESS);
	assert_string_equal(get_str(PrlVmCfg_GetName, vm), "via config");
	assert_int_equal(PrlVm_GetConfig(vm, NULL), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlVm_GetConfig(srv, &cfg), PRL_ERR_INVALID_ARG);
}

/* ---- strings ----------------------------------------------------------------- */

static void test_string_convention(void **state)
{
	assert_int_equal(PrlVmCfg_SetName(vm, "Windows XP - 01"), PRL_ERR_SUCCESS);
	PRL_UINT32 len = 0;
	assert_int_equal(PrlVmCfg_GetName(vm, NULL, &len), PRL_ERR_SUCCESS);
	assert_int_equal(len, 16);
	char buf[32];
	len = 0;
	assert_int_equal(PrlVmCfg_GetName(vm, buf, &len), PRL_ERR_SUCCESS);
	assert_int_equal(len, 16);

	memset(buf, 'x', sizeof(buf));
	len = 4;
	assert_int_equal(PrlVmCfg_GetName(vm, buf, &len), PRL_ERR_BUFFER_OVERRUN);
	assert_int_equal(len, 16);
	assert_memory_equal(buf, "Win", 3);
	assert_int_equal(buf[5], 'x');

	len = 16;
	assert_int_equal(PrlVmCfg_GetName(vm, buf, &len), PRL_ERR_SUCCESS);
	assert_string_equal(buf, "Windows XP - 01");

	assert_int_equal(PrlVmCfg_GetName(vm, buf, NULL), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlVmCfg_SetName(vm, NULL), PRL_ERR_INVALID_ARG);
	assert_string_equal(get_str(PrlVmCfg_GetName, vm), "Windows XP - 01");

	assert_int_equal(PrlVmCfg_SetDescription(vm, "a test machine"), PRL_ERR_SUCCESS);
	assert_string_equal(get_str(PrlVmCfg_GetDescription, vm), "a test machine");
	assert_string_equal(get_str(PrlVmCfg_GetHomePath, vm), "");
	assert_int_equal(PrlVmCfg_SetCpuMask(vm, "0,2-3"), PRL_ERR_SUCCESS);
	assert_string_equal(get_str(PrlVmCfg_GetCpuMask, vm), "0,2-3");
	assert_int_equal(PrlVmCfg_SetVNCHostName(vm, "127.0.0.1"), PRL_ERR_SUCCESS);
	assert_string_equal(get_str(PrlVmCfg_GetVNCHostName, vm), "127.0.0.1");
}

static void test_uuid(void **state)
{
	const char *u = "{6b5b2f5c-4e0f-4d4c-9a7a-0c1d2e3f4a5b}";
	assert_int_equal(PrlVmCfg_SetUuid(vm, u), PRL_ERR_SUCCESS);
	assert_string_equal(get_str(PrlVmCfg_GetUuid, vm), u);
	assert_string_equal(get_str(PrlVmCfg_GetCtId, vm), "6b5b2f5c-4e0f-4d4c-9a7a-0c1d2e3f4a5b");

	/* A bare UUID is accepted and stored braced. */
	assert_int_equal(PrlVmCfg_SetUuid(vm, "11111111-2222-4333-8444-555555555555"),
			 PRL_ERR_SUCCESS);
	assert_string_equal(get_str(PrlVmCfg_GetUuid, vm),
			    "{11111111-2222-4333-8444-555555555555}");

	assert_int_equal(PrlVmCfg_SetUuid(vm, "not-a-uuid"), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlVmCfg_SetUuid(vm, "{11111111-2222-4333-8444-555555555555}x"),
			 PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlVmCfg_SetUuid(vm, NULL), PRL_ERR_INVALID_ARG);
	assert_string_equal(get_str(PrlVmCfg_GetUuid, vm),
			    "{11111111-2222-4333-8444-555555555555}");
}

/* ---- numbers ----------------------------------------------------------------- */

static void test_numeric_setters(void **state)
{
	assert_int_equal(PrlVmCfg_SetRamSize(vm, 1536), PRL_ERR_SUCCESS);
	assert_int_equal(u32_of(PrlVmCfg_GetRamSize, vm), 1536);
	assert_int_equal(PrlVmCfg_SetRamSize(vm, 0), PRL_ERR_INVALID_ARG);
	assert_int_equal(u32_of(PrlVmCfg_GetRamSize, vm), 1536);

	assert_int_equal(PrlVmCfg_SetCpuCount(vm, 4), PRL_ERR_SUCCESS);
	assert_int_equal(u32_of(PrlVmCfg_GetCpuCount, vm), 4);
	assert_int_equal(PrlVmCfg_SetCpuCount(vm, 0), PRL_ERR_INVALID_ARG);

	assert_int_equal(PrlVmCfg_SetVideoRamSize(vm, 64), PRL_ERR_SUCCESS);
	assert_int_equal(u32_of(PrlVmCfg_GetVideoRamSize, vm), 64);

	assert_int_equal(PrlVmCfg_SetOsVersion(vm, PVS_GUEST_VER_LIN_UBUNTU), PRL_ERR_SUCCESS);
	assert_int_equal(u32_of(PrlVmCfg_GetOsVersion, vm), PVS_GUEST_VER_LIN_UBUNTU);
	assert_int_equal(u32_of(PrlVmCfg_GetOsType, vm), PVS_GUEST_TYPE_LINUX);

	PRL_VM_AUTOSTART_OPTION a;
	assert_int_equal(PrlVmCfg_SetAutoStart(vm, PAO_VM_START_ON_LOAD), PRL_ERR_SUCCESS);
	assert_int_equal(PrlVmCfg_GetAutoStart(vm, &a), PRL_ERR_SUCCESS);
	assert_int_equal(a, PAO_VM_START_ON_LOAD);

	PRL_VM_REMOTE_DISPLAY_MODE m;
	assert_int_equal(PrlVmCfg_SetVNCMode(vm, PRD_AUTO), PRL_ERR_SUCCESS);
	assert_int_equal(PrlVmCfg_GetVNCMode(vm, &m), PRL_ERR_SUCCESS);
	assert_int_equal(m, PRD_AUTO);
	assert_int_equal(PrlVmCfg_SetVNCPort(vm, 5901), PRL_ERR_SUCCESS);
	assert_int_equal(u32_of(PrlVmCfg_GetVNCPort, vm), 5901);
	assert_int_equal(PrlVmCfg_SetVNCPort(vm, 70000), PRL_ERR_INVALID_ARG);

	PRL_VM_TYPE t;
	assert_int_equal(PrlVmCfg_SetVmType(vm, PVT_CT), PRL_ERR_SUCCESS);
	assert_int_equal(PrlVmCfg_GetVmType(vm, &t), PRL_ERR_SUCCESS);
	assert_int_equal(t, PVT_CT);
	assert_int_equal(PrlVmCfg_SetVmType(vm, (PRL_VM_TYPE)7), PRL_ERR_INVALID_ARG);

	PRL_BOOL b = PRL_TRUE;
	assert_int_equal(PrlVmCfg_IsTemplate(vm, &b), PRL_ERR_SUCCESS);
	assert_int_equal(b, PRL_FALSE);
	PRL_RESULT validity = -1;
	assert_int_equal(PrlVmCfg_GetConfigValidity(vm, &validity), PRL_ERR_SUCCESS);
	assert_int_equal(validity, PRL_ERR_SUCCESS);

	assert_int_equal(PrlVmCfg_GetRamSize(vm, NULL), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlVmCfg_GetRamSize(srv, &t), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlVmCfg_SetRamSize(PRL_INVALID_HANDLE, 512), PRL_ERR_INVALID_ARG);
}

static void test_vm_info(void **state)
{
	PRL_HANDLE info;
	assert_int_equal(PrlVmCfg_GetVmInfo(vm, &info), PRL_ERR_SUCCESS);
	VIRTUAL_MACHINE_STATE s = VMS_RUNNING;
	assert_int_equal(PrlVmInfo_GetState(info, &s), PRL_ERR_SUCCESS);
	assert_int_equal(s, VMS_UNKNOWN);
	PRL_BOOL invalid = PRL_TRUE;
	assert_int_equal(PrlVmInfo_IsInvalid(info, &invalid), PRL_ERR_SUCCESS);
	assert_int_equal(invalid, PRL_FALSE);
	assert_int_equal(PrlVmInfo_GetState(vm, &s), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlVmInfo_GetState(info, NULL), PRL_ERR_INVALID_ARG);
	PrlHandle_Free(info);

	Prl__VmInfo w = PRL__VM_INFO__INIT;
	w.state = VMS_PAUSED;
	w.has_invalid = w.invalid = 1;
	prl__obj *o = prl__vminfo_from_wire(NULL, &w);
	assert_non_null(o);
	info = prl__handle(o);
	assert_int_equal(PrlVmInfo_GetState(info, &s), PRL_ERR_SUCCESS);
	assert_int_equal(s, VMS_PAUSED);
	assert_int_equal(PrlVmInfo_IsInvalid(info, &invalid), PRL_ERR_SUCCESS);
	assert_int_equal(invalid, PRL_TRUE);
	VIRTUAL_MACHINE_ADDITION_STATE as;
	assert_int_equal(PrlVmInfo_GetAdditionState(info, &as), PRL_ERR_SUCCESS);
	assert_int_equal(as, VMAS_NOSTATE);
	PrlHandle_Free(info);
}

/* ---- default configuration ------------------------------------------------- */

static PRL_HANDLE nth_dev(PRL_RESULT (*get)(PRL_HANDLE, PRL_UINT32, PRL_HANDLE_PTR), PRL_UINT32 i)
{
	PRL_HANDLE d = PRL_INVALID_HANDLE;
	assert_int_equal(get(vm, i, &d), PRL_ERR_SUCCESS);
	return d;
}

static void check_boot(PRL_UINT32 i, PRL_DEVICE_TYPE type, PRL_UINT32 seq)
{
	PRL_HANDLE b;
	assert_int_equal(PrlVmCfg_GetBootDev(vm, i, &b), PRL_ERR_SUCCESS);
	PRL_DEVICE_TYPE t;
	PRL_BOOL used = PRL_FALSE;
	assert_int_equal(PrlBootDev_GetType(b, &t), PRL_ERR_SUCCESS);
	assert_int_equal(t, type);
	assert_int_equal(u32_of(PrlBootDev_GetSequenceIndex, b), seq);
	assert_int_equal(u32_of(PrlBootDev_GetIndex, b), 0);
	assert_int_equal(PrlBootDev_IsInUse(b, &used), PRL_ERR_SUCCESS);
	assert_int_equal(used, PRL_TRUE);
	PrlHandle_Free(b);
}

static void check_default_disk(PRL_MASS_STORAGE_INTERFACE_TYPE bus)
{
	PRL_HANDLE hdd = nth_dev(PrlVmCfg_GetHardDisk, 0);
	PRL_HANDLE_TYPE ht;
	assert_int_equal(PrlHandle_GetType(hdd, &ht), PRL_ERR_SUCCESS);
	assert_int_equal(ht, PHT_VIRTUAL_DEV_HARD_DISK);
	assert_string_equal(get_str(PrlVmDev_GetImagePath, hdd), "harddisk.hdd");
	assert_string_equal(get_str(PrlVmDev_GetSysName, hdd), "harddisk.hdd");
	assert_int_equal(u32_of(PrlVmDevHd_GetDiskSize, hdd), 65536);
	PRL_HARD_DISK_INTERNAL_FORMAT f;
	assert_int_equal(PrlVmDevHd_GetDiskType(hdd, &f), PRL_ERR_SUCCESS);
	assert_int_equal(f, PHD_EXPANDING_HARD_DISK);
	PRL_VM_DEV_EMULATION_TYPE e;
	assert_int_equal(PrlVmDev_GetEmulatedType(hdd, &e), PRL_ERR_SUCCESS);
	assert_int_equal(e, PDT_USE_IMAGE_FILE);
	PRL_MASS_STORAGE_INTERFACE_TYPE it;
	assert_int_equal(PrlVmDev_GetIfaceType(hdd, &it), PRL_ERR_SUCCESS);
	assert_int_equal(it, bus);
	PRL_BOOL on = PRL_FALSE;
	assert_int_equal(PrlVmDev_IsEnabled(hdd, &on), PRL_ERR_SUCCESS);
	assert_int_equal(on, PRL_TRUE);
	PrlHandle_Free(hdd);
}

static void check_default_nic(PRL_VM_NET_ADAPTER_TYPE model)
{
	PRL_HANDLE net = nth_dev(PrlVmCfg_GetNetAdapter, 0);
	char *mac = get_str(PrlVmDevNet_GetMacAddress, net);
	assert_int_equal(strlen(mac), 12);
	assert_memory_equal(mac, "001C42", 6);
	assert_int_equal(strspn(mac, "0123456789ABCDEF"), 12);
	PRL_VM_NET_ADAPTER_TYPE t;
	assert_int_equal(PrlVmDevNet_GetAdapterType(net, &t), PRL_ERR_SUCCESS);
	assert_int_equal(t, model);
	PRL_VM_DEV_EMULATION_TYPE e;
	assert_int_equal(PrlVmDev_GetEmulatedType(net, &e), PRL_ERR_SUCCESS);
	assert_int_equal(e, PNA_SHARED);
	PrlHandle_Free(net);
}

static void test_default_config_windows(void **state)
{
	PRL_HANDLE host = host_config(4096, 1);
	assert_int_equal(PrlVmCfg_SetDefaultConfig(vm, host, PVS_GUEST_VER_WIN_WINDOWS10, PRL_TRUE),
			 PRL_ERR_SUCCESS);
	assert_int_equal(u32_of(PrlVmCfg_GetOsType, vm), PVS_GUEST_TYPE_WINDOWS);
	assert_int_equal(u32_of(PrlVmCfg_GetOsVersion, vm), PVS_GUEST_VER_WIN_WINDOWS10);
	assert_int_equal(u32_of(PrlVmCfg_GetRamSize, vm), 2048);   /* half the host */
	assert_int_equal(u32_of(PrlVmCfg_GetCpuCount, vm), 1);     /* host has one */
	assert_int_equal(u32_of(PrlVmCfg_GetDevsCount, vm), 3);
	assert_int_equal(u32_of(PrlVmCfg_GetHardDisksCount, vm), 1);
	assert_int_equal(u32_of(PrlVmCfg_GetOpticalDisksCount, vm), 1);
	assert_int_equal(u32_of(PrlVmCfg_GetNetAdaptersCount, vm), 1);
	check_default_disk(PMS_SATA_DEVICE);
	check_default_nic(PNT_E1000);
	assert_int_equal(u32_of(PrlVmCfg_GetBootDevCount, vm), 3);
	check_boot(0, PDE_HARD_DISK, 0);
	check_boot(1, PDE_OPTICAL_DISK, 1);
	check_boot(2, PDE_GENERIC_NETWORK_ADAPTER, 2);

	/* Doing it again replaces the hardware instead of adding to it. */
	assert_int_equal(PrlVmCfg_SetDefaultConfig(vm, host, PVS_GUEST_VER_WIN_2003, PRL_TRUE),
			 PRL_ERR_SUCCESS);
	assert_int_equal(u32_of(PrlVmCfg_GetDevsCount, vm), 3);
	assert_int_equal(u32_of(PrlVmCfg_GetBootDevCount, vm), 3);
	assert_int_equal(u32_of(PrlVmCfg_GetRamSize, vm), 512);
	check_default_disk(PMS_IDE_DEVICE);
	PrlHandle_Free(host);
}

static void test_default_config_linux_no_devices(void **state)
{
	PRL_HANDLE host = host_config(16384, 8);
	assert_int_equal(PrlVmCfg_SetDefaultConfig(vm, host, PVS_GUEST_VER_LIN_UBUNTU, PRL_FALSE),
			 PRL_ERR_SUCCESS);
	assert_int_equal(u32_of(PrlVmCfg_GetRamSize, vm), 1024);
	assert_int_equal(u32_of(PrlVmCfg_GetCpuCount, vm), 2);
	assert_int_equal(u32_of(PrlVmCfg_GetDevsCount, vm), 0);
	assert_int_equal(PrlVmCfg_SetDefaultConfig(vm, host, PVS_GUEST_VER_LIN_UBUNTU, PRL_TRUE),
			 PRL_ERR_SUCCESS);
	check_default_nic(PNT_VIRTIO);

	/* A handle that is not a server configuration is refused. */
	assert_int_equal(PrlVmCfg_SetDefaultConfig(vm, srv, PVS_GUEST_VER_LIN_UBUNTU, PRL_TRUE),
			 PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlVmCfg_SetDefaultConfig(host, host, PVS_GUEST_VER_LIN_UBUNTU, PRL_TRUE),
			 PRL_ERR_INVALID_ARG);
	PrlHandle_Free(host);
}

/* ---- devices ------------------------------------------------------------------- */

static PRL_HANDLE new_dev(PRL_DEVICE_TYPE t)
{
	PRL_HANDLE d = PRL_INVALID_HANDLE;
	assert_int_equal(PrlVmCfg_CreateVmDev(vm, t, &d), PRL_ERR_SUCCESS);
	return d;
}

static void test_device_add_remove(void **state)
{
	PRL_HANDLE a = new_dev(PDE_HARD_DISK), b = new_dev(PDE_HARD_DISK);
	assert_int_equal(u32_of(PrlVmDev_GetIndex, a), 0);
	assert_int_equal(u32_of(PrlVmDev_GetIndex, b), 1);
	assert_int_equal(u32_of(PrlVmCfg_GetHardDisksCount, vm), 2);

	/* The guide's recipe for a new disk, read back. */
	assert_int_equal(PrlVmDevHd_SetDiskType(b, PHD_PLAIN_HARD_DISK), PRL_ERR_SUCCESS);
	assert_int_equal(PrlVmDevHd_SetDiskSize(b, 2048), PRL_ERR_SUCCESS);
	assert_int_equal(PrlVmDev_SetEmulatedType(b, PDT_USE_IMAGE_FILE), PRL_ERR_SUCCESS);
	assert_int_equal(PrlVmDev_SetSysName(b, "disk2.hdd"), PRL_ERR_SUCCESS);
	assert_int_equal(PrlVmDev_SetFriendlyName(b, "Disk 2"), PRL_ERR_SUCCESS);
	assert_int_equal(PrlVmDev_SetIfaceType(b, PMS_SCSI_DEVICE), PRL_ERR_SUCCESS);
	assert_int_equal(PrlVmDev_SetStackIndex(b, 3), PRL_ERR_SUCCESS);
	assert_int_equal(PrlVmDev_SetConnected(b, PRL_FALSE), PRL_ERR_SUCCESS);
	assert_int_equal(PrlVmDevHd_SetSerialNumber(b, "SN-42"), PRL_ERR_SUCCESS);

	PRL_HANDLE again = nth_dev(PrlVmCfg_GetHardDisk, 1);
	assert_int_equal(u32_of(PrlVmDevHd_GetDiskSize, again), 2048);
	assert_string_equal(get_str(PrlVmDev_GetImagePath, again), "disk2.hdd");
	assert_string_equal(get_str(PrlVmDev_GetFriendlyName, again), "Disk 2");
	assert_string_equal(get_str(PrlVmDevHd_GetSerialNumber, again), "SN-42");
	assert_int_equal(u32_of(PrlVmDev_GetStackIndex, again), 3);
	PRL_BOOL c = PRL_TRUE;
	assert_int_equal(PrlVmDev_IsConnected(again, &c), PRL_ERR_SUCCESS);
	assert_int_equal(c, PRL_FALSE);
	PRL_HARD_DISK_INTERNAL_FORMAT f;
	assert_int_equal(PrlVmDevHd_GetDiskType(again, &f), PRL_ERR_SUCCESS);
	assert_int_equal(f, PHD_PLAIN_HARD_DISK);

	/* Removing one leaves the other; the removed handle says so. */
	assert_int_equal(PrlVmDev_Remove(a), PRL_ERR_SUCCESS);
	assert_int_equal(u32_of(PrlVmCfg_GetHardDisksCount, vm), 1);
	PRL_UINT32 i;
	assert_int_equal(PrlVmDev_GetIndex(a, &i), PRL_ERR_OBJECT_WAS_REMOVED);
	assert_int_equal(PrlVmDev_Remove(a), PRL_ERR_OBJECT_WAS_REMOVED);
	assert_int_equal(u32_of(PrlVmDev_GetIndex, b), 1);

	/* A new disk takes the free index 0. */
	PRL_HANDLE d = new_dev(PDE_HARD_DISK);
	assert_int_equal(u32_of(PrlVmDev_GetIndex, d), 0);
	PrlHandle_Free(a);
	PrlHandle_Free(b);
	PrlHandle_Free(d);
	PrlHandle_Free(again);
}

static void test_device_types_and_bad_input(void **state)
{
	static const struct { PRL_DEVICE_TYPE dev; PRL_HANDLE_TYPE h; } kinds[] = {
		{ PDE_FLOPPY_DISK, PHT_VIRTUAL_DEV_FLOPPY },
		{ PDE_OPTICAL_DISK, PHT_VIRTUAL_DEV_OPTICAL_DISK },
		{ PDE_HARD_DISK, PHT_VIRTUAL_DEV_HARD_DISK },
		{ PDE_GENERIC_NETWORK_ADAPTER, PHT_VIRTUAL_DEV_NET_ADAPTER },
		{ PDE_SERIAL_PORT, PHT_VIRTUAL_DEV_SERIAL_PORT },
		{ PDE_PARALLEL_PORT, PHT_VIRTUAL_DEV_PARALLEL_PORT },
		{ PDE_SOUND_DEVICE, PHT_VIRTUAL_DEV_SOUND },
		{ PDE_USB_DEVICE, PHT_VIRTUAL_DEV_USB_DEVICE },
	};
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		PRL_HANDLE d = new_dev(kinds[k].dev);
		PRL_HANDLE_TYPE t;
		PRL_DEVICE_TYPE dt;
		assert_int_equal(PrlHandle_GetType(d, &t), PRL_ERR_SUCCESS);
		assert_int_equal(t, kinds[k].h);
		assert_int_equal(PrlVmDev_GetType(d, &dt), PRL_ERR_SUCCESS);
		assert_int_equal(dt, kinds[k].dev);
		PrlHandle_Free(d);
	}
	assert_int_equal(u32_of(PrlVmCfg_GetDevsCount, vm), 8);

	PRL_HANDLE d = PRL_INVALID_HANDLE;
	assert_int_equal(PrlVmCfg_CreateVmDev(vm, PDE_MIXER_DEVICE, &d), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlVmCfg_CreateVmDev(vm, PDE_HARD_DISK, NULL), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlVmCfg_GetHardDisk(vm, 1, &d), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlVmCfg_GetHardDisk(vm, 0, NULL), PRL_ERR_INVALID_ARG);

	/* Family-specific calls refuse other device kinds. */
	PRL_HANDLE net = nth_dev(PrlVmCfg_GetNetAdapter, 0);
	PRL_UINT32 size;
	assert_int_equal(PrlVmDevHd_GetDiskSize(net, &size), PRL_ERR_INVALID_ARG);
	PRL_HANDLE hdd = nth_dev(PrlVmCfg_GetHardDisk, 0);
	assert_int_equal(PrlVmDevNet_GenerateMacAddr(hdd), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlVmDev_GetIndex(vm, &size), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlVmDev_GetIndex(hdd, NULL), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlVmDev_SetSysName(hdd, NULL), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlVmDevHd_GetDiskSize(hdd, &size), PRL_ERR_SUCCESS);

	PRL_SERIAL_PORT_SOCKET_OPERATION_MODE sm = PSP_SERIAL_SOCKET_SERVER;
	PRL_HANDLE ser = new_dev(PDE_SERIAL_PORT);
	assert_int_equal(PrlVmDevSerial_SetSocketMode(ser, PSP_SERIAL_SOCKET_CLIENT),
			 PRL_ERR_SUCCESS);
	assert_int_equal(PrlVmDevSerial_GetSocketMode(ser, &sm), PRL_ERR_SUCCESS);
	assert_int_equal(sm, PSP_SERIAL_SOCKET_CLIENT);
	assert_int_equal(u32_of(PrlVmDev_GetIndex, ser), 1);   /* the second port */
	assert_int_equal(PrlVmDevSerial_GetSocketMode(hdd, &sm), PRL_ERR_INVALID_ARG);
	PrlHandle_Free(ser);
	PrlHandle_Free(net);
	PrlHandle_Free(hdd);
}

static void test_device_list(void **state)
{
	PRL_HANDLE a = new_dev(PDE_HARD_DISK), b = new_dev(PDE_OPTICAL_DISK);
	PRL_HANDLE list[4] = { 0 };
	PRL_UINT32 n = 1;
	assert_int_equal(PrlVmCfg_GetDevsList(vm, list, &n), PRL_ERR_BUFFER_OVERRUN);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(PrlVmCfg_GetDevsList(vm, NULL, &n), PRL_ERR_SUCCESS);
	assert_int_equal(n, 2);
	n = 4;
	assert_int_equal(PrlVmCfg_GetDevsList(vm, list, &n), PRL_ERR_SUCCESS);
	assert_int_equal(n, 2);
	PRL_DEVICE_TYPE t;
	assert_int_equal(PrlVmDev_GetType(list[1], &t), PRL_ERR_SUCCESS);
	assert_int_equal(t, PDE_OPTICAL_DISK);
	assert_int_equal(PrlVmCfg_GetDevsList(vm, list, NULL), PRL_ERR_INVALID_ARG);
	for (int i = 0; i < 2; i++)
		PrlHandle_Free(list[i]);
	PrlHandle_Free(a);
	PrlHandle_Free(b);
}

/* ---- network adapters -------------------------------------------------------------- */

static void test_mac_addresses(void **state)
{
	PRL_HANDLE n[8];
	char macs[8][13];
	for (int i = 0; i < 8; i++) {
		n[i] = new_dev(PDE_GENERIC_NETWORK_ADAPTER);
		assert_int_equal(PrlVmDevNet_GenerateMacAddr(n[i]), PRL_ERR_SUCCESS);
		strcpy(macs[i], get_str(PrlVmDevNet_GetMacAddress, n[i]));
		assert_memory_equal(macs[i], "001C42", 6);
		for (int k = 0; k < i; k++)
			assert_string_not_equal(macs[i], macs[k]);
	}
	assert_int_equal(PrlVmDevNet_SetMacAddress(n[0], "00:1c:42:aa:bb:0c"), PRL_ERR_SUCCESS);
	assert_string_equal(get_str(PrlVmDevNet_GetMacAddress, n[0]), "001C42AABB0C");
	assert_int_equal(PrlVmDevNet_SetMacAddress(n[0], "00-1C-42-01-02-03"), PRL_ERR_SUCCESS);
	assert_string_equal(get_str(PrlVmDevNet_GetMacAddress, n[0]), "001C42010203");
	assert_int_equal(PrlVmDevNet_SetMacAddress(n[0], "zz"), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlVmDevNet_SetMacAddress(n[0], "001C4201020304"), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlVmDevNet_SetMacAddress(n[0], "01:00:5e:00:00:01"), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlVmDevNet_SetMacAddress(n[0], NULL), PRL_ERR_INVALID_ARG);
	assert_string_equal(get_str(PrlVmDevNet_GetMacAddress, n[0]), "001C42010203");

	/* Emulated type doubles as the attachment; other settings read back. */
	PRL_VM_DEV_EMULATION_TYPE e;
	assert_int_equal(PrlVmDev_SetEmulatedType(n[1], (PRL_VM_DEV_EMULATION_TYPE)PNA_BRIDGED_ETHERNET), PRL_ERR_SUCCESS);
	assert_int_equal(PrlVmDev_GetEmulatedType(n[1], &e), PRL_ERR_SUCCESS);
	assert_int_equal(e, PNA_BRIDGED_ETHERNET);
	assert_int_equal(PrlVmDevNet_SetVirtualNetworkId(n[1], "Bridged"), PRL_ERR_SUCCESS);
	assert_string_equal(get_str(PrlVmDevNet_GetVirtualNetworkId, n[1]), "Bridged");
	assert_int_equal(PrlVmDevNet_SetDefaultGateway(n[1], "10.0.0.1"), PRL_ERR_SUCCESS);
	assert_string_equal(get_str(PrlVmDevNet_GetDefaultGateway, n[1]), "10.0.0.1");
	PRL_BOOL spoof = PRL_FALSE;
	assert_int_equal(PrlVmDevNet_SetPktFilterPreventMacSpoof(n[1], PRL_TRUE), PRL_ERR_SUCCESS);
	assert_int_equal(PrlVmDevNet_IsPktFilterPreventMacSpoof(n[1], &spoof), PRL_ERR_SUCCESS);
	assert_int_equal(spoof, PRL_TRUE);
	PRL_INT32 bound = 0;
	assert_int_equal(PrlVmDevNet_GetBoundAdapterIndex(n[1], &bound), PRL_ERR_SUCCESS);
	assert_int_equal(bound, -1);
	assert_int_equal(PrlVmDevNet_SetBoundAdapterIndex(n[1], -1), PRL_ERR_SUCCESS);
	for (int i = 0; i < 8; i++)
		PrlHandle_Free(n[i]);
}

static void test_net_addresses(void **state)
{
	PRL_HANDLE net = new_dev(PDE_GENERIC_NETWORK_ADAPTER), in, out;
	assert_int_equal(PrlApi_CreateStringsList(&in), PRL_ERR_SUCCESS);
	assert_int_equal(PrlStrList_AddItem(in, "10.0.0.5/255.255.255.0"), PRL_ERR_SUCCESS);
	assert_int_equal(PrlStrList_AddItem(in, "fe80::5/64"), PRL_ERR_SUCCESS);
	assert_int_equal(PrlVmDevNet_SetNetAddresses(net, in), PRL_ERR_SUCCESS);
	PrlHandle_Free(in);              /* the device keeps its own copy */
	assert_int_equal(PrlVmDevNet_GetNetAddresses(net, &out), PRL_ERR_SUCCESS);
	assert_int_equal(u32_of(PrlStrList_GetItemsCount, out), 2);
	char buf[64];
	PRL_UINT32 len = sizeof(buf);
	assert_int_equal(PrlStrList_GetItem(out, 1, buf, &len), PRL_ERR_SUCCESS);
	assert_string_equal(buf, "fe80::5/64");
	PrlHandle_Free(out);
	assert_int_equal(PrlVmDevNet_SetNetAddresses(net, PRL_INVALID_HANDLE), PRL_ERR_SUCCESS);
	assert_int_equal(PrlVmDevNet_GetNetAddresses(net, &out), PRL_ERR_SUCCESS);
	assert_int_equal(u32_of(PrlStrList_GetItemsCount, out), 0);
	PrlHandle_Free(out);
	assert_int_equal(PrlVmDevNet_GetNetAddresses(net, NULL), PRL_ERR_INVALID_ARG);
	PrlHandle_Free(net);
}

/* ---- boot order -------------------------------------------------------------------- */

static void test_boot_order(void **state)
{
	PRL_HANDLE cd = new_dev(PDE_OPTICAL_DISK), b1, b2;
	assert_int_equal(PrlVmCfg_CreateBootDev(vm, &b1), PRL_ERR_SUCCESS);
	assert_int_equal(PrlVmCfg_CreateBootDev(vm, &b2), PRL_ERR_SUCCESS);
	assert_int_equal(u32_of(PrlVmCfg_GetBootDevCount, vm), 2);
	assert_int_equal(u32_of(PrlBootDev_GetSequenceIndex, b2), 1);

	assert_int_equal(PrlBootDev_SetType(b1, PDE_OPTICAL_DISK), PRL_ERR_SUCCESS);
	assert_int_equal(PrlBootDev_SetIndex(b1, 0), PRL_ERR_SUCCESS);
	assert_int_equal(PrlBootDev_SetSequenceIndex(b1, 5), PRL_ERR_SUCCESS);
	assert_int_equal(PrlBootDev_SetInUse(b1, PRL_FALSE), PRL_ERR_SUCCESS);
	PRL_HANDLE same;
	assert_int_equal(PrlVmCfg_GetBootDev(vm, 0, &same), PRL_ERR_SUCCESS);
	PRL_DEVICE_TYPE t;
	PRL_BOOL used = PRL_TRUE;
	assert_int_equal(PrlBootDev_GetType(same, &t), PRL_ERR_SUCCESS);
	assert_int_equal(t, PDE_OPTICAL_DISK);
	assert_int_equal(u32_of(PrlBootDev_GetSequenceIndex, same), 5);
	assert_int_equal(PrlBootDev_IsInUse(same, &used), PRL_ERR_SUCCESS);
	assert_int_equal(used, PRL_FALSE);

	/* Boot entries are not devices, and the other way round. */
	PRL_UINT32 i;
	assert_int_equal(PrlVmDev_GetIndex(b1, &i), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlBootDev_GetIndex(cd, &i), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlVmCfg_GetBootDev(vm, 2, &same), PRL_ERR_INVALID_ARG);

	/* Removing the CD drops the boot entry that named it. */
	assert_int_equal(PrlVmDev_Remove(cd), PRL_ERR_SUCCESS);
	assert_int_equal(u32_of(PrlVmCfg_GetBootDevCount, vm), 1);
	assert_int_equal(PrlBootDev_GetType(same, &t), PRL_ERR_OBJECT_WAS_REMOVED);
	assert_int_equal(PrlBootDev_Remove(b2), PRL_ERR_SUCCESS);
	assert_int_equal(u32_of(PrlVmCfg_GetBootDevCount, vm), 0);
	assert_int_equal(PrlBootDev_Remove(b2), PRL_ERR_OBJECT_WAS_REMOVED);
	PrlHandle_Free(same);
	PrlHandle_Free(b1);
	PrlHandle_Free(b2);
	PrlHandle_Free(cd);
}

/* ---- wire configurations and refresh -------------------------------------------- */

typedef struct cfg_fixture {
	Prl__VmConfig c;
	Prl__VmDevice dev[2], *devs[2];
	Prl__BootDevice boot, *boots[1];
} cfg_fixture;

static void fill_config(cfg_fixture *f, char *name, uint32_t ram, uint32_t disk_mb)
{
	static char uuid[] = "{0a0b0c0d-0e0f-4000-8000-000000000001}", home[] = "/vms/x.pvm";
	prl__vm_config__init(&f->c);
	f->c.uuid = uuid;
	f->c.name = name;
	f->c.home_path = home;
	f->c.has_ram_mb = f->c.has_state = 1;
	f->c.ram_mb = ram;
	f->c.state = VMS_STOPPED;
	for (int i = 0; i < 2; i++) {
		prl__vm_device__init(&f->dev[i]);
		f->devs[i] = &f->dev[i];
	}
	f->dev[0].type = PDE_HARD_DISK;
	f->dev[0].has_disk_size_mb = 1;
	f->dev[0].disk_size_mb = disk_mb;
	f->dev[1].type = PDE_GENERIC_NETWORK_ADAPTER;
	f->c.n_devices = 2;
	f->c.devices = f->devs;
	prl__boot_device__init(&f->boot);
	f->boot.type = PDE_HARD_DISK;
	f->boots[0] = &f->boot;
	f->c.n_boot = 1;
	f->c.boot = f->boots;
}

/* A VM object as the connection's reader makes one: c packed, unpacked into
 * a fresh arena, adopted from there; the arena's other reference (the
 * reader's) is dropped at once, so the VM keeps the arena alive alone. */
static prl__obj *from_wire(const Prl__VmConfig *c)
{
	size_t n = prl__vm_config__get_packed_size(c);
	uint8_t *b = malloc(n);
	assert_non_null(b);
	prl__vm_config__pack(c, b);
	prl__arena *a = prl__arena_new(64);  /* small: forces extra chunks */
	assert_non_null(a);
	Prl__VmConfig *u = prl__vm_config__unpack(prl__arena_allocator(a), n, b);
	free(b);
	assert_non_null(u);
	prl__obj *o = prl__vm_adopt_wire(NULL, u, a);
	prl__arena_unref(a);
	return o;
}

static int in_arena(prl__obj *o)
{
	prl__vm *v = (prl__vm *)o;
	pthread_mutex_lock(&v->mu);
	int shared = v->arena != NULL;
	pthread_mutex_unlock(&v->mu);
	return shared;
}

/* Reading a listed VM reads the frame's arena in place; the first edit (or
 * device handle) gives the VM a copy of its own, and only then. */
static void test_arena_copy_on_write(void **state)
{
	(void)state;
	cfg_fixture f;
	char name[] = "shared";
	fill_config(&f, name, 512, 100);
	prl__obj *a = from_wire(&f.c), *b = from_wire(&f.c);
	assert_non_null(a);
	assert_non_null(b);
	PRL_HANDLE ha = prl__handle(a), hb = prl__handle(b);
	assert_string_equal(get_str(PrlVmCfg_GetName, ha), "shared");
	assert_int_equal(u32_of(PrlVmCfg_GetRamSize, ha), 512);
	assert_int_equal(u32_of(PrlVmCfg_GetDevsCount, ha), 2);
	assert_int_equal(PrlVmCfg_SetRamSize(ha, 1024), PRL_ERR_SUCCESS);  /* scalar */
	assert_true(in_arena(a));
	assert_int_equal(PrlVmCfg_SetName(ha, "a longer name than the arena's"),
			 PRL_ERR_SUCCESS);
	assert_false(in_arena(a));
	assert_string_equal(get_str(PrlVmCfg_GetName, ha), "a longer name than the arena's");
	assert_int_equal(u32_of(PrlVmCfg_GetRamSize, ha), 1024);
	/* A device handle needs ids: b gets its own copy too. */
	PRL_HANDLE hdd;
	assert_int_equal(PrlVmCfg_GetHardDisk(hb, 0, &hdd), PRL_ERR_SUCCESS);
	assert_false(in_arena(b));
	assert_int_equal(u32_of(PrlVmDevHd_GetDiskSize, hdd), 100);
	assert_int_equal(PrlVmDevHd_SetDiskSize(hdd, 200), PRL_ERR_SUCCESS);
	assert_int_equal(u32_of(PrlVmDevHd_GetDiskSize, hdd), 200);
	assert_string_equal(get_str(PrlVmCfg_GetName, hb), "shared");
	PrlHandle_Free(hdd);
	/* Freed in either order, with the arena gone only after the last. */
	PRL_HANDLE hc = prl__handle(from_wire(&f.c));
	PRL_HANDLE hd = prl__handle(from_wire(&f.c));
	PrlHandle_Free(hc);
	assert_string_equal(get_str(PrlVmCfg_GetHomePath, hd), "/vms/x.pvm");
	PRL_HANDLE dev2;
	assert_int_equal(PrlVmCfg_CreateVmDev(hd, PDE_OPTICAL_DISK, &dev2), PRL_ERR_SUCCESS);
	assert_int_equal(u32_of(PrlVmCfg_GetDevsCount, hd), 3);
	PrlHandle_Free(dev2);
	PrlHandle_Free(hd);
	PrlHandle_Free(ha);
	PrlHandle_Free(hb);
}

static void test_from_wire_and_refresh(void **state)
{
	cfg_fixture f;
	char name[] = "wired";
	fill_config(&f, name, 768, 1000);
	prl__obj *o = from_wire(&f.c);
	assert_non_null(o);
	name[0] = 'W';                        /* the object made its own copy */
	PRL_HANDLE w = prl__handle(o);
	assert_string_equal(get_str(PrlVmCfg_GetName, w), "wired");
	assert_string_equal(get_str(PrlVmCfg_GetHomePath, w), "/vms/x.pvm");
	assert_int_equal(u32_of(PrlVmCfg_GetRamSize, w), 768);
	PRL_HANDLE info;
	VIRTUAL_MACHINE_STATE s;
	assert_int_equal(PrlVmCfg_GetVmInfo(w, &info), PRL_ERR_SUCCESS);
	assert_int_equal(PrlVmInfo_GetState(info, &s), PRL_ERR_SUCCESS);
	assert_int_equal(s, VMS_STOPPED);
	PrlHandle_Free(info);

	PRL_HANDLE hdd, net;
	assert_int_equal(PrlVmCfg_GetHardDisk(w, 0, &hdd), PRL_ERR_SUCCESS);
	assert_int_equal(PrlVmCfg_GetNetAdapter(w, 0, &net), PRL_ERR_SUCCESS);
	assert_int_equal(u32_of(PrlVmDevHd_GetDiskSize, hdd), 1000);

	/* A refresh keeps handles of entries that are still there. */
	cfg_fixture g;
	char name2[] = "renamed";
	fill_config(&g, name2, 2048, 4096);
	g.c.n_devices = 1;                    /* the adapter is gone */
	prl__vm *v = (prl__vm *)o;
	pthread_mutex_lock(&v->mu);
	assert_int_equal(prl__vm_absorb_locked(v, &g.c), 0);
	pthread_mutex_unlock(&v->mu);
	assert_string_equal(get_str(PrlVmCfg_GetName, w), "renamed");
	assert_int_equal(u32_of(PrlVmDevHd_GetDiskSize, hdd), 4096);
	PRL_UINT32 i;
	assert_int_equal(PrlVmDev_GetIndex(net, &i), PRL_ERR_OBJECT_WAS_REMOVED);

	/* Refreshes while the caller holds the only VM reference via devices. */
	PrlHandle_Free(w);
	assert_int_equal(u32_of(PrlVmDevHd_GetDiskSize, hdd), 4096);
	PrlHandle_Free(hdd);
	PrlHandle_Free(net);
}

/* A finished job of op acting on vm, whose result holds value v (moved in). */
static PRL_RESULT finish_job(PRL_JOB_OPERATION_CODE op, PRL_RESULT rc, prl__value *v)
{
	prl__job *j = prl__job_new(op, NULL);
	assert_non_null(j);
	j->target = prl__get(vm, PHT_VIRTUAL_MACHINE);
	j->on_finish = prl__vm_job_finished;
	prl__result *r = prl__result_new();
	assert_non_null(r);
	if (v)
		assert_int_equal(prl__result_add(r, v), 0);
	assert_int_equal(prl__job_finish(j, rc, r, NULL), 1);
	return job_rc(prl__handle(&j->base));
}

/* What the library does with the dispatcher's answers, before waiters wake. */
static void test_job_answers_fold_into_vm(void **state)
{
	PRL_HANDLE hdd = new_dev(PDE_HARD_DISK);
	assert_int_equal(PrlVmCfg_SetName(vm, "local edit"), PRL_ERR_SUCCESS);

	/* BeginEdit: the configuration is replaced, handles carried over. */
	cfg_fixture f;
	char name[] = "from server";
	fill_config(&f, name, 4096, 777);
	prl__value v = { .kind = PRL__V_OBJ, .v.o = from_wire(&f.c) };
	assert_non_null(v.v.o);
	assert_int_equal(finish_job(PJOC_VM_BEGIN_EDIT, PRL_ERR_SUCCESS, &v), PRL_ERR_SUCCESS);
	assert_string_equal(get_str(PrlVmCfg_GetName, vm), "from server");
	assert_int_equal(u32_of(PrlVmCfg_GetRamSize, vm), 4096);
	assert_int_equal(u32_of(PrlVmDevHd_GetDiskSize, hdd), 777);

	/* A failed job changes nothing. */
	assert_int_equal(PrlVmCfg_SetName(vm, "kept"), PRL_ERR_SUCCESS);
	fill_config(&f, name, 1, 1);
	v = (prl__value){ .kind = PRL__V_OBJ, .v.o = from_wire(&f.c) };
	assert_int_equal(finish_job(PJOC_VM_REFRESH_CONFIG, PRL_ERR_VM_CONFIG_WAS_CHANGED, &v),
			 PRL_ERR_VM_CONFIG_WAS_CHANGED);
	assert_string_equal(get_str(PrlVmCfg_GetName, vm), "kept");

	/* A clone's answer is the new VM: the source stays as it is. */
	v = (prl__value){ .kind = PRL__V_OBJ, .v.o = from_wire(&f.c) };
	assert_int_equal(finish_job(PJOC_VM_CLONE, PRL_ERR_SUCCESS, &v), PRL_ERR_SUCCESS);
	assert_string_equal(get_str(PrlVmCfg_GetName, vm), "kept");

	/* GetState's VM info updates the cached state. */
	Prl__VmInfo w = PRL__VM_INFO__INIT;
	w.state = VMS_RUNNING;
	v = (prl__value){ .kind = PRL__V_OBJ, .v.o = prl__vminfo_from_wire(NULL, &w) };
	assert_int_equal(finish_job(PJOC_VM_GET_STATE, PRL_ERR_SUCCESS, &v), PRL_ERR_SUCCESS);
	PRL_HANDLE info;
	VIRTUAL_MACHINE_STATE s;
	assert_int_equal(PrlVmCfg_GetVmInfo(vm, &info), PRL_ERR_SUCCESS);
	assert_int_equal(PrlVmInfo_GetState(info, &s), PRL_ERR_SUCCESS);
	assert_int_equal(s, VMS_RUNNING);
	PrlHandle_Free(info);

	/* Commit may answer with just the new revision. */
	v = (prl__value){ .kind = PRL__V_U64, .v.u = 42 };
	assert_int_equal(finish_job(PJOC_VM_COMMIT, PRL_ERR_SUCCESS, &v), PRL_ERR_SUCCESS);
	prl__vm *o = prl__vm_get(vm);
	assert_true(o->cfg->has_revision && o->cfg->revision == 42);
	prl__put(&o->base);
	PrlHandle_Free(hdd);
}

/* ---- asynchronous calls that cannot be sent ------------------------------------ */

static void test_jobs_without_connection(void **state)
{
	assert_int_equal(job_rc(PrlVm_Start(vm)), PRL_ERR_NOT_CONNECTED_TO_DISPATCHER);
	assert_int_equal(job_rc(PrlVm_Commit(vm)), PRL_ERR_NOT_CONNECTED_TO_DISPATCHER);
	assert_int_equal(job_rc(PrlVm_Reg(vm, "", PRL_TRUE)), PRL_ERR_NOT_CONNECTED_TO_DISPATCHER);
	assert_int_equal(job_rc(PrlVm_StopEx(vm, PSM_KILL, 0)),
			 PRL_ERR_NOT_CONNECTED_TO_DISPATCHER);
	assert_int_equal(job_rc(PrlSrv_GetVmConfig(srv, "x", 0)),
			 PRL_ERR_NOT_CONNECTED_TO_DISPATCHER);

	assert_int_equal(job_rc(PrlVm_Start(PRL_INVALID_HANDLE)), PRL_ERR_INVALID_ARG);
	assert_int_equal(job_rc(PrlVm_Start(srv)), PRL_ERR_INVALID_ARG);
	assert_int_equal(job_rc(PrlVm_Clone(vm, NULL, "", PRL_FALSE)), PRL_ERR_INVALID_ARG);
	assert_int_equal(job_rc(PrlVm_Clone(srv, "x", "", PRL_FALSE)), PRL_ERR_INVALID_ARG);
	assert_int_equal(job_rc(PrlVm_CloneWithUuid(vm, "x", "bad", "", 0)), PRL_ERR_INVALID_ARG);
	assert_int_equal(job_rc(PrlVm_Delete(vm, srv)), PRL_ERR_INVALID_ARG);
	assert_int_equal(job_rc(PrlSrv_RegisterVm(srv, NULL, PRL_FALSE)), PRL_ERR_INVALID_ARG);
	assert_int_equal(job_rc(PrlSrv_GetVmConfig(srv, NULL, 0)), PRL_ERR_INVALID_ARG);
	assert_int_equal(job_rc(PrlSrv_GetDefaultVmConfig(srv, NULL, 0)), PRL_ERR_INVALID_ARG);

	/* Resume reports the start operation code, as in the SDK. */
	PRL_HANDLE j = PrlVm_Resume(vm);
	PRL_JOB_OPERATION_CODE op;
	assert_int_equal(PrlJob_GetOpCode(j, &op), PRL_ERR_SUCCESS);
	assert_int_equal(op, PJOC_VM_START);
	assert_int_equal(job_rc(j), PRL_ERR_NOT_CONNECTED_TO_DISPATCHER);

	PRL_HANDLE hdd = new_dev(PDE_HARD_DISK);
	assert_int_equal(job_rc(PrlVmDev_CreateImage(hdd, PRL_TRUE, PRL_TRUE)),
			 PRL_ERR_NOT_CONNECTED_TO_DISPATCHER);
	assert_int_equal(PrlVmDev_Remove(hdd), PRL_ERR_SUCCESS);
	assert_int_equal(job_rc(PrlVmDev_CreateImage(hdd, PRL_TRUE, PRL_TRUE)),
			 PRL_ERR_OBJECT_WAS_REMOVED);
	PrlHandle_Free(hdd);
}

static PRL_RESULT PRL_CALL on_event(PRL_HANDLE h, PRL_VOID_PTR data)
{
	return PrlHandle_Free(h);
}

static void test_event_handlers(void **state)
{
	int tag;
	assert_int_equal(PrlVm_RegEventHandler(vm, on_event, &tag), PRL_ERR_SUCCESS);
	assert_int_equal(PrlVm_UnregEventHandler(vm, on_event, &tag), PRL_ERR_SUCCESS);
	assert_int_equal(PrlVm_UnregEventHandler(vm, on_event, &tag), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlVm_RegEventHandler(vm, NULL, &tag), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlVm_RegEventHandler(srv, on_event, &tag), PRL_ERR_INVALID_ARG);
	/* Through the generic entry point too. */
	assert_int_equal(PrlHandle_RegEventHandler(vm, on_event, NULL), PRL_ERR_SUCCESS);
	assert_int_equal(PrlHandle_UnregEventHandler(vm, on_event, NULL), PRL_ERR_SUCCESS);
}

static void test_uninitialized(void **state)
{
	char buf[8];
	PRL_UINT32 len = sizeof(buf);
	assert_int_equal(PrlVmCfg_GetName(PRL_INVALID_HANDLE, buf, &len),
			 PRL_ERR_API_WASNT_INITIALIZED);
	assert_int_equal(PrlVmDev_GetIndex(PRL_INVALID_HANDLE, &len),
			 PRL_ERR_API_WASNT_INITIALIZED);
	assert_int_equal(PrlBootDev_GetIndex(PRL_INVALID_HANDLE, &len),
			 PRL_ERR_API_WASNT_INITIALIZED);
}

#define T(f) cmocka_unit_test_setup_teardown(f, test_setup, test_teardown)

int main(void)
{
	const struct CMUnitTest before[] = {
		cmocka_unit_test(test_uninitialized),
	};
	const struct CMUnitTest tests[] = {
		T(test_create_vm),
		T(test_get_config_same_handle),
		T(test_string_convention),
		T(test_uuid),
		T(test_numeric_setters),
		T(test_vm_info),
		T(test_default_config_windows),
		T(test_default_config_linux_no_devices),
		T(test_device_add_remove),
		T(test_device_types_and_bad_input),
		T(test_device_list),
		T(test_mac_addresses),
		T(test_net_addresses),
		T(test_boot_order),
		T(test_from_wire_and_refresh),
		T(test_arena_copy_on_write),
		T(test_job_answers_fold_into_vm),
		T(test_jobs_without_connection),
		T(test_event_handlers),
	};
	int failed = cmocka_run_group_tests_name("vmcfg-uninit", before, NULL, NULL);
	return failed + cmocka_run_group_tests_name("vmcfg", tests, group_setup, group_teardown);
}
