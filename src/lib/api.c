/*
 * api.c — library lifecycle (PrlApi_*), result texts and the PrlDbg_* helpers.
 *
 * Initialisation is reference-counted as in the real SDK: every successful
 * PrlApi_InitEx must be matched by a PrlApi_Deinit, and only the last Deinit
 * tears down (and, with PRL_SDK_DEBUG_HANDLES=1, reports leaked handles).
 * Every other entry point checks prl__initialized() first.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"
#include "conn.h"
#include "errtext.h"
#include "PrlApiVersion.h"
#include "PrlApi.h"

static _Atomic int init_count;
static _Atomic PRL_UINT32 api_version;
static _Atomic int app_mode;
static pthread_mutex_t init_mu = PTHREAD_MUTEX_INITIALIZER;

int prl__initialized(void)
{
	return atomic_load_explicit(&init_count, memory_order_acquire) > 0;
}

PRL_UINT32 prl__api_version(void)
{
	return atomic_load(&api_version);
}

PRL_METHOD(PrlApi_InitEx)(PRL_UINT32 nVersion, PRL_APPLICATION_MODE nAppMode,
			  PRL_UINT32 nFlags, PRL_UINT32 nReserved)
{
	(void)nFlags;
	(void)nReserved;
	if ((nVersion & ~0xE0000000u) > VIRTUOZZO_API_VER)
		return PRL_ERR_API_INCOMPATIBLE;
	pthread_mutex_lock(&init_mu);
	if (atomic_load(&init_count) == 0) {
		prl__handles_debug_init();
		atomic_store(&api_version, nVersion & ~0xE0000000u);
		atomic_store(&app_mode, (int)nAppMode);
	}
	atomic_fetch_add_explicit(&init_count, 1, memory_order_release);
	pthread_mutex_unlock(&init_mu);
	return PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlApi_Init)(PRL_UINT32 version)
{
	return PrlApi_InitEx(version, PAM_SERVER, 0, 0);
}

PRL_METHOD(PrlApi_Deinit)(void)
{
	pthread_mutex_lock(&init_mu);
	int n = atomic_load(&init_count);
	if (n == 0) {
		pthread_mutex_unlock(&init_mu);
		return PRL_ERR_API_WASNT_INITIALIZED;
	}
	if (n == 1) {
		prl__conn_wait_all(2000);
		prl__quiesce(2000);
		prl__handles_report();
	}
	atomic_store_explicit(&init_count, n - 1, memory_order_release);
	pthread_mutex_unlock(&init_mu);
	return PRL_ERR_SUCCESS;
}

/* Console logging: when on, the library reports on stderr every job that
 * fails and every connection it loses (prl__log), prefixed "openprl:". */
static _Atomic int console_log;

PRL_METHOD(PrlApi_SwitchConsoleLogging)(PRL_BOOL bSwitchOn)
{
	atomic_store(&console_log, bSwitchOn ? 1 : 0);
	return PRL_ERR_SUCCESS;
}

void prl__log(const char *fmt, ...)
{
	if (!atomic_load(&console_log))
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "openprl: %s\n", line);
}

PRL_METHOD(PrlApi_GetVersion)(PRL_UINT32_PTR current_version)
{
	PRL__CHECK_INIT();
	PRL__CHECK_ARG(current_version);
	*current_version = VIRTUOZZO_API_VER;
	return PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlApi_GetAppMode)(PRL_APPLICATION_MODE_PTR nAppMode)
{
	PRL__CHECK_INIT();
	PRL__CHECK_ARG(nAppMode);
	*nAppMode = (PRL_APPLICATION_MODE)atomic_load(&app_mode);
	return PRL_ERR_SUCCESS;
}

/* Text for a code: our own brief/long text, else one built from its name. */
static char *describe(PRL_RESULT code, PRL_BOOL brief)
{
	const char *t = brief ? prlc_err_brief(code) : prlc_err_long(code);
	if (!t && !brief)
		t = prlc_err_brief(code);
	char *out = NULL;
	if (t)
		return strdup(t);
	const char *name = prlc_err_name(code);
	if (name && asprintf(&out, "The operation ended with %s (0x%08X).", name,
			     (unsigned)code) < 0)
		out = NULL;
	if (!name && asprintf(&out, "Unknown result code 0x%08X.", (unsigned)code) < 0)
		out = NULL;
	return out;
}

PRL_METHOD(PrlApi_GetResultDescription)(PRL_RESULT nErrCode, PRL_BOOL bIsBriefMessage,
					PRL_BOOL bFormated, PRL_STR sErrString,
					PRL_UINT32_PTR pnErrStringBufLength)
{
	(void)bFormated;
	PRL__CHECK_INIT();
	PRL__CHECK_ARG(pnErrStringBufLength);
	char *t = describe(nErrCode, bIsBriefMessage);
	if (!t)
		return PRL_ERR_OUT_OF_MEMORY;
	PRL_RESULT rc = prl__copy_str(t, sErrString, pnErrStringBufLength);
	free(t);
	return rc;
}

PRL_METHOD(PrlApi_GetMessageType)(PRL_RESULT nErrCode, PRL_MESSAGE_TYPE_ENUM_PTR pnMsgType)
{
	PRL__CHECK_INIT();
	PRL__CHECK_ARG(pnMsgType);
	*pnMsgType = PRL_FAILED(nErrCode) ? PMT_CRITICAL : PMT_INFORMATION;
	return PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlApi_MsgCanBeIgnored)(PRL_RESULT nErrCode, PRL_BOOL_PTR bCanBeIgnored)
{
	PRL__CHECK_INIT();
	PRL__CHECK_ARG(bCanBeIgnored);
	*bCanBeIgnored = PRL_SUCCEEDED(nErrCode) ? PRL_TRUE : PRL_FALSE;
	return PRL_ERR_SUCCESS;
}

/* The PrlDbg_* string helpers work before init too: SdkWrap's
 * prl_result_to_string is used to print why PrlApi_InitEx failed. */
PRL_METHOD(PrlDbg_PrlResultToString)(PRL_RESULT value, PRL_CONST_STR_PTR res)
{
	PRL__CHECK_ARG(res);
	const char *n = prlc_err_name(value);
	*res = n ? n : "<unknown result code>";
	return n ? PRL_ERR_SUCCESS : PRL_ERR_INVALID_ARG;
}

PRL_METHOD(PrlDbg_HandleTypeToString)(PRL_HANDLE_TYPE value, PRL_CONST_STR_PTR res)
{
	PRL__CHECK_ARG(res);
	const char *n = prlc_handle_type_name(value);
	*res = n ? n : "PHT_UNKNOWN";
	return n ? PRL_ERR_SUCCESS : PRL_ERR_INVALID_ARG;
}

PRL_METHOD(PrlDbg_EventTypeToString)(PRL_EVENT_TYPE value, PRL_CONST_STR_PTR res)
{
	PRL__CHECK_ARG(res);
	const char *n = prlc_event_name(value);
	*res = n ? n : "PET_UNKNOWN";
	return n ? PRL_ERR_SUCCESS : PRL_ERR_INVALID_ARG;
}

PRL_METHOD(PrlDbg_GetHandlesNum)(PRL_UINT32_PTR handles_num, PRL_HANDLE_TYPE type)
{
	PRL__CHECK_INIT();
	PRL__CHECK_ARG(handles_num);
	prl__conn_quiesce(2000);
	prl__quiesce(2000);
	*handles_num = prl__handles_count(type);
	return PRL_ERR_SUCCESS;
}

/* ---- string helpers shared by every getter -------------------------------- */

PRL_RESULT prl__copy_str(const char *s, PRL_STR buf, PRL_UINT32_PTR len)
{
	if (!len)
		return PRL_ERR_INVALID_ARG;
	if (!s)
		s = "";
	size_t need = strlen(s) + 1;
	if (need > UINT32_MAX)
		return PRL_ERR_BUFFER_OVERRUN;
	if (!buf || *len == 0) {
		*len = (PRL_UINT32)need;
		return PRL_ERR_SUCCESS;
	}
	if (*len < need) {
		memcpy(buf, s, *len);
		*len = (PRL_UINT32)need;
		return PRL_ERR_BUFFER_OVERRUN;
	}
	memcpy(buf, s, need);
	*len = (PRL_UINT32)need;
	return PRL_ERR_SUCCESS;
}

PRL_RESULT prl__copy_bin(const void *p, size_t n, PRL_VOID_PTR buf, PRL_UINT32_PTR len)
{
	if (!len)
		return PRL_ERR_INVALID_ARG;
	if (n > UINT32_MAX)
		return PRL_ERR_BUFFER_OVERRUN;
	if (!buf || *len == 0) {
		*len = (PRL_UINT32)n;
		return PRL_ERR_SUCCESS;
	}
	if (*len < n) {
		memcpy(buf, p, *len);
		*len = (PRL_UINT32)n;
		return PRL_ERR_BUFFER_OVERRUN;
	}
	if (n)
		memcpy(buf, p, n);
	*len = (PRL_UINT32)n;
	return PRL_ERR_SUCCESS;
}

void prl__deadline(struct timespec *ts, clockid_t clock, unsigned ms)
{
	clock_gettime(clock, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

char *prl__strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}
