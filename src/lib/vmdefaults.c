/*
 * vmdefaults.c — PrlVmCfg_SetDefaultConfig: a sensible configuration for a
 * new VM from the guest OS version and the host's resources.
 *
 * The guest family (PVS_GUEST_VER_* >> 8) and generation pick a profile —
 * RAM, CPUs, video RAM, disk bus and network card model — from one table.
 * RAM is then held to half the host's memory and the CPU count to the
 * host's, both read through the public PHT_SERVER_CONFIG getters (a
 * PRL_INVALID_HANDLE server configuration means "no host limits").  With
 * needCreateDevices the hardware is replaced by a 64 GiB expanding hard disk
 * (image "harddisk.hdd" in the VM bundle), an empty CD/DVD drive and a
 * shared-network adapter with a fresh MAC, booting from them in that order.
 * The name and UUID are left alone.
 */
#include <stdlib.h>
#include <string.h>

#include "vm.h"
#include "PrlApi.h"
#include "PrlOses.h"

#define DEFAULT_DISK_MB (64u * 1024u)
#define MIN_RAM_MB 256u

typedef struct profile {
	uint32_t family;             /* PVS_GUEST_TYPE_*, 0 = any */
	uint32_t from_version;       /* this version and later (0 = all) */
	uint32_t ram_mb, cpus, video_mb;
	uint32_t bus;                /* PMS_* */
	uint32_t nic;                /* PNT_* */
} profile;

/* First match wins; the last row catches everything else. */
static const profile profiles[] = {
	{ PVS_GUEST_TYPE_WINDOWS, PVS_GUEST_VER_WIN_VISTA, 2048, 2, 64, PMS_SATA_DEVICE, PNT_E1000 },
	{ PVS_GUEST_TYPE_WINDOWS, 0, 512, 1, 32, PMS_IDE_DEVICE, PNT_RTL },
	{ PVS_GUEST_TYPE_LINUX, 0, 1024, 2, 32, PMS_SATA_DEVICE, PNT_VIRTIO },
	{ PVS_GUEST_TYPE_CHROMEOS, 0, 1024, 2, 32, PMS_SATA_DEVICE, PNT_VIRTIO },
	{ PVS_GUEST_TYPE_ANDROID, 0, 1024, 2, 32, PMS_SATA_DEVICE, PNT_VIRTIO },
	{ PVS_GUEST_TYPE_MACOS, 0, 2048, 2, 64, PMS_SATA_DEVICE, PNT_E1000 },
	{ PVS_GUEST_TYPE_FREEBSD, 0, 1024, 1, 32, PMS_SATA_DEVICE, PNT_E1000 },
	{ 0, 0, 512, 1, 16, PMS_IDE_DEVICE, PNT_RTL },
};

static const profile *profile_for(uint32_t version)
{
	uint32_t family = PVS_GET_GUEST_TYPE(version);
	const profile *p = profiles;
	for (; p->family; p++) {
		int old_windows = family == PVS_GUEST_TYPE_WINDOWS &&
				  version == PVS_GUEST_VER_WIN_OTHER;
		if (p->family == family && version >= p->from_version &&
		    !(p->from_version && old_windows))
			return p;
	}
	return p;
}

/* Host RAM (MB) and CPUs; 0 when unknown (no server configuration). */
static PRL_RESULT host_limits(PRL_HANDLE hSrvConfig, PRL_UINT32 *ram, PRL_UINT32 *cpus)
{
	*ram = *cpus = 0;
	if (hSrvConfig == PRL_INVALID_HANDLE)
		return PRL_ERR_SUCCESS;
	PRL_RESULT rc = PrlSrvCfg_GetHostRamSize(hSrvConfig, ram);
	if (PRL_SUCCEEDED(rc))
		rc = PrlSrvCfg_GetCpuCount(hSrvConfig, cpus);
	return rc;
}

static uint32_t fit_ram(uint32_t want, uint32_t host_mb)
{
	uint32_t cap = host_mb / 2;
	if (host_mb && want > cap)
		want = cap < MIN_RAM_MB ? MIN_RAM_MB : cap;
	return want & ~3u;           /* whole 4 MB pages, as hypervisors expect */
}

static void clear_hardware(prl__vm *vm)
{
	Prl__VmConfig *c = vm->cfg;
	for (size_t i = 0; i < c->n_devices; i++)
		prl__vm_device__free_unpacked(c->devices[i], NULL);
	for (size_t i = 0; i < c->n_boot; i++)
		prl__boot_device__free_unpacked(c->boot[i], NULL);
	c->n_devices = c->n_boot = 0;
}

static int add_disk(prl__vm *vm, const profile *p)
{
	uint64_t id;
	Prl__VmDevice *d = prl__vm_add_dev_locked(vm, PDE_HARD_DISK, &id);
	if (!d || prl__set_str(&d->sys_name, "harddisk.hdd") ||
	    prl__set_str(&d->image_path, "harddisk.hdd") ||
	    prl__set_str(&d->friendly_name, "harddisk.hdd"))
		return -1;
	d->has_iface_type = d->has_stack_index = d->has_disk_size_mb = 1;
	d->iface_type = p->bus;
	d->stack_index = 0;
	d->disk_size_mb = DEFAULT_DISK_MB;
	return prl__vm_add_boot_locked(vm, PDE_HARD_DISK, d->index, 0, &id) ? 0 : -1;
}

/* An empty drive (no image yet) on the disk's bus. */
static int add_cdrom(prl__vm *vm, const profile *p)
{
	uint64_t id;
	Prl__VmDevice *d = prl__vm_add_dev_locked(vm, PDE_OPTICAL_DISK, &id);
	if (!d || prl__set_str(&d->sys_name, "") || prl__set_str(&d->friendly_name, ""))
		return -1;
	d->has_emulated_type = d->has_iface_type = d->has_stack_index = 1;
	d->emulated_type = PDT_USE_IMAGE_FILE;
	d->iface_type = p->bus;
	d->stack_index = 1;
	return prl__vm_add_boot_locked(vm, PDE_OPTICAL_DISK, d->index, 1, &id) ? 0 : -1;
}

/* The adapter's MAC and shared networking come from the device defaults. */
static int add_nic(prl__vm *vm, const profile *p)
{
	uint64_t id;
	Prl__VmDevice *d = prl__vm_add_dev_locked(vm, PDE_GENERIC_NETWORK_ADAPTER, &id);
	if (!d || !d->mac)
		return -1;
	d->has_adapter_type = 1;
	d->adapter_type = p->nic;
	return prl__vm_add_boot_locked(vm, PDE_GENERIC_NETWORK_ADAPTER, d->index, 2, &id) ? 0
												: -1;
}

static void set_resources(Prl__VmConfig *c, uint32_t version, const profile *p,
			  uint32_t host_ram, uint32_t host_cpus)
{
	c->has_os_version = c->has_os_type = 1;
	c->os_version = version;
	c->os_type = PVS_GET_GUEST_TYPE(version);
	c->has_ram_mb = c->has_cpu_count = c->has_video_ram_mb = c->has_cpu_mode = 1;
	c->ram_mb = fit_ram(p->ram_mb, host_ram);
	c->cpu_count = host_cpus && p->cpus > host_cpus ? host_cpus : p->cpus;
	c->video_ram_mb = p->video_mb;
	c->cpu_mode = PCM_CPU_MODE_64;
}

PRL_METHOD(PrlVmCfg_SetDefaultConfig)(PRL_HANDLE hVmCfg, PRL_HANDLE hSrvConfig,
				      PRL_UINT32 guestOsVersion, PRL_BOOL needCreateDevices)
{
	PRL__OBJ(vm, prl__vm, hVmCfg, PHT_VIRTUAL_MACHINE);
	PRL_UINT32 host_ram, host_cpus;
	PRL_RESULT rc = host_limits(hSrvConfig, &host_ram, &host_cpus);
	if (PRL_FAILED(rc))
		return rc;
	const profile *p = profile_for(guestOsVersion);
	pthread_mutex_lock(&vm->mu);
	if (prl__vm_own_cfg_locked(vm)) {
		pthread_mutex_unlock(&vm->mu);
		return PRL_ERR_OUT_OF_MEMORY;
	}
	set_resources(vm->cfg, guestOsVersion, p, host_ram, host_cpus);
	if (needCreateDevices) {
		clear_hardware(vm);
		if (add_disk(vm, p) || add_cdrom(vm, p) || add_nic(vm, p))
			rc = PRL_ERR_OUT_OF_MEMORY;
	}
	pthread_mutex_unlock(&vm->mu);
	return rc;
}
