/*
 * test_values.c — the public constants have the real SDK's values, and the
 * name and text lookups of src/common/errtext.c agree with the lists.
 *
 * Known values come from the facts table of the real SDK (hex-pasted error
 * ordinals, handle types, job codes, events).  The round-trip tests walk
 * each X-macro list: every name must come back from its value, except a
 * name that repeats an earlier value, which must give the earlier name.
 * Values outside the lists must give NULL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "PrlTypes.h"
#include "PrlErrors.h"
#include "PrlEnums.h"
#include "PrlApiVersion.h"
#include "errtext.h"

struct entry {
	int value;
	const char *name;
};

#define E_ERR(name, ordinal) { PRL_RESULT_DECLARE_ERROR(ordinal), #name },
#define E_OK(name, value)    { PRL_RESULT_DECLARE_SUCCESS(value), #name },
#define E_ONE(name, value)   { (int)(value), #name },

static const struct entry errors[] = { PRL_ERRORS_LIST(E_ERR, E_OK) };
static const struct entry events[] = { PRL_EVENTS_LIST(E_ONE) };
static const struct entry handle_types[] = { PRL_HANDLE_TYPES_LIST(E_ONE) };
static const struct entry job_ops[] = { PRL_JOB_OPS_LIST(E_ONE) };

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void test_error_values(void **state)
{
	(void)state;
	assert_int_equal(PRL_ERR_SUCCESS, 0);
	assert_int_equal((uint32_t)PRL_ERR_UNEXPECTED, 0x80000001u);
	assert_int_equal((uint32_t)PRL_ERR_INVALID_ARG, 0x80000003u);
	assert_int_equal((uint32_t)PRL_ERR_FILE_NOT_FOUND, 0x80000010u);
	assert_int_equal((uint32_t)PRL_ERR_TIMEOUT, 0x80000015u);
	assert_int_equal((uint32_t)PRL_ERR_VM_UUID_NOT_FOUND, 0x80000105u);
	assert_int_equal((uint32_t)PRL_ERR_WS_DISP_CONNECTION_CLOSED, 0x80000246u);
	assert_int_equal((uint32_t)PRL_ERR_NOT_CONNECTED_TO_DISPATCHER, 0x80000251u);
	assert_int_equal((uint32_t)PRL_ERR_OPERATION_WAS_CANCELED, 0x80000275u);
	assert_int_equal((uint32_t)PRL_ERR_API_WASNT_INITIALIZED, 0x80000287u);
	assert_int_equal((uint32_t)PRL_ERR_CONFIG_EDIT_COLLISION, 0x80000323u);
	assert_int_equal((uint32_t)PRL_ERR_AUTHENTICATION_FAILED, 0x80000330u);
	assert_int_equal((uint32_t)PRL_ERR_VM_ALREADY_RUNNING, 0x80000402u);
	assert_int_equal((uint32_t)PRL_ERR_WRONG_PROTOCOL_VERSION, 0x80000413u);
	assert_int_equal((uint32_t)PRL_ERR_DISP_VM_IS_NOT_STOPPED, 0x80000557u);
	assert_int_equal((uint32_t)PRL_ERR_DISP_VM_IS_NOT_RUNNING, 0x80000595u);
	assert_int_equal((uint32_t)PRL_ERR_CT_NOT_FOUND, 0x80027027u);
	assert_int_equal((uint32_t)PRL_ERR_OBJECT_NOT_FOUND, 0x80042000u);
	assert_int_equal(PET_ANSWER_CANCEL, 16001);
	assert_true(PRL_FAILED(PRL_ERR_TIMEOUT));
	assert_true(PRL_SUCCEEDED(PET_ANSWER_YES));
	/* an alias keeps the value of its original */
	assert_int_equal(PRL_ERR_VM_CREATE_SNAPSHOT_FAILED, PRL_ERR_VM_SAVE_STATE_FAILED);
	assert_int_equal(PRL_ERR_LICENSE_VALID, PRL_ERR_SUCCESS);
}

static void test_enum_values(void **state)
{
	(void)state;
	assert_int_equal(PHT_ERROR, 0);
	assert_int_equal(PHT_SERVER, 0x10000001);
	assert_int_equal(PHT_VIRTUAL_MACHINE, 0x10000005);
	assert_int_equal(PHT_VM_CONFIGURATION, PHT_VIRTUAL_MACHINE);
	assert_int_equal(PHT_JOB, 0x10000011);
	assert_int_equal(PHT_EVENT_PARAMETER, 0x1000001E);
	assert_int_equal(PHT_HANDLES_LIST, 0x1000002E);
	assert_int_equal(PHT_LAST, PHT_BACKUP);
	assert_int_equal((uint32_t)PJS_FINISHED, 0xD0000002u);
	assert_int_equal(VMS_RUNNING, 0x30000004);
	assert_int_equal(VMS_SUSPENDED, 0x30000009);
	assert_int_equal(PJOC_SRV_LOGIN, 3);
	assert_int_equal(PJOC_VM_RESUME, PJOC_VM_START);
	assert_int_equal(PJOC_VM_START, 42);
	assert_int_equal(PJOC_SRV_REGISTER_VM_EX, 14);
	assert_int_equal(PJOC_CT_CONVERT, 206);
	assert_int_equal(PET_DSP_EVT_VM_STATE_CHANGED, 100001);
	assert_int_equal(PET_DSP_EVT_HOST_STATISTICS_UPDATED, 100201);
	assert_int_equal(PET_DSP_EVT_DISP_CONNECTION_CLOSED, 100403);
	assert_int_equal(PET_PTM_EVT_RPC_COMPLETED, 101904);
	assert_int_equal(PFD_BINARY, 9);
	assert_int_equal(PIE_UNKNOWN, 0xFF);
	assert_int_equal(PSL_HIGH_SECURITY, 2);
	assert_int_equal(PACF_LAST, 0x400);
	assert_int_equal(PACF_MASK, 0x7FF);
	assert_int_equal(PAIF_USE_GRAPHIC_MODE, 0x800);
	assert_int_equal(PRVF_IGNORE_HA_CLUSTER, 0x8000);
	assert_int_equal(PRPM_RUN_PROGRAM_ENTER, 0x10000);
	assert_int_equal(PAM_SERVER, 0);
	assert_int_equal(PAM_DESKTOP_MAC, 1);
	assert_int_equal(PDE_USB_HARD_DISK, 23);
	assert_int_equal(VIRTUOZZO_API_VER, 0x00090000);
	assert_int_equal(PARALLELS_API_VER, VIRTUOZZO_API_VER);
	assert_int_equal(VIRTUOZZO_API_VER_1, 1);
}

/* Every name comes back from its value; a repeated value gives its first name. */
static void check_round_trip(const struct entry *list, size_t n,
			     const char *(*lookup)(int))
{
	for (size_t i = 0; i < n; i++) {
		const char *want = list[i].name;
		for (size_t j = 0; j < i; j++)
			if (list[j].value == list[i].value) {
				want = list[j].name;
				break;
			}
		const char *got = lookup(list[i].value);
		if (!got || strcmp(got, want) != 0)
			fail_msg("value 0x%08x (%s): lookup gave %s, expected %s",
				 (unsigned)list[i].value, list[i].name,
				 got ? got : "NULL", want);
	}
}

static const char *err_name(int v) { return prlc_err_name(v); }
static const char *event_name(int v) { return prlc_event_name((PRL_EVENT_TYPE)v); }
static const char *handle_name(int v) { return prlc_handle_type_name((PRL_HANDLE_TYPE)v); }
static const char *job_name(int v) { return prlc_job_op_name((PRL_JOB_OPERATION_CODE)v); }

static void test_round_trip(void **state)
{
	(void)state;
	assert_true(COUNT(errors) > 1500);
	assert_true(COUNT(events) > 200);
	assert_true(COUNT(handle_types) > 90);
	assert_true(COUNT(job_ops) > 190);
	check_round_trip(errors, COUNT(errors), err_name);
	check_round_trip(events, COUNT(events), event_name);
	check_round_trip(handle_types, COUNT(handle_types), handle_name);
	check_round_trip(job_ops, COUNT(job_ops), job_name);
	assert_string_equal(prlc_err_name(PRL_ERR_VM_CREATE_SNAPSHOT_FAILED),
			    "PRL_ERR_VM_SAVE_STATE_FAILED");
	assert_string_equal(prlc_handle_type_name(PHT_VM_CONFIGURATION),
			    "PHT_VIRTUAL_MACHINE");
	assert_string_equal(prlc_job_op_name(PJOC_VM_RESUME), "PJOC_VM_START");
}

/* The handle and job lists hold no alias: every value appears once. */
static void test_lists_unique(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(handle_types); i++)
		for (size_t j = i + 1; j < COUNT(handle_types); j++)
			assert_int_not_equal(handle_types[i].value, handle_types[j].value);
	for (size_t i = 0; i < COUNT(job_ops); i++)
		for (size_t j = i + 1; j < COUNT(job_ops); j++)
			assert_int_not_equal(job_ops[i].value, job_ops[j].value);
}

static void test_unknown(void **state)
{
	(void)state;
	assert_null(prlc_err_name(PRL_RESULT_DECLARE_ERROR(99999)));
	assert_null(prlc_err_name(123456789));
	assert_null(prlc_err_brief(PRL_RESULT_DECLARE_ERROR(99999)));
	assert_null(prlc_err_long(PRL_RESULT_DECLARE_ERROR(99999)));
	assert_null(prlc_event_name((PRL_EVENT_TYPE)99999));
	assert_null(prlc_event_name((PRL_EVENT_TYPE)100701)); /* unused slot */
	assert_null(prlc_handle_type_name((PRL_HANDLE_TYPE)0x10000050));
	assert_null(prlc_job_op_name((PRL_JOB_OPERATION_CODE)47));
	assert_null(prlc_job_op_name((PRL_JOB_OPERATION_CODE)204));
}

/* Codes the library, dispatcher and VM manager return all have texts. */
static void test_texts(void **state)
{
	static const PRL_RESULT needed[] = {
		PRL_ERR_SUCCESS, PRL_ERR_UNEXPECTED, PRL_ERR_OUT_OF_MEMORY,
		PRL_ERR_INVALID_ARG, PRL_ERR_INVALID_HANDLE, PRL_ERR_ACCESS_DENIED,
		PRL_ERR_BUFFER_OVERRUN, PRL_ERR_UNINITIALIZED, PRL_ERR_UNIMPLEMENTED,
		PRL_ERR_FAILURE, PRL_ERR_FILE_NOT_FOUND, PRL_ERR_DOUBLE_INIT,
		PRL_ERR_SYMBOL_NOT_FOUND, PRL_ERR_OPERATION_PENDING, PRL_ERR_NO_DATA,
		PRL_ERR_TIMEOUT, PRL_ERR_OPERATION_FAILED, PRL_ERR_PARAM_NOT_FOUND,
		PRL_ERR_INVALID_PARAM, PRL_ERR_READ_XML_CONTENT, PRL_ERR_PARSE_VM_CONFIG,
		PRL_ERR_VM_CONFIG_ALREADY_EXISTS, PRL_ERR_VM_START_FAILED,
		PRL_ERR_USER_OPERATION_NOT_AUTHORISED, PRL_ERR_PREV_SESSION_IS_ACTIVE,
		PRL_ERR_ENTRY_DOES_NOT_EXIST, PRL_ERR_ENTRY_ALREADY_EXISTS,
		PRL_ERR_TASK_NOT_FOUND, PRL_ERR_CANT_EDIT_SUSPENDED_VM,
		PRL_ERR_VM_UUID_NOT_FOUND, PRL_ERR_VM_ALREADY_REGISTERED_VM_NAME,
		PRL_ERR_ACCESS_TO_VM_DENIED, PRL_ERR_WS_DISP_CONNECTION_CLOSED,
		PRL_ERR_CANT_CONNECT_TO_DISPATCHER, PRL_ERR_NOT_CONNECTED_TO_DISPATCHER,
		PRL_ERR_ALREADY_CONNECTED_TO_DISPATCHER, PRL_ERR_OPERATION_WAS_CANCELED,
		PRL_ERR_WRONG_CONNECTION_SECURITY_LEVEL, PRL_ERR_VM_CONFIG_DOESNT_EXIST,
		PRL_ERR_API_WASNT_INITIALIZED, PRL_ERR_IO_CONNECTION_TIMEOUT,
		PRL_ERR_IO_AUTHENTICATION_FAILED, PRL_ERR_USER_NO_AUTH_TO_EDIT_VM,
		PRL_ERR_CONFIG_EDIT_COLLISION, PRL_ERR_AUTHENTICATION_FAILED,
		PRL_ERR_LOCAL_AUTHENTICATION_FAILED, PRL_ERR_DISP_VM_IS_NOT_STARTED,
		PRL_ERR_USER_NOT_FOUND, PRL_ERR_IO_NO_CONNECTION, PRL_ERR_VM_ALREADY_RUNNING,
		PRL_ERR_DISP_SHUTDOWN_IN_PROCESS, PRL_ERR_HANDSHAKE_FAILED,
		PRL_ERR_WRONG_PROTOCOL_VERSION, PRL_ERR_SSL_HANDSHAKE_FAILED,
		PRL_ERR_VM_IS_NOT_SUSPENDED, PRL_ERR_API_INCOMPATIBLE,
		PRL_ERR_LOGIN_BY_MISMATCH_CLIENT_MODE, PRL_ERR_VM_IS_EXCLUSIVELY_LOCKED,
		PRL_ERR_CANT_CONNECT_TO_DISPATCHER_ITERATIVELY, PRL_ERR_CANT_RESOLVE_HOSTNAME,
		PRL_ERR_DISP_VM_IS_NOT_STOPPED, PRL_ERR_PUBLIC_KEY_NOT_AUTHORIZED,
		PRL_ERR_DISP_VM_IS_NOT_RUNNING, PRL_ERR_CT_NOT_FOUND,
		PRL_ERR_OBJECT_NOT_FOUND, PRL_ERR_VM_ALREADY_REGISTERED_VM_UUID,
		PRL_ERR_VM_CANT_DELETE_RUNNING, PRL_ERR_VM_CANT_UNREG_RUNNING,
		PRL_ERR_VM_POWER_OFF_FAILED, PRL_ERR_VM_PAUSE_FAILED,
		PRL_ERR_VM_SUSPEND_FAILED, PRL_ERR_VM_RESUME_FAILED,
	};
	(void)state;
	for (size_t i = 0; i < COUNT(needed); i++) {
		const char *b = prlc_err_brief(needed[i]);
		const char *l = prlc_err_long(needed[i]);
		if (!b || !l || !*b || !*l)
			fail_msg("no text for %s", prlc_err_name(needed[i]));
		assert_true(strlen(l) >= strlen(b) || strlen(l) > 20);
	}
	assert_non_null(strstr(prlc_err_long(PRL_ERR_NOT_CONNECTED_TO_DISPATCHER),
			       "PrlSrv_Login"));
	/* a known code without a text of its own */
	assert_non_null(prlc_err_name(PRL_ERR_VM_MAP_VM_MEM0));
	assert_null(prlc_err_brief(PRL_ERR_VM_MAP_VM_MEM0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_values),
		cmocka_unit_test(test_enum_values),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_lists_unique),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_texts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
