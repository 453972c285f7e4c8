/*
 * PrlApiDeprecated.h — functions the SDK keeps for compatibility but no longer
 * recommends: most PHT_SYSTEM_STATISTICS getters (swap, dispatcher uptime,
 * network interfaces, user sessions, disks and partitions, processes) and
 * PrlVmCfg_GetDevsList.  They are fully supported here.
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
#ifndef OPENPRL_PRLAPIDEPRECATED_H
#define OPENPRL_PRLAPIDEPRECATED_H

#include "PrlTypes.h"
#include "PrlErrors.h"
#include "PrlEnums.h"
#include "PrlApiVersion.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- PHT_SYSTEM_STATISTICS --------------------------------------------- */

/* Reports total swap in bytes. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStat_GetTotalSwapSize,
	(PRL_HANDLE hStat, PRL_UINT64_PTR pnSize))

/* Reports used swap in bytes. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStat_GetUsageSwapSize,
	(PRL_HANDLE hStat, PRL_UINT64_PTR pnSize))

/* Reports free swap in bytes. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStat_GetFreeSwapSize,
	(PRL_HANDLE hStat, PRL_UINT64_PTR pnSize))

/* Reports the dispatcher uptime in seconds. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStat_GetDispUptime,
	(PRL_HANDLE hStat, PRL_UINT64_PTR pnUptime))

/* Counts the network-interface samples in a snapshot. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStat_GetIfacesStatsCount,
	(PRL_HANDLE hStat, PRL_UINT32_PTR pnCount))

/* Returns one network-interface sample; the caller frees it. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStat_GetIfaceStat,
	(PRL_HANDLE hStat, PRL_UINT32 nIndex, PRL_HANDLE_PTR phIfaceStat))

/* Counts the user-session samples in a snapshot. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStat_GetUsersStatsCount,
	(PRL_HANDLE hStat, PRL_UINT32_PTR pnCount))

/* Returns one user-session sample; the caller frees it. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStat_GetUserStat,
	(PRL_HANDLE hStat, PRL_UINT32 nIndex, PRL_HANDLE_PTR phUserStat))

/* Counts the disk samples in a snapshot. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStat_GetDisksStatsCount,
	(PRL_HANDLE hStat, PRL_UINT32_PTR pnCount))

/* Returns one disk sample; the caller frees it. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStat_GetDiskStat,
	(PRL_HANDLE hStat, PRL_UINT32 nIndex, PRL_HANDLE_PTR phDiskStat))

/* Counts the process samples in a snapshot. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStat_GetProcsStatsCount,
	(PRL_HANDLE hStat, PRL_UINT32_PTR pnCount))

/* Returns one process sample; the caller frees it. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStat_GetProcStat,
	(PRL_HANDLE hStat, PRL_UINT32 nIndex, PRL_HANDLE_PTR phProcStat))

/* ---- PHT_SYSTEM_STATISTICS_IFACE --------------------------------------- */

/* Copies the interface name (e.g. eth0). */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatIface_GetSystemName,
	(PRL_HANDLE hIfaceStat, PRL_STR sSystemName,
	 PRL_UINT32_PTR pnSystemNameBufLength))

/* Reports bytes received by the interface. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatIface_GetInDataSize,
	(PRL_HANDLE hIfaceStat, PRL_UINT64_PTR pnDataSize))

/* Reports bytes sent by the interface. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatIface_GetOutDataSize,
	(PRL_HANDLE hIfaceStat, PRL_UINT64_PTR pnDataSize))

/* Reports packets received by the interface. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatIface_GetInPkgsCount,
	(PRL_HANDLE hIfaceStat, PRL_UINT64_PTR pnPkgsCount))

/* Reports packets sent by the interface. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatIface_GetOutPkgsCount,
	(PRL_HANDLE hIfaceStat, PRL_UINT64_PTR pnPkgsCount))

/* ---- PHT_SYSTEM_STATISTICS_USER_SESSION -------------------------------- */

/* Copies the session's user name. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatUser_GetUserName,
	(PRL_HANDLE hUserStat, PRL_STR sUserName, PRL_UINT32_PTR pnUserNameBufLength))

/* Copies the service that opened the session. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatUser_GetServiceName,
	(PRL_HANDLE hUserStat, PRL_STR sServiceName,
	 PRL_UINT32_PTR pnServiceNameBufLength))

/* Copies the host the session came from. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatUser_GetHostName,
	(PRL_HANDLE hUserStat, PRL_STR sHostName, PRL_UINT32_PTR pnHostNameBufLength))

/* Reports the session length in seconds. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatUser_GetSessionTime,
	(PRL_HANDLE hUserStat, PRL_UINT64_PTR pnTime))

/* ---- PHT_SYSTEM_STATISTICS_DISK ---------------------------------------- */

/* Copies the disk device name. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatDisk_GetSystemName,
	(PRL_HANDLE hDiskStat, PRL_STR sSystemName,
	 PRL_UINT32_PTR pnSystemNameBufLength))

/* Reports used space on the disk in bytes. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatDisk_GetUsageDiskSpace,
	(PRL_HANDLE hDiskStat, PRL_UINT64_PTR pnSize))

/* Reports free space on the disk in bytes. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatDisk_GetFreeDiskSpace,
	(PRL_HANDLE hDiskStat, PRL_UINT64_PTR pnSize))

/* Counts the partition samples of a disk. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatDisk_GetPartsStatsCount,
	(PRL_HANDLE hDiskStat, PRL_UINT32_PTR pnCount))

/* Returns one partition sample; the caller frees it. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatDisk_GetPartStat,
	(PRL_HANDLE hDiskStat, PRL_UINT32 nIndex, PRL_HANDLE_PTR phPartStat))

/* ---- PHT_SYSTEM_STATISTICS_DISK_PARTITION ------------------------------ */

/* Copies the partition device name. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatDiskPart_GetSystemName,
	(PRL_HANDLE hPartStat, PRL_STR sSystemName,
	 PRL_UINT32_PTR pnSystemNameBufLength))

/* Reports used space on the partition in bytes. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatDiskPart_GetUsageDiskSpace,
	(PRL_HANDLE hPartStat, PRL_UINT64_PTR pnSize))

/* Reports free space on the partition in bytes. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatDiskPart_GetFreeDiskSpace,
	(PRL_HANDLE hPartStat, PRL_UINT64_PTR pnSize))

/* ---- PHT_SYSTEM_STATISTICS_PROCESS ------------------------------------- */

/* Copies the process command name. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatProc_GetCommandName,
	(PRL_HANDLE hProcStat, PRL_STR sCommandName,
	 PRL_UINT32_PTR pnCommandNameBufLength))

/* Reports the process id. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatProc_GetId,
	(PRL_HANDLE hProcStat, PRL_UINT32_PTR pnId))

/* Copies the name of the process owner. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatProc_GetOwnerUserName,
	(PRL_HANDLE hProcStat, PRL_STR sOwnerName, PRL_UINT32_PTR pnOwnerNameBufLength))

/* Reports the process total memory in bytes. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatProc_GetTotalMemUsage,
	(PRL_HANDLE hProcStat, PRL_UINT64_PTR pnSize))

/* Reports the process resident memory in bytes. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatProc_GetRealMemUsage,
	(PRL_HANDLE hProcStat, PRL_UINT64_PTR pnSize))

/* Reports the process virtual memory in bytes. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatProc_GetVirtMemUsage,
	(PRL_HANDLE hProcStat, PRL_UINT64_PTR pnSize))

/* Reports when the process started. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatProc_GetStartTime,
	(PRL_HANDLE hProcStat, PRL_UINT64_PTR pnTime))

/* Reports the process total CPU time in seconds. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatProc_GetTotalTime,
	(PRL_HANDLE hProcStat, PRL_UINT64_PTR pnTime))

/* Reports the process user CPU time in seconds. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatProc_GetUserTime,
	(PRL_HANDLE hProcStat, PRL_UINT64_PTR pnTime))

/* Reports the process system CPU time in seconds. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatProc_GetSystemTime,
	(PRL_HANDLE hProcStat, PRL_UINT64_PTR pnTime))

/* Reports the process state (PPS_*). */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatProc_GetState,
	(PRL_HANDLE hProcStat, PRL_PROCESS_STATE_TYPE_PTR pnState))

/* Reports the process CPU usage in percent. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatProc_GetCpuUsage,
	(PRL_HANDLE hProcStat, PRL_UINT32_PTR pnPercents))

/* ---- PHT_VM_CONFIGURATION ---------------------------------------------- */

/* Fills a caller array with new device handles; the caller frees each. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlVmCfg_GetDevsList,
	(PRL_HANDLE hVmCfg, PRL_HANDLE_PTR vmdev_handles,
	 PRL_UINT32_PTR vmdev_handles_count))

#ifdef __cplusplus
}
#endif
#endif /* OPENPRL_PRLAPIDEPRECATED_H */
