/*
 * PrlApiVm.h — virtual machines: the server calls that list, find, create and
 * register VMs, the VM life cycle and configuration edits, guest sessions,
 * the configuration getters and setters (PrlVmCfg_*), virtual devices,
 * boot order, VM info and search results.
 *
 * A PHT_VIRTUAL_MACHINE handle is also its own configuration
 * (PHT_VM_CONFIGURATION has the same value): PrlVmCfg_* accept it directly.
 * Setters change the local copy only; PrlVm_BeginEdit / PrlVm_Commit persist.
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
#ifndef OPENPRL_PRLAPIVM_H
#define OPENPRL_PRLAPIVM_H

#include "PrlTypes.h"
#include "PrlErrors.h"
#include "PrlEnums.h"
#include "PrlApiVersion.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Parameter block of PrlSrv_GetDefaultVmConfig ---------------------- */

/* Which kind of default configuration to build (packed, as on the wire of
 * the SDK this is compatible with). */
#ifndef PRL_GET_VM_CONFIG_PARAM_DATA_DEFINED
#define PRL_GET_VM_CONFIG_PARAM_DATA_DEFINED 1
typedef struct _PRL_GET_VM_CONFIG_PARAM_DATA {
	PRL_VM_TYPE   nVmType;        /* PVT_VM or PVT_CT */
	PRL_CONST_STR sConfigSample;  /* sample name, or NULL */
	PRL_UINT32    nOsVersion;     /* PVS_GUEST_VER_*, or 0 */
} PRL_STRUCT(PRL_GET_VM_CONFIG_PARAM_DATA);
typedef PRL_GET_VM_CONFIG_PARAM_DATA       *PRL_GET_VM_CONFIG_PARAM_DATA_PTR;
typedef const PRL_GET_VM_CONFIG_PARAM_DATA *PRL_CONST_GET_VM_CONFIG_PARAM_DATA_PTR;
#endif

/* ---- PHT_SERVER: listing, finding and registering VMs ------------------ */

/* Registers an existing VM bundle; the result holds the new VM handle. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrv_RegisterVm,
	(PRL_HANDLE hServer, PRL_CONST_STR strVmDirPath, PRL_BOOL bNonInteractiveMode))

/* PrlSrv_RegisterVm with PRVF_* and PACF_* flags. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlSrv_RegisterVmEx,
	(PRL_HANDLE hServer, PRL_CONST_STR strVmDirPath, PRL_UINT32 nFlags))

/* Registers a VM bundle under a caller-chosen UUID. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_5, PrlSrv_RegisterVmWithUuid,
	(PRL_HANDLE hServer, PRL_CONST_STR strVmDirPath, PRL_CONST_STR strVmUuid,
	 PRL_UINT32 nFlags))

/* Creates a new local, unregistered VM object; the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrv_CreateVm,
	(PRL_HANDLE hServer, PRL_HANDLE_PTR phVm))

/* Lists the registered VMs (one PHT_VIRTUAL_MACHINE per result item). */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrv_GetVmList, (PRL_HANDLE hServer))

/* PrlSrv_GetVmList with PGVLF_* and PVTF_* filter flags. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_3, PrlSrv_GetVmListEx,
	(PRL_HANDLE hServer, PRL_UINT32 nFlags))

/* Fetches a default configuration for a new VM of the given kind. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_3, PrlSrv_GetDefaultVmConfig,
	(PRL_HANDLE hServer, PRL_CONST_GET_VM_CONFIG_PARAM_DATA_PTR pParam,
	 PRL_UINT32 nFlags))

/* Searches the listed paths for unregistered VM bundles. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlSrv_StartSearchVms,
	(PRL_HANDLE hServer, PRL_HANDLE hStringsList))

/* Fetches one VM by name or UUID (PHT_VIRTUAL_MACHINE in the result). */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_5, PrlSrv_GetVmConfig,
	(PRL_HANDLE hServer, PRL_CONST_STR sSearchId, PRL_UINT32 nFlags))

/* ---- PHT_VIRTUAL_MACHINE: life cycle and jobs -------------------------- */

/* Starts the VM. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVm_Start, (PRL_HANDLE hVm))

/* Starts the VM in a PSM_* mode. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlVm_StartEx,
	(PRL_HANDLE hVm, PRL_UINT32 nStartMode, PRL_UINT32 nReserved))

/* Restarts the guest OS. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlVm_Restart, (PRL_HANDLE hVm))

/* Stops the VM, gracefully or by power-off. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVm_Stop,
	(PRL_HANDLE hVm, PRL_BOOL bGraceful))

/* Stops the VM in a PSM_* mode with PSF_* flags. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_3, PrlVm_StopEx,
	(PRL_HANDLE hVm, PRL_UINT32 nStopMode, PRL_UINT32 nFlags))

/* Pauses the VM. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVm_Pause,
	(PRL_HANDLE hVm, PRL_BOOL bAcpi))

/* Resets the VM. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVm_Reset, (PRL_HANDLE hVm))

/* Applies access rights (PHT_ACCESS_RIGHTS, PrlAcl_SetAccessForOthers) to
 * the VM; the caller must own it. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVm_UpdateSecurity,
	(PRL_HANDLE hVm, PRL_HANDLE hAccessRights))

/* Suspends the VM to disk. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVm_Suspend, (PRL_HANDLE hVm))

/* Resumes a suspended VM (reported as PJOC_VM_START). */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVm_Resume, (PRL_HANDLE hVm))

/* Discards the saved state of a suspended VM. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVm_DropSuspendedState, (PRL_HANDLE hVm))

/* Takes a snapshot with a name and description. */
PRL_ASYNC_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlVm_CreateSnapshot,
	(PRL_HANDLE hVm, PRL_CONST_STR sName, PRL_CONST_STR sDescription))

/* Fetches the snapshot tree as XML text. */
PRL_ASYNC_METHOD_DECL(VIRTUOZZO_API_VER_3, PrlVm_GetSnapshotsTreeEx,
	(PRL_HANDLE hVm, PRL_UINT32 nFlags))

/* Reverts the VM to a snapshot. */
PRL_ASYNC_METHOD_DECL(VIRTUOZZO_API_VER_5, PrlVm_SwitchToSnapshotEx,
	(PRL_HANDLE hVm, PRL_CONST_STR sSnapshotUuid, PRL_UINT32 nFlags))

/* Deletes a snapshot, optionally with its children. */
PRL_ASYNC_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlVm_DeleteSnapshot,
	(PRL_HANDLE hVm, PRL_CONST_STR sSnapshotUuid, PRL_BOOL bChild))

/* Clones the VM under a new name, optionally as a template. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVm_Clone,
	(PRL_HANDLE hVm, PRL_CONST_STR new_vm_name, PRL_CONST_STR new_vm_root_path,
	 PRL_BOOL bCreateTemplate))

/* Clones the VM under a new name and a caller-chosen UUID. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_7, PrlVm_CloneWithUuid,
	(PRL_HANDLE hVm, PRL_CONST_STR new_vm_name, PRL_CONST_STR new_vm_uuid,
	 PRL_CONST_STR new_vm_root_path, PRL_UINT32 nFlags))

/* Clones the VM with PCVF_* flags. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlVm_CloneEx,
	(PRL_HANDLE hVm, PRL_CONST_STR new_vm_name, PRL_CONST_STR new_vm_root_path,
	 PRL_UINT32 nFlags))

/* Migrates the VM to another host under a new name. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlVm_MigrateWithRenameEx,
	(PRL_HANDLE hVm, PRL_CONST_STR target_host, PRL_UINT32 target_port,
	 PRL_CONST_STR target_session_id, PRL_CONST_STR target_name,
	 PRL_CONST_STR target_home_path, PRL_UINT32 migration_flags,
	 PRL_UINT32 reserved_flags, PRL_BOOL force_operation))

/* Unregisters the VM and deletes its files (or only the listed ones). */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVm_Delete,
	(PRL_HANDLE hVm, PRL_HANDLE hDevicesList))

/* Fetches the VM state (PHT_VM_INFO in the result). */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVm_GetState, (PRL_HANDLE hVm))

/* Reloads the local VM object from the dispatcher, dropping local edits. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVm_RefreshConfig, (PRL_HANDLE hVm))

/* PrlVm_RefreshConfig with flags. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVm_RefreshConfigEx,
	(PRL_HANDLE hVm, PRL_UINT32 nFlags))

/* Opens a guest OS session (PHT_VM_GUEST_SESSION in the result). */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlVm_LoginInGuest,
	(PRL_HANDLE hVm, PRL_CONST_STR sUserName, PRL_CONST_STR sUserPassword,
	 PRL_UINT32 nFlags))

/* Returns the VM's configuration (the same object, +1 ref); the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVm_GetConfig,
	(PRL_HANDLE hVm, PRL_HANDLE_PTR phVmCfg))

/* Takes one guest statistics snapshot (PHT_SYSTEM_STATISTICS in the result). */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVm_GetStatistics, (PRL_HANDLE hVm))

/* PrlVm_GetStatistics with flags. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_4, PrlVm_GetStatisticsEx,
	(PRL_HANDLE hVm, PRL_UINT32 nFlags))

/* Starts PET_DSP_EVT_VM_STATISTICS_UPDATED events for this VM. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVm_SubscribeToGuestStatistics,
	(PRL_HANDLE hVm))

/* Stops the guest statistics events. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVm_UnsubscribeFromGuestStatistics,
	(PRL_HANDLE hVm))

/* Starts VM performance-counter events matching sFilter. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlVm_SubscribeToPerfStats,
	(PRL_HANDLE hVm, PRL_CONST_STR sFilter))

/* Stops the VM performance-counter events. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlVm_UnsubscribeFromPerfStats,
	(PRL_HANDLE hVm))

/* Reads VM performance counters matching sFilter once (a PHT_EVENT in the result). */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlVm_GetPerfStats,
	(PRL_HANDLE hVm, PRL_CONST_STR sFilter))

/* Creates and registers a new VM from the local object, with flags. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_4, PrlVm_RegEx,
	(PRL_HANDLE hVm, PRL_CONST_STR sVmParentPath, PRL_UINT32 nFlags))

/* Creates and registers a new VM from the local object. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVm_Reg,
	(PRL_HANDLE hVm, PRL_CONST_STR sVmParentPath, PRL_BOOL bNonInteractiveMode))

/* Unregisters the VM and keeps its files. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVm_Unreg, (PRL_HANDLE hVm))

/* Reloads the configuration and marks the start of an edit. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVm_BeginEdit, (PRL_HANDLE hVm))

/* Saves the edited configuration; fails if someone else committed first. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVm_Commit, (PRL_HANDLE hVm))

/* PrlVm_Commit with flags. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_3, PrlVm_CommitEx,
	(PRL_HANDLE hVm, PRL_UINT32 nFlags))

/* Adds (handler, userData) to receive the events of this VM only. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVm_RegEventHandler,
	(PRL_HANDLE hObj, PRL_EVENT_HANDLER_PTR handler, PRL_VOID_PTR userData))

/* Removes the (handler, userData) pair added by PrlVm_RegEventHandler. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVm_UnregEventHandler,
	(PRL_HANDLE hObj, PRL_EVENT_HANDLER_PTR handler, PRL_VOID_PTR userData))

/* Opens the remote-display channel to the VM. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_5, PrlVm_Connect,
	(PRL_HANDLE hObj, PRL_UINT32 nFlags))

/* Closes the remote-display channel to the VM. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_5, PrlVm_Disconnect, (PRL_HANDLE hObj))

/* Sets a guest OS user's password. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_7, PrlVm_SetUserPasswd,
	(PRL_HANDLE hVm, PRL_CONST_STR sUserName, PRL_CONST_STR sUserPasswd,
	 PRL_UINT32 nFlags))

/* ---- PHT_VM_GUEST_SESSION ---------------------------------------------- */

/* Closes a guest OS session. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlVmGuest_Logout,
	(PRL_HANDLE hVmGuest, PRL_UINT32 nReserved))

/* Runs a program in the guest with arguments, environment and optional fds. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlVmGuest_RunProgram,
	(PRL_HANDLE hVmGuest, PRL_CONST_STR sAppName, PRL_HANDLE hArgsList,
	 PRL_HANDLE hEnvsList, PRL_UINT32 nFlags, PRL_FILE_DESC nStdin,
	 PRL_FILE_DESC nStdout, PRL_FILE_DESC nStderr))

/* ---- PHT_VM_CONFIGURATION (the same object as the VM handle) ----------- */

/* Fills the configuration with defaults for a guest OS version. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_SetDefaultConfig,
	(PRL_HANDLE hVmCfg, PRL_HANDLE hSrvConfig, PRL_UINT32 guestOsVersion,
	 PRL_BOOL needCreateDevices))

/* Reports whether the configuration loaded cleanly (a result code). */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlVmCfg_GetConfigValidity,
	(PRL_HANDLE hVmCfg, PRL_RESULT_PTR pnErrCode))

/* Adds a new device of a type to the configuration; the caller frees the handle. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_CreateVmDev,
	(PRL_HANDLE hVmCfg, PRL_DEVICE_TYPE nDeviceType, PRL_HANDLE_PTR phVmDevice))

/* Counts all devices of the VM. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_GetDevsCount,
	(PRL_HANDLE hVmCfg, PRL_UINT32_PTR vmdev_handles_count))

/* Counts the VM's virtual hard disks. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_GetHardDisksCount,
	(PRL_HANDLE hVmCfg, PRL_UINT32_PTR pnHardDisksCount))

/* Returns a virtual hard disk; the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_GetHardDisk,
	(PRL_HANDLE hVmCfg, PRL_UINT32 nIndex, PRL_HANDLE_PTR phDevice))

/* Counts the VM's virtual optical drives. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_GetOpticalDisksCount,
	(PRL_HANDLE hVmCfg, PRL_UINT32_PTR pnOpticalDisksCount))

/* Returns a virtual optical drive; the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_GetOpticalDisk,
	(PRL_HANDLE hVmCfg, PRL_UINT32 nIndex, PRL_HANDLE_PTR phDevice))

/* Counts the VM's virtual network adapters. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_GetNetAdaptersCount,
	(PRL_HANDLE hVmCfg, PRL_UINT32_PTR pnNetAdaptersCount))

/* Returns a virtual network adapter; the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_GetNetAdapter,
	(PRL_HANDLE hVmCfg, PRL_UINT32 nIndex, PRL_HANDLE_PTR phDevice))

/* Appends a boot-order entry; the caller frees the handle. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_CreateBootDev,
	(PRL_HANDLE hVmCfg, PRL_HANDLE_PTR phVmBootDev))

/* Counts the boot-order entries. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_GetBootDevCount,
	(PRL_HANDLE hVmCfg, PRL_UINT32_PTR pnBootDevCount))

/* Returns a boot-order entry; the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_GetBootDev,
	(PRL_HANDLE hVmCfg, PRL_UINT32 nBootDevIndex, PRL_HANDLE_PTR phVmBootDev))

/* Copies the VM name. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_GetName,
	(PRL_HANDLE hVmCfg, PRL_STR sVmName, PRL_UINT32_PTR pnVmNameBufLength))

/* Sets the VM name. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_SetName,
	(PRL_HANDLE hVmCfg, PRL_CONST_STR sNewVmName))

/* Copies the guest host name. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlVmCfg_GetHostname,
	(PRL_HANDLE hVmCfg, PRL_STR sVmHostname, PRL_UINT32_PTR pnVmHostnameBufLength))

/* Copies the VM UUID in braces. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_GetUuid,
	(PRL_HANDLE hVmCfg, PRL_STR sVmUuid, PRL_UINT32_PTR pnVmUuidBufLength))

/* Sets the VM UUID. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_SetUuid,
	(PRL_HANDLE hVmCfg, PRL_CONST_STR sNewVmUuid))

/* Reports the guest OS family (PVS_GUEST_TYPE_*). */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_GetOsType,
	(PRL_HANDLE hVmCfg, PRL_UINT32_PTR pnVmOsType))

/* Reports the guest OS version (PVS_GUEST_VER_*). */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_GetOsVersion,
	(PRL_HANDLE hVmCfg, PRL_UINT32_PTR pnVmOsVersion))

/* Sets the guest OS version. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_SetOsVersion,
	(PRL_HANDLE hVmCfg, PRL_UINT32 nVmOsVersion))

/* Reports the VM RAM size in megabytes. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_GetRamSize,
	(PRL_HANDLE hVmCfg, PRL_UINT32_PTR pnVmRamSize))

/* Sets the VM RAM size in megabytes. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_SetRamSize,
	(PRL_HANDLE hVmCfg, PRL_UINT32 nVmRamSize))

/* Reports the video RAM size in megabytes. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_GetVideoRamSize,
	(PRL_HANDLE hVmCfg, PRL_UINT32_PTR pnVmVideoRamSize))

/* Sets the video RAM size in megabytes. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_SetVideoRamSize,
	(PRL_HANDLE hVmCfg, PRL_UINT32 nVmVideoRamSize))

/* Reports the number of virtual CPUs. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_GetCpuCount,
	(PRL_HANDLE hVmCfg, PRL_UINT32_PTR pnVmCpuCount))

/* Sets the number of virtual CPUs. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_SetCpuCount,
	(PRL_HANDLE hVmCfg, PRL_UINT32 nVmCpuCount))

/* Reports whether the virtual CPU is 32- or 64-bit. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_GetCpuMode,
	(PRL_HANDLE hVmCfg, PRL_CPU_MODE_PTR pnVmCpuMode))

/* Reports the CPU units (scheduler weight) of the VM. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlVmCfg_GetCpuUnits,
	(PRL_HANDLE hVmCfg, PRL_UINT32_PTR nVmCpuUnits))

/* Sets the host CPUs the VM may run on (e.g. "0,2-3"). */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_3, PrlVmCfg_SetCpuMask,
	(PRL_HANDLE hVmCfg, PRL_CONST_STR sMask))

/* Copies the host CPU affinity mask. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_3, PrlVmCfg_GetCpuMask,
	(PRL_HANDLE hVmCfg, PRL_STR sMask, PRL_UINT32_PTR pnMaskBufLength))

/* Copies the path of the VM bundle. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_GetHomePath,
	(PRL_HANDLE hVmCfg, PRL_STR sHomePath, PRL_UINT32_PTR pnHomePathBufLength))

/* Copies the VM description. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_GetDescription,
	(PRL_HANDLE hVmCfg, PRL_STR sVmDescription,
	 PRL_UINT32_PTR pnVmDescriptionBufLength))

/* Sets the VM description. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_SetDescription,
	(PRL_HANDLE hVmCfg, PRL_CONST_STR sNewVmDescription))

/* Tells whether the VM is a template. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_IsTemplate,
	(PRL_HANDLE hVmCfg, PRL_BOOL_PTR pbVmIsTemplate))

/* Reports the autostart policy (PAO_*). */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_GetAutoStart,
	(PRL_HANDLE hVmCfg, PRL_VM_AUTOSTART_OPTION_PTR pnVmAutoStart))

/* Sets the autostart policy. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_SetAutoStart,
	(PRL_HANDLE hVmCfg, PRL_VM_AUTOSTART_OPTION nVmAutoStart))

/* Reports the VNC server mode. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_GetVNCMode,
	(PRL_HANDLE hVmCfg, PRL_VM_REMOTE_DISPLAY_MODE_PTR pnVmRemoteDisplayMode))

/* Sets the VNC server mode. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_SetVNCMode,
	(PRL_HANDLE hVmCfg, PRL_VM_REMOTE_DISPLAY_MODE nVmRemoteDisplayMode))

/* Sets the VNC password. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_SetVNCPassword,
	(PRL_HANDLE hVmCfg, PRL_CONST_STR sNewVmRemoteDisplayPassword))

/* Copies the address the VNC server listens on. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_GetVNCHostName,
	(PRL_HANDLE hVmCfg, PRL_STR sVmRemoteDisplayHostName,
	 PRL_UINT32_PTR pnVmRemoteDisplayHostNameBufLength))

/* Sets the address the VNC server listens on. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_SetVNCHostName,
	(PRL_HANDLE hVmCfg, PRL_CONST_STR sNewVmRemoteDisplayHostName))

/* Reports the VNC port. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_GetVNCPort,
	(PRL_HANDLE hVmCfg, PRL_UINT32_PTR pnVmRemoteDisplayPort))

/* Sets the VNC port. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmCfg_SetVNCPort,
	(PRL_HANDLE hVmCfg, PRL_UINT32 nVmRemoteDisplayPort))

/* Turns offline management on or off. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlVmCfg_SetOfflineManagementEnabled,
	(PRL_HANDLE hVmCfg, PRL_BOOL bEnabled))

/* Returns the VM state info (PHT_VM_INFO); the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_3, PrlVmCfg_GetVmInfo,
	(PRL_HANDLE hVmCfg, PRL_HANDLE_PTR phVmInfo))

/* Sets whether this is a VM or a container (PVT_*). */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_3, PrlVmCfg_SetVmType,
	(PRL_HANDLE hVmCfg, PRL_VM_TYPE nType))

/* Reports whether this is a VM or a container. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_3, PrlVmCfg_GetVmType,
	(PRL_HANDLE hVmCfg, PRL_VM_TYPE_PTR pnType))

/* Sets the OS template a container is created from. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_3, PrlVmCfg_SetOsTemplate,
	(PRL_HANDLE hVmCfg, PRL_CONST_STR sOsTemplate))

/* Copies the container id. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_5, PrlVmCfg_GetCtId,
	(PRL_HANDLE hVmCfg, PRL_STR sCtId, PRL_UINT32_PTR pnCtIdBufLength))

/* ---- Virtual devices (every PHT_VIRTUAL_DEV_* type) -------------------- */

/* Connects the device while the VM runs. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDev_Connect, (PRL_HANDLE hVmDev))

/* Creates the device's image file on the host. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDev_CreateImage,
	(PRL_HANDLE hVmDev, PRL_BOOL bRecreateIsAllowed, PRL_BOOL bNonInteractiveMode))

/* Resizes the device's disk image to nNewSize megabytes. */
PRL_ASYNC_SRV_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlVmDev_ResizeImage,
	(PRL_HANDLE hVmDev, PRL_UINT32 nNewSize, PRL_UINT32 nFlags))

/* Reports the device index within its type. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDev_GetIndex,
	(PRL_HANDLE hVmDev, PRL_UINT32_PTR pnIndex))

/* Sets the device index within its type. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDev_SetIndex,
	(PRL_HANDLE hVmDev, PRL_UINT32 nIndex))

/* Removes the device from the configuration. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDev_Remove, (PRL_HANDLE hVmDev))

/* Reports the PDE_* type of the device. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDev_GetType,
	(PRL_HANDLE hVmDev, PRL_DEVICE_TYPE_PTR pnDeviceType))

/* Tells whether the device is connected. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDev_IsConnected,
	(PRL_HANDLE hVmDev, PRL_BOOL_PTR pbConnected))

/* Marks the device connected or not. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDev_SetConnected,
	(PRL_HANDLE hVmDev, PRL_BOOL bConnected))

/* Tells whether the device is enabled. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDev_IsEnabled,
	(PRL_HANDLE hVmDev, PRL_BOOL_PTR pbEnabled))

/* Enables or disables the device. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDev_SetEnabled,
	(PRL_HANDLE hVmDev, PRL_BOOL bEnabled))

/* Reports how the device is backed (image, real device, ...). */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDev_GetEmulatedType,
	(PRL_HANDLE hVmDev, PRL_VM_DEV_EMULATION_TYPE_PTR pnEmulatedType))

/* Sets how the device is backed. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDev_SetEmulatedType,
	(PRL_HANDLE hVmDev, PRL_VM_DEV_EMULATION_TYPE nEmulatedType))

/* Copies the path of the device's image. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDev_GetImagePath,
	(PRL_HANDLE hVmDev, PRL_STR sImagePath, PRL_UINT32_PTR pnImagePathBufLength))

/* Sets the path of the device's image. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDev_SetImagePath,
	(PRL_HANDLE hVmDev, PRL_CONST_STR sNewImagePath))

/* Copies the host-side system name of the device. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDev_GetSysName,
	(PRL_HANDLE hVmDev, PRL_STR sSysName, PRL_UINT32_PTR pnSysNameBufLength))

/* Sets the host-side system name of the device. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDev_SetSysName,
	(PRL_HANDLE hVmDev, PRL_CONST_STR sNewSysName))

/* Copies the user-visible device name. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDev_GetFriendlyName,
	(PRL_HANDLE hVmDev, PRL_STR sFriendlyName,
	 PRL_UINT32_PTR pnFriendlyNameBufLength))

/* Sets the user-visible device name. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDev_SetFriendlyName,
	(PRL_HANDLE hVmDev, PRL_CONST_STR sNewFriendlyName))

/* Reports the bus the device sits on (IDE, SCSI, SATA, ...). */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDev_GetIfaceType,
	(PRL_HANDLE hVmDev, PRL_MASS_STORAGE_INTERFACE_TYPE_PTR pnIfaceType))

/* Sets the bus the device sits on. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDev_SetIfaceType,
	(PRL_HANDLE hVmDev, PRL_MASS_STORAGE_INTERFACE_TYPE nIfaceType))

/* Sets the controller model of the device. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_5, PrlVmDev_SetSubType,
	(PRL_HANDLE hVmDev, PRL_CLUSTERED_DEVICE_SUBTYPE nSubType))

/* Reports the device position on its bus. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDev_GetStackIndex,
	(PRL_HANDLE hVmDev, PRL_UINT32_PTR pnStackIndex))

/* Sets the device position on its bus. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDev_SetStackIndex,
	(PRL_HANDLE hVmDev, PRL_UINT32 nStackIndex))

/* ---- PHT_VIRTUAL_DEV_HARD_DISK ----------------------------------------- */

/* Reports whether the disk image is expanding or plain. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDevHd_GetDiskType,
	(PRL_HANDLE hVmDev, PRL_HARD_DISK_INTERNAL_FORMAT_PTR pnDiskType))

/* Sets whether the disk image is expanding or plain. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDevHd_SetDiskType,
	(PRL_HANDLE hVmDev, PRL_HARD_DISK_INTERNAL_FORMAT nDiskType))

/* Reports the disk size in megabytes. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDevHd_GetDiskSize,
	(PRL_HANDLE hVmDev, PRL_UINT32_PTR pnDiskSize))

/* Sets the disk size in megabytes. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDevHd_SetDiskSize,
	(PRL_HANDLE hVmDev, PRL_UINT32 nDiskSize))

/* Sets where a container disk is mounted. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_5, PrlVmDevHd_SetMountPoint,
	(PRL_HANDLE hVmDev, PRL_CONST_STR sMountPoint))

/* Copies where a container disk is mounted. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_5, PrlVmDevHd_GetMountPoint,
	(PRL_HANDLE hVmDev, PRL_STR sMountPoint, PRL_UINT32_PTR pnMountPointBufLength))

/* Copies the storage URL of the disk. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_5, PrlVmDevHd_GetStorageURL,
	(PRL_HANDLE hVmDev, PRL_STR sURL, PRL_UINT32_PTR pnURLBufLength))

/* Sets the storage URL of the disk. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_5, PrlVmDevHd_SetStorageURL,
	(PRL_HANDLE hVmDev, PRL_CONST_STR sURL))

/* Copies the disk serial number. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_7, PrlVmDevHd_GetSerialNumber,
	(PRL_HANDLE hVmDev, PRL_STR sSerialNumber,
	 PRL_UINT32_PTR pnSerialNumberBufLength))

/* Sets the disk serial number. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_7, PrlVmDevHd_SetSerialNumber,
	(PRL_HANDLE hVmDev, PRL_CONST_STR sSerialNumber))

/* ---- PHT_VIRTUAL_DEV_NET_ADAPTER --------------------------------------- */

/* Reports the host adapter index a bridged adapter uses (-1 = default). */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDevNet_GetBoundAdapterIndex,
	(PRL_HANDLE hVmDev, PRL_INT32_PTR pnIndex))

/* Sets the host adapter index a bridged adapter uses. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDevNet_SetBoundAdapterIndex,
	(PRL_HANDLE hVmDev, PRL_INT32 nIndex))

/* Copies the MAC address (12 hex digits, no separators). */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDevNet_GetMacAddress,
	(PRL_HANDLE hVmDev, PRL_STR sMacAddress, PRL_UINT32_PTR pnMacAddressBufLength))

/* Sets the MAC address. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDevNet_SetMacAddress,
	(PRL_HANDLE hVmDev, PRL_CONST_STR sNewMacAddress))

/* Assigns a new unique MAC address. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDevNet_GenerateMacAddr, (PRL_HANDLE hVmDev))

/* Lets the guest tools apply the network settings automatically. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlVmDevNet_SetAutoApply,
	(PRL_HANDLE hVmDev, PRL_BOOL bAutoApply))

/* Returns the "IP/mask" list as a strings list; the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlVmDevNet_GetNetAddresses,
	(PRL_HANDLE hVmDev, PRL_HANDLE_PTR phNetAddressesList))

/* Sets the "IP/mask" list from a strings list. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlVmDevNet_SetNetAddresses,
	(PRL_HANDLE hVmDev, PRL_HANDLE hNetAddressesList))

/* Chooses DHCP or static IPv4 setup in the guest. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlVmDevNet_SetConfigureWithDhcp,
	(PRL_HANDLE hVmDev, PRL_BOOL bConfigureWithDhcp))

/* Chooses DHCP or static IPv6 setup in the guest. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_3, PrlVmDevNet_SetConfigureWithDhcpIPv6,
	(PRL_HANDLE hVmDev, PRL_BOOL bConfigureWithDhcp))

/* Copies the IPv4 default gateway. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlVmDevNet_GetDefaultGateway,
	(PRL_HANDLE hVmDev, PRL_STR sDefaultGateway,
	 PRL_UINT32_PTR pnDefaultGatewayBufLength))

/* Sets the IPv4 default gateway. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlVmDevNet_SetDefaultGateway,
	(PRL_HANDLE hVmDev, PRL_CONST_STR sNewDefaultGateway))

/* Copies the IPv6 default gateway. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_3, PrlVmDevNet_GetDefaultGatewayIPv6,
	(PRL_HANDLE hVmDev, PRL_STR sDefaultGateway,
	 PRL_UINT32_PTR pnDefaultGatewayBufLength))

/* Sets the IPv6 default gateway. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_3, PrlVmDevNet_SetDefaultGatewayIPv6,
	(PRL_HANDLE hVmDev, PRL_CONST_STR sNewDefaultGateway))

/* Copies the virtual network the adapter is attached to. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlVmDevNet_GetVirtualNetworkId,
	(PRL_HANDLE hVmDev, PRL_STR sVirtualNetworkId,
	 PRL_UINT32_PTR pnVirtualNetworkIdBufLength))

/* Attaches the adapter to a virtual network. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlVmDevNet_SetVirtualNetworkId,
	(PRL_HANDLE hVmDev, PRL_CONST_STR sNewVirtualNetworkId))

/* Tells whether MAC spoofing is filtered. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_3, PrlVmDevNet_IsPktFilterPreventMacSpoof,
	(PRL_HANDLE hVmDev, PRL_BOOL_PTR pbPktFilterPreventMacSpoof))

/* Turns MAC spoofing filtering on or off. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_3, PrlVmDevNet_SetPktFilterPreventMacSpoof,
	(PRL_HANDLE hVmDev, PRL_BOOL bPktFilterPreventMacSpoof))

/* Reports the emulated adapter model. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_3, PrlVmDevNet_GetAdapterType,
	(PRL_HANDLE hVmDev, PRL_VM_NET_ADAPTER_TYPE_PTR pnAdapterType))

/* Sets the emulated adapter model. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_3, PrlVmDevNet_SetAdapterType,
	(PRL_HANDLE hVmDev, PRL_VM_NET_ADAPTER_TYPE nAdapterType))

/* Copies the name of the host-side interface. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_5, PrlVmDevNet_GetHostInterfaceName,
	(PRL_HANDLE hVmDev, PRL_STR sHostInterfaceName,
	 PRL_UINT32_PTR pnHostInterfaceNameBufLength))

/* ---- PHT_VIRTUAL_DEV_SERIAL_PORT --------------------------------------- */

/* Reports whether a socket-backed serial port is server or client. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDevSerial_GetSocketMode,
	(PRL_HANDLE hVmDev, PRL_SERIAL_PORT_SOCKET_OPERATION_MODE_PTR pnSocketMode))

/* Sets whether a socket-backed serial port is server or client. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmDevSerial_SetSocketMode,
	(PRL_HANDLE hVmDev, PRL_SERIAL_PORT_SOCKET_OPERATION_MODE nSocketMode))

/* ---- PHT_BOOT_DEVICE --------------------------------------------------- */

/* Removes the entry from the boot order. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlBootDev_Remove, (PRL_HANDLE hVmBootDev))

/* Reports the device type of a boot entry. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlBootDev_GetType,
	(PRL_HANDLE hVmBootDev, PRL_DEVICE_TYPE_PTR pnDevType))

/* Sets the device type of a boot entry. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlBootDev_SetType,
	(PRL_HANDLE hVmBootDev, PRL_DEVICE_TYPE nDevType))

/* Reports the device index of a boot entry. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlBootDev_GetIndex,
	(PRL_HANDLE hVmBootDev, PRL_UINT32_PTR pnDevIndex))

/* Sets the device index of a boot entry. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlBootDev_SetIndex,
	(PRL_HANDLE hVmBootDev, PRL_UINT32 nDevIndex))

/* Reports the position in the boot order (0 boots first). */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlBootDev_GetSequenceIndex,
	(PRL_HANDLE hVmBootDev, PRL_UINT32_PTR pnSequenceIndex))

/* Sets the position in the boot order. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlBootDev_SetSequenceIndex,
	(PRL_HANDLE hVmBootDev, PRL_UINT32 nSequenceIndex))

/* Tells whether the boot entry is enabled. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlBootDev_IsInUse,
	(PRL_HANDLE hVmBootDev, PRL_BOOL_PTR pbInUse))

/* Enables or disables the boot entry. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlBootDev_SetInUse,
	(PRL_HANDLE hVmBootDev, PRL_BOOL bInUse))

/* ---- PHT_VM_INFO ------------------------------------------------------- */

/* Reports the VM state (VMS_*). */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmInfo_GetState,
	(PRL_HANDLE handle, VIRTUAL_MACHINE_STATE_PTR pVmState))

/* Reports the VMAS_* bits (backup, clone, move in progress). */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_2, PrlVmInfo_GetAdditionState,
	(PRL_HANDLE handle, VIRTUAL_MACHINE_ADDITION_STATE_PTR pVmState))

/* Returns the VM access rights (PHT_ACCESS_RIGHTS); the caller frees it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmInfo_GetAccessRights,
	(PRL_HANDLE hVmInfo, PRL_HANDLE_PTR phVmAcl))

/* ---- PHT_ACCESS_RIGHTS ---------------------------------------------------- */

/* What users other than the owner may do with the VM (PAO_VM_*). */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlAcl_GetAccessForOthers,
	(PRL_HANDLE hAcl, PRL_VM_ACCESS_FOR_OTHERS_PTR pnAccessForOthers))

/* Changes this object's access for others; PrlVm_UpdateSecurity applies it. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlAcl_SetAccessForOthers,
	(PRL_HANDLE hAcl, PRL_VM_ACCESS_FOR_OTHERS nAccessForOthers))

/* The VM owner's user name. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlAcl_GetOwnerName,
	(PRL_HANDLE hAcl, PRL_STR sOwnerNameBuf, PRL_UINT32_PTR pnOwnerNameBufLength))

/* Whether the session's user owns the VM. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlAcl_IsCurrentSessionOwner,
	(PRL_HANDLE hAcl, PRL_BOOL_PTR pbIsOwner))

/* Whether the session's user may perform a PAR_* operation on the VM. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlAcl_IsAllowed,
	(PRL_HANDLE hAcl, PRL_ALLOWED_VM_COMMAND nPermission, PRL_BOOL_PTR pbIsAllowed))

/* Tells whether the VM configuration is broken. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlVmInfo_IsInvalid,
	(PRL_HANDLE handle, PRL_BOOL_PTR pbIsInvalid))

/* ---- PHT_FOUND_VM_INFO ------------------------------------------------- */

/* Copies the name of a VM found by PrlSrv_StartSearchVms. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlFoundVmInfo_GetName,
	(PRL_HANDLE handle, PRL_STR sName, PRL_UINT32_PTR pnNameBufLength))

/* Copies the configuration path of a found VM. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlFoundVmInfo_GetConfigPath,
	(PRL_HANDLE handle, PRL_STR sPath, PRL_UINT32_PTR pnPathBufLength))

/* The guest OS version (PVS_GUEST_VER_*) of the VM found. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlFoundVmInfo_GetOSVersion,
	(PRL_HANDLE handle, PRL_UINT32_PTR pnOSVersion))

/* Whether the VM found has a configuration of an older format. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlFoundVmInfo_IsOldConfig,
	(PRL_HANDLE handle, PRL_BOOL_PTR pbOldVersion))

/* Whether the VM found is a template. */
PRL_METHOD_DECL(VIRTUOZZO_API_VER_1, PrlFoundVmInfo_IsTemplate,
	(PRL_HANDLE handle, PRL_BOOL_PTR pbIsTemplate))

#ifdef __cplusplus
}
#endif
#endif /* OPENPRL_PRLAPIVM_H */
