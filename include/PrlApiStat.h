/*
 * PrlApiStat.h — statistics: the host statistics and performance-counter jobs of
 * PHT_SERVER, and the RAM, uptime and per-CPU getters of a
 * PHT_SYSTEM_STATISTICS snapshot.  Swap, disk, interface, process and
 * user-session getters live in PrlApiDeprecated.h, as in the SDK this is
 * compatible with.  RAM and swap sizes are bytes, times are seconds.
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
#ifndef OPENPRL_PRLAPISTAT_H
#define OPENPRL_PRLAPISTAT_H

#include "PrlTypes.h"
#include "PrlErrors.h"
#include "PrlEnums.h"
#include "PrlApiVersion.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- PHT_SERVER: statistics jobs --------------------------------------- */

/* Takes one host statistics snapshot (PHT_SYSTEM_STATISTICS in the result). */
PRL_ASYNC_SRV_METHOD_DECL(PARALLELS_API_VER_1, PrlSrv_GetStatistics, (PRL_HANDLE hServer))

/* Starts PET_DSP_EVT_HOST_STATISTICS_UPDATED events for this session. */
PRL_ASYNC_SRV_METHOD_DECL(PARALLELS_API_VER_1, PrlSrv_SubscribeToHostStatistics,
	(PRL_HANDLE hServer))

/* Stops the host statistics events. */
PRL_ASYNC_SRV_METHOD_DECL(PARALLELS_API_VER_1, PrlSrv_UnsubscribeFromHostStatistics,
	(PRL_HANDLE hServer))

/* Starts host performance-counter events matching sFilter. */
PRL_ASYNC_SRV_METHOD_DECL(PARALLELS_API_VER_2, PrlSrv_SubscribeToPerfStats,
	(PRL_HANDLE hServer, PRL_CONST_STR sFilter))

/* Stops the host performance-counter events. */
PRL_ASYNC_SRV_METHOD_DECL(PARALLELS_API_VER_2, PrlSrv_UnsubscribeFromPerfStats,
	(PRL_HANDLE hServer))

/* Reads host performance counters matching sFilter once (a PHT_EVENT in the result). */
PRL_ASYNC_SRV_METHOD_DECL(PARALLELS_API_VER_2, PrlSrv_GetPerfStats,
	(PRL_HANDLE hServer, PRL_CONST_STR sFilter))

/* ---- PHT_SYSTEM_STATISTICS --------------------------------------------- */

/* Reports total RAM in bytes. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStat_GetTotalRamSize,
	(PRL_HANDLE hStat, PRL_UINT64_PTR pnSize))

/* Reports used RAM in bytes. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStat_GetUsageRamSize,
	(PRL_HANDLE hStat, PRL_UINT64_PTR pnSize))

/* Reports free RAM in bytes. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStat_GetFreeRamSize,
	(PRL_HANDLE hStat, PRL_UINT64_PTR pnSize))

/* Reports RAM really occupied by the VM, in bytes. */
PRL_METHOD_DECL(PARALLELS_API_VER_5, PrlStat_GetRealRamSize,
	(PRL_HANDLE hStat, PRL_UINT64_PTR pnSize))

/* Reports the OS uptime in seconds. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStat_GetOsUptime,
	(PRL_HANDLE hStat, PRL_UINT64_PTR pnUptime))

/* Counts the per-CPU samples in a snapshot. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStat_GetCpusStatsCount,
	(PRL_HANDLE hStat, PRL_UINT32_PTR pnCount))

/* Returns one CPU sample; the caller frees it. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStat_GetCpuStat,
	(PRL_HANDLE hStat, PRL_UINT32 nIndex, PRL_HANDLE_PTR phCpuStat))

/* ---- PHT_SYSTEM_STATISTICS_CPU ----------------------------------------- */

/* Reports a CPU's usage in percent. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatCpu_GetCpuUsage,
	(PRL_HANDLE hCpuStat, PRL_UINT32_PTR pnPercents))

/* Reports a CPU's total time in seconds. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatCpu_GetTotalTime,
	(PRL_HANDLE hCpuStat, PRL_UINT64_PTR pnTime))

/* Reports a CPU's user time in seconds. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatCpu_GetUserTime,
	(PRL_HANDLE hCpuStat, PRL_UINT64_PTR pnTime))

/* Reports a CPU's system time in seconds. */
PRL_METHOD_DECL(PARALLELS_API_VER_1, PrlStatCpu_GetSystemTime,
	(PRL_HANDLE hCpuStat, PRL_UINT64_PTR pnTime))

#ifdef __cplusplus
}
#endif
#endif /* OPENPRL_PRLAPISTAT_H */
