/*
 * lvsym.h — libvirt, loaded when the dispatcher first needs it.
 *
 * prl_disp_service does not link libvirt: libvirt and the libraries it
 * pulls in (GnuTLS, OpenSSL, GLib, libssh, curl, ...) are two thirds of an
 * idle dispatcher's memory, and a dispatcher that only lists VMs, serves
 * statistics or edits configurations never calls it.  hv.c includes this
 * header after <libvirt/libvirt.h>; each libvirt function it calls is then a
 * pointer filled by disp_lv_load() (dlopen of libvirt's SONAME), which the
 * hypervisor driver calls before its first libvirt call.  Programs that
 * link libvirt themselves (tests, benchmarks) get the same library: dlopen
 * of a loaded SONAME returns it.
 */
#ifndef OPENPRL_DISP_LVSYM_H
#define OPENPRL_DISP_LVSYM_H

#include <stddef.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#define DISP_LV_SONAME "libvirt.so.0"

/* Every libvirt function hv.c calls. */
#define DISP_LV_FUNCS(X)                                                     \
	X(virConnectClose) X(virConnectDomainEventDeregisterAny)             \
	X(virConnectDomainEventRegisterAny) X(virConnectListAllDomains)      \
	X(virConnectOpen) X(virConnectRegisterCloseCallback)                 \
	X(virConnectUnregisterCloseCallback) X(virDomainCreateXML)           \
	X(virDomainDestroy) X(virDomainFree) X(virDomainGetInfo)             \
	X(virDomainGetState) X(virDomainGetUUIDString)                       \
	X(virDomainListGetStats) X(virDomainLookupByUUIDString)              \
	X(virDomainReboot) X(virDomainRef) X(virDomainReset)                 \
	X(virDomainRestore)                                                  \
	X(virDomainRestoreFlags) X(virDomainResume) X(virDomainSaveFlags)    \
	X(virDomainShutdown) X(virDomainShutdownFlags)                       \
	X(virDomainStatsRecordListFree) X(virDomainSuspend)                  \
	X(virEventAddTimeout) X(virEventRegisterDefaultImpl)                 \
	X(virEventRemoveTimeout) X(virEventRunDefaultImpl)                   \
	X(virGetLastErrorCode) X(virGetLastErrorMessage) X(virInitialize)    \
	X(virResetLastError) X(virSetErrorFunc) X(virStoragePoolCreateXML)   \
	X(virStoragePoolDestroy) X(virStoragePoolFree)                       \
	X(virStoragePoolLookupByTargetPath) X(virStorageVolCreateXML)        \
	X(virStorageVolFree)

#define DISP_LV_POINTER(f) __typeof__(f) *p_##f;
typedef struct disp_lv {
	DISP_LV_FUNCS(DISP_LV_POINTER)
} disp_lv;
#undef DISP_LV_POINTER

extern disp_lv disp_lv_syms;

/* Loads libvirt once (thread-safe); 0, or -1 with why in err.  Later calls
 * return the first one's answer. */
int disp_lv_load(char *err, size_t errlen);

/* From here on, a call of a libvirt function goes through its pointer.
 * lvsym.c defines DISP_LV_NO_REDIRECT: it fills the pointers. */
#ifndef DISP_LV_NO_REDIRECT
#define virConnectClose (*disp_lv_syms.p_virConnectClose)
#define virConnectDomainEventDeregisterAny (*disp_lv_syms.p_virConnectDomainEventDeregisterAny)
#define virConnectDomainEventRegisterAny (*disp_lv_syms.p_virConnectDomainEventRegisterAny)
#define virConnectListAllDomains (*disp_lv_syms.p_virConnectListAllDomains)
#define virConnectOpen (*disp_lv_syms.p_virConnectOpen)
#define virConnectRegisterCloseCallback (*disp_lv_syms.p_virConnectRegisterCloseCallback)
#define virConnectUnregisterCloseCallback (*disp_lv_syms.p_virConnectUnregisterCloseCallback)
#define virDomainCreateXML (*disp_lv_syms.p_virDomainCreateXML)
#define virDomainDestroy (*disp_lv_syms.p_virDomainDestroy)
#define virDomainFree (*disp_lv_syms.p_virDomainFree)
#define virDomainGetInfo (*disp_lv_syms.p_virDomainGetInfo)
#define virDomainGetState (*disp_lv_syms.p_virDomainGetState)
#define virDomainGetUUIDString (*disp_lv_syms.p_virDomainGetUUIDString)
#define virDomainListGetStats (*disp_lv_syms.p_virDomainListGetStats)
#define virDomainLookupByUUIDString (*disp_lv_syms.p_virDomainLookupByUUIDString)
#define virDomainReboot (*disp_lv_syms.p_virDomainReboot)
#define virDomainRef (*disp_lv_syms.p_virDomainRef)
#define virDomainReset (*disp_lv_syms.p_virDomainReset)
#define virDomainRestore (*disp_lv_syms.p_virDomainRestore)
#define virDomainRestoreFlags (*disp_lv_syms.p_virDomainRestoreFlags)
#define virDomainResume (*disp_lv_syms.p_virDomainResume)
#define virDomainSaveFlags (*disp_lv_syms.p_virDomainSaveFlags)
#define virDomainShutdown (*disp_lv_syms.p_virDomainShutdown)
#define virDomainShutdownFlags (*disp_lv_syms.p_virDomainShutdownFlags)
#define virDomainStatsRecordListFree (*disp_lv_syms.p_virDomainStatsRecordListFree)
#define virDomainSuspend (*disp_lv_syms.p_virDomainSuspend)
#define virEventAddTimeout (*disp_lv_syms.p_virEventAddTimeout)
#define virEventRegisterDefaultImpl (*disp_lv_syms.p_virEventRegisterDefaultImpl)
#define virEventRemoveTimeout (*disp_lv_syms.p_virEventRemoveTimeout)
#define virEventRunDefaultImpl (*disp_lv_syms.p_virEventRunDefaultImpl)
#define virGetLastErrorCode (*disp_lv_syms.p_virGetLastErrorCode)
#define virGetLastErrorMessage (*disp_lv_syms.p_virGetLastErrorMessage)
#define virInitialize (*disp_lv_syms.p_virInitialize)
#define virResetLastError (*disp_lv_syms.p_virResetLastError)
#define virSetErrorFunc (*disp_lv_syms.p_virSetErrorFunc)
#define virStoragePoolCreateXML (*disp_lv_syms.p_virStoragePoolCreateXML)
#define virStoragePoolDestroy (*disp_lv_syms.p_virStoragePoolDestroy)
#define virStoragePoolFree (*disp_lv_syms.p_virStoragePoolFree)
#define virStoragePoolLookupByTargetPath (*disp_lv_syms.p_virStoragePoolLookupByTargetPath)
#define virStorageVolCreateXML (*disp_lv_syms.p_virStorageVolCreateXML)
#define virStorageVolFree (*disp_lv_syms.p_virStorageVolFree)
#endif

#endif
