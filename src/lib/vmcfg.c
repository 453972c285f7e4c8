/*
 * vmcfg.c — PHT_VM_CONFIGURATION (PrlVmCfg_*): the getters and setters of
 * a VM's configuration, its device lists and boot order.
 *
 * The configuration is the VM object itself (PHT_VM_CONFIGURATION has the
 * value of PHT_VIRTUAL_MACHINE), so every function resolves a VM handle and
 * reads or changes vm->cfg under vm->mu.  Changes stay local until
 * PrlVm_Commit (or PrlVm_Reg) sends the whole configuration.  Most accessors
 * are one line of a table-like macro list; the few with rules of their own
 * (UUID form, OS type derived from the version, device lists) are written out.
 * PrlVmCfg_SetDefaultConfig lives in vmdefaults.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uuid.h"
#include "vm.h"
#include "PrlApi.h"
#include "PrlOses.h"

/* Declares vm (resolved, released at scope end) and locks it for the rest of
 * the function body, which must leave through VM_UNLOCK_RETURN. */
#define VM_LOCKED(vm, h)                                                         \
	PRL__OBJ(vm, prl__vm, (h), PHT_VIRTUAL_MACHINE);                        \
	pthread_mutex_lock(&vm->mu)

#define VM_UNLOCK_RETURN(vm, rc)                                                 \
	do {                                                                     \
		PRL_RESULT rc__ = (rc);                                          \
		pthread_mutex_unlock(&vm->mu);                                   \
		return rc__;                                                     \
	} while (0)

/* A numeric getter: *out = expr, where expr may use c (the config). */
#define CFG_GET(Name, PtrT, expr)                                                \
	PRL_METHOD(Name)(PRL_HANDLE hVmCfg, PtrT out)                            \
	{                                                                        \
		PRL__OBJ(vm, prl__vm, hVmCfg, PHT_VIRTUAL_MACHINE);             \
		PRL__CHECK_ARG(out);                                             \
		pthread_mutex_lock(&vm->mu);                                     \
		const Prl__VmConfig *c = vm->cfg;                                \
		*out = (__typeof__(*out))(expr);                                 \
		pthread_mutex_unlock(&vm->mu);                                   \
		return PRL_ERR_SUCCESS;                                          \
	}

/* A numeric setter of an optional field, accepting values where ok. */
#define CFG_SET(Name, T, field, ok)                                              \
	PRL_METHOD(Name)(PRL_HANDLE hVmCfg, T v)                                 \
	{                                                                        \
		PRL__OBJ(vm, prl__vm, hVmCfg, PHT_VIRTUAL_MACHINE);             \
		PRL__CHECK_ARG(ok);                                              \
		pthread_mutex_lock(&vm->mu);                                     \
		vm->cfg->has_##field = 1;                                        \
		vm->cfg->field = (__typeof__(vm->cfg->field))v;                  \
		pthread_mutex_unlock(&vm->mu);                                   \
		return PRL_ERR_SUCCESS;                                          \
	}

#define CFG_GET_STR(Name, field)                                                 \
	PRL_METHOD(Name)(PRL_HANDLE hVmCfg, PRL_STR buf, PRL_UINT32_PTR len)     \
	{                                                                        \
		VM_LOCKED(vm, hVmCfg);                                           \
		VM_UNLOCK_RETURN(vm, prl__copy_str(vm->cfg->field, buf, len));   \
	}

#define CFG_SET_STR(Name, field)                                                 \
	PRL_METHOD(Name)(PRL_HANDLE hVmCfg, PRL_CONST_STR s)                     \
	{                                                                        \
		PRL__OBJ(vm, prl__vm, hVmCfg, PHT_VIRTUAL_MACHINE);             \
		PRL__CHECK_ARG(s);                                               \
		pthread_mutex_lock(&vm->mu);                                     \
		int rc = prl__vm_own_cfg_locked(vm) ||                           \
			 prl__set_str(&vm->cfg->field, s);                       \
		pthread_mutex_unlock(&vm->mu);                                   \
		return rc ? PRL_ERR_OUT_OF_MEMORY : PRL_ERR_SUCCESS;             \
	}

/* ---- identity and description ----------------------------------------------- */

CFG_GET_STR(PrlVmCfg_GetName, name)
CFG_SET_STR(PrlVmCfg_SetName, name)
CFG_GET_STR(PrlVmCfg_GetUuid, uuid)
CFG_GET_STR(PrlVmCfg_GetHostname, hostname)
CFG_GET_STR(PrlVmCfg_GetHomePath, home_path)
CFG_GET_STR(PrlVmCfg_GetDescription, description)
CFG_SET_STR(PrlVmCfg_SetDescription, description)
CFG_SET_STR(PrlVmCfg_SetOsTemplate, os_template)
CFG_GET_STR(PrlVmCfg_GetCpuMask, cpu_mask)
CFG_SET_STR(PrlVmCfg_SetCpuMask, cpu_mask)
CFG_GET_STR(PrlVmCfg_GetVNCHostName, vnc_host)
CFG_SET_STR(PrlVmCfg_SetVNCHostName, vnc_host)
CFG_SET_STR(PrlVmCfg_SetVNCPassword, vnc_password)

/* Accepts "{uuid}" or a bare "uuid"; stores the braced form. */
PRL_METHOD(PrlVmCfg_SetUuid)(PRL_HANDLE hVmCfg, PRL_CONST_STR sNewVmUuid)
{
	PRL__OBJ(vm, prl__vm, hVmCfg, PHT_VIRTUAL_MACHINE);
	PRL__CHECK_ARG(sNewVmUuid);
	char braced[PRLC_UUID_LEN + 2];
	if (sNewVmUuid[0] != '{' && strlen(sNewVmUuid) == PRLC_UUID_LEN - 2)
		snprintf(braced, sizeof(braced), "{%s}", sNewVmUuid);
	else
		snprintf(braced, sizeof(braced), "%.*s", PRLC_UUID_LEN, sNewVmUuid);
	PRL__CHECK_ARG(strlen(sNewVmUuid) <= PRLC_UUID_LEN && prlc_uuid_is_valid(braced));
	pthread_mutex_lock(&vm->mu);
	int rc = prl__vm_own_cfg_locked(vm) || prl__set_str(&vm->cfg->uuid, braced);
	pthread_mutex_unlock(&vm->mu);
	return rc ? PRL_ERR_OUT_OF_MEMORY : PRL_ERR_SUCCESS;
}

/* A container's id: the UUID without braces (VMs answer the same way). */
PRL_METHOD(PrlVmCfg_GetCtId)(PRL_HANDLE hVmCfg, PRL_STR sCtId, PRL_UINT32_PTR pnCtIdBufLength)
{
	VM_LOCKED(vm, hVmCfg);
	const char *u = vm->cfg->uuid;
	char bare[PRLC_UUID_LEN + 1];
	size_t n = strlen(u);
	if (n >= 2 && u[0] == '{' && u[n - 1] == '}' && n - 2 < sizeof(bare))
		snprintf(bare, sizeof(bare), "%.*s", (int)(n - 2), u + 1);
	else
		snprintf(bare, sizeof(bare), "%s", u);
	VM_UNLOCK_RETURN(vm, prl__copy_str(bare, sCtId, pnCtIdBufLength));
}

/* ---- guest OS ------------------------------------------------------------------ */

/* The family comes from the version when the configuration has no type. */
CFG_GET(PrlVmCfg_GetOsType, PRL_UINT32_PTR,
	c->has_os_type ? c->os_type : PVS_GET_GUEST_TYPE(c->os_version))
CFG_GET(PrlVmCfg_GetOsVersion, PRL_UINT32_PTR, c->os_version)

PRL_METHOD(PrlVmCfg_SetOsVersion)(PRL_HANDLE hVmCfg, PRL_UINT32 nVmOsVersion)
{
	PRL__OBJ(vm, prl__vm, hVmCfg, PHT_VIRTUAL_MACHINE);
	pthread_mutex_lock(&vm->mu);
	vm->cfg->has_os_version = 1;
	vm->cfg->os_version = nVmOsVersion;
	vm->cfg->has_os_type = 1;
	vm->cfg->os_type = PVS_GET_GUEST_TYPE(nVmOsVersion);
	pthread_mutex_unlock(&vm->mu);
	return PRL_ERR_SUCCESS;
}

/* ---- resources --------------------------------------------------------------- */

CFG_GET(PrlVmCfg_GetRamSize, PRL_UINT32_PTR, c->ram_mb)
CFG_SET(PrlVmCfg_SetRamSize, PRL_UINT32, ram_mb, v > 0)
CFG_GET(PrlVmCfg_GetVideoRamSize, PRL_UINT32_PTR, c->video_ram_mb)
CFG_SET(PrlVmCfg_SetVideoRamSize, PRL_UINT32, video_ram_mb, 1)
CFG_GET(PrlVmCfg_GetCpuCount, PRL_UINT32_PTR, c->has_cpu_count ? c->cpu_count : 1)
CFG_SET(PrlVmCfg_SetCpuCount, PRL_UINT32, cpu_count, v > 0)
CFG_GET(PrlVmCfg_GetCpuMode, PRL_CPU_MODE_PTR, c->has_cpu_mode ? c->cpu_mode : PCM_CPU_MODE_64)
CFG_GET(PrlVmCfg_GetCpuUnits, PRL_UINT32_PTR, c->cpu_units)

/* ---- kind, start-up, remote display ------------------------------------------- */

CFG_GET(PrlVmCfg_GetVmType, PRL_VM_TYPE_PTR, c->vm_type)
CFG_SET(PrlVmCfg_SetVmType, PRL_VM_TYPE, vm_type, v == PVT_VM || v == PVT_CT)
CFG_GET(PrlVmCfg_IsTemplate, PRL_BOOL_PTR, c->is_template ? PRL_TRUE : PRL_FALSE)
CFG_GET(PrlVmCfg_GetAutoStart, PRL_VM_AUTOSTART_OPTION_PTR, c->autostart)
CFG_SET(PrlVmCfg_SetAutoStart, PRL_VM_AUTOSTART_OPTION, autostart, 1)
CFG_GET(PrlVmCfg_GetVNCMode, PRL_VM_REMOTE_DISPLAY_MODE_PTR, c->vnc_mode)
CFG_SET(PrlVmCfg_SetVNCMode, PRL_VM_REMOTE_DISPLAY_MODE, vnc_mode, 1)
CFG_GET(PrlVmCfg_GetVNCPort, PRL_UINT32_PTR, c->vnc_port)
CFG_SET(PrlVmCfg_SetVNCPort, PRL_UINT32, vnc_port, v <= 65535)
CFG_SET(PrlVmCfg_SetOfflineManagementEnabled, PRL_BOOL, offline_management, 1)
CFG_GET(PrlVmCfg_GetConfigValidity, PRL_RESULT_PTR, (PRL_RESULT)c->config_validity)

/* The state the configuration was sent with (VMS_UNKNOWN for a VM that was
 * never registered), as a PHT_VM_INFO. */
PRL_METHOD(PrlVmCfg_GetVmInfo)(PRL_HANDLE hVmCfg, PRL_HANDLE_PTR phVmInfo)
{
	PRL__OBJ(vm, prl__vm, hVmCfg, PHT_VIRTUAL_MACHINE);
	PRL__CHECK_ARG(phVmInfo);
	pthread_mutex_lock(&vm->mu);
	uint32_t state = vm->cfg->has_state ? vm->cfg->state : VMS_UNKNOWN;
	int invalid = vm->cfg->config_validity != 0;
	char *owner = vm->cfg->owner && *vm->cfg->owner ? strdup(vm->cfg->owner) : NULL;
	pthread_mutex_unlock(&vm->mu);
	prl__obj *info = prl__vminfo_new(state, VMAS_NOSTATE, invalid, 0);
	char *user = info ? prl__conn_session_user(vm->server) : NULL;
	prl__vminfo_set_owner(info, owner, user);
	free(owner);
	free(user);
	if (!info)
		return PRL_ERR_OUT_OF_MEMORY;
	*phVmInfo = prl__handle(info);
	return PRL_ERR_SUCCESS;
}

/* ---- devices ------------------------------------------------------------------ */

/* Devices of type t (PDE_GENERIC_DEVICE = all). */
static uint32_t count_of(const Prl__VmConfig *c, uint32_t t)
{
	uint32_t n = 0;
	for (size_t i = 0; i < c->n_devices; i++)
		n += t == PDE_GENERIC_DEVICE || c->devices[i]->type == t;
	return n;
}

/* The nth device of type t as a new handle; caller holds vm->mu.  A device
 * handle names its entry by id, which only a VM's own configuration has. */
static PRL_RESULT nth_device(prl__vm *vm, uint32_t t, uint32_t nth, PRL_HANDLE_PTR out)
{
	if (prl__vm_own_cfg_locked(vm))
		return PRL_ERR_OUT_OF_MEMORY;
	for (size_t i = 0; i < vm->cfg->n_devices; i++) {
		uint32_t type = vm->cfg->devices[i]->type;
		if ((t != PDE_GENERIC_DEVICE && type != t) || nth--)
			continue;
		prl__obj *d = prl__vmdev_new(vm, type, vm->dev_ids[i]);
		if (!d)
			return PRL_ERR_OUT_OF_MEMORY;
		*out = prl__handle(d);
		return PRL_ERR_SUCCESS;
	}
	return PRL_ERR_INVALID_ARG;
}

static PRL_RESULT get_count(PRL_HANDLE h, uint32_t t, PRL_UINT32_PTR out)
{
	PRL__OBJ(vm, prl__vm, h, PHT_VIRTUAL_MACHINE);
	PRL__CHECK_ARG(out);
	pthread_mutex_lock(&vm->mu);
	*out = count_of(vm->cfg, t);
	pthread_mutex_unlock(&vm->mu);
	return PRL_ERR_SUCCESS;
}

static PRL_RESULT get_device(PRL_HANDLE h, uint32_t t, PRL_UINT32 nth, PRL_HANDLE_PTR out)
{
	PRL__OBJ(vm, prl__vm, h, PHT_VIRTUAL_MACHINE);
	PRL__CHECK_ARG(out);
	pthread_mutex_lock(&vm->mu);
	PRL_RESULT rc = nth_device(vm, t, nth, out);
	pthread_mutex_unlock(&vm->mu);
	return rc;
}

#define DEVICE_LIST(CountName, GetName, type)                                    \
	PRL_METHOD(CountName)(PRL_HANDLE hVmCfg, PRL_UINT32_PTR pnCount)         \
	{                                                                        \
		return get_count(hVmCfg, (type), pnCount);                       \
	}                                                                        \
	PRL_METHOD(GetName)(PRL_HANDLE hVmCfg, PRL_UINT32 nIndex,                \
			    PRL_HANDLE_PTR phDevice)                              \
	{                                                                        \
		return get_device(hVmCfg, (type), nIndex, phDevice);             \
	}

DEVICE_LIST(PrlVmCfg_GetHardDisksCount, PrlVmCfg_GetHardDisk, PDE_HARD_DISK)
DEVICE_LIST(PrlVmCfg_GetOpticalDisksCount, PrlVmCfg_GetOpticalDisk, PDE_OPTICAL_DISK)
DEVICE_LIST(PrlVmCfg_GetNetAdaptersCount, PrlVmCfg_GetNetAdapter,
	    PDE_GENERIC_NETWORK_ADAPTER)

PRL_METHOD(PrlVmCfg_GetDevsCount)(PRL_HANDLE hVmCfg, PRL_UINT32_PTR vmdev_handles_count)
{
	return get_count(hVmCfg, PDE_GENERIC_DEVICE, vmdev_handles_count);
}

/* Fills the caller's array with one new handle per device; a short array gets
 * PRL_ERR_BUFFER_OVERRUN and the count needed, a NULL array just the count. */
PRL_METHOD(PrlVmCfg_GetDevsList)(PRL_HANDLE hVmCfg, PRL_HANDLE_PTR vmdev_handles,
				 PRL_UINT32_PTR vmdev_handles_count)
{
	VM_LOCKED(vm, hVmCfg);
	if (!vmdev_handles_count)
		VM_UNLOCK_RETURN(vm, PRL_ERR_INVALID_ARG);
	uint32_t n = (uint32_t)vm->cfg->n_devices, room = *vmdev_handles_count;
	*vmdev_handles_count = n;
	if (!vmdev_handles)
		VM_UNLOCK_RETURN(vm, PRL_ERR_SUCCESS);
	if (room < n)
		VM_UNLOCK_RETURN(vm, PRL_ERR_BUFFER_OVERRUN);
	for (uint32_t i = 0; i < n; i++) {
		if (PRL_FAILED(nth_device(vm, PDE_GENERIC_DEVICE, i, &vmdev_handles[i]))) {
			while (i--)
				PrlHandle_Free(vmdev_handles[i]);
			VM_UNLOCK_RETURN(vm, PRL_ERR_OUT_OF_MEMORY);
		}
	}
	VM_UNLOCK_RETURN(vm, PRL_ERR_SUCCESS);
}

/* Adds a device of a supported type with the usual defaults for that type;
 * the new device is part of the configuration at once. */
PRL_METHOD(PrlVmCfg_CreateVmDev)(PRL_HANDLE hVmCfg, PRL_DEVICE_TYPE nDeviceType,
				 PRL_HANDLE_PTR phVmDevice)
{
	PRL__OBJ(vm, prl__vm, hVmCfg, PHT_VIRTUAL_MACHINE);
	PRL__CHECK_ARG(phVmDevice && prl__vmdev_handle_type((uint32_t)nDeviceType));
	uint64_t id = 0;
	pthread_mutex_lock(&vm->mu);
	Prl__VmDevice *d = prl__vm_add_dev_locked(vm, (uint32_t)nDeviceType, &id);
	prl__obj *h = d ? prl__vmdev_new(vm, (uint32_t)nDeviceType, id) : NULL;
	pthread_mutex_unlock(&vm->mu);
	if (!h)
		return PRL_ERR_OUT_OF_MEMORY;
	*phVmDevice = prl__handle(h);
	return PRL_ERR_SUCCESS;
}

/* ---- boot order ----------------------------------------------------------------- */

CFG_GET(PrlVmCfg_GetBootDevCount, PRL_UINT32_PTR, c->n_boot)

PRL_METHOD(PrlVmCfg_GetBootDev)(PRL_HANDLE hVmCfg, PRL_UINT32 nBootDevIndex,
				PRL_HANDLE_PTR phVmBootDev)
{
	PRL__OBJ(vm, prl__vm, hVmCfg, PHT_VIRTUAL_MACHINE);
	PRL__CHECK_ARG(phVmBootDev);
	pthread_mutex_lock(&vm->mu);
	int ok = nBootDevIndex < vm->cfg->n_boot;
	int owned = ok && prl__vm_own_cfg_locked(vm) == 0;
	prl__obj *b = owned ? prl__bootdev_new(vm, vm->boot_ids[nBootDevIndex]) : NULL;
	pthread_mutex_unlock(&vm->mu);
	if (!ok)
		return PRL_ERR_INVALID_ARG;
	if (!b)
		return PRL_ERR_OUT_OF_MEMORY;
	*phVmBootDev = prl__handle(b);
	return PRL_ERR_SUCCESS;
}

/* A new entry at the end of the boot order, in use, for no device yet. */
PRL_METHOD(PrlVmCfg_CreateBootDev)(PRL_HANDLE hVmCfg, PRL_HANDLE_PTR phVmBootDev)
{
	PRL__OBJ(vm, prl__vm, hVmCfg, PHT_VIRTUAL_MACHINE);
	PRL__CHECK_ARG(phVmBootDev);
	uint64_t id = 0;
	pthread_mutex_lock(&vm->mu);
	uint32_t seq = (uint32_t)vm->cfg->n_boot;
	Prl__BootDevice *b = prl__vm_add_boot_locked(vm, PDE_GENERIC_DEVICE, 0, seq, &id);
	prl__obj *h = b ? prl__bootdev_new(vm, id) : NULL;
	pthread_mutex_unlock(&vm->mu);
	if (!h)
		return PRL_ERR_OUT_OF_MEMORY;
	*phVmBootDev = prl__handle(h);
	return PRL_ERR_SUCCESS;
}
