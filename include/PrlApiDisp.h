/*
 * PrlApiDisp.h — the dispatcher side of the API: PHT_SERVER (login, session,
 * host configuration and preferences), host hardware descriptions, server
 * info and login responses.
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
#ifndef OPENPRL_PRLAPIDISP_H
#define OPENPRL_PRLAPIDISP_H

#include "PrlTypes.h"
#include "PrlErrors.h"
#include "PrlEnums.h"
#include "PrlApiVersion.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- PHT_SERVER -------------------------------------------------------- */

/* Creates an unconnected PHT_SERVER; the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrv_Create, (PRL_HANDLE_PTR handle))

/* Connects and logs in to a dispatcher over TCP; the job result is a login response. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrv_Login,
	(PRL_HANDLE hServer, PRL_CONST_STR host, PRL_CONST_STR user,
	 PRL_CONST_STR passwd, PRL_CONST_STR sPrevSessionUuid, PRL_UINT32 port_cmd,
	 PRL_UINT32 timeout, PRL_SECURITY_LEVEL security_level))

/* PrlSrv_Login with PACF_* flags. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_3, PrlSrv_LoginEx,
	(PRL_HANDLE hServer, PRL_CONST_STR host, PRL_CONST_STR user,
	 PRL_CONST_STR passwd, PRL_CONST_STR sPrevSessionUuid, PRL_UINT32 port_cmd,
	 PRL_UINT32 timeout, PRL_SECURITY_LEVEL security_level, PRL_UINT32 flags))

/* Logs in to the dispatcher on this host as the calling user. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrv_LoginLocal,
	(PRL_HANDLE hServer, PRL_CONST_STR sPrevSessionUuid, PRL_UINT32 port,
	 PRL_SECURITY_LEVEL security_level))

/* PrlSrv_LoginLocal with PACF_* flags. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_3, PrlSrv_LoginLocalEx,
	(PRL_HANDLE hServer, PRL_CONST_STR sPrevSessionUuid, PRL_UINT32 port,
	 PRL_SECURITY_LEVEL security_level, PRL_UINT32 flags))

/* Ends the session and closes the connection. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrv_Logoff, (PRL_HANDLE hServer))

/* Adds (handler, userData) to receive every event and job of this server. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrv_RegEventHandler,
	(PRL_HANDLE hServer, PRL_EVENT_HANDLER_PTR handler, PRL_VOID_PTR userData))

/* Removes the (handler, userData) pair added by PrlSrv_RegEventHandler. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrv_UnregEventHandler,
	(PRL_HANDLE hServer, PRL_EVENT_HANDLER_PTR handler, PRL_VOID_PTR userData))

/* Returns a handles list of pending questions; the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrv_GetQuestions,
	(PRL_HANDLE hServer, PRL_HANDLE_PTR pQuestionsList))

/* Switches the session between interactive and non-interactive mode. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlSrv_SetNonInteractiveSession,
	(PRL_HANDLE hServer, PRL_BOOL bNonInteractive, PRL_UINT32 nFlags))

/* Fetches the host hardware configuration (PHT_SERVER_CONFIG in the result). */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrv_GetSrvConfig, (PRL_HANDLE hServer))

/* Fetches the dispatcher preferences (PHT_DISP_CONFIG in the result). */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrv_GetCommonPrefs,
	(PRL_HANDLE hServer))

/* Marks the start of a dispatcher-preferences edit. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrv_CommonPrefsBeginEdit,
	(PRL_HANDLE hServer))

/* Saves edited dispatcher preferences; fails on a concurrent edit. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrv_CommonPrefsCommit,
	(PRL_HANDLE hServer, PRL_HANDLE hDispCfg))

/* Tells whether the server handle is connected and whether locally. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrv_IsConnected,
	(PRL_HANDLE hServer, PRL_BOOL_PTR pbConnected,
	 PRL_BOOL_PTR pbIsConnectionLocal))

/* Returns the PHT_SERVER_INFO cached at login; the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrv_GetServerInfo,
	(PRL_HANDLE hServer, PRL_HANDLE_PTR phServerInfo))

/* Asks the dispatcher to shut down, forcibly or not. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrv_Shutdown,
	(PRL_HANDLE hServer, PRL_BOOL bForceShutdown))

/* Fetches the license (PHT_LICENSE in the result). */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrv_GetLicenseInfo,
	(PRL_HANDLE hServer))

/* Sends an answer event built with PrlEvent_CreateAnswerEvent. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrv_SendAnswer,
	(PRL_HANDLE hServer, PRL_HANDLE hAnswer))

/* ---- PHT_SERVER_CONFIG: host hardware ---------------------------------- */

/* Reports the host RAM size in megabytes. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrvCfg_GetHostRamSize,
	(PRL_HANDLE hSrvConfig, PRL_UINT32_PTR pnHostRamSize))

/* Copies the host CPU model string. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrvCfg_GetCpuModel,
	(PRL_HANDLE hSrvConfig, PRL_STR sCpuModel, PRL_UINT32_PTR pnCpuModelBufLength))

/* Reports the number of host CPUs. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrvCfg_GetCpuCount,
	(PRL_HANDLE hSrvConfig, PRL_UINT32_PTR pnCpuCount))

/* Reports the host CPU speed in MHz. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrvCfg_GetCpuSpeed,
	(PRL_HANDLE hSrvConfig, PRL_UINT32_PTR pnCpuSpeed))

/* Reports the host OS family (PHO_*). */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrvCfg_GetHostOsType,
	(PRL_HANDLE hSrvConfig, PRL_HOST_OS_TYPE_PTR pnHostOsType))

/* Reports the host OS major version. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrvCfg_GetHostOsMajor,
	(PRL_HANDLE hSrvConfig, PRL_UINT32_PTR pnHostOsMajor))

/* Reports the host OS minor version. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrvCfg_GetHostOsMinor,
	(PRL_HANDLE hSrvConfig, PRL_UINT32_PTR pnHostOsMinor))

/* Reports the host OS sub-minor version. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrvCfg_GetHostOsSubMinor,
	(PRL_HANDLE hSrvConfig, PRL_UINT32_PTR pnHostOsSubMinor))

/* Copies a one-line description of the host OS. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrvCfg_GetHostOsStrPresentation,
	(PRL_HANDLE hSrvConfig, PRL_STR sHostOsStrPresentation,
	 PRL_UINT32_PTR pnHostOsStrPresentationBufLength))

/* Copies the host name. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlSrvCfg_GetHostname,
	(PRL_HANDLE hSrvConfig, PRL_STR sHostname, PRL_UINT32_PTR pnHostnameBufLength))

/* Counts the host hard disks. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrvCfg_GetHardDisksCount,
	(PRL_HANDLE hSrvConfig, PRL_UINT32_PTR pnHardDisksCount))

/* Returns a host hard disk (PHT_HW_HARD_DISK); the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrvCfg_GetHardDisk,
	(PRL_HANDLE hSrvConfig, PRL_UINT32 nIndex, PRL_HANDLE_PTR phDevice))

/* Counts the host network adapters. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrvCfg_GetNetAdaptersCount,
	(PRL_HANDLE hSrvConfig, PRL_UINT32_PTR pnNetAdaptersCount))

/* Returns a host network adapter (PHT_HW_NET_ADAPTER); the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrvCfg_GetNetAdapter,
	(PRL_HANDLE hSrvConfig, PRL_UINT32 nIndex, PRL_HANDLE_PTR phDevice))

/* Returns the host CPU mode (PRL_CPU_MODE). */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrvCfg_GetCpuMode,
	(PRL_HANDLE hSrvConfig, PRL_CPU_MODE_PTR pnCpuMode))

/* Copies the host's default IPv4 gateway. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrvCfg_GetDefaultGateway,
	(PRL_HANDLE hSrvConfig, PRL_STR sDefaultGateway,
	 PRL_UINT32_PTR pnDefaultGatewayBufLength))

/* Returns the host's DNS servers as a new PHT_STRINGS_LIST; the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrvCfg_GetDnsServers,
	(PRL_HANDLE hSrvConfig, PRL_HANDLE_PTR phDnsServersList))

/* Counts the host optical drives. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrvCfg_GetOpticalDisksCount,
	(PRL_HANDLE hSrvConfig, PRL_UINT32_PTR pnOpticalDisksCount))

/* Returns a host optical drive (PHT_HW_GENERIC_DEVICE); the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrvCfg_GetOpticalDisk,
	(PRL_HANDLE hSrvConfig, PRL_UINT32 nIndex, PRL_HANDLE_PTR phDevice))

/* ---- PHT_HW_GENERIC_DEVICE and descendants ----------------------------- */

/* Copies the name of a host device. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrvCfgDev_GetName,
	(PRL_HANDLE hGenericDevice, PRL_STR sDevName,
	 PRL_UINT32_PTR pnDevNameBufLength))

/* Copies the system id of a host device. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrvCfgDev_GetId,
	(PRL_HANDLE hGenericDevice, PRL_STR sDevId, PRL_UINT32_PTR pnDevIdBufLength))

/* Reports the PDE_* type of a host device. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrvCfgDev_GetType,
	(PRL_HANDLE hGenericDevice, PRL_DEVICE_TYPE_PTR pnDevType))

/* ---- PHT_DISP_CONFIG: dispatcher preferences --------------------------- */

/* Copies the directory where new VMs are created. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlDispCfg_GetDefaultVmDir,
	(PRL_HANDLE hDispConfig, PRL_STR sDefaultVmDir,
	 PRL_UINT32_PTR pnDefaultVmDirBufLength))

/* Reports the lowest security level the dispatcher accepts. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlDispCfg_GetMinSecurityLevel,
	(PRL_HANDLE hDispConfig, PRL_SECURITY_LEVEL_PTR pnMinSecurityLevel))

/* ---- PHT_SERVER_INFO --------------------------------------------------- */

/* Copies the dispatcher host name. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrvInfo_GetHostName,
	(PRL_HANDLE hServerInfo, PRL_STR sHostName, PRL_UINT32_PTR pnHostNameBufLength))

/* Copies the dispatcher host OS version. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrvInfo_GetOsVersion,
	(PRL_HANDLE hServerInfo, PRL_STR sOsVersion,
	 PRL_UINT32_PTR pnOsVersionBufLength))

/* Reports the dispatcher TCP port. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrvInfo_GetCmdPort,
	(PRL_HANDLE hServerInfo, PRL_UINT32_PTR pnPort))

/* Copies the dispatcher UUID. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrvInfo_GetServerUuid,
	(PRL_HANDLE hServerInfo, PRL_STR sServerUuid,
	 PRL_UINT32_PTR pnServerUuidBufLength))

/* Copies the dispatcher product version. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrvInfo_GetProductVersion,
	(PRL_HANDLE hServerInfo, PRL_STR sProductVersion,
	 PRL_UINT32_PTR pnProductVersionBufLength))

/* ---- PHT_LOGIN_RESPONSE ------------------------------------------------ */

/* Copies the session UUID given at login. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlLoginResponse_GetSessionUuid,
	(PRL_HANDLE hLoginResp, PRL_STR sSessionUuid,
	 PRL_UINT32_PTR pnSessionUuidBufLength))

/* Copies the server UUID given at login. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlLoginResponse_GetServerUuid,
	(PRL_HANDLE hLoginResp, PRL_STR sServerUuid,
	 PRL_UINT32_PTR pnServerUuidBufLength))

/* Copies the host OS version given at login. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlLoginResponse_GetHostOsVersion,
	(PRL_HANDLE hLoginResp, PRL_STR sHostOsVersion,
	 PRL_UINT32_PTR pnHostOsVersionBufLength))

/* Copies the product version given at login. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlLoginResponse_GetProductVersion,
	(PRL_HANDLE hLoginResp, PRL_STR sProductVersion,
	 PRL_UINT32_PTR pnProductVersionBufLength))

#ifdef __cplusplus
}
#endif
#endif /* OPENPRL_PRLAPIDISP_H */
