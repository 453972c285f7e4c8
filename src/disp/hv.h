/*
 * hv.h — the hypervisor driver: VMs as libvirt domains.
 *
 * One connection per dispatcher, by URI: "test:///default" (libvirt's
 * in-process test driver, for the demo and the unit tests) or
 * "qemu:///system" / "qemu:///session" (real QEMU/KVM VMs).  The same code
 * drives both; where the test driver behaves differently the dispatcher
 * follows QEMU (see docs/config-format.md, "Hypervisor").
 *
 * A running VM is a transient domain named "openprl-<uuid>" with the VM's
 * UUID, created from its configuration at start (type "kvm" when /dev/kvm
 * is usable, else "qemu"; no graphics unless VNC is configured).  Nothing is
 * defined in libvirt while a VM is stopped, so 10,000 registered VMs cost
 * libvirt nothing.  Suspending saves the VM's memory to "suspended.sav" in
 * its bundle (virDomainSaveFlags, written to a .tmp file and renamed): the
 * state survives a dispatcher restart, and "resume" or "start" restores it.
 *
 * States (VIRTUAL_MACHINE_STATE): a VM with a domain is RUNNING, PAUSED,
 * STOPPING (shutting down) or SUSPENDING (being saved); without one it is
 * SUSPENDED when its bundle holds a save file, else STOPPED.  Each change is
 * delivered once through on_state, on a thread of this module, in order:
 * libvirt's lifecycle and reboot events make it re-read the state, and every
 * operation reports the state it leaves (plus STOPPING, SUSPENDING,
 * RESTORING or RESETTING while it works).  A VM that stops by itself (guest
 * shutdown, QEMU crash) is thus seen as stopped.
 *
 * Forbidden transitions return the real SDK's codes: start or resume of a
 * running VM PRL_ERR_VM_ALREADY_RUNNING; stop, pause, reset, restart,
 * statistics of a stopped or suspended VM PRL_ERR_DISP_VM_IS_NOT_STARTED;
 * pause or restart of a paused VM PRL_ERR_DISP_VM_IS_NOT_RUNNING; suspend
 * of a suspended VM PRL_ERR_VM_ALREADY_SUSPENDED; dropping the state of a
 * VM that is not suspended PRL_ERR_VM_IS_NOT_SUSPENDED.  (Stop, reset and
 * suspend work on a paused VM.)
 *
 * Thread rules: every function is thread-safe and blocks (call it from a
 * worker).  Operations on one VM are serialised; on different VMs they run
 * in parallel.  on_state must not block for long and must not call back
 * into this module synchronously; it runs with no lock of ours held.
 */
#ifndef OPENPRL_DISP_HV_H
#define OPENPRL_DISP_HV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmconf.h"

#define DISP_HV_SAVE_FILE "suspended.sav"

typedef struct disp_hv disp_hv;

typedef void (*disp_hv_state_fn)(void *ctx, const char *vm_uuid,
				 uint32_t state);

/* Connects to uri and starts the event threads.  NULL on failure, with err
 * naming the URI and libvirt's reason. */
disp_hv *disp_hv_open(const char *uri, disp_hv_state_fn on_state, void *ctx,
		      char *err, size_t errlen);
/* Stops event delivery (no on_state call runs after it returns) and closes
 * the connection.  Running VMs keep running. */
void disp_hv_close(disp_hv *hv);

const char *disp_hv_uri(const disp_hv *hv);
/* true on libvirt's test driver. */
bool disp_hv_is_test(const disp_hv *hv);

/* Makes a registered VM known (its bundle holds its save file).  Cheap: no
 * libvirt call, so until disp_hv_sync or an event says otherwise its state
 * is taken from the bundle: SUSPENDED with a save file, else STOPPED.
 * 0 or -ENOMEM. */
int disp_hv_attach(disp_hv *hv, const char *uuid, const char *bundle);
/* Forgets a VM; no operation on it may be running. */
void disp_hv_detach(disp_hv *hv, const char *uuid);

/* Reads the state of every attached VM at once (one domain listing plus a
 * stat of each bundle's save file) into the cache, without notifying: for
 * start-up.  PRL_RESULT. */
int disp_hv_sync(disp_hv *hv);

/* The state last known (VMS_UNKNOWN for an unknown VM); no libvirt call. */
uint32_t disp_hv_cached_state(disp_hv *hv, const char *uuid);

/* A VM's UUID as 128 bits: what the VM records are indexed by.  Callers
 * that look up many VMs over and over (the VM list) compute it once per
 * VM and keep it, so that each lookup is a hash probe on two integers. */
typedef struct disp_hv_key {
	uint64_t hi, lo;
} disp_hv_key;

/* The key of uuid, braced or bare, in any case.  false: not a UUID. */
bool disp_hv_key_of(const char *uuid, disp_hv_key *out);
/* disp_hv_cached_state of n VMs at once: out[i] for keys[i] (a NULL key
 * gives VMS_UNKNOWN).  The lock is taken once per few hundred VMs, so the
 * delivery thread is never held up for long.  No libvirt call. */
void disp_hv_cached_states(disp_hv *hv, const disp_hv_key *const *keys,
			   size_t n, uint32_t *out);
/* The state now, asked of libvirt. */
int disp_hv_state(disp_hv *hv, const char *uuid, uint32_t *state);

/* The libvirt domain XML for c (malloc'ed), NULL when memory runs out. */
char *disp_hv_domain_xml(const disp_hv *hv, const Prl__VmConfig *c);

/* Creates, through libvirt's storage API, the qcow2 image of every enabled
 * hard disk of c whose image is in its bundle (c->home_path) and does not
 * exist yet.  PRL_ERR_CANT_CREATE_HDD_IMAGE on failure. */
int disp_hv_create_disks(disp_hv *hv, const Prl__VmConfig *c);

/* Lifecycle.  start attaches c (by c->uuid, bundle c->home_path) if needed;
 * on a paused VM it continues it, on a suspended one it restores it. */
int disp_hv_start(disp_hv *hv, const Prl__VmConfig *c);
/* mode: PSM_KILL (destroy), PSM_SHUTDOWN (guest's choice of agent or ACPI),
 * PSM_ACPI (power button).  A graceful stop returns once requested; the
 * state changes when the guest complies (a guest without an OS never
 * does). */
int disp_hv_stop(disp_hv *hv, const char *uuid, unsigned mode);
int disp_hv_pause(disp_hv *hv, const char *uuid);
/* Paused → running; suspended → restored and running. */
int disp_hv_resume(disp_hv *hv, const char *uuid);
int disp_hv_suspend(disp_hv *hv, const char *uuid);
int disp_hv_drop_suspended(disp_hv *hv, const char *uuid);
int disp_hv_reset(disp_hv *hv, const char *uuid);
int disp_hv_restart(disp_hv *hv, const char *uuid);

#define DISP_HV_MAX_DEVS 16

typedef struct disp_hv_stats {
	uint64_t cpu_time_ns, cpu_user_ns, cpu_system_ns;
	uint32_t vcpus;
	uint64_t mem_total_kib;     /* balloon.current, else the configured size */
	uint64_t mem_rss_kib;       /* host memory the VM uses */
	uint64_t mem_unused_kib;    /* as the guest reports (0 without a driver) */
	unsigned n_disks, n_nets;
	struct {
		char name[32];
		uint64_t rd_bytes, wr_bytes, rd_reqs, wr_reqs;
	} disks[DISP_HV_MAX_DEVS];
	struct {
		char name[32];
		uint64_t rx_bytes, tx_bytes, rx_pkts, tx_pkts;
	} nets[DISP_HV_MAX_DEVS];
} disp_hv_stats;

/* Domain statistics (CPU, memory, block and network I/O) of a running or
 * paused VM.  The test driver reports fake CPU times and no I/O. */
int disp_hv_stats_get(disp_hv *hv, const char *uuid, disp_hv_stats *out);

/* The text of the last failure of a function of this module on this
 * thread (libvirt's message included). */
const char *disp_hv_errmsg(void);

#endif
