/*
 * registry.h — the host's list of registered VMs and their owners.
 *
 * Each VM is a bundle directory (by default "<state-dir>/vms/<name>.pvm")
 * holding its config.pvs (vmconf.h).  The registry keeps one small file per
 * VM, "<state-dir>/registry.d/<uuid>.vm", naming the bundle and the owner's
 * uid; one file per VM keeps every change a single atomic rename or unlink,
 * so the registry survives kill -9 at any instant and start-up reads only
 * what it needs.  In memory the VMs are indexed by UUID, name and bundle.
 *
 * What callers see of a VM is a snapshot (disp_vmsnap): an immutable,
 * reference-counted copy of its configuration.  A commit publishes a new
 * snapshot; holders of the old one keep a consistent view, and lists cost no
 * copying.
 *
 * Order of every change: files first (written crash-safely and fsync'ed),
 * then the in-memory index; a function returns success only once the change
 * is durable.  A change interrupted by a crash leaves either the old state or
 * the new one (at worst an unregistered bundle directory).
 *
 * Paths: the bundle of a new VM is "<parent>/<name>.pvm" and names cannot
 * hold "/" or ".."; registered bundles are stored canonical (realpath);
 * files inside a bundle are opened without following symbolic links, and
 * deleting a bundle never follows a link out of it.
 *
 * Thread rules: every function is thread-safe.  Writes to one VM are
 * serialised; writes to different VMs run in parallel (each does its own
 * fsync).  Functions that touch files block: call them from a worker.
 * Results are PRL_RESULT codes; disp_registry_errmsg() gives the text of the
 * last failure on the calling thread.
 */
#ifndef OPENPRL_DISP_REGISTRY_H
#define OPENPRL_DISP_REGISTRY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "vmconf.h"

typedef struct disp_registry disp_registry;

/* One registered VM as of some instant.  Never modified once published. */
typedef struct disp_vmsnap {
	Prl__VmConfig *cfg;   /* home_path is the bundle; revision counts commits */
	const char *bundle;   /* == cfg->home_path */
	uid_t owner;
	bool invalid;         /* config.pvs unreadable: cfg has uuid + name only */
	const char *problem;  /* why it is invalid, else NULL */
	atomic_uint refs;     /* private */
	/* Private to vmlist_wire.c: the snapshot's packed form for the VM
	 * list, one malloc'ed block made on first use, freed with the
	 * snapshot.  A cache of immutable data, so the snapshot stays
	 * immutable in meaning. */
	_Atomic(void *) wire;
} disp_vmsnap;

disp_vmsnap *disp_vmsnap_ref(disp_vmsnap *s);
void disp_vmsnap_unref(disp_vmsnap *s);

/* Opens (creating the directories if needed) the registry under state_dir
 * and loads every registered VM.  Only one process may hold a state
 * directory; a second gets NULL with err saying which directory is busy.
 * A VM whose config.pvs cannot be read stays registered, marked invalid. */
disp_registry *disp_registry_open(const char *state_dir, char *err,
				  size_t errlen);
/* Waits for nothing: call once no other thread uses r. */
void disp_registry_close(disp_registry *r);

/* "<state-dir>/vms", the default parent of new bundles. */
const char *disp_registry_vm_home(const disp_registry *r);
size_t disp_registry_count(disp_registry *r);

/* The VMs viewer may see (root: all; others: their own), in registration
 * order.  *out is a malloc'ed array of references; release it with
 * disp_registry_list_free.  PRL_ERR_SUCCESS or PRL_ERR_OUT_OF_MEMORY. */
int disp_registry_list(disp_registry *r, uid_t viewer, disp_vmsnap ***out,
		       size_t *n);
void disp_registry_list_free(disp_vmsnap **list, size_t n);
/* The same into room (room_n entries) when they fit, so that a short list
 * costs no allocation; release with disp_registry_list_release(.., room). */
int disp_registry_list_in(disp_registry *r, uid_t viewer, disp_vmsnap **room,
			  size_t room_n, disp_vmsnap ***out, size_t *n);
void disp_registry_list_release(disp_vmsnap **list, size_t n, disp_vmsnap **room);

/* By braced UUID (any case) or, failing that, by name.  A reference, or
 * NULL when there is no such VM. */
disp_vmsnap *disp_registry_find(disp_registry *r, const char *uuid_or_name);

/* Creates a bundle "<parent>/<name>.pvm" (parent NULL: the VM home) with
 * cfg as its config.pvs (revision 1) and registers it for owner.
 * PRL_ERR_VM_ALREADY_REGISTERED_VM_UUID / _VM_NAME / _VM_PATH on a clash,
 * PRL_ERR_VM_CONFIG_ALREADY_EXISTS when the directory exists,
 * PRL_ERR_DIRECTORY_DOES_NOT_EXIST for a bad parent, PRL_ERR_INVALID_ARG
 * for an invalid cfg.  *out (may be NULL) gets the new snapshot. */
int disp_registry_create(disp_registry *r, const Prl__VmConfig *cfg,
			 const char *parent, uid_t owner, disp_vmsnap **out);

#define DISP_REG_NEW_UUID 1u /* PRVF_REGENERATE_VM_UUID */

/* Registers an existing bundle directory for owner; with DISP_REG_NEW_UUID
 * the VM gets a fresh UUID, with a non-NULL uuid that one (either written
 * back to its config.pvs; PRL_ERR_INVALID_ARG for a malformed uuid). */
int disp_registry_register(disp_registry *r, const char *bundle, uid_t owner,
			   unsigned flags, const char *uuid, disp_vmsnap **out);

/* Forgets a VM; its files stay.  PRL_ERR_VM_UUID_NOT_FOUND if unknown. */
int disp_registry_unregister(disp_registry *r, const char *uuid);

/* Forgets a VM and removes its bundle.  A bundle not named "*.pvm" is not
 * removed wholesale: only config.pvs and the disk images inside it go. */
int disp_registry_delete(disp_registry *r, const char *uuid);

/* Forgets a VM and removes only config.pvs and the listed files (relative
 * to the bundle or absolute inside it; others are ignored), then the
 * bundle directory if it is empty: PrlVm_Delete with a device list. */
int disp_registry_delete_files(disp_registry *r, const char *uuid,
			       const char *const *files, size_t n);

/* Commits cfg (found by its UUID).  cfg->revision must be the revision the
 * edit started from, else PRL_ERR_CONFIG_EDIT_COLLISION; the stored
 * revision becomes one more.  home_path, owner and state are the server's
 * and are not taken from cfg.  A new name must be free. */
int disp_registry_update(disp_registry *r, const Prl__VmConfig *cfg,
			 disp_vmsnap **out);

typedef struct disp_reg_clone {
	const char *name;        /* required */
	const char *parent;      /* NULL: the VM home */
	const char *uuid;        /* NULL: a fresh one */
	const char *owner_name;  /* NULL: the source's */
	uid_t owner;
	bool as_template;
} disp_reg_clone;

/* Copies a VM: new bundle, new UUID, new MAC addresses, and copies of the
 * disk images that live directly in the source bundle (images elsewhere
 * stay shared, as the real SDK's linked external disks). */
int disp_registry_clone(disp_registry *r, const char *src_uuid,
			const disp_reg_clone *opts, disp_vmsnap **out);

/* The text of the last failure of a registry function on this thread. */
const char *disp_registry_errmsg(void);

#endif
