/*
 * vmops.h — the dispatcher's VM operations: the PJOC_VM_* requests (and
 * PJOC_SRV_REGISTER_VM, PJOC_SRV_GET_VM_CONFIG) over the registry
 * (registry.h) and the hypervisor driver (hv.h), and the VM events
 * (PET_DSP_EVT_VM_STATE_CHANGED, VM_ADDED, VM_DELETED, VM_UNREGISTERED,
 * VM_CONFIG_CHANGED) sent to every session allowed to see the VM: its
 * owner's and root's.
 *
 * The operations register themselves in the op table (ops.h) when vmops.c
 * is linked; until disp_vmops_init has run they answer
 * PRL_ERR_UNIMPLEMENTED.  Arguments are those of docs/vm-ops.md.
 *
 * Life cycle, from main.c:
 *   after the registry is open:  disp_vmops_init(srv, uri, err, len)
 *   then, before serving:        disp_vmops_autostart()
 *   before disp_server_fini:     disp_vmops_quiesce()  (no more events)
 *   after disp_server_fini:      disp_vmops_fini()     (closes libvirt)
 *
 * Thread rules: init, quiesce and fini on the main thread; the state
 * queries from any thread.
 */
#ifndef OPENPRL_DISP_VMOPS_H
#define OPENPRL_DISP_VMOPS_H

#include <stddef.h>
#include <stdint.h>

#include "disp.h"
#include "registry.h"

/* Connects to the hypervisor at uri ("test:///default", "qemu:///system",
 * …), makes every registered VM known to it and reads their states (VMs
 * left running by a previous dispatcher are found running).  srv->registry
 * must be open.  0, or -1 with err naming the URI and the reason. */
int disp_vmops_init(disp_server *srv, const char *uri, char *err,
		    size_t errlen);
void disp_vmops_quiesce(void);
void disp_vmops_fini(void);

/* Starts, on a worker, every valid VM whose autostart option is
 * PAO_VM_START_ON_LOAD (prlctl set --autostart on), or PAO_VM_START_ON_RELOAD
 * (--autostart auto) when it was running or paused as the dispatcher last
 * stopped, and that is stopped or suspended now (a suspended one is
 * restored); each outcome is logged, clients see the usual state events.
 * Main thread, after init. */
void disp_vmops_autostart(void);
/* Records which VMs run (running or paused) in <state-dir>/running.list,
 * for PAO_VM_START_ON_RELOAD at the next start.  Main thread, at a clean
 * stop, before quiesce. */
void disp_vmops_record_running(void);

/* The hypervisor connection (NULL before init / after fini), for other
 * modules that read domains (performance counters).  Any thread. */
struct disp_hv *disp_vmops_hv(void);

/* The last known state of a VM (VMS_UNKNOWN when unknown).  Any thread. */
uint32_t disp_vmops_state(const char *uuid);

/* A shallow copy of s->cfg (every pointer shared with the snapshot) with
 * `state` set, for answers that send many configurations without copying
 * them (the VM list).  Release with free() alone, before the snapshot.
 * NULL when memory runs out. */
Prl__VmConfig *disp_vmops_config_view(const disp_vmsnap *s);
/* The rules of that view, for code that builds the same answer another
 * way (vmlist_wire.c): *out becomes the view of s with the state `known`
 * (as disp_vmops_state gives it) — an invalid bundle is listed as
 * VMS_UNKNOWN with config_validity PRL_ERR_PARSE_VM_CONFIG.  Any thread. */
void disp_vmops_list_form(const disp_vmsnap *s, uint32_t known,
			  Prl__VmConfig *out);
/* The state the list gives s when the hypervisor knows it as `known`. */
uint32_t disp_vmops_listed_state(const disp_vmsnap *s, uint32_t known);

#endif
