/*
 * stubs.c — a weak definition of every exported function, generated from
 * exports.def: a function whose family is not implemented yet still links,
 * answers bad handles like every other function, and otherwise reports
 * PRL_ERR_UNIMPLEMENTED (synchronously, or as a finished job).  A real
 * implementation anywhere in the library overrides its stub; the test
 * `compat_stubs` lists the exports still served by a stub (`nm` shows them as
 * weak) and checks docs/compat.md agrees.
 *
 * This file deliberately does not include the API headers: the stubs are
 * declared with only their first parameter, which the x86-64 and aarch64 C
 * calling conventions allow callers to pass more arguments to.
 */
#include "core.h"

#include <string.h>

/* The handle type a function family works on, from its name's prefix. */
static PRL_HANDLE_TYPE family_type(const char *name)
{
	static const struct { const char *prefix; PRL_HANDLE_TYPE type; } map[] = {
		{ "PrlSrvCfg", PHT_SERVER_CONFIG }, { "PrlSrvInfo_", PHT_SERVER_INFO },
		{ "PrlSrv_", PHT_SERVER }, { "PrlVmInfo_", PHT_VM_INFO },
		{ "PrlVmGuest_", PHT_VM_GUEST_SESSION }, { "PrlVmDev", PHT_VIRTUAL_DEV_HARD_DISK },
		{ "PrlVm", PHT_VIRTUAL_MACHINE }, { "PrlDispCfg_", PHT_DISP_CONFIG },
		{ "PrlFoundVmInfo_", PHT_FOUND_VM_INFO }, { "PrlJob_", PHT_JOB },
		{ "PrlEvent_", PHT_EVENT }, { "PrlResult_", PHT_RESULT },
		{ "PrlLic_", PHT_LICENSE }, { "PrlStat", PHT_SYSTEM_STATISTICS },
		{ "PrlBootDev_", PHT_BOOT_DEVICE }, { "PrlLoginResponse_", PHT_LOGIN_RESPONSE },
		{ "PrlEvtPrm_", PHT_EVENT_PARAMETER }, { "PrlStrList_", PHT_STRINGS_LIST },
		{ "PrlHndlList_", PHT_HANDLES_LIST },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strncmp(name, map[i].prefix, strlen(map[i].prefix)))
			return map[i].type;
	return PHT_ERROR;
}

static int is_device(PRL_HANDLE_TYPE t)
{
	return (t >= PHT_VIRTUAL_DEV_DISPLAY && t <= PHT_VIRTUAL_DEV_SOUND) ||
	       t == PHT_VIRTUAL_DEV_HD_PARTITION || t == PHT_VIRTUAL_DEV_GENERIC_PCI ||
	       t == PHT_VIRTUAL_DEV_GENERIC_SCSI;
}

static int is_statistics(PRL_HANDLE_TYPE t)
{
	return (t >= PHT_SYSTEM_STATISTICS && t <= PHT_SYSTEM_STATISTICS_PROCESS) ||
	       t == PHT_SYSTEM_STATISTICS_VM_DATA;
}

/* Does a handle of type t belong to the family `want` stands for? */
static int type_fits(PRL_HANDLE_TYPE t, PRL_HANDLE_TYPE want)
{
	if (want == PHT_VIRTUAL_DEV_HARD_DISK)
		return is_device(t);
	if (want == PHT_SYSTEM_STATISTICS)
		return is_statistics(t);
	return want == PHT_ERROR || t == want;
}

static PRL_RESULT stub_sync(PRL_HANDLE h, const char *name)
{
	prl__obj *o = prl__get(h, PHT_ERROR);
	if (!o)
		return prl__bad_handle();
	int fits = type_fits(prl__type_of(o), family_type(name));
	prl__put(o);
	if (!fits)
		return PRL_ERR_INVALID_ARG;
	return PRL_ERR_UNIMPLEMENTED;
}

static PRL_HANDLE stub_async(PRL_HANDLE h, const char *name)
{
	PRL_RESULT rc = stub_sync(h, name);
	return prl__job_failed(PJOC_UNKNOWN, rc);
}

static PRL_RESULT stub_nohandle(void)
{
	return prl__initialized() ? PRL_ERR_UNIMPLEMENTED : PRL_ERR_API_WASNT_INITIALIZED;
}

#define STUB_ATTR __attribute__((weak, visibility("default")))
#define STUB_S(name) STUB_ATTR PRL_RESULT name(PRL_HANDLE h); \
	PRL_RESULT name(PRL_HANDLE h) { return stub_sync(h, #name); }
#define STUB_A(name) STUB_ATTR PRL_HANDLE name(PRL_HANDLE h); \
	PRL_HANDLE name(PRL_HANDLE h) { return stub_async(h, #name); }
#define STUB_N(name) STUB_ATTR PRL_RESULT name(void); \
	PRL_RESULT name(void) { return stub_nohandle(); }
#define PRL_EXPORT(kind, name, args) STUB_##kind(name)
#include "exports.def"
