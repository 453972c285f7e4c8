/*
 * vmdev.c — virtual devices (PHT_VIRTUAL_DEV_*: PrlVmDev_*, PrlVmDevHd_*,
 * PrlVmDevNet_*, PrlVmDevSerial_*) and boot-order entries (PHT_BOOT_DEVICE:
 * PrlBootDev_*).
 *
 * A device handle owns no data: it holds a reference on its VM and the local
 * id of one entry in the VM's device list (vm.h).  Every accessor locks the
 * VM, finds the entry by id and reads or changes the wire VmDevice in place;
 * an entry that was removed (PrlVmDev_Remove, or gone after a refresh)
 * answers PRL_ERR_OBJECT_WAS_REMOVED.  Boot entries work the same way over
 * the VM's boot list.
 *
 * Two fields have aliases, as in the SDK this follows: a device's image path
 * is its system name (both setters write sys_name and image_path), and a
 * network adapter's emulated type (PNA_*) is also written to net_type.
 * MAC addresses are kept as 12 upper-case hex digits; new ones use the
 * Parallels OUI 00:1C:42 with three random bytes, unique within the VM.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "vm.h"
#include "PrlApi.h"

/* ---- the objects ------------------------------------------------------------ */

typedef struct vm_entry {
	prl__obj base;
	prl__vm *vm;                     /* reference */
	uint64_t id;                     /* vm->dev_ids[] or vm->boot_ids[] */
} vm_entry;

static void entry_destroy(prl__obj *o)
{
	vm_entry *e = (vm_entry *)o;
	prl__put(&e->vm->base);
	free(e);
}

/* The device types CreateVmDev can make, with their handle types. */
static const struct {
	uint32_t dev;
	prl__type type;
} dev_types[] = {
	{ PDE_FLOPPY_DISK, { PHT_VIRTUAL_DEV_FLOPPY, entry_destroy } },
	{ PDE_OPTICAL_DISK, { PHT_VIRTUAL_DEV_OPTICAL_DISK, entry_destroy } },
	{ PDE_HARD_DISK, { PHT_VIRTUAL_DEV_HARD_DISK, entry_destroy } },
	{ PDE_GENERIC_NETWORK_ADAPTER, { PHT_VIRTUAL_DEV_NET_ADAPTER, entry_destroy } },
	{ PDE_SERIAL_PORT, { PHT_VIRTUAL_DEV_SERIAL_PORT, entry_destroy } },
	{ PDE_PARALLEL_PORT, { PHT_VIRTUAL_DEV_PARALLEL_PORT, entry_destroy } },
	{ PDE_SOUND_DEVICE, { PHT_VIRTUAL_DEV_SOUND, entry_destroy } },
	{ PDE_USB_DEVICE, { PHT_VIRTUAL_DEV_USB_DEVICE, entry_destroy } },
	{ PDE_GENERIC_PCI_DEVICE, { PHT_VIRTUAL_DEV_GENERIC_PCI, entry_destroy } },
	{ PDE_GENERIC_SCSI_DEVICE, { PHT_VIRTUAL_DEV_GENERIC_SCSI, entry_destroy } },
};

static const prl__type bootdev_type = { PHT_BOOT_DEVICE, entry_destroy };

static const prl__type *type_of_dev(uint32_t dev)
{
	for (size_t i = 0; i < sizeof(dev_types) / sizeof(dev_types[0]); i++)
		if (dev_types[i].dev == dev)
			return &dev_types[i].type;
	return NULL;
}

PRL_HANDLE_TYPE prl__vmdev_handle_type(uint32_t dev_type)
{
	const prl__type *t = type_of_dev(dev_type);
	return t ? t->type : PHT_ERROR;
}

static prl__obj *entry_new(prl__vm *vm, uint64_t id, const prl__type *t)
{
	vm_entry *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	prl__ref(&vm->base);
	e->vm = vm;
	e->id = id;
	return prl__register(&e->base, t);
}

prl__obj *prl__vmdev_new(prl__vm *vm, uint32_t dev_type, uint64_t id)
{
	const prl__type *t = type_of_dev(dev_type);
	return t ? entry_new(vm, id, t) : NULL;
}

prl__obj *prl__bootdev_new(prl__vm *vm, uint64_t id)
{
	return entry_new(vm, id, &bootdev_type);
}

/* ---- list edits (caller holds vm->mu) ------------------------------------------ */

static int index_used(const Prl__VmConfig *c, uint32_t type, uint32_t index)
{
	for (size_t i = 0; i < c->n_devices; i++)
		if (c->devices[i]->type == type && c->devices[i]->index == index)
			return 1;
	return 0;
}

/* Grows an array of n elements of size sz by one; 0 or -1. */
static int grow(void **arr, size_t n, size_t sz)
{
	void *p = realloc(*arr, (n + 1) * sz);
	if (!p)
		return -1;
	*arr = p;
	return 0;
}

/* The defaults a new device of each type starts with. */
static void dev_defaults(prl__vm *vm, Prl__VmDevice *d)
{
	d->has_enabled = d->has_connected = 1;
	d->enabled = d->connected = 1;
	if (d->type == PDE_HARD_DISK) {
		d->has_emulated_type = d->has_disk_type = 1;
		d->emulated_type = PDT_USE_IMAGE_FILE;
		d->disk_type = PHD_EXPANDING_HARD_DISK;
	} else if (d->type == PDE_GENERIC_NETWORK_ADAPTER) {
		char mac[13];
		prl__vm_new_mac_locked(vm, mac);
		d->mac = strdup(mac);
		d->has_emulated_type = d->has_net_type = 1;
		d->emulated_type = d->net_type = PNA_SHARED;
	}
}

Prl__VmDevice *prl__vm_add_dev_locked(prl__vm *vm, uint32_t type, uint64_t *id)
{
	if (prl__vm_own_cfg_locked(vm))
		return NULL;
	Prl__VmConfig *c = vm->cfg;
	Prl__VmDevice *d = calloc(1, sizeof(*d));
	if (!d || grow((void **)&c->devices, c->n_devices, sizeof(*c->devices)) ||
	    grow((void **)&vm->dev_ids, c->n_devices, sizeof(*vm->dev_ids))) {
		free(d);
		return NULL;
	}
	prl__vm_device__init(d);
	d->type = type;
	while (index_used(c, type, d->index))
		d->index++;
	dev_defaults(vm, d);
	c->devices[c->n_devices] = d;
	*id = vm->dev_ids[c->n_devices] = ++vm->next_id;
	c->n_devices++;
	return d;
}

Prl__BootDevice *prl__vm_add_boot_locked(prl__vm *vm, uint32_t type, uint32_t index,
					 uint32_t seq, uint64_t *id)
{
	if (prl__vm_own_cfg_locked(vm))
		return NULL;
	Prl__VmConfig *c = vm->cfg;
	Prl__BootDevice *b = calloc(1, sizeof(*b));
	if (!b || grow((void **)&c->boot, c->n_boot, sizeof(*c->boot)) ||
	    grow((void **)&vm->boot_ids, c->n_boot, sizeof(*vm->boot_ids))) {
		free(b);
		return NULL;
	}
	prl__boot_device__init(b);
	b->type = type;
	b->index = index;
	b->sequence = seq;
	b->has_in_use = 1;
	b->in_use = 1;
	c->boot[c->n_boot] = b;
	*id = vm->boot_ids[c->n_boot] = ++vm->next_id;
	c->n_boot++;
	return b;
}

static long find_id(const uint64_t *ids, size_t n, uint64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return (long)i;
	return -1;
}

static void remove_boot_at(prl__vm *vm, size_t i)
{
	Prl__VmConfig *c = vm->cfg;
	prl__boot_device__free_unpacked(c->boot[i], NULL);
	memmove(&c->boot[i], &c->boot[i + 1], (c->n_boot - i - 1) * sizeof(*c->boot));
	memmove(&vm->boot_ids[i], &vm->boot_ids[i + 1], (c->n_boot - i - 1) * sizeof(uint64_t));
	c->n_boot--;
}

/* Removes device i and the boot entries that pointed at it. */
static void remove_dev_at(prl__vm *vm, size_t i)
{
	Prl__VmConfig *c = vm->cfg;
	uint32_t type = c->devices[i]->type, index = c->devices[i]->index;
	prl__vm_device__free_unpacked(c->devices[i], NULL);
	memmove(&c->devices[i], &c->devices[i + 1], (c->n_devices - i - 1) * sizeof(*c->devices));
	memmove(&vm->dev_ids[i], &vm->dev_ids[i + 1], (c->n_devices - i - 1) * sizeof(uint64_t));
	c->n_devices--;
	for (size_t k = c->n_boot; k-- > 0;)
		if (c->boot[k]->type == type && c->boot[k]->index == index)
			remove_boot_at(vm, k);
}

/* ---- MAC addresses --------------------------------------------------------------- */

static int mac_taken(const prl__vm *vm, const char *mac)
{
	for (size_t i = 0; i < vm->cfg->n_devices; i++) {
		const char *m = vm->cfg->devices[i]->mac;
		if (m && !strcasecmp(m, mac))
			return 1;
	}
	return 0;
}

void prl__vm_new_mac_locked(prl__vm *vm, char out[13])
{
	do {
		unsigned char r[3] = { 0 };
		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
			uint64_t x = vm->next_id * 2654435761u ^ (uint64_t)(uintptr_t)vm;
			memcpy(r, &x, sizeof(r));
		}
		snprintf(out, 13, "001C42%02X%02X%02X", r[0], r[1], r[2]);
	} while (mac_taken(vm, out));
}

/* "00:1c:42:aa:bb:cc", "00-1C-42-..." or "001C42AABBCC" -> "001C42AABBCC";
 * -1 for anything else and for multicast addresses. */
static int normalize_mac(const char *in, char out[13])
{
	size_t n = 0;
	for (const char *p = in; *p; p++) {
		if (*p == ':' || *p == '-')
			continue;
		if (!isxdigit((unsigned char)*p) || n == 12)
			return -1;
		out[n++] = (char)toupper((unsigned char)*p);
	}
	out[n] = 0;
	if (n != 12)
		return -1;
	int first = (int)strtol((char[3]){ out[0], out[1], 0 }, NULL, 16);
	return first & 1 ? -1 : 0;
}

/* ---- resolving handles ------------------------------------------------------------ */

static int is_entry(const prl__obj *o)
{
	return o->ops->destroy == entry_destroy;
}

/* A device (pht: that type, or PHT_ERROR for any device) or boot entry. */
static vm_entry *entry_get(PRL_HANDLE h, PRL_HANDLE_TYPE pht)
{
	prl__obj *o = prl__get(h, pht);
	if (o && (!is_entry(o) || (pht == PHT_ERROR && prl__type_of(o) == PHT_BOOT_DEVICE))) {
		prl__put(o);
		return NULL;
	}
	return (vm_entry *)o;
}

/* Locks the VM and returns the device, or unlocks and returns NULL.  An
 * entry handle exists only for a VM whose configuration is its own (ids). */
static Prl__VmDevice *dev_lock(vm_entry *e)
{
	pthread_mutex_lock(&e->vm->mu);
	if (!e->vm->dev_ids) {
		pthread_mutex_unlock(&e->vm->mu);
		return NULL;
	}
	long i = find_id(e->vm->dev_ids, e->vm->cfg->n_devices, e->id);
	if (i >= 0)
		return e->vm->cfg->devices[i];
	pthread_mutex_unlock(&e->vm->mu);
	return NULL;
}

static Prl__BootDevice *boot_lock(vm_entry *e)
{
	pthread_mutex_lock(&e->vm->mu);
	if (!e->vm->boot_ids) {
		pthread_mutex_unlock(&e->vm->mu);
		return NULL;
	}
	long i = find_id(e->vm->boot_ids, e->vm->cfg->n_boot, e->id);
	if (i >= 0)
		return e->vm->cfg->boot[i];
	pthread_mutex_unlock(&e->vm->mu);
	return NULL;
}

static void entry_unlock(vm_entry *e)
{
	pthread_mutex_unlock(&e->vm->mu);
}

/* Opens an accessor body: ent (handle), d (locked entry) or an early return. */
#define ENTRY_OPEN(ent, d, h, pht, lockfn)                                        \
	prl__auto vm_entry *ent = entry_get((h), (pht));                          \
	if (!ent)                                                                 \
		return prl__bad_handle();                                         \
	__typeof__(lockfn(ent)) d = lockfn(ent);                                  \
	if (!d)                                                                   \
		return PRL_ERR_OBJECT_WAS_REMOVED

/* Getter of a numeric value: *out = expr (over the entry d). */
#define ENTRY_GET(Name, pht, lockfn, PtrT, expr)                                  \
	PRL_METHOD(Name)(PRL_HANDLE h, PtrT out)                                  \
	{                                                                         \
		if (!out) {                                                       \
			prl__auto vm_entry *chk = entry_get(h, (pht));            \
			return chk ? PRL_ERR_INVALID_ARG : prl__bad_handle();     \
		}                                                                 \
		ENTRY_OPEN(ent, d, h, (pht), lockfn);                             \
		*out = (__typeof__(*out))(expr);                                  \
		entry_unlock(ent);                                                \
		return PRL_ERR_SUCCESS;                                           \
	}

/* Setter: runs stmt (over d and v) when ok holds. */
#define ENTRY_SET(Name, pht, lockfn, T, ok, stmt)                                 \
	PRL_METHOD(Name)(PRL_HANDLE h, T v)                                       \
	{                                                                         \
		if (!(ok)) {                                                      \
			prl__auto vm_entry *chk = entry_get(h, (pht));            \
			return chk ? PRL_ERR_INVALID_ARG : prl__bad_handle();     \
		}                                                                 \
		ENTRY_OPEN(ent, d, h, (pht), lockfn);                             \
		stmt;                                                             \
		entry_unlock(ent);                                                \
		return PRL_ERR_SUCCESS;                                           \
	}

#define DEV_GET(Name, pht, PtrT, expr) ENTRY_GET(Name, pht, dev_lock, PtrT, expr)
#define DEV_SET(Name, pht, T, ok, stmt) ENTRY_SET(Name, pht, dev_lock, T, ok, stmt)
#define BOOT_GET(Name, PtrT, expr) ENTRY_GET(Name, PHT_BOOT_DEVICE, boot_lock, PtrT, expr)
#define BOOT_SET(Name, T, stmt) ENTRY_SET(Name, PHT_BOOT_DEVICE, boot_lock, T, 1, stmt)

#define DEV_GET_STR(Name, pht, expr)                                              \
	PRL_METHOD(Name)(PRL_HANDLE h, PRL_STR buf, PRL_UINT32_PTR len)           \
	{                                                                         \
		ENTRY_OPEN(ent, d, h, (pht), dev_lock);                           \
		PRL_RESULT rc = prl__copy_str((expr), buf, len);                  \
		entry_unlock(ent);                                                \
		return rc;                                                        \
	}

/* String setter writing one or two fields (f2 may repeat f1). */
#define DEV_SET_STR2(Name, pht, f1, f2)                                           \
	PRL_METHOD(Name)(PRL_HANDLE h, PRL_CONST_STR s)                           \
	{                                                                         \
		if (!s) {                                                         \
			prl__auto vm_entry *chk = entry_get(h, (pht));            \
			return chk ? PRL_ERR_INVALID_ARG : prl__bad_handle();     \
		}                                                                 \
		ENTRY_OPEN(ent, d, h, (pht), dev_lock);                           \
		int rc = prl__set_str(&d->f1, s) || prl__set_str(&d->f2, s);     \
		entry_unlock(ent);                                                \
		return rc ? PRL_ERR_OUT_OF_MEMORY : PRL_ERR_SUCCESS;              \
	}
#define DEV_SET_STR(Name, pht, f) DEV_SET_STR2(Name, pht, f, f)

#define ANY PHT_ERROR
#define HDD PHT_VIRTUAL_DEV_HARD_DISK
#define NET PHT_VIRTUAL_DEV_NET_ADAPTER

/* ---- PrlVmDev_*: every device --------------------------------------------------- */

DEV_GET(PrlVmDev_GetIndex, ANY, PRL_UINT32_PTR, d->index)
DEV_SET(PrlVmDev_SetIndex, ANY, PRL_UINT32, 1, d->index = v)
DEV_GET(PrlVmDev_GetType, ANY, PRL_DEVICE_TYPE_PTR, d->type)
DEV_GET(PrlVmDev_IsConnected, ANY, PRL_BOOL_PTR, d->connected ? PRL_TRUE : PRL_FALSE)
DEV_SET(PrlVmDev_SetConnected, ANY, PRL_BOOL, 1,
	(d->has_connected = 1, d->connected = v ? 1 : 0))
DEV_GET(PrlVmDev_IsEnabled, ANY, PRL_BOOL_PTR, d->enabled ? PRL_TRUE : PRL_FALSE)
DEV_SET(PrlVmDev_SetEnabled, ANY, PRL_BOOL, 1, (d->has_enabled = 1, d->enabled = v ? 1 : 0))
DEV_GET(PrlVmDev_GetEmulatedType, ANY, PRL_VM_DEV_EMULATION_TYPE_PTR, d->emulated_type)
DEV_SET(PrlVmDev_SetEmulatedType, ANY, PRL_VM_DEV_EMULATION_TYPE, 1,
	(d->has_emulated_type = 1, d->emulated_type = (uint32_t)v,
	 d->has_net_type = d->type == PDE_GENERIC_NETWORK_ADAPTER,
	 d->net_type = d->has_net_type ? (uint32_t)v : d->net_type))
DEV_GET(PrlVmDev_GetIfaceType, ANY, PRL_MASS_STORAGE_INTERFACE_TYPE_PTR, d->iface_type)
DEV_SET(PrlVmDev_SetIfaceType, ANY, PRL_MASS_STORAGE_INTERFACE_TYPE, 1,
	(d->has_iface_type = 1, d->iface_type = (uint32_t)v))
DEV_SET(PrlVmDev_SetSubType, ANY, PRL_CLUSTERED_DEVICE_SUBTYPE, 1,
	(d->has_sub_type = 1, d->sub_type = (uint32_t)v))
DEV_GET(PrlVmDev_GetStackIndex, ANY, PRL_UINT32_PTR, d->stack_index)
DEV_SET(PrlVmDev_SetStackIndex, ANY, PRL_UINT32, 1,
	(d->has_stack_index = 1, d->stack_index = v))

DEV_GET_STR(PrlVmDev_GetSysName, ANY, d->sys_name ? d->sys_name : d->image_path)
DEV_SET_STR2(PrlVmDev_SetSysName, ANY, sys_name, image_path)
DEV_GET_STR(PrlVmDev_GetImagePath, ANY, d->sys_name ? d->sys_name : d->image_path)
DEV_SET_STR2(PrlVmDev_SetImagePath, ANY, image_path, sys_name)
DEV_GET_STR(PrlVmDev_GetFriendlyName, ANY, d->friendly_name)
DEV_SET_STR(PrlVmDev_SetFriendlyName, ANY, friendly_name)

/* Takes the device out of the configuration (and out of the boot order);
 * the handle stays valid but answers PRL_ERR_OBJECT_WAS_REMOVED from now on. */
PRL_METHOD(PrlVmDev_Remove)(PRL_HANDLE hVmDev)
{
	ENTRY_OPEN(ent, d, hVmDev, ANY, dev_lock);
	(void)d;
	remove_dev_at(ent->vm, (size_t)find_id(ent->vm->dev_ids, ent->vm->cfg->n_devices,
						ent->id));
	entry_unlock(ent);
	return PRL_ERR_SUCCESS;
}

/* ---- device jobs --------------------------------------------------------------------- */

/* A VmConfig holding the VM's uuid and name and a copy of this one device. */
static Prl__VmConfig *device_message(vm_entry *ent, const Prl__VmDevice *d)
{
	Prl__VmConfig tmp = PRL__VM_CONFIG__INIT;
	Prl__VmDevice *one = (Prl__VmDevice *)d;
	tmp.uuid = ent->vm->cfg->uuid;
	tmp.name = ent->vm->cfg->name;
	tmp.home_path = ent->vm->cfg->home_path;
	tmp.n_devices = 1;
	tmp.devices = &one;
	return prl__vmcfg_copy(&tmp);
}

static PRL_HANDLE dev_job(PRL_HANDLE hVmDev, PRL_JOB_OPERATION_CODE op, PRL_HANDLE_TYPE pht,
			  const char *n1, uint32_t v1, const char *n2, uint32_t v2)
{
	prl__auto vm_entry *ent = entry_get(hVmDev, pht);
	if (!ent)
		return prl__job_failed(op, prl__bad_handle());
	Prl__VmDevice *d = dev_lock(ent);
	if (!d)
		return prl__job_failed(op, PRL_ERR_OBJECT_WAS_REMOVED);
	Prl__VmConfig *msg = device_message(ent, d);
	entry_unlock(ent);
	prl__req r;
	prl__req_init(&r, op);
	Prl__Value v = PRL__VALUE__INIT;
	v.v_case = PRL__VALUE__V_VM;
	v.vm = msg;
	int bad = !msg || prl__req_add_value(&r, "device", &v) ||
		  (n1 && prl__req_add_u32(&r, n1, v1)) || (n2 && prl__req_add_u32(&r, n2, v2));
	if (n2 && !strcmp(n2, "flags")) {
		r.msg.has_flags = 1;
		r.msg.flags = v2;
	}
	PRL_HANDLE h;
	if (bad) {
		prl__req_clear(&r);
		h = prl__job_failed(op, PRL_ERR_OUT_OF_MEMORY);
	} else {
		h = prl__vm_send(ent->vm, op, &r);
	}
	if (msg)
		prl__vm_config__free_unpacked(msg, NULL);
	return h;
}

PRL_ASYNC_METHOD(PrlVmDev_Connect)(PRL_HANDLE hVmDev)
{
	return dev_job(hVmDev, PJOC_VM_DEV_CONNECT, ANY, NULL, 0, NULL, 0);
}

PRL_ASYNC_METHOD(PrlVmDev_CreateImage)(PRL_HANDLE hVmDev, PRL_BOOL bRecreateIsAllowed,
				       PRL_BOOL bNonInteractiveMode)
{
	return dev_job(hVmDev, PJOC_VM_DEV_CREATE_IMAGE, ANY, "recreate", bRecreateIsAllowed ? 1 : 0,
		       "flags", bNonInteractiveMode ? PACF_NON_INTERACTIVE_MODE : 0);
}

PRL_ASYNC_METHOD(PrlVmDev_ResizeImage)(PRL_HANDLE hVmDev, PRL_UINT32 nNewSize, PRL_UINT32 nFlags)
{
	return dev_job(hVmDev, PJOC_VM_RESIZE_DISK_IMAGE, ANY, "size_mb", nNewSize,
		       "flags", nFlags);
}

/* ---- PrlVmDevHd_*: hard disks ------------------------------------------------------------ */

DEV_GET(PrlVmDevHd_GetDiskType, HDD, PRL_HARD_DISK_INTERNAL_FORMAT_PTR,
	d->has_disk_type ? d->disk_type : PHD_EXPANDING_HARD_DISK)
DEV_SET(PrlVmDevHd_SetDiskType, HDD, PRL_HARD_DISK_INTERNAL_FORMAT, 1,
	(d->has_disk_type = 1, d->disk_type = (uint32_t)v))
DEV_GET(PrlVmDevHd_GetDiskSize, HDD, PRL_UINT32_PTR,
	d->disk_size_mb > UINT32_MAX ? UINT32_MAX : d->disk_size_mb)
DEV_SET(PrlVmDevHd_SetDiskSize, HDD, PRL_UINT32, 1,
	(d->has_disk_size_mb = 1, d->disk_size_mb = v))
DEV_GET_STR(PrlVmDevHd_GetMountPoint, HDD, d->mount_point)
DEV_SET_STR(PrlVmDevHd_SetMountPoint, HDD, mount_point)
DEV_GET_STR(PrlVmDevHd_GetStorageURL, HDD, d->storage_url)
DEV_SET_STR(PrlVmDevHd_SetStorageURL, HDD, storage_url)
DEV_GET_STR(PrlVmDevHd_GetSerialNumber, HDD, d->serial_number)
DEV_SET_STR(PrlVmDevHd_SetSerialNumber, HDD, serial_number)

/* ---- PrlVmDevNet_*: network adapters ------------------------------------------------------ */

DEV_GET_STR(PrlVmDevNet_GetMacAddress, NET, d->mac)
DEV_GET_STR(PrlVmDevNet_GetDefaultGateway, NET, d->gateway)
DEV_SET_STR(PrlVmDevNet_SetDefaultGateway, NET, gateway)
DEV_GET_STR(PrlVmDevNet_GetDefaultGatewayIPv6, NET, d->gateway6)
DEV_SET_STR(PrlVmDevNet_SetDefaultGatewayIPv6, NET, gateway6)
DEV_GET_STR(PrlVmDevNet_GetVirtualNetworkId, NET, d->virtual_network)
DEV_SET_STR(PrlVmDevNet_SetVirtualNetworkId, NET, virtual_network)
DEV_GET_STR(PrlVmDevNet_GetHostInterfaceName, NET, d->host_iface)
DEV_GET(PrlVmDevNet_GetAdapterType, NET, PRL_VM_NET_ADAPTER_TYPE_PTR, d->adapter_type)
DEV_SET(PrlVmDevNet_SetAdapterType, NET, PRL_VM_NET_ADAPTER_TYPE, 1,
	(d->has_adapter_type = 1, d->adapter_type = (uint32_t)v))
DEV_SET(PrlVmDevNet_SetAutoApply, NET, PRL_BOOL, 1, (d->has_auto_apply = 1, d->auto_apply = !!v))
DEV_SET(PrlVmDevNet_SetConfigureWithDhcp, NET, PRL_BOOL, 1, (d->has_dhcp = 1, d->dhcp = !!v))
DEV_SET(PrlVmDevNet_SetConfigureWithDhcpIPv6, NET, PRL_BOOL, 1,
	(d->has_dhcp6 = 1, d->dhcp6 = !!v))
DEV_GET(PrlVmDevNet_IsPktFilterPreventMacSpoof, NET, PRL_BOOL_PTR,
	d->prevent_mac_spoof ? PRL_TRUE : PRL_FALSE)
DEV_SET(PrlVmDevNet_SetPktFilterPreventMacSpoof, NET, PRL_BOOL, 1,
	(d->has_prevent_mac_spoof = 1, d->prevent_mac_spoof = !!v))

/* The wire has no host-adapter index yet: every adapter uses the default
 * host adapter (-1), and choosing another one is refused rather than lost. */
DEV_GET(PrlVmDevNet_GetBoundAdapterIndex, NET, PRL_INT32_PTR, -1)

PRL_METHOD(PrlVmDevNet_SetBoundAdapterIndex)(PRL_HANDLE hVmDev, PRL_INT32 nIndex)
{
	ENTRY_OPEN(ent, d, hVmDev, NET, dev_lock);
	(void)d;
	entry_unlock(ent);
	return nIndex == -1 ? PRL_ERR_SUCCESS : PRL_ERR_UNIMPLEMENTED;
}

PRL_METHOD(PrlVmDevNet_SetMacAddress)(PRL_HANDLE hVmDev, PRL_CONST_STR sNewMacAddress)
{
	char mac[13];
	if (!sNewMacAddress || normalize_mac(sNewMacAddress, mac)) {
		prl__auto vm_entry *chk = entry_get(hVmDev, NET);
		return chk ? PRL_ERR_INVALID_ARG : prl__bad_handle();
	}
	ENTRY_OPEN(ent, d, hVmDev, NET, dev_lock);
	int rc = prl__set_str(&d->mac, mac);
	entry_unlock(ent);
	return rc ? PRL_ERR_OUT_OF_MEMORY : PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlVmDevNet_GenerateMacAddr)(PRL_HANDLE hVmDev)
{
	ENTRY_OPEN(ent, d, hVmDev, NET, dev_lock);
	char mac[13];
	prl__vm_new_mac_locked(ent->vm, mac);
	int rc = prl__set_str(&d->mac, mac);
	entry_unlock(ent);
	return rc ? PRL_ERR_OUT_OF_MEMORY : PRL_ERR_SUCCESS;
}

/* The "IP/mask" list, built through the public strings-list API. */
PRL_METHOD(PrlVmDevNet_GetNetAddresses)(PRL_HANDLE hVmDev, PRL_HANDLE_PTR phNetAddressesList)
{
	if (!phNetAddressesList) {
		prl__auto vm_entry *chk = entry_get(hVmDev, NET);
		return chk ? PRL_ERR_INVALID_ARG : prl__bad_handle();
	}
	ENTRY_OPEN(ent, d, hVmDev, NET, dev_lock);
	PRL_HANDLE l = PRL_INVALID_HANDLE;
	PRL_RESULT rc = PrlApi_CreateStringsList(&l);
	for (size_t i = 0; PRL_SUCCEEDED(rc) && i < d->n_net_addresses; i++)
		rc = PrlStrList_AddItem(l, d->net_addresses[i]);
	entry_unlock(ent);
	if (PRL_FAILED(rc)) {
		if (l != PRL_INVALID_HANDLE)
			PrlHandle_Free(l);
		return rc;
	}
	*phNetAddressesList = l;
	return PRL_ERR_SUCCESS;
}

/* Reads the caller's list (outside our lock) into a NULL-free string array. */
static PRL_RESULT read_list(PRL_HANDLE l, char ***items, size_t *n)
{
	PRL_UINT32 count = 0;
	PRL_RESULT rc = PrlStrList_GetItemsCount(l, &count);
	*n = 0;
	*items = PRL_SUCCEEDED(rc) ? calloc(count ? count : 1, sizeof(char *)) : NULL;
	if (!*items)
		return PRL_FAILED(rc) ? rc : PRL_ERR_OUT_OF_MEMORY;
	for (PRL_UINT32 i = 0; PRL_SUCCEEDED(rc) && i < count; i++) {
		PRL_UINT32 len = 0;
		rc = PrlStrList_GetItem(l, i, NULL, &len);
		char *s = PRL_SUCCEEDED(rc) ? malloc(len ? len : 1) : NULL;
		if (!s)
			return PRL_FAILED(rc) ? rc : PRL_ERR_OUT_OF_MEMORY;
		(*items)[(*n)++] = s;
		rc = PrlStrList_GetItem(l, i, s, &len);
	}
	return rc;
}

static void free_list(char **items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

PRL_METHOD(PrlVmDevNet_SetNetAddresses)(PRL_HANDLE hVmDev, PRL_HANDLE hNetAddressesList)
{
	prl__auto vm_entry *chk = entry_get(hVmDev, NET);
	if (!chk)
		return prl__bad_handle();
	char **items = NULL;
	size_t n = 0;
	PRL_RESULT rc = hNetAddressesList == PRL_INVALID_HANDLE
			? ((items = calloc(1, sizeof(char *))) ? PRL_ERR_SUCCESS : PRL_ERR_OUT_OF_MEMORY)
			: read_list(hNetAddressesList, &items, &n);
	if (PRL_FAILED(rc)) {
		free_list(items, n);
		return rc;
	}
	Prl__VmDevice *d = dev_lock(chk);
	if (!d) {
		free_list(items, n);
		return PRL_ERR_OBJECT_WAS_REMOVED;
	}
	free_list(d->net_addresses, d->n_net_addresses);
	d->net_addresses = items;
	d->n_net_addresses = n;
	entry_unlock(chk);
	return PRL_ERR_SUCCESS;
}

/* ---- PrlVmDevSerial_* ---------------------------------------------------------------------- */

DEV_GET(PrlVmDevSerial_GetSocketMode, PHT_VIRTUAL_DEV_SERIAL_PORT,
	PRL_SERIAL_PORT_SOCKET_OPERATION_MODE_PTR, d->socket_mode)
DEV_SET(PrlVmDevSerial_SetSocketMode, PHT_VIRTUAL_DEV_SERIAL_PORT,
	PRL_SERIAL_PORT_SOCKET_OPERATION_MODE, 1,
	(d->has_socket_mode = 1, d->socket_mode = (uint32_t)v))

/* ---- PrlBootDev_* --------------------------------------------------------------------------- */

BOOT_GET(PrlBootDev_GetType, PRL_DEVICE_TYPE_PTR, d->type)
BOOT_SET(PrlBootDev_SetType, PRL_DEVICE_TYPE, d->type = (uint32_t)v)
BOOT_GET(PrlBootDev_GetIndex, PRL_UINT32_PTR, d->index)
BOOT_SET(PrlBootDev_SetIndex, PRL_UINT32, d->index = v)
BOOT_GET(PrlBootDev_GetSequenceIndex, PRL_UINT32_PTR, d->sequence)
BOOT_SET(PrlBootDev_SetSequenceIndex, PRL_UINT32, d->sequence = v)
BOOT_GET(PrlBootDev_IsInUse, PRL_BOOL_PTR, d->in_use ? PRL_TRUE : PRL_FALSE)
BOOT_SET(PrlBootDev_SetInUse, PRL_BOOL, (d->has_in_use = 1, d->in_use = !!v))

PRL_METHOD(PrlBootDev_Remove)(PRL_HANDLE hVmBootDev)
{
	ENTRY_OPEN(ent, d, hVmBootDev, PHT_BOOT_DEVICE, boot_lock);
	(void)d;
	remove_boot_at(ent->vm, (size_t)find_id(ent->vm->boot_ids, ent->vm->cfg->n_boot,
						 ent->id));
	entry_unlock(ent);
	return PRL_ERR_SUCCESS;
}
