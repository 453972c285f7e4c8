/*
 * test_badinput.c — every exported function, from the table in
 * src/lib/exports.def, called with bad input: PRL_INVALID_HANDLE, a freed
 * handle, forged values, a handle of the wrong type, and (with a handle of
 * the right type) NULL pointers everywhere.  A synchronous function must
 * answer PRL_ERR_INVALID_ARG for every bad handle; an asynchronous one must
 * return a job already finished with PRL_ERR_INVALID_ARG.  Nothing may crash
 * (the suite also runs under ASan and TSan), and nothing may leak a handle.
 * Because the table is the export list itself, a new function cannot be
 * forgotten.  Before PrlApi_InitEx every function answers
 * PRL_ERR_API_WASNT_INITIALIZED.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "Parallels.h"
#include "core.h"
#include "stat.h"
#include "vm.h"

static PRL_HANDLE H;                       /* the handle under test */
#define P NULL
#define S "x"
#define F (-1)
static PRL_RESULT dummy_handler(PRL_HANDLE h, PRL_VOID_PTR d)
{
	(void)d;
	PrlHandle_Free(h);
	return 0;
}
#define E dummy_handler

typedef struct entry {
	const char *name;
	char kind;
	int has_ptr;                       /* some argument is a NULL pointer */
	PRL_RESULT (*sync)(void);
	PRL_HANDLE (*async)(void);
} entry;

/* One wrapper per export, calling it with its bad-call arguments. */
#define PRL_EXPORT(kind, name, args) WRAP_##kind(name, args)
#define WRAP_S(name, args) static PRL_RESULT call_##name(void) { return name args; }
#define WRAP_N(name, args) WRAP_S(name, args)
#define WRAP_A(name, args) static PRL_HANDLE call_##name(void) { return name args; }
#include PRL_EXPORTS_DEF
#undef PRL_EXPORT

#define HAS_P(args) (strchr(#args, 'P') != NULL)
#define PRL_EXPORT(kind, name, args) ENTRY_##kind(name, args)
#define ENTRY_S(name, args) { #name, 'S', HAS_P(args), call_##name, NULL },
#define ENTRY_N(name, args) { #name, 'N', HAS_P(args), call_##name, NULL },
#define ENTRY_A(name, args) { #name, 'A', HAS_P(args), NULL, call_##name },
static const entry table[] = {
#include PRL_EXPORTS_DEF
};
#undef PRL_EXPORT
#define N_ENTRIES (sizeof(table) / sizeof(table[0]))

static PRL_RESULT job_rc(PRL_HANDLE job)
{
	if (job == PRL_INVALID_HANDLE)
		return 1;                  /* never a valid PRL_RESULT here */
	PRL_RESULT rc = 1;
	if (PrlJob_Wait(job, 5000) == PRL_ERR_SUCCESS)
		PrlJob_GetRetCode(job, &rc);
	PrlHandle_Free(job);
	return rc;
}

/* Runs e with H as it is; returns its result (a job's return code). */
static PRL_RESULT run(const entry *e)
{
	return e->kind == 'A' ? job_rc(e->async()) : e->sync();
}

static int starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void check_bad_handle(PRL_HANDLE bad, const char *what, int wrong_type_case)
{
	H = bad;
	for (size_t i = 0; i < N_ENTRIES; i++) {
		const entry *e = &table[i];
		if (e->kind == 'N')
			continue;
		/* PrlHandle_* take any type: a wrong type does not exist for them. */
		if (wrong_type_case && starts(e->name, "PrlHandle_"))
			continue;
		PRL_RESULT rc = run(e);
		if (rc != PRL_ERR_INVALID_ARG)
			fail_msg("%s with %s handle: got 0x%08X, want PRL_ERR_INVALID_ARG",
				 e->name, what, (unsigned)rc);
	}
}

static void test_before_init(void **state)
{
	(void)state;
	H = (PRL_HANDLE)(uintptr_t)0x100000001ull;
	for (size_t i = 0; i < N_ENTRIES; i++) {
		const entry *e = &table[i];
		if (starts(e->name, "PrlDbg_") && strstr(e->name, "ToString"))
			continue;              /* usable before init by design */
		if (starts(e->name, "PrlApi_Init") || !strcmp(e->name, "PrlApi_Deinit"))
			continue;
		if (!strcmp(e->name, "PrlApi_SwitchConsoleLogging"))
			continue;              /* may be turned on to watch the init */
		if (e->kind == 'A') {
			/* No handle is usable before init, so none is made. */
			if (e->async() != PRL_INVALID_HANDLE)
				fail_msg("%s before init returned a handle", e->name);
			continue;
		}
		PRL_RESULT rc = e->sync();
		if (rc != PRL_ERR_API_WASNT_INITIALIZED)
			fail_msg("%s before init: got 0x%08X", e->name, (unsigned)rc);
	}
}

static int setup(void **state)
{
	(void)state;
	return PrlApi_InitEx(VIRTUOZZO_API_VER, PAM_SERVER, 0, 0) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	PRL_UINT32 n = 99;
	PrlDbg_GetHandlesNum(&n, PHT_ERROR);
	PrlApi_Deinit();
	if (n)
		fprintf(stderr, "%u handle(s) leaked\n", n);
	return n == 0 ? 0 : -1;
}

static void test_invalid_forged_freed(void **state)
{
	(void)state;
	check_bad_handle(PRL_INVALID_HANDLE, "PRL_INVALID_HANDLE", 0);
	check_bad_handle((PRL_HANDLE)(uintptr_t)0xdeadbeefcafeull, "forged", 0);
	check_bad_handle((PRL_HANDLE)(uintptr_t)-1, "all-ones", 0);
	PRL_HANDLE freed;
	assert_int_equal(PrlApi_CreateStringsList(&freed), PRL_ERR_SUCCESS);
	PrlHandle_Free(freed);
	check_bad_handle(freed, "freed", 0);
}

/* A handle of a type no S/A function (other than PrlHandle_*) accepts. */
static void test_wrong_type(void **state)
{
	(void)state;
	PRL_HANDLE l;
	assert_int_equal(PrlApi_CreateStringsList(&l), PRL_ERR_SUCCESS);
	H = l;
	for (size_t i = 0; i < N_ENTRIES; i++) {
		const entry *e = &table[i];
		if (e->kind == 'N' || starts(e->name, "PrlHandle_") ||
		    starts(e->name, "PrlStrList_"))
			continue;
		PRL_RESULT rc = run(e);
		if (rc != PRL_ERR_INVALID_ARG)
			fail_msg("%s with a strings list: got 0x%08X", e->name, (unsigned)rc);
	}
	PrlHandle_Free(l);
}

/* ---- right type, NULL pointers ------------------------------------------ */

static PRL_HANDLE make_for(const char *name, PRL_HANDLE vm)
{
	static const struct { const char *prefix; PRL_DEVICE_TYPE dev; } devs[] = {
		{ "PrlVmDevHd", PDE_HARD_DISK }, { "PrlVmDevNet", PDE_GENERIC_NETWORK_ADAPTER },
		{ "PrlVmDevSerial", PDE_SERIAL_PORT }, { "PrlVmDev_", PDE_HARD_DISK },
	};
	PRL_HANDLE h = PRL_INVALID_HANDLE;
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		if (starts(name, devs[i].prefix)) {
			PrlVmCfg_CreateVmDev(vm, devs[i].dev, &h);
			return h;
		}
	if (starts(name, "PrlBootDev_")) {
		PrlVmCfg_CreateBootDev(vm, &h);
	} else if (starts(name, "PrlVm")) {
		PrlHandle_AddRef(vm);
		h = vm;
	} else if (starts(name, "PrlSrv_") || starts(name, "PrlHandle_")) {
		PrlSrv_Create(&h);
	} else if (starts(name, "PrlStrList_")) {
		PrlApi_CreateStringsList(&h);
	} else if (starts(name, "PrlHndlList_")) {
		PrlApi_CreateHandlesList(&h);
	} else if (starts(name, "PrlJob_")) {
		h = prl__job_failed(PJOC_SRV_GET_VM_LIST, PRL_ERR_FAILURE);
	} else if (starts(name, "PrlResult_")) {
		h = prl__handle(&prl__result_new()->base);
	} else if (starts(name, "PrlEvent_")) {
		h = prl__handle(&prl__event_new(PET_DSP_EVT_VM_QUESTION, PIE_DISPATCHER, NULL)->base);
	} else if (starts(name, "PrlEvtPrm_")) {
		prl__value v = { .kind = PRL__V_STR, .v.s = strdup("1") };
		h = prl__handle(&prl__evtprm_new("p", PFD_STRING, &v, NULL)->base);
	} else if (starts(name, "PrlStat")) {
		Prl__Statistics st = PRL__STATISTICS__INIT;
		h = prl__handle(prl__stat_new(&st));
	} else if (starts(name, "PrlSrvCfg")) {
		Prl__ServerConfig c = PRL__SERVER_CONFIG__INIT;
		h = prl__handle(prl__srvcfg_new(&c));
	}
	return h;
}

/* Sync calls that legitimately succeed with NULL user data or NULL optional
 * inputs (the pointer is not an out-parameter). */
static int null_is_fine(const char *name)
{
	static const char *ok[] = {
		"PrlSrv_RegEventHandler", "PrlHandle_RegEventHandler", "PrlVm_RegEventHandler",
		NULL,
	};
	for (int i = 0; ok[i]; i++)
		if (!strcmp(name, ok[i]))
			return 1;
	return 0;
}

static void test_null_pointers(void **state)
{
	(void)state;
	PRL_HANDLE srv, vm;
	assert_int_equal(PrlSrv_Create(&srv), PRL_ERR_SUCCESS);
	assert_int_equal(PrlSrv_CreateVm(srv, &vm), PRL_ERR_SUCCESS);
	for (size_t i = 0; i < N_ENTRIES; i++) {
		const entry *e = &table[i];
		if (e->kind == 'N' || !e->has_ptr || !strcmp(e->name, "PrlHandle_Free"))
			continue;
		H = make_for(e->name, vm);
		if (H == PRL_INVALID_HANDLE)
			continue;              /* a family without a local constructor */
		PRL_RESULT rc = run(e);
		if (e->kind == 'S' && rc == PRL_ERR_SUCCESS && !null_is_fine(e->name))
			fail_msg("%s accepted NULL pointers", e->name);
		if (e->kind == 'A' && rc == 1)
			fail_msg("%s returned no finished job", e->name);
		if (null_is_fine(e->name))
			PrlHandle_UnregEventHandler(H, E, P);
		PrlHandle_Free(H);
	}
	PrlHandle_Free(vm);
	PrlHandle_Free(srv);
}

/* N-kind functions with NULL out-pointers. */
static void test_library_calls(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ENTRIES; i++) {
		const entry *e = &table[i];
		if (e->kind != 'N' || !e->has_ptr)
			continue;
		PRL_RESULT rc = e->sync();
		if (rc != PRL_ERR_INVALID_ARG)
			fail_msg("%s with NULL: got 0x%08X", e->name, (unsigned)rc);
	}
}

int main(void)
{
	const struct CMUnitTest pre[] = { cmocka_unit_test(test_before_init) };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invalid_forged_freed),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_null_pointers),
		cmocka_unit_test(test_library_calls),
	};
	int rc = cmocka_run_group_tests_name("before init", pre, NULL, NULL);
	return rc | cmocka_run_group_tests_name("bad input", tests, setup, teardown);
}
