/*
 * errtext.c — name and text lookups for result codes, events, handle types
 * and job operations.
 *
 * Name tables are built at compile time from the X-macro lists of the
 * public headers (PRL_ERRORS_LIST, PRL_EVENTS_LIST, PRL_HANDLE_TYPES_LIST,
 * PRL_JOB_OPS_LIST), in list order; a lookup is a linear scan that returns
 * the first match, so an alias never hides the original name.  The scans
 * run only when a program asks for a name or a text (error paths, logging,
 * PrlDbg_*), so a few thousand comparisons cost nothing that matters.
 *
 * The texts are OpenPRL's own.  They cover what the library, the dispatcher
 * and the VM manager return; codes without an entry give NULL so the caller
 * can build a text from the name.
 */
#include <stddef.h>

#include "errtext.h"

struct prlc_name {
	int value;
	const char *name;
};

static const char *find_name(const struct prlc_name *t, size_t n, int value)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].value == value)
			return t[i].name;
	return NULL;
}

#define NAME_ERR(name, ordinal) { PRL_RESULT_DECLARE_ERROR(ordinal), #name },
#define NAME_OK(name, value)    { PRL_RESULT_DECLARE_SUCCESS(value), #name },
#define NAME_ONE(name, value)   { (int)(value), #name },

static const struct prlc_name err_names[] = {
	PRL_ERRORS_LIST(NAME_ERR, NAME_OK)
};
static const struct prlc_name event_names[] = {
	PRL_EVENTS_LIST(NAME_ONE)
};
static const struct prlc_name handle_type_names[] = {
	PRL_HANDLE_TYPES_LIST(NAME_ONE)
};
static const struct prlc_name job_op_names[] = {
	PRL_JOB_OPS_LIST(NAME_ONE)
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *prlc_err_name(PRL_RESULT code)
{
	return find_name(err_names, COUNT(err_names), code);
}

const char *prlc_event_name(PRL_EVENT_TYPE type)
{
	return find_name(event_names, COUNT(event_names), (int)type);
}

const char *prlc_handle_type_name(PRL_HANDLE_TYPE type)
{
	return find_name(handle_type_names, COUNT(handle_type_names), (int)type);
}

const char *prlc_job_op_name(PRL_JOB_OPERATION_CODE op)
{
	return find_name(job_op_names, COUNT(job_op_names), (int)op);
}

/* ---- texts ------------------------------------------------------------- */

struct prlc_text {
	PRL_RESULT code;
	const char *brief;
	const char *lng;
};

static const struct prlc_text texts[] = {
	/* success */
	{ PRL_ERR_SUCCESS, "Success.",
	  "The operation completed successfully." },

	/* library, arguments and handles */
	{ PRL_ERR_UNEXPECTED, "Unexpected internal error.",
	  "An internal error that should not happen occurred. Retry the operation; "
	  "if it keeps failing, check the dispatcher log." },
	{ PRL_ERR_OUT_OF_MEMORY, "Out of memory.",
	  "There was not enough memory to complete the operation. Free some memory "
	  "and try again." },
	{ PRL_ERR_INVALID_ARG, "Invalid argument.",
	  "An argument is not valid: a NULL pointer where one is required, a handle "
	  "that is freed, forged or of the wrong type, or a value out of range. "
	  "Check the arguments of the call." },
	{ PRL_ERR_INVALID_HANDLE, "Invalid handle.",
	  "The handle does not refer to a live object. It may already have been "
	  "freed with PrlHandle_Free." },
	{ PRL_ERR_ACCESS_DENIED, "Access denied.",
	  "You do not have permission to perform this operation." },
	{ PRL_ERR_BUFFER_OVERRUN, "Buffer too small.",
	  "The buffer passed in is too small for the result. The length argument "
	  "now holds the size needed; call again with a buffer of that size." },
	{ PRL_ERR_UNINITIALIZED, "Object not initialized.",
	  "The object has not been set up yet. Create or load it before using it." },
	{ PRL_ERR_UNIMPLEMENTED, "Not implemented.",
	  "This function or feature is not implemented by OpenPRL." },
	{ PRL_ERR_FAILURE, "The operation failed.",
	  "The operation failed. The job's error object (PrlJob_GetError) may "
	  "carry more detail." },
	{ PRL_ERR_FILE_NOT_FOUND, "File not found.",
	  "A file needed by the operation does not exist. Check the path." },
	{ PRL_ERR_DOUBLE_INIT, "Already initialized.",
	  "The object was already initialized; it cannot be initialized twice." },
	{ PRL_ERR_SYMBOL_NOT_FOUND, "Symbol not found.",
	  "A function could not be found in the SDK library. The installed "
	  "libprl_sdk may be older than the program expects." },
	{ PRL_ERR_OPERATION_PENDING, "Operation still running.",
	  "The job has not finished yet, so its result is not available. Wait for "
	  "it with PrlJob_Wait or handle it in the event callback." },
	{ PRL_ERR_NO_DATA, "No data.",
	  "There is no data to return for this request." },
	{ PRL_ERR_TIMEOUT, "Timed out.",
	  "The wait ended before the operation finished. The job goes on; wait "
	  "for it again or cancel it with PrlJob_Cancel." },
	{ PRL_ERR_OPERATION_FAILED, "The operation failed.",
	  "The requested operation could not be completed. See the dispatcher log "
	  "for the cause." },
	{ PRL_ERR_PARAM_NOT_FOUND, "Parameter not found.",
	  "The result or event has no parameter with that index or name." },
	{ PRL_ERR_INVALID_PARAM, "Invalid parameter.",
	  "A parameter of the request is not valid. Check the values passed in." },
	{ PRL_ERR_API_WASNT_INITIALIZED, "The SDK is not initialized.",
	  "Call PrlApi_InitEx (or PrlApi_Init) before any other SDK function, and "
	  "PrlApi_Deinit when you are done." },
	{ PRL_ERR_API_INCOMPATIBLE, "Incompatible API version.",
	  "The program asked for a newer API version than this library provides. "
	  "Pass VIRTUOZZO_API_VER from the installed headers to PrlApi_InitEx." },
	{ PRL_ERR_TASK_NOT_FOUND, "Task not found.",
	  "The server knows no task with that id; it may have finished already." },
	{ PRL_ERR_OPERATION_WAS_CANCELED, "Operation cancelled.",
	  "The operation was cancelled before it completed." },
	{ PRL_ERR_UNRECOGNIZED_REQUEST, "Request not recognized.",
	  "The server does not know this request. Client and server versions may "
	  "differ." },
	{ PRL_ERR_INVALID_ACTION_REQUESTED, "Invalid action.",
	  "The requested action is not valid for this object in its present state." },
	{ PRL_ERR_CONCURRENT_COMMAND_EXECUTING, "Another command is running.",
	  "Another command on the same object is still in progress. Wait for it to "
	  "finish and try again." },
	{ PRL_ERR_SERVICE_BUSY, "Service busy.",
	  "The service is busy with other work. Try again later." },
	{ PRL_ERR_TRY_AGAIN, "Try again.",
	  "The operation cannot be done right now. Try again in a moment." },
	{ PRL_ERR_SDK_TRY_AGAIN, "Try again.",
	  "The SDK could not complete the call right now. Try again in a moment." },
	{ PRL_ERR_OBJECT_NOT_FOUND, "Object not found.",
	  "The object the request refers to does not exist." },
	{ PRL_ERR_ENTRY_DOES_NOT_EXIST, "Entry does not exist.",
	  "The file or directory does not exist. Check the path." },
	{ PRL_ERR_ENTRY_ALREADY_EXISTS, "Entry already exists.",
	  "A file or directory with that name already exists. Choose another name "
	  "or remove the existing one." },
	{ PRL_ERR_DIRECTORY_DOES_NOT_EXIST, "Directory does not exist.",
	  "The directory does not exist. Create it first or choose another one." },
	{ PRL_ERR_INCORRECT_PATH, "Incorrect path.",
	  "The path is not valid. Use an absolute path that exists on the server." },
	{ PRL_ERR_READONLY_FILESYSTEM, "Read-only file system.",
	  "The file system is mounted read-only, so nothing can be written there." },
	{ PRL_ERR_OUT_OF_DISK_SPACE, "Out of disk space.",
	  "There is not enough free disk space. Free some space and try again." },
	{ PRL_ERR_NOT_ENOUGH_DISK_FREE_SPACE, "Not enough free disk space.",
	  "The disk does not have enough free space for this operation. Free some "
	  "space and try again." },

	/* connection, protocol, login */
	{ PRL_ERR_CANT_CONNECT_TO_DISPATCHER, "Cannot connect to the server.",
	  "The connection to the dispatcher could not be made. Check that "
	  "prl_disp_service is running and that the host name and port are right." },
	{ PRL_ERR_CANT_CONNECT_TO_DISPATCHER_ITERATIVELY, "Cannot connect to the server.",
	  "Several attempts to reach the dispatcher failed. Check that "
	  "prl_disp_service is running and reachable, then log in again." },
	{ PRL_ERR_CANT_RESOLVE_HOSTNAME, "Cannot resolve the host name.",
	  "The server's host name could not be resolved. Check the name or use an "
	  "IP address." },
	{ PRL_ERR_NOT_CONNECTED_TO_DISPATCHER, "Not logged in.",
	  "This server handle is not connected. Log in first with PrlSrv_Login or "
	  "PrlSrv_LoginLocal." },
	{ PRL_ERR_ALREADY_CONNECTED_TO_DISPATCHER, "Already logged in.",
	  "This server handle already has a session. Log off with PrlSrv_Logoff "
	  "before logging in again, or use another server handle." },
	{ PRL_ERR_WS_DISP_CONNECTION_CLOSED, "Connection to the server closed.",
	  "The connection to the dispatcher was closed before the operation "
	  "finished. Log in again and repeat the operation." },
	{ PRL_ERR_SERVER_GOES_DOWN, "The server is going down.",
	  "The dispatcher is shutting down. Wait until it is back and log in again." },
	{ PRL_ERR_DISP_SHUTDOWN_IN_PROCESS, "The server is shutting down.",
	  "The dispatcher is shutting down and accepts no new work. Try again once "
	  "it has restarted." },
	{ PRL_ERR_SEND_COMMAND_TOWS_FAILED, "Could not send the request.",
	  "The request could not be sent to the dispatcher. The connection may "
	  "have dropped; log in again." },
	{ PRL_ERR_IO_NO_CONNECTION, "No connection.",
	  "There is no connection to the server. Log in first." },
	{ PRL_ERR_IO_CONNECTION_TIMEOUT, "Connection timed out.",
	  "The server did not answer in time. Check the network and that the "
	  "dispatcher is running." },
	{ PRL_ERR_IO_AUTHENTICATION_FAILED, "Channel authentication failed.",
	  "The connection could not be authenticated. Log in again." },
	{ PRL_ERR_HANDSHAKE_FAILED, "Handshake failed.",
	  "The opening exchange with the server failed. Make sure the address and "
	  "port belong to a prl_disp_service." },
	{ PRL_ERR_WRONG_PROTOCOL_VERSION, "Protocol version mismatch.",
	  "The client and the server speak different protocol versions. Install "
	  "matching versions of libprl_sdk and prl_disp_service." },
	{ PRL_ERR_SSL_HANDSHAKE_FAILED, "TLS handshake failed.",
	  "The encrypted channel could not be set up. Check the server's "
	  "certificate and the security level requested." },
	{ PRL_ERR_WRONG_CONNECTION_SECURITY_LEVEL, "Security level too low.",
	  "The server requires a higher security level than the one requested. "
	  "Log in again with PSL_NORMAL_SECURITY or PSL_HIGH_SECURITY." },
	{ PRL_ERR_AUTHENTICATION_FAILED, "Login failed.",
	  "The user name or password was not accepted. Check them and log in again." },
	{ PRL_ERR_LOCAL_AUTHENTICATION_FAILED, "Local login failed.",
	  "The server could not identify the local user. Use PrlSrv_LoginLocal on "
	  "the same host as the dispatcher, or log in with a user name and password." },
	{ PRL_ERR_PUBLIC_KEY_NOT_AUTHORIZED, "Key not authorized.",
	  "The public key offered is not authorized for this user on the server." },
	{ PRL_ERR_ACCESS_TOKEN_INVALID, "Session not valid.",
	  "The session is unknown to the server or has expired. Log in again." },
	{ PRL_ERR_INVALID_ACCESS_TOKEN_RECEIVED, "Session not valid.",
	  "The server received a session id it does not know. Log in again." },
	{ PRL_ERR_USER_IS_ALREADY_LOGGED, "User already logged in.",
	  "This user already has a session on the server." },
	{ PRL_ERR_PREV_SESSION_IS_ACTIVE, "Previous session still active.",
	  "A previous session is still active. Log off from it first." },
	{ PRL_ERR_ANOTHER_USER_SESSIONS_PRESENT, "Other users are logged in.",
	  "Other users still have sessions on the server. Ask them to log off, or "
	  "force the operation." },
	{ PRL_ERR_LOGIN_BY_MISMATCH_CLIENT_MODE, "Wrong application mode.",
	  "The application mode passed to PrlApi_InitEx does not match this "
	  "server. Use PAM_SERVER with OpenPRL." },
	{ PRL_ERR_USER_NOT_FOUND, "User not found.",
	  "The server knows no such user." },
	{ PRL_ERR_USER_OPERATION_NOT_AUTHORISED, "Not authorized.",
	  "Your user is not allowed to perform this operation." },
	{ PRL_ERR_USER_NO_AUTH_TO_EDIT_SERVER_SETTINGS, "Not allowed to change server settings.",
	  "Only an administrator may change the server's settings." },

	/* virtual machines: lookup and registration */
	{ PRL_ERR_VM_UUID_NOT_FOUND, "Virtual machine not found.",
	  "The server has no registered virtual machine with this id. Refresh the "
	  "VM list with PrlSrv_GetVmList." },
	{ PRL_ERR_CT_NOT_FOUND, "Container not found.",
	  "The server has no container with this id." },
	{ PRL_ERR_VM_CONFIG_DOESNT_EXIST, "VM configuration missing.",
	  "The virtual machine's configuration file does not exist. Check the VM "
	  "bundle path." },
	{ PRL_ERR_VM_CONFIG_ALREADY_EXISTS, "VM configuration already exists.",
	  "A virtual machine configuration already exists at that location. Choose "
	  "another name or folder." },
	{ PRL_ERR_PARSE_VM_CONFIG, "Cannot read the VM configuration.",
	  "The virtual machine's configuration could not be parsed. It may be "
	  "damaged." },
	{ PRL_ERR_CANT_PARSE_VM_CONFIG, "Cannot read the VM configuration.",
	  "The virtual machine's configuration could not be parsed. It may be "
	  "damaged." },
	{ PRL_ERR_READ_XML_CONTENT, "Cannot read the configuration.",
	  "The configuration data could not be read." },
	{ PRL_ERR_SAVE_VM_CONFIG, "Cannot save the VM configuration.",
	  "The virtual machine's configuration could not be written. Check free "
	  "space and permissions of the VM folder." },
	{ PRL_ERR_VM_ALREADY_REGISTERED, "VM already registered.",
	  "This virtual machine is already registered on the server." },
	{ PRL_ERR_VM_ALREADY_REGISTERED_VM_UUID, "VM id already in use.",
	  "A virtual machine with the same id is already registered. Register it "
	  "with a new id (PRVF_REGENERATE_VM_UUID)." },
	{ PRL_ERR_VM_ALREADY_REGISTERED_VM_PATH, "VM path already registered.",
	  "A virtual machine from this folder is already registered." },
	{ PRL_ERR_VM_ALREADY_REGISTERED_VM_NAME, "VM name already in use.",
	  "A virtual machine with this name already exists. Choose another name." },
	{ PRL_ERR_VM_ALREADY_REGISTERED_UNIQUE_PARAMS, "VM already registered.",
	  "A virtual machine with the same name or id is already registered." },
	{ PRL_ERR_VM_NAME_IS_EMPTY, "VM name is empty.",
	  "Give the virtual machine a name with PrlVmCfg_SetName." },
	{ PRL_ERR_VMCONF_VM_NAME_IS_EMPTY, "VM name is empty.",
	  "Give the virtual machine a name with PrlVmCfg_SetName." },
	{ PRL_ERR_VMCONF_VM_NAME_HAS_INVALID_SYMBOL, "Invalid character in VM name.",
	  "The virtual machine name contains a character that is not allowed, such "
	  "as '/'. Choose another name." },
	{ PRL_ERR_VMCONF_VM_NAME_IS_TOO_LONG, "VM name too long.",
	  "The virtual machine name is too long. Choose a shorter one." },
	{ PRL_ERR_VMCONF_VALIDATION_FAILED, "VM configuration not valid.",
	  "The virtual machine's configuration failed validation. Fix the settings "
	  "reported and commit again." },
	{ PRL_ERR_VM_UUID_EMPTY, "VM id is empty.",
	  "The virtual machine has no id." },
	{ PRL_ERR_VM_CONFIG_INVALID_VM_UUID, "VM id not valid.",
	  "The id in the virtual machine's configuration is not valid." },
	{ PRL_ERR_VM_DIRECTORY_NOT_EXIST, "VM folder does not exist.",
	  "The folder for the virtual machine does not exist. Create it or choose "
	  "another one." },
	{ PRL_ERR_VM_HOME_PATH_IS_NOT_EMPTY, "VM folder not empty.",
	  "The folder chosen for the new virtual machine is not empty. Choose "
	  "another folder." },
	{ PRL_ERR_VM_TO_REGISTER_IS_NOT_SPECIFIED, "No VM to register.",
	  "Pass the path of a virtual machine bundle to register." },
	{ PRL_ERR_ACCESS_TO_VM_DENIED, "Access to the VM denied.",
	  "You do not have permission to use this virtual machine." },
	{ PRL_ERR_USER_NO_AUTH_TO_EDIT_VM, "Not allowed to edit the VM.",
	  "You do not have permission to change this virtual machine's "
	  "configuration." },
	{ PRL_ERR_USER_NO_AUTH_TO_CREATE_VM_IN_DIR, "Not allowed to create the VM there.",
	  "You do not have permission to create a virtual machine in that folder." },

	/* virtual machines: editing */
	{ PRL_ERR_HDD_IMAGE_COPY, "Disk image could not be copied.",
	  "Copying a virtual disk image failed, for example while cloning. Check "
	  "free space and permissions in the destination directory." },
	{ PRL_ERR_MAKE_DIRECTORY, "Directory could not be created.",
	  "The dispatcher could not create a directory it needed, such as a VM "
	  "bundle. Check that the parent exists, is writable, and has free space." },
	{ PRL_ERR_NOT_ALL_FILES_WAS_DELETED, "Some files were not deleted.",
	  "The virtual machine was removed, but some of its files could not be "
	  "deleted. Remove what is left of the bundle by hand." },
	{ PRL_ERR_OBJECT_WAS_REMOVED, "The object was removed.",
	  "This handle refers to a device or entry that has been removed from its "
	  "configuration. Get a fresh handle from the configuration." },
	{ PRL_ERR_OPEN_VM_CONFIG_READ, "VM configuration could not be read.",
	  "The configuration file of the virtual machine could not be opened for "
	  "reading. Check that the bundle exists and is readable." },
	{ PRL_ERR_VM_RESTORE_STATE_FAILED, "Saved state could not be restored.",
	  "Resuming the virtual machine from its saved state failed. Drop the "
	  "suspended state (PrlVm_DropSuspendedState) and start it afresh." },
	{ PRL_ERR_VM_SAVE_STATE_FAILED, "State could not be saved.",
	  "Suspending the virtual machine failed while its memory was written to "
	  "the bundle. Check free space; the machine keeps running." },
	{ PRL_ERR_CONFIG_EDIT_COLLISION, "Configuration changed meanwhile.",
	  "Someone else changed the virtual machine after you called "
	  "PrlVm_BeginEdit. Call PrlVm_BeginEdit again, repeat your changes and "
	  "commit." },
	{ PRL_ERR_CONFIG_BEGIN_EDIT_NOT_FOUND_OBJECT_UUID, "Editing not started.",
	  "Call PrlVm_BeginEdit before PrlVm_Commit." },
	{ PRL_ERR_VM_CONFIG_WAS_CHANGED, "VM configuration changed.",
	  "The virtual machine's configuration was changed by someone else. Reload "
	  "it with PrlVm_RefreshConfig." },
	{ PRL_ERR_SERVER_PREFS_EDIT_COLLISION, "Server settings changed meanwhile.",
	  "Someone else changed the server settings after you began editing. Begin "
	  "again and repeat your changes." },
	{ PRL_ERR_CANT_EDIT_SUSPENDED_VM, "Cannot edit a suspended VM.",
	  "The virtual machine is suspended. Resume and stop it, or drop its "
	  "suspended state, before changing its configuration." },
	{ PRL_ERR_VM_MUST_BE_STOPPED_BEFORE_RENAMING, "Stop the VM to rename it.",
	  "A virtual machine can be renamed only while it is stopped." },
	{ PRL_ERR_VM_MUST_BE_STOPPED_FOR_CHANGE_DEVICES, "Stop the VM to change devices.",
	  "These device changes need the virtual machine to be stopped." },
	{ PRL_ERR_VM_APPLY_CONFIG_NEEDS_REBOOT, "Restart needed.",
	  "The changes were saved and take effect when the virtual machine is "
	  "restarted." },

	/* virtual machines: state and lifecycle */
	{ PRL_ERR_VM_START_FAILED, "The VM could not start.",
	  "The virtual machine failed to start. See the dispatcher log for the "
	  "hypervisor's reason." },
	{ PRL_ERR_VM_ALREADY_RUNNING, "VM already running.",
	  "The virtual machine is already running." },
	{ PRL_ERR_DISP_VM_IS_NOT_STARTED, "VM not started.",
	  "The virtual machine is not running. Start it with PrlVm_Start first." },
	{ PRL_ERR_DISP_VM_IS_NOT_RUNNING, "VM not running.",
	  "This operation needs a running virtual machine. Start it with "
	  "PrlVm_Start first." },
	{ PRL_ERR_DISP_VM_IS_NOT_STOPPED, "VM not stopped.",
	  "This operation needs the virtual machine to be stopped. Stop it with "
	  "PrlVm_StopEx first." },
	{ PRL_ERR_VM_DOES_NOT_STOPPED, "VM not stopped.",
	  "The virtual machine is not stopped. Stop it and try again." },
	{ PRL_ERR_VM_PROCESS_IS_NOT_STARTED, "VM process not running.",
	  "The virtual machine's process is not running." },
	{ PRL_ERR_VM_POWER_OFF_FAILED, "The VM could not be stopped.",
	  "Stopping the virtual machine failed. Try a forced stop (PSM_KILL)." },
	{ PRL_ERR_VM_SHUTDOWN_FAILED, "Guest shutdown failed.",
	  "The guest operating system did not shut down. Try again, or stop the "
	  "virtual machine with PSM_KILL." },
	{ PRL_ERR_VM_RESET_FAILED, "The VM could not be reset.",
	  "Resetting the virtual machine failed." },
	{ PRL_ERR_VM_PAUSE_FAILED, "The VM could not be paused.",
	  "Pausing the virtual machine failed. Only a running VM can be paused." },
	{ PRL_ERR_VM_UNPAUSE_FAILED, "The VM could not be resumed.",
	  "Continuing the paused virtual machine failed." },
	{ PRL_ERR_VM_SUSPEND_FAILED, "The VM could not be suspended.",
	  "Suspending the virtual machine failed." },
	{ PRL_ERR_VM_RESUME_FAILED, "The VM could not be resumed.",
	  "Resuming the suspended virtual machine failed." },
	{ PRL_ERR_VM_ALREADY_SUSPENDED, "VM already suspended.",
	  "The virtual machine is already suspended." },
	{ PRL_ERR_VM_ALREADY_RESUMED, "VM already running.",
	  "The virtual machine is not suspended or paused." },
	{ PRL_ERR_VM_IS_NOT_SUSPENDED, "VM not suspended.",
	  "The virtual machine is not suspended, so there is no saved state to "
	  "resume or drop." },
	{ PRL_ERR_UNABLE_DROP_SUSPENDED_STATE, "Cannot drop the saved state.",
	  "The suspended state of the virtual machine could not be removed." },
	{ PRL_ERR_COMPACT_WRONG_VM_STATE, "Wrong VM state.",
	  "The virtual machine is not in a state that allows this operation." },
	{ PRL_ERR_VM_IN_FROZEN_STATE, "VM frozen.",
	  "The virtual machine is frozen. Unfreeze it first." },
	{ PRL_ERR_VM_CANT_CLONE_RUNNING, "Cannot clone a running VM.",
	  "Stop the virtual machine before cloning it." },
	{ PRL_ERR_VM_CANT_DELETE_RUNNING, "Cannot delete a running VM.",
	  "Stop the virtual machine before deleting it." },
	{ PRL_ERR_VM_CANT_UNREG_RUNNING, "Cannot unregister a running VM.",
	  "Stop the virtual machine before unregistering it." },
	{ PRL_ERR_RUNNING_VM_OR_CT, "VM or container is running.",
	  "Stop the virtual machine or container first." },
	{ PRL_ERR_CT_IS_RUNNING, "Container is running.",
	  "Stop the container first." },
	{ PRL_ERR_CANT_TO_START_VM_TEMPLATE, "Cannot start a template.",
	  "A template cannot be started. Clone a virtual machine from it and start "
	  "that." },
	{ PRL_ERR_VM_IS_EXCLUSIVELY_LOCKED, "VM locked by another session.",
	  "Another session holds an exclusive lock on this virtual machine. Wait "
	  "until it unlocks it." },
	{ PRL_ERR_VM_IS_NOT_LOCKED, "VM not locked.",
	  "The virtual machine is not locked, so it cannot be unlocked." },
	{ PRL_ERR_NOT_LOCK_OWNER_SESSION_TRIES_TO_UNLOCK, "Lock held by another session.",
	  "Only the session that locked the virtual machine can unlock it." },
	{ PRL_ERR_VM_LOCKED_FOR_EDIT_COMMIT, "VM busy with a commit.",
	  "A configuration change of this virtual machine is being committed. Wait "
	  "for it to finish." },
	{ PRL_ERR_VM_LOCKED_FOR_DELETE, "VM being deleted.",
	  "The virtual machine is being deleted." },
	{ PRL_ERR_VM_LOCKED_FOR_UNREGISTER, "VM being unregistered.",
	  "The virtual machine is being unregistered." },
	{ PRL_ERR_VM_LOCKED_FOR_CLONE, "VM being cloned.",
	  "The virtual machine is being cloned. Wait for the clone to finish." },
	{ PRL_ERR_VM_LOCKED_FOR_INTERNAL_REASON, "VM busy.",
	  "The virtual machine is busy with another operation. Try again later." },
	{ PRL_ERR_SOME_VMS_RUNNING, "Some VMs are running.",
	  "Some virtual machines are still running. Stop them first, or force the "
	  "operation." },
	{ PRL_ERR_VM_SNAPSHOT_NOT_FOUND, "Snapshot not found.",
	  "The virtual machine has no snapshot with that id." },
	{ PRL_ERR_VM_REQUEST_NOT_SUPPORTED, "Not supported by this VM.",
	  "The virtual machine does not support this request." },
	{ PRL_ERR_VM_OPERATION_FAILED, "VM operation failed.",
	  "The operation on the virtual machine failed. See the dispatcher log." },
	{ PRL_ERR_ACTION_NOT_SUPPORTED_FOR_CT, "Not supported for containers.",
	  "This action is available for virtual machines only." },
	{ PRL_ERR_HDD_IMAGE_NOT_EXIST, "Disk image not found.",
	  "The virtual disk image does not exist. Check its path in the VM "
	  "configuration." },
	{ PRL_ERR_CANT_CREATE_HDD_IMAGE, "Cannot create the disk image.",
	  "The virtual disk image could not be created. Check free space and "
	  "permissions." },
};

static const struct prlc_text *find_text(PRL_RESULT code)
{
	for (size_t i = 0; i < COUNT(texts); i++)
		if (texts[i].code == code)
			return &texts[i];
	return NULL;
}

const char *prlc_err_brief(PRL_RESULT code)
{
	const struct prlc_text *t = find_text(code);
	return t ? t->brief : NULL;
}

const char *prlc_err_long(PRL_RESULT code)
{
	const struct prlc_text *t = find_text(code);
	return t ? t->lng : NULL;
}
