/*
 * vmlist_wire.h — the answer to PJOC_SRV_GET_VM_LIST, assembled from bytes
 * packed once per registry snapshot instead of encoded anew per request.
 *
 * The frame is byte for byte what prlc_frame_encode makes of a Response
 * whose vms are the packed disp_vmops_config_view of each snapshot (with
 * its state); vmlist_wire.c explains how.
 *
 * Thread rules: any thread; the snapshots' caches are filled lock-free.
 */
#ifndef OPENPRL_DISP_VMLIST_WIRE_H
#define OPENPRL_DISP_VMLIST_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "registry.h"

/* The complete frame ([length][Frame{Response}]) answering request id
 * with PRL_ERR_SUCCESS and the n snapshots in order, each VM with the
 * state the hypervisor driver last knew (disp_vmops_state's).  malloc'ed,
 * *len set; NULL when memory runs out or the frame would be larger than
 * PRLC_MAX_FRAME (the generic path then answers as it always did). */
uint8_t *disp_vmlist_wire_encode(uint64_t id, disp_vmsnap *const *snaps,
				 size_t n, size_t *len);

#endif
