/*
 * vm.h — the virtual-machine family of the library: PHT_VIRTUAL_MACHINE
 * (which is also PHT_VM_CONFIGURATION), its devices (PHT_VIRTUAL_DEV_*),
 * boot entries (PHT_BOOT_DEVICE) and PHT_VM_INFO.
 *
 * A VM object owns a deep copy of a wire `Prl__VmConfig` under its own
 * mutex: getters read it, setters change it locally, PrlVm_Commit sends it.
 * Device and boot-entry handles do not own data: each holds a reference on
 * its VM and a local id that names one entry of the VM's device (or boot)
 * list, so a handle stays meaningful across RefreshConfig/BeginEdit (ids are
 * carried over by type and index) and fails cleanly once its entry is gone.
 *
 * Files: vm.c (object, PrlVm_* jobs, per-VM handlers, PrlSrv_* that create
 * or register VMs), vmcfg.c (PrlVmCfg_*), vmdev.c (PrlVmDev*_*,
 * PrlBootDev_*), vmdefaults.c (PrlVmCfg_SetDefaultConfig), vminfo.c.
 */
#ifndef OPENPRL_LIB_VM_H
#define OPENPRL_LIB_VM_H

#include "core.h"
#include "conn.h"
#include "prl.pb-c.h"

/* ---- constructors the rest of the library calls ---------------------------- */

/* A VM object showing configuration c, bound to server s (reference taken;
 * s may be NULL for a local object).  One reference for the caller.  With an
 * arena, c lives in it and the VM takes a reference on the arena; without,
 * the VM takes ownership of c (an unpacked message detached from its
 * parent: freed with prl__vm_config__free_unpacked).  Never a copy. */
prl__obj *prl__vm_adopt_wire(prl__server *s, Prl__VmConfig *c, prl__arena *arena);
/* A VM object from a packed VmConfig of n bytes at p, unpacked into arena a
 * (the caller is the only one allocating in a meanwhile; see arena.h).  One
 * reference for the caller; NULL when the bytes are not a configuration or
 * memory ran out. */
prl__obj *prl__vm_from_packed(prl__server *s, prl__arena *a, const void *p,
			      size_t n);
/* A PHT_VM_INFO object.  One reference for the caller. */
prl__obj *prl__vminfo_from_wire(prl__server *s, const Prl__VmInfo *i);

/* ---- the VM object (internal to the family) -------------------------------- */

typedef struct prl__vm {
	prl__obj base;
	pthread_mutex_t mu;              /* guards everything below */
	prl__server *server;             /* reference, or NULL */
	Prl__VmConfig *cfg;              /* never NULL; in arena, or owned */
	prl__arena *arena;               /* reference, while cfg lives there */
	uint64_t *dev_ids;               /* parallel to cfg->devices; NULL in arena */
	uint64_t *boot_ids;              /* parallel to cfg->boot; NULL in arena */
	uint64_t next_id;
	prl__vmlink link;                /* in server->vms while bound */
} prl__vm;

/* A configuration in a frame's arena (a VM from a list) is shared and read
 * in place: scalars may be written there, but nothing may be freed, grown
 * or replaced, and it has no device ids yet.  Before any of that — a string
 * setter, a device or boot entry touched, a new configuration absorbed —
 * the caller, holding vm->mu, makes the configuration the VM's own (a copy,
 * with fresh device ids) by this.  0, or -ENOMEM with nothing changed. */
int prl__vm_own_cfg_locked(prl__vm *vm);

/* Does vm's configuration carry this UUID (any case)? */
int prl__vm_uuid_is(prl__obj *vm, const char *uuid);
/* An event about this VM arrived: a state change updates the cached state
 * (PrlVmCfg_GetVmInfo, PrlVmInfo_GetState), as the real SDK does. */
void prl__vm_note_event(prl__obj *vm, PRL_EVENT_TYPE type, uint32_t state);

extern const prl__type prl__vm_type;

/* Resolves a VM handle (PHT_VIRTUAL_MACHINE) with a reference, or NULL. */
prl__vm *prl__vm_get(PRL_HANDLE h);

/* Deep copy of a configuration (pack + unpack); NULL when out of memory. */
Prl__VmConfig *prl__vmcfg_copy(const Prl__VmConfig *c);
/* Replaces vm's configuration by a copy of c, keeping the ids of devices and
 * boot entries that are still there (same type and index).  Caller holds
 * vm->mu.  0 or -ENOMEM. */
int prl__vm_absorb_locked(prl__vm *vm, const Prl__VmConfig *c);

/* Replaces *dst by a copy of s (NULL stays NULL); 0 or -ENOMEM. */
int prl__set_str(char **dst, const char *s);

/* Appends a new zeroed device (type, next free index of that type) and
 * returns it with its id; caller holds vm->mu.  NULL when out of memory. */
Prl__VmDevice *prl__vm_add_dev_locked(prl__vm *vm, uint32_t type, uint64_t *id);
/* Appends a boot entry; caller holds vm->mu.  NULL when out of memory. */
Prl__BootDevice *prl__vm_add_boot_locked(prl__vm *vm, uint32_t type,
					 uint32_t index, uint32_t seq, uint64_t *id);
/* A new device or boot-entry handle for entry id of vm (one reference). */
prl__obj *prl__vmdev_new(prl__vm *vm, uint32_t dev_type, uint64_t id);
prl__obj *prl__bootdev_new(prl__vm *vm, uint64_t id);
/* The PHT_VIRTUAL_DEV_* handle type of a PDE_* device type (0: none). */
PRL_HANDLE_TYPE prl__vmdev_handle_type(uint32_t dev_type);

/* A fresh MAC "001C42XXXXXX" unlike every other adapter of vm; caller holds
 * vm->mu.  out has room for 13 bytes. */
void prl__vm_new_mac_locked(prl__vm *vm, char out[13]);

/* Sends r (Request.vm_uuid is filled in here) as a job acting on vm, whose
 * answer is folded into vm when it finishes; r is consumed. */
PRL_HANDLE prl__vm_send(prl__vm *vm, PRL_JOB_OPERATION_CODE op, prl__req *r);

/* The on_finish hook of every VM job (job->target is the VM): folds a
 * successful answer into the VM — a configuration for BeginEdit,
 * RefreshConfig, Reg and Commit, a VM info's state for any operation, a
 * revision number for Commit.  Runs once, before waiters wake. */
void prl__vm_job_finished(prl__job *j);

/* PHT_VM_INFO from fields (vminfo.c). */
prl__obj *prl__vminfo_new(uint32_t state, uint32_t addition_state, int invalid,
			  uint32_t access_rights);
/* The VM state held by a PHT_VM_INFO object; 0 when o is not one. */
uint32_t prl__vminfo_state(const prl__obj *o);
/* Gives a new PHT_VM_INFO the VM owner's name and the user name of the
 * session it was obtained in (either may be NULL), for its access rights
 * (PrlVmInfo_GetAccessRights).  Before the object is handed out. */
void prl__vminfo_set_owner(prl__obj *o, const char *owner, const char *session_user);

#endif /* OPENPRL_LIB_VM_H */
