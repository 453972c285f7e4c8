/*
 * PrlApiCore.h — the library core: init and version, result texts, handles, strings
 * and handles lists, jobs, job results, events and event parameters, debug
 * helpers.
 *
 * Declarations only (the implementation is src/lib); each goes through the
 * PRL_*_METHOD_DECL macros of PrlTypes.h, which also give a `Name_Ptr`
 * function-pointer typedef.  The version argument records the API version
 * that introduced the function, as in the SDK this is compatible with.
 *
 * Conventions for every function below: a sync function returns PRL_RESULT
 * (negative = error; a bad, stale or wrong-typed handle gives
 * PRL_ERR_INVALID_ARG, any call before PrlApi_InitEx gives
 * PRL_ERR_API_WASNT_INITIALIZED).  An async function returns a PHT_JOB at
 * once, even for bad arguments (the job then finishes with the error); the
 * caller frees the job.  String getters take (buf, &len): a NULL buf or a
 * zero *len asks for the size (bytes + 1), too small a buffer gives
 * PRL_ERR_BUFFER_OVERRUN and the size.  Every handle handed out carries one
 * reference the caller frees with PrlHandle_Free.  All functions may be
 * called from any thread, including from inside an event handler.
 */
#ifndef OPENPRL_PRLAPICORE_H
#define OPENPRL_PRLAPICORE_H

#include "PrlTypes.h"
#include "PrlErrors.h"
#include "PrlEnums.h"
#include "PrlApiVersion.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Library life cycle and result texts ------------------------------- */

/* Starts the library for API version `version` in server mode; reference-counted. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlApi_Init, (PRL_UINT32 version))

/* Starts the library with an explicit application mode and PAIF_* flags; reference-counted. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlApi_InitEx,
	(PRL_UINT32 nVersion, PRL_APPLICATION_MODE nAppMode, PRL_UINT32 nFlags,
	 PRL_UINT32 nReserved))

/* Drops one init reference; the last one stops the library's threads. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlApi_Deinit, (void))

/* Reports the API version this library implements. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlApi_GetVersion, (PRL_UINT32_PTR current_version))

/* Reports the application mode given to PrlApi_InitEx. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlApi_GetAppMode,
	(PRL_APPLICATION_MODE_PTR app_mode))

/* Copies the brief or long text for a result code (size query with a NULL buffer). */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlApi_GetResultDescription,
	(PRL_RESULT nErrCode, PRL_BOOL bIsBriefMessage, PRL_BOOL bFormated,
	 PRL_STR sErrString, PRL_UINT32_PTR pnErrStringBufLength))

/* Classifies a result code as warning, information, question, ... */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlApi_GetMessageType,
	(PRL_RESULT nErrCode, PRL_MESSAGE_TYPE_ENUM_PTR pnMsgType))

/* Tells whether a result code is non-critical. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlApi_MsgCanBeIgnored,
	(PRL_RESULT nErrCode, PRL_BOOL_PTR pbCanBeIgnored))

/* ---- Handles (any type) ------------------------------------------------ */

/* Takes one more reference on any handle. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlHandle_AddRef, (PRL_HANDLE handle))

/* Drops one reference; the object dies with the last one. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlHandle_Free, (PRL_HANDLE handle))

/* Reports the PHT_* type of any handle. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlHandle_GetType,
	(PRL_HANDLE handle, PRL_HANDLE_TYPE_PTR type))

/* Adds (handler, userData) to the event handlers of a server or VM handle. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_4, PrlHandle_RegEventHandler,
	(PRL_HANDLE hObj, PRL_EVENT_HANDLER_PTR handler, PRL_VOID_PTR userData))

/* Removes the (handler, userData) pair added by PrlHandle_RegEventHandler. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_4, PrlHandle_UnregEventHandler,
	(PRL_HANDLE hObj, PRL_EVENT_HANDLER_PTR handler, PRL_VOID_PTR userData))

/* ---- PHT_STRINGS_LIST -------------------------------------------------- */

/* Creates an empty PHT_STRINGS_LIST; the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlApi_CreateStringsList,
	(PRL_HANDLE_PTR phStringsList))

/* Counts the strings in a strings list. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlStrList_GetItemsCount,
	(PRL_HANDLE hStringsList, PRL_UINT32_PTR pnItemsCount))

/* Appends a copy of a UTF-8 string to a strings list. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlStrList_AddItem,
	(PRL_HANDLE hStringsList, PRL_CONST_STR sItem))

/* Copies the string at an index (size query with a NULL buffer). */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlStrList_GetItem,
	(PRL_HANDLE hStringsList, PRL_UINT32 nItemIndex, PRL_STR sItemBuf,
	 PRL_UINT32_PTR pnItemBufSize))

/* Removes the string at an index. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlStrList_RemoveItem,
	(PRL_HANDLE hStringsList, PRL_UINT32 nItemIndex))

/* ---- PHT_HANDLES_LIST -------------------------------------------------- */

/* Creates an empty PHT_HANDLES_LIST; the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlApi_CreateHandlesList,
	(PRL_HANDLE_PTR phHandlesList))

/* Counts the handles in a handles list. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlHndlList_GetItemsCount,
	(PRL_HANDLE hHandlesList, PRL_UINT32_PTR pnItemsCount))

/* Appends a handle to the list; the list keeps its own reference. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlHndlList_AddItem,
	(PRL_HANDLE hHandlesList, PRL_HANDLE hItem))

/* Returns the handle at an index with a new reference; the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlHndlList_GetItem,
	(PRL_HANDLE hHandlesList, PRL_UINT32 nItemIndex, PRL_HANDLE_PTR phItem))

/* Removes the handle at an index and drops the list's reference. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlHndlList_RemoveItem,
	(PRL_HANDLE hHandlesList, PRL_UINT32 nItemIndex))

/* ---- PHT_JOB: asynchronous operations ---------------------------------- */

/* Waits up to msecs for the job to finish; PRL_ERR_TIMEOUT leaves it running. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlJob_Wait, (PRL_HANDLE hJob, PRL_UINT32 msecs))

/* Asks the server to cancel the job; returns a new cancel job the caller frees. */
PRL_ASYNC_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlJob_Cancel, (PRL_HANDLE hJob))

/* Reports whether the job is still running or finished. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlJob_GetStatus,
	(PRL_HANDLE hJob, PRL_JOB_STATUS_PTR status))

/* Reports the job's progress in percent. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlJob_GetProgress,
	(PRL_HANDLE hJob, PRL_UINT32_PTR percentage))

/* Reports the result of the finished operation (not of this call). */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlJob_GetRetCode,
	(PRL_HANDLE hJob, PRL_RESULT_PTR retcode))

/* Copies a job's raw data buffer, if its operation has one. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlJob_GetDataPtr,
	(PRL_HANDLE hJob, PRL_VOID_PTR data_ptr, PRL_UINT32_PTR data_size))

/* Returns the job's PHT_RESULT; it outlives the job and the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlJob_GetResult,
	(PRL_HANDLE hJob, PRL_HANDLE_PTR handle))

/* Returns a PHT_EVENT describing the job's failure; the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlJob_GetError,
	(PRL_HANDLE hJob, PRL_HANDLE_PTR phError))

/* Reports which PJOC_* operation started the job. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlJob_GetOpCode,
	(PRL_HANDLE hJob, PRL_JOB_OPERATION_CODE_PTR pnOpCode))

/* Tells whether the request reached the wire or failed locally. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlJob_IsRequestWasSent,
	(PRL_HANDLE hJob, PRL_BOOL_PTR pbIsRequestWasSent))

/* ---- PHT_RESULT: what a finished job returned -------------------------- */

/* Counts the items in a job result. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlResult_GetParamsCount,
	(PRL_HANDLE hResult, PRL_UINT32_PTR pCount))

/* Returns the result item at an index as a new handle; the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlResult_GetParamByIndex,
	(PRL_HANDLE hResult, PRL_UINT32 nIndex, PRL_HANDLE_PTR phParam))

/* Returns the first result item as a new handle; the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlResult_GetParam,
	(PRL_HANDLE hResult, PRL_HANDLE_PTR pHandle))

/* Copies the result item at an index as a string. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlResult_GetParamByIndexAsString,
	(PRL_HANDLE hResult, PRL_UINT32 nIndex, PRL_STR sParamBuf,
	 PRL_UINT32_PTR pnParamBufSize))

/* Copies the first result item as a string. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlResult_GetParamAsString,
	(PRL_HANDLE hResult, PRL_STR sParamBuf, PRL_UINT32_PTR pnParamBufSize))

/* ---- PHT_EVENT --------------------------------------------------------- */

/* Reports the PET_* type of an event. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlEvent_GetType,
	(PRL_HANDLE hEvent, PRL_EVENT_TYPE_PTR type))

/* Returns the server the event came from; the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlEvent_GetServer,
	(PRL_HANDLE hEvent, PRL_HANDLE_PTR server))

/* Returns the VM the event is about; the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlEvent_GetVm,
	(PRL_HANDLE hEvent, PRL_HANDLE_PTR pVm))

/* Returns the job that caused the event; the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlEvent_GetJob,
	(PRL_HANDLE hEvent, PRL_HANDLE_PTR pJob))

/* Counts the parameters carried by an event. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlEvent_GetParamsCount,
	(PRL_HANDLE hEvent, PRL_UINT32_PTR pnParamsCount))

/* Returns the event parameter at an index; the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlEvent_GetParam,
	(PRL_HANDLE hEvent, PRL_UINT32 nIndex, PRL_HANDLE_PTR phEventParam))

/* Returns the event parameter with a given name; the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlEvent_GetParamByName,
	(PRL_HANDLE hEvent, PRL_CONST_STR sParamName, PRL_HANDLE_PTR phEventParam))

/* Reports the result code carried by an event. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlEvent_GetErrCode,
	(PRL_HANDLE hEvent, PRL_RESULT_PTR pnErrCode))

/* Copies the brief or long message of an event. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlEvent_GetErrString,
	(PRL_HANDLE hEvent, PRL_BOOL bIsBriefMessage, PRL_BOOL bFormated,
	 PRL_STR sErrString, PRL_UINT32_PTR pnErrStringBufLength))

/* Tells whether the event is a question awaiting an answer. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlEvent_IsAnswerRequired,
	(PRL_HANDLE hEvent, PRL_BOOL_PTR pbIsAnswerRequired))

/* Reports whether a VM, the dispatcher, ... issued the event. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlEvent_GetIssuerType,
	(PRL_HANDLE hEvent, PRL_EVENT_ISSUER_TYPE_PTR pnIssuerType))

/* Copies the issuer id (the VM UUID, or empty). */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlEvent_GetIssuerId,
	(PRL_HANDLE hEvent, PRL_STR sIssuerId, PRL_UINT32_PTR pnIssuerIdBufLength))

/* Builds an answer event for a question; the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlEvent_CreateAnswerEvent,
	(PRL_HANDLE hEvent, PRL_HANDLE_PTR phEvent, PRL_RESULT nAnswer))

/* ---- PHT_EVENT_PARAMETER ----------------------------------------------- */

/* Copies the name of an event parameter. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlEvtPrm_GetName,
	(PRL_HANDLE hEventParam, PRL_STR sParamName,
	 PRL_UINT32_PTR pnParamNameBufLength))

/* Reports the PFD_* data type of an event parameter. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlEvtPrm_GetType,
	(PRL_HANDLE hEventParam, PRL_PARAM_FIELD_DATA_TYPE_PTR pnParamType))

/* Copies the parameter value as text. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlEvtPrm_ToString,
	(PRL_HANDLE hEventParam, PRL_STR sParamValue,
	 PRL_UINT32_PTR pnParamValueBufLength))

/* Copies the parameter value as raw CDATA text. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlEvtPrm_ToCData,
	(PRL_HANDLE hEventParam, PRL_STR sParamValue,
	 PRL_UINT32_PTR pnParamValueBufLength))

/* Converts the parameter value to an unsigned 32-bit number. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlEvtPrm_ToUint32,
	(PRL_HANDLE hEventParam, PRL_UINT32_PTR pnParamValue))

/* Converts the parameter value to a signed 32-bit number. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlEvtPrm_ToInt32,
	(PRL_HANDLE hEventParam, PRL_INT32_PTR pnParamValue))

/* Converts the parameter value to an unsigned 64-bit number. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlEvtPrm_ToUint64,
	(PRL_HANDLE hEventParam, PRL_UINT64_PTR pnParamValue))

/* Converts the parameter value to a signed 64-bit number. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlEvtPrm_ToInt64,
	(PRL_HANDLE hEventParam, PRL_INT64_PTR pnParamValue))

/* Converts the parameter value to a PRL_BOOL. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlEvtPrm_ToBoolean,
	(PRL_HANDLE hEventParam, PRL_BOOL_PTR pbParamValue))

/* Turns an object parameter (e.g. "statistics") into a new handle; the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlEvtPrm_ToHandle,
	(PRL_HANDLE hEventParam, PRL_HANDLE_PTR phParamValue))

/* Copies the raw bytes of a binary parameter. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlEvtPrm_GetBuffer,
	(PRL_HANDLE hEventParam, PRL_VOID_PTR pParamValue,
	 PRL_UINT32_PTR pnParamValueBufLength))

/* ---- Debugging aids ---------------------------------------------------- */

/* Counts live handles, all of them (PHT_ERROR) or of one type. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlDbg_GetHandlesNum,
	(PRL_UINT32_PTR handles_num, PRL_HANDLE_TYPE type))

/* Points *result at the constant name of a result code (static storage). */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlDbg_PrlResultToString,
	(PRL_RESULT value, PRL_CONST_STR_PTR result))

/* Points *result at the constant name of a handle type (static storage). */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlDbg_HandleTypeToString,
	(PRL_HANDLE_TYPE handle_type, PRL_CONST_STR_PTR result))

/* Points *result at the constant name of an event type (static storage). */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlDbg_EventTypeToString,
	(PRL_EVENT_TYPE event_type, PRL_CONST_STR_PTR result))

/* Turns the library's console logging on or off. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlApi_SwitchConsoleLogging, (PRL_BOOL bSwitchOn))

/* ---- Readable names (header-only helpers) ------------------------------ */

/*
 * Static helpers over the PrlDbg_*ToString functions, as SDK programs expect
 * them.  They never return NULL: an unknown value gives "<unknown>".  Left out
 * under DYN_API_WRAP, where the PrlDbg_* names are the program's own.
 */
#ifndef DYN_API_WRAP
#define PRL_HAVE_TO_STRING_HELPERS 1

static inline const char *prl_result_to_string(PRL_RESULT value)
{
	PRL_CONST_STR s = 0;

	if (PRL_FAILED(PrlDbg_PrlResultToString(value, &s)) || !s)
		return "<unknown>";
	return s;
}

static inline const char *handle_type_to_string(PRL_HANDLE_TYPE value)
{
	PRL_CONST_STR s = 0;

	if (PRL_FAILED(PrlDbg_HandleTypeToString(value, &s)) || !s)
		return "<unknown>";
	return s;
}

static inline const char *event_type_to_string(PRL_EVENT_TYPE value)
{
	PRL_CONST_STR s = 0;

	if (PRL_FAILED(PrlDbg_EventTypeToString(value, &s)) || !s)
		return "<unknown>";
	return s;
}
#endif /* !DYN_API_WRAP */

#ifdef __cplusplus
}
#endif
#endif /* OPENPRL_PRLAPICORE_H */
