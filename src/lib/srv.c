/*
 * srv.c — the server operations (PrlSrv_*): login and logoff, host
 * information, statistics subscriptions and the VM list.
 *
 * Each asynchronous function follows one skeleton: resolve the server
 * handle (a bad one gives a job already finished with PRL_ERR_INVALID_ARG),
 * build the request, hand it to the connection, return the job.  Requests
 * without arguments go through one table-driven helper.
 */
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "PrlApi.h"

/* Resolves hServer for an async function or returns a failed job. */
#define SRV_OR_FAIL(var, h, op)                                                   \
	prl__auto prl__server *var = prl__server_from(h);                         \
	if (!var)                                                                 \
		return prl__job_failed((op), prl__bad_handle())

static PRL_HANDLE simple(PRL_HANDLE hServer, PRL_JOB_OPERATION_CODE op, PRL_UINT32 flags)
{
	SRV_OR_FAIL(s, hServer, op);
	prl__job *j = prl__job_new(op, s);
	if (!j)
		return PRL_INVALID_HANDLE;
	prl__req r;
	prl__req_init(&r, op);
	if (flags) {
		r.msg.has_flags = 1;
		r.msg.flags = flags;
	}
	return prl__conn_request(s, j, &r);
}

/* ---- login ------------------------------------------------------------------------- */

static PRL_HANDLE login(PRL_HANDLE hServer, const prl__login_args *a)
{
	PRL_JOB_OPERATION_CODE op = a->local ? PJOC_SRV_LOGIN_LOCAL : PJOC_SRV_LOGIN;
	SRV_OR_FAIL(s, hServer, op);
	if (!a->local && (!a->host || !*a->host))
		return prl__job_failed(op, PRL_ERR_INVALID_ARG);
	if ((unsigned)a->security > PSL_HIGH_SECURITY)
		return prl__job_failed(op, PRL_ERR_INVALID_ARG);
	prl__job *j = prl__job_new(op, s);
	if (!j)
		return PRL_INVALID_HANDLE;
	PRL_HANDLE h = prl__handle(&j->base);
	prl__ref(&j->base);                  /* the caller's reference */
	prl__conn_login(s, j, a);            /* takes the creator's */
	return h;
}

PRL_ASYNC_METHOD(PrlSrv_LoginEx)(PRL_HANDLE hServer, PRL_CONST_STR host, PRL_CONST_STR user,
				 PRL_CONST_STR passwd, PRL_CONST_STR sPrevSessionUuid,
				 PRL_UINT32 port_cmd, PRL_UINT32 timeout,
				 PRL_SECURITY_LEVEL security_level, PRL_UINT32 flags)
{
	prl__login_args a = {
		.local = 0, .host = host, .port = port_cmd, .user = user ? user : "",
		.password = passwd ? passwd : "", .prev_session = sPrevSessionUuid,
		.timeout_ms = timeout, .security = security_level, .flags = flags,
	};
	return login(hServer, &a);
}

PRL_ASYNC_METHOD(PrlSrv_Login)(PRL_HANDLE hServer, PRL_CONST_STR host, PRL_CONST_STR user,
			       PRL_CONST_STR passwd, PRL_CONST_STR sPrevSessionUuid,
			       PRL_UINT32 port_cmd, PRL_UINT32 timeout,
			       PRL_SECURITY_LEVEL security_level)
{
	return PrlSrv_LoginEx(hServer, host, user, passwd, sPrevSessionUuid, port_cmd,
			      timeout, security_level, 0);
}

PRL_ASYNC_METHOD(PrlSrv_LoginLocalEx)(PRL_HANDLE hServer, PRL_CONST_STR sPrevSessionUuid,
				      PRL_UINT32 port, PRL_SECURITY_LEVEL security_level,
				      PRL_UINT32 flags)
{
	/* The unix socket never leaves the host: every level is acceptable. */
	prl__login_args a = {
		.local = 1, .port = port, .prev_session = sPrevSessionUuid,
		.security = security_level, .flags = flags,
	};
	return login(hServer, &a);
}

PRL_ASYNC_METHOD(PrlSrv_LoginLocal)(PRL_HANDLE hServer, PRL_CONST_STR sPrevSessionUuid,
				    PRL_UINT32 port, PRL_SECURITY_LEVEL security_level)
{
	return PrlSrv_LoginLocalEx(hServer, sPrevSessionUuid, port, security_level, 0);
}

PRL_ASYNC_METHOD(PrlSrv_Logoff)(PRL_HANDLE hServer)
{
	SRV_OR_FAIL(s, hServer, PJOC_SRV_LOGOFF);
	prl__job *j = prl__job_new(PJOC_SRV_LOGOFF, s);
	if (!j)
		return PRL_INVALID_HANDLE;
	return prl__conn_logoff(s, j);
}

PRL_METHOD(PrlSrv_IsConnected)(PRL_HANDLE hServer, PRL_BOOL_PTR pbConnected,
			       PRL_BOOL_PTR pbIsConnectionLocal)
{
	PRL__OBJ(s, prl__server, hServer, PHT_SERVER);
	PRL__CHECK_ARG(pbConnected);
	int local = 0;
	*pbConnected = prl__conn_connected(s, &local) ? PRL_TRUE : PRL_FALSE;
	if (pbIsConnectionLocal)
		*pbIsConnectionLocal = *pbConnected && local ? PRL_TRUE : PRL_FALSE;
	return PRL_ERR_SUCCESS;
}

PRL_ASYNC_METHOD(PrlSrv_SetNonInteractiveSession)(PRL_HANDLE hServer, PRL_BOOL bNonInteractive,
						 PRL_UINT32 nFlags)
{
	(void)bNonInteractive;
	(void)nFlags;
	SRV_OR_FAIL(s, hServer, PJOC_SRV_SET_NON_INTERACTIVE_SESSION);
	prl__job *j = prl__job_new(PJOC_SRV_SET_NON_INTERACTIVE_SESSION, s);
	if (!j)
		return PRL_INVALID_HANDLE;
	/* No operation of ours ever stops to ask the user a question, so every
	 * session already is non-interactive: only the login state matters. */
	PRL_RESULT rc = prl__conn_connected(s, NULL) ? PRL_ERR_SUCCESS
						     : PRL_ERR_NOT_CONNECTED_TO_DISPATCHER;
	prl__job_finish(j, rc, NULL, NULL);
	return prl__job_handle(j);
}

/* ---- host information and statistics ---------------------------------------------- */

PRL_ASYNC_METHOD(PrlSrv_GetSrvConfig)(PRL_HANDLE hServer)
{
	return simple(hServer, PJOC_SRV_GET_SRV_CONFIG, 0);
}

PRL_ASYNC_METHOD(PrlSrv_Shutdown)(PRL_HANDLE hServer, PRL_BOOL bForceShutdown)
{
	/* Running VMs stay up either way (they are libvirt's), so bForceShutdown
	 * changes nothing. */
	(void)bForceShutdown;
	return simple(hServer, PJOC_SRV_SHUTDOWN, 0);
}

/* Our dispatcher never stops an operation to ask a question, so the list
 * of pending questions is always empty; it is a real list the caller frees. */
PRL_METHOD(PrlSrv_GetQuestions)(PRL_HANDLE hServer, PRL_HANDLE_PTR pQuestionsList)
{
	PRL__OBJ(s, prl__server, hServer, PHT_SERVER);
	PRL__CHECK_ARG(pQuestionsList);
	return PrlApi_CreateHandlesList(pQuestionsList);
}

PRL_ASYNC_METHOD(PrlSrv_GetCommonPrefs)(PRL_HANDLE hServer)
{
	return simple(hServer, PJOC_SRV_GET_COMMON_PREFS, 0);
}

PRL_ASYNC_METHOD(PrlSrv_GetStatistics)(PRL_HANDLE hServer)
{
	return simple(hServer, PJOC_SRV_GET_STATISTICS, 0);
}

PRL_ASYNC_METHOD(PrlSrv_SubscribeToHostStatistics)(PRL_HANDLE hServer)
{
	return simple(hServer, PJOC_SRV_SUBSCRIBE_TO_HOST_STATISTICS, 0);
}

PRL_ASYNC_METHOD(PrlSrv_UnsubscribeFromHostStatistics)(PRL_HANDLE hServer)
{
	return simple(hServer, PJOC_SRV_UNSUBSCRIBE_FROM_HOST_STATISTICS, 0);
}

static PRL_HANDLE with_filter(PRL_HANDLE hServer, PRL_JOB_OPERATION_CODE op,
			      PRL_CONST_STR sFilter)
{
	SRV_OR_FAIL(s, hServer, op);
	prl__job *j = prl__job_new(op, s);
	if (!j)
		return PRL_INVALID_HANDLE;
	prl__req r;
	prl__req_init(&r, op);
	prl__req_add_str(&r, "filter", sFilter ? sFilter : "");
	return prl__conn_request(s, j, &r);
}

PRL_ASYNC_METHOD(PrlSrv_SubscribeToPerfStats)(PRL_HANDLE hServer, PRL_CONST_STR sFilter)
{
	return with_filter(hServer, PJOC_SRV_SUBSCRIBE_PERFSTATS, sFilter);
}

PRL_ASYNC_METHOD(PrlSrv_UnsubscribeFromPerfStats)(PRL_HANDLE hServer)
{
	return simple(hServer, PJOC_SRV_UNSUBSCRIBE_PERFSTATS, 0);
}

PRL_ASYNC_METHOD(PrlSrv_GetPerfStats)(PRL_HANDLE hServer, PRL_CONST_STR sFilter)
{
	return with_filter(hServer, PJOC_SRV_GET_PERFSTATS, sFilter);
}

/* ---- the VM list ------------------------------------------------------------------- */

PRL_ASYNC_METHOD(PrlSrv_GetVmListEx)(PRL_HANDLE hServer, PRL_UINT32 nFlags)
{
	return simple(hServer, PJOC_SRV_GET_VM_LIST, nFlags);
}

PRL_ASYNC_METHOD(PrlSrv_GetVmList)(PRL_HANDLE hServer)
{
	return PrlSrv_GetVmListEx(hServer, 0);
}
