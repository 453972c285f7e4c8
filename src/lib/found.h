/*
 * found.h — PHT_FOUND_VM_INFO: one VM bundle that PrlSrv_StartSearchVms
 * found on disk and that is not registered (found.c).
 *
 * The object is immutable once made: a name, the absolute path of its
 * config.pvs, its os_version (PVS_GUEST_VER_*) and its braced UUID, as
 * the dispatcher reported them (docs/protocol.md, "Searching for VMs").
 */
#ifndef OPENPRL_LIB_FOUND_H
#define OPENPRL_LIB_FOUND_H

#include "core.h"
#include "prl.pb-c.h"

/* A PHT_FOUND_VM_INFO from one Value.strings of the search answer:
 * [name, config path, os_version in decimal, uuid]; the last two may be
 * missing.  One reference for the caller; NULL when l has fewer than two
 * items or memory runs out.  Any thread (the reader thread calls it). */
prl__obj *prl__found_from_wire(const Prl__StringList *l);

#endif
